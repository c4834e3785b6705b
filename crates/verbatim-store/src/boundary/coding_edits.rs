//! Changing a coding as a trait: its memo, its span, its quote mark and
//! its translation, and the reads the reader makes of one source's codings.
//!
//! Every backend implements every method (`SqliteStore` by delegating to
//! its inherent methods, `PgStore` in `verbatim-store-pg`'s
//! `coding_edits`), so a missing one is a compile error.

use verbatim_core::{Language, Span};

use crate::{Scope, SpanCoding, SqliteStore, StoreError};

/// The edits a coding takes after it is made, and the reader's reads.
pub trait CodingEdits {
    /// Sets or clears a coding's memo.
    fn set_coding_memo(
        &mut self,
        scope: &Scope,
        id: i64,
        memo: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Moves a coding's span within its source.
    fn set_coding_span(&mut self, scope: &Scope, id: i64, span: Span) -> Result<(), StoreError>;

    /// Marks or unmarks a coding as a quote for the report.
    fn set_quote(&mut self, scope: &Scope, id: i64, quote: bool) -> Result<(), StoreError>;

    /// Keeps a translation of a coding's passage.
    fn translate(
        &mut self,
        scope: &Scope,
        id: i64,
        language: &Language,
        text: &str,
    ) -> Result<(), StoreError>;

    /// Returns the codings of one source the scope sees, with their codes.
    fn source_codings(&self, scope: &Scope, source: i64) -> Result<Vec<SpanCoding>, StoreError>;

    /// Returns one coding the scope sees, with its source's id.
    fn span_coding(&self, scope: &Scope, id: i64) -> Result<Option<(i64, SpanCoding)>, StoreError>;
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
    fn source_codings(&self, scope: &Scope, source: i64) -> Result<Vec<SpanCoding>, StoreError> {
        SqliteStore::source_codings(self, scope, source)
    }
    fn span_coding(&self, scope: &Scope, id: i64) -> Result<Option<(i64, SpanCoding)>, StoreError> {
        SqliteStore::span_coding(self, scope, id)
    }
}
