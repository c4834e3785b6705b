//! `verbatim agreement`: intercoder agreement on a study's codings.
//!
//! Reads the coders' codings on their shared codes (`verbatim_store::
//! agreement_data`) and prints what NVivo's Coding Comparison and MAXQDA's
//! Intercoder Agreement report, computed by `verbatim_analysis::agreement`:
//! character-level percent agreement and Cohen's kappa per pair of coders
//! (also on coded characters only), Fleiss' kappa and binary alpha over
//! characters for all coders, and segment-level agreement with an overlap
//! threshold and Brennan & Prediger's kappa. Other coders' work is read only
//! once the study is revealed, or with `--solo`.

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use serde::Serialize;
use verbatim_analysis::agreement::{self, Comparison, PairSummary, Passage};
use verbatim_analysis::reliability::Estimate;
use verbatim_analysis::unitizing;

use super::agreement_domains;
use super::coder_arg::CoderArg;
use super::{ProjectArg, print_json};
use crate::ui::Table;

/// Compare coders on their shared codes: character and segment agreement, kappas
#[derive(Args, Debug)]
pub struct AgreementArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// The coders to compare (default: every coder of the study)
    #[arg(long, value_delimiter = ',', value_name = "A,B,…")]
    coders: Vec<String>,
    /// Only this code (by name)
    #[arg(long, value_name = "NAME")]
    code: Option<String>,
    /// Also show one row per code and source
    #[arg(long, value_enum, value_name = "source")]
    by: Option<By>,
    /// Minimum overlap of two segments, in % (of their union by default), for them to agree
    #[arg(long, default_value_t = 90.0, value_name = "PERCENT")]
    threshold: f64,
    /// What the segment overlap is measured against
    #[arg(long, value_enum, default_value_t = Overlap::Union)]
    overlap: Overlap,
    /// MAXQDA's document-level modes instead: per code, the documents where
    /// two coders agree on the code's presence, and on how often they used it
    #[arg(long)]
    document_level: bool,
    /// A semantic domain for ATLAS.ti's cu-α (and Cu-α across two or more
    /// domains): a name and the codes that exclude each other, repeatable
    #[arg(long = "domain", value_name = "NAME=CODE,CODE…", value_parser = agreement_domains::parse_domain)]
    domains: Vec<agreement_domains::Domain>,
    /// I code alone under several names: no blind layers to protect
    #[arg(long)]
    solo: bool,
    /// Print JSON instead of tables
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Overlap {
    /// The union of the two segments (MAXQDA, as far as is known)
    Union,
    /// The length of the segment being matched
    Own,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum By {
    Source,
}

#[derive(Serialize)]
struct Report<'a> {
    coders: Vec<&'a str>,
    codes: &'a [String],
    unshared_codes: &'a [String],
    sources: Vec<&'a str>,
    unit: &'static str,
    comparison: &'a Comparison,
    unitizing: &'a Unitizing,
    #[serde(skip_serializing_if = "Option::is_none")]
    domains: Option<&'a agreement_domains::Domains>,
}

/// Krippendorff's unitizing alpha per code and overall, the sources laid end
/// to end as one continuum.
#[derive(Serialize)]
struct Unitizing {
    by_code: Vec<unitizing::CategoryAlpha>,
    overall: Estimate,
}

/// Returns αu for each code: each coder's passages merged (a coder marks a
/// char once per code) and placed on the continuum of all sources.
fn unitizing_alpha(coders: usize, codes: usize, sizes: &[u64], passages: &[Passage]) -> Unitizing {
    let mut starts = Vec::with_capacity(sizes.len());
    let mut total = 0u64;
    for size in sizes {
        starts.push(total);
        total += size;
    }
    let mut units: Vec<Vec<Vec<(u64, u64)>>> = vec![vec![Vec::new(); coders]; codes];
    for p in passages {
        if let (Some(row), Some(offset)) = (units.get_mut(p.code), starts.get(p.source))
            && let Some(list) = row.get_mut(p.coder)
        {
            list.push((offset + p.start, offset + p.end));
        }
    }
    let by_code: Vec<unitizing::CategoryAlpha> = units
        .into_iter()
        .map(|mut per_coder| {
            for list in &mut per_coder {
                list.sort_unstable();
                let mut merged: Vec<(u64, u64)> = Vec::with_capacity(list.len());
                for &(s, e) in list.iter() {
                    match merged.last_mut() {
                        Some(last) if s <= last.1 => last.1 = last.1.max(e),
                        _ => merged.push((s, e)),
                    }
                }
                *list = merged;
            }
            unitizing::category_alpha(&per_coder, 0, total)
        })
        .collect();
    let overall = unitizing::overall(&by_code);
    Unitizing { by_code, overall }
}

/// Computes and prints the agreement of the coders asked for.
pub fn cmd_agreement(args: &AgreementArgs) -> anyhow::Result<ExitCode> {
    if !(args.threshold > 0.0 && args.threshold <= 100.0) {
        bail!(
            "--threshold {} is out of range: give a percentage above 0 and at most 100",
            args.threshold
        );
    }
    let store = args.project.open()?;
    let scope = args.coder.scope_as(&store, true, args.solo)?;
    let data = store.agreement_data(&scope, &args.coders, args.code.as_deref())?;
    let mut passages: Vec<Passage> = data
        .spans
        .iter()
        .map(|s| Passage {
            source: s.source,
            code: s.code,
            coder: s.coder,
            start: s.start,
            end: s.end,
        })
        .collect();
    let sizes: Vec<u64> = data.sources.iter().map(|s| s.chars).collect();
    if args.document_level {
        if data.coders.len() != 2 {
            bail!(
                "the document-level comparison is between two coders: give --coders A,B ({} were selected)",
                data.coders.len()
            );
        }
        let rows = agreement::document_level(0, 1, data.codes.len(), data.sources.len(), &passages);
        if args.json {
            print_json(&rows)?;
            return Ok(ExitCode::SUCCESS);
        }
        let pct = |e: &verbatim_analysis::reliability::Estimate| match e.value() {
            Some(v) => format!("{:.1} %", v * 100.0),
            None => e.to_string(),
        };
        let mut table = Table::new(&[
            "code",
            "documents",
            "presence agrees",
            "%",
            "frequency agrees",
            "%",
        ]);
        for r in &rows {
            table.row(vec![
                data.codes.get(r.code).cloned().unwrap_or_default(),
                r.documents.to_string(),
                r.presence_agree.to_string(),
                pct(&r.presence_percent),
                r.frequency_agree.to_string(),
                pct(&r.frequency_percent),
            ]);
        }
        print!("{}", table.render());
        return Ok(ExitCode::SUCCESS);
    }
    let comparison = agreement::compare(
        data.coders.len(),
        data.codes.len(),
        &sizes,
        &mut passages,
        args.threshold / 100.0,
        match args.overlap {
            Overlap::Union => agreement::OverlapBase::Union,
            Overlap::Own => agreement::OverlapBase::Own,
        },
        args.by.is_some(),
    );
    let unitized = unitizing_alpha(data.coders.len(), data.codes.len(), &sizes, &passages);
    let domains = if args.domains.is_empty() {
        None
    } else {
        Some(agreement_domains::domain_alphas(
            &args.domains,
            &data,
            &passages,
        )?)
    };
    if args.json {
        print_json(&Report {
            coders: data.coders.iter().map(|c| c.name.as_str()).collect(),
            codes: &data.codes,
            unshared_codes: &data.unshared,
            sources: data.sources.iter().map(|s| s.name.as_str()).collect(),
            unit: "Unicode scalar value (char)",
            comparison: &comparison,
            unitizing: &unitized,
            domains: domains.as_ref(),
        })?;
        return Ok(ExitCode::SUCCESS);
    }

    let coder = |i: usize| data.coders.get(i).map_or("?", |c| c.name.as_str());
    let code = |i: usize| {
        data.codes
            .get(i)
            .map_or("all codes (pooled)", String::as_str)
    };
    let pair = |p: &PairSummary| format!("{} / {}", coder(p.a), coder(p.b));
    println!(
        "{} coders ({}), {} shared codes, {} sources ({} chars).",
        data.coders.len(),
        data.coders
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        data.codes.len(),
        data.sources.len(),
        comparison.chars
    );
    if !data.unshared.is_empty() {
        let shown: Vec<&str> = data.unshared.iter().take(5).map(String::as_str).collect();
        println!(
            "Left out: {} codes not in every compared coder's codebook nor the shared one ({}{}).",
            data.unshared.len(),
            shown.join(", "),
            if data.unshared.len() > shown.len() {
                ", …; --json lists them all"
            } else {
                ""
            }
        );
    }
    if data.codes.is_empty() {
        println!("No shared code to compare.");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<_> = comparison
        .by_code
        .iter()
        .chain(std::iter::once(&comparison.overall))
        .collect();

    println!(
        "\nCharacter level, pairs (NVivo Coding Comparison; unit: character; pooled over sources)"
    );
    let mut table = Table::new(&[
        "code",
        "coders",
        "both",
        "A only",
        "B only",
        "neither",
        "agree %",
        "kappa",
        "coded: agree %",
        "NVivo mean κ",
        "weighted",
    ]);
    for row in &rows {
        for p in &row.pairs {
            let t = p.chars.table;
            table.row(vec![
                code(row.code).to_owned(),
                pair(p),
                t.both.to_string(),
                t.a_only.to_string(),
                t.b_only.to_string(),
                t.neither.to_string(),
                percent(p.chars.percent),
                kappa(p.chars.kappa),
                percent(p.chars.coded_percent),
                p.nvivo_means
                    .map_or_else(String::new, |m| format!("{:.4}", m.unweighted)),
                p.nvivo_means
                    .map_or_else(String::new, |m| format!("{:.4}", m.size_weighted)),
            ]);
        }
    }
    print!("{}", table.render());
    println!(
        "kappa: Cohen's on the pooled table. NVivo mean κ / weighted: mean of NVivo's per-source kappas (1 where nobody coded), unweighted / by source size."
    );
    println!(
        "coded: agreement on the characters at least one of the two coders coded (no kappa: with no \"neither\" cell it is never positive)."
    );

    if let Some(By::Source) = args.by {
        println!("\nCharacter level by source (sources where at least one coder used the code)");
        let mut table = Table::new(&[
            "code",
            "source",
            "coders",
            "chars",
            "both",
            "A only",
            "B only",
            "agree %",
            "kappa",
            "NVivo kappa",
        ]);
        for row in &comparison.by_code {
            for s in &row.sources {
                let name = data.sources.get(s.source).map_or("?", |s| s.name.as_str());
                for p in &s.pairs {
                    let t = p.chars.table;
                    table.row(vec![
                        code(row.code).to_owned(),
                        name.to_owned(),
                        pair(p),
                        t.total().to_string(),
                        t.both.to_string(),
                        t.a_only.to_string(),
                        t.b_only.to_string(),
                        percent(p.chars.percent),
                        kappa(p.chars.kappa),
                        format!("{:.4}", p.chars.nvivo_kappa),
                    ]);
                }
            }
        }
        print!("{}", table.render());
    }

    println!(
        "\nCharacter level, all {} coders (characters as subjects)",
        data.coders.len()
    );
    let mut table = Table::new(&["code", "Fleiss' kappa", "alpha (character units)"]);
    for row in &rows {
        table.row(vec![
            code(row.code).to_owned(),
            kappa(row.group.fleiss),
            kappa(row.group.alpha),
        ]);
    }
    print!("{}", table.render());

    println!(
        "\nSegment level (MAXQDA-style; segments agree when they overlap by ≥ {}% of their union)",
        args.threshold
    );
    let mut table = Table::new(&["code", "coders", "agree", "disagree", "total", "agree %"]);
    for row in &rows {
        for p in &row.pairs {
            let c = p.segments.counts;
            table.row(vec![
                code(row.code).to_owned(),
                pair(p),
                c.agreements().to_string(),
                c.disagreements().to_string(),
                (c.agreements() + c.disagreements()).to_string(),
                percent(p.segments.percent),
            ]);
        }
    }
    print!("{}", table.render());
    for p in &comparison.overall.pairs {
        println!(
            "Brennan & Prediger kappa (segment level, k = {} codes), {}: {}",
            data.codes.len(),
            pair(p),
            kappa(p.segments.kappa)
        );
    }
    let per_code: Vec<String> = unitized
        .by_code
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} {}", code(i), kappa(c.alpha)))
        .collect();
    println!(
        "Unitizing alpha (Krippendorff 1995, 2004), all coders: {} overall; {}",
        kappa(unitized.overall),
        per_code.join(", ")
    );
    if let Some(domains) = &domains {
        for d in &domains.within {
            println!(
                "cu-alpha (ATLAS.ti, Krippendorff 2019), domain {} ({}): {} over {:.0} pairable chars",
                d.domain,
                d.codes.join(", "),
                kappa(d.cu_alpha.alpha),
                d.cu_alpha.pairable
            );
        }
        if let Some(across) = &domains.across {
            println!(
                "Cu-alpha across the {} domains: {} over {:.0} pairable chars",
                domains.within.len(),
                kappa(across.alpha),
                across.pairable
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn percent(e: Estimate) -> String {
    match e {
        Estimate::Defined { value } => format!("{:.2}", value * 100.0),
        undefined => undefined.to_string(),
    }
}

fn kappa(e: Estimate) -> String {
    e.to_string()
}
