//! `verbatim sources`: list a study's sources.

use std::process::ExitCode;

use clap::Args;

use super::{ProjectArg, print_json};
use crate::ui::Table;

/// List the sources of a study
#[derive(Args, Debug)]
pub struct SourcesArgs {
    #[command(flatten)]
    project: ProjectArg,
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
}

/// Prints every source with its kind, size, turns and speakers.
pub fn cmd_sources(args: &SourcesArgs) -> anyhow::Result<ExitCode> {
    let store = args.project.open_any()?;
    let sources = store.sources()?;
    if args.json {
        print_json(&sources)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "id", "name", "kind", "format", "lang", "site", "chars", "turns", "speakers",
    ]);
    for s in &sources {
        let mut speakers = s.speakers.join(", ");
        if speakers.chars().count() > 48 {
            speakers = format!("{}…", speakers.chars().take(47).collect::<String>());
        }
        table.row(vec![
            s.id.to_string(),
            s.name.clone(),
            s.kind.clone(),
            s.format.clone(),
            s.language.clone().unwrap_or_default(),
            s.site.clone().unwrap_or_default(),
            s.chars.to_string(),
            s.turns.to_string(),
            speakers,
        ]);
    }
    print!("{}", table.render());
    println!("{} sources.", sources.len());
    Ok(ExitCode::SUCCESS)
}
