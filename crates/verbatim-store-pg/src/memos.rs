//! `Memos` on PostgreSQL: memos written and listed as SQLite does (the
//! same row, audit entry and refusals), with the target check, the target's
//! words, who may edit and what an edit holds from `verbatim_store::rules`,
//! and the filter from `MemoFilter`.

use verbatim_store::{Memo, MemoFilter, MemoTarget, Memos, Scope, StoreError, rules};

use crate::failure::OrServer;
use crate::record::{Column, Recorder};
use crate::{PgStore, now};

impl Memos for PgStore {
    fn add_memo(
        &mut self,
        scope: &Scope,
        target: &MemoTarget,
        title: Option<&str>,
        body: &str,
    ) -> Result<i64, StoreError> {
        let body = rules::memo_body(body)?;
        let title = rules::memo_title(title);
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let sql = match target {
            MemoTarget::Study | MemoTarget::Participant(_) => None,
            MemoTarget::Source(_) => {
                Some("SELECT NULL::BIGINT FROM sources WHERE id = $1 FOR SHARE")
            }
            MemoTarget::Code(_) => Some("SELECT owner FROM codes WHERE id = $1 FOR SHARE"),
            MemoTarget::Coding(_) => Some("SELECT coder_id FROM codings WHERE id = $1 FOR SHARE"),
        };
        let found: Option<Option<i64>> = match (sql, target.id()) {
            (Some(sql), Some(id)) => tx
                .query_opt(sql, &[&id])
                .and_then(|r| r.map(|r| r.try_get(0)).transpose())
                .or_server(&address)?,
            _ => None,
        };
        rules::check_memo_target(scope, target, found)?;
        let mut rec = Recorder::default();
        let (guid, written) = (uuid::Uuid::new_v4().to_string(), now());
        let id = rec
            .insert(
                &mut tx,
                "memos",
                &[
                    ("guid", &guid),
                    ("target_kind", &target.kind()),
                    ("target_id", &target.id()),
                    ("target_label", &target.label()),
                    ("title", &title),
                    ("author", &scope.coder().name),
                    ("coder_id", &scope.coder().id),
                    ("written_at", &written),
                    ("body", &body),
                    ("origin", &"user"),
                    ("created_at", &written),
                ],
            )
            .or_server(&address)?;
        rec.finish(
            &mut tx,
            &scope.coder().name,
            "memo.add",
            Some(&format!("memo:{id}")),
            serde_json::json!({ "on": target.kind(), "target": target.id(), "label": target.label(), "title": title }),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(id)
    }

    fn edit_memo(
        &mut self,
        scope: &Scope,
        id: i64,
        title: Option<&str>,
        body: Option<&str>,
    ) -> Result<(), StoreError> {
        let edit = rules::memo_edit(title, body)?;
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        own_memo(&mut tx, scope, id).or_server(&address)??;
        let written = now();
        let mut columns: Vec<Column<'_>> = Vec::new();
        if let Some(t) = &edit.title {
            columns.push(("title", t));
        }
        if let Some(b) = &edit.body {
            columns.push(("body", b));
        }
        columns.push(("written_at", &written));
        let mut rec = Recorder::default();
        rec.update(&mut tx, "memos", id, &columns)
            .or_server(&address)?;
        rec.finish(
            &mut tx,
            &scope.coder().name,
            "memo.edit",
            Some(&format!("memo:{id}")),
            serde_json::json!({}),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)
    }

    fn delete_memo(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        own_memo(&mut tx, scope, id).or_server(&address)??;
        let mut rec = Recorder::default();
        rec.delete(&mut tx, "memos", id).or_server(&address)?;
        rec.finish(
            &mut tx,
            &scope.coder().name,
            "memo.delete",
            Some(&format!("memo:{id}")),
            serde_json::json!({}),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)
    }

    fn memos(&self, scope: &Scope, filter: &MemoFilter) -> Result<Vec<Memo>, StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT m.id, m.target_kind, m.target_id, m.target_label, m.source_id, \
                        m.start_char, m.end_char, m.title, m.author, m.coder_id, d.name, \
                        m.written_at, m.body, m.origin, s.name, k.name \
                 FROM memos m LEFT JOIN coders d ON d.id = m.coder_id \
                 LEFT JOIN sources s ON s.id = COALESCE(m.source_id, \
                     CASE WHEN m.target_kind = 'source' THEN m.target_id END) \
                 LEFT JOIN codes k ON m.target_kind = 'code' AND k.id = m.target_id \
                 ORDER BY m.id",
                &[],
            )
            .or_server(self.address())?;
        let mut out = Vec::new();
        for r in &rows {
            let memo = (|| -> Result<Option<Memo>, postgres::Error> {
                let coder: Option<i64> = r.try_get(9)?;
                if !scope.may_see(coder) {
                    return Ok(None);
                }
                let kind: String = r.try_get(1)?;
                let target_id: Option<i64> = r.try_get(2)?;
                Ok(Some(Memo {
                    id: r.try_get(0)?,
                    target_label: rules::memo_target_label(
                        &kind,
                        target_id,
                        r.try_get(3)?,
                        r.try_get(15)?,
                        r.try_get(14)?,
                    ),
                    target_kind: kind,
                    target_id,
                    source_id: r.try_get(4)?,
                    start: r.try_get(5)?,
                    end: r.try_get(6)?,
                    title: r.try_get(7)?,
                    author: r.try_get(8)?,
                    coder: r.try_get(10)?,
                    written_at: r.try_get(11)?,
                    body: r.try_get(12)?,
                    origin: r.try_get(13)?,
                }))
            })()
            .or_server(self.address())?;
            if let Some(memo) = memo.filter(|m| filter.keeps(m)) {
                out.push(memo);
            }
        }
        Ok(out)
    }
}

/// Checks, with memo `id` locked for the transaction, that it is the
/// scope's coder's own (`rules::own_memo`).
fn own_memo(
    tx: &mut postgres::Transaction<'_>,
    scope: &Scope,
    id: i64,
) -> Result<Result<(), StoreError>, postgres::Error> {
    let row = tx
        .query_opt(
            "SELECT coder_id, origin FROM memos WHERE id = $1 FOR UPDATE",
            &[&id],
        )?
        .map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?;
    Ok(rules::own_memo(scope, id, row))
}
