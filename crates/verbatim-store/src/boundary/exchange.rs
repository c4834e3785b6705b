//! Exchange as a trait: the whole study read as one [`Snapshot`], which the
//! REFI-QDA and spreadsheet exporters write out.

use crate::{Scope, Snapshot, SqliteStore, StoreError};

/// The name of this concern in the "not yet on PostgreSQL" sentence.
const CONCERN: &str = "export";

/// Reading a study whole for export.
pub trait Exchange {
    /// Returns the study as the scope sees it, in one consistent read.
    fn snapshot(&self, _scope: &Scope) -> Result<Snapshot, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }
}

impl Exchange for SqliteStore {
    fn snapshot(&self, scope: &Scope) -> Result<Snapshot, StoreError> {
        SqliteStore::snapshot(self, scope)
    }
}
