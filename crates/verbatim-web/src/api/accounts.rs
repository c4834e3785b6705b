//! Accounts and invitations over HTTP (team mode, owner only: see
//! [`crate::roles`]): list, add with a role and password, change a role,
//! remove, and create a one-time invitation link. Each call is the store's
//! own account operation, audited under the owner's account.

use axum::extract::{Path, State};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_store::{Account, Role};

use crate::error::ApiResult;
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the routes of `/api/accounts` and `/api/invitations`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/accounts", get(list).post(add))
        .route("/api/accounts/{name}", patch(change_role).delete(remove))
        .route("/api/invitations", post(invite))
}

/// Parses a role typed in a form or a request.
pub fn parse_role(role: &str) -> Result<Role, WebError> {
    Ok(role.parse::<Role>()?)
}

#[utoipa::path(
    get,
    path = "/api/accounts",
    tag = "accounts",
    summary = "List the study's accounts and their roles (team mode)",
    responses((status = 200, description = "Success", body = Vec<Account>))
)]
pub(crate) async fn list(State(state): State<AppState>) -> ApiResult<Vec<Account>> {
    Ok(Json(state.read(|store| Ok(store.accounts()?)).await?))
}

/// A new account.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = accounts::NewAccount)]
pub struct NewAccount {
    /// Its name.
    pub name: String,
    /// owner, coder or viewer.
    pub role: String,
    /// Its password (at least 8 characters).
    pub password: String,
}

#[utoipa::path(
    post,
    path = "/api/accounts",
    tag = "accounts",
    summary = "Add an account with a role and a password (as `verbatim account add`)",
    request_body = NewAccount,
    responses((status = 200, description = "Success", body = Account))
)]
pub(crate) async fn add(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<NewAccount>,
) -> ApiResult<Account> {
    let role = parse_role(&body.role)?;
    let actor = session.actor();
    let account = state
        .write(move |store| Ok(store.add_account(&actor, &body.name, role, &body.password)?))
        .await?;
    Ok(Json(account))
}

/// A role change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = accounts::RoleChange)]
pub struct RoleChange {
    /// owner, coder or viewer.
    pub role: String,
}

/// What a change did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = accounts::Done)]
pub struct Done {
    /// Always true: failures answer with an error instead.
    pub ok: bool,
}

#[utoipa::path(
    patch,
    path = "/api/accounts/{name}",
    tag = "accounts",
    summary = "Change an account's role (the last owner stays an owner)",
    params(("name" = String, Path, description = "The account's name.")),
    request_body = RoleChange,
    responses((status = 200, description = "Success", body = Done))
)]
pub(crate) async fn change_role(
    State(state): State<AppState>,
    session: Session,
    Path(name): Path<String>,
    Json(body): Json<RoleChange>,
) -> ApiResult<Done> {
    let role = parse_role(&body.role)?;
    let actor = session.actor();
    state
        .write(move |store| Ok(store.set_account_role(&actor, &name, role)?))
        .await?;
    Ok(Json(Done { ok: true }))
}

#[utoipa::path(
    delete,
    path = "/api/accounts/{name}",
    tag = "accounts",
    summary = "Remove an account: it can no longer log in (the last owner stays)",
    params(("name" = String, Path, description = "The account's name.")),
    responses((status = 200, description = "Success", body = Done))
)]
pub(crate) async fn remove(
    State(state): State<AppState>,
    session: Session,
    Path(name): Path<String>,
) -> ApiResult<Done> {
    let actor = session.actor();
    state
        .write(move |store| Ok(store.remove_account(&actor, &name)?))
        .await?;
    Ok(Json(Done { ok: true }))
}

/// Who an invitation is for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = accounts::NewInvitation)]
pub struct NewInvitation {
    /// The account it creates.
    pub name: String,
    /// owner, coder or viewer.
    pub role: String,
}

/// A created invitation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = accounts::Invited)]
pub struct Invited {
    /// The one-time path to send, after the server's address:
    /// `/invite/TOKEN` (`?study=NAME` on a folder server).
    pub path: String,
}

/// Creates an invitation and returns its one-time path.
pub async fn create_invitation(
    state: &AppState,
    session: &Session,
    name: String,
    role: &str,
) -> Result<String, WebError> {
    let role = parse_role(role)?;
    let actor = session.actor();
    let token = state
        .write(move |store| Ok(store.invite(&actor, &name, role)?))
        .await?;
    // On a folder server the link names its study, which the server
    // cannot otherwise tell from the token.
    Ok(match &state.config().folder {
        Some(study) => format!("/invite/{token}?study={study}"),
        None => format!("/invite/{token}"),
    })
}

#[utoipa::path(
    post,
    path = "/api/invitations",
    tag = "accounts",
    summary = "Create a one-time invitation link for a new account",
    request_body = NewInvitation,
    responses((status = 200, description = "Success", body = Invited))
)]
pub(crate) async fn invite(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<NewInvitation>,
) -> ApiResult<Invited> {
    let path = create_invitation(&state, &session, body.name, &body.role).await?;
    Ok(Json(Invited { path }))
}
