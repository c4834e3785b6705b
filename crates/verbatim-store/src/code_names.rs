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
use crate::{SqliteStore, StoreError};

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

/// A name checked by [`SqliteStore::check_code_names`], ready to write.
pub(crate) struct CheckedName {
    code: i64,
    language: String,
    name: String,
    /// The row it replaces, if the code already has a name in the language.
    existing: Option<i64>,
}

/// Writes checked names inside the caller's action.
pub(crate) fn write_code_names(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    rows: &[CheckedName],
) -> Result<(), StoreError> {
    for n in rows {
        match (n.existing, n.name.is_empty()) {
            (Some(id), true) => rec.delete(tx, Table::CodeTranslations, id_key(id))?,
            (Some(id), false) => rec.update(
                tx,
                Table::CodeTranslations,
                id_key(id),
                &[("name", Value::Text(n.name.clone()))],
            )?,
            (None, true) => {}
            (None, false) => {
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
        let summary = serde_json::json!({
            "names": names.iter().map(|n| serde_json::json!({
                "code": n.code, "language": n.language.as_str(), "name": n.name.trim()
            })).collect::<Vec<_>>()
        });
        let target = match names {
            [one] => format!("code:{}", one.code),
            _ => "codes".to_owned(),
        };
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
            let row = self
                .code_row(n.code)?
                .filter(|r| scope.may_see(r.owner))
                .ok_or_else(|| StoreError::UnknownCode(n.code.to_string()))?;
            let name = n.name.trim();
            if name.chars().any(char::is_control) {
                return Err(StoreError::Invalid(format!(
                    "the {} name of {:?} holds a control character",
                    n.language.as_str(),
                    row.name
                )));
            }
            let existing: Option<i64> = self
                .conn
                .query_row(
                    "SELECT id FROM code_translations WHERE code_id = $1 AND language = $2",
                    rusqlite::params![n.code, n.language.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            rows.push(CheckedName {
                code: n.code,
                language: n.language.as_str().to_owned(),
                name: name.to_owned(),
                existing,
            });
        }
        Ok(rows)
    }

    /// Returns every code's name in `language` (its primary subtag:
    /// `en` also finds names given as `en-GB`): code id → name.
    pub fn code_names(&self, language: &str) -> Result<HashMap<i64, String>, StoreError> {
        let primary = language
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
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
