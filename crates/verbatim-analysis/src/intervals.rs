//! Interval algorithms on sorted, merged spans of one source.
//!
//! Queries and matrices reason about "what text is covered": a code's
//! codings in a source, merged, form a sorted list of disjoint half-open
//! intervals `[start, end)` in chars. Every operation here is a linear
//! sweep over such lists (sorting once when they come in), never a
//! per-character array: a 50,000-word transcript coded a thousand times
//! costs a thousand steps, not a million.
//!
//! Two intervals *overlap* when they share at least one char; merging joins
//! overlapping and touching intervals, so a merged list is exactly the set
//! of maximal runs of covered chars.

/// A half-open interval `[start, end)` of chars; `start < end` in merged
/// lists.
pub type Interval = (usize, usize);

/// Returns the maximal runs covered by `spans`: sorted, disjoint, with
/// touching and overlapping spans joined and empty spans dropped.
pub fn merge(mut spans: Vec<Interval>) -> Vec<Interval> {
    spans.retain(|&(s, e)| s < e);
    spans.sort_unstable();
    merge_sorted(spans)
}

/// Returns the maximal runs of spans already sorted by start (empty spans
/// dropped).
pub fn merge_sorted(spans: impl IntoIterator<Item = Interval>) -> Vec<Interval> {
    let mut out: Vec<Interval> = Vec::new();
    for (s, e) in spans {
        if s >= e {
            continue;
        }
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Returns the number of chars a merged list covers.
pub fn covered(merged: &[Interval]) -> usize {
    merged.iter().map(|&(s, e)| e - s).sum()
}

/// Returns the union of two merged lists, merged.
pub fn union(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let (mut i, mut j) = (0, 0);
    let mut sorted = Vec::with_capacity(a.len() + b.len());
    while i < a.len() || j < b.len() {
        if j == b.len() || (i < a.len() && a[i] <= b[j]) {
            sorted.push(a[i]);
            i += 1;
        } else {
            sorted.push(b[j]);
            j += 1;
        }
    }
    merge_sorted(sorted)
}

/// Returns the chars both merged lists cover, merged.
pub fn intersect(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let (mut i, mut j) = (0, 0);
    let mut out: Vec<Interval> = Vec::new();
    while i < a.len() && j < b.len() {
        let s = a[i].0.max(b[j].0);
        let e = a[i].1.min(b[j].1);
        if s < e {
            // Pieces of two merged lists can only touch across a gap of
            // neither, so consecutive pieces never need joining except when
            // they touch exactly.
            match out.last_mut() {
                Some(last) if last.1 == s => last.1 = e,
                _ => out.push((s, e)),
            }
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Returns the number of chars both merged lists cover, without building
/// the intersection.
pub fn intersect_len(a: &[Interval], b: &[Interval]) -> usize {
    let (mut i, mut j) = (0, 0);
    let mut n = 0;
    while i < a.len() && j < b.len() {
        let s = a[i].0.max(b[j].0);
        let e = a[i].1.min(b[j].1);
        if s < e {
            n += e - s;
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    n
}

/// Returns the intervals of `a` that overlap (share a char with) some
/// interval of `b` when `keep` is true, or that overlap none when it is
/// false. Both lists are merged; the result is a sublist of `a`.
pub fn filter_overlapping(a: &[Interval], b: &[Interval], keep: bool) -> Vec<Interval> {
    let mut j = 0;
    let mut out = Vec::new();
    for &(s, e) in a {
        while j < b.len() && b[j].1 <= s {
            j += 1;
        }
        let hit = j < b.len() && b[j].0 < e;
        if hit == keep {
            out.push((s, e));
        }
    }
    out
}

/// Returns the intervals of `a` within `gap` of some interval of `b`,
/// where `distance(x, y)` is 0 for overlapping intervals and otherwise the
/// value `measure` gives for the gap `[left end, right start)` between them.
///
/// `measure` must grow with the gap (a wider gap never measures less), so
/// that only the nearest interval of `b` on each side needs checking.
pub fn near(
    a: &[Interval],
    b: &[Interval],
    gap: usize,
    measure: impl Fn(usize, usize) -> usize,
) -> Vec<Interval> {
    let mut j = 0;
    let mut out = Vec::new();
    for &(s, e) in a {
        // First interval of b ending after s: candidates are it (at or
        // after s, or overlapping) and the one before it (ending at or
        // before s).
        while j < b.len() && b[j].1 <= s {
            j += 1;
        }
        let before = j.checked_sub(1).map(|k| b[k]);
        let after = b.get(j).copied();
        let close_before = before.is_some_and(|(_, be)| measure(be, s) <= gap);
        let close_after = after.is_some_and(|(bs, _)| bs < e || measure(e, bs) <= gap);
        if close_before || close_after {
            out.push((s, e));
        }
    }
    out
}

/// Returns the Jaccard index of the chars two merged lists cover:
/// |A ∩ B| / |A ∪ B|, or `None` when neither covers anything.
pub fn jaccard(a: &[Interval], b: &[Interval]) -> Option<f64> {
    let both = intersect_len(a, b);
    let either = covered(a) + covered(b) - both;
    (either > 0).then(|| both as f64 / either as f64)
}

/// Returns the number of clusters in which `a` and `b` meet.
///
/// The intervals of both merged lists, in order of start, are gathered into
/// clusters: an interval joins the current cluster when it starts before
/// the cluster's furthest end plus `reach` (`reach` 0: it must overlap;
/// `reach` N+1: it may lie up to N chars away). A cluster counts when it
/// holds intervals of both lists; then some interval of `a` and some of `b`
/// in it are within reach of each other (the first interval of the second
/// list to join met the furthest end of the first).
pub fn meetings(a: &[Interval], b: &[Interval], reach: usize) -> usize {
    let (mut i, mut j) = (0, 0);
    let mut count = 0;
    let mut cluster: Option<(usize, bool, bool)> = None;
    while i < a.len() || j < b.len() {
        let from_a = j == b.len() || (i < a.len() && a[i].0 <= b[j].0);
        let (s, e) = if from_a { a[i] } else { b[j] };
        if from_a {
            i += 1;
        } else {
            j += 1;
        }
        cluster = match cluster {
            Some((end, has_a, has_b)) if s < end.saturating_add(reach) => {
                Some((end.max(e), has_a || from_a, has_b || !from_a))
            }
            Some((_, has_a, has_b)) => {
                if has_a && has_b {
                    count += 1;
                }
                Some((e, from_a, !from_a))
            }
            None => Some((e, from_a, !from_a)),
        };
    }
    if let Some((_, true, true)) = cluster {
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Returns the per-char coverage of `spans` over `len` chars: the naive
    /// reference the sweeps are checked against.
    fn chars(spans: &[Interval], len: usize) -> Vec<bool> {
        let mut v = vec![false; len];
        for &(s, e) in spans {
            for c in v.iter_mut().take(e).skip(s) {
                *c = true;
            }
        }
        v
    }

    /// Returns the maximal runs of true chars.
    fn runs(v: &[bool]) -> Vec<Interval> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, &on) in v.iter().chain(std::iter::once(&false)).enumerate() {
            match (on, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        out
    }

    fn spans() -> impl Strategy<Value = Vec<Interval>> {
        prop::collection::vec((0usize..200, 0usize..40), 0..25)
            .prop_map(|v| v.into_iter().map(|(s, l)| (s, s + l)).collect())
    }

    const LEN: usize = 250;

    proptest! {
        #[test]
        fn merge_matches_per_char_runs(a in spans()) {
            prop_assert_eq!(merge(a.clone()), runs(&chars(&a, LEN)));
        }

        #[test]
        fn union_and_intersection_match_per_char(a in spans(), b in spans()) {
            let (ma, mb) = (merge(a.clone()), merge(b.clone()));
            let (ca, cb) = (chars(&a, LEN), chars(&b, LEN));
            let or: Vec<bool> = ca.iter().zip(&cb).map(|(x, y)| *x || *y).collect();
            let and: Vec<bool> = ca.iter().zip(&cb).map(|(x, y)| *x && *y).collect();
            prop_assert_eq!(union(&ma, &mb), runs(&or));
            prop_assert_eq!(intersect(&ma, &mb), runs(&and));
            prop_assert_eq!(intersect_len(&ma, &mb), and.iter().filter(|x| **x).count());
            prop_assert_eq!(covered(&ma), ca.iter().filter(|x| **x).count());
        }

        #[test]
        fn not_and_whole_and_match_per_char(a in spans(), b in spans()) {
            let (ma, mb) = (merge(a.clone()), merge(b.clone()));
            let cb = chars(&b, LEN);
            let hits = |r: &Interval| (r.0..r.1).any(|c| cb[c]);
            let naive_keep: Vec<Interval> = runs(&chars(&a, LEN)).into_iter().filter(hits).collect();
            let naive_drop: Vec<Interval> = runs(&chars(&a, LEN)).into_iter().filter(|r| !hits(r)).collect();
            prop_assert_eq!(filter_overlapping(&ma, &mb, true), naive_keep);
            prop_assert_eq!(filter_overlapping(&ma, &mb, false), naive_drop);
        }

        #[test]
        fn jaccard_matches_per_char(a in spans(), b in spans()) {
            let (ca, cb) = (chars(&a, LEN), chars(&b, LEN));
            let both = ca.iter().zip(&cb).filter(|(x, y)| **x && **y).count();
            let either = ca.iter().zip(&cb).filter(|(x, y)| **x || **y).count();
            let naive = (either > 0).then(|| both as f64 / either as f64);
            prop_assert_eq!(jaccard(&merge(a), &merge(b)), naive);
        }

        #[test]
        fn near_matches_pairwise_check(a in spans(), b in spans(), gap in 0usize..30) {
            let (ma, mb) = (merge(a), merge(b));
            let dist = |x: Interval, y: Interval| {
                if x.0 < y.1 && y.0 < x.1 { 0 } else if x.1 <= y.0 { y.0 - x.1 } else { x.0 - y.1 }
            };
            let naive: Vec<Interval> = ma.iter().copied()
                .filter(|&x| mb.iter().any(|&y| dist(x, y) <= gap)).collect();
            prop_assert_eq!(near(&ma, &mb, gap, |l, r| r - l), naive);
        }

        #[test]
        fn meetings_match_connected_components(a in spans(), b in spans(), reach in 0usize..20) {
            let (ma, mb) = (merge(a), merge(b));
            let mut all: Vec<(Interval, bool)> = ma.iter().map(|&x| (x, true))
                .chain(mb.iter().map(|&x| (x, false))).collect();
            all.sort_by_key(|(x, from_a)| (x.0, !*from_a));
            // Naive: union-find over every pair whose gap is under reach
            // (or which overlap when reach is 0), restricted to the
            // sweep's order-dependent joining rule: components of the
            // "starts before the running end + reach" relation.
            let n = all.len();
            let mut comp: Vec<usize> = (0..n).collect();
            fn find(c: &mut Vec<usize>, x: usize) -> usize {
                if c[x] != x { let r = find(c, c[x]); c[x] = r; }
                c[x]
            }
            for i in 0..n {
                for j in 0..n {
                    let (x, y) = (all[i].0, all[j].0);
                    if x.0 <= y.0 && y.0 < x.1 + reach {
                        let (ri, rj) = (find(&mut comp, i), find(&mut comp, j));
                        comp[ri] = rj;
                    }
                }
            }
            let mut groups: std::collections::HashMap<usize, (bool, bool)> = Default::default();
            for (i, (_, from_a)) in all.iter().enumerate() {
                let r = find(&mut comp, i);
                let g = groups.entry(r).or_default();
                if *from_a { g.0 = true } else { g.1 = true }
            }
            let naive = groups.values().filter(|g| g.0 && g.1).count();
            prop_assert_eq!(meetings(&ma, &mb, reach), naive);
        }
    }

    #[test]
    fn merge_joins_touching_spans() {
        assert_eq!(merge(vec![(5, 8), (0, 5), (10, 10)]), vec![(0, 8)]);
    }
}
