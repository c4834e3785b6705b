//! `Deidentifying` on PostgreSQL: real names out of a server's study,
//! replacements in, as SQLite's `deidentify` does.
//!
//! The matching, the review lines, the places that hold text and the
//! candidates are `verbatim_store::rules::deid`'s; the span moves are
//! [`crate::splice`]'s. This module reads the rows and writes back, in one
//! transaction (rolled back for a dry run). As on SQLite the action cannot
//! be undone (an undo would bring the names back): its audit entry holds
//! counts only, the names file never enters the study (its SHA-256 does,
//! in `deidentifications`), and earlier audit entries holding a name are
//! rewritten, the append-only trigger set aside for that statement only
//! and a `history.redact` entry saying how many.

use postgres::Transaction;
use serde_json::Value as Json;
use verbatim_store::rules::deid::{
    self, PLACES, Place, PlaceKey, audit_rewrite, audit_summary, remaining_in, remaining_in_audit,
    replace_text, rewrite_strings, scope_word, scoped, sealed_hit, source_splices,
};
use verbatim_store::{
    Candidate, DeidRecord, DeidReport, Deidentifying, NamesList, Remaining, Replacement, StoreError,
};

use crate::reads::ReadError;
use crate::record::{Recorder, is_unique_violation};
use crate::splice::splice_source;
use crate::{PgStore, audit, now};

impl Deidentifying for PgStore {
    fn deid_candidates(&self, names: Option<&NamesList>) -> Result<Vec<Candidate>, StoreError> {
        let mut client = self.client();
        let read = (|| -> Result<Vec<Candidate>, ReadError> {
            let mut tx = client.transaction()?;
            let mut known: Vec<String> = Vec::new();
            for row in tx.query(
                "SELECT code FROM participants WHERE code IS NOT NULL ORDER BY id",
                &[],
            )? {
                known.push(row.try_get(0)?);
            }
            for row in tx.query(
                "SELECT DISTINCT speaker FROM turns WHERE speaker <> ''",
                &[],
            )? {
                known.push(row.try_get(0)?);
            }
            let texts: Vec<(String, String)> = source_texts(&mut tx)?
                .into_iter()
                .map(|(_, name, text)| (name, text))
                .collect();
            Ok(deid::candidates(names, &known, &texts))
        })();
        read.map_err(|e| self.read_error(e))
    }

    fn deidentifications(&self) -> Result<Vec<DeidRecord>, StoreError> {
        let mut client = self.client();
        let read = (|| -> Result<Vec<DeidRecord>, ReadError> {
            let rows = client.query(
                "SELECT id, applied_at, actor, names_sha256, names, replacements, scope \
                 FROM deidentifications ORDER BY id",
                &[],
            )?;
            let records = rows
                .iter()
                .map(|r| {
                    Ok(DeidRecord {
                        id: r.try_get(0)?,
                        applied_at: r.try_get(1)?,
                        actor: r.try_get(2)?,
                        names_sha256: r.try_get(3)?,
                        names: r.try_get(4)?,
                        replacements: r.try_get(5)?,
                        scope: r.try_get(6)?,
                    })
                })
                .collect::<Result<_, postgres::Error>>()?;
            Ok(records)
        })();
        read.map_err(|e| self.read_error(e))
    }

    fn deidentify(
        &mut self,
        actor: &str,
        names: &NamesList,
        sources: Option<&[i64]>,
        dry_run: bool,
    ) -> Result<DeidReport, StoreError> {
        let mut client = self.client();
        let run = (|| -> Result<DeidReport, ReadError> {
            let mut tx = client.transaction()?;
            for id in sources.unwrap_or_default() {
                if tx
                    .query_opt("SELECT id FROM sources WHERE id = $1", &[id])?
                    .is_none()
                {
                    return Err(StoreError::SourceNotFound(id.to_string()).into());
                }
            }
            let report = apply(&mut tx, actor, names, sources, dry_run)?;
            if dry_run {
                tx.rollback()?;
            } else {
                tx.commit()?;
            }
            Ok(report)
        })();
        run.map_err(|e| self.read_error(e))
    }

    fn deid_check(&self, names: &NamesList) -> Result<Vec<Remaining>, StoreError> {
        let mut client = self.client();
        let read = (|| -> Result<Vec<Remaining>, ReadError> {
            let mut tx = client.transaction()?;
            let mut out = Vec::new();
            for (_, name, text) in source_texts(&mut tx)? {
                remaining_in(names, &format!("source {name}"), &text, &mut out);
            }
            for place in PLACES {
                for (a, b, text) in place_rows(&mut tx, place, place.filter)? {
                    remaining_in(names, &place.row_label(a, b), &text, &mut out);
                }
            }
            for (id, title, body) in sealed_entries(&mut tx)? {
                let place = format!("sealed journal entry {id}");
                remaining_in(names, &place, &format!("{title}\n{body}"), &mut out);
            }
            for row in tx.query("SELECT id, action, data FROM audit ORDER BY id", &[])? {
                let (id, action, data): (String, String, String) =
                    (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
                remaining_in_audit(names, (&id, &action, &data), &mut out);
            }
            Ok(out)
        })();
        read.map_err(|e| self.read_error(e))
    }
}

/// Makes every replacement inside `tx` and records it; returns the report.
fn apply(
    tx: &mut Transaction<'_>,
    actor: &str,
    names: &NamesList,
    sources: Option<&[i64]>,
    dry_run: bool,
) -> Result<DeidReport, ReadError> {
    let mut rec = Recorder::forgetful();
    let mut replacements = replace_in_places(tx, names, sources)?;
    let mut sources_changed = 0;
    let mut codings_changed = 0;
    for (id, name, text) in source_texts(tx)? {
        if sources.is_some_and(|ids| !ids.contains(&id)) {
            continue;
        }
        let (lines, splices) = source_splices(names, &name, &text);
        if splices.is_empty() {
            continue;
        }
        replacements.extend(lines);
        codings_changed += splice_source(tx, &mut rec, id, &splices, false)?
            .changed
            .len();
        sources_changed += 1;
    }
    // Sealed journal entries cannot change: report them.
    let sealed = match sources {
        None => sealed_entries(tx)?
            .into_iter()
            .filter_map(|(id, title, body)| sealed_hit(names, id, title, &body))
            .collect(),
        Some(_) => Vec::new(),
    };
    let audit_redacted = redact_audit(tx, actor, "deidentify.apply", &|s: &str| {
        audit_rewrite(names, s)
    })?;
    let report = DeidReport {
        dry_run,
        names_sha256: names.sha256().to_owned(),
        names: names.len(),
        replacements,
        sources_changed,
        codings_changed,
        sealed,
        audit_redacted,
    };
    let scope = scope_word(sources);
    tx.execute(
        "INSERT INTO deidentifications (applied_at, actor, names_sha256, names, replacements, scope) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &now(),
            &actor,
            &report.names_sha256,
            &(report.names as i64),
            &(report.replacements.len() as i64),
            &scope,
        ],
    )?;
    let summary = audit_summary(&report, &scope);
    rec.finish(tx, actor, "deidentify.apply", None, summary)?;
    Ok(report)
}

/// Returns every source's id, name and text, by id.
fn source_texts(tx: &mut Transaction<'_>) -> Result<Vec<(i64, String, String)>, postgres::Error> {
    let rows = tx.query(
        "SELECT s.id, s.name, t.text FROM sources s JOIN source_texts t ON t.source_id = s.id \
         ORDER BY s.id",
        &[],
    )?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Returns the rows of a place holding text within `scope`.
fn place_rows(
    tx: &mut Transaction<'_>,
    place: &Place,
    scope: &str,
) -> Result<Vec<(i64, i64, String)>, postgres::Error> {
    let rows = tx.query(&place.select_sql(scope), &[])?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Returns the sealed journal entries (id, title, body), by id.
fn sealed_entries(tx: &mut Transaction<'_>) -> Result<Vec<(i64, String, String)>, postgres::Error> {
    let rows = tx.query(
        "SELECT id, title, body FROM journal WHERE sealed_at IS NOT NULL ORDER BY id",
        &[],
    )?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Replaces the names in the short texts of [`PLACES`], row by row, in the
/// rows of `sources` (or all); returns the replacements made. A row made
/// identical to another (a unique name) is refused with SQLite's sentence.
fn replace_in_places(
    tx: &mut Transaction<'_>,
    names: &NamesList,
    sources: Option<&[i64]>,
) -> Result<Vec<Replacement>, ReadError> {
    let mut replacements = Vec::new();
    for place in PLACES {
        let Some(scope) = scoped(place.by_source, sources) else {
            continue;
        };
        for (a, b, text) in place_rows(tx, place, &scope)? {
            let Some((new, lines)) = replace_text(names, &place.row_label(a, b), &text) else {
                continue;
            };
            replacements.extend(lines);
            let sql = place.update_sql();
            // A savepoint, so a clash is answered with a sentence, not an
            // aborted transaction.
            let mut row = tx.transaction()?;
            let done = match place.key {
                PlaceKey::Id => row.execute(&sql, &[&new, &a]),
                PlaceKey::Turn => row.execute(&sql, &[&new, &a, &b]),
            };
            match done {
                Ok(_) => row.commit()?,
                Err(e) if is_unique_violation(&e) => return Err(place.clash(a, b).into()),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(replacements)
}

/// Rewrites the data of every audit entry holding a string `rewrite`
/// changes (a listed name, a withdrawn participant's speech), with the
/// append-only trigger set aside inside this transaction only, then
/// appends a `history.redact` entry saying how many and `because` of which
/// action; returns how many were rewritten.
pub(crate) fn redact_audit(
    tx: &mut Transaction<'_>,
    actor: &str,
    because: &str,
    rewrite: &dyn Fn(&str) -> Option<String>,
) -> Result<usize, postgres::Error> {
    redact_audit_entries(tx, actor, because, &|json: &mut Json| {
        rewrite_strings(json, rewrite)
    })
}

/// [`redact_audit`] with a rewrite of each entry's whole `data` (a
/// withdrawal's, `rules::withdraw`); it returns true when it changed the
/// data.
pub(crate) fn redact_audit_entries(
    tx: &mut Transaction<'_>,
    actor: &str,
    because: &str,
    rewrite: &dyn Fn(&mut Json) -> bool,
) -> Result<usize, postgres::Error> {
    let mut rewritten: Vec<(String, String)> = Vec::new();
    for row in tx.query("SELECT id, data FROM audit ORDER BY id", &[])? {
        let (id, data): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        let Ok(mut json) = serde_json::from_str::<Json>(&data) else {
            continue;
        };
        if rewrite(&mut json) {
            rewritten.push((id, json.to_string()));
        }
    }
    if rewritten.is_empty() {
        return Ok(0);
    }
    tx.batch_execute("ALTER TABLE audit DISABLE TRIGGER audit_no_update_or_delete")?;
    for (id, data) in &rewritten {
        tx.execute("UPDATE audit SET data = $1 WHERE id = $2", &[data, id])?;
    }
    tx.batch_execute("ALTER TABLE audit ENABLE TRIGGER audit_no_update_or_delete")?;
    audit::append(
        tx,
        actor,
        "history.redact",
        None,
        &serde_json::json!({ "entries": rewritten.len(), "because": because }),
    )?;
    Ok(rewritten.len())
}
