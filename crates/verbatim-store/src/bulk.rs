//! Bulk writes: many codings in one user action, and the facts a derived
//! index needs to know what changed.
//!
//! Auto-coding from a search codes hundreds of passages at once. Doing that
//! through [`SqliteStore::add_coding`] would write one transaction and one
//! undo step per passage, so one `verbatim undo` would remove only the last
//! one. [`SqliteStore::add_codings`] checks every item first, then writes
//! them in one transaction recorded as one audit entry (`coding.add_many`),
//! which `undo` reverts as a whole.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use verbatim_core::{OffsetTable, Span};

use crate::boundary::rules::{self, BatchKey};
use crate::coders::Scope;
use crate::history::{Recorder, Table};
use crate::{SqliteStore, StoreError, TurnRecord, audit};

impl SqliteStore {
    /// Codes many passages in one undoable action and returns how many
    /// codings are new.
    ///
    /// Each item is `(source id, span, code id)`. Every item is checked
    /// before anything is written (the source exists, the span is inside it
    /// and not empty, the code is visible and belongs to the coder's
    /// codebook or the shared one); one bad item refuses the whole batch.
    /// Passages already coded with the same code by the same coder, and
    /// repeated items, are skipped. When nothing is new, nothing is written.
    pub fn add_codings(
        &mut self,
        scope: &Scope,
        items: &[(i64, Span, i64)],
    ) -> Result<usize, StoreError> {
        let coder = scope.coder().id;
        let mut chars: HashMap<i64, i64> = HashMap::new();
        let mut codes: HashSet<i64> = HashSet::new();
        for &(source, span, code) in items {
            if let Entry::Vacant(slot) = chars.entry(source) {
                let len: i64 = self
                    .conn
                    .query_row("SELECT chars FROM sources WHERE id = $1", [source], |r| {
                        r.get(0)
                    })
                    .optional()?
                    .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
                slot.insert(len);
            }
            rules::coding_span(span, chars[&source])?;
            if codes.insert(code) {
                let owner = self.code_row(code)?.map(|row| row.owner);
                rules::may_code_with(scope, code, owner)?;
            }
        }
        let mut fresh: Vec<BatchKey> = Vec::new();
        for key in rules::batch_keys(items) {
            let exists: Option<i64> = self
                .conn
                .prepare_cached(
                    "SELECT id FROM codings WHERE source_id = $1 AND code_id = $2 \
                     AND coder_id = $3 AND start_char = $4 AND end_char = $5",
                )?
                .query_row([key.0, key.1, coder, key.2, key.3], |r| r.get(0))
                .optional()?;
            if exists.is_none() {
                fresh.push(key);
            }
        }
        if fresh.is_empty() {
            return Ok(0);
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let now = audit::now();
        for &(source, code, start, end) in &fresh {
            rec.insert(
                &tx,
                Table::Codings,
                &[
                    ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
                    ("source_id", Value::Integer(source)),
                    ("code_id", Value::Integer(code)),
                    ("coder_id", Value::Integer(coder)),
                    ("start_char", Value::Integer(start)),
                    ("end_char", Value::Integer(end)),
                    ("memo", Value::Null),
                    ("created_at", Value::Text(now.clone())),
                ],
            )?;
        }
        rec.finish(
            &tx,
            &scope.coder().name,
            rules::CODING_BATCH,
            None,
            rules::batch_summary(&fresh),
        )?;
        tx.commit()?;
        Ok(fresh.len())
    }

    /// Returns a source's text, offset table and turns, and nothing else:
    /// what a search reads for each source it shows hits from. Unlike
    /// [`crate::Store::source`] it does not compute listing facts, so
    /// reading every source stays linear in the study's size.
    pub fn text_and_turns(
        &self,
        source: i64,
    ) -> Result<(String, OffsetTable, Vec<TurnRecord>), StoreError> {
        let (text, table) = self
            .text_of(source)
            .map_err(|_| StoreError::SourceNotFound(source.to_string()))?;
        let turns = self
            .conn
            .prepare_cached(
                "SELECT NULLIF(speaker, ''), start_char, end_char, begin_ms, end_ms FROM turns \
                 WHERE source_id = $1 ORDER BY ordinal",
            )?
            .query_map([source], |r| {
                Ok(TurnRecord {
                    speaker: r.get(0)?,
                    start: r.get(1)?,
                    end: r.get(2)?,
                    begin_ms: r.get(3)?,
                    end_ms: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok((text, table, turns))
    }

    /// Returns every source's content hash (SHA-256 of its text): what a
    /// derived index compares to learn which sources changed.
    pub fn content_hashes(&self) -> Result<HashMap<i64, String>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT id, content_hash FROM sources")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{fixture, span_of};
    use crate::{CodingFilter, NewCode};

    fn code(f: &mut crate::testkit::Fixture, name: &str) -> (Scope, i64) {
        let scope = f.store.scope("amira", false, false).unwrap();
        let new = NewCode {
            name: name.into(),
            ..Default::default()
        };
        let id = f.store.add_code(&scope, &new).unwrap();
        (scope, id)
    }

    #[test]
    fn many_codings_are_one_undoable_action() {
        let mut f = fixture();
        let (scope, c) = code(&mut f, "méfiance");
        let src = f.source;
        let items = [
            (src, span_of("La confiance"), c),
            (src, span_of("la méfiance"), c),
            (src, span_of("La confiance"), c),
        ];
        assert_eq!(f.store.add_codings(&scope, &items).unwrap(), 2);
        assert_eq!(f.store.add_codings(&scope, &items).unwrap(), 0);
        let listed = f.store.codings(&scope, &CodingFilter::default()).unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].text, "La confiance");
        f.store.undo("amira", 1).unwrap();
        assert!(
            f.store
                .codings(&scope, &CodingFilter::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_bad_item_refuses_the_batch() {
        let mut f = fixture();
        let (scope, c) = code(&mut f, "x");
        let src = f.source;
        let items = [
            (src, span_of("La confiance"), c),
            (src, Span::new(0, 100_000).unwrap(), c),
        ];
        assert!(f.store.add_codings(&scope, &items).is_err());
        assert!(
            f.store
                .codings(&scope, &CodingFilter::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn content_hashes_name_every_source() {
        let f = fixture();
        let hashes = f.store.content_hashes().unwrap();
        assert_eq!(hashes[&f.source].len(), 64);
        let (text, table, turns) = f.store.text_and_turns(f.source).unwrap();
        assert_eq!(table.chars(), text.chars().count());
        assert_eq!(turns.len(), 2);
        assert!(f.store.text_and_turns(999).is_err());
    }
}
