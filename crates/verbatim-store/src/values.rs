//! Typed attribute values: parsing, canonical forms and type inference.
//!
//! Rosters arrive from spreadsheets typed by hand, in French or English:
//! `3,5` and `3.5`, `12/03/2024` and `2024-03-12`, `oui` and `yes`. Each
//! value is checked against its attribute's type once, when it enters the
//! study, and stored in one canonical text form (numbers as Rust writes
//! them, dates as `YYYY-MM-DD`, booleans as `true`/`false`), so every later
//! reader can trust it.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The type of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttrType {
    /// Free text.
    Text,
    /// A number (integer or decimal).
    Number,
    /// A calendar date.
    Date,
    /// Yes or no.
    Boolean,
    /// One of a fixed list of values.
    Category,
}

impl AttrType {
    /// Returns the type's stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::Text => "text",
            AttrType::Number => "number",
            AttrType::Date => "date",
            AttrType::Boolean => "boolean",
            AttrType::Category => "category",
        }
    }

    /// Returns what a value of this type is, for error messages.
    fn described(self) -> &'static str {
        match self {
            AttrType::Text => "a text",
            AttrType::Number => "a number",
            AttrType::Date => "a date (2024-03-12 or 12/03/2024)",
            AttrType::Boolean => "yes or no (yes/no, oui/non, true/false)",
            AttrType::Category => "one of the allowed values",
        }
    }

    /// Returns the canonical form of `raw`, or why it is not of this type.
    /// Categories are checked against `allowed` (case-insensitively; the
    /// allowed spelling is kept).
    pub fn canonical(self, raw: &str, allowed: &[String]) -> Result<String, String> {
        let raw = raw.trim();
        let refused = || format!("{raw:?} is not {}", self.described());
        match self {
            AttrType::Text => Ok(raw.to_owned()),
            AttrType::Number => parse_number(raw).map(format_number).ok_or_else(refused),
            AttrType::Date => parse_date(raw).ok_or_else(refused),
            AttrType::Boolean => parse_bool(raw).map(|b| b.to_string()).ok_or_else(refused),
            AttrType::Category => allowed
                .iter()
                .find(|a| a.to_lowercase() == raw.to_lowercase())
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "{raw:?} is not one of the allowed values ({})",
                        allowed.join(", ")
                    )
                }),
        }
    }
}

impl fmt::Display for AttrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AttrType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "text" => Ok(AttrType::Text),
            "number" => Ok(AttrType::Number),
            "date" => Ok(AttrType::Date),
            "boolean" | "bool" => Ok(AttrType::Boolean),
            "category" => Ok(AttrType::Category),
            other => Err(format!(
                "unknown attribute type {other:?}: use text, number, date, boolean or category"
            )),
        }
    }
}

/// Returns `fraction` (0.125) as a whole percentage rounded half up (13):
/// how a paper prints it, where Rust's formatting would round half to even
/// (12.5 → "12"). The fraction is first rounded to nine decimals so that a
/// value meant as 12.5 % but computed as 12.4999999 % still goes up.
pub fn percent_half_up(fraction: f64) -> i64 {
    let hundredths = (fraction * 100.0 * 1e9).round() / 1e9;
    (hundredths + 0.5).floor() as i64
}

/// Returns `n` out of `of` as a whole percentage rounded half up, computed
/// on integers (1 of 8 → 13); 0 when `of` is 0.
pub fn count_percent(n: usize, of: usize) -> i64 {
    if of == 0 {
        return 0;
    }
    let (n, of) = (n as u128, of as u128);
    i64::try_from((200 * n + of) / (2 * of)).unwrap_or(i64::MAX)
}

/// Returns a whole percentage as every report and table prints it:
/// `13 %`.
pub fn percent_text(percent: i64) -> String {
    format!("{percent} %")
}

/// Returns the number written in `raw` (`3.5`, `3,5`, `-2`), if any.
pub(crate) fn parse_number(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    if raw.is_empty() || raw.contains(',') && raw.contains('.') {
        return None;
    }
    let n: f64 = raw.replace(',', ".").parse().ok()?;
    n.is_finite().then_some(n)
}

/// Returns a number in its canonical text form: integers without a
/// fractional part.
pub(crate) fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Returns the date written in `raw` as `YYYY-MM-DD`: ISO `2024-03-12` or
/// day-first `12/03/2024`.
pub(crate) fn parse_date(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let parts: Vec<&str>;
    let (y, m, d) = if raw.contains('-') {
        parts = raw.split('-').collect();
        match parts.as_slice() {
            [y, m, d] if y.len() == 4 => (*y, *m, *d),
            _ => return None,
        }
    } else {
        parts = raw.split('/').collect();
        match parts.as_slice() {
            [d, m, y] if y.len() == 4 => (*y, *m, *d),
            _ => return None,
        }
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit());
    if !(digits(y) && digits(m) && digits(d)) {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (d >= 1 && d <= days).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Returns the yes/no written in `raw`, in English or French.
pub(crate) fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "yes" | "oui" | "true" | "vrai" => Some(true),
        "no" | "non" | "false" | "faux" => Some(false),
        _ => None,
    }
}

/// The most distinct values a column may hold and still be read as a
/// category.
const MAX_CATEGORIES: usize = 12;

/// Returns the type a column's non-empty values suggest: boolean, number or
/// date when every value is one; category when few distinct values repeat
/// (at most twelve, and at most two thirds of the values); text otherwise.
pub(crate) fn infer(values: &[&str]) -> AttrType {
    let values: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return AttrType::Text;
    }
    if values.iter().all(|v| parse_bool(v).is_some()) {
        return AttrType::Boolean;
    }
    if values.iter().all(|v| parse_number(v).is_some()) {
        return AttrType::Number;
    }
    if values.iter().all(|v| parse_date(v).is_some()) {
        return AttrType::Date;
    }
    let distinct = distinct_values(&values).len();
    if distinct <= MAX_CATEGORIES && distinct * 3 <= values.len() * 2 {
        AttrType::Category
    } else {
        AttrType::Text
    }
}

/// Returns the distinct non-empty values, case-insensitively, in order of
/// first appearance.
pub(crate) fn distinct_values(values: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for v in values {
        let v = v.trim();
        if !v.is_empty() && seen.insert(v.to_lowercase()) {
            out.push(v.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_one_canonical_form() {
        assert_eq!(AttrType::Number.canonical("3,5", &[]).unwrap(), "3.5");
        assert_eq!(AttrType::Number.canonical(" 42 ", &[]).unwrap(), "42");
        assert_eq!(
            AttrType::Date.canonical("12/03/2024", &[]).unwrap(),
            "2024-03-12"
        );
        assert_eq!(
            AttrType::Date.canonical("2024-03-12", &[]).unwrap(),
            "2024-03-12"
        );
        assert_eq!(AttrType::Boolean.canonical("Oui", &[]).unwrap(), "true");
        let allowed = vec!["F".to_owned(), "M".to_owned()];
        assert_eq!(AttrType::Category.canonical("f", &allowed).unwrap(), "F");
    }

    #[test]
    fn wrong_values_are_refused_with_a_clear_reason() {
        assert_eq!(
            AttrType::Number.canonical("quarante", &[]).unwrap_err(),
            "\"quarante\" is not a number"
        );
        assert!(AttrType::Date.canonical("31/02/2024", &[]).is_err());
        assert!(AttrType::Date.canonical("2024-13-01", &[]).is_err());
        assert!(AttrType::Boolean.canonical("peut-être", &[]).is_err());
        let allowed = vec!["F".to_owned(), "M".to_owned()];
        assert_eq!(
            AttrType::Category.canonical("X", &allowed).unwrap_err(),
            "\"X\" is not one of the allowed values (F, M)"
        );
    }

    /// Half up, not half to even: 1/8 = 12.5 % prints 13 %, 3/8 = 37.5 %
    /// prints 38 %, 1/3 = 33.3 % prints 33 %.
    #[test]
    fn percentages_round_half_up() {
        assert_eq!(count_percent(1, 8), 13);
        assert_eq!(count_percent(3, 8), 38);
        assert_eq!(count_percent(1, 3), 33);
        assert_eq!(count_percent(2, 3), 67);
        assert_eq!(count_percent(0, 0), 0);
        assert_eq!(percent_half_up(0.125), 13);
        assert_eq!(percent_half_up(0.145), 15);
        assert_eq!(percent_half_up(0.8749), 87);
        assert_eq!(percent_text(count_percent(1, 8)), "13 %");
    }

    #[test]
    fn column_types_are_inferred() {
        assert_eq!(infer(&["34", "41,5", ""]), AttrType::Number);
        assert_eq!(infer(&["2024-03-12", "12/03/2024"]), AttrType::Date);
        assert_eq!(infer(&["oui", "non", "Yes"]), AttrType::Boolean);
        assert_eq!(infer(&["F", "M", "F", "F"]), AttrType::Category);
        assert_eq!(
            infer(&["infirmière", "psychiatre", "éducateur", "médecin"]),
            AttrType::Text
        );
    }
}
