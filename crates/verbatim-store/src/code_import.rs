//! A whole codebook written at once: the import of a spreadsheet or `.qdc`.
//!
//! [`SqliteStore::add_code`] is one action per code, each committed on its
//! own; a codebook read from a file must instead arrive entirely or not at
//! all, and undo as one step. [`SqliteStore::import_codes`] checks every
//! code first (names, levels, parents, colours, names already taken), then
//! inserts them all in one transaction recorded as one `codebook.import`
//! action, so `verbatim undo` removes the whole import.
//!
//! The caller (`verbatim-exchange`) turns a file's rows into the flat,
//! parents-first list taken here and reports problems with the file's rows
//! and columns; the checks here are the store's own guard, worded by code
//! name, for callers that skip them.

use std::collections::HashMap;

use rusqlite::params;
use rusqlite::types::Value;

use crate::Level;
use crate::boundary::rules::{parse_colour, storable, storable_fields};
use crate::coders::Scope;
use crate::codes::{Book, CodeFields, opt_int, opt_text};
use crate::history::Table;
use crate::{SqliteStore, StoreError, audit};

/// One code of a codebook to import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportedCode {
    /// Its name, unique among its siblings in the target codebook.
    pub name: String,
    /// Its level's rank (1 = lowest).
    pub level: i64,
    /// Its parents, as indices into the list: the first, the primary
    /// parent (display order), must come earlier in the list; further
    /// parents may be anywhere. Siblings are ordered as the list orders them.
    pub parents: Vec<usize>,
    /// Its descriptive fields.
    pub fields: CodeFields,
    /// The producer's identifier, kept when it is a UUID no code of the
    /// study already has.
    pub guid: Option<String>,
}

impl SqliteStore {
    /// Adds a list of codes to the acting coder's codebook or the shared
    /// one, all or none, as one undoable action; returns the new ids in the
    /// list's order.
    pub fn import_codes(
        &mut self,
        scope: &Scope,
        book: Book,
        codes: &[ImportedCode],
    ) -> Result<Vec<i64>, StoreError> {
        let owner = import_owner(scope, book)?;
        let cleaned = checked_import(codes, &self.levels()?)?;
        let taken: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT name FROM codes WHERE IFNULL(owner, 0) = $1 AND parent IS NULL")?;
            let existing = stmt.query_map([owner.unwrap_or(0)], |r| r.get::<_, String>(0))?;
            existing.collect::<Result<Vec<_>, _>>()?
        };
        taken_roots(codes, &taken)?;
        let roots = taken.len() as i64;
        let guids = self.free_guids(codes)?;
        let count = codes.len();
        self.act(
            &scope.coder().name,
            "codebook.import",
            &format!("coder:{}", scope.coder().id),
            |tx, rec| {
                let mut ids: Vec<i64> = Vec::with_capacity(count);
                let mut next_position: HashMap<Option<i64>, i64> = HashMap::new();
                next_position.insert(None, roots);
                let now = audit::now();
                for ((code, (name, fields)), guid) in codes.iter().zip(&cleaned).zip(guids) {
                    let parent = code.parents.first().map(|&p| ids[p]);
                    let position = next_position.entry(parent).or_insert(0);
                    let id = rec.insert(
                        tx,
                        Table::Codes,
                        &[
                            ("guid", Value::Text(guid)),
                            ("owner", opt_int(owner)),
                            ("name", Value::Text(name.clone())),
                            ("level", Value::Integer(code.level)),
                            ("parent", opt_int(parent)),
                            ("position", Value::Integer(*position)),
                            ("colour", opt_text(&fields.colour)),
                            ("definition", opt_text(&fields.definition)),
                            ("inclusion", opt_text(&fields.inclusion)),
                            ("exclusion", opt_text(&fields.exclusion)),
                            ("example", opt_text(&fields.example)),
                            ("created_at", Value::Text(now.clone())),
                        ],
                    )?;
                    *position += 1;
                    ids.push(id);
                }
                // Every edge goes from a higher level to a lower one (checked
                // above), so no link can close a cycle.
                for (code, &id) in codes.iter().zip(&ids) {
                    let primary = code.parents.first().copied();
                    for &further in code.parents.iter().skip(1) {
                        if Some(further) != primary {
                            rec.insert(
                                tx,
                                Table::CodeLinks,
                                &[
                                    ("child", Value::Integer(id)),
                                    ("parent", Value::Integer(ids[further])),
                                ],
                            )?;
                        }
                    }
                }
                let summary = serde_json::json!({ "codes": count, "shared": owner.is_none() });
                Ok((ids, summary))
            },
        )
    }

    /// Returns one GUID per code: the producer's when it is a UUID that no
    /// code of the study (nor an earlier code of the list) has, else a new one.
    fn free_guids(&self, codes: &[ImportedCode]) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM codes WHERE guid = $1")?;
        let mut used = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(codes.len());
        for code in codes {
            let given = producer_guid(code);
            let guid = match given {
                Some(g) if !used.contains(&g) && !stmt.exists(params![g])? => g,
                _ => uuid::Uuid::new_v4().to_string(),
            };
            used.insert(guid.clone());
            out.push(guid);
        }
        Ok(out)
    }
}

/// Returns the codebook (`codes.owner`) an import writes into: the
/// acting coder's own or the shared one, never another coder's.
pub fn import_owner(scope: &Scope, book: Book) -> Result<Option<i64>, StoreError> {
    match book {
        Book::Own => Ok(scope.own_book()),
        Book::Shared => Ok(None),
        Book::Of(c) if c == scope.coder().id => Ok(Some(c)),
        Book::Of(_) => Err(StoreError::Invalid(
            "codes can only be imported into your own codebook or the shared one".into(),
        )),
    }
}

/// Checks a codebook to import against the study's levels (names unique
/// among siblings, levels in range, parents earlier in the list and of a
/// higher level, colours readable) and returns each code's cleaned name
/// and fields, in the list's order. Both backends call it before writing.
pub fn checked_import(
    codes: &[ImportedCode],
    levels: &[Level],
) -> Result<Vec<(String, CodeFields)>, StoreError> {
    let top_rank = levels.iter().map(|l| l.rank).max().unwrap_or(1);
    // Names are unique among siblings (same primary parent).
    let mut names: HashMap<(Option<usize>, String), usize> = HashMap::new();
    let mut cleaned = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        storable(&code.name, "the code name")?;
        storable_fields(&code.fields)?;
        let name = clean_name(&code.name)?;
        let parent = code.parents.first().copied();
        if names.insert((parent, name.to_lowercase()), i).is_some() {
            return Err(StoreError::Invalid(format!(
                "the codebook to import names {name:?} twice under one parent"
            )));
        }
        if !(1..=top_rank).contains(&code.level) {
            return Err(StoreError::Invalid(format!(
                "code {name:?} has level {}, but the study's levels run from 1 to {top_rank}",
                code.level
            )));
        }
        for (k, &p) in code.parents.iter().enumerate() {
            // The primary parent is inserted first; further parents are
            // linked once every code exists, so they may come later.
            let in_place = if k == 0 { p < i } else { p != i };
            let Some(parent) = codes.get(p).filter(|_| in_place) else {
                return Err(StoreError::Invalid(format!(
                    "code {name:?} names a parent that is not in the list before it"
                )));
            };
            if parent.level <= code.level {
                return Err(StoreError::Invalid(format!(
                    "code {name:?} cannot sit under {:?}: a parent must be of a higher level",
                    parent.name.trim()
                )));
            }
        }
        let mut fields = code.fields.clone();
        if let Some(colour) = fields.colour.as_deref().filter(|c| !c.trim().is_empty()) {
            fields.colour = Some(parse_colour(colour)?);
        }
        cleaned.push((name, fields));
    }
    Ok(cleaned)
}

/// Refuses an import whose top-level codes meet the names of the target
/// codebook's top-level codes (`roots`, as stored), naming them all.
pub fn taken_roots(codes: &[ImportedCode], roots: &[String]) -> Result<(), StoreError> {
    let imported: std::collections::HashSet<String> = codes
        .iter()
        .filter(|c| c.parents.is_empty())
        .filter_map(|c| clean_name(&c.name).ok())
        .map(|n| n.to_lowercase())
        .collect();
    let taken: Vec<&str> = roots
        .iter()
        .filter(|n| imported.contains(&n.to_lowercase()))
        .map(String::as_str)
        .collect();
    if taken.is_empty() {
        return Ok(());
    }
    Err(StoreError::Invalid(format!(
        "the codebook already has codes named {}: import into an empty codebook, or rename them first",
        taken.join(", ")
    )))
}

/// Returns the producer's identifier of a code as a hyphenated lower-case
/// UUID (braces and case as REFI-QDA writes them dropped), if it is one.
pub fn producer_guid(code: &ImportedCode) -> Option<String> {
    code.guid
        .as_deref()
        .map(|g| g.trim().trim_start_matches('{').trim_end_matches('}'))
        .and_then(|g| uuid::Uuid::parse_str(g).ok())
        .map(|u| u.hyphenated().to_string())
}

/// Returns the name with runs of white space made single, refusing an
/// empty or overlong one: the rule `add_code` applies, repeated here
/// because that module keeps its helper private.
fn clean_name(name: &str) -> Result<String, StoreError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(StoreError::Invalid("a code needs a name".into()));
    }
    if name.chars().count() > 200 {
        return Err(StoreError::Invalid(format!(
            "code name {:?}… is longer than 200 characters",
            name.chars().take(40).collect::<String>()
        )));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use crate::testkit::fixture;

    fn code(name: &str, level: i64, parents: &[usize]) -> ImportedCode {
        ImportedCode {
            name: name.into(),
            level,
            parents: parents.to_vec(),
            ..ImportedCode::default()
        }
    }

    #[test]
    fn a_codebook_arrives_whole_and_undoes_in_one_step() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let codes = vec![
            code("Relation", 3, &[]),
            code("Autonomie", 3, &[]),
            code("Confiance", 1, &[0, 1]),
        ];
        let ids = f.store.import_codes(&amira, Book::Own, &codes).unwrap();
        let tree = f.store.code_tree(&amira, Book::Own).unwrap();
        let names: Vec<&str> = tree.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["Relation", "Confiance", "Autonomie"]);
        let confiance = tree.iter().find(|n| n.name == "Confiance").unwrap();
        assert_eq!(confiance.parent, Some(ids[0]));
        assert_eq!(confiance.also_under, vec![ids[1]]);
        f.store.undo("amira", 1).unwrap();
        assert!(f.store.code_tree(&amira, Book::Own).unwrap().is_empty());
    }

    #[test]
    fn one_bad_code_writes_nothing() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let log = f.store.audit_log(100).unwrap().len();
        let bad = vec![code("Relation", 3, &[]), code("Confiance", 3, &[0])];
        let err = f.store.import_codes(&amira, Book::Own, &bad).unwrap_err();
        assert!(err.to_string().contains("higher level"), "{err}");
        let twice = vec![code("Relation", 3, &[]), code("relation", 1, &[])];
        assert!(f.store.import_codes(&amira, Book::Own, &twice).is_err());
        assert!(f.store.code_tree(&amira, Book::Own).unwrap().is_empty());
        assert_eq!(f.store.audit_log(100).unwrap().len(), log);
    }

    #[test]
    fn names_taken_in_the_target_codebook_are_refused() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        f.store
            .import_codes(&amira, Book::Shared, &[code("Relation", 3, &[])])
            .unwrap();
        let err = f
            .store
            .import_codes(&amira, Book::Shared, &[code("Relation", 2, &[])])
            .unwrap_err();
        assert!(err.to_string().contains("already has codes named Relation"));
        // The coder's own codebook is another codebook.
        f.store
            .import_codes(&amira, Book::Own, &[code("Relation", 2, &[])])
            .unwrap();
    }

    #[test]
    fn producer_guids_are_kept_once() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let guid = "{6F1C3A52-0D0B-4B8E-9C55-3E2A1B7D9F10}";
        let mut a = code("Relation", 3, &[]);
        a.guid = Some(guid.into());
        let mut b = code("Confiance", 1, &[]);
        b.guid = Some(guid.into());
        f.store.import_codes(&amira, Book::Own, &[a, b]).unwrap();
        let tree = f.store.code_tree(&amira, Book::Own).unwrap();
        assert_eq!(tree[0].guid, "6f1c3a52-0d0b-4b8e-9c55-3e2a1b7d9f10");
        assert_ne!(tree[1].guid, tree[0].guid);
    }
}
