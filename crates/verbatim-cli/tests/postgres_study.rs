//! `--project postgres://…` for the study's people and journal: the
//! journal commands answer on PostgreSQL as on a file, and `verbatim copy`
//! carries participants, sites, attributes, speaker mappings, consents, the
//! journal and memos there and back. The PostgreSQL half needs
//! `VERBATIM_TEST_PG` (see `verbatim_store_pg::test_server`).

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Workspace, interview_lines};

/// Runs a journal session on `project` and returns what `journal list
/// --json` printed, with what differs by design blanked (guids, clock
/// readings and the seal made of them), and the log's actions and targets.
fn journal_session(ws: &Workspace, project: &str) -> (Value, Vec<(String, String)>) {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run(&full).ok()
    };
    let as_amira = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project, "--coder", "amira"]);
        ws.run(&full).ok()
    };
    run(&["init", "--title", "Étude", "--language", "fr"]);
    run(&["import", "entretien.txt"]);
    run(&["coder", "add", "amira"]);
    as_amira(&["code", "add", "Confiance", "--level", "theme"]);
    let wrote = as_amira(&[
        "journal",
        "add",
        "--title",
        "Premier jour",
        "--text",
        "À Valmont.",
    ]);
    assert_eq!(wrote.stdout.trim(), "Wrote note 1.");
    as_amira(&[
        "journal",
        "add",
        "--kind",
        "preconception",
        "--title",
        "Attente",
        "--text",
        "La confiance compte.",
    ]);
    let sealed = as_amira(&["journal", "seal", "2"]);
    assert!(
        sealed
            .stdout
            .starts_with("Sealed journal entry 2: SHA-256 "),
        "{}",
        sealed.stdout
    );
    as_amira(&[
        "journal",
        "link",
        "2",
        "--code",
        "Confiance",
        "--relation",
        "expected",
    ]);
    let refused = ws.run(&[
        "journal",
        "seal",
        "2",
        "--project",
        project,
        "--coder",
        "amira",
    ]);
    assert_ne!(refused.code, 0);
    assert!(
        refused
            .stderr
            .contains("journal entry 2 was already sealed on"),
        "{}",
        refused.stderr
    );
    let mut listed = as_amira(&["journal", "list", "--json"]).json();
    for entry in listed.as_array_mut().unwrap() {
        for key in ["guid", "written_at", "sealed_at", "content_hash"] {
            if !entry[key].is_null() {
                entry[key] = Value::from("…");
            }
        }
    }
    as_amira(&[
        "memo",
        "add",
        "--on",
        "study",
        "--title",
        "Méthode",
        "--text",
        "Deux sites.",
    ]);
    as_amira(&[
        "memo",
        "add",
        "--on",
        "code:Confiance",
        "--text",
        "Revient souvent.",
    ]);
    as_amira(&[
        "memo",
        "add",
        "--on",
        "source:1",
        "--text",
        "Entretien riche.",
    ]);
    let mut memos = as_amira(&["memo", "list", "--json"]).json();
    for memo in memos.as_array_mut().unwrap() {
        memo["written_at"] = Value::from("…");
    }
    listed = Value::Array(vec![listed, memos]);
    let log = run(&["log", "--json", "--limit", "100"]).json();
    let actions = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    (listed, actions)
}

#[test]
fn journal_commands_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_journal") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    let on_file = journal_session(&ws, "study.vbt");
    let on_pg = journal_session(&ws, &study.address.to_string());
    assert_eq!(on_pg, on_file);
    // Two entries, oldest first; the preconception sealed and linked.
    let entries = on_pg.0[0].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["kind"], "note");
    assert_eq!(entries[0]["sealed_at"], Value::Null);
    assert_eq!(entries[1]["sealed_at"], "…");
    assert_eq!(entries[1]["links"][0]["code"], "Confiance");
    assert_eq!(entries[1]["links"][0]["relation"], "expected");
    // Three memos, named by their targets' words.
    let labels: Vec<&Value> = on_pg.0[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["target_label"])
        .collect();
    assert_eq!(
        labels,
        [
            &Value::Null,
            &Value::from("Confiance"),
            &Value::from("entretien")
        ]
    );
    // Newest first: 3 memos, link, seal, 2 entries, code, coder, import,
    // creation.
    let actions: Vec<&str> = on_pg.1.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "memo.add",
            "memo.add",
            "memo.add",
            "journal.link",
            "journal.seal",
            "journal.add",
            "journal.add",
            "code.add",
            "coder.add",
            "source.import",
            "study.create"
        ]
    );
}

/// What a user reads of the demo's people, journals, memos and history.
fn readings(ws: &Workspace, project: &str) -> Vec<String> {
    let mut out = Vec::new();
    for args in [
        vec!["participants", "list", "--json"],
        vec!["sites", "list", "--json"],
        vec!["speakers", "list", "--json"],
        vec!["attribute", "list", "--json"],
        vec!["journal", "list", "--json", "--coder", "amira"],
        vec!["journal", "list", "--json", "--coder", "bruno"],
        vec!["journal", "verify", "--json"],
        vec!["memo", "list", "--json", "--coder", "amira"],
        vec!["memo", "list", "--json", "--coder", "chloe"],
        vec!["log", "--json", "--limit", "100000"],
    ] {
        let mut full = args.clone();
        full.extend(["--project", project]);
        out.push(ws.run(&full).ok().stdout);
    }
    out
}

#[test]
fn the_demo_copied_to_postgres_and_back_reads_the_same() {
    let Some(study) = test_server::study("cli_demo_round_trip") else {
        return;
    };
    let ws = Workspace::empty();
    // Blind: the full demo also holds the consensus and the reconciliation,
    // which PostgreSQL does not carry yet.
    ws.run(&["demo", "--project", "demo.vbt", "--blind"]).ok();
    let address = study.address.to_string();
    let there = ws.run(&["copy", "demo.vbt", &address]).ok();
    // The demo's roster: 25 participants at 3 sites (CA, CH, CS); the
    // default pseudonym scheme (1 row) and its 4 modes.
    for said in [
        "participants 25,",
        "sites 3,",
        "pseudonym_scheme 1,",
        "modes 4,",
    ] {
        assert!(there.stdout.contains(said), "{said}: {}", there.stdout);
    }
    let original = readings(&ws, "demo.vbt");
    let journals: Vec<Value> = original[4..6]
        .iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect();
    // Each coder wrote and sealed preconceptions: the copy has something
    // to carry.
    for journal in &journals {
        assert!(
            journal
                .as_array()
                .unwrap()
                .iter()
                .any(|e| !e["sealed_at"].is_null() && !e["links"][0].is_null()),
            "{journal}"
        );
    }
    // Journals read on PostgreSQL itself as on the file.
    for coder in ["amira", "bruno", "chloe"] {
        let args = ["journal", "list", "--json", "--coder", coder, "--project"];
        let on_file = ws.run(&[&args[..], &["demo.vbt"]].concat()).ok().stdout;
        let on_pg = ws
            .run(&[&args[..], &[address.as_str()]].concat())
            .ok()
            .stdout;
        assert_eq!(on_pg, on_file, "{coder}");
    }
    ws.run(&["copy", &address, "back.vbt"]).ok();
    assert_eq!(readings(&ws, "back.vbt"), original);
}

/// Runs a people session on `project` and returns what `sites list`,
/// `participants list` and `speakers list` printed as JSON.
fn people_session(ws: &Workspace, project: &str) -> Vec<Value> {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run(&full).ok()
    };
    run(&["init", "--title", "Étude", "--language", "fr"]);
    run(&["import", "entretien.txt", "--site", "CS"]);
    run(&["sites", "add", "Centre de santé", "--code", "CS"]);
    run(&["sites", "add", "Hôpital", "--code", "CH"]);
    let added = run(&["participants", "add", "--code", "CSI-2", "--site", "cs"]);
    assert_eq!(added.stdout.trim(), "Added participant CSI-2.");
    run(&["participants", "add", "--label", "Marie"]);
    let refused = ws.run(&[
        "participants",
        "add",
        "--code",
        "csi-2",
        "--project",
        project,
    ]);
    assert_ne!(refused.code, 0);
    assert!(!refused.stderr.contains("panicked"), "{}", refused.stderr);
    let imported = run(&["participants", "import", "roster.csv"]);
    assert!(
        imported
            .stdout
            .starts_with("Imported 2 participants from roster.csv."),
        "{}",
        imported.stdout
    );
    ["sites", "participants", "speakers", "attribute"]
        .iter()
        .map(|what| run(&[what, "list", "--json"]).json())
        .collect()
}

#[test]
fn people_commands_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_people") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    // A French roster: semicolons, one participant per row.
    ws.write(
        "roster.csv",
        "code;nom;site;âge\nCHI-1;Paul;CH;41\nCHI-2;Lise;ch;37\n",
    );
    let on_file = people_session(&ws, "study.vbt");
    let on_pg = people_session(&ws, &study.address.to_string());
    assert_eq!(on_pg, on_file);
    // Sites by name ignoring case: Centre before Hôpital.
    let codes: Vec<&str> = on_pg[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CS", "CH"]);
    // By code: CHI-1, CHI-2 (the roster), CSI-2; Marie last (no code yet).
    let people = on_pg[1].as_array().unwrap();
    let codes: Vec<&Value> = people.iter().map(|p| &p["code"]).collect();
    assert_eq!(
        codes,
        [
            &Value::from("CHI-1"),
            &Value::from("CHI-2"),
            &Value::from("CSI-2"),
            &Value::Null
        ]
    );
    assert_eq!(people[1]["values"], serde_json::json!([["âge", "37"]]));
    let people = &people[2..];
    assert_eq!(people[0]["site_code"], "CS");
    // common::INTERVIEW_FR: INT, CSI-2, INT, CSI-2, so CSI-2 has 2 turns.
    assert_eq!(people[0]["turns"], 2);
    assert_eq!(people[0]["sources"], 1);
    assert_eq!(people[1]["label"], "Marie");
    assert_eq!(people[1]["turns"], 0);
    // The roster's one attribute column, inferred a number.
    assert_eq!(on_pg[3][0]["name"], "âge");
    assert_eq!(on_pg[3][0]["type"], "number");
}
