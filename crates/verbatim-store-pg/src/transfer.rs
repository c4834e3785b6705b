//! A whole study copied into or out of PostgreSQL (`verbatim copy`): every
//! carried table read as plain cells, and a new study written from them in
//! one transaction (schema, tables, rows, identity counters), so a failed
//! copy leaves no schema behind and an existing study is never touched.

use postgres::types::{ToSql, Type};
use postgres::{Row, Transaction};
use verbatim_store::transfer::{CARRIED, Cell, RecordingFile, SEEDED, TableRows, Transfer};
use verbatim_store::{Media, StoreError};

use crate::failure::OrServer;
use crate::reads::ReadError;
use crate::{PgAddress, PgStore, migrate};

/// The carried tables whose `id` is an identity column.
const WITH_IDS: &[&str] = &[
    "sources",
    "coders",
    "levels",
    "codes",
    "code_links",
    "codings",
    "memos",
    "sites",
    "modes",
    "participants",
    "attributes",
    "participant_values",
    "source_values",
    "speaker_map",
    "consents",
    "journal",
    "journal_links",
    "translations",
    "code_translations",
    "reconciliation_decisions",
    "reconciliation_origins",
    "consensus_origins",
    "guides",
    "guide_versions",
    "guide_questions",
    "source_guides",
    "source_done",
    "accounts",
    "invitations",
    "logins",
    "deidentifications",
    "media",
];

impl Transfer for PgStore {
    fn uncarried(&self) -> Result<Vec<String>, StoreError> {
        // Besides carried tables this schema holds its migration list, the
        // audit count (its trigger keeps it on the copy too) and the
        // recordings' bytes, which go as `recording_files`.
        Ok(Vec::new())
    }

    fn read_table(&self, table: &'static str) -> Result<TableRows, StoreError> {
        if !CARRIED.contains(&table) {
            return Err(StoreError::Invalid(format!(
                "{table} is not a table a copy carries"
            )));
        }
        let mut client = self.client();
        let select = client
            .prepare(&format!("SELECT * FROM {table}"))
            .or_server(self.address())?;
        let columns = select
            .columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        let rows = client.query(&select, &[]).or_server(self.address())?;
        let rows = rows
            .iter()
            .map(cells)
            .collect::<Result<_, _>>()
            .or_server(self.address())?;
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
            out.push(RecordingFile {
                sha256: rec.sha256.clone(),
                file_name: rec.file_name(),
                path: self.media_path(&rec)?,
            });
        }
        Ok(out)
    }

    fn carried_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        let mut client = self.client();
        CARRIED
            .iter()
            .map(|table| {
                let n = client
                    .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                    .and_then(|r| r.try_get(0))
                    .or_server(self.address())?;
                Ok((*table, n))
            })
            .collect()
    }
}

/// Returns a row's values as cells (booleans as 0 or 1, as SQLite keeps them).
fn cells(row: &Row) -> Result<Vec<Cell>, postgres::Error> {
    (0..row.len())
        .map(|i| {
            let ty = row.columns()[i].type_();
            Ok(if *ty == Type::INT8 {
                row.try_get::<_, Option<i64>>(i)?
                    .map_or(Cell::Null, Cell::Int)
            } else if *ty == Type::INT4 {
                row.try_get::<_, Option<i32>>(i)?
                    .map_or(Cell::Null, |v| Cell::Int(v.into()))
            } else if *ty == Type::BOOL {
                row.try_get::<_, Option<bool>>(i)?
                    .map_or(Cell::Null, |v| Cell::Int(v.into()))
            } else if *ty == Type::FLOAT8 {
                row.try_get::<_, Option<f64>>(i)?
                    .map_or(Cell::Null, Cell::Real)
            } else if *ty == Type::BYTEA {
                row.try_get::<_, Option<Vec<u8>>>(i)?
                    .map_or(Cell::Null, Cell::Blob)
            } else {
                row.try_get::<_, Option<String>>(i)?
                    .map_or(Cell::Null, Cell::Text)
            })
        })
        .collect()
}

/// Returns `cell` as a parameter of the column type `ty`.
fn param(cell: &Cell, ty: &Type) -> Result<Box<dyn ToSql + Sync>, String> {
    let int = || match cell {
        Cell::Int(i) => Ok(Some(*i)),
        Cell::Null => Ok(None),
        other => Err(format!("{other:?} where a number was expected")),
    };
    Ok(if *ty == Type::INT8 {
        Box::new(int()?)
    } else if *ty == Type::BOOL {
        Box::new(int()?.map(|i| i != 0))
    } else if *ty == Type::BYTEA {
        Box::new(match cell {
            Cell::Blob(b) => Some(b.clone()),
            Cell::Null => None,
            other => return Err(format!("{other:?} where bytes were expected")),
        })
    } else {
        Box::new(match cell {
            Cell::Text(t) if verbatim_core::storable::holds_nul(t) => {
                return Err(String::from(
                    "it holds the character U+0000 (NUL), which PostgreSQL cannot store",
                ));
            }
            Cell::Text(t) => Some(t.clone()),
            Cell::Int(i) => Some(i.to_string()),
            Cell::Real(r) => Some(r.to_string()),
            Cell::Null => None,
            Cell::Blob(_) => return Err("bytes where text was expected".into()),
        })
    })
}

impl PgStore {
    /// Writes `tables` (read from another study) as a new study at
    /// `address`, whose name must be free, rows and ids as they are.
    pub fn create_copy(address: &PgAddress, tables: &[TableRows]) -> Result<PgStore, StoreError> {
        Self::create_copy_with(address, tables, &[])
    }

    /// Creates the study at `address` from the carried tables of another
    /// and its recordings' bytes, stored in `media_chunks` in the same
    /// transaction (see [`Self::create_copy`]).
    pub fn create_copy_with(
        address: &PgAddress,
        tables: &[TableRows],
        recordings: &[RecordingFile],
    ) -> Result<PgStore, StoreError> {
        let mut client = crate::store::connect(address)?;
        let mut tx = client.transaction().or_server(address)?;
        match tx.batch_execute(&format!("CREATE SCHEMA \"{}\"", address.study())) {
            Err(e) if e.code() == Some(&postgres::error::SqlState::DUPLICATE_SCHEMA) => {
                return Err(StoreError::StudyExists(address.to_string()));
            }
            other => other.or_server(address)?,
        }
        migrate::start(&mut tx).or_server(address)?;
        migrate::apply(&mut tx).or_server(address)?;
        // The consensus row, default levels… come from the study copied.
        for table in SEEDED {
            tx.batch_execute(&format!("DELETE FROM {table}"))
                .or_server(address)?;
        }
        for table in tables {
            let mut table = table.clone();
            if table.table == "codes" || table.table == "guide_questions" {
                table.parents_first("parent");
            }
            insert_rows(&mut tx, address, &table)?;
        }
        for rec in recordings {
            crate::media::store_chunks(&mut tx, &rec.path, &rec.sha256).map_err(|e| match e {
                ReadError::Server(e) => crate::failure::server_error(address, &e),
                ReadError::Store(e) => e,
            })?;
        }
        for table in WITH_IDS {
            tx.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            ))
            .or_server(address)?;
        }
        tx.commit().or_server(address)?;
        drop(client);
        PgStore::open(address)
    }
}

/// Inserts every row of one table, many rows per statement (one round
/// trip per chunk rather than per row).
fn insert_rows(
    tx: &mut Transaction<'_>,
    address: &PgAddress,
    table: &TableRows,
) -> Result<(), StoreError> {
    if !CARRIED.contains(&table.table) {
        return Err(StoreError::Invalid(format!(
            "{} is not a table a copy carries",
            table.table
        )));
    }
    if table.rows.is_empty() {
        return Ok(());
    }
    let width = table.columns.len();
    let quoted: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect();
    let head = format!(
        "INSERT INTO {} ({}) VALUES ",
        table.table,
        quoted.join(", ")
    );
    let values = |rows: usize| -> String {
        (0..rows)
            .map(|r| {
                let marks: Vec<String> =
                    (1..=width).map(|c| format!("${}", r * width + c)).collect();
                format!("({})", marks.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The column types, from the one-row statement.
    let types = tx
        .prepare(&format!("{head}{}", values(1)))
        .or_server(address)?
        .params()
        .to_vec();
    // PostgreSQL takes at most 65,535 parameters per statement.
    let per_chunk = (60_000 / width.max(1)).clamp(1, 500);
    let id_at = table.columns.iter().position(|c| c == "id");
    for chunk in table.rows.chunks(per_chunk) {
        let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(chunk.len() * width);
        for row in chunk {
            for ((cell, ty), column) in row.iter().zip(&types).zip(&table.columns) {
                params.push(param(cell, ty).map_err(|why| {
                    let which = match id_at.and_then(|i| row.get(i)) {
                        Some(Cell::Int(id)) => format!("row id {id}"),
                        _ => String::from("a row"),
                    };
                    StoreError::Invalid(format!(
                        "the {column} of {which} of table {} cannot be stored on PostgreSQL ({why}), so nothing was copied: correct that row in the study copied (verbatim on the file) and copy again",
                        table.table
                    ))
                })?);
            }
        }
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
        tx.execute(&format!("{head}{}", values(chunk.len())), &refs)
            .or_server(address)?;
    }
    Ok(())
}
