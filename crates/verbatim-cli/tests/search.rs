//! `verbatim search` and `verbatim words`: stemming, folding, phrases,
//! filters, KWIC spans, the index beside the study, and auto-coding.

use crate::common::{Workspace, slice};
use crate::participants::study_with_sites;

const FOCUS_GROUP: &str = "INT : Comment décririez-vous votre relation avec les usagers ?\n\
Marie : 😀 C’est une relation de confiance, qui se construit.\n\
Paul : Pour moi c’est surtout de la méfiance au début.\n\
INT : Et la méfiance, elle vient d’où ?\n\
Marie : Je suis méfiante quand quelqu’un rechute.\n\
Paul : Parfois, la confiance revient.\n";

const ENGLISH: &str = "INT: How do you build trust with a new patient?\n\
P1: Trusting them takes time. I trust the new patient slowly.\n\
INT: And the team?\n\
P1: The team helps. Patience matters.\n";

fn study() -> Workspace {
    let ws = study_with_sites();
    ws.write(
        "r.csv",
        "code,nom,site,profession\nCHFG-A,Marie,CH,infirmière\nCHFG-B,Paul,CH,médecin\n",
    );
    ws.run(&["participants", "import", "--project", "study.vbt", "r.csv"])
        .ok();
    ws.write("fg/fg-ch.txt", FOCUS_GROUP);
    ws.import(&["fg", "--kind", "focus-group", "--site", "CH"])
        .ok();
    ws.write("en/interview-en.txt", ENGLISH);
    ws.import(&[
        "en",
        "--kind",
        "interview",
        "--site",
        "CS",
        "--language",
        "en",
    ])
    .ok();
    ws.write(
        "ctx/chef.txt",
        "La confiance de l’équipe est une priorité pour la direction.\n",
    );
    ws.import(&["ctx", "--kind", "context", "--site", "CS"])
        .ok();
    ws
}

fn search(ws: &Workspace, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["search", "--project", "study.vbt", "--json"];
    all.extend_from_slice(args);
    ws.run(&all).ok().json().as_array().unwrap().clone()
}

fn texts(hits: &[serde_json::Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["text"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn stems_fold_accents_and_carry_the_speaker() {
    let ws = study();
    let hits = search(&ws, &["méfiance"]);
    assert_eq!(texts(&hits), ["méfiance", "méfiance", "méfiante"]);
    assert_eq!(hits[0]["participant"], "CHFG-B");
    assert_eq!(hits[1]["role"], "interviewer");
    assert_eq!(hits[2]["speaker"], "Marie");
    assert_eq!(texts(&search(&ws, &["mefiance"])).len(), 3);
    assert_eq!(texts(&search(&ws, &["=méfiante"])), ["méfiante"]);
    assert_eq!(
        texts(&search(&ws, &["trusting"])),
        ["trust", "Trusting", "trust"]
    );
    assert_eq!(texts(&search(&ws, &["méfi*"])).len(), 3);
}

#[test]
fn phrases_proximity_and_booleans() {
    let ws = study();
    assert_eq!(texts(&search(&ws, &["\"la confiance\""])), ["la confiance"]);
    assert!(search(&ws, &["\"confiance la\""]).is_empty());
    assert_eq!(
        texts(&search(&ws, &["\"trust patient\"~3"])),
        ["trust with a new patient", "trust the new patient"]
    );
    assert_eq!(
        texts(&search(&ws, &["\"trust patient\"~2"])),
        ["trust the new patient"]
    );
    assert!(search(&ws, &["\"trust patient\"~1"]).is_empty());
    assert!(search(&ws, &["\"patient trust\"~5"]).is_empty());
    assert_eq!(
        texts(&search(&ws, &["confiance NOT construit"])),
        ["confiance"]
    );
    assert_eq!(
        texts(&search(&ws, &["(rechute OR revient) confiance"])),
        ["confiance", "revient"]
    );
}

#[test]
fn filters_leave_out_what_they_should() {
    let ws = study();
    // Context-only sources only on request.
    assert_eq!(search(&ws, &["confiance"]).len(), 2);
    assert_eq!(search(&ws, &["confiance", "--include-context"]).len(), 3);
    assert!(search(&ws, &["confiance", "--kind", "interview"]).is_empty());
    assert_eq!(
        search(&ws, &["confiance", "--kind", "focus-group"]).len(),
        2
    );
    assert!(search(&ws, &["confiance", "--site", "CS"]).is_empty());
    assert_eq!(
        search(&ws, &["méfiance", "--role", "participants"]).len(),
        2
    );
    assert_eq!(
        search(&ws, &["méfiance", "--role", "interviewers"]).len(),
        1
    );
    let nurse = search(&ws, &["méfiance", "--attribute", "profession=infirmiere"]);
    assert_eq!(texts(&nurse), ["méfiante"]);
    assert_eq!(search(&ws, &["méfiance", "--speaker", "Paul"]).len(), 1);
}

#[test]
fn kwic_spans_slice_the_hit_exactly_even_after_emoji() {
    let ws = study();
    let shown = ws.show("fg-ch");
    let text = shown["text"].as_str().unwrap();
    for h in search(&ws, &["confiance OR relation", "--context", "10"]) {
        let (s, e) = (h["start"].as_u64().unwrap(), h["end"].as_u64().unwrap());
        assert_eq!(slice(text, s, e), h["text"].as_str().unwrap());
        assert_eq!(
            slice(text, s.saturating_sub(10), s),
            h["left"].as_str().unwrap()
        );
        assert!(h["utf16_start"].as_u64().unwrap() >= s);
    }
    let after_emoji = search(&ws, &["=relation", "--speaker", "Marie"]);
    let h = &after_emoji[0];
    assert_eq!(
        h["utf16_start"].as_u64().unwrap(),
        h["start"].as_u64().unwrap() + 1
    );
}

#[test]
fn malformed_queries_name_the_column() {
    let ws = study();
    let run = ws.run(&[
        "search",
        "--project",
        "study.vbt",
        "confiance \"la confiance",
    ]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("unclosed quote at column 11: \"la confiance"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_index_is_rebuilt_when_deleted_and_synced_after_import() {
    let ws = study();
    assert_eq!(search(&ws, &["rechute"]).len(), 1);
    let dir = ws.path("study.vbt.index");
    assert!(dir.join("manifest.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(search(&ws, &["rechute"]).len(), 1);
    ws.write(
        "more/fg2.txt",
        "INT : Et ensuite ?\nMarie : Une autre rechute.\n",
    );
    ws.import(&["more", "--kind", "focus-group", "--site", "CH"])
        .ok();
    assert_eq!(search(&ws, &["rechute"]).len(), 2);
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    // Four sources, each `hash|kind|site|language|turns|speakers`.
    assert_eq!(manifest.matches('|').count(), 4 * 5);
}

#[test]
fn pages_count_every_hit_and_cover_each_once() {
    let ws = study();
    let q = ["confiance OR méfiance", "--include-context"];
    let all = search(&ws, &q);
    // confiance: Marie 1 + Paul 1 in the focus group, 1 in the context
    // source; méfiance's family: Paul, INT, Marie's "méfiante": 3 + 3 = 6.
    assert_eq!(all.len(), 6);
    let mut walked = Vec::new();
    for offset in ["0", "4"] {
        let page = ws
            .run(&[
                "search",
                "--project",
                "study.vbt",
                "--json",
                q[0],
                q[1],
                "--limit",
                "4",
                "--offset",
                offset,
            ])
            .ok()
            .json();
        assert_eq!(page["total"], 6);
        assert_eq!(page["sources"], 2);
        walked.extend(page["hits"].as_array().unwrap().clone());
    }
    assert_eq!(walked, all);
    let table = ws
        .run(&[
            "search",
            "--project",
            "study.vbt",
            q[0],
            q[1],
            "--limit",
            "4",
            "--offset",
            "4",
        ])
        .ok();
    assert!(
        table.stdout.contains("6 hits in 2 sources (5–6 shown)."),
        "{}",
        table.stdout
    );
}

#[test]
fn autocode_is_one_undoable_action() {
    let ws = study();
    ws.run(&["coder", "add", "--project", "study.vbt", "amira"])
        .ok();
    ws.run(&[
        "code",
        "add",
        "--project",
        "study.vbt",
        "--coder",
        "amira",
        "Méfiance",
    ])
    .ok();
    let coded = ws
        .run(&[
            "search",
            "--project",
            "study.vbt",
            "méfiance",
            "--autocode",
            "Méfiance",
            "--coder",
            "amira",
            "--unit",
            "sentence",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(coded["added"], 3);
    let list = |ws: &Workspace| {
        ws.run(&[
            "coding",
            "list",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "--json",
        ])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .clone()
    };
    let codings = list(&ws);
    assert_eq!(codings.len(), 3);
    assert_eq!(
        codings[2]["text"].as_str().unwrap(),
        "Je suis méfiante quand quelqu’un rechute."
    );
    // Coded filter: only hits inside passages coded Méfiance.
    let inside = search(&ws, &["rechute", "--coded", "Méfiance", "--coder", "amira"]);
    assert_eq!(inside.len(), 1);
    assert!(
        search(
            &ws,
            &["confiance", "--coded", "Méfiance", "--coder", "amira"]
        )
        .is_empty()
    );
    ws.run(&["undo", "--project", "study.vbt", "--coder", "amira"])
        .ok();
    assert!(list(&ws).is_empty());
}

#[test]
fn words_counts_participants_speech() {
    let ws = study();
    let rows = ws
        .run(&[
            "words",
            "--project",
            "study.vbt",
            "--json",
            "--min-length",
            "4",
        ])
        .ok()
        .json();
    let words: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["word"].as_str().unwrap())
        .collect();
    assert!(words.contains(&"confiance"));
    assert!(!words.contains(&"décririez"), "interviewer speech left out");
    assert!(!words.contains(&"priorité"), "context left out");
    let with = ws
        .run(&[
            "words",
            "--project",
            "study.vbt",
            "--json",
            "--include-interviewers",
        ])
        .ok()
        .stdout;
    assert!(with.contains("décririez"));
}

#[test]
fn long_help_documents_the_query_syntax() {
    let ws = Workspace::empty();
    let help = ws.run(&["search", "--help"]).ok().stdout;
    for needle in [
        "=méfiance",
        "\"trust patient\"~5",
        "méfi*",
        "NOT",
        "trusting finds trust",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}
