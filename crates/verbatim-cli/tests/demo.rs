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
    // Building it again replaces the earlier demo.
    ws.run(&["demo", "--project", "study.vbt"]).ok();
    assert_eq!(ws.sources().len(), sources.len());
}

#[test]
fn the_demo_never_overwrites_a_real_study() {
    let ws = Workspace::with_study();
    let run = ws.run(&["demo", "--project", "study.vbt"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not a demo study"), "{}", run.stderr);
}
