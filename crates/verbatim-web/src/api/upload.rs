//! Transcripts uploaded from the sources page: `POST /api/sources`, a
//! multipart form with one or more `file` fields and the optional `kind`,
//! `site` and `language` every file of the request gets.
//!
//! The files are read by the same library functions as `verbatim import`
//! (`verbatim_ingest::read_bytes`, the same default kind and language
//! guess) and stored in one `import_batch`, so the study gains the same
//! sources and the browser gets the same per-file report as
//! `import --json`. Reading runs on the blocking pool before the study's
//! lock is taken, so a slow docx never holds up other requests. A file
//! that cannot be read is reported in one sentence and leaves nothing in
//! the study; the others are imported.

use std::path::{Path, PathBuf};

use axum::extract::{Multipart, State};
use axum::routing::post;
use axum::{Json, Router};
use verbatim_core::{Language, NormalisedSource, SourceKind};
use verbatim_ingest::{
    FileReport, FileStatus, LabelReport, Options, format_of, guess_language, label_report,
    read_bytes,
};
use verbatim_store::{ImportItem, ImportOutcome, Store};

use crate::api::people::actor;
use crate::error::ApiResult;
use crate::session::Session;
use crate::{AppState, WebError, i18n};

/// Returns the upload route (`GET /api/sources` lives in
/// [`crate::api::people`]).
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/sources", post(upload))
}

/// The form's settings, applied to every file of the request.
#[derive(Debug, Default)]
struct Settings {
    kind: Option<SourceKind>,
    site: Option<String>,
    language: Option<Language>,
}

/// The multipart form [`read_form`] reads, as the API contract shows it
/// (never built: the form is read field by field).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    /// One part per transcript (.txt, .md, .docx, .odt, .rtf, .html, .pdf,
    /// .srt, .vtt); the part's file name names the source.
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
    /// The sources' kind: interview, focus_group, observation, context or other.
    kind: Option<String>,
    /// The sources' site (name or code).
    site: Option<String>,
    /// The sources' language tag (`fr`, `en`); guessed from the text when absent.
    language: Option<String>,
}

/// The uploaded files and the settings, as read from the form.
struct Form {
    files: Vec<(String, Vec<u8>)>,
    settings: Settings,
}

#[utoipa::path(
    post,
    path = "/api/sources",
    tag = "participants and sources",
    summary = "Upload transcripts (multipart: one or more `file` fields, optional `kind`, `site`, `language`); the same per-file report as `verbatim import --json`",
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "One or more `file` parts and the import settings."),
    responses((status = 200, description = "Success", body = Vec<FileReport>))
)]
async fn upload(
    State(state): State<AppState>,
    session: Session,
    multipart: Multipart,
) -> ApiResult<Vec<FileReport>> {
    let form = read_form(multipart).await?;
    if form.files.is_empty() {
        return Err(WebError::BadRequest(i18n::t("upload.no_file").into()));
    }
    let Form { files, settings } = form;
    // Parse outside the study's lock: reading a large docx takes a while.
    // The report's sentences are in the request's language.
    let lang = i18n::Lang::current();
    let read =
        tokio::task::spawn_blocking(move || i18n::in_lang(lang, || read_files(files, &settings)))
            .await
            .map_err(|e| WebError::Internal(format!("reading the uploaded files stopped: {e}")))?;
    let reports = state
        .write(move |store| store_read(store, &actor(&session), read))
        .await?;
    Ok(Json(reports))
}

/// Returns the files and settings of a multipart form; an unknown field is
/// ignored, a bad kind or language refuses the whole request.
async fn read_form(mut multipart: Multipart) -> Result<Form, WebError> {
    let broken = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(i18n::tf("upload.broken", &[("detail", &e.body_text())]))
    };
    let mut files = Vec::new();
    let mut settings = Settings::default();
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file = base_name(field.file_name().unwrap_or("upload"));
            let bytes = field.bytes().await.map_err(broken)?;
            files.push((file, bytes.to_vec()));
            continue;
        }
        let value = field.text().await.map_err(broken)?;
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match name.as_str() {
            "kind" => {
                settings.kind = Some(value.parse::<SourceKind>().map_err(|e| {
                    WebError::BadRequest(i18n::tf("upload.kind", &[("error", &e.to_string())]))
                })?);
            }
            "language" => {
                settings.language = Some(value.parse::<Language>().map_err(|e| {
                    WebError::BadRequest(i18n::tf("upload.language", &[("error", &e.to_string())]))
                })?);
            }
            "site" => settings.site = Some(value.to_owned()),
            _ => {}
        }
    }
    Ok(Form { files, settings })
}

/// Returns the last part of a file name a browser sent (never a path on
/// the client's machine).
fn base_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() {
        "upload".into()
    } else {
        base.to_owned()
    }
}

/// One file after reading: ready to store, or already reported.
enum Read {
    Ready(Box<ImportItem>, LabelReport, Vec<String>),
    Refused(FileReport),
}

/// Reads every file with the import's library functions.
fn read_files(files: Vec<(String, Vec<u8>)>, settings: &Settings) -> Vec<(String, Read)> {
    let options = Options::default();
    files
        .into_iter()
        .map(|(file, bytes)| {
            let read = match format_of(Path::new(&file)) {
                None => Read::Refused(FileReport::refused(
                    &file,
                    FileStatus::Unsupported,
                    Some(i18n::tf("upload.unsupported", &[("file", &file)])),
                )),
                Some(format) => match read_bytes(&file, format, &bytes, &options) {
                    Ok(source) => {
                        let labels = label_report(&source);
                        let notes = source.metadata().notes.clone();
                        Read::Ready(Box::new(item(&file, source, settings)), labels, notes)
                    }
                    Err(e) => Read::Refused(FileReport::refused(
                        &file,
                        FileStatus::Failed,
                        Some(i18n::tf(
                            "upload.failed",
                            &[("file", &file), ("error", &e.to_string())],
                        )),
                    )),
                },
            };
            (file, read)
        })
        .collect()
}

/// Returns the item to store for a file read, with the defaults `verbatim
/// import` uses for what the form left out.
fn item(file: &str, source: NormalisedSource, settings: &Settings) -> ImportItem {
    let name = Path::new(file)
        .file_stem()
        .map_or_else(|| file.to_owned(), |s| s.to_string_lossy().into_owned());
    ImportItem {
        name,
        original_path: Some(PathBuf::from(file)),
        kind: settings
            .kind
            .unwrap_or_else(|| verbatim_ingest::default_kind(&source)),
        site: settings.site.clone(),
        language: settings
            .language
            .clone()
            .or_else(|| guess_language(source.text())),
        source,
    }
}

/// Stores the files read in one batch and returns one report per file, in
/// the order they were sent.
fn store_read(
    store: &mut dyn Store,
    actor: &str,
    read: Vec<(String, Read)>,
) -> Result<Vec<FileReport>, WebError> {
    let mut items = Vec::new();
    let mut slots = Vec::new();
    for (file, r) in read {
        match r {
            Read::Ready(item, labels, notes) => {
                items.push(*item);
                slots.push(Err((file, labels, notes)));
            }
            Read::Refused(report) => slots.push(Ok(report)),
        }
    }
    // Nothing readable: nothing to store, not even an empty action.
    let outcomes = if items.is_empty() {
        Vec::new()
    } else {
        store.import_batch(actor, items)?
    };
    let mut outcomes = outcomes.into_iter();
    let mut reports = Vec::with_capacity(slots.len());
    for slot in slots {
        let report = match slot {
            Ok(report) => report,
            Err((file, labels, notes)) => match outcomes.next() {
                Some(ImportOutcome::Imported { id, name }) => {
                    FileReport::imported(file, id, name, Some(labels), notes)
                }
                Some(ImportOutcome::Duplicate { existing }) => {
                    FileReport::duplicate(file, existing)
                }
                None => {
                    return Err(WebError::Internal(
                        "the study answered fewer files than it was given".into(),
                    ));
                }
            },
        };
        reports.push(report);
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_part_of_a_sent_name_is_kept() {
        assert_eq!(
            base_name("C:\\Users\\zoé\\entretien 1.docx"),
            "entretien 1.docx"
        );
        assert_eq!(base_name("../../etc/passwd.txt"), "passwd.txt");
        assert_eq!(base_name("dir/"), "upload");
        assert_eq!(base_name(""), "upload");
    }
}
