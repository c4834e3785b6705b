//! Coders, codes and codings on `--project postgres://…` answer as on a
//! file, and `verbatim copy` carries a study file → PostgreSQL → file with
//! every listing and the log unchanged, refusing what it cannot carry
//! before writing anything. Needs `VERBATIM_TEST_PG` (see
//! `verbatim_store_pg::test_server`); the file-only checks need no server.

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Workspace, interview_lines};

/// The quoted passage coded below: 12 chars of CSI-2's first answer.
const QUOTE: &str = "la confiance";

/// Codes the interview on `project` as two coders and returns what the
/// coding commands print as JSON, guids blanked (unique by design).
fn coding_session(ws: &Workspace, project: &str) -> Vec<Value> {
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
    run(&["coder", "add", "Bruno Diaz", "--colour", "#00AA00"]);
    as_amira(&["code", "add", "Relation", "--level", "theme"]);
    as_amira(&["code", "add", "Confiance", "--parent", "Relation"]);
    as_amira(&["code", "add", "Partagé", "--shared"]);
    let added = as_amira(&[
        "coding",
        "add",
        "--source",
        "1",
        "--code",
        "Confiance",
        "--text",
        QUOTE,
    ]);
    assert!(added.stdout.contains("coding 1."), "{}", added.stdout);
    let again = as_amira(&[
        "coding",
        "add",
        "--source",
        "1",
        "--code",
        "Confiance",
        "--text",
        QUOTE,
    ]);
    assert!(
        again.stdout.contains("already has this code"),
        "{}",
        again.stdout
    );
    as_amira(&[
        "coding", "add", "--source", "1", "--code", "Relation", "--start", "0", "--end", "7",
    ]);
    as_amira(&[
        "coding", "add", "--source", "1", "--code", "Partagé", "--start", "4", "--end", "9",
    ]);
    as_amira(&["coding", "remove", "3"]);
    let mut seen = vec![
        run(&["coder", "list", "--json"]).json(),
        as_amira(&["code", "tree", "--json"]).json(),
        as_amira(&["code", "tree", "--shared", "--json"]).json(),
        as_amira(&["coding", "list", "--json"]).json(),
        as_amira(&["coding", "list", "--code", "Relation", "--json"]).json(),
    ];
    for value in &mut seen {
        for item in value.as_array_mut().into_iter().flatten() {
            item.as_object_mut().map(|o| o.remove("guid"));
        }
    }
    seen
}

fn interview(ws: &Workspace) {
    ws.write("entretien.txt", interview_lines());
}

#[test]
fn coding_commands_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_coding_session") else {
        return;
    };
    let ws = Workspace::empty();
    interview(&ws);
    let on_file = coding_session(&ws, "study.vbt");
    let on_pg = coding_session(&ws, &study.address.to_string());
    assert_eq!(on_file, on_pg);
    // The consensus row is coder 1, so amira is 2 and Bruno Diaz 3.
    let coders = &on_pg[0];
    assert_eq!(coders[1]["initials"], "BD");
    assert_eq!(coders[1]["colour"], "#00aa00");
    let codings = on_pg[3].as_array().unwrap();
    // Codings 1 (the quote) and 2 (chars 0..7) remain; 3 was removed.
    let ids: Vec<i64> = codings.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [2, 1]);
    assert_eq!(codings[0]["text"], "INT : B");
    assert_eq!(codings[1]["text"], QUOTE);
    assert_eq!(codings[1]["speakers"], serde_json::json!(["CSI-2"]));
    // The theme's tree: 1 coding of its own, 2 with its child's.
    assert_eq!(on_pg[1][0]["codings"], 1);
    assert_eq!(on_pg[1][0]["codings_total"], 2);
    assert_eq!(on_pg[4].as_array().unwrap().len(), 2);
}

/// What a user reads of a study, for comparing a study with its copies.
fn readings(ws: &Workspace, project: &str) -> Vec<String> {
    let mut out = Vec::new();
    for args in [
        vec!["sources", "--json"],
        vec!["code", "tree", "--json", "--coder", "amira"],
        vec!["code", "tree", "--shared", "--json", "--coder", "amira"],
        vec!["coding", "list", "--json", "--coder", "amira"],
        vec!["coder", "list", "--json"],
        vec!["log", "--json", "--limit", "100"],
        vec!["log", "--limit", "100"],
    ] {
        let mut full = args.clone();
        full.extend(["--project", project]);
        out.push(ws.run(&full).ok().stdout);
    }
    out
}

#[test]
fn a_study_copied_to_postgres_and_back_reads_the_same() {
    let Some(study) = test_server::study("cli_copy_round_trip") else {
        return;
    };
    let ws = Workspace::empty();
    interview(&ws);
    coding_session(&ws, "study.vbt");
    let address = study.address.to_string();
    let there = ws.run(&["copy", "study.vbt", &address]).ok();
    // study: title, created_at, guid, language = 4 rows; one source of 4
    // lines (4 turns, common::INTERVIEW_FR); coders: consensus, amira, Bruno Diaz; levels: the 4
    // defaults; codes: 3; codings: 2 left of 3; log: creation, import,
    // 2 coders, 3 codes, 3 codings, 1 removal = 11 entries.
    for said in [
        "study 4,",
        "sources 1,",
        "turns 4,",
        "coders 3,",
        "levels 4,",
        "codes 3,",
        "codings 2,",
        "audit 11.",
    ] {
        assert!(there.stdout.contains(said), "{said}: {}", there.stdout);
    }
    ws.run(&["copy", &address, "back.vbt"]).ok();
    let original = readings(&ws, "study.vbt");
    assert_eq!(readings(&ws, &address), original);
    assert_eq!(readings(&ws, "back.vbt"), original);
    // The copy back is a study like any other: coding goes on.
    ws.run(&[
        "coding",
        "add",
        "--project",
        "back.vbt",
        "--coder",
        "amira",
        "--source",
        "1",
        "--code",
        "Relation",
        "--start",
        "10",
        "--end",
        "20",
    ])
    .ok();
}

#[test]
fn copy_refuses_to_overwrite_and_what_postgres_cannot_carry() {
    let ws = Workspace::empty();
    interview(&ws);
    coding_session(&ws, "study.vbt");
    // File to file: a copy with the same rows in every table.
    let copied = ws.run(&["copy", "study.vbt", "copie.vbt"]).ok();
    assert!(copied.stdout.contains("codings 2,"), "{}", copied.stdout);
    assert_eq!(readings(&ws, "copie.vbt"), readings(&ws, "study.vbt"));
    let before = std::fs::read(ws.path("copie.vbt")).unwrap();
    let refused = ws.run(&["copy", "study.vbt", "copie.vbt"]);
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("copie.vbt already exists"),
        "{}",
        refused.stderr
    );
    assert_eq!(std::fs::read(ws.path("copie.vbt")).unwrap(), before);

    // A code's name in another language and a de-identification record
    // are carried now (`postgres_report`, `postgres_deid`); a table no
    // PostgreSQL study has (one a later version might add) is not, and is
    // named.
    ws.write("noms.csv", "Marie,Participante A\n");
    ws.write(
        "suivi.txt",
        "INT : Vous travaillez avec Marie ?\nCSI-3 : Oui, Marie est infirmière.\n",
    );
    ws.run(&[
        "import",
        "suivi.txt",
        "--deidentify",
        "noms.csv",
        "--project",
        "study.vbt",
    ])
    .ok();
    ws.run(&[
        "code",
        "translate",
        "Relation",
        "--language",
        "en",
        "--text",
        "Relationship",
        "--project",
        "study.vbt",
        "--coder",
        "amira",
    ])
    .ok();
    let conn = rusqlite::Connection::open(ws.path("study.vbt")).unwrap();
    conn.execute_batch(
        "CREATE TABLE field_notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL); \
         INSERT INTO field_notes (body) VALUES ('Entretien au café, bruit de fond.');",
    )
    .unwrap();
    drop(conn);
    // No server is needed: the refusal comes before any connection.
    let refused = ws.run(&[
        "copy",
        "study.vbt",
        "postgres://amira:secret@127.0.0.1:1/verbatim?study=copie",
    ]);
    assert_ne!(refused.code, 0);
    let line = refused.stderr.trim();
    assert!(
        line.contains("study.vbt holds data a copy cannot carry yet (tables field_notes)")
            && line.contains(
                "nothing was written to postgres://amira@127.0.0.1:1/verbatim?study=copie"
            )
            && !line.contains("secret"),
        "{line}"
    );
    assert!(!refused.stderr.contains("panicked"), "{}", refused.stderr);
    // A file copied to a file carries everything, translations included.
    let whole = ws.run(&["copy", "study.vbt", "x.vbt"]).ok();
    assert!(
        whole.stdout.contains("code_translations 1,"),
        "{}",
        whole.stdout
    );
}
