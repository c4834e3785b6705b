//! Agreement and saturation over the sources each coder coded (issue 13):
//! three coders each code a different subset of seven short French
//! interviews; every figure below is worked out by hand in a comment.

use crate::common::Workspace;

const NUMBERS: [&str; 7] = ["un", "deux", "trois", "quatre", "cinq", "six", "sept"];

/// Interview `n` (1–7): 110, 112, 113, 114, 112, 111, 112 chars. "confiance
/// en l'équipe" (21 chars) starts at char 66 + len(word) − 2, "la fatigue
/// pèse" (15 chars) 28 chars later; "confiance" is 9 chars, "fatigue" 7.
fn interview(n: usize) -> String {
    format!(
        "[Chercheur] Entretien {} : comment allez-vous ?\n[Interviewé] J'ai confiance en l'équipe, mais la fatigue pèse.",
        NUMBERS[n - 1]
    )
}

fn run(ws: &Workspace, coder: &str, args: &[&str]) -> crate::common::Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt", "--coder", coder]);
    ws.run(&all)
}

fn code(ws: &Workspace, coder: &str, source: &str, code: &str, text: &str) {
    run(
        ws,
        coder,
        &[
            "coding", "add", "--source", source, "--code", code, "--text", text,
        ],
    )
    .ok();
}

/// The study:
/// - e1–e4 at site CSAPA, e5–e7 at site CH, imported with collection dates e1 2024-03-02, e2 03-03,
///   e3 03-04, e4 none, e5 03-01 (set after import), e6 03-06, e7 03-07;
/// - shared codes Confiance and Fatigue; ana and ben each have a theme
///   "Vécu" with one idea: ana's "Épuisement", ben's "Burnout";
/// - ana codes e1–e5: Confiance on "confiance en l'équipe" in each,
///   Fatigue on "la fatigue pèse" in e1 and e2, Épuisement on "la fatigue
///   pèse" in e3;
/// - ben codes e1, e2, e3, e6, e7: Confiance on "confiance" in e1 and e2
///   and on "confiance en l'équipe" in e6 and e7, Fatigue on "la fatigue
///   pèse" in e1 and e3, Burnout on "fatigue" in e3;
/// - chloé codes Confiance on "confiance en l'équipe" in e4 and e5 and
///   marks e6 done (read, nothing to code).
fn study() -> Workspace {
    let ws = Workspace::with_study();
    let dates = [
        Some("2024-03-02"),
        Some("2024-03-03"),
        Some("2024-03-04"),
        None,
        Some("2024-04-01"),
        Some("2024-03-06"),
        Some("2024-03-07"),
    ];
    for (i, date) in dates.iter().enumerate() {
        let file = format!("e{}.txt", i + 1);
        ws.write(&file, interview(i + 1));
        let site = if i < 4 { "CSAPA" } else { "CH" };
        match date {
            Some(date) => ws.import(&[&file, "--site", site, "--date", date]).ok(),
            None => ws.import(&[&file, "--site", site]).ok(),
        };
    }
    ws.run(&[
        "source",
        "set",
        "e5",
        "--date",
        "2024-03-01",
        "--project",
        "study.vbt",
    ])
    .ok();
    let chars: Vec<u64> = ws
        .sources()
        .iter()
        .map(|s| s["chars"].as_u64().unwrap())
        .collect();
    assert_eq!(chars, [110, 112, 113, 114, 112, 111, 112]);
    for coder in ["ana", "ben", "chloé"] {
        ws.run(&["coder", "add", coder, "--project", "study.vbt"])
            .ok();
    }
    for shared in ["Confiance", "Fatigue"] {
        run(&ws, "ana", &["code", "add", shared, "--shared"]).ok();
    }
    for (coder, idea) in [("ana", "Épuisement"), ("ben", "Burnout")] {
        run(&ws, coder, &["code", "add", "Vécu", "--level", "theme"]).ok();
        run(
            &ws,
            coder,
            &["code", "add", idea, "--parent", "Vécu", "--level", "idea"],
        )
        .ok();
    }
    for e in ["e1", "e2", "e3", "e4", "e5"] {
        code(&ws, "ana", e, "Confiance", "confiance en l'équipe");
    }
    for e in ["e1", "e2"] {
        code(&ws, "ana", e, "Fatigue", "la fatigue pèse");
        code(&ws, "ben", e, "Confiance", "confiance");
    }
    code(&ws, "ana", "e3", "Épuisement", "la fatigue pèse");
    for e in ["e6", "e7"] {
        code(&ws, "ben", e, "Confiance", "confiance en l'équipe");
    }
    for e in ["e1", "e3"] {
        code(&ws, "ben", e, "Fatigue", "la fatigue pèse");
    }
    code(&ws, "ben", "e3", "Burnout", "fatigue");
    for e in ["e4", "e5"] {
        code(&ws, "chloé", e, "Confiance", "confiance en l'équipe");
    }
    run(&ws, "chloé", &["source", "done", "e6"]).ok();
    // The comparisons below read every layer: the team reveals first.
    run(&ws, "ana", &["reveal"]).ok();
    ws
}

fn agreement(ws: &Workspace, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["agreement", "--solo", "--json"];
    args.extend_from_slice(extra);
    run(ws, "ana", &args).ok().json()
}

fn value(v: &serde_json::Value) -> f64 {
    v["value"]
        .as_f64()
        .unwrap_or_else(|| panic!("not a defined value: {v}"))
}

fn names(v: &serde_json::Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect()
}

/// The row of `code` in `by_code`.
fn row<'a>(json: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    let index = json["codes"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == code)
        .unwrap_or_else(|| panic!("{code} not compared: {}", json["codes"]));
    &json["comparison"]["by_code"][index]
}

fn close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 1e-12, "{actual} ≠ {expected}");
}

#[test]
fn agreement_is_computed_over_the_sources_both_coders_coded() {
    let ws = study();
    let json = agreement(&ws, &["--coders", "ana,ben"]);
    // ana coded e1–e5, ben e1–e3, e6, e7: they share e1, e2, e3, 110 + 112
    // + 113 = 335 chars; e4, e5 (not ben's) and e6, e7 (not ana's) are out.
    assert_eq!(names(&json["sources"]), ["e1", "e2", "e3"]);
    assert_eq!(json["comparison"]["chars"], 335);
    assert_eq!(names(&json["left_out_sources"]), ["e4", "e5", "e6", "e7"]);
    assert_eq!(json["left_out_sources"][0]["not_coded_by"][0], "ben");
    assert_eq!(
        json["codes"],
        serde_json::json!(["Confiance", "Fatigue", "Vécu"])
    );
    assert_eq!(
        json["unshared_codes"],
        serde_json::json!(["Burnout", "Épuisement"])
    );

    // Confiance: ana 3 × 21 = 63 chars, ben 2 × 9 = 18 inside them.
    // both 18, ana only 45, ben only 0, neither 335 − 63 = 272.
    // percent = (18 + 272) / 335 = 290/335.
    // p_e = (63·18 + 272·317)/335² = (1134 + 86 224)/112 225 = 87 358/112 225;
    // κ = (290·335 − 87 358)/(112 225 − 87 358) = 9 792/24 867.
    let pair = &row(&json, "Confiance")["pairs"][0]["chars"];
    assert_eq!(
        pair["table"],
        serde_json::json!({"both": 18, "a_only": 45, "b_only": 0, "neither": 272})
    );
    close(value(&pair["percent"]), 290.0 / 335.0);
    close(value(&pair["kappa"]), 9792.0 / 24867.0);

    // Fatigue: ana e1, e2 (2 × 15), ben e1, e3 (2 × 15): both 15 (e1),
    // ana only 15 (e2), ben only 15 (e3), neither 335 − 45 = 290.
    // percent = 305/335; p_e = (30·30 + 305·305)/335² = 93 925/112 225;
    // κ = (305·335 − 93 925)/(112 225 − 93 925) = 8 250/18 300 = 55/122.
    let pair = &row(&json, "Fatigue")["pairs"][0]["chars"];
    assert_eq!(
        pair["table"],
        serde_json::json!({"both": 15, "a_only": 15, "b_only": 15, "neither": 290})
    );
    close(value(&pair["percent"]), 305.0 / 335.0);
    close(value(&pair["kappa"]), 55.0 / 122.0);

    // Vécu: both have it, neither coded it itself: no passage, undefined.
    let pair = &row(&json, "Vécu")["pairs"][0]["chars"];
    assert_eq!(pair["percent"]["kind"], "undefined");
    assert_eq!(pair["percent"]["reason"], "nothing_coded");

    let text = run(&ws, "ana", &["agreement", "--solo", "--coders", "ana,ben"])
        .ok()
        .stdout;
    assert!(
        text.contains("ana / ben: compared on the 3 sources both coded (335 chars): e1, e2, e3."),
        "{text}"
    );
    assert!(
        text.contains("Left out, because a coder did not code them: e4 (not coded by ben); e5 (not coded by ben); e6 (not coded by ana); e7 (not coded by ana)."),
        "{text}"
    );
    assert!(
        text.contains("undefined (no passage coded by either coder)"),
        "{text}"
    );
}

#[test]
fn pairs_and_theme_level_compare_independent_trees() {
    let ws = study();
    // Épuisement (ana) and Burnout (ben), both only in e3: ana 15 chars,
    // ben 7 inside them. Over e1–e3 (335 chars): both 7, ana only 8, ben
    // only 0, neither 320. percent = 327/335;
    // p_e = (15·7 + 320·328)/335² = (105 + 104 960)/112 225 = 105 065/112 225;
    // κ = (327·335 − 105 065)/(112 225 − 105 065) = 4 480/7 160 = 112/179.
    let check = |json: &serde_json::Value, code: &str| {
        let pair = &row(json, code)["pairs"][0]["chars"];
        assert_eq!(
            pair["table"],
            serde_json::json!({"both": 7, "a_only": 8, "b_only": 0, "neither": 320})
        );
        close(value(&pair["percent"]), 327.0 / 335.0);
        close(value(&pair["kappa"]), 112.0 / 179.0);
    };
    let paired = agreement(
        &ws,
        &[
            "--coders",
            "ana,ben",
            "--pair",
            "ana:Épuisement=ben:Burnout",
        ],
    );
    check(&paired, "Épuisement = Burnout");
    let group = paired["code_groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Épuisement = Burnout")
        .unwrap();
    assert_eq!(group["paired_by"], "explicit");
    assert_eq!(
        group["members"],
        serde_json::json!([["Épuisement"], ["Burnout"]])
    );
    // At the theme level each idea counts for its theme "Vécu", which both
    // coders have: the same table. The shared codes have no theme above
    // them and are left out, named.
    let themes = agreement(&ws, &["--coders", "ana,ben", "--level", "theme"]);
    assert_eq!(themes["codes"], serde_json::json!(["Vécu"]));
    check(&themes, "Vécu");
    assert_eq!(
        themes["off_level_codes"],
        serde_json::json!(["Confiance", "Fatigue"])
    );

    let bad = run(
        &ws,
        "ana",
        &["agreement", "--solo", "--pair", "ana:Épuisement"],
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("CODER:CODE=CODER:CODE"),
        "{}",
        bad.stderr
    );
}

#[test]
fn an_empty_comparison_is_undefined_and_the_consensus_is_no_coder() {
    let ws = study();
    // ana and chloé share e4, e5 (114 + 112 = 226 chars); nobody coded
    // Fatigue there (ana's Fatigue in e1, e2 is outside): undefined.
    let json = agreement(&ws, &["--coders", "ana,chloé", "--code", "Fatigue"]);
    assert_eq!(json["comparison"]["chars"], 226);
    let pair = &json["comparison"]["overall"]["pairs"][0]["chars"];
    assert_eq!(pair["table"]["neither"], 226);
    assert_eq!(pair["percent"]["reason"], "nothing_coded");
    assert_eq!(pair["kappa"]["reason"], "nothing_coded");
    // On Confiance both coded the same 21 chars in e4 and e5: 42 both,
    // 184 neither: 100 %, κ = 1.
    let json = agreement(&ws, &["--coders", "ana,chloé", "--code", "Confiance"]);
    let pair = &json["comparison"]["overall"]["pairs"][0]["chars"];
    close(value(&pair["percent"]), 1.0);
    close(value(&pair["kappa"]), 1.0);

    // Three coders: no source all three coded; ben and chloé share e6 only
    // (chloé marked it done): 111 chars, ben's 21 on Confiance, chloé's 0:
    // percent = 90/111.
    let json = agreement(&ws, &["--code", "Confiance"]);
    assert_eq!(json["comparison"]["chars"], 0);
    assert_eq!(json["comparison"]["pair_scopes"][2]["chars"], 111);
    let pairs = &json["comparison"]["overall"]["pairs"];
    close(value(&pairs[2]["chars"]["percent"]), 90.0 / 111.0);

    let refused = run(
        &ws,
        "ana",
        &["agreement", "--solo", "--coders", "ana,consensus"],
    );
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("consensus layer, not a coder"),
        "{}",
        refused.stderr
    );
}

#[test]
fn which_sources_a_coder_coded_and_when_they_were_collected() {
    let ws = study();
    let listed = |coder: &str| -> Vec<(String, bool, bool)> {
        ws.run(&[
            "sources",
            "--project",
            "study.vbt",
            "--coder",
            coder,
            "--json",
        ])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["coded_by_coder"].as_bool().unwrap(),
                s["marked_done"].as_bool().unwrap(),
            )
        })
        .filter(|(_, coded, _)| *coded)
        .collect()
    };
    let own = |names: &[&str], done: &[&str]| -> Vec<(String, bool, bool)> {
        names
            .iter()
            .map(|n| ((*n).to_owned(), true, done.contains(n)))
            .collect()
    };
    assert_eq!(listed("ben"), own(&["e1", "e2", "e3", "e6", "e7"], &[]));
    assert_eq!(listed("chloé"), own(&["e4", "e5", "e6"], &["e6"]));
    let sources = ws.sources();
    assert_eq!(sources[4]["collected_on"], "2024-03-01");
    assert!(sources[3]["collected_on"].is_null());

    run(&ws, "chloé", &["source", "done", "e6", "--undo"]).ok();
    assert_eq!(listed("chloé"), own(&["e4", "e5"], &[]));
    run(&ws, "chloé", &["undo"]).ok();
    assert_eq!(listed("chloé"), own(&["e4", "e5", "e6"], &["e6"]));

    // A bad date is refused with the format, and changes nothing.
    let before = ws.dump();
    let bad = ws.run(&[
        "source",
        "set",
        "e1",
        "--date",
        "2024-13-01",
        "--project",
        "study.vbt",
    ]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("YYYY-MM-DD"), "{}", bad.stderr);
    ws.write(
        "e8.txt",
        "[Chercheur] Bonjour.\n[Interviewé] Bonjour à vous.",
    );
    let bad = ws.import(&["e8.txt", "--date", "12/03/2024"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("YYYY-MM-DD"), "{}", bad.stderr);
    assert_eq!(ws.dump(), before);
    let table = ws
        .run(&["sources", "--project", "study.vbt", "--coder", "ben"])
        .ok()
        .stdout;
    assert!(table.contains("collected"), "{table}");
    assert!(table.contains("7 sources; ben coded 5 of them."), "{table}");
}

fn saturation(ws: &Workspace, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["saturation", "--solo", "--all", "--json"];
    args.extend_from_slice(extra);
    run(ws, "ana", &args).ok().json()
}

fn walked(curve: &serde_json::Value) -> Vec<&str> {
    names(&curve["sources"])
}

#[test]
fn each_saturation_curve_walks_its_coders_sources_in_collection_order() {
    let ws = study();
    // ana coded e1–e5, never e6–e7. By date: e5 (03-01), e1, e2, e3, then
    // e4, undated, in import order. Codes: e5 {Confiance}, e1 {Confiance,
    // Fatigue}, e2 {Confiance, Fatigue}, e3 {Confiance, Épuisement}, e4
    // {Confiance}: new codes 1, 1, 0, 1, 0.
    // Base 3 (e5, e1, e2) holds 2 codes; the run e3–e4 adds 1: 1/2 = 50 %
    // > 5 %, and no further run fits: not reached after 1 run.
    let json = saturation(&ws, &["--coders", "ana", "--base", "3"]);
    let ana = &json[0];
    assert_eq!(walked(ana), ["e5", "e1", "e2", "e3", "e4"]);
    assert_eq!(ana["not_coded"], 2);
    assert_eq!(ana["undated"], 1);
    let new: Vec<u64> = ana["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["new_codes"].as_u64().unwrap())
        .collect();
    assert_eq!(new, [1, 1, 0, 1, 0]);
    assert_eq!(ana["base_codes"], 2);
    assert_eq!(
        ana["verdict"],
        serde_json::json!({"status": "not_reached", "runs_checked": 1})
    );
    // In import order instead, e4 comes before e5.
    let by_id = saturation(&ws, &["--coders", "ana", "--order", "id"]);
    assert_eq!(walked(&by_id[0]), ["e1", "e2", "e3", "e4", "e5"]);
    assert_eq!(by_id[0]["order"], "import");
    assert_eq!(ana["order"], "collection_date");
    // ben: his own five, by date.
    let ben = saturation(&ws, &["--coders", "ben"]);
    assert_eq!(walked(&ben[0]), ["e1", "e2", "e3", "e6", "e7"]);
    assert_eq!(ben[0]["undated"], 0);

    let text = run(&ws, "ana", &["saturation", "--base", "3"]).ok().stdout;
    assert!(
        text.contains("5 interviews ana coded, in collection order; 2 not coded by ana left out."),
        "{text}"
    );
    assert!(
        text.contains("1 source has no collection date: import order used for it."),
        "{text}"
    );

    // Fatigue made structural (as `guide autocode` makes a guide question;
    // set in the file directly here): left out, e1 brings nothing new
    // (1, 0, 0, 1, 0), unless asked for.
    let conn = rusqlite::Connection::open(ws.study()).unwrap();
    conn.execute(
        "UPDATE codes SET kind = 'structural' WHERE name = 'Fatigue'",
        [],
    )
    .unwrap();
    drop(conn);
    let new_codes = |json: &serde_json::Value| -> Vec<u64> {
        json[0]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["new_codes"].as_u64().unwrap())
            .collect()
    };
    let without = saturation(&ws, &["--coders", "ana"]);
    assert_eq!(new_codes(&without), [1, 0, 0, 1, 0]);
    let with = saturation(&ws, &["--coders", "ana", "--include-structural"]);
    assert_eq!(new_codes(&with), [1, 1, 0, 1, 0]);

    // The team's curve walks every source any coder coded (e6 through
    // chloé's mark and ben's codes), on the consensus layer, which holds
    // no passage yet: the base is empty.
    let team = run(&ws, "ana", &["saturation", "--shared", "--json"])
        .ok()
        .json();
    assert_eq!(team[0]["consensus"], true);
    assert_eq!(walked(&team[0]), ["e5", "e1", "e2", "e3", "e6", "e7", "e4"]);
    assert_eq!(team[0]["verdict"]["status"], "empty_base");

    // Per site: ana's CSAPA curve walks e1–e4 (e4 undated, last); her CH
    // curve walks e5 alone, e6 and e7 (never opened) left out. The team's
    // CH curve walks e5, e6, e7 by date.
    let sites = saturation(&ws, &["--coders", "ana", "--by-site"]);
    let site = |json: &serde_json::Value, name: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|c| c["site"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(walked(&site(&sites, "CSAPA")), ["e1", "e2", "e3", "e4"]);
    let ch = site(&sites, "CH");
    assert_eq!(walked(&ch), ["e5"]);
    assert_eq!(ch["not_coded"], 2);
    let team = run(
        &ws,
        "ana",
        &["saturation", "--shared", "--by-site", "--json"],
    )
    .ok()
    .json();
    assert_eq!(walked(&site(&team, "CH")), ["e5", "e6", "e7"]);
}
