//! `verbatim reconcile`: build the team's consensus from compared work.
//!
//! After `align` and `disagreements`, the team decides node by node and
//! passage by passage what the consensus holds: shared codes and their
//! passages, which belong to the consensus layer, not to whoever decides. Each subcommand is one decision, recorded with who,
//! when and the `--note` saying why, and undoable with `verbatim undo`.
//!
//! Every action runs through the store's traits (`Consensus` and the
//! coding traits), so on a study file and on PostgreSQL alike.

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use verbatim_core::Span;
use verbatim_store::{
    Book, Codebook, Coder, Coders, CodingFilter, Codings, Consensus, Decision, DecisionKind, Scope,
    SourceRef, StoreError, Verdict,
};
use verbatim_store_pg::PgStore;

use super::align::two_coders;
use super::coder_arg::CoderArg;
use super::reconcile_merge::{Named, described, merged_codes};
use super::{Location, ProjectArg, print_json};
use crate::ui::Table;

/// Build the shared codebook step by step: accept, merge, keep, passages
#[derive(Args, Debug)]
pub struct ReconcileArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// Accepted in a study marked solo (`verbatim study solo`); refused otherwise
    #[arg(long, global = true)]
    solo: bool,
    #[command(subcommand)]
    action: ReconcileAction,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum VerdictArg {
    Accept,
    Reject,
}

#[derive(Subcommand, Debug)]
enum ReconcileAction {
    /// Copy a coder's code (with --subtree, everything below it) into the shared codebook
    Accept {
        /// The coder whose code it is
        #[arg(long)]
        from: String,
        /// The code (name or id) in that coder's codebook
        #[arg(long)]
        code: String,
        /// Copy the codes below it too
        #[arg(long)]
        subtree: bool,
        /// The shared code to put it under (top level by default)
        #[arg(long)]
        under: Option<String>,
        /// Why
        #[arg(long)]
        note: Option<String>,
    },
    /// Make one consensus code of several coders' matched codes (their passages join)
    Merge {
        /// The coders whose codes merge: `a,b,c` with one `--code NAME` each coder has
        #[arg(long, value_delimiter = ',')]
        coders: Vec<String>,
        /// A code to merge: `CODER:NAME` (repeat it, one per coder), or `NAME` with --coders
        #[arg(long = "code", value_name = "CODE", required = true)]
        codes: Vec<String>,
        /// The second coder's code, in the form `--coders a,b --code X --code-b Y`
        #[arg(long)]
        code_b: Option<String>,
        /// The consensus code's name (the first code's by default)
        #[arg(long, conflicts_with = "into")]
        name: Option<String>,
        /// The shared code to put it under (top level by default)
        #[arg(long, conflicts_with = "into")]
        under: Option<String>,
        /// Add the codes to this existing consensus code instead of making one
        #[arg(long, value_name = "SHARED_CODE")]
        into: Option<String>,
        /// Why
        #[arg(long)]
        note: Option<String>,
    },
    /// Keep a divergent code in its coder's codebook, saying why
    Keep {
        /// The coder whose code it is
        #[arg(long)]
        from: String,
        /// The code (name or id) in that coder's codebook
        #[arg(long)]
        code: String,
        /// Why it stays apart
        #[arg(long)]
        note: String,
    },
    /// Accept a disagreement passage into the consensus layer, or reject it
    Passage {
        /// accept (code it with the shared code) or reject
        verdict: VerdictArg,
        /// The source (id or name)
        #[arg(long)]
        source: String,
        /// First character of the passage
        #[arg(long)]
        start: usize,
        /// Character just past the passage
        #[arg(long)]
        end: usize,
        /// The shared code to code it with (needed to accept)
        #[arg(long)]
        shared: Option<String>,
        /// The two coders compared (records the origin codes): `a,b`
        #[arg(long, value_delimiter = ',', requires = "code")]
        coders: Vec<String>,
        /// The first coder's code the passage was compared under
        #[arg(long)]
        code: Option<String>,
        /// The second coder's code (the same name by default)
        #[arg(long)]
        code_b: Option<String>,
        /// Why
        #[arg(long)]
        note: Option<String>,
    },
    /// List the decisions taken, oldest first
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// The traits a reconciliation needs, whichever backend holds the study.
pub(super) trait ReconcileStore: Coders + Codebook + Codings + Consensus {}
impl<T: Coders + Codebook + Codings + Consensus> ReconcileStore for T {}

/// Runs one `reconcile` action, on a study file or on PostgreSQL.
pub fn cmd_reconcile(args: &ReconcileArgs) -> anyhow::Result<ExitCode> {
    match args.project.location()? {
        Location::File(_) => decide(&mut args.project.open()?, args),
        Location::Postgres(address) => decide(&mut PgStore::open(&address)?, args),
    }
}

fn coder_named(store: &dyn ReconcileStore, name: &str) -> Result<Coder, StoreError> {
    store
        .coder_by_name(name)?
        .ok_or_else(|| StoreError::UnknownCoder(name.to_owned()))
}

fn shared(
    store: &dyn ReconcileStore,
    scope: &Scope,
    word: &Option<String>,
) -> Result<Option<i64>, StoreError> {
    word.as_deref()
        .map(|w| store.find_code(scope, w, Some(Book::Shared)))
        .transpose()
}

/// Runs one decision, or the list, through the store's traits.
fn decide(store: &mut dyn ReconcileStore, args: &ReconcileArgs) -> anyhow::Result<ExitCode> {
    let scope = store.scope(args.coder.name()?, true, args.solo)?;
    match &args.action {
        ReconcileAction::Accept {
            from,
            code,
            subtree,
            under,
            note,
        } => {
            let owner = coder_named(store, from)?;
            let id = store.find_code(&scope, code, Some(Book::Of(owner.id)))?;
            let under = shared(store, &scope, under)?;
            let d = store.reconcile_accept(&scope, id, *subtree, under, note.as_deref())?;
            let copied = store
                .decisions(&scope)?
                .into_iter()
                .find(|x| x.id == d)
                .map_or(0, |x| x.origins.len());
            println!(
                "Decision {d}: accepted {code:?} from {from} into the shared codebook ({copied} code{}).",
                if copied == 1 { "" } else { "s" }
            );
        }
        ReconcileAction::Merge {
            coders,
            codes,
            code_b,
            name,
            under,
            into,
            note,
        } => {
            let named = merged_codes(store, &scope, coders, codes, code_b.as_deref())?;
            let ids: Vec<i64> = named.iter().map(|c| c.id).collect();
            let d = match into {
                Some(word) => {
                    let target = store.find_code(&scope, word, Some(Book::Shared))?;
                    store.reconcile_merge_into(&scope, target, &ids, note.as_deref())?
                }
                None => {
                    let under = shared(store, &scope, under)?;
                    let name = name.as_deref();
                    store.reconcile_merge_codes(&scope, &ids, name, under, note.as_deref())?
                }
            };
            say_merged(store, &scope, d, &named)?;
        }
        ReconcileAction::Keep { from, code, note } => {
            let owner = coder_named(store, from)?;
            let id = store.find_code(&scope, code, Some(Book::Of(owner.id)))?;
            let d = store.reconcile_keep(&scope, id, note)?;
            println!("Decision {d}: {code:?} stays in {from}'s codebook.");
        }
        ReconcileAction::Passage { .. } => passage(store, &scope, &args.action)?,
        ReconcileAction::List { json } => {
            let decisions = store.decisions(&scope)?;
            if *json {
                print_json(&decisions)?;
            } else {
                print_decisions(&decisions);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Says what a merge made: the consensus code and its passages now.
fn say_merged(
    store: &dyn ReconcileStore,
    scope: &Scope,
    d: i64,
    named: &[Named],
) -> anyhow::Result<()> {
    let made = store.decisions(scope)?.into_iter().find(|x| x.id == d);
    let passages = match made.as_ref().and_then(|x| x.shared_code) {
        Some(code) => {
            let filter = CodingFilter {
                code: Some(code),
                coder: Some(store.consensus_coder()?.id),
                ..CodingFilter::default()
            };
            store.codings(scope, &filter)?.len()
        }
        None => 0,
    };
    println!(
        "Decision {d}: merged {} into the consensus code {:?}, which now holds {passages} passage{}.",
        described(named),
        made.and_then(|x| x.shared_name).unwrap_or_default(),
        if passages == 1 { "" } else { "s" }
    );
    Ok(())
}

/// Runs `reconcile passage accept|reject`.
fn passage(
    store: &mut dyn ReconcileStore,
    scope: &Scope,
    action: &ReconcileAction,
) -> anyhow::Result<()> {
    let ReconcileAction::Passage {
        verdict,
        source,
        start,
        end,
        shared: shared_word,
        coders,
        code,
        code_b,
        note,
    } = action
    else {
        return Ok(());
    };
    let source_id = store.source_id(&SourceRef::parse(source))?;
    let span = Span::new(*start, *end)?;
    let shared_code = shared(store, scope, shared_word)?;
    let mut origins = Vec::new();
    if let Some(code) = code {
        let [ca, cb] = two_coders(store, coders)?;
        let find = |coder: i64, word: &str| {
            store
                .find_code(scope, word, Some(Book::Of(coder)))
                .or_else(|e| match e {
                    StoreError::UnknownCode(_) => store.find_code(scope, word, Some(Book::Shared)),
                    e => Err(e),
                })
        };
        origins.push(find(ca.id, code)?);
        let b = find(cb.id, code_b.as_deref().unwrap_or(code))?;
        if !origins.contains(&b) {
            origins.push(b);
        }
    }
    let verdict = match verdict {
        VerdictArg::Accept => Verdict::Accept,
        VerdictArg::Reject => Verdict::Reject,
    };
    let d = store.reconcile_passage(
        scope,
        verdict,
        source_id,
        span,
        shared_code,
        &origins,
        note.as_deref(),
    )?;
    match verdict {
        Verdict::Accept => println!(
            "Decision {d}: passage [{start}, {end}) of source {source_id} coded in the consensus layer."
        ),
        Verdict::Reject => println!(
            "Decision {d}: passage [{start}, {end}) of source {source_id} left out of the consensus layer."
        ),
    }
    Ok(())
}

/// Prints the decisions as a table, oldest first.
fn print_decisions(decisions: &[Decision]) {
    let mut table = Table::new(&["id", "when", "who", "decision", "shared", "from", "note"]);
    for d in decisions {
        let what = match d.kind {
            DecisionKind::Accept => "accept".to_owned(),
            DecisionKind::Merge => "merge".to_owned(),
            DecisionKind::Keep => "keep".to_owned(),
            DecisionKind::PassageAccept | DecisionKind::PassageReject => format!(
                "passage {} {}..{} of {}",
                if d.kind == DecisionKind::PassageAccept {
                    "accepted"
                } else {
                    "rejected"
                },
                d.start.unwrap_or(0),
                d.end.unwrap_or(0),
                d.source_id.unwrap_or(0)
            ),
        };
        let from: Vec<String> = d
            .origins
            .iter()
            .map(|o| format!("{}:{}", o.coder.as_deref().unwrap_or("shared"), o.code_name))
            .collect();
        table.row(vec![
            d.id.to_string(),
            d.decided_at.chars().take(19).collect(),
            d.coder.clone(),
            what,
            d.shared_name.clone().unwrap_or_default(),
            from.join(", "),
            d.note.clone().unwrap_or_default(),
        ]);
    }
    print!("{}", table.render());
    println!("{} decisions.", decisions.len());
}
