//! A study [`Snapshot`] → a REFI-QDA [`Project`] and its source files.
//!
//! One `PlainTextSelection` per coding (as NVivo writes them), so a
//! coding's memo and notes stay its own and its GUID is stable. Positions
//! are code points (REFI-QDA 1.5 §10.2), or UTF-16 units for
//! [`Target::Nvivo`]; the two differ only on texts with characters outside
//! the Basic Multilingual Plane, the only case in which the report warns.

use std::collections::HashMap;

use verbatim_store::{AppliesTo, AttrType, Snapshot};

use super::Report;
use super::description::{self, Fields};
use super::guid::{self, derived, valid_or_derived};
use super::model::*;
use super::offsets::utf16_positions;

/// Which tool an export is meant for, which decides how positions count.
///
/// The two units differ only on texts holding characters outside the
/// Basic Multilingual Plane (emoji…), where each such character is one
/// code point but two UTF-16 units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Target {
    /// The standard (REFI-QDA 1.5 §10.2): code points.
    #[default]
    Refi,
    /// NVivo: UTF-16 units (checked on a real NVivo 12.6 export).
    Nvivo,
    /// QualCoder: UTF-16 units, Qt's text positions (checked in its source).
    Qualcoder,
    /// ATLAS.ti: UTF-16 units (inferred: its strings are .NET's; no sample
    /// with emoji was available to check).
    Atlasti,
    /// MAXQDA: UTF-16 units (inferred as for ATLAS.ti; unchecked).
    Maxqda,
}

impl Target {
    /// Returns true when this tool counts positions in UTF-16 units.
    pub fn counts_utf16(self) -> bool {
        !matches!(self, Self::Refi)
    }

    /// Returns the `--target` word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Refi => "refi",
            Self::Nvivo => "nvivo",
            Self::Qualcoder => "qualcoder",
            Self::Atlasti => "atlasti",
            Self::Maxqda => "maxqda",
        }
    }
}

/// An export: the project, its source files `(name, text)`, and the report.
#[derive(Debug, Clone, Default)]
pub struct Exported {
    /// The project XML's content.
    pub project: Project,
    /// `sources/<name>` files with their UTF-8 text.
    pub files: Vec<(String, String)>,
    /// Further archive entries `(path, text)` only verbatim reads.
    pub parts: Vec<(String, String)>,
    /// Recordings `(name, file on disk)`, copied into `sources/<name>`
    /// ([`super::media::add_recordings`]).
    pub recordings: Vec<(String, std::path::PathBuf)>,
    /// What REFI-QDA could not carry.
    pub report: Report,
}

/// Markers that let verbatim read back what it wrote in free places.
pub(crate) mod marker {
    pub const CODEBOOK: &str = "[verbatim:codebook user=";
    pub const ALSO_UNDER: &str = "[verbatim:also-under code=";
    pub const JOURNAL: &str = "[verbatim:journal kind=";
    pub const SEAL: &str = "[verbatim:seal ";
    pub const CATEGORY: &str = "[verbatim:category]";
    pub const COMMENT_BY: &str = "Comment by ";
    pub const COMMENT_END: &str = ", imported with the document.";
    pub const SITE: &str = "Site";
    pub const SITE_CODE: &str = "Site code";
    pub const KIND: &str = "Source kind";
    pub const LANGUAGE: &str = "Language";
}

/// What separates the memos on one coding copied into its selection's
/// description (the importer recognises the copy by it).
pub(crate) const MEMO_JOIN: &str = "\n\n";

/// Returns true when `s` is an `xsd:dateTime` (zone and fraction optional).
pub(crate) fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 19
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        "" | "Z" => true,
        zone => {
            let z = zone.as_bytes();
            z.len() == 6
                && (z[0] == b'+' || z[0] == b'-')
                && z[1..3].iter().all(u8::is_ascii_digit)
                && z[3] == b':'
                && z[4..6].iter().all(u8::is_ascii_digit)
        }
    }
}

fn colour(c: Option<&String>) -> Option<String> {
    c.filter(|c| {
        let hex = c.strip_prefix('#').unwrap_or("");
        (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|h| h.is_ascii_hexdigit())
    })
    .cloned()
}

/// Returns a study's codes as a REFI-QDA forest: `(codes, parent sets)`.
/// Only codes for which `keep` holds are written.
/// In a project the level is not (it travels in [`description::PART`]);
/// in a `.qdc` (`with_level`) it is a labelled paragraph.
fn code_forest(
    s: &Snapshot,
    keep: &dyn Fn(Option<i64>) -> bool,
    note_refs: &HashMap<i64, Vec<String>>,
    with_level: bool,
) -> Vec<Code> {
    let kept: Vec<&verbatim_store::SnapCode> = s.codes.iter().filter(|c| keep(c.owner)).collect();
    let ids: std::collections::HashSet<i64> = kept.iter().map(|c| c.id).collect();
    let mut children: HashMap<Option<i64>, Vec<&verbatim_store::SnapCode>> = HashMap::new();
    for c in &kept {
        let parent = c.parent.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(c);
    }
    fn build(
        s: &Snapshot,
        parent: Option<i64>,
        children: &HashMap<Option<i64>, Vec<&verbatim_store::SnapCode>>,
        note_refs: &HashMap<i64, Vec<String>>,
        with_level: bool,
        depth: usize,
    ) -> Vec<Code> {
        let Some(list) = children.get(&parent) else {
            return Vec::new();
        };
        // A stored tree has no cycle; the depth bound keeps a damaged one
        // from recursing forever.
        if depth > super::xml::MAX_DEPTH {
            return Vec::new();
        }
        list.iter()
            .map(|c| Code {
                guid: valid_or_derived(&c.guid, &s.study_guid, "code"),
                name: c.name.clone(),
                codable: c.codable,
                color: colour(c.colour.as_ref()),
                description: description::encode(&fields_of(c), with_level),
                note_refs: note_refs.get(&c.id).cloned().unwrap_or_default(),
                children: build(s, Some(c.id), children, note_refs, with_level, depth + 1),
            })
            .collect()
    }
    build(s, None, &children, note_refs, with_level, 0)
}

/// Returns a stored code's descriptive fields.
fn fields_of(c: &verbatim_store::SnapCode) -> Fields {
    Fields {
        definition: c.definition.clone(),
        inclusion: c.inclusion.clone(),
        exclusion: c.exclusion.clone(),
        example: c.example.clone(),
        level: Some(c.level.clone()),
    }
}

/// Returns the sets that carry the further parents of codes kept.
fn also_under_sets(
    s: &Snapshot,
    keep: &dyn Fn(Option<i64>) -> bool,
    report: &mut Report,
) -> Vec<Set> {
    let by_id: HashMap<i64, &verbatim_store::SnapCode> =
        s.codes.iter().map(|c| (c.id, c)).collect();
    let mut by_parent: Vec<(i64, Vec<String>)> = Vec::new();
    let mut links = 0;
    for (child, parent) in &s.code_links {
        let (Some(c), Some(p)) = (by_id.get(child), by_id.get(parent)) else {
            continue;
        };
        if !keep(c.owner) || !keep(p.owner) {
            continue;
        }
        links += 1;
        let guid = valid_or_derived(&c.guid, &s.study_guid, "code");
        match by_parent.iter_mut().find(|(id, _)| id == parent) {
            Some((_, members)) => members.push(guid),
            None => by_parent.push((*parent, vec![guid])),
        }
    }
    if links > 0 {
        report.notes.push(format!(
            "{links} code(s) sit under a second parent, which REFI-QDA cannot nest: each second parent is written as a set \"Also under: …\" listing them"
        ));
    }
    by_parent
        .into_iter()
        .filter_map(|(parent, codes)| {
            let p = by_id.get(&parent)?;
            let pguid = valid_or_derived(&p.guid, &s.study_guid, "code");
            Some(Set {
                guid: derived(&s.study_guid, "also-under", &pguid),
                name: format!("Also under: {}", p.name),
                description: Some(format!(
                    "Codes that also belong under \u{ab} {} \u{bb} (a second parent in verbatim's code graph). {}{pguid}]",
                    p.name,
                    marker::ALSO_UNDER
                )),
                codes,
                sources: Vec::new(),
                notes: Vec::new(),
            })
        })
        .collect()
}

/// Returns the `.qdc` of one codebook (`owner`: a coder id, or `None` for
/// the shared one) and what it could not carry.
pub fn export_codebook(s: &Snapshot, owner: Option<i64>, origin: &str) -> (String, Report) {
    let mut report = Report::default();
    let keep = move |o: Option<i64>| o == owner;
    let codes = code_forest(s, &keep, &HashMap::new(), true);
    let sets = also_under_sets(s, &keep, &mut report);
    let memos = s
        .memos
        .iter()
        .filter(|m| m.target_kind == "code")
        .filter(|m| {
            s.codes
                .iter()
                .any(|c| Some(c.id) == m.target_id && c.owner == owner)
        })
        .count();
    if memos > 0 {
        report.losses.push(format!(
            "{memos} memo(s) on codes are not in a .qdc (the codebook format has no notes); export a .qdpx to keep them"
        ));
    }
    (super::write::codebook(origin, &codes, &sets), report)
}

/// Returns the warning for codings whose positions depend on the unit.
fn astral_note(target: Target, codings: usize, sources: usize) -> String {
    let head = format!(
        "{codings} coding(s) in {sources} source(s) come after characters outside the Basic Multilingual Plane (emoji…), where tools count positions differently"
    );
    if target.counts_utf16() {
        format!(
            "{head}: they are written in UTF-16 units for {}; a tool that counts code points as the standard says would misplace them (export with --target refi for it)",
            target.as_str()
        )
    } else {
        format!(
            "{head}: they are written in code points, as the standard says; NVivo, QualCoder, ATLAS.ti and MAXQDA count UTF-16 units and would misplace them: export with --target nvivo, --target qualcoder, --target atlasti or --target maxqda for that tool"
        )
    }
}

/// Returns the project of a study as the snapshot's scope sees it.
pub fn export_project(s: &Snapshot, target: Target, origin: &str) -> Exported {
    let mut report = Report::default();
    let study = s.study_guid.as_str();
    let coder_guid: HashMap<i64, String> = s
        .coders
        .iter()
        .map(|c| (c.id, valid_or_derived(&c.guid, study, "coder")))
        .collect();
    let memo_guid = |g: &str| valid_or_derived(g, study, "memo");

    // Notes: memos and journal entries, and who refers to them.
    let mut notes = Vec::new();
    let mut code_notes: HashMap<i64, Vec<String>> = HashMap::new();
    let mut source_notes: HashMap<i64, Vec<String>> = HashMap::new();
    let mut coding_notes: HashMap<i64, Vec<String>> = HashMap::new();
    let mut passages: HashMap<i64, Vec<(i64, i64, String)>> = HashMap::new();
    let mut project_notes = Vec::new();
    let mut links = Vec::new();
    let case_guid: HashMap<i64, String> = s
        .participants
        .iter()
        .map(|p| (p.id, valid_or_derived(&p.guid, study, "participant")))
        .collect();
    let participant_guid: HashMap<String, String> = s
        .participants
        .iter()
        .filter_map(|p| {
            Some((
                p.code.clone()?.to_lowercase(),
                valid_or_derived(&p.guid, study, "participant"),
            ))
        })
        .collect();
    let mut memo_body: HashMap<String, &str> = HashMap::new();
    for m in &s.memos {
        let g = memo_guid(&m.guid);
        memo_body.insert(g.clone(), &m.body);
        let created = m.written_at.clone().filter(|w| is_datetime(w));
        let description = match (m.coder_id, &m.author) {
            (None, Some(author)) => Some(format!(
                "{}{author}{}",
                marker::COMMENT_BY,
                marker::COMMENT_END
            )),
            _ => None,
        };
        notes.push(Note {
            guid: g.clone(),
            name: m.title.clone(),
            creating_user: m.coder_id.and_then(|c| coder_guid.get(&c).cloned()),
            created,
            description,
            content: Some(m.body.clone()),
            ..Note::default()
        });
        match (m.target_kind.as_str(), m.target_id, &m.anchor) {
            ("code", Some(id), _) => code_notes.entry(id).or_default().push(g),
            ("source", Some(id), _) => source_notes.entry(id).or_default().push(g),
            ("coding", Some(id), _) => coding_notes.entry(id).or_default().push(g),
            ("passage", _, Some((source, start, end))) => {
                passages.entry(*source).or_default().push((*start, *end, g));
            }
            ("participant", _, _) => {
                let case = m
                    .target_label
                    .as_ref()
                    .and_then(|l| participant_guid.get(&l.to_lowercase()));
                match case {
                    Some(case) => links.push(Link {
                        guid: derived(study, "memo-link", &g),
                        name: Some("memo".into()),
                        origin: Some(g),
                        target: Some(case.clone()),
                    }),
                    None => project_notes.push(g),
                }
            }
            _ => project_notes.push(g),
        }
    }
    let mut journal_sets: Vec<(String, Vec<String>)> = Vec::new();
    for j in &s.journal {
        let g = valid_or_derived(&j.guid, study, "journal");
        let description = match (&j.sealed_at, &j.content_hash) {
            (Some(at), Some(hash)) => Some(format!(
                "Sealed preconception: its text has not changed since it was sealed. {}at={at} sha256={hash}]",
                marker::SEAL
            )),
            _ => None,
        };
        notes.push(Note {
            guid: g.clone(),
            name: Some(j.title.clone()),
            creating_user: coder_guid.get(&j.coder_id).cloned(),
            created: Some(j.written_at.clone()).filter(|w| is_datetime(w)),
            description,
            content: Some(j.body.clone()),
            ..Note::default()
        });
        match journal_sets.iter_mut().find(|(k, _)| *k == j.kind) {
            Some((_, members)) => members.push(g),
            None => journal_sets.push((j.kind.clone(), vec![g])),
        }
    }

    // Variables: built-ins first, then attributes.
    let mut variables: Vec<Variable> = Vec::new();
    let builtin = |name: &str| Variable {
        guid: derived(study, "variable", name),
        name: name.to_owned(),
        kind: VariableType::Text,
        description: None,
    };
    let site_of: HashMap<i64, (&String, &String)> =
        s.sites.iter().map(|(id, n, c)| (*id, (n, c))).collect();
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
    let var_guid = |name: &str| derived(study, "variable", name);
    let mut attr_guid: HashMap<i64, String> = HashMap::new();
    for a in &s.attributes {
        let scope = match a.applies_to {
            AppliesTo::Participant => "attribute:participant",
            AppliesTo::Source => "attribute:source",
        };
        let g = derived(study, scope, &a.name.to_lowercase());
        attr_guid.insert(a.id, g.clone());
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
        variables.push(Variable {
            guid: g,
            name: a.name.clone(),
            kind,
            description,
        });
    }
    let value = |variable: String, v: &str| VariableValue {
        variable,
        value: Some(v.to_owned()),
    };

    // Cases.
    let mut case_values: HashMap<i64, Vec<VariableValue>> = HashMap::new();
    for (p, a, v) in &s.participant_values {
        if let Some(g) = attr_guid.get(a) {
            case_values.entry(*p).or_default().push(value(g.clone(), v));
        }
    }
    let source_guid: HashMap<i64, String> = s
        .sources
        .iter()
        .map(|x| (x.id, valid_or_derived(&x.guid, study, "source")))
        .collect();
    let mut case_sources: HashMap<i64, Vec<String>> = HashMap::new();
    for (p, src) in &s.participant_sources {
        if let Some(g) = source_guid.get(src) {
            case_sources.entry(*p).or_default().push(g.clone());
        }
    }
    // Each participant's turns, as selections of their sources (no
    // coding) that the case refers to.
    let mut case_turns: HashMap<i64, Vec<String>> = HashMap::new();
    let mut source_turns: HashMap<i64, Vec<(i64, i64, String)>> = HashMap::new();
    for &(p, src, start, end) in &s.participant_turns {
        if let Some(sg) = source_guid.get(&src).filter(|_| start < end) {
            let g = derived(study, "turn", &format!("{sg} {start} {end}"));
            case_turns.entry(p).or_default().push(g.clone());
            source_turns.entry(src).or_default().push((start, end, g));
        }
    }
    let cases: Vec<Case> = s
        .participants
        .iter()
        .map(|p| {
            let mut values = Vec::new();
            if let Some((name, code)) = p.site_id.and_then(|id| site_of.get(&id)) {
                values.push(value(var_guid(marker::SITE), name));
                values.push(value(var_guid(marker::SITE_CODE), code));
            }
            values.extend(case_values.remove(&p.id).unwrap_or_default());
            Case {
                guid: valid_or_derived(&p.guid, study, "participant"),
                name: p.code.clone().or_else(|| p.label.clone()),
                description: p.code.as_ref().and(p.label.clone()),
                values,
                source_refs: case_sources.remove(&p.id).unwrap_or_default(),
                selection_refs: case_turns.remove(&p.id).unwrap_or_default(),
            }
        })
        .collect();

    // Sources and their selections.
    let code_guid: HashMap<i64, String> = s
        .codes
        .iter()
        .map(|c| (c.id, valid_or_derived(&c.guid, study, "code")))
        .collect();
    let mut source_values: HashMap<i64, Vec<VariableValue>> = HashMap::new();
    for (src, a, v) in &s.source_values {
        if let Some(g) = attr_guid.get(a) {
            source_values
                .entry(*src)
                .or_default()
                .push(value(g.clone(), v));
        }
    }
    let mut codings_of: HashMap<i64, Vec<&verbatim_store::SnapCoding>> = HashMap::new();
    for c in &s.codings {
        codings_of.entry(c.source_id).or_default().push(c);
    }
    let mut sources = Vec::with_capacity(s.sources.len());
    let mut files = Vec::with_capacity(s.sources.len());
    let mut astral_sources = 0;
    let mut astral_codings = 0;
    for src in &s.sources {
        let g = source_guid.get(&src.id).cloned().unwrap_or_default();
        let bounds: Vec<usize> = src
            .text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(src.text.len()))
            .collect();
        let astral = utf16_positions(&src.text);
        let codings = codings_of.remove(&src.id).unwrap_or_default();
        let passage_memos = passages.remove(&src.id).unwrap_or_default();
        if let Some(map) = &astral {
            let moved = |p: i64| usize::try_from(p).is_ok_and(|i| map.get(i) != Some(&(i as u64)));
            let n = codings
                .iter()
                .filter(|c| moved(c.start) || moved(c.end))
                .count();
            if n > 0 {
                astral_sources += 1;
                astral_codings += n;
            }
        }
        let utf16 = astral.filter(|_| target.counts_utf16());
        let slice = |a: i64, b: i64| -> Option<String> {
            let a = usize::try_from(a).ok()?;
            let b = usize::try_from(b).ok()?;
            Some(src.text.get(*bounds.get(a)?..*bounds.get(b)?)?.to_owned())
        };
        let pos = |p: i64| -> i64 {
            match (&utf16, usize::try_from(p)) {
                (Some(map), Ok(i)) => map.get(i).map_or(p, |&u| u as i64),
                _ => p,
            }
        };
        let mut selections = Vec::with_capacity(codings.len() + passage_memos.len());
        for c in codings {
            let Some(code) = code_guid.get(&c.code_id) else {
                continue;
            };
            let coding_guid = valid_or_derived(&c.guid, study, "coding");
            let user = coder_guid.get(&c.coder_id).cloned();
            let created = Some(c.created_at.clone()).filter(|w| is_datetime(w));
            let note_refs = coding_notes.remove(&c.id).unwrap_or_default();
            // QualCoder reads a coding's memo only from its selection's
            // description: memos on the coding go there too.
            let description = c.memo.clone().or_else(|| {
                let bodies: Vec<&str> = note_refs
                    .iter()
                    .filter_map(|g| memo_body.get(g).copied())
                    .collect();
                (!bodies.is_empty()).then(|| bodies.join(MEMO_JOIN))
            });
            selections.push(Selection {
                guid: derived(study, "selection", &coding_guid),
                name: slice(c.start, c.end),
                start: pos(c.start),
                end: pos(c.end),
                creating_user: user.clone(),
                created: created.clone(),
                description,
                codings: vec![Coding {
                    guid: coding_guid,
                    creating_user: user,
                    created,
                    code: code.clone(),
                    note_refs,
                }],
                note_refs: Vec::new(),
            });
        }
        for (start, end, note) in passage_memos {
            selections.push(Selection {
                guid: derived(study, "passage", &note),
                name: slice(start, end),
                start: pos(start),
                end: pos(end),
                note_refs: vec![note],
                ..Selection::default()
            });
        }
        for (start, end, guid) in source_turns.remove(&src.id).unwrap_or_default() {
            selections.push(Selection {
                guid,
                start: pos(start),
                end: pos(end),
                ..Selection::default()
            });
        }
        let mut values = vec![value(var_guid(marker::KIND), &src.kind)];
        if let Some(site) = &src.site {
            values.push(value(var_guid(marker::SITE_CODE), site));
        }
        if let Some(language) = &src.language {
            values.push(value(var_guid(marker::LANGUAGE), language));
        }
        values.extend(source_values.remove(&src.id).unwrap_or_default());
        let file = format!("{g}.txt");
        let speaker_map = src
            .speaker_map
            .iter()
            .filter_map(|(label, who)| match who {
                Some(p) => Some((label.clone(), Some(case_guid.get(p)?.clone()))),
                None => Some((label.clone(), None)),
            })
            .collect();
        sources.push(TextSource {
            guid: g.clone(),
            name: Some(src.name.clone()),
            description: super::turns::encode(&src.turns, speaker_map, src.text.chars().count()),
            plain_text_path: Some(format!("internal://{file}")),
            created: Some(src.imported_at.clone()).filter(|w| is_datetime(w)),
            selections,
            note_refs: source_notes.remove(&src.id).unwrap_or_default(),
            values,
            ..TextSource::default()
        });
        files.push((file, src.text.clone()));
    }
    if astral_sources > 0 {
        report
            .notes
            .push(astral_note(target, astral_codings, astral_sources));
    }

    // Sets: each coder's own codebook, second parents, the journal.
    let keep_all = |_: Option<i64>| true;
    let codes = code_forest(s, &keep_all, &code_notes, false);
    let fields: Vec<(String, Fields)> = s
        .codes
        .iter()
        .filter_map(|c| Some((code_guid.get(&c.id)?.clone(), fields_of(c))))
        .collect();
    let parts = vec![(description::PART.to_owned(), description::part(&fields))];
    let mut sets = Vec::new();
    for coder in &s.coders {
        let members: Vec<String> = s
            .codes
            .iter()
            .filter(|c| c.owner == Some(coder.id))
            .filter_map(|c| code_guid.get(&c.id).cloned())
            .collect();
        if members.is_empty() {
            continue;
        }
        let user = coder_guid.get(&coder.id).cloned().unwrap_or_default();
        sets.push(Set {
            guid: derived(study, "codebook", &user),
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
    sets.extend(also_under_sets(s, &keep_all, &mut report));
    for (kind, members) in journal_sets {
        let name = if kind == "preconception" {
            "Reflexive journal: preconceptions"
        } else {
            "Reflexive journal: notes"
        };
        sets.push(Set {
            guid: derived(study, "journal", &kind),
            name: name.to_owned(),
            description: Some(format!(
                "Entries of the reflexive journal, each written by its note's creating user. {}{kind}]",
                marker::JOURNAL
            )),
            notes: members,
            ..Set::default()
        });
    }

    for (journal, code, relation) in &s.journal_links {
        let (Some(target), Some(j)) = (
            code_guid.get(code),
            s.journal.iter().find(|j| &j.guid == journal),
        ) else {
            continue;
        };
        let origin = valid_or_derived(&j.guid, study, "journal");
        links.push(Link {
            guid: derived(study, "journal-link", &format!("{origin} {target}")),
            name: Some(relation.clone()),
            origin: Some(origin),
            target: Some(target.clone()),
        });
    }
    for (what, n) in &s.uncarried {
        report.losses.push(format!(
            "{n} {what}: REFI-QDA has no place for them, so they are not in the file"
        ));
    }
    if s.quotes > 0 {
        report.losses.push(format!(
            "{} coding(s) marked as quotes: REFI-QDA has no quote mark, so the marks are not in the file (the codings are)",
            s.quotes
        ));
    }
    if s.translations > 0 {
        report.losses.push(format!(
            "{} translation(s) of coded passages: REFI-QDA has no place for them, so they are not in the file",
            s.translations
        ));
    }

    // QualCoder reads a note's text only from its plainTextPath file;
    // others read the inline text: both are written.
    for n in &mut notes {
        if let Some(text) = &n.content {
            let file = format!("{}.txt", n.guid);
            n.plain_text_path = Some(format!("internal://{file}"));
            files.push((file, text.clone()));
        }
    }

    let users = s
        .coders
        .iter()
        .map(|c| User {
            guid: coder_guid.get(&c.id).cloned().unwrap_or_default(),
            name: Some(c.name.clone()),
        })
        .collect();
    let project = Project {
        name: if s.title.is_empty() {
            "verbatim study".into()
        } else {
            s.title.clone()
        },
        origin: Some(origin.to_owned()),
        created: Some(s.created_at.clone()).filter(|w| is_datetime(w)),
        base_path: None,
        users,
        codes,
        variables,
        cases,
        sources,
        media: Vec::new(),
        notes,
        links,
        sets,
        description: None,
        note_refs: project_notes,
        uncarried: Uncarried::default(),
    };
    let _ = guid::key;
    Exported {
        project,
        files,
        parts,
        recordings: Vec::new(),
        report,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_with_and_without_zone() {
        assert!(is_datetime("2026-11-24T06:30:08.608018979Z"));
        assert!(is_datetime("2018-10-04T22:56:11"));
        assert!(is_datetime("2023-08-16T15:49:36+02:00"));
        assert!(!is_datetime("24/02/2024"));
        assert!(!is_datetime("2024-02-20"));
    }
}
