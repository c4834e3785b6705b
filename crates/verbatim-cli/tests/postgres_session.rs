//! Issue 17's first "done when": one scripted session — init, import of
//! transcripts in five formats, coders, codes, codings, undo, search,
//! agreement and export — run on a study file and on a PostgreSQL study
//! gives the same `--json` word for word (guids, ids of audit entries and
//! clock readings blanked), the same spreadsheet byte for byte and the same
//! REFI-QDA project once its GUIDs and dates are normalised. Needs
//! `VERBATIM_TEST_PG` (see `verbatim_store_pg::test_server`).

use std::collections::HashMap;
use std::io::Read;

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Run, Workspace, docx_with, interview_lines, zip_with};

/// A home visit we wrote, as a Word file with bold speaker labels.
const VISIT: &[(&str, &str)] = &[
    ("Enquêtrice", "Comment se passent les visites à domicile ?"),
    (
        "Léa",
        "Bien. L’infirmière arrive à huit heures, elle me fait confiance pour les médicaments.",
    ),
    ("Enquêtrice", "Et la famille ?"),
    (
        "Léa",
        "Mon fils passe le dimanche. Sans lui, je me sentirais seule.",
    ),
];

/// A workshop follow-up we wrote, as LibreOffice paragraphs.
const WORKSHOP: &[(&str, &str)] = &[
    ("Animateur", "Qu’est-ce qui a changé depuis l’atelier ?"),
    (
        "Karim",
        "J’ose demander de l’aide. Avant, la méfiance l’emportait toujours.",
    ),
];

/// An English focus-group extract we wrote: voices and cue times.
const FOCUS_VTT: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Facilitator>What made you come back to the group?\n\n00:00:04.500 --> 00:00:09.000\n<v P03>Trust. People here listen without judging.\n\n00:00:09.500 --> 00:00:12.000\n<v P07>For me it was the coffee, honestly.\n";

/// A reception desk exchange we wrote, as subtitles without speakers.
const DESK_SRT: &str = "1\n00:00:00,000 --> 00:00:03,500\nBonjour, je viens pour le dossier de logement.\n\n2\n00:00:03,500 --> 00:00:07,000\nOn regarde ça ensemble, la confiance se gagne ici.\n";

fn visit_docx() -> Vec<u8> {
    let body: String = VISIT
        .iter()
        .map(|(who, what)| {
            format!(
                r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{who} : </w:t></w:r><w:r><w:t xml:space="preserve">{what}</w:t></w:r></w:p>"#
            )
        })
        .collect();
    docx_with(&format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    ))
}

fn workshop_odt() -> Vec<u8> {
    let body: String = WORKSHOP
        .iter()
        .map(|(who, what)| format!("<text:p>{who} : {what}</text:p>"))
        .collect();
    zip_with(&[
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        (
            "content.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
            ),
        ),
    ])
}

/// Writes the five transcripts both studies import.
fn write_transcripts(ws: &Workspace) {
    ws.write("in/entretien.txt", interview_lines());
    ws.write("in/visite.docx", visit_docx());
    ws.write("in/atelier.odt", workshop_odt());
    ws.write("in/groupe.vtt", FOCUS_VTT);
    ws.write("in/accueil.srt", DESK_SRT);
}

/// Blanks what differs by design between two studies: guids, audit entry
/// ids and clock readings.
fn blank(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if matches!(
                    key.as_str(),
                    "guid" | "entry" | "at" | "created_at" | "imported_at" | "written_at"
                ) && inner.is_string()
                {
                    *inner = Value::Null;
                } else if key == "id" && inner.is_string() {
                    // An audit entry's id (UUIDv7); row ids are numbers.
                    *inner = Value::Null;
                } else if key == "target" && inner.as_str().is_some_and(|t| t.starts_with("audit:"))
                {
                    // An undo names the entry it undid, by that id.
                    *inner = Value::from("audit:…");
                } else {
                    blank(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(blank),
        _ => {}
    }
}

/// What one session answered: every `--json` answer and message, in order,
/// and the files it exported.
struct Answers {
    said: Vec<Value>,
    qde: String,
    csv: Vec<u8>,
    qdc: String,
}

/// Runs the whole session on `project`, exporting into `out/`.
fn session(ws: &Workspace, project: &str, out: &str) -> Answers {
    let cache = ws.path(&format!("cache-{out}"));
    let cache = cache.to_str().unwrap().to_owned();
    let run = |args: &[&str]| -> Run {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run_env(&full, &[("XDG_CACHE_HOME", &cache)]).ok()
    };
    let mut said = Vec::new();
    let mut keep = |mut value: Value| {
        blank(&mut value);
        said.push(value);
    };
    run(&["init", "--title", "Session", "--language", "fr"]);
    keep(run(&["import", "in", "--site", "CS", "--json"]).json());
    keep(run(&["sources", "--json"]).json());
    for args in [
        vec!["coder", "add", "amira"],
        vec!["coder", "add", "bruno"],
        vec![
            "participants",
            "add",
            "--code",
            "CSI-2",
            "--label",
            "Camille",
        ],
        vec!["participants", "add", "--code", "Léa"],
        vec!["code", "add", "Confiance", "--shared", "--coder", "amira"],
        vec!["code", "add", "Méfiance", "--shared", "--coder", "amira"],
        vec![
            "code", "add", "Relation", "--level", "theme", "--coder", "amira",
        ],
        vec![
            "code", "add", "Aide", "--parent", "Relation", "--coder", "amira",
        ],
    ] {
        keep(Value::from(run(&args).stdout));
    }
    let code = |coder: &str, source: &str, code: &str, text: &str| {
        run(&[
            "coding", "add", "--coder", coder, "--source", source, "--code", code, "--text", text,
        ])
        .stdout
    };
    for (coder, source, name, text) in [
        ("amira", "entretien", "Confiance", "« la confiance »"),
        (
            "amira",
            "entretien",
            "Méfiance",
            "la méfiance quand quelqu’un rechute",
        ),
        ("amira", "visite", "Confiance", "elle me fait confiance"),
        (
            "amira",
            "atelier",
            "Méfiance",
            "la méfiance l’emportait toujours",
        ),
        ("amira", "atelier", "Aide", "J’ose demander de l’aide"),
        ("bruno", "entretien", "Confiance", "« la confiance »"),
        (
            "bruno",
            "visite",
            "Confiance",
            "elle me fait confiance pour les médicaments",
        ),
        ("bruno", "atelier", "Méfiance", "la méfiance l’emportait"),
        // A slip, undone below.
        ("amira", "groupe", "Confiance", "Trust"),
    ] {
        keep(Value::from(code(coder, source, name, text)));
    }
    keep(run(&["undo", "--coder", "amira", "--json"]).json());
    run(&[
        "memo",
        "add",
        "--coder",
        "amira",
        "--on",
        "source:visite",
        "--title",
        "Contexte",
        "--text",
        "Entretien au domicile, le fils présent.",
    ]);
    run(&[
        "journal",
        "add",
        "--coder",
        "amira",
        "--title",
        "Première lecture",
        "--text",
        "La confiance revient dans chaque entretien.",
    ]);
    keep(run(&["coding", "list", "--coder", "amira", "--json"]).json());
    keep(run(&["code", "tree", "--coder", "amira", "--json"]).json());
    keep(run(&["search", "confiance", "--json"]).json());
    keep(Value::from(run(&["reveal", "--coder", "amira"]).stdout));
    keep(run(&["agreement", "--coder", "amira", "--json"]).json());
    keep(run(&["coding", "list", "--coder", "bruno", "--all", "--json"]).json());
    let exported = |args: &[&str]| {
        let mut full = vec!["export", "--coder", "amira"];
        full.extend_from_slice(args);
        run(&full).stdout.replace(out, "OUT")
    };
    let (qdpx, qdc, csv) = (
        format!("{out}/study.qdpx"),
        format!("{out}/amira.qdc"),
        format!("{out}/segments.csv"),
    );
    std::fs::create_dir_all(ws.path(out)).unwrap();
    for args in [
        vec!["--format", "qdpx", "--all", "--out", &qdpx],
        vec!["--format", "qdc", "--out", &qdc],
        vec!["--format", "csv", "--all", "--out", &csv],
    ] {
        keep(Value::from(exported(&args)));
    }
    let mut log = run(&["log", "--json", "--limit", "100"]).json();
    for entry in log.as_array_mut().into_iter().flatten() {
        // Recorded rows carry guids and times deep inside: the log is
        // compared by who did what to which target.
        entry.as_object_mut().map(|e| e.remove("data"));
    }
    keep(log);
    Answers {
        said,
        qde: project_qde(&ws.path(&qdpx)),
        csv: std::fs::read(ws.path(&csv)).unwrap(),
        qdc: std::fs::read_to_string(ws.path(&qdc)).unwrap(),
    }
}

/// Returns the `project.qde` inside a `.qdpx`.
fn project_qde(path: &std::path::Path) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut qde = String::new();
    zip.by_name("project.qde")
        .unwrap()
        .read_to_string(&mut qde)
        .unwrap();
    qde
}

/// Normalises what two copies of one study cannot share in an exchange
/// file: each GUID (the study's, a source's, a code's, a coding's… each is
/// made at random when its row is, and those derived from them in the
/// export) becomes `GUID-n`, n counting distinct GUIDs in order of first
/// appearance, so references between elements are still compared; and
/// every `…DateTime="…"` attribute (import, creation and coding times, read
/// from each study's clock) becomes `DATE`. Nothing else is touched.
fn normalise(xml: &str) -> String {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = String::with_capacity(xml.len());
    let mut i = 0;
    while i < xml.len() {
        if let Some(guid) = guid_at(&xml[i..]) {
            let n = seen.len() + 1;
            let n = *seen.entry(guid.to_ascii_lowercase()).or_insert(n);
            out.push_str(&format!("GUID-{n}"));
            i += guid.len();
            continue;
        }
        let rest = &xml[i..];
        if let Some(value) = rest.strip_prefix("DateTime=\"") {
            let value_end = value.find('"').unwrap();
            out.push_str("DateTime=\"DATE\"");
            i += "DateTime=\"".len() + value_end + 1;
            continue;
        }
        let c = rest.chars().next().unwrap();
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Returns the GUID (8-4-4-4-12 hex digits) `text` starts with, if any.
fn guid_at(text: &str) -> Option<&str> {
    let candidate = text.get(..36)?;
    let ok = candidate.char_indices().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => c == '-',
        _ => c.is_ascii_hexdigit(),
    });
    ok.then_some(candidate)
}

#[test]
fn one_scripted_session_answers_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_scripted_session") else {
        return;
    };
    let ws = Workspace::empty();
    write_transcripts(&ws);
    let on_file = session(&ws, "study.vbt", "file");
    let on_pg = session(&ws, &study.address.to_string(), "pg");
    for (i, (a, b)) in on_file.said.iter().zip(&on_pg.said).enumerate() {
        assert_eq!(a, b, "answer {i} differs");
    }
    assert_eq!(on_file.said.len(), on_pg.said.len());
    assert_eq!(on_file.csv, on_pg.csv, "the spreadsheets differ");
    // Two studies made side by side differ only in their random GUIDs
    // and clock readings (see `normalise`); names, texts, offsets, order,
    // users, cases and notes must match exactly. (A study copied with
    // `verbatim copy` keeps both: the demo test below needs no
    // normalising.)
    assert_eq!(normalise(&on_file.qdc), normalise(&on_pg.qdc));
    assert_eq!(normalise(&on_file.qde), normalise(&on_pg.qde));
    assert_ne!(on_file.qde, on_pg.qde, "two studies share no GUID");
    check_by_hand(&on_pg.said);
}

/// The answers' numbers, worked out from the transcripts above.
fn check_by_hand(said: &[Value]) {
    let statuses: Vec<&str> = said[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["imported"; 5]);
    let sources: Vec<(&str, u64)> = said[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["chars"].as_u64().unwrap()))
        .collect();
    // accueil: cue 1 is 46 chars, a newline, cue 2 is 50: 97. atelier:
    // "Animateur : " 12 + 41, a blank line (2), "Karim : " 8 + 66: 129.
    // visite: 56, 2, 6 + 85, 2, 28, 2, 6 + 60: 247.
    let chars: HashMap<&str, u64> = sources.iter().copied().collect();
    assert_eq!(
        (chars["accueil"], chars["atelier"], chars["visite"]),
        (97, 129, 247)
    );
    let names: Vec<&str> = sources.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["accueil", "atelier", "entretien", "groupe", "visite"]
    );
    // The slip undone: "Trust" follows the first cue (37 chars) and a
    // blank line, 39..44 of groupe (source 4).
    assert_eq!(said[19][0]["action"], "coding.add");
    assert_eq!(
        said[19][0]["summary"],
        serde_json::json!({"code": 1, "source": 4, "start": 39, "end": 44})
    );
    // Amira's atelier codings: "J’ose demander de l’aide" at 63..87
    // (12 + 41 + 2 + 8 = 63, 24 chars), "la méfiance l’emportait toujours"
    // at 96..128 (". Avant, " is 9 more, 32 chars).
    let atelier: Vec<(i64, i64, &str)> = said[20]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["source"] == "atelier")
        .map(|c| {
            (
                c["start"].as_i64().unwrap(),
                c["end"].as_i64().unwrap(),
                c["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(atelier, [(63, 87, "Aide"), (96, 128, "Méfiance")]);
    assert_eq!(said[20].as_array().unwrap().len(), 5);
    // "confiance" in three sources; in accueil's second cue (from 47),
    // after "On regarde ça ensemble, la " (27 chars): 74..83.
    let hits: Vec<&str> = said[22]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["source"].as_str().unwrap())
        .collect();
    assert_eq!(hits, ["accueil", "entretien", "visite"]);
    assert_eq!(
        (said[22][0]["start"].as_i64(), said[22][0]["end"].as_i64()),
        (Some(74), Some(83))
    );
    check_agreement(&said[24], chars["atelier"] + chars["visite"]);
    assert_eq!(
        said[26],
        "Wrote OUT/study.qdpx: 5 sources, 0 recordings, 4 codes, 8 codings, 2 cases, \
         2 notes, 3 users.\n"
    );
}

/// Confiance, amira against bruno, char by char: both code « la confiance
/// » in entretien (16 chars) and "elle me fait confiance" in visite (22):
/// 38; bruno alone " pour les médicaments" (21). The compared chars are
/// those of atelier, entretien and visite (groupe and accueil hold no
/// coding after the undo).
fn check_agreement(agreement: &Value, atelier_and_visite: u64) {
    let total = agreement["comparison"]["chars"].as_u64().unwrap();
    let entretien = agreement["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "entretien")
        .unwrap()["chars"]
        .as_u64()
        .unwrap();
    assert_eq!(total, atelier_and_visite + entretien);
    let confiance = &agreement["comparison"]["by_code"][0]["pairs"][0]["chars"];
    let neither = total - 38 - 21;
    assert_eq!(
        confiance["table"],
        serde_json::json!({"both": 38, "a_only": 0, "b_only": 21, "neither": neither})
    );
    // Cohen's kappa: observed (38 + neither) / total; expected from amira
    // coding 38 chars and bruno 59.
    let n = total as f64;
    let observed = (38 + neither) as f64 / n;
    let expected = (38.0 * 59.0 + (n - 38.0) * (n - 59.0)) / (n * n);
    let kappa = (observed - expected) / (1.0 - expected);
    let got = confiance["kappa"]["value"].as_f64().unwrap();
    assert!((got - kappa).abs() < 1e-9, "{got} against {kappa}");
}

#[test]
fn the_demo_copied_to_postgres_exports_the_same_project() {
    let Some(study) = test_server::study("cli_demo_export") else {
        return;
    };
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "demo.vbt"]).ok();
    let address = study.address.to_string();
    ws.run(&["copy", "demo.vbt", &address]).ok();
    let export = |project: &str, out: &str| {
        ws.run(&[
            "export",
            "--project",
            project,
            "--coder",
            "amira",
            "--all",
            "--format",
            "qdpx",
            "--out",
            out,
        ])
        .ok()
        .stdout
        .replace(out, "OUT")
    };
    let said_file = export("demo.vbt", "file.qdpx");
    let said_pg = export(&address, "pg.qdpx");
    assert_eq!(said_file, said_pg);
    // A copy keeps every guid and time, so nothing needs normalising:
    // the project is the same byte for byte.
    let (on_file, on_pg) = (
        project_qde(&ws.path("file.qdpx")),
        project_qde(&ws.path("pg.qdpx")),
    );
    assert!(on_pg.len() > 10_000, "{} bytes", on_pg.len());
    assert!(on_file == on_pg, "the demo's projects differ");
    // The rows `copy` counted: 13 sources, 180 codes, 740 codings, 25
    // participants (cases); notes are its 15 memos and 14 journal
    // entries (29); users its three coders and the consensus (4).
    assert!(
        said_pg.starts_with(
            "Wrote OUT: 13 sources, 0 recordings, 180 codes, 740 codings, 25 cases, 29 notes, 4 users."
        ),
        "{said_pg}"
    );
}
