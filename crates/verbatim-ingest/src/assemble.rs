//! Joining a reader's blocks into the final text and its speaker turns.
//!
//! Readers know a format's structure but not the transcript's conventions;
//! this module applies those conventions once for every format. It
//! normalises each block (NFC, `\n` line ends) while keeping anchors on the
//! chars they pointed at, joins blocks as the format asks ([`Join`]), and
//! turns labels into [`Turn`]s whose spans cover speech only: a turn starts
//! after its label, runs over the following blocks and ends at the last
//! non-blank char before the next label, heading or note. Text before the
//! first label belongs to no turn.

use unicode_normalization::char::{canonical_combining_class, compose};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use verbatim_core::{Format, NormalisedSource, SourceAnchor, SourceMetadata, Span, Turn, storable};

use crate::speakers::{self, BlockView, Detected, Stamp};
use crate::{Block, BlockStyle, Extracted, IngestError, Join, LabelHint, SpeakerMode};

/// Returns the normalised source built from a reader's blocks: NFC text with
/// `\n` line ends, turns from structural hints and detected labels, anchors
/// placed in the final text.
pub fn assemble(
    format: Format,
    extracted: Extracted,
    mode: &SpeakerMode,
) -> Result<NormalisedSource, IngestError> {
    assemble_with(format, extracted, mode, Stamps::Cut)
}

/// Returns the turns speaker detection finds in a stored source's text,
/// which it leaves as it is (`verbatim source redetect`): each line is a
/// block, so labels found by their shape in the text are found again. What
/// only the original file showed is not, except that a line holding
/// nothing but one of the `known` labels (a bold name paragraph in Word) is
/// read as a bold name again, kept on the usual evidence (a role word, a
/// code, or a name that recurs); cue timings are not. A time stamp opening a
/// turn stays in the text, out of the turn's span, and gives the turn its
/// time.
pub fn redetect(
    format: Format,
    text: &str,
    mode: &SpeakerMode,
    known: &[String],
) -> Result<NormalisedSource, IngestError> {
    let known: std::collections::HashSet<&str> = known.iter().map(String::as_str).collect();
    let block = |line: &str| {
        let mut block = Block::paragraph(line);
        if known.contains(line.trim()) {
            block.label = Some(LabelHint::BoldPrefix {
                chars: line.chars().count(),
            });
        }
        block
    };
    let extracted = Extracted {
        blocks: text.split('\n').map(block).collect(),
        join: Join::Lines,
        ..Extracted::default()
    };
    let source = assemble_with(format, extracted, mode, Stamps::Keep)?;
    if source.text() != text {
        return Err(IngestError::TextChanged);
    }
    Ok(source)
}

/// What becomes of a time stamp that opens a turn's speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stamps {
    /// It leaves the text (an import).
    Cut,
    /// It stays in the text, before the turn's span (a re-detection).
    Keep,
}

/// Returns the normalised source built from a reader's blocks (see
/// [`assemble`]), handling opening time stamps as `stamps` says.
fn assemble_with(
    format: Format,
    extracted: Extracted,
    mode: &SpeakerMode,
    stamps: Stamps,
) -> Result<NormalisedSource, IngestError> {
    let Extracted {
        blocks,
        join,
        metadata,
    } = extracted;
    let mut prepared = normalise_blocks(&blocks);
    let skip = blank_cues(&blocks, &prepared, join);
    let detected = detect_labels(&blocks, &prepared, &skip, mode);
    let mut assembly = Assembly::new(join, stamps);
    for (index, block) in blocks.iter().enumerate() {
        if skip.get(index).copied().unwrap_or(false) {
            continue;
        }
        let Some(normalised) = prepared.get_mut(index) else {
            continue;
        };
        let label = block_label(block, mode, &detected, index);
        assembly.add(block, normalised, label)?;
    }
    assembly.finish(format, metadata)
}

/// Returns each block normalised, keeping a char map only for blocks whose
/// offsets (anchors, a bold prefix) must be carried into the final text.
fn normalise_blocks(blocks: &[Block]) -> Vec<Normalised> {
    blocks
        .iter()
        .map(|b| {
            let mapped =
                !b.anchors.is_empty() || matches!(b.label, Some(LabelHint::BoldPrefix { .. }));
            Normalised::new(&b.text, mapped)
        })
        .collect()
}

/// Returns which blocks are left out: caption cues with no text (only tags)
/// and no anchors, which would leave double spaces.
fn blank_cues(blocks: &[Block], prepared: &[Normalised], join: Join) -> Vec<bool> {
    blocks
        .iter()
        .zip(prepared)
        .map(|(b, p)| join == Join::Cues && p.text.trim().is_empty() && b.anchors.is_empty())
        .collect()
}

/// Returns the label speaker detection finds at the start of each block.
fn detect_labels(
    blocks: &[Block],
    prepared: &[Normalised],
    skip: &[bool],
    mode: &SpeakerMode,
) -> Vec<Option<Detected>> {
    let views: Vec<BlockView<'_>> = blocks
        .iter()
        .zip(prepared)
        .zip(skip)
        .map(|((block, p), &skipped)| BlockView {
            text: &p.text,
            bold: match block.label {
                Some(LabelHint::BoldPrefix { chars }) => Some(p.map_end(chars)),
                _ => None,
            },
            row: block.style == BlockStyle::TableRow,
            eligible: !skipped
                && !matches!(block.style, BlockStyle::Heading | BlockStyle::Note)
                && !matches!(block.label, Some(LabelHint::Speaker(_))),
        })
        .collect();
    speakers::detect(&views, mode)
}

/// Returns the label opening block `index`: none under `--speakers none`,
/// the reader's speaker when it gave one, else what detection found.
fn block_label(
    block: &Block,
    mode: &SpeakerMode,
    detected: &[Option<Detected>],
    index: usize,
) -> Option<Detected> {
    match (&block.label, mode) {
        (_, SpeakerMode::None) => None,
        (Some(LabelHint::Speaker(name)), _) => {
            let label = speakers::normalise_label(&name.nfc().collect::<String>());
            (!label.is_empty()).then_some(Detected {
                label,
                content_start: 0,
                begin_ms: None,
                end_ms: None,
            })
        }
        _ => detected.get(index).cloned().flatten(),
    }
}

/// A block's text as it goes into the final text, once a cue's inline label
/// or an opening time stamp has been cut from it.
struct Piece {
    /// The block's text after the cut.
    text: String,
    /// The label opening the block, its `content_start` in `text`.
    label: Option<Detected>,
    /// The chars `[from, to)` of the normalised block cut from `text`.
    cut: Option<(usize, usize)>,
    /// The time stamp opening the turn's speech in this block.
    stamp: Option<Stamp>,
    /// How many chars a stamp kept in the text takes after the label.
    stamp_chars: usize,
}

/// How a block relates to the blocks around it.
struct Flow {
    /// A cue left with no text (a label-only cue).
    empty_cue: bool,
    /// A heading or a note: it closes the open turn and belongs to none.
    ends_turn: bool,
    /// A cue continuing the previous speaker's paragraph.
    continues_cue: bool,
    /// A cue continuing text before any speaker.
    continues_unlabelled_cue: bool,
    /// A cue before any speaker: a timed segment of its own.
    segment_cue: bool,
}

/// The final text, turns and anchors as they are built block by block.
struct Assembly {
    /// How blocks are joined.
    join: Join,
    /// What becomes of opening time stamps.
    stamps: Stamps,
    /// The final text so far.
    text: String,
    /// Its length in chars.
    chars: usize,
    /// The turns closed so far.
    turns: Vec<Turn>,
    /// The anchors placed so far.
    anchors: Vec<SourceAnchor>,
    /// The turn still taking blocks.
    open: Option<OpenTurn>,
    /// The label of the last turn opened since the last heading or note.
    previous_label: Option<String>,
    /// Whether any block has put text in yet.
    placed_any: bool,
    /// Whether the next cue starts a paragraph (after a label-only cue).
    pending_break: bool,
}

impl Assembly {
    /// Returns an empty assembly.
    fn new(join: Join, stamps: Stamps) -> Self {
        Self {
            join,
            stamps,
            text: String::new(),
            chars: 0,
            turns: Vec::new(),
            anchors: Vec::new(),
            open: None,
            previous_label: None,
            placed_any: false,
            pending_break: false,
        }
    }

    /// Adds one block: its text, its anchors, and its part in the turns.
    fn add(
        &mut self,
        block: &Block,
        normalised: &mut Normalised,
        label: Option<Detected>,
    ) -> Result<(), IngestError> {
        let text = std::mem::take(&mut normalised.text);
        let piece = self.cut_stamp(cut_cue_label(self.join, block, label, text));
        let flow = self.flow(block, &piece);
        let block_start = self.push_text(&piece, &flow);
        self.place_anchors(block, normalised, block_start, piece.cut)?;

        if (flow.ends_turn || flow.segment_cue || (piece.label.is_some() && !flow.continues_cue))
            && let Some(turn) = self.open.take()
        {
            self.turns.extend(turn.close()?);
        }
        if flow.ends_turn {
            self.previous_label = None;
            return Ok(());
        }
        self.carry_turn(piece, flow.segment_cue, block_start, block.timing);
        Ok(())
    }

    /// Opens, extends or leaves the open turn with the block's speech, which
    /// starts at `block_start` in the final text.
    fn carry_turn(
        &mut self,
        piece: Piece,
        segment_cue: bool,
        block_start: usize,
        timing: Option<(u64, u64)>,
    ) {
        let Piece {
            text,
            label,
            stamp,
            stamp_chars,
            ..
        } = piece;
        let block_chars = text.chars().count();
        match (label, self.open.as_mut()) {
            (Some(found), None) => {
                let speech_at = found.content_start + stamp_chars;
                let speech = text.chars().skip(speech_at).collect::<String>();
                let (start, end) = match speech_bounds(&speech) {
                    Some((first, last)) => {
                        let at = block_start + speech_at.min(block_chars);
                        (Some(at + first), at + last)
                    }
                    None => (None, block_start + block_chars),
                };
                self.previous_label = Some(found.label.clone());
                self.open = Some(OpenTurn::labelled(found, start, end, stamp, timing));
            }
            (None, None) if segment_cue => {
                self.open = Some(OpenTurn {
                    speaker: None,
                    start: speech_bounds(&text).map(|(first, _)| block_start + first),
                    end: block_start + speech_bounds(&text).map_or(block_chars, |b| b.1),
                    begin_ms: timing.map(|t| t.0),
                    end_ms: timing.map(|t| t.1),
                });
            }
            (found, Some(turn)) => {
                let skipped = found.map_or(0, |f| f.content_start) + stamp_chars;
                let skipped = skipped.min(block_chars);
                let speech: String = text.chars().skip(skipped).collect();
                turn.extend(&speech, block_start + skipped, stamp, timing);
            }
            (None, None) => {}
        }
    }

    /// Returns the piece with a time stamp opening a turn's speech
    /// (`(0:11 - 0:15)`) found, which becomes the turn's time and, on import,
    /// leaves the text. Cues have their own timing.
    fn cut_stamp(&self, piece: Piece) -> Piece {
        let Piece {
            mut text,
            label,
            mut cut,
            ..
        } = piece;
        let first_speech_at = match (&label, &self.open) {
            _ if self.join == Join::Cues => None,
            (Some(found), _) => Some(found.content_start),
            (None, Some(turn)) if turn.start.is_none() => Some(0),
            _ => None,
        };
        let stamp = first_speech_at.and_then(|at| speakers::stamp_at(&text, at).map(|s| (at, s)));
        let mut stamp_chars = 0;
        if let Some((at, found)) = stamp {
            if self.stamps == Stamps::Cut {
                cut = Some((at, at + found.chars));
                text = text
                    .chars()
                    .take(at)
                    .chain(text.chars().skip(at + found.chars))
                    .collect();
            } else {
                stamp_chars = found.chars;
            }
        }
        Piece {
            text,
            label,
            cut,
            stamp: stamp.map(|(_, s)| s),
            stamp_chars,
        }
    }

    /// Returns how the block relates to those before it.
    fn flow(&self, block: &Block, piece: &Piece) -> Flow {
        let cues = self.join == Join::Cues;
        let empty_cue = cues && piece.text.trim().is_empty();
        let ends_turn = matches!(block.style, BlockStyle::Heading | BlockStyle::Note);
        let continues_cue = cues
            && self.placed_any
            && !ends_turn
            && self.previous_label.is_some()
            && piece
                .label
                .as_ref()
                .is_none_or(|l| Some(&l.label) == self.previous_label.as_ref());
        let continues_unlabelled_cue = cues
            && self.placed_any
            && !ends_turn
            && self.previous_label.is_none()
            && piece.label.is_none();
        let segment_cue = cues
            && !ends_turn
            && !empty_cue
            && self.previous_label.is_none()
            && piece.label.is_none();
        Flow {
            empty_cue,
            ends_turn,
            continues_cue,
            continues_unlabelled_cue,
            segment_cue,
        }
    }

    /// Appends the separator the join asks for and the block's text; returns
    /// the char offset where the block's text starts.
    fn push_text(&mut self, piece: &Piece, flow: &Flow) -> usize {
        if self.placed_any && !flow.empty_cue {
            let sep = match self.join {
                Join::Lines => "\n",
                Join::Paragraphs => "\n\n",
                Join::Cues if self.pending_break => "\n\n",
                Join::Cues if flow.continues_cue || flow.continues_unlabelled_cue => " ",
                Join::Cues => "\n\n",
            };
            self.text.push_str(sep);
            self.chars += sep.chars().count();
        }
        if flow.empty_cue {
            // A label-only cue: its speaker's paragraph starts at the next cue.
            self.pending_break |= piece.label.is_some() && !flow.continues_cue;
        } else {
            self.placed_any = true;
            self.pending_break = false;
        }
        let block_start = self.chars;
        self.text.push_str(&piece.text);
        self.chars += piece.text.chars().count();
        block_start
    }

    /// Places the block's anchors in the final text.
    fn place_anchors(
        &mut self,
        block: &Block,
        normalised: &Normalised,
        block_start: usize,
        cut: Option<(usize, usize)>,
    ) -> Result<(), IngestError> {
        for anchor in &block.anchors {
            let start = block_start + after_cut(normalised.map_start(anchor.start), cut);
            let end =
                block_start + after_cut(normalised.map_end(anchor.end.max(anchor.start)), cut);
            self.anchors.push(SourceAnchor {
                span: Span::new(start, end.max(start))?,
                author: anchor.author.as_deref().map(|a| a.nfc().collect()),
                date: anchor.date.clone(),
                text: anchor.text.nfc().collect(),
            });
        }
        Ok(())
    }

    /// Returns the source once every block is in.
    fn finish(
        mut self,
        format: Format,
        metadata: SourceMetadata,
    ) -> Result<NormalisedSource, IngestError> {
        if let Some(turn) = self.open.take() {
            self.turns.extend(turn.close()?);
        }
        if self.text.trim().is_empty() {
            return Err(IngestError::Empty);
        }
        Ok(NormalisedSource::new(
            format,
            self.text,
            self.turns,
            self.anchors,
            metadata,
        )?)
    }
}

/// Returns the piece for a block: a cue's inline label (`Marie Dupont:
/// Bonjour`) leaves the text, since cues of one speaker merge into one
/// paragraph where repeated labels would be noise. Under `--speakers none`
/// nothing is found, so the cue keeps its text as written.
fn cut_cue_label(join: Join, block: &Block, label: Option<Detected>, text: String) -> Piece {
    let mut label = label;
    let mut cut: Option<(usize, usize)> = None;
    let text = match label.as_mut() {
        Some(found)
            if join == Join::Cues
                && found.content_start > 0
                && !matches!(block.label, Some(LabelHint::Speaker(_))) =>
        {
            let label_chars = found.content_start;
            cut = Some((0, label_chars));
            found.content_start = 0;
            text.chars().skip(label_chars).collect()
        }
        _ => text,
    };
    Piece {
        text,
        label,
        cut,
        stamp: None,
        stamp_chars: 0,
    }
}

/// A turn being built: its speech start is unknown until a non-blank char
/// follows the label (a label alone on its line or a bold name paragraph).
struct OpenTurn {
    /// The normalised label; none for a timed segment with no speaker.
    speaker: Option<String>,
    /// The first char of speech, once seen.
    start: Option<usize>,
    /// Just past the last non-blank char of speech so far.
    end: usize,
    /// From a timestamp with the label or the first cue.
    begin_ms: Option<u64>,
    /// From the last cue.
    end_ms: Option<u64>,
}

impl OpenTurn {
    /// Returns a turn opened by `found`, its speech at `[start, end)` when
    /// seen, timed by the label, else an opening stamp, else the cue.
    fn labelled(
        found: Detected,
        start: Option<usize>,
        end: usize,
        stamp: Option<Stamp>,
        timing: Option<(u64, u64)>,
    ) -> Self {
        Self {
            speaker: Some(found.label),
            start,
            end,
            begin_ms: found
                .begin_ms
                .or(stamp.map(|s| s.begin_ms))
                .or(timing.map(|t| t.0)),
            end_ms: found
                .end_ms
                .or(stamp.and_then(|s| s.end_ms))
                .or(timing.map(|t| t.1)),
        }
    }

    /// Adds a block's speech, which starts at `at` in the final text, and
    /// its timing: a cue's, then an opening stamp's where none is known.
    fn extend(
        &mut self,
        speech: &str,
        at: usize,
        stamp: Option<Stamp>,
        timing: Option<(u64, u64)>,
    ) {
        if let Some((first, last)) = speech_bounds(speech) {
            self.start.get_or_insert(at + first);
            self.end = at + last;
        }
        if let Some((begin, end_ms)) = timing {
            self.begin_ms.get_or_insert(begin);
            self.end_ms = Some(end_ms);
        }
        if let Some(stamp) = stamp {
            self.begin_ms.get_or_insert(stamp.begin_ms);
            if self.end_ms.is_none() {
                self.end_ms = stamp.end_ms;
            }
        }
    }

    /// Returns the finished turn, or nothing when the label had no speech.
    fn close(self) -> Result<Option<Turn>, IngestError> {
        let Some(start) = self.start else {
            return Ok(None);
        };
        Ok(Some(Turn {
            speaker: self.speaker,
            span: Span::new(start, self.end.max(start))?,
            begin_ms: self.begin_ms,
            end_ms: self.end_ms,
        }))
    }
}

/// Returns where a char offset of a block's normalised text lands once the
/// chars `[from, to)` are cut: offsets inside the cut land at its start.
fn after_cut(at: usize, cut: Option<(usize, usize)>) -> usize {
    match cut {
        Some((from, to)) if at >= to => at - (to - from),
        Some((from, _)) if at > from => from,
        _ => at,
    }
}

/// Returns the char offsets of the first non-blank char and just past the
/// last non-blank char of `text`, or `None` when it is blank.
fn speech_bounds(text: &str) -> Option<(usize, usize)> {
    let trimmed_start = text.trim_start();
    if trimmed_start.is_empty() {
        return None;
    }
    let first = text.len() - trimmed_start.len();
    let first_chars = text.get(..first).map_or(0, |s| s.chars().count());
    let last_chars = text.trim_end().chars().count();
    Some((first_chars, last_chars))
}

/// A block's text in NFC with `\n` line ends, and where each char of the
/// original text went.
struct Normalised {
    /// The normalised text.
    text: String,
    /// For each char boundary of the original (0..=len), the char offset in
    /// `text` of the segment that boundary starts or falls inside.
    starts: Vec<usize>,
    /// For each char boundary of the original, the char offset in `text` just
    /// past the segment it falls inside (or of the boundary itself).
    ends: Vec<usize>,
}

impl Normalised {
    /// Returns the block normalised; with `mapped`, segment by segment (a
    /// segment being a char followed by the chars that may compose with it)
    /// so that offsets inside a segment map to its edges. Without it no map
    /// is kept: most blocks carry no offsets, and a map costs 16 bytes a char.
    fn new(original: &str, mapped: bool) -> Self {
        if !mapped {
            let text = if original.contains('\r') {
                original
                    .replace("\r\n", "\n")
                    .replace('\r', "\n")
                    .nfc()
                    .collect()
            } else if is_nfc_quick(original.chars()) == IsNormalized::Yes {
                original.to_owned()
            } else {
                original.nfc().collect()
            };
            // NUL shows nothing and no study can store it (`storable`).
            let text = match storable::without_nul(&text) {
                std::borrow::Cow::Owned(clean) => clean,
                std::borrow::Cow::Borrowed(_) => text,
            };
            return Self {
                text,
                starts: Vec::new(),
                ends: Vec::new(),
            };
        }
        let chars: Vec<char> = original.chars().collect();
        let mut text = String::with_capacity(original.len());
        let mut starts = Vec::with_capacity(chars.len() + 1);
        let mut ends = Vec::with_capacity(chars.len() + 1);
        let mut out_chars = 0usize;
        let mut at = 0usize;
        while let Some(&first) = chars.get(at) {
            let mut next = at + 1;
            if first == '\r' {
                if chars.get(next) == Some(&'\n') {
                    next += 1;
                }
            } else {
                // `composed` follows what the segment's starter has become,
                // so that Hangul L+V+T and similar starter chains stay whole.
                let mut composed = first;
                while let Some(&c) = chars.get(next) {
                    if c == '\r' || c == '\n' {
                        break;
                    }
                    if canonical_combining_class(c) == 0 {
                        match compose(composed, c) {
                            Some(x) => composed = x,
                            None => break,
                        }
                    }
                    next += 1;
                }
            }
            let segment: String = chars.get(at..next).unwrap_or_default().iter().collect();
            let piece: String = if first == '\r' {
                "\n".to_owned()
            } else {
                segment.nfc().filter(|&c| c != storable::NUL).collect()
            };
            let piece_chars = piece.chars().count();
            for _ in at..next {
                starts.push(out_chars);
                ends.push(out_chars + piece_chars);
            }
            // The segment's first boundary maps exactly.
            if let Some(slot) = ends.get_mut(at) {
                *slot = out_chars;
            }
            text.push_str(&piece);
            out_chars += piece_chars;
            at = next;
        }
        starts.push(out_chars);
        ends.push(out_chars);
        Self { text, starts, ends }
    }

    /// Returns where an original char offset that starts a range lands
    /// (only meaningful for a block normalised with a map).
    fn map_start(&self, at: usize) -> usize {
        self.starts
            .get(at)
            .or(self.starts.last())
            .copied()
            .unwrap_or(0)
    }

    /// Returns where an original char offset that ends a range lands.
    fn map_end(&self, at: usize) -> usize {
        self.ends.get(at).or(self.ends.last()).copied().unwrap_or(0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Block, BlockAnchor};
    use verbatim_core::OffsetTable;

    fn build(blocks: Vec<Block>, join: Join, mode: &SpeakerMode) -> NormalisedSource {
        assemble(
            Format::Txt,
            Extracted {
                blocks,
                join,
                ..Extracted::default()
            },
            mode,
        )
        .unwrap()
    }

    fn lines(text: &str) -> Vec<Block> {
        text.lines().map(Block::paragraph).collect()
    }

    /// Returns `(speaker, speech)` for every turn.
    fn turns(source: &NormalisedSource) -> Vec<(String, String)> {
        let table = OffsetTable::new(source.text());
        source
            .turns()
            .iter()
            .map(|t| {
                let speech = table
                    .slice(source.text(), t.span)
                    .unwrap_or("<out of range>");
                (t.speaker.clone().unwrap_or_default(), speech.to_owned())
            })
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    const INTERVIEW: &str = "Entretien n° 4 — Lyon\n\
Date : 12 mars 2024\n\
Note : l’enquêtée a souhaité rester anonyme.\n\
\n\
INT : Alors, euh… vous pouvez me raconter votre arrivée ?\n\
\n\
P03 : Oui. Alors… c’était en 98, je crois. On est arrivés à Besançon, « comme ça », sans rien.\n\
Enfin, avec les enfants quand même. [rires]\n\
\n\
INT : D’accord. Et le travail ?\n\
P03 : Le travail… bon. [silence] C’était dur.\n";

    #[test]
    fn plain_text_interview_has_turns_without_labels_or_header() {
        let source = build(lines(INTERVIEW), Join::Lines, &SpeakerMode::Auto);
        assert_eq!(source.speakers(), ["INT", "P03"]);
        assert_eq!(
            turns(&source),
            pairs(&[
                ("INT", "Alors, euh… vous pouvez me raconter votre arrivée ?"),
                (
                    "P03",
                    "Oui. Alors… c’était en 98, je crois. On est arrivés à Besançon, « comme ça », sans rien.\nEnfin, avec les enfants quand même. [rires]"
                ),
                ("INT", "D’accord. Et le travail ?"),
                ("P03", "Le travail… bon. [silence] C’était dur."),
            ])
        );
    }

    #[test]
    fn speakers_none_gives_no_turns() {
        let source = build(lines(INTERVIEW), Join::Lines, &SpeakerMode::None);
        assert!(source.turns().is_empty());
        assert!(source.text().starts_with("Entretien n° 4"));
    }

    #[test]
    fn custom_pattern_finds_its_labels() {
        let mode: SpeakerMode = r"^(?<speaker>[A-Z]+)>\s*".parse().unwrap();
        let source = build(lines("ANNE> salut\nsuite\nBOB> oui"), Join::Lines, &mode);
        assert_eq!(
            turns(&source),
            pairs(&[("ANNE", "salut\nsuite"), ("BOB", "oui")])
        );
    }

    #[test]
    fn prose_with_single_colons_has_no_speakers() {
        let text = "Note : ce texte est un résumé.\nAlors : voilà ce qu’il en est.\nDate : hier.";
        let source = build(lines(text), Join::Lines, &SpeakerMode::Auto);
        assert!(source.turns().is_empty());
    }

    #[test]
    fn otter_style_label_lines_start_turns_on_the_next_line() {
        let text = "Speaker 1  00:00:05\nSo, um, tell me about the move.\n\nSpeaker 2  00:00:09\nWell… it was hard.\nReally hard.\n";
        let source = build(lines(text), Join::Lines, &SpeakerMode::Auto);
        assert_eq!(
            turns(&source),
            pairs(&[
                ("Speaker 1", "So, um, tell me about the move."),
                ("Speaker 2", "Well… it was hard.\nReally hard."),
            ])
        );
        assert_eq!(source.turns()[1].begin_ms, Some(9_000));
    }

    #[test]
    fn leading_timestamps_give_begin_ms() {
        let text = "[00:03:12] INT: On reprend ?\n00:03:20 P03 : Oui.";
        let source = build(lines(text), Join::Lines, &SpeakerMode::Auto);
        assert_eq!(
            turns(&source),
            pairs(&[("INT", "On reprend ?"), ("P03", "Oui.")])
        );
        let begins: Vec<_> = source.turns().iter().map(|t| t.begin_ms).collect();
        assert_eq!(begins, [Some(192_000), Some(200_000)]);
    }

    #[test]
    fn bold_name_paragraph_opens_a_turn_in_the_next_block() {
        let blocks = vec![
            Block {
                text: "Chercheuse".into(),
                label: Some(LabelHint::BoldPrefix { chars: 10 }),
                ..Block::default()
            },
            Block::paragraph("Vous pouvez commencer."),
            Block {
                text: "Marie : Bon, d’accord.".into(),
                label: Some(LabelHint::BoldPrefix { chars: 7 }),
                ..Block::default()
            },
            Block {
                text: "Suite".into(),
                style: BlockStyle::Heading,
                ..Block::default()
            },
            Block::paragraph("Texte hors tour."),
        ];
        let source = build(blocks, Join::Paragraphs, &SpeakerMode::Auto);
        assert_eq!(
            turns(&source),
            pairs(&[
                ("Chercheuse", "Vous pouvez commencer."),
                ("Marie", "Bon, d’accord.")
            ])
        );
        assert_eq!(
            source.turns()[0].span.start(),
            "Chercheuse\n\n".chars().count()
        );
    }

    #[test]
    fn cues_merge_by_speaker_and_carry_timing() {
        let cue = |text: &str, who: Option<&str>, t: (u64, u64)| Block {
            text: text.into(),
            label: who.map(|w| LabelHint::Speaker(w.into())),
            timing: Some(t),
            ..Block::default()
        };
        let blocks = vec![
            cue("Bonjour,", Some("Marie"), (1_000, 2_000)),
            cue("bienvenue.", Some("Marie"), (2_000, 3_500)),
            cue("Merci.", None, (3_500, 4_000)),
            cue("Alors…", Some("Paul"), (5_000, 6_000)),
        ];
        let source = build(blocks, Join::Cues, &SpeakerMode::Auto);
        assert_eq!(source.text(), "Bonjour, bienvenue. Merci.\n\nAlors…");
        assert_eq!(
            turns(&source),
            pairs(&[("Marie", "Bonjour, bienvenue. Merci."), ("Paul", "Alors…")])
        );
        let timing: Vec<_> = source
            .turns()
            .iter()
            .map(|t| (t.begin_ms, t.end_ms))
            .collect();
        assert_eq!(
            timing,
            [(Some(1_000), Some(4_000)), (Some(5_000), Some(6_000))]
        );
    }

    #[test]
    fn nfc_shifts_anchors_and_labels() {
        // "e" + combining acute, twice: NFC shortens each by one char.
        let decomposed = "INT : Le re\u{301}sume\u{301} est fini.";
        let anchor_start = decomposed.chars().position(|c| c == 'e').unwrap_or(0); // "Le"
        let word_start = "INT : Le ".chars().count();
        let word_end = word_start + "re\u{301}sume\u{301}".chars().count();
        let blocks = vec![
            Block {
                text: decomposed.into(),
                anchors: vec![
                    BlockAnchor {
                        start: word_start,
                        end: word_end,
                        author: None,
                        date: None,
                        text: "mot".into(),
                    },
                    BlockAnchor {
                        start: anchor_start,
                        end: anchor_start + 1,
                        author: None,
                        date: None,
                        text: "e".into(),
                    },
                ],
                ..Block::default()
            },
            Block::paragraph("P03 : Oui\r\nvoilà."),
        ];
        let source = build(blocks, Join::Paragraphs, &SpeakerMode::Auto);
        let table = OffsetTable::new(source.text());
        assert_eq!(
            table.slice(source.text(), source.anchors()[0].span),
            Some("résumé")
        );
        assert_eq!(
            table.slice(source.text(), source.anchors()[1].span),
            Some("e")
        );
        assert_eq!(
            turns(&source),
            pairs(&[("INT", "Le résumé est fini."), ("P03", "Oui\nvoilà.")])
        );
    }

    #[test]
    fn anchor_inside_a_composed_char_widens_to_it() {
        let n = Normalised::new("ae\u{301}b", true);
        assert_eq!(n.text, "aéb");
        assert_eq!((n.map_start(2), n.map_end(2)), (1, 2));
        assert_eq!((n.map_start(3), n.map_end(3)), (2, 2));
        assert_eq!((n.map_start(9), n.map_end(9)), (3, 3));
    }

    #[test]
    fn nul_is_dropped_with_or_without_a_map() {
        // "a\0b": the NUL (original char 1) leaves no char; an anchor after
        // it (original 2, "b") lands on char 1.
        assert_eq!(Normalised::new("a\0b\0", false).text, "ab");
        let n = Normalised::new("a\0b", true);
        assert_eq!(n.text, "ab");
        assert_eq!((n.map_start(2), n.map_end(2)), (1, 1));
        assert_eq!((n.map_start(3), n.map_end(3)), (2, 2));
    }

    /// Returns `(speaker, speech)` pairs of a plain-text file read end to end.
    fn read_txt(bytes: &[u8]) -> Vec<(String, String)> {
        let source =
            crate::read_bytes("t.txt", Format::Txt, bytes, &crate::Options::default()).unwrap();
        turns(&source)
    }

    #[test]
    fn every_label_style_end_to_end() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            (
                "INT: Bonjour.\nINT : Ça va ?",
                &[("INT", "Bonjour."), ("INT", "Ça va ?")],
            ),
            (
                "Interviewer: So…\nIntervieweur : Euh, bon.",
                &[("Interviewer", "So…"), ("Intervieweur", "Euh, bon.")],
            ),
            (
                "Enquêtrice : « Et vous ? »",
                &[("Enquêtrice", "« Et vous ? »")],
            ),
            (
                "[Chercheur] Et alors ?\n[rires]\nP03 : Ben…",
                &[("Chercheur", "Et alors ?\n[rires]"), ("P03", "Ben…")],
            ),
            (
                "CHFG-C : non.\nCSI-2: si.",
                &[("CHFG-C", "non."), ("CSI-2", "si.")],
            ),
            (
                "Marie Dupont : Bonjour.\nDr. Martin: Hello.\nMarie Dupont : Au revoir.\nDr. Martin: Bye.",
                &[
                    ("Marie Dupont", "Bonjour."),
                    ("Dr. Martin", "Hello."),
                    ("Marie Dupont", "Au revoir."),
                    ("Dr. Martin", "Bye."),
                ],
            ),
            (
                "Q: Why?\nA: Because.\nR : Parce que.",
                &[("Q", "Why?"), ("A", "Because."), ("R", "Parce que.")],
            ),
            (
                "**INT :** Bonjour.\n**P03 :** Salut.",
                &[("INT", "Bonjour."), ("P03", "Salut.")],
            ),
            (
                "CHFG-A : oui — CHFG-B : non",
                &[("CHFG-A", "oui — CHFG-B : non")],
            ),
            (
                "INT :\n\n  Alors, euh…\n\nP03 :\nOui.",
                &[("INT", "Alors, euh…"), ("P03", "Oui.")],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(read_txt(text.as_bytes()), pairs(expected), "{text}");
        }
    }

    #[test]
    fn every_encoding_end_to_end() {
        let text =
            "Entretien\r\nEnquêtrice : Vous êtes née où ?\r\nP03 : À Besançon… « là-bas ».\r\n";
        let expected = pairs(&[
            ("Enquêtrice", "Vous êtes née où ?"),
            ("P03", "À Besançon… « là-bas »."),
        ]);
        let utf16 = |big: bool| -> Vec<u8> {
            text.encode_utf16()
                .flat_map(|u| {
                    if big {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    }
                })
                .collect()
        };
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let mut bom8 = b"\xEF\xBB\xBF".to_vec();
        bom8.extend_from_slice(text.as_bytes());
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16(false));
        let mut be = vec![0xFE, 0xFF];
        be.extend(utf16(true));
        for bytes in [
            text.as_bytes().to_vec(),
            bom8,
            latin.into_owned(),
            le,
            be,
            utf16(false),
            utf16(true),
        ] {
            assert_eq!(read_txt(&bytes), expected);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_transcript_assembles_or_is_empty(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("INT : ".to_owned()),
                    proptest::strategy::Just("**P03 :** ".to_owned()),
                    proptest::strategy::Just("[Chercheur] ".to_owned()),
                    proptest::strategy::Just("Speaker 1  00:00:03".to_owned()),
                    proptest::strategy::Just("e\u{301}".to_owned()),
                    "\\PC{0,20}",
                ],
                0..12,
            ),
        ) {
            let text = lines.join("\n");
            for format in [Format::Txt, Format::Vtt, Format::Srt] {
                match crate::read_bytes("p", format, text.as_bytes(), &crate::Options::default()) {
                    Ok(source) => {
                        let table = OffsetTable::new(source.text());
                        for turn in source.turns() {
                            let speech = table.slice(source.text(), turn.span).unwrap();
                            proptest::prop_assert_eq!(speech.trim(), speech);
                            proptest::prop_assert!(!speech.is_empty());
                        }
                    }
                    Err(IngestError::Assembly(e)) => proptest::prop_assert!(false, "{e}"),
                    Err(_) => {}
                }
            }
        }
    }

    #[test]
    fn blank_only_input_is_empty() {
        let err = assemble(
            Format::Txt,
            Extracted {
                blocks: lines("  \n\n"),
                join: Join::Lines,
                ..Extracted::default()
            },
            &SpeakerMode::Auto,
        );
        assert!(matches!(err, Err(IngestError::Empty)));
    }
}
