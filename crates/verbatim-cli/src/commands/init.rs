//! `verbatim init`: create a study, in a file or on a PostgreSQL server.

use std::process::ExitCode;

use clap::Args;
use verbatim_core::Language;
use verbatim_store::{SqliteStore, StudySettings};
use verbatim_store_pg::PgStore;

use super::{Location, ProjectArg};
use crate::ui;

/// Create a new, empty study file
#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    project: ProjectArg,
    /// The study's title
    #[arg(long)]
    title: Option<String>,
    /// The default language of its sources (fr, en, …)
    #[arg(long)]
    language: Option<Language>,
}

/// Creates the study and says where it is.
pub fn cmd_init(args: &InitArgs) -> anyhow::Result<ExitCode> {
    let location = args.project.location()?;
    let title = args.title.clone().unwrap_or_else(|| match &location {
        Location::File(path) => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        Location::Postgres(address) => address.study().to_owned(),
    });
    let settings = StudySettings {
        title,
        language: args.language.clone(),
    };
    match &location {
        Location::File(path) => {
            SqliteStore::create(path, &settings, &ui::actor())?;
            println!("Created study {:?} in {}.", settings.title, path.display());
        }
        Location::Postgres(address) => {
            PgStore::create(address, &settings, &ui::actor())?;
            println!("Created study {:?} at {address}.", settings.title);
        }
    }
    Ok(ExitCode::SUCCESS)
}
