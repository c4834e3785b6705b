//! A source's text cut into the blocks the reader shows: speaker turns
//! (with who speaks and when) and notes (headers, observation paragraphs).
//!
//! Transcripts keep their speaker labels in the text (`[00:00:15] CHI-1 :`)
//! while a turn's span covers only the speech. The reader shows the label
//! once, as the turn's header, so the line that carries it (the text
//! between the previous turn's end and the last line break before this
//! turn) is left out; whatever comes before that line (a title, a
//! description, an observer's note) is shown as notes, one per paragraph.
//! Every block keeps its char span and its UTF-16 span, which is what the
//! browser's selections and highlights count in.

use verbatim_core::OffsetTable;
use verbatim_store::TurnRecord;
pub use verbatim_store::clock;

use crate::offsets::to_utf16;

/// What a block holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    /// A speaker turn, or a timed segment with no speaker (a subtitle cue).
    Turn {
        /// The label as transcribed; empty for a segment with no speaker.
        label: String,
        /// The turn's time, `m:ss` or `h:mm:ss`, with its end (`0:11–0:15`)
        /// when known.
        time: Option<String>,
    },
    /// Text outside turns.
    Note,
}

/// One block of the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// A turn or a note.
    pub kind: BlockKind,
    /// First char.
    pub start: usize,
    /// Char just past the block.
    pub end: usize,
    /// First UTF-16 unit.
    pub u16_start: usize,
    /// UTF-16 unit just past the block.
    pub u16_end: usize,
    /// The block's text.
    pub text: String,
}

/// Returns the blocks of a source, in text order.
pub fn blocks(text: &str, table: &OffsetTable, turns: &[TurnRecord]) -> Vec<Block> {
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<(BlockKind, usize, usize)> = Vec::new();
    let mut at = 0;
    for turn in turns {
        let (start, end) = (clamp(turn.start, chars.len()), clamp(turn.end, chars.len()));
        if start < at || end < start {
            continue;
        }
        // The label line: from the last line break of the gap.
        let cut = (at..start).rev().find(|&i| chars[i] == '\n').unwrap_or(at);
        notes(&chars, at, cut, &mut spans);
        spans.push((
            BlockKind::Turn {
                label: turn.speaker.clone().unwrap_or_default(),
                time: turn.begin_ms.map(|begin| match turn.end_ms {
                    Some(end) if end > begin => format!("{}–{}", clock(begin), clock(end)),
                    _ => clock(begin),
                }),
            },
            start,
            end,
        ));
        at = end;
    }
    notes(&chars, at, chars.len(), &mut spans);
    spans
        .into_iter()
        .map(|(kind, start, end)| Block {
            kind,
            start,
            end,
            u16_start: to_utf16(table, text, start),
            u16_end: to_utf16(table, text, end),
            text: chars[start..end].iter().collect(),
        })
        .collect()
}

fn clamp(at: i64, len: usize) -> usize {
    usize::try_from(at).unwrap_or(0).min(len)
}

/// Adds the paragraphs of `chars[from..to]` (split at blank lines, trimmed
/// of surrounding white space) as notes.
fn notes(chars: &[char], from: usize, to: usize, out: &mut Vec<(BlockKind, usize, usize)>) {
    let mut i = from;
    while i < to {
        while i < to && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= to {
            break;
        }
        let start = i;
        let mut end = i;
        while i < to {
            if chars[i] == '\n' && i + 1 < to && chars[i + 1] == '\n' {
                break;
            }
            if !chars[i].is_whitespace() {
                end = i + 1;
            }
            i += 1;
        }
        out.push((BlockKind::Note, start, end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(speaker: &str, text: &str, speech: &str, begin_ms: Option<i64>) -> TurnRecord {
        let byte = text.find(speech).unwrap();
        let start = text[..byte].chars().count() as i64;
        TurnRecord {
            speaker: Some(speaker.into()),
            start,
            end: start + speech.chars().count() as i64,
            begin_ms,
            end_ms: None,
        }
    }

    #[test]
    fn labels_become_headers_and_the_preamble_becomes_notes() {
        let text = "Entretien n° 1\nLieu : Valmont\n\n[00:00:04] INT : Bonjour 😀 ?\n\n\
                    [00:00:15] CHI-1 : Alors, euh…\nsur deux lignes.\n\nFin.";
        let turns = [
            turn("INT", text, "Bonjour 😀 ?", Some(4000)),
            turn(
                "CHI-1",
                text,
                "Alors, euh…\nsur deux lignes.",
                Some(3_615_000),
            ),
        ];
        let b = blocks(text, &OffsetTable::new(text), &turns);
        let shown: Vec<(&str, &BlockKind)> = b.iter().map(|b| (b.text.as_str(), &b.kind)).collect();
        assert_eq!(
            shown,
            vec![
                ("Entretien n° 1\nLieu : Valmont", &BlockKind::Note),
                (
                    "Bonjour 😀 ?",
                    &BlockKind::Turn {
                        label: "INT".into(),
                        time: Some("0:04".into())
                    }
                ),
                (
                    "Alors, euh…\nsur deux lignes.",
                    &BlockKind::Turn {
                        label: "CHI-1".into(),
                        time: Some("1:00:15".into())
                    }
                ),
                ("Fin.", &BlockKind::Note),
            ]
        );
        // After the emoji (two UTF-16 units) the UTF-16 span runs one ahead.
        let chi = &b[2];
        assert_eq!(chi.u16_start, chi.start + 1);
        assert_eq!(chi.u16_end - chi.u16_start, chi.text.encode_utf16().count());
    }

    #[test]
    fn timed_segments_show_their_time_range_without_a_label() {
        let text = "Alors, on commence. Je suis arrivée en 1998.";
        let mut first = turn("", text, "Alors, on commence.", Some(1_000));
        first.speaker = None;
        first.end_ms = Some(3_500);
        let mut second = turn("", text, "Je suis arrivée en 1998.", Some(63_500));
        second.speaker = None;
        second.end_ms = Some(66_000);
        let b = blocks(text, &OffsetTable::new(text), &[first, second]);
        let kinds: Vec<&BlockKind> = b.iter().map(|b| &b.kind).collect();
        // 3 500 ms shows as 0:03 (whole seconds); 63 500 ms as 1:03.
        assert_eq!(
            kinds,
            vec![
                &BlockKind::Turn {
                    label: String::new(),
                    time: Some("0:01–0:03".into())
                },
                &BlockKind::Turn {
                    label: String::new(),
                    time: Some("1:03–1:06".into())
                },
            ]
        );
    }

    #[test]
    fn text_without_turns_is_cut_into_paragraphs() {
        let text = "  First day.\nRain.\n\n\nSecond day.  \n";
        let b = blocks(text, &OffsetTable::new(text), &[]);
        let shown: Vec<&str> = b.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(shown, vec!["First day.\nRain.", "Second day."]);
        assert_eq!((b[1].start, b[1].end), (21, 32));
    }
}
