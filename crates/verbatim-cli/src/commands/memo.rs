//! `verbatim memo`: write, list, change and delete memos on the study, a
//! source, a participant, a code or a coding.

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand};
use verbatim_store::{MemoFilter, MemoTarget, Scope, SourceRef};

use super::coder_arg::{CoderArg, LayersArg};
use super::{ProjectArg, Study, print_json};
use crate::ui::Table;

/// Write and read memos
#[derive(Args, Debug)]
pub struct MemoArgs {
    #[command(subcommand)]
    action: MemoAction,
}

/// The study and the coder acting, taken by every subcommand.
#[derive(Args, Debug)]
pub struct Acting {
    #[command(flatten)]
    pub project: ProjectArg,
    #[command(flatten)]
    pub coder: CoderArg,
}

#[derive(Subcommand, Debug)]
enum MemoAction {
    /// Write a memo
    Add {
        #[command(flatten)]
        acting: Acting,
        /// What it is about: study, source:NAME, code:NAME, coding:ID or participant:CODE
        #[arg(long, value_name = "TARGET")]
        on: String,
        /// Its title
        #[arg(long)]
        title: Option<String>,
        /// Its text
        #[arg(long)]
        text: String,
    },
    /// List the memos you can see
    List {
        #[command(flatten)]
        acting: Acting,
        /// Only memos about this target (study, source:NAME, code:NAME, coding:ID,
        /// participant:CODE), or on any target of a kind (source, code, coding,
        /// participant, passage)
        #[arg(long, value_name = "TARGET")]
        on: Option<String>,
        /// Only memos containing this (case and accents ignored)
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        #[command(flatten)]
        layers: LayersArg,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Change one of your memos
    Edit {
        #[command(flatten)]
        acting: Acting,
        /// The memo's id
        id: i64,
        /// Its new title (empty to remove it)
        #[arg(long)]
        title: Option<String>,
        /// Its new text
        #[arg(long)]
        text: Option<String>,
    },
    /// Delete one of your memos (undo with `verbatim undo`)
    Delete {
        #[command(flatten)]
        acting: Acting,
        /// The memo's id
        id: i64,
    },
}

/// Runs a `memo` subcommand.
pub fn cmd_memo(args: &MemoArgs) -> anyhow::Result<ExitCode> {
    let acting = match &args.action {
        MemoAction::Add { acting, .. }
        | MemoAction::List { acting, .. }
        | MemoAction::Edit { acting, .. }
        | MemoAction::Delete { acting, .. } => acting,
    };
    let coder = &acting.coder;
    match &args.action {
        MemoAction::Add {
            on, title, text, ..
        } => {
            let mut store = acting.project.open_study()?;
            let scope = store.scope(coder.name()?, false, false)?;
            let target = parse_target(store.as_ref(), &scope, on)?;
            let id = store.add_memo(&scope, &target, title.as_deref(), text)?;
            println!("Wrote memo {id} on {on}.");
        }
        MemoAction::List {
            on,
            search,
            layers,
            json,
            ..
        } => {
            let store = acting.project.open_study()?;
            let scope = store.scope(coder.name()?, layers.all, layers.solo)?;
            let mut filter = MemoFilter {
                text: search.clone(),
                ..MemoFilter::default()
            };
            match on.as_deref().map(str::trim) {
                None => {}
                // A bare kind lists every memo on targets of that kind.
                Some(kind @ ("source" | "code" | "coding" | "participant" | "passage")) => {
                    filter.target_kind = Some(kind.to_owned());
                }
                Some(on) => filter.target = Some(parse_target(store.as_ref(), &scope, on)?),
            }
            let memos = store.memos(&scope, &filter)?;
            if *json {
                print_json(&memos)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut table = Table::new(&["id", "on", "by", "written", "title", "text"]);
            for m in &memos {
                let on = match &m.target_label {
                    Some(label) => format!("{} {label}", m.target_kind),
                    None => m.target_kind.clone(),
                };
                table.row(vec![
                    m.id.to_string(),
                    on,
                    m.coder
                        .clone()
                        .or_else(|| m.author.clone())
                        .unwrap_or_default(),
                    m.written_at
                        .as_deref()
                        .map(|w| w.chars().take(10).collect())
                        .unwrap_or_default(),
                    m.title.clone().unwrap_or_default(),
                    shorten(&m.body, 60),
                ]);
            }
            print!("{}", table.render());
            println!("{} memos.", memos.len());
        }
        MemoAction::Edit {
            id, title, text, ..
        } => {
            let mut store = acting.project.open_study()?;
            let scope = store.scope(coder.name()?, false, false)?;
            store.edit_memo(&scope, *id, title.as_deref(), text.as_deref())?;
            println!("Changed memo {id}.");
        }
        MemoAction::Delete { id, .. } => {
            let mut store = acting.project.open_study()?;
            let scope = store.scope(coder.name()?, false, false)?;
            store.delete_memo(&scope, *id)?;
            println!("Deleted memo {id} (`verbatim undo` brings it back).");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Returns the target a `--on` word names.
fn parse_target(store: &dyn Study, scope: &Scope, word: &str) -> anyhow::Result<MemoTarget> {
    let word = word.trim();
    if word == "study" {
        return Ok(MemoTarget::Study);
    }
    let Some((kind, what)) = word.split_once(':') else {
        bail!(
            "--on {word:?} is not a target: use study, source:NAME, code:NAME, coding:ID or participant:CODE"
        );
    };
    let what = what.trim();
    Ok(match kind.trim() {
        "source" => MemoTarget::Source(store.source_id(&SourceRef::parse(what))?),
        "code" => MemoTarget::Code(store.find_code(scope, what, None)?),
        "coding" => match what.parse::<i64>() {
            Ok(id) => MemoTarget::Coding(id),
            Err(_) => bail!("--on coding:{what} needs a coding id (a number)"),
        },
        "participant" => MemoTarget::Participant(what.to_owned()),
        other => bail!(
            "--on {other:?}: memos go on study, source:NAME, code:NAME, coding:ID or participant:CODE"
        ),
    })
}

/// Returns `text` on one line, cut to `max` chars.
pub fn shorten(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        format!("{}…", line.chars().take(max - 1).collect::<String>())
    }
}
