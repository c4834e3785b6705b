//! Domain types of a verbatim study, with no I/O.
//!
//! Every other crate of the workspace speaks in these types:
//!
//! - [`Span`]: a `[start, end)` range in Unicode scalar values (Rust `char`s) of
//!   a source's plain text, the unit REFI-QDA exchanges and the only unit
//!   anything stored uses.
//! - [`OffsetTable`]: a per-source checkpoint table that turns char offsets into
//!   byte offsets (and UTF-16 offsets) without rescanning the whole text.
//! - [`SourceKind`], [`Format`], [`Language`]: what a source is, what file it
//!   came from, what language it speaks.
//! - [`Turn`]: a run of a source spoken by one speaker.
//! - [`NormalisedSource`]: what an importer hands to the store: clean text,
//!   turns, anchored notes and metadata, all checked against each other.
//!
//! # Example
//!
//! ```
//! use verbatim_core::{OffsetTable, Span};
//!
//! let text = "Élodie : « J'ai confiance. »";
//! let table = OffsetTable::new(text);
//! let span = Span::new(9, 28).unwrap();
//! assert_eq!(table.slice(text, span), Some("« J'ai confiance. »"));
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod error;
mod offsets;
mod source;
mod span;
pub mod storable;

pub use error::CoreError;
pub use offsets::OffsetTable;
pub use source::{
    Format, Language, NormalisedSource, SourceAnchor, SourceKind, SourceMetadata, Turn,
};
pub use span::Span;
