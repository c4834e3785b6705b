//! Participants, sources, attributes, speaker labels and
//! de-identification over HTTP, through the same store functions as
//! `verbatim participants`, `attribute`, `speakers` and `deidentify`.
//!
//! Sites and participants are also added one by one (`POST /api/sites`,
//! `POST /api/participants`, as `verbatim sites add` and `participants
//! add`). Uploads of one file (a roster, a names file) are sent as the
//! request body, raw, with the file's name in the `name` query parameter
//! (its extension says how to read it); transcripts, several at once, come
//! as a multipart form to [`crate::api::upload`]. The body limit of
//! [`crate::app`] applies to both. An upload is parsed on the blocking
//! pool ([`parse_upload`]) before the store is taken: a roster of 16,000
//! columns takes seconds to read, and neither the server's async workers
//! nor the study wait for it; the store is held only for the write.

use crate::Backend;
use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_store::{
    AppliesTo, AttrType, Attribute, Candidate, DeidRecord, DeidReport, NamesList, NewParticipant,
    Participant, RosterOutcome, Site, SourceRef, SourceSummary, SpeakerRow, SpeakerTarget,
};

use crate::blocking::off_runtime;
use crate::error::ApiResult;
use crate::session::Session;
use crate::state::Study;
use crate::{AppState, WebError};

/// Returns the routes of participants, sources, attributes, speakers and
/// de-identification.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/participants", get(participants).post(add_participant))
        .route("/api/sites", get(sites).post(add_site))
        .route("/api/participants/{id}", patch(update_participant))
        .route("/api/participants/roster", post(import_roster))
        .route("/api/sources", get(sources))
        .route("/api/sources/{id}", patch(update_source))
        .route("/api/attributes", get(attributes).post(define_attribute))
        .route("/api/speakers", get(speakers).put(map_speaker))
        .route("/api/deidentify", get(deid_review))
        .route("/api/deidentify/preview", post(deid_preview))
        .route("/api/deidentify/apply", post(deid_apply))
}

/// Returns who the audit log records for a change made in this browser
/// (see [`Session::actor`]).
pub fn actor(session: &Session) -> String {
    session.actor()
}

#[utoipa::path(
    get,
    path = "/api/participants",
    tag = "participants and sources",
    summary = "Participants with their attributes",
    responses((status = 200, description = "Success", body = Vec<Participant>))
)]
async fn participants(State(state): State<AppState>) -> ApiResult<Vec<Participant>> {
    Ok(Json(state.read(|store| Ok(store.participants()?)).await?))
}

/// A participant added by hand, as `verbatim participants add` takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct NewParticipantBody {
    /// The pseudonym code (`CHI-1`).
    pseudonym: Option<String>,
    /// A display label, when there is no code yet.
    label: Option<String>,
    /// The site's code or name.
    site: Option<String>,
}

/// Returns `text` trimmed, or `None` when it is blank.
fn given(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

#[utoipa::path(
    post,
    path = "/api/participants",
    tag = "participants and sources",
    summary = "Add a participant (as `verbatim participants add`)",
    request_body = NewParticipantBody,
    responses((status = 200, description = "Success", body = Participant))
)]
async fn add_participant(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<NewParticipantBody>,
) -> ApiResult<Participant> {
    let new = NewParticipant {
        code: given(body.pseudonym),
        label: given(body.label),
        site: given(body.site),
    };
    let added = state
        .write(move |store| {
            let id = store.add_participant(&actor(&session), &new)?;
            participant(store, id)
        })
        .await?;
    Ok(Json(added))
}

#[utoipa::path(
    get,
    path = "/api/sites",
    tag = "participants and sources",
    summary = "List the sites",
    responses((status = 200, description = "Success", body = Vec<Site>))
)]
async fn sites(State(state): State<AppState>) -> ApiResult<Vec<Site>> {
    Ok(Json(state.read(|store| Ok(store.sites()?)).await?))
}

/// A site added by hand, as `verbatim sites add NAME --code CODE` takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct NewSiteBody {
    /// Its full name.
    name: String,
    /// The short code pseudonyms carry.
    code: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/sites",
    tag = "participants and sources",
    summary = "Add a site (as `verbatim sites add NAME --code CODE`)",
    request_body = NewSiteBody,
    responses((status = 200, description = "Success", body = Site))
)]
async fn add_site(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<NewSiteBody>,
) -> ApiResult<Site> {
    let Some(code) = given(body.code) else {
        return Err(WebError::BadRequest(format!(
            "give site {:?} a short code (such as CH): participant pseudonyms carry it",
            body.name.trim()
        )));
    };
    let site = state
        .write(move |store| Ok(store.add_site(&actor(&session), &body.name, &code)?))
        .await?;
    Ok(Json(site))
}

/// Changes to a participant; absent fields stay as they are, an empty
/// value clears an attribute.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ParticipantBody {
    label: Option<String>,
    site: Option<String>,
    #[serde(default)]
    values: BTreeMap<String, String>,
}

/// Returns one participant as listed.
fn participant(store: &dyn Backend, id: i64) -> Result<Participant, WebError> {
    store
        .participants()?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| WebError::NotFound(format!("no participant {id}: reload the page")))
}

#[utoipa::path(
    patch,
    path = "/api/participants/{id}",
    tag = "participants and sources",
    summary = "Change a participant's label, site or attribute values (empty clears)",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = ParticipantBody,
    responses((status = 200, description = "Success", body = Participant))
)]
async fn update_participant(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<ParticipantBody>,
) -> ApiResult<Participant> {
    if body.label.is_none() && body.site.is_none() && body.values.is_empty() {
        return Err(WebError::BadRequest(
            "nothing to change: send a label, a site or attribute values".into(),
        ));
    }
    let updated = state
        .write(move |store| {
            participant(store, id)?;
            let values: Vec<(String, String)> = body.values.into_iter().collect();
            store.set_participant(
                &actor(&session),
                &format!("#{id}"),
                body.label.as_deref(),
                body.site.as_deref(),
                &values,
            )?;
            participant(store, id)
        })
        .await?;
    Ok(Json(updated))
}

/// The uploaded file's name.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Upload {
    name: String,
}

/// Returns the lower-case extension of an uploaded file's name.
fn extension(name: &str) -> Result<String, WebError> {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .filter(|e| !e.is_empty())
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "{name:?} has no extension: upload a .csv or .xlsx file"
            ))
        })
}

#[utoipa::path(
    post,
    path = "/api/participants/roster",
    tag = "participants and sources",
    summary = "Import a roster (CSV or XLSX, the raw file as the body)",
    params(Upload),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The raw file."),
    responses((status = 200, description = "Success", body = RosterOutcome))
)]
async fn import_roster(
    State(state): State<AppState>,
    session: Session,
    Query(upload): Query<Upload>,
    body: Bytes,
) -> ApiResult<RosterOutcome> {
    let ext = extension(&upload.name)?;
    let name = upload.name.clone();
    let sheet = off_runtime("reading the upload", move || {
        verbatim_ingest::read_sheet_bytes(&ext, &body)
            .map_err(|e| WebError::BadRequest(format!("{name} was not imported: {e}")))
    })
    .await?;
    let outcome = state
        .write(move |store| {
            store
                .import_roster(&actor(&session), &sheet.header, &sheet.rows, &[])
                .map_err(|e| WebError::BadRequest(format!("{} was not imported: {e}", upload.name)))
        })
        .await?;
    Ok(Json(outcome))
}

/// A source as the sources table shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SourceRow {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it records (`interview`, `focus_group`…).
    pub kind: String,
    /// Its site.
    pub site: Option<String>,
    /// Its language.
    pub language: Option<String>,
    /// Its length in words (whitespace-separated).
    pub words: usize,
    /// Its speaker turns.
    pub turns: i64,
    /// The codings the acting coder sees in it.
    pub codings: i64,
    /// Source attribute values, `(name, value)`.
    pub values: Vec<(String, String)>,
}

/// Returns `sources` (a run of the list by id: one page, or all) with
/// their words, attributes and the codings `session` sees (none counted
/// before a coder is chosen). Every read is of these sources only: their
/// ids' range in the kept coding counts and attribute values, and each
/// text once until it changes ([`Study::word_counts`]).
pub fn source_rows(
    study: &mut Study,
    session: &Session,
    sources: &[SourceSummary],
) -> Result<Vec<SourceRow>, WebError> {
    let ids = match (sources.first(), sources.last()) {
        (Some(a), Some(b)) => a.id.min(b.id)..=a.id.max(b.id),
        _ => return Ok(Vec::new()),
    };
    let words = study.word_counts(sources.iter().map(|s| s.id))?;
    let store = &*study.store;
    let counts = match session.coder {
        Some(_) => store.source_coding_counts(&session.scope(store)?, ids.clone())?,
        None => Default::default(),
    };
    let mut values = store.source_values_in(ids)?;
    Ok(sources
        .iter()
        .map(|s| SourceRow {
            codings: counts.get(&s.id).copied().unwrap_or(0),
            values: values.remove(&s.id).unwrap_or_default(),
            id: s.id,
            name: s.name.clone(),
            kind: s.kind.clone(),
            site: s.site.clone(),
            language: s.language.clone(),
            words: words.get(&s.id).copied().unwrap_or(0),
            turns: s.turns,
        })
        .collect())
}

#[utoipa::path(
    get,
    path = "/api/sources",
    tag = "participants and sources",
    summary = "Sources with kind, site, language, words, visible codings and attributes",
    responses((status = 200, description = "Success", body = Vec<SourceRow>))
)]
async fn sources(State(state): State<AppState>, session: Session) -> ApiResult<Vec<SourceRow>> {
    Ok(Json(
        state
            .with_study(move |study| {
                let all = study.summaries()?;
                source_rows(study, &session, &all)
            })
            .await?,
    ))
}

/// New attribute values of a source; an empty value clears one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct SourceBody {
    values: BTreeMap<String, String>,
}

#[utoipa::path(
    patch,
    path = "/api/sources/{id}",
    tag = "participants and sources",
    summary = "Change a source's attribute values (empty clears)",
    params(("id" = i64, Path, description = "The object's id.")),
    request_body = SourceBody,
    responses((status = 200, description = "Success", body = Vec<(String, String)>))
)]
async fn update_source(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Json(body): Json<SourceBody>,
) -> ApiResult<Vec<(String, String)>> {
    if body.values.is_empty() {
        return Err(WebError::BadRequest(
            "nothing to change: send attribute values".into(),
        ));
    }
    let values = state
        .write(move |store| {
            let values: Vec<(String, String)> = body.values.into_iter().collect();
            store.set_source_values(&actor(&session), &SourceRef::Id(id), &values)?;
            Ok(store
                .source_values_in(id..=id)?
                .remove(&id)
                .unwrap_or_default())
        })
        .await?;
    Ok(Json(values))
}

#[utoipa::path(
    get,
    path = "/api/attributes",
    tag = "participants and sources",
    summary = "Attributes of participants and sources",
    responses((status = 200, description = "Success", body = Vec<Attribute>))
)]
async fn attributes(State(state): State<AppState>) -> ApiResult<Vec<Attribute>> {
    let all = state
        .read(|store| {
            let mut all = store.attributes(AppliesTo::Participant)?;
            all.extend(store.attributes(AppliesTo::Source)?);
            Ok(all)
        })
        .await?;
    Ok(Json(all))
}

/// A new attribute.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct AttributeBody {
    name: String,
    /// `text`, `number`, `date`, `boolean` or `category`.
    #[serde(rename = "type")]
    kind: String,
    /// `participant` or `source`.
    applies_to: String,
    /// The values of a category.
    #[serde(default)]
    values: Vec<String>,
}

#[utoipa::path(
    post,
    path = "/api/attributes",
    tag = "participants and sources",
    summary = "Define an attribute",
    request_body = AttributeBody,
    responses((status = 200, description = "Success", body = Attribute))
)]
async fn define_attribute(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<AttributeBody>,
) -> ApiResult<Attribute> {
    let kind: AttrType = body.kind.parse().map_err(WebError::BadRequest)?;
    let applies = match body.applies_to.as_str() {
        "participant" => AppliesTo::Participant,
        "source" => AppliesTo::Source,
        other => {
            return Err(WebError::BadRequest(format!(
                "an attribute describes participants or sources, not {other:?}"
            )));
        }
    };
    let defined =
        state
            .write(move |store| {
                Ok(store.define_attribute(
                    &actor(&session),
                    &body.name,
                    applies,
                    kind,
                    &body.values,
                )?)
            })
            .await?;
    Ok(Json(defined))
}

/// Which source's labels to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SpeakersQuery {
    source: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/speakers",
    tag = "participants and sources",
    summary = "Speaker labels and who they are",
    params(SpeakersQuery),
    responses((status = 200, description = "Success", body = Vec<SpeakerRow>))
)]
async fn speakers(
    State(state): State<AppState>,
    Query(q): Query<SpeakersQuery>,
) -> ApiResult<Vec<SpeakerRow>> {
    Ok(Json(
        state
            .read(move |store| Ok(store.speakers(q.source)?))
            .await?,
    ))
}

/// A label of a source and who it is.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct MapBody {
    source_id: i64,
    label: String,
    /// A participant (code, label or `#id`)…
    participant: Option<String>,
    /// …or an interviewer.
    #[serde(default)]
    interviewer: bool,
}

#[utoipa::path(
    put,
    path = "/api/speakers",
    tag = "participants and sources",
    summary = "Map a source's speaker label to a participant or an interviewer",
    request_body = MapBody,
    responses((status = 200, description = "Success", body = Vec<SpeakerRow>))
)]
async fn map_speaker(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<MapBody>,
) -> ApiResult<Vec<SpeakerRow>> {
    let target = match (
        body.participant.filter(|p| !p.trim().is_empty()),
        body.interviewer,
    ) {
        (Some(p), false) => SpeakerTarget::Participant(p),
        (None, true) => SpeakerTarget::Interviewer,
        _ => {
            return Err(WebError::BadRequest(
                "say who the label is: a participant, or an interviewer".into(),
            ));
        }
    };
    let rows = state
        .write(move |store| {
            store.map_speaker(
                &actor(&session),
                &SourceRef::Id(body.source_id),
                &body.label,
                &target,
            )?;
            Ok(store.speakers(Some(body.source_id))?)
        })
        .await?;
    Ok(Json(rows))
}

/// What the de-identification review shows before any names file.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeidReview {
    /// Capitalised words and known first names, for the names file.
    pub candidates: Vec<Candidate>,
    /// De-identifications already applied (counts and file hash only).
    pub applied: Vec<DeidRecord>,
}

#[utoipa::path(
    get,
    path = "/api/deidentify",
    tag = "participants and sources",
    summary = "De-identification review: candidate words and applied runs",
    responses((status = 200, description = "Success", body = DeidReview))
)]
async fn deid_review(State(state): State<AppState>) -> ApiResult<DeidReview> {
    let review = state
        .with_study(|study| {
            Ok(DeidReview {
                candidates: study.deid_candidates()?,
                applied: study.store.deidentifications()?,
            })
        })
        .await?;
    Ok(Json(review))
}

/// Returns a names file's list: rows `real,replacement`, and its SHA-256.
fn names_list(name: &str, bytes: &[u8]) -> Result<NamesList, WebError> {
    use sha2::{Digest, Sha256};
    let sha: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sheet = verbatim_ingest::read_sheet_bytes("csv", bytes).map_err(|e| {
        WebError::BadRequest(format!("the names file {name} could not be read: {e}"))
    })?;
    let mut rows = vec![sheet.header];
    rows.extend(sheet.rows);
    NamesList::parse(&rows, &sha).map_err(|e| WebError::BadRequest(format!("{name}: {e}")))
}

async fn deidentify(
    state: AppState,
    session: Session,
    upload: Upload,
    body: Bytes,
    dry_run: bool,
) -> ApiResult<DeidReport> {
    let name = upload.name;
    let list = off_runtime("reading the upload", move || names_list(&name, &body)).await?;
    let report = state
        .write(move |store| Ok(store.deidentify(&actor(&session), &list, None, dry_run)?))
        .await?;
    Ok(Json(report))
}

#[utoipa::path(
    post,
    path = "/api/deidentify/preview",
    tag = "participants and sources",
    summary = "Every replacement a names file (real,replacement CSV as the body) would make; writes nothing",
    params(Upload),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The raw file."),
    responses((status = 200, description = "Success", body = DeidReport))
)]
async fn deid_preview(
    State(state): State<AppState>,
    session: Session,
    Query(upload): Query<Upload>,
    body: Bytes,
) -> ApiResult<DeidReport> {
    deidentify(state, session, upload, body, true).await
}

#[utoipa::path(
    post,
    path = "/api/deidentify/apply",
    tag = "participants and sources",
    summary = "Replace every listed name across the study (not undoable)",
    params(Upload),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The raw file."),
    responses((status = 200, description = "Success", body = DeidReport))
)]
async fn deid_apply(
    State(state): State<AppState>,
    session: Session,
    Query(upload): Query<Upload>,
    body: Bytes,
) -> ApiResult<DeidReport> {
    deidentify(state, session, upload, body, false).await
}
