//! `verbatim translations export|import`: the report's quotes out to a
//! translator (XLIFF 2.0 or CSV) and the translations back onto the quotes.
//!
//! The selection is `verbatim_report::quotes::select` (marked quotes, else
//! the best passages), the files and the matching are
//! `verbatim_report::translation`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use verbatim_core::Language;
use verbatim_report::ReportReads;
use verbatim_report::quotes::{self, QuoteOptions};
use verbatim_report::translation::{self, sheet, xliff};
use verbatim_store::{Book, Scope, StoreError};

use super::coder_arg::{AllArg, CoderArg};
use super::{ProjectArg, print_json};

/// Send the report's quotes to a translator (XLIFF 2.0, CSV) and attach the translations
#[derive(Args, Debug)]
pub struct TranslationsArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand, Debug)]
enum Action {
    /// Write the quotes a report shows, with context and attribution, for a translator
    Export(ExportArgs),
    /// Attach the translations of a translated file to their quotes
    #[command(
        after_help = "Each unit carries a hash of the quote's words as exported. A quote whose words \
changed since (a source edited, a passage re-cut) is skipped and reported, never attached: \
export it again and have it translated anew. Units matching no quote are reported too. \
All translations are attached in one action, undone by one `verbatim undo`; \
nothing is written when the file cannot be read."
    )]
    Import(ImportArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// XLIFF 2.0, for translation tools (OmegaT, Trados, memoQ…)
    Xliff,
    /// CSV, for a spreadsheet
    Csv,
}

#[derive(Args, Debug)]
struct ExportArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// The file format
    #[arg(long, value_enum, default_value_t = Format::Xliff)]
    format: Format,
    /// The language to translate into (the journal's)
    #[arg(long, value_name = "LANG")]
    language: String,
    /// Only quotes in this language [default: the most frequent among quotes to translate]
    #[arg(long, value_name = "LANG")]
    from: Option<String>,
    /// The file to write
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Another coder's quotes (after `verbatim reveal`, or --solo)
    #[arg(long, value_name = "CODER", conflicts_with = "shared")]
    of: Option<String>,
    /// The shared codebook's quotes
    #[arg(long)]
    shared: bool,
    /// Quotes per code when none is marked
    #[arg(long, default_value_t = 3)]
    per_code: usize,
    #[command(flatten)]
    all: AllArg,
}

#[derive(Args, Debug)]
struct ImportArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// The translated file (.xlf, .xliff or .csv)
    file: PathBuf,
    /// The file's format [default: from its extension]
    #[arg(long, value_enum)]
    format: Option<Format>,
    #[command(flatten)]
    all: AllArg,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Runs `verbatim translations`.
pub fn cmd_translations(args: &TranslationsArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        Action::Export(a) => export(a),
        Action::Import(a) => import(a),
    }
}

fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let target: Language = args
        .language
        .parse()
        .map_err(|e| anyhow::anyhow!("--language {:?}: {e}", args.language))?;
    let (store, _) = super::report::open_for_report(&args.project)?;
    let store = &*store;
    let (scope, book) = whose(
        store,
        &args.coder,
        args.of.as_deref(),
        args.shared,
        &args.all,
    )?;
    let options = QuoteOptions {
        fallback: args.per_code,
        ..QuoteOptions::default()
    };
    let selected = quotes::select(store, &scope, book, &options)?;
    let study = store.study()?;
    let mut units = translation::units(&selected, &target);
    let existing = store.code_names(target.as_str())?;
    let names = translation::code_units(
        &store.code_tree(&scope, book)?,
        study.language.as_deref(),
        &existing,
    );
    let code_names = names.len();
    for u in &mut units {
        if u.language.is_none() {
            u.language.clone_from(&study.language);
        }
    }
    let from = match &args.from {
        Some(tag) => tag.trim().to_lowercase(),
        None => {
            let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
            for u in &units {
                *counts
                    .entry(u.language.as_deref().unwrap_or("und"))
                    .or_default() += 1;
            }
            let most = counts
                .iter()
                .max_by_key(|(tag, n)| (**n, std::cmp::Reverse(**tag)));
            most.map_or_else(|| "und".to_owned(), |(tag, _)| (*tag).to_owned())
        }
    };
    let total = units.len();
    units.retain(|u| u.language.as_deref().unwrap_or("und") == from);
    let quotes = units.len();
    units.extend(
        names
            .into_iter()
            .filter(|u| u.language.as_deref().unwrap_or("und") == from),
    );
    let names_kept = units.len() - quotes;
    if units.is_empty() {
        bail!(
            "no quote to translate from {from} into {target}: mark quotes with `verbatim coding quote`, or check --from"
        );
    }
    let bytes = match args.format {
        Format::Xliff => xliff::write(&units, &from, target.as_str(), &study.title).into_bytes(),
        Format::Csv => sheet::write(&units, target.as_str())?,
    };
    std::fs::write(&args.out, bytes)
        .with_context(|| format!("could not write {}", args.out.display()))?;
    println!(
        "Wrote {quotes} quotes and {names_kept} code names ({from} → {target}) to {}.",
        args.out.display()
    );
    if total > quotes {
        println!(
            "{} quotes in other languages were left out: export them with --from.",
            total - quotes
        );
    }
    if code_names > names_kept {
        println!(
            "{} code names were left out: the study's language is not {from}.",
            code_names - names_kept
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("could not read {}", args.file.display()))?;
    let format = match args.format {
        Some(f) => f,
        None => format_of(&args.file)?,
    };
    let name = args.file.display().to_string();
    let returned = match format {
        Format::Xliff => xliff::read(&bytes, &name)?,
        Format::Csv => sheet::read(&bytes, &name)?,
    };
    let (mut store, _) = super::report::open_for_report(&args.project)?;
    let (scope, _) = whose(&*store, &args.coder, None, false, &args.all)?;
    let report = translation::apply(&mut *store, &scope, &returned)?;
    if args.json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Attached {} translations into {} ({} new, {} replaced).",
        report.attached,
        report.language,
        report.new,
        report.attached - report.new
    );
    if report.code_names > 0 {
        println!("Named {} codes in {}.", report.code_names, report.language);
    }
    if report.untranslated > 0 {
        println!("{} units had no translation.", report.untranslated);
    }
    for c in &report.changed_codes {
        println!(
            "Skipped unit {} (code {}): the code was renamed since the export; it is now {:?}. Export it again.",
            c.id, c.code, c.now
        );
    }
    for c in &report.changed {
        println!(
            "Skipped unit {} (coding {}): the quote changed since the export; it now reads « {} ». Export it again.",
            c.id,
            c.coding,
            one_line(&c.now)
        );
    }
    for id in &report.unknown {
        let what = if id.starts_with(translation::CODE_UNIT) {
            "code"
        } else {
            "quote"
        };
        println!("Skipped unit {id}: it matches no {what} you can see in this study.");
    }
    Ok(ExitCode::SUCCESS)
}

/// Returns the format a file's extension says.
fn format_of(path: &Path) -> anyhow::Result<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "xlf" | "xliff" | "xml" => Ok(Format::Xliff),
        "csv" | "txt" => Ok(Format::Csv),
        _ => bail!(
            "{}: cannot tell the format from the extension: pass --format xliff or --format csv",
            path.display()
        ),
    }
}

/// Returns the acting scope and the codebook asked for.
fn whose(
    store: &dyn ReportReads,
    coder: &CoderArg,
    of: Option<&str>,
    shared: bool,
    all: &AllArg,
) -> anyhow::Result<(Scope, Book)> {
    let me = coder.name()?.to_owned();
    let other = match of {
        Some(name) => Some(
            store
                .coder_by_name(name)?
                .ok_or_else(|| StoreError::UnknownCoder(name.to_owned()))?,
        ),
        None => None,
    };
    let needs_all = all.all || other.as_ref().is_some_and(|c| c.name != me);
    let scope = coder.scope_on(store, needs_all, all.solo)?;
    let book = match (&other, shared) {
        (_, true) => Book::Shared,
        (Some(c), false) if c.id != scope.coder().id => Book::Of(c.id),
        _ => Book::Own,
    };
    Ok((scope, book))
}

fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 100 {
        format!("{}…", flat.chars().take(99).collect::<String>())
    } else {
        flat
    }
}
