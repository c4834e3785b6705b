//! REFI-QDA export (.qdpx, .qdc) for `verbatim export`.
//!
//! The study is read once through the coder's scope (blind layers stay
//! hidden unless revealed), turned into the standard's model by
//! `verbatim-exchange`, and written to a temporary file beside `--out`
//! that replaces it only once complete, so a failed export never leaves a
//! half-written file under the name the user asked for.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use verbatim_exchange::refi::{self, Report, Target};
use verbatim_store::{Coders, Exchange, Media};
use verbatim_store_pg::PgStore;

use super::Location;
use super::export::{ExportArgs, ExportFormat, ExportTarget};

/// Returns the `origin` attribute written in exports.
fn origin() -> String {
    format!("verbatim {}", env!("CARGO_PKG_VERSION"))
}

/// Writes a `.qdpx` project or a `.qdc` codebook, from a study file or a
/// PostgreSQL study, recordings included (a server study's are read from
/// its private cached copies).
pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    match args.project.location()? {
        Location::File(_) => {
            let store = args.project.open()?;
            let recordings = recordings_of(&store)?;
            write(&store, args, &recordings)
        }
        Location::Postgres(address) => {
            let store = PgStore::open(&address)?;
            let recordings = recordings_of(&store)?;
            write(&store, args, &recordings)
        }
    }
}

/// Returns the study's recordings as the project writer takes them.
fn recordings_of(store: &dyn Media) -> anyhow::Result<Vec<refi::media::StudyRecording>> {
    store
        .recordings()?
        .into_iter()
        .map(|r| {
            Ok(refi::media::StudyRecording {
                source_id: r.source_id,
                video: r.kind == verbatim_store::MediaKind::Video,
                file: store.media_path(&r)?,
                container: r.container,
                original_name: r.original_name,
            })
        })
        .collect()
}

/// Writes the export from the study as the coder's scope sees it.
fn write(
    store: &(impl Coders + Exchange),
    args: &ExportArgs,
    recordings: &[refi::media::StudyRecording],
) -> anyhow::Result<ExitCode> {
    let scope = store.scope(args.coder.name()?, args.layers.all, args.layers.solo)?;
    let snapshot = store.snapshot(&scope)?;
    let out = &args.out;
    match args.format {
        ExportFormat::Qdc => {
            let owner = (!args.shared).then(|| scope.coder().id);
            let (xml, report) = refi::export_codebook(&snapshot, owner, &origin());
            let codes = snapshot.codes.iter().filter(|c| c.owner == owner).count();
            write_atomically(out, |file| {
                file.write_all(xml.as_bytes())?;
                Ok(())
            })?;
            let whose = if args.shared {
                "the shared codebook".to_owned()
            } else {
                format!("{}'s codebook", scope.coder().name)
            };
            println!("Wrote {} ({codes} codes of {whose}).", out.display());
            print_report(&report);
        }
        _ => {
            let target = match args.target {
                ExportTarget::Refi => Target::Refi,
                ExportTarget::Nvivo => Target::Nvivo,
                ExportTarget::Qualcoder => Target::Qualcoder,
                ExportTarget::Atlasti => Target::Atlasti,
                ExportTarget::Maxqda => Target::Maxqda,
            };
            let mut exported = refi::export_project(&snapshot, target, &origin());
            refi::media::add_recordings(
                &mut exported,
                &snapshot,
                recordings,
                target.counts_utf16(),
            );
            write_atomically(out, |file| {
                refi::write_qdpx(std::io::BufWriter::new(file), &exported)
                    .map_err(std::io::Error::other)?
                    .flush()?;
                Ok(())
            })?;
            let p = &exported.project;
            println!(
                "Wrote {}: {} sources, {} recordings, {} codes, {} codings, {} cases, {} notes, {} users{}.",
                out.display(),
                p.sources.len(),
                p.media.len(),
                snapshot.codes.len(),
                snapshot.codings.len(),
                p.cases.len(),
                p.notes.len(),
                p.users.len(),
                if scope.sees_all() {
                    ""
                } else {
                    " (your layer and the shared codebook; pass --all once revealed for every layer)"
                },
            );
            print_report(&exported.report);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `out` through a temporary file in the same folder, renamed into
/// place once `write` succeeded.
fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let temp = folder.join(format!(".{name}.{}.part", std::process::id()));
    let result = std::fs::File::create(&temp)
        .and_then(|mut file| {
            write(&mut file)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, out));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(e).with_context(|| format!("could not write {}", out.display()));
    }
    Ok(())
}

/// Prints what an import or export could not carry, and its decisions.
pub fn print_report(report: &Report) {
    for loss in &report.losses {
        println!("  not carried: {loss}");
    }
    if !report.skipped.is_empty() {
        println!("  skipped ({}):", report.skipped.len());
        for skip in &report.skipped {
            println!("    - {skip}");
        }
    }
    for note in &report.notes {
        println!("  note: {note}");
    }
}
