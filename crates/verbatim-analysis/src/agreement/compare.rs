//! The comparison itself: every code, source by source, for every pair of
//! coders and for the group.
//!
//! Split from `agreement.rs` so that the sweep reads in named steps: the
//! [`Frame`] (which pairs, which sources each may count), one code's
//! [`Tally`] built source by source, and the [`Sums`] that pool codes into
//! the overall row.

use super::{
    CharCounts, CharSummary, CharTable, CodeRow, ComparedSource, Comparison, Coverage,
    GroupSummary, MeanSums, PairSummary, Passage, SegmentCounts, SegmentSummary, Settings,
    SourceRow, SourceScope, summarise,
};

/// Compares `coders` coders on `codes` codes, each pair only on the sources
/// both coded and the group only on the sources all coded (passages in
/// other sources are not counted).
pub fn compare_coded(
    coders: usize,
    codes: usize,
    sources: &[ComparedSource],
    passages: &mut [Passage],
    settings: Settings,
) -> Comparison {
    passages.sort_unstable_by_key(|p| (p.code, p.source, p.coder, p.start, p.end));
    let frame = Frame::new(coders, codes, sources, settings);
    let mut overall = Sums::new(frame.pairs.len(), coders);
    let mut by_code = Vec::with_capacity(codes);
    let mut rest = &passages[..];
    for code in 0..codes {
        let n = rest.partition_point(|p| p.code == code);
        let (mine, tail) = rest.split_at(n);
        rest = tail;
        let mut tally = Tally::new(&frame);
        for here in mine.chunk_by(|x, y| x.source == y.source) {
            tally.add_source(&frame, here);
        }
        tally.count_uncoded(&frame);
        overall.add(&tally.sums);
        by_code.push(tally.sums.row(&frame, code, tally.rows));
    }
    let overall = overall.row(&frame, codes, Vec::new());
    let Frame {
        pair_scopes,
        group_scope,
        settings,
        ..
    } = frame;
    Comparison {
        coders,
        codes,
        chars: group_scope.chars,
        pair_scopes,
        group_scope,
        threshold: settings.threshold,
        overlap_base: settings.overlap_base,
        by_code,
        overall,
    }
}

/// What a comparison runs over: the coders' pairs, and the sources each
/// pair and the whole group may count.
struct Frame<'a> {
    coders: usize,
    codes: usize,
    sources: &'a [ComparedSource],
    pairs: Vec<(usize, usize)>,
    pair_scopes: Vec<SourceScope>,
    pair_masks: Vec<Vec<bool>>,
    group_scope: SourceScope,
    group_mask: Vec<bool>,
    settings: Settings,
}

impl<'a> Frame<'a> {
    fn new(coders: usize, codes: usize, sources: &'a [ComparedSource], settings: Settings) -> Self {
        let pairs: Vec<(usize, usize)> = (0..coders)
            .flat_map(|a| (a + 1..coders).map(move |b| (a, b)))
            .collect();
        let pair_scopes: Vec<SourceScope> = pairs
            .iter()
            .map(|&(a, b)| SourceScope::of(vec![a, b], sources))
            .collect();
        let pair_masks = pair_scopes.iter().map(|s| s.mask(sources.len())).collect();
        let group_scope = SourceScope::of((0..coders).collect(), sources);
        let group_mask = group_scope.mask(sources.len());
        Self {
            coders,
            codes,
            sources,
            pairs,
            pair_scopes,
            pair_masks,
            group_scope,
            group_mask,
            settings,
        }
    }
}

/// Pooled counts per pair and for the group: one code's, or every code's.
struct Sums {
    tables: Vec<CharTable>,
    segments: Vec<SegmentCounts>,
    means: Vec<MeanSums>,
    counts: CharCounts,
}

impl Sums {
    fn new(pairs: usize, coders: usize) -> Self {
        Self {
            tables: vec![CharTable::default(); pairs],
            segments: vec![SegmentCounts::default(); pairs],
            means: vec![MeanSums::default(); pairs],
            counts: CharCounts {
                by_count: vec![0; coders + 1],
            },
        }
    }

    fn add(&mut self, other: &Sums) {
        self.counts.add(&other.counts);
        for i in 0..self.tables.len() {
            self.tables[i].add(&other.tables[i]);
            self.segments[i].add(&other.segments[i]);
            self.means[i].add(&other.means[i]);
        }
    }

    fn row(self, frame: &Frame<'_>, code: usize, sources: Vec<SourceRow>) -> CodeRow {
        CodeRow {
            code,
            group: GroupSummary::of(self.counts),
            pairs: summarise(
                &frame.pairs,
                &self.tables,
                &self.segments,
                &self.means,
                frame.codes,
            ),
            sources,
        }
    }
}

/// One code's counts, built source by source where someone used it.
struct Tally {
    sums: Sums,
    /// Per pair: sources and chars where someone used the code.
    coded_sources: Vec<u64>,
    coded_chars: Vec<u64>,
    group_coded_chars: u64,
    rows: Vec<SourceRow>,
}

impl Tally {
    fn new(frame: &Frame<'_>) -> Self {
        let pairs = frame.pairs.len();
        Self {
            sums: Sums::new(pairs, frame.coders),
            coded_sources: vec![0; pairs],
            coded_chars: vec![0; pairs],
            group_coded_chars: 0,
            rows: Vec::new(),
        }
    }

    /// Counts the code's passages in one source (`here`, all of one source).
    fn add_source(&mut self, frame: &Frame<'_>, here: &[Passage]) {
        let Some(source) = here.first().map(|p| p.source) else {
            return;
        };
        let size = frame.sources.get(source).map_or(0, |s| s.chars);
        let mut raw: Vec<Vec<(u64, u64)>> = vec![Vec::new(); frame.coders];
        for p in here {
            if let Some(spans) = raw.get_mut(p.coder) {
                spans.push((p.start, p.end));
            }
        }
        let coverages: Vec<Coverage> = raw
            .iter()
            .map(|spans| Coverage::from_spans(spans.iter().copied()))
            .collect();
        let in_group = frame.group_mask.get(source).copied().unwrap_or(false);
        let group = in_group.then(|| {
            let refs: Vec<&Coverage> = coverages.iter().collect();
            CharCounts::of(&refs, size)
        });
        if let Some(here_counts) = &group {
            self.sums.counts.add(here_counts);
            self.group_coded_chars += size;
        }
        let row_pairs = self.add_pairs(frame, source, size, &raw, &coverages);
        if frame.settings.by_source && (group.is_some() || !row_pairs.is_empty()) {
            self.rows.push(SourceRow {
                source,
                group: group.map(GroupSummary::of),
                pairs: row_pairs,
            });
        }
    }

    /// Counts one source for every pair that may count it; returns the
    /// source's per-pair rows when they are kept.
    fn add_pairs(
        &mut self,
        frame: &Frame<'_>,
        source: usize,
        size: u64,
        raw: &[Vec<(u64, u64)>],
        coverages: &[Coverage],
    ) -> Vec<PairSummary> {
        let Settings {
            threshold,
            overlap_base,
            by_source,
        } = frame.settings;
        let mut row_pairs = Vec::new();
        for (i, &(a, b)) in frame.pairs.iter().enumerate() {
            if !frame.pair_masks[i].get(source).copied().unwrap_or(false) {
                continue;
            }
            let table = CharTable::of(&coverages[a], &coverages[b], size);
            let seg = SegmentCounts::measured(&raw[a], &raw[b], threshold, overlap_base);
            self.sums.tables[i].add(&table);
            self.sums.segments[i].add(&seg);
            self.sums.means[i].push(table.nvivo_kappa(), size, 1);
            self.coded_sources[i] += 1;
            self.coded_chars[i] += size;
            if by_source {
                row_pairs.push(PairSummary {
                    a,
                    b,
                    chars: CharSummary::of(table),
                    nvivo_means: None,
                    segments: SegmentSummary::of(seg, frame.codes),
                });
            }
        }
        row_pairs
    }

    /// Sources in scope where nobody used the code: every character agrees
    /// on "not this code".
    fn count_uncoded(&mut self, frame: &Frame<'_>) {
        self.sums.counts.by_count[0] += frame
            .group_scope
            .chars
            .saturating_sub(self.group_coded_chars);
        for (i, scope) in frame.pair_scopes.iter().enumerate() {
            let uncoded = scope.chars.saturating_sub(self.coded_chars[i]);
            let uncoded_sources =
                (scope.sources.len() as u64).saturating_sub(self.coded_sources[i]);
            self.sums.tables[i].neither += uncoded;
            self.sums.means[i].push(1.0, uncoded, uncoded_sources);
        }
    }
}
