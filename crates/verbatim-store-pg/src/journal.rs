//! `Journal` on PostgreSQL: entries, seals and links written as SQLite
//! writes them (the same rows, audit entries and refusals, from
//! `verbatim_store::rules`), the seal's form `verbatim_store::seal_hash`
//! and what a broken seal is, `rules::seal_mismatch`; migration 0007's
//! trigger refuses any change to a sealed row.

use postgres::Row;
use verbatim_store::{
    EntryKind, Journal, JournalEntry, JournalLink, Mismatch, Relation, Scope, StoreError, rules,
    seal_hash,
};

use crate::failure::OrServer;
use crate::record::{Column, Recorder};
use crate::{PgStore, audit, now};

/// An entry's columns as sealing reads them.
struct EntryRow {
    guid: String,
    kind: String,
    title: String,
    body: String,
    written_at: String,
    sealed_at: Option<String>,
}

impl PgStore {
    /// Returns entry `id` (locked for the transaction) if it is the
    /// scope's coder's own.
    fn own_entry(
        tx: &mut postgres::Transaction<'_>,
        scope: &Scope,
        id: i64,
    ) -> Result<Result<EntryRow, StoreError>, postgres::Error> {
        let row = tx.query_opt(
            "SELECT coder_id, guid, kind, title, body, written_at, sealed_at \
             FROM journal WHERE id = $1 FOR UPDATE",
            &[&id],
        )?;
        let author = row.as_ref().map(|r| r.try_get(0)).transpose()?;
        if let Err(refused) = rules::own_entry(scope, id, author) {
            return Ok(Err(refused));
        }
        let Some(r) = row else {
            return Ok(Err(StoreError::Invalid(format!("no journal entry {id}"))));
        };
        Ok(Ok(EntryRow {
            guid: r.try_get(1)?,
            kind: r.try_get(2)?,
            title: r.try_get(3)?,
            body: r.try_get(4)?,
            written_at: r.try_get(5)?,
            sealed_at: r.try_get(6)?,
        }))
    }
}

impl Journal for PgStore {
    fn add_entry(
        &mut self,
        scope: &Scope,
        kind: EntryKind,
        title: &str,
        body: &str,
    ) -> Result<i64, StoreError> {
        let title = rules::journal_text(title, "title")?;
        let body = rules::journal_text(body, "text")?;
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let mut rec = Recorder::default();
        let (guid, written) = (uuid::Uuid::new_v4().to_string(), now());
        let id = rec
            .insert(
                &mut tx,
                "journal",
                &[
                    ("guid", &guid),
                    ("coder_id", &scope.coder().id),
                    ("kind", &kind.as_str()),
                    ("title", &title),
                    ("body", &body),
                    ("written_at", &written),
                ],
            )
            .or_server(&address)?;
        rec.finish(
            &mut tx,
            &scope.coder().name,
            "journal.add",
            Some(&format!("journal:{id}")),
            serde_json::json!({ "kind": kind.as_str(), "title": title }),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(id)
    }

    fn seal(&mut self, scope: &Scope, id: i64) -> Result<String, StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let row = Self::own_entry(&mut tx, scope, id).or_server(&address)??;
        rules::sealable(id, &row.kind, row.sealed_at.as_deref())?;
        let sealed_at = now();
        let hash = seal_hash(
            &row.guid,
            &row.kind,
            &row.title,
            &row.body,
            &row.written_at,
            &sealed_at,
        );
        tx.execute(
            "UPDATE journal SET sealed_at = $1, content_hash = $2 WHERE id = $3",
            &[&sealed_at, &hash, &id],
        )
        .or_server(&address)?;
        audit::append(
            &mut tx,
            &scope.coder().name,
            "journal.seal",
            Some(&format!("journal:{id}")),
            &serde_json::json!({ "content_hash": hash, "sealed_at": sealed_at, "guid": row.guid }),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(hash)
    }

    fn link_entry(
        &mut self,
        scope: &Scope,
        entry: i64,
        code: i64,
        relation: Relation,
    ) -> Result<i64, StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        Self::own_entry(&mut tx, scope, entry).or_server(&address)??;
        let owner: Option<Option<i64>> = tx
            .query_opt("SELECT owner FROM codes WHERE id = $1 FOR SHARE", &[&code])
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .or_server(&address)?;
        if !owner.is_some_and(|o| scope.may_see(o)) {
            return Err(StoreError::UnknownCode(code.to_string()));
        }
        let existing: Option<i64> = tx
            .query_opt(
                "SELECT id FROM journal_links WHERE entry_id = $1 AND code_id = $2",
                &[&entry, &code],
            )
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .or_server(&address)?;
        let mut rec = Recorder::default();
        let id = match existing {
            Some(link) => rec
                .update_text(
                    &mut tx,
                    "journal_links",
                    link,
                    "relation",
                    relation.as_str(),
                )
                .map(|()| link),
            None => rec.insert(
                &mut tx,
                "journal_links",
                &[
                    ("entry_id", &entry),
                    ("code_id", &code),
                    ("relation", &relation.as_str()),
                ],
            ),
        }
        .or_server(&address)?;
        rec.finish(
            &mut tx,
            &scope.coder().name,
            "journal.link",
            Some(&format!("journal:{entry}")),
            serde_json::json!({ "code": code, "relation": relation.as_str() }),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(id)
    }

    fn edit_entry(
        &mut self,
        scope: &Scope,
        id: i64,
        title: Option<&str>,
        body: Option<&str>,
    ) -> Result<(), StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let row = Self::own_entry(&mut tx, scope, id).or_server(&address)??;
        rules::unsealed_entry(id, row.sealed_at.as_deref(), "changed")?;
        let (title, body) = rules::entry_edit(title, body)?;
        let mut columns: Vec<Column<'_>> = Vec::new();
        if let Some(t) = &title {
            columns.push(("title", t));
        }
        if let Some(b) = &body {
            columns.push(("body", b));
        }
        let mut rec = Recorder::default();
        rec.update(&mut tx, "journal", id, &columns)
            .or_server(&address)?;
        rec.finish(
            &mut tx,
            &scope.coder().name,
            "journal.edit",
            Some(&format!("journal:{id}")),
            serde_json::json!({}),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)
    }

    fn delete_entry(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let row = Self::own_entry(&mut tx, scope, id).or_server(&address)??;
        rules::unsealed_entry(id, row.sealed_at.as_deref(), "deleted")?;
        let mut rec = Recorder::default();
        let links = tx
            .query(
                "SELECT id FROM journal_links WHERE entry_id = $1 ORDER BY id",
                &[&id],
            )
            .or_server(&address)?;
        for link in &links {
            let link: i64 = link.try_get(0).or_server(&address)?;
            rec.delete(&mut tx, "journal_links", link)
                .or_server(&address)?;
        }
        rec.delete(&mut tx, "journal", id).or_server(&address)?;
        rec.finish(
            &mut tx,
            &scope.coder().name,
            "journal.delete",
            Some(&format!("journal:{id}")),
            serde_json::json!({}),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)
    }

    fn verify_journal(&self) -> Result<Vec<Mismatch>, StoreError> {
        let mut client = self.client();
        let checked = (|| -> Result<Vec<Mismatch>, postgres::Error> {
            let rows = client.query(
                "SELECT j.id, j.guid, j.kind, j.title, j.body, j.written_at, j.sealed_at, \
                        j.content_hash, c.name \
                 FROM journal j JOIN coders c ON c.id = j.coder_id \
                 WHERE j.sealed_at IS NOT NULL OR j.content_hash IS NOT NULL ORDER BY j.id",
                &[],
            )?;
            let seals = client.prepare(
                "SELECT data FROM audit WHERE action = 'journal.seal' AND target = $1 ORDER BY id",
            )?;
            let mut out = Vec::new();
            for r in &rows {
                let row = rules::SealedRow {
                    id: r.try_get(0)?,
                    guid: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    title: r.try_get(3)?,
                    body: r.try_get(4)?,
                    written_at: r.try_get(5)?,
                    sealed_at: r.try_get(6)?,
                    content_hash: r.try_get(7)?,
                    coder: r.try_get(8)?,
                };
                let recorded = client
                    .query(&seals, &[&format!("journal:{}", row.id)])?
                    .iter()
                    .map(|d| d.try_get(0))
                    .collect::<Result<Vec<String>, _>>()?;
                out.extend(rules::seal_mismatch(row, &recorded));
            }
            Ok(out)
        })();
        checked.or_server(self.address())
    }

    fn entries(&self, scope: &Scope) -> Result<Vec<JournalEntry>, StoreError> {
        let mut client = self.client();
        let rows = client
            .query(
                "SELECT j.id, j.guid, c.name, j.kind, j.title, j.body, j.written_at, \
                        j.sealed_at, j.content_hash, j.coder_id \
                 FROM journal j JOIN coders c ON c.id = j.coder_id \
                 ORDER BY j.written_at COLLATE \"C\", j.id",
                &[],
            )
            .or_server(self.address())?;
        let mut out = Vec::new();
        for r in &rows {
            let coder: i64 = r.try_get(9).or_server(self.address())?;
            if scope.may_see(Some(coder)) {
                out.push(entry(r).or_server(self.address())?);
            }
        }
        let links = client
            .prepare(
                "SELECT l.id, l.code_id, k.name, l.relation FROM journal_links l \
                 JOIN codes k ON k.id = l.code_id WHERE l.entry_id = $1 ORDER BY l.id",
            )
            .or_server(self.address())?;
        for e in &mut out {
            e.links = client
                .query(&links, &[&e.id])
                .and_then(|rows| {
                    rows.iter()
                        .map(|r| {
                            Ok(JournalLink {
                                id: r.try_get(0)?,
                                code_id: r.try_get(1)?,
                                code: r.try_get(2)?,
                                relation: r.try_get(3)?,
                            })
                        })
                        .collect()
                })
                .or_server(self.address())?;
        }
        Ok(out)
    }
}

fn entry(r: &Row) -> Result<JournalEntry, postgres::Error> {
    Ok(JournalEntry {
        id: r.try_get(0)?,
        guid: r.try_get(1)?,
        coder: r.try_get(2)?,
        kind: r.try_get(3)?,
        title: r.try_get(4)?,
        body: r.try_get(5)?,
        written_at: r.try_get(6)?,
        sealed_at: r.try_get(7)?,
        content_hash: r.try_get(8)?,
        links: Vec::new(),
    })
}
