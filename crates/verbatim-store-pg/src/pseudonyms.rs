//! The pseudonym scheme and code assignment of `Participants` on
//! PostgreSQL, written as SQLite writes them: the same rows and audit
//! entries, the codes planned by `verbatim_store::rules::plan_codes` and a
//! scheme change checked by `rules::scheme_change`. Assignment locks the
//! participants while it plans and writes, so two processes never give
//! one code twice.

use std::collections::HashMap;

use postgres::GenericClient;
use verbatim_store::rules::{self, CodePlanInput};
use verbatim_store::{Assignment, Mode, RankStyle, Scheme, StoreError};

use crate::PgStore;
use crate::participants::{participant_rows, sites, speakers};
use crate::reads::ReadError;
use crate::record::Recorder;

/// Returns the pseudonym scheme: the template and the modes by id.
pub(crate) fn scheme(client: &mut impl GenericClient) -> Result<Scheme, postgres::Error> {
    let template: String = client
        .query_one("SELECT template FROM pseudonym_scheme", &[])?
        .try_get(0)?;
    let modes = client
        .query("SELECT kind, code, rank_style FROM modes ORDER BY id", &[])?
        .iter()
        .map(|r| {
            let style: String = r.try_get(2)?;
            Ok(Mode {
                kind: r.try_get(0)?,
                code: r.try_get(1)?,
                rank_style: if style == "letters" {
                    RankStyle::Letters
                } else {
                    RankStyle::Digits
                },
            })
        })
        .collect::<Result<_, postgres::Error>>()?;
    Ok(Scheme { template, modes })
}

/// Each source's `date` attribute value, and each source's site word.
type SourceFacts = (HashMap<i64, String>, HashMap<i64, Option<String>>);

/// Returns what planning codes reads of the sources besides their speakers.
fn source_facts(client: &mut impl GenericClient) -> Result<SourceFacts, postgres::Error> {
    let dates = client
        .query(
            "SELECT v.source_id, v.value FROM source_values v JOIN attributes a \
             ON a.id = v.attribute_id WHERE a.applies_to = 'source' AND lower(a.name) = 'date'",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;
    let sites = client
        .query("SELECT id, site FROM sources", &[])?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;
    Ok((dates, sites))
}

impl PgStore {
    /// `Participants::scheme`.
    pub(crate) fn scheme_now(&self) -> Result<Scheme, StoreError> {
        scheme(&mut *self.client()).map_err(|e| self.read_error(e.into()))
    }

    /// `Participants::set_scheme`.
    pub(crate) fn set_scheme_to(
        &self,
        actor: &str,
        template: Option<&str>,
        modes: &[(String, String, Option<RankStyle>)],
    ) -> Result<Scheme, StoreError> {
        let template = rules::scheme_change(template, modes)?;
        self.act(actor, "scheme.set", |tx, rec| {
            if let Some(t) = &template {
                rec.update_text(tx, "pseudonym_scheme", 1, "template", t)?;
            }
            for (kind, code, style) in modes {
                let existing = tx.query_opt(
                    "SELECT id, rank_style FROM modes WHERE kind = $1 FOR UPDATE",
                    &[kind],
                )?;
                let style = style.map(RankStyle::as_str);
                let code = code.trim();
                match existing {
                    Some(row) => {
                        let (id, old): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
                        let style = style.unwrap_or(&old);
                        rec.update(tx, "modes", id, &[("code", &code), ("rank_style", &style)])?;
                    }
                    None => {
                        let style = style.unwrap_or("digits");
                        rec.insert(
                            tx,
                            "modes",
                            &[("kind", kind), ("code", &code), ("rank_style", &style)],
                        )?;
                    }
                }
            }
            Ok(((), None, rules::scheme_summary(template.as_deref(), modes)))
        })?;
        self.scheme_now()
    }

    /// `Participants::assign_codes`: nothing is written when nobody receives
    /// a code.
    pub(crate) fn assign_codes_now(&self, actor: &str) -> Result<Assignment, StoreError> {
        let mut client = self.client();
        let mut run = || -> Result<Assignment, ReadError> {
            let mut tx = client.transaction()?;
            tx.batch_execute("LOCK TABLE participants IN SHARE ROW EXCLUSIVE MODE")?;
            let (source_dates, source_sites) = source_facts(&mut tx)?;
            let out = rules::plan_codes(&CodePlanInput {
                scheme: &scheme(&mut tx)?,
                sites: &sites(&mut tx)?,
                source_dates: &source_dates,
                source_sites: &source_sites,
                speakers: &speakers(&mut tx, None)?,
                rows: &participant_rows(&mut tx)?,
            });
            if out.assigned.is_empty() {
                return Ok(out);
            }
            let mut rec = Recorder::default();
            for a in &out.assigned {
                rec.update_text(&mut tx, "participants", a.id, "code", &a.code)?;
            }
            rec.finish(
                &mut tx,
                actor,
                "participants.assign",
                None,
                rules::assign_summary(&out),
            )?;
            tx.commit()?;
            Ok(out)
        };
        run().map_err(|e| self.read_error(e))
    }
}
