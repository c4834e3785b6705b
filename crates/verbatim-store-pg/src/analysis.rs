//! `AnalysisReads` on PostgreSQL: what a coding query, a matrix or a
//! saturation curve reads (visible codes, paths, descendants, bare coding
//! spans, turns with their speakers, source facts, the sources any coder
//! analysed), with the blind rule from `verbatim_store::rules` and turn
//! ownership from `verbatim_store::owned_turns`, as on SQLite.
//!
//! Participants, attributes and speakers come from `Participants` (its
//! `speakers` decides who owns a turn, `attributes` what can be filtered).

use std::collections::HashMap;

use postgres::Row;
use verbatim_store::code_paths::join_path;
use verbatim_store::{
    AnalysisReads, CodeInfo, CodingFilter, Participants, Scope, SourceFacts, SpanFilter, SpanRow,
    SpeechTurn, StoreError, TurnOwner, owned_turns, rules,
};

use crate::PgStore;
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
        // No "marked done" rows in this schema yet (see `agreement.rs`).
        let rows = self
            .client()
            .query(
                "SELECT DISTINCT g.source_id FROM codings g JOIN codes c ON c.id = g.code_id \
                 JOIN coders k ON k.id = g.coder_id \
                 WHERE c.kind = 'analytic' AND k.kind = 'coder' ORDER BY 1",
                &[],
            )
            .or_server(self.address())?;
        ids(&rows).or_server(self.address())
    }
}

impl PgStore {
    /// Returns `(id, value)` rows of one attribute, read by `sql`.
    fn values_of(&self, sql: &str, name: &str) -> Result<HashMap<i64, String>, StoreError> {
        let rows = self
            .client()
            .query(sql, &[&name.trim()])
            .or_server(self.address())?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }
}
