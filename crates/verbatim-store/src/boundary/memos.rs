//! Memos as a trait: notes on the study, a source, a participant, a code
//! or a coding, in the writer's layer, on any backend.
//!
//! What a memo may hold and be about is decided once
//! ([`super::rules::memo_body`], [`super::rules::memo_title`],
//! [`super::rules::memo_edit`], [`super::rules::own_memo`],
//! [`super::rules::check_memo_target`]), and so is what a listing keeps
//! ([`crate::MemoFilter::keeps`]) and how it names a target
//! ([`super::rules::memo_target_label`]); memos follow the blind rule of
//! codings through the [`Scope`].

use crate::{Memo, MemoFilter, MemoTarget, Scope, SqliteStore, StoreError};

/// The memos of a study.
pub trait Memos {
    /// Writes a memo in the scope's layer and returns its id (one undoable
    /// action).
    fn add_memo(
        &mut self,
        scope: &Scope,
        target: &MemoTarget,
        title: Option<&str>,
        body: &str,
    ) -> Result<i64, StoreError>;

    /// Returns the memos the scope sees that the filter keeps, oldest first.
    fn memos(&self, scope: &Scope, filter: &MemoFilter) -> Result<Vec<Memo>, StoreError>;

    /// Changes one of the scope's own memos' title or text (`None` keeps a
    /// field, an empty title clears it), dated now (one undoable action).
    fn edit_memo(
        &mut self,
        scope: &Scope,
        id: i64,
        title: Option<&str>,
        body: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Deletes one of the scope's own memos (one undoable action).
    fn delete_memo(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError>;
}

impl Memos for SqliteStore {
    fn add_memo(
        &mut self,
        scope: &Scope,
        target: &MemoTarget,
        title: Option<&str>,
        body: &str,
    ) -> Result<i64, StoreError> {
        SqliteStore::add_memo(self, scope, target, title, body)
    }

    fn memos(&self, scope: &Scope, filter: &MemoFilter) -> Result<Vec<Memo>, StoreError> {
        SqliteStore::memos(self, scope, filter)
    }

    fn edit_memo(
        &mut self,
        scope: &Scope,
        id: i64,
        title: Option<&str>,
        body: Option<&str>,
    ) -> Result<(), StoreError> {
        SqliteStore::edit_memo(self, scope, id, title, body)
    }

    fn delete_memo(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError> {
        SqliteStore::delete_memo(self, scope, id)
    }
}
