//! `verbatim source`: one source's text and facts.
//!
//! - `edit` corrects a source's text; every coding, turn and anchored memo
//!   moves with it, and `verbatim undo` restores it all;
//! - `done` marks a source as analysed by the acting coder even without a
//!   code (`--undo` takes the mark back), so agreement, saturation and
//!   prevalence count it among the sources that coder coded;
//! - `set --date` records when the interview was collected (saturation
//!   walks sources in that order).

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand};
use verbatim_core::Span;
use verbatim_store::{SourceRef, parse_date};

use super::memo::{Acting, shorten};
use super::{ProjectArg, print_json};
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
    }
}

/// `source done SOURCE [--undo]`.
fn done(acting: &Acting, source: &str, undo: bool) -> anyhow::Result<ExitCode> {
    let mut store = acting.project.open()?;
    let scope = acting.coder.scope(&store)?;
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
    let mut store = project.open()?;
    let id = store.source_id(&SourceRef::parse(source))?;
    store.set_source_date(&ui::actor(), id, date.as_deref())?;
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
    let mut store = acting.project.open()?;
    let scope = acting.coder.scope(&store)?;
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
    super::search::refresh_index(&store);
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
