//! Exchange as a trait: the whole study read as one [`Snapshot`], which the
//! REFI-QDA and spreadsheet exporters write out. Both backends implement
//! it over the shared `exchange::snapshot_rows`.

use crate::{Scope, Snapshot, SqliteStore, StoreError};

/// Reading a study whole for export.
pub trait Exchange {
    /// Returns the study as the scope sees it, in one consistent read.
    /// Each backend reads its rows into `SnapshotRows` and hands them to
    /// `assemble_snapshot`, which applies the scope.
    fn snapshot(&self, scope: &Scope) -> Result<Snapshot, StoreError>;
}

impl Exchange for SqliteStore {
    fn snapshot(&self, scope: &Scope) -> Result<Snapshot, StoreError> {
        SqliteStore::snapshot(self, scope)
    }
}
