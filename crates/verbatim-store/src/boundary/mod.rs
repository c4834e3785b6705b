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
//! reads a coding query makes.

mod agreement;
mod analysis;
mod coding;
mod consensus;
mod consensus_rules;
mod history;
mod journal;
mod memos;
mod people;
pub mod rules;
mod transcripts;
pub mod transfer;

pub use agreement::{AgreementReads, CodingSpanRow, SourceSize};
pub use analysis::{AnalysisReads, SpeechTurn, owned_turns};
pub use coding::{Codebook, Coders, Codings};
pub use consensus::Consensus;
pub use history::{History, Reveal};
pub use journal::Journal;
pub use memos::Memos;
pub use people::Participants;
pub use transcripts::{ChangeMark, TRANSCRIPT_TABLES, Transcripts, may_touch};
