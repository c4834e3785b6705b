//! The studies of one database: every schema a verbatim study marks as its
//! own, with its title, read over one connection (`serve --dir
//! postgres://…/DB` lists them on its start page without opening a store,
//! hence a connection, per study).
//!
//! A schema is a study when it holds the `verbatim_migrations` table
//! (`migrate.rs`). Schemas whose names a study address could not name
//! (upper-case letters, PostgreSQL's own) are left out: no address could
//! open them.

use postgres::NoTls;
use verbatim_store::StoreError;

use crate::failure::OrServer;
use crate::{PgAddress, PgDatabase};

/// A study of the database as a listing shows it.
#[derive(Debug)]
pub struct Listed {
    /// Its name (its schema), as `?study=` names it.
    pub name: String,
    /// Its title, or why it could not be read.
    pub title: Result<String, StoreError>,
}

/// Returns the studies of `database`, sorted by name.
pub fn studies(database: &PgDatabase) -> Result<Vec<Listed>, StoreError> {
    let mut client = database.config.connect(NoTls).or_server(database)?;
    let rows = client
        .query(
            "SELECT n.nspname FROM pg_namespace n \
             JOIN pg_class c ON c.relnamespace = n.oid \
             WHERE c.relname = 'verbatim_migrations' AND c.relkind = 'r' \
             ORDER BY n.nspname",
            &[],
        )
        .or_server(database)?;
    let mut listed = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = row.try_get(0).or_server(database)?;
        if PgDatabase::check_study_name(&name).is_err() {
            continue;
        }
        // The name passed the check: a plain identifier, safe to quote.
        let title = client
            .query_opt(
                &format!("SELECT value FROM \"{name}\".study WHERE key = 'title'"),
                &[],
            )
            .and_then(|row| row.map(|r| r.try_get::<_, String>(0)).transpose())
            .map(Option::unwrap_or_default)
            .or_server(database);
        listed.push(Listed { name, title });
    }
    Ok(listed)
}

/// Returns true when the database has a schema named `name`, a study or
/// not: a new study cannot take that name.
pub fn name_taken(database: &PgDatabase, name: &str) -> Result<bool, StoreError> {
    let mut client = database.config.connect(NoTls).or_server(database)?;
    client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[&name],
        )
        .and_then(|row| row.try_get(0))
        .or_server(database)
}

/// Drops the study at `address`, schema and all: only for undoing a
/// creation that failed half-way (a study made a moment ago, whose owner
/// account could not be added), never for a study in use.
pub fn discard_new_study(address: &PgAddress) -> Result<(), StoreError> {
    let mut client = address.config.connect(NoTls).or_server(address)?;
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
            address.study()
        ))
        .or_server(address)
}

/// The schema holding what every server of a database shares. It is no
/// study (it has no `verbatim_migrations`), and its name is taken, so no
/// study can be made with it.
pub(crate) const SERVER_SCHEMA: &str = "verbatim_server";

/// Returns the secret `key` every `serve --dir` process of `database`
/// shares, drawn by the first to ask: the CSRF token, so that a page from
/// one process may post to another behind a load balancer, as the
/// processes of one study share the study's own (`Accounts::shared_secret`).
pub fn server_secret(database: &PgDatabase, key: &str) -> Result<String, StoreError> {
    let drawn = verbatim_store::rules::new_token()
        .map_err(|e| StoreError::Server(format!("no random secret could be drawn: {e}")))?;
    let mut client = database.config.connect(NoTls).or_server(database)?;
    let mut tx = client.transaction().or_server(database)?;
    // Two processes starting at once: the lock lets one create the table
    // while the other waits, then both read the one value inserted.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        &[&SERVER_SCHEMA],
    )
    .or_server(database)?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {SERVER_SCHEMA}; \
         CREATE TABLE IF NOT EXISTS {SERVER_SCHEMA}.secrets \
         (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    ))
    .or_server(database)?;
    tx.execute(
        &format!(
            "INSERT INTO {SERVER_SCHEMA}.secrets (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO NOTHING"
        ),
        &[&key, &drawn],
    )
    .or_server(database)?;
    let value: String = tx
        .query_one(
            &format!("SELECT value FROM {SERVER_SCHEMA}.secrets WHERE key = $1"),
            &[&key],
        )
        .and_then(|row| row.try_get(0))
        .or_server(database)?;
    tx.commit().or_server(database)?;
    Ok(value)
}
