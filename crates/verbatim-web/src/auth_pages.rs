//! The pages of team mode that need no session: logging in (`/login`),
//! accepting an invitation (`/invite/{token}`), and logging out.
//!
//! The login form posts `name` and `password` (and the page's CSRF token,
//! as every form does). The password is checked outside the lock on the
//! study (Argon2id takes tens of milliseconds), an unknown name against a
//! dummy hash so it takes as long; failures are counted per name and per
//! client address ([`crate::auth_limit`]), and past the limit the answer
//! is 429 with a sentence. A success opens a session and sets the
//! `vb_session` cookie ([`crate::auth`]). Without `--team` these pages
//! answer 404: the local server has no accounts.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::net::IpAddr;

use verbatim_store::{LoginEvent, MIN_PASSWORD_CHARS};

use crate::auth::{ClientAddr, SESSION_COOKIE, local_path, with_session_cookie};
use crate::error::PageResult;
use crate::security::cookie;
use crate::{AppState, WebError, auth_limit, i18n};

/// Returns the login, logout and invitation routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/invite/{token}", get(invite_page).post(accept))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    study: String,
    heading: String,
    message: Option<String>,
    action: String,
    csrf: String,
    next: Option<String>,
    /// The invited account's name (invitation form only).
    name: Option<String>,
    role: Option<String>,
    min_password: usize,
    button: &'static str,
    lang: i18n::Lang,
}

impl LoginPage {
    async fn login(state: &AppState, next: Option<String>, message: Option<String>) -> Self {
        LoginPage {
            study: study_title(state).await,
            heading: i18n::t("login.heading").into(),
            message,
            action: "/login".into(),
            csrf: state.csrf().to_owned(),
            next,
            name: None,
            role: None,
            min_password: MIN_PASSWORD_CHARS,
            button: i18n::t("login.button"),
            lang: i18n::Lang::current(),
        }
    }

    /// Returns the words of `key` in the page's language.
    fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    fn answer(&self, status: StatusCode) -> Response {
        match self.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                WebError::Internal(format!("the page could not be drawn: {e}")).into_response()
            }
        }
    }
}

/// Returns the study's title, or nothing when it cannot be read.
async fn study_title(state: &AppState) -> String {
    state
        .read(|store| Ok(store.study()?.title))
        .await
        .unwrap_or_default()
}

/// Refuses the account pages on a local server.
fn team_only(state: &AppState) -> Result<(), WebError> {
    if state.config().team {
        Ok(())
    } else {
        Err(WebError::NotFound(i18n::t("refused.no_accounts").into()))
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
) -> PageResult<Response> {
    team_only(&state)?;
    let next = q.next.map(|n| local_path(&n).to_owned());
    Ok(LoginPage::login(&state, next, None)
        .await
        .answer(StatusCode::OK))
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<LoginForm>,
) -> PageResult<Response> {
    team_only(&state)?;
    let next = form.next.as_deref().map(|n| local_path(n).to_owned());
    match attempt_login(&state, &form.name, form.password, addr).await? {
        Ok(token) => Ok(with_session_cookie(
            next.as_deref().unwrap_or("/"),
            Some(&token),
        )),
        Err(refused) => {
            let page = LoginPage::login(&state, next, Some(refused.message())).await;
            Ok(page.answer(refused.status()))
        }
    }
}

/// Why a login opened no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Too many failures for the name or from the address: wait this many
    /// minutes.
    Limited(u64),
    /// A wrong name or password.
    Wrong,
}

impl Refused {
    /// Returns the sentence the login form shows, in the page's language.
    pub fn message(self) -> String {
        match self {
            Refused::Limited(minutes) => {
                i18n::tf("login.limited", &[("minutes", &minutes.to_string())])
            }
            Refused::Wrong => i18n::t("login.wrong").to_owned(),
        }
    }

    /// Returns the status the form is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            Refused::Limited(_) => StatusCode::TOO_MANY_REQUESTS,
            Refused::Wrong => StatusCode::UNAUTHORIZED,
        }
    }
}

/// Checks `name` and `password` against the study of `state`, within the
/// failed-login limits, records the attempt in the login log, and opens a
/// session on success (returning its token).
pub async fn attempt_login(
    state: &AppState,
    name: &str,
    password: String,
    addr: Option<IpAddr>,
) -> Result<Result<String, Refused>, WebError> {
    let keys = auth_limit::keys(name, addr);
    let name = name.trim().to_owned();
    if let Some(wait) = state.logins().blocked(&keys) {
        record(state, &name, LoginEvent::Failed, addr).await?;
        return Ok(Err(Refused::Limited(wait.as_secs().div_ceil(60).max(1))));
    }
    let stored = {
        let name = name.clone();
        state
            .read(move |store| Ok(store.login_hash(&name)?))
            .await?
    };
    let matches = tokio::task::spawn_blocking(move || {
        verbatim_store::password_matches(&password, stored.as_deref())
    })
    .await
    .map_err(|e| WebError::Internal(format!("the password check stopped: {e}")))?;
    if !matches {
        state.logins().failed(&keys);
        record(state, &name, LoginEvent::Failed, addr).await?;
        return Ok(Err(Refused::Wrong));
    }
    let address = addr.map(|a| a.to_string());
    let token = state
        .write(move |store| {
            let token = store.open_session(&name)?;
            store.record_login(&name, LoginEvent::Login, address.as_deref())?;
            Ok(token)
        })
        .await?;
    Ok(Ok(token))
}

/// Records one login event of `name` from `addr`.
async fn record(
    state: &AppState,
    name: &str,
    event: LoginEvent,
    addr: Option<IpAddr>,
) -> Result<(), WebError> {
    let name = name.to_owned();
    let address = addr.map(|a| a.to_string());
    state
        .write(move |store| Ok(store.record_login(&name, event, address.as_deref())?))
        .await
}

async fn logout(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: axum::http::HeaderMap,
) -> PageResult<Response> {
    team_only(&state)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE).map(str::to_owned) {
        let address = addr.map(|a| a.to_string());
        state
            .write(move |store| {
                if let Some(account) = store.session(&token)? {
                    store.record_login(&account.name, LoginEvent::Logout, address.as_deref())?;
                }
                Ok(store.close_session(&token)?)
            })
            .await?;
    }
    Ok(with_session_cookie("/login", None))
}

async fn invite_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> PageResult<Response> {
    team_only(&state)?;
    let invitation = {
        let token = token.clone();
        state
            .read(move |store| Ok(store.invitation(&token)?))
            .await?
    };
    let page = LoginPage {
        heading: i18n::t("login.join").into(),
        action: format!("/invite/{token}"),
        name: Some(invitation.name),
        role: Some(invitation.role.to_string()),
        button: i18n::t("login.join_button"),
        ..LoginPage::login(&state, None, None).await
    };
    Ok(page.answer(StatusCode::OK))
}

#[derive(Deserialize)]
struct AcceptForm {
    password: String,
}

async fn accept(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    Form(form): Form<AcceptForm>,
) -> PageResult<Response> {
    team_only(&state)?;
    let address = addr.map(|a| a.to_string());
    let session = state
        .write(move |store| {
            let name = store.invitation(&token)?.name;
            let session = store.accept_invitation(&token, &form.password)?;
            store.record_login(&name, LoginEvent::Invitation, address.as_deref())?;
            Ok(session)
        })
        .await?;
    Ok(with_session_cookie("/", Some(&session)))
}
