//! Coded segments as a table: one row per coding the scope sees.
//!
//! Columns, in order: source, site, participant (the codes of the
//! participants whose turns the passage overlaps, interviewers left out),
//! one column per participant attribute, speaker (labels as transcribed),
//! code path, code, level, coder, start and end (in characters, as
//! `verbatim show` counts them), begin_ms and end_ms (when the passage is
//! heard in the recording, empty for an untimed transcript), text, one `translation (xx)` column per
//! language present, memo (the coding's note, then memos written on the
//! coding) and quote (`yes` for passages marked as quotes).
//!
//! A focus-group passage can overlap several participants: their codes and
//! each attribute's values are joined with `; `, in the same order, so a
//! filter on a value still finds the row.

use std::collections::{BTreeSet, HashMap};

use verbatim_store::{
    AnalysisReads, AppliesTo, CodeInfo, Coders, CodingFilter, CodingRecord, Codings, MemoFilter,
    Memos, Participant, Scope,
};

/// What the segments table reads of a study, on either backend.
pub trait SegmentReads: AnalysisReads + Coders + Codings + Memos {}

impl<T: AnalysisReads + Coders + Codings + Memos + ?Sized> SegmentReads for T {}

use super::{Cell, SheetError, Table, Width};

/// Which codings go in the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SegmentFilter {
    /// Only codings with codes of the shared codebook.
    pub shared_only: bool,
}

/// Returns the coded segments the scope sees as a table.
pub fn segments_table(
    store: &(impl SegmentReads + ?Sized),
    scope: &Scope,
    filter: SegmentFilter,
) -> Result<Table, SheetError> {
    let study = Lookups::read(store, scope)?;
    let mut memos = coding_memos(store, scope)?;
    let mut codings = store.codings(scope, &CodingFilter::default())?;
    if filter.shared_only {
        codings.retain(|c| {
            study
                .codes
                .get(&c.code_id)
                .is_some_and(|k| k.owner.is_none())
        });
    }
    let languages: Vec<String> = codings
        .iter()
        .flat_map(|c| c.translations.iter().map(|(l, _)| l.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let columns = columns(&study.attributes, &languages);
    let rows = codings
        .into_iter()
        .map(|coding| {
            let on_it = memos.remove(&coding.id).unwrap_or_default();
            study.row(coding, on_it, &languages, columns.len())
        })
        .collect();
    Ok(Table {
        name: "Coded segments".into(),
        columns,
        rows,
    })
}

/// Returns the columns: the fixed ones, one per participant attribute
/// after `participant`, one per translation language before `memo`.
fn columns(attributes: &[String], languages: &[String]) -> Vec<(String, Width)> {
    let mut columns: Vec<(String, Width)> = vec![
        ("source".into(), Width::Medium),
        ("site".into(), Width::Narrow),
        ("participant".into(), Width::Narrow),
    ];
    columns.extend(attributes.iter().map(|a| (a.clone(), Width::Narrow)));
    columns.extend([
        ("speaker".into(), Width::Narrow),
        ("code path".into(), Width::Wide),
        ("code".into(), Width::Medium),
        ("level".into(), Width::Narrow),
        ("coder".into(), Width::Narrow),
        ("start".into(), Width::Narrow),
        ("end".into(), Width::Narrow),
        ("begin_ms".into(), Width::Narrow),
        ("end_ms".into(), Width::Narrow),
        ("text".into(), Width::Wide),
    ]);
    columns.extend(
        languages
            .iter()
            .map(|l| (format!("translation ({l})"), Width::Wide)),
    );
    columns.push(("memo".into(), Width::Wide));
    columns.push(("quote".into(), Width::Narrow));
    columns
}

/// What a row shows beside its coding, read once from the study.
struct Lookups {
    /// The codes the scope sees, by id.
    codes: HashMap<i64, CodeInfo>,
    /// Code id → `Top / … / Code`.
    paths: HashMap<i64, String>,
    /// Level rank → name.
    level_names: HashMap<i64, String>,
    /// Source id → site code.
    sites: HashMap<i64, String>,
    /// (Source id, speaker label) → the participant speaking.
    who: HashMap<(i64, String), i64>,
    people: HashMap<i64, Participant>,
    /// Participant attribute names, in column order.
    attributes: Vec<String>,
}

impl Lookups {
    fn read(store: &(impl SegmentReads + ?Sized), scope: &Scope) -> Result<Self, SheetError> {
        let codes: HashMap<i64, CodeInfo> = store
            .visible_codes(scope)?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        Ok(Self {
            paths: code_paths(&codes),
            codes,
            level_names: store
                .levels()?
                .into_iter()
                .map(|l| (l.rank, l.name))
                .collect(),
            sites: store
                .sources()?
                .into_iter()
                .filter_map(|s| Some((s.id, s.site?)))
                .collect(),
            who: store
                .speakers(None)?
                .into_iter()
                .filter(|s| s.role == "participant")
                .filter_map(|s| Some(((s.source_id, s.label), s.participant_id?)))
                .collect(),
            people: store
                .participants()?
                .into_iter()
                .map(|p| (p.id, p))
                .collect(),
            attributes: store
                .attributes(AppliesTo::Participant)?
                .into_iter()
                .map(|a| a.name)
                .collect(),
        })
    }

    /// Returns a coding's row (`width` cells); its memo cell holds the
    /// coding's note, then `memos`, the memos written on it.
    fn row(
        &self,
        coding: CodingRecord,
        memos: Vec<String>,
        languages: &[String],
        width: usize,
    ) -> Vec<Cell> {
        let speaking = self.speaking(&coding);
        let mut row = Vec::with_capacity(width);
        row.push(Cell::text(coding.source));
        row.push(Cell::opt(
            self.sites.get(&coding.source_id).map(String::as_str),
        ));
        row.push(Cell::text(join(speaking.iter().map(|p| p.display()))));
        for attribute in &self.attributes {
            let values = speaking.iter().filter_map(|p| {
                p.values
                    .iter()
                    .find(|(name, _)| name == attribute)
                    .map(|(_, v)| v.clone())
            });
            row.push(Cell::text(join(values)));
        }
        row.push(Cell::text(coding.speakers.join("; ")));
        row.push(Cell::text(
            self.paths
                .get(&coding.code_id)
                .cloned()
                .unwrap_or_else(|| coding.code.clone()),
        ));
        row.push(Cell::text(coding.code));
        row.push(Cell::text(
            self.level_names
                .get(&coding.level)
                .cloned()
                .unwrap_or_else(|| coding.level.to_string()),
        ));
        row.push(Cell::text(coding.coder));
        row.push(Cell::Int(coding.start));
        row.push(Cell::Int(coding.end));
        row.push(coding.begin_ms.map_or(Cell::Empty, Cell::Int));
        row.push(coding.end_ms.map_or(Cell::Empty, Cell::Int));
        row.push(Cell::text(coding.text));
        for language in languages {
            row.push(Cell::opt(
                coding
                    .translations
                    .iter()
                    .find(|(l, _)| l == language)
                    .map(|(_, t)| t.as_str()),
            ));
        }
        let mut notes: Vec<String> = coding.memo.into_iter().collect();
        notes.extend(memos);
        row.push(Cell::text(notes.join("\n\n")));
        row.push(Cell::text(if coding.is_quote { "yes" } else { "no" }));
        row
    }

    /// Returns the participants whose turns the passage overlaps, once
    /// each, in the order of its speaker labels (interviewers left out).
    fn speaking(&self, coding: &CodingRecord) -> Vec<&Participant> {
        let mut speaking: Vec<&Participant> = Vec::new();
        for label in &coding.speakers {
            if let Some(p) = self
                .who
                .get(&(coding.source_id, label.clone()))
                .and_then(|id| self.people.get(id))
                && !speaking.iter().any(|s| s.id == p.id)
            {
                speaking.push(p);
            }
        }
        speaking
    }
}

/// Returns the memos on codings the scope sees, by coding id, each as
/// `title: body` (or the body alone).
fn coding_memos(
    store: &(impl SegmentReads + ?Sized),
    scope: &Scope,
) -> Result<HashMap<i64, Vec<String>>, SheetError> {
    let mut memos: HashMap<i64, Vec<String>> = HashMap::new();
    let on_codings = MemoFilter {
        target_kind: Some("coding".into()),
        ..MemoFilter::default()
    };
    for memo in store.memos(scope, &on_codings)? {
        if let Some(id) = memo.target_id {
            let text = match &memo.title {
                Some(title) if !title.is_empty() => format!("{title}: {}", memo.body),
                _ => memo.body,
            };
            memos.entry(id).or_default().push(text);
        }
    }
    Ok(memos)
}

/// Joins values with `; `, the way several participants share a cell.
fn join(values: impl Iterator<Item = String>) -> String {
    values.collect::<Vec<_>>().join("; ")
}

/// Returns each code's path along primary parents, `Top / … / Code`.
fn code_paths(codes: &HashMap<i64, CodeInfo>) -> HashMap<i64, String> {
    let mut out = HashMap::with_capacity(codes.len());
    for code in codes.values() {
        let mut chain = vec![code.name.as_str()];
        let mut at = code.parent;
        // The store refuses cycles; the bound keeps a damaged file from
        // looping here.
        while let Some(parent) = at.and_then(|p| codes.get(&p)) {
            if chain.len() > codes.len() {
                break;
            }
            chain.push(parent.name.as_str());
            at = parent.parent;
        }
        chain.reverse();
        out.insert(code.id, chain.join(" / "));
    }
    out
}
