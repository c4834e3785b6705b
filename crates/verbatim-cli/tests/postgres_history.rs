//! Undo, redo, reveal and reconcile on `--project postgres://…` answer as
//! on a file:
//! the same scripted session gives the same `--json` on both, and the same
//! refusals. Needs `VERBATIM_TEST_PG` (see `verbatim_store_pg::test_server`).

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Workspace, interview_lines};

/// Blanks what differs by design between two studies: guids, audit entry
/// ids and times.
fn blank(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if matches!(
                    key.as_str(),
                    "guid" | "entry" | "id" | "at" | "created_at" | "decided_at"
                ) && inner.is_string()
                {
                    *inner = Value::Null;
                } else if key == "target" && inner.as_str().is_some_and(|t| t.starts_with("audit:"))
                {
                    *inner = Value::from("audit:…");
                } else {
                    blank(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(blank),
        _ => {}
    }
}

/// Codes, undoes, redoes and reveals on `project`; returns every `--json`
/// answer (blanked) and every refusal, in order.
fn history_session(ws: &Workspace, project: &str) -> Vec<Value> {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run(&full)
    };
    let mut seen = Vec::new();
    let mut keep = |mut value: Value| {
        blank(&mut value);
        seen.push(value);
    };
    for args in [
        vec!["init", "--title", "Étude", "--language", "fr"],
        vec!["import", "entretien.txt"],
        vec!["coder", "add", "amira"],
        vec!["coder", "add", "bruno"],
        vec![
            "code", "add", "Relation", "--level", "theme", "--coder", "amira",
        ],
        vec![
            "code",
            "add",
            "Confiance",
            "--parent",
            "Relation",
            "--coder",
            "amira",
        ],
        vec!["code", "add", "Méfiance", "--coder", "bruno"],
    ] {
        run(&args).ok();
    }
    let amira_codes = |start: &str, end: &str, code: &str| {
        run(&[
            "coding", "add", "--coder", "amira", "--source", "1", "--code", code, "--start", start,
            "--end", end,
        ])
        .ok();
    };
    amira_codes("0", "7", "Relation");
    amira_codes("10", "20", "Confiance");
    run(&[
        "coding",
        "add",
        "--coder",
        "bruno",
        "--source",
        "1",
        "--code",
        "Méfiance",
        "--start",
        "10",
        "--end",
        "20",
    ])
    .ok();
    let list = |coder: &str, all: bool| {
        let mut args = vec!["coding", "list", "--json", "--coder", coder];
        if all {
            args.push("--all");
        }
        run(&args)
    };
    keep(run(&["undo", "--coder", "amira", "--json"]).ok().json());
    keep(list("amira", false).ok().json());
    keep(run(&["redo", "--coder", "amira", "--json"]).ok().json());
    keep(
        run(&["undo", "--coder", "amira", "--steps", "3", "--json"])
            .ok()
            .json(),
    );
    keep(list("amira", false).ok().json());
    keep(
        run(&["redo", "--coder", "amira", "--steps", "2", "--json"])
            .ok()
            .json(),
    );
    keep(list("amira", false).ok().json());
    // Blind until revealed: bruno may not list every layer.
    let blind = list("bruno", true);
    assert_ne!(blind.code, 0);
    keep(Value::from(blind.stderr));
    let revealed = run(&["reveal", "--coder", "amira"]).ok();
    keep(Value::from(revealed.stdout));
    let again = run(&["reveal", "--coder", "bruno"]).ok();
    assert!(
        again
            .stdout
            .starts_with("The study was already revealed by amira at "),
        "{}",
        again.stdout
    );
    keep(list("bruno", true).ok().json());
    // The consensus: amira's Confiance (no passage left) and bruno's
    // Méfiance (10..20) merge; 5..12 joins it; Relation stays amira's.
    let reconcile = |args: &[&str]| {
        let mut full = vec!["reconcile", "--coder", "amira"];
        full.extend(args);
        run(&full).ok().stdout
    };
    keep(Value::from(reconcile(&[
        "merge",
        "--code",
        "amira:Confiance",
        "--code",
        "bruno:Méfiance",
    ])));
    keep(Value::from(reconcile(&[
        "passage",
        "accept",
        "--source",
        "1",
        "--start",
        "5",
        "--end",
        "12",
        "--shared",
        "Confiance",
        "--note",
        "relu",
    ])));
    keep(Value::from(reconcile(&[
        "keep",
        "--from",
        "amira",
        "--code",
        "Relation",
        "--note",
        "propre à amira",
    ])));
    keep(
        run(&["reconcile", "list", "--json", "--coder", "amira"])
            .ok()
            .json(),
    );
    keep(run(&["undo", "--coder", "amira", "--json"]).ok().json());
    keep(list("amira", true).ok().json());
    // Amira's shared "Calme" undone, bruno names one "Calme" too: her
    // redo would make two, so it is refused and changes nothing.
    run(&["code", "add", "Calme", "--shared", "--coder", "amira"]).ok();
    run(&["undo", "--coder", "amira"]).ok();
    run(&["code", "add", "Calme", "--shared", "--coder", "bruno"]).ok();
    let refused = run(&["redo", "--coder", "amira"]);
    assert_ne!(refused.code, 0);
    keep(Value::from(refused.stderr));
    let mut log = run(&["log", "--json", "--limit", "100"]).ok().json();
    for entry in log.as_array_mut().into_iter().flatten() {
        // The replayed rows carry guids and times deep inside: compared
        // by their shape above, the log by who did what.
        entry.as_object_mut().map(|e| e.remove("data"));
    }
    keep(log);
    seen
}

#[test]
fn undo_redo_reveal_and_reconcile_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_history_session") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    let mut on_file = history_session(&ws, "study.vbt");
    let mut on_pg = history_session(&ws, &study.address.to_string());
    // One known difference: bruno's "Calme" came after amira's code 4 was
    // undone; SQLite gives a new row the id after the largest one left
    // (4 again), PostgreSQL's identity never hands out an id twice (5).
    let last_target = |seen: &mut [Value]| seen[17][0]["target"].take();
    assert_eq!(last_target(&mut on_file), "code:5");
    assert_eq!(last_target(&mut on_pg), "code:6");
    assert_eq!(on_file, on_pg);
    // The first undo took amira's last coding (Confiance on 10..20), the
    // three-step undo her two codings and the code Confiance, in that
    // order; the two-step redo brought back the code and coding 1.
    let actions = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["action"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(actions(&on_pg[0]), ["coding.add"]);
    assert_eq!(on_pg[1].as_array().unwrap().len(), 1);
    assert_eq!(actions(&on_pg[3]), ["coding.add", "coding.add", "code.add"]);
    assert_eq!(on_pg[4], serde_json::json!([]));
    assert_eq!(actions(&on_pg[5]), ["code.add", "coding.add"]);
    let kept: Vec<(i64, i64)> = on_pg[6]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["start"].as_i64().unwrap(), c["end"].as_i64().unwrap()))
        .collect();
    assert_eq!(kept, [(0, 7)]);
    assert!(on_pg[7].as_str().unwrap().contains("blind"), "{}", on_pg[7]);
    assert!(on_pg[8].as_str().unwrap().starts_with("Revealed by amira"));
    // After reveal bruno sees both layers: amira's 0..7 and his 10..20.
    let all: Vec<(String, i64)> = on_pg[9]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["coder"].as_str().unwrap().to_owned(),
                c["start"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(all, [("amira".to_owned(), 0), ("bruno".to_owned(), 10)]);
    // The merge made the shared code 4 "Confiance" (level 2, the higher
    // of 2 and 1) and the consensus coding 4 (codings 1-3 are the coders')
    // on bruno's 10..20; 5..12 overlaps it, so it became 5..20.
    assert_eq!(
        on_pg[10].as_str().unwrap().trim_end(),
        "Decision 1: merged \"Confiance\" (amira), \"Méfiance\" (bruno) into the consensus \
         code \"Confiance\", which now holds 1 passage."
    );
    let decisions = on_pg[13].as_array().unwrap();
    let kinds: Vec<&str> = decisions
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["merge", "passage_accept", "keep"]);
    assert_eq!(decisions[1]["coding_id"], 4);
    assert_eq!(actions(&on_pg[14]), ["reconcile.keep"]);
    let consensus: Vec<(i64, i64, i64, &str)> = on_pg[15]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["coder"] == "consensus")
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["start"].as_i64().unwrap(),
                c["end"].as_i64().unwrap(),
                c["memo"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(consensus, [(4, 5, 20, "relu")]);
    // Codes 1-3 are Relation, Confiance and Méfiance, 4 the shared
    // Confiance, so amira's "Calme" was code 5.
    assert_eq!(
        on_pg[16].as_str().unwrap().trim_end(),
        "error: cannot redo code.add: codes row 5 has changed since; undo the later changes first"
    );
    let log = on_pg[17].as_array().unwrap();
    assert_eq!(log[0]["action"], "code.add");
    assert_eq!(log[0]["actor"], "bruno");

    // `copy` carries the consensus: 2 decisions left (the keep was
    // undone), the merge's 2 origins (Confiance, Méfiance), 1 consensus
    // origin (bruno, on the one consensus passage).
    let address = study.address.to_string();
    let copied = ws.run(&["copy", &address, "back.vbt"]).ok();
    for said in [
        "reconciliation_decisions 2,",
        "reconciliation_origins 2,",
        "consensus_origins 1,",
    ] {
        assert!(copied.stdout.contains(said), "{said}: {}", copied.stdout);
    }
    let decisions = |project: &str| {
        ws.run(&[
            "reconcile",
            "list",
            "--json",
            "--coder",
            "amira",
            "--project",
            project,
        ])
        .ok()
        .stdout
    };
    assert_eq!(decisions("back.vbt"), decisions(&address));
}
