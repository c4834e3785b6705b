//! Reads a whole study for export, one step per kind of row.
//!
//! [`SqliteStore::snapshot`] reads each table once and in bulk, inside one
//! read transaction, into [`SnapshotRows`]; `snapshot_rows::assemble`, which
//! PostgreSQL shares, keeps what the [`Scope`] may see.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use super::snapshot_rows::{SnapshotRows, UNCARRIED_TABLES, assemble};
use super::{
    SnapAttribute, SnapCode, SnapCoder, SnapCoding, SnapJournal, SnapMemo, SnapParticipant,
    SnapSource, Snapshot,
};
use crate::coders::Scope;
use crate::participants::AppliesTo;
use crate::{SqliteStore, StoreError};

impl SqliteStore {
    /// Returns everything a project exchange file carries, as `scope` sees
    /// it, read in one transaction.
    pub fn snapshot(&self, scope: &Scope) -> Result<Snapshot, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let conn: &Connection = &tx;
        let mut rows = self.study_header()?;
        read_coders(conn, &mut rows)?;
        read_codes(conn, &mut rows)?;
        read_code_links(conn, &mut rows)?;
        read_sources(conn, &mut rows)?;
        read_codings(conn, &mut rows)?;
        read_people(conn, &mut rows)?;
        rows.turn_owners = self.turn_owners(true)?;
        read_memos(conn, &mut rows)?;
        read_journal(conn, &mut rows)?;
        count_uncarried(conn, &mut rows)?;
        tx.commit()?;
        Ok(assemble(rows, scope))
    }

    /// The rows of the study's identity and its levels.
    fn study_header(&self) -> Result<SnapshotRows, StoreError> {
        let study = |key: &str| -> Result<Option<String>, StoreError> {
            Ok(self
                .conn
                .query_row("SELECT value FROM study WHERE key = $1", [key], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        Ok(SnapshotRows {
            study_guid: study("guid")?.unwrap_or_default(),
            title: study("title")?.unwrap_or_default(),
            created_at: study("created_at")?.unwrap_or_default(),
            levels: self
                .levels()?
                .into_iter()
                .map(|l| (l.rank, l.name))
                .collect(),
            ..SnapshotRows::default()
        })
    }
}

/// Every coder row, by id.
fn read_coders(conn: &Connection, rows: &mut SnapshotRows) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("SELECT id, guid, name FROM coders ORDER BY id")?;
    rows.coders = stmt
        .query_map([], |r| {
            Ok(SnapCoder {
                id: r.get(0)?,
                guid: r.get(1)?,
                name: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(())
}

/// Every code with its level's rank, by owner, position and id.
fn read_codes(conn: &Connection, rows: &mut SnapshotRows) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, guid, owner, name, level, parent, colour, definition, inclusion, \
         exclusion, example, codable FROM codes ORDER BY IFNULL(owner, 0), position, id",
    )?;
    rows.codes = stmt
        .query_map([], |r| {
            let code = SnapCode {
                id: r.get(0)?,
                guid: r.get(1)?,
                owner: r.get(2)?,
                name: r.get(3)?,
                level: String::new(),
                parent: r.get(5)?,
                colour: r.get(6)?,
                definition: r.get(7)?,
                inclusion: r.get(8)?,
                exclusion: r.get(9)?,
                example: r.get(10)?,
                codable: r.get(11)?,
            };
            Ok((code, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(())
}

/// Every further parent, by link id.
fn read_code_links(conn: &Connection, rows: &mut SnapshotRows) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("SELECT child, parent FROM code_links ORDER BY id")?;
    rows.code_links = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(())
}

/// Every source with its text, turns and speaker mappings, by id.
fn read_sources(conn: &Connection, snap: &mut SnapshotRows) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.guid, s.name, s.kind, s.site, s.language, s.imported_at, t.text \
         FROM sources s JOIN source_texts t ON t.source_id = s.id ORDER BY s.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(SnapSource {
            id: r.get(0)?,
            guid: r.get(1)?,
            name: r.get(2)?,
            kind: r.get(3)?,
            site: r.get(4)?,
            language: r.get(5)?,
            imported_at: r.get(6)?,
            text: r.get(7)?,
            turns: Vec::new(),
            speaker_map: Vec::new(),
        })
    })?;
    snap.sources = rows.collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT source_id, NULLIF(speaker, ''), start_char, end_char, begin_ms, end_ms \
         FROM turns ORDER BY source_id, ordinal",
    )?;
    let mut rows = stmt.query([])?;
    let mut turns: HashMap<i64, Vec<crate::TurnRecord>> = HashMap::new();
    while let Some(r) = rows.next()? {
        turns.entry(r.get(0)?).or_default().push(crate::TurnRecord {
            speaker: r.get(1)?,
            start: r.get(2)?,
            end: r.get(3)?,
            begin_ms: r.get(4)?,
            end_ms: r.get(5)?,
        });
    }
    let mut stmt = conn.prepare(
        "SELECT source_id, label, participant_id FROM speaker_map ORDER BY source_id, id",
    )?;
    let mut rows = stmt.query([])?;
    let mut maps: HashMap<i64, Vec<(String, Option<i64>)>> = HashMap::new();
    while let Some(r) = rows.next()? {
        maps.entry(r.get(0)?)
            .or_default()
            .push((r.get(1)?, r.get(2)?));
    }
    for source in &mut snap.sources {
        source.turns = turns.remove(&source.id).unwrap_or_default();
        source.speaker_map = maps.remove(&source.id).unwrap_or_default();
    }
    Ok(())
}

/// Every coding with its quote mark, by source and start, and the coding
/// of every translation.
fn read_codings(conn: &Connection, rows: &mut SnapshotRows) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT guid, id, source_id, code_id, coder_id, start_char, end_char, memo, \
         created_at, is_quote FROM codings ORDER BY source_id, start_char, end_char, id",
    )?;
    rows.codings = stmt
        .query_map([], |r| {
            let coding = SnapCoding {
                guid: r.get(0)?,
                id: r.get(1)?,
                source_id: r.get(2)?,
                code_id: r.get(3)?,
                coder_id: r.get(4)?,
                start: r.get(5)?,
                end: r.get(6)?,
                memo: r.get(7)?,
                created_at: r.get(8)?,
            };
            Ok((coding, r.get::<_, i64>(9)? != 0))
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare("SELECT coding_id FROM translations ORDER BY id")?;
    rows.translated = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(())
}

/// Sites, participants, attributes and the values of participants and
/// sources.
fn read_people(conn: &Connection, snap: &mut SnapshotRows) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("SELECT id, name, code FROM sites ORDER BY id")?;
    snap.sites = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut stmt =
        conn.prepare("SELECT id, guid, code, label, site_id FROM participants ORDER BY id")?;
    snap.participants = stmt
        .query_map([], |r| {
            Ok(SnapParticipant {
                id: r.get(0)?,
                guid: r.get(1)?,
                code: r.get(2)?,
                label: r.get(3)?,
                site_id: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    for applies_to in [AppliesTo::Participant, AppliesTo::Source] {
        for a in crate::participants::attributes_in(conn, applies_to)? {
            snap.attributes.push(SnapAttribute {
                id: a.id,
                name: a.name,
                applies_to,
                kind: a.kind,
                allowed: a.allowed,
            });
        }
    }
    let mut stmt = conn.prepare(
        "SELECT participant_id, attribute_id, value FROM participant_values ORDER BY id",
    )?;
    snap.participant_values = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut stmt =
        conn.prepare("SELECT source_id, attribute_id, value FROM source_values ORDER BY id")?;
    snap.source_values = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(())
}

/// Every memo, by id.
fn read_memos(conn: &Connection, rows: &mut SnapshotRows) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, guid, target_kind, target_id, target_label, source_id, start_char, \
         end_char, title, author, coder_id, written_at, body FROM memos ORDER BY id",
    )?;
    rows.memos = stmt
        .query_map([], |r| {
            let source: Option<i64> = r.get(5)?;
            let start: Option<i64> = r.get(6)?;
            let end: Option<i64> = r.get(7)?;
            Ok(SnapMemo {
                id: r.get(0)?,
                guid: r.get(1)?,
                target_kind: r.get(2)?,
                target_id: r.get(3)?,
                target_label: r.get(4)?,
                anchor: match (source, start, end) {
                    (Some(s), Some(a), Some(b)) => Some((s, a, b)),
                    _ => None,
                },
                title: r.get(8)?,
                author: r.get(9)?,
                coder_id: r.get(10)?,
                written_at: r.get(11)?,
                body: r.get(12)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(())
}

/// Every journal entry, by id, and every link, by link id.
fn read_journal(conn: &Connection, rows: &mut SnapshotRows) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT guid, coder_id, kind, title, body, written_at, sealed_at, content_hash \
         FROM journal ORDER BY id",
    )?;
    rows.journal = stmt
        .query_map([], |r| {
            Ok(SnapJournal {
                guid: r.get(0)?,
                coder_id: r.get(1)?,
                kind: r.get(2)?,
                title: r.get(3)?,
                body: r.get(4)?,
                written_at: r.get(5)?,
                sealed_at: r.get(6)?,
                content_hash: r.get(7)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT j.guid, l.code_id, l.relation FROM journal_links l \
         JOIN journal j ON j.id = l.entry_id ORDER BY l.id",
    )?;
    rows.journal_links = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(())
}

/// Counts the rows of tables REFI-QDA has no place for.
fn count_uncarried(conn: &Connection, rows: &mut SnapshotRows) -> Result<(), StoreError> {
    for (what, table) in UNCARRIED_TABLES {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        rows.uncarried.push((what, n));
    }
    Ok(())
}
