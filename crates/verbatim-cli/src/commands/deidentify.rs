//! `verbatim deidentify`: replace real names with pseudonyms across the
//! study, check none remain, and list words the names file may have missed.
//!
//! The names file (`real,replacement`) stays with the researcher: only its
//! SHA-256 and counts enter the study. Applying it cannot be undone, so
//! `apply --dry-run` shows every replacement in context first, and
//! `--report FILE.csv` keeps that review outside the study.
//!
//! Every action runs on a study file and on a PostgreSQL study alike
//! (through the `Deidentifying` trait).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use sha2::{Digest, Sha256};
use verbatim_store::{Codings, DeidReport, Deidentifying, NamesList, SourceRef};
use verbatim_store_pg::PgStore;

use super::{Location, ProjectArg, print_json};
use crate::ui::{self, Table};

/// Replace real names, check none remain, list possible misses
#[derive(Args, Debug)]
pub struct DeidentifyArgs {
    #[command(subcommand)]
    action: DeidAction,
}

#[derive(Subcommand, Debug)]
enum DeidAction {
    /// Replace every listed name (not undoable; try --dry-run first)
    Apply {
        #[command(flatten)]
        project: ProjectArg,
        /// The names file: CSV rows real,replacement (header optional)
        #[arg(long)]
        names: PathBuf,
        /// Only these sources (id or name; repeatable); default: the whole study
        #[arg(long = "source", value_name = "SOURCE")]
        sources: Vec<String>,
        /// Show what would change without writing anything
        #[arg(long)]
        dry_run: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
        /// Also write the review (every replacement in context) to this CSV file
        #[arg(long, value_name = "FILE.csv")]
        report: Option<PathBuf>,
    },
    /// List every place a listed name remains; exits 1 when any does
    Check {
        #[command(flatten)]
        project: ProjectArg,
        /// The names file
        #[arg(long)]
        names: PathBuf,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// List capitalised words and known first names the names file lacks
    Candidates {
        #[command(flatten)]
        project: ProjectArg,
        /// The names file, whose names are left out
        #[arg(long)]
        names: Option<PathBuf>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// The largest names file read: a list of names is kilobytes.
const NAMES_FILE_LIMIT: u64 = 64 * 1024 * 1024;

/// Reads a names file: its rows and its SHA-256.
pub fn read_names(path: &Path) -> anyhow::Result<NamesList> {
    let bytes = verbatim_ingest::read_regular(path, NAMES_FILE_LIMIT)
        .with_context(|| format!("could not read the names file {}", path.display()))?;
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sheet = verbatim_ingest::read_sheet_bytes("csv", &bytes).with_context(|| {
        format!(
            "could not read the names file {} (one real,replacement pair per row)",
            path.display()
        )
    })?;
    let mut rows = vec![sheet.header];
    rows.extend(sheet.rows);
    NamesList::parse(&rows, &sha).with_context(|| format!("{}", path.display()))
}

/// What de-identification needs of a study, file or PostgreSQL.
trait DeidStudy: Codings + Deidentifying {}

impl<T: Codings + Deidentifying> DeidStudy for T {}

/// Opens the study, file or PostgreSQL.
fn open_study(project: &ProjectArg) -> anyhow::Result<Box<dyn DeidStudy>> {
    Ok(match project.location()? {
        Location::File(_) => Box::new(project.open()?),
        Location::Postgres(address) => Box::new(PgStore::open(&address)?),
    })
}

/// Runs `verbatim deidentify`.
pub fn cmd_deidentify(args: &DeidentifyArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        DeidAction::Apply {
            project,
            names,
            sources,
            dry_run,
            json,
            report,
        } => {
            let list = read_names(names)?;
            let mut store = open_study(project)?;
            let ids = if sources.is_empty() {
                None
            } else {
                Some(
                    sources
                        .iter()
                        .map(|s| store.source_id(&SourceRef::parse(s)))
                        .collect::<Result<Vec<i64>, _>>()?,
                )
            };
            let done = store.deidentify(&ui::actor(), &list, ids.as_deref(), *dry_run)?;
            if let Some(path) = report {
                write_report(path, &done)?;
            }
            if *json {
                print_json(&done)?;
            } else {
                print_report(&done);
            }
        }
        DeidAction::Check {
            project,
            names,
            json,
        } => {
            let list = read_names(names)?;
            let store = open_study(project)?;
            let left = store.deid_check(&list)?;
            if *json {
                print_json(&left)?;
            } else if left.is_empty() {
                println!("No listed name remains.");
            } else {
                let mut table = Table::new(&["place", "char", "context"]);
                for r in &left {
                    table.row(vec![
                        r.place.clone(),
                        r.position.to_string(),
                        r.context.clone(),
                    ]);
                }
                print!("{}", table.render());
                println!("{} listed names remain.", left.len());
            }
            if !left.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
        DeidAction::Candidates {
            project,
            names,
            json,
        } => {
            let list = names.as_deref().map(read_names).transpose()?;
            let store = open_study(project)?;
            let found = store.deid_candidates(list.as_ref())?;
            if *json {
                print_json(&found)?;
            } else if found.is_empty() {
                println!("No candidate found.");
            } else {
                let mut table = Table::new(&["word", "kind", "count", "source", "context"]);
                for c in &found {
                    table.row(vec![
                        c.word.clone(),
                        c.kind.clone(),
                        c.count.to_string(),
                        c.source.clone(),
                        c.context.clone(),
                    ]);
                }
                print!("{}", table.render());
                println!(
                    "{} candidates: add those that identify someone to the names file.",
                    found.len()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Returns a line of context on one line.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r', '\t'], " ")
}

/// Prints the review table and the totals.
pub fn print_report(done: &DeidReport) {
    let mut table = Table::new(&["place", "char", "before", "found → replacement", "after"]);
    for r in &done.replacements {
        table.row(vec![
            r.place.clone(),
            r.position.to_string(),
            one_line(&r.before),
            format!("{} → {}", one_line(&r.found), r.replacement),
            one_line(&r.after),
        ]);
    }
    if !done.replacements.is_empty() {
        print!("{}", table.render());
    }
    for s in &done.sealed {
        println!(
            "sealed journal entry {} ({:?}) holds {} listed name(s) and cannot change",
            s.entry, s.title, s.names
        );
    }
    let verb = if done.dry_run {
        "would be made"
    } else {
        "made"
    };
    println!(
        "{} replacements {verb} ({} sources, {} codings' passages), {} earlier audit entries {}.",
        done.replacements.len(),
        done.sources_changed,
        done.codings_changed,
        done.audit_redacted,
        if done.dry_run {
            "would be redacted"
        } else {
            "redacted"
        }
    );
    if done.dry_run {
        println!("Dry run: nothing was written.");
    } else {
        println!(
            "De-identification cannot be undone. The study records only the names file's SHA-256 ({}).",
            done.names_sha256
        );
    }
}

/// Quotes a CSV cell.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Writes the review to a CSV file.
fn write_report(path: &Path, done: &DeidReport) -> anyhow::Result<()> {
    let mut out = String::from("place,char,before,found,replacement,after\n");
    for r in &done.replacements {
        let cells = [
            csv_cell(&r.place),
            r.position.to_string(),
            csv_cell(&r.before),
            csv_cell(&r.found),
            csv_cell(&r.replacement),
            csv_cell(&r.after),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(out.as_bytes()))
        .with_context(|| format!("could not write the report {}", path.display()))
}
