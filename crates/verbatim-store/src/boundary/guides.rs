//! Interview guides as a trait: versions of a guide added from their text,
//! the version each source was collected with, and autocoding answers by
//! question. Parsing, the version rules and autocoding itself are
//! `guide_rules`' (re-exported by [`super::rules`]); a backend only stores
//! and reads the rows, so both answer alike.

use super::guide_rules::{self, AutocodeReport, Guide, GuidePlan, GuideVersion};
use crate::{
    Codebook, CodebookEdits, Coders, Codings, Participants, Scope, SourceRef, SqliteStore, Store,
    StoreError,
};

/// The interview guides of a study.
pub trait Guides: Store + Coders + Codebook + CodebookEdits + Codings + Participants {
    /// Adds a version of a guide (creating the guide if new) from its text
    /// (checked by [`guide_rules::new_guide`]); `version` defaults to the
    /// next number. One undoable action (`guide.add`).
    fn add_guide(
        &mut self,
        actor: &str,
        name: &str,
        text: &str,
        version: Option<i64>,
        date: Option<&str>,
    ) -> Result<GuideVersion, StoreError>;

    /// Returns every guide (by name) with its versions, questions and the
    /// sources collected with each.
    fn guides(&self) -> Result<Vec<Guide>, StoreError>;

    /// Records that a source was collected with a guide version (the
    /// latest when `version` is not given); returns the version. One
    /// undoable action (`guide.use`).
    fn use_guide(
        &mut self,
        actor: &str,
        source: &SourceRef,
        guide: &str,
        version: Option<i64>,
    ) -> Result<i64, StoreError>;

    /// Returns the guide version each source records (source `only`, or
    /// every source with one), by source id, with its questions.
    fn guide_plans(&self, only: Option<i64>) -> Result<Vec<GuidePlan>, StoreError>;

    /// Codes, for the scope's coder, the answers to each question of the
    /// guide version each source records: one source, or every source with
    /// a guide ([`guide_rules::autocode`]).
    fn autocode(
        &mut self,
        scope: &Scope,
        source: Option<&SourceRef>,
        threshold: f64,
    ) -> Result<Vec<AutocodeReport>, StoreError>;
}

impl Guides for SqliteStore {
    fn add_guide(
        &mut self,
        actor: &str,
        name: &str,
        text: &str,
        version: Option<i64>,
        date: Option<&str>,
    ) -> Result<GuideVersion, StoreError> {
        SqliteStore::add_guide(self, actor, name, text, version, date)
    }

    fn guides(&self) -> Result<Vec<Guide>, StoreError> {
        SqliteStore::guides(self)
    }

    fn use_guide(
        &mut self,
        actor: &str,
        source: &SourceRef,
        guide: &str,
        version: Option<i64>,
    ) -> Result<i64, StoreError> {
        SqliteStore::use_guide(self, actor, source, guide, version)
    }

    fn guide_plans(&self, only: Option<i64>) -> Result<Vec<GuidePlan>, StoreError> {
        SqliteStore::guide_plans(self, only)
    }

    fn autocode(
        &mut self,
        scope: &Scope,
        source: Option<&SourceRef>,
        threshold: f64,
    ) -> Result<Vec<AutocodeReport>, StoreError> {
        guide_rules::autocode(self, scope, source, threshold)
    }
}
