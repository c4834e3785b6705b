//! `verbatim demo`.

use std::collections::BTreeSet;

use crate::common::Workspace;

#[test]
fn the_demo_study_has_the_promised_material_and_can_be_rebuilt() {
    let ws = Workspace::empty();
    // Blind: the coders' layers as they stand before the reveal.
    ws.run(&["demo", "--project", "study.vbt", "--blind"]).ok();
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
    the_demo_has_participants_and_mapped_speakers(&ws);
    each_coder_has_sealed_preconceptions_notes_and_blind_memos(&ws);
    the_demo_has_three_independent_coders(&ws, &sources);
    // Once revealed, every coder's memos are visible.
    let memos = ws
        .run(&[
            "memo",
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
    let authors: BTreeSet<&str> = memos
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["coder"].as_str())
        .collect();
    assert_eq!(authors, BTreeSet::from(["amira", "bruno", "chloe"]));
    // Building it again, twice, replaces the earlier demo each time.
    for _ in 0..2 {
        let run = ws.run(&["demo", "--project", "study.vbt", "--blind"]).ok();
        assert!(
            run.stdout.contains("25 participants") && run.stdout.contains("sealed preconceptions"),
            "{}",
            run.stdout
        );
        assert_eq!(ws.sources().len(), sources.len());
        the_demo_has_participants_and_mapped_speakers(&ws);
        each_coder_has_sealed_preconceptions_notes_and_blind_memos(&ws);
    }
}

/// Participants from the roster across the three sites, a sociodemographic
/// table whose per-site n add up, and every speaker label attributed.
fn the_demo_has_participants_and_mapped_speakers(ws: &Workspace) {
    let people = ws
        .run(&["participants", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    let people = people.as_array().unwrap();
    assert!(people.len() >= 25, "{} participants", people.len());
    let sites: BTreeSet<&str> = people
        .iter()
        .filter_map(|p| p["site_code"].as_str())
        .collect();
    assert_eq!(sites, BTreeSet::from(["CA", "CH", "CS"]));
    assert!(
        people.iter().all(|p| p["turns"].as_i64().unwrap() > 0),
        "a roster participant speaks in no transcript"
    );
    for p in people {
        let attrs: BTreeSet<&str> = p["values"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v[0].as_str())
            .collect();
        for name in ["sex", "age", "occupation", "years_in_field", "mode"] {
            assert!(attrs.contains(name), "{} has no {name}", p["code"]);
        }
    }
    let table = ws
        .run(&[
            "participants",
            "table",
            "--project",
            "study.vbt",
            "--by",
            "site",
            "--json",
        ])
        .ok()
        .json();
    let columns = table["columns"].as_array().unwrap();
    let n = |c: &serde_json::Value| c["n"].as_u64().unwrap();
    assert_eq!(columns[0]["name"], "All");
    assert_eq!(columns.len(), 4, "{columns:?}");
    assert_eq!(columns[1..].iter().map(n).sum::<u64>(), n(&columns[0]));
    // The context-only team leader is not counted.
    assert_eq!(n(&columns[0]) as usize, people.len() - 1);
    let speakers = ws
        .run(&["speakers", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    let speakers = speakers.as_array().unwrap();
    let unmapped: Vec<String> = speakers
        .iter()
        .filter(|s| s["role"] != "participant" && s["role"] != "interviewer")
        .map(|s| format!("{} in {}", s["label"], s["source"]))
        .collect();
    assert!(unmapped.is_empty(), "unmapped speaker labels: {unmapped:?}");
    assert!(
        speakers
            .iter()
            .any(|s| s["role"] == "interviewer" && s["how"] == "explicit"),
        "no interviewer marked explicitly"
    );
}

/// Each coder's journal: at least two sealed preconceptions linked to their
/// own themes (expected, emerged and absent all used), notes, a seal check
/// that passes, and memos that only their author sees before the reveal.
fn each_coder_has_sealed_preconceptions_notes_and_blind_memos(ws: &Workspace) {
    let verify = ws
        .run(&["journal", "verify", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    assert_eq!(verify, serde_json::json!([]), "journal verify: {verify}");
    let mut relations = BTreeSet::new();
    for coder in ["amira", "bruno", "chloe"] {
        let entries = ws
            .run(&[
                "journal",
                "list",
                "--project",
                "study.vbt",
                "--coder",
                coder,
                "--json",
            ])
            .ok()
            .json();
        let entries = entries.as_array().unwrap();
        assert!(entries.iter().all(|e| e["coder"] == coder));
        let sealed: Vec<&serde_json::Value> = entries
            .iter()
            .filter(|e| e["kind"] == "preconception" && e["sealed_at"].is_string())
            .collect();
        assert!(sealed.len() >= 2, "{coder}: {} sealed", sealed.len());
        assert!(sealed.iter().all(|e| e["content_hash"].is_string()));
        assert!(
            entries.iter().any(|e| e["kind"] == "note"),
            "{coder} has no journal note"
        );
        relations.extend(
            sealed
                .iter()
                .flat_map(|e| e["links"].as_array().unwrap())
                .filter_map(|l| l["relation"].as_str().map(str::to_owned)),
        );
        let memos = ws
            .run(&[
                "memo",
                "list",
                "--project",
                "study.vbt",
                "--coder",
                coder,
                "--json",
            ])
            .ok()
            .json();
        let memos = memos.as_array().unwrap();
        let own = memos.iter().filter(|m| m["coder"] == coder).count();
        assert!(own >= 3, "{coder}: {own} memos");
        assert!(
            memos
                .iter()
                .all(|m| m["coder"] == coder || m["coder"].is_null()),
            "{coder} sees another coder's memos before the reveal"
        );
        let kinds: BTreeSet<&str> = memos
            .iter()
            .filter(|m| m["coder"] == coder)
            .filter_map(|m| m["target_kind"].as_str())
            .collect();
        assert!(
            kinds.contains("coding") && kinds.contains("code"),
            "{coder}: {kinds:?}"
        );
    }
    assert_eq!(
        relations,
        BTreeSet::from(["absent".into(), "emerged".into(), "expected".into()])
    );
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

/// Without `--blind`, the team revealed its layers and built a consensus by
/// merges across the three coders: its passages come from all of them.
#[test]
fn the_demo_builds_a_consensus_from_the_three_coders() {
    let ws = Workspace::empty();
    let run = ws.run(&["demo", "--project", "study.vbt"]).ok();
    assert!(run.stdout.contains("consensus: 6 codes"), "{}", run.stdout);
    let as_amira = |args: &[&str]| {
        let mut all = vec![args[0], "--project", "study.vbt", "--coder", "amira"];
        all.extend_from_slice(&args[1..]);
        ws.run(&all).ok()
    };
    let status = as_amira(&["study", "status"]);
    assert!(
        status.stdout.contains("Revealed by amira"),
        "{}",
        status.stdout
    );
    let decisions = as_amira(&["reconcile", "list", "--json"]).json();
    let decisions = decisions.as_array().unwrap();
    let kinds: Vec<&str> = decisions
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    // demo/consensus.json: 6 merges, 1 join, 1 keep, 1 accepted passage.
    assert_eq!(
        kinds,
        [
            "merge",
            "merge",
            "merge",
            "merge",
            "merge",
            "merge",
            "merge",
            "keep",
            "passage_accept"
        ]
    );
    let three = decisions
        .iter()
        .filter(|d| {
            let coders: BTreeSet<&str> = d["origins"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|o| o["coder"].as_str())
                .collect();
            coders.len() == 3
        })
        .count();
    assert_eq!(three, 2, "two merges join all three coders");
    assert!(decisions[7]["note"].as_str().unwrap().contains("genre"));
    let passages = as_amira(&["coding", "list", "--by", "consensus", "--json"]).json();
    let passages = passages.as_array().unwrap();
    assert!(
        passages.len() >= 30,
        "{} consensus passages",
        passages.len()
    );
    let mut contributors = BTreeSet::new();
    let mut shared_by_two = 0;
    for p in passages {
        assert_eq!(p["coder"], "consensus");
        let from = p["contributors"].as_array().unwrap();
        contributors.extend(from.iter().map(|c| c.as_str().unwrap().to_owned()));
        if from.len() >= 2 {
            shared_by_two += 1;
        }
    }
    assert_eq!(
        contributors,
        BTreeSet::from(["amira".into(), "bruno".into(), "chloe".into()])
    );
    assert!(
        shared_by_two >= 5,
        "{shared_by_two} passages from two coders or more"
    );
}

#[test]
fn the_demo_never_overwrites_a_real_study() {
    let ws = Workspace::with_study();
    let run = ws.run(&["demo", "--project", "study.vbt"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not a demo study"), "{}", run.stderr);
}

/// The README's first command: the demo built and reported in one go.
#[test]
fn the_demo_can_be_reported_in_one_command() {
    let ws = Workspace::empty();
    let run = ws
        .run(&["demo", "--project", "study.vbt", "--report", "demo.html"])
        .ok();
    assert!(
        run.stdout
            .contains("Wrote demo.html: the team's consensus results"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("verbatim serve --project study.vbt --coder amira")
    );
    let html = std::fs::read_to_string(ws.path("demo.html")).expect("the report was written");
    for heading in [
        "<h2>Results",
        "<h2>Tables",
        "<h2>Methods appendix",
        "<h2>COREQ checklist",
    ] {
        assert!(html.contains(heading), "no {heading} in the demo report");
    }
    // Quotes are attributed to the demo's participant codes, and nothing is
    // fetched from elsewhere.
    assert!(html.contains("<blockquote"), "no quote in the demo report");
    assert!(html.contains("CH"), "no attribution in the demo report");
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    // Written from the consensus: the theme the team kept apart is listed
    // with its note, and the commands it cites read the shared codebook.
    assert!(
        html.contains("Divergences"),
        "no divergences in the demo report"
    );
    assert!(
        html.contains("--shared"),
        "the report is not the consensus's"
    );
}
