//! Reports: from a study to a results section, a methods appendix and a
//! COREQ checklist, in HTML, Markdown and DOCX; and member-checking
//! documents for one participant.
//!
//! Three stages keep the formats consistent and the numbers checkable:
//!
//! 1. [`gather`] (and [`member::gather_member`]) read the study through a
//!    blind-coding [`verbatim_store::Scope`] and compute every number with
//!    the `verbatim-analysis` function the matching command uses, into a
//!    plain [`model::Report`]; each number keeps the command line that
//!    reproduces it.
//! 2. [`layout`] turns a report into a [`layout::Document`]: headings,
//!    paragraphs, quotes, tables, figures, in the report's language
//!    ([`words`]).
//! 3. [`html`], [`markdown`] and [`docx`] write a document.
//!
//! ```no_run
//! use verbatim_report::report::{self, Options};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = verbatim_store::SqliteStore::open("study.vbt".as_ref())?;
//! let opts = Options {
//!     coder: "amira".into(),
//!     ..Options::default()
//! };
//! let doc = report::layout::report(&report::gather(&store, &opts)?);
//! std::fs::write("report.html", report::html::write(&doc))?;
//! # Ok(()) }
//! ```

pub mod attribution;
pub mod coreq;
mod cross_tables;
mod divergences;
pub mod docx;
mod evidence;
mod figures_of;
mod gather;
pub mod html;
pub mod layout;
pub mod markdown;
pub mod member;
mod methods;
pub mod model;
mod participants_table;
mod preconceptions;
mod saturation_rows;
mod saturation_words;
pub mod site_order;
mod study_tables;
pub mod words;

pub use gather::{Options, gather};
pub use member::{MemberOptions, gather_member};

use verbatim_store::StoreError;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// Reading the study failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The shared codebook holds every coder's work, hidden until revealed.
    #[error(
        "the shared codebook's report reads every coder's codings, which stay hidden until the study is revealed: run `verbatim reveal` first, or report your own codebook without --shared"
    )]
    SharedNeedsReveal,
    /// No participant has this code, label or id.
    #[error("no participant {0:?} in this study: list them with `verbatim participants list`")]
    UnknownParticipant(String),
    /// The participant speaks in no counted source.
    #[error(
        "participant {0} speaks in no interview or focus group of this study, so there are no words of theirs to check: map their speaker label with `verbatim speakers map`"
    )]
    NotHeard(String),
    /// The attribution template cannot be filled: the message says why.
    #[error("{0}")]
    Attribution(String),
    /// An option names something the study does not have.
    #[error("{0}")]
    BadOption(String),
    /// A figure could not be drawn.
    #[error(transparent)]
    Figure(#[from] crate::figures::FigureError),
    /// docx-rs could not pack the document.
    #[error("could not build the DOCX package: {0}")]
    Docx(String),
}
