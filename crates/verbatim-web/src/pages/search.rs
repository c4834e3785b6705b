//! The search page: a query box and one page of hits as KWIC lines, with
//! links to the pages before and after; each hit links to its passage in
//! the reader, outlined. Below the count, "Code all N hits with…" codes
//! every hit through `/api/autocode` (see [`crate::api::autocode`]).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;

use crate::api::search::{SearchParams, SearchResults, run};
use crate::error::PageResult;
use crate::i18n::t;
use crate::layout::{Nav, Page};
use crate::pages::analysis::{Tab, tabs};
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the search page's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search_page))
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    page: Page,
    tabs: Vec<Tab>,
    q: String,
    role: String,
    sort: String,
    results: Option<SearchResults>,
    error: Option<String>,
    /// The codes the coder may code with (own and shared), for autocoding.
    codes: Vec<(i64, String)>,
}

async fn search_page(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<SearchParams>,
) -> PageResult<SearchPage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .with_study(move |study| {
            let page = Page::new(
                &*study.store,
                &session,
                &csrf,
                t("title.search"),
                Nav::Search,
            )?
            .with_script("autocode.js");
            let codes = match session.coder {
                Some(_) => study
                    .store
                    .visible_codes(&session.own_scope(&*study.store)?)?
                    .into_iter()
                    .map(|c| (c.id, c.name))
                    .collect(),
                None => Vec::new(),
            };
            let (results, error) = if params.q.trim().is_empty() {
                (None, None)
            } else {
                match run(study, &params) {
                    Ok(r) => (Some(r), None),
                    Err(e @ (WebError::BadRequest(_) | WebError::Search(_))) => {
                        (None, Some(e.to_string()))
                    }
                    Err(e) => return Err(e),
                }
            };
            Ok(SearchPage {
                page,
                tabs: tabs("/search"),
                q: params.q.clone(),
                role: params.role.clone().unwrap_or_else(|| "all".into()),
                sort: params.sort.clone().unwrap_or_else(|| "source".into()),
                results,
                error,
                codes,
            })
        })
        .await?)
}
