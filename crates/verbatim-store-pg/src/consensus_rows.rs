//! The rows a reconciliation decision reads and writes on PostgreSQL: the
//! coders' codes it takes, their passages, the shared codes and consensus
//! passages it makes, its decision and origin rows. Every write goes
//! through the action's [`Recorder`], so one undo removes the decision
//! whole; the union of passages is `verbatim_store::rules::union`, the
//! same as SQLite's.

use std::collections::BTreeMap;

use postgres::Transaction;
use verbatim_store::rules::{self, Piece};
use verbatim_store::{DecisionKind, StoreError};

use crate::now;
use crate::reads::ReadError;
use crate::record::Recorder;

/// Every code below `$1` (through primary parents and links), not itself.
const BELOW: &str = "WITH RECURSIVE edge(child, parent) AS ( \
         SELECT id, parent FROM codes WHERE parent IS NOT NULL \
         UNION ALL SELECT child, parent FROM code_links), \
     below(id) AS (SELECT $1::BIGINT UNION SELECT edge.child FROM edge JOIN below ON edge.parent = below.id) \
     SELECT id FROM below WHERE id <> $1 ORDER BY id";

/// A code as decisions read it.
#[derive(Debug, Clone)]
pub(crate) struct CodeRow {
    pub owner: Option<i64>,
    pub name: String,
    pub level: i64,
}

/// Returns the code, held against deletion until the decision commits.
pub(crate) fn code_row(tx: &mut Transaction<'_>, id: i64) -> Result<Option<CodeRow>, ReadError> {
    let row = tx.query_opt(
        "SELECT owner, name, level FROM codes WHERE id = $1 FOR SHARE",
        &[&id],
    )?;
    Ok(match row {
        Some(r) => Some(CodeRow {
            owner: r.try_get(0)?,
            name: r.try_get(1)?,
            level: r.try_get(2)?,
        }),
        None => None,
    })
}

/// Returns a code that must exist.
pub(crate) fn known_code(tx: &mut Transaction<'_>, id: i64) -> Result<CodeRow, ReadError> {
    code_row(tx, id)?.ok_or_else(|| ReadError::Store(StoreError::UnknownCode(id.to_string())))
}

/// Returns a code of a coder's own codebook, refusing shared codes.
pub(crate) fn coder_code(tx: &mut Transaction<'_>, id: i64) -> Result<CodeRow, ReadError> {
    let row = known_code(tx, id)?;
    if row.owner.is_none() {
        return Err(ReadError::Store(rules::already_shared(&row.name)));
    }
    Ok(row)
}

/// Returns the codes below `id`.
pub(crate) fn descendants(tx: &mut Transaction<'_>, id: i64) -> Result<Vec<i64>, ReadError> {
    let rows = tx.query(BELOW, &[&id])?;
    Ok(rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?)
}

/// Returns a coder's name, if the coder exists.
pub(crate) fn coder_name(
    tx: &mut Transaction<'_>,
    id: Option<i64>,
) -> Result<Option<String>, ReadError> {
    let Some(id) = id else { return Ok(None) };
    let row = tx.query_opt("SELECT name FROM coders WHERE id = $1", &[&id])?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Returns the level of the shared parent `under`, checking it is shared.
pub(crate) fn shared_parent(
    tx: &mut Transaction<'_>,
    under: Option<i64>,
) -> Result<Option<i64>, ReadError> {
    let Some(p) = under else { return Ok(None) };
    let row = known_code(tx, p)?;
    if row.owner.is_some() {
        return Err(ReadError::Store(rules::not_shared(
            &row.name,
            "--under names a shared code",
        )));
    }
    Ok(Some(row.level))
}

/// Returns true when a shared code under `under` (the top when `None`)
/// is called `name`.
pub(crate) fn shared_name_taken(
    tx: &mut Transaction<'_>,
    name: &str,
    under: Option<i64>,
) -> Result<bool, ReadError> {
    let row = tx.query_opt(
        "SELECT 1 FROM codes WHERE owner IS NULL AND coalesce(parent, 0) = $1 AND name = $2",
        &[&under.unwrap_or(0), &name],
    )?;
    Ok(row.is_some())
}

/// Returns how many shared codes sit under `under` (the new one's place).
pub(crate) fn shared_children(
    tx: &mut Transaction<'_>,
    under: Option<i64>,
) -> Result<i64, ReadError> {
    let row = tx.query_one(
        "SELECT count(*) FROM codes WHERE owner IS NULL AND coalesce(parent, 0) = $1",
        &[&under.unwrap_or(0)],
    )?;
    Ok(row.try_get(0)?)
}

/// Reads the passages of `codes` coded by `coder`, as pieces of that coder.
pub(crate) fn pieces_of(
    tx: &mut Transaction<'_>,
    coder: i64,
    codes: &[i64],
) -> Result<Vec<Piece>, ReadError> {
    let mut out = Vec::new();
    for code in codes {
        let rows = tx.query(
            "SELECT source_id, start_char, end_char FROM codings \
             WHERE coder_id = $1 AND code_id = $2 ORDER BY id",
            &[&coder, code],
        )?;
        for r in &rows {
            out.push(Piece::of(
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                coder,
            ));
        }
    }
    Ok(out)
}

/// Returns the coders who coded words of `[start, end)` with one of
/// `codes` (or a code below one), each as a contributor.
pub(crate) fn contributors(
    tx: &mut Transaction<'_>,
    (source, start, end): (i64, i64, i64),
    codes: &[i64],
) -> Result<BTreeMap<i64, Option<i64>>, ReadError> {
    let mut out = BTreeMap::new();
    for &code in codes {
        let Some(CodeRow {
            owner: Some(owner), ..
        }) = code_row(tx, code)?
        else {
            continue;
        };
        let mut all = descendants(tx, code)?;
        all.push(code);
        let found = tx.query_opt(
            "SELECT 1 FROM codings WHERE source_id = $1 AND code_id = ANY($2) \
             AND coder_id = $3 AND start_char < $4 AND $5 < end_char LIMIT 1",
            &[&source, &all, &owner, &end, &start],
        )?;
        if found.is_some() {
            out.insert(owner, None);
        }
    }
    Ok(out)
}

/// Inserts a shared copy of code `from` (its descriptive fields) named
/// `name`, and returns the copy's id.
pub(crate) fn copy_code(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    from: i64,
    (name, level, parent, position): (&str, i64, Option<i64>, i64),
) -> Result<i64, ReadError> {
    let r = tx.query_one(
        "SELECT colour, definition, inclusion, exclusion, example FROM codes WHERE id = $1",
        &[&from],
    )?;
    let fields: Vec<Option<String>> = (0..5).map(|i| r.try_get(i)).collect::<Result<_, _>>()?;
    let (guid, created, owner) = (uuid::Uuid::new_v4().to_string(), now(), None::<i64>);
    let inserted = rec.insert(
        tx,
        "codes",
        &[
            ("guid", &guid),
            ("owner", &owner),
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
    match inserted {
        // Another process named a shared sibling so meanwhile.
        Err(e) if crate::record::is_unique_violation(&e) => {
            Err(ReadError::Store(rules::merged_name_taken(name)))
        }
        other => Ok(other?),
    }
}

/// Fills the descriptive fields the shared code `shared` lacks from the
/// codes `from`, in order (the first description found wins).
pub(crate) fn fill_fields(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    shared: i64,
    from: &[i64],
) -> Result<(), ReadError> {
    for field in ["colour", "definition", "inclusion", "exclusion", "example"] {
        let sql = format!("SELECT {field} FROM codes WHERE id = $1");
        let mine: Option<String> = tx.query_one(&sql, &[&shared])?.try_get(0)?;
        if mine.is_some() {
            continue;
        }
        for other in from {
            let theirs: Option<String> = tx.query_one(&sql, &[other])?.try_get(0)?;
            if theirs.is_some() {
                rec.update(tx, "codes", shared, &[(field, &theirs)])?;
                break;
            }
        }
    }
    Ok(())
}

/// A decision row's content: kind, who, note, shared code, passage.
pub(crate) struct NewDecision<'a> {
    pub kind: DecisionKind,
    pub coder: i64,
    pub note: Option<&'a str>,
    pub shared: Option<i64>,
    pub passage: Option<(i64, i64, i64)>,
}

/// Inserts the decision row and returns its id.
pub(crate) fn insert_decision(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    d: &NewDecision<'_>,
) -> Result<i64, ReadError> {
    let note = rules::decision_note(d.note).map_err(ReadError::Store)?;
    let (guid, at, kind) = (uuid::Uuid::new_v4().to_string(), now(), d.kind.as_str());
    let (source, start, end) = (
        d.passage.map(|p| p.0),
        d.passage.map(|p| p.1),
        d.passage.map(|p| p.2),
    );
    let coding: Option<i64> = None;
    Ok(rec.insert(
        tx,
        "reconciliation_decisions",
        &[
            ("guid", &guid),
            ("kind", &kind),
            ("coder_id", &d.coder),
            ("decided_at", &at),
            ("note", &note),
            ("shared_code", &d.shared),
            ("source_id", &source),
            ("start_char", &start),
            ("end_char", &end),
            ("coding_id", &coding),
        ],
    )?)
}

/// Inserts one origin of a decision: a coder's code and its name now.
pub(crate) fn insert_origin(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    decision: i64,
    (code, row): (i64, &CodeRow),
    shared: Option<i64>,
) -> Result<(), ReadError> {
    rec.insert(
        tx,
        "reconciliation_origins",
        &[
            ("decision_id", &decision),
            ("code_id", &code),
            ("code_name", &row.name),
            ("owner", &row.owner),
            ("shared_code", &shared),
        ],
    )?;
    Ok(())
}

/// Reads the consensus passages of `code` as pieces (with their coders),
/// each locked until the decision commits.
fn existing(tx: &mut Transaction<'_>, code: i64, consensus: i64) -> Result<Vec<Piece>, ReadError> {
    let rows = tx.query(
        "SELECT id, source_id, start_char, end_char FROM codings \
         WHERE code_id = $1 AND coder_id = $2 ORDER BY id FOR UPDATE",
        &[&code, &consensus],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let (id, source, start, end): (i64, i64, i64, i64) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        let coders = tx
            .query(
                "SELECT coder_id, decision_id FROM consensus_origins WHERE coding_id = $1",
                &[&id],
            )?
            .iter()
            .map(|o| Ok((o.try_get(0)?, o.try_get(1)?)))
            .collect::<Result<_, postgres::Error>>()?;
        out.push(Piece {
            source,
            start,
            end,
            coders,
            codings: vec![(id, start, end)],
        });
    }
    Ok(out)
}

/// Adds `pieces` to the consensus passages of the shared code `code`, as
/// SQLite's `write_union` does: each stretch of the union becomes one
/// coding of the consensus coder, absorbed passages are widened or
/// removed, and each coder new to a passage gets a `consensus_origins`
/// row naming `decision`. Returns the runs with their coding ids.
pub(crate) fn write_union(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    (code, consensus, decision): (i64, i64, i64),
    pieces: Vec<Piece>,
) -> Result<Vec<(Piece, i64)>, ReadError> {
    let mut all = existing(tx, code, consensus)?;
    all.extend(pieces);
    let mut written = Vec::new();
    for run in rules::union(all) {
        let id = write_run(tx, rec, (code, consensus, decision), &run)?;
        written.push((run, id));
    }
    Ok(written)
}

fn write_run(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    (code, consensus, decision): (i64, i64, i64),
    run: &Piece,
) -> Result<i64, ReadError> {
    let keeper = run.keeper();
    let id = match keeper {
        Some((id, start, end)) => {
            for other in run.codings.iter().filter(|c| c.0 != id) {
                let origins = tx.query(
                    "SELECT id FROM consensus_origins WHERE coding_id = $1 ORDER BY id",
                    &[&other.0],
                )?;
                for o in &origins {
                    rec.delete(tx, "consensus_origins", o.try_get(0)?)?;
                }
                rec.delete(tx, "codings", other.0)?;
            }
            if (start, end) != (run.start, run.end) {
                rec.update(
                    tx,
                    "codings",
                    id,
                    &[("start_char", &run.start), ("end_char", &run.end)],
                )?;
            }
            id
        }
        None => {
            let (guid, created) = (uuid::Uuid::new_v4().to_string(), now());
            rec.insert(
                tx,
                "codings",
                &[
                    ("guid", &guid),
                    ("source_id", &run.source),
                    ("code_id", &code),
                    ("coder_id", &consensus),
                    ("start_char", &run.start),
                    ("end_char", &run.end),
                    ("created_at", &created),
                ],
            )?
        }
    };
    for (&coder, &from) in &run.coders {
        // A coding written just now has no origins yet.
        if keeper.is_some() {
            let present = tx.query_opt(
                "SELECT 1 FROM consensus_origins WHERE coding_id = $1 AND coder_id = $2",
                &[&id, &coder],
            )?;
            if present.is_some() {
                continue;
            }
        }
        let from = from.unwrap_or(decision);
        rec.insert(
            tx,
            "consensus_origins",
            &[
                ("coding_id", &id),
                ("coder_id", &coder),
                ("decision_id", &from),
            ],
        )?;
    }
    Ok(id)
}
