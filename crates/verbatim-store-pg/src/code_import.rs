//! A whole codebook written at once on PostgreSQL (`verbatim import
//! codebook`, `code copy`): every code of a spreadsheet, a `.qdc` or
//! another codebook in one transaction, recorded as one `codebook.import`
//! or `codebook.copy` action so one undo removes it. The
//! checks are `verbatim_store::rules` (`checked_import`, `taken_roots`),
//! as on SQLite; the unique index on sibling names settles a name another
//! process adds meanwhile.

use std::collections::{HashMap, HashSet};

use postgres::Transaction;
use verbatim_store::{Book, Coders, ImportedCode, Scope, StoreError, rules};

use crate::code_edits::named;
use crate::code_rows::sibling_named;
use crate::reads::ReadError;
use crate::record::Recorder;
use crate::{PgStore, now};

impl PgStore {
    /// Writes the codebook (see `CodebookEdits::import_codes`).
    pub(crate) fn import_codebook(
        &mut self,
        scope: &Scope,
        book: Book,
        codes: &[ImportedCode],
    ) -> Result<Vec<i64>, StoreError> {
        let owner = rules::import_owner(scope, book)?;
        let cleaned = rules::checked_import(codes, &self.levels()?)?;
        self.in_transaction(|tx| {
            let roots: Vec<String> = tx
                .query(
                    "SELECT name FROM codes WHERE coalesce(owner, 0) = $1 AND parent IS NULL \
                     ORDER BY position, id",
                    &[&owner.unwrap_or(0)],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
            rules::taken_roots(codes, &roots)?;
            let guids = free_guids(tx, codes)?;
            let mut rec = Recorder::default();
            let mut ids: Vec<i64> = Vec::with_capacity(codes.len());
            let mut next_position: HashMap<Option<i64>, i64> = HashMap::new();
            next_position.insert(None, roots.len() as i64);
            let created = now();
            for ((code, (name, fields)), guid) in codes.iter().zip(&cleaned).zip(&guids) {
                let parent = code.parents.first().map(|&p| ids[p]);
                let position = next_position.entry(parent).or_insert(0);
                let id = rec.insert(
                    tx,
                    "codes",
                    &[
                        ("guid", guid),
                        ("owner", &owner),
                        ("name", name),
                        ("level", &code.level),
                        ("parent", &parent),
                        ("position", &*position),
                        ("colour", &fields.colour),
                        ("definition", &fields.definition),
                        ("inclusion", &fields.inclusion),
                        ("exclusion", &fields.exclusion),
                        ("example", &fields.example),
                        ("created_at", &created),
                    ],
                );
                *position += 1;
                ids.push(named(id, name)?);
            }
            // Every edge goes from a higher level to a lower one (checked
            // by the rules), so no link can close a cycle.
            for (code, &child) in codes.iter().zip(&ids) {
                let primary = code.parents.first().copied();
                for &further in code.parents.iter().skip(1) {
                    if Some(further) != primary {
                        let parent = ids[further];
                        rec.insert(tx, "code_links", &[("child", &child), ("parent", &parent)])?;
                    }
                }
            }
            let summary = serde_json::json!({ "codes": codes.len(), "shared": owner.is_none() });
            let target = format!("coder:{}", scope.coder().id);
            rec.finish(
                tx,
                &scope.coder().name,
                "codebook.import",
                Some(&target),
                summary,
            )?;
            Ok(ids)
        })
    }
}

impl PgStore {
    /// Copies a codebook (see `CodebookEdits::copy_codebook`): parents are
    /// of a higher level, so reading by level, highest first, copies each
    /// parent before its children, as on SQLite.
    pub(crate) fn copy_book(
        &mut self,
        scope: &Scope,
        from: Book,
        to: Book,
    ) -> Result<usize, StoreError> {
        let (from_owner, to_owner) = rules::copy_books(scope, from, to)?;
        self.in_transaction(|tx| {
            let rows = tx.query(
                "SELECT id, name, level, parent, position, colour, definition, inclusion, \
                 exclusion, example FROM codes WHERE coalesce(owner, 0) = $1 \
                 ORDER BY level DESC, id",
                &[&from_owner.unwrap_or(0)],
            )?;
            let mut clashes = Vec::new();
            for r in &rows {
                let (name, parent): (String, Option<i64>) = (r.try_get(1)?, r.try_get(3)?);
                if parent.is_none() && sibling_named(tx, to_owner, None, &name)?.is_some() {
                    clashes.push(name);
                }
            }
            rules::copy_clashes(&clashes)?;
            let mut rec = Recorder::default();
            let mut new_ids: HashMap<i64, i64> = HashMap::new();
            let created = now();
            for r in &rows {
                let (id, name, level): (i64, String, i64) =
                    (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
                let parent: Option<i64> = r.try_get(3)?;
                let parent = parent.and_then(|p| new_ids.get(&p).copied());
                let position: i64 = r.try_get(4)?;
                let fields: Vec<Option<String>> =
                    (5..10).map(|i| r.try_get(i)).collect::<Result<_, _>>()?;
                let guid = uuid::Uuid::new_v4().to_string();
                let new_id = rec.insert(
                    tx,
                    "codes",
                    &[
                        ("guid", &guid),
                        ("owner", &to_owner),
                        ("name", &name),
                        ("level", &level),
                        ("parent", &parent),
                        ("position", &position),
                        ("colour", &fields[0]),
                        ("definition", &fields[1]),
                        ("inclusion", &fields[2]),
                        ("exclusion", &fields[3]),
                        ("example", &fields[4]),
                        ("created_at", &created),
                    ],
                );
                new_ids.insert(id, named(new_id, &name)?);
            }
            let links = tx.query(
                "SELECT l.child, l.parent FROM code_links l JOIN codes c ON c.id = l.child \
                 WHERE coalesce(c.owner, 0) = $1 ORDER BY l.id",
                &[&from_owner.unwrap_or(0)],
            )?;
            for link in &links {
                let (child, parent): (i64, i64) = (link.try_get(0)?, link.try_get(1)?);
                if let (Some(c), Some(p)) = (new_ids.get(&child), new_ids.get(&parent)) {
                    rec.insert(tx, "code_links", &[("child", c), ("parent", p)])?;
                }
            }
            let summary =
                serde_json::json!({ "from": from_owner, "to": to_owner, "codes": rows.len() });
            rec.finish(tx, &scope.coder().name, "codebook.copy", None, summary)?;
            Ok(rows.len())
        })
    }
}

/// Returns one GUID per code: the producer's when it is a UUID that no
/// code of the study (nor an earlier code of the list) has, else a new one.
fn free_guids(tx: &mut Transaction<'_>, codes: &[ImportedCode]) -> Result<Vec<String>, ReadError> {
    let mut used = HashSet::new();
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        let guid = match rules::producer_guid(code) {
            Some(g)
                if !used.contains(&g)
                    && tx
                        .query_opt("SELECT 1 FROM codes WHERE guid = $1", &[&g])?
                        .is_none() =>
            {
                g
            }
            _ => uuid::Uuid::new_v4().to_string(),
        };
        used.insert(guid.clone());
        out.push(guid);
    }
    Ok(out)
}
