//! Tests: NVivo's documented example, MAXQDA's formula, hand cases, and
//! the interval algorithms against a naive per-character computation.

use proptest::prelude::*;

use super::*;
use crate::reliability::{self, Level, Matrix};

fn value(e: Estimate) -> f64 {
    e.value().unwrap_or_else(|| panic!("undefined: {e}"))
}

#[test]
fn coverage_merges_overlapping_and_touching_spans() {
    let c = Coverage::from_spans([(10, 20), (0, 5), (15, 30), (30, 31), (40, 40)]);
    assert_eq!(c.intervals(), &[(0, 5), (10, 31)]);
    assert_eq!(c.len(), 26);
    let d = Coverage::from_spans([(3, 12), (25, 50)]);
    assert_eq!(c.intersection_len(&d), 2 + 2 + 6);
}

/// NVivo's documented example (agreement.md §2.2): 1000 characters, 50
/// coded by both, 150 by only one user, 800 by neither: PA = 85 %.
/// Kappa by hand with 100 A-only and 50 B-only: p_e = (150 · 100 +
/// 850 · 900)/1000² = 0.78, κ = (0.85 − 0.78)/0.22 = 7/22.
#[test]
fn nvivo_documented_example() {
    let t = CharTable {
        both: 50,
        a_only: 100,
        b_only: 50,
        neither: 800,
    };
    assert!((value(t.percent()) - 0.85).abs() < 1e-12);
    assert!((value(t.kappa()) - 7.0 / 22.0).abs() < 1e-12);
    // The same through coverages.
    let a = Coverage::from_spans([(0, 150)]);
    let b = Coverage::from_spans([(100, 200)]);
    assert_eq!(CharTable::of(&a, &b, 1000), t);
}

#[test]
fn nvivo_edge_cases() {
    // Only one user coded: K = 0 exactly (agreement.md §2.3).
    let one = CharTable::of(&Coverage::from_spans([(0, 10)]), &Coverage::default(), 100);
    assert_eq!(one.kappa(), Estimate::Defined { value: 0.0 });
    // Nobody coded: 0/0; undefined, and NVivo shows 1. Percent agreement
    // is undefined too: two coders who coded nothing did not agree 100 %.
    let none = CharTable::of(&Coverage::default(), &Coverage::default(), 100);
    let nothing = Estimate::Undefined {
        reason: UndefinedReason::NothingCoded,
    };
    assert_eq!(none.kappa(), nothing);
    assert_eq!(none.nvivo_kappa(), 1.0);
    assert_eq!(none.percent(), nothing);
    assert_eq!(
        nothing.to_string(),
        "undefined (no passage coded by either coder)"
    );
    // Without the "neither" cell, nobody coded means nothing to compare.
    assert!(none.without_neither().percent().value().is_none());
}

/// Why no kappa is reported on coded characters only: with the fourth cell
/// empty the numerator is −2bc, so the value is never positive.
#[test]
fn kappa_without_neither_is_never_positive() {
    for (both, a_only, b_only) in [(95, 0, 5), (50, 100, 50), (10, 1, 1), (1, 30, 2)] {
        let t = CharTable {
            both,
            a_only,
            b_only,
            neither: 0,
        };
        assert!(value(t.kappa()) <= 1e-12, "{t:?}");
    }
}

/// agreement.md §3.3, vector `maxqda_brennan_prediger_formula`: a = 18,
/// b = 3, c = 4, k = 6 → 0.664.
#[test]
fn maxqda_brennan_prediger_formula() {
    let counts = SegmentCounts {
        a_matched: 9,
        b_matched: 9,
        a_unmatched: 3,
        b_unmatched: 4,
    };
    assert!((value(segment_kappa(&counts, 6)) - 0.664).abs() < 0.0005);
}

#[test]
fn segments_match_by_intersection_over_union() {
    let a = [(0, 100), (200, 300), (400, 500)];
    let b = [(0, 95), (200, 285), (1000, 1010)];
    let c = SegmentCounts::of(&a, &b, 0.9);
    // (0,100)~(0,95): 0.95; (200,300)~(200,285): 0.85 < 0.9.
    assert_eq!(c.a_matched, 1);
    assert_eq!(c.a_unmatched, 2);
    assert_eq!(c.b_matched, 1);
    assert_eq!(c.b_unmatched, 2);
    let lenient = SegmentCounts::of(&a, &b, 0.5);
    assert_eq!((lenient.a_matched, lenient.b_matched), (2, 2));
    // A long segment of the other coder starting far earlier is found.
    let nested = SegmentCounts::of(&[(500, 510)], &[(0, 10), (0, 1000)], 0.01);
    assert_eq!(nested.a_matched, 1);
}

fn naive_masks(coders: &[Vec<(u64, u64)>], size: u64) -> Vec<Vec<bool>> {
    coders
        .iter()
        .map(|spans| {
            let mut mask = vec![false; size as usize];
            for &(s, e) in spans {
                for c in s..e {
                    mask[c as usize] = true;
                }
            }
            mask
        })
        .collect()
}

fn spans(size: u64) -> impl Strategy<Value = Vec<(u64, u64)>> {
    prop::collection::vec(
        (0..size, 1..=size / 2).prop_map(move |(s, len)| (s, (s + len).min(size))),
        0..6,
    )
}

proptest! {
    /// The interval 2 × 2 table equals per-character counting.
    #[test]
    fn char_table_matches_naive(size in 1u64..200, a in spans(200), b in spans(200)) {
        let clip = |v: &[(u64, u64)]| -> Vec<(u64, u64)> {
            v.iter().map(|&(s, e)| (s.min(size), e.min(size))).collect()
        };
        let (a, b) = (clip(&a), clip(&b));
        let masks = naive_masks(&[a.clone(), b.clone()], size);
        let mut naive = CharTable::default();
        for (&x, &y) in masks[0].iter().zip(&masks[1]) {
            match (x, y) {
                (true, true) => naive.both += 1,
                (true, false) => naive.a_only += 1,
                (false, true) => naive.b_only += 1,
                (false, false) => naive.neither += 1,
            }
        }
        let fast = CharTable::of(&Coverage::from_spans(a), &Coverage::from_spans(b), size);
        prop_assert_eq!(fast, naive);
    }

    /// The boundary sweep equals per-character counting, and its Fleiss'
    /// kappa and alpha equal the general coefficients on a matrix with one
    /// unit per character.
    #[test]
    fn char_counts_match_naive_and_general_coefficients(
        size in 1u64..120,
        coders in prop::collection::vec(spans(120), 2..5),
    ) {
        let coders: Vec<Vec<(u64, u64)>> = coders
            .iter()
            .map(|v| v.iter().map(|&(s, e)| (s.min(size), e.min(size))).collect())
            .collect();
        let masks = naive_masks(&coders, size);
        let m = coders.len();
        let mut naive = vec![0u64; m + 1];
        for i in 0..size as usize {
            naive[masks.iter().filter(|mask| mask[i]).count()] += 1;
        }
        let coverages: Vec<Coverage> = coders.iter().map(|v| Coverage::from_spans(v.clone())).collect();
        let refs: Vec<&Coverage> = coverages.iter().collect();
        let counts = CharCounts::of(&refs, size);
        prop_assert_eq!(&counts.by_count, &naive);

        let matrix = Matrix::new(
            masks
                .iter()
                .enumerate()
                .map(|(c, mask)| {
                    (c.to_string(), mask.iter().map(|&x| Some(u8::from(x).to_string())).collect())
                })
                .collect(),
        )
        .unwrap();
        let general = reliability::fleiss_kappa(&matrix).estimate;
        match (counts.fleiss_kappa().value(), general.value()) {
            (Some(x), Some(y)) => prop_assert!((x - y).abs() < 1e-9, "{x} vs {y}"),
            (None, None) => {}
            other => prop_assert!(false, "{other:?}"),
        }
        let alpha = reliability::krippendorff_alpha(&matrix, Level::Nominal).unwrap().estimate;
        match (counts.alpha().value(), alpha.value()) {
            (Some(x), Some(y)) => prop_assert!((x - y).abs() < 1e-9, "{x} vs {y}"),
            (None, None) => {}
            other => prop_assert!(false, "{other:?}"),
        }
        // Two coders: the pairwise table's kappa uses the same characters.
        if m == 2 {
            let t = CharTable::of(&coverages[0], &coverages[1], size);
            prop_assert_eq!(t.total(), size);
        }
    }

    /// Segment matching equals a quadratic scan.
    #[test]
    fn segment_matching_matches_naive(a in spans(300), b in spans(300), t in 1u32..=100) {
        let threshold = f64::from(t) / 100.0;
        let naive = |of: &[(u64, u64)], other: &[(u64, u64)]| -> u64 {
            of.iter()
                .filter(|&&(s, e)| {
                    other.iter().any(|&(bs, be)| {
                        let inter = e.min(be).saturating_sub(s.max(bs));
                        let union = e.max(be) - s.min(bs);
                        inter > 0 && inter as f64 >= threshold * union as f64 - 1e-9
                    })
                })
                .count() as u64
        };
        let c = SegmentCounts::of(&a, &b, threshold);
        prop_assert_eq!(c.a_matched, naive(&a, &b));
        prop_assert_eq!(c.b_matched, naive(&b, &a));
    }
}

#[test]
fn compare_pools_sources_and_codes() {
    // Two coders, two codes, three sources of 100 chars.
    let p = |source, code, coder, start, end| Passage {
        source,
        code,
        coder,
        start,
        end,
    };
    let mut passages = vec![
        p(0, 0, 0, 0, 50),
        p(0, 0, 1, 0, 50),
        p(1, 0, 0, 10, 20),
        p(0, 1, 1, 60, 70),
    ];
    let c = compare(
        2,
        2,
        &[100, 100, 100],
        &mut passages,
        0.9,
        OverlapBase::Union,
        true,
    );
    let code0 = &c.by_code[0].pairs[0].chars.table;
    // Source 0: 50 both + 50 neither; source 1: 10 A only + 90 neither;
    // source 2: 100 neither.
    assert_eq!(
        *code0,
        CharTable {
            both: 50,
            a_only: 10,
            b_only: 0,
            neither: 240
        }
    );
    assert_eq!(c.by_code[0].sources.len(), 2);
    assert_eq!(c.by_code[0].group.counts.by_count, vec![240, 10, 50]);
    let seg = c.by_code[0].pairs[0].segments.counts;
    assert_eq!(
        (
            seg.a_matched,
            seg.a_unmatched,
            seg.b_matched,
            seg.b_unmatched
        ),
        (1, 1, 1, 0)
    );
    let code1 = &c.by_code[1].pairs[0].chars.table;
    assert_eq!(code1.b_only, 10);
    assert_eq!(code1.total(), 300);
    let all = &c.overall.pairs[0].chars.table;
    assert_eq!(all.total(), 600);
    assert_eq!(all.both, 50);
    // Segment kappa overall: a = 2, b = 1, c = 1, k = 2: (0.5 − 0.5)/0.5 = 0.
    assert_eq!(
        c.overall.pairs[0].segments.kappa,
        Estimate::Defined { value: 0.0 }
    );
}

/// Hand-computed: source 0 (100 chars): A [0, 20), B [10, 30): both 10,
/// A only 10, B only 10, neither 70, κ = (0.8 − 0.68)/0.32 = 0.375.
/// Source 1 (300 chars): nobody coded, NVivo shows 1. Unweighted mean
/// 0.6875, size-weighted (37.5 + 300)/400 = 0.84375; pooled table 10, 10,
/// 10, 370: p_o = 0.95, p_e = 0.905, κ = 0.045/0.095 = 9/19.
#[test]
fn nvivo_means_and_pooled_kappa() {
    let p = |coder, start, end| Passage {
        source: 0,
        code: 0,
        coder,
        start,
        end,
    };
    let mut passages = vec![p(0, 0, 20), p(1, 10, 30)];
    let c = compare(
        2,
        1,
        &[100, 300],
        &mut passages,
        0.9,
        OverlapBase::Union,
        false,
    );
    let pair = &c.by_code[0].pairs[0];
    let means = pair.nvivo_means.unwrap();
    assert!((means.unweighted - 0.6875).abs() < 1e-12);
    assert!((means.size_weighted - 0.84375).abs() < 1e-12);
    assert_eq!(means.values, 2);
    assert!((value(pair.chars.kappa) - 9.0 / 19.0).abs() < 1e-12);
    assert_eq!(c.overall.pairs[0].nvivo_means, Some(means));
}

/// A short segment nested in a long one: by union the overlap is 10 %, so
/// it does not match at 90 %; measured against its own length it is fully
/// covered and matches (the long one still does not).
#[test]
fn the_overlap_base_decides_nested_segments() {
    let short = [(100u64, 110u64)];
    let long = [(0u64, 100u64), (100, 200)];
    let by_union = SegmentCounts::measured(&short, &long[1..], 0.9, OverlapBase::Union);
    assert_eq!((by_union.a_matched, by_union.b_matched), (0, 0));
    let by_own = SegmentCounts::measured(&short, &long[1..], 0.9, OverlapBase::Own);
    assert_eq!((by_own.a_matched, by_own.b_matched), (1, 0));
}

fn passage(source: usize, coder: usize, start: u64, end: u64) -> Passage {
    Passage {
        source,
        code: 0,
        coder,
        start,
        end,
    }
}

/// Three sources of 100 chars; coders 0 and 1 both coded sources 0 and 1,
/// coder 1 alone coded source 2, coder 2 coded only source 0. One code.
///
/// Pair (0, 1) is compared on sources 0 and 1 (200 chars): coder 0 coded
/// [0, 20) in source 0, coder 1 [10, 20) in source 0 and [0, 50) in source
/// 2 (left out). Table: both 10, A only 10, B only 0, neither 180; percent
/// = 190/200 = 0.95; p_e = (20·10 + 180·190)/200² = 34 400/40 000 = 0.86;
/// κ = (0.95 − 0.86)/0.14 = 9/14.
/// Pair (0, 2) on source 0 only (100 chars): coder 2 coded nothing there:
/// both 0, A only 20, neither 80; percent 0.8. Pair (1, 2) likewise on
/// source 0: B only 0, A only 10: percent 0.9. The group (all three) is
/// compared on source 0 alone: 100 chars.
#[test]
fn each_pair_on_the_sources_both_coded() {
    let sources = vec![
        ComparedSource {
            chars: 100,
            coded_by: vec![true, true, true],
        },
        ComparedSource {
            chars: 100,
            coded_by: vec![true, true, false],
        },
        ComparedSource {
            chars: 100,
            coded_by: vec![false, true, false],
        },
    ];
    let mut passages = vec![
        passage(0, 0, 0, 20),
        passage(0, 1, 10, 20),
        passage(2, 1, 0, 50),
    ];
    let settings = Settings {
        threshold: 0.9,
        overlap_base: OverlapBase::Union,
        by_source: true,
    };
    let c = compare_coded(3, 1, &sources, &mut passages, settings);
    assert_eq!(c.pair_scopes[0].sources, vec![0, 1]);
    assert_eq!(c.pair_scopes[0].chars, 200);
    assert_eq!(c.pair_scopes[1].sources, vec![0]);
    assert_eq!(c.group_scope.sources, vec![0]);
    assert_eq!(c.chars, 100);
    let ab = &c.by_code[0].pairs[0].chars;
    assert_eq!(
        ab.table,
        CharTable {
            both: 10,
            a_only: 10,
            b_only: 0,
            neither: 180
        }
    );
    assert!((value(ab.percent) - 0.95).abs() < 1e-12);
    assert!((value(ab.kappa) - 9.0 / 14.0).abs() < 1e-12);
    assert!((value(c.by_code[0].pairs[1].chars.percent) - 0.8).abs() < 1e-12);
    assert!((value(c.by_code[0].pairs[2].chars.percent) - 0.9).abs() < 1e-12);
    // The group counts source 0 only: 80 chars coded by nobody, 10 by one
    // coder (coder 0 alone on [0, 10)), 10 by two ([10, 20)).
    assert_eq!(c.by_code[0].group.counts.by_count, vec![80, 10, 10, 0]);
    // Source 2 (only coder 1 coded it) has no row: no pair entered it.
    let rows: Vec<usize> = c.by_code[0].sources.iter().map(|r| r.source).collect();
    assert_eq!(rows, vec![0]);
}

/// Two coders with no source in common: nothing to compare, never 100 %.
#[test]
fn no_source_in_common_is_undefined() {
    let sources = vec![
        ComparedSource {
            chars: 50,
            coded_by: vec![true, false],
        },
        ComparedSource {
            chars: 50,
            coded_by: vec![false, true],
        },
    ];
    let mut passages = vec![passage(0, 0, 0, 10), passage(1, 1, 0, 10)];
    let settings = Settings {
        threshold: 0.9,
        overlap_base: OverlapBase::Union,
        by_source: false,
    };
    let c = compare_coded(2, 1, &sources, &mut passages, settings);
    assert_eq!(c.chars, 0);
    assert!(c.overall.pairs[0].chars.percent.value().is_none());
    assert!(c.overall.pairs[0].chars.kappa.value().is_none());
}
