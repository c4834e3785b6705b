//! De-identification of a study file: real names out, replacements in.
//!
//! Transcripts arrive with the names people said aloud ("Marie Dupont",
//! "l'hôpital Bichat"). Before analysis, and before any excerpt leaves the
//! team, those names must be replaced everywhere the study keeps text. The
//! researcher keeps a names file (`real,replacement` rows) outside the study;
//! [`NamesList`] reads it, and:
//!
//! - [`SqliteStore::deidentify`] replaces every listed name in source texts
//!   (through the same span-shifting core as source edits, all replacements
//!   of a source in one pass, so every coding, turn and memo anchor keeps
//!   pointing at the same words), and in every text column of
//!   [`crate::rules::deid::PLACES`] (source names, memos, speaker labels,
//!   attributes, unsealed journal entries, code names…). Sealed journal
//!   entries cannot change; they are reported. Earlier audit entries
//!   holding a name are redacted ([`crate::redact`]). Nothing is undoable
//!   (an undo would bring the names back), and the names file is never
//!   stored: only its SHA-256, when, by whom and how many replacements
//!   (`deidentifications` table, and an audit entry with counts only).
//! - [`SqliteStore::deid_check`] lists every place a listed name remains.
//! - [`SqliteStore::deid_candidates`] lists capitalised words and known
//!   first names the names file does not cover, for the researcher to review.
//!
//! The matching, the review lines and the candidates are the backend-free
//! rules of [`crate::rules::deid`]; this module only reads and writes SQLite rows,
//! as `verbatim_store_pg`'s does on PostgreSQL.

use rusqlite::{Connection, OptionalExtension, params};

use crate::edit::splice_source;
use crate::history::Recorder;
use crate::redact::redact_audit;
use crate::rules::deid::{
    self, PLACES, Place, PlaceKey, audit_rewrite, audit_summary, remaining_in, remaining_in_audit,
    replace_text, scope_word, scoped, sealed_hit, source_splices,
};
pub use crate::rules::deid::{Candidate, DeidReport, NamesList, Remaining, Replacement, SealedHit};
use crate::{SqliteStore, StoreError, audit};

/// Returns every source's id, name and text.
fn source_texts(conn: &Connection) -> Result<Vec<(i64, String, String)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.name, t.text FROM sources s JOIN source_texts t ON t.source_id = s.id ORDER BY s.id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Returns the rows of a place holding text within `scope`: key numbers
/// and text.
fn place_rows(
    conn: &Connection,
    place: &Place,
    scope: &str,
) -> Result<Vec<(i64, i64, String)>, StoreError> {
    let rows = conn
        .prepare(&place.select_sql(scope))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Replaces the names in the short texts of [`PLACES`], row by row, in
/// the rows of `sources` (or all); returns the replacements made.
fn replace_in_places(
    tx: &Connection,
    names: &NamesList,
    sources: Option<&[i64]>,
) -> Result<Vec<Replacement>, StoreError> {
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
            let done = match place.key {
                PlaceKey::Id => tx.execute(&sql, params![new, a]),
                PlaceKey::Turn => tx.execute(&sql, params![new, a, b]),
            };
            done.map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    place.clash(a, b)
                }
                other => StoreError::from(other),
            })?;
        }
    }
    Ok(replacements)
}

/// Replaces the names in the texts of `sources` (or all), each in one
/// pass that moves every span; adds the replacements and returns how many
/// sources and codings changed.
fn replace_in_source_texts(
    tx: &Connection,
    rec: &mut Recorder,
    names: &NamesList,
    sources: Option<&[i64]>,
    replacements: &mut Vec<Replacement>,
) -> Result<(usize, usize), StoreError> {
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
        let done = splice_source(tx, rec, id, &splices, false)?;
        sources_changed += 1;
        codings_changed += done.changed.len();
    }
    Ok((sources_changed, codings_changed))
}

/// Returns the sealed journal entries (id, title, body), by id.
fn sealed_entries(conn: &Connection) -> Result<Vec<(i64, String, String)>, StoreError> {
    let rows = conn
        .prepare("SELECT id, title, body FROM journal WHERE sealed_at IS NOT NULL ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Records the de-identification: a `deidentifications` row (the names
/// file's hash, never its names) and a `deidentify.apply` audit entry with
/// counts only.
fn log_deidentification(
    tx: &Connection,
    rec: Recorder,
    actor: &str,
    sources: Option<&[i64]>,
    report: &DeidReport,
) -> Result<(), StoreError> {
    let scope_word = scope_word(sources);
    tx.execute(
        "INSERT INTO deidentifications (applied_at, actor, names_sha256, names, replacements, scope) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        params![
            audit::now(),
            actor,
            report.names_sha256,
            report.names as i64,
            report.replacements.len() as i64,
            scope_word
        ],
    )?;
    rec.finish(
        tx,
        actor,
        "deidentify.apply",
        None,
        audit_summary(report, &scope_word),
    )
}

impl SqliteStore {
    /// Replaces every listed name across the study, or only in some
    /// sources (their texts, names, memos, speaker labels and attributes),
    /// in one transaction; with `dry_run`, reports without writing. Not
    /// undoable; see the module docs.
    pub fn deidentify(
        &mut self,
        actor: &str,
        names: &NamesList,
        sources: Option<&[i64]>,
        dry_run: bool,
    ) -> Result<DeidReport, StoreError> {
        if let Some(ids) = sources {
            for id in ids {
                self.conn
                    .query_row("SELECT id FROM sources WHERE id = $1", [id], |r| {
                        r.get::<_, i64>(0)
                    })
                    .optional()?
                    .ok_or_else(|| StoreError::SourceNotFound(id.to_string()))?;
            }
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::forgetful();
        let mut replacements = replace_in_places(&tx, names, sources)?;
        let (sources_changed, codings_changed) =
            replace_in_source_texts(&tx, &mut rec, names, sources, &mut replacements)?;
        // Sealed journal entries cannot change: report them.
        let sealed = match sources {
            None => sealed_entries(&tx)?
                .into_iter()
                .filter_map(|(id, title, body)| sealed_hit(names, id, title, &body))
                .collect(),
            Some(_) => Vec::new(),
        };
        let audit_redacted = redact_audit(&tx, actor, "deidentify.apply", &|s: &str| {
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
        log_deidentification(&tx, rec, actor, sources, &report)?;
        if dry_run {
            tx.rollback()?;
        } else {
            tx.commit()?;
        }
        Ok(report)
    }

    /// Returns every place in the study where a listed name remains:
    /// source texts and names, memos, participants, attributes, speaker
    /// labels, the journal (sealed entries included) and the audit log.
    pub fn deid_check(&self, names: &NamesList) -> Result<Vec<Remaining>, StoreError> {
        let mut out = Vec::new();
        for (_, name, text) in source_texts(&self.conn)? {
            remaining_in(names, &format!("source {name}"), &text, &mut out);
        }
        for place in PLACES {
            for (a, b, text) in place_rows(&self.conn, place, place.filter)? {
                remaining_in(names, &place.row_label(a, b), &text, &mut out);
            }
        }
        for (id, title, body) in sealed_entries(&self.conn)? {
            let place = format!("sealed journal entry {id}");
            remaining_in(names, &place, &format!("{title}\n{body}"), &mut out);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT id, action, data FROM audit ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, action, data) = row?;
            remaining_in_audit(names, (&id, &action, &data), &mut out);
        }
        Ok(out)
    }

    /// Returns the words of source texts a names file may have missed
    /// ([`deid::candidates`]), leaving out participant codes and speaker
    /// labels.
    pub fn deid_candidates(&self, names: Option<&NamesList>) -> Result<Vec<Candidate>, StoreError> {
        let mut known: Vec<String> = self
            .participant_rows()?
            .into_iter()
            .filter_map(|p| p.code)
            .collect();
        let labels: Vec<String> = self
            .conn
            .prepare("SELECT DISTINCT speaker FROM turns WHERE speaker <> ''")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        known.extend(labels);
        let texts: Vec<(String, String)> = source_texts(&self.conn)?
            .into_iter()
            .map(|(_, name, text)| (name, text))
            .collect();
        Ok(deid::candidates(names, &known, &texts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{fixture, span_of};
    use crate::{Book, CodingFilter, NewCode, Store};

    fn list(rows: &[(&str, &str)]) -> NamesList {
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|(a, b)| vec![(*a).to_owned(), (*b).to_owned()])
            .collect();
        NamesList::parse(&rows, "abc").unwrap()
    }

    #[test]
    fn codings_keep_their_words_and_names_go_from_every_table() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let code = f
            .store
            .add_code(
                &amira,
                &NewCode {
                    name: "Confiance".into(),
                    book: Some(Book::Own),
                    ..NewCode::default()
                },
            )
            .unwrap();
        f.store
            .add_coding(
                &amira,
                f.source,
                span_of("confiance se construit"),
                code,
                None,
            )
            .unwrap();
        f.store
            .add_coding(&amira, f.source, span_of("la méfiance revient"), code, None)
            .unwrap();
        f.store
            .add_memo(
                &amira,
                &crate::MemoTarget::Study,
                None,
                "La Confiance, dit-elle",
            )
            .unwrap();
        let names = list(&[("construit", "[x]"), ("confiance", "[c]")]);
        let dry = f.store.deidentify("amira", &names, None, true).unwrap();
        assert!(dry.replacements.len() >= 3);
        assert!(f.store.text_of(f.source).unwrap().0.contains("construit"));
        let report = f.store.deidentify("amira", &names, None, false).unwrap();
        assert_eq!(report.replacements, dry.replacements);
        let texts: Vec<String> = f
            .store
            .codings(&amira, &CodingFilter::default())
            .unwrap()
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert!(texts.contains(&"[c] se [x]".to_owned()), "{texts:?}");
        assert!(
            texts.contains(&"la méfiance revient".to_owned()),
            "{texts:?}"
        );
        assert!(f.store.deid_check(&names).unwrap().is_empty());
        let log = f.store.audit_log(1).unwrap();
        assert_eq!(log[0].action, "deidentify.apply");
        assert_eq!(log[0].data["summary"]["names_sha256"], "abc");
    }

    #[test]
    fn sealed_entries_are_reported_not_changed() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let open = f
            .store
            .add_entry(&amira, crate::EntryKind::Note, "Avec Marie", "Marie parle")
            .unwrap();
        let sealed = f
            .store
            .add_entry(
                &amira,
                crate::EntryKind::Preconception,
                "Attentes",
                "Marie dira la méfiance",
            )
            .unwrap();
        f.store.seal(&amira, sealed).unwrap();
        let names = list(&[("Marie", "[P]")]);
        let report = f.store.deidentify("amira", &names, None, false).unwrap();
        assert_eq!(report.sealed.len(), 1);
        assert_eq!(report.sealed[0].entry, sealed);
        let entries = f.store.entries(&amira).unwrap();
        let body = |id: i64| {
            entries
                .iter()
                .find(|e| e.id == id)
                .map(|e| e.body.clone())
                .unwrap()
        };
        assert_eq!(body(open), "[P] parle");
        assert_eq!(body(sealed), "Marie dira la méfiance");
        let left = f.store.deid_check(&names).unwrap();
        assert!(
            left.iter()
                .any(|r| r.place.starts_with("sealed journal entry"))
        );
        assert!(f.store.verify_journal().unwrap().is_empty());
    }
}
