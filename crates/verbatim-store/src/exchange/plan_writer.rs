//! Writes an [`ImportPlan`] into a study, one step per kind of row.
//!
//! A plan's rows point at each other by index (a coding names its source,
//! code and coder by their place in the plan), and each step turns those
//! indexes into the ids the rows got in the study. [`PlanWriter`] holds
//! the open transaction and those id maps between the steps, so each step
//! reads as one kind of row; the steps run in the order of the maps they
//! need (coders and sources before codes, codes before codings, and so on).

use std::collections::{HashMap, HashSet};

use rusqlite::{OptionalExtension, Transaction, params};

use super::{ImportPlan, ImportedCounts, PlanJournal, PlanMemo, PlanTarget};
use crate::values::AttrType;
use crate::{ImportOutcome, StoreError, audit, journal};

/// Colours given to imported coders, as `add_coder` gives them.
const PALETTE: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
];

/// An import plan being written: the transaction, the time stamped on new
/// rows, what was written so far, and the study id of each plan index.
pub(super) struct PlanWriter<'a> {
    tx: Transaction<'a>,
    now: String,
    counts: ImportedCounts,
    coder_ids: Vec<i64>,
    source_ids: Vec<i64>,
    /// Each written or matched source's length in chars, for span checks.
    source_chars: HashMap<i64, i64>,
    code_ids: Vec<i64>,
    coding_ids: Vec<i64>,
    site_ids: Vec<i64>,
    attribute_ids: Vec<i64>,
    participant_ids: Vec<i64>,
}

/// The error of a plan that refers to something it does not hold.
fn bad(what: &str) -> StoreError {
    StoreError::Invalid(format!("the import plan {what}"))
}

/// The study id at plan index `i` of `ids`, or `bad(what)`.
fn id_at(ids: &[i64], i: usize, what: &str) -> Result<i64, StoreError> {
    ids.get(i).copied().ok_or_else(|| bad(what))
}

/// As [`id_at`] for an optional index.
fn opt_id_at(ids: &[i64], i: Option<usize>, what: &str) -> Result<Option<i64>, StoreError> {
    i.map(|i| id_at(ids, i, what)).transpose()
}

impl<'a> PlanWriter<'a> {
    /// Starts writing in `tx`.
    pub(super) fn new(tx: Transaction<'a>) -> Self {
        PlanWriter {
            tx,
            now: audit::now(),
            counts: ImportedCounts::default(),
            coder_ids: Vec::new(),
            source_ids: Vec::new(),
            source_chars: HashMap::new(),
            code_ids: Vec::new(),
            coding_ids: Vec::new(),
            site_ids: Vec::new(),
            attribute_ids: Vec::new(),
            participant_ids: Vec::new(),
        }
    }

    /// Writes the whole plan, logs one `exchange.import` entry and commits.
    pub(super) fn write(
        mut self,
        actor: &str,
        plan: &ImportPlan,
        default_language: Option<&str>,
    ) -> Result<ImportedCounts, StoreError> {
        self.write_coders(plan)?;
        self.write_sources(actor, plan, default_language)?;
        self.write_codes(plan)?;
        self.write_code_links(plan)?;
        self.write_codings(plan)?;
        self.write_sites(plan)?;
        self.write_attributes(plan)?;
        self.write_participants(plan)?;
        self.write_speaker_maps(plan)?;
        self.write_source_values(plan)?;
        for memo in &plan.memos {
            self.write_memo(memo)?;
        }
        for entry in &plan.journal {
            self.write_journal_entry(entry)?;
        }
        self.finish(actor, plan)
    }

    /// Matches each coder by name (adopting a consensus GUID) or creates it.
    fn write_coders(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        let tx = &self.tx;
        self.coder_ids.reserve(plan.coders.len());
        for (n, coder) in plan.coders.iter().enumerate() {
            let existing: Option<(i64, String)> = tx
                .query_row(
                    "SELECT id, kind FROM coders WHERE name = $1",
                    [&coder.name],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let id = match existing {
                Some((id, kind)) => {
                    if kind == "consensus" {
                        adopt_consensus_guid(tx, id, coder.guid.as_deref())?;
                    }
                    id
                }
                None => {
                    let guid = free_guid(tx, "coders", coder.guid.as_deref())?;
                    tx.execute(
                        "INSERT INTO coders (guid, name, initials, colour, created_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                        params![
                            guid,
                            coder.name,
                            initials(&coder.name),
                            PALETTE[n % PALETTE.len()],
                            self.now
                        ],
                    )?;
                    self.counts.coders += 1;
                    tx.last_insert_rowid()
                }
            };
            self.coder_ids.push(id);
        }
        Ok(())
    }

    /// Imports each source (a text already held is matched by its hash),
    /// keeps its GUID when free, and notes each source's length.
    fn write_sources(
        &mut self,
        actor: &str,
        plan: &ImportPlan,
        default_language: Option<&str>,
    ) -> Result<(), StoreError> {
        let tx = &self.tx;
        self.source_ids.reserve(plan.sources.len());
        for source in &plan.sources {
            let outcome = crate::sqlite::insert_source(tx, actor, &source.item, default_language)?;
            match outcome {
                ImportOutcome::Imported { id, .. } => {
                    if let Some(guid) = &source.guid {
                        let taken: bool = tx
                            .prepare_cached("SELECT 1 FROM sources WHERE guid = $1")?
                            .exists([guid])?;
                        if !taken {
                            tx.execute(
                                "UPDATE sources SET guid = $1 WHERE id = $2",
                                params![guid, id],
                            )?;
                        }
                    }
                    self.counts.sources += 1;
                    self.source_ids.push(id);
                }
                ImportOutcome::Duplicate { existing } => {
                    let id: i64 =
                        tx.query_row("SELECT id FROM sources WHERE name = $1", [&existing], |r| {
                            r.get(0)
                        })?;
                    self.counts
                        .sources_matched
                        .push((source.item.name.clone(), existing));
                    self.source_ids.push(id);
                }
            }
        }
        for id in &self.source_ids {
            let chars: i64 =
                tx.query_row("SELECT chars FROM sources WHERE id = $1", [id], |r| {
                    r.get(0)
                })?;
            self.source_chars.insert(*id, chars);
        }
        Ok(())
    }

    /// Creates each code after its siblings, with a name free among them.
    fn write_codes(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        let tx = &self.tx;
        let max_rank: i64 =
            tx.query_row("SELECT IFNULL(max(rank), 1) FROM levels", [], |r| r.get(0))?;
        self.code_ids.reserve(plan.codes.len());
        let mut positions: HashMap<(Option<i64>, Option<i64>), i64> = HashMap::new();
        for code in &plan.codes {
            let owner = opt_id_at(&self.coder_ids, code.owner, "names no such coder")?;
            let parent = opt_id_at(
                &self.code_ids,
                code.parent,
                "lists a child before its parent",
            )?;
            let position = match positions.get_mut(&(owner, parent)) {
                Some(p) => {
                    *p += 1;
                    *p
                }
                None => {
                    let next: i64 = tx.query_row(
                        "SELECT count(*) FROM codes WHERE IFNULL(owner, 0) = $1 \
                         AND IFNULL(parent, 0) = $2",
                        params![owner.unwrap_or(0), parent.unwrap_or(0)],
                        |r| r.get(0),
                    )?;
                    positions.insert((owner, parent), next);
                    next
                }
            };
            let name = unique_code_name(tx, owner, parent, &code.name)?;
            let guid = free_guid(tx, "codes", code.guid.as_deref())?;
            tx.prepare_cached(
                "INSERT INTO codes (guid, owner, name, level, parent, position, colour, \
                 definition, inclusion, exclusion, example, created_at, codable) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )?
            .execute(params![
                guid,
                owner,
                name,
                code.level.clamp(1, max_rank),
                parent,
                position,
                code.colour,
                code.definition,
                code.inclusion,
                code.exclusion,
                code.example,
                self.now,
                code.codable
            ])?;
            self.code_ids.push(tx.last_insert_rowid());
            self.counts.codes += 1;
        }
        Ok(())
    }

    /// Adds the codes' further parents.
    fn write_code_links(&self, plan: &ImportPlan) -> Result<(), StoreError> {
        for (child, parent) in &plan.code_links {
            let (Some(c), Some(p)) = (self.code_ids.get(*child), self.code_ids.get(*parent)) else {
                return Err(bad("links codes it does not hold"));
            };
            self.tx.execute(
                "INSERT OR IGNORE INTO code_links (child, parent) VALUES ($1, $2)",
                params![c, p],
            )?;
        }
        Ok(())
    }

    /// Inserts each coding inside its source; one already present (same
    /// passage, code and coder) is counted as a duplicate and reused.
    fn write_codings(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        let tx = &self.tx;
        self.coding_ids.reserve(plan.codings.len());
        let mut taken: HashSet<String> = tx
            .prepare("SELECT guid FROM codings")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO codings (guid, source_id, code_id, coder_id, start_char, \
             end_char, memo, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )?;
        let mut find = tx.prepare_cached(
            "SELECT id FROM codings WHERE source_id = $1 AND code_id = $2 AND coder_id = $3 \
             AND start_char = $4 AND end_char = $5",
        )?;
        for coding in &plan.codings {
            let (Some(source), Some(code), Some(coder)) = (
                self.source_ids.get(coding.source),
                self.code_ids.get(coding.code),
                self.coder_ids.get(coding.coder),
            ) else {
                return Err(bad("codes with a source, code or coder it does not hold"));
            };
            let chars = self.source_chars.get(source).copied().unwrap_or(0);
            if coding.start < 0 || coding.start >= coding.end || coding.end > chars {
                return Err(StoreError::Invalid(format!(
                    "a coding [{}, {}) falls outside its source ({chars} chars)",
                    coding.start, coding.end
                )));
            }
            // Checked against a set read once: one query per coding
            // costs more than the insert itself on 100,000 codings.
            let guid = match &coding.guid {
                Some(g) if taken.insert(g.clone()) => g.clone(),
                _ => uuid::Uuid::new_v4().to_string(),
            };
            let inserted = insert.execute(params![
                guid,
                source,
                code,
                coder,
                coding.start,
                coding.end,
                coding.memo,
                coding.created_at.as_deref().unwrap_or(&self.now),
            ])?;
            if inserted == 1 {
                self.counts.codings += 1;
                self.coding_ids.push(tx.last_insert_rowid());
            } else {
                self.counts.codings_duplicate += 1;
                self.coding_ids.push(find.query_row(
                    params![source, code, coder, coding.start, coding.end],
                    |r| r.get(0),
                )?);
            }
        }
        Ok(())
    }

    /// Matches each site by code or name, or creates it.
    fn write_sites(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        let tx = &self.tx;
        self.site_ids.reserve(plan.sites.len());
        for (name, code) in &plan.sites {
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT id FROM sites WHERE code = $1 OR name = $2",
                    params![code, name],
                    |r| r.get(0),
                )
                .optional()?;
            let id = match existing {
                Some(id) => id,
                None => {
                    tx.execute(
                        "INSERT INTO sites (name, code) VALUES ($1, $2)",
                        params![name, code],
                    )?;
                    tx.last_insert_rowid()
                }
            };
            self.site_ids.push(id);
        }
        Ok(())
    }

    /// Matches each attribute by what it describes and its name, or
    /// creates it last in its list.
    fn write_attributes(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        let tx = &self.tx;
        self.attribute_ids.reserve(plan.attributes.len());
        for attr in &plan.attributes {
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT id FROM attributes WHERE applies_to = $1 AND name = $2",
                    params![attr.applies_to.as_str(), attr.name],
                    |r| r.get(0),
                )
                .optional()?;
            let id = match existing {
                Some(id) => id,
                None => {
                    let allowed = (attr.kind == AttrType::Category)
                        .then(|| serde_json::to_string(&attr.allowed).unwrap_or_default());
                    tx.execute(
                        "INSERT INTO attributes (name, applies_to, type, allowed, position) \
                         VALUES ($1, $2, $3, $4, \
                         (SELECT IFNULL(max(position), 0) + 1 FROM attributes WHERE applies_to = $2))",
                        params![attr.name, attr.applies_to.as_str(), attr.kind.as_str(), allowed],
                    )?;
                    tx.last_insert_rowid()
                }
            };
            self.attribute_ids.push(id);
        }
        Ok(())
    }

    /// The study id of plan attribute `i`.
    fn attribute(&self, i: usize) -> Result<i64, StoreError> {
        id_at(
            &self.attribute_ids,
            i,
            "gives a value of an attribute it does not hold",
        )
    }

    /// Matches each participant by code (kept as it is) or creates it
    /// with its values.
    fn write_participants(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        let tx = &self.tx;
        self.participant_ids.reserve(plan.participants.len());
        for p in &plan.participants {
            let existing: Option<i64> = match &p.code {
                Some(code) => tx
                    .query_row("SELECT id FROM participants WHERE code = $1", [code], |r| {
                        r.get(0)
                    })
                    .optional()?,
                None => None,
            };
            if let Some(id) = existing {
                self.counts.participants_matched += 1;
                self.participant_ids.push(id);
                continue;
            }
            let guid = free_guid(tx, "participants", p.guid.as_deref())?;
            let site = opt_id_at(&self.site_ids, p.site, "names a site it does not hold")?;
            tx.execute(
                "INSERT INTO participants (guid, code, label, site_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
                params![guid, p.code, p.label, site, self.now],
            )?;
            let id = tx.last_insert_rowid();
            for (a, value) in &p.values {
                tx.execute(
                    "INSERT OR IGNORE INTO participant_values \
                     (participant_id, attribute_id, value) VALUES ($1, $2, $3)",
                    params![id, self.attribute(*a)?, value],
                )?;
            }
            self.counts.participants += 1;
            self.participant_ids.push(id);
        }
        Ok(())
    }

    /// Maps each source's speaker labels to participants or interviewers.
    fn write_speaker_maps(&self, plan: &ImportPlan) -> Result<(), StoreError> {
        for (source, planned) in self.source_ids.iter().zip(&plan.sources) {
            for (label, who) in &planned.speaker_map {
                let participant = opt_id_at(
                    &self.participant_ids,
                    *who,
                    "maps a speaker to a participant it does not hold",
                )?;
                self.tx.execute(
                    "INSERT OR IGNORE INTO speaker_map (source_id, label, participant_id, interviewer) \
                     VALUES ($1, $2, $3, $4)",
                    params![source, label, participant, i64::from(participant.is_none())],
                )?;
            }
        }
        Ok(())
    }

    /// Gives the sources their attribute values.
    fn write_source_values(&self, plan: &ImportPlan) -> Result<(), StoreError> {
        for (s, a, value) in &plan.source_values {
            let source = id_at(
                &self.source_ids,
                *s,
                "gives a value of a source it does not hold",
            )?;
            self.tx.execute(
                "INSERT OR IGNORE INTO source_values (source_id, attribute_id, value) \
                 VALUES ($1, $2, $3)",
                params![source, self.attribute(*a)?, value],
            )?;
        }
        Ok(())
    }

    /// Writes one memo on what its target names, in its coder's layer.
    fn write_memo(&mut self, memo: &PlanMemo) -> Result<(), StoreError> {
        let coder = opt_id_at(&self.coder_ids, memo.coder, "names no such coder")?;
        let get =
            |ids: &[i64], i: usize| id_at(ids, i, "writes a memo on something it does not hold");
        let (kind, target_id, target_label, anchor) = match &memo.target {
            PlanTarget::Study => ("study", None, None, None),
            PlanTarget::Source(i) => ("source", Some(get(&self.source_ids, *i)?), None, None),
            PlanTarget::Passage(i, start, end) => {
                let source = get(&self.source_ids, *i)?;
                let chars = self.source_chars.get(&source).copied().unwrap_or(0);
                if *start < 0 || start > end || *end > chars {
                    return Err(StoreError::Invalid(format!(
                        "a memo's passage [{start}, {end}) falls outside its source"
                    )));
                }
                ("passage", None, None, Some((source, *start, *end)))
            }
            PlanTarget::Code(i) => ("code", Some(get(&self.code_ids, *i)?), None, None),
            PlanTarget::Coding(i) => ("coding", Some(get(&self.coding_ids, *i)?), None, None),
            PlanTarget::Participant(code) => ("participant", None, Some(code.clone()), None),
        };
        let guid = free_guid(&self.tx, "memos", memo.guid.as_deref())?;
        let origin = if coder.is_some() {
            "user"
        } else {
            "document-comment"
        };
        self.tx
            .prepare_cached(
                "INSERT INTO memos (guid, target_kind, source_id, start_char, end_char, title, \
                 author, written_at, body, origin, created_at, target_id, coder_id, target_label) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )?
            .execute(params![
                guid,
                kind,
                anchor.map(|a| a.0),
                anchor.map(|a| a.1),
                anchor.map(|a| a.2),
                memo.title,
                memo.author,
                memo.written_at,
                memo.body,
                origin,
                self.now,
                target_id,
                coder,
                target_label
            ])?;
        self.counts.memos += 1;
        Ok(())
    }

    /// Writes one journal entry with its links to codes, and its seal
    /// when the hash recomputes from the entry.
    fn write_journal_entry(&mut self, entry: &PlanJournal) -> Result<(), StoreError> {
        let coder = id_at(&self.coder_ids, entry.coder, "names no such coder")?;
        let guid = free_guid(&self.tx, "journal", Some(&entry.guid))?;
        self.tx.execute(
            "INSERT INTO journal (guid, coder_id, kind, title, body, written_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            params![
                guid,
                coder,
                entry.kind,
                entry.title,
                entry.body,
                entry.written_at
            ],
        )?;
        let id = self.tx.last_insert_rowid();
        self.counts.journal += 1;
        for (code, relation) in &entry.links {
            let code = id_at(
                &self.code_ids,
                *code,
                "links a journal entry to a code it does not hold",
            )?;
            self.tx.execute(
                "INSERT OR IGNORE INTO journal_links (entry_id, code_id, relation) \
                 VALUES ($1, $2, $3)",
                params![id, code, relation],
            )?;
        }
        if let Some((sealed_at, hash)) = &entry.seal {
            self.keep_seal(entry, id, coder, &guid, sealed_at, hash)?;
        }
        Ok(())
    }

    /// Seals journal entry `id` as the file did, logged as its coder's
    /// `journal.seal`, when `hash` recomputes from the entry; else leaves
    /// it unsealed.
    fn keep_seal(
        &mut self,
        entry: &PlanJournal,
        id: i64,
        coder: i64,
        guid: &str,
        sealed_at: &str,
        hash: &str,
    ) -> Result<(), StoreError> {
        let computed = journal::seal_hash(
            guid,
            &entry.kind,
            &entry.title,
            &entry.body,
            &entry.written_at,
            sealed_at,
        );
        if computed != hash {
            return Ok(());
        }
        let tx = &self.tx;
        tx.execute(
            "UPDATE journal SET sealed_at = $1, content_hash = $2 WHERE id = $3",
            params![sealed_at, hash, id],
        )?;
        let coder_name: String =
            tx.query_row("SELECT name FROM coders WHERE id = $1", [coder], |r| {
                r.get(0)
            })?;
        audit::append(
            tx,
            &coder_name,
            "journal.seal",
            Some(&format!("journal:{id}")),
            &serde_json::json!({
                "content_hash": hash,
                "sealed_at": sealed_at,
                "guid": guid,
                "carried_by": "exchange.import",
            }),
        )?;
        self.counts.seals_kept += 1;
        Ok(())
    }

    /// Logs the import with its counts and commits.
    fn finish(self, actor: &str, plan: &ImportPlan) -> Result<ImportedCounts, StoreError> {
        let counts = self.counts;
        let mut summary = plan.summary.clone();
        if let Some(map) = summary.as_object_mut() {
            map.insert("coders".into(), counts.coders.into());
            map.insert("sources".into(), counts.sources.into());
            map.insert(
                "sources_matched".into(),
                counts.sources_matched.len().into(),
            );
            map.insert("codes".into(), counts.codes.into());
            map.insert("codings".into(), counts.codings.into());
            map.insert("participants".into(), counts.participants.into());
            map.insert("memos".into(), counts.memos.into());
            map.insert("journal".into(), counts.journal.into());
        }
        audit::append(&self.tx, actor, "exchange.import", None, &summary)?;
        self.tx.commit()?;
        Ok(counts)
    }
}

/// A new coder's initials: the first letter of up to three words,
/// upper-cased, or `?` for a name without letters or digits.
fn initials(name: &str) -> String {
    let initials: String = name
        .split(|c: char| !c.is_alphanumeric())
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .take(3)
        .collect();
    if initials.is_empty() {
        "?".into()
    } else {
        initials
    }
}

/// Returns `wanted` when no row of `table` holds it yet, else a fresh UUID
/// (an exchange GUID is kept only where it stays unique).
fn free_guid(
    conn: &rusqlite::Connection,
    table: &str,
    wanted: Option<&str>,
) -> Result<String, StoreError> {
    if let Some(guid) = wanted {
        let sql = format!("SELECT 1 FROM {table} WHERE guid = $1");
        if !conn.prepare_cached(&sql)?.exists([guid])? {
            return Ok(guid.to_owned());
        }
    }
    Ok(uuid::Uuid::new_v4().to_string())
}

/// Returns `wanted`, or `wanted (2)`… when a sibling (same codebook and
/// parent) already has it: names are unique among siblings only.
fn unique_code_name(
    conn: &rusqlite::Connection,
    owner: Option<i64>,
    parent: Option<i64>,
    wanted: &str,
) -> Result<String, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT 1 FROM codes WHERE IFNULL(owner, 0) = $1 AND IFNULL(parent, 0) = $2 AND name = $3",
    )?;
    let mut candidate = wanted.to_owned();
    let mut n = 2;
    while stmt.exists(params![owner.unwrap_or(0), parent.unwrap_or(0), candidate])? {
        candidate = format!("{wanted} ({n})");
        n += 1;
    }
    Ok(candidate)
}

/// Gives the study's consensus row the GUID the imported project gave its
/// consensus user, while the row holds no passage yet (a new study, or one
/// whose team has not reconciled): a round trip then keeps every GUID. A
/// consensus that already has passages keeps its own identity.
fn adopt_consensus_guid(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    guid: Option<&str>,
) -> Result<(), StoreError> {
    let Some(guid) = guid else { return Ok(()) };
    let used: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM codings WHERE coder_id = $1) \
         OR EXISTS (SELECT 1 FROM coders WHERE guid = $2)",
        params![id, guid],
        |r| r.get(0),
    )?;
    if !used {
        tx.execute(
            "UPDATE coders SET guid = $1 WHERE id = $2",
            params![guid, id],
        )?;
    }
    Ok(())
}
