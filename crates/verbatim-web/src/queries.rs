//! Coding queries and matrices as the web runs them: the study read by
//! `verbatim_views` (as `verbatim query` and `verbatim matrix` read it),
//! computed by `verbatim-analysis`, and the passages described for the
//! browser with UTF-16 ranges for the reader's `?hl=` links. A query name
//! is every visible code so named rolled up with its descendants, a matrix
//! row is a code with its descendants, columns are sites, kinds, coders or
//! attribute values, and context-only sources are left out.

use crate::Backend;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use verbatim_analysis::matrix::{self, CellValue};
use verbatim_analysis::query::{self, Passage};
use verbatim_core::OffsetTable;
use verbatim_store::{Scope, SpanFilter, TurnOwner};
use verbatim_views::query::Filters;
use verbatim_views::{self as views, ViewError, coded};

use crate::WebError;
use crate::offsets::to_utf16;

/// A passage as the web shows it: where, who speaks, the text in context,
/// and its UTF-16 range for the reader's `?hl=` link.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    store: &dyn Backend,
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

/// A coding query and its filters, as the form and the API send them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

impl From<ViewError> for WebError {
    /// Words a view's error with the advice a form needs.
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::Store(e) => WebError::Store(e),
            ViewError::Query(e) => query_error(&e),
            ViewError::Align(e) => {
                WebError::Internal(format!("the alignment could not be computed: {e}"))
            }
            ViewError::NoCodeAtLevel { .. } => {
                WebError::BadRequest(format!("{e}: pick another level"))
            }
            ViewError::UnknownColumns { .. } => WebError::BadRequest(e.to_string()),
            ViewError::UnknownAttribute { .. } => {
                WebError::BadRequest(format!("{e}: the participants page lists them"))
            }
        }
    }
}

/// Runs a coding query with the scope's codings.
pub fn run_query(
    store: &dyn Backend,
    scope: &Scope,
    params: &QueryParams,
) -> Result<QueryResult, WebError> {
    let parsed = query::parse(params.q.trim()).map_err(|e| query_error(&e))?;
    let mut attributes: Vec<(String, String)> = Vec::new();
    if let Some(pair) = QueryParams::filled(&params.attribute) {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(WebError::BadRequest(format!(
                "the attribute filter {pair:?} is not NAME=VALUE: write it like occupation=nurse"
            )));
        };
        attributes.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let filters = Filters {
        whole: params.whole(),
        site: QueryParams::filled(&params.site),
        kind: QueryParams::filled(&params.kind),
        attributes: &attributes,
        include_context: false,
    };
    let passages = views::query::answer(store, scope, &parsed, &filters)?;
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
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

fn compute(
    store: &dyn Backend,
    scope: &Scope,
    params: &MatrixParams,
) -> Result<matrix::Matrix, WebError> {
    let rows = views::matrix::rows_at_level(store, scope, params.level())?;
    let columns = views::matrix::columns(store, scope, params.by(), false)?;
    let filter = SpanFilter {
        codes: Some(coded::distinct(
            rows.iter().flat_map(|r| r.codes.iter().copied()),
        )),
        coder: None,
        include_context: false,
    };
    let spans = coded::spans(store, scope, &filter)?;
    let turns = coded::turns(store, false)?;
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
    store: &dyn Backend,
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
    store: &dyn Backend,
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
    let names = coded::participant_names(store)?;
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
