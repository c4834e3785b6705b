//! Comparing two coders and reconciling their work over HTTP: agreement
//! per shared code (`verbatim agreement`), the two theme trees aligned by
//! the text they cover (`verbatim align`), the passages only one of them
//! coded (`verbatim disagreements`), and the reconciliation decisions
//! (`verbatim reconcile`), each through the same library functions.
//!
//! Every read of another coder's layer needs a comparing scope, which the
//! store grants only once the study is revealed; before that these
//! endpoints answer 403 with the store's own sentence, and `/api/reveal`
//! (audited, not undoable) opens the layers.

use crate::Backend;
use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use verbatim_analysis::alignment::{self, AlignOptions, Coverage, Side};
use verbatim_analysis::query::Passage;
use verbatim_core::Span;
use verbatim_store::{Coder, Decision, Scope, StoreError, Verdict};
use verbatim_views::alignment::{Layer, load_layer};

use crate::error::ApiResult;
use crate::queries::{WebPassage, describe};
use crate::session::Session;
use crate::{AppState, WebError};

/// Returns the routes of agreement, alignment, disagreements, decisions
/// and reveal.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/agreement", get(agreement_route))
        .route("/api/alignment", get(alignment_route))
        .route("/api/disagreements", get(disagreements_route))
        .route("/api/decisions", get(decisions).post(decide))
        .route("/api/reveal", post(reveal))
}

/// The two coders compared, by name.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Pair {
    /// Coder A.
    #[serde(default)]
    pub a: Option<String>,
    /// Coder B.
    #[serde(default)]
    pub b: Option<String>,
}

/// Returns the session's comparing scope (every layer), refused with the
/// store's sentence until the study is revealed.
pub fn comparing(store: &dyn Backend, session: &Session) -> Result<Scope, WebError> {
    session.comparing_scope(store)
}

/// Returns the two coders named, or the first two of the study.
pub fn two_coders(store: &dyn Backend, pair: &Pair) -> Result<[Coder; 2], WebError> {
    let coders = store.coders()?;
    let named = |name: &Option<String>| -> Result<Option<Coder>, WebError> {
        match name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Ok(Some(
                store
                    .coder_by_name(n)?
                    .ok_or_else(|| StoreError::UnknownCoder(n.to_owned()))?,
            )),
            None => Ok(None),
        }
    };
    let too_few = || {
        WebError::BadRequest(
            "comparing needs two coders: add another with `verbatim coder add`".into(),
        )
    };
    let a = match named(&pair.a)? {
        Some(a) => a,
        None => coders.first().cloned().ok_or_else(too_few)?,
    };
    let b = match named(&pair.b)? {
        Some(b) => b,
        None => coders
            .iter()
            .find(|c| c.id != a.id)
            .cloned()
            .ok_or_else(too_few)?,
    };
    if a.id == b.id {
        return Err(WebError::BadRequest(
            "pick two different coders to compare".into(),
        ));
    }
    Ok([a, b])
}

/// Agreement on one shared code (or all codes pooled).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgreementRow {
    /// The code's name, or `all codes (pooled)`.
    pub code: String,
    /// Chars coded by both.
    pub both: u64,
    /// Chars only A coded.
    pub a_only: u64,
    /// Chars only B coded.
    pub b_only: u64,
    /// Percent agreement over characters (0–100), if defined.
    pub percent: Option<f64>,
    /// Cohen's kappa over characters, if defined.
    pub kappa: Option<f64>,
    /// Percent of segments matched at the threshold, if defined.
    pub segments_percent: Option<f64>,
    /// Segments agreed on.
    pub segments_agreed: u64,
    /// Segments not matched.
    pub segments_disagreed: u64,
}

/// The agreement table of two coders.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgreementTable {
    /// The two coders' names.
    pub coders: [String; 2],
    /// One row per shared code, then the pooled row.
    pub rows: Vec<AgreementRow>,
    /// Codes left out: not in both codebooks nor the shared one.
    pub unshared: Vec<String>,
    /// The segment overlap threshold, in percent.
    pub threshold: f64,
}

/// Computes the agreement of two coders on their shared codes, as
/// `verbatim agreement --coders A,B` does (segment threshold 90 %, only
/// the sources both coded).
pub fn agreement_table(
    store: &dyn Backend,
    scope: &Scope,
    [a, b]: &[Coder; 2],
) -> Result<AgreementTable, WebError> {
    let threshold = 90.0;
    let view = verbatim_views::agreement::agreement(
        store,
        scope,
        &verbatim_views::agreement::AgreementOptions::for_coders(&[a.name.clone(), b.name.clone()]),
    )?;
    let (data, comparison) = (view.data, view.comparison);
    let pct = |e: &verbatim_analysis::reliability::Estimate| e.value().map(|v| v * 100.0);
    let rows = comparison
        .by_code
        .iter()
        .chain(std::iter::once(&comparison.overall))
        .filter_map(|row| {
            let p = row.pairs.first()?;
            let t = p.chars.table;
            Some(AgreementRow {
                code: data
                    .codes
                    .get(row.code)
                    .cloned()
                    .unwrap_or_else(|| "all codes (pooled)".into()),
                both: t.both,
                a_only: t.a_only,
                b_only: t.b_only,
                percent: pct(&p.chars.percent),
                kappa: p.chars.kappa.value(),
                segments_percent: pct(&p.segments.percent),
                segments_agreed: p.segments.counts.agreements(),
                segments_disagreed: p.segments.counts.disagreements(),
            })
        })
        .collect();
    Ok(AgreementTable {
        coders: [a.name.clone(), b.name.clone()],
        rows,
        unshared: data.unshared,
        threshold,
    })
}

#[utoipa::path(
    get,
    path = "/api/agreement",
    tag = "compare and reconcile",
    summary = "Agreement of two coders per shared code (revealed study)",
    params(Pair),
    responses((status = 200, description = "Success", body = AgreementTable))
)]
async fn agreement_route(
    State(state): State<AppState>,
    session: Session,
    Query(pair): Query<Pair>,
) -> ApiResult<AgreementTable> {
    let table = state
        .read(move |store| {
            let scope = comparing(store, &session)?;
            agreement_table(store, &scope, &two_coders(store, &pair)?)
        })
        .await?;
    Ok(Json(table))
}

/// A node of a coder's tree, in display order, with its match.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AlignedNode {
    /// The code's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its level's name.
    pub level: String,
    /// Its depth in the tree (0 = top).
    pub depth: usize,
    /// Chars its coverage holds (with the codes below).
    pub chars: usize,
    /// The pair it belongs to (from 1), if matched.
    pub pair: Option<usize>,
}

/// A matched pair of nodes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatchedPair {
    /// Its number, from 1, highest Jaccard first.
    pub pair: usize,
    /// A's code id.
    pub a: i64,
    /// A's code name.
    pub a_name: String,
    /// B's code id.
    pub b: i64,
    /// B's code name.
    pub b_name: String,
    /// Jaccard of their coverages.
    pub jaccard: f64,
}

/// Two trees aligned.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Aligned {
    /// The two coders' names.
    pub coders: [String; 2],
    /// The matched pairs.
    pub matched: Vec<MatchedPair>,
    /// A's tree.
    pub tree_a: Vec<AlignedNode>,
    /// B's tree.
    pub tree_b: Vec<AlignedNode>,
}

/// Aligns the two coders' trees by the text their codes cover, as
/// `verbatim align --coders A,B` does (minimum Jaccard 0.2, every level).
pub fn align_trees(
    store: &dyn Backend,
    scope: &Scope,
    [a, b]: &[Coder; 2],
) -> Result<Aligned, WebError> {
    let la = load_layer(store, scope, a.clone())?;
    let lb = load_layer(store, scope, b.clone())?;
    let options = AlignOptions {
        min_jaccard: 0.2,
        level: None,
    };
    let result = alignment::align(&la.tree, &la.coverage, &lb.tree, &lb.coverage, &options)
        .map_err(|e| WebError::Internal(format!("the alignment could not be computed: {e}")))?;
    let name = |layer: &Layer, id: i64| {
        layer
            .codes
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let matched: Vec<MatchedPair> = result
        .matched
        .iter()
        .enumerate()
        .map(|(i, p)| MatchedPair {
            pair: i + 1,
            a: p.a,
            a_name: name(&la, p.a),
            b: p.b,
            b_name: name(&lb, p.b),
            jaccard: p.overlap.jaccard,
        })
        .collect();
    let nodes = |layer: &Layer, pair_of: &HashMap<i64, usize>| -> Vec<AlignedNode> {
        let mut depth: HashMap<i64, usize> = HashMap::new();
        layer
            .codes
            .iter()
            .map(|c| {
                let d = c.parent.and_then(|p| depth.get(&p)).map_or(0, |d| d + 1);
                depth.insert(c.id, d);
                AlignedNode {
                    id: c.id,
                    name: c.name.clone(),
                    level: c.level_name.clone(),
                    depth: d,
                    chars: layer.coverage.get(&c.id).map_or(0, Coverage::len),
                    pair: pair_of.get(&c.id).copied(),
                }
            })
            .collect()
    };
    let of_a: HashMap<i64, usize> = matched.iter().map(|m| (m.a, m.pair)).collect();
    let of_b: HashMap<i64, usize> = matched.iter().map(|m| (m.b, m.pair)).collect();
    Ok(Aligned {
        coders: [a.name.clone(), b.name.clone()],
        tree_a: nodes(&la, &of_a),
        tree_b: nodes(&lb, &of_b),
        matched,
    })
}

#[utoipa::path(
    get,
    path = "/api/alignment",
    tag = "compare and reconcile",
    summary = "Two coders' trees aligned by the text they cover",
    params(Pair),
    responses((status = 200, description = "Success", body = Aligned))
)]
async fn alignment_route(
    State(state): State<AppState>,
    session: Session,
    Query(pair): Query<Pair>,
) -> ApiResult<Aligned> {
    let aligned = state
        .read(move |store| {
            let scope = comparing(store, &session)?;
            align_trees(store, &scope, &two_coders(store, &pair)?)
        })
        .await?;
    Ok(Json(aligned))
}

/// The code pair whose disagreements to list.
#[derive(Debug, Deserialize)]
struct DisagreementQuery {
    #[serde(flatten)]
    pair: Pair,
    /// A's code id.
    code_a: i64,
    /// B's code id.
    code_b: i64,
}

/// The passages only one of two coders coded with a pair of codes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Disagreements {
    /// The two coders' names.
    pub coders: [String; 2],
    /// A's code id.
    pub code_a: i64,
    /// B's code id.
    pub code_b: i64,
    /// Chars both coded.
    pub agreed_chars: usize,
    /// Passages only A coded, largest first.
    pub only_a: Vec<WebPassage>,
    /// Passages only B coded, largest first.
    pub only_b: Vec<WebPassage>,
}

/// Returns every maximal run of text only one coder coded with their
/// code of the pair, as `verbatim disagreements` does.
pub fn disagreements(
    store: &dyn Backend,
    scope: &Scope,
    [a, b]: &[Coder; 2],
    code_a: i64,
    code_b: i64,
) -> Result<Disagreements, WebError> {
    let coverage = |coder: &Coder, code: i64| -> Result<Coverage, WebError> {
        let spans = store.passages_of(scope, coder.id, code)?;
        Coverage::from_spans(spans.iter().map(|s| (s.source, s.start, s.end)))
            .map_err(|e| WebError::Internal(e.to_string()))
    };
    let ca = coverage(a, code_a)?;
    let cb = coverage(b, code_b)?;
    let runs = alignment::disagreements(&ca, &cb);
    let side = |s: Side| -> Vec<Passage> {
        runs.iter()
            .filter(|p| p.coded_by == s)
            .map(|p| Passage {
                source: p.source,
                start: p.start,
                end: p.end,
            })
            .collect()
    };
    Ok(Disagreements {
        coders: [a.name.clone(), b.name.clone()],
        code_a,
        code_b,
        agreed_chars: ca.intersection_len(&cb),
        only_a: describe(store, &side(Side::A), 80)?,
        only_b: describe(store, &side(Side::B), 80)?,
    })
}

#[utoipa::path(
    get,
    path = "/api/disagreements",
    tag = "compare and reconcile",
    summary = "Passages only one coder coded, for a pair of codes",
    params(
        Pair,
        ("code_a" = i64, Query, description = "A's code id."),
        ("code_b" = i64, Query, description = "B's code id.")
    ),
    responses((status = 200, description = "Success", body = Disagreements))
)]
async fn disagreements_route(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<DisagreementQuery>,
) -> ApiResult<Disagreements> {
    let found = state
        .read(move |store| {
            let scope = comparing(store, &session)?;
            let coders = two_coders(store, &q.pair)?;
            disagreements(store, &scope, &coders, q.code_a, q.code_b)
        })
        .await?;
    Ok(Json(found))
}

#[utoipa::path(
    get,
    path = "/api/decisions",
    tag = "compare and reconcile",
    summary = "Reconciliation decisions",
    responses((status = 200, description = "Success", body = Vec<Decision>))
)]
async fn decisions(State(state): State<AppState>, session: Session) -> ApiResult<Vec<Decision>> {
    let list = state
        .read(move |store| Ok(store.decisions(&comparing(store, &session)?)?))
        .await?;
    Ok(Json(list))
}

/// One reconciliation decision, as `verbatim reconcile` takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum DecisionBody {
    /// Copy a coder's code (and its subtree) into the shared codebook.
    Accept {
        code: i64,
        #[serde(default)]
        subtree: bool,
        under: Option<i64>,
        note: Option<String>,
    },
    /// Two matched codes become one shared code.
    Merge {
        code_a: i64,
        code_b: i64,
        name: Option<String>,
        under: Option<i64>,
        note: Option<String>,
    },
    /// A code stays its coder's, with the reason.
    Keep { code: i64, note: String },
    /// A disagreement passage coded in the consensus layer (accept) or left
    /// out (reject); `source_id`, `start`, `end` in the study's chars.
    Passage {
        verdict: String,
        source_id: i64,
        start: usize,
        end: usize,
        shared: Option<i64>,
        #[serde(default)]
        origins: Vec<i64>,
        note: Option<String>,
    },
}

/// The decision recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Decided {
    id: i64,
}

fn note(n: &Option<String>) -> Option<&str> {
    n.as_deref().map(str::trim).filter(|n| !n.is_empty())
}

#[utoipa::path(
    post,
    path = "/api/decisions",
    tag = "compare and reconcile",
    summary = "Record a reconciliation decision",
    request_body = DecisionBody,
    responses((status = 200, description = "Success", body = Decided))
)]
async fn decide(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<DecisionBody>,
) -> ApiResult<Decided> {
    let id = state
        .write(move |store| {
            let scope = comparing(store, &session)?;
            Ok(match &body {
                DecisionBody::Accept {
                    code,
                    subtree,
                    under,
                    note: n,
                } => store.reconcile_accept(&scope, *code, *subtree, *under, note(n))?,
                DecisionBody::Merge {
                    code_a,
                    code_b,
                    name,
                    under,
                    note: n,
                } => store.reconcile_merge_codes(
                    &scope,
                    &[*code_a, *code_b],
                    name.as_deref().map(str::trim).filter(|s| !s.is_empty()),
                    *under,
                    note(n),
                )?,
                DecisionBody::Keep { code, note } => store.reconcile_keep(&scope, *code, note)?,
                DecisionBody::Passage {
                    verdict,
                    source_id,
                    start,
                    end,
                    shared,
                    origins,
                    note: n,
                } => {
                    let verdict = match verdict.as_str() {
                        "accept" => Verdict::Accept,
                        "reject" => Verdict::Reject,
                        other => {
                            return Err(WebError::BadRequest(format!(
                                "a passage is accepted or rejected, not {other:?}"
                            )));
                        }
                    };
                    let span = Span::new(*start, *end)
                        .map_err(|e| WebError::BadRequest(format!("{e}: reload the page")))?;
                    store.reconcile_passage(
                        &scope,
                        verdict,
                        *source_id,
                        span,
                        *shared,
                        origins,
                        note(n),
                    )?
                }
            })
        })
        .await?;
    Ok(Json(Decided { id }))
}

/// Whether the study was revealed by this call.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Revealed {
    /// False when it already was.
    revealed: bool,
}

#[utoipa::path(
    post,
    path = "/api/reveal",
    tag = "compare and reconcile",
    summary = "Reveal every coder's layer to every coder (audited, not undoable)",
    responses((status = 200, description = "Success", body = Revealed))
)]
async fn reveal(State(state): State<AppState>, session: Session) -> ApiResult<Revealed> {
    // Recorded under the account in team mode (an owner need not code),
    // under the coder picked locally.
    let actor = match session.account {
        Some(_) => session.actor(),
        None => session.coder()?.to_owned(),
    };
    let revealed = state.write(move |store| Ok(store.reveal(&actor)?)).await?;
    Ok(Json(Revealed { revealed }))
}
