//! The study file: persistence behind a backend boundary.
//!
//! A study is one SQLite file (`.vbt`) by default. Callers talk to the
//! [`Store`] trait, defined in plain domain types, so that a PostgreSQL
//! backend for team servers can be added beside [`SqliteStore`] without
//! touching them. The SQL is kept portable where that costs nothing
//! (`$N` placeholders, ISO-8601 text timestamps, no SQLite-only types).
//!
//! Guarantees every backend keeps:
//!
//! - the schema is created and upgraded by embedded, numbered migrations; a
//!   file written by a newer verbatim is refused, an older one is upgraded
//!   after a backup copy is written beside it ([`migrate`]);
//! - every user action is one transaction; an import batch is one
//!   transaction in which each file is a savepoint, so a file imports
//!   entirely or not at all;
//! - every write appends to the `audit` table (who, when, what), which
//!   refuses updates and deletions.
//!
//! # Example
//!
//! ```
//! use verbatim_store::{SqliteStore, Store, StudySettings};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("study.vbt");
//! let store = SqliteStore::create(&path, &StudySettings::titled("Addictologie"), "amira").unwrap();
//! assert_eq!(store.study().unwrap().title, "Addictologie");
//! assert!(store.sources().unwrap().is_empty());
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod accounts;
mod agreement_codes;
pub mod agreement_data;
mod audit;
mod boundary;
mod bulk;
mod code_import;
mod code_kinds;
mod code_names;
pub mod code_paths;
mod coded_by;
mod coders;
mod codes;
mod codings;
mod deidentify;
mod demographics;
mod edit;
mod error;
mod exchange;
mod fold;
mod guides;
mod history;
mod journal;
mod logins;
mod media;
pub mod media_probe;
mod memos;
pub mod migrate;
mod model;
mod participants;
mod passage_times;
mod pseudonyms;
mod reconcile;
mod redact;
mod report_data;
mod report_reads;
mod roster;
mod roster_edits;
mod source_ops;
mod spans;
mod speakers;
mod sqlite;
mod study_copy;
#[cfg(test)]
mod testkit;
mod transcribe;
mod undo;
mod values;
mod web_panels;
mod web_reads;
mod withdraw;

#[cfg(test)]
mod coding_tests;
#[cfg(test)]
mod plan_guard;

pub use accounts::{
    Account, AccountError, INVITATION_LIFE_SECS, Invitation, MIN_PASSWORD_CHARS, Role,
    SESSION_IDLE_SECS, SESSION_LIFE_SECS, SessionAccount, hash_password, password_matches,
    warm_up_logins,
};
pub use audit::AuditEntry;
pub use boundary::Guides;
pub use boundary::Translations;
pub use boundary::guide_rules::{
    AutocodeReport, Guide, GuideQuestion, GuideVersion, MatchedQuestion,
};
pub use boundary::{
    Accounts, CodebookEdits, CodingEdits, Deidentifying, Exchange, Media, ReaderReads,
};
pub use boundary::{AgreementReads, CodingSpanRow, SourceSize};
pub use boundary::{AnalysisReads, SpeechTurn, owned_turns};
pub use boundary::{
    ChangeMark, Codebook, Coders, Codings, Consensus, History, Journal, Memos, Participants,
    Reveal, TRANSCRIPT_TABLES, Transcripts, may_touch, rules, transfer,
};
pub use boundary::{Solo, SourceEdits, Withdrawing};
pub use code_import::ImportedCode;
pub use code_names::NewCodeName;
pub use coded_by::parse_date;
pub use coders::{CONSENSUS_NAME, Coder, Level, Scope};
pub use codes::{Book, Cascade, CodeFields, CodeKind, CodeNode, NewCode, UNCATEGORISED};
pub use codings::{CodingFilter, CodingRecord, Located};
pub use deidentify::{Candidate, DeidReport, NamesList, Remaining, Replacement, SealedHit};
pub use demographics::{DemoCell, DemoColumn, DemoRow, DemoTable, demographics_of};
pub use edit::{AffectedCoding, EditReport};
pub use error::StoreError;
pub use exchange::{CodeRow, CoderRow, CodingRow, GuidTable, MemoRow, PlanRows, write_plan};
pub use exchange::{
    ImportPlan, ImportedCounts, PlanAttribute, PlanCode, PlanCoder, PlanCoding, PlanJournal,
    PlanMemo, PlanParticipant, PlanSource, PlanTarget, SnapAttribute, SnapCode, SnapCoder,
    SnapCoding, SnapJournal, SnapMemo, SnapParticipant, SnapSource, Snapshot,
};
pub use exchange::{SnapshotRows, UNCARRIED_TABLES, assemble_snapshot};
pub use journal::{EntryKind, JournalEntry, JournalLink, Mismatch, Relation, seal_hash};
pub use logins::{LoginEvent, LoginRecord};
pub use media::Recording;
pub use media_probe::MediaKind;
pub use memos::{Memo, MemoFilter, MemoTarget};
pub use model::{
    ImportItem, ImportOutcome, MemoRecord, SourceRecord, SourceRef, SourceSummary, StudyInfo,
    StudySettings, TurnRecord,
};
pub use participants::{
    AppliesTo, Assigned, Assignment, Attribute, Consent, Mode, NewParticipant, Participant,
    RankStyle, Scheme, Site, Unassigned,
};
pub use passage_times::{TimedTurn, clock, clock_range, time_range};
pub use reconcile::{CodedSpan, Decision, DecisionKind, Divergence, Excerpt, Origin, Verdict};
pub use report_data::{NewTranslation, PassageText, QuoteCandidate, TurnsBySource, cut_passage};
pub use report_reads::{Deidentification, Period};
pub use roster::RosterOutcome;
pub use roster_edits::ValueEdit;
pub use source_ops::{RedetectReport, RemoveReport};
pub use spans::{CodeInfo, SourceFacts, SpanFilter, SpanRow, TurnOwner};
pub use speakers::{LabelSources, SpeakerRow, SpeakerTarget, is_generic_interviewee};
pub use sqlite::SqliteStore;
pub use transcribe::{AppendedTurn, TypedTurn};
pub use undo::Replayed;
// Benchmarks only (BENCHMARKS.md, "Durability").
pub use sqlite::commit_without_fsync_for_benchmarks;
pub use values::{AttrType, count_percent, percent_half_up, percent_text};
pub use web_panels::DeidRecord;
pub use web_reads::{CoderTotals, SpanCoding};
pub use withdraw::{SourceWithdrawal, WITHDRAWN_NOTICE, WithdrawReport};

/// The operations every study backend offers.
///
/// Methods take plain domain types and return [`StoreError`]; nothing here
/// knows about SQL, HTTP or the terminal.
pub trait Store {
    /// Returns the study's title, language and creation facts.
    fn study(&self) -> Result<StudyInfo, StoreError>;

    /// Imports a batch of read sources, each entirely or not at all.
    ///
    /// The batch is one transaction; each item is a savepoint inside it, so
    /// an item that fails (or whose text is already in the study) leaves no
    /// trace while the others are kept. Returns one outcome per item, in
    /// order.
    fn import_batch(
        &mut self,
        actor: &str,
        items: Vec<ImportItem>,
    ) -> Result<Vec<ImportOutcome>, StoreError>;

    /// Returns every source's summary, by id.
    fn sources(&self) -> Result<Vec<SourceSummary>, StoreError>;

    /// Returns one source with its text, turns and anchored memos.
    fn source(&self, which: &SourceRef) -> Result<SourceRecord, StoreError>;

    /// Returns the most recent `limit` audit entries, newest first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
}
