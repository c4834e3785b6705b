//! Speaker turns carried through a REFI-QDA project.
//!
//! The standard has no element for who speaks when: a tool that does not
//! know a transcript's conventions sees one text. verbatim writes a source's
//! turns into the source's `Description` as one marker other tools show as
//! a note and never act on:
//!
//! ```text
//! [verbatim:turns chars=1234 [["INT",0,52,4000,null],[null,54,80,null,null]]]
//! ```
//!
//! Each entry is `[speaker or null, start, end, begin_ms, end_ms]`, positions
//! in Unicode chars of the source's text (not the UTF-16 units selections
//! may use), and `chars` is that text's length, so a text changed by another
//! tool is noticed and its turns found again from the labels instead.

use serde_json::{Value, json};
use verbatim_core::{Span, Turn};
use verbatim_store::TurnRecord;

/// The marker's opening, up to the text's length.
pub(crate) const MARKER: &str = "[verbatim:turns chars=";

/// Returns the marker holding `turns` of a text of `chars` chars, or `None`
/// when the source has no turns.
pub(crate) fn encode(turns: &[TurnRecord], chars: usize) -> Option<String> {
    if turns.is_empty() {
        return None;
    }
    let list: Vec<Value> = turns
        .iter()
        .map(|t| json!([t.speaker, t.start, t.end, t.begin_ms, t.end_ms]))
        .collect();
    Some(format!("{MARKER}{chars} {}]", Value::Array(list)))
}

/// Returns the turns a description's marker carries for a text of `chars`
/// chars; `None` without a marker, `Some(Err(why))` when it cannot be used.
pub(crate) fn decode(description: &str, chars: usize) -> Option<Result<Vec<Turn>, String>> {
    let start = description.find(MARKER)? + MARKER.len();
    let rest = description.get(start..)?;
    let end = rest.rfind(']')?;
    let body = rest.get(..end)?;
    Some(parse(body, chars))
}

/// Parses `chars=N [...]` after the marker's opening.
fn parse(body: &str, chars: usize) -> Result<Vec<Turn>, String> {
    let (count, list) = body
        .split_once(' ')
        .ok_or_else(|| "its turn marker is incomplete".to_owned())?;
    if count.parse::<usize>().ok() != Some(chars) {
        return Err("its text changed since verbatim exported it".into());
    }
    let list: Vec<(Option<String>, usize, usize, Option<u64>, Option<u64>)> =
        serde_json::from_str(list).map_err(|e| format!("its turn marker is unreadable ({e})"))?;
    list.into_iter()
        .map(|(speaker, start, end, begin_ms, end_ms)| {
            Ok(Turn {
                speaker: speaker.filter(|s| !s.is_empty()),
                span: Span::new(start, end).map_err(|e| e.to_string())?,
                begin_ms,
                end_ms,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_survive_their_marker() {
        let turns = vec![
            TurnRecord {
                speaker: Some("Sonia Martin (ENQ)".into()),
                start: 0,
                end: 12,
                begin_ms: Some(4_000),
                end_ms: None,
            },
            TurnRecord {
                speaker: None,
                start: 13,
                end: 20,
                begin_ms: Some(5_000),
                end_ms: Some(6_500),
            },
        ];
        let marker = encode(&turns, 20).unwrap();
        let description = format!("Entretien de groupe. {marker}");
        let back = decode(&description, 20).unwrap().unwrap();
        let got: Vec<_> = back
            .iter()
            .map(|t| (t.speaker.clone(), t.span.start(), t.span.end(), t.begin_ms, t.end_ms))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("Sonia Martin (ENQ)".into()), 0, 12, Some(4_000), None),
                (None, 13, 20, Some(5_000), Some(6_500)),
            ]
        );
        assert!(decode(&description, 21).unwrap().is_err());
        assert!(decode("Une note.", 20).is_none());
        assert!(encode(&[], 20).is_none());
    }
}
