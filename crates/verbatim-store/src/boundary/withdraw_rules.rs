//! What a withdrawal rewrites in the audit log, written once for both
//! backends (`rules::withdraw`).
//!
//! Replacing the withdrawn passages wherever they occur word for word in
//! the log (`withdrawal_redactor`) misses what the log holds of them in
//! another form: a source's text before a correction made in one of their
//! turns (the old wording is not the passage as it stands), the removed
//! and inserted words of that correction, the translations of their coded
//! passages (another language), and the memos on the codings deleted with
//! them. [`LogRedaction`] finds those by what the entries record, not by
//! their words:
//!
//! - every recorded version of a source's text: the participant's speech
//!   ranges, known in the text as it stands, are carried back from each
//!   version to the one before it through the two texts' common start and
//!   end (an edit changes one stretch), and replaced there by the notice;
//!   the old wordings found so are then redacted wherever else they occur;
//!   a text recorded with its turns (a source removed earlier) loses the
//!   turns spoken under one of their labels;
//! - a `source.edit` summary whose edit touched their speech loses its
//!   removed and inserted text;
//! - a recorded translation of a coding the withdrawal deleted or shrank,
//!   or of one removed earlier whose recorded span overlapped their speech
//!   in the text of its time, a deleted coding's memo column, and a
//!   recorded memo the withdrawal deleted, written on such a coding (or
//!   on such a memo), or anchored wholly inside their speech, lose their
//!   text;
//! - such a memo and such a coding memo lose every recorded version, not
//!   only the last: the rows are found by their key in every entry that
//!   recorded them (creation, each edit, deletion), so an edit's `before`
//!   row and the creation's `after` row go too, and so does the first
//!   title a `memo.add` summary repeats.
//!
//! The backends read the entries [`RECORDED`] names, call
//! [`LogRedaction::plan`], and `redact_audit_entries` passes every entry
//! through [`LogRewrite::rewrite`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value as Json};

use crate::StoreError;
use crate::WITHDRAWN_NOTICE;
use crate::boundary::splice_rules::{Splice, Spliced};
use crate::withdraw::withdrawal_redactor;

/// A participant's speech ranges in a text, in chars, `[start, end)`.
pub type Ranges = Vec<(usize, usize)>;

/// What a withdrawal removed, gathered while it ran: enough to recognise
/// every earlier audit entry that holds their words.
#[derive(Debug, Default)]
pub struct LogRedaction {
    /// Per source: its text before the withdrawal and the participant's
    /// speech ranges in it.
    pub sources: BTreeMap<i64, (String, Ranges)>,
    /// Codings deleted (their memos and translations go from the log).
    pub deleted_codings: BTreeSet<i64>,
    /// Codings shrunk (their translations go from the log).
    pub shrunk_codings: BTreeSet<i64>,
    /// Memos the withdrawal deleted (every recorded version goes).
    pub memos: BTreeSet<i64>,
    /// Passages and memo texts removed, redacted wherever they occur.
    pub passages: Vec<String>,
    /// The speaker labels the participant had in any source, and their
    /// code: their turns in a text recorded with its turns (a source
    /// removed earlier) are found by these.
    pub labels: BTreeSet<String>,
}

/// A rewrite of one string (`None`: unchanged).
type StringRewrite = dyn Fn(&str) -> Option<String>;

/// The rewrite a [`LogRedaction`] plans: per recorded version of a
/// source's text, the ranges to replace, and the string rewrite.
pub struct LogRewrite {
    /// `(source, text)` → the participant's ranges in that text.
    versions: HashMap<(i64, String), Ranges>,
    deleted_codings: BTreeSet<i64>,
    translated_codings: BTreeSet<i64>,
    memos: BTreeSet<i64>,
    strings: Box<StringRewrite>,
}

impl LogRedaction {
    /// Notes what the withdrawal's splice of one source removed: its text
    /// before (`text`), the participant's speech (the `splices`' ranges),
    /// and the codings and anchored memo texts `done` deleted or shrank.
    pub fn note_source(&mut self, source: i64, text: &str, splices: &[Splice], done: &Spliced) {
        let at = |n: i64| usize::try_from(n).unwrap_or(0);
        let ranges = splices.iter().map(|s| (at(s.start), at(s.end))).collect();
        self.sources.insert(source, (text.to_owned(), ranges));
        for fate in &done.changed {
            if fate.deleted.is_some() {
                self.deleted_codings.insert(fate.row.id);
            } else {
                self.shrunk_codings.insert(fate.row.id);
            }
        }
        self.passages
            .extend(done.removed_memo_texts.iter().cloned());
    }

    /// Plans the rewrite from `entries`, the `data` of every audit entry
    /// recording a source's text, a coding or a memo ([`RECORDED`]), oldest
    /// first; `code`, `label` and `shown` name the participant as
    /// `withdrawal_redactor` wants.
    pub fn plan(
        mut self,
        entries: &[Json],
        (code, label, shown): (Option<&str>, Option<&str>, &str),
    ) -> LogRewrite {
        let edits = self.recorded_edits(entries);
        let mut versions: HashMap<(i64, String), Ranges> = HashMap::new();
        let mut passages = std::mem::take(&mut self.passages);
        for (source, (text, ranges)) in &self.sources {
            versions.insert((*source, text.clone()), ranges.clone());
            let mut newer: Vec<char> = text.chars().collect();
            let mut newer_ranges = ranges.clone();
            let older = edits.get(source).map_or(&[][..], Vec::as_slice);
            for version in older.iter().rev().flat_map(|e| [&e.after, &e.before]) {
                let chars: Vec<char> = version.chars().collect();
                let mapped = carry_back(&newer, &newer_ranges, &chars);
                passages.extend(mapped.iter().map(|&(a, b)| chars[a..b].iter().collect()));
                versions
                    .entry((*source, version.clone()))
                    .or_insert_with(|| mapped.clone());
                newer = chars;
                newer_ranges = mapped;
            }
        }
        for data in entries {
            for (source, text, ranges) in self.turns_recorded_with_texts(data) {
                let chars: Vec<char> = text.chars().collect();
                passages.extend(ranges.iter().map(|&(a, b)| chars[a..b].iter().collect()));
                versions.entry((source, text)).or_insert(ranges);
            }
        }
        let once_theirs = self.spans_on_their_words("codings", entries, &edits, &versions);
        let anchored = self.spans_on_their_words("memos", entries, &edits, &versions);
        self.memos.extend(anchored);
        passages.retain(|p| p != WITHDRAWN_NOTICE);
        let mut deleted_codings = self.deleted_codings;
        deleted_codings.extend(once_theirs);
        let translated_codings = deleted_codings
            .union(&self.shrunk_codings)
            .copied()
            .collect();
        let memos = memos_about(entries, self.memos, &deleted_codings);
        LogRewrite {
            versions,
            deleted_codings,
            translated_codings,
            memos,
            strings: Box::new(withdrawal_redactor(passages, code, label, shown)),
        }
    }

    /// The recorded changes of the withdrawal's sources' texts, per
    /// source, in order, each with the index of its entry.
    fn recorded_edits(&self, entries: &[Json]) -> BTreeMap<i64, Vec<TextEdit>> {
        let mut edits: BTreeMap<i64, Vec<TextEdit>> = BTreeMap::new();
        for (entry, data) in entries.iter().enumerate() {
            for change in changes(data) {
                let Some(source) = source_text_key(change) else {
                    continue;
                };
                let text = |side: &str| change[side]["text"].as_str().map(str::to_owned);
                if let (true, Some(before), Some(after)) = (
                    self.sources.contains_key(&source),
                    text("before"),
                    text("after"),
                ) {
                    edits.entry(source).or_default().push(TextEdit {
                        entry,
                        before,
                        after,
                    });
                }
            }
        }
        edits
    }

    /// The texts an entry records with their turns (a source removed, or
    /// one created with its text) in which the participant spoke under
    /// one of [`Self::labels`], with their speech ranges.
    fn turns_recorded_with_texts(&self, data: &Json) -> Vec<(i64, String, Ranges)> {
        let mut out = Vec::new();
        for change in changes(data) {
            let Some(source) = source_text_key(change) else {
                continue;
            };
            for side in ["before", "after"] {
                let Some(text) = change[side]["text"].as_str() else {
                    continue;
                };
                let chars = text.chars().count();
                let mut ranges: Ranges = changes(data)
                    .iter()
                    .filter(|c| c["table"].as_str() == Some("turns"))
                    .map(|c| &c[side])
                    .filter(|row| row["source_id"].as_i64() == Some(source))
                    .filter(|row| {
                        row["speaker"]
                            .as_str()
                            .is_some_and(|l| self.labels.contains(l))
                    })
                    .filter_map(|row| {
                        let at = |k: &str| row[k].as_u64().map(|n| (n as usize).min(chars));
                        Some((at("start_char")?, at("end_char")?))
                    })
                    .filter(|(a, b)| a < b)
                    .collect();
                ranges.sort_unstable();
                if !ranges.is_empty() {
                    out.push((source, text.to_owned(), ranges));
                }
            }
        }
        out
    }

    /// Rows of `table` whose recorded span, in the text of its time,
    /// lay on the participant's speech: for codings, any overlap (a
    /// coding removed before the withdrawal may have been translated or
    /// written about); for anchored memos, wholly inside (as the
    /// withdrawal deletes them).
    fn spans_on_their_words(
        &self,
        table: &str,
        entries: &[Json],
        edits: &BTreeMap<i64, Vec<TextEdit>>,
        versions: &HashMap<(i64, String), Ranges>,
    ) -> BTreeSet<i64> {
        let inside = table == "memos";
        let mut found = BTreeSet::new();
        for (entry, data) in entries.iter().enumerate() {
            for change in changes(data) {
                if change["table"].as_str() != Some(table) {
                    continue;
                }
                for (side, after) in [("before", false), ("after", true)] {
                    let row = &change[side];
                    let (Some(id), Some(source), Some(start), Some(end)) = (
                        row["id"].as_i64(),
                        row["source_id"].as_i64(),
                        row["start_char"].as_u64(),
                        row["end_char"].as_u64(),
                    ) else {
                        continue;
                    };
                    let text = match self.sources.get(&source) {
                        Some((now, _)) => {
                            let list = edits.get(&source).map_or(&[][..], Vec::as_slice);
                            text_at(list, now, entry, after)
                        }
                        // A source gone since: the text its entry records.
                        None => match entry_text(data, source, side) {
                            Some(text) => text,
                            None => continue,
                        },
                    };
                    let (start, end) = (start as usize, end as usize);
                    let on = |&(a, b): &(usize, usize)| {
                        if inside {
                            a <= start && end <= b
                        } else {
                            start < b && end > a
                        }
                    };
                    if versions
                        .get(&(source, text.to_owned()))
                        .is_some_and(|r| r.iter().any(on))
                    {
                        found.insert(id);
                    }
                }
            }
        }
        found
    }
}

/// `memos` and every memo a recorded row shows written on one of
/// `codings` or on a memo so found (a memo on a memo): every version of
/// these, from their creation through each edit to their deletion, is
/// then found by the row's key.
fn memos_about(
    entries: &[Json],
    mut memos: BTreeSet<i64>,
    codings: &BTreeSet<i64>,
) -> BTreeSet<i64> {
    loop {
        let found: Vec<i64> = entries
            .iter()
            .flat_map(changes)
            .filter(|change| change["table"].as_str() == Some("memos"))
            .filter(|change| {
                [&change["before"], &change["after"]].iter().any(|row| {
                    let target = row["target_id"].as_i64();
                    match row["target_kind"].as_str() {
                        Some("coding") => target.is_some_and(|c| codings.contains(&c)),
                        Some("memo") => target.is_some_and(|m| memos.contains(&m)),
                        _ => false,
                    }
                })
            })
            .filter_map(|change| change["key"]["id"].as_i64())
            .filter(|id| !memos.contains(id))
            .collect();
        if found.is_empty() {
            return memos;
        }
        memos.extend(found);
    }
}

/// The entries [`LogRedaction::plan`] reads: those recording a source's
/// text, a coding or a memo (a `LIKE` pattern on `data` each).
pub const RECORDED: [&str; 3] = [
    "%\"table\":\"source_texts\"%",
    "%\"table\":\"codings\"%",
    "%\"table\":\"memos\"%",
];

/// One recorded change of a source's text.
struct TextEdit {
    /// The index of its entry in the entries planned from.
    entry: usize,
    before: String,
    after: String,
}

/// The text of `source` an entry records on `side`, if it does.
fn entry_text<'a>(data: &'a Json, source: i64, side: &str) -> Option<&'a str> {
    changes(data)
        .iter()
        .find(|c| source_text_key(c) == Some(source))
        .and_then(|c| c[side]["text"].as_str())
}

/// The text a source had before (or, with `after`, after) entry `entry`:
/// the text before the first recorded change at or after it, else `now`;
/// after an entry changing it, that change's result.
fn text_at<'a>(edits: &'a [TextEdit], now: &'a str, entry: usize, after: bool) -> &'a str {
    if after && let Some(own) = edits.iter().rev().find(|e| e.entry == entry) {
        return &own.after;
    }
    edits
        .iter()
        .find(|e| e.entry >= entry)
        .map_or(now, |e| e.before.as_str())
}

/// The key of an entry's `data` naming what rewrote it in the log.
pub const REDACTED: &str = "redacted";

/// [`REDACTED`]'s value on the entries a withdrawal rewrote.
pub const WITHDRAWN: &str = "participant.withdraw";

/// Refuses to undo (`undo`) or redo `action` when its entry was rewritten
/// by a withdrawal: what it recorded of the participant's words is gone,
/// so replaying it could only write notices back.
pub fn refuse_withdrawn(undo: bool, action: &str, data: &Json) -> Result<(), StoreError> {
    if data.get(REDACTED).and_then(Json::as_str) != Some(WITHDRAWN) {
        return Ok(());
    }
    Err(StoreError::History(format!(
        "cannot {} {action}: a participant's withdrawal removed their words from what it \
         recorded, so it can no longer be replayed",
        if undo { "undo" } else { "redo" }
    )))
}

impl LogRewrite {
    /// Rewrites one entry's `data`; true when anything changed. A changed
    /// entry is marked [`WITHDRAWN`], so that undo and redo refuse it in
    /// words that say why (its rows would bring nothing back but notices).
    pub fn rewrite(&self, data: &mut Json) -> bool {
        let mut changed = self.rewrite_edit_summary(data) | self.rewrite_memo_summary(data);
        if let Some(list) = data.get_mut("changes").and_then(Json::as_array_mut) {
            for change in list {
                changed |= self.rewrite_change(change);
            }
        }
        changed |= crate::rules::deid::rewrite_strings(data, &*self.strings);
        if changed && let Some(entry) = data.as_object_mut() {
            entry.insert(REDACTED.into(), Json::from(WITHDRAWN));
        }
        changed
    }

    /// A `source.edit` summary (`start`, `end`, `removed`, `inserted`)
    /// whose edit touched the participant's speech in the text it edited.
    fn rewrite_edit_summary(&self, data: &mut Json) -> bool {
        let touched = changes(data).iter().any(|change| {
            let Some(source) = source_text_key(change) else {
                return false;
            };
            let Some(before) = change["before"]["text"].as_str() else {
                return false;
            };
            let Some(ranges) = self.versions.get(&(source, before.to_owned())) else {
                return false;
            };
            let at = |k: &str| data["summary"][k].as_u64().map(|n| n as usize);
            let (Some(start), Some(end)) = (at("start"), at("end")) else {
                return false;
            };
            ranges.iter().any(|&(a, b)| start <= b && end >= a)
        });
        let mut changed = false;
        if touched && let Some(summary) = data.get_mut("summary").and_then(Json::as_object_mut) {
            for key in ["removed", "inserted"] {
                changed |= blank(summary, key);
            }
        }
        changed
    }

    /// A `memo.add` summary's title, when the entry wrote one of
    /// [`Self::memos`]: the memo's first title, which later edits do not
    /// repeat.
    fn rewrite_memo_summary(&self, data: &mut Json) -> bool {
        let theirs = changes(data).iter().any(|change| {
            change["table"].as_str() == Some("memos")
                && change["key"]["id"]
                    .as_i64()
                    .is_some_and(|m| self.memos.contains(&m))
        });
        match data.get_mut("summary").and_then(Json::as_object_mut) {
            Some(summary) if theirs => blank(summary, "title"),
            _ => false,
        }
    }

    /// One recorded row change: a text version, a translation, a coding's
    /// memo column or a memo.
    fn rewrite_change(&self, change: &mut Json) -> bool {
        let table = change["table"].as_str().unwrap_or_default().to_owned();
        let id = change["key"]["id"].as_i64();
        let source = source_text_key(change);
        let mut changed = false;
        for side in ["before", "after"] {
            let Some(row) = change.get_mut(side).and_then(Json::as_object_mut) else {
                continue;
            };
            changed |= match table.as_str() {
                "source_texts" => source.is_some_and(|s| self.rewrite_text(s, row)),
                "translations" => {
                    let coding = row.get("coding_id").and_then(Json::as_i64);
                    coding.is_some_and(|c| self.translated_codings.contains(&c))
                        && blank(row, "text")
                }
                "codings" => {
                    id.is_some_and(|c| self.deleted_codings.contains(&c)) && blank(row, "memo")
                }
                "memos" => {
                    id.is_some_and(|m| self.memos.contains(&m))
                        && (blank(row, "title") | blank(row, "body"))
                }
                _ => false,
            };
        }
        changed
    }

    /// Replaces the participant's ranges in a recorded text version.
    fn rewrite_text(&self, source: i64, row: &mut Map<String, Json>) -> bool {
        let Some(text) = row.get("text").and_then(Json::as_str) else {
            return false;
        };
        let Some(ranges) = self.versions.get(&(source, text.to_owned())) else {
            return false;
        };
        let new = replace_ranges(text, ranges);
        if new == text {
            return false;
        }
        row.insert("text".into(), Json::String(new));
        true
    }
}

/// The changes an entry records (none for a summary-only entry).
fn changes(data: &Json) -> &[Json] {
    data.get("changes")
        .and_then(Json::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The source a recorded `source_texts` change is about.
fn source_text_key(change: &Json) -> Option<i64> {
    (change["table"].as_str() == Some("source_texts"))
        .then(|| change["key"]["source_id"].as_i64())
        .flatten()
}

/// Sets a row's or summary's string `key` to the notice; true when it
/// held other text.
fn blank(row: &mut Map<String, Json>, key: &str) -> bool {
    match row.get_mut(key) {
        Some(Json::String(s)) if s != WITHDRAWN_NOTICE && !s.is_empty() => {
            *s = WITHDRAWN_NOTICE.to_owned();
            true
        }
        _ => false,
    }
}

/// `text` with each of `ranges` (in chars, sorted, disjoint) replaced by
/// the notice.
pub fn replace_ranges(text: &str, ranges: &[(usize, usize)]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(a, b) in ranges {
        let (a, b) = (a.clamp(at, chars.len()), b.min(chars.len()));
        if a >= b {
            continue;
        }
        out.extend(&chars[at..a]);
        out.push_str(WITHDRAWN_NOTICE);
        at = b;
    }
    out.extend(&chars[at..]);
    out
}

/// Carries `ranges` of `newer` back to `older`, the text it was made
/// from: positions before the stretch that differs (the two texts'
/// common start) and after it (their common end) move with the words;
/// a range reaching into the stretch takes all of it, so a correction in
/// the participant's speech goes with their speech. Ranges that come out
/// empty are dropped.
pub fn carry_back(newer: &[char], ranges: &[(usize, usize)], older: &[char]) -> Ranges {
    let prefix = newer.iter().zip(older).take_while(|(a, b)| a == b).count();
    let room = newer.len().min(older.len()) - prefix;
    let suffix = newer
        .iter()
        .rev()
        .zip(older.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let (new_tail, old_tail) = (newer.len() - suffix, older.len() - suffix);
    let start = |x: usize| {
        if x <= prefix {
            x
        } else if x >= new_tail {
            x - new_tail + old_tail
        } else {
            prefix
        }
    };
    let end = |x: usize| {
        if x <= prefix {
            x
        } else if x >= new_tail {
            x - new_tail + old_tail
        } else {
            old_tail
        }
    };
    let mut out: Ranges = Vec::new();
    for &(a, b) in ranges {
        let (a, b) = (start(a).min(older.len()), end(b).min(older.len()));
        if a < b {
            out.push((a, b));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn a_correction_inside_the_speech_carries_the_whole_turn_back() {
        // "B : xyz." — B's speech "xyz." is 4..8 in the newer text; the
        // older one said "xyyz." (one more char): 4..9 there.
        let newer = chars("A : a\nB : xyz.\nA : b");
        let older = chars("A : a\nB : xyyz.\nA : b");
        assert_eq!(carry_back(&newer, &[(10, 14)], &older), vec![(10, 15)]);
    }

    #[test]
    fn an_edit_elsewhere_moves_the_range_with_the_words() {
        // The interviewer's "Ah" (6..8) was "Ahh" (6..9): B's speech 13..17
        // sits one char further in the older text, 14..18.
        let newer = chars("A : a\nAh : b\nB : xyz.");
        let older = chars("A : a\nAhh : b\nB : xyz.");
        let back = carry_back(&newer, &[(17, 21)], &older);
        assert_eq!(back, vec![(18, 22)]);
        let text: String = older[18..22].iter().collect();
        assert_eq!(text, "xyz.");
    }

    #[test]
    fn ranges_are_replaced_by_the_notice() {
        let out = replace_ranges("A : é\nB : ça va", &[(10, 15)]);
        assert_eq!(out, format!("A : é\nB : {WITHDRAWN_NOTICE}"));
    }

    #[test]
    fn an_anchored_memo_inside_the_speech_loses_every_recorded_version() {
        // B's speech "xyz." is 10..14; memo 7 is anchored on "yz" (11..13),
        // memo 8 on "a\nB" (4..7), across others' words: it stays.
        let text = "A : a\nB : xyz.\nA : b";
        let mut redaction = LogRedaction::default();
        redaction
            .sources
            .insert(1, (text.to_owned(), vec![(10, 14)]));
        let memo = |id: i64, (a, b): (i64, i64), body: &str| {
            serde_json::json!({"table": "memos", "key": {"id": id}, "before": null,
                "after": {"id": id, "source_id": 1, "start_char": a, "end_char": b,
                    "title": null, "body": body}})
        };
        let mut data = serde_json::json!({"changes": [
            memo(7, (11, 13), "il hésite"),
            memo(8, (4, 7), "changement de locuteur"),
        ]});
        let rewrite = redaction.plan(&[data.clone()], (Some("B-1"), None, "B-1"));
        assert!(rewrite.rewrite(&mut data));
        assert_eq!(data["changes"][0]["after"]["body"], WITHDRAWN_NOTICE);
        assert_eq!(data["changes"][0]["after"]["title"], Json::Null);
        assert_eq!(
            data["changes"][1]["after"]["body"],
            "changement de locuteur"
        );
    }

    #[test]
    fn memos_on_a_deleted_coding_and_on_those_memos_lose_every_version() {
        // Coding 3 was deleted, coding 4 kept. Memo 6 is on memo 5 (and
        // recorded first, so finding it takes a second pass), memo 5 on
        // coding 3 (then edited), memo 9 on coding 4.
        let mut redaction = LogRedaction::default();
        redaction.deleted_codings.insert(3);
        let row = |id: i64, kind: &str, target: i64, body: &str| {
            serde_json::json!({"id": id, "target_kind": kind, "target_id": target,
                "title": format!("titre {body}"), "body": body})
        };
        let add = |id, kind, target, body| {
            serde_json::json!({"summary": {"title": format!("titre {body}")},
                "changes": [{"table": "memos", "key": {"id": id}, "before": null,
                    "after": row(id, kind, target, body)}]})
        };
        let edit = serde_json::json!({"summary": {}, "changes": [{"table": "memos",
            "key": {"id": 5}, "before": row(5, "coding", 3, "brouillon"),
            "after": row(5, "coding", 3, "version revue")}]});
        let mut entries = vec![
            add(6, "memo", 5, "réponse au brouillon"),
            add(5, "coding", 3, "brouillon"),
            add(9, "coding", 4, "autre passage"),
            edit,
        ];
        let rewrite = redaction.plan(&entries, (Some("B-1"), None, "B-1"));
        let changed: Vec<bool> = entries.iter_mut().map(|e| rewrite.rewrite(e)).collect();
        assert_eq!(changed, [true, true, false, true]);
        let s = Json::from(entries).to_string();
        for gone in ["brouillon", "version revue"] {
            assert!(!s.contains(gone), "{gone}: {s}");
        }
        assert_eq!(s.matches("titre autre passage").count(), 2, "{s}");
    }

    #[test]
    fn an_edit_summary_touching_the_speech_loses_its_words() {
        // Current text: B's speech "xyz." 10..14; an earlier edit replaced
        // "yy" (11..13) with "y" in the older text.
        let older = "A : a\nB : xyyz.\nA : b";
        let newer = "A : a\nB : xyz.\nA : b";
        let mut redaction = LogRedaction::default();
        redaction
            .sources
            .insert(1, (newer.to_owned(), vec![(10, 14)]));
        let mut data = serde_json::json!({
            "summary": {"start": 11, "end": 13, "removed": "yy", "inserted": "y"},
            "changes": [{"table": "source_texts", "key": {"source_id": 1},
                "before": {"source_id": 1, "text": older},
                "after": {"source_id": 1, "text": newer}}]
        });
        let rewrite = redaction.plan(&[data.clone()], (Some("B-1"), None, "B-1"));
        assert!(rewrite.rewrite(&mut data));
        let s = data.to_string();
        assert!(!s.contains("xyyz") && !s.contains("xyz"), "{s}");
        assert!(s.contains("A : a\\nB : "), "{s}");
        assert_eq!(data["summary"]["removed"], WITHDRAWN_NOTICE);
        assert_eq!(data["summary"]["start"], 11);
    }
}
