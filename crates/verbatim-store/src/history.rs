//! Row-level change capture: the study's history, undo and redo.
//!
//! Every user action that changes coding data goes through a [`Recorder`],
//! which performs each insert, update and delete itself and keeps the row as
//! it was before and after. The list of changes is stored in the action's
//! audit entry, so the log is the study's history, not a debug trace:
//!
//! - undo applies the changes backwards (delete what was inserted, restore
//!   what was deleted or updated), after checking that every row is still as
//!   the action left it, so an undo never overwrites later work;
//! - redo applies them forwards again, with the same check;
//! - another copy of the study can replay the same entries (a later piece of
//!   work merges offline copies this way).
//!
//! Only tables listed in [`Table`] can be recorded, so no table or column
//! name ever comes from outside the program. Large or derived columns (a
//! source's offset table) are not recorded; they are rebuilt on replay.

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::{StoreError, audit};

/// The tables whose rows user actions change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Table {
    Coders,
    Codes,
    CodeLinks,
    Codings,
    Translations,
    Memos,
    Journal,
    JournalLinks,
    Turns,
    SourceTexts,
    Sources,
    Sites,
    PseudonymScheme,
    Modes,
    Participants,
    Attributes,
    ParticipantValues,
    SourceValues,
    SpeakerMap,
    Consents,
    Guides,
    GuideVersions,
    GuideQuestions,
    SourceGuides,
    ReconciliationDecisions,
    ReconciliationOrigins,
    ConsensusOrigins,
    SourceDone,
    CodeTranslations,
    Media,
    Accounts,
    Invitations,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Coders => "coders",
            Table::Codes => "codes",
            Table::CodeLinks => "code_links",
            Table::Codings => "codings",
            Table::Translations => "translations",
            Table::Memos => "memos",
            Table::Journal => "journal",
            Table::JournalLinks => "journal_links",
            Table::Turns => "turns",
            Table::SourceTexts => "source_texts",
            Table::Sources => "sources",
            Table::Sites => "sites",
            Table::PseudonymScheme => "pseudonym_scheme",
            Table::Modes => "modes",
            Table::Participants => "participants",
            Table::Attributes => "attributes",
            Table::ParticipantValues => "participant_values",
            Table::SourceValues => "source_values",
            Table::SpeakerMap => "speaker_map",
            Table::Consents => "consents",
            Table::Guides => "guides",
            Table::GuideVersions => "guide_versions",
            Table::GuideQuestions => "guide_questions",
            Table::SourceGuides => "source_guides",
            Table::ReconciliationDecisions => "reconciliation_decisions",
            Table::ReconciliationOrigins => "reconciliation_origins",
            Table::ConsensusOrigins => "consensus_origins",
            Table::SourceDone => "source_done",
            Table::CodeTranslations => "code_translations",
            Table::Media => "media",
            Table::Accounts => "accounts",
            Table::Invitations => "invitations",
        }
    }

    /// The columns that identify a row.
    fn key(self) -> &'static [&'static str] {
        match self {
            Table::Turns => &["source_id", "ordinal"],
            Table::SourceTexts => &["source_id"],
            _ => &["id"],
        }
    }

    /// Columns left out of the record (derived, rebuilt on replay).
    fn derived(self) -> &'static [&'static str] {
        match self {
            Table::SourceTexts => &["offsets"],
            _ => &[],
        }
    }
}

/// One row changed by an action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Change {
    table: Table,
    key: Map<String, Json>,
    before: Option<Map<String, Json>>,
    after: Option<Map<String, Json>>,
}

/// Performs and records the row changes of one user action.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    changes: Vec<Change>,
    /// Performs the changes without keeping them (see [`Recorder::forgetful`]).
    forget: bool,
}

impl Recorder {
    /// Returns a recorder that performs row changes but keeps none of them:
    /// its audit entry carries only the summary and cannot be undone. Used
    /// where keeping the rows would keep what the action removes (names
    /// replaced by de-identification, a withdrawn participant's words).
    pub fn forgetful() -> Self {
        Recorder {
            changes: Vec::new(),
            forget: true,
        }
    }

    fn keep(&mut self, change: Change) {
        if !self.forget {
            self.changes.push(change);
        }
    }

    /// Inserts a row and returns its rowid.
    pub fn insert(
        &mut self,
        conn: &Connection,
        table: Table,
        columns: &[(&str, Value)],
    ) -> Result<i64, StoreError> {
        let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            table.name(),
            names.join(", "),
            marks.join(", ")
        );
        conn.prepare_cached(&sql)?
            .execute(params_from_iter(columns.iter().map(|(_, v)| v)))?;
        let rowid = conn.last_insert_rowid();
        let key = key_of_rowid(conn, table, rowid)?;
        let after = read(conn, table, &key)?;
        self.keep(Change {
            table,
            key,
            before: None,
            after,
        });
        Ok(rowid)
    }

    /// Updates columns of the row with the given key.
    pub fn update(
        &mut self,
        conn: &Connection,
        table: Table,
        key: Map<String, Json>,
        columns: &[(&str, Value)],
    ) -> Result<(), StoreError> {
        let before = read(conn, table, &key)?;
        if before.is_none() {
            return Err(StoreError::Corrupt(format!(
                "no {} row {key:?} to update",
                table.name()
            )));
        }
        write_columns(conn, table, &key, columns)?;
        let after = read(conn, table, &key)?;
        self.keep(Change {
            table,
            key,
            before,
            after,
        });
        Ok(())
    }

    /// Deletes the row with the given key, if it exists.
    pub fn delete(
        &mut self,
        conn: &Connection,
        table: Table,
        key: Map<String, Json>,
    ) -> Result<(), StoreError> {
        let before = read(conn, table, &key)?;
        if before.is_none() {
            return Ok(());
        }
        delete_row(conn, table, &key)?;
        self.keep(Change {
            table,
            key,
            before,
            after: None,
        });
        Ok(())
    }

    /// Deletes, recording each, every row of `table` whose id `select`
    /// returns (a `SELECT id FROM … WHERE …` with `$N` parameters).
    pub fn delete_ids(
        &mut self,
        conn: &Connection,
        table: Table,
        select: &str,
        params: impl rusqlite::Params,
    ) -> Result<usize, StoreError> {
        let ids: Vec<i64> = conn
            .prepare_cached(select)?
            .query_map(params, |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in &ids {
            self.delete(conn, table, id_key(*id))?;
        }
        Ok(ids.len())
    }

    /// Appends the action to the audit log with its changes and summary.
    pub fn finish(
        self,
        conn: &Connection,
        actor: &str,
        action: &str,
        target: Option<&str>,
        summary: Json,
    ) -> Result<(), StoreError> {
        if self.forget {
            let data = serde_json::json!({ "summary": summary });
            return audit::append_entry(conn, actor, action, target, &data, false);
        }
        let data = serde_json::json!({ "summary": summary, "changes": self.changes });
        audit::append_entry(conn, actor, action, target, &data, true)
    }
}

impl crate::SqliteStore {
    /// Runs one undoable user action: `change` makes its writes through a
    /// [`Recorder`] inside one transaction and returns its result with the
    /// audit summary; the action is then logged and committed, or nothing
    /// is, if any step fails.
    pub(crate) fn act<T>(
        &mut self,
        actor: &str,
        action: &str,
        target: &str,
        change: impl FnOnce(&rusqlite::Transaction<'_>, &mut Recorder) -> Result<(T, Json), StoreError>,
    ) -> Result<T, StoreError> {
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let (result, summary) = change(&tx, &mut rec)?;
        rec.finish(&tx, actor, action, Some(target), summary)?;
        tx.commit()?;
        Ok(result)
    }
}

/// Returns the key `{"id": id}`.
pub(crate) fn id_key(id: i64) -> Map<String, Json> {
    let mut key = Map::new();
    key.insert("id".into(), Json::from(id));
    key
}

fn key_of_rowid(
    conn: &Connection,
    table: Table,
    rowid: i64,
) -> Result<Map<String, Json>, StoreError> {
    let cols = table.key().join(", ");
    let sql = format!("SELECT {cols} FROM {} WHERE rowid = $1", table.name());
    let mut stmt = conn.prepare_cached(&sql)?;
    let values: Vec<Json> = stmt.query_row([rowid], |row| {
        (0..table.key().len())
            .map(|i| row.get_ref(i).map(to_json))
            .collect()
    })?;
    Ok(table
        .key()
        .iter()
        .map(|k| (*k).to_owned())
        .zip(values)
        .collect())
}

fn where_key(table: Table, first: usize) -> String {
    table
        .key()
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", first + i))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn key_values(table: Table, key: &Map<String, Json>) -> Result<Vec<Value>, StoreError> {
    table
        .key()
        .iter()
        .map(|c| {
            key.get(*c)
                .map(from_json)
                .ok_or_else(|| StoreError::Corrupt(format!("history key lacks {c}")))
        })
        .collect()
}

/// Returns the row with `key` as a JSON object, derived columns left out.
fn read(
    conn: &Connection,
    table: Table,
    key: &Map<String, Json>,
) -> Result<Option<Map<String, Json>>, StoreError> {
    let sql = format!(
        "SELECT * FROM {} WHERE {}",
        table.name(),
        where_key(table, 1)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let row = stmt
        .query_row(params_from_iter(key_values(table, key)?), |row| {
            let mut map = Map::new();
            for (i, name) in names.iter().enumerate() {
                if !table.derived().contains(&name.as_str()) {
                    map.insert(name.clone(), to_json(row.get_ref(i)?));
                }
            }
            Ok(map)
        })
        .optional()?;
    Ok(row)
}

fn write_columns(
    conn: &Connection,
    table: Table,
    key: &Map<String, Json>,
    columns: &[(&str, Value)],
) -> Result<(), StoreError> {
    let sets: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE {}",
        table.name(),
        sets.join(", "),
        where_key(table, columns.len() + 1)
    );
    let mut values: Vec<Value> = columns.iter().map(|(_, v)| v.clone()).collect();
    values.extend(key_values(table, key)?);
    conn.prepare_cached(&sql)?
        .execute(params_from_iter(values))?;
    refresh_derived(conn, table, key)
}

fn delete_row(conn: &Connection, table: Table, key: &Map<String, Json>) -> Result<(), StoreError> {
    let sql = format!("DELETE FROM {} WHERE {}", table.name(), where_key(table, 1));
    conn.prepare_cached(&sql)?
        .execute(params_from_iter(key_values(table, key)?))?;
    Ok(())
}

fn insert_row(conn: &Connection, table: Table, row: &Map<String, Json>) -> Result<(), StoreError> {
    let mut names: Vec<&str> = row.keys().map(String::as_str).collect();
    let mut values: Vec<Value> = row.values().map(from_json).collect();
    if table == Table::SourceTexts {
        // The offset table is derived: write a placeholder, rebuilt below.
        names.push("offsets");
        values.push(Value::Blob(Vec::new()));
    }
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table.name(),
        names.join(", "),
        marks.join(", ")
    );
    conn.prepare_cached(&sql)?
        .execute(params_from_iter(values))?;
    let key: Map<String, Json> = table
        .key()
        .iter()
        .filter_map(|k| row.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect();
    refresh_derived(conn, table, &key)
}

/// Rebuilds derived columns after a replayed write.
fn refresh_derived(
    conn: &Connection,
    table: Table,
    key: &Map<String, Json>,
) -> Result<(), StoreError> {
    if table != Table::SourceTexts {
        return Ok(());
    }
    let id = key_values(table, key)?;
    let text: String = conn.query_row(
        "SELECT text FROM source_texts WHERE source_id = $1",
        params_from_iter(&id),
        |r| r.get(0),
    )?;
    let blob = verbatim_core::OffsetTable::new(&text).to_bytes();
    conn.execute(
        "UPDATE source_texts SET offsets = $1 WHERE source_id = $2",
        rusqlite::params![blob, id.first().cloned().unwrap_or(Value::Null)],
    )?;
    Ok(())
}

fn to_json(value: ValueRef<'_>) -> Json {
    match value {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(i) => Json::from(i),
        ValueRef::Real(f) => Json::from(f),
        ValueRef::Text(t) => Json::from(String::from_utf8_lossy(t).into_owned()),
        // No recorded column holds a blob (derived blobs are left out).
        ValueRef::Blob(_) => Json::Null,
    }
}

fn from_json(value: &Json) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Integer(i64::from(*b)),
        Json::Number(n) => n
            .as_i64()
            .map(Value::Integer)
            .or_else(|| n.as_f64().map(Value::Real))
            .unwrap_or(Value::Null),
        Json::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

/// Which way to replay an action's changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Undo: restore each row as it was before.
    Backward,
    /// Redo or replay: bring each row to its state after.
    Forward,
}

/// Replays `changes` in `direction`, refusing when any row is no longer in
/// the state the replay starts from. Returns the changes as applied, for the
/// undo or redo entry's own record.
pub(crate) fn replay(
    conn: &Connection,
    changes: &[Change],
    direction: Direction,
) -> Result<Vec<Change>, String> {
    let ordered: Vec<&Change> = match direction {
        Direction::Backward => changes.iter().rev().collect(),
        Direction::Forward => changes.iter().collect(),
    };
    let mut applied = Vec::new();
    for change in ordered {
        let (from, to) = match direction {
            Direction::Backward => (&change.after, &change.before),
            Direction::Forward => (&change.before, &change.after),
        };
        let current = read(conn, change.table, &change.key).map_err(|e| e.to_string())?;
        if &current != from {
            return Err(crate::rules::row_changed(change.table.name(), &change.key));
        }
        let result = match (from, to) {
            (Some(_), None) => delete_row(conn, change.table, &change.key),
            (None, Some(row)) => insert_row(conn, change.table, row),
            (Some(_), Some(row)) => {
                let columns: Vec<(&str, Value)> = row
                    .iter()
                    .map(|(c, v)| (c.as_str(), from_json(v)))
                    .collect();
                write_columns(conn, change.table, &change.key, &columns)
            }
            (None, None) => Ok(()),
        };
        result.map_err(|e| e.to_string())?;
        applied.push(Change {
            table: change.table,
            key: change.key.clone(),
            before: from.clone(),
            after: to.clone(),
        });
    }
    Ok(applied)
}

/// Returns the changes recorded in an audit entry's data, if it has any.
pub(crate) fn changes_of(data: &Json) -> Option<Vec<Change>> {
    serde_json::from_value(data.get("changes")?.clone()).ok()
}
