//! The two decisions that grow the shared codebook from one coder's codes
//! on PostgreSQL: `accept` (a coder's code, or its whole subtree, copied
//! into the shared codebook with its passages) and `merge --into` (more
//! coders' codes joining an existing consensus code). Each runs inside the
//! decision's transaction (`PgStore::decide`), as SQLite's do in theirs.

use std::collections::{HashMap, HashSet};

use postgres::Transaction;
use serde_json::json;
use verbatim_store::DecisionKind;
use verbatim_store::rules::{self, Piece};

use crate::consensus_rows::{
    CodeRow, NewDecision, coder_code, coder_name, copy_code, descendants, fill_fields,
    insert_decision, insert_origin, known_code, pieces_of, shared_children, shared_name_taken,
    shared_parent, write_union,
};
use crate::reads::ReadError;
use crate::record::Recorder;

/// What a decision returns to `PgStore::decide`: its id, action, target
/// and audit summary.
pub(crate) type Decided = (i64, &'static str, String, serde_json::Value);

/// A code to copy: `(id, name, level, parents in the copied set, position)`.
type CopyRow = (i64, String, i64, Vec<i64>, i64);

/// An accept's request: the code, whether its subtree comes, where, why.
pub(crate) struct Accept<'a> {
    pub code: i64,
    pub subtree: bool,
    pub under: Option<i64>,
    pub note: Option<&'a str>,
}

/// Copies a coder's code (and its subtree when asked) into the shared
/// codebook with its passages, as SQLite's `reconcile_accept`.
pub(crate) fn accept(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    (coder, consensus): (i64, i64),
    asked: &Accept<'_>,
) -> Result<Decided, ReadError> {
    let code = asked.code;
    let root = coder_code(tx, code)?;
    let below = descendants(tx, code)?;
    let ids: HashSet<i64> = if asked.subtree {
        below.iter().copied().chain([code]).collect()
    } else {
        HashSet::from([code])
    };
    let rows = copy_rows(tx, code, &ids)?;
    let under_level = shared_parent(tx, asked.under)?;
    rules::accepted_under_level(&root.name, root.level, under_level).map_err(ReadError::Store)?;
    // Below the root each copy gets a new parent: only the root can meet a
    // shared sibling of its name.
    if shared_name_taken(tx, &root.name, asked.under)? {
        return Err(ReadError::Store(rules::accepted_names_taken(
            std::slice::from_ref(&root.name),
        )));
    }
    let owner = root.owner.unwrap_or(0);
    let mut passages: HashMap<i64, Vec<Piece>> = HashMap::new();
    for row in &rows {
        let mut codes = vec![row.0];
        if !asked.subtree {
            codes.extend(below.iter().copied());
        }
        passages.insert(row.0, pieces_of(tx, owner, &codes)?);
    }
    let root_position = shared_children(tx, asked.under)?;
    let owner_name = coder_name(tx, root.owner)?;
    let new_ids = copy_tree(tx, rec, &rows, (code, asked.under, root_position))?;
    let shared = new_ids.get(&code).copied();
    let decision = insert_decision(
        tx,
        rec,
        &NewDecision {
            kind: DecisionKind::Accept,
            coder,
            note: asked.note,
            shared,
            passage: None,
        },
    )?;
    let mut written = 0;
    for (id, name, level, ..) in &rows {
        let copy = new_ids.get(id).copied();
        let origin = CodeRow {
            owner: root.owner,
            name: name.clone(),
            level: *level,
        };
        insert_origin(tx, rec, decision, (*id, &origin), copy)?;
        if let (Some(copy), Some(pieces)) = (copy, passages.remove(id)) {
            written += write_union(tx, rec, (copy, consensus, decision), pieces)?.len();
        }
    }
    let summary = json!({
        "decision": decision, "code": root.name, "from": owner_name,
        "copied": rows.len(), "shared_code": shared, "note": asked.note,
        "passages": written,
    });
    Ok((
        decision,
        "reconcile.accept",
        format!("code:{code}"),
        summary,
    ))
}

/// Returns the codes to copy, parents inside the copied set listed primary
/// first, highest level first (every parent before its children).
fn copy_rows(
    tx: &mut Transaction<'_>,
    root: i64,
    ids: &HashSet<i64>,
) -> Result<Vec<CopyRow>, ReadError> {
    let mut rows: Vec<CopyRow> = Vec::with_capacity(ids.len());
    for &id in ids {
        let r = tx.query_one(
            "SELECT name, level, parent, position FROM codes WHERE id = $1",
            &[&id],
        )?;
        let (name, level, parent, position): (String, i64, Option<i64>, i64) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        let mut parents: Vec<i64> = Vec::new();
        if id != root {
            parents.extend(parent.filter(|p| ids.contains(p)));
            let links = tx.query(
                "SELECT parent FROM code_links WHERE child = $1 ORDER BY id",
                &[&id],
            )?;
            for link in &links {
                let p: i64 = link.try_get(0)?;
                if ids.contains(&p) {
                    parents.push(p);
                }
            }
        }
        rows.push((id, name, level, parents, position));
    }
    rows.sort_by_key(|r| (-r.2, r.4, r.0));
    Ok(rows)
}

/// Copies `rows` into the shared codebook, the root under `under` at
/// `root_position`, keeping their links inside the copied set; returns
/// each original id's copy.
fn copy_tree(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    rows: &[CopyRow],
    (root, under, root_position): (i64, Option<i64>, i64),
) -> Result<HashMap<i64, i64>, ReadError> {
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
        let new_id = copy_code(tx, rec, *id, (name, *level, primary, position))?;
        for further in parents.iter().skip(1) {
            if let Some(&p) = new_ids.get(further) {
                rec.insert(tx, "code_links", &[("child", &new_id), ("parent", &p)])?;
            }
        }
        new_ids.insert(*id, new_id);
    }
    Ok(new_ids)
}

/// Adds coders' codes to the consensus code `into`, as SQLite's
/// `reconcile_merge_into`.
pub(crate) fn merge_into(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    (coder, consensus): (i64, i64),
    (into, codes, note): (i64, &[i64], Option<&str>),
) -> Result<Decided, ReadError> {
    let target = known_code(tx, into)?;
    if target.owner.is_some() {
        return Err(ReadError::Store(rules::not_shared(
            &target.name,
            "--into names a consensus code",
        )));
    }
    if codes.is_empty() {
        return Err(ReadError::Store(rules::into_needs_a_code()));
    }
    let rows = crate::consensus::merged_rows(tx, codes, false)?;
    let (pieces, from) = crate::consensus::subtree_pieces(tx, &rows)?;
    // Two decisions on one consensus code join its passages one at a time.
    tx.execute("SELECT 1 FROM codes WHERE id = $1 FOR UPDATE", &[&into])?;
    fill_fields(tx, rec, into, codes)?;
    let decision = insert_decision(
        tx,
        rec,
        &NewDecision {
            kind: DecisionKind::Merge,
            coder,
            note,
            shared: Some(into),
            passage: None,
        },
    )?;
    for (id, row) in &rows {
        insert_origin(tx, rec, decision, (*id, row), Some(into))?;
    }
    let written = write_union(tx, rec, (into, consensus, decision), pieces)?;
    let summary = json!({
        "decision": decision, "name": target.name, "shared_code": into,
        "from": from, "passages": written.len(), "note": note,
    });
    Ok((decision, "reconcile.merge", format!("code:{into}"), summary))
}
