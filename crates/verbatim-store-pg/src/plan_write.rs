//! A whole REFI-QDA, QualCoder or Taguette project written into a
//! PostgreSQL study (`verbatim import project --as-coder`): the shared
//! `verbatim_store::write_plan` decides every row, as it does on SQLite,
//! and this module gives it the reads and inserts ([`PlanRows`]) on one
//! server transaction, so a project that fails half-way leaves the study
//! as it was.
//!
//! The `sources` table is locked against other importers for the
//! transaction, as `import_batch` locks it, so duplicate texts and unique
//! names hold when several processes import at once. Names that SQLite
//! compares regardless of case (sites, participant codes, attribute names)
//! are compared on `lower(...)`, as this schema's unique indexes do.

use std::collections::{HashMap, HashSet};

use postgres::{Statement, Transaction};
use verbatim_store::{
    CodeRow, CoderRow, CodingRow, GuidTable, ImportItem, ImportOutcome, ImportPlan, ImportedCounts,
    MemoRow, PlanAttribute, PlanJournal, PlanParticipant, PlanRows, StoreError, write_plan,
};

use crate::failure::OrServer;
use crate::{PgAddress, PgStore, audit, import};

/// [`PlanRows`] on one PostgreSQL transaction, with the statements an
/// import runs once per row prepared once.
struct PgPlanRows<'t, 'c> {
    tx: &'t mut Transaction<'c>,
    address: &'t PgAddress,
    sources: import::Statements,
    codings: Statement,
    coding_at: Statement,
}

impl PgStore {
    /// Writes the plan (see `Exchange::import_project`).
    pub(crate) fn write_import_plan(
        &mut self,
        actor: &str,
        plan: &ImportPlan,
    ) -> Result<ImportedCounts, StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        tx.batch_execute("LOCK TABLE sources IN SHARE ROW EXCLUSIVE MODE")
            .or_server(&address)?;
        let default_language = import::default_language(&mut tx).or_server(&address)?;
        let mut rows = PgPlanRows {
            sources: import::Statements::prepare(&mut tx).or_server(&address)?,
            // A batch of codings in one statement, in the batch's order
            // (the first of two equal passages is the one kept, as on
            // SQLite), answering the rows it inserted.
            codings: tx
                .prepare(
                    "INSERT INTO codings (guid, source_id, code_id, coder_id, start_char, \
                     end_char, memo, created_at) \
                     SELECT guid, source_id, code_id, coder_id, start_char, end_char, memo, \
                     created_at FROM UNNEST($1::TEXT[], $2::BIGINT[], $3::BIGINT[], \
                     $4::BIGINT[], $5::BIGINT[], $6::BIGINT[], $7::TEXT[], $8::TEXT[]) \
                     WITH ORDINALITY AS r(guid, source_id, code_id, coder_id, start_char, \
                     end_char, memo, created_at, n) ORDER BY n \
                     ON CONFLICT (source_id, code_id, coder_id, start_char, end_char) \
                     DO NOTHING RETURNING id, source_id, code_id, coder_id, start_char, end_char",
                )
                .or_server(&address)?,
            coding_at: tx
                .prepare(
                    "SELECT id FROM codings WHERE source_id = $1 AND code_id = $2 \
                     AND coder_id = $3 AND start_char = $4 AND end_char = $5",
                )
                .or_server(&address)?,
            tx: &mut tx,
            address: &address,
        };
        let counts = write_plan(&mut rows, actor, plan, default_language.as_deref())?;
        tx.commit().or_server(&address)?;
        Ok(counts)
    }
}

impl PgPlanRows<'_, '_> {
    /// Runs a statement that changes rows.
    fn run(
        &mut self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<(), StoreError> {
        self.tx.execute(sql, params).or_server(self.address)?;
        Ok(())
    }

    /// Returns the first column of the one row a statement answers.
    fn one<T>(
        &mut self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<T, StoreError>
    where
        T: for<'r> postgres::types::FromSql<'r>,
    {
        self.tx
            .query_one(sql, params)
            .and_then(|r| r.try_get(0))
            .or_server(self.address)
    }

    /// Returns the first column of the row a statement answers, if any.
    fn maybe<T>(
        &mut self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Option<T>, StoreError>
    where
        T: for<'r> postgres::types::FromSql<'r>,
    {
        self.tx
            .query_opt(sql, params)
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .or_server(self.address)
    }
}

impl PlanRows for PgPlanRows<'_, '_> {
    fn coder_named(&mut self, name: &str) -> Result<Option<(i64, String)>, StoreError> {
        self.tx
            .query_opt("SELECT id, kind FROM coders WHERE name = $1", &[&name])
            .and_then(|r| r.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose())
            .or_server(self.address)
    }

    fn coder_guid_in_use(&mut self, id: i64, guid: &str) -> Result<bool, StoreError> {
        self.one(
            "SELECT EXISTS (SELECT 1 FROM codings WHERE coder_id = $1) \
             OR EXISTS (SELECT 1 FROM coders WHERE guid = $2)",
            &[&id, &guid],
        )
    }

    fn set_coder_guid(&mut self, id: i64, guid: &str) -> Result<(), StoreError> {
        self.run("UPDATE coders SET guid = $1 WHERE id = $2", &[&guid, &id])
    }

    fn guid_taken(&mut self, table: GuidTable, guid: &str) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE guid = $1)",
            table.table()
        );
        self.one(&sql, &[&guid])
    }

    fn insert_coder(&mut self, row: &CoderRow<'_>) -> Result<i64, StoreError> {
        self.one(
            "INSERT INTO coders (guid, name, initials, colour, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[
                &row.guid,
                &row.name,
                &row.initials,
                &row.colour,
                &row.created_at,
            ],
        )
    }

    fn insert_source(
        &mut self,
        actor: &str,
        item: &ImportItem,
        default_language: Option<&str>,
    ) -> Result<ImportOutcome, StoreError> {
        import::insert_source(
            self.tx,
            &self.sources,
            self.address,
            actor,
            item,
            default_language,
        )
    }

    fn set_source_guid(&mut self, id: i64, guid: &str) -> Result<(), StoreError> {
        self.run("UPDATE sources SET guid = $1 WHERE id = $2", &[&guid, &id])
    }

    fn source_named(&mut self, name: &str) -> Result<i64, StoreError> {
        self.one("SELECT id FROM sources WHERE name = $1", &[&name])
    }

    fn source_chars(&mut self, id: i64) -> Result<i64, StoreError> {
        self.one("SELECT chars FROM sources WHERE id = $1", &[&id])
    }

    fn max_level_rank(&mut self) -> Result<i64, StoreError> {
        self.one("SELECT coalesce(max(rank), 1) FROM levels", &[])
    }

    fn sibling_count(
        &mut self,
        owner: Option<i64>,
        parent: Option<i64>,
    ) -> Result<i64, StoreError> {
        self.one(
            "SELECT count(*) FROM codes WHERE coalesce(owner, 0) = $1 \
             AND coalesce(parent, 0) = $2",
            &[&owner.unwrap_or(0), &parent.unwrap_or(0)],
        )
    }

    fn sibling_named(
        &mut self,
        owner: Option<i64>,
        parent: Option<i64>,
        name: &str,
    ) -> Result<bool, StoreError> {
        self.one(
            "SELECT EXISTS (SELECT 1 FROM codes WHERE coalesce(owner, 0) = $1 \
             AND coalesce(parent, 0) = $2 AND name = $3)",
            &[&owner.unwrap_or(0), &parent.unwrap_or(0), &name],
        )
    }

    fn insert_code(&mut self, row: &CodeRow<'_>) -> Result<i64, StoreError> {
        let code = row.code;
        self.one(
            "INSERT INTO codes (guid, owner, name, level, parent, position, colour, \
             definition, inclusion, exclusion, example, created_at, codable) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            &[
                &row.guid,
                &row.owner,
                &row.name,
                &row.level,
                &row.parent,
                &row.position,
                &code.colour,
                &code.definition,
                &code.inclusion,
                &code.exclusion,
                &code.example,
                &row.created_at,
                &i64::from(code.codable),
            ],
        )
    }

    fn link_codes(&mut self, child: i64, parent: i64) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO code_links (child, parent) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&child, &parent],
        )
    }

    fn coding_guids(&mut self) -> Result<HashSet<String>, StoreError> {
        self.tx
            .query("SELECT guid FROM codings", &[])
            .and_then(|rows| rows.iter().map(|r| r.try_get(0)).collect())
            .or_server(self.address)
    }

    fn insert_codings(&mut self, rows: &[CodingRow<'_>]) -> Result<Vec<Option<i64>>, StoreError> {
        let guids: Vec<&str> = rows.iter().map(|r| r.guid).collect();
        let sources: Vec<i64> = rows.iter().map(|r| r.source).collect();
        let codes: Vec<i64> = rows.iter().map(|r| r.code).collect();
        let coders: Vec<i64> = rows.iter().map(|r| r.coder).collect();
        let starts: Vec<i64> = rows.iter().map(|r| r.start).collect();
        let ends: Vec<i64> = rows.iter().map(|r| r.end).collect();
        let memos: Vec<Option<&str>> = rows.iter().map(|r| r.memo).collect();
        let times: Vec<&str> = rows.iter().map(|r| r.created_at).collect();
        let inserted = self
            .tx
            .query(
                &self.codings,
                &[
                    &guids, &sources, &codes, &coders, &starts, &ends, &memos, &times,
                ],
            )
            .or_server(self.address)?;
        // The rows a batch inserted, by their passage, code and coder: the
        // first of the batch's rows with that key is the one inserted.
        let mut new: HashMap<(i64, i64, i64, i64, i64), i64> = HashMap::new();
        for row in &inserted {
            let key = (
                row.try_get(1).or_server(self.address)?,
                row.try_get(2).or_server(self.address)?,
                row.try_get(3).or_server(self.address)?,
                row.try_get(4).or_server(self.address)?,
                row.try_get(5).or_server(self.address)?,
            );
            new.insert(key, row.try_get(0).or_server(self.address)?);
        }
        Ok(rows
            .iter()
            .map(|r| new.remove(&(r.source, r.code, r.coder, r.start, r.end)))
            .collect())
    }

    fn coding_at(&mut self, row: &CodingRow<'_>) -> Result<i64, StoreError> {
        self.tx
            .query_one(
                &self.coding_at,
                &[&row.source, &row.code, &row.coder, &row.start, &row.end],
            )
            .and_then(|r| r.try_get(0))
            .or_server(self.address)
    }

    fn site_matching(&mut self, name: &str, code: &str) -> Result<Option<i64>, StoreError> {
        self.maybe(
            "SELECT id FROM sites WHERE lower(code) = lower($1) OR lower(name) = lower($2) \
             ORDER BY id LIMIT 1",
            &[&code, &name],
        )
    }

    fn insert_site(&mut self, name: &str, code: &str) -> Result<i64, StoreError> {
        self.one(
            "INSERT INTO sites (name, code) VALUES ($1, $2) RETURNING id",
            &[&name, &code],
        )
    }

    fn attribute_named(&mut self, attr: &PlanAttribute) -> Result<Option<i64>, StoreError> {
        self.maybe(
            "SELECT id FROM attributes WHERE applies_to = $1 AND lower(name) = lower($2)",
            &[&attr.applies_to.as_str(), &attr.name],
        )
    }

    fn insert_attribute(
        &mut self,
        attr: &PlanAttribute,
        allowed: Option<&str>,
    ) -> Result<i64, StoreError> {
        self.one(
            "INSERT INTO attributes (name, applies_to, type, allowed, position) \
             VALUES ($1, $2, $3, $4, \
             (SELECT coalesce(max(position), 0) + 1 FROM attributes WHERE applies_to = $2)) \
             RETURNING id",
            &[
                &attr.name,
                &attr.applies_to.as_str(),
                &attr.kind.as_str(),
                &allowed,
            ],
        )
    }

    fn participant_coded(&mut self, code: &str) -> Result<Option<i64>, StoreError> {
        self.maybe(
            "SELECT id FROM participants WHERE lower(code) = lower($1)",
            &[&code],
        )
    }

    fn insert_participant(
        &mut self,
        guid: &str,
        person: &PlanParticipant,
        site: Option<i64>,
        created_at: &str,
    ) -> Result<i64, StoreError> {
        self.one(
            "INSERT INTO participants (guid, code, label, site_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&guid, &person.code, &person.label, &site, &created_at],
        )
    }

    fn participant_value(
        &mut self,
        participant: i64,
        attribute: i64,
        value: &str,
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO participant_values (participant_id, attribute_id, value) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&participant, &attribute, &value],
        )
    }

    fn map_speaker(
        &mut self,
        source: i64,
        label: &str,
        participant: Option<i64>,
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO speaker_map (source_id, label, participant_id, interviewer) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[
                &source,
                &label,
                &participant,
                &i64::from(participant.is_none()),
            ],
        )
    }

    fn source_value(&mut self, source: i64, attribute: i64, value: &str) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO source_values (source_id, attribute_id, value) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&source, &attribute, &value],
        )
    }

    fn insert_memo(&mut self, row: &MemoRow<'_>) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO memos (guid, target_kind, source_id, start_char, end_char, title, \
             author, written_at, body, origin, created_at, target_id, coder_id, target_label) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            &[
                &row.guid,
                &row.target_kind,
                &row.anchor.map(|a| a.0),
                &row.anchor.map(|a| a.1),
                &row.anchor.map(|a| a.2),
                &row.title,
                &row.author,
                &row.written_at,
                &row.body,
                &row.origin,
                &row.created_at,
                &row.target_id,
                &row.coder,
                &row.target_label,
            ],
        )
    }

    fn insert_journal(
        &mut self,
        guid: &str,
        coder: i64,
        entry: &PlanJournal,
    ) -> Result<i64, StoreError> {
        self.one(
            "INSERT INTO journal (guid, coder_id, kind, title, body, written_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[
                &guid,
                &coder,
                &entry.kind,
                &entry.title,
                &entry.body,
                &entry.written_at,
            ],
        )
    }

    fn link_journal(&mut self, entry: i64, code: i64, relation: &str) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO journal_links (entry_id, code_id, relation) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
            &[&entry, &code, &relation],
        )
    }

    fn seal_journal(&mut self, id: i64, sealed_at: &str, hash: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE journal SET sealed_at = $1, content_hash = $2 WHERE id = $3",
            &[&sealed_at, &hash, &id],
        )
    }

    fn coder_name(&mut self, id: i64) -> Result<String, StoreError> {
        self.one("SELECT name FROM coders WHERE id = $1", &[&id])
    }

    fn log(
        &mut self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        data: &serde_json::Value,
    ) -> Result<(), StoreError> {
        audit::append(self.tx, actor, action, target, data).or_server(self.address)
    }
}
