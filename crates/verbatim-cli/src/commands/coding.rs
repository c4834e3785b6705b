//! `verbatim coding`: mark passages with codes; list, quote and translate.

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand};
use verbatim_core::{Language, Span};
use verbatim_store::{CodingEdits, CodingFilter, Scope, SourceRef, StoreError};

use super::coder_arg::{AllArg, CoderArg};
use super::{ProjectArg, print_json};
use crate::ui::Table;

/// Code passages, list codings, mark quotes and attach translations
#[derive(Args, Debug)]
pub struct CodingArgs {
    #[command(flatten)]
    pub(super) project: ProjectArg,
    #[command(flatten)]
    pub(super) coder: CoderArg,
    #[command(subcommand)]
    pub(super) action: CodingAction,
}

#[derive(Subcommand, Debug)]
pub(super) enum CodingAction {
    /// Code a passage, given by its span or by quoting it
    Add {
        /// The source (id or name)
        #[arg(long)]
        source: String,
        /// The code (name or id)
        #[arg(long)]
        code: String,
        /// First character of the passage (counted from 0, in characters)
        #[arg(long, requires = "end", conflicts_with = "text")]
        start: Option<usize>,
        /// Character just past the passage
        #[arg(long, requires = "start")]
        end: Option<usize>,
        /// The passage, quoted exactly
        #[arg(long)]
        text: Option<String>,
        /// Which occurrence of the quoted passage, from 1
        #[arg(long, requires = "text")]
        occurrence: Option<usize>,
        /// A note on this coding
        #[arg(long)]
        memo: Option<String>,
    },
    /// Remove one of your codings
    Remove {
        /// The coding's id
        id: i64,
    },
    /// Mark a coding as a quote for reports (or --off to unmark)
    Quote {
        /// The coding's id
        id: i64,
        /// Unmark it
        #[arg(long)]
        off: bool,
    },
    /// Attach a translation to a coding's passage (quoting it is `coding quote`)
    Translate {
        /// The coding's id
        id: i64,
        /// The translation's language (en, fr, …)
        #[arg(long)]
        language: Language,
        /// The translated passage
        #[arg(long)]
        text: String,
    },
    /// Write a note on one of your codings (--clear removes it)
    Memo {
        /// The coding's id
        id: i64,
        /// The note
        #[arg(long, required_unless_present = "clear", conflicts_with = "clear")]
        text: Option<String>,
        /// Remove the note
        #[arg(long)]
        clear: bool,
    },
    /// Move one of your codings to another passage of its source, keeping its memo, quote mark and translations
    Span {
        /// The coding's id
        id: i64,
        /// First character of the new passage (counted from 0, in characters)
        #[arg(long)]
        start: usize,
        /// Character just past the new passage
        #[arg(long)]
        end: usize,
    },
    /// List codings
    List {
        /// Only in this source
        #[arg(long)]
        source: Option<String>,
        /// Only with this code or any code below it
        #[arg(long)]
        code: Option<String>,
        /// Only by this coder, or by the consensus layer (another's needs --all)
        #[arg(long = "by", value_name = "CODER")]
        by: Option<String>,
        /// Only passages spoken (at least in part) by this speaker label
        #[arg(long)]
        speaker: Option<String>,
        /// Only codes of this level
        #[arg(long)]
        level: Option<String>,
        /// Only codings marked as quotes
        #[arg(long)]
        quotes: bool,
        #[command(flatten)]
        all: AllArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Runs one `coding` action.
pub fn cmd_coding(args: &CodingArgs) -> anyhow::Result<ExitCode> {
    if let Some(ran) = super::pg_coding::coding(args)? {
        return Ok(ran);
    }
    let mut store = args.project.open()?;
    let (all, solo) = match &args.action {
        CodingAction::List { all, by, .. } => (all.all || by.is_some(), all.solo),
        _ => (false, false),
    };
    let scope = args.coder.scope_as(&store, all, solo)?;
    match &args.action {
        CodingAction::Add {
            source,
            code,
            start,
            end,
            text,
            occurrence,
            memo,
        } => {
            let source_id = store.source_id(&SourceRef::parse(source))?;
            let code_id = store.find_code(&scope, code, None)?;
            let span = match (start, end, text) {
                (Some(s), Some(e), None) => Span::new(*s, *e)?,
                (None, None, Some(quote)) => store.locate(source_id, quote, *occurrence)?.span,
                _ => bail!("give the passage with --start and --end, or quote it with --text"),
            };
            let (id, new) = store.add_coding(&scope, source_id, span, code_id, memo.as_deref())?;
            say_coded(source_id, code_id, span, (id, new));
        }
        CodingAction::Remove { id } => {
            store.remove_coding(&scope, *id)?;
            println!("Removed coding {id}.");
        }
        CodingAction::Quote { .. }
        | CodingAction::Translate { .. }
        | CodingAction::Memo { .. }
        | CodingAction::Span { .. } => {
            edit(&mut store, &scope, &args.action)?;
        }
        CodingAction::List { json, .. } => {
            let filter = list_filter(&store, &scope, &args.action)?;
            print_codings(&store.codings(&scope, &filter)?, *json)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a coding edit (`quote`, `translate`, `memo`, `span`) on a study
/// file or a PostgreSQL study alike, through `CodingEdits`; answers
/// `false`, doing nothing, for any other action.
pub(super) fn edit<S>(store: &mut S, scope: &Scope, action: &CodingAction) -> anyhow::Result<bool>
where
    S: CodingEdits + ?Sized,
{
    match action {
        CodingAction::Quote { id, off } => {
            store.set_quote(scope, *id, !off)?;
            println!(
                "Coding {id} {} a quote.",
                if *off { "is no longer" } else { "is now" }
            );
        }
        CodingAction::Translate { id, language, text } => {
            store.translate(scope, *id, language, text)?;
            println!("Attached a {language} translation to coding {id}.");
        }
        CodingAction::Memo { id, text, .. } => {
            store.set_coding_memo(scope, *id, text.as_deref())?;
            match text {
                Some(_) => println!("Wrote the note on coding {id}."),
                None => println!("Removed the note on coding {id}."),
            }
        }
        CodingAction::Span { id, start, end } => {
            let span = Span::new(*start, *end)?;
            store.set_coding_span(scope, *id, span)?;
            println!("Coding {id} now covers [{start}, {end}).");
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Says which coding `coding add` made, or that it was there already.
pub(super) fn say_coded(source: i64, code: i64, span: Span, (id, new): (i64, bool)) {
    if new {
        println!(
            "Coded [{}, {}) of source {source} with code {code}: coding {id}.",
            span.start(),
            span.end()
        );
    } else {
        println!("That passage already has this code from you: coding {id}.");
    }
}

/// Prints codings as a table with a count, or as JSON.
pub(super) fn print_codings(
    codings: &[verbatim_store::CodingRecord],
    json: bool,
) -> anyhow::Result<()> {
    if json {
        return print_json(&codings);
    }
    // A time column only when some passage is in a timed transcript.
    let timed = codings.iter().any(|c| c.begin_ms.is_some());
    let mut header = vec!["id", "source", "code", "coder", "span", "speakers"];
    if timed {
        header.push("time");
    }
    header.push("text");
    let mut table = Table::new(&header);
    let coder_of = |c: &verbatim_store::CodingRecord| {
        if c.contributors.is_empty() {
            c.coder.clone()
        } else {
            format!("{} ({})", c.coder, c.contributors.join("+"))
        }
    };
    for c in codings {
        let mut text: String = c.text.replace('\n', " ");
        if text.chars().count() > 60 {
            text = format!("{}…", text.chars().take(59).collect::<String>());
        }
        let mut row = vec![
            c.id.to_string(),
            c.source.clone(),
            c.code.clone(),
            coder_of(c),
            format!("{}..{}", c.start, c.end),
            c.speakers.join(","),
        ];
        if timed {
            row.push(
                c.begin_ms
                    .map_or_else(String::new, |b| verbatim_store::clock_range(b, c.end_ms)),
            );
        }
        row.push(if c.is_quote {
            format!("★ {text}")
        } else {
            text
        });
        table.row(row);
    }
    print!("{}", table.render());
    println!("{} codings.", codings.len());
    Ok(())
}

/// Returns the filter a `coding list` asks for, resolved in `store` (a
/// file or a PostgreSQL study alike): sources, codes, coders and levels
/// named by the user become ids.
pub(super) fn list_filter<S>(
    store: &S,
    scope: &verbatim_store::Scope,
    action: &CodingAction,
) -> anyhow::Result<CodingFilter>
where
    S: verbatim_store::Codebook + verbatim_store::Coders + verbatim_store::Codings,
{
    let CodingAction::List {
        source,
        code,
        by,
        speaker,
        level,
        quotes,
        ..
    } = action
    else {
        bail!("only `coding list` filters codings");
    };
    Ok(CodingFilter {
        source: source
            .as_deref()
            .map(|s| store.source_id(&SourceRef::parse(s)))
            .transpose()?,
        code: code
            .as_deref()
            .map(|c| store.find_code(scope, c, None))
            .transpose()?,
        coder: by
            .as_deref()
            .map(|n| coder_or_consensus(store, n))
            .transpose()?,
        level: level
            .as_deref()
            .map(|l| store.level_rank_of(l))
            .transpose()?,
        speaker: speaker.clone(),
        quotes_only: *quotes,
    })
}

/// Returns the id of the coder named by `--by`: a coder, or the consensus
/// layer by its name.
pub(super) fn coder_or_consensus(
    store: &impl verbatim_store::Coders,
    name: &str,
) -> anyhow::Result<i64> {
    if let Some(coder) = store.coder_by_name(name)? {
        return Ok(coder.id);
    }
    let consensus = store.consensus_coder()?;
    if consensus.name.eq_ignore_ascii_case(name.trim()) {
        return Ok(consensus.id);
    }
    Err(StoreError::UnknownCoder(name.to_owned()).into())
}
