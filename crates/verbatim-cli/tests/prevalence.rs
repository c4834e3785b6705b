//! Prevalence a paper can print: "n/N participants" over the people heard
//! in the sources the coder coded, a generic `[Interviewé]` label counted
//! once per source and flagged, structural codes (interview-guide
//! questions) out of the results but kept for queries and matrices.
//!
//! The study, worked by hand below: three interviews (`e1`, `e2` at CS,
//! `e3` at CS) where only `[Chercheur]` and `[Interviewé]` speak and no
//! roster names the interviewee; a focus group `fg` at CH with CHFG-A
//! (nurse) and CHFG-B (physician) from the roster, which also lists CSI-1
//! (educator), heard nowhere until a label is mapped to her. Amira codes `e1`, `e2`
//! and `fg`; Bruno codes `e3`. Amira also autocodes the interview guide in
//! all three interviews, which makes structural codings in `e3` but does
//! not make `e3` a source she analysed.

use crate::common::Workspace;

const PERSON_E1: &str = "Interviewé [e1, unmapped]";
const PERSON_E2: &str = "Interviewé [e2, unmapped]";
const PERSON_E3: &str = "Interviewé [e3, unmapped]";

fn study() -> Workspace {
    let ws = Workspace::with_study();
    let p = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--project", "study.vbt"]);
        ws.run(&all).ok()
    };
    p(&["sites", "add", "Centre hospitalier", "--code", "CH"]);
    p(&["sites", "add", "CSAPA", "--code", "CS"]);
    ws.write(
        "roster.csv",
        "code,site,occupation\nCHFG-A,CH,nurse\nCHFG-B,CH,physician\nCSI-1,CS,educator\n",
    );
    p(&["participants", "import", "roster.csv"]);
    ws.write(
        "e1.txt",
        "[Chercheur] Comment vivez-vous l'accueil ?\n[Interviewé] La confiance se gagne lentement avec les usagers.\n[Chercheur] Et la fouille des sacs ?\n[Interviewé] Je refuse de fouiller, le cadre suffit.\n",
    );
    ws.write(
        "e2.txt",
        "[Chercheur] Comment vivez-vous l'accueil ?\n[Interviewé] Sans confiance rien ne tient ici.\n",
    );
    ws.write(
        "e3.txt",
        "[Chercheur] Comment vivez-vous l'accueil ?\n[Interviewé] La confiance, je n'y crois plus.\n",
    );
    ws.write(
        "fg.txt",
        "INT : Qu'est-ce qui vous rassure ?\nCHFG-A : La confiance vient du cadre.\nCHFG-B : Le cadre rassure tout le monde.\n",
    );
    for e in ["e1.txt", "e2.txt", "e3.txt"] {
        p(&["import", e, "--site", "CS"]);
    }
    p(&["import", "fg.txt", "--site", "CH", "--kind", "focus_group"]);
    p(&["coder", "add", "amira"]);
    p(&["coder", "add", "bruno"]);
    ws.write(
        "guide.md",
        "# Accueil\n\n1. Comment vivez-vous l'accueil ?\n",
    );
    p(&["guide", "add", "Accueil", "--file", "guide.md"]);
    for e in ["e1", "e2", "e3"] {
        p(&["guide", "use", "--source", e, "--guide", "Accueil"]);
    }
    let coder = |who: &str, args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--project", "study.vbt", "--coder", who]);
        ws.run(&all).ok()
    };
    coder("amira", &["guide", "autocode", "--all"]);
    coder("amira", &["code", "add", "Confiance", "--level", "theme"]);
    coder("amira", &["code", "add", "Cadre", "--level", "theme"]);
    for (source, code, text) in [
        ("e1", "Confiance", "La confiance se gagne lentement"),
        ("e2", "Confiance", "Sans confiance rien ne tient ici."),
        ("fg", "Confiance", "La confiance vient du cadre."),
        ("e1", "Cadre", "le cadre suffit"),
        ("fg", "Cadre", "Le cadre rassure tout le monde."),
    ] {
        coder(
            "amira",
            &[
                "coding", "add", "--source", source, "--code", code, "--text", text,
            ],
        );
    }
    coder("bruno", &["code", "add", "Confiance", "--level", "theme"]);
    coder(
        "bruno",
        &[
            "coding",
            "add",
            "--source",
            "e3",
            "--code",
            "Confiance",
            "--text",
            "je n'y crois plus",
        ],
    );
    ws
}

fn amira(ws: &Workspace, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt", "--coder", "amira", "--json"]);
    ws.run(&all).ok().json()
}

fn theme<'a>(out: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    out["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["theme"] == name)
}

#[test]
fn triangulation_counts_over_the_participants_of_the_sources_coded() {
    let ws = study();
    let out = amira(&ws, &["triangulation"]);
    // Amira analysed e1, e2 and fg (e3 holds only her autocoded guide
    // answers, which are structure, not analysis).
    assert_eq!(out["sources"], serde_json::json!(["e1", "e2", "fg"]));
    // N: the interviewee of e1, the one of e2 (one generic label, two
    // sources, two people), CHFG-A and CHFG-B = 4. Not e3's interviewee.
    let names: Vec<&str> = out["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["CHFG-A", "CHFG-B", PERSON_E1, PERSON_E2]);
    let e1 = &out["participants"][2];
    assert_eq!(e1["unmapped"], true);
    assert_eq!(e1["generic"], true);
    assert_eq!(e1["source"], "e1");
    assert_eq!(out["participants"][0]["unmapped"], false);
    // Confiance: e1's and e2's interviewees and CHFG-A = 3 (the label
    // merged across sources would have said 2).
    let trust = theme(&out, "Confiance").unwrap();
    assert_eq!(trust["participants"], 3);
    assert_eq!(trust["by_site"], serde_json::json!({"CH": 1, "CS": 2}));
    assert_eq!(
        trust["by_mode"],
        serde_json::json!({"focus_group": 1, "interview": 2})
    );
    assert_eq!(
        trust["by_attribute"],
        serde_json::json!({"(unknown)": 2, "nurse": 1})
    );
    // Cadre: e1's interviewee and CHFG-B = 2.
    assert_eq!(theme(&out, "Cadre").unwrap()["participants"], 2);
    // The guide (a structural theme-level code) is no theme.
    assert!(theme(&out, "Accueil").is_none(), "{out}");

    let text = ws
        .run(&[
            "triangulation",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
        ])
        .ok()
        .stdout;
    assert!(text.contains("3/4"), "{text}");
    assert!(
        text.contains("N = 4 participants heard in the 3 sources coded: e1, e2, fg."),
        "{text}"
    );
    assert!(
        text.contains("2 of them stand for speaker labels"),
        "{text}"
    );
}

#[test]
fn structural_codes_join_triangulation_only_when_asked_for() {
    let ws = study();
    let out = amira(&ws, &["triangulation", "--include-structural"]);
    // The guide's answers in e1 and e2 count (2 interviewees); the one in
    // e3 does not: amira did not analyse e3.
    assert_eq!(theme(&out, "Accueil").unwrap()["participants"], 2);
    // `code kind` moves a theme out of the results, one undoable action.
    let a = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--project", "study.vbt", "--coder", "amira"]);
        ws.run(&all).ok()
    };
    let said = a(&["code", "kind", "Cadre", "structural"]).stdout;
    assert!(said.contains("is now structural"), "{said}");
    assert!(theme(&amira(&ws, &["triangulation"]), "Cadre").is_none());
    a(&["undo"]);
    assert_eq!(
        theme(&amira(&ws, &["triangulation"]), "Cadre").unwrap()["participants"],
        2
    );
    let run = ws.run(&[
        "code",
        "kind",
        "Cadre",
        "thematic",
        "--project",
        "study.vbt",
        "--coder",
        "amira",
    ]);
    assert_ne!(run.code, 0);
}

#[test]
fn the_ipa_table_lists_only_the_participants_of_the_sources_coded() {
    let ws = study();
    let out = amira(&ws, &["ipa-table"]);
    assert_eq!(out["sources"], serde_json::json!(["e1", "e2", "fg"]));
    let cross = &out["cross_case"];
    assert_eq!(
        cross["participants"],
        serde_json::json!(["CHFG-A", "CHFG-B", PERSON_E1, PERSON_E2])
    );
    let flagged: Vec<(&str, &str)> = out["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["unmapped"] == true && p["generic"] == true)
        .map(|p| {
            (
                p["participant"].as_str().unwrap(),
                p["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(flagged, vec![(PERSON_E1, "e1"), (PERSON_E2, "e2")]);
    assert_eq!(out["participants"][0]["unmapped"], false);
    let rows: Vec<&str> = cross["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["theme"].as_str().unwrap())
        .collect();
    assert!(!rows.contains(&"Accueil"), "{rows:?}");
    let trust = cross["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["theme"] == "Confiance")
        .unwrap();
    assert_eq!(
        trust["present"],
        serde_json::json!([true, false, true, true])
    );
    assert_eq!(trust["prevalence"], 3);
    let md = ws
        .run(&["ipa-table", "--project", "study.vbt", "--coder", "amira"])
        .ok()
        .stdout;
    assert!(md.contains("## Interviewé [e2, unmapped]"), "{md}");
    assert!(md.contains("| Confiance | ✓ |  | ✓ | ✓ | 3/4 |"), "{md}");
}

#[test]
fn the_matrix_counts_the_generic_label_once_per_source_and_keeps_structural_codes() {
    let ws = study();
    let m = amira(&ws, &["matrix", "--by", "site"]);
    assert_eq!(m["columns"], serde_json::json!(["CH", "CS"]));
    let row = |name: &str| {
        let i = m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .position(|r| r == name)
            .unwrap_or_else(|| panic!("no row {name}: {m}"));
        m["cells"][i].clone()
    };
    // Confiance at CS: the interviewees of e1 and e2 = 2; at CH: CHFG-A.
    let trust = row("Confiance");
    assert_eq!(trust[0]["value"], 1);
    assert_eq!(trust[1]["value"], 2);
    let mut at_cs: Vec<&str> = trust[1]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    at_cs.sort_unstable();
    assert_eq!(at_cs, vec![PERSON_E1, PERSON_E2]);
    assert_eq!(trust[1]["unmapped"], 2);
    // The guide is structural yet a matrix row: its answers in e1, e2 and
    // e3 are three interviewees at CS (a matrix reads every source).
    let guide = row("Accueil");
    assert_eq!(guide[1]["value"], 3);
    let mut listed: Vec<String> = m["unmapped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, vec![PERSON_E1, PERSON_E2, PERSON_E3]);
    // A query finds the structural code's passages too.
    let found = amira(&ws, &["query", "Accueil"]);
    assert_eq!(found.as_array().unwrap().len(), 3, "{found}");
}

#[test]
fn an_explicit_mapping_makes_the_generic_label_one_participant() {
    let ws = study();
    // The team learns that e1 and e2 interviewed the same person, CSI-1.
    for e in ["e1", "e2"] {
        ws.run(&[
            "speakers",
            "map",
            "--project",
            "study.vbt",
            "--source",
            e,
            "--label",
            "Interviewé",
            "--participant",
            "CSI-1",
        ])
        .ok();
    }
    let out = amira(&ws, &["triangulation"]);
    // N = CHFG-A, CHFG-B, CSI-1 = 3; nobody unmapped is left.
    let people = out["participants"].as_array().unwrap();
    let names: Vec<&str> = people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["CHFG-A", "CHFG-B", "CSI-1"]);
    assert!(people.iter().all(|p| p["unmapped"] == false));
    // Confiance: CSI-1 (in e1 and e2, once) and CHFG-A = 2.
    let trust = theme(&out, "Confiance").unwrap();
    assert_eq!(trust["participants"], 2);
    assert_eq!(
        trust["by_attribute"],
        serde_json::json!({"educator": 1, "nurse": 1})
    );
}
