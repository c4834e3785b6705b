//! The reflexive journal and memos over HTTP, through the same store
//! functions as `verbatim journal` and `verbatim memo`: write entries,
//! seal preconceptions (the SHA-256 and time are returned and shown),
//! link entries to themes; list, write, edit and delete memos on the
//! study, a source, a participant, a code or a coding.
//!
//! Entries and memos belong to their coder's layer: one sees one's own,
//! and every coder's once the study is revealed; only one's own can be
//! changed (the store refuses the rest).

use axum::extract::{Path, Query, State};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_store::{EntryKind, JournalEntry, Memo, MemoFilter, MemoTarget, Relation};

use crate::error::ApiResult;
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the routes of `/api/journal` and `/api/memos`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/journal", get(entries).post(add_entry))
        .route("/api/journal/{id}", patch(edit_entry))
        .route("/api/journal/{id}/seal", post(seal))
        .route("/api/journal/{id}/links", post(link))
        .route("/api/memos", get(memos).post(add_memo))
        .route("/api/memos/{id}", patch(edit_memo).delete(delete_memo))
}

#[utoipa::path(
    get,
    path = "/api/journal",
    tag = "journal and memos",
    summary = "Journal entries the coder sees",
    responses((status = 200, description = "Success", body = Vec<JournalEntry>))
)]
async fn entries(State(state): State<AppState>, session: Session) -> ApiResult<Vec<JournalEntry>> {
    let list = state
        .read(move |store| Ok(store.entries(&session.scope(store)?)?))
        .await?;
    Ok(Json(list))
}

/// Returns one entry the session sees.
fn entry(store: &dyn crate::Backend, session: &Session, id: i64) -> Result<JournalEntry, WebError> {
    store
        .entries(&session.scope(store)?)?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| WebError::NotFound(format!("no journal entry {id} among yours")))
}

/// A new journal entry.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct NewEntry {
    /// `note` or `preconception`.
    kind: String,
    title: String,
    body: String,
}

#[utoipa::path(
    post,
    path = "/api/journal",
    tag = "journal and memos",
    summary = "Write a journal entry",
    request_body = NewEntry,
    responses((status = 200, description = "Success", body = JournalEntry))
)]
async fn add_entry(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<NewEntry>,
) -> ApiResult<JournalEntry> {
    let kind = EntryKind::parse(&body.kind)?;
    let created = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            let id = store.add_entry(&scope, kind, &body.title, &body.body)?;
            entry(store, &session, id)
        })
        .await?;
    Ok(Json(created))
}

/// Changes to an unsealed entry.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct EntryEdit {
    title: Option<String>,
    body: Option<String>,
}

#[utoipa::path(
    patch,
    path = "/api/journal/{id}",
    tag = "journal and memos",
    summary = "Change an unsealed entry",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = EntryEdit,
    responses((status = 200, description = "Success", body = JournalEntry))
)]
async fn edit_entry(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<EntryEdit>,
) -> ApiResult<JournalEntry> {
    let edited = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            store.edit_entry(&scope, id, body.title.as_deref(), body.body.as_deref())?;
            entry(store, &session, id)
        })
        .await?;
    Ok(Json(edited))
}

/// What sealing recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Sealed {
    /// The entry, now sealed.
    entry: JournalEntry,
    /// The seal's SHA-256 (hex).
    hash: String,
}

#[utoipa::path(
    post,
    path = "/api/journal/{id}/seal",
    tag = "journal and memos",
    summary = "Seal a preconception (SHA-256 and time; not undoable)",
    params(("id" = i64, Path, description = "The object's id.")),
    responses((status = 200, description = "Success", body = Sealed))
)]
async fn seal(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Sealed> {
    let sealed = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            let hash = store.seal(&scope, id)?;
            Ok(Sealed {
                entry: entry(store, &session, id)?,
                hash,
            })
        })
        .await?;
    Ok(Json(sealed))
}

/// A link from an entry to a code.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct LinkBody {
    code_id: i64,
    /// `expected`, `emerged`, `absent` or `reversed`.
    relation: String,
}

#[utoipa::path(
    post,
    path = "/api/journal/{id}/links",
    tag = "journal and memos",
    summary = "Link an entry to a code",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = LinkBody,
    responses((status = 200, description = "Success", body = JournalEntry))
)]
async fn link(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<LinkBody>,
) -> ApiResult<JournalEntry> {
    let relation = Relation::parse(&body.relation)?;
    let linked = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            store.link_entry(&scope, id, body.code_id, relation)?;
            entry(store, &session, id)
        })
        .await?;
    Ok(Json(linked))
}

/// Which memos to list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemoQuery {
    /// Only memos about this kind of target (`source`, `code`…).
    #[serde(default)]
    pub kind: Option<String>,
    /// Only memos whose title or text holds this (case and accents
    /// ignored).
    #[serde(default)]
    pub q: Option<String>,
}

impl MemoQuery {
    /// Returns the store's filter for this query.
    pub fn filter(&self) -> MemoFilter {
        let filled = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        MemoFilter {
            target_kind: filled(&self.kind),
            target: None,
            text: filled(&self.q),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/memos",
    tag = "journal and memos",
    summary = "Memos the coder sees",
    params(MemoQuery),
    responses((status = 200, description = "Success", body = Vec<Memo>))
)]
async fn memos(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<MemoQuery>,
) -> ApiResult<Vec<Memo>> {
    let list = state
        .read(move |store| Ok(store.memos(&session.scope(store)?, &q.filter())?))
        .await?;
    Ok(Json(list))
}

/// A new memo and what it is about.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct NewMemo {
    /// `study`, `source`, `participant`, `code` or `coding`.
    target_kind: String,
    /// The source, code or coding's id.
    target_id: Option<i64>,
    /// The participant's code.
    participant: Option<String>,
    title: Option<String>,
    body: String,
}

fn target(m: &NewMemo) -> Result<MemoTarget, WebError> {
    let id = || {
        m.target_id.ok_or_else(|| {
            WebError::BadRequest(format!("say which {} the memo is about", m.target_kind))
        })
    };
    Ok(match m.target_kind.as_str() {
        "study" => MemoTarget::Study,
        "source" => MemoTarget::Source(id()?),
        "code" => MemoTarget::Code(id()?),
        "coding" => MemoTarget::Coding(id()?),
        "participant" => MemoTarget::Participant(
            m.participant
                .clone()
                .filter(|p| !p.trim().is_empty())
                .ok_or_else(|| {
                    WebError::BadRequest("say which participant the memo is about".into())
                })?,
        ),
        other => {
            return Err(WebError::BadRequest(format!(
                "a memo is about the study, a source, a participant, a code or a coding, not {other:?}"
            )));
        }
    })
}

/// Returns one memo the session sees.
fn memo(store: &dyn crate::Backend, session: &Session, id: i64) -> Result<Memo, WebError> {
    store
        .memos(&session.scope(store)?, &MemoFilter::default())?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| WebError::NotFound(format!("no memo {id} among those you can see")))
}

#[utoipa::path(
    post,
    path = "/api/memos",
    tag = "journal and memos",
    summary = "Write a memo",
    request_body = NewMemo,
    responses((status = 200, description = "Success", body = Memo))
)]
async fn add_memo(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<NewMemo>,
) -> ApiResult<Memo> {
    let target = target(&body)?;
    let created = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            let id = store.add_memo(&scope, &target, body.title.as_deref(), &body.body)?;
            memo(store, &session, id)
        })
        .await?;
    Ok(Json(created))
}

/// Changes to a memo.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct MemoEdit {
    title: Option<String>,
    body: Option<String>,
}

#[utoipa::path(
    patch,
    path = "/api/memos/{id}",
    tag = "journal and memos",
    summary = "Change one's own memo",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = MemoEdit,
    responses((status = 200, description = "Success", body = Memo))
)]
async fn edit_memo(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<MemoEdit>,
) -> ApiResult<Memo> {
    let edited = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            store.edit_memo(&scope, id, body.title.as_deref(), body.body.as_deref())?;
            memo(store, &session, id)
        })
        .await?;
    Ok(Json(edited))
}

/// The memo deleted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = journal::Deleted)]
struct Deleted {
    deleted: i64,
}

#[utoipa::path(
    delete,
    path = "/api/memos/{id}",
    tag = "journal and memos",
    summary = "Delete one's own memo",
    params(("id" = i64, Path, description = "The object's id.")),
    responses((status = 200, description = "Success", body = Deleted))
)]
async fn delete_memo(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Deleted> {
    state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            Ok(store.delete_memo(&scope, id)?)
        })
        .await?;
    Ok(Json(Deleted { deleted: id }))
}
