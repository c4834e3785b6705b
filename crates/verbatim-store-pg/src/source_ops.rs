//! `SourceEdits` and `Solo` on PostgreSQL: a source's turns re-detected,
//! a source removed with everything that hangs on it, a coder's done mark
//! (migration 0012's `source_done`), each one undoable action recorded as
//! SQLite records it (turns and the source's text under their own keys),
//! and the solo mark, recorded and not undoable, as `Reveal` keeps its
//! mark. What fits and what changes is `verbatim_store::rules`'
//! (`plan_redetect`, `solo_refused`, `done_action`).

use postgres::{GenericClient, Transaction};
use verbatim_core::{Span, Turn};
use verbatim_store::rules::{self, RedetectPlan, StoredTurn};
use verbatim_store::{
    EditReport, RedetectReport, RemoveReport, Scope, Solo, SourceEdits, StoreError,
};

use crate::failure::OrServer;
use crate::reads::ReadError;
use crate::record::Recorder;
use crate::{PgStore, audit};

/// The memos that belong to a source (`$1`): on the source, on one of its
/// passages, or on one of its codings (as SQLite's `source_ops` says).
const MEMOS_OF_SOURCE: &str = "source_id = $1 \
     OR (target_kind = 'source' AND target_id = $1) \
     OR (target_kind = 'coding' AND target_id IN (SELECT id FROM codings WHERE source_id = $1))";

/// Returns the name and length in chars of source `source`.
fn name_and_chars(
    client: &mut impl GenericClient,
    source: i64,
) -> Result<(String, i64), ReadError> {
    let row = client.query_opt("SELECT name, chars FROM sources WHERE id = $1", &[&source])?;
    let row = row.ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Returns the ids the query (taking the source as `$1`) selects.
fn ids(
    client: &mut impl GenericClient,
    sql: &str,
    source: i64,
) -> Result<Vec<i64>, postgres::Error> {
    client
        .query(sql, &[&source])?
        .iter()
        .map(|r| r.try_get(0))
        .collect()
}

/// Plans re-detected turns against the source's stored turns and
/// mappings; returns the plan and the stored turns' ordinals.
fn plan(
    client: &mut impl GenericClient,
    source: i64,
    turns: &[Turn],
) -> Result<(RedetectPlan, Vec<i64>), ReadError> {
    let (name, chars) = name_and_chars(client, source)?;
    let rows = client.query(
        "SELECT ordinal, speaker, start_char, end_char, begin_ms, end_ms FROM turns \
         WHERE source_id = $1 ORDER BY ordinal",
        &[&source],
    )?;
    let mut ordinals = Vec::with_capacity(rows.len());
    let mut old: Vec<StoredTurn> = Vec::with_capacity(rows.len());
    for r in &rows {
        ordinals.push(r.try_get(0)?);
        old.push((
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
        ));
    }
    let mappings = client
        .query(
            "SELECT id, label FROM speaker_map WHERE source_id = $1 ORDER BY id",
            &[&source],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;
    let plan = rules::plan_redetect(&name, chars, &old, turns, mappings)?;
    Ok((plan, ordinals))
}

/// Inserts `turns` as the turns of `source`, numbered from 0.
fn insert_turns(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    source: i64,
    turns: &[Turn],
) -> Result<(), postgres::Error> {
    for (ordinal, turn) in turns.iter().enumerate() {
        let ordinal = ordinal as i64;
        let (speaker, start, end, begin, end_ms) = rules::stored_turn(turn);
        rec.insert_keyed(
            tx,
            "turns",
            &["source_id", "ordinal"],
            &[
                ("source_id", &source),
                ("ordinal", &ordinal),
                ("speaker", &speaker),
                ("start_char", &start),
                ("end_char", &end),
                ("begin_ms", &begin),
                ("end_ms", &end_ms),
            ],
        )?;
    }
    Ok(())
}

/// Counts what removing a source takes with it.
fn removal_report(client: &mut impl GenericClient, source: i64) -> Result<RemoveReport, ReadError> {
    let (name, _) = name_and_chars(client, source)?;
    let mut count = |sql: &str| -> Result<usize, postgres::Error> {
        let n: i64 = client.query_one(sql, &[&source])?.try_get(0)?;
        Ok(usize::try_from(n).unwrap_or(0))
    };
    Ok(RemoveReport {
        id: source,
        source: name,
        turns: count("SELECT count(*) FROM turns WHERE source_id = $1")?,
        codings: count("SELECT count(*) FROM codings WHERE source_id = $1")?,
        memos: count(&format!(
            "SELECT count(*) FROM memos WHERE {MEMOS_OF_SOURCE}"
        ))?,
        mappings: count("SELECT count(*) FROM speaker_map WHERE source_id = $1")?,
    })
}

/// Deletes, recording each row, everything that hangs on a source, then
/// its turns, its text and the source itself.
fn remove_rows(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    source: i64,
) -> Result<(), postgres::Error> {
    let codings = "SELECT id FROM codings WHERE source_id = $1";
    let hanging: [(&'static str, String); 8] = [
        (
            "translations",
            format!("SELECT id FROM translations WHERE coding_id IN ({codings}) ORDER BY id"),
        ),
        (
            "consensus_origins",
            format!("SELECT id FROM consensus_origins WHERE coding_id IN ({codings}) ORDER BY id"),
        ),
        (
            "memos",
            format!("SELECT id FROM memos WHERE {MEMOS_OF_SOURCE} ORDER BY id"),
        ),
        ("codings", format!("{codings} ORDER BY id")),
        (
            "speaker_map",
            "SELECT id FROM speaker_map WHERE source_id = $1 ORDER BY id".into(),
        ),
        (
            "source_values",
            "SELECT id FROM source_values WHERE source_id = $1 ORDER BY id".into(),
        ),
        (
            "source_guides",
            "SELECT id FROM source_guides WHERE source_id = $1 ORDER BY id".into(),
        ),
        (
            "source_done",
            "SELECT id FROM source_done WHERE source_id = $1 ORDER BY id".into(),
        ),
    ];
    for (table, select) in hanging {
        for id in ids(tx, &select, source)? {
            rec.delete(tx, table, id)?;
        }
    }
    let turns = "SELECT ordinal FROM turns WHERE source_id = $1 ORDER BY ordinal";
    for ordinal in ids(tx, turns, source)? {
        rec.delete_keyed(tx, "turns", &[("source_id", source), ("ordinal", ordinal)])?;
    }
    rec.delete_keyed(tx, "source_texts", &[("source_id", source)])?;
    rec.delete(tx, "sources", source)
}

impl SourceEdits for PgStore {
    fn edit_source(
        &mut self,
        scope: &Scope,
        source: i64,
        span: Span,
        replacement: &str,
    ) -> Result<EditReport, StoreError> {
        self.edit_source_in(scope, source, span, replacement)
    }

    fn replace_turns(
        &mut self,
        actor: &str,
        source: i64,
        turns: &[Turn],
    ) -> Result<RedetectReport, StoreError> {
        // Identical turns are no action: checked before any write.
        let (first, _) =
            plan(&mut *self.client(), source, turns).map_err(|e| self.read_error(e))?;
        if !first.report.changed {
            return Ok(first.report);
        }
        self.act(actor, "source.redetect", |tx, rec| {
            tx.execute(
                "SELECT id FROM sources WHERE id = $1 FOR UPDATE",
                &[&source],
            )?;
            let (RedetectPlan { report, dropped }, ordinals) = plan(tx, source, turns)?;
            for ordinal in &ordinals {
                rec.delete_keyed(tx, "turns", &[("source_id", source), ("ordinal", *ordinal)])?;
            }
            for id in &dropped {
                rec.delete(tx, "speaker_map", *id)?;
            }
            insert_turns(tx, rec, source, turns)?;
            let summary = serde_json::to_value(&report).unwrap_or_default();
            Ok((report, Some(format!("source:{source}")), summary))
        })
    }

    fn remove_source(&mut self, actor: &str, source: i64) -> Result<RemoveReport, StoreError> {
        self.act(actor, "source.remove", |tx, rec| {
            tx.execute(
                "SELECT id FROM sources WHERE id = $1 FOR UPDATE",
                &[&source],
            )?;
            let report = removal_report(tx, source)?;
            remove_rows(tx, rec, source)?;
            let summary = serde_json::to_value(&report).unwrap_or_default();
            Ok((report, Some(format!("source:{source}")), summary))
        })
    }

    fn set_source_done(
        &mut self,
        actor: &str,
        scope: &Scope,
        source: i64,
        done: bool,
    ) -> Result<bool, StoreError> {
        let coder = scope.coder().id;
        let find = "SELECT id FROM source_done WHERE source_id = $1 AND coder_id = $2";
        let existing = {
            let mut client = self.client();
            name_and_chars(&mut *client, source).map_err(|e| self.read_error(e))?;
            client
                .query_opt(find, &[&source, &coder])
                .or_server(self.address())?
                .is_some()
        };
        if existing == done {
            return Ok(false);
        }
        self.act(actor, rules::done_action(done), |tx, rec| {
            let found = tx.query_opt(&format!("{find} FOR UPDATE"), &[&source, &coder])?;
            match found {
                Some(row) => rec.delete(tx, "source_done", row.try_get(0)?)?,
                None => {
                    rec.insert(
                        tx,
                        "source_done",
                        &[
                            ("source_id", &source),
                            ("coder_id", &coder),
                            ("marked_at", &crate::now()),
                        ],
                    )?;
                }
            }
            let summary = serde_json::json!({ "coder": scope.coder().name });
            Ok((true, Some(format!("source:{source}")), summary))
        })
    }

    fn set_sources_date(
        &mut self,
        actor: &str,
        source_ids: &[i64],
        date: Option<&str>,
    ) -> Result<(), StoreError> {
        if source_ids.is_empty() {
            return Ok(());
        }
        {
            let mut client = self.client();
            for &id in source_ids {
                name_and_chars(&mut *client, id).map_err(|e| self.read_error(e))?;
            }
        }
        let date = date.map(verbatim_store::parse_date).transpose()?;
        let target = match source_ids {
            [one] => format!("source:{one}"),
            many => format!("sources:{}", many.len()),
        };
        self.act(actor, "source.date", |tx, rec| {
            for &id in source_ids {
                rec.update(tx, "sources", id, &[("collected_on", &date)])?;
            }
            let summary = serde_json::json!({ "collected_on": date, "sources": source_ids });
            Ok(((), Some(target.clone()), summary))
        })
    }
}

impl Solo for PgStore {
    fn mark_solo(&mut self, actor: &str) -> Result<bool, StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        // One declaration at a time, so two processes record one mark.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/solo'))",
            &[],
        )
        .or_server(&address)?;
        let marks: Vec<String> = tx
            .query(
                "SELECT key FROM study WHERE key IN ('solo_at', 'revealed_at')",
                &[],
            )
            .or_server(&address)?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()
            .or_server(&address)?;
        if marks.iter().any(|k| k == "solo_at") {
            return Ok(false);
        }
        if !marks.iter().any(|k| k == "revealed_at") {
            let coded: Vec<String> = tx
                .query(
                    "SELECT d.name FROM coders d WHERE d.kind = 'coder' \
                     AND EXISTS (SELECT 1 FROM codings k WHERE k.coder_id = d.id) ORDER BY d.id",
                    &[],
                )
                .or_server(&address)?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()
                .or_server(&address)?;
            if let Some(refused) = rules::solo_refused(&coded) {
                return Err(refused);
            }
        }
        let at = crate::now();
        tx.execute(
            "INSERT INTO study (key, value) VALUES ('solo_at', $1), ('solo_by', $2)",
            &[&at, &actor],
        )
        .or_server(&address)?;
        let data = serde_json::json!({ "solo_at": at });
        audit::append(&mut tx, actor, "study.solo", None, &data).or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(true)
    }

    fn solo(&self) -> Result<Option<(String, String)>, StoreError> {
        let row = self
            .client()
            .query_opt(
                "SELECT (SELECT value FROM study WHERE key = 'solo_by'), \
                 (SELECT value FROM study WHERE key = 'solo_at')",
                &[],
            )
            .or_server(self.address())?;
        let Some(row) = row else { return Ok(None) };
        let by: Option<String> = row.try_get(0).or_server(self.address())?;
        let at: Option<String> = row.try_get(1).or_server(self.address())?;
        Ok(by.zip(at))
    }
}
