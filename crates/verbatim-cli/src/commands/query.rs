//! `verbatim query`: the passages answering a coding query.

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use serde::Serialize;
use verbatim_analysis::query::{self, Passage};
use verbatim_store::{AnalysisReads, Coders, Scope, TurnOwner};
use verbatim_store_pg::PgStore;
use verbatim_views::query::Filters;
use verbatim_views::{self as views, ViewError, coded};

use super::coder_arg::{AllArg, CoderArg};
use super::matrix::{csv_line, view_error};
use super::{Location, ProjectArg, print_json};

/// The long help of `verbatim query`: the syntax, with examples.
pub(super) const QUERY_HELP: &str = "\
Prints the passages answering a coding query, merged and sorted by source and position.

A query names codes and combines them. A code's passages include those of every code below it.
Quote a name that holds spaces, parentheses or an operator word: \"Contrôle excessif\" or «Contrôle excessif».

  A AND B       text coded with both (with --whole: the overlapping passages in full)
  A OR B        text coded with either
  A NOT B       passages of A that overlap no passage of B
  A NEAR/N B    passages of A and of B within N words of each other, in the same source
  A PRECEDES B  passages of A followed by a passage of B later in the same speaker turn
  ( … )         grouping

Operators are upper case. French spellings work too: ET, OU, SAUF, PRES/N (or PRÈS/N), PRECEDE.
Precedence, tightest first: NEAR and PRECEDES, then AND and NOT, then OR.

Examples (français):
  verbatim query 'Méfiance AND \"Contrôle excessif\"'
  verbatim query 'Méfiance SAUF Confiance' --site CH
  verbatim query '(Méfiance OU Épuisement) PRES/10 Rechute' --attribute profession=infirmière

Examples (English):
  verbatim query 'Distrust AND \"Excessive control\"' --whole
  verbatim query 'Distrust NOT Trust' --all --csv
  verbatim query 'Question PRECEDES Hesitation' --json

Your own codings are searched; --all searches every coder's (after `verbatim reveal`).
A malformed query is refused with the position of the problem.";

/// Print the passages answering a coding query (AND, OR, NOT, NEAR/N, PRECEDES)
#[derive(Args, Debug)]
pub struct QueryArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// The query, e.g. 'Méfiance AND "Contrôle excessif"'
    query: String,
    #[command(flatten)]
    all: AllArg,
    /// AND returns the overlapping passages whole, not only the shared text
    #[arg(long)]
    whole: bool,
    /// Only passages spoken by participants (or in sources) with this attribute value: NAME=VALUE (repeatable)
    #[arg(long, value_name = "NAME=VALUE")]
    attribute: Vec<String>,
    /// Only sources of this site (name or code)
    #[arg(long)]
    site: Option<String>,
    /// Only sources of this kind (interview, focus_group, …)
    #[arg(long)]
    kind: Option<String>,
    /// Search sources of kind `context` too
    #[arg(long)]
    include_context: bool,
    /// Characters of text shown around each passage
    #[arg(long, default_value_t = 40, value_name = "N")]
    context: usize,
    /// Print JSON
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV
    #[arg(long)]
    csv: bool,
}

/// A passage as printed.
#[derive(Debug, Serialize)]
pub(super) struct Shown {
    source_id: i64,
    source: String,
    start: usize,
    end: usize,
    speakers: Vec<String>,
    before: String,
    text: String,
    after: String,
    /// Text precedes `before` in the source.
    #[serde(skip)]
    more_before: bool,
    /// Text follows `after` in the source.
    #[serde(skip)]
    more_after: bool,
}

/// Returns the passages with their source name, speakers and text.
pub(super) fn describe(
    store: &dyn AnalysisReads,
    passages: &[Passage],
    names: &HashMap<i64, String>,
    context: usize,
) -> anyhow::Result<Vec<Shown>> {
    let sources: HashMap<i64, String> = store
        .source_facts()?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut labels: HashMap<i64, Vec<TurnOwner>> = HashMap::new();
    for t in store.turn_owners(true)? {
        labels.entry(t.source_id).or_default().push(t);
    }
    let mut texts: HashMap<i64, Vec<char>> = HashMap::new();
    let mut out = Vec::new();
    for p in passages {
        if let std::collections::hash_map::Entry::Vacant(e) = texts.entry(p.source) {
            e.insert(store.source_text(p.source)?.chars().collect());
        }
        let chars = texts.get(&p.source).map_or(&[][..], Vec::as_slice);
        let end = p.end.min(chars.len());
        let start = p.start.min(end);
        let slice = |a: usize, b: usize| chars[a..b].iter().collect::<String>().replace('\n', " ");
        let mut speakers: Vec<String> = Vec::new();
        for t in labels.get(&p.source).into_iter().flatten() {
            if t.start < p.end && p.start < t.end {
                let name = t
                    .participant_id
                    .and_then(|w| names.get(&w).cloned())
                    .unwrap_or_else(|| t.label.clone());
                if !speakers.contains(&name) {
                    speakers.push(name);
                }
            }
        }
        out.push(Shown {
            source_id: p.source,
            source: sources.get(&p.source).cloned().unwrap_or_default(),
            start: p.start,
            end: p.end,
            speakers,
            before: slice(start.saturating_sub(context), start),
            text: slice(start, end),
            after: slice(end, (end + context).min(chars.len())),
            more_before: start > context,
            more_after: end + context < chars.len(),
        });
    }
    Ok(out)
}

/// Prints passages as CSV.
pub(super) fn print_csv(shown: &[Shown]) {
    println!("source,start,end,speakers,text");
    for s in shown {
        println!(
            "{}",
            csv_line(&[
                s.source.clone(),
                s.start.to_string(),
                s.end.to_string(),
                s.speakers.join("; "),
                s.text.clone(),
            ])
        );
    }
}

/// Prints passages for reading: a header line, then the text in context.
pub(super) fn print_text(shown: &[Shown]) {
    for s in shown {
        let who = if s.speakers.is_empty() {
            String::new()
        } else {
            format!(" — {}", s.speakers.join(", "))
        };
        println!("{} [{}, {}){who}", s.source, s.start, s.end);
        let dots = |more: bool| if more { "…" } else { "" };
        println!(
            "    {}{}[{}]{}{}",
            dots(s.more_before),
            s.before,
            s.text,
            s.after.trim_end(),
            dots(s.more_after)
        );
    }
}

/// Returns the error for a query problem, quoting the query with a caret.
fn query_error(text: &str, e: &query::QueryError) -> anyhow::Error {
    let caret = " ".repeat(e.position());
    anyhow::anyhow!("{e}\n    {text}\n    {caret}^")
}

/// Answers the query on either backend: the passages, and each as shown.
fn answer(
    store: &dyn AnalysisReads,
    scope: &Scope,
    parsed: &query::Query,
    args: &QueryArgs,
) -> anyhow::Result<(Vec<Passage>, Vec<Shown>)> {
    let mut attributes: Vec<(String, String)> = Vec::new();
    for pair in &args.attribute {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("--attribute takes NAME=VALUE, like --attribute occupation=nurse");
        };
        attributes.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let filters = Filters {
        whole: args.whole,
        site: args.site.as_deref(),
        kind: args.kind.as_deref(),
        attributes: &attributes,
        include_context: args.include_context,
    };
    let passages = match views::query::answer(store, scope, parsed, &filters) {
        Ok(passages) => passages,
        Err(ViewError::Query(e)) => return Err(query_error(&args.query, &e)),
        Err(e) => return Err(view_error(e)),
    };
    let names = coded::participant_names(store)?;
    let shown = describe(store, &passages, &names, args.context)?;
    Ok((passages, shown))
}

/// Runs `verbatim query`.
pub fn cmd_query(args: &QueryArgs) -> anyhow::Result<ExitCode> {
    let parsed = query::parse(&args.query).map_err(|e| query_error(&args.query, &e))?;
    let (passages, shown) = match args.project.location()? {
        Location::Postgres(address) => {
            let store = PgStore::open(&address)?;
            let scope = store.scope(args.coder.name()?, args.all.all, args.all.solo)?;
            answer(&store, &scope, &parsed, args)?
        }
        Location::File(_) => {
            let store = args.project.open()?;
            let scope = args.coder.scope_with(&store, &args.all)?;
            answer(&store, &scope, &parsed, args)?
        }
    };
    if args.json {
        print_json(&shown)?;
    } else if args.csv {
        print_csv(&shown);
    } else {
        print_text(&shown);
        let sources: HashSet<i64> = passages.iter().map(|p| p.source).collect();
        println!(
            "{} passage{} in {} source{}.",
            passages.len(),
            if passages.len() == 1 { "" } else { "s" },
            sources.len(),
            if sources.len() == 1 { "" } else { "s" }
        );
    }
    Ok(ExitCode::SUCCESS)
}
