//! REFI-QDA export (.qdpx, .qdc) for `verbatim export`.

use std::process::ExitCode;

use super::export::ExportArgs;

/// Writes a `.qdpx` project or a `.qdc` codebook.
pub fn run(_args: &ExportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("REFI-QDA export is being built")
}
