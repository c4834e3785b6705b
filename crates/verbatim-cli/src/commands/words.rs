//! `verbatim words`: the words participants use most.

use std::process::ExitCode;

use clap::Args;
use verbatim_search::{Stemming, WordOptions, segments, store_kind, word_frequencies};
use verbatim_store::{SourceRef, Store};

use super::{ProjectArg, print_json};
use crate::ui::Table;

/// Count the most frequent words (participants' speech by default)
#[derive(Args, Debug)]
pub struct WordsArgs {
    #[command(flatten)]
    project: ProjectArg,
    /// Only these sources (id or name)
    #[arg(long, value_name = "SOURCE")]
    source: Vec<String>,
    /// Only sources of this kind
    #[arg(long, value_name = "KIND")]
    kind: Vec<String>,
    /// Only sources from this site
    #[arg(long, value_name = "SITE")]
    site: Vec<String>,
    /// How many words to show
    #[arg(long, default_value_t = 50)]
    top: usize,
    /// Shortest word counted, in characters
    #[arg(long, default_value_t = 4)]
    min_length: usize,
    /// Group words by stem (méfiance, méfiant count together)
    #[arg(long)]
    stem: bool,
    /// Count interviewers' turns and text outside turns too
    #[arg(long)]
    include_interviewers: bool,
    /// Include context-only sources
    #[arg(long)]
    include_context: bool,
    /// Print JSON
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV
    #[arg(long)]
    csv: bool,
}

/// Prints the most frequent words with their counts and source counts.
pub fn cmd_words(args: &WordsArgs) -> anyhow::Result<ExitCode> {
    let store = args.project.open()?;
    let study_lang = store.study()?.language;
    let only: Vec<i64> = args
        .source
        .iter()
        .map(|s| store.source_id(&SourceRef::parse(s)))
        .collect::<Result<_, _>>()?;
    let kinds: Vec<String> = args.kind.iter().map(|k| store_kind(k)).collect();
    let mut sites: Vec<String> = Vec::new();
    for s in &args.site {
        sites.push(s.clone());
        if let Some(site) = store.find_site(s)? {
            sites.push(site.name);
            sites.push(site.code);
        }
    }
    let interviewers: std::collections::HashSet<(i64, String)> = store
        .speakers(None)?
        .into_iter()
        .filter(|s| s.role == "interviewer")
        .map(|s| (s.source_id, s.label))
        .collect();
    let mut texts: Vec<(i64, String, Stemming)> = Vec::new();
    for s in store.sources()? {
        if (!only.is_empty() && !only.contains(&s.id))
            || (!kinds.is_empty() && !kinds.contains(&s.kind))
            || (!sites.is_empty() && !s.site.as_ref().is_some_and(|x| sites.contains(x)))
            || (s.kind == "context" && !args.include_context)
        {
            continue;
        }
        let (text, table, turns) = store.text_and_turns(s.id)?;
        let lang = s.language.clone().or_else(|| study_lang.clone());
        let stemming = Stemming::for_language(lang.as_deref());
        let no_turns = turns.is_empty();
        for seg in segments(&text, &turns, &table) {
            let keep = args.include_interviewers
                || no_turns
                || seg
                    .speaker
                    .as_ref()
                    .is_some_and(|l| !interviewers.contains(&(s.id, l.clone())));
            if keep {
                texts.push((
                    s.id,
                    text[seg.byte_start..seg.byte_end].to_owned(),
                    stemming,
                ));
            }
        }
    }
    let rows = word_frequencies(
        texts.iter().map(|(id, t, s)| (*id, t.as_str(), *s)),
        WordOptions {
            top: args.top,
            min_length: args.min_length,
            stem: args.stem,
        },
    );
    if args.json {
        print_json(&rows)?;
    } else if args.csv {
        let mut w = csv::Writer::from_writer(std::io::stdout().lock());
        w.write_record(["word", "count", "sources"])?;
        for r in &rows {
            w.write_record([r.word.clone(), r.count.to_string(), r.sources.to_string()])?;
        }
        w.flush()?;
    } else {
        let mut table = Table::new(&["word", "count", "sources"]);
        for r in &rows {
            table.row(vec![
                r.word.clone(),
                r.count.to_string(),
                r.sources.to_string(),
            ]);
        }
        print!("{}", table.render());
    }
    Ok(ExitCode::SUCCESS)
}
