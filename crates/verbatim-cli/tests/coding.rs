//! The IPA coding workflow through the CLI: coders, theme trees, codings,
//! blind layers, reveal, undo and redo, the log.

use crate::common::{Workspace, interview_lines};

/// Returns a study with the fixture interview imported and two coders.
fn coding_study() -> Workspace {
    let ws = Workspace::with_study();
    ws.write("a.txt", interview_lines());
    ws.import(&["a.txt"]).ok();
    ws.run(&["coder", "add", "--project", "study.vbt", "amira"])
        .ok();
    ws.run(&[
        "coder",
        "add",
        "--project",
        "study.vbt",
        "bruno",
        "--colour",
        "#AA0000",
    ])
    .ok();
    ws
}

/// Runs `verbatim ARGS --project study.vbt --coder CODER`.
fn as_coder(ws: &Workspace, coder: &str, args: &[&str]) -> crate::common::Run {
    let mut all = vec![args[0], "--project", "study.vbt", "--coder", coder];
    all.extend_from_slice(&args[1..]);
    ws.run(&all)
}

#[test]
fn a_coder_builds_a_theme_tree_and_codes_passages() {
    let ws = coding_study();
    let amira = |args: &[&str]| as_coder(&ws, "amira", args);
    amira(&[
        "code",
        "add",
        "Relation ambivalente",
        "--level",
        "meta-theme",
    ])
    .ok();
    amira(&[
        "code",
        "add",
        "Méfiance",
        "--parent",
        "Relation ambivalente",
        "--definition",
        "Doute envers les usagers",
    ])
    .ok();
    amira(&[
        "code",
        "add",
        "Confiance lente",
        "--parent",
        "Méfiance",
        "--level",
        "idea",
    ])
    .ok();
    amira(&[
        "code",
        "add",
        "Contrôle",
        "--parent",
        "Relation ambivalente",
    ])
    .ok();
    amira(&["code", "link", "Confiance lente", "--under", "Contrôle"]).ok();
    let run = amira(&[
        "coding",
        "add",
        "--source",
        "a",
        "--code",
        "Confiance lente",
        "--text",
        "« la confiance », qu’on construit très lentement",
    ])
    .ok();
    assert!(run.stdout.contains("coding 1"), "{}", run.stdout);
    amira(&[
        "coding",
        "add",
        "--source",
        "a",
        "--code",
        "Contrôle",
        "--text",
        "entre le contrôle et l’accompagnement",
    ])
    .ok();
    // The same passage again is the same coding.
    let again = amira(&[
        "coding",
        "add",
        "--source",
        "a",
        "--code",
        "Contrôle",
        "--text",
        "entre le contrôle et l’accompagnement",
    ])
    .ok();
    assert!(
        again.stdout.contains("already has this code"),
        "{}",
        again.stdout
    );

    let tree = amira(&["code", "tree", "--json"]).ok().json();
    let node = |name: &str| {
        tree.as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(node("Relation ambivalente")["level_name"], "meta-theme");
    assert_eq!(
        node("Méfiance")["level_name"],
        "theme",
        "one below its parent by default"
    );
    assert_eq!(node("Méfiance")["definition"], "Doute envers les usagers");
    assert_eq!(node("Relation ambivalente")["codings_total"], 2);
    assert_eq!(
        node("Contrôle")["codings_total"],
        2,
        "through its own coding and the linked idea"
    );
    let text_tree = amira(&["code", "tree"]).ok().stdout;
    assert!(
        text_tree.contains("Relation ambivalente [meta-theme]"),
        "{text_tree}"
    );
    assert!(text_tree.contains("\n  Méfiance [theme]"), "{text_tree}");
    assert!(text_tree.contains("(also under Contrôle)"), "{text_tree}");

    let listed = amira(&["coding", "list", "--code", "Relation ambivalente", "--json"])
        .ok()
        .json();
    let texts: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        vec![
            "« la confiance », qu’on construit très lentement",
            "entre le contrôle et l’accompagnement"
        ]
    );
    assert_eq!(listed[0]["speakers"], serde_json::json!(["CSI-2"]));
    let by_level = amira(&["coding", "list", "--level", "idea", "--json"])
        .ok()
        .json();
    assert_eq!(by_level.as_array().unwrap().len(), 1);
    let by_speaker = amira(&["coding", "list", "--speaker", "INT", "--json"])
        .ok()
        .json();
    assert_eq!(by_speaker.as_array().unwrap().len(), 0);
}

#[test]
fn coding_is_blind_until_revealed() {
    let ws = coding_study();
    as_coder(&ws, "amira", &["code", "add", "Trust"]).ok();
    as_coder(
        &ws,
        "amira",
        &[
            "coding", "add", "--source", "a", "--code", "Trust", "--start", "0", "--end", "10",
        ],
    )
    .ok();
    as_coder(&ws, "bruno", &["code", "add", "Confidence"]).ok();

    let hidden = as_coder(&ws, "bruno", &["coding", "list", "--by", "amira"]);
    assert_eq!(hidden.code, 1);
    assert!(
        hidden.stderr.contains("coding is blind"),
        "{}",
        hidden.stderr
    );
    let tree = as_coder(&ws, "bruno", &["code", "tree", "--of", "amira"]);
    assert!(tree.stderr.contains("coding is blind"), "{}", tree.stderr);
    let use_other = as_coder(
        &ws,
        "bruno",
        &[
            "coding", "add", "--source", "a", "--code", "Trust", "--start", "0", "--end", "5",
        ],
    );
    assert!(
        use_other.stderr.contains("no code \"Trust\""),
        "{}",
        use_other.stderr
    );

    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    let seen = as_coder(&ws, "bruno", &["coding", "list", "--by", "amira", "--json"])
        .ok()
        .json();
    assert_eq!(seen.as_array().unwrap().len(), 1);
    let other_tree = as_coder(&ws, "bruno", &["code", "tree", "--of", "amira", "--json"])
        .ok()
        .json();
    assert_eq!(other_tree[0]["name"], "Trust");
    let log = ws
        .run(&["log", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "study.reveal")
    );
}

#[test]
fn undo_and_redo_walk_the_coders_own_history() {
    let ws = coding_study();
    let amira = |args: &[&str]| as_coder(&ws, "amira", args);
    amira(&["code", "add", "Trust"]).ok();
    amira(&[
        "coding", "add", "--source", "a", "--code", "Trust", "--start", "0", "--end", "10",
    ])
    .ok();
    amira(&["code", "rename", "Trust", "Confiance"]).ok();
    let before_undo = ws.dump();
    let undone = amira(&["undo", "--steps", "2"]).ok();
    assert!(
        undone.stdout.contains("Undid code.rename") && undone.stdout.contains("Undid coding.add"),
        "{}",
        undone.stdout
    );
    let tree = amira(&["code", "tree", "--json"]).ok().json();
    assert_eq!(tree[0]["name"], "Trust");
    assert_eq!(tree[0]["codings"], 0);
    amira(&["redo", "--steps", "2"]).ok();
    let tree = amira(&["code", "tree", "--json"]).ok().json();
    assert_eq!(tree[0]["name"], "Confiance");
    assert_eq!(tree[0]["codings"], 1);
    // Apart from the log, the study is as it was before the undo.
    let strip = |d: Vec<String>| -> Vec<String> {
        d.into_iter().filter(|l| !l.starts_with("audit:")).collect()
    };
    assert_eq!(strip(ws.dump()), strip(before_undo));
    let nothing = as_coder(&ws, "bruno", &["undo"]);
    assert_eq!(nothing.code, 1);
    assert!(
        nothing.stderr.contains("nothing to undo for bruno"),
        "{}",
        nothing.stderr
    );

    let log = ws
        .run(&["log", "--project", "study.vbt", "--json", "--limit", "100"])
        .ok()
        .json();
    let ids: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.iter()
            .all(|id| id.len() == 36 && id.as_bytes()[14] == b'7'),
        "UUIDv7 ids: {ids:?}"
    );
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first, time-ordered");
}

#[test]
fn bad_coding_requests_change_nothing() {
    let ws = coding_study();
    let amira = |args: &[&str]| as_coder(&ws, "amira", args);
    amira(&["code", "add", "Theme", "--level", "theme"]).ok();
    amira(&[
        "code", "add", "Idea", "--parent", "Theme", "--level", "idea",
    ])
    .ok();
    let before = ws.dump();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "coding", "add", "--source", "a", "--code", "Idea", "--start", "5", "--end",
                "99999",
            ],
            "outside a text of",
        ),
        (
            vec![
                "coding", "add", "--source", "a", "--code", "Nope", "--start", "0", "--end", "5",
            ],
            "no code \"Nope\"",
        ),
        (
            vec![
                "coding", "add", "--source", "zz", "--code", "Idea", "--start", "0", "--end", "5",
            ],
            "no source \"zz\"",
        ),
        (
            vec![
                "coding",
                "add",
                "--source",
                "a",
                "--code",
                "Idea",
                "--text",
                "absent du texte",
            ],
            "does not occur",
        ),
        (
            vec![
                "coding", "add", "--source", "a", "--code", "Idea", "--text", "CSI-2",
            ],
            "occurs 2 times",
        ),
        (vec!["code", "move", "Theme", "--under", "Idea"], "cycle"),
        // Names are unique among siblings: "Idea" again under "Theme".
        (
            vec!["code", "add", "Idea", "--parent", "Theme"],
            "already has a code named \"Idea\" under \"Theme\"",
        ),
        (
            vec!["code", "add", "X", "--level", "galaxy"],
            "no level \"galaxy\"",
        ),
        (vec!["code", "delete", "Nope"], "no code"),
    ];
    for (args, expected) in cases {
        let run = amira(&args);
        assert_eq!(run.code, 1, "{args:?} should fail");
        assert!(
            run.stderr.contains(expected),
            "{args:?}: expected {expected:?} in {}",
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert_eq!(ws.dump(), before, "{args:?} changed the study");
    }
    let nobody = ws.run_env(
        &["code", "tree", "--project", "study.vbt"],
        &[("VERBATIM_CODER", "")],
    );
    assert!(
        nobody.stderr.contains("say who is coding"),
        "{}",
        nobody.stderr
    );
    let stranger = as_coder(&ws, "zoé", &["code", "tree"]);
    assert!(
        stranger.stderr.contains("no coder \"zoé\""),
        "{}",
        stranger.stderr
    );
}

#[test]
fn quotes_carry_translations_and_translating_is_not_quoting() {
    let ws = coding_study();
    let amira = |args: &[&str]| as_coder(&ws, "amira", args);
    amira(&["code", "add", "Trust"]).ok();
    amira(&[
        "coding",
        "add",
        "--source",
        "a",
        "--code",
        "Trust",
        "--text",
        "Pas vraiment, non.",
    ])
    .ok();
    amira(&[
        "coding",
        "translate",
        "1",
        "--language",
        "en",
        "--text",
        "Not really, no.",
    ])
    .ok();
    // Translating is not quoting: the passage is no quote until marked.
    let quotes = amira(&["coding", "list", "--quotes", "--json"]).ok().json();
    assert_eq!(quotes, serde_json::json!([]));
    amira(&["coding", "quote", "1"]).ok();
    let quotes = amira(&["coding", "list", "--quotes", "--json"]).ok().json();
    assert_eq!(quotes[0]["is_quote"], true);
    assert_eq!(
        quotes[0]["translations"],
        serde_json::json!([["en", "Not really, no."]])
    );
    // Unmarking the quote keeps its translation.
    amira(&["coding", "quote", "1", "--off"]).ok();
    let all = amira(&["coding", "list", "--json"]).ok().json();
    assert_eq!(all[0]["is_quote"], false);
    assert_eq!(
        all[0]["translations"],
        serde_json::json!([["en", "Not really, no."]])
    );
}
