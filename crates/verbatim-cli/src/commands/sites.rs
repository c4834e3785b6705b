//! `verbatim sites`: where data was collected, and the short codes that
//! participant pseudonyms carry.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{ProjectArg, print_json};
use crate::ui::{self, Table};

/// Add, order or list the study's sites
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
    /// Put the sites in the order reports list them (one undoable action)
    Order {
        #[command(flatten)]
        project: ProjectArg,
        /// Site codes (or names) in order, comma-separated; sites not named follow, by name
        #[arg(value_delimiter = ',', required = true)]
        order: Vec<String>,
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

/// Runs `sites add`, `sites order` or `sites list`.
pub fn cmd_sites(args: &SitesArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        SitesAction::Add {
            project,
            name,
            code,
        } => {
            let mut store = project.open_study()?;
            let site = store.add_site(&ui::actor(), name, code)?;
            println!("Added site {} ({}).", site.name, site.code);
        }
        SitesAction::Order { project, order } => {
            let mut store = project.open()?;
            let sites = store.set_site_order(&ui::actor(), order)?;
            let codes: Vec<&str> = sites.iter().map(|s| s.code.as_str()).collect();
            println!("Sites in order: {}.", codes.join(", "));
        }
        SitesAction::List { project, json } => {
            let store = project.open_study()?;
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
