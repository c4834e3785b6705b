//! Intercoder agreement on coded passages: characters and segments.
//!
//! When coders mark passages of the same transcripts with a shared
//! codebook, two questions get asked: do they code the same *stretches of
//! text* (NVivo's Coding Comparison), and do they find the same *segments*
//! (MAXQDA's Intercoder Agreement)? This module answers both from span
//! boundaries alone, without per-character arrays: a coder's codings of one
//! code in one source are merged into a sorted list of disjoint half-open
//! intervals ([`Coverage`]), and every count is a sweep over boundaries, so
//! the cost is O(passages), not O(characters). Positions are Unicode scalar
//! values, verbatim's unit for every span.
//!
//! Definitions (`shared/research/agreement.md`):
//!
//! - **Character level, NVivo** (§2.2–2.3): the unit is a character of the
//!   source; each coder has coded it or not. [`CharTable`] holds the 2 × 2
//!   counts (both, A only, B only, neither); percent agreement is
//!   `(both + neither) / TU` and kappa is Cohen's on that table. NVivo shows
//!   1 where the formula is 0/0 (nobody coded, or both coded everything);
//!   [`CharTable::kappa`] says *undefined* there and
//!   [`CharTable::nvivo_kappa`] gives NVivo's figure. Across sources the
//!   pooled table is the default figure (§7.2), and the unweighted and
//!   size-weighted means of NVivo's per-source values ([`NvivoMeans`]) are
//!   given beside it, since NVivo users average those themselves (§2.4).
//! - **Character level, coded characters only**: percent agreement on the
//!   same table with the "neither" cell left out, `both / (both + A only +
//!   B only)` (the Jaccard index of the two coverages), so that long
//!   uncoded stretches do not inflate agreement
//!   ([`CharTable::without_neither`]). No kappa is given for it: with the
//!   fourth cell empty, Cohen's numerator is `−2 · A only · B only`, so the
//!   "kappa" is never positive and says nothing.
//! - **Fleiss' kappa at character level** (§5.4) for `m ≥ 2` coders: each
//!   character is a subject rated coded/not coded by every coder
//!   ([`CharCounts`]). The same counts give Krippendorff's binary alpha with
//!   characters as units (§4.4: *not* ATLAS.ti's α-binary, which pairs
//!   segments differently).
//! - **Segment level, MAXQDA** (§3.2–3.3): a coder's segment agrees when the
//!   other coder has a segment of the same code in the same source whose
//!   overlap with it, measured as intersection over union, is at least the
//!   threshold (90 % by default). Segments of both coders are evaluated;
//!   `a` counts the matched segments of both sides, `b` and `c` each side's
//!   unmatched ones, and kappa follows Brennan & Prediger with `p_e = 1/k`
//!   for `k` codes in the analysis ([`segment_kappa`]). How MAXQDA counts a
//!   matched pair is still to be confirmed on an installation (§9).

use serde::Serialize;

use crate::reliability::{Estimate, UndefinedReason};

mod compare;
mod sources;
pub use compare::compare_coded;
pub use sources::{ComparedSource, SourceScope};

/// One coder's coverage of one code in one source: sorted, disjoint,
/// non-adjacent half-open intervals `[start, end)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    intervals: Vec<(u64, u64)>,
}

impl Coverage {
    /// Builds a coverage from spans in any order, overlapping or not; empty
    /// spans are ignored and touching ones merge.
    pub fn from_spans(spans: impl IntoIterator<Item = (u64, u64)>) -> Self {
        let mut spans: Vec<(u64, u64)> = spans.into_iter().filter(|(s, e)| s < e).collect();
        spans.sort_unstable();
        let mut intervals: Vec<(u64, u64)> = Vec::with_capacity(spans.len());
        for (start, end) in spans {
            match intervals.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => intervals.push((start, end)),
            }
        }
        Self { intervals }
    }

    /// Returns the merged intervals.
    pub fn intervals(&self) -> &[(u64, u64)] {
        &self.intervals
    }

    /// Returns the number of characters covered.
    pub fn len(&self) -> u64 {
        self.intervals.iter().map(|(s, e)| e - s).sum()
    }

    /// Returns true when nothing is covered.
    pub fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }

    /// Returns the number of characters both coverages cover.
    pub fn intersection_len(&self, other: &Coverage) -> u64 {
        let (a, b) = (&self.intervals, &other.intervals);
        let (mut i, mut j, mut total) = (0, 0, 0);
        while i < a.len() && j < b.len() {
            let start = a[i].0.max(b[j].0);
            let end = a[i].1.min(b[j].1);
            if start < end {
                total += end - start;
            }
            if a[i].1 <= b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        total
    }
}

/// The 2 × 2 table of characters for two coders, one code, one source (or
/// the sum of such tables).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CharTable {
    /// Characters both coders coded.
    pub both: u64,
    /// Characters only the first coder coded.
    pub a_only: u64,
    /// Characters only the second coder coded.
    pub b_only: u64,
    /// Characters neither coded.
    pub neither: u64,
}

impl CharTable {
    /// Counts the table of two coverages of a source of `size` characters.
    /// Coverage beyond `size` is not expected (spans are checked against the
    /// source); if present it is counted and `neither` saturates at 0.
    pub fn of(a: &Coverage, b: &Coverage, size: u64) -> Self {
        let both = a.intersection_len(b);
        let (la, lb) = (a.len(), b.len());
        let union = la + lb - both;
        Self {
            both,
            a_only: la - both,
            b_only: lb - both,
            neither: size.saturating_sub(union),
        }
    }

    /// Returns the total number of characters (NVivo's TU).
    pub fn total(&self) -> u64 {
        self.both + self.a_only + self.b_only + self.neither
    }

    /// Adds another table's counts (pooling sources or codes).
    pub fn add(&mut self, other: &CharTable) {
        self.both += other.both;
        self.a_only += other.a_only;
        self.b_only += other.b_only;
        self.neither += other.neither;
    }

    /// Returns the same table with the "neither" cell set to 0: agreement
    /// on the characters at least one coder coded.
    pub fn without_neither(&self) -> Self {
        Self {
            neither: 0,
            ..*self
        }
    }

    /// Returns percent agreement as a proportion: `(both + neither) / TU`;
    /// undefined when neither coder coded a character (two coders who
    /// coded nothing do not agree 100 %).
    pub fn percent(&self) -> Estimate {
        let total = self.total();
        if total == 0 {
            return Estimate::Undefined {
                reason: UndefinedReason::NoPairableUnits,
            };
        }
        if self.both + self.a_only + self.b_only == 0 {
            return Estimate::Undefined {
                reason: UndefinedReason::NothingCoded,
            };
        }
        Estimate::Defined {
            value: (self.both + self.neither) as f64 / total as f64,
        }
    }

    /// Returns Cohen's kappa of the table; undefined when chance agreement
    /// is 1 (nobody coded, or both coded everything).
    pub fn kappa(&self) -> Estimate {
        let total = self.total() as f64;
        if total == 0.0 {
            return Estimate::Undefined {
                reason: UndefinedReason::NoPairableUnits,
            };
        }
        if self.both + self.a_only + self.b_only == 0 {
            return Estimate::Undefined {
                reason: UndefinedReason::NothingCoded,
            };
        }
        let coded_a = (self.both + self.a_only) as f64;
        let coded_b = (self.both + self.b_only) as f64;
        let observed = (self.both + self.neither) as f64 / total;
        let expected =
            (coded_a * coded_b + (total - coded_a) * (total - coded_b)) / (total * total);
        Estimate::chance_corrected(observed, expected)
    }

    /// Returns kappa as NVivo shows it: 1 where the formula is 0/0.
    pub fn nvivo_kappa(&self) -> f64 {
        self.kappa().value().unwrap_or(1.0)
    }
}

/// Characters of one code in one source (or pooled) by how many of `m`
/// coders coded them: `by_count[k]` characters were coded by exactly `k`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CharCounts {
    /// `by_count[k]`: characters coded by exactly `k` coders, `k = 0..=m`.
    pub by_count: Vec<u64>,
}

impl CharCounts {
    /// Sweeps the boundaries of `m` coders' coverages of a source of
    /// `size` characters.
    pub fn of(coverages: &[&Coverage], size: u64) -> Self {
        let m = coverages.len();
        let mut events: Vec<(u64, i32)> = Vec::new();
        for coverage in coverages {
            for &(s, e) in coverage.intervals() {
                events.push((s, 1));
                events.push((e, -1));
            }
        }
        events.sort_unstable();
        let mut by_count = vec![0u64; m + 1];
        let mut depth: i32 = 0;
        let mut at = 0u64;
        let mut covered = 0u64;
        for (pos, delta) in events {
            if pos > at {
                if depth > 0 {
                    let k = usize::try_from(depth).unwrap_or(0).min(m);
                    by_count[k] += pos - at;
                    covered += pos - at;
                }
                at = pos;
            }
            depth += delta;
        }
        by_count[0] = size.saturating_sub(covered);
        Self { by_count }
    }

    /// Adds another source's counts (same number of coders).
    pub fn add(&mut self, other: &CharCounts) {
        if self.by_count.len() < other.by_count.len() {
            self.by_count.resize(other.by_count.len(), 0);
        }
        for (mine, theirs) in self.by_count.iter_mut().zip(&other.by_count) {
            *mine += theirs;
        }
    }

    fn coders(&self) -> usize {
        self.by_count.len().saturating_sub(1)
    }

    /// Returns Fleiss' kappa with characters as subjects and coded / not
    /// coded as categories.
    pub fn fleiss_kappa(&self) -> Estimate {
        let m = self.coders() as f64;
        let total: u64 = self.by_count.iter().sum();
        if m < 2.0 || total == 0 {
            return Estimate::Undefined {
                reason: UndefinedReason::NoPairableUnits,
            };
        }
        let total = total as f64;
        let mut agreement = 0.0;
        let mut coded = 0.0;
        for (k, &chars) in self.by_count.iter().enumerate() {
            let k = k as f64;
            let chars = chars as f64;
            agreement += chars * (k * (k - 1.0) + (m - k) * (m - k - 1.0)) / (m * (m - 1.0));
            coded += chars * k;
        }
        let observed = agreement / total;
        let p = coded / (total * m);
        Estimate::chance_corrected(observed, p * p + (1.0 - p) * (1.0 - p))
    }

    /// Returns Krippendorff's binary alpha with characters as units (every
    /// coder rates every character): `1 − (n − 1) o_01 / (n_0 n_1)`.
    pub fn alpha(&self) -> Estimate {
        let m = self.coders() as f64;
        let total: u64 = self.by_count.iter().sum();
        if m < 2.0 || total == 0 {
            return Estimate::Undefined {
                reason: UndefinedReason::NoPairableUnits,
            };
        }
        let n = m * total as f64;
        let mut o01 = 0.0;
        let mut n1 = 0.0;
        for (k, &chars) in self.by_count.iter().enumerate() {
            let k = k as f64;
            o01 += chars as f64 * k * (m - k) / (m - 1.0);
            n1 += chars as f64 * k;
        }
        let n0 = n - n1;
        if n0 == 0.0 || n1 == 0.0 {
            return Estimate::Undefined {
                reason: UndefinedReason::NoVariation,
            };
        }
        Estimate::Defined {
            value: 1.0 - (n - 1.0) * o01 / (n0 * n1),
        }
    }
}

/// What a segment overlap is measured against, for MAXQDA-style matching.
///
/// MAXQDA's manual does not say; `research/agreement.md` §3.2 recalls the
/// union of the two segments and asks for the choice to be configurable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverlapBase {
    /// Intersection over the union of the two segments.
    #[default]
    Union,
    /// Intersection over the length of the segment being matched: a segment
    /// agrees when the other coder's segment covers enough of it.
    Own,
}

/// Segment-level matches of two coders for one code (one source, or
/// summed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SegmentCounts {
    /// The first coder's segments that the second coder matched.
    pub a_matched: u64,
    /// The first coder's segments with no match.
    pub a_unmatched: u64,
    /// The second coder's segments that the first coder matched.
    pub b_matched: u64,
    /// The second coder's segments with no match.
    pub b_unmatched: u64,
}

impl SegmentCounts {
    /// Matches the two coders' segments (as coded, not merged) with an
    /// overlap of at least `threshold` (0 < threshold ≤ 1, intersection over
    /// union).
    pub fn of(a: &[(u64, u64)], b: &[(u64, u64)], threshold: f64) -> Self {
        Self::measured(a, b, threshold, OverlapBase::Union)
    }

    /// Matches as [`SegmentCounts::of`] does, with the overlap measured
    /// against `base`.
    pub fn measured(a: &[(u64, u64)], b: &[(u64, u64)], threshold: f64, base: OverlapBase) -> Self {
        let a_matched = matched(a, b, threshold, base);
        let b_matched = matched(b, a, threshold, base);
        Self {
            a_matched,
            a_unmatched: a.len() as u64 - a_matched,
            b_matched,
            b_unmatched: b.len() as u64 - b_matched,
        }
    }

    /// Adds another source's counts.
    pub fn add(&mut self, other: &SegmentCounts) {
        self.a_matched += other.a_matched;
        self.a_unmatched += other.a_unmatched;
        self.b_matched += other.b_matched;
        self.b_unmatched += other.b_unmatched;
    }

    /// Returns the agreeing segments (both sides).
    pub fn agreements(&self) -> u64 {
        self.a_matched + self.b_matched
    }

    /// Returns the segments without a match (both sides).
    pub fn disagreements(&self) -> u64 {
        self.a_unmatched + self.b_unmatched
    }

    /// Returns the share of segments that agree; undefined with no segment.
    pub fn percent(&self) -> Estimate {
        let total = self.agreements() + self.disagreements();
        if total == 0 {
            return Estimate::Undefined {
                reason: UndefinedReason::NoPairableUnits,
            };
        }
        Estimate::Defined {
            value: self.agreements() as f64 / total as f64,
        }
    }
}

/// Returns MAXQDA's segment-level kappa: Brennan & Prediger with
/// `p_o = a / (a + b + c)` and `p_e = 1 / codes`.
pub fn segment_kappa(counts: &SegmentCounts, codes: usize) -> Estimate {
    match counts.percent() {
        Estimate::Defined { value } if codes > 0 => {
            Estimate::chance_corrected(value, 1.0 / codes as f64)
        }
        Estimate::Defined { .. } => Estimate::Undefined {
            reason: UndefinedReason::NoVariation,
        },
        undefined => undefined,
    }
}

/// One coded passage, by index into the compared coders, codes and sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passage {
    /// Index into the sources.
    pub source: usize,
    /// Index into the codes.
    pub code: usize,
    /// Index into the coders.
    pub coder: usize,
    /// First char.
    pub start: u64,
    /// Char just past the passage.
    pub end: u64,
}

/// Character-level figures of two coders derived from a [`CharTable`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CharSummary {
    /// The counts.
    pub table: CharTable,
    /// `(both + neither) / TU`.
    pub percent: Estimate,
    /// Cohen's kappa (undefined where NVivo shows 1).
    pub kappa: Estimate,
    /// Kappa as NVivo shows it.
    pub nvivo_kappa: f64,
    /// Percent agreement on characters at least one coder coded.
    pub coded_percent: Estimate,
}

impl CharSummary {
    /// Computes every figure of a table.
    pub fn of(table: CharTable) -> Self {
        Self {
            table,
            percent: table.percent(),
            kappa: table.kappa(),
            nvivo_kappa: table.nvivo_kappa(),
            coded_percent: if table.both + table.a_only + table.b_only == 0 {
                table.percent()
            } else {
                table.without_neither().percent()
            },
        }
    }
}

/// Segment-level figures of two coders.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SegmentSummary {
    /// The counts.
    pub counts: SegmentCounts,
    /// Agreeing segments over all segments.
    pub percent: Estimate,
    /// Brennan & Prediger's kappa with `p_e = 1/k`, `k` codes compared.
    pub kappa: Estimate,
}

impl SegmentSummary {
    fn of(counts: SegmentCounts, codes: usize) -> Self {
        Self {
            counts,
            percent: counts.percent(),
            kappa: segment_kappa(&counts, codes),
        }
    }
}

/// All coders' character-level figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSummary {
    /// Characters by number of coders who coded them.
    pub counts: CharCounts,
    /// Fleiss' kappa, characters as subjects.
    pub fleiss: Estimate,
    /// Krippendorff's binary alpha, characters as units.
    pub alpha: Estimate,
}

impl GroupSummary {
    fn of(counts: CharCounts) -> Self {
        Self {
            fleiss: counts.fleiss_kappa(),
            alpha: counts.alpha(),
            counts,
        }
    }
}

/// Means of NVivo's per-source kappas (agreement.md §2.4): NVivo shows
/// only per-(code, source) values and tells users to average them; each
/// source nobody coded counts with NVivo's 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct NvivoMeans {
    /// Every (code, source) value counts equally.
    pub unweighted: f64,
    /// Each value weighted by its source's size in chars.
    pub size_weighted: f64,
    /// How many (code, source) values were averaged.
    pub values: u64,
}

/// Running sums behind [`NvivoMeans`].
#[derive(Debug, Clone, Copy, Default)]
struct MeanSums {
    sum: f64,
    weighted: f64,
    values: u64,
    chars: u64,
}

impl MeanSums {
    fn push(&mut self, kappa: f64, chars: u64, count: u64) {
        self.sum += kappa * count as f64;
        self.weighted += kappa * chars as f64;
        self.values += count;
        self.chars += chars;
    }

    fn add(&mut self, other: &MeanSums) {
        self.sum += other.sum;
        self.weighted += other.weighted;
        self.values += other.values;
        self.chars += other.chars;
    }

    fn means(&self) -> Option<NvivoMeans> {
        (self.values > 0 && self.chars > 0).then(|| NvivoMeans {
            unweighted: self.sum / self.values as f64,
            size_weighted: self.weighted / self.chars as f64,
            values: self.values,
        })
    }
}

/// Two coders' agreement on one scope (a code, a code in a source, or all).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairSummary {
    /// Index of the first coder.
    pub a: usize,
    /// Index of the second coder.
    pub b: usize,
    /// Character level, on the pooled table for codes and overall.
    pub chars: CharSummary,
    /// Means of NVivo's per-source kappas (codes and overall only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nvivo_means: Option<NvivoMeans>,
    /// Segment level.
    pub segments: SegmentSummary,
}

/// Agreement on one code in one source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRow {
    /// Index of the source.
    pub source: usize,
    /// All coders, when every coder coded the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupSummary>,
    /// Every pair of coders.
    pub pairs: Vec<PairSummary>,
}

/// Agreement on one code, pooled over every source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeRow {
    /// Index of the code.
    pub code: usize,
    /// All coders, pooled.
    pub group: GroupSummary,
    /// Every pair, pooled.
    pub pairs: Vec<PairSummary>,
    /// Sources where at least one coder used the code (when asked).
    pub sources: Vec<SourceRow>,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Number of coders compared.
    pub coders: usize,
    /// Number of codes compared (MAXQDA's `k`).
    pub codes: usize,
    /// Total characters of the sources every coder coded (the group's
    /// scope; for two coders, the pair's).
    pub chars: u64,
    /// The sources each pair of coders is compared on, in pair order.
    pub pair_scopes: Vec<SourceScope>,
    /// The sources every coder coded: the scope of the group figures.
    pub group_scope: SourceScope,
    /// The overlap threshold used for segments (0 to 1).
    pub threshold: f64,
    /// What the overlap is measured against.
    pub overlap_base: OverlapBase,
    /// Per code.
    pub by_code: Vec<CodeRow>,
    /// All codes pooled (character tables summed over codes and sources).
    pub overall: CodeRow,
}

/// Compares `coders` coders on `codes` codes over sources of the given
/// sizes, every coder counting as having coded every source.
/// `by_source` keeps a row per (code, source) where anyone coded.
pub fn compare(
    coders: usize,
    codes: usize,
    source_sizes: &[u64],
    passages: &mut [Passage],
    threshold: f64,
    overlap_base: OverlapBase,
    by_source: bool,
) -> Comparison {
    let sources: Vec<ComparedSource> = source_sizes
        .iter()
        .map(|&chars| ComparedSource::coded_by_all(chars, coders))
        .collect();
    compare_coded(
        coders,
        codes,
        &sources,
        passages,
        Settings {
            threshold,
            overlap_base,
            by_source,
        },
    )
}

/// How segments are matched and whether per-source rows are kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Minimum overlap of two segments (0 < threshold ≤ 1).
    pub threshold: f64,
    /// What the overlap is measured against.
    pub overlap_base: OverlapBase,
    /// Keep a row per (code, source) where anyone coded.
    pub by_source: bool,
}

fn summarise(
    pairs: &[(usize, usize)],
    tables: &[CharTable],
    segments: &[SegmentCounts],
    means: &[MeanSums],
    codes: usize,
) -> Vec<PairSummary> {
    pairs
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| PairSummary {
            a,
            b,
            chars: CharSummary::of(tables[i]),
            nvivo_means: means[i].means(),
            segments: SegmentSummary::of(segments[i], codes),
        })
        .collect()
}

/// Returns how many segments of `of` have a segment in `other` overlapping
/// them by at least `threshold` of their union (or of their own length).
fn matched(of: &[(u64, u64)], other: &[(u64, u64)], threshold: f64, base: OverlapBase) -> u64 {
    let mut sorted: Vec<(u64, u64)> = other.to_vec();
    sorted.sort_unstable();
    let longest = sorted.iter().map(|(s, e)| e - s).max().unwrap_or(0);
    let mut count = 0;
    for &(s, e) in of {
        if s >= e {
            continue;
        }
        // Candidates start before `e` and no earlier than `s − longest`.
        let from = sorted.partition_point(|&(bs, _)| bs < s.saturating_sub(longest));
        let hit = sorted[from..]
            .iter()
            .take_while(|&&(bs, _)| bs < e)
            .any(|&(bs, be)| {
                let inter = e.min(be).saturating_sub(s.max(bs));
                let against = match base {
                    OverlapBase::Union => e.max(be) - s.min(bs),
                    OverlapBase::Own => e - s,
                };
                inter > 0 && inter as f64 >= threshold * against as f64 - 1e-9
            });
        if hit {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests;

/// MAXQDA's two document-level comparisons of two coders for one code
/// (`research/agreement.md` §3.2, variations 1 and 2): over the documents,
/// how often the coders agree that the code is present (both used it at
/// least once, or neither did), and how often they applied it the same
/// number of times.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DocumentLevel {
    /// Index into the codes.
    pub code: usize,
    /// Documents compared.
    pub documents: u64,
    /// Documents where both or neither coder used the code.
    pub presence_agree: u64,
    /// Documents where the coders used it the same number of times.
    pub frequency_agree: u64,
    /// `presence_agree / documents`.
    pub presence_percent: Estimate,
    /// `frequency_agree / documents`.
    pub frequency_percent: Estimate,
}

/// Returns, for each code, MAXQDA's document-level agreement of coders `a`
/// and `b` over `sources` documents (passages of other coders are ignored).
pub fn document_level(
    a: usize,
    b: usize,
    codes: usize,
    sources: usize,
    passages: &[Passage],
) -> Vec<DocumentLevel> {
    // counts[code][source] = (uses by a, uses by b)
    let mut counts = vec![vec![(0u64, 0u64); sources]; codes];
    for p in passages {
        let Some(cell) = counts.get_mut(p.code).and_then(|row| row.get_mut(p.source)) else {
            continue;
        };
        if p.coder == a {
            cell.0 += 1;
        } else if p.coder == b {
            cell.1 += 1;
        }
    }
    let percent = |agree: u64, of: u64| {
        if of == 0 {
            Estimate::Undefined {
                reason: crate::reliability::UndefinedReason::NoPairableUnits,
            }
        } else {
            Estimate::Defined {
                value: agree as f64 / of as f64,
            }
        }
    };
    counts
        .iter()
        .enumerate()
        .map(|(code, row)| {
            let presence_agree = row.iter().filter(|(x, y)| (*x > 0) == (*y > 0)).count() as u64;
            let frequency_agree = row.iter().filter(|(x, y)| x == y).count() as u64;
            let documents = row.len() as u64;
            DocumentLevel {
                code,
                documents,
                presence_agree,
                frequency_agree,
                presence_percent: percent(presence_agree, documents),
                frequency_percent: percent(frequency_agree, documents),
            }
        })
        .collect()
}

#[cfg(test)]
mod document_level_tests {
    use super::*;

    fn p(source: usize, code: usize, coder: usize) -> Passage {
        Passage {
            source,
            code,
            coder,
            start: 0,
            end: 1,
        }
    }

    /// Four documents, one code. Coder 0 uses it 2, 1, 0, 0 times; coder 1
    /// uses it 1, 1, 0, 3 times. Presence agrees in documents 1, 2, 3 (3/4);
    /// frequency agrees in documents 2 and 3 (2/4). Coder 2's passages are
    /// not part of the pair.
    #[test]
    fn presence_and_frequency_by_hand() {
        let passages = vec![
            p(0, 0, 0),
            p(0, 0, 0),
            p(0, 0, 1),
            p(1, 0, 0),
            p(1, 0, 1),
            p(3, 0, 1),
            p(3, 0, 1),
            p(3, 0, 1),
            p(2, 0, 2),
        ];
        let rows = document_level(0, 1, 1, 4, &passages);
        assert_eq!(rows[0].documents, 4);
        assert_eq!(rows[0].presence_agree, 3);
        assert_eq!(rows[0].frequency_agree, 2);
        assert_eq!(rows[0].presence_percent, Estimate::Defined { value: 0.75 });
        assert_eq!(rows[0].frequency_percent, Estimate::Defined { value: 0.5 });
        let none = document_level(0, 1, 1, 0, &[]);
        assert!(matches!(
            none[0].presence_percent,
            Estimate::Undefined { .. }
        ));
    }
}
