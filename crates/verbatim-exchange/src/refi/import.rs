//! A read project → a [`verbatim_store::ImportPlan`], with the report of
//! everything that could not be carried or placed.
//!
//! Decisions, in the order the plan is built:
//!
//! - Users become coders (by name). With `--as-coder NAME` everything goes
//!   into that one coder's layer, the way a team merges a colleague's work.
//! - Codes keep their tree. In a file verbatim wrote, a `Codebook of …` set
//!   puts codes back in their coder's layer and `Also under: …` sets restore
//!   second parents; codes from other tools go to the shared codebook.
//!   Levels come from the description (`Level: theme`) or from the tree's
//!   height, leaves being the lowest level.
//! - Texts keep their characters; only a BOM is dropped and CRLF becomes
//!   `\n`, the positions being mapped through [`offsets::PositionMap`].
//! - Each selection is placed under the convention [`offsets::choose`]
//!   picks; where names quote the text, a selection whose name does not
//!   match its passage is skipped and reported, never placed elsewhere.
//! - Notes become memos on what refers to them (project, source, passage,
//!   code, coding, or a case through a link; the four memo patterns of the
//!   implementer notes §8), and journal entries when a journal set lists
//!   them; a note nobody refers to becomes a memo on the study.

use std::collections::{HashMap, HashSet};

use verbatim_core::{Format, Language, NormalisedSource, SourceKind, SourceMetadata};
use verbatim_store::{
    AppliesTo, AttrType, ImportItem, ImportPlan, PlanAttribute, PlanCode, PlanCoder, PlanCoding,
    PlanJournal, PlanMemo, PlanParticipant, PlanSource, PlanTarget,
};

use super::description;
use super::export::{is_datetime, marker};
use super::guid::{is_guid, key};
use super::model::*;
use super::offsets::{self, Choice, PositionMap, Probe, canonical_text, quotes};
use super::{ReadProject, Report};

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Put every code, coding, memo and journal entry into this coder's
    /// layer (an existing study gaining a colleague's work).
    pub as_coder: Option<String>,
    /// The coder credited where the file names no user.
    pub fallback_coder: String,
    /// The study's level names, lowest first.
    pub levels: Vec<String>,
}

/// Builds the plan; the study is not touched.
pub fn plan_import(read: &ReadProject, options: &ImportOptions) -> (ImportPlan, Report) {
    let (mut plan, report) = Planner::new(read, options).run();
    super::plan_text::drop_nul(&mut plan);
    (plan, report)
}

struct Planner<'a> {
    read: &'a ReadProject,
    p: &'a Project,
    options: &'a ImportOptions,
    ours: bool,
    plan: ImportPlan,
    report: Report,
    user_names: HashMap<String, String>,
    coder_index: HashMap<String, usize>,
    code_index: HashMap<String, usize>,
    /// Source GUID key → (plan index, index in `p.sources`).
    source_index: HashMap<String, usize>,
    /// Explicit speaker mappings carried by sources, by plan source index:
    /// `(label, case GUID)`, resolved once the cases are planned.
    speaker_maps: Vec<(usize, super::turns::SpeakerMap)>,
    /// Selection GUID key → (plan source, start, end).
    selection_place: HashMap<String, (usize, i64, i64)>,
    /// Note GUID key → what refers to it.
    note_targets: HashMap<String, Vec<PlanTarget>>,
    unknown_users: usize,
    /// Journal note GUID key → its links to codes.
    journal_links: HashMap<String, Vec<(usize, String)>>,
    /// Note GUID key → its index in `p.notes`.
    note_at: HashMap<String, usize>,
    /// (Variable GUID key, what it applies to) → its plan attribute.
    attribute_index: HashMap<(String, &'static str), usize>,
}

/// The relations of a journal entry to a code, as verbatim names them.
const RELATIONS: [&str; 4] = ["expected", "emerged", "absent", "reversed"];

fn excerpt(s: &str) -> String {
    let squeezed = offsets::squeeze(s);
    if squeezed.chars().count() > 40 {
        format!("{}…", squeezed.chars().take(40).collect::<String>())
    } else {
        squeezed
    }
}

impl<'a> Planner<'a> {
    fn new(read: &'a ReadProject, options: &'a ImportOptions) -> Self {
        let p = &read.project;
        Self {
            read,
            p,
            options,
            ours: p
                .origin
                .as_deref()
                .is_some_and(|o| o.to_ascii_lowercase().starts_with("verbatim")),
            plan: ImportPlan::default(),
            report: read.report.clone(),
            user_names: p
                .users
                .iter()
                .map(|u| {
                    let k = key(&u.guid);
                    let name = u.name.clone().unwrap_or_else(|| {
                        format!("user-{}", k.chars().take(8).collect::<String>())
                    });
                    (k, name)
                })
                .collect(),
            coder_index: HashMap::new(),
            code_index: HashMap::new(),
            source_index: HashMap::new(),
            speaker_maps: Vec::new(),
            selection_place: HashMap::new(),
            note_targets: HashMap::new(),
            unknown_users: 0,
            journal_links: HashMap::new(),
            note_at: p
                .notes
                .iter()
                .enumerate()
                .map(|(i, n)| (key(&n.guid), i))
                .collect(),
            attribute_index: HashMap::new(),
        }
    }

    /// Returns the plan index of the coder called `name`, adding it.
    fn coder_named(&mut self, name: &str, guid: Option<&str>) -> usize {
        if let Some(&i) = self.coder_index.get(name) {
            return i;
        }
        self.plan.coders.push(PlanCoder {
            name: name.to_owned(),
            guid: guid.filter(|g| is_guid(g)).map(key),
        });
        let i = self.plan.coders.len() - 1;
        self.coder_index.insert(name.to_owned(), i);
        i
    }

    /// Returns the coder a user GUID stands for.
    fn coder_of(&mut self, user: Option<&str>) -> usize {
        if let Some(name) = self.options.as_coder.clone() {
            return self.coder_named(&name, None);
        }
        match user
            .map(key)
            .and_then(|k| self.user_names.get(&k).cloned().map(|n| (k, n)))
        {
            Some((k, name)) => self.coder_named(&name, Some(&k)),
            None => {
                if user.is_some() {
                    self.unknown_users += 1;
                }
                let fallback = self.options.fallback_coder.clone();
                self.coder_named(&fallback, None)
            }
        }
    }

    fn run(mut self) -> (ImportPlan, Report) {
        let p = self.p;
        if let Some(name) = self.options.as_coder.clone() {
            self.coder_named(&name, None);
            let users = p.users.len();
            if users > 1 {
                self.report.notes.push(format!(
                    "the file names {users} users; all their work goes into {name}'s layer"
                ));
            }
        } else if p.users.is_empty() {
            // A file without users (a codebook-only project, or a tool
            // that writes none) still gives the study its coder: the one
            // `--coder` names.
            let fallback = self.options.fallback_coder.clone();
            self.coder_named(&fallback, None);
        } else {
            for u in &p.users {
                let k = key(&u.guid);
                if let Some(name) = self.user_names.get(&k).cloned() {
                    self.coder_named(&name, Some(&k));
                }
            }
        }
        let sets = self.sets();
        self.codes(&sets);
        self.sources();
        self.selections();
        self.cases();
        self.speaker_maps();
        self.links(&sets.journal);
        self.notes(&sets);
        self.uncarried();
        if self.unknown_users > 0 {
            self.report.notes.push(format!(
                "{} item(s) name a creating user the file does not list; they are credited to {}",
                self.unknown_users, self.options.fallback_coder
            ));
        }
        self.plan.summary = serde_json::json!({
            "file": self.read.file,
            "origin": p.origin,
            "project": p.name,
            "as_coder": self.options.as_coder,
        });
        (self.plan, self.report)
    }

    // ---- sets

    fn sets(&mut self) -> SetRoles {
        let mut roles = SetRoles::default();
        for s in &self.p.sets {
            let d = s.description.as_deref().unwrap_or_default();
            if self.ours {
                if let Some(user) = marked(d, marker::CODEBOOK) {
                    for c in &s.codes {
                        roles.codebook.insert(key(c), key(&user));
                    }
                    continue;
                }
                if let Some(parent) = marked(d, marker::ALSO_UNDER) {
                    roles
                        .also_under
                        .push((key(&parent), s.codes.iter().map(|c| key(c)).collect()));
                    continue;
                }
                if let Some(kind) = marked(d, marker::JOURNAL) {
                    for n in &s.notes {
                        roles.journal.insert(key(n), kind.clone());
                    }
                    continue;
                }
            }
            self.report.losses.push(format!(
                "the set {:?} ({} code(s), {} source(s), {} note(s)) is not carried: verbatim has no sets",
                s.name,
                s.codes.len(),
                s.sources.len(),
                s.notes.len()
            ));
        }
        roles
    }

    // ---- codes

    fn codes(&mut self, sets: &SetRoles) {
        let max_rank = self.options.levels.len().max(1) as i64;
        let mut walk = CodeWalk {
            sets,
            case_guids: self.p.cases.iter().map(|c| key(&c.guid)).collect(),
            names: HashSet::new(),
            collided: 0,
            too_deep: false,
            max_rank,
        };
        for code in &self.p.codes {
            self.code(code, None, &mut walk, 0);
        }
        for (parent, members) in &sets.also_under {
            let Some(&p) = self.code_index.get(parent) else {
                continue;
            };
            for m in members {
                if let Some(&c) = self.code_index.get(m) {
                    self.plan.code_links.push((c, p));
                }
            }
        }
        if walk.collided > 0 {
            self.report.notes.push(format!(
                "{} code(s) share the name of a sibling under the same parent; verbatim keeps sibling names apart, so they were renamed \"name (2)\"…",
                walk.collided
            ));
        }
        if walk.too_deep {
            self.report.notes.push(format!(
                "the code tree is deeper than the study's {max_rank} levels: codes at the deepest places share a level with their parent (see `verbatim code tree`)"
            ));
        }
    }

    /// Adds a code and its subtree; returns its rank.
    fn code(
        &mut self,
        code: &Code,
        parent: Option<usize>,
        walk: &mut CodeWalk<'_>,
        depth: usize,
    ) -> i64 {
        let k = key(&code.guid);
        if walk.case_guids.contains(&k) {
            self.report.notes.push(format!(
                "the code {:?} has the GUID of a case (a case written as a code by its producer); it was imported as the case only",
                code.name
            ));
            return 0;
        }
        let owner = if self.options.as_coder.is_some() {
            Some(self.coder_of(None))
        } else {
            walk.sets
                .codebook
                .get(&k)
                .map(|user| self.coder_of(Some(user)))
        };
        let fields = match self.read.code_fields.get(&k) {
            Some(f) => f.clone(),
            None => description::decode(code.description.as_deref().unwrap_or_default()),
        };
        let name = walk.sibling_name(owner, parent, &code.name);
        let colour = code.color.as_deref().and_then(normal_colour);
        self.plan.codes.push(PlanCode {
            guid: is_guid(&code.guid).then(|| k.clone()),
            owner,
            name,
            level: 1,
            parent,
            colour,
            definition: fields.definition,
            inclusion: fields.inclusion,
            exclusion: fields.exclusion,
            example: fields.example,
            codable: code.codable,
        });
        let index = self.plan.codes.len() - 1;
        self.code_index.insert(k, index);
        for n in &code.note_refs {
            self.note_targets
                .entry(key(n))
                .or_default()
                .push(PlanTarget::Code(index));
        }
        let mut below = 0;
        if depth < super::xml::MAX_DEPTH {
            for child in &code.children {
                let r = self.code(child, Some(index), walk, depth + 1);
                below = below.max(r);
            }
        }
        let rank = walk.rank(self.declared_rank(fields.level.as_deref()), below);
        if let Some(c) = self.plan.codes.get_mut(index) {
            c.level = rank;
        }
        rank
    }

    /// The rank (from 1) of the study level a code's description names,
    /// if it names one of the study's levels.
    fn declared_rank(&self, level: Option<&str>) -> Option<i64> {
        level.and_then(|l| {
            self.options
                .levels
                .iter()
                .position(|n| n.eq_ignore_ascii_case(l.trim()))
                .map(|i| i as i64 + 1)
        })
    }

    // ---- sources

    fn sources(&mut self) {
        let var_name: HashMap<String, &str> = self
            .p
            .variables
            .iter()
            .map(|v| (key(&v.guid), v.name.as_str()))
            .collect();
        for (i, s) in self.p.sources.iter().enumerate() {
            let Some(Some(raw)) = self.read.texts.get(i) else {
                continue;
            };
            let text = canonical_text(raw);
            let name = s
                .name
                .clone()
                .or_else(|| {
                    s.plain_text_path
                        .as_deref()
                        .map(|p| p.rsplit('/').next().unwrap_or(p).to_owned())
                })
                .unwrap_or_else(|| key(&s.guid));
            let builtin = |wanted: &str| -> Option<String> {
                s.values
                    .iter()
                    .find(|v| var_name.get(&key(&v.variable)) == Some(&wanted))
                    .and_then(|v| v.value.clone())
            };
            let (kind, site, language) = if self.ours {
                (
                    builtin(marker::KIND)
                        .and_then(|k| k.parse().ok())
                        .unwrap_or_default(),
                    builtin(marker::SITE_CODE),
                    builtin(marker::LANGUAGE).and_then(|l| l.parse::<Language>().ok()),
                )
            } else {
                (SourceKind::default(), None, None)
            };
            let carried = s
                .description
                .as_deref()
                .filter(|_| self.ours)
                .and_then(|d| super::turns::decode(d, text.chars().count()));
            let build = |turns| {
                NormalisedSource::new(
                    Format::Txt,
                    text.clone(),
                    turns,
                    Vec::new(),
                    SourceMetadata::default(),
                )
            };
            let mut speaker_map = Vec::new();
            let built = carried.map(|c| {
                c.and_then(|c| {
                    speaker_map = c.map;
                    build(c.turns).map_err(|e| e.to_string())
                })
            });
            let source = match built {
                Some(Ok(source)) => source,
                other => {
                    speaker_map.clear();
                    if let Some(Err(why)) = other {
                        self.report.notes.push(format!(
                            "the turns of source {name:?} were found again from its speaker labels: {why}"
                        ));
                    }
                    let Ok(source) = build(turns_of(&name, &text)) else {
                        continue;
                    };
                    source
                }
            };
            self.plan.sources.push(PlanSource {
                guid: is_guid(&s.guid).then(|| key(&s.guid)),
                item: ImportItem {
                    name,
                    original_path: None,
                    kind,
                    site,
                    language,
                    source,
                },
                speaker_map: Vec::new(),
            });
            let index = self.plan.sources.len() - 1;
            self.source_index.insert(key(&s.guid), index);
            if !speaker_map.is_empty() {
                self.speaker_maps.push((index, speaker_map));
            }
            for n in &s.note_refs {
                self.note_targets
                    .entry(key(n))
                    .or_default()
                    .push(PlanTarget::Source(index));
            }
        }
        super::media::plan_transcripts(self.read, &mut self.plan, &mut self.report, turns_of);
    }

    /// Attaches the carried speaker mappings to their sources, each case
    /// GUID turned into its planned participant; a mapping to a case the
    /// file does not hold is dropped with a note.
    fn speaker_maps(&mut self) {
        let cases: HashMap<String, usize> = self
            .plan
            .participants
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((p.guid.clone()?, i)))
            .collect();
        let mut dropped = 0;
        for (source, map) in std::mem::take(&mut self.speaker_maps) {
            let resolved: Vec<(String, Option<usize>)> = map
                .into_iter()
                .filter_map(|(label, case)| match case {
                    None => Some((label, None)),
                    Some(guid) => match cases.get(&key(&guid)) {
                        Some(i) => Some((label, Some(*i))),
                        None => {
                            dropped += 1;
                            None
                        }
                    },
                })
                .collect();
            if let Some(planned) = self.plan.sources.get_mut(source) {
                planned.speaker_map = resolved;
            }
        }
        if dropped > 0 {
            self.report.notes.push(format!(
                "{dropped} speaker mapping(s) name a case the file does not hold and were left out"
            ));
        }
    }

    // ---- selections and codings

    /// Places the selections of every readable source, with their codings
    /// and passage memos, and the codings of whole sources.
    fn selections(&mut self) {
        let p = self.p;
        let (raws, raw_of) = self.readable_texts();
        let choice = self.choose_convention(&raws, &raw_of);
        for (i, s) in p.sources.iter().enumerate() {
            let Some(&r) = raw_of.get(&i) else {
                if !s.selections.is_empty() || !s.codings.is_empty() {
                    self.report.skipped.push(format!(
                        "{} selection(s) of the source {:?}, whose text could not be read",
                        s.selections.len() + s.codings.len(),
                        s.name.as_deref().unwrap_or(&s.guid)
                    ));
                }
                continue;
            };
            let Some(&plan_source) = self.source_index.get(&key(&s.guid)) else {
                continue;
            };
            let reading = Reading::new(raws[r], &choice);
            let label = s.name.clone().unwrap_or_else(|| s.guid.clone());
            for sel in &s.selections {
                let what = || match &sel.name {
                    Some(n) if !n.trim().is_empty() => {
                        format!("the selection {:?} in {label:?}", excerpt(n))
                    }
                    _ => format!("the selection [{}, {}) in {label:?}", sel.start, sel.end),
                };
                match reading.place(sel, &what) {
                    Ok((start, end)) => self.placed(sel, plan_source, start, end, &what),
                    Err(why) => self.report.skipped.push(why),
                }
            }
            self.whole_source_codings(s, plan_source, &label);
        }
    }

    /// Returns the texts of the planned sources that could be read, and
    /// each one's index there by its index in `p.sources`.
    fn readable_texts(&self) -> (Vec<&'a str>, HashMap<usize, usize>) {
        let read = self.read;
        let mut raws: Vec<&str> = Vec::new();
        let mut raw_of: HashMap<usize, usize> = HashMap::new();
        for (i, s) in read.project.sources.iter().enumerate() {
            if self.source_index.contains_key(&key(&s.guid))
                && let Some(Some(raw)) = read.texts.get(i)
            {
                raw_of.insert(i, raws.len());
                raws.push(raw.as_str());
            }
        }
        (raws, raw_of)
    }

    /// Returns the position convention [`offsets::choose`] picks for the
    /// selections of the readable texts, and says in a note how it was
    /// chosen when the conventions would place them differently.
    fn choose_convention(&mut self, raws: &[&str], raw_of: &HashMap<usize, usize>) -> Choice {
        let p = self.p;
        let mut probes = Vec::new();
        for (i, s) in p.sources.iter().enumerate() {
            let Some(&r) = raw_of.get(&i) else { continue };
            for sel in &s.selections {
                probes.push(Probe {
                    source: r,
                    start: sel.start,
                    end: sel.end,
                    name: sel.name.as_deref(),
                });
            }
        }
        let origin = p.origin.clone().unwrap_or_default();
        let choice = offsets::choose(&origin, raws, &probes);
        if choice.matters && !probes.is_empty() {
            let how = if choice.compared > 0 && choice.names_quote {
                format!(
                    "confirmed by {} of {} selection names that quote the text",
                    choice.confirmed, choice.compared
                )
            } else {
                format!(
                    "as {} is known to count; the selection names do not quote the text, so this could not be checked",
                    if origin.is_empty() {
                        "an unnamed producer"
                    } else {
                        origin.as_str()
                    }
                )
            };
            self.report.notes.push(format!(
                "positions were read as {} ({how})",
                choice.convention.describe()
            ));
        }
        choice
    }

    /// Plans what hangs on a selection placed at `[start, end)` of the
    /// plan source: its codings, its notes, and its description as a
    /// passage memo when it has no coding.
    fn placed(
        &mut self,
        sel: &Selection,
        plan_source: usize,
        start: i64,
        end: i64,
        what: &dyn Fn() -> String,
    ) {
        self.selection_place
            .insert(key(&sel.guid), (plan_source, start, end));
        if sel.codings.is_empty()
            && let Some(d) = &sel.description
        {
            let coder = self.coder_of(sel.creating_user.as_deref());
            self.plan.memos.push(PlanMemo {
                guid: None,
                target: PlanTarget::Passage(plan_source, start, end),
                coder: Some(coder),
                title: None,
                author: Some(self.plan.coders[coder].name.clone()),
                written_at: sel.created.clone(),
                body: d.clone(),
            });
        }
        for n in &sel.note_refs {
            self.note_targets
                .entry(key(n))
                .or_default()
                .push(PlanTarget::Passage(plan_source, start, end));
        }
        let memo = sel
            .description
            .clone()
            .filter(|d| !self.copies_coding_notes(d, &sel.codings));
        for c in &sel.codings {
            let user = c.creating_user.as_deref().or(sel.creating_user.as_deref());
            self.coding(c, user, plan_source, start, end, memo.clone(), what);
        }
    }

    /// Plans the codings of a whole source (none on an empty text).
    fn whole_source_codings(&mut self, s: &TextSource, plan_source: usize, label: &str) {
        let chars = self.plan.sources[plan_source].item.source.chars() as i64;
        if chars == 0 {
            return;
        }
        for c in &s.codings {
            let what = || format!("the coding of the whole source {label:?}");
            self.coding(
                c,
                c.creating_user.as_deref(),
                plan_source,
                0,
                chars,
                None,
                &what,
            );
        }
    }

    /// Returns true when a selection's description is verbatim's copy of
    /// the memos on its codings (written for QualCoder), which are
    /// imported as those memos, not as the coding's own memo.
    fn copies_coding_notes(&self, description: &str, codings: &[Coding]) -> bool {
        if !self.ours {
            return false;
        }
        let bodies: Vec<&str> = codings
            .iter()
            .flat_map(|c| &c.note_refs)
            .filter_map(|g| {
                let &i = self.note_at.get(&key(g))?;
                self.read.note_texts.get(i)?.as_deref()
            })
            .collect();
        !bodies.is_empty() && bodies.join(super::export::MEMO_JOIN) == description
    }

    #[allow(clippy::too_many_arguments)]
    fn coding(
        &mut self,
        c: &Coding,
        user: Option<&str>,
        source: usize,
        start: i64,
        end: i64,
        memo: Option<String>,
        what: &dyn Fn() -> String,
    ) {
        let Some(&code) = self.code_index.get(&key(&c.code)) else {
            self.report.skipped.push(format!(
                "{}: its coding refers to a code ({}) the codebook does not hold",
                what(),
                c.code
            ));
            return;
        };
        let coder = self.coder_of(user);
        self.plan.codings.push(PlanCoding {
            guid: is_guid(&c.guid).then(|| key(&c.guid)),
            source,
            code,
            coder,
            start,
            end,
            memo,
            created_at: c.created.clone().filter(|d| is_datetime(d)),
        });
        let index = self.plan.codings.len() - 1;
        for n in &c.note_refs {
            self.note_targets
                .entry(key(n))
                .or_default()
                .push(PlanTarget::Coding(index));
        }
    }

    // ---- cases and variables

    /// Plans the participants (cases) with their values and sites, and the
    /// sources' variable values.
    fn cases(&mut self) {
        let p = self.p;
        let vars: HashMap<String, &Variable> =
            p.variables.iter().map(|v| (key(&v.guid), v)).collect();
        let real_cases = self.source_values(&vars);
        let mut links = 0;
        for (n, c) in real_cases.into_iter().enumerate() {
            let participant = self.participant(n, c, &vars);
            links += c.source_refs.len() + c.selection_refs.len();
            self.plan.participants.push(participant);
        }
        if links > 0 {
            let sentence = format!(
                "{links} link(s) from cases to sources or selections are not carried: verbatim ties participants to sources through the speaker labels in the text"
            );
            if self.ours {
                self.report.notes.push(sentence);
            } else {
                self.report.losses.push(sentence);
            }
        }
    }

    /// Plans the values of source variables, on the sources or on nameless
    /// one-source cases (as MAXQDA and Quirkos write them); returns the
    /// other cases, which are participants.
    fn source_values(&mut self, vars: &HashMap<String, &Variable>) -> Vec<&'a Case> {
        let p = self.p;
        let mut source_values: Vec<(usize, &VariableValue)> = Vec::new();
        for s in &p.sources {
            if let Some(&idx) = self.source_index.get(&key(&s.guid)) {
                source_values.extend(s.values.iter().map(|v| (idx, v)));
            }
        }
        let mut real_cases = Vec::new();
        for c in &p.cases {
            if c.name.is_none() && c.source_refs.len() == 1 && c.selection_refs.is_empty() {
                if let Some(&idx) = self.source_index.get(&key(&c.source_refs[0])) {
                    source_values.extend(c.values.iter().map(|v| (idx, v)));
                }
                continue;
            }
            real_cases.push(c);
        }
        for (idx, vv) in source_values {
            let (Some(v), Some(raw)) = (vars.get(&key(&vv.variable)), &vv.value) else {
                continue;
            };
            if self.is_builtin(v) {
                continue;
            }
            let owner = format!("the source {:?}", self.plan.sources[idx].item.name);
            if let Some((a, value)) = self.attribute_value(v, raw, AppliesTo::Source, &owner) {
                self.plan.source_values.push((idx, a, value));
            }
        }
        real_cases
    }

    /// Returns the `n`th real case as a participant: a one-word name is its
    /// code, a longer one its label; verbatim's own site variables give
    /// its site.
    fn participant(
        &mut self,
        n: usize,
        c: &Case,
        vars: &HashMap<String, &Variable>,
    ) -> PlanParticipant {
        let name = c.name.as_deref().map(str::trim).unwrap_or_default();
        let (code, mut label) = if !name.is_empty() && !name.contains(char::is_whitespace) {
            (Some(name.to_owned()), None)
        } else if !name.is_empty() {
            (None, Some(name.to_owned()))
        } else {
            (None, Some(format!("Case {}", n + 1)))
        };
        if self.ours && code.is_some() {
            label = c.description.clone();
        }
        let mut site_name = None;
        let mut site_code = None;
        let mut values = Vec::new();
        let owner = format!("the case {:?}", c.name.as_deref().unwrap_or(&c.guid));
        for vv in &c.values {
            let (Some(v), Some(raw)) = (vars.get(&key(&vv.variable)), &vv.value) else {
                continue;
            };
            if self.is_builtin(v) {
                match v.name.as_str() {
                    marker::SITE => site_name = Some(raw.clone()),
                    marker::SITE_CODE => site_code = Some(raw.clone()),
                    _ => {}
                }
                continue;
            }
            if let Some(value) = self.attribute_value(v, raw, AppliesTo::Participant, &owner) {
                values.push(value);
            }
        }
        let site = match (site_name, site_code) {
            (Some(name), Some(code)) => Some(self.site(name, code)),
            _ => None,
        };
        PlanParticipant {
            guid: is_guid(&c.guid).then(|| key(&c.guid)),
            code,
            label,
            site,
            values,
        }
    }

    /// Returns the plan index of the site with this code, adding it.
    fn site(&mut self, name: String, code: String) -> usize {
        let existing = self.plan.sites.iter().position(|(_, c)| *c == code);
        existing.unwrap_or_else(|| {
            self.plan.sites.push((name, code));
            self.plan.sites.len() - 1
        })
    }

    /// Returns true for a variable verbatim writes for what a study holds
    /// outside attributes (site, site code, source kind, language), in a
    /// file verbatim wrote.
    fn is_builtin(&self, v: &Variable) -> bool {
        let builtins = [
            marker::SITE,
            marker::SITE_CODE,
            marker::KIND,
            marker::LANGUAGE,
        ];
        self.ours && builtins.contains(&v.name.as_str())
    }

    /// Returns the plan index of the attribute `v` stands for on what
    /// `applies_to` names, adding it the first time.
    fn attribute(&mut self, v: &Variable, applies_to: AppliesTo) -> usize {
        let tag = applies_to.as_str();
        if let Some(&i) = self.attribute_index.get(&(key(&v.guid), tag)) {
            return i;
        }
        let (kind, allowed) = attribute_type(v);
        self.plan.attributes.push(PlanAttribute {
            name: v.name.trim().to_owned(),
            applies_to,
            kind,
            allowed,
        });
        let i = self.plan.attributes.len() - 1;
        self.attribute_index.insert((key(&v.guid), tag), i);
        i
    }

    /// Returns the attribute `v` stands for and `raw` as its canonical
    /// value, or reports the value of `owner` skipped when it does not fit.
    fn attribute_value(
        &mut self,
        v: &Variable,
        raw: &str,
        applies_to: AppliesTo,
        owner: &str,
    ) -> Option<(usize, String)> {
        let i = self.attribute(v, applies_to);
        let a = &self.plan.attributes[i];
        match a.kind.canonical(raw, &a.allowed) {
            Ok(value) => Some((i, value)),
            Err(why) => {
                self.report
                    .skipped
                    .push(format!("the value of {:?} for {owner}: {why}", v.name));
                None
            }
        }
    }

    // ---- links and notes

    fn links(&mut self, journal: &HashMap<String, String>) {
        let notes: HashSet<String> = self.p.notes.iter().map(|n| key(&n.guid)).collect();
        let cases: HashMap<String, Option<String>> = self
            .p
            .cases
            .iter()
            .map(|c| (key(&c.guid), c.name.clone()))
            .collect();
        let mut other = 0;
        for l in &self.p.links {
            let (Some(o), Some(t)) = (l.origin.as_deref().map(key), l.target.as_deref().map(key))
            else {
                other += 1;
                continue;
            };
            // A note linked to something, in either direction (NVivo links
            // a note to the selection it annotates).
            let (note, thing) = if notes.contains(&o) {
                (o, t)
            } else if notes.contains(&t) {
                (t, o)
            } else {
                other += 1;
                continue;
            };
            if let (Some(relation), Some(&code)) = (
                l.name.as_deref().filter(|r| RELATIONS.contains(r)),
                self.code_index.get(&thing),
            ) && journal.contains_key(&note)
            {
                self.journal_links
                    .entry(note)
                    .or_default()
                    .push((code, relation.to_owned()));
                continue;
            }
            let target = if let Some(&(s, a, b)) = self.selection_place.get(&thing) {
                PlanTarget::Passage(s, a, b)
            } else if let Some(&c) = self.code_index.get(&thing) {
                PlanTarget::Code(c)
            } else if let Some(&s) = self.source_index.get(&thing) {
                PlanTarget::Source(s)
            } else if let Some(Some(name)) = cases.get(&thing) {
                PlanTarget::Participant(name.trim().to_owned())
            } else {
                other += 1;
                continue;
            };
            self.note_targets.entry(note).or_default().push(target);
        }
        if other > 0 {
            self.report.losses.push(format!(
                "{other} link(s) between codes, sources or selections are not carried: verbatim links only memos to what they are about"
            ));
        }
    }

    fn notes(&mut self, sets: &SetRoles) {
        for n in &self.p.note_refs {
            self.note_targets
                .entry(key(n))
                .or_default()
                .push(PlanTarget::Study);
        }
        for (i, note) in self.p.notes.iter().enumerate() {
            let Some(Some(body)) = self.read.note_texts.get(i) else {
                continue;
            };
            let body = canonical_text(body);
            let k = key(&note.guid);
            let d = note.description.as_deref().unwrap_or_default();
            if let Some(kind) = sets.journal.get(&k) {
                let coder = self.coder_of(note.creating_user.as_deref());
                let seal = marked(d, marker::SEAL).and_then(|s| {
                    let at = s.split_whitespace().find_map(|w| w.strip_prefix("at="))?;
                    let hash = s
                        .split_whitespace()
                        .find_map(|w| w.strip_prefix("sha256="))?;
                    Some((at.to_owned(), hash.to_owned()))
                });
                self.plan.journal.push(PlanJournal {
                    guid: if is_guid(&note.guid) {
                        k.clone()
                    } else {
                        uuid::Uuid::new_v4().to_string()
                    },
                    coder,
                    kind: if kind == "preconception" {
                        "preconception".into()
                    } else {
                        "note".into()
                    },
                    title: note.name.clone().unwrap_or_else(|| "Untitled".into()),
                    body,
                    written_at: note.created.clone().unwrap_or_default(),
                    seal,
                    links: self.journal_links.remove(&k).unwrap_or_default(),
                });
                continue;
            }
            let comment_author = if self.ours && note.creating_user.is_none() {
                d.strip_prefix(marker::COMMENT_BY)
                    .and_then(|r| r.strip_suffix(marker::COMMENT_END))
                    .map(str::to_owned)
            } else {
                None
            };
            let (coder, author) = match comment_author {
                Some(author) if self.options.as_coder.is_none() => (None, Some(author)),
                _ => {
                    let c = self.coder_of(note.creating_user.as_deref());
                    (Some(c), Some(self.plan.coders[c].name.clone()))
                }
            };
            let targets = self
                .note_targets
                .remove(&k)
                .unwrap_or_else(|| vec![PlanTarget::Study]);
            for (j, target) in targets.into_iter().enumerate() {
                self.plan.memos.push(PlanMemo {
                    guid: (j == 0 && is_guid(&note.guid)).then(|| k.clone()),
                    target,
                    coder,
                    title: note.name.clone(),
                    author: author.clone(),
                    written_at: note.created.clone(),
                    body: body.clone(),
                });
            }
        }
    }

    fn uncarried(&mut self) {
        let u = &self.p.uncarried;
        for (kind, name) in &u.media_sources {
            self.report.losses.push(format!(
                "the {kind} source {name:?} is not carried: verbatim works on text transcripts"
            ));
        }
        if u.media_selections > 0 || u.media_codings > 0 {
            self.report.losses.push(format!(
                "{} selection(s) and {} coding(s) in picture, PDF, audio or video sources are not carried",
                u.media_selections, u.media_codings
            ));
        }
        if u.graphs > 0 {
            self.report.losses.push(format!(
                "{} graph(s) (network views) are not carried: verbatim has no graphs",
                u.graphs
            ));
        }
    }
}

/// Returns the attribute type a variable maps to, with a category's
/// allowed values (verbatim writes a category as text described
/// "One of: a | b [verbatim:category]").
fn attribute_type(v: &Variable) -> (AttrType, Vec<String>) {
    let d = v.description.as_deref().unwrap_or_default();
    match v.kind {
        VariableType::Text if d.contains(marker::CATEGORY) => {
            let list = d
                .trim_start_matches("One of:")
                .replace(marker::CATEGORY, "");
            (
                AttrType::Category,
                list.split(" | ")
                    .map(|a| a.trim().to_owned())
                    .filter(|a| !a.is_empty())
                    .collect(),
            )
        }
        VariableType::Text | VariableType::DateTime => (AttrType::Text, Vec::new()),
        VariableType::Boolean => (AttrType::Boolean, Vec::new()),
        VariableType::Integer | VariableType::Float => (AttrType::Number, Vec::new()),
        VariableType::Date => (AttrType::Date, Vec::new()),
    }
}

/// A source's raw text read under the chosen convention: where a
/// selection's positions fall in the stored text, and whether its name
/// quotes what is there.
struct Reading {
    map: PositionMap,
    /// The stored text's characters, when names quote the text.
    chars: Vec<char>,
    names_quote: bool,
}

impl Reading {
    fn new(raw: &str, choice: &Choice) -> Self {
        Self {
            map: PositionMap::new(raw, choice.convention),
            chars: if choice.names_quote {
                canonical_text(raw).chars().collect()
            } else {
                Vec::new()
            },
            names_quote: choice.names_quote,
        }
    }

    /// Returns a selection's `[start, end)` in characters of the stored
    /// text, or why it cannot be placed (`what` names it): outside the
    /// text, empty or reversed, or not the passage its name quotes.
    fn place(&self, sel: &Selection, what: &dyn Fn() -> String) -> Result<(i64, i64), String> {
        let (Some(start), Some(end)) = (self.map.to_char(sel.start), self.map.to_char(sel.end))
        else {
            return Err(format!(
                "{}: positions [{}, {}) are not inside the text ({} {})",
                what(),
                sel.start,
                sel.end,
                self.map.chars(),
                "chars"
            ));
        };
        if start >= end {
            return Err(format!(
                "{}: it is empty or reversed ([{}, {}))",
                what(),
                sel.start,
                sel.end
            ));
        }
        if self.names_quote
            && let Some(name) = sel.name.as_deref().filter(|n| !n.trim().is_empty())
        {
            let passage: String = self
                .chars
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .collect();
            if !quotes(name, &passage) {
                return Err(format!(
                    "{}: the text at [{}, {}) reads {:?}, not its quoted name, so it was not placed",
                    what(),
                    sel.start,
                    sel.end,
                    excerpt(&passage)
                ));
            }
        }
        Ok((start as i64, end as i64))
    }
}

/// The roles of the sets verbatim writes, by GUID key.
#[derive(Default)]
struct SetRoles {
    /// Code → the user whose codebook holds it.
    codebook: HashMap<String, String>,
    /// Parent → codes that also sit under it.
    also_under: Vec<(String, Vec<String>)>,
    /// Note → journal kind.
    journal: HashMap<String, String>,
}

/// What the walk of the code tree carries from one code to the next.
struct CodeWalk<'s> {
    /// The sets that say whose codebook a code is in.
    sets: &'s SetRoles,
    /// The GUIDs of the cases: a code with one is the case, not a code.
    case_guids: HashSet<String>,
    /// (owner, parent, name) of every code placed, to keep siblings apart.
    names: HashSet<(Option<usize>, Option<usize>, String)>,
    /// How many codes were renamed because a sibling had their name.
    collided: usize,
    /// Whether a code had to share its parent's level.
    too_deep: bool,
    /// The study's deepest level.
    max_rank: i64,
}

impl CodeWalk<'_> {
    /// Returns the code's name, trimmed, made unique among its siblings of
    /// the same codebook by a " (2)", " (3)"… suffix.
    fn sibling_name(&mut self, owner: Option<usize>, parent: Option<usize>, raw: &str) -> String {
        let mut name = raw.trim().to_owned();
        if name.is_empty() {
            name = "(unnamed code)".into();
        }
        // Names are unique among siblings only, as in the producers.
        if !self.names.insert((owner, parent, name.clone())) {
            self.collided += 1;
            let mut n = 2;
            while !self.names.insert((owner, parent, format!("{name} ({n})"))) {
                n += 1;
            }
            name = format!("{name} ({n})");
        }
        name
    }

    /// Returns a code's rank: the level it declares if above its deepest
    /// child's, else one above that child, at most the study's deepest.
    fn rank(&mut self, declared: Option<i64>, below: i64) -> i64 {
        let rank = match declared {
            Some(r) if r > below => r,
            _ => below + 1,
        };
        if rank > self.max_rank {
            self.too_deep = true;
            return self.max_rank;
        }
        rank
    }
}

/// Returns the value of a `[verbatim:… x=VALUE]` marker in a description.
fn marked(description: &str, marker: &str) -> Option<String> {
    let start = description.find(marker)? + marker.len();
    let rest = &description[start..];
    let end = rest.rfind(']')?;
    Some(rest[..end].trim().to_owned())
}

/// Returns `#rrggbb` for a REFI-QDA colour (`#rgb` is widened).
fn normal_colour(c: &str) -> Option<String> {
    let hex = c.trim().strip_prefix('#')?;
    if !hex.chars().all(|h| h.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{}", hex.to_ascii_lowercase())),
        3 => Some(format!(
            "#{}",
            hex.chars()
                .flat_map(|h| [h, h])
                .collect::<String>()
                .to_ascii_lowercase()
        )),
        _ => None,
    }
}

/// Returns the speaker turns verbatim's plain-text reader finds in `text`,
/// or none when that reader would change the text (positions must stay).
fn turns_of(name: &str, text: &str) -> Vec<verbatim_core::Turn> {
    let options = verbatim_ingest::Options::default();
    match verbatim_ingest::read_bytes(name, Format::Txt, text.as_bytes(), &options) {
        Ok(read) if read.text() == text => read.turns().to_vec(),
        _ => Vec::new(),
    }
}
