//! Undo and redo on PostgreSQL: the generic replay of an action's recorded
//! `changes`, as SQLite's `history::replay` does it. Each row must still be
//! as the action left it (read `FOR UPDATE`, so a concurrent writer waits
//! or is refused), then it is deleted, re-inserted or rewritten from its
//! JSON record with `json_populate_record`, so one statement per table
//! serves every column type. The stacks and the refusals are
//! `verbatim_store::rules`', so both backends refuse with one sentence.
//!
//! One actor's undo and redo run one at a time (a transaction-scoped
//! advisory lock on the study and actor), so two processes undoing for
//! the same coder never replay one entry twice. Table and column names
//! come from the recorded entry, so they are checked against the study's
//! own tables and columns (never the audit log or the study's settings)
//! and quoted before they reach SQL; a row is found by its recorded key
//! (`id`, or `source_id` and `ordinal` for turns), whatever the table.

use std::collections::HashMap;

use postgres::Transaction;
use serde_json::{Map, Value as Json};
use verbatim_store::rules::{self, Logged};
use verbatim_store::{History, Replayed, StoreError};

use crate::failure::OrServer;
use crate::record::is_unique_violation;
use crate::{PgStore, audit};

/// Tables no action records: replaying into them is refused.
const NEVER: &[&str] = &["audit", "study", "verbatim_migrations"];

/// Why a replay step failed: the rows moved on, a table this study does
/// not have, or the server failed.
enum Stop {
    Changed(String),
    Foreign(String),
    Server(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for Stop {
    fn from(e: postgres::Error) -> Self {
        Stop::Server(e)
    }
}

/// One recorded row change, read from an audit entry.
struct Change {
    table: String,
    key: Map<String, Json>,
    before: Option<Map<String, Json>>,
    after: Option<Map<String, Json>>,
}

impl History for PgStore {
    fn undo(&mut self, actor: &str, steps: usize) -> Result<Vec<Replayed>, StoreError> {
        self.replay_steps(actor, steps, true)
    }

    fn redo(&mut self, actor: &str, steps: usize) -> Result<Vec<Replayed>, StoreError> {
        self.replay_steps(actor, steps, false)
    }
}

impl PgStore {
    fn replay_steps(
        &mut self,
        actor: &str,
        steps: usize,
        undo: bool,
    ) -> Result<Vec<Replayed>, StoreError> {
        let mut out = Vec::new();
        for _ in 0..steps {
            match self.replay_one(actor, undo)? {
                Some(done) => out.push(done),
                None if out.is_empty() => return Err(rules::nothing_to(undo, actor)),
                None => break,
            }
        }
        Ok(out)
    }

    /// Undoes (or redoes) the actor's next entry in one transaction;
    /// `None` when their stack is empty.
    fn replay_one(&mut self, actor: &str, undo: bool) -> Result<Option<Replayed>, StoreError> {
        crate::lookup::by_name(actor, || self.replay_locked(actor, undo))
    }

    /// `replay_one` for an actor who may have entries, under the lock of
    /// their history.
    fn replay_locked(&mut self, actor: &str, undo: bool) -> Result<Option<Replayed>, StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/history/' || $1))",
            &[&actor],
        )
        .or_server(&address)?;
        let (done, undone) = rules::undo_stacks(&logged(&mut tx, actor).or_server(&address)?);
        let next = if undo { done.last() } else { undone.last() };
        let Some(entry) = next.cloned() else {
            return Ok(None);
        };
        let row = tx
            .query_one("SELECT action, data FROM audit WHERE id = $1", &[&entry])
            .or_server(&address)?;
        let action: String = row.try_get(0).or_server(&address)?;
        let data: String = row.try_get(1).or_server(&address)?;
        let data: Json = serde_json::from_str(&data)
            .map_err(|e| StoreError::Corrupt(format!("audit entry {entry}: {e}")))?;
        rules::withdraw::refuse_withdrawn(undo, &action, &data)?;
        let changes = changes_of(&data)
            .ok_or_else(|| StoreError::Corrupt(format!("audit entry {entry} has no changes")))?;
        let applied = match replay(&mut tx, &changes, undo) {
            Err(Stop::Foreign(table)) => {
                return Err(StoreError::History(format!(
                    "cannot {} {action}: it changed {table} rows, which a PostgreSQL study does not hold yet",
                    if undo { "undo" } else { "redo" }
                )));
            }
            Ok(applied) => applied,
            Err(Stop::Changed(why)) => return Err(rules::replay_refused(undo, &action, &why)),
            Err(Stop::Server(e)) => return Err(crate::failure::server_error(&address, &e)),
            Err(Stop::Store(e)) => return Err(e),
        };
        let summary = data.get("summary").cloned().unwrap_or(Json::Null);
        audit::append_entry(
            &mut tx,
            actor,
            if undo { "history.undo" } else { "history.redo" },
            Some(&format!("audit:{entry}")),
            &serde_json::json!({ "action": action, "summary": summary, "changes": applied }),
            true,
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(Some(Replayed {
            entry,
            action,
            summary,
        }))
    }
}

/// Returns the actor's undoable entries and journal seals, in log order.
fn logged(tx: &mut Transaction<'_>, actor: &str) -> Result<Vec<Logged>, postgres::Error> {
    tx.query(
        "SELECT id, action, target, undoable FROM audit \
         WHERE actor = $1 AND (undoable OR action = 'journal.seal') ORDER BY id",
        &[&actor],
    )?
    .iter()
    .map(|r| {
        Ok(Logged {
            id: r.try_get(0)?,
            action: r.try_get(1)?,
            target: r.try_get(2)?,
            undoable: r.try_get(3)?,
        })
    })
    .collect()
}

/// Returns the changes an entry recorded.
fn changes_of(data: &Json) -> Option<Vec<Change>> {
    let object = |v: Option<&Json>| v.and_then(Json::as_object).cloned();
    data.get("changes")?
        .as_array()?
        .iter()
        .map(|c| {
            Some(Change {
                table: c.get("table")?.as_str()?.to_owned(),
                key: object(c.get("key")).filter(|k| !k.is_empty())?,
                before: object(c.get("before")),
                after: object(c.get("after")),
            })
        })
        .collect()
}

/// The study's tables a replay may write, each with its columns.
#[derive(Default)]
struct Catalog(HashMap<String, Vec<String>>);

impl Catalog {
    /// Returns the table's columns, refusing a table the study lacks or
    /// one no action records.
    fn columns(&mut self, tx: &mut Transaction<'_>, table: &str) -> Result<&[String], Stop> {
        if !self.0.contains_key(table) {
            let known: Vec<String> = tx
                .query(
                    "SELECT column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                    &[&table],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
            if known.is_empty() || NEVER.contains(&table) {
                return Err(Stop::Foreign(table.to_owned()));
            }
            self.0.insert(table.to_owned(), known);
        }
        Ok(&self.0[table])
    }

    /// Returns the quoted names of `row`'s columns, each checked to be one
    /// of the table's.
    fn names(
        &mut self,
        tx: &mut Transaction<'_>,
        table: &str,
        row: &Map<String, Json>,
    ) -> Result<Vec<String>, Stop> {
        let known = self.columns(tx, table)?;
        row.keys()
            .map(|c| {
                if known.iter().any(|k| k == c) {
                    Ok(format!("\"{c}\""))
                } else {
                    Err(Stop::Store(StoreError::Corrupt(format!(
                        "a recorded {table} row names an unknown column {c:?}"
                    ))))
                }
            })
            .collect()
    }
}

/// Replays `changes` backwards (`undo`) or forwards, refusing when a row is
/// no longer in the state the replay starts from; returns the changes as
/// applied, in the shape SQLite records them.
fn replay(tx: &mut Transaction<'_>, changes: &[Change], undo: bool) -> Result<Vec<Json>, Stop> {
    let ordered: Vec<&Change> = if undo {
        changes.iter().rev().collect()
    } else {
        changes.iter().collect()
    };
    let mut catalog = Catalog::default();
    let mut applied = Vec::with_capacity(changes.len());
    for change in ordered {
        // The row must be as the action (or its last replay) left it.
        let (from, to) = if undo {
            (&change.after, &change.before)
        } else {
            (&change.before, &change.after)
        };
        let row = Row::new(&mut catalog, tx, change)?;
        if &row.current(tx)? != from {
            return Err(row.changed());
        }
        match (from, to) {
            (Some(_), None) => row.delete(tx)?,
            (None, Some(values)) => row.insert(&mut catalog, tx, values)?,
            (Some(_), Some(values)) => row.update(&mut catalog, tx, values)?,
            (None, None) => {}
        }
        applied.push(serde_json::json!({
            "table": change.table, "key": change.key, "before": from, "after": to,
        }));
    }
    Ok(applied)
}

/// One recorded row, found by its key: `t` is the table, `k` the key's
/// values typed by `json_populate_record`.
struct Row<'a> {
    change: &'a Change,
    table: String,
    matches: String,
    key: String,
}

impl<'a> Row<'a> {
    fn new(
        catalog: &mut Catalog,
        tx: &mut Transaction<'_>,
        change: &'a Change,
    ) -> Result<Self, Stop> {
        let matches = catalog
            .names(tx, &change.table, &change.key)?
            .iter()
            .map(|c| format!("t.{c} = k.{c}"))
            .collect::<Vec<_>>()
            .join(" AND ");
        Ok(Row {
            change,
            table: format!("\"{}\"", change.table),
            matches,
            key: Json::Object(change.key.clone()).to_string(),
        })
    }

    fn changed(&self) -> Stop {
        Stop::Changed(rules::row_changed(&self.change.table, &self.change.key))
    }

    /// Returns the row as it is now, locked until the transaction ends.
    fn current(&self, tx: &mut Transaction<'_>) -> Result<Option<Map<String, Json>>, Stop> {
        let sql = format!(
            "SELECT row_to_json(t)::text FROM {table} t, \
             json_populate_record(NULL::{table}, $1::text::json) k WHERE {} FOR UPDATE OF t",
            self.matches,
            table = self.table
        );
        let Some(found) = tx.query_opt(&sql, &[&self.key])? else {
            return Ok(None);
        };
        let text: String = found.try_get(0)?;
        serde_json::from_str(&text).map(Some).map_err(|e| {
            Stop::Store(StoreError::Corrupt(format!(
                "{} row: {e}",
                self.change.table
            )))
        })
    }

    fn delete(&self, tx: &mut Transaction<'_>) -> Result<(), Stop> {
        let sql = format!(
            "DELETE FROM {table} t USING json_populate_record(NULL::{table}, $1::text::json) k \
             WHERE {}",
            self.matches,
            table = self.table
        );
        tx.execute(&sql, &[&self.key])?;
        Ok(())
    }

    fn insert(
        &self,
        catalog: &mut Catalog,
        tx: &mut Transaction<'_>,
        values: &Map<String, Json>,
    ) -> Result<(), Stop> {
        let names = catalog.names(tx, &self.change.table, values)?.join(", ");
        let sql = format!(
            "INSERT INTO {table} ({names}) SELECT {names} \
             FROM json_populate_record(NULL::{table}, $1::text::json)",
            table = self.table
        );
        let row = Json::Object(values.clone()).to_string();
        self.unless_taken(tx.execute(&sql, &[&row]))
    }

    fn update(
        &self,
        catalog: &mut Catalog,
        tx: &mut Transaction<'_>,
        values: &Map<String, Json>,
    ) -> Result<(), Stop> {
        let sets: Vec<String> = catalog
            .names(tx, &self.change.table, values)?
            .iter()
            .map(|c| format!("{c} = r.{c}"))
            .collect();
        let sql = format!(
            "UPDATE {table} t SET {} FROM json_populate_record(NULL::{table}, $1::text::json) r, \
             json_populate_record(NULL::{table}, $2::text::json) k WHERE {}",
            sets.join(", "),
            self.matches,
            table = self.table
        );
        let row = Json::Object(values.clone()).to_string();
        self.unless_taken(tx.execute(&sql, &[&row, &self.key]))
    }

    /// A unique key tripped by the write: another row took its name or
    /// passage meanwhile, which reads as the row having changed.
    fn unless_taken(&self, done: Result<u64, postgres::Error>) -> Result<(), Stop> {
        match done {
            Err(e) if is_unique_violation(&e) => Err(self.changed()),
            other => other.map(drop).map_err(Stop::Server),
        }
    }
}
