//! `verbatim translations`: the report's quotes out as XLIFF 2.0 and CSV,
//! translations back onto their quotes, changed quotes reported and not
//! attached, nothing written from a bad file.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::common::Workspace;

const INTERVIEW: &str = "INT : Et la fouille des sacs ?\n\
CSI-1 : On fouille les sacs à l’entrée, c’est la règle. Moi je déteste ça.\n\
INT : Et la confiance ?\n\
CSI-1 : La confiance revient quand on explique la règle. Ça prend du temps.\n";

/// A study with one French interview, coder amira, two codes under a theme
/// and two codings marked as quotes (ids 1 and 2).
fn study() -> Workspace {
    let ws = Workspace::with_study();
    ws.write("csi1.txt", INTERVIEW);
    ws.run(&[
        "import",
        "csi1.txt",
        "--project",
        "study.vbt",
        "--language",
        "fr",
    ])
    .ok();
    ws.run(&["coder", "add", "amira", "--project", "study.vbt"])
        .ok();
    for args in [
        &["code", "add", "Contrôle", "--level", "theme"][..],
        &[
            "code",
            "add",
            "Fouilles",
            "--parent",
            "Contrôle",
            "--level",
            "idea",
        ],
        &[
            "code",
            "add",
            "Confiance",
            "--parent",
            "Contrôle",
            "--level",
            "idea",
        ],
        &[
            "coding",
            "add",
            "--source",
            "csi1",
            "--code",
            "Fouilles",
            "--text",
            "On fouille les sacs à l’entrée, c’est la règle.",
        ],
        &[
            "coding",
            "add",
            "--source",
            "csi1",
            "--code",
            "Confiance",
            "--text",
            "La confiance revient quand on explique la règle.",
        ],
        &["coding", "quote", "1"],
        &["coding", "quote", "2"],
    ] {
        amira(&ws, args).ok();
    }
    ws
}

fn amira(ws: &Workspace, args: &[&str]) -> crate::common::Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt", "--coder", "amira"]);
    ws.run(&all)
}

/// Returns each coding's translations as listed by `coding list --json`.
fn translations(ws: &Workspace) -> Vec<(String, serde_json::Value)> {
    amira(ws, &["coding", "list", "--json"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["text"].as_str().unwrap().to_owned(),
                c["translations"].clone(),
            )
        })
        .collect()
}

/// A unit's id, source text and notes `(category, text)`.
type XliffUnit = (String, String, Vec<(String, String)>);

/// The parts of an XLIFF file a test checks.
#[derive(Default)]
struct Xliff {
    namespace: String,
    version: String,
    src: String,
    trg: String,
    /// Each unit: id, source text, notes `(category, text)`.
    units: Vec<XliffUnit>,
}

fn parse_xliff(xml: &str) -> Xliff {
    let mut reader = Reader::from_str(xml);
    let mut out = Xliff::default();
    let mut path: Vec<String> = Vec::new();
    let mut category = String::new();
    loop {
        match reader.read_event().expect("well-formed XLIFF") {
            Event::Start(e) => {
                let name = e.name().as_ref().to_owned();
                let attr = |key: &str| {
                    e.attributes()
                        .map(Result::unwrap)
                        .find(|a| a.key.as_ref() == key)
                        .map(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned()
                        })
                        .unwrap_or_default()
                };
                match name.as_str() {
                    "xliff" => {
                        out.namespace = attr("xmlns");
                        out.version = attr("version");
                        out.src = attr("srcLang");
                        out.trg = attr("trgLang");
                    }
                    "unit" => out.units.push((attr("id"), String::new(), Vec::new())),
                    "note" => category = attr("category"),
                    _ => {}
                }
                path.push(name);
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                let text = t.xml10_content().into_owned();
                if let Some(unit) = out.units.last_mut() {
                    match path.last().map(String::as_str) {
                        Some("source") => unit.1.push_str(&text),
                        Some("note") => unit.2.push((category.clone(), text)),
                        _ => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn an_xliff_round_trip_attaches_translations_and_reports_a_quote_edited_since() {
    let ws = study();
    let run = amira(
        &ws,
        &[
            "translations",
            "export",
            "--format",
            "xliff",
            "--language",
            "en",
            "--out",
            "q.xlf",
        ],
    )
    .ok();
    assert!(
        run.stdout
            .contains("Wrote 2 quotes and 1 code names (fr → en)"),
        "{}",
        run.stdout
    );
    let xml = std::fs::read_to_string(ws.path("q.xlf")).unwrap();
    let doc = parse_xliff(&xml);
    assert_eq!(doc.namespace, "urn:oasis:names:tc:xliff:document:2.0");
    assert_eq!(doc.version, "2.0");
    assert_eq!((doc.src.as_str(), doc.trg.as_str()), ("fr", "en"));
    // One unit per quote (the theme shows both again, but each once),
    // then one per code above ideas: the theme's name.
    let sources: Vec<&str> = doc.units.iter().map(|u| u.1.as_str()).collect();
    assert_eq!(
        sources,
        [
            "On fouille les sacs à l’entrée, c’est la règle.",
            "La confiance revient quand on explique la règle.",
            "Contrôle"
        ]
    );
    assert!(doc.units[2].0.starts_with("code-"), "{}", doc.units[2].0);
    let notes = &doc.units[0].2;
    let note = |c: &str| {
        notes
            .iter()
            .find(|(k, _)| k == c)
            .map(|(_, v)| v.as_str())
            .unwrap()
    };
    assert_eq!(note("attribution"), "CSI-1 — csi1");
    assert_eq!(note("code"), "Contrôle › Fouilles");
    assert_eq!(
        note("context-before"),
        "INT : Et la fouille des sacs ? CSI-1 :"
    );
    assert_eq!(note("context-after"), "Moi je déteste ça.");
    assert_eq!(note("verbatim-hash").len(), 64);
    assert_ne!(doc.units[0].0, doc.units[1].0);

    // The translator fills both targets; meanwhile the second quote is edited.
    let filled = xml
        .replace(
            "c’est la règle.</source>",
            "c’est la règle.</source>\n        <target>We search bags at the door, that's the rule.</target>",
        )
        .replace(
            "explique la règle.</source>",
            "explique la règle.</source>\n        <target>Trust comes back when we explain the rule.</target>",
        );
    ws.write("q-en.xlf", filled);
    amira(
        &ws,
        &[
            "source",
            "edit",
            "csi1",
            "--find",
            "explique",
            "--text",
            "expliquons",
        ],
    )
    .ok();
    let run = amira(&ws, &["translations", "import", "q-en.xlf"]).ok();
    assert!(
        run.stdout
            .contains("Attached 1 translations into en (1 new, 0 replaced)."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("the quote changed since the export"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("expliquons"), "{}", run.stdout);
    let listed = translations(&ws);
    assert_eq!(
        listed[0].1,
        serde_json::json!([["en", "We search bags at the door, that's the rule."]])
    );
    assert_eq!(listed[1].1, serde_json::json!([]));
    // One undo takes the whole import back.
    amira(&ws, &["undo"]).ok();
    assert_eq!(translations(&ws)[0].1, serde_json::json!([]));
}

#[test]
fn a_csv_round_trip_attaches_translations_and_a_second_export_offers_them_for_review() {
    let ws = study();
    amira(
        &ws,
        &[
            "translations",
            "export",
            "--format",
            "csv",
            "--language",
            "en",
            "--out",
            "q.csv",
        ],
    )
    .ok();
    let mut reader = csv::Reader::from_path(ws.path("q.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let at = header.iter().position(|h| h == "translation").unwrap();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        row[at] = format!(
            "EN: {}",
            row[header.iter().position(|h| h == "text").unwrap()]
        );
        out.write_record(&row).unwrap();
    }
    ws.write("q-en.csv", out.into_inner().unwrap());
    let run = amira(&ws, &["translations", "import", "q-en.csv", "--json"])
        .ok()
        .json();
    assert_eq!(run["attached"], 2);
    assert_eq!(run["changed"], serde_json::json!([]));
    let listed = translations(&ws);
    assert_eq!(
        listed[1].1,
        serde_json::json!([["en", "EN: La confiance revient quand on explique la règle."]])
    );
    // Exported again, the translations come as targets to review.
    amira(
        &ws,
        &[
            "translations",
            "export",
            "--language",
            "en",
            "--out",
            "again.xlf",
        ],
    )
    .ok();
    let xml = std::fs::read_to_string(ws.path("again.xlf")).unwrap();
    // Both quotes and the theme's name, which the sheet translated too.
    assert_eq!(xml.matches("<target>EN: ").count(), 3);
    assert_eq!(xml.matches("state=\"translated\"").count(), 3);
    assert_eq!(run["code_names"], 1);
}

#[test]
fn a_bad_file_is_refused_with_its_name_and_changes_nothing() {
    let ws = study();
    amira(
        &ws,
        &[
            "translations",
            "export",
            "--language",
            "en",
            "--out",
            "q.xlf",
        ],
    )
    .ok();
    let xml = std::fs::read_to_string(ws.path("q.xlf")).unwrap();
    let log = || {
        ws.run(&["log", "--json", "--project", "study.vbt"])
            .ok()
            .stdout
    };
    let before = log();
    ws.write("cut.xlf", &xml[..xml.len() / 2]);
    let run = amira(&ws, &["translations", "import", "cut.xlf"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("cut.xlf"), "{}", run.stderr);
    ws.write(
        "old.xlf",
        "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:1.2\" version=\"1.2\"/>",
    );
    let run = amira(&ws, &["translations", "import", "old.xlf"]);
    assert!(run.stderr.contains("not XLIFF 2.0"), "{}", run.stderr);
    ws.write("notes.txt.doc", "x");
    let run = amira(&ws, &["translations", "import", "notes.txt.doc"]);
    assert!(run.stderr.contains("--format"), "{}", run.stderr);
    assert_eq!(log(), before);
    // Bruno cannot see amira's quotes: nothing attached, each unit reported.
    ws.run(&["coder", "add", "bruno", "--project", "study.vbt"])
        .ok();
    let filled = xml.replace("</source>", "</source><target>x</target>");
    ws.write("filled.xlf", filled);
    let run = ws
        .run(&[
            "translations",
            "import",
            "filled.xlf",
            "--project",
            "study.vbt",
            "--coder",
            "bruno",
        ])
        .ok();
    assert!(
        run.stdout.contains("Attached 0 translations"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("matches no quote you can see").count(),
        2
    );
    assert_eq!(run.stdout.matches("matches no code you can see").count(), 1);
}
