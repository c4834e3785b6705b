//! Bounded fuzzers for the project and codebook readers.
//!
//! `import-project` and `import-codebook` take files from other programs
//! and other people: a REFI-QDA project (`.qdpx` zip or bare `.qde` XML),
//! a `.qdc` codebook, a QualCoder `data.qda` (SQLite) or a codebook
//! spreadsheet. Each fuzzer starts from a well-formed file generated here
//! (codes nested in codes, sources with selections, cases, variables,
//! notes, sets, links), mutates it, reads it through the public entry
//! point and, when it reads, plans its import, so mutations reach the
//! planner's offset and hierarchy code. The property: an answer or a typed
//! refusal whose message is one line, never a panic.
//! `VERBATIM_FUZZ_CASES` raises the case count for a longer run.

use std::io::{Cursor, Write};

use proptest::prelude::*;
use proptest::sample::Index;
use verbatim_exchange::refi::{self, Caps, ImportOptions, qualcoder};
use verbatim_exchange::sheets::codebook_in::{SheetKind, read_codebook_sheet};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

fn cases() -> u32 {
    std::env::var("VERBATIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// One change to a file's bytes.
#[derive(Debug, Clone)]
enum Edit {
    Set(Index, u8),
    Insert(Index, Index),
    Delete(Index, u8),
    Repeat(Index, u8, u8),
}

/// Snippets that matter to the XML reader, the offsets and the paths.
const SNIPPETS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "&amp;",
    "&#xD800;",
    "&e;",
    "<!DOCTYPE p [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>",
    "<!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>",
    "<Code guid=\"cccccccc-0000-4000-8000-000000000001\" name=\"Confiance\" isCodable=\"true\">",
    "</Code>",
    "<PlainTextSelection guid=\"eeeeeeee-0000-4000-8000-000000000009\" startPosition=\"5\" endPosition=\"2\">",
    "startPosition=\"-1\" ",
    "endPosition=\"18446744073709551616\" ",
    "endPosition=\"99999999\" ",
    "plainTextPath=\"relative://../../etc/hostname\" ",
    "plainTextPath=\"absolute:///dev/zero\" ",
    "plainTextPath=\"internal://nope.txt\" ",
    "guid=\"not-a-guid\" ",
    "targetGUID=\"cccccccc-0000-4000-8000-000000000001\" ",
    "typeOfVariable=\"Integer\" ",
    "<IntegerValue>x</IntegerValue>",
    "\u{202e}",
    "😊",
    "\r\n",
    "\0",
    "\"",
];

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(at, b)| Edit::Set(at, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(at, s)| Edit::Insert(at, s)),
        (any::<Index>(), 1u8..32).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<Index>(), 1u8..24, 2u8..64).prop_map(|(at, n, k)| Edit::Repeat(at, n, k)),
    ];
    proptest::collection::vec(edit, 1..8)
}

/// Returns `bytes` with every edit applied, then cut at `cut` when given.
fn mutate(mut bytes: Vec<u8>, edits: &[Edit], cut: Option<Index>) -> Vec<u8> {
    for edit in edits {
        match edit {
            Edit::Set(i, b) if !bytes.is_empty() => {
                let pos = i.index(bytes.len());
                bytes[pos] = *b;
            }
            Edit::Set(..) => {}
            Edit::Insert(i, s) => {
                let pos = i.index(bytes.len() + 1);
                let snippet = SNIPPETS[s.index(SNIPPETS.len())].as_bytes();
                bytes.splice(pos..pos, snippet.iter().copied());
            }
            Edit::Delete(i, n) => {
                let pos = i.index(bytes.len() + 1);
                let end = (pos + usize::from(*n)).min(bytes.len());
                bytes.drain(pos..end);
            }
            Edit::Repeat(i, n, k) => {
                let pos = i.index(bytes.len() + 1);
                let end = (pos + usize::from(*n)).min(bytes.len());
                let stretch = bytes[pos..end].repeat(usize::from(*k));
                bytes.splice(pos..pos, stretch);
            }
        }
    }
    if let Some(cut) = cut {
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep);
    }
    bytes
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in entries {
        writer
            .start_file(*name, SimpleFileOptions::default())
            .expect("start entry");
        writer.write_all(content).expect("write entry");
    }
    writer.finish().expect("finish zip").into_inner()
}

const TEXT_1: &str =
    "INT : Comment ça va ?\r\nNADIA : Très bien 👍, merci. La confiance se gagne lentement.\r\n";
const TEXT_2: &str = "INT : Et l'école ?\nMARC : C'était dur, très dur. שלום\n";

/// A project using every element the reader knows: users, nested codes,
/// variables, cases, a source inside the archive and one inline, text
/// selections with codings and notes, sets and links.
fn qde() -> String {
    r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="confiance" origin="verbatim fuzz">
<Users><User guid="aaaaaaaa-0000-4000-8000-000000000001" name="Nadia"/><User guid="aaaaaaaa-0000-4000-8000-000000000002" name="Marc"/></Users>
<CodeBook><Codes>
<Code guid="cccccccc-0000-4000-8000-000000000001" name="Confiance" isCodable="true" color="#aabbcc"><Description>Croire en l'autre. Critère : le dit.</Description>
<Code guid="cccccccc-0000-4000-8000-000000000002" name="Méfiance" isCodable="true"><Code guid="cccccccc-0000-4000-8000-000000000003" name="Contrôle excessif" isCodable="true"/></Code>
</Code>
<Code guid="cccccccc-0000-4000-8000-000000000004" name="Thèmes" isCodable="false"/>
</Codes></CodeBook>
<Variables><Variable guid="bbbbbbbb-0000-4000-8000-000000000001" name="âge" typeOfVariable="Integer"/><Variable guid="bbbbbbbb-0000-4000-8000-000000000002" name="site" typeOfVariable="Text"/></Variables>
<Cases><Case guid="ffffffff-0000-4000-8000-000000000001" name="Nadia"><VariableValue><VariableRef targetGUID="bbbbbbbb-0000-4000-8000-000000000001"/><IntegerValue>34</IntegerValue></VariableValue><VariableValue><VariableRef targetGUID="bbbbbbbb-0000-4000-8000-000000000002"/><TextValue>Lyon</TextValue></VariableValue><SourceRef targetGUID="dddddddd-0000-4000-8000-000000000001"/></Case></Cases>
<Sources>
<TextSource guid="dddddddd-0000-4000-8000-000000000001" name="Entretien 1" plainTextPath="internal://dddddddd-0000-4000-8000-000000000001.txt" creatingUser="aaaaaaaa-0000-4000-8000-000000000001">
<PlainTextSelection guid="eeeeeeee-0000-4000-8000-000000000001" startPosition="32" endPosition="42" creatingUser="aaaaaaaa-0000-4000-8000-000000000001"><Description>dit en souriant</Description><Coding guid="99999999-0000-4000-8000-000000000001" creatingUser="aaaaaaaa-0000-4000-8000-000000000001"><CodeRef targetGUID="cccccccc-0000-4000-8000-000000000001"/></Coding></PlainTextSelection>
<PlainTextSelection guid="eeeeeeee-0000-4000-8000-000000000002" startPosition="55" endPosition="82" creatingUser="aaaaaaaa-0000-4000-8000-000000000002"><Coding guid="99999999-0000-4000-8000-000000000002" creatingUser="aaaaaaaa-0000-4000-8000-000000000002"><CodeRef targetGUID="cccccccc-0000-4000-8000-000000000003"/></Coding><NoteRef targetGUID="12121212-0000-4000-8000-000000000001"/></PlainTextSelection>
</TextSource>
<TextSource guid="dddddddd-0000-4000-8000-000000000002" name="Entretien 2"><PlainTextContent>"##
        .to_owned()
        + TEXT_2
        + r#"</PlainTextContent>
<PlainTextSelection guid="eeeeeeee-0000-4000-8000-000000000003" startPosition="30" endPosition="33"><Coding guid="99999999-0000-4000-8000-000000000003"><CodeRef targetGUID="cccccccc-0000-4000-8000-000000000002"/></Coding></PlainTextSelection>
</TextSource>
</Sources>
<Notes><Note guid="12121212-0000-4000-8000-000000000001" name="À relire" creatingUser="aaaaaaaa-0000-4000-8000-000000000001"><PlainTextContent>Elle parlait vite.</PlainTextContent></Note></Notes>
<Links><Link guid="34343434-0000-4000-8000-000000000001" name="suit" direction="OneWay" originGUID="eeeeeeee-0000-4000-8000-000000000001" targetGUID="eeeeeeee-0000-4000-8000-000000000002"/></Links>
<Sets><Set guid="56565656-0000-4000-8000-000000000001" name="Lyon"><MemberSource targetGUID="dddddddd-0000-4000-8000-000000000001"/><MemberCode targetGUID="cccccccc-0000-4000-8000-000000000002"/></Set></Sets>
</Project>"#
}

fn qdpx(qde: &[u8], text: &[u8]) -> Vec<u8> {
    zip_of(&[
        ("project.qde", qde),
        ("sources/dddddddd-0000-4000-8000-000000000001.txt", text),
    ])
}

/// A codebook: nested codes, descriptions, a set.
fn qdc() -> String {
    r#"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="verbatim fuzz"><Codes>
<Code guid="cccccccc-0000-4000-8000-000000000001" name="Confiance" isCodable="true"><Description>Définition : croire en l'autre.
Critères : le participant le dit.</Description>
<Code guid="cccccccc-0000-4000-8000-000000000002" name="Méfiance" isCodable="true"/></Code>
<Code guid="cccccccc-0000-4000-8000-000000000003" name="Temps" isCodable="false"/>
</Codes><Sets><Set guid="56565656-0000-4000-8000-000000000001" name="tout"><MemberCode targetGUID="cccccccc-0000-4000-8000-000000000003"/></Set></Sets></CodeBook>"#
        .to_owned()
}

/// Asserts that `message` is one non-empty line.
fn one_line(what: &str, message: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !message.is_empty() && !message.contains('\n'),
        "{what}: refusal is not one line: {message:?}"
    );
    Ok(())
}

/// Reads a project and, when it reads, plans its import.
fn project_is_clean(bytes: &[u8], file: &str) -> Result<(), TestCaseError> {
    match refi::read_project(bytes, file, None, None, Caps::default()) {
        Ok(read) => {
            let options = ImportOptions {
                as_coder: None,
                fallback_coder: "fuzz".into(),
                levels: vec!["novice".into(), "expert".into()],
            };
            let _ = refi::plan_import(&read, &options);
            Ok(())
        }
        Err(e) => one_line(file, &e.to_string()),
    }
}

#[test]
fn the_seeds_read_and_plan_with_their_codings() {
    let read = refi::read_project(
        &qdpx(qde().as_bytes(), TEXT_1.as_bytes()),
        "seed.qdpx",
        None,
        None,
        Caps::default(),
    )
    .expect("seed project reads");
    // Two sources, four codes (one not codable), three selections.
    assert_eq!(read.project.sources.len(), 2);
    assert_eq!(read.texts.iter().flatten().count(), 2);
    assert_eq!(read.project.codes.len(), 2, "two top-level codes");
    let entries = refi::read_codebook(qdc().as_bytes()).expect("seed codebook reads");
    // Two top-level codes, the first holding one.
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].children.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn qde_xml_mutated_gives_a_project_or_one_refusal(
        edits in edits(),
        cut in proptest::option::of(any::<Index>()),
    ) {
        let bytes = mutate(qde().into_bytes(), &edits, cut);
        if !bytes.starts_with(b"PK") {
            project_is_clean(&bytes, "fuzz.qde")?;
        }
    }

    #[test]
    fn qde_mutated_inside_a_sound_qdpx_gives_a_project_or_one_refusal(
        edits in edits(),
        text_edits in edits(),
    ) {
        let qde = mutate(qde().into_bytes(), &edits, None);
        let text = mutate(TEXT_1.as_bytes().to_vec(), &text_edits, None);
        project_is_clean(&qdpx(&qde, &text), "fuzz.qdpx")?;
    }

    #[test]
    fn qdpx_archives_damaged_give_a_project_or_one_refusal(
        edits in edits(),
        cut in proptest::option::of(any::<Index>()),
    ) {
        let bytes = mutate(qdpx(qde().as_bytes(), TEXT_1.as_bytes()), &edits, cut);
        project_is_clean(&bytes, "fuzz.qdpx")?;
    }

    #[test]
    fn random_bytes_give_a_project_or_one_refusal(
        zipped in any::<bool>(),
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut bytes = bytes;
        if zipped {
            bytes.splice(0..0, *b"PK\x03\x04");
        }
        project_is_clean(&bytes, "fuzz.qdpx")?;
    }

    #[test]
    fn qdc_codebooks_mutated_give_codes_or_one_refusal(
        edits in edits(),
        cut in proptest::option::of(any::<Index>()),
    ) {
        let bytes = mutate(qdc().into_bytes(), &edits, cut);
        if let Err(e) = refi::read_codebook_with_report(&bytes, "fuzz.qdc") {
            one_line("fuzz.qdc", &e.to_string())?;
        }
    }

    #[test]
    fn codebook_sheets_mutated_give_codes_or_one_refusal(
        edits in edits(),
        cut in proptest::option::of(any::<Index>()),
    ) {
        let seed = "code;parent;définition;critères;exemple\r\n\
            Confiance;;Croire en l'autre;le dit;\"« je lui fais confiance »\"\r\n\
            Méfiance;Confiance;;;\r\n\
            Contrôle excessif;Méfiance;\"sur \"\"tout\"\"\";;\r\n";
        let bytes = mutate(seed.as_bytes().to_vec(), &edits, cut);
        if let Err(e) = read_codebook_sheet(SheetKind::Csv, &bytes, &[]) {
            one_line("codebook.csv", &e.to_string())?;
        }
    }
}

// ---- QualCoder ----

/// QualCoder's tables, as every version read has them.
const QUALCODER_SCHEMA: &str = "
CREATE TABLE project (databaseversion text, date text, memo text, about text);
CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, memo text, owner text, date text, unique(name));
CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, memo text, supercatid integer, unique(name));
CREATE TABLE code_name (cid integer primary key, name text, memo text, owner text, date text, catid integer, color text, unique(name));
CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer, seltext text, pos0 integer, pos1 integer, owner text, date text, memo text, avid integer, important integer);
CREATE TABLE cases (caseid integer primary key, name text, memo text, owner text, date text, unique(name));
CREATE TABLE case_text (id integer primary key, caseid integer, fid integer, pos0 integer, pos1 integer, owner text, date text, memo text);
CREATE TABLE journal (jid integer primary key, name text, jentry text, date text, owner text);
CREATE TABLE attribute_type (name text primary key, date text, owner text, memo text, caseOrFile text, valuetype text);
CREATE TABLE attribute (attrid integer primary key, name text, attr_type text, value text, id integer, date text, owner text);
";

/// What a hostile or damaged QualCoder project may hold in its rows.
#[derive(Debug, Clone)]
struct Rows {
    /// Category parents (`supercatid`), which may form a loop.
    parents: [Option<i64>; 3],
    /// Each code's category.
    code_cats: [Option<i64>; 3],
    /// Codings: code, source, positions (any integers).
    codings: Vec<(i64, i64, i64, i64)>,
    /// Case spans: source, positions.
    case_spans: Vec<(i64, i64, i64)>,
    /// A source's text is replaced by these bytes (stored as a blob).
    blob_text: Option<Vec<u8>>,
}

fn rows() -> impl Strategy<Value = Rows> {
    let id = proptest::option::of(0i64..5);
    let pos = prop_oneof![-3i64..200, Just(i64::MAX), Just(i64::MIN), Just(1 << 40)];
    (
        [id.clone(), id.clone(), id.clone()],
        [id.clone(), id.clone(), id],
        proptest::collection::vec((0i64..5, 0i64..5, pos.clone(), pos.clone()), 0..6),
        proptest::collection::vec((0i64..5, pos.clone(), pos), 0..3),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
    )
        .prop_map(
            |(parents, code_cats, codings, case_spans, blob_text)| Rows {
                parents,
                code_cats,
                codings,
                case_spans,
                blob_text,
            },
        )
}

/// Writes a `data.qda` holding `rows` into `dir` and returns its path.
fn qualcoder_project(dir: &std::path::Path, rows: &Rows) -> std::path::PathBuf {
    let path = dir.join("data.qda");
    let _ = std::fs::remove_file(&path);
    let mut conn = rusqlite::Connection::open(&path).expect("create data.qda");
    // One transaction and no fsync: a case takes milliseconds, not a
    // third of a second.
    conn.execute_batch("PRAGMA synchronous = OFF")
        .expect("pragma");
    let conn = conn.transaction().expect("begin");
    conn.execute_batch(QUALCODER_SCHEMA).expect("schema");
    let when = "2024-03-05 10:11:12";
    conn.execute(
        "INSERT INTO source VALUES (1, 'Entretien 1', ?1, NULL, NULL, 'nadia', ?3), \
         (2, 'Entretien 2', ?2, NULL, NULL, 'marc', ?3), \
         (3, 'son.mp3', NULL, '/audio/e.mp3', NULL, 'nadia', ?3)",
        rusqlite::params![TEXT_1, TEXT_2, when],
    )
    .expect("sources");
    if let Some(blob) = &rows.blob_text {
        conn.execute("UPDATE source SET fulltext = ?1 WHERE id = 2", [blob])
            .expect("blob text");
    }
    for (i, parent) in rows.parents.iter().enumerate() {
        conn.execute(
            "INSERT INTO code_cat VALUES (?1, ?2, 'nadia', ?3, NULL, ?4)",
            rusqlite::params![i as i64 + 1, format!("Catégorie {i}"), when, parent],
        )
        .expect("category");
    }
    for (i, cat) in rows.code_cats.iter().enumerate() {
        conn.execute(
            "INSERT INTO code_name VALUES (?1, ?2, NULL, 'nadia', ?3, ?4, '#aabbcc')",
            rusqlite::params![i as i64 + 1, format!("Code {i} 😊"), when, cat],
        )
        .expect("code");
    }
    for (cid, fid, p0, p1) in &rows.codings {
        conn.execute(
            "INSERT INTO code_text (cid, fid, seltext, pos0, pos1, owner, date, memo, important) \
             VALUES (?1, ?2, 'x', ?3, ?4, 'nadia', ?5, NULL, NULL)",
            rusqlite::params![cid, fid, p0, p1, when],
        )
        .expect("coding");
    }
    conn.execute(
        "INSERT INTO cases VALUES (1, 'Nadia', NULL, 'nadia', ?1)",
        [when],
    )
    .expect("case");
    for (fid, p0, p1) in &rows.case_spans {
        conn.execute(
            "INSERT INTO case_text (caseid, fid, pos0, pos1, owner, date) VALUES (1, ?1, ?2, ?3, 'nadia', ?4)",
            rusqlite::params![fid, p0, p1, when],
        )
        .expect("case span");
    }
    conn.execute_batch(
        "INSERT INTO journal VALUES (1, 'Après Nadia', 'À relire.', '2024-03-05 12:00:00', 'nadia');
         INSERT INTO attribute_type VALUES ('âge', '2024-03-05', 'nadia', NULL, 'case', 'numeric');
         INSERT INTO attribute VALUES (1, 'âge', 'case', 'trente', 1, '2024-03-05', 'nadia');",
    )
    .expect("journal and attributes");
    conn.commit().expect("commit");
    path
}

/// Reads a QualCoder project and, when it reads, plans its import.
fn qualcoder_is_clean(path: &std::path::Path) -> Result<(), TestCaseError> {
    match qualcoder::read_qualcoder(path, "data.qda") {
        Ok(read) => {
            let options = ImportOptions {
                as_coder: None,
                fallback_coder: "fuzz".into(),
                levels: Vec::new(),
            };
            let _ = refi::plan_import(&read, &options);
            Ok(())
        }
        Err(e) => one_line("data.qda", &e.to_string()),
    }
}

proptest! {
    // Each case writes an SQLite file: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(cases() / 4))]

    #[test]
    fn qualcoder_rows_hostile_give_a_project_or_one_refusal(rows in rows()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = qualcoder_project(dir.path(), &rows);
        qualcoder_is_clean(&path)?;
    }

    #[test]
    fn qualcoder_files_damaged_give_a_project_or_one_refusal(
        edits in proptest::collection::vec((any::<Index>(), any::<u8>()), 1..16),
        cut in proptest::option::of(any::<Index>()),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("data.qda");
        let mut bytes = sound_qualcoder_bytes().to_vec();
        // Bytes anywhere: the header (not SQLite any more), the schema
        // page (tables unreadable) or the rows' pages.
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Some(cut) = cut {
            let keep = cut.index(bytes.len() + 1);
            bytes.truncate(keep);
        }
        std::fs::write(&path, &bytes).expect("write data.qda");
        qualcoder_is_clean(&path)?;
    }
}

/// The bytes of a sound QualCoder project, written once.
fn sound_qualcoder_bytes() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let seed = Rows {
            parents: [None, Some(1), Some(2)],
            code_cats: [Some(1), Some(3), None],
            codings: vec![(1, 1, 32, 42), (2, 2, 30, 33)],
            case_spans: vec![(1, 0, 20)],
            blob_text: None,
        };
        let path = qualcoder_project(dir.path(), &seed);
        std::fs::read(path).expect("read data.qda")
    })
}

#[test]
fn a_sound_qualcoder_project_reads_with_its_codings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("data.qda");
    std::fs::write(&path, sound_qualcoder_bytes()).expect("write");
    let read = qualcoder::read_qualcoder(&path, "data.qda").expect("reads");
    // Two text sources (the .mp3 has no text).
    assert_eq!(read.texts.iter().flatten().count(), 2);
}

#[test]
fn a_qualcoder_category_loop_is_read_or_refused_not_followed_forever() {
    // Categories 1 -> 2 -> 3 -> 1: a loop no QualCoder writes, but a
    // damaged or hand-edited project may hold.
    let dir = tempfile::tempdir().expect("temp dir");
    let rows = Rows {
        parents: [Some(3), Some(1), Some(2)],
        code_cats: [Some(1), Some(2), Some(3)],
        codings: vec![(1, 1, 32, 42)],
        case_spans: Vec::new(),
        blob_text: None,
    };
    let path = qualcoder_project(dir.path(), &rows);
    if let Err(e) = qualcoder::read_qualcoder(&path, "data.qda") {
        assert!(!e.to_string().contains('\n'), "{e}");
    }
}
