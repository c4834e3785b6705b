//! One coder's tree as tree alignment takes it: the coder's own codebook
//! in tree order, the same codes as `verbatim_analysis::alignment` nodes,
//! and each code's coverage (its passages and those of every code below
//! it). `verbatim align`, the compare page and the alignment figure all
//! align layers loaded here.

use std::collections::HashMap;

use verbatim_analysis::alignment::{self, Coded, Coverage, Node, NodeId};
use verbatim_store::{Book, CodeNode, Coder, Scope, SqliteStore};

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
pub fn load_layer(store: &SqliteStore, scope: &Scope, coder: Coder) -> Result<Layer, ViewError> {
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
    let spans: Vec<Coded> = store
        .coded_spans(scope, coder.id, Book::Of(coder.id))?
        .into_iter()
        .map(|s| Coded {
            code: s.code,
            source: s.source,
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
