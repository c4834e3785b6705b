//! The agreement of coders as `verbatim agreement`, the web compare page
//! and the report's agreement table compute it.
//!
//! One place turns the store's [`AgreementData`] (codes paired by name,
//! reconciliation, `--pair` or level; which coder coded which source) into
//! the analysis' input, so every page and table prints the same numbers:
//! each pair compared on the sources both coders coded, the group on those
//! all coded, the consensus layer never a coder.

use verbatim_analysis::agreement::{
    self, ComparedSource, Comparison, DocumentLevel, OverlapBase, Passage, Settings, SourceScope,
};
use verbatim_store::agreement_data::{AgreementData, AgreementRequest, AgreementSource};
use verbatim_store::{AgreementReads, Scope};

use crate::ViewError;

/// What to compare and how segments are matched.
#[derive(Debug, Clone)]
pub struct AgreementOptions {
    /// The coders, codes, pairings and level.
    pub request: AgreementRequest,
    /// Minimum overlap of two segments (0 < threshold ≤ 1).
    pub threshold: f64,
    /// What a segment overlap is measured against.
    pub overlap_base: OverlapBase,
    /// Keep a row per (code, source).
    pub by_source: bool,
}

impl AgreementOptions {
    /// Compares `coders` (every coder when empty) as `verbatim agreement`
    /// does by default: segments agree at 90 % of their union.
    pub fn for_coders(coders: &[String]) -> Self {
        Self {
            request: AgreementRequest {
                coders: coders.to_vec(),
                ..AgreementRequest::default()
            },
            threshold: 0.9,
            overlap_base: OverlapBase::Union,
            by_source: false,
        }
    }
}

/// A computed agreement with what it was computed from.
#[derive(Debug, Clone)]
pub struct AgreementView {
    /// The coders, codes, sources and spans read.
    pub data: AgreementData,
    /// The spans as the analysis reads them.
    pub passages: Vec<Passage>,
    /// The figures.
    pub comparison: Comparison,
}

/// A source that entered no comparison, and who did not code it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut<'a> {
    /// The source.
    pub source: &'a AgreementSource,
    /// The compared coders who did not code it.
    pub missing: Vec<&'a str>,
}

/// Computes the agreement `options` asks for, on any backend.
pub fn agreement(
    store: &dyn AgreementReads,
    scope: &Scope,
    options: &AgreementOptions,
) -> Result<AgreementView, ViewError> {
    let data = store.agreement_data_for(scope, &options.request)?;
    let mut passages: Vec<Passage> = data
        .spans
        .iter()
        .map(|s| Passage {
            source: s.source,
            code: s.code,
            coder: s.coder,
            start: s.start,
            end: s.end,
        })
        .collect();
    let sources: Vec<ComparedSource> = data
        .sources
        .iter()
        .map(|s| ComparedSource {
            chars: s.chars,
            coded_by: s.coded_by.clone(),
        })
        .collect();
    let comparison = agreement::compare_coded(
        data.coders.len(),
        data.codes.len(),
        &sources,
        &mut passages,
        Settings {
            threshold: options.threshold,
            overlap_base: options.overlap_base,
            by_source: options.by_source,
        },
    );
    Ok(AgreementView {
        data,
        passages,
        comparison,
    })
}

impl AgreementView {
    /// Returns the name of coder `i`.
    pub fn coder(&self, i: usize) -> &str {
        self.data.coders.get(i).map_or("?", |c| c.name.as_str())
    }

    /// Returns the sources of a scope.
    pub fn sources_of<'a>(&'a self, scope: &'a SourceScope) -> Vec<&'a AgreementSource> {
        scope
            .sources
            .iter()
            .filter_map(|&i| self.data.sources.get(i))
            .collect()
    }

    /// Returns the sources that entered at least one pair's comparison.
    pub fn entered(&self) -> Vec<&AgreementSource> {
        self.data
            .sources
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                self.comparison
                    .pair_scopes
                    .iter()
                    .any(|s| s.sources.contains(i))
            })
            .map(|(_, s)| s)
            .collect()
    }

    /// Returns the sources some compared coder coded that entered no
    /// pair's comparison, with the coders who did not code them.
    pub fn left_out(&self) -> Vec<LeftOut<'_>> {
        let entered: Vec<i64> = self.entered().iter().map(|s| s.id).collect();
        self.data
            .sources
            .iter()
            .filter(|s| s.coded_by.iter().any(|&c| c) && !entered.contains(&s.id))
            .map(|source| LeftOut {
                source,
                missing: source
                    .coded_by
                    .iter()
                    .enumerate()
                    .filter(|(_, coded)| !**coded)
                    .map(|(i, _)| self.coder(i))
                    .collect(),
            })
            .collect()
    }

    /// Returns the source sizes for group figures computed on a continuum
    /// (unitizing alpha): sources not every coder coded count 0 chars.
    pub fn group_sizes(&self) -> Vec<u64> {
        let mask = self.comparison.group_scope.mask(self.data.sources.len());
        self.data
            .sources
            .iter()
            .zip(mask)
            .map(|(s, kept)| if kept { s.chars } else { 0 })
            .collect()
    }

    /// Returns the passages in sources every coder coded (group figures).
    pub fn group_passages(&self) -> Vec<Passage> {
        let mask = self.comparison.group_scope.mask(self.data.sources.len());
        self.passages
            .iter()
            .filter(|p| mask.get(p.source).copied().unwrap_or(false))
            .copied()
            .collect()
    }

    /// Returns MAXQDA's document-level comparison of the first two coders
    /// over the sources both coded (`source` indices of the rows are
    /// positions in that list).
    pub fn document_level(&self) -> Vec<DocumentLevel> {
        let Some(scope) = self.comparison.pair_scopes.first() else {
            return Vec::new();
        };
        let position: std::collections::HashMap<usize, usize> = scope
            .sources
            .iter()
            .enumerate()
            .map(|(at, &i)| (i, at))
            .collect();
        let passages: Vec<Passage> = self
            .passages
            .iter()
            .filter_map(|p| {
                position
                    .get(&p.source)
                    .map(|&at| Passage { source: at, ..*p })
            })
            .collect();
        agreement::document_level(0, 1, self.data.codes.len(), scope.sources.len(), &passages)
    }
}
