//! `verbatim copy FROM TO`: a whole study copied between two locations (a
//! study file or a PostgreSQL study), history included, ids kept. The copy
//! refuses to overwrite a study, refuses before writing anything when the
//! study holds what the target cannot carry yet, and ends by comparing the
//! rows of every table on both sides.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use verbatim_store::transfer::{CARRIED, TableRows, Transfer};
use verbatim_store::{SqliteStore, StoreError};
use verbatim_store_pg::PgStore;

use super::{Location, ProjectArg};

/// Copy a whole study, history included, to a new file or PostgreSQL study
#[derive(Args, Debug)]
pub struct CopyArgs {
    /// The study to copy: a .vbt file or postgres://USER@HOST:PORT/DB?study=NAME
    from: PathBuf,
    /// Where the copy goes (must not exist yet): a file or a PostgreSQL address
    to: PathBuf,
}

/// A study opened for copying.
enum Opened {
    File(SqliteStore),
    Postgres(Box<PgStore>),
}

impl Opened {
    fn reader(&self) -> &dyn Transfer {
        match self {
            Opened::File(store) => store,
            Opened::Postgres(store) => store.as_ref(),
        }
    }
}

/// Returns how messages name a location: a PostgreSQL address without its
/// password.
fn shown(location: &Location<'_>) -> String {
    match location {
        Location::File(path) => path.display().to_string(),
        Location::Postgres(address) => address.to_string(),
    }
}

fn place(word: &Path) -> ProjectArg {
    ProjectArg {
        project: Some(word.to_path_buf()),
    }
}

/// Copies the study and prints the rows per table.
pub fn cmd_copy(args: &CopyArgs) -> anyhow::Result<ExitCode> {
    let (from_arg, to_arg) = (place(&args.from), place(&args.to));
    let (from, to) = (from_arg.location()?, to_arg.location()?);
    let (from_shown, to_shown) = (shown(&from), shown(&to));
    if let Location::File(path) = &to
        && path.try_exists().unwrap_or(true)
    {
        return Err(StoreError::AlreadyExists {
            path: path.to_path_buf(),
        }
        .into());
    }
    let source = match &from {
        Location::File(_) => Opened::File(from_arg.open()?),
        Location::Postgres(address) => Opened::Postgres(Box::new(PgStore::open(address)?)),
    };
    let counts = match (&source, &to) {
        (Opened::File(store), Location::File(path)) => {
            let copy = store.copy_file(path)?;
            let (before, after) = (store.table_counts()?, copy.table_counts()?);
            if before != after {
                bail!(
                    "the copy at {to_shown} does not hold the same rows as {from_shown} ({after:?} against {before:?}): delete it and copy again"
                );
            }
            before
        }
        (_, to) => copy_tables(source.reader(), &from_shown, to, &to_shown)?,
    };
    let said: Vec<String> = counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
    println!(
        "Copied {from_shown} to {to_shown}; rows per table, the same on both: {}.",
        said.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

/// Copies the carried tables into a new study at `to`, then checks the
/// counts on both sides; refuses first when the study holds more.
pub(super) fn copy_tables(
    source: &dyn Transfer,
    from: &str,
    to: &Location<'_>,
    to_shown: &str,
) -> anyhow::Result<Vec<(String, i64)>> {
    let held = source.uncarried()?;
    if !held.is_empty() {
        bail!(
            "{from} holds data a copy cannot carry yet (tables {}), so nothing was written to {to_shown}: a PostgreSQL study holds sources, coders, codes, codings, reconciliation decisions, memos, participants, sites, attributes, speaker mappings, consents, the journal, team accounts and their logins, de-identification records, recordings and the log for now",
            held.join(", ")
        );
    }
    let tables: Vec<TableRows> = CARRIED
        .iter()
        .map(|t| source.read_table(t))
        .collect::<Result<_, _>>()?;
    let recordings = source.recording_files()?;
    let copied: Box<dyn Transfer> = match to {
        Location::File(path) => {
            Box::new(SqliteStore::create_copy_with(path, &tables, &recordings)?)
        }
        Location::Postgres(address) => {
            Box::new(PgStore::create_copy_with(address, &tables, &recordings)?)
        }
    };
    let (before, after) = (source.carried_counts()?, copied.carried_counts()?);
    if before != after {
        bail!(
            "the copy at {to_shown} does not hold the same rows as {from} ({after:?} against {before:?}): remove it and copy again"
        );
    }
    Ok(before.into_iter().map(|(t, n)| (t.to_owned(), n)).collect())
}
