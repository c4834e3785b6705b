//! Finding speaker labels at the start of blocks (first version: `NAME :`
//! labels that recur; the full detector replaces it).

use std::str::FromStr;

use regex::Regex;

use crate::IngestError;

/// How speaker turns are found in a transcript.
#[derive(Debug, Clone, Default)]
pub enum SpeakerMode {
    /// Recognise the label styles transcripts really use.
    #[default]
    Auto,
    /// Do not look for speakers: the source has no turns.
    None,
    /// A user's regular expression, matched at the start of each line; its
    /// `speaker` named group (or its first group) is the label, and the turn's
    /// speech starts where the match ends.
    Pattern(Regex),
}

impl FromStr for SpeakerMode {
    type Err = IngestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(SpeakerMode::Auto),
            "none" => Ok(SpeakerMode::None),
            pattern => {
                let regex = Regex::new(pattern)
                    .map_err(|e| IngestError::BadSpeakerPattern(e.to_string()))?;
                if regex.captures_len() < 2 {
                    return Err(IngestError::BadSpeakerPattern(
                        "it needs a group that captures the label, such as ^(\\w+):".into(),
                    ));
                }
                Ok(SpeakerMode::Pattern(regex))
            }
        }
    }
}

/// A speaker label found at the start of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Detected {
    /// The label, trimmed.
    pub label: String,
    /// Where the speech starts, in chars from the start of the block.
    pub content_start: usize,
    /// A timestamp written with the label, in milliseconds.
    pub begin_ms: Option<u64>,
}

/// Returns, for each block text, the speaker label it starts with, if any.
pub(crate) fn detect(texts: &[&str], mode: &SpeakerMode) -> Vec<Option<Detected>> {
    match mode {
        SpeakerMode::None => vec![None; texts.len()],
        SpeakerMode::Pattern(regex) => texts.iter().map(|t| by_pattern(regex, t)).collect(),
        SpeakerMode::Auto => auto(texts),
    }
}

fn by_pattern(regex: &Regex, text: &str) -> Option<Detected> {
    let caps = regex.captures(text)?;
    let whole = caps.get(0)?;
    if whole.start() != 0 {
        return None;
    }
    let label = caps
        .name("speaker")
        .or_else(|| caps.get(1))?
        .as_str()
        .trim();
    if label.is_empty() {
        return None;
    }
    let rest = &text[whole.end()..];
    let skipped = rest.len() - rest.trim_start().len();
    Some(Detected {
        label: label.to_owned(),
        content_start: text[..whole.end() + skipped].chars().count(),
        begin_ms: None,
    })
}

fn auto(texts: &[&str]) -> Vec<Option<Detected>> {
    // Invariant: the pattern is a literal known to compile.
    #[allow(clippy::unwrap_used)]
    let label =
        Regex::new(r"^\s*(?<speaker>[\p{Lu}\p{N}][\p{L}\p{N} ._'’-]{0,30}?)\s*:\s*").unwrap();
    let found: Vec<Option<Detected>> = texts.iter().map(|t| by_pattern(&label, t)).collect();
    let mut counts = std::collections::HashMap::<&str, usize>::new();
    for d in found.iter().flatten() {
        *counts.entry(d.label.as_str()).or_default() += 1;
    }
    let keep: Vec<bool> = found
        .iter()
        .map(|d| {
            d.as_ref()
                .is_some_and(|d| counts.get(d.label.as_str()).copied().unwrap_or(0) >= 2)
        })
        .collect();
    found
        .into_iter()
        .zip(keep)
        .map(|(d, k)| if k { d } else { None })
        .collect()
}
