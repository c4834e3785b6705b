//! What speaker detection left out, told to the user after an import.
//!
//! Detection is cautious: a name must recur or read as a role or a code, so
//! prose such as `Alors : on y va` never opens a turn. The price is that a
//! speaker written once, or a label the detector cannot read, folds its
//! words silently into the previous turn. This module looks at the result
//! instead of the input: it counts the lines that start like a label (a name
//! and a colon, a bracketed name) but open no turn, and the labels one or
//! two letters away from a far more frequent one (`Checheur` beside
//! `Chercheur`), so the user can re-detect or merge them.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use verbatim_core::NormalisedSource;

use crate::speakers::{is_header_value, label_like};

/// What speaker detection may have missed in one source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct LabelReport {
    /// Lines that start like a speaker label but open no turn.
    pub unclaimed: usize,
    /// The first of them, as written (at most 80 chars).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// Labels that are likely typos of a more frequent label.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub typos: Vec<LikelyTypo>,
}

impl LabelReport {
    /// Returns whether there is nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.unclaimed == 0 && self.typos.is_empty()
    }
}

/// A label one or two letters away from a label used far more often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct LikelyTypo {
    /// The rare label.
    pub label: String,
    /// Its turns.
    pub turns: usize,
    /// The frequent label it probably means.
    pub likely: String,
    /// The frequent label's turns.
    pub likely_turns: usize,
}

/// Returns what detection may have missed in `source` (see the module docs).
pub fn label_report(source: &NormalisedSource) -> LabelReport {
    let (unclaimed, example) = unclaimed_lines(source);
    LabelReport {
        unclaimed,
        example,
        typos: likely_typos(source),
    }
}

/// Returns how many lines start like a label but open no turn, and the
/// first. Header lines before the first turn (`Participant : CHI-1
/// (infirmier)`) describe the interview and are not counted.
fn unclaimed_lines(source: &NormalisedSource) -> (usize, Option<String>) {
    let starts: HashSet<usize> = source.turns().iter().map(|t| t.span.start()).collect();
    let first_turn = source
        .turns()
        .first()
        .map_or(source.chars(), |t| t.span.start());
    let chars: Vec<char> = source.text().chars().collect();
    let mut count = 0;
    let mut example = None;
    let mut line_start = 0usize;
    for line in source.text().split('\n') {
        let line_chars = line.chars().count();
        if let Some((_, content_start)) = label_like(line)
            && !(line_start < first_turn && is_header_value(line, content_start))
        {
            let mut speech = line_start + content_start;
            while chars.get(speech).is_some_and(|c| c.is_whitespace()) {
                speech += 1;
            }
            if !starts.contains(&speech) {
                count += 1;
                example.get_or_insert_with(|| line.trim().chars().take(80).collect());
            }
        }
        line_start += line_chars + 1;
    }
    (count, example)
}

/// Returns the labels one or two letters from a label with at least three
/// turns and twice as many. Labels that differ only by digits (`P1`, `P2`,
/// `Speaker 1`, `Speaker 2`) are different speakers, and labels under five
/// letters are too short to tell a typo from another name.
fn likely_typos(source: &NormalisedSource) -> Vec<LikelyTypo> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for speaker in source.turns().iter().filter_map(|t| t.speaker.as_deref()) {
        let at = *index.entry(speaker).or_insert_with(|| {
            counts.push((speaker, 0));
            counts.len() - 1
        });
        if let Some(entry) = counts.get_mut(at) {
            entry.1 += 1;
        }
    }
    let mut typos = Vec::new();
    for &(rare, rare_turns) in &counts {
        let best = counts
            .iter()
            .filter(|(frequent, turns)| {
                *frequent != rare
                    && *turns >= 3
                    && *turns >= 2 * rare_turns
                    && could_be_typo(rare, frequent)
            })
            .max_by_key(|(_, turns)| *turns);
        if let Some(&(likely, likely_turns)) = best {
            typos.push(LikelyTypo {
                label: rare.to_owned(),
                turns: rare_turns,
                likely: likely.to_owned(),
                likely_turns,
            });
        }
    }
    typos
}

/// Returns whether `a` is one or two letters from `b` (see [`likely_typos`]).
fn could_be_typo(a: &str, b: &str) -> bool {
    let letters = |s: &str| -> Vec<char> {
        s.to_lowercase()
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect()
    };
    let (la, lb) = (letters(a), letters(b));
    if la == lb || la.len() < 5 || lb.len() < 5 {
        return false;
    }
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    (1..=2).contains(&edit_distance(&a, &b))
}

/// Returns the Levenshtein distance between two char sequences.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}
