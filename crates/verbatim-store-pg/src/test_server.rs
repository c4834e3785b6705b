//! The PostgreSQL server the workspace's tests use, and a study name of
//! their own per test, dropped when the test ends.
//!
//! `VERBATIM_TEST_PG` gives the server (`postgres://USER@HOST:PORT/DB`, as
//! `.ci/pg-server start` prints it). Without it, or when it cannot be
//! reached, [`study`] prints a notice and returns `None` so the test skips;
//! with `VERBATIM_REQUIRE_PG=1` (CI) it panics instead, so a missing server
//! fails the run. Only tests call this module.

use postgres::{Client, NoTls};

use crate::PgAddress;

/// A study name reserved for one test; its schema is dropped on drop.
pub struct TestStudy {
    /// The study's address on the test server.
    pub address: PgAddress,
    server: String,
}

impl TestStudy {
    /// Returns a plain connection to the server, for checks outside the store.
    ///
    /// # Panics
    ///
    /// When the server cannot be reached (it was a moment ago).
    pub fn admin(&self) -> Client {
        Client::connect(&self.server, NoTls).expect("connect to the test server")
    }
}

impl Drop for TestStudy {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&self.server, NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
                self.address.study()
            ));
        }
    }
}

/// Returns a fresh study name on the test server for the test `test`, or
/// `None` (after a notice) when no server is configured and none is required.
///
/// # Panics
///
/// When `VERBATIM_REQUIRE_PG=1` and no server is reachable, or when
/// `VERBATIM_TEST_PG` is not a `postgres://` address.
pub fn study(test: &str) -> Option<TestStudy> {
    let required = std::env::var("VERBATIM_REQUIRE_PG").is_ok_and(|v| v == "1");
    let missing = |why: String| {
        assert!(
            !required,
            "VERBATIM_REQUIRE_PG=1 but {why}: start one with `.ci/pg-server start` and export VERBATIM_TEST_PG"
        );
        eprintln!(
            "skipping the PostgreSQL half of {test}: {why} (set VERBATIM_TEST_PG=postgres://…)"
        );
        None
    };
    let Ok(server) = std::env::var("VERBATIM_TEST_PG") else {
        return missing(String::from("VERBATIM_TEST_PG is not set"));
    };
    if let Err(e) = Client::connect(&server, NoTls) {
        return missing(format!(
            "the server at VERBATIM_TEST_PG is unreachable ({e})"
        ));
    }
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let mut name = format!("t_{}_{}", &suffix[..10], test.to_lowercase());
    name.truncate(63);
    let joiner = if server.contains('?') { '&' } else { '?' };
    let address = format!("{server}{joiner}study={name}")
        .parse()
        .expect("VERBATIM_TEST_PG is a postgres:// address");
    Some(TestStudy { address, server })
}

/// A database of its own for one test (a server's whole set of studies,
/// as `serve --dir postgres://…/DB` serves it); dropped, with every study
/// in it, when the test ends.
pub struct TestDatabase {
    /// The database's address, without a study.
    pub address: crate::PgDatabase,
    /// Its name on the server.
    name: String,
    server: String,
}

impl TestDatabase {
    /// Returns a plain connection to the database, for checks and set-ups
    /// outside the store.
    ///
    /// # Panics
    ///
    /// When the server cannot be reached (it was a moment ago).
    pub fn admin(&self) -> Client {
        Client::connect(&in_database(&self.server, &self.name), NoTls)
            .expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&self.server, NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// Returns a new, empty database on the test server for the test `test`,
/// or `None` as [`study`] does when no server is configured.
///
/// # Panics
///
/// As [`study`], and when the server refuses to create a database.
pub fn database(test: &str) -> Option<TestDatabase> {
    // `study` checks the server and panics when one is required and missing.
    let probe = study(test)?;
    let server = probe.server.clone();
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let mut name = format!("t_{}_{}", &suffix[..10], test.to_lowercase());
    name.truncate(63);
    Client::connect(&server, NoTls)
        .and_then(|mut c| c.batch_execute(&format!("CREATE DATABASE \"{name}\"")))
        .expect("the test server creates a database");
    let address = in_database(&server, &name)
        .parse()
        .expect("VERBATIM_TEST_PG is a postgres:// address");
    Some(TestDatabase {
        address,
        name,
        server,
    })
}

/// Returns the server address `server` with its database replaced by `name`.
fn in_database(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').unwrap_or((server, ""));
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let host = rest.split_once('/').map_or(rest, |(host, _)| host);
    let joined = format!("{scheme}://{host}/{name}");
    if query.is_empty() {
        joined
    } else {
        format!("{joined}?{query}")
    }
}
