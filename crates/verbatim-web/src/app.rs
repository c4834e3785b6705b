//! The router: every area's routes merged, wrapped in the security layers.
//!
//! To add an area, write a module under `pages/` or `api/` exposing
//! `pub fn routes() -> Router<AppState>` and add one `.merge(…)` line here.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::{AppState, api, assets, auth, auth_pages, i18n, media, pages, roles, security};

/// The largest request body accepted (a transcript or roster upload).
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Returns the whole application for `state`; a request not answered
/// within `timeout` gets `408 Request Timeout`.
pub fn router(state: AppState, timeout: std::time::Duration) -> Router {
    Router::new()
        // Pages (HTML).
        .merge(pages::home::routes())
        .merge(pages::coder::routes())
        .merge(pages::reader::routes())
        .merge(pages::codes::routes())
        .merge(pages::search::routes())
        .merge(pages::analysis::routes())
        .merge(pages::people::routes())
        .merge(pages::compare::routes())
        .merge(pages::journal::routes())
        .merge(pages::reports::routes())
        .merge(pages::transcribe::routes())
        .merge(pages::accounts::routes())
        // Team mode's login, logout and invitation pages.
        .merge(auth_pages::routes())
        // JSON API under /api.
        .merge(api::codings::routes())
        .merge(api::codes::routes())
        .merge(api::history::routes())
        .merge(api::search::routes())
        .merge(api::analysis::routes())
        .merge(api::people::routes())
        .merge(api::compare::routes())
        .merge(api::journal::routes())
        .merge(api::openapi::routes())
        .merge(api::upload::routes())
        .merge(api::autocode::routes())
        .merge(api::turns::routes())
        .merge(api::accounts::routes())
        // Recordings, with range requests.
        .merge(media::routes())
        // Static files.
        .merge(assets::routes())
        // The header's language switch.
        .merge(i18n::routes())
        .fallback(security::not_found)
        // Layers run outermost last: the request's language (so every
        // refusal below is in it), headers on every answer (even
        // refusals), then the host check, team mode's session and role
        // checks, the size limit, the CSRF check.
        .layer(from_fn_with_state(state.guard(), security::check_csrf))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // Team mode: the role the route needs, after who is asking.
        .layer(axum::middleware::from_fn(roles::check_role))
        .layer(from_fn_with_state(state.clone(), auth::require_session))
        .layer(from_fn_with_state(state.guard(), security::check_host))
        .layer(from_fn_with_state(state.guard(), security::headers))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(axum::middleware::from_fn(i18n::negotiate))
        .with_state(state)
}
