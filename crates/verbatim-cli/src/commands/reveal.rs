//! `verbatim reveal`: end blind coding, so coders' work can be compared.

use std::process::ExitCode;

use clap::Args;

use super::ProjectArg;
use crate::ui;

/// Open every coder's work to every coder, for comparison (recorded; cannot be undone)
#[derive(Args, Debug)]
pub struct RevealArgs {
    #[command(flatten)]
    project: ProjectArg,
}

/// Reveals the study's layers.
pub fn cmd_reveal(args: &RevealArgs) -> anyhow::Result<ExitCode> {
    let mut store = args.project.open()?;
    if store.reveal(&ui::actor())? {
        println!("Revealed: every coder can now see every coder's codebook and codings.");
    } else {
        println!("The study was already revealed.");
    }
    Ok(ExitCode::SUCCESS)
}
