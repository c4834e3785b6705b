//! De-identification as a trait: the names a study's texts may hold, the
//! replacements made, making them and checking none remain. Both backends
//! build it on the rules of [`crate::rules::deid`], so they find, replace
//! and report alike.

use crate::{Candidate, DeidRecord, DeidReport, NamesList, Remaining, SqliteStore, StoreError};

/// Finding and replacing identifying names.
pub trait Deidentifying {
    /// Returns the names found in the texts (with a names list, those too).
    fn deid_candidates(&self, names: Option<&NamesList>) -> Result<Vec<Candidate>, StoreError>;

    /// Returns the replacements made so far.
    fn deidentifications(&self) -> Result<Vec<DeidRecord>, StoreError>;

    /// Replaces the listed names in the sources (all when `None`), in one
    /// action that cannot be undone; with `dry_run`, only reports.
    fn deidentify(
        &mut self,
        actor: &str,
        names: &NamesList,
        sources: Option<&[i64]>,
        dry_run: bool,
    ) -> Result<DeidReport, StoreError>;

    /// Returns every place where a listed name remains.
    fn deid_check(&self, names: &NamesList) -> Result<Vec<Remaining>, StoreError>;
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
    fn deid_check(&self, names: &NamesList) -> Result<Vec<Remaining>, StoreError> {
        SqliteStore::deid_check(self, names)
    }
}
