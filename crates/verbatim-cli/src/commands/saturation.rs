//! `verbatim saturation`: did new interviews still bring new codes?
//!
//! `verbatim_views::saturation` reads each coder's codes per source in
//! collection order (the saturation figure reads them there too); this
//! command hands them to `verbatim_analysis::saturation` (Guest, Namey &
//! Chen 2020), overall and per site, and prints the verdicts.

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use serde::Serialize;
use verbatim_analysis::saturation::{self, Params, Saturation};
use verbatim_store::SourceSummary;
use verbatim_views as views;

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
    let sources = views::saturation::ordered_sources(
        &store,
        matches!(args.order, Order::Date),
        args.include_observation,
    )?;
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
        let per_source = views::saturation::codes_per_source(&store, &scope, &coder, level)?;
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
            let input = views::saturation::input(group, &per_source);
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
