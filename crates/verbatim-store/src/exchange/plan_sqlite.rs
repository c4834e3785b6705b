//! [`PlanRows`] on a SQLite transaction: the SQL an import runs in a study
//! file. Statements are cached on the connection, so each is prepared once
//! per import however many rows it writes.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, Transaction, params};

use super::plan_rows::{CodeRow, CoderRow, CodingRow, GuidTable, MemoRow, PlanRows};
use super::{PlanAttribute, PlanJournal, PlanParticipant};
use crate::{ImportItem, ImportOutcome, StoreError, audit};

impl PlanRows for Transaction<'_> {
    fn coder_named(&mut self, name: &str) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .prepare_cached("SELECT id, kind FROM coders WHERE name = $1")?
            .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn coder_guid_in_use(&mut self, id: i64, guid: &str) -> Result<bool, StoreError> {
        Ok(self.query_row(
            "SELECT EXISTS (SELECT 1 FROM codings WHERE coder_id = $1) \
             OR EXISTS (SELECT 1 FROM coders WHERE guid = $2)",
            params![id, guid],
            |r| r.get(0),
        )?)
    }

    fn set_coder_guid(&mut self, id: i64, guid: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE coders SET guid = $1 WHERE id = $2",
            params![guid, id],
        )?;
        Ok(())
    }

    fn guid_taken(&mut self, table: GuidTable, guid: &str) -> Result<bool, StoreError> {
        let sql = format!("SELECT 1 FROM {} WHERE guid = $1", table.table());
        Ok(self.prepare_cached(&sql)?.exists([guid])?)
    }

    fn insert_coder(&mut self, row: &CoderRow<'_>) -> Result<i64, StoreError> {
        self.execute(
            "INSERT INTO coders (guid, name, initials, colour, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            params![row.guid, row.name, row.initials, row.colour, row.created_at],
        )?;
        Ok(self.last_insert_rowid())
    }

    fn insert_source(
        &mut self,
        actor: &str,
        item: &ImportItem,
        default_language: Option<&str>,
    ) -> Result<ImportOutcome, StoreError> {
        crate::sqlite::insert_source(self, actor, item, default_language)
    }

    fn set_source_guid(&mut self, id: i64, guid: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sources SET guid = $1 WHERE id = $2",
            params![guid, id],
        )?;
        Ok(())
    }

    fn source_named(&mut self, name: &str) -> Result<i64, StoreError> {
        Ok(
            self.query_row("SELECT id FROM sources WHERE name = $1", [name], |r| {
                r.get(0)
            })?,
        )
    }

    fn source_chars(&mut self, id: i64) -> Result<i64, StoreError> {
        Ok(self
            .prepare_cached("SELECT chars FROM sources WHERE id = $1")?
            .query_row([id], |r| r.get(0))?)
    }

    fn max_level_rank(&mut self) -> Result<i64, StoreError> {
        Ok(self.query_row("SELECT IFNULL(max(rank), 1) FROM levels", [], |r| r.get(0))?)
    }

    fn sibling_count(
        &mut self,
        owner: Option<i64>,
        parent: Option<i64>,
    ) -> Result<i64, StoreError> {
        Ok(self
            .prepare_cached(
                "SELECT count(*) FROM codes WHERE IFNULL(owner, 0) = $1 \
                 AND IFNULL(parent, 0) = $2",
            )?
            .query_row(params![owner.unwrap_or(0), parent.unwrap_or(0)], |r| {
                r.get(0)
            })?)
    }

    fn sibling_named(
        &mut self,
        owner: Option<i64>,
        parent: Option<i64>,
        name: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .prepare_cached(
                "SELECT 1 FROM codes WHERE IFNULL(owner, 0) = $1 AND IFNULL(parent, 0) = $2 \
                 AND name = $3",
            )?
            .exists(params![owner.unwrap_or(0), parent.unwrap_or(0), name])?)
    }

    fn insert_code(&mut self, row: &CodeRow<'_>) -> Result<i64, StoreError> {
        let code = row.code;
        self.prepare_cached(
            "INSERT INTO codes (guid, owner, name, level, parent, position, colour, \
             definition, inclusion, exclusion, example, created_at, codable) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )?
        .execute(params![
            row.guid,
            row.owner,
            row.name,
            row.level,
            row.parent,
            row.position,
            code.colour,
            code.definition,
            code.inclusion,
            code.exclusion,
            code.example,
            row.created_at,
            code.codable
        ])?;
        Ok(self.last_insert_rowid())
    }

    fn link_codes(&mut self, child: i64, parent: i64) -> Result<(), StoreError> {
        self.execute(
            "INSERT OR IGNORE INTO code_links (child, parent) VALUES ($1, $2)",
            params![child, parent],
        )?;
        Ok(())
    }

    fn coding_guids(&mut self) -> Result<HashSet<String>, StoreError> {
        Ok(self
            .prepare("SELECT guid FROM codings")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?)
    }

    fn insert_codings(&mut self, rows: &[CodingRow<'_>]) -> Result<Vec<Option<i64>>, StoreError> {
        let mut insert = self.prepare_cached(
            "INSERT OR IGNORE INTO codings (guid, source_id, code_id, coder_id, \
             start_char, end_char, memo, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )?;
        let mut ids = Vec::with_capacity(rows.len());
        for row in rows {
            let inserted = insert.execute(params![
                row.guid,
                row.source,
                row.code,
                row.coder,
                row.start,
                row.end,
                row.memo,
                row.created_at,
            ])?;
            ids.push((inserted == 1).then(|| self.last_insert_rowid()));
        }
        Ok(ids)
    }

    fn coding_at(&mut self, row: &CodingRow<'_>) -> Result<i64, StoreError> {
        Ok(self
            .prepare_cached(
                "SELECT id FROM codings WHERE source_id = $1 AND code_id = $2 \
                 AND coder_id = $3 AND start_char = $4 AND end_char = $5",
            )?
            .query_row(
                params![row.source, row.code, row.coder, row.start, row.end],
                |r| r.get(0),
            )?)
    }

    fn site_matching(&mut self, name: &str, code: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .query_row(
                "SELECT id FROM sites WHERE code = $1 OR name = $2",
                params![code, name],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn insert_site(&mut self, name: &str, code: &str) -> Result<i64, StoreError> {
        self.execute(
            "INSERT INTO sites (name, code) VALUES ($1, $2)",
            params![name, code],
        )?;
        Ok(self.last_insert_rowid())
    }

    fn attribute_named(&mut self, attr: &PlanAttribute) -> Result<Option<i64>, StoreError> {
        Ok(self
            .query_row(
                "SELECT id FROM attributes WHERE applies_to = $1 AND name = $2",
                params![attr.applies_to.as_str(), attr.name],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn insert_attribute(
        &mut self,
        attr: &PlanAttribute,
        allowed: Option<&str>,
    ) -> Result<i64, StoreError> {
        self.execute(
            "INSERT INTO attributes (name, applies_to, type, allowed, position) \
             VALUES ($1, $2, $3, $4, \
             (SELECT IFNULL(max(position), 0) + 1 FROM attributes WHERE applies_to = $2))",
            params![
                attr.name,
                attr.applies_to.as_str(),
                attr.kind.as_str(),
                allowed
            ],
        )?;
        Ok(self.last_insert_rowid())
    }

    fn participant_coded(&mut self, code: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .query_row("SELECT id FROM participants WHERE code = $1", [code], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn insert_participant(
        &mut self,
        guid: &str,
        person: &PlanParticipant,
        site: Option<i64>,
        created_at: &str,
    ) -> Result<i64, StoreError> {
        self.execute(
            "INSERT INTO participants (guid, code, label, site_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            params![guid, person.code, person.label, site, created_at],
        )?;
        Ok(self.last_insert_rowid())
    }

    fn participant_value(
        &mut self,
        participant: i64,
        attribute: i64,
        value: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT OR IGNORE INTO participant_values (participant_id, attribute_id, value) \
             VALUES ($1, $2, $3)",
            params![participant, attribute, value],
        )?;
        Ok(())
    }

    fn map_speaker(
        &mut self,
        source: i64,
        label: &str,
        participant: Option<i64>,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT OR IGNORE INTO speaker_map (source_id, label, participant_id, interviewer) \
             VALUES ($1, $2, $3, $4)",
            params![source, label, participant, i64::from(participant.is_none())],
        )?;
        Ok(())
    }

    fn source_value(&mut self, source: i64, attribute: i64, value: &str) -> Result<(), StoreError> {
        self.execute(
            "INSERT OR IGNORE INTO source_values (source_id, attribute_id, value) \
             VALUES ($1, $2, $3)",
            params![source, attribute, value],
        )?;
        Ok(())
    }

    fn insert_memo(&mut self, row: &MemoRow<'_>) -> Result<(), StoreError> {
        self.prepare_cached(
            "INSERT INTO memos (guid, target_kind, source_id, start_char, end_char, title, \
             author, written_at, body, origin, created_at, target_id, coder_id, target_label) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )?
        .execute(params![
            row.guid,
            row.target_kind,
            row.anchor.map(|a| a.0),
            row.anchor.map(|a| a.1),
            row.anchor.map(|a| a.2),
            row.title,
            row.author,
            row.written_at,
            row.body,
            row.origin,
            row.created_at,
            row.target_id,
            row.coder,
            row.target_label
        ])?;
        Ok(())
    }

    fn insert_journal(
        &mut self,
        guid: &str,
        coder: i64,
        entry: &PlanJournal,
    ) -> Result<i64, StoreError> {
        self.execute(
            "INSERT INTO journal (guid, coder_id, kind, title, body, written_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            params![
                guid,
                coder,
                entry.kind,
                entry.title,
                entry.body,
                entry.written_at
            ],
        )?;
        Ok(self.last_insert_rowid())
    }

    fn link_journal(&mut self, entry: i64, code: i64, relation: &str) -> Result<(), StoreError> {
        self.execute(
            "INSERT OR IGNORE INTO journal_links (entry_id, code_id, relation) \
             VALUES ($1, $2, $3)",
            params![entry, code, relation],
        )?;
        Ok(())
    }

    fn seal_journal(&mut self, id: i64, sealed_at: &str, hash: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE journal SET sealed_at = $1, content_hash = $2 WHERE id = $3",
            params![sealed_at, hash, id],
        )?;
        Ok(())
    }

    fn coder_name(&mut self, id: i64) -> Result<String, StoreError> {
        Ok(self.query_row("SELECT name FROM coders WHERE id = $1", [id], |r| r.get(0))?)
    }

    fn log(
        &mut self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        data: &serde_json::Value,
    ) -> Result<(), StoreError> {
        audit::append(self, actor, action, target, data)?;
        Ok(())
    }
}
