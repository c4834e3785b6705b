//! Interview guides' rules, written once for every backend: reading a
//! guide's text into questions, what a new version may be, and autocoding
//! (finding each question in the interviewer's turns and coding the
//! answers) through the ordinary coding traits, so SQLite and PostgreSQL
//! parse, refuse and code alike (re-exported by [`super::rules`]).
//!
//! Autocoding finds a question with a forgiving match (case, accents and
//! punctuation ignored; share of the question's words present ≥ a
//! threshold; the best-matching interviewer turn wins) and codes each turn
//! that answers it (every turn up to the next interviewer turn:
//! participants', and labels not mapped yet). The codes sit under a code
//! named after the guide, one per question (and sub-question), created once
//! and reused by later runs and versions; each code and coding is its own
//! undoable action in the coder's layer.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use verbatim_core::Span;

use super::Guides;
use crate::fold::{similarity, words};
use crate::{
    Book, CodeKind, Codebook, CodebookEdits, Coders, Codings, NewCode, Participants, Scope,
    SourceRef, Store, StoreError,
};

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

/// The guide version a source records, with its questions: what a backend
/// answers for autocoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuidePlan {
    /// The source's id.
    pub source: i64,
    /// The guide's name.
    pub guide: String,
    /// The version's number.
    pub version: i64,
    /// Its questions, in order.
    pub questions: Vec<GuideQuestion>,
}

/// A new guide version checked: the guide's name trimmed, its questions
/// and its date as `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGuide {
    /// The guide's name, trimmed.
    pub name: String,
    /// Its questions.
    pub questions: Vec<GuideQuestion>,
    /// Its date.
    pub date: Option<String>,
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

/// Checks a new guide version's name, text and date.
pub fn new_guide(name: &str, text: &str, date: Option<&str>) -> Result<NewGuide, StoreError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("a guide needs a name".into()));
    }
    super::rules::storable(name, "the guide's name")?;
    super::rules::storable(text, "the guide")?;
    let questions = parse_guide(text);
    if questions.is_empty() {
        return Err(StoreError::Invalid(
            "the guide has no questions: write one question per line, numbered (1. …), sub-questions indented".into(),
        ));
    }
    let date = date
        .map(|d| {
            crate::values::parse_date(d).ok_or_else(|| StoreError::BadValue {
                attribute: "guide date".into(),
                reason: format!("{:?} is not a date (2024-03-12 or 12/03/2024)", d.trim()),
            })
        })
        .transpose()?;
    Ok(NewGuide {
        name: name.to_owned(),
        questions,
        date,
    })
}

/// Returns the number a new version of guide `name` takes: the one asked,
/// else the one after the versions it has (`existing`); refuses a number
/// below 1 or taken.
pub fn guide_version_number(
    name: &str,
    asked: Option<i64>,
    existing: &[i64],
) -> Result<i64, StoreError> {
    let version = asked.unwrap_or_else(|| existing.iter().max().copied().unwrap_or(0) + 1);
    if version < 1 {
        return Err(StoreError::Invalid("guide versions start at 1".into()));
    }
    if existing.contains(&version) {
        return Err(StoreError::Invalid(format!(
            "guide {name:?} already has a version {version}: give another --version"
        )));
    }
    Ok(version)
}

/// Returns the questions in the order they are stored, each with its
/// position (from 1) and whether it is a sub-question of the last
/// question before it that is not.
pub fn stored_questions(questions: &[GuideQuestion]) -> Vec<(i64, bool, &GuideQuestion)> {
    let mut out = Vec::new();
    for q in questions {
        out.push((out.len() as i64 + 1, false, q));
        for s in &q.sub {
            out.push((out.len() as i64 + 1, true, s));
        }
    }
    out
}

/// Builds the questions back from stored rows `(id, parent, number, text)`
/// in position order.
pub fn questions_from_rows(rows: Vec<(i64, Option<i64>, String, String)>) -> Vec<GuideQuestion> {
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
    out
}

/// The refusal of a guide (or a version of it) the study does not have.
pub fn unknown_guide(guide: &str, version: Option<i64>) -> StoreError {
    match version {
        None => StoreError::UnknownGuide(format!("{:?}", guide.trim())),
        Some(v) => StoreError::UnknownGuide(format!("{:?} version {v}", guide.trim())),
    }
}

/// The summary of a `guide.add` audit entry.
pub fn guide_add_summary(name: &str, version: i64, questions: usize) -> serde_json::Value {
    serde_json::json!({ "name": name, "version": version, "questions": questions })
}

/// The summary of a `guide.use` audit entry.
pub fn guide_use_summary(guide: &str, version: i64) -> serde_json::Value {
    serde_json::json!({ "guide": guide.trim(), "version": version })
}

/// A turn as autocoding reads it: whether an interviewer speaks it, its
/// span, and its words, folded.
type ReadTurn = (bool, Span, HashSet<String>);

/// Codes, for the scope's coder, the answers to each question of the guide
/// version each source records (one source, or every source with a guide,
/// as [`Guides::guide_plans`] lists them). Questions are found in
/// interviewer turns when at least `threshold` of their words occur there.
/// Both backends' `autocode` is this.
pub fn autocode<S: Guides + ?Sized>(
    store: &mut S,
    scope: &Scope,
    only: Option<&SourceRef>,
    threshold: f64,
) -> Result<Vec<AutocodeReport>, StoreError> {
    if !(0.0..=1.0).contains(&threshold) || threshold == 0.0 {
        return Err(StoreError::Invalid(format!(
            "the threshold {threshold} must be above 0 and at most 1"
        )));
    }
    let only = only.map(|s| store.source_id(s)).transpose()?;
    let planned = store.guide_plans(only)?;
    if let (Some(s), true) = (only, planned.is_empty()) {
        let name = store.source(&SourceRef::Id(s))?.summary.name;
        return Err(StoreError::Invalid(format!(
            "source {name:?} records no interview guide: say which with `verbatim guide use --source {name} --guide G`"
        )));
    }
    let mut reports = Vec::new();
    for plan in planned {
        let (name, turns) = read_turns(store, plan.source)?;
        let guide_node = guide_node(store, scope, &plan.guide)?;
        let mut report = AutocodeReport {
            source: name,
            guide: plan.guide.clone(),
            version: plan.version,
            matched: Vec::new(),
            unmatched: Vec::new(),
        };
        for q in &plan.questions {
            let parent = question_code(store, scope, guide_node, q)?;
            code_answers(
                store,
                scope,
                plan.source,
                &turns,
                q,
                parent,
                threshold,
                &mut report,
            )?;
            for s in &q.sub {
                let code = question_code(store, scope, parent.unwrap_or(guide_node), s)?;
                code_answers(
                    store,
                    scope,
                    plan.source,
                    &turns,
                    s,
                    code,
                    threshold,
                    &mut report,
                )?;
            }
        }
        reports.push(report);
    }
    Ok(reports)
}

/// Returns a source's name and its turns as autocoding reads them.
fn read_turns<S>(store: &S, source: i64) -> Result<(String, Vec<ReadTurn>), StoreError>
where
    S: Store + Participants + ?Sized,
{
    let record = store.source(&SourceRef::Id(source))?;
    let chars: Vec<char> = record.text.chars().collect();
    let roles: HashMap<String, bool> = store
        .speakers(Some(source))?
        .into_iter()
        .map(|s| (s.label, s.role == "interviewer"))
        .collect();
    let turns = record
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
    Ok((record.summary.name, turns))
}

/// Returns the coder's code named after the guide, creating it at the
/// third level (or the highest the study has). Codes autocoding creates
/// are structural: they say where a passage sits in the interview, not
/// what it means.
fn guide_node<S>(store: &mut S, scope: &Scope, guide: &str) -> Result<i64, StoreError>
where
    S: Coders + Codebook + CodebookEdits + ?Sized,
{
    if let Ok(id) = store.find_code(scope, guide, Some(Book::Own)) {
        return Ok(id);
    }
    let levels = store.levels()?;
    let level = levels
        .get(levels.len().min(3).saturating_sub(1))
        .map(|l| l.name.clone());
    let id = store.add_code(
        scope,
        &NewCode {
            name: guide.to_owned(),
            level,
            book: Some(Book::Own),
            ..NewCode::default()
        },
    )?;
    store.set_code_kind(scope, id, CodeKind::Structural)?;
    Ok(id)
}

/// Returns the code named after a question under `parent`, creating it;
/// `None` when the parent is already at the lowest level.
fn question_code<S>(
    store: &mut S,
    scope: &Scope,
    parent: i64,
    q: &GuideQuestion,
) -> Result<Option<i64>, StoreError>
where
    S: Codebook + CodebookEdits + ?Sized,
{
    if let Ok(id) = store.find_code(scope, &q.code_name(), Some(Book::Own)) {
        return Ok(Some(id));
    }
    let parent_level = store
        .code_tree(scope, Book::Own)?
        .into_iter()
        .find(|n| n.id == parent)
        .map_or(1, |n| n.level);
    if parent_level <= 1 {
        return Ok(None);
    }
    let id = store.add_code(
        scope,
        &NewCode {
            name: q.code_name(),
            parent: Some(parent),
            ..NewCode::default()
        },
    )?;
    store.set_code_kind(scope, id, CodeKind::Structural)?;
    Ok(Some(id))
}

/// Returns the interviewer turn that best asks `wanted` (its index and
/// score), if one reaches the threshold.
fn best_turn(turns: &[ReadTurn], wanted: &HashSet<String>, threshold: f64) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for (i, (interviewer, _, w)) in turns.iter().enumerate() {
        if !interviewer {
            continue;
        }
        let score = similarity(wanted, w);
        if score >= threshold && best.is_none_or(|(_, b)| score > b) {
            best = Some((i, score));
        }
    }
    best
}

/// Finds one question and codes the turns that answer it.
#[allow(clippy::too_many_arguments)]
fn code_answers<S>(
    store: &mut S,
    scope: &Scope,
    source: i64,
    turns: &[ReadTurn],
    q: &GuideQuestion,
    code: Option<i64>,
    threshold: f64,
    report: &mut AutocodeReport,
) -> Result<(), StoreError>
where
    S: Codings + ?Sized,
{
    let (Some((at, score)), Some(code)) = (best_turn(turns, &words(&q.text), threshold), code)
    else {
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
        store.add_coding(scope, source, *span, code, None)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn versions_follow_the_last_and_refuse_taken_or_zero() {
        assert_eq!(guide_version_number("G", None, &[]).unwrap(), 1);
        assert_eq!(guide_version_number("G", None, &[1, 3]).unwrap(), 4);
        assert_eq!(guide_version_number("G", Some(2), &[1, 3]).unwrap(), 2);
        assert!(guide_version_number("G", Some(3), &[1, 3]).is_err());
        assert!(guide_version_number("G", Some(0), &[]).is_err());
    }

    #[test]
    fn stored_questions_number_positions_and_rebuild_the_tree() {
        let qs = parse_guide("1. A ?\n   - a1 ?\n2. B ?\n");
        let stored = stored_questions(&qs);
        let shape: Vec<(i64, bool, &str)> = stored
            .iter()
            .map(|(p, s, q)| (*p, *s, q.text.as_str()))
            .collect();
        assert_eq!(
            shape,
            [(1, false, "A ?"), (2, true, "a1 ?"), (3, false, "B ?")]
        );
        let rows = vec![
            (10, None, "1".into(), "A ?".into()),
            (11, Some(10), "1.1".into(), "a1 ?".into()),
            (12, None, "2".into(), "B ?".into()),
        ];
        assert_eq!(questions_from_rows(rows), qs);
    }
}
