//! `verbatim import-project` into a PostgreSQL study.
//!
//! Into a study that exists (`--as-coder`), the plan is written by the
//! study's own `Exchange::import_project`, in one server transaction. A
//! study that does not exist yet is built in a private temporary study
//! file by the same import a file study gets, then copied onto the server
//! by `verbatim copy`'s code: one writer and one set of rules for a new
//! study whatever its home, and a copy that already creates the schema in
//! one transaction, refuses a study that appeared meanwhile and checks the
//! rows of every table on both sides. The temporary file is removed after.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use verbatim_exchange::refi;
use verbatim_store::{Exchange, SqliteStore, StoreError};
use verbatim_store_pg::{PgAddress, PgStore};

use super::{
    ImportProjectArgs, attach_recordings, file_name, new_file_study, plan, read_project, summary,
};
use crate::commands::Location;
use crate::commands::copy::copy_tables;
use crate::ui;

/// Imports the project into the PostgreSQL study at `address`.
pub(super) fn cmd_import(
    args: &ImportProjectArgs,
    address: &PgAddress,
) -> anyhow::Result<ExitCode> {
    let shown = address.to_string();
    let existing = match PgStore::open(address) {
        Ok(store) => Some(store),
        Err(StoreError::NoStudy(_)) => None,
        Err(e) => return Err(e.into()),
    };
    if existing.is_some() && args.as_coder.is_none() {
        bail!(
            "{shown} already exists: to add the file's coding to it as one coder's layer, pass --as-coder NAME; to start a new study, give a new ?study= name"
        );
    }
    let read = read_project(args)?;
    let file_name = file_name(args);
    let counts = match existing {
        Some(mut store) => {
            let (plan, report) = plan(args, &read, &store)?;
            let counts = store
                .import_project(&ui::actor(), &plan)
                .with_context(|| format!("{file_name} was not imported; the study is unchanged"))?;
            (counts, report)
        }
        None => new_study(args, address, &read)
            .with_context(|| format!("{file_name} was not imported; no study was created"))?,
    };
    summary(
        &file_name,
        &shown,
        &counts.0,
        &counts.1,
        args.as_coder.as_deref(),
    );
    let recordings = refi::media::recordings_to_attach(&read).len();
    if recordings > 0 && args.as_coder.is_some() {
        println!(
            "  {recordings} recording(s) in the project were not attached: a colleague's layer brings coding, not recordings, into an existing PostgreSQL study; attach them with `verbatim media attach`"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds the study in a private temporary file, copies it to `address`
/// and removes the file, whatever happened.
fn new_study(
    args: &ImportProjectArgs,
    address: &PgAddress,
    read: &refi::ReadProject,
) -> anyhow::Result<(verbatim_store::ImportedCounts, refi::Report)> {
    let dir = private_temp_dir()?;
    let result = (|| {
        let temp = dir.join("study.vbt");
        let done = new_file_study(args, &temp, read)?;
        let mut store = SqliteStore::open(&temp)?;
        // The recordings go with the copy, their bytes into the database.
        attach_recordings(&mut store, read)?;
        let to = Location::Postgres(Box::new(address.clone()));
        copy_tables(&store, "the imported project", &to, &address.to_string())?;
        Ok(done)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Creates an owner-only folder in the system's temporary folder (the
/// study holds what participants said).
fn private_temp_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = base.join(format!("verbatim-import-{}-{nanos}", std::process::id()));
    create_private(&dir)
        .with_context(|| format!("could not create a private folder in {}", base.display()))?;
    Ok(dir)
}

#[cfg(unix)]
fn create_private(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir(dir)
}
