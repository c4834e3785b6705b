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
//! [`Journal`] holds the reflexive journal, [`Memos`] the analysts' notes,
//! [`Participants`] the people heard, their sites and speaker labels.
//! [`transfer`] reads a study whole, table by table, for `verbatim copy`.

mod coding;
mod journal;
mod memos;
mod people;
pub mod rules;
pub mod transfer;

pub use coding::{Codebook, Coders, Codings};
pub use journal::Journal;
pub use memos::Memos;
pub use people::Participants;
