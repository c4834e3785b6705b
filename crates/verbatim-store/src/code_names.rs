//! Code names in other languages, so a report written in English names
//! the themes of a French study in English.
//!
//! A theme's name is part of the findings, worded by the team; verbatim
//! never translates it. The team gives the name per language
//! (`verbatim code translate`, or the translators' XLIFF/CSV file, where
//! codes travel beside the quotes), stored in `code_translations`; a
//! report in that language shows it, and falls back to the name as coded.

use std::collections::HashMap;

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use verbatim_core::Language;

use crate::coders::Scope;
use crate::history::{Recorder, Table, id_key};
use crate::{NewTranslation, SqliteStore, StoreError};

/// A code's name to set in a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCodeName {
    /// The code's id.
    pub code: i64,
    /// The language.
    pub language: Language,
    /// The name in that language; empty clears it.
    pub name: String,
}

/// A name checked by [`checked_code_name`], ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedName {
    /// The code's id.
    pub code: i64,
    /// The language tag, as given.
    pub language: String,
    /// The name, trimmed; empty clears it.
    pub name: String,
    /// The row it replaces, if the code already has a name in the language.
    pub existing: Option<i64>,
}

/// What writing a checked name does to the `code_translations` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameChange {
    /// Deletes the row with this id (an empty name clears it).
    Delete(i64),
    /// Sets the name of the row with this id.
    Update(i64),
    /// Inserts a new row.
    Insert,
    /// Nothing to do (an empty name where there was none).
    Nothing,
}

impl CheckedName {
    /// Returns the row change this name makes.
    pub fn change(&self) -> NameChange {
        match (self.existing, self.name.is_empty()) {
            (Some(id), true) => NameChange::Delete(id),
            (Some(id), false) => NameChange::Update(id),
            (None, true) => NameChange::Nothing,
            (None, false) => NameChange::Insert,
        }
    }
}

/// Returns the primary subtag of a language tag, lowercased: `en` for
/// `en-GB`, which is how code names are looked up.
pub fn primary_language(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Checks a name to set: `code` is the code's `(owner, name)` row if it
/// exists, `existing` the row the name replaces. Refuses a code the scope
/// does not see and a name holding a control character.
pub fn checked_code_name(
    scope: &Scope,
    n: &NewCodeName,
    code: Option<(Option<i64>, String)>,
    existing: Option<i64>,
) -> Result<CheckedName, StoreError> {
    let (_, coded) = code
        .filter(|(owner, _)| scope.may_see(*owner))
        .ok_or_else(|| StoreError::UnknownCode(n.code.to_string()))?;
    let name = n.name.trim();
    crate::boundary::rules::storable(
        name,
        &format!("the {} name of {coded:?}", n.language.as_str()),
    )?;
    if name.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "the {} name of {coded:?} holds a control character",
            n.language.as_str(),
        )));
    }
    Ok(CheckedName {
        code: n.code,
        language: n.language.as_str().to_owned(),
        name: name.to_owned(),
        existing,
    })
}

/// Returns the audit target and summary of setting `names` (action
/// `code.translate`).
pub fn code_names_action(names: &[NewCodeName]) -> (String, serde_json::Value) {
    let summary = serde_json::json!({
        "names": names.iter().map(|n| serde_json::json!({
            "code": n.code, "language": n.language.as_str(), "name": n.name.trim()
        })).collect::<Vec<_>>()
    });
    let target = match names {
        [one] => format!("code:{}", one.code),
        _ => "codes".to_owned(),
    };
    (target, summary)
}

/// Checks one translation a translator's file attaches: the coding exists
/// and the scope sees it (`coder` is its coder, `None` when there is no
/// such coding), and the text is not empty.
pub fn attachable(
    scope: &Scope,
    item: &NewTranslation,
    coder: Option<i64>,
) -> Result<(), StoreError> {
    match coder {
        Some(c) if sees_coding_of(scope, c) => {}
        _ => {
            return Err(StoreError::Invalid(format!(
                "no coding {} among those you can see",
                item.coding
            )));
        }
    }
    if item.text.trim().is_empty() {
        return Err(StoreError::Invalid(format!(
            "the translation of coding {} is empty",
            item.coding
        )));
    }
    crate::boundary::rules::storable(
        &item.text,
        &format!("the translation of coding {}", item.coding),
    )
}

/// Whether the scope sees a coding made by `coder` (its own, or any once
/// the study is revealed), as translations see codings.
pub fn sees_coding_of(scope: &Scope, coder: i64) -> bool {
    scope.sees_all() || coder == scope.coder().id
}

/// Returns the audit summary of attaching `items` and naming codes
/// (action `coding.translate_many`, target `codings`).
pub fn attach_summary(items: &[NewTranslation], names: &[NewCodeName]) -> serde_json::Value {
    let mut languages: Vec<&str> = items.iter().map(|i| i.language.as_str()).collect();
    languages.sort_unstable();
    languages.dedup();
    serde_json::json!({
        "translations": items.len(), "languages": languages, "code_names": names.len()
    })
}

/// Deletes a code's names in other languages inside the caller's action
/// (the code is deleted, or merged into another, which keeps its own).
pub(crate) fn delete_code_names(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    code: i64,
) -> Result<(), StoreError> {
    let select = "SELECT id FROM code_translations WHERE code_id = $1 ORDER BY id";
    rec.delete_ids(tx, Table::CodeTranslations, select, [code])?;
    Ok(())
}

/// Writes checked names inside the caller's action.
pub(crate) fn write_code_names(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    rows: &[CheckedName],
) -> Result<(), StoreError> {
    for n in rows {
        match n.change() {
            NameChange::Delete(id) => rec.delete(tx, Table::CodeTranslations, id_key(id))?,
            NameChange::Update(id) => rec.update(
                tx,
                Table::CodeTranslations,
                id_key(id),
                &[("name", Value::Text(n.name.clone()))],
            )?,
            NameChange::Nothing => {}
            NameChange::Insert => {
                rec.insert(
                    tx,
                    Table::CodeTranslations,
                    &[
                        ("code_id", Value::Integer(n.code)),
                        ("language", Value::Text(n.language.clone())),
                        ("name", Value::Text(n.name.clone())),
                    ],
                )?;
            }
        }
    }
    Ok(())
}

impl SqliteStore {
    /// Sets (or, with an empty name, clears) the names of codes in other
    /// languages, in one undoable action. Every code must be one the scope
    /// sees. Returns how many names were set or cleared.
    pub fn set_code_names(
        &mut self,
        scope: &Scope,
        names: &[NewCodeName],
    ) -> Result<usize, StoreError> {
        let rows = self.check_code_names(scope, names)?;
        let (target, summary) = code_names_action(names);
        self.act(&scope.coder().name, "code.translate", &target, |tx, rec| {
            write_code_names(tx, rec, &rows)?;
            Ok((rows.len(), summary))
        })
    }

    /// Checks names to set: every code seen by the scope, no control
    /// character; finds the row each one replaces.
    pub(crate) fn check_code_names(
        &self,
        scope: &Scope,
        names: &[NewCodeName],
    ) -> Result<Vec<CheckedName>, StoreError> {
        let mut rows = Vec::with_capacity(names.len());
        for n in names {
            let code = self.code_row(n.code)?.map(|r| (r.owner, r.name));
            let existing: Option<i64> = self
                .conn
                .query_row(
                    "SELECT id FROM code_translations WHERE code_id = $1 AND language = $2",
                    rusqlite::params![n.code, n.language.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            rows.push(checked_code_name(scope, n, code, existing)?);
        }
        Ok(rows)
    }

    /// Returns every code's name in `language` (its primary subtag:
    /// `en` also finds names given as `en-GB`): code id → name.
    pub fn code_names(&self, language: &str) -> Result<HashMap<i64, String>, StoreError> {
        let primary = primary_language(language);
        let mut stmt = self.conn.prepare(
            "SELECT code_id, name FROM code_translations \
             WHERE language = $1 OR language LIKE $1 || '-%' ORDER BY language = $1, id",
        )?;
        let rows = stmt.query_map([primary], |r| Ok((r.get(0)?, r.get(1)?)))?;
        // Exact tags come last and win over regional ones.
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the id and name of the code with this exchange id, if the
    /// scope sees it.
    pub fn code_by_guid(
        &self,
        scope: &Scope,
        guid: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        let found: Option<(i64, String, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT id, name, owner FROM codes WHERE guid = $1",
                [guid.trim()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(found
            .filter(|(_, _, owner)| scope.may_see(*owner))
            .map(|(id, name, _)| (id, name)))
    }
}

#[cfg(test)]
mod tests {
    use super::NewCodeName;
    use crate::testkit::fixture;
    use crate::{NewCode, StoreError};

    /// A name set, replaced and cleared, each one undoable; another coder's
    /// hidden code cannot be named.
    #[test]
    fn code_names_are_set_per_language_and_undone() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let code = f
            .store
            .add_code(
                &amira,
                &NewCode {
                    name: "Confiance".into(),
                    ..NewCode::default()
                },
            )
            .unwrap();
        let name = |text: &str, tag: &str| NewCodeName {
            code,
            language: tag.parse().unwrap(),
            name: text.into(),
        };
        f.store
            .set_code_names(&amira, &[name("Trust", "en")])
            .unwrap();
        assert_eq!(f.store.code_names("en").unwrap()[&code], "Trust");
        assert_eq!(f.store.code_names("en-GB").unwrap()[&code], "Trust");
        assert!(f.store.code_names("de").unwrap().is_empty());
        f.store
            .set_code_names(&amira, &[name("Confidence", "en")])
            .unwrap();
        assert_eq!(f.store.code_names("en").unwrap()[&code], "Confidence");
        f.store.undo("amira", 1).unwrap();
        assert_eq!(f.store.code_names("en").unwrap()[&code], "Trust");
        f.store.set_code_names(&amira, &[name("", "en")]).unwrap();
        assert!(f.store.code_names("en").unwrap().is_empty());
        assert!(matches!(
            f.store.set_code_names(&bruno, &[name("Trust", "en")]),
            Err(StoreError::UnknownCode(_))
        ));
        let guid = f.store.code_tree(&amira, crate::Book::Own).unwrap()[0]
            .guid
            .clone();
        assert_eq!(
            f.store.code_by_guid(&amira, &guid).unwrap(),
            Some((code, "Confiance".to_owned()))
        );
        assert_eq!(f.store.code_by_guid(&bruno, &guid).unwrap(), None);
    }
}
