//! `Transcripts` on PostgreSQL: the reads full-text search needs, and the
//! change mark that tells a search index whether to look again.
//!
//! The mark is the number of audit entries and the greatest entry id. The
//! log is append-only, so a count that has not moved means nothing was
//! written. The number is read from the one row a trigger keeps (migration
//! 0009), the greatest id from the primary key: neither reads the log. Ids are UUIDv7, ordered by the time they were made, not by
//! commit: a transaction that made its id first may commit after another's,
//! landing below a mark already taken. So the entries above the mark must
//! account for the whole growth of the count; when they do not, the answer
//! is "may have changed" and the index compares every source, which is
//! always right, only slower.
//!
//! Who speaks a label is decided by the same `SpeakerMapper` SQLite uses,
//! built from this study's participants, sites and explicit mappings
//! (`participants.rs`); speaker listings and participants come from the
//! `Participants` trait, which `Transcripts` extends.

use std::collections::HashMap;

use postgres::types::Type;
use postgres::{Client, GenericClient, IsolationLevel};
use verbatim_core::OffsetTable;
use verbatim_store::{
    ChangeMark, LabelSources, Site, SourceSummary, SpeakerRow, StoreError, TRANSCRIPT_TABLES,
    Transcripts, TurnRecord, TurnsBySource, may_touch,
};

use crate::PgStore;
use crate::codings::text_of;
use crate::failure::OrServer;
use crate::{participants, reads};

/// The number of audit entries and the greatest entry id ('' when none),
/// read in one statement, so from one snapshot.
pub(crate) fn audit_mark(client: &mut impl GenericClient) -> Result<ChangeMark, postgres::Error> {
    // Typed, so one round trip: the web reads it on every cached page. The
    // counter is the sum of audit_count's rows (0009, in 16 rows since
    // 0017); a study without them reads as 0, a counter no cache holds, so
    // every cache is rebuilt.
    let rows = client.query_typed(
        "SELECT COALESCE(sum(n), 0)::BIGINT, COALESCE((SELECT max(id) FROM audit), '') \
         FROM audit_count",
        &[],
    )?;
    let Some(row) = rows.first() else {
        return Ok(ChangeMark {
            counter: 0,
            newest: String::new(),
        });
    };
    Ok(ChangeMark {
        counter: row.try_get(0)?,
        newest: row.try_get(1)?,
    })
}

/// Returns the entries written after `mark`, or `None` when the entries
/// above its id do not account for every entry since (see the module docs).
pub(crate) fn entries_since(
    client: &mut Client,
    mark: &ChangeMark,
) -> Result<Option<Vec<String>>, postgres::Error> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let count: i64 = tx
        .query_typed("SELECT COALESCE(sum(n), 0)::BIGINT FROM audit_count", &[])?
        .first()
        .map_or(Ok(0), |r| r.try_get(0))?;
    let rows = tx.query_typed(
        "SELECT data FROM audit WHERE id > $1",
        &[(&mark.newest, Type::TEXT)],
    )?;
    tx.commit()?;
    let grown = usize::try_from(count - mark.counter).ok();
    if grown != Some(rows.len()) {
        return Ok(None);
    }
    rows.iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()
        .map(Some)
}

impl Transcripts for PgStore {
    fn change_mark(&self) -> Result<ChangeMark, StoreError> {
        audit_mark(&mut *self.client()).or_server(self.address())
    }

    fn sources_changed_since(&self, mark: &ChangeMark) -> Result<bool, StoreError> {
        let entries = entries_since(&mut self.client(), mark).or_server(self.address())?;
        Ok(match entries {
            None => true,
            Some(data) => data.iter().any(|d| {
                serde_json::from_str(d).map_or(true, |json| may_touch(&json, TRANSCRIPT_TABLES))
            }),
        })
    }

    fn content_hashes(&self) -> Result<HashMap<i64, String>, StoreError> {
        let rows = self
            .client()
            .query("SELECT id, content_hash FROM sources", &[])
            .or_server(self.address())?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }

    fn text_and_turns(
        &self,
        source: i64,
    ) -> Result<(String, OffsetTable, Vec<TurnRecord>), StoreError> {
        let mut client = self.client();
        let (text, table) = text_of(&mut client, source).map_err(|e| self.read_error(e))?;
        let turns = reads::turns(&mut client, source).or_server(self.address())?;
        Ok((text, table, turns))
    }

    fn source_text(&self, source: i64) -> Result<String, StoreError> {
        // One round trip, the text sent only when it changed since this
        // store last read it (text_cache.rs): the web reads it at every
        // coding to convert the browser's positions.
        self.texts()
            .text(&mut self.client(), source)
            .or_server(self.address())?
            .map(|text| text.to_string())
            .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))
    }

    fn source_summary(&self, source: i64) -> Result<SourceSummary, StoreError> {
        reads::summaries(&mut self.client(), Some(source))
            .or_server(self.address())?
            .pop()
            .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))
    }

    fn label_roles(&self, labels: Vec<(i64, String)>) -> Result<Vec<SpeakerRow>, StoreError> {
        let mut client = self.client();
        let mapper = participants::mapper(&mut *client, None).or_server(self.address())?;
        let rows = client
            .query("SELECT id, name, kind, site FROM sources", &[])
            .or_server(self.address())?;
        let sources: LabelSources = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))))
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())?;
        Ok(mapper.label_roles(&sources, labels))
    }

    fn find_site(&self, word: &str) -> Result<Option<Site>, StoreError> {
        participants::find_site(&mut *self.client(), word).or_server(self.address())
    }

    fn turns_of(&self, sources: &[i64]) -> Result<TurnsBySource, StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT source_id, speaker, start_char, end_char FROM turns \
                 WHERE source_id = ANY($1) AND speaker <> '' ORDER BY source_id, ordinal",
                &[&sources],
            )
            .or_server(self.address())?;
        let turns: Vec<(i64, (String, i64, i64))> = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))))
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())?;
        let mut out = TurnsBySource::new();
        for (source, turn) in turns {
            out.entry(source).or_default().push(turn);
        }
        Ok(out)
    }
}
