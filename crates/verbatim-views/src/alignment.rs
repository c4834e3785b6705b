//! One coder's tree as tree alignment takes it: the coder's own codebook
//! in tree order, the same codes as `verbatim_analysis::alignment` nodes,
//! and each code's coverage (its passages and those of every code below
//! it). `verbatim align`, the compare page and the alignment figure all
//! align layers loaded here, through the store's traits (either backend).

use std::collections::HashMap;

use verbatim_analysis::alignment::{self, Coded, Coverage, Node, NodeId};
use verbatim_store::{AnalysisReads, Book, CodeNode, Coder, Scope, SpanFilter, StoreError};

use crate::ViewError;

/// One coder's tree, loaded for comparison.
#[derive(Debug, Clone)]
pub struct Layer {
    /// The coder.
    pub coder: Coder,
    /// Their codes, in tree order.
    pub codes: Vec<CodeNode>,
    /// The same codes as alignment wants them.
    pub tree: Vec<Node>,
    /// Each code's coverage, descendants included.
    pub coverage: HashMap<NodeId, Coverage>,
}

/// Loads a coder's own codebook and the coverage of each of its codes
/// (the scope must see that coder's layer: after reveal, or solo).
pub fn load_layer<S: AnalysisReads + ?Sized>(
    store: &S,
    scope: &Scope,
    coder: Coder,
) -> Result<Layer, ViewError> {
    // Comparing trees reads another coder's layer: only a scope that sees
    // every layer may (after reveal, or solo), even for one's own.
    if !scope.sees_all() {
        return Err(StoreError::Blind.into());
    }
    let codes = store.code_tree(scope, Book::Of(coder.id))?;
    let tree: Vec<Node> = codes
        .iter()
        .map(|c| Node {
            id: c.id,
            name: c.name.clone(),
            level: c.level,
            parents: c.parent.into_iter().chain(c.also_under.clone()).collect(),
        })
        .collect();
    let filter = SpanFilter {
        codes: Some(codes.iter().map(|c| c.id).collect()),
        coder: Some(coder.id),
        include_context: true,
    };
    let spans: Vec<Coded> = store
        .coding_spans(scope, &filter)?
        .into_iter()
        .map(|s| Coded {
            code: s.code_id,
            source: s.source_id,
            start: s.start,
            end: s.end,
        })
        .collect();
    let coverage = alignment::coverages(&tree, &spans)?;
    Ok(Layer {
        coder,
        codes,
        tree,
        coverage,
    })
}
