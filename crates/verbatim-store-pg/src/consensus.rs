//! `Consensus` on PostgreSQL: the reconciliation decisions (merge, keep,
//! passage verdicts; accept and merge --into in `consensus_accept`) and
//! their list, as SQLite takes and lists them. Each
//! decision is one transaction that reads what it decides on inside it
//! (the coders' codes held `FOR SHARE`, the consensus passages it joins
//! `FOR UPDATE`), writes through one [`Recorder`] and appends one undoable
//! audit entry in SQLite's shape. The refusals are `rules`', so both
//! backends refuse a decision with the same sentence.

use postgres::Transaction;
use serde_json::json;
use verbatim_core::Span;
use verbatim_store::rules::{self, Piece};
use verbatim_store::{
    Coders, Consensus, Decision, DecisionKind, Origin, Scope, StoreError, Verdict,
};

use crate::PgStore;
use crate::consensus_accept::{Accept, Decided, accept, merge_into};
use crate::consensus_rows::{
    CodeRow, NewDecision, coder_code, coder_name, contributors, copy_code, descendants,
    fill_fields, insert_decision, insert_origin, known_code, pieces_of, shared_children,
    shared_name_taken, shared_parent, write_union,
};
use crate::reads::ReadError;
use crate::record::Recorder;

fn comparing(scope: &Scope) -> Result<(), StoreError> {
    if scope.sees_all() {
        Ok(())
    } else {
        Err(StoreError::Blind)
    }
}

impl PgStore {
    /// Runs one decision in one transaction: `decide` writes through the
    /// recorder and returns the decision's id, its action, target and
    /// audit summary; then the entry is appended and all of it committed.
    fn decide(
        &self,
        actor: &str,
        decide: impl FnOnce(&mut Transaction<'_>, &mut Recorder) -> Result<Decided, ReadError>,
    ) -> Result<i64, StoreError> {
        let mut client = self.client();
        let done = (|| -> Result<i64, ReadError> {
            let mut tx = client.transaction()?;
            let mut rec = Recorder::default();
            let (decision, action, target, summary) = decide(&mut tx, &mut rec)?;
            rec.finish(&mut tx, actor, action, Some(&target), summary)?;
            tx.commit()?;
            Ok(decision)
        })();
        done.map_err(|e| self.read_error(e))
    }
}

impl Consensus for PgStore {
    fn decisions(&self, scope: &Scope) -> Result<Vec<Decision>, StoreError> {
        comparing(scope)?;
        let mut client = self.client();
        let read = (|| -> Result<Vec<Decision>, ReadError> {
            let rows = client.query(
                "SELECT r.id, r.kind, d.name, r.decided_at, r.note, r.shared_code, c.name, \
                        r.source_id, r.start_char, r.end_char, r.coding_id \
                 FROM reconciliation_decisions r JOIN coders d ON d.id = r.coder_id \
                 LEFT JOIN codes c ON c.id = r.shared_code ORDER BY r.id",
                &[],
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let id: i64 = r.try_get(0)?;
                let origins = client
                    .query(
                        "SELECT o.code_id, o.code_name, d.name, o.shared_code \
                         FROM reconciliation_origins o LEFT JOIN coders d ON d.id = o.owner \
                         WHERE o.decision_id = $1 ORDER BY o.id",
                        &[&id],
                    )?
                    .iter()
                    .map(|o| {
                        Ok(Origin {
                            code_id: o.try_get(0)?,
                            code_name: o.try_get(1)?,
                            coder: o.try_get(2)?,
                            shared_code: o.try_get(3)?,
                        })
                    })
                    .collect::<Result<_, postgres::Error>>()?;
                out.push(Decision {
                    id,
                    kind: DecisionKind::parse(r.try_get(1)?).map_err(ReadError::Store)?,
                    coder: r.try_get(2)?,
                    decided_at: r.try_get(3)?,
                    note: r.try_get(4)?,
                    shared_code: r.try_get(5)?,
                    shared_name: r.try_get(6)?,
                    source_id: r.try_get(7)?,
                    start: r.try_get(8)?,
                    end: r.try_get(9)?,
                    coding_id: r.try_get(10)?,
                    origins,
                });
            }
            Ok(out)
        })();
        read.map_err(|e| self.read_error(e))
    }

    fn reconcile_accept(
        &mut self,
        scope: &Scope,
        code: i64,
        subtree: bool,
        under: Option<i64>,
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        comparing(scope)?;
        let coder = scope.coder().clone();
        let consensus = self.consensus_coder()?.id;
        let asked = Accept {
            code,
            subtree,
            under,
            note,
        };
        self.decide(&coder.name, |tx, rec| {
            accept(tx, rec, (coder.id, consensus), &asked)
        })
    }

    fn reconcile_merge_into(
        &mut self,
        scope: &Scope,
        into: i64,
        codes: &[i64],
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        comparing(scope)?;
        let coder = scope.coder().clone();
        let consensus = self.consensus_coder()?.id;
        self.decide(&coder.name, |tx, rec| {
            merge_into(tx, rec, (coder.id, consensus), (into, codes, note))
        })
    }

    fn reconcile_merge_codes(
        &mut self,
        scope: &Scope,
        codes: &[i64],
        name: Option<&str>,
        under: Option<i64>,
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        comparing(scope)?;
        if codes.len() < 2 {
            return Err(rules::merge_needs_two());
        }
        let coder = scope.coder().clone();
        let consensus = self.consensus_coder()?.id;
        self.decide(&coder.name, |tx, rec| {
            let rows = merged_rows(tx, codes, true)?;
            let name = match name {
                Some(n) => rules::consensus_name(n).map_err(ReadError::Store)?,
                None => rows[0].1.name.clone(),
            };
            if shared_name_taken(tx, &name, under)? {
                return Err(ReadError::Store(rules::merged_name_taken(&name)));
            }
            let level = rows.iter().map(|r| r.1.level).max().unwrap_or(1);
            rules::merged_under_level(level, shared_parent(tx, under)?)
                .map_err(ReadError::Store)?;
            let (pieces, from) = subtree_pieces(tx, &rows)?;
            let position = shared_children(tx, under)?;
            let shared = copy_code(tx, rec, codes[0], (&name, level, under, position))?;
            fill_fields(tx, rec, shared, &codes[1..])?;
            let decision = insert_decision(
                tx,
                rec,
                &NewDecision {
                    kind: DecisionKind::Merge,
                    coder: coder.id,
                    note,
                    shared: Some(shared),
                    passage: None,
                },
            )?;
            for (id, row) in &rows {
                insert_origin(tx, rec, decision, (*id, row), Some(shared))?;
            }
            let written = write_union(tx, rec, (shared, consensus, decision), pieces)?;
            let summary = json!({
                "decision": decision, "name": name, "shared_code": shared,
                "from": from, "passages": written.len(), "note": note,
            });
            Ok((
                decision,
                "reconcile.merge",
                format!("code:{}", codes[0]),
                summary,
            ))
        })
    }

    fn reconcile_keep(&mut self, scope: &Scope, code: i64, note: &str) -> Result<i64, StoreError> {
        comparing(scope)?;
        let coder = scope.coder().clone();
        self.decide(&coder.name, |tx, rec| {
            let row = coder_code(tx, code)?;
            rules::keep_note(note).map_err(ReadError::Store)?;
            let decision = insert_decision(
                tx,
                rec,
                &NewDecision {
                    kind: DecisionKind::Keep,
                    coder: coder.id,
                    note: Some(note),
                    shared: None,
                    passage: None,
                },
            )?;
            insert_origin(tx, rec, decision, (code, &row), None)?;
            let summary = json!({ "decision": decision, "code": row.name, "note": note });
            Ok((decision, "reconcile.keep", format!("code:{code}"), summary))
        })
    }

    fn reconcile_passage(
        &mut self,
        scope: &Scope,
        verdict: Verdict,
        source: i64,
        span: Span,
        shared: Option<i64>,
        origins: &[i64],
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        comparing(scope)?;
        let coder = scope.coder().clone();
        let consensus = self.consensus_coder()?.id;
        self.decide(&coder.name, |tx, rec| {
            passage_checks(tx, source, span, shared, verdict)?;
            let mut origin_rows = Vec::with_capacity(origins.len());
            for &o in origins {
                origin_rows.push((o, known_code(tx, o)?));
            }
            let (start, end) = (span.start() as i64, span.end() as i64);
            let piece = Piece {
                source,
                start,
                end,
                coders: contributors(tx, (source, start, end), origins)?,
                codings: Vec::new(),
            };
            let (kind, action) = match verdict {
                Verdict::Accept => (DecisionKind::PassageAccept, "reconcile.passage.accept"),
                Verdict::Reject => (DecisionKind::PassageReject, "reconcile.passage.reject"),
            };
            let decision = insert_decision(
                tx,
                rec,
                &NewDecision {
                    kind,
                    coder: coder.id,
                    note,
                    shared,
                    passage: Some((source, start, end)),
                },
            )?;
            let mut coding = None;
            if let (Verdict::Accept, Some(code)) = (verdict, shared) {
                let written = write_union(tx, rec, (code, consensus, decision), vec![piece])?;
                coding = written
                    .iter()
                    .find(|(run, _)| run.source == source && run.start <= start && end <= run.end)
                    .map(|(_, id)| *id);
                if let Some(id) = coding {
                    rec.update(
                        tx,
                        "reconciliation_decisions",
                        decision,
                        &[("coding_id", &id)],
                    )?;
                    if let Some(memo) = note {
                        rec.update(tx, "codings", id, &[("memo", &memo)])?;
                    }
                }
            }
            for (id, row) in &origin_rows {
                insert_origin(tx, rec, decision, (*id, row), shared)?;
            }
            let summary = json!({
                "decision": decision, "source": source, "start": start, "end": end,
                "shared_code": shared, "coding": coding, "note": note,
            });
            Ok((decision, action, format!("source:{source}"), summary))
        })
    }
}

/// Returns each code's passages with its whole subtree's, as pieces of
/// the coder owning it, and `[{code, coder}]` for the audit summary.
pub(crate) fn subtree_pieces(
    tx: &mut Transaction<'_>,
    rows: &[(i64, CodeRow)],
) -> Result<(Vec<Piece>, Vec<serde_json::Value>), ReadError> {
    let mut pieces = Vec::new();
    let mut from = Vec::with_capacity(rows.len());
    for (id, row) in rows {
        let mut below = descendants(tx, *id)?;
        below.push(*id);
        pieces.extend(pieces_of(tx, row.owner.unwrap_or(0), &below)?);
        from.push(json!({ "code": row.name, "coder": coder_name(tx, row.owner)? }));
    }
    Ok((pieces, from))
}

/// Returns the coders' codes a merge takes, refusing shared codes, a code
/// named twice and, when `one_per_coder`, two codes of one coder.
pub(crate) fn merged_rows(
    tx: &mut Transaction<'_>,
    codes: &[i64],
    one_per_coder: bool,
) -> Result<Vec<(i64, CodeRow)>, ReadError> {
    let mut rows: Vec<(i64, CodeRow)> = Vec::with_capacity(codes.len());
    for &id in codes {
        let row = coder_code(tx, id)?;
        if rows.iter().any(|(seen, _)| *seen == id) {
            return Err(ReadError::Store(rules::named_twice(&row.name)));
        }
        if let Some((_, twin)) = rows
            .iter()
            .find(|(_, r)| one_per_coder && r.owner == row.owner)
        {
            let who = coder_name(tx, row.owner)?.unwrap_or_default();
            return Err(ReadError::Store(rules::one_code_per_coder(
                &twin.name, &row.name, &who,
            )));
        }
        rows.push((id, row));
    }
    Ok(rows)
}

/// Checks a passage verdict: the passage inside its source and not empty,
/// the shared code shared, and one given to accept.
fn passage_checks(
    tx: &mut Transaction<'_>,
    source: i64,
    span: Span,
    shared: Option<i64>,
    verdict: Verdict,
) -> Result<(), ReadError> {
    let chars: i64 = tx
        .query_opt("SELECT chars FROM sources WHERE id = $1", &[&source])?
        .ok_or_else(|| ReadError::Store(StoreError::SourceNotFound(source.to_string())))?
        .try_get(0)?;
    rules::decided_passage(span, chars).map_err(ReadError::Store)?;
    match shared {
        Some(code) => {
            let row = known_code(tx, code)?;
            if row.owner.is_some() {
                return Err(ReadError::Store(rules::not_shared(
                    &row.name,
                    "accept or merge it first",
                )));
            }
            // Two decisions on one shared code join its passages one at a time.
            tx.execute("SELECT 1 FROM codes WHERE id = $1 FOR UPDATE", &[&code])?;
        }
        None if verdict == Verdict::Accept => {
            return Err(ReadError::Store(rules::accept_needs_shared()));
        }
        None => {}
    }
    Ok(())
}
