//! The input of a saturation assessment (Guest, Namey & Chen 2020): the
//! sources counted as interviews in collection order, and the codes each
//! one brought for a coder, as applied or rolled up to a level.
//! `verbatim saturation` and the saturation figure both assess it, so a
//! point of the figure is a line of the command.

use std::collections::{BTreeSet, HashMap};

use verbatim_store::{Book, CodeNode, Coder, Scope, SourceSummary, SqliteStore, Store, StoreError};

/// Returns the sources counted as interviews (interviews and focus
/// groups, observation notes if asked), by their `date` attribute then
/// import order when `by_date`, else in import order.
pub fn ordered_sources(
    store: &SqliteStore,
    by_date: bool,
    include_observation: bool,
) -> Result<Vec<SourceSummary>, StoreError> {
    let values = store.source_values()?;
    let date_of = |id: i64| -> Option<String> {
        values
            .get(&id)?
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("date"))
            .map(|(_, v)| v.clone())
    };
    let mut sources: Vec<SourceSummary> = store
        .sources()?
        .into_iter()
        .filter(|s| match s.kind.as_str() {
            "interview" | "focus_group" => true,
            "observation" => include_observation,
            _ => false,
        })
        .collect();
    if by_date {
        // Sources without a date keep import order, after the dated ones.
        sources.sort_by_key(|s| (date_of(s.id).is_none(), date_of(s.id), s.id));
    }
    Ok(sources)
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

/// Returns, per source id, the codes `coder` applied there (from their
/// own codebook and the shared one), rolled up to `level` when given.
pub fn codes_per_source(
    store: &SqliteStore,
    scope: &Scope,
    coder: &Coder,
    level: Option<i64>,
) -> Result<HashMap<i64, BTreeSet<i64>>, StoreError> {
    let book = if coder.id == scope.coder().id {
        Book::Own
    } else {
        Book::Of(coder.id)
    };
    let mut roll = rollup(&store.code_tree(scope, Book::Shared)?, level);
    roll.extend(rollup(&store.code_tree(scope, book)?, level));
    let mut per_source: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for b in [book, Book::Shared] {
        for c in store.quote_candidates(scope, b)? {
            if c.coder_id != coder.id {
                continue;
            }
            if let Some(Some(code)) = roll.get(&c.code_id) {
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
