//! The participants page (attributes edited in place, roster import,
//! sites and participants added one by one) and the sources page
//! (transcript upload, attributes, speaker mapping, de-identification
//! review). The review's candidate words read every source's text, so the
//! page lists them only when asked (a button fetching `/api/deidentify`,
//! which keeps them until the study changes). Edits go through `/api/participants`, `/api/sources`,
//! `/api/speakers` and `/api/deidentify` (see [`crate::api::people`]).
//! Both lists are paged (`?page=N`, see [`crate::pages::pager`]): a page
//! reads the words and speaker labels of its own sources, and its counts
//! come from the study-wide lists the server keeps.

use crate::Backend;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use verbatim_core::SourceKind;
use verbatim_store::{AppliesTo, Attribute, DeidRecord, Participant, SpeakerRow};

use crate::api::people::{SourceRow, source_rows};
use crate::error::PageResult;
use crate::i18n::t;
use crate::layout::{Nav, Page};
use crate::pages::pager::{PageParam, Pager};
use crate::session::Session;
use crate::state::Study;
use crate::{AppState, WebError};

/// Returns the routes of the participants and sources pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/participants", get(participants_page))
        .route("/sources", get(sources_page))
}

/// An attribute as a table column.
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its type, in words.
    pub kind: String,
    /// The values of a category (for the editor's list).
    pub allowed: String,
}

fn columns(attrs: Vec<Attribute>) -> Vec<Column> {
    attrs
        .into_iter()
        .map(|a| Column {
            name: a.name,
            kind: a.kind.to_string(),
            allowed: a.allowed.join("|"),
        })
        .collect()
}

/// Returns the value of attribute `name` among `values`, or "".
fn value_of<'a>(values: &'a [(String, String)], name: &str) -> &'a str {
    values
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

#[derive(Template, WebTemplate)]
#[template(path = "participants.html")]
struct ParticipantsPage {
    page: Page,
    columns: Vec<Column>,
    /// The participants on this page.
    people: Vec<Participant>,
    pager: Pager,
    sites: Vec<(String, String)>,
}

impl ParticipantsPage {
    fn value<'a>(&self, p: &'a Participant, name: &str) -> &'a str {
        value_of(&p.values, name)
    }
}

async fn participants_page(
    State(state): State<AppState>,
    session: Session,
    Query(asked): Query<PageParam>,
) -> PageResult<ParticipantsPage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .with_study(move |study| {
            let all = study.participants()?;
            let pager = Pager::new("/participants", asked.page, all.len());
            let store = &*study.store;
            Ok(ParticipantsPage {
                page: Page::new(
                    store,
                    &session,
                    &csrf,
                    t("title.participants"),
                    Nav::Participants,
                )?
                .with_script("people.js"),
                columns: columns(store.attributes(AppliesTo::Participant)?),
                people: all[pager.range()].to_vec(),
                pager,
                sites: site_choices(store)?,
            })
        })
        .await?)
}

/// Returns the study's sites as `(code, name)`, for the pages' lists.
fn site_choices(store: &dyn Backend) -> Result<Vec<(String, String)>, WebError> {
    Ok(store
        .sites()?
        .into_iter()
        .map(|s| (s.code, s.name))
        .collect())
}

/// A source's speaker labels, for the mapping table.
struct SpeakerGroup {
    source_id: i64,
    source: String,
    labels: Vec<SpeakerRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "sources.html")]
struct SourcesPage {
    page: Page,
    columns: Vec<Column>,
    /// The sources on this page.
    sources: Vec<SourceRow>,
    pager: Pager,
    speakers: Vec<SpeakerGroup>,
    people: Vec<String>,
    unmapped: usize,
    applied: Vec<DeidRecord>,
    /// The study's sites `(code, name)`, for the upload form.
    sites: Vec<(String, String)>,
    /// The kinds a source may be, for the upload form.
    kinds: Vec<&'static str>,
}

impl SourcesPage {
    fn value<'a>(&self, s: &'a SourceRow, name: &str) -> &'a str {
        value_of(&s.values, name)
    }

    fn kind_label(kind: &str) -> String {
        kind.replace('_', " ")
    }
}

fn build_sources(
    study: &mut Study,
    session: &Session,
    csrf: &str,
    asked: Option<usize>,
) -> Result<SourcesPage, WebError> {
    let all = study.summaries()?;
    let people = study.participants()?;
    let labels = study.speakers()?;
    let pager = Pager::new("/sources", asked, all.len());
    let shown = &all[pager.range()];
    // Words, codings and attributes are read for this page's sources only.
    let rows = source_rows(study, session, shown)?;
    let store = &*study.store;
    let page = Page::new(store, session, csrf, t("title.sources"), Nav::Sources)?
        .with_script("people.js")
        .with_script("upload.js");
    let unmapped = labels
        .iter()
        .filter(|r| r.role == "unmapped" || r.role == "ambiguous")
        .count();
    // Both lists are by source id: the page's labels are one run of rows.
    let (first, last) = match (shown.first(), shown.last()) {
        (Some(a), Some(b)) => (a.id, b.id),
        _ => (1, 0),
    };
    let from = labels.partition_point(|r| r.source_id < first);
    let to = labels.partition_point(|r| r.source_id <= last);
    let mut speakers: Vec<SpeakerGroup> = Vec::new();
    for r in labels.get(from..to).unwrap_or_default() {
        match speakers.last_mut() {
            Some(g) if g.source_id == r.source_id => g.labels.push(r.clone()),
            _ => speakers.push(SpeakerGroup {
                source_id: r.source_id,
                source: r.source.clone(),
                labels: vec![r.clone()],
            }),
        }
    }
    Ok(SourcesPage {
        page,
        columns: columns(store.attributes(AppliesTo::Source)?),
        sources: rows,
        pager,
        speakers,
        people: people.iter().map(Participant::display).collect(),
        unmapped,
        applied: store.deidentifications()?,
        sites: site_choices(store)?,
        kinds: SourceKind::ALL.iter().map(|k| k.as_str()).collect(),
    })
}

async fn sources_page(
    State(state): State<AppState>,
    session: Session,
    Query(asked): Query<PageParam>,
) -> PageResult<SourcesPage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .with_study(move |study| build_sources(study, &session, &csrf, asked.page))
        .await?)
}
