//! Storing one imported source on PostgreSQL: the row, its text, turns and
//! anchored comments, and its audit entry, exactly as `SqliteStore` stores
//! them (same content hash, same unique names, same audit payload).

use postgres::{Statement, Transaction};
use sha2::{Digest, Sha256};
use verbatim_core::OffsetTable;
use verbatim_store::{ImportItem, ImportOutcome, StoreError};

use crate::PgAddress;
use crate::audit;
use crate::failure::OrServer;

/// The statements an import runs per file, prepared once per batch so each
/// runs in one round trip to the server.
pub(crate) struct Statements {
    by_hash: Statement,
    name_taken: Statement,
    source: Statement,
    text: Statement,
    turns: Statement,
    memo: Statement,
}

impl Statements {
    /// Prepares the statements on the batch's transaction.
    pub(crate) fn prepare(tx: &mut Transaction<'_>) -> Result<Self, postgres::Error> {
        Ok(Self {
            by_hash: tx.prepare("SELECT name FROM sources WHERE content_hash = $1")?,
            name_taken: tx.prepare("SELECT 1 FROM sources WHERE name = $1")?,
            source: tx.prepare(
                "INSERT INTO sources (guid, name, format, kind, language, site, original_path, \
                 imported_at, content_hash, chars, metadata) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )?,
            text: tx.prepare(
                "INSERT INTO source_texts (source_id, text, offsets) VALUES ($1, $2, $3)",
            )?,
            // Every turn of a source in one statement: one round trip per
            // file, not per turn (188,000 turns for 1,000 interviews).
            turns: tx.prepare(
                "INSERT INTO turns (source_id, ordinal, speaker, start_char, end_char, begin_ms, \
                 end_ms) SELECT $1, * FROM UNNEST($2::BIGINT[], $3::TEXT[], $4::BIGINT[], \
                 $5::BIGINT[], $6::BIGINT[], $7::BIGINT[])",
            )?,
            memo: tx.prepare(
                "INSERT INTO memos (guid, target_kind, source_id, start_char, end_char, author, \
                 written_at, body, origin, created_at) \
                 VALUES ($1, 'passage', $2, $3, $4, $5, $6, $7, 'document-comment', $8)",
            )?,
        })
    }
}

/// The study's default language for sources that name none.
pub(crate) fn default_language(
    tx: &mut Transaction<'_>,
) -> Result<Option<String>, postgres::Error> {
    tx.query_opt("SELECT value FROM study WHERE key = 'language'", &[])?
        .map(|r| r.try_get(0))
        .transpose()
}

/// Stores one source inside the caller's savepoint.
pub(crate) fn insert_source(
    tx: &mut Transaction<'_>,
    sql: &Statements,
    address: &PgAddress,
    actor: &str,
    item: &ImportItem,
    default_language: Option<&str>,
) -> Result<ImportOutcome, StoreError> {
    let source = &item.source;
    let hash = hex(&Sha256::digest(source.text().as_bytes()));
    let existing = tx.query_opt(&sql.by_hash, &[&hash]).or_server(address)?;
    if let Some(row) = existing {
        let existing: String = row.try_get(0).or_server(address)?;
        return Ok(ImportOutcome::Duplicate { existing });
    }
    let name = unique_name(tx, &sql.name_taken, &item.name).or_server(address)?;
    let language = item
        .language
        .as_ref()
        .map(|l| l.as_str().to_owned())
        .or(default_language.map(str::to_owned));
    let metadata = serde_json::to_string(source.metadata())
        .map_err(|e| StoreError::Corrupt(format!("metadata not serialisable: {e}")))?;
    let chars = i64::try_from(source.chars()).unwrap_or(i64::MAX);
    let original_path = item
        .original_path
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned());
    let row = tx
        .query_one(
            &sql.source,
            &[
                &uuid::Uuid::new_v4().to_string(),
                &name,
                &source.format().as_str(),
                &item.kind.as_str(),
                &language,
                &item.site,
                &original_path,
                &crate::now(),
                &hash,
                &chars,
                &metadata,
            ],
        )
        .or_server(address)?;
    let id: i64 = row.try_get(0).or_server(address)?;
    insert_parts(tx, sql, id, item).or_server(address)?;
    audit::append(
        tx,
        actor,
        "source.import",
        Some(&format!("source:{id}")),
        &serde_json::json!({
            "name": name,
            "format": source.format().as_str(),
            "kind": item.kind.as_str(),
            "site": item.site,
            "language": language,
            "chars": chars,
            "turns": source.turns().len(),
            "content_hash": hash,
            "original_path": item.original_path,
        }),
    )
    .or_server(address)?;
    Ok(ImportOutcome::Imported { id, name })
}

/// Stores the text, speaker turns and anchored comments of source `id`.
fn insert_parts(
    tx: &mut Transaction<'_>,
    sql: &Statements,
    id: i64,
    item: &ImportItem,
) -> Result<(), postgres::Error> {
    let source = &item.source;
    tx.execute(
        &sql.text,
        &[
            &id,
            &source.text(),
            &OffsetTable::new(source.text()).to_bytes(),
        ],
    )?;
    let turns = source.turns();
    let ordinals: Vec<i64> = (0..turns.len() as i64).collect();
    // No speaker (a timed subtitle segment) is stored as '', as the SQLite
    // study does.
    let speakers: Vec<&str> = turns
        .iter()
        .map(|t| t.speaker.as_deref().unwrap_or(""))
        .collect();
    let starts: Vec<i64> = turns.iter().map(|t| t.span.start() as i64).collect();
    let ends: Vec<i64> = turns.iter().map(|t| t.span.end() as i64).collect();
    let begins: Vec<Option<i64>> = turns
        .iter()
        .map(|t| t.begin_ms.map(|ms| ms as i64))
        .collect();
    let stops: Vec<Option<i64>> = turns.iter().map(|t| t.end_ms.map(|ms| ms as i64)).collect();
    tx.execute(
        &sql.turns,
        &[&id, &ordinals, &speakers, &starts, &ends, &begins, &stops],
    )?;
    for anchor in source.anchors() {
        tx.execute(
            &sql.memo,
            &[
                &uuid::Uuid::new_v4().to_string(),
                &id,
                &(anchor.span.start() as i64),
                &(anchor.span.end() as i64),
                &anchor.author,
                &anchor.date,
                &anchor.text,
                &crate::now(),
            ],
        )?;
    }
    Ok(())
}

/// Returns `wanted`, or `wanted (2)`, `wanted (3)`… if the name is taken.
fn unique_name(
    tx: &mut Transaction<'_>,
    taken: &Statement,
    wanted: &str,
) -> Result<String, postgres::Error> {
    let mut candidate = wanted.to_owned();
    let mut n = 2;
    while tx.query_opt(taken, &[&candidate])?.is_some() {
        candidate = format!("{wanted} ({n})");
        n += 1;
    }
    Ok(candidate)
}

/// The content hash both backends use: SHA-256 of the text, lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
