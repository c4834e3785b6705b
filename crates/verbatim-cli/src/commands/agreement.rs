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
//! once the study is revealed, or with `--solo`. A study file and a
//! PostgreSQL study are read through the same `AgreementReads` trait, so
//! both print the same figures.

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use serde::Serialize;
use verbatim_analysis::agreement::{self, Comparison, Passage};
use verbatim_analysis::reliability::Estimate;
use verbatim_analysis::unitizing;
use verbatim_store::agreement_data::{AgreementRequest, CodeGroup, CodePairing, CodeRef};
use verbatim_store::{AgreementReads, Coders, Scope};
use verbatim_store_pg::PgStore;
use verbatim_views::agreement::{AgreementOptions, AgreementView};

use super::coder_arg::CoderArg;
use super::{Location, ProjectArg, print_json};
use super::{agreement_domains, agreement_text};

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
pub(super) struct Unitizing {
    pub(super) by_code: Vec<unitizing::CategoryAlpha>,
    pub(super) overall: Estimate,
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
    let view = match args.project.location()? {
        Location::Postgres(address) => {
            let store = PgStore::open(&address)?;
            let scope = store.scope(args.coder.name()?, true, args.solo)?;
            compute(&store, &scope, args)?
        }
        Location::File(_) => {
            let store = args.project.open()?;
            let scope = args.coder.scope_as(&store, true, args.solo)?;
            compute(&store, &scope, args)?
        }
    };
    let data = &view.data;
    if args.document_level {
        if data.coders.len() != 2 {
            bail!(
                "the document-level comparison is between two coders: give --coders A,B ({} were selected)",
                data.coders.len()
            );
        }
        return agreement_text::print_document_level(&view, args.json);
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
    agreement_text::print(
        &view,
        &unitized,
        domains.as_ref(),
        args.threshold,
        args.by.is_some(),
    );
    Ok(ExitCode::SUCCESS)
}

/// Computes the comparison `args` asks for, on either backend.
fn compute(
    store: &dyn AgreementReads,
    scope: &Scope,
    args: &AgreementArgs,
) -> anyhow::Result<AgreementView> {
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
    Ok(verbatim_views::agreement::agreement(
        store, scope, &options,
    )?)
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
