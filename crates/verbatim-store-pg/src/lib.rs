//! The PostgreSQL backend of the study store: [`PgStore`] implements
//! `verbatim_store::Store` on a PostgreSQL server, for labs and
//! universities that host many teams' studies on one managed database.
//!
//! It is a crate of its own so that the `postgres` client and its
//! dependencies are built only by those who use it: the CLI of a laptop user
//! links SQLite alone. It uses the synchronous `postgres` client (no TLS
//! yet), so the store stays a plain blocking API like `SqliteStore`.
//!
//! A study is one schema on the server, addressed as
//! `postgres://USER[:PASS]@HOST[:PORT]/DB?study=NAME` ([`PgAddress`]). It
//! keeps the guarantees `verbatim_store` lists for every backend: numbered
//! migrations ([`migrate`]), one transaction per action with one savepoint
//! per imported file, and an `audit` table that triggers keep append-only.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod accounts;
mod action;
mod address;
mod agreement;
mod analysis;
mod attribute_edits;
mod audit;
mod code_edits;
mod code_import;
mod code_merge;
mod code_rows;
mod codebook;
mod coders;
mod coding_edits;
mod codings;
mod codings_batch;
mod consensus;
mod consensus_accept;
mod consensus_rows;
mod deidentify;
mod failure;
mod guides;
mod history;
mod import;
mod journal;
mod logins;
mod lookup;
mod media;
mod memos;
pub mod migrate;
mod one_coding;
mod participants;
mod people_edits;
mod plan_write;
mod pool;
mod pseudonyms;
mod reader;
mod reads;
mod record;
mod reveal;
mod snapshot;
mod source_edit;
mod source_ops;
mod speaker_edits;
mod splice;
mod store;
mod studies;
pub mod test_server;
mod text_cache;
mod transcripts;
mod transfer;
mod translations;
mod withdraw;

pub use address::{PgAddress, PgDatabase};
pub use store::PgStore;
pub use studies::{Listed, discard_new_study, name_taken, server_secret, studies};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Returns the current time as RFC 3339 text, as the SQLite backend writes it.
pub(crate) fn now() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| String::from("unknown"))
}
