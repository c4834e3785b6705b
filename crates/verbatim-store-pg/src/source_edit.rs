//! `SourceEdits::edit_source` on PostgreSQL: a source's text corrected and
//! every coding, turn and anchored memo moved with it, in one undoable
//! `source.edit`. The edit is narrowed and reported by
//! `verbatim_store::rules::splice` ([`narrowed_edit`], [`edit_outcome`]),
//! as on SQLite, and written by [`crate::splice::splice_source`], the
//! writer de-identification and withdrawal use, with the same recorded
//! rows, so undo replays it as on SQLite. The source's row is locked
//! first, so two edits of one source queue.

use verbatim_core::Span;
use verbatim_store::rules::splice::{edit_outcome, narrowed_edit};
use verbatim_store::{EditReport, Scope, StoreError};

use crate::PgStore;
use crate::splice::splice_source;

impl PgStore {
    /// `SourceEdits::edit_source`.
    pub(crate) fn edit_source_in(
        &self,
        scope: &Scope,
        source: i64,
        span: Span,
        replacement: &str,
    ) -> Result<EditReport, StoreError> {
        self.act(&scope.coder().name, "source.edit", |tx, rec| {
            let row = tx.query_opt(
                "SELECT s.name, s.chars, t.text FROM sources s \
                 JOIN source_texts t ON t.source_id = s.id WHERE s.id = $1 FOR UPDATE OF s",
                &[&source],
            )?;
            let row = row.ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
            let (name, chars, text): (String, i64, String) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            let edit = narrowed_edit(&name, chars, &text, span, replacement)?;
            let done = splice_source(tx, rec, source, &[edit.splice()], false)?;
            let (report, summary) = edit_outcome(scope, (source, name), chars, edit, &done);
            Ok((report, Some(format!("source:{source}")), summary))
        })
    }
}
