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

/// Imports a spreadsheet codebook into amira's codebook on `project`, then
/// a bad one and one whose theme she has already; returns the two
/// refusals, the tree, the log (blanked) and the tree after `undo`.
fn import_session(ws: &Workspace, project: &str) -> Vec<Value> {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run_env(&full, &[("VERBATIM_CODER", "amira")])
    };
    for args in [
        vec!["init", "--title", "Étude", "--language", "fr"],
        vec!["coder", "add", "amira"],
        vec!["code", "add", "Accès", "--level", "theme"],
        vec!["import", "codebook", "grille.csv"],
    ] {
        run(&args).ok();
    }
    let mut seen = Vec::new();
    for file in ["bad.csv", "again.csv"] {
        let refused = run(&["import", "codebook", file]);
        assert_ne!(
            refused.code, 0,
            "{file} was not refused: {}",
            refused.stdout
        );
        seen.push(Value::from(refused.stderr.trim().to_owned()));
    }
    for args in [
        vec!["code", "tree", "--json"],
        vec!["log", "--json", "--limit", "100"],
    ] {
        let mut value = run(&args).ok().json();
        blank(&mut value);
        seen.push(value);
    }
    run(&["undo"]).ok();
    seen.push(run(&["code", "tree", "--json"]).ok().json());
    blank(seen.last_mut().unwrap());
    seen
}

#[test]
fn a_codebook_import_answers_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_codebook_import") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write(
        "grille.csv",
        "Nom,Code parent,Niveau,Définition,Couleur\n\
         Relation soignante,,thème,Ce qui se joue entre soignant et usager,#1F77B4\n\
         Confiance,Relation soignante,idée,Se fier à l'autre,\n\
         Méfiance,Relation soignante,idée,,\n",
    );
    // An idea cannot hold a theme; "Accès" is already amira's.
    ws.write(
        "bad.csv",
        "Nom,Code parent,Niveau\nDoute,,idée\nPeur,Doute,thème\n",
    );
    ws.write("again.csv", "Nom,Code parent,Niveau\nAccès,,thème\n");
    let on_file = import_session(&ws, "study.vbt");
    let on_pg = import_session(&ws, &study.address.to_string());
    for (file, pg) in on_file.iter().zip(&on_pg) {
        assert_eq!(file, pg);
    }
    assert_eq!(on_file.len(), on_pg.len());
    let refusals: Vec<&str> = on_pg[..2].iter().map(|v| v.as_str().unwrap()).collect();
    assert!(
        refusals[0].contains("nothing was imported"),
        "{}",
        refusals[0]
    );
    assert!(
        refusals[1].contains("already has codes named Accès"),
        "{}",
        refusals[1]
    );
    // Accès came first (position 0); the imported theme follows it at 1,
    // its two ideas under it in file order.
    let shape = |tree: &Value| -> Vec<(String, Option<i64>, i64)> {
        tree.as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["name"].as_str().unwrap().to_owned(),
                    n["parent"].as_i64(),
                    n["position"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let owned = |rows: &[(&str, Option<i64>, i64)]| -> Vec<(String, Option<i64>, i64)> {
        rows.iter()
            .map(|(n, p, i)| ((*n).to_owned(), *p, *i))
            .collect()
    };
    assert_eq!(
        shape(&on_pg[2]),
        owned(&[
            ("Accès", None, 0),
            ("Relation soignante", None, 1),
            ("Confiance", Some(2), 0),
            ("Méfiance", Some(2), 1),
        ])
    );
    assert_eq!(on_pg[2][1]["colour"], "#1f77b4");
    let log = on_pg[3].as_array().unwrap();
    assert_eq!(log[0]["action"], "codebook.import");
    assert_eq!(log[0]["data"]["summary"]["codes"], 3);
    // One undo takes the whole import back: only Accès is left.
    assert_eq!(shape(&on_pg[4]), owned(&[("Accès", None, 0)]));
}

/// Links and re-kinds codes on `project` as amira; returns the refusals,
/// the stdout of the no-op kind, the tree and the log (blanked).
fn kind_and_link_session(ws: &Workspace, project: &str) -> Vec<Value> {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run_env(&full, &[("VERBATIM_CODER", "amira")])
    };
    for args in [
        vec!["init", "--title", "Étude", "--language", "fr"],
        vec!["coder", "add", "amira"],
        vec!["code", "add", "Relation", "--level", "theme"],
        vec!["code", "add", "Autonomie", "--level", "theme"],
        vec!["code", "add", "Confiance", "--parent", "Relation"],
        vec!["code", "add", "Q1 Parcours", "--level", "idea"],
        vec!["code", "link", "Confiance", "--under", "Autonomie"],
        vec!["code", "kind", "Q1 Parcours", "structural"],
    ] {
        run(&args).ok();
    }
    let mut seen = Vec::new();
    for args in [
        vec!["code", "link", "Confiance", "--under", "Relation"],
        vec!["code", "link", "Relation", "--under", "Confiance"],
        vec!["code", "link", "Confiance", "--under", "Q1 Parcours"],
    ] {
        let refused = run(&args);
        assert_ne!(
            refused.code, 0,
            "{args:?} was not refused: {}",
            refused.stdout
        );
        seen.push(Value::from(refused.stderr.trim().to_owned()));
    }
    let again = run(&["code", "kind", "Q1 Parcours", "structural"]).ok();
    seen.push(Value::from(again.stdout.trim().to_owned()));
    for args in [
        vec!["code", "tree", "--json"],
        vec!["log", "--json", "--limit", "100"],
    ] {
        let mut value = run(&args).ok().json();
        blank(&mut value);
        seen.push(value);
    }
    let refused = run(&["code", "levels", "--set", "idée,thème"]);
    assert_ne!(refused.code, 0, "{}", refused.stdout);
    seen.push(Value::from(refused.stderr.trim().to_owned()));
    let set = run(&[
        "code",
        "levels",
        "--set",
        "idée, sous-thème,thème,méta-thème",
    ])
    .ok();
    seen.push(Value::from(set.stdout.trim().to_owned()));
    seen
}

#[test]
fn code_link_kind_and_levels_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_code_link_kind") else {
        return;
    };
    let ws = Workspace::empty();
    let on_file = kind_and_link_session(&ws, "study.vbt");
    let on_pg = kind_and_link_session(&ws, &study.address.to_string());
    for (file, pg) in on_file.iter().zip(&on_pg) {
        assert_eq!(file, pg);
    }
    assert_eq!(on_file.len(), on_pg.len());
    let said: Vec<&str> = on_pg[..4].iter().map(|v| v.as_str().unwrap()).collect();
    assert!(
        said[0].contains("\"Confiance\" is already under \"Relation\""),
        "{}",
        said[0]
    );
    assert!(said[1].contains("(a cycle)"), "{}", said[1]);
    // Q1 Parcours is an idea (the lowest level), Confiance too.
    assert!(
        said[2].contains("a parent must be of a higher level"),
        "{}",
        said[2]
    );
    assert_eq!(said[3], "Code 4 was already structural: nothing changed.");
    // Codes 1 Relation, 2 Autonomie, 3 Confiance, 4 Q1 Parcours.
    let tree = on_pg[4].as_array().unwrap();
    let confiance = tree.iter().find(|n| n["name"] == "Confiance").unwrap();
    assert_eq!(confiance["parent"], 1);
    assert_eq!(confiance["also_under"], serde_json::json!([2]));
    let question = tree.iter().find(|n| n["name"] == "Q1 Parcours").unwrap();
    assert_eq!(question["kind"], "structural");
    let actions: Vec<&str> = on_pg[5]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["code.kind", "code.link"]);
    // Relation and Autonomie are themes, rank 3.
    assert!(
        on_pg[6]
            .as_str()
            .unwrap()
            .contains("codes exist at level 3; give at least 3 level names"),
        "{}",
        on_pg[6]
    );
    assert_eq!(
        on_pg[7].as_str().unwrap(),
        "1  idée\n2  sous-thème\n3  thème\n4  méta-thème"
    );
}

/// Copies amira's codebook into the shared one on `project`; returns the
/// refused second copy, the shared tree and the log (blanked).
fn copy_session(ws: &Workspace, project: &str) -> Vec<Value> {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run_env(&full, &[("VERBATIM_CODER", "amira")])
    };
    for args in [
        vec!["init", "--title", "Étude", "--language", "fr"],
        vec!["coder", "add", "amira"],
        vec!["code", "add", "Relation", "--level", "theme"],
        vec!["code", "add", "Autonomie", "--level", "theme"],
        vec!["code", "add", "Confiance", "--parent", "Relation"],
        vec!["code", "link", "Confiance", "--under", "Autonomie"],
        vec!["code", "copy", "--from", "me", "--to", "shared"],
    ] {
        run(&args).ok();
    }
    let refused = run(&["code", "copy", "--from", "me", "--to", "shared"]);
    assert_ne!(refused.code, 0, "{}", refused.stdout);
    let mut seen = vec![Value::from(refused.stderr.trim().to_owned())];
    for args in [
        vec!["code", "tree", "--shared", "--json"],
        vec!["log", "--json", "--limit", "100"],
    ] {
        let mut value = run(&args).ok().json();
        blank(&mut value);
        seen.push(value);
    }
    seen
}

#[test]
fn code_copy_answers_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_code_copy") else {
        return;
    };
    let ws = Workspace::empty();
    let on_file = copy_session(&ws, "study.vbt");
    let on_pg = copy_session(&ws, &study.address.to_string());
    for (file, pg) in on_file.iter().zip(&on_pg) {
        assert_eq!(file, pg);
    }
    assert_eq!(on_file.len(), on_pg.len());
    assert!(
        on_pg[0]
            .as_str()
            .unwrap()
            .contains("already has codes named Relation, Autonomie"),
        "{}",
        on_pg[0]
    );
    // Copies by level then id: Relation 1 → 4, Autonomie 2 → 5,
    // Confiance 3 → 6, under 4 and also under 5.
    let tree = on_pg[1].as_array().unwrap();
    let shape: Vec<(&str, Option<i64>, Value)> = tree
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap(),
                n["parent"].as_i64(),
                n["also_under"].clone(),
            )
        })
        .collect();
    let none = serde_json::json!([]);
    assert_eq!(
        shape,
        [
            ("Relation", None, none.clone()),
            ("Confiance", Some(4), serde_json::json!([5])),
            ("Autonomie", None, none),
        ]
    );
    assert_eq!(on_pg[2][0]["action"], "codebook.copy");
}
