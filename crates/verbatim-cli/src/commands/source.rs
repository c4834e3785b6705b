//! `verbatim source edit`: correct a source's text; every coding, turn and
//! anchored memo moves with it, and `verbatim undo` restores it all.

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand};
use verbatim_core::Span;
use verbatim_store::SourceRef;

use super::memo::{Acting, shorten};
use super::print_json;
use crate::ui::Table;

/// Change a source's text
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
}

/// Runs a `source` subcommand.
pub fn cmd_source(args: &SourceArgs) -> anyhow::Result<ExitCode> {
    let SourceAction::Edit {
        acting,
        source,
        start,
        end,
        find,
        occurrence,
        text,
        json,
    } = &args.action;
    let mut store = acting.project.open()?;
    let scope = acting.coder.scope(&store)?;
    let id = store.source_id(&SourceRef::parse(source))?;
    let span = match (start, end, find) {
        (Some(s), Some(e), None) => match Span::new(*s, *e) {
            Ok(span) => span,
            Err(_) => bail!(
                "--start {s} is after --end {e}: give the passage's first char, then the char just past it"
            ),
        },
        (None, None, Some(old)) => store.locate(id, old, *occurrence)?.span,
        _ => bail!("say which passage to replace: --start N --end N, or --find \"old text\""),
    };
    let report = store.edit_source(&scope, id, span, text)?;
    super::search::refresh_index(&store);
    if *json {
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
