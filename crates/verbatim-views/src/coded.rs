//! Coded spans, speaker turns and participant names as the analyses take
//! them: the three reads every coding query, matrix and co-occurrence
//! table starts from.

use std::collections::HashMap;

use verbatim_analysis::matrix::{CodedSpan, OwnedTurn, Turns};
use verbatim_store::{Scope, SpanFilter, SqliteStore, StoreError};

/// Returns the spans the scope sees that `filter` keeps.
pub fn spans(
    store: &SqliteStore,
    scope: &Scope,
    filter: &SpanFilter,
) -> Result<Vec<CodedSpan>, StoreError> {
    Ok(store
        .coding_spans(scope, filter)?
        .into_iter()
        .map(|s| CodedSpan {
            source: s.source_id,
            code: s.code_id,
            coder: s.coder_id,
            start: s.start,
            end: s.end,
        })
        .collect())
}

/// Returns the speaker turns indexed for participant attribution.
pub fn turns(store: &SqliteStore, include_context: bool) -> Result<Turns, StoreError> {
    Ok(Turns::new(
        store
            .turn_owners(include_context)?
            .into_iter()
            .map(|t| OwnedTurn {
                source: t.source_id,
                start: t.start,
                end: t.end,
                participant: t.participant_id,
            }),
    ))
}

/// Returns the participants' display names (code, else label), by id.
pub fn participant_names(store: &SqliteStore) -> Result<HashMap<i64, String>, StoreError> {
    Ok(store
        .participants()?
        .into_iter()
        .map(|p| (p.id, p.display()))
        .collect())
}

/// Returns `ids` sorted without repeats: the codes a span filter takes.
pub fn distinct(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut codes: Vec<i64> = ids.into_iter().collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}
