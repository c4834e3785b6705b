//! Codebook and coding edits on `--project postgres://…` answer as on a
//! file: `code rename|describe|move|merge|split|delete` and `coding
//! quote|translate|memo|span` in one scripted session give the same
//! `code tree --json`, `coding list --json` and `log --json` on both, and
//! the same refusals. Needs `VERBATIM_TEST_PG` (see
//! `verbatim_store_pg::test_server`).

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Workspace, interview_lines};

/// Blanks what differs by design between two studies: guids, audit entry
/// ids and times, creation times.
fn blank(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if matches!(key.as_str(), "guid" | "id" | "at" | "created_at") && inner.is_string()
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

/// Builds a codebook on `project` as amira, reshapes it and edits her
/// codings; returns every refusal's message, then the tree, the codings
/// and the log as JSON (blanked).
fn editing_session(ws: &Workspace, project: &str) -> Vec<Value> {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run_env(&full, &[("VERBATIM_CODER", "amira")])
    };
    let mut refusals = Vec::new();
    let mut refused = |args: &[&str]| {
        let run = run(args);
        assert_ne!(run.code, 0, "{args:?} was not refused: {}", run.stdout);
        refusals.push(Value::from(run.stderr.trim().to_owned()));
    };
    for args in [
        vec!["init", "--title", "Étude", "--language", "fr"],
        vec!["import", "entretien.txt"],
        vec!["coder", "add", "amira"],
        vec!["coder", "add", "bruno"],
        vec!["code", "add", "Relation", "--level", "theme"],
        vec!["code", "add", "Confiance", "--parent", "Relation"],
        vec!["code", "add", "Méfiance", "--parent", "Relation"],
        vec!["code", "add", "Doute", "--parent", "Méfiance"],
        vec!["code", "add", "Vide"],
        vec![
            "coding",
            "add",
            "--source",
            "1",
            "--code",
            "Confiance",
            "--text",
            "la confiance",
        ],
        vec![
            "coding",
            "add",
            "--source",
            "1",
            "--code",
            "Méfiance",
            "--text",
            "la méfiance",
        ],
        vec![
            "coding",
            "add",
            "--source",
            "1",
            "--code",
            "Méfiance",
            "--text",
            "la confiance",
        ],
        vec![
            "coding", "add", "--source", "1", "--code", "Relation", "--start", "0", "--end", "7",
        ],
        vec!["code", "rename", "Doute", "Doute profond"],
        vec![
            "code",
            "describe",
            "Confiance",
            "--colour",
            "#AA0000",
            "--definition",
            "La confiance construite",
        ],
        vec![
            "code",
            "move",
            "Vide",
            "--under",
            "Relation",
            "--position",
            "0",
        ],
        vec!["coding", "quote", "1"],
        vec![
            "coding",
            "translate",
            "1",
            "--language",
            "en",
            "--text",
            "trust",
        ],
        vec!["coding", "memo", "1", "--text", "clé"],
        vec!["coding", "memo", "4", "--text", "à revoir"],
        vec!["coding", "memo", "4", "--clear"],
        vec!["coding", "span", "4", "--start", "0", "--end", "3"],
        vec!["code", "merge", "Méfiance", "--into", "Confiance"],
        vec![
            "code",
            "split",
            "Confiance",
            "--name",
            "Confiance lente",
            "--codings",
            "2",
        ],
        vec!["code", "delete", "Vide"],
    ] {
        run(&args).ok();
    }
    refused(&["code", "delete", "Confiance"]);
    refused(&["code", "move", "Relation", "--under", "Confiance"]);
    refused(&["code", "rename", "Confiance lente", "Confiance"]);
    refused(&["coding", "span", "4", "--start", "0", "--end", "100000"]);
    let bruno = ws.run(&[
        "coding",
        "memo",
        "1",
        "--text",
        "x",
        "--project",
        project,
        "--coder",
        "bruno",
    ]);
    assert_ne!(bruno.code, 0);
    refusals.push(Value::from(bruno.stderr.trim().to_owned()));
    run(&[
        "code",
        "delete",
        "Confiance lente",
        "--cascade",
        "uncategorised",
    ])
    .ok();
    run(&["undo"]).ok();
    let mut seen = refusals;
    for args in [
        vec!["code", "tree", "--json"],
        vec!["coding", "list", "--json"],
        vec!["log", "--json", "--limit", "100"],
    ] {
        let mut value = run(&args).ok().json();
        blank(&mut value);
        seen.push(value);
    }
    seen
}

#[test]
fn codebook_edits_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_codebook_edits") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    let on_file = editing_session(&ws, "study.vbt");
    let on_pg = editing_session(&ws, &study.address.to_string());
    for (file, pg) in on_file.iter().zip(&on_pg) {
        assert_eq!(file, pg);
    }
    assert_eq!(on_file.len(), on_pg.len());

    let refusals: Vec<&str> = on_pg[..5].iter().map(|v| v.as_str().unwrap()).collect();
    // Confiance kept coding 1 alone: the merge's coding 2 left with the split.
    assert!(
        refusals[0].contains("\"Confiance\" still has 1 codings: pass --cascade uncategorised"),
        "{}",
        refusals[0]
    );
    assert!(refusals[1].contains("(a cycle)"), "{}", refusals[1]);
    assert!(
        refusals[2].contains("named \"Confiance\" under \"Relation\""),
        "{}",
        refusals[2]
    );
    assert!(refusals[3].contains("characters"), "{}", refusals[3]);
    // Blind: bruno cannot even see amira's coding 1.
    assert!(
        refusals[4].contains("no coding 1 among yours"),
        "{}",
        refusals[4]
    );

    // Relation's children were [Confiance 0, Méfiance 1]; Vide moved in
    // first ([Vide, Confiance, Méfiance]); Méfiance merged into Confiance
    // (taking Doute profond with it); the split put Confiance lente at 2
    // (after Vide and Confiance); Vide was deleted; the deletion of
    // Confiance lente was undone.
    let tree = on_pg[5].as_array().unwrap();
    let shape: Vec<(&str, Option<i64>, i64)> = tree
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap(),
                n["parent"].as_i64(),
                n["position"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("Relation", None, 0),
            ("Confiance", Some(1), 1),
            ("Doute profond", Some(2), 0),
            ("Confiance lente", Some(1), 2),
        ]
    );
    assert_eq!(tree[1]["colour"], "#aa0000");
    assert_eq!(tree[1]["definition"], "La confiance construite");
    // Relation: its own coding 4, with children's codings 1 and 2: 3.
    assert_eq!(
        (
            tree[0]["codings"].as_i64(),
            tree[0]["codings_total"].as_i64()
        ),
        (Some(1), Some(3))
    );

    // Coding 3 repeated coding 1's passage and went with the merge; the
    // others by position: 4 (0..3), 1 ("la confiance"), 2 ("la méfiance").
    let codings = on_pg[6].as_array().unwrap();
    let listed: Vec<(i64, &str, &str)> = codings
        .iter()
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["code"].as_str().unwrap(),
                c["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (4, "Relation", "INT"),
            (1, "Confiance", "la confiance"),
            (2, "Confiance lente", "la méfiance"),
        ]
    );
    assert_eq!(codings[0]["memo"], Value::Null);
    assert_eq!(codings[1]["memo"], "clé");
    assert_eq!(codings[1]["is_quote"], true);
    assert_eq!(
        codings[1]["translations"],
        serde_json::json!([["en", "trust"]])
    );

    // creation, import, 2 coders, 5 codes, 4 codings, rename, describe,
    // move, quote, translate, 3 memos, span, merge, split, 2 deletions
    // and the undo: 27 entries, the refusals none.
    let log = on_pg[7].as_array().unwrap();
    assert_eq!(log.len(), 27);
    let newest: Vec<&str> = log[..4]
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        newest,
        ["history.undo", "code.delete", "code.delete", "code.split"]
    );
}
