//! Codings over HTTP: list a source's, code a passage (with an existing
//! code or one created on the spot), resize, mark as quote, memo,
//! translate, remove. Positions are UTF-16 units from the source's start.

use crate::Backend;
use axum::extract::{Path, State};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_core::{Language, OffsetTable, Span};
use verbatim_store::{Book, CodingFilter, NewCode, Scope, SpanCoding};

use crate::error::ApiResult;
use crate::offsets::{to_char, to_utf16};
use crate::palette;
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the routes of `/api/codings` and a source's codings.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/sources/{id}/codings", get(list))
        .route("/api/codings", post(create))
        .route(
            "/api/codings/{id}",
            get(detail).patch(update).delete(remove),
        )
        .route("/api/codings/{id}/translations/{language}", put(translate))
        .route("/api/codings/{id}/span", patch(resize))
}

/// A coding as the browser sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebCoding {
    /// Its id.
    pub id: i64,
    /// The code's id.
    pub code_id: i64,
    /// The coder's id.
    pub coder_id: i64,
    /// First UTF-16 unit of the passage.
    pub start: usize,
    /// UTF-16 unit just past the passage.
    pub end: usize,
    /// Marked as a quote.
    pub is_quote: bool,
    /// The coder's note.
    pub memo: Option<String>,
    /// Languages it is translated into.
    pub translations: Vec<String>,
}

impl WebCoding {
    /// Returns the browser's view of a stored coding.
    pub fn of(c: SpanCoding, text: &str, table: &OffsetTable) -> Self {
        let at = |x: i64| to_utf16(table, text, usize::try_from(x).unwrap_or(0));
        WebCoding {
            id: c.id,
            code_id: c.code_id,
            coder_id: c.coder_id,
            start: at(c.start),
            end: at(c.end),
            is_quote: c.is_quote,
            memo: c.memo,
            translations: c.translations,
        }
    }
}

/// A code as the reader's picker and highlights need it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebCode {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its level's rank (1 = lowest).
    pub level: i64,
    /// The coder owning it, `None` for the shared codebook.
    pub owner: Option<i64>,
    /// Its primary parent.
    pub parent: Option<i64>,
    /// Its colour class.
    pub colour: String,
}

/// Returns the source's codings the session sees, in UTF-16 units.
pub fn codings_of(
    store: &dyn Backend,
    session: &Session,
    source: i64,
) -> Result<Vec<WebCoding>, WebError> {
    let scope = session.scope(store)?;
    let text = store.source_text(source)?;
    let table = OffsetTable::new(&text);
    Ok(store
        .source_codings(&scope, source)?
        .into_iter()
        .map(|c| WebCoding::of(c, &text, &table))
        .collect())
}

#[utoipa::path(
    get,
    path = "/api/sources/{id}/codings",
    tag = "codings",
    summary = "List a source's codings the coder sees (UTF-16 positions)",
    params(("id" = i64, Path, description = "The object's id.")),
    responses((status = 200, description = "Success", body = Vec<WebCoding>))
)]
async fn list(
    State(state): State<AppState>,
    session: Session,
    Path(source): Path<i64>,
) -> ApiResult<Vec<WebCoding>> {
    Ok(Json(
        state
            .read(move |store| codings_of(store, &session, source))
            .await?,
    ))
}

/// A passage to code.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = codings::CreateBody)]
struct CreateBody {
    source_id: i64,
    start: usize,
    end: usize,
    /// An existing code…
    code_id: Option<i64>,
    /// …or a new one, created in the coder's codebook.
    new_code: Option<NewCodeBody>,
    memo: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct NewCodeBody {
    name: String,
    parent_id: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Created {
    coding: WebCoding,
    /// False when the same passage was already coded with this code.
    new: bool,
    /// The code created on the way, if any.
    code: Option<WebCode>,
}

#[utoipa::path(
    post,
    path = "/api/codings",
    tag = "codings",
    summary = "Code a passage with an existing code or a new one",
    request_body = CreateBody,
    responses((status = 200, description = "Success", body = Created))
)]
async fn create(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<CreateBody>,
) -> ApiResult<Created> {
    let created = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            let text = store.source_text(body.source_id)?;
            let span = char_span(&text, body.start, body.end)?;
            let memo = body.memo.as_deref().filter(|m| !m.trim().is_empty());
            // Checked before a new code is added, so a refused memo adds
            // no code either.
            verbatim_store::rules::coding_memo(memo)?;
            let (code_id, code) = match (body.code_id, body.new_code) {
                (Some(id), None) => (id, None),
                (None, Some(new)) => {
                    let id = store.add_code(
                        &scope,
                        &NewCode {
                            name: new.name,
                            parent: new.parent_id,
                            book: Some(Book::Own),
                            ..NewCode::default()
                        },
                    )?;
                    (id, Some(web_code(store, &session, id)?))
                }
                _ => {
                    return Err(WebError::BadRequest(
                        "say which code: give code_id, or new_code with a name".into(),
                    ));
                }
            };
            let (id, new) = store.add_coding(&scope, body.source_id, span, code_id, memo)?;
            // A new coding is what was just written; one coded before is
            // read, as it may carry a memo, a quote mark, translations.
            let coding = if new {
                SpanCoding::written(id, code_id, scope.coder().id, span, memo)
            } else {
                found(store, &scope, id)?.1
            };
            let coding = WebCoding::of(coding, &text, &OffsetTable::new(&text));
            Ok(Created { coding, new, code })
        })
        .await?;
    Ok(Json(created))
}

/// Returns a code as [`WebCode`], if the session sees it.
pub fn web_code(store: &dyn Backend, session: &Session, id: i64) -> Result<WebCode, WebError> {
    let scope = session.scope(store)?;
    store
        .visible_codes(&scope)?
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| WebCode {
            colour: palette::class_of(c.id),
            id: c.id,
            name: c.name,
            level: c.level,
            owner: c.owner,
            parent: c.parent,
        })
        .ok_or_else(|| WebError::NotFound(format!("no code {id} among those you can see")))
}

/// Returns the char span of a UTF-16 range of `text`.
fn char_span(text: &str, start: usize, end: usize) -> Result<Span, WebError> {
    let (start, end) = (to_char(text, start)?, to_char(text, end)?);
    Span::new(start, end)
        .map_err(|e| WebError::BadRequest(format!("{e}: select the passage again")))
}

/// Returns one coding as the browser sees it, read alone (not among its
/// source's, which grow with every coding): with `scope`, in `text` when
/// the caller holds the source's text, else reading it.
fn one(
    store: &dyn Backend,
    scope: &Scope,
    id: i64,
    text: Option<&str>,
) -> Result<WebCoding, WebError> {
    let (source, coding) = found(store, scope, id)?;
    let read;
    let text = match text {
        Some(text) => text,
        None => {
            read = store.source_text(source)?;
            &read
        }
    };
    Ok(WebCoding::of(coding, text, &OffsetTable::new(text)))
}

/// Returns a coding the scope sees with its source's id, or the sentence
/// saying it is not there.
fn found(store: &dyn Backend, scope: &Scope, id: i64) -> Result<(i64, SpanCoding), WebError> {
    store
        .span_coding(scope, id)?
        .ok_or_else(|| WebError::NotFound(format!("no coding {id} among those you can see")))
}

/// A coding with its passage, code and coder, for the reader's panel.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Detail {
    #[serde(flatten)]
    coding: WebCoding,
    code: String,
    coder: String,
    text: String,
    speakers: Vec<String>,
    /// `(language, text)` pairs.
    translations_text: Vec<(String, String)>,
    /// True when the session's coder may change it.
    mine: bool,
}

#[utoipa::path(
    get,
    path = "/api/codings/{id}",
    tag = "codings",
    summary = "A coding with its passage, code and coder",
    params(("id" = i64, Path, description = "The object's id.")),
    responses((status = 200, description = "Success", body = Detail))
)]
async fn detail(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Detail> {
    let detail = state
        .read(move |store| {
            let scope = session.scope(store)?;
            let (source, span) = found(store, &scope, id)?;
            let text = store.source_text(source)?;
            let coding = WebCoding::of(span, &text, &OffsetTable::new(&text));
            let filter = CodingFilter {
                source: Some(source),
                ..CodingFilter::default()
            };
            let record = store
                .codings(&scope, &filter)?
                .into_iter()
                .find(|c| c.id == id)
                .ok_or_else(|| WebError::NotFound(format!("no coding {id}")))?;
            Ok(Detail {
                mine: coding.coder_id == scope.coder().id,
                coding,
                code: record.code,
                coder: record.coder,
                text: record.text,
                speakers: record.speakers,
                translations_text: record.translations,
            })
        })
        .await?;
    Ok(Json(detail))
}

/// Changes to a coding; absent fields stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = codings::UpdateBody)]
struct UpdateBody {
    is_quote: Option<bool>,
    /// The memo; an empty one clears it.
    memo: Option<String>,
}

#[utoipa::path(
    patch,
    path = "/api/codings/{id}",
    tag = "codings",
    summary = "Mark a coding as a quote or change its memo",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = UpdateBody,
    responses((status = 200, description = "Success", body = WebCoding))
)]
async fn update(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<UpdateBody>,
) -> ApiResult<WebCoding> {
    let coding = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            if let Some(q) = body.is_quote {
                store.set_quote(&scope, id, q)?;
            }
            if let Some(memo) = &body.memo {
                let memo = Some(memo.trim()).filter(|m| !m.is_empty());
                store.set_coding_memo(&scope, id, memo)?;
            }
            one(store, &scope, id, None)
        })
        .await?;
    Ok(Json(coding))
}

/// A new passage for a coding.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct SpanBody {
    start: usize,
    end: usize,
}

#[utoipa::path(
    patch,
    path = "/api/codings/{id}/span",
    tag = "codings",
    summary = "Move a coding to another passage of its source",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = SpanBody,
    responses((status = 200, description = "Success", body = WebCoding))
)]
async fn resize(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<SpanBody>,
) -> ApiResult<WebCoding> {
    let coding = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            let (source, _) = found(store, &session.scope(store)?, id)?;
            let text = store.source_text(source)?;
            let span = char_span(&text, body.start, body.end)?;
            store.set_coding_span(&scope, id, span)?;
            one(store, &scope, id, Some(&text))
        })
        .await?;
    Ok(Json(coding))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct TranslationBody {
    text: String,
}

#[utoipa::path(
    put,
    path = "/api/codings/{id}/translations/{language}",
    tag = "codings",
    summary = "Translate a coded passage",
    params(("id" = i64, Path, description = "The object's id."), ("language" = String, Path, description = "The translation's language (BCP 47 tag, e.g. `en`).")),
    request_body = TranslationBody,
    responses((status = 200, description = "Success", body = WebCoding))
)]
async fn translate(
    State(state): State<AppState>,
    session: Session,
    Path((id, language)): Path<(i64, String)>,
    Json(body): Json<TranslationBody>,
) -> ApiResult<WebCoding> {
    let coding = state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            let language = language.parse::<Language>().map_err(|e| {
                WebError::BadRequest(format!("{e}: give a language tag such as en or fr"))
            })?;
            store.translate(&scope, id, &language, &body.text)?;
            one(store, &scope, id, None)
        })
        .await?;
    Ok(Json(coding))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Removed {
    removed: i64,
}

#[utoipa::path(
    delete,
    path = "/api/codings/{id}",
    tag = "codings",
    summary = "Remove a coding",
    params(("id" = i64, Path, description = "The object's id.")),
    responses((status = 200, description = "Success", body = Removed))
)]
async fn remove(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Removed> {
    state
        .write(move |store| {
            let scope = session.own_scope(store)?;
            store.remove_coding(&scope, id)?;
            Ok(())
        })
        .await?;
    Ok(Json(Removed { removed: id }))
}
