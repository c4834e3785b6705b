//! How a rewrite of a source's text moves the spans anchored in it, written
//! once for every backend: the replacements sorted and checked, the new
//! text, where each position goes ([`Shifts`]), and what becomes of each
//! coding ([`plan_codings`]). A backend reads the source's codings, turns and
//! memos, asks these where they go, and writes that back in its own SQL, so
//! an edit, a de-identification or a withdrawal moves spans alike on SQLite
//! and PostgreSQL. A user's edit of a source is narrowed here too
//! ([`narrowed_edit`]) and reported alike ([`edit_outcome`]); every writer
//! answers a [`Spliced`]. The rules themselves are described in `edit`'s
//! module docs.

use std::collections::HashSet;

use unicode_normalization::{UnicodeNormalization, is_nfc};
use verbatim_core::Span;

use crate::{AffectedCoding, EditReport, Scope, StoreError};

/// One replacement of a core splice: the chars `[start, end)` of the old
/// text become `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    /// First char replaced.
    pub start: i64,
    /// Char just past the range replaced.
    pub end: i64,
    /// What takes its place.
    pub text: String,
}

/// The narrowed edit and the position mapping it implies.
#[derive(Debug, Clone, Copy)]
pub struct Shift {
    /// First char replaced.
    pub start: i64,
    /// Char just past the range replaced.
    pub end: i64,
    /// How many chars take its place.
    pub inserted: i64,
}

impl Shift {
    /// Returns the change in length this shift makes.
    pub fn delta(self) -> i64 {
        self.inserted - (self.end - self.start)
    }

    /// Returns true when the passage `[a, b)` changes text (not a mere move).
    pub fn touches(self, a: i64, b: i64) -> bool {
        if self.start == self.end {
            a <= self.start && self.start < b
        } else {
            a < self.end && b > self.start
        }
    }

    /// Returns true when every char of `[a, b)` is replaced and the passage
    /// is not the replaced range itself (or, when `exclusive`, even if it is).
    pub fn swallows(self, a: i64, b: i64, exclusive: bool) -> bool {
        self.start < self.end
            && self.start <= a
            && b <= self.end
            && (exclusive || (a, b) != (self.start, self.end))
    }
}

/// Several non-overlapping shifts, ascending, mapped in one pass.
///
/// In the ordinary (inclusive) mapping a passage that ends inside a
/// replaced range stretches over the replacement, as a corrected word stays
/// coded. In the exclusive mapping (a withdrawn turn replaced by a notice) a
/// passage keeps only the words outside the range: its end stops where the
/// range begins and its start resumes after the replacement.
#[derive(Debug, Clone)]
pub struct Shifts {
    /// The shifts, ascending.
    pub edits: Vec<Shift>,
    /// True for the exclusive mapping.
    pub exclusive: bool,
}

impl Shifts {
    /// Returns the shifts of splices already sorted by [`sorted_splices`].
    pub fn new(sorted: &[&Splice], exclusive: bool) -> Self {
        Shifts {
            edits: sorted
                .iter()
                .map(|s| Shift {
                    start: s.start,
                    end: s.end,
                    inserted: s.text.chars().count() as i64,
                })
                .collect(),
            exclusive,
        }
    }

    /// Returns the change in the text's length, in chars.
    pub fn delta(&self) -> i64 {
        self.edits.iter().map(|e| e.delta()).sum()
    }

    /// Maps a position that starts (`is_end == false`) or ends a span.
    pub fn map(&self, p: i64, is_end: bool) -> i64 {
        let mut offset = 0;
        for e in &self.edits {
            let (before, after) = if self.exclusive && is_end {
                (p <= e.start, p > e.end)
            } else if self.exclusive {
                (p < e.start, p >= e.end)
            } else {
                (p <= e.start, p >= e.end)
            };
            if before {
                break;
            }
            if after {
                offset += e.delta();
                continue;
            }
            let into = if is_end != self.exclusive {
                e.inserted
            } else {
                0
            };
            return e.start + offset + into;
        }
        p + offset
    }

    /// Maps a position that starts a span.
    pub fn map_start(&self, p: i64) -> i64 {
        self.map(p, false)
    }

    /// Maps a position that ends a span.
    pub fn map_end(&self, p: i64) -> i64 {
        self.map(p, true)
    }

    /// Maps a turn: turns always take the inclusive mapping, so a replaced
    /// turn holds its replacement.
    pub fn map_turn(&self, a: i64, b: i64) -> (i64, i64) {
        let inclusive = Shifts {
            edits: self.edits.clone(),
            exclusive: false,
        };
        (inclusive.map_start(a), inclusive.map_end(b))
    }

    /// Returns true when some shift changes the text of `[a, b)`.
    pub fn touches(&self, a: i64, b: i64) -> bool {
        self.edits.iter().any(|e| e.touches(a, b))
    }

    /// Returns true when some shift replaces all of `[a, b)`.
    pub fn swallows(&self, a: i64, b: i64) -> bool {
        self.edits.iter().any(|e| e.swallows(a, b, self.exclusive))
    }
}

/// A coding of a source, with its code and coder.
#[derive(Debug, Clone)]
pub struct CodingRow {
    /// The coding's id.
    pub id: i64,
    /// Its code's id.
    pub code_id: i64,
    /// Its coder's id.
    pub coder_id: i64,
    /// Its code's name.
    pub code: String,
    /// Its coder's name.
    pub coder: String,
    /// Its first char.
    pub start: i64,
    /// The char just past it.
    pub end: i64,
}

/// What to do with one coding.
pub enum Plan {
    /// Same span, but the text inside it changed (report only).
    Stay,
    /// Moves to this span.
    Move(i64, i64),
    /// Goes, for this reason.
    Delete(String),
}

/// What became of one coding whose passage a splice changed.
#[derive(Debug, Clone)]
pub struct CodingFate {
    /// The coding as it was.
    pub row: CodingRow,
    /// Its new span, unless deleted.
    pub new: Option<(i64, i64)>,
    /// Why it was deleted, if it was.
    pub deleted: Option<String>,
}

/// The splices by position, refused when two overlap or one falls outside
/// the source's `chars`.
pub fn sorted_splices(splices: &[Splice], chars: i64) -> Result<Vec<&Splice>, StoreError> {
    let mut sorted: Vec<&Splice> = splices.iter().collect();
    sorted.sort_by_key(|s| (s.start, s.end));
    let mut last = 0;
    for s in &sorted {
        if s.start < last || s.end < s.start || s.end > chars {
            return Err(StoreError::Invalid(format!(
                "replacements [{}, {}) overlap or fall outside the source's {chars} characters",
                s.start, s.end
            )));
        }
        last = s.end;
    }
    Ok(sorted)
}

/// The text with every (sorted) splice made, refused when it is no longer
/// NFC.
pub fn spliced_text(text: &str, sorted: &[&Splice]) -> Result<String, StoreError> {
    // Build the new text from the end, so earlier positions stay valid.
    let mut new_text = text.to_owned();
    for s in sorted.iter().rev() {
        let shift = Shift {
            start: s.start,
            end: s.end,
            inserted: 0,
        };
        new_text = splice(&new_text, shift, &s.text);
    }
    if !is_nfc(&new_text) {
        return Err(StoreError::Invalid(
            "the replacement would merge with the characters around it (a combining accent at its edge): include the neighbouring letter in the span".into(),
        ));
    }
    Ok(new_text)
}

/// Decides each coding's fate (codings the splices leave alone get none),
/// by position, so that two codings that come to cover the same passage
/// keep the first.
pub fn plan_codings(codings: &[CodingRow], shifts: &Shifts) -> Vec<(usize, Plan)> {
    let mut plans: Vec<(usize, Plan)> = Vec::new();
    let mut taken: HashSet<(i64, i64, i64, i64)> = HashSet::new();
    let mut order: Vec<usize> = (0..codings.len()).collect();
    order.sort_by_key(|&i| (codings[i].start, codings[i].end, codings[i].id));
    for i in order {
        let c = &codings[i];
        let (a, b) = (shifts.map_start(c.start), shifts.map_end(c.end));
        let plan = if shifts.swallows(c.start, c.end) {
            Plan::Delete("its whole passage was replaced".into())
        } else if a >= b {
            Plan::Delete("its passage became empty".into())
        } else if !taken.insert((c.code_id, c.coder_id, a, b)) {
            Plan::Delete(
                "it now covers the same passage as another coding of its coder and code".into(),
            )
        } else if (a, b) == (c.start, c.end) {
            if !shifts.touches(c.start, c.end) {
                continue;
            }
            Plan::Stay
        } else {
            Plan::Move(a, b)
        };
        plans.push((i, plan));
    }
    plans
}

/// The codings whose passage's text changed or that go, with their fate,
/// and how many only move with their words.
pub fn coding_fates(
    codings: &[CodingRow],
    plans: &[(usize, Plan)],
    shifts: &Shifts,
) -> (Vec<CodingFate>, usize) {
    let mut changed = Vec::new();
    let mut shifted = 0;
    for (i, plan) in plans {
        let c = &codings[*i];
        let touched = match plan {
            Plan::Delete(_) => true,
            Plan::Move(..) | Plan::Stay => shifts.touches(c.start, c.end),
        };
        if !touched {
            shifted += 1;
            continue;
        }
        let (new, deleted) = match plan {
            Plan::Stay => (Some((c.start, c.end)), None),
            Plan::Move(a, b) => (Some((*a, *b)), None),
            Plan::Delete(why) => (None, Some(why.clone())),
        };
        changed.push(CodingFate {
            row: c.clone(),
            new,
            deleted,
        });
    }
    (changed, shifted)
}

/// Returns `text` with the narrowed range replaced by `inserted`.
pub fn splice(text: &str, shift: Shift, inserted: &str) -> String {
    let byte = |at: i64| {
        text.char_indices()
            .nth(usize::try_from(at).unwrap_or(usize::MAX))
            .map_or(text.len(), |(b, _)| b)
    };
    let (from, to) = (byte(shift.start), byte(shift.end));
    let mut out = String::with_capacity(text.len() + inserted.len());
    out.push_str(&text[..from]);
    out.push_str(inserted);
    out.push_str(&text[to..]);
    out
}

/// Returns the chars `[a, b)` of `text`.
pub fn slice(text: &str, a: i64, b: i64) -> String {
    let a = usize::try_from(a).unwrap_or(0);
    let b = usize::try_from(b).unwrap_or(0);
    text.chars().skip(a).take(b.saturating_sub(a)).collect()
}

/// The order in which a backend applies coding plans without ever breaking
/// the `(source, code, coder, start, end)` uniqueness: the codings to
/// delete first, then the moves (from the far end when the text grows, from
/// the near end when it shrinks), and whether some cycle of moves still
/// collides, in which case every moved coding first parks at
/// `start - PARK` (see [`PARK`]).
pub fn move_order<'a>(
    codings: &'a [CodingRow],
    plans: &[(usize, Plan)],
    delta: i64,
) -> MoveOrder<'a> {
    let mut occupied: HashSet<(i64, i64, i64, i64)> = codings
        .iter()
        .map(|c| (c.code_id, c.coder_id, c.start, c.end))
        .collect();
    let mut deletes = Vec::new();
    for (i, plan) in plans {
        if let Plan::Delete(_) = plan {
            let c = &codings[*i];
            occupied.remove(&(c.code_id, c.coder_id, c.start, c.end));
            deletes.push(c.id);
        }
    }
    let mut moves: Vec<(&CodingRow, i64, i64)> = plans
        .iter()
        .filter_map(|(i, p)| match p {
            Plan::Move(a, b) => Some((&codings[*i], *a, *b)),
            Plan::Delete(_) | Plan::Stay => None,
        })
        .collect();
    moves.sort_by_key(|(c, _, _)| (c.start, c.end, c.id));
    if delta > 0 {
        moves.reverse();
    }
    let collides = moves.iter().any(|(c, a, b)| {
        occupied.remove(&(c.code_id, c.coder_id, c.start, c.end));
        !occupied.insert((c.code_id, c.coder_id, *a, *b))
    });
    (deletes, moves, collides)
}

/// What [`move_order`] answers: the codings to delete, the moves in
/// order (coding, new start, new end), and whether they must park first.
pub type MoveOrder<'a> = (Vec<i64>, Vec<(&'a CodingRow, i64, i64)>, bool);

/// How far a moved coding parks when moves collide: far below any text.
pub const PARK: i64 = 1 << 40;

/// Returns the SHA-256 (hex) a source's text is known by.
pub fn text_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What to do with one memo anchored to a passage of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoMove {
    /// Delete it: its whole anchor was removed (exclusive splices only).
    Delete,
    /// Move it to `[start, end)`.
    Move(i64, Option<i64>),
}

/// Where the memo anchored at `[a, b)` goes (`None`: it stays).
pub fn memo_move(shifts: &Shifts, a: i64, b: Option<i64>) -> Option<MemoMove> {
    if shifts.exclusive && shifts.swallows(a, b.unwrap_or(a + 1)) {
        return Some(MemoMove::Delete);
    }
    let na = shifts.map_start(a);
    let nb = b.map(|b| shifts.map_end(b).max(na));
    ((na, nb) != (a, b)).then_some(MemoMove::Move(na, nb))
}

/// What a core splice changed in one source, as every backend's writer
/// answers it.
#[derive(Debug, Clone)]
pub struct Spliced {
    /// The old text.
    pub old_text: String,
    /// The new text.
    pub new_text: String,
    /// The new text's length in chars.
    pub chars: i64,
    /// Codings whose passage's text changed or that were deleted.
    pub changed: Vec<CodingFate>,
    /// Codings moved without their text changing.
    pub shifted: usize,
    /// Codings moved.
    pub moved: usize,
    /// Turns moved.
    pub turns_changed: usize,
    /// Anchored memos moved.
    pub memos_changed: usize,
    /// Anchored memos deleted because their whole passage was removed
    /// (exclusive splices only).
    pub memos_removed: usize,
    /// The titles and texts of those memos (for redaction elsewhere).
    pub removed_memo_texts: Vec<String>,
}

/// How many of `plans` move a coding.
pub fn moved(plans: &[(usize, Plan)]) -> usize {
    plans
        .iter()
        .filter(|(_, p)| matches!(p, Plan::Move(..)))
        .count()
}

/// The refusal of a rewrite that would make a source's text the same as
/// source `twin`'s.
pub fn twin_text(twin: &str) -> StoreError {
    StoreError::Invalid(format!(
        "after this edit the text would be identical to source {twin:?}: a study holds each text once"
    ))
}

/// One user's edit of a source, narrowed to the chars that change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NarrowedEdit {
    /// First char that changes.
    pub start: i64,
    /// Char just past the range that changes, in the old text.
    pub end: i64,
    /// The old text of that range.
    pub removed: String,
    /// The text put in its place (NFC).
    pub inserted: String,
}

impl NarrowedEdit {
    /// The edit as a splice.
    pub fn splice(&self) -> Splice {
        Splice {
            start: self.start,
            end: self.end,
            text: self.inserted.clone(),
        }
    }
}

/// Checks that `span` lies in source `name` of `chars` chars and narrows
/// the edit of `text` to the chars that change ([`least_change`]).
pub fn narrowed_edit(
    name: &str,
    chars: i64,
    text: &str,
    span: Span,
    replacement: &str,
) -> Result<NarrowedEdit, StoreError> {
    super::rules::storable(replacement, "the replacement text")?;
    span.within(usize::try_from(chars).unwrap_or(0)).map_err(|_| {
        StoreError::Invalid(format!(
            "the span [{}, {}) is outside source {name:?}, which has {chars} characters: give --start and --end between 0 and {chars}",
            span.start(),
            span.end()
        ))
    })?;
    let (start, end, removed, inserted) = least_change(text, span, replacement)?;
    Ok(NarrowedEdit {
        start,
        end,
        removed,
        inserted,
    })
}

/// The least edit that turns the chars `span` of `text` into
/// `replacement` (NFC): the chars both share at either end are left in
/// place, so spans there do not move. Returns its `start`, `end`, the text
/// removed and the text inserted; refused when nothing changes.
fn least_change(
    text: &str,
    span: Span,
    replacement: &str,
) -> Result<(i64, i64, String, String), StoreError> {
    let replacement: Vec<char> = replacement.nfc().collect();
    let old: Vec<char> = text.chars().skip(span.start()).take(span.len()).collect();
    let prefix = old
        .iter()
        .zip(&replacement)
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(replacement[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let removed: String = old[prefix..old.len() - suffix].iter().collect();
    let inserted: String = replacement[prefix..replacement.len() - suffix]
        .iter()
        .collect();
    if removed.is_empty() && inserted.is_empty() {
        return Err(StoreError::Invalid(
            "the replacement is the same as the text: nothing to change".into(),
        ));
    }
    let (start, end) = ((span.start() + prefix) as i64, (span.end() - suffix) as i64);
    Ok((start, end, removed, inserted))
}

/// Returns what an edit reports to the scope's coder and its audit entry's
/// summary, once written (`done`); `chars` is the source's length before.
pub fn edit_outcome(
    scope: &Scope,
    (source, name): (i64, String),
    chars: i64,
    edit: NarrowedEdit,
    done: &Spliced,
) -> (EditReport, serde_json::Value) {
    let (affected, hidden_affected) = affected_codings(scope, done);
    let deleted: Vec<i64> = done
        .changed
        .iter()
        .filter(|f| f.deleted.is_some())
        .map(|f| f.row.id)
        .collect();
    let summary = serde_json::json!({
        "start": edit.start,
        "end": edit.end,
        "removed": edit.removed,
        "inserted": edit.inserted,
        "codings_moved": done.moved,
        "codings_deleted": deleted,
        "turns": done.turns_changed,
        "memos": done.memos_changed,
    });
    let report = EditReport {
        source_id: source,
        source: name,
        start: edit.start,
        end: edit.end,
        removed: edit.removed,
        inserted: edit.inserted,
        delta: done.chars - chars,
        chars: done.chars,
        codings_shifted: done.shifted,
        turns_changed: done.turns_changed,
        memos_changed: done.memos_changed,
        affected,
        hidden_affected,
    };
    (report, summary)
}

/// The codings an edit changed that `scope` may see, before and after,
/// and how many others it changed in layers hidden from it.
fn affected_codings(scope: &Scope, done: &Spliced) -> (Vec<AffectedCoding>, usize) {
    let mut affected = Vec::new();
    let mut hidden_affected = 0;
    for fate in &done.changed {
        let c = &fate.row;
        if !scope.may_see(Some(c.coder_id)) {
            hidden_affected += 1;
            continue;
        }
        affected.push(AffectedCoding {
            id: c.id,
            code: c.code.clone(),
            coder: c.coder.clone(),
            old_start: c.start,
            old_end: c.end,
            old_text: slice(&done.old_text, c.start, c.end),
            new_start: fate.new.map(|n| n.0),
            new_end: fate.new.map(|n| n.1),
            new_text: fate.new.map(|(a, b)| slice(&done.new_text, a, b)),
            deleted: fate.deleted.clone(),
        });
    }
    (affected, hidden_affected)
}
