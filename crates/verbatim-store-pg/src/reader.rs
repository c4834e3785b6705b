//! `ReaderReads` on PostgreSQL: the change counter the web server keeps its
//! lists against, per-source and per-coder counts, and one coder's passages
//! for a code, answered as SQLite answers them (the blind rule from
//! `verbatim_store::rules`).
//!
//! The counter is the number of audit entries: SQLite's is the newest
//! entry's row number, the same number since the log is append-only. Which
//! entries came after a counter cannot be told from the number alone here
//! (ids are UUIDv7, made before commit, so a late commit can land below an
//! id already seen; see `transcripts.rs`). So each `change_counter` also
//! remembers, in this `PgStore`, the newest id at that count ([`Marks`]);
//! `tables_may_have_changed` then reads the entries above it, and answers
//! exactly when they account for the whole growth of the count. A counter
//! it never handed out (another process's, or forgotten) or entries that
//! do not add up answer "may have changed": a cache is rebuilt, never
//! wrongly kept.

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::sync::Mutex;

use verbatim_store::{
    ChangeMark, CodedSpan, CoderTotals, ReaderReads, Scope, StoreError, may_touch, rules,
};

use crate::PgStore;
use crate::failure::OrServer;
use crate::transcripts::entries_since;

/// How many counters a store remembers the newest id of.
const KEPT_MARKS: usize = 64;

/// The newest audit id at each counter this store handed out, newest last.
#[derive(Debug, Default)]
pub(crate) struct Marks(Mutex<Vec<(i64, String)>>);

impl Marks {
    fn remember(&self, counter: i64, newest: String) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.iter().any(|(c, _)| *c == counter) {
            return;
        }
        if kept.len() == KEPT_MARKS {
            kept.remove(0);
        }
        kept.push((counter, newest));
    }

    fn newest_at(&self, counter: i64) -> Option<String> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter()
            .find(|(c, _)| *c == counter)
            .map(|(_, id)| id.clone())
    }
}

impl ReaderReads for PgStore {
    fn change_counter(&self) -> Result<i64, StoreError> {
        let row = self
            .client()
            .query_one("SELECT count(*), COALESCE(max(id), '') FROM audit", &[])
            .or_server(self.address())?;
        let counter: i64 = row.try_get(0).or_server(self.address())?;
        self.marks()
            .remember(counter, row.try_get(1).or_server(self.address())?);
        Ok(counter)
    }

    fn tables_may_have_changed(&self, since: i64, tables: &[&str]) -> Result<bool, StoreError> {
        let Some(newest) = self.marks().newest_at(since) else {
            let now: i64 = self
                .client()
                .query_one("SELECT count(*) FROM audit", &[])
                .and_then(|r| r.try_get(0))
                .or_server(self.address())?;
            return Ok(now != since);
        };
        let mark = ChangeMark {
            counter: since,
            newest,
        };
        let entries = entries_since(&mut self.client(), &mark).or_server(self.address())?;
        Ok(match entries {
            None => true,
            Some(data) => data
                .iter()
                .any(|d| serde_json::from_str(d).map_or(true, |json| may_touch(&json, tables))),
        })
    }

    fn source_coding_counts(
        &self,
        scope: &Scope,
        sources: RangeInclusive<i64>,
    ) -> Result<HashMap<i64, i64>, StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT k.source_id, k.coder_id, c.owner, count(*) \
                 FROM codings k JOIN codes c ON c.id = k.code_id \
                 WHERE k.source_id BETWEEN $1 AND $2 \
                 GROUP BY k.source_id, k.coder_id, c.owner",
                &[sources.start(), sources.end()],
            )
            .or_server(self.address())?;
        let mut out: HashMap<i64, i64> = HashMap::new();
        for r in rows {
            let (source, coder, owner, n): (i64, i64, Option<i64>, i64) = (
                r.try_get(0).or_server(self.address())?,
                r.try_get(1).or_server(self.address())?,
                r.try_get(2).or_server(self.address())?,
                r.try_get(3).or_server(self.address())?,
            );
            if rules::sees_coding(scope, coder, owner) {
                *out.entry(source).or_default() += n;
            }
        }
        Ok(out)
    }

    fn coder_totals(&self, scope: &Scope) -> Result<Vec<CoderTotals>, StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT d.id, \
                        (SELECT count(*) FROM codes c WHERE c.owner = d.id), \
                        (SELECT count(*) FROM codings k WHERE k.coder_id = d.id) \
                 FROM coders d WHERE d.kind = 'coder' ORDER BY d.id",
                &[],
            )
            .or_server(self.address())?;
        let all = rows
            .iter()
            .map(|r| {
                Ok(CoderTotals {
                    coder_id: r.try_get(0)?,
                    codes: r.try_get(1)?,
                    codings: r.try_get(2)?,
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()
            .or_server(self.address())?;
        Ok(all
            .into_iter()
            .filter(|t| scope.sees_all() || t.coder_id == scope.coder().id)
            .collect())
    }

    fn passages_of(
        &self,
        scope: &Scope,
        coder: i64,
        code: i64,
    ) -> Result<Vec<CodedSpan>, StoreError> {
        if !scope.sees_all() {
            return Err(StoreError::Blind);
        }
        let rows = self
            .client()
            .query(
                "WITH RECURSIVE below(id) AS (SELECT $2::BIGINT \
                   UNION SELECT e.child FROM (SELECT id AS child, parent FROM codes \
                     WHERE parent IS NOT NULL UNION ALL SELECT child, parent FROM code_links) e \
                   JOIN below ON e.parent = below.id) \
                 SELECT code_id, source_id, start_char, end_char FROM codings \
                 WHERE coder_id = $1 AND code_id IN (SELECT id FROM below) \
                 ORDER BY source_id, start_char, end_char, code_id",
                &[&coder, &code],
            )
            .or_server(self.address())?;
        rows.iter()
            .map(|r| {
                let (start, end): (i64, i64) = (r.try_get(2)?, r.try_get(3)?);
                Ok(CodedSpan {
                    code: r.try_get(0)?,
                    source: r.try_get(1)?,
                    start: usize::try_from(start).unwrap_or(0),
                    end: usize::try_from(end).unwrap_or(0),
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }
}
