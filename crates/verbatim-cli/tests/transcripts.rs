//! Transcripts as they really come: role qualifiers, missed and typo'd
//! labels reported at import, `speakers rename`, `source redetect` and
//! `source remove` with undo, timed segments from subtitles, files that
//! would lose text refused by name.

use verbatim_store::{CodingFilter, MemoTarget, SqliteStore};

use crate::common::{Workspace, slice};
use crate::memos::{refused, run_as, study_with_coders};

/// A French focus group: Sonia's role is in parentheses, Marc Petit speaks
/// once (a name without a role, so not taken), and the researcher's label
/// is typed `Checheur` twice beside four `Chercheur`.
const GROUP: &str = "Groupe de discussion n° 2 — Besançon\n\
[00:00:04] Sonia Martin (ENQ) : Bonjour à toutes et à tous, on commence ?\n\
[00:00:09] Lucie Bernard : Oui, allons-y.\n\
[00:00:12] Sonia Martin (ENQ) : Qui veut parler en premier ?\n\
00:00:20 Marc Petit: Moi, je veux bien.\n\
[00:00:31] Lucie Bernard : D’accord, vas-y.\n\
Chercheur : Et le quartier ?\n\
Lucie Bernard : Calme.\n\
Checheur : Vraiment ?\n\
Lucie Bernard : Oui.\n\
Chercheur : Et les voisins ?\n\
Lucie Bernard : Gentils.\n\
Checheur : Tous ?\n\
Lucie Bernard : Presque.\n\
Chercheur : Merci.\n\
Chercheur : On s’arrête là.\n";

/// `(speaker, speech, begin_ms, end_ms)` of each turn `show --json` gives.
type Row = (Option<String>, String, Option<u64>, Option<u64>);

fn rows(ws: &Workspace, source: &str) -> Vec<Row> {
    let shown = ws.show(source);
    let text = shown["text"].as_str().unwrap().to_owned();
    shown["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["speaker"].as_str().map(str::to_owned),
                slice(
                    &text,
                    t["start"].as_u64().unwrap(),
                    t["end"].as_u64().unwrap(),
                ),
                t["begin_ms"].as_u64(),
                t["end_ms"].as_u64(),
            )
        })
        .collect()
}

fn speakers_of(ws: &Workspace, source: &str) -> Vec<String> {
    rows(ws, source).into_iter().filter_map(|r| r.0).collect()
}

#[test]
fn import_reports_missed_labels_and_typos_and_rename_merges_them() {
    let ws = Workspace::with_study();
    ws.write("groupe.txt", GROUP);
    let run = ws.import(&["groupe.txt"]).ok();
    assert!(
        run.stdout.contains(
            "1 line looks like a speaker label but opened no turn, such as \"00:00:20 Marc Petit: Moi, je veux bien.\""
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "\"Checheur\" (2 turns) is one or two letters from \"Chercheur\" (4 turns); if it is a typo, run `verbatim speakers rename --source groupe --from Checheur --to Chercheur`"
        ),
        "{}",
        run.stdout
    );
    let json = ws
        .run(&["import", "--project", "study.vbt", "--json", "groupe.txt"])
        .ok()
        .json();
    assert_eq!(json[0]["status"], "duplicate");

    // The qualifier stays in the label and makes Sonia an interviewer.
    let listed = ws
        .run(&["speakers", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    let sonia = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "Sonia Martin (ENQ)")
        .unwrap();
    assert_eq!(sonia["role"], "interviewer");
    assert_eq!(sonia["turns"], 2);

    let before = speakers_of(&ws, "groupe");
    // 2 Sonia + 6 Lucie + 4 Chercheur + 2 Checheur = 14 turns.
    assert_eq!(before.len(), 14);
    let run = ws
        .run(&[
            "speakers",
            "rename",
            "--project",
            "study.vbt",
            "--source",
            "groupe",
            "--from",
            "Checheur",
            "--to",
            "Chercheur",
        ])
        .ok();
    assert!(run.stdout.contains("in 2 turns"), "{}", run.stdout);
    let after = speakers_of(&ws, "groupe");
    assert_eq!(after.iter().filter(|s| *s == "Chercheur").count(), 6);
    assert!(!after.iter().any(|s| s == "Checheur"));

    ws.run(&["undo", "--project", "study.vbt"]).ok();
    assert_eq!(speakers_of(&ws, "groupe"), before);
}

#[test]
fn redetect_finds_a_missed_speaker_and_codings_keep_their_words() {
    let ws = study_with_coders();
    ws.write("groupe.txt", GROUP);
    ws.import(&["groupe.txt"]).ok();
    let source = ws.show("groupe")["id"].as_i64().unwrap();
    let quote = "Moi, je veux bien.";
    {
        let mut store = SqliteStore::open(&ws.study()).unwrap();
        let scope = store.scope("tester", false, false).unwrap();
        let code = store.find_code(&scope, "Confiance", None).unwrap();
        let span = store.locate(source, quote, None).unwrap().span;
        store.add_coding(&scope, source, span, code, None).unwrap();
    }
    let text_before = ws.show("groupe")["text"].clone();
    let before = rows(&ws, "groupe");
    // Marc Petit's line is inside Sonia's second turn.
    assert!(before[2].1.ends_with(quote), "{before:?}");

    let pattern = r"^(?:\[?[\d:]+\]?\s*)?(?<speaker>[^:\[\]]+?)\s*:\s";
    let run = run_as(
        &ws,
        "tester",
        &["source", "redetect", "groupe", "--speakers", pattern],
    )
    .ok();
    assert!(
        run.stdout.contains("14 turns before, 15 now"),
        "{}",
        run.stdout
    );
    let after = rows(&ws, "groupe");
    assert_eq!(ws.show("groupe")["text"], text_before);
    assert_eq!(
        after[3],
        (Some("Marc Petit".into()), quote.into(), None, None)
    );
    // Sonia's turn starts where it did and keeps its time; Marc's, cut out
    // of hers, gets none it was not written with.
    assert_eq!(
        after[2],
        (
            Some("Sonia Martin (ENQ)".into()),
            "Qui veut parler en premier ?".into(),
            Some(12_000),
            None
        )
    );
    let store = SqliteStore::open(&ws.study()).unwrap();
    let scope = store.scope("tester", false, false).unwrap();
    let coded = store.codings(&scope, &CodingFilter::default()).unwrap();
    let texts: Vec<&str> = coded.iter().map(|c| c.text.as_str()).collect();
    assert!(texts.contains(&quote), "{texts:?}");
    drop(store);

    run_as(&ws, "tester", &["undo"]).ok();
    assert_eq!(rows(&ws, "groupe"), before);
}

/// The dump without the audit log, which every action extends.
fn data(ws: &Workspace) -> Vec<String> {
    ws.dump()
        .into_iter()
        .filter(|l| !l.starts_with("audit:"))
        .collect()
}

#[test]
fn remove_takes_every_row_of_a_source_and_undo_brings_them_back() {
    let ws = study_with_coders();
    ws.write("groupe.txt", GROUP);
    ws.import(&["groupe.txt"]).ok();
    {
        let mut store = SqliteStore::open(&ws.study()).unwrap();
        let scope = store.scope("tester", false, false).unwrap();
        let code = store.find_code(&scope, "Confiance", None).unwrap();
        let span = store.locate(1, "très lentement", None).unwrap().span;
        let coding = store.add_coding(&scope, 1, span, code, None).unwrap().0;
        store
            .add_memo(&scope, &MemoTarget::Source(1), None, "Entretien riche.")
            .unwrap();
        store
            .add_memo(&scope, &MemoTarget::Coding(coding), None, "Lenteur.")
            .unwrap();
    }
    let original = data(&ws);
    refused(
        &run_as(&ws, "tester", &["source", "remove", "entretien"]),
        "run again with --yes",
    );
    assert_eq!(data(&ws), original);

    let run = run_as(&ws, "tester", &["source", "remove", "entretien", "--yes"]).ok();
    // INTERVIEW_FR has 4 turns; one coding; two memos.
    assert!(
        run.stdout.contains("with 4 turns, 1 codings, 2 memos"),
        "{}",
        run.stdout
    );
    let conn = rusqlite::Connection::open(ws.study()).unwrap();
    for table in [
        "sources WHERE id = 1",
        "source_texts WHERE source_id = 1",
        "turns WHERE source_id = 1",
        "codings WHERE source_id = 1",
        "memos WHERE source_id = 1 OR target_kind IN ('source', 'coding')",
    ] {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    drop(conn);
    let names: Vec<String> = ws
        .sources()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["groupe"]);

    run_as(&ws, "tester", &["undo"]).ok();
    assert_eq!(data(&ws), original);
}

#[test]
fn subtitles_without_speakers_keep_every_cue_time() {
    let ws = Workspace::with_study();
    ws.write(
        "cues.srt",
        "1\n00:00:01,000 --> 00:00:03,500\nAlors, on commence.\n\n\
2\n00:00:03,500 --> 00:00:06,000\nJe suis arrivée en 1998.\n\n\
3\n00:01:07,250 --> 00:01:09,000\nC’était dur.\n",
    );
    ws.import(&["cues.srt"]).ok();
    // 00:01:07,250 = 67 s + 250 ms.
    assert_eq!(
        rows(&ws, "cues"),
        vec![
            (None, "Alors, on commence.".into(), Some(1_000), Some(3_500)),
            (
                None,
                "Je suis arrivée en 1998.".into(),
                Some(3_500),
                Some(6_000)
            ),
            (None, "C’était dur.".into(), Some(67_250), Some(69_000)),
        ]
    );
    let listed = ws
        .run(&["speakers", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    assert_eq!(listed, serde_json::json!([]));
    // Every turn of `show --json` says its times, null when unknown.
    assert_eq!(
        ws.show("cues")["turns"][2],
        serde_json::json!({"speaker": null, "start": 45, "end": 57, "begin_ms": 67_250, "end_ms": 69_000})
    );
    // What a reader repaired or skipped is said in the import report.
    ws.write(
        "envers.srt",
        "1\n00:00:05,000 --> 00:00:04,000\nÀ l’envers.\n",
    );
    let run = ws.import(&["envers.srt"]).ok();
    assert!(
        run.stdout
            .contains("note: line 2: a cue ends (00:00:04,000) before it starts (00:00:05,000)"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_rtf_whose_bin_runs_past_the_end_is_refused_by_name() {
    let ws = Workspace::with_study();
    ws.write(
        "coupé.rtf",
        b"{\\rtf1 avant{\\pict\\bin500 }} P03 : la suite\\par}",
    );
    let original = data(&ws);
    let run = ws.import(&["coupé.rtf"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("coupé.rtf: the rtf file is damaged: \\bin500 at byte 18"),
        "{}",
        run.stderr
    );
    assert_eq!(data(&ws), original);
}
