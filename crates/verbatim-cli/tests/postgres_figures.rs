//! `verbatim figure` on a PostgreSQL study (issue 17): a study copied to
//! PostgreSQL with `verbatim copy` draws the same SVG, byte for byte, as
//! the file it came from: a small study whose counts are worked out by
//! hand below, and every figure of the demo. Needs `VERBATIM_TEST_PG`
//! (see `verbatim_store_pg::test_server`).

use verbatim_store_pg::test_server;

use crate::common::Workspace;

/// Two interviews we wrote. In chars: marie's INT turn is 6..23 ("Et la
/// confiance ?", 17 chars), M01's 30..75 (24 chars of the first line,
/// "M01 : " then 45 chars); paul's INT turn is 6..20 (14 chars), P02's
/// 27..50 (21 chars of the first line, "P02 : " then 23 chars).
const MARIE: &str =
    "INT : Et la confiance ?\nM01 : Au début, je ne faisais confiance à personne.\n";
const PAUL: &str = "INT : Et chez vous ?\nP02 : J’ai appris à déléguer.\n";

/// Runs `args` on `project` and returns the run, checked to succeed.
fn ok(ws: &Workspace, project: &str, args: &[&str]) -> crate::common::Run {
    ws.run(&[args, &["--project", project]].concat()).ok()
}

/// Draws `kind` on `project` into `out` as `coder` and returns the SVG.
fn draw(ws: &Workspace, project: &str, coder: &str, out: &str, kind: &[&str]) -> String {
    let args = [&["figure"][..], kind, &["--out", out, "--coder", coder]].concat();
    let run = ok(ws, project, &args);
    assert!(run.stdout.starts_with("Wrote "), "{}", run.stdout);
    std::fs::read_to_string(ws.path(out)).unwrap()
}

/// Draws `kind` on the file and on PostgreSQL, checks the two SVGs are the
/// same bytes, and returns the one drawn from PostgreSQL.
fn alike(ws: &Workspace, pg: &str, coder: &str, kind: &[&str]) -> String {
    let on_file = draw(ws, "study.vbt", coder, "file.svg", kind);
    let on_pg = draw(ws, pg, coder, "pg.svg", kind);
    assert!(on_pg == on_file, "{coder}: {kind:?} differs");
    on_pg
}

/// Returns the `data-participants` of the node drawn for `name`.
fn participants_of(svg: &str, name: &str) -> String {
    let label = format!("{name} (");
    let at = svg
        .find(&label)
        .unwrap_or_else(|| panic!("{name} not drawn"));
    let node = &svg[..at];
    let from = node.rfind("data-participants=\"").unwrap() + "data-participants=\"".len();
    node[from..].split('"').next().unwrap().to_owned()
}

#[test]
fn a_small_study_copied_to_postgres_draws_the_same_bytes() {
    let Some(study) = test_server::study("cli_figures_small") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretiens/marie.txt", MARIE);
    ws.write("entretiens/paul.txt", PAUL);
    ok(&ws, "study.vbt", &["init", "--title", "Figures"]);
    ok(&ws, "study.vbt", &["import", "entretiens"]);
    // The labels M01 and P02 mapped to the participants of those codes.
    for (code, source, label) in [("M01", "marie", "M01"), ("P02", "paul", "P02")] {
        ok(&ws, "study.vbt", &["participants", "add", "--code", code]);
        ok(
            &ws,
            "study.vbt",
            &[
                "speakers",
                "map",
                "--source",
                source,
                "--label",
                label,
                "--participant",
                code,
            ],
        );
    }
    ok(&ws, "study.vbt", &["coder", "add", "ana"]);
    for code in ["confiance", "délégation"] {
        ok(&ws, "study.vbt", &["code", "add", code, "--coder", "ana"]);
    }
    // confiance on M01's whole turn, délégation on P02's: each code is
    // supported by 1 participant of the 2 who speak in the coded sources
    // (the interviewer is nobody's participant).
    for (source, code, start, end) in [
        ("marie", "confiance", "30", "75"),
        ("paul", "délégation", "27", "50"),
    ] {
        ok(
            &ws,
            "study.vbt",
            &[
                "coding", "add", "--coder", "ana", "--source", source, "--code", code, "--start",
                start, "--end", end,
            ],
        );
    }
    let pg = study.address.to_string();
    ws.run(&["copy", "study.vbt", &pg]).ok();
    let tree = alike(&ws, &pg, "ana", &["tree"]);
    assert_eq!(participants_of(&tree, "confiance"), "1");
    assert_eq!(participants_of(&tree, "délégation"), "1");
    assert_eq!(tree.matches("n = 1/2").count(), 2, "{tree}");
    alike(
        &ws,
        &pg,
        "ana",
        &["saturation", "--base", "1", "--run", "1"],
    );
    alike(&ws, &pg, "ana", &["triangulation", "--level", "idea"]);
}

#[test]
fn every_figure_of_the_demo_copied_to_postgres_is_the_same_bytes() {
    let Some(study) = test_server::study("cli_figures_demo") else {
        return;
    };
    let ws = Workspace::empty();
    // Revealed, with its consensus: every layer can be drawn.
    ws.run(&["demo", "--project", "study.vbt"]).ok();
    let pg = study.address.to_string();
    ws.run(&["copy", "study.vbt", &pg]).ok();
    let kinds: Vec<(&str, Vec<&str>)> = vec![
        ("amira", vec!["tree"]),
        (
            "amira",
            vec![
                "tree",
                "--meta",
                "La relation comme soin",
                "--level",
                "sub-theme",
            ],
        ),
        ("bruno", vec!["tree", "--shared"]),
        ("amira", vec!["saturation"]),
        ("chloe", vec!["saturation", "--level", "theme"]),
        ("amira", vec!["triangulation", "--by", "occupation"]),
        ("amira", vec!["triangulation", "--of", "bruno"]),
        ("amira", vec!["alignment", "--with", "bruno"]),
        (
            "amira",
            vec![
                "alignment",
                "--of",
                "bruno",
                "--with",
                "chloe",
                "--level",
                "theme",
            ],
        ),
    ];
    for (coder, kind) in &kinds {
        let svg = alike(&ws, &pg, coder, kind);
        assert!(
            svg.starts_with("<svg") || svg.starts_with("<?xml"),
            "{kind:?}"
        );
    }
}
