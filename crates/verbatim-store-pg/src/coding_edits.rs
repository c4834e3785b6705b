//! `CodingEdits` on PostgreSQL: a coding's memo, span, quote mark and
//! translation, each one transaction and one undoable audit entry as on
//! SQLite, and the reader's reads of one source's codings. The coding's
//! row is locked (`FOR UPDATE`) before its coder is checked, so two
//! processes changing one coding take turns; the unique key on a passage
//! settles two codings moved onto one passage at once. The checks are
//! `verbatim_store::rules`'.

use postgres::Transaction;
use verbatim_core::{Language, Span};
use verbatim_store::{CodingEdits, Scope, SpanCoding, StoreError, rules};

use crate::PgStore;
use crate::failure::OrServer;
use crate::reads::ReadError;
use crate::record::{Recorder, is_unique_violation};

impl CodingEdits for PgStore {
    fn set_coding_memo(
        &mut self,
        scope: &Scope,
        id: i64,
        memo: Option<&str>,
    ) -> Result<(), StoreError> {
        rules::coding_memo(memo)?;
        self.in_transaction(|tx| {
            own(tx, scope, id)?;
            let mut rec = Recorder::default();
            rec.update(tx, "codings", id, &[("memo", &memo)])?;
            finish(tx, rec, scope, "coding.memo", id, serde_json::json!({}))
        })
    }

    fn set_coding_span(&mut self, scope: &Scope, id: i64, span: Span) -> Result<(), StoreError> {
        self.in_transaction(|tx| {
            let row = tx
                .query_opt(
                    "SELECT k.coder_id, k.source_id, k.code_id, s.chars FROM codings k \
                     JOIN sources s ON s.id = k.source_id WHERE k.id = $1 FOR UPDATE OF k",
                    &[&id],
                )?
                .map(|r| -> Result<(i64, i64, i64, i64), postgres::Error> {
                    Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
                })
                .transpose()?;
            rules::new_span(scope, id, row.map(|r| r.0), span, row.map_or(0, |r| r.3))?;
            let (coder, source, code, _) = row.ok_or_else(|| rules::not_yours(id))?;
            let (start, end) = (span.start() as i64, span.end() as i64);
            let taken = tx.query_opt(
                "SELECT id FROM codings WHERE source_id = $1 AND code_id = $2 AND coder_id = $3 \
                 AND start_char = $4 AND end_char = $5 AND id <> $6",
                &[&source, &code, &coder, &start, &end, &id],
            )?;
            if taken.is_some() {
                return Err(rules::span_taken().into());
            }
            let mut rec = Recorder::default();
            let moved = rec.update(
                tx,
                "codings",
                id,
                &[("start_char", &start), ("end_char", &end)],
            );
            match moved {
                Err(e) if is_unique_violation(&e) => return Err(rules::span_taken().into()),
                other => other?,
            }
            let summary = serde_json::json!({ "start": start, "end": end });
            finish(tx, rec, scope, "coding.span", id, summary)
        })
    }

    fn set_quote(&mut self, scope: &Scope, id: i64, quote: bool) -> Result<(), StoreError> {
        self.in_transaction(|tx| {
            own(tx, scope, id)?;
            let mut rec = Recorder::default();
            let flag = i64::from(quote);
            rec.update(tx, "codings", id, &[("is_quote", &flag)])?;
            let action = rules::quote_action(quote);
            finish(tx, rec, scope, action, id, serde_json::json!({}))
        })
    }

    fn translate(
        &mut self,
        scope: &Scope,
        id: i64,
        language: &Language,
        text: &str,
    ) -> Result<(), StoreError> {
        self.in_transaction(|tx| {
            own(tx, scope, id)?;
            rules::translation_text(text)?;
            let language = language.as_str();
            let existing: Option<i64> = tx
                .query_opt(
                    "SELECT id FROM translations WHERE coding_id = $1 AND language = $2",
                    &[&id, &language],
                )?
                .map(|r| r.try_get(0))
                .transpose()?;
            let mut rec = Recorder::default();
            match existing {
                Some(t) => rec.update(tx, "translations", t, &[("text", &text)])?,
                None => {
                    rec.insert(
                        tx,
                        "translations",
                        &[("coding_id", &id), ("language", &language), ("text", &text)],
                    )?;
                }
            }
            let summary = serde_json::json!({ "language": language });
            finish(tx, rec, scope, "coding.translate", id, summary)
        })
    }

    fn source_codings(&self, scope: &Scope, source: i64) -> Result<Vec<SpanCoding>, StoreError> {
        let rows = self
            .client()
            .query_typed(
                &format!(
                    "{SPAN_CODINGS} WHERE k.source_id = $1 ORDER BY k.start_char, k.end_char, k.id"
                ),
                &[(&source, postgres::types::Type::INT8)],
            )
            .or_server(self.address())?;
        let mut out = Vec::new();
        for r in &rows {
            out.extend(
                span_coding(scope, r)
                    .or_server(self.address())?
                    .map(|(_, c)| c),
            );
        }
        Ok(out)
    }

    fn span_coding(&self, scope: &Scope, id: i64) -> Result<Option<(i64, SpanCoding)>, StoreError> {
        let row = self
            .client()
            .query_typed(
                &format!("{SPAN_CODINGS} WHERE k.id = $1"),
                &[(&id, postgres::types::Type::INT8)],
            )
            .or_server(self.address())?;
        match row.first() {
            Some(r) => span_coding(scope, r).or_server(self.address()),
            None => Ok(None),
        }
    }
}

/// The columns [`span_coding`] reads, for one source's codings or one.
const SPAN_CODINGS: &str = "SELECT k.id, k.code_id, k.coder_id, k.start_char, k.end_char, \
        k.is_quote, k.memo, c.owner, (SELECT string_agg(t.language, ' ' ORDER BY t.language COLLATE \"C\") \
                                      FROM translations t WHERE t.coding_id = k.id), k.source_id \
     FROM codings k JOIN codes c ON c.id = k.code_id";

/// Returns a row of [`SPAN_CODINGS`] as its source and coding, `None` when
/// the scope may not see it.
fn span_coding(
    scope: &Scope,
    r: &postgres::Row,
) -> Result<Option<(i64, SpanCoding)>, postgres::Error> {
    let coder_id: i64 = r.try_get(2)?;
    if !rules::reader_sees(scope, coder_id, r.try_get(7)?) {
        return Ok(None);
    }
    let languages: Option<String> = r.try_get(8)?;
    let coding = SpanCoding {
        id: r.try_get(0)?,
        code_id: r.try_get(1)?,
        coder_id,
        start: r.try_get(3)?,
        end: r.try_get(4)?,
        is_quote: r.try_get::<_, i64>(5)? != 0,
        memo: r.try_get(6)?,
        translations: languages
            .map(|l| l.split(' ').map(str::to_owned).collect())
            .unwrap_or_default(),
    };
    Ok(Some((r.try_get(9)?, coding)))
}

/// Locks coding `id` and checks that it is the scope's own.
fn own(tx: &mut Transaction<'_>, scope: &Scope, id: i64) -> Result<(), ReadError> {
    let coder: Option<i64> = tx
        .query_opt(
            "SELECT coder_id FROM codings WHERE id = $1 FOR UPDATE",
            &[&id],
        )?
        .map(|r| r.try_get(0))
        .transpose()?;
    Ok(rules::own_coding(scope, id, coder)?)
}

/// Appends the edit of coding `id` to the audit log (target `coding:ID`).
fn finish(
    tx: &mut Transaction<'_>,
    rec: Recorder,
    scope: &Scope,
    action: &str,
    id: i64,
    summary: serde_json::Value,
) -> Result<(), ReadError> {
    rec.finish(
        tx,
        &scope.coder().name,
        action,
        Some(&format!("coding:{id}")),
        summary,
    )?;
    Ok(())
}
