//! Translations as a trait: the names a team gives its codes in other
//! languages (so a report in English names a French study's themes in
//! English) and a translator's file coming back onto the quotes.
//!
//! The checks, audit summaries and the language lookup are
//! `rules` (`checked_code_name`, `attachable`, `primary_language`…), so
//! both backends refuse alike and log the same entries.

use std::collections::HashMap;

use crate::{NewCodeName, NewTranslation, QuoteCandidate, Scope, SqliteStore, StoreError};

/// Code names in other languages, and translations attached in bulk.
pub trait Translations {
    /// Returns every code's name in `language` (its primary subtag: `en`
    /// also finds names given as `en-GB`): code id → name.
    fn code_names(&self, language: &str) -> Result<HashMap<i64, String>, StoreError>;

    /// Sets (or, with an empty name, clears) codes' names in other
    /// languages in one undoable action (`code.translate`); returns how
    /// many names were set or cleared.
    fn set_code_names(&mut self, scope: &Scope, names: &[NewCodeName])
    -> Result<usize, StoreError>;

    /// Returns the id and name of the code with this exchange id, if the
    /// scope sees it.
    fn code_by_guid(&self, scope: &Scope, guid: &str) -> Result<Option<(i64, String)>, StoreError>;

    /// Returns the coding with this exchange id, if the scope sees it, as
    /// quote selection sees codings.
    fn coding_by_guid(
        &self,
        scope: &Scope,
        guid: &str,
    ) -> Result<Option<QuoteCandidate>, StoreError>;

    /// Attaches (or replaces) every translation given, marks each
    /// translated coding as a quote, and sets the code names given, all in
    /// one undoable action (`coding.translate_many`); nothing is written
    /// unless every item passes. Returns how many translations were new
    /// and how many code names were set.
    fn attach_translations_and_names(
        &mut self,
        scope: &Scope,
        items: &[NewTranslation],
        names: &[NewCodeName],
    ) -> Result<(usize, usize), StoreError>;
}

impl Translations for SqliteStore {
    fn code_names(&self, language: &str) -> Result<HashMap<i64, String>, StoreError> {
        SqliteStore::code_names(self, language)
    }
    fn set_code_names(
        &mut self,
        scope: &Scope,
        names: &[NewCodeName],
    ) -> Result<usize, StoreError> {
        SqliteStore::set_code_names(self, scope, names)
    }
    fn code_by_guid(&self, scope: &Scope, guid: &str) -> Result<Option<(i64, String)>, StoreError> {
        SqliteStore::code_by_guid(self, scope, guid)
    }
    fn coding_by_guid(
        &self,
        scope: &Scope,
        guid: &str,
    ) -> Result<Option<QuoteCandidate>, StoreError> {
        SqliteStore::coding_by_guid(self, scope, guid)
    }
    fn attach_translations_and_names(
        &mut self,
        scope: &Scope,
        items: &[NewTranslation],
        names: &[NewCodeName],
    ) -> Result<(usize, usize), StoreError> {
        SqliteStore::attach_translations_and_names(self, scope, items, names)
    }
}
