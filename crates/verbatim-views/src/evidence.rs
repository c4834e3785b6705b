//! A codebook's tree and the coded passages supporting it, each attributed
//! to the participants who spoke it: the input of triangulation, the IPA
//! tables, confrontation and the report's prevalence and quotes.
//!
//! `verbatim triangulation`, `ipa-table`, `confront` and `verbatim report`
//! must count the same passages for the same participants, so they load
//! them here, once. Two rules make their "n of N participants" printable:
//!
//! - N counts the people heard in the sources the coder coded (for the
//!   consensus layer or a reader of every layer, the sources the team
//!   coded: `SqliteStore::sources_coded_by`), and only those sources'
//!   passages count; `Evidence::sources` says which entered;
//! - structural codes (interview-guide questions) are no results: they are
//!   left out of the tree unless `include_structural`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use verbatim_analysis::evidence::{Node, Passage};
use verbatim_store::{Book, CodeNode, CodingFilter, Scope, SqliteStore, Store, StoreError};

use crate::coded::analytic_only;
use crate::speakers::{Person, Speakers, Unmapped, speakers_in};

/// A codebook's tree and its supporting passages.
pub struct Evidence {
    /// Every node, in display order, with its descriptive fields.
    pub tree: Vec<CodeNode>,
    /// The same nodes as the analyses take them.
    pub nodes: Vec<Node>,
    /// The coded passages of counted sources, attributed to participants.
    pub passages: Vec<Passage>,
    /// Every person heard in a counted source, sorted.
    pub participants: Vec<String>,
    /// People heard in counted sources, per site.
    pub by_site: BTreeMap<String, BTreeSet<String>>,
    /// The counted sources `(id, name)`: those coded, by id.
    pub sources: Vec<(i64, String)>,
    /// The people among `participants` who stand for an unmapped label.
    pub unmapped: BTreeMap<String, Unmapped>,
}

impl Evidence {
    /// Returns every counted person, described (unmapped ones flagged).
    pub fn people(&self) -> Vec<Person> {
        let speakers = Speakers {
            participants: self.participants.clone(),
            unmapped: self.unmapped.clone(),
            ..Speakers::default()
        };
        speakers.people()
    }

    /// Returns the counted sources' names, in id order.
    pub fn source_names(&self) -> Vec<String> {
        self.sources.iter().map(|(_, n)| n.clone()).collect()
    }
}

/// Which sources and codes count.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Count context-only sources too.
    pub include_context: bool,
    /// Keep structural codes (interview-guide questions) in the tree.
    pub include_structural: bool,
}

/// Loads one codebook's analytic tree and the passages coded with it, by
/// `coder_filter` (or every coder the scope sees), over the sources that
/// coder (or the team) coded. Context-only sources count only when
/// `include_context` asks for them.
pub fn load(
    store: &SqliteStore,
    scope: &Scope,
    book: Book,
    coder_filter: Option<i64>,
    include_context: bool,
) -> Result<Evidence, StoreError> {
    let options = Options {
        include_context,
        include_structural: false,
    };
    load_with(store, scope, book, coder_filter, options)
}

/// Returns the ids of the sources whose people count: those `coder_filter`
/// coded; the team's when it is the consensus layer, or when no coder is
/// named and the scope reads every layer (or is the consensus).
pub fn coded_sources(
    store: &SqliteStore,
    scope: &Scope,
    coder_filter: Option<i64>,
) -> Result<Vec<i64>, StoreError> {
    let consensus = store.consensus_coder()?.id;
    match coder_filter {
        Some(id) if id == consensus => store.sources_coded_by_anyone(),
        Some(id) => store.sources_coded_by_id(id),
        None if scope.sees_all() => store.sources_coded_by_anyone(),
        None => store.sources_coded_by(scope),
    }
}

/// [`load`] with every option.
pub fn load_with(
    store: &SqliteStore,
    scope: &Scope,
    book: Book,
    coder_filter: Option<i64>,
    options: Options,
) -> Result<Evidence, StoreError> {
    let include_context = options.include_context;
    let mut tree = store.code_tree(scope, book)?;
    if !options.include_structural {
        tree = analytic_only(tree);
    }
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
    let coded: HashSet<i64> = coded_sources(store, scope, coder_filter)?
        .into_iter()
        .collect();
    let mut entered = Vec::new();
    let mut sources: HashMap<i64, (String, Option<String>)> = HashMap::new();
    for s in store.sources()? {
        if coded.contains(&s.id) && (include_context || s.kind != "context") {
            entered.push((s.id, s.name));
            sources.insert(s.id, (s.kind, s.site));
        }
    }
    entered.sort_unstable();
    let Speakers {
        owners: who,
        participants,
        by_site,
        unmapped,
    } = speakers_in(store, include_context, Some(&coded))?;
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
        if !in_book.contains(&c.code_id) {
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
        sources: entered,
        unmapped,
    })
}
