//! Guides, a source's repairs and marks, and the solo mark on `--project
//! postgres://…` answer as on a file: one scripted session (`guide
//! add|use|autocode|list`, `source edit|done|redetect|remove`, `undo`,
//! `study solo`, `participants withdraw`; collection dates by `import
//! --date` and `source set`) run on a study file and on a PostgreSQL study, its JSON
//! compared word for word, and its counts checked against the fixture
//! interview worked out by hand. Needs `VERBATIM_TEST_PG` (see
//! `verbatim_store_pg::test_server`).

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Workspace, interview_lines};

/// The guide: question 1 is the interviewer's first turn word for word
/// (8 words: comment, décririez, vous, votre, relation, avec, les,
/// usagers); question 2 and its sub-question are asked in other words.
const GUIDE: &str = concat!(
    "# Guide soignants\n",
    "1. Comment décririez-vous votre relation avec les usagers ?\n",
    "2. Quel budget avez-vous ?\n",
    "   - Et votre relation avec l'institution ?\n",
);

/// Removes what differs between two runs by design (guids, times).
fn timeless(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in ["guid", "imported_at", "created_at", "marked_at", "at"] {
                map.remove(key);
            }
            map.values_mut().for_each(timeless);
        }
        Value::Array(items) => items.iter_mut().for_each(timeless),
        _ => {}
    }
}

/// Runs the session on `project` and returns its JSON answers and the
/// lines its plain commands print, in order.
fn session(ws: &Workspace, project: &str) -> (Vec<Value>, Vec<String>) {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run(&full).ok()
    };
    let mut json = Vec::new();
    let mut said = Vec::new();
    let mut keep = |args: &[&str], json_out: bool| {
        let out = run(args);
        if json_out {
            let mut v = out.json();
            timeless(&mut v);
            json.push(v);
        } else {
            said.push(out.stdout.trim().to_owned());
        }
    };
    // `init` names where the study is, so it is not compared.
    run(&["init", "--title", "Étude", "--language", "fr"]);
    run(&["import", "entretien.txt", "terrain.txt"]);
    keep(&["coder", "add", "amira"], false);
    keep(
        &["guide", "add", "Guide soignants", "--file", "guide.txt"],
        false,
    );
    keep(
        &[
            "guide",
            "use",
            "--source",
            "entretien",
            "--guide",
            "guide SOIGNANTS",
        ],
        false,
    );
    keep(
        &[
            "guide",
            "autocode",
            "--source",
            "entretien",
            "--coder",
            "amira",
            "--json",
        ],
        true,
    );
    keep(&["guide", "list", "--json"], true);
    keep(&["source", "done", "terrain", "--coder", "amira"], false);
    keep(
        &[
            "source",
            "redetect",
            "entretien",
            "--speakers",
            "none",
            "--json",
        ],
        true,
    );
    keep(&["undo"], false);
    keep(&["source", "remove", "terrain", "--yes", "--json"], true);
    keep(&["sources", "--json"], true);
    keep(&["coding", "list", "--coder", "amira", "--json"], true);
    keep(&["undo"], false);
    keep(&["sources", "--json"], true);
    keep(&["study", "solo"], false);
    keep(&["study", "solo"], false);
    keep(
        &[
            "source",
            "edit",
            "entretien",
            "--find",
            "c’est compliqué",
            "--text",
            "c’est difficile",
            "--coder",
            "amira",
            "--json",
        ],
        true,
    );
    keep(&["coding", "list", "--coder", "amira", "--json"], true);
    keep(&["undo", "--coder", "amira"], false);
    keep(&["coding", "list", "--coder", "amira", "--json"], true);
    keep(
        &[
            "participants",
            "add",
            "--code",
            "CSI-2",
            "--label",
            "Marie Dupont",
        ],
        false,
    );
    keep(
        &["participants", "withdraw", "csi-2", "--yes", "--json"],
        true,
    );
    keep(&["sources", "--json"], true);
    // The log's ids and times differ by design: what matters is that it
    // keeps neither the label nor the speech withdrawn, nor the wording
    // the edit above gave it ("c’est difficile", undone since).
    let log = run(&["log", "--json", "--limit", "100"]).stdout;
    json.push(Value::Bool(
        log.contains("Marie Dupont")
            || log.contains("Euh… c’est compliqué")
            || log.contains("c’est difficile"),
    ));
    (json, said)
}

#[test]
fn guides_and_source_repairs_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_sources_session") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    ws.write(
        "terrain.txt",
        "INT : Rien à signaler ?\nP01 : Rien, sauf la pluie.\n",
    );
    ws.write("guide.txt", GUIDE);
    let on_file = session(&ws, "study.vbt");
    let address = study.address.to_string();
    let on_pg = session(&ws, &address);
    assert_eq!(on_file, on_pg);
    let (json, said) = on_pg;
    // The guide: 2 questions, 1 sub-question.
    assert_eq!(
        said[1],
        "Added Guide soignants version 1 (2 questions, 1 sub-questions)."
    );
    assert_eq!(
        said[2],
        "entretien was collected with guide SOIGNANTS version 1."
    );
    // Autocoding: question 1 is turn 0 word for word (8/8 = 1), so its
    // answer, CSI-2's turn 1, is coded. Question 2 (quel, budget, avez,
    // vous) shares only "vous" with any interviewer turn (1/4 < 0.6). The
    // sub-question (et, votre, relation, avec, l, institution) finds turn
    // 0 (votre, relation, avec: 3/6 = 0.5 < 0.6) and turn 2 (l,
    // institution: 2/6), so none.
    let report = &json[0][0];
    assert_eq!(report["source"], "entretien");
    assert_eq!(report["version"], 1);
    let matched = report["matched"].as_array().unwrap();
    assert_eq!(matched.len(), 1);
    assert_eq!(matched[0]["number"], "1");
    assert_eq!(matched[0]["turn"], 0);
    assert_eq!(matched[0]["score"], 1.0);
    assert_eq!(matched[0]["codings"], 1);
    assert_eq!(
        report["unmatched"],
        serde_json::json!([
            "2. Quel budget avez-vous ?",
            "2.1. Et votre relation avec l'institution ?"
        ])
    );
    assert_eq!(
        json[1][0]["versions"][0]["sources"],
        serde_json::json!(["entretien"])
    );
    assert!(said[3].starts_with("Marked terrain as analysed by amira"));
    // Re-detected with no speakers: the 4 turns of the interview (INT,
    // CSI-2, INT, CSI-2) become none; undo brings them back.
    let redetect = &json[2];
    assert_eq!(redetect["turns_before"], 4);
    assert_eq!(redetect["turns_after"], 0);
    assert_eq!(redetect["speakers_after"], serde_json::json!([]));
    assert!(said[4].contains("source.redetect"), "{}", said[4]);
    // The note: its two turns (INT, P01), no coding, memo or mapping.
    let removed = &json[3];
    assert_eq!(removed["source"], "terrain");
    let counts = [
        &removed["turns"],
        &removed["codings"],
        &removed["memos"],
        &removed["mappings"],
    ];
    assert_eq!(counts, [2, 0, 0, 0]);
    assert_eq!(json[4].as_array().unwrap().len(), 1);
    assert_eq!(json[4][0]["turns"], 4);
    // amira's one coding: CSI-2's first answer, under question 1.
    let codings = json[5].as_array().unwrap();
    assert_eq!(codings.len(), 1);
    assert_eq!(codings[0]["speakers"], serde_json::json!(["CSI-2"]));
    // Undoing the removal brings the note back, second by id.
    let names: Vec<&str> = json[6]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["entretien", "terrain"]);
    assert!(said[6].starts_with("The study is now solo"), "{}", said[6]);
    assert_eq!(said[7], "The study was already solo.");
    // "c’est compliqué" → "c’est difficile": the 6 chars "c’est " they
    // share stay, "compliqué" (9 chars) becomes "difficile" (9): nothing
    // moves, and amira's coding of that answer has new words.
    let edit = &json[7];
    assert_eq!(edit["removed"], "compliqué");
    assert_eq!(edit["delta"], 0);
    assert_eq!(edit["codings_shifted"], 0);
    assert_eq!(edit["turns_changed"], 0);
    assert_eq!(edit["affected"].as_array().unwrap().len(), 1);
    let text = |v: &Value| v[0]["text"].as_str().unwrap().to_owned();
    assert!(
        text(&json[8]).starts_with("Euh… c’est difficile."),
        "{}",
        text(&json[8])
    );
    assert!(said[8].starts_with("Undid source.edit"), "{}", said[8]);
    assert!(
        text(&json[9]).starts_with("Euh… c’est compliqué."),
        "{}",
        text(&json[9])
    );
    // Withdrawing CSI-2 removes both answers: 149 + 96 = 245 chars, each
    // turn now the 39-char notice, so 405 - 245 + 2 × 39 = 238 chars; the
    // autocoded answer lay wholly inside the first, so it goes.
    let withdrawn = &json[10];
    assert_eq!(withdrawn["participant"], "CSI-2");
    assert_eq!(withdrawn["sources"][0]["turns_removed"], 2);
    assert_eq!(withdrawn["sources"][0]["chars_removed"], 245);
    assert_eq!(
        withdrawn["sources"][0]["codings_deleted"],
        serde_json::json!({ "amira": 1 })
    );
    assert_eq!(withdrawn["label_cleared"], true);
    assert!(withdrawn["audit_redacted"].as_u64().unwrap() >= 1);
    assert_eq!(json[11][0]["chars"], 238);
    assert_eq!(json[12], Value::Bool(false));
}

/// Runs the dates session on `project`: two sources imported with
/// `--date`, one re-dated with `source set`, the re-dating undone, a
/// wrong date refused; returns each step's sources (name, date) and the
/// log's actions.
fn dates(ws: &Workspace, project: &str) -> Vec<Value> {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run(&full)
    };
    let dated = || -> Value {
        run(&["sources", "--json"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|s| serde_json::json!([s["name"], s["collected_on"]]))
            .collect()
    };
    run(&["init", "--title", "Dates", "--language", "fr"]).ok();
    run(&[
        "import",
        "entretien.txt",
        "terrain.txt",
        "--date",
        "2026-03-02",
    ])
    .ok();
    let mut steps = vec![dated()];
    run(&["source", "set", "terrain", "--date", "2026-04-15"]).ok();
    steps.push(dated());
    run(&["undo"]).ok();
    steps.push(dated());
    let refused = run(&["source", "set", "terrain", "--date", "15/04/2026"]);
    assert_ne!(refused.code, 0);
    steps.push(dated());
    let log = run(&["log", "--json"]).ok().json();
    steps.push(
        log.as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].clone())
            .collect(),
    );
    steps
}

#[test]
fn collection_dates_are_set_and_undone_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_sources_dates") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    ws.write(
        "terrain.txt",
        "INT : Rien à signaler ?\nP01 : Rien, sauf la pluie.\n",
    );
    let on_file = dates(&ws, "study.vbt");
    let on_pg = dates(&ws, &study.address.to_string());
    assert_eq!(on_file, on_pg);
    // Both imported on 2 March; terrain re-dated to 15 April, then back;
    // the wrong date changed nothing.
    let both = serde_json::json!([["entretien", "2026-03-02"], ["terrain", "2026-03-02"]]);
    assert_eq!(on_pg[0], both);
    assert_eq!(
        on_pg[1],
        serde_json::json!([["entretien", "2026-03-02"], ["terrain", "2026-04-15"]])
    );
    assert_eq!(on_pg[2], both);
    assert_eq!(on_pg[3], both);
    // The import's date and the re-dating are each one `source.date`
    // entry, the undo one more.
    let actions: Vec<&str> = on_pg[4]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "source.date").count(),
        2,
        "{actions:?}"
    );
    assert!(actions.contains(&"history.undo"), "{actions:?}");
}
