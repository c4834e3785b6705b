//! A whole codebook written at once on PostgreSQL (`verbatim import
//! codebook`): every code of a spreadsheet or `.qdc` in one transaction,
//! recorded as one `codebook.import` action so one undo removes it. The
//! checks are `verbatim_store::rules` (`checked_import`, `taken_roots`),
//! as on SQLite; the unique index on sibling names settles a name another
//! process adds meanwhile.

use std::collections::{HashMap, HashSet};

use postgres::Transaction;
use verbatim_store::{Book, Coders, ImportedCode, Scope, StoreError, rules};

use crate::code_edits::named;
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
