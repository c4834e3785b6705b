//! Interview guides: versioned lists of questions, the version each source
//! was collected with, and coding answers by question.
//!
//! Semi-structured interviews follow a guide that changes during a study,
//! and which version framed an interview matters when reading it. A guide
//! is imported from a plain or Markdown list (numbered lines are questions,
//! indented lines their sub-questions). `autocode` finds each question in
//! the interviewer's turns with a forgiving match (case, accents and
//! punctuation ignored; share of the question's words present ≥ a
//! threshold; the best-matching turn wins) and codes each turn that answers
//! it (every turn up to the next interviewer turn: participants', and
//! labels not mapped yet) through the ordinary coding API, so the result is
//! the coder's own layer, blind to others and undoable step by step. The
//! codes sit under a code named after the guide, one per question (and
//! sub-question), created once and reused by later runs and versions.

use std::collections::HashMap;

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::Serialize;
use verbatim_core::Span;

use crate::codes::opt_text;
use crate::fold::{similarity, words};
use crate::history::{Recorder, Table, id_key};
use crate::values::parse_date;
use crate::{Book, CodeKind, NewCode, Scope, SourceRef, SqliteStore, Store, StoreError, audit};

/// A question of a guide, with its sub-questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuideQuestion {
    /// Its number as written (`2`, `2.a`).
    pub number: String,
    /// Its wording.
    pub text: String,
    /// Its sub-questions.
    pub sub: Vec<GuideQuestion>,
}

impl GuideQuestion {
    /// Returns the code name answers to this question are coded with.
    pub fn code_name(&self) -> String {
        let name = format!("{}. {}", self.number, self.text);
        if name.chars().count() <= 80 {
            name
        } else {
            format!("{}…", name.chars().take(79).collect::<String>())
        }
    }
}

/// One version of a guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuideVersion {
    /// Its number (1, 2…).
    pub version: i64,
    /// Its date (`YYYY-MM-DD`), if given.
    pub date: Option<String>,
    /// Its questions, in order.
    pub questions: Vec<GuideQuestion>,
    /// Sources collected with it.
    pub sources: Vec<String>,
}

/// A guide with its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guide {
    /// Its name.
    pub name: String,
    /// Its versions, oldest first.
    pub versions: Vec<GuideVersion>,
}

/// A question found in a source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchedQuestion {
    /// The question's number.
    pub number: String,
    /// The code its answers were coded with.
    pub code: String,
    /// The ordinal of the interviewer turn that asks it.
    pub turn: i64,
    /// How closely that turn matches (0 to 1).
    pub score: f64,
    /// Participant turns coded as its answer.
    pub codings: usize,
}

/// What `autocode` did in one source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutocodeReport {
    /// The source's name.
    pub source: String,
    /// The guide's name.
    pub guide: String,
    /// The guide version used.
    pub version: i64,
    /// Questions found, in guide order.
    pub matched: Vec<MatchedQuestion>,
    /// Questions not found (`number. text`).
    pub unmatched: Vec<String>,
}

/// Returns the number at the start of a guide line and the rest: `1.`,
/// `2)`, `1.2`, `a)`; bullets give no number.
fn split_number(line: &str) -> (Option<String>, bool, &str) {
    for bullet in ["- ", "* ", "• ", "– "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return (None, false, rest.trim());
        }
    }
    let end = line
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(line.len(), |(i, _)| i);
    let head = &line[..end];
    if !head.is_empty() && head.starts_with(|c: char| c.is_ascii_digit()) {
        let rest = line[end..].strip_prefix(')').unwrap_or(&line[end..]);
        if rest.starts_with(char::is_whitespace) {
            let number = head.trim_end_matches('.');
            return (Some(number.to_owned()), number.contains('.'), rest.trim());
        }
    }
    let mut chars = line.chars();
    if let (Some(letter), Some(mark), Some(space)) = (chars.next(), chars.next(), chars.next())
        && letter.is_ascii_lowercase()
        && (mark == ')' || mark == '.')
        && space.is_whitespace()
    {
        return (Some(letter.to_string()), true, line[3..].trim());
    }
    (None, false, line.trim())
}

/// Returns the questions of a guide written as a numbered list, indented
/// lines (or `1.1`, `a)` numbers) being sub-questions of the question
/// above. Markdown headings and blank lines are skipped.
pub fn parse_guide(text: &str) -> Vec<GuideQuestion> {
    let mut out: Vec<GuideQuestion> = Vec::new();
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let (number, sub_number, rest) = split_number(trimmed);
        if rest.is_empty() {
            continue;
        }
        let is_sub = (indent > 0 || sub_number) && !out.is_empty();
        if is_sub && let Some(parent) = out.last_mut() {
            let n = match number {
                Some(n) if n.contains('.') => n,
                Some(n) => format!("{}.{n}", parent.number),
                None => format!("{}.{}", parent.number, parent.sub.len() + 1),
            };
            parent.sub.push(GuideQuestion {
                number: n,
                text: rest.to_owned(),
                sub: Vec::new(),
            });
        } else {
            let n = number.unwrap_or_else(|| (out.len() + 1).to_string());
            out.push(GuideQuestion {
                number: n,
                text: rest.to_owned(),
                sub: Vec::new(),
            });
        }
    }
    out
}

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
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a guide needs a name".into()));
        }
        let questions = parse_guide(text);
        if questions.is_empty() {
            return Err(StoreError::Invalid(
                "the guide has no questions: write one question per line, numbered (1. …), sub-questions indented".into(),
            ));
        }
        let date = date
            .map(|d| {
                parse_date(d).ok_or_else(|| StoreError::BadValue {
                    attribute: "guide date".into(),
                    reason: format!("{:?} is not a date (2024-03-12 or 12/03/2024)", d.trim()),
                })
            })
            .transpose()?;
        let existing = self.guide_id(name)?;
        let next: i64 = match existing {
            Some(g) => self.conn.query_row(
                "SELECT IFNULL(max(version), 0) + 1 FROM guide_versions WHERE guide_id = $1",
                [g],
                |r| r.get(0),
            )?,
            None => 1,
        };
        let version = version.unwrap_or(next);
        if version < 1 {
            return Err(StoreError::Invalid("guide versions start at 1".into()));
        }
        if let Some(g) = existing {
            let taken: bool = self
                .conn
                .prepare("SELECT 1 FROM guide_versions WHERE guide_id = $1 AND version = $2")?
                .exists([g, version])?;
            if taken {
                return Err(StoreError::Invalid(format!(
                    "guide {name:?} already has a version {version}: give another --version"
                )));
            }
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let guide = match existing {
            Some(g) => g,
            None => rec.insert(
                &tx,
                Table::Guides,
                &[
                    ("name", Value::Text(name.to_owned())),
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
                ("dated", opt_text(&date)),
            ],
        )?;
        let mut position = 0;
        for q in &questions {
            position += 1;
            let qid = insert_question(&tx, &mut rec, vid, None, position, q)?;
            for s in &q.sub {
                position += 1;
                insert_question(&tx, &mut rec, vid, Some(qid), position, s)?;
            }
        }
        rec.finish(
            &tx,
            actor,
            "guide.add",
            Some(&format!("guide:{guide}")),
            serde_json::json!({ "name": name, "version": version, "questions": questions.len() }),
        )?;
        tx.commit()?;
        Ok(GuideVersion {
            version,
            date,
            questions,
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
        let mut out: Vec<GuideQuestion> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        for (id, parent, number, text) in rows {
            let q = GuideQuestion {
                number,
                text,
                sub: Vec::new(),
            };
            match parent.and_then(|p| index.get(&p)) {
                Some(&i) => out[i].sub.push(q),
                None => {
                    index.insert(id, out.len());
                    out.push(q);
                }
            }
        }
        Ok(out)
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
            .ok_or_else(|| StoreError::UnknownGuide(format!("{:?}", guide.trim())))?;
        let found: Option<(i64, i64)> = self
            .conn
            .query_row(
                "SELECT id, version FROM guide_versions WHERE guide_id = $1 \
                 AND ($2 IS NULL OR version = $2) ORDER BY version DESC LIMIT 1",
                rusqlite::params![gid, version],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (vid, number) = found.ok_or_else(|| {
            StoreError::UnknownGuide(format!(
                "{:?} version {}",
                guide.trim(),
                version.unwrap_or_default()
            ))
        })?;
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
            serde_json::json!({ "guide": guide.trim(), "version": number }),
        )?;
        tx.commit()?;
        Ok(number)
    }

    /// Codes, for the scope's coder, the answers to each question of the
    /// guide version each source records: one source, or every source with
    /// a guide. Questions are found in interviewer turns when at least
    /// `threshold` of their words occur there.
    pub fn autocode(
        &mut self,
        scope: &Scope,
        source: Option<&SourceRef>,
        threshold: f64,
    ) -> Result<Vec<AutocodeReport>, StoreError> {
        if !(0.0..=1.0).contains(&threshold) || threshold == 0.0 {
            return Err(StoreError::Invalid(format!(
                "the threshold {threshold} must be above 0 and at most 1"
            )));
        }
        let only = source.map(|s| self.resolve(s)).transpose()?;
        let planned: Vec<(i64, i64, String, i64)> = self
            .conn
            .prepare(
                "SELECT g.source_id, v.id, gd.name, v.version FROM source_guides g \
                 JOIN guide_versions v ON v.id = g.version_id JOIN guides gd ON gd.id = v.guide_id \
                 WHERE ($1 IS NULL OR g.source_id = $1) ORDER BY g.source_id",
            )?
            .query_map([only], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        if let (Some(s), true) = (only, planned.is_empty()) {
            let name: String =
                self.conn
                    .query_row("SELECT name FROM sources WHERE id = $1", [s], |r| r.get(0))?;
            return Err(StoreError::Invalid(format!(
                "source {name:?} records no interview guide: say which with `verbatim guide use --source {name} --guide G`"
            )));
        }
        let mut reports = Vec::new();
        for (sid, vid, guide, version) in planned {
            let questions = self.questions_of(vid)?;
            let record = self.source(&SourceRef::Id(sid))?;
            let chars: Vec<char> = record.text.chars().collect();
            let roles: HashMap<String, bool> = self
                .speakers(Some(sid))?
                .into_iter()
                .map(|s| (s.label, s.role == "interviewer"))
                .collect();
            let turns: Vec<(bool, Span, std::collections::HashSet<String>)> = record
                .turn_list
                .iter()
                .filter_map(|t| {
                    let (s, e) = (usize::try_from(t.start).ok()?, usize::try_from(t.end).ok()?);
                    let text: String = chars.get(s..e)?.iter().collect();
                    Some((
                        t.speaker
                            .as_ref()
                            .and_then(|who| roles.get(who))
                            .copied()
                            .unwrap_or(false),
                        Span::new(s, e).ok()?,
                        words(&text),
                    ))
                })
                .collect();
            let guide_node = self.guide_node(scope, &guide)?;
            let mut report = AutocodeReport {
                source: record.summary.name.clone(),
                guide: guide.clone(),
                version,
                matched: Vec::new(),
                unmatched: Vec::new(),
            };
            for q in &questions {
                let parent = self.question_code(scope, guide_node, q)?;
                self.code_answers(scope, sid, &turns, q, parent, threshold, &mut report)?;
                for s in &q.sub {
                    let code = self.question_code(scope, parent.unwrap_or(guide_node), s)?;
                    self.code_answers(scope, sid, &turns, s, code, threshold, &mut report)?;
                }
            }
            reports.push(report);
        }
        Ok(reports)
    }

    /// Returns the coder's code named after the guide, creating it at the
    /// third level (or the highest the study has). Codes autocoding
    /// creates are structural: they say where a passage sits in the
    /// interview, not what it means.
    fn guide_node(&mut self, scope: &Scope, guide: &str) -> Result<i64, StoreError> {
        if let Ok(id) = self.find_code(scope, guide, Some(Book::Own)) {
            return Ok(id);
        }
        let levels = self.levels()?;
        let level = levels
            .get(levels.len().min(3).saturating_sub(1))
            .map(|l| l.name.clone());
        let id = self.add_code(
            scope,
            &NewCode {
                name: guide.to_owned(),
                level,
                book: Some(Book::Own),
                ..NewCode::default()
            },
        )?;
        self.set_code_kind(scope, id, CodeKind::Structural)?;
        Ok(id)
    }

    /// Returns the code named after a question under `parent`, creating it;
    /// `None` when the parent is already at the lowest level.
    fn question_code(
        &mut self,
        scope: &Scope,
        parent: i64,
        q: &GuideQuestion,
    ) -> Result<Option<i64>, StoreError> {
        if let Ok(id) = self.find_code(scope, &q.code_name(), Some(Book::Own)) {
            return Ok(Some(id));
        }
        let parent_level = self.code_row(parent)?.map_or(1, |r| r.level);
        if parent_level <= 1 {
            return Ok(None);
        }
        let id = self.add_code(
            scope,
            &NewCode {
                name: q.code_name(),
                parent: Some(parent),
                ..NewCode::default()
            },
        )?;
        self.set_code_kind(scope, id, CodeKind::Structural)?;
        Ok(Some(id))
    }

    #[allow(clippy::too_many_arguments)]
    fn code_answers(
        &mut self,
        scope: &Scope,
        source: i64,
        turns: &[(bool, Span, std::collections::HashSet<String>)],
        q: &GuideQuestion,
        code: Option<i64>,
        threshold: f64,
        report: &mut AutocodeReport,
    ) -> Result<(), StoreError> {
        let wanted = words(&q.text);
        let mut best: Option<(usize, f64)> = None;
        for (i, (interviewer, _, w)) in turns.iter().enumerate() {
            if !interviewer {
                continue;
            }
            let score = similarity(&wanted, w);
            if score >= threshold && best.is_none_or(|(_, b)| score > b) {
                best = Some((i, score));
            }
        }
        let (Some((at, score)), Some(code)) = (best, code) else {
            report.unmatched.push(format!("{}. {}", q.number, q.text));
            return Ok(());
        };
        let mut codings = 0;
        for (interviewer, span, _) in turns.iter().skip(at + 1) {
            if *interviewer {
                break;
            }
            if span.is_empty() {
                continue;
            }
            self.add_coding(scope, source, *span, code, None)?;
            codings += 1;
        }
        report.matched.push(MatchedQuestion {
            number: q.number.clone(),
            code: q.code_name(),
            turn: at as i64,
            score,
            codings,
        });
        Ok(())
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
    use crate::{CodingFilter, ImportItem, StudySettings};

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

    #[test]
    fn guides_parse_numbered_questions_and_indented_sub_questions() {
        let qs = parse_guide(
            "# Guide soignants v2\n\n1. Comment décririez-vous votre relation avec les usagers ?\n   - Et la confiance ?\n   - Et la méfiance ?\n2) L’institution vous aide-t-elle ?\n2.1 Comment ?\nQuestion libre sans numéro\n",
        );
        assert_eq!(qs.len(), 3);
        assert_eq!(qs[0].number, "1");
        assert_eq!(qs[0].sub.len(), 2);
        assert_eq!(qs[0].sub[1].number, "1.2");
        assert_eq!(qs[0].sub[1].text, "Et la méfiance ?");
        assert_eq!(qs[1].number, "2");
        assert_eq!(qs[1].sub[0].number, "2.1");
        assert_eq!(qs[2].number, "3");
    }
}
