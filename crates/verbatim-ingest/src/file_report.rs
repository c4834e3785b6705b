//! What became of one file of an import, as the user is told.
//!
//! `verbatim import` (its lines and `--json`), `verbatim demo` and the web
//! upload (`POST /api/sources`) report each file the same way, so this is
//! the one type for it: the JSON a script reads from the command line is
//! the JSON the browser gets.

use std::path::PathBuf;

use serde::Serialize;

use crate::LabelReport;

/// What happened to the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub enum FileStatus {
    /// Stored as a new source.
    Imported,
    /// Its text is already in the study.
    Duplicate,
    /// Refused: unreadable, damaged, over a limit.
    Failed,
    /// Not a format verbatim reads.
    Unsupported,
    /// Not a regular file, or a link into a folder already searched.
    Skipped,
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct FileReport {
    /// The file: its path as given to the command line, or its name as the
    /// browser sent it (its last path part).
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub file: PathBuf,
    /// What happened to it.
    pub status: FileStatus,
    /// The new source's id, when imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The new source's name, or the source already holding the same
    /// text, for a duplicate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Why the file was refused or skipped, in one sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What speaker detection may have missed, when imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<LabelReport>,
    /// What the reader noticed but could not carry (images, symbols…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The recording beside it that was attached to the new source (the
    /// command line attaches them).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "utoipa", schema(value_type = Option<String>))]
    pub recording: Option<PathBuf>,
}

impl FileReport {
    /// A file stored as source `id` named `name`.
    pub fn imported(
        file: impl Into<PathBuf>,
        id: i64,
        name: String,
        labels: Option<LabelReport>,
        notes: Vec<String>,
    ) -> Self {
        FileReport {
            id: Some(id),
            name: Some(name),
            labels,
            notes,
            ..Self::bare(file.into(), FileStatus::Imported)
        }
    }

    /// A file whose text source `existing` already holds.
    pub fn duplicate(file: impl Into<PathBuf>, existing: String) -> Self {
        FileReport {
            name: Some(existing),
            ..Self::bare(file.into(), FileStatus::Duplicate)
        }
    }

    /// A file not imported (`status` failed, unsupported or skipped), with
    /// why when there is more to say than the status.
    pub fn refused(file: impl Into<PathBuf>, status: FileStatus, error: Option<String>) -> Self {
        FileReport {
            error,
            ..Self::bare(file.into(), status)
        }
    }

    fn bare(file: PathBuf, status: FileStatus) -> Self {
        FileReport {
            file,
            status,
            id: None,
            name: None,
            error: None,
            labels: None,
            notes: Vec::new(),
            recording: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON `import --json` printed before the type was shared, field
    /// for field (tests and scripts read it).
    #[test]
    fn the_json_keeps_its_shape() {
        let imported = FileReport::imported(
            "corpus/entretien 1.docx",
            7,
            "entretien 1".into(),
            Some(LabelReport::default()),
            vec!["2 images left out".into()],
        );
        assert_eq!(
            serde_json::to_value(&imported).expect("json"),
            serde_json::json!({
                "file": "corpus/entretien 1.docx", "status": "imported", "id": 7,
                "name": "entretien 1", "labels": {"unclaimed": 0},
                "notes": ["2 images left out"]
            })
        );
        let refused = FileReport::refused("x.txt", FileStatus::Skipped, Some("a FIFO".into()));
        assert_eq!(
            serde_json::to_value(&refused).expect("json"),
            serde_json::json!({"file": "x.txt", "status": "skipped", "error": "a FIFO"})
        );
        let duplicate = FileReport::duplicate("b.txt", "b".into());
        assert_eq!(
            serde_json::to_value(&duplicate).expect("json"),
            serde_json::json!({"file": "b.txt", "status": "duplicate", "name": "b"})
        );
    }
}
