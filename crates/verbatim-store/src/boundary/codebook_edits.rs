//! Changing a codebook as a trait: rename, describe, move, merge, split and
//! delete codes in the scope's book, each one undoable action.
//!
//! Every backend implements every method (`SqliteStore` by delegating to
//! its inherent methods, `PgStore` in `verbatim-store-pg`'s `code_edits`),
//! so a missing one is a compile error; the rules both apply live in
//! `boundary::codebook_rules` (re-exported by `rules`).

use crate::{Cascade, CodeFields, Scope, SqliteStore, StoreError};

/// The edits a codebook takes after its codes are made.
pub trait CodebookEdits {
    /// Renames a code of the scope's book.
    fn rename_code(&mut self, scope: &Scope, id: i64, name: &str) -> Result<(), StoreError>;

    /// Sets a code's description, colour, memo fields and level.
    fn describe_code(
        &mut self,
        scope: &Scope,
        id: i64,
        fields: &CodeFields,
        level: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Moves a code under another (or to the top) at a position.
    fn move_code(
        &mut self,
        scope: &Scope,
        id: i64,
        parent: Option<i64>,
        position: Option<i64>,
    ) -> Result<(), StoreError>;

    /// Merges `from` into `into` and returns how many codings moved.
    fn merge_codes(&mut self, scope: &Scope, from: i64, into: i64) -> Result<usize, StoreError>;

    /// Moves the listed codings of a code to a new sibling code named
    /// `name` and returns its id.
    fn split_code(
        &mut self,
        scope: &Scope,
        id: i64,
        name: &str,
        codings: &[i64],
    ) -> Result<i64, StoreError>;

    /// Deletes a code (and, with a cascade, what hangs from it) and returns
    /// how many codings went with it.
    fn delete_code(
        &mut self,
        scope: &Scope,
        id: i64,
        cascade: Option<Cascade>,
    ) -> Result<usize, StoreError>;
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
