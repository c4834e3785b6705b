//! The study the server serves, as one trait object over the store's
//! boundary, so the same pages and API run on a study file and on a
//! PostgreSQL study.
//!
//! [`Backend`] gathers every concern the web asks of a study (the report
//! crate's [`ReportReads`] among them, so the report and member-checking
//! documents read either backend); any type implementing them all is one
//! (a blanket impl). [`Named`] says how a document's printed commands name
//! the study.

use verbatim_report::ReportReads;
use verbatim_store::{
    Accounts, AgreementReads, AnalysisReads, Codebook, CodebookEdits, Coders, CodingEdits, Codings,
    Consensus, Deidentifying, Exchange, History, Journal, Media, Memos, Participants, ReaderReads,
    Reveal, SqliteStore, Store, Transcripts,
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
    + ReportReads
    + Named
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
        + ReportReads
        + Named
        + Handles
        + Send
{
}

/// How the commands a report prints name the study (`--project`).
pub trait Named {
    /// Returns the study's name as a researcher would pass it to
    /// `--project`.
    fn project_name(&self) -> String;
}

impl Named for SqliteStore {
    /// The file name, as a researcher in its folder would type it.
    fn project_name(&self) -> String {
        self.path()
            .file_name()
            .map_or_else(|| "study.vbt".into(), |n| n.to_string_lossy().into_owned())
    }
}

impl Named for PgStore {
    /// The address as messages show it, without its password.
    fn project_name(&self) -> String {
        self.address().to_string()
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
