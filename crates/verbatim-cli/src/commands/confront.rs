//! `verbatim confront`: each sealed preconception against what the coding
//! found, and the themes nobody expected. Runs on a file and on
//! PostgreSQL alike.

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use verbatim_analysis::evidence::{below, supporting};
use verbatim_store::Book;
use verbatim_views::evidence::Options;

use super::coder_arg::{AllArg, CoderArg};
use super::evidence::load_book;
use super::{Analysis, ProjectArg, print_json};

/// Confront sealed preconceptions with the themes that emerged
#[derive(Args, Debug)]
pub struct ConfrontArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// The level of themes listed as unexpected
    #[arg(long, default_value = "theme")]
    level: String,
    #[command(flatten)]
    all: AllArg,
    /// Count structural codes (interview-guide questions) as themes too
    #[arg(long)]
    include_structural: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Confrontation {
    coder: String,
    /// The sources the coder coded: the only ones counted.
    sources: Vec<String>,
    entries: Vec<EntryResult>,
    unexpected: Vec<Evidence>,
}

#[derive(Serialize)]
struct EntryResult {
    id: i64,
    title: String,
    sealed_at: Option<String>,
    content_hash: Option<String>,
    links: Vec<LinkResult>,
}

#[derive(Serialize)]
struct LinkResult {
    code: String,
    /// What the coder recorded: expected, emerged, absent.
    relation: String,
    #[serde(flatten)]
    evidence: Evidence,
    /// What the record and the evidence say together.
    outcome: String,
}

#[derive(Serialize, Clone)]
struct Evidence {
    theme: String,
    passages: usize,
    participants: usize,
    sources: usize,
}

/// Prints, per coder, each sealed preconception's links with their outcome,
/// then the themes with support that no preconception named.
pub fn cmd_confront(args: &ConfrontArgs) -> anyhow::Result<ExitCode> {
    let opened = args.project.open_analysis()?;
    let store = &*opened;
    let scope = args.coder.scope_on(store, args.all.all, args.all.solo)?;
    let level = store.level_rank_of(&args.level)?;
    let entries = store.entries(&scope)?;
    let coders: Vec<String> = if args.all.all {
        store.coders()?.into_iter().map(|c| c.name).collect()
    } else {
        vec![scope.coder().name.clone()]
    };
    let mut out = Vec::new();
    for name in coders {
        let options = Options {
            include_context: false,
            include_structural: args.include_structural,
        };
        out.push(confront_one(
            store, &scope, &name, level, options, &entries,
        )?);
    }
    if args.json {
        print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    for c in &out {
        println!("## {}", c.coder);
        println!(
            "Over the {} sources {} coded: {}.",
            c.sources.len(),
            c.coder,
            c.sources.join(", ")
        );
        if c.entries.is_empty() {
            println!("(no sealed preconception)");
        }
        for e in &c.entries {
            println!(
                "### {} (sealed {}, SHA-256 {})",
                e.title,
                e.sealed_at.as_deref().unwrap_or("-"),
                e.content_hash
                    .as_deref()
                    .map_or("-", |h| &h[..h.len().min(12)])
            );
            for l in &e.links {
                println!(
                    "- {} [{}]: {} — {} passages, {} participants, {} sources",
                    l.code,
                    l.relation,
                    l.outcome,
                    l.evidence.passages,
                    l.evidence.participants,
                    l.evidence.sources
                );
            }
        }
        if !c.unexpected.is_empty() {
            println!("Themes no preconception named:");
            for u in &c.unexpected {
                println!(
                    "- {} — {} passages, {} participants",
                    u.theme, u.passages, u.participants
                );
            }
        }
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

fn confront_one(
    store: &dyn Analysis,
    scope: &verbatim_store::Scope,
    coder: &str,
    level: i64,
    options: Options,
    entries: &[verbatim_store::JournalEntry],
) -> anyhow::Result<Confrontation> {
    let found = store
        .coder_by_name(coder)?
        .ok_or_else(|| verbatim_store::StoreError::UnknownCoder(coder.to_owned()))?;
    let book = if found.id == scope.coder().id {
        Book::Own
    } else {
        Book::Of(found.id)
    };
    let evidence = load_book(store, scope.clone(), book, Some(found.id), level, options)?;
    let tree_below = below(&evidence.nodes);
    let names: HashMap<i64, &str> = evidence
        .nodes
        .iter()
        .map(|n| (n.id, n.name.as_str()))
        .collect();
    let measure = |code: i64| -> Evidence {
        let support = supporting(code, &tree_below, &evidence.passages);
        let people: HashSet<&String> = support.iter().flat_map(|p| &p.participants).collect();
        let sources: HashSet<i64> = support.iter().map(|p| p.source_id).collect();
        Evidence {
            theme: names.get(&code).copied().unwrap_or("?").to_owned(),
            passages: support.len(),
            participants: people.len(),
            sources: sources.len(),
        }
    };
    let mut linked: HashSet<i64> = HashSet::new();
    let mut results = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e.coder == coder && e.kind == "preconception" && e.sealed_at.is_some())
    {
        let links = e
            .links
            .iter()
            .map(|l| {
                linked.insert(l.code_id);
                let evidence = measure(l.code_id);
                let outcome = match (l.relation.as_str(), evidence.passages > 0) {
                    ("expected", true) => "expected and emerged",
                    ("expected", false) => "expected but absent: no passage supports it",
                    ("absent", false) => "absent, as recorded",
                    ("absent", true) => "recorded as absent, yet passages support it: review",
                    ("emerged", true) => "emerged beyond what was expected",
                    ("emerged", false) => "recorded as emerged, but no passage supports it: review",
                    ("reversed", _) => {
                        "emerged reversed: the data say the opposite of the expectation"
                    }
                    _ => "recorded",
                };
                LinkResult {
                    code: l.code.clone(),
                    relation: l.relation.clone(),
                    evidence,
                    outcome: outcome.to_owned(),
                }
            })
            .collect();
        results.push(EntryResult {
            id: e.id,
            title: e.title.clone(),
            sealed_at: e.sealed_at.clone(),
            content_hash: e.content_hash.clone(),
            links,
        });
    }
    let unexpected = evidence
        .themes()
        .iter()
        .filter(|t| !linked.contains(&t.id))
        .map(|t| measure(t.id))
        .filter(|m| m.passages > 0)
        .collect();
    Ok(Confrontation {
        coder: coder.to_owned(),
        sources: evidence.sources.clone(),
        entries: results,
        unexpected,
    })
}
