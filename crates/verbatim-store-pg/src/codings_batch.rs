//! Many codings in one action on PostgreSQL (auto-coding from a search):
//! every item checked with the shared rules, then written in one
//! transaction recorded as one audit entry in SQLite's shape, so one
//! `undo` removes the whole batch on either backend.

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
    let created = now();
    let mut rec = Recorder::default();
    let mut written: Vec<BatchKey> = Vec::new();
    for key in rules::batch_keys(items) {
        let (source, code, start, end) = key;
        let exists = tx
            .query_opt(
                "SELECT id FROM codings WHERE source_id = $1 AND code_id = $2 \
                 AND coder_id = $3 AND start_char = $4 AND end_char = $5",
                &[&source, &code, &coder, &start, &end],
            )
            .or_server(&address)?;
        if exists.is_some() {
            continue;
        }
        let guid = uuid::Uuid::new_v4().to_string();
        let memo: Option<&str> = None;
        // The unique key settles a race with another process coding the
        // same passage meanwhile: that passage is then not new.
        let inserted = rec
            .insert_unless(
                &mut tx,
                "codings",
                &[
                    ("guid", &guid),
                    ("source_id", &source),
                    ("code_id", &code),
                    ("coder_id", &coder),
                    ("start_char", &start),
                    ("end_char", &end),
                    ("memo", &memo),
                    ("created_at", &created),
                ],
                "(source_id, code_id, coder_id, start_char, end_char)",
            )
            .or_server(&address)?;
        if inserted.is_some() {
            written.push(key);
        }
    }
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

/// Checks every item before anything is written: the source exists, the
/// span is inside it and not empty, the scope may code with the code
/// (locked FOR SHARE so it cannot move or go while the batch is written).
fn check(
    tx: &mut Transaction<'_>,
    scope: &Scope,
    items: &[(i64, Span, i64)],
) -> Result<(), ReadError> {
    let mut chars: HashMap<i64, i64> = HashMap::new();
    let mut codes: HashSet<i64> = HashSet::new();
    for &(source, span, code) in items {
        let len = match chars.get(&source) {
            Some(len) => *len,
            None => {
                let len: i64 = tx
                    .query_opt("SELECT chars FROM sources WHERE id = $1", &[&source])?
                    .ok_or_else(|| {
                        ReadError::Store(StoreError::SourceNotFound(source.to_string()))
                    })?
                    .try_get(0)?;
                chars.insert(source, len);
                len
            }
        };
        rules::coding_span(span, len).map_err(ReadError::Store)?;
        if codes.insert(code) {
            let owner: Option<Option<i64>> = tx
                .query_opt("SELECT owner FROM codes WHERE id = $1 FOR SHARE", &[&code])?
                .map(|r| r.try_get(0))
                .transpose()?;
            rules::may_code_with(scope, code, owner).map_err(ReadError::Store)?;
        }
    }
    Ok(())
}
