//! Speaker labels edited on PostgreSQL: mappings to participants or
//! interviewers (one, or a whole mapping file checked row by row) and a
//! label renamed in a source's turns, written as SQLite writes them (the
//! same rows, audit entries and refusals). Which label and participant a
//! word names and what a new label may be are `verbatim_store::rules`'.

use postgres::{GenericClient, Transaction};
use verbatim_store::{SourceRef, SpeakerTarget, StoreError, rules};

use crate::PgStore;
use crate::people_edits::{participant, source_label};
use crate::reads::{ReadError, resolve};
use crate::record::Recorder;

/// A mapping checked: source id, label, participant (`None`: an
/// interviewer).
type Checked = (i64, String, Option<i64>);

/// Checks one mapping row; a refusal of the user's words is
/// `Ok(Err(sentence))`, a failure of the server an `Err`.
fn check_row(
    client: &mut impl GenericClient,
    source: &SourceRef,
    label: &str,
    target: &SpeakerTarget,
) -> Result<Result<Checked, StoreError>, postgres::Error> {
    let found = (|| -> Result<Checked, ReadError> {
        let sid = resolve(client, source)?;
        let label = source_label(client, sid, label)?;
        let who = match target {
            SpeakerTarget::Interviewer => None,
            SpeakerTarget::Participant(word) => Some(participant(client, word)?),
        };
        Ok((sid, label, who))
    })();
    match found {
        Ok(checked) => Ok(Ok(checked)),
        Err(ReadError::Store(e)) => Ok(Err(e)),
        Err(ReadError::Server(e)) => Err(e),
    }
}

/// Writes one checked mapping, replacing any earlier explicit one.
fn write_mapping(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    (sid, label, who): &Checked,
) -> Result<(), postgres::Error> {
    let existing: Option<i64> = tx
        .query_opt(
            "SELECT id FROM speaker_map WHERE source_id = $1 AND label = $2 FOR UPDATE",
            &[sid, label],
        )?
        .map(|r| r.try_get(0))
        .transpose()?;
    let interviewer = i64::from(who.is_none());
    match existing {
        Some(id) => rec.update(
            tx,
            "speaker_map",
            id,
            &[("participant_id", who), ("interviewer", &interviewer)],
        ),
        None => rec
            .insert(
                tx,
                "speaker_map",
                &[
                    ("source_id", sid),
                    ("label", label),
                    ("participant_id", who),
                    ("interviewer", &interviewer),
                ],
            )
            .map(drop),
    }
}

/// Returns the id of the explicit mapping of `label` in `source`, locked.
fn mapping_id(
    tx: &mut Transaction<'_>,
    source: i64,
    label: &str,
) -> Result<Option<i64>, postgres::Error> {
    tx.query_opt(
        "SELECT id FROM speaker_map WHERE source_id = $1 AND label = $2 FOR UPDATE",
        &[&source, &label],
    )?
    .map(|r| r.try_get(0))
    .transpose()
}

impl PgStore {
    /// `Participants::map_speaker`: one mapping, refused in one `Invalid`
    /// sentence as SQLite refuses it.
    pub(crate) fn map_speaker_in(
        &self,
        actor: &str,
        source: &SourceRef,
        label: &str,
        target: &SpeakerTarget,
    ) -> Result<(), StoreError> {
        self.map_speakers_in(actor, &[(source.clone(), label.to_owned(), target.clone())])
            .map_err(|e| match e {
                StoreError::Rejected(mut why) if why.len() == 1 => {
                    StoreError::Invalid(why.remove(0))
                }
                other => other,
            })
    }

    /// `Participants::map_speakers`: every row checked in the transaction
    /// that writes them, so what was checked is what is written.
    pub(crate) fn map_speakers_in(
        &self,
        actor: &str,
        rows: &[(SourceRef, String, SpeakerTarget)],
    ) -> Result<(), StoreError> {
        self.act(actor, "speakers.map", |tx, rec| {
            let mut checked = Vec::with_capacity(rows.len());
            let mut errors = Vec::new();
            for (i, (source, label, target)) in rows.iter().enumerate() {
                match check_row(tx, source, label, target)? {
                    Ok(c) => checked.push(c),
                    Err(e) if rows.len() == 1 => errors.push(e.to_string()),
                    Err(e) => errors.push(format!("row {}: {e}", i + 1)),
                }
            }
            if !errors.is_empty() {
                return Err(StoreError::Rejected(errors).into());
            }
            for c in &checked {
                write_mapping(tx, rec, c)?;
            }
            Ok(((), None, rules::mappings_summary(&checked)))
        })
    }

    /// `Participants::rename_speaker`.
    pub(crate) fn rename_speaker_in(
        &self,
        actor: &str,
        source: i64,
        from: &str,
        to: &str,
    ) -> Result<usize, StoreError> {
        let to = rules::new_speaker_label(to)?;
        let named = source_label(&mut *self.client(), source, from);
        // A label renamed to itself is no action, as on SQLite.
        if named.map_err(|e| self.read_error(e))? == to {
            return Ok(0);
        }
        self.act(actor, "speakers.rename", |tx, rec| {
            let from = source_label(tx, source, from)?;
            let target = Some(format!("source:{source}"));
            let turns: Vec<i64> = tx
                .query(
                    "SELECT ordinal FROM turns WHERE source_id = $1 AND speaker = $2 \
                     ORDER BY ordinal FOR UPDATE",
                    &[&source, &from],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
            let (from_map, to_map) = (mapping_id(tx, source, &from)?, mapping_id(tx, source, &to)?);
            for ordinal in &turns {
                rec.update_turn_text(tx, (source, *ordinal), "speaker", &to)?;
            }
            match (from_map, to_map) {
                (Some(id), Some(_)) => rec.delete(tx, "speaker_map", id)?,
                (Some(id), None) => rec.update_text(tx, "speaker_map", id, "label", &to)?,
                _ => {}
            }
            let summary = serde_json::json!({ "from": from, "to": to, "turns": turns.len() });
            Ok((turns.len(), target, summary))
        })
    }
}
