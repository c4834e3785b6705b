//! `verbatim guide`: versioned interview guides, the version each source
//! used, and coding answers by question, on a study file or a PostgreSQL
//! study alike (through the store's `Guides` trait).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use verbatim_store::{Guides, SourceRef};
use verbatim_store_pg::PgStore;

use super::coder_arg::CoderArg;
use super::{Location, ProjectArg, print_json};
use crate::ui::{self, Table};

/// Interview guides: add versions, say which a source used, code answers by question
#[derive(Args, Debug)]
pub struct GuideArgs {
    #[command(subcommand)]
    action: GuideAction,
}

#[derive(Subcommand, Debug)]
enum GuideAction {
    /// Add a guide, or a new version of it, from a text or Markdown file
    Add {
        #[command(flatten)]
        project: ProjectArg,
        /// The guide's name
        name: String,
        /// The file: numbered questions, sub-questions indented
        #[arg(long)]
        file: PathBuf,
        /// Its version number [default: the next one]
        #[arg(long)]
        version: Option<i64>,
        /// Its date (2024-03-12 or 12/03/2024)
        #[arg(long)]
        date: Option<String>,
    },
    /// List guides, their versions and questions
    List {
        #[command(flatten)]
        project: ProjectArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Record the guide version a source was collected with
    Use {
        #[command(flatten)]
        project: ProjectArg,
        /// The source (id or name)
        #[arg(long)]
        source: String,
        /// The guide's name
        #[arg(long)]
        guide: String,
        /// The version [default: the latest]
        #[arg(long)]
        version: Option<i64>,
    },
    /// Find each question in the interviewer's turns and code the answers
    Autocode {
        #[command(flatten)]
        project: ProjectArg,
        #[command(flatten)]
        coder: CoderArg,
        /// Only this source (id or name)
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        source: Option<String>,
        /// Every source that records a guide
        #[arg(long)]
        all: bool,
        /// Share of a question's words that must occur in the turn (0 to 1)
        #[arg(long, default_value_t = 0.6)]
        threshold: f64,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Opens the study, file or PostgreSQL, for the guide commands.
fn open_guides(project: &ProjectArg) -> anyhow::Result<Box<dyn Guides>> {
    Ok(match project.location()? {
        Location::File(_) => Box::new(project.open()?),
        Location::Postgres(address) => Box::new(PgStore::open(&address)?),
    })
}

/// Runs a `guide` subcommand.
pub fn cmd_guide(args: &GuideArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        GuideAction::Add {
            project,
            name,
            file,
            version,
            date,
        } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let mut store = open_guides(project)?;
            let added = store
                .add_guide(&ui::actor(), name, &text, *version, date.as_deref())
                .with_context(|| format!("{}", file.display()))?;
            let subs: usize = added.questions.iter().map(|q| q.sub.len()).sum();
            println!(
                "Added {name} version {} ({} questions, {subs} sub-questions).",
                added.version,
                added.questions.len()
            );
        }
        GuideAction::List { project, json } => {
            let store = open_guides(project)?;
            let guides = store.guides()?;
            if *json {
                print_json(&guides)?;
            } else {
                for g in &guides {
                    for v in &g.versions {
                        println!(
                            "{} v{}{}{}",
                            g.name,
                            v.version,
                            v.date
                                .as_deref()
                                .map(|d| format!(" ({d})"))
                                .unwrap_or_default(),
                            if v.sources.is_empty() {
                                String::new()
                            } else {
                                format!(" — used by {}", v.sources.join(", "))
                            }
                        );
                        for q in &v.questions {
                            println!("  {}. {}", q.number, q.text);
                            for s in &q.sub {
                                println!("      {}. {}", s.number, s.text);
                            }
                        }
                    }
                }
            }
        }
        GuideAction::Use {
            project,
            source,
            guide,
            version,
        } => {
            let mut store = open_guides(project)?;
            let v = store.use_guide(&ui::actor(), &SourceRef::parse(source), guide, *version)?;
            println!("{source} was collected with {guide} version {v}.");
        }
        GuideAction::Autocode {
            project,
            coder,
            source,
            all: _,
            threshold,
            json,
        } => {
            let mut store = open_guides(project)?;
            let scope = coder.scope_on(store.as_ref(), false, false)?;
            let only = source.as_deref().map(SourceRef::parse);
            let reports = store.autocode(&scope, only.as_ref(), *threshold)?;
            if *json {
                print_json(&reports)?;
            } else {
                for r in &reports {
                    println!("{} ({} v{}):", r.source, r.guide, r.version);
                    let mut table = Table::new(&["question", "turn", "score", "codings"]);
                    for m in &r.matched {
                        table.row(vec![
                            m.code.clone(),
                            m.turn.to_string(),
                            format!("{:.2}", m.score),
                            m.codings.to_string(),
                        ]);
                    }
                    print!("{}", table.render());
                    for u in &r.unmatched {
                        println!("  not found: {u}");
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
