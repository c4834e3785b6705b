//! Theme-tree alignment and disagreement passages between two coders.
//!
//! After blind coding, two coders hold two codebooks whose names rarely
//! agree ("Policing users" for one, "Excessive control" for the other) even
//! when the themes do. Names cannot be trusted, so nodes are compared by what
//! they cover: the passages coded with the node or anything below it. Two
//! nodes covering mostly the same text are the same theme, whatever their
//! names; a node with no counterpart is a theme only one coder saw.
//!
//! Everything works on sorted, merged char intervals per source
//! ([`Coverage`]), never on per-char arrays, so a study of a thousand long
//! transcripts costs as much as its number of passages, not its length.
//!
//! - [`coverages`]: each node's coverage, descendants included (in a DAG a
//!   descendant reached along two paths counts once: union is idempotent);
//! - [`overlap`]: intersection, union, Jaccard and containment of two nodes;
//! - [`align`]: the best one-to-one matching of two trees (Hungarian
//!   algorithm, maximising total Jaccard) above a minimum Jaccard;
//! - [`disagreements`]: maximal runs of text coded by exactly one coder.

use std::collections::HashMap;

use serde::Serialize;
use thiserror::Error;

/// A source's id, as the store numbers it.
pub type SourceId = i64;
/// A code's id, as the store numbers it.
pub type NodeId = i64;

/// Why an alignment could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AlignError {
    /// A passage ends before it starts.
    #[error("passage [{start}, {end}) of source {source_id} ends before it starts")]
    ReversedSpan {
        /// The source.
        source_id: SourceId,
        /// First char.
        start: usize,
        /// Char past the end.
        end: usize,
    },
    /// A coding or a parent names a code that is not in the tree.
    #[error("code {0} is not in the tree")]
    UnknownNode(NodeId),
    /// A code sits below itself.
    #[error("the tree has a cycle through code {0}")]
    Cycle(NodeId),
    /// The minimum Jaccard is outside [0, 1].
    #[error("the minimum Jaccard must be between 0 and 1, not {0}")]
    Threshold(f64),
}

/// One maximal stretch of coded text in one source: `[start, end)` in chars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Run {
    /// The source.
    pub source: SourceId,
    /// First char.
    pub start: usize,
    /// Char past the end.
    pub end: usize,
}

impl Run {
    /// Returns the run's length in chars.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Returns true when the run holds no char.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// The text a node covers: sorted, disjoint, non-touching runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    runs: Vec<Run>,
    chars: usize,
}

impl Coverage {
    /// Builds the coverage of any spans `(source, start, end)`, merging
    /// overlapping and touching ones; empty spans are ignored.
    pub fn from_spans(
        spans: impl IntoIterator<Item = (SourceId, usize, usize)>,
    ) -> Result<Self, AlignError> {
        let mut runs = Vec::new();
        for (source, start, end) in spans {
            if end < start {
                return Err(AlignError::ReversedSpan {
                    source_id: source,
                    start,
                    end,
                });
            }
            if end > start {
                runs.push(Run { source, start, end });
            }
        }
        Ok(Self::normalise(runs))
    }

    /// Sorts and merges runs known to be well formed.
    fn normalise(mut runs: Vec<Run>) -> Self {
        runs.sort_unstable();
        let mut merged: Vec<Run> = Vec::with_capacity(runs.len());
        for run in runs {
            match merged.last_mut() {
                Some(last) if last.source == run.source && run.start <= last.end => {
                    last.end = last.end.max(run.end);
                }
                _ => merged.push(run),
            }
        }
        let chars = merged.iter().map(Run::len).sum();
        Self {
            runs: merged,
            chars,
        }
    }

    /// Returns the runs, by source then position.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// Returns the number of chars covered.
    pub fn len(&self) -> usize {
        self.chars
    }

    /// Returns true when nothing is covered.
    pub fn is_empty(&self) -> bool {
        self.chars == 0
    }

    /// Returns the union of several coverages.
    pub fn union_of<'a>(parts: impl IntoIterator<Item = &'a Coverage>) -> Coverage {
        let runs: Vec<Run> = parts
            .into_iter()
            .flat_map(|c| c.runs.iter().copied())
            .collect();
        Self::normalise(runs)
    }

    /// Returns the number of chars both coverages hold.
    pub fn intersection_len(&self, other: &Coverage) -> usize {
        let (a, b) = (&self.runs, &other.runs);
        let (mut i, mut j, mut total) = (0, 0, 0);
        while i < a.len() && j < b.len() {
            let (x, y) = (a[i], b[j]);
            if x.source != y.source {
                if x.source < y.source {
                    i += 1;
                } else {
                    j += 1;
                }
                continue;
            }
            let (lo, hi) = (x.start.max(y.start), x.end.min(y.end));
            if hi > lo {
                total += hi - lo;
            }
            if x.end < y.end {
                i += 1;
            } else {
                j += 1;
            }
        }
        total
    }

    /// Returns the text this coverage holds and `other` does not.
    pub fn difference(&self, other: &Coverage) -> Coverage {
        let b = &other.runs;
        let mut out = Vec::new();
        let mut j = 0;
        for x in &self.runs {
            while j < b.len()
                && (b[j].source < x.source || (b[j].source == x.source && b[j].end <= x.start))
            {
                j += 1;
            }
            let mut cur = x.start;
            let mut k = j;
            while k < b.len() && b[k].source == x.source && b[k].start < x.end {
                if b[k].start > cur {
                    out.push(Run {
                        source: x.source,
                        start: cur,
                        end: b[k].start,
                    });
                }
                cur = cur.max(b[k].end);
                k += 1;
            }
            if cur < x.end {
                out.push(Run {
                    source: x.source,
                    start: cur,
                    end: x.end,
                });
            }
        }
        let chars = out.iter().map(Run::len).sum();
        Coverage { runs: out, chars }
    }
}

/// A code of one coder's tree, as alignment needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The code's id.
    pub id: NodeId,
    /// Its name, for display.
    pub name: String,
    /// Its level's rank (1 = lowest).
    pub level: i64,
    /// Its parents: primary first, then further ones (the DAG edges).
    pub parents: Vec<NodeId>,
}

/// One coded passage: a code on `[start, end)` of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Coded {
    /// The code.
    pub code: NodeId,
    /// The source.
    pub source: SourceId,
    /// First char.
    pub start: usize,
    /// Char past the end.
    pub end: usize,
}

/// Returns each node's coverage: the union of its own codings and those of
/// every node below it, per source.
pub fn coverages(
    nodes: &[Node],
    codings: &[Coded],
) -> Result<HashMap<NodeId, Coverage>, AlignError> {
    let index: HashMap<NodeId, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let mut own: Vec<Vec<Run>> = vec![Vec::new(); nodes.len()];
    for c in codings {
        let i = *index.get(&c.code).ok_or(AlignError::UnknownNode(c.code))?;
        if c.end < c.start {
            return Err(AlignError::ReversedSpan {
                source_id: c.source,
                start: c.start,
                end: c.end,
            });
        }
        if c.end > c.start {
            own[i].push(Run {
                source: c.source,
                start: c.start,
                end: c.end,
            });
        }
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        let mut seen = Vec::new();
        for p in &n.parents {
            let pi = *index.get(p).ok_or(AlignError::UnknownNode(*p))?;
            if !seen.contains(&pi) {
                seen.push(pi);
                children[pi].push(i);
            }
        }
    }
    // Post-order over the DAG, iteratively: children before parents.
    let mut state = vec![0u8; nodes.len()]; // 0 new, 1 open, 2 done
    let mut done: Vec<Option<Coverage>> = vec![None; nodes.len()];
    for root in 0..nodes.len() {
        if state[root] == 2 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (i, ref mut next)) = stack.last_mut() {
            if let Some(&child) = children[i].get(*next) {
                *next += 1;
                match state[child] {
                    0 => {
                        state[child] = 1;
                        stack.push((child, 0));
                    }
                    1 => return Err(AlignError::Cycle(nodes[child].id)),
                    _ => {}
                }
                continue;
            }
            stack.pop();
            let mut runs = std::mem::take(&mut own[i]);
            for &c in &children[i] {
                if let Some(cov) = &done[c] {
                    runs.extend_from_slice(&cov.runs);
                }
            }
            done[i] = Some(Coverage::normalise(runs));
            state[i] = 2;
        }
    }
    Ok(nodes
        .iter()
        .zip(done)
        .map(|(n, c)| (n.id, c.unwrap_or_default()))
        .collect())
}

/// How much two coverages agree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Overlap {
    /// Chars both cover.
    pub intersection: usize,
    /// Chars either covers.
    pub union: usize,
    /// `intersection / union` (0 when both are empty).
    pub jaccard: f64,
    /// `intersection / |A|`: how much of A lies inside B (0 when A is empty).
    pub a_in_b: f64,
    /// `intersection / |B|`: how much of B lies inside A (0 when B is empty).
    pub b_in_a: f64,
}

/// Returns the intersection, union, Jaccard and containment of `a` and `b`.
pub fn overlap(a: &Coverage, b: &Coverage) -> Overlap {
    let intersection = a.intersection_len(b);
    let union = a.len() + b.len() - intersection;
    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    Overlap {
        intersection,
        union,
        jaccard: ratio(intersection, union),
        a_in_b: ratio(intersection, a.len()),
        b_in_a: ratio(intersection, b.len()),
    }
}

/// A node of A's tree, a node of B's tree, and how much they agree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pair {
    /// The node of coder A's tree.
    pub a: NodeId,
    /// The node of coder B's tree.
    pub b: NodeId,
    /// Their overlap.
    #[serde(flatten)]
    pub overlap: Overlap,
}

/// What to align.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignOptions {
    /// Pairs below this Jaccard are never matched (default 0.2).
    pub min_jaccard: f64,
    /// Only nodes of this level rank take part (coverage still includes
    /// every descendant).
    pub level: Option<i64>,
}

impl Default for AlignOptions {
    fn default() -> Self {
        Self {
            min_jaccard: 0.2,
            level: None,
        }
    }
}

/// The best one-to-one matching of two trees.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alignment {
    /// The matched pairs, highest Jaccard first.
    pub matched: Vec<Pair>,
    /// A's nodes with no counterpart, in A's order.
    pub unmatched_a: Vec<NodeId>,
    /// B's nodes with no counterpart, in B's order.
    pub unmatched_b: Vec<NodeId>,
    /// The sum of the matched pairs' Jaccard.
    pub total_jaccard: f64,
}

/// Returns the overlap of every pair (node of A, node of B), row by row
/// (A's order), skipping nodes outside `level` when one is given.
pub fn pairwise(
    tree_a: &[Node],
    cov_a: &HashMap<NodeId, Coverage>,
    tree_b: &[Node],
    cov_b: &HashMap<NodeId, Coverage>,
    level: Option<i64>,
) -> Vec<Pair> {
    let empty = Coverage::default();
    let keep = |n: &&Node| level.is_none_or(|l| n.level == l);
    let a_nodes: Vec<&Node> = tree_a.iter().filter(keep).collect();
    let b_nodes: Vec<&Node> = tree_b.iter().filter(keep).collect();
    let xs: Vec<&Coverage> = a_nodes
        .iter()
        .map(|n| cov_a.get(&n.id).unwrap_or(&empty))
        .collect();
    let ys: Vec<&Coverage> = b_nodes
        .iter()
        .map(|n| cov_b.get(&n.id).unwrap_or(&empty))
        .collect();
    let inter = intersections(&xs, &ys);
    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    let mut out = Vec::with_capacity(inter.len());
    for (i, a) in a_nodes.iter().enumerate() {
        for (j, b) in b_nodes.iter().enumerate() {
            let intersection = inter[i * ys.len() + j];
            let (la, lb) = (xs[i].len(), ys[j].len());
            let union = la + lb - intersection;
            out.push(Pair {
                a: a.id,
                b: b.id,
                overlap: Overlap {
                    intersection,
                    union,
                    jaccard: ratio(intersection, union),
                    a_in_b: ratio(intersection, la),
                    b_in_a: ratio(intersection, lb),
                },
            });
        }
    }
    out
}

/// Returns `|xs[i] ∩ ys[j]|` for every `i`, `j` (row-major) in one sweep
/// over all runs of both sides.
///
/// Comparing every pair by walking both run lists costs the sum of their
/// lengths per pair, and a theme's coverage is long; the sweep visits each
/// run boundary once and, between two boundaries, adds the stretch's
/// length to every (open A node, open B node) pair: only nodes that do
/// overlap cost anything.
///
/// With few nodes (one level only) walking each pair is cheaper than
/// sorting every boundary, so the cheaper of the two is chosen from the
/// run counts.
fn intersections(xs: &[&Coverage], ys: &[&Coverage]) -> Vec<usize> {
    let m = ys.len();
    let mut out = vec![0usize; xs.len() * m];
    if xs.is_empty() || m == 0 {
        return out;
    }
    let runs_x: usize = xs.iter().map(|c| c.runs.len()).sum();
    let runs_y: usize = ys.iter().map(|c| c.runs.len()).sum();
    let walk = m * runs_x + xs.len() * runs_y;
    let boundaries = 2 * (runs_x + runs_y);
    let sweep_cost = boundaries * (boundaries.max(2).ilog2() as usize + 2);
    if walk <= sweep_cost {
        for (i, x) in xs.iter().enumerate() {
            for (j, y) in ys.iter().enumerate() {
                out[i * m + j] = x.intersection_len(y);
            }
        }
        return out;
    }
    sweep(xs, ys, out)
}

/// Adds every pair's intersection to `out` by one sweep over all run
/// boundaries.
fn sweep(xs: &[&Coverage], ys: &[&Coverage], mut out: Vec<usize>) -> Vec<usize> {
    let m = ys.len();
    // (source, position, opens, side B, node index)
    let mut events: Vec<(SourceId, usize, bool, bool, usize)> = Vec::new();
    for (side, list) in [(false, xs), (true, ys)] {
        for (i, c) in list.iter().enumerate() {
            for r in &c.runs {
                events.push((r.source, r.start, true, side, i));
                events.push((r.source, r.end, false, side, i));
            }
        }
    }
    events.sort_unstable_by_key(|e| (e.0, e.1));
    let mut open_a: Vec<usize> = Vec::new();
    let mut open_b: Vec<usize> = Vec::new();
    // Where each node sits in its open list, for removal in O(1).
    let mut at_a = vec![0usize; xs.len()];
    let mut at_b = vec![0usize; m];
    let mut prev: Option<(SourceId, usize)> = None;
    for (source, pos, opens, side_b, i) in events {
        if let Some((s, p)) = prev
            && s == source
            && pos > p
            && !open_a.is_empty()
            && !open_b.is_empty()
        {
            let len = pos - p;
            for &a in &open_a {
                let row = &mut out[a * m..(a + 1) * m];
                for &b in &open_b {
                    row[b] += len;
                }
            }
        }
        prev = Some((source, pos));
        let (open, at) = if side_b {
            (&mut open_b, &mut at_b)
        } else {
            (&mut open_a, &mut at_a)
        };
        if opens {
            at[i] = open.len();
            open.push(i);
        } else {
            let k = at[i];
            open.swap_remove(k);
            if let Some(&moved) = open.get(k) {
                at[moved] = k;
            }
        }
    }
    out
}

/// The weight added to a pair of nodes of the same level, to break ties.
const SAME_LEVEL_BONUS: f64 = 1e-9;

/// Returns the one-to-one matching of A's and B's nodes that maximises the
/// total Jaccard, leaving unmatched every node whose best possible partner
/// is below `min_jaccard`.
///
/// Pairs under the threshold weigh 0, so they never displace a real match;
/// the Hungarian algorithm then finds an optimum. Tie rule: among pairs of
/// equal Jaccard, those whose nodes are of the same level are preferred
/// (a 1e-9 bonus); among optima still equal, the one found first in tree
/// order is kept, so the result is deterministic.
pub fn align(
    tree_a: &[Node],
    cov_a: &HashMap<NodeId, Coverage>,
    tree_b: &[Node],
    cov_b: &HashMap<NodeId, Coverage>,
    options: &AlignOptions,
) -> Result<Alignment, AlignError> {
    let t = options.min_jaccard;
    if !(0.0..=1.0).contains(&t) {
        return Err(AlignError::Threshold(t));
    }
    let keep = |n: &&Node| options.level.is_none_or(|l| n.level == l);
    let a_ids: Vec<NodeId> = tree_a.iter().filter(keep).map(|n| n.id).collect();
    let b_ids: Vec<NodeId> = tree_b.iter().filter(keep).map(|n| n.id).collect();
    let pairs = pairwise(tree_a, cov_a, tree_b, cov_b, options.level);
    let m = b_ids.len();
    let level_a: HashMap<NodeId, i64> = tree_a.iter().map(|n| (n.id, n.level)).collect();
    let level_b: HashMap<NodeId, i64> = tree_b.iter().map(|n| (n.id, n.level)).collect();
    let weight = |p: &Pair| {
        if p.overlap.jaccard >= t && p.overlap.intersection > 0 {
            // Ties (a theme and its only idea cover the same text) go to
            // the pair of the same level: a bonus far below any real
            // difference in Jaccard.
            let same_level = level_a.get(&p.a) == level_b.get(&p.b);
            p.overlap.jaccard + if same_level { SAME_LEVEL_BONUS } else { 0.0 }
        } else {
            0.0
        }
    };
    let w: Vec<Vec<f64>> = (0..a_ids.len())
        .map(|i| pairs[i * m..(i + 1) * m].iter().map(weight).collect())
        .collect();
    let assignment = max_weight_matching(&w, a_ids.len(), m);
    let mut matched = Vec::new();
    let mut used_b = vec![false; m];
    let mut unmatched_a = Vec::new();
    for (i, col) in assignment.iter().enumerate() {
        match col {
            Some(j) if w[i][*j] > 0.0 => {
                used_b[*j] = true;
                matched.push(pairs[i * m + j]);
            }
            _ => unmatched_a.push(a_ids[i]),
        }
    }
    let unmatched_b = b_ids
        .iter()
        .zip(&used_b)
        .filter(|(_, used)| !**used)
        .map(|(id, _)| *id)
        .collect();
    matched.sort_by(|x, y| {
        y.overlap
            .jaccard
            .total_cmp(&x.overlap.jaccard)
            .then(x.a.cmp(&y.a))
    });
    let total_jaccard = matched.iter().map(|p| p.overlap.jaccard).sum();
    Ok(Alignment {
        matched,
        unmatched_a,
        unmatched_b,
        total_jaccard,
    })
}

/// Returns, for each row of the `rows × cols` weight matrix, the column it
/// is matched to, maximising the total weight (Hungarian algorithm with
/// potentials, O(n² m)).
fn max_weight_matching(w: &[Vec<f64>], rows: usize, cols: usize) -> Vec<Option<usize>> {
    if rows == 0 || cols == 0 {
        return vec![None; rows];
    }
    // The algorithm wants no more rows than columns: transpose if needed.
    let transposed = rows > cols;
    let (n, m) = if transposed {
        (cols, rows)
    } else {
        (rows, cols)
    };
    let cost = |i: usize, j: usize| -> f64 { if transposed { -w[j][i] } else { -w[i][j] } };
    let inf = f64::INFINITY;
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; m + 1];
    let mut p = vec![0usize; m + 1]; // p[j]: row (1-based) holding column j
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![inf; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0;
            for j in 1..=m {
                if !used[j] {
                    let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![None; rows];
    for (j, &row) in p.iter().enumerate().skip(1) {
        if row != 0 {
            let (r, c) = if transposed {
                (j - 1, row - 1)
            } else {
                (row - 1, j - 1)
            };
            out[r] = Some(c);
        }
    }
    out
}

/// Which coder coded a disagreement passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Only coder A.
    A,
    /// Only coder B.
    B,
}

/// A maximal run of text coded by exactly one of two coders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Passage {
    /// The source.
    pub source: SourceId,
    /// First char.
    pub start: usize,
    /// Char past the end.
    pub end: usize,
    /// Its length in chars.
    pub len: usize,
    /// The coder who coded it.
    pub coded_by: Side,
}

/// Returns the passages coded by exactly one of A and B, largest first
/// (then by source and position).
///
/// A run coded only by A that touches a run coded only by B is reported as
/// two passages, one per coder: each is maximal for its coder.
pub fn disagreements(a: &Coverage, b: &Coverage) -> Vec<Passage> {
    let mut out: Vec<Passage> = Vec::new();
    for (side, diff) in [(Side::A, a.difference(b)), (Side::B, b.difference(a))] {
        out.extend(diff.runs.iter().map(|r| Passage {
            source: r.source,
            start: r.start,
            end: r.end,
            len: r.len(),
            coded_by: side,
        }));
    }
    out.sort_by(|x, y| {
        y.len
            .cmp(&x.len)
            .then(x.source.cmp(&y.source))
            .then(x.start.cmp(&y.start))
    });
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    fn cov(spans: &[(i64, usize, usize)]) -> Coverage {
        Coverage::from_spans(spans.iter().copied()).unwrap()
    }

    fn chars(spans: &[(i64, usize, usize)]) -> BTreeSet<(i64, usize)> {
        spans
            .iter()
            .flat_map(|&(s, a, b)| (a..b).map(move |c| (s, c)))
            .collect()
    }

    fn node(id: i64, level: i64, parents: &[i64]) -> Node {
        Node {
            id,
            name: format!("n{id}"),
            level,
            parents: parents.to_vec(),
        }
    }

    fn spans() -> impl Strategy<Value = Vec<(i64, usize, usize)>> {
        prop::collection::vec((0i64..3, 0usize..150, 0usize..40), 0..12)
            .prop_map(|v| v.into_iter().map(|(s, a, l)| (s, a, a + l)).collect())
    }

    proptest! {
        #[test]
        fn overlap_matches_naive(a in spans(), b in spans()) {
            let (ca, cb) = (cov(&a), cov(&b));
            let (na, nb) = (chars(&a), chars(&b));
            let inter = na.intersection(&nb).count();
            let union = na.union(&nb).count();
            let o = overlap(&ca, &cb);
            prop_assert_eq!(ca.len(), na.len());
            prop_assert_eq!(o.intersection, inter);
            prop_assert_eq!(o.union, union);
            let j = if union == 0 { 0.0 } else { inter as f64 / union as f64 };
            prop_assert!((o.jaccard - j).abs() < 1e-12);
            let c = if na.is_empty() { 0.0 } else { inter as f64 / na.len() as f64 };
            prop_assert!((o.a_in_b - c).abs() < 1e-12);
        }

        #[test]
        fn sweep_matches_pairwise_walk(a in prop::collection::vec(spans(), 1..4), b in prop::collection::vec(spans(), 1..4)) {
            let xs: Vec<Coverage> = a.iter().map(|s| cov(s)).collect();
            let ys: Vec<Coverage> = b.iter().map(|s| cov(s)).collect();
            let (rx, ry): (Vec<&Coverage>, Vec<&Coverage>) = (xs.iter().collect(), ys.iter().collect());
            let got = sweep(&rx, &ry, vec![0; xs.len() * ys.len()]);
            prop_assert_eq!(&got, &intersections(&rx, &ry));
            for (i, x) in xs.iter().enumerate() {
                for (j, y) in ys.iter().enumerate() {
                    prop_assert_eq!(got[i * ys.len() + j], x.intersection_len(y));
                }
            }
        }

        #[test]
        fn disagreements_match_naive(a in spans(), b in spans()) {
            let (na, nb) = (chars(&a), chars(&b));
            let got = disagreements(&cov(&a), &cov(&b));
            let mut only_a = BTreeSet::new();
            let mut only_b = BTreeSet::new();
            for p in &got {
                prop_assert!(p.len > 0 && p.len == p.end - p.start);
                for c in p.start..p.end {
                    let set = if p.coded_by == Side::A { &mut only_a } else { &mut only_b };
                    prop_assert!(set.insert((p.source, c)), "chars reported twice");
                }
            }
            let want_a: BTreeSet<_> = na.difference(&nb).copied().collect();
            let want_b: BTreeSet<_> = nb.difference(&na).copied().collect();
            prop_assert_eq!(&only_a, &want_a);
            prop_assert_eq!(&only_b, &want_b);
            // Maximal: no two passages of one coder touch.
            for x in &got {
                for y in &got {
                    if x != y && x.coded_by == y.coded_by && x.source == y.source {
                        prop_assert!(x.end != y.start);
                    }
                }
            }
            prop_assert!(got.windows(2).all(|w| w[0].len >= w[1].len));
        }

        #[test]
        fn coverage_of_a_dag_is_the_union_below(own in prop::collection::vec(spans(), 4)) {
            // 0 above 1 and 2; 3 under both 1 and 2.
            let tree = vec![node(0, 3, &[]), node(1, 2, &[0]), node(2, 2, &[0]), node(3, 1, &[1, 2])];
            let codings: Vec<Coded> = own.iter().enumerate().flat_map(|(i, v)| {
                v.iter().map(move |&(source, start, end)| Coded { code: i as i64, source, start, end })
            }).collect();
            let got = coverages(&tree, &codings).unwrap();
            let all: Vec<_> = own.iter().flatten().copied().collect();
            prop_assert_eq!(got[&0].len(), chars(&all).len());
            let below1: Vec<_> = own[1].iter().chain(&own[3]).copied().collect();
            prop_assert_eq!(got[&1].len(), chars(&below1).len());
        }
    }

    /// Returns the best total weight by trying every partial assignment.
    fn brute_force(w: &[Vec<f64>], row: usize, used: &mut Vec<bool>) -> f64 {
        if row == w.len() {
            return 0.0;
        }
        let mut best = brute_force(w, row + 1, used);
        for j in 0..used.len() {
            if !used[j] {
                used[j] = true;
                best = best.max(w[row][j] + brute_force(w, row + 1, used));
                used[j] = false;
            }
        }
        best
    }

    proptest! {
        #[test]
        fn hungarian_is_optimal(rows in 1usize..5, cols in 1usize..5, seed in prop::collection::vec(0u8..=10, 25)) {
            let w: Vec<Vec<f64>> = (0..rows)
                .map(|i| (0..cols).map(|j| f64::from(seed[i * 5 + j]) / 10.0).collect())
                .collect();
            let got = max_weight_matching(&w, rows, cols);
            let mut seen = BTreeSet::new();
            let mut total = 0.0;
            for (i, c) in got.iter().enumerate() {
                if let Some(j) = c {
                    prop_assert!(seen.insert(*j));
                    total += w[i][*j];
                }
            }
            let best = brute_force(&w, 0, &mut vec![false; cols]);
            prop_assert!((total - best).abs() < 1e-9, "{} vs {}", total, best);
        }
    }

    #[test]
    fn disagreements_on_a_hand_made_case() {
        let a = cov(&[(1, 0, 10), (1, 20, 30), (2, 5, 8)]);
        let b = cov(&[(1, 5, 25), (2, 0, 3)]);
        let got: Vec<(i64, usize, usize, Side)> = disagreements(&a, &b)
            .iter()
            .map(|p| (p.source, p.start, p.end, p.coded_by))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, 10, 20, Side::B),
                (1, 0, 5, Side::A),
                (1, 25, 30, Side::A),
                (2, 0, 3, Side::B),
                (2, 5, 8, Side::A),
            ]
        );
    }

    #[test]
    fn cycles_and_unknown_codes_are_refused() {
        let tree = vec![node(1, 2, &[2]), node(2, 1, &[1])];
        assert!(matches!(coverages(&tree, &[]), Err(AlignError::Cycle(_))));
        let coded = Coded {
            code: 9,
            source: 1,
            start: 0,
            end: 1,
        };
        assert_eq!(
            coverages(&[node(1, 1, &[])], &[coded]),
            Err(AlignError::UnknownNode(9))
        );
        assert!(Coverage::from_spans([(1, 5, 2)]).is_err());
    }

    #[test]
    fn ties_go_to_nodes_of_the_same_level() {
        // A theme and its only idea cover the same text on both sides.
        let tree_a = vec![node(1, 1, &[2]), node(2, 3, &[])];
        let tree_b = vec![node(11, 1, &[12]), node(12, 3, &[])];
        let c = cov(&[(1, 0, 50)]);
        let ca: HashMap<_, _> = [(1, c.clone()), (2, c.clone())].into();
        let cb: HashMap<_, _> = [(11, c.clone()), (12, c)].into();
        for (ta, tb) in [
            (tree_a.clone(), tree_b.clone()),
            (tree_a.clone(), tree_b.iter().rev().cloned().collect()),
        ] {
            let al = align(&ta, &ca, &tb, &cb, &AlignOptions::default()).unwrap();
            let mut pairs: Vec<(i64, i64)> = al.matched.iter().map(|p| (p.a, p.b)).collect();
            pairs.sort_unstable();
            assert_eq!(pairs, vec![(1, 11), (2, 12)]);
            assert!((al.total_jaccard - 2.0).abs() < 1e-12);
        }
    }

    #[test]
    fn hungarian_beats_greedy() {
        // Greedy takes (0,0)=0.9 and is left with (1,1)=0.0; the optimum
        // is (0,1)+(1,0) = 0.8 + 0.8.
        let w = vec![vec![0.9, 0.8], vec![0.8, 0.0]];
        assert_eq!(max_weight_matching(&w, 2, 2), vec![Some(1), Some(0)]);
        // More rows than columns.
        let w = vec![vec![0.1], vec![0.7], vec![0.3]];
        assert_eq!(max_weight_matching(&w, 3, 1), vec![None, Some(0), None]);
    }

    #[test]
    fn align_matches_renamed_themes_and_leaves_the_rest() {
        let tree_a = vec![node(1, 3, &[]), node(2, 3, &[]), node(3, 3, &[])];
        let tree_b = vec![node(11, 3, &[]), node(12, 3, &[])];
        let ca: HashMap<_, _> = [
            (1, cov(&[(1, 0, 100)])),
            (2, cov(&[(1, 200, 300)])),
            (3, cov(&[(1, 500, 600)])),
        ]
        .into();
        let cb: HashMap<_, _> = [
            (11, cov(&[(1, 210, 300)])),
            (12, cov(&[(1, 10, 90), (1, 590, 700)])),
        ]
        .into();
        let al = align(&tree_a, &ca, &tree_b, &cb, &AlignOptions::default()).unwrap();
        let pairs: Vec<(i64, i64)> = al.matched.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(pairs, vec![(2, 11), (1, 12)]);
        assert_eq!(al.unmatched_a, vec![3]);
        assert!(al.unmatched_b.is_empty());
        let strict = AlignOptions {
            min_jaccard: 0.95,
            level: None,
        };
        let al = align(&tree_a, &ca, &tree_b, &cb, &strict).unwrap();
        assert!(al.matched.is_empty());
        assert!(matches!(
            align(
                &tree_a,
                &ca,
                &tree_b,
                &cb,
                &AlignOptions {
                    min_jaccard: 2.0,
                    level: None
                }
            ),
            Err(AlignError::Threshold(_))
        ));
    }
}
