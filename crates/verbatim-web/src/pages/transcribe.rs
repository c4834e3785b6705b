//! The transcription view: type a source's turns while its recording plays.
//!
//! Many teams transcribe inside their analysis tool, going back and forth
//! in the recording. `/sources/{id}/transcribe` shows the player, the turns
//! typed so far and a line for the next one; `assets/js/transcribe.js`
//! gives the keys (play/pause, back and forward 3 s, mark the current time,
//! speaker labels) and saves each turn with `POST /api/sources/{id}/turns`
//! as soon as Enter is pressed. Each save is one undoable action in the
//! store (`SqliteStore::append_turn`), which appends `SPEAKER : text` to the
//! source's text with the turn's start time, so a partial transcript grows
//! without moving the codings it already has.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_store::{SourceRef, SqliteStore, Store, TypedTurn};

use crate::error::{ApiResult, PageResult};
use crate::layout::{Nav, Page};
use crate::session::Session;
use crate::transcript::clock;
use crate::{AppState, WebError};

/// How many speaker labels the page offers on keys (Ctrl+Shift+1 to 9).
const LABEL_KEYS: usize = 9;

/// Labels offered when the study has none yet.
const DEFAULT_LABELS: [&str; 2] = ["INT", "P1"];

/// Returns the page's route and the API route saving a turn.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sources/{id}/transcribe", get(page))
        .route("/api/sources/{id}/turns", post(append))
}

#[derive(Template, WebTemplate)]
#[template(path = "transcribe.html")]
struct TranscribePage {
    page: Page,
    id: i64,
    name: String,
    video: bool,
    /// The recording's length, `m:ss`, when known.
    duration: Option<String>,
    turns: Vec<ShownTurn>,
    /// The speaker labels offered on Ctrl+Shift+1 to 9, in key order.
    labels: Vec<String>,
    /// The same, as JSON for `transcribe.js`.
    labels_json: String,
    coding_enabled: bool,
}

/// A turn typed so far, as the page lists it.
#[derive(Debug, Clone, Serialize)]
struct ShownTurn {
    speaker: String,
    begin_ms: Option<i64>,
    time: Option<String>,
    text: String,
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> PageResult<TranscribePage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .read(move |store| build(store, &session, &csrf, id))
        .await?)
}

fn build(
    store: &SqliteStore,
    session: &Session,
    csrf: &str,
    id: i64,
) -> Result<TranscribePage, WebError> {
    let source = store.source(&SourceRef::Id(id))?;
    let name = source.summary.name.clone();
    let recording = store.recording(id)?.ok_or_else(|| {
        WebError::NotFound(format!(
            "source {name:?} has no recording to transcribe: attach one with `verbatim media attach {name:?} FILE`"
        ))
    })?;
    let page = Page::new(
        store,
        session,
        csrf,
        format!("Transcribe {name}"),
        Nav::Sources,
    )?
    .with_script("transcribe.js")
    .at(format!("/sources/{id}/transcribe"));
    let chars: Vec<char> = source.text.chars().collect();
    let slice = |a: i64, b: i64| -> String {
        let (a, b) = (
            usize::try_from(a).unwrap_or(0).min(chars.len()),
            usize::try_from(b).unwrap_or(0).min(chars.len()),
        );
        chars[a..b.max(a)].iter().collect()
    };
    let turns = source
        .turn_list
        .iter()
        .map(|t| ShownTurn {
            speaker: t.speaker.clone().unwrap_or_default(),
            begin_ms: t.begin_ms,
            time: t.begin_ms.map(clock),
            text: slice(t.start, t.end),
        })
        .collect();
    let labels = offered_labels(store, id)?;
    Ok(TranscribePage {
        page,
        id,
        name,
        video: recording.kind == verbatim_store::MediaKind::Video,
        duration: recording
            .duration_ms
            .and_then(|d| i64::try_from(d).ok())
            .map(clock),
        turns,
        labels_json: serde_json::to_string(&labels)
            .map_err(|e| WebError::Internal(e.to_string()))?,
        labels,
        coding_enabled: session.coder.is_some(),
    })
}

/// The labels offered on keys: the source's own, in order of first turn,
/// then the study's others, most turns first; the defaults when the study
/// has none.
fn offered_labels(store: &SqliteStore, id: i64) -> Result<Vec<String>, WebError> {
    let mut own = store.speakers(Some(id))?;
    own.sort_by_key(|s| s.first_turn);
    let mut all = store.speakers(None)?;
    all.sort_by_key(|s| std::cmp::Reverse(s.turns));
    let mut labels: Vec<String> = Vec::new();
    for label in own.into_iter().chain(all).map(|s| s.label) {
        if !label.is_empty() && !labels.contains(&label) {
            labels.push(label);
        }
    }
    if labels.is_empty() {
        labels = DEFAULT_LABELS.iter().map(|l| (*l).to_owned()).collect();
    }
    labels.truncate(LABEL_KEYS);
    Ok(labels)
}

/// `POST /api/sources/{id}/turns`: a typed turn.
#[derive(Debug, Deserialize)]
struct TurnBody {
    speaker: String,
    begin_ms: u64,
    text: String,
}

/// The saved turn, as the page lists it.
#[derive(Debug, Serialize)]
struct SavedTurn {
    ordinal: i64,
    speaker: String,
    begin_ms: i64,
    time: String,
    text: String,
}

async fn append(
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
