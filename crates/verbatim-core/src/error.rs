//! The error type for invalid domain values.

use thiserror::Error;

/// An invalid domain value, refused before it can reach a study.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoreError {
    /// A span whose start lies after its end.
    #[error("span [{start}, {end}) is reversed: its start lies after its end")]
    ReversedSpan {
        /// The start offset given.
        start: usize,
        /// The end offset given.
        end: usize,
    },
    /// A span reaching past the end of the text it points into.
    #[error("span [{start}, {end}) lies outside a text of {len} characters")]
    SpanOutOfText {
        /// The start offset given.
        start: usize,
        /// The end offset given.
        end: usize,
        /// The length of the text in chars.
        len: usize,
    },
    /// A word that names no known source kind.
    #[error("unknown source kind {0:?}: use interview, focus_group, observation, context or other")]
    UnknownKind(String),
    /// A word that names no supported file format.
    #[error("unknown format {0:?}: verbatim reads txt, md, docx, odt, rtf, html, pdf, vtt and srt")]
    UnknownFormat(String),
    /// A language tag that is not a BCP 47 primary language like `fr` or `en`.
    #[error("invalid language {0:?}: give a two- or three-letter code such as fr or en")]
    InvalidLanguage(String),
    /// Turns that overlap or run out of order.
    #[error("turn {index} at [{start}, {end}) overlaps the turn before it")]
    OverlappingTurns {
        /// The index of the offending turn.
        index: usize,
        /// Its start.
        start: usize,
        /// Its end.
        end: usize,
    },
}
