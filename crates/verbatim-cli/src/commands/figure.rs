//! `verbatim figure`: write one figure of the study as a standalone SVG.
//!
//! The figures are `verbatim_report::figures`; this command picks whose
//! work to draw (the acting coder's layer, another's after `reveal`, or the
//! shared codebook) and writes the file. It runs on a file and on
//! PostgreSQL alike: the figures read through the store's traits.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use verbatim_analysis::alignment::AlignOptions;
use verbatim_analysis::saturation::Params;
use verbatim_report::figures::{alignment, heatmap, saturation, tree};
use verbatim_store::{Book, Coder, StoreError};

use super::coder_arg::{AllArg, CoderArg};
use super::{Analysis, ProjectArg};

/// Write a figure as standalone SVG: theme tree, saturation curve, triangulation heat map, alignment of two coders
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  verbatim figure tree --out tree.svg --meta \"La relation comme soin\" --level sub-theme
  verbatim figure saturation --out saturation.svg
  verbatim figure triangulation --out triangulation.svg --by occupation
  verbatim figure alignment --out alignment.svg --with bruno --level theme --solo

The same study always gives the same bytes, so figures can be compared with diff.")]
pub struct FigureArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// Which figure
    #[arg(value_enum)]
    kind: Kind,
    /// The SVG file to write
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Draw another coder's work (after `verbatim reveal`, or --solo)
    #[arg(long, value_name = "CODER", conflicts_with = "shared")]
    of: Option<String>,
    /// Draw the shared codebook
    #[arg(long)]
    shared: bool,
    /// Tree: only this code's subtree (a meta-theme)
    #[arg(long, value_name = "NAME")]
    meta: Option<String>,
    /// Tree: the lowest level drawn; triangulation: the themes' level [default: theme]; saturation: roll codes up to it; alignment: the compared level
    #[arg(long)]
    level: Option<String>,
    /// Triangulation: the participant attribute of the middle columns
    #[arg(long = "by", default_value = "occupation")]
    attribute: String,
    /// Alignment: the second coder
    #[arg(long, value_name = "CODER2")]
    with: Option<String>,
    /// Alignment: pairs below this Jaccard index stay unmatched
    #[arg(long, default_value_t = 0.2)]
    min_jaccard: f64,
    /// Saturation: interviews in the base
    #[arg(long, default_value_t = 4)]
    base: usize,
    /// Saturation: interviews in a run
    #[arg(long, default_value_t = 2)]
    run: usize,
    /// Saturation: new-information threshold, in percent
    #[arg(long, default_value_t = 5.0)]
    threshold: f64,
    /// Count context-only sources too
    #[arg(long)]
    include_context: bool,
    #[command(flatten)]
    all: AllArg,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The theme tree, with participants per node
    Tree,
    /// New and cumulative codes per source, with the saturation verdict
    Saturation,
    /// Themes × sites, attribute values and modes, as a heat map
    Triangulation,
    /// Two coders' trees side by side, matched nodes joined (--with CODER2)
    Alignment,
}

/// Writes the figure asked for.
pub fn cmd_figure(args: &FigureArgs) -> anyhow::Result<ExitCode> {
    let opened = args.project.open_analysis()?;
    let store = &*opened;
    let me = args.coder.name()?.to_owned();
    let other = args.of.as_deref().map(|n| coder(store, n)).transpose()?;
    let with = args.with.as_deref().map(|n| coder(store, n)).transpose()?;
    let needs_all = args.all.all
        || other.as_ref().is_some_and(|c| c.name != me)
        || args.kind == Kind::Alignment;
    let scope = args.coder.scope_on(store, needs_all, args.all.solo)?;
    let level = args
        .level
        .as_deref()
        .map(|l| store.level_rank_of(l))
        .transpose()?;
    let book = match (&other, args.shared) {
        (_, true) => Book::Shared,
        (Some(c), false) if c.id != scope.coder().id => Book::Of(c.id),
        _ => Book::Own,
    };
    let (svg, what) = match args.kind {
        Kind::Tree => {
            let options = tree::TreeOptions {
                meta: args.meta.clone(),
                lowest_level: level,
                include_context: args.include_context,
                title: None,
            };
            let figure = tree::gather(store, &scope, book, &options)?;
            if figure.nodes.is_empty() {
                bail!("this codebook has no code to draw: add codes with `verbatim code add`");
            }
            let what = format!("theme tree of {} codes", figure.nodes.len());
            (tree::draw(&figure), what)
        }
        Kind::Saturation => {
            if !(0.0..=100.0).contains(&args.threshold) {
                bail!("--threshold is a percentage between 0 and 100");
            }
            let whose = other.clone().unwrap_or_else(|| scope.coder().clone());
            let options = saturation::SaturationOptions {
                params: Params {
                    base: args.base,
                    run: args.run,
                    threshold: args.threshold / 100.0,
                },
                level,
                ..saturation::SaturationOptions::default()
            };
            let figure = saturation::gather(store, &scope, &whose, &options)?;
            let what = format!("saturation curve over {} sources", figure.points.len());
            (saturation::draw(&figure), what)
        }
        Kind::Triangulation => {
            let level = match level {
                Some(l) => l,
                None => store.level_rank_of("theme")?,
            };
            let figure = heatmap::gather(
                store,
                &scope,
                book,
                level,
                &args.attribute,
                args.include_context,
            )?;
            let what = format!("triangulation heat map of {} themes", figure.rows.len());
            (heatmap::draw(&figure), what)
        }
        Kind::Alignment => {
            let Some(b) = with else {
                bail!("name the second coder: verbatim figure alignment --with CODER2");
            };
            let a = other.clone().unwrap_or_else(|| scope.coder().clone());
            if a.id == b.id {
                bail!("--with names the same coder as the first tree: name another coder");
            }
            let options = AlignOptions {
                min_jaccard: args.min_jaccard,
                level,
            };
            let figure = alignment::gather(store, &scope, &a, &b, &options)?;
            let what = format!("alignment with {} matched pairs", figure.links.len());
            (alignment::draw(&figure), what)
        }
    };
    std::fs::write(&args.out, svg)
        .with_context(|| format!("could not write {}", args.out.display()))?;
    println!("Wrote {} ({what}).", args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn coder(store: &dyn Analysis, name: &str) -> anyhow::Result<Coder> {
    Ok(store
        .coder_by_name(name)?
        .ok_or_else(|| StoreError::UnknownCoder(name.to_owned()))?)
}
