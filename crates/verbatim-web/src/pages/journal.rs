//! The journal page: the coder's reflexive journal (write, seal
//! preconceptions with their hash and time shown, link entries to
//! themes) and every memo they can see, editable in place when theirs.
//! Changes go through `/api/journal` and `/api/memos`
//! ([`crate::api::journal`]).

use crate::Backend;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use verbatim_store::{JournalEntry, Memo};

use crate::api::journal::MemoQuery;
use crate::error::PageResult;
use crate::i18n::t;
use crate::layout::{Nav, Page};
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the journal page's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/journal", get(journal_page))
}

/// A code an entry can be linked to.
struct CodeChoice {
    id: i64,
    name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "journal.html")]
struct JournalPage {
    page: Page,
    entries: Vec<JournalEntry>,
    memos: Vec<Memo>,
    codes: Vec<CodeChoice>,
    sources: Vec<(i64, String)>,
    memo_kind: String,
    memo_q: String,
    needs_coder: bool,
}

impl JournalPage {
    fn mine(&self, coder: &Option<String>) -> bool {
        coder.is_some() && *coder == self.page.coder
    }

    fn entry_mine(&self, e: &JournalEntry) -> bool {
        self.page.coder.as_deref() == Some(e.coder.as_str())
    }

    fn day(&self, at: &str) -> String {
        at.chars().take(16).collect::<String>().replace('T', " ")
    }

    fn target(&self, m: &Memo) -> String {
        let label = m.target_label.clone().unwrap_or_default();
        match m.target_kind.as_str() {
            "study" => "the study".into(),
            "coding" => format!("coding {}", m.target_id.unwrap_or(0)),
            kind if label.is_empty() => kind.to_owned(),
            kind => format!("{kind} {label}"),
        }
    }
}

fn build(
    store: &dyn Backend,
    session: &Session,
    csrf: &str,
    q: &MemoQuery,
) -> Result<JournalPage, WebError> {
    let page = Page::new(store, session, csrf, t("title.journal"), Nav::Journal)?
        .at("/journal")
        .with_script("journal.js");
    let sources = store
        .sources()?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut out = JournalPage {
        page,
        entries: Vec::new(),
        memos: Vec::new(),
        codes: Vec::new(),
        sources,
        memo_kind: q.kind.clone().unwrap_or_default(),
        memo_q: q.q.clone().unwrap_or_default(),
        needs_coder: session.coder.is_none(),
    };
    if out.needs_coder {
        return Ok(out);
    }
    let scope = session.scope(store)?;
    out.entries = store.entries(&scope)?;
    out.entries.reverse();
    out.memos = store.memos(&scope, &q.filter())?;
    out.memos.reverse();
    let own = session.own_scope(store)?;
    out.codes = store
        .visible_codes(&own)?
        .into_iter()
        .map(|c| CodeChoice {
            id: c.id,
            name: c.name,
        })
        .collect();
    out.codes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

async fn journal_page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<MemoQuery>,
) -> PageResult<JournalPage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .read(move |store| build(store, &session, &csrf, &q))
        .await?)
}
