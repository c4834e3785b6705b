//! The compare page: two coders' agreement per shared code, their trees
//! aligned side by side, the passages only one of them coded (for a
//! matched pair) side by side, and the reconciliation decisions. Before
//! the study is revealed it says so and offers to reveal it; nothing of
//! another coder's layer is read until then.

use crate::Backend;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;
use verbatim_store::{Decision, DecisionKind};

use crate::api::compare::{
    AgreementTable, Aligned, Disagreements, MatchedPair, Pair, agreement_table, align_trees,
    comparing, disagreements, two_coders,
};
use crate::error::PageResult;
use crate::i18n::t;
use crate::layout::{Nav, Page};
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the compare page's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/compare", get(compare_page))
}

#[derive(Debug, Deserialize)]
struct CompareQuery {
    #[serde(flatten)]
    pair: Pair,
    /// The matched pair whose disagreements to show (from 1).
    #[serde(default)]
    pair_no: Option<usize>,
}

/// A decision in words.
struct DecisionRow {
    id: i64,
    when: String,
    who: String,
    what: String,
    shared: String,
    from: String,
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "compare.html")]
struct ComparePage {
    page: Page,
    /// Why nothing can be compared yet, if so.
    blocked: Option<String>,
    coders: Vec<String>,
    a: String,
    b: String,
    agreement: Option<AgreementTable>,
    aligned: Option<Aligned>,
    selected: Option<MatchedPair>,
    shared_for_selected: Option<i64>,
    passages: Option<Disagreements>,
    decisions: Vec<DecisionRow>,
}

impl ComparePage {
    fn pct(&self, v: &Option<f64>) -> String {
        v.map_or_else(|| "–".into(), |v| format!("{v:.1} %"))
    }

    fn kappa(&self, v: &Option<f64>) -> String {
        v.map_or_else(|| "–".into(), |v| format!("{v:.2}"))
    }

    fn indent(&self, depth: &usize) -> String {
        "\u{a0}\u{a0}\u{a0}".repeat(*depth)
    }

    fn is_selected(&self, pair: &usize) -> bool {
        self.selected.as_ref().is_some_and(|s| s.pair == *pair)
    }
}

fn describe(d: &Decision) -> DecisionRow {
    let what = match d.kind {
        DecisionKind::Accept => "accepted into the shared codebook".to_owned(),
        DecisionKind::Merge => "merged into one shared code".to_owned(),
        DecisionKind::Keep => "kept in its coder's codebook".to_owned(),
        DecisionKind::PassageAccept | DecisionKind::PassageReject => format!(
            "passage {}..{} of source {} {}",
            d.start.unwrap_or(0),
            d.end.unwrap_or(0),
            d.source_id.unwrap_or(0),
            if d.kind == DecisionKind::PassageAccept {
                "coded in the shared layer"
            } else {
                "left out"
            }
        ),
    };
    DecisionRow {
        id: d.id,
        when: d
            .decided_at
            .chars()
            .take(16)
            .collect::<String>()
            .replace('T', " "),
        who: d.coder.clone(),
        what,
        shared: d.shared_name.clone().unwrap_or_default(),
        from: d
            .origins
            .iter()
            .map(|o| {
                format!(
                    "{}: {}",
                    o.coder.as_deref().unwrap_or("shared"),
                    o.code_name
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        note: d.note.clone().unwrap_or_default(),
    }
}

fn build(
    store: &dyn Backend,
    session: &Session,
    csrf: &str,
    q: &CompareQuery,
) -> Result<ComparePage, WebError> {
    let page = Page::new(store, session, csrf, t("title.compare"), Nav::Compare)?
        .at("/compare")
        .with_script("compare.js");
    let coders: Vec<String> = store.coders()?.into_iter().map(|c| c.name).collect();
    let mut out = ComparePage {
        page,
        blocked: None,
        coders,
        a: String::new(),
        b: String::new(),
        agreement: None,
        aligned: None,
        selected: None,
        shared_for_selected: None,
        passages: None,
        decisions: Vec::new(),
    };
    if session.coder.is_none() {
        out.blocked = Some("Choose who is coding in the header first.".into());
        return Ok(out);
    }
    let scope = match comparing(store, session) {
        Ok(scope) => scope,
        Err(WebError::Store(e)) => {
            out.blocked = Some(e.to_string());
            return Ok(out);
        }
        Err(e) => return Err(e),
    };
    let pair = match two_coders(store, &q.pair) {
        Ok(pair) => pair,
        Err(e @ (WebError::BadRequest(_) | WebError::Store(_))) => {
            out.blocked = Some(e.to_string());
            return Ok(out);
        }
        Err(e) => return Err(e),
    };
    out.a = pair[0].name.clone();
    out.b = pair[1].name.clone();
    out.agreement = Some(agreement_table(store, &scope, &pair)?);
    let aligned = align_trees(store, &scope, &pair)?;
    let decisions = store.decisions(&scope)?;
    if let Some(n) = q.pair_no {
        out.selected = aligned.matched.iter().find(|m| m.pair == n).cloned();
    }
    if let Some(sel) = &out.selected {
        out.passages = Some(disagreements(store, &scope, &pair, sel.a, sel.b)?);
        // The shared code this pair became, if a decision made one.
        out.shared_for_selected = decisions
            .iter()
            .filter(|d| matches!(d.kind, DecisionKind::Merge | DecisionKind::Accept))
            .find(|d| {
                d.origins
                    .iter()
                    .any(|o| o.code_id == sel.a || o.code_id == sel.b)
            })
            .and_then(|d| d.shared_code);
    }
    out.aligned = Some(aligned);
    out.decisions = decisions.iter().map(describe).collect();
    Ok(out)
}

async fn compare_page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<CompareQuery>,
) -> PageResult<ComparePage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .read(move |store| build(store, &session, &csrf, &q))
        .await?)
}
