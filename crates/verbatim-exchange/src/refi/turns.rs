//! Speaker turns carried through a REFI-QDA project.
//!
//! The standard has no element for who speaks when: a tool that does not
//! know a transcript's conventions sees one text. verbatim writes a source's
//! turns and explicit speaker mappings into the source's `Description` as
//! one marker other tools show as a note and never act on:
//!
//! ```text
//! [verbatim:turns chars=1234 {"turns":[["INT",0,52,4000,null],[null,54,80,null,null]],
//!                             "map":[["Marie","<case GUID>"],["INT",null]]}]
//! ```
//!
//! A turn is `[speaker or null, start, end, begin_ms, end_ms]`, positions in
//! Unicode chars of the source's text (not the UTF-16 units selections may
//! use); a mapping is `[label, case GUID or null for an interviewer]`.
//! `chars` is the text's length, so a text changed by another tool is
//! noticed and its turns found again from the labels instead.

use serde::{Deserialize, Serialize};
use verbatim_core::{Span, Turn};
use verbatim_store::TurnRecord;

/// The marker's opening, up to the text's length.
pub(crate) const MARKER: &str = "[verbatim:turns chars=";

/// What a source's marker carries back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Carried {
    /// The turns.
    pub turns: Vec<Turn>,
    /// Explicit mappings: `(label, case GUID)`, `None` for an interviewer.
    pub map: SpeakerMap,
}

/// One turn in the marker: `[speaker, start, end, begin_ms, end_ms]`.
type TurnEntry = (Option<String>, usize, usize, Option<u64>, Option<u64>);

/// Explicit mappings: `(label, case GUID)`, `None` for an interviewer.
pub(crate) type SpeakerMap = Vec<(String, Option<String>)>;

/// The marker's JSON.
#[derive(Serialize, Deserialize)]
struct Body {
    turns: Vec<TurnEntry>,
    #[serde(default)]
    map: SpeakerMap,
}

/// Returns the marker holding `turns` and the explicit mappings `map` of a
/// text of `chars` chars, or `None` when there is nothing to carry.
pub(crate) fn encode(turns: &[TurnRecord], map: SpeakerMap, chars: usize) -> Option<String> {
    if turns.is_empty() && map.is_empty() {
        return None;
    }
    let pos = |v: i64| usize::try_from(v).unwrap_or(0);
    let ms = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
    let body = Body {
        turns: turns
            .iter()
            .map(|t| {
                (
                    t.speaker.clone(),
                    pos(t.start),
                    pos(t.end),
                    ms(t.begin_ms),
                    ms(t.end_ms),
                )
            })
            .collect(),
        map,
    };
    let json = serde_json::to_string(&body).ok()?;
    Some(format!("{MARKER}{chars} {json}]"))
}

/// Returns what a description's marker carries for a text of `chars`
/// chars; `None` without a marker, `Some(Err(why))` when it cannot be used.
pub(crate) fn decode(description: &str, chars: usize) -> Option<Result<Carried, String>> {
    let start = description.find(MARKER)? + MARKER.len();
    let rest = description.get(start..)?;
    let end = rest.rfind(']')?;
    let body = rest.get(..end)?;
    Some(parse(body, chars))
}

/// Parses `N {...}` after the marker's opening.
fn parse(body: &str, chars: usize) -> Result<Carried, String> {
    let (count, json) = body
        .split_once(' ')
        .ok_or_else(|| "its turn marker is incomplete".to_owned())?;
    if count.parse::<usize>().ok() != Some(chars) {
        return Err("its text changed since verbatim exported it".into());
    }
    let body: Body =
        serde_json::from_str(json).map_err(|e| format!("its turn marker is unreadable ({e})"))?;
    let turns = body
        .turns
        .into_iter()
        .map(|(speaker, start, end, begin_ms, end_ms)| {
            Ok(Turn {
                speaker: speaker.filter(|s| !s.is_empty()),
                span: Span::new(start, end).map_err(|e| e.to_string())?,
                begin_ms,
                end_ms,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Carried {
        turns,
        map: body.map,
    })
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
        let map = vec![
            ("Marie [P2]".to_owned(), Some("7c1e…".to_owned())),
            ("Sonia Martin (ENQ)".to_owned(), None),
        ];
        let marker = encode(&turns, map.clone(), 20).unwrap();
        let description = format!("Entretien de groupe. {marker}");
        let back = decode(&description, 20).unwrap().unwrap();
        assert_eq!(back.map, map);
        let got: Vec<_> = back
            .turns
            .iter()
            .map(|t| {
                (
                    t.speaker.clone(),
                    t.span.start(),
                    t.span.end(),
                    t.begin_ms,
                    t.end_ms,
                )
            })
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
        assert!(encode(&[], Vec::new(), 20).is_none());
    }
}
