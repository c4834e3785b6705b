//! Writes an [`ImportPlan`] into a study, one step per kind of row, on
//! either backend.
//!
//! A plan's rows point at each other by index (a coding names its source,
//! code and coder by their place in the plan), and each step turns those
//! indexes into the ids the rows got in the study. [`PlanWriter`] holds
//! the backend's open transaction (as [`PlanRows`]) and those id maps
//! between the steps, so each step reads as one kind of row; the steps run
//! in the order of the maps they need (coders and sources before codes,
//! codes before codings, and so on). Every decision lives here; the
//! backends only run the reads and inserts `PlanRows` names.

use std::collections::HashMap;

use super::plan_rows::{CodeRow, CoderRow, CodingRow, GuidTable, MemoRow, PlanRows};
use super::{ImportPlan, ImportedCounts, PlanJournal, PlanMemo, PlanTarget};
use crate::values::AttrType;
use crate::{ImportOutcome, StoreError, audit, journal};

/// Colours given to imported coders, as `add_coder` gives them.
const PALETTE: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
];

/// How many codings go to the backend at once.
const CODING_BATCH: usize = 1_000;

/// Writes `plan` through `rows` (a backend's open transaction) and logs one
/// `exchange.import` entry; the caller commits, or drops the transaction
/// on an error so nothing is left behind.
pub fn write_plan<R: PlanRows>(
    rows: &mut R,
    actor: &str,
    plan: &ImportPlan,
    default_language: Option<&str>,
) -> Result<ImportedCounts, StoreError> {
    PlanWriter::new(rows).write(actor, plan, default_language)
}

/// An import plan being written: the backend's transaction, the time
/// stamped on new rows, what was written so far, and the study id of each
/// plan index.
struct PlanWriter<'r, R: PlanRows> {
    rows: &'r mut R,
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

impl<'r, R: PlanRows> PlanWriter<'r, R> {
    /// Starts writing through `rows`.
    fn new(rows: &'r mut R) -> Self {
        PlanWriter {
            rows,
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

    /// Writes the whole plan and logs one `exchange.import` entry.
    fn write(
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

    /// Returns `wanted` when no row of `table` holds it yet, else a fresh
    /// UUID (an exchange GUID is kept only where it stays unique).
    fn free_guid(&mut self, table: GuidTable, wanted: Option<&str>) -> Result<String, StoreError> {
        if let Some(guid) = wanted
            && !self.rows.guid_taken(table, guid)?
        {
            return Ok(guid.to_owned());
        }
        Ok(uuid::Uuid::new_v4().to_string())
    }

    /// Matches each coder by name (adopting a consensus GUID) or creates it.
    fn write_coders(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        self.coder_ids.reserve(plan.coders.len());
        for (n, coder) in plan.coders.iter().enumerate() {
            let id = match self.rows.coder_named(&coder.name)? {
                Some((id, kind)) => {
                    if kind == "consensus" {
                        self.adopt_consensus_guid(id, coder.guid.as_deref())?;
                    }
                    id
                }
                None => {
                    let guid = self.free_guid(GuidTable::Coders, coder.guid.as_deref())?;
                    let id = self.rows.insert_coder(&CoderRow {
                        guid: &guid,
                        name: &coder.name,
                        initials: &initials(&coder.name),
                        colour: PALETTE[n % PALETTE.len()],
                        created_at: &self.now,
                    })?;
                    self.counts.coders += 1;
                    id
                }
            };
            self.coder_ids.push(id);
        }
        Ok(())
    }

    /// Gives the study's consensus row the GUID the imported project gave
    /// its consensus user, while the row holds no passage yet (a new study,
    /// or one whose team has not reconciled): a round trip then keeps every
    /// GUID. A consensus that already has passages keeps its own identity.
    fn adopt_consensus_guid(&mut self, id: i64, guid: Option<&str>) -> Result<(), StoreError> {
        let Some(guid) = guid else { return Ok(()) };
        if !self.rows.coder_guid_in_use(id, guid)? {
            self.rows.set_coder_guid(id, guid)?;
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
        self.source_ids.reserve(plan.sources.len());
        for source in &plan.sources {
            match self
                .rows
                .insert_source(actor, &source.item, default_language)?
            {
                ImportOutcome::Imported { id, .. } => {
                    if let Some(guid) = &source.guid
                        && !self.rows.guid_taken(GuidTable::Sources, guid)?
                    {
                        self.rows.set_source_guid(id, guid)?;
                    }
                    self.counts.sources += 1;
                    self.source_ids.push(id);
                }
                ImportOutcome::Duplicate { existing } => {
                    let id = self.rows.source_named(&existing)?;
                    self.counts
                        .sources_matched
                        .push((source.item.name.clone(), existing));
                    self.source_ids.push(id);
                }
            }
        }
        for &id in &self.source_ids {
            let chars = self.rows.source_chars(id)?;
            self.source_chars.insert(id, chars);
        }
        Ok(())
    }

    /// Creates each code after its siblings, with a name free among them.
    fn write_codes(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        let max_rank = self.rows.max_level_rank()?;
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
                    let next = self.rows.sibling_count(owner, parent)?;
                    positions.insert((owner, parent), next);
                    next
                }
            };
            let name = self.unique_code_name(owner, parent, &code.name)?;
            let guid = self.free_guid(GuidTable::Codes, code.guid.as_deref())?;
            let id = self.rows.insert_code(&CodeRow {
                guid: &guid,
                owner,
                name: &name,
                level: code.level.clamp(1, max_rank),
                parent,
                position,
                code,
                created_at: &self.now,
            })?;
            self.code_ids.push(id);
            self.counts.codes += 1;
        }
        Ok(())
    }

    /// Returns `wanted`, or `wanted (2)`… when a sibling (same codebook and
    /// parent) already has it: names are unique among siblings only.
    fn unique_code_name(
        &mut self,
        owner: Option<i64>,
        parent: Option<i64>,
        wanted: &str,
    ) -> Result<String, StoreError> {
        let mut candidate = wanted.to_owned();
        let mut n = 2;
        while self.rows.sibling_named(owner, parent, &candidate)? {
            candidate = format!("{wanted} ({n})");
            n += 1;
        }
        Ok(candidate)
    }

    /// Adds the codes' further parents.
    fn write_code_links(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        for (child, parent) in &plan.code_links {
            let (Some(&c), Some(&p)) = (self.code_ids.get(*child), self.code_ids.get(*parent))
            else {
                return Err(bad("links codes it does not hold"));
            };
            self.rows.link_codes(c, p)?;
        }
        Ok(())
    }

    /// Inserts each coding inside its source; one already present (same
    /// passage, code and coder) is counted as a duplicate and reused.
    /// Rows go to the backend in batches, so a server answers a batch in
    /// one round trip rather than one per coding.
    fn write_codings(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        self.coding_ids.reserve(plan.codings.len());
        // Checked against a set read once: one query per coding costs more
        // than the insert itself on 100,000 codings.
        let mut taken = self.rows.coding_guids()?;
        let mut guids = Vec::with_capacity(plan.codings.len());
        let mut ids = Vec::with_capacity(plan.codings.len());
        for coding in &plan.codings {
            let (Some(&source), Some(&code), Some(&coder)) = (
                self.source_ids.get(coding.source),
                self.code_ids.get(coding.code),
                self.coder_ids.get(coding.coder),
            ) else {
                return Err(bad("codes with a source, code or coder it does not hold"));
            };
            let chars = self.source_chars.get(&source).copied().unwrap_or(0);
            if coding.start < 0 || coding.start >= coding.end || coding.end > chars {
                return Err(StoreError::Invalid(format!(
                    "a coding [{}, {}) falls outside its source ({chars} chars)",
                    coding.start, coding.end
                )));
            }
            guids.push(match &coding.guid {
                Some(g) if taken.insert(g.clone()) => g.clone(),
                _ => uuid::Uuid::new_v4().to_string(),
            });
            ids.push((source, code, coder));
        }
        let rows: Vec<CodingRow<'_>> = plan
            .codings
            .iter()
            .zip(&guids)
            .zip(&ids)
            .map(|((coding, guid), &(source, code, coder))| CodingRow {
                guid,
                source,
                code,
                coder,
                start: coding.start,
                end: coding.end,
                memo: coding.memo.as_deref(),
                created_at: coding.created_at.as_deref().unwrap_or(&self.now),
            })
            .collect();
        for batch in rows.chunks(CODING_BATCH) {
            let inserted = self.rows.insert_codings(batch)?;
            for (row, id) in batch.iter().zip(inserted) {
                match id {
                    Some(id) => {
                        self.counts.codings += 1;
                        self.coding_ids.push(id);
                    }
                    None => {
                        self.counts.codings_duplicate += 1;
                        self.coding_ids.push(self.rows.coding_at(row)?);
                    }
                }
            }
        }
        Ok(())
    }

    /// Matches each site by code or name, or creates it.
    fn write_sites(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        self.site_ids.reserve(plan.sites.len());
        for (name, code) in &plan.sites {
            let id = match self.rows.site_matching(name, code)? {
                Some(id) => id,
                None => self.rows.insert_site(name, code)?,
            };
            self.site_ids.push(id);
        }
        Ok(())
    }

    /// Matches each attribute by what it describes and its name, or
    /// creates it last in its list.
    fn write_attributes(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        self.attribute_ids.reserve(plan.attributes.len());
        for attr in &plan.attributes {
            let id = match self.rows.attribute_named(attr)? {
                Some(id) => id,
                None => {
                    let allowed = (attr.kind == AttrType::Category)
                        .then(|| serde_json::to_string(&attr.allowed).unwrap_or_default());
                    self.rows.insert_attribute(attr, allowed.as_deref())?
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
        self.participant_ids.reserve(plan.participants.len());
        for p in &plan.participants {
            let existing = match &p.code {
                Some(code) => self.rows.participant_coded(code)?,
                None => None,
            };
            if let Some(id) = existing {
                self.counts.participants_matched += 1;
                self.participant_ids.push(id);
                continue;
            }
            let guid = self.free_guid(GuidTable::Participants, p.guid.as_deref())?;
            let site = opt_id_at(&self.site_ids, p.site, "names a site it does not hold")?;
            let id = self.rows.insert_participant(&guid, p, site, &self.now)?;
            for (a, value) in &p.values {
                let attribute = self.attribute(*a)?;
                self.rows.participant_value(id, attribute, value)?;
            }
            self.counts.participants += 1;
            self.participant_ids.push(id);
        }
        Ok(())
    }

    /// Maps each source's speaker labels to participants or interviewers.
    fn write_speaker_maps(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        for (&source, planned) in self.source_ids.iter().zip(&plan.sources) {
            for (label, who) in &planned.speaker_map {
                let participant = opt_id_at(
                    &self.participant_ids,
                    *who,
                    "maps a speaker to a participant it does not hold",
                )?;
                self.rows.map_speaker(source, label, participant)?;
            }
        }
        Ok(())
    }

    /// Gives the sources their attribute values.
    fn write_source_values(&mut self, plan: &ImportPlan) -> Result<(), StoreError> {
        for (s, a, value) in &plan.source_values {
            let source = id_at(
                &self.source_ids,
                *s,
                "gives a value of a source it does not hold",
            )?;
            let attribute = self.attribute(*a)?;
            self.rows.source_value(source, attribute, value)?;
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
            PlanTarget::Participant(code) => ("participant", None, Some(code.as_str()), None),
        };
        let guid = self.free_guid(GuidTable::Memos, memo.guid.as_deref())?;
        let origin = if coder.is_some() {
            "user"
        } else {
            "document-comment"
        };
        self.rows.insert_memo(&MemoRow {
            guid: &guid,
            target_kind: kind,
            target_id,
            target_label,
            anchor,
            title: memo.title.as_deref(),
            author: memo.author.as_deref(),
            written_at: memo.written_at.as_deref(),
            body: &memo.body,
            origin,
            created_at: &self.now,
            coder,
        })?;
        self.counts.memos += 1;
        Ok(())
    }

    /// Writes one journal entry with its links to codes, and its seal
    /// when the hash recomputes from the entry.
    fn write_journal_entry(&mut self, entry: &PlanJournal) -> Result<(), StoreError> {
        let coder = id_at(&self.coder_ids, entry.coder, "names no such coder")?;
        let guid = self.free_guid(GuidTable::Journal, Some(&entry.guid))?;
        let id = self.rows.insert_journal(&guid, coder, entry)?;
        self.counts.journal += 1;
        for (code, relation) in &entry.links {
            let code = id_at(
                &self.code_ids,
                *code,
                "links a journal entry to a code it does not hold",
            )?;
            self.rows.link_journal(id, code, relation)?;
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
        self.rows.seal_journal(id, sealed_at, hash)?;
        let coder_name = self.rows.coder_name(coder)?;
        self.rows.log(
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

    /// Logs the import with its counts.
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
        self.rows.log(actor, "exchange.import", None, &summary)?;
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
