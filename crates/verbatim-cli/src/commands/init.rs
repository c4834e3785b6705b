//! `verbatim init`: create a study file.

use std::process::ExitCode;

use clap::Args;
use verbatim_core::Language;
use verbatim_store::{SqliteStore, StudySettings};

use super::ProjectArg;
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
    let path = args.project.path()?;
    let title = args.title.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let settings = StudySettings {
        title,
        language: args.language.clone(),
    };
    SqliteStore::create(path, &settings, &ui::actor())?;
    println!("Created study {:?} in {}.", settings.title, path.display());
    Ok(ExitCode::SUCCESS)
}
