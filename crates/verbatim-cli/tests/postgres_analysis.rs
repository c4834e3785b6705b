//! `verbatim agreement` and `verbatim query` on a PostgreSQL study (issue
//! 17, step three): three coders coding the same two interviews on a file,
//! the study copied to PostgreSQL with `verbatim copy`, give the same
//! `--json` on both, with the kappas and passages worked out by hand
//! below; refusals read alike. Needs `VERBATIM_TEST_PG` (see
//! `verbatim_store_pg::test_server`).

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::Workspace;

/// Two interviews we wrote, 100 chars each (105 and 107 bytes: é, è and
/// the typographic apostrophe take more than one byte), and a note.
const MARIE: &str = "Marie : Au début, je ne faisais confiance à personne. Puis l’infirmière est venue chaque matin, ici.";
const PAUL: &str = "Paul : J’ai appris à déléguer. Ma fille gère les rendez-vous et moi, je tiens le carnet des remèdes.";
const NOTE: &str = "Note : entretien interrompu au bout de dix minutes, reprise prévue.";

/// Runs `verbatim` on `project` and returns the run, checked to succeed.
fn ok(ws: &Workspace, project: &str, args: &[&str]) -> crate::common::Run {
    ws.run(&[args, &["--project", project]].concat()).ok()
}

/// Codes `[start, end)` of `source` with `code` as `coder`.
fn code(ws: &Workspace, coder: &str, source: &str, code: &str, start: u32, end: u32) {
    let (start, end) = (start.to_string(), end.to_string());
    ok(
        ws,
        "study.vbt",
        &[
            "coding", "add", "--coder", coder, "--source", source, "--code", code, "--start",
            &start, "--end", &end,
        ],
    );
}

/// The study: coders ana, ben and chloé; the shared code `confiance` and
/// a `méfiance` in each coder's own codebook (paired by name); the
/// codings of `confiance` the kappas below are worked out from.
fn coded_study(ws: &Workspace) {
    ws.write("entretiens/marie.txt", MARIE);
    ws.write("entretiens/paul.txt", PAUL);
    ws.write("notes/note.txt", NOTE);
    ok(
        ws,
        "study.vbt",
        &["init", "--title", "Accord", "--language", "fr"],
    );
    ok(ws, "study.vbt", &["import", "entretiens", "notes"]);
    let sizes: Vec<(String, u64)> = ws
        .sources()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["chars"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sizes,
        [
            ("marie".to_owned(), 100),
            ("paul".to_owned(), 100),
            ("note".to_owned(), 67)
        ]
    );
    for coder in ["ana", "ben", "chloé"] {
        ok(ws, "study.vbt", &["coder", "add", coder]);
        ok(
            ws,
            "study.vbt",
            &["code", "add", "méfiance", "--coder", coder],
        );
    }
    ok(
        ws,
        "study.vbt",
        &["code", "add", "confiance", "--shared", "--coder", "ana"],
    );
    code(ws, "ana", "marie", "confiance", 0, 40);
    code(ws, "ana", "paul", "confiance", 50, 100);
    code(ws, "ben", "marie", "confiance", 20, 40);
    code(ws, "ben", "paul", "confiance", 50, 90);
    code(ws, "chloé", "marie", "confiance", 0, 40);
    code(ws, "chloé", "paul", "confiance", 60, 100);
    for (coder, start) in [("ana", 40), ("ben", 40), ("chloé", 45)] {
        code(ws, coder, "marie", "méfiance", start, 60);
    }
    // Only ana coded the note: it enters no pair's comparison.
    code(ws, "ana", "note", "confiance", 0, 10);
}

fn agreement(ws: &Workspace, project: &str, extra: &[&str]) -> Value {
    let mut args = vec!["agreement", "--coder", "ana", "--json"];
    args.extend_from_slice(extra);
    ok(ws, project, &args).json()
}

fn value(v: &Value) -> f64 {
    v["value"].as_f64().unwrap()
}

#[test]
fn three_coders_copied_to_postgres_agree_alike() {
    let (Some(blind), Some(open)) = (
        test_server::study("cli_agreement_blind"),
        test_server::study("cli_agreement_open"),
    ) else {
        return;
    };
    let ws = Workspace::empty();
    coded_study(&ws);
    // Copied before the reveal: PostgreSQL keeps the layers closed too.
    let blind = blind.address.to_string();
    ws.run(&["copy", "study.vbt", &blind]).ok();
    let refused = ws.run(&["agreement", "--project", &blind, "--coder", "ana"]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("blind"), "{}", refused.stderr);

    ok(&ws, "study.vbt", &["reveal"]);
    let pg = open.address.to_string();
    ws.run(&["copy", "study.vbt", &pg]).ok();
    let on_file = agreement(&ws, "study.vbt", &[]);
    let on_pg = agreement(&ws, &pg, &[]);
    assert_eq!(on_pg, on_file);

    assert_eq!(on_pg["coders"], serde_json::json!(["ana", "ben", "chloé"]));
    assert_eq!(on_pg["codes"], serde_json::json!(["confiance", "méfiance"]));
    let mefiance = &on_pg["code_groups"][1];
    assert_eq!(mefiance["paired_by"], "name");
    assert_eq!(
        mefiance["members"],
        serde_json::json!([["méfiance"], ["méfiance"], ["méfiance"]])
    );
    let entered: Vec<&str> = on_pg["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(entered, ["marie", "paul"]);
    assert_eq!(on_pg["left_out_sources"][0]["name"], "note");
    assert_eq!(
        on_pg["left_out_sources"][0]["not_coded_by"],
        serde_json::json!(["ben", "chloé"])
    );

    // `confiance` over the 200 chars of marie and paul, by hand:
    // ana   marie [0,40)  paul [50,100)  90 chars
    // ben   marie [20,40) paul [50,90)   60 chars
    // chloé marie [0,40)  paul [60,100)  80 chars
    // ana/ben: both 20+40 = 60, ana only 20+10 = 30, ben only 0,
    //   neither 60+50 = 110; p_o = 170/200 = 0.85;
    //   p_e = 0.45×0.3 + 0.55×0.7 = 0.52; κ = 0.33/0.48 = 11/16.
    // ana/chloé: both 40+40 = 80, ana only 10, chloé only 0, neither 110;
    //   p_o = 0.95; p_e = 0.45×0.4 + 0.55×0.6 = 0.51; κ = 0.44/0.49 = 44/49.
    // ben/chloé: both 20+30 = 50, ben only 10, chloé only 20+10 = 30,
    //   neither 110; p_o = 0.8; p_e = 0.3×0.4 + 0.7×0.6 = 0.54;
    //   κ = 0.26/0.46 = 13/23.
    let expected = [
        (["ana", "ben"], [60, 30, 0, 110], 0.85, 11.0 / 16.0),
        (["ana", "chloé"], [80, 10, 0, 110], 0.95, 44.0 / 49.0),
        (["ben", "chloé"], [50, 10, 30, 110], 0.8, 13.0 / 23.0),
    ];
    let pairs = on_pg["comparison"]["by_code"][0]["pairs"]
        .as_array()
        .unwrap();
    assert_eq!(pairs.len(), 3);
    for (pair, (names, counts, percent, kappa)) in pairs.iter().zip(expected) {
        let coder =
            |i: usize| on_pg["coders"][pair[["a", "b"][i]].as_u64().unwrap() as usize].clone();
        assert_eq!([coder(0), coder(1)], names.map(Value::from), "{pair}");
        let table = &pair["chars"]["table"];
        let found = ["both", "a_only", "b_only", "neither"].map(|k| table[k].as_u64().unwrap());
        assert_eq!(found, counts, "{names:?}");
        assert!(
            (value(&pair["chars"]["percent"]) - percent).abs() < 1e-12,
            "{names:?}"
        );
        assert!(
            (value(&pair["chars"]["kappa"]) - kappa).abs() < 1e-12,
            "{names:?}"
        );
    }

    // A pairing, a level and one code: the same on both.
    for extra in [
        &["--coders", "ana,ben", "--code", "méfiance"][..],
        &["--pair", "ana:méfiance=ben:confiance"][..],
        &["--level", "idea", "--by", "source"][..],
    ] {
        assert_eq!(
            agreement(&ws, &pg, extra),
            agreement(&ws, "study.vbt", extra),
            "{extra:?}"
        );
    }
    // Refusals read alike, word for word.
    for extra in [
        &["--coders", "ana"][..],
        &["--coders", "ana,consensus"][..],
        &["--coders", "ana,zoé"][..],
        &["--code", "absente"][..],
        &["--pair", "zoé:méfiance=ben:confiance"][..],
    ] {
        let run = |project: &str| {
            ws.run(
                &[
                    &["agreement", "--project", project, "--coder", "ana"][..],
                    extra,
                ]
                .concat(),
            )
        };
        let (file, server) = (run("study.vbt"), run(&pg));
        assert_eq!((server.code, file.code), (1, 1), "{extra:?}");
        assert_eq!(server.stderr, file.stderr, "{extra:?}");
    }
}

fn query(ws: &Workspace, project: &str, extra: &[&str]) -> Value {
    let mut args = vec!["query", "--coder", "ana", "--json"];
    args.extend_from_slice(extra);
    ok(ws, project, &args).json()
}

/// Returns `(source, start, end, text)` of each passage.
fn passages(shown: &Value) -> Vec<(String, u64, u64, String)> {
    shown
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["source"].as_str().unwrap().to_owned(),
                p["start"].as_u64().unwrap(),
                p["end"].as_u64().unwrap(),
                p["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

#[test]
fn a_coding_query_on_postgres_answers_as_the_file() {
    let Some(study) = test_server::study("cli_query_same_passages") else {
        return;
    };
    let ws = Workspace::empty();
    coded_study(&ws);
    ok(&ws, "study.vbt", &["reveal"]);
    let pg = study.address.to_string();
    ws.run(&["copy", "study.vbt", &pg]).ok();
    for extra in [
        &["confiance"][..],
        &["confiance", "--all"][..],
        &["confiance OR méfiance", "--all"][..],
        &["confiance AND méfiance", "--all", "--whole"][..],
        &["méfiance NOT confiance", "--all"][..],
        &[
            "confiance",
            "--all",
            "--kind",
            "interview",
            "--context",
            "5",
        ][..],
        &["confiance NEAR/3 méfiance", "--all"][..],
    ] {
        assert_eq!(
            query(&ws, &pg, extra),
            query(&ws, "study.vbt", extra),
            "{extra:?}"
        );
    }
    // ana's own confiance: marie [0,40), paul [50,100), the note [0,10).
    let own = query(&ws, &pg, &["confiance"]);
    assert_eq!(
        passages(&own),
        [
            ("marie".into(), 0, 40, chars(MARIE, 0, 40)),
            ("paul".into(), 50, 100, chars(PAUL, 50, 100)),
            ("note".into(), 0, 10, chars(NOTE, 0, 10)),
        ]
    );
    // Every layer: confiance covers marie [0,40) (ana and chloé), méfiance
    // [40,60) (ana and ben from 40, chloé from 45); together [0,60).
    let either = query(&ws, &pg, &["confiance OR méfiance", "--all"]);
    assert_eq!(
        passages(&either)[0],
        ("marie".into(), 0, 60, chars(MARIE, 0, 60))
    );
    // méfiance touches confiance at 40 without overlapping it: all of it is kept.
    let apart = query(&ws, &pg, &["méfiance NOT confiance", "--all"]);
    assert_eq!(
        passages(&apart),
        [("marie".into(), 40, 60, chars(MARIE, 40, 60))]
    );
    // Refusals read alike: an unknown code, an unknown attribute.
    for extra in [
        &["absente"][..],
        &["confiance", "--attribute", "âge=30"][..],
    ] {
        let run = |project: &str| {
            ws.run(
                &[
                    &["query", "--project", project, "--coder", "ana"][..],
                    extra,
                ]
                .concat(),
            )
        };
        let (file, server) = (run("study.vbt"), run(&pg));
        assert_eq!((server.code, file.code), (1, 1), "{extra:?}");
        assert_eq!(server.stderr, file.stderr, "{extra:?}");
    }
}

/// Runs `verbatim disagreements --coders ana,ben --json` as ana.
fn disagreements(ws: &Workspace, project: &str, code: &str) -> crate::common::Run {
    let args = [
        "disagreements",
        "--coder",
        "ana",
        "--coders",
        "ana,ben",
        "--code",
        code,
        "--context",
        "3",
        "--json",
        "--project",
        project,
    ];
    ws.run(&args)
}

#[test]
fn disagreements_on_postgres_list_the_passages_the_file_lists() {
    let Some(study) = test_server::study("cli_disagreements") else {
        return;
    };
    let ws = Workspace::empty();
    coded_study(&ws);
    let pg = study.address.to_string();
    ws.run(&["copy", "study.vbt", &pg]).ok();
    // Blind on PostgreSQL until revealed there, as on the file.
    let refused = disagreements(&ws, &pg, "confiance");
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("blind"), "{}", refused.stderr);
    ok(&ws, "study.vbt", &["reveal"]);
    ok(&ws, &pg, &["reveal"]);
    let on_file = disagreements(&ws, "study.vbt", "confiance").ok().json();
    let on_pg = disagreements(&ws, &pg, "confiance").ok().json();
    assert_eq!(on_pg, on_file);
    // ana: marie [0,40) + paul [50,100) + note [0,10) = 100 chars;
    // ben: marie [20,40) + paul [50,90) = 60, all inside ana's: agreed 60,
    // ana alone 40, ben alone 0.
    assert_eq!(
        (
            on_pg["agreed_chars"].as_u64(),
            on_pg["a_only_chars"].as_u64(),
            on_pg["b_only_chars"].as_u64()
        ),
        (Some(60), Some(40), Some(0))
    );
    // Largest first, then by source: marie [0,20), paul [90,100), note
    // [0,10), each ana's alone; the text cut by hand from the sources.
    let got: Vec<(&str, u64, u64, &str, &str, &str)> = on_pg["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["source"].as_str().unwrap(),
                p["start"].as_u64().unwrap(),
                p["end"].as_u64().unwrap(),
                p["coded_by"].as_str().unwrap(),
                p["text"].as_str().unwrap(),
                p["after"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("marie", 0, 20, "ana", "Marie : Au début, je", " ne"),
            ("paul", 90, 100, "ana", "s remèdes.", ""),
            ("note", 0, 10, "ana", "Note : ent", "ret"),
        ]
    );
    // Each coder's own méfiance, paired by name: ana's and ben's are both
    // marie [40,60): 20 chars agreed, nothing apart.
    let own = disagreements(&ws, &pg, "méfiance").ok().json();
    assert_eq!(own, disagreements(&ws, "study.vbt", "méfiance").ok().json());
    assert_eq!(own["agreed_chars"], 20);
    assert_eq!(own["passages"], serde_json::json!([]));
    assert_ne!(own["code_a"]["id"], own["code_b"]["id"]);
}

/// Runs `args` as `coder` (no one when empty) on `project`; returns the
/// run, not checked.
fn run_as(ws: &Workspace, project: &str, coder: &str, args: &[&str]) -> crate::common::Run {
    let who: &[&str] = if coder.is_empty() {
        &[]
    } else {
        &["--coder", coder]
    };
    ws.run(&[args, who, &["--project", project]].concat())
}

/// Runs `args` as `coder` on the file and on PostgreSQL, checks both
/// printed the same, word for word, and returns what PostgreSQL printed.
fn alike(ws: &Workspace, pg: &str, coder: &str, args: &[&str]) -> String {
    let on_file = run_as(ws, "study.vbt", coder, args).ok().stdout;
    let on_pg = run_as(ws, pg, coder, args).ok().stdout;
    assert_eq!(on_pg, on_file, "{coder}: {args:?}");
    on_pg
}

/// [`alike`] for a `--json` run, parsed.
fn alike_json(ws: &Workspace, pg: &str, coder: &str, args: &[&str]) -> Value {
    serde_json::from_str(&alike(ws, pg, coder, args)).unwrap()
}

/// Checks that `args` is refused alike, in the same words, on both.
fn refused_alike(ws: &Workspace, pg: &str, coder: &str, args: &[&str]) -> String {
    let (file, server) = (
        run_as(ws, "study.vbt", coder, args),
        run_as(ws, pg, coder, args),
    );
    assert_eq!(
        (server.code, file.code),
        (1, 1),
        "{args:?}: {}",
        file.stdout
    );
    assert_eq!(server.stderr, file.stderr, "{args:?}");
    server.stderr
}

#[test]
fn the_demo_analyses_on_postgres_print_what_the_file_prints() {
    let Some(study) = test_server::study("cli_demo_analyses") else {
        return;
    };
    let ws = Workspace::empty();
    // The full demo: three coders' layers revealed, the consensus built,
    // 25 participants at 3 sites with their occupations, dated interviews.
    ws.run(&["demo", "--project", "study.vbt"]).ok();
    let pg = study.address.to_string();
    ws.run(&["copy", "study.vbt", &pg]).ok();
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("amira", vec!["matrix", "--by", "site", "--json"]),
        ("amira", vec!["matrix", "--by", "site"]),
        ("amira", vec!["matrix", "--by", "coder", "--all", "--json"]),
        (
            "amira",
            vec!["matrix", "--by", "attribute:occupation", "--json"],
        ),
        (
            "bruno",
            vec!["matrix", "--by", "kind", "--cell", "chars", "--csv"],
        ),
        (
            "amira",
            vec!["matrix", "--by", "site", "--drill", "1,2", "--json"],
        ),
        ("amira", vec!["cooccurrence", "--all", "--json"]),
        ("amira", vec!["saturation", "--json"]),
        ("amira", vec!["saturation", "--by-site"]),
        (
            "amira",
            vec!["saturation", "--coders", "bruno,chloe", "--all", "--json"],
        ),
        ("amira", vec!["saturation", "--shared", "--json"]),
        (
            "chloe",
            vec!["saturation", "--order", "id", "--level", "theme", "--json"],
        ),
        ("", vec!["words", "--json"]),
        ("", vec!["words", "--stem", "--site", "CH", "--csv"]),
        ("", vec!["words", "--include-interviewers", "--json"]),
        ("amira", vec!["triangulation", "--json"]),
        ("amira", vec!["triangulation"]),
        (
            "amira",
            vec!["triangulation", "--shared", "--all", "--json"],
        ),
        (
            "amira",
            vec![
                "triangulation",
                "--of",
                "bruno",
                "--by",
                "occupation",
                "--json",
            ],
        ),
        ("bruno", vec!["ipa-table", "--json"]),
        ("amira", vec!["confront", "--all", "--json"]),
        ("amira", vec!["align", "--coders", "amira,bruno", "--json"]),
        ("amira", vec!["align", "--coders", "bruno,chloe"]),
    ];
    for (coder, args) in &runs {
        let printed = alike(&ws, &pg, coder, args);
        assert!(!printed.trim().is_empty(), "{coder}: {args:?}");
    }
}

/// Returns `(name, value)` of each key of a JSON list's items.
fn pick(list: &Value, keys: [&str; 2]) -> Vec<(Value, Value)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| (v[keys[0]].clone(), v[keys[1]].clone()))
        .collect()
}

/// Returns each matrix cell's value, row by row.
fn cells(matrix: &Value) -> Vec<Vec<u64>> {
    matrix["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|c| c["value"].as_u64().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn matrix_saturation_words_and_align_on_postgres_count_as_worked_out_by_hand() {
    let Some(study) = test_server::study("cli_analyses_by_hand") else {
        return;
    };
    let ws = Workspace::empty();
    coded_study(&ws);
    // Source attributes spelt with capitals, asked for in lower case: the
    // file compares names without case, PostgreSQL exactly, so the views
    // read values by the stored name. paul is dated by the `Date`
    // attribute, marie by her collection date, the note not at all.
    for args in [
        &[
            "attribute",
            "add",
            "Date",
            "--for",
            "source",
            "--type",
            "date",
        ][..],
        &[
            "attribute",
            "add",
            "Lieu",
            "--for",
            "source",
            "--type",
            "category",
            "--values",
            "domicile,centre",
        ],
        &[
            "attribute",
            "set",
            "--source",
            "paul",
            "Date=2024-03-01",
            "Lieu=centre",
        ],
        &["attribute", "set", "--source", "marie", "Lieu=domicile"],
        &["source", "set", "marie", "--date", "2024-03-05"],
    ] {
        ok(&ws, "study.vbt", args);
    }
    let pg = study.address.to_string();
    ws.run(&["copy", "study.vbt", &pg]).ok();

    // Blind until revealed, on both: another coder's layer is refused.
    for (coder, args) in [
        (
            "ana",
            &["matrix", "--all", "--level", "idea", "--by", "coder"][..],
        ),
        ("ana", &["saturation", "--coders", "ben"][..]),
        ("ana", &["align", "--coders", "ana,ben"][..]),
        (
            "ana",
            &["triangulation", "--of", "ben", "--level", "idea"][..],
        ),
    ] {
        let said = refused_alike(&ws, &pg, coder, args);
        assert!(said.contains("blind"), "{args:?}: {said}");
    }
    // A column nobody defined reads alike too.
    refused_alike(&ws, &pg, "ana", &["matrix", "--by", "attribute:âge"]);
    ok(&ws, "study.vbt", &["reveal"]);
    ok(&ws, &pg, &["reveal"]);

    // Codes 1-3 are ana's, ben's and chloé's méfiance, 4 the shared
    // confiance. Chars coded, every layer:
    // confiance: ana marie [0,40) + paul [50,100) + note [0,10) = 100,
    //   ben [20,40) + [50,90) = 60, chloé [0,40) + [60,100) = 80;
    // méfiance: ana and ben marie [40,60) = 20 each, chloé [45,60) = 15.
    let by_coder = alike_json(
        &ws,
        &pg,
        "ana",
        &[
            "matrix", "--all", "--level", "idea", "--by", "coder", "--cell", "chars", "--json",
        ],
    );
    assert_eq!(
        by_coder["columns"],
        serde_json::json!(["ana", "ben", "chloé"])
    );
    assert_eq!(
        by_coder["rows"],
        serde_json::json!([
            "méfiance (#1)",
            "méfiance (#2)",
            "méfiance (#3)",
            "confiance"
        ])
    );
    assert_eq!(
        cells(&by_coder),
        [[20, 0, 0], [0, 20, 0], [0, 0, 15], [100, 60, 80]]
    );
    // By `attribute:lieu`, allowed values in order; the note has none. A
    // cell counts the union of everyone's text: confiance in marie
    // [0,40) ∪ [20,40) ∪ [0,40) = 40, in paul [50,100) ∪ [50,90) ∪
    // [60,100) = 50.
    let by_place = alike_json(
        &ws,
        &pg,
        "ana",
        &[
            "matrix",
            "--all",
            "--level",
            "idea",
            "--by",
            "attribute:lieu",
            "--cell",
            "chars",
            "--json",
        ],
    );
    assert_eq!(
        by_place["columns"],
        serde_json::json!(["domicile", "centre"])
    );
    assert_eq!(cells(&by_place), [[20, 0], [20, 0], [15, 0], [40, 50]]);
    // The passages (overlapping codings merged) per coder: ana's confiance
    // is three, ben's and chloé's two each.
    let merged = alike_json(
        &ws,
        &pg,
        "ana",
        &[
            "matrix", "--all", "--level", "idea", "--by", "coder", "--cell", "passages", "--json",
        ],
    );
    assert_eq!(cells(&merged)[3], [3, 2, 2]);
    // A query filtered by the same lower-case attribute: marie only.
    let at_home = alike_json(
        &ws,
        &pg,
        "ana",
        &[
            "query",
            "confiance",
            "--all",
            "--attribute",
            "lieu=domicile",
            "--json",
        ],
    );
    assert_eq!(
        passages(&at_home),
        [("marie".into(), 0, 40, chars(MARIE, 0, 40))]
    );

    // Saturation, base 1 and runs of 1, by collection date: paul
    // (2024-03-01, its Date attribute), marie (2024-03-05), then the
    // undated note. ana's codes: paul {confiance}, marie {confiance,
    // méfiance}, note {confiance}: new 1, 1, 0.
    let steps =
        |curve: &Value| -> Vec<(Value, Value)> { pick(&curve["steps"], ["source", "new_codes"]) };
    let walked = |curve: &Value| -> Vec<(Value, Value)> {
        pick(&curve["sources"], ["name", "collected_on"])
    };
    let base = ["--base", "1", "--run", "1", "--json"];
    let ana = alike_json(&ws, &pg, "ana", &[&["saturation"][..], &base].concat());
    let ana = &ana[0];
    assert_eq!(
        walked(ana),
        [
            ("paul".into(), "2024-03-01".into()),
            ("marie".into(), "2024-03-05".into()),
            ("note".into(), Value::Null)
        ]
    );
    assert_eq!(
        steps(ana),
        [
            ("paul".into(), 1.into()),
            ("marie".into(), 1.into()),
            ("note".into(), 0.into())
        ]
    );
    assert_eq!(
        (ana["undated"].as_u64(), ana["not_coded"].as_u64()),
        (Some(1), Some(0))
    );
    // ben never coded the note: it is left out of his walk.
    let ben = alike_json(
        &ws,
        &pg,
        "ana",
        &[&["saturation", "--coders", "ben", "--all"][..], &base].concat(),
    );
    assert_eq!(
        steps(&ben[0]),
        [("paul".into(), 1.into()), ("marie".into(), 1.into())]
    );
    assert_eq!(ben[0]["not_coded"], 1);
    // The team's curve walks every source a coder coded, on a consensus
    // layer that holds nothing yet.
    let team = alike_json(
        &ws,
        &pg,
        "ana",
        &[&["saturation", "--shared"][..], &base].concat(),
    );
    assert_eq!(team[0]["consensus"], true);
    assert_eq!(
        steps(&team[0]),
        [
            ("paul".into(), 0.into()),
            ("marie".into(), 0.into()),
            ("note".into(), 0.into())
        ]
    );

    // Alignment of the méfiance codes, marie only: ana [40,60) and ben
    // [40,60) are one passage, Jaccard 20/20 = 1; ana and chloé [45,60)
    // share 15 of 20 chars: Jaccard 0.75, A in B 0.75, B in A 1.
    let pair = |a: &str| -> Value {
        let coders = format!("ana,{a}");
        alike_json(&ws, &pg, "ana", &["align", "--coders", &coders, "--json"])["matched"][0].clone()
    };
    let ben = pair("ben");
    assert_eq!(
        (ben["jaccard"].as_f64(), ben["intersection"].as_u64()),
        (Some(1.0), Some(20))
    );
    let chloe = pair("chloé");
    assert_eq!(
        (
            chloe["jaccard"].as_f64(),
            chloe["a_in_b"].as_f64(),
            chloe["b_in_a"].as_f64(),
            chloe["union"].as_u64()
        ),
        (Some(0.75), Some(0.75), Some(1.0), Some(20))
    );

    // Words of 4 letters or more in the note (no turns: counted whole):
    // "Note : entretien interrompu au bout de dix minutes, reprise
    // prévue." gives 7 words once each, listed alphabetically.
    let words = alike_json(
        &ws,
        &pg,
        "",
        &["words", "--source", "note", "--min-length", "4", "--json"],
    );
    assert_eq!(
        pick(&words, ["word", "count"]),
        [
            "bout",
            "entretien",
            "interrompu",
            "minutes",
            "note",
            "prévue",
            "reprise"
        ]
        .map(|w| (Value::from(w), Value::from(1)))
    );

    // Triangulation of the shared codebook over every layer counts the
    // three sources a coder coded, in id order.
    let shared = alike_json(
        &ws,
        &pg,
        "ana",
        &[
            "triangulation",
            "--shared",
            "--all",
            "--level",
            "idea",
            "--json",
        ],
    );
    assert_eq!(
        shared["sources"],
        serde_json::json!(["marie", "paul", "note"])
    );
}
