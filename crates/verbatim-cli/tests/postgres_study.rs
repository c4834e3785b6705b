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
    let entries = on_pg.0.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["kind"], "note");
    assert_eq!(entries[0]["sealed_at"], Value::Null);
    assert_eq!(entries[1]["sealed_at"], "…");
    assert_eq!(entries[1]["links"][0]["code"], "Confiance");
    assert_eq!(entries[1]["links"][0]["relation"], "expected");
    // Newest first: link, seal, two entries, code, coder, import, creation.
    let actions: Vec<&str> = on_pg.1.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "journal.link",
            "journal.seal",
            "journal.add",
            "journal.add",
            "code.add",
            "coder.add",
            "import",
            "study.create"
        ]
    );
}
