//! `query`, `matrix` and `cooccurrence` on a small focus group whose three
//! participants are known: counts by participant, not by source; malformed
//! queries point at the problem; blind layers hold until `reveal`.

use crate::common::Workspace;

const FOCUS_GROUP: &str = "INT : Parlez-moi de la confiance.\n\
P1 : La méfiance est là, le contrôle excessif aussi.\n\
P2 : Moi je trouve que le contrôle excessif fatigue.\n\
P3 : La méfiance revient toujours.\n";

/// Runs `verbatim ARGS --project study.vbt --coder CODER`.
fn as_coder(ws: &Workspace, coder: &str, args: &[&str]) -> crate::common::Run {
    let mut all = vec![args[0], "--project", "study.vbt", "--coder", coder];
    all.extend_from_slice(&args[1..]);
    ws.run(&all)
}

/// Returns a study with the focus group (site CH), participants P1–P3
/// (nurse, doctor, nurse), coders amira and bruno, and amira's codings.
fn study() -> Workspace {
    let ws = Workspace::with_study();
    ws.write("fg.txt", FOCUS_GROUP);
    ws.import(&["fg.txt", "--kind", "focus_group", "--site", "CH"])
        .ok();
    for p in ["P1", "P2", "P3"] {
        ws.run(&["participants", "add", "--project", "study.vbt", "--code", p])
            .ok();
    }
    ws.run(&[
        "attribute",
        "add",
        "--project",
        "study.vbt",
        "occupation",
        "--type",
        "category",
        "--values",
        "nurse,doctor",
    ])
    .ok();
    for (p, v) in [("P1", "nurse"), ("P2", "doctor"), ("P3", "nurse")] {
        let value = format!("occupation={v}");
        ws.run(&["participants", "set", "--project", "study.vbt", p, &value])
            .ok();
    }
    for c in ["amira", "bruno"] {
        ws.run(&["coder", "add", "--project", "study.vbt", c]).ok();
    }
    let amira = |args: &[&str]| as_coder(&ws, "amira", args).ok();
    amira(&["code", "add", "Relation", "--level", "theme"]);
    amira(&[
        "code",
        "add",
        "Méfiance",
        "--parent",
        "Relation",
        "--level",
        "idea",
    ]);
    amira(&["code", "add", "Contrôle excessif", "--level", "theme"]);
    for (code, text) in [
        ("Méfiance", "La méfiance est là"),
        ("Contrôle excessif", "le contrôle excessif aussi"),
        ("Contrôle excessif", "le contrôle excessif fatigue"),
        ("Méfiance", "La méfiance revient"),
    ] {
        amira(&[
            "coding", "add", "--source", "fg", "--code", code, "--text", text,
        ]);
    }
    ws
}

#[test]
fn queries_combine_codes_and_filter_by_attribute() {
    let ws = study();
    let q = |args: &[&str]| {
        let mut all = vec!["query"];
        all.extend_from_slice(args);
        all.push("--json");
        as_coder(&ws, "amira", &all).ok().json()
    };
    // Between "fatigue" and "La méfiance revient" lies one word, the label
    // "P3"; between the first two passages, none.
    let near = q(&[r#"Méfiance NEAR/0 "Contrôle excessif""#]);
    let texts: Vec<&str> = near
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        vec!["La méfiance est là", "le contrôle excessif aussi"]
    );
    assert_eq!(near[0]["speakers"][0], "P1");
    let near = q(&[r#"Méfiance NEAR/1 "Contrôle excessif""#]);
    assert_eq!(near.as_array().unwrap().len(), 4);
    assert!(
        q(&[r#"Méfiance AND "Contrôle excessif""#])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let nurses = q(&[
        r#"Méfiance OU "Contrôle excessif""#,
        "--attribute",
        "occupation=nurse",
    ]);
    assert_eq!(nurses.as_array().unwrap().len(), 3, "P2 (doctor) left out");
    // A theme's passages include its ideas'.
    let theme = q(&["Relation SAUF «Contrôle excessif»"]);
    assert_eq!(theme.as_array().unwrap().len(), 2);
    let csv = as_coder(&ws, "amira", &["query", "Méfiance", "--csv"]).ok();
    assert!(csv.stdout.starts_with("source,start,end,speakers,text\n"));
    assert!(csv.stdout.contains("fg,145,164,P3,La méfiance revient"));
}

#[test]
fn a_malformed_query_says_where() {
    let ws = study();
    let run = as_coder(&ws, "amira", &["query", "Méfiance AND (Contrôle"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("malformed query at character 14"),
        "{}",
        run.stderr
    );
    let run = as_coder(&ws, "amira", &["query", "Méfiance ET Inconnu"]);
    assert!(
        run.stderr
            .contains("unknown code \"Inconnu\" at character 13")
    );
    let help = ws.run(&["query", "--help"]).ok();
    assert!(help.stdout.contains("PRES/N") && help.stdout.contains("Excessive control"));
}

#[test]
fn a_focus_group_matrix_counts_participants_not_sources() {
    let ws = study();
    let m = as_coder(
        &ws,
        "amira",
        &[
            "matrix",
            "--level",
            "theme",
            "--by",
            "attribute:occupation",
            "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(m["columns"], serde_json::json!(["nurse", "doctor"]));
    assert_eq!(
        m["rows"],
        serde_json::json!(["Relation", "Contrôle excessif"])
    );
    assert_eq!(m["cells"][0][0]["value"], 2, "P1 and P3 via Méfiance");
    assert_eq!(
        m["cells"][0][0]["participants"],
        serde_json::json!(["P1", "P3"])
    );
    assert_eq!(m["cells"][0][1]["value"], 0);
    assert_eq!(m["cells"][1][0]["value"], 1);
    assert_eq!(m["cells"][1][1]["value"], 1);
    let by_site = as_coder(&ws, "amira", &["matrix", "--by", "site", "--csv"]).ok();
    assert_eq!(by_site.stdout, "code,CH\nRelation,2\nContrôle excessif,2\n");
    let chars = as_coder(
        &ws,
        "amira",
        &["matrix", "--by", "kind", "--cell", "chars", "--json"],
    )
    .ok()
    .json();
    assert_eq!(chars["cells"][0][0]["value"], 18 + 19);
    let drill = as_coder(
        &ws,
        "amira",
        &[
            "matrix",
            "--by",
            "attribute:occupation",
            "--drill",
            "Relation,nurse",
            "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(drill["passages"].as_array().unwrap().len(), 2);
    assert_eq!(drill["passages"][1]["text"], "La méfiance revient");
    let co = as_coder(&ws, "amira", &["cooccurrence", "--near", "5", "--json"])
        .ok()
        .json();
    assert_eq!(co["cells"][0][1]["passages"], 1);
    assert_eq!(co["cells"][0][0]["passages"], 2);
}

#[test]
fn another_coders_codes_stay_hidden_until_reveal() {
    let ws = study();
    let bruno = |args: &[&str]| as_coder(&ws, "bruno", args);
    let run = bruno(&["query", "Méfiance"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("unknown code"), "{}", run.stderr);
    assert_ne!(bruno(&["query", "Méfiance", "--all"]).code, 0);
    assert_ne!(bruno(&["matrix", "--by", "coder", "--all"]).code, 0);
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    let found = bruno(&["query", "Méfiance", "--all", "--json"]).ok().json();
    assert_eq!(found.as_array().unwrap().len(), 2);
    let m = bruno(&["matrix", "--by", "coder", "--all", "--json"])
        .ok()
        .json();
    assert_eq!(m["columns"], serde_json::json!(["amira", "bruno"]));
    assert_eq!(m["cells"][0][0]["value"], 2);
    assert_eq!(m["cells"][0][1]["value"], 0);
}
