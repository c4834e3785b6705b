//! `verbatim triangulation`, `ipa-table` and `confront` on a small study
//! whose answers are known: a focus group at CH with three participants and
//! an interview at CS.

use crate::common::Workspace;

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
        "code,site,occupation\nCHFG-A,CH,nurse\nCHFG-B,CH,nurse\nCHFG-C,CH,physician\nCSI-1,CS,educator\n",
    );
    p(&["participants", "import", "roster.csv"]);
    ws.write(
        "fg.txt",
        "INT : Et la fouille des sacs ?\nCHFG-A : On fouille les sacs à l’entrée, c’est la règle.\nCHFG-B : Moi je déteste fouiller, ça casse la confiance.\nCHFG-C : La confiance revient quand on explique la règle.\nINT : Merci.\n",
    );
    ws.write(
        "csi1.txt",
        "INT : Et vous ?\nCSI-1 : Ici on ne fouille jamais, la confiance d’abord.\nINT : Merci.\n",
    );
    p(&["import", "fg.txt", "--site", "CH", "--kind", "focus_group"]);
    p(&["import", "csi1.txt", "--site", "CS"]);
    p(&["coder", "add", "amira"]);
    let a = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--project", "study.vbt", "--coder", "amira"]);
        ws.run(&all).ok()
    };
    a(&["code", "add", "Contrôle", "--level", "theme"]);
    a(&[
        "code",
        "add",
        "Fouilles",
        "--parent",
        "Contrôle",
        "--level",
        "idea",
    ]);
    a(&["code", "add", "Confiance", "--level", "theme"]);
    a(&["code", "add", "Solitude", "--level", "theme"]);
    a(&[
        "coding",
        "add",
        "--source",
        "fg",
        "--code",
        "Fouilles",
        "--text",
        "On fouille les sacs à l’entrée",
    ]);
    a(&[
        "coding",
        "add",
        "--source",
        "fg",
        "--code",
        "Confiance",
        "--text",
        "ça casse la confiance",
    ]);
    a(&[
        "coding",
        "add",
        "--source",
        "fg",
        "--code",
        "Confiance",
        "--text",
        "La confiance revient quand on explique la règle.",
    ]);
    a(&[
        "coding",
        "add",
        "--source",
        "csi1",
        "--code",
        "Confiance",
        "--text",
        "la confiance d’abord",
    ]);
    a(&["coding", "quote", "3"]);
    a(&[
        "journal",
        "add",
        "--kind",
        "preconception",
        "--title",
        "Attentes",
        "--text",
        "Le contrôle domine, la solitude aussi.",
    ]);
    a(&[
        "journal",
        "link",
        "1",
        "--code",
        "Contrôle",
        "--relation",
        "expected",
    ]);
    a(&[
        "journal",
        "link",
        "1",
        "--code",
        "Solitude",
        "--relation",
        "expected",
    ]);
    a(&["code", "add", "Méfiance", "--level", "theme"]);
    a(&[
        "journal",
        "link",
        "1",
        "--code",
        "Méfiance",
        "--relation",
        "reversed",
    ]);
    a(&["journal", "seal", "1"]);
    ws
}

#[test]
fn triangulation_counts_participants_by_turn_and_flags_narrow_themes() {
    let ws = study();
    let rows = ws
        .run(&[
            "triangulation",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "--json",
        ])
        .ok()
        .json();
    let row = |name: &str| {
        rows["themes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["theme"] == name)
            .unwrap()
            .clone()
    };
    let trust = row("Confiance");
    assert_eq!(
        trust["participants"], 3,
        "CHFG-B and CHFG-C in the focus group, CSI-1 alone"
    );
    assert_eq!(trust["by_site"], serde_json::json!({"CH": 2, "CS": 1}));
    assert_eq!(
        trust["by_attribute"],
        serde_json::json!({"educator": 1, "nurse": 1, "physician": 1})
    );
    assert_eq!(
        trust["by_mode"],
        serde_json::json!({"focus_group": 2, "interview": 1})
    );
    assert_eq!(trust["flags"], serde_json::json!([]));
    let control = row("Contrôle");
    assert_eq!(control["participants"], 1);
    assert_eq!(
        control["flags"],
        serde_json::json!([
            "only one site (CH)",
            "only one mode (focus_group)",
            "only one participant"
        ])
    );
    assert_eq!(
        row("Solitude")["flags"],
        serde_json::json!(["no supporting passage"])
    );
}

#[test]
fn ipa_tables_show_each_participants_themes_and_the_cross_case_table() {
    let ws = study();
    let out = ws
        .run(&[
            "ipa-table",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "--json",
        ])
        .ok()
        .json();
    let cross = &out["cross_case"];
    assert_eq!(
        cross["participants"],
        serde_json::json!(["CHFG-A", "CHFG-B", "CHFG-C", "CSI-1"])
    );
    let trust = cross["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["theme"] == "Confiance")
        .unwrap();
    assert_eq!(
        trust["present"],
        serde_json::json!([false, true, true, true])
    );
    assert_eq!(trust["prevalence"], 3);
    // The coder's marked quote represents the theme.
    assert_eq!(trust["quote"][0], "CHFG-C");
    assert_eq!(
        trust["quote"][1]["text"],
        "La confiance revient quand on explique la règle."
    );
    let a = out["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["participant"] == "CHFG-A")
        .unwrap();
    assert_eq!(a["themes"][0][0], "Contrôle");
    assert_eq!(
        a["themes"][0][1][0]["text"],
        "On fouille les sacs à l’entrée"
    );
    let md = ws
        .run(&["ipa-table", "--project", "study.vbt", "--coder", "amira"])
        .ok()
        .stdout;
    assert!(md.contains("| Confiance |  | ✓ | ✓ | ✓ | 3/4 |"), "{md}");
}

#[test]
fn confrontation_sets_sealed_expectations_against_the_data() {
    let ws = study();
    let out = ws
        .run(&[
            "confront",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "--json",
        ])
        .ok()
        .json();
    let entry = &out[0]["entries"][0];
    assert_eq!(entry["title"], "Attentes");
    assert_eq!(entry["content_hash"].as_str().unwrap().len(), 64);
    let outcome = |code: &str| {
        entry["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["code"] == code)
            .unwrap()["outcome"]
            .clone()
    };
    assert_eq!(outcome("Contrôle"), "expected and emerged");
    assert_eq!(
        outcome("Solitude"),
        "expected but absent: no passage supports it"
    );
    assert_eq!(
        outcome("Méfiance"),
        "emerged reversed: the data say the opposite of the expectation"
    );
    let unexpected: Vec<&str> = out[0]["unexpected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["theme"].as_str().unwrap())
        .collect();
    assert_eq!(unexpected, vec!["Confiance"]);
}
