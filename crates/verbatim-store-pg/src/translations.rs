//! `Translations` on PostgreSQL: codes' names in other languages (table
//! `code_translations`, migration 0011) and a translator's file attached
//! in one transaction and one undoable audit entry, as on SQLite. The
//! checks and the entries' summaries are `verbatim_store::rules`'; the
//! codings translated are locked (`FOR UPDATE`) before their coder is
//! checked, so an edit in another process waits for the attach.

use std::collections::HashMap;

use postgres::Transaction;
use verbatim_store::rules::{self, CheckedName, NameChange};
use verbatim_store::{
    NewCodeName, NewTranslation, QuoteCandidate, Scope, StoreError, Translations,
};

use crate::PgStore;
use crate::failure::OrServer;
use crate::reads::ReadError;
use crate::record::Recorder;

impl Translations for PgStore {
    fn code_names(&self, language: &str) -> Result<HashMap<i64, String>, StoreError> {
        let primary = rules::primary_language(language);
        // Exact tags come last and win over regional ones (SQLite's LIKE
        // ignores ASCII case; ILIKE does here).
        let rows = self
            .client()
            .query(
                "SELECT code_id, name FROM code_translations \
                 WHERE language = $1 OR language ILIKE $1 || '-%' \
                 ORDER BY language = $1, id",
                &[&primary],
            )
            .or_server(self.address())?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }

    fn set_code_names(
        &mut self,
        scope: &Scope,
        names: &[NewCodeName],
    ) -> Result<usize, StoreError> {
        self.in_transaction(|tx| {
            let rows = check_names(tx, scope, names)?;
            let mut rec = Recorder::default();
            write_names(tx, &mut rec, &rows)?;
            let (target, summary) = rules::code_names_action(names);
            rec.finish(
                tx,
                &scope.coder().name,
                "code.translate",
                Some(&target),
                summary,
            )?;
            Ok(rows.len())
        })
    }

    fn code_by_guid(&self, scope: &Scope, guid: &str) -> Result<Option<(i64, String)>, StoreError> {
        let row = self
            .client()
            .query_opt(
                "SELECT id, name, owner FROM codes WHERE guid = $1",
                &[&guid.trim()],
            )
            .or_server(self.address())?;
        let Some(row) = row else {
            return Ok(None);
        };
        let read = || -> Result<(i64, String, Option<i64>), postgres::Error> {
            Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
        };
        let (id, name, owner) = read().or_server(self.address())?;
        Ok(scope.may_see(owner).then_some((id, name)))
    }

    fn coding_by_guid(
        &self,
        scope: &Scope,
        guid: &str,
    ) -> Result<Option<QuoteCandidate>, StoreError> {
        let row = self
            .client()
            .query_opt(
                "SELECT id, guid, source_id, code_id, coder_id, start_char, end_char, is_quote \
                 FROM codings WHERE guid = $1",
                &[&guid.trim()],
            )
            .or_server(self.address())?;
        let Some(r) = row else {
            return Ok(None);
        };
        let read = || -> Result<QuoteCandidate, postgres::Error> {
            Ok(QuoteCandidate {
                id: r.try_get(0)?,
                guid: r.try_get(1)?,
                source_id: r.try_get(2)?,
                code_id: r.try_get(3)?,
                coder_id: r.try_get(4)?,
                start: r.try_get(5)?,
                end: r.try_get(6)?,
                is_quote: r.try_get::<_, i64>(7)? != 0,
            })
        };
        let found = read().or_server(self.address())?;
        Ok(rules::sees_coding_of(scope, found.coder_id).then_some(found))
    }

    fn attach_translations_and_names(
        &mut self,
        scope: &Scope,
        items: &[NewTranslation],
        names: &[NewCodeName],
    ) -> Result<(usize, usize), StoreError> {
        self.in_transaction(|tx| {
            let mut checked: Vec<(&NewTranslation, Option<i64>)> = Vec::with_capacity(items.len());
            for item in items {
                let coder: Option<i64> = tx
                    .query_opt(
                        "SELECT coder_id FROM codings WHERE id = $1 FOR UPDATE",
                        &[&item.coding],
                    )?
                    .map(|r| r.try_get(0))
                    .transpose()?;
                rules::attachable(scope, item, coder)?;
                let existing: Option<i64> = tx
                    .query_opt(
                        "SELECT id FROM translations WHERE coding_id = $1 AND language = $2",
                        &[&item.coding, &item.language.as_str()],
                    )?
                    .map(|r| r.try_get(0))
                    .transpose()?;
                checked.push((item, existing));
            }
            let named = check_names(tx, scope, names)?;
            let mut rec = Recorder::default();
            let mut new = 0;
            for (item, existing) in checked {
                let text = item.text.as_str();
                match existing {
                    Some(t) => rec.update(tx, "translations", t, &[("text", &text)])?,
                    None => {
                        new += 1;
                        rec.insert(
                            tx,
                            "translations",
                            &[
                                ("coding_id", &item.coding),
                                ("language", &item.language.as_str()),
                                ("text", &text),
                            ],
                        )?;
                    }
                }
                rec.update(tx, "codings", item.coding, &[("is_quote", &1_i64)])?;
            }
            write_names(tx, &mut rec, &named)?;
            let summary = rules::attach_summary(items, names);
            rec.finish(
                tx,
                &scope.coder().name,
                "coding.translate_many",
                Some("codings"),
                summary,
            )?;
            Ok((new, named.len()))
        })
    }
}

/// Checks names to set (`rules::checked_code_name`), each code's row
/// locked so a rename elsewhere waits, and finds the row each replaces.
fn check_names(
    tx: &mut Transaction<'_>,
    scope: &Scope,
    names: &[NewCodeName],
) -> Result<Vec<CheckedName>, ReadError> {
    let mut rows = Vec::with_capacity(names.len());
    for n in names {
        let code: Option<(Option<i64>, String)> = tx
            .query_opt(
                "SELECT owner, name FROM codes WHERE id = $1 FOR UPDATE",
                &[&n.code],
            )?
            .map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
            .transpose()?;
        let existing: Option<i64> = tx
            .query_opt(
                "SELECT id FROM code_translations WHERE code_id = $1 AND language = $2",
                &[&n.code, &n.language.as_str()],
            )?
            .map(|r| r.try_get(0))
            .transpose()?;
        rows.push(rules::checked_code_name(scope, n, code, existing)?);
    }
    Ok(rows)
}

/// Deletes a code's names in other languages inside the caller's action
/// (the code is deleted, or merged into another, which keeps its own), as
/// SQLite's `code_names::delete_code_names`.
pub(crate) fn delete_code_names(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    code: i64,
) -> Result<(), postgres::Error> {
    let names = tx.query(
        "SELECT id FROM code_translations WHERE code_id = $1 ORDER BY id",
        &[&code],
    )?;
    for row in names {
        rec.delete(tx, "code_translations", row.try_get(0)?)?;
    }
    Ok(())
}

/// Writes checked names inside the caller's action.
fn write_names(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    rows: &[CheckedName],
) -> Result<(), postgres::Error> {
    for n in rows {
        let name = n.name.as_str();
        match n.change() {
            NameChange::Delete(id) => rec.delete(tx, "code_translations", id)?,
            NameChange::Update(id) => {
                rec.update(tx, "code_translations", id, &[("name", &name)])?;
            }
            NameChange::Nothing => {}
            NameChange::Insert => {
                rec.insert(
                    tx,
                    "code_translations",
                    &[
                        ("code_id", &n.code),
                        ("language", &n.language.as_str()),
                        ("name", &name),
                    ],
                )?;
            }
        }
    }
    Ok(())
}
