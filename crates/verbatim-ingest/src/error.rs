//! Why a file could not be read.

use thiserror::Error;

/// Why a file could not be read. Each message says what went wrong and what
/// to do; the caller adds which file.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The file could not be read from disk.
    #[error("could not read the file: {0}")]
    Io(#[source] std::io::Error),
    /// The extension names no format verbatim reads.
    #[error(
        "unsupported file type {extension:?}: verbatim reads .txt, .md, .docx, .odt, .rtf, .html, .pdf, .vtt and .srt"
    )]
    UnsupportedFormat {
        /// The extension found.
        extension: String,
    },
    /// The file is empty or holds no text.
    #[error("the file holds no text: check that it is the transcript you meant to import")]
    Empty,
    /// The file is larger than the import limit.
    #[error(
        "the file is {bytes} bytes, over the {limit}-byte import limit: split it into smaller files"
    )]
    TooLarge {
        /// The file's size.
        bytes: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The path names a FIFO, a socket or a device, not a file.
    #[error("the path is {kind}, not a regular file: import the file itself")]
    NotRegular {
        /// What the path is, in words ("a FIFO (named pipe)", "a device").
        kind: &'static str,
    },
    /// The bytes are not text in any encoding verbatim recognises.
    #[error(
        "the file is not text (binary data found at byte {offset}): check its format and extension"
    )]
    NotText {
        /// Where the first binary byte was found.
        offset: usize,
    },
    /// A zip container (docx, odt) is damaged or is not a zip at all.
    #[error(
        "the file is not a valid {format} document ({reason}): open it in its editor and save it again"
    )]
    BadContainer {
        /// The format expected (`docx`, `odt`).
        format: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A zip container would decompress past the limit (a zip bomb, or a
    /// document full of media).
    #[error(
        "the document would decompress to more than {limit} bytes: it may be a zip bomb; save the text alone and import that"
    )]
    ZipBomb {
        /// The decompressed-size limit in force.
        limit: u64,
    },
    /// The XML inside a document is malformed.
    #[error(
        "the document's XML is malformed in {part} ({reason}): open it in its editor and save it again"
    )]
    BadXml {
        /// The part of the package (`word/document.xml`).
        part: String,
        /// What the XML parser said, with its position.
        reason: String,
    },
    /// The file is damaged in a format-specific way.
    #[error("the {format} file is damaged: {reason}")]
    Malformed {
        /// The format (`rtf`, `vtt`, `srt`, `pdf`).
        format: &'static str,
        /// What was wrong, where.
        reason: String,
    },
    /// Re-detecting turns would have changed a stored source's text (it
    /// holds line ends or characters an import would have normalised).
    #[error(
        "re-detecting turns would change the source's text, which must stay as it is; nothing was changed"
    )]
    TextChanged,
    /// A PDF with no text layer: a scan.
    #[error(
        "the PDF has no text layer (it is probably a scan): run OCR on it first, then import the result"
    )]
    PdfWithoutText,
    /// A PDF that is encrypted.
    #[error("the PDF is encrypted: remove the password protection, then import it again")]
    PdfEncrypted,
    /// The PDF reader took too long.
    #[error("reading the PDF took longer than {seconds} s: convert it to text or docx first")]
    PdfTimeout {
        /// The timeout in force.
        seconds: u64,
    },
    /// The `--speakers` pattern is not a valid regular expression.
    #[error("the speaker pattern is not a valid regular expression: {0}")]
    BadSpeakerPattern(String),
    /// An internal check on the assembled text failed.
    #[error("the text could not be assembled: {0}")]
    Assembly(#[from] verbatim_core::CoreError),
}

/// Returns `reason` with its control characters (line breaks, tabs, NUL)
/// shown escaped. A parser's reason often quotes the file's own bytes (a
/// tag name cut by a line break, say); escaped, the refusal built around
/// it stays one line.
pub fn one_line(reason: &str) -> String {
    reason
        .chars()
        .map(|c| match c {
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}
