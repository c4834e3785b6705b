//! Many codings in one action on PostgreSQL (auto-coding from a search):
//! every item checked with the shared rules, then written in one
//! transaction recorded as one audit entry in SQLite's shape, so one
//! `undo` removes the whole batch on either backend. The statements are
//! few and over arrays, whatever the batch's size.

use std::collections::{HashMap, HashSet};

use postgres::Transaction;
use verbatim_core::Span;
use verbatim_store::rules::{self, BatchKey};
use verbatim_store::{Scope, StoreError};

use crate::failure::OrServer;
use crate::reads::ReadError;
use crate::record::Recorder;
use crate::{PgStore, now};

/// Codes the items for the scope's coder; returns how many are new.
///
/// A fixed number of statements whatever the batch's size (the check's
/// two reads, the look-up of passages already coded, one insert of every
/// new coding from arrays, the audit entry): 100,000 codings took one
/// round trip each before, which a loaded server turned into minutes.
pub(crate) fn add_codings(
    store: &PgStore,
    scope: &Scope,
    items: &[(i64, Span, i64)],
) -> Result<usize, StoreError> {
    let address = store.address().clone();
    let mut client = store.client();
    let mut tx = client.transaction().or_server(&address)?;
    check(&mut tx, scope, items).map_err(|e| store.read_error(e))?;
    let coder = scope.coder().id;
    let keys = rules::batch_keys(items);
    let coded = already_coded(&mut tx, coder, &keys).or_server(&address)?;
    // Passages already coded are left out before the insert, so that a
    // repeat uses no id (SQLite's ids and these stay alike); the unique
    // key settles a race with another process coding one meanwhile.
    let new: Vec<BatchKey> = keys.into_iter().filter(|k| !coded.contains(k)).collect();
    if new.is_empty() {
        return Ok(0);
    }
    let mut rec = Recorder::default();
    let written = insert(&mut tx, &mut rec, coder, &new).or_server(&address)?;
    if written.is_empty() {
        return Ok(0);
    }
    rec.finish(
        &mut tx,
        &scope.coder().name,
        rules::CODING_BATCH,
        None,
        rules::batch_summary(&written),
    )
    .or_server(&address)?;
    tx.commit().or_server(&address)?;
    Ok(written.len())
}

/// The columns of the keys, one array each: sources, codes, starts, ends.
fn columns(keys: &[BatchKey]) -> [Vec<i64>; 4] {
    [
        keys.iter().map(|k| k.0).collect(),
        keys.iter().map(|k| k.1).collect(),
        keys.iter().map(|k| k.2).collect(),
        keys.iter().map(|k| k.3).collect(),
    ]
}

/// Returns which of the keys the coder has coded already.
fn already_coded(
    tx: &mut Transaction<'_>,
    coder: i64,
    keys: &[BatchKey],
) -> Result<HashSet<BatchKey>, postgres::Error> {
    let [sources, codes, starts, ends] = columns(keys);
    let rows = tx.query(
        "SELECT g.source_id, g.code_id, g.start_char, g.end_char FROM codings g \
         JOIN UNNEST($2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[]) AS k(s, c, b, e) \
         ON g.source_id = k.s AND g.code_id = k.c AND g.start_char = k.b AND g.end_char = k.e \
         WHERE g.coder_id = $1",
        &[&coder, &sources, &codes, &starts, &ends],
    )?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect()
}

/// Inserts the new codings in the keys' order (ids ascending as on
/// SQLite), records each row, and returns the keys written.
fn insert(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    coder: i64,
    keys: &[BatchKey],
) -> Result<Vec<BatchKey>, postgres::Error> {
    let [sources, codes, starts, ends] = columns(keys);
    let guids: Vec<String> = keys
        .iter()
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let rows = tx.query(
        "WITH row AS (INSERT INTO codings (guid, source_id, code_id, coder_id, start_char, \
         end_char, memo, created_at) \
         SELECT k.g, k.s, k.c, $6, k.b, k.e, NULL, $7 \
         FROM UNNEST($1::TEXT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[]) \
         WITH ORDINALITY AS k(g, s, c, b, e, n) ORDER BY k.n \
         ON CONFLICT (source_id, code_id, coder_id, start_char, end_char) DO NOTHING \
         RETURNING *) \
         SELECT id, source_id, code_id, start_char, end_char, row_to_json(row)::text \
         FROM row ORDER BY id",
        &[&guids, &sources, &codes, &starts, &ends, &coder, &now()],
    )?;
    let mut written = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get(0)?;
        rec.inserted("codings", id, row.try_get(5)?);
        written.push((
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
            row.try_get(4)?,
        ));
    }
    Ok(written)
}

/// Checks every item before anything is written: the source exists, the
/// span is inside it and not empty, the scope may code with the code
/// (locked FOR SHARE so it cannot move or go while the batch is written).
/// Two reads for the whole batch; the items are then checked in order, so
/// the first bad one is the one named.
fn check(
    tx: &mut Transaction<'_>,
    scope: &Scope,
    items: &[(i64, Span, i64)],
) -> Result<(), ReadError> {
    let wanted = |pick: fn(&(i64, Span, i64)) -> i64| -> Vec<i64> {
        let set: HashSet<i64> = items.iter().map(pick).collect();
        set.into_iter().collect()
    };
    let chars: HashMap<i64, i64> = tx
        .query(
            "SELECT id, chars FROM sources WHERE id = ANY($1)",
            &[&wanted(|i| i.0)],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;
    let owners: HashMap<i64, Option<i64>> = tx
        .query(
            "SELECT id, owner FROM codes WHERE id = ANY($1) ORDER BY id FOR SHARE",
            &[&wanted(|i| i.2)],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;
    let mut seen: HashSet<i64> = HashSet::new();
    for &(source, span, code) in items {
        let len = *chars
            .get(&source)
            .ok_or_else(|| ReadError::Store(StoreError::SourceNotFound(source.to_string())))?;
        rules::coding_span(span, len).map_err(ReadError::Store)?;
        if seen.insert(code) {
            rules::may_code_with(scope, code, owners.get(&code).copied())
                .map_err(ReadError::Store)?;
        }
    }
    Ok(())
}
