//! The rows and columns of a coding matrix: a row is a code with every
//! code below it; columns are sites, source kinds, coders, or the values
//! of a participant or source attribute (its allowed values first, in
//! their order, then any other value found, sorted). Read through the
//! store's traits, so a file and a PostgreSQL study give the same matrix.

use std::collections::{BTreeSet, HashMap};

use verbatim_analysis::matrix::{Columns, RowSpec};
use verbatim_store::{AnalysisReads, AppliesTo, Coders, Scope};

use crate::ViewError;

/// Returns one row per visible code of `level`, each with its descendants.
pub fn rows_at_level<S: AnalysisReads + Coders + ?Sized>(
    store: &S,
    scope: &Scope,
    level: &str,
) -> Result<Vec<RowSpec>, ViewError> {
    let rank = store.level_rank_of(level)?;
    let picked: Vec<(i64, String)> = store
        .visible_codes(scope)?
        .into_iter()
        .filter(|c| c.level == rank)
        .map(|c| (c.id, c.name))
        .collect();
    if picked.is_empty() {
        return Err(ViewError::NoCodeAtLevel {
            level: level.to_owned(),
        });
    }
    rows_of(store, &picked)
}

/// Returns one row per code named (as `find_code` resolves a name), each
/// with its descendants.
pub fn rows_named<S: AnalysisReads + ?Sized>(
    store: &S,
    scope: &Scope,
    names: &[String],
) -> Result<Vec<RowSpec>, ViewError> {
    let visible = store.visible_codes(scope)?;
    let picked = names
        .iter()
        .map(|w| {
            let id = store.find_code(scope, w, None)?;
            let name = visible
                .iter()
                .find(|c| c.id == id)
                .map_or_else(|| w.clone(), |c| c.name.clone());
            Ok((id, name))
        })
        .collect::<Result<Vec<_>, ViewError>>()?;
    rows_of(store, &picked)
}

/// Returns the rows of `(id, name)` codes; a name two rows share is told
/// apart by the code's id.
fn rows_of<S: AnalysisReads + ?Sized>(
    store: &S,
    codes: &[(i64, String)],
) -> Result<Vec<RowSpec>, ViewError> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (_, n) in codes {
        *counts.entry(n).or_default() += 1;
    }
    codes
        .iter()
        .map(|(id, name)| {
            let label = if counts.get(name.as_str()).copied().unwrap_or(0) > 1 {
                format!("{name} (#{id})")
            } else {
                name.clone()
            };
            Ok(RowSpec {
                label,
                codes: store.code_descendants(*id)?,
            })
        })
        .collect()
}

/// Returns the column labels from values, `allowed` order first.
fn labels_of<'a>(allowed: &[String], values: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut labels: Vec<String> = allowed.to_vec();
    let rest: BTreeSet<&String> = values.filter(|v| !allowed.contains(v)).collect();
    labels.extend(rest.into_iter().cloned());
    labels
}

fn index_of(labels: &[String], map: HashMap<i64, String>) -> HashMap<i64, usize> {
    map.into_iter()
        .filter_map(|(k, v)| labels.iter().position(|l| *l == v).map(|i| (k, i)))
        .collect()
}

/// Returns the columns `by` names: `site`, `kind`, `coder` (those the
/// scope sees) or `attribute:NAME`. Context-only sources get no column
/// unless `include_context`.
pub fn columns<S: AnalysisReads + Coders + ?Sized>(
    store: &S,
    scope: &Scope,
    by: &str,
    include_context: bool,
) -> Result<Columns, ViewError> {
    let by = by.trim();
    let facts = store
        .source_facts()?
        .into_iter()
        .filter(|s| include_context || s.kind != "context");
    match by {
        "site" | "kind" => {
            let map: HashMap<i64, String> = facts
                .map(|s| {
                    let v = if by == "site" {
                        s.site.unwrap_or_else(|| "(no site)".into())
                    } else {
                        s.kind
                    };
                    (s.id, v)
                })
                .collect();
            let labels = labels_of(&[], map.values());
            let of = index_of(&labels, map);
            Ok(Columns::Source { labels, of })
        }
        "coder" => {
            let coders: Vec<_> = store
                .coders()?
                .into_iter()
                .filter(|c| scope.sees_all() || c.id == scope.coder().id)
                .collect();
            Ok(Columns::Coder {
                labels: coders.iter().map(|c| c.name.clone()).collect(),
                of: coders.iter().enumerate().map(|(i, c)| (c.id, i)).collect(),
            })
        }
        _ => {
            let Some(name) = by.strip_prefix("attribute:").map(str::trim) else {
                return Err(ViewError::UnknownColumns { by: by.to_owned() });
            };
            // Values are read by the attribute's stored name: SQLite
            // compares names without regard to case, PostgreSQL exactly.
            let find = |applies| -> Result<Option<(String, Vec<String>)>, ViewError> {
                Ok(store
                    .attributes(applies)?
                    .into_iter()
                    .find(|a| a.name.eq_ignore_ascii_case(name))
                    .map(|a| (a.name, a.allowed)))
            };
            if let Some((stored, allowed)) = find(AppliesTo::Participant)? {
                let map = store.participant_values_of(&stored)?;
                let labels = labels_of(&allowed, map.values());
                let of = index_of(&labels, map);
                Ok(Columns::Participant { labels, of })
            } else if let Some((stored, allowed)) = find(AppliesTo::Source)? {
                let map = store.source_values_of(&stored)?;
                let labels = labels_of(&allowed, map.values());
                let of = index_of(&labels, map);
                Ok(Columns::Source { labels, of })
            } else {
                Err(ViewError::UnknownAttribute {
                    name: name.to_owned(),
                })
            }
        }
    }
}
