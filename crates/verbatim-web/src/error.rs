//! Errors of the web layer and how they reach the browser.
//!
//! Every failure becomes one sentence a researcher can act on, with an
//! HTTP status: `{"error": "…"}` for the JSON API ([`WebError`]), a small
//! HTML page for pages ([`PageError`]). Internal details (SQL, paths of
//! the server's files) are not invented here: the sentence is the library
//! error's own, which already says what to do.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use thiserror::Error;
use verbatim_search::SearchError;
use verbatim_store::{AccountError, StoreError};

/// Why a request failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum WebError {
    /// The study refused or failed the operation.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An account operation was refused (team mode).
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The search failed (a query error carries its column).
    #[error(transparent)]
    Search(#[from] SearchError),
    /// The request itself is wrong (missing field, bad offsets).
    #[error("{0}")]
    BadRequest(String),
    /// No such page or object.
    #[error("{0}")]
    NotFound(String),
    /// The request is not allowed (CSRF token, origin, blind layers).
    #[error("{0}")]
    Forbidden(String),
    /// Something broke inside the server.
    #[error("{0}")]
    Internal(String),
}

impl WebError {
    /// Returns the HTTP status the error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Store(e) => store_status(e),
            WebError::Account(e) => account_status(e),
            WebError::Search(SearchError::Query { .. }) => StatusCode::BAD_REQUEST,
            WebError::Search(_) => StatusCode::INTERNAL_SERVER_ERROR,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

fn account_status(e: &AccountError) -> StatusCode {
    match e {
        AccountError::BadRole(_) | AccountError::BadName(_) | AccountError::BadPassword(_) => {
            StatusCode::BAD_REQUEST
        }
        AccountError::Duplicate(_) | AccountError::LastOwner(_) => StatusCode::CONFLICT,
        AccountError::Unknown(_) | AccountError::BadInvitation => StatusCode::NOT_FOUND,
        AccountError::Store(e) => store_status(e),
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn store_status(e: &StoreError) -> StatusCode {
    match e {
        StoreError::SourceNotFound(_)
        | StoreError::UnknownCode(_)
        | StoreError::UnknownParticipant(_)
        | StoreError::UnknownSite(_)
        | StoreError::UnknownSpeaker { .. }
        | StoreError::UnknownGuide(_) => StatusCode::NOT_FOUND,
        StoreError::UnknownCoder(_) | StoreError::Blind => StatusCode::FORBIDDEN,
        StoreError::Invalid(_)
        | StoreError::History(_)
        | StoreError::DuplicateParticipant(_)
        | StoreError::UnknownAttribute { .. }
        | StoreError::BadValue { .. }
        | StoreError::Rejected(_)
        | StoreError::BadNamesFile(_) => StatusCode::CONFLICT,
        // A page whose concern the study's backend has not built yet.
        StoreError::NotOnPostgres(_) => StatusCode::NOT_IMPLEMENTED,
        // The study's database server is down or full: try again later.
        StoreError::Unreachable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The JSON body of every API error.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// One sentence: what went wrong and what to do.
    pub error: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.to_string(),
        };
        (self.status(), Json(body)).into_response()
    }
}

/// A [`WebError`] answered as an HTML page, for page handlers.
#[derive(Debug)]
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let page = ErrorPage {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("Error"),
            message: self.0.to_string(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, self.0.to_string()).into_response(),
        }
    }
}

/// The result of a JSON handler.
pub type ApiResult<T> = Result<Json<T>, WebError>;

/// The result of a page handler.
pub type PageResult<T> = Result<T, PageError>;
