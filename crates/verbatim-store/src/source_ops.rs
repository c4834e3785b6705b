//! Repairs of a source after import: its turns re-detected, a speaker label
//! renamed, the source removed.
//!
//! A mistake at import (a speaker pattern that missed a label, a typo'd
//! label, a file imported twice under two names) must be repairable without
//! rebuilding the study. Each repair here is one undoable action through
//! [`Recorder`]:
//!
//! - `replace_turns` swaps a source's turns for new ones found in the same
//!   text (the text never changes, so codings, memos and quotes keep their
//!   words); explicit speaker mappings of labels that no longer occur go;
//! - `rename_speaker` renames a label in one source's turns and mappings,
//!   merging it into an existing label when the new name is taken;
//! - `remove_source` deletes a source with everything that hangs on it
//!   (turns, codings and their translations and consensus origins, memos,
//!   speaker mappings, attribute values, guide link, done marks); the audit
//!   entry lists every row, so `undo` brings it all back. Reconciliation
//!   decisions keep their record, as they outlive the codes they name.

use rusqlite::types::Value;
use serde::Serialize;
use serde_json::{Map, Value as Json};
use verbatim_core::Turn;

use crate::boundary::source_rules::{RedetectPlan, StoredTurn};
use crate::history::{Recorder, Table, id_key};
use crate::{SqliteStore, StoreError, rules};

/// What re-detecting a source's turns changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedetectReport {
    /// The source's name.
    pub source: String,
    /// Turns before.
    pub turns_before: usize,
    /// Turns after.
    pub turns_after: usize,
    /// Distinct speaker labels before, in order of first appearance.
    pub speakers_before: Vec<String>,
    /// Distinct speaker labels after.
    pub speakers_after: Vec<String>,
    /// Explicit mappings dropped because their label no longer occurs.
    pub mappings_dropped: Vec<String>,
    /// Whether anything changed (identical turns write nothing).
    pub changed: bool,
}

/// What removing a source took with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoveReport {
    /// The source's id.
    pub id: i64,
    /// The source's name.
    pub source: String,
    /// Its turns.
    pub turns: usize,
    /// Its codings, every coder's.
    pub codings: usize,
    /// Its memos (on the source, its passages or its codings).
    pub memos: usize,
    /// Its explicit speaker mappings.
    pub mappings: usize,
}

/// The key of one turn row.
fn turn_key(source: i64, ordinal: i64) -> Map<String, Json> {
    let mut key = Map::new();
    key.insert("source_id".into(), Json::from(source));
    key.insert("ordinal".into(), Json::from(ordinal));
    key
}

/// Returns the label a speaker is renamed to, its spaces collapsed, or
/// the refusal of an empty one.
pub fn new_speaker_label(to: &str) -> Result<String, StoreError> {
    crate::boundary::rules::storable(to, "the new speaker label")?;
    let to = to.split_whitespace().collect::<Vec<_>>().join(" ");
    if to.is_empty() {
        return Err(StoreError::Invalid(
            "the new label is empty: give the label the turns should have".into(),
        ));
    }
    Ok(to)
}

impl SqliteStore {
    /// Returns the name and length in chars of a source.
    fn name_and_chars(&self, source: i64) -> Result<(String, i64), StoreError> {
        self.conn
            .query_row(
                "SELECT name, chars FROM sources WHERE id = $1",
                [source],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|_| StoreError::SourceNotFound(source.to_string()))
    }

    /// Replaces a source's turns with `turns`, found again in its unchanged
    /// text, as one undoable action (`source.redetect`).
    pub fn replace_turns(
        &mut self,
        actor: &str,
        source: i64,
        turns: &[Turn],
    ) -> Result<RedetectReport, StoreError> {
        let (name, chars) = self.name_and_chars(source)?;
        let old: Vec<StoredTurn> = self
            .conn
            .prepare(
                "SELECT speaker, start_char, end_char, begin_ms, end_ms FROM turns \
                 WHERE source_id = $1 ORDER BY ordinal",
            )?
            .query_map([source], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        let ordinals: Vec<i64> = self
            .conn
            .prepare("SELECT ordinal FROM turns WHERE source_id = $1 ORDER BY ordinal")?
            .query_map([source], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mappings: Vec<(i64, String)> = self
            .conn
            .prepare("SELECT id, label FROM speaker_map WHERE source_id = $1 ORDER BY id")?
            .query_map([source], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let RedetectPlan { report, dropped } =
            rules::plan_redetect(&name, chars, &old, turns, mappings)?;
        if !report.changed {
            return Ok(report);
        }
        let summary = serde_json::to_value(&report).unwrap_or(Json::Null);
        self.act(
            actor,
            "source.redetect",
            &format!("source:{source}"),
            |tx, rec| {
                for ordinal in &ordinals {
                    rec.delete(tx, Table::Turns, turn_key(source, *ordinal))?;
                }
                for id in &dropped {
                    rec.delete(tx, Table::SpeakerMap, id_key(*id))?;
                }
                insert_turns(tx, rec, source, turns)?;
                Ok(((), summary))
            },
        )?;
        Ok(report)
    }

    /// Renames the speaker label `from` of a source to `to` in its turns and
    /// explicit mapping, as one undoable action (`speakers.rename`). When
    /// `to` is already a label of the source the two merge, and `to`'s
    /// mapping wins. Returns how many turns were renamed.
    pub fn rename_speaker(
        &mut self,
        actor: &str,
        source: i64,
        from: &str,
        to: &str,
    ) -> Result<usize, StoreError> {
        let to = new_speaker_label(to)?;
        let from = self.find_label(source, from)?;
        if from == to {
            return Ok(0);
        }
        let ordinals: Vec<i64> = self
            .conn
            .prepare("SELECT ordinal FROM turns WHERE source_id = $1 AND speaker = $2")?
            .query_map(rusqlite::params![source, from], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let map_id = |label: &str| -> Result<Option<i64>, StoreError> {
            use rusqlite::OptionalExtension;
            Ok(self
                .conn
                .query_row(
                    "SELECT id FROM speaker_map WHERE source_id = $1 AND label = $2",
                    rusqlite::params![source, label],
                    |r| r.get(0),
                )
                .optional()?)
        };
        let (from_map, to_map) = (map_id(&from)?, map_id(&to)?);
        let summary = serde_json::json!({ "from": from, "to": to, "turns": ordinals.len() });
        self.act(
            actor,
            "speakers.rename",
            &format!("source:{source}"),
            |tx, rec| {
                for ordinal in &ordinals {
                    rec.update(
                        tx,
                        Table::Turns,
                        turn_key(source, *ordinal),
                        &[("speaker", Value::Text(to.clone()))],
                    )?;
                }
                match (from_map, to_map) {
                    (Some(id), Some(_)) => rec.delete(tx, Table::SpeakerMap, id_key(id))?,
                    (Some(id), None) => rec.update(
                        tx,
                        Table::SpeakerMap,
                        id_key(id),
                        &[("label", Value::Text(to.clone()))],
                    )?,
                    _ => {}
                }
                Ok(((), summary))
            },
        )?;
        Ok(ordinals.len())
    }

    /// Removes a source and everything that hangs on it as one undoable
    /// action (`source.remove`), whose audit entry lists every row.
    pub fn remove_source(&mut self, actor: &str, source: i64) -> Result<RemoveReport, StoreError> {
        let (name, _) = self.name_and_chars(source)?;
        let count = |sql: &str| -> Result<usize, StoreError> {
            let n: i64 = self.conn.query_row(sql, [source], |r| r.get(0))?;
            Ok(usize::try_from(n).unwrap_or(0))
        };
        let report = RemoveReport {
            id: source,
            source: name,
            turns: count("SELECT count(*) FROM turns WHERE source_id = $1")?,
            codings: count("SELECT count(*) FROM codings WHERE source_id = $1")?,
            memos: count(&format!(
                "SELECT count(*) FROM memos WHERE {MEMOS_OF_SOURCE}"
            ))?,
            mappings: count("SELECT count(*) FROM speaker_map WHERE source_id = $1")?,
        };
        let summary = serde_json::to_value(&report).unwrap_or(Json::Null);
        self.act(
            actor,
            "source.remove",
            &format!("source:{source}"),
            |tx, rec| {
                let codings = "SELECT id FROM codings WHERE source_id = $1";
                for (table, select) in [
                    (
                        Table::Translations,
                        format!("SELECT id FROM translations WHERE coding_id IN ({codings})"),
                    ),
                    (
                        Table::ConsensusOrigins,
                        format!("SELECT id FROM consensus_origins WHERE coding_id IN ({codings})"),
                    ),
                    (
                        Table::Memos,
                        format!("SELECT id FROM memos WHERE {MEMOS_OF_SOURCE}"),
                    ),
                    (Table::Codings, codings.to_owned()),
                    (
                        Table::SpeakerMap,
                        "SELECT id FROM speaker_map WHERE source_id = $1".into(),
                    ),
                    (
                        Table::SourceValues,
                        "SELECT id FROM source_values WHERE source_id = $1".into(),
                    ),
                    (
                        Table::SourceGuides,
                        "SELECT id FROM source_guides WHERE source_id = $1".into(),
                    ),
                    (
                        Table::SourceDone,
                        "SELECT id FROM source_done WHERE source_id = $1".into(),
                    ),
                ] {
                    rec.delete_ids(tx, table, &select, [source])?;
                }
                let ordinals: Vec<i64> = tx
                    .prepare("SELECT ordinal FROM turns WHERE source_id = $1")?
                    .query_map([source], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                for ordinal in ordinals {
                    rec.delete(tx, Table::Turns, turn_key(source, ordinal))?;
                }
                let mut text_key = Map::new();
                text_key.insert("source_id".into(), Json::from(source));
                rec.delete(tx, Table::SourceTexts, text_key)?;
                rec.delete(tx, Table::Sources, id_key(source))?;
                Ok(((), summary))
            },
        )?;
        Ok(report)
    }
}

/// The memos that belong to a source (`$1`): on the source, on one of its
/// passages, or on one of its codings.
const MEMOS_OF_SOURCE: &str = "source_id = $1 \
     OR (target_kind = 'source' AND target_id = $1) \
     OR (target_kind = 'coding' AND target_id IN (SELECT id FROM codings WHERE source_id = $1))";

/// Inserts `turns` as the turns of `source`, numbered from 0.
fn insert_turns(
    tx: &rusqlite::Transaction<'_>,
    rec: &mut Recorder,
    source: i64,
    turns: &[Turn],
) -> Result<(), StoreError> {
    let ms = |v: Option<u64>| {
        v.and_then(|v| i64::try_from(v).ok())
            .map_or(Value::Null, Value::Integer)
    };
    for (ordinal, turn) in turns.iter().enumerate() {
        rec.insert(
            tx,
            Table::Turns,
            &[
                ("source_id", Value::Integer(source)),
                ("ordinal", Value::Integer(ordinal as i64)),
                (
                    "speaker",
                    Value::Text(turn.speaker.clone().unwrap_or_default()),
                ),
                ("start_char", Value::Integer(turn.span.start() as i64)),
                ("end_char", Value::Integer(turn.span.end() as i64)),
                ("begin_ms", ms(turn.begin_ms)),
                ("end_ms", ms(turn.end_ms)),
            ],
        )?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use verbatim_core::{Language, Span};

    use super::*;
    use crate::testkit::{fixture, span_of};
    use crate::{NewCode, NewParticipant, SourceRef, SpeakerTarget, Store};

    /// Returns `(speaker, start, end)` of each turn of the fixture source.
    fn turns(store: &SqliteStore) -> Vec<(Option<String>, i64, i64)> {
        store
            .source(&SourceRef::Id(1))
            .unwrap()
            .turn_list
            .into_iter()
            .map(|t| (t.speaker, t.start, t.end))
            .collect()
    }

    fn mappings(store: &SqliteStore) -> Vec<(String, Option<i64>)> {
        store
            .conn
            .prepare("SELECT label, participant_id FROM speaker_map ORDER BY label")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn rename_merges_into_a_mapped_label_and_undo_restores_both() {
        let mut f = fixture();
        let p = f
            .store
            .add_participant(
                "tester",
                &NewParticipant {
                    code: Some("P01".into()),
                    ..NewParticipant::default()
                },
            )
            .unwrap();
        let src = SourceRef::Id(f.source);
        let to_p = SpeakerTarget::Participant("P01".into());
        f.store.map_speaker("tester", &src, "CSI-2", &to_p).unwrap();
        f.store
            .map_speaker("tester", &src, "INT", &SpeakerTarget::Interviewer)
            .unwrap();
        let before = (turns(&f.store), mappings(&f.store));
        // `int` matches `INT` ignoring case; renaming it onto `CSI-2`, which
        // has its own mapping, drops INT's mapping and keeps CSI-2's.
        let renamed = f
            .store
            .rename_speaker("tester", f.source, "int", "CSI-2")
            .unwrap();
        assert_eq!(renamed, 1);
        let speakers: Vec<Option<String>> = turns(&f.store).into_iter().map(|t| t.0).collect();
        assert_eq!(speakers, [Some("CSI-2".into()), Some("CSI-2".into())]);
        assert_eq!(mappings(&f.store), [("CSI-2".into(), Some(p))]);
        f.store.undo("tester", 1).unwrap();
        assert_eq!((turns(&f.store), mappings(&f.store)), before);
        // Onto a new label, the mapping follows the label.
        f.store
            .rename_speaker("tester", f.source, "CSI-2", "Mme B.")
            .unwrap();
        assert_eq!(
            mappings(&f.store),
            [("INT".into(), None), ("Mme B.".into(), Some(p))]
        );
        assert!(
            f.store
                .rename_speaker("tester", f.source, "Personne", "X")
                .is_err()
        );
    }

    #[test]
    fn replace_turns_keeps_text_and_codings_and_refuses_turns_that_do_not_fit() {
        let mut f = fixture();
        let scope = f.store.scope("amira", false, false).unwrap();
        let code = f
            .store
            .add_code(
                &scope,
                &NewCode {
                    name: "Confiance".into(),
                    ..NewCode::default()
                },
            )
            .unwrap();
        let passage = span_of("La confiance se construit");
        f.store
            .add_coding(&scope, f.source, passage, code, None)
            .unwrap();
        let before = turns(&f.store);
        let one = Turn {
            speaker: None,
            span: Span::new(0, 10).unwrap(),
            begin_ms: Some(500),
            end_ms: Some(900),
        };
        // The same turns again change nothing and log nothing.
        let same: Vec<Turn> = f
            .store
            .source(&SourceRef::Id(f.source))
            .unwrap()
            .turn_list
            .iter()
            .map(|t| Turn {
                speaker: t.speaker.clone(),
                span: Span::new(t.start as usize, t.end as usize).unwrap(),
                begin_ms: None,
                end_ms: None,
            })
            .collect();
        let entries = f.store.audit_log(1000).unwrap().len();
        let report = f.store.replace_turns("tester", f.source, &same).unwrap();
        assert!(!report.changed);
        assert_eq!(f.store.audit_log(1000).unwrap().len(), entries);
        let report = f.store.replace_turns("tester", f.source, &[one]).unwrap();
        assert!(report.changed);
        assert_eq!((report.turns_before, report.turns_after), (2, 1));
        assert_eq!(report.speakers_after, Vec::<String>::new());
        assert_eq!(turns(&f.store), [(None, 0, 10)]);
        // A timed segment has no speaker: listings do not show it.
        assert!(f.store.speakers(Some(f.source)).unwrap().is_empty());
        let codings = f
            .store
            .codings(&scope, &crate::CodingFilter::default())
            .unwrap();
        assert_eq!(codings[0].text, "La confiance se construit");
        let too_long = Turn {
            speaker: Some("INT".into()),
            span: Span::new(0, 10_000).unwrap(),
            begin_ms: None,
            end_ms: None,
        };
        assert!(
            f.store
                .replace_turns("tester", f.source, &[too_long])
                .is_err()
        );
        f.store.undo("tester", 1).unwrap();
        assert_eq!(turns(&f.store), before);
    }

    #[test]
    fn remove_takes_translations_and_undo_brings_them_back() {
        let mut f = fixture();
        let scope = f.store.scope("amira", false, false).unwrap();
        let code = f
            .store
            .add_code(
                &scope,
                &NewCode {
                    name: "Méfiance".into(),
                    ..NewCode::default()
                },
            )
            .unwrap();
        let (coding, _) = f
            .store
            .add_coding(&scope, f.source, span_of("la méfiance revient"), code, None)
            .unwrap();
        let en: Language = "en".parse().unwrap();
        f.store
            .translate(&scope, coding, &en, "mistrust comes back")
            .unwrap();
        let count = |store: &SqliteStore, table: &str| -> i64 {
            store
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        };
        // The fixture's Word comment is a memo of the source.
        let report = f.store.remove_source("tester", f.source).unwrap();
        assert_eq!((report.turns, report.codings, report.memos), (2, 1, 1));
        for table in [
            "sources",
            "source_texts",
            "turns",
            "codings",
            "translations",
            "memos",
        ] {
            assert_eq!(count(&f.store, table), 0, "{table}");
        }
        f.store.undo("tester", 1).unwrap();
        for (table, n) in [
            ("sources", 1),
            ("source_texts", 1),
            ("turns", 2),
            ("codings", 1),
            ("translations", 1),
            ("memos", 1),
        ] {
            assert_eq!(count(&f.store, table), n, "{table}");
        }
        let text = f.store.source(&SourceRef::Id(f.source)).unwrap().text;
        assert_eq!(text, crate::testkit::TEXT);
    }
}
