//! The append-only audit log on PostgreSQL: the same entries as SQLite's
//! (UUIDv7 ids, RFC 3339 times, JSON payload kept as text).
//!
//! The team account behind a change (`act_as_account`) is a setting of the
//! connection, `verbatim.account`, which every entry copies into its
//! `account` column, as SQLite copies its connection's `TEMP` table: each
//! writer records it without a new argument. A store handle says which
//! account it acts for, and each connection it takes from the pool is
//! switched to that account first (`pool.rs`).

use postgres::GenericClient;
use postgres::types::Type;
use verbatim_store::AuditEntry;

/// Appends one entry that cannot be undone inside the caller's transaction.
pub(crate) fn append(
    tx: &mut impl GenericClient,
    actor: &str,
    action: &str,
    target: Option<&str>,
    data: &serde_json::Value,
) -> Result<(), postgres::Error> {
    append_entry(tx, actor, action, target, data, false)
}

/// Appends one entry inside the caller's transaction; `undoable` entries
/// carry the rows they changed (see `record`).
pub(crate) fn append_entry(
    tx: &mut impl GenericClient,
    actor: &str,
    action: &str,
    target: Option<&str>,
    data: &serde_json::Value,
    undoable: bool,
) -> Result<(), postgres::Error> {
    // Typed parameters: one round trip (no separate prepare) per action.
    tx.execute_typed(
        "INSERT INTO audit (id, at, actor, action, target, data, undoable, account) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, \
                 NULLIF(current_setting('verbatim.account', true), ''))",
        &[
            (&uuid::Uuid::now_v7().to_string(), Type::TEXT),
            (&crate::now(), Type::TEXT),
            (&actor, Type::TEXT),
            (&action, Type::TEXT),
            (&target, Type::TEXT),
            (&data.to_string(), Type::TEXT),
            (&undoable, Type::BOOL),
        ],
    )?;
    Ok(())
}

/// Returns the newest `limit` entries, newest first.
pub(crate) fn recent(
    client: &mut impl GenericClient,
    limit: usize,
) -> Result<Vec<AuditEntry>, postgres::Error> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = client.query(
        "SELECT id, at, actor, action, target, data, account FROM audit \
         ORDER BY id DESC LIMIT $1",
        &[&limit],
    )?;
    rows.iter()
        .map(|row| {
            let data: String = row.try_get(5)?;
            Ok(AuditEntry {
                id: row.try_get(0)?,
                at: row.try_get(1)?,
                actor: row.try_get(2)?,
                action: row.try_get(3)?,
                target: row.try_get(4)?,
                data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
                account: row.try_get(6)?,
            })
        })
        .collect()
}

/// Names the account behind this connection's changes from now on (`None`:
/// no account), outside any transaction so it outlasts it.
pub(crate) fn act_as(
    client: &mut impl GenericClient,
    account: Option<&str>,
) -> Result<(), postgres::Error> {
    // Typed: one round trip, made each time a pooled connection switches.
    client.query_typed(
        "SELECT set_config('verbatim.account', $1, false)",
        &[(&account.unwrap_or(""), Type::TEXT)],
    )?;
    Ok(())
}
