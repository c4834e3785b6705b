//! The reconciliation decisions that build the consensus: accept, merge
//! (of any number of coders' codes, or into an existing consensus code),
//! keep and passage verdicts.
//!
//! Each is one [`SqliteStore::act`]: the shared codes, the consensus
//! passages (codings of the consensus coder, see [`super::union`]), the
//! decision row and its origins are written through one recorder, so one
//! `verbatim undo` removes all of it.

use std::collections::{HashMap, HashSet};

use rusqlite::types::Value;
use verbatim_core::Span;

use super::union::{Piece, pieces_of, write_union};
use super::{CopyRow, DecisionKind, Verdict, clean, copy_code, insert_decision, insert_origin};
use crate::coders::Scope;
use crate::codes::{CodeRow, opt_text};
use crate::history::{Table, id_key};
use crate::{SqliteStore, StoreError, rules};

impl SqliteStore {
    /// Copies a coder's code (with everything below it when `subtree`) into
    /// the shared codebook, under the shared code `under` or at the top,
    /// remembering where each copy came from. Each copy gets its own code's
    /// passages in the consensus layer; a code copied without its subtree
    /// gets the passages of the codes below it too, so nothing the coder
    /// coded under it is lost. Returns the decision's id.
    pub fn reconcile_accept(
        &mut self,
        scope: &Scope,
        code: i64,
        subtree: bool,
        under: Option<i64>,
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        Self::comparing(scope)?;
        let root = self.coder_code(code)?;
        let below = self.descendants(code)?;
        let ids: HashSet<i64> = if subtree {
            below.iter().copied().chain([code]).collect()
        } else {
            HashSet::from([code])
        };
        let rows = self.copy_rows(code, &ids)?;
        rules::accepted_under_level(&root.name, root.level, self.shared_parent(under)?)?;
        let clashes: Vec<String> = rows
            .iter()
            // Below the root, each copy gets a new parent: only the root can
            // meet a shared sibling of its name.
            .filter(|r| r.0 == code && self.shared_name_taken(&r.1, under).unwrap_or(true))
            .map(|r| r.1.clone())
            .collect();
        if !clashes.is_empty() {
            return Err(rules::accepted_names_taken(&clashes));
        }
        let owner = root.owner.unwrap_or(0);
        let mut passages: HashMap<i64, Vec<Piece>> = HashMap::new();
        for row in &rows {
            let mut codes = vec![row.0];
            if !subtree {
                codes.extend(below.iter().copied());
            }
            passages.insert(row.0, pieces_of(&self.conn, owner, &codes)?);
        }
        let root_position = self.shared_children(under)?;
        let coder = scope.coder().clone();
        let consensus = self.consensus_coder()?.id;
        let owner_name = self.coder_name(root.owner)?;
        self.act(
            &coder.name,
            "reconcile.accept",
            &format!("code:{code}"),
            |tx, rec| {
                let new_ids = copy_tree(tx, rec, &rows, (code, under, root_position))?;
                let shared = new_ids.get(&code).copied();
                let decision = insert_decision(
                    tx,
                    rec,
                    DecisionKind::Accept,
                    coder.id,
                    note,
                    shared,
                    None,
                    None,
                )?;
                let mut written = 0;
                for (id, name, ..) in &rows {
                    let copy = new_ids.get(id).copied();
                    insert_origin(tx, rec, decision, *id, name, root.owner, copy)?;
                    if let (Some(copy), Some(pieces)) = (copy, passages.remove(id)) {
                        written += write_union(tx, rec, copy, consensus, decision, pieces)?.len();
                    }
                }
                Ok((
                    decision,
                    serde_json::json!({
                        "decision": decision, "code": root.name, "from": owner_name,
                        "copied": rows.len(), "shared_code": shared, "note": note,
                        "passages": written,
                    }),
                ))
            },
        )
    }

    /// Returns the codes to copy for an accept, parents inside the copied
    /// set listed primary first, highest level first (so every parent is
    /// created before its children).
    fn copy_rows(&self, root: i64, ids: &HashSet<i64>) -> Result<Vec<CopyRow>, StoreError> {
        let mut rows: Vec<CopyRow> = Vec::new();
        for &id in ids {
            let (name, level, parent, position): (String, i64, Option<i64>, i64) =
                self.conn.query_row(
                    "SELECT name, level, parent, position FROM codes WHERE id = $1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
            let mut parents: Vec<i64> = Vec::new();
            if id != root {
                parents.extend(parent.filter(|p| ids.contains(p)));
                let links: Vec<i64> = self
                    .conn
                    .prepare_cached("SELECT parent FROM code_links WHERE child = $1 ORDER BY id")?
                    .query_map([id], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                parents.extend(links.into_iter().filter(|p| ids.contains(p)));
            }
            rows.push((id, name, level, parents, position));
        }
        rows.sort_by_key(|r| (-r.2, r.4, r.0));
        Ok(rows)
    }

    /// Makes one shared code of two coders' matched codes; see
    /// [`SqliteStore::reconcile_merge_codes`], which takes any number.
    pub fn reconcile_merge(
        &mut self,
        scope: &Scope,
        a: i64,
        b: i64,
        name: Option<&str>,
        under: Option<i64>,
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        self.reconcile_merge_codes(scope, &[a, b], name, under, note)
    }

    /// Makes one consensus code of several coders' matched codes (one per
    /// coder, at least two), recording every origin. The consensus code
    /// takes `name` (or the first code's name), the highest of the levels
    /// and, field by field, the first description found; its passages are
    /// the union of the merged codes' passages with their whole subtrees.
    /// Returns the decision's id.
    pub fn reconcile_merge_codes(
        &mut self,
        scope: &Scope,
        codes: &[i64],
        name: Option<&str>,
        under: Option<i64>,
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        Self::comparing(scope)?;
        if codes.len() < 2 {
            return Err(rules::merge_needs_two());
        }
        let rows = self.merged_rows(codes, true)?;
        let name = match name {
            Some(n) => clean(n)?,
            None => rows[0].1.name.clone(),
        };
        if self.shared_name_taken(&name, under)? {
            return Err(rules::merged_name_taken(&name));
        }
        let level = rows.iter().map(|r| r.1.level).max().unwrap_or(1);
        rules::merged_under_level(level, self.shared_parent(under)?)?;
        let pieces = self.subtree_pieces(&rows)?;
        let position = self.shared_children(under)?;
        let coder = scope.coder().clone();
        let consensus = self.consensus_coder()?.id;
        let summary = self.origins_summary(&rows)?;
        self.act(
            &coder.name,
            "reconcile.merge",
            &format!("code:{}", codes[0]),
            |tx, rec| {
                let shared = copy_code(tx, rec, codes[0], &name, level, under, position)?;
                fill_fields(tx, rec, shared, &codes[1..])?;
                let decision = insert_decision(
                    tx,
                    rec,
                    DecisionKind::Merge,
                    coder.id,
                    note,
                    Some(shared),
                    None,
                    None,
                )?;
                for (id, row) in &rows {
                    insert_origin(tx, rec, decision, *id, &row.name, row.owner, Some(shared))?;
                }
                let written = write_union(tx, rec, shared, consensus, decision, pieces)?;
                Ok((
                    decision,
                    serde_json::json!({
                        "decision": decision, "name": name, "shared_code": shared,
                        "from": summary, "passages": written.len(), "note": note,
                    }),
                ))
            },
        )
    }

    /// Adds further coders' codes to an existing consensus code `into` (a
    /// third coder's matching theme joins the merge): their passages, with
    /// their subtrees, join the consensus code's by union. Returns the
    /// decision's id.
    pub fn reconcile_merge_into(
        &mut self,
        scope: &Scope,
        into: i64,
        codes: &[i64],
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        Self::comparing(scope)?;
        let target = self
            .code_row(into)?
            .ok_or_else(|| StoreError::UnknownCode(into.to_string()))?;
        if target.owner.is_some() {
            return Err(rules::not_shared(
                &target.name,
                "--into names a consensus code",
            ));
        }
        if codes.is_empty() {
            return Err(rules::into_needs_a_code());
        }
        let rows = self.merged_rows(codes, false)?;
        let pieces = self.subtree_pieces(&rows)?;
        let coder = scope.coder().clone();
        let consensus = self.consensus_coder()?.id;
        let summary = self.origins_summary(&rows)?;
        self.act(
            &coder.name,
            "reconcile.merge",
            &format!("code:{into}"),
            |tx, rec| {
                fill_fields(tx, rec, into, codes)?;
                let decision = insert_decision(
                    tx,
                    rec,
                    DecisionKind::Merge,
                    coder.id,
                    note,
                    Some(into),
                    None,
                    None,
                )?;
                for (id, row) in &rows {
                    insert_origin(tx, rec, decision, *id, &row.name, row.owner, Some(into))?;
                }
                let written = write_union(tx, rec, into, consensus, decision, pieces)?;
                Ok((
                    decision,
                    serde_json::json!({
                        "decision": decision, "name": target.name, "shared_code": into,
                        "from": summary, "passages": written.len(), "note": note,
                    }),
                ))
            },
        )
    }

    /// Returns the coders' codes a merge takes, refusing shared codes, a
    /// code named twice and, when `one_per_coder`, two codes of one coder.
    fn merged_rows(
        &self,
        codes: &[i64],
        one_per_coder: bool,
    ) -> Result<Vec<(i64, CodeRow)>, StoreError> {
        let mut rows: Vec<(i64, CodeRow)> = Vec::with_capacity(codes.len());
        for &id in codes {
            let row = self.coder_code(id)?;
            if rows.iter().any(|(seen, _)| *seen == id) {
                return Err(rules::named_twice(&row.name));
            }
            if one_per_coder
                && let Some((_, twin)) = rows.iter().find(|(_, r)| r.owner == row.owner)
            {
                let who = self.coder_name(row.owner)?.unwrap_or_default();
                return Err(rules::one_code_per_coder(&twin.name, &row.name, &who));
            }
            rows.push((id, row));
        }
        Ok(rows)
    }

    /// Returns each code's passages, with its whole subtree rolled up, as
    /// pieces of the coder owning it.
    fn subtree_pieces(&self, rows: &[(i64, CodeRow)]) -> Result<Vec<Piece>, StoreError> {
        let mut pieces = Vec::new();
        for (id, row) in rows {
            let mut codes: Vec<i64> = self.descendants(*id)?.into_iter().collect();
            codes.push(*id);
            pieces.extend(pieces_of(&self.conn, row.owner.unwrap_or(0), &codes)?);
        }
        Ok(pieces)
    }

    /// Returns `[{code, coder}]` for an action's audit summary.
    fn origins_summary(&self, rows: &[(i64, CodeRow)]) -> Result<serde_json::Value, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for (_, row) in rows {
            out.push(serde_json::json!({
                "code": row.name, "coder": self.coder_name(row.owner)?,
            }));
        }
        Ok(serde_json::Value::Array(out))
    }

    /// Records that a coder's divergent code stays theirs, not shared, and
    /// why. Returns the decision's id.
    pub fn reconcile_keep(
        &mut self,
        scope: &Scope,
        code: i64,
        note: &str,
    ) -> Result<i64, StoreError> {
        Self::comparing(scope)?;
        let row = self.coder_code(code)?;
        rules::keep_note(note)?;
        let coder = scope.coder().clone();
        self.act(
            &coder.name,
            "reconcile.keep",
            &format!("code:{code}"),
            |tx, rec| {
                let decision = insert_decision(
                    tx,
                    rec,
                    DecisionKind::Keep,
                    coder.id,
                    Some(note),
                    None,
                    None,
                    None,
                )?;
                insert_origin(tx, rec, decision, code, &row.name, row.owner, None)?;
                Ok((
                    decision,
                    serde_json::json!({ "decision": decision, "code": row.name, "note": note }),
                ))
            },
        )
    }

    /// Accepts a disagreement passage into the consensus layer (a passage
    /// of the consensus coder on the shared code `shared`, joined with the
    /// consensus passages it overlaps or touches) or rejects it. `origins`
    /// are the coders' codes the passage was compared under; the coders
    /// who coded these words with them (or a code below) are recorded as
    /// the passage's contributors. Returns the decision's id.
    #[allow(clippy::too_many_arguments)]
    pub fn reconcile_passage(
        &mut self,
        scope: &Scope,
        verdict: Verdict,
        source: i64,
        span: Span,
        shared: Option<i64>,
        origins: &[i64],
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        Self::comparing(scope)?;
        self.check_passage(source, span)?;
        if let Some(code) = shared {
            let row = self
                .code_row(code)?
                .ok_or_else(|| StoreError::UnknownCode(code.to_string()))?;
            if row.owner.is_some() {
                return Err(rules::not_shared(&row.name, "accept or merge it first"));
            }
        } else if verdict == Verdict::Accept {
            return Err(rules::accept_needs_shared());
        }
        let mut origin_rows = Vec::new();
        for &o in origins {
            let row = self
                .code_row(o)?
                .ok_or_else(|| StoreError::UnknownCode(o.to_string()))?;
            origin_rows.push((o, row.name, row.owner));
        }
        let (start, end) = (span.start() as i64, span.end() as i64);
        let piece = Piece {
            source,
            start,
            end,
            coders: self.contributors(source, start, end, origins)?,
            codings: Vec::new(),
        };
        let coder = scope.coder().clone();
        let consensus = self.consensus_coder()?.id;
        let (kind, action) = match verdict {
            Verdict::Accept => (DecisionKind::PassageAccept, "reconcile.passage.accept"),
            Verdict::Reject => (DecisionKind::PassageReject, "reconcile.passage.reject"),
        };
        self.act(
            &coder.name,
            action,
            &format!("source:{source}"),
            |tx, rec| {
                let decision = insert_decision(
                    tx,
                    rec,
                    kind,
                    coder.id,
                    note,
                    shared,
                    Some((source, start, end)),
                    None,
                )?;
                let mut coding = None;
                if let (Verdict::Accept, Some(code)) = (verdict, shared) {
                    let written = write_union(tx, rec, code, consensus, decision, vec![piece])?;
                    coding = written
                        .iter()
                        .find(|(run, _)| {
                            run.source == source && run.start <= start && end <= run.end
                        })
                        .map(|(_, id)| *id);
                    if let Some(id) = coding {
                        let memo = note.map(str::to_owned);
                        rec.update(
                            tx,
                            Table::ReconciliationDecisions,
                            id_key(decision),
                            &[("coding_id", Value::Integer(id))],
                        )?;
                        if memo.is_some() {
                            rec.update(
                                tx,
                                Table::Codings,
                                id_key(id),
                                &[("memo", opt_text(&memo))],
                            )?;
                        }
                    }
                }
                for (id, name, owner) in &origin_rows {
                    insert_origin(tx, rec, decision, *id, name, *owner, shared)?;
                }
                Ok((
                    decision,
                    serde_json::json!({
                        "decision": decision, "source": source, "start": start, "end": end,
                        "shared_code": shared, "coding": coding, "note": note,
                    }),
                ))
            },
        )
    }

    /// Checks that a passage is inside its source and not empty.
    fn check_passage(&self, source: i64, span: Span) -> Result<(), StoreError> {
        let chars: i64 = self
            .conn
            .query_row("SELECT chars FROM sources WHERE id = $1", [source], |r| {
                r.get(0)
            })
            .map_err(|_| StoreError::SourceNotFound(source.to_string()))?;
        rules::decided_passage(span, chars)
    }

    /// Returns the coders who coded words of `[start, end)` with one of
    /// `codes` (or a code below one), each as a contributor.
    fn contributors(
        &self,
        source: i64,
        start: i64,
        end: i64,
        codes: &[i64],
    ) -> Result<std::collections::BTreeMap<i64, Option<i64>>, StoreError> {
        let mut out = std::collections::BTreeMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT coder_id FROM codings WHERE source_id = $1 AND code_id = $2 \
             AND start_char < $3 AND $4 < end_char",
        )?;
        for &code in codes {
            let Some(row) = self.code_row(code)? else {
                continue;
            };
            let Some(owner) = row.owner else { continue };
            let mut all: Vec<i64> = self.descendants(code)?.into_iter().collect();
            all.push(code);
            for c in all {
                let coders: Vec<i64> = stmt
                    .query_map([source, c, end, start], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                if coders.contains(&owner) {
                    out.insert(owner, None);
                }
            }
        }
        Ok(out)
    }
}

/// Copies the codes of `rows` (parents first, as `copy_rows` orders them)
/// into the shared codebook, the root under `under` at `root_position`,
/// keeping their links inside the copied set. Returns each original id's
/// copy.
fn copy_tree(
    tx: &rusqlite::Connection,
    rec: &mut crate::history::Recorder,
    rows: &[CopyRow],
    (root, under, root_position): (i64, Option<i64>, i64),
) -> Result<HashMap<i64, i64>, StoreError> {
    let mut new_ids: HashMap<i64, i64> = HashMap::new();
    for (id, name, level, parents, position) in rows {
        let (primary, position) = if *id == root {
            (under, root_position)
        } else {
            (
                parents.first().and_then(|p| new_ids.get(p).copied()),
                *position,
            )
        };
        let new_id = copy_code(tx, rec, *id, name, *level, primary, position)?;
        for further in parents.iter().skip(1) {
            if let Some(&p) = new_ids.get(further) {
                rec.insert(
                    tx,
                    Table::CodeLinks,
                    &[
                        ("child", Value::Integer(new_id)),
                        ("parent", Value::Integer(p)),
                    ],
                )?;
            }
        }
        new_ids.insert(*id, new_id);
    }
    Ok(new_ids)
}

/// Fills the descriptive fields the shared code `shared` lacks from the
/// codes `from`, in order (the first description found wins).
fn fill_fields(
    tx: &rusqlite::Connection,
    rec: &mut crate::history::Recorder,
    shared: i64,
    from: &[i64],
) -> Result<(), StoreError> {
    for field in ["colour", "definition", "inclusion", "exclusion", "example"] {
        let sql = format!("SELECT {field} FROM codes WHERE id = $1");
        let mine: Option<String> = tx.query_row(&sql, [shared], |r| r.get(0))?;
        if mine.is_some() {
            continue;
        }
        for &other in from {
            let theirs: Option<String> = tx.query_row(&sql, [other], |r| r.get(0))?;
            if theirs.is_some() {
                rec.update(
                    tx,
                    Table::Codes,
                    id_key(shared),
                    &[(field, opt_text(&theirs))],
                )?;
                break;
            }
        }
    }
    Ok(())
}
