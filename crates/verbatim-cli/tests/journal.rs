//! `verbatim journal`: notes and sealed preconceptions, verified.

use crate::common::Workspace;
use crate::memos::{refused, run_as, study_with_coders};

fn entries(ws: &Workspace, coder: &str) -> Vec<serde_json::Value> {
    run_as(ws, coder, &["journal", "list", "--json"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_sealed_preconception_is_immutable_and_verified() {
    let ws = study_with_coders();
    let run = run_as(
        &ws,
        "tester",
        &[
            "journal",
            "add",
            "--kind",
            "preconception",
            "--title",
            "Attentes",
            "--text",
            "Je m'attends à de la méfiance.",
        ],
    )
    .ok();
    assert!(
        run.stdout.contains("Wrote preconception 1"),
        "{}",
        run.stdout
    );
    let run = run_as(&ws, "tester", &["journal", "seal", "1"]).ok();
    assert!(run.stdout.contains("SHA-256"), "{}", run.stdout);
    let listed = entries(&ws, "tester");
    assert_eq!(listed[0]["content_hash"].as_str().unwrap().len(), 64);
    assert!(listed[0]["sealed_at"].is_string());

    let before = ws.dump();
    refused(
        &run_as(&ws, "tester", &["journal", "edit", "1", "--text", "Autre"]),
        "can never be changed",
    );
    refused(
        &run_as(&ws, "tester", &["journal", "delete", "1"]),
        "can never be deleted",
    );
    refused(
        &run_as(&ws, "tester", &["journal", "seal", "1"]),
        "already sealed",
    );
    assert_eq!(ws.dump(), before);

    let ok = run_as(&ws, "tester", &["journal", "verify"]).ok();
    assert!(ok.stdout.contains("matches its seal"), "{}", ok.stdout);

    // Someone edits the file behind verbatim's back.
    let conn = rusqlite::Connection::open(ws.study()).unwrap();
    conn.execute_batch(
        "DROP TRIGGER journal_sealed_no_update; \
         UPDATE journal SET body = 'Je m''attends à de la confiance.' WHERE id = 1;",
    )
    .unwrap();
    drop(conn);
    let run = run_as(&ws, "tester", &["journal", "verify"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("entry 1 (tester)"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("1 sealed journal entry no longer matches"),
        "{}",
        run.stderr
    );
    let json = run_as(&ws, "tester", &["journal", "verify", "--json"]);
    assert_eq!(json.code, 1);
    assert_eq!(json.json()[0]["entry"], 1);
}

#[test]
fn entries_link_to_codes_after_sealing() {
    let ws = study_with_coders();
    run_as(
        &ws,
        "tester",
        &[
            "journal",
            "add",
            "--kind",
            "preconception",
            "--title",
            "A",
            "--text",
            "B",
        ],
    )
    .ok();
    run_as(&ws, "tester", &["journal", "seal", "1"]).ok();
    run_as(
        &ws,
        "tester",
        &[
            "journal",
            "link",
            "1",
            "--code",
            "Confiance",
            "--relation",
            "emerged",
        ],
    )
    .ok();
    let listed = entries(&ws, "tester");
    assert_eq!(listed[0]["links"][0]["code"], "Confiance");
    assert_eq!(listed[0]["links"][0]["relation"], "emerged");

    let before = ws.dump();
    refused(
        &run_as(
            &ws,
            "tester",
            &[
                "journal",
                "link",
                "1",
                "--code",
                "Inconnu",
                "--relation",
                "expected",
            ],
        ),
        "no code \"Inconnu\"",
    );
    refused(
        &run_as(
            &ws,
            "tester",
            &[
                "journal",
                "link",
                "1",
                "--code",
                "Confiance",
                "--relation",
                "peut-être",
            ],
        ),
        "use expected, emerged, absent or reversed",
    );
    refused(
        &run_as(
            &ws,
            "tester",
            &[
                "journal", "add", "--kind", "rêve", "--title", "A", "--text", "B",
            ],
        ),
        "use note or preconception",
    );
    // Bruno sees none of tester's entries or codes.
    assert!(entries(&ws, "bruno").is_empty());
    refused(
        &run_as(
            &ws,
            "bruno",
            &[
                "journal",
                "link",
                "1",
                "--code",
                "Confiance",
                "--relation",
                "absent",
            ],
        ),
        "no code \"Confiance\"",
    );
    assert_eq!(ws.dump(), before);

    run_as(
        &ws,
        "tester",
        &["journal", "add", "--title", "Jour 1", "--text", "Note"],
    )
    .ok();
    refused(
        &run_as(&ws, "tester", &["journal", "seal", "2"]),
        "only preconceptions",
    );
    let table = run_as(&ws, "tester", &["journal", "list"]).ok();
    assert!(
        table.stdout.contains("Confiance (emerged)"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("2 entries."), "{}", table.stdout);
}
