//! Reads (and one write) shaped for the web interface.
//!
//! The reader paints every coding of a source at once, so it needs the
//! bare spans with their code and coder, without the passage text,
//! speakers and translations that [`SqliteStore::codings`] joins for
//! listings; the home page needs per-coder totals. Both keep the blind
//! rule: only what the [`Scope`] may see. `set_coding_span` is the reader's
//! "edit span": the CLI removes and re-adds, the browser resizes a coding
//! in place (memo, quote mark and translations stay with it) as one
//! undoable action.

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::Serialize;
use verbatim_core::Span;

use crate::boundary::rules;
use crate::coders::Scope;
use crate::history::{Table, id_key};
use crate::{SqliteStore, StoreError};

/// A coding as the reader paints it: where, which code, whose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpanCoding {
    /// The coding's id.
    pub id: i64,
    /// The code's id.
    pub code_id: i64,
    /// The coder's id.
    pub coder_id: i64,
    /// First char of the passage.
    pub start: i64,
    /// Char just past the passage.
    pub end: i64,
    /// Marked as a quote for reports.
    pub is_quote: bool,
    /// The coder's note on the coding.
    pub memo: Option<String>,
    /// Languages the passage is translated into.
    pub translations: Vec<String>,
}

impl SpanCoding {
    /// Returns the coding `Codings::add_coding` has just written as new
    /// (`id`), without reading it back: the passage, code, coder and memo
    /// it was given, not a quote, not translated. The web answers a coding
    /// with it, one round trip fewer on PostgreSQL.
    pub fn written(id: i64, code_id: i64, coder_id: i64, span: Span, memo: Option<&str>) -> Self {
        SpanCoding {
            id,
            code_id,
            coder_id,
            start: span.start() as i64,
            end: span.end() as i64,
            is_quote: false,
            memo: memo.map(str::to_owned),
            translations: Vec::new(),
        }
    }
}

/// What one coder has built, as far as the scope may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoderTotals {
    /// The coder's id.
    pub coder_id: i64,
    /// Codes in their private codebook.
    pub codes: i64,
    /// Their codings.
    pub codings: i64,
}

impl SqliteStore {
    /// Returns the codings of one source the scope sees, by position.
    pub fn source_codings(
        &self,
        scope: &Scope,
        source: i64,
    ) -> Result<Vec<SpanCoding>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{SPAN_CODINGS} WHERE k.source_id = $1 ORDER BY k.start_char, k.end_char, k.id"
        ))?;
        let mut rows = stmt.query([source])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.extend(span_coding(scope, r)?.map(|(_, c)| c));
        }
        Ok(out)
    }

    /// Returns one coding the scope sees with its source's id, `None` when
    /// there is no such coding or it is hidden from the scope: what the
    /// reader repaints after a change, without listing the whole source.
    pub fn span_coding(
        &self,
        scope: &Scope,
        id: i64,
    ) -> Result<Option<(i64, SpanCoding)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SPAN_CODINGS} WHERE k.id = $1"))?;
        let mut rows = stmt.query([id])?;
        match rows.next()? {
            Some(r) => span_coding(scope, r),
            None => Ok(None),
        }
    }

    /// Returns the codes and codings of every coder the scope sees.
    pub fn coder_totals(&self, scope: &Scope) -> Result<Vec<CoderTotals>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, \
                    (SELECT count(*) FROM codes c WHERE c.owner = d.id), \
                    (SELECT count(*) FROM codings k WHERE k.coder_id = d.id) \
             FROM coders d WHERE d.kind = 'coder' ORDER BY d.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CoderTotals {
                coder_id: r.get(0)?,
                codes: r.get(1)?,
                codings: r.get(2)?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            if scope.sees_all() || row.coder_id == scope.coder().id {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// Moves one of the coder's codings to a new passage of the same
    /// source, keeping its memo, quote mark and translations.
    pub fn set_coding_span(
        &mut self,
        scope: &Scope,
        id: i64,
        span: Span,
    ) -> Result<(), StoreError> {
        let row: Option<(i64, i64, i64, i64)> = self
            .conn
            .query_row(
                "SELECT k.coder_id, k.source_id, k.code_id, s.chars FROM codings k \
                 JOIN sources s ON s.id = k.source_id WHERE k.id = $1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        rules::new_span(scope, id, row.map(|r| r.0), span, row.map_or(0, |r| r.3))?;
        let (coder, source, code, _) = row.ok_or_else(|| rules::not_yours(id))?;
        let (start, end) = (span.start() as i64, span.end() as i64);
        let taken: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM codings WHERE source_id = $1 AND code_id = $2 AND coder_id = $3 \
                 AND start_char = $4 AND end_char = $5 AND id <> $6",
                [source, code, coder, start, end, id],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(rules::span_taken());
        }
        self.act(
            &scope.coder().name,
            "coding.span",
            &format!("coding:{id}"),
            |tx, rec| {
                rec.update(
                    tx,
                    Table::Codings,
                    id_key(id),
                    &[
                        ("start_char", Value::Integer(start)),
                        ("end_char", Value::Integer(end)),
                    ],
                )?;
                Ok(((), serde_json::json!({ "start": start, "end": end })))
            },
        )
    }
}

/// The columns [`span_coding`] reads, for one source's codings or one.
const SPAN_CODINGS: &str = "SELECT k.id, k.code_id, k.coder_id, k.start_char, k.end_char, \
        k.is_quote, k.memo, c.owner, (SELECT group_concat(t.language, ' ' ORDER BY t.language) \
                                      FROM translations t WHERE t.coding_id = k.id), k.source_id \
     FROM codings k JOIN codes c ON c.id = k.code_id";

/// Returns a row of [`SPAN_CODINGS`] as its source and coding, `None` when
/// the scope may not see it.
fn span_coding(
    scope: &Scope,
    r: &rusqlite::Row<'_>,
) -> Result<Option<(i64, SpanCoding)>, StoreError> {
    let coder_id: i64 = r.get(2)?;
    let owner: Option<i64> = r.get(7)?;
    if !rules::reader_sees(scope, coder_id, owner) {
        return Ok(None);
    }
    let languages: Option<String> = r.get(8)?;
    let coding = SpanCoding {
        id: r.get(0)?,
        code_id: r.get(1)?,
        coder_id,
        start: r.get(3)?,
        end: r.get(4)?,
        is_quote: r.get::<_, i64>(5)? != 0,
        memo: r.get(6)?,
        translations: languages
            .map(|l| l.split(' ').map(str::to_owned).collect())
            .unwrap_or_default(),
    };
    Ok(Some((r.get(9)?, coding)))
}

#[cfg(test)]
mod tests {
    use verbatim_core::Span;

    use crate::testkit::{fixture, span_of};
    use crate::{CodingFilter, NewCode};

    fn code(name: &str) -> NewCode {
        NewCode {
            name: name.into(),
            ..NewCode::default()
        }
    }

    #[test]
    fn a_coding_moves_to_a_new_span_and_undo_puts_it_back() {
        let mut f = fixture();
        let scope = f.store.scope("amira", false, false).unwrap();
        let trust = f.store.add_code(&scope, &code("trust")).unwrap();
        let first = span_of("La confiance");
        let (id, _) = f
            .store
            .add_coding(&scope, f.source, first, trust, Some("note"))
            .unwrap();
        let wider = span_of("La confiance se construit lentement 😀");
        f.store.set_coding_span(&scope, id, wider).unwrap();
        let listed = f.store.source_codings(&scope, f.source).unwrap();
        assert_eq!(
            (listed[0].start, listed[0].end),
            (wider.start() as i64, wider.end() as i64)
        );
        assert_eq!(listed[0].memo.as_deref(), Some("note"));
        f.store.undo("amira", 1).unwrap();
        let back = f.store.codings(&scope, &CodingFilter::default()).unwrap();
        assert_eq!(back[0].text, "La confiance");
        let past_end = Span::new(0, 1_000_000).unwrap();
        assert!(f.store.set_coding_span(&scope, id, past_end).is_err());
    }

    #[test]
    fn another_coders_codings_stay_hidden_until_revealed() {
        let mut f = fixture();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let fear = f.store.add_code(&bruno, &code("fear")).unwrap();
        f.store
            .add_coding(&bruno, f.source, span_of("la méfiance"), fear, None)
            .unwrap();
        let amira = f.store.scope("amira", false, false).unwrap();
        assert!(f.store.source_codings(&amira, f.source).unwrap().is_empty());
        assert_eq!(f.store.coder_totals(&amira).unwrap().len(), 1);
        let id = f.store.source_codings(&bruno, f.source).unwrap()[0].id;
        let narrower = span_of("méfiance");
        assert!(
            f.store.set_coding_span(&amira, id, narrower).is_err(),
            "nobody moves another coder's coding"
        );
        f.store.reveal("amira").unwrap();
        let amira = f.store.scope("amira", true, false).unwrap();
        assert_eq!(f.store.source_codings(&amira, f.source).unwrap().len(), 1);
        assert_eq!(f.store.coder_totals(&amira).unwrap().len(), 2);
    }
}
