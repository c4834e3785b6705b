//! `Guides` on PostgreSQL: interview guides' versions and questions, and
//! the version each source was collected with (migration 0012), written as
//! SQLite writes them (the same rows, audit entries and refusals). Reading
//! a guide's text, the version rules and autocoding itself are
//! `verbatim_store::rules`' (`guide_rules`), so both backends parse, refuse
//! and code alike; a guide's name is found ignoring case, as SQLite's
//! `COLLATE NOCASE` column finds it.

use postgres::GenericClient;
use verbatim_store::rules::{self, GuidePlan};
use verbatim_store::{
    AutocodeReport, Guide, GuideQuestion, GuideVersion, Guides, Scope, SourceRef, StoreError,
};

use crate::failure::OrServer;
use crate::reads::{ReadError, resolve};
use crate::{PgStore, now};

/// Returns the id of the guide named `name` (ignoring case), if any.
fn guide_id(client: &mut impl GenericClient, name: &str) -> Result<Option<i64>, postgres::Error> {
    crate::lookup::by_name(name, || {
        client
            .query_opt(
                "SELECT id FROM guides WHERE lower(name) = lower($1)",
                &[&name.trim()],
            )?
            .map(|r| r.try_get(0))
            .transpose()
    })
}

/// Returns the questions of guide version `version`, in order.
fn questions_of(
    client: &mut impl GenericClient,
    version: i64,
) -> Result<Vec<GuideQuestion>, postgres::Error> {
    let rows = client
        .query(
            "SELECT id, parent, number, text FROM guide_questions WHERE version_id = $1 \
             ORDER BY position",
            &[&version],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect::<Result<_, postgres::Error>>()?;
    Ok(rules::questions_from_rows(rows))
}

/// Returns the versions of guide `guide`, oldest first, each with the
/// sources collected with it.
fn versions_of(
    client: &mut impl GenericClient,
    guide: i64,
) -> Result<Vec<GuideVersion>, postgres::Error> {
    let rows = client.query(
        "SELECT id, version, dated FROM guide_versions WHERE guide_id = $1 ORDER BY version",
        &[&guide],
    )?;
    let mut out = Vec::new();
    for row in &rows {
        let vid: i64 = row.try_get(0)?;
        let sources = client
            .query(
                "SELECT s.name FROM source_guides g JOIN sources s ON s.id = g.source_id \
                 WHERE g.version_id = $1 ORDER BY s.id",
                &[&vid],
            )?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        out.push(GuideVersion {
            version: row.try_get(1)?,
            date: row.try_get(2)?,
            questions: questions_of(client, vid)?,
            sources,
        });
    }
    Ok(out)
}

impl Guides for PgStore {
    fn add_guide(
        &mut self,
        actor: &str,
        name: &str,
        text: &str,
        version: Option<i64>,
        date: Option<&str>,
    ) -> Result<GuideVersion, StoreError> {
        let new = rules::new_guide(name, text, date)?;
        self.act(actor, "guide.add", |tx, rec| {
            // The guide's row is locked, so two processes adding versions
            // of one guide number them one after the other.
            let existing: Option<i64> = tx
                .query_opt(
                    "SELECT id FROM guides WHERE lower(name) = lower($1) FOR UPDATE",
                    &[&new.name],
                )?
                .map(|r| r.try_get(0))
                .transpose()?;
            let versions: Vec<i64> = tx
                .query(
                    "SELECT version FROM guide_versions WHERE guide_id = $1",
                    &[&existing],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
            let version = rules::guide_version_number(&new.name, version, &versions)?;
            let guide = match existing {
                Some(g) => g,
                None => rec.insert(tx, "guides", &[("name", &new.name), ("created_at", &now())])?,
            };
            let vid = rec.insert(
                tx,
                "guide_versions",
                &[
                    ("guide_id", &guide),
                    ("version", &version),
                    ("dated", &new.date),
                ],
            )?;
            let mut parent = None;
            for (position, sub, q) in rules::stored_questions(&new.questions) {
                let above = if sub { parent } else { None };
                let id = rec.insert(
                    tx,
                    "guide_questions",
                    &[
                        ("version_id", &vid),
                        ("parent", &above),
                        ("position", &position),
                        ("number", &q.number),
                        ("text", &q.text),
                    ],
                )?;
                if !sub {
                    parent = Some(id);
                }
            }
            let summary = rules::guide_add_summary(&new.name, version, new.questions.len());
            let added = GuideVersion {
                version,
                date: new.date.clone(),
                questions: new.questions.clone(),
                sources: Vec::new(),
            };
            Ok((added, Some(format!("guide:{guide}")), summary))
        })
    }

    fn guides(&self) -> Result<Vec<Guide>, StoreError> {
        let mut client = self.client();
        let read = |client: &mut postgres::Client| -> Result<Vec<Guide>, postgres::Error> {
            let guides = client.query(
                "SELECT id, name FROM guides ORDER BY lower(name COLLATE \"C\"), id",
                &[],
            )?;
            let mut out = Vec::new();
            for row in &guides {
                out.push(Guide {
                    name: row.try_get(1)?,
                    versions: versions_of(client, row.try_get(0)?)?,
                });
            }
            Ok(out)
        };
        read(&mut client).or_server(self.address())
    }

    fn use_guide(
        &mut self,
        actor: &str,
        source: &SourceRef,
        guide: &str,
        version: Option<i64>,
    ) -> Result<i64, StoreError> {
        self.act(actor, "guide.use", |tx, rec| {
            let sid = resolve(tx, source)?;
            let gid = guide_id(tx, guide)?.ok_or_else(|| rules::unknown_guide(guide, None))?;
            let found = tx.query_opt(
                "SELECT id, version FROM guide_versions WHERE guide_id = $1 \
                 AND ($2::BIGINT IS NULL OR version = $2) ORDER BY version DESC LIMIT 1",
                &[&gid, &version],
            )?;
            let Some(found) = found else {
                let asked = Some(version.unwrap_or_default());
                return Err(ReadError::Store(rules::unknown_guide(guide, asked)));
            };
            let (vid, number): (i64, i64) = (found.try_get(0)?, found.try_get(1)?);
            let existing: Option<i64> = tx
                .query_opt(
                    "SELECT id FROM source_guides WHERE source_id = $1 FOR UPDATE",
                    &[&sid],
                )?
                .map(|r| r.try_get(0))
                .transpose()?;
            match existing {
                Some(id) => rec.update(tx, "source_guides", id, &[("version_id", &vid)])?,
                None => {
                    rec.insert(
                        tx,
                        "source_guides",
                        &[("source_id", &sid), ("version_id", &vid)],
                    )?;
                }
            }
            let summary = rules::guide_use_summary(guide, number);
            Ok((number, Some(format!("source:{sid}")), summary))
        })
    }

    fn guide_plans(&self, only: Option<i64>) -> Result<Vec<GuidePlan>, StoreError> {
        let mut client = self.client();
        let read = |client: &mut postgres::Client| -> Result<Vec<GuidePlan>, postgres::Error> {
            let rows = client.query(
                "SELECT g.source_id, v.id, gd.name, v.version FROM source_guides g \
                 JOIN guide_versions v ON v.id = g.version_id \
                 JOIN guides gd ON gd.id = v.guide_id \
                 WHERE ($1::BIGINT IS NULL OR g.source_id = $1) ORDER BY g.source_id",
                &[&only],
            )?;
            let mut out = Vec::new();
            for row in &rows {
                out.push(GuidePlan {
                    source: row.try_get(0)?,
                    guide: row.try_get(2)?,
                    version: row.try_get(3)?,
                    questions: questions_of(client, row.try_get(1)?)?,
                });
            }
            Ok(out)
        };
        read(&mut client).or_server(self.address())
    }

    fn autocode(
        &mut self,
        scope: &Scope,
        source: Option<&SourceRef>,
        threshold: f64,
    ) -> Result<Vec<AutocodeReport>, StoreError> {
        rules::autocode(self, scope, source, threshold)
    }
}
