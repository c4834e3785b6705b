//! The append-only audit log: who did what, when.
//!
//! Each entry has a UUIDv7 id (globally unique and time-ordered, so logs of
//! two copies of a study can later be merged) and a JSON payload that
//! describes the change well enough to replay or invert it.

use rusqlite::{Connection, params};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::StoreError;

/// One change recorded in the study's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// The UUIDv7 id.
    pub id: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What kind of change (`study.create`, `source.import`).
    pub action: String,
    /// What it touched (`source:12`).
    pub target: Option<String>,
    /// The change's data (JSON).
    pub data: serde_json::Value,
    /// The team server account that made the change (`serve --team`);
    /// none from the command line or a local server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// Returns the current time as RFC 3339 text.
pub(crate) fn now() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| String::from("unknown"))
}

/// Appends one entry inside the caller's transaction.
pub(crate) fn append(
    conn: &Connection,
    actor: &str,
    action: &str,
    target: Option<&str>,
    data: &serde_json::Value,
) -> Result<(), StoreError> {
    append_entry(conn, actor, action, target, data, false)
}

/// Appends one entry, marked undoable when it records row changes that
/// belong on its actor's undo stack.
pub(crate) fn append_entry(
    conn: &Connection,
    actor: &str,
    action: &str,
    target: Option<&str>,
    data: &serde_json::Value,
    undoable: bool,
) -> Result<(), StoreError> {
    prepare_acting(conn)?;
    conn.prepare_cached(
        "INSERT INTO audit (id, at, actor, action, target, data, undoable, account) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT name FROM temp.acting_account))",
    )?
    .execute(params![
        uuid::Uuid::now_v7().to_string(),
        now(),
        actor,
        action,
        target,
        data.to_string(),
        undoable
    ])?;
    Ok(())
}

/// Creates the connection's table naming the account acting (see
/// [`crate::SqliteStore::act_as_account`]); a `TEMP` table lives with the
/// connection only, never in the study file.
pub(crate) fn prepare_acting(conn: &Connection) -> Result<(), StoreError> {
    conn.prepare_cached("CREATE TEMP TABLE IF NOT EXISTS acting_account (name TEXT NOT NULL)")?
        .execute([])?;
    Ok(())
}

impl crate::SqliteStore {
    /// Names the team server account behind the changes this connection
    /// makes from now on (`None`: no account), so every audit entry
    /// records it beside the actor, whichever function writes it.
    pub fn act_as_account(&self, account: Option<&str>) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM temp.acting_account")?
            .execute([])?;
        if let Some(name) = account {
            self.conn
                .prepare_cached("INSERT INTO temp.acting_account (name) VALUES ($1)")?
                .execute([name])?;
        }
        Ok(())
    }

    /// Returns the study's change counter: the row number of the newest
    /// audit entry (0 for none). Every write appends an entry and the log
    /// is append-only, so the counter grows with each change, whoever
    /// makes it (another process included); caches of study-wide results
    /// keep the counter they were computed at. One index lookup.
    pub fn change_counter(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT IFNULL(max(rowid), 0) FROM audit", [], |r| r.get(0))?)
    }

    /// Returns true when an action after change `since` (see
    /// [`Self::change_counter`]) may have changed a source's text, turns
    /// or columns, or the study's settings: anything but an action whose
    /// recorded changes all lie in other tables. Search indexes use it to
    /// skip their comparison with the study after, say, a coding.
    pub fn sources_may_have_changed(&self, since: i64) -> Result<bool, StoreError> {
        self.tables_may_have_changed(since, crate::boundary::TRANSCRIPT_TABLES)
    }

    /// Returns true when an action after change `since` may have changed
    /// a row of one of `tables`: an action that recorded a change there,
    /// or one that recorded no list of changes (which may have changed
    /// anything). Caches of study-wide results name the tables they read,
    /// so a coding does not throw away, say, the list of sources.
    pub fn tables_may_have_changed(&self, since: i64, tables: &[&str]) -> Result<bool, StoreError> {
        let names = serde_json::Value::from(tables.to_vec()).to_string();
        let touching: i64 = self.conn.query_row(
            "SELECT count(*) FROM audit a WHERE a.rowid > $1 AND ( \
               json_type(a.data, '$.changes') IS NOT 'array' OR EXISTS ( \
                 SELECT 1 FROM json_each(a.data, '$.changes') c \
                 WHERE json_extract(c.value, '$.table') IN (SELECT value FROM json_each($2))))",
            params![since, names],
            |r| r.get(0),
        )?;
        Ok(touching > 0)
    }
}

/// Returns the newest `limit` entries, newest first.
pub(crate) fn recent(conn: &Connection, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, target, data, account FROM audit ORDER BY id DESC LIMIT $1",
    )?;
    let rows = stmt.query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
        let data: String = row.get(5)?;
        Ok(AuditEntry {
            id: row.get(0)?,
            at: row.get(1)?,
            actor: row.get(2)?,
            action: row.get(3)?,
            target: row.get(4)?,
            data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
            account: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use crate::testkit::{fixture, span_of};
    use crate::{Book, NewCode};

    #[test]
    fn the_change_counter_tells_source_writes_from_others() {
        let mut f = fixture();
        let start = f.store.change_counter().unwrap();
        // Created, two coders added, one import: four entries.
        assert_eq!(start, 4);
        // The import itself (an entry without row changes) counts as one.
        assert!(f.store.sources_may_have_changed(start - 1).unwrap());
        assert!(!f.store.sources_may_have_changed(start).unwrap());
        let amira = f.store.scope("amira", false, false).unwrap();
        let code = f
            .store
            .add_code(
                &amira,
                &NewCode {
                    name: "Confiance".into(),
                    book: Some(Book::Own),
                    ..NewCode::default()
                },
            )
            .unwrap();
        f.store
            .add_coding(&amira, f.source, span_of("La confiance"), code, None)
            .unwrap();
        let coded = f.store.change_counter().unwrap();
        assert_eq!(coded, start + 2);
        assert!(!f.store.sources_may_have_changed(start).unwrap());
        f.store
            .edit_source(&amira, f.source, span_of("lentement"), "vite")
            .unwrap();
        assert_eq!(f.store.change_counter().unwrap(), coded + 1);
        assert!(f.store.sources_may_have_changed(coded).unwrap());
    }

    #[test]
    fn a_cache_is_kept_when_no_write_touched_the_tables_it_read() {
        let mut f = fixture();
        let start = f.store.change_counter().unwrap();
        let amira = f.store.scope("amira", false, false).unwrap();
        let code = f
            .store
            .add_code(
                &amira,
                &NewCode {
                    name: "Confiance".into(),
                    book: Some(Book::Own),
                    ..NewCode::default()
                },
            )
            .unwrap();
        let read = ["sources", "turns", "speaker_map"];
        // A code is a row of `codes`: nothing read changed.
        assert!(!f.store.tables_may_have_changed(start, &read).unwrap());
        assert!(f.store.tables_may_have_changed(start, &["codes"]).unwrap());
        f.store
            .add_coding(&amira, f.source, span_of("La confiance"), code, None)
            .unwrap();
        assert!(!f.store.tables_may_have_changed(start, &read).unwrap());
        // The import (an entry without its row changes) may have changed
        // any table.
        assert!(
            f.store
                .tables_may_have_changed(start - 1, &["sites"])
                .unwrap()
        );
        assert!(!f.store.tables_may_have_changed(start, &[]).unwrap());
    }
}
