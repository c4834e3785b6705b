//! Coding queries, matrices, co-occurrence and word frequencies over
//! HTTP: the same computations as `verbatim query`, `verbatim matrix`,
//! `verbatim cooccurrence` and `verbatim words`, with the acting coder's codings (every coder's once
//! the study is revealed).

use crate::Backend;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_analysis::matrix::{self, Cooccurrence};
use verbatim_search::{WordCount, WordOptions};
use verbatim_store::{Scope, SpanFilter};
use verbatim_views::{self as views, words::WordsSpec};

use crate::error::ApiResult;
use crate::queries::{
    CellPassages, MatrixParams, QueryParams, QueryResult, WebMatrix, cell_passages, run_matrix,
    run_query,
};
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the routes of `/api/query`, `/api/matrix` and `/api/words`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/query", get(query))
        .route("/api/matrix", get(matrix))
        .route("/api/matrix/cell", get(cell))
        .route("/api/words", get(words))
        .route("/api/cooccurrence", get(cooccurrence))
}

#[utoipa::path(
    get,
    path = "/api/query",
    tag = "search and analysis",
    summary = "Run a coding query (AND, OR, NOT, NEAR/N, PRECEDES)",
    params(QueryParams),
    responses((status = 200, description = "Success", body = QueryResult))
)]
async fn query(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<QueryParams>,
) -> ApiResult<QueryResult> {
    if params.q.trim().is_empty() {
        return Err(WebError::BadRequest(
            "write a query first, like Méfiance AND Confiance".into(),
        ));
    }
    let result = state
        .read(move |store| run_query(store, &session.scope(store)?, &params))
        .await?;
    Ok(Json(result))
}

#[utoipa::path(
    get,
    path = "/api/matrix",
    tag = "search and analysis",
    summary = "Codes × sites, kinds, coders or attribute values",
    params(MatrixParams),
    responses((status = 200, description = "Success", body = WebMatrix))
)]
async fn matrix(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<MatrixParams>,
) -> ApiResult<WebMatrix> {
    let m = state
        .read(move |store| run_matrix(store, &session.scope(store)?, &params))
        .await?;
    Ok(Json(m))
}

/// A matrix's parameters plus the cell (counted from 0).
#[derive(Debug, Deserialize)]
struct CellParams {
    #[serde(flatten)]
    matrix: MatrixParams,
    row: usize,
    column: usize,
}

#[utoipa::path(
    get,
    path = "/api/matrix/cell",
    tag = "search and analysis",
    summary = "The passages behind one matrix cell",
    params(
        MatrixParams,
        ("row" = usize, Query, description = "The cell's row, counted from 0."),
        ("column" = usize, Query, description = "The cell's column, counted from 0.")
    ),
    responses((status = 200, description = "Success", body = CellPassages))
)]
async fn cell(
    State(state): State<AppState>,
    session: Session,
    Query(p): Query<CellParams>,
) -> ApiResult<CellPassages> {
    let found = state
        .read(move |store| cell_passages(store, &session.scope(store)?, &p.matrix, p.row, p.column))
        .await?;
    Ok(Json(found))
}

/// What to count, as `verbatim words` takes it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WordsParams {
    /// How many words (default 50, at most 1000).
    #[serde(default)]
    pub top: Option<usize>,
    /// Shortest word counted (default 4).
    #[serde(default)]
    pub min_length: Option<usize>,
    /// Group words by stem.
    #[serde(default)]
    pub stem: Option<String>,
    /// Count interviewers' turns too.
    #[serde(default)]
    pub interviewers: Option<String>,
    /// Only sources of this site (name or code).
    #[serde(default)]
    pub site: Option<String>,
    /// Only sources of this kind.
    #[serde(default)]
    pub kind: Option<String>,
}

fn on(flag: &Option<String>) -> bool {
    matches!(flag.as_deref(), Some("1" | "true" | "on" | "yes"))
}

/// Returns the most frequent words, participants' speech only unless
/// interviewers are asked for; context-only sources left out.
pub fn count_words(store: &dyn Backend, p: &WordsParams) -> Result<Vec<WordCount>, WebError> {
    let filled = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let kinds: Vec<String> = filled(&p.kind).into_iter().collect();
    let sites: Vec<String> = filled(&p.site).into_iter().collect();
    Ok(views::words::count(
        store,
        &WordsSpec {
            sources: &[],
            kinds: &kinds,
            sites: &sites,
            include_interviewers: on(&p.interviewers),
            include_context: false,
            options: WordOptions {
                top: p.top.unwrap_or(50).clamp(1, 1000),
                min_length: p.min_length.unwrap_or(4).max(1),
                stem: on(&p.stem),
            },
        },
    )?)
}

#[utoipa::path(
    get,
    path = "/api/words",
    tag = "search and analysis",
    summary = "Most frequent words (participants' speech by default)",
    params(WordsParams),
    responses((status = 200, description = "Success", body = Vec<WordCount>))
)]
async fn words(
    State(state): State<AppState>,
    Query(params): Query<WordsParams>,
) -> ApiResult<Vec<WordCount>> {
    let rows = state.read(move |store| count_words(store, &params)).await?;
    Ok(Json(rows))
}

/// A co-occurrence table's parameters, as `verbatim cooccurrence` takes
/// them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CooccurrenceParams {
    /// Rows and columns: every code of this level (default `theme`),
    /// each with the codes below it rolled up.
    pub level: Option<String>,
    /// Count passages within this many characters, not only overlapping
    /// ones.
    pub near: Option<usize>,
}

impl CooccurrenceParams {
    /// Returns the level of the codes, `theme` by default.
    pub fn level(&self) -> &str {
        self.level
            .as_deref()
            .filter(|l| !l.trim().is_empty())
            .unwrap_or("theme")
    }
}

/// Returns the codes × codes table of the scope's codings: passages where
/// two codes overlap (or come within `near` chars) and the Jaccard index of
/// the text they cover.
pub fn run_cooccurrence(
    store: &dyn Backend,
    scope: &Scope,
    params: &CooccurrenceParams,
) -> Result<Cooccurrence, WebError> {
    let rows = views::matrix::rows_at_level(store, scope, params.level())?;
    let filter = SpanFilter {
        codes: Some(views::coded::distinct(
            rows.iter().flat_map(|r| r.codes.iter().copied()),
        )),
        coder: None,
        include_context: false,
    };
    let spans = views::coded::spans(store, scope, &filter)?;
    Ok(matrix::cooccurrence(&spans, &rows, params.near))
}

#[utoipa::path(
    get,
    path = "/api/cooccurrence",
    tag = "search and analysis",
    summary = "Codes x codes: passages where two codes overlap and the Jaccard index (as `verbatim cooccurrence`)",
    params(CooccurrenceParams),
    responses((status = 200, description = "Success", body = Cooccurrence))
)]
async fn cooccurrence(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<CooccurrenceParams>,
) -> ApiResult<Cooccurrence> {
    let table = state
        .read(move |store| run_cooccurrence(store, &session.scope(store)?, &params))
        .await?;
    Ok(Json(table))
}
