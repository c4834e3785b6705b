//! The study the server serves, as one trait object over the store's
//! boundary, so the same pages and API run on a study file and on a
//! PostgreSQL study.
//!
//! [`Backend`] gathers every concern the web asks of a study; any type
//! implementing them all is one (a blanket impl). A few reads are still
//! written only for the SQLite file (the report crate's `gather`s of the
//! report, the member-checking document and the figures): they reach it
//! through [`AsFile`], the one escape hatch, and on a backend that is not a
//! file they answer [`StoreError::NotOnPostgres`]'s sentence instead
//! ([`file_only`]).

use verbatim_store::{
    Accounts, AgreementReads, AnalysisReads, Codebook, CodebookEdits, Coders, CodingEdits, Codings,
    Consensus, Deidentifying, Exchange, History, Journal, Media, Memos, Participants, ReaderReads,
    Reveal, SqliteStore, Store, StoreError, Transcripts,
};
use verbatim_store_pg::PgStore;

/// Everything the web asks of a study, on any backend.
pub trait Backend:
    Store
    + Coders
    + Codebook
    + Codings
    + CodebookEdits
    + CodingEdits
    + History
    + Reveal
    + Consensus
    + Journal
    + Memos
    + Participants
    + Transcripts
    + AgreementReads
    + AnalysisReads
    + Accounts
    + ReaderReads
    + Media
    + Deidentifying
    + Exchange
    + AsFile
    + Handles
    + Send
{
}

impl<T> Backend for T where
    T: Store
        + Coders
        + Codebook
        + Codings
        + CodebookEdits
        + CodingEdits
        + History
        + Reveal
        + Consensus
        + Journal
        + Memos
        + Participants
        + Transcripts
        + AgreementReads
        + AnalysisReads
        + Accounts
        + ReaderReads
        + Media
        + Deidentifying
        + Exchange
        + AsFile
        + Handles
        + Send
{
}

/// The escape hatch to the SQLite study file, for the reads not yet
/// written over the boundary.
pub trait AsFile {
    /// Returns the study file, or `None` when the study is elsewhere.
    fn as_file(&self) -> Option<&SqliteStore>;
}

impl AsFile for SqliteStore {
    fn as_file(&self) -> Option<&SqliteStore> {
        Some(self)
    }
}

impl AsFile for PgStore {
    fn as_file(&self) -> Option<&SqliteStore> {
        None
    }
}

/// Handles on one study for requests served at once (`AppState::read` and
/// `write`). A PostgreSQL study gives each request a handle of its own,
/// whose calls take their own connections, so coders' requests run side by
/// side and the database (transactions, unique keys, row locks) keeps them
/// apart, as it keeps server processes apart. A study file has one writer:
/// its requests take turns on the one connection, as before.
pub trait Handles {
    /// Returns a new handle on the same study, or `None` when requests must
    /// take turns on this one.
    fn handle(&self) -> Option<Box<dyn Backend>>;
}

impl Handles for SqliteStore {
    fn handle(&self) -> Option<Box<dyn Backend>> {
        None
    }
}

impl Handles for PgStore {
    fn handle(&self) -> Option<Box<dyn Backend>> {
        Some(Box::new(PgStore::handle(self)))
    }
}

/// Returns the study file behind `store`, or the sentence saying that
/// `what` works on study files only for now.
pub fn file_only<'a>(
    store: &'a dyn Backend,
    what: &'static str,
) -> Result<&'a SqliteStore, StoreError> {
    store.as_file().ok_or(StoreError::NotOnPostgres(what))
}
