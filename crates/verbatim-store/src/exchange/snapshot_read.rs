//! Reads a whole study for export, one step per kind of row.
//!
//! [`SqliteStore::snapshot`] reads each table once and in bulk, then keeps
//! what the [`Scope`] may see; each step below fills one part of the
//! [`Snapshot`] from one or two queries. The codes read first decide which
//! codings, code links and journal links are kept (a coding of a code in a
//! hidden codebook is hidden with it).

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension};

use super::{
    SnapAttribute, SnapCode, SnapCoder, SnapCoding, SnapJournal, SnapMemo, SnapParticipant,
    SnapSource, Snapshot,
};
use crate::coders::Scope;
use crate::participants::AppliesTo;
use crate::{SqliteStore, StoreError};

impl SqliteStore {
    /// Returns everything a project exchange file carries, as `scope` sees it.
    pub fn snapshot(&self, scope: &Scope) -> Result<Snapshot, StoreError> {
        let conn = &self.conn;
        let mut snap = self.study_header()?;
        read_coders(conn, scope, &mut snap)?;
        let level_names: HashMap<i64, String> = self
            .levels()?
            .into_iter()
            .map(|l| (l.rank, l.name))
            .collect();
        read_codes(conn, scope, &level_names, &mut snap)?;
        let seen: HashSet<i64> = snap.codes.iter().map(|c| c.id).collect();
        read_code_links(conn, &seen, &mut snap)?;
        read_sources(conn, &mut snap)?;
        read_codings(conn, scope, &seen, &mut snap)?;
        read_people(conn, &mut snap)?;
        self.read_participant_turns(&mut snap)?;
        read_memos(conn, scope, &mut snap)?;
        read_journal(conn, scope, &seen, &mut snap)?;
        count_uncarried(conn, &mut snap)?;
        Ok(snap)
    }

    /// A snapshot holding only the study's identity and level names.
    fn study_header(&self) -> Result<Snapshot, StoreError> {
        let study = |key: &str| -> Result<Option<String>, StoreError> {
            Ok(self
                .conn
                .query_row("SELECT value FROM study WHERE key = $1", [key], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        Ok(Snapshot {
            study_guid: study("guid")?.unwrap_or_default(),
            title: study("title")?.unwrap_or_default(),
            created_at: study("created_at")?.unwrap_or_default(),
            levels: self.levels()?.into_iter().map(|l| l.name).collect(),
            ..Snapshot::default()
        })
    }

    /// Who speaks where: each turn's label as `speakers` maps it (explicit
    /// mappings and labels matching a participant's code).
    fn read_participant_turns(&self, snap: &mut Snapshot) -> Result<(), StoreError> {
        for turn in self.turn_owners(true)? {
            let Some(p) = turn.participant_id else {
                continue;
            };
            let (start, end) = (turn.start as i64, turn.end as i64);
            snap.participant_turns.push((p, turn.source_id, start, end));
        }
        let mut pairs: Vec<(i64, i64)> = snap
            .participant_turns
            .iter()
            .map(|&(p, source, _, _)| (p, source))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        snap.participant_sources = pairs;
        Ok(())
    }
}

/// The coders whose layers the scope sees.
fn read_coders(conn: &Connection, scope: &Scope, snap: &mut Snapshot) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("SELECT id, guid, name FROM coders ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(SnapCoder {
            id: r.get(0)?,
            guid: r.get(1)?,
            name: r.get(2)?,
        })
    })?;
    for row in rows {
        let coder = row?;
        if scope.may_see(Some(coder.id)) {
            snap.coders.push(coder);
        }
    }
    Ok(())
}

/// The codes of the visible codebooks, by owner, position and id.
fn read_codes(
    conn: &Connection,
    scope: &Scope,
    level_names: &HashMap<i64, String>,
    snap: &mut Snapshot,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, guid, owner, name, level, parent, colour, definition, inclusion, \
         exclusion, example, codable FROM codes ORDER BY IFNULL(owner, 0), position, id",
    )?;
    let rows = stmt.query_map([], |r| {
        let level: i64 = r.get(4)?;
        Ok(SnapCode {
            id: r.get(0)?,
            guid: r.get(1)?,
            owner: r.get(2)?,
            name: r.get(3)?,
            level: level_names
                .get(&level)
                .cloned()
                .unwrap_or_else(|| format!("level {level}")),
            parent: r.get(5)?,
            colour: r.get(6)?,
            definition: r.get(7)?,
            inclusion: r.get(8)?,
            exclusion: r.get(9)?,
            example: r.get(10)?,
            codable: r.get(11)?,
        })
    })?;
    for row in rows {
        let code = row?;
        if scope.may_see(code.owner) {
            snap.codes.push(code);
        }
    }
    Ok(())
}

/// The further parents between codes both in `seen`.
fn read_code_links(
    conn: &Connection,
    seen: &HashSet<i64>,
    snap: &mut Snapshot,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("SELECT child, parent FROM code_links ORDER BY id")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (child, parent) = row?;
        if seen.contains(&child) && seen.contains(&parent) {
            snap.code_links.push((child, parent));
        }
    }
    Ok(())
}

/// Every source with its text, turns and speaker mappings, by id.
fn read_sources(conn: &Connection, snap: &mut Snapshot) -> Result<(), StoreError> {
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

/// The visible codings of codes in `seen`, by source and start, counting
/// their quote marks and translations.
fn read_codings(
    conn: &Connection,
    scope: &Scope,
    seen: &HashSet<i64>,
    snap: &mut Snapshot,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT guid, id, source_id, code_id, coder_id, start_char, end_char, memo, \
         created_at, is_quote FROM codings ORDER BY source_id, start_char, end_char, id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let coder_id: i64 = r.get(4)?;
        let code_id: i64 = r.get(3)?;
        if !scope.may_see(Some(coder_id)) || !seen.contains(&code_id) {
            continue;
        }
        if r.get::<_, i64>(9)? != 0 {
            snap.quotes += 1;
        }
        snap.codings.push(SnapCoding {
            guid: r.get(0)?,
            id: r.get(1)?,
            source_id: r.get(2)?,
            code_id,
            coder_id,
            start: r.get(5)?,
            end: r.get(6)?,
            memo: r.get(7)?,
            created_at: r.get(8)?,
        });
    }
    let visible_codings: HashSet<i64> = snap.codings.iter().map(|c| c.id).collect();
    let mut stmt = conn.prepare("SELECT coding_id FROM translations")?;
    for row in stmt.query_map([], |r| r.get::<_, i64>(0))? {
        if visible_codings.contains(&row?) {
            snap.translations += 1;
        }
    }
    Ok(())
}

/// Sites, participants, attributes and the values of participants and
/// sources.
fn read_people(conn: &Connection, snap: &mut Snapshot) -> Result<(), StoreError> {
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

/// The memos seen by all and those of visible layers.
fn read_memos(conn: &Connection, scope: &Scope, snap: &mut Snapshot) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, guid, target_kind, target_id, target_label, source_id, start_char, \
         end_char, title, author, coder_id, written_at, body FROM memos ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let coder_id: Option<i64> = r.get(10)?;
        if coder_id.is_some() && !scope.may_see(coder_id) {
            continue;
        }
        let source: Option<i64> = r.get(5)?;
        let start: Option<i64> = r.get(6)?;
        let end: Option<i64> = r.get(7)?;
        snap.memos.push(SnapMemo {
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
            coder_id,
            written_at: r.get(11)?,
            body: r.get(12)?,
        });
    }
    Ok(())
}

/// The visible journal entries, and their links to codes in `seen`.
fn read_journal(
    conn: &Connection,
    scope: &Scope,
    seen: &HashSet<i64>,
    snap: &mut Snapshot,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT guid, coder_id, kind, title, body, written_at, sealed_at, content_hash \
         FROM journal ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let coder_id: i64 = r.get(1)?;
        if !scope.may_see(Some(coder_id)) {
            continue;
        }
        snap.journal.push(SnapJournal {
            guid: r.get(0)?,
            coder_id,
            kind: r.get(2)?,
            title: r.get(3)?,
            body: r.get(4)?,
            written_at: r.get(5)?,
            sealed_at: r.get(6)?,
            content_hash: r.get(7)?,
        });
    }
    let entries: HashSet<&str> = snap.journal.iter().map(|j| j.guid.as_str()).collect();
    let mut stmt = conn.prepare(
        "SELECT j.guid, l.code_id, l.relation FROM journal_links l \
         JOIN journal j ON j.id = l.entry_id ORDER BY l.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut links = Vec::new();
    while let Some(r) = rows.next()? {
        let guid: String = r.get(0)?;
        let code: i64 = r.get(1)?;
        if entries.contains(guid.as_str()) && seen.contains(&code) {
            links.push((guid, code, r.get(2)?));
        }
    }
    snap.journal_links = links;
    Ok(())
}

/// Counts the rows of tables REFI-QDA has no place for.
fn count_uncarried(conn: &Connection, snap: &mut Snapshot) -> Result<(), StoreError> {
    for (what, sql) in [
        ("consent record(s)", "SELECT count(*) FROM consents"),
        (
            "interview guide version(s)",
            "SELECT count(*) FROM guide_versions",
        ),
        (
            "reconciliation decision(s)",
            "SELECT count(*) FROM reconciliation_decisions",
        ),
        (
            "de-identification record(s)",
            "SELECT count(*) FROM deidentifications",
        ),
    ] {
        let n: i64 = conn.query_row(sql, [], |r| r.get(0))?;
        if n > 0 {
            snap.uncarried.push((what, usize::try_from(n).unwrap_or(0)));
        }
    }
    Ok(())
}
