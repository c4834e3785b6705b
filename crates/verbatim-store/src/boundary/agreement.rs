//! The reads intercoder agreement needs, on any backend.
//!
//! Agreement compares coders' codings on the codes they share. A backend
//! answers five plain reads (the codes, the reconciliation origins, the
//! sources a coder analysed, the sources compared, the codings); which
//! coders are compared, how codes are paired and which spans count are
//! decided once, in the provided methods (`crate::agreement_data` and
//! `crate::agreement_codes`), so SQLite and PostgreSQL give the same
//! figures and refuse with the same sentences.

use super::Coders;
use crate::agreement_codes::{PairingCode, ReconciledOrigin};
use crate::agreement_data::{self, AgreementData, AgreementRequest};
use crate::{Scope, StoreError};

/// A source as agreement reads it: id, name, size in chars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSize {
    /// The source's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its length in chars.
    pub chars: i64,
}

/// One coding as agreement reads it: no text, no memo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodingSpanRow {
    /// The source coded.
    pub source: i64,
    /// The code.
    pub code: i64,
    /// The coder (or the consensus layer).
    pub coder: i64,
    /// First char.
    pub start: i64,
    /// Char just past the passage.
    pub end: i64,
}

/// The reads an agreement computation makes.
pub trait AgreementReads: Coders {
    /// Returns every code of the study (every codebook) as pairing reads it.
    fn pairing_codes(&self) -> Result<Vec<PairingCode>, StoreError>;

    /// Returns the origins of every accept or merge decision whose shared
    /// code still exists, in the order they were recorded.
    fn reconciled_origins(&self) -> Result<Vec<ReconciledOrigin>, StoreError>;

    /// Returns the ids of the sources coder `coder` analysed (a coding with
    /// an analytic code, or marked done), in id order.
    fn analysed_sources(&self, coder: i64) -> Result<Vec<i64>, StoreError>;

    /// Returns the sources agreement may compare (context-only sources
    /// left out), by id.
    fn compared_source_sizes(&self) -> Result<Vec<SourceSize>, StoreError>;

    /// Calls `visit` with every coding of the study, in no set order.
    fn each_coding(&self, visit: &mut dyn FnMut(CodingSpanRow)) -> Result<(), StoreError>;

    /// Returns what `request` asks to compare.
    ///
    /// Needs a scope that sees every layer. Refuses unknown coders, the
    /// consensus layer, fewer than two coders, and a code name no compared
    /// coder shares.
    fn agreement_data_for(
        &self,
        scope: &Scope,
        request: &AgreementRequest,
    ) -> Result<AgreementData, StoreError> {
        agreement_data::gather(self, scope, request)
    }

    /// Returns the codings of `coders` (names; every coder when empty) on
    /// their shared codes, optionally only the code named `only_code`.
    fn agreement_data(
        &self,
        scope: &Scope,
        coders: &[String],
        only_code: Option<&str>,
    ) -> Result<AgreementData, StoreError> {
        self.agreement_data_for(
            scope,
            &AgreementRequest {
                coders: coders.to_vec(),
                only_code: only_code.map(str::to_owned),
                ..AgreementRequest::default()
            },
        )
    }
}
