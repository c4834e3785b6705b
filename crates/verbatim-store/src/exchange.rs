//! Whole-study reads and writes for exchange with other tools (REFI-QDA).
//!
//! Export needs every table a project file carries, read once and in bulk
//! (a 1,000-source study with 100,000 codings must export in seconds, so no
//! per-code or per-coding queries). Import needs the opposite: a whole
//! project written in one transaction, so a file that fails half-way leaves
//! the study exactly as it was. The one-row-at-a-time coding API
//! (`add_code`, `add_coding`, each its own undoable action) is neither fast
//! enough nor atomic across a project, hence this module.
//!
//! Both directions respect blind coding: [`SqliteStore::snapshot`] reads
//! through a [`Scope`], and [`SqliteStore::import_project`] writes only into
//! the layers its plan names. An import is one audit entry
//! (`exchange.import`) with counts; it is not undoable (its rows are not
//! kept in the log), which the CLI says.

use std::collections::HashMap;

use rusqlite::OptionalExtension;

use crate::coders::Scope;
use crate::model::ImportItem;
use crate::participants::AppliesTo;
use crate::values::AttrType;
use crate::{SqliteStore, StoreError};

mod plan_writer;

use plan_writer::PlanWriter;

/// Everything of a study that a project exchange file can carry, as the
/// scope sees it.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The study's stable identifier (exchange GUIDs derive from it).
    pub study_guid: String,
    /// The study's title.
    pub title: String,
    /// When the study was created (RFC 3339).
    pub created_at: String,
    /// Level names, lowest first.
    pub levels: Vec<String>,
    /// Coders whose layers the scope sees.
    pub coders: Vec<SnapCoder>,
    /// Codes of the visible codebooks, by owner, parent and position.
    pub codes: Vec<SnapCode>,
    /// Further parents: `(child, parent)` code ids.
    pub code_links: Vec<(i64, i64)>,
    /// Every source with its text, by id.
    pub sources: Vec<SnapSource>,
    /// Visible codings, by source and start.
    pub codings: Vec<SnapCoding>,
    /// Sites: `(id, name, code)`.
    pub sites: Vec<(i64, String, String)>,
    /// Participants, by id.
    pub participants: Vec<SnapParticipant>,
    /// Attributes of participants and sources.
    pub attributes: Vec<SnapAttribute>,
    /// Participant values: `(participant id, attribute id, value)`.
    pub participant_values: Vec<(i64, i64, String)>,
    /// Source values: `(source id, attribute id, value)`.
    pub source_values: Vec<(i64, i64, String)>,
    /// Sources in which each participant speaks (by the speaker labels of
    /// their turns): `(participant id, source id)`, sorted.
    pub participant_sources: Vec<(i64, i64)>,
    /// Each participant's turns: `(participant id, source id, start, end)`
    /// in characters, by source then position.
    pub participant_turns: Vec<(i64, i64, i64, i64)>,
    /// Visible memos.
    pub memos: Vec<SnapMemo>,
    /// Visible journal entries.
    pub journal: Vec<SnapJournal>,
    /// Quote marks on visible codings (not carried by REFI-QDA).
    pub quotes: usize,
    /// Translations of visible codings (not carried by REFI-QDA).
    pub translations: usize,
    /// Links of visible journal entries to codes: `(entry guid, code id,
    /// relation)`.
    pub journal_links: Vec<(String, i64, String)>,
    /// Rows of tables REFI-QDA has no place for, by what they hold
    /// (consent records, interview guides…), for the loss report.
    pub uncarried: Vec<(&'static str, usize)>,
}

/// A coder as exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapCoder {
    /// Their id.
    pub id: i64,
    /// Their stable identifier.
    pub guid: String,
    /// Their name.
    pub name: String,
}

/// A code as exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapCode {
    /// Its id.
    pub id: i64,
    /// Its stable identifier.
    pub guid: String,
    /// The owning coder, `None` for the shared codebook.
    pub owner: Option<i64>,
    /// Its name.
    pub name: String,
    /// Its level's name.
    pub level: String,
    /// Its primary parent.
    pub parent: Option<i64>,
    /// `#rrggbb`, if set.
    pub colour: Option<String>,
    /// What the code means.
    pub definition: Option<String>,
    /// When to apply it.
    pub inclusion: Option<String>,
    /// When not to.
    pub exclusion: Option<String>,
    /// A typical passage.
    pub example: Option<String>,
    /// False for a category, which groups codes but is not applied.
    pub codable: bool,
}

/// A source as exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapSource {
    /// Its id.
    pub id: i64,
    /// Its stable identifier.
    pub guid: String,
    /// Its name.
    pub name: String,
    /// What it records (`interview`, …).
    pub kind: String,
    /// Its site code, if any.
    pub site: Option<String>,
    /// Its language, if any.
    pub language: Option<String>,
    /// When it was imported.
    pub imported_at: String,
    /// Its text (NFC, `\n`).
    pub text: String,
    /// Its turns and timed segments, in order.
    pub turns: Vec<crate::TurnRecord>,
    /// Its explicit speaker mappings: `(label, participant id)`, `None`
    /// for an interviewer.
    pub speaker_map: Vec<(String, Option<i64>)>,
}

/// A coding as exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapCoding {
    /// Its stable identifier.
    pub guid: String,
    /// Its id.
    pub id: i64,
    /// The source coded.
    pub source_id: i64,
    /// The code applied.
    pub code_id: i64,
    /// Who coded.
    pub coder_id: i64,
    /// First char.
    pub start: i64,
    /// Char just past the passage.
    pub end: i64,
    /// The coding's short memo, if any.
    pub memo: Option<String>,
    /// When it was made.
    pub created_at: String,
}

/// A participant as exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapParticipant {
    /// Its id.
    pub id: i64,
    /// Its stable identifier.
    pub guid: String,
    /// Its pseudonym code.
    pub code: Option<String>,
    /// Its label.
    pub label: Option<String>,
    /// Its site's id.
    pub site_id: Option<i64>,
}

/// An attribute as exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapAttribute {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it describes.
    pub applies_to: AppliesTo,
    /// Its type.
    pub kind: AttrType,
    /// A category's allowed values.
    pub allowed: Vec<String>,
}

/// A memo as exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapMemo {
    /// Its id.
    pub id: i64,
    /// Its stable identifier.
    pub guid: String,
    /// `study`, `source`, `participant`, `code`, `coding` or `passage`.
    pub target_kind: String,
    /// The source, code or coding id it is about.
    pub target_id: Option<i64>,
    /// The participant code it is about.
    pub target_label: Option<String>,
    /// For a passage memo: the source and span.
    pub anchor: Option<(i64, i64, i64)>,
    /// Its title.
    pub title: Option<String>,
    /// Who wrote it (a coder's name or an imported comment's author).
    pub author: Option<String>,
    /// The coder whose layer holds it.
    pub coder_id: Option<i64>,
    /// When it was written.
    pub written_at: Option<String>,
    /// What it says.
    pub body: String,
}

/// A journal entry as exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapJournal {
    /// Its stable identifier.
    pub guid: String,
    /// Its coder.
    pub coder_id: i64,
    /// `note` or `preconception`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// When it was written.
    pub written_at: String,
    /// When it was sealed, for a sealed preconception.
    pub sealed_at: Option<String>,
    /// Its seal hash.
    pub content_hash: Option<String>,
}

impl SqliteStore {
    /// Returns everything a project exchange file carries, as `scope` sees it.
    pub fn snapshot(&self, scope: &Scope) -> Result<Snapshot, StoreError> {
        let conn = &self.conn;
        let study = |key: &str| -> Result<Option<String>, StoreError> {
            Ok(conn
                .query_row("SELECT value FROM study WHERE key = $1", [key], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        let mut snap = Snapshot {
            study_guid: study("guid")?.unwrap_or_default(),
            title: study("title")?.unwrap_or_default(),
            created_at: study("created_at")?.unwrap_or_default(),
            levels: self.levels()?.into_iter().map(|l| l.name).collect(),
            ..Snapshot::default()
        };
        let level_names: HashMap<i64, String> = self
            .levels()?
            .into_iter()
            .map(|l| (l.rank, l.name))
            .collect();
        let visible = |owner: Option<i64>| scope.may_see(owner);

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
            if visible(Some(coder.id)) {
                snap.coders.push(coder);
            }
        }

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
            if visible(code.owner) {
                snap.codes.push(code);
            }
        }
        let seen: std::collections::HashSet<i64> = snap.codes.iter().map(|c| c.id).collect();
        let mut stmt = conn.prepare("SELECT child, parent FROM code_links ORDER BY id")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
            let (child, parent) = row?;
            if seen.contains(&child) && seen.contains(&parent) {
                snap.code_links.push((child, parent));
            }
        }

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

        let mut stmt = conn.prepare(
            "SELECT guid, id, source_id, code_id, coder_id, start_char, end_char, memo, \
             created_at, is_quote FROM codings ORDER BY source_id, start_char, end_char, id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let coder_id: i64 = r.get(4)?;
            let code_id: i64 = r.get(3)?;
            if !visible(Some(coder_id)) || !seen.contains(&code_id) {
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
        let visible_codings: std::collections::HashSet<i64> =
            snap.codings.iter().map(|c| c.id).collect();
        let mut stmt = conn.prepare("SELECT coding_id FROM translations")?;
        for row in stmt.query_map([], |r| r.get::<_, i64>(0))? {
            if visible_codings.contains(&row?) {
                snap.translations += 1;
            }
        }

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
        // Who speaks where: each turn's label as `speakers` maps it
        // (explicit mappings and labels matching a participant's code).
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

        let mut stmt = conn.prepare(
            "SELECT id, guid, target_kind, target_id, target_label, source_id, start_char, \
             end_char, title, author, coder_id, written_at, body FROM memos ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let coder_id: Option<i64> = r.get(10)?;
            if coder_id.is_some() && !visible(coder_id) {
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
        let mut stmt = conn.prepare(
            "SELECT guid, coder_id, kind, title, body, written_at, sealed_at, content_hash \
             FROM journal ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let coder_id: i64 = r.get(1)?;
            if !visible(Some(coder_id)) {
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
        let entries: std::collections::HashSet<&str> =
            snap.journal.iter().map(|j| j.guid.as_str()).collect();
        let mut stmt = conn.prepare(
            "SELECT j.guid, l.code_id, l.relation FROM journal_links l \
             JOIN journal j ON j.id = l.entry_id ORDER BY l.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let guid: String = r.get(0)?;
            let code: i64 = r.get(1)?;
            if entries.contains(guid.as_str()) && seen.contains(&code) {
                snap.journal_links.push((guid, code, r.get(2)?));
            }
        }
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
        Ok(snap)
    }
}

/// A whole project to write into a study in one transaction.
///
/// Entities refer to each other by their index in the plan's lists, so a
/// plan cannot point at a row that does not exist; the store checks spans
/// against the texts it holds.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    /// Coders, matched by name (an existing coder is reused).
    pub coders: Vec<PlanCoder>,
    /// Sources, matched by content (an identical text already in the study
    /// is reused, and its codings land on it).
    pub sources: Vec<PlanSource>,
    /// Codes, parents before children.
    pub codes: Vec<PlanCode>,
    /// Further parents: `(child, parent)` indexes into `codes`.
    pub code_links: Vec<(usize, usize)>,
    /// Codings.
    pub codings: Vec<PlanCoding>,
    /// Sites: `(name, code)`; an existing site of that code is reused.
    pub sites: Vec<(String, String)>,
    /// Attributes; an existing one of that name is reused.
    pub attributes: Vec<PlanAttribute>,
    /// Participants; one whose code exists already is reused, values kept.
    pub participants: Vec<PlanParticipant>,
    /// Source values: `(source, attribute, canonical value)` indexes.
    pub source_values: Vec<(usize, usize, String)>,
    /// Memos.
    pub memos: Vec<PlanMemo>,
    /// Journal entries.
    pub journal: Vec<PlanJournal>,
    /// What the audit entry says about the file (name, producer, counts).
    pub summary: serde_json::Value,
}

/// A coder to create or reuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCoder {
    /// Their name.
    pub name: String,
    /// Their exchange identifier, kept for a new coder.
    pub guid: Option<String>,
}

/// A source to create or reuse.
#[derive(Debug, Clone)]
pub struct PlanSource {
    /// Its exchange identifier, kept when not taken.
    pub guid: Option<String>,
    /// The read source (text, turns).
    pub item: ImportItem,
    /// Explicit speaker mappings: `(label, participant index)`, `None` for
    /// an interviewer.
    pub speaker_map: Vec<(String, Option<usize>)>,
}

/// A code to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCode {
    /// Its exchange identifier, kept when not taken.
    pub guid: Option<String>,
    /// The owning coder (index), `None` for the shared codebook.
    pub owner: Option<usize>,
    /// Its name, unique within its codebook (the planner makes it so).
    pub name: String,
    /// Its level's rank (1 = lowest), below its parents'.
    pub level: i64,
    /// Its primary parent (index).
    pub parent: Option<usize>,
    /// `#rrggbb`.
    pub colour: Option<String>,
    /// Definition.
    pub definition: Option<String>,
    /// Inclusion criteria.
    pub inclusion: Option<String>,
    /// Exclusion criteria.
    pub exclusion: Option<String>,
    /// Example.
    pub example: Option<String>,
    /// False for a category (`isCodable="false"`).
    pub codable: bool,
}

/// A coding to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCoding {
    /// Its exchange identifier, kept when not taken.
    pub guid: Option<String>,
    /// Source index.
    pub source: usize,
    /// Code index.
    pub code: usize,
    /// Coder index.
    pub coder: usize,
    /// First char.
    pub start: i64,
    /// Char past the passage.
    pub end: i64,
    /// Its memo.
    pub memo: Option<String>,
    /// When it was made (RFC 3339), else now.
    pub created_at: Option<String>,
}

/// An attribute to create or reuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanAttribute {
    /// Its name.
    pub name: String,
    /// What it describes.
    pub applies_to: AppliesTo,
    /// Its type.
    pub kind: AttrType,
    /// A category's allowed values.
    pub allowed: Vec<String>,
}

/// A participant to create or reuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanParticipant {
    /// Its exchange identifier.
    pub guid: Option<String>,
    /// Its code.
    pub code: Option<String>,
    /// Its label.
    pub label: Option<String>,
    /// Its site (index into `sites`).
    pub site: Option<usize>,
    /// Values: `(attribute index, canonical value)`.
    pub values: Vec<(usize, String)>,
}

/// What a memo is about, by plan index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanTarget {
    /// The study.
    Study,
    /// A source.
    Source(usize),
    /// A passage of a source.
    Passage(usize, i64, i64),
    /// A code.
    Code(usize),
    /// A coding.
    Coding(usize),
    /// A participant, by code.
    Participant(String),
}

/// A memo to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanMemo {
    /// Its exchange identifier.
    pub guid: Option<String>,
    /// What it is about.
    pub target: PlanTarget,
    /// The coder whose layer holds it (index); `None`: seen by all.
    pub coder: Option<usize>,
    /// Its title.
    pub title: Option<String>,
    /// Its author as written.
    pub author: Option<String>,
    /// When it was written.
    pub written_at: Option<String>,
    /// What it says.
    pub body: String,
}

/// A journal entry to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanJournal {
    /// Its exchange identifier (part of the seal).
    pub guid: String,
    /// Its coder (index).
    pub coder: usize,
    /// `note` or `preconception`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// When it was written.
    pub written_at: String,
    /// The seal `(sealed_at, hash)` the file carried; kept only when the
    /// hash recomputes from the entry.
    pub seal: Option<(String, String)>,
    /// Links to codes: `(code index, relation)` (`expected`, `emerged`,
    /// `absent`, `reversed`).
    pub links: Vec<(usize, String)>,
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportedCounts {
    /// Coders created.
    pub coders: usize,
    /// Sources created.
    pub sources: usize,
    /// Sources whose text the study already held (codings land on them).
    pub sources_matched: Vec<(String, String)>,
    /// Codes created.
    pub codes: usize,
    /// Codings created.
    pub codings: usize,
    /// Codings already present (same passage, code and coder).
    pub codings_duplicate: usize,
    /// Participants created.
    pub participants: usize,
    /// Participants already in the study (kept as they are).
    pub participants_matched: usize,
    /// Memos created.
    pub memos: usize,
    /// Journal entries created.
    pub journal: usize,
    /// Seals carried over (hash recomputed and equal).
    pub seals_kept: usize,
}

impl SqliteStore {
    /// Writes a whole project in one transaction: everything or nothing.
    pub fn import_project(
        &mut self,
        actor: &str,
        plan: &ImportPlan,
    ) -> Result<ImportedCounts, StoreError> {
        let default_language: Option<String> = self
            .conn
            .query_row("SELECT value FROM study WHERE key = 'language'", [], |r| {
                r.get(0)
            })
            .optional()?;
        // A project is written in one transaction; a page cache large
        // enough for it keeps SQLite from spilling pages to the WAL file
        // over and over before the commit (the default is 2 MB).
        // Each insert that fires a trigger (coding counts) or may be
        // ignored keeps a statement journal; in a temporary file that was
        // two thirds of the import's time (profiled), in memory it is a copy.
        let cache: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        let temp_store: i64 = self.conn.query_row("PRAGMA temp_store", [], |r| r.get(0))?;
        self.conn.pragma_update(None, "cache_size", -256 * 1024)?;
        self.conn.pragma_update(None, "temp_store", 2)?;
        let result = self.write_plan(actor, plan, default_language.as_deref());
        self.conn.pragma_update(None, "cache_size", cache)?;
        self.conn.pragma_update(None, "temp_store", temp_store)?;
        result
    }

    fn write_plan(
        &mut self,
        actor: &str,
        plan: &ImportPlan,
        default_language: Option<&str>,
    ) -> Result<ImportedCounts, StoreError> {
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        PlanWriter::new(tx).write(actor, plan, default_language)
    }
}
