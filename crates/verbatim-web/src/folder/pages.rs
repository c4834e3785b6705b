//! The folder server's own pages: the start page (the studies, team
//! mode's login, the form creating a study), opening a study, logging in
//! to one, creating one.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;

use super::{Folder, Listed, NewStudy, into_study};
use crate::auth::{ClientAddr, local_path};
use crate::auth_pages::{Refused, attempt_login};
use crate::blocking::off_runtime;
use crate::error::PageResult;
use crate::{WebError, auth_limit, i18n};

#[derive(Template)]
#[template(path = "studies.html")]
struct StartPage {
    lang: i18n::Lang,
    team: bool,
    /// The studies are a PostgreSQL database's, not files.
    database: bool,
    studies: Vec<Listed>,
    csrf: String,
    message: Option<String>,
    next: Option<String>,
    /// The study the login form has chosen.
    chosen: Option<String>,
}

impl StartPage {
    async fn new(folder: &Folder, message: Option<String>) -> Result<Self, WebError> {
        Ok(StartPage {
            lang: i18n::Lang::current(),
            team: folder.team,
            database: folder.shelf().is_database(),
            studies: folder.listed().await?,
            csrf: folder.secrets.csrf().to_owned(),
            message,
            next: None,
            chosen: None,
        })
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

/// Answers with the start page showing `message`.
async fn refused(folder: &Folder, status: StatusCode, message: String) -> PageResult<Response> {
    Ok(StartPage::new(folder, Some(message)).await?.answer(status))
}

#[derive(Deserialize)]
pub(super) struct StartQuery {
    next: Option<String>,
    study: Option<String>,
}

pub(super) async fn start(
    State(folder): State<Arc<Folder>>,
    Query(q): Query<StartQuery>,
) -> PageResult<Response> {
    let mut page = StartPage::new(&folder, None).await?;
    page.next = q.next.map(|n| local_path(&n).to_owned());
    page.chosen = q.study;
    Ok(page.answer(StatusCode::OK))
}

pub(super) async fn login_page(
    State(folder): State<Arc<Folder>>,
    query: Query<StartQuery>,
) -> PageResult<Response> {
    if !folder.team {
        return Ok(Redirect::to("/studies").into_response());
    }
    start(State(folder), query).await
}

#[derive(Deserialize)]
pub(super) struct OpenQuery {
    study: String,
}

/// Makes the study the browser's (its login comes next in team mode).
pub(super) async fn open(
    State(folder): State<Arc<Folder>>,
    Query(q): Query<OpenQuery>,
) -> PageResult<Response> {
    let name = folder.shelf().checked_name(q.study.trim())?;
    if !folder.names().await?.iter().any(|n| n == name) {
        let message = unknown(&folder, name);
        return refused(&folder, StatusCode::NOT_FOUND, message).await;
    }
    Ok(into_study(name, None, "/"))
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    study: String,
    name: String,
    password: String,
    next: Option<String>,
}

pub(super) async fn login(
    State(folder): State<Arc<Folder>>,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<LoginForm>,
) -> PageResult<Response> {
    if !folder.team {
        return Ok(Redirect::to("/studies").into_response());
    }
    let next = form.next.as_deref().map(|n| local_path(n).to_owned());
    let study = form.study.trim();
    let served = match folder.shelf().checked_name(study) {
        Ok(name) if folder.names().await?.iter().any(|n| n == name) => folder.open(name).await?,
        _ => {
            let message = unknown(&folder, study);
            return refused(&folder, StatusCode::NOT_FOUND, message).await;
        }
    };
    match attempt_login(&served.state, &form.name, form.password, addr).await? {
        Ok(token) => Ok(into_study(
            study,
            Some(&token),
            next.as_deref().unwrap_or("/"),
        )),
        Err(why) => {
            let mut page = StartPage::new(&folder, Some(why.message())).await?;
            page.next = next;
            page.chosen = Some(study.to_owned());
            Ok(page.answer(why.status()))
        }
    }
}

#[derive(Deserialize)]
pub(super) struct CreateForm {
    name: String,
    title: Option<String>,
    /// Team mode: an owner of one of the folder's studies.
    account: Option<String>,
    password: Option<String>,
}

/// Creates a study from the start page's form and opens it.
pub(super) async fn create(
    State(folder): State<Arc<Folder>>,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<CreateForm>,
) -> PageResult<Response> {
    let name = form.name.trim();
    if let Err(e) = folder.shelf().checked_name(name) {
        return refused(&folder, StatusCode::BAD_REQUEST, e.to_string()).await;
    }
    let (shelf, asked) = (folder.shelf().clone(), name.to_owned());
    if off_runtime("a study operation", move || shelf.exists(&asked)).await? {
        let message = if folder.shelf().is_database() {
            i18n::tf("studies.exists_db", &[("name", name)])
        } else {
            i18n::tf("studies.exists", &[("name", name)])
        };
        return refused(&folder, StatusCode::CONFLICT, message).await;
    }
    let title = form
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(name)
        .to_owned();
    let owner = if folder.team {
        let account = form.account.as_deref().unwrap_or("").trim().to_owned();
        let password = form.password.unwrap_or_default();
        match owner_of_the_folder(&folder, &account, &password, addr).await? {
            Ok(hash) => Some((account, hash)),
            Err((status, message)) => return refused(&folder, status, message).await,
        }
    } else {
        None
    };
    let new = NewStudy {
        name: name.to_owned(),
        title,
        owner,
    };
    let account = new.owner.as_ref().map(|(a, _)| a.clone());
    let served = match folder.create(new, addr).await {
        Ok(served) => served,
        Err(e) => return refused(&folder, e.status(), e.to_string()).await,
    };
    let token = match account {
        Some(account) => Some(
            served
                .state
                .write(move |store| Ok(store.open_session(&account)?))
                .await?,
        ),
        None => None,
    };
    Ok(into_study(name, token.as_deref(), "/"))
}

/// Returns the password hash of `account` when it owns a study of the
/// folder and `password` is theirs, else the refusal to show; failures
/// count towards the login limits.
async fn owner_of_the_folder(
    folder: &Folder,
    account: &str,
    password: &str,
    addr: Option<std::net::IpAddr>,
) -> Result<Result<String, (StatusCode, String)>, WebError> {
    let keys = auth_limit::keys(account, addr);
    if let Some(wait) = folder.secrets.logins().blocked(&keys) {
        let why = Refused::Limited(wait.as_secs().div_ceil(60).max(1));
        return Ok(Err((why.status(), why.message())));
    }
    match folder.owner_hash(account, password).await? {
        Some(hash) => Ok(Ok(hash)),
        None => {
            folder.secrets.logins().failed(&keys);
            let message = if folder.shelf().is_database() {
                i18n::t("studies.not_owner_db")
            } else {
                i18n::t("studies.not_owner")
            };
            Ok(Err((StatusCode::UNAUTHORIZED, message.to_owned())))
        }
    }
}

/// Returns the sentence saying there is no study `name` here.
fn unknown(folder: &Folder, name: &str) -> String {
    if folder.shelf().is_database() {
        i18n::tf("studies.unknown_db", &[("name", name)])
    } else {
        i18n::tf("studies.unknown", &[("name", name)])
    }
}
