//! `AnalysisReads` on PostgreSQL: what a coding query, a matrix or a
//! saturation curve reads (visible codes, paths, descendants, bare coding
//! spans, turns with their speakers, source facts, the sources any coder
//! analysed), with the blind rule from `verbatim_store::rules` and turn
//! ownership from `verbatim_store::owned_turns`, as on SQLite.
//!
//! Participants, attributes and speakers come from `Participants` (its
//! `speakers` decides who owns a turn, `attributes` what can be filtered).

use std::collections::{BTreeMap, HashMap};

use postgres::Row;
use verbatim_store::code_paths::join_path;
use verbatim_store::{
    AnalysisReads, Book, CodeInfo, CodingFilter, Participants, PassageText, Period, QuoteCandidate,
    Scope, SourceFacts, SpanFilter, SpanRow, SpeechTurn, StoreError, Transcripts, TurnOwner,
    cut_passage, owned_turns, rules,
};

use crate::PgStore;
use crate::codings::text_of;
use crate::failure::OrServer;

/// Codes below `$1` through primary parents and links, and `$1` itself;
/// UNION (not ALL) stops at a code reached twice, so a cycle ends.
const DESCENDANTS: &str = "WITH RECURSIVE down(id) AS (SELECT $1::BIGINT \
     UNION SELECT e.child FROM (SELECT id AS child, parent FROM codes WHERE parent IS NOT NULL \
     UNION ALL SELECT child, parent FROM code_links) e JOIN down ON e.parent = down.id) \
     SELECT id FROM down ORDER BY id";

/// A code's names from itself up to its top (at most 64 steps).
const NAMES_UP: &str = "WITH RECURSIVE up(id, parent, name, depth) AS ( \
     SELECT id, parent, name, 0 FROM codes WHERE id = $1 \
     UNION ALL SELECT c.id, c.parent, c.name, up.depth + 1 \
     FROM codes c JOIN up ON c.id = up.parent WHERE up.depth < 64) \
     SELECT name FROM up ORDER BY depth DESC";

fn ids(rows: &[Row]) -> Result<Vec<i64>, postgres::Error> {
    rows.iter().map(|r| r.try_get(0)).collect()
}

impl AnalysisReads for PgStore {
    fn visible_codes(&self, scope: &Scope) -> Result<Vec<CodeInfo>, StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT id, name, level, owner, parent FROM codes ORDER BY id",
                &[],
            )
            .or_server(self.address())?;
        let all = rows
            .iter()
            .map(|r| {
                Ok(CodeInfo {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    level: r.try_get(2)?,
                    owner: r.try_get(3)?,
                    parent: r.try_get(4)?,
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .or_server(self.address())?;
        Ok(all.into_iter().filter(|c| scope.may_see(c.owner)).collect())
    }

    fn code_path(&self, id: i64) -> Result<String, StoreError> {
        let rows = self
            .client()
            .query(NAMES_UP, &[&id])
            .or_server(self.address())?;
        let names: Vec<String> = rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()
            .or_server(self.address())?;
        if names.is_empty() {
            return Err(StoreError::UnknownCode(id.to_string()));
        }
        Ok(join_path(&names))
    }

    fn code_descendants(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        let rows = self
            .client()
            .query(DESCENDANTS, &[&id])
            .or_server(self.address())?;
        ids(&rows).or_server(self.address())
    }

    fn coding_spans(&self, scope: &Scope, filter: &SpanFilter) -> Result<Vec<SpanRow>, StoreError> {
        let coder = rules::listed_coder(
            scope,
            &CodingFilter {
                coder: filter.coder,
                ..CodingFilter::default()
            },
        )?;
        let codes: Vec<i64> = self
            .visible_codes(scope)?
            .into_iter()
            .map(|c| c.id)
            .filter(|id| filter.codes.as_ref().is_none_or(|set| set.contains(id)))
            .collect();
        let rows = self
            .client()
            .query(
                "SELECT g.id, g.source_id, g.code_id, g.coder_id, g.start_char, g.end_char \
                 FROM codings g JOIN sources s ON s.id = g.source_id \
                 WHERE ($1::BIGINT IS NULL OR g.coder_id = $1) AND ($2 OR s.kind <> 'context') \
                 AND g.code_id = ANY($3) ORDER BY g.id",
                &[&coder, &filter.include_context, &codes],
            )
            .or_server(self.address())?;
        rows.iter()
            .map(|r| {
                let (start, end): (i64, i64) = (r.try_get(4)?, r.try_get(5)?);
                Ok(SpanRow {
                    coding_id: r.try_get(0)?,
                    source_id: r.try_get(1)?,
                    code_id: r.try_get(2)?,
                    coder_id: r.try_get(3)?,
                    start: usize::try_from(start).unwrap_or(0),
                    end: usize::try_from(end).unwrap_or(0),
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }

    fn turn_owners(&self, include_context: bool) -> Result<Vec<TurnOwner>, StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT t.source_id, t.speaker, t.start_char, t.end_char FROM turns t \
                 JOIN sources s ON s.id = t.source_id \
                 WHERE ($1 OR s.kind <> 'context') AND t.speaker <> '' \
                 ORDER BY t.source_id, t.ordinal",
                &[&include_context],
            )
            .or_server(self.address())?;
        let mut turns: Vec<SpeechTurn> = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())?;
        // Read in the key's order (no sort on the server, which spilled
        // 190,000 turns to disk), then put in text order here; a stable
        // sort keeps turns that start together in their order.
        turns.sort_by_key(|t| (t.0, t.2));
        Ok(owned_turns(self.speakers(None)?, turns))
    }

    fn source_facts(&self) -> Result<Vec<SourceFacts>, StoreError> {
        let rows = self
            .client()
            .query("SELECT id, name, kind, site FROM sources ORDER BY id", &[])
            .or_server(self.address())?;
        rows.iter()
            .map(|r| {
                Ok(SourceFacts {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    site: r.try_get(3)?,
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }

    fn participant_values_of(&self, name: &str) -> Result<HashMap<i64, String>, StoreError> {
        self.values_of(
            "SELECT v.participant_id, v.value FROM participant_values v \
             JOIN attributes a ON a.id = v.attribute_id \
             WHERE a.applies_to = 'participant' AND a.name = $1",
            name,
        )
    }

    fn source_values_of(&self, name: &str) -> Result<HashMap<i64, String>, StoreError> {
        self.values_of(
            "SELECT v.source_id, v.value FROM source_values v \
             JOIN attributes a ON a.id = v.attribute_id \
             WHERE a.applies_to = 'source' AND a.name = $1",
            name,
        )
    }

    fn sources_coded_by_anyone(&self) -> Result<Vec<i64>, StoreError> {
        // Coded with an analytic code or marked done, as on SQLite.
        let rows = self
            .client()
            .query(
                "SELECT g.source_id FROM codings g JOIN codes c ON c.id = g.code_id \
                 JOIN coders k ON k.id = g.coder_id \
                 WHERE c.kind = 'analytic' AND k.kind = 'coder' \
                 UNION SELECT d.source_id FROM source_done d JOIN coders k ON k.id = d.coder_id \
                 WHERE k.kind = 'coder' ORDER BY 1",
                &[],
            )
            .or_server(self.address())?;
        ids(&rows).or_server(self.address())
    }

    fn quote_candidates(
        &self,
        scope: &Scope,
        book: Book,
    ) -> Result<Vec<QuoteCandidate>, StoreError> {
        let owner = book.owner(scope);
        if !scope.may_see(owner) {
            return Err(StoreError::Blind);
        }
        let only_coder = (!scope.sees_all()).then(|| scope.coder().id);
        let rows = self
            .client()
            .query(
                "SELECT k.id, k.guid, k.source_id, k.code_id, k.coder_id, k.start_char, \
                        k.end_char, k.is_quote \
                 FROM codings k JOIN codes c ON c.id = k.code_id \
                 WHERE c.owner IS NOT DISTINCT FROM $1::BIGINT \
                 AND ($2::BIGINT IS NULL OR k.coder_id = $2) \
                 ORDER BY k.source_id, k.start_char, k.end_char, k.id",
                &[&owner, &only_coder],
            )
            .or_server(self.address())?;
        rows.iter()
            .map(|r| {
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
            })
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }

    fn passage_texts(
        &self,
        wanted: &[(i64, i64, i64)],
        context: usize,
    ) -> Result<Vec<PassageText>, StoreError> {
        let mut by_source: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for (i, (source, _, _)) in wanted.iter().enumerate() {
            by_source.entry(*source).or_default().push(i);
        }
        let mut out: Vec<Option<PassageText>> = vec![None; wanted.len()];
        for (source, indices) in by_source {
            let (text, table) =
                text_of(&mut self.client(), source).map_err(|e| self.read_error(e))?;
            let turns = self
                .turns_of(&[source])?
                .remove(&source)
                .unwrap_or_default();
            for i in indices {
                out[i] = Some(cut_passage(&text, &table, &turns, wanted[i], context)?);
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    fn translations_of(
        &self,
        codings: &[i64],
    ) -> Result<HashMap<i64, Vec<(String, String)>>, StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT coding_id, language, text FROM translations WHERE coding_id = ANY($1) \
                 ORDER BY coding_id, language COLLATE \"C\"",
                &[&codings],
            )
            .or_server(self.address())?;
        let found: Vec<(i64, String, String)> = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())?;
        let mut out: HashMap<i64, Vec<(String, String)>> = HashMap::new();
        for (id, language, text) in found {
            out.entry(id).or_default().push((language, text));
        }
        Ok(out)
    }
    fn coding_period(
        &self,
        scope: &Scope,
        coder: Option<i64>,
    ) -> Result<Option<Period>, StoreError> {
        let only = rules::period_coder(scope, coder)?;
        let row = self
            .client()
            .query_one(
                "SELECT min(created_at), max(created_at) FROM codings \
                 WHERE $1::BIGINT IS NULL OR coder_id = $1",
                &[&only],
            )
            .or_server(self.address())?;
        let first: Option<String> = row.try_get(0).or_server(self.address())?;
        let last: Option<String> = row.try_get(1).or_server(self.address())?;
        Ok(first.zip(last).map(|(first, last)| Period { first, last }))
    }
}

impl PgStore {
    /// Returns `(id, value)` rows of one attribute, read by `sql`.
    fn values_of(&self, sql: &str, name: &str) -> Result<HashMap<i64, String>, StoreError> {
        let rows = crate::lookup::by_name(name, || self.client().query(sql, &[&name.trim()]))
            .or_server(self.address())?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }
}
