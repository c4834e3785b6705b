//! Loading a coder's themes and the passages that support them, with the
//! participants who spoke each passage, for the analyses in
//! `verbatim_analysis::evidence` (triangulation, IPA tables, confrontation).
//! Speakers are mapped to participants by `verbatim_views::speakers`, the
//! mapping the report's figures count with too. Only the sources the coder
//! (or, on the shared codebook, the team) coded count, and structural codes
//! only with `--include-structural` (`verbatim_views::evidence`).

use std::collections::HashMap;

use clap::Args;
use verbatim_analysis::evidence::{Node, Passage};
use verbatim_store::{AgreementReads, AnalysisReads, Book, Codings, Scope};
use verbatim_views as views;
use verbatim_views::evidence::Options;
use verbatim_views::speakers::Person;

use super::coder_arg::{AllArg, CoderArg};

/// Whose tree to analyse, and at which level.
#[derive(Args, Debug, Clone)]
pub struct TreeArgs {
    #[command(flatten)]
    pub coder: CoderArg,
    /// Analyse another coder's tree (after `verbatim reveal`, or --solo)
    #[arg(long, value_name = "CODER")]
    pub of: Option<String>,
    /// Analyse the shared codebook
    #[arg(long, conflicts_with = "of")]
    pub shared: bool,
    /// The level of the themes to report
    #[arg(long, default_value = "theme")]
    pub level: String,
    /// Count context-only sources too
    #[arg(long)]
    pub include_context: bool,
    /// Count structural codes (interview-guide questions) as themes too
    #[arg(long)]
    pub include_structural: bool,
    #[command(flatten)]
    pub all: AllArg,
}

/// A coder's tree and its supporting passages.
pub struct Evidence {
    /// Every node of the tree.
    pub nodes: Vec<Node>,
    /// The level rank asked for.
    pub level: i64,
    /// The coded passages, attributed to participants.
    pub passages: Vec<Passage>,
    /// Every person heard in a counted source (a coded one), in order.
    pub participants: Vec<String>,
    /// The same people, described (unmapped labels flagged).
    pub people: Vec<Person>,
    /// The names of the counted sources, in id order.
    pub sources: Vec<String>,
    /// Participant code → its attribute values.
    pub values: HashMap<String, Vec<(String, String)>>,
}

impl Evidence {
    /// Returns the people named, described, in the order given.
    pub fn people_named(&self, names: &[String]) -> Vec<Person> {
        names
            .iter()
            .map(|n| {
                self.people
                    .iter()
                    .find(|p| p.name == *n)
                    .cloned()
                    .unwrap_or_else(|| Person {
                        name: n.clone(),
                        unmapped: false,
                        generic: false,
                        source: None,
                    })
            })
            .collect()
    }

    /// Returns the nodes at the level asked for.
    pub fn themes(&self) -> Vec<&Node> {
        self.nodes
            .iter()
            .filter(|n| n.level == self.level)
            .collect()
    }
}

/// Loads the tree and passages `args` designate.
pub fn load<S: AnalysisReads + AgreementReads + Codings + ?Sized>(
    store: &S,
    args: &TreeArgs,
) -> anyhow::Result<Evidence> {
    let me = args.coder.name()?;
    let other = match &args.of {
        Some(name) => Some(
            store
                .coder_by_name(name)?
                .ok_or_else(|| verbatim_store::StoreError::UnknownCoder(name.clone()))?,
        ),
        None => None,
    };
    let needs_all = args.all.all || other.as_ref().is_some_and(|c| c.name != me);
    let scope = args.coder.scope_on(store, needs_all, args.all.solo)?;
    let (book, coder_filter) = match (&other, args.shared) {
        (_, true) => (Book::Shared, None),
        (Some(c), false) if c.id != scope.coder().id => (Book::Of(c.id), Some(c.id)),
        _ => (Book::Own, Some(scope.coder().id)),
    };
    let level = store.level_rank_of(&args.level)?;
    let options = Options {
        include_context: args.include_context,
        include_structural: args.include_structural,
    };
    load_book(store, scope, book, coder_filter, level, options)
}

/// Loads one codebook's tree and the passages coded with it (by
/// `coder_filter`, or every coder the scope sees), over the sources coded.
pub fn load_book<S: AnalysisReads + AgreementReads + Codings + ?Sized>(
    store: &S,
    scope: Scope,
    book: Book,
    coder_filter: Option<i64>,
    level: i64,
    options: Options,
) -> anyhow::Result<Evidence> {
    let loaded = views::evidence::load_with(store, &scope, book, coder_filter, options)?;
    let values = views::speakers::participant_values(store)?;
    Ok(Evidence {
        people: loaded.people(),
        sources: loaded.source_names(),
        nodes: loaded.nodes,
        level,
        passages: loaded.passages,
        participants: loaded.participants,
        values,
    })
}
