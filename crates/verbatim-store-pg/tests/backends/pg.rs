//! The test server, and studies created as the conformance suite expects.

use verbatim_store_pg::PgStore;
use verbatim_store_pg::test_server::TestStudy;

pub use verbatim_store_pg::test_server::study;

/// Creates the study as the conformance suite expects it: titled "Étude",
/// French by default, created by `tester`.
pub fn create(study: &TestStudy) -> PgStore {
    PgStore::create(&study.address, &super::fixture::settings(), "tester")
        .expect("create the PostgreSQL study")
}
