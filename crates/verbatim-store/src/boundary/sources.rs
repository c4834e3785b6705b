//! Editing a source's text, repairing it after import, marking it analysed, and declaring the
//! study solo, as traits: re-detected turns, a source removed with what
//! hangs on it, a coder's done mark (each one undoable action), and the
//! solo mark (recorded, not undoable). The rules both backends apply are
//! `source_rules`' (re-exported by [`super::rules`]), so they refuse and
//! report alike.

use verbatim_core::{Span, Turn};

use crate::{EditReport, RedetectReport, RemoveReport, Scope, SqliteStore, StoreError};

/// The repairs and marks a source takes after import.
pub trait SourceEdits {
    /// Replaces the chars `span` of a source with `replacement` (NFC) and
    /// moves every coding, turn and anchored memo with the text, as
    /// `splice_rules` plans it, in one undoable `source.edit` by the scope's
    /// coder; reports the codings whose passage changed.
    fn edit_source(
        &mut self,
        scope: &Scope,
        source: i64,
        span: Span,
        replacement: &str,
    ) -> Result<EditReport, StoreError>;

    /// Replaces a source's turns with `turns`, found again in its unchanged
    /// text (checked by [`super::rules::plan_redetect`]); explicit mappings
    /// of labels no longer found go. One undoable `source.redetect`, none
    /// when nothing changes.
    fn replace_turns(
        &mut self,
        actor: &str,
        source: i64,
        turns: &[Turn],
    ) -> Result<RedetectReport, StoreError>;

    /// Removes a source with its text, turns, codings (their translations
    /// and consensus origins), memos, speaker mappings, attribute values,
    /// guide link and done marks, as one undoable `source.remove` whose
    /// audit entry lists every row.
    fn remove_source(&mut self, actor: &str, source: i64) -> Result<RemoveReport, StoreError>;

    /// Marks a source as analysed by the scope's coder, or takes the mark
    /// back (one undoable action); false, writing nothing, when nothing
    /// changes.
    fn set_source_done(
        &mut self,
        actor: &str,
        scope: &Scope,
        source: i64,
        done: bool,
    ) -> Result<bool, StoreError>;

    /// Sets (or clears) the collection date (`YYYY-MM-DD`, checked by
    /// [`crate::parse_date`]) of sources, as one undoable `source.date`;
    /// nothing changes when a date or a source is wrong.
    fn set_sources_date(
        &mut self,
        actor: &str,
        source_ids: &[i64],
        date: Option<&str>,
    ) -> Result<(), StoreError>;
}

/// The study's solo mark: one researcher coding under several names.
pub trait Solo {
    /// Declares the study solo, recorded with who and not undoable;
    /// refused ([`super::rules::solo_refused`]) once two coders have coded
    /// blind in a study not revealed. False when it already was.
    fn mark_solo(&mut self, actor: &str) -> Result<bool, StoreError>;

    /// Returns who declared the study solo and when, once it is.
    fn solo(&self) -> Result<Option<(String, String)>, StoreError>;
}

impl SourceEdits for SqliteStore {
    fn edit_source(
        &mut self,
        scope: &Scope,
        source: i64,
        span: Span,
        replacement: &str,
    ) -> Result<EditReport, StoreError> {
        SqliteStore::edit_source(self, scope, source, span, replacement)
    }

    fn replace_turns(
        &mut self,
        actor: &str,
        source: i64,
        turns: &[Turn],
    ) -> Result<RedetectReport, StoreError> {
        SqliteStore::replace_turns(self, actor, source, turns)
    }

    fn remove_source(&mut self, actor: &str, source: i64) -> Result<RemoveReport, StoreError> {
        SqliteStore::remove_source(self, actor, source)
    }

    fn set_source_done(
        &mut self,
        actor: &str,
        scope: &Scope,
        source: i64,
        done: bool,
    ) -> Result<bool, StoreError> {
        SqliteStore::set_source_done(self, actor, scope, source, done)
    }

    fn set_sources_date(
        &mut self,
        actor: &str,
        source_ids: &[i64],
        date: Option<&str>,
    ) -> Result<(), StoreError> {
        SqliteStore::set_sources_date(self, actor, source_ids, date)
    }
}

impl Solo for SqliteStore {
    fn mark_solo(&mut self, actor: &str) -> Result<bool, StoreError> {
        SqliteStore::mark_solo(self, actor)
    }

    fn solo(&self) -> Result<Option<(String, String)>, StoreError> {
        SqliteStore::solo(self)
    }
}
