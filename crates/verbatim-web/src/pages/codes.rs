//! The theme tree editor: the coder's codebook as a tree with levels and
//! counts. The tree is rendered here (it works without JavaScript as a
//! read-only outline); `assets/js/tree.js` adds drag and drop (move under,
//! reorder, merge), editing and the passages of a code.

use crate::Backend;
use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use verbatim_store::CodeNode;

use crate::api::codes::trees;
use crate::error::PageResult;
use crate::i18n::t;
use crate::layout::{Nav, Page};
use crate::palette;
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the tree editor's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/codes", get(codes))
}

#[derive(Template, WebTemplate)]
#[template(path = "codes.html")]
struct CodesPage {
    page: Page,
    own: Vec<Row>,
    shared: Vec<Row>,
    levels: Vec<String>,
    coding_enabled: bool,
}

/// One node, flattened in display order with its depth; the template
/// opens and closes the nested lists from `opens` and `closes`.
struct Row {
    id: i64,
    name: String,
    level: i64,
    level_name: String,
    colour: String,
    parent: i64,
    codings: i64,
    sources: i64,
    also_under: usize,
    /// Lists to open before this row's children (1 when it has children).
    has_children: bool,
    /// How many nested lists close after this row.
    closes: usize,
}

async fn codes(State(state): State<AppState>, session: Session) -> PageResult<CodesPage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .read(move |store| build(store, &session, &csrf))
        .await?)
}

fn build(store: &dyn Backend, session: &Session, csrf: &str) -> Result<CodesPage, WebError> {
    let page =
        Page::new(store, session, csrf, t("title.codes"), Nav::Codes)?.with_script("tree.js");
    let levels = store.levels()?.into_iter().map(|l| l.name).collect();
    if session.coder.is_none() {
        return Ok(CodesPage {
            page,
            own: Vec::new(),
            shared: Vec::new(),
            levels,
            coding_enabled: false,
        });
    }
    let t = trees(store, session)?;
    Ok(CodesPage {
        page,
        own: flatten(&t.own),
        shared: flatten(&t.shared),
        levels,
        coding_enabled: true,
    })
}

/// Returns the tree in depth-first display order with nesting marks.
fn flatten(nodes: &[CodeNode]) -> Vec<Row> {
    let mut children: HashMap<Option<i64>, Vec<&CodeNode>> = HashMap::new();
    for n in nodes {
        children.entry(n.parent).or_default().push(n);
    }
    for list in children.values_mut() {
        list.sort_by_key(|n| (n.position, n.id));
    }
    let mut out = Vec::with_capacity(nodes.len());
    // Roots are the codes whose parent is absent from this book.
    let ids: std::collections::HashSet<i64> = nodes.iter().map(|n| n.id).collect();
    let mut roots: Vec<&CodeNode> = nodes
        .iter()
        .filter(|n| n.parent.is_none_or(|p| !ids.contains(&p)))
        .collect();
    roots.sort_by_key(|n| (n.position, n.id));
    for root in roots {
        walk(root, &children, &mut out, 0);
    }
    out
}

fn walk(
    node: &CodeNode,
    children: &HashMap<Option<i64>, Vec<&CodeNode>>,
    out: &mut Vec<Row>,
    depth: usize,
) {
    // The store refuses cycles; the depth bound only guards a corrupt file.
    let kids = match children.get(&Some(node.id)) {
        Some(list) if depth < 64 => list.as_slice(),
        _ => &[][..],
    };
    out.push(Row {
        id: node.id,
        name: node.name.clone(),
        level: node.level,
        level_name: node.level_name.clone(),
        colour: palette::class_of(node.id),
        parent: node.parent.unwrap_or(0),
        codings: node.codings_total,
        sources: node.sources_total,
        also_under: node.also_under.len(),
        has_children: !kids.is_empty(),
        closes: 0,
    });
    for kid in kids {
        walk(kid, children, out, depth + 1);
    }
    if !kids.is_empty()
        && let Some(last) = out.last_mut()
    {
        last.closes += 1;
    }
}
