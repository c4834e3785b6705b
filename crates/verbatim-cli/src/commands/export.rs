//! `verbatim export`: the study out to other tools. REFI-QDA formats are
//! written by [`super::export_refi`], spreadsheets by [`super::export_sheet`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::ProjectArg;
use super::coder_arg::{AllArg, CoderArg};

/// What `verbatim export` writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A REFI-QDA project: sources, codes, codings, cases, notes
    Qdpx,
    /// A REFI-QDA codebook
    Qdc,
    /// A CSV table (coded segments, or the codebook with --what codebook), UTF-8
    /// with a byte-order mark so that Excel shows accents (--no-bom leaves it out)
    Csv,
    /// An Excel workbook (coded segments, or the codebook with --what codebook)
    Xlsx,
}

/// Whose offsets a REFI-QDA export is meant for.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ExportTarget {
    /// The standard: offsets in Unicode code points
    #[default]
    Refi,
    /// NVivo: offsets in UTF-16 units
    Nvivo,
    /// QualCoder: offsets in UTF-16 units
    Qualcoder,
    /// ATLAS.ti: offsets in UTF-16 units (inferred, unchecked)
    Atlasti,
    /// MAXQDA: offsets in UTF-16 units (inferred, unchecked)
    Maxqda,
}

/// What a spreadsheet export holds.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum SheetContent {
    /// One row per coded segment
    #[default]
    Segments,
    /// One row per code of the codebook
    Codebook,
}

/// Export the study to REFI-QDA (.qdpx, .qdc) or a spreadsheet (.csv, .xlsx)
#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    #[command(flatten)]
    pub coder: CoderArg,
    #[command(flatten)]
    pub layers: AllArg,
    /// The format to write
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The file to write
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The tool the file is for: the standard counts code points, NVivo,
    /// QualCoder, ATLAS.ti and MAXQDA count UTF-16 units
    #[arg(long, value_enum, default_value_t)]
    pub target: ExportTarget,
    /// For csv and xlsx: coded segments or the codebook
    #[arg(long, value_enum, default_value_t)]
    pub what: SheetContent,
    /// Export the shared codebook rather than the coder's own
    #[arg(long)]
    pub shared: bool,
    /// For csv: leave out the byte-order mark (written by default because
    /// Excel reads a CSV as UTF-8 only with it)
    #[arg(long)]
    pub no_bom: bool,
    /// For csv: the cell separator (semicolon for Excel in French)
    #[arg(long, value_enum, default_value_t)]
    pub separator: super::export_sheet::Separator,
}

/// Writes the export the arguments ask for.
pub fn cmd_export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    match args.format {
        ExportFormat::Qdpx | ExportFormat::Qdc => super::export_refi::run(args),
        ExportFormat::Csv | ExportFormat::Xlsx => super::export_sheet::run(args),
    }
}
