//! Row changes recorded into the action's audit entry, as SQLite's
//! `history::Recorder` records them: `{"summary": …, "changes": [{"table",
//! "key": {"id": N}, "before", "after"}]}` with each row as a JSON object
//! of its columns. The columns and types follow SQLite's (migration 0003),
//! so an entry reads the same on both backends and undo can replay it.
//!
//! Table names are constants of this crate, never text from outside.

use postgres::Transaction;
use postgres::types::ToSql;
use serde_json::{Map, Value as Json, json};
use verbatim_store::StoreError;

use crate::reads::ReadError;
use crate::{PgStore, audit};

/// A column name and its value, for an insert.
pub(crate) type Column<'a> = (&'a str, &'a (dyn ToSql + Sync));

/// Performs and records the row changes of one user action.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    changes: Vec<Json>,
    /// Performs the changes without keeping them (see [`Recorder::forgetful`]).
    forget: bool,
}

impl Recorder {
    /// Returns a recorder that performs row changes but keeps none: its
    /// entry carries only the summary and cannot be undone, as SQLite's
    /// forgetful recorder (account changes: an undo would bring a
    /// password back).
    pub fn forgetful() -> Self {
        Recorder {
            changes: Vec::new(),
            forget: true,
        }
    }

    /// Inserts a row and returns its id.
    pub fn insert(
        &mut self,
        tx: &mut Transaction<'_>,
        table: &'static str,
        columns: &[Column<'_>],
    ) -> Result<i64, postgres::Error> {
        self.insert_unless(tx, table, columns, "")
            .map(|id| id.unwrap_or_default())
    }

    /// Inserts a row unless it conflicts with an existing one on the
    /// columns `conflict` lists (`"(a, b)"`), and returns its id; `None`
    /// when it conflicted (nothing recorded). An empty `conflict` inserts.
    pub fn insert_unless(
        &mut self,
        tx: &mut Transaction<'_>,
        table: &'static str,
        columns: &[Column<'_>],
        conflict: &'static str,
    ) -> Result<Option<i64>, postgres::Error> {
        let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let on_conflict = if conflict.is_empty() {
            String::new()
        } else {
            format!(" ON CONFLICT {conflict} DO NOTHING")
        };
        let sql = format!(
            "WITH row AS (INSERT INTO {table} ({}) VALUES ({}){on_conflict} RETURNING *) \
             SELECT id, row_to_json(row)::text FROM row",
            names.join(", "),
            marks.join(", ")
        );
        let values: Vec<&(dyn ToSql + Sync)> = columns.iter().map(|(_, v)| *v).collect();
        let Some(row) = tx.query_opt(&sql, &values)? else {
            return Ok(None);
        };
        let id: i64 = row.try_get(0)?;
        self.keep(table, id, None, Some(row.try_get(1)?));
        Ok(Some(id))
    }

    /// Deletes the row with this id, if it exists.
    pub fn delete(
        &mut self,
        tx: &mut Transaction<'_>,
        table: &'static str,
        id: i64,
    ) -> Result<(), postgres::Error> {
        let sql = format!(
            "WITH row AS (DELETE FROM {table} WHERE id = $1 RETURNING *) \
             SELECT row_to_json(row)::text FROM row"
        );
        if let Some(row) = tx.query_opt(&sql, &[&id])? {
            self.keep(table, id, Some(row.try_get(0)?), None);
        }
        Ok(())
    }

    /// Sets columns of the row with this id (locked first), recording it
    /// before and after.
    pub fn update(
        &mut self,
        tx: &mut Transaction<'_>,
        table: &'static str,
        id: i64,
        columns: &[Column<'_>],
    ) -> Result<(), postgres::Error> {
        let read = format!("SELECT row_to_json(t)::text FROM {table} t WHERE id = $1 FOR UPDATE");
        let Some(before) = tx.query_opt(&read, &[&id])? else {
            return Ok(());
        };
        let sets: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ${}", i + 2))
            .collect();
        let sql = format!(
            "WITH row AS (UPDATE {table} SET {} WHERE id = $1 RETURNING *) \
             SELECT row_to_json(row)::text FROM row",
            sets.join(", ")
        );
        let mut values: Vec<&(dyn ToSql + Sync)> = vec![&id];
        values.extend(columns.iter().map(|(_, v)| *v));
        let after = tx.query_one(&sql, &values)?;
        self.keep(table, id, Some(before.try_get(0)?), Some(after.try_get(0)?));
        Ok(())
    }

    /// Sets one text column of the row with this id, keeping the row as it
    /// was before and after.
    pub fn update_text(
        &mut self,
        tx: &mut Transaction<'_>,
        table: &'static str,
        id: i64,
        column: &'static str,
        value: &str,
    ) -> Result<(), postgres::Error> {
        self.update(tx, table, id, &[(column, &value)])
    }

    /// Sets one text column of the turn `ordinal` of `source` (locked
    /// first), keeping it before and after under the turn's key.
    pub fn update_turn_text(
        &mut self,
        tx: &mut Transaction<'_>,
        (source, ordinal): (i64, i64),
        column: &'static str,
        value: &str,
    ) -> Result<(), postgres::Error> {
        let key = [("source_id", source), ("ordinal", ordinal)];
        self.update_keyed(tx, "turns", &key, &[(column, &value)])
    }

    /// Sets columns of the row whose key columns hold these numbers
    /// (locked first; a table without an `id`, as `turns` or
    /// `source_texts`), keeping it before and after under that key.
    pub fn update_keyed(
        &mut self,
        tx: &mut Transaction<'_>,
        table: &'static str,
        key: &[(&'static str, i64)],
        columns: &[Column<'_>],
    ) -> Result<(), postgres::Error> {
        let where_: Vec<String> = key
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
            .collect();
        let where_ = where_.join(" AND ");
        let keys: Vec<&(dyn ToSql + Sync)> = key.iter().map(|(_, v)| v as _).collect();
        let read = format!("SELECT row_to_json(t)::text FROM {table} t WHERE {where_} FOR UPDATE");
        let Some(before) = tx.query_opt(&read, &keys)? else {
            return Ok(());
        };
        let sets: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ${}", i + 1 + key.len()))
            .collect();
        let sql = format!(
            "WITH row AS (UPDATE {table} SET {} WHERE {where_} RETURNING *) \
             SELECT row_to_json(row)::text FROM row",
            sets.join(", ")
        );
        let mut values = keys;
        values.extend(columns.iter().map(|(_, v)| *v));
        let after = tx.query_one(&sql, &values)?;
        self.keep_keyed(
            table,
            key_json(key),
            Some(before.try_get(0)?),
            Some(after.try_get(0)?),
        );
        Ok(())
    }

    /// Inserts a row of a table without an `id` (`turns`), keeping it
    /// under the key columns `key` names.
    pub fn insert_keyed(
        &mut self,
        tx: &mut Transaction<'_>,
        table: &'static str,
        key: &[&'static str],
        columns: &[Column<'_>],
    ) -> Result<(), postgres::Error> {
        let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "WITH row AS (INSERT INTO {table} ({}) VALUES ({}) RETURNING *) \
             SELECT row_to_json(row)::text FROM row",
            names.join(", "),
            marks.join(", ")
        );
        let values: Vec<&(dyn ToSql + Sync)> = columns.iter().map(|(_, v)| *v).collect();
        let row: String = tx.query_one(&sql, &values)?.try_get(0)?;
        let object: Map<String, Json> = serde_json::from_str(&row).unwrap_or_default();
        let mut keyed = Map::new();
        for k in key {
            keyed.insert(
                (*k).to_owned(),
                object.get(*k).cloned().unwrap_or(Json::Null),
            );
        }
        self.keep_keyed(table, Json::Object(keyed), None, Some(&row));
        Ok(())
    }

    /// Deletes the row whose key columns hold `key` (a turn, a source's
    /// text), if it exists, keeping it under that key.
    pub fn delete_keyed(
        &mut self,
        tx: &mut Transaction<'_>,
        table: &'static str,
        key: &[(&'static str, i64)],
    ) -> Result<(), postgres::Error> {
        let conditions: Vec<String> = key
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
            .collect();
        let sql = format!(
            "WITH row AS (DELETE FROM {table} WHERE {} RETURNING *) \
             SELECT row_to_json(row)::text FROM row",
            conditions.join(" AND ")
        );
        let values: Vec<&(dyn ToSql + Sync)> =
            key.iter().map(|(_, v)| v as &(dyn ToSql + Sync)).collect();
        if let Some(row) = tx.query_opt(&sql, &values)? {
            self.keep_keyed(table, key_json(key), Some(row.try_get(0)?), None);
        }
        Ok(())
    }

    /// Records a row the caller inserted itself (several rows in one
    /// statement), given as its JSON object text.
    pub fn inserted(&mut self, table: &'static str, id: i64, row: &str) {
        self.keep(table, id, None, Some(row));
    }

    fn keep(&mut self, table: &str, id: i64, before: Option<&str>, after: Option<&str>) {
        self.keep_keyed(table, json!({ "id": id }), before, after);
    }

    fn keep_keyed(&mut self, table: &str, key: Json, before: Option<&str>, after: Option<&str>) {
        if self.forget {
            return;
        }
        let object = |text: Option<&str>| -> Json {
            text.and_then(|t| serde_json::from_str::<Map<String, Json>>(t).ok())
                .map_or(Json::Null, Json::Object)
        };
        self.changes.push(json!({
            "table": table,
            "key": key,
            "before": object(before),
            "after": object(after),
        }));
    }

    /// Appends the action to the audit log with its changes and summary.
    pub fn finish(
        self,
        tx: &mut Transaction<'_>,
        actor: &str,
        action: &str,
        target: Option<&str>,
        summary: Json,
    ) -> Result<(), postgres::Error> {
        if self.forget {
            return audit::append_entry(
                tx,
                actor,
                action,
                target,
                &json!({ "summary": summary }),
                false,
            );
        }
        let data = json!({ "summary": summary, "changes": self.changes });
        audit::append_entry(tx, actor, action, target, &data, true)
    }
}

/// Returns a row's key, its columns' names and values, as JSON.
fn key_json(key: &[(&'static str, i64)]) -> Json {
    Json::Object(
        key.iter()
            .map(|(c, v)| ((*c).to_owned(), json!(v)))
            .collect(),
    )
}

/// Returns true when the server refused a row for breaking a unique key.
pub(crate) fn is_unique_violation(e: &postgres::Error) -> bool {
    e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
}

/// What one action's change returns: its result, the audit entry's target
/// and its summary.
pub(crate) type Acted<T> = (T, Option<String>, Json);

impl PgStore {
    /// Runs one user action in one server transaction: `change` checks and
    /// writes through the recorder, then the action is appended to the
    /// audit log and committed. A refusal or failure rolls everything back.
    pub(crate) fn act<T>(
        &self,
        actor: &str,
        action: &str,
        change: impl FnOnce(&mut Transaction<'_>, &mut Recorder) -> Result<Acted<T>, ReadError>,
    ) -> Result<T, StoreError> {
        let mut client = self.client();
        let run = || -> Result<T, ReadError> {
            let mut tx = client.transaction()?;
            let mut rec = Recorder::default();
            let (result, target, summary) = change(&mut tx, &mut rec)?;
            rec.finish(&mut tx, actor, action, target.as_deref(), summary)?;
            tx.commit()?;
            Ok(result)
        };
        run().map_err(|e| self.read_error(e))
    }
}
