//! `verbatim deidentify` and `import --deidentify` on `--project
//! postgres://…` answer as on a file: the same scripted session gives the
//! same `--json`, word for word, on both; and a de-identified study copied
//! to PostgreSQL and back keeps its record. Needs `VERBATIM_TEST_PG` (see
//! `verbatim_store_pg::test_server`).

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Run, Workspace};
use crate::deidentify::{GROUP, NAMES};

/// Blanks what differs by design between two studies: audit entry ids
/// (also inside a place, `audit ID (action)`) and times.
fn blank(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if matches!(
                    key.as_str(),
                    "guid" | "id" | "at" | "applied_at" | "imported_at"
                ) && inner.is_string()
                {
                    *inner = Value::Null;
                } else if let Some(action) = inner
                    .as_str()
                    .filter(|p| key == "place" && p.starts_with("audit "))
                    .and_then(|p| p.split_once(" ("))
                    .map(|(_, action)| action.to_owned())
                {
                    *inner = Value::from(format!("audit … ({action}"));
                } else {
                    blank(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(blank),
        _ => {}
    }
}

/// Runs `args` on `project` as amira.
fn run(ws: &Workspace, project: &str, args: &[&str]) -> Run {
    let mut full: Vec<&str> = args.to_vec();
    full.extend(["--project", project]);
    ws.run_env(&full, &[("VERBATIM_CODER", "amira")])
}

/// Codes a passage naming people, reviews, applies and checks a names
/// file on `project`; returns every `--json` answer (blanked), in order.
fn deid_session(ws: &Workspace, project: &str) -> Vec<Value> {
    let run = |args: &[&str]| run(ws, project, args);
    for args in [
        vec!["init", "--title", "Étude", "--language", "fr"],
        vec!["import", "groupe.txt"],
        vec!["coder", "add", "amira"],
        vec!["code", "add", "Soin", "--coder", "amira"],
        // "Marie Dupont, infirmière" is chars 60..84 of GROUP: line 1 is
        // 43 chars and its newline (44), "Marie : Je suis " 16 more.
        vec![
            "coding", "add", "--coder", "amira", "--source", "1", "--code", "Soin", "--start",
            "60", "--end", "84",
        ],
        vec![
            "memo",
            "add",
            "--on",
            "study",
            "--text",
            "Marie Dupont parle de l'hôpital Bichat.",
        ],
    ] {
        run(&args).ok();
    }
    let mut seen = Vec::new();
    let mut keep = |mut value: Value| {
        blank(&mut value);
        seen.push(value);
    };
    keep(run(&["deidentify", "candidates", "--json"]).ok().json());
    keep(
        run(&["deidentify", "candidates", "--names", "names.csv", "--json"])
            .ok()
            .json(),
    );
    let before = run(&["deidentify", "check", "--names", "names.csv", "--json"]);
    assert_eq!(before.code, 1, "{}", before.stderr);
    keep(before.json());
    keep(
        run(&[
            "deidentify",
            "apply",
            "--names",
            "names.csv",
            "--dry-run",
            "--json",
        ])
        .ok()
        .json(),
    );
    keep(
        run(&["deidentify", "apply", "--names", "names.csv", "--json"])
            .ok()
            .json(),
    );
    keep(
        run(&["deidentify", "check", "--names", "names.csv", "--json"])
            .ok()
            .json(),
    );
    keep(
        run(&["coding", "list", "--coder", "amira", "--json"])
            .ok()
            .json(),
    );
    keep(run(&["show", "1", "--json"]).ok().json());
    // A second transcript imported with the names file: only it changes.
    keep(
        run(&["import", "autre.txt", "--deidentify", "names.csv", "--json"])
            .ok()
            .json(),
    );
    keep(run(&["show", "2", "--json"]).ok().json());
    let mut log = run(&["log", "--json", "--limit", "100"]).ok().json();
    for entry in log.as_array_mut().into_iter().flatten() {
        entry.as_object_mut().map(|e| e.remove("data"));
    }
    keep(log);
    seen
}

#[test]
fn deidentify_answers_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_deid_session") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("groupe.txt", GROUP);
    ws.write("names.csv", NAMES);
    ws.write(
        "autre.txt",
        "INT : Et Marie Dupont ?\nPaul : Elle va bien.\n",
    );
    let on_file = deid_session(&ws, "study.vbt");
    let on_pg = deid_session(&ws, &study.address.to_string());
    assert_eq!(on_file, on_pg);

    // Before: GROUP names "Marie Dupont" (line 2), "marie DUPONT" (line 4)
    // and "Hôpital Bichat" (line 2); the memo both: 5 outside the log.
    let check = on_pg[2].as_array().unwrap();
    let in_texts = check
        .iter()
        .filter(|r| !r["place"].as_str().unwrap().starts_with("audit"))
        .count();
    assert_eq!(in_texts, 5, "{check:#?}");
    // The dry run and the run list the same 5 replacements, memo first.
    let dry = &on_pg[3];
    let done = &on_pg[4];
    assert_eq!(dry["dry_run"], true);
    assert_eq!(done["dry_run"], false);
    assert_eq!(dry["replacements"], done["replacements"]);
    let places: Vec<&str> = done["replacements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["place"].as_str().unwrap())
        .collect();
    assert_eq!(
        places,
        [
            "memo 1",
            "memo 1",
            "source groupe",
            "source groupe",
            "source groupe"
        ]
    );
    assert_eq!(done["sources_changed"], 1);
    assert_eq!(done["codings_changed"], 1);
    // Nothing left anywhere, the log included.
    assert_eq!(on_pg[5], serde_json::json!([]));
    // The coding keeps its words with the name replaced: "[CHFG-C]" is 8
    // chars where "Marie Dupont" was 12, so 60..84 became 60..80.
    let coding = &on_pg[6][0];
    assert_eq!(coding["text"], "[CHFG-C], infirmière");
    assert_eq!(
        (coding["start"].as_i64(), coding["end"].as_i64()),
        (Some(60), Some(80))
    );
    let text = on_pg[7]["text"].as_str().unwrap();
    assert!(text.contains("Je suis [CHFG-C], infirmière à l'[hospital] depuis"));
    assert!(text.contains("avec [CHFG-C] et Mariette"));
    // The second import: "Marie Dupont" replaced in it only (the import
    // drops the final line break).
    assert_eq!(
        on_pg[9]["text"],
        "INT : Et [CHFG-C] ?\nPaul : Elle va bien."
    );
}

#[test]
fn a_deidentified_study_copies_to_postgres_and_back() {
    let Some(study) = test_server::study("cli_deid_copy") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("groupe.txt", GROUP);
    ws.write("names.csv", NAMES);
    let file = |args: &[&str]| run(&ws, "study.vbt", args).ok();
    file(&["init", "--title", "Étude"]);
    file(&["import", "groupe.txt"]);
    file(&["deidentify", "apply", "--names", "names.csv"]);
    let address = study.address.to_string();
    ws.run(&["copy", "study.vbt", &address]).ok();
    ws.run(&["copy", &address, "back.vbt"]).ok();
    let shown = |project: &str| {
        let mut v = run(&ws, project, &["show", "1", "--json"]).ok().json();
        blank(&mut v);
        v
    };
    assert_eq!(shown(&address), shown("study.vbt"));
    assert_eq!(shown("back.vbt"), shown("study.vbt"));
    // The record went along: a second check against the copies finds
    // nothing, and the copied log still says what was done.
    for project in [address.as_str(), "back.vbt"] {
        let left = run(
            &ws,
            project,
            &["deidentify", "check", "--names", "names.csv", "--json"],
        );
        assert_eq!(left.ok().json(), serde_json::json!([]));
        let log = run(&ws, project, &["log", "--json", "--limit", "1"])
            .ok()
            .json();
        assert_eq!(log[0]["action"], "deidentify.apply");
    }
    let back = verbatim_store::SqliteStore::open(&ws.path("back.vbt")).unwrap();
    let record = back.deidentifications().unwrap();
    assert_eq!(record.len(), 1);
    // 2 names listed; 3 replacements (two "Marie Dupont", one hospital).
    assert_eq!((record[0].names, record[0].replacements), (2, 3));
}
