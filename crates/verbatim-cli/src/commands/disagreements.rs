//! `verbatim disagreements`: the passages only one of two coders coded.
//!
//! Agreement figures say how much two coders differ; reconciliation needs to
//! read where. This lists, for one code (or a code and its counterpart in
//! the other coder's codebook), every maximal run of text coded by exactly
//! one of the two, largest first, with its context, ready for
//! `verbatim reconcile passage`. It reads through the boundary traits, so
//! a study on PostgreSQL answers as its file does.

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use verbatim_analysis::alignment::{self, Coverage, Side};
use verbatim_store::{
    Book, Codebook, Coder, Coders, CodingFilter, Codings, Excerpt, Scope, StoreError, Transcripts,
};
use verbatim_store_pg::PgStore;

use super::align::two_coders;
use super::coder_arg::CoderArg;
use super::{Location, ProjectArg, print_json};

/// The reads `disagreements` makes, on either backend.
trait Reads: Coders + Codebook + Codings + Transcripts {}
impl<T: Coders + Codebook + Codings + Transcripts> Reads for T {}

/// List the passages only one of two coders coded with a code
#[derive(Args, Debug)]
pub struct DisagreementsArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// The code (name or id), looked up in the first coder's codebook, then the shared one
    #[arg(long)]
    code: String,
    /// Its counterpart in the second coder's codebook, when they use their own
    #[arg(long)]
    code_b: Option<String>,
    /// The two coders to compare: `a,b`
    #[arg(long, value_delimiter = ',', required = true)]
    coders: Vec<String>,
    /// Characters of context shown either side of a passage
    #[arg(long, default_value_t = 60)]
    context: usize,
    /// Show at most this many passages (all by default)
    #[arg(long)]
    limit: Option<usize>,
    /// I code alone under several names: no blind layers to protect
    #[arg(long)]
    solo: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct CodeOut {
    id: i64,
    name: String,
}

#[derive(Serialize)]
struct PassageOut {
    source_id: i64,
    source: String,
    start: usize,
    end: usize,
    len: usize,
    side: Side,
    coded_by: String,
    before: String,
    text: String,
    after: String,
}

#[derive(Serialize)]
struct DisagreementsOut {
    coders: [String; 2],
    code_a: CodeOut,
    code_b: CodeOut,
    agreed_chars: usize,
    a_only_chars: usize,
    b_only_chars: usize,
    passages: Vec<PassageOut>,
}

/// Returns the code a user named for `coder`: in their codebook, else shared.
fn code_for(
    store: &impl Reads,
    scope: &Scope,
    coder: &Coder,
    word: &str,
) -> anyhow::Result<CodeOut> {
    let id = store
        .find_code(scope, word, Some(Book::Of(coder.id)))
        .or_else(|e| match e {
            // Only a name the coder's codebook lacks is looked up in the
            // shared one; an ambiguous name stays refused.
            StoreError::UnknownCode(_) => store.find_code(scope, word, Some(Book::Shared)),
            e => Err(e),
        })?;
    let name = store
        .code_tree(scope, Book::Of(coder.id))?
        .into_iter()
        .chain(store.code_tree(scope, Book::Shared)?)
        .find(|c| c.id == id)
        .map_or_else(|| word.to_owned(), |c| c.name);
    Ok(CodeOut { id, name })
}

/// Runs `verbatim disagreements` on a study file or a PostgreSQL study.
pub fn cmd_disagreements(args: &DisagreementsArgs) -> anyhow::Result<ExitCode> {
    match args.project.location()? {
        Location::Postgres(address) => report(&PgStore::open(&address)?, args),
        Location::File(_) => report(&args.project.open()?, args),
    }
}

/// Returns the passages `coder` coded with `code` or a code below it, as
/// one coverage.
fn coverage(
    store: &impl Reads,
    scope: &Scope,
    coder: &Coder,
    code: i64,
) -> anyhow::Result<Coverage> {
    let filter = CodingFilter {
        code: Some(code),
        coder: Some(coder.id),
        ..CodingFilter::default()
    };
    let codings = store.codings(scope, &filter)?;
    Ok(Coverage::from_spans(codings.iter().map(|c| {
        (
            c.source_id,
            usize::try_from(c.start).unwrap_or(0),
            usize::try_from(c.end).unwrap_or(0),
        )
    }))?)
}

/// Compares the two coders' passages and prints the report.
fn report(store: &impl Reads, args: &DisagreementsArgs) -> anyhow::Result<ExitCode> {
    let scope = Coders::scope(store, args.coder.name()?, true, args.solo)?;
    let [ca, cb] = two_coders(store, &args.coders)?;
    let code_a = code_for(store, &scope, &ca, &args.code)?;
    let code_b = code_for(
        store,
        &scope,
        &cb,
        args.code_b.as_deref().unwrap_or(&args.code),
    )?;
    let a = coverage(store, &scope, &ca, code_a.id)?;
    let b = coverage(store, &scope, &cb, code_b.id)?;
    let agreed = a.intersection_len(&b);
    let mut passages = alignment::disagreements(&a, &b);
    if let Some(limit) = args.limit {
        passages.truncate(limit);
    }
    let excerpts = excerpts_in_order(store, &passages, args.context)?;
    let out = passages
        .iter()
        .zip(excerpts)
        .map(|(p, excerpt)| passage_out(p, excerpt.unwrap_or_default(), [&ca, &cb]))
        .collect();
    let report = DisagreementsOut {
        coders: [ca.name.clone(), cb.name.clone()],
        code_a,
        code_b,
        agreed_chars: agreed,
        a_only_chars: a.len() - agreed,
        b_only_chars: b.len() - agreed,
        passages: out,
    };
    if args.json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_report(&report);
    Ok(ExitCode::SUCCESS)
}

/// Each passage's excerpt with `context` chars either side, in the
/// passages' order, reading each source's text once.
fn excerpts_in_order(
    store: &impl Reads,
    passages: &[alignment::Passage],
    context: usize,
) -> anyhow::Result<Vec<Option<Excerpt>>> {
    let mut by_source: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, p) in passages.iter().enumerate() {
        by_source.entry(p.source).or_default().push(i);
    }
    let mut excerpts: Vec<Option<Excerpt>> = vec![None; passages.len()];
    for (source, indices) in &by_source {
        let spans: Vec<(usize, usize)> = indices
            .iter()
            .map(|&i| (passages[i].start, passages[i].end))
            .collect();
        for (i, e) in indices
            .iter()
            .zip(store.excerpts(*source, &spans, context)?)
        {
            excerpts[*i] = Some(e);
        }
    }
    Ok(excerpts)
}

/// One passage as the report shows it, naming the coder who coded it.
fn passage_out(p: &alignment::Passage, excerpt: Excerpt, coders: [&Coder; 2]) -> PassageOut {
    PassageOut {
        source_id: p.source,
        source: excerpt.source,
        start: p.start,
        end: p.end,
        len: p.len,
        side: p.coded_by,
        coded_by: match p.coded_by {
            Side::A => coders[0].name.clone(),
            Side::B => coders[1].name.clone(),
        },
        before: excerpt.before,
        text: excerpt.text,
        after: excerpt.after,
    }
}

/// Prints the report as text: the chars each side coded, then each passage
/// with its context on one line.
fn print_report(report: &DisagreementsOut) {
    println!(
        "{} ({}) and {} ({}): {} chars coded by both, {} only by {}, {} only by {}.",
        report.coders[0],
        report.code_a.name,
        report.coders[1],
        report.code_b.name,
        report.agreed_chars,
        report.a_only_chars,
        report.coders[0],
        report.b_only_chars,
        report.coders[1],
    );
    let flat = |s: &str| s.replace('\n', " ");
    for (i, p) in report.passages.iter().enumerate() {
        println!();
        println!(
            "{}. {} [{}, {}) — {} chars, only {}",
            i + 1,
            p.source,
            p.start,
            p.end,
            p.len,
            p.coded_by
        );
        println!(
            "   …{}[[{}]]{}…",
            flat(&p.before),
            flat(&p.text),
            flat(&p.after)
        );
    }
    println!();
    println!("{} passages.", report.passages.len());
}
