//! De-identification's rules, written once for every backend: reading a
//! names file, finding its names in a text (case- and accent-insensitive,
//! whole words, longest first), planning the replacements with their review
//! lines, which text columns hold names ([`PLACES`]), which words a names
//! file may have missed, and what the audit entry says. A backend only
//! fetches the rows and writes back what these return, so SQLite and
//! PostgreSQL de-identify a study alike, word for word.
//!
//! # Matching
//!
//! Case- and accent-insensitive (`marie DUPONT` is `Marie Dupont`, `hopital`
//! is `Hôpital`), whole words only (a boundary is any char that is not a
//! letter or digit, or the text's edge: `Marie` does not match `Mariette`),
//! and the words of a phrase may be separated by any run of white space
//! (a line break included). Where listed names overlap, the longest wins.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::Value as Json;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::StoreError;
use crate::boundary::splice_rules::Splice;

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

/// The text columns de-identification rewrites, besides source texts.
pub const PLACES: &[Place] = &[
    Place {
        table: "sources",
        column: "name",
        label: "source name",
        filter: "TRUE",
        by_source: Some("id"),
        key: PlaceKey::Id,
    },
    Place {
        table: "sources",
        column: "site",
        label: "source site",
        filter: "TRUE",
        by_source: Some("id"),
        key: PlaceKey::Id,
    },
    Place {
        table: "sources",
        column: "original_path",
        label: "source file",
        filter: "TRUE",
        by_source: Some("id"),
        key: PlaceKey::Id,
    },
    Place {
        table: "memos",
        column: "title",
        label: "memo title",
        filter: "TRUE",
        by_source: Some("source_id"),
        key: PlaceKey::Id,
    },
    Place {
        table: "memos",
        column: "body",
        label: "memo",
        filter: "TRUE",
        by_source: Some("source_id"),
        key: PlaceKey::Id,
    },
    Place {
        table: "memos",
        column: "target_label",
        label: "memo target",
        filter: "TRUE",
        by_source: Some("source_id"),
        key: PlaceKey::Id,
    },
    Place {
        table: "codings",
        column: "memo",
        label: "coding memo",
        filter: "TRUE",
        by_source: Some("source_id"),
        key: PlaceKey::Id,
    },
    Place {
        table: "translations",
        column: "text",
        label: "translation",
        filter: "TRUE",
        by_source: Some("(SELECT source_id FROM codings k WHERE k.id = coding_id)"),
        key: PlaceKey::Id,
    },
    Place {
        table: "turns",
        column: "speaker",
        label: "speaker label",
        filter: "TRUE",
        by_source: Some("source_id"),
        key: PlaceKey::Turn,
    },
    Place {
        table: "speaker_map",
        column: "label",
        label: "speaker mapping",
        filter: "TRUE",
        by_source: Some("source_id"),
        key: PlaceKey::Id,
    },
    Place {
        table: "source_values",
        column: "value",
        label: "source attribute",
        filter: "attribute_id IN (SELECT id FROM attributes WHERE type = 'text')",
        by_source: Some("source_id"),
        key: PlaceKey::Id,
    },
    Place {
        table: "participants",
        column: "label",
        label: "participant label",
        filter: "TRUE",
        by_source: None,
        key: PlaceKey::Id,
    },
    Place {
        table: "participant_values",
        column: "value",
        label: "participant attribute",
        filter: "attribute_id IN (SELECT id FROM attributes WHERE type = 'text')",
        by_source: None,
        key: PlaceKey::Id,
    },
    Place {
        table: "journal",
        column: "title",
        label: "journal title",
        filter: "sealed_at IS NULL",
        by_source: None,
        key: PlaceKey::Id,
    },
    Place {
        table: "journal",
        column: "body",
        label: "journal entry",
        filter: "sealed_at IS NULL",
        by_source: None,
        key: PlaceKey::Id,
    },
    Place {
        table: "sites",
        column: "name",
        label: "site",
        filter: "TRUE",
        by_source: None,
        key: PlaceKey::Id,
    },
    Place {
        table: "codes",
        column: "name",
        label: "code",
        filter: "TRUE",
        by_source: None,
        key: PlaceKey::Id,
    },
    Place {
        table: "codes",
        column: "definition",
        label: "code definition",
        filter: "TRUE",
        by_source: None,
        key: PlaceKey::Id,
    },
    Place {
        table: "codes",
        column: "inclusion",
        label: "code inclusion",
        filter: "TRUE",
        by_source: None,
        key: PlaceKey::Id,
    },
    Place {
        table: "codes",
        column: "exclusion",
        label: "code exclusion",
        filter: "TRUE",
        by_source: None,
        key: PlaceKey::Id,
    },
    Place {
        table: "codes",
        column: "example",
        label: "code example",
        filter: "TRUE",
        by_source: None,
        key: PlaceKey::Id,
    },
];

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
pub struct Hit {
    /// Its first char.
    pub start: usize,
    /// The char just past it.
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
            // A replacement is written into the transcripts, and neither
            // backend can store a NUL there: refused like any bad row.
            if let Some(what) = [(real, "the real name"), (replacement, "the replacement")]
                .into_iter()
                .find_map(|(text, what)| verbatim_core::storable::holds_nul(text).then_some(what))
            {
                let refusal = verbatim_core::storable::nul_refusal(what);
                problems.push(format!("row {}: {refusal}", i + 1));
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
    pub fn find(&self, text: &str) -> Vec<Hit> {
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
    pub fn replace(&self, text: &str) -> (String, Vec<Hit>) {
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

/// How a row of a [`Place`] is named and found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKey {
    /// By its `id`.
    Id,
    /// A speaker turn, by `source_id` and `ordinal` (turns have no id).
    Turn,
}

/// One text column de-identification rewrites.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// The table (a constant, never text from outside).
    pub table: &'static str,
    /// The text column.
    pub column: &'static str,
    /// What the review calls it.
    pub label: &'static str,
    /// Which rows hold names at all, in SQL both engines read alike.
    pub filter: &'static str,
    /// The SQL expression of a row's source; `None` for rows not tied to a
    /// source, rewritten only when the whole study is.
    pub by_source: Option<&'static str>,
    /// How a row is named and found.
    pub key: PlaceKey,
}

impl Place {
    /// Returns the query of this place's rows holding text, within `scope`
    /// (from [`scoped`]): each row's two key numbers and its text, in key
    /// order.
    pub fn select_sql(&self, scope: &str) -> String {
        let (table, column, filter) = (self.table, self.column, self.filter);
        let keys = match self.key {
            PlaceKey::Id => "id, CAST(0 AS BIGINT)",
            PlaceKey::Turn => "source_id, ordinal",
        };
        format!(
            "SELECT {keys}, {column} FROM {table} \
             WHERE {column} IS NOT NULL AND {filter} AND {scope} ORDER BY 1, 2"
        )
    }

    /// Returns the statement setting this place's text (`$1`) in one row:
    /// `$2` is the id, or for a turn `$2` the source and `$3` the ordinal.
    pub fn update_sql(&self) -> String {
        let (table, column) = (self.table, self.column);
        match self.key {
            PlaceKey::Id => format!("UPDATE {table} SET {column} = $1 WHERE id = $2"),
            PlaceKey::Turn => {
                format!("UPDATE {table} SET {column} = $1 WHERE source_id = $2 AND ordinal = $3")
            }
        }
    }

    /// Returns what the review calls the row with these key numbers:
    /// `memo 3`, `speaker label 2:5` (source 2, turn 5).
    pub fn row_label(&self, a: i64, b: i64) -> String {
        match self.key {
            PlaceKey::Id => format!("{} {a}", self.label),
            PlaceKey::Turn => format!("{} {a}:{b}", self.label),
        }
    }

    /// Returns the sentence refusing a replacement that would make this
    /// row identical to another one (a unique column).
    pub fn clash(&self, a: i64, b: i64) -> StoreError {
        StoreError::Invalid(format!(
            "replacing the names in {} would make it identical to another one: change the replacement in the names file",
            self.row_label(a, b)
        ))
    }
}

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

/// Returns the SQL condition restricting a place's rows to some sources
/// (`TRUE` for the whole study); `None` when the place's rows belong to no
/// source and only some sources are de-identified.
pub fn scoped(by_source: Option<&str>, sources: Option<&[i64]>) -> Option<String> {
    match (sources, by_source) {
        (None, _) => Some("TRUE".into()),
        (Some(_), None) => None,
        (Some(ids), Some(col)) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            Some(format!("{col} IN ({})", list.join(", ")))
        }
    }
}

/// Returns a short text with every listed name replaced and its review
/// lines, or `None` when it holds none.
pub fn replace_text(
    names: &NamesList,
    place: &str,
    text: &str,
) -> Option<(String, Vec<Replacement>)> {
    let (new, hits) = names.replace(text);
    if hits.is_empty() {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let lines = hits
        .iter()
        .map(|h| in_context(names, place, &chars, h))
        .collect();
    Some((new, lines))
}

/// Returns the review lines and the splices of a source's text (named
/// `source`), both empty when it holds no listed name.
pub fn source_splices(
    names: &NamesList,
    source: &str,
    text: &str,
) -> (Vec<Replacement>, Vec<Splice>) {
    let hits = names.find(text);
    let chars: Vec<char> = text.chars().collect();
    let place = format!("source {source}");
    let lines = hits
        .iter()
        .map(|h| in_context(names, &place, &chars, h))
        .collect();
    let splices = hits
        .iter()
        .map(|h| Splice {
            start: h.start as i64,
            end: h.end as i64,
            text: names.replacement(h).to_owned(),
        })
        .collect();
    (lines, splices)
}

/// Returns the sealed journal entry's report line when it holds a listed
/// name.
pub fn sealed_hit(names: &NamesList, entry: i64, title: String, body: &str) -> Option<SealedHit> {
    let n = names.find(&title).len() + names.find(body).len();
    (n > 0).then_some(SealedHit {
        entry,
        title,
        names: n,
    })
}

/// Returns the rewrite of one string of the audit log: the text with the
/// names replaced, or `None` when it holds none.
pub fn audit_rewrite(names: &NamesList, text: &str) -> Option<String> {
    let (new, hits) = names.replace(text);
    (!hits.is_empty()).then_some(new)
}

/// Rewrites every string inside `value` with `rewrite`; returns true when
/// any changed.
pub fn rewrite_strings(value: &mut Json, rewrite: &dyn Fn(&str) -> Option<String>) -> bool {
    match value {
        Json::String(s) => match rewrite(s) {
            Some(new) if new != *s => {
                *s = new;
                true
            }
            _ => false,
        },
        Json::Array(items) => {
            let mut changed = false;
            for v in items {
                changed |= rewrite_strings(v, rewrite);
            }
            changed
        }
        Json::Object(map) => {
            let mut changed = false;
            for v in map.values_mut() {
                changed |= rewrite_strings(v, rewrite);
            }
            changed
        }
        _ => false,
    }
}

/// Returns what the record of a de-identification says of its scope:
/// `study`, or `sources 1,3`.
pub fn scope_word(sources: Option<&[i64]>) -> String {
    match sources {
        None => "study".to_owned(),
        Some(ids) => format!(
            "sources {}",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    }
}

/// Returns the summary of the `deidentify.apply` audit entry: counts only,
/// never a name.
pub fn audit_summary(report: &DeidReport, scope_word: &str) -> Json {
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
    })
}

/// Adds every place in `text` (called `place`) where a listed name
/// remains.
pub fn remaining_in(names: &NamesList, place: &str, text: &str, out: &mut Vec<Remaining>) {
    let chars: Vec<char> = text.chars().collect();
    for h in names.find(text) {
        out.push(Remaining {
            place: place.to_owned(),
            position: h.start,
            context: context_line(&chars, h.start, h.end),
        });
    }
}

/// Adds every listed name remaining in an audit entry's data (any string
/// inside its JSON, or the whole text when it is not JSON).
pub fn remaining_in_audit(
    names: &NamesList,
    (id, action, data): (&str, &str, &str),
    out: &mut Vec<Remaining>,
) {
    let json: Json = serde_json::from_str(data).unwrap_or_else(|_| Json::String(data.to_owned()));
    let mut strings = Vec::new();
    collect_strings(&json, &mut strings);
    let place = format!("audit {id} ({action})");
    for s in strings {
        remaining_in(names, &place, &s, out);
    }
}

/// Returns the words of source texts (`(name, text)`, by id) a names file
/// may have missed: capitalised words not at a sentence's start and known
/// first names, leaving out listed names and the `known` words
/// (participant codes, speaker labels); most frequent first.
pub fn candidates(
    names: Option<&NamesList>,
    known: &[String],
    sources: &[(String, String)],
) -> Vec<Candidate> {
    let fold_word = |w: &str| -> String { w.chars().flat_map(fold_char).collect() };
    let known: HashSet<String> = known.iter().map(|k| fold_word(k)).collect();
    let first_names: HashSet<&str> = FIRST_NAMES.iter().copied().collect();
    let mut found: HashMap<String, Candidate> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for (source, text) in sources {
        let chars: Vec<char> = text.chars().collect();
        let listed: Vec<Hit> = names.map(|n| n.find(text)).unwrap_or_default();
        for (a, b) in tokens(&chars) {
            if listed.iter().any(|h| h.start <= a && b <= h.end) {
                continue;
            }
            let word: String = chars[a..b].iter().collect();
            let folded = fold_word(&word);
            if known.contains(&folded) || names.is_some_and(|n| n.lists(&word)) {
                continue;
            }
            let kind = if first_names.contains(folded.as_str()) {
                "first name"
            } else if chars[a].is_uppercase()
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
    out
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_names_file_with_a_nul_is_refused_row_by_row() {
        let rows: Vec<Vec<String>> = [["Éloïse", "P01"], ["Marc\0", "P02"], ["Ana", "P\u{0}03"]]
            .iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect();
        match NamesList::parse(&rows, "abc") {
            Err(StoreError::BadNamesFile(problems)) => assert_eq!(
                problems,
                [
                    "row 2: the real name holds the character U+0000 (NUL), which a study \
                     cannot store, so nothing was changed: remove it and try again",
                    "row 3: the replacement holds the character U+0000 (NUL), which a study \
                     cannot store, so nothing was changed: remove it and try again",
                ]
            ),
            other => panic!("expected the names file refused, got {other:?}"),
        }
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
}
