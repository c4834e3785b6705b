//! `verbatim query`: the passages answering a coding query.

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use serde::Serialize;
use verbatim_analysis::query::{self, Context, Coverage, Passage};
use verbatim_store::{AppliesTo, SqliteStore, TurnOwner};

use super::coder_arg::{AllArg, CoderArg};
use super::matrix::{csv_line, load_spans, load_turns, participant_names};
use super::{ProjectArg, print_json};

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
    store: &SqliteStore,
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

/// Runs `verbatim query`.
pub fn cmd_query(args: &QueryArgs) -> anyhow::Result<ExitCode> {
    let parsed = query::parse(&args.query).map_err(|e| query_error(&args.query, &e))?;
    let store = args.project.open()?;
    let scope = args.coder.scope_with(&store, &args.all)?;
    let visible = store.visible_codes(&scope)?;
    // Each name: every visible code so named (one per codebook, after
    // reveal), else the code `find_code` resolves (ids, own book first).
    let mut sets: Vec<(String, Vec<i64>)> = Vec::new();
    for (name, position) in parsed.code_names() {
        let mut ids: Vec<i64> = visible
            .iter()
            .filter(|c| c.name == name)
            .map(|c| c.id)
            .collect();
        if ids.is_empty() {
            ids = visible
                .iter()
                .filter(|c| c.name.to_lowercase() == name.to_lowercase())
                .map(|c| c.id)
                .collect();
        }
        if ids.is_empty() {
            match store.find_code(&scope, &name, None) {
                Ok(id) => ids.push(id),
                Err(_) => {
                    return Err(query_error(
                        &args.query,
                        &query::QueryError::UnknownCode { name, position },
                    ));
                }
            }
        }
        let mut all = Vec::new();
        for id in ids {
            all.extend(store.code_descendants(id)?);
        }
        sets.push((name, all));
    }
    let mut codes: Vec<i64> = sets.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    codes.sort_unstable();
    codes.dedup();
    let spans = load_spans(&store, &scope, Some(codes), None, args.include_context)?;
    let turns = load_turns(&store, args.include_context)?;

    // Source filters (site, kind, source attributes) and passage filters
    // (participant attributes).
    let facts = store.source_facts()?;
    let mut keep_sources: Option<HashSet<i64>> = None;
    let mut narrow = |ids: HashSet<i64>| {
        keep_sources = Some(match keep_sources.take() {
            Some(k) => k.intersection(&ids).copied().collect(),
            None => ids,
        });
    };
    if let Some(site) = &args.site {
        let found = store.find_site(site)?;
        let matches = |s: &str| {
            s.eq_ignore_ascii_case(site.trim())
                || found.as_ref().is_some_and(|f| {
                    s.eq_ignore_ascii_case(&f.name) || s.eq_ignore_ascii_case(&f.code)
                })
        };
        narrow(
            facts
                .iter()
                .filter(|f| f.site.as_deref().is_some_and(matches))
                .map(|f| f.id)
                .collect(),
        );
    }
    if let Some(kind) = &args.kind {
        narrow(
            facts
                .iter()
                .filter(|f| f.kind.eq_ignore_ascii_case(kind.trim()))
                .map(|f| f.id)
                .collect(),
        );
    }
    let mut speakers_wanted: Option<HashSet<i64>> = None;
    for pair in &args.attribute {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("--attribute takes NAME=VALUE, like --attribute occupation=nurse");
        };
        let (name, value) = (name.trim(), value.trim());
        let is = |applies| -> anyhow::Result<bool> {
            Ok(store
                .attributes(applies)?
                .iter()
                .any(|a| a.name.eq_ignore_ascii_case(name)))
        };
        if is(AppliesTo::Participant)? {
            let who: HashSet<i64> = store
                .participant_values_of(name)?
                .into_iter()
                .filter(|(_, v)| v.eq_ignore_ascii_case(value))
                .map(|(k, _)| k)
                .collect();
            speakers_wanted = Some(match speakers_wanted.take() {
                Some(k) => k.intersection(&who).copied().collect(),
                None => who,
            });
        } else if is(AppliesTo::Source)? {
            narrow(
                store
                    .source_values_of(name)?
                    .into_iter()
                    .filter(|(_, v)| v.eq_ignore_ascii_case(value))
                    .map(|(k, _)| k)
                    .collect(),
            );
        } else {
            bail!(
                "no participant or source attribute named {name:?}: see `verbatim attribute list`"
            );
        }
    }

    let mut ctx = Context {
        whole: args.whole,
        ..Context::default()
    };
    for (name, set) in &sets {
        let set: HashSet<i64> = set.iter().copied().collect();
        let mut cov = Coverage::from_spans(
            spans
                .iter()
                .filter(|s| set.contains(&s.code))
                .map(|s| (s.source, s.start, s.end)),
        );
        if let Some(keep) = &keep_sources {
            cov.retain_sources(|s| keep.contains(&s));
        }
        ctx.codes.insert(name.clone(), cov);
    }
    let involved: HashSet<i64> = spans.iter().map(|s| s.source).collect();
    for &source in &involved {
        if parsed.uses_near() {
            ctx.words
                .insert(source, query::word_starts(&store.source_text(source)?));
        }
        ctx.turns.insert(source, turns.spans(source));
    }
    let mut passages = parsed
        .evaluate(&ctx)
        .map_err(|e| query_error(&args.query, &e))?;
    if let Some(who) = &speakers_wanted {
        passages.retain(|p| {
            let mut hit = false;
            turns.speakers(p.source, p.start, p.end, |q| hit |= who.contains(&q));
            hit
        });
    }
    let names = participant_names(&store)?;
    let shown = describe(&store, &passages, &names, args.context)?;
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
