//! `verbatim journal`: the reflexive journal. Preconceptions are written
//! before the analysis and sealed; `verify` proves that none changed since.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use verbatim_store::{EntryKind, JournalEntry, Relation};

use super::coder_arg::LayersArg;
use super::memo::{Acting, shorten};
use super::{ProjectArg, print_json};
use crate::ui::Table;

/// Keep the reflexive journal: notes, sealed preconceptions, links to codes
#[derive(Args, Debug)]
pub struct JournalArgs {
    #[command(subcommand)]
    action: JournalAction,
}

#[derive(Subcommand, Debug)]
enum JournalAction {
    /// Write an entry, dated now
    Add {
        #[command(flatten)]
        acting: Acting,
        /// note, or preconception (what you expect to find; can be sealed)
        #[arg(long, default_value = "note")]
        kind: String,
        /// Its title
        #[arg(long)]
        title: String,
        /// Its text
        #[arg(long)]
        text: String,
    },
    /// Change an entry that is not sealed
    Edit {
        #[command(flatten)]
        acting: Acting,
        /// The entry's id
        id: i64,
        /// Its new title
        #[arg(long)]
        title: Option<String>,
        /// Its new text
        #[arg(long)]
        text: Option<String>,
    },
    /// Delete an entry that is not sealed
    Delete {
        #[command(flatten)]
        acting: Acting,
        /// The entry's id
        id: i64,
    },
    /// Seal a preconception: it can never change afterwards
    Seal {
        #[command(flatten)]
        acting: Acting,
        /// The entry's id
        id: i64,
    },
    /// Check that no sealed entry changed; fails if one did
    Verify {
        #[command(flatten)]
        project: ProjectArg,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Link an entry to a code: expected (and found), emerged, or absent
    Link {
        #[command(flatten)]
        acting: Acting,
        /// The entry's id
        entry: i64,
        /// The code's name or id
        #[arg(long)]
        code: String,
        /// expected, emerged, absent or reversed (the data say the opposite)
        #[arg(long)]
        relation: String,
    },
    /// List your entries with their links
    List {
        #[command(flatten)]
        acting: Acting,
        #[command(flatten)]
        layers: LayersArg,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
}

/// Runs a `journal` subcommand.
pub fn cmd_journal(args: &JournalArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        JournalAction::Add {
            acting,
            kind,
            title,
            text,
        } => {
            let mut store = acting.project.open_study()?;
            let kind = EntryKind::parse(kind)?;
            let scope = store.scope(acting.coder.name()?, false, false)?;
            let id = store.add_entry(&scope, kind, title, text)?;
            match kind {
                EntryKind::Preconception => println!(
                    "Wrote preconception {id}; seal it with `verbatim journal seal {id}` once final."
                ),
                EntryKind::Note => println!("Wrote note {id}."),
            }
        }
        JournalAction::Seal { acting, id } => {
            let mut store = acting.project.open_study()?;
            let scope = store.scope(acting.coder.name()?, false, false)?;
            let hash = store.seal(&scope, *id)?;
            println!("Sealed journal entry {id}: SHA-256 {hash}. It can no longer change.");
        }
        JournalAction::Link {
            acting,
            entry,
            code,
            relation,
        } => {
            let mut store = acting.project.open_study()?;
            let relation = Relation::parse(relation)?;
            let scope = store.scope(acting.coder.name()?, false, false)?;
            let code_id = store.find_code(&scope, code, None)?;
            store.link_entry(&scope, *entry, code_id, relation)?;
            println!(
                "Linked journal entry {entry} to code {code:?} ({}).",
                relation.as_str()
            );
        }
        JournalAction::List {
            acting,
            layers,
            json,
        } => {
            let store = acting.project.open_study()?;
            let scope = store.scope(acting.coder.name()?, layers.all, layers.solo)?;
            print_entries(&store.entries(&scope)?, *json)?;
        }
        other => return edit_or_verify(other),
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the subcommands that change or check entries: edit, delete, verify.
fn edit_or_verify(action: &JournalAction) -> anyhow::Result<ExitCode> {
    match action {
        JournalAction::Edit {
            acting,
            id,
            title,
            text,
        } => {
            let mut store = acting.project.open_study()?;
            let scope = store.scope(acting.coder.name()?, false, false)?;
            store.edit_entry(&scope, *id, title.as_deref(), text.as_deref())?;
            println!("Changed journal entry {id}.");
        }
        JournalAction::Delete { acting, id } => {
            let mut store = acting.project.open_study()?;
            let scope = store.scope(acting.coder.name()?, false, false)?;
            store.delete_entry(&scope, *id)?;
            println!("Deleted journal entry {id} (`verbatim undo` brings it back).");
        }
        JournalAction::Verify { project, json } => {
            let store = project.open_study()?;
            let mismatches = store.verify_journal()?;
            if *json {
                print_json(&mismatches)?;
            } else {
                for m in &mismatches {
                    println!("entry {} ({}): {}", m.entry, m.coder, m.reason);
                }
            }
            if !mismatches.is_empty() {
                eprintln!(
                    "error: {} sealed journal entr{} no longer match{} the seal: the study file was altered outside verbatim; restore it from a backup",
                    mismatches.len(),
                    if mismatches.len() == 1 { "y" } else { "ies" },
                    if mismatches.len() == 1 { "es" } else { "" },
                );
                return Ok(ExitCode::FAILURE);
            }
            if !*json {
                println!("Every sealed journal entry matches its seal.");
            }
        }
        // cmd_journal runs the others on either backend.
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints journal entries as JSON or as a table.
fn print_entries(entries: &[JournalEntry], json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&entries);
    }
    let mut table = Table::new(&[
        "id", "by", "kind", "written", "sealed", "title", "links", "text",
    ]);
    for e in entries {
        let links: Vec<String> = e
            .links
            .iter()
            .map(|l| format!("{} ({})", l.code, l.relation))
            .collect();
        table.row(vec![
            e.id.to_string(),
            e.coder.clone(),
            e.kind.clone(),
            e.written_at.chars().take(10).collect(),
            e.sealed_at
                .as_deref()
                .map(|s| s.chars().take(10).collect())
                .unwrap_or_default(),
            e.title.clone(),
            links.join(", "),
            shorten(&e.body, 50),
        ]);
    }
    print!("{}", table.render());
    println!("{} entries.", entries.len());
    Ok(())
}
