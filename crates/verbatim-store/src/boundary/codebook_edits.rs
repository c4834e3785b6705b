//! Changing a codebook as a trait: rename, describe, move, merge, split and
//! delete codes in the scope's book, each one undoable action.
//!
//! Every method has a default body that says the backend has not built it
//! yet, so a backend grows one concern at a time; `SqliteStore` overrides
//! them all.

use crate::{Cascade, CodeFields, Scope, SqliteStore, StoreError};

/// The name of this concern in the "not yet on PostgreSQL" sentence.
const CONCERN: &str = "changing a code (rename, describe, move, merge, split, delete)";

/// The edits a codebook takes after its codes are made.
pub trait CodebookEdits {
    /// Renames a code of the scope's book.
    fn rename_code(&mut self, _scope: &Scope, _id: i64, _name: &str) -> Result<(), StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Sets a code's description, colour, memo fields and level.
    fn describe_code(
        &mut self,
        _scope: &Scope,
        _id: i64,
        _fields: &CodeFields,
        _level: Option<&str>,
    ) -> Result<(), StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Moves a code under another (or to the top) at a position.
    fn move_code(
        &mut self,
        _scope: &Scope,
        _id: i64,
        _parent: Option<i64>,
        _position: Option<i64>,
    ) -> Result<(), StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Merges `from` into `into` and returns how many codings moved.
    fn merge_codes(&mut self, _scope: &Scope, _from: i64, _into: i64) -> Result<usize, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Moves the listed codings of a code to a new sibling code named
    /// `name` and returns its id.
    fn split_code(
        &mut self,
        _scope: &Scope,
        _id: i64,
        _name: &str,
        _codings: &[i64],
    ) -> Result<i64, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Deletes a code (and, with a cascade, what hangs from it) and returns
    /// how many codings went with it.
    fn delete_code(
        &mut self,
        _scope: &Scope,
        _id: i64,
        _cascade: Option<Cascade>,
    ) -> Result<usize, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }
}

impl CodebookEdits for SqliteStore {
    fn rename_code(&mut self, scope: &Scope, id: i64, name: &str) -> Result<(), StoreError> {
        SqliteStore::rename_code(self, scope, id, name)
    }
    fn describe_code(
        &mut self,
        scope: &Scope,
        id: i64,
        fields: &CodeFields,
        level: Option<&str>,
    ) -> Result<(), StoreError> {
        SqliteStore::describe_code(self, scope, id, fields, level)
    }
    fn move_code(
        &mut self,
        scope: &Scope,
        id: i64,
        parent: Option<i64>,
        position: Option<i64>,
    ) -> Result<(), StoreError> {
        SqliteStore::move_code(self, scope, id, parent, position)
    }
    fn merge_codes(&mut self, scope: &Scope, from: i64, into: i64) -> Result<usize, StoreError> {
        SqliteStore::merge_codes(self, scope, from, into)
    }
    fn split_code(
        &mut self,
        scope: &Scope,
        id: i64,
        name: &str,
        codings: &[i64],
    ) -> Result<i64, StoreError> {
        SqliteStore::split_code(self, scope, id, name, codings)
    }
    fn delete_code(
        &mut self,
        scope: &Scope,
        id: i64,
        cascade: Option<Cascade>,
    ) -> Result<usize, StoreError> {
        SqliteStore::delete_code(self, scope, id, cascade)
    }
}
