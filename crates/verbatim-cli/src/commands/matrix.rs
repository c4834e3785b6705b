//! `verbatim matrix`: codes × sites, kinds, coders or attribute values.
//!
//! Rows, columns, spans and turns are read by `verbatim_views` (the web
//! matrix reads them there too); the rows option, CSV lines and the advice
//! added to a view's error are shared with `query` and `cooccurrence`.
//! A speaker label mapped to no participant counts as one participant per
//! source (`verbatim_views::coded::turns`), flagged as unmapped. Runs on
//! a file and on PostgreSQL alike (`ProjectArg::open_analysis`).

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use verbatim_analysis::matrix::{self, CellValue, RowSpec};
use verbatim_store::{AnalysisReads, Coders, Scope, SpanFilter};
use verbatim_views::{self as views, ViewError, coded};

use super::coder_arg::{AllArg, CoderArg};
use super::{ProjectArg, print_json};
use crate::ui::Table;

/// Codes (rows) × columns: participants, passages or chars coded in each cell
#[derive(Args, Debug)]
pub struct MatrixArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    #[command(flatten)]
    rows: RowsArg,
    /// Columns: site, kind, coder, or attribute:NAME (participant or source attribute)
    #[arg(long, value_name = "COLUMNS")]
    by: String,
    /// What a cell counts
    #[arg(long, value_enum, default_value = "participants")]
    cell: CellArg,
    /// List the passages behind one cell: ROW,COLUMN (labels or numbers from 1)
    #[arg(long, value_name = "ROW,COLUMN")]
    drill: Option<String>,
    #[command(flatten)]
    all: AllArg,
    /// Count sources of kind `context` too
    #[arg(long)]
    include_context: bool,
    /// Print JSON
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV
    #[arg(long)]
    csv: bool,
}

/// Which codes make the rows.
#[derive(Args, Debug, Clone)]
pub struct RowsArg {
    /// Every code of this level (theme, sub-theme, idea, …); the default is theme
    #[arg(long = "level", visible_alias = "codes", value_name = "LEVEL")]
    level: Option<String>,
    /// This code (repeat for several); overrides --level
    #[arg(long = "code", value_name = "CODE")]
    code: Vec<String>,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum CellArg {
    /// Distinct participants whose turns the passages overlap
    Participants,
    /// Passages (overlapping codings merged)
    Passages,
    /// Characters coded (union length)
    Chars,
}

/// Returns the rows asked for: each code with its descendants rolled up.
pub(super) fn load_rows<S: AnalysisReads + Coders + ?Sized>(
    store: &S,
    scope: &Scope,
    rows: &RowsArg,
) -> anyhow::Result<Vec<RowSpec>> {
    let found = if rows.code.is_empty() {
        views::matrix::rows_at_level(store, scope, rows.level.as_deref().unwrap_or("theme"))
    } else {
        views::matrix::rows_named(store, scope, &rows.code)
    };
    found.map_err(view_error)
}

/// Returns a view's error with the advice the command line needs.
pub(super) fn view_error(e: ViewError) -> anyhow::Error {
    match e {
        ViewError::NoCodeAtLevel { .. } => {
            anyhow::anyhow!("{e}: pick another --level or name codes with --code")
        }
        ViewError::UnknownColumns { by } => {
            anyhow::anyhow!("--by takes site, kind, coder or attribute:NAME, not {by:?}")
        }
        ViewError::UnknownAttribute { .. } => {
            anyhow::anyhow!("{e}: see `verbatim attribute list`")
        }
        other => other.into(),
    }
}

/// Returns one CSV line (RFC 4180 quoting).
pub(super) fn csv_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Returns the index a user gave as a label or a number from 1.
fn pick(labels: &[String], word: &str, what: &str) -> anyhow::Result<usize> {
    let w = word.trim();
    if let Some(i) = labels.iter().position(|l| l == w) {
        return Ok(i);
    }
    if let Some(i) = labels.iter().position(|l| l.eq_ignore_ascii_case(w)) {
        return Ok(i);
    }
    match w.parse::<usize>() {
        Ok(n) if n >= 1 && n <= labels.len() => Ok(n - 1),
        _ => bail!("no {what} {w:?}: the {what}s are {}", labels.join(", ")),
    }
}

/// Runs `verbatim matrix`.
pub fn cmd_matrix(args: &MatrixArgs) -> anyhow::Result<ExitCode> {
    let opened = args.project.open_analysis()?;
    let store = &*opened;
    let scope = args.coder.scope_on(store, args.all.all, args.all.solo)?;
    let m = build(store, &scope, args)?;
    let names = coded::participant_names(store)?;
    let name_of = |p: &i64| names.get(p).cloned().unwrap_or_else(|| format!("#{p}"));
    if let Some(drill) = &args.drill {
        let Some((r, c)) = drill.split_once(',') else {
            bail!("--drill takes ROW,COLUMN, like --drill \"Méfiance,CH\" or --drill 1,2");
        };
        let (r, c) = (pick(&m.rows, r, "row")?, pick(&m.columns, c, "column")?);
        let cell = &m.cells[r][c];
        let passages = super::query::describe(store, &cell.passages, &names, 0)?;
        if args.json {
            print_json(&serde_json::json!({
                "row": m.rows[r], "column": m.columns[c], "value": cell.value,
                "participants": cell.participants.iter().map(name_of).collect::<Vec<_>>(),
                "unmapped": cell.participants.iter().filter(|p| **p < 0).map(name_of).collect::<Vec<_>>(),
                "passages": passages,
            }))?;
        } else if args.csv {
            super::query::print_csv(&passages);
        } else {
            println!(
                "{} × {}: {} ({} passages)",
                m.rows[r],
                m.columns[c],
                cell.value,
                cell.passages.len()
            );
            super::query::print_text(&passages);
        }
        return Ok(ExitCode::SUCCESS);
    }
    // People standing for unmapped labels have the negative ids
    // `coded::turns` gives them.
    let mut unmapped: Vec<String> = m
        .cells
        .iter()
        .flatten()
        .flat_map(|c| c.participants.iter().filter(|p| **p < 0).map(name_of))
        .collect();
    unmapped.sort();
    unmapped.dedup();
    if args.json {
        print_matrix_json(&m, &unmapped, &name_of)?;
    } else if args.csv {
        print_matrix_csv(&m);
    } else {
        print_matrix_table(&m, &unmapped, &args.cell);
    }
    Ok(ExitCode::SUCCESS)
}

/// Counts the matrix the arguments ask for: its rows, columns and cells.
fn build(
    store: &dyn super::Analysis,
    scope: &Scope,
    args: &MatrixArgs,
) -> anyhow::Result<matrix::Matrix> {
    let rows = load_rows(store, scope, &args.rows)?;
    let columns =
        views::matrix::columns(store, scope, &args.by, args.include_context).map_err(view_error)?;
    let filter = SpanFilter {
        codes: Some(coded::distinct(
            rows.iter().flat_map(|r| r.codes.iter().copied()),
        )),
        coder: None,
        include_context: args.include_context,
    };
    let spans = coded::spans(store, scope, &filter)?;
    let turns = coded::turns(store, args.include_context)?;
    let value = match args.cell {
        CellArg::Participants => CellValue::Participants,
        CellArg::Passages => CellValue::Passages,
        CellArg::Chars => CellValue::Chars,
    };
    Ok(matrix::matrix(&spans, &rows, &columns, value, &turns))
}

/// Prints the whole matrix as JSON, each cell with who and how much.
fn print_matrix_json(
    m: &matrix::Matrix,
    unmapped: &[String],
    name_of: &dyn Fn(&i64) -> String,
) -> anyhow::Result<()> {
    let cells: Vec<Vec<serde_json::Value>> = m
        .cells
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| {
                    serde_json::json!({
                        "value": cell.value,
                        "participants": cell.participants.iter().map(name_of).collect::<Vec<_>>(),
                        "unmapped": cell.participants.iter().filter(|p| **p < 0).count(),
                        "passages": cell.passages.len(),
                        "chars": cell.chars,
                    })
                })
                .collect()
        })
        .collect();
    print_json(&serde_json::json!({
        "rows": m.rows, "columns": m.columns, "value": m.value, "cells": cells,
        "unmapped": unmapped,
    }))
}

/// Prints the matrix as CSV: a header of columns, one line a code.
fn print_matrix_csv(m: &matrix::Matrix) {
    let mut header = vec!["code".to_owned()];
    header.extend(m.columns.iter().cloned());
    println!("{}", csv_line(&header));
    for (label, row) in m.rows.iter().zip(&m.cells) {
        let mut line = vec![label.clone()];
        line.extend(row.iter().map(|c| c.value.to_string()));
        println!("{}", csv_line(&line));
    }
}

/// Prints the matrix as a table, with what the cells count and the hints a
/// researcher needs when speakers are not mapped to participants.
fn print_matrix_table(m: &matrix::Matrix, unmapped: &[String], cell: &CellArg) {
    let mut header: Vec<&str> = vec!["code"];
    header.extend(m.columns.iter().map(String::as_str));
    let mut table = Table::new(&header);
    for (label, row) in m.rows.iter().zip(&m.cells) {
        let mut line = vec![label.clone()];
        line.extend(row.iter().map(|c| c.value.to_string()));
        table.row(line);
    }
    print!("{}", table.render());
    let what = match cell {
        CellArg::Participants => "distinct participants",
        CellArg::Passages => "passages",
        CellArg::Chars => "characters coded",
    };
    println!("Cells count {what}; --drill ROW,COLUMN lists the passages behind one.");
    if matches!(cell, CellArg::Participants) && !unmapped.is_empty() {
        println!(
            "Counted as participants, one per source: {} unmapped speaker labels ({}); map them with `verbatim speakers map`.",
            unmapped.len(),
            unmapped.join("; ")
        );
    }
    let cells = m.cells.iter().flatten();
    if matches!(cell, CellArg::Participants)
        && cells.clone().all(|c| c.participants.is_empty())
        && cells.clone().any(|c| !c.passages.is_empty())
    {
        println!(
            "No coded passage overlaps a participant's turn: map speaker labels with `verbatim speakers map`, or count --cell passages."
        );
    }
}
