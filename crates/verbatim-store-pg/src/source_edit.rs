//! `SourceEdits::edit_source` on PostgreSQL: a source's text corrected and
//! every coding, turn and anchored memo moved with it, in one undoable
//! `source.edit`. The plan (narrowing, positions, which codings go, the
//! order of the writes) is `verbatim_store::boundary::splice_rules`', the
//! one SQLite writes too; this module reads the rows and writes the plan
//! with the same recorded rows, so undo replays it as on SQLite. The
//! source's row is locked first, so two edits of one source queue.

use postgres::Transaction;
use verbatim_core::{OffsetTable, Span};
use verbatim_store::rules::{
    CodingRow, MemoMove, PARK, SplicePlan, SpliceRows, Spliced, edit_outcome, narrowed_edit,
    plan_splice, twin_text,
};
use verbatim_store::{EditReport, Scope, StoreError};

use crate::PgStore;
use crate::codings::delete_coding_rows;
use crate::reads::ReadError;
use crate::record::Recorder;

/// Reads what an edit of `source` moves, the source locked.
pub(crate) fn splice_rows(
    tx: &mut Transaction<'_>,
    source: i64,
) -> Result<SpliceRows, postgres::Error> {
    let text: String = tx
        .query_one(
            "SELECT text FROM source_texts WHERE source_id = $1",
            &[&source],
        )?
        .try_get(0)?;
    let codings = tx
        .query(
            "SELECT k.id, k.code_id, k.coder_id, c.name, d.name, k.start_char, k.end_char \
             FROM codings k JOIN codes c ON c.id = k.code_id JOIN coders d ON d.id = k.coder_id \
             WHERE k.source_id = $1 ORDER BY k.id",
            &[&source],
        )?
        .iter()
        .map(|r| {
            Ok(CodingRow {
                id: r.try_get(0)?,
                code_id: r.try_get(1)?,
                coder_id: r.try_get(2)?,
                code: r.try_get(3)?,
                coder: r.try_get(4)?,
                start: r.try_get(5)?,
                end: r.try_get(6)?,
            })
        })
        .collect::<Result<_, postgres::Error>>()?;
    let turns = tx
        .query(
            "SELECT ordinal, start_char, end_char FROM turns WHERE source_id = $1 ORDER BY ordinal",
            &[&source],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, postgres::Error>>()?;
    let memos = tx
        .query(
            "SELECT id, start_char, end_char FROM memos \
             WHERE source_id = $1 AND start_char IS NOT NULL ORDER BY id",
            &[&source],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, postgres::Error>>()?;
    Ok(SpliceRows {
        text,
        codings,
        turns,
        memos,
    })
}

/// Writes a plan: the source's length and hash, its text (and offset
/// table), then codings, turns and memos in the plan's order; returns the
/// title and text of each memo deleted.
pub(crate) fn write_plan(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    source: i64,
    plan: &SplicePlan,
) -> Result<Vec<String>, postgres::Error> {
    rec.update(
        tx,
        "sources",
        source,
        &[("chars", &plan.chars), ("content_hash", &plan.hash)],
    )?;
    let offsets = OffsetTable::new(&plan.new_text).to_bytes();
    rec.update_keyed(
        tx,
        "source_texts",
        &[("source_id", source)],
        &[("text", &plan.new_text), ("offsets", &offsets)],
    )?;
    for id in &plan.deletes {
        delete_coding_rows(tx, rec, *id)?;
    }
    let parked: Vec<(i64, i64, i64)> = if plan.park {
        plan.moves
            .iter()
            .map(|&(id, a, b)| (id, a - PARK, b - PARK))
            .collect()
    } else {
        Vec::new()
    };
    for (id, a, b) in parked.iter().chain(&plan.moves) {
        rec.update(tx, "codings", *id, &[("start_char", a), ("end_char", b)])?;
    }
    for (ordinal, a, b) in &plan.turns {
        let key = [("source_id", source), ("ordinal", *ordinal)];
        rec.update_keyed(tx, "turns", &key, &[("start_char", a), ("end_char", b)])?;
    }
    let mut removed = Vec::new();
    for memo in &plan.memos {
        match memo {
            MemoMove::Delete(id) => {
                let row = tx.query_one("SELECT title, body FROM memos WHERE id = $1", &[id])?;
                removed.push(row.try_get::<_, Option<String>>(0)?.unwrap_or_default());
                removed.push(row.try_get(1)?);
                rec.delete(tx, "memos", *id)?;
            }
            MemoMove::Move(id, a, b) => {
                rec.update(tx, "memos", *id, &[("start_char", a), ("end_char", b)])?;
            }
        }
    }
    Ok(removed)
}

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
                "SELECT name, chars FROM sources WHERE id = $1 FOR UPDATE",
                &[&source],
            )?;
            let row = row.ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
            let (name, chars): (String, i64) = (row.try_get(0)?, row.try_get(1)?);
            let rows = splice_rows(tx, source)?;
            let edit = narrowed_edit(&name, chars, &rows.text, span, replacement)?;
            let plan = plan_splice(rows, &[edit.splice()], false)?;
            let twin = tx.query_opt(
                "SELECT name FROM sources WHERE content_hash = $1 AND id <> $2",
                &[&plan.hash, &source],
            )?;
            if let Some(twin) = twin {
                return Err(ReadError::Store(twin_text(&twin.try_get::<_, String>(0)?)));
            }
            let removed = write_plan(tx, rec, source, &plan)?;
            let done = Spliced::of(plan, removed);
            let (report, summary) = edit_outcome(scope, source, name, chars, edit, &done);
            Ok((report, Some(format!("source:{source}")), summary))
        })
    }
}
