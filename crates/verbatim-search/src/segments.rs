//! The searchable pieces of a source: one per speaker turn, plus the text
//! outside turns (headings, notes) with the next turn's label cut off.
//!
//! Turns are the unit because a hit must carry its speaker; the label in
//! front of a turn ("Marie : ") is not speech, so it is not indexed (a
//! search for a participant's name would otherwise hit every label).

use verbatim_core::OffsetTable;
use verbatim_store::TurnRecord;

/// A run of a source's text searched as one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// First char in the source.
    pub start: usize,
    /// Char just past it.
    pub end: usize,
    /// First byte in the source.
    pub byte_start: usize,
    /// Byte just past it.
    pub byte_end: usize,
    /// The speaker label, for a turn; `None` for text outside turns.
    pub speaker: Option<String>,
}

/// Returns the segments of a source, in order. A source without turns is
/// one segment.
pub fn segments(text: &str, turns: &[TurnRecord], table: &OffsetTable) -> Vec<Segment> {
    let chars = table.chars();
    let byte = |c: usize| table.byte_of(text, c.min(chars)).unwrap_or(text.len());
    let mut out = Vec::new();
    let gap = |from: usize, to: usize, label: Option<&str>, out: &mut Vec<Segment>| {
        if from >= to {
            return;
        }
        let (b0, mut b1) = (byte(from), byte(to));
        if let Some(label) = label
            && let Some(at) = text[b0..b1].rfind(label)
        {
            b1 = b0 + at;
        }
        let piece = &text[b0..b1];
        if !piece.chars().any(char::is_alphanumeric) {
            return;
        }
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        let (s, e) = (b0 + lead, b0 + lead + trimmed.len());
        let start = from + text[b0..s].chars().count();
        out.push(Segment {
            start,
            end: start + trimmed.chars().count(),
            byte_start: s,
            byte_end: e,
            speaker: None,
        });
    };
    if turns.is_empty() {
        gap(0, chars, None, &mut out);
        return out;
    }
    let mut at = 0usize;
    for turn in turns {
        let (s, e) = (
            usize::try_from(turn.start).unwrap_or(0).min(chars),
            usize::try_from(turn.end).unwrap_or(0).min(chars),
        );
        gap(at, s, turn.speaker.as_deref(), &mut out);
        if s < e {
            out.push(Segment {
                start: s,
                end: e,
                byte_start: byte(s),
                byte_end: byte(e),
                speaker: turn.speaker.clone(),
            });
        }
        at = at.max(e);
    }
    gap(at, chars, None, &mut out);
    out
}
