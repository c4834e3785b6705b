//! `verbatim sites`: where data was collected, and the short codes that
//! participant pseudonyms carry.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{ProjectArg, print_json};
use crate::ui::{self, Table};

/// Add or list the study's sites
#[derive(Args, Debug)]
pub struct SitesArgs {
    #[command(subcommand)]
    action: SitesAction,
}

#[derive(Subcommand, Debug)]
enum SitesAction {
    /// Add a site with its short code
    Add {
        #[command(flatten)]
        project: ProjectArg,
        /// Its full name ("Centre hospitalier de Valmont")
        name: String,
        /// The short code pseudonyms use (CH)
        #[arg(long)]
        code: String,
    },
    /// List the sites
    List {
        #[command(flatten)]
        project: ProjectArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Runs `sites add` or `sites list`.
pub fn cmd_sites(args: &SitesArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        SitesAction::Add {
            project,
            name,
            code,
        } => {
            let mut store = project.open()?;
            let site = store.add_site(&ui::actor(), name, code)?;
            println!("Added site {} ({}).", site.name, site.code);
        }
        SitesAction::List { project, json } => {
            let store = project.open()?;
            let sites = store.sites()?;
            if *json {
                print_json(&sites)?;
            } else {
                let mut table = Table::new(&["code", "name"]);
                for s in &sites {
                    table.row(vec![s.code.clone(), s.name.clone()]);
                }
                print!("{}", table.render());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
