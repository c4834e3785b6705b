//! Sources: what a study's documents are, and the shape importers produce.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{CoreError, Span};

/// What a source records, which decides whether analyses count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// An individual interview.
    #[default]
    Interview,
    /// A focus group: many speakers in one transcript.
    FocusGroup,
    /// Field-observation notes.
    Observation,
    /// Context only (e.g. a team-leader interview): readable and searchable,
    /// never counted in an analysis.
    Context,
    /// Anything else.
    Other,
}

impl SourceKind {
    /// All kinds, in the order the CLI lists them.
    pub const ALL: [SourceKind; 5] = [
        SourceKind::Interview,
        SourceKind::FocusGroup,
        SourceKind::Observation,
        SourceKind::Context,
        SourceKind::Other,
    ];

    /// Returns the kind's stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Interview => "interview",
            SourceKind::FocusGroup => "focus_group",
            SourceKind::Observation => "observation",
            SourceKind::Context => "context",
            SourceKind::Other => "other",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceKind {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == wanted)
            .ok_or_else(|| CoreError::UnknownKind(s.to_owned()))
    }
}

/// The file format a source was imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text.
    Txt,
    /// Markdown, read as plain text.
    Md,
    /// Word (OOXML, transitional or strict).
    Docx,
    /// OpenDocument text.
    Odt,
    /// Rich Text Format.
    Rtf,
    /// HTML.
    Html,
    /// PDF with a text layer.
    Pdf,
    /// WebVTT captions.
    Vtt,
    /// SubRip captions.
    Srt,
}

impl Format {
    /// All formats, in the order the CLI lists them.
    pub const ALL: [Format; 9] = [
        Format::Txt,
        Format::Md,
        Format::Docx,
        Format::Odt,
        Format::Rtf,
        Format::Html,
        Format::Pdf,
        Format::Vtt,
        Format::Srt,
    ];

    /// Returns the format's stored name, which is also its usual extension.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Txt => "txt",
            Format::Md => "md",
            Format::Docx => "docx",
            Format::Odt => "odt",
            Format::Rtf => "rtf",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Vtt => "vtt",
            Format::Srt => "srt",
        }
    }

    /// Returns the format a file extension names, case-insensitively.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            "txt" | "text" => Some(Format::Txt),
            "md" | "markdown" => Some(Format::Md),
            "docx" => Some(Format::Docx),
            "odt" => Some(Format::Odt),
            "rtf" => Some(Format::Rtf),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            "vtt" => Some(Format::Vtt),
            "srt" => Some(Format::Srt),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_extension(s.trim()).ok_or_else(|| CoreError::UnknownFormat(s.to_owned()))
    }
}

/// A BCP 47 language tag, normalised to lower case (`fr`, `en`, `pt-br`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Language(String);

impl Language {
    /// Returns the tag as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Language {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let tag = s.trim().to_ascii_lowercase().replace('_', "-");
        let mut parts = tag.split('-');
        let primary = parts.next().unwrap_or_default();
        let primary_ok =
            (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
        let rest_ok = parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        if primary_ok && rest_ok {
            Ok(Language(tag))
        } else {
            Err(CoreError::InvalidLanguage(s.to_owned()))
        }
    }
}

impl TryFrom<String> for Language {
    type Error = CoreError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Language> for String {
    fn from(lang: Language) -> Self {
        lang.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A run of a source spoken by one speaker, or a timed segment whose
/// speaker the transcript does not name (a subtitle cue without a label).
///
/// The span covers the speech only, not the label (`INT :`) that introduced
/// it, so coding a whole turn never codes the label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    /// The speaker label as the transcript wrote it (`INT`, `CHFG-C`,
    /// `Speaker 1`); `None` for a timed segment with no speaker. The study
    /// file stores `None` as an empty label.
    pub speaker: Option<String>,
    /// The speech, in chars of the source text.
    pub span: Span,
    /// When the turn starts in the recording, in milliseconds, if known.
    pub begin_ms: Option<u64>,
    /// When the turn ends in the recording, in milliseconds, if known.
    pub end_ms: Option<u64>,
}

/// A note anchored to a passage of a source, such as a Word comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceAnchor {
    /// The passage the note is attached to.
    pub span: Span,
    /// Who wrote the note, when the file says.
    pub author: Option<String>,
    /// When the note was written, as the file wrote it.
    pub date: Option<String>,
    /// The note's text.
    pub text: String,
}

/// Descriptive facts a file carries about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMetadata {
    /// The document title, if the file has one.
    pub title: Option<String>,
    /// The document author, if the file names one.
    pub author: Option<String>,
    /// The creation date as the file wrote it.
    pub created: Option<String>,
    /// The text encoding the bytes were decoded from, for plain-text formats.
    pub encoding: Option<String>,
    /// What the importer noticed but could not carry (e.g. images skipped).
    pub notes: Vec<String>,
}

/// A source as an importer produces it: clean text with turns and anchors
/// that are known to fit it.
///
/// The fields are private so that a `NormalisedSource` can only be built by
/// [`NormalisedSource::new`], which checks every span against the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalisedSource {
    format: Format,
    text: String,
    chars: usize,
    turns: Vec<Turn>,
    anchors: Vec<SourceAnchor>,
    metadata: SourceMetadata,
}

impl NormalisedSource {
    /// Returns the source after checking that every turn and anchor fits the
    /// text and that turns are in order without overlap.
    pub fn new(
        format: Format,
        text: String,
        turns: Vec<Turn>,
        anchors: Vec<SourceAnchor>,
        metadata: SourceMetadata,
    ) -> Result<Self, CoreError> {
        let chars = text.chars().count();
        let mut previous_end = 0;
        for (index, turn) in turns.iter().enumerate() {
            turn.span.within(chars)?;
            if turn.span.start() < previous_end {
                return Err(CoreError::OverlappingTurns {
                    index,
                    start: turn.span.start(),
                    end: turn.span.end(),
                });
            }
            previous_end = turn.span.end();
        }
        for anchor in &anchors {
            anchor.span.within(chars)?;
        }
        Ok(Self {
            format,
            text,
            chars,
            turns,
            anchors,
            metadata,
        })
    }

    /// Returns the format the source was read from.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Returns the normalised text (NFC, `\n` line ends).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Returns the text's length in chars.
    pub fn chars(&self) -> usize {
        self.chars
    }

    /// Returns the speaker turns, in text order.
    pub fn turns(&self) -> &[Turn] {
        &self.turns
    }

    /// Returns the notes anchored to passages (e.g. Word comments).
    pub fn anchors(&self) -> &[SourceAnchor] {
        &self.anchors
    }

    /// Returns what the file said about itself.
    pub fn metadata(&self) -> &SourceMetadata {
        &self.metadata
    }

    /// Returns the distinct speaker labels, in order of first appearance.
    pub fn speakers(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for speaker in self.turns.iter().filter_map(|t| t.speaker.as_deref()) {
            if !seen.contains(&speaker) {
                seen.push(speaker);
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_with_dashes_and_case() {
        assert_eq!(
            "Focus-Group".parse::<SourceKind>(),
            Ok(SourceKind::FocusGroup)
        );
        assert!("interviews".parse::<SourceKind>().is_err());
    }

    #[test]
    fn languages_are_normalised() {
        assert_eq!("FR".parse::<Language>().map(|l| l.0), Ok("fr".to_owned()));
        assert_eq!(
            "pt_BR".parse::<Language>().map(|l| l.0),
            Ok("pt-br".to_owned())
        );
        assert!("français".parse::<Language>().is_err());
        assert!("".parse::<Language>().is_err());
    }

    #[test]
    fn turns_outside_the_text_are_refused() {
        let turn = Turn {
            speaker: Some("INT".into()),
            span: Span::new(0, 10).unwrap(),
            begin_ms: None,
            end_ms: None,
        };
        let err = NormalisedSource::new(
            Format::Txt,
            "court".into(),
            vec![turn],
            vec![],
            SourceMetadata::default(),
        );
        assert!(matches!(err, Err(CoreError::SpanOutOfText { .. })));
    }
}
