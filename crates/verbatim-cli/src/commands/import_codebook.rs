//! `verbatim import codebook FILE`: a codebook from a spreadsheet (CSV,
//! XLSX, ODS) or a REFI-QDA `.qdc` into the coder's codebook or the shared
//! one, whole or not at all, undoable in one step.
//!
//! `import codebook` is a subcommand of `import`, whose arguments are
//! otherwise transcript paths; a file or folder named `codebook` in the
//! current folder would make `verbatim import codebook` ambiguous, so that
//! case is refused with the two ways out.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use verbatim_exchange::codebook::{CodebookEntry, write_codebook};
use verbatim_exchange::sheets::codebook_in::{SheetKind, read_codebook_sheet};
use verbatim_store::Book;

use super::ProjectArg;
use super::coder_arg::CoderArg;

/// Import a codebook (CSV, XLSX, ODS or REFI-QDA .qdc) into your codebook or the shared one
///
/// Spreadsheet columns are found by header, in English or French: code or
/// nom, code path or chemin (`Theme / Idea` or `Theme > Idea`), parent,
/// depth or profondeur, level or niveau, definition, inclusion criteria,
/// exclusion criteria, example, colour. A code on two rows with two paths
/// sits under both parents. Nothing is imported unless every row is right.
#[derive(Args, Debug)]
pub struct ImportCodebookArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// The codebook file (.csv, .tsv, .xlsx, .ods, .qdc)
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Import into the shared codebook rather than your own
    #[arg(long)]
    shared: bool,
}

/// Reads the codebook file and writes it into the study.
pub fn cmd_import_codebook(args: &ImportCodebookArgs) -> anyhow::Result<ExitCode> {
    // `verbatim import codebook` names this command, unless the user meant
    // a transcript file or folder called `codebook`.
    if Path::new("codebook").try_exists().unwrap_or(false) {
        bail!(
            "there is a file or folder named \"codebook\" here, so `verbatim import codebook` is ambiguous: \
             to import it as transcripts write `verbatim import ./codebook`; to import a codebook file, \
             run the command from another folder"
        );
    }
    let Some(file) = &args.file else {
        bail!("say which codebook to import: `verbatim import codebook FILE.csv|xlsx|qdc`");
    };
    let mut store = args.project.open_study()?;
    let scope = args.coder.scope_on(&*store, false, false)?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let ext = file
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let levels = store.levels()?;
    let refused =
        |reason: String| anyhow::anyhow!("{}: {reason}; nothing was imported", file.display());
    let (entries, ignored): (Vec<CodebookEntry>, Vec<String>) = if ext == "qdc" {
        let (entries, report) =
            verbatim_exchange::refi::read_codebook_with_report(&bytes, &file.display().to_string())
                .map_err(|e| refused(e.to_string()))?;
        (entries, report.losses)
    } else if let Some(kind) = SheetKind::from_extension(&ext) {
        let read =
            read_codebook_sheet(kind, &bytes, &levels).map_err(|e| refused(e.to_string()))?;
        (read.entries, read.ignored_columns)
    } else {
        bail!(
            "{}: not a codebook format verbatim reads: give a .csv, .tsv, .xlsx, .ods or .qdc file",
            file.display()
        );
    };
    let book = if args.shared { Book::Shared } else { Book::Own };
    let written =
        write_codebook(&mut *store, &scope, book, &entries).map_err(|e| refused(e.to_string()))?;
    if ext == "qdc" {
        for loss in &ignored {
            println!("  not carried: {loss}");
        }
    } else if !ignored.is_empty() {
        eprintln!(
            "note: columns not read (not a codebook field): {}",
            ignored.join(", ")
        );
    }
    let target = if args.shared {
        "the shared codebook".to_owned()
    } else {
        format!("{}'s codebook", scope.coder().name)
    };
    let links = match written.links {
        0 => String::new(),
        1 => ", one of them also under a second parent".to_owned(),
        n => format!(", {n} links to a further parent"),
    };
    println!(
        "Imported {} codes{links} into {target} from {}. `verbatim undo` removes them all.",
        written.codes,
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}
