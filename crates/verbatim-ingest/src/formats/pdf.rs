//! Reader for .pdf files: pdf-extract's text layer, behind a guard.
//!
//! pdf-extract does the font-encoding and CMap work a PDF's text needs, but
//! it is known to panic on unusual fonts and encodings and can run for a long
//! time on hostile files (see `research/rust-stack.md` §1.3). So extraction
//! runs on its own thread inside [`std::panic::catch_unwind`], and the caller
//! waits at most [`Limits::pdf_timeout`]: a panic becomes
//! [`IngestError::Malformed`], a timeout [`IngestError::PdfTimeout`]. A timed
//! out thread cannot be killed; it is left to finish on its own and its
//! result is dropped. The default panic hook still prints the panic message
//! to stderr: replacing the hook is process-wide and would race with other
//! threads, so it is left alone. This needs `panic = "unwind"` in every
//! profile.
//!
//! Pages are read one by one so that one broken page does not lose the
//! others (a page that fails is noted in the metadata). pdf-extract writes a
//! `\n` when the baseline moves down and a blank line when it jumps by more
//! than one and a half lines, so a blank line marks a paragraph break. Within
//! a paragraph the wrapped lines are joined with a space, and a word cut at a
//! line end (`exem-` / `ple`, next line starting in lower case) is joined
//! again. A line holding only a page number at the top or bottom of a page is
//! dropped, and a paragraph cut by a page break (no closing punctuation, next
//! page starting in lower case) is joined again.
//!
//! Text comes out in content-stream order, which for a two-column layout
//! written by a word processor is column by column; a PDF that draws its
//! text in another order is read in that order. Bold and italics are not
//! reported by pdf-extract, so PDF blocks carry no label hints.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;
use std::sync::mpsc::{self, RecvTimeoutError};

use regex::Regex;

use crate::{Block, Extracted, IngestError, Join, Limits};

/// The extraction thread's stack: pdf-extract recurses through nested form
/// XObjects, and a stack overflow aborts the process instead of unwinding.
const STACK_BYTES: usize = 64 * 1024 * 1024;

/// What the extraction thread found.
pub(super) struct Pages {
    /// The text of each page that could be read, in page order.
    pub(super) texts: Vec<String>,
    /// How many pages the document has.
    pub(super) total: usize,
    /// Why each unreadable page failed.
    pub(super) failures: Vec<String>,
    /// `/Title`, `/Author` and `/CreationDate` of the document's `/Info`.
    pub(super) info: [Option<String>; 3],
}

/// Why extraction stopped on the thread.
pub(super) enum Failure {
    /// The document needs a password.
    Encrypted,
    /// The document could not be parsed; the parser's message.
    Broken(String),
}

/// Returns the blocks of a PDF's text layer.
pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, IngestError> {
    let pages = match crate::child::configured() {
        Some(child) => super::pdf_child::run(child, bytes, limits)?,
        None => {
            let data = bytes.to_vec();
            run_guarded(limits, move || read_pages(&data))?
        }
    };
    if pages.total == 0 {
        return Err(malformed("the document has no pages"));
    }
    if pages.texts.is_empty() {
        let reason = pages.failures.first().cloned().unwrap_or_default();
        return Err(malformed(&format!("no page could be read: {reason}")));
    }
    if !pages
        .texts
        .iter()
        .any(|t| t.chars().any(char::is_alphanumeric))
    {
        return Err(IngestError::PdfWithoutText);
    }
    let blocks = paragraphs(&pages.texts)
        .into_iter()
        .map(Block::paragraph)
        .collect();
    let mut extracted = Extracted {
        blocks,
        join: Join::Paragraphs,
        ..Extracted::default()
    };
    let [title, author, created] = pages.info;
    extracted.metadata.title = title;
    extracted.metadata.author = author;
    extracted.metadata.created = created;
    if !pages.failures.is_empty() {
        extracted.metadata.notes.push(format!(
            "{} of {} PDF pages could not be read and were left out ({})",
            pages.failures.len(),
            pages.total,
            pages.failures.join("; ")
        ));
    }
    Ok(extracted)
}

/// Returns a [`IngestError::Malformed`] for a PDF.
fn malformed(reason: &str) -> IngestError {
    IngestError::Malformed {
        format: "pdf",
        reason: reason.to_owned(),
    }
}

impl Failure {
    /// Returns the refusal this failure means.
    pub(super) fn into_error(self) -> IngestError {
        match self {
            Failure::Encrypted => IngestError::PdfEncrypted,
            Failure::Broken(reason) => malformed(&reason),
        }
    }
}

/// Returns what `read` returns, run on a guarded thread: a panic or a
/// timeout there is an error here.
pub(super) fn run_guarded<T: Send + 'static>(
    limits: &Limits,
    read: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, IngestError> {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("pdf-extract".into())
        .stack_size(STACK_BYTES)
        .spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(read));
            // The receiver is gone after a timeout; nothing is left to tell.
            let _ = sender.send(outcome);
        })
        .map_err(|e| malformed(&format!("could not start the PDF reader: {e}")))?;
    match receiver.recv_timeout(limits.pdf_timeout) {
        Ok(Ok(Ok(pages))) => Ok(pages),
        Ok(Ok(Err(failure))) => Err(failure.into_error()),
        Ok(Err(payload)) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_owned());
            Err(malformed(&format!(
                "the PDF reader failed on it ({message})"
            )))
        }
        Err(RecvTimeoutError::Timeout) => Err(IngestError::PdfTimeout {
            seconds: limits.pdf_timeout.as_secs(),
        }),
        Err(RecvTimeoutError::Disconnected) => {
            Err(malformed("the PDF reader stopped without an answer"))
        }
    }
}

/// Returns the text of each page; runs on the guarded thread.
pub(super) fn read_pages(data: &[u8]) -> Result<Pages, Failure> {
    let mut document = pdf_extract::Document::load_mem(data).map_err(|e| classify(&e))?;
    if document.is_encrypted() && document.decrypt("").is_err() {
        return Err(Failure::Encrypted);
    }
    let numbers: Vec<u32> = document.get_pages().keys().copied().collect();
    let info = [b"Title".as_slice(), b"Author", b"CreationDate"].map(|key| info(&document, key));
    let mut pages = Pages {
        texts: Vec::new(),
        total: numbers.len(),
        failures: Vec::new(),
        info,
    };
    for number in numbers {
        let mut text = String::new();
        let result = {
            let mut output = pdf_extract::PlainTextOutput::new(&mut text);
            pdf_extract::output_doc_page(&document, &mut output, number)
        };
        match result {
            Ok(()) => pages.texts.push(text),
            Err(e) => pages.failures.push(format!("page {number}: {e}")),
        }
    }
    Ok(pages)
}

/// Returns an entry of the document's `/Info` dictionary as text.
fn info(document: &pdf_extract::Document, key: &[u8]) -> Option<String> {
    let dictionary = resolve(document, document.trailer.get(b"Info").ok()?)?
        .as_dict()
        .ok()?;
    let bytes = resolve(document, dictionary.get(key).ok()?)?
        .as_str()
        .ok()?;
    let text = text_string(bytes);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Returns the object `object` refers to, or `object` itself.
fn resolve<'a>(
    document: &'a pdf_extract::Document,
    object: &'a pdf_extract::Object,
) -> Option<&'a pdf_extract::Object> {
    match object.as_reference() {
        Ok(id) => document.get_object(id).ok(),
        Err(_) => Some(object),
    }
}

/// Returns a PDF text string as text: UTF-16BE or UTF-8 after their
/// byte-order mark, else PDFDocEncoding, read as Latin-1 (they differ only
/// in rarely used punctuation).
fn text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(b"\xFE\xFF") {
        let units = utf16
            .chunks_exact(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
        return char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{fffd}'))
            .collect();
    }
    if let Some(utf8) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(utf8).into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Returns whether a load error means encryption, else the error's text.
fn classify(error: &impl std::fmt::Display) -> Failure {
    let reason = error.to_string();
    let lower = reason.to_lowercase();
    if ["encrypt", "decrypt", "password"]
        .iter()
        .any(|w| lower.contains(w))
    {
        Failure::Encrypted
    } else {
        Failure::Broken(reason)
    }
}

/// Matches a line that is only a page number: `12`, `- 12 -`, `Page 12`,
/// `12/40`, `12 sur 40`.
static PAGE_NUMBER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:page\s*|p\.\s*)?[-–—]?\s*\d{1,4}\s*(?:(?:/|sur|of)\s*\d{1,4})?\s*[-–—]?\s*$",
    )
    .ok()
});

/// Returns whether `line` is only a page number.
fn is_page_number(line: &str) -> bool {
    PAGE_NUMBER.as_ref().is_some_and(|r| r.is_match(line))
}

/// Returns the paragraphs of the pages' text, in order.
fn paragraphs(pages: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for page in pages.iter().flat_map(|p| p.split('\x0c')) {
        let page = clean(page);
        let mut lines: Vec<&str> = page.lines().map(str::trim).collect();
        drop_page_numbers(&mut lines);
        let mut page_paragraphs: Vec<String> = Vec::new();
        let mut current: Option<String> = None;
        for line in lines {
            if line.is_empty() {
                page_paragraphs.extend(current.take());
            } else {
                current = Some(match current.take() {
                    Some(text) => join_lines(text, line),
                    None => line.to_owned(),
                });
            }
        }
        page_paragraphs.extend(current);
        let mut rest = page_paragraphs.into_iter();
        if let Some(first) = rest.next() {
            match out.pop() {
                Some(last) if continues(&last, &first) => out.push(join_lines(last, &first)),
                Some(last) => {
                    out.push(last);
                    out.push(first);
                }
                None => out.push(first),
            }
        }
        out.extend(rest);
    }
    out
}

/// Returns a page's text with typographic ligatures (`ﬁ`, `ﬂ`, …) spelled
/// out and soft hyphens removed, so that words are found by search: NFC,
/// applied later, keeps ligatures as they are.
fn clean(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for c in page.chars() {
        match c {
            '\u{ad}' => {}
            '\u{fb00}' => out.push_str("ff"),
            '\u{fb01}' => out.push_str("fi"),
            '\u{fb02}' => out.push_str("fl"),
            '\u{fb03}' => out.push_str("ffi"),
            '\u{fb04}' => out.push_str("ffl"),
            '\u{fb05}' | '\u{fb06}' => out.push_str("st"),
            _ => out.push(c),
        }
    }
    out
}

/// Removes a page number from the first and last non-blank lines.
fn drop_page_numbers(lines: &mut Vec<&str>) {
    if let Some(last) = lines.iter().rposition(|l| !l.is_empty())
        && is_page_number(lines[last])
    {
        lines.remove(last);
    }
    if let Some(first) = lines.iter().position(|l| !l.is_empty())
        && is_page_number(lines[first])
    {
        lines.remove(first);
    }
}

/// Returns whether a paragraph cut by a page break goes on in `next`: the
/// previous page's last paragraph has no closing punctuation and the next
/// page starts in lower case.
fn continues(previous: &str, next: &str) -> bool {
    let open = previous
        .chars()
        .last()
        .is_some_and(|c| !matches!(c, '.' | '!' | '?' | ':' | '…' | '»' | '"' | '”' | ')'));
    open && next.chars().next().is_some_and(char::is_lowercase)
}

/// Returns `text` with `line` appended after a space. A word cut with a
/// hyphen at the line end is glued back: without the hyphen when `line`
/// starts in lower case (`exem-` / `ple`), with it otherwise (`PAS-` /
/// `DE-CALAIS`, `anglo-` / `Saxon`).
fn join_lines(mut text: String, line: &str) -> String {
    let mut tail = text.chars().rev();
    let hyphenated = tail.next() == Some('-') && tail.next().is_some_and(char::is_alphabetic);
    let next = line.chars().next();
    if hyphenated && next.is_some_and(char::is_lowercase) {
        text.pop();
    } else if !(hyphenated && next.is_some_and(char::is_alphanumeric)) {
        text.push(' ');
    }
    text.push_str(line);
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use verbatim_core::Format;

    use super::*;
    use crate::SpeakerMode;

    /// Returns a one-page PDF whose page draws `content` with Helvetica
    /// (WinAnsi) as `/F1`; `extra_trailer` is added to the trailer.
    fn build_pdf(content: &str, extra_objects: &[&str], extra_trailer: &str) -> Vec<u8> {
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
             /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
                .to_owned(),
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica \
             /Encoding /WinAnsiEncoding >>"
                .to_owned(),
        ];
        objects.extend(extra_objects.iter().map(|o| (*o).to_owned()));
        let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
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
                "trailer\n<< /Size {} /Root 1 0 R {extra_trailer} >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    /// Two paragraphs, the first wrapped over three lines with a word cut
    /// by a hyphen, accents in WinAnsi octal escapes, then a page number.
    const TWO_PARAGRAPHS: &str = "BT /F1 12 Tf 72 720 Td \
        (Marie : Alors, l'\\351t\\351 dernier, vous \\351tiez) Tj \
        0 -14 Td (fatigu\\351e par le tra-) Tj \
        0 -14 Td (vail de terrain.) Tj \
        0 -40 Td (Zo\\351 : Oui, vraiment.) Tj \
        ET BT /F1 10 Tf 300 40 Td (2) Tj ET";

    fn limits() -> Limits {
        Limits {
            pdf_timeout: Duration::from_secs(30),
            ..Limits::default()
        }
    }

    #[test]
    fn reads_two_paragraphs() {
        let info = "<< /Title (Entretien n\\260 3) /Author <FEFF005A006F00E9> \
            /CreationDate (D:20240305103000+01'00') >>";
        let pdf = build_pdf(TWO_PARAGRAPHS, &[info], "/Info 6 0 R");
        let extracted = extract(&pdf, &limits()).unwrap();
        assert_eq!(extracted.join, Join::Paragraphs);
        assert_eq!(extracted.metadata.title.as_deref(), Some("Entretien n° 3"));
        assert_eq!(extracted.metadata.author.as_deref(), Some("Zoé"));
        assert_eq!(
            extracted.metadata.created.as_deref(),
            Some("D:20240305103000+01'00'")
        );
        let texts: Vec<&str> = extracted.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Marie : Alors, l'été dernier, vous étiez fatiguée par le travail de terrain.",
                "Zoé : Oui, vraiment.",
            ]
        );
        let text = crate::assemble(Format::Pdf, extracted, &SpeakerMode::None)
            .map(|s| s.text().to_owned())
            .unwrap();
        assert_eq!(
            text,
            "Marie : Alors, l'été dernier, vous étiez fatiguée par le travail de terrain.\n\n\
             Zoé : Oui, vraiment."
        );
    }

    #[test]
    fn page_without_text_is_a_scan() {
        let pdf = build_pdf("0 0 1 rg 100 100 200 200 re f", &[], "");
        let err = extract(&pdf, &limits()).unwrap_err();
        assert!(matches!(err, IngestError::PdfWithoutText), "{err}");
    }

    #[test]
    fn garbage_after_header_is_malformed() {
        let mut bytes = b"%PDF-1.4\n".to_vec();
        bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let err = extract(&bytes, &limits()).unwrap_err();
        assert!(
            matches!(err, IngestError::Malformed { format: "pdf", .. }),
            "{err}"
        );
    }

    #[test]
    fn truncated_pdf_is_an_error() {
        let pdf = build_pdf(TWO_PARAGRAPHS, &[], "");
        for cut in [pdf.len() / 3, pdf.len() / 2, pdf.len() - 30] {
            let result = extract(&pdf[..cut], &limits());
            assert!(result.is_err(), "cut at {cut}: {result:?}");
        }
    }

    #[test]
    fn encrypted_pdf_is_reported() {
        let encrypt = "<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 \
            /O <0000000000000000000000000000000000000000000000000000000000000000> \
            /U <0000000000000000000000000000000000000000000000000000000000000000> >>";
        let pdf = build_pdf(
            TWO_PARAGRAPHS,
            &[encrypt],
            "/Encrypt 6 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]",
        );
        let err = extract(&pdf, &limits()).unwrap_err();
        assert!(matches!(err, IngestError::PdfEncrypted), "{err:?}");
    }

    #[test]
    fn a_panic_in_the_reader_is_malformed() {
        let result: Result<(), _> = run_guarded(&limits(), || panic!("unsupported encoding"));
        let err = result.unwrap_err();
        assert!(
            matches!(err, IngestError::Malformed { format: "pdf", .. }),
            "{err}"
        );
        assert!(err.to_string().contains("unsupported encoding"), "{err}");
    }

    #[test]
    fn a_slow_reader_times_out() {
        let short = Limits {
            pdf_timeout: Duration::from_millis(50),
            ..Limits::default()
        };
        let result = run_guarded(&short, || {
            std::thread::sleep(Duration::from_secs(2));
            Ok(())
        });
        let err = result.unwrap_err();
        assert!(matches!(err, IngestError::PdfTimeout { .. }), "{err}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn damaged_pdfs_never_panic(
            edits in proptest::collection::vec((0usize..1000, proptest::prelude::any::<u8>()), 1..8),
            cut in 0usize..1000,
        ) {
            let mut pdf = build_pdf(TWO_PARAGRAPHS, &[], "");
            let len = pdf.len();
            for (at, byte) in edits {
                pdf[at % len] = byte;
            }
            pdf.truncate(len - cut % (len / 4));
            let _ = extract(&pdf, &limits());
        }
    }

    #[test]
    fn not_a_pdf_is_malformed() {
        let err = extract(b"Bonjour", &limits()).unwrap_err();
        assert!(
            matches!(err, IngestError::Malformed { format: "pdf", .. }),
            "{err}"
        );
    }

    #[test]
    fn paragraphs_are_rebuilt_from_lines() {
        let pages = vec![
            "\n\n3\nLe cœur de l'af-\nﬁn\u{ad}ale faire, c'est « la famille »\n\nPAS-\nDE-CALAIS\nqui conti-"
                .to_owned(),
            "nue ici 😀.\n\n- 4 -\n".to_owned(),
        ];
        assert_eq!(
            paragraphs(&pages),
            vec![
                "Le cœur de l'affinale faire, c'est « la famille »",
                "PAS-DE-CALAIS qui continue ici 😀.",
            ]
        );
    }

    #[test]
    fn page_numbers_are_recognised() {
        for line in ["12", "- 12 -", "Page 3", "3/40", "3 sur 40", " p. 7 "] {
            assert!(is_page_number(line), "{line}");
        }
        for line in ["12 ans", "Marie : 12", "2024-03-05"] {
            assert!(!is_page_number(line), "{line}");
        }
    }
}
