//! A study [`Snapshot`] → a REFI-QDA [`Project`] and its source files.
//!
//! One `PlainTextSelection` per coding (as NVivo writes them), so a
//! coding's memo and notes stay its own and its GUID is stable. Positions
//! are code points (REFI-QDA 1.5 §10.2), or UTF-16 units for
//! [`Target::Nvivo`]; the two differ only on texts with characters outside
//! the Basic Multilingual Plane, the only case in which the report warns.

use std::collections::HashMap;

use verbatim_store::Snapshot;

use super::Report;
use super::description::{self, Fields};
use super::guid::{derived, valid_or_derived};
use super::model::*;

mod project;

pub use project::export_project;

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
