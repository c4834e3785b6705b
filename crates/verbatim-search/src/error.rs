//! What can go wrong while indexing or searching, as typed errors.

use std::path::PathBuf;

/// An error of the search crate.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query could not be read; `column` is 1-based, in chars.
    #[error("{message} at column {column}{}", quote_tail(.fragment))]
    Query {
        /// What is wrong.
        message: String,
        /// Where (1-based char column in the query).
        column: usize,
        /// The part of the query in question.
        fragment: String,
    },
    /// A filter or option was not understood.
    #[error("{0}")]
    Invalid(String),
    /// The study could not be read.
    #[error(transparent)]
    Store(#[from] verbatim_store::StoreError),
    /// The index folder could not be read or written.
    #[error("the search index {path} could not be used: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The search engine failed.
    #[error("the search index failed: {0}")]
    Engine(#[from] tantivy::TantivyError),
}

fn quote_tail(fragment: &str) -> String {
    if fragment.is_empty() {
        String::new()
    } else {
        format!(": {fragment}")
    }
}

/// A result of this crate.
pub type Result<T> = std::result::Result<T, SearchError>;
