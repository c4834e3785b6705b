//! `verbatim matrix`: codes × sites, kinds, coders or attribute values.
//!
//! Loading lives here too (rows, spans, turns, CSV lines), shared with
//! `query` and `cooccurrence`: the three commands read the study the same
//! way and hand plain spans to `verbatim-analysis`.

use std::collections::{BTreeSet, HashMap};
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use verbatim_analysis::matrix::{self, CellValue, CodedSpan, Columns, OwnedTurn, RowSpec, Turns};
use verbatim_store::{AppliesTo, Scope, SpanFilter, SqliteStore};

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
pub(super) fn load_rows(
    store: &SqliteStore,
    scope: &Scope,
    rows: &RowsArg,
) -> anyhow::Result<Vec<RowSpec>> {
    let visible = store.visible_codes(scope)?;
    let ids: Vec<(i64, String)> = if rows.code.is_empty() {
        let level = rows.level.as_deref().unwrap_or("theme");
        let rank = store.level_rank_of(level)?;
        let ids: Vec<(i64, String)> = visible
            .iter()
            .filter(|c| c.level == rank)
            .map(|c| (c.id, c.name.clone()))
            .collect();
        if ids.is_empty() {
            bail!(
                "no code of level {level:?} is visible to you: pick another --level or name codes with --code"
            );
        }
        ids
    } else {
        rows.code
            .iter()
            .map(|w| {
                let id = store.find_code(scope, w, None)?;
                let name = visible
                    .iter()
                    .find(|c| c.id == id)
                    .map_or_else(|| w.clone(), |c| c.name.clone());
                Ok((id, name))
            })
            .collect::<anyhow::Result<_>>()?
    };
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (_, n) in &ids {
        *counts.entry(n).or_default() += 1;
    }
    ids.iter()
        .map(|(id, name)| {
            let label = if counts.get(name.as_str()).copied().unwrap_or(0) > 1 {
                format!("{name} (#{id})")
            } else {
                name.clone()
            };
            Ok(RowSpec {
                label,
                codes: store.code_descendants(*id)?,
            })
        })
        .collect()
}

/// Returns the spans the scope sees, restricted to the rows' codes.
pub(super) fn load_spans(
    store: &SqliteStore,
    scope: &Scope,
    codes: Option<Vec<i64>>,
    coder: Option<i64>,
    include_context: bool,
) -> anyhow::Result<Vec<CodedSpan>> {
    let filter = SpanFilter {
        codes,
        coder,
        include_context,
    };
    Ok(store
        .coding_spans(scope, &filter)?
        .into_iter()
        .map(|s| CodedSpan {
            source: s.source_id,
            code: s.code_id,
            coder: s.coder_id,
            start: s.start,
            end: s.end,
        })
        .collect())
}

/// Returns the turns indexed for participant attribution.
pub(super) fn load_turns(store: &SqliteStore, include_context: bool) -> anyhow::Result<Turns> {
    Ok(Turns::new(
        store
            .turn_owners(include_context)?
            .into_iter()
            .map(|t| OwnedTurn {
                source: t.source_id,
                start: t.start,
                end: t.end,
                participant: t.participant_id,
            }),
    ))
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

/// Returns the participants' display names (code, else label), by id.
pub(super) fn participant_names(store: &SqliteStore) -> anyhow::Result<HashMap<i64, String>> {
    Ok(store
        .participants()?
        .into_iter()
        .map(|p| (p.id, p.display()))
        .collect())
}

/// Returns the column labels from values, `allowed` order first.
fn labels_of<'a>(allowed: &[String], values: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut labels: Vec<String> = allowed.to_vec();
    let rest: BTreeSet<&String> = values.filter(|v| !allowed.contains(v)).collect();
    labels.extend(rest.into_iter().cloned());
    labels
}

fn index_of(labels: &[String], map: HashMap<i64, String>) -> HashMap<i64, usize> {
    map.into_iter()
        .filter_map(|(k, v)| labels.iter().position(|l| *l == v).map(|i| (k, i)))
        .collect()
}

/// Returns the columns `--by` names.
fn load_columns(
    store: &SqliteStore,
    scope: &Scope,
    by: &str,
    include_context: bool,
) -> anyhow::Result<Columns> {
    let by = by.trim();
    let facts = store
        .source_facts()?
        .into_iter()
        .filter(|s| include_context || s.kind != "context");
    match by {
        "site" | "kind" => {
            let map: HashMap<i64, String> = facts
                .map(|s| {
                    let v = if by == "site" {
                        s.site.unwrap_or_else(|| "(no site)".into())
                    } else {
                        s.kind
                    };
                    (s.id, v)
                })
                .collect();
            let labels = labels_of(&[], map.values());
            let of = index_of(&labels, map);
            Ok(Columns::Source { labels, of })
        }
        "coder" => {
            let coders: Vec<_> = store
                .coders()?
                .into_iter()
                .filter(|c| scope.sees_all() || c.id == scope.coder().id)
                .collect();
            Ok(Columns::Coder {
                labels: coders.iter().map(|c| c.name.clone()).collect(),
                of: coders.iter().enumerate().map(|(i, c)| (c.id, i)).collect(),
            })
        }
        _ => {
            let Some(name) = by.strip_prefix("attribute:").map(str::trim) else {
                bail!("--by takes site, kind, coder or attribute:NAME, not {by:?}");
            };
            let find = |applies| -> anyhow::Result<Option<Vec<String>>> {
                Ok(store
                    .attributes(applies)?
                    .into_iter()
                    .find(|a| a.name.eq_ignore_ascii_case(name))
                    .map(|a| a.allowed))
            };
            if let Some(allowed) = find(AppliesTo::Participant)? {
                let map = store.participant_values_of(name)?;
                let labels = labels_of(&allowed, map.values());
                let of = index_of(&labels, map);
                Ok(Columns::Participant { labels, of })
            } else if let Some(allowed) = find(AppliesTo::Source)? {
                let map = store.source_values_of(name)?;
                let labels = labels_of(&allowed, map.values());
                let of = index_of(&labels, map);
                Ok(Columns::Source { labels, of })
            } else {
                bail!(
                    "no participant or source attribute named {name:?}: see `verbatim attribute list`"
                )
            }
        }
    }
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
    let store = args.project.open()?;
    let scope = args.coder.scope_with(&store, &args.all)?;
    let rows = load_rows(&store, &scope, &args.rows)?;
    let columns = load_columns(&store, &scope, &args.by, args.include_context)?;
    let mut codes: Vec<i64> = rows.iter().flat_map(|r| r.codes.iter().copied()).collect();
    codes.sort_unstable();
    codes.dedup();
    let spans = load_spans(&store, &scope, Some(codes), None, args.include_context)?;
    let turns = load_turns(&store, args.include_context)?;
    let value = match args.cell {
        CellArg::Participants => CellValue::Participants,
        CellArg::Passages => CellValue::Passages,
        CellArg::Chars => CellValue::Chars,
    };
    let m = matrix::matrix(&spans, &rows, &columns, value, &turns);
    let names = participant_names(&store)?;
    if let Some(drill) = &args.drill {
        let Some((r, c)) = drill.split_once(',') else {
            bail!("--drill takes ROW,COLUMN, like --drill \"Méfiance,CH\" or --drill 1,2");
        };
        let (r, c) = (pick(&m.rows, r, "row")?, pick(&m.columns, c, "column")?);
        let cell = &m.cells[r][c];
        let passages = super::query::describe(&store, &cell.passages, &names, 0)?;
        if args.json {
            print_json(&serde_json::json!({
                "row": m.rows[r], "column": m.columns[c], "value": cell.value,
                "participants": cell.participants.iter().map(|p| names.get(p).cloned().unwrap_or_else(|| format!("#{p}"))).collect::<Vec<_>>(),
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
    if args.json {
        let cells: Vec<Vec<serde_json::Value>> = m
            .cells
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| {
                        serde_json::json!({
                            "value": cell.value,
                            "participants": cell.participants.iter().map(|p| names.get(p).cloned().unwrap_or_else(|| format!("#{p}"))).collect::<Vec<_>>(),
                            "passages": cell.passages.len(),
                            "chars": cell.chars,
                        })
                    })
                    .collect()
            })
            .collect();
        print_json(&serde_json::json!({
            "rows": m.rows, "columns": m.columns, "value": m.value, "cells": cells,
        }))?;
    } else if args.csv {
        let mut header = vec!["code".to_owned()];
        header.extend(m.columns.iter().cloned());
        println!("{}", csv_line(&header));
        for (label, row) in m.rows.iter().zip(&m.cells) {
            let mut line = vec![label.clone()];
            line.extend(row.iter().map(|c| c.value.to_string()));
            println!("{}", csv_line(&line));
        }
    } else {
        let mut header: Vec<&str> = vec!["code"];
        header.extend(m.columns.iter().map(String::as_str));
        let mut table = Table::new(&header);
        for (label, row) in m.rows.iter().zip(&m.cells) {
            let mut line = vec![label.clone()];
            line.extend(row.iter().map(|c| c.value.to_string()));
            table.row(line);
        }
        print!("{}", table.render());
        let what = match args.cell {
            CellArg::Participants => "distinct participants",
            CellArg::Passages => "passages",
            CellArg::Chars => "characters coded",
        };
        println!("Cells count {what}; --drill ROW,COLUMN lists the passages behind one.");
        let cells = m.cells.iter().flatten();
        if matches!(args.cell, CellArg::Participants)
            && cells.clone().all(|c| c.participants.is_empty())
            && cells.clone().any(|c| !c.passages.is_empty())
        {
            println!(
                "No coded passage overlaps a participant's turn: map speaker labels with `verbatim speakers map`, or count --cell passages."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
