//! `verbatim agreement`: intercoder agreement on a study's codings.
//!
//! Computes, through `verbatim_views::agreement` (the report and the web
//! compare page call it too), the coders' agreement on the codes they share
//! (same name, a reconciliation decision, `--pair`, rolled up with
//! `--level`), each pair only on the sources both coded, and prints which
//! sources entered and which were left out, then what NVivo's Coding
//! Comparison and MAXQDA's Intercoder Agreement report, computed by
//! `verbatim_analysis::agreement`:
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
use verbatim_store::agreement_data::{AgreementRequest, CodeGroup, CodePairing, CodeRef, PairedBy};
use verbatim_views::agreement::{AgreementOptions, AgreementView};

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
    /// Compare two coders' differently named codes as one (repeatable);
    /// codes joined by `reconcile accept`/`merge` are paired already
    #[arg(long = "pair", value_name = "CODER:CODE=CODER:CODE", value_parser = parse_pair)]
    pairs: Vec<CodePairing>,
    /// Roll codes up to their ancestor at this level first (e.g. theme): a
    /// coding of an idea counts for its theme
    #[arg(long, value_name = "LEVEL")]
    level: Option<String>,
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

/// Parses `CODER:CODE=CODER:CODE`.
fn parse_pair(arg: &str) -> Result<CodePairing, String> {
    let side = |text: &str| {
        let (coder, code) = text.split_once(':')?;
        let (coder, code) = (coder.trim(), code.trim());
        (!coder.is_empty() && !code.is_empty()).then(|| CodeRef {
            coder: coder.to_owned(),
            code: code.to_owned(),
        })
    };
    arg.split_once('=')
        .and_then(|(a, b)| Some(CodePairing {
            a: side(a)?,
            b: side(b)?,
        }))
        .ok_or_else(|| {
            format!(
                "`{arg}` is not a pairing: write CODER:CODE=CODER:CODE, e.g. \"ana:Confiance=ben:Trust\""
            )
        })
}

/// A source in the JSON: id, name, size and who coded it.
#[derive(Serialize)]
struct SourceEntry<'a> {
    id: i64,
    name: &'a str,
    chars: u64,
    coded_by: Vec<&'a str>,
}

/// A source left out, with the compared coders who did not code it.
#[derive(Serialize)]
struct LeftOutEntry<'a> {
    id: i64,
    name: &'a str,
    not_coded_by: Vec<&'a str>,
}

#[derive(Serialize)]
struct Report<'a> {
    coders: Vec<&'a str>,
    codes: &'a [String],
    code_groups: &'a [CodeGroup],
    unshared_codes: &'a [String],
    off_level_codes: &'a [String],
    sources: Vec<SourceEntry<'a>>,
    left_out_sources: Vec<LeftOutEntry<'a>>,
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
    let level = args
        .level
        .as_deref()
        .map(|l| store.level_rank_of(l))
        .transpose()?;
    let options = AgreementOptions {
        request: AgreementRequest {
            coders: args.coders.clone(),
            only_code: args.code.clone(),
            pairs: args.pairs.clone(),
            level,
        },
        threshold: args.threshold / 100.0,
        overlap_base: match args.overlap {
            Overlap::Union => agreement::OverlapBase::Union,
            Overlap::Own => agreement::OverlapBase::Own,
        },
        by_source: args.by.is_some(),
    };
    let view = verbatim_views::agreement::agreement(&store, &scope, &options)?;
    let data = &view.data;
    if args.document_level {
        if data.coders.len() != 2 {
            bail!(
                "the document-level comparison is between two coders: give --coders A,B ({} were selected)",
                data.coders.len()
            );
        }
        return print_document_level(&view, args.json);
    }
    let comparison = &view.comparison;
    let group_passages = view.group_passages();
    let unitized = unitizing_alpha(
        data.coders.len(),
        data.codes.len(),
        &view.group_sizes(),
        &group_passages,
    );
    let domains = if args.domains.is_empty() {
        None
    } else {
        Some(agreement_domains::domain_alphas(
            &args.domains,
            data,
            &group_passages,
        )?)
    };
    if args.json {
        print_json(&Report {
            coders: data.coders.iter().map(|c| c.name.as_str()).collect(),
            codes: &data.codes,
            code_groups: &data.groups,
            unshared_codes: &data.unshared,
            off_level_codes: &data.off_level,
            sources: view
                .entered()
                .into_iter()
                .map(|s| SourceEntry {
                    id: s.id,
                    name: &s.name,
                    chars: s.chars,
                    coded_by: coded_by(&view, &s.coded_by),
                })
                .collect(),
            left_out_sources: view
                .left_out()
                .into_iter()
                .map(|l| LeftOutEntry {
                    id: l.source.id,
                    name: &l.source.name,
                    not_coded_by: l.missing,
                })
                .collect(),
            unit: "Unicode scalar value (char)",
            comparison,
            unitizing: &unitized,
            domains: domains.as_ref(),
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    print_scope(&view);
    let coder = |i: usize| data.coders.get(i).map_or("?", |c| c.name.as_str());
    let code = |i: usize| {
        data.codes
            .get(i)
            .map_or("all codes (pooled)", String::as_str)
    };
    let pair = |p: &PairSummary| format!("{} / {}", coder(p.a), coder(p.b));
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
        println!(
            "No shared code to compare: pair the coders' codes with --pair CODER:CODE=CODER:CODE, or build the shared codebook with `verbatim reconcile`."
        );
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

/// Returns the names of the coders flagged in `coded`.
fn coded_by<'a>(view: &'a AgreementView, coded: &[bool]) -> Vec<&'a str> {
    coded
        .iter()
        .enumerate()
        .filter(|(_, c)| **c)
        .map(|(i, _)| view.coder(i))
        .collect()
}

/// Prints the coders, the codes and how they were paired, and which
/// sources each pair was compared on and which were left out.
fn print_scope(view: &AgreementView) {
    let data = &view.data;
    let names: Vec<&str> = data.coders.iter().map(|c| c.name.as_str()).collect();
    println!(
        "{} coders ({}), {} shared codes.",
        names.len(),
        names.join(", "),
        data.codes.len()
    );
    for group in data.groups.iter().filter(|g| g.paired_by != PairedBy::Name) {
        let members: Vec<String> = group
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| format!("{}: {}", view.coder(i), m.join(" + ")))
            .collect();
        let how = match group.paired_by {
            PairedBy::Explicit => "paired with --pair",
            _ => "joined by reconciliation",
        };
        println!("  {} ({how}): {}", group.name, members.join("; "));
    }
    for scope in &view.comparison.pair_scopes {
        let pair: Vec<&str> = scope.coders.iter().map(|&i| view.coder(i)).collect();
        let sources: Vec<&str> = view
            .sources_of(scope)
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        if sources.is_empty() {
            println!(
                "{}: no source coded by both: not compared.",
                pair.join(" / ")
            );
        } else {
            println!(
                "{}: compared on the {} sources both coded ({} chars): {}.",
                pair.join(" / "),
                sources.len(),
                scope.chars,
                sources.join(", ")
            );
        }
    }
    if data.coders.len() > 2 {
        let group = &view.comparison.group_scope;
        println!(
            "All {} coders (Fleiss, alphas): {} sources every coder coded ({} chars).",
            data.coders.len(),
            group.sources.len(),
            group.chars
        );
    }
    let left_out = view.left_out();
    if !left_out.is_empty() {
        let shown: Vec<String> = left_out
            .iter()
            .map(|l| format!("{} (not coded by {})", l.source.name, l.missing.join(", ")))
            .collect();
        println!(
            "Left out, because a coder did not code them: {}.",
            shown.join("; ")
        );
    }
    if !data.off_level.is_empty() {
        println!(
            "Left out: {} codes with no ancestor at the level compared ({}).",
            data.off_level.len(),
            data.off_level.join(", ")
        );
    }
}

/// Prints MAXQDA's document-level comparison over the sources both
/// coders coded.
fn print_document_level(view: &AgreementView, json: bool) -> anyhow::Result<ExitCode> {
    let rows = view.document_level();
    if json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_scope(view);
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
            view.data.codes.get(r.code).cloned().unwrap_or_default(),
            r.documents.to_string(),
            r.presence_agree.to_string(),
            percent(r.presence_percent),
            r.frequency_agree.to_string(),
            percent(r.frequency_percent),
        ]);
    }
    print!("{}", table.render());
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
