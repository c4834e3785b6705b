//! `verbatim source`: one source's text and facts.
//!
//! - `edit` corrects a source's text; every coding, turn and anchored memo
//!   moves with it, and `verbatim undo` restores it all;
//! - `done` marks a source as analysed by the acting coder even without a
//!   code (`--undo` takes the mark back), so agreement, saturation and
//!   prevalence count it among the sources that coder coded;
//! - `set --date` records when the interview was collected (saturation
//!   walks sources in that order).
//! - `redetect` finds a source's turns again in its unchanged text;
//!   `remove` removes a source with what hangs on it. Both are undoable.
//!
//! `edit`, `done`, `redetect` and `remove` run on a study file or a
//! PostgreSQL study alike (through the store's `SourceEdits` trait); `set`
//! works on files only for now.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use verbatim_core::{Format, Span, Turn};
use verbatim_ingest::{SpeakerMode, label_report};
use verbatim_store::{SourceEdits, SourceRef, TurnRecord, parse_date};
use verbatim_store_pg::PgStore;

use super::memo::{Acting, shorten};
use super::{Location, ProjectArg, Study, print_json};
use crate::ui::{self, Table};

/// Change a source's text, mark it done, or set its collection date
#[derive(Args, Debug)]
pub struct SourceArgs {
    #[command(subcommand)]
    action: SourceAction,
}

#[derive(Subcommand, Debug)]
enum SourceAction {
    /// Replace a passage of a source's text, moving every span stored on it
    Edit {
        #[command(flatten)]
        acting: Acting,
        /// The source's id or name
        source: String,
        /// First char to replace (counting Unicode characters from 0)
        #[arg(long, requires = "end", conflicts_with = "find")]
        start: Option<usize>,
        /// Char just past the passage to replace
        #[arg(long, requires = "start")]
        end: Option<usize>,
        /// The passage to replace, quoted exactly (instead of --start/--end)
        #[arg(long, value_name = "OLD TEXT")]
        find: Option<String>,
        /// Which occurrence of --find, when it occurs more than once (from 1)
        #[arg(long, requires = "find")]
        occurrence: Option<usize>,
        /// The new text (empty to delete the passage)
        #[arg(long, value_name = "NEW TEXT")]
        text: String,
        /// Print the report as JSON
        #[arg(long)]
        json: bool,
    },
    /// Mark a source as analysed by you, even if you coded nothing in it
    Done {
        #[command(flatten)]
        acting: Acting,
        /// The source's id or name
        source: String,
        /// Take the mark back
        #[arg(long)]
        undo: bool,
    },
    /// Set a source's facts: its collection date
    Set {
        #[command(flatten)]
        project: ProjectArg,
        /// The source's id or name
        source: String,
        /// When the interview was collected: YYYY-MM-DD, or `none` to clear it
        #[arg(long, value_name = "YYYY-MM-DD|none")]
        date: String,
    },
    /// Find a source's speaker turns again in its stored text (the text, and
    /// so every coding's words, stay as they are)
    Redetect(RedetectArgs),
    /// Remove a source with its turns, codings and memos (undo brings it back)
    Remove(RemoveArgs),
}

/// Arguments of `verbatim source redetect`.
#[derive(Args, Debug)]
pub struct RedetectArgs {
    #[command(flatten)]
    project: ProjectArg,
    /// The source's id or name
    source: String,
    /// How to find speaker turns: auto, none, or a regular expression whose
    /// first group (or group named `speaker`) captures the label
    #[arg(long, default_value = "auto", value_name = "auto|none|REGEX")]
    speakers: String,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

/// Arguments of `verbatim source remove`.
#[derive(Args, Debug)]
pub struct RemoveArgs {
    #[command(flatten)]
    project: ProjectArg,
    /// The source's id or name
    source: String,
    /// Remove it (without this, say what would go and change nothing)
    #[arg(long)]
    yes: bool,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

/// Runs a `source` subcommand.
pub fn cmd_source(args: &SourceArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        SourceAction::Edit {
            acting,
            source,
            start,
            end,
            find,
            occurrence,
            text,
            json,
        } => edit(
            acting,
            source,
            (*start, *end),
            find.as_deref(),
            *occurrence,
            text,
            *json,
        ),
        SourceAction::Done {
            acting,
            source,
            undo,
        } => done(acting, source, *undo),
        SourceAction::Set {
            project,
            source,
            date,
        } => set_date(project, source, date),
        SourceAction::Redetect(redetect) => cmd_redetect(redetect),
        SourceAction::Remove(remove) => cmd_remove(remove),
    }
}

/// What `source edit|done|redetect|remove` need of a study, on either backend.
trait Repairs: Study + SourceEdits {}

impl<T: Study + SourceEdits> Repairs for T {}

/// Opens the study, file or PostgreSQL, for the repairs of a source.
fn open_repairs(project: &ProjectArg) -> anyhow::Result<Box<dyn Repairs>> {
    Ok(match project.location()? {
        Location::File(_) => Box::new(project.open()?),
        Location::Postgres(address) => Box::new(PgStore::open(&address)?),
    })
}

/// Brings a study file's search index up to date after a repair (a
/// PostgreSQL study's index checks the study's log at each search).
fn refresh(project: &ProjectArg) {
    if let Ok(Location::File(_)) = project.location()
        && let Ok(store) = project.open()
    {
        super::search::refresh_index(&store);
    }
}

/// `source done SOURCE [--undo]`.
fn done(acting: &Acting, source: &str, undo: bool) -> anyhow::Result<ExitCode> {
    let mut store = open_repairs(&acting.project)?;
    let scope = acting.coder.scope_on(store.as_ref(), false, false)?;
    let id = store.source_id(&SourceRef::parse(source))?;
    let changed = store.set_source_done(&scope.coder().name, &scope, id, !undo)?;
    let who = &scope.coder().name;
    println!(
        "{}",
        match (undo, changed) {
            (false, true) => format!(
                "Marked {source} as analysed by {who}: it now counts among the sources {who} coded. Undo with `verbatim undo`."
            ),
            (false, false) => format!("{source} was already marked as analysed by {who}."),
            (true, true) => format!("{source} is no longer marked as analysed by {who}."),
            (true, false) =>
                format!("{source} was not marked as analysed by {who}: nothing to take back."),
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `source set SOURCE --date YYYY-MM-DD|none`.
fn set_date(project: &ProjectArg, source: &str, date: &str) -> anyhow::Result<ExitCode> {
    let date = match date.trim() {
        "none" | "" => None,
        text => Some(parse_date(text)?),
    };
    let mut store = open_repairs(project)?;
    let id = store.source_id(&SourceRef::parse(source))?;
    store.set_sources_date(&ui::actor(), &[id], date.as_deref())?;
    match date {
        Some(date) => println!("{source} was collected on {date}. Undo with `verbatim undo`."),
        None => println!("{source} has no collection date now. Undo with `verbatim undo`."),
    }
    Ok(ExitCode::SUCCESS)
}

/// `source edit`.
fn edit(
    acting: &Acting,
    source: &str,
    (start, end): (Option<usize>, Option<usize>),
    find: Option<&str>,
    occurrence: Option<usize>,
    text: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let mut store = open_repairs(&acting.project)?;
    let scope = acting.coder.scope_on(store.as_ref(), false, false)?;
    let id = store.source_id(&SourceRef::parse(source))?;
    let span = match (start, end, find) {
        (Some(s), Some(e), None) => match Span::new(s, e) {
            Ok(span) => span,
            Err(_) => bail!(
                "--start {s} is after --end {e}: give the passage's first char, then the char just past it"
            ),
        },
        (None, None, Some(old)) => store.locate(id, old, occurrence)?.span,
        _ => bail!("say which passage to replace: --start N --end N, or --find \"old text\""),
    };
    let report = store.edit_source(&scope, id, span, text)?;
    refresh(&acting.project);
    if json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Edited {}: [{}, {}) {:?} → {:?}; the source now has {} characters.",
        report.source, report.start, report.end, report.removed, report.inserted, report.chars
    );
    println!(
        "Moved {} codings, {} turns and {} anchored memos with the text.",
        report.codings_shifted, report.turns_changed, report.memos_changed
    );
    if !report.affected.is_empty() {
        println!("Codings whose passage changed:");
        let mut table = Table::new(&["id", "code", "coder", "before", "after"]);
        for a in &report.affected {
            let after = match (&a.new_text, &a.deleted) {
                (_, Some(why)) => format!("deleted: {why}"),
                (Some(t), None) => shorten(t, 50),
                (None, None) => String::new(),
            };
            table.row(vec![
                a.id.to_string(),
                a.code.clone(),
                a.coder.clone(),
                shorten(&a.old_text, 50),
                after,
            ]);
        }
        print!("{}", table.render());
    }
    if report.hidden_affected > 0 {
        println!(
            "{} codings in other coders' layers changed too (hidden until the study is revealed).",
            report.hidden_affected
        );
    }
    println!("Undo with `verbatim undo`.");
    Ok(ExitCode::SUCCESS)
}

/// Re-detects a source's turns in its stored text and prints what changed.
fn cmd_redetect(args: &RedetectArgs) -> anyhow::Result<ExitCode> {
    let mode: SpeakerMode = args.speakers.parse()?;
    let mut store = open_repairs(&args.project)?;
    let id = store.source_id(&SourceRef::parse(&args.source))?;
    let record = store.source(&SourceRef::Id(id))?;
    let name = record.summary.name.clone();
    let format: Format = record.summary.format.parse()?;
    let known = record.summary.speakers.clone();
    let found = verbatim_ingest::redetect(format, &record.text, &mode, &known)
        .with_context(|| format!("{name}: the turns were not re-detected"))?;
    let turns = with_old_times(found.turns(), &record.turn_list);
    let report = store.replace_turns(&ui::actor(), id, &turns)?;
    refresh(&args.project);
    if args.json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !report.changed {
        println!(
            "Re-detected the turns of {name}: the same {} turns were found; nothing changed.",
            report.turns_after
        );
        super::import::print_label_hints(&name, &label_report(&found));
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Re-detected the turns of {name}: {} turns before, {} now.",
        report.turns_before, report.turns_after
    );
    println!("speakers before: {}", report.speakers_before.join(", "));
    println!("speakers now:    {}", report.speakers_after.join(", "));
    if !report.mappings_dropped.is_empty() {
        println!(
            "Mappings of labels no longer found were dropped: {}.",
            report.mappings_dropped.join(", ")
        );
    }
    super::import::print_label_hints(&name, &label_report(&found));
    println!("The text did not change, so codings keep their words. Undo with `verbatim undo`.");
    Ok(ExitCode::SUCCESS)
}

/// Returns the new turns, each untimed one given the times of the old
/// timed turns inside it: the first begin of those starting in it, the last
/// end of those ending in it (subtitle cues keep their times when their
/// speakers are found again; a turn cut out of an old one gets none it did
/// not start or end with). Both lists are in text order without overlap, so
/// one pass over each finds them.
fn with_old_times(new: &[Turn], old: &[TurnRecord]) -> Vec<Turn> {
    let ms = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
    let mut from = 0;
    new.iter()
        .map(|turn| {
            let mut turn = turn.clone();
            let (start, end) = (turn.span.start() as i64, turn.span.end() as i64);
            while old
                .get(from)
                .is_some_and(|o| o.end.max(o.start + 1) <= start)
            {
                from += 1;
            }
            if turn.begin_ms.is_none() && turn.end_ms.is_none() {
                let near = old
                    .iter()
                    .skip(from)
                    .take_while(|o| o.start < end.max(start + 1));
                turn.begin_ms = near
                    .clone()
                    .filter(|o| start <= o.start)
                    .filter_map(|o| ms(o.begin_ms))
                    .min();
                turn.end_ms = near
                    .filter(|o| start < o.end.max(o.start + 1) && o.end <= end)
                    .filter_map(|o| ms(o.end_ms))
                    .max();
            }
            turn
        })
        .collect()
}

/// Removes a source (with `--yes`) and prints what went with it.
fn cmd_remove(args: &RemoveArgs) -> anyhow::Result<ExitCode> {
    let mut store = open_repairs(&args.project)?;
    let id = store.source_id(&SourceRef::parse(&args.source))?;
    if !args.yes {
        let summary = store.source(&SourceRef::Id(id))?.summary;
        bail!(
            "removing {} would also remove its turns, codings and memos: run again with --yes to remove it (undo brings it back)",
            summary.name
        );
    }
    let report = store.remove_source(&ui::actor(), id)?;
    refresh(&args.project);
    if args.json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Removed source {} ({}) with {} turns, {} codings, {} memos and {} speaker mappings.",
        report.id, report.source, report.turns, report.codings, report.memos, report.mappings
    );
    println!("The audit log lists every row removed; bring it back with `verbatim undo`.");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(start: i64, end: i64, begin: i64, end_ms: i64) -> TurnRecord {
        TurnRecord {
            speaker: None,
            start,
            end,
            begin_ms: Some(begin),
            end_ms: Some(end_ms),
        }
    }

    fn new(start: usize, end: usize) -> Turn {
        Turn {
            speaker: Some("Marie".into()),
            span: Span::new(start, end).expect("a valid span"),
            begin_ms: None,
            end_ms: None,
        }
    }

    #[test]
    fn new_turns_take_the_times_of_the_cues_inside_them() {
        // Three cue segments [0,10) 1–2 s, [11,20) 2–3.5 s, [21,30) 4–5 s.
        let cues = [
            old(0, 10, 1_000, 2_000),
            old(11, 20, 2_000, 3_500),
            old(21, 30, 4_000, 5_000),
        ];
        let got: Vec<(Option<u64>, Option<u64>)> =
            with_old_times(&[new(0, 20), new(21, 25), new(26, 30)], &cues)
                .iter()
                .map(|t| (t.begin_ms, t.end_ms))
                .collect();
        // The first covers the first two cues: 1 s to 3.5 s. The second
        // starts with the third cue but ends inside it: its begin only. The
        // third ends with it: its end only.
        assert_eq!(
            got,
            [
                (Some(1_000), Some(3_500)),
                (Some(4_000), None),
                (None, Some(5_000))
            ]
        );
    }
}
