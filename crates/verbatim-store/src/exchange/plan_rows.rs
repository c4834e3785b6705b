//! The SQL half of writing an [`ImportPlan`](super::ImportPlan): the reads
//! and inserts a backend runs inside its one open transaction, and nothing
//! else.
//!
//! What an import decides (which coder or site is reused, a free GUID, a
//! free sibling name, a code's position, whether a coding falls inside its
//! source, whether a seal recomputes, the counts and the audit summary) is
//! written once, in `plan_writer.rs`, over this trait; SQLite implements it
//! on its transaction (`plan_sqlite.rs`), PostgreSQL in
//! `verbatim_store_pg`. Both backends therefore write the same rows from
//! the same plan, and differ only in SQL.

use std::collections::HashSet;

use super::{PlanAttribute, PlanCode, PlanJournal, PlanParticipant};
use crate::{ImportItem, ImportOutcome, StoreError};

/// The tables whose rows carry an exchange GUID an import may keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuidTable {
    /// `coders`.
    Coders,
    /// `codes`.
    Codes,
    /// `participants`.
    Participants,
    /// `memos`.
    Memos,
    /// `journal`.
    Journal,
    /// `sources`.
    Sources,
}

impl GuidTable {
    /// The table's name in both schemas.
    pub fn table(self) -> &'static str {
        match self {
            GuidTable::Coders => "coders",
            GuidTable::Codes => "codes",
            GuidTable::Participants => "participants",
            GuidTable::Memos => "memos",
            GuidTable::Journal => "journal",
            GuidTable::Sources => "sources",
        }
    }
}

/// A new coder's row.
#[derive(Debug, Clone, Copy)]
pub struct CoderRow<'a> {
    /// Its GUID (free).
    pub guid: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its initials.
    pub initials: &'a str,
    /// Its colour.
    pub colour: &'a str,
    /// When it was created.
    pub created_at: &'a str,
}

/// A new code's row.
#[derive(Debug, Clone, Copy)]
pub struct CodeRow<'a> {
    /// Its GUID (free).
    pub guid: &'a str,
    /// The owning coder's id, `None` for the shared codebook.
    pub owner: Option<i64>,
    /// Its name, free among its siblings.
    pub name: &'a str,
    /// Its level's rank, within the study's levels.
    pub level: i64,
    /// Its primary parent's id.
    pub parent: Option<i64>,
    /// Its place among its siblings.
    pub position: i64,
    /// The planned code (colour, definition, criteria, example, codable).
    pub code: &'a PlanCode,
    /// When it was created.
    pub created_at: &'a str,
}

/// A new coding's row, its ids resolved and its span checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodingRow<'a> {
    /// Its GUID (free).
    pub guid: &'a str,
    /// The source's id.
    pub source: i64,
    /// The code's id.
    pub code: i64,
    /// The coder's id.
    pub coder: i64,
    /// First char.
    pub start: i64,
    /// Char past the passage.
    pub end: i64,
    /// Its memo.
    pub memo: Option<&'a str>,
    /// When it was made.
    pub created_at: &'a str,
}

/// A new memo's row, its target resolved.
#[derive(Debug, Clone, Copy)]
pub struct MemoRow<'a> {
    /// Its GUID (free).
    pub guid: &'a str,
    /// `study`, `source`, `passage`, `code`, `coding` or `participant`.
    pub target_kind: &'a str,
    /// The source, code or coding id it is about.
    pub target_id: Option<i64>,
    /// The participant code it is about.
    pub target_label: Option<&'a str>,
    /// For a passage memo: `(source id, start, end)`.
    pub anchor: Option<(i64, i64, i64)>,
    /// Its title.
    pub title: Option<&'a str>,
    /// Its author as written.
    pub author: Option<&'a str>,
    /// When it was written.
    pub written_at: Option<&'a str>,
    /// What it says.
    pub body: &'a str,
    /// `user` for a coder's memo, `document-comment` for one seen by all.
    pub origin: &'a str,
    /// When it was created.
    pub created_at: &'a str,
    /// The coder whose layer holds it.
    pub coder: Option<i64>,
}

/// The reads and writes of one import, inside one open transaction.
///
/// Names are matched as each schema's unique indexes compare them (a site,
/// a participant code and an attribute name regardless of case).
pub trait PlanRows {
    /// The id and kind (`coder`, `consensus`) of the coder named `name`.
    fn coder_named(&mut self, name: &str) -> Result<Option<(i64, String)>, StoreError>;
    /// Whether coder `id` holds codings, or another coder has `guid`.
    fn coder_guid_in_use(&mut self, id: i64, guid: &str) -> Result<bool, StoreError>;
    /// Gives coder `id` the GUID `guid`.
    fn set_coder_guid(&mut self, id: i64, guid: &str) -> Result<(), StoreError>;
    /// Whether a row of `table` has the GUID `guid`.
    fn guid_taken(&mut self, table: GuidTable, guid: &str) -> Result<bool, StoreError>;
    /// Inserts a coder and returns its id.
    fn insert_coder(&mut self, row: &CoderRow<'_>) -> Result<i64, StoreError>;
    /// Imports one source as `Store::import_batch` does (same hash match,
    /// unique name and `source.import` entry).
    fn insert_source(
        &mut self,
        actor: &str,
        item: &ImportItem,
        default_language: Option<&str>,
    ) -> Result<ImportOutcome, StoreError>;
    /// Gives source `id` the GUID `guid`.
    fn set_source_guid(&mut self, id: i64, guid: &str) -> Result<(), StoreError>;
    /// The id of the source named `name`.
    fn source_named(&mut self, name: &str) -> Result<i64, StoreError>;
    /// The length in chars of source `id`.
    fn source_chars(&mut self, id: i64) -> Result<i64, StoreError>;
    /// The highest level rank, 1 when there is none.
    fn max_level_rank(&mut self) -> Result<i64, StoreError>;
    /// How many codes have this owner and parent.
    fn sibling_count(&mut self, owner: Option<i64>, parent: Option<i64>)
    -> Result<i64, StoreError>;
    /// Whether a code of this owner and parent is named `name`.
    fn sibling_named(
        &mut self,
        owner: Option<i64>,
        parent: Option<i64>,
        name: &str,
    ) -> Result<bool, StoreError>;
    /// Inserts a code and returns its id.
    fn insert_code(&mut self, row: &CodeRow<'_>) -> Result<i64, StoreError>;
    /// Adds a further parent, unless the link is there.
    fn link_codes(&mut self, child: i64, parent: i64) -> Result<(), StoreError>;
    /// Every coding GUID of the study.
    fn coding_guids(&mut self) -> Result<HashSet<String>, StoreError>;
    /// Inserts codings in order and returns each one's id, or `None` for
    /// one whose passage, code and coder were there already (before, or
    /// earlier in `rows`).
    fn insert_codings(&mut self, rows: &[CodingRow<'_>]) -> Result<Vec<Option<i64>>, StoreError>;
    /// The id of the coding of this passage, code and coder.
    fn coding_at(&mut self, row: &CodingRow<'_>) -> Result<i64, StoreError>;
    /// The id of the site with this code or this name.
    fn site_matching(&mut self, name: &str, code: &str) -> Result<Option<i64>, StoreError>;
    /// Inserts a site and returns its id.
    fn insert_site(&mut self, name: &str, code: &str) -> Result<i64, StoreError>;
    /// The id of the attribute of this kind and name.
    fn attribute_named(&mut self, attr: &PlanAttribute) -> Result<Option<i64>, StoreError>;
    /// Inserts an attribute last in its list and returns its id;
    /// `allowed` is a category's values as a JSON array.
    fn insert_attribute(
        &mut self,
        attr: &PlanAttribute,
        allowed: Option<&str>,
    ) -> Result<i64, StoreError>;
    /// The id of the participant with this code.
    fn participant_coded(&mut self, code: &str) -> Result<Option<i64>, StoreError>;
    /// Inserts a participant and returns its id.
    fn insert_participant(
        &mut self,
        guid: &str,
        person: &PlanParticipant,
        site: Option<i64>,
        created_at: &str,
    ) -> Result<i64, StoreError>;
    /// Gives a participant a value, unless it has one.
    fn participant_value(
        &mut self,
        participant: i64,
        attribute: i64,
        value: &str,
    ) -> Result<(), StoreError>;
    /// Maps a source's speaker label to a participant, or to an
    /// interviewer (`None`), unless the label is mapped.
    fn map_speaker(
        &mut self,
        source: i64,
        label: &str,
        participant: Option<i64>,
    ) -> Result<(), StoreError>;
    /// Gives a source a value, unless it has one.
    fn source_value(&mut self, source: i64, attribute: i64, value: &str) -> Result<(), StoreError>;
    /// Inserts a memo.
    fn insert_memo(&mut self, row: &MemoRow<'_>) -> Result<(), StoreError>;
    /// Inserts a journal entry (unsealed) and returns its id.
    fn insert_journal(
        &mut self,
        guid: &str,
        coder: i64,
        entry: &PlanJournal,
    ) -> Result<i64, StoreError>;
    /// Links a journal entry to a code, unless it is linked.
    fn link_journal(&mut self, entry: i64, code: i64, relation: &str) -> Result<(), StoreError>;
    /// Seals journal entry `id`.
    fn seal_journal(&mut self, id: i64, sealed_at: &str, hash: &str) -> Result<(), StoreError>;
    /// The name of coder `id`.
    fn coder_name(&mut self, id: i64) -> Result<String, StoreError>;
    /// Appends an audit entry that cannot be undone.
    fn log(
        &mut self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        data: &serde_json::Value,
    ) -> Result<(), StoreError>;
}
