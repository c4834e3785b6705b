//! How PostgreSQL's errors become `StoreError`s: one sentence naming the
//! study's (or the database's) address, never its password, and what to
//! check.

use verbatim_store::StoreError;

use std::fmt::Display;

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

/// Returns the sentence for one `postgres` error.
pub(crate) fn server_error(address: &dyn Display, error: &postgres::Error) -> StoreError {
    match error.as_db_error() {
        Some(db) => StoreError::Server(format!(
            "the PostgreSQL server refused an operation on {address}: {} ({})",
            db.message(),
            db.code().code()
        )),
        None if error.is_closed() => StoreError::Server(format!(
            "the connection to the PostgreSQL server of {address} closed: check that the server is running and try again"
        )),
        None => StoreError::Server(format!(
            "could not talk to the PostgreSQL server of {address} ({error}): check that it is running and that the address, user and password are right"
        )),
    }
}
