//! Exchange as a trait: the whole study read as one [`Snapshot`], which the
//! REFI-QDA and spreadsheet exporters write out, and a whole project
//! written as one [`ImportPlan`]. Both backends implement it over the
//! shared `exchange::snapshot_rows` and `exchange::write_plan`.

use crate::{ImportPlan, ImportedCounts, Scope, Snapshot, SqliteStore, StoreError};

/// Reading a study whole for export.
pub trait Exchange {
    /// Returns the study as the scope sees it, in one consistent read.
    /// Each backend reads its rows into `SnapshotRows` and hands them to
    /// `assemble_snapshot`, which applies the scope.
    fn snapshot(&self, scope: &Scope) -> Result<Snapshot, StoreError>;

    /// Writes a whole project in one transaction, everything or nothing,
    /// logged as one `exchange.import` entry (not undoable). Each backend
    /// runs the shared `write_plan` over its own `PlanRows`.
    fn import_project(
        &mut self,
        actor: &str,
        plan: &ImportPlan,
    ) -> Result<ImportedCounts, StoreError>;
}

impl Exchange for SqliteStore {
    fn snapshot(&self, scope: &Scope) -> Result<Snapshot, StoreError> {
        SqliteStore::snapshot(self, scope)
    }

    fn import_project(
        &mut self,
        actor: &str,
        plan: &ImportPlan,
    ) -> Result<ImportedCounts, StoreError> {
        SqliteStore::import_project(self, actor, plan)
    }
}
