//! The source reader: a transcript's turns and notes, the coder's codings
//! painted over them (by `assets/js/reader.js`, in one pass over UTF-16
//! offsets), coding stripes in the margin, and the panel to code, edit and
//! remove.
//!
//! The page carries its data as JSON in `data-` attributes of `#reader`
//! (escaped like any attribute), never in inline script, which the
//! Content-Security-Policy forbids.

use crate::Backend;
use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde::Serialize;
use verbatim_core::OffsetTable;
use verbatim_store::SourceRef;

use crate::api::codings::{WebCode, WebCoding};
use crate::error::PageResult;
use crate::layout::{Nav, Page};
use crate::palette;
use crate::session::Session;
use crate::transcript::{BlockKind, blocks};
use crate::{AppState, WebError};

/// Returns the reader's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/sources/{id}", get(reader))
}

#[derive(Template, WebTemplate)]
#[template(path = "reader.html")]
struct ReaderPage {
    page: Page,
    id: i64,
    name: String,
    kind: String,
    site: String,
    language: String,
    words: usize,
    blocks: Vec<ShownBlock>,
    /// JSON for `reader.js`.
    data: ReaderData,
    coding_enabled: bool,
    /// The source's recording, when it has one (`player.js`).
    media: Option<Player>,
}

/// What the reader's player needs of a recording: `<video>` or `<audio>`
/// (the type comes with the `/media/` answer).
struct Player {
    video: bool,
}

struct ShownBlock {
    is_turn: bool,
    /// `participant`, `interviewer`, `unmapped`, `ambiguous` or `note`.
    role: String,
    label: String,
    /// The participant code the label maps to, when it differs.
    participant: Option<String>,
    time: Option<String>,
    /// When the turn starts in the recording, for `player.js`.
    begin_ms: Option<i64>,
    u16_start: usize,
    u16_end: usize,
    text: String,
}

struct ReaderData {
    codings: String,
    codes: String,
    coders: String,
    me: i64,
}

#[derive(Serialize)]
struct WebCoder {
    id: i64,
    name: String,
    initials: String,
    colour: String,
}

async fn reader(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> PageResult<ReaderPage> {
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
) -> Result<ReaderPage, WebError> {
    let source = store.source(&SourceRef::Id(id))?;
    let mut page = Page::new(
        store,
        session,
        csrf,
        source.summary.name.clone(),
        Nav::Sources,
    )?
    .with_script("reader.js")
    .at(format!("/sources/{id}"));
    let media = store.recording(id)?.map(|r| Player {
        video: r.kind == verbatim_store::MediaKind::Video,
    });
    if media.is_some() {
        page = page.with_script("player.js");
    }
    let begins: HashMap<usize, i64> = source
        .turn_list
        .iter()
        .filter_map(|t| Some((usize::try_from(t.start).ok()?, t.begin_ms?)))
        .collect();
    let table = OffsetTable::new(&source.text);
    let who: HashMap<String, (String, Option<String>)> = store
        .speakers(Some(id))?
        .into_iter()
        .map(|s| (s.label, (s.role, s.participant)))
        .collect();
    let shown = blocks(&source.text, &table, &source.turn_list)
        .into_iter()
        .map(|b| {
            let (is_turn, role, label, participant, time) = match b.kind {
                BlockKind::Turn { label, time } if label.is_empty() => {
                    (true, "segment".into(), label, None, time)
                }
                BlockKind::Turn { label, time } => {
                    let (role, participant) = who
                        .get(&label)
                        .cloned()
                        .unwrap_or_else(|| ("unmapped".into(), None));
                    let participant = participant.filter(|p| *p != label);
                    (true, role, label, participant, time)
                }
                BlockKind::Note => (false, "note".into(), String::new(), None, None),
            };
            ShownBlock {
                begin_ms: if is_turn {
                    begins.get(&b.start).copied()
                } else {
                    None
                },
                is_turn,
                role,
                label,
                participant,
                time,
                u16_start: b.u16_start,
                u16_end: b.u16_end,
                text: b.text,
            }
        })
        .collect();
    // A team account without a coder (a viewer) reads the layers its
    // scope shows, without coding.
    let reads = session.coder.is_some() || session.account.is_some();
    let (data, coding_enabled) = match reads {
        true => (
            reader_data(store, session, id, &source.text, &table)?,
            session.coder.is_some(),
        ),
        false => (
            ReaderData {
                codings: "[]".into(),
                codes: "[]".into(),
                coders: "[]".into(),
                me: 0,
            },
            false,
        ),
    };
    Ok(ReaderPage {
        page,
        id,
        words: source.text.split_whitespace().count(),
        name: source.summary.name,
        kind: source.summary.kind.replace('_', " "),
        site: source.summary.site.unwrap_or_default(),
        language: source.summary.language.unwrap_or_default(),
        blocks: shown,
        data,
        coding_enabled,
        media,
    })
}

fn reader_data(
    store: &dyn Backend,
    session: &Session,
    id: i64,
    text: &str,
    table: &OffsetTable,
) -> Result<ReaderData, WebError> {
    let scope = session.scope(store)?;
    let codings: Vec<WebCoding> = store
        .source_codings(&scope, id)?
        .into_iter()
        .map(|c| WebCoding::of(c, text, table))
        .collect();
    let codes: Vec<WebCode> = store
        .visible_codes(&scope)?
        .into_iter()
        .map(|c| WebCode {
            colour: palette::class_of(c.id),
            id: c.id,
            name: c.name,
            level: c.level,
            owner: c.owner,
            parent: c.parent,
        })
        .collect();
    let coders: Vec<WebCoder> = store
        .coders()?
        .into_iter()
        .filter(|c| scope.sees_all() || c.id == scope.coder().id)
        .map(|c| WebCoder {
            colour: palette::class_of(c.id),
            id: c.id,
            name: c.name,
            initials: c.initials,
        })
        .collect();
    Ok(ReaderData {
        codings: to_json(&codings)?,
        codes: to_json(&codes)?,
        coders: to_json(&coders)?,
        me: scope.coder().id,
    })
}

fn to_json<T: Serialize>(value: &T) -> Result<String, WebError> {
    serde_json::to_string(value)
        .map_err(|e| WebError::Internal(format!("could not write the page's data: {e}")))
}
