//! Agreement coefficients on a reliability data matrix.
//!
//! Researchers report how far independent coders agree before they trust a
//! shared codebook, and journals ask for a named, reproducible coefficient.
//! This module computes the usual ones from a matrix of coders × units in
//! which any cell may be missing, with no I/O, so each can be checked
//! against the published worked examples (see the tests).
//!
//! Definitions (notation and sources in `shared/research/agreement.md` §5):
//!
//! - **Krippendorff's alpha** (Krippendorff 2011, "Computing Krippendorff's
//!   alpha-reliability"): coincidence matrix over *pairable* units (two or
//!   more values), `α = 1 − (n − 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck`, with the
//!   nominal, ordinal, interval and ratio difference functions.
//! - **Fleiss' kappa** (Fleiss 1971), in Gwet's (2014) form for missing
//!   ratings: observed agreement is the mean, over units rated at least
//!   twice, of the share of agreeing ordered rater pairs; chance agreement is
//!   `Σ π_k²`, with `π_k` the mean over rated units of each unit's share of
//!   ratings in `k`. With complete data it is exactly Fleiss' formula.
//! - **Cohen's kappa** (Cohen 1960) and **Scott's pi** (Scott 1955): two
//!   coders, on the units both rated; chance is the product of each coder's
//!   own marginals (Cohen) or of the pooled marginals (Scott).
//! - **Gwet's AC1** (Gwet 2008): observed agreement as for Fleiss, chance
//!   `Σ π_k (1 − π_k) / (q − 1)`.
//! - **Brennan & Prediger's kappa** (1981): chance `1 / q`, where `q` is the
//!   number of categories a coder could choose from; it may be larger than
//!   the number that occur, so callers can give it.
//! - **Percent agreement**: the observed agreement of Fleiss and Gwet; with
//!   two coders, the share of units both rated on which they agree.
//!
//! A coefficient whose chance term leaves nothing to improve on (no variation
//! in the data, `1 − p_e = 0` or `D_e = 0`) is [`Estimate::Undefined`], never
//! NaN, 0 or 1: a study where every coder chose the same category has shown
//! nothing about their agreement.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use thiserror::Error;

/// Differences smaller than this are treated as zero when deciding whether a
/// coefficient is defined (sums of products of proportions carry rounding).
const EPSILON: f64 = 1e-12;

/// Why the data cannot be used for a coefficient at all.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ReliabilityError {
    /// Occurs when a row of the matrix has a different number of units than
    /// the first row.
    #[error("coder \"{coder}\" has {found} units, expected {expected}")]
    RaggedRow {
        /// The coder whose row is too short or too long.
        coder: String,
        /// The number of cells in that row.
        found: usize,
        /// The number of units in the first row.
        expected: usize,
    },
    /// Occurs when a level of measurement that needs numbers (ordinal,
    /// interval, ratio) meets a value that is not one.
    #[error("the {level} level needs numeric values; \"{value}\" is not a number")]
    NotNumeric {
        /// The level asked for.
        level: Level,
        /// The first value that is not a number.
        value: String,
    },
    /// Occurs when the ratio level meets a negative value.
    #[error("the ratio level needs values of zero or more; {value} is negative")]
    NegativeRatio {
        /// The negative value.
        value: f64,
    },
    /// Occurs when a two-coder coefficient is asked of another number of
    /// coders.
    #[error("{statistic} compares exactly 2 coders; the data has {coders}")]
    NotTwoCoders {
        /// The coefficient asked for.
        statistic: Statistic,
        /// The number of coders in the data.
        coders: usize,
    },
    /// Occurs when the number of categories given is smaller than the number
    /// of distinct values in the data.
    #[error("{given} categories given, but the data uses {used} distinct values")]
    TooFewCategories {
        /// The number given.
        given: usize,
        /// The number of distinct values in the data.
        used: usize,
    },
    /// Occurs when a contingency table is not square.
    #[error(
        "the contingency table must be square; row {row} has {found} cells, expected {expected}"
    )]
    NotSquare {
        /// The 0-based row.
        row: usize,
        /// The cells in that row.
        found: usize,
        /// The number of rows.
        expected: usize,
    },
}

/// Levels of measurement of Krippendorff's alpha: they choose the
/// difference function `δ²` between two values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Categories with no order: `δ² = [c ≠ k]`.
    Nominal,
    /// Ranks: differences count the values lying between `c` and `k`.
    Ordinal,
    /// Numbers with meaningful differences: `δ² = (c − k)²`.
    Interval,
    /// Numbers with a true zero: `δ² = ((c − k)/(c + k))²`.
    Ratio,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Nominal => "nominal",
            Level::Ordinal => "ordinal",
            Level::Interval => "interval",
            Level::Ratio => "ratio",
        })
    }
}

/// The coefficients this module computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// Krippendorff's alpha.
    Alpha,
    /// Fleiss' kappa (any number of coders).
    Fleiss,
    /// Cohen's kappa (two coders).
    Cohen,
    /// Scott's pi (two coders).
    Scott,
    /// Gwet's AC1.
    Gwet,
    /// Brennan & Prediger's kappa.
    BrennanPrediger,
    /// Percent agreement.
    Percent,
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Statistic::Alpha => "Krippendorff's alpha",
            Statistic::Fleiss => "Fleiss' kappa",
            Statistic::Cohen => "Cohen's kappa",
            Statistic::Scott => "Scott's pi",
            Statistic::Gwet => "Gwet's AC1",
            Statistic::BrennanPrediger => "Brennan & Prediger's kappa",
            Statistic::Percent => "percent agreement",
        })
    }
}

/// Reasons a coefficient has no value on some data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UndefinedReason {
    /// Every pairable value is the same (or chance agreement is 1), so the
    /// data cannot show agreement beyond chance.
    NoVariation,
    /// No unit has values from two coders.
    NoPairableUnits,
    /// Neither coder coded a single character of what was compared: there
    /// is nothing to agree on (never reported as 100 %).
    NothingCoded,
}

impl fmt::Display for UndefinedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UndefinedReason::NoVariation => "no variation",
            UndefinedReason::NoPairableUnits => "no pairable units",
            UndefinedReason::NothingCoded => "no passage coded by either coder",
        })
    }
}

/// The value of a coefficient, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Estimate {
    /// A defined value.
    Defined {
        /// The coefficient.
        value: f64,
    },
    /// No value exists for this data.
    Undefined {
        /// Why.
        reason: UndefinedReason,
    },
}

impl Estimate {
    /// Returns the value, or `None` when undefined.
    pub fn value(&self) -> Option<f64> {
        match self {
            Estimate::Defined { value } => Some(*value),
            Estimate::Undefined { .. } => None,
        }
    }

    /// Returns `(p_o − p_e) / (1 − p_e)`, undefined when `p_e` is 1.
    pub fn chance_corrected(observed: f64, expected: f64) -> Self {
        if (1.0 - expected).abs() <= EPSILON {
            Estimate::Undefined {
                reason: UndefinedReason::NoVariation,
            }
        } else {
            Estimate::Defined {
                value: (observed - expected) / (1.0 - expected),
            }
        }
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Estimate::Defined { value } => write!(f, "{value:.4}"),
            Estimate::Undefined { reason } => write!(f, "undefined ({reason})"),
        }
    }
}

/// A coefficient with what it was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outcome {
    /// The coefficient.
    pub statistic: Statistic,
    /// Its value or why it has none.
    pub estimate: Estimate,
    /// Observed agreement `p_o` (for alpha, `1 − D_o`); `None` when no unit
    /// is pairable.
    pub observed: Option<f64>,
    /// Chance agreement `p_e` (for alpha, `1 − D_e`).
    pub expected: Option<f64>,
    /// Units that entered the computation (pairable units).
    pub units: usize,
    /// Values that entered the computation (pairable values).
    pub values: usize,
}

impl Outcome {
    fn kappa_like(
        statistic: Statistic,
        observed: f64,
        expected: f64,
        units: usize,
        values: usize,
    ) -> Self {
        Self {
            statistic,
            estimate: Estimate::chance_corrected(observed, expected),
            observed: Some(observed),
            expected: Some(expected),
            units,
            values,
        }
    }

    fn no_pairable(statistic: Statistic) -> Self {
        Self {
            statistic,
            estimate: Estimate::Undefined {
                reason: UndefinedReason::NoPairableUnits,
            },
            observed: None,
            expected: None,
            units: 0,
            values: 0,
        }
    }
}

/// A reliability data matrix: coders × units, each cell a category or
/// missing.
///
/// Values are kept as text (`"2"`, `"anxiety"`) and numbered as categories;
/// the categories are sorted by number when every value is a number, else
/// as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    coders: Vec<String>,
    categories: Vec<String>,
    numeric: Option<Vec<f64>>,
    /// `cells[coder][unit]`, an index into `categories`.
    cells: Vec<Vec<Option<usize>>>,
    units: usize,
}

impl Matrix {
    /// Builds a matrix from one row per coder: the coder's name and one
    /// optional value per unit. Every row must have the same length.
    pub fn new(rows: Vec<(String, Vec<Option<String>>)>) -> Result<Self, ReliabilityError> {
        let units = rows.first().map_or(0, |(_, cells)| cells.len());
        let mut distinct: Vec<String> = Vec::new();
        for (coder, cells) in &rows {
            if cells.len() != units {
                return Err(ReliabilityError::RaggedRow {
                    coder: coder.clone(),
                    found: cells.len(),
                    expected: units,
                });
            }
            distinct.extend(cells.iter().flatten().cloned());
        }
        distinct.sort();
        distinct.dedup();
        let parsed: Option<Vec<f64>> = distinct
            .iter()
            .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect();
        let (categories, numeric) = match parsed {
            // No value at all counts as numeric: nothing contradicts it.
            Some(numbers) => {
                let mut pairs: Vec<(f64, String)> = numbers.into_iter().zip(distinct).collect();
                pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                let (numbers, labels): (Vec<f64>, Vec<String>) = pairs.into_iter().unzip();
                (labels, Some(numbers))
            }
            _ => (distinct, None),
        };
        let index: BTreeMap<&str, usize> = categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let mut coders = Vec::with_capacity(rows.len());
        let mut cells_out = Vec::with_capacity(rows.len());
        for (coder, cells) in &rows {
            coders.push(coder.clone());
            cells_out.push(
                cells
                    .iter()
                    .map(|c| c.as_deref().and_then(|c| index.get(c).copied()))
                    .collect(),
            );
        }
        Ok(Self {
            coders,
            categories,
            numeric,
            cells: cells_out,
            units,
        })
    }

    /// Builds a two-coder matrix from a contingency table: `table[i][j]`
    /// units put in category `i` by the first coder and `j` by the second.
    /// Categories are named `0`, `1`, … in table order.
    pub fn from_table(table: &[Vec<usize>]) -> Result<Self, ReliabilityError> {
        check_square(table)?;
        let mut first = Vec::new();
        let mut second = Vec::new();
        for (i, row) in table.iter().enumerate() {
            for (j, &count) in row.iter().enumerate() {
                for _ in 0..count {
                    first.push(Some(i.to_string()));
                    second.push(Some(j.to_string()));
                }
            }
        }
        Self::new(vec![("1".to_owned(), first), ("2".to_owned(), second)])
    }

    /// Returns the coders' names, in row order.
    pub fn coders(&self) -> &[String] {
        &self.coders
    }

    /// Returns the distinct values, in category order.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// Returns the number of units (columns).
    pub fn units(&self) -> usize {
        self.units
    }

    /// Returns the per-unit counts of values in each category, for units
    /// with at least one value.
    fn unit_counts(&self) -> Vec<Vec<usize>> {
        let q = self.categories.len();
        let mut out = Vec::with_capacity(self.units);
        for u in 0..self.units {
            let mut counts = vec![0usize; q];
            let mut any = false;
            for row in &self.cells {
                if let Some(c) = row[u] {
                    counts[c] += 1;
                    any = true;
                }
            }
            if any {
                out.push(counts);
            }
        }
        out
    }

    /// Returns the two coders' contingency table over the units both rated.
    fn pair_table(&self, statistic: Statistic) -> Result<Vec<Vec<f64>>, ReliabilityError> {
        let [a, b] = self.cells.as_slice() else {
            return Err(ReliabilityError::NotTwoCoders {
                statistic,
                coders: self.cells.len(),
            });
        };
        let q = self.categories.len();
        let mut table = vec![vec![0.0; q]; q];
        for (x, y) in a.iter().zip(b) {
            if let (Some(x), Some(y)) = (x, y) {
                table[*x][*y] += 1.0;
            }
        }
        Ok(table)
    }
}

/// Refuses a table that is not square, naming the first short or long row.
fn check_square<T>(table: &[Vec<T>]) -> Result<(), ReliabilityError> {
    for (row, cells) in table.iter().enumerate() {
        if cells.len() != table.len() {
            return Err(ReliabilityError::NotSquare {
                row,
                found: cells.len(),
                expected: table.len(),
            });
        }
    }
    Ok(())
}

/// Computes Krippendorff's alpha at the given level of measurement.
///
/// Units with fewer than two values are left out (they are not pairable).
/// At the nominal level `observed` and `expected` of the outcome are the
/// shares of agreeing pairs `1 − D_o` and `1 − D_e`, so that
/// `α = (p_o − p_e)/(1 − p_e)`; at other levels they are `None`.
pub fn krippendorff_alpha(data: &Matrix, level: Level) -> Result<Outcome, ReliabilityError> {
    let numbers = level_numbers(data, level)?;
    let (o, units) = coincidences(data);
    if units == 0 {
        return Ok(Outcome::no_pairable(Statistic::Alpha));
    }
    let n_c: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = n_c.iter().sum();
    let (d_o, d_e) = disagreements(&o, &n_c, |c, k| difference(level, numbers, &n_c, c, k));
    // Normalised so that both are shares of n: D_o / n and D_e / (n (n − 1)).
    let d_o = d_o / n;
    let d_e = d_e / (n * (n - 1.0));
    let values = n.round() as usize;
    let estimate = if d_e.abs() <= EPSILON {
        Estimate::Undefined {
            reason: UndefinedReason::NoVariation,
        }
    } else {
        Estimate::Defined {
            value: 1.0 - d_o / d_e,
        }
    };
    // Agreement shares are meaningful only when a difference is 0 or 1.
    let nominal = level == Level::Nominal;
    Ok(Outcome {
        statistic: Statistic::Alpha,
        estimate,
        observed: nominal.then_some(1.0 - d_o),
        expected: nominal.then_some(1.0 - d_e),
        units,
        values,
    })
}

/// The categories' numbers a level above nominal needs, refusing values that
/// are not numbers (or negative ones at the ratio level); `None` at the
/// nominal level.
fn level_numbers(data: &Matrix, level: Level) -> Result<Option<&[f64]>, ReliabilityError> {
    if level == Level::Nominal {
        return Ok(None);
    }
    let Some(numbers) = data.numeric.as_deref() else {
        let value = data
            .categories
            .iter()
            .find(|c| c.trim().parse::<f64>().is_err())
            .cloned()
            .unwrap_or_default();
        return Err(ReliabilityError::NotNumeric { level, value });
    };
    if level == Level::Ratio
        && let Some(&value) = numbers.iter().find(|&&x| x < 0.0)
    {
        return Err(ReliabilityError::NegativeRatio { value });
    }
    Ok(Some(numbers))
}

/// The coincidence matrix over the pairable units (those with two values or
/// more), each unit's pairs weighted by `1 / (m_u − 1)`, and how many units
/// were pairable.
fn coincidences(data: &Matrix) -> (Vec<Vec<f64>>, usize) {
    let q = data.categories.len();
    let mut o = vec![vec![0.0f64; q]; q];
    let mut units = 0usize;
    for counts in data.unit_counts() {
        let m_u: usize = counts.iter().sum();
        if m_u < 2 {
            continue;
        }
        units += 1;
        let w = 1.0 / (m_u as f64 - 1.0);
        for c in 0..q {
            if counts[c] == 0 {
                continue;
            }
            for k in 0..q {
                let pairs = if c == k {
                    counts[c] * (counts[c] - 1)
                } else {
                    counts[c] * counts[k]
                };
                if pairs > 0 {
                    o[c][k] += pairs as f64 * w;
                }
            }
        }
    }
    (o, units)
}

/// The squared difference δ²(c, k) between two categories at `level`
/// (`numbers` are the categories' values, `n_c` their marginal totals).
fn difference(level: Level, numbers: Option<&[f64]>, n_c: &[f64], c: usize, k: usize) -> f64 {
    if c == k {
        return 0.0;
    }
    match (level, numbers) {
        (Level::Nominal, _) | (_, None) => 1.0,
        (Level::Interval, Some(v)) => (v[c] - v[k]).powi(2),
        (Level::Ratio, Some(v)) => {
            let sum = v[c] + v[k];
            if sum == 0.0 {
                0.0
            } else {
                ((v[c] - v[k]) / sum).powi(2)
            }
        }
        (Level::Ordinal, Some(_)) => {
            let (lo, hi) = if c < k { (c, k) } else { (k, c) };
            let between: f64 = n_c[lo..=hi].iter().sum();
            (between - (n_c[c] + n_c[k]) / 2.0).powi(2)
        }
    }
}

/// The observed and expected disagreement sums, before normalisation:
/// `Σ o_ck δ²` and `Σ n_c n_k δ²` over the pairs of distinct categories.
fn disagreements(o: &[Vec<f64>], n_c: &[f64], delta: impl Fn(usize, usize) -> f64) -> (f64, f64) {
    let q = n_c.len();
    let mut d_o = 0.0;
    let mut d_e = 0.0;
    for c in 0..q {
        for k in 0..q {
            if c == k {
                continue;
            }
            let d = delta(c, k);
            d_o += o[c][k] * d;
            d_e += n_c[c] * n_c[k] * d;
        }
    }
    (d_o, d_e)
}

/// The terms Fleiss' kappa, Gwet's AC1, Brennan & Prediger and percent
/// agreement share (Gwet 2014, for any number of raters and missing values).
struct MultiRater {
    /// Observed agreement over units rated at least twice.
    observed: f64,
    /// `π_k` over units rated at least once.
    pi: Vec<f64>,
    /// Units rated at least twice.
    units: usize,
    /// Values in those units.
    values: usize,
}

fn multi_rater(data: &Matrix) -> Option<MultiRater> {
    let counts = data.unit_counts();
    let q = data.categories.len();
    let mut pi = vec![0.0; q];
    let mut agreement = 0.0;
    let mut units = 0;
    let mut values = 0;
    for unit in &counts {
        let r: usize = unit.iter().sum();
        for (p, &c) in pi.iter_mut().zip(unit) {
            *p += c as f64 / r as f64;
        }
        if r >= 2 {
            let agreeing: usize = unit.iter().map(|&c| c * c.saturating_sub(1)).sum();
            agreement += agreeing as f64 / (r * (r - 1)) as f64;
            units += 1;
            values += r;
        }
    }
    if units == 0 {
        return None;
    }
    let rated = counts.len() as f64;
    for p in &mut pi {
        *p /= rated;
    }
    Some(MultiRater {
        observed: agreement / units as f64,
        pi,
        units,
        values,
    })
}

/// Computes Fleiss' kappa for any number of coders, with missing values as
/// in Gwet (2014).
pub fn fleiss_kappa(data: &Matrix) -> Outcome {
    let Some(m) = multi_rater(data) else {
        return Outcome::no_pairable(Statistic::Fleiss);
    };
    let expected = m.pi.iter().map(|p| p * p).sum();
    Outcome::kappa_like(Statistic::Fleiss, m.observed, expected, m.units, m.values)
}

/// Computes Gwet's AC1 for any number of coders. `categories` is the number
/// of categories coders could choose from; `None` uses those that occur.
pub fn gwet_ac1(data: &Matrix, categories: Option<usize>) -> Result<Outcome, ReliabilityError> {
    let q = category_count(data, categories)?;
    let Some(m) = multi_rater(data) else {
        return Ok(Outcome::no_pairable(Statistic::Gwet));
    };
    if q < 2 {
        return Ok(Outcome {
            estimate: Estimate::Undefined {
                reason: UndefinedReason::NoVariation,
            },
            observed: Some(m.observed),
            ..Outcome::no_pairable(Statistic::Gwet)
        }
        .with_counts(m.units, m.values));
    }
    let expected = m.pi.iter().map(|p| p * (1.0 - p)).sum::<f64>() / (q as f64 - 1.0);
    Ok(Outcome::kappa_like(
        Statistic::Gwet,
        m.observed,
        expected,
        m.units,
        m.values,
    ))
}

/// Computes Brennan & Prediger's kappa (chance `1/q`) for any number of
/// coders. `categories` is `q`; `None` uses the number that occur.
pub fn brennan_prediger(
    data: &Matrix,
    categories: Option<usize>,
) -> Result<Outcome, ReliabilityError> {
    let q = category_count(data, categories)?;
    let Some(m) = multi_rater(data) else {
        return Ok(Outcome::no_pairable(Statistic::BrennanPrediger));
    };
    let expected = if q == 0 { 1.0 } else { 1.0 / q as f64 };
    Ok(Outcome::kappa_like(
        Statistic::BrennanPrediger,
        m.observed,
        expected,
        m.units,
        m.values,
    ))
}

/// Computes percent agreement (as a proportion, 0 to 1) for any number of
/// coders: the mean over units rated at least twice of the share of
/// agreeing coder pairs.
pub fn percent_agreement(data: &Matrix) -> Outcome {
    let Some(m) = multi_rater(data) else {
        return Outcome::no_pairable(Statistic::Percent);
    };
    Outcome {
        statistic: Statistic::Percent,
        estimate: Estimate::Defined { value: m.observed },
        observed: Some(m.observed),
        expected: None,
        units: m.units,
        values: m.values,
    }
}

/// Computes Cohen's kappa of exactly two coders on the units both rated.
pub fn cohen_kappa(data: &Matrix) -> Result<Outcome, ReliabilityError> {
    let table = data.pair_table(Statistic::Cohen)?;
    cohen_kappa_table(&table)
}

/// Computes Scott's pi of exactly two coders on the units both rated.
pub fn scott_pi(data: &Matrix) -> Result<Outcome, ReliabilityError> {
    let table = data.pair_table(Statistic::Scott)?;
    scott_pi_table(&table)
}

/// Computes Cohen's kappa from a square contingency table of counts (which
/// may be weights or character counts, hence `f64`).
pub fn cohen_kappa_table(table: &[Vec<f64>]) -> Result<Outcome, ReliabilityError> {
    two_coder_table(table, Statistic::Cohen)
}

/// Computes Scott's pi from a square contingency table of counts.
pub fn scott_pi_table(table: &[Vec<f64>]) -> Result<Outcome, ReliabilityError> {
    two_coder_table(table, Statistic::Scott)
}

fn two_coder_table(table: &[Vec<f64>], statistic: Statistic) -> Result<Outcome, ReliabilityError> {
    check_square(table)?;
    let total: f64 = table.iter().flatten().sum();
    if total <= 0.0 {
        return Ok(Outcome::no_pairable(statistic));
    }
    let q = table.len();
    let rows: Vec<f64> = table
        .iter()
        .map(|r| r.iter().sum::<f64>() / total)
        .collect();
    let cols: Vec<f64> = (0..q)
        .map(|j| table.iter().map(|r| r[j]).sum::<f64>() / total)
        .collect();
    let observed: f64 = (0..q).map(|i| table[i][i]).sum::<f64>() / total;
    let expected: f64 = match statistic {
        Statistic::Scott => rows
            .iter()
            .zip(&cols)
            .map(|(r, c)| ((r + c) / 2.0).powi(2))
            .sum(),
        _ => rows.iter().zip(&cols).map(|(r, c)| r * c).sum(),
    };
    let units = total.round() as usize;
    Ok(Outcome::kappa_like(
        statistic,
        observed,
        expected,
        units,
        2 * units,
    ))
}

fn category_count(data: &Matrix, given: Option<usize>) -> Result<usize, ReliabilityError> {
    let used = data.categories.len();
    match given {
        None => Ok(used),
        Some(given) if given < used => Err(ReliabilityError::TooFewCategories { given, used }),
        Some(given) => Ok(given),
    }
}

impl Outcome {
    fn with_counts(mut self, units: usize, values: usize) -> Self {
        self.units = units;
        self.values = values;
        self
    }
}

#[cfg(test)]
mod tests;
