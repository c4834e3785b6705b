//! The owner's accounts page (team mode): the accounts with their roles,
//! and forms to add one, change a role, remove one, or create a one-time
//! invitation link to copy. Plain HTML forms (no script needed); each
//! answers with the page again and one sentence saying what happened or
//! why nothing did. The same operations are under `/api/accounts`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use verbatim_store::{Account, INVITATION_LIFE_SECS, MIN_PASSWORD_CHARS};

use crate::api::accounts::{create_invitation, parse_role};
use crate::error::PageResult;
use crate::layout::{Nav, Page};
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the accounts page and its forms' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(accounts_page))
        .route("/accounts/add", post(add))
        .route("/accounts/role", post(change_role))
        .route("/accounts/remove", post(remove))
        .route("/accounts/invite", post(invite))
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts.html")]
struct AccountsPage {
    page: Page,
    accounts: Vec<Account>,
    roles: [&'static str; 3],
    message: Option<String>,
    invitation: Option<String>,
    invitation_days: i64,
    min_password: usize,
}

/// Renders the page, with what the last form did.
async fn render(
    state: &AppState,
    session: Session,
    message: Option<String>,
    invitation: Option<String>,
) -> Result<AccountsPage, WebError> {
    let csrf = state.csrf().to_owned();
    state
        .read(move |store| {
            let page = Page::new(store, &session, &csrf, "Accounts", Nav::Home)?.at("/accounts");
            Ok(AccountsPage {
                page,
                accounts: store.accounts()?,
                roles: ["owner", "coder", "viewer"],
                message,
                invitation,
                invitation_days: INVITATION_LIFE_SECS / 86_400,
                min_password: MIN_PASSWORD_CHARS,
            })
        })
        .await
}

async fn accounts_page(
    State(state): State<AppState>,
    session: Session,
) -> PageResult<AccountsPage> {
    Ok(render(&state, session, None, None).await?)
}

/// Answers a form: the page with the sentence, under the error's status
/// when the change was refused.
async fn answer(
    state: &AppState,
    session: Session,
    outcome: Result<String, WebError>,
) -> PageResult<Response> {
    let (status, message) = match outcome {
        Ok(message) => (StatusCode::OK, message),
        Err(e) => (e.status(), e.to_string()),
    };
    let page = render(state, session, Some(message), None).await?;
    Ok((status, page).into_response())
}

#[derive(Deserialize)]
struct AddForm {
    name: String,
    role: String,
    password: String,
}

async fn add(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<AddForm>,
) -> PageResult<Response> {
    let actor = session.actor();
    let outcome = match parse_role(&form.role) {
        Ok(role) => {
            state
                .write(move |store| {
                    let a = store.add_account(&actor, &form.name, role, &form.password)?;
                    Ok(format!("Added {} ({}).", a.name, a.role))
                })
                .await
        }
        Err(e) => Err(e),
    };
    answer(&state, session, outcome).await
}

#[derive(Deserialize)]
struct RoleForm {
    name: String,
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<RoleForm>,
) -> PageResult<Response> {
    let actor = session.actor();
    let outcome = match parse_role(&form.role) {
        Ok(role) => {
            state
                .write(move |store| {
                    store.set_account_role(&actor, &form.name, role)?;
                    Ok(format!("{} is now {role}.", form.name.trim()))
                })
                .await
        }
        Err(e) => Err(e),
    };
    answer(&state, session, outcome).await
}

#[derive(Deserialize)]
struct NameForm {
    name: String,
}

async fn remove(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<NameForm>,
) -> PageResult<Response> {
    let actor = session.actor();
    let outcome = state
        .write(move |store| {
            store.remove_account(&actor, &form.name)?;
            Ok(format!(
                "Removed {}: they can no longer log in; their coding stays.",
                form.name.trim()
            ))
        })
        .await;
    answer(&state, session, outcome).await
}

async fn invite(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<RoleForm>,
) -> PageResult<Response> {
    match create_invitation(&state, &session, form.name, &form.role).await {
        Ok(path) => {
            let page = render(&state, session, None, Some(path)).await?;
            Ok(page.into_response())
        }
        Err(e) => answer(&state, session, Err(e)).await,
    }
}
