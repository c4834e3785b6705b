//! Merging and deleting a code on PostgreSQL, the two edits that take a
//! code's codings, children, links, journal links and memos somewhere
//! else, as SQLite's `merge_codes` and `delete_code` do, recording the
//! same rows in the same order. The same passage coded with both codes
//! stays one coding (the code's own is deleted with what hangs on it).
//! Runs inside the caller's transaction, the codes locked by `code_rows`.

use postgres::Transaction;
use verbatim_store::rules::{self, CodeAt};
use verbatim_store::{Cascade, Scope, UNCATEGORISED};

use crate::code_edits::{delete_links, finish};
use crate::code_rows::{self, ids, open_code, other_code};
use crate::codings::delete_coding_rows;
use crate::now;
use crate::reads::ReadError;
use crate::record::Recorder;

/// Merges code `from` into `into` and returns how many codings moved.
pub(crate) fn merge(
    tx: &mut Transaction<'_>,
    scope: &Scope,
    from: i64,
    into: i64,
) -> Result<usize, ReadError> {
    let src = open_code(tx, scope, from)?;
    let dst = other_code(tx, scope, into)?;
    let into_below = from != into && code_rows::below(tx, from)?.contains(&into);
    rules::may_merge(from, into, &src, &dst, into_below)?;
    code_rows::check_children_fit(tx, from, src.owner, Some(into))?;
    let mut rec = Recorder::default();
    let moved = move_codings(tx, &mut rec, from, into)?;
    for child in ids(
        tx,
        "SELECT id FROM codes WHERE parent = $1 ORDER BY id",
        from,
    )? {
        rec.update(tx, "codes", child, &[("parent", &into)])?;
        // A further link to `into` is redundant once it is the primary parent.
        delete_links(tx, &mut rec, child, into)?;
    }
    relink(tx, &mut rec, from, into)?;
    let journal = "SELECT id FROM journal_links WHERE code_id = $1 ORDER BY id";
    for link in ids(tx, journal, from)? {
        rec.delete(tx, "journal_links", link)?;
    }
    crate::translations::delete_code_names(tx, &mut rec, from)?;
    for memo in ids(tx, MEMOS_ON_CODE, from)? {
        rec.update(tx, "memos", memo, &[("target_id", &into)])?;
    }
    rec.delete(tx, "codes", from)?;
    let summary = serde_json::json!({
        "from": src.name, "into": dst.name, "codings_moved": moved
    });
    finish(tx, rec, scope, "code.merge", into, summary)?;
    Ok(moved)
}

/// Deletes code `id` (its codings as `cascade` says, its children moved
/// up to its parent) and returns how many codings it had.
pub(crate) fn delete(
    tx: &mut Transaction<'_>,
    scope: &Scope,
    id: i64,
    cascade: Option<Cascade>,
) -> Result<usize, ReadError> {
    let row = open_code(tx, scope, id)?;
    code_rows::check_children_fit(tx, id, row.owner, row.parent)?;
    let count: i64 = tx
        .query_one("SELECT count(*) FROM codings WHERE code_id = $1", &[&id])?
        .try_get(0)?;
    rules::deletable(&row.name, count, cascade)?;
    let mut rec = Recorder::default();
    if count > 0 {
        match cascade {
            Some(Cascade::Uncategorised) => {
                let bin = bin_of(tx, &mut rec, &row)?;
                move_codings(tx, &mut rec, id, bin)?;
            }
            _ => {
                let codings = "SELECT id FROM codings WHERE code_id = $1 ORDER BY id FOR UPDATE";
                for coding in ids(tx, codings, id)? {
                    delete_coding_rows(tx, &mut rec, coding)?;
                }
            }
        }
    }
    for child in ids(tx, "SELECT id FROM codes WHERE parent = $1 ORDER BY id", id)? {
        rec.update(tx, "codes", child, &[("parent", &row.parent)])?;
    }
    let links = "SELECT id FROM code_links WHERE child = $1 OR parent = $1 ORDER BY id";
    for link in ids(tx, links, id)? {
        rec.delete(tx, "code_links", link)?;
    }
    let journal = "SELECT id FROM journal_links WHERE code_id = $1 ORDER BY id";
    for link in ids(tx, journal, id)? {
        rec.delete(tx, "journal_links", link)?;
    }
    crate::translations::delete_code_names(tx, &mut rec, id)?;
    for memo in ids(tx, MEMOS_ON_CODE, id)? {
        rec.delete(tx, "memos", memo)?;
    }
    rec.delete(tx, "codes", id)?;
    let summary = serde_json::json!({ "name": row.name, "codings": count });
    finish(tx, rec, scope, "code.delete", id, summary)?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// Selects the memos written on code `$1`.
const MEMOS_ON_CODE: &str =
    "SELECT id FROM memos WHERE target_kind = 'code' AND target_id = $1 ORDER BY id";

/// Moves the codings of code `from` to code `to`, deleting each whose
/// passage `to` already has from the same coder; returns how many moved.
fn move_codings(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    from: i64,
    to: i64,
) -> Result<usize, postgres::Error> {
    let codings = tx.query(
        "SELECT id, source_id, coder_id, start_char, end_char FROM codings \
         WHERE code_id = $1 ORDER BY id FOR UPDATE",
        &[&from],
    )?;
    let mut moved = 0;
    for r in &codings {
        let (coding, source, coder, start, end): (i64, i64, i64, i64, i64) = (
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
        );
        let twin = tx.query_opt(
            "SELECT id FROM codings WHERE code_id = $1 AND source_id = $2 AND coder_id = $3 \
             AND start_char = $4 AND end_char = $5",
            &[&to, &source, &coder, &start, &end],
        )?;
        if twin.is_some() {
            delete_coding_rows(tx, rec, coding)?;
        } else {
            rec.update(tx, "codings", coding, &[("code_id", &to)])?;
            moved += 1;
        }
    }
    Ok(moved)
}

/// Moves the further links from and to `from` onto `into`, dropping those
/// that would repeat a link, link a code to itself, or repeat a primary
/// parent.
fn relink(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    from: i64,
    into: i64,
) -> Result<(), postgres::Error> {
    let links = tx.query(
        "SELECT id, child, parent FROM code_links WHERE child = $1 OR parent = $1 ORDER BY id",
        &[&from],
    )?;
    for r in &links {
        let (link, child, parent): (i64, i64, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        rec.delete(tx, "code_links", link)?;
        let (child, parent) = if child == from {
            (into, parent)
        } else {
            (child, into)
        };
        let exists = tx
            .query_opt(
                "SELECT 1 FROM code_links WHERE child = $1 AND parent = $2",
                &[&child, &parent],
            )?
            .is_some();
        let primary: Option<i64> = tx
            .query_one("SELECT parent FROM codes WHERE id = $1", &[&child])?
            .try_get(0)?;
        if !exists && child != parent && primary != Some(parent) {
            rec.insert(tx, "code_links", &[("child", &child), ("parent", &parent)])?;
        }
    }
    Ok(())
}

/// Returns the "Uncategorised" top code of `row`'s codebook, made (and
/// recorded) when it has none.
fn bin_of(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    row: &CodeAt,
) -> Result<i64, postgres::Error> {
    let found = tx.query_opt(
        "SELECT id FROM codes WHERE coalesce(owner, 0) = $1 AND parent IS NULL AND name = $2",
        &[&row.owner.unwrap_or(0), &UNCATEGORISED],
    )?;
    if let Some(found) = found {
        return found.try_get(0);
    }
    let (guid, created) = (uuid::Uuid::new_v4().to_string(), now());
    rec.insert(
        tx,
        "codes",
        &[
            ("guid", &guid),
            ("owner", &row.owner),
            ("name", &UNCATEGORISED),
            ("level", &1_i64),
            ("position", &rules::UNCATEGORISED_POSITION),
            ("created_at", &created),
        ],
    )
}
