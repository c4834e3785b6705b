//! The consensus as a trait: the reconciliation decisions that build the
//! team's shared codebook and its passages (codings of the consensus
//! coder), each one undoable action on every backend.
//!
//! Every method compares layers, so it takes a [`Scope`] that sees every
//! layer (revealed, solo or one coder) and refuses any other with
//! [`StoreError::Blind`]. The union of passages and the refusals are
//! [`super::rules`]' (`union`, `merge_needs_two`…).

use verbatim_core::Span;

use crate::{Decision, Scope, SqliteStore, StoreError, Verdict};

/// Reconciliation decisions: accept, merge, keep, passage verdicts, and
/// the list.
pub trait Consensus {
    /// Returns every decision, oldest first.
    fn decisions(&self, scope: &Scope) -> Result<Vec<Decision>, StoreError>;

    /// Copies a coder's code (with everything below it when `subtree`) into
    /// the shared codebook under `under` (the top when `None`); each copy
    /// gets its code's passages in the consensus layer (a code copied alone
    /// takes those of the codes below it too). Returns the decision.
    fn reconcile_accept(
        &mut self,
        scope: &Scope,
        code: i64,
        subtree: bool,
        under: Option<i64>,
        note: Option<&str>,
    ) -> Result<i64, StoreError>;

    /// Adds further coders' codes to the consensus code `into`: their
    /// passages, with their subtrees', join its own by union.
    fn reconcile_merge_into(
        &mut self,
        scope: &Scope,
        into: i64,
        codes: &[i64],
        note: Option<&str>,
    ) -> Result<i64, StoreError>;

    /// Makes one consensus code of several coders' matched codes (one per
    /// coder, at least two): named `name` or as the first code, the highest
    /// of their levels, the first description found field by field, and the
    /// union of their passages with their subtrees'. Returns the decision.
    fn reconcile_merge_codes(
        &mut self,
        scope: &Scope,
        codes: &[i64],
        name: Option<&str>,
        under: Option<i64>,
        note: Option<&str>,
    ) -> Result<i64, StoreError>;

    /// Records that a coder's divergent code stays theirs, and why.
    fn reconcile_keep(&mut self, scope: &Scope, code: i64, note: &str) -> Result<i64, StoreError>;

    /// Accepts a disagreement passage into the consensus layer (coded with
    /// the shared code `shared`, joined with the consensus passages it
    /// overlaps or touches) or rejects it; `origins` are the coders' codes
    /// it was compared under. Returns the decision.
    #[allow(clippy::too_many_arguments)]
    fn reconcile_passage(
        &mut self,
        scope: &Scope,
        verdict: Verdict,
        source: i64,
        span: Span,
        shared: Option<i64>,
        origins: &[i64],
        note: Option<&str>,
    ) -> Result<i64, StoreError>;
}

impl Consensus for SqliteStore {
    fn decisions(&self, scope: &Scope) -> Result<Vec<Decision>, StoreError> {
        SqliteStore::decisions(self, scope)
    }

    fn reconcile_accept(
        &mut self,
        scope: &Scope,
        code: i64,
        subtree: bool,
        under: Option<i64>,
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        SqliteStore::reconcile_accept(self, scope, code, subtree, under, note)
    }

    fn reconcile_merge_into(
        &mut self,
        scope: &Scope,
        into: i64,
        codes: &[i64],
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        SqliteStore::reconcile_merge_into(self, scope, into, codes, note)
    }

    fn reconcile_merge_codes(
        &mut self,
        scope: &Scope,
        codes: &[i64],
        name: Option<&str>,
        under: Option<i64>,
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        SqliteStore::reconcile_merge_codes(self, scope, codes, name, under, note)
    }

    fn reconcile_keep(&mut self, scope: &Scope, code: i64, note: &str) -> Result<i64, StoreError> {
        SqliteStore::reconcile_keep(self, scope, code, note)
    }

    fn reconcile_passage(
        &mut self,
        scope: &Scope,
        verdict: Verdict,
        source: i64,
        span: Span,
        shared: Option<i64>,
        origins: &[i64],
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        SqliteStore::reconcile_passage(self, scope, verdict, source, span, shared, origins, note)
    }
}
