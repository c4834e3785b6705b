//! A codebook's tree and the coded passages supporting it, with who spoke
//! each passage: the input of prevalence, quotes and confrontation. Loaded
//! by `verbatim-views`, as `verbatim triangulation`, `ipa-table` and
//! `confront` load it, so the report's numbers are the commands' numbers.
//! Context-only sources are never counted in a report.

use verbatim_store::{AgreementReads, AnalysisReads, Book, Codings, Scope, StoreError};
pub use verbatim_views::evidence::Evidence;

/// Loads one codebook's tree and the passages coded with it, by
/// `coder_filter` (or every coder the scope sees).
pub fn load<S: AnalysisReads + AgreementReads + Codings + ?Sized>(
    store: &S,
    scope: &Scope,
    book: Book,
    coder_filter: Option<i64>,
) -> Result<Evidence, StoreError> {
    verbatim_views::evidence::load(store, scope, book, coder_filter, false)
}
