//! Krippendorff's unitizing alpha (αu) for coders who mark passages on a
//! continuum, per category and overall.
//!
//! References: K. Krippendorff, "On the reliability of unitizing contiguous
//! data", *Sociological Methodology* 25 (1995) 47–76; *Content Analysis*,
//! 2nd ed. (2004), §12.3, whose worked example (p. 254) the tests
//! reproduce: α(c) = 0.7286 with D_o = 0.0144 and D_e = 0.0532, α(k) = 1,
//! α = 0.8591 overall.
//!
//! For one category, each coder's continuum `[begin, begin + L)` is cut into
//! their units of that category and the gaps between them. Two segments of
//! two coders that overlap contribute a squared distance: two units, the
//! squared differences of their starts and ends; a unit lying wholly inside
//! the other coder's gap, its squared length; anything else, nothing. With
//! `m` coders:
//!
//! - `D_o = Σ_{i≠j} Σ δ²(g_i, h_j) / (m (m − 1) L²)`;
//! - `D_e = (2/L) Σ_u [ (N − 1)(2l³ − 3l² + l)/3 + l² Σ_{gaps γ, l_γ ≥ l} (l_γ − l + 1) ]
//!   / (mL(mL − 1) − Σ_u l(l − 1))`, over the category's `N` units `u` of
//!   length `l` and every coder's gaps `γ`;
//! - `α = 1 − D_o / D_e`, and overall `1 − Σ D_o / Σ D_e` over categories.
//!
//! Units of one coder and one category must not overlap; callers merge
//! them first (a coder who codes the same words twice marks them once).
//! This is the per-category (binary) form; ATLAS.ti's later cu-α and Cu-α
//! (Krippendorff 2019) are in [`crate::domain_alpha`].

use serde::Serialize;

use crate::reliability::{Estimate, UndefinedReason};

/// One coder's unit of one category: `[start, end)` on the continuum.
pub type Unit = (u64, u64);

/// The disagreements and alpha of one category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryAlpha {
    /// Observed disagreement.
    pub observed: f64,
    /// Expected disagreement.
    pub expected: f64,
    /// `1 − observed / expected`.
    pub alpha: Estimate,
}

/// Returns αu for one category, given each coder's units (sorted, not
/// overlapping) on the continuum `[begin, begin + length)`.
pub fn category_alpha(coders: &[Vec<Unit>], begin: u64, length: u64) -> CategoryAlpha {
    let observed = observed(coders, begin, length);
    let expected = expected(coders, begin, length);
    let alpha = if expected <= 0.0 {
        Estimate::Undefined {
            reason: UndefinedReason::NoVariation,
        }
    } else {
        Estimate::Defined {
            value: 1.0 - observed / expected,
        }
    };
    CategoryAlpha {
        observed,
        expected,
        alpha,
    }
}

/// Returns the overall αu over categories: `1 − Σ D_o / Σ D_e`.
pub fn overall(categories: &[CategoryAlpha]) -> Estimate {
    let d_o: f64 = categories.iter().map(|c| c.observed).sum();
    let d_e: f64 = categories.iter().map(|c| c.expected).sum();
    if d_e <= 0.0 {
        Estimate::Undefined {
            reason: UndefinedReason::NoVariation,
        }
    } else {
        Estimate::Defined {
            value: 1.0 - d_o / d_e,
        }
    }
}

/// A segment of one coder's partition: `(start, end, is_unit)`.
type Segment = (u64, u64, bool);

/// Returns a coder's continuum cut into units and gaps.
fn partition(units: &[Unit], begin: u64, length: u64) -> Vec<Segment> {
    let end = begin + length;
    let mut out = Vec::with_capacity(units.len() * 2 + 1);
    let mut pos = begin;
    for &(s, e) in units {
        let (s, e) = (s.clamp(begin, end), e.clamp(begin, end));
        if s >= e || s < pos {
            continue;
        }
        if s > pos {
            out.push((pos, s, false));
        }
        out.push((s, e, true));
        pos = e;
    }
    if pos < end {
        out.push((pos, end, false));
    }
    out
}

/// Returns the squared distance between two overlapping segments.
fn distance(g: Segment, h: Segment) -> f64 {
    let (gs, ge, g_unit) = g;
    let (hs, he, h_unit) = h;
    let sq = |x: f64| x * x;
    match (g_unit, h_unit) {
        (true, true) if gs < he && hs < ge => sq(gs as f64 - hs as f64) + sq(ge as f64 - he as f64),
        (true, false) if hs <= gs && ge <= he => sq((ge - gs) as f64),
        (false, true) if gs <= hs && he <= ge => sq((he - hs) as f64),
        _ => 0.0,
    }
}

fn observed(coders: &[Vec<Unit>], begin: u64, length: u64) -> f64 {
    let m = coders.len();
    if m < 2 || length == 0 {
        return 0.0;
    }
    let parts: Vec<Vec<Segment>> = coders.iter().map(|u| partition(u, begin, length)).collect();
    let mut sum = 0.0;
    for i in 0..m {
        for j in i + 1..m {
            // Walk both partitions: every overlapping pair of segments once.
            let (a, b) = (&parts[i], &parts[j]);
            let (mut x, mut y) = (0, 0);
            while x < a.len() && y < b.len() {
                sum += distance(a[x], b[y]);
                let (a_end, b_end) = (a[x].1, b[y].1);
                if a_end <= b_end {
                    x += 1;
                }
                if b_end <= a_end {
                    y += 1;
                }
            }
        }
    }
    2.0 * sum / (m as f64 * (m as f64 - 1.0) * (length as f64).powi(2))
}

fn expected(coders: &[Vec<Unit>], begin: u64, length: u64) -> f64 {
    let m = coders.len() as f64;
    let l_total = length as f64;
    let units: Vec<f64> = coders
        .iter()
        .flatten()
        .map(|(s, e)| e.saturating_sub(*s) as f64)
        .filter(|l| *l > 0.0)
        .collect();
    let n = units.len() as f64;
    let mut gaps: Vec<f64> = coders
        .iter()
        .flat_map(|u| partition(u, begin, length))
        .filter(|(_, _, unit)| !unit)
        .map(|(s, e, _)| (e - s) as f64)
        .collect();
    gaps.sort_by(|a, b| b.total_cmp(a));
    // Σ over gaps g ≥ l of (g − l + 1) = (sum of those gaps) − (l − 1) ×
    // (their count): with the gaps sorted longest first and their running
    // sums, each unit costs one binary search instead of a walk over the
    // gaps (a theme's 10,000 units against 10,000 gaps took seconds).
    let mut running = Vec::with_capacity(gaps.len() + 1);
    running.push(0.0);
    for g in &gaps {
        running.push(running[running.len() - 1] + g);
    }
    let mut numerator = 0.0;
    for &l in &units {
        let within = (n - 1.0) * (2.0 * l.powi(3) - 3.0 * l * l + l) / 3.0;
        let count = gaps.partition_point(|&g| g >= l);
        let placements = running[count] - (l - 1.0) * count as f64;
        numerator += within + l * l * placements;
    }
    let denominator =
        m * l_total * (m * l_total - 1.0) - units.iter().map(|l| l * (l - 1.0)).sum::<f64>();
    if denominator <= 0.0 || l_total == 0.0 {
        return 0.0;
    }
    (2.0 / l_total) * numerator / denominator
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Krippendorff (2004, p. 254): a continuum of 300 from 150, two coders.
    fn example() -> (Vec<Vec<Unit>>, Vec<Vec<Unit>>) {
        let c = vec![
            vec![(225, 295), (370, 400)],
            vec![(220, 300), (355, 375), (400, 420)],
        ];
        let k = vec![vec![(180, 240), (300, 350)], vec![(180, 240), (300, 350)]];
        (c, k)
    }

    #[test]
    fn krippendorff_2004_worked_example() {
        let (c, k) = example();
        let ac = category_alpha(&c, 150, 300);
        assert!((ac.observed - 0.0144).abs() < 1e-4, "{ac:?}");
        assert!((ac.expected - 0.0532).abs() < 1e-4, "{ac:?}");
        let Estimate::Defined { value } = ac.alpha else {
            panic!("{ac:?}")
        };
        assert!((value - 0.7286).abs() < 1e-4, "{value}");
        let ak = category_alpha(&k, 150, 300);
        assert!(ak.observed.abs() < 1e-12);
        assert!((ak.expected - 0.0490).abs() < 1e-4, "{ak:?}");
        assert_eq!(ak.alpha, Estimate::Defined { value: 1.0 });
        let Estimate::Defined { value } = overall(&[ac, ak]) else {
            panic!()
        };
        assert!((value - 0.8591).abs() < 5e-4, "{value}");
    }

    /// The distances Krippendorff's example works out by hand.
    #[test]
    fn distances() {
        assert_eq!(distance((225, 295, true), (220, 300, true)), 50.0);
        assert_eq!(distance((370, 400, true), (355, 375, true)), 850.0);
        assert_eq!(distance((400, 450, false), (400, 420, true)), 400.0);
        assert_eq!(distance((5, 11, true), (4, 6, true)), 26.0);
        assert_eq!(distance((5, 11, true), (4, 11, false)), 36.0);
        assert_eq!(distance((5, 11, true), (6, 20, false)), 0.0);
    }

    #[test]
    fn identical_coders_agree_and_empty_is_undefined() {
        let same = vec![vec![(10, 40), (60, 90)], vec![(10, 40), (60, 90)]];
        assert_eq!(
            category_alpha(&same, 0, 100).alpha,
            Estimate::Defined { value: 1.0 }
        );
        let none: Vec<Vec<Unit>> = vec![vec![], vec![]];
        assert!(matches!(
            category_alpha(&none, 0, 100).alpha,
            Estimate::Undefined { .. }
        ));
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    /// Returns non-overlapping sorted units from arbitrary pairs.
    fn units(raw: Vec<(u64, u64)>) -> Vec<Unit> {
        let mut spans: Vec<Unit> = raw
            .into_iter()
            .map(|(a, b)| (a.min(b), a.max(b)))
            .filter(|(a, b)| a < b)
            .collect();
        spans.sort_unstable();
        let mut out: Vec<Unit> = Vec::new();
        for (s, e) in spans {
            if out.last().is_none_or(|&(_, pe)| s >= pe) {
                out.push((s, e));
            }
        }
        out
    }

    proptest! {
        /// The merge walk sums the same distances as comparing every pair
        /// of segments; identical coders agree perfectly.
        #[test]
        fn walk_equals_all_pairs(a in prop::collection::vec((0u64..100, 0u64..100), 0..6),
                                 b in prop::collection::vec((0u64..100, 0u64..100), 0..6)) {
            let (a, b) = (units(a), units(b));
            let (pa, pb) = (partition(&a, 0, 100), partition(&b, 0, 100));
            let naive: f64 = pa.iter().flat_map(|g| pb.iter().map(move |h| (g, h)))
                .filter(|(g, h)| g.0 < h.1 && h.0 < g.1)
                .map(|(g, h)| distance(*g, *h))
                .sum();
            let walked = observed(&[a.clone(), b], 0, 100);
            prop_assert!((walked - 2.0 * naive / (2.0 * 10_000.0)).abs() < 1e-9);
            let same = category_alpha(&[a.clone(), a.clone()], 0, 100);
            if !a.is_empty() {
                prop_assert_eq!(same.alpha, Estimate::Defined { value: 1.0 });
            }
        }

        /// The expected disagreement's placements, read from running sums,
        /// equal the walk over every gap at least as long as each unit.
        #[test]
        fn placements_equal_the_walk_over_gaps(a in prop::collection::vec((0u64..100, 0u64..100), 0..8),
                                               b in prop::collection::vec((0u64..100, 0u64..100), 0..8)) {
            let coders = [units(a), units(b)];
            let (m, total) = (2.0_f64, 100.0_f64);
            let lengths: Vec<f64> = coders.iter().flatten()
                .map(|(s, e)| (e - s) as f64).collect();
            let n = lengths.len() as f64;
            let gaps: Vec<f64> = coders.iter()
                .flat_map(|u| partition(u, 0, 100))
                .filter(|(_, _, unit)| !unit)
                .map(|(s, e, _)| (e - s) as f64)
                .collect();
            let mut numerator = 0.0;
            for &l in &lengths {
                let within = (n - 1.0) * (2.0 * l.powi(3) - 3.0 * l * l + l) / 3.0;
                let placements: f64 = gaps.iter().filter(|&&g| g >= l).map(|g| g - l + 1.0).sum();
                numerator += within + l * l * placements;
            }
            let denominator = m * total * (m * total - 1.0)
                - lengths.iter().map(|l| l * (l - 1.0)).sum::<f64>();
            let walked = (2.0 / total) * numerator / denominator;
            prop_assert!((expected(&coders, 0, 100) - walked).abs() < 1e-9);
        }
    }
}
