//! Bad input: every refusal names the file, says what to do, and leaves the
//! study exactly as it was.

use crate::common::{Workspace, docx_with, interview_lines, zip_with};

/// Imports `file` (already written) and checks that it fails with a message
/// containing `expected`, naming the file, and that the study is unchanged.
fn refused(ws: &Workspace, file: &str, expected: &str) {
    let before = ws.dump();
    let run = ws.import(&[file]);
    assert_eq!(
        run.code, 1,
        "{file} should fail:\n{}{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains(&format!("error: {file}: ")),
        "{file}: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(expected),
        "{file}: expected {expected:?} in {}",
        run.stderr
    );
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "one sentence per failure: {}",
        run.stderr
    );
    assert!(run.stdout.contains("0 imported"), "{}", run.stdout);
    assert_eq!(ws.dump(), before, "{file} changed the study");
}

#[test]
fn an_empty_file_is_refused() {
    let ws = Workspace::with_study();
    ws.write("vide.txt", "");
    refused(&ws, "vide.txt", "holds no text");
    ws.write("blancs.txt", "  \n\n \t\n");
    refused(&ws, "blancs.txt", "holds no text");
}

#[test]
fn binary_junk_is_refused() {
    let ws = Workspace::with_study();
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    ws.write("junk.txt", &junk);
    refused(&ws, "junk.txt", "not text");
}

#[test]
fn an_unsupported_extension_is_refused() {
    let ws = Workspace::with_study();
    ws.write("audio.mp3", [0x49, 0x44, 0x33]);
    refused(&ws, "audio.mp3", "unsupported file type \"mp3\"");
}

#[test]
fn a_missing_file_is_refused() {
    let ws = Workspace::with_study();
    let before = ws.dump();
    let run = ws.import(&["absent.docx"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("absent.docx: cannot be read"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.dump(), before);
}

#[test]
fn a_truncated_docx_is_refused() {
    let ws = Workspace::with_study();
    let mut docx = crate::common::interview_docx();
    docx.truncate(docx.len() / 2);
    ws.write("tronque.docx", &docx);
    refused(&ws, "tronque.docx", "not a valid docx document");
}

#[test]
fn a_docx_with_invalid_xml_is_refused() {
    let ws = Workspace::with_study();
    ws.write(
        "casse.docx",
        docx_with(r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>ouvert</w:r></w:p></w:body></w:document>"#),
    );
    refused(&ws, "casse.docx", "XML is malformed in word/document.xml");
}

#[test]
fn a_zip_bomb_is_refused() {
    // A document part of 330 MB of one repeated paragraph compresses to a
    // few hundred kilobytes; the reader must stop at the decompression limit instead of
    // filling memory.
    use std::io::Write;
    let ws = Workspace::with_study();
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(b"<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>").unwrap();
        let para = b"<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>".repeat(1 << 14);
        for _ in 0..250 {
            zip.write_all(&para).unwrap();
        }
        zip.finish().unwrap();
    }
    ws.write("bombe.docx", buffer.into_inner());
    refused(&ws, "bombe.docx", "zip bomb");
}

#[test]
fn a_docx_without_its_document_part_is_refused() {
    let ws = Workspace::with_study();
    ws.write("vide.docx", zip_with(&[("docProps/core.xml", "<x/>")]));
    refused(&ws, "vide.docx", "not a valid docx document");
}

#[test]
fn a_scanned_pdf_is_refused_with_advice_to_run_ocr() {
    let ws = Workspace::with_study();
    ws.write("scan.pdf", crate::common::pdf_without_text());
    refused(&ws, "scan.pdf", "no text layer");
    let run = ws.import(&["scan.pdf"]);
    assert!(run.stderr.contains("OCR"), "{}", run.stderr);
}

#[test]
fn broken_captions_name_the_line() {
    let ws = Workspace::with_study();
    ws.write("sous-titres.srt", "1\n00:00:01,000 --> 00:00:03,500\nINT: Bonjour.\n\n2\n00:00:04,000 --> nonsense\nCSI-1: Oui.\n");
    refused(&ws, "sous-titres.srt", "line 6");
}

#[test]
fn a_failed_file_does_not_stop_the_others() {
    let ws = Workspace::with_study();
    ws.write("ok.txt", interview_lines());
    ws.write("vide.txt", "");
    let run = ws.import(&["ok.txt", "vide.txt"]);
    assert_eq!(run.code, 1, "a failure must show in the exit code");
    assert!(
        run.stdout
            .contains("1 imported, 0 skipped as duplicates, 0 not supported, 1 failed."),
        "{}",
        run.stdout
    );
    assert_eq!(ws.sources().len(), 1);
}
