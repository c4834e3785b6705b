//! Matrix coding and code co-occurrence.
//!
//! A matrix crosses codes (rows; each row rolls up the code's descendants)
//! with columns (an attribute's values, sites, source kinds, coders) and
//! counts, in each cell, the *participants* who said something coded there
//! (the default: in a focus group, a passage counts for the speakers whose
//! turns it overlaps, not once for the source), the *passages*, or the
//! *chars* coded. Each cell keeps its passages so a reader can drill down
//! from a number to the text behind it.
//!
//! Co-occurrence crosses codes with codes: how many passages two codes
//! share (or come within N chars of each other), and the Jaccard index of
//! the text they cover.
//!
//! Everything is computed from plain spans handed in by the caller, who
//! has already applied blind layers and filters; the work is one sort of
//! the spans and linear sweeps over them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

use crate::intervals::{self, Interval};
use crate::query::Passage;

/// A hasher for ids: one multiplication instead of SipHash, since ids are
/// the study's own row ids, not input an attacker chooses. A matrix looks
/// up a code and a column for each of a million codings.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_i64(&mut self, n: i64) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A map keyed by id with the cheap hasher.
type IdMap<V> = HashMap<i64, V, BuildHasherDefault<IdHasher>>;

/// One coding, as the matrix needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodedSpan {
    /// The source's id.
    pub source: i64,
    /// The code's id.
    pub code: i64,
    /// The coder's id.
    pub coder: i64,
    /// First char.
    pub start: usize,
    /// Char just past the passage.
    pub end: usize,
}

/// One speaker turn and the participant who speaks it (`None` for an
/// interviewer: nobody counted). The caller gives a label mapped to no
/// participant its own id per source, so that it counts as one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnedTurn {
    /// The source's id.
    pub source: i64,
    /// First char of the speech.
    pub start: usize,
    /// Char just past the speech.
    pub end: usize,
    /// The participant speaking, if known.
    pub participant: Option<i64>,
}

/// Turns by source, sorted, for finding who speaks a passage.
#[derive(Debug, Clone, Default)]
pub struct Turns {
    by_source: IdMap<Vec<(usize, usize, Option<i64>)>>,
}

impl Turns {
    /// Indexes turns given in any order.
    pub fn new(turns: impl IntoIterator<Item = OwnedTurn>) -> Self {
        let mut by_source: IdMap<Vec<(usize, usize, Option<i64>)>> = IdMap::default();
        for t in turns {
            by_source
                .entry(t.source)
                .or_default()
                .push((t.start, t.end, t.participant));
        }
        for v in by_source.values_mut() {
            v.sort_unstable();
        }
        Turns { by_source }
    }

    /// Returns the turn spans of one source, sorted.
    pub fn spans(&self, source: i64) -> Vec<Interval> {
        self.by_source
            .get(&source)
            .map(|v| v.iter().map(|&(s, e, _)| (s, e)).collect())
            .unwrap_or_default()
    }

    /// Calls `f` with each participant whose turn overlaps `[start, end)`
    /// of `source` (a participant may come more than once).
    pub fn speakers(&self, source: i64, start: usize, end: usize, mut f: impl FnMut(i64)) {
        let Some(turns) = self.by_source.get(&source) else {
            return;
        };
        // Turns do not overlap one another, so ends are sorted too.
        let first = turns.partition_point(|t| t.1 <= start);
        for &(s, e, who) in &turns[first..] {
            if s >= end {
                break;
            }
            if let (Some(p), true) = (who, s < e) {
                f(p);
            }
        }
    }
}

/// A row of a matrix: a code with the codes rolled up into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowSpec {
    /// The row's label (the code's name).
    pub label: String,
    /// The code and its descendants.
    pub codes: Vec<i64>,
}

/// What the columns of a matrix are, and how a coding finds its column.
#[derive(Debug, Clone)]
pub enum Columns {
    /// By a fact of the source (site, kind, source attribute): source id →
    /// column.
    Source {
        /// Column labels.
        labels: Vec<String>,
        /// Each source's column; sources absent are left out.
        of: HashMap<i64, usize>,
    },
    /// By coder: coder id → column.
    Coder {
        /// Column labels.
        labels: Vec<String>,
        /// Each coder's column.
        of: HashMap<i64, usize>,
    },
    /// By a fact of the participant (participant attribute): participant
    /// id → column. A passage goes to the columns of the participants whose
    /// turns it overlaps.
    Participant {
        /// Column labels.
        labels: Vec<String>,
        /// Each participant's column.
        of: HashMap<i64, usize>,
    },
}

impl Columns {
    /// Returns the column labels.
    pub fn labels(&self) -> &[String] {
        match self {
            Columns::Source { labels, .. }
            | Columns::Coder { labels, .. }
            | Columns::Participant { labels, .. } => labels,
        }
    }
}

/// What a cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellValue {
    /// Distinct participants whose turns the cell's passages overlap.
    #[default]
    Participants,
    /// Passages (overlapping codings of a row in a source merge into one).
    Passages,
    /// Chars coded (the length of the union of the passages).
    Chars,
}

/// One cell: its count and what lies behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The value the matrix counts.
    pub value: usize,
    /// Distinct participants, sorted.
    pub participants: Vec<i64>,
    /// Passages, by source then position.
    pub passages: Vec<Passage>,
    /// Chars covered.
    pub chars: usize,
}

/// A codes × columns table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// Row labels.
    pub rows: Vec<String>,
    /// Column labels.
    pub columns: Vec<String>,
    /// What the cells count.
    pub value: CellValue,
    /// Cells, row by row.
    pub cells: Vec<Vec<Cell>>,
}

/// Builds a matrix from codings.
///
/// A coding counts in every row whose code list holds its code. Within a
/// cell, the codings of one source are merged into passages before
/// counting.
pub fn matrix(
    spans: &[CodedSpan],
    rows: &[RowSpec],
    columns: &Columns,
    value: CellValue,
    turns: &Turns,
) -> Matrix {
    let ncols = columns.labels().len();
    let mut cells = vec![vec![Cell::default(); ncols]; rows.len()];
    let rows_of = rows_of_codes(rows);
    let (of, by_speaker) = column_of(columns, ncols);
    // One bucket per cell (per row when the column depends on who speaks),
    // filled in one pass; then each bucket is sorted (the store hands spans
    // mostly in order, which a stable sort exploits) and merged per source.
    let width = if by_speaker { 1 } else { ncols };
    let mut buckets: Vec<Vec<(i64, usize, usize)>> = vec![Vec::new(); rows.len() * width];
    for s in spans {
        let Some(rs) = rows_of.get(&s.code) else {
            continue;
        };
        let col = match columns {
            Columns::Source { .. } => of.get(&s.source).copied(),
            Columns::Coder { .. } => of.get(&s.coder).copied(),
            Columns::Participant { .. } => Some(0),
        };
        let Some(col) = col else {
            continue;
        };
        for &r in rs {
            buckets[r as usize * width + col].push((s.source, s.start, s.end));
        }
    }
    for (b, bucket) in buckets.iter_mut().enumerate() {
        if bucket.is_empty() {
            continue;
        }
        bucket.sort();
        let row = &mut cells[b / width];
        let column = (!by_speaker).then_some(b % width);
        fill_row(row, bucket, column, &of, turns);
    }
    for cell in cells.iter_mut().flatten() {
        cell.participants.sort_unstable();
        cell.participants.dedup();
        cell.value = match value {
            CellValue::Participants => cell.participants.len(),
            CellValue::Passages => cell.passages.len(),
            CellValue::Chars => cell.chars,
        };
    }
    Matrix {
        rows: rows.iter().map(|r| r.label.clone()).collect(),
        columns: columns.labels().to_vec(),
        value,
        cells,
    }
}

/// Each code's rows: the indices of the rows whose code list holds it,
/// each once.
fn rows_of_codes(rows: &[RowSpec]) -> IdMap<Vec<u32>> {
    let mut rows_of: IdMap<Vec<u32>> = IdMap::default();
    for (r, row) in rows.iter().enumerate() {
        for &code in &row.codes {
            let v = rows_of.entry(code).or_default();
            if !v.contains(&(r as u32)) {
                v.push(r as u32);
            }
        }
    }
    rows_of
}

/// The column of each key (source, coder or participant id), leaving out
/// columns past the labels, and whether the column depends on who speaks.
fn column_of(columns: &Columns, ncols: usize) -> (IdMap<usize>, bool) {
    let (of, by_speaker) = match columns {
        Columns::Source { of, .. } | Columns::Coder { of, .. } => (of, false),
        Columns::Participant { of, .. } => (of, true),
    };
    let of = of
        .iter()
        .filter(|(_, c)| **c < ncols)
        .map(|(&k, &c)| (k, c))
        .collect();
    (of, by_speaker)
}

/// Adds one sorted bucket of spans to a row, source by source after merging
/// overlapping spans: to the cell `column`, or, when it is `None`, to the
/// columns of the participants whose turns each passage overlaps.
fn fill_row(
    row: &mut [Cell],
    bucket: &[(i64, usize, usize)],
    column: Option<usize>,
    of: &IdMap<usize>,
    turns: &Turns,
) {
    for group in bucket.chunk_by(|a, b| a.0 == b.0) {
        let source = group[0].0;
        let merged = intervals::merge_sorted(group.iter().map(|k| (k.1, k.2)));
        let Some(c) = column else {
            for &(start, end) in &merged {
                let passage = Passage { source, start, end };
                turns.speakers(source, start, end, |p| {
                    if let Some(cell) = of.get(&p).and_then(|&c| row.get_mut(c)) {
                        cell.participants.push(p);
                        if cell.passages.last() != Some(&passage) {
                            cell.passages.push(passage);
                            cell.chars += end - start;
                        }
                    }
                });
            }
            continue;
        };
        let cell = &mut row[c];
        for &(start, end) in &merged {
            turns.speakers(source, start, end, |p| cell.participants.push(p));
            cell.passages.push(Passage { source, start, end });
        }
        cell.chars += intervals::covered(&merged);
    }
}

/// One cell of a co-occurrence table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CoCell {
    /// Passages where the two codes overlap (or come within reach).
    pub passages: usize,
    /// Chars both cover.
    pub shared_chars: usize,
    /// |A ∩ B| / |A ∪ B| in chars; `None` when neither covers anything.
    pub jaccard: Option<f64>,
}

/// A codes × codes table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Cooccurrence {
    /// Row and column labels.
    pub codes: Vec<String>,
    /// Symmetric cells, row by row; the diagonal holds each code's own
    /// passages and chars.
    pub cells: Vec<Vec<CoCell>>,
}

/// Builds the co-occurrence table of `rows` over codings.
///
/// Two codes meet in a passage when their coverage overlaps, or, with
/// `near` N, when passages of each lie within N chars of one another
/// (chains of close passages count once).
pub fn cooccurrence(spans: &[CodedSpan], rows: &[RowSpec], near: Option<usize>) -> Cooccurrence {
    let rows_of = rows_of_codes(rows);
    // Source by source, each row's merged coverage; then every pair of rows
    // present in the source, on plain slices.
    let mut keyed: Vec<(i64, u32, usize, usize)> = Vec::with_capacity(spans.len());
    for s in spans {
        for &r in rows_of.get(&s.code).into_iter().flatten() {
            keyed.push((s.source, r, s.start, s.end));
        }
    }
    keyed.sort_unstable();
    let reach = near.map_or(0, |n| n.saturating_add(1));
    let n = rows.len();
    // (passages, shared chars) per pair, row-major; the diagonal holds each
    // row's own passages and chars.
    let mut acc = vec![(0usize, 0usize); n * n];
    let mut present: Vec<(usize, Vec<Interval>)> = Vec::new();
    let mut i = 0;
    while i < keyed.len() {
        let source = keyed[i].0;
        present.clear();
        while i < keyed.len() && keyed[i].0 == source {
            let r = keyed[i].1;
            let mut j = i;
            while j < keyed.len() && keyed[j].0 == source && keyed[j].1 == r {
                j += 1;
            }
            let merged = intervals::merge_sorted(keyed[i..j].iter().map(|k| (k.2, k.3)));
            let own = &mut acc[r as usize * n + r as usize];
            own.0 += merged.len();
            own.1 += intervals::covered(&merged);
            present.push((r as usize, merged));
            i = j;
        }
        for (x, (a, ca)) in present.iter().enumerate() {
            for (b, cb) in &present[x + 1..] {
                let cell = &mut acc[a * n + b];
                cell.0 += intervals::meetings(ca, cb, reach);
                cell.1 += intervals::intersect_len(ca, cb);
            }
        }
    }
    let totals: Vec<usize> = (0..n).map(|a| acc[a * n + a].1).collect();
    let mut cells = vec![
        vec![
            CoCell {
                passages: 0,
                shared_chars: 0,
                jaccard: None,
            };
            n
        ];
        n
    ];
    for a in 0..n {
        cells[a][a] = CoCell {
            passages: acc[a * n + a].0,
            shared_chars: totals[a],
            jaccard: (totals[a] > 0).then_some(1.0),
        };
        for b in a + 1..n {
            let (passages, shared) = acc[a * n + b];
            let either = totals[a] + totals[b] - shared;
            let cell = CoCell {
                passages,
                shared_chars: shared,
                jaccard: (either > 0).then(|| shared as f64 / either as f64),
            };
            cells[a][b] = cell;
            cells[b][a] = cell;
        }
    }
    Cooccurrence {
        codes: rows.iter().map(|r| r.label.clone()).collect(),
        cells,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(source: i64, code: i64, coder: i64, start: usize, end: usize) -> CodedSpan {
        CodedSpan {
            source,
            code,
            coder,
            start,
            end,
        }
    }

    /// A focus group (source 1) with three participants 10, 11, 12 and an
    /// interviewer, plus an interview (source 2) with participant 13.
    fn turns() -> Turns {
        let t = |source, start, end, participant| OwnedTurn {
            source,
            start,
            end,
            participant,
        };
        Turns::new([
            t(1, 0, 100, None),
            t(1, 100, 200, Some(10)),
            t(1, 200, 300, Some(11)),
            t(1, 300, 400, Some(12)),
            t(1, 400, 500, Some(10)),
            t(2, 0, 1000, Some(13)),
        ])
    }

    fn rows() -> Vec<RowSpec> {
        vec![
            RowSpec {
                label: "Méfiance".into(),
                codes: vec![1, 2],
            },
            RowSpec {
                label: "Contrôle".into(),
                codes: vec![3],
            },
        ]
    }

    #[test]
    fn focus_group_counts_participants_not_sources() {
        let spans = [
            // Méfiance (via its child 2) in turns of 10 and 11, one passage
            // spanning both; then 10 again; then in the interview.
            span(1, 2, 1, 150, 250),
            span(1, 1, 1, 410, 450),
            span(2, 1, 1, 10, 20),
            // Contrôle said by the interviewer only.
            span(1, 3, 1, 10, 50),
        ];
        let by_kind = Columns::Source {
            labels: vec!["focus_group".into(), "interview".into()],
            of: HashMap::from([(1, 0), (2, 1)]),
        };
        let m = matrix(&spans, &rows(), &by_kind, CellValue::Participants, &turns());
        assert_eq!(m.cells[0][0].value, 2, "participants 10 and 11");
        assert_eq!(m.cells[0][0].participants, vec![10, 11]);
        assert_eq!(m.cells[0][0].passages.len(), 2);
        assert_eq!(m.cells[0][0].chars, 140);
        assert_eq!(m.cells[0][1].value, 1);
        assert_eq!(m.cells[1][0].value, 0, "the interviewer is nobody");
        assert_eq!(m.cells[1][0].passages.len(), 1);

        let by_occupation = Columns::Participant {
            labels: vec!["nurse".into(), "doctor".into()],
            of: HashMap::from([(10, 0), (11, 1), (12, 1), (13, 0)]),
        };
        let m = matrix(
            &spans,
            &rows(),
            &by_occupation,
            CellValue::Participants,
            &turns(),
        );
        assert_eq!(m.cells[0][0].participants, vec![10, 13]);
        assert_eq!(m.cells[0][1].participants, vec![11]);
        assert_eq!(m.cells[0][0].passages.len(), 3);
        assert_eq!(m.cells[0][1].passages.len(), 1);
        let m = matrix(&spans, &rows(), &by_occupation, CellValue::Chars, &turns());
        assert_eq!(m.cells[0][0].value, 100 + 40 + 10);
    }

    #[test]
    fn coder_columns_and_overlapping_codings_merge() {
        let spans = [
            span(2, 1, 1, 0, 10),
            span(2, 2, 1, 5, 15),
            span(2, 1, 2, 100, 110),
        ];
        let by_coder = Columns::Coder {
            labels: vec!["amira".into(), "bruno".into()],
            of: HashMap::from([(1, 0), (2, 1)]),
        };
        let m = matrix(&spans, &rows(), &by_coder, CellValue::Passages, &turns());
        assert_eq!(m.cells[0][0].value, 1);
        assert_eq!(m.cells[0][0].chars, 15);
        assert_eq!(m.cells[0][1].value, 1);
    }

    #[test]
    fn cooccurrence_counts_shared_passages_and_jaccard() {
        let spans = [
            span(1, 1, 1, 0, 10),
            span(1, 3, 1, 5, 20),
            span(1, 1, 1, 100, 110),
            span(1, 3, 1, 115, 120),
        ];
        let c = cooccurrence(&spans, &rows(), None);
        assert_eq!(c.cells[0][1].passages, 1);
        assert_eq!(c.cells[0][1].shared_chars, 5);
        // |A| = 20, |B| = 20, |A ∩ B| = 5, |A ∪ B| = 35.
        assert_eq!(c.cells[0][1].jaccard, Some(5.0 / 35.0));
        assert_eq!(c.cells[0][0].passages, 2);
        let c = cooccurrence(&spans, &rows(), Some(5));
        assert_eq!(c.cells[1][0].passages, 2);
        let c = cooccurrence(&spans, &rows(), Some(4));
        assert_eq!(c.cells[1][0].passages, 1);
    }

    use proptest::prelude::*;

    fn coded() -> impl Strategy<Value = Vec<CodedSpan>> {
        prop::collection::vec((1i64..4, 1i64..4, 0usize..150, 1usize..40), 0..40).prop_map(|v| {
            v.into_iter()
                .map(|(source, code, start, len)| span(source, code, 1, start, start + len))
                .collect()
        })
    }

    /// Returns, per source, the chars a set of codes covers, one bool each.
    fn per_char(spans: &[CodedSpan], codes: &[i64]) -> Vec<Vec<bool>> {
        let mut v = vec![vec![false; 200]; 4];
        for s in spans.iter().filter(|s| codes.contains(&s.code)) {
            for c in &mut v[s.source as usize][s.start..s.end] {
                *c = true;
            }
        }
        v
    }

    proptest! {
        #[test]
        fn chars_and_jaccard_match_per_char(spans in coded()) {
            // Row 0 rolls up codes 1 and 2; row 1 is code 3.
            let rows = vec![
                RowSpec { label: "A".into(), codes: vec![1, 2] },
                RowSpec { label: "B".into(), codes: vec![3] },
            ];
            let (a, b) = (per_char(&spans, &[1, 2]), per_char(&spans, &[3]));
            let count = |f: &dyn Fn(bool, bool) -> bool| -> usize {
                a.iter().flatten().zip(b.iter().flatten()).filter(|(x, y)| f(**x, **y)).count()
            };
            let one = Columns::Source {
                labels: vec!["all".into()],
                of: HashMap::from([(1, 0), (2, 0), (3, 0)]),
            };
            let m = matrix(&spans, &rows, &one, CellValue::Chars, &Turns::default());
            prop_assert_eq!(m.cells[0][0].value, count(&|x, _| x));
            prop_assert_eq!(m.cells[1][0].value, count(&|_, y| y));
            let c = cooccurrence(&spans, &rows, None);
            let (both, either) = (count(&|x, y| x && y), count(&|x, y| x || y));
            prop_assert_eq!(c.cells[0][1].shared_chars, both);
            prop_assert_eq!(c.cells[0][1].jaccard, (either > 0).then(|| both as f64 / either as f64));
        }
    }
}
