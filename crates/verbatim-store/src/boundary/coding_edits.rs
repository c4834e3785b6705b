//! Changing a coding as a trait: its memo, its span, its quote mark and
//! its translation, and the reads the reader makes of one source's codings.
//!
//! Every method has a default body that says the backend has not built it
//! yet, so a backend grows one concern at a time; `SqliteStore` overrides
//! them all.

use verbatim_core::{Language, Span};

use crate::{Scope, SpanCoding, SqliteStore, StoreError};

/// The name of this concern in the "not yet on PostgreSQL" sentence.
const CONCERN: &str = "changing a coding (memo, span, quote, translation)";

/// The edits a coding takes after it is made, and the reader's reads.
pub trait CodingEdits {
    /// Sets or clears a coding's memo.
    fn set_coding_memo(
        &mut self,
        _scope: &Scope,
        _id: i64,
        _memo: Option<&str>,
    ) -> Result<(), StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Moves a coding's span within its source.
    fn set_coding_span(&mut self, _scope: &Scope, _id: i64, _span: Span) -> Result<(), StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Marks or unmarks a coding as a quote for the report.
    fn set_quote(&mut self, _scope: &Scope, _id: i64, _quote: bool) -> Result<(), StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Keeps a translation of a coding's passage.
    fn translate(
        &mut self,
        _scope: &Scope,
        _id: i64,
        _language: &Language,
        _text: &str,
    ) -> Result<(), StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Returns the source a coding the scope sees is in.
    fn coding_source(&self, _scope: &Scope, _id: i64) -> Result<Option<i64>, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Returns the codings of one source the scope sees, with their codes.
    fn source_codings(&self, _scope: &Scope, _source: i64) -> Result<Vec<SpanCoding>, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }
}

impl CodingEdits for SqliteStore {
    fn set_coding_memo(
        &mut self,
        scope: &Scope,
        id: i64,
        memo: Option<&str>,
    ) -> Result<(), StoreError> {
        SqliteStore::set_coding_memo(self, scope, id, memo)
    }
    fn set_coding_span(&mut self, scope: &Scope, id: i64, span: Span) -> Result<(), StoreError> {
        SqliteStore::set_coding_span(self, scope, id, span)
    }
    fn set_quote(&mut self, scope: &Scope, id: i64, quote: bool) -> Result<(), StoreError> {
        SqliteStore::set_quote(self, scope, id, quote)
    }
    fn translate(
        &mut self,
        scope: &Scope,
        id: i64,
        language: &Language,
        text: &str,
    ) -> Result<(), StoreError> {
        SqliteStore::translate(self, scope, id, language, text)
    }
    fn coding_source(&self, scope: &Scope, id: i64) -> Result<Option<i64>, StoreError> {
        SqliteStore::coding_source(self, scope, id)
    }
    fn source_codings(&self, scope: &Scope, source: i64) -> Result<Vec<SpanCoding>, StoreError> {
        SqliteStore::source_codings(self, scope, source)
    }
}
