//! A whole study copied into or out of a SQLite file (`verbatim copy`):
//! reading every carried table as plain cells, writing them into a new
//! file, and copying a file whole. A new file is written under a
//! temporary name beside the target and linked into place only once
//! complete, so a failed copy leaves no study behind and never replaces
//! one that exists. Recordings go along: their `media` rows with the
//! tables, their bytes into the new file's media folder, each checked
//! against its SHA-256.

use std::path::{Path, PathBuf};

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, params_from_iter};

use crate::migrate::{self, APPLICATION_ID, LATEST};
use crate::transfer::{CARRIED, Cell, RecordingFile, SEEDED, TableRows, Transfer};
use crate::{SqliteStore, StoreError, sqlite};

/// Tables kept by triggers from others: rebuilt as the rows are written,
/// never compared or copied.
const DERIVED: &[&str] = &["coding_counts", "speaker_turns"];

fn cell(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Real(r) => Cell::Real(r),
        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
    }
}

fn value(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Int(i) => Value::Integer(*i),
        Cell::Real(r) => Value::Real(*r),
        Cell::Text(t) => Value::Text(t.clone()),
        Cell::Blob(b) => Value::Blob(b.clone()),
    }
}

/// Returns the columns and rows of `table`, by rowid.
fn rows_of(conn: &Connection, table: &str) -> Result<(Vec<String>, Vec<Vec<Cell>>), StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))?;
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let width = columns.len();
    let rows = stmt
        .query_map([], |r| (0..width).map(|i| r.get_ref(i).map(cell)).collect())?
        .collect::<Result<_, _>>()?;
    Ok((columns, rows))
}

impl Transfer for SqliteStore {
    fn uncarried(&self) -> Result<Vec<String>, StoreError> {
        // What a new study holds in each table: the migrations' own rows.
        let mut fresh = Connection::open_in_memory()?;
        migrate::apply(&mut fresh, LATEST)?;
        let names: Vec<String> = self
            .conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut held = Vec::new();
        for name in names {
            if CARRIED.contains(&name.as_str()) || DERIVED.contains(&name.as_str()) {
                continue;
            }
            // A table a new study lacks (a later version's) holds data as
            // soon as it has a row.
            let known: bool = fresh.query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = $1",
                [&name],
                |r| r.get(0),
            )?;
            let fresh_rows = if known {
                rows_of(&fresh, &name)?.1
            } else {
                Vec::new()
            };
            if rows_of(&self.conn, &name)?.1 != fresh_rows {
                held.push(name);
            }
        }
        Ok(held)
    }

    fn read_table(&self, table: &'static str) -> Result<TableRows, StoreError> {
        let (columns, rows) = rows_of(&self.conn, table)?;
        Ok(TableRows {
            table,
            columns,
            rows,
        })
    }

    fn recording_files(&self) -> Result<Vec<RecordingFile>, StoreError> {
        let mut out: Vec<RecordingFile> = Vec::new();
        for rec in self.recordings()? {
            if out.iter().any(|f| f.sha256 == rec.sha256) {
                continue;
            }
            let path = self.media_path(&rec);
            if !path.is_file() {
                return Err(StoreError::Invalid(format!(
                    "the recording of source {:?} is missing from {}: put {} back or detach it, then copy again",
                    rec.source,
                    self.media_dir().display(),
                    rec.file_name()
                )));
            }
            out.push(RecordingFile {
                sha256: rec.sha256.clone(),
                file_name: rec.file_name(),
                path,
            });
        }
        Ok(out)
    }

    fn carried_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        CARRIED
            .iter()
            .map(|table| {
                let sql = format!("SELECT count(*) FROM {table}");
                Ok((*table, self.conn.query_row(&sql, [], |r| r.get(0))?))
            })
            .collect()
    }
}

impl SqliteStore {
    /// Writes `tables` (read from another study) as a new study file at
    /// `path`, which must not exist, rows and ids as they are.
    pub fn create_copy(path: &Path, tables: &[TableRows]) -> Result<SqliteStore, StoreError> {
        Self::create_copy_with(path, tables, &[])
    }

    /// Writes a new study file at `path` from the carried tables of
    /// another study and its recordings' bytes (see [`Self::create_copy`]).
    pub fn create_copy_with(
        path: &Path,
        tables: &[TableRows],
        recordings: &[RecordingFile],
    ) -> Result<SqliteStore, StoreError> {
        place_new(path, |partial| {
            copy_recordings(&media_dir_of(path), recordings)?;
            let mut conn = Connection::open(partial)?;
            sqlite::configure(&conn)?;
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
            migrate::apply(&mut conn, LATEST)?;
            let tx = sqlite::begin_write(&mut conn)?;
            // The rows the migrations put in carried tables (the consensus
            // row, the default levels…) come from the study copied instead.
            for table in SEEDED {
                tx.execute(&format!("DELETE FROM {table}"), [])?;
            }
            for table in tables.iter().filter(|t| !t.rows.is_empty()) {
                let mut table = table.clone();
                if table.table == "codes" || table.table == "guide_questions" {
                    table.parents_first("parent");
                }
                let marks: Vec<String> =
                    (1..=table.columns.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES ({})",
                    table.table,
                    table.columns.join(", "),
                    marks.join(", ")
                );
                let mut insert = tx.prepare(&sql)?;
                for row in &table.rows {
                    insert.execute(params_from_iter(row.iter().map(value)))?;
                }
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// Copies the study whole into a new file at `path` (which must not
    /// exist), its recordings into the new media folder, with `VACUUM INTO`: one consistent snapshot read in a single
    /// transaction, so writers elsewhere may go on meanwhile.
    pub fn copy_file(&self, path: &Path) -> Result<SqliteStore, StoreError> {
        let recordings = self.recording_files()?;
        place_new(path, |partial| {
            copy_recordings(&media_dir_of(path), &recordings)?;
            let target = partial.to_string_lossy();
            self.conn.execute("VACUUM INTO $1", [target.as_ref()])?;
            Ok(())
        })
    }

    /// Returns the number of rows of every table of the file, by name.
    pub fn table_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let names: Vec<String> = self
            .conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        names
            .into_iter()
            .map(|name| {
                let sql = format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\""));
                let n = self.conn.query_row(&sql, [], |r| r.get(0))?;
                Ok((name, n))
            })
            .collect()
    }
}

/// Writes a new study file at `path` through `write`, which fills an empty
/// owner-only file at a temporary name; the file is linked into place only
/// when complete, and never over an existing one.
fn place_new(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), StoreError>,
) -> Result<SqliteStore, StoreError> {
    let exists = || StoreError::AlreadyExists {
        path: path.to_path_buf(),
    };
    if path.try_exists().unwrap_or(true) {
        return Err(exists());
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".partial-{}", uuid::Uuid::new_v4().simple()));
    let partial: PathBuf = path.with_file_name(name);
    let cannot = |e: std::io::Error| {
        StoreError::Invalid(format!(
            "cannot write {}: {e}: check that its folder exists and is writable",
            path.display()
        ))
    };
    let written = sqlite::create_owner_only(&partial)
        .map_err(cannot)
        .and_then(|()| write(&partial))
        .and_then(|()| {
            std::fs::hard_link(&partial, path).map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => exists(),
                _ => cannot(e),
            })
        });
    for leftover in ["", "-wal", "-shm"] {
        let mut name = partial.clone().into_os_string();
        name.push(leftover);
        let _ = std::fs::remove_file(name);
    }
    written?;
    SqliteStore::open(path)
}

/// The media folder of the study file at `path`: `STUDY.vbt.media`.
fn media_dir_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".media");
    PathBuf::from(name)
}

/// Copies recordings' bytes into the media folder `dir` (owner-only),
/// each under its name, refusing one whose bytes no longer match its
/// SHA-256.
pub(crate) fn copy_recordings(dir: &Path, recordings: &[RecordingFile]) -> Result<(), StoreError> {
    if recordings.is_empty() {
        return Ok(());
    }
    crate::media::make_private_dir(dir)?;
    for rec in recordings {
        let target = dir.join(&rec.file_name);
        if target.is_file() {
            continue;
        }
        let partial = dir.join(format!(".partial-{}", uuid::Uuid::new_v4()));
        let copied = crate::media::copy_hashing(&rec.path, &partial);
        let done = match copied {
            Ok((sha, _)) if sha == rec.sha256 => std::fs::rename(&partial, &target).map_err(|e| {
                StoreError::Invalid(format!("could not write {}: {e}", target.display()))
            }),
            Ok(_) => Err(StoreError::Corrupt(format!(
                "the bytes read for {} do not match its SHA-256",
                rec.file_name
            ))),
            Err(e) => Err(StoreError::Invalid(format!(
                "could not copy {} into {}: {e}",
                rec.path.display(),
                dir.display()
            ))),
        };
        if done.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        done?;
    }
    Ok(())
}
