//! `verbatim words`: the words participants use most, on a file or a
//! PostgreSQL study.

use std::process::ExitCode;

use clap::Args;
use verbatim_search::WordOptions;
use verbatim_store::SourceRef;
use verbatim_views::{self as views, words::WordsSpec};

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
    let opened = args.project.open_analysis()?;
    let store = &*opened;
    let only: Vec<i64> = args
        .source
        .iter()
        .map(|s| store.source_id(&SourceRef::parse(s)))
        .collect::<Result<_, _>>()?;
    let rows = views::words::count(
        store,
        &WordsSpec {
            sources: &only,
            kinds: &args.kind,
            sites: &args.site,
            include_interviewers: args.include_interviewers,
            include_context: args.include_context,
            options: WordOptions {
                top: args.top,
                min_length: args.min_length,
                stem: args.stem,
            },
        },
    )?;
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
