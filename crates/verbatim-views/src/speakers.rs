//! Who speaks a passage: each source's speaker labels mapped to
//! participant codes, interviewers left out; and each participant's
//! attribute values. Triangulation, IPA tables, confrontation, matrices and
//! the figures that draw them count participants through this one mapping.
//!
//! A label the store cannot map to a participant (unmapped, ambiguous, or a
//! generic word such as `[Interviewé]` with no roster entry) is one person
//! *per source*: the same `[Interviewé]` in three interviews is three
//! people, never one merged by label. Such a person is counted under a name
//! that says so, `Interviewé [entretien-02, unmapped]`, so every table that
//! prints it flags it; JSON lists carry the flag as a field
//! ([`Person::unmapped`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;
use verbatim_store::{AnalysisReads, StoreError, is_generic_interviewee};

/// Speaker label of a source → the person who speaks it (`None` for an
/// interviewer).
pub type Owners = HashMap<(i64, String), Option<String>>;

/// The speaker mapping of a study.
#[derive(Debug, Clone, Default)]
pub struct Speakers {
    /// `(source id, label)` → person, `None` for interviewers; every source.
    pub owners: Owners,
    /// Every person heard in a counted source, sorted without repeats (the
    /// denominator of "n of N participants").
    pub participants: Vec<String>,
    /// The same people per site of the sources they speak in (`(no site)`
    /// for sources without one).
    pub by_site: BTreeMap<String, BTreeSet<String>>,
    /// The people among `participants` who stand for an unmapped label, by
    /// the name they are counted under.
    pub unmapped: BTreeMap<String, Unmapped>,
}

/// The one source and label an unmapped person stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmapped {
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// The label as transcribed.
    pub label: String,
    /// True for a generic interviewee word (`Interviewé`, `Participant`…).
    pub generic: bool,
}

/// A person as JSON listings show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// The name they are counted under.
    pub name: String,
    /// True when they stand for a speaker label no participant is mapped
    /// to (one person per source).
    pub unmapped: bool,
    /// True when that label is a generic interviewee word.
    pub generic: bool,
    /// The one source an unmapped person speaks in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Speakers {
    /// Returns how a person counted under `name` is described.
    pub fn person(&self, name: &str) -> Person {
        let found = self.unmapped.get(name);
        Person {
            name: name.to_owned(),
            unmapped: found.is_some(),
            generic: found.is_some_and(|u| u.generic),
            source: found.map(|u| u.source.clone()),
        }
    }

    /// Returns every counted person, described, in order.
    pub fn people(&self) -> Vec<Person> {
        self.participants.iter().map(|p| self.person(p)).collect()
    }
}

/// Returns the name an unmapped label of a source is counted under.
pub fn unmapped_name(label: &str, source: &str) -> String {
    format!("{label} [{source}, unmapped]")
}

/// Returns the id a matrix counts an unmapped label of a source under: a
/// negative number no participant row has, the same on every read
/// (FNV-1a of the source id and the label).
pub fn unmapped_id(source_id: i64, label: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in source_id.to_le_bytes().iter().chain(label.as_bytes()) {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    -1 - i64::try_from(hash >> 1).unwrap_or(0)
}

/// Returns the speaker mapping; people are listed from every source but
/// context-only ones, unless `include_context`.
pub fn speakers<S: AnalysisReads + ?Sized>(
    store: &S,
    include_context: bool,
) -> Result<Speakers, StoreError> {
    speakers_in(store, include_context, None)
}

/// Returns the speaker mapping with people listed only from the sources in
/// `only` (every source when `None`), context-only sources left out unless
/// `include_context`. `owners` always covers every source.
pub fn speakers_in<S: AnalysisReads + ?Sized>(
    store: &S,
    include_context: bool,
    only: Option<&HashSet<i64>>,
) -> Result<Speakers, StoreError> {
    let counted: HashMap<i64, Option<String>> = store
        .source_facts()?
        .into_iter()
        .filter(|s| include_context || s.kind != "context")
        .filter(|s| only.is_none_or(|o| o.contains(&s.id)))
        .map(|s| (s.id, s.site))
        .collect();
    let mut out = Speakers::default();
    let mut participants: BTreeSet<String> = BTreeSet::new();
    for row in store.speakers(None)? {
        let person = match (row.role.as_str(), &row.participant) {
            ("interviewer", _) => None,
            ("participant", Some(code)) => Some(code.clone()),
            _ => Some(unmapped_name(&row.label, &row.source)),
        };
        if let (Some(site), Some(p)) = (counted.get(&row.source_id), &person) {
            participants.insert(p.clone());
            let site = site.clone().unwrap_or_else(|| "(no site)".into());
            out.by_site.entry(site).or_default().insert(p.clone());
            if row.participant_id.is_none() {
                out.unmapped.insert(
                    p.clone(),
                    Unmapped {
                        source_id: row.source_id,
                        source: row.source.clone(),
                        label: row.label.clone(),
                        generic: is_generic_interviewee(&row.label),
                    },
                );
            }
        }
        out.owners.insert((row.source_id, row.label), person);
    }
    out.participants = participants.into_iter().collect();
    Ok(out)
}

/// Returns each participant's attribute values, by display code.
pub fn participant_values<S: AnalysisReads + ?Sized>(
    store: &S,
) -> Result<HashMap<String, Vec<(String, String)>>, StoreError> {
    Ok(store
        .participants()?
        .into_iter()
        .map(|p| (p.display(), p.values))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unmapped_label_is_one_person_per_source() {
        assert_eq!(
            unmapped_name("Interviewé", "entretien-02"),
            "Interviewé [entretien-02, unmapped]"
        );
        let (a, b) = (unmapped_id(1, "Interviewé"), unmapped_id(2, "Interviewé"));
        assert!(a < 0 && b < 0);
        assert_ne!(a, b, "the same label in two sources is two people");
        assert_eq!(a, unmapped_id(1, "Interviewé"), "the same on every read");
        assert_ne!(a, unmapped_id(1, "Interviewe"));
    }
}
