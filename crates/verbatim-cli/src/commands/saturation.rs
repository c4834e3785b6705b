//! `verbatim saturation`: did new interviews still bring new codes?
//!
//! Loads each coder's codings, groups the codes applied per source in
//! collection order, and hands them to `verbatim_analysis::saturation`
//! (Guest, Namey & Chen 2020), overall and per site.

use std::collections::{BTreeSet, HashMap};
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use serde::Serialize;
use verbatim_analysis::saturation::{self, Params, Saturation};
use verbatim_store::{Book, CodingFilter, SourceSummary, SqliteStore, Store};

use super::coder_arg::{AllArg, CoderArg};
use super::{ProjectArg, print_json};
use crate::ui::Table;

/// Judge thematic saturation: new codes per interview and the Guest, Namey & Chen (2020) verdict
#[derive(Args, Debug)]
pub struct SaturationArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// Assess these coders (comma-separated) [default: you]; others' need --all
    #[arg(long, value_delimiter = ',')]
    coders: Vec<String>,
    /// Count codes rolled up to this level (idea, sub-theme, theme…) [default: codes as applied]
    #[arg(long)]
    level: Option<String>,
    /// Interviews in the base
    #[arg(long, default_value_t = 4)]
    base: usize,
    /// Interviews in a run
    #[arg(long, default_value_t = 2)]
    run: usize,
    /// New-information threshold, in percent
    #[arg(long, default_value_t = 5.0)]
    threshold: f64,
    /// Collection order: by the sources' `date` attribute (then id), or by id
    #[arg(long, value_enum, default_value_t = Order::Date)]
    order: Order,
    /// Also assess each site on its own
    #[arg(long)]
    by_site: bool,
    /// Count observation notes as interviews too
    #[arg(long)]
    include_observation: bool,
    #[command(flatten)]
    all: AllArg,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Order {
    /// The sources' `date` attribute, then import order
    Date,
    /// Import order
    Id,
}

#[derive(Serialize)]
struct Assessment {
    coder: String,
    site: Option<String>,
    #[serde(flatten)]
    saturation: Saturation,
    sentence: String,
}

/// Prints new codes per source and the verdict, per coder (and per site).
pub fn cmd_saturation(args: &SaturationArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=100.0).contains(&args.threshold) {
        bail!("--threshold is a percentage between 0 and 100");
    }
    let store = args.project.open()?;
    let me = args.coder.name()?.to_owned();
    let coders = if args.coders.is_empty() {
        vec![me.clone()]
    } else {
        args.coders.clone()
    };
    let needs_all = args.all.all || coders.iter().any(|c| *c != me);
    let scope = args.coder.scope_as(&store, needs_all, args.all.solo)?;
    let sources = ordered_sources(&store, args)?;
    let params = Params {
        base: args.base,
        run: args.run,
        threshold: args.threshold / 100.0,
    };
    let level = args
        .level
        .as_deref()
        .map(|l| store.level_rank_of(l))
        .transpose()?;

    let mut results = Vec::new();
    for name in &coders {
        let coder = store
            .coder_by_name(name)?
            .ok_or_else(|| verbatim_store::StoreError::UnknownCoder(name.clone()))?;
        let book = if coder.id == scope.coder().id {
            Book::Own
        } else {
            Book::Of(coder.id)
        };
        let roll = rollup(&store, &scope, book, level)?;
        let shared_roll = rollup(&store, &scope, Book::Shared, level)?;
        let filter = CodingFilter {
            coder: Some(coder.id),
            ..CodingFilter::default()
        };
        let mut per_source: HashMap<i64, BTreeSet<i64>> = HashMap::new();
        for coding in store.codings(&scope, &filter)? {
            let code = roll
                .get(&coding.code_id)
                .or_else(|| shared_roll.get(&coding.code_id));
            if let Some(code) = code.copied().flatten() {
                per_source.entry(coding.source_id).or_default().insert(code);
            }
        }
        let mut groups: Vec<(Option<String>, Vec<&SourceSummary>)> =
            vec![(None, sources.iter().collect())];
        if args.by_site {
            let mut sites: Vec<String> = sources.iter().filter_map(|s| s.site.clone()).collect();
            sites.sort();
            sites.dedup();
            for site in sites {
                let of_site = sources
                    .iter()
                    .filter(|s| s.site.as_deref() == Some(&site))
                    .collect();
                groups.push((Some(site), of_site));
            }
        }
        for (site, group) in groups {
            let input: Vec<(String, BTreeSet<i64>)> = group
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        per_source.get(&s.id).cloned().unwrap_or_default(),
                    )
                })
                .collect();
            let assessed = saturation::assess(&input, params);
            results.push(Assessment {
                coder: coder.name.clone(),
                site,
                sentence: assessed.sentence(),
                saturation: assessed,
            });
        }
    }
    if args.json {
        print_json(&results)?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &results {
        let heading = match &r.site {
            Some(site) => format!("{} — site {site}", r.coder),
            None => format!("{} — all sites", r.coder),
        };
        println!("## {heading}");
        let mut table = Table::new(&["#", "source", "new codes", "cumulative"]);
        for step in &r.saturation.steps {
            table.row(vec![
                step.position.to_string(),
                step.source.clone(),
                step.new_codes.to_string(),
                step.cumulative.to_string(),
            ]);
        }
        print!("{}", table.render());
        println!("Verdict: {}.", r.sentence);
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

/// Returns the sources counted as interviews, in collection order.
fn ordered_sources(
    store: &SqliteStore,
    args: &SaturationArgs,
) -> anyhow::Result<Vec<SourceSummary>> {
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
            "observation" => args.include_observation,
            _ => false,
        })
        .collect();
    if matches!(args.order, Order::Date) {
        // Sources without a date keep import order, after the dated ones.
        sources.sort_by_key(|s| (date_of(s.id).is_none(), date_of(s.id), s.id));
    }
    Ok(sources)
}

/// Returns, for each code of a codebook, the code it counts as: itself, or
/// its ancestor (along primary parents) at `level`; `None` for codes above
/// that level, which no coding at that level can stand for.
fn rollup(
    store: &SqliteStore,
    scope: &verbatim_store::Scope,
    book: Book,
    level: Option<i64>,
) -> anyhow::Result<HashMap<i64, Option<i64>>> {
    let nodes = store.code_tree(scope, book)?;
    let by_id: HashMap<i64, (Option<i64>, i64)> =
        nodes.iter().map(|n| (n.id, (n.parent, n.level))).collect();
    let mut out = HashMap::new();
    for node in &nodes {
        let Some(level) = level else {
            out.insert(node.id, Some(node.id));
            continue;
        };
        let mut current = Some(node.id);
        let mut found = None;
        while let Some(id) = current {
            let Some(&(parent, rank)) = by_id.get(&id) else {
                break;
            };
            if rank == level {
                found = Some(id);
                break;
            }
            if rank > level {
                break;
            }
            current = parent;
        }
        out.insert(node.id, found);
    }
    Ok(out)
}
