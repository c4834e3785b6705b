//! `verbatim agreement`: character and segment agreement on a study.

use crate::common::Workspace;

/// A study with one 1,000-char source (accented, so chars ≠ bytes), coders
/// ana, ben and chloé, and the shared code `confiance`.
fn study() -> Workspace {
    let ws = Workspace::with_study();
    ws.write("entretien.txt", "é".repeat(1000));
    ws.import(&["entretien.txt"]).ok();
    assert_eq!(ws.sources()[0]["chars"], 1000);
    for coder in ["ana", "ben", "chloé"] {
        ws.run(&["coder", "add", coder, "--project", "study.vbt"])
            .ok();
    }
    ws.run(&[
        "code",
        "add",
        "confiance",
        "--shared",
        "--project",
        "study.vbt",
        "--coder",
        "ana",
    ])
    .ok();
    ws
}

fn code(ws: &Workspace, coder: &str, start: u32, end: u32) {
    code_with(ws, coder, "confiance", start, end);
}

fn agreement(ws: &Workspace, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "agreement",
        "--project",
        "study.vbt",
        "--coder",
        "ana",
        "--json",
    ];
    args.extend_from_slice(extra);
    ws.run(&args).ok().json()
}

/// NVivo's documented example (agreement.md §2.2): 1000 chars, 50 coded by
/// both, 150 by one user only, 800 by neither: 85 %; kappa 7/22 by hand.
#[test]
fn nvivo_example_on_a_study_blind_until_revealed() {
    let ws = study();
    code(&ws, "ana", 0, 150);
    code(&ws, "ben", 100, 200);
    let blind = ws.run(&["agreement", "--project", "study.vbt", "--coder", "ana"]);
    assert_eq!(blind.code, 1);
    assert!(blind.stderr.contains("blind"), "{}", blind.stderr);
    ws.run(&["reveal", "--project", "study.vbt"]).ok();

    let json = agreement(&ws, &["--coders", "ana,ben", "--solo"]);
    assert_eq!(json["codes"][0], "confiance");
    let pair = &json["comparison"]["by_code"][0]["pairs"][0];
    let table = &pair["chars"]["table"];
    assert_eq!(table["both"], 50);
    assert_eq!(table["a_only"], 100);
    assert_eq!(table["b_only"], 50);
    assert_eq!(table["neither"], 800);
    let value = |v: &serde_json::Value| v["value"].as_f64().unwrap();
    assert!((value(&pair["chars"]["percent"]) - 0.85).abs() < 1e-12);
    assert!((value(&pair["chars"]["kappa"]) - 7.0 / 22.0).abs() < 1e-12);
    // Coded characters only: 50 of 200 agree.
    assert!((value(&pair["chars"]["coded_percent"]) - 0.25).abs() < 1e-12);
    // Segments: overlap 50 of a union of 200 = 25 %.
    assert_eq!(pair["segments"]["counts"]["a_unmatched"], 1);
    let lenient = agreement(&ws, &["--coders", "ana,ben", "--solo", "--threshold", "25"]);
    let segments = &lenient["comparison"]["overall"]["pairs"][0]["segments"];
    assert_eq!(segments["counts"]["a_matched"], 1);
    assert_eq!(segments["counts"]["b_matched"], 1);
    // One code: p_e = 1/1, so the segment kappa is undefined.
    assert_eq!(segments["kappa"]["kind"], "undefined");

    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    let text = ws
        .run(&[
            "agreement",
            "--project",
            "study.vbt",
            "--coder",
            "ben",
            "--coders",
            "ana,ben",
            "--by",
            "source",
        ])
        .ok()
        .stdout;
    assert!(text.contains("confiance           ana / ben  50"), "{text}");
    assert!(text.contains("85.00"), "{text}");
    assert!(text.contains("0.3182"), "{text}");
    assert!(text.contains("entretien"), "{text}");
}

#[test]
fn three_coders_fleiss_and_pairs() {
    let ws = study();
    code(&ws, "ana", 0, 100);
    code(&ws, "ben", 0, 100);
    code(&ws, "chloé", 0, 100);
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    let json = agreement(&ws, &[]);
    let overall = &json["comparison"]["overall"];
    assert_eq!(overall["pairs"].as_array().unwrap().len(), 3);
    assert_eq!(
        overall["group"]["counts"]["by_count"],
        serde_json::json!([900, 0, 0, 100])
    );
    assert_eq!(overall["group"]["fleiss"]["value"], 1.0);
    // Nobody coded anything else: a code nobody used is undefined, not 1.
    ws.run(&[
        "code",
        "add",
        "méfiance",
        "--shared",
        "--project",
        "study.vbt",
        "--coder",
        "ana",
    ])
    .ok();
    let json = agreement(&ws, &["--code", "méfiance"]);
    let pair = &json["comparison"]["by_code"][0]["pairs"][0]["chars"];
    assert_eq!(pair["kappa"]["kind"], "undefined");
    assert_eq!(pair["nvivo_kappa"], 1.0);
    let bad = ws.run(&[
        "agreement",
        "--project",
        "study.vbt",
        "--coder",
        "ana",
        "--threshold",
        "0",
    ]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("--threshold"), "{}", bad.stderr);
}

/// MAXQDA's document-level modes: in one source ana codes `confiance`
/// twice and ben once (presence agrees, frequency does not); a second
/// source both read and marked done without coding it (both agree); a
/// third only ana marked done, so it is not compared.
#[test]
fn document_level_presence_and_frequency() {
    let ws = study();
    ws.write("autre.txt", "a".repeat(200));
    ws.write("troisième.txt", "b".repeat(200));
    ws.import(&["autre.txt", "troisième.txt"]).ok();
    code(&ws, "ana", 0, 10);
    code(&ws, "ana", 20, 30);
    code(&ws, "ben", 0, 12);
    for (coder, source) in [("ana", "autre"), ("ben", "autre"), ("ana", "troisième")] {
        ws.run(&[
            "source",
            "done",
            source,
            "--project",
            "study.vbt",
            "--coder",
            coder,
        ])
        .ok();
    }
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    let rows = agreement(&ws, &["--coders", "ana,ben", "--document-level"]);
    let row = &rows[0];
    assert_eq!(row["documents"], 2);
    assert_eq!(row["presence_agree"], 2);
    assert_eq!(row["frequency_agree"], 1);
    let three = ws.run(&[
        "agreement",
        "--project",
        "study.vbt",
        "--coder",
        "ana",
        "--document-level",
    ]);
    assert_eq!(three.code, 1);
    assert!(
        three.stderr.contains("between two coders"),
        "{}",
        three.stderr
    );
}

/// A short segment inside a long one: no match measured against the union
/// (10 %), a match for the short one measured against its own length.
#[test]
fn the_overlap_base_is_a_choice() {
    let ws = study();
    code(&ws, "ana", 0, 100);
    code(&ws, "ben", 40, 50);
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    let segments = |base: &str| {
        let out = agreement(&ws, &["--coders", "ana,ben", "--overlap", base]);
        out["comparison"]["overall"]["pairs"][0]["segments"]["counts"].clone()
    };
    assert_eq!(segments("union")["b_matched"], 0);
    assert_eq!(segments("own")["b_matched"], 1);
    assert_eq!(segments("own")["a_matched"], 0);
}

/// Krippendorff's (2004, p. 254) unitizing example through the whole
/// command: a continuum of 300 chars (shifted from 150–450 to 0–300), two
/// coders, categories c and k. Published: α(c) = 0.7286, α(k) = 1,
/// α = 0.8591.
#[test]
fn unitizing_alpha_reproduces_krippendorff_2004() {
    let ws = Workspace::with_study();
    ws.write("continuum.txt", "é".repeat(300));
    ws.import(&["continuum.txt"]).ok();
    for coder in ["i", "j"] {
        ws.run(&["coder", "add", coder, "--project", "study.vbt"])
            .ok();
    }
    for code in ["c", "k"] {
        ws.run(&[
            "code",
            "add",
            code,
            "--shared",
            "--project",
            "study.vbt",
            "--coder",
            "i",
        ])
        .ok();
    }
    let units: [(&str, &str, u32, u32); 9] = [
        ("i", "c", 75, 145),
        ("i", "c", 220, 250),
        ("j", "c", 70, 150),
        ("j", "c", 205, 225),
        ("j", "c", 250, 270),
        ("i", "k", 30, 90),
        ("i", "k", 150, 200),
        ("j", "k", 30, 90),
        ("j", "k", 150, 200),
    ];
    for (coder, code, start, end) in units {
        ws.run(&[
            "coding",
            "add",
            "--project",
            "study.vbt",
            "--coder",
            coder,
            "--source",
            "continuum",
            "--code",
            code,
            "--start",
            &start.to_string(),
            "--end",
            &end.to_string(),
        ])
        .ok();
    }
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    let out = ws
        .run(&[
            "agreement",
            "--project",
            "study.vbt",
            "--coder",
            "i",
            "--json",
        ])
        .ok()
        .json();
    let codes: Vec<&str> = out["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let alpha = |v: &serde_json::Value| v["value"].as_f64().unwrap();
    let by_code = out["unitizing"]["by_code"].as_array().unwrap();
    let c = by_code[codes.iter().position(|n| *n == "c").unwrap()].clone();
    let k = by_code[codes.iter().position(|n| *n == "k").unwrap()].clone();
    assert!((alpha(&c["alpha"]) - 0.7286).abs() < 1e-4, "{c}");
    assert!((c["observed"].as_f64().unwrap() - 0.0144).abs() < 1e-4);
    assert!((alpha(&k["alpha"]) - 1.0).abs() < 1e-12, "{k}");
    assert!(
        (alpha(&out["unitizing"]["overall"]) - 0.8591).abs() < 5e-4,
        "{}",
        out["unitizing"]
    );
}

fn code_with(ws: &Workspace, coder: &str, code: &str, start: u32, end: u32) {
    ws.run(&[
        "coding",
        "add",
        "--project",
        "study.vbt",
        "--coder",
        coder,
        "--source",
        "entretien",
        "--code",
        code,
        "--start",
        &start.to_string(),
        "--end",
        &end.to_string(),
    ])
    .ok();
}

/// ATLAS.ti's cu-α within domains and Cu-α across them, on cases worked by
/// hand (see `verbatim_analysis::domain_alpha`): Relation 1/6, Pratique 0,
/// and full agreement on the domains themselves.
#[test]
fn cu_alpha_within_and_across_domains() {
    let ws = study();
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    for name in ["méfiance", "contrôle", "soin"] {
        ws.run(&[
            "code",
            "add",
            name,
            "--shared",
            "--project",
            "study.vbt",
            "--coder",
            "ana",
        ])
        .ok();
    }
    code_with(&ws, "ana", "confiance", 0, 10);
    code_with(&ws, "ana", "méfiance", 10, 20);
    code_with(&ws, "ben", "confiance", 0, 20);
    code_with(&ws, "ana", "contrôle", 100, 150);
    code_with(&ws, "ben", "soin", 100, 150);
    let domains = [
        "--coders",
        "ana,ben",
        "--solo",
        "--domain",
        "Relation=confiance,méfiance",
        "--domain",
        "Pratique=contrôle,soin",
    ];
    let json = agreement(&ws, &domains);
    let within = &json["domains"]["within"];
    assert_eq!(within[0]["domain"], "Relation");
    let relation = within[0]["cu_alpha"]["alpha"]["value"].as_f64().unwrap();
    assert!((relation - 1.0 / 6.0).abs() < 1e-9, "{json}");
    assert_eq!(within[0]["cu_alpha"]["pairable"], 40.0);
    let pratique = within[1]["cu_alpha"]["alpha"]["value"].as_f64().unwrap();
    assert!(pratique.abs() < 1e-9, "{json}");
    let across = json["domains"]["across"]["alpha"]["value"]
        .as_f64()
        .unwrap();
    assert!((across - 1.0).abs() < 1e-9, "{json}");

    let mut text_args = vec!["agreement", "--project", "study.vbt", "--coder", "ana"];
    text_args.extend_from_slice(&domains);
    let text = ws.run(&text_args).ok().stdout;
    assert!(
        text.contains("domain Relation (confiance, méfiance): 0.1667"),
        "{text}"
    );
    assert!(
        text.contains("Cu-alpha across the 2 domains: 1.0000"),
        "{text}"
    );

    // Two codes of one domain on the same words break ATLAS.ti's rule.
    code_with(&ws, "ben", "méfiance", 5, 15);
    let mut clash = text_args.clone();
    clash.truncate(5);
    clash.extend_from_slice(&domains);
    let out = ws.run(&clash);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("ben coded «confiance» and «méfiance» of domain Relation"),
        "{}",
        out.stderr
    );

    let unknown = ws.run(&[
        "agreement",
        "--project",
        "study.vbt",
        "--coder",
        "ana",
        "--solo",
        "--domain",
        "X=confiance,inconnu",
    ]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("no shared code is named «inconnu»"),
        "{}",
        unknown.stderr
    );
}
