//! The edits of `Participants` on PostgreSQL: a participant's label, site,
//! values and code, speaker mappings, attributes, source values and
//! consents, written as SQLite writes them (the same rows, audit entries
//! and refusals). Who a word names, which label a source has, what a
//! value may be and what a consent holds are `verbatim_store::rules`'.
//! Each edit checks and writes in one transaction, so what it checked is
//! what it wrote.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use postgres::{GenericClient, Transaction};
use verbatim_store::{
    AppliesTo, AttrType, Attribute, Consent, SourceRef, SpeakerTarget, StoreError, rules,
};

use crate::participants::{attributes, find_site, participant_rows, speakers};
use crate::reads::{ReadError, resolve};
use crate::record::{Column, Recorder, is_unique_violation};
use crate::{PgStore, now};

/// Returns the id of the participant `word` names.
fn participant(client: &mut impl GenericClient, word: &str) -> Result<i64, ReadError> {
    Ok(rules::find_participant_in(
        &participant_rows(client)?,
        word,
    )?)
}

/// Returns `(name, value)` pairs checked against the attributes of
/// `applies_to`: each attribute's id and canonical value.
fn checked(
    client: &mut impl GenericClient,
    applies_to: AppliesTo,
    values: &[(String, String)],
) -> Result<Vec<(i64, Option<String>)>, ReadError> {
    let attrs = attributes(client, applies_to)??;
    Ok(rules::checked_values(&attrs, applies_to, values)?)
}

/// Writes checked values of one participant or source (`table` says
/// which): inserts, updates, or deletes when the value is `None`.
fn write_values(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    table: &'static str,
    owner: i64,
    values: &[(i64, Option<String>)],
) -> Result<(), postgres::Error> {
    let (sql, owner_col) = if table == "source_values" {
        (
            "SELECT id FROM source_values WHERE source_id = $1 AND attribute_id = $2 FOR UPDATE",
            "source_id",
        )
    } else {
        (
            "SELECT id FROM participant_values WHERE participant_id = $1 AND attribute_id = $2 FOR UPDATE",
            "participant_id",
        )
    };
    for (attr, value) in values {
        let existing: Option<i64> = tx
            .query_opt(sql, &[&owner, attr])?
            .map(|r| r.try_get(0))
            .transpose()?;
        match (existing, value) {
            (Some(id), Some(v)) => rec.update_text(tx, table, id, "value", v)?,
            (Some(id), None) => rec.delete(tx, table, id)?,
            (None, Some(v)) => {
                rec.insert(
                    tx,
                    table,
                    &[(owner_col, &owner), ("attribute_id", attr), ("value", v)],
                )?;
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// Returns the label of source `source` a user named, or the refusal.
fn source_label(
    client: &mut impl GenericClient,
    source: i64,
    label: &str,
) -> Result<String, ReadError> {
    let labels = client
        .query(
            "SELECT DISTINCT speaker FROM turns WHERE source_id = $1 AND speaker <> ''",
            &[&source],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<String>, _>>()?;
    if let Some(found) = rules::find_label_in(&labels, label) {
        return Ok(found);
    }
    let name: String = client
        .query_one("SELECT name FROM sources WHERE id = $1", &[&source])?
        .try_get(0)?;
    Err(rules::unknown_speaker(name, label).into())
}

impl PgStore {
    /// `Participants::set_participant`.
    pub(crate) fn set_participant_in(
        &self,
        actor: &str,
        word: &str,
        label: Option<&str>,
        site: Option<&str>,
        values: &[(String, String)],
    ) -> Result<(), StoreError> {
        self.act(actor, "participant.set", |tx, rec| {
            let id = participant(tx, word)?;
            let label = label
                .map(|l| rules::person_text(l, "the participant's label"))
                .transpose()?;
            let site = match site {
                Some(word) => Some(
                    find_site(tx, word)?
                        .ok_or_else(|| StoreError::UnknownSite(word.trim().to_owned()))?
                        .id,
                ),
                None => None,
            };
            let checked = checked(tx, AppliesTo::Participant, values)?;
            let mut columns: Vec<Column<'_>> = Vec::new();
            if let Some(l) = &label {
                columns.push(("label", l));
            }
            if let Some(s) = &site {
                columns.push(("site_id", s));
            }
            if !columns.is_empty() {
                rec.update(tx, "participants", id, &columns)?;
            }
            write_values(tx, rec, "participant_values", id, &checked)?;
            Ok((
                (),
                Some(format!("participant:{id}")),
                serde_json::json!({ "label": label, "values": values }),
            ))
        })
    }

    /// `Participants::rename_participant`.
    pub(crate) fn rename_participant_in(
        &self,
        actor: &str,
        word: &str,
        new_code: &str,
    ) -> Result<(), StoreError> {
        self.act(actor, "participant.rename", |tx, rec| {
            let id = participant(tx, word)?;
            let code = rules::participant_code(new_code)?;
            let taken = tx.query_opt(
                "SELECT id FROM participants WHERE lower(code) = lower($1) AND id <> $2",
                &[&code, &id],
            )?;
            if taken.is_some() {
                return Err(StoreError::DuplicateParticipant(code).into());
            }
            let old: Option<String> = tx
                .query_one(
                    "SELECT code FROM participants WHERE id = $1 FOR UPDATE",
                    &[&id],
                )?
                .try_get(0)?;
            let pinned = rules::auto_mapped(&speakers(tx, None)?, id);
            for (source, label) in &pinned {
                rec.insert(
                    tx,
                    "speaker_map",
                    &[
                        ("source_id", source),
                        ("label", label),
                        ("participant_id", &id),
                        ("interviewer", &0_i64),
                    ],
                )?;
            }
            match rec.update_text(tx, "participants", id, "code", &code) {
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::DuplicateParticipant(code).into());
                }
                other => other?,
            }
            Ok((
                (),
                Some(format!("participant:{id}")),
                serde_json::json!({ "from": old, "to": code, "labels_pinned": pinned.len() }),
            ))
        })
    }

    /// `Participants::map_speaker`: a refusal is one `Invalid` sentence, as
    /// SQLite words one row of a mapping file.
    pub(crate) fn map_speaker_in(
        &self,
        actor: &str,
        source: &SourceRef,
        label: &str,
        target: &SpeakerTarget,
    ) -> Result<(), StoreError> {
        self.act(actor, "speakers.map", |tx, rec| {
            // One mapping is refused as SQLite refuses one row of a file.
            let found = (|| -> Result<(i64, String, Option<i64>), ReadError> {
                let sid = resolve(tx, source)?;
                let label = source_label(tx, sid, label)?;
                let who = match target {
                    SpeakerTarget::Interviewer => None,
                    SpeakerTarget::Participant(word) => Some(participant(tx, word)?),
                };
                Ok((sid, label, who))
            })();
            let (sid, label, who) = match found {
                Err(ReadError::Store(e)) => {
                    return Err(StoreError::Invalid(e.to_string()).into());
                }
                other => other?,
            };
            let existing: Option<i64> = tx
                .query_opt(
                    "SELECT id FROM speaker_map WHERE source_id = $1 AND label = $2 FOR UPDATE",
                    &[&sid, &label],
                )?
                .map(|r| r.try_get(0))
                .transpose()?;
            let interviewer = i64::from(who.is_none());
            match existing {
                Some(id) => rec.update(
                    tx,
                    "speaker_map",
                    id,
                    &[("participant_id", &who), ("interviewer", &interviewer)],
                )?,
                None => {
                    rec.insert(
                        tx,
                        "speaker_map",
                        &[
                            ("source_id", &sid),
                            ("label", &label),
                            ("participant_id", &who),
                            ("interviewer", &interviewer),
                        ],
                    )?;
                }
            }
            Ok(((), None, rules::mappings_summary(&[(sid, label, who)])))
        })
    }

    /// `Participants::define_attribute`.
    pub(crate) fn define_attribute_in(
        &self,
        actor: &str,
        name: &str,
        applies_to: AppliesTo,
        kind: AttrType,
        allowed: &[String],
    ) -> Result<Attribute, StoreError> {
        self.act(actor, "attribute.add", |tx, rec| {
            let name = rules::person_text(name, "the attribute name")?;
            // No namesake slips in between the check and the insert.
            tx.batch_execute("LOCK TABLE attributes IN SHARE ROW EXCLUSIVE MODE")?;
            let existing = attributes(tx, applies_to)??;
            rules::attribute_name_free(&existing, &name, applies_to)?;
            let position: i64 = tx
                .query_one(
                    "SELECT coalesce(max(position), 0) + 1 FROM attributes WHERE applies_to = $1",
                    &[&applies_to.as_str()],
                )?
                .try_get(0)?;
            let (name, allowed, json) = rules::attribute_columns(&name, kind, allowed)?;
            let new = rec.insert(
                tx,
                "attributes",
                &[
                    ("name", &name),
                    ("applies_to", &applies_to.as_str()),
                    ("type", &kind.as_str()),
                    ("allowed", &json),
                    ("position", &position),
                ],
            )?;
            let summary = serde_json::json!({ "name": name, "for": applies_to.as_str(), "type": kind.as_str() });
            let allowed = if kind == AttrType::Category {
                allowed
            } else {
                Vec::new()
            };
            Ok((
                Attribute {
                    id: new,
                    name,
                    applies_to,
                    kind,
                    allowed,
                },
                Some(format!("attribute:{new}")),
                summary,
            ))
        })
    }

    /// `Participants::set_source_values`.
    pub(crate) fn set_source_values_in(
        &self,
        actor: &str,
        source: &SourceRef,
        values: &[(String, String)],
    ) -> Result<(), StoreError> {
        self.act(actor, "source.set", |tx, rec| {
            let id = resolve(tx, source)?;
            let checked = checked(tx, AppliesTo::Source, values)?;
            write_values(tx, rec, "source_values", id, &checked)?;
            Ok((
                (),
                Some(format!("source:{id}")),
                serde_json::json!({ "values": values }),
            ))
        })
    }

    /// `Participants::source_values_in`.
    pub(crate) fn source_values_between(
        &self,
        sources: RangeInclusive<i64>,
    ) -> Result<HashMap<i64, Vec<(String, String)>>, StoreError> {
        let read = || -> Result<_, postgres::Error> {
            let rows = self.client().query(
                "SELECT v.source_id, a.name, v.value FROM source_values v \
                 JOIN attributes a ON a.id = v.attribute_id \
                 WHERE v.source_id BETWEEN $1 AND $2 ORDER BY a.position, a.id",
                &[sources.start(), sources.end()],
            )?;
            let mut out: HashMap<i64, Vec<(String, String)>> = HashMap::new();
            for r in &rows {
                out.entry(r.try_get(0)?)
                    .or_default()
                    .push((r.try_get(1)?, r.try_get(2)?));
            }
            Ok(out)
        };
        read().map_err(|e| self.read_error(e.into()))
    }

    /// `Participants::record_consent`.
    pub(crate) fn record_consent_in(
        &self,
        actor: &str,
        word: &str,
        date: &str,
        scope: &str,
        sheet_version: Option<&str>,
    ) -> Result<Consent, StoreError> {
        let cid = self.act(actor, "consent.record", |tx, rec| {
            let id = participant(tx, word)?;
            let (date, scope, version) = rules::consent_fields(date, scope, sheet_version)?;
            let cid = rec.insert(
                tx,
                "consents",
                &[
                    ("participant_id", &id),
                    ("given_on", &date),
                    ("scope", &scope),
                    ("sheet_version", &version),
                    ("status", &"given"),
                    ("recorded_at", &now()),
                ],
            )?;
            Ok((
                cid,
                Some(format!("participant:{id}")),
                serde_json::json!({ "date": date, "scope": scope, "sheet_version": version }),
            ))
        })?;
        self.consents_of(Some(word))?
            .into_iter()
            .find(|c| c.id == cid)
            .ok_or_else(|| StoreError::Corrupt(format!("consent {cid} vanished")))
    }

    /// `Participants::consents`.
    pub(crate) fn consents_of(
        &self,
        participant: Option<&str>,
    ) -> Result<Vec<Consent>, StoreError> {
        let mut client = self.client();
        let mut read = || -> Result<Vec<Consent>, ReadError> {
            let only = participant
                .map(|p| self::participant(&mut *client, p))
                .transpose()?;
            let rows = client.query(
                "SELECT c.id, COALESCE(p.code, p.label), c.given_on, c.scope, c.sheet_version, \
                        c.status \
                 FROM consents c JOIN participants p ON p.id = c.participant_id \
                 WHERE ($1::BIGINT IS NULL OR c.participant_id = $1) \
                 ORDER BY c.given_on COLLATE \"C\", c.id",
                &[&only],
            )?;
            Ok(rows
                .iter()
                .map(|r| {
                    Ok(Consent {
                        id: r.try_get(0)?,
                        participant: r.try_get(1)?,
                        date: r.try_get(2)?,
                        scope: r.try_get(3)?,
                        sheet_version: r.try_get(4)?,
                        status: r.try_get(5)?,
                    })
                })
                .collect::<Result<_, postgres::Error>>()?)
        };
        read().map_err(|e| self.read_error(e))
    }
}
