//! `verbatim export --format qdpx|qdc` and `verbatim import-project`:
//! schema-valid exports, the demo study round trip, a colleague's layer
//! merged into a study, and refusals that leave the study unchanged.

use std::io::{Cursor, Read, Write};
use std::path::Path;

use crate::common::Workspace;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/refi-qda");

/// Returns the demo study, revealed so every layer can be exported, with
/// its consensus (the consensus row and its passages must round-trip too).
fn demo() -> Workspace {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "study.vbt"]).ok();
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    ws
}

/// Returns a zip entry's bytes.
pub(crate) fn entry(zip: &Path, name: &str) -> Vec<u8> {
    let bytes = std::fs::read(zip).unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Validates `xml` against a schema of the shared folder with xmllint.
///
/// Without xmllint the check is skipped with a message, unless
/// VERBATIM_REQUIRE_XMLLINT=1 (as CI sets it), where it fails.
pub(crate) fn validate(ws: &Workspace, xml: &[u8], schema: &str) {
    let file = ws.write("to-validate.xml", xml);
    let run = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(Path::new(SHARED).join(schema))
        .arg(&file)
        .output();
    match run {
        Ok(out) => assert!(
            out.status.success(),
            "{schema} rejects the export:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            assert!(
                std::env::var("VERBATIM_REQUIRE_XMLLINT").as_deref() != Ok("1"),
                "xmllint is required (VERBATIM_REQUIRE_XMLLINT=1) but cannot run: {e}; install libxml2-utils"
            );
            eprintln!("xmllint not found ({e}): schema validation skipped");
        }
    }
}

/// Rows of a query over a study, as text, for comparing two studies.
fn rows(study: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(study).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let cols = stmt.column_count();
    let mut out = Vec::new();
    let mut rows = stmt.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let cells: Vec<String> = (0..cols)
            .map(|i| match row.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                rusqlite::types::ValueRef::Real(x) => x.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
            })
            .collect();
        out.push(cells.join(" | "));
    }
    out
}

/// What the standard carries, keyed by GUIDs and names (never row ids).
const CARRIED: &[(&str, &str)] = &[
    (
        "sources",
        "SELECT s.guid, s.name, s.kind, s.site, s.language, t.text \
         FROM sources s JOIN source_texts t ON t.source_id = s.id ORDER BY s.guid",
    ),
    (
        "turns",
        "SELECT s.guid, t.ordinal, t.speaker, t.start_char, t.end_char, t.begin_ms, t.end_ms \
         FROM turns t JOIN sources s ON s.id = t.source_id ORDER BY 1, 2",
    ),
    (
        "speaker mappings",
        "SELECT s.guid, m.label, p.guid, m.interviewer FROM speaker_map m \
         JOIN sources s ON s.id = m.source_id LEFT JOIN participants p ON p.id = m.participant_id \
         ORDER BY 1, 2",
    ),
    ("coders", "SELECT guid, name FROM coders ORDER BY guid"),
    (
        "codes",
        "SELECT k.guid, k.name, k.level, d.name, p.guid, k.position, k.colour, k.definition, \
         k.inclusion, k.exclusion, k.example \
         FROM codes k LEFT JOIN coders d ON d.id = k.owner LEFT JOIN codes p ON p.id = k.parent \
         ORDER BY k.guid",
    ),
    (
        "second parents",
        "SELECT c.guid, p.guid FROM code_links l JOIN codes c ON c.id = l.child \
         JOIN codes p ON p.id = l.parent ORDER BY 1, 2",
    ),
    (
        "codings",
        "SELECT c.guid, s.guid, k.guid, d.name, c.start_char, c.end_char, c.memo, c.created_at \
         FROM codings c JOIN sources s ON s.id = c.source_id JOIN codes k ON k.id = c.code_id \
         JOIN coders d ON d.id = c.coder_id ORDER BY c.guid",
    ),
    (
        "source variables",
        "SELECT s.guid, a.name, a.type, a.allowed, v.value FROM source_values v \
         JOIN sources s ON s.id = v.source_id JOIN attributes a ON a.id = v.attribute_id \
         ORDER BY 1, 2",
    ),
    (
        "cases and variables",
        "SELECT p.guid, p.code, p.label, s.name, s.code, a.name, a.type, a.allowed, v.value \
         FROM participants p LEFT JOIN sites s ON s.id = p.site_id \
         LEFT JOIN participant_values v ON v.participant_id = p.id \
         LEFT JOIN attributes a ON a.id = v.attribute_id ORDER BY p.guid, a.name",
    ),
    (
        "notes",
        "SELECT m.guid, m.target_kind, m.title, m.author, m.written_at, m.body, m.origin, d.name, \
         m.target_label, m.start_char, m.end_char, \
         COALESCE((SELECT guid FROM codes WHERE id = m.target_id AND m.target_kind = 'code'), \
                  (SELECT guid FROM codings WHERE id = m.target_id AND m.target_kind = 'coding'), \
                  (SELECT guid FROM sources WHERE id = m.target_id AND m.target_kind = 'source'), \
                  (SELECT guid FROM sources WHERE id = m.source_id)) \
         FROM memos m LEFT JOIN coders d ON d.id = m.coder_id ORDER BY m.guid",
    ),
    (
        "journal links",
        "SELECT j.guid, k.guid, l.relation FROM journal_links l JOIN journal j ON j.id = l.entry_id \
         JOIN codes k ON k.id = l.code_id ORDER BY 1, 2",
    ),
    (
        "journal",
        "SELECT j.guid, d.name, j.kind, j.title, j.body, j.written_at, j.sealed_at, j.content_hash \
         FROM journal j JOIN coders d ON d.id = j.coder_id ORDER BY j.guid",
    ),
];

#[test]
fn the_demo_study_round_trips_through_qdpx() {
    let ws = demo();
    // Source attributes of every type, which the demo does not use.
    for (name, kind) in [
        ("recorded", "date"),
        ("minutes", "number"),
        ("pilot", "boolean"),
    ] {
        ws.run(&[
            "attribute",
            "add",
            "--project",
            "study.vbt",
            "--type",
            kind,
            "--for",
            "source",
            name,
        ])
        .ok();
    }
    ws.run(&[
        "attribute",
        "set",
        "--project",
        "study.vbt",
        "--source",
        "1",
        "recorded=2024-01-15",
        "minutes=52.5",
        "pilot=yes",
    ])
    .ok();
    let out = ws
        .run(&[
            "export",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "--all",
            "--format",
            "qdpx",
            "--out",
            "demo.qdpx",
        ])
        .ok();
    assert!(out.stdout.contains("13 sources"), "{}", out.stdout);
    // What REFI-QDA cannot hold is said, not dropped silently.
    assert!(
        out.stdout
            .contains("not carried: 26 coding(s) marked as quotes"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("14 translation(s)"), "{}", out.stdout);
    // Turns and explicit speaker mappings travel in a Description marker.
    assert!(
        !out.stdout.contains("explicit speaker mapping(s)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("second parent"), "{}", out.stdout);
    let qde = entry(&ws.path("demo.qdpx"), "project.qde");
    validate(&ws, &qde, "Project-mrt2019.xsd");

    // Sources are UTF-8 files named by GUID, `\n`, no BOM.
    let bytes = std::fs::read(ws.path("demo.qdpx")).unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut texts = 0;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        if let Some(guid) = name.strip_prefix("sources/") {
            let mut text = Vec::new();
            file.read_to_end(&mut text).unwrap();
            assert!(
                !text.starts_with(b"\xEF\xBB\xBF") && !text.contains(&b'\r'),
                "{name}"
            );
            assert!(std::str::from_utf8(&text).is_ok(), "{name}");
            assert_eq!(
                guid.len(),
                "00000000-0000-0000-0000-000000000000.txt".len(),
                "{name}"
            );
            texts += 1;
        }
    }
    // 13 sources, and each note's text (which QualCoder reads only there).
    let notes: usize = out
        .stdout
        .split(", ")
        .find_map(|part| part.strip_suffix(" notes")?.parse().ok())
        .unwrap();
    assert!(notes > 0);
    assert_eq!(texts, 13 + notes);

    let back = ws
        .run(&[
            "import-project",
            "demo.qdpx",
            "--project",
            "back.vbt",
            "--coder",
            "amira",
        ])
        .ok();
    assert!(
        back.stdout
            .contains("9 sealed preconception(s) kept their seal"),
        "{}",
        back.stdout
    );
    for (what, sql) in CARRIED {
        let before = rows(&ws.study(), sql);
        let after = rows(&ws.path("back.vbt"), sql);
        assert!(!before.is_empty(), "{what}: the demo has some");
        assert_eq!(before, after, "{what} differ after the round trip");
    }
    // The consensus user came back as the new study's consensus row (same
    // GUID, still the only one, not a new coder), with every passage.
    let consensus = "SELECT c.guid, count(k.id) FROM coders c \
         LEFT JOIN codings k ON k.coder_id = c.id WHERE c.kind = 'consensus' GROUP BY c.id";
    let before = rows(&ws.study(), consensus);
    assert_eq!(before, rows(&ws.path("back.vbt"), consensus));
    assert_eq!(before.len(), 1);
    assert!(!before[0].ends_with("| 0"), "{before:?}");
    let verify = ws.run(&["journal", "verify", "--project", "back.vbt"]).ok();
    assert!(
        verify.stdout.contains("matches its seal"),
        "{}",
        verify.stdout
    );

    // Exporting the same study again gives the same project, GUIDs and all.
    ws.run(&[
        "export",
        "--project",
        "study.vbt",
        "--coder",
        "amira",
        "--all",
        "--format",
        "qdpx",
        "--out",
        "again.qdpx",
    ])
    .ok();
    assert_eq!(entry(&ws.path("again.qdpx"), "project.qde"), qde);
}

#[test]
fn a_codebook_exports_valid_and_reads_back() {
    let ws = demo();
    let run = ws
        .run(&[
            "export",
            "--project",
            "study.vbt",
            "--coder",
            "bruno",
            "--format",
            "qdc",
            "--out",
            "bruno.qdc",
        ])
        .ok();
    assert!(
        run.stdout.contains("codes of bruno's codebook"),
        "{}",
        run.stdout
    );
    let xml = std::fs::read(ws.path("bruno.qdc")).unwrap();
    validate(&ws, &xml, "Codebook-mrt2019.xsd");
    let entries = verbatim_exchange::refi::read_codebook(&xml).unwrap();
    fn count(e: &[verbatim_exchange::codebook::CodebookEntry]) -> usize {
        e.iter().map(|c| 1 + count(&c.children)).sum()
    }
    let stored = rows(
        &ws.study(),
        "SELECT count(*) FROM codes WHERE owner = (SELECT id FROM coders WHERE name = 'bruno')",
    );
    assert_eq!(stored, [count(&entries).to_string()]);
    let themes = rows(
        &ws.study(),
        "SELECT name, definition FROM codes WHERE parent IS NULL \
         AND owner = (SELECT id FROM coders WHERE name = 'bruno') ORDER BY position",
    );
    let read: Vec<String> = entries
        .iter()
        .map(|e| format!("{} | {}", e.name, e.definition.as_deref().unwrap_or("NULL")))
        .collect();
    assert_eq!(read, themes);
    assert!(entries.iter().all(|e| e.level.is_some()));
}

#[test]
fn a_colleagues_layer_joins_an_existing_study() {
    // Before any consensus: amira's file holds her layer alone.
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "study.vbt", "--blind"]).ok();
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    // Amira's own layer, exported before anyone else's is visible.
    ws.run(&[
        "export",
        "--project",
        "study.vbt",
        "--coder",
        "amira",
        "--format",
        "qdpx",
        "--out",
        "amira.qdpx",
    ])
    .ok();
    let sql_count = |who: &str, table: &str| {
        rows(
            &ws.study(),
            &format!(
                "SELECT count(*) FROM {table} WHERE {} = (SELECT id FROM coders WHERE name = '{who}')",
                if table == "codes" {
                    "owner"
                } else {
                    "coder_id"
                }
            ),
        )
    };
    let sources_before = rows(&ws.study(), "SELECT count(*) FROM sources");
    let run = ws
        .run(&[
            "import-project",
            "amira.qdpx",
            "--project",
            "study.vbt",
            "--as-coder",
            "amira-v2",
        ])
        .ok();
    assert!(run.stdout.contains("as amira-v2's layer"), "{}", run.stdout);
    // Every text was already there: codings land on the study's sources.
    assert_eq!(
        rows(&ws.study(), "SELECT count(*) FROM sources"),
        sources_before
    );
    assert_eq!(sql_count("amira-v2", "codes"), sql_count("amira", "codes"));
    assert_eq!(
        sql_count("amira-v2", "codings"),
        sql_count("amira", "codings")
    );
    let same_spans = "SELECT s.name, c.start_char, c.end_char, k.name FROM codings c \
        JOIN sources s ON s.id = c.source_id JOIN codes k ON k.id = c.code_id \
        WHERE c.coder_id = (SELECT id FROM coders WHERE name = '{who}') ORDER BY 1, 2, 3, 4";
    assert_eq!(
        rows(&ws.study(), &same_spans.replace("{who}", "amira")),
        rows(&ws.study(), &same_spans.replace("{who}", "amira-v2"))
    );
}

#[test]
fn nvivo_and_qualcoder_targets_count_utf16_and_every_export_warns_for_emoji() {
    let ws = Workspace::empty();
    // A colleague's NVivo file: emoji before the coded words, CRLF, BOM.
    let raw = "\u{FEFF}P: Très bien 👍🏽, merci.\r\nP: Elle se gagne 🙂 lentement.\r\n";
    let body = raw.trim_start_matches('\u{FEFF}');
    let at = |needle: &str| {
        let b = body.find(needle).unwrap();
        let s = body[..b].encode_utf16().count();
        (s, s + needle.encode_utf16().count())
    };
    let (s, e) = at("lentement");
    let qde = format!(
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"n\" origin=\"NVivo for Windows 12.6\">\
         <Users><User guid=\"aaaaaaaa-0000-4000-8000-000000000001\" name=\"Nadia\"/></Users>\
         <CodeBook><Codes><Code guid=\"cccccccc-0000-4000-8000-000000000001\" name=\"Lenteur\" isCodable=\"true\"/></Codes></CodeBook>\
         <Sources><TextSource guid=\"dddddddd-0000-4000-8000-000000000001\" name=\"E1\" plainTextPath=\"internal://dddddddd-0000-4000-8000-000000000001.txt\">\
         <PlainTextSelection guid=\"11111111-0000-4000-8000-000000000001\" name=\"\" startPosition=\"{s}\" endPosition=\"{e}\">\
         <Coding guid=\"22222222-0000-4000-8000-000000000001\" creatingUser=\"aaaaaaaa-0000-4000-8000-000000000001\"><CodeRef targetGUID=\"cccccccc-0000-4000-8000-000000000001\"/></Coding>\
         </PlainTextSelection></TextSource></Sources></Project>"
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(qde.as_bytes()).unwrap();
    zip.start_file("Sources/dddddddd-0000-4000-8000-000000000001.txt", options)
        .unwrap();
    zip.write_all(raw.as_bytes()).unwrap();
    ws.write("nvivo.qdpx", zip.finish().unwrap().into_inner());
    ws.run(&["import-project", "nvivo.qdpx", "--project", "study.vbt"])
        .ok();
    let coded = rows(
        &ws.study(),
        "SELECT c.start_char, c.end_char FROM codings c",
    );
    let text = rows(&ws.study(), "SELECT text FROM source_texts")[0].clone();
    assert!(
        !text.contains('\r') && !text.starts_with('\u{FEFF}'),
        "{text:?}"
    );
    let chars: Vec<char> = body.replace("\r\n", "\n").chars().collect();
    let span: Vec<i64> = coded[0].split(" | ").map(|c| c.parse().unwrap()).collect();
    let word: String = chars[span[0] as usize..span[1] as usize].iter().collect();
    assert_eq!(word, "lentement");

    // Back out for NVivo: UTF-16 positions, with a warning; for the
    // standard: code points, no warning.
    let nvivo = ws
        .run(&[
            "export",
            "--project",
            "study.vbt",
            "--coder",
            "Nadia",
            "--format",
            "qdpx",
            "--target",
            "nvivo",
            "--out",
            "for-nvivo.qdpx",
        ])
        .ok();
    assert!(
        nvivo
            .stdout
            .contains("outside the Basic Multilingual Plane"),
        "{}",
        nvivo.stdout
    );
    let xml = String::from_utf8(entry(&ws.path("for-nvivo.qdpx"), "project.qde")).unwrap();
    let s16 = body.replace("\r\n", "\n");
    let b = s16.find("lentement").unwrap();
    let u = s16[..b].encode_utf16().count();
    assert!(
        xml.contains(&format!(
            "name=\"lentement\" startPosition=\"{u}\" endPosition=\"{}\"",
            u + 9
        )),
        "{xml}"
    );
    let refi = ws
        .run(&[
            "export",
            "--project",
            "study.vbt",
            "--coder",
            "Nadia",
            "--format",
            "qdpx",
            "--out",
            "standard.qdpx",
        ])
        .ok();
    // The default export says so too: one coding ("lentement") comes after
    // the emoji, in one source, and each tool's --target is named.
    for expected in [
        "1 coding(s) in 1 source(s) come after characters outside the Basic Multilingual Plane",
        "--target nvivo",
        "--target qualcoder",
        "--target atlasti",
        "--target maxqda",
    ] {
        assert!(
            refi.stdout.contains(expected),
            "{expected}: {}",
            refi.stdout
        );
    }
    // --target qualcoder counts as NVivo does.
    ws.run(&[
        "export",
        "--project",
        "study.vbt",
        "--coder",
        "Nadia",
        "--format",
        "qdpx",
        "--target",
        "qualcoder",
        "--out",
        "for-qualcoder.qdpx",
    ])
    .ok();
    let qc = String::from_utf8(entry(&ws.path("for-qualcoder.qdpx"), "project.qde")).unwrap();
    assert!(
        qc.contains(&format!(
            "name=\"lentement\" startPosition=\"{u}\" endPosition=\"{}\"",
            u + 9
        )),
        "{qc}"
    );
    let xml = String::from_utf8(entry(&ws.path("standard.qdpx"), "project.qde")).unwrap();
    assert!(
        xml.contains(&format!(
            "startPosition=\"{}\" endPosition=\"{}\"",
            span[0], span[1]
        )),
        "{xml}"
    );
}

#[test]
fn a_failed_import_leaves_the_study_as_it_was() {
    let ws = demo();
    let before = ws.dump();
    ws.write("broken.qdpx", b"PK\x03\x04 not really a zip");
    let run = ws.run(&[
        "import-project",
        "broken.qdpx",
        "--project",
        "study.vbt",
        "--as-coder",
        "x",
    ]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("broken.qdpx"), "{}", run.stderr);
    // An archive that climbs out of itself is refused whole.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(b"<Project name=\"p\"/>").unwrap();
    zip.start_file("../../evil.txt", options).unwrap();
    zip.write_all(b"x").unwrap();
    ws.write("evil.qdpx", zip.finish().unwrap().into_inner());
    let run = ws.run(&[
        "import-project",
        "evil.qdpx",
        "--project",
        "study.vbt",
        "--as-coder",
        "x",
    ]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("../../evil.txt"), "{}", run.stderr);
    assert_eq!(ws.dump(), before);

    // Without --as-coder an existing study is not touched either.
    let run = ws.run(&["import-project", "evil.qdpx", "--project", "study.vbt"]);
    assert!(run.stderr.contains("--as-coder"), "{}", run.stderr);
    assert_eq!(ws.dump(), before);

    // A failed import into a new study leaves no study behind.
    ws.write("bad.qde", b"<Project name=\"p\"><Sources><TextSource guid=\"a\"><PlainTextSelection guid=\"b\" startPosition=\"x\" endPosition=\"2\"/></TextSource></Sources></Project>");
    let run = ws.run(&["import-project", "bad.qde", "--project", "new.vbt"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("startPosition=\"x\""), "{}", run.stderr);
    let leftovers: Vec<String> = std::fs::read_dir(ws.path("."))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("new.vbt"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
