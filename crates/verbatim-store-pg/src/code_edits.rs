//! `CodebookEdits` on PostgreSQL: renaming, describing, moving and
//! splitting a code (merging and deleting are `code_merge`'s), each one
//! transaction and one undoable audit entry recording the same rows, in
//! the same order, as SQLite's. The checks are `verbatim_store::rules`';
//! the rows are read and locked through `code_rows`.

use verbatim_store::rules::{self, CodeAt};
use verbatim_store::{Cascade, CodeFields, CodebookEdits, Coders, Scope, StoreError};

use crate::code_rows::{self, open_code, other_code};
use crate::reads::ReadError;
use crate::record::{Recorder, is_unique_violation};
use crate::{PgStore, now};

/// Selects the further-parent link from a child (`$1`) to a parent (`$2`).
pub(crate) const LINK_BETWEEN: &str =
    "SELECT id FROM code_links WHERE child = $1 AND parent = $2 ORDER BY id";

impl CodebookEdits for PgStore {
    fn rename_code(&mut self, scope: &Scope, id: i64, name: &str) -> Result<(), StoreError> {
        self.in_transaction(|tx| {
            let row = open_code(tx, scope, id)?;
            let name = rules::code_name(name)?;
            code_rows::check_name_free(tx, row.owner, row.parent, &name, Some(id))?;
            let mut rec = Recorder::default();
            named(rec.update(tx, "codes", id, &[("name", &name)]), &name)?;
            let summary = serde_json::json!({ "from": row.name, "to": name });
            finish(tx, rec, scope, "code.rename", id, summary)
        })
    }

    fn describe_code(
        &mut self,
        scope: &Scope,
        id: i64,
        fields: &CodeFields,
        level: Option<&str>,
    ) -> Result<(), StoreError> {
        let levels = self.levels()?;
        self.in_transaction(|tx| {
            let row = open_code(tx, scope, id)?;
            let fields = rules::code_fields(fields)?;
            let texts = rules::described_columns(&fields);
            let rank = match level {
                Some(level) => {
                    let rank = rules::level_rank(&levels, level)?;
                    let (parents, children) = code_rows::neighbour_levels(tx, id)?;
                    rules::level_fits(rank, &parents, &children)?;
                    Some(rank)
                }
                None => None,
            };
            let mut cols: Vec<crate::record::Column<'_>> = texts
                .iter()
                .map(|(col, v)| (*col, v as &(dyn postgres::types::ToSql + Sync)))
                .collect();
            if let Some(rank) = &rank {
                cols.push(("level", rank));
            }
            if cols.is_empty() {
                return Ok(());
            }
            let mut rec = Recorder::default();
            rec.update(tx, "codes", id, &cols)?;
            let summary = serde_json::json!({ "name": row.name });
            finish(tx, rec, scope, "code.describe", id, summary)
        })
    }

    fn move_code(
        &mut self,
        scope: &Scope,
        id: i64,
        parent: Option<i64>,
        position: Option<i64>,
    ) -> Result<(), StoreError> {
        let levels = self.levels()?;
        self.in_transaction(|tx| {
            let row = open_code(tx, scope, id)?;
            if let Some(p) = parent {
                let prow = other_code(tx, scope, p)?;
                let below = code_rows::below(tx, id)?;
                rules::may_move_under(&levels, (id, &row), (p, &prow), &below)?;
            }
            if parent != row.parent {
                code_rows::check_name_free(tx, row.owner, parent, &row.name, Some(id))?;
            }
            let mut order = code_rows::children_of(tx, row.owner, parent, Some(id))?;
            let at = rules::move_position(order.len(), position);
            order.insert(at, id);
            let mut rec = Recorder::default();
            for (i, sibling) in order.iter().enumerate() {
                let place = i as i64;
                if *sibling == id {
                    let moved = rec.update(
                        tx,
                        "codes",
                        id,
                        &[("position", &place), ("parent", &parent)],
                    );
                    named(moved, &row.name)?;
                } else {
                    rec.update(tx, "codes", *sibling, &[("position", &place)])?;
                }
            }
            // A further link to the new primary parent is now redundant.
            if let Some(p) = parent {
                delete_links(tx, &mut rec, id, p)?;
            }
            let summary = serde_json::json!({
                "name": row.name, "from": row.parent, "to": parent, "position": at
            });
            finish(tx, rec, scope, "code.move", id, summary)
        })
    }

    fn merge_codes(&mut self, scope: &Scope, from: i64, into: i64) -> Result<usize, StoreError> {
        self.in_transaction(|tx| crate::code_merge::merge(tx, scope, from, into))
    }

    fn split_code(
        &mut self,
        scope: &Scope,
        id: i64,
        name: &str,
        codings: &[i64],
    ) -> Result<i64, StoreError> {
        self.in_transaction(|tx| {
            let row = open_code(tx, scope, id)?;
            let name = rules::code_name(name)?;
            code_rows::check_name_free(tx, row.owner, row.parent, &name, None)?;
            for coding in codings {
                let code: Option<i64> = tx
                    .query_opt(
                        "SELECT code_id FROM codings WHERE id = $1 FOR UPDATE",
                        &[coding],
                    )?
                    .map(|r| r.try_get(0))
                    .transpose()?;
                rules::splittable(*coding, code, id, &row.name)?;
            }
            let position = code_rows::children_of(tx, row.owner, row.parent, None)?.len() as i64;
            let mut rec = Recorder::default();
            let new_id = named(insert_sibling(tx, &mut rec, &row, &name, position), &name)?;
            for coding in codings {
                rec.update(tx, "codings", *coding, &[("code_id", &new_id)])?;
            }
            let summary = serde_json::json!({ "from": row.name, "new": name, "codings": codings });
            finish(tx, rec, scope, "code.split", id, summary)?;
            Ok(new_id)
        })
    }

    fn delete_code(
        &mut self,
        scope: &Scope,
        id: i64,
        cascade: Option<Cascade>,
    ) -> Result<usize, StoreError> {
        self.in_transaction(|tx| crate::code_merge::delete(tx, scope, id, cascade))
    }
}

/// Inserts a code beside `row` (its codebook, level and parent) named
/// `name` at `position`, as SQLite's split does.
fn insert_sibling(
    tx: &mut postgres::Transaction<'_>,
    rec: &mut Recorder,
    row: &CodeAt,
    name: &str,
    position: i64,
) -> Result<i64, postgres::Error> {
    let (guid, created) = (uuid::Uuid::new_v4().to_string(), now());
    rec.insert(
        tx,
        "codes",
        &[
            ("guid", &guid),
            ("owner", &row.owner),
            ("name", &name),
            ("level", &row.level),
            ("parent", &row.parent),
            ("position", &position),
            ("created_at", &created),
        ],
    )
}

/// Deletes (recording them) the further links from `child` to `parent`.
pub(crate) fn delete_links(
    tx: &mut postgres::Transaction<'_>,
    rec: &mut Recorder,
    child: i64,
    parent: i64,
) -> Result<(), postgres::Error> {
    let links: Vec<i64> = tx
        .query(LINK_BETWEEN, &[&child, &parent])?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for link in links {
        rec.delete(tx, "code_links", link)?;
    }
    Ok(())
}

/// Turns a unique-key refusal on a code's name (another process took the
/// name meanwhile) into the name-taken sentence.
fn named<T>(result: Result<T, postgres::Error>, name: &str) -> Result<T, ReadError> {
    match result {
        Err(e) if is_unique_violation(&e) => Err(rules::code_name_taken(name).into()),
        other => Ok(other?),
    }
}

/// Appends the edit of code `id` to the audit log (target `code:ID`).
pub(crate) fn finish(
    tx: &mut postgres::Transaction<'_>,
    rec: Recorder,
    scope: &Scope,
    action: &str,
    id: i64,
    summary: serde_json::Value,
) -> Result<(), ReadError> {
    rec.finish(
        tx,
        &scope.coder().name,
        action,
        Some(&format!("code:{id}")),
        summary,
    )?;
    Ok(())
}
