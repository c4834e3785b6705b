//! `verbatim coder`: the members of the team who code.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{ProjectArg, print_json};
use crate::ui::{self, Table};

/// Add or list the coders of a study
#[derive(Args, Debug)]
pub struct CoderArgs {
    #[command(subcommand)]
    pub(super) action: CoderAction,
}

#[derive(Subcommand, Debug)]
pub(super) enum CoderAction {
    /// Add a coder
    Add {
        #[command(flatten)]
        project: ProjectArg,
        /// Their name, used with --coder
        name: String,
        /// Their initials [default: from the name]
        #[arg(long)]
        initials: Option<String>,
        /// Their colour, #rrggbb [default: from a palette]
        #[arg(long)]
        colour: Option<String>,
    },
    /// List the coders
    List {
        #[command(flatten)]
        project: ProjectArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Runs `coder add` or `coder list`.
pub fn cmd_coder(args: &CoderArgs) -> anyhow::Result<ExitCode> {
    if let Some(ran) = super::pg_coding::coder(args)? {
        return Ok(ran);
    }
    match &args.action {
        CoderAction::Add {
            project,
            name,
            initials,
            colour,
        } => {
            let mut store = project.open()?;
            let coder =
                store.add_coder(&ui::actor(), name, initials.as_deref(), colour.as_deref())?;
            println!(
                "Added coder {} ({}, {}).",
                coder.name, coder.initials, coder.colour
            );
        }
        CoderAction::List { project, json } => {
            let store = project.open()?;
            print_coders(&store.coders()?, *json)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the coders as a table, or as JSON.
pub(super) fn print_coders(coders: &[verbatim_store::Coder], json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&coders);
    }
    let mut table = Table::new(&["id", "name", "initials", "colour"]);
    for c in coders {
        table.row(vec![
            c.id.to_string(),
            c.name.clone(),
            c.initials.clone(),
            c.colour.clone(),
        ]);
    }
    print!("{}", table.render());
    Ok(())
}
