//! The analysis pages beside full-text search: coding queries, matrices
//! (click a cell for its passages), code co-occurrence and word
//! frequencies. Each is a GET form
//! whose result is rendered by the server, so a result has an address that
//! can be bookmarked and shared; the matrix's drill-down fetches
//! `/api/matrix/cell`.

use crate::Backend;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use verbatim_analysis::matrix::Cooccurrence;
use verbatim_search::WordCount;
use verbatim_store::AppliesTo;

use crate::api::analysis::{CooccurrenceParams, WordsParams, count_words, run_cooccurrence};
use crate::error::PageResult;
use crate::i18n::t;
use crate::layout::{Nav, Page};
use crate::queries::{MatrixParams, QueryParams, QueryResult, WebMatrix, run_matrix, run_query};
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the routes of the query, matrix and words pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/search/query", get(query_page))
        .route("/search/matrix", get(matrix_page))
        .route("/search/words", get(words_page))
        .route("/search/cooccurrence", get(cooccurrence_page))
}

/// The tabs above the analysis pages (full-text search is the first).
pub struct Tab {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// True on its own page.
    pub active: bool,
}

/// Returns the tabs with the one at `current` marked (the search page
/// shows them too, so the four pages link to each other).
pub fn tabs(current: &str) -> Vec<Tab> {
    [
        ("/search", "tab.full_text"),
        ("/search/query", "title.query"),
        ("/search/matrix", "title.matrix"),
        ("/search/cooccurrence", "title.cooccurrence"),
        ("/search/words", "title.words"),
    ]
    .into_iter()
    .map(|(href, key)| Tab {
        href,
        label: t(key),
        active: href == current,
    })
    .collect()
}

/// Splits a page result: user errors are shown on the page, others fail it.
fn shown<T>(result: Result<T, WebError>) -> Result<(Option<T>, Option<String>), WebError> {
    match result {
        Ok(v) => Ok((Some(v), None)),
        Err(e @ (WebError::BadRequest(_) | WebError::NotFound(_) | WebError::Store(_))) => {
            Ok((None, Some(e.to_string())))
        }
        Err(e) => Err(e),
    }
}

/// The filter choices the forms offer: sites, kinds, levels, attributes.
struct Choices {
    sites: Vec<String>,
    kinds: Vec<String>,
    levels: Vec<String>,
    attributes: Vec<String>,
}

fn choices(store: &dyn Backend) -> Result<Choices, WebError> {
    let mut kinds: Vec<String> = store.source_facts()?.into_iter().map(|s| s.kind).collect();
    kinds.sort();
    kinds.dedup();
    let mut attributes: Vec<String> = store
        .attributes(AppliesTo::Participant)?
        .into_iter()
        .chain(store.attributes(AppliesTo::Source)?)
        .map(|a| a.name)
        .collect();
    attributes.dedup();
    Ok(Choices {
        sites: store.sites()?.into_iter().map(|s| s.code).collect(),
        kinds,
        levels: store.levels()?.into_iter().rev().map(|l| l.name).collect(),
        attributes,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "query.html")]
struct QueryPage {
    page: Page,
    tabs: Vec<Tab>,
    params: QueryParams,
    sites: Vec<String>,
    kinds: Vec<String>,
    result: Option<QueryResult>,
    error: Option<String>,
    needs_coder: bool,
}

impl QueryPage {
    fn is(&self, value: &Option<String>, option: &str) -> bool {
        value.as_deref() == Some(option)
    }
}

async fn query_page(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<QueryParams>,
) -> PageResult<QueryPage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .read(move |store| {
            let page = Page::new(store, &session, &csrf, t("title.query"), Nav::Search)?
                .at("/search/query");
            let c = choices(store)?;
            let needs_coder = session.coder.is_none();
            let (result, error) = if params.q.trim().is_empty() || needs_coder {
                (None, None)
            } else {
                shown(
                    session
                        .scope(store)
                        .and_then(|s| run_query(store, &s, &params)),
                )?
            };
            Ok(QueryPage {
                page,
                tabs: tabs("/search/query"),
                params,
                sites: c.sites,
                kinds: c.kinds,
                result,
                error,
                needs_coder,
            })
        })
        .await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "matrix.html")]
struct MatrixPage {
    page: Page,
    tabs: Vec<Tab>,
    by: String,
    level: String,
    cell: String,
    levels: Vec<String>,
    attributes: Vec<String>,
    matrix: Option<WebMatrix>,
    error: Option<String>,
    needs_coder: bool,
}

async fn matrix_page(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<MatrixParams>,
) -> PageResult<MatrixPage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .read(move |store| {
            let page = Page::new(store, &session, &csrf, t("title.matrix"), Nav::Search)?
                .at("/search/matrix")
                .with_script("matrix.js");
            let c = choices(store)?;
            let needs_coder = session.coder.is_none();
            let (matrix, error) = if needs_coder {
                (None, None)
            } else {
                shown(
                    session
                        .scope(store)
                        .and_then(|s| run_matrix(store, &s, &params)),
                )?
            };
            Ok(MatrixPage {
                page,
                tabs: tabs("/search/matrix"),
                by: params.by().to_owned(),
                level: params.level().to_owned(),
                cell: params.cell.clone().unwrap_or_else(|| "participants".into()),
                levels: c.levels,
                attributes: c.attributes,
                matrix,
                error,
                needs_coder,
            })
        })
        .await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "words.html")]
struct WordsPage {
    page: Page,
    tabs: Vec<Tab>,
    params: WordsParams,
    sites: Vec<String>,
    kinds: Vec<String>,
    words: Vec<WordCount>,
    max: usize,
    error: Option<String>,
}

impl WordsPage {
    fn flag(&self, value: &Option<String>) -> bool {
        matches!(value.as_deref(), Some("1" | "true" | "on" | "yes"))
    }

    fn is(&self, value: &Option<String>, option: &str) -> bool {
        value.as_deref() == Some(option)
    }

    /// Returns a bar width in percent of the most frequent word.
    fn width(&self, count: &usize) -> usize {
        (count * 100).checked_div(self.max).unwrap_or(0)
    }
}

async fn words_page(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<WordsParams>,
) -> PageResult<WordsPage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .read(move |store| {
            let page = Page::new(store, &session, &csrf, t("title.words"), Nav::Search)?
                .at("/search/words");
            let c = choices(store)?;
            let (words, error) = shown(count_words(store, &params))?;
            let words = words.unwrap_or_default();
            Ok(WordsPage {
                page,
                tabs: tabs("/search/words"),
                max: words.first().map_or(0, |w| w.count),
                words,
                params,
                sites: c.sites,
                kinds: c.kinds,
                error,
            })
        })
        .await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "cooccurrence.html")]
struct CooccurrencePage {
    page: Page,
    tabs: Vec<Tab>,
    level: String,
    near: String,
    levels: Vec<String>,
    table: Option<Cooccurrence>,
    error: Option<String>,
    needs_coder: bool,
}

impl CooccurrencePage {
    /// Returns a cell's text: the passages, with the Jaccard index off the
    /// diagonal.
    fn cell(&self, table: &Cooccurrence, row: &usize, column: &usize) -> String {
        let Some(cell) = table.cells.get(*row).and_then(|r| r.get(*column)) else {
            return String::new();
        };
        match cell.jaccard {
            Some(j) if row != column && cell.passages > 0 => {
                format!("{} · J={j:.2}", cell.passages)
            }
            _ => cell.passages.to_string(),
        }
    }
}

async fn cooccurrence_page(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<CooccurrenceParams>,
) -> PageResult<CooccurrencePage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .read(move |store| {
            let page = Page::new(store, &session, &csrf, t("title.cooccurrence"), Nav::Search)?
                .at("/search/cooccurrence");
            let c = choices(store)?;
            let needs_coder = session.coder.is_none();
            let (table, error) = if needs_coder {
                (None, None)
            } else {
                shown(
                    session
                        .scope(store)
                        .and_then(|s| run_cooccurrence(store, &s, &params)),
                )?
            };
            Ok(CooccurrencePage {
                page,
                tabs: tabs("/search/cooccurrence"),
                level: params.level().to_owned(),
                near: params.near.map(|n| n.to_string()).unwrap_or_default(),
                levels: c.levels,
                table,
                error,
                needs_coder,
            })
        })
        .await?)
}
