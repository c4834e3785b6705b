//! Full-text search over HTTP: the same query language, index and KWIC
//! lines as `verbatim search`.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_search::{Analyzers, Filters, Hit, Role, SortKey, sort_hits};

use crate::error::ApiResult;
use crate::state::Study;
use crate::{AppState, WebError};

/// Returns the route of `/api/search`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/search", get(search))
}

/// A search as the page's form and the API take it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchParams {
    /// The query (`confiance`, `"fouille des sacs"`, `méfi* AND NOT peur`).
    #[serde(default)]
    pub q: String,
    /// `all` (default), `participants` or `interviewers`.
    #[serde(default)]
    pub role: Option<String>,
    /// Order: `source` (default), `left` or `right` context.
    #[serde(default)]
    pub sort: Option<String>,
    /// Chars of context either side (default 60, at most 400).
    #[serde(default)]
    pub context: Option<usize>,
}

/// The hits of a search.
#[derive(Debug, Serialize)]
pub struct SearchResults {
    /// The query as run.
    pub query: String,
    /// Every hit, with UTF-16 spans for the reader's `?hl=` links.
    pub hits: Vec<Hit>,
    /// Distinct sources with a hit.
    pub sources: usize,
}

/// Runs a search on the study (syncing the index first).
pub fn run(study: &mut Study, params: &SearchParams) -> Result<SearchResults, WebError> {
    let text = params.q.trim();
    if text.is_empty() {
        return Err(WebError::BadRequest("type something to search for".into()));
    }
    let mut analyzers = Analyzers::default();
    let query = verbatim_search::Query::parse(text, &mut analyzers)?;
    let role = match params.role.as_deref().unwrap_or("all") {
        "all" | "" => Role::All,
        "participants" => Role::Participants,
        "interviewers" => Role::Interviewers,
        other => {
            return Err(WebError::BadRequest(format!(
                "no speaker role {other:?}: use all, participants or interviewers"
            )));
        }
    };
    let filters = Filters {
        role,
        ..Filters::default()
    };
    let context = params.context.unwrap_or(60).min(400);
    let (store, index) = study.store_and_index()?;
    let mut hits = verbatim_search::search(store, index, &query, &filters, context)?;
    match params.sort.as_deref() {
        Some("left") => sort_hits(&mut hits, SortKey::Left),
        Some("right") => sort_hits(&mut hits, SortKey::Right),
        _ => {}
    }
    let mut sources: Vec<i64> = hits.iter().map(|h| h.source_id).collect();
    sources.sort_unstable();
    sources.dedup();
    Ok(SearchResults {
        query: text.to_owned(),
        sources: sources.len(),
        hits,
    })
}

async fn search(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> ApiResult<SearchResults> {
    Ok(Json(
        state.with_study(move |study| run(study, &params)).await?,
    ))
}
