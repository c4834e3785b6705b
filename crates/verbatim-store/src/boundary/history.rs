//! The study's history and its layers as traits: undo and redo of any
//! recorded action ([`History`]), and the reveal that ends blind coding
//! ([`Reveal`]).
//!
//! Both backends replay an action the same way: each row the action
//! changed must still be as it left it, then it is brought back to its
//! state before (undo) or after (redo); the stacks and the refusals are
//! [`super::rules`]' (`undo_stacks`, `nothing_to`, `replay_refused`), so a
//! study answers alike on SQLite and PostgreSQL.

use crate::{Replayed, SqliteStore, StoreError};

/// Undo and redo, per actor, derived from the audit log.
pub trait History {
    /// Undoes the actor's last `steps` actions, newest first; stops with an
    /// error (changing nothing for that step) when a row the action touched
    /// has changed since.
    fn undo(&mut self, actor: &str, steps: usize) -> Result<Vec<Replayed>, StoreError>;

    /// Redoes the actor's last `steps` undone actions.
    fn redo(&mut self, actor: &str, steps: usize) -> Result<Vec<Replayed>, StoreError>;
}

/// The owner's irreversible step that opens every coder's layer to every
/// coder (then [`crate::Coders::layers_open`] answers true).
pub trait Reveal {
    /// Reveals the study, recorded with who and not undoable; returns false
    /// when it already was.
    fn reveal(&mut self, actor: &str) -> Result<bool, StoreError>;

    /// Returns who revealed the study and when (RFC 3339), once revealed.
    fn revealed(&self) -> Result<Option<(String, String)>, StoreError>;
}

impl History for SqliteStore {
    fn undo(&mut self, actor: &str, steps: usize) -> Result<Vec<Replayed>, StoreError> {
        SqliteStore::undo(self, actor, steps)
    }

    fn redo(&mut self, actor: &str, steps: usize) -> Result<Vec<Replayed>, StoreError> {
        SqliteStore::redo(self, actor, steps)
    }
}

impl Reveal for SqliteStore {
    fn reveal(&mut self, actor: &str) -> Result<bool, StoreError> {
        SqliteStore::reveal(self, actor)
    }

    fn revealed(&self) -> Result<Option<(String, String)>, StoreError> {
        SqliteStore::revealed(self)
    }
}
