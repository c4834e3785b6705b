//! The store's boundary: what callers may ask of any backend, one trait per
//! concern, in plain domain types with [`crate::StoreError`].
//!
//! [`crate::Store`] (sources, import, audit log) came first; the coding
//! concerns follow here: [`Coders`], [`Codebook`] and [`Codings`].
//! `SqliteStore` implements each by delegating to its inherent methods, and
//! `verbatim_store_pg::PgStore` implements each on PostgreSQL, so a caller
//! written against the traits runs on either. The rules both backends must
//! apply alike (names, spans, blind scopes, how a tree is ordered and
//! counted) live once, in [`rules`], so the backends differ only in SQL.
//! [`History`] (undo, redo), [`Reveal`] and [`Consensus`] (reconciliation
//! decisions) follow the same way.
//! [`Journal`] holds the reflexive journal, [`Memos`] the analysts' notes,
//! [`Participants`] the people heard, their sites and speaker labels.
//! [`transfer`] reads a study whole, table by table, for `verbatim copy`.
//! [`Transcripts`] holds the reads full-text search needs (texts, turns,
//! who speaks, and a cheap mark of how far the study has changed).
//! [`AgreementReads`] holds the reads intercoder agreement makes; the
//! comparison is assembled once from them. [`AnalysisReads`] holds the
//! reads a coding query makes. [`Translations`] holds code names in other
//! languages and a translator's file coming back.
//! The concerns the web pages need beside those ([`Accounts`],
//! [`ReaderReads`], [`Media`], [`Deidentifying`], [`Exchange`], and the
//! edits of [`Journal`], [`Memos`] and [`Participants`]) were built on
//! PostgreSQL one at a time, with default bodies answering
//! [`crate::StoreError::NotOnPostgres`] meanwhile; none is left.
//! [`Guides`] holds interview guides (their rules in [`guide_rules`]);
//! [`SourceEdits`] a source's repairs and done marks, [`Solo`] the solo
//! mark (their rules in [`source_rules`]).
//! [`Media`] keeps a server study's recordings in its database.
//! [`Deidentifying`] and [`Withdrawing`]
//! rest on `deid_rules` (`rules::deid`: names files, matching, review
//! lines) and `splice_rules` (`rules::splice`: where spans go when a text
//! is rewritten, an edit's narrowing and report), so both backends
//! de-identify, edit a source and withdraw a participant alike.
//! [`CodebookEdits`] and [`CodingEdits`] (and the rules of
//! `codebook_rules`, re-exported by [`rules`]) are built on both backends
//! and have no default bodies left.

mod accounts;
mod agreement;
mod analysis;
mod codebook_edits;
mod codebook_rules;
mod coding;
mod coding_edits;
mod consensus;
mod consensus_rules;
pub mod deid_rules;
mod deidentification;
mod exchange;
pub mod guide_rules;
mod guides;
mod history;
mod journal;
mod media;
mod memos;
mod people;
mod reader;
pub mod rules;
pub mod source_rules;
mod sources;
pub mod splice_rules;
mod transcripts;
pub mod transfer;
mod translations;
pub mod withdraw_rules;
mod withdrawal;

pub use accounts::Accounts;
pub use agreement::{AgreementReads, CodingSpanRow, SourceSize};
pub use analysis::{AnalysisReads, SpeechTurn, owned_turns};
pub use codebook_edits::CodebookEdits;
pub use coding::{Codebook, Coders, Codings};
pub use coding_edits::CodingEdits;
pub use consensus::Consensus;
pub use deidentification::Deidentifying;
pub use exchange::Exchange;
pub use guides::Guides;
pub use history::{History, Reveal};
pub use journal::Journal;
pub use media::Media;
pub use memos::Memos;
pub use people::Participants;
pub use reader::ReaderReads;
pub use sources::{Solo, SourceEdits};
pub use transcripts::{ChangeMark, TRANSCRIPT_TABLES, Transcripts, may_touch};
pub use translations::Translations;
pub use withdrawal::Withdrawing;
