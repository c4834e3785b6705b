//! Full-text search over a study: French and English stemming, KWIC,
//! auto-coding units and word frequencies.
//!
//! Why a separate index: the study file is the source of truth, but neither
//! SQLite nor PostgreSQL stems French the same way, and researchers search
//! in word families ("méfiance" should find "méfiant"). A tantivy index
//! beside the study ([`Index`]; in the user's cache for a study on a
//! server, [`cache_dir`]) gives the same behaviour on every backend: the
//! study is read through the store's boundary (`Transcripts`), never
//! through a backend.
//! It is derived data: deleted, it is rebuilt; stale, it is updated source
//! by source ([`Index::sync`]).
//!
//! The flow of a search:
//!
//! 1. [`Query::parse`] reads the query language (words, `=exact`, phrases,
//!    `prefix*`, `AND`/`OR`/`NOT`, parentheses, `"a b"~N`), with errors
//!    pointing at a column;
//! 2. the index returns candidate segments (speaker turns, and text outside
//!    turns), filtered by kind, site and speaker label;
//! 3. [`search`] re-reads each candidate's text from the study, re-runs the
//!    same analyzer ([`analysis`]) to find the exact occurrences, applies
//!    the speaker-role, attribute and coded-passage filters, and cuts the
//!    KWIC lines in chars;
//! 4. [`search_page`] answers one page of hits in source order: it counts
//!    every segment's hits from the index's word positions (no text read,
//!    see `postings`), then reads the text of the segments on the page
//!    only. A server keeps its [`Index`] open; [`Index::sync`] costs one
//!    read of the study's change counter when nothing was written.
//!
//! Nothing here prints; errors are [`SearchError`].

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod analysis;
mod error;
mod index;
mod postings;
mod query;
mod search;
mod segments;
mod words;

pub use analysis::{Analyzers, Stemming};
pub use error::{Result, SearchError};
pub use index::{Candidate, Found, Index, IndexFilter, SyncReport, cache_dir, index_dir};
pub use query::{Leaf, Node, Query};
pub use search::{
    Filters, Hit, HitPage, Role, SortKey, Unit, coded_ranges, search, search_page, sort_hits,
    store_kind, unit_span, unit_spans,
};
pub use segments::{Segment, segments};
pub use words::{WordCount, WordOptions, word_frequencies};
