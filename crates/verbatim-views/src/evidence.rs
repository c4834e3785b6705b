//! A codebook's tree and the coded passages supporting it, each attributed
//! to the participants who spoke it: the input of triangulation, the IPA
//! tables, confrontation and the report's prevalence and quotes.
//!
//! `verbatim triangulation`, `ipa-table`, `confront` and `verbatim report`
//! must count the same passages for the same participants, so they load
//! them here, once.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use verbatim_analysis::evidence::{Node, Passage};
use verbatim_store::{Book, CodeNode, CodingFilter, Scope, SqliteStore, Store, StoreError};

use crate::speakers::{Speakers, speakers};

/// A codebook's tree and its supporting passages.
pub struct Evidence {
    /// Every node, in display order, with its descriptive fields.
    pub tree: Vec<CodeNode>,
    /// The same nodes as the analyses take them.
    pub nodes: Vec<Node>,
    /// The coded passages of counted sources, attributed to participants.
    pub passages: Vec<Passage>,
    /// Every participant heard in a counted source, sorted.
    pub participants: Vec<String>,
    /// Participants heard in counted sources, per site.
    pub by_site: BTreeMap<String, BTreeSet<String>>,
}

/// Loads one codebook's tree and the passages coded with it, by
/// `coder_filter` (or every coder the scope sees). Context-only sources
/// count only when `include_context` asks for them.
pub fn load(
    store: &SqliteStore,
    scope: &Scope,
    book: Book,
    coder_filter: Option<i64>,
    include_context: bool,
) -> Result<Evidence, StoreError> {
    let tree = store.code_tree(scope, book)?;
    let nodes: Vec<Node> = tree
        .iter()
        .map(|n| Node {
            id: n.id,
            name: n.name.clone(),
            level: n.level,
            parent: n.parent,
            also_under: n.also_under.clone(),
        })
        .collect();
    let sources: HashMap<i64, (String, Option<String>)> = store
        .sources()?
        .into_iter()
        .map(|s| (s.id, (s.kind, s.site)))
        .collect();
    let Speakers {
        owners: who,
        participants,
        by_site,
    } = speakers(store, include_context)?;
    let in_book: HashSet<i64> = nodes.iter().map(|n| n.id).collect();
    let filter = CodingFilter {
        coder: coder_filter,
        ..CodingFilter::default()
    };
    let mut passages = Vec::new();
    for c in store.codings(scope, &filter)? {
        let Some((kind, site)) = sources.get(&c.source_id) else {
            continue;
        };
        if !in_book.contains(&c.code_id) || (kind == "context" && !include_context) {
            continue;
        }
        let mut people: Vec<String> = c
            .speakers
            .iter()
            .filter_map(|label| who.get(&(c.source_id, label.clone())).cloned().flatten())
            .collect();
        people.dedup();
        passages.push(Passage {
            code: c.code_id,
            source_id: c.source_id,
            source: c.source,
            kind: kind.clone(),
            site: site.clone(),
            participants: people,
            start: c.start,
            end: c.end,
            text: c.text,
            is_quote: c.is_quote,
            translations: c.translations,
        });
    }
    Ok(Evidence {
        tree,
        nodes,
        passages,
        participants,
        by_site,
    })
}
