//! The reads the web pages make beside the coding traits: the study's
//! change counter (what the server's kept lists are checked against), the
//! scope a reader sees, per-source and per-coder counts, and one coder's
//! passages for a code.
//!
//! Every method has a default body that says the backend has not built it
//! yet, so a backend grows one concern at a time; `SqliteStore` overrides
//! them all.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use crate::{CodedSpan, CoderTotals, Scope, SqliteStore, StoreError};

/// The name of this concern in the "not yet on PostgreSQL" sentence.
const CONCERN: &str = "this page";

/// The reads of the reader, the home page and the comparison panels.
pub trait ReaderReads {
    /// Returns the study's change counter: the newest audit row's number.
    fn change_counter(&self) -> Result<i64, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Returns whether a write since `since` may have touched `tables`.
    fn tables_may_have_changed(&self, _since: i64, _tables: &[&str]) -> Result<bool, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Returns the scope a reader without a coder sees.
    fn reader_scope(&self) -> Result<Scope, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Returns how many codings the scope sees in each source of a range.
    fn source_coding_counts(
        &self,
        _scope: &Scope,
        _sources: RangeInclusive<i64>,
    ) -> Result<HashMap<i64, i64>, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Returns each coder's totals the scope sees.
    fn coder_totals(&self, _scope: &Scope) -> Result<Vec<CoderTotals>, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Returns one coder's passages coded with a code.
    fn passages_of(
        &self,
        _scope: &Scope,
        _coder: i64,
        _code: i64,
    ) -> Result<Vec<CodedSpan>, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }
}

impl ReaderReads for SqliteStore {
    fn change_counter(&self) -> Result<i64, StoreError> {
        SqliteStore::change_counter(self)
    }
    fn tables_may_have_changed(&self, since: i64, tables: &[&str]) -> Result<bool, StoreError> {
        SqliteStore::tables_may_have_changed(self, since, tables)
    }
    fn reader_scope(&self) -> Result<Scope, StoreError> {
        SqliteStore::reader_scope(self)
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
