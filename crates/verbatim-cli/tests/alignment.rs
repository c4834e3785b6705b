//! `align`, `disagreements` and `reconcile` on a generated study with
//! planted themes that two coders named differently.

use crate::common::{Run, Workspace};

/// Lines per source and chars per line (the newline included).
const LINES: usize = 30;
const WIDTH: usize = 100;

/// Runs `verbatim ARGS --project study.vbt --coder CODER`.
fn as_coder(ws: &Workspace, coder: &str, args: &[&str]) -> Run {
    let mut all = vec![args[0], "--project", "study.vbt", "--coder", coder];
    all.extend_from_slice(&args[1..]);
    ws.run(&all)
}

/// A tiny deterministic generator, so the study is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// The planted themes: A's code (and A's idea below it when given), B's
/// code, or `None` when that coder does not have the theme.
const THEMES: &[(Option<&str>, Option<&str>)] = &[
    (Some("Policing users"), Some("Excessive control")),
    (Some("Trust building"), Some("Slow confidence")),
    (Some("Burnout"), Some("Exhaustion")),
    (Some("Housing"), None),
];

fn code(ws: &Workspace, coder: &str, name: &str, extra: &[&str]) {
    let mut args = vec!["code", "add", name];
    args.extend_from_slice(extra);
    as_coder(ws, coder, &args).ok();
}

fn coding(ws: &Workspace, coder: &str, source: &str, code: &str, start: usize, end: usize) {
    let (s, e) = (start.to_string(), end.to_string());
    as_coder(
        ws,
        coder,
        &[
            "coding", "add", "--source", source, "--code", code, "--start", &s, "--end", &e,
        ],
    )
    .ok();
}

/// Builds the study: two sources of 30 lines; each line carries one planted
/// theme (or none); amira codes her themes through ideas below them, bruno
/// codes his themes directly, both with jittered boundaries, and bruno adds
/// a little noise (a few lines coded with the wrong theme).
fn planted_study() -> Workspace {
    let ws = Workspace::with_study();
    for name in ["s1", "s2"] {
        let mut text = String::new();
        for line in 0..LINES {
            let body = format!("{name} line {line:02} ");
            let filler: String = "blah "
                .repeat(WIDTH)
                .chars()
                .take(WIDTH - 1 - body.len())
                .collect();
            text.push_str(&body);
            text.push_str(&filler);
            text.push('\n');
        }
        ws.write(&format!("{name}.txt"), text);
    }
    ws.import(&["s1.txt", "s2.txt"]).ok();
    for coder in ["amira", "bruno"] {
        ws.run(&["coder", "add", "--project", "study.vbt", coder])
            .ok();
    }
    for (a, b) in THEMES {
        if let Some(a) = a {
            code(&ws, "amira", a, &["--level", "theme"]);
            code(
                &ws,
                "amira",
                &format!("{a} (idea)"),
                &["--parent", a, "--level", "idea"],
            );
        }
        if let Some(b) = b {
            code(&ws, "bruno", b, &["--level", "theme"]);
        }
    }
    let mut rng = Lcg(42);
    for source in ["s1", "s2"] {
        for line in 0..LINES {
            let theme = rng.next(THEMES.len() as u64 + 1) as usize;
            let Some((a, b)) = THEMES.get(theme) else {
                continue;
            };
            let base = line * WIDTH;
            if let Some(a) = a {
                let (s, e) = (
                    base + rng.next(8) as usize,
                    base + 90 + rng.next(8) as usize,
                );
                coding(&ws, "amira", source, &format!("{a} (idea)"), s, e);
            }
            if let Some(b) = b {
                let (s, e) = (
                    base + rng.next(8) as usize,
                    base + 90 + rng.next(8) as usize,
                );
                // Noise: one line in eight goes to the wrong theme.
                let b = if rng.next(8) == 0 {
                    THEMES[(theme + 1) % 3].1.unwrap_or(b)
                } else {
                    b
                };
                coding(&ws, "bruno", source, b, s, e);
            }
        }
    }
    ws
}

fn pairs(aligned: &serde_json::Value) -> Vec<(String, String)> {
    aligned["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["a"]["name"].as_str().unwrap().to_owned(),
                p["b"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn align_finds_the_planted_renamed_themes_and_stays_blind_until_reveal() {
    let ws = planted_study();
    let align = [
        "align",
        "--coders",
        "amira,bruno",
        "--level",
        "theme",
        "--json",
    ];
    // Blind: refused before reveal, and a coder's --solo does not open a
    // study of two coders that was never declared solo.
    let refused = as_coder(&ws, "amira", &align);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("blind"), "{}", refused.stderr);
    let mut solo = align.to_vec();
    solo.push("--solo");
    let solo = as_coder(&ws, "amira", &solo);
    assert_ne!(solo.code, 0);
    assert!(
        solo.stderr.contains("verbatim study solo"),
        "{}",
        solo.stderr
    );
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    let aligned = as_coder(&ws, "amira", &align).ok().json();
    let mut got = pairs(&aligned);
    got.sort();
    let want: Vec<(String, String)> = vec![
        ("Burnout".into(), "Exhaustion".into()),
        ("Policing users".into(), "Excessive control".into()),
        ("Trust building".into(), "Slow confidence".into()),
    ];
    assert_eq!(got, want);
    for p in aligned["matched"].as_array().unwrap() {
        assert!(p["jaccard"].as_f64().unwrap() > 0.5, "{p}");
        assert!(p["a_in_b"].as_f64().unwrap() > 0.5, "{p}");
    }
    let only_a: Vec<&str> = aligned["unmatched_a"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(only_a, ["Housing"]);
    assert!(aligned["unmatched_b"].as_array().unwrap().is_empty());
    // Over every level, A's ideas compete with their themes for B's
    // themes: each theme is still matched once.
    let all = as_coder(
        &ws,
        "amira",
        &["align", "--coders", "amira,bruno", "--json"],
    )
    .ok()
    .json();
    assert_eq!(all["matched"].as_array().unwrap().len(), 3);
    // The text view shows both trees and the pairs.
    let text = as_coder(
        &ws,
        "amira",
        &["align", "--coders", "amira,bruno", "--level", "theme"],
    )
    .ok()
    .stdout;
    assert!(
        text.contains("Policing users [") && text.contains("] Excessive control"),
        "{text}"
    );
    assert!(text.contains("Only amira: Housing (theme)"), "{text}");
    // A high threshold leaves everything unmatched.
    let strict = as_coder(
        &ws,
        "amira",
        &[
            "align",
            "--coders",
            "amira,bruno",
            "--min-jaccard",
            "0.99",
            "--json",
        ],
    )
    .ok()
    .json();
    assert!(strict["matched"].as_array().unwrap().is_empty());
}

#[test]
fn disagreement_passages_are_exact_on_a_hand_made_case() {
    let ws = planted_study();
    as_coder(
        &ws,
        "amira",
        &[
            "code",
            "add",
            "Shared theme",
            "--shared",
            "--level",
            "theme",
        ],
    )
    .ok();
    coding(&ws, "amira", "s1", "Shared theme", 0, 50);
    coding(&ws, "amira", "s1", "Shared theme", 100, 150);
    coding(&ws, "bruno", "s1", "Shared theme", 20, 120);
    let args = [
        "disagreements",
        "--code",
        "Shared theme",
        "--coders",
        "amira,bruno",
        "--context",
        "5",
        "--json",
    ];
    assert_ne!(as_coder(&ws, "amira", &args).code, 0, "blind before reveal");
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    let out = as_coder(&ws, "amira", &args).ok().json();
    let got: Vec<(u64, u64, String)> = out["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["start"].as_u64().unwrap(),
                p["end"].as_u64().unwrap(),
                p["coded_by"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (50, 100, "bruno".into()),
            (120, 150, "amira".into()),
            (0, 20, "amira".into()),
        ]
    );
    assert_eq!(out["agreed_chars"], 50);
    assert_eq!(out["a_only_chars"], 50);
    assert_eq!(out["b_only_chars"], 50);
    let first = &out["passages"][0];
    assert_eq!(first["text"].as_str().unwrap().chars().count(), 50);
    assert_eq!(first["before"].as_str().unwrap().chars().count(), 5);
    // Own codebooks: --code-b names the counterpart.
    let renamed = as_coder(
        &ws,
        "amira",
        &[
            "disagreements",
            "--code",
            "Policing users",
            "--code-b",
            "Excessive control",
            "--coders",
            "amira,bruno",
            "--json",
        ],
    )
    .ok()
    .json();
    assert!(renamed["agreed_chars"].as_u64().unwrap() > 0);
    let text = as_coder(
        &ws,
        "amira",
        &[
            "disagreements",
            "--code",
            "Shared theme",
            "--coders",
            "amira,bruno",
        ],
    )
    .ok()
    .stdout;
    assert!(
        text.contains("1. s1 [50, 100) — 50 chars, only bruno"),
        "{text}"
    );
}

#[test]
fn reconciliation_decisions_are_recorded_and_undoable() {
    let ws = planted_study();
    let carla = |args: &[&str]| as_coder(&ws, "carla", args);
    ws.run(&["coder", "add", "--project", "study.vbt", "carla"])
        .ok();
    assert_ne!(
        carla(&["reconcile", "list"]).code,
        0,
        "reconciliation reads both layers: blind before reveal"
    );
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    carla(&[
        "reconcile",
        "merge",
        "--coders",
        "amira,bruno",
        "--code",
        "Policing users",
        "--code-b",
        "Excessive control",
        "--name",
        "Control of users",
        "--note",
        "same passages, two names",
    ])
    .ok();
    carla(&[
        "reconcile",
        "accept",
        "--from",
        "amira",
        "--code",
        "Housing",
        "--subtree",
        "--note",
        "only amira saw it; convincing",
    ])
    .ok();
    carla(&[
        "reconcile",
        "keep",
        "--from",
        "bruno",
        "--code",
        "Exhaustion",
        "--note",
        "discuss with the team first",
    ])
    .ok();
    carla(&[
        "reconcile",
        "passage",
        "accept",
        "--source",
        "s1",
        "--start",
        "10",
        "--end",
        "60",
        "--shared",
        "Control of users",
        "--coders",
        "amira,bruno",
        "--code",
        "Policing users",
        "--code-b",
        "Excessive control",
        "--note",
        "read again: it is control",
    ])
    .ok();
    carla(&[
        "reconcile",
        "passage",
        "reject",
        "--source",
        "s2",
        "--start",
        "0",
        "--end",
        "20",
    ])
    .ok();
    let listed = carla(&["reconcile", "list", "--json"]).ok().json();
    let kinds: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "merge",
            "accept",
            "keep",
            "passage_accept",
            "passage_reject"
        ]
    );
    let merge = &listed[0];
    assert_eq!(merge["coder"], "carla");
    assert_eq!(merge["note"], "same passages, two names");
    assert_eq!(merge["shared_name"], "Control of users");
    let origins: Vec<(&str, &str)> = merge["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["coder"].as_str().unwrap(),
                o["code_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        origins,
        [("amira", "Policing users"), ("bruno", "Excessive control")]
    );
    assert_eq!(listed[1]["origins"].as_array().unwrap().len(), 2, "subtree");
    assert!(listed[3]["coding_id"].as_i64().is_some());
    let shared = |ws: &Workspace| -> Vec<String> {
        as_coder(ws, "carla", &["code", "tree", "--shared", "--json"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        shared(&ws),
        ["Control of users", "Housing", "Housing (idea)"]
    );
    let text = carla(&["reconcile", "list"]).ok().stdout;
    assert!(text.contains("5 decisions."), "{text}");
    // Undo the last four decisions, then the merge: the shared node goes.
    carla(&["undo", "--steps", "4"]).ok();
    assert_eq!(shared(&ws), ["Control of users"]);
    carla(&["undo"]).ok();
    assert!(shared(&ws).is_empty());
    assert!(
        carla(&["reconcile", "list", "--json"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A divergent code cannot be kept without saying why.
    assert_ne!(
        carla(&[
            "reconcile",
            "keep",
            "--from",
            "bruno",
            "--code",
            "Exhaustion",
            "--note",
            " "
        ])
        .code,
        0
    );
}
