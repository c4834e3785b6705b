//! The reads and the one write that reports and translators need.
//!
//! A report shows a few quotes per code out of possibly 100,000 codings, so
//! its reads come in two steps: [`SqliteStore::quote_candidates`] returns
//! every coding of a codebook as bare numbers (no text, no joins beyond the
//! code's owner), the caller picks the quotes, and
//! [`SqliteStore::passage_texts`] reads the text, the context around it and
//! the speakers of only the chosen ones, one source at a time. Translations
//! of the chosen codings come in one query ([`SqliteStore::translations_of`]),
//! and a translator's file comes back through
//! [`SqliteStore::attach_translations`]: every translation in one undoable
//! action, or none.

use std::collections::{BTreeMap, HashMap};

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use verbatim_core::{Language, OffsetTable, Span};

use crate::coders::Scope;
use crate::codes::Book;
use crate::history::{Table, id_key};
use crate::{SqliteStore, StoreError};

/// A coding as quote selection sees it: numbers only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteCandidate {
    /// The coding's id.
    pub id: i64,
    /// The coding's exchange identifier (stable across copies of the study).
    pub guid: String,
    /// The source's id.
    pub source_id: i64,
    /// The code's id.
    pub code_id: i64,
    /// The coder's id.
    pub coder_id: i64,
    /// First char of the passage.
    pub start: i64,
    /// Char just past the passage.
    pub end: i64,
    /// True when a coder marked it as a quote for reports.
    pub is_quote: bool,
}

/// The words of one chosen passage, with what surrounds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageText {
    /// The passage itself.
    pub text: String,
    /// Up to the asked number of chars just before the passage.
    pub before: String,
    /// Up to the asked number of chars just after the passage.
    pub after: String,
    /// The speaker labels whose turns the passage overlaps, in turn order.
    pub speakers: Vec<String>,
}

/// One translation to attach to a coding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTranslation {
    /// The coding's id.
    pub coding: i64,
    /// The translation's language.
    pub language: Language,
    /// The translated words.
    pub text: String,
}

/// Returns the `(source, start, end)` passage of `text` with up to
/// `context` chars on each side and the labels of the `turns` it overlaps,
/// in turn order: how every backend cuts a chosen quote.
pub fn cut_passage(
    text: &str,
    table: &OffsetTable,
    turns: &[(String, i64, i64)],
    (_, start, end): (i64, i64, i64),
    context: usize,
) -> Result<PassageText, StoreError> {
    let chars = table.chars();
    let clamp = |v: i64| usize::try_from(v).unwrap_or(0).min(chars);
    let (s, e) = (clamp(start), clamp(end));
    let slice = |a: usize, b: usize| -> Result<String, StoreError> {
        let span = Span::new(a, b.max(a)).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(table.slice(text, span).unwrap_or_default().to_owned())
    };
    let mut speakers: Vec<String> = Vec::new();
    for (who, ts, te) in turns {
        if *ts < end && start < *te && !speakers.contains(who) {
            speakers.push(who.clone());
        }
    }
    Ok(PassageText {
        text: slice(s, e)?,
        before: slice(s.saturating_sub(context), s)?,
        after: slice(e, (e + context).min(chars))?,
        speakers,
    })
}

/// Each source's turns `(speaker label, start, end)`, in text order.
pub type TurnsBySource = HashMap<i64, Vec<(String, i64, i64)>>;

/// The most values one statement binds; SQLite's limit is far above.
const CHUNK: usize = 500;

impl SqliteStore {
    /// Returns every coding made with a code of `book` that the scope sees,
    /// by source then position.
    ///
    /// Without a scope that sees every layer, only the acting coder's own
    /// codings are returned (the blind rule of [`SqliteStore::codings`]).
    pub fn quote_candidates(
        &self,
        scope: &Scope,
        book: Book,
    ) -> Result<Vec<QuoteCandidate>, StoreError> {
        let owner = book.owner(scope);
        if !scope.may_see(owner) {
            return Err(StoreError::Blind);
        }
        let only_coder = (!scope.sees_all()).then(|| scope.coder().id);
        let mut stmt = self.conn.prepare_cached(
            "SELECT k.id, k.guid, k.source_id, k.code_id, k.coder_id, k.start_char, k.end_char, \
                    k.is_quote \
             FROM codings k JOIN codes c ON c.id = k.code_id \
             WHERE IFNULL(c.owner, 0) = $1 AND ($2 IS NULL OR k.coder_id = $2) \
             ORDER BY k.source_id, k.start_char, k.end_char, k.id",
        )?;
        let rows = stmt.query_map(params![owner.unwrap_or(0), only_coder], |r| {
            Ok(QuoteCandidate {
                id: r.get(0)?,
                guid: r.get(1)?,
                source_id: r.get(2)?,
                code_id: r.get(3)?,
                coder_id: r.get(4)?,
                start: r.get(5)?,
                end: r.get(6)?,
                is_quote: r.get::<_, i64>(7)? != 0,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the text of each `(source, start, end)` passage with up to
    /// `context` chars on each side and the speakers of the turns it
    /// overlaps, in the order asked; each source's text is read once.
    pub fn passage_texts(
        &self,
        wanted: &[(i64, i64, i64)],
        context: usize,
    ) -> Result<Vec<PassageText>, StoreError> {
        let mut by_source: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for (i, (source, _, _)) in wanted.iter().enumerate() {
            by_source.entry(*source).or_default().push(i);
        }
        let mut out: Vec<Option<PassageText>> = vec![None; wanted.len()];
        let mut turns_stmt = self.conn.prepare_cached(
            "SELECT speaker, start_char, end_char FROM turns WHERE source_id = $1 AND speaker <> '' ORDER BY ordinal",
        )?;
        for (source, indices) in by_source {
            let (text, table) = self.text_of(source).map_err(|e| match e {
                StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows) => {
                    StoreError::SourceNotFound(source.to_string())
                }
                other => other,
            })?;
            let turns: Vec<(String, i64, i64)> = turns_stmt
                .query_map([source], |t| Ok((t.get(0)?, t.get(1)?, t.get(2)?)))?
                .collect::<Result<_, _>>()?;
            for i in indices {
                out[i] = Some(cut_passage(&text, &table, &turns, wanted[i], context)?);
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// Returns the translations `(language, text)` of each coding given
    /// that has any, by language.
    pub fn translations_of(
        &self,
        codings: &[i64],
    ) -> Result<HashMap<i64, Vec<(String, String)>>, StoreError> {
        let mut out: HashMap<i64, Vec<(String, String)>> = HashMap::new();
        for chunk in codings.chunks(CHUNK) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT coding_id, language, text FROM translations WHERE coding_id IN ({}) \
                 ORDER BY coding_id, language",
                marks.join(", ")
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(chunk), |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?))
            })?;
            for row in rows {
                let (id, language, text) = row?;
                out.entry(id).or_default().push((language, text));
            }
        }
        Ok(out)
    }

    /// Returns the turns `(speaker label, start, end)` of each source given,
    /// in text order.
    pub fn turns_of(&self, sources: &[i64]) -> Result<TurnsBySource, StoreError> {
        let mut out = TurnsBySource::new();
        for chunk in sources.chunks(CHUNK) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT source_id, speaker, start_char, end_char FROM turns \
                 WHERE source_id IN ({}) AND speaker <> '' ORDER BY source_id, ordinal",
                marks.join(", ")
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(chunk), |r| {
                Ok((r.get::<_, i64>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
            })?;
            for row in rows {
                let (source, turn) = row?;
                out.entry(source).or_default().push(turn);
            }
        }
        Ok(out)
    }

    /// Returns the coding with this exchange identifier, if the scope sees
    /// it, as quote selection sees codings.
    pub fn coding_by_guid(
        &self,
        scope: &Scope,
        guid: &str,
    ) -> Result<Option<QuoteCandidate>, StoreError> {
        let found = self
            .conn
            .prepare_cached(
                "SELECT id, guid, source_id, code_id, coder_id, start_char, end_char, is_quote \
                 FROM codings WHERE guid = $1",
            )?
            .query_row([guid.trim()], |r| {
                Ok(QuoteCandidate {
                    id: r.get(0)?,
                    guid: r.get(1)?,
                    source_id: r.get(2)?,
                    code_id: r.get(3)?,
                    coder_id: r.get(4)?,
                    start: r.get(5)?,
                    end: r.get(6)?,
                    is_quote: r.get::<_, i64>(7)? != 0,
                })
            })
            .optional()?;
        Ok(found.filter(|c| crate::code_names::sees_coding_of(scope, c.coder_id)))
    }

    /// Attaches (or replaces) every translation given, in one undoable
    /// action, and marks each translated coding as a quote; returns how
    /// many translations were new.
    ///
    /// Nothing is written unless every coding exists, the scope sees it
    /// (its own codings, or any once the study is revealed) and every text
    /// is non-empty.
    pub fn attach_translations(
        &mut self,
        scope: &Scope,
        items: &[NewTranslation],
    ) -> Result<usize, StoreError> {
        self.attach_translations_and_names(scope, items, &[])
            .map(|(new, _)| new)
    }

    /// Attaches translations as [`SqliteStore::attach_translations`] does
    /// and sets code names in other languages (a translator's file carries
    /// both), all in one undoable action; returns how many translations
    /// were new and how many code names were set.
    pub fn attach_translations_and_names(
        &mut self,
        scope: &Scope,
        items: &[NewTranslation],
        names: &[crate::NewCodeName],
    ) -> Result<(usize, usize), StoreError> {
        let mut checked: Vec<(&NewTranslation, Option<i64>)> = Vec::with_capacity(items.len());
        for item in items {
            let coder: Option<i64> = self
                .conn
                .prepare_cached("SELECT coder_id FROM codings WHERE id = $1")?
                .query_row([item.coding], |r| r.get(0))
                .optional()?;
            crate::code_names::attachable(scope, item, coder)?;
            let existing: Option<i64> = self
                .conn
                .prepare_cached(
                    "SELECT id FROM translations WHERE coding_id = $1 AND language = $2",
                )?
                .query_row(params![item.coding, item.language.as_str()], |r| r.get(0))
                .optional()?;
            checked.push((item, existing));
        }
        let named = self.check_code_names(scope, names)?;
        let summary = crate::code_names::attach_summary(items, names);
        let actor = scope.coder().name.clone();
        self.act(&actor, "coding.translate_many", "codings", |tx, rec| {
            let mut new = 0;
            for (item, existing) in checked {
                let text = Value::Text(item.text.clone());
                match existing {
                    Some(t) => rec.update(tx, Table::Translations, id_key(t), &[("text", text)])?,
                    None => {
                        new += 1;
                        rec.insert(
                            tx,
                            Table::Translations,
                            &[
                                ("coding_id", Value::Integer(item.coding)),
                                ("language", Value::Text(item.language.as_str().to_owned())),
                                ("text", text),
                            ],
                        )?;
                    }
                }
                rec.update(
                    tx,
                    Table::Codings,
                    id_key(item.coding),
                    &[("is_quote", Value::Integer(1))],
                )?;
            }
            crate::code_names::write_code_names(tx, rec, &named)?;
            Ok(((new, named.len()), summary))
        })
    }
}
