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
//! come from the recorded entry but are checked against [`TABLES`] and the
//! table's own columns before they reach SQL.

use postgres::Transaction;
use serde_json::{Map, Value as Json};
use verbatim_store::rules::{self, Logged};
use verbatim_store::{History, Replayed, StoreError};

use crate::failure::OrServer;
use crate::record::is_unique_violation;
use crate::{PgStore, audit};

/// The tables an action may record rows of on PostgreSQL (key `id`).
const TABLES: &[&str] = &[
    "coders",
    "codes",
    "code_links",
    "codings",
    "reconciliation_decisions",
    "reconciliation_origins",
    "consensus_origins",
];

/// Why a replay step failed: the rows moved on, or the server failed.
enum Stop {
    Changed(String),
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
    table: &'static str,
    key: Map<String, Json>,
    id: i64,
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
        let changes = changes_of(&data)
            .ok_or_else(|| StoreError::Corrupt(format!("audit entry {entry} has no changes")))?;
        let applied = match replay(&mut tx, &changes, undo) {
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

/// Returns the changes an entry recorded, each on a table of [`TABLES`].
fn changes_of(data: &Json) -> Option<Vec<Change>> {
    let object = |v: Option<&Json>| v.and_then(Json::as_object).cloned();
    data.get("changes")?
        .as_array()?
        .iter()
        .map(|c| {
            let named = c.get("table")?.as_str()?;
            let table = *TABLES.iter().find(|t| **t == named)?;
            let key = object(c.get("key"))?;
            let id = key.get("id")?.as_i64()?;
            Some(Change {
                table,
                key,
                id,
                before: object(c.get("before")),
                after: object(c.get("after")),
            })
        })
        .collect()
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
    let mut applied = Vec::with_capacity(changes.len());
    for change in ordered {
        // The row must be as the action (or its last replay) left it.
        let (from, to) = if undo {
            (&change.after, &change.before)
        } else {
            (&change.before, &change.after)
        };
        let current = current(tx, change)?;
        if &current != from {
            return Err(Stop::Changed(rules::row_changed(change.table, &change.key)));
        }
        match (from, to) {
            (Some(_), None) => {
                tx.execute(
                    &format!("DELETE FROM {} WHERE id = $1", change.table),
                    &[&change.id],
                )?;
            }
            (None, Some(row)) => insert(tx, change, row)?,
            (Some(_), Some(row)) => update(tx, change, row)?,
            (None, None) => {}
        }
        applied.push(serde_json::json!({
            "table": change.table, "key": change.key, "before": from, "after": to,
        }));
    }
    Ok(applied)
}

/// Returns the row as it is now, locked until the transaction ends.
fn current(tx: &mut Transaction<'_>, change: &Change) -> Result<Option<Map<String, Json>>, Stop> {
    let sql = format!(
        "SELECT row_to_json(t)::text FROM {} t WHERE id = $1 FOR UPDATE",
        change.table
    );
    let Some(row) = tx.query_opt(&sql, &[&change.id])? else {
        return Ok(None);
    };
    let text: String = row.try_get(0)?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Stop::Store(StoreError::Corrupt(format!("{} row: {e}", change.table))))
}

/// Returns the row's column names, each checked to be one of the table's.
fn columns<'a>(
    tx: &mut Transaction<'_>,
    change: &Change,
    row: &'a Map<String, Json>,
) -> Result<Vec<&'a str>, Stop> {
    let known: Vec<String> = tx
        .query(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1",
            &[&change.table],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    row.keys()
        .map(|c| {
            if known.iter().any(|k| k == c) {
                Ok(c.as_str())
            } else {
                Err(Stop::Store(StoreError::Corrupt(format!(
                    "a recorded {} row names an unknown column {c:?}",
                    change.table
                ))))
            }
        })
        .collect()
}

fn insert(tx: &mut Transaction<'_>, change: &Change, row: &Map<String, Json>) -> Result<(), Stop> {
    let names = columns(tx, change, row)?.join(", ");
    let sql = format!(
        "INSERT INTO {table} ({names}) SELECT {names} \
         FROM json_populate_record(NULL::{table}, $1::text::json)",
        table = change.table
    );
    match tx.execute(&sql, &[&Json::Object(row.clone()).to_string()]) {
        // Another row took its unique name or passage meanwhile.
        Err(e) if is_unique_violation(&e) => {
            Err(Stop::Changed(rules::row_changed(change.table, &change.key)))
        }
        other => other.map(drop).map_err(Stop::Server),
    }
}

fn update(tx: &mut Transaction<'_>, change: &Change, row: &Map<String, Json>) -> Result<(), Stop> {
    let sets: Vec<String> = columns(tx, change, row)?
        .iter()
        .map(|c| format!("{c} = r.{c}"))
        .collect();
    let sql = format!(
        "UPDATE {table} t SET {} FROM json_populate_record(NULL::{table}, $1::text::json) r \
         WHERE t.id = $2",
        sets.join(", "),
        table = change.table
    );
    match tx.execute(&sql, &[&Json::Object(row.clone()).to_string(), &change.id]) {
        Err(e) if is_unique_violation(&e) => {
            Err(Stop::Changed(rules::row_changed(change.table, &change.key)))
        }
        other => other.map(drop).map_err(Stop::Server),
    }
}
