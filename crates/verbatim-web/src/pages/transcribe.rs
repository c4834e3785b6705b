//! The transcription view: type a source's turns while its recording plays.
//!
//! Many teams transcribe inside their analysis tool, going back and forth
//! in the recording. `/sources/{id}/transcribe` shows the player, the turns
//! typed so far and a line for the next one; `assets/js/transcribe.js`
//! gives the keys (play/pause, back and forward 3 s, mark the current time,
//! speaker labels) and saves each turn with `POST /api/sources/{id}/turns`
//! (`api::turns`)
//! as soon as Enter is pressed. Each save is one undoable action in the
//! store (`SqliteStore::append_turn`), which appends `SPEAKER : text` to the
//! source's text with the turn's start time, so a partial transcript grows
//! without moving the codings it already has.

use crate::Backend;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde::Serialize;
use verbatim_store::SourceRef;

use crate::error::PageResult;
use crate::layout::{Nav, Page};
use crate::session::Session;
use crate::transcript::clock;
use crate::{AppState, WebError};

/// How many speaker labels the page offers on keys (Ctrl+Shift+1 to 9).
const LABEL_KEYS: usize = 9;

/// Labels offered when the study has none yet.
const DEFAULT_LABELS: [&str; 2] = ["INT", "P1"];

/// Returns the page's route (the turns are saved by `api::turns`).
pub fn routes() -> Router<AppState> {
    Router::new().route("/sources/{id}/transcribe", get(page))
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
    store: &dyn Backend,
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
fn offered_labels(store: &dyn Backend, id: i64) -> Result<Vec<String>, WebError> {
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
