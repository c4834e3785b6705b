//! `verbatim speakers`: the speaker labels of transcripts and the
//! participants (or interviewers) they are.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use verbatim_store::{SourceRef, SpeakerTarget};

use super::{Location, ProjectArg, Study, print_json};
use crate::ui::{self, Table};

/// List speaker labels and map them to participants or interviewers
#[derive(Args, Debug)]
pub struct SpeakersArgs {
    #[command(subcommand)]
    action: SpeakersAction,
}

#[derive(Subcommand, Debug)]
enum SpeakersAction {
    /// List each source's speaker labels: participant, interviewer or unmapped
    List {
        #[command(flatten)]
        project: ProjectArg,
        /// Only this source (id or name)
        #[arg(long)]
        source: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Map one label of a source to a participant, or mark it as an interviewer
    Map {
        #[command(flatten)]
        project: ProjectArg,
        /// The source (id or name)
        #[arg(long)]
        source: String,
        /// The speaker label as transcribed
        #[arg(long)]
        label: String,
        /// The participant (code, label or id)
        #[arg(
            long,
            conflicts_with = "interviewer",
            required_unless_present = "interviewer"
        )]
        participant: Option<String>,
        /// The label is an interviewer
        #[arg(long)]
        interviewer: bool,
    },
    /// Rename a speaker label in one source's turns (merging it into an
    /// existing label, e.g. a typo into the right spelling)
    Rename {
        #[command(flatten)]
        project: ProjectArg,
        /// The source (id or name)
        #[arg(long)]
        source: String,
        /// The label as transcribed
        #[arg(long)]
        from: String,
        /// The label it should be
        #[arg(long)]
        to: String,
    },
    /// Map many labels from a CSV or XLSX file: source,label,participant|interviewer
    Import {
        #[command(flatten)]
        project: ProjectArg,
        /// The mapping file
        file: PathBuf,
    },
}

/// Runs a `speakers` subcommand.
pub fn cmd_speakers(args: &SpeakersArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        SpeakersAction::List {
            project,
            source,
            json,
        } => list(project, source.as_deref(), *json)?,
        SpeakersAction::Map {
            project,
            source,
            label,
            participant,
            interviewer,
        } => {
            let target = match (participant, interviewer) {
                (Some(p), false) => SpeakerTarget::Participant(p.clone()),
                (None, true) => SpeakerTarget::Interviewer,
                _ => bail!("give --participant CODE or --interviewer"),
            };
            let mut store = project.open_study()?;
            store.map_speaker(&ui::actor(), &SourceRef::parse(source), label, &target)?;
            println!(
                "Mapped {label:?} in {source} to {}.",
                participant.as_deref().unwrap_or("an interviewer")
            );
        }
        SpeakersAction::Rename {
            project,
            source,
            from,
            to,
        } => rename(project, source, from, to)?,
        SpeakersAction::Import { project, file } => import(project, file)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Renames a speaker label of one source and says how many turns changed.
/// A study file's search index is refreshed at once; a PostgreSQL study's
/// is synced by the next search.
fn rename(project: &ProjectArg, source: &str, from: &str, to: &str) -> anyhow::Result<()> {
    let rename_in = |store: &mut dyn Study| -> anyhow::Result<usize> {
        let id = store.source_id(&SourceRef::parse(source))?;
        Ok(store.rename_speaker(&ui::actor(), id, from, to)?)
    };
    let turns = match project.location()? {
        Location::File(_) => {
            let mut store = project.open()?;
            let turns = rename_in(&mut store)?;
            super::search::refresh_index(&store);
            turns
        }
        Location::Postgres(_) => rename_in(&mut *project.open_study()?)?,
    };
    println!("Renamed {from:?} to {to:?} in {turns} turns of {source}. Undo with `verbatim undo`.");
    Ok(())
}

/// Rewrites the store's `row N` (counted from 1) as file rows.
fn renumber(err: verbatim_store::StoreError, first_line: usize) -> verbatim_store::StoreError {
    match err {
        verbatim_store::StoreError::Rejected(lines) => verbatim_store::StoreError::Rejected(
            lines
                .into_iter()
                .map(|l| {
                    let rest = l.strip_prefix("row ").and_then(|r| r.split_once(':'));
                    match rest.and_then(|(n, tail)| Some((n.parse::<usize>().ok()?, tail))) {
                        Some((n, tail)) => format!("row {}:{tail}", n + first_line - 1),
                        None => l,
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

/// `speakers list`: every label (or one source's), with who it stands for.
fn list(project: &ProjectArg, source: Option<&str>, json: bool) -> anyhow::Result<()> {
    let store = project.open_study()?;
    let only = source
        .map(|s| store.source_id(&SourceRef::parse(s)))
        .transpose()?;
    let rows = store.speakers(only)?;
    if json {
        return print_json(&rows);
    }
    let mut table = Table::new(&["source", "label", "turns", "role", "participant", "how"]);
    for r in &rows {
        table.row(vec![
            r.source.clone(),
            r.label.clone(),
            r.turns.to_string(),
            r.role.clone(),
            r.participant.clone().unwrap_or_default(),
            r.how.clone().unwrap_or_default(),
        ]);
    }
    print!("{}", table.render());
    let open = rows
        .iter()
        .filter(|r| r.role == "unmapped" || r.role == "ambiguous")
        .count();
    if open > 0 {
        println!(
            "{open} labels are not mapped yet: map them with `verbatim speakers map --source S --label L --participant CODE` (or --interviewer)."
        );
    }
    Ok(())
}

/// `speakers import`: a sheet of source, label, participant rows, checked
/// whole before any is mapped.
fn import(project: &ProjectArg, file: &std::path::Path) -> anyhow::Result<()> {
    let sheet = verbatim_ingest::read_sheet(file)
        .with_context(|| format!("{} was not imported", file.display()))?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let has_header = sheet
        .header
        .first()
        .is_some_and(|h| h.trim().eq_ignore_ascii_case("source"));
    if !has_header {
        rows.push(sheet.header.clone());
    }
    rows.extend(sheet.rows.iter().cloned());
    let first_line = if has_header { 2 } else { 1 };
    let mut mappings = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match row.as_slice() {
            [source, label, target, ..] if !target.trim().is_empty() => mappings.push((
                SourceRef::parse(source.trim()),
                label.clone(),
                SpeakerTarget::parse(target),
            )),
            _ => errors.push(format!(
                "row {}: expected source,label,participant (or interviewer)",
                i + first_line
            )),
        }
    }
    if !errors.is_empty() {
        bail!(
            "{}: nothing was imported; fix these and try again:\n{}",
            file.display(),
            errors.join("\n")
        );
    }
    let mut store = project.open_study()?;
    store
        .map_speakers(&ui::actor(), &mappings)
        .map_err(|e| renumber(e, first_line))
        .with_context(|| format!("{}", file.display()))?;
    println!(
        "Mapped {} speaker labels from {}.",
        mappings.len(),
        file.display()
    );
    Ok(())
}
