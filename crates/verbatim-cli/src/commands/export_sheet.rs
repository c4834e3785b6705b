//! Spreadsheet export (.csv, .xlsx) for `verbatim export`.

use std::process::ExitCode;

use super::export::ExportArgs;

/// Writes coded segments or the codebook as CSV or XLSX.
pub fn run(_args: &ExportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("spreadsheet export is being built")
}
