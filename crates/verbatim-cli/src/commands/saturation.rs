//! `verbatim saturation`: did new interviews still bring new codes?
//!
//! `verbatim_views::saturation` draws each coder's curve over the sources
//! that coder coded, in collection order (the saturation figure and the
//! report read it there too), and the team's curve on the consensus
//! codebook with `--shared`; this command prints the sources walked, those
//! left out, the order used, the new codes per interview and Guest, Namey
//! & Chen's (2020) verdict, overall and per site. Runs on a file and on
//! PostgreSQL alike.

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use verbatim_analysis::saturation::Params;
use verbatim_views::saturation::{Curve, CurveOptions};

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
    /// The team's curve on the consensus codebook, over the sources any coder coded
    #[arg(long, conflicts_with = "coders")]
    shared: bool,
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
    /// Collection order: by the sources' collection date (`source set
    /// --date`, else a `date` attribute; then import order), or by id
    #[arg(long, value_enum, default_value_t = Order::Date)]
    order: Order,
    /// Also assess each site on its own
    #[arg(long)]
    by_site: bool,
    /// Count observation notes as interviews too
    #[arg(long)]
    include_observation: bool,
    /// Count structural codes (interview-guide questions) as codes too
    #[arg(long)]
    include_structural: bool,
    #[command(flatten)]
    all: AllArg,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Order {
    /// The sources' collection date, then import order
    Date,
    /// Import order
    Id,
}

/// Prints new codes per source and the verdict, per coder (and per site).
pub fn cmd_saturation(args: &SaturationArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=100.0).contains(&args.threshold) {
        bail!("--threshold is a percentage between 0 and 100");
    }
    let opened = args.project.open_analysis()?;
    let store = &*opened;
    let options = CurveOptions {
        level: args
            .level
            .as_deref()
            .map(|l| store.level_rank_of(l))
            .transpose()?,
        params: Params {
            base: args.base,
            run: args.run,
            threshold: args.threshold / 100.0,
        },
        by_date: matches!(args.order, Order::Date),
        include_observation: args.include_observation,
        include_structural: args.include_structural,
        by_site: args.by_site,
    };
    let mut results: Vec<Curve> = Vec::new();
    if args.shared {
        let scope = store.consensus_scope()?;
        let consensus = store.consensus_coder()?;
        results = verbatim_views::saturation::curves(store, &scope, &consensus, &options)?;
    } else {
        let me = args.coder.name()?.to_owned();
        let coders = if args.coders.is_empty() {
            vec![me.clone()]
        } else {
            args.coders.clone()
        };
        let needs_all = args.all.all || coders.iter().any(|c| *c != me);
        let scope = args.coder.scope_on(store, needs_all, args.all.solo)?;
        for name in &coders {
            if name.trim() == store.consensus_coder()?.name {
                bail!(
                    "{name:?} is the team's consensus layer, not a coder: use `verbatim saturation --shared` for the team's curve"
                );
            }
            let coder = store
                .coder_by_name(name)?
                .ok_or_else(|| verbatim_store::StoreError::UnknownCoder(name.clone()))?;
            results.extend(verbatim_views::saturation::curves(
                store, &scope, &coder, &options,
            )?);
        }
    }
    if args.json {
        print_json(&results)?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &results {
        print_curve(r);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints one curve: whose, the sources walked and left out, the order,
/// the new codes per interview and the verdict.
fn print_curve(r: &Curve) {
    let who = if r.consensus {
        "team (consensus codebook)".to_owned()
    } else {
        r.coder.clone()
    };
    match &r.site {
        Some(site) => println!("## {who} — site {site}"),
        None => println!("## {who} — all sites"),
    }
    let whose = if r.consensus {
        "any coder".to_owned()
    } else {
        r.coder.clone()
    };
    println!(
        "{} interviews {whose} coded, in collection order{}.",
        r.sources.len(),
        if r.not_coded > 0 {
            format!("; {} not coded by {whose} left out", r.not_coded)
        } else {
            String::new()
        }
    );
    if let Some(note) = r.order_note() {
        println!("{note}.");
    }
    let mut table = Table::new(&["#", "source", "collected", "new codes", "cumulative"]);
    for (step, walked) in r.saturation.steps.iter().zip(&r.sources) {
        table.row(vec![
            step.position.to_string(),
            step.source.clone(),
            walked.collected_on.clone().unwrap_or_default(),
            step.new_codes.to_string(),
            step.cumulative.to_string(),
        ]);
    }
    print!("{}", table.render());
    println!("Verdict: {}.", r.sentence);
    println!();
}
