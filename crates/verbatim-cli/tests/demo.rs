//! `verbatim demo`.

use std::collections::BTreeSet;

use crate::common::Workspace;

#[test]
fn the_demo_study_has_the_promised_material_and_can_be_rebuilt() {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "study.vbt"]).ok();
    let sources = ws.sources();
    assert!(sources.len() >= 12, "{} sources", sources.len());
    let set = |key: &str| -> BTreeSet<String> {
        sources
            .iter()
            .filter_map(|s| s[key].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        set("site"),
        BTreeSet::from(["CA".into(), "CH".into(), "CS".into()])
    );
    assert_eq!(set("language"), BTreeSet::from(["en".into(), "fr".into()]));
    let kinds = set("kind");
    for kind in ["interview", "focus_group", "observation", "context"] {
        assert!(kinds.contains(kind), "no {kind} source in the demo");
    }
    assert!(set("format").len() >= 4, "formats: {:?}", set("format"));
    for s in &sources {
        let speakers = s["speakers"].as_array().unwrap().len();
        match s["kind"].as_str().unwrap() {
            "focus_group" => assert!(
                (5..=8).contains(&speakers),
                "{}: {speakers} speakers",
                s["name"]
            ),
            "interview" | "context" => assert!(speakers >= 2, "{}: {speakers} speakers", s["name"]),
            _ => {}
        }
    }
    the_demo_has_three_independent_coders(&ws, &sources);
    // Building it again replaces the earlier demo.
    ws.run(&["demo", "--project", "study.vbt"]).ok();
    assert_eq!(ws.sources().len(), sources.len());
}

/// The coding layer: three coders with their own trees, overlapping codings
/// (once revealed) and translated quotes.
fn the_demo_has_three_independent_coders(ws: &Workspace, sources: &[serde_json::Value]) {
    const CODERS: [&str; 3] = ["amira", "bruno", "chloe"];
    let listed = ws
        .run(&["coder", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    let names: BTreeSet<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, BTreeSet::from(CODERS));
    let context: BTreeSet<i64> = sources
        .iter()
        .filter(|s| s["kind"] == "context")
        .filter_map(|s| s["id"].as_i64())
        .collect();
    for coder in CODERS {
        let tree = ws
            .run(&[
                "code",
                "tree",
                "--project",
                "study.vbt",
                "--coder",
                coder,
                "--json",
            ])
            .ok()
            .json();
        let tree = tree.as_array().unwrap();
        let levels: BTreeSet<i64> = tree.iter().filter_map(|n| n["level"].as_i64()).collect();
        assert!(levels.len() >= 3, "{coder} uses levels {levels:?}");
        assert!(
            tree.iter()
                .any(|n| n["level"] == 3 && n["definition"].is_string()),
            "{coder}'s themes have no definitions"
        );
        assert!(
            tree.iter()
                .any(|n| !n["also_under"].as_array().unwrap().is_empty()),
            "{coder}'s tree has no idea feeding two themes"
        );
        let codings = ws
            .run(&[
                "coding",
                "list",
                "--project",
                "study.vbt",
                "--coder",
                coder,
                "--json",
            ])
            .ok()
            .json();
        let codings = codings.as_array().unwrap();
        assert!(codings.len() >= 150, "{coder}: {} codings", codings.len());
        assert!(
            codings.iter().all(
                |c| c["coder"] == coder && !context.contains(&c["source_id"].as_i64().unwrap())
            ),
            "{coder} coded someone else's layer or the context-only source"
        );
        let coded: BTreeSet<i64> = codings
            .iter()
            .filter_map(|c| c["source_id"].as_i64())
            .collect();
        assert_eq!(coded.len(), sources.len() - context.len(), "{coder}");
        assert!(codings.iter().filter(|c| c["is_quote"] == true).count() >= 6);
    }
    // Blind until revealed: one coder cannot list everyone's codings.
    let blind = ws.run(&[
        "coding",
        "list",
        "--project",
        "study.vbt",
        "--coder",
        "amira",
        "--all",
        "--json",
    ]);
    assert_ne!(blind.code, 0, "{}", blind.stdout);
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    let all = ws
        .run(&[
            "coding",
            "list",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "--all",
            "--json",
        ])
        .ok()
        .json();
    let all = all.as_array().unwrap();
    let span = |c: &serde_json::Value| {
        (
            c["source_id"].as_i64().unwrap(),
            c["start"].as_i64().unwrap(),
            c["end"].as_i64().unwrap(),
        )
    };
    // Passages one coder coded that another coder's passage overlaps.
    let mut shared = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    for a in all {
        for b in all {
            let ((sa, a0, a1), (sb, b0, b1)) = (span(a), span(b));
            if a["coder"] != b["coder"] && sa == sb && a0 < b1 && b0 < a1 {
                shared.insert(span(a));
                pairs.insert((a["coder"].to_string(), b["coder"].to_string()));
            }
        }
    }
    assert!(shared.len() >= 30, "{} overlapping passages", shared.len());
    assert_eq!(pairs.len(), 6, "every pair of coders overlaps: {pairs:?}");
    let translated = all
        .iter()
        .filter(|c| c["is_quote"] == true && !c["translations"].as_array().unwrap().is_empty())
        .count();
    assert!(translated >= 3, "{translated} translated quotes");
}

#[test]
fn the_demo_never_overwrites_a_real_study() {
    let ws = Workspace::with_study();
    let run = ws.run(&["demo", "--project", "study.vbt"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not a demo study"), "{}", run.stderr);
}
