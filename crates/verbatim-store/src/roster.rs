//! Roster import: one spreadsheet row per participant, one column per
//! attribute, all checked before anything is written.
//!
//! A roster is typed by hand, so it is validated whole: every row gets one
//! message per problem (`row 4: age "quarante" is not a number`) and the
//! study is left untouched unless every row is right. Rows are numbered as
//! the spreadsheet shows them (the header is row 1). Columns named `code`,
//! `name` (or `nom`, `label`) and `site` are the participant's own fields;
//! every other column is an attribute, typed by its definition when it
//! exists, by `--type` when given, else by inference from its values.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::boundary::rules::storable;
use crate::fold::fold;
use crate::history::{Recorder, Table};
use crate::participants::{
    AppliesTo, ParticipantRow, Site, attributes_in, clean_code, insert_attribute_at,
    insert_participant, next_attribute_position, write_values,
};
use crate::values::{AttrType, distinct_values, infer};
use crate::{SqliteStore, StoreError};

/// What a roster import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RosterOutcome {
    /// Participants added.
    pub participants: usize,
    /// Attributes defined by this import: `(name, type)`.
    pub new_attributes: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Code,
    Name,
    Site,
    Attribute(usize),
}

fn special(header: &str) -> Option<Column> {
    match fold(header).as_str() {
        "code" | "participant code" | "pseudonym" | "pseudonyme" => Some(Column::Code),
        "name" | "nom" | "label" | "prenom" | "participant" => Some(Column::Name),
        "site" => Some(Column::Site),
        _ => None,
    }
}

/// A roster checked whole, ready to be written by a backend.
#[derive(Debug, Clone)]
pub struct RosterPlan {
    /// One per attribute column: name, type, allowed values, and whether
    /// the import defines it.
    pub attributes: Vec<(String, AttrType, Vec<String>, bool)>,
    /// One per participant row: code, name, site id, and values as
    /// (index into `attributes`, canonical value).
    pub rows: Vec<RosterRow>,
}

/// One participant row of a [`RosterPlan`].
pub type RosterRow = (
    Option<String>,
    Option<String>,
    Option<i64>,
    Vec<(usize, String)>,
);

/// Checks a roster whole against the study's participant attributes,
/// participants and sites: `header` names the columns, each of `rows` is
/// one participant, `types` overrides inferred types (`(column, type)`);
/// `allowed` values of a new category are the column's distinct values.
/// Refuses with one message per problem, rows numbered as the sheet shows
/// them.
pub fn plan_roster(
    header: &[String],
    rows: &[Vec<String>],
    types: &[(String, AttrType)],
    existing: &[crate::participants::Attribute],
    people: &[ParticipantRow],
    sites: &[Site],
) -> Result<RosterPlan, StoreError> {
    let mut errors: Vec<String> = Vec::new();
    let (columns, attr_columns) = read_columns(header, types, &mut errors);
    let specs = attribute_specs(&attr_columns, rows, types, existing, &mut errors);
    let ready = check_rows(
        rows,
        &columns,
        &attr_columns,
        &specs,
        people,
        sites,
        &mut errors,
    );
    if ready.is_empty() && errors.is_empty() {
        errors.push("the roster has no participant rows".into());
    }
    if !errors.is_empty() {
        return Err(StoreError::Rejected(errors));
    }
    Ok(RosterPlan {
        attributes: specs,
        rows: ready,
    })
}

/// Sorts the header into the participant's own columns and attribute
/// columns (`(index, name)`), noting empty and repeated headers.
fn read_columns(
    header: &[String],
    types: &[(String, AttrType)],
    errors: &mut Vec<String>,
) -> (Vec<Column>, Vec<(usize, String)>) {
    let mut columns: Vec<Column> = Vec::new();
    let mut attr_columns: Vec<(usize, String)> = Vec::new();
    // Headers and special columns seen so far: a set, so a roster of
    // thousands of columns is checked in linear time.
    let mut seen_headers: HashSet<String> = HashSet::new();
    let mut seen_special: HashSet<Column> = HashSet::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim();
        if h.is_empty() {
            errors.push(format!(
                "column {}: the header is empty: name the column",
                i + 1
            ));
            columns.push(Column::Attribute(usize::MAX));
            continue;
        }
        let col = match special(h) {
            Some(c) => c,
            None => {
                attr_columns.push((i, h.to_owned()));
                Column::Attribute(attr_columns.len() - 1)
            }
        };
        let special_twice = !matches!(col, Column::Attribute(_)) && !seen_special.insert(col);
        if !seen_headers.insert(fold(h)) || special_twice {
            errors.push(format!("column {}: {h:?} appears twice", i + 1));
        }
        columns.push(col);
    }
    if !columns
        .iter()
        .any(|c| matches!(c, Column::Code | Column::Name))
    {
        errors
            .push("the roster needs a `code` or a `name` column to tell participants apart".into());
    }
    for (column, _) in types {
        if !attr_columns.iter().any(|(_, n)| fold(n) == fold(column)) {
            errors.push(format!(
                "--type names {column:?}, which is not a column of the roster"
            ));
        }
    }
    (columns, attr_columns)
}

/// Returns each attribute column's name, type, allowed values and whether
/// it is new: defined already, typed by `--type`, or inferred.
fn attribute_specs(
    attr_columns: &[(usize, String)],
    rows: &[Vec<String>],
    types: &[(String, AttrType)],
    existing: &[crate::participants::Attribute],
    errors: &mut Vec<String>,
) -> Vec<(String, AttrType, Vec<String>, bool)> {
    let existing_by_name: HashMap<String, &crate::participants::Attribute> =
        existing.iter().map(|a| (fold(&a.name), a)).collect();
    let mut specs: Vec<(String, AttrType, Vec<String>, bool)> = Vec::new();
    for (i, name) in attr_columns {
        let values: Vec<&str> = rows
            .iter()
            .map(|r| r.get(*i).map_or("", String::as_str))
            .collect();
        let given = types
            .iter()
            .find(|(c, _)| fold(c) == fold(name))
            .map(|(_, t)| *t);
        match existing_by_name.get(&fold(name)) {
            Some(a) => {
                if let Some(t) = given
                    && t != a.kind
                {
                    errors.push(format!(
                        "column {name:?} is already a {} attribute; it cannot be read as {t}",
                        a.kind
                    ));
                }
                specs.push((a.name.clone(), a.kind, a.allowed.clone(), false));
            }
            None if !existing.is_empty() => {
                errors.push(format!(
                        "column {name:?} is not a participant attribute of this study (they are: {}): rename the column or define it with `verbatim attribute add`",
                        existing.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
                    ));
                specs.push((name.clone(), AttrType::Text, Vec::new(), false));
            }
            None => {
                let kind = given.unwrap_or_else(|| infer(&values));
                let allowed = if kind == AttrType::Category {
                    distinct_values(&values)
                } else {
                    Vec::new()
                };
                specs.push((name.clone(), kind, allowed, true));
            }
        }
    }
    specs
}

/// Checks every row and returns those to write, noting one message per
/// problem, rows numbered as the sheet shows them (the header is row 1).
fn check_rows(
    rows: &[Vec<String>],
    columns: &[Column],
    attr_columns: &[(usize, String)],
    specs: &[(String, AttrType, Vec<String>, bool)],
    people: &[ParticipantRow],
    sites: &[Site],
    errors: &mut Vec<String>,
) -> Vec<RosterRow> {
    let taken: HashMap<String, ()> = people
        .iter()
        .filter_map(|p| p.code.as_ref().map(|c| (c.to_lowercase(), ())))
        .collect();
    let labelled: HashMap<String, ()> = people
        .iter()
        .filter_map(|p| p.label.as_ref().map(|l| (fold(l), ())))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut ready: Vec<RosterRow> = Vec::new();
    let mut special_at: HashMap<Column, usize> = HashMap::new();
    for (i, c) in columns.iter().enumerate() {
        if !matches!(c, Column::Attribute(_)) {
            special_at.entry(*c).or_insert(i);
        }
    }
    for (r, row) in rows.iter().enumerate() {
        let line = r + 2;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |want: Column| -> Option<String> {
            special_at
                .get(&want)
                .and_then(|&i| row.get(i))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut code = cell(Column::Code);
        let name = cell(Column::Name);
        if let Some(Err(e)) = name
            .as_deref()
            .map(|n| storable(n, "the participant's label"))
        {
            errors.push(format!("row {line}: {e}"));
        }
        if code.is_none() && name.is_none() {
            errors.push(format!(
                "row {line}: the code is missing (and there is no name)"
            ));
        }
        if let Some(c) = &code {
            match clean_code(c) {
                Err(e) => errors.push(format!("row {line}: {e}")),
                Ok(c) => {
                    if taken.contains_key(&c.to_lowercase()) {
                        errors.push(format!(
                            "row {line}: participant {c:?} already exists in the study"
                        ));
                    } else if let Some(first) = seen.get(&c.to_lowercase()) {
                        errors.push(format!(
                            "row {line}: code {c:?} is used twice (first on row {first})"
                        ));
                    } else {
                        seen.insert(c.to_lowercase(), line);
                    }
                    code = Some(c);
                }
            }
        }
        if let (None, Some(n)) = (&code, &name)
            && labelled.contains_key(&fold(n))
        {
            errors.push(format!(
                    "row {line}: a participant named {n:?} is already in the study: give this row a code to tell them apart, or leave it out"
                ));
        }
        let site = match cell(Column::Site) {
            Some(s) => match site_named(sites, &s) {
                Some(site) => Some(site.id),
                None => {
                    errors.push(format!(
                            "row {line}: site {s:?} is not known: add it with `verbatim sites add {s:?} --code CODE`"
                        ));
                    None
                }
            },
            None => None,
        };
        let mut values = Vec::new();
        for (k, (i, _)) in attr_columns.iter().enumerate() {
            let raw = row.get(*i).map_or("", |v| v.trim());
            if raw.is_empty() {
                continue;
            }
            let (name, kind, allowed, _) = &specs[k];
            if let Err(e) = storable(raw, &format!("the value of {name}")) {
                errors.push(format!("row {line}: {e}"));
                continue;
            }
            match kind.canonical(raw, allowed) {
                Ok(v) => values.push((k, v)),
                Err(reason) => errors.push(format!("row {line}: {name} {reason}")),
            }
        }
        ready.push((code, name, site, values));
    }
    ready
}

/// Returns the site whose code, else name, is `word` ignoring ASCII case
/// (as SQLite's NOCASE compares them).
fn site_named<'a>(sites: &'a [Site], word: &str) -> Option<&'a Site> {
    sites
        .iter()
        .find(|s| s.code.eq_ignore_ascii_case(word))
        .or_else(|| sites.iter().find(|s| s.name.eq_ignore_ascii_case(word)))
}

impl SqliteStore {
    /// Imports a roster (see [`plan_roster`]): nothing is written unless
    /// every row is right; one undoable action.
    pub fn import_roster(
        &mut self,
        actor: &str,
        header: &[String],
        rows: &[Vec<String>],
        types: &[(String, AttrType)],
    ) -> Result<RosterOutcome, StoreError> {
        let plan = plan_roster(
            header,
            rows,
            types,
            &self.attributes(AppliesTo::Participant)?,
            &self.participant_rows()?,
            &self.sites()?,
        )?;
        let (specs, ready) = (&plan.attributes, &plan.rows);
        // Write.
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let mut ids: Vec<i64> = Vec::new();
        let mut new_attributes = Vec::new();
        let all: HashMap<String, i64> = attributes_in(&tx, AppliesTo::Participant)?
            .into_iter()
            .map(|a| (a.name, a.id))
            .collect();
        // New columns were checked above against every attribute (folded,
        // so stricter than the store's own case-insensitive check).
        let mut position = next_attribute_position(&tx, AppliesTo::Participant)?;
        for (name, kind, allowed, new) in specs {
            let id = if *new {
                new_attributes.push((name.clone(), kind.as_str().to_owned()));
                let at = position;
                position += 1;
                let p = AppliesTo::Participant;
                insert_attribute_at(&tx, &mut rec, name, p, *kind, allowed, at)?.id
            } else {
                all.get(name)
                    .copied()
                    .ok_or_else(|| StoreError::Corrupt(format!("attribute {name} vanished")))?
            };
            ids.push(id);
        }
        for (code, name, site, values) in ready {
            let pid = insert_participant(&tx, &mut rec, code.as_deref(), name.as_deref(), *site)?;
            let values: Vec<(i64, Option<String>)> = values
                .iter()
                .map(|(k, v)| (ids[*k], Some(v.clone())))
                .collect();
            write_values(&tx, &mut rec, Table::ParticipantValues, pid, &values)?;
        }
        rec.finish(
            &tx,
            actor,
            "participants.import",
            None,
            serde_json::json!({ "participants": ready.len(), "new_attributes": new_attributes }),
        )?;
        tx.commit()?;
        Ok(RosterOutcome {
            participants: ready.len(),
            new_attributes,
        })
    }
}
