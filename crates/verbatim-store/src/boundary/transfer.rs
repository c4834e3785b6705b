//! Copying a whole study between backends (`verbatim copy`): its rows, table
//! by table, in plain values both engines store alike, ids and audit
//! entries kept as they are.
//!
//! A copy carries the tables in [`CARRIED`], which every backend holds with
//! the same columns, and the recordings' bytes ([`RecordingFile`]), which
//! a study file keeps in its media folder and a server study in its
//! database. A study whose other tables hold anything beyond what
//! a new study starts with and the copy does not carry is refused
//! by the caller before anything is written, naming those tables
//! ([`Transfer::uncarried`]), so nothing is lost silently.

use crate::StoreError;

/// The tables a copy carries, parents before children.
pub const CARRIED: &[&str] = &[
    "study",
    "sources",
    "source_texts",
    "turns",
    "coders",
    "levels",
    "codes",
    "code_links",
    "codings",
    "memos",
    "sites",
    "pseudonym_scheme",
    "modes",
    "participants",
    "attributes",
    "participant_values",
    "source_values",
    "speaker_map",
    "consents",
    "journal",
    "journal_links",
    "translations",
    "code_translations",
    "reconciliation_decisions",
    "reconciliation_origins",
    "consensus_origins",
    "guides",
    "guide_versions",
    "guide_questions",
    "source_guides",
    "source_done",
    "accounts",
    "sessions",
    "invitations",
    "logins",
    "deidentifications",
    "media",
    "audit",
];

/// The carried tables a new study already fills (the consensus row, the
/// default levels, pseudonym scheme and modes): a copy empties them first,
/// since their rows come from the study copied.
pub const SEEDED: &[&str] = &["coders", "levels", "pseudonym_scheme", "modes"];

/// One stored value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value.
    Null,
    /// An integer (SQLite's 0/1 flags and PostgreSQL's booleans included).
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

/// The rows of one table, with its column names.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRows {
    /// The table (one of [`CARRIED`]).
    pub table: &'static str,
    /// Its columns, in the order of each row's cells.
    pub columns: Vec<String>,
    /// Its rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A recording's bytes, readable as a file, for a copy: the `media` rows
/// go with the tables, the bytes with these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingFile {
    /// The SHA-256 of the bytes (hex).
    pub sha256: String,
    /// The name a study file's media folder keeps it under
    /// (`SHA256.CONTAINER`).
    pub file_name: String,
    /// Where the bytes can be read now.
    pub path: std::path::PathBuf,
}

/// Reading a study whole, for a copy.
pub trait Transfer {
    /// Returns the tables outside [`CARRIED`] that hold anything a new study
    /// does not (empty when the study copies whole).
    fn uncarried(&self) -> Result<Vec<String>, StoreError>;

    /// Returns every row of `table` (one of [`CARRIED`]).
    fn read_table(&self, table: &'static str) -> Result<TableRows, StoreError>;

    /// Returns the number of rows of each carried table, in [`CARRIED`]'s
    /// order.
    fn carried_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError>;

    /// Returns the bytes of every recording, once per SHA-256.
    fn recording_files(&self) -> Result<Vec<RecordingFile>, StoreError>;
}

impl TableRows {
    /// Orders the rows so that each comes after the row its `parent`
    /// column names by `id` (a code after its primary parent), since a
    /// code may have been moved under one made after it and the engines
    /// check references row by row.
    pub fn parents_first(&mut self, parent: &str) {
        let (Some(id_at), Some(parent_at)) = (
            self.columns.iter().position(|c| c == "id"),
            self.columns.iter().position(|c| c == parent),
        ) else {
            return;
        };
        let id_of = |row: &[Cell], at: usize| match row.get(at) {
            Some(Cell::Int(i)) => Some(*i),
            _ => None,
        };
        let mut placed: std::collections::HashSet<i64> = std::collections::HashSet::new();
        let mut waiting: Vec<Vec<Cell>> = std::mem::take(&mut self.rows);
        while !waiting.is_empty() {
            let before = waiting.len();
            let (ready, rest): (Vec<_>, Vec<_>) = waiting
                .into_iter()
                .partition(|row| id_of(row, parent_at).is_none_or(|p| placed.contains(&p)));
            placed.extend(ready.iter().filter_map(|row| id_of(row, id_at)));
            self.rows.extend(ready);
            waiting = rest;
            if waiting.len() == before {
                // A parent outside the table (or a cycle): keep the order.
                self.rows.append(&mut waiting);
            }
        }
    }
}
