//! `verbatim undo`, `redo` and `log`: the study's history, on a file or
//! on PostgreSQL (through the `History` and `Store` traits).

use std::process::ExitCode;

use clap::Args;
use verbatim_store::{History, Replayed};
use verbatim_store_pg::PgStore;

use super::coder_arg::CoderArg;
use super::{Location, ProjectArg, print_json};
use crate::ui::Table;

/// Undo your last changes
#[derive(Args, Debug)]
pub struct UndoArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// How many changes to undo
    #[arg(long, default_value_t = 1)]
    steps: usize,
    /// Print JSON: each action replayed (its audit entry, action, summary)
    #[arg(long)]
    json: bool,
}

/// Show the study's history, newest first
#[derive(Args, Debug)]
pub struct LogArgs {
    #[command(flatten)]
    project: ProjectArg,
    /// How many entries to show
    #[arg(long, default_value_t = 30)]
    limit: usize,
    /// Print JSON (with each entry's full data)
    #[arg(long)]
    json: bool,
}

/// Returns the study, file or PostgreSQL, as its history.
fn open_history(project: &ProjectArg) -> anyhow::Result<Box<dyn History>> {
    Ok(match project.location()? {
        Location::File(_) => Box::new(project.open()?),
        Location::Postgres(address) => Box::new(PgStore::open(&address)?),
    })
}

/// Undoes the coder's last changes.
pub fn cmd_undo(args: &UndoArgs) -> anyhow::Result<ExitCode> {
    let mut store = open_history(&args.project)?;
    let done = store.undo(args.coder.name()?, args.steps)?;
    report("Undid", &done, args.json)
}

/// Redoes the coder's last undone changes.
pub fn cmd_redo(args: &UndoArgs) -> anyhow::Result<ExitCode> {
    let mut store = open_history(&args.project)?;
    let done = store.redo(args.coder.name()?, args.steps)?;
    report("Redid", &done, args.json)
}

fn report(verb: &str, done: &[Replayed], json: bool) -> anyhow::Result<ExitCode> {
    if json {
        print_json(&done)?;
    } else {
        for r in done {
            println!("{verb} {} {}", r.action, r.summary);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the newest audit entries.
pub fn cmd_log(args: &LogArgs) -> anyhow::Result<ExitCode> {
    let store = args.project.open_any()?;
    let entries = store.audit_log(args.limit)?;
    if args.json {
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["when", "who", "what", "target", "details"]);
    for e in &entries {
        let details = e.data.get("summary").unwrap_or(&e.data).to_string();
        let details = if details.chars().count() > 70 {
            format!("{}…", details.chars().take(69).collect::<String>())
        } else {
            details
        };
        table.row(vec![
            e.at.chars().take(19).collect(),
            e.actor.clone(),
            e.action.clone(),
            e.target.clone().unwrap_or_default(),
            details,
        ]);
    }
    print!("{}", table.render());
    Ok(ExitCode::SUCCESS)
}
