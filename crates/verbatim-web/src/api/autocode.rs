//! "Code all N hits with…" on the search page: `POST /api/autocode`
//! codes every hit of a query (its words, sentence, paragraph or turn)
//! with one of the coder's codes, as one undoable action, like `verbatim
//! search QUERY --autocode CODE --unit UNIT`: the same search, the same
//! units (`verbatim_search::unit_spans`) and the same `add_codings`, which
//! skips passages already coded with the code.

use std::collections::HashSet;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_search::{Unit, search, unit_spans};

use crate::api::codings::web_code;
use crate::api::search::{SearchParams, filters_and_query};
use crate::error::ApiResult;
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the route of `/api/autocode`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/autocode", post(autocode))
}

/// What to code: every hit of `query` with `code_id`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct AutocodeBody {
    /// The search, in the search page's query language.
    query: String,
    /// `all` (default), `participants` or `interviewers`, as the search.
    role: Option<String>,
    /// One of the coder's codes (own or shared codebook).
    code_id: i64,
    /// `hit` (the hit's words), `sentence`, `paragraph` or `turn`.
    scope: String,
}

/// What was coded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Autocoded {
    /// Every hit of the query.
    hits: usize,
    /// Distinct sources with a hit.
    sources: usize,
    /// New codings (passages already coded with the code are skipped).
    added: usize,
    /// The code's name.
    code: String,
}

#[utoipa::path(
    post,
    path = "/api/autocode",
    tag = "search and analysis",
    summary = "Code every hit of a search with a code (as `verbatim search --autocode`), one undoable action",
    request_body = AutocodeBody,
    responses((status = 200, description = "Success", body = Autocoded))
)]
async fn autocode(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<AutocodeBody>,
) -> ApiResult<Autocoded> {
    let unit: Unit = body.scope.parse().map_err(|_| {
        WebError::BadRequest(format!(
            "code {:?} of each hit? say hit, sentence, paragraph or turn",
            body.scope
        ))
    })?;
    let params = SearchParams {
        q: body.query,
        role: body.role,
        ..SearchParams::default()
    };
    let done = state
        .with_study(move |study| {
            let (query, filters) = filters_and_query(&params)?;
            let hits = {
                let (store, index) = study.store_and_index()?;
                search(store, index, &query, &filters, 0)?
            };
            let store = &mut *study.store;
            let code = web_code(store, &session, body.code_id)?;
            let scope = session.own_scope(store)?;
            let items: Vec<_> = unit_spans(store, &hits, unit)?
                .into_iter()
                .map(|(source, span)| (source, span, body.code_id))
                .collect();
            let added = store.add_codings(&scope, &items)?;
            let sources: HashSet<i64> = hits.iter().map(|h| h.source_id).collect();
            Ok(Autocoded {
                hits: hits.len(),
                sources: sources.len(),
                added,
                code: code.name,
            })
        })
        .await?;
    Ok(Json(done))
}
