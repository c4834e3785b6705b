//! `verbatim import`: transcripts into a study, each file entirely or not
//! at all, with a report of what was imported, skipped and refused.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use verbatim_core::{Language, NormalisedSource, SourceKind};
use verbatim_ingest::{
    FileReport, FileStatus, LabelReport, Options, SpeakerMode, collect_files, guess_language,
    label_report, read_parallel,
};
use verbatim_store::{
    Deidentifying, ImportItem, ImportOutcome, Media, NamesList, SourceEdits, Store, parse_date,
};
use verbatim_store_pg::PgStore;

use super::{Location, ProjectArg, print_json};
use crate::ui;

/// How many files go into one transaction: large enough to amortise the
/// commit, small enough to keep memory flat on a thousand-file import.
const BATCH: usize = 32;

/// Import transcripts (files or folders) into a study
#[derive(Args, Debug)]
#[command(subcommand_negates_reqs = true)]
pub struct ImportArgs {
    /// `import codebook FILE`: a codebook rather than transcripts
    #[command(subcommand)]
    what: Option<ImportWhat>,
    #[command(flatten)]
    project: ProjectArg,
    /// Files or folders to import (folders are searched recursively)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// What the sources record [default: focus_group when four or more
    /// speakers are found, else interview]
    #[arg(long)]
    kind: Option<SourceKind>,
    /// The site the sources were collected at
    #[arg(long)]
    site: Option<String>,
    /// The sources' language [default: guessed from the text, else the study's]
    #[arg(long)]
    language: Option<Language>,
    /// When the sources were collected (YYYY-MM-DD): saturation walks
    /// sources in collection order
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// How to find speaker turns: auto, none, or a regular expression whose
    /// first group (or group named `speaker`) captures the label
    #[arg(long, default_value = "auto", value_name = "auto|none|REGEX")]
    speakers: String,
    /// Replace the real names of this names file (CSV real,replacement) in
    /// the newly imported sources right after storing them (not undoable)
    #[arg(long, value_name = "NAMES.csv")]
    deidentify: Option<PathBuf>,
    /// Refuse, before reading it, any file larger than this (bytes, or
    /// with a unit: 200KB, 50MiB, 1GiB)
    #[arg(long, default_value = "512MiB", value_name = "SIZE", value_parser = parse_size)]
    max_file_size: u64,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

/// Returns the bytes a size like `512MiB`, `10MB` or `4096` stands for.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown size unit {other:?}: write bytes or a unit, like 200KB, 50MiB or 1GiB"
            ));
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| format!("{text:?} is not a size: write bytes or a unit, like 50MiB"))
}

/// What `verbatim import` reads instead of transcripts.
#[derive(Subcommand, Debug)]
pub enum ImportWhat {
    /// Import a codebook (CSV, XLSX, ODS or REFI-QDA .qdc) into your codebook or the shared one
    Codebook(super::import_codebook::ImportCodebookArgs),
}

/// Settings that apply to every file of one import.
pub struct ImportSettings {
    /// The kind given, if any.
    pub kind: Option<SourceKind>,
    /// The site given, if any.
    pub site: Option<String>,
    /// The language given, if any.
    pub language: Option<Language>,
}

/// Imports the files and prints the report; fails when any file failed.
pub fn cmd_import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    if let Some(ImportWhat::Codebook(codebook)) = &args.what {
        return super::import_codebook::cmd_import_codebook(codebook);
    }
    let speakers: SpeakerMode = args.speakers.parse()?;
    let date = args.date.as_deref().map(parse_date).transpose()?;
    let names = args
        .deidentify
        .as_deref()
        .map(super::deidentify::read_names)
        .transpose()?;
    if let Location::Postgres(address) = args.project.location()? {
        let mut store = PgStore::open(&address)?;
        let mut reports = import_reports(&mut store, args, speakers)?;
        if let Some(date) = &date {
            let ids: Vec<i64> = reports.iter().filter_map(|r| r.id).collect();
            store.set_sources_date(&ui::actor(), &ids, Some(date))?;
        }
        attach_recordings(&mut store, &mut reports);
        print_report(&reports, args.json)?;
        if let Some(names) = &names {
            deidentify_imported(&mut store, names, &reports, args.json)?;
        }
        return Ok(exit_code(&reports));
    }
    let mut store = args.project.open()?;
    let mut reports = import_reports(&mut store, args, speakers)?;
    if let Some(date) = &date {
        let ids: Vec<i64> = reports.iter().filter_map(|r| r.id).collect();
        store.set_sources_date(&ui::actor(), &ids, Some(date))?;
    }
    super::search::refresh_index(&store);
    attach_recordings(&mut store, &mut reports);
    print_report(&reports, args.json)?;
    if let Some(names) = &names {
        deidentify_imported(&mut store, names, &reports, args.json)?;
    }
    Ok(exit_code(&reports))
}

/// Replaces the listed names in the sources just imported (`--deidentify`)
/// and says so.
fn deidentify_imported(
    store: &mut dyn Deidentifying,
    names: &NamesList,
    reports: &[FileReport],
    json: bool,
) -> anyhow::Result<()> {
    let ids: Vec<i64> = reports.iter().filter_map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let done = store.deidentify(&ui::actor(), names, Some(&ids), false)?;
    if json {
        eprintln!(
            "De-identified the imported sources: {} replacements.",
            done.replacements.len()
        );
    } else {
        super::deidentify::print_report(&done);
    }
    Ok(())
}

/// Attaches the recording lying beside each imported transcript, and drops
/// the "not supported" line of every file attached that way.
fn attach_recordings(store: &mut dyn Media, reports: &mut Vec<FileReport>) {
    for report in reports.iter_mut() {
        if let Some(id) = report.id {
            report.recording = super::media::attach_beside(store, &report.file, id);
        }
    }
    let attached: Vec<PathBuf> = reports.iter().filter_map(|r| r.recording.clone()).collect();
    reports.retain(|r| r.status != FileStatus::Unsupported || !attached.contains(&r.file));
}

/// Reads and stores the files `args` names, with a progress bar, and returns
/// one report per file (unreadable, unsupported and skipped ones included).
fn import_reports(
    store: &mut dyn Store,
    args: &ImportArgs,
    speakers: SpeakerMode,
) -> anyhow::Result<Vec<FileReport>> {
    let mut options = Options {
        speakers,
        ..Options::default()
    };
    options.limits.max_file_bytes = args.max_file_size;
    let settings = ImportSettings {
        kind: args.kind,
        site: args.site.clone(),
        language: args.language.clone(),
    };
    let collected = collect_files(&args.paths);
    let mut reports = Vec::new();
    for (path, reason) in &collected.unreadable {
        reports.push(failed(path, format!("cannot be read: {reason}")));
    }
    let bar = ui::progress(collected.files.len() as u64, "Importing");
    import_files(
        store,
        &collected.files,
        &options,
        &settings,
        &mut reports,
        &|n| {
            bar.inc(n as u64);
        },
    )?;
    bar.finish_and_clear();
    for path in &collected.unsupported {
        reports.push(FileReport::refused(
            path.clone(),
            FileStatus::Unsupported,
            None,
        ));
    }
    for (path, reason) in &collected.skipped {
        reports.push(FileReport::refused(
            path.clone(),
            FileStatus::Skipped,
            Some(reason.clone()),
        ));
    }
    Ok(reports)
}

/// Fails the command when any file failed.
fn exit_code(reports: &[FileReport]) -> ExitCode {
    if reports.iter().any(|r| r.status == FileStatus::Failed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads `files` in parallel and stores them in batches, appending one
/// report per file; `advance` is told how many files were done.
pub fn import_files(
    store: &mut dyn Store,
    files: &[PathBuf],
    options: &Options,
    settings: &ImportSettings,
    reports: &mut Vec<FileReport>,
    advance: &dyn Fn(usize),
) -> anyhow::Result<()> {
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    for chunk in files.chunks(BATCH) {
        let read = read_parallel(chunk, options, threads);
        let mut items = Vec::new();
        let mut item_paths = Vec::new();
        for (path, result) in chunk.iter().zip(read) {
            match result {
                Ok(source) => {
                    let labels = label_report(&source);
                    let notes = source.metadata().notes.clone();
                    items.push(item_for(path, source, settings));
                    item_paths.push((path.clone(), labels, notes));
                }
                Err(err) => reports.push(failed(path, err.to_string())),
            }
        }
        let outcomes = store.import_batch(&ui::actor(), items)?;
        for ((path, labels, notes), outcome) in item_paths.into_iter().zip(outcomes) {
            reports.push(match outcome {
                ImportOutcome::Imported { id, name } => {
                    FileReport::imported(path, id, name, Some(labels), notes)
                }
                ImportOutcome::Duplicate { existing } => FileReport::duplicate(path, existing),
            });
        }
        advance(chunk.len());
    }
    Ok(())
}

/// Returns the item to store for a file read, applying the user's settings
/// or the defaults they stand in for.
pub fn item_for(path: &Path, source: NormalisedSource, settings: &ImportSettings) -> ImportItem {
    let kind = settings
        .kind
        .unwrap_or_else(|| verbatim_ingest::default_kind(&source));
    let language = settings
        .language
        .clone()
        .or_else(|| guess_language(source.text()));
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    ImportItem {
        name,
        original_path: Some(path.to_path_buf()),
        kind,
        site: settings.site.clone(),
        language,
        source,
    }
}

fn failed(path: &Path, error: String) -> FileReport {
    FileReport::refused(path, FileStatus::Failed, Some(error))
}

/// Prints the per-file report (failures on stderr) and the totals.
pub fn print_report(reports: &[FileReport], json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&reports);
    }
    let count = |status: FileStatus| reports.iter().filter(|r| r.status == status).count();
    for r in reports {
        match r.status {
            FileStatus::Imported => {
                let name = r.name.as_deref().unwrap_or_default();
                println!(
                    "imported   {} as source {} ({name}){}",
                    r.file.display(),
                    r.id.unwrap_or_default(),
                    r.recording
                        .as_ref()
                        .map(|p| format!(", with its recording {}", p.display()))
                        .unwrap_or_default()
                );
                for note in &r.notes {
                    println!("           note: {note}");
                }
                if let Some(labels) = &r.labels {
                    print_label_hints(name, labels);
                }
            }
            FileStatus::Duplicate => println!(
                "skipped    {}: same text as source {:?} already in the study",
                r.file.display(),
                r.name.as_deref().unwrap_or_default()
            ),
            FileStatus::Unsupported => println!(
                "skipped    {}: not a transcript format verbatim reads",
                r.file.display()
            ),
            FileStatus::Skipped => println!(
                "skipped    {}: {}",
                r.file.display(),
                r.error.as_deref().unwrap_or_default()
            ),
            FileStatus::Failed => eprintln!(
                "error: {}: {}",
                r.file.display(),
                r.error.as_deref().unwrap_or("failed")
            ),
        }
    }
    let special = match count(FileStatus::Skipped) {
        0 => String::new(),
        n => format!(", {n} not regular files or loops"),
    };
    println!(
        "{} imported, {} skipped as duplicates, {} not supported{special}, {} failed.",
        count(FileStatus::Imported),
        count(FileStatus::Duplicate),
        count(FileStatus::Unsupported),
        count(FileStatus::Failed)
    );
    Ok(())
}

/// Prints, indented under a source, the lines that look like speaker labels
/// but open no turn and the labels that look like typos, each with the
/// command that repairs it.
pub fn print_label_hints(source: &str, report: &LabelReport) {
    if report.unclaimed > 0 {
        let lines = if report.unclaimed == 1 {
            "1 line looks".to_owned()
        } else {
            format!("{} lines look", report.unclaimed)
        };
        println!(
            "           note: {lines} like a speaker label but opened no turn, such as {:?}; if these are speakers, run `verbatim source redetect {} --speakers REGEX`.",
            report.example.as_deref().unwrap_or_default(),
            shell_word(source)
        );
    }
    for typo in &report.typos {
        println!(
            "           note: {:?} ({} turns) is one or two letters from {:?} ({} turns); if it is a typo, run `verbatim speakers rename --source {} --from {} --to {}`.",
            typo.label,
            typo.turns,
            typo.likely,
            typo.likely_turns,
            shell_word(source),
            shell_word(&typo.label),
            shell_word(&typo.likely)
        );
    }
}

/// Returns `word` as it can be pasted into a shell: bare when it is plain,
/// else in single quotes.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.,/".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
