//! Team mode's first layer: who is asking.
//!
//! With `serve --team`, every request but the login and invitation pages
//! and the static files must carry the `vb_session` cookie of a live
//! session (see `verbatim_store::accounts`: random 32 bytes, only their
//! SHA-256 kept, 12 hours idle and 7 days at most). The account found is
//! put in the request's extensions as [`CurrentAccount`], which
//! [`crate::session::Session`] and [`crate::roles`] read, and named for
//! the audit log of every store call the request makes
//! ([`acting_account`]). Without a session, `/api/…` answers 401 with a
//! JSON sentence and pages redirect to `/login?next=…`. Without `--team`
//! this layer lets everything through, as before.

use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use verbatim_store::{Role, SESSION_LIFE_SECS, SessionAccount};

use crate::AppState;
use crate::error::ErrorBody;
use crate::security::cookie;
use crate::session::encode_cookie;

/// The cookie holding the session token.
pub const SESSION_COOKIE: &str = "vb_session";

tokio::task_local! {
    /// The account behind the request being served (team mode).
    static ACCOUNT: Option<String>;
}

/// Returns the account the current request acts for: `Some(None)` on the
/// login pages, `None` outside a team request (nothing to record).
pub fn acting_account() -> Option<Option<String>> {
    ACCOUNT.try_with(Clone::clone).ok()
}

/// The logged-in account of a team-mode request.
#[derive(Debug, Clone)]
pub struct CurrentAccount(pub SessionAccount);

/// The address the request came from, when the server knows it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// Returns true for the paths served without a session: the login and
/// invitation pages and the static files they use.
fn is_public(path: &str) -> bool {
    path == "/login" || path.starts_with("/invite/") || path.starts_with("/assets/")
}

/// Returns true when `token` has the shape of a session token (64 hex
/// digits), so nothing else reaches the study.
fn is_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Refuses, in team mode, a request without a live session.
pub async fn require_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if !state.config().team {
        return next.run(req).await;
    }
    if is_public(req.uri().path()) {
        return ACCOUNT.scope(None, next.run(req)).await;
    }
    let token = cookie(req.headers(), SESSION_COOKIE)
        .filter(|t| is_token(t))
        .map(str::to_owned);
    let found = match token {
        Some(token) => state.read(move |store| Ok(store.session(&token)?)).await,
        None => Ok(None),
    };
    match found {
        Ok(Some(account)) => {
            let name = account.name.clone();
            ACCOUNT
                .scope(Some(name), async move {
                    let needs = needs_own_layer(req.method(), req.uri().path());
                    let account = match with_own_layer(&state, account, needs).await {
                        Ok(account) => account,
                        Err(e) => return e.into_response(),
                    };
                    req.extensions_mut().insert(CurrentAccount(account));
                    next.run(req).await
                })
                .await
        }
        Ok(None) => anonymous(&req),
        Err(e) => e.into_response(),
    }
}

/// Returns the account with its coder, which an owner (or a coder whose
/// coder went missing) gets on first need: a write to their own layer
/// (a route the policy gives to coders) or the reader, where coding starts.
async fn with_own_layer(
    state: &AppState,
    mut account: SessionAccount,
    needed: bool,
) -> Result<SessionAccount, crate::WebError> {
    if account.coder.is_some() || account.role == Role::Viewer || !needed {
        return Ok(account);
    }
    let name = account.name.clone();
    account.coder = state
        .write(move |store| Ok(store.add_account_coder(&name)?))
        .await?;
    Ok(account)
}

/// Returns true for a request that codes in the caller's own layer: a
/// write the policy gives to coders, or the reader page.
fn needs_own_layer(method: &Method, path: &str) -> bool {
    let write = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if write {
        return crate::roles::required(method, path) == Role::Coder;
    }
    path.strip_prefix("/sources/")
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// Answers a request without a session: 401 for the API, the login page
/// (coming back here after) for pages.
fn anonymous(req: &Request) -> Response {
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        let body = ErrorBody {
            error: crate::i18n::t("refused.log_in_first").into(),
        };
        return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    }
    let back = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    Redirect::to(&format!("/login?next={}", encode_cookie(&back))).into_response()
}

/// Returns `next` when it is a path of this site (never another site:
/// no open redirect), else `/`.
pub fn local_path(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if local { next } else { "/" }
}

/// Returns a redirect to `to` that sets the session cookie (or, with no
/// token, clears it).
pub fn with_session_cookie(to: &str, token: Option<&str>) -> Response {
    let mut response = Redirect::to(to).into_response();
    let value = match token {
        Some(token) => format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_LIFE_SECS}"
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_come_back_after_login() {
        assert_eq!(local_path("/sources/3?x=1"), "/sources/3?x=1");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "",
            "/a\nb",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn the_own_layer_is_needed_to_code_and_in_the_reader_only() {
        assert!(needs_own_layer(&Method::POST, "/api/codings"));
        assert!(needs_own_layer(&Method::POST, "/api/memos"));
        assert!(needs_own_layer(&Method::GET, "/sources/3"));
        assert!(!needs_own_layer(&Method::GET, "/sources"));
        assert!(!needs_own_layer(&Method::GET, "/sources/3/transcribe"));
        assert!(!needs_own_layer(&Method::POST, "/api/reveal"));
        assert!(!needs_own_layer(&Method::POST, "/api/sources"));
        assert!(!needs_own_layer(&Method::GET, "/api/codes"));
    }

    #[test]
    fn public_paths_are_the_login_pages_and_assets_only() {
        assert!(is_public("/login"));
        assert!(is_public("/invite/abc"));
        assert!(is_public("/assets/app.css"));
        for private in [
            "/",
            "/login/x",
            "/api/codes",
            "/accounts",
            "/logout",
            "/invite",
        ] {
            assert!(!is_public(private), "{private}");
        }
    }
}
