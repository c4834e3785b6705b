//! Rewriting a source's text on PostgreSQL without losing the passages
//! anchored in it: the same core as SQLite's `edit::splice_source`, in SQL.
//!
//! Where every coding, turn and memo anchor goes is decided once, by
//! `verbatim_store::rules::splice` ([`Shifts`], [`plan_codings`],
//! [`move_order`], [`memo_move`]); this module reads the rows and writes
//! back what those rules answer, through the action's [`Recorder`], inside
//! the caller's transaction. The text's offset table (derived) is rebuilt
//! with it. De-identification, a source edit and a withdrawal all write
//! through [`splice_source`].

use postgres::Transaction;
use verbatim_core::OffsetTable;
use verbatim_store::StoreError;
use verbatim_store::rules::splice::{
    CodingRow, MemoMove, PARK, Shifts, Splice, Spliced, coding_fates, memo_move, move_order, moved,
    plan_codings, sorted_splices, spliced_text, text_hash, twin_text,
};

use crate::codings::delete_coding_rows;
use crate::reads::ReadError;
use crate::record::Recorder;

/// Replaces several non-overlapping ranges of a source's text in one pass
/// and moves every coding, turn and anchored memo of the source, as
/// SQLite's `splice_source` does. With `exclusive` (a withdrawal), codings
/// and memo anchors keep only the words outside the replaced ranges, and
/// memos anchored wholly inside one are deleted.
pub(crate) fn splice_source(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    source: i64,
    splices: &[Splice],
    exclusive: bool,
) -> Result<Spliced, ReadError> {
    let text: String = tx
        .query_opt(
            "SELECT text FROM source_texts WHERE source_id = $1",
            &[&source],
        )?
        .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?
        .try_get(0)?;
    let chars = text.chars().count() as i64;
    let sorted = sorted_splices(splices, chars)?;
    let shifts = Shifts::new(&sorted, exclusive);
    let new_text = spliced_text(&text, &sorted)?;
    let hash = unique_hash(tx, source, &new_text)?;
    let new_chars = chars + shifts.delta();
    let codings = codings_in(tx, source)?;
    rec.update(
        tx,
        "sources",
        source,
        &[("chars", &new_chars), ("content_hash", &hash)],
    )?;
    let offsets = OffsetTable::new(&new_text).to_bytes();
    rec.update_keyed(
        tx,
        "source_texts",
        &[("source_id", source)],
        &[("text", &new_text), ("offsets", &offsets)],
    )?;
    let plans = plan_codings(&codings, &shifts);
    let (changed, shifted) = coding_fates(&codings, &plans, &shifts);
    let (deletes, moves, collides) = move_order(&codings, &plans, shifts.delta());
    for id in deletes {
        delete_coding_rows(tx, rec, id)?;
    }
    if collides {
        for (c, a, b) in &moves {
            let (a, b) = (a - PARK, b - PARK);
            rec.update(tx, "codings", c.id, &[("start_char", &a), ("end_char", &b)])?;
        }
    }
    for (c, a, b) in &moves {
        rec.update(tx, "codings", c.id, &[("start_char", a), ("end_char", b)])?;
    }
    let turns_changed = shift_turns(tx, rec, source, &shifts)?;
    let (memos_changed, removed_memo_texts) = shift_memos(tx, rec, source, &shifts)?;
    Ok(Spliced {
        old_text: text,
        new_text,
        chars: new_chars,
        changed,
        shifted,
        moved: moved(&plans),
        turns_changed,
        memos_changed,
        memos_removed: removed_memo_texts.len() / 2,
        removed_memo_texts,
    })
}

/// The SHA-256 of the new text, refused when another source already holds
/// that text (the sentence SQLite gives, [`twin_text`]).
fn unique_hash(tx: &mut Transaction<'_>, source: i64, new_text: &str) -> Result<String, ReadError> {
    let hash = text_hash(new_text);
    let twin = tx.query_opt(
        "SELECT name FROM sources WHERE content_hash = $1 AND id <> $2",
        &[&hash, &source],
    )?;
    if let Some(twin) = twin {
        return Err(twin_text(&twin.try_get::<_, String>(0)?).into());
    }
    Ok(hash)
}

/// Returns every coder's codings in a source, by id.
fn codings_in(tx: &mut Transaction<'_>, source: i64) -> Result<Vec<CodingRow>, postgres::Error> {
    let rows = tx.query(
        "SELECT k.id, k.code_id, k.coder_id, c.name, d.name, k.start_char, k.end_char \
         FROM codings k JOIN codes c ON c.id = k.code_id JOIN coders d ON d.id = k.coder_id \
         WHERE k.source_id = $1 ORDER BY k.id",
        &[&source],
    )?;
    rows.iter()
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
        .collect()
}

/// Moves the source's speaker turns; returns how many moved.
fn shift_turns(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    source: i64,
    shifts: &Shifts,
) -> Result<usize, postgres::Error> {
    let turns = tx.query(
        "SELECT ordinal, start_char, end_char FROM turns WHERE source_id = $1 ORDER BY ordinal",
        &[&source],
    )?;
    let mut changed = 0;
    for row in &turns {
        let (ordinal, a, b): (i64, i64, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let (na, nb) = shifts.map_turn(a, b);
        if (na, nb) == (a, b) {
            continue;
        }
        let nb = nb.max(na);
        rec.update_keyed(
            tx,
            "turns",
            &[("source_id", source), ("ordinal", ordinal)],
            &[("start_char", &na), ("end_char", &nb)],
        )?;
        changed += 1;
    }
    Ok(changed)
}

/// Moves the memos anchored to passages of the source (deleting those an
/// exclusive splice removed whole); returns how many moved, and the title
/// and text of each deleted.
fn shift_memos(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    source: i64,
    shifts: &Shifts,
) -> Result<(usize, Vec<String>), postgres::Error> {
    let memos = tx.query(
        "SELECT id, start_char, end_char FROM memos \
         WHERE source_id = $1 AND start_char IS NOT NULL ORDER BY id",
        &[&source],
    )?;
    let mut changed = 0;
    let mut removed = Vec::new();
    for row in &memos {
        let (id, a, b): (i64, i64, Option<i64>) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        match memo_move(shifts, a, b) {
            None => {}
            Some(MemoMove::Delete) => {
                let memo = tx.query_one("SELECT title, body FROM memos WHERE id = $1", &[&id])?;
                removed.push(memo.try_get::<_, Option<String>>(0)?.unwrap_or_default());
                removed.push(memo.try_get(1)?);
                rec.delete(tx, "memos", id)?;
            }
            Some(MemoMove::Move(na, nb)) => {
                rec.update(tx, "memos", id, &[("start_char", &na), ("end_char", &nb)])?;
                changed += 1;
            }
        }
    }
    Ok((changed, removed))
}
