//! `verbatim sources`: list a study's sources, with when each was
//! collected and, with `--coder X`, whether X coded it (an analytic coding,
//! or marked done with `verbatim source done`). Which sources a colleague
//! coded is not blind: it says nothing of what they coded.

use std::collections::BTreeSet;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use verbatim_store::SourceSummary;

use super::{ProjectArg, print_json};
use crate::ui::Table;

/// List the sources of a study
#[derive(Args, Debug)]
pub struct SourcesArgs {
    #[command(flatten)]
    project: ProjectArg,
    /// Also say, per source, whether this coder coded it or marked it done
    #[arg(long, value_name = "NAME")]
    coder: Option<String>,
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
}

/// A source with whether the coder asked about coded it.
#[derive(Serialize)]
struct ForCoder<'a> {
    #[serde(flatten)]
    source: &'a SourceSummary,
    coder: &'a str,
    coded_by_coder: bool,
    marked_done: bool,
}

/// Prints every source with its kind, size, turns, speakers and
/// collection date (and, for a coder, whether they coded it).
pub fn cmd_sources(args: &SourcesArgs) -> anyhow::Result<ExitCode> {
    // Which sources a coder coded is read from a study file; the listing
    // itself works on any backend.
    let coded = match args.coder.as_deref() {
        Some(name) => {
            let store = args.project.open()?;
            let scope = if name.trim() == store.consensus_coder()?.name {
                store.consensus_scope()?
            } else {
                store.scope(name, false, false)?
            };
            let coded: BTreeSet<i64> = store.sources_coded_by(&scope)?.into_iter().collect();
            let done: BTreeSet<i64> = store.sources_marked_done(&scope)?.into_iter().collect();
            Some((scope.coder().name.clone(), coded, done))
        }
        None => None,
    };
    let sources = args.project.open_any()?.sources()?;
    if args.json {
        match &coded {
            Some((name, coded, done)) => print_json(
                &sources
                    .iter()
                    .map(|s| ForCoder {
                        source: s,
                        coder: name,
                        coded_by_coder: coded.contains(&s.id),
                        marked_done: done.contains(&s.id),
                    })
                    .collect::<Vec<_>>(),
            )?,
            None => print_json(&sources)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut header = vec![
        "id",
        "name",
        "kind",
        "format",
        "lang",
        "site",
        "collected",
        "chars",
        "turns",
        "speakers",
    ];
    if coded.is_some() {
        header.push("coded");
    }
    let mut table = Table::new(&header);
    for s in &sources {
        let mut speakers = s.speakers.join(", ");
        if speakers.chars().count() > 48 {
            speakers = format!("{}…", speakers.chars().take(47).collect::<String>());
        }
        let mut row = vec![
            s.id.to_string(),
            s.name.clone(),
            s.kind.clone(),
            s.format.clone(),
            s.language.clone().unwrap_or_default(),
            s.site.clone().unwrap_or_default(),
            s.collected_on.clone().unwrap_or_default(),
            s.chars.to_string(),
            s.turns.to_string(),
            speakers,
        ];
        if let Some((_, coded, done)) = &coded {
            row.push(
                match (coded.contains(&s.id), done.contains(&s.id)) {
                    (true, true) => "done",
                    (true, false) => "yes",
                    _ => "",
                }
                .to_owned(),
            );
        }
        table.row(row);
    }
    print!("{}", table.render());
    match &coded {
        Some((name, coded, _)) => println!(
            "{} sources; {name} coded {} of them.",
            sources.len(),
            coded.len()
        ),
        None => println!("{} sources.", sources.len()),
    }
    Ok(ExitCode::SUCCESS)
}
