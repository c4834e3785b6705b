//! Bounded fuzzers for every importer, through the public entry points.
//!
//! Each format's unit tests fuzz its own reader; these go through what the
//! CLI calls (`read_bytes`: reader, then assembly and speaker detection;
//! `read_sheet_bytes` for rosters), starting from a well-formed file of
//! that format generated here, so that mutations reach deep code and not
//! only the first check. The property is the one a user relies on: any
//! bytes give a source or a typed refusal whose message is one line, never
//! a panic. `VERBATIM_FUZZ_CASES` raises the case count for a longer run.

use std::io::{Cursor, Write};

use proptest::prelude::*;
use proptest::sample::Index;
use verbatim_core::Format;
use verbatim_ingest::{Options, read_bytes, read_sheet_bytes};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

/// Cases per fuzzer: a few hundred keeps each under a few seconds in a
/// debug build.
fn cases() -> u32 {
    std::env::var("VERBATIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// One change to a file's bytes.
#[derive(Debug, Clone)]
enum Edit {
    /// Overwrite one byte.
    Set(Index, u8),
    /// Insert a snippet that matters to some parser.
    Insert(Index, Index),
    /// Delete up to 32 bytes.
    Delete(Index, u8),
    /// Repeat a stretch (deep nesting, long lines).
    Repeat(Index, u8, u8),
}

/// Snippets a mutation inserts: markup, escapes, encodings' edge bytes.
const SNIPPETS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"&amp;",
    b"&#xD800;",
    b"&bogus;",
    b"<![CDATA[",
    b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>",
    b"{",
    b"}",
    b"\\",
    b"\\bin99999 ",
    b"\\u-5000?",
    b"\\'e9",
    b"-->",
    b"00:00:01.000 --> 00:00:00.500\n",
    b"99:99:99,999 --> 00:00:01,000\n",
    b"<v Marie>",
    b"\n\n",
    b"\r",
    b"\0",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\xf0\x9f\x98\x8a",
    "\u{202e}\u{5e9}\u{5dc}\u{5d5}\u{5dd}".as_bytes(),
    b"INT : ",
    b"MARIE (ENQ) : ",
    b"(0:11 - 0:15) ",
    b" obj ",
    b"endobj",
    b"stream\n",
    b"R ",
    b"/Length 999999999 ",
    b"\"",
    b";",
    b",",
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
        let at = |i: &Index, len: usize| i.index(len + 1);
        match edit {
            Edit::Set(i, b) if !bytes.is_empty() => {
                let pos = i.index(bytes.len());
                bytes[pos] = *b;
            }
            Edit::Set(..) => {}
            Edit::Insert(i, s) => {
                let pos = at(i, bytes.len());
                let snippet = SNIPPETS[s.index(SNIPPETS.len())];
                bytes.splice(pos..pos, snippet.iter().copied());
            }
            Edit::Delete(i, n) => {
                let pos = at(i, bytes.len());
                let end = (pos + usize::from(*n)).min(bytes.len());
                bytes.drain(pos..end);
            }
            Edit::Repeat(i, n, k) => {
                let pos = at(i, bytes.len());
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

/// Returns a zip archive holding `entries` (stored in order).
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

const INTERVIEW: &str = "INT : Bonjour, merci d'être venue.\n\
    MARIE : Je travaille à l'hôpital depuis huit ans. 😊\n\
    INT (ENQ) : Et l'été dernier ?\n\
    MARIE : (0:11 - 0:15) Fatiguée, vraiment. שלום\n";

const DOCX_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;
const DOCX_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// The XML of a Word body: bold speaker labels, a table, a comment anchor.
fn docx_xml() -> String {
    let paras: String = INTERVIEW
        .lines()
        .map(|line| {
            let (label, speech) = line.split_once(" : ").unwrap_or(("", line));
            format!(
                r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{label} :</w:t></w:r><w:r><w:t xml:space="preserve"> {speech}</w:t></w:r></w:p>"#
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{paras}<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cellule</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:commentRangeStart w:id="0"/><w:r><w:t>note</w:t></w:r><w:commentRangeEnd w:id="0"/></w:p></w:body></w:document>"#
    )
}

fn docx(document: &[u8]) -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", DOCX_TYPES.as_bytes()),
        ("_rels/.rels", DOCX_RELS.as_bytes()),
        ("word/document.xml", document),
    ])
}

/// The XML of an OpenDocument text: paragraphs, a heading, a list, a note.
fn odt_xml() -> String {
    let paras: String = INTERVIEW
        .lines()
        .map(|line| format!("<text:p>{line}</text:p>"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:h text:outline-level="1">Entretien</text:h>{paras}<text:list><text:list-item><text:p>un<text:s text:c="3"/>deux<text:tab/>trois</text:p></text:list-item></text:list><text:p>fin<text:note><text:note-body><text:p>bas de page</text:p></text:note-body></text:note></text:p></office:text></office:body></office:document-content>"#
    )
}

fn odt(content: &[u8]) -> Vec<u8> {
    zip_of(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", content),
    ])
}

fn rtf() -> Vec<u8> {
    let mut out = String::from("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}");
    for line in INTERVIEW.lines() {
        let (label, speech) = line.split_once(" : ").unwrap_or(("", line));
        let speech: String = speech
            .chars()
            .map(|c| match c {
                c if c.is_ascii() => c.to_string(),
                c => format!("\\u{}?", c as u32 as i16),
            })
            .collect();
        out.push_str(&format!("{{\\b {label} :}} {speech}\\par\n"));
    }
    out.push_str("{\\*\\annotation commentaire}\\'e9t\\'e9\\par}");
    out.into_bytes()
}

fn html() -> Vec<u8> {
    let paras: String = INTERVIEW
        .lines()
        .map(|line| {
            let (label, speech) = line.split_once(" : ").unwrap_or(("", line));
            format!("<p><b>{label} :</b> {speech}</p>\n")
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title><style>p{{}}</style><script>var x = '<p>';</script></head><body><h1>Entretien</h1>{paras}<table><tr><td>a</td><td>b</td></tr></table><ul><li>un</li></ul></body></html>"
    )
    .into_bytes()
}

fn vtt() -> Vec<u8> {
    b"WEBVTT\n\nNOTE commentaire\n\n1\n00:00:01.000 --> 00:00:04.000\n<v Marie>Bonjour, je travaille.\n\n00:00:04.500 --> 00:00:06.000 align:start\n<v INT>Depuis quand ?</v>\n\n00:01:00.000 --> 00:01:02.500\n- Huit ans.\n".to_vec()
}

fn srt() -> Vec<u8> {
    "1\n00:00:01,000 --> 00:00:04,000\nMARIE : Bonjour, je travaille.\n\n2\n00:00:04,500 --> 00:00:06,000\nINT : Depuis quand ? été\n\n".as_bytes().to_vec()
}

/// A one-page PDF drawing two paragraphs with Helvetica.
fn pdf() -> Vec<u8> {
    let content = "BT /F1 12 Tf 72 720 Td (MARIE : Alors, l'\\351t\\351 dernier) Tj 0 -14 Td (fatigu\\351e par le tra-) Tj 0 -14 Td (vail.) Tj 0 -40 Td (INT : Oui.) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// Reads `bytes` as `format` through the public entry point and checks the
/// answer: a source, or a refusal whose message is one non-empty line.
fn read_is_clean(format: Format, bytes: &[u8]) -> Result<(), TestCaseError> {
    match read_bytes("fuzz", format, bytes, &Options::default()) {
        Ok(_) => Ok(()),
        Err(e) => {
            let message = e.to_string();
            prop_assert!(
                !message.is_empty() && !message.contains('\n'),
                "{format:?}: refusal is not one line: {message:?}"
            );
            Ok(())
        }
    }
}

/// The well-formed starting file of each byte-level format.
fn seed(format: Format) -> Vec<u8> {
    match format {
        Format::Txt | Format::Md => INTERVIEW.as_bytes().to_vec(),
        Format::Docx => docx(docx_xml().as_bytes()),
        Format::Odt => odt(odt_xml().as_bytes()),
        Format::Rtf => rtf(),
        Format::Html => html(),
        Format::Pdf => pdf(),
        Format::Vtt => vtt(),
        Format::Srt => srt(),
    }
}

#[test]
fn every_seed_reads_as_a_source() {
    // The seeds must be well formed, or the fuzzers below would only ever
    // exercise the first check of each reader.
    for format in [
        Format::Txt,
        Format::Docx,
        Format::Odt,
        Format::Rtf,
        Format::Html,
        Format::Pdf,
        Format::Vtt,
        Format::Srt,
    ] {
        let source = read_bytes("seed", format, &seed(format), &Options::default())
            .unwrap_or_else(|e| panic!("{format:?} seed: {e}"));
        assert!(
            source.text().contains("travail"),
            "{format:?}: {:?}",
            source.text()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn text_formats_mutated_give_a_source_or_one_refusal(
        which in 0usize..5,
        edits in edits(),
        cut in proptest::option::of(any::<Index>()),
    ) {
        let format = [Format::Txt, Format::Rtf, Format::Html, Format::Vtt, Format::Srt][which];
        read_is_clean(format, &mutate(seed(format), &edits, cut))?;
    }

    #[test]
    fn random_bytes_in_every_format_give_a_source_or_one_refusal(
        which in 0usize..9,
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let format = [
            Format::Txt, Format::Md, Format::Docx, Format::Odt, Format::Rtf,
            Format::Html, Format::Pdf, Format::Vtt, Format::Srt,
        ][which];
        read_is_clean(format, &bytes)?;
    }

    #[test]
    fn office_xml_mutated_inside_a_sound_zip_gives_a_source_or_one_refusal(
        odt_not_docx in any::<bool>(),
        edits in edits(),
    ) {
        if odt_not_docx {
            read_is_clean(Format::Odt, &odt(&mutate(odt_xml().into_bytes(), &edits, None)))?;
        } else {
            read_is_clean(Format::Docx, &docx(&mutate(docx_xml().into_bytes(), &edits, None)))?;
        }
    }

    #[test]
    fn zip_containers_damaged_give_a_source_or_one_refusal(
        which in 0usize..2,
        edits in edits(),
        cut in proptest::option::of(any::<Index>()),
    ) {
        let format = [Format::Docx, Format::Odt][which];
        read_is_clean(format, &mutate(seed(format), &edits, cut))?;
    }
}

proptest! {
    // A PDF read starts a thread with a large stack: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(cases() / 3))]

    #[test]
    fn pdfs_mutated_give_a_source_or_one_refusal(
        edits in edits(),
        cut in proptest::option::of(any::<Index>()),
    ) {
        read_is_clean(Format::Pdf, &mutate(pdf(), &edits, cut))?;
    }
}

// ---- rosters ----

/// A roster as an .xlsx workbook (shared strings and inline numbers).
fn xlsx(sheet_xml: &[u8]) -> Vec<u8> {
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let workbook_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    zip_of(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ])
}

const XLSX_SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>participant</t></is></c><c r="B1" t="inlineStr"><is><t>âge</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>P01</t></is></c><c r="B2"><v>34</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>P02</t></is></c><c r="B3"><v>41.5</v></c></row></sheetData></worksheet>"#;

/// A roster as an .ods spreadsheet.
fn ods(content: &[u8]) -> Vec<u8> {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", content),
    ])
}

const ODS_CONTENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Roster"><table:table-row><table:table-cell office:value-type="string"><text:p>participant</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>âge</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>P01</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="34"><text:p>34</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="3"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;

const CSV_ROSTER: &str = "participant;âge;site;\"remarque\"\r\nP01;34;Lyon;\"dit \"\"oui\"\"\"\r\nP02;41;Paris;\"deux\nlignes\"\r\n";

/// Reads `bytes` as a roster with `extension` and checks the answer: rows,
/// or a refusal whose message is one non-empty line.
fn sheet_is_clean(extension: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Err(e) = read_sheet_bytes(extension, bytes) {
        let message = e.to_string();
        prop_assert!(
            !message.is_empty() && !message.contains('\n'),
            "{extension}: refusal is not one line: {message:?}"
        );
    }
    Ok(())
}

#[test]
fn every_roster_seed_reads_its_rows() {
    let xlsx = read_sheet_bytes("xlsx", &xlsx(XLSX_SHEET.as_bytes())).expect("xlsx seed");
    assert_eq!(xlsx.header, ["participant", "âge"]);
    assert_eq!(xlsx.rows, [["P01", "34"], ["P02", "41.5"]]);
    let ods = read_sheet_bytes("ods", &ods(ODS_CONTENT.as_bytes())).expect("ods seed");
    assert_eq!(ods.header, ["participant", "âge"]);
    assert_eq!(ods.rows[0], ["P01", "34"]);
    let csv = read_sheet_bytes("csv", CSV_ROSTER.as_bytes()).expect("csv seed");
    assert_eq!(csv.rows.len(), 2);
    assert_eq!(csv.rows[1][3], "deux\nlignes");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn rosters_mutated_give_rows_or_one_refusal(
        which in 0usize..5,
        edits in edits(),
        cut in proptest::option::of(any::<Index>()),
    ) {
        match which {
            0 => sheet_is_clean("csv", &mutate(CSV_ROSTER.as_bytes().to_vec(), &edits, cut))?,
            1 => sheet_is_clean("xlsx", &xlsx(&mutate(XLSX_SHEET.as_bytes().to_vec(), &edits, None)))?,
            2 => sheet_is_clean("ods", &ods(&mutate(ODS_CONTENT.as_bytes().to_vec(), &edits, None)))?,
            3 => sheet_is_clean("xlsx", &mutate(xlsx(XLSX_SHEET.as_bytes()), &edits, cut))?,
            _ => sheet_is_clean("ods", &mutate(ods(ODS_CONTENT.as_bytes()), &edits, cut))?,
        }
    }
}
