//! Which codes of which coders are compared as one code in agreement.
//!
//! Coders of an IPA team each build their own tree, so "the same code" is
//! not always the same name. Three rules pair codes, the first that places
//! a code wins:
//!
//! 1. an explicit pairing given by the user (`--pair A:X=B:Y`);
//! 2. a reconciliation decision (`reconcile accept` / `merge`): the shared
//!    code it made stands for the coders' codes it came from (read from
//!    `reconciliation_origins`);
//! 3. the name: a shared code is every coder's, and codes with the same
//!    name in several coders' codebooks are one code (as before).
//!
//! With a level (`--level theme`), every code is first rolled up to its
//! ancestor at that level along primary parents, so a coding of an idea
//! counts for its theme; codes with no ancestor at that level are left out.
//!
//! The pairing is pure: every backend reads its codes and reconciliation
//! origins (`boundary::AgreementReads`) and calls [`pair_codes`], so SQLite
//! and PostgreSQL pair alike and refuse with the same sentences.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::StoreError;
use crate::coders::Coder;

/// One side of an explicit pairing: a coder and a code of their codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRef {
    /// The coder's name.
    pub coder: String,
    /// The code's name in that coder's codebook (or the shared one).
    pub code: String,
}

/// Two coders' codes to compare as one (`--pair A:X=B:Y`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodePairing {
    /// The first code.
    pub a: CodeRef,
    /// The second code.
    pub b: CodeRef,
}

/// How a compared code's members were brought together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PairedBy {
    /// Paired by the user (`--pair`).
    Explicit,
    /// A reconciliation decision made the shared code from these codes.
    Reconciliation,
    /// A shared code, or the same name in several codebooks.
    Name,
}

/// A compared code: its label and, per coder, the codes counted for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeGroup {
    /// The name shown for it.
    pub name: String,
    /// How its members were paired.
    pub paired_by: PairedBy,
    /// Per compared coder (by index), the names of the codes counted.
    pub members: Vec<Vec<String>>,
    #[serde(skip)]
    pub(crate) ids: Vec<BTreeSet<i64>>,
}

/// A code as pairing reads it, from any backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingCode {
    /// The code's id.
    pub id: i64,
    /// Its codebook: the coder who owns it, `None` for the shared one.
    pub owner: Option<i64>,
    /// Its name.
    pub name: String,
    /// Its primary parent.
    pub parent: Option<i64>,
    /// Its level's rank.
    pub level: i64,
}

/// A reconciliation origin: a coder's code that an accept or merge
/// decision turned into a shared code that still exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconciledOrigin {
    /// The coder's code.
    pub code: i64,
    /// Its owner.
    pub owner: i64,
    /// The shared code it became.
    pub shared: i64,
}

/// The pairing of codes for one comparison.
pub(crate) struct Pairing {
    /// Every code by id.
    pub(crate) codes: HashMap<i64, PairingCode>,
    /// Code id -> the code it counts as at the level compared (itself
    /// without a level); absent when it has no ancestor at that level.
    pub(crate) unit: HashMap<i64, i64>,
    /// The groups, keyed by name.
    pub(crate) groups: BTreeMap<String, CodeGroup>,
    /// Codes with no ancestor at the level compared, by name.
    pub(crate) off_level: BTreeSet<String>,
}

/// Pairs the codes of `coders` for agreement (see the module doc):
/// `codes` are every code of the study, `origins` the reconciliation
/// decisions' origins in the order they were made.
pub(crate) fn pair_codes(
    codes: Vec<PairingCode>,
    origins: &[ReconciledOrigin],
    coders: &[Coder],
    explicit: &[CodePairing],
    level: Option<i64>,
) -> Result<Pairing, StoreError> {
    let codes: HashMap<i64, PairingCode> = codes.into_iter().map(|c| (c.id, c)).collect();
    let mut pairing = Pairing {
        unit: units(&codes, level),
        off_level: BTreeSet::new(),
        codes,
        groups: BTreeMap::new(),
    };
    let index: HashMap<i64, usize> = coders.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut placed: HashMap<(usize, i64), String> = HashMap::new();
    for pair in explicit {
        let a = pairing.resolve(coders, &pair.a, level)?;
        let b = pairing.resolve(coders, &pair.b, level)?;
        let label = placed
            .get(&a)
            .or_else(|| placed.get(&b))
            .cloned()
            .unwrap_or_else(|| {
                let (na, nb) = (pairing.name_of(a.1), pairing.name_of(b.1));
                if na == nb { na } else { format!("{na} = {nb}") }
            });
        for side in [a, b] {
            pairing.place(&label, PairedBy::Explicit, side, coders.len());
            placed.insert(side, label.clone());
        }
    }
    for origin in origins {
        let Some(&coder) = index.get(&origin.owner) else {
            continue;
        };
        let (Some(&mine), Some(&theirs)) = (
            pairing.unit.get(&origin.code),
            pairing.unit.get(&origin.shared),
        ) else {
            continue;
        };
        if placed.contains_key(&(coder, mine)) {
            continue;
        }
        let label = pairing.name_of(theirs);
        pairing.place(
            &label,
            PairedBy::Reconciliation,
            (coder, mine),
            coders.len(),
        );
        placed.insert((coder, mine), label.clone());
        for every in 0..coders.len() {
            if let Entry::Vacant(slot) = placed.entry((every, theirs)) {
                slot.insert(label.clone());
                pairing.place(
                    &label,
                    PairedBy::Reconciliation,
                    (every, theirs),
                    coders.len(),
                );
            }
        }
    }
    pairing.pair_by_name(&index, &placed, coders.len());
    Ok(pairing)
}

impl Pairing {
    fn name_of(&self, id: i64) -> String {
        self.codes
            .get(&id)
            .map_or_else(String::new, |c| c.name.clone())
    }

    /// Finds `CODER:CODE` among the compared coders' codebooks (their own
    /// first, then the shared one), as the code it counts as.
    fn resolve(
        &self,
        coders: &[Coder],
        side: &CodeRef,
        level: Option<i64>,
    ) -> Result<(usize, i64), StoreError> {
        let Some(coder) = coders.iter().position(|c| c.name == side.coder.trim()) else {
            return Err(StoreError::Invalid(format!(
                "--pair names coder {:?}, who is not among the coders compared: add them to --coders",
                side.coder
            )));
        };
        let owner = coders[coder].id;
        let find = |book: Option<i64>| {
            self.codes
                .iter()
                .find(|(_, c)| c.owner == book && c.name == side.code.trim())
                .map(|(&id, _)| id)
        };
        let id = find(Some(owner)).or_else(|| find(None)).ok_or_else(|| {
            StoreError::Invalid(format!(
                "--pair: {} has no code named {:?} in their codebook or the shared one",
                side.coder, side.code
            ))
        })?;
        let unit = self.unit.get(&id).copied().ok_or_else(|| {
            StoreError::Invalid(format!(
                "--pair: {:?} has no ancestor at the level compared (rank {}): pair codes at that level",
                side.code,
                level.unwrap_or(0)
            ))
        })?;
        Ok((coder, unit))
    }

    fn place(&mut self, label: &str, by: PairedBy, (coder, id): (usize, i64), coders: usize) {
        let group = self
            .groups
            .entry(label.to_owned())
            .or_insert_with(|| CodeGroup {
                name: label.to_owned(),
                paired_by: by,
                members: vec![Vec::new(); coders],
                ids: vec![BTreeSet::new(); coders],
            });
        group.paired_by = group.paired_by.min(by);
        if let Some(ids) = group.ids.get_mut(coder)
            && ids.insert(id)
            && let Some(names) = group.members.get_mut(coder)
            && let Some(code) = self.codes.get(&id)
        {
            names.push(code.name.clone());
        }
    }

    /// Places every code not yet placed in the group of its name: shared
    /// codes for every coder, own codes for their coder.
    fn pair_by_name(
        &mut self,
        index: &HashMap<i64, usize>,
        placed: &HashMap<(usize, i64), String>,
        coders: usize,
    ) {
        let mut units: Vec<i64> = self.unit.values().copied().collect();
        units.sort_unstable();
        units.dedup();
        for id in units {
            let Some(code) = self.codes.get(&id).cloned() else {
                continue;
            };
            let sides: Vec<usize> = match code.owner {
                None => (0..coders).collect(),
                Some(owner) => index.get(&owner).copied().into_iter().collect(),
            };
            for coder in sides {
                if !placed.contains_key(&(coder, id)) {
                    self.place(&code.name, PairedBy::Name, (coder, id), coders);
                }
            }
        }
        for (id, code) in &self.codes {
            let counted = code.owner.is_none_or(|o| index.contains_key(&o));
            if counted && !self.unit.contains_key(id) {
                self.off_level.insert(code.name.clone());
            }
        }
    }
}

/// Returns, for each code, the code it counts as: itself without a level,
/// else its ancestor of that rank along primary parents (absent when it
/// has none, or is above that level).
fn units(codes: &HashMap<i64, PairingCode>, level: Option<i64>) -> HashMap<i64, i64> {
    codes
        .iter()
        .filter_map(|(&id, _)| {
            let Some(level) = level else {
                return Some((id, id));
            };
            let mut current = Some(id);
            // A cycle in stored parents must not hang the loop.
            for _ in 0..=codes.len() {
                let code = codes.get(&current?)?;
                if code.level == level {
                    return current.map(|found| (id, found));
                }
                if code.level > level {
                    return None;
                }
                current = code.parent;
            }
            None
        })
        .collect()
}
