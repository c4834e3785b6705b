//! `verbatim reveal`: end blind coding, so coders' work can be compared
//! (a file or a PostgreSQL study, through the `Reveal` trait).

use std::process::ExitCode;

use clap::Args;
use verbatim_store::Reveal;
use verbatim_store_pg::PgStore;

use super::coder_arg::CoderArg;
use super::{Location, ProjectArg};
use crate::ui;

/// Open every coder's work to every coder, for comparison (recorded; cannot be undone)
#[derive(Args, Debug)]
pub struct RevealArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
}

/// Reveals the study's layers, or says who already did.
pub fn cmd_reveal(args: &RevealArgs) -> anyhow::Result<ExitCode> {
    let mut store: Box<dyn Reveal> = match args.project.location()? {
        Location::File(_) => Box::new(args.project.open()?),
        Location::Postgres(address) => Box::new(PgStore::open(&address)?),
    };
    let actor = args
        .coder
        .name()
        .map_or_else(|_| ui::actor(), str::to_owned);
    if store.reveal(&actor)? {
        println!(
            "Revealed by {actor}: every coder can now see every coder's codebook and codings."
        );
    } else {
        match store.revealed()? {
            Some((by, at)) => println!("The study was already revealed by {by} at {at}."),
            None => println!("The study was already revealed."),
        }
    }
    Ok(ExitCode::SUCCESS)
}
