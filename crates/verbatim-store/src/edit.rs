//! Editing a source's text without losing the passages anchored in it.
//!
//! Transcripts get corrected after coding has started (a misheard word, a
//! name to pseudonymise). Every span stored against the source (all coders'
//! codings, the speaker turns, anchored memos) counts chars of its text, so
//! an edit must move them all in the same transaction, or they would point
//! at the wrong words. [`SqliteStore::edit_source`] does that, reports every
//! coding whose passage changed, and records each row it touched, so one
//! `verbatim undo` restores the text and every span exactly.
//!
//! # How positions move
//!
//! The edit is first narrowed to the chars that really change (the common
//! beginning and end of the old passage and the replacement are kept), so
//! correcting one letter inside a coded word leaves the coding in place.
//! Then, with `[start, end)` the narrowed range and `delta` the change in
//! length:
//!
//! - a position `<= start` stays;
//! - a position `>= end` moves by `delta`;
//! - a position strictly inside maps to `start` when it begins a span, and
//!   to `start + replacement length` when it ends one.
//!
//! A coding whose whole passage lies in the replaced range (and is not the
//! range itself) is deleted: none of the text it marked is left, and
//! stretching it over the new text would mis-anchor it. A coding that would
//! become empty, or identical to another of the same coder and code, is
//! deleted too. Every coding whose passage changed is reported.
//!
//! # One core for every rewrite of a text
//!
//! [`splice_source`] applies any number of non-overlapping replacements to
//! one source in one pass, inside the caller's transaction: de-identification
//! replaces every name of a transcript at once and withdrawal every turn of
//! a participant, with the rules above. Its exclusive mode (withdrawal)
//! differs in one point: a span that ends inside a replaced range stops
//! where the range begins, and one that starts inside resumes after the
//! replacement, so a coding straddling a removed turn keeps only the other
//! speakers' words; memos anchored wholly inside are deleted.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value as Json};
use verbatim_core::Span;

use crate::boundary::splice_rules::{
    CodingRow, MemoMove, PARK, Plan, Shifts, coding_fates, edit_outcome, memo_move, move_order,
    moved, narrowed_edit, plan_codings, sorted_splices, spliced_text, text_hash, twin_text,
};
pub(crate) use crate::boundary::splice_rules::{Splice, Spliced};
use crate::coders::Scope;
use crate::codes::delete_coding_rows;
use crate::history::{Recorder, Table, id_key};
use crate::{SqliteStore, StoreError};

/// What an edit of a source changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EditReport {
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// First char of the range that changed (after narrowing).
    pub start: i64,
    /// Char just past the range that changed, in the old text.
    pub end: i64,
    /// The old text of that range.
    pub removed: String,
    /// The text put in its place.
    pub inserted: String,
    /// The change in the source's length, in chars.
    pub delta: i64,
    /// The source's length after the edit.
    pub chars: i64,
    /// How many codings moved without their passage's text changing.
    pub codings_shifted: usize,
    /// How many speaker turns moved or changed.
    pub turns_changed: usize,
    /// How many anchored memos moved or changed.
    pub memos_changed: usize,
    /// The codings the scope sees whose passage changed or that were deleted.
    pub affected: Vec<AffectedCoding>,
    /// How many codings of layers the scope does not see changed or were
    /// deleted (counted only: coding is blind until the study is revealed).
    pub hidden_affected: usize,
}

/// A coding whose passage an edit changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AffectedCoding {
    /// The coding's id.
    pub id: i64,
    /// Its code's name.
    pub code: String,
    /// Its coder's name.
    pub coder: String,
    /// Its span before the edit.
    pub old_start: i64,
    /// Its span's end before the edit.
    pub old_end: i64,
    /// Its passage before the edit.
    pub old_text: String,
    /// Its span after the edit, unless deleted.
    pub new_start: Option<i64>,
    /// Its span's end after the edit, unless deleted.
    pub new_end: Option<i64>,
    /// Its passage after the edit, unless deleted.
    pub new_text: Option<String>,
    /// Why it was deleted, if it was.
    pub deleted: Option<String>,
}

/// Replaces several non-overlapping ranges of a source's text in one pass
/// and moves every coding, turn and anchored memo of the source, inside the
/// caller's transaction. `splices` may come in any order; overlapping ones
/// are refused. With `exclusive`, codings and memo anchors keep only the
/// words outside the replaced ranges (see [`Shifts`]), and memos anchored
/// wholly inside one are deleted.
pub(crate) fn splice_source(
    tx: &Connection,
    rec: &mut Recorder,
    source: i64,
    splices: &[Splice],
    exclusive: bool,
) -> Result<Spliced, StoreError> {
    let text: String = tx
        .query_row(
            "SELECT text FROM source_texts WHERE source_id = $1",
            [source],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
    let chars = text.chars().count() as i64;
    let sorted = sorted_splices(splices, chars)?;
    let shifts = Shifts::new(&sorted, exclusive);
    let new_text = spliced_text(&text, &sorted)?;
    let hash = unique_hash(tx, source, &new_text)?;
    let new_chars = chars + shifts.delta();
    let codings = codings_in(tx, source)?;
    rec.update(
        tx,
        Table::Sources,
        id_key(source),
        &[
            ("chars", Value::Integer(new_chars)),
            ("content_hash", Value::Text(hash)),
        ],
    )?;
    let mut key = Map::new();
    key.insert("source_id".into(), Json::from(source));
    rec.update(
        tx,
        Table::SourceTexts,
        key,
        &[("text", Value::Text(new_text.clone()))],
    )?;
    let plans = plan_codings(&codings, &shifts);
    let (changed, shifted) = coding_fates(&codings, &plans, &shifts);
    apply_coding_plans(tx, rec, &codings, &plans, shifts.delta())?;
    let turns_changed = shift_turns(tx, rec, source, &shifts)?;
    let (memos_changed, removed_memo_texts) = shift_memos(tx, rec, source, &shifts)?;
    Ok(Spliced {
        old_text: text,
        new_text,
        chars: new_chars,
        changed,
        shifted,
        moved: moved(&plans),
        turns_changed,
        memos_changed,
        memos_removed: removed_memo_texts.len() / 2,
        removed_memo_texts,
    })
}

/// The SHA-256 of the new text, refused when another source already holds
/// that text.
fn unique_hash(tx: &Connection, source: i64, new_text: &str) -> Result<String, StoreError> {
    let hash = text_hash(new_text);
    let twin: Option<String> = tx
        .query_row(
            "SELECT name FROM sources WHERE content_hash = $1 AND id <> $2",
            rusqlite::params![hash, source],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(twin) = twin {
        return Err(twin_text(&twin));
    }
    Ok(hash)
}

impl SqliteStore {
    /// Replaces the chars `span` of a source with `replacement` (normalised
    /// to NFC) and moves every span stored against the source accordingly,
    /// in one undoable action. See the module docs for the rules.
    pub fn edit_source(
        &mut self,
        scope: &Scope,
        source: i64,
        span: Span,
        replacement: &str,
    ) -> Result<EditReport, StoreError> {
        let (name, chars): (String, i64) = self
            .conn
            .query_row(
                "SELECT name, chars FROM sources WHERE id = $1",
                [source],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
        let (text, _) = self.text_of(source)?;
        let edit = narrowed_edit(&name, chars, &text, span, replacement)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let done = splice_source(&tx, &mut rec, source, &[edit.splice()], false)?;
        let (report, summary) = edit_outcome(scope, (source, name), chars, edit, &done);
        rec.finish(
            &tx,
            &scope.coder().name,
            "source.edit",
            Some(&format!("source:{source}")),
            summary,
        )?;
        tx.commit()?;
        Ok(report)
    }
}

/// Returns every coder's codings in a source (the text is shared, so an
/// edit moves them all, whatever the scope sees).
fn codings_in(conn: &Connection, source: i64) -> Result<Vec<CodingRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.id, k.code_id, k.coder_id, c.name, d.name, k.start_char, k.end_char \
         FROM codings k JOIN codes c ON c.id = k.code_id JOIN coders d ON d.id = k.coder_id \
         WHERE k.source_id = $1 ORDER BY k.id",
    )?;
    let rows = stmt.query_map([source], |r| {
        Ok(CodingRow {
            id: r.get(0)?,
            code_id: r.get(1)?,
            coder_id: r.get(2)?,
            code: r.get(3)?,
            coder: r.get(4)?,
            start: r.get(5)?,
            end: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Deletes, then moves, codings so that no intermediate state breaks the
/// `(source, code, coder, start, end)` uniqueness. Moves go from the far end
/// when the text grows and from the near end when it shrinks; if some cycle
/// still collides, every moved coding first parks at a negative offset.
fn apply_coding_plans(
    tx: &Connection,
    rec: &mut Recorder,
    codings: &[CodingRow],
    plans: &[(usize, Plan)],
    delta: i64,
) -> Result<(), StoreError> {
    let (deletes, moves, collides) = move_order(codings, plans, delta);
    for id in deletes {
        delete_coding_rows(tx, rec, id)?;
    }
    let set = |rec: &mut Recorder, id: i64, a: i64, b: i64| {
        rec.update(
            tx,
            Table::Codings,
            id_key(id),
            &[
                ("start_char", Value::Integer(a)),
                ("end_char", Value::Integer(b)),
            ],
        )
    };
    if collides {
        for (c, a, b) in &moves {
            set(rec, c.id, a - PARK, b - PARK)?;
        }
    }
    for (c, a, b) in &moves {
        set(rec, c.id, *a, *b)?;
    }
    Ok(())
}

/// Moves the source's speaker turns; returns how many changed.
fn shift_turns(
    tx: &Connection,
    rec: &mut Recorder,
    source: i64,
    shift: &Shifts,
) -> Result<usize, StoreError> {
    let turns: Vec<(i64, i64, i64)> = tx
        .prepare_cached(
            "SELECT ordinal, start_char, end_char FROM turns WHERE source_id = $1 ORDER BY ordinal",
        )?
        .query_map([source], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut changed = 0;
    for (ordinal, a, b) in turns {
        let (na, nb) = shift.map_turn(a, b);
        if (na, nb) == (a, b) {
            continue;
        }
        let mut key = Map::new();
        key.insert("source_id".into(), Json::from(source));
        key.insert("ordinal".into(), Json::from(ordinal));
        rec.update(
            tx,
            Table::Turns,
            key,
            &[
                ("start_char", Value::Integer(na)),
                ("end_char", Value::Integer(nb.max(na))),
            ],
        )?;
        changed += 1;
    }
    Ok(changed)
}

/// Moves the memos anchored to passages of the source; returns how many
/// changed and the title and text of each deleted (exclusive shifts delete
/// a memo whose whole anchor was removed).
fn shift_memos(
    tx: &Connection,
    rec: &mut Recorder,
    source: i64,
    shift: &Shifts,
) -> Result<(usize, Vec<String>), StoreError> {
    let memos: Vec<(i64, i64, Option<i64>)> = tx
        .prepare_cached(
            "SELECT id, start_char, end_char FROM memos \
             WHERE source_id = $1 AND start_char IS NOT NULL ORDER BY id",
        )?
        .query_map([source], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut changed = 0;
    let mut removed = Vec::new();
    for (id, a, b) in memos {
        let Some(fate) = memo_move(shift, a, b) else {
            continue;
        };
        let MemoMove::Move(na, nb) = fate else {
            let (title, body): (Option<String>, String) =
                tx.query_row("SELECT title, body FROM memos WHERE id = $1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            removed.push(title.unwrap_or_default());
            removed.push(body);
            rec.delete(tx, Table::Memos, id_key(id))?;
            continue;
        };
        rec.update(
            tx,
            Table::Memos,
            id_key(id),
            &[
                ("start_char", Value::Integer(na)),
                ("end_char", nb.map_or(Value::Null, Value::Integer)),
            ],
        )?;
        changed += 1;
    }
    Ok((changed, removed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::splice_rules::slice;
    use crate::testkit::{TEXT, at, fixture, span_of};
    use crate::{Book, CodingFilter, MemoFilter, NewCode, SourceRef, Store};

    fn code(f: &mut crate::testkit::Fixture, scope: &Scope, name: &str) -> i64 {
        f.store
            .add_code(
                scope,
                &NewCode {
                    name: name.into(),
                    book: Some(Book::Own),
                    ..NewCode::default()
                },
            )
            .unwrap()
    }

    /// Every span stored against the source: text, codings, turns, memos.
    type Spans = (
        String,
        Vec<(i64, i64, i64)>,
        Vec<(i64, i64)>,
        Vec<(Option<i64>, Option<i64>)>,
    );

    /// Returns every span stored against the source, for exact comparison.
    fn spans(f: &crate::testkit::Fixture) -> Spans {
        let record = f.store.source(&SourceRef::Id(f.source)).unwrap();
        let codings: Vec<(i64, i64, i64)> = f
            .store
            .conn
            .prepare("SELECT id, start_char, end_char FROM codings ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let turns = record.turn_list.iter().map(|t| (t.start, t.end)).collect();
        let memos = record.memos.iter().map(|m| (m.start, m.end)).collect();
        (record.text, codings, turns, memos)
    }

    #[test]
    fn an_edit_moves_every_span_and_undo_restores_them() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let trust = code(&mut f, &amira, "Confiance");
        let slow = code(&mut f, &amira, "Lenteur");
        let distrust = code(&mut f, &bruno, "Méfiance");
        // Before the edit, overlapping it, inside it, and after it.
        let (before, _) = f
            .store
            .add_coding(&amira, f.source, span_of("Comment allez-vous"), trust, None)
            .unwrap();
        let (over, _) = f
            .store
            .add_coding(
                &amira,
                f.source,
                span_of("confiance se construit"),
                trust,
                None,
            )
            .unwrap();
        let (inside, _) = f
            .store
            .add_coding(&amira, f.source, span_of("construit"), slow, None)
            .unwrap();
        let (after, _) = f
            .store
            .add_coding(&bruno, f.source, span_of("la méfiance"), distrust, None)
            .unwrap();
        let original = spans(&f);

        // "se construit lentement" becomes "naît très lentement".
        let edited = span_of("se construit lentement");
        let report = f
            .store
            .edit_source(&amira, f.source, edited, "naît très lentement")
            .unwrap();
        // Narrowed: "lentement" is kept, only "se construit" changes.
        assert_eq!(report.removed, "se construit");
        assert_eq!(report.inserted, "naît très");
        assert_eq!(report.start, at("se construit") as i64);
        assert_eq!(report.delta, -3);

        let new_text = TEXT.replace("se construit lentement", "naît très lentement");
        let (text, ..) = spans(&f);
        assert_eq!(text, new_text);
        let shown = f.store.source(&SourceRef::Id(f.source)).unwrap();
        assert_eq!(shown.summary.chars, new_text.chars().count() as i64);

        let all = f.store.codings(&amira, &CodingFilter::default()).unwrap();
        let text_of = |id: i64| all.iter().find(|c| c.id == id).map(|c| c.text.clone());
        assert_eq!(text_of(before).as_deref(), Some("Comment allez-vous"));
        assert_eq!(text_of(over).as_deref(), Some("confiance naît très"));
        assert_eq!(
            text_of(inside),
            None,
            "the coding inside the replaced range is deleted"
        );
        // Bruno's coding after the edit moved with the text.
        let his = f.store.codings(&bruno, &CodingFilter::default()).unwrap();
        assert_eq!(his[0].text, "la méfiance");
        assert_eq!(his[0].start, original.1[3].1 - 3);
        // Turns and anchored memos moved too.
        let shown_turns = &shown.turn_list;
        assert_eq!(
            slice(&text, shown_turns[1].start, shown_turns[1].end),
            &new_text[new_text.find("La confiance").unwrap()..]
        );
        let memo = &shown.memos[0];
        assert_eq!(
            slice(&text, memo.start.unwrap(), memo.end.unwrap()),
            "la méfiance"
        );

        // The report names the codings whose passage changed; Bruno's moved
        // one is not among them, and he is not revealed to Amira.
        let ids: Vec<i64> = report.affected.iter().map(|a| a.id).collect();
        assert_eq!(ids, vec![over, inside]);
        assert_eq!(report.affected[0].old_text, "confiance se construit");
        assert_eq!(
            report.affected[0].new_text.as_deref(),
            Some("confiance naît très")
        );
        assert!(report.affected[1].deleted.is_some());
        assert_eq!(report.hidden_affected, 0);
        assert_eq!(report.codings_shifted, 1);
        assert_eq!(report.memos_changed, 1);
        let _ = after;

        f.store.undo("amira", 1).unwrap();
        assert_eq!(spans(&f), original);
        let (text, _) = f.store.text_of(f.source).unwrap();
        assert_eq!(text, TEXT);
        f.store.redo("amira", 1).unwrap();
        assert_eq!(spans(&f).0, new_text);
        assert_eq!(
            f.store
                .codings(&amira, &CodingFilter::default())
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn hidden_codings_are_counted_not_shown() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let distrust = code(&mut f, &bruno, "Méfiance");
        f.store
            .add_coding(
                &bruno,
                f.source,
                span_of("méfiance revient"),
                distrust,
                None,
            )
            .unwrap();
        let report = f
            .store
            .edit_source(&amira, f.source, span_of("revient"), "reprend")
            .unwrap();
        assert!(report.affected.is_empty());
        assert_eq!(report.hidden_affected, 1);
        let his = f.store.codings(&bruno, &CodingFilter::default()).unwrap();
        assert_eq!(his[0].text, "méfiance reprend");
    }

    #[test]
    fn codings_that_collapse_onto_one_another_are_merged() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let trust = code(&mut f, &amira, "Confiance");
        let base = at("confiance se construit");
        let end = at(" lentement");
        // Two codings ending at the same place, starting inside the edit.
        for s in [base + 2, base + 4] {
            f.store
                .add_coding(&amira, f.source, Span::new(s, end).unwrap(), trust, None)
                .unwrap();
        }
        let original = spans(&f);
        let report = f
            .store
            .edit_source(
                &amira,
                f.source,
                Span::new(base, base + 9).unwrap(),
                "sécurité",
            )
            .unwrap();
        assert_eq!(report.affected.len(), 2);
        assert!(
            report.affected[1]
                .deleted
                .as_deref()
                .unwrap()
                .contains("same passage")
        );
        f.store.undo("amira", 1).unwrap();
        assert_eq!(spans(&f), original);
    }

    #[test]
    fn a_growing_edit_never_collides_and_insertions_work() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let trust = code(&mut f, &amira, "Confiance");
        let s = at("La confiance");
        // [s+3, s+13) and [s+5, s+15): moving the first by +2 lands where the
        // second is until it moves.
        f.store
            .add_coding(
                &amira,
                f.source,
                Span::new(s + 3, s + 13).unwrap(),
                trust,
                None,
            )
            .unwrap();
        f.store
            .add_coding(
                &amira,
                f.source,
                Span::new(s + 5, s + 15).unwrap(),
                trust,
                None,
            )
            .unwrap();
        let original = spans(&f);
        let report = f
            .store
            .edit_source(&amira, f.source, Span::new(s, s).unwrap(), "« ")
            .unwrap();
        assert_eq!(report.delta, 2);
        assert_eq!(report.codings_shifted, 2);
        f.store.undo("amira", 1).unwrap();
        assert_eq!(spans(&f), original);
        f.store.redo("amira", 1).unwrap();
        assert!(
            f.store
                .text_of(f.source)
                .unwrap()
                .0
                .contains("« La confiance")
        );
        let _ = f.store.memos(&amira, &MemoFilter::default()).unwrap();
    }

    #[test]
    fn bad_edits_change_nothing() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let original = spans(&f);
        let log = f.store.audit_log(100).unwrap().len();
        let n = TEXT.chars().count();
        let err = f
            .store
            .edit_source(&amira, f.source, Span::new(n - 1, n + 1).unwrap(), "x")
            .unwrap_err();
        assert!(err.to_string().contains("outside"), "{err}");
        let err = f
            .store
            .edit_source(&amira, f.source, span_of("lentement"), "lentement")
            .unwrap_err();
        assert!(err.to_string().contains("nothing to change"), "{err}");
        let err = f
            .store
            .edit_source(&amira, f.source, Span::new(1, 1).unwrap(), "\u{301}")
            .unwrap_err();
        assert!(err.to_string().contains("merge"), "{err}");
        assert_eq!(spans(&f), original);
        assert_eq!(f.store.audit_log(100).unwrap().len(), log);
    }

    #[test]
    fn random_edits_keep_untouched_passages_and_undo_exactly() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let a = code(&mut f, &amira, "A");
        let b = code(&mut f, &bruno, "B");
        // One researcher coding as amira and bruno: every layer is seen.
        f.store.mark_solo("tester").unwrap();
        let n = TEXT.chars().count();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |m: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            usize::try_from(seed >> 33).unwrap() % m
        };
        for k in 0..12 {
            let s = next(n - 1);
            let e = s + 1 + next(12).min(n - s - 1);
            let (scope, c) = if k % 2 == 0 { (&amira, a) } else { (&bruno, b) };
            f.store
                .add_coding(scope, f.source, Span::new(s, e).unwrap(), c, None)
                .unwrap();
        }
        let replacements = ["", "x", "😀é", "deux mots", "œ"];
        let mut applied = 0;
        for round in 0..25 {
            let original = spans(&f);
            let before = f
                .store
                .codings(
                    &f.store.scope("amira", true, true).unwrap(),
                    &CodingFilter::default(),
                )
                .unwrap();
            let len = original.0.chars().count();
            let s = next(len);
            let e = (s + next(10)).min(len);
            let rep = replacements[round % replacements.len()];
            let all = f.store.scope("amira", true, true).unwrap();
            let Ok(report) = f
                .store
                .edit_source(&all, f.source, Span::new(s, e).unwrap(), rep)
            else {
                continue;
            };
            let (text, codings, turns, memos) = spans(&f);
            let chars = text.chars().count() as i64;
            assert!(
                codings
                    .iter()
                    .all(|&(_, a, b)| 0 <= a && a < b && b <= chars)
            );
            assert!(turns.iter().all(|&(a, b)| 0 <= a && a <= b && b <= chars));
            assert!(
                memos
                    .iter()
                    .all(|&(a, b)| a.unwrap() <= b.unwrap() && b.unwrap() <= chars)
            );
            let touched: Vec<i64> = report.affected.iter().map(|x| x.id).collect();
            let after = f
                .store
                .codings(
                    &f.store.scope("amira", true, true).unwrap(),
                    &CodingFilter::default(),
                )
                .unwrap();
            for old in &before {
                if touched.contains(&old.id) {
                    continue;
                }
                let new = after
                    .iter()
                    .find(|c| c.id == old.id)
                    .expect("untouched coding kept");
                assert_eq!(
                    new.text, old.text,
                    "round {round}: coding {} mis-anchored",
                    old.id
                );
            }
            f.store.undo("amira", 1).unwrap();
            assert_eq!(spans(&f), original, "round {round}: undo");
            f.store.redo("amira", 1).unwrap();
            assert_eq!(spans(&f).0, text);
            applied += 1;
        }
        assert!(applied >= 20, "only {applied} edits applied");
    }

    /// Returns every coding's span and the source's text.
    fn coding_spans(f: &crate::testkit::Fixture) -> (String, Vec<(i64, i64)>) {
        let (text, codings, ..) = spans(f);
        let mut s: Vec<(i64, i64)> = codings.iter().map(|&(_, a, b)| (a, b)).collect();
        s.sort_unstable();
        (text, s)
    }

    #[test]
    fn one_pass_splices_equal_edits_applied_from_the_end() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            usize::try_from(seed >> 33).unwrap() % m.max(1)
        };
        for round in 0..15 {
            let mut one = fixture();
            let mut many = fixture();
            let n = TEXT.chars().count();
            let mut codings = Vec::new();
            for _ in 0..10 {
                let s = next(n - 1);
                let e = s + 1 + next(15).min(n - s - 1);
                codings.push((s, e));
            }
            for f in [&mut one, &mut many] {
                let amira = f.store.scope("amira", false, false).unwrap();
                let a = code(f, &amira, "A");
                for &(s, e) in &codings {
                    let _ = f
                        .store
                        .add_coding(&amira, f.source, Span::new(s, e).unwrap(), a, None);
                }
            }
            // Non-overlapping ranges, ascending, replaced by text absent
            // from the source (so edit_source's narrowing keeps them whole).
            let mut splices = Vec::new();
            let mut at = next(5);
            while at < n && splices.len() < 4 {
                let end = (at + 1 + next(6)).min(n);
                let text = "§".repeat(next(4));
                splices.push(Splice {
                    start: at as i64,
                    end: end as i64,
                    text,
                });
                at = end + 1 + next(12);
            }
            let amira = one.store.scope("amira", false, false).unwrap();
            let tx = one.store.conn.transaction().unwrap();
            let mut rec = Recorder::default();
            splice_source(&tx, &mut rec, one.source, &splices, false).unwrap();
            tx.commit().unwrap();
            for s in splices.iter().rev() {
                let span = Span::new(s.start as usize, s.end as usize).unwrap();
                many.store
                    .edit_source(&amira, many.source, span, &s.text)
                    .unwrap();
            }
            assert_eq!(coding_spans(&one), coding_spans(&many), "round {round}");
            assert_eq!(spans(&one).2, spans(&many).2, "round {round}: turns");
            assert_eq!(spans(&one).3, spans(&many).3, "round {round}: memos");
        }
    }
}
