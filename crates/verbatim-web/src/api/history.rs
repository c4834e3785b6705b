//! Undo and redo of the acting coder's own changes, from the study's
//! history (the same stack `verbatim undo` uses).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use verbatim_store::Replayed;

use crate::AppState;
use crate::error::ApiResult;
use crate::session::Session;

/// Returns the routes of `/api/undo` and `/api/redo`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/undo", post(undo))
        .route("/api/redo", post(redo))
}

/// What an undo or redo replayed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct History {
    /// The actions replayed, newest first (empty when there was nothing).
    pub replayed: Vec<Step>,
}

/// One action replayed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Step {
    /// The audit entry of the original action.
    pub entry: String,
    /// Its kind (`coding.add`, `code.move`…).
    pub action: String,
    /// The same in words.
    pub description: String,
}

fn steps(replayed: Vec<Replayed>) -> History {
    History {
        replayed: replayed
            .into_iter()
            .map(|r| Step {
                description: crate::pages::home::describe_action(&r.action),
                entry: r.entry,
                action: r.action,
            })
            .collect(),
    }
}

#[utoipa::path(
    post,
    path = "/api/undo",
    tag = "history",
    summary = "Undo the coder's last change",
    responses((status = 200, description = "Success", body = History))
)]
async fn undo(State(state): State<AppState>, session: Session) -> ApiResult<History> {
    let done = state
        .write(move |store| {
            let coder = session.own_scope(store)?.coder().name.clone();
            Ok(store.undo(&coder, 1)?)
        })
        .await?;
    Ok(Json(steps(done)))
}

#[utoipa::path(
    post,
    path = "/api/redo",
    tag = "history",
    summary = "Redo the coder's last undone change",
    responses((status = 200, description = "Success", body = History))
)]
async fn redo(State(state): State<AppState>, session: Session) -> ApiResult<History> {
    let done = state
        .write(move |store| {
            let coder = session.own_scope(store)?.coder().name.clone();
            Ok(store.redo(&coder, 1)?)
        })
        .await?;
    Ok(Json(steps(done)))
}
