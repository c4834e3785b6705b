//! The reads the web pages make beside the coding traits: the study's
//! change counter (what the server's kept lists are checked against), the
//! scope a reader sees, per-source and per-coder counts, and one coder's
//! passages for a code.
//!
//! Both backends implement every read; `reader_scope` is provided, built
//! from `Coders` as every scope is.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use crate::{CodedSpan, CoderTotals, Coders, Scope, SqliteStore, StoreError};

/// The reads of the reader, the home page and the comparison panels.
pub trait ReaderReads: Coders {
    /// Returns the study's change counter: the number of the newest audit
    /// entry, which is the number of entries (the log is append-only).
    fn change_counter(&self) -> Result<i64, StoreError>;

    /// Returns whether a write since `since` may have touched `tables`
    /// (true when unsure: a cache is then rebuilt, never wrongly kept).
    fn tables_may_have_changed(&self, since: i64, tables: &[&str]) -> Result<bool, StoreError>;

    /// Returns the scope a reader without a coder sees: the shared codebook
    /// and the consensus layer, and every layer once the layers are open.
    fn reader_scope(&self) -> Result<Scope, StoreError> {
        Ok(Scope::issue(
            self.consensus_coder()?,
            self.layers_open()?,
            true,
        ))
    }

    /// Returns how many codings the scope sees in each source of a range
    /// (sources without any are absent).
    fn source_coding_counts(
        &self,
        scope: &Scope,
        sources: RangeInclusive<i64>,
    ) -> Result<HashMap<i64, i64>, StoreError>;

    /// Returns each coder's totals the scope sees.
    fn coder_totals(&self, scope: &Scope) -> Result<Vec<CoderTotals>, StoreError>;

    /// Returns one coder's passages coded with a code or any code below
    /// it, by source, start, end and code; needs a scope seeing every layer.
    fn passages_of(
        &self,
        scope: &Scope,
        coder: i64,
        code: i64,
    ) -> Result<Vec<CodedSpan>, StoreError>;
}

impl ReaderReads for SqliteStore {
    fn change_counter(&self) -> Result<i64, StoreError> {
        SqliteStore::change_counter(self)
    }
    fn tables_may_have_changed(&self, since: i64, tables: &[&str]) -> Result<bool, StoreError> {
        SqliteStore::tables_may_have_changed(self, since, tables)
    }
    fn source_coding_counts(
        &self,
        scope: &Scope,
        sources: RangeInclusive<i64>,
    ) -> Result<HashMap<i64, i64>, StoreError> {
        SqliteStore::source_coding_counts(self, scope, sources)
    }
    fn coder_totals(&self, scope: &Scope) -> Result<Vec<CoderTotals>, StoreError> {
        SqliteStore::coder_totals(self, scope)
    }
    fn passages_of(
        &self,
        scope: &Scope,
        coder: i64,
        code: i64,
    ) -> Result<Vec<CodedSpan>, StoreError> {
        SqliteStore::passages_of(self, scope, coder, code)
    }
}
