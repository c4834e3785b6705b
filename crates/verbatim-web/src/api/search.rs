//! Full-text search over HTTP: the same query language, index and KWIC
//! lines as `verbatim search`, a page of hits at a time with the count of
//! all (see `verbatim_search::search_page`).

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_search::{
    Analyzers, Filters, Hit, HitPage, Role, SortKey, search, search_page, sort_hits,
};

use crate::error::ApiResult;
use crate::state::Study;
use crate::{AppState, WebError};

/// Returns the route of `/api/search`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/search", get(search_api))
}

/// Hits per page when the request does not say.
pub const PAGE: usize = 50;
/// The most hits one request returns.
const MAX_PAGE: usize = 1000;

/// A search as the page's form and the API take it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
    /// Hits to skip (default 0).
    #[serde(default)]
    pub offset: Option<usize>,
    /// Hits to return (default 50, at most 1,000).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// One page of the hits of a search.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// The query as run.
    pub query: String,
    /// Every hit the search finds.
    pub total: usize,
    /// Distinct sources with a hit.
    pub sources: usize,
    /// Hits skipped before this page.
    pub offset: usize,
    /// The page size asked for.
    pub limit: usize,
    /// The page's hits, with UTF-16 spans for the reader's `?hl=` links.
    pub hits: Vec<Hit>,
}

impl SearchResults {
    /// Returns the offset of the previous page, if any.
    pub fn previous(&self) -> Option<usize> {
        (self.offset > 0).then(|| self.offset.saturating_sub(self.limit))
    }

    /// Returns the offset of the next page, if any.
    pub fn next(&self) -> Option<usize> {
        let next = self.offset + self.limit;
        (next < self.total).then_some(next)
    }
}

/// Returns the parsed query and the role filter of a search's parameters
/// (the search page and `/api/autocode` share them).
pub fn filters_and_query(
    params: &SearchParams,
) -> Result<(verbatim_search::Query, Filters), WebError> {
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
    Ok((query, filters))
}

/// Runs a search on the study (syncing the index first, which costs one
/// read of the study's change counter when nothing was written).
pub fn run(study: &mut Study, params: &SearchParams) -> Result<SearchResults, WebError> {
    let (query, filters) = filters_and_query(params)?;
    let text = params.q.trim();
    let sort = match params.sort.as_deref().unwrap_or("source") {
        "source" | "" => SortKey::Source,
        "left" => SortKey::Left,
        "right" => SortKey::Right,
        other => {
            return Err(WebError::BadRequest(format!(
                "no order {other:?}: use source, left or right"
            )));
        }
    };
    let context = params.context.unwrap_or(60).min(400);
    let offset = params.offset.unwrap_or(0);
    let limit = params.limit.unwrap_or(PAGE).clamp(1, MAX_PAGE);
    let (store, index) = study.store_and_index()?;
    let page = if sort == SortKey::Source {
        search_page(store, index, &query, &filters, context, (offset, limit))?
    } else {
        // Sorting by context needs every line cut first.
        let mut hits = search(store, index, &query, &filters, context)?;
        sort_hits(&mut hits, sort);
        HitPage::of(hits, offset, limit)
    };
    Ok(SearchResults {
        query: text.to_owned(),
        total: page.total,
        sources: page.sources,
        offset,
        limit,
        hits: page.hits,
    })
}

#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search and analysis",
    summary = "Full-text search with KWIC, a page of hits at a time",
    params(SearchParams),
    responses((status = 200, description = "Success", body = SearchResults))
)]
async fn search_api(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> ApiResult<SearchResults> {
    Ok(Json(
        state.with_study(move |study| run(study, &params)).await?,
    ))
}
