//! Codings: passages of a source marked with a code by a coder.
//!
//! A coding is `(source, [start, end) in chars, code, coder)`. Spans are
//! checked against the source; overlapping and nested codings are allowed;
//! the same span coded twice with the same code by the same coder is one
//! coding. A coder codes only with codes of their own codebook or the shared
//! one, and (through [`Scope`]) sees only their own codings until the study
//! is revealed.

use std::collections::{HashMap, HashSet};

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use verbatim_core::{Language, OffsetTable, Span};

use crate::boundary::rules;
use crate::coders::Scope;
use crate::codes::{delete_coding_rows, opt_text};
use crate::history::{Recorder, Table, id_key};
use crate::passage_times::time_range;
use crate::{SourceRef, SqliteStore, StoreError, audit};

/// A coding as listings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodingRecord {
    /// Its id.
    pub id: i64,
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// The code's id.
    pub code_id: i64,
    /// The code's name.
    pub code: String,
    /// The code's level rank.
    pub level: i64,
    /// The coder's name.
    pub coder: String,
    /// First char of the passage.
    pub start: i64,
    /// Char just past the passage.
    pub end: i64,
    /// The passage's text.
    pub text: String,
    /// The speakers whose turns the passage overlaps.
    pub speakers: Vec<String>,
    /// When the passage starts in the recording (from the turns it
    /// overlaps, see `passage_times`); `None` when untimed.
    pub begin_ms: Option<i64>,
    /// When it ends in the recording, when known.
    pub end_ms: Option<i64>,
    /// True when marked as a quote for reports.
    pub is_quote: bool,
    /// The coder's note on this coding.
    pub memo: Option<String>,
    /// Translations of the passage: `(language, text)`.
    pub translations: Vec<(String, String)>,
    /// For a passage of the consensus layer, the coders whose passages it
    /// came from (empty for a coder's own coding).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contributors: Vec<String>,
}

/// Which codings to list.
#[derive(Debug, Clone, Default)]
pub struct CodingFilter {
    /// Only in this source.
    pub source: Option<i64>,
    /// Only with this code or any code below it.
    pub code: Option<i64>,
    /// Only by this coder (needs a scope that sees every layer for others).
    pub coder: Option<i64>,
    /// Only codes of this level rank.
    pub level: Option<i64>,
    /// Only passages overlapping a turn of this speaker label.
    pub speaker: Option<String>,
    /// Only codings marked as quotes.
    pub quotes_only: bool,
}

/// A passage located by quoting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// The passage's span.
    pub span: Span,
    /// How many times the quoted text occurs in the source.
    pub occurrences: usize,
}

impl SqliteStore {
    /// Returns the text of a source and its offset table.
    pub(crate) fn text_of(&self, source: i64) -> Result<(String, OffsetTable), StoreError> {
        let (text, blob): (String, Vec<u8>) = self.conn.query_row(
            "SELECT text, offsets FROM source_texts WHERE source_id = $1",
            [source],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let table = OffsetTable::from_bytes(&blob).unwrap_or_else(|| OffsetTable::new(&text));
        Ok((text, table))
    }

    /// Returns a source's id from a user's word (id or name).
    pub fn source_id(&self, which: &SourceRef) -> Result<i64, StoreError> {
        self.resolve(which)
    }

    /// Returns the span of the `occurrence`-th (1-based) place where `quote`
    /// occurs in the source; without `occurrence`, the quote must occur once.
    pub fn locate(
        &self,
        source: i64,
        quote: &str,
        occurrence: Option<usize>,
    ) -> Result<Located, StoreError> {
        let (text, _) = self.text_of(source)?;
        rules::locate(&text, quote, occurrence)
    }

    /// Codes a passage; returns the coding's id and whether it is new (the
    /// same passage, code and coder already coded is the same coding).
    pub fn add_coding(
        &mut self,
        scope: &Scope,
        source: i64,
        span: Span,
        code: i64,
        memo: Option<&str>,
    ) -> Result<(i64, bool), StoreError> {
        rules::coding_memo(memo)?;
        let chars: i64 = self
            .conn
            .query_row("SELECT chars FROM sources WHERE id = $1", [source], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
        rules::coding_span(span, chars)?;
        rules::may_code_with(scope, code, self.code_row(code)?.map(|row| row.owner))?;
        let coder = scope.coder().id;
        let (start, end) = (span.start() as i64, span.end() as i64);
        let existing: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT id FROM codings WHERE source_id = $1 AND code_id = $2 AND coder_id = $3 \
                 AND start_char = $4 AND end_char = $5",
            )?
            .query_row([source, code, coder, start, end], |r| r.get(0))
            .optional()?;
        if let Some(id) = existing {
            return Ok((id, false));
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let id = rec.insert(
            &tx,
            Table::Codings,
            &[
                ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
                ("source_id", Value::Integer(source)),
                ("code_id", Value::Integer(code)),
                ("coder_id", Value::Integer(coder)),
                ("start_char", Value::Integer(start)),
                ("end_char", Value::Integer(end)),
                ("memo", opt_text(&memo.map(str::to_owned))),
                ("created_at", Value::Text(audit::now())),
            ],
        )?;
        rec.finish(
            &tx,
            &scope.coder().name,
            "coding.add",
            Some(&format!("coding:{id}")),
            serde_json::json!({ "source": source, "code": code, "start": start, "end": end }),
        )?;
        tx.commit()?;
        Ok((id, true))
    }

    fn own_coding(&self, scope: &Scope, id: i64) -> Result<(), StoreError> {
        let coder: Option<i64> = self
            .conn
            .query_row("SELECT coder_id FROM codings WHERE id = $1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        rules::own_coding(scope, id, coder)
    }

    /// Removes one of the coder's codings.
    pub fn remove_coding(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError> {
        self.own_coding(scope, id)?;
        self.act(
            &scope.coder().name,
            "coding.remove",
            &format!("coding:{id}"),
            |tx, rec| {
                delete_coding_rows(tx, rec, id)?;
                Ok(((), serde_json::json!({})))
            },
        )
    }

    /// Marks (or unmarks) a coding as a quote for reports.
    pub fn set_quote(&mut self, scope: &Scope, id: i64, quote: bool) -> Result<(), StoreError> {
        self.own_coding(scope, id)?;
        let action = rules::quote_action(quote);
        self.act(
            &scope.coder().name,
            action,
            &format!("coding:{id}"),
            |tx, rec| {
                let flag = Value::Integer(i64::from(quote));
                rec.update(tx, Table::Codings, id_key(id), &[("is_quote", flag)])?;
                Ok(((), serde_json::json!({})))
            },
        )
    }

    /// Sets the coder's note on a coding (`None` clears it).
    pub fn set_coding_memo(
        &mut self,
        scope: &Scope,
        id: i64,
        memo: Option<&str>,
    ) -> Result<(), StoreError> {
        rules::coding_memo(memo)?;
        self.own_coding(scope, id)?;
        self.act(
            &scope.coder().name,
            "coding.memo",
            &format!("coding:{id}"),
            |tx, rec| {
                let memo = opt_text(&memo.map(str::to_owned));
                rec.update(tx, Table::Codings, id_key(id), &[("memo", memo)])?;
                Ok(((), serde_json::json!({})))
            },
        )
    }

    /// Attaches (or replaces) a translation of a coding's passage. Whether
    /// the passage is a quote is a separate choice ([`Self::set_quote`]):
    /// translating never marks it, unmarking it never drops a translation.
    pub fn translate(
        &mut self,
        scope: &Scope,
        id: i64,
        language: &Language,
        text: &str,
    ) -> Result<(), StoreError> {
        self.own_coding(scope, id)?;
        rules::translation_text(text)?;
        let existing: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM translations WHERE coding_id = $1 AND language = $2",
                params![id, language.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        match existing {
            Some(t) => rec.update(
                &tx,
                Table::Translations,
                id_key(t),
                &[("text", Value::Text(text.to_owned()))],
            )?,
            None => {
                rec.insert(
                    &tx,
                    Table::Translations,
                    &[
                        ("coding_id", Value::Integer(id)),
                        ("language", Value::Text(language.as_str().to_owned())),
                        ("text", Value::Text(text.to_owned())),
                    ],
                )?;
            }
        }
        rec.finish(
            &tx,
            &scope.coder().name,
            "coding.translate",
            Some(&format!("coding:{id}")),
            serde_json::json!({ "language": language.as_str() }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Returns the codings the scope sees that match the filter, by source
    /// then position.
    pub fn codings(
        &self,
        scope: &Scope,
        filter: &CodingFilter,
    ) -> Result<Vec<CodingRecord>, StoreError> {
        let only_coder = rules::listed_coder(scope, filter)?.unwrap_or(0);
        let codes: Option<HashSet<i64>> = match filter.code {
            Some(code) => {
                let mut set = self.descendants(code)?;
                set.insert(code);
                Some(set)
            }
            None => None,
        };
        let (sql, values) = listing_sql(filter, only_coder, codes.as_ref());
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
        let mut out = Vec::new();
        let mut texts: HashMap<i64, SourceView> = HashMap::new();
        let mut consensus: HashSet<i64> = HashSet::new();
        while let Some(r) = rows.next()? {
            let code_id: i64 = r.get(3)?;
            let owner: Option<i64> = r.get(11)?;
            if !scope.may_see(owner) || codes.as_ref().is_some_and(|set| !set.contains(&code_id)) {
                continue;
            }
            let source_id: i64 = r.get(1)?;
            if let std::collections::hash_map::Entry::Vacant(e) = texts.entry(source_id) {
                e.insert(self.source_view(source_id)?);
            }
            let (text, table, turns, timed) = &texts[&source_id];
            let (start, end): (i64, i64) = (r.get(7)?, r.get(8)?);
            let span = Span::new(
                usize::try_from(start).unwrap_or(0),
                usize::try_from(end).unwrap_or(0),
            )
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let speakers = rules::speakers_over(turns, start, end);
            if let Some(wanted) = &filter.speaker
                && !speakers.contains(wanted)
            {
                continue;
            }
            let (begin_ms, end_ms) = time_range(timed, start, end);
            out.push(CodingRecord {
                id: r.get(0)?,
                source_id,
                source: r.get(2)?,
                code_id,
                code: r.get(4)?,
                level: r.get(5)?,
                coder: r.get(6)?,
                start,
                end,
                text: table.slice(text, span).unwrap_or_default().to_owned(),
                speakers,
                begin_ms,
                end_ms,
                is_quote: r.get::<_, i64>(9)? != 0,
                memo: r.get(10)?,
                translations: Vec::new(),
                contributors: Vec::new(),
            });
            if r.get::<_, String>(12)? == "consensus" {
                consensus.insert(r.get(0)?);
            }
        }
        self.fill_contributors(&mut out, &consensus)?;
        self.fill_translations(&mut out)?;
        Ok(out)
    }
}

impl SqliteStore {
    /// Reads what listing codings of one source needs: its text, offsets,
    /// speaker turns and timed turns.
    fn source_view(&self, source_id: i64) -> Result<SourceView, StoreError> {
        let (text, table) = self.text_of(source_id)?;
        let turns: Vec<(String, i64, i64)> = self
            .conn
            .prepare_cached("SELECT speaker, start_char, end_char FROM turns WHERE source_id = $1 AND speaker <> '' ORDER BY ordinal")?
            .query_map([source_id], |t| Ok((t.get(0)?, t.get(1)?, t.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let timed = self.timed_turns(source_id)?;
        Ok((text, table, turns, timed))
    }

    /// Puts every coding's translations on it, quote or not: unmarking a
    /// quote keeps its translation, and what is stored is what is shown.
    /// Translations are few (quotes for a report), so one read of them all
    /// beats one query per coding.
    fn fill_translations(&self, out: &mut [CodingRecord]) -> Result<(), StoreError> {
        if out.is_empty() {
            return Ok(());
        }
        let mut by_coding: HashMap<i64, Vec<(String, String)>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT coding_id, language, text FROM translations ORDER BY coding_id, language",
        )?;
        let rows = stmt.query_map([], |t| Ok((t.get::<_, i64>(0)?, t.get(1)?, t.get(2)?)))?;
        for row in rows {
            let (coding, language, text) = row?;
            by_coding.entry(coding).or_default().push((language, text));
        }
        for coding in out {
            if let Some(t) = by_coding.remove(&coding.id) {
                coding.translations = t;
            }
        }
        Ok(())
    }
}

/// Builds the listing's query and its values. The WHERE clause is built
/// from fixed fragments (never user text) so that SQLite can use the index
/// of whichever filter is given.
fn listing_sql(
    filter: &CodingFilter,
    only_coder: i64,
    codes: Option<&HashSet<i64>>,
) -> (String, Vec<i64>) {
    let mut clauses: Vec<&str> = Vec::new();
    let mut values: Vec<i64> = Vec::new();
    for (fragment, value) in [
        ("k.source_id = ", filter.source),
        ("k.coder_id = ", (only_coder != 0).then_some(only_coder)),
        ("c.level = ", filter.level),
    ] {
        if let Some(v) = value {
            values.push(v);
            clauses.push(fragment);
        }
    }
    let mut sql = String::from(
        "SELECT k.id, k.source_id, s.name, k.code_id, c.name, c.level, d.name, k.start_char, \
                k.end_char, k.is_quote, k.memo, c.owner, d.kind \
         FROM codings k JOIN codes c ON c.id = k.code_id JOIN coders d ON d.id = k.coder_id \
         JOIN sources s ON s.id = k.source_id WHERE 1 = 1",
    );
    for (i, fragment) in clauses.iter().enumerate() {
        sql.push_str(&format!(" AND {fragment}${}", i + 1));
    }
    if let Some(set) = codes {
        let first = values.len() + 1;
        let marks: Vec<String> = (first..first + set.len())
            .map(|i| format!("${i}"))
            .collect();
        sql.push_str(&format!(" AND k.code_id IN ({})", marks.join(", ")));
        values.extend(set.iter().copied());
    }
    if filter.quotes_only {
        sql.push_str(" AND k.is_quote = 1");
    }
    sql.push_str(" ORDER BY k.source_id, k.start_char, k.end_char, k.id");
    (sql, values)
}

impl SqliteStore {
    /// Names, on each consensus passage listed (ids in `consensus`), the
    /// coders it came from (`consensus_origins`), by name.
    fn fill_contributors(
        &self,
        out: &mut [CodingRecord],
        consensus: &HashSet<i64>,
    ) -> Result<(), StoreError> {
        if consensus.is_empty() {
            return Ok(());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.name FROM consensus_origins o JOIN coders d ON d.id = o.coder_id \
             WHERE o.coding_id = $1 ORDER BY d.name",
        )?;
        for coding in out.iter_mut().filter(|c| consensus.contains(&c.id)) {
            coding.contributors = stmt
                .query_map([coding.id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
        }
        Ok(())
    }
}

/// A source's text, offset table, turns `(speaker, start, end)` and timed
/// turns, loaded once per listing.
type SourceView = (
    String,
    OffsetTable,
    Vec<(String, i64, i64)>,
    Vec<crate::TimedTurn>,
);
