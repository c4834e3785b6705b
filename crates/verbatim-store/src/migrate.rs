//! The study file's schema: embedded, numbered, append-only migrations.
//!
//! The schema version lives in SQLite's `user_version` and the file is marked
//! as a verbatim study by `application_id`, so a stray SQLite database is
//! never mistaken for a study. Opening a study whose version is older than
//! [`LATEST`] first writes a consistent backup copy beside it
//! (`VACUUM INTO`), then applies each missing migration in its own
//! transaction. A file from a newer verbatim is refused untouched.
//!
//! Never edit a migration that has shipped; add the next number.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::StoreError;

/// Marks a SQLite file as a verbatim study: "VBT1" in ASCII.
pub const APPLICATION_ID: i64 = 0x5642_5431;

/// The migrations, in order: `(version, name, sql)`.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "sources",
        include_str!("../migrations/sqlite/0001_sources.sql"),
    ),
    (
        2,
        "append_only_audit",
        include_str!("../migrations/sqlite/0002_append_only_audit.sql"),
    ),
    (
        3,
        "coding",
        include_str!("../migrations/sqlite/0003_coding.sql"),
    ),
    (
        4,
        "memo_targets",
        include_str!("../migrations/sqlite/0004_memo_targets.sql"),
    ),
    (
        5,
        "participants",
        include_str!("../migrations/sqlite/0005_participants.sql"),
    ),
    (
        6,
        "deidentification",
        include_str!("../migrations/sqlite/0006_deidentification.sql"),
    ),
    (
        7,
        "reconciliation",
        include_str!("../migrations/sqlite/0007_reconciliation.sql"),
    ),
    (
        8,
        "reversed_expectations",
        include_str!("../migrations/sqlite/0008_reversed_expectations.sql"),
    ),
    (
        9,
        "team_analysis",
        include_str!("../migrations/sqlite/0009_team_analysis.sql"),
    ),
    (
        13,
        "report_order",
        include_str!("../migrations/sqlite/0013_report_order.sql"),
    ),
    (
        17,
        "code_codable",
        include_str!("../migrations/sqlite/0017_code_codable.sql"),
    ),
    (
        18,
        "media",
        include_str!("../migrations/sqlite/0018_media.sql"),
    ),
    (
        19,
        "sibling_names",
        include_str!("../migrations/sqlite/0019_sibling_names.sql"),
    ),
    (
        20,
        "accounts",
        include_str!("../migrations/sqlite/0020_accounts.sql"),
    ),
    (
        21,
        "logins",
        include_str!("../migrations/sqlite/0021_logins.sql"),
    ),
    (
        22,
        "speaker_turns",
        include_str!("../migrations/sqlite/0022_speaker_turns.sql"),
    ),
];

/// The newest schema version this build writes (the last migration's
/// number: numbers are reserved per branch, so a gap may exist until the
/// branches meet).
pub const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Returns the schema version recorded in the file.
pub fn version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

/// Applies every migration after the file's version up to `target`, each in
/// its own transaction.
pub fn apply(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
    let current = version(conn)?;
    for (number, _name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current && m.0 <= target) {
        let tx = crate::sqlite::begin_write(conn)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", number)?;
        tx.commit()?;
    }
    Ok(())
}

/// Returns where the backup of a study at `version` is written.
pub fn backup_path(path: &Path, version: i64) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".v{version}.bak"));
    path.with_file_name(name)
}

/// Brings an opened study up to [`LATEST`], refusing newer files and writing
/// a backup before upgrading an older one. Returns the backup's path when
/// one was written.
pub fn upgrade(conn: &mut Connection, path: &Path) -> Result<Option<PathBuf>, StoreError> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: LATEST,
        });
    }
    if found == LATEST {
        return Ok(None);
    }
    let backup = backup_path(path, found);
    if backup.try_exists().unwrap_or(false) {
        std::fs::remove_file(&backup).map_err(|e| StoreError::Backup {
            backup: backup.clone(),
            reason: e.to_string(),
        })?;
    }
    // Created empty and owner-only first: VACUUM INTO fills an empty file.
    crate::sqlite::create_owner_only(&backup).map_err(|e| StoreError::Backup {
        backup: backup.clone(),
        reason: e.to_string(),
    })?;
    conn.execute("VACUUM INTO $1", [backup.to_string_lossy().as_ref()])
        .map_err(|e| StoreError::Backup {
            backup: backup.clone(),
            reason: e.to_string(),
        })?;
    apply(conn, LATEST)?;
    Ok(Some(backup))
}
