//! `verbatim study`: facts about the whole study — whether its layers are
//! blind, revealed (by whom) or declared solo — on a study file or a
//! PostgreSQL study alike (through the store's `Reveal` and `Solo` traits).

use std::process::ExitCode;

use clap::{Args, Subcommand};

use verbatim_store::{Reveal, Solo};
use verbatim_store_pg::PgStore;

use super::coder_arg::CoderArg;
use super::{Location, ProjectArg};
use crate::ui;

/// Declare the study solo, or show whether its coders' layers are open
#[derive(Args, Debug)]
pub struct StudyArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    #[command(subcommand)]
    action: StudyAction,
}

#[derive(Subcommand, Debug)]
enum StudyAction {
    /// Declare that one researcher codes under several names, so every name sees every layer
    /// (recorded; refused once two coders have coded blind: use `verbatim reveal`)
    Solo,
    /// Show whether the layers are blind, revealed (by whom) or solo
    Status,
}

/// What `study` needs of a study, on either backend.
trait Layers: Reveal + Solo {}

impl<T: Reveal + Solo> Layers for T {}

/// Runs `study solo` or `study status`.
pub fn cmd_study(args: &StudyArgs) -> anyhow::Result<ExitCode> {
    let mut store: Box<dyn Layers> = match args.project.location()? {
        Location::File(_) => Box::new(args.project.open()?),
        Location::Postgres(address) => Box::new(PgStore::open(&address)?),
    };
    match args.action {
        StudyAction::Solo => {
            if store.mark_solo(
                &args
                    .coder
                    .name()
                    .map_or_else(|_| ui::actor(), str::to_owned),
            )? {
                println!(
                    "The study is now solo: every coder name sees every layer (recorded in the log)."
                );
            } else {
                println!("The study was already solo.");
            }
        }
        StudyAction::Status => {
            match store.revealed()? {
                Some((by, at)) => println!("Revealed by {by} at {at}."),
                None => println!("Not revealed: each coder sees only their own layer."),
            }
            if let Some((by, at)) = store.solo()? {
                println!(
                    "Solo since {at} (declared by {by}): one researcher codes under several names."
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
