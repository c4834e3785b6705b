//! A study [`Snapshot`] → a REFI-QDA [`Project`], one section at a time.
//!
//! The sections refer to each other by GUID (a case to the selections of
//! its turns, a selection to its coding's notes, a set to codes and
//! notes), so an [`Exporter`] builds the GUID tables once and keeps what
//! one section leaves for a later one: the notes each object refers to,
//! each source's turns, the attribute variables. [`export_project`] calls
//! the sections in the order the report's lines and the archive's files
//! come in.

use std::collections::HashMap;

use verbatim_store::{
    AppliesTo, AttrType, SnapAttribute, SnapCoding, SnapJournal, SnapMemo, SnapSource, Snapshot,
};

use super::{
    Exported, MEMO_JOIN, Target, also_under_sets, astral_note, code_forest, fields_of, is_datetime,
    marker,
};
use crate::refi::Report;
use crate::refi::description::{self, Fields};
use crate::refi::guid::{derived, valid_or_derived};
use crate::refi::model::*;
use crate::refi::offsets::utf16_positions;

/// Returns the project of a study as the snapshot's scope sees it.
pub fn export_project(s: &Snapshot, target: Target, origin: &str) -> Exported {
    let mut x = Exporter::new(s, target);
    x.memo_notes();
    x.journal_notes();
    let variables = x.variables();
    let cases = x.cases();
    let sources = x.sources();
    let codes = code_forest(s, &|_| true, &x.code_notes, false);
    let parts = vec![(description::PART.to_owned(), x.code_fields())];
    let sets = x.sets();
    x.journal_links();
    x.losses();
    x.note_files();
    let project = Project {
        name: if s.title.is_empty() {
            "verbatim study".into()
        } else {
            s.title.clone()
        },
        origin: Some(origin.to_owned()),
        created: stamp(&s.created_at),
        base_path: None,
        users: x.users(),
        codes,
        variables,
        cases,
        sources,
        media: Vec::new(),
        notes: x.notes,
        links: x.links,
        sets,
        description: None,
        note_refs: x.project_notes,
        uncarried: Uncarried::default(),
    };
    Exported {
        project,
        files: x.files,
        parts,
        recordings: Vec::new(),
        report: x.report,
    }
}

/// A span of a source `(start, end, guid)`, in characters: a passage memo
/// (the note's GUID) or a speaker's turn (its selection's GUID).
type Span = (i64, i64, String);

/// What the sections of one export share.
struct Exporter<'s> {
    s: &'s Snapshot,
    study: &'s str,
    target: Target,
    report: Report,
    /// Coder id → `User` GUID.
    coder_guid: HashMap<i64, String>,
    /// Participant id → `Case` GUID.
    case_guid: HashMap<i64, String>,
    /// Source id → `TextSource` GUID.
    source_guid: HashMap<i64, String>,
    /// Code id → `Code` GUID.
    code_guid: HashMap<i64, String>,
    /// Attribute id → its `Variable` GUID (filled by [`Self::variables`]).
    attr_guid: HashMap<i64, String>,
    /// Memos and journal entries, in that order.
    notes: Vec<Note>,
    /// Memo GUID → its text, for the copy in a coding's selection.
    memo_body: HashMap<String, &'s str>,
    /// Code id → GUIDs of the memos on it.
    code_notes: HashMap<i64, Vec<String>>,
    /// Source id → GUIDs of the memos on it.
    source_notes: HashMap<i64, Vec<String>>,
    /// Coding id → GUIDs of the memos on it.
    coding_notes: HashMap<i64, Vec<String>>,
    /// Source id → its passage memos.
    passages: HashMap<i64, Vec<Span>>,
    /// Source id → its speakers' turns (filled by [`Self::cases`]).
    source_turns: HashMap<i64, Vec<Span>>,
    /// Memos on the study, or on a participant no case stands for.
    project_notes: Vec<String>,
    links: Vec<Link>,
    /// Journal kind → its entries' note GUIDs, in order of first entry.
    journal_sets: Vec<(String, Vec<String>)>,
    /// `sources/<name>` files: source texts, then note texts.
    files: Vec<(String, String)>,
}

impl<'s> Exporter<'s> {
    /// Returns an exporter with the GUID tables of `s`.
    fn new(s: &'s Snapshot, target: Target) -> Self {
        let study = s.study_guid.as_str();
        Self {
            s,
            study,
            target,
            report: Report::default(),
            coder_guid: guids(study, "coder", s.coders.iter().map(|c| (c.id, &*c.guid))),
            case_guid: guids(
                study,
                "participant",
                s.participants.iter().map(|p| (p.id, &*p.guid)),
            ),
            source_guid: guids(study, "source", s.sources.iter().map(|x| (x.id, &*x.guid))),
            code_guid: guids(study, "code", s.codes.iter().map(|c| (c.id, &*c.guid))),
            attr_guid: HashMap::new(),
            notes: Vec::new(),
            memo_body: HashMap::new(),
            code_notes: HashMap::new(),
            source_notes: HashMap::new(),
            coding_notes: HashMap::new(),
            passages: HashMap::new(),
            source_turns: HashMap::new(),
            project_notes: Vec::new(),
            links: Vec::new(),
            journal_sets: Vec::new(),
            files: Vec::new(),
        }
    }

    // ---- Notes ----

    /// Writes each memo as a note and files it under what it is about.
    fn memo_notes(&mut self) {
        let s = self.s;
        let case_of: HashMap<String, String> = s
            .participants
            .iter()
            .filter_map(|p| {
                let case = self.case_guid.get(&p.id)?.clone();
                Some((p.code.as_ref()?.to_lowercase(), case))
            })
            .collect();
        for m in &s.memos {
            let g = valid_or_derived(&m.guid, self.study, "memo");
            self.memo_body.insert(g.clone(), &m.body);
            self.notes.push(self.memo_note(m, g.clone()));
            self.refer(m, g, &case_of);
        }
    }

    /// Returns a memo as a note; an imported comment's author (no coder)
    /// is named in its description.
    fn memo_note(&self, m: &SnapMemo, guid: String) -> Note {
        let description = match (m.coder_id, &m.author) {
            (None, Some(author)) => Some(format!(
                "{}{author}{}",
                marker::COMMENT_BY,
                marker::COMMENT_END
            )),
            _ => None,
        };
        Note {
            guid,
            name: m.title.clone(),
            creating_user: m.coder_id.and_then(|c| self.coder_guid.get(&c).cloned()),
            created: m.written_at.clone().filter(|w| is_datetime(w)),
            description,
            content: Some(m.body.clone()),
            ..Note::default()
        }
    }

    /// Files the memo `g` under its target: a code, source or coding's
    /// note references, a passage, a link from the memo to a participant's
    /// case (`case_of`: participant code, lower case → case GUID), or the
    /// project's own notes.
    fn refer(&mut self, m: &SnapMemo, g: String, case_of: &HashMap<String, String>) {
        match (m.target_kind.as_str(), m.target_id, &m.anchor) {
            ("code", Some(id), _) => self.code_notes.entry(id).or_default().push(g),
            ("source", Some(id), _) => self.source_notes.entry(id).or_default().push(g),
            ("coding", Some(id), _) => self.coding_notes.entry(id).or_default().push(g),
            ("passage", _, Some((source, start, end))) => {
                self.passages
                    .entry(*source)
                    .or_default()
                    .push((*start, *end, g));
            }
            ("participant", _, _) => {
                let case = m
                    .target_label
                    .as_ref()
                    .and_then(|l| case_of.get(&l.to_lowercase()));
                match case {
                    Some(case) => self.links.push(Link {
                        guid: derived(self.study, "memo-link", &g),
                        name: Some("memo".into()),
                        origin: Some(g),
                        target: Some(case.clone()),
                    }),
                    None => self.project_notes.push(g),
                }
            }
            _ => self.project_notes.push(g),
        }
    }

    /// Writes each journal entry as a note, grouped by kind for its set.
    fn journal_notes(&mut self) {
        let s = self.s;
        for j in &s.journal {
            let g = valid_or_derived(&j.guid, self.study, "journal");
            self.notes.push(self.journal_note(j, g.clone()));
            match self.journal_sets.iter_mut().find(|(k, _)| *k == j.kind) {
                Some((_, members)) => members.push(g),
                None => self.journal_sets.push((j.kind.clone(), vec![g])),
            }
        }
    }

    /// Returns a journal entry as a note; a sealed preconception's seal is
    /// in its description.
    fn journal_note(&self, j: &SnapJournal, guid: String) -> Note {
        let description = match (&j.sealed_at, &j.content_hash) {
            (Some(at), Some(hash)) => Some(format!(
                "Sealed preconception: its text has not changed since it was sealed. {}at={at} sha256={hash}]",
                marker::SEAL
            )),
            _ => None,
        };
        Note {
            guid,
            name: Some(j.title.clone()),
            creating_user: self.coder_guid.get(&j.coder_id).cloned(),
            created: stamp(&j.written_at),
            description,
            content: Some(j.body.clone()),
            ..Note::default()
        }
    }

    /// Writes every note's text also as a `sources/` file its
    /// `plainTextPath` names: QualCoder reads a note's text only from
    /// there, others read the inline text.
    fn note_files(&mut self) {
        for n in &mut self.notes {
            if let Some(text) = &n.content {
                let file = format!("{}.txt", n.guid);
                n.plain_text_path = Some(format!("internal://{file}"));
                self.files.push((file, text.clone()));
            }
        }
    }

    // ---- Variables and cases ----

    /// Returns the variables: the built-in ones the study uses (site, site
    /// code, source kind, language), then one per attribute.
    fn variables(&mut self) -> Vec<Variable> {
        let s = self.s;
        let builtin = |name: &str| Variable {
            guid: self.builtin_guid(name),
            name: name.to_owned(),
            kind: VariableType::Text,
            description: None,
        };
        let mut variables = Vec::new();
        let any_site = s.participants.iter().any(|p| p.site_id.is_some());
        let any_source_site = s.sources.iter().any(|x| x.site.is_some());
        if any_site {
            variables.push(builtin(marker::SITE));
        }
        if any_site || any_source_site {
            variables.push(builtin(marker::SITE_CODE));
        }
        if !s.sources.is_empty() {
            variables.push(builtin(marker::KIND));
        }
        if s.sources.iter().any(|x| x.language.is_some()) {
            variables.push(builtin(marker::LANGUAGE));
        }
        for a in &s.attributes {
            let variable = attribute_variable(self.study, a);
            self.attr_guid.insert(a.id, variable.guid.clone());
            variables.push(variable);
        }
        variables
    }

    /// Returns the GUID of the built-in variable `name` ([`marker::SITE`]…).
    fn builtin_guid(&self, name: &str) -> String {
        derived(self.study, "variable", name)
    }

    /// Returns `(owner id, attribute id, value)` rows as each owner's
    /// variable values, for the attributes [`Self::variables`] wrote.
    fn values_by_owner(&self, rows: &[(i64, i64, String)]) -> HashMap<i64, Vec<VariableValue>> {
        let mut by_owner: HashMap<i64, Vec<VariableValue>> = HashMap::new();
        for (owner, a, v) in rows {
            if let Some(g) = self.attr_guid.get(a) {
                by_owner
                    .entry(*owner)
                    .or_default()
                    .push(value(g.clone(), v));
            }
        }
        by_owner
    }

    /// Returns one case per participant: their site, attribute values, the
    /// sources they speak in and their turns (selections the sources write).
    fn cases(&mut self) -> Vec<Case> {
        let s = self.s;
        let mut case_values = self.values_by_owner(&s.participant_values);
        let mut case_sources: HashMap<i64, Vec<String>> = HashMap::new();
        for (p, src) in &s.participant_sources {
            if let Some(g) = self.source_guid.get(src) {
                case_sources.entry(*p).or_default().push(g.clone());
            }
        }
        let mut case_turns = self.turns();
        let site_of: HashMap<i64, (&String, &String)> =
            s.sites.iter().map(|(id, n, c)| (*id, (n, c))).collect();
        s.participants
            .iter()
            .map(|p| {
                let mut values = Vec::new();
                if let Some((name, code)) = p.site_id.and_then(|id| site_of.get(&id)) {
                    values.push(value(self.builtin_guid(marker::SITE), name));
                    values.push(value(self.builtin_guid(marker::SITE_CODE), code));
                }
                values.extend(case_values.remove(&p.id).unwrap_or_default());
                Case {
                    guid: valid_or_derived(&p.guid, self.study, "participant"),
                    name: p.code.clone().or_else(|| p.label.clone()),
                    description: p.code.as_ref().and(p.label.clone()),
                    values,
                    source_refs: case_sources.remove(&p.id).unwrap_or_default(),
                    selection_refs: case_turns.remove(&p.id).unwrap_or_default(),
                }
            })
            .collect()
    }

    /// Returns each participant's turns as the GUIDs of uncoded selections
    /// of their sources, and keeps each source's turns for its selections.
    fn turns(&mut self) -> HashMap<i64, Vec<String>> {
        let mut case_turns: HashMap<i64, Vec<String>> = HashMap::new();
        for &(p, src, start, end) in &self.s.participant_turns {
            if let Some(sg) = self.source_guid.get(&src).filter(|_| start < end) {
                let g = derived(self.study, "turn", &format!("{sg} {start} {end}"));
                case_turns.entry(p).or_default().push(g.clone());
                self.source_turns
                    .entry(src)
                    .or_default()
                    .push((start, end, g));
            }
        }
        case_turns
    }

    // ---- Sources and selections ----

    /// Returns the text sources with their selections, and their texts as
    /// files; warns when positions depend on the unit a tool counts.
    fn sources(&mut self) -> Vec<TextSource> {
        let s = self.s;
        let mut source_values = self.values_by_owner(&s.source_values);
        let mut codings_of: HashMap<i64, Vec<&SnapCoding>> = HashMap::new();
        for c in &s.codings {
            codings_of.entry(c.source_id).or_default().push(c);
        }
        let mut sources = Vec::with_capacity(s.sources.len());
        let (mut astral_sources, mut astral_codings) = (0, 0);
        for src in &s.sources {
            let text = Positions::new(&src.text, self.target);
            let codings = codings_of.remove(&src.id).unwrap_or_default();
            let moved = text.moved(&codings);
            if moved > 0 {
                astral_sources += 1;
                astral_codings += moved;
            }
            let mut selections: Vec<Selection> = codings
                .into_iter()
                .filter_map(|c| self.coding_selection(&text, c))
                .collect();
            selections.extend(self.span_selections(src.id, &text));
            let values = source_values.remove(&src.id).unwrap_or_default();
            sources.push(self.text_source(src, selections, values));
        }
        if astral_sources > 0 {
            self.report
                .notes
                .push(astral_note(self.target, astral_codings, astral_sources));
        }
        sources
    }

    /// Returns a source with its `selections` and attribute `values`, and
    /// keeps its text as the file its `plainTextPath` names.
    fn text_source(
        &mut self,
        src: &SnapSource,
        selections: Vec<Selection>,
        attribute_values: Vec<VariableValue>,
    ) -> TextSource {
        let g = self.source_guid.get(&src.id).cloned().unwrap_or_default();
        let mut values = vec![value(self.builtin_guid(marker::KIND), &src.kind)];
        if let Some(site) = &src.site {
            values.push(value(self.builtin_guid(marker::SITE_CODE), site));
        }
        if let Some(language) = &src.language {
            values.push(value(self.builtin_guid(marker::LANGUAGE), language));
        }
        values.extend(attribute_values);
        let file = format!("{g}.txt");
        let speaker_map = src
            .speaker_map
            .iter()
            .filter_map(|(label, who)| match who {
                Some(p) => Some((label.clone(), Some(self.case_guid.get(p)?.clone()))),
                None => Some((label.clone(), None)),
            })
            .collect();
        self.files.push((file.clone(), src.text.clone()));
        TextSource {
            guid: g,
            name: Some(src.name.clone()),
            description: crate::refi::turns::encode(
                &src.turns,
                speaker_map,
                src.text.chars().count(),
            ),
            plain_text_path: Some(format!("internal://{file}")),
            created: stamp(&src.imported_at),
            selections,
            note_refs: self.source_notes.remove(&src.id).unwrap_or_default(),
            values,
            ..TextSource::default()
        }
    }

    /// Returns a coding as its own selection (`None` if its code is not
    /// exported), with the memos on it as note references and, since
    /// QualCoder reads a coding's memo only there, in its description.
    fn coding_selection(&mut self, text: &Positions, c: &SnapCoding) -> Option<Selection> {
        let code = self.code_guid.get(&c.code_id)?.clone();
        let coding_guid = valid_or_derived(&c.guid, self.study, "coding");
        let user = self.coder_guid.get(&c.coder_id).cloned();
        let created = stamp(&c.created_at);
        let note_refs = self.coding_notes.remove(&c.id).unwrap_or_default();
        let description = c.memo.clone().or_else(|| {
            let bodies: Vec<&str> = note_refs
                .iter()
                .filter_map(|g| self.memo_body.get(g).copied())
                .collect();
            (!bodies.is_empty()).then(|| bodies.join(MEMO_JOIN))
        });
        Some(Selection {
            guid: derived(self.study, "selection", &coding_guid),
            name: text.slice(c.start, c.end),
            start: text.pos(c.start),
            end: text.pos(c.end),
            creating_user: user.clone(),
            created: created.clone(),
            description,
            codings: vec![Coding {
                guid: coding_guid,
                creating_user: user,
                created,
                code,
                note_refs,
            }],
            note_refs: Vec::new(),
        })
    }

    /// Returns the uncoded selections of a source: one per passage memo
    /// (referring to it), then one per speaker's turn.
    fn span_selections(&mut self, source: i64, text: &Positions) -> Vec<Selection> {
        let passages = self.passages.remove(&source).unwrap_or_default();
        let turns = self.source_turns.remove(&source).unwrap_or_default();
        let mut selections = Vec::with_capacity(passages.len() + turns.len());
        for (start, end, note) in passages {
            selections.push(Selection {
                guid: derived(self.study, "passage", &note),
                name: text.slice(start, end),
                start: text.pos(start),
                end: text.pos(end),
                note_refs: vec![note],
                ..Selection::default()
            });
        }
        for (start, end, guid) in turns {
            selections.push(Selection {
                guid,
                start: text.pos(start),
                end: text.pos(end),
                ..Selection::default()
            });
        }
        selections
    }

    // ---- Codes, sets, links, users ----

    /// Returns every code's fields whole, for [`description::PART`].
    fn code_fields(&self) -> String {
        let fields: Vec<(String, Fields)> = self
            .s
            .codes
            .iter()
            .filter_map(|c| Some((self.code_guid.get(&c.id)?.clone(), fields_of(c))))
            .collect();
        description::part(&fields)
    }

    /// Returns the sets: each coder's own codebook, the second parents,
    /// the journal's kinds.
    fn sets(&mut self) -> Vec<Set> {
        let mut sets = self.codebook_sets();
        sets.extend(also_under_sets(self.s, &|_| true, &mut self.report));
        for (kind, members) in std::mem::take(&mut self.journal_sets) {
            let name = if kind == "preconception" {
                "Reflexive journal: preconceptions"
            } else {
                "Reflexive journal: notes"
            };
            sets.push(Set {
                guid: derived(self.study, "journal", &kind),
                name: name.to_owned(),
                description: Some(format!(
                    "Entries of the reflexive journal, each written by its note's creating user. {}{kind}]",
                    marker::JOURNAL
                )),
                notes: members,
                ..Set::default()
            });
        }
        sets
    }

    /// Returns one set per coder with codes of their own: their codebook.
    fn codebook_sets(&self) -> Vec<Set> {
        let mut sets = Vec::new();
        for coder in &self.s.coders {
            let members: Vec<String> = self
                .s
                .codes
                .iter()
                .filter(|c| c.owner == Some(coder.id))
                .filter_map(|c| self.code_guid.get(&c.id).cloned())
                .collect();
            if members.is_empty() {
                continue;
            }
            let user = self.coder_guid.get(&coder.id).cloned().unwrap_or_default();
            sets.push(Set {
                guid: derived(self.study, "codebook", &user),
                name: format!("Codebook of {}", coder.name),
                description: Some(format!(
                    "The codes of {}'s own codebook (a blind coding layer in verbatim); codes in no such set are the team's shared codebook. {}{user}]",
                    coder.name,
                    marker::CODEBOOK
                )),
                codes: members,
                ..Set::default()
            });
        }
        sets
    }

    /// Adds a link from each journal entry to each code it is linked to.
    fn journal_links(&mut self) {
        let s = self.s;
        for (journal, code, relation) in &s.journal_links {
            let (Some(target), Some(j)) = (
                self.code_guid.get(code),
                s.journal.iter().find(|j| &j.guid == journal),
            ) else {
                continue;
            };
            let origin = valid_or_derived(&j.guid, self.study, "journal");
            self.links.push(Link {
                guid: derived(self.study, "journal-link", &format!("{origin} {target}")),
                name: Some(relation.clone()),
                origin: Some(origin),
                target: Some(target.clone()),
            });
        }
    }

    /// Reports what of the study REFI-QDA has no place for.
    fn losses(&mut self) {
        let s = self.s;
        let losses = &mut self.report.losses;
        for (what, n) in &s.uncarried {
            losses.push(format!(
                "{n} {what}: REFI-QDA has no place for them, so they are not in the file"
            ));
        }
        if s.quotes > 0 {
            losses.push(format!(
                "{} coding(s) marked as quotes: REFI-QDA has no quote mark, so the marks are not in the file (the codings are)",
                s.quotes
            ));
        }
        if s.translations > 0 {
            losses.push(format!(
                "{} translation(s) of coded passages: REFI-QDA has no place for them, so they are not in the file",
                s.translations
            ));
        }
    }

    /// Returns the coders as users.
    fn users(&self) -> Vec<User> {
        self.s
            .coders
            .iter()
            .map(|c| User {
                guid: self.coder_guid.get(&c.id).cloned().unwrap_or_default(),
                name: Some(c.name.clone()),
            })
            .collect()
    }
}

/// Returns each `(id, stored GUID)` row's export GUID: the stored one if
/// the schema accepts it, else one derived from `kind` and the stored value.
fn guids<'a>(
    study: &str,
    kind: &str,
    rows: impl Iterator<Item = (i64, &'a str)>,
) -> HashMap<i64, String> {
    rows.map(|(id, guid)| (id, valid_or_derived(guid, study, kind)))
        .collect()
}

/// Returns an attribute as a variable, named in its study and scope; a
/// category's allowed values are listed in its description.
fn attribute_variable(study: &str, a: &SnapAttribute) -> Variable {
    let scope = match a.applies_to {
        AppliesTo::Participant => "attribute:participant",
        AppliesTo::Source => "attribute:source",
    };
    let (kind, description) = match a.kind {
        AttrType::Text => (VariableType::Text, None),
        AttrType::Number => (VariableType::Float, None),
        AttrType::Date => (VariableType::Date, None),
        AttrType::Boolean => (VariableType::Boolean, None),
        AttrType::Category => (
            VariableType::Text,
            Some(format!(
                "One of: {} {}",
                a.allowed.join(" | "),
                marker::CATEGORY
            )),
        ),
    };
    Variable {
        guid: derived(study, scope, &a.name.to_lowercase()),
        name: a.name.clone(),
        kind,
        description,
    }
}

/// Returns the value `v` of the variable whose GUID is `variable`.
fn value(variable: String, v: &str) -> VariableValue {
    VariableValue {
        variable,
        value: Some(v.to_owned()),
    }
}

/// Returns a stored time as a `creationDateTime`, if it is an `xsd:dateTime`.
fn stamp(at: &str) -> Option<String> {
    is_datetime(at).then(|| at.to_owned())
}

/// A source's text and the two scales a position is read on: characters
/// (the study's) and what the target counts.
struct Positions<'t> {
    text: &'t str,
    /// Character index → byte offset, one past the end included.
    bounds: Vec<usize>,
    /// Character index → UTF-16 unit, when the text has characters outside
    /// the Basic Multilingual Plane.
    astral: Option<Vec<u64>>,
    /// The target counts UTF-16 units.
    utf16: bool,
}

impl<'t> Positions<'t> {
    fn new(text: &'t str, target: Target) -> Self {
        Self {
            text,
            bounds: text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect(),
            astral: utf16_positions(text),
            utf16: target.counts_utf16(),
        }
    }

    /// Returns how many `codings` start or end where the two units differ.
    fn moved(&self, codings: &[&SnapCoding]) -> usize {
        let Some(map) = &self.astral else {
            return 0;
        };
        let moved = |p: i64| usize::try_from(p).is_ok_and(|i| map.get(i) != Some(&(i as u64)));
        codings
            .iter()
            .filter(|c| moved(c.start) || moved(c.end))
            .count()
    }

    /// Returns the text of characters `[a, b)`, if they are in the text.
    fn slice(&self, a: i64, b: i64) -> Option<String> {
        let a = usize::try_from(a).ok()?;
        let b = usize::try_from(b).ok()?;
        Some(
            self.text
                .get(*self.bounds.get(a)?..*self.bounds.get(b)?)?
                .to_owned(),
        )
    }

    /// Returns character position `p` in the target's unit.
    fn pos(&self, p: i64) -> i64 {
        match (
            self.astral.as_ref().filter(|_| self.utf16),
            usize::try_from(p),
        ) {
            (Some(map), Ok(i)) => map.get(i).map_or(p, |&u| u as i64),
            _ => p,
        }
    }
}
