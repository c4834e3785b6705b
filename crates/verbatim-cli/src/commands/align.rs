//! `verbatim align`: match two coders' theme trees by the text they cover.
//!
//! Coders name the same theme differently; alignment pairs nodes whose
//! coverage (the passages coded with the node or below it) overlaps most,
//! one to one, and lists the themes only one coder saw. The computation is
//! `verbatim_analysis::alignment` on two layers `verbatim_views::alignment`
//! loads (which needs `reveal` or `--solo`); this command prints the result.

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use serde::Serialize;
use verbatim_analysis::alignment::{self, AlignOptions, Coverage, NodeId, Pair};
use verbatim_store::{Coder, StoreError};
use verbatim_views::alignment::{Layer, load_layer};

use super::coder_arg::CoderArg;
use super::{ProjectArg, print_json};
use crate::ui::Table;

/// Match two coders' theme trees by the passages they cover
#[derive(Args, Debug)]
pub struct AlignArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// The two coders whose trees to compare: `a,b`
    #[arg(long, value_delimiter = ',', required = true)]
    coders: Vec<String>,
    /// Only compare codes of this level (theme, sub-theme…)
    #[arg(long)]
    level: Option<String>,
    /// Pairs below this Jaccard index stay unmatched
    #[arg(long, default_value_t = 0.2)]
    min_jaccard: f64,
    /// I code alone under several names: no blind layers to protect
    #[arg(long)]
    solo: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Returns the two coders named by `--coders a,b`.
pub(super) fn two_coders(
    store: &(impl verbatim_store::Coders + ?Sized),
    names: &[String],
) -> anyhow::Result<[Coder; 2]> {
    let names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    let [a, b] = names[..] else {
        bail!("name exactly two coders: --coders a,b");
    };
    if a == b {
        bail!("name two different coders: --coders a,b");
    }
    let find = |n: &str| -> anyhow::Result<Coder> {
        Ok(store
            .coder_by_name(n)?
            .ok_or_else(|| StoreError::UnknownCoder(n.to_owned()))?)
    };
    Ok([find(a)?, find(b)?])
}

#[derive(Serialize)]
struct NodeOut {
    id: i64,
    name: String,
    level: String,
    chars: usize,
}

#[derive(Serialize)]
struct PairOut {
    pair: usize,
    a: NodeOut,
    b: NodeOut,
    jaccard: f64,
    a_in_b: f64,
    b_in_a: f64,
    intersection: usize,
    union: usize,
}

#[derive(Serialize)]
struct AlignOut {
    coders: [String; 2],
    level: Option<String>,
    min_jaccard: f64,
    matched: Vec<PairOut>,
    unmatched_a: Vec<NodeOut>,
    unmatched_b: Vec<NodeOut>,
    total_jaccard: f64,
}

/// Runs `verbatim align`.
pub fn cmd_align(args: &AlignArgs) -> anyhow::Result<ExitCode> {
    let opened = args.project.open_analysis()?;
    let store = &*opened;
    let scope = args.coder.scope_on(store, true, args.solo)?;
    let [ca, cb] = two_coders(store, &args.coders)?;
    let level = args
        .level
        .as_deref()
        .map(|l| store.level_rank_of(l))
        .transpose()?;
    let a = load_layer(store, &scope, ca)?;
    let b = load_layer(store, &scope, cb)?;
    let options = AlignOptions {
        min_jaccard: args.min_jaccard,
        level,
    };
    let result = alignment::align(&a.tree, &a.coverage, &b.tree, &b.coverage, &options)?;
    let node = |layer: &Layer, id: NodeId| -> NodeOut {
        let code = layer.codes.iter().find(|c| c.id == id);
        NodeOut {
            id,
            name: code.map(|c| c.name.clone()).unwrap_or_default(),
            level: code.map(|c| c.level_name.clone()).unwrap_or_default(),
            chars: layer.coverage.get(&id).map_or(0, Coverage::len),
        }
    };
    let pair_out = |(i, p): (usize, &Pair)| PairOut {
        pair: i + 1,
        a: node(&a, p.a),
        b: node(&b, p.b),
        jaccard: p.overlap.jaccard,
        a_in_b: p.overlap.a_in_b,
        b_in_a: p.overlap.b_in_a,
        intersection: p.overlap.intersection,
        union: p.overlap.union,
    };
    let out = AlignOut {
        coders: [a.coder.name.clone(), b.coder.name.clone()],
        level: args.level.clone(),
        min_jaccard: args.min_jaccard,
        matched: result.matched.iter().enumerate().map(pair_out).collect(),
        unmatched_a: result.unmatched_a.iter().map(|&id| node(&a, id)).collect(),
        unmatched_b: result.unmatched_b.iter().map(|&id| node(&b, id)).collect(),
        total_jaccard: result.total_jaccard,
    };
    if args.json {
        print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let [na, nb] = &out.coders;
    println!(
        "Alignment of {na} (A) and {nb} (B){}, minimum Jaccard {:.2}.",
        args.level
            .as_deref()
            .map(|l| format!(", {l}s only"))
            .unwrap_or_default(),
        args.min_jaccard
    );
    println!();
    let mut table = Table::new(&[
        "pair",
        na,
        nb,
        "Jaccard",
        "A in B",
        "B in A",
        "shared chars",
    ]);
    for p in &out.matched {
        table.row(vec![
            p.pair.to_string(),
            p.a.name.clone(),
            p.b.name.clone(),
            format!("{:.2}", p.jaccard),
            format!("{:.2}", p.a_in_b),
            format!("{:.2}", p.b_in_a),
            p.intersection.to_string(),
        ]);
    }
    print!("{}", table.render());
    println!("{} matched pairs.", out.matched.len());
    for (who, list) in [(na, &out.unmatched_a), (nb, &out.unmatched_b)] {
        if list.is_empty() {
            println!("Every compared code of {who} has a counterpart.");
        } else {
            let names: Vec<String> = list
                .iter()
                .map(|n| format!("{} ({})", n.name, n.level))
                .collect();
            println!("Only {who}: {}.", names.join(", "));
        }
    }
    println!();
    print!("{}", side_by_side(&a, &b, &result.matched, level));
    Ok(ExitCode::SUCCESS)
}

/// Returns the two trees side by side: each matched node carries its pair
/// number, and a connector joins the two ends of a pair when they fall on
/// the same line.
fn side_by_side(a: &Layer, b: &Layer, matched: &[Pair], level: Option<i64>) -> String {
    let mark_a: HashMap<NodeId, (usize, f64)> = matched
        .iter()
        .enumerate()
        .map(|(i, p)| (p.a, (i + 1, p.overlap.jaccard)))
        .collect();
    let mark_b: HashMap<NodeId, usize> = matched
        .iter()
        .enumerate()
        .map(|(i, p)| (p.b, i + 1))
        .collect();
    let lines = |layer: &Layer| -> Vec<(NodeId, String)> {
        let mut depth: HashMap<NodeId, usize> = HashMap::new();
        let mut out = Vec::new();
        for c in &layer.codes {
            let d = c.parent.and_then(|p| depth.get(&p)).map_or(0, |d| d + 1);
            depth.insert(c.id, d);
            let dim = level.is_some_and(|l| l != c.level);
            let name = if dim {
                format!("({})", c.name)
            } else {
                c.name.clone()
            };
            out.push((c.id, format!("{}{name}", "  ".repeat(d))));
        }
        out
    };
    let left = lines(a);
    let right = lines(b);
    let label_a = |(id, text): &(NodeId, String)| match mark_a.get(id) {
        Some((k, _)) => format!("{text} [{k}]"),
        None => text.clone(),
    };
    let label_b = |(id, text): &(NodeId, String)| match mark_b.get(id) {
        Some(k) => format!("[{k}] {}", text.trim_start()),
        None => text.trim_start().to_owned(),
    };
    let width = left
        .iter()
        .map(|l| label_a(l).chars().count())
        .max()
        .unwrap_or(0)
        .max(a.coder.name.chars().count());
    let mut out = format!("{:<width$}              {}\n", a.coder.name, b.coder.name);
    for i in 0..left.len().max(right.len()) {
        let l = left.get(i).map(label_a).unwrap_or_default();
        let r = right.get(i);
        let connector = match (left.get(i), r) {
            (Some((ia, _)), Some((ib, _))) => match mark_a.get(ia) {
                Some((k, j)) if mark_b.get(ib) == Some(k) => format!("── {j:.2} ──"),
                _ => String::new(),
            },
            _ => String::new(),
        };
        let r_indent = r.map_or(0, |(_, t)| t.len() - t.trim_start().len());
        let r = r.map(label_b).unwrap_or_default();
        let line = format!("{l:<width$}  {connector:<10}  {}{r}", " ".repeat(r_indent));
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str("[n]: pair n of the table above; ── J ── joins a pair on one line.\n");
    out
}
