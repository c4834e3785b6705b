//! `Transcripts` on PostgreSQL: the reads full-text search needs, and the
//! change mark that tells a search index whether to look again.
//!
//! The mark is the number of audit entries and the greatest entry id. The
//! log is append-only, so a count that has not moved means nothing was
//! written. Ids are UUIDv7, ordered by the time they were made, not by
//! commit: a transaction that made its id first may commit after another's,
//! landing below a mark already taken. So the entries above the mark must
//! account for the whole growth of the count; when they do not, the answer
//! is "may have changed" and the index compares every source, which is
//! always right, only slower.
//!
//! This schema holds no participants, sites or speaker mappings yet, so
//! who speaks a label is decided by the interviewer words alone
//! (`verbatim_store::map_without_roster`), as SQLite decides it for a
//! study without a roster.

use std::collections::HashMap;

use postgres::{Client, IsolationLevel};
use verbatim_core::OffsetTable;
use verbatim_store::{
    ChangeMark, Participant, Site, SourceSummary, SpeakerRow, StoreError, TRANSCRIPT_TABLES,
    Transcripts, TurnRecord, map_without_roster, may_touch,
};

use crate::PgStore;
use crate::codings::text_of;
use crate::failure::OrServer;
use crate::reads;

/// Speaker labels with their turn counts, of one source (`$1`) or all.
const LABELS: &str = "SELECT t.source_id, s.name, s.kind, t.speaker, count(*), \
     min(t.ordinal) AS first FROM turns t JOIN sources s ON s.id = t.source_id \
     WHERE ($1::BIGINT IS NULL OR t.source_id = $1) AND t.speaker <> '' \
     GROUP BY t.source_id, s.name, s.kind, t.speaker ORDER BY t.source_id, first";

/// Returns the entries written after `mark`, or `None` when the entries
/// above its id do not account for every entry since (see the module docs).
fn entries_since(
    client: &mut Client,
    mark: &ChangeMark,
) -> Result<Option<Vec<String>>, postgres::Error> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let count: i64 = tx
        .query_one("SELECT count(*) FROM audit", &[])?
        .try_get(0)?;
    let rows = tx.query("SELECT data FROM audit WHERE id > $1", &[&mark.newest])?;
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
        let row = self
            .client()
            .query_one("SELECT count(*), COALESCE(max(id), '') FROM audit", &[])
            .or_server(self.address())?;
        Ok(ChangeMark {
            counter: row.try_get(0).or_server(self.address())?,
            newest: row.try_get(1).or_server(self.address())?,
        })
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
        let (text, _) = text_of(&mut self.client(), source).map_err(|e| self.read_error(e))?;
        Ok(text)
    }

    fn source_summary(&self, source: i64) -> Result<SourceSummary, StoreError> {
        reads::summaries(&mut self.client(), Some(source))
            .or_server(self.address())?
            .pop()
            .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))
    }

    fn speakers(&self, source: Option<i64>) -> Result<Vec<SpeakerRow>, StoreError> {
        let rows = self
            .client()
            .query(LABELS, &[&source])
            .or_server(self.address())?;
        rows.iter()
            .map(|r| {
                let mut row = SpeakerRow {
                    source_id: r.try_get(0)?,
                    source: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    label: r.try_get(3)?,
                    turns: r.try_get(4)?,
                    first_turn: r.try_get(5)?,
                    role: "unmapped".into(),
                    participant_id: None,
                    participant: None,
                    how: None,
                };
                map_without_roster(&mut row);
                Ok(row)
            })
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }

    fn label_roles(&self, labels: Vec<(i64, String)>) -> Result<Vec<SpeakerRow>, StoreError> {
        let rows = self
            .client()
            .query("SELECT id, name, kind FROM sources", &[])
            .or_server(self.address())?;
        let sources: HashMap<i64, (String, String)> = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?))))
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())?;
        let mut out = Vec::new();
        for (source_id, label) in labels {
            let Some((name, kind)) = sources.get(&source_id) else {
                continue;
            };
            let mut row = SpeakerRow {
                source_id,
                source: name.clone(),
                kind: kind.clone(),
                label,
                turns: 0,
                first_turn: 0,
                role: "unmapped".into(),
                participant_id: None,
                participant: None,
                how: None,
            };
            map_without_roster(&mut row);
            out.push(row);
        }
        Ok(out)
    }

    fn participants(&self) -> Result<Vec<Participant>, StoreError> {
        Ok(Vec::new())
    }

    fn find_site(&self, _word: &str) -> Result<Option<Site>, StoreError> {
        Ok(None)
    }
}
