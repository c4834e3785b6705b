//! Spreadsheet export (.csv, .xlsx) for `verbatim export`.
//!
//! The tables are built by `verbatim_exchange::sheets`; this file chooses
//! the codebooks and layers from the arguments, writes the file whole (to a
//! `.partial` file renamed at the end, so a failure never leaves half a
//! spreadsheet under the name asked for) and reports.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use verbatim_exchange::sheets::codebook_out::{BookChoice, codebook_table};
use verbatim_exchange::sheets::csv_out::{CsvOptions, write_csv};
use verbatim_exchange::sheets::segments::{SegmentFilter, SegmentReads, segments_table};
use verbatim_exchange::sheets::xlsx_out::write_xlsx;
use verbatim_exchange::sheets::{Table, WriteReport};
use verbatim_store::{Book, Coders, Scope};
use verbatim_store_pg::PgStore;

use super::Location;
use super::export::{ExportArgs, ExportFormat, SheetContent};

/// The cell separator of a CSV export.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Separator {
    /// `,` (the standard; English-locale Excel)
    #[default]
    Comma,
    /// `;` (Excel in French and other locales with a decimal comma)
    Semicolon,
    /// A tab
    Tab,
}

impl Separator {
    fn byte(self) -> u8 {
        match self {
            Separator::Comma => b',',
            Separator::Semicolon => b';',
            Separator::Tab => b'\t',
        }
    }
}

/// Writes coded segments or the codebook as CSV or XLSX, from a study file
/// or a PostgreSQL study.
pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let (table, scope) = match args.project.location()? {
        Location::File(_) => table_of(&args.project.open()?, args)?,
        Location::Postgres(address) => table_of(&PgStore::open(&address)?, args)?,
    };
    let report = write(&table, args)?;
    let what = match args.what {
        SheetContent::Segments => "coded segments",
        SheetContent::Codebook => "codes",
    };
    let whose = if args.shared && args.layers.all {
        "the shared codebook, every coder".to_owned()
    } else if args.shared {
        format!("the shared codebook, {}", scope.coder().name)
    } else if args.layers.all {
        "every coder".to_owned()
    } else {
        scope.coder().name.clone()
    };
    println!(
        "Wrote {} {what} ({whose}) to {}.",
        report.rows,
        args.out.display()
    );
    if report.truncated > 0 {
        eprintln!(
            "warning: {} cells were longer than Excel's 32,767 characters and end with … in the workbook; export as CSV to keep them whole.",
            report.truncated
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Returns the table the arguments ask for, and the scope it was read in.
fn table_of(
    store: &(impl SegmentReads + ?Sized),
    args: &ExportArgs,
) -> anyhow::Result<(Table, Scope)> {
    let scope = store.scope(args.coder.name()?, args.layers.all, args.layers.solo)?;
    let table = match args.what {
        SheetContent::Segments => segments_table(
            store,
            &scope,
            SegmentFilter {
                shared_only: args.shared,
            },
        )?,
        SheetContent::Codebook => codebook_table(store, &scope, &books(store, &scope, args)?)?,
    };
    Ok((table, scope))
}

/// Returns the codebooks a codebook export holds: the shared one with
/// `--shared`, every coder's and the shared one with `--all`, else the
/// coder's own.
fn books(
    store: &(impl Coders + ?Sized),
    scope: &Scope,
    args: &ExportArgs,
) -> anyhow::Result<Vec<BookChoice>> {
    let shared = BookChoice {
        book: Book::Shared,
        label: "shared".into(),
    };
    if args.shared {
        return Ok(vec![shared]);
    }
    if !args.layers.all {
        return Ok(vec![BookChoice {
            book: Book::Own,
            label: scope.coder().name.clone(),
        }]);
    }
    let mut books: Vec<BookChoice> = store
        .coders()?
        .into_iter()
        .map(|c| BookChoice {
            book: Book::Of(c.id),
            label: c.name,
        })
        .collect();
    books.push(shared);
    Ok(books)
}

/// Writes the table to `--out` in the format asked, through a `.partial`
/// file renamed once complete.
fn write(table: &Table, args: &ExportArgs) -> anyhow::Result<WriteReport> {
    let out = &args.out;
    let partial = partial_path(out);
    let file = std::fs::File::create(&partial).with_context(|| {
        format!(
            "cannot create {}: check the folder exists and is writable",
            partial.display()
        )
    })?;
    let buffered = std::io::BufWriter::new(file);
    let written = match args.format {
        ExportFormat::Xlsx => write_xlsx(&[table], buffered),
        _ => write_csv(
            table,
            CsvOptions {
                bom: !args.no_bom,
                separator: args.separator.byte(),
            },
            buffered,
        ),
    };
    let report = match written {
        Ok(report) => report,
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(err).with_context(|| format!("{} was not written", out.display()));
        }
    };
    std::fs::rename(&partial, out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(report)
}

fn partial_path(out: &Path) -> std::path::PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}
