//! ATLAS.ti's cu-α and Cu-α: agreement on *which* value coders gave to the
//! matter they both coded, within a semantic domain (cu-α, the values are
//! the domain's codes) or across domains (Cu-α, the values are the domains).
//!
//! The binary, per-code coefficient (|uα) lives in [`crate::unitizing`];
//! these two ask a different question. They are computed from coincidences
//! of segment lengths, following Krippendorff, *Content Analysis* (4th ed.,
//! 2019, §12.6, eqs. 32–38) and Krippendorff, Mathet, Bouvry & Widlöcher
//! (2016), as transcribed in `research/agreement.md` §4.4:
//!
//! - observed coincidences `ℓ_ck = 1/(m−1) Σ_{i≠j} Σ_{g∈i, h∈j}
//!   |g ∩ h| [v_g = c][v_h = k]`, over coded matter only (gaps take no part);
//! - `n = Σ_ck ℓ_ck`, marginals `ℓ_c = Σ_k ℓ_ck`;
//! - a self-pairing correction `corr_c = Σ_{g: v_g = c} p_g²`, where `p_g`
//!   is the *pairable* length of segment `g`: the part of it that other
//!   coders also coded;
//! - expected coincidences `ε_ck = (ℓ_c ℓ_k − [c = k] corr_c) /
//!   (n − Σ_c corr_c / n)`;
//! - `α = 1 − Σ_{c≠k} ℓ_ck / Σ_{c≠k} ε_ck`.
//!
//! When every segment is one character long and every coder codes every
//! character, this is exactly Krippendorff's nominal α over characters; the
//! tests check that identity against [`crate::reliability`]. No ATLAS.ti
//! output for a small project has been published, so that identity and
//! hand-computed cases are the references.
//!
//! Everything is computed on intervals: one sweep per pair of coders over
//! their sorted segments, never per character.

use serde::Serialize;

use crate::reliability::{Estimate, UndefinedReason};

/// One coder's coded segment: `[start, end)` on a continuum, with its value
/// (a code of the domain for cu-α, a domain for Cu-α) as an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ValuedSegment {
    /// First position.
    pub start: u64,
    /// Position just past the segment.
    pub end: u64,
    /// The value, an index below the number of values.
    pub value: usize,
}

/// The coincidences and alpha of one computation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueAlpha {
    /// Total pairable coded matter `n` (in characters).
    pub pairable: f64,
    /// Observed disagreement: off-diagonal coincidences over `n`.
    pub observed: f64,
    /// Expected disagreement: off-diagonal expected coincidences over `n`.
    pub expected: f64,
    /// `1 − observed / expected`.
    pub alpha: Estimate,
}

/// Coincidences summed over any number of continua (sources), so that a
/// study's documents count as one body of text, as ATLAS.ti does.
#[derive(Debug, Clone)]
pub struct Coincidences {
    values: usize,
    /// `ℓ_ck`, row-major.
    observed: Vec<f64>,
    /// `corr_c`.
    correction: Vec<f64>,
}

impl Coincidences {
    /// Starts an empty table over `values` values.
    pub fn new(values: usize) -> Self {
        Self {
            values,
            observed: vec![0.0; values * values],
            correction: vec![0.0; values],
        }
    }

    /// Adds one continuum: each coder's segments (any order; values at or
    /// above the table's count are ignored). Coders with no segment on this
    /// continuum still count in `m`: they saw the text and coded nothing.
    pub fn add(&mut self, coders: &[Vec<ValuedSegment>]) {
        let m = coders.len();
        if m < 2 {
            return;
        }
        let sorted: Vec<Vec<ValuedSegment>> = coders
            .iter()
            .map(|segs| {
                let mut s: Vec<ValuedSegment> = segs
                    .iter()
                    .copied()
                    .filter(|g| g.start < g.end && g.value < self.values)
                    .collect();
                s.sort_unstable();
                s
            })
            .collect();
        let weight = 1.0 / (m as f64 - 1.0);
        for i in 0..m {
            for j in i + 1..m {
                self.add_pair(&sorted[i], &sorted[j], weight);
            }
        }
        for i in 0..m {
            let others = union(
                sorted
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, s)| s),
            );
            for g in &sorted[i] {
                let p = overlap_with(&others, g.start, g.end) as f64;
                self.correction[g.value] += p * p;
            }
        }
    }

    /// Adds the coincidences of two coders' sorted segments, both orders.
    fn add_pair(&mut self, a: &[ValuedSegment], b: &[ValuedSegment], weight: f64) {
        // Segments of one coder may overlap (two domains, or a caller that
        // allows it), so for each segment of `a`, scan `b` from the first
        // segment that has not ended before it: `a` is sorted by start, so a
        // segment skipped once ends before every later segment too.
        let mut first = 0;
        for g in a {
            while first < b.len() && b[first].end <= g.start {
                first += 1;
            }
            for h in b[first..].iter().take_while(|h| h.start < g.end) {
                let len = g.end.min(h.end).saturating_sub(g.start.max(h.start));
                if len > 0 {
                    let w = len as f64 * weight;
                    self.observed[g.value * self.values + h.value] += w;
                    self.observed[h.value * self.values + g.value] += w;
                }
            }
        }
    }

    /// Returns α from the table.
    pub fn alpha(&self) -> ValueAlpha {
        let v = self.values;
        let n: f64 = self.observed.iter().sum();
        let undefined = |pairable| ValueAlpha {
            pairable,
            observed: 0.0,
            expected: 0.0,
            alpha: Estimate::Undefined {
                reason: UndefinedReason::NoVariation,
            },
        };
        if n <= 0.0 {
            return undefined(0.0);
        }
        let marginal: Vec<f64> = (0..v)
            .map(|c| self.observed[c * v..(c + 1) * v].iter().sum())
            .collect();
        let total_corr: f64 = self.correction.iter().sum();
        let denominator = n - total_corr / n;
        let mut off_observed = 0.0;
        let mut off_expected = 0.0;
        for c in 0..v {
            for k in 0..v {
                if c != k {
                    off_observed += self.observed[c * v + k];
                    off_expected += marginal[c] * marginal[k];
                }
            }
        }
        if denominator <= 0.0 || off_expected <= 0.0 {
            return undefined(n);
        }
        let off_expected = off_expected / denominator;
        ValueAlpha {
            pairable: n,
            observed: off_observed / n,
            expected: off_expected / n,
            alpha: Estimate::Defined {
                value: 1.0 - off_observed / off_expected,
            },
        }
    }
}

/// Returns the union of several sorted segment lists as disjoint intervals.
fn union<'a>(lists: impl Iterator<Item = &'a Vec<ValuedSegment>>) -> Vec<(u64, u64)> {
    let mut all: Vec<(u64, u64)> = lists.flatten().map(|g| (g.start, g.end)).collect();
    all.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(all.len());
    for (s, e) in all {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Returns how much of `[start, end)` the disjoint sorted intervals cover.
fn overlap_with(intervals: &[(u64, u64)], start: u64, end: u64) -> u64 {
    let from = intervals.partition_point(|&(_, e)| e <= start);
    intervals[from..]
        .iter()
        .take_while(|&&(s, _)| s < end)
        .map(|&(s, e)| end.min(e).saturating_sub(start.max(s)))
        .sum()
}

/// Returns where one coder applied two values of one domain to the same
/// matter, which ATLAS.ti forbids (codes of a domain must be mutually
/// exclusive): `(first, second)` of the first clash found, if any.
pub fn first_clash(segments: &[ValuedSegment]) -> Option<(ValuedSegment, ValuedSegment)> {
    let mut sorted = segments.to_vec();
    sorted.sort_unstable();
    let mut reach: Option<ValuedSegment> = None;
    for g in sorted {
        if let Some(r) = reach {
            if g.start < r.end && g.value != r.value {
                return Some((r, g));
            }
            if g.end > r.end || g.value != r.value {
                reach = Some(g);
            }
        } else {
            reach = Some(g);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reliability::{Level, Matrix, krippendorff_alpha};

    fn seg(start: u64, end: u64, value: usize) -> ValuedSegment {
        ValuedSegment { start, end, value }
    }

    fn value(e: &Estimate) -> f64 {
        match e {
            Estimate::Defined { value } => *value,
            Estimate::Undefined { .. } => panic!("undefined: {e:?}"),
        }
    }

    #[test]
    fn perfect_agreement_is_one() {
        let mut t = Coincidences::new(2);
        t.add(&[
            vec![seg(0, 10, 0), seg(20, 30, 1)],
            vec![seg(0, 10, 0), seg(20, 30, 1)],
        ]);
        assert!((value(&t.alpha().alpha) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn one_value_only_is_undefined() {
        let mut t = Coincidences::new(2);
        t.add(&[vec![seg(0, 10, 0)], vec![seg(2, 12, 0)]]);
        assert!(matches!(t.alpha().alpha, Estimate::Undefined { .. }));
    }

    #[test]
    fn matter_coded_by_one_coder_takes_no_part() {
        let mut with = Coincidences::new(2);
        with.add(&[
            vec![seg(0, 10, 0), seg(10, 20, 1), seg(50, 90, 1)],
            vec![seg(0, 10, 0), seg(10, 20, 0)],
        ]);
        let mut without = Coincidences::new(2);
        without.add(&[
            vec![seg(0, 10, 0), seg(10, 20, 1)],
            vec![seg(0, 10, 0), seg(10, 20, 0)],
        ]);
        assert_eq!(with.alpha(), without.alpha());
    }

    /// Two coders, two segments each, computed by hand: the first halves
    /// agree on value 0 over 10 chars; on the second 10 chars coder A says
    /// 1 and coder B says 0.
    /// ℓ = [[20, 10], [10, 0]], n = 40, ℓ_0 = 30, ℓ_1 = 10;
    /// corr_0 = 10² + 20² = 500, corr_1 = 10² = 100 → n − 600/40 = 25;
    /// Σ_{c≠k} ε = 2 · 30 · 10 / 25 = 24; α = 1 − 20/24 = 1/6.
    #[test]
    fn hand_computed_two_coders() {
        let mut t = Coincidences::new(2);
        t.add(&[vec![seg(0, 10, 0), seg(10, 20, 1)], vec![seg(0, 20, 0)]]);
        let a = t.alpha();
        assert!((a.pairable - 40.0).abs() < 1e-12);
        assert!((value(&a.alpha) - 1.0 / 6.0).abs() < 1e-12, "{a:?}");
    }

    /// With one-character segments and every coder coding every character,
    /// cu-α is nominal α over characters; checked on Krippendorff's (2011)
    /// three-coder style data built here by rule, against our reliability
    /// module, which reproduces the published values.
    #[test]
    fn unit_segments_reduce_to_nominal_alpha() {
        let coders = 3usize;
        let units = 40u64;
        let value_of = |c: usize, u: u64| ((u * 7 + (c as u64) * (u % 3) + u / 5) % 4) as usize;
        let mut t = Coincidences::new(4);
        let segments: Vec<Vec<ValuedSegment>> = (0..coders)
            .map(|c| (0..units).map(|u| seg(u, u + 1, value_of(c, u))).collect())
            .collect();
        t.add(&segments);
        let rows: Vec<(String, Vec<Option<String>>)> = (0..coders)
            .map(|c| {
                let cells = (0..units)
                    .map(|u| Some(value_of(c, u).to_string()))
                    .collect();
                (format!("coder {c}"), cells)
            })
            .collect();
        let data = Matrix::new(rows).expect("a rectangular matrix");
        let nominal = krippendorff_alpha(&data, Level::Nominal).expect("nominal alpha");
        let ours = value(&t.alpha().alpha);
        assert!(
            (ours - value(&nominal.estimate)).abs() < 1e-9,
            "{ours} vs {nominal:?}"
        );
    }

    #[test]
    fn continua_add_up() {
        let mut split = Coincidences::new(2);
        split.add(&[vec![seg(0, 10, 0)], vec![seg(0, 10, 0)]]);
        split.add(&[vec![seg(0, 10, 1)], vec![seg(0, 10, 0)]]);
        let mut joined = Coincidences::new(2);
        joined.add(&[
            vec![seg(0, 10, 0), seg(100, 110, 1)],
            vec![seg(0, 10, 0), seg(100, 110, 0)],
        ]);
        assert_eq!(split.alpha(), joined.alpha());
    }

    #[test]
    fn clashes_within_a_domain_are_found() {
        assert_eq!(first_clash(&[seg(0, 10, 0), seg(10, 20, 1)]), None);
        assert_eq!(first_clash(&[seg(0, 10, 0), seg(5, 20, 0)]), None);
        assert_eq!(
            first_clash(&[seg(0, 10, 0), seg(5, 20, 1)]),
            Some((seg(0, 10, 0), seg(5, 20, 1)))
        );
    }
}
