//! Lean loaders for analyses: codings as bare spans, turns with who speaks.
//!
//! Queries and matrices read every coding of a study at once, up to a
//! million of them. [`SqliteStore::codings`] builds a listing (text,
//! speakers, translations) per coding, which is right for reading codings
//! and far too slow for counting them. The loaders here return only ids and
//! offsets, scan the `codings` table without joins (the few codes and
//! sources needed to filter are read first, into sets), and leave the
//! computing to `verbatim-analysis`.
//!
//! Blind layers hold here as everywhere: spans come through a [`Scope`],
//! which sees another coder's codings only once the study is revealed.
//! Sources of kind `context` (kept for reading, never counted) are left out
//! unless the caller asks for them.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::boundary::{AnalysisReads, owned_turns};
use crate::coders::Scope;
use crate::{SqliteStore, StoreError};

/// A coding reduced to what analyses count: no text, no names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SpanRow {
    /// The coding's id.
    pub coding_id: i64,
    /// The source's id.
    pub source_id: i64,
    /// The code's id.
    pub code_id: i64,
    /// The coder's id.
    pub coder_id: i64,
    /// First char.
    pub start: usize,
    /// Char just past the passage.
    pub end: usize,
}

/// Which spans to load.
#[derive(Debug, Clone, Default)]
pub struct SpanFilter {
    /// Only these codes (exactly: expand descendants first with
    /// [`SqliteStore::code_descendants`]).
    pub codes: Option<Vec<i64>>,
    /// Only this coder's codings (another coder's needs a scope that sees
    /// every layer).
    pub coder: Option<i64>,
    /// Include sources of kind `context`.
    pub include_context: bool,
}

/// A speaker turn and who speaks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TurnOwner {
    /// The source's id.
    pub source_id: i64,
    /// First char of the speech.
    pub start: usize,
    /// Char just past the speech.
    pub end: usize,
    /// The speaker label as transcribed.
    pub label: String,
    /// The participant the label maps to, if any.
    pub participant_id: Option<i64>,
    /// True when the label maps to an interviewer.
    pub interviewer: bool,
}

/// The facts of a source that matrices group by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceFacts {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its kind (`interview`, `focus_group`, …).
    pub kind: String,
    /// Its site, when known.
    pub site: Option<String>,
}

/// A code as analyses name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeInfo {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its level rank.
    pub level: i64,
    /// The coder whose codebook holds it; `None` for the shared codebook.
    pub owner: Option<i64>,
    /// Its primary parent.
    pub parent: Option<i64>,
}

impl SqliteStore {
    /// Returns the codings the scope sees that pass the filter, as bare
    /// spans in storage order (callers sort when they need to).
    pub fn coding_spans(
        &self,
        scope: &Scope,
        filter: &SpanFilter,
    ) -> Result<Vec<SpanRow>, StoreError> {
        if let Some(coder) = filter.coder
            && coder != scope.coder().id
            && !scope.sees_all()
        {
            return Err(StoreError::Blind);
        }
        let only_coder = match filter.coder {
            Some(c) => c,
            None if scope.sees_all() => 0,
            None => scope.coder().id,
        };
        let visible: HashSet<i64> = self
            .visible_codes(scope)?
            .into_iter()
            .map(|c| c.id)
            .filter(|id| filter.codes.as_ref().is_none_or(|set| set.contains(id)))
            .collect();
        let hidden_sources: HashSet<i64> = if filter.include_context {
            HashSet::new()
        } else {
            self.conn
                .prepare_cached("SELECT id FROM sources WHERE kind = 'context'")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        if visible.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = String::from(
            "SELECT id, source_id, code_id, coder_id, start_char, end_char FROM codings \
             WHERE ($1 = 0 OR coder_id = $1)",
        );
        let mut values = vec![only_coder];
        if filter.codes.is_some() && self.few_codings(&visible)? {
            let marks: Vec<String> = (2..visible.len() + 2).map(|i| format!("${i}")).collect();
            sql.push_str(&format!(" AND code_id IN ({})", marks.join(", ")));
            values.extend(visible.iter().copied());
        }
        let (codes_seen, sources_hidden) = (IdSet::new(&visible), IdSet::new(&hidden_sources));
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let code_id: i64 = r.get(2)?;
            let source_id: i64 = r.get(1)?;
            if !codes_seen.contains(code_id) || sources_hidden.contains(source_id) {
                continue;
            }
            let (start, end): (i64, i64) = (r.get(4)?, r.get(5)?);
            let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
                return Err(StoreError::Corrupt(format!(
                    "coding {} has a negative offset",
                    r.get::<_, i64>(0)?
                )));
            };
            out.push(SpanRow {
                coding_id: r.get(0)?,
                source_id,
                code_id,
                coder_id: r.get(3)?,
                start,
                end,
            });
        }
        Ok(out)
    }

    /// Returns true when `codes` hold under a quarter of the study's
    /// codings (by the per-code counts triggers keep), so that looking them
    /// up through the code index beats scanning every coding: a million
    /// index lookups cost ten times one scan of the table.
    fn few_codings(&self, codes: &HashSet<i64>) -> Result<bool, StoreError> {
        if codes.len() > 500 {
            return Ok(false);
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT code_id, sum(n) FROM coding_counts GROUP BY code_id")?;
        let mut rows = stmt.query([])?;
        let (mut picked, mut total) = (0i64, 0i64);
        while let Some(r) = rows.next()? {
            let (code, n): (i64, i64) = (r.get(0)?, r.get(1)?);
            total += n;
            if codes.contains(&code) {
                picked += n;
            }
        }
        Ok(picked * 4 < total)
    }

    /// Returns every speaker turn with the participant its label maps to
    /// (see `speakers` for how labels map), by source then position.
    pub fn turn_owners(&self, include_context: bool) -> Result<Vec<TurnOwner>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT t.source_id, t.speaker, t.start_char, t.end_char FROM turns t \
             JOIN sources s ON s.id = t.source_id \
             WHERE ($1 = 1 OR s.kind != 'context') AND t.speaker <> '' \
             ORDER BY t.source_id, t.start_char",
        )?;
        let turns = stmt
            .query_map([i64::from(include_context)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        Ok(owned_turns(self.speakers(None)?, turns))
    }

    /// Returns each participant's value of the participant attribute
    /// `name` (participants without one are absent).
    pub fn participant_values_of(&self, name: &str) -> Result<HashMap<i64, String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT v.participant_id, v.value FROM participant_values v \
             JOIN attributes a ON a.id = v.attribute_id \
             WHERE a.applies_to = 'participant' AND a.name = $1",
        )?;
        let rows = stmt.query_map([name.trim()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns each source's value of the source attribute `name` (sources
    /// without one are absent).
    pub fn source_values_of(&self, name: &str) -> Result<HashMap<i64, String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT v.source_id, v.value FROM source_values v \
             JOIN attributes a ON a.id = v.attribute_id \
             WHERE a.applies_to = 'source' AND a.name = $1",
        )?;
        let rows = stmt.query_map([name.trim()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns each participant's site name (participants without a site
    /// are absent).
    pub fn participant_sites(&self) -> Result<HashMap<i64, String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT p.id, s.name FROM participants p JOIN sites s ON s.id = p.site_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the kind and site of every source, by id.
    pub fn source_facts(&self) -> Result<Vec<SourceFacts>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, kind, site FROM sources ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(SourceFacts {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: r.get(2)?,
                site: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the code and every code below it (through primary parents
    /// and links), sorted.
    pub fn code_descendants(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        let mut all: Vec<i64> = self.descendants(id)?.into_iter().collect();
        all.push(id);
        all.sort_unstable();
        all.dedup();
        Ok(all)
    }

    /// Returns every code the scope sees (its coder's codebook, the shared
    /// one, and every codebook once it sees all layers), by id.
    pub fn visible_codes(&self, scope: &Scope) -> Result<Vec<CodeInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, level, owner, parent FROM codes ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(CodeInfo {
                id: r.get(0)?,
                name: r.get(1)?,
                level: r.get(2)?,
                owner: r.get(3)?,
                parent: r.get(4)?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            if scope.may_see(row.owner) {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// Returns a source's text.
    pub fn source_text(&self, id: i64) -> Result<String, StoreError> {
        Ok(self.text_of(id)?.0)
    }
}

impl AnalysisReads for SqliteStore {
    fn visible_codes(&self, scope: &Scope) -> Result<Vec<CodeInfo>, StoreError> {
        SqliteStore::visible_codes(self, scope)
    }

    fn code_path(&self, id: i64) -> Result<String, StoreError> {
        SqliteStore::code_path(self, id)
    }

    fn code_descendants(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        SqliteStore::code_descendants(self, id)
    }

    fn coding_spans(&self, scope: &Scope, filter: &SpanFilter) -> Result<Vec<SpanRow>, StoreError> {
        SqliteStore::coding_spans(self, scope, filter)
    }

    fn turn_owners(&self, include_context: bool) -> Result<Vec<TurnOwner>, StoreError> {
        SqliteStore::turn_owners(self, include_context)
    }

    fn source_facts(&self) -> Result<Vec<SourceFacts>, StoreError> {
        SqliteStore::source_facts(self)
    }

    fn participant_values_of(&self, name: &str) -> Result<HashMap<i64, String>, StoreError> {
        SqliteStore::participant_values_of(self, name)
    }

    fn source_values_of(&self, name: &str) -> Result<HashMap<i64, String>, StoreError> {
        SqliteStore::source_values_of(self, name)
    }

    fn sources_coded_by_anyone(&self) -> Result<Vec<i64>, StoreError> {
        SqliteStore::sources_coded_by_anyone(self)
    }
}

/// A set of row ids tested a million times in a scan: a bitmap when the
/// ids are small (row ids usually are), else a hash set.
enum IdSet {
    Dense(Vec<bool>),
    Sparse(HashSet<i64>),
}

impl IdSet {
    fn new(ids: &HashSet<i64>) -> Self {
        let max = ids.iter().copied().max().unwrap_or(0);
        match usize::try_from(max) {
            Ok(max) if max < 1 << 24 && ids.iter().all(|&i| i >= 0) => {
                let mut bits = vec![false; max + 1];
                for &i in ids {
                    if let Ok(i) = usize::try_from(i) {
                        bits[i] = true;
                    }
                }
                IdSet::Dense(bits)
            }
            _ => IdSet::Sparse(ids.clone()),
        }
    }

    fn contains(&self, id: i64) -> bool {
        match self {
            IdSet::Dense(bits) => usize::try_from(id)
                .ok()
                .and_then(|i| bits.get(i).copied())
                .unwrap_or(false),
            IdSet::Sparse(set) => set.contains(&id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewCode;
    use crate::testkit::{fixture, span_of};

    #[test]
    fn spans_respect_blind_layers_and_map_turns() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let new = |name: &str| NewCode {
            name: name.into(),
            ..NewCode::default()
        };
        let a = f.store.add_code(&amira, &new("Confiance")).unwrap();
        let b = f.store.add_code(&bruno, &new("Méfiance")).unwrap();
        f.store
            .add_coding(&amira, f.source, span_of("La confiance"), a, None)
            .unwrap();
        f.store
            .add_coding(&bruno, f.source, span_of("la méfiance"), b, None)
            .unwrap();
        let mine = f
            .store
            .coding_spans(&amira, &SpanFilter::default())
            .unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].code_id, a);
        let theirs = SpanFilter {
            coder: Some(bruno.coder().id),
            ..SpanFilter::default()
        };
        assert!(matches!(
            f.store.coding_spans(&amira, &theirs),
            Err(StoreError::Blind)
        ));
        f.store.reveal("tester").unwrap();
        let all = f.store.scope("amira", true, false).unwrap();
        assert_eq!(
            f.store
                .coding_spans(&all, &SpanFilter::default())
                .unwrap()
                .len(),
            2
        );
        let turns = f.store.turn_owners(false).unwrap();
        assert_eq!(turns.len(), 2);
        assert!(turns[0].interviewer);
        assert_eq!(turns[1].label, "CSI-2");
        assert_eq!(f.store.code_descendants(a).unwrap(), vec![a]);
    }
}
