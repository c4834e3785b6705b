//! The SQLite backend: one study, one file.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use sha2::{Digest, Sha256};
use verbatim_core::{NormalisedSource, OffsetTable, SourceMetadata};

use crate::audit::{self, AuditEntry};
use crate::migrate::{self, APPLICATION_ID, LATEST};
use crate::{
    ImportItem, ImportOutcome, MemoRecord, SourceRecord, SourceRef, SourceSummary, Store,
    StoreError, StudyInfo, StudySettings, TurnRecord,
};

/// A study kept in one SQLite file (WAL journal, foreign keys on).
#[derive(Debug)]
pub struct SqliteStore {
    pub(crate) conn: Connection,
    path: PathBuf,
    backup: Option<PathBuf>,
}

impl SqliteStore {
    /// Returns a new study created at `path`, which must not exist yet.
    pub fn create(path: &Path, settings: &StudySettings, actor: &str) -> Result<Self, StoreError> {
        crate::boundary::rules::study_settings(settings)?;
        if path.try_exists().unwrap_or(true) {
            return Err(StoreError::AlreadyExists {
                path: path.to_path_buf(),
            });
        }
        create_owner_only(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => StoreError::AlreadyExists {
                path: path.to_path_buf(),
            },
            _ => StoreError::Invalid(format!(
                "cannot create {}: {e}: check that its folder exists and is writable",
                path.display()
            )),
        })?;
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        migrate::apply(&mut conn, LATEST)?;
        let tx = begin_write(&mut conn)?;
        let created_at = audit::now();
        let put = |key: &str, value: &str| {
            tx.execute(
                "INSERT INTO study (key, value) VALUES ($1, $2)",
                params![key, value],
            )
        };
        put("title", &settings.title)?;
        put("created_at", &created_at)?;
        put("guid", &uuid::Uuid::new_v4().to_string())?;
        if let Some(language) = &settings.language {
            put("language", language.as_str())?;
        }
        audit::append(
            &tx,
            actor,
            "study.create",
            None,
            &serde_json::json!({
                "title": settings.title,
                "language": settings.language.as_ref().map(|l| l.as_str()),
            }),
        )?;
        tx.commit()?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            backup: None,
        })
    }

    /// Returns the study at `path`, upgraded to the current schema if it was
    /// older (after writing a backup beside it).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.try_exists().unwrap_or(false) {
            return Err(StoreError::NotFound {
                path: path.to_path_buf(),
            });
        }
        if !has_sqlite_header(path) {
            return Err(StoreError::NotAStudy {
                path: path.to_path_buf(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        let app_id: i64 = conn
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .map_err(|_| StoreError::NotAStudy {
                path: path.to_path_buf(),
            })?;
        if app_id != APPLICATION_ID {
            return Err(StoreError::NotAStudy {
                path: path.to_path_buf(),
            });
        }
        configure(&conn)?;
        let backup = migrate::upgrade(&mut conn, path)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            backup,
        })
    }

    /// Returns the file the study lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns the backup written when opening upgraded an older study.
    pub fn upgrade_backup(&self) -> Option<&Path> {
        self.backup.as_deref()
    }

    pub(crate) fn resolve(&self, which: &SourceRef) -> Result<i64, StoreError> {
        let by_name = |name: &str| -> Result<Option<i64>, StoreError> {
            Ok(self
                .conn
                .query_row("SELECT id FROM sources WHERE name = $1", [name], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        let found = match which {
            SourceRef::Id(id) => {
                let direct: Option<i64> = self
                    .conn
                    .query_row("SELECT id FROM sources WHERE id = $1", [id], |r| r.get(0))
                    .optional()?;
                match direct {
                    Some(id) => Some(id),
                    None => by_name(&id.to_string())?,
                }
            }
            SourceRef::Name(name) => by_name(name)?,
        };
        found.ok_or_else(|| {
            StoreError::SourceNotFound(match which {
                SourceRef::Id(id) => id.to_string(),
                SourceRef::Name(name) => name.clone(),
            })
        })
    }

    fn summaries(&self, only: Option<i64>) -> Result<Vec<SourceSummary>, StoreError> {
        let mut speakers: HashMap<i64, (i64, Vec<String>)> = HashMap::new();
        {
            let mut stmt = self.conn.prepare(&summary_sql(SummaryPart::Turns, only))?;
            let mut rows = stmt.query(rusqlite::params_from_iter(only))?;
            while let Some(row) = rows.next()? {
                let entry = speakers.entry(row.get(0)?).or_default();
                entry.0 += row.get::<_, i64>(2)?;
                entry.1.push(row.get(1)?);
            }
        }
        let mut stmt = self
            .conn
            .prepare(&summary_sql(SummaryPart::Sources, only))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(only), |row| {
            let id: i64 = row.get(0)?;
            let (turns, labels) = speakers.remove(&id).unwrap_or_default();
            Ok(SourceSummary {
                id,
                guid: row.get(1)?,
                name: row.get(2)?,
                format: row.get(3)?,
                kind: row.get(4)?,
                language: row.get(5)?,
                site: row.get(6)?,
                chars: row.get(7)?,
                turns,
                speakers: labels,
                imported_at: row.get(8)?,
                collected_on: row.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl SqliteStore {
    /// Returns one source's summary (two indexed reads, whatever the
    /// study's size).
    pub fn source_summary(&self, id: i64) -> Result<SourceSummary, StoreError> {
        self.summaries(Some(id))?
            .pop()
            .ok_or_else(|| StoreError::SourceNotFound(id.to_string()))
    }
}

/// The two reads of [`SqliteStore::summaries`].
#[derive(Debug, Clone, Copy)]
enum SummaryPart {
    /// Turn counts and labels per source.
    Turns,
    /// The sources' own columns.
    Sources,
}

/// The SQL of one part of the source summaries, for every source or for
/// `only` (bound as `$1`): one statement per case, since
/// `($1 IS NULL OR source_id = $1)` would make SQLite scan every turn of
/// the study for one source.
fn summary_sql(part: SummaryPart, only: Option<i64>) -> String {
    let one = only.is_some();
    match part {
        // One row per label, kept by triggers on `turns` (migration 0022).
        SummaryPart::Turns => format!(
            "SELECT source_id, speaker, turns FROM speaker_turns {} \
             ORDER BY source_id, first_ordinal",
            if one { "WHERE source_id = $1" } else { "" }
        ),
        SummaryPart::Sources => format!(
            "SELECT id, guid, name, format, kind, language, site, chars, imported_at, \
             collected_on FROM sources {} ORDER BY id",
            if one { "WHERE id = $1" } else { "" }
        ),
    }
}

impl Store for SqliteStore {
    fn study(&self) -> Result<StudyInfo, StoreError> {
        let get = |key: &str| -> Result<Option<String>, StoreError> {
            Ok(self
                .conn
                .query_row("SELECT value FROM study WHERE key = $1", [key], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        Ok(StudyInfo {
            title: get("title")?.unwrap_or_default(),
            language: get("language")?,
            created_at: get("created_at")?.unwrap_or_default(),
            schema_version: migrate::version(&self.conn)?,
        })
    }

    fn import_batch(
        &mut self,
        actor: &str,
        items: Vec<ImportItem>,
    ) -> Result<Vec<ImportOutcome>, StoreError> {
        crate::boundary::rules::import_items(&items)?;
        let default_language: Option<String> = self
            .conn
            .query_row("SELECT value FROM study WHERE key = 'language'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let mut tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut outcomes = Vec::with_capacity(items.len());
        for item in &items {
            let savepoint = tx.savepoint()?;
            let outcome = insert_source(&savepoint, actor, item, default_language.as_deref())?;
            savepoint.commit()?;
            outcomes.push(outcome);
        }
        commit(tx)?;
        Ok(outcomes)
    }

    fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        self.summaries(None)
    }

    fn source(&self, which: &SourceRef) -> Result<SourceRecord, StoreError> {
        let id = self.resolve(which)?;
        let summary = self
            .summaries(Some(id))?
            .pop()
            .ok_or_else(|| StoreError::SourceNotFound(id.to_string()))?;
        let (original_path, metadata): (Option<String>, String) = self.conn.query_row(
            "SELECT original_path, metadata FROM sources WHERE id = $1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let metadata: SourceMetadata = serde_json::from_str(&metadata)
            .map_err(|e| StoreError::Corrupt(format!("metadata of source {id}: {e}")))?;
        let text: String = self.conn.query_row(
            "SELECT text FROM source_texts WHERE source_id = $1",
            [id],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT NULLIF(speaker, ''), start_char, end_char, begin_ms, end_ms FROM turns \
             WHERE source_id = $1 ORDER BY ordinal",
        )?;
        let turn_list = stmt
            .query_map([id], |r| {
                Ok(TurnRecord {
                    speaker: r.get(0)?,
                    start: r.get(1)?,
                    end: r.get(2)?,
                    begin_ms: r.get(3)?,
                    end_ms: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT id, origin, start_char, end_char, author, written_at, body FROM memos \
             WHERE source_id = $1 ORDER BY start_char, id",
        )?;
        let memos = stmt
            .query_map([id], |r| {
                Ok(MemoRecord {
                    id: r.get(0)?,
                    origin: r.get(1)?,
                    start: r.get(2)?,
                    end: r.get(3)?,
                    author: r.get(4)?,
                    written_at: r.get(5)?,
                    body: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(SourceRecord {
            summary,
            original_path,
            metadata,
            text,
            turn_list,
            memos,
        })
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        audit::recent(&self.conn, limit)
    }
}

fn commit(tx: Transaction<'_>) -> Result<(), StoreError> {
    tx.commit()?;
    Ok(())
}

/// Stores one source inside the caller's savepoint.
pub(crate) fn insert_source(
    conn: &Connection,
    actor: &str,
    item: &ImportItem,
    default_language: Option<&str>,
) -> Result<ImportOutcome, StoreError> {
    let source = &item.source;
    let hash = hex(&Sha256::digest(source.text().as_bytes()));
    let existing: Option<String> = conn
        .prepare_cached("SELECT name FROM sources WHERE content_hash = $1")?
        .query_row([&hash], |r| r.get(0))
        .optional()?;
    if let Some(existing) = existing {
        return Ok(ImportOutcome::Duplicate { existing });
    }
    let name = unique_name(conn, &item.name)?;
    let language = item
        .language
        .as_ref()
        .map(|l| l.as_str().to_owned())
        .or(default_language.map(str::to_owned));
    let metadata = serde_json::to_string(source.metadata())
        .map_err(|e| StoreError::Corrupt(format!("metadata not serialisable: {e}")))?;
    let chars = i64::try_from(source.chars()).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "INSERT INTO sources (guid, name, format, kind, language, site, original_path, \
         imported_at, content_hash, chars, metadata) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )?
    .execute(params![
        uuid::Uuid::new_v4().to_string(),
        name,
        source.format().as_str(),
        item.kind.as_str(),
        language,
        item.site,
        item.original_path
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        audit::now(),
        hash,
        chars,
        metadata,
    ])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO source_texts (source_id, text, offsets) VALUES ($1, $2, $3)")?
        .execute(params![
            id,
            source.text(),
            OffsetTable::new(source.text()).to_bytes()
        ])?;
    insert_turns(conn, id, source)?;
    insert_comments(conn, id, source)?;
    audit::append(
        conn,
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
    )?;
    Ok(ImportOutcome::Imported { id, name })
}

/// Stores a new source's speech turns, in order.
fn insert_turns(conn: &Connection, id: i64, source: &NormalisedSource) -> Result<(), StoreError> {
    let mut turn_stmt = conn.prepare_cached(
        "INSERT INTO turns (source_id, ordinal, speaker, start_char, end_char, begin_ms, end_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )?;
    for (ordinal, turn) in source.turns().iter().enumerate() {
        turn_stmt.execute(params![
            id,
            ordinal as i64,
            turn.speaker.as_deref().unwrap_or(""),
            turn.span.start() as i64,
            turn.span.end() as i64,
            turn.begin_ms.map(|ms| ms as i64),
            turn.end_ms.map(|ms| ms as i64),
        ])?;
    }
    Ok(())
}

/// Stores a new source's document comments as passage memos.
fn insert_comments(
    conn: &Connection,
    id: i64,
    source: &NormalisedSource,
) -> Result<(), StoreError> {
    let mut memo_stmt = conn.prepare_cached(
        "INSERT INTO memos (guid, target_kind, source_id, start_char, end_char, author, \
         written_at, body, origin, created_at) \
         VALUES ($1, 'passage', $2, $3, $4, $5, $6, $7, 'document-comment', $8)",
    )?;
    for anchor in source.anchors() {
        memo_stmt.execute(params![
            uuid::Uuid::new_v4().to_string(),
            id,
            anchor.span.start() as i64,
            anchor.span.end() as i64,
            anchor.author,
            anchor.date,
            anchor.text,
            audit::now(),
        ])?;
    }
    Ok(())
}

/// Returns `wanted`, or `wanted (2)`, `wanted (3)`… if the name is taken.
fn unique_name(conn: &Connection, wanted: &str) -> Result<String, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM sources WHERE name = $1")?;
    let mut candidate = wanted.to_owned();
    let mut n = 2;
    while stmt.exists([&candidate])? {
        candidate = format!("{wanted} ({n})");
        n += 1;
    }
    Ok(candidate)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How long a writer waits for another one (the server taking codings, a
/// second command) before giving up with [`StoreError::Busy`]. Write
/// transactions last milliseconds; ten seconds covers a large import
/// batch on a slow disk.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Journal and sync settings: WAL (readers never block the writer), and
/// `synchronous = FULL`, so every commit is on disk (the WAL fsynced)
/// before the user is told it is saved: an acknowledged action survives a
/// process crash, an OS crash and a power loss. It costs one fsync per
/// write transaction (about 4–6 ms on the benchmark machine's disk, see
/// BENCHMARKS.md "Durability"); `NORMAL` would lose the last commits on an
/// OS crash.
pub(crate) fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let synchronous = if NORMAL_SYNC_FOR_BENCHMARKS.load(std::sync::atomic::Ordering::Relaxed) {
        "NORMAL"
    } else {
        "FULL"
    };
    conn.pragma_update(None, "synchronous", synchronous)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Temporary tables and statement journals in memory (an import of a
    // project spent two thirds of its time in a temporary file), set once
    // here: changing `temp_store` later would drop the connection's
    // temporary tables, among them the acting account's.
    conn.pragma_update(None, "temp_store", 2)?;
    audit::prepare_acting(conn)
}

static NORMAL_SYNC_FOR_BENCHMARKS: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// For benchmarks only: makes every study this process opens afterwards
/// commit with `synchronous = NORMAL` (no fsync at each commit), so that
/// the cost of `FULL` can be measured on one build (BENCHMARKS.md,
/// "Durability"). Never the default: an OS crash could then lose the last
/// acknowledged actions.
pub fn commit_without_fsync_for_benchmarks() {
    NORMAL_SYNC_FOR_BENCHMARKS.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Starts a write transaction with `BEGIN IMMEDIATE`: the write lock is
/// taken at the start, waiting up to [`BUSY_TIMEOUT`] for another writer.
///
/// A deferred transaction (`BEGIN`) reads first and asks for the write
/// lock at its first write; if another process committed in between, its
/// snapshot is stale and SQLite fails at once with `SQLITE_BUSY_SNAPSHOT`
/// (517), which no busy timeout retries: `deidentify apply` failed every
/// time the server was taking codings. Every write of the store starts
/// here.
pub(crate) fn begin_write(conn: &mut Connection) -> rusqlite::Result<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
}

/// Creates an empty file readable and writable by its owner only (0600 on
/// Unix), failing if it exists. A study holds interviews, often health
/// data: SQLite gives its `-wal` and `-shm` files the same permissions,
/// and opens an empty file as a new database.
pub(crate) fn create_owner_only(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop)
}

/// Returns true when the file starts with SQLite's magic header.
fn has_sqlite_header(path: &Path) -> bool {
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok_and(|()| &header == b"SQLite format 3\0")
}

#[cfg(test)]
mod tests {
    use verbatim_core::{Format, NormalisedSource, SourceKind, Span, Turn};

    use super::*;

    #[test]
    fn one_source_summary_reads_no_table_whole() {
        let f = crate::testkit::fixture();
        for part in [SummaryPart::Turns, SummaryPart::Sources] {
            let scans = crate::testkit::full_scans(&f.store, &summary_sql(part, Some(1)));
            assert!(scans.is_empty(), "{part:?} scans {scans:?}");
        }
        // The guard can fail: every source's summary does scan the turns.
        let all = crate::testkit::full_scans(&f.store, &summary_sql(SummaryPart::Turns, None));
        assert!(!all.is_empty());
    }

    fn item(name: &str, text: &str) -> ImportItem {
        let turn = Turn {
            speaker: Some("CSI-2".into()),
            span: Span::new(0, text.chars().count()).unwrap(),
            begin_ms: Some(1_000),
            end_ms: None,
        };
        ImportItem {
            name: name.into(),
            original_path: None,
            kind: SourceKind::Interview,
            site: Some("CS".into()),
            language: None,
            source: NormalisedSource::new(
                Format::Txt,
                text.into(),
                vec![turn],
                vec![],
                SourceMetadata::default(),
            )
            .unwrap(),
        }
    }

    fn new_study(dir: &tempfile::TempDir) -> SqliteStore {
        let settings = StudySettings {
            title: "Étude".into(),
            language: Some("fr".parse().unwrap()),
        };
        SqliteStore::create(&dir.path().join("s.vbt"), &settings, "tester").unwrap()
    }

    #[test]
    fn commits_are_durable_and_writers_wait() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            SqliteStore::create(&dir.path().join("s.vbt"), &StudySettings::titled("t"), "me")
                .unwrap();
        let get = |pragma: &str| -> String {
            store
                .conn
                .query_row(&format!("PRAGMA {pragma}"), [], |r| {
                    r.get::<_, rusqlite::types::Value>(0)
                })
                .map(|v| format!("{v:?}"))
                .unwrap()
        };
        // synchronous FULL is 2; the busy timeout is in milliseconds.
        assert_eq!(get("synchronous"), "Integer(2)");
        assert_eq!(get("journal_mode"), "Text(\"wal\")");
        assert_eq!(get("busy_timeout"), "Integer(10000)");
    }

    #[test]
    fn database_is_locked_says_what_to_do() {
        // SQLITE_BUSY (5) and its extended BUSY_SNAPSHOT (517).
        for code in [5, 517] {
            let e = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
            let e = StoreError::from(e);
            assert!(matches!(e, StoreError::Busy), "{e}");
            assert!(e.to_string().contains("for over 10 seconds, so nothing was changed; wait until it finishes and run the command again"));
        }
    }

    #[test]
    fn create_refuses_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        new_study(&dir);
        let again = SqliteStore::create(&dir.path().join("s.vbt"), &StudySettings::default(), "t");
        assert!(matches!(again, Err(StoreError::AlreadyExists { .. })));
    }

    #[test]
    fn open_refuses_files_that_are_not_studies() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("notes.vbt");
        std::fs::write(&junk, "bonjour").unwrap();
        assert!(matches!(
            SqliteStore::open(&junk),
            Err(StoreError::NotAStudy { .. })
        ));
        let other = dir.path().join("other.sqlite");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x);")
            .unwrap();
        assert!(matches!(
            SqliteStore::open(&other),
            Err(StoreError::NotAStudy { .. })
        ));
        let missing = dir.path().join("missing.vbt");
        assert!(matches!(
            SqliteStore::open(&missing),
            Err(StoreError::NotFound { .. })
        ));
    }

    #[test]
    fn a_newer_study_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = new_study(&dir).path().to_path_buf();
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { found, .. } if found == LATEST + 1));
        assert!(err.to_string().contains("upgrade verbatim"));
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn an_older_study_is_backed_up_then_upgraded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.vbt");
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        migrate::apply(&mut conn, 1).unwrap();
        conn.execute(
            "INSERT INTO study (key, value) VALUES ('title', 'Ancienne')",
            [],
        )
        .unwrap();
        drop(conn);

        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.study().unwrap().schema_version, LATEST);
        let backup = store.upgrade_backup().unwrap().to_path_buf();
        assert_eq!(backup, migrate::backup_path(&path, 1));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the backup is owner-only");
        }
        let old = Connection::open(&backup).unwrap();
        assert_eq!(migrate::version(&old).unwrap(), 1);
        let title: String = old
            .query_row("SELECT value FROM study WHERE key='title'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(title, "Ancienne");
    }

    #[test]
    fn import_stores_text_turns_and_audit_and_skips_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = new_study(&dir);
        let outcomes = store
            .import_batch(
                "amira",
                vec![
                    item("a.txt", "« J’ai confiance » 😀"),
                    item("a.txt", "Autre texte"),
                    item("b.txt", "« J’ai confiance » 😀"),
                ],
            )
            .unwrap();
        assert_eq!(
            outcomes,
            vec![
                ImportOutcome::Imported {
                    id: 1,
                    name: "a.txt".into()
                },
                ImportOutcome::Imported {
                    id: 2,
                    name: "a.txt (2)".into()
                },
                ImportOutcome::Duplicate {
                    existing: "a.txt".into()
                },
            ]
        );
        let record = store.source(&SourceRef::Name("a.txt".into())).unwrap();
        assert_eq!(record.text, "« J’ai confiance » 😀");
        assert_eq!(record.summary.chars, 20);
        assert_eq!(record.summary.language.as_deref(), Some("fr"));
        assert_eq!(record.summary.speakers, vec!["CSI-2"]);
        assert_eq!(record.turn_list[0].begin_ms, Some(1_000));
        let log = store.audit_log(10).unwrap();
        assert_eq!(log.len(), 3);
        assert_eq!(log[0].action, "source.import");
        assert_eq!(log[0].actor, "amira");
        assert_eq!(log[2].action, "study.create");
    }

    #[test]
    fn the_audit_log_refuses_edits() {
        let dir = tempfile::tempdir().unwrap();
        let store = new_study(&dir);
        let err = store
            .conn
            .execute("UPDATE audit SET actor = 'mallory'", [])
            .unwrap_err();
        assert!(err.to_string().contains("append-only"));
        assert!(store.conn.execute("DELETE FROM audit", []).is_err());
    }
}
