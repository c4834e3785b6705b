//! The store's behaviour, written once and run on every backend (SQLite and
//! PostgreSQL), plus the rules only a server backend has.
//!
//! The PostgreSQL half needs a server: `VERBATIM_TEST_PG` gives its address
//! (`.ci/pg-server start` prints one). Without it the PostgreSQL tests skip
//! with a notice, unless `VERBATIM_REQUIRE_PG=1` (as `.ci/run` sets), in
//! which case they fail.

mod backends {
    #[macro_use]
    pub mod conformance;
    pub mod accounts;
    pub mod agreement;
    pub mod analysis;
    pub mod code_import;
    pub mod code_kind_link;
    pub mod codebook_edits;
    pub mod coding;
    pub mod consensus;
    pub mod copy;
    pub mod deid;
    pub mod fixture;
    pub mod guides;
    pub mod handles;
    pub mod history;
    pub mod import_plan;
    pub mod journal;
    pub mod levels;
    pub mod media;
    pub mod memos;
    pub mod nul_lookups;
    pub mod nul_writes;
    pub mod one_coding;
    pub mod people;
    pub mod pg;
    pub mod pg_rules;
    pub mod pg_studies;
    pub mod reader;
    pub mod same_answers;
    pub mod sources;
    pub mod transcripts;
    pub mod translations;
    pub mod withdrawal;
    pub mod withdrawal_log;
}
