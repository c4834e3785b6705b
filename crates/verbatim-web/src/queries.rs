//! Coding queries and matrices as the web runs them: the study read the
//! way `verbatim query` and `verbatim matrix` read it, handed to
//! `verbatim-analysis`, and the passages described for the browser.
//!
//! Why here and not shared with the CLI: the CLI's loading helpers live in
//! its command modules (a binary crate nothing can depend on); the rules
//! they follow are short and are repeated here on purpose, with the same
//! words in the errors: a query name is every visible code so named (one
//! per codebook after reveal) rolled up with its descendants, a matrix row
//! is a code with its descendants, columns are sites, kinds, coders or the
//! values of a participant or source attribute, and context-only sources
//! are left out.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use verbatim_analysis::matrix::{self, CellValue, CodedSpan, Columns, OwnedTurn, RowSpec, Turns};
use verbatim_analysis::query::{self, Context, Coverage, Passage};
use verbatim_core::OffsetTable;
use verbatim_store::{AppliesTo, Scope, SpanFilter, SqliteStore, TurnOwner};

use crate::WebError;
use crate::offsets::to_utf16;

/// A passage as the web shows it: where, who speaks, the text in context,
/// and its UTF-16 range for the reader's `?hl=` link.
#[derive(Debug, Clone, Serialize)]
pub struct WebPassage {
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// First char of the passage (the study's offsets).
    pub start: usize,
    /// Char just past the passage.
    pub end: usize,
    /// First UTF-16 unit, for the reader.
    pub utf16_start: usize,
    /// UTF-16 unit just past the passage.
    pub utf16_end: usize,
    /// Participants (code) or speaker labels whose turns it overlaps.
    pub speakers: Vec<String>,
    /// Text before it.
    pub before: String,
    /// The passage.
    pub text: String,
    /// Text after it.
    pub after: String,
}

impl WebPassage {
    /// Returns the reader's address with the passage outlined.
    pub fn href(&self) -> String {
        format!(
            "/sources/{}?hl={}-{}",
            self.source_id, self.utf16_start, self.utf16_end
        )
    }
}

/// Returns passages with their source name, speakers and text, each
/// source's text read once.
pub fn describe(
    store: &SqliteStore,
    passages: &[Passage],
    context: usize,
) -> Result<Vec<WebPassage>, WebError> {
    let names: HashMap<i64, String> = store
        .source_facts()?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let people: HashMap<i64, String> = store
        .participants()?
        .into_iter()
        .map(|p| (p.id, p.display()))
        .collect();
    let mut turns: HashMap<i64, Vec<TurnOwner>> = HashMap::new();
    for t in store.turn_owners(true)? {
        turns.entry(t.source_id).or_default().push(t);
    }
    let mut texts: HashMap<i64, (Vec<char>, String, OffsetTable)> = HashMap::new();
    let mut out = Vec::with_capacity(passages.len());
    for p in passages {
        let (chars, text, table) = match texts.entry(p.source) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let text = store.source_text(p.source)?;
                let table = OffsetTable::new(&text);
                e.insert((text.chars().collect(), text, table))
            }
        };
        let (chars, text, table) = (&*chars, &*text, &*table);
        let end = p.end.min(chars.len());
        let start = p.start.min(end);
        let slice = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
        let mut speakers: Vec<String> = Vec::new();
        for t in turns.get(&p.source).into_iter().flatten() {
            if t.start < end && start < t.end {
                let name = t
                    .participant_id
                    .and_then(|id| people.get(&id).cloned())
                    .unwrap_or_else(|| t.label.clone());
                if !speakers.contains(&name) {
                    speakers.push(name);
                }
            }
        }
        out.push(WebPassage {
            source_id: p.source,
            source: names.get(&p.source).cloned().unwrap_or_default(),
            start,
            end,
            utf16_start: to_utf16(table, text, start),
            utf16_end: to_utf16(table, text, end),
            speakers,
            before: slice(start.saturating_sub(context), start),
            text: slice(start, end),
            after: slice(end, (end + context).min(chars.len())),
        });
    }
    Ok(out)
}

/// Returns the spans the scope sees, restricted to `codes`.
fn load_spans(
    store: &SqliteStore,
    scope: &Scope,
    codes: Vec<i64>,
) -> Result<Vec<CodedSpan>, WebError> {
    let filter = SpanFilter {
        codes: Some(codes),
        coder: None,
        include_context: false,
    };
    Ok(store
        .coding_spans(scope, &filter)?
        .into_iter()
        .map(|s| CodedSpan {
            source: s.source_id,
            code: s.code_id,
            coder: s.coder_id,
            start: s.start,
            end: s.end,
        })
        .collect())
}

/// Returns the turns indexed for participant attribution.
fn load_turns(store: &SqliteStore) -> Result<Turns, WebError> {
    Ok(Turns::new(store.turn_owners(false)?.into_iter().map(|t| {
        OwnedTurn {
            source: t.source_id,
            start: t.start,
            end: t.end,
            participant: t.participant_id,
        }
    })))
}

/// A coding query and its filters, as the form and the API send them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct QueryParams {
    /// The query, e.g. `Méfiance AND "Contrôle excessif"`.
    #[serde(default)]
    pub q: String,
    /// AND returns the overlapping passages whole.
    #[serde(default)]
    pub whole: Option<String>,
    /// Only sources of this site (name or code).
    #[serde(default)]
    pub site: Option<String>,
    /// Only sources of this kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// Only passages of participants (or sources) with `NAME=VALUE`.
    #[serde(default)]
    pub attribute: Option<String>,
}

impl QueryParams {
    fn whole(&self) -> bool {
        matches!(self.whole.as_deref(), Some("1" | "true" | "on" | "yes"))
    }

    fn filled(value: &Option<String>) -> Option<&str> {
        value.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
}

/// What a coding query found.
#[derive(Debug, Clone, Serialize)]
pub struct QueryResult {
    /// The passages, by source and position.
    pub passages: Vec<WebPassage>,
    /// How many sources they are in.
    pub sources: usize,
}

/// Returns the error for a query problem (its message names the
/// position).
fn query_error(e: &query::QueryError) -> WebError {
    WebError::BadRequest(format!("{e}: correct the query and run it again"))
}

/// Runs a coding query with the scope's codings.
pub fn run_query(
    store: &SqliteStore,
    scope: &Scope,
    params: &QueryParams,
) -> Result<QueryResult, WebError> {
    let text = params.q.trim();
    let parsed = query::parse(text).map_err(|e| query_error(&e))?;
    let visible = store.visible_codes(scope)?;
    let mut sets: Vec<(String, Vec<i64>)> = Vec::new();
    for (name, position) in parsed.code_names() {
        let mut ids: Vec<i64> = visible
            .iter()
            .filter(|c| c.name == name)
            .map(|c| c.id)
            .collect();
        if ids.is_empty() {
            ids = visible
                .iter()
                .filter(|c| c.name.to_lowercase() == name.to_lowercase())
                .map(|c| c.id)
                .collect();
        }
        if ids.is_empty() {
            match store.find_code(scope, &name, None) {
                Ok(id) => ids.push(id),
                Err(_) => {
                    return Err(query_error(&query::QueryError::UnknownCode {
                        name,
                        position,
                    }));
                }
            }
        }
        let mut all = Vec::new();
        for id in ids {
            all.extend(store.code_descendants(id)?);
        }
        sets.push((name, all));
    }
    let mut codes: Vec<i64> = sets.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    codes.sort_unstable();
    codes.dedup();
    let spans = load_spans(store, scope, codes)?;
    let turns = load_turns(store)?;

    let facts = store.source_facts()?;
    let mut keep: Option<HashSet<i64>> = None;
    let mut narrow = |ids: HashSet<i64>| {
        keep = Some(match keep.take() {
            Some(k) => k.intersection(&ids).copied().collect(),
            None => ids,
        });
    };
    if let Some(site) = QueryParams::filled(&params.site) {
        let found = store.find_site(site)?;
        let matches = |s: &str| {
            s.eq_ignore_ascii_case(site)
                || found.as_ref().is_some_and(|f| {
                    s.eq_ignore_ascii_case(&f.name) || s.eq_ignore_ascii_case(&f.code)
                })
        };
        narrow(
            facts
                .iter()
                .filter(|f| f.site.as_deref().is_some_and(matches))
                .map(|f| f.id)
                .collect(),
        );
    }
    if let Some(kind) = QueryParams::filled(&params.kind) {
        narrow(
            facts
                .iter()
                .filter(|f| f.kind.eq_ignore_ascii_case(kind))
                .map(|f| f.id)
                .collect(),
        );
    }
    let mut speakers_wanted: Option<HashSet<i64>> = None;
    if let Some(pair) = QueryParams::filled(&params.attribute) {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(WebError::BadRequest(format!(
                "the attribute filter {pair:?} is not NAME=VALUE: write it like occupation=nurse"
            )));
        };
        let (name, value) = (name.trim(), value.trim());
        let is = |applies| -> Result<bool, WebError> {
            Ok(store
                .attributes(applies)?
                .iter()
                .any(|a| a.name.eq_ignore_ascii_case(name)))
        };
        if is(AppliesTo::Participant)? {
            speakers_wanted = Some(
                store
                    .participant_values_of(name)?
                    .into_iter()
                    .filter(|(_, v)| v.eq_ignore_ascii_case(value))
                    .map(|(k, _)| k)
                    .collect(),
            );
        } else if is(AppliesTo::Source)? {
            narrow(
                store
                    .source_values_of(name)?
                    .into_iter()
                    .filter(|(_, v)| v.eq_ignore_ascii_case(value))
                    .map(|(k, _)| k)
                    .collect(),
            );
        } else {
            return Err(WebError::BadRequest(format!(
                "no participant or source attribute named {name:?}: the participants page lists them"
            )));
        }
    }

    let mut ctx = Context {
        whole: params.whole(),
        ..Context::default()
    };
    for (name, set) in &sets {
        let set: HashSet<i64> = set.iter().copied().collect();
        let mut cov = Coverage::from_spans(
            spans
                .iter()
                .filter(|s| set.contains(&s.code))
                .map(|s| (s.source, s.start, s.end)),
        );
        if let Some(keep) = &keep {
            cov.retain_sources(|s| keep.contains(&s));
        }
        ctx.codes.insert(name.clone(), cov);
    }
    let involved: HashSet<i64> = spans.iter().map(|s| s.source).collect();
    for &source in &involved {
        if parsed.uses_near() {
            ctx.words
                .insert(source, query::word_starts(&store.source_text(source)?));
        }
        ctx.turns.insert(source, turns.spans(source));
    }
    let mut passages = parsed.evaluate(&ctx).map_err(|e| query_error(&e))?;
    if let Some(who) = &speakers_wanted {
        passages.retain(|p| {
            let mut hit = false;
            turns.speakers(p.source, p.start, p.end, |q| hit |= who.contains(&q));
            hit
        });
    }
    let sources = passages
        .iter()
        .map(|p| p.source)
        .collect::<HashSet<_>>()
        .len();
    Ok(QueryResult {
        passages: describe(store, &passages, 60)?,
        sources,
    })
}

/// A matrix as the form and the API ask for it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct MatrixParams {
    /// Columns: `site`, `kind`, `coder` or `attribute:NAME`.
    #[serde(default)]
    pub by: Option<String>,
    /// Rows: every code of this level (default `theme`).
    #[serde(default)]
    pub level: Option<String>,
    /// What a cell counts: `participants`, `passages` or `chars`.
    #[serde(default)]
    pub cell: Option<String>,
}

impl MatrixParams {
    /// Returns the columns asked for, `site` by default.
    pub fn by(&self) -> &str {
        self.by
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .unwrap_or("site")
    }

    /// Returns the level of the rows, `theme` by default.
    pub fn level(&self) -> &str {
        self.level
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .unwrap_or("theme")
    }

    fn value(&self) -> Result<CellValue, WebError> {
        match self
            .cell
            .as_deref()
            .map(str::trim)
            .unwrap_or("participants")
        {
            "" | "participants" => Ok(CellValue::Participants),
            "passages" => Ok(CellValue::Passages),
            "chars" => Ok(CellValue::Chars),
            other => Err(WebError::BadRequest(format!(
                "a cell counts participants, passages or chars, not {other:?}"
            ))),
        }
    }
}

/// A computed matrix, cells as counts.
#[derive(Debug, Clone, Serialize)]
pub struct WebMatrix {
    /// Row labels (codes).
    pub rows: Vec<String>,
    /// Column labels.
    pub columns: Vec<String>,
    /// What the cells count.
    pub counts: &'static str,
    /// `cells[row][column]`: the count.
    pub cells: Vec<Vec<usize>>,
    /// `passages[row][column]`: how many passages are behind the cell.
    pub passages: Vec<Vec<usize>>,
}

impl WebMatrix {
    /// Returns the count of cell (`row`, `column`), 0 outside the matrix.
    pub fn value_at(&self, row: &usize, column: &usize) -> usize {
        self.cells
            .get(*row)
            .and_then(|r| r.get(*column))
            .copied()
            .unwrap_or(0)
    }

    /// Returns how many passages are behind cell (`row`, `column`).
    pub fn passages_at(&self, row: &usize, column: &usize) -> usize {
        self.passages
            .get(*row)
            .and_then(|r| r.get(*column))
            .copied()
            .unwrap_or(0)
    }
}

/// The passages behind one cell.
#[derive(Debug, Clone, Serialize)]
pub struct CellPassages {
    /// The row's label.
    pub row: String,
    /// The column's label.
    pub column: String,
    /// The cell's count.
    pub value: usize,
    /// The participants heard in it.
    pub participants: Vec<String>,
    /// Its passages.
    pub passages: Vec<WebPassage>,
}

/// Returns the rows: every visible code of the level, with descendants.
fn load_rows(store: &SqliteStore, scope: &Scope, level: &str) -> Result<Vec<RowSpec>, WebError> {
    let rank = store.level_rank_of(level)?;
    let visible = store.visible_codes(scope)?;
    let picked: Vec<_> = visible.iter().filter(|c| c.level == rank).collect();
    if picked.is_empty() {
        return Err(WebError::BadRequest(format!(
            "no code of level {level:?} is visible to you: pick another level"
        )));
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for c in &picked {
        *counts.entry(c.name.as_str()).or_default() += 1;
    }
    picked
        .iter()
        .map(|c| {
            let label = if counts.get(c.name.as_str()).copied().unwrap_or(0) > 1 {
                format!("{} (#{})", c.name, c.id)
            } else {
                c.name.clone()
            };
            Ok(RowSpec {
                label,
                codes: store.code_descendants(c.id)?,
            })
        })
        .collect()
}

fn labels_of<'a>(allowed: &[String], values: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut labels: Vec<String> = allowed.to_vec();
    let rest: BTreeSet<&String> = values.filter(|v| !allowed.contains(v)).collect();
    labels.extend(rest.into_iter().cloned());
    labels
}

fn index_of(labels: &[String], map: HashMap<i64, String>) -> HashMap<i64, usize> {
    map.into_iter()
        .filter_map(|(k, v)| labels.iter().position(|l| *l == v).map(|i| (k, i)))
        .collect()
}

fn load_columns(store: &SqliteStore, scope: &Scope, by: &str) -> Result<Columns, WebError> {
    let facts = store
        .source_facts()?
        .into_iter()
        .filter(|s| s.kind != "context");
    match by {
        "site" | "kind" => {
            let map: HashMap<i64, String> = facts
                .map(|s| {
                    let v = if by == "site" {
                        s.site.unwrap_or_else(|| "(no site)".into())
                    } else {
                        s.kind
                    };
                    (s.id, v)
                })
                .collect();
            let labels = labels_of(&[], map.values());
            let of = index_of(&labels, map);
            Ok(Columns::Source { labels, of })
        }
        "coder" => {
            let coders: Vec<_> = store
                .coders()?
                .into_iter()
                .filter(|c| scope.sees_all() || c.id == scope.coder().id)
                .collect();
            Ok(Columns::Coder {
                labels: coders.iter().map(|c| c.name.clone()).collect(),
                of: coders.iter().enumerate().map(|(i, c)| (c.id, i)).collect(),
            })
        }
        _ => {
            let Some(name) = by.strip_prefix("attribute:").map(str::trim) else {
                return Err(WebError::BadRequest(format!(
                    "columns are site, kind, coder or attribute:NAME, not {by:?}"
                )));
            };
            let find = |applies| -> Result<Option<Vec<String>>, WebError> {
                Ok(store
                    .attributes(applies)?
                    .into_iter()
                    .find(|a| a.name.eq_ignore_ascii_case(name))
                    .map(|a| a.allowed))
            };
            if let Some(allowed) = find(AppliesTo::Participant)? {
                let map = store.participant_values_of(name)?;
                let labels = labels_of(&allowed, map.values());
                let of = index_of(&labels, map);
                Ok(Columns::Participant { labels, of })
            } else if let Some(allowed) = find(AppliesTo::Source)? {
                let map = store.source_values_of(name)?;
                let labels = labels_of(&allowed, map.values());
                let of = index_of(&labels, map);
                Ok(Columns::Source { labels, of })
            } else {
                Err(WebError::BadRequest(format!(
                    "no participant or source attribute named {name:?}: the participants page lists them"
                )))
            }
        }
    }
}

fn compute(
    store: &SqliteStore,
    scope: &Scope,
    params: &MatrixParams,
) -> Result<matrix::Matrix, WebError> {
    let rows = load_rows(store, scope, params.level())?;
    let columns = load_columns(store, scope, params.by())?;
    let mut codes: Vec<i64> = rows.iter().flat_map(|r| r.codes.iter().copied()).collect();
    codes.sort_unstable();
    codes.dedup();
    let spans = load_spans(store, scope, codes)?;
    let turns = load_turns(store)?;
    Ok(matrix::matrix(
        &spans,
        &rows,
        &columns,
        params.value()?,
        &turns,
    ))
}

/// Returns the matrix the parameters ask for, with the scope's codings.
pub fn run_matrix(
    store: &SqliteStore,
    scope: &Scope,
    params: &MatrixParams,
) -> Result<WebMatrix, WebError> {
    let m = compute(store, scope, params)?;
    Ok(WebMatrix {
        counts: match params.value()? {
            CellValue::Participants => "participants",
            CellValue::Passages => "passages",
            CellValue::Chars => "chars",
        },
        cells: m
            .cells
            .iter()
            .map(|r| r.iter().map(|c| c.value).collect())
            .collect(),
        passages: m
            .cells
            .iter()
            .map(|r| r.iter().map(|c| c.passages.len()).collect())
            .collect(),
        rows: m.rows,
        columns: m.columns,
    })
}

/// Returns the passages behind cell (`row`, `column`), counted from 0.
pub fn cell_passages(
    store: &SqliteStore,
    scope: &Scope,
    params: &MatrixParams,
    row: usize,
    column: usize,
) -> Result<CellPassages, WebError> {
    let m = compute(store, scope, params)?;
    let cell = m
        .cells
        .get(row)
        .and_then(|r| r.get(column))
        .ok_or_else(|| {
            WebError::NotFound(format!(
                "no cell ({row}, {column}) in this matrix: it has {} rows and {} columns; reload the page",
                m.rows.len(),
                m.columns.len()
            ))
        })?;
    let names: HashMap<i64, String> = store
        .participants()?
        .into_iter()
        .map(|p| (p.id, p.display()))
        .collect();
    Ok(CellPassages {
        row: m.rows[row].clone(),
        column: m.columns[column].clone(),
        value: cell.value,
        participants: cell
            .participants
            .iter()
            .map(|p| names.get(p).cloned().unwrap_or_else(|| format!("#{p}")))
            .collect(),
        passages: describe(store, &cell.passages, 60)?,
    })
}
