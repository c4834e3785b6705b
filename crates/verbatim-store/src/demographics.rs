//! The sociodemographic table: who the participants are, overall and by
//! site, as a paper's "Table II" reports them.
//!
//! Each participant attribute becomes rows: a category or boolean gives a
//! count and percentage per value, a number its mean and range, a date its
//! range, free text how many gave a value. Participants heard only in
//! context sources (team-leader interviews kept for reading) are left out
//! unless asked for, as they are never counted in the analysis.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::boundary::Participants;
use crate::participants::{AppliesTo, Attribute, Participant};
use crate::values::{AttrType, format_number, percent_half_up, percent_text};
use crate::{SqliteStore, StoreError};

/// One column of the table: everyone, or one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoColumn {
    /// `All`, or the site's code.
    pub name: String,
    /// Participants counted in it.
    pub n: usize,
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DemoCell {
    /// How many have this value, and their share of the column.
    Count {
        /// How many.
        count: usize,
        /// Their share of the column's n, in percent.
        percent: f64,
    },
    /// The mean and range of a number.
    Number {
        /// How many gave a value.
        count: usize,
        /// The mean.
        mean: f64,
        /// The smallest value.
        min: f64,
        /// The largest value.
        max: f64,
    },
    /// The range of dates.
    Range {
        /// How many gave a value.
        count: usize,
        /// The earliest.
        min: String,
        /// The latest.
        max: String,
    },
    /// Nobody in the column has a value.
    Empty,
}

impl DemoCell {
    /// Returns the cell as a paper prints it: `5 (63 %)` (percentages
    /// rounded half up, as everywhere), `41.2 (29–58)`.
    pub fn display(&self) -> String {
        match self {
            DemoCell::Count { count, percent } => {
                format!(
                    "{count} ({})",
                    percent_text(percent_half_up(percent / 100.0))
                )
            }
            DemoCell::Number { mean, min, max, .. } => format!(
                "{mean:.1} ({}–{})",
                format_number(*min),
                format_number(*max)
            ),
            DemoCell::Range { min, max, .. } if min == max => min.clone(),
            DemoCell::Range { min, max, .. } => format!("{min} – {max}"),
            DemoCell::Empty => "–".into(),
        }
    }
}

/// One row: an attribute, or one value of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoRow {
    /// The attribute's name.
    pub attribute: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: AttrType,
    /// The value this row counts (categories, booleans, missing values).
    pub value: Option<String>,
    /// One cell per column.
    pub cells: Vec<DemoCell>,
}

/// The sociodemographic table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoTable {
    /// `All`, then one per site when asked.
    pub columns: Vec<DemoColumn>,
    /// The rows, attribute by attribute.
    pub rows: Vec<DemoRow>,
}

/// A column's participants: `All` or a site's code, and its members.
type Group<'p> = (String, Vec<&'p Participant>);

impl SqliteStore {
    /// Returns the sociodemographic table of the participants (see
    /// [`demographics_of`]).
    pub fn demographics(
        &self,
        by_site: bool,
        include_context: bool,
    ) -> Result<DemoTable, StoreError> {
        demographics_of(self, by_site, include_context)
    }
}

/// Returns the sociodemographic table of a study's participants, overall
/// and (with `by_site`) per site; participants heard only in context
/// sources are left out unless `include_context`. Built from the reads of
/// [`Participants`], so every backend gives the same table.
pub fn demographics_of<S: Participants + ?Sized>(
    store: &S,
    by_site: bool,
    include_context: bool,
) -> Result<DemoTable, StoreError> {
    let people = counted_people(store, include_context)?;
    let groups = site_groups(&people, by_site);
    let columns = groups
        .iter()
        .map(|(name, m)| DemoColumn {
            name: name.clone(),
            n: m.len(),
        })
        .collect();
    let mut rows = Vec::new();
    for attr in store.attributes(AppliesTo::Participant)? {
        rows.extend(attribute_rows(&attr, &people, &groups));
    }
    Ok(DemoTable { columns, rows })
}

/// The participants the table counts: all of them with
/// `include_context`, else those heard in at least one source that is
/// not a context source (or in none).
fn counted_people<S: Participants + ?Sized>(
    store: &S,
    include_context: bool,
) -> Result<Vec<Participant>, StoreError> {
    let mut kinds: HashMap<i64, HashSet<String>> = HashMap::new();
    for s in store.speakers(None)? {
        if let Some(p) = s.participant_id {
            kinds.entry(p).or_default().insert(s.kind);
        }
    }
    Ok(store
        .participants()?
        .into_iter()
        .filter(|p| {
            include_context
                || kinds
                    .get(&p.id)
                    .is_none_or(|k| k.iter().any(|kind| kind != "context"))
        })
        .collect())
}

/// The table's columns: everyone, then (with `by_site`) each site by
/// code, `(no site)` for those without one.
fn site_groups(people: &[Participant], by_site: bool) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = vec![("All".into(), people.iter().collect())];
    if by_site {
        let mut sites: Vec<String> = people
            .iter()
            .map(|p| p.site_code.clone().unwrap_or_else(|| "(no site)".into()))
            .collect();
        sites.sort();
        sites.dedup();
        for site in sites {
            let members = people
                .iter()
                .filter(|p| p.site_code.as_deref().unwrap_or("(no site)") == site)
                .collect();
            groups.push((site, members));
        }
    }
    groups
}

/// The participant's value of `attr`, if any.
fn value_of(attr: &Attribute, p: &Participant) -> Option<String> {
    p.values
        .iter()
        .find(|(n, _)| *n == attr.name)
        .map(|(_, v)| v.clone())
}

/// The rows of one attribute: one per value of a category or boolean, one
/// for a number, a date or a text, and a `(missing)` row (but for text)
/// when someone has no value.
fn attribute_rows(attr: &Attribute, people: &[Participant], groups: &[Group<'_>]) -> Vec<DemoRow> {
    let mut rows = Vec::new();
    let row = |value: Option<&str>, cell: &dyn Fn(&[&Participant]) -> DemoCell| DemoRow {
        attribute: attr.name.clone(),
        kind: attr.kind,
        value: value.map(str::to_owned),
        cells: groups.iter().map(|(_, m)| cell(m)).collect(),
    };
    match attr.kind {
        AttrType::Category => {
            let mut values = attr.allowed.clone();
            for p in people {
                if let Some(v) = value_of(attr, p)
                    && !values.contains(&v)
                {
                    values.push(v);
                }
            }
            rows.extend(count_rows(attr, values, groups));
        }
        AttrType::Boolean => {
            rows.extend(count_rows(
                attr,
                vec!["true".into(), "false".into()],
                groups,
            ));
        }
        AttrType::Number => rows.push(row(None, &|m| number_cell(attr, m))),
        AttrType::Date => rows.push(row(None, &|m| date_cell(attr, m))),
        AttrType::Text => rows.push(row(Some("given"), &|m| {
            percent_cell(
                m.iter().filter(|p| value_of(attr, p).is_some()).count(),
                m.len(),
            )
        })),
    }
    let missing: Vec<usize> = groups
        .iter()
        .map(|(_, m)| m.iter().filter(|p| value_of(attr, p).is_none()).count())
        .collect();
    if attr.kind != AttrType::Text && missing.iter().any(|n| *n > 0) {
        rows.push(DemoRow {
            attribute: attr.name.clone(),
            kind: attr.kind,
            value: Some("(missing)".into()),
            cells: groups
                .iter()
                .zip(missing)
                .map(|((_, m), n)| percent_cell(n, m.len()))
                .collect(),
        });
    }
    rows
}

/// One row per value, counting who has it in each column.
fn count_rows(attr: &Attribute, values: Vec<String>, groups: &[Group<'_>]) -> Vec<DemoRow> {
    values
        .into_iter()
        .map(|v| DemoRow {
            attribute: attr.name.clone(),
            kind: attr.kind,
            value: Some(v.clone()),
            cells: groups
                .iter()
                .map(|(_, m)| {
                    let count = m
                        .iter()
                        .filter(|p| value_of(attr, p).as_deref() == Some(v.as_str()))
                        .count();
                    percent_cell(count, m.len())
                })
                .collect(),
        })
        .collect()
}

/// The mean and range of the members' numbers (values that do not parse
/// are left out).
fn number_cell(attr: &Attribute, members: &[&Participant]) -> DemoCell {
    let xs: Vec<f64> = members
        .iter()
        .filter_map(|p| value_of(attr, p)?.parse().ok())
        .collect();
    if xs.is_empty() {
        return DemoCell::Empty;
    }
    DemoCell::Number {
        count: xs.len(),
        mean: xs.iter().sum::<f64>() / xs.len() as f64,
        min: xs.iter().copied().fold(f64::INFINITY, f64::min),
        max: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// The earliest and latest of the members' dates.
fn date_cell(attr: &Attribute, members: &[&Participant]) -> DemoCell {
    let mut xs: Vec<String> = members.iter().filter_map(|p| value_of(attr, p)).collect();
    xs.sort();
    match (xs.first(), xs.last()) {
        (Some(a), Some(b)) => DemoCell::Range {
            count: xs.len(),
            min: a.clone(),
            max: b.clone(),
        },
        _ => DemoCell::Empty,
    }
}

/// A count and its share of a column of `n`, or empty for an empty column.
fn percent_cell(count: usize, n: usize) -> DemoCell {
    if n == 0 {
        return DemoCell::Empty;
    }
    DemoCell::Count {
        count,
        percent: 100.0 * count as f64 / n as f64,
    }
}
