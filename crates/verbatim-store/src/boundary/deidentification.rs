//! De-identification as a trait: the names a study's texts may hold, the
//! replacements made, and making them.
//!
//! Every method has a default body that says the backend has not built it
//! yet, so a backend grows one concern at a time; `SqliteStore` overrides
//! them all.

use crate::{Candidate, DeidRecord, DeidReport, NamesList, SqliteStore, StoreError};

/// The name of this concern in the "not yet on PostgreSQL" sentence.
const CONCERN: &str = "de-identification";

/// Finding and replacing identifying names.
pub trait Deidentifying {
    /// Returns the names found in the texts (with a names list, those too).
    fn deid_candidates(&self, _names: Option<&NamesList>) -> Result<Vec<Candidate>, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Returns the replacements made so far.
    fn deidentifications(&self) -> Result<Vec<DeidRecord>, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Replaces the listed names in the sources (all when `None`).
    fn deidentify(
        &mut self,
        _actor: &str,
        _names: &NamesList,
        _sources: Option<&[i64]>,
        _dry_run: bool,
    ) -> Result<DeidReport, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }
}

impl Deidentifying for SqliteStore {
    fn deid_candidates(&self, names: Option<&NamesList>) -> Result<Vec<Candidate>, StoreError> {
        SqliteStore::deid_candidates(self, names)
    }
    fn deidentifications(&self) -> Result<Vec<DeidRecord>, StoreError> {
        SqliteStore::deidentifications(self)
    }
    fn deidentify(
        &mut self,
        actor: &str,
        names: &NamesList,
        sources: Option<&[i64]>,
        dry_run: bool,
    ) -> Result<DeidReport, StoreError> {
        SqliteStore::deidentify(self, actor, names, sources, dry_run)
    }
}
