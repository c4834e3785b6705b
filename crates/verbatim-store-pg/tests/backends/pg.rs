//! Finds the PostgreSQL server the tests use and gives each test a study of
//! its own, dropped when the test ends.

use postgres::{Client, NoTls};
use verbatim_store_pg::{PgAddress, PgStore};

/// A study name reserved for one test; its schema is dropped on drop.
pub struct PgStudy {
    pub address: PgAddress,
    server: String,
}

impl PgStudy {
    /// Creates the study as the conformance suite expects it: titled
    /// "Étude", French by default, created by `tester`.
    pub fn create(&self) -> PgStore {
        PgStore::create(&self.address, &super::fixture::settings(), "tester")
            .expect("create the PostgreSQL study")
    }

    /// Returns a plain connection to the server, for checks outside the store.
    pub fn admin(&self) -> Client {
        Client::connect(&self.server, NoTls).expect("connect to the test server")
    }
}

impl Drop for PgStudy {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&self.server, NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
                self.address.study()
            ));
        }
    }
}

/// Returns a fresh study name on the test server, or `None` (after a notice)
/// when no server is configured and none is required.
pub fn study(test: &str) -> Option<PgStudy> {
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
    Some(PgStudy { address, server })
}
