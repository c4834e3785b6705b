//! Which sources each pair (and the whole group) of coders is compared on.
//!
//! A coder who never opened an interview did not "agree" with a colleague
//! on its uncoded characters: counting them inflates agreement towards
//! 100 %. So two coders are compared only on the sources both coded, and
//! the group of all coders (Fleiss' kappa, binary alpha) only on the
//! sources every one of them coded. This module holds that input and the
//! per-pair and group scopes [`super::compare_coded`] derives from it.

use serde::Serialize;

/// A source offered for comparison: its size and who coded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparedSource {
    /// Its length in chars.
    pub chars: u64,
    /// For each compared coder (by index), whether they coded this source.
    pub coded_by: Vec<bool>,
}

impl ComparedSource {
    /// Returns a source every one of `coders` coded.
    pub fn coded_by_all(chars: u64, coders: usize) -> Self {
        Self {
            chars,
            coded_by: vec![true; coders],
        }
    }

    /// Returns true when coder `i` coded the source.
    pub fn coded_by(&self, i: usize) -> bool {
        self.coded_by.get(i).copied().unwrap_or(false)
    }

    /// Returns true when every coder coded the source.
    pub fn coded_by_every(&self, coders: usize) -> bool {
        (0..coders).all(|i| self.coded_by(i))
    }
}

/// The sources one pair of coders, or the whole group, is compared on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceScope {
    /// The coders (indices) compared on these sources.
    pub coders: Vec<usize>,
    /// The sources (indices) they all coded.
    pub sources: Vec<usize>,
    /// The total length of those sources in chars.
    pub chars: u64,
}

impl SourceScope {
    /// Returns the sources every one of `coders` coded.
    pub fn of(coders: Vec<usize>, sources: &[ComparedSource]) -> Self {
        let mut chars = 0;
        let mut kept = Vec::new();
        for (i, source) in sources.iter().enumerate() {
            if coders.iter().all(|&c| source.coded_by(c)) {
                kept.push(i);
                chars += source.chars;
            }
        }
        Self {
            coders,
            sources: kept,
            chars,
        }
    }

    /// Returns, for each source index, whether it is in this scope.
    pub fn mask(&self, sources: usize) -> Vec<bool> {
        let mut mask = vec![false; sources];
        for &i in &self.sources {
            if let Some(m) = mask.get_mut(i) {
                *m = true;
            }
        }
        mask
    }
}
