//! `verbatim figure`: every figure of the demo study is well-formed SVG,
//! the same bytes on every run, and shows the numbers the analysis
//! commands print.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::common::Workspace;

/// One element of a parsed SVG: its name, attributes, and the `data-code`
/// of the nearest enclosing element that has one.
struct El {
    name: String,
    attrs: HashMap<String, String>,
    group: Option<String>,
}

/// Parses `svg` as XML, failing the test if it is not well-formed, and
/// returns its elements in document order and its character data.
fn parse(svg: &str) -> (Vec<El>, String) {
    let mut reader = Reader::from_str(svg);
    let mut elements: Vec<El> = Vec::new();
    let mut text = String::new();
    let mut stack: Vec<Option<String>> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(event @ (Event::Start(_) | Event::Empty(_))) => {
                let (Event::Start(e) | Event::Empty(e)) = &event else {
                    unreachable!()
                };
                assert!(
                    !elements.is_empty() || e.name().as_ref() == "svg",
                    "the root is not <svg>"
                );
                let attrs: HashMap<String, String> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0);
                        (a.key.as_ref().to_owned(), value.unwrap().into_owned())
                    })
                    .collect();
                let group = stack.iter().rev().find_map(Clone::clone);
                if matches!(event, Event::Start(_)) {
                    stack.push(attrs.get("data-code").cloned());
                }
                elements.push(El {
                    name: e.name().as_ref().to_owned(),
                    attrs,
                    group,
                });
            }
            Ok(Event::End(_)) => {
                stack.pop();
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) => {
                let name: &str = r.as_ref();
                text.push_str(match name {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                });
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.error_position()),
        }
    }
    assert!(stack.is_empty(), "elements left open");
    assert_eq!(elements[0].attrs["xmlns"], "http://www.w3.org/2000/svg");
    (elements, text)
}

fn class_is(e: &El, class: &str) -> bool {
    e.attrs.get("class").is_some_and(|c| c == class)
}

fn demo() -> Workspace {
    let ws = Workspace::empty();
    // Revealed, with its consensus: the alignment figure compares layers.
    ws.run(&["demo", "--project", "study.vbt"]).ok();
    ws
}

/// Runs `verbatim figure KIND --out NAME` as amira and returns the SVG.
fn figure(ws: &Workspace, kind: &str, name: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "figure",
        kind,
        "--out",
        name,
        "--project",
        "study.vbt",
        "--coder",
        "amira",
    ];
    args.extend_from_slice(extra);
    let run = ws.run(&args).ok();
    assert!(run.stdout.starts_with("Wrote "), "{}", run.stdout);
    std::fs::read_to_string(ws.path(name)).unwrap()
}

fn json(ws: &Workspace, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt", "--coder", "amira", "--json"]);
    ws.run(&all).ok().json()
}

#[test]
fn every_figure_is_well_formed_and_the_same_bytes_on_every_run() {
    let ws = demo();
    for (kind, extra) in [
        ("tree", &[][..]),
        ("saturation", &[]),
        ("triangulation", &[]),
        ("alignment", &["--with", "bruno", "--solo"][..]),
    ] {
        let first = figure(&ws, kind, &format!("{kind}-1.svg"), extra);
        let second = figure(&ws, kind, &format!("{kind}-2.svg"), extra);
        assert_eq!(first, second, "{kind} differs between runs");
        let (elements, _) = parse(&first);
        assert!(
            elements.iter().any(|e| e.name == "title"),
            "{kind} has no title"
        );
        // Every coordinate is a finite number.
        for e in &elements {
            for key in [
                "x", "y", "width", "height", "cx", "cy", "r", "x1", "x2", "y1", "y2",
            ] {
                if let Some(v) = e.attrs.get(key) {
                    let n: f64 = v.parse().unwrap_or_else(|_| panic!("{kind}: {key}={v}"));
                    assert!(n.is_finite(), "{kind}: {key}={v}");
                }
            }
        }
    }
}

#[test]
fn the_tree_labels_every_code_with_the_participants_triangulation_counts() {
    let ws = demo();
    let svg = figure(&ws, "tree", "tree.svg", &[]);
    let (elements, text) = parse(&svg);
    let counts: HashMap<String, String> = elements
        .iter()
        .filter(|e| class_is(e, "node"))
        .map(|e| {
            (
                e.attrs["data-code"].clone(),
                e.attrs["data-participants"].clone(),
            )
        })
        .collect();
    let tree = json(&ws, &["code", "tree"]);
    let codes = tree.as_array().unwrap();
    assert!(codes.len() > 20);
    assert_eq!(counts.len(), codes.len());
    for code in codes {
        let name = code["name"].as_str().unwrap();
        assert!(text.contains(name), "{name} is not in the figure");
    }
    let mut checked = 0;
    for level in ["idea", "sub-theme", "theme", "meta-theme"] {
        for row in json(&ws, &["triangulation", "--level", level])["themes"]
            .as_array()
            .unwrap()
        {
            let id = row["id"].to_string();
            assert_eq!(
                counts[&id],
                row["participants"].to_string(),
                "{}",
                row["theme"]
            );
            checked += 1;
        }
    }
    assert_eq!(checked, codes.len());
    // One meta-theme, down to sub-themes: only its subtree.
    let meta = figure(
        &ws,
        "tree",
        "meta.svg",
        &["--meta", "La relation comme soin", "--level", "sub-theme"],
    );
    let (elements, text) = parse(&meta);
    assert!(text.contains("Construire la confiance"));
    assert!(!text.contains("Ne pas lâcher le patient"));
    assert!(!text.contains("Stigmatisation"));
    assert!(
        elements
            .iter()
            .all(|e| e.attrs.get("data-level").is_none_or(|l| l != "idea"))
    );
}

#[test]
fn the_saturation_curve_plots_the_numbers_saturation_prints() {
    let ws = demo();
    let svg = figure(&ws, "saturation", "s.svg", &[]);
    let (elements, _) = parse(&svg);
    let points: Vec<&El> = elements.iter().filter(|e| class_is(e, "point")).collect();
    let assessed = &json(&ws, &["saturation"])[0];
    let steps = assessed["steps"].as_array().unwrap();
    assert_eq!(points.len(), steps.len());
    for (p, step) in points.iter().zip(steps) {
        assert_eq!(p.attrs["data-position"], step["position"].to_string());
        assert_eq!(p.attrs["data-source"], step["source"].as_str().unwrap());
        assert_eq!(p.attrs["data-new"], step["new_codes"].to_string());
        assert_eq!(p.attrs["data-cumulative"], step["cumulative"].to_string());
    }
    let after = &assessed["verdict"]["after"];
    let line = elements
        .iter()
        .find(|e| class_is(e, "saturation"))
        .expect("the demo reaches saturation");
    assert_eq!(line.attrs["data-after"], after.to_string());
    assert!(svg.contains(&format!("saturation reached after interview {after}")));
}

#[test]
fn the_heat_map_cells_are_the_triangulation_counts() {
    let ws = demo();
    let svg = figure(&ws, "triangulation", "t.svg", &["--by", "occupation"]);
    let (elements, _) = parse(&svg);
    let rows = json(&ws, &["triangulation", "--by", "occupation"]);
    let rows = rows["themes"].as_array().unwrap();
    assert!(rows.len() > 5);
    for row in rows {
        let id = row["id"].to_string();
        let cells: HashMap<&str, &str> = elements
            .iter()
            .filter(|e| class_is(e, "cell") && e.group.as_deref() == Some(id.as_str()))
            .map(|e| {
                (
                    e.attrs["data-column"].as_str(),
                    e.attrs["data-count"].as_str(),
                )
            })
            .collect();
        assert_eq!(cells["all"], row["participants"].to_string());
        for group in ["by_site", "by_attribute", "by_mode"] {
            for (column, n) in row[group].as_object().unwrap() {
                assert_eq!(
                    cells[column.as_str()],
                    n.to_string(),
                    "{} {column}",
                    row["theme"]
                );
            }
        }
        // Columns the row has no participant in show 0.
        let nonzero = cells.values().filter(|v| **v != "0").count();
        let listed: usize = ["by_site", "by_attribute", "by_mode"]
            .iter()
            .map(|g| {
                row[g]
                    .as_object()
                    .unwrap()
                    .values()
                    .filter(|v| v.as_u64() != Some(0))
                    .count()
            })
            .sum();
        assert_eq!(nonzero, listed + usize::from(row["participants"] != 0));
    }
}

#[test]
fn the_alignment_joins_the_pairs_align_finds() {
    let ws = demo();
    let svg = figure(
        &ws,
        "alignment",
        "a.svg",
        &["--with", "bruno", "--solo", "--level", "theme"],
    );
    let (elements, _) = parse(&svg);
    let links: Vec<(String, String, String)> = elements
        .iter()
        .filter(|e| class_is(e, "link"))
        .map(|e| {
            (
                e.attrs["data-left"].clone(),
                e.attrs["data-right"].clone(),
                e.attrs["data-jaccard"].clone(),
            )
        })
        .collect();
    let mut args = vec![
        "align",
        "--coders",
        "amira,bruno",
        "--solo",
        "--level",
        "theme",
    ];
    args.extend_from_slice(&["--project", "study.vbt", "--coder", "amira", "--json"]);
    let aligned = ws.run(&args).ok().json();
    let pairs: Vec<(String, String, String)> = aligned["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["a"]["id"].to_string(),
                p["b"]["id"].to_string(),
                format!("{:.2}", p["jaccard"].as_f64().unwrap()),
            )
        })
        .collect();
    assert!(!pairs.is_empty());
    assert_eq!(links, pairs);
}

#[test]
fn code_names_are_escaped_and_a_figure_needs_a_coder_and_a_second_coder() {
    let ws = Workspace::with_study();
    let p = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--project", "study.vbt", "--coder", "amira"]);
        ws.run(&all)
    };
    ws.run(&["coder", "add", "amira", "--project", "study.vbt"])
        .ok();
    p(&["code", "add", "<script>&\"", "--level", "theme"]).ok();
    let svg = figure(&ws, "tree", "x.svg", &[]);
    parse(&svg);
    assert!(svg.contains("&lt;script&gt;&amp;&quot;"));
    assert!(!svg.contains("<script"));
    let run = p(&["figure", "alignment", "--out", "a.svg", "--solo"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("--with"), "{}", run.stderr);
    assert!(!ws.path("a.svg").exists());
    let run = ws.run(&["figure", "tree", "--out", "b.svg", "--project", "study.vbt"]);
    assert!(run.stderr.contains("--coder"), "{}", run.stderr);
}
