//! The consensus layer's passages: unions of coders' passages.
//!
//! A consensus code holds the passages of every coder's code it was made
//! from. Per source, the same words stay one passage and overlapping or
//! touching passages join into one, so the consensus layer never counts a
//! passage twice because two coders cut it differently. Each consensus
//! passage keeps, in `consensus_origins`, every coder whose passage fed it
//! (with the decision that brought that coder in). This module computes the
//! union and writes it through the caller's [`Recorder`], so the decision
//! that adds passages is undone with them. The union itself is
//! `boundary::rules`' ([`union`]), shared with PostgreSQL.

use std::collections::BTreeMap;

use rusqlite::types::Value;

pub(crate) use crate::rules::{Piece, union};

use crate::codes::delete_coding_rows;
use crate::history::{Recorder, Table, id_key};
use crate::{StoreError, audit};

/// Reads the consensus passages of `code` as pieces (with their coders).
fn existing(
    tx: &rusqlite::Connection,
    code: i64,
    consensus: i64,
) -> Result<Vec<Piece>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, source_id, start_char, end_char FROM codings \
         WHERE code_id = $1 AND coder_id = $2",
    )?;
    let rows: Vec<(i64, i64, i64, i64)> = stmt
        .query_map([code, consensus], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut origins = tx.prepare_cached(
        "SELECT coder_id, decision_id FROM consensus_origins WHERE coding_id = $1",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, source, start, end) in rows {
        let coders: BTreeMap<i64, Option<i64>> = origins
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
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

/// Adds `pieces` to the consensus passages of the shared code `code`:
/// every stretch of the union becomes one coding of the consensus coder,
/// existing consensus passages it absorbs are widened or removed, and each
/// coder new to a passage gets a `consensus_origins` row naming `decision`.
/// Returns the consensus coding ids, in the order of the union.
pub(crate) fn write_union(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    code: i64,
    consensus: i64,
    decision: i64,
    pieces: Vec<Piece>,
) -> Result<Vec<(Piece, i64)>, StoreError> {
    let mut all = existing(tx, code, consensus)?;
    all.extend(pieces);
    let mut written = Vec::new();
    for run in union(all) {
        let id = write_run(tx, rec, code, consensus, decision, &run)?;
        written.push((run, id));
    }
    Ok(written)
}

/// Writes one stretch of the union and returns its coding's id.
fn write_run(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    code: i64,
    consensus: i64,
    decision: i64,
    run: &Piece,
) -> Result<i64, StoreError> {
    // Keep the coding already covering exactly these words, else the first.
    let keeper = run.keeper();
    let id = match keeper {
        Some((id, start, end)) => {
            for other in run.codings.iter().filter(|c| c.0 != id) {
                delete_coding_rows(tx, rec, other.0)?;
            }
            if (start, end) != (run.start, run.end) {
                rec.update(
                    tx,
                    Table::Codings,
                    id_key(id),
                    &[
                        ("start_char", Value::Integer(run.start)),
                        ("end_char", Value::Integer(run.end)),
                    ],
                )?;
            }
            id
        }
        None => rec.insert(
            tx,
            Table::Codings,
            &[
                ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
                ("source_id", Value::Integer(run.source)),
                ("code_id", Value::Integer(code)),
                ("coder_id", Value::Integer(consensus)),
                ("start_char", Value::Integer(run.start)),
                ("end_char", Value::Integer(run.end)),
                ("created_at", Value::Text(audit::now())),
            ],
        )?,
    };
    let mut present = tx
        .prepare_cached("SELECT 1 FROM consensus_origins WHERE coding_id = $1 AND coder_id = $2")?;
    for (&coder, &from) in &run.coders {
        // A coding written just now has no origins yet.
        if keeper.is_some() && present.exists([id, coder])? {
            continue;
        }
        rec.insert(
            tx,
            Table::ConsensusOrigins,
            &[
                ("coding_id", Value::Integer(id)),
                ("coder_id", Value::Integer(coder)),
                ("decision_id", Value::Integer(from.unwrap_or(decision))),
            ],
        )?;
    }
    Ok(id)
}

/// Reads the passages of `codes` coded by `coder`, as pieces of that coder.
pub(crate) fn pieces_of(
    conn: &rusqlite::Connection,
    coder: i64,
    codes: &[i64],
) -> Result<Vec<Piece>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT source_id, start_char, end_char FROM codings WHERE coder_id = $1 AND code_id = $2",
    )?;
    let mut out = Vec::new();
    for &code in codes {
        let rows = stmt.query_map([coder, code], |r| {
            Ok(Piece::of(r.get(0)?, r.get(1)?, r.get(2)?, coder))
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coders(p: &Piece) -> Vec<i64> {
        p.coders.keys().copied().collect()
    }

    #[test]
    fn overlapping_and_touching_passages_join_and_keep_every_coder() {
        // Source 1: amira (1) [10,20), bruno (2) [15,30), carol (3) [40,45),
        // amira again [45,50) touching carol's; source 2: bruno [10,20).
        // By hand: [10,30) {1,2}; [40,50) {1,3}; source 2 [10,20) {2}.
        let runs = union(vec![
            Piece::of(1, 40, 45, 3),
            Piece::of(1, 15, 30, 2),
            Piece::of(2, 10, 20, 2),
            Piece::of(1, 10, 20, 1),
            Piece::of(1, 45, 50, 1),
        ]);
        let spans: Vec<(i64, i64, i64)> = runs.iter().map(|r| (r.source, r.start, r.end)).collect();
        assert_eq!(spans, [(1, 10, 30), (1, 40, 50), (2, 10, 20)]);
        assert_eq!(coders(&runs[0]), [1, 2]);
        assert_eq!(coders(&runs[1]), [1, 3]);
        assert_eq!(coders(&runs[2]), [2]);
    }

    #[test]
    fn the_same_words_from_two_coders_stay_one_passage() {
        let runs = union(vec![Piece::of(1, 5, 9, 1), Piece::of(1, 5, 9, 2)]);
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].start, runs[0].end), (5, 9));
        assert_eq!(coders(&runs[0]), [1, 2]);
    }

    #[test]
    fn a_gap_of_one_character_keeps_two_passages() {
        let runs = union(vec![Piece::of(1, 0, 4, 1), Piece::of(1, 5, 9, 2)]);
        assert_eq!(runs.len(), 2);
    }
}
