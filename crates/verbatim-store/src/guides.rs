//! Interview guides stored in a study file: versioned lists of questions
//! and the version each source was collected with.
//!
//! Semi-structured interviews follow a guide that changes during a study,
//! and which version framed an interview matters when reading it. Reading
//! a guide's text, the version rules and autocoding answers by question are
//! `boundary::guide_rules`' (both backends share them); this module keeps
//! SQLite's rows.

use rusqlite::OptionalExtension;
use rusqlite::types::Value;

use crate::boundary::guide_rules::{self, GuidePlan};
use crate::codes::opt_text;
use crate::history::{Recorder, Table, id_key};
use crate::{
    AutocodeReport, Guide, GuideQuestion, GuideVersion, Scope, SourceRef, SqliteStore, StoreError,
    audit,
};

impl SqliteStore {
    fn guide_id(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM guides WHERE name = $1",
                [name.trim()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Adds a version of a guide (creating the guide if new) from its text;
    /// `version` defaults to the next number.
    pub fn add_guide(
        &mut self,
        actor: &str,
        name: &str,
        text: &str,
        version: Option<i64>,
        date: Option<&str>,
    ) -> Result<GuideVersion, StoreError> {
        let new = guide_rules::new_guide(name, text, date)?;
        let existing = self.guide_id(&new.name)?;
        let versions: Vec<i64> = self
            .conn
            .prepare("SELECT version FROM guide_versions WHERE guide_id = $1")?
            .query_map([existing], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let version = guide_rules::guide_version_number(&new.name, version, &versions)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let guide = match existing {
            Some(g) => g,
            None => rec.insert(
                &tx,
                Table::Guides,
                &[
                    ("name", Value::Text(new.name.clone())),
                    ("created_at", Value::Text(audit::now())),
                ],
            )?,
        };
        let vid = rec.insert(
            &tx,
            Table::GuideVersions,
            &[
                ("guide_id", Value::Integer(guide)),
                ("version", Value::Integer(version)),
                ("dated", opt_text(&new.date)),
            ],
        )?;
        let mut parent = None;
        for (position, sub, q) in guide_rules::stored_questions(&new.questions) {
            let above = if sub { parent } else { None };
            let id = insert_question(&tx, &mut rec, vid, above, position, q)?;
            if !sub {
                parent = Some(id);
            }
        }
        rec.finish(
            &tx,
            actor,
            "guide.add",
            Some(&format!("guide:{guide}")),
            guide_rules::guide_add_summary(&new.name, version, new.questions.len()),
        )?;
        tx.commit()?;
        Ok(GuideVersion {
            version,
            date: new.date,
            questions: new.questions,
            sources: Vec::new(),
        })
    }

    /// Returns every guide with its versions and questions.
    pub fn guides(&self) -> Result<Vec<Guide>, StoreError> {
        let guides: Vec<(i64, String)> = self
            .conn
            .prepare("SELECT id, name FROM guides ORDER BY name")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (gid, name) in guides {
            let versions: Vec<(i64, i64, Option<String>)> = self
                .conn
                .prepare(
                    "SELECT id, version, dated FROM guide_versions WHERE guide_id = $1 ORDER BY version",
                )?
                .query_map([gid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            let mut vs = Vec::new();
            for (vid, version, date) in versions {
                let sources: Vec<String> = self
                    .conn
                    .prepare(
                        "SELECT s.name FROM source_guides g JOIN sources s ON s.id = g.source_id \
                         WHERE g.version_id = $1 ORDER BY s.id",
                    )?
                    .query_map([vid], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                vs.push(GuideVersion {
                    version,
                    date,
                    questions: self.questions_of(vid)?,
                    sources,
                });
            }
            out.push(Guide { name, versions: vs });
        }
        Ok(out)
    }

    fn questions_of(&self, version: i64) -> Result<Vec<GuideQuestion>, StoreError> {
        let rows: Vec<(i64, Option<i64>, String, String)> = self
            .conn
            .prepare(
                "SELECT id, parent, number, text FROM guide_questions WHERE version_id = $1 ORDER BY position",
            )?
            .query_map([version], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        Ok(guide_rules::questions_from_rows(rows))
    }

    /// Records that a source was collected with a guide version (the latest
    /// when `version` is not given).
    pub fn use_guide(
        &mut self,
        actor: &str,
        source: &SourceRef,
        guide: &str,
        version: Option<i64>,
    ) -> Result<i64, StoreError> {
        let sid = self.resolve(source)?;
        let gid = self
            .guide_id(guide)?
            .ok_or_else(|| guide_rules::unknown_guide(guide, None))?;
        let found: Option<(i64, i64)> = self
            .conn
            .query_row(
                "SELECT id, version FROM guide_versions WHERE guide_id = $1 \
                 AND ($2 IS NULL OR version = $2) ORDER BY version DESC LIMIT 1",
                rusqlite::params![gid, version],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (vid, number) = found
            .ok_or_else(|| guide_rules::unknown_guide(guide, Some(version.unwrap_or_default())))?;
        let existing: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM source_guides WHERE source_id = $1",
                [sid],
                |r| r.get(0),
            )
            .optional()?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        match existing {
            Some(id) => rec.update(
                &tx,
                Table::SourceGuides,
                id_key(id),
                &[("version_id", Value::Integer(vid))],
            )?,
            None => {
                rec.insert(
                    &tx,
                    Table::SourceGuides,
                    &[
                        ("source_id", Value::Integer(sid)),
                        ("version_id", Value::Integer(vid)),
                    ],
                )?;
            }
        }
        rec.finish(
            &tx,
            actor,
            "guide.use",
            Some(&format!("source:{sid}")),
            guide_rules::guide_use_summary(guide, number),
        )?;
        tx.commit()?;
        Ok(number)
    }

    /// Returns the guide version each source records (source `only`, or
    /// all), by source id, with its questions.
    pub fn guide_plans(&self, only: Option<i64>) -> Result<Vec<GuidePlan>, StoreError> {
        let planned: Vec<(i64, i64, String, i64)> = self
            .conn
            .prepare(
                "SELECT g.source_id, v.id, gd.name, v.version FROM source_guides g \
                 JOIN guide_versions v ON v.id = g.version_id JOIN guides gd ON gd.id = v.guide_id \
                 WHERE ($1 IS NULL OR g.source_id = $1) ORDER BY g.source_id",
            )?
            .query_map([only], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        planned
            .into_iter()
            .map(|(source, vid, guide, version)| {
                Ok(GuidePlan {
                    source,
                    guide,
                    version,
                    questions: self.questions_of(vid)?,
                })
            })
            .collect()
    }

    /// Codes, for the scope's coder, the answers to each question of the
    /// guide version each source records (see
    /// [`guide_rules::autocode`], which both backends run).
    pub fn autocode(
        &mut self,
        scope: &Scope,
        source: Option<&SourceRef>,
        threshold: f64,
    ) -> Result<Vec<AutocodeReport>, StoreError> {
        guide_rules::autocode(self, scope, source, threshold)
    }
}

fn insert_question(
    conn: &rusqlite::Connection,
    rec: &mut Recorder,
    version: i64,
    parent: Option<i64>,
    position: i64,
    q: &GuideQuestion,
) -> Result<i64, StoreError> {
    rec.insert(
        conn,
        Table::GuideQuestions,
        &[
            ("version_id", Value::Integer(version)),
            ("parent", parent.map_or(Value::Null, Value::Integer)),
            ("position", Value::Integer(position)),
            ("number", Value::Text(q.number.clone())),
            ("text", Value::Text(q.text.clone())),
        ],
    )
}

#[cfg(test)]
mod tests {
    use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Turn};

    use super::*;
    use verbatim_core::Span;

    use crate::{Book, CodeKind, CodingFilter, ImportItem, Store, StudySettings};

    #[test]
    fn autocode_codes_answers_until_the_next_interviewer_turn() {
        let dir = tempfile::tempdir().unwrap();
        let mut store =
            SqliteStore::create(&dir.path().join("s.vbt"), &StudySettings::titled("t"), "t")
                .unwrap();
        let lines = [
            (
                "INT",
                "Alors, comment décririez vous la relation avec les usagers ?",
            ),
            ("CSI-2", "Compliquée."),
            ("CSI-2", "Mais riche."),
            ("INT", "Et votre hiérarchie ?"),
            ("CSI-2", "Absente."),
        ];
        let (mut text, mut turns) = (String::new(), Vec::new());
        for (who, what) in lines {
            text.push_str(who);
            text.push_str(" : ");
            let start = text.chars().count();
            text.push_str(what);
            turns.push(Turn {
                speaker: Some(who.into()),
                span: Span::new(start, text.chars().count()).unwrap(),
                begin_ms: None,
                end_ms: None,
            });
            text.push('\n');
        }
        let source =
            NormalisedSource::new(Format::Txt, text, turns, vec![], SourceMetadata::default())
                .unwrap();
        store
            .import_batch(
                "t",
                vec![ImportItem {
                    name: "i".into(),
                    original_path: None,
                    kind: SourceKind::Interview,
                    site: None,
                    language: None,
                    source,
                }],
            )
            .unwrap();
        store.add_coder("t", "amira", None, None).unwrap();
        let guide =
            "1. Comment décririez-vous votre relation avec les usagers ?\n2. Quel budget ?\n";
        store.add_guide("t", "G", guide, None, None).unwrap();
        store.use_guide("t", &SourceRef::Id(1), "g", None).unwrap();
        let scope = store.scope("amira", false, false).unwrap();
        let reports = store.autocode(&scope, None, 0.6).unwrap();
        assert_eq!(reports[0].matched.len(), 1);
        assert_eq!(reports[0].matched[0].codings, 2);
        assert_eq!(reports[0].unmatched, vec!["2. Quel budget ?"]);
        // The guide and its questions are structural codes, so autocoding
        // alone does not make the source count as analysed.
        let tree = store.code_tree(&scope, Book::Own).unwrap();
        assert_eq!(tree.len(), 3, "{tree:?}");
        assert!(tree.iter().all(|n| n.kind == CodeKind::Structural));
        assert!(store.sources_coded_by(&scope).unwrap().is_empty());
        let codings = store.codings(&scope, &CodingFilter::default()).unwrap();
        let texts: Vec<&str> = codings.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["Compliquée.", "Mais riche."]);
        // A stricter threshold finds nothing.
        let strict = store.autocode(&scope, None, 0.95).unwrap();
        assert_eq!(strict[0].unmatched.len(), 2);
    }
}
