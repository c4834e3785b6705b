//! `verbatim search`: full-text search with KWIC lines, filters, and
//! auto-coding of what it finds.
//!
//! The index lives beside the study (`STUDY.vbt.index/`) and is brought up
//! to date before every search, so it never needs a command of its own;
//! import and source edits also refresh it when it exists.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use verbatim_search::{
    Analyzers, Filters, Hit, HitPage, Index, Query, Role, SortKey, Unit, cache_dir, coded_ranges,
    index_dir, search, search_page, sort_hits,
};
use verbatim_store::{Codebook, Coders, Codings, SqliteStore, Transcripts};
use verbatim_store_pg::{PgAddress, PgStore};

use super::coder_arg::CoderArg;
use super::{Location, ProjectArg, print_json};
use crate::ui::Table;

pub const LONG_ABOUT: &str = "\
Search the study's text and print each occurrence in context (KWIC).

QUERY SYNTAX (accents and case never matter)
  méfiance            the word and its family, stemmed by the source's language:
                      méfiance finds méfiant, méfiance, Méfiances; trusting finds trust
  =méfiance           this exact form only (still ignoring case and accents)
  \"la confiance\"      a phrase: the words next to each other, in order
  =\"la confiance\"     a phrase of exact forms
  \"trust patient\"~5   the words in this order, at most 5 other words in between
  méfi*               any word starting with méfi (méfiance, méfiant, méfier)
  a b   a AND b       both (juxtaposition means AND)
  a OR b              either
  NOT a               leave out turns where a occurs (needs another word)
  ( … )               group: (confiance OR méfiance) NOT institution

EXAMPLES
  verbatim search méfiance --role participants
  verbatim search '\"la confiance\" NOT rechute' --kind focus-group --site CH
  verbatim search '\"trust patient\"~5 OR trusting' --attribute occupation=nurse
  verbatim search 'méfi*' --coded Relation --coder amira --json
  verbatim search méfiance --autocode Méfiance --coder amira --unit sentence

Hits inside context-only sources are left out unless --include-context is
given. Positions are characters of the source's text, [start, end).

PAGES
  --limit 50 --offset 100 shows hits 101 to 150 and counts them all. In source
  order, the count comes from the index and only the hits shown are read from
  the study, so a page costs the same whatever the number of hits. With
  --json and --limit or --offset, the output is {total, sources, offset, hits}
  instead of the list of hits. The first search of a study builds its index
  (a progress bar on a terminal); later ones update it when sources change.";

/// Where to code each hit when auto-coding.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum UnitArg {
    Hit,
    Sentence,
    Paragraph,
    Turn,
}

/// Whose speech to search.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    Participants,
    Interviewers,
    All,
}

/// How to order the lines.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum SortArg {
    Source,
    Left,
    Right,
}

/// Search the study's text (KWIC), filter, and auto-code the hits
#[derive(Args, Debug)]
pub struct SearchArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// The query (syntax in `verbatim search --help`); quote it in the shell
    query: String,
    /// Only sources of this kind (interview, focus-group, observation, context, other)
    #[arg(long, value_name = "KIND")]
    kind: Vec<String>,
    /// Only sources from this site (name or code)
    #[arg(long, value_name = "SITE")]
    site: Vec<String>,
    /// Only turns with this speaker label
    #[arg(long, value_name = "LABEL")]
    speaker: Vec<String>,
    /// Whose speech: participants (and unmapped labels), interviewers, or all
    #[arg(long, value_enum, default_value = "all")]
    role: RoleArg,
    /// Only participants with this attribute value, e.g. occupation=nurse
    #[arg(long, value_name = "NAME=VALUE")]
    attribute: Vec<String>,
    /// Only inside passages coded with CODE or a code below it (your codings, as --coder)
    #[arg(long, value_name = "CODE")]
    coded: Option<String>,
    /// Include context-only sources
    #[arg(long)]
    include_context: bool,
    /// Characters of context on each side
    #[arg(long, default_value_t = 40, value_name = "N")]
    context: usize,
    /// Order of the lines
    #[arg(long, value_enum, default_value = "source")]
    sort: SortArg,
    /// Show at most N lines (all are counted; autocode still codes all)
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Skip the first N lines (with --limit: pages of hits)
    #[arg(long, value_name = "N", conflicts_with = "autocode")]
    offset: Option<usize>,
    /// Code every hit's unit with CODE, as one undoable action (needs --coder)
    #[arg(long, value_name = "CODE")]
    autocode: Option<String>,
    /// What to code for each hit
    #[arg(long, value_enum, default_value = "hit", requires = "autocode")]
    unit: UnitArg,
    /// Print JSON (hits with char and UTF-16 spans)
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV
    #[arg(long)]
    csv: bool,
}

/// Brings the study's index up to date if one exists (after an import or an
/// edit); a failure is a warning, since the index is rebuilt on demand.
pub fn refresh_index(store: &SqliteStore) {
    if !index_dir(store.path()).exists() {
        return;
    }
    let result = Index::open(store.path()).and_then(|mut index| index.sync(store));
    if let Err(e) = result {
        eprintln!("Warning: the search index was not updated ({e}); the next search rebuilds it.");
    }
}

/// Opens the study's index and syncs it with the study, with a progress
/// bar on a terminal while sources are indexed.
pub fn open_index(store: &SqliteStore) -> anyhow::Result<Index> {
    synced(Index::open(store.path())?, store)
}

/// Brings `index` up to date with `store`, with a progress bar on a
/// terminal while sources are indexed.
fn synced(mut index: Index, store: &dyn Transcripts) -> anyhow::Result<Index> {
    let bar = crate::ui::progress(0, "Indexing sources");
    let mut shown = false;
    let report = index.sync_with(store, &mut |done, total| {
        if !shown && total > 0 {
            bar.set_length(total as u64);
            shown = true;
        }
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    report?;
    Ok(index)
}

/// Returns the index folder of a study on a PostgreSQL server, in the
/// user's cache (`$XDG_CACHE_HOME`, else `~/.cache`): each machine that
/// searches keeps its own, synced from the database.
pub fn server_index_dir(address: &PgAddress) -> anyhow::Result<PathBuf> {
    Ok(cache_dir(&server_index_root(address)?, &address.identity()))
}

/// Returns the folder of the user's cache under which each PostgreSQL
/// study's index gets its own; `what` (a study or a database) names
/// what needs it in the error.
pub fn server_index_root(what: &dyn std::fmt::Display) -> anyhow::Result<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "searching {what} needs a folder for its index: set XDG_CACHE_HOME or HOME"
            )
        })?;
    Ok(cache.join("verbatim").join("index"))
}

/// Returns the filters the arguments ask for; `--coded` reads the coder's
/// codings through the coding traits, so it works on either backend.
fn filters<S: Coders + Codebook + Codings>(
    args: &SearchArgs,
    store: &S,
) -> anyhow::Result<Filters> {
    let mut attributes = Vec::new();
    for a in &args.attribute {
        let Some((name, value)) = a.split_once('=') else {
            bail!("--attribute {a:?} needs NAME=VALUE, like occupation=nurse");
        };
        attributes.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let within = match &args.coded {
        Some(code) => {
            let scope = Coders::scope(store, args.coder.name()?, false, false)?;
            let id = Codebook::find_code(store, &scope, code, None)?;
            Some(coded_ranges(store, &scope, id, None)?)
        }
        None => None,
    };
    Ok(Filters {
        kinds: args.kind.clone(),
        sites: args.site.clone(),
        speakers: args.speaker.clone(),
        role: match args.role {
            RoleArg::All => Role::All,
            RoleArg::Participants => Role::Participants,
            RoleArg::Interviewers => Role::Interviewers,
        },
        attributes,
        within,
        include_context: args.include_context,
    })
}

/// Returns the hits in the order asked, all of them (for auto-coding) or
/// the page asked.
fn hits(
    args: &SearchArgs,
    store: &dyn Transcripts,
    index: &Index,
    query: &Query,
    filters: &Filters,
) -> anyhow::Result<HitPage> {
    let window = (args.offset.unwrap_or(0), args.limit.unwrap_or(usize::MAX));
    if matches!(args.sort, SortArg::Source) && args.autocode.is_none() {
        return Ok(search_page(
            store,
            index,
            query,
            filters,
            args.context,
            window,
        )?);
    }
    let mut hits = search(store, index, query, filters, args.context)?;
    sort_hits(
        &mut hits,
        match args.sort {
            SortArg::Source => SortKey::Source,
            SortArg::Left => SortKey::Left,
            SortArg::Right => SortKey::Right,
        },
    );
    if args.autocode.is_some() {
        return Ok(HitPage::of(hits, 0, usize::MAX));
    }
    Ok(HitPage::of(hits, window.0, window.1))
}

/// Runs the search, prints the hits, and auto-codes them when asked.
pub fn cmd_search(args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let query = Query::parse(&args.query, &mut Analyzers::default())
        .with_context(|| format!("cannot read the query {:?}", args.query))?;
    if let Location::Postgres(address) = args.project.location()? {
        return search_server(args, &address, &query);
    }
    let mut store = args.project.open()?;
    let filters = filters(args, &store)?;
    let index = open_index(&store)?;
    let page = hits(args, &store, &index, &query, &filters)?;
    if let Some(code) = &args.autocode {
        return autocode(&mut store, args, &page.hits, code);
    }
    print_page(args, &page)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the search on a PostgreSQL study, with its index in the user's
/// cache, and auto-codes the hits when asked (one action, as on a file).
fn search_server(
    args: &SearchArgs,
    address: &PgAddress,
    query: &Query,
) -> anyhow::Result<ExitCode> {
    let mut store = PgStore::open(address)?;
    let filters = filters(args, &store)?;
    let index = synced(Index::open_dir(server_index_dir(address)?)?, &store)?;
    let page = hits(args, &store, &index, query, &filters)?;
    if let Some(code) = &args.autocode {
        return autocode(&mut store, args, &page.hits, code);
    }
    print_page(args, &page)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints a page of hits as JSON, CSV or a table with the count.
fn print_page(args: &SearchArgs, page: &HitPage) -> anyhow::Result<()> {
    let shown = &page.hits;
    if args.json {
        if args.limit.is_some() || args.offset.is_some() {
            print_json(page)?;
        } else {
            print_json(shown)?;
        }
    } else if args.csv {
        let mut w = csv::Writer::from_writer(std::io::stdout().lock());
        w.write_record([
            "source_id",
            "source",
            "speaker",
            "participant",
            "role",
            "start",
            "end",
            "left",
            "hit",
            "right",
        ])?;
        for h in shown {
            w.write_record([
                h.source_id.to_string(),
                h.source.clone(),
                h.speaker.clone().unwrap_or_default(),
                h.participant.clone().unwrap_or_default(),
                h.role.clone(),
                h.start.to_string(),
                h.end.to_string(),
                h.left.clone(),
                h.text.clone(),
                h.right.clone(),
            ])?;
        }
        w.flush()?;
    } else {
        print_table(shown, args.context);
        println!(
            "{} hits in {} sources{}.",
            page.total,
            page.sources,
            match shown.len() {
                n if n == page.total => String::new(),
                0 => " (none shown)".to_owned(),
                n => format!(" ({}–{} shown)", page.offset + 1, page.offset + n),
            }
        );
    }
    Ok(())
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect()
}

fn print_table(hits: &[Hit], context: usize) {
    let mut table = Table::new(&["source", "speaker", "position", "left", "hit", "right"]);
    for h in hits {
        let left = one_line(&h.left);
        let pad = context.saturating_sub(left.chars().count());
        table.row(vec![
            h.source.clone(),
            match (&h.participant, &h.speaker) {
                (Some(p), _) => p.clone(),
                (None, Some(s)) => s.clone(),
                (None, None) => "—".into(),
            },
            format!("[{},{})", h.start, h.end),
            format!("{}{left}", " ".repeat(pad)),
            h.text.clone(),
            one_line(&h.right),
        ]);
    }
    print!("{}", table.render());
}

/// Codes every hit's unit with `code` in one undoable action, on either
/// backend, and reports how many passages are new.
fn autocode<S: Coders + Codebook + Codings + Transcripts>(
    store: &mut S,
    args: &SearchArgs,
    hits: &[Hit],
    code: &str,
) -> anyhow::Result<ExitCode> {
    let scope = Coders::scope(store, args.coder.name()?, false, false)?;
    let code_id = Codebook::find_code(store, &scope, code, None)?;
    let unit = match args.unit {
        UnitArg::Hit => Unit::Hit,
        UnitArg::Sentence => Unit::Sentence,
        UnitArg::Paragraph => Unit::Paragraph,
        UnitArg::Turn => Unit::Turn,
    };
    let items: Vec<_> = verbatim_search::unit_spans(store, hits, unit)?
        .into_iter()
        .map(|(source, span)| (source, span, code_id))
        .collect();
    let added = Codings::add_codings(store, &scope, &items)?;
    let sources: HashSet<i64> = hits.iter().map(|h| h.source_id).collect();
    if args.json {
        print_json(&serde_json::json!({
            "hits": hits.len(),
            "sources": sources.len(),
            "added": added,
            "code": code,
        }))?;
    } else {
        println!(
            "Coded {added} new passages with {code:?} ({} hits in {} sources; passages already coded were skipped). `verbatim undo` removes them all.",
            hits.len(),
            sources.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
