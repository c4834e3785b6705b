//! `verbatim media`: the recording (audio or video) beside a source's
//! transcript: attach (to an existing source, or `--new` to a new empty
//! source to transcribe in the browser), list, detach. Also the import
//! step that attaches a recording lying beside an imported transcript
//! under the same name.
//!
//! `attach`, `list`, `detach` and the import step run on a PostgreSQL
//! study too (through the `Media` trait: the bytes go into the database);
//! `attach --new` is file-only for now.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use verbatim_core::SourceKind;
use verbatim_store::{Media, Recording, SourceRef};
use verbatim_store_pg::PgStore;

use super::{Location, ProjectArg, print_json};
use crate::ui::{self, Table};

/// The extensions `verbatim import` looks for beside a transcript. The
/// file found is still checked by its header bytes when attached.
pub const RECORDING_EXTENSIONS: &[&str] = &[
    "mp3", "m4a", "aac", "wav", "ogg", "opus", "flac", "mp4", "webm",
];

/// Keep recordings beside sources
#[derive(Args, Debug)]
pub struct MediaArgs {
    #[command(subcommand)]
    action: MediaAction,
}

#[derive(Subcommand, Debug)]
enum MediaAction {
    /// Attach a recording (MP3, M4A/AAC, WAV, OGG/Opus, FLAC, MP4, WebM) to a source
    Attach {
        #[command(flatten)]
        project: ProjectArg,
        /// The source (name or id); with --new, the name of the source to create
        source: String,
        /// The recording file; it is copied into STUDY.vbt.media/
        file: PathBuf,
        /// Create SOURCE as a new empty source for this recording, to
        /// transcribe in `verbatim serve` (/sources/ID/transcribe)
        #[arg(long)]
        new: bool,
        /// With --new: what the source records
        #[arg(long, requires = "new", default_value = "interview")]
        kind: SourceKind,
    },
    /// List the sources that have a recording
    List {
        #[command(flatten)]
        project: ProjectArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Detach a source's recording (undoable; the file stays in the media folder)
    Detach {
        #[command(flatten)]
        project: ProjectArg,
        /// The source (name or id)
        source: String,
    },
}

/// Opens the study, file or PostgreSQL, for its recordings; the detach
/// message says where a detached recording's bytes stay.
fn open_media(project: &ProjectArg) -> anyhow::Result<(Box<dyn Media>, String)> {
    Ok(match project.location()? {
        Location::File(_) => {
            let store = project.open()?;
            let kept = format!("the file stays in {}", store.media_dir().display());
            (Box::new(store), kept)
        }
        Location::Postgres(address) => (
            Box::new(PgStore::open(&address)?),
            "its bytes stay in the study's database".to_owned(),
        ),
    })
}

/// Runs `media attach`, `media list` or `media detach`.
pub fn cmd_media(args: &MediaArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        MediaAction::Attach {
            project,
            source,
            file,
            new,
            kind,
        } => {
            let rec = if *new {
                if let Location::Postgres(address) = project.location()? {
                    anyhow::bail!(
                        "`media attach --new` works on study files only for now, so nothing was changed in {address}: import the transcript, then attach the recording to it"
                    );
                }
                let mut store = project.open()?;
                store.source_from_recording(&ui::actor(), source, *kind, file)?
            } else {
                let (mut store, _) = open_media(project)?;
                store.attach_media(&ui::actor(), &SourceRef::parse(source), file)?
            };
            if *new {
                println!(
                    "Created source {} (id {}), empty, to transcribe: `verbatim serve`, then /sources/{}/transcribe.",
                    rec.source, rec.source_id, rec.source_id
                );
            }
            println!(
                "Attached {} to source {} ({} {}, {}).",
                file.display(),
                rec.source,
                rec.container,
                rec.kind.as_str(),
                duration_text(rec.duration_ms)
            );
        }
        MediaAction::List { project, json } => {
            let (store, _) = open_media(project)?;
            let recordings = store.recordings()?;
            if *json {
                print_json(&recordings)?;
            } else {
                print_list(&recordings);
            }
        }
        MediaAction::Detach { project, source } => {
            let (mut store, kept) = open_media(project)?;
            let rec = store.detach_media(&ui::actor(), &SourceRef::parse(source))?;
            println!(
                "Detached {} from source {}; {kept} (`verbatim undo` attaches it again).",
                rec.original_name, rec.source,
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_list(recordings: &[Recording]) {
    if recordings.is_empty() {
        println!("No source has a recording: attach one with `verbatim media attach SOURCE FILE`.");
        return;
    }
    let mut table = Table::new(&["source", "kind", "container", "duration", "bytes", "file"]);
    for r in recordings {
        table.row(vec![
            r.source.clone(),
            r.kind.as_str().to_owned(),
            r.container.clone(),
            duration_text(r.duration_ms),
            r.bytes.to_string(),
            r.original_name.clone(),
        ]);
    }
    print!("{}", table.render());
}

/// `1:02:03.456`-style text for a duration, or "duration unknown".
fn duration_text(ms: Option<u64>) -> String {
    let Some(ms) = ms else {
        return "duration unknown".into();
    };
    let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{milli:03}")
    } else {
        format!("{m}:{s:02}.{milli:03}")
    }
}

/// Returns the recording lying beside `transcript` under the same stem
/// (`entretien.txt` → `entretien.wav`), if there is one.
pub fn recording_beside(transcript: &Path) -> Option<PathBuf> {
    RECORDING_EXTENSIONS
        .iter()
        .map(|ext| transcript.with_extension(ext))
        .find(|p| p != transcript && p.is_file())
}

/// Attaches the recording beside an imported transcript to its new source.
/// A recording that cannot be attached is reported and the import goes on:
/// the transcript itself was imported.
pub fn attach_beside(store: &mut dyn Media, transcript: &Path, source_id: i64) -> Option<PathBuf> {
    let file = recording_beside(transcript)?;
    match store.attach_media(&ui::actor(), &SourceRef::Id(source_id), &file) {
        Ok(_) => Some(file),
        Err(e) => {
            eprintln!(
                "warning: the recording beside {} was not attached: {e}",
                transcript.display()
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::duration_text;

    #[test]
    fn durations_read_as_clock_times() {
        assert_eq!(duration_text(Some(2500)), "0:02.500");
        // 1 h + 2 min + 3 s + 4 ms = 3,600,000 + 120,000 + 3,000 + 4.
        assert_eq!(duration_text(Some(3_723_004)), "1:02:03.004");
        assert_eq!(duration_text(None), "duration unknown");
    }
}
