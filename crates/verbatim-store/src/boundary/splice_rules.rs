//! The rules of rewriting a source's text, written once for every
//! backend: how an edit is narrowed to the chars that change, how every
//! position stored on the source moves (codings, turns, anchored memos),
//! which codings go, and in which order the moves are written so the
//! unique key on codings never trips. A backend reads the source's rows
//! into [`SpliceRows`], asks [`plan_splice`], and writes the plan (SQLite's
//! `edit::splice_source`, PostgreSQL's `source_edit.rs`), so both move and
//! report alike. The rules themselves are in `edit`'s module docs.

use std::collections::HashSet;

use sha2::{Digest, Sha256};
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
    /// The text put in its place.
    pub text: String,
}

/// The narrowed edit and the position mapping it implies.
#[derive(Debug, Clone, Copy)]
struct Shift {
    start: i64,
    end: i64,
    inserted: i64,
}

impl Shift {
    fn delta(self) -> i64 {
        self.inserted - (self.end - self.start)
    }

    /// Returns true when the passage `[a, b)` changes text (not a mere move).
    fn touches(self, a: i64, b: i64) -> bool {
        if self.start == self.end {
            a <= self.start && self.start < b
        } else {
            a < self.end && b > self.start
        }
    }

    /// Returns true when every char of `[a, b)` is replaced and the passage
    /// is not the replaced range itself (or, when `exclusive`, even if it is).
    fn swallows(self, a: i64, b: i64, exclusive: bool) -> bool {
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
struct Shifts {
    edits: Vec<Shift>,
    exclusive: bool,
}

impl Shifts {
    fn delta(&self) -> i64 {
        self.edits.iter().map(|e| e.delta()).sum()
    }

    /// Maps a position that starts (`is_end == false`) or ends a span.
    fn map(&self, p: i64, is_end: bool) -> i64 {
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

    fn map_start(&self, p: i64) -> i64 {
        self.map(p, false)
    }

    fn map_end(&self, p: i64) -> i64 {
        self.map(p, true)
    }

    /// Maps a turn: turns always take the inclusive mapping, so a replaced
    /// turn holds its replacement.
    fn map_turn(&self, a: i64, b: i64) -> (i64, i64) {
        let inclusive = Shifts {
            edits: self.edits.clone(),
            exclusive: false,
        };
        (inclusive.map_start(a), inclusive.map_end(b))
    }

    fn touches(&self, a: i64, b: i64) -> bool {
        self.edits.iter().any(|e| e.touches(a, b))
    }

    fn swallows(&self, a: i64, b: i64) -> bool {
        self.edits.iter().any(|e| e.swallows(a, b, self.exclusive))
    }
}

/// A coding of a source, with its code and coder.
#[derive(Debug, Clone)]
pub struct CodingRow {
    /// Its id.
    pub id: i64,
    /// Its code's id.
    pub code_id: i64,
    /// Its coder's id.
    pub coder_id: i64,
    /// Its code's name.
    pub code: String,
    /// Its coder's name.
    pub coder: String,
    /// Its span's first char.
    pub start: i64,
    /// Its span's end.
    pub end: i64,
}

/// What to do with one coding.
enum Plan {
    /// Same span, but the text inside it changed (report only).
    Stay,
    Move(i64, i64),
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

/// A source's rows an edit moves: its text, every coder's codings (by
/// id), its turns `(ordinal, start, end)` and its anchored memos `(id,
/// start, end)` (by id).
#[derive(Debug, Clone, Default)]
pub struct SpliceRows {
    /// The text.
    pub text: String,
    /// The codings.
    pub codings: Vec<CodingRow>,
    /// The turns, by ordinal.
    pub turns: Vec<(i64, i64, i64)>,
    /// The memos anchored to a passage, by id.
    pub memos: Vec<(i64, i64, Option<i64>)>,
}

/// What to do with one anchored memo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoMove {
    /// Delete it (its whole anchor was removed; exclusive splices only).
    Delete(i64),
    /// Move it to `[start, end)`.
    Move(i64, i64, Option<i64>),
}

/// The writes one splice makes, in the order a backend makes them, and
/// what it reports.
#[derive(Debug, Clone)]
pub struct SplicePlan {
    /// The old text.
    pub old_text: String,
    /// The new text.
    pub new_text: String,
    /// Its SHA-256 (the source's content hash).
    pub hash: String,
    /// Its length in chars.
    pub chars: i64,
    /// Codings to delete (with what hangs on them), in this order.
    pub deletes: Vec<i64>,
    /// Codings to move `(id, start, end)`, in this order.
    pub moves: Vec<(i64, i64, i64)>,
    /// True when the moves must first park every moved coding at a
    /// negative offset ([`PARK`] below its place), a cycle colliding.
    pub park: bool,
    /// Turns to move `(ordinal, start, end)`.
    pub turns: Vec<(i64, i64, i64)>,
    /// Memos to move or delete, by id.
    pub memos: Vec<MemoMove>,
    /// Codings whose passage's text changed or that go.
    pub changed: Vec<CodingFate>,
    /// Codings moved without their text changing.
    pub shifted: usize,
    /// Codings moved.
    pub moved: usize,
}

/// How far a moved coding parks while a cycle of moves is written.
pub const PARK: i64 = 1 << 40;

/// Plans several non-overlapping replacements of a source's text in one
/// pass: `splices` may come in any order; overlapping ones are refused.
/// With `exclusive`, codings and memo anchors keep only the words outside
/// the replaced ranges (see [`Shifts`]), and memos anchored wholly inside
/// one are deleted.
pub fn plan_splice(
    rows: SpliceRows,
    splices: &[Splice],
    exclusive: bool,
) -> Result<SplicePlan, StoreError> {
    let chars = rows.text.chars().count() as i64;
    let sorted = sorted_splices(splices, chars)?;
    let shifts = Shifts {
        edits: sorted
            .iter()
            .map(|s| Shift {
                start: s.start,
                end: s.end,
                inserted: s.text.chars().count() as i64,
            })
            .collect(),
        exclusive,
    };
    let new_text = spliced_text(&rows.text, &sorted)?;
    let plans = plan_codings(&rows.codings, &shifts);
    let (changed, shifted) = coding_fates(&rows.codings, &plans, &shifts);
    let (deletes, moves, park) = ordered_writes(&rows.codings, &plans, shifts.delta());
    let turns = rows
        .turns
        .iter()
        .filter_map(|&(ordinal, a, b)| {
            let (na, nb) = shifts.map_turn(a, b);
            ((na, nb) != (a, b)).then_some((ordinal, na, nb.max(na)))
        })
        .collect();
    let memos = rows
        .memos
        .iter()
        .filter_map(|&(id, a, b)| {
            if shifts.exclusive && shifts.swallows(a, b.unwrap_or(a + 1)) {
                return Some(MemoMove::Delete(id));
            }
            let na = shifts.map_start(a);
            let nb = b.map(|b| shifts.map_end(b).max(na));
            ((na, nb) != (a, b)).then_some(MemoMove::Move(id, na, nb))
        })
        .collect();
    Ok(SplicePlan {
        hash: content_hash(&new_text),
        chars: chars + shifts.delta(),
        old_text: rows.text,
        new_text,
        moved: moves.len(),
        deletes,
        moves,
        park,
        turns,
        memos,
        changed,
        shifted,
    })
}

/// What a splice changed in one source, as its callers report it.
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

impl Spliced {
    /// What a written plan changed, with the title and text of each memo
    /// it deleted.
    pub fn of(plan: SplicePlan, removed_memo_texts: Vec<String>) -> Self {
        let memos_changed = plan
            .memos
            .iter()
            .filter(|m| matches!(m, MemoMove::Move(..)))
            .count();
        Spliced {
            chars: plan.chars,
            shifted: plan.shifted,
            moved: plan.moved,
            turns_changed: plan.turns.len(),
            memos_changed,
            memos_removed: removed_memo_texts.len() / 2,
            removed_memo_texts,
            changed: plan.changed,
            old_text: plan.old_text,
            new_text: plan.new_text,
        }
    }
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

/// Returns what an edit reports to the scope's coder and its audit entry's
/// summary, once written (`done`); `chars` is the source's length before.
pub fn edit_outcome(
    scope: &Scope,
    source: i64,
    name: String,
    chars: i64,
    edit: NarrowedEdit,
    done: &Spliced,
) -> (EditReport, serde_json::Value) {
    let (affected, hidden_affected) =
        affected_codings(scope, &done.old_text, &done.new_text, &done.changed);
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

/// Returns the SHA-256 of a text, in hex: a source's content hash.
pub fn content_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The refusal of an edit that would make a source's text the same as
/// source `twin`'s.
pub fn twin_text(twin: &str) -> StoreError {
    StoreError::Invalid(format!(
        "after this edit the text would be identical to source {twin:?}: a study holds each text once"
    ))
}

/// Orders the coding writes so that no intermediate state breaks the
/// `(source, code, coder, start, end)` uniqueness: deletes first, then
/// moves from the far end when the text grows and from the near end when
/// it shrinks; if some cycle still collides, every moved coding first
/// parks at a negative offset.
fn ordered_writes(
    codings: &[CodingRow],
    plans: &[(usize, Plan)],
    delta: i64,
) -> (Vec<i64>, Vec<(i64, i64, i64)>, bool) {
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
    let moves = moves.into_iter().map(|(c, a, b)| (c.id, a, b)).collect();
    (deletes, moves, collides)
}

/// The splices by position, refused when two overlap or one falls outside
/// the source's `chars`.
fn sorted_splices(splices: &[Splice], chars: i64) -> Result<Vec<&Splice>, StoreError> {
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
fn spliced_text(text: &str, sorted: &[&Splice]) -> Result<String, StoreError> {
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
fn plan_codings(codings: &[CodingRow], shifts: &Shifts) -> Vec<(usize, Plan)> {
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
fn coding_fates(
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

/// The codings an edit changed (`changed`, from the old text to the new)
/// that `scope` may see, before and after, and how many others it changed
/// in layers hidden from it.
fn affected_codings(
    scope: &Scope,
    old_text: &str,
    new_text: &str,
    changed: &[CodingFate],
) -> (Vec<AffectedCoding>, usize) {
    let mut affected = Vec::new();
    let mut hidden_affected = 0;
    for fate in changed {
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
            old_text: slice(old_text, c.start, c.end),
            new_start: fate.new.map(|n| n.0),
            new_end: fate.new.map(|n| n.1),
            new_text: fate.new.map(|(a, b)| slice(new_text, a, b)),
            deleted: fate.deleted.clone(),
        });
    }
    (affected, hidden_affected)
}

/// Returns `text` with the narrowed range replaced by `inserted`.
fn splice(text: &str, shift: Shift, inserted: &str) -> String {
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
