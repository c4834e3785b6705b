//! What the commands, the web pages and the report's figures show: the
//! study read from the store and shaped into the inputs
//! `verbatim-analysis` and `verbatim-search` compute on.
//!
//! Why a crate of its own: the CLI, the web interface and the figures all
//! answer the same questions (which passages answer a coding query, what a
//! matrix row or column holds, which words participants use, how two
//! coders' trees cover the text, which codes each interview brought). The
//! rules that turn store rows into analysis inputs live here once, so a
//! page, a figure and a command print the same numbers. `verbatim-analysis`
//! stays free of the store; `verbatim-store` stays free of the analyses.
//!
//! Errors are typed: each caller words the advice that fits it (a flag on
//! the command line, a field of a form).

pub mod agreement;
pub mod alignment;
pub mod coded;
pub mod evidence;
pub mod matrix;
pub mod query;
pub mod saturation;
pub mod speakers;
pub mod words;

use thiserror::Error;
use verbatim_analysis::alignment::AlignError;
use verbatim_analysis::query::QueryError;
use verbatim_store::StoreError;

/// Why a view could not be built.
#[derive(Debug, Error)]
pub enum ViewError {
    /// The study could not be read, or the scope may not see what was
    /// asked for.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The coding query is malformed or names an unknown code.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// Two trees could not be aligned.
    #[error(transparent)]
    Align(#[from] AlignError),
    /// No visible code has the level asked for as matrix rows.
    #[error("no code of level {level:?} is visible to you")]
    NoCodeAtLevel {
        /// The level as asked for.
        level: String,
    },
    /// Matrix columns named something other than site, kind, coder or
    /// attribute:NAME.
    #[error("columns are site, kind, coder or attribute:NAME, not {by:?}")]
    UnknownColumns {
        /// The columns as asked for.
        by: String,
    },
    /// No participant or source attribute has the name asked for.
    #[error("no participant or source attribute named {name:?}")]
    UnknownAttribute {
        /// The name as asked for.
        name: String,
    },
}
