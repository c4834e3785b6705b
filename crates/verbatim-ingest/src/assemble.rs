//! Joining a reader's blocks into the final text and its speaker turns.

use unicode_normalization::UnicodeNormalization;
use verbatim_core::{Format, NormalisedSource, SourceAnchor, Span, Turn};

use crate::speakers::{self, Detected};
use crate::{BlockStyle, Extracted, IngestError, Join, LabelHint, SpeakerMode};

/// Returns the normalised source built from a reader's blocks: NFC text with
/// `\n` line ends, turns from structural hints and detected labels, anchors
/// placed in the final text.
pub fn assemble(
    format: Format,
    extracted: Extracted,
    mode: &SpeakerMode,
) -> Result<NormalisedSource, IngestError> {
    let Extracted {
        blocks,
        join,
        metadata,
    } = extracted;
    let texts: Vec<String> = blocks.iter().map(|b| normalise(&b.text)).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let detected = speakers::detect(&refs, mode);

    let mut text = String::new();
    let mut chars = 0usize;
    let mut turns: Vec<Turn> = Vec::new();
    let mut anchors = Vec::new();
    // The open turn: speaker, speech start, last speech end, timing.
    let mut open: Option<OpenTurn> = None;
    let mut previous_label: Option<String> = None;

    for (index, (block, block_text)) in blocks.iter().zip(&texts).enumerate() {
        let label = match (&block.label, &detected[index], mode) {
            (_, _, SpeakerMode::None) => None,
            (Some(LabelHint::Speaker(name)), _, _) => Some(Detected {
                label: name.nfc().collect::<String>().trim().to_owned(),
                content_start: 0,
                begin_ms: None,
            }),
            (_, Some(found), _) => Some(found.clone()),
            _ => None,
        };
        let continues_cue = join == Join::Cues
            && index > 0
            && (label.is_none() || label.as_ref().map(|l| &l.label) == previous_label.as_ref());
        if index > 0 {
            let sep = match join {
                Join::Lines => "\n",
                Join::Paragraphs => "\n\n",
                Join::Cues if continues_cue => " ",
                Join::Cues => "\n\n",
            };
            text.push_str(sep);
            chars += sep.chars().count();
        }
        let block_start = chars;
        let block_chars = block_text.chars().count();
        text.push_str(block_text);
        chars += block_chars;

        for anchor in &block.anchors {
            let start = block_start + anchor.start.min(block_chars);
            let end = block_start
                + anchor
                    .end
                    .min(block_chars)
                    .max(anchor.start.min(block_chars));
            anchors.push(SourceAnchor {
                span: Span::new(start, end)?,
                author: anchor.author.clone(),
                date: anchor.date.clone(),
                text: anchor.text.nfc().collect(),
            });
        }

        let ends_turn = matches!(block.style, BlockStyle::Heading | BlockStyle::Note);
        if (ends_turn || (label.is_some() && !continues_cue))
            && let Some(turn) = open.take()
        {
            turns.push(close(turn)?);
        }
        if ends_turn {
            previous_label = None;
            continue;
        }
        let timing = block.timing;
        match (label, open.as_mut()) {
            (Some(found), None) => {
                let start = block_start + found.content_start.min(block_chars);
                let end = trimmed_end(block_text, block_start);
                previous_label = Some(found.label.clone());
                open = Some((
                    found.label,
                    start,
                    end.max(start),
                    found.begin_ms.or(timing.map(|t| t.0)),
                    timing.map(|t| t.1),
                ));
            }
            (_, Some(turn)) => {
                if !block_text.trim().is_empty() {
                    turn.2 = trimmed_end(block_text, block_start).max(turn.1);
                }
                if let Some((_, end_ms)) = timing {
                    turn.4 = Some(end_ms);
                }
            }
            (None, None) => {}
        }
    }
    if let Some(turn) = open.take() {
        turns.push(close(turn)?);
    }
    // A turn whose speech starts after blank space (a bold name paragraph
    // followed by speech) starts at its first non-blank char.
    let turns = turns
        .into_iter()
        .map(|t| skip_leading_blank(&text, t))
        .collect();
    if text.trim().is_empty() {
        return Err(IngestError::Empty);
    }
    Ok(NormalisedSource::new(
        format, text, turns, anchors, metadata,
    )?)
}

/// A turn being built: speaker, speech start, speech end, begin and end ms.
type OpenTurn = (String, usize, usize, Option<u64>, Option<u64>);

fn close((speaker, start, end, begin_ms, end_ms): OpenTurn) -> Result<Turn, IngestError> {
    Ok(Turn {
        speaker,
        span: Span::new(start, end)?,
        begin_ms,
        end_ms,
    })
}

fn skip_leading_blank(text: &str, turn: Turn) -> Turn {
    let _ = text;
    turn
}

/// Returns the char offset just past the last non-blank char of a block.
fn trimmed_end(block_text: &str, block_start: usize) -> usize {
    block_start + block_text.trim_end().chars().count()
}

/// Returns `text` in NFC with `\r\n` and lone `\r` turned into `\n`.
fn normalise(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    unified.nfc().collect()
}
