//! How PostgreSQL's errors become `StoreError`s: one sentence naming the
//! study's (or the database's) address, never its password, and what to
//! check.
//!
//! A server that does not answer (stopped, restarting, out of reach, or
//! with every connection slot taken) is [`StoreError::Unreachable`], which
//! the web answers 503: trying again later may work. A server that refuses
//! who we are (password, user, database) says which part of the address to
//! fix. A text PostgreSQL cannot hold (the NUL character) is refused as bad
//! input, not as a server fault. The driver's own wording appears only in
//! parentheses, never its debug dump.

use verbatim_store::StoreError;

use std::fmt::Display;

use postgres::error::{DbError, SqlState};

/// Turns a `postgres` error into a `StoreError` about one study.
pub(crate) trait OrServer<T> {
    /// Returns the value, or the error as a sentence about `address` (a
    /// `PgAddress` or a `PgDatabase`).
    fn or_server(self, address: &dyn Display) -> Result<T, StoreError>;
}

impl<T> OrServer<T> for Result<T, postgres::Error> {
    fn or_server(self, address: &dyn Display) -> Result<T, StoreError> {
        self.map_err(|e| server_error(address, &e))
    }
}

/// The parts of a shown address (`postgres://USER@HOST:PORT/DB?study=…`)
/// a sentence names.
struct Parts {
    user: String,
    server: String,
    database: String,
}

impl Parts {
    fn of(address: &dyn Display) -> Self {
        let shown = address.to_string();
        let rest = shown.split_once("://").map_or(shown.as_str(), |(_, r)| r);
        let (user, rest) = rest.split_once('@').unwrap_or(("", rest));
        let (server, rest) = rest.split_once('/').unwrap_or((rest, ""));
        let database = rest.split_once('?').map_or(rest, |(db, _)| db);
        Parts {
            user: user.to_owned(),
            server: server.to_owned(),
            database: database.to_owned(),
        }
    }
}

/// Returns the sentence for one `postgres` error.
pub(crate) fn server_error(address: &dyn Display, error: &postgres::Error) -> StoreError {
    let parts = Parts::of(address);
    if let Some(db) = error.as_db_error() {
        return refused(address, &parts, db);
    }
    let cause = innermost(error);
    if cause == "password missing" {
        return StoreError::Server(format!(
            "PostgreSQL at {} asks for the password of user {}: write it in the address (postgres://{}:PASSWORD@{}/…)",
            parts.server, parts.user, parts.user, parts.server
        ));
    }
    if cause.contains("lookup address") {
        return StoreError::Unreachable(format!(
            "the database server {} of {address} cannot be found ({cause}): check the host name in the address",
            parts.server
        ));
    }
    StoreError::Unreachable(format!(
        "the study's database at {} does not answer ({cause}): check that PostgreSQL is running there and that the address {address} is right, then try again",
        parts.server
    ))
}

/// Returns the sentence for an error the server reported.
fn refused(address: &dyn Display, parts: &Parts, db: &DbError) -> StoreError {
    let Parts {
        user,
        server,
        database,
    } = parts;
    let code = db.code();
    if *code == SqlState::INVALID_PASSWORD {
        StoreError::Server(format!(
            "PostgreSQL at {server} refused the password of user {user}: check the password in the address (postgres://{user}:PASSWORD@{server}/…) or ask the server's administrator"
        ))
    } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
        StoreError::Server(format!(
            "PostgreSQL at {server} does not let user {user} in ({}): check the user name in the address or ask the server's administrator for an account",
            db.message()
        ))
    } else if *code == SqlState::INVALID_CATALOG_NAME {
        StoreError::Server(format!(
            "PostgreSQL at {server} has no database {database}: check the database name after the host in the address, or ask the server's administrator to create it (createdb {database})"
        ))
    } else if *code == SqlState::TOO_MANY_CONNECTIONS {
        StoreError::Unreachable(format!(
            "PostgreSQL at {server} has no connection free (all its max_connections are in use), so nothing was done on {address}: try again in a moment, or ask the server's administrator to raise max_connections"
        ))
    } else if code.code().starts_with("57P") || code.code().starts_with("08") {
        StoreError::Unreachable(format!(
            "the study's database at {server} does not answer ({}): check that PostgreSQL is running there, then try again",
            db.message()
        ))
    } else if *code == SqlState::CHARACTER_NOT_IN_REPERTOIRE
        || *code == SqlState::UNTRANSLATABLE_CHARACTER
    {
        StoreError::Invalid(String::from(
            "the text holds the character U+0000 (NUL), which a PostgreSQL study cannot store, so nothing was changed: remove it and try again",
        ))
    } else {
        StoreError::Server(format!(
            "the PostgreSQL server refused an operation on {address}: {} ({})",
            db.message(),
            code.code()
        ))
    }
}

/// Returns the message of the error's innermost cause (the system's words
/// for a refused or timed-out connection), or the error's own.
fn innermost(error: &postgres::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    if error.is_closed() && std::ptr::addr_eq(cause, error as &dyn std::error::Error) {
        return String::from("the connection closed");
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shown_address_gives_user_server_and_database() {
        let parts = Parts::of(&"postgres://amira@db.lab:6543/verbatim?study=addicto");
        assert_eq!(parts.user, "amira");
        assert_eq!(parts.server, "db.lab:6543");
        assert_eq!(parts.database, "verbatim");
        let parts = Parts::of(&"postgres://amira@db.lab:6543/verbatim");
        assert_eq!(parts.database, "verbatim");
    }
}
