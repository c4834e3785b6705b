//! Narrow, audited redaction of the append-only audit log.
//!
//! The audit log keeps every action's rows as they were before and after,
//! so it also keeps whatever those rows held: a participant's name in an
//! early memo, the whole text of a source before a correction. When a study
//! is de-identified or a participant withdraws, that content must go from
//! the log too, or the study would still hold it.
//!
//! The log refuses updates and deletions by trigger (migration 0002). The
//! only way around them is [`redact_audit`]: inside the caller's
//! transaction it drops the two triggers, rewrites the `data` of the
//! entries that hold the content (every JSON string is passed through the
//! caller's rewrite, nothing else changes), re-creates the triggers from
//! the migration's own SQL (kept in one place) and appends a
//! `history.redact` entry with the number of entries rewritten. Entries
//! whose recorded rows were rewritten can no longer be undone: undo finds
//! the rows differ and refuses, as it does for any row changed since.

use rusqlite::Connection;
use serde_json::Value as Json;

use crate::rules::deid::rewrite_strings;
use crate::{StoreError, audit, migrate};

/// Returns the `CREATE TRIGGER` statements of migration 0002 and the name
/// each creates, exactly as the migration wrote them.
pub(crate) fn audit_triggers() -> Vec<(&'static str, &'static str)> {
    let sql = migrate::MIGRATIONS
        .iter()
        .find(|m| m.0 == 2)
        .map_or("", |m| m.2);
    let mut out = Vec::new();
    let mut rest = sql;
    while let Some(at) = rest.find("CREATE TRIGGER") {
        let tail = &rest[at..];
        let Some(end) = tail.find("END;") else {
            break;
        };
        let statement = &tail[..end + "END;".len()];
        let name = statement.split_whitespace().nth(2).unwrap_or_default();
        out.push((name, statement));
        rest = &tail[end + "END;".len()..];
    }
    out
}

/// Rewrites, inside the caller's transaction, the data of every audit
/// entry holding a string that `rewrite` changes, and appends a
/// `history.redact` entry saying how many were rewritten and `why`.
/// Returns that number (0 leaves the log untouched).
pub(crate) fn redact_audit(
    tx: &Connection,
    actor: &str,
    why: &str,
    rewrite: &dyn Fn(&str) -> Option<String>,
) -> Result<usize, StoreError> {
    redact_audit_entries(tx, actor, why, &|json: &mut Json| {
        rewrite_strings(json, rewrite)
    })
}

/// [`redact_audit`] with a rewrite of each entry's whole `data`, for a
/// rewrite that goes by what an entry records rather than by its strings
/// alone (a withdrawal's, `rules::withdraw`); it returns true when it
/// changed the data.
pub(crate) fn redact_audit_entries(
    tx: &Connection,
    actor: &str,
    why: &str,
    rewrite: &dyn Fn(&mut Json) -> bool,
) -> Result<usize, StoreError> {
    let mut rewritten: Vec<(String, String)> = Vec::new();
    {
        let mut stmt = tx.prepare("SELECT id, data FROM audit ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let data: String = r.get(1)?;
            let Ok(mut json) = serde_json::from_str::<Json>(&data) else {
                continue;
            };
            if rewrite(&mut json) {
                rewritten.push((id, json.to_string()));
            }
        }
    }
    if rewritten.is_empty() {
        return Ok(0);
    }
    let triggers = audit_triggers();
    if triggers.len() != 2 {
        return Err(StoreError::Corrupt(
            "the audit log's triggers could not be read from migration 0002".into(),
        ));
    }
    for (name, _) in &triggers {
        tx.execute_batch(&format!("DROP TRIGGER {name};"))?;
    }
    for (id, data) in &rewritten {
        tx.execute(
            "UPDATE audit SET data = $1 WHERE id = $2",
            rusqlite::params![data, id],
        )?;
    }
    for (_, sql) in &triggers {
        tx.execute_batch(sql)?;
    }
    audit::append(
        tx,
        actor,
        "history.redact",
        None,
        &serde_json::json!({ "entries": rewritten.len(), "because": why }),
    )?;
    Ok(rewritten.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use crate::testkit::fixture;

    #[test]
    fn triggers_come_from_the_migration() {
        let t = audit_triggers();
        let names: Vec<&str> = t.iter().map(|x| x.0).collect();
        assert_eq!(names, vec!["audit_no_update", "audit_no_delete"]);
        assert!(t[0].1.ends_with("END;"));
    }

    #[test]
    fn redaction_rewrites_only_matching_entries_and_keeps_the_log_append_only() {
        let mut f = fixture();
        let scope = f.store.scope("amira", false, false).unwrap();
        f.store
            .add_memo(
                &scope,
                &crate::MemoTarget::Study,
                Some("Marie"),
                "Marie a dit",
            )
            .unwrap();
        let tx = f.store.conn.transaction().unwrap();
        let n = redact_audit(&tx, "amira", "test", &|s: &str| {
            s.contains("Marie").then(|| s.replace("Marie", "[P]"))
        })
        .unwrap();
        assert_eq!(n, 1);
        let err = tx.execute("UPDATE audit SET data = '{}'", []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        let err = tx.execute("DELETE FROM audit", []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        tx.commit().unwrap();
        let log = f.store.audit_log(100).unwrap();
        assert_eq!(log[0].action, "history.redact");
        assert!(!log.iter().any(|e| e.data.to_string().contains("Marie")));
    }
}
