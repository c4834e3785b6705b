//! `Participants` on PostgreSQL: sites, participants and speaker labels,
//! written and read as SQLite does (the same rows, audit entries and
//! refusals); names are checked, labels mapped and the listing assembled
//! by `verbatim_store::rules`; the edits are written in `people_edits`,
//! the pseudonym scheme and code assignment in `pseudonyms`.
//! SQLite compares site names and participant codes ignoring ASCII case
//! (`COLLATE NOCASE`); here unique indexes on `lower(…)` keep them unique,
//! and lookups compare `lower(…)`.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use postgres::GenericClient;
use verbatim_store::rules::{self, ExplicitMappings, ParticipantRow, RosterPlan, SpeakerMapper};
use verbatim_store::{
    AppliesTo, Assignment, AttrType, Attribute, Consent, NewParticipant, Participant, Participants,
    RankStyle, RosterOutcome, Scheme, Site, SourceRef, SpeakerRow, SpeakerTarget, StoreError,
    ValueEdit,
};

use crate::failure::OrServer;
use crate::record::{Recorder, is_unique_violation};
use crate::{PgStore, now};

/// Returns the site whose name or code is `word` (ignoring case), a code
/// before a name, as SQLite's `find_site` does.
pub(crate) fn find_site(
    client: &mut impl GenericClient,
    word: &str,
) -> Result<Option<Site>, postgres::Error> {
    crate::lookup::by_name(word, || {
        client
            .query_opt(
                "SELECT id, name, code FROM sites WHERE lower(name) = lower($1) OR lower(code) = lower($1) \
                 ORDER BY lower(code) = lower($1) DESC, id LIMIT 1",
                &[&word.trim()],
            )?
            .map(|r| {
                Ok(Site {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    code: r.try_get(2)?,
                })
            })
            .transpose()
    })
}

pub(crate) fn participant_rows(
    client: &mut impl GenericClient,
) -> Result<Vec<ParticipantRow>, postgres::Error> {
    client
        .query(
            "SELECT id, code, label, site_id FROM participants ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(ParticipantRow {
                id: r.try_get(0)?,
                code: r.try_get(1)?,
                label: r.try_get(2)?,
                site_id: r.try_get(3)?,
            })
        })
        .collect()
}

pub(crate) fn sites(client: &mut impl GenericClient) -> Result<Vec<Site>, postgres::Error> {
    let rows = client.query("SELECT id, name, code, position FROM sites", &[])?;
    let mut keyed = rows
        .iter()
        .map(|r| {
            let site = Site {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                code: r.try_get(2)?,
            };
            Ok((r.try_get::<_, Option<i64>>(3)?, site))
        })
        .collect::<Result<Vec<_>, postgres::Error>>()?;
    // SQLite's order: positioned sites first, then by name as NOCASE
    // compares it (ASCII letters folded, then bytes).
    keyed.sort_by(|(pa, a), (pb, b)| {
        (pa.is_none(), pa, a.name.to_ascii_lowercase(), a.id).cmp(&(
            pb.is_none(),
            pb,
            b.name.to_ascii_lowercase(),
            b.id,
        ))
    });
    Ok(keyed.into_iter().map(|(_, s)| s).collect())
}

/// Returns the speaker mapping, with the explicit mappings of one source
/// (or all).
pub(crate) fn mapper(
    client: &mut impl GenericClient,
    source: Option<i64>,
) -> Result<SpeakerMapper, postgres::Error> {
    let explicit: ExplicitMappings = client
        .query(
            "SELECT source_id, label, participant_id, interviewer FROM speaker_map \
             WHERE $1::BIGINT IS NULL OR source_id = $1",
            &[&source],
        )?
        .iter()
        .map(|r| {
            Ok((
                (r.try_get(0)?, r.try_get(1)?),
                (r.try_get(2)?, r.try_get::<_, i64>(3)? == 1),
            ))
        })
        .collect::<Result<_, postgres::Error>>()?;
    Ok(SpeakerMapper::new(
        &participant_rows(client)?,
        &sites(client)?,
        explicit,
    ))
}

pub(crate) fn speakers(
    client: &mut impl GenericClient,
    source: Option<i64>,
) -> Result<Vec<SpeakerRow>, postgres::Error> {
    let mapper = mapper(client, source)?;
    let rows = client.query(
        // Turns grouped alone, then joined to their sources: grouping on
        // the sources' text columns too cost 2.4 times as much (190,000
        // turns, BENCHMARKS.md "SQLite and PostgreSQL side by side").
        "SELECT t.source_id, s.name, s.kind, s.site, t.speaker, t.n, t.first \
         FROM (SELECT source_id, speaker, count(*) AS n, min(ordinal) AS first FROM turns \
               WHERE speaker <> '' AND ($1::BIGINT IS NULL OR source_id = $1) \
               GROUP BY source_id, speaker) t \
         JOIN sources s ON s.id = t.source_id ORDER BY t.source_id, t.first",
        &[&source],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let site: Option<String> = r.try_get(3)?;
        let row = SpeakerRow::unmapped(
            r.try_get(0)?,
            (r.try_get(1)?, r.try_get(2)?),
            r.try_get(4)?,
            r.try_get(5)?,
            r.try_get(6)?,
        );
        out.push(mapper.mapped(row, site.as_deref()));
    }
    Ok(out)
}

impl Participants for PgStore {
    fn withdrawn_participants(&self) -> Result<i64, StoreError> {
        self.client()
            .query_one(
                "SELECT count(DISTINCT participant_id) FROM consents WHERE status = 'withdrawn'",
                &[],
            )
            .and_then(|r| r.try_get(0))
            .or_server(self.address())
    }

    fn add_site(&mut self, actor: &str, name: &str, code: &str) -> Result<Site, StoreError> {
        let name = rules::person_text(name, "the site name")?;
        let code = rules::short_code(code, "site code")?;
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let taken = match find_site(&mut tx, &name).or_server(&address)? {
            Some(site) => Some(site),
            None => find_site(&mut tx, &code).or_server(&address)?,
        };
        if let Some(s) = taken {
            return Err(site_exists(&s.name, &s.code));
        }
        let mut rec = Recorder::default();
        let id = match rec.insert(&mut tx, "sites", &[("name", &name), ("code", &code)]) {
            Err(e) if is_unique_violation(&e) => return Err(site_exists(&name, &code)),
            other => other.or_server(&address)?,
        };
        rec.finish(
            &mut tx,
            actor,
            "site.add",
            Some(&format!("site:{id}")),
            serde_json::json!({ "name": name, "code": code }),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(Site { id, name, code })
    }

    fn sites(&self) -> Result<Vec<Site>, StoreError> {
        sites(&mut *self.client()).or_server(self.address())
    }

    fn add_participant(&mut self, actor: &str, new: &NewParticipant) -> Result<i64, StoreError> {
        let code = new
            .code
            .as_deref()
            .map(rules::participant_code)
            .transpose()?;
        let label = new
            .label
            .as_deref()
            .map(|l| rules::person_text(l, "the participant's label"))
            .transpose()?;
        if code.is_none() && label.is_none() {
            return Err(StoreError::Invalid(
                "a participant needs a code or a label".into(),
            ));
        }
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        if let Some(c) = &code {
            let taken = tx
                .query_opt(
                    "SELECT id FROM participants WHERE lower(code) = lower($1)",
                    &[c],
                )
                .or_server(&address)?;
            if taken.is_some() {
                return Err(StoreError::DuplicateParticipant(c.clone()));
            }
        }
        let site = match new.site.as_deref() {
            Some(word) => Some(
                find_site(&mut tx, word)
                    .or_server(&address)?
                    .ok_or_else(|| StoreError::UnknownSite(word.trim().to_owned()))?
                    .id,
            ),
            None => None,
        };
        let mut rec = Recorder::default();
        let (guid, created) = (uuid::Uuid::new_v4().to_string(), now());
        let inserted = rec.insert(
            &mut tx,
            "participants",
            &[
                ("guid", &guid),
                ("code", &code),
                ("label", &label),
                ("site_id", &site),
                ("created_at", &created),
            ],
        );
        let id = match (inserted, &code) {
            (Err(e), Some(c)) if is_unique_violation(&e) => {
                return Err(StoreError::DuplicateParticipant(c.clone()));
            }
            (other, _) => other.or_server(&address)?,
        };
        rec.finish(
            &mut tx,
            actor,
            "participant.add",
            Some(&format!("participant:{id}")),
            serde_json::json!({ "code": code, "label": label }),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(id)
    }

    fn participants(&self) -> Result<Vec<Participant>, StoreError> {
        let mut client = self.client();
        let listing = (|| -> Result<Vec<Participant>, postgres::Error> {
            let mut values: HashMap<i64, Vec<(String, String)>> = HashMap::new();
            for r in client.query(
                "SELECT v.participant_id, a.name, v.value FROM participant_values v \
                 JOIN attributes a ON a.id = v.attribute_id ORDER BY a.position, a.id",
                &[],
            )? {
                values
                    .entry(r.try_get(0)?)
                    .or_default()
                    .push((r.try_get(1)?, r.try_get(2)?));
            }
            let mut consent: HashMap<i64, String> = HashMap::new();
            for r in client.query(
                "SELECT participant_id, status FROM consents ORDER BY given_on COLLATE \"C\", id",
                &[],
            )? {
                consent.insert(r.try_get(0)?, r.try_get(1)?);
            }
            let speakers = speakers(&mut *client, None)?;
            Ok(rules::participant_listing(
                participant_rows(&mut *client)?,
                &sites(&mut *client)?,
                values,
                consent,
                &speakers,
            ))
        })();
        listing.or_server(self.address())
    }

    fn speakers(&self, source: Option<i64>) -> Result<Vec<SpeakerRow>, StoreError> {
        speakers(&mut *self.client(), source).or_server(self.address())
    }

    fn attributes(&self, applies_to: AppliesTo) -> Result<Vec<Attribute>, StoreError> {
        attributes(&mut *self.client(), applies_to).or_server(self.address())?
    }

    fn import_roster(
        &mut self,
        actor: &str,
        header: &[String],
        rows: &[Vec<String>],
        types: &[(String, AttrType)],
    ) -> Result<RosterOutcome, StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        // What the roster is checked against stays as read until it is
        // written: no participant, attribute or site slips in between.
        tx.batch_execute("LOCK TABLE participants, attributes, sites IN SHARE ROW EXCLUSIVE MODE")
            .or_server(&address)?;
        let existing = attributes(&mut tx, AppliesTo::Participant).or_server(&address)??;
        let people = participant_rows(&mut tx).or_server(&address)?;
        let known = sites(&mut tx).or_server(&address)?;
        let plan = rules::plan_roster(header, rows, types, &existing, &people, &known)?;
        let mut rec = Recorder::default();
        let defined = write_roster(&mut tx, &mut rec, &plan, &existing).or_server(&address)??;
        rec.finish(
            &mut tx,
            actor,
            "participants.import",
            None,
            serde_json::json!({ "participants": plan.rows.len(), "new_attributes": defined }),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(RosterOutcome {
            participants: plan.rows.len(),
            new_attributes: defined,
        })
    }

    fn set_participant(
        &mut self,
        actor: &str,
        word: &str,
        label: Option<&str>,
        site: Option<&str>,
        values: &[(String, String)],
    ) -> Result<(), StoreError> {
        self.set_participant_in(actor, word, label, site, values)
    }

    fn rename_participant(
        &mut self,
        actor: &str,
        word: &str,
        new_code: &str,
    ) -> Result<(), StoreError> {
        self.rename_participant_in(actor, word, new_code)
    }

    fn map_speaker(
        &mut self,
        actor: &str,
        source: &SourceRef,
        label: &str,
        target: &SpeakerTarget,
    ) -> Result<(), StoreError> {
        self.map_speaker_in(actor, source, label, target)
    }

    fn define_attribute(
        &mut self,
        actor: &str,
        name: &str,
        applies_to: AppliesTo,
        kind: AttrType,
        allowed: &[String],
    ) -> Result<Attribute, StoreError> {
        self.define_attribute_in(actor, name, applies_to, kind, allowed)
    }

    fn set_source_values(
        &mut self,
        actor: &str,
        source: &SourceRef,
        values: &[(String, String)],
    ) -> Result<(), StoreError> {
        self.set_source_values_in(actor, source, values)
    }

    fn source_values_in(
        &self,
        sources: RangeInclusive<i64>,
    ) -> Result<HashMap<i64, Vec<(String, String)>>, StoreError> {
        self.source_values_between(sources)
    }

    fn record_consent(
        &mut self,
        actor: &str,
        word: &str,
        date: &str,
        scope: &str,
        sheet_version: Option<&str>,
    ) -> Result<Consent, StoreError> {
        self.record_consent_in(actor, word, date, scope, sheet_version)
    }

    fn consents(&self, participant: Option<&str>) -> Result<Vec<Consent>, StoreError> {
        self.consents_of(participant)
    }

    fn scheme(&self) -> Result<Scheme, StoreError> {
        self.scheme_now()
    }

    fn set_scheme(
        &mut self,
        actor: &str,
        template: Option<&str>,
        modes: &[(String, String, Option<RankStyle>)],
    ) -> Result<Scheme, StoreError> {
        self.set_scheme_to(actor, template, modes)
    }

    fn assign_codes(&mut self, actor: &str) -> Result<Assignment, StoreError> {
        self.assign_codes_now(actor)
    }

    fn merge_attribute_values(
        &mut self,
        actor: &str,
        attribute: &str,
        applies_to: AppliesTo,
        values: &[String],
        into: &str,
    ) -> Result<ValueEdit, StoreError> {
        self.merge_values_in(actor, attribute, applies_to, values, into)
    }

    fn delete_attribute(
        &mut self,
        actor: &str,
        attribute: &str,
        applies_to: AppliesTo,
    ) -> Result<usize, StoreError> {
        self.delete_attribute_in(actor, attribute, applies_to)
    }

    fn map_speakers(
        &mut self,
        actor: &str,
        rows: &[(SourceRef, String, SpeakerTarget)],
    ) -> Result<(), StoreError> {
        self.map_speakers_in(actor, rows)
    }

    fn rename_speaker(
        &mut self,
        actor: &str,
        source: i64,
        from: &str,
        to: &str,
    ) -> Result<usize, StoreError> {
        self.rename_speaker_in(actor, source, from, to)
    }
}

/// Returns the attributes of participants or sources, in their order.
pub(crate) fn attributes(
    client: &mut impl GenericClient,
    applies_to: AppliesTo,
) -> Result<Result<Vec<Attribute>, StoreError>, postgres::Error> {
    let rows = client.query(
        "SELECT id, name, type, allowed FROM attributes WHERE applies_to = $1 \
         ORDER BY position, id",
        &[&applies_to.as_str()],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let kind: String = r.try_get(2)?;
        match rules::attribute_from_row(
            r.try_get(0)?,
            r.try_get(1)?,
            applies_to,
            &kind,
            r.try_get(3)?,
        ) {
            Ok(attribute) => out.push(attribute),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(out))
}

/// Writes a checked roster inside the caller's transaction: its new
/// attributes after the others, then each participant and their values,
/// as SQLite's `import_roster` writes them. Returns the attributes defined.
fn write_roster(
    tx: &mut postgres::Transaction<'_>,
    rec: &mut Recorder,
    plan: &RosterPlan,
    existing: &[Attribute],
) -> Result<Result<Vec<(String, String)>, StoreError>, postgres::Error> {
    let mut position: i64 = tx
        .query_one(
            "SELECT coalesce(max(position), 0) + 1 FROM attributes WHERE applies_to = 'participant'",
            &[],
        )?
        .try_get(0)?;
    let mut ids = Vec::with_capacity(plan.attributes.len());
    let mut defined = Vec::new();
    for (name, kind, allowed, new) in &plan.attributes {
        let id = if *new {
            let (clean, _, json) = match rules::attribute_columns(name, *kind, allowed) {
                Ok(columns) => columns,
                Err(e) => return Ok(Err(e)),
            };
            defined.push((name.clone(), kind.as_str().to_owned()));
            let id = rec.insert(
                tx,
                "attributes",
                &[
                    ("name", &clean),
                    ("applies_to", &AppliesTo::Participant.as_str()),
                    ("type", &kind.as_str()),
                    ("allowed", &json),
                    ("position", &position),
                ],
            )?;
            position += 1;
            id
        } else {
            match existing.iter().find(|a| &a.name == name) {
                Some(a) => a.id,
                None => {
                    return Ok(Err(StoreError::Corrupt(format!(
                        "attribute {name} vanished"
                    ))));
                }
            }
        };
        ids.push(id);
    }
    for (code, label, site, values) in &plan.rows {
        let (guid, created) = (uuid::Uuid::new_v4().to_string(), now());
        let id = rec.insert(
            tx,
            "participants",
            &[
                ("guid", &guid),
                ("code", code),
                ("label", label),
                ("site_id", site),
                ("created_at", &created),
            ],
        )?;
        for (k, value) in values {
            rec.insert(
                tx,
                "participant_values",
                &[
                    ("participant_id", &id),
                    ("attribute_id", &ids[*k]),
                    ("value", value),
                ],
            )?;
        }
    }
    Ok(Ok(defined))
}

/// The refusal for a site whose name or code is taken.
fn site_exists(name: &str, code: &str) -> StoreError {
    StoreError::Invalid(format!("site {name:?} ({code}) already exists"))
}
