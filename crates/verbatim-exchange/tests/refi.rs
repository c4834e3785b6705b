//! REFI-QDA import against real producers' files and hand-built dialects.
//!
//! Every count asserted for a sample is counted again here, independently
//! of the importer, by a plain event walk over the file's XML; every
//! constructed file checks that codings land on the words a researcher
//! coded, whatever the producer counted.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::Event;
use verbatim_exchange::refi::{self, Caps, ImportOptions, ReadProject, RefiError, Report};
use verbatim_store::{ImportedCounts, SqliteStore, StudySettings};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/refi-qda/samples")
}

/// Counts elements by local name in an XML document (independent of the
/// importer's reader).
fn count_elements(xml: &[u8]) -> HashMap<String, usize> {
    let mut reader = Reader::from_reader(xml);
    let mut counts = HashMap::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name().as_ref().to_owned();
                *counts.entry(name).or_insert(0) += 1;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    counts
}

/// Returns the `.qde` inside a `.qdpx`, or the file itself.
fn qde_of(bytes: &[u8]) -> Vec<u8> {
    if !bytes.starts_with(b"PK") {
        return bytes.to_vec();
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let name = (0..zip.len())
        .filter_map(|i| {
            zip.name_for_index(i)
                .and_then(Result::ok)
                .map(|n| n.to_string())
        })
        .find(|n| n.to_lowercase().ends_with(".qde"))
        .unwrap();
    let mut out = Vec::new();
    zip.by_name(&name).unwrap().read_to_end(&mut out).unwrap();
    out
}

struct Imported {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    counts: ImportedCounts,
    report: Report,
    read: ReadProject,
}

fn import_bytes(bytes: &[u8], file: &str, folder: Option<&Path>) -> Imported {
    let read = refi::read_project(bytes, file, folder, folder, Caps::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::create(
        &dir.path().join("s.vbt"),
        &StudySettings::titled("import"),
        "tester",
    )
    .unwrap();
    let options = ImportOptions {
        as_coder: None,
        fallback_coder: "tester".into(),
        levels: store
            .levels()
            .unwrap()
            .into_iter()
            .map(|l| l.name)
            .collect(),
    };
    let (plan, report) = refi::plan_import(&read, &options);
    let counts = store.import_project("tester", &plan).unwrap();
    // The tests read every imported user's layer, as the team that
    // exported the project could: the study is revealed for them.
    store.reveal("tester").unwrap();
    Imported {
        _dir: dir,
        store,
        counts,
        report,
        read,
    }
}

fn import_sample(name: &str) -> (Imported, HashMap<String, usize>) {
    let path = samples().join(name);
    let bytes = std::fs::read(&path).unwrap();
    let counted = count_elements(&qde_of(&bytes));
    (import_bytes(&bytes, name, path.parent()), counted)
}

#[test]
fn every_project_sample_imports_with_the_counts_it_holds() {
    let projects = [
        "atlasti-23.2.3-win__blank-atlas-project.qdpx",
        "atlasti-23.2.3-win__target-atlas-project.qdpx",
        "maxqda-24.7.0__2025-06-16_ICLS_Conf_Themes_ALL_just10.qdpx",
        "nvivo-15.0.0-mac__nvivo_project.qdpx",
        "qc-1.3.2__demo.qdpx",
    ];
    for name in projects {
        let (imported, counted) = import_sample(name);
        let n = |e: &str| counted.get(e).copied().unwrap_or(0);
        let c = &imported.counts;
        assert_eq!(
            c.sources + c.sources_matched.len(),
            n("TextSource"),
            "{name}: sources"
        );
        assert_eq!(c.codes, n("Code"), "{name}: codes");
        assert_eq!(
            c.codings + c.codings_duplicate,
            n("Coding"),
            "{name}: codings"
        );
        assert_eq!(c.participants, n("Case"), "{name}: cases");
        assert!(
            imported.report.skipped.is_empty(),
            "{name}: {:?}",
            imported.report
        );
        let users = n("User");
        assert_eq!(
            imported.store.coders().unwrap().len(),
            users.max(usize::from(c.codings > 0)),
            "{name}: users"
        );
    }
}

#[test]
fn the_nvivo_sample_with_two_identical_texts_says_where_the_second_went_and_keeps_names() {
    let (imported, _) = import_sample("nvivo-15.0.0-mac__nvivo_project.qdpx");
    // Both sources hold a single line end: the study keeps one text.
    assert_eq!(imported.counts.sources, 1);
    assert_eq!(imported.counts.sources_matched.len(), 1);
    // Names are unique among siblings only: the 3 codes the file calls
    // "citizenship", under different parents, keep the name.
    assert!(
        !imported.report.notes.iter().any(|n| n.contains("renamed")),
        "{:?}",
        imported.report.notes
    );
    let conn = rusqlite::Connection::open(imported._dir.path().join("s.vbt")).unwrap();
    let citizenship: i64 = conn
        .query_row(
            "SELECT count(DISTINCT parent) FROM codes WHERE name = 'citizenship'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(citizenship, 3);
}

#[test]
fn qc_whole_line_selections_land_on_their_lines() {
    let (imported, counted) = import_sample("qc-1.3.2__demo.qdpx");
    assert_eq!(counted["PlainTextSelection"], 158);
    let scope = imported.store.scope("cp", true, true).unwrap();
    let codings = imported
        .store
        .codings(&scope, &verbatim_store::CodingFilter::default())
        .unwrap();
    assert_eq!(codings.len(), 205);
    // Each selection is named "line:N"; N counts lines from 0 in the file,
    // and the selection takes the whole line with its line end.
    let read = &imported.read;
    let mut checked = 0;
    for (source, raw) in read.project.sources.iter().zip(&read.texts) {
        let text = raw.as_ref().unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        let chars: Vec<char> = text.chars().collect();
        for sel in &source.selections {
            let n: usize = sel.name.as_ref().unwrap()["line:".len()..].parse().unwrap();
            let passage: String = chars[sel.start as usize..sel.end as usize].iter().collect();
            assert_eq!(passage, format!("{}\n", lines[n]), "{:?}", sel.name);
            checked += 1;
        }
    }
    assert_eq!(checked, 158);
}

#[test]
fn a_qde_without_its_source_files_reports_each_one() {
    let (imported, counted) = import_sample("atlasti-8.4.0-mac__spec-annexA2__Project.qde");
    assert_eq!(imported.counts.sources, 0);
    assert_eq!(imported.counts.codes, counted["Code"]);
    let missing = imported
        .report
        .skipped
        .iter()
        .filter(|s| s.contains("is not in"))
        .count();
    // Each text source's file and each transcript's is missing.
    assert_eq!(missing, counted["TextSource"] + counted["Transcript"]);
    let losses = imported.report.losses.join("\n");
    for kind in ["picture", "PDF", "audio", "video", "graph"] {
        assert!(losses.contains(kind), "{kind} missing from {losses}");
    }
    // Its two project notes and their memo links become memos.
    assert_eq!(imported.counts.memos, counted["Note"]);
}

#[test]
fn codebook_samples_read_with_their_codes() {
    let atlas =
        std::fs::read(samples().join("atlasti-23.4.0-win__requal-test-codebook.qdc")).unwrap();
    let (entries, report) = refi::read_codebook_with_report(&atlas, "atlas.qdc").unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name, "code1");
    assert_eq!(entries[0].definition.as_deref(), Some("description"));
    assert_eq!(entries[0].colour.as_deref(), Some("#46AA00"));
    assert_eq!(report.losses.len(), 1, "the code group is reported");
    let taguette = std::fs::read(samples().join("taguette-1.4.1__codebook.qdc")).unwrap();
    let names: Vec<String> = refi::read_codebook(&taguette)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["xsd:element name", "CodeBook", "Variables"]);
}

/// A zip holding `entries`.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The interview every constructed dialect codes: CRLF line ends, a BOM,
/// and emoji before the coded words.
const RAW: &str = "\u{FEFF}I: Comment ça va ? 😀\r\nP: Très bien 👍🏽, merci.\r\nI: Et la confiance ?\r\nP: Elle se gagne 🙂 lentement.\r\n";

/// Returns the producer's offset of `needle` in RAW under UTF-16 with CRLF as 2.
fn utf16_offset(needle: &str) -> (usize, usize) {
    let body = RAW.trim_start_matches('\u{FEFF}');
    let byte = body.find(needle).unwrap();
    let start = body[..byte].encode_utf16().count();
    (start, start + needle.encode_utf16().count())
}

fn nvivo_project(selections: &[(usize, usize, &str)], origin: &str) -> Vec<u8> {
    let mut sels = String::new();
    for (i, (s, e, name)) in selections.iter().enumerate() {
        sels.push_str(&format!(
            "<PlainTextSelection guid=\"{:08x}-0000-4000-8000-000000000001\" name=\"{name}\" startPosition=\"{s}\" endPosition=\"{e}\" creatingUser=\"AAAAAAAA-0000-4000-8000-000000000001\"><Coding guid=\"{:08x}-0000-4000-8000-000000000002\" creatingUser=\"AAAAAAAA-0000-4000-8000-000000000001\"><CodeRef targetGUID=\"{{CCCCCCCC-0000-4000-8000-000000000001}}\"/></Coding></PlainTextSelection>",
            i + 1,
            i + 1
        ));
    }
    let qde = format!(
        "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"confiance\" origin=\"{origin}\">\
         <Users><User guid=\"aaaaaaaa-0000-4000-8000-000000000001\" name=\"Nadia\"/></Users>\
         <CodeBook><Codes><Code guid=\"cccccccc-0000-4000-8000-000000000001\" name=\"Confiance\" isCodable=\"true\"/></Codes></CodeBook>\
         <Sources><TextSource guid=\"dddddddd-0000-4000-8000-000000000001\" name=\"Entretien 1\" plainTextPath=\"internal://DDDDDDDD-0000-4000-8000-000000000001.txt\">{sels}</TextSource></Sources></Project>"
    );
    zip_of(&[
        ("project.qde", qde.as_bytes()),
        (
            "Sources/dddddddd-0000-4000-8000-000000000001.txt",
            RAW.as_bytes(),
        ),
    ])
}

fn coded_passages(imported: &Imported) -> Vec<String> {
    let scope = imported.store.scope("Nadia", true, true).unwrap();
    let mut out: Vec<String> = imported
        .store
        .codings(&scope, &verbatim_store::CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| c.text)
        .collect();
    out.sort();
    out
}

#[test]
fn nvivo_offsets_with_emoji_and_crlf_land_on_the_coded_words() {
    // NVivo writes no names: the producer decides the convention.
    let bien = utf16_offset("Très bien 👍🏽, merci.");
    let gagne = utf16_offset("Elle se gagne 🙂 lentement.");
    let bytes = nvivo_project(
        &[(bien.0, bien.1, ""), (gagne.0, gagne.1, "")],
        "NVivo for Windows 12.6",
    );
    let imported = import_bytes(&bytes, "nvivo.qdpx", None);
    assert_eq!(
        coded_passages(&imported),
        ["Elle se gagne 🙂 lentement.", "Très bien 👍🏽, merci."]
    );
    assert!(imported.report.skipped.is_empty(), "{:?}", imported.report);
    assert!(
        imported.report.notes.iter().any(|n| n.contains("UTF-16")),
        "{:?}",
        imported.report.notes
    );
    // The stored text has \n line ends and no BOM.
    let scope = imported.store.scope("Nadia", false, false).unwrap();
    let _ = scope;
    let text = imported.read.texts[0].as_ref().unwrap();
    assert!(text.contains("\r\n"));
}

#[test]
fn quoted_names_override_a_wrong_guess_from_the_producer() {
    // Positions are NVivo's, but the origin says nothing about it: the
    // names, which quote the passages, decide.
    let bien = utf16_offset("Très bien 👍🏽");
    let gagne = utf16_offset("lentement");
    let bytes = nvivo_project(
        &[
            (bien.0, bien.1, "Très bien 👍🏽"),
            (gagne.0, gagne.1, "lentement"),
        ],
        "Some Tool 2.0",
    );
    let imported = import_bytes(&bytes, "tool.qdpx", None);
    assert_eq!(coded_passages(&imported), ["Très bien 👍🏽", "lentement"]);
}

#[test]
fn selections_that_cannot_be_placed_are_reported_not_misplaced() {
    let bien = utf16_offset("Très bien");
    let bytes = nvivo_project(
        &[
            (bien.0, bien.1, "Très bien"),
            (bien.0, bien.1, "autre chose"),
            (900, 950, "hors du texte"),
            (bien.1, bien.0, ""),
        ],
        "NVivo 14",
    );
    let imported = import_bytes(&bytes, "nvivo.qdpx", None);
    assert_eq!(coded_passages(&imported), ["Très bien"]);
    let skipped = imported.report.skipped.join("\n");
    assert_eq!(imported.report.skipped.len(), 3, "{skipped}");
    assert!(skipped.contains("autre chose"), "{skipped}");
    assert!(skipped.contains("hors du texte"), "{skipped}");
}

#[test]
fn dialects_read_alike() {
    // Draft namespace, braces and upper case in GUIDs, a date without zone,
    // a bare file name, a memo as a selection description (MAXQDA), a note
    // linked to a selection (NVivo), a note on a coding, a project note.
    let qde = r##"<?xml version="1.0"?>
<q:Project xmlns:q="urn:QDA-XML:project:0:10" name="p" origin="MAXQDA 2020">
 <q:Users><q:User guid="{AAAAAAAA-0000-4000-8000-000000000001}" name="Lena"/></q:Users>
 <q:CodeBook><q:Codes><q:Code guid="CCCCCCCC-0000-4000-8000-000000000001" name="Parent" isCodable="false"><q:Description>Ce qui tient.</q:Description><q:Code guid="CCCCCCCC-0000-4000-8000-000000000002" name="Child" isCodable="true" color="#0a0"/></q:Code></q:Codes></q:CodeBook>
 <q:Variables><q:Variable guid="eeeeeeee-0000-4000-8000-000000000001" name="age" typeOfVariable="Integer"/></q:Variables>
 <q:Cases><q:Case guid="ffffffff-0000-4000-8000-000000000001" name="P1"><q:VariableValue><q:VariableRef targetGUID="EEEEEEEE-0000-4000-8000-000000000001"/><q:IntegerValue>42</q:IntegerValue></q:VariableValue></q:Case></q:Cases>
 <q:Sources><q:TextSource guid="dddddddd-0000-4000-8000-000000000001" name="one" plainTextPath="one.txt" creationDateTime="2018-10-04T22:56:11">
  <q:PlainTextSelection guid="11111111-0000-4000-8000-000000000001" startPosition="0" endPosition="5" name="Hello"><q:Description>a greeting</q:Description></q:PlainTextSelection>
  <q:PlainTextSelection guid="11111111-0000-4000-8000-000000000002" startPosition="6" endPosition="11" name="world" creatingUser="aaaaaaaa-0000-4000-8000-000000000001"><q:Coding guid="22222222-0000-4000-8000-000000000001" creatingUser="aaaaaaaa-0000-4000-8000-000000000001"><q:CodeRef targetGUID="cccccccc-0000-4000-8000-000000000002"/><q:NoteRef targetGUID="33333333-0000-4000-8000-000000000002"/></q:Coding></q:PlainTextSelection>
 </q:TextSource></q:Sources>
 <q:Notes>
  <q:Note guid="33333333-0000-4000-8000-000000000001" name="on hello"><q:PlainTextContent>annotation</q:PlainTextContent></q:Note>
  <q:Note guid="33333333-0000-4000-8000-000000000002" name="on coding"><q:PlainTextContent>why world</q:PlainTextContent></q:Note>
  <q:Note guid="33333333-0000-4000-8000-000000000003" name="project"><q:PlainTextContent>overall</q:PlainTextContent></q:Note>
 </q:Notes>
 <q:Links><q:Link guid="44444444-0000-4000-8000-000000000001" originGUID="33333333-0000-4000-8000-000000000001" targetGUID="11111111-0000-4000-8000-000000000001"/></q:Links>
 <q:NoteRef targetGUID="33333333-0000-4000-8000-000000000003"/>
</q:Project>"##;
    let bytes = zip_of(&[
        ("Trial.qde", qde.as_bytes()),
        ("sources/one.txt", "\u{FEFF}Hello world".as_bytes()),
    ]);
    let imported = import_bytes(&bytes, "maxqda.qdpx", None);
    let c = &imported.counts;
    assert_eq!(
        (c.sources, c.codes, c.codings, c.participants),
        (1, 2, 1, 1)
    );
    // Selection description (MAXQDA), linked note (NVivo), coding note, project note.
    assert_eq!(c.memos, 4);
    assert!(imported.report.is_lossless(), "{:?}", imported.report);
    let scope = imported.store.scope("Lena", true, true).unwrap();
    let memos = imported
        .store
        .memos(&scope, &verbatim_store::MemoFilter::default())
        .unwrap();
    let mut kinds: Vec<(String, String)> = memos
        .iter()
        .map(|m| (m.target_kind.clone(), m.body.clone()))
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("coding".into(), "why world".into()),
            ("passage".into(), "a greeting".into()),
            ("passage".into(), "annotation".into()),
            ("study".into(), "overall".into()),
        ]
    );
    let participants = imported.store.participants().unwrap();
    assert_eq!(participants[0].code.as_deref(), Some("P1"));
    assert_eq!(
        participants[0].values,
        [("age".to_owned(), "42".to_owned())]
    );
}

#[test]
fn unsafe_archives_are_refused_whole() {
    let qde = b"<Project name=\"p\"/>".as_slice();
    for (entry, why) in [
        ("../evil.txt", "climbs"),
        ("/etc/evil.txt", "absolute"),
        ("sources/../../evil.txt", "climbs"),
    ] {
        let bytes = zip_of(&[("project.qde", qde), (entry, b"x")]);
        let err = refi::read_project(&bytes, "bad.qdpx", None, None, Caps::default()).unwrap_err();
        assert!(
            matches!(err, RefiError::UnsafeArchive { .. }),
            "{entry}: {err}"
        );
        assert!(err.to_string().contains(why), "{err}");
        assert!(err.to_string().contains("bad.qdpx"), "{err}");
    }
}

#[test]
fn a_symbolic_link_entry_is_refused() {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    w.start_file("project.qde", options).unwrap();
    w.write_all(b"<Project name=\"p\"/>").unwrap();
    w.add_symlink("sources/a.txt", "/etc/passwd", options)
        .unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let err = refi::read_project(&bytes, "link.qdpx", None, None, Caps::default()).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
}

#[test]
fn a_zip_bomb_stops_at_the_cap() {
    let zeros = vec![b' '; 4 * 1024 * 1024];
    let mut qde = b"<Project name=\"p\">".to_vec();
    qde.extend_from_slice(&zeros);
    qde.extend_from_slice(b"</Project>");
    let bytes = zip_of(&[("project.qde", &qde)]);
    assert!(
        bytes.len() < 64 * 1024,
        "the bomb is small: {}",
        bytes.len()
    );
    let caps = Caps {
        entry: 1024 * 1024,
        total: 2 * 1024 * 1024,
    };
    let err = refi::read_project(&bytes, "bomb.qdpx", None, None, caps).unwrap_err();
    assert!(matches!(err, RefiError::TooLarge { .. }), "{err}");
}

#[test]
fn invalid_xml_says_which_file_and_where() {
    let bytes = zip_of(&[("project.qde", b"<Project name=\"p\">\n<Users>\n</Project>")]);
    let err = refi::read_project(&bytes, "broken.qdpx", None, None, Caps::default()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("broken.qdpx/project.qde"), "{message}");
    assert!(message.contains("line 3"), "{message}");
    let err =
        refi::read_project(b"not xml at all", "x.qde", None, None, Caps::default()).unwrap_err();
    assert!(matches!(err, RefiError::BadXml { .. }), "{err}");
}

#[test]
fn a_bare_qde_finds_its_sources_beside_it_and_outside() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("Sources")).unwrap();
    std::fs::create_dir_all(dir.path().join("terrain")).unwrap();
    std::fs::write(dir.path().join("Sources/a.txt"), "Premier entretien").unwrap();
    std::fs::write(dir.path().join("terrain/b.txt"), "Second entretien").unwrap();
    let qde = r#"<Project xmlns="urn:QDA-XML:project:1:0" name="p" basePath="C:/Users/someone/elsewhere">
<Sources>
<TextSource guid="dddddddd-0000-4000-8000-000000000001" name="a" plainTextPath="internal://a.txt"/>
<TextSource guid="dddddddd-0000-4000-8000-000000000002" name="b" plainTextPath="relative:///terrain/b.txt"/>
<TextSource guid="dddddddd-0000-4000-8000-000000000003" name="c" plainTextPath="absolute:///nowhere/c.txt"/>
</Sources></Project>"#;
    let imported = import_bytes(qde.as_bytes(), "p.qde", Some(dir.path()));
    assert_eq!(imported.counts.sources, 2);
    assert_eq!(imported.report.skipped.len(), 1, "{:?}", imported.report);
    assert!(imported.report.skipped[0].contains("absolute:///nowhere/c.txt"));
}

#[test]
fn sources_outside_the_project_are_refused_unless_a_folder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("given/terrain")).unwrap();
    std::fs::write(dir.path().join("given/terrain/b.txt"), "Second entretien").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "clé privée").unwrap();
    let qde = |path: &str| {
        format!(
            r#"<Project xmlns="urn:QDA-XML:project:1:0" name="p"><Sources>
<TextSource guid="dddddddd-0000-4000-8000-000000000002" name="b" plainTextPath="{path}"/>
</Sources></Project>"#
        )
    };
    let read = |path: &str, from: Option<&Path>| {
        refi::read_project(qde(path).as_bytes(), "p.qde", None, from, Caps::default())
    };
    // No folder named: every outside path refuses the project.
    for path in [
        "absolute:///etc/hostname",
        "relative://../../../etc/hostname",
        "relative:///terrain/b.txt",
    ] {
        let err = read(path, None).unwrap_err();
        assert!(matches!(err, RefiError::OutsideProject { .. }), "{err}");
        assert!(
            err.to_string()
                .contains(&format!("source {path} lies outside the project")),
            "{err}"
        );
        assert!(err.to_string().contains("--sources-from DIR"), "{err}");
    }
    // A folder named: its files are read, a path leaving it is refused.
    let given = dir.path().join("given");
    let ok = read("relative:///terrain/b.txt", Some(&given)).unwrap();
    assert_eq!(ok.texts, [Some("Second entretien".to_owned())]);
    let err = read("relative://../secret.txt", Some(&given)).unwrap_err();
    assert!(matches!(err, RefiError::OutsideProject { .. }), "{err}");
    // An absolute path outside the folder is looked up by name inside it.
    let by_name = read("absolute:///elsewhere/terrain/secret.txt", Some(&given)).unwrap();
    assert_eq!(by_name.texts, [None]);
    let abs = dir.path().join("secret.txt");
    let outside = read(&format!("absolute://{}", abs.display()), Some(&given)).unwrap();
    assert_eq!(
        outside.texts,
        [None],
        "a file outside the folder is never read"
    );
}
