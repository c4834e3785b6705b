//! De-identification: real names out of the study, replacements in.
//!
//! Transcripts arrive with the names people said aloud ("Marie Dupont",
//! "l'hôpital Bichat"). Before analysis, and before any excerpt leaves the
//! team, those names must be replaced everywhere the study keeps text. The
//! researcher keeps a names file (`real,replacement` rows) outside the study;
//! [`NamesList`] reads it, and:
//!
//! - [`SqliteStore::deidentify`] replaces every listed name in source texts
//!   (through the same span-shifting core as source edits, all replacements
//!   of a source in one pass, so every coding, turn and memo anchor keeps
//!   pointing at the same words), source names, sites and file paths, memos,
//!   coding memos, translations, participant labels and text attributes,
//!   speaker labels, site names, code names and descriptions, and unsealed
//!   journal entries (the full list is `PLACES`). Sealed journal entries
//!   cannot change; they are reported. Earlier audit entries holding a name
//!   are redacted ([`crate::redact`]). Nothing is undoable, and the names
//!   file is never stored: only its SHA-256, when, by whom and how many
//!   replacements (`deidentifications` table, and an audit entry with counts
//!   only).
//! - [`SqliteStore::deid_check`] lists every place a listed name remains.
//! - [`SqliteStore::deid_candidates`] lists capitalised words and known
//!   first names the names file does not cover, for the researcher to review.
//!
//! # Matching
//!
//! Case- and accent-insensitive (`marie DUPONT` is `Marie Dupont`, `hopital`
//! is `Hôpital`), whole words only (a boundary is any char that is not a
//! letter or digit, or the text's edge: `Marie` does not match `Mariette`),
//! and the words of a phrase may be separated by any run of white space
//! (a line break included). Where listed names overlap, the longest wins.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value as Json;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::edit::{Splice, splice_source};
use crate::history::Recorder;
use crate::redact::redact_audit;
use crate::{SqliteStore, StoreError, audit};

/// How many chars of context a review line shows on each side.
const CONTEXT: usize = 40;

/// One listed name.
#[derive(Debug, Clone)]
struct Pattern {
    /// The name as listed.
    real: String,
    /// What replaces it.
    replacement: String,
    /// Its words, folded char by char.
    words: Vec<Vec<char>>,
    /// Its folded length, for longest-first.
    len: usize,
}

/// A names file: real names and their replacements, ready to match.
#[derive(Debug, Clone)]
pub struct NamesList {
    patterns: Vec<Pattern>,
    by_first: HashMap<char, Vec<usize>>,
    sha256: String,
}

/// One listed name found in a text, in chars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
    pattern: usize,
}

/// Returns one char folded for matching: decomposed, accents dropped,
/// lower case.
fn fold_char(c: char) -> Vec<char> {
    std::iter::once(c)
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

impl NamesList {
    /// Builds a names list from the rows of a names file (`real,replacement`;
    /// a first row `real,replacement` is taken as a header and skipped) and
    /// the file's SHA-256 (hex). Refuses, with one line per bad row, rows
    /// without both columns; refuses an empty list.
    pub fn parse(rows: &[Vec<String>], sha256: &str) -> Result<Self, StoreError> {
        let mut problems = Vec::new();
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let cell = |k: usize| row.get(k).map(|c| c.trim()).unwrap_or_default();
            let (real, replacement) = (cell(0), cell(1));
            if real.is_empty() && replacement.is_empty() {
                continue;
            }
            if i == 0
                && real.eq_ignore_ascii_case("real")
                && replacement.eq_ignore_ascii_case("replacement")
            {
                continue;
            }
            if real.is_empty() || replacement.is_empty() {
                problems.push(format!(
                    "row {}: needs two columns, real,replacement (found {:?})",
                    i + 1,
                    row.join(",")
                ));
                continue;
            }
            if row.len() > 2 && row[2..].iter().any(|c| !c.trim().is_empty()) {
                problems.push(format!(
                    "row {}: has more than two columns; quote names that hold a comma",
                    i + 1
                ));
                continue;
            }
            pairs.push((real.nfc().collect(), replacement.nfc().collect()));
        }
        if !problems.is_empty() {
            return Err(StoreError::BadNamesFile(problems));
        }
        if pairs.is_empty() {
            return Err(StoreError::BadNamesFile(vec![
                "the names file lists no name: one row per name, real,replacement".into(),
            ]));
        }
        let mut patterns: Vec<Pattern> = pairs
            .into_iter()
            .map(|(real, replacement)| {
                let words: Vec<Vec<char>> = real
                    .split_whitespace()
                    .map(|w| w.chars().flat_map(fold_char).collect())
                    .collect();
                let len = words.iter().map(Vec::len).sum::<usize>() + words.len();
                Pattern {
                    real,
                    replacement,
                    words,
                    len,
                }
            })
            .filter(|p| p.words.iter().all(|w| !w.is_empty()))
            .collect();
        patterns.sort_by(|a, b| b.len.cmp(&a.len).then_with(|| a.real.cmp(&b.real)));
        let mut by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (i, p) in patterns.iter().enumerate() {
            if let Some(c) = p.words.first().and_then(|w| w.first()) {
                by_first.entry(*c).or_default().push(i);
            }
        }
        Ok(NamesList {
            patterns,
            by_first,
            sha256: sha256.to_owned(),
        })
    }

    /// Returns how many names the list holds.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Returns true when the list holds no name.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Returns the names file's SHA-256.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Returns every listed name in `text`, leftmost first, longest where
    /// names overlap, never overlapping one another.
    pub(crate) fn find(&self, text: &str) -> Vec<Hit> {
        let chars: Vec<char> = text.chars().collect();
        let folded: Vec<Vec<char>> = chars.iter().map(|c| fold_char(*c)).collect();
        let n = chars.len();
        let mut hits = Vec::new();
        let mut i = 0;
        while i < n {
            let boundary_before = i == 0 || !chars[i - 1].is_alphanumeric();
            let candidates = folded[i]
                .first()
                .filter(|_| boundary_before)
                .and_then(|c| self.by_first.get(c));
            let found = candidates.and_then(|list| {
                list.iter().find_map(|&p| {
                    let end = self.match_at(p, &chars, &folded, i)?;
                    (end == n || !chars[end].is_alphanumeric()).then_some((p, end))
                })
            });
            match found {
                Some((pattern, end)) => {
                    hits.push(Hit {
                        start: i,
                        end,
                        pattern,
                    });
                    i = end;
                }
                None => i += 1,
            }
        }
        hits
    }

    /// Returns where pattern `p` ends when it matches at char `i`.
    fn match_at(&self, p: usize, chars: &[char], folded: &[Vec<char>], i: usize) -> Option<usize> {
        let n = chars.len();
        let mut j = i;
        for (wi, word) in self.patterns[p].words.iter().enumerate() {
            if wi > 0 {
                if j >= n || !chars[j].is_whitespace() {
                    return None;
                }
                while j < n && chars[j].is_whitespace() {
                    j += 1;
                }
            }
            let mut k = 0;
            while k < word.len() {
                let f = folded.get(j)?;
                if f.is_empty() {
                    j += 1;
                    continue;
                }
                if !word[k..].starts_with(f) {
                    return None;
                }
                k += f.len();
                j += 1;
            }
            while j < n && folded[j].is_empty() {
                j += 1;
            }
        }
        Some(j)
    }

    /// Returns `text` with every listed name replaced, and the hits.
    pub(crate) fn replace(&self, text: &str) -> (String, Vec<Hit>) {
        let hits = self.find(text);
        if hits.is_empty() {
            return (text.to_owned(), hits);
        }
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for h in &hits {
            out.extend(&chars[at..h.start]);
            out.push_str(&self.patterns[h.pattern].replacement);
            at = h.end;
        }
        out.extend(&chars[at..]);
        (out, hits)
    }

    fn replacement(&self, hit: &Hit) -> &str {
        &self.patterns[hit.pattern].replacement
    }

    /// Returns true when `word`, folded, is one of the listed names or
    /// replacements.
    fn lists(&self, word: &str) -> bool {
        let w: Vec<char> = word.chars().flat_map(fold_char).collect();
        self.patterns.iter().any(|p| {
            p.words.len() == 1 && p.words[0] == w
                || p.replacement
                    .chars()
                    .flat_map(fold_char)
                    .collect::<Vec<_>>()
                    == w
        })
    }
}

/// One replacement made (or, in a dry run, to be made), in context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Replacement {
    /// Where: `source NAME`, `memo 3 body`, `participant 2 label`…
    pub place: String,
    /// The char position in that text, before any replacement.
    pub position: usize,
    /// Up to 40 chars before the name.
    pub before: String,
    /// The name as found.
    pub found: String,
    /// What replaced it.
    pub replacement: String,
    /// Up to 40 chars after the name.
    pub after: String,
}

/// A sealed journal entry that holds a listed name and cannot change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SealedHit {
    /// The entry's id.
    pub entry: i64,
    /// Its title.
    pub title: String,
    /// How many listed names it holds.
    pub names: usize,
}

/// What de-identification changed (or would change, in a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DeidReport {
    /// True when nothing was written.
    pub dry_run: bool,
    /// The names file's SHA-256.
    pub names_sha256: String,
    /// How many names the file lists.
    pub names: usize,
    /// Every replacement, in context.
    pub replacements: Vec<Replacement>,
    /// Sources whose text changed.
    pub sources_changed: usize,
    /// Codings whose passage's text changed (they still cover the same
    /// words, with the names replaced).
    pub codings_changed: usize,
    /// Sealed journal entries that hold a name and were left as they are.
    pub sealed: Vec<SealedHit>,
    /// Earlier audit entries rewritten to drop the names.
    pub audit_redacted: usize,
}

/// A place where a listed name remains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remaining {
    /// Where: `source NAME`, `memo 3 body`, `audit ENTRY (action)`…
    pub place: String,
    /// The char position in that text.
    pub position: usize,
    /// The name as found, in context.
    pub context: String,
}

/// A word the names file may have missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Candidate {
    /// The word.
    pub word: String,
    /// `first name` (on the built-in list) or `capitalised`.
    pub kind: String,
    /// How many times it occurs in source texts.
    pub count: usize,
    /// The source of its first occurrence.
    pub source: String,
    /// Its first occurrence, in context.
    pub context: String,
}

/// The text columns de-identification rewrites: table, column, a label for
/// the report, a filter, and how a row belongs to a source (`None`: rows not
/// tied to a source, rewritten only when the whole study is).
const PLACES: &[(&str, &str, &str, &str, Option<&str>)] = &[
    ("sources", "name", "source name", "1", Some("id")),
    ("sources", "site", "source site", "1", Some("id")),
    ("sources", "original_path", "source file", "1", Some("id")),
    ("memos", "title", "memo title", "1", Some("source_id")),
    ("memos", "body", "memo", "1", Some("source_id")),
    (
        "memos",
        "target_label",
        "memo target",
        "1",
        Some("source_id"),
    ),
    ("codings", "memo", "coding memo", "1", Some("source_id")),
    (
        "translations",
        "text",
        "translation",
        "1",
        Some("(SELECT source_id FROM codings k WHERE k.id = coding_id)"),
    ),
    ("turns", "speaker", "speaker label", "1", Some("source_id")),
    (
        "speaker_map",
        "label",
        "speaker mapping",
        "1",
        Some("source_id"),
    ),
    (
        "source_values",
        "value",
        "source attribute",
        "attribute_id IN (SELECT id FROM attributes WHERE type = 'text')",
        Some("source_id"),
    ),
    ("participants", "label", "participant label", "1", None),
    (
        "participant_values",
        "value",
        "participant attribute",
        "attribute_id IN (SELECT id FROM attributes WHERE type = 'text')",
        None,
    ),
    (
        "journal",
        "title",
        "journal title",
        "sealed_at IS NULL",
        None,
    ),
    (
        "journal",
        "body",
        "journal entry",
        "sealed_at IS NULL",
        None,
    ),
    ("sites", "name", "site", "1", None),
    ("codes", "name", "code", "1", None),
    ("codes", "definition", "code definition", "1", None),
    ("codes", "inclusion", "code inclusion", "1", None),
    ("codes", "exclusion", "code exclusion", "1", None),
    ("codes", "example", "code example", "1", None),
];

/// Returns the chars `[a, b)` of `chars`.
fn cut(chars: &[char], a: usize, b: usize) -> String {
    chars[a.min(chars.len())..b.min(chars.len())]
        .iter()
        .collect()
}

/// Returns the review line of a hit in `text`.
fn in_context(names: &NamesList, place: &str, chars: &[char], hit: &Hit) -> Replacement {
    Replacement {
        place: place.to_owned(),
        position: hit.start,
        before: cut(chars, hit.start.saturating_sub(CONTEXT), hit.start),
        found: cut(chars, hit.start, hit.end),
        replacement: names.replacement(hit).to_owned(),
        after: cut(chars, hit.end, hit.end + CONTEXT),
    }
}

/// Returns `before[found]after` around a hit, on one line.
fn context_line(chars: &[char], a: usize, b: usize) -> String {
    let line = format!(
        "{}[{}]{}",
        cut(chars, a.saturating_sub(CONTEXT), a),
        cut(chars, a, b),
        cut(chars, b, b + CONTEXT)
    );
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Returns every source's id, name and text.
fn source_texts(conn: &Connection) -> Result<Vec<(i64, String, String)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.name, t.text FROM sources s JOIN source_texts t ON t.source_id = s.id ORDER BY s.id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Returns the SQL condition restricting rows to some sources.
fn scoped(by_source: Option<&str>, sources: Option<&[i64]>) -> Option<String> {
    match (sources, by_source) {
        (None, _) => Some("1".into()),
        (Some(_), None) => None,
        (Some(ids), Some(col)) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            Some(format!("{col} IN ({})", list.join(", ")))
        }
    }
}

/// Replaces the names in the short texts of [`PLACES`], row by row, in
/// the rows of `sources` (or all); returns the replacements made.
fn replace_in_places(
    tx: &Connection,
    names: &NamesList,
    sources: Option<&[i64]>,
) -> Result<Vec<Replacement>, StoreError> {
    let mut replacements = Vec::new();
    for (table, column, label, filter, by_source) in PLACES {
        let Some(scope) = scoped(*by_source, sources) else {
            continue;
        };
        let rows: Vec<(i64, String)> = tx
            .prepare(&format!(
                "SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL AND {filter} AND {scope} ORDER BY rowid"
            ))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (rowid, text) in rows {
            let (new, hits) = names.replace(&text);
            if hits.is_empty() {
                continue;
            }
            let chars: Vec<char> = text.chars().collect();
            let place = format!("{label} {rowid}");
            replacements.extend(hits.iter().map(|h| in_context(names, &place, &chars, h)));
            tx.execute(
                &format!("UPDATE {table} SET {column} = $1 WHERE rowid = $2"),
                params![new, rowid],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StoreError::Invalid(format!(
                        "replacing the names in {label} {rowid} would make it identical to another one: change the replacement in the names file"
                    ))
                }
                other => StoreError::from(other),
            })?;
        }
    }
    Ok(replacements)
}

/// Replaces the names in the texts of `sources` (or all), each in one
/// pass that moves every span; adds the replacements and returns how many
/// sources and codings changed.
fn replace_in_source_texts(
    tx: &Connection,
    rec: &mut Recorder,
    names: &NamesList,
    sources: Option<&[i64]>,
    replacements: &mut Vec<Replacement>,
) -> Result<(usize, usize), StoreError> {
    let mut sources_changed = 0;
    let mut codings_changed = 0;
    for (id, name, text) in source_texts(tx)? {
        if sources.is_some_and(|ids| !ids.contains(&id)) {
            continue;
        }
        let hits = names.find(&text);
        if hits.is_empty() {
            continue;
        }
        let chars: Vec<char> = text.chars().collect();
        let place = format!("source {name}");
        replacements.extend(hits.iter().map(|h| in_context(names, &place, &chars, h)));
        let splices: Vec<Splice> = hits
            .iter()
            .map(|h| Splice {
                start: h.start as i64,
                end: h.end as i64,
                text: names.replacement(h).to_owned(),
            })
            .collect();
        let done = splice_source(tx, rec, id, &splices, false)?;
        sources_changed += 1;
        codings_changed += done.changed.len();
    }
    Ok((sources_changed, codings_changed))
}

/// The sealed journal entries that hold a listed name.
fn sealed_hits(tx: &Connection, names: &NamesList) -> Result<Vec<SealedHit>, StoreError> {
    let rows: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, title, body FROM journal WHERE sealed_at IS NOT NULL ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut sealed = Vec::new();
    for (entry, title, body) in rows {
        let n = names.find(&title).len() + names.find(&body).len();
        if n > 0 {
            sealed.push(SealedHit {
                entry,
                title,
                names: n,
            });
        }
    }
    Ok(sealed)
}

/// Records the de-identification: a `deidentifications` row (the names
/// file's hash, never its names) and a `deidentify.apply` audit entry with
/// counts only.
fn log_deidentification(
    tx: &Connection,
    rec: Recorder,
    actor: &str,
    sources: Option<&[i64]>,
    report: &DeidReport,
) -> Result<(), StoreError> {
    let scope_word = match sources {
        None => "study".to_owned(),
        Some(ids) => format!(
            "sources {}",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    };
    tx.execute(
        "INSERT INTO deidentifications (applied_at, actor, names_sha256, names, replacements, scope) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        params![
            audit::now(),
            actor,
            report.names_sha256,
            report.names as i64,
            report.replacements.len() as i64,
            scope_word
        ],
    )?;
    rec.finish(
        tx,
        actor,
        "deidentify.apply",
        None,
        serde_json::json!({
            "names_sha256": report.names_sha256,
            "names": report.names,
            "replacements": report.replacements.len(),
            "sources": report.sources_changed,
            "codings_changed": report.codings_changed,
            "sealed_unchanged": report.sealed.len(),
            "audit_redacted": report.audit_redacted,
            "scope": scope_word,
            "undoable": false,
        }),
    )
}

impl SqliteStore {
    /// Replaces every listed name across the study, or only in some
    /// sources (their texts, names, memos, speaker labels and attributes),
    /// in one transaction; with `dry_run`, reports without writing. Not
    /// undoable; see the module docs.
    pub fn deidentify(
        &mut self,
        actor: &str,
        names: &NamesList,
        sources: Option<&[i64]>,
        dry_run: bool,
    ) -> Result<DeidReport, StoreError> {
        if let Some(ids) = sources {
            for id in ids {
                self.conn
                    .query_row("SELECT id FROM sources WHERE id = $1", [id], |r| {
                        r.get::<_, i64>(0)
                    })
                    .optional()?
                    .ok_or_else(|| StoreError::SourceNotFound(id.to_string()))?;
            }
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::forgetful();
        let mut replacements = replace_in_places(&tx, names, sources)?;
        let (sources_changed, codings_changed) =
            replace_in_source_texts(&tx, &mut rec, names, sources, &mut replacements)?;
        // Sealed journal entries cannot change: report them.
        let sealed = match sources {
            None => sealed_hits(&tx, names)?,
            Some(_) => Vec::new(),
        };
        let audit_redacted = redact_audit(&tx, actor, "deidentify.apply", &|s: &str| {
            let (new, hits) = names.replace(s);
            (!hits.is_empty()).then_some(new)
        })?;
        let report = DeidReport {
            dry_run,
            names_sha256: names.sha256().to_owned(),
            names: names.len(),
            replacements,
            sources_changed,
            codings_changed,
            sealed,
            audit_redacted,
        };
        log_deidentification(&tx, rec, actor, sources, &report)?;
        if dry_run {
            tx.rollback()?;
        } else {
            tx.commit()?;
        }
        Ok(report)
    }

    /// Returns every place in the study where a listed name remains:
    /// source texts and names, memos, participants, attributes, speaker
    /// labels, the journal (sealed entries included) and the audit log.
    pub fn deid_check(&self, names: &NamesList) -> Result<Vec<Remaining>, StoreError> {
        let mut out = Vec::new();
        let mut scan = |place: String, text: &str| {
            let chars: Vec<char> = text.chars().collect();
            for h in names.find(text) {
                out.push(Remaining {
                    place: place.clone(),
                    position: h.start,
                    context: context_line(&chars, h.start, h.end),
                });
            }
        };
        for (_, name, text) in source_texts(&self.conn)? {
            scan(format!("source {name}"), &text);
        }
        for (table, column, label, filter, _) in PLACES {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL AND {filter} ORDER BY rowid"
            ))?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (rowid, text) = row?;
                scan(format!("{label} {rowid}"), &text);
            }
        }
        let mut stmt = self
            .conn
            .prepare("SELECT id, title, body FROM journal WHERE sealed_at IS NOT NULL")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, title, body) = row?;
            scan(
                format!("sealed journal entry {id}"),
                &format!("{title}\n{body}"),
            );
        }
        let mut stmt = self
            .conn
            .prepare("SELECT id, action, data FROM audit ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, action, data) = row?;
            let json: Json = serde_json::from_str(&data).unwrap_or(Json::String(data));
            let mut strings = Vec::new();
            collect_strings(&json, &mut strings);
            for s in strings {
                scan(format!("audit {id} ({action})"), &s);
            }
        }
        Ok(out)
    }

    /// Returns the words of source texts a names file may have missed:
    /// capitalised words not at a sentence's start and known first names,
    /// leaving out listed names, participant codes and speaker labels;
    /// most frequent first.
    pub fn deid_candidates(&self, names: Option<&NamesList>) -> Result<Vec<Candidate>, StoreError> {
        let fold_word = |w: &str| -> String { w.chars().flat_map(fold_char).collect() };
        let mut known: HashSet<String> = HashSet::new();
        for p in self.participant_rows()? {
            known.extend(p.code.iter().map(|c| fold_word(c)));
        }
        let labels: Vec<String> = self
            .conn
            .prepare("SELECT DISTINCT speaker FROM turns WHERE speaker <> ''")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        known.extend(labels.iter().map(|l| fold_word(l)));
        let first_names: HashSet<&str> = FIRST_NAMES.iter().copied().collect();
        let mut found: HashMap<String, Candidate> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        for (_, source, text) in source_texts(&self.conn)? {
            let chars: Vec<char> = text.chars().collect();
            let listed: Vec<Hit> = names.map(|n| n.find(&text)).unwrap_or_default();
            for (a, b) in tokens(&chars) {
                if listed.iter().any(|h| h.start <= a && b <= h.end) {
                    continue;
                }
                let word: String = chars[a..b].iter().collect();
                let folded = fold_word(&word);
                if known.contains(&folded) || names.is_some_and(|n| n.lists(&word)) {
                    continue;
                }
                let first = chars[a];
                let kind = if first_names.contains(folded.as_str()) {
                    "first name"
                } else if first.is_uppercase()
                    && !sentence_initial(&chars, a)
                    && b - a >= 2
                    && word.chars().any(char::is_lowercase)
                {
                    "capitalised"
                } else {
                    continue;
                };
                let entry = found.entry(folded.clone()).or_insert_with(|| {
                    order.push(folded.clone());
                    Candidate {
                        word: word.clone(),
                        kind: kind.into(),
                        count: 0,
                        source: source.clone(),
                        context: context_line(&chars, a, b),
                    }
                });
                entry.count += 1;
            }
        }
        let mut out: Vec<Candidate> = order.into_iter().filter_map(|k| found.remove(&k)).collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
        Ok(out)
    }
}

/// Collects every string inside a JSON value.
fn collect_strings(value: &Json, out: &mut Vec<String>) {
    match value {
        Json::String(s) => out.push(s.clone()),
        Json::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Json::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// Returns the words of a text as char ranges: runs of letters, joined by
/// a hyphen or apostrophe followed by a letter (`Jean-Pierre`).
fn tokens(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() {
            if chars[i].is_alphabetic() {
                i += 1;
            } else if chars[i] == '-' && chars.get(i + 1).is_some_and(|c| c.is_alphabetic()) {
                i += 2;
            } else {
                break;
            }
        }
        // Digits glued to letters make codes (`CSI2`), not names.
        if chars.get(i).is_some_and(|c| c.is_numeric())
            || (start > 0 && chars[start - 1].is_numeric())
        {
            continue;
        }
        out.push((start, i));
    }
    out
}

/// Returns true when the word at `a` opens a sentence, a line or a turn.
fn sentence_initial(chars: &[char], a: usize) -> bool {
    let mut j = a;
    while j > 0 {
        j -= 1;
        let c = chars[j];
        if c == '\n' {
            return true;
        }
        if c.is_whitespace() || matches!(c, '«' | '"' | '“' | '(' | '—' | '–' | '\'' | '’')
        {
            continue;
        }
        return matches!(c, '.' | '!' | '?' | '…' | ':' | ';');
    }
    true
}

/// Common French and English first names, folded (lower case, no accents).
const FIRST_NAMES: &[&str] = &[
    // French
    "marie",
    "jean",
    "pierre",
    "michel",
    "andre",
    "philippe",
    "rene",
    "louis",
    "alain",
    "jacques",
    "bernard",
    "marcel",
    "daniel",
    "roger",
    "robert",
    "paul",
    "claude",
    "christian",
    "henri",
    "georges",
    "nicolas",
    "francois",
    "patrick",
    "gerard",
    "christophe",
    "joseph",
    "julien",
    "laurent",
    "frederic",
    "eric",
    "stephane",
    "david",
    "pascal",
    "sebastien",
    "thierry",
    "olivier",
    "thomas",
    "antoine",
    "vincent",
    "maxime",
    "alexandre",
    "guillaume",
    "hugo",
    "lucas",
    "theo",
    "mathieu",
    "jeanne",
    "francoise",
    "monique",
    "catherine",
    "nathalie",
    "isabelle",
    "jacqueline",
    "anne",
    "sylvie",
    "martine",
    "madeleine",
    "nicole",
    "suzanne",
    "helene",
    "christine",
    "marguerite",
    "denise",
    "louise",
    "brigitte",
    "sophie",
    "sandrine",
    "valerie",
    "celine",
    "stephanie",
    "aurelie",
    "julie",
    "camille",
    "emilie",
    "claire",
    "chantal",
    "veronique",
    "amelie",
    "manon",
    "chloe",
    "ines",
    "lea",
    "emma",
    "lucie",
    "juliette",
    "mathilde",
    "pauline",
    "elise",
    "agnes",
    "odile",
    "josiane",
    "genevieve",
    "yvonne",
    "fatima",
    "mohamed",
    "karim",
    "nadia",
    "samira",
    "youssef",
    "amina",
    "rachid",
    "mariette",
    "amira",
    "bruno",
    "yves",
    "gilles",
    "didier",
    "dominique",
    "sylvain",
    // English
    "john",
    "james",
    "michael",
    "william",
    "richard",
    "charles",
    "mary",
    "patricia",
    "jennifer",
    "linda",
    "elizabeth",
    "barbara",
    "susan",
    "jessica",
    "sarah",
    "karen",
    "nancy",
    "lisa",
    "betty",
    "margaret",
    "sandra",
    "ashley",
    "emily",
    "donna",
    "michelle",
    "carol",
    "amanda",
    "melissa",
    "deborah",
    "rebecca",
    "laura",
    "helen",
    "matthew",
    "anthony",
    "mark",
    "steven",
    "andrew",
    "joshua",
    "kevin",
    "brian",
    "george",
    "edward",
    "ronald",
    "timothy",
    "jason",
    "jeffrey",
    "ryan",
    "jacob",
    "gary",
    "eric",
    "jonathan",
    "stephen",
    "larry",
    "justin",
    "scott",
    "brandon",
    "emma",
    "olivia",
    "sophia",
    "isabella",
    "charlotte",
    "amelia",
    "harry",
    "oliver",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{fixture, span_of};
    use crate::{Book, CodingFilter, NewCode, Store};

    fn list(rows: &[(&str, &str)]) -> NamesList {
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|(a, b)| vec![(*a).to_owned(), (*b).to_owned()])
            .collect();
        NamesList::parse(&rows, "abc").unwrap()
    }

    fn found(names: &NamesList, text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        names
            .find(text)
            .iter()
            .map(|h| cut(&chars, h.start, h.end))
            .collect()
    }

    #[test]
    fn matching_ignores_case_and_accents_and_keeps_to_whole_words() {
        let names = list(&[
            ("Marie Dupont", "[CHFG-C]"),
            ("Marie", "[P1]"),
            ("Hôpital Bichat", "[hospital]"),
        ]);
        assert_eq!(
            found(&names, "marie DUPONT et Marie  \n Dupont, Mariette, Marie."),
            vec!["marie DUPONT", "Marie  \n Dupont", "Marie"]
        );
        assert_eq!(found(&names, "l'hopital bichat"), vec!["hopital bichat"]);
        assert_eq!(found(&names, "l'HÔPITAL Bichat2"), Vec::<String>::new());
        let (text, _) = names.replace("Marie Dupont et Marie");
        assert_eq!(text, "[CHFG-C] et [P1]");
    }

    #[test]
    fn bad_rows_are_refused_with_their_number() {
        let rows = vec![
            vec!["real".to_owned(), "replacement".to_owned()],
            vec!["Marie".to_owned()],
            vec!["Paul".to_owned(), "".to_owned()],
        ];
        let err = NamesList::parse(&rows, "x").unwrap_err().to_string();
        assert!(err.contains("row 2") && err.contains("row 3"), "{err}");
        assert!(NamesList::parse(&[], "x").is_err());
    }

    #[test]
    fn codings_keep_their_words_and_names_go_from_every_table() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let code = f
            .store
            .add_code(
                &amira,
                &NewCode {
                    name: "Confiance".into(),
                    book: Some(Book::Own),
                    ..NewCode::default()
                },
            )
            .unwrap();
        f.store
            .add_coding(
                &amira,
                f.source,
                span_of("confiance se construit"),
                code,
                None,
            )
            .unwrap();
        f.store
            .add_coding(&amira, f.source, span_of("la méfiance revient"), code, None)
            .unwrap();
        f.store
            .add_memo(
                &amira,
                &crate::MemoTarget::Study,
                None,
                "La Confiance, dit-elle",
            )
            .unwrap();
        let names = list(&[("construit", "[x]"), ("confiance", "[c]")]);
        let dry = f.store.deidentify("amira", &names, None, true).unwrap();
        assert!(dry.replacements.len() >= 3);
        assert!(f.store.text_of(f.source).unwrap().0.contains("construit"));
        let report = f.store.deidentify("amira", &names, None, false).unwrap();
        assert_eq!(report.replacements, dry.replacements);
        let texts: Vec<String> = f
            .store
            .codings(&amira, &CodingFilter::default())
            .unwrap()
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert!(texts.contains(&"[c] se [x]".to_owned()), "{texts:?}");
        assert!(
            texts.contains(&"la méfiance revient".to_owned()),
            "{texts:?}"
        );
        assert!(f.store.deid_check(&names).unwrap().is_empty());
        let log = f.store.audit_log(1).unwrap();
        assert_eq!(log[0].action, "deidentify.apply");
        assert_eq!(log[0].data["summary"]["names_sha256"], "abc");
    }

    #[test]
    fn sealed_entries_are_reported_not_changed() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let open = f
            .store
            .add_entry(&amira, crate::EntryKind::Note, "Avec Marie", "Marie parle")
            .unwrap();
        let sealed = f
            .store
            .add_entry(
                &amira,
                crate::EntryKind::Preconception,
                "Attentes",
                "Marie dira la méfiance",
            )
            .unwrap();
        f.store.seal(&amira, sealed).unwrap();
        let names = list(&[("Marie", "[P]")]);
        let report = f.store.deidentify("amira", &names, None, false).unwrap();
        assert_eq!(report.sealed.len(), 1);
        assert_eq!(report.sealed[0].entry, sealed);
        let entries = f.store.entries(&amira).unwrap();
        let body = |id: i64| {
            entries
                .iter()
                .find(|e| e.id == id)
                .map(|e| e.body.clone())
                .unwrap()
        };
        assert_eq!(body(open), "[P] parle");
        assert_eq!(body(sealed), "Marie dira la méfiance");
        let left = f.store.deid_check(&names).unwrap();
        assert!(
            left.iter()
                .any(|r| r.place.starts_with("sealed journal entry"))
        );
        assert!(f.store.verify_journal().unwrap().is_empty());
    }
}
