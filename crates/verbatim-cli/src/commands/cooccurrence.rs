//! `verbatim cooccurrence`: which codes meet in the same passages.

use std::process::ExitCode;

use clap::Args;
use verbatim_analysis::matrix;
use verbatim_store::SpanFilter;
use verbatim_views::coded;

use super::coder_arg::{AllArg, CoderArg};
use super::matrix::{RowsArg, csv_line, load_rows};
use super::{ProjectArg, print_json};
use crate::ui::Table;

/// Codes × codes: passages where two codes overlap, and the Jaccard index of their text
#[derive(Args, Debug)]
pub struct CooccurrenceArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    #[command(flatten)]
    rows: RowsArg,
    /// Count passages within N characters of each other, not only overlapping ones
    #[arg(long, value_name = "N")]
    near: Option<usize>,
    /// Only this coder's codings (another coder's needs --all); default: yours, or everyone's with --all
    #[arg(long = "by", value_name = "CODER")]
    by: Option<String>,
    #[command(flatten)]
    all: AllArg,
    /// Count sources of kind `context` too
    #[arg(long)]
    include_context: bool,
    /// Print JSON
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV (passages and Jaccard index per pair)
    #[arg(long)]
    csv: bool,
}

/// Runs `verbatim cooccurrence`.
pub fn cmd_cooccurrence(args: &CooccurrenceArgs) -> anyhow::Result<ExitCode> {
    let opened = args.project.open_analysis()?;
    let store = &*opened;
    let scope = args
        .coder
        .scope_on(store, args.all.all || args.by.is_some(), args.all.solo)?;
    let rows = load_rows(store, &scope, &args.rows)?;
    let coder = match &args.by {
        Some(name) => Some(
            store
                .coder_by_name(name)?
                .ok_or_else(|| verbatim_store::StoreError::UnknownCoder(name.clone()))?
                .id,
        ),
        None => None,
    };
    let filter = SpanFilter {
        codes: Some(coded::distinct(
            rows.iter().flat_map(|r| r.codes.iter().copied()),
        )),
        coder,
        include_context: args.include_context,
    };
    let spans = coded::spans(store, &scope, &filter)?;
    let table = matrix::cooccurrence(&spans, &rows, args.near);
    if args.json {
        print_json(&table)?;
    } else if args.csv {
        println!(
            "{}",
            csv_line(&[
                "code_a".into(),
                "code_b".into(),
                "passages".into(),
                "shared_chars".into(),
                "jaccard".into()
            ])
        );
        for (i, a) in table.codes.iter().enumerate() {
            for (j, b) in table.codes.iter().enumerate().skip(i + 1) {
                let cell = table.cells[i][j];
                println!(
                    "{}",
                    csv_line(&[
                        a.clone(),
                        b.clone(),
                        cell.passages.to_string(),
                        cell.shared_chars.to_string(),
                        cell.jaccard.map_or_else(String::new, |j| format!("{j:.4}")),
                    ])
                );
            }
        }
    } else {
        let mut header: Vec<&str> = vec!["code"];
        header.extend(table.codes.iter().map(String::as_str));
        let mut out = Table::new(&header);
        for (i, a) in table.codes.iter().enumerate() {
            let mut line = vec![a.clone()];
            for (j, cell) in table.cells[i].iter().enumerate() {
                line.push(if i == j {
                    format!("({})", cell.passages)
                } else {
                    match cell.jaccard {
                        Some(jac) => format!("{} J={jac:.2}", cell.passages),
                        None => cell.passages.to_string(),
                    }
                });
            }
            out.row(line);
        }
        print!("{}", out.render());
        println!(
            "Cells: passages where both codes {} and the Jaccard index J of the text they cover; (n) on the diagonal: the code's own passages.",
            match args.near {
                Some(n) => format!("come within {n} characters"),
                None => "overlap".into(),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
