//! Codes over HTTP: the coder's tree, create, rename and describe, move
//! (under another code or among siblings), merge, split (a new sibling
//! takes the passages ticked), delete (its passages go to
//! "Uncategorised" or with it), and every passage of a code across
//! sources. Each change is one undoable action, as on the command line.

use crate::Backend;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_core::OffsetTable;
use verbatim_store::{Book, Cascade, CodeFields, CodeNode, CodingFilter, NewCode};

use crate::api::codings::{WebCode, web_code};
use crate::error::ApiResult;
use crate::offsets::to_utf16;
use crate::palette;
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the routes of `/api/codes`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/codes", get(tree).post(create))
        .route("/api/codes/visible", get(visible))
        .route("/api/codes/{id}", get(one).patch(update).delete(delete))
        .route("/api/codes/{id}/move", post(move_code))
        .route("/api/codes/{id}/merge", post(merge))
        .route("/api/codes/{id}/split", post(split))
        .route("/api/codes/{id}/passages", get(passages))
}

/// The coder's codebook and the shared one, in display order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Trees {
    /// The coder's own codes.
    pub own: Vec<CodeNode>,
    /// The shared codebook.
    pub shared: Vec<CodeNode>,
}

/// Returns both trees of the session's coder.
pub fn trees(store: &dyn Backend, session: &Session) -> Result<Trees, WebError> {
    let scope = session.own_scope(store)?;
    Ok(Trees {
        own: store.code_tree(&scope, Book::Own)?,
        shared: store.code_tree(&scope, Book::Shared)?,
    })
}

/// Returns one code of the session's coder's trees (own or shared).
fn node(store: &dyn Backend, session: &Session, id: i64) -> Result<CodeNode, WebError> {
    let all = trees(store, session)?;
    all.own
        .into_iter()
        .chain(all.shared)
        .find(|n| n.id == id)
        .ok_or_else(|| WebError::NotFound(format!("no code {id} in your codebook")))
}

#[utoipa::path(
    get,
    path = "/api/codes",
    tag = "codes",
    summary = "The coder's codebook and the shared one",
    responses((status = 200, description = "Success", body = Trees))
)]
async fn tree(State(state): State<AppState>, session: Session) -> ApiResult<Trees> {
    Ok(Json(state.read(move |store| trees(store, &session)).await?))
}

#[utoipa::path(
    get,
    path = "/api/codes/visible",
    tag = "codes",
    summary = "Every code the coder sees",
    responses((status = 200, description = "Success", body = Vec<WebCode>))
)]
async fn visible(State(state): State<AppState>, session: Session) -> ApiResult<Vec<WebCode>> {
    let codes = state
        .read(move |store| {
            let scope = session.scope(store)?;
            Ok(store
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
                .collect())
        })
        .await?;
    Ok(Json(codes))
}

#[utoipa::path(
    get,
    path = "/api/codes/{id}",
    tag = "codes",
    summary = "One code with its counts and fields",
    params(("id" = i64, Path, description = "The object's id.")),
    responses((status = 200, description = "Success", body = CodeNode))
)]
async fn one(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<CodeNode> {
    let node = state.read(move |store| node(store, &session, id)).await?;
    Ok(Json(node))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = codes::CreateBody)]
struct CreateBody {
    name: String,
    parent_id: Option<i64>,
    level: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/codes",
    tag = "codes",
    summary = "Add a code to the coder's codebook",
    request_body = CreateBody,
    responses((status = 200, description = "Success", body = WebCode))
)]
async fn create(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<CreateBody>,
) -> ApiResult<WebCode> {
    let code = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            let id = store.add_code(
                &scope,
                &NewCode {
                    name: body.name,
                    level: body.level,
                    parent: body.parent_id,
                    book: Some(Book::Own),
                    fields: CodeFields::default(),
                },
            )?;
            web_code(store, &session, id)
        })
        .await?;
    Ok(Json(code))
}

/// Changes to a code; absent fields stay, empty texts clear.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = codes::UpdateBody)]
struct UpdateBody {
    name: Option<String>,
    level: Option<String>,
    definition: Option<String>,
    inclusion: Option<String>,
    exclusion: Option<String>,
    example: Option<String>,
}

#[utoipa::path(
    patch,
    path = "/api/codes/{id}",
    tag = "codes",
    summary = "Rename a code, change its level, definition or criteria",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = UpdateBody,
    responses((status = 200, description = "Success", body = CodeNode))
)]
async fn update(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<UpdateBody>,
) -> ApiResult<CodeNode> {
    let node = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            let fields = CodeFields {
                colour: None,
                definition: body.definition,
                inclusion: body.inclusion,
                exclusion: body.exclusion,
                example: body.example,
            };
            // Checked before the rename, so a refused field renames nothing.
            verbatim_store::rules::code_fields(&fields)?;
            if let Some(name) = &body.name {
                store.rename_code(&scope, id, name)?;
            }
            store.describe_code(&scope, id, &fields, body.level.as_deref())?;
            node(store, &session, id)
        })
        .await?;
    Ok(Json(node))
}

/// Where a code goes: under `parent_id` (or to the top when absent), at
/// `position` among its new siblings (last when absent).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct MoveBody {
    parent_id: Option<i64>,
    position: Option<i64>,
}

#[utoipa::path(
    post,
    path = "/api/codes/{id}/move",
    tag = "codes",
    summary = "Move a code under another or among its siblings",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = MoveBody,
    responses((status = 200, description = "Success", body = Trees))
)]
async fn move_code(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<MoveBody>,
) -> ApiResult<Trees> {
    let trees = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            store.move_code(&scope, id, body.parent_id, body.position)?;
            trees(store, &session)
        })
        .await?;
    Ok(Json(trees))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct MergeBody {
    into_id: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Merged {
    into_id: i64,
    /// Codings moved onto the remaining code.
    moved: usize,
}

#[utoipa::path(
    post,
    path = "/api/codes/{id}/merge",
    tag = "codes",
    summary = "Merge a code into another",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = MergeBody,
    responses((status = 200, description = "Success", body = Merged))
)]
async fn merge(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<MergeBody>,
) -> ApiResult<Merged> {
    let moved = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            Ok(store.merge_codes(&scope, id, body.into_id)?)
        })
        .await?;
    Ok(Json(Merged {
        into_id: body.into_id,
        moved,
    }))
}

/// What happens to a deleted code's passages: `uncategorised` (they move
/// to the codebook's "Uncategorised" code) or `delete`; absent, a code
/// holding passages is not deleted.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DeleteQuery {
    cascade: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = codes::Deleted)]
struct Deleted {
    deleted: i64,
    /// Its passages, moved or deleted with it.
    codings: usize,
}

#[utoipa::path(
    delete,
    path = "/api/codes/{id}",
    tag = "codes",
    summary = "Delete a code (one undoable action); its children move up",
    params(("id" = i64, Path, description = "The object's id."), DeleteQuery),
    responses((status = 200, description = "Success", body = Deleted))
)]
async fn delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<DeleteQuery>,
) -> ApiResult<Deleted> {
    let cascade = match q.cascade.as_deref() {
        None | Some("") => None,
        Some("uncategorised") => Some(Cascade::Uncategorised),
        Some("delete") => Some(Cascade::Delete),
        Some(other) => {
            return Err(WebError::BadRequest(format!(
                "cascade {other:?} is not known: say uncategorised or delete"
            )));
        }
    };
    let codings = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            Ok(store.delete_code(&scope, id, cascade)?)
        })
        .await?;
    Ok(Json(Deleted {
        deleted: id,
        codings,
    }))
}

/// A split: the new sibling's name and the codings it takes.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct SplitBody {
    name: String,
    coding_ids: Vec<i64>,
}

#[utoipa::path(
    post,
    path = "/api/codes/{id}/split",
    tag = "codes",
    summary = "Split a code: a new sibling takes the codings listed (as `verbatim code split`)",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = SplitBody,
    responses((status = 200, description = "Success", body = WebCode))
)]
async fn split(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<SplitBody>,
) -> ApiResult<WebCode> {
    if body.coding_ids.is_empty() {
        return Err(WebError::BadRequest(
            "tick the passages the new code takes, then split".into(),
        ));
    }
    let code = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            let new = store.split_code(&scope, id, &body.name, &body.coding_ids)?;
            web_code(store, &session, new)
        })
        .await?;
    Ok(Json(code))
}

/// One passage coded with a code (or a code below it).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = codes::Passage)]
pub struct Passage {
    /// The coding's id.
    pub coding_id: i64,
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// The id of the code it was coded with.
    pub code_id: i64,
    /// The code it was coded with (the asked one or one below it).
    pub code: String,
    /// Who coded it.
    pub coder: String,
    /// First UTF-16 unit, for the reader's `?hl=` link.
    pub start: usize,
    /// UTF-16 unit just past the passage.
    pub end: usize,
    /// The passage.
    pub text: String,
    /// Who speaks in it.
    pub speakers: Vec<String>,
    /// Marked as a quote.
    pub is_quote: bool,
}

/// Returns the passages of a code and the codes below it, across sources.
pub fn passages_of(
    store: &dyn Backend,
    session: &Session,
    id: i64,
) -> Result<Vec<Passage>, WebError> {
    let scope = session.scope(store)?;
    let records = store.codings(
        &scope,
        &CodingFilter {
            code: Some(id),
            ..CodingFilter::default()
        },
    )?;
    let mut tables: HashMap<i64, (String, OffsetTable)> = HashMap::new();
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        let (text, table) = match tables.entry(r.source_id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let text = store.source_text(r.source_id)?;
                let table = OffsetTable::new(&text);
                e.insert((text, table))
            }
        };
        let at = |x: i64| to_utf16(table, text, usize::try_from(x).unwrap_or(0));
        let (start, end) = (at(r.start), at(r.end));
        out.push(Passage {
            coding_id: r.id,
            source_id: r.source_id,
            source: r.source,
            code_id: r.code_id,
            code: r.code,
            coder: r.coder,
            start,
            end,
            text: r.text,
            speakers: r.speakers,
            is_quote: r.is_quote,
        });
    }
    Ok(out)
}

#[utoipa::path(
    get,
    path = "/api/codes/{id}/passages",
    tag = "codes",
    summary = "Every passage coded with a code, across sources",
    params(("id" = i64, Path, description = "The object's id.")),
    responses((status = 200, description = "Success", body = Vec<Passage>))
)]
async fn passages(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Vec<Passage>> {
    Ok(Json(
        state
            .read(move |store| passages_of(store, &session, id))
            .await?,
    ))
}
