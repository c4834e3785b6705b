//! A codebook's tree and the coded passages supporting it, with who spoke
//! each passage: the input of prevalence, quotes and confrontation.
//!
//! This is the loading `verbatim triangulation`, `ipa-table` and `confront`
//! do in the CLI (`commands/evidence.rs`), done here so the library can
//! build a report without the binary; it must stay equivalent to it, which
//! the CLI tests check by comparing the report's numbers with those
//! commands' output. Context-only sources are never counted.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use verbatim_analysis::evidence::{Node, Passage};
use verbatim_store::{Book, CodeNode, CodingFilter, Scope, SqliteStore, Store, StoreError};

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
    /// Participants heard in counted sources, per site code.
    pub by_site: BTreeMap<String, BTreeSet<String>>,
}

/// Loads one codebook's tree and the passages coded with it, by
/// `coder_filter` (or every coder the scope sees).
pub fn load(
    store: &SqliteStore,
    scope: &Scope,
    book: Book,
    coder_filter: Option<i64>,
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
    // Speaker label → participant code, per source; interviewers map to None.
    let mut who: HashMap<(i64, String), Option<String>> = HashMap::new();
    let mut participants: BTreeSet<String> = BTreeSet::new();
    let mut by_site: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in store.speakers(None)? {
        let counted = sources.get(&row.source_id);
        let person = match row.role.as_str() {
            "interviewer" => None,
            _ => Some(row.participant.clone().unwrap_or_else(|| row.label.clone())),
        };
        if let (Some((kind, site)), Some(p)) = (counted, &person)
            && kind != "context"
        {
            participants.insert(p.clone());
            let site = site.clone().unwrap_or_else(|| "(no site)".into());
            by_site.entry(site).or_default().insert(p.clone());
        }
        who.insert((row.source_id, row.label), person);
    }
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
        if !in_book.contains(&c.code_id) || kind == "context" {
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
        participants: participants.into_iter().collect(),
        by_site,
    })
}
