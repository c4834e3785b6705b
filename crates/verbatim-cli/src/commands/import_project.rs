//! `verbatim import-project`: a REFI-QDA project (.qdpx, .qde), a
//! QualCoder project (`data.qda`, read by `refi::qualcoder`) or a Taguette
//! project (`.sqlite3`, read by `refi::taguette`) into a new study, or into
//! an existing one as one more coder's layer.
//!
//! The file is read and planned entirely before the study is touched, then
//! written in one transaction. A new study is built under a temporary name
//! and renamed into place only once the import succeeded, so a failure
//! leaves no study behind; an existing study is left exactly as it was.
//! A PostgreSQL address goes to `postgres.rs`, which keeps the same
//! guarantees on the server.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use verbatim_exchange::refi::{self, Caps, ImportOptions};
use verbatim_store::{Coders, ImportPlan, ImportedCounts, SourceRef, SqliteStore, StudySettings};

use super::coder_arg::CoderArg;
use super::export_refi::print_report;
use super::{Location, ProjectArg};
use crate::ui;

mod postgres;

/// Import a REFI-QDA project (.qdpx, .qde) from NVivo, ATLAS.ti, MAXQDA, QualCoder…, a QualCoder project (.qda folder or its data.qda), or a Taguette project (.sqlite3)
#[derive(Args, Debug)]
pub struct ImportProjectArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// The .qdpx (or bare .qde) file, a QualCoder .qda folder or data.qda, or a Taguette .sqlite3
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Import into this existing study as this coder's layer (created if new)
    #[arg(long, value_name = "NAME")]
    as_coder: Option<String>,
    /// The new study's title (default: the project's name)
    #[arg(long)]
    title: Option<String>,
    /// A folder holding source files the project names outside itself
    /// (`absolute://`, or `relative://` files not in the archive); without
    /// it such a project is refused. Only regular files under DIR are read
    #[arg(long, value_name = "DIR")]
    sources_from: Option<PathBuf>,
}

/// Reads a `.qdpx`, a bare `.qde`, or a QualCoder project (its `.qda`
/// folder or the `data.qda` SQLite file in it).
fn read_file(
    file: &Path,
    file_name: &str,
    sources_from: Option<&Path>,
) -> anyhow::Result<refi::ReadProject> {
    if file.is_dir() {
        let data = file.join("data.qda");
        if !data.is_file() {
            bail!(
                "{} is a folder without a data.qda: give a QualCoder project's .qda folder, or a .qdpx file",
                file.display()
            );
        }
        return Ok(refi::qualcoder::read_qualcoder(&data, file_name)?);
    }
    let caps = Caps::default();
    // A regular file within the cap: never a FIFO or /dev/zero.
    let bytes = verbatim_ingest::read_regular(file, caps.total)
        .with_context(|| format!("cannot read {}", file.display()))?;
    if refi::qualcoder::is_sqlite(&bytes) {
        drop(bytes);
        return Ok(refi::read_database(file, file_name)?);
    }
    let folder = file.parent().map(Path::to_path_buf);
    Ok(refi::read_project(
        &bytes,
        file_name,
        folder.as_deref(),
        sources_from,
        caps,
    )?)
}

/// Reads, plans and writes the import, then prints what was carried.
pub fn cmd_import_project(args: &ImportProjectArgs) -> anyhow::Result<ExitCode> {
    let path = match args.project.location()? {
        Location::File(path) => path,
        Location::Postgres(address) => return postgres::cmd_import(args, &address),
    };
    let exists = path
        .try_exists()
        .with_context(|| format!("cannot tell whether {} exists", path.display()))?;
    if exists && args.as_coder.is_none() {
        bail!(
            "{} already exists: to add the file's coding to it as one coder's layer, pass --as-coder NAME; to start a new study, give a new --project path",
            path.display()
        );
    }
    let read = read_project(args)?;
    let file_name = file_name(args);
    let shown = path.display().to_string();
    let actor = ui::actor();
    if exists {
        let mut store = args.project.open()?;
        let (plan, report) = plan(args, &read, &store)?;
        let counts = store
            .import_project(&actor, &plan)
            .with_context(|| format!("{file_name} was not imported; the study is unchanged"))?;
        summary(
            &file_name,
            &shown,
            &counts,
            &report,
            args.as_coder.as_deref(),
        );
        attach_recordings(&mut store, &read)?;
        return Ok(ExitCode::SUCCESS);
    }

    let temp = temporary_beside(path);
    let result = new_file_study(args, &temp, &read).and_then(|done| {
        std::fs::rename(&temp, path)
            .with_context(|| format!("could not move the new study to {}", path.display()))?;
        Ok(done)
    });
    match result {
        Ok((counts, report)) => {
            summary(
                &file_name,
                &shown,
                &counts,
                &report,
                args.as_coder.as_deref(),
            );
            // Recordings go into the media folder beside the study's final
            // name, so they are attached once it is in place.
            attach_recordings(&mut args.project.open()?, &read)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            remove_study_file(&temp);
            Err(e.context(format!(
                "{file_name} was not imported; no study was created"
            )))
        }
    }
}

/// The project file's name, as messages and the audit entry give it.
fn file_name(args: &ImportProjectArgs) -> String {
    args.file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.file.display().to_string())
}

/// Checks `--sources-from` and reads the project file whole.
fn read_project(args: &ImportProjectArgs) -> anyhow::Result<refi::ReadProject> {
    if let Some(dir) = &args.sources_from
        && !dir.is_dir()
    {
        bail!(
            "--sources-from {} is not a folder: name the folder holding the project's source files",
            dir.display()
        );
    }
    read_file(&args.file, &file_name(args), args.sources_from.as_deref())
}

/// Plans the import into `study`, whose code levels the plan uses.
fn plan(
    args: &ImportProjectArgs,
    read: &refi::ReadProject,
    study: &dyn Coders,
) -> anyhow::Result<(ImportPlan, refi::Report)> {
    let fallback = args
        .coder
        .coder
        .clone()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| "imported".into());
    let options = ImportOptions {
        as_coder: args.as_coder.clone(),
        fallback_coder: fallback,
        levels: study.levels()?.into_iter().map(|l| l.name).collect(),
    };
    Ok(refi::plan_import(read, &options))
}

/// Creates a study file at `temp` titled as asked (else by the project's
/// name) and writes the whole project into it.
fn new_file_study(
    args: &ImportProjectArgs,
    temp: &Path,
    read: &refi::ReadProject,
) -> anyhow::Result<(ImportedCounts, refi::Report)> {
    let title = args.title.clone().unwrap_or_else(|| {
        let name = read.project.name.trim();
        if name.is_empty() {
            file_name(args)
        } else {
            name.to_owned()
        }
    });
    let actor = ui::actor();
    let mut store = SqliteStore::create(temp, &StudySettings::titled(title), &actor)?;
    let (plan, report) = plan(args, read, &store)?;
    let counts = store.import_project(&actor, &plan)?;
    Ok((counts, report))
}

/// Removes a study file that was being built, with its WAL and index.
fn remove_study_file(temp: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = temp.to_path_buf().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Attaches the recordings the project holds to the sources their
/// transcripts became, each one undoable action after the import; one that
/// cannot be attached is reported and the others go on.
fn attach_recordings(store: &mut SqliteStore, read: &refi::ReadProject) -> anyhow::Result<()> {
    let recordings = refi::media::recordings_to_attach(read);
    if recordings.is_empty() {
        return Ok(());
    }
    // Each file is written for the store to copy, in a folder inside the
    // owner-only media folder (recordings identify people), removed after.
    let folder = store
        .media_dir()
        .join(format!(".import-{}", std::process::id()));
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("could not create {}", folder.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for dir in [store.media_dir(), folder.clone()] {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("could not make {} private", dir.display()))?;
        }
    }
    let result = attach_each(store, &recordings, &folder);
    let _ = std::fs::remove_dir_all(&folder);
    let attached = result?;
    println!("  {attached} recording(s) attached beside their transcripts.");
    Ok(())
}

/// Attaches each recording through a file in `folder`; returns how many
/// were attached.
fn attach_each(
    store: &mut SqliteStore,
    recordings: &[refi::media::RecordingToAttach<'_>],
    folder: &Path,
) -> anyhow::Result<usize> {
    let mut attached = 0;
    for (i, rec) in recordings.iter().enumerate() {
        let Some(source) = store.source_with_guid(&rec.source_guid)? else {
            println!(
                "  the recording {} was not attached: its transcript matched a source already in the study; attach it with `verbatim media attach`",
                rec.file_name
            );
            continue;
        };
        let name = Path::new(rec.file_name).file_name().map_or_else(
            || format!("recording-{i}"),
            |n| n.to_string_lossy().into_owned(),
        );
        let dir = folder.join(i.to_string());
        let file = dir.join(name);
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&file, rec.bytes))
            .with_context(|| format!("could not write {}", file.display()))?;
        match store.attach_media(&ui::actor(), &SourceRef::Id(source), &file) {
            Ok(_) => attached += 1,
            Err(e) => println!("  the recording {} was not attached: {e}", rec.file_name),
        }
    }
    Ok(attached)
}

/// Returns a temporary path in the same folder as `path`.
fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "study.vbt".into());
    path.with_file_name(format!(".{name}.{}.importing", std::process::id()))
}

fn summary(
    file: &str,
    study: &str,
    counts: &verbatim_store::ImportedCounts,
    report: &refi::Report,
    as_coder: Option<&str>,
) {
    let layer = as_coder.map_or(String::new(), |c| format!(" as {c}'s layer"));
    println!(
        "Imported {file} into {study}{layer}: {} sources, {} codes, {} codings, {} participants, {} memos, {} journal entries, {} coders.",
        counts.sources,
        counts.codes,
        counts.codings,
        counts.participants,
        counts.memos,
        counts.journal,
        counts.coders,
    );
    for (name, existing) in &counts.sources_matched {
        println!(
            "  source {name:?} has the same text as {existing:?} in the study; its codings were placed there"
        );
    }
    if counts.codings_duplicate > 0 {
        println!(
            "  {} coding(s) repeat one already there (same passage, code and coder) and were merged",
            counts.codings_duplicate
        );
    }
    if counts.participants_matched > 0 {
        println!(
            "  {} case(s) match participants already in the study, which were kept as they are",
            counts.participants_matched
        );
    }
    if counts.seals_kept > 0 {
        println!(
            "  {} sealed preconception(s) kept their seal (the hash recomputes)",
            counts.seals_kept
        );
    }
    print_report(report);
    println!(
        "  The import is one entry of the study's log and cannot be undone with `verbatim undo`."
    );
}
