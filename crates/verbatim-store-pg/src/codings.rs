//! `Codings` on PostgreSQL: coding a passage, listing codings in a scope,
//! removing one. Two processes coding the same passage with the same code
//! store it once: the unique key decides (`ON CONFLICT DO NOTHING`), not a
//! check made before. The listing answers as SQLite's does, text and
//! speakers included, with a consensus passage's contributors and every
//! coding's translations.

use std::collections::HashMap;

use postgres::Client;
use postgres::types::Type;
use verbatim_core::{OffsetTable, Span};
use verbatim_store::{
    CodingFilter, CodingRecord, Codings, Located, Scope, SourceRef, StoreError, rules,
};

use crate::failure::OrServer;
use crate::reads::{self, ReadError};
use crate::record::Recorder;
use crate::{PgStore, now};

/// The listing's query: every filter is a parameter that may be NULL.
const LISTING: &str = "SELECT k.id, k.source_id, s.name, k.code_id, c.name, c.level, d.name, \
     k.start_char, k.end_char, k.is_quote, k.memo, c.owner, d.kind \
     FROM codings k JOIN codes c ON c.id = k.code_id JOIN coders d ON d.id = k.coder_id \
     JOIN sources s ON s.id = k.source_id \
     WHERE ($1::BIGINT IS NULL OR k.source_id = $1) AND ($2::BIGINT IS NULL OR k.coder_id = $2) \
     AND ($3::BIGINT IS NULL OR c.level = $3) AND ($4::BIGINT[] IS NULL OR k.code_id = ANY($4)) \
     AND (NOT $5 OR k.is_quote <> 0) \
     ORDER BY k.source_id, k.start_char, k.end_char, k.id";

/// Every code below `$1` (through primary parents and links), and itself.
const BELOW: &str = "WITH RECURSIVE edge(child, parent) AS ( \
         SELECT id, parent FROM codes WHERE parent IS NOT NULL \
         UNION ALL SELECT child, parent FROM code_links), \
     below(id) AS (SELECT $1::BIGINT UNION SELECT edge.child FROM edge JOIN below ON edge.parent = below.id) \
     SELECT id FROM below";

impl Codings for PgStore {
    fn source_id(&self, which: &SourceRef) -> Result<i64, StoreError> {
        reads::resolve(&mut *self.client(), which).map_err(|e| self.read_error(e))
    }

    fn locate(
        &self,
        source: i64,
        quote: &str,
        occurrence: Option<usize>,
    ) -> Result<Located, StoreError> {
        let (text, _) = text_of(&mut self.client(), source).map_err(|e| self.read_error(e))?;
        rules::locate(&text, quote, occurrence)
    }

    fn add_coding(
        &mut self,
        scope: &Scope,
        source: i64,
        span: Span,
        code: i64,
        memo: Option<&str>,
    ) -> Result<(i64, bool), StoreError> {
        rules::coding_memo(memo)?;
        // Two round trips when nothing moves meanwhile (`one_coding`);
        // else the transaction below, which reads again and decides.
        if let Some(done) = crate::one_coding::add(self, scope, source, span, code, memo)? {
            return Ok(done);
        }
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let chars: i64 = tx
            .query_typed_opt(
                "SELECT chars FROM sources WHERE id = $1",
                &[(&source, Type::INT8)],
            )
            .or_server(&address)?
            .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?
            .try_get(0)
            .or_server(&address)?;
        rules::coding_span(span, chars)?;
        // FOR SHARE: the code cannot be deleted or moved to another
        // codebook while this coding is written.
        let owner: Option<Option<i64>> = tx
            .query_typed_opt(
                "SELECT owner FROM codes WHERE id = $1 FOR SHARE",
                &[(&code, Type::INT8)],
            )
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .or_server(&address)?;
        rules::may_code_with(scope, code, owner)?;
        let coder = scope.coder().id;
        let (start, end) = (span.start() as i64, span.end() as i64);
        // Looked up first so that a repeat uses no id (SQLite's ids and
        // these stay alike); the unique key settles a race meanwhile.
        let existing =
            |tx: &mut postgres::Transaction<'_>| -> Result<Option<i64>, postgres::Error> {
                tx.query_typed_opt(
                    "SELECT id FROM codings WHERE source_id = $1 AND code_id = $2 \
                 AND coder_id = $3 AND start_char = $4 AND end_char = $5",
                    &[
                        (&source, Type::INT8),
                        (&code, Type::INT8),
                        (&coder, Type::INT8),
                        (&start, Type::INT8),
                        (&end, Type::INT8),
                    ],
                )?
                .map(|r| r.try_get(0))
                .transpose()
            };
        if let Some(id) = existing(&mut tx).or_server(&address)? {
            return Ok((id, false));
        }
        let (guid, created) = (uuid::Uuid::new_v4().to_string(), now());
        let mut rec = Recorder::default();
        let inserted = rec
            .insert_unless(
                &mut tx,
                "codings",
                &[
                    ("guid", &guid),
                    ("source_id", &source),
                    ("code_id", &code),
                    ("coder_id", &coder),
                    ("start_char", &start),
                    ("end_char", &end),
                    ("memo", &memo),
                    ("created_at", &created),
                ],
                "(source_id, code_id, coder_id, start_char, end_char)",
            )
            .or_server(&address)?;
        let Some(id) = inserted else {
            let id = existing(&mut tx).or_server(&address)?;
            return id
                .map(|id| (id, false))
                .ok_or_else(|| StoreError::Corrupt("a coding vanished while written".into()));
        };
        rec.finish(
            &mut tx,
            &scope.coder().name,
            "coding.add",
            Some(&format!("coding:{id}")),
            serde_json::json!({ "source": source, "code": code, "start": start, "end": end }),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok((id, true))
    }

    fn add_codings(
        &mut self,
        scope: &Scope,
        items: &[(i64, Span, i64)],
    ) -> Result<usize, StoreError> {
        crate::codings_batch::add_codings(self, scope, items)
    }

    fn codings(
        &self,
        scope: &Scope,
        filter: &CodingFilter,
    ) -> Result<Vec<CodingRecord>, StoreError> {
        let coder = rules::listed_coder(scope, filter)?;
        let mut client = self.client();
        list(&mut client, scope, filter, coder).map_err(|e| self.read_error(e))
    }

    fn remove_coding(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let coder: Option<i64> = tx
            .query_typed_opt(
                "SELECT coder_id FROM codings WHERE id = $1 FOR UPDATE",
                &[(&id, Type::INT8)],
            )
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .or_server(&address)?;
        rules::own_coding(scope, id, coder)?;
        let mut rec = Recorder::default();
        delete_coding_rows(&mut tx, &mut rec, id).or_server(&address)?;
        rec.finish(
            &mut tx,
            &scope.coder().name,
            "coding.remove",
            Some(&format!("coding:{id}")),
            serde_json::json!({}),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)
    }
}

/// Deletes a coding and the rows that hang on it (its translations, the
/// record of whose passages fed it, its memos), recording each in the
/// order SQLite's `delete_coding_rows` does: found in one typed statement
/// (one round trip), table by table, each by id.
pub(crate) fn delete_coding_rows(
    tx: &mut postgres::Transaction<'_>,
    rec: &mut Recorder,
    coding: i64,
) -> Result<(), postgres::Error> {
    const TABLES: [&str; 3] = ["translations", "consensus_origins", "memos"];
    let rows = tx.query_typed(
        "SELECT 0, id FROM translations WHERE coding_id = $1 \
         UNION ALL SELECT 1, id FROM consensus_origins WHERE coding_id = $1 \
         UNION ALL SELECT 2, id FROM memos WHERE target_kind = 'coding' AND target_id = $1 \
         ORDER BY 1, 2",
        &[(&coding, Type::INT8)],
    )?;
    for row in &rows {
        let table = usize::try_from(row.try_get::<_, i32>(0)?).unwrap_or(0);
        rec.delete(tx, TABLES[table.min(2)], row.try_get(1)?)?;
    }
    rec.delete(tx, "codings", coding)
}

/// A source's text, offset table and speaking turns `(label, start, end)`.
type SourceView = (
    String,
    OffsetTable,
    Vec<(String, i64, i64)>,
    Vec<verbatim_store::TimedTurn>,
);

/// Returns the text of source `id` and its offset table.
pub(crate) fn text_of(client: &mut Client, id: i64) -> Result<(String, OffsetTable), ReadError> {
    let row = client
        .query_opt(
            "SELECT text, offsets FROM source_texts WHERE source_id = $1",
            &[&id],
        )?
        .ok_or_else(|| ReadError::Store(StoreError::SourceNotFound(id.to_string())))?;
    let text: String = row.try_get(0)?;
    let blob: Vec<u8> = row.try_get(1)?;
    let table = OffsetTable::from_bytes(&blob).unwrap_or_else(|| OffsetTable::new(&text));
    Ok((text, table))
}

/// Returns the text, offset table and speaking turns of source `id`.
fn source_view(client: &mut Client, id: i64) -> Result<SourceView, ReadError> {
    let (text, table) = text_of(client, id)?;
    let turns = client
        .query(
            "SELECT speaker, start_char, end_char FROM turns \
             WHERE source_id = $1 AND speaker <> '' ORDER BY ordinal",
            &[&id],
        )?
        .iter()
        .map(|t| Ok((t.try_get(0)?, t.try_get(1)?, t.try_get(2)?)))
        .collect::<Result<_, postgres::Error>>()?;
    // Every turn with its times, in text order, as SQLite's `timed_turns`
    // reads them: the range rule (`time_range`) has one home.
    let timed = client
        .query(
            "SELECT start_char, end_char, begin_ms, end_ms FROM turns \
             WHERE source_id = $1 ORDER BY start_char, ordinal",
            &[&id],
        )?
        .iter()
        .map(|t| {
            Ok(verbatim_store::TimedTurn {
                start: t.try_get(0)?,
                end: t.try_get(1)?,
                begin_ms: t.try_get(2)?,
                end_ms: t.try_get(3)?,
            })
        })
        .collect::<Result<_, postgres::Error>>()?;
    Ok((text, table, turns, timed))
}

/// Returns the codings matching the filter that the scope sees.
fn list(
    client: &mut Client,
    scope: &Scope,
    filter: &CodingFilter,
    coder: Option<i64>,
) -> Result<Vec<CodingRecord>, ReadError> {
    let codes: Option<Vec<i64>> = match filter.code {
        Some(code) => Some(
            client
                .query(BELOW, &[&code])?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?,
        ),
        None => None,
    };
    let rows = client.query(
        LISTING,
        &[
            &filter.source,
            &coder,
            &filter.level,
            &codes,
            &filter.quotes_only,
        ],
    )?;
    let mut views: HashMap<i64, SourceView> = HashMap::new();
    let mut out = Vec::new();
    for r in &rows {
        if !scope.may_see(r.try_get(11)?) {
            continue;
        }
        let source_id: i64 = r.try_get(1)?;
        if let std::collections::hash_map::Entry::Vacant(slot) = views.entry(source_id) {
            slot.insert(source_view(client, source_id)?);
        }
        let (text, table, turns, timed) = &views[&source_id];
        let (start, end): (i64, i64) = (r.try_get(7)?, r.try_get(8)?);
        let span = Span::new(
            usize::try_from(start).unwrap_or(0),
            usize::try_from(end).unwrap_or(0),
        )
        .map_err(|e| ReadError::Store(StoreError::Corrupt(e.to_string())))?;
        let speakers = rules::speakers_over(turns, start, end);
        if filter
            .speaker
            .as_ref()
            .is_some_and(|w| !speakers.contains(w))
        {
            continue;
        }
        let (begin_ms, end_ms) = verbatim_store::time_range(timed, start, end);
        let id: i64 = r.try_get(0)?;
        let contributors = if r.try_get::<_, &str>(12)? == "consensus" {
            contributors(client, id)?
        } else {
            Vec::new()
        };
        out.push(CodingRecord {
            id,
            source_id,
            source: r.try_get(2)?,
            code_id: r.try_get(3)?,
            code: r.try_get(4)?,
            level: r.try_get(5)?,
            coder: r.try_get(6)?,
            start,
            end,
            text: table.slice(text, span).unwrap_or_default().to_owned(),
            speakers,
            is_quote: r.try_get::<_, i64>(9)? != 0,
            memo: r.try_get(10)?,
            translations: Vec::new(),
            contributors,
            begin_ms,
            end_ms,
        });
    }
    if !out.is_empty() {
        fill_translations(client, &mut out)?;
    }
    Ok(out)
}

/// Gives each listed coding its translations, by language (bytewise, as
/// SQLite orders them). Translations are few (quotes for a report), so one
/// read of them all beats one query per coding.
fn fill_translations(client: &mut Client, out: &mut [CodingRecord]) -> Result<(), ReadError> {
    let mut by_coding: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    let rows = client.query(
        "SELECT coding_id, language, text FROM translations \
         ORDER BY coding_id, language COLLATE \"C\"",
        &[],
    )?;
    for r in &rows {
        by_coding
            .entry(r.try_get(0)?)
            .or_default()
            .push((r.try_get(1)?, r.try_get(2)?));
    }
    for coding in out {
        if let Some(t) = by_coding.remove(&coding.id) {
            coding.translations = t;
        }
    }
    Ok(())
}

/// Returns the coders whose passages fed a consensus passage, by name
/// (bytewise, as SQLite orders them).
fn contributors(client: &mut Client, coding: i64) -> Result<Vec<String>, postgres::Error> {
    client
        .query(
            "SELECT d.name FROM consensus_origins o JOIN coders d ON d.id = o.coder_id \
             WHERE o.coding_id = $1 ORDER BY d.name COLLATE \"C\"",
            &[&coding],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect()
}
