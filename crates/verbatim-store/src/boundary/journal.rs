//! The reflexive journal as a trait: entries, sealed preconceptions and
//! their links to codes, on any backend.
//!
//! What an entry may hold, who may change or seal it, and the sealed form
//! are decided once ([`super::rules::journal_text`], [`super::rules::own_entry`],
//! [`super::rules::sealable`], [`super::rules::unsealed_entry`],
//! [`super::rules::entry_edit`], [`crate::seal_hash`], and what a broken seal
//! is, [`super::rules::seal_mismatch`]); each backend's
//! database also refuses any change to a sealed row by trigger.

use crate::{EntryKind, JournalEntry, Mismatch, Relation, Scope, SqliteStore, StoreError};

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

    /// Changes one of the scope's unsealed entries' title or text (`None`
    /// keeps a field; one undoable action).
    fn edit_entry(
        &mut self,
        scope: &Scope,
        id: i64,
        title: Option<&str>,
        body: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Deletes one of the scope's unsealed entries and its links (one
    /// undoable action).
    fn delete_entry(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError>;

    /// Recomputes every sealed entry's hash (all coders') and returns those
    /// that do not match their seal or the seal the audit log recorded.
    fn verify_journal(&self) -> Result<Vec<Mismatch>, StoreError>;
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

    fn delete_entry(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError> {
        SqliteStore::delete_entry(self, scope, id)
    }

    fn verify_journal(&self) -> Result<Vec<Mismatch>, StoreError> {
        SqliteStore::verify_journal(self)
    }
}
