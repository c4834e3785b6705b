//! What several figures read from a study: a codebook's tree and its coded
//! passages attributed to participants, in the shape
//! `verbatim_analysis::evidence` takes.
//!
//! Speakers map to participants through `verbatim_views::speakers`, as in
//! the CLI's `commands/evidence.rs` (the loader of `verbatim
//! triangulation`), so the figures count what the commands print; codings
//! are read as bare numbers and turns once per source instead of every
//! coding's text: a 100,000-coding study loads in a few queries.

use std::collections::{HashMap, HashSet};

use verbatim_analysis::evidence::{Node, Passage};
use verbatim_store::{AgreementReads, AnalysisReads, Book, CodeNode, Scope, StoreError};
use verbatim_views::speakers::Speakers;
use verbatim_views::{self as views, ViewError};

use super::FigureError;

impl From<ViewError> for FigureError {
    /// Keeps the store's and the alignment's errors as they are; a view's
    /// input error becomes an invalid parameter.
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::Store(e) => FigureError::Store(e),
            ViewError::Align(e) => FigureError::Align(e),
            other => FigureError::Invalid(other.to_string()),
        }
    }
}

/// A codebook's tree with the passages coded with it.
pub(crate) struct Study {
    /// The codebook's codes in display order.
    pub codes: Vec<CodeNode>,
    /// The same codes as the analyses take them.
    pub nodes: Vec<Node>,
    /// The coded passages of counted sources, attributed to participants
    /// (text left empty: no figure shows it).
    pub passages: Vec<Passage>,
    /// Every participant who speaks in a counted source the codebook's coder
    /// coded, sorted (the
    /// denominator of "n of N participants").
    pub participants: Vec<String>,
    /// Participant code → its attribute values.
    pub values: HashMap<String, Vec<(String, String)>>,
}

/// Loads `book` as the scope sees it; context-only sources are left out
/// unless `include_context`.
pub(crate) fn load<S: AnalysisReads + AgreementReads + ?Sized>(
    store: &S,
    scope: &Scope,
    book: Book,
    include_context: bool,
) -> Result<Study, StoreError> {
    // As the commands count: analytic codes only, over the sources the
    // codebook's coder (or, for the consensus, the team) coded.
    let codes = views::coded::analytic_only(store.code_tree(scope, book)?);
    let coder_filter = match book {
        Book::Of(c) => Some(c),
        Book::Own if !scope.is_consensus() => Some(scope.coder().id),
        _ => None,
    };
    let coded: HashSet<i64> = views::evidence::coded_sources(store, scope, coder_filter)?
        .into_iter()
        .collect();
    let nodes: Vec<Node> = codes
        .iter()
        .map(|n| Node {
            id: n.id,
            name: n.name.clone(),
            level: n.level,
            parent: n.parent,
            also_under: n.also_under.clone(),
        })
        .collect();
    let sources: HashMap<i64, verbatim_store::SourceSummary> =
        store.sources()?.into_iter().map(|s| (s.id, s)).collect();
    let candidates: Vec<_> = store
        .quote_candidates(scope, book)?
        .into_iter()
        .filter(|c| {
            coded.contains(&c.source_id)
                && sources
                    .get(&c.source_id)
                    .is_some_and(|s| include_context || s.kind != "context")
        })
        .collect();
    let mut ids: Vec<i64> = candidates.iter().map(|c| c.source_id).collect();
    ids.dedup();
    let turns = store.turns_of(&ids)?;
    let Speakers {
        owners: who,
        participants,
        ..
    } = views::speakers::speakers_in(store, include_context, Some(&coded))?;
    let mut passages = Vec::with_capacity(candidates.len());
    for c in candidates {
        let Some(source) = sources.get(&c.source_id) else {
            continue;
        };
        let labels = crate::quotes::overlapping(turns.get(&c.source_id), c.start, c.end);
        passages.push(Passage {
            code: c.code_id,
            source_id: c.source_id,
            source: source.name.clone(),
            kind: source.kind.clone(),
            site: source.site.clone(),
            participants: crate::quotes::people(c.source_id, &labels, &who),
            start: c.start,
            end: c.end,
            text: String::new(),
            is_quote: c.is_quote,
            translations: Vec::new(),
        });
    }
    let values = views::speakers::participant_values(store)?;
    Ok(Study {
        codes,
        nodes,
        passages,
        participants,
        values,
    })
}
