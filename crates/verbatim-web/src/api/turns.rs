//! Turns typed in the transcription view (`pages::transcribe`): each
//! `POST /api/sources/{id}/turns` appends one to the source's text with its
//! start in the recording, one undoable action (`SqliteStore::append_turn`).

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_store::TypedTurn;

use crate::error::ApiResult;
use crate::session::Session;
use crate::transcript::clock;
use crate::{AppState, WebError};

/// Returns the route saving a typed turn.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/sources/{id}/turns", post(append))
}

/// `POST /api/sources/{id}/turns`: a typed turn.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct TurnBody {
    /// The speaker's label, as typed.
    speaker: String,
    /// When the turn starts in the recording, in milliseconds.
    begin_ms: u64,
    /// What was said.
    text: String,
}

/// The saved turn, as the page lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SavedTurn {
    /// Its place among the source's turns.
    ordinal: i64,
    /// The speaker's label.
    speaker: String,
    /// When it starts in the recording, in milliseconds.
    begin_ms: i64,
    /// The same start as a clock (`m:ss`).
    time: String,
    /// What was said.
    text: String,
}

#[utoipa::path(
    post,
    path = "/api/sources/{id}/turns",
    tag = "participants and sources",
    summary = "Append a turn typed while listening to the source's recording (one undoable action)",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = TurnBody,
    responses((status = 200, description = "Success", body = SavedTurn))
)]
pub(crate) async fn append(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<TurnBody>,
) -> ApiResult<SavedTurn> {
    let saved = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            if store.recording(id)?.is_none() {
                return Err(WebError::NotFound(format!(
                    "source {id} has no recording: turns are typed against a recording"
                )));
            }
            let turn = TypedTurn {
                speaker: body.speaker,
                begin_ms: body.begin_ms,
                text: body.text,
            };
            let added = store.append_turn(&scope.coder().name, id, &turn)?;
            Ok(SavedTurn {
                ordinal: added.ordinal,
                time: clock(added.begin_ms),
                speaker: added.speaker,
                begin_ms: added.begin_ms,
                text: added.text,
            })
        })
        .await?;
    Ok(Json(saved))
}
