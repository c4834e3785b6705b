//! One coding in two round trips: the short way of `Codings::add_coding`.
//!
//! Coding a passage is the operation a coder repeats all day, and on
//! PostgreSQL its cost is round trips, not the server's work: the
//! transaction it replaces took eight (begin, three checking reads, the
//! insert, the audit entry, the counter, commit). Here one statement reads
//! the three facts the rules need (the source's length, the code's
//! codebook, a coding of the same passage), the rules of
//! `verbatim_store::rules` decide in Rust as on SQLite, and one call of
//! `verbatim_add_coding` (migrations 0010, 0018, 0019) re-checks the
//! facts, inserts the coding and appends its audit entry, the same entry as
//! `Recorder` writes (its text made here by serde_json, in pieces around
//! the id only the database knows), in one implicit transaction. Both
//! statements are prepared once per connection (`pool.rs`), so the
//! database does not parse and plan them at each coding.
//!
//! Refusals come from the facts of the first read, so they are the same
//! errors as before. A store keeps the facts it read (`Facts`: a source's
//! length, a code's codebook), and a later coding on them skips the read:
//! the function checks them again as it writes, and when they moved (or
//! the passage is coded already) it writes nothing, the kept facts are
//! forgotten and the caller takes the long way. Kept facts never refuse:
//! when the rules would, the read decides. When a fact changed between the two statements, or
//! the same passage was coded meanwhile, the function writes nothing and
//! [`add`] answers `None`: the caller takes the long way, which reads again
//! inside one transaction.

use postgres::types::Type;
use verbatim_core::Span;
use verbatim_store::{Scope, StoreError, rules};

use crate::PgStore;
use crate::failure::OrServer;

/// The facts, read in one statement: the source's length (NULL: no such
/// source), whether the code exists and its codebook, the passage's coding.
const FACTS: &str = "SELECT (SELECT chars FROM sources WHERE id = $1), \
     EXISTS (SELECT 1 FROM codes WHERE id = $2), \
     (SELECT owner FROM codes WHERE id = $2), \
     (SELECT id FROM codings WHERE source_id = $1 AND code_id = $2 \
        AND coder_id = $3 AND start_char = $4 AND end_char = $5)";

/// The write: `verbatim_add_coding`, as migration 0019 has it.
const WRITE: &str = "SELECT verbatim_add_coding($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
     $11, $12, $13, $14, $15, $16)";

/// The types of [`WRITE`]'s parameters.
const WRITE_TYPES: [Type; 16] = [
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
];

/// Codes a passage in two statements, or in one when this store has read
/// the source's length and the code's codebook before (`Facts`); `None`
/// when the facts moved and the caller must take the long way.
pub(crate) fn add(
    store: &PgStore,
    scope: &Scope,
    source: i64,
    span: Span,
    code: i64,
    memo: Option<&str>,
) -> Result<Option<(i64, bool)>, StoreError> {
    let coding = Coding {
        source,
        span,
        code,
        memo,
    };
    // Facts kept from an earlier coding: the rules decide on them, and the
    // function checks them again, so a stale one only costs the long way.
    // A refusal is never given on kept facts: the read below decides.
    if let Some((chars, owner)) = store.facts().kept(source, code)
        && rules::coding_span(span, chars).is_ok()
        && rules::may_code_with(scope, code, Some(owner)).is_ok()
    {
        let written = write(store, scope, &coding, chars, owner)?;
        if written.is_none() {
            store.facts().forget(source, code);
        }
        return Ok(written.map(|id| (id, true)));
    }
    let address = store.address();
    let coder = scope.coder().id;
    let (start, end) = (span.start() as i64, span.end() as i64);
    let facts = store
        .client()
        .query_kept(
            FACTS,
            &[Type::INT8; 5],
            &[&source, &code, &coder, &start, &end],
        )
        .or_server(address)?;
    let row = facts
        .first()
        .ok_or_else(|| StoreError::Corrupt("the coding facts read no row".into()))?;
    let chars: Option<i64> = row.try_get(0).or_server(address)?;
    let chars = chars.ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
    rules::coding_span(span, chars)?;
    let found: bool = row.try_get(1).or_server(address)?;
    let owner: Option<i64> = row.try_get(2).or_server(address)?;
    rules::may_code_with(scope, code, found.then_some(owner))?;
    store.facts().keep(source, chars, code, owner);
    if let Some(id) = row.try_get::<_, Option<i64>>(3).or_server(address)? {
        return Ok(Some((id, false)));
    }
    Ok(write(store, scope, &coding, chars, owner)?.map(|id| (id, true)))
}

/// A passage to code with one code.
struct Coding<'a> {
    source: i64,
    span: Span,
    code: i64,
    memo: Option<&'a str>,
}

/// Calls `verbatim_add_coding` (migrations 0010, 0018, 0019) with the facts the rules accepted;
/// the new coding's id, `None` when it wrote nothing.
fn write(
    store: &PgStore,
    scope: &Scope,
    coding: &Coding<'_>,
    chars: i64,
    owner: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    let Coding {
        source,
        span,
        code,
        memo,
    } = *coding;
    let coder = scope.coder().id;
    let (start, end) = (span.start() as i64, span.end() as i64);
    let (guid, created) = (uuid::Uuid::new_v4().to_string(), crate::now());
    let (entry, at) = (uuid::Uuid::now_v7().to_string(), crate::now());
    let actor = scope.coder().name.as_str();
    let [head, mid, tail] = entry_pieces(coding, coder, &guid, &created)?;
    let written = store
        .client()
        .query_kept(
            WRITE,
            &WRITE_TYPES,
            &[
                &source, &chars, &code, &owner, &coder, &start, &end, &memo, &guid, &created,
                &entry, &at, &actor, &head, &mid, &tail,
            ],
        )
        .or_server(store.address())?;
    match written.first() {
        Some(row) => row.try_get(0).or_server(store.address()),
        None => Ok(None),
    }
}

/// What stands for the coding's id in [`entry_pieces`]: a number no
/// coding has, written nowhere else in the entry.
const ID_MARK: i64 = i64::MIN;

/// Returns the coding's audit entry, the `data` `Recorder` writes for the
/// insert (`{"changes": [the row], "summary"}`, by serde_json like every
/// entry), in the three pieces around the two places its id goes, which
/// only the database knows when it inserts. The id is written as a
/// mark and the text cut there: `"id":` followed by the mark can only be
/// one of the two keys, since a string's quotes are escaped.
fn entry_pieces(
    coding: &Coding<'_>,
    coder: i64,
    guid: &str,
    created: &str,
) -> Result<[String; 3], StoreError> {
    let (start, end) = (coding.span.start() as i64, coding.span.end() as i64);
    let (source, code) = (coding.source, coding.code);
    let data = serde_json::json!({
        "changes": [{
            "after": {
                "code_id": code, "coder_id": coder, "created_at": created, "end_char": end,
                "guid": guid, "id": ID_MARK, "is_quote": 0, "memo": coding.memo,
                "source_id": source, "start_char": start,
            },
            "before": null,
            "key": { "id": ID_MARK },
            "table": "codings",
        }],
        "summary": { "source": source, "code": code, "start": start, "end": end },
    })
    .to_string();
    let mark = format!("\"id\":{ID_MARK}");
    let pieces: Vec<&str> = data.split(&mark).collect();
    match pieces.as_slice() {
        [head, mid, tail] => Ok([
            format!("{head}\"id\":"),
            format!("{mid}\"id\":"),
            (*tail).to_owned(),
        ]),
        _ => Err(StoreError::Corrupt(
            "a coding's audit entry did not hold its id twice".into(),
        )),
    }
}

/// Most facts a store keeps; past it, it starts again empty.
const MOST_FACTS: usize = 100_000;

/// The sources' lengths and the codes' codebooks this store has read for
/// coding, shared with its handles: what lets a coding skip its first
/// round trip.
#[derive(Debug, Default)]
pub(crate) struct Facts(std::sync::Mutex<KeptFacts>);

#[derive(Debug, Default)]
struct KeptFacts {
    chars: std::collections::HashMap<i64, i64>,
    owners: std::collections::HashMap<i64, Option<i64>>,
}

impl Facts {
    fn kept(&self, source: i64, code: i64) -> Option<(i64, Option<i64>)> {
        let kept = self.lock();
        Some((*kept.chars.get(&source)?, *kept.owners.get(&code)?))
    }

    fn keep(&self, source: i64, chars: i64, code: i64, owner: Option<i64>) {
        let mut kept = self.lock();
        if kept.chars.len() + kept.owners.len() >= MOST_FACTS {
            *kept = KeptFacts::default();
        }
        kept.chars.insert(source, chars);
        kept.owners.insert(code, owner);
    }

    fn forget(&self, source: i64, code: i64) {
        let mut kept = self.lock();
        kept.chars.remove(&source);
        kept.owners.remove(&code);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KeptFacts> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
