//! The reflexive journal as a trait: entries, sealed preconceptions and
//! their links to codes, on any backend.
//!
//! What an entry may hold, who may change or seal it, and the sealed form
//! are decided once ([`super::rules::journal_text`], [`super::rules::own_entry`],
//! [`super::rules::sealable`], [`crate::seal_hash`]); each backend's
//! database also refuses any change to a sealed row by trigger.

use crate::{EntryKind, JournalEntry, Relation, Scope, SqliteStore, StoreError};

/// The reflexive journal of a study.
pub trait Journal {
    /// Writes an entry by the scope's coder, dated now, and returns its id
    /// (one undoable action).
    fn add_entry(
        &mut self,
        scope: &Scope,
        kind: EntryKind,
        title: &str,
        body: &str,
    ) -> Result<i64, StoreError>;

    /// Seals one of the scope's preconceptions and returns its SHA-256
    /// (audited, not undoable: a seal is never taken back).
    fn seal(&mut self, scope: &Scope, id: i64) -> Result<String, StoreError>;

    /// Links one of the scope's entries to a code it sees, or changes the
    /// relation of an existing link; returns the link's id.
    fn link_entry(
        &mut self,
        scope: &Scope,
        entry: i64,
        code: i64,
        relation: Relation,
    ) -> Result<i64, StoreError>;

    /// Returns the entries the scope sees, oldest first, with their links.
    fn entries(&self, scope: &Scope) -> Result<Vec<JournalEntry>, StoreError>;

    /// Changes an unsealed entry's title or body (one undoable action).
    fn edit_entry(
        &mut self,
        _scope: &Scope,
        _id: i64,
        _title: Option<&str>,
        _body: Option<&str>,
    ) -> Result<(), StoreError> {
        Err(StoreError::NotOnPostgres("editing a journal entry"))
    }
}

impl Journal for SqliteStore {
    fn add_entry(
        &mut self,
        scope: &Scope,
        kind: EntryKind,
        title: &str,
        body: &str,
    ) -> Result<i64, StoreError> {
        SqliteStore::add_entry(self, scope, kind, title, body)
    }

    fn seal(&mut self, scope: &Scope, id: i64) -> Result<String, StoreError> {
        SqliteStore::seal(self, scope, id)
    }

    fn link_entry(
        &mut self,
        scope: &Scope,
        entry: i64,
        code: i64,
        relation: Relation,
    ) -> Result<i64, StoreError> {
        SqliteStore::link_entry(self, scope, entry, code, relation)
    }

    fn entries(&self, scope: &Scope) -> Result<Vec<JournalEntry>, StoreError> {
        SqliteStore::entries(self, scope)
    }
    fn edit_entry(
        &mut self,
        scope: &Scope,
        id: i64,
        title: Option<&str>,
        body: Option<&str>,
    ) -> Result<(), StoreError> {
        SqliteStore::edit_entry(self, scope, id, title, body)
    }
}
