//! Transcript files to clean, speaker-attributed text.
//!
//! Research teams receive transcripts in whatever format the transcriber or
//! the recorder produced: Word, LibreOffice, RTF, HTML, PDF, plain text in
//! any encoding, captions from automatic transcription. This crate turns
//! each into one [`NormalisedSource`]: Unicode NFC text with `\n` line ends
//! and paragraph breaks kept, the speaker [`Turn`](verbatim_core::Turn)s
//! found in it, and notes anchored to passages (Word comments). It runs no
//! external program and never panics on a file's content.
//!
//! The pipeline has two stages:
//!
//! 1. A format reader (`formats::*`) turns bytes into [`Extracted`]: ordered
//!    [`Block`]s (paragraphs, table rows, cues) with structural hints a format
//!    knows (a bold leading run, a WebVTT voice tag, cue times) and anchors.
//! 2. [`assemble`] joins the blocks into the final text, detects speaker
//!    labels at block starts ([`SpeakerMode`]) and checks every span.
//!
//! # Example
//!
//! ```
//! use verbatim_core::Format;
//! use verbatim_ingest::{read_bytes, Options};
//!
//! let bytes = "INT : Comment ça va ?\nCSI-2 : Bien, merci.\n".as_bytes();
//! let source = read_bytes("entretien.txt", Format::Txt, bytes, &Options::default()).unwrap();
//! assert_eq!(source.speakers(), vec!["INT", "CSI-2"]);
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod assemble;
#[cfg(test)]
mod assemble_styles;
mod blocks;
mod child;
pub mod csv_text;
mod decode;
mod error;
mod file_report;
mod files;
mod formats;
mod language;
mod parallel;
mod roster;
mod speakers;
mod speakers_report;
mod workbook;
mod zipped;

use std::path::Path;

pub use assemble::{assemble, redetect};
pub use blocks::{Block, BlockAnchor, BlockStyle, Extracted, Join, LabelHint};
pub use child::{ChildReader, read_untrusted_in_child, serve_child};
pub use error::{IngestError, one_line};
pub use file_report::{FileReport, FileStatus};
pub use files::{Collected, collect_files, format_of, read_regular};
pub use language::guess_language;
pub use parallel::read_parallel;
pub use roster::{Sheet, SheetError, read_sheet, read_sheet_bytes};
pub use speakers::SpeakerMode;
pub use speakers_report::{LabelReport, LikelyTypo, label_report};
use verbatim_core::{Format, NormalisedSource, SourceKind};
pub use workbook::{MAX_SHEET_CELLS, workbook_rows};

/// Limits that keep a hostile or broken file from exhausting the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file read, in bytes.
    pub max_file_bytes: u64,
    /// The largest total of decompressed bytes read out of one zip container
    /// (docx, odt): a zip bomb stops here. Only the XML parts that hold text
    /// are ever decompressed (never images or media), and the XML of even a
    /// thousand-page transcript stays far below this.
    pub max_unzipped_bytes: u64,
    /// How long the PDF reader may run before the file is refused.
    pub pdf_timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 512 * 1024 * 1024,
            max_unzipped_bytes: 256 * 1024 * 1024,
            pdf_timeout: std::time::Duration::from_secs(60),
        }
    }
}

/// How to read files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// How speaker turns are found.
    pub speakers: SpeakerMode,
    /// Resource limits.
    pub limits: Limits,
}

/// Returns the source read from the file at `path`, its format chosen by the
/// file's extension.
pub fn read_file(path: &Path, options: &Options) -> Result<NormalisedSource, IngestError> {
    let format = format_of(path).ok_or_else(|| IngestError::UnsupportedFormat {
        extension: path
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default(),
    })?;
    let bytes = read_regular(path, options.limits.max_file_bytes)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_bytes(&name, format, &bytes, options)
}

/// Returns the source read from `bytes` in the given format; `name` is used
/// only in messages.
pub fn read_bytes(
    name: &str,
    format: Format,
    bytes: &[u8],
    options: &Options,
) -> Result<NormalisedSource, IngestError> {
    let _ = name;
    if bytes.len() as u64 > options.limits.max_file_bytes {
        return Err(IngestError::TooLarge {
            bytes: bytes.len() as u64,
            limit: options.limits.max_file_bytes,
        });
    }
    let extracted = formats::extract(format, bytes, &options.limits)?;
    assemble(format, extracted, &options.speakers)
}

/// Returns the kind a source is imported as when the user named none: a
/// focus group when four or more speakers were found, else an interview.
/// The command line's `import` and the web upload share it.
pub fn default_kind(source: &NormalisedSource) -> SourceKind {
    if source.speakers().len() >= 4 {
        SourceKind::FocusGroup
    } else {
        SourceKind::Interview
    }
}
