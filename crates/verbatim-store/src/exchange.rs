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
//! Both directions respect blind coding: [`SqliteStore::snapshot`]
//! (`snapshot_read.rs`) reads through a [`Scope`](crate::coders::Scope),
//! and [`SqliteStore::import_project`] (through `plan_writer.rs`) writes
//! only into the layers its plan names. The plan writer decides every row
//! once, over [`PlanRows`] (`plan_rows.rs`), the reads and inserts a
//! backend runs in its transaction: SQLite's are in `plan_sqlite.rs`,
//! PostgreSQL's in `verbatim_store_pg`, so both write the same rows. An import is one audit entry
//! (`exchange.import`) with counts; it is not undoable (its rows are not
//! kept in the log), which the CLI says.

use rusqlite::OptionalExtension;

use crate::model::ImportItem;
use crate::participants::AppliesTo;
use crate::values::AttrType;
use crate::{SqliteStore, StoreError};

mod plan_rows;
mod plan_sqlite;
mod plan_writer;
mod snapshot_read;
mod snapshot_rows;

pub use plan_rows::{CodeRow, CoderRow, CodingRow, GuidTable, MemoRow, PlanRows};
pub use plan_writer::write_plan;
pub use snapshot_rows::{SnapshotRows, UNCARRIED_TABLES, assemble as assemble_snapshot};

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
        let mut tx = crate::sqlite::begin_write(&mut self.conn)?;
        let counts = write_plan(&mut tx, actor, plan, default_language)?;
        tx.commit()?;
        Ok(counts)
    }
}
