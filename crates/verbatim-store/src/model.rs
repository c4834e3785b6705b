//! Plain records that cross the store boundary.

use std::path::PathBuf;

use serde::Serialize;
use verbatim_core::{Language, NormalisedSource, SourceKind, SourceMetadata};

/// Settings a new study starts with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StudySettings {
    /// The study's title.
    pub title: String,
    /// The default language of its sources.
    pub language: Option<Language>,
}

impl StudySettings {
    /// Returns settings with a title and no default language.
    pub fn titled(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            language: None,
        }
    }
}

/// What a study says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudyInfo {
    /// The study's title.
    pub title: String,
    /// The default language of its sources.
    pub language: Option<String>,
    /// When the study was created (RFC 3339).
    pub created_at: String,
    /// The study format version (schema version).
    pub schema_version: i64,
}

/// A read source with what the user said about it, ready to store.
#[derive(Debug, Clone)]
pub struct ImportItem {
    /// The name the source will be known by (file name by default).
    pub name: String,
    /// The file it came from, for the record.
    pub original_path: Option<PathBuf>,
    /// What the source records.
    pub kind: SourceKind,
    /// The site it was collected at, if given.
    pub site: Option<String>,
    /// Its language, if given (else the study's).
    pub language: Option<Language>,
    /// The text, turns and anchors read from the file.
    pub source: NormalisedSource,
}

/// What became of one imported item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// Stored as a new source.
    Imported {
        /// The new source's id.
        id: i64,
        /// The name it was stored under (made unique if needed).
        name: String,
    },
    /// Skipped: the same text is already in the study.
    Duplicate {
        /// The source that already holds this text.
        existing: String,
    },
}

/// A source as listings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceSummary {
    /// The source's id.
    pub id: i64,
    /// Its stable exchange identifier.
    pub guid: String,
    /// Its name.
    pub name: String,
    /// The format it was imported from.
    pub format: String,
    /// What it records.
    pub kind: String,
    /// Its language.
    pub language: Option<String>,
    /// Its site.
    pub site: Option<String>,
    /// Its length in chars.
    pub chars: i64,
    /// How many speaker turns it has.
    pub turns: i64,
    /// The distinct speaker labels, in order of first appearance.
    pub speakers: Vec<String>,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// When it was collected (`YYYY-MM-DD`), if the team said.
    pub collected_on: Option<String>,
}

/// One speaker turn as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TurnRecord {
    /// The speaker label; `None` for a timed segment with no speaker (a
    /// subtitle cue without a label).
    pub speaker: Option<String>,
    /// First char of the speech.
    pub start: i64,
    /// Char just past the speech.
    pub end: i64,
    /// Start time in the recording, in ms (`null` when unknown).
    pub begin_ms: Option<i64>,
    /// End time in the recording, in ms (`null` when unknown).
    pub end_ms: Option<i64>,
}

/// A memo anchored to a source passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemoRecord {
    /// The memo's id.
    pub id: i64,
    /// Where the memo came from (`docx-comment`, `user`).
    pub origin: String,
    /// First char of the passage, if anchored.
    pub start: Option<i64>,
    /// Char just past the passage, if anchored.
    pub end: Option<i64>,
    /// Its author.
    pub author: Option<String>,
    /// When it was written, as the file said.
    pub written_at: Option<String>,
    /// Its text.
    pub body: String,
}

/// A source with its full text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRecord {
    /// Its listing facts.
    #[serde(flatten)]
    pub summary: SourceSummary,
    /// The file it came from.
    pub original_path: Option<String>,
    /// What the file said about itself.
    pub metadata: SourceMetadata,
    /// The normalised text.
    pub text: String,
    /// The speaker turns, in order.
    pub turn_list: Vec<TurnRecord>,
    /// Memos anchored to passages.
    pub memos: Vec<MemoRecord>,
}

/// How a user names a source: by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceRef {
    /// By numeric id.
    Id(i64),
    /// By name.
    Name(String),
}

impl SourceRef {
    /// Returns the reference a user's word means: digits are an id, unless
    /// no source has that id, in which case callers may retry by name.
    pub fn parse(word: &str) -> Self {
        match word.parse::<i64>() {
            Ok(id) => SourceRef::Id(id),
            Err(_) => SourceRef::Name(word.to_owned()),
        }
    }
}
