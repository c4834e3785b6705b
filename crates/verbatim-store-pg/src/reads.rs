//! The reads `Store` offers, on PostgreSQL: source listings and one source
//! with its text, turns and memos, answered exactly as SQLite answers them.

use std::collections::HashMap;

use postgres::{Client, GenericClient};
use verbatim_core::SourceMetadata;
use verbatim_store::{MemoRecord, SourceRecord, SourceRef, SourceSummary, StoreError, TurnRecord};

/// Returns the id `which` names: an id if a source has it, else a name.
pub(crate) fn resolve<C: GenericClient>(
    client: &mut C,
    which: &SourceRef,
) -> Result<i64, ReadError> {
    let by_name = |client: &mut C, name: &str| -> Result<Option<i64>, postgres::Error> {
        crate::lookup::by_name(name, || {
            client
                .query_opt("SELECT id FROM sources WHERE name = $1", &[&name])?
                .map(|r| r.try_get(0))
                .transpose()
        })
    };
    let found = match which {
        SourceRef::Id(id) => {
            let direct = client
                .query_opt("SELECT id FROM sources WHERE id = $1", &[id])?
                .map(|r| r.try_get(0))
                .transpose()?;
            match direct {
                Some(id) => Some(id),
                None => by_name(client, &id.to_string())?,
            }
        }
        SourceRef::Name(name) => by_name(client, name)?,
    };
    found.ok_or_else(|| {
        ReadError::Store(StoreError::SourceNotFound(match which {
            SourceRef::Id(id) => id.to_string(),
            SourceRef::Name(name) => name.clone(),
        }))
    })
}

/// Returns the summaries of every source, or of source `only`, by id.
pub(crate) fn summaries(
    client: &mut Client,
    only: Option<i64>,
) -> Result<Vec<SourceSummary>, postgres::Error> {
    let mut speakers: HashMap<i64, (i64, Vec<String>)> = HashMap::new();
    let rows = client.query(
        "SELECT source_id, speaker, count(*), min(ordinal) AS first FROM turns \
         WHERE ($1::BIGINT IS NULL OR source_id = $1) AND speaker <> '' \
         GROUP BY source_id, speaker ORDER BY source_id, first",
        &[&only],
    )?;
    for row in &rows {
        let entry = speakers.entry(row.try_get(0)?).or_default();
        entry.0 += row.try_get::<_, i64>(2)?;
        entry.1.push(row.try_get(1)?);
    }
    let rows = client.query(
        "SELECT id, guid, name, format, kind, language, site, chars, imported_at, \
         collected_on FROM sources WHERE ($1::BIGINT IS NULL OR id = $1) ORDER BY id",
        &[&only],
    )?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get(0)?;
            let (turns, labels) = speakers.remove(&id).unwrap_or_default();
            Ok(SourceSummary {
                id,
                guid: row.try_get(1)?,
                name: row.try_get(2)?,
                format: row.try_get(3)?,
                kind: row.try_get(4)?,
                language: row.try_get(5)?,
                site: row.try_get(6)?,
                chars: row.try_get(7)?,
                turns,
                speakers: labels,
                imported_at: row.try_get(8)?,
                collected_on: row.try_get(9)?,
            })
        })
        .collect()
}

/// Returns source `id` with its text, turns and anchored memos.
pub(crate) fn record(client: &mut Client, id: i64) -> Result<SourceRecord, ReadError> {
    let summary = summaries(client, Some(id))?
        .pop()
        .ok_or_else(|| ReadError::Store(StoreError::SourceNotFound(id.to_string())))?;
    let row = client.query_one(
        "SELECT s.original_path, s.metadata, t.text FROM sources s \
         JOIN source_texts t ON t.source_id = s.id WHERE s.id = $1",
        &[&id],
    )?;
    let metadata: String = row.try_get(1)?;
    let metadata: SourceMetadata = serde_json::from_str(&metadata).map_err(|e| {
        ReadError::Store(StoreError::Corrupt(format!("metadata of source {id}: {e}")))
    })?;
    let turn_list = turns(client, id)?;
    // NULLS FIRST: SQLite sorts missing anchors first, and so must we.
    let memos = client
        .query(
            "SELECT id, origin, start_char, end_char, author, written_at, body FROM memos \
             WHERE source_id = $1 ORDER BY start_char NULLS FIRST, id",
            &[&id],
        )?
        .iter()
        .map(|r| {
            Ok(MemoRecord {
                id: r.try_get(0)?,
                origin: r.try_get(1)?,
                start: r.try_get(2)?,
                end: r.try_get(3)?,
                author: r.try_get(4)?,
                written_at: r.try_get(5)?,
                body: r.try_get(6)?,
            })
        })
        .collect::<Result<_, postgres::Error>>()?;
    Ok(SourceRecord {
        summary,
        original_path: row.try_get(0)?,
        metadata,
        text: row.try_get(2)?,
        turn_list,
        memos,
    })
}

/// Returns the turns of source `id`, in order (an empty label read as none).
pub(crate) fn turns(client: &mut Client, id: i64) -> Result<Vec<TurnRecord>, postgres::Error> {
    client
        .query(
            "SELECT NULLIF(speaker, ''), start_char, end_char, begin_ms, end_ms FROM turns \
             WHERE source_id = $1 ORDER BY ordinal",
            &[&id],
        )?
        .iter()
        .map(|r| {
            Ok(TurnRecord {
                speaker: r.try_get(0)?,
                start: r.try_get(1)?,
                end: r.try_get(2)?,
                begin_ms: r.try_get(3)?,
                end_ms: r.try_get(4)?,
            })
        })
        .collect()
}

/// A read failed: on the server, or for a reason the store words itself.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The server reported an error.
    Server(postgres::Error),
    /// A store-level answer (no such source, corrupt data).
    Store(StoreError),
}

impl From<postgres::Error> for ReadError {
    fn from(e: postgres::Error) -> Self {
        ReadError::Server(e)
    }
}

impl From<StoreError> for ReadError {
    fn from(e: StoreError) -> Self {
        ReadError::Store(e)
    }
}
