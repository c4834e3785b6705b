//! The input of a saturation assessment (Guest, Namey & Chen 2020): the
//! sources a coder (or the team's consensus) coded, in collection order,
//! and the codes each one brought, as applied or rolled up to a level.
//! `verbatim saturation`, the saturation figure and the report's COREQ
//! item 22 all assess it here, so a point of the figure is a line of the
//! command.
//!
//! A coder's curve walks only the sources that coder coded (an analytic
//! coding, or marked done): a coder who never opened interviews 6–7 must
//! not be told they "added nothing new" there. The team's curve walks the
//! consensus layer over the sources any coder coded. The order is the
//! sources' collection date (`sources.collected_on`, else a `date`
//! attribute), then import order for sources with no date, which the
//! curve counts so that the output can say so. Structural codes
//! (interview-guide questions) are left out unless asked for.
//!
//! Everything is read through the store's traits (`AnalysisReads` for the
//! codings and the sources analysed, `AgreementReads` for one coder's), so
//! a file and a PostgreSQL study draw the same curve.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;
use verbatim_analysis::saturation::{self, Params, Saturation};
use verbatim_store::{
    AgreementReads, AnalysisReads, AppliesTo, Book, CodeKind, CodeNode, Coder, Scope,
    SourceSummary, SpanFilter, StoreError,
};

use crate::ViewError;

/// Returns the sources counted as interviews (interviews and focus
/// groups, observation notes if asked), by collection date (their
/// `collected_on`, else a `date` attribute) then import order when
/// `by_date`, else in import order.
pub fn ordered_sources<S: AnalysisReads + ?Sized>(
    store: &S,
    by_date: bool,
    include_observation: bool,
) -> Result<Vec<SourceSummary>, StoreError> {
    let all = store.sources()?;
    let dates = collection_dates(store, &all)?;
    let mut sources: Vec<SourceSummary> = all
        .into_iter()
        .filter(|s| match s.kind.as_str() {
            "interview" | "focus_group" => true,
            "observation" => include_observation,
            _ => false,
        })
        .collect();
    if by_date {
        // Sources without a date keep import order, after the dated ones.
        sources.sort_by_key(|s| {
            let date = dates.get(&s.id).cloned();
            (date.is_none(), date, s.id)
        });
    }
    Ok(sources)
}

/// Returns each source's collection date: its `collected_on`, else its
/// value of a source attribute named `date` (in any case).
fn collection_dates<S: AnalysisReads + ?Sized>(
    store: &S,
    sources: &[SourceSummary],
) -> Result<HashMap<i64, String>, StoreError> {
    let date = store
        .attributes(AppliesTo::Source)?
        .into_iter()
        .find(|a| a.name.eq_ignore_ascii_case("date"));
    let mut dates = match date {
        Some(a) => store.source_values_of(&a.name)?,
        None => HashMap::new(),
    };
    for s in sources {
        if let Some(date) = &s.collected_on {
            dates.insert(s.id, date.clone());
        }
    }
    Ok(dates)
}

/// Returns, for each code, the code it counts as: itself, or its ancestor
/// at `level` along primary parents; `None` for codes above that level,
/// which no coding at that level can stand for.
pub fn rollup(nodes: &[CodeNode], level: Option<i64>) -> HashMap<i64, Option<i64>> {
    let by_id: HashMap<i64, (Option<i64>, i64)> =
        nodes.iter().map(|n| (n.id, (n.parent, n.level))).collect();
    nodes
        .iter()
        .map(|node| {
            let Some(level) = level else {
                return (node.id, Some(node.id));
            };
            let mut current = Some(node.id);
            let mut found = None;
            let mut steps = 0;
            while let Some(id) = current {
                steps += 1;
                let Some(&(parent, rank)) = by_id.get(&id) else {
                    break;
                };
                if rank == level {
                    found = Some(id);
                    break;
                }
                // A cycle in stored parents must not hang the loop.
                if rank > level || steps > nodes.len() {
                    break;
                }
                current = parent;
            }
            (node.id, found)
        })
        .collect()
}

/// Returns, per source id, the analytic codes `coder` applied there (from
/// their own codebook and the shared one), rolled up to `level` when
/// given. Structural codes are left out.
pub fn codes_per_source<S: AnalysisReads + ?Sized>(
    store: &S,
    scope: &Scope,
    coder: &Coder,
    level: Option<i64>,
) -> Result<HashMap<i64, BTreeSet<i64>>, StoreError> {
    codes_per_source_with(store, scope, coder, level, false)
}

/// Returns what [`codes_per_source`] does, structural codes included
/// when `include_structural`.
pub fn codes_per_source_with<S: AnalysisReads + ?Sized>(
    store: &S,
    scope: &Scope,
    coder: &Coder,
    level: Option<i64>,
    include_structural: bool,
) -> Result<HashMap<i64, BTreeSet<i64>>, StoreError> {
    let books = if scope.is_consensus() {
        vec![Book::Shared]
    } else if coder.id == scope.coder().id {
        vec![Book::Own, Book::Shared]
    } else {
        vec![Book::Of(coder.id), Book::Shared]
    };
    let mut roll = HashMap::new();
    let mut structural = HashSet::new();
    let mut in_books = Vec::new();
    for &book in &books {
        let nodes = store.code_tree(scope, book)?;
        structural.extend(
            nodes
                .iter()
                .filter(|n| n.kind == CodeKind::Structural)
                .map(|n| n.id),
        );
        in_books.extend(nodes.iter().map(|n| n.id));
        roll.extend(rollup(&nodes, level));
    }
    in_books.sort_unstable();
    in_books.dedup();
    let filter = SpanFilter {
        codes: Some(in_books),
        coder: Some(coder.id),
        include_context: true,
    };
    let mut per_source: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for c in store.coding_spans(scope, &filter)? {
        if let Some(Some(code)) = roll.get(&c.code_id) {
            let left_out = structural.contains(&c.code_id) || structural.contains(code);
            if include_structural || !left_out {
                per_source.entry(c.source_id).or_default().insert(*code);
            }
        }
    }
    Ok(per_source)
}

/// Returns the assessment's input: each source's name with its codes, in
/// the order given.
pub fn input<'a>(
    sources: impl IntoIterator<Item = &'a SourceSummary>,
    per_source: &HashMap<i64, BTreeSet<i64>>,
) -> Vec<(String, BTreeSet<i64>)> {
    sources
        .into_iter()
        .map(|s| {
            (
                s.name.clone(),
                per_source.get(&s.id).cloned().unwrap_or_default(),
            )
        })
        .collect()
}

/// How curves are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurveOptions {
    /// Count codes rolled up to this level rank.
    pub level: Option<i64>,
    /// Guest, Namey & Chen's base, run and threshold.
    pub params: Params,
    /// Walk sources by collection date (else import order).
    pub by_date: bool,
    /// Count observation notes as interviews.
    pub include_observation: bool,
    /// Count structural codes (interview-guide questions) too.
    pub include_structural: bool,
    /// Also draw one curve per site.
    pub by_site: bool,
}

impl Default for CurveOptions {
    fn default() -> Self {
        Self {
            level: None,
            params: Params::default(),
            by_date: true,
            include_observation: false,
            include_structural: false,
            by_site: false,
        }
    }
}

/// A source walked, in the curve's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Walked {
    /// Its position in the walk, from 1.
    pub position: usize,
    /// The source's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its collection date, when known.
    pub collected_on: Option<String>,
}

/// One saturation curve: whose, over which sources, and the verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    /// The coder, or the consensus layer's name.
    pub coder: String,
    /// True for the team's curve on the consensus codebook.
    pub consensus: bool,
    /// The site, for a per-site curve.
    pub site: Option<String>,
    /// The order walked: `collection_date` (then import order for sources
    /// with no date), or `import`.
    pub order: &'static str,
    /// The sources walked, in order.
    pub sources: Vec<Walked>,
    /// How many of them have no collection date (walked in import order,
    /// after the dated ones).
    pub undated: usize,
    /// Interviews of the study (or site) this coder did not code, left out.
    pub not_coded: usize,
    /// The assessment.
    #[serde(flatten)]
    pub saturation: Saturation,
    /// The verdict as a sentence.
    pub sentence: String,
}

impl Curve {
    /// Returns the note on order the output must carry, if any: "3
    /// sources have no collection date: import order used".
    pub fn order_note(&self) -> Option<String> {
        if self.order == "import" {
            return Some("walked in import order (--order id)".to_owned());
        }
        match self.undated {
            0 => None,
            1 => Some("1 source has no collection date: import order used for it".to_owned()),
            n => Some(format!(
                "{n} sources have no collection date: import order used for them"
            )),
        }
    }
}

/// Returns the curves of one layer: `coder`'s, or the consensus layer's
/// when `scope.is_consensus()` (then `coder` is the consensus row): over
/// all its sources, then per site when asked.
pub fn curves<S: AnalysisReads + AgreementReads + ?Sized>(
    store: &S,
    scope: &Scope,
    coder: &Coder,
    options: &CurveOptions,
) -> Result<Vec<Curve>, ViewError> {
    let coded: HashSet<i64> = if scope.is_consensus() {
        store.sources_coded_by_anyone()?
    } else {
        store.analysed_sources(coder.id)?
    }
    .into_iter()
    .collect();
    let ordered = ordered_sources(store, options.by_date, options.include_observation)?;
    let dates = collection_dates(store, &ordered)?;
    let per_source = codes_per_source_with(
        store,
        scope,
        coder,
        options.level,
        options.include_structural,
    )?;
    let mut groups: Vec<(Option<String>, Vec<&SourceSummary>)> =
        vec![(None, ordered.iter().collect())];
    if options.by_site {
        let sites: BTreeSet<&String> = ordered.iter().filter_map(|s| s.site.as_ref()).collect();
        for site in sites {
            let of_site = ordered
                .iter()
                .filter(|s| s.site.as_ref() == Some(site))
                .collect();
            groups.push((Some(site.clone()), of_site));
        }
    }
    let mut out = Vec::with_capacity(groups.len());
    for (site, group) in groups {
        let total = group.len();
        let walked: Vec<&SourceSummary> = group
            .into_iter()
            .filter(|s| coded.contains(&s.id))
            .collect();
        let assessed =
            saturation::assess(&input(walked.iter().copied(), &per_source), options.params);
        out.push(Curve {
            coder: coder.name.clone(),
            consensus: scope.is_consensus(),
            site,
            order: if options.by_date {
                "collection_date"
            } else {
                "import"
            },
            not_coded: total - walked.len(),
            undated: walked.iter().filter(|s| !dates.contains_key(&s.id)).count(),
            sources: walked
                .iter()
                .enumerate()
                .map(|(i, s)| Walked {
                    position: i + 1,
                    id: s.id,
                    name: s.name.clone(),
                    collected_on: dates.get(&s.id).cloned(),
                })
                .collect(),
            sentence: assessed.sentence(),
            saturation: assessed,
        });
    }
    Ok(out)
}

/// The team's saturation verdict for COREQ item 22, and the codebook it
/// was judged on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamVerdict {
    /// The codebook judged: always the team's consensus (shared) codebook.
    pub codebook: &'static str,
    /// The consensus curve over every source any coder coded.
    pub curve: Curve,
}

/// Returns the team's verdict on the consensus codebook, or `None` while
/// the consensus layer holds no passage (no team verdict exists yet: the
/// report must not copy one coder's verdict in its place).
pub fn team_verdict<S: AnalysisReads + AgreementReads + ?Sized>(
    store: &S,
    options: &CurveOptions,
) -> Result<Option<TeamVerdict>, ViewError> {
    let scope = store.consensus_scope()?;
    let consensus = store.consensus_coder()?;
    let options = CurveOptions {
        by_site: false,
        ..*options
    };
    let Some(curve) = curves(store, &scope, &consensus, &options)?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    if curve.saturation.steps.iter().all(|s| s.cumulative == 0) {
        return Ok(None);
    }
    Ok(Some(TeamVerdict {
        codebook: "consensus",
        curve,
    }))
}
