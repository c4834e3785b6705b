//! The reports page: the study's HTML report previewed in the page, and
//! every file a results section needs as a download — the report (HTML,
//! Markdown, DOCX), a member-checking document per participant, the
//! figures (SVG) and the exports (QDPX, QDC, CSV, XLSX).
//!
//! Every file is made by the same library call as the CLI's `report`,
//! `figure` and `export` commands ([`files`]), through the acting coder's
//! blind-coding scope: another coder's codebook, or the shared one, is
//! refused until the study is revealed. Downloads are GET links (they
//! change nothing), answered with the file's type and a
//! `Content-Disposition` file name.
//!
//! The preview is the self-contained report itself, in a sandboxed
//! `<iframe sandbox>` served from `/reports/preview.html`. That answer
//! carries its own policy ([`preview_csp`]) rather than weakening the
//! application's: nothing may load (`default-src 'none'`), no script runs
//! (`sandbox`, no `allow-scripts`), and the report's one inline style sheet
//! is allowed by its SHA-256 hash only — study text is escaped by the
//! report writer, so no other style can appear. Only this server's pages
//! may frame it (`frame-ancestors 'self'`).

mod files;

use crate::Backend;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use verbatim_report::report::model::Lang;
use verbatim_store::AppliesTo;

use crate::blocking::off_runtime;
use crate::error::PageResult;
use crate::i18n::t;
use crate::layout::{Nav, Page};
use crate::session::{Session, encode_cookie};
use crate::{AppState, WebError};

pub use files::Download;

/// Returns the reports page's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(reports_page))
        .route("/reports/preview.html", get(preview))
        .route("/reports/download/{file}", get(download))
        .route("/reports/member", get(member))
}

/// What the page and the downloads are asked for (all optional).
#[derive(Debug, Default, Deserialize)]
struct Choice {
    /// `mine` (default), `shared` or `coder:NAME`.
    layer: Option<String>,
    /// `en` or `fr`; empty for the default (English, or for a
    /// member-checking document the participant's language).
    lang: Option<String>,
    /// The participant attribute of the triangulation heat map's columns.
    by: Option<String>,
    /// The member-checking document's participant.
    participant: Option<String>,
    /// The member-checking document's format: `html`, `md` or `docx`.
    format: Option<String>,
}

/// Whose codebook a report or export reads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Layer {
    /// The acting coder's own codebook.
    Mine,
    /// The shared codebook (every coder's codings; needs reveal).
    Shared,
    /// Another coder's codebook (needs reveal).
    Of(String),
}

impl Layer {
    fn parse(value: Option<&str>) -> Result<Self, WebError> {
        match value.map(str::trim) {
            None | Some("" | "mine") => Ok(Layer::Mine),
            Some("shared") => Ok(Layer::Shared),
            Some(other) => match other.strip_prefix("coder:") {
                Some(name) if !name.trim().is_empty() => Ok(Layer::Of(name.trim().to_owned())),
                _ => Err(WebError::BadRequest(format!(
                    "layer {other:?} is not one of mine, shared or coder:NAME: choose a layer in \
                     the list on the reports page"
                ))),
            },
        }
    }

    fn value(&self) -> String {
        match self {
            Layer::Mine => "mine".into(),
            Layer::Shared => "shared".into(),
            Layer::Of(name) => format!("coder:{name}"),
        }
    }
}

/// The coder a file is made as, and whether it reads the shared codebook:
/// what `--coder NAME [--shared]` says on the command line.
#[derive(Debug, Clone)]
pub struct Acting {
    /// The coder whose scope reads the study.
    pub coder: String,
    /// Read the shared codebook (every coder's codings) instead of the
    /// coder's own.
    pub shared: bool,
}

/// Returns who a file is made as, refusing a layer the session may not see.
fn resolve(store: &dyn Backend, session: &Session, layer: &Layer) -> Result<Acting, WebError> {
    let me = session.coder()?.to_owned();
    // Fails with "no coder …" when the picked coder no longer exists.
    store.scope(&me, false, false)?;
    let revealed = store.revealed()?.is_some();
    match layer {
        Layer::Mine => Ok(Acting {
            coder: me,
            shared: false,
        }),
        Layer::Of(name) if *name == me => Ok(Acting {
            coder: me,
            shared: false,
        }),
        Layer::Shared if revealed => Ok(Acting {
            coder: me,
            shared: true,
        }),
        Layer::Shared => Err(WebError::Forbidden(
            "the shared codebook holds every coder's codings, which stay hidden until the study \
             is revealed: reveal it on the Compare page, or choose your own codebook"
                .into(),
        )),
        Layer::Of(name) => {
            if store.coder_by_name(name)?.is_none() {
                return Err(WebError::NotFound(format!(
                    "no coder {name:?} in this study: choose a codebook in the list on the \
                     reports page"
                )));
            }
            if !revealed {
                return Err(WebError::Forbidden(format!(
                    "{name}'s codebook stays hidden until the study is revealed: reveal it on the \
                     Compare page, or choose your own codebook"
                )));
            }
            Ok(Acting {
                coder: name.clone(),
                shared: false,
            })
        }
    }
}

/// Returns the language asked for, or `None` for the default.
fn language(value: Option<&str>) -> Result<Option<Lang>, WebError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(tag) => Lang::from_tag(tag).map(Some).ok_or_else(|| {
            WebError::BadRequest(format!(
                "language {tag:?}: reports are written in English (en) or French (fr)"
            ))
        }),
    }
}

/// A file answered as a download (or inline, for the preview).
struct FileReply {
    bytes: Vec<u8>,
    content_type: &'static str,
    disposition: String,
}

impl IntoResponse for FileReply {
    fn into_response(self) -> Response {
        let mut response = self.bytes.into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        if let Ok(v) = HeaderValue::from_str(&self.disposition) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        response
    }
}

/// Returns `attachment; filename="…"` for a file of the study.
fn attachment(study: &str, name: &str) -> String {
    format!("attachment; filename=\"{}-{name}\"", slug(study))
}

/// Returns an ASCII file-name stem for a title: letters and digits kept
/// (accents dropped by their base letter where it is plain ASCII), runs of
/// anything else as one `-`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        let c = fold_accent(c).to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(60).collect();
    if out.is_empty() {
        "study".into()
    } else {
        out.trim_end_matches('-').to_owned()
    }
}

/// Returns the plain letter of the accented Latin letters French and
/// English titles use (no crate needed for a file name's dozen letters).
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' | 'Á' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'î' | 'ï' | 'í' | 'Î' | 'Ï' | 'Í' => 'i',
        'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' | 'Ó' => 'o',
        'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' | 'Ú' => 'u',
        'ç' | 'Ç' => 'c',
        'ÿ' => 'y',
        other => other,
    }
}

async fn download(
    State(state): State<AppState>,
    session: Session,
    Path(file): Path<String>,
    Query(choice): Query<Choice>,
) -> PageResult<FileReply> {
    let Some(what) = Download::from_name(&file) else {
        return Err(WebError::NotFound(format!(
            "no download {file:?}: pick one from the list on the reports page"
        ))
        .into());
    };
    let layer = Layer::parse(choice.layer.as_deref())?;
    let lang = language(choice.lang.as_deref())?;
    let (title, gathered) = state
        .read(move |store| {
            let acting = resolve(store, &session, &layer)?;
            let gathered = files::make(store, &acting, what, lang, choice.by.as_deref())?;
            Ok((store.study()?.title, gathered))
        })
        .await?;
    file_reply(title, gathered).await
}

/// Writes a gathered file on the blocking pool, the store released.
async fn file_reply(title: String, gathered: files::Gathered) -> PageResult<FileReply> {
    let made = off_runtime("writing the report", move || gathered.write()).await?;
    Ok(FileReply {
        disposition: attachment(&title, &made.name),
        content_type: made.content_type,
        bytes: made.bytes,
    })
}

async fn member(
    State(state): State<AppState>,
    session: Session,
    Query(choice): Query<Choice>,
) -> PageResult<FileReply> {
    let layer = Layer::parse(choice.layer.as_deref())?;
    let lang = language(choice.lang.as_deref())?;
    let participant = choice
        .participant
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            WebError::BadRequest(
                "choose the participant whose member-checking document to write".into(),
            )
        })?
        .to_owned();
    let format = files::DocFormat::parse(choice.format.as_deref())?;
    let (title, gathered) = state
        .read(move |store| {
            let acting = resolve(store, &session, &layer)?;
            let gathered = files::member(store, &acting, &participant, lang, format)?;
            Ok((store.study()?.title, gathered))
        })
        .await?;
    file_reply(title, gathered).await
}

async fn preview(
    State(state): State<AppState>,
    session: Session,
    Query(choice): Query<Choice>,
) -> PageResult<Response> {
    let layer = Layer::parse(choice.layer.as_deref())?;
    let lang = language(choice.lang.as_deref())?;
    let doc = state
        .read(move |store| {
            let acting = resolve(store, &session, &layer)?;
            files::report_doc(store, &acting, lang)
        })
        .await?;
    let html = off_runtime("writing the report", move || {
        Ok(verbatim_report::report::html::write(&doc))
    })
    .await?;
    let csp = preview_csp(&html);
    let mut response = FileReply {
        bytes: html.into_bytes(),
        content_type: "text/html; charset=utf-8",
        disposition: "inline".into(),
    }
    .into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    Ok(response)
}

/// Returns the preview's policy: nothing loads, nothing runs, and only the
/// report's own `<style>` element (the first, written by the report
/// writer in the head; study text is escaped and cannot open another)
/// applies, by its hash.
pub fn preview_csp(html: &str) -> String {
    let style = html
        .find("<style>")
        .map(|at| &html[at + "<style>".len()..])
        .and_then(|rest| rest.find("</style>").map(|end| &rest[..end]));
    let style_src = match style {
        Some(css) => format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(css.as_bytes()))
        ),
        None => "'none'".to_owned(),
    };
    format!(
        "default-src 'none'; style-src {style_src}; img-src data:; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'self'; sandbox"
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
struct ReportsPage {
    page: Page,
    /// Why nothing can be shown (no coder chosen, a hidden layer).
    blocked: Option<String>,
    layers: Vec<Opt>,
    langs: Vec<Opt>,
    /// `layer=…&lang=…`, percent-encoded, for every link.
    query: String,
    layer: String,
    lang: String,
    reports: Vec<Link>,
    figures: Vec<Link>,
    exports: Vec<Link>,
    participants: Vec<String>,
    attributes: Vec<Opt>,
}

/// One option of a select.
struct Opt {
    value: String,
    label: String,
    selected: bool,
    disabled: bool,
}

/// One download link.
struct Link {
    href: String,
    label: &'static str,
    kind: &'static str,
    id: &'static str,
}

async fn reports_page(
    State(state): State<AppState>,
    session: Session,
    Query(choice): Query<Choice>,
) -> PageResult<ReportsPage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .read(move |store| build(store, &session, &csrf, &choice))
        .await?)
}

/// Builds the reports page: the layer and language choices, and the links
/// that download each report, figure and export with them.
fn build(
    store: &dyn Backend,
    session: &Session,
    csrf: &str,
    choice: &Choice,
) -> Result<ReportsPage, WebError> {
    let page = Page::new(store, session, csrf, t("title.reports"), Nav::Reports)?;
    let layer = Layer::parse(choice.layer.as_deref())?;
    let lang = language(choice.lang.as_deref())?;
    let me = session.coder.clone().unwrap_or_default();
    let layers = layer_options(&page, &layer, &me);
    let tag = lang.map_or("", Lang::tag);
    let blocked = resolve(store, session, &layer).err().map(|e| e.to_string());
    let mut query = format!("layer={}", encode_cookie(&layer.value()));
    if !tag.is_empty() {
        query.push_str(&format!("&lang={tag}"));
    }
    let attributes: Vec<String> = store
        .attributes(AppliesTo::Participant)?
        .into_iter()
        .map(|a| a.name)
        .collect();
    let by = choice
        .by
        .clone()
        .filter(|b| attributes.contains(b))
        .or_else(|| files::default_attribute(&attributes));
    let participants = store
        .participants()?
        .into_iter()
        .map(|p| p.display())
        .collect();
    Ok(ReportsPage {
        blocked,
        layers,
        langs: language_options(tag),
        layer: layer.value(),
        lang: tag.to_owned(),
        reports: download_links(files::Group::Report, &query, by.as_deref()),
        figures: download_links(files::Group::Figure, &query, by.as_deref()),
        exports: download_links(files::Group::Export, &query, by.as_deref()),
        participants,
        attributes: attributes
            .iter()
            .map(|a| Opt {
                value: a.clone(),
                label: a.clone(),
                selected: by.as_deref() == Some(a),
                disabled: false,
            })
            .collect(),
        query,
        page,
    })
}

/// The codebooks a report may draw on: mine, the shared one (after the
/// reveal), and after the reveal each other coder's.
fn layer_options(page: &Page, layer: &Layer, me: &str) -> Vec<Opt> {
    let revealed = page.revealed;
    let mut layers = vec![
        Opt {
            value: "mine".into(),
            label: "My codebook".into(),
            selected: *layer == Layer::Mine,
            disabled: false,
        },
        Opt {
            value: "shared".into(),
            label: if revealed {
                "Shared codebook".into()
            } else {
                "Shared codebook (after reveal)".into()
            },
            selected: *layer == Layer::Shared,
            disabled: !revealed,
        },
    ];
    if revealed {
        for name in page.coders.iter().filter(|n| *n != me) {
            let value = Layer::Of(name.clone());
            layers.push(Opt {
                label: format!("{name}'s codebook"),
                selected: *layer == value,
                value: value.value(),
                disabled: false,
            });
        }
    }
    layers
}

/// The languages a report may be written in, `tag` selected.
fn language_options(tag: &str) -> Vec<Opt> {
    [
        ("", "Default (English)"),
        ("en", "English"),
        ("fr", "French"),
    ]
    .into_iter()
    .map(|(value, label)| Opt {
        value: value.into(),
        label: label.into(),
        selected: value == tag,
        disabled: false,
    })
    .collect()
}

/// The download links of one group, each carrying the page's `query` (and
/// the triangulation's attribute `by`).
fn download_links(group: files::Group, query: &str, by: Option<&str>) -> Vec<Link> {
    Download::ALL
        .into_iter()
        .filter(|d| d.group() == group)
        .map(|d| {
            let mut href = format!("/reports/download/{}?{query}", d.name());
            if d == Download::Triangulation
                && let Some(by) = by
            {
                href.push_str(&format!("&by={}", encode_cookie(by)));
            }
            Link {
                href,
                label: d.label(),
                kind: d.kind(),
                id: d.id(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_parse_and_print_back() {
        for layer in [Layer::Mine, Layer::Shared, Layer::Of("Zoé M".into())] {
            assert_eq!(Layer::parse(Some(&layer.value())).ok(), Some(layer));
        }
        assert_eq!(Layer::parse(None).ok(), Some(Layer::Mine));
        assert!(Layer::parse(Some("coder:")).is_err());
        assert!(Layer::parse(Some("everyone")).is_err());
    }

    #[test]
    fn slugs_are_plain_file_names() {
        assert_eq!(
            slug("Soigner en prison : étude démo"),
            "soigner-en-prison-etude-demo"
        );
        assert_eq!(slug("«»"), "study");
        assert_eq!(slug("a/../b\"c"), "a-b-c");
    }

    #[test]
    fn the_preview_policy_allows_exactly_the_report_style() {
        let csp = preview_csp("<html><head><style>p{color:red}</style></head></html>");
        // echo -n 'p{color:red}' | openssl dgst -sha256 -binary | base64
        assert!(
            csp.contains("style-src 'sha256-p0bF+un5yUb9MBO6xRb8kPHlY2BdpHVtLiFkDrZPF64='"),
            "{csp}"
        );
        assert!(csp.contains("sandbox") && csp.contains("default-src 'none'"));
        assert!(preview_csp("<p>no style</p>").contains("style-src 'none'"));
    }
}
