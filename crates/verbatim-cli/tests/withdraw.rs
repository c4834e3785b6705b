//! `verbatim participants withdraw`: the participant's speech goes from
//! every table, everyone else's words and codings stay exactly as they were.

use verbatim_store::{MemoTarget, NewParticipant, SqliteStore};

use crate::common::{Workspace, turns};
use crate::deidentify::{code, coded, group_study, readable_dump};

fn run(ws: &Workspace, args: &[&str]) -> crate::common::Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt"]);
    ws.run(&all)
}

/// The group study with Marie and Paul as participants.
fn with_participants() -> Workspace {
    let ws = group_study();
    let mut store = SqliteStore::open(&ws.study()).unwrap();
    for (code, label) in [("CHFG-C", "Marie"), ("CHFG-D", "Paul")] {
        store
            .add_participant(
                "tester",
                &NewParticipant {
                    code: Some(code.into()),
                    label: Some(label.into()),
                    site: None,
                },
            )
            .unwrap();
    }
    ws
}

#[test]
fn withdrawal_removes_the_speech_everywhere_and_moves_nothing_else() {
    let ws = with_participants();
    // Inside Marie's turn, in Paul's turn, and straddling Marie's end.
    code(&ws, "infirmière à l'Hôpital");
    code(&ws, "Je travaille avec");
    code(&ws, "depuis dix ans.\nINT : Et votre");
    {
        let mut store = SqliteStore::open(&ws.study()).unwrap();
        let scope = store.scope("tester", false, false).unwrap();
        store
            .add_memo(
                &scope,
                &MemoTarget::Participant("CHFG-C".into()),
                None,
                "Très émue en parlant de Bichat",
            )
            .unwrap();
        // An earlier correction keeps the whole text in the audit log.
        let span = store.locate(1, "Bonjour", None).unwrap().span;
        store
            .edit_source(&scope, 1, span, "Bonjour à tous")
            .unwrap();
    }
    let before = turns(&ws.show("groupe"));
    let others_coded = "Je travaille avec".to_owned();
    assert!(coded(&ws).contains(&others_coded));

    let out = run(
        &ws,
        &["participants", "withdraw", "CHFG-C", "--yes", "--json"],
    )
    .ok()
    .json();
    let s = &out["sources"][0];
    assert_eq!(s["turns_removed"], 2);
    assert_eq!(s["codings_deleted"]["tester"], 1);
    assert_eq!(s["codings_shrunk"]["tester"], 1);
    assert_eq!(out["memos_removed"], 1);

    let after = turns(&ws.show("groupe"));
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        if b.0 == "Marie" {
            assert_eq!(a.1, "[passage removed: participant withdrew]");
        } else {
            assert_eq!(a, b, "another speaker's turn changed");
        }
    }
    let now = coded(&ws);
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(now.contains(&others_coded));
    assert!(now.contains(&"\nINT : Et votre".to_owned()), "{now:?}");
    let all = readable_dump(&ws);
    assert!(all.iter().any(|l| l.contains("Je travaille avec")));
    for line in all {
        assert!(
            !line.contains("infirmière")
                && !line.contains("Bichat")
                && !line.contains("émue")
                && !line.contains("important pour moi"),
            "withdrawn words left: {line}"
        );
    }
    let people = run(&ws, &["participants", "list", "--json"]).ok().json();
    let marie = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "CHFG-C")
        .unwrap();
    assert!(marie["label"].is_null(), "{marie}");
    let consent = run(&ws, &["participants", "consent", "CHFG-C", "--json"])
        .ok()
        .json();
    assert_eq!(consent[0]["status"], "withdrawn");
    // The removed turns stay attributed, though the label "Marie" is gone.
    let speakers = run(&ws, &["speakers", "list", "--json"]).ok().json();
    let marie = speakers
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["label"] == "Marie")
        .unwrap();
    assert_eq!(marie["participant"], "CHFG-C", "{marie}");
}

#[test]
fn withdrawal_needs_confirmation_and_a_known_participant() {
    let ws = with_participants();
    let dump = ws.dump();
    let unknown = run(&ws, &["participants", "withdraw", "ZZ-9", "--yes"]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("no participant"),
        "{}",
        unknown.stderr
    );
    assert_eq!(unknown.stderr.lines().count(), 1, "{}", unknown.stderr);
    let unconfirmed = run(&ws, &["participants", "withdraw", "CHFG-C"]);
    assert_eq!(unconfirmed.code, 1);
    assert!(
        unconfirmed.stderr.contains("--yes"),
        "{}",
        unconfirmed.stderr
    );
    assert_eq!(ws.dump(), dump);
}

/// A follow-up interview written for this test, with a typo ("médcins")
/// in CSI-2's turn.
const SUIVI: &str = "INT : Comment vivez-vous le suivi ?\n\
CSI-2 : Je me méfie des médcins pressés.\n\
INT : Et vous ?\n\
CSI-3 : Ma généraliste m'écoute toujours.\n";

/// What CSI-2 said, what was written on their passage or translated from
/// it, and their label: none may remain once they withdrew.
const GONE: [&str; 7] = [
    "méfie",
    "médcins",
    "médecins",
    "pressés",
    "horaires",
    "distrust",
    "Jeanne Morel",
];

/// Runs `verbatim ARGS --project PROJECT` with the index cache (for a
/// PostgreSQL study) inside the workspace.
fn on(ws: &Workspace, project: &str, args: &[&str]) -> crate::common::Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", project]);
    let cache = ws.path("cache");
    ws.run_env(&all, &[("XDG_CACHE_HOME", cache.to_str().unwrap())])
}

/// The one search index folder of the workspace: beside the study file,
/// else the one in the cache.
fn index_folder(ws: &Workspace) -> std::path::PathBuf {
    let beside = ws.path("study.vbt.index");
    if beside.exists() {
        return beside;
    }
    let mut found = std::fs::read_dir(ws.path("cache/verbatim/index")).unwrap();
    let folder = found.next().unwrap().unwrap().path();
    assert!(found.next().is_none());
    folder
}

/// The names of the search index's segments (a segment's files share a
/// name and differ by extension).
fn segments(ws: &Workspace) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(index_folder(ws))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.split_once('.').map(|(stem, _)| stem.to_owned()))
        .filter(|stem| stem.len() == 32)
        .collect()
}

fn hits(ws: &Workspace, project: &str, word: &str) -> usize {
    let out = on(ws, project, &["search", word, "--json"]).ok().json();
    out.as_array().unwrap().len()
}

/// The session both backends run: the interview and another imported,
/// both participants named, the typo in CSI-2's turn fixed, a passage of
/// each coded and translated (a memo on CSI-2's), a search (which builds
/// the index), then CSI-2 withdrawn. Checks the log, the search and the
/// index's files afterwards.
fn withdraw_session(ws: &Workspace, project: &str) {
    ws.write("suivi.txt", SUIVI);
    // Another interview, indexed in the same segment as the first: the
    // segment keeps live documents, so only a compaction drops it.
    ws.write(
        "mardi.txt",
        "INT : Et le mardi ?\nCSI-3 : Je viens chaque mardi matin.\n",
    );
    for args in [
        &["init", "--title", "Suivi", "--language", "fr"][..],
        &["import", "suivi.txt", "mardi.txt"],
        &["coder", "add", "tester"],
        &["code", "add", "Confiance"],
        &[
            "participants",
            "add",
            "--code",
            "CSI-2",
            "--label",
            "Jeanne Morel",
        ],
        &["participants", "add", "--code", "CSI-3"],
        // An earlier correction in CSI-2's turn: the log keeps the typo.
        &[
            "source",
            "edit",
            "suivi",
            "--find",
            "médcins",
            "--text",
            "médecins",
        ],
        &[
            "coding",
            "add",
            "--source",
            "suivi",
            "--code",
            "Confiance",
            "--text",
            "méfie des médecins pressés",
            "--memo",
            "colère contre les horaires",
        ],
        &[
            "coding",
            "add",
            "--source",
            "suivi",
            "--code",
            "Confiance",
            "--text",
            "m'écoute toujours",
        ],
        &[
            "coding",
            "translate",
            "1",
            "--language",
            "en",
            "--text",
            "distrust of doctors in a hurry",
        ],
        &[
            "coding",
            "translate",
            "2",
            "--language",
            "en",
            "--text",
            "always listens to me",
        ],
    ] {
        on(ws, project, args).ok();
    }
    assert_eq!(hits(ws, project, "médecins"), 1);
    let before = segments(ws);
    assert!(!before.is_empty());
    let log = |ws: &Workspace| {
        on(ws, project, &["log", "--json", "--limit", "1000"])
            .ok()
            .json()
    };
    let entries = log(ws).as_array().unwrap().len();

    let args = ["participants", "withdraw", "CSI-2", "--yes", "--json"];
    let out = on(ws, project, &args).ok().json();
    // The participant's row (label), the edit (text before and after, its
    // inserted "e"), the coding (memo) and its translation.
    assert_eq!(out["audit_redacted"], 4);

    let after = log(ws);
    let after = after.as_array().unwrap();
    assert_eq!(after.len(), entries + 2);
    assert_eq!(after[0]["action"], "participant.withdraw");
    assert_eq!(after[1]["action"], "history.redact");
    assert_eq!(after[1]["data"]["entries"], 4);
    for entry in after {
        let data = entry["data"].to_string();
        for word in GONE {
            assert!(!data.contains(word), "{} keeps {word}", entry["action"]);
        }
    }
    let kept = |e: &serde_json::Value| e["data"].to_string().contains("always listens to me");
    assert!(after.iter().any(kept));
    for word in ["médecins", "méfie", "pressés", "médcins"] {
        assert_eq!(hits(ws, project, word), 0, "search still finds {word}");
    }
    assert_eq!(hits(ws, project, "généraliste"), 1);
    assert_eq!(hits(ws, project, "mardi"), 2);
    // No file of the index from before the withdrawal is left.
    let now = segments(ws);
    assert!(!now.is_empty());
    assert!(before.is_disjoint(&now), "{before:?} {now:?}");
}

#[test]
fn the_log_and_the_search_index_lose_every_wording_of_the_withdrawn_speech() {
    let ws = Workspace::empty();
    withdraw_session(&ws, "study.vbt");
    let dump = readable_dump(&ws);
    for line in &dump {
        for word in GONE {
            assert!(!line.contains(word), "{word} is left: {line}");
        }
    }
    assert!(dump.iter().any(|l| l.contains("généraliste")));

    undo_stops_at_the_withdrawn_translation(&ws, "study.vbt");
}

/// The translation of CSI-3's passage undoes as ever; that of CSI-2's,
/// rewritten in the log and deleted, is refused in one sentence saying
/// why, the log unchanged.
fn undo_stops_at_the_withdrawn_translation(ws: &Workspace, project: &str) {
    on(ws, project, &["undo"]).ok();
    let log = on(ws, project, &["log", "--json"]).ok().stdout;
    let refused = on(ws, project, &["undo"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains(
            "cannot undo coding.translate: a participant's withdrawal removed their words"
        ),
        "{}",
        refused.stderr
    );
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    assert_eq!(on(ws, project, &["log", "--json"]).ok().stdout, log);
}

#[test]
fn a_withdrawal_on_postgres_empties_the_log_and_the_cached_index_alike() {
    let Some(study) = verbatim_store_pg::test_server::study("cli_withdraw_log") else {
        return;
    };
    let ws = Workspace::empty();
    let project = study.address.to_string();
    withdraw_session(&ws, &project);
    undo_stops_at_the_withdrawn_translation(&ws, &project);
}

/// Every wording, titles included, of what was written about CSI-2's
/// passage: a memo on their coding (written, edited twice) and the
/// coding's own note (set, changed twice).
const THEIR_MEMOS: [&str; 8] = [
    "titre provisoire",
    "première lecture : défiance",
    "titre revu",
    "deuxième lecture : défiance tenace",
    "troisième lecture : défiance envers les soignants",
    "note un sur la méfiance",
    "note deux sur la méfiance",
    "note trois sur la méfiance",
];

/// The same about CSI-3's passage: every version stays.
const OTHER_MEMOS: [&str; 4] = [
    "lecture de l'écoute, version une",
    "lecture de l'écoute, version deux",
    "remarque une sur l'écoute",
    "remarque deux sur l'écoute",
];

#[test]
fn no_earlier_version_of_a_memo_on_the_withdrawn_speech_stays_in_the_log() {
    let ws = Workspace::empty();
    ws.write("suivi.txt", SUIVI);
    let [t1, b1, t2, b2, b3, c1, c2, c3] = THEIR_MEMOS;
    let [o1, o2, r1, r2] = OTHER_MEMOS;
    let coding = |text: &'static str, memo: &'static str| {
        [
            "coding",
            "add",
            "--source",
            "suivi",
            "--code",
            "Confiance",
            "--text",
            text,
            "--memo",
            memo,
        ]
    };
    // Coding 1 is in CSI-2's turn, coding 2 in CSI-3's; memo 1 is on
    // coding 1, memo 2 on coding 2 (a text file brings no memos of its own).
    let (first, second) = (coding("Je me méfie", c1), coding("m'écoute toujours", r1));
    for args in [
        &["init", "--title", "Suivi", "--language", "fr"][..],
        &["import", "suivi.txt"],
        &["coder", "add", "tester"],
        &["code", "add", "Confiance"],
        &["participants", "add", "--code", "CSI-2"],
        &["participants", "add", "--code", "CSI-3"],
        &first,
        &second,
        &[
            "memo", "add", "--on", "coding:1", "--title", t1, "--text", b1,
        ],
        &["memo", "edit", "1", "--title", t2, "--text", b2],
        &["memo", "edit", "1", "--text", b3],
        &["memo", "add", "--on", "coding:2", "--text", o1],
        &["memo", "edit", "2", "--text", o2],
        &["coding", "memo", "2", "--text", r2],
        &["coding", "memo", "1", "--text", c2],
        &["coding", "memo", "1", "--text", c3],
    ] {
        run(&ws, args).ok();
    }
    let log = || run(&ws, &["log", "--json", "--limit", "1000"]).ok().stdout;
    // Before the withdrawal the log holds every version.
    let before = log();
    for wording in THEIR_MEMOS.iter().chain(&OTHER_MEMOS) {
        assert!(before.contains(wording), "{wording} was never logged");
    }
    run(&ws, &["participants", "withdraw", "CSI-2", "--yes"]).ok();
    let after = log();
    for wording in THEIR_MEMOS {
        assert!(!after.contains(wording), "the log keeps {wording}");
    }
    for wording in OTHER_MEMOS {
        assert!(after.contains(wording), "the log lost {wording}");
    }
    for line in readable_dump(&ws) {
        for wording in THEIR_MEMOS {
            assert!(!line.contains(wording), "{wording} is left: {line}");
        }
    }
    // The last note on CSI-2's coding, rewritten in the log, cannot be
    // undone: one sentence says why, and the log stays as it was.
    let refused = run(&ws, &["undo"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("cannot undo coding.memo: a participant's withdrawal"),
        "{}",
        refused.stderr
    );
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    assert_eq!(log(), after);
}
