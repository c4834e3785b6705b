//! `verbatim reliability`: coefficients from a CSV of ratings, no study.

use crate::common::Workspace;

/// Krippendorff (2011): 4 observers × 12 units with missing values.
const KRIPPENDORFF: &str = "coder,1,2,3,4,5,6,7,8,9,10,11,12
A,1,2,3,3,2,1,4,1,2,,,
B,1,2,3,3,2,2,4,1,2,5,,3
C,,3,3,3,2,3,4,2,2,5,1,
D,1,2,3,3,2,4,4,1,2,5,1,
";

fn alpha(ws: &Workspace, level: &str) -> f64 {
    let run = ws
        .run(&[
            "reliability",
            "--input",
            "k.csv",
            "--statistic",
            "alpha",
            "--level",
            level,
            "--json",
        ])
        .ok();
    let json = run.json();
    assert_eq!(json["layout"], "matrix");
    assert_eq!(json["results"][0]["units"], 11);
    assert_eq!(json["results"][0]["values"], 40);
    json["results"][0]["estimate"]["value"].as_f64().unwrap()
}

#[test]
fn krippendorff_example_matches_the_published_alphas() {
    let ws = Workspace::empty();
    ws.write("k.csv", KRIPPENDORFF);
    for (level, published) in [
        ("nominal", 0.743),
        ("ordinal", 0.815),
        ("interval", 0.849),
        ("ratio", 0.797),
    ] {
        let value = alpha(&ws, level);
        assert!((value - published).abs() < 0.0005, "{level}: {value}");
    }
}

#[test]
fn table_lists_every_coefficient_and_says_what_does_not_apply() {
    let ws = Workspace::empty();
    ws.write("k.csv", KRIPPENDORFF);
    let run = ws.run(&["reliability", "--input", "k.csv"]).ok();
    for expected in [
        "Krippendorff's alpha (nominal)  0.7434",
        "Fleiss' kappa                   0.7612",
        "Gwet's AC1                      0.7754",
        "Brennan & Prediger's kappa      0.7727",
        "percent agreement               0.8182",
        "Cohen's kappa                   n/a (needs exactly 2 coders)",
    ] {
        assert!(run.stdout.contains(expected), "{expected}\n{}", run.stdout);
    }
    let cohen = ws.run(&["reliability", "--input", "k.csv", "--statistic", "cohen"]);
    assert_eq!(cohen.code, 1);
    assert!(
        cohen.stderr.contains("exactly 2 coders"),
        "{}",
        cohen.stderr
    );
}

#[test]
fn long_table_two_coders_and_categories() {
    let ws = Workspace::empty();
    // Cohen's 2 × 2 example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    let mut csv = String::from("unit,coder,value\n");
    let mut unit = 0;
    for (a, b, n) in [
        ("yes", "yes", 20),
        ("yes", "no", 5),
        ("no", "yes", 10),
        ("no", "no", 15),
    ] {
        for _ in 0..n {
            unit += 1;
            csv.push_str(&format!("{unit},A,{a}\n{unit},B,{b}\n"));
        }
    }
    ws.write("long.csv", &csv);
    let json = ws
        .run(&["reliability", "--input", "long.csv", "--json"])
        .ok()
        .json();
    assert_eq!(json["layout"], "long");
    let value = |name: &str| {
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["statistic"] == name)
            .unwrap()["estimate"]["value"]
            .as_f64()
            .unwrap()
    };
    assert!((value("cohen") - 0.4).abs() < 1e-9);
    assert!((value("percent") - 0.7).abs() < 1e-9);
    assert!((value("brennan_prediger") - 0.4).abs() < 1e-9);
    // With 4 possible categories: (0.7 − 0.25)/0.75 = 0.6.
    let json = ws
        .run(&[
            "reliability",
            "--input",
            "long.csv",
            "--statistic",
            "bp",
            "--categories",
            "4",
            "--json",
        ])
        .ok()
        .json();
    let bp = json["results"][0]["estimate"]["value"].as_f64().unwrap();
    assert!((bp - 0.6).abs() < 1e-9);
    let few = ws.run(&[
        "reliability",
        "--input",
        "long.csv",
        "--statistic",
        "bp",
        "--categories",
        "1",
    ]);
    assert_eq!(few.code, 1);
    assert!(
        few.stderr
            .contains("1 categories given, but the data uses 2"),
        "{}",
        few.stderr
    );
}

#[test]
fn no_variation_is_printed_as_undefined() {
    let ws = Workspace::empty();
    ws.write("same.csv", "unit,coder,value\n1,A,x\n1,B,x\n2,A,x\n2,B,x\n");
    let run = ws.run(&["reliability", "--input", "same.csv"]).ok();
    assert!(
        run.stdout
            .contains("Krippendorff's alpha (nominal)  undefined (no variation)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("percent agreement               1.0000")
    );
    let json = ws
        .run(&[
            "reliability",
            "--input",
            "same.csv",
            "--statistic",
            "alpha",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(json["results"][0]["estimate"]["kind"], "undefined");
    assert_eq!(json["results"][0]["estimate"]["reason"], "no_variation");
}

#[test]
fn bad_rows_are_named() {
    let ws = Workspace::empty();
    ws.write("twice.csv", "unit,coder,value\n7,A,1\n7,B,2\n7,B,1\n");
    let run = ws.run(&["reliability", "--input", "twice.csv"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("row 4: coder \"B\" rates unit 7 twice (also row 3)"),
        "{}",
        run.stderr
    );
    ws.write("wide.csv", "coder,1,2\nA,1,2\nB,1,2,3\n");
    let run = ws.run(&["reliability", "--input", "wide.csv"]);
    assert!(
        run.stderr
            .contains("row 3 has 4 cells where the header row has 3"),
        "{}",
        run.stderr
    );
    ws.write("text.csv", "coder,1,2\nA,x,y\nB,y,y\n");
    let run = ws.run(&["reliability", "--input", "text.csv", "--level", "interval"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("needs numeric values"),
        "{}",
        run.stderr
    );
    let missing = ws.run(&["reliability", "--input", "absent.csv"]);
    assert!(
        missing.stderr.contains("could not read absent.csv"),
        "{}",
        missing.stderr
    );
}
