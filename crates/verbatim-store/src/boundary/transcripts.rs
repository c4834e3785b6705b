//! Reading transcripts: sources' texts and turns, who speaks each label,
//! and how far the study has changed since a mark in its audit log.
//!
//! Full-text search (`verbatim-search`) keeps an index derived from these
//! reads on every backend, so it depends on this trait rather than on a
//! backend; the change mark lets it tell cheaply whether the study was
//! written since it last looked.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use verbatim_core::OffsetTable;

use crate::{
    Excerpt, Participants, Site, SourceSummary, SpeakerRow, SqliteStore, Store, StoreError,
    TurnRecord, TurnsBySource,
};

/// The tables that hold what a transcript search reads: an action that
/// changed none of them left every text, turn and source column as it was.
pub const TRANSCRIPT_TABLES: &[&str] = &["sources", "source_texts", "turns"];

/// Where a study's audit log stood when read: equal marks mean nothing was
/// written in between (the log is append-only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChangeMark {
    /// SQLite: the newest entry's row number; PostgreSQL: the number of
    /// entries. Both only grow.
    pub counter: i64,
    /// PostgreSQL: the greatest entry id (UUIDv7, time-ordered) then; empty
    /// on SQLite, whose row numbers already order entries by commit.
    pub newest: String,
}

/// The reads of a study's transcripts a search index and its hits need.
pub trait Transcripts: Store + Participants {
    /// Returns where the audit log stands now.
    fn change_mark(&self) -> Result<ChangeMark, StoreError>;

    /// Returns true when an action after `mark` may have changed a source,
    /// its text or its turns (see [`may_touch`]), or when the log cannot
    /// tell which actions came after it.
    fn sources_changed_since(&self, mark: &ChangeMark) -> Result<bool, StoreError>;

    /// Returns each source's content hash, by id.
    fn content_hashes(&self) -> Result<HashMap<i64, String>, StoreError>;

    /// Returns a source's text, offset table and turns, in order (without
    /// the listing facts [`Store::source`] computes).
    fn text_and_turns(
        &self,
        source: i64,
    ) -> Result<(String, OffsetTable, Vec<TurnRecord>), StoreError>;

    /// Returns a source's text.
    fn source_text(&self, source: i64) -> Result<String, StoreError> {
        Ok(self.text_and_turns(source)?.0)
    }

    /// Returns one source's summary.
    fn source_summary(&self, source: i64) -> Result<SourceSummary, StoreError>;

    /// Returns passages of one source with up to `context` chars either
    /// side, in the order given (the source's text is read once).
    fn excerpts(
        &self,
        source: i64,
        spans: &[(usize, usize)],
        context: usize,
    ) -> Result<Vec<Excerpt>, StoreError> {
        let name = self.source_summary(source)?.name;
        let (text, table, _) = self.text_and_turns(source)?;
        crate::reconcile::cut_excerpts(&name, &text, &table, spans, context)
    }

    /// Returns who each `(source id, label)` is, without counting turns;
    /// unknown sources are left out.
    fn label_roles(&self, labels: Vec<(i64, String)>) -> Result<Vec<SpeakerRow>, StoreError>;

    /// Returns the site a user named (by name or code), if any.
    fn find_site(&self, word: &str) -> Result<Option<Site>, StoreError>;

    /// Returns the turns `(speaker label, start, end)` of each source given
    /// that has labelled turns, in text order (unlabelled turns left out).
    fn turns_of(&self, sources: &[i64]) -> Result<TurnsBySource, StoreError>;
}

/// Returns true when the audit payload `data` may have changed a row of
/// one of `tables`: it records a change there, or records no list of
/// changes (an import, a settings change: anything may have changed).
/// SQLite asks the same of its log in SQL
/// (`SqliteStore::tables_may_have_changed`).
pub fn may_touch(data: &serde_json::Value, tables: &[&str]) -> bool {
    match data.get("changes").and_then(serde_json::Value::as_array) {
        None => true,
        Some(changes) => changes.iter().any(|c| {
            c.get("table")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|t| tables.contains(&t))
        }),
    }
}

impl Transcripts for SqliteStore {
    fn change_mark(&self) -> Result<ChangeMark, StoreError> {
        Ok(ChangeMark {
            counter: self.change_counter()?,
            newest: String::new(),
        })
    }

    fn sources_changed_since(&self, mark: &ChangeMark) -> Result<bool, StoreError> {
        self.tables_may_have_changed(mark.counter, TRANSCRIPT_TABLES)
    }

    fn content_hashes(&self) -> Result<HashMap<i64, String>, StoreError> {
        SqliteStore::content_hashes(self)
    }

    fn text_and_turns(
        &self,
        source: i64,
    ) -> Result<(String, OffsetTable, Vec<TurnRecord>), StoreError> {
        SqliteStore::text_and_turns(self, source)
    }

    fn source_text(&self, source: i64) -> Result<String, StoreError> {
        SqliteStore::source_text(self, source)
    }

    fn excerpts(
        &self,
        source: i64,
        spans: &[(usize, usize)],
        context: usize,
    ) -> Result<Vec<Excerpt>, StoreError> {
        SqliteStore::excerpts(self, source, spans, context)
    }

    fn source_summary(&self, source: i64) -> Result<SourceSummary, StoreError> {
        SqliteStore::source_summary(self, source)
    }

    fn label_roles(&self, labels: Vec<(i64, String)>) -> Result<Vec<SpeakerRow>, StoreError> {
        SqliteStore::label_roles(self, labels)
    }

    fn find_site(&self, word: &str) -> Result<Option<Site>, StoreError> {
        SqliteStore::find_site(self, word)
    }

    fn turns_of(&self, sources: &[i64]) -> Result<TurnsBySource, StoreError> {
        SqliteStore::turns_of(self, sources)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_payload_touches_the_tables_it_records_or_anything_without_a_list() {
        let coding = json!({"summary": {}, "changes": [{"table": "codings"}]});
        let edit = json!({"changes": [{"table": "codings"}, {"table": "turns"}]});
        let import = json!({"files": 3});
        assert!(!may_touch(&coding, TRANSCRIPT_TABLES));
        assert!(may_touch(&edit, TRANSCRIPT_TABLES));
        assert!(may_touch(&import, TRANSCRIPT_TABLES));
        assert!(!may_touch(&json!({"changes": []}), TRANSCRIPT_TABLES));
    }
}
