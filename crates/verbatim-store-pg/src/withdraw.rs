//! `Withdrawing` on PostgreSQL: a participant's speech replaced by the
//! withdrawal notice in every source (the exclusive splice of
//! `verbatim_store::rules::splice`, written by [`crate::splice`]),
//! their memos, values and label cleared, their consent marked withdrawn,
//! and earlier audit entries holding what was removed rewritten, in one
//! transaction whose entry keeps counts only and cannot be undone, as
//! SQLite's `withdraw` does. The log's append-only trigger is disabled
//! for that rewrite only, inside the transaction (DDL is transactional:
//! a failure re-enables it with the rollback), and the rewrite is logged
//! as a `history.redact` entry, as on SQLite (the rewrite is planned by
//! `rules::withdraw` over every recorded wording and written by
//! de-identification's `redact_audit_entries`).

use std::collections::BTreeMap;

use postgres::Transaction;
use verbatim_store::rules;
use verbatim_store::rules::withdraw::LogRedaction;
use verbatim_store::{Participants, StoreError, WithdrawReport, Withdrawing};

use crate::PgStore;
use crate::deidentify::redact_audit_entries;
use crate::failure::OrServer;
use crate::people_edits::participant;
use crate::reads::ReadError;
use crate::record::Recorder;
use crate::splice::splice_source;

/// A participant's speaker labels, by source id, with the source's name.
type LabelsBySource = BTreeMap<i64, (String, Vec<String>)>;

/// The participant being withdrawn.
struct Who {
    id: i64,
    code: Option<String>,
    label: Option<String>,
}

/// Replaces the participant's speech in one source; `None` when nothing
/// of theirs was left there. What the log must lose goes to `log`.
fn remove_speech(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    (source_id, source): (i64, &str),
    labels: &[String],
    log: &mut LogRedaction,
) -> Result<Option<verbatim_store::SourceWithdrawal>, ReadError> {
    let text: String = tx
        .query_one(
            "SELECT text FROM source_texts WHERE source_id = $1",
            &[&source_id],
        )?
        .try_get(0)?;
    let turns: Vec<(String, i64, i64)> = tx
        .query(
            "SELECT speaker, start_char, end_char FROM turns WHERE source_id = $1 \
             AND speaker <> '' ORDER BY ordinal",
            &[&source_id],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, postgres::Error>>()?;
    let (splices, chars_removed, removed) = rules::withdrawn_splices(&text, &turns, labels);
    if splices.is_empty() {
        return Ok(None);
    }
    log.passages.extend(removed);
    let done = splice_source(tx, rec, source_id, &splices, true)?;
    log.note_source(source_id, &text, &splices, &done);
    let mut translations = 0;
    for coding in rules::shrunk_codings(&done) {
        let ids = tx.query(
            "SELECT id FROM translations WHERE coding_id = $1 ORDER BY id",
            &[&coding],
        )?;
        for row in &ids {
            rec.delete(tx, "translations", row.try_get(0)?)?;
            translations += 1;
        }
    }
    Ok(Some(rules::source_withdrawal(
        (source_id, source),
        (splices.len(), chars_removed),
        &done,
        translations,
    )))
}

/// Deletes the memos written on the participant (by id, code or label)
/// and the memos on those, keeping their texts; returns how many.
fn delete_memos(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    who: &Who,
    log: &mut LogRedaction,
) -> Result<usize, postgres::Error> {
    let memos = tx.query(
        "SELECT id, title, body FROM memos WHERE target_kind = 'participant' \
         AND (target_id = $1 OR lower(target_label) = lower($2) OR lower(target_label) = lower($3)) \
         ORDER BY id",
        &[&who.id, &who.code, &who.label],
    )?;
    for row in &memos {
        let id: i64 = row.try_get(0)?;
        log.passages.extend(row.try_get::<_, Option<String>>(1)?);
        log.passages.push(row.try_get(2)?);
        log.memos.insert(id);
        let on = tx.query(
            "SELECT id FROM memos WHERE target_kind = 'memo' AND target_id = $1 ORDER BY id",
            &[&id],
        )?;
        for memo in &on {
            rec.delete(tx, "memos", memo.try_get(0)?)?;
        }
        rec.delete(tx, "memos", id)?;
    }
    Ok(memos.len())
}

/// Clears the participant's values and label (when they have a code) and
/// marks their consent withdrawn (recording one when they had none);
/// returns the values cleared, whether the label was, and the consents
/// marked.
fn clear_identity(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    who: &Who,
) -> Result<(usize, bool, usize), postgres::Error> {
    let values = tx.query(
        "SELECT id FROM participant_values WHERE participant_id = $1 ORDER BY id",
        &[&who.id],
    )?;
    for row in &values {
        rec.delete(tx, "participant_values", row.try_get(0)?)?;
    }
    let label_cleared = who.label.is_some() && who.code.is_some();
    if label_cleared {
        let none: Option<String> = None;
        rec.update(tx, "participants", who.id, &[("label", &none)])?;
    }
    let consents = tx.query(
        "SELECT id FROM consents WHERE participant_id = $1 ORDER BY id",
        &[&who.id],
    )?;
    for row in &consents {
        rec.update_text(tx, "consents", row.try_get(0)?, "status", "withdrawn")?;
    }
    if consents.is_empty() {
        let now = crate::now();
        let day: String = now.chars().take(10).collect();
        let none: Option<String> = None;
        rec.insert(
            tx,
            "consents",
            &[
                ("participant_id", &who.id),
                ("given_on", &day),
                ("scope", &"withdrawn"),
                ("sheet_version", &none),
                ("status", &"withdrawn"),
                ("recorded_at", &now),
            ],
        )?;
    }
    Ok((values.len(), label_cleared, consents.len()))
}

/// Rewrites earlier audit entries that hold what was removed (in any of
/// its recorded wordings, `rules::withdraw`) or the label; returns how
/// many.
fn redact_log(
    tx: &mut Transaction<'_>,
    actor: &str,
    who: &Who,
    shown: &str,
    log: LogRedaction,
) -> Result<usize, postgres::Error> {
    let [texts, codings, memos] = rules::withdraw::RECORDED;
    let rows = tx.query(
        "SELECT data FROM audit WHERE data LIKE $1 OR data LIKE $2 OR data LIKE $3 ORDER BY id",
        &[&texts, &codings, &memos],
    )?;
    let mut entries = Vec::new();
    for row in &rows {
        let data: String = row.try_get(0)?;
        entries.extend(serde_json::from_str(&data).ok());
    }
    let names = (who.code.as_deref(), who.label.as_deref(), shown);
    let rewrite = log.plan(&entries, names);
    redact_audit_entries(tx, actor, "participant.withdraw", &|data| {
        rewrite.rewrite(data)
    })
}

impl PgStore {
    /// The speaker labels mapped to participant `id`, by source, and those
    /// of them mapped automatically.
    fn labels_of(&self, id: i64) -> Result<(LabelsBySource, Vec<(i64, String)>), StoreError> {
        let mut labels = LabelsBySource::new();
        let mut automatic: Vec<(i64, String)> = Vec::new();
        for row in self.speakers(None)? {
            if row.participant_id == Some(id) {
                if row.how.as_deref() == Some("auto") {
                    automatic.push((row.source_id, row.label.clone()));
                }
                labels
                    .entry(row.source_id)
                    .or_insert_with(|| (row.source.clone(), Vec::new()))
                    .1
                    .push(row.label);
            }
        }
        Ok((labels, automatic))
    }

    /// The whole withdrawal in one transaction.
    fn withdraw(
        &self,
        tx: &mut Transaction<'_>,
        actor: &str,
        who: &Who,
        (labels, automatic): &(LabelsBySource, Vec<(i64, String)>),
    ) -> Result<WithdrawReport, ReadError> {
        let mut rec = Recorder::forgetful();
        let mut log = LogRedaction {
            labels: rules::known_labels(labels, who.code.as_deref()),
            ..LogRedaction::default()
        };
        let mut sources = Vec::new();
        for (source_id, (source, speaker_labels)) in labels {
            let at = (*source_id, source.as_str());
            sources.extend(remove_speech(tx, &mut rec, at, speaker_labels, &mut log)?);
        }
        let memos_removed = delete_memos(tx, &mut rec, who, &mut log)?;
        for (source_id, speaker) in automatic {
            rec.insert(
                tx,
                "speaker_map",
                &[
                    ("source_id", source_id),
                    ("label", speaker),
                    ("participant_id", &who.id),
                    ("interviewer", &0_i64),
                ],
            )?;
        }
        let (values, label_cleared, consents) = clear_identity(tx, &mut rec, who)?;
        let shown = rules::withdrawn_name(who.code.as_deref(), who.id);
        let audit_redacted = redact_log(tx, actor, who, &shown, log)?;
        let report = WithdrawReport {
            participant: shown,
            sources,
            memos_removed,
            attributes_cleared: values,
            label_cleared,
            consents_withdrawn: consents.max(1),
            audit_redacted,
        };
        let target = format!("participant:{}", who.id);
        let payload = rules::withdraw_payload(&report);
        rec.finish(tx, actor, "participant.withdraw", Some(&target), payload)?;
        Ok(report)
    }
}

impl Withdrawing for PgStore {
    fn find_participant(&self, word: &str) -> Result<i64, StoreError> {
        participant(&mut *self.client(), word).map_err(|e| self.read_error(e))
    }

    fn withdraw_participant(
        &mut self,
        actor: &str,
        word: &str,
    ) -> Result<WithdrawReport, StoreError> {
        let id = Withdrawing::find_participant(self, word)?;
        // Who speaks which label is read first, through `Participants`
        // (its own connection use), then checked unchanged in the
        // transaction by the participant's row lock.
        let labels = self.labels_of(id)?;
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let row = tx
            .query_one(
                "SELECT code, label FROM participants WHERE id = $1 FOR UPDATE",
                &[&id],
            )
            .or_server(&address)?;
        let who = Who {
            id,
            code: row.try_get(0).or_server(&address)?,
            label: row.try_get(1).or_server(&address)?,
        };
        let report = self
            .withdraw(&mut tx, actor, &who, &labels)
            .map_err(|e| self.read_error(e))?;
        tx.commit().or_server(&address)?;
        Ok(report)
    }
}
