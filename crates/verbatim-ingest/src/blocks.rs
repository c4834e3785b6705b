//! The intermediate shape every format reader produces.

use verbatim_core::SourceMetadata;

/// What a block is, which decides how it joins the text and whether it can
/// carry a speaker turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BlockStyle {
    /// An ordinary paragraph (or a line of a plain-text file).
    #[default]
    Paragraph,
    /// A heading: it ends the current turn and never starts one.
    Heading,
    /// A table row, cells joined by tabs.
    TableRow,
    /// A footnote, endnote or other appended material: ends the current turn.
    Note,
}

/// A structural hint about who speaks in a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelHint {
    /// The format names the speaker outside the text (a WebVTT `<v Name>`
    /// tag): the whole block is that speaker's speech.
    Speaker(String),
    /// The block starts with a run of `chars` bold chars (a name in bold, as
    /// Word transcripts often write `Marie :` or a bold name paragraph).
    BoldPrefix {
        /// How many chars at the start of the block are bold.
        chars: usize,
    },
}

/// A note anchored to a range of one block's text (e.g. a Word comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockAnchor {
    /// First char of the range, counted in the block's `text`.
    pub start: usize,
    /// Char just past the range, counted in the block's `text`.
    pub end: usize,
    /// Who wrote the note.
    pub author: Option<String>,
    /// When, as the file wrote it.
    pub date: Option<String>,
    /// The note's text.
    pub text: String,
}

/// One paragraph, line, table row or cue of a document, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Block {
    /// The text; `\n` only for line breaks inside the block.
    pub text: String,
    /// What the block is.
    pub style: BlockStyle,
    /// Who speaks, when the format says so structurally.
    pub label: Option<LabelHint>,
    /// `(begin_ms, end_ms)` in the recording, for caption cues.
    pub timing: Option<(u64, u64)>,
    /// Notes anchored inside this block.
    pub anchors: Vec<BlockAnchor>,
}

impl Block {
    /// Returns a plain paragraph block.
    pub fn paragraph(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}

/// How blocks are joined into the final text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Join {
    /// One `\n` between blocks: plain text, where each block is a line and
    /// blank lines are empty blocks kept as they were.
    Lines,
    /// A blank line between blocks: paragraphs of a word-processor document.
    #[default]
    Paragraphs,
    /// Caption cues: consecutive cues of the same speaker (or with no
    /// speaker) join with a space into one paragraph; a new speaker starts a
    /// new paragraph.
    Cues,
}

/// What a format reader found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extracted {
    /// The blocks, in reading order.
    pub blocks: Vec<Block>,
    /// How to join them.
    pub join: Join,
    /// What the file said about itself.
    pub metadata: SourceMetadata,
}
