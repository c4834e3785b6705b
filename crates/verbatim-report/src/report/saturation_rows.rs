//! The saturation table's rows: each coder's verdict and the team's, on
//! the consensus codebook, overall and by site.
//!
//! Each coder's rows are what `verbatim saturation --by-site` prints for
//! them, read through `verbatim_views::saturation` as the command reads
//! them. The team's rows read the consensus layer's passages the same
//! way, over the sources the team analysed (the sources any coder coded),
//! and are shown once the consensus has a passage; COREQ item 22 states
//! the team's verdict rather than one coder's.

use std::collections::{BTreeSet, HashMap};

use verbatim_analysis::saturation::{self, Params};
use verbatim_store::{Coder, Scope, SourceSummary, StoreError};

use crate::reads::ReportReads;
use verbatim_views as views;

use super::ReportError;
use super::gather::{Ctx, shell_word};
use super::model::{Command, Lang, SaturationRow};

/// Returns the rows: each of `coders`, then the team.
pub(crate) fn rows(ctx: &Ctx<'_>, coders: &[String]) -> Result<Vec<SaturationRow>, ReportError> {
    let store = ctx.store;
    let ordered = views::saturation::ordered_sources(store, true, false)?;
    let mut out = Vec::new();
    for name in coders {
        let Some(coder) = store.coder_by_name(name)? else {
            continue;
        };
        let command = if coder.id == ctx.scope.coder().id {
            ctx.cmd.plain("saturation", "--by-site")
        } else {
            ctx.cmd.plain(
                "saturation",
                &format!("--coders {} --all --by-site", shell_word(&coder.name)),
            )
        };
        let per_source = views::saturation::codes_per_source(store, &ctx.scope, &coder, None)?;
        let sources: Vec<&SourceSummary> = ordered.iter().collect();
        push_groups(
            &mut out,
            &coder.name,
            false,
            &sources,
            &per_source,
            &command,
        );
    }
    let consensus = store.consensus_scope()?;
    let team = team_codes(store, &consensus)?;
    if !team.is_empty() {
        let analysed: BTreeSet<i64> = store.sources_coded_by_anyone()?.into_iter().collect();
        let sources: Vec<&SourceSummary> = ordered
            .iter()
            .filter(|s| analysed.contains(&s.id))
            .collect();
        let label = match ctx.opts.lang {
            Lang::En => "team (consensus)",
            Lang::Fr => "équipe (consensus)",
        };
        let command = ctx.cmd.plain("saturation", "--shared --by-site");
        push_groups(&mut out, label, true, &sources, &team, &command);
    }
    Ok(out)
}

/// Returns the codes of the consensus passages per source.
fn team_codes(
    store: &dyn ReportReads,
    consensus: &Scope,
) -> Result<HashMap<i64, BTreeSet<i64>>, StoreError> {
    let coder: Coder = consensus.coder().clone();
    views::saturation::codes_per_source(store, consensus, &coder, None)
}

/// Assesses `sources` overall, then each site on its own, as
/// `verbatim saturation --by-site` groups them.
fn push_groups(
    out: &mut Vec<SaturationRow>,
    coder: &str,
    team: bool,
    sources: &[&SourceSummary],
    per_source: &HashMap<i64, BTreeSet<i64>>,
    command: &Command,
) {
    let mut sites: Vec<String> = sources.iter().filter_map(|s| s.site.clone()).collect();
    sites.sort();
    sites.dedup();
    let groups = std::iter::once(None).chain(sites.iter().map(Some));
    for site in groups {
        let group = sources
            .iter()
            .copied()
            .filter(|s| site.is_none_or(|site| s.site.as_ref() == Some(site)));
        let input = views::saturation::input(group, per_source);
        out.push(SaturationRow {
            coder: coder.to_owned(),
            team,
            site: site.cloned(),
            saturation: saturation::assess(&input, Params::default()),
            command: command.clone(),
        });
    }
}
