//! `verbatim reveal`: end blind coding, so coders' work can be compared.

use std::process::ExitCode;

use clap::Args;

use super::ProjectArg;
use super::coder_arg::CoderArg;
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
    let mut store = args.project.open()?;
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
