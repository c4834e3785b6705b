//! `Exchange` on PostgreSQL: the whole study read for export in one
//! repeatable-read, read-only transaction (every table as of one moment,
//! whatever other processes commit meanwhile), into the same
//! `SnapshotRows` SQLite fills; `verbatim_store::assemble_snapshot` then
//! applies the scope, so both backends export a study alike.
//!
//! Tables SQLite has and this schema does not yet (interview guides,
//! de-identification records) count as empty. Flags are 0/1 integers, as
//! in SQLite's columns.

use std::collections::HashMap;

use postgres::{IsolationLevel, Transaction};
use verbatim_store::{
    AppliesTo, Exchange, ImportPlan, ImportedCounts, Scope, SnapAttribute, SnapCode, SnapCoder,
    SnapCoding, SnapJournal, SnapMemo, SnapParticipant, SnapSource, Snapshot, SnapshotRows,
    SpeechTurn, StoreError, TurnRecord, UNCARRIED_TABLES, assemble_snapshot, owned_turns,
};

use crate::PgStore;
use crate::participants;
use crate::reads::ReadError;

impl Exchange for PgStore {
    fn snapshot(&self, scope: &Scope) -> Result<Snapshot, StoreError> {
        let mut client = self.client();
        let read = (|| -> Result<SnapshotRows, ReadError> {
            let mut tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let mut rows = study_header(&mut tx)?;
            read_codes(&mut tx, &mut rows)?;
            read_sources(&mut tx, &mut rows)?;
            read_codings(&mut tx, &mut rows)?;
            read_people(&mut tx, &mut rows)?;
            read_notes(&mut tx, &mut rows)?;
            count_uncarried(&mut tx, &mut rows)?;
            tx.commit()?;
            Ok(rows)
        })();
        let rows = read.map_err(|e| self.read_error(e))?;
        Ok(assemble_snapshot(rows, scope))
    }

    fn import_project(
        &mut self,
        actor: &str,
        plan: &ImportPlan,
    ) -> Result<ImportedCounts, StoreError> {
        self.write_import_plan(actor, plan)
    }
}

/// The study's identity, its levels and every coder.
fn study_header(tx: &mut Transaction<'_>) -> Result<SnapshotRows, ReadError> {
    let study: HashMap<String, String> = tx
        .query(
            "SELECT key, value FROM study WHERE key IN ('guid', 'title', 'created_at')",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;
    let field = |key: &str| study.get(key).cloned().unwrap_or_default();
    let levels = tx
        .query("SELECT rank, name FROM levels ORDER BY rank", &[])?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;
    let coders = tx
        .query("SELECT id, guid, name FROM coders ORDER BY id", &[])?
        .iter()
        .map(|r| {
            Ok(SnapCoder {
                id: r.try_get(0)?,
                guid: r.try_get(1)?,
                name: r.try_get(2)?,
            })
        })
        .collect::<Result<_, postgres::Error>>()?;
    Ok(SnapshotRows {
        study_guid: field("guid"),
        title: field("title"),
        created_at: field("created_at"),
        levels,
        coders,
        ..SnapshotRows::default()
    })
}

/// Every code with its level's rank, by owner, position and id, and every
/// further parent.
fn read_codes(tx: &mut Transaction<'_>, rows: &mut SnapshotRows) -> Result<(), postgres::Error> {
    rows.codes = tx
        .query(
            "SELECT id, guid, owner, name, level, parent, colour, definition, inclusion, \
             exclusion, example, codable FROM codes ORDER BY COALESCE(owner, 0), position, id",
            &[],
        )?
        .iter()
        .map(|r| {
            let code = SnapCode {
                id: r.try_get(0)?,
                guid: r.try_get(1)?,
                owner: r.try_get(2)?,
                name: r.try_get(3)?,
                level: String::new(),
                parent: r.try_get(5)?,
                colour: r.try_get(6)?,
                definition: r.try_get(7)?,
                inclusion: r.try_get(8)?,
                exclusion: r.try_get(9)?,
                example: r.try_get(10)?,
                codable: r.try_get::<_, i64>(11)? != 0,
            };
            Ok((code, r.try_get(4)?))
        })
        .collect::<Result<_, postgres::Error>>()?;
    rows.code_links = tx
        .query("SELECT child, parent FROM code_links ORDER BY id", &[])?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;
    Ok(())
}

/// Every source with its text, turns and speaker mappings, by id.
fn read_sources(tx: &mut Transaction<'_>, rows: &mut SnapshotRows) -> Result<(), postgres::Error> {
    let mut turns: HashMap<i64, Vec<TurnRecord>> = HashMap::new();
    for r in tx.query(
        "SELECT source_id, NULLIF(speaker, ''), start_char, end_char, begin_ms, end_ms \
         FROM turns ORDER BY source_id, ordinal",
        &[],
    )? {
        turns.entry(r.try_get(0)?).or_default().push(TurnRecord {
            speaker: r.try_get(1)?,
            start: r.try_get(2)?,
            end: r.try_get(3)?,
            begin_ms: r.try_get(4)?,
            end_ms: r.try_get(5)?,
        });
    }
    let mut maps: HashMap<i64, Vec<(String, Option<i64>)>> = HashMap::new();
    for r in tx.query(
        "SELECT source_id, label, participant_id FROM speaker_map ORDER BY source_id, id",
        &[],
    )? {
        maps.entry(r.try_get(0)?)
            .or_default()
            .push((r.try_get(1)?, r.try_get(2)?));
    }
    rows.sources = tx
        .query(
            "SELECT s.id, s.guid, s.name, s.kind, s.site, s.language, s.imported_at, t.text \
             FROM sources s JOIN source_texts t ON t.source_id = s.id ORDER BY s.id",
            &[],
        )?
        .iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            Ok(SnapSource {
                id,
                guid: r.try_get(1)?,
                name: r.try_get(2)?,
                kind: r.try_get(3)?,
                site: r.try_get(4)?,
                language: r.try_get(5)?,
                imported_at: r.try_get(6)?,
                text: r.try_get(7)?,
                turns: turns.remove(&id).unwrap_or_default(),
                speaker_map: maps.remove(&id).unwrap_or_default(),
            })
        })
        .collect::<Result<_, postgres::Error>>()?;
    Ok(())
}

/// Every coding with its quote mark, by source and start, and the coding of
/// every translation.
fn read_codings(tx: &mut Transaction<'_>, rows: &mut SnapshotRows) -> Result<(), postgres::Error> {
    rows.codings = tx
        .query(
            "SELECT guid, id, source_id, code_id, coder_id, start_char, end_char, memo, \
             created_at, is_quote FROM codings ORDER BY source_id, start_char, end_char, id",
            &[],
        )?
        .iter()
        .map(|r| {
            let coding = SnapCoding {
                guid: r.try_get(0)?,
                id: r.try_get(1)?,
                source_id: r.try_get(2)?,
                code_id: r.try_get(3)?,
                coder_id: r.try_get(4)?,
                start: r.try_get(5)?,
                end: r.try_get(6)?,
                memo: r.try_get(7)?,
                created_at: r.try_get(8)?,
            };
            Ok((coding, r.try_get::<_, i64>(9)? != 0))
        })
        .collect::<Result<_, postgres::Error>>()?;
    rows.translated = tx
        .query("SELECT coding_id FROM translations ORDER BY id", &[])?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    Ok(())
}

/// Sites, participants, attributes, their values, and who speaks each
/// labelled turn (by the same `SpeakerMapper` rule as SQLite).
fn read_people(tx: &mut Transaction<'_>, rows: &mut SnapshotRows) -> Result<(), ReadError> {
    rows.sites = tx
        .query("SELECT id, name, code FROM sites ORDER BY id", &[])?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, postgres::Error>>()?;
    rows.participants = tx
        .query(
            "SELECT id, guid, code, label, site_id FROM participants ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(SnapParticipant {
                id: r.try_get(0)?,
                guid: r.try_get(1)?,
                code: r.try_get(2)?,
                label: r.try_get(3)?,
                site_id: r.try_get(4)?,
            })
        })
        .collect::<Result<_, postgres::Error>>()?;
    for applies_to in [AppliesTo::Participant, AppliesTo::Source] {
        let found = participants::attributes(tx, applies_to)?.map_err(ReadError::Store)?;
        rows.attributes
            .extend(found.into_iter().map(|a| SnapAttribute {
                id: a.id,
                name: a.name,
                applies_to,
                kind: a.kind,
                allowed: a.allowed,
            }));
    }
    let values = |tx: &mut Transaction<'_>, sql: &str| {
        tx.query(sql, &[])?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<Vec<_>, postgres::Error>>()
    };
    rows.participant_values = values(
        tx,
        "SELECT participant_id, attribute_id, value FROM participant_values ORDER BY id",
    )?;
    rows.source_values = values(
        tx,
        "SELECT source_id, attribute_id, value FROM source_values ORDER BY id",
    )?;
    let turns: Vec<SpeechTurn> = tx
        .query(
            "SELECT source_id, speaker, start_char, end_char FROM turns WHERE speaker <> '' \
             ORDER BY source_id, start_char",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect::<Result<_, postgres::Error>>()?;
    rows.turn_owners = owned_turns(participants::speakers(tx, None)?, turns);
    Ok(())
}

/// Every memo and journal entry, by id, and every journal link.
fn read_notes(tx: &mut Transaction<'_>, rows: &mut SnapshotRows) -> Result<(), postgres::Error> {
    rows.memos = tx
        .query(
            "SELECT id, guid, target_kind, target_id, target_label, source_id, start_char, \
             end_char, title, author, coder_id, written_at, body FROM memos ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| {
            let source: Option<i64> = r.try_get(5)?;
            let start: Option<i64> = r.try_get(6)?;
            let end: Option<i64> = r.try_get(7)?;
            Ok(SnapMemo {
                id: r.try_get(0)?,
                guid: r.try_get(1)?,
                target_kind: r.try_get(2)?,
                target_id: r.try_get(3)?,
                target_label: r.try_get(4)?,
                anchor: match (source, start, end) {
                    (Some(s), Some(a), Some(b)) => Some((s, a, b)),
                    _ => None,
                },
                title: r.try_get(8)?,
                author: r.try_get(9)?,
                coder_id: r.try_get(10)?,
                written_at: r.try_get(11)?,
                body: r.try_get(12)?,
            })
        })
        .collect::<Result<_, postgres::Error>>()?;
    rows.journal = tx
        .query(
            "SELECT guid, coder_id, kind, title, body, written_at, sealed_at, content_hash \
             FROM journal ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(SnapJournal {
                guid: r.try_get(0)?,
                coder_id: r.try_get(1)?,
                kind: r.try_get(2)?,
                title: r.try_get(3)?,
                body: r.try_get(4)?,
                written_at: r.try_get(5)?,
                sealed_at: r.try_get(6)?,
                content_hash: r.try_get(7)?,
            })
        })
        .collect::<Result<_, postgres::Error>>()?;
    rows.journal_links = tx
        .query(
            "SELECT j.guid, l.code_id, l.relation FROM journal_links l \
             JOIN journal j ON j.id = l.entry_id ORDER BY l.id",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, postgres::Error>>()?;
    Ok(())
}

/// Counts the rows of the tables REFI-QDA has no place for, among those
/// this study's schema has (a table it lacks holds nothing).
fn count_uncarried(
    tx: &mut Transaction<'_>,
    rows: &mut SnapshotRows,
) -> Result<(), postgres::Error> {
    for (what, table) in UNCARRIED_TABLES {
        let exists: bool = tx
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])?
            .try_get(0)?;
        let n: i64 = if exists {
            // `table` is one of our constant names, never user input.
            tx.query_one(&format!("SELECT count(*) FROM {table}"), &[])?
                .try_get(0)?
        } else {
            0
        };
        rows.uncarried.push((what, n));
    }
    Ok(())
}
