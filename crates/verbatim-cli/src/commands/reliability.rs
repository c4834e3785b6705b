//! `verbatim reliability`: agreement coefficients on a CSV of ratings.
//!
//! Teams often rate units outside verbatim (a spreadsheet of who put which
//! excerpt in which category) and need the coefficients a journal asks for;
//! this command needs no study. The input is either a reliability matrix
//! (one row per coder: the coder's name, then one cell per unit; an empty
//! cell is missing; an optional first row names the units and starts with an
//! empty cell or `coder`) or a long table whose header is `unit,coder,value`.
//! The computations are `verbatim_analysis::reliability`'s.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::Serialize;
use thiserror::Error;
use verbatim_analysis::reliability::{
    self, Estimate, Level, Matrix, Outcome, ReliabilityError, Statistic,
};

use super::print_json;
use crate::ui::Table;

/// Compute intercoder agreement (alpha, kappas, AC1, percent) from a CSV of ratings
#[derive(Args, Debug)]
pub struct ReliabilityArgs {
    /// The ratings: a coders × units matrix, or a long table `unit,coder,value`
    #[arg(long, value_name = "FILE.csv")]
    input: PathBuf,
    /// Which coefficient to compute
    #[arg(long, value_enum, default_value_t = StatisticArg::All)]
    statistic: StatisticArg,
    /// Level of measurement for Krippendorff's alpha
    #[arg(long, value_enum, default_value_t = LevelArg::Nominal)]
    level: LevelArg,
    /// Number of categories coders could choose from (Brennan & Prediger,
    /// Gwet's AC1); default: the number of distinct values in the file
    #[arg(long, value_name = "N")]
    categories: Option<usize>,
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum StatisticArg {
    Alpha,
    Fleiss,
    Cohen,
    Scott,
    Gwet,
    Bp,
    Percent,
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LevelArg {
    Nominal,
    Ordinal,
    Interval,
    Ratio,
}

impl From<LevelArg> for Level {
    fn from(level: LevelArg) -> Self {
        match level {
            LevelArg::Nominal => Level::Nominal,
            LevelArg::Ordinal => Level::Ordinal,
            LevelArg::Interval => Level::Interval,
            LevelArg::Ratio => Level::Ratio,
        }
    }
}

/// Why a ratings file could not be read; rows are the file's line numbers.
#[derive(Debug, Error, PartialEq)]
pub enum InputError {
    /// The CSV is malformed.
    #[error(transparent)]
    Csv(#[from] verbatim_ingest::csv_text::CsvError),
    /// The file holds no rows.
    #[error("the file holds no ratings")]
    Empty,
    /// A long-table row does not have three cells.
    #[error("row {row}: {found} cells, expected 3 (unit,coder,value)")]
    LongWidth {
        /// The row.
        row: u64,
        /// Its number of cells.
        found: usize,
    },
    /// A matrix row does not have one cell per unit after the coder's name.
    #[error("row {row}: {found} cells, expected {expected} (the coder's name and one per unit)")]
    MatrixWidth {
        /// The row.
        row: u64,
        /// Its number of cells.
        found: usize,
        /// The expected number.
        expected: usize,
    },
    /// A row names no coder.
    #[error("row {row}: the coder's name is empty")]
    NoCoder {
        /// The row.
        row: u64,
    },
    /// A long-table row names no unit.
    #[error("row {row}: the unit is empty")]
    NoUnit {
        /// The row.
        row: u64,
    },
    /// A coder rates a unit twice in a long table.
    #[error("row {row}: coder \"{coder}\" rates unit {unit} twice (also row {first})")]
    Twice {
        /// The second row.
        row: u64,
        /// The coder.
        coder: String,
        /// The unit.
        unit: String,
        /// The first row.
        first: u64,
    },
    /// A coder has two rows in a matrix.
    #[error("row {row}: coder \"{coder}\" appears twice (also row {first})")]
    CoderTwice {
        /// The second row.
        row: u64,
        /// The coder.
        coder: String,
        /// The first row.
        first: u64,
    },
    /// A unit is named twice in a matrix header.
    #[error("row {row}: unit \"{unit}\" appears twice in the header")]
    UnitTwice {
        /// The header row.
        row: u64,
        /// The unit.
        unit: String,
    },
    /// Fewer than two coders.
    #[error("agreement needs at least 2 coders; the file has {0}")]
    OneCoder(usize),
    /// The rows do not form a matrix.
    #[error(transparent)]
    Matrix(#[from] ReliabilityError),
}

/// The layout a ratings file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Layout {
    Matrix,
    Long,
}

/// A ratings file read into a matrix.
#[derive(Debug)]
struct Ratings {
    layout: Layout,
    units: Vec<String>,
    matrix: Matrix,
}

/// Reads a ratings file, detecting its layout.
fn read_ratings(bytes: &[u8]) -> Result<Ratings, InputError> {
    let rows: Vec<(u64, Vec<String>)> = verbatim_ingest::csv_text::read_csv(bytes)?
        .into_iter()
        .map(|r| {
            (
                r.row as u64,
                r.cells.iter().map(|c| c.trim().to_owned()).collect(),
            )
        })
        .collect();
    let Some((_, header)) = rows.first() else {
        return Err(InputError::Empty);
    };
    let is_long = header.len() == 3
        && header
            .iter()
            .zip(["unit", "coder", "value"])
            .all(|(cell, name)| cell.eq_ignore_ascii_case(name));
    let ratings = if is_long {
        read_long(&rows[1..])?
    } else {
        read_matrix(&rows)?
    };
    let coders = ratings.matrix.coders().len();
    if coders < 2 {
        return Err(InputError::OneCoder(coders));
    }
    Ok(ratings)
}

fn read_long(rows: &[(u64, Vec<String>)]) -> Result<Ratings, InputError> {
    let mut units: Vec<String> = Vec::new();
    let mut unit_index: HashMap<String, usize> = HashMap::new();
    let mut coders: Vec<String> = Vec::new();
    let mut coder_index: HashMap<String, usize> = HashMap::new();
    let mut seen: HashMap<(usize, usize), u64> = HashMap::new();
    let mut cells: Vec<(usize, usize, Option<String>)> = Vec::new();
    for (row, record) in rows {
        let row = *row;
        let [unit, coder, value] = record.as_slice() else {
            return Err(InputError::LongWidth {
                row,
                found: record.len(),
            });
        };
        if unit.is_empty() {
            return Err(InputError::NoUnit { row });
        }
        if coder.is_empty() {
            return Err(InputError::NoCoder { row });
        }
        let u = *unit_index.entry(unit.clone()).or_insert_with(|| {
            units.push(unit.clone());
            units.len() - 1
        });
        let c = *coder_index.entry(coder.clone()).or_insert_with(|| {
            coders.push(coder.clone());
            coders.len() - 1
        });
        if let Some(&first) = seen.get(&(c, u)) {
            return Err(InputError::Twice {
                row,
                coder: coder.clone(),
                unit: unit.clone(),
                first,
            });
        }
        seen.insert((c, u), row);
        cells.push((c, u, (!value.is_empty()).then(|| value.clone())));
    }
    let mut grid = vec![vec![None; units.len()]; coders.len()];
    for (c, u, value) in cells {
        grid[c][u] = value;
    }
    Ok(Ratings {
        layout: Layout::Long,
        units,
        matrix: build(coders.into_iter().zip(grid).collect())?,
    })
}

fn read_matrix(rows: &[(u64, Vec<String>)]) -> Result<Ratings, InputError> {
    let (header_row, first) = &rows[0];
    let has_header = first
        .first()
        .is_some_and(|c| c.is_empty() || c.eq_ignore_ascii_case("coder"));
    let (units, body) = if has_header {
        let units: Vec<String> = first[1..].to_vec();
        let mut distinct = std::collections::HashSet::new();
        for unit in &units {
            if !distinct.insert(unit) {
                return Err(InputError::UnitTwice {
                    row: *header_row,
                    unit: unit.clone(),
                });
            }
        }
        (units, &rows[1..])
    } else {
        let width = first.len().saturating_sub(1);
        ((1..=width).map(|u| u.to_string()).collect(), rows)
    };
    let mut seen: HashMap<&str, u64> = HashMap::new();
    let mut out = Vec::new();
    for (row, record) in body {
        let row = *row;
        // Spreadsheets often drop trailing empty cells: pad, never truncate.
        if record.len() > units.len() + 1 {
            return Err(InputError::MatrixWidth {
                row,
                found: record.len(),
                expected: units.len() + 1,
            });
        }
        let coder = &record[0];
        if coder.is_empty() {
            return Err(InputError::NoCoder { row });
        }
        if let Some(&first) = seen.get(coder.as_str()) {
            return Err(InputError::CoderTwice {
                row,
                coder: coder.clone(),
                first,
            });
        }
        seen.insert(coder, row);
        let mut values: Vec<Option<String>> = record[1..]
            .iter()
            .map(|v| (!v.is_empty()).then(|| v.clone()))
            .collect();
        values.resize(units.len(), None);
        out.push((coder.clone(), values));
    }
    Ok(Ratings {
        layout: Layout::Matrix,
        units,
        matrix: build(out)?,
    })
}

fn build(rows: Vec<(String, Vec<Option<String>>)>) -> Result<Matrix, InputError> {
    // Rows are padded to one width above, so this refusal cannot happen.
    Ok(Matrix::new(rows)?)
}

/// One line of the report: a coefficient, or why it does not apply.
#[derive(Debug, Serialize)]
struct Line {
    statistic: Statistic,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<Level>,
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<Estimate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    observed: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    units: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_applicable: Option<String>,
}

impl Line {
    fn computed(outcome: Outcome, level: Level) -> Self {
        Self {
            statistic: outcome.statistic,
            level: (outcome.statistic == Statistic::Alpha).then_some(level),
            estimate: Some(outcome.estimate),
            observed: outcome.observed,
            expected: outcome.expected,
            units: Some(outcome.units),
            values: Some(outcome.values),
            not_applicable: None,
        }
    }
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    input: &'a Path,
    layout: Layout,
    coders: &'a [String],
    units: usize,
    categories: &'a [String],
    results: Vec<Line>,
}

/// Computes and prints the coefficients asked for.
pub fn cmd_reliability(args: &ReliabilityArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.input)
        .with_context(|| format!("could not read {}", args.input.display()))?;
    let ratings = read_ratings(&bytes).with_context(|| format!("in {}", args.input.display()))?;
    let data = &ratings.matrix;
    let results = compute(args, data)
        .map_err(|e| anyhow::Error::new(e).context(format!("in {}", args.input.display())))?;
    if args.json {
        print_json(&Report {
            input: &args.input,
            layout: ratings.layout,
            coders: data.coders(),
            units: ratings.units.len(),
            categories: data.categories(),
            results,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    print_table(&ratings, &results);
    Ok(ExitCode::SUCCESS)
}

/// One line per statistic asked for. With `all`, a two-coder statistic on
/// three coders is a line with its reason; asked for alone, it is an error.
fn compute(args: &ReliabilityArgs, data: &Matrix) -> Result<Vec<Line>, ReliabilityError> {
    let level = Level::from(args.level);
    let wanted: Vec<StatisticArg> = match args.statistic {
        StatisticArg::All => vec![
            StatisticArg::Alpha,
            StatisticArg::Fleiss,
            StatisticArg::Cohen,
            StatisticArg::Scott,
            StatisticArg::Gwet,
            StatisticArg::Bp,
            StatisticArg::Percent,
        ],
        one => vec![one],
    };
    let all = args.statistic == StatisticArg::All;
    let mut results = Vec::new();
    for statistic in wanted {
        let computed: Result<Outcome, ReliabilityError> = match statistic {
            StatisticArg::Alpha => reliability::krippendorff_alpha(data, level),
            StatisticArg::Fleiss => Ok(reliability::fleiss_kappa(data)),
            StatisticArg::Cohen => reliability::cohen_kappa(data),
            StatisticArg::Scott => reliability::scott_pi(data),
            StatisticArg::Gwet => reliability::gwet_ac1(data, args.categories),
            StatisticArg::Bp => reliability::brennan_prediger(data, args.categories),
            StatisticArg::Percent | StatisticArg::All => Ok(reliability::percent_agreement(data)),
        };
        let line = match computed {
            Ok(outcome) => Line::computed(outcome, level),
            Err(e @ ReliabilityError::NotTwoCoders { statistic, .. }) if all => Line {
                statistic,
                level: None,
                estimate: None,
                observed: None,
                expected: None,
                units: None,
                values: None,
                not_applicable: Some(e.to_string()),
            },
            Err(e) => return Err(e),
        };
        results.push(line);
    }
    Ok(results)
}

/// Prints the ratings' shape and one table row per statistic.
fn print_table(ratings: &Ratings, results: &[Line]) {
    let data = &ratings.matrix;
    println!(
        "{} coders, {} units, {} distinct values ({} layout)",
        data.coders().len(),
        ratings.units.len(),
        data.categories().len(),
        match ratings.layout {
            Layout::Matrix => "matrix",
            Layout::Long => "long",
        }
    );
    let mut table = Table::new(&[
        "statistic",
        "value",
        "observed",
        "expected",
        "units",
        "values",
    ]);
    let share = |x: Option<f64>| x.map_or_else(String::new, |x| format!("{x:.4}"));
    let count = |n: Option<usize>| n.map_or_else(String::new, |n| n.to_string());
    for line in results {
        let name = match line.level {
            Some(level) => format!("{} ({level})", line.statistic),
            None => line.statistic.to_string(),
        };
        let value = match line.estimate {
            Some(Estimate::Defined { value }) => format!("{value:.4}"),
            Some(undefined @ Estimate::Undefined { .. }) => undefined.to_string(),
            None => "n/a (needs exactly 2 coders)".to_owned(),
        };
        table.row(vec![
            name,
            value,
            share(line.observed),
            share(line.expected),
            count(line.units),
            count(line.values),
        ]);
    }
    print!("{}", table.render());
    println!("units and values: those that entered the computation (rated by at least 2 coders).");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Ratings, InputError> {
        read_ratings(text.as_bytes())
    }

    #[test]
    fn long_and_matrix_layouts_give_the_same_matrix() {
        let long = read("unit,coder,value\n1,A,x\n1,B,x\n2,A,y\n2,B,\n3,B,x\n").unwrap();
        let matrix = read(",1,2,3\nA,x,y,\nB,x,,x\n").unwrap();
        assert_eq!(long.layout, Layout::Long);
        assert_eq!(matrix.layout, Layout::Matrix);
        assert_eq!(long.matrix, matrix.matrix);
        assert_eq!(long.units, matrix.units);
    }

    #[test]
    fn matrix_without_header_numbers_units() {
        let r = read("A;1;2;3\nB;1;;3\n").unwrap();
        assert_eq!(r.units, ["1", "2", "3"]);
        assert_eq!(r.matrix.coders(), ["A", "B"]);
    }

    #[test]
    fn errors_name_the_row() {
        let twice = read("unit,coder,value\n7,A,x\n7,B,y\n7,B,x\n").unwrap_err();
        assert_eq!(
            twice.to_string(),
            "row 4: coder \"B\" rates unit 7 twice (also row 3)"
        );
        // Rows as wide as the header, checked by the shared CSV reader.
        assert_eq!(
            read("unit,coder,value\n1,A\n").unwrap_err().to_string(),
            "row 2 has 2 cells where the header row has 3: check for a separator inside a cell that is not quoted, or a missing one"
        );
        assert!(matches!(
            read("coder,1,2\nA,1,2,3\nB,1,2\n").unwrap_err(),
            InputError::Csv(_)
        ));
        assert!(matches!(
            read("coder,1,2\nA,1,2\nA,1,2\n").unwrap_err(),
            InputError::CoderTwice {
                row: 3,
                first: 2,
                ..
            }
        ));
        assert!(matches!(
            read("coder,1,2\n,1,2\n").unwrap_err(),
            InputError::NoCoder { row: 2 }
        ));
        assert_eq!(read("coder,1\nA,1\n").unwrap_err(), InputError::OneCoder(1));
        assert_eq!(read("\n\n").unwrap_err(), InputError::Empty);
        // Windows-1252, as Excel saves CSV in Western Europe: "é" is 0xE9.
        let r = read_ratings(b"coder,1\nH\xe9l\xe8ne,1\nPaul,1\n").unwrap();
        assert_eq!(r.matrix.coders(), ["Hélène", "Paul"]);
    }
}
