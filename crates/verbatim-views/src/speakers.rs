//! Who speaks a passage: each source's speaker labels mapped to
//! participant codes, interviewers left out and unmapped labels standing
//! for themselves; and each participant's attribute values. Triangulation,
//! IPA tables, confrontation and the figures that draw them count
//! participants through this one mapping.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use verbatim_store::{SqliteStore, StoreError};

/// Speaker label of a source → the participant who speaks it (`None` for
/// an interviewer).
pub type Owners = HashMap<(i64, String), Option<String>>;

/// The speaker mapping of a study.
#[derive(Debug, Clone, Default)]
pub struct Speakers {
    /// `(source id, label)` → participant code, `None` for interviewers.
    pub owners: Owners,
    /// Every participant who speaks in a counted source, sorted without
    /// repeats (the denominator of "n of N participants").
    pub participants: Vec<String>,
    /// The same participants per site of the sources they speak in
    /// (`(no site)` for sources without one).
    pub by_site: BTreeMap<String, BTreeSet<String>>,
}

/// Returns the speaker mapping; participants are listed from every source
/// but context-only ones, unless `include_context`.
pub fn speakers(store: &SqliteStore, include_context: bool) -> Result<Speakers, StoreError> {
    let counted: HashMap<i64, Option<String>> = store
        .source_facts()?
        .into_iter()
        .filter(|s| include_context || s.kind != "context")
        .map(|s| (s.id, s.site))
        .collect();
    let mut by_site: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut owners: Owners = HashMap::new();
    let mut participants: BTreeSet<String> = BTreeSet::new();
    for row in store.speakers(None)? {
        let person = match row.role.as_str() {
            "interviewer" => None,
            _ => Some(row.participant.clone().unwrap_or_else(|| row.label.clone())),
        };
        if let (Some(site), Some(p)) = (counted.get(&row.source_id), &person) {
            participants.insert(p.clone());
            let site = site.clone().unwrap_or_else(|| "(no site)".into());
            by_site.entry(site).or_default().insert(p.clone());
        }
        owners.insert((row.source_id, row.label), person);
    }
    Ok(Speakers {
        owners,
        participants: participants.into_iter().collect(),
        by_site,
    })
}

/// Returns each participant's attribute values, by display code.
pub fn participant_values(
    store: &SqliteStore,
) -> Result<HashMap<String, Vec<(String, String)>>, StoreError> {
    Ok(store
        .participants()?
        .into_iter()
        .map(|p| (p.display(), p.values))
        .collect())
}
