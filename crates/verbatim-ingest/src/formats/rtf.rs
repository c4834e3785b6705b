//! Reader for .rtf files: a hand-written tokenizer.
//!
//! No RTF crate is used (see `research/rust-stack.md` §1.4): the one on
//! offer turns `\'hh` bytes straight into code points and never applies the
//! document's `\ansicpg`, so the cp1252 bytes Word writes for `’ “ ” €` come
//! out as C1 control chars. This tokenizer reads only what a transcript
//! needs:
//!
//! - groups, control words (with their optional numeric parameter and
//!   delimiting space) and control symbols (`\~ \- \_ \{ \} \\`);
//! - destinations that hold no body text are skipped whole: `{\*...}`,
//!   `\fonttbl`, `\colortbl`, `\stylesheet`, `\pict`, `\object`, headers,
//!   footers, footnotes, field instructions, list-number text; `\info` is
//!   skipped except for `\title`, `\author` and `\creatim`, which go to the
//!   metadata;
//! - `\par` ends a paragraph, `\line` is a `\n`, `\tab` a `\t`; `\cell` and
//!   `\row` build table rows whose cells are joined by tabs;
//! - `\uN` with `\ucN` fallback skipping and UTF-16 surrogate pairs;
//! - `\'hh` bytes (and raw 8-bit bytes), decoded run by run through the code
//!   page of the current font's `\fcharset` or else the document's
//!   `\ansicpg` (`\mac` for Mac Roman), so multibyte code pages work;
//! - `\b`/`\b0`/`\plain`, so a paragraph that starts in bold (a speaker
//!   name) carries [`LabelHint::BoldPrefix`].
//!
//! Groups are tracked on an explicit stack with a depth limit, so a hostile
//! file of nested braces is refused instead of overflowing the call stack;
//! groups left open at the end of the file are tolerated, as Word does.

use std::collections::HashMap;

use encoding_rs::Encoding;

use crate::{Block, BlockStyle, Extracted, IngestError, Join, LabelHint};

/// The deepest group nesting accepted; real documents stay far below it.
const MAX_DEPTH: usize = 1000;

/// Returns the blocks of a .rtf document.
pub(crate) fn extract(bytes: &[u8]) -> Result<Extracted, IngestError> {
    let start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let skipped = start.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let body = &start[skipped..];
    if !body.starts_with(b"{\\rtf") {
        return Err(IngestError::Malformed {
            format: "rtf",
            reason: "the file does not start with {\\rtf, so it is not an RTF document".into(),
        });
    }
    let mut reader = Reader::new();
    reader.run(body)?;
    reader.finish()
}

/// Where the text of the current group goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    /// The document body.
    Body,
    /// A destination whose text is dropped.
    Skip,
    /// The font table: font numbers and charsets are read, text dropped.
    FontTable,
    /// `\info`: only the fields below are kept.
    Info,
    /// `\info{\title ...}`.
    Title,
    /// `\info{\author ...}`.
    Author,
    /// `\info{\creatim ...}`: a date written as control words.
    Created,
    /// `\footnote`: kept as a note block after the body.
    Footnote,
}

/// The formatting state a group inherits from its parent and restores on
/// close.
#[derive(Debug, Clone, Copy)]
struct GroupState {
    dest: Dest,
    bold: bool,
    /// How many fallback chars follow each `\uN`.
    uc: usize,
    /// The font selected with `\fN`.
    font: Option<i64>,
}

/// A paragraph (or table cell) being built, with its bold leading run.
#[derive(Debug, Default)]
struct Paragraph {
    text: String,
    /// Bold chars at the start of the paragraph.
    bold_run: usize,
    /// Whether the leading bold run can still grow.
    bold_open: bool,
    /// Whether a non-blank char has been seen.
    started: bool,
}

impl Paragraph {
    /// Appends one char, dropping blank chars before the first visible one.
    fn push(&mut self, c: char, bold: bool) {
        if !self.started {
            if c.is_whitespace() {
                return;
            }
            self.started = true;
            self.bold_open = bold;
        }
        if self.bold_open {
            if bold {
                self.bold_run += 1;
            } else {
                self.bold_open = false;
            }
        }
        self.text.push(c);
    }

    /// Returns the paragraph's text without trailing blanks and the length of
    /// its bold leading run, leaving the paragraph empty.
    fn take(&mut self) -> (String, usize) {
        let taken = std::mem::take(self);
        let text = taken.text.trim_end().to_owned();
        let bold = taken.bold_run.min(text.chars().count());
        (text, bold)
    }
}

/// The tokenizer's state across the whole document.
struct Reader {
    stack: Vec<GroupState>,
    state: GroupState,
    /// `\ansicpg` (or `\mac`, `\pc`, `\pca`).
    code_page: u32,
    /// The default font (`\deffN`).
    default_font: Option<i64>,
    /// Font number to code page, from the font table's `\fcharset`/`\cpg`.
    font_pages: HashMap<i64, u32>,
    /// The font being defined in the font table.
    defining_font: Option<i64>,
    /// Bytes of the current run (`\'hh` or 8-bit literals), not yet decoded.
    pending: Vec<u8>,
    /// Fallback chars still to skip after a `\uN`.
    skip_fallback: usize,
    /// A UTF-16 high surrogate waiting for its low half.
    high_surrogate: Option<u16>,
    paragraph: Paragraph,
    /// The footnote being read.
    footnote: Paragraph,
    /// Footnotes read, in order.
    notes: Vec<String>,
    /// Whether the current paragraph is inside a table (`\intbl`).
    in_table: bool,
    /// The cells of the table row being built.
    cells: Vec<String>,
    blocks: Vec<Block>,
    title: String,
    author: String,
    /// `\yr \mo \dy \hr \min` of `\creatim`.
    created: [Option<i64>; 5],
}

impl Reader {
    /// Returns a reader at the start of a document: code page 1252, one
    /// fallback char per `\uN`.
    fn new() -> Self {
        Self {
            stack: Vec::new(),
            state: GroupState {
                dest: Dest::Body,
                bold: false,
                uc: 1,
                font: None,
            },
            code_page: 1252,
            default_font: None,
            font_pages: HashMap::new(),
            defining_font: None,
            pending: Vec::new(),
            skip_fallback: 0,
            high_surrogate: None,
            paragraph: Paragraph::default(),
            footnote: Paragraph::default(),
            notes: Vec::new(),
            in_table: false,
            cells: Vec::new(),
            blocks: Vec::new(),
            title: String::new(),
            author: String::new(),
            created: [None; 5],
        }
    }

    /// Reads every token of `bytes`, which starts with `{\rtf`.
    fn run(&mut self, bytes: &[u8]) -> Result<(), IngestError> {
        let mut i = 0;
        // The root group's opening brace has been checked by the caller; it
        // is read here like any other.
        while i < bytes.len() {
            let byte = bytes[i];
            match byte {
                b'{' => {
                    self.flush();
                    self.skip_fallback = 0;
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(IngestError::Malformed {
                            format: "rtf",
                            reason: format!("groups nested more than {MAX_DEPTH} deep at byte {i}"),
                        });
                    }
                    self.stack.push(self.state);
                    i += 1;
                }
                b'}' => {
                    self.flush();
                    self.skip_fallback = 0;
                    let Some(parent) = self.stack.pop() else {
                        break;
                    };
                    if self.state.dest == Dest::Footnote && parent.dest != Dest::Footnote {
                        let (text, _) = self.footnote.take();
                        if !text.is_empty() {
                            self.notes.push(text);
                        }
                    }
                    self.state = parent;
                    if self.stack.is_empty() {
                        // The root group closed: anything after it is not
                        // part of the document.
                        break;
                    }
                    i += 1;
                }
                b'\\' => i = self.control(bytes, i + 1)?,
                b'\r' | b'\n' => i += 1,
                _ => {
                    self.byte(byte);
                    i += 1;
                }
            }
        }
        self.flush();
        Ok(())
    }

    /// Reads the control word or symbol after a backslash at `i`, and
    /// returns the index just past it.
    fn control(&mut self, bytes: &[u8], i: usize) -> Result<usize, IngestError> {
        let Some(&first) = bytes.get(i) else {
            return Ok(i);
        };
        if first.is_ascii_alphabetic() {
            let mut end = i;
            while end < bytes.len() && end - i < 32 && bytes[end].is_ascii_alphabetic() {
                end += 1;
            }
            let word = std::str::from_utf8(&bytes[i..end]).unwrap_or("");
            let mut param: Option<i64> = None;
            let mut negative = false;
            if bytes.get(end) == Some(&b'-') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
                negative = true;
                end += 1;
            }
            while let Some(digit) = bytes.get(end).filter(|b| b.is_ascii_digit()) {
                let value = param.unwrap_or(0);
                param = Some(
                    value
                        .saturating_mul(10)
                        .saturating_add(i64::from(digit - b'0')),
                );
                end += 1;
            }
            if negative {
                param = param.map(|p| -p);
            }
            if bytes.get(end) == Some(&b' ') {
                end += 1;
            }
            if word == "bin" {
                // `\binN`: N raw bytes follow, which must not be read as RTF.
                self.flush();
                let n = usize::try_from(param.unwrap_or(0)).unwrap_or(0);
                let remaining = bytes.len().saturating_sub(end);
                if n > remaining {
                    return Err(IngestError::Malformed {
                        format: "rtf",
                        reason: format!(
                            "\\bin{n} at byte {} announces {n} bytes of binary data but only {remaining} remain, so the rest of the text would be lost; open the file in its editor and save it again",
                            i.saturating_sub(1)
                        ),
                    });
                }
                return Ok(end + n);
            }
            self.word(word, param);
            return Ok(end);
        }
        match first {
            b'\'' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(value) => {
                        self.byte(value);
                        Ok(i + 3)
                    }
                    None => Ok(i + 1),
                }
            }
            b'\r' | b'\n' => {
                // A backslash before a line end is a `\par`.
                self.word("par", None);
                Ok(i + 1)
            }
            _ => {
                self.symbol(first);
                Ok(i + 1)
            }
        }
    }

    /// Handles a control symbol other than `\'`.
    fn symbol(&mut self, symbol: u8) {
        self.flush();
        if symbol == b'*' {
            self.state.dest = Dest::Skip;
            return;
        }
        if self.skip_fallback > 0 {
            self.skip_fallback -= 1;
            return;
        }
        match symbol {
            b'~' => self.text_char('\u{a0}'),
            b'_' => self.text_char('-'),
            b'{' | b'}' | b'\\' => self.text_char(char::from(symbol)),
            // `\-` (optional hyphen), `\|`, `\:` and unknown symbols carry no
            // visible text.
            _ => {}
        }
    }

    /// Handles a control word with its parameter.
    fn word(&mut self, word: &str, param: Option<i64>) {
        self.flush();
        if word != "u" && self.skip_fallback > 0 {
            // A control word inside the fallback counts as one char.
            self.skip_fallback -= 1;
            return;
        }
        let dest = self.state.dest;
        match word {
            // Header: code page and default font.
            "ansicpg" => {
                if let Some(page) = param.and_then(|p| u32::try_from(p).ok()) {
                    self.code_page = page;
                }
            }
            "mac" => self.code_page = 10000,
            "pc" => self.code_page = 437,
            "pca" => self.code_page = 850,
            "deff" => self.default_font = param,
            // Destinations skipped whole.
            "fonttbl" => self.state.dest = Dest::FontTable,
            "colortbl" | "stylesheet" | "pict" | "object" | "header" | "headerl" | "headerr"
            | "headerf" | "footer" | "footerl" | "footerr" | "footerf" | "annotation"
            | "fldinst" | "pntext" | "pntxta" | "pntxtb" | "listtext" | "listtable"
            | "listoverridetable" | "revtbl" | "rsidtbl" | "filetbl" | "xmlnstbl" | "themedata"
            | "colorschememapping" | "datastore" | "latentstyles" | "objdata" | "shp"
            | "shpinst" | "nonshppict" | "template" | "docvar" | "xe" | "tc" | "txe" | "rxe"
            | "bkmkstart" | "bkmkend" | "atnid" | "atnauthor" | "atndate" | "atnref"
            | "generator" | "nonesttables" | "mmathPr" | "userprops" | "private" => {
                self.state.dest = Dest::Skip;
            }
            "info" => self.state.dest = Dest::Info,
            "footnote" if dest == Dest::Body => self.state.dest = Dest::Footnote,
            "title" if dest == Dest::Info => self.state.dest = Dest::Title,
            "author" if dest == Dest::Info => self.state.dest = Dest::Author,
            "creatim" if dest == Dest::Info => self.state.dest = Dest::Created,
            "yr" | "mo" | "dy" | "hr" | "min" if dest == Dest::Created => {
                let slot = ["yr", "mo", "dy", "hr", "min"]
                    .iter()
                    .position(|w| *w == word);
                if let Some(slot) = slot {
                    self.created[slot] = param;
                }
            }
            // Fonts.
            "f" if dest == Dest::FontTable => self.defining_font = param,
            "fcharset" if dest == Dest::FontTable => {
                if let (Some(font), Some(page)) =
                    (self.defining_font, param.and_then(charset_code_page))
                {
                    self.font_pages.entry(font).or_insert(page);
                }
            }
            "cpg" if dest == Dest::FontTable => {
                if let (Some(font), Some(page)) = (
                    self.defining_font,
                    param.and_then(|p| u32::try_from(p).ok()),
                ) {
                    self.font_pages.insert(font, page);
                }
            }
            "f" => self.state.font = param,
            // Character formatting.
            "b" => self.state.bold = param != Some(0),
            "plain" => {
                self.state.bold = false;
                self.state.font = None;
            }
            "uc" => self.state.uc = usize::try_from(param.unwrap_or(1)).unwrap_or(1).min(16),
            "u" => {
                if let Some(value) = param {
                    self.unicode(value);
                }
            }
            // Paragraphs, lines and tables.
            "par" | "sect" | "page" => self.end_paragraph(),
            "pard" => self.in_table = false,
            "intbl" => self.in_table = true,
            "cell" | "nestcell" => self.end_cell(),
            "row" | "nestrow" => self.end_row(),
            "line" => self.text_char('\n'),
            "tab" => self.text_char('\t'),
            // Special characters written as words.
            "emdash" => self.text_char('—'),
            "endash" => self.text_char('–'),
            "lquote" => self.text_char('‘'),
            "rquote" => self.text_char('’'),
            "ldblquote" => self.text_char('“'),
            "rdblquote" => self.text_char('”'),
            "bullet" => self.text_char('•'),
            "emspace" | "enspace" | "qmspace" => self.text_char(' '),
            _ => {}
        }
    }

    /// Handles `\uN`: a UTF-16 unit, possibly half of a surrogate pair.
    fn unicode(&mut self, value: i64) {
        let unit = if value < 0 { value + 65536 } else { value };
        let unit = u16::try_from(unit).unwrap_or(0xFFFD);
        self.skip_fallback = self.state.uc;
        match (self.high_surrogate.take(), unit) {
            (Some(high), 0xDC00..=0xDFFF) => {
                let c = char::decode_utf16([high, unit]).next().and_then(Result::ok);
                self.text_char(c.unwrap_or('\u{fffd}'));
            }
            (previous, 0xD800..=0xDBFF) => {
                if previous.is_some() {
                    self.text_char('\u{fffd}');
                }
                self.high_surrogate = Some(unit);
            }
            (previous, _) => {
                if previous.is_some() {
                    self.text_char('\u{fffd}');
                }
                self.text_char(char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}'));
            }
        }
        // `text_char` cleared the fallback count; the fallback follows now.
        self.skip_fallback = self.state.uc;
    }

    /// Handles a text byte (literal or `\'hh`) in the current code page.
    fn byte(&mut self, byte: u8) {
        if self.skip_fallback > 0 {
            self.skip_fallback -= 1;
            return;
        }
        if matches!(self.state.dest, Dest::Skip | Dest::FontTable | Dest::Info) {
            return;
        }
        if self.high_surrogate.take().is_some() {
            self.emit('\u{fffd}');
        }
        self.pending.push(byte);
    }

    /// Decodes the pending bytes through the current code page.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let bytes = std::mem::take(&mut self.pending);
        let page = self
            .state
            .font
            .or(self.default_font)
            .and_then(|f| self.font_pages.get(&f).copied())
            .unwrap_or(self.code_page);
        let (text, _, _) = code_page_encoding(page).decode(&bytes);
        for c in text.chars() {
            self.emit(c);
        }
    }

    /// Appends a char produced by a control word or symbol.
    fn text_char(&mut self, c: char) {
        self.skip_fallback = 0;
        if self.high_surrogate.take().is_some() {
            self.emit('\u{fffd}');
        }
        self.emit(c);
    }

    /// Sends a decoded char to the current destination.
    fn emit(&mut self, c: char) {
        match self.state.dest {
            Dest::Body => self.paragraph.push(c, self.state.bold),
            Dest::Title => self.title.push(c),
            Dest::Author => self.author.push(c),
            Dest::Footnote => self.footnote.push(c, false),
            Dest::Skip | Dest::FontTable | Dest::Info | Dest::Created => {}
        }
    }

    /// Ends a paragraph (`\par`); inside a table cell it is a line break.
    fn end_paragraph(&mut self) {
        if self.state.dest == Dest::Footnote && self.footnote.started {
            self.footnote.push('\n', false);
        }
        if self.state.dest != Dest::Body {
            return;
        }
        if self.in_table {
            if self.paragraph.started {
                self.paragraph.push('\n', false);
            }
            return;
        }
        self.end_row();
        let (text, bold) = self.paragraph.take();
        if text.is_empty() {
            return;
        }
        let label = (bold > 0).then_some(LabelHint::BoldPrefix { chars: bold });
        self.blocks.push(Block {
            text,
            label,
            ..Block::default()
        });
    }

    /// Ends a table cell.
    fn end_cell(&mut self) {
        if self.state.dest != Dest::Body {
            return;
        }
        let (text, _) = self.paragraph.take();
        self.cells.push(text.trim().to_owned());
    }

    /// Ends a table row, if one is being built.
    fn end_row(&mut self) {
        if self.state.dest != Dest::Body || self.cells.is_empty() {
            return;
        }
        let cells = std::mem::take(&mut self.cells);
        if cells.iter().all(String::is_empty) {
            return;
        }
        let text = cells.join("\t");
        self.blocks.push(Block {
            text,
            style: BlockStyle::TableRow,
            ..Block::default()
        });
    }

    /// Returns the blocks and metadata read.
    fn finish(mut self) -> Result<Extracted, IngestError> {
        self.state.dest = Dest::Body;
        self.in_table = false;
        if self.high_surrogate.take().is_some() {
            self.emit('\u{fffd}');
        }
        self.end_paragraph();
        self.end_row();
        let (text, _) = self.footnote.take();
        self.notes.extend((!text.is_empty()).then_some(text));
        for text in std::mem::take(&mut self.notes) {
            self.blocks.push(Block {
                text,
                style: BlockStyle::Note,
                ..Block::default()
            });
        }
        if self.blocks.is_empty() {
            return Err(IngestError::Empty);
        }
        let mut extracted = Extracted {
            blocks: self.blocks,
            join: Join::Paragraphs,
            ..Extracted::default()
        };
        let title = self.title.trim();
        if !title.is_empty() {
            extracted.metadata.title = Some(title.to_owned());
        }
        let author = self.author.trim();
        if !author.is_empty() {
            extracted.metadata.author = Some(author.to_owned());
        }
        if let [Some(year), month, day, hour, minute] = self.created {
            let mut date = format!(
                "{year:04}-{:02}-{:02}",
                month.unwrap_or(1),
                day.unwrap_or(1)
            );
            if let Some(hour) = hour {
                date.push_str(&format!("T{hour:02}:{:02}", minute.unwrap_or(0)));
            }
            extracted.metadata.created = Some(date);
        }
        Ok(extracted)
    }
}

/// Returns the code page of an RTF `\fcharset` value, or `None` for the
/// charsets that mean "the document's code page" (ANSI, default, symbol).
fn charset_code_page(charset: i64) -> Option<u32> {
    Some(match charset {
        77 => 10000,
        128 => 932,
        129 => 949,
        134 => 936,
        136 => 950,
        161 => 1253,
        162 => 1254,
        163 => 1258,
        177 => 1255,
        178 => 1256,
        186 => 1257,
        204 => 1251,
        222 => 874,
        238 => 1250,
        _ => return None,
    })
}

/// Returns the encoding of a Windows code page number; pages encoding_rs
/// lacks (the DOS pages 437 and 850) fall back to Windows-1252, which
/// shares their ASCII half.
fn code_page_encoding(page: u32) -> &'static Encoding {
    match page {
        874 => encoding_rs::WINDOWS_874,
        932 => encoding_rs::SHIFT_JIS,
        936 => encoding_rs::GBK,
        949 => encoding_rs::EUC_KR,
        950 => encoding_rs::BIG5,
        1250 => encoding_rs::WINDOWS_1250,
        1251 => encoding_rs::WINDOWS_1251,
        1253 => encoding_rs::WINDOWS_1253,
        1254 => encoding_rs::WINDOWS_1254,
        1255 => encoding_rs::WINDOWS_1255,
        1256 => encoding_rs::WINDOWS_1256,
        1257 => encoding_rs::WINDOWS_1257,
        1258 => encoding_rs::WINDOWS_1258,
        10000 => encoding_rs::MACINTOSH,
        10007 => encoding_rs::X_MAC_CYRILLIC,
        20866 => encoding_rs::KOI8_R,
        21866 => encoding_rs::KOI8_U,
        28592 => encoding_rs::ISO_8859_2,
        28595 => encoding_rs::ISO_8859_5,
        28597 => encoding_rs::ISO_8859_7,
        28605 => encoding_rs::ISO_8859_15,
        65001 => encoding_rs::UTF_8,
        _ => encoding_rs::WINDOWS_1252,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;
    use verbatim_core::Format;

    use super::*;
    use crate::SpeakerMode;

    /// A Word-like interview export: header tables, info, generator, a bold
    /// name prefix, cp1252 accents, `\u` apostrophes, an emoji, a table.
    const WORD_LIKE: &str = r"{\rtf1\ansi\ansicpg1252\deff0\nouicompat\deflang1036
{\fonttbl{\f0\fnil\fcharset0 Calibri;}{\f1\fswiss\fcharset0 Arial;}}
{\colortbl ;\red255\green0\blue0;}
{\stylesheet{ Normal;}{\s1 heading 1;}}
{\info{\title Entretien n\'b01}{\author Camille Dupr\'e9}{\creatim\yr2024\mo3\dy5\hr10\min30}{\operator Secr\'e9tariat}}
{\*\generator Riched20 10.0.19041}\viewkind4\uc1
\pard\sa200\sl276\slmult1\f0\fs22\lang12{\b Marie :} Alors, l\u8217?\'e9t\'e9 dernier, j\rquote \'e9tais \'ab\~fatigu\'e9e\~\'bb.\par
\pard Le c\'9cur de l\u8217?affaire\line c\u8217?est \u-10179?\u-8704? la famille.\par
\par
{\header \pard Ne pas lire\par}
\trowd\cellx3000\cellx6000
\pard\intbl Pr\'e9nom\cell \'c2ge\cell\row
\trowd\cellx3000\cellx6000
\pard\intbl Zo\'e9\cell 34\cell\row
\pard {\b\fs28 Fin}\b0  de l\u8217?entretien.\par
}";

    fn text_of(extracted: Extracted) -> String {
        crate::assemble(Format::Rtf, extracted, &SpeakerMode::None)
            .map(|s| s.text().to_owned())
            .unwrap_or_else(|e| panic!("assemble failed: {e}"))
    }

    #[test]
    fn reads_a_word_like_document() {
        let extracted = extract(WORD_LIKE.as_bytes()).unwrap();
        assert_eq!(extracted.join, Join::Paragraphs);
        assert_eq!(extracted.metadata.title.as_deref(), Some("Entretien n°1"));
        assert_eq!(extracted.metadata.author.as_deref(), Some("Camille Dupré"));
        assert_eq!(
            extracted.metadata.created.as_deref(),
            Some("2024-03-05T10:30")
        );
        let blocks = &extracted.blocks;
        assert_eq!(blocks.len(), 5, "{blocks:#?}");
        assert_eq!(
            blocks[0].text,
            "Marie : Alors, l’été dernier, j’étais «\u{a0}fatiguée\u{a0}»."
        );
        assert_eq!(blocks[0].label, Some(LabelHint::BoldPrefix { chars: 7 }));
        assert_eq!(blocks[1].text, "Le cœur de l’affaire\nc’est 😀 la famille.");
        assert_eq!(blocks[1].label, None);
        assert_eq!(blocks[2].text, "Prénom\tÂge");
        assert_eq!(blocks[2].style, BlockStyle::TableRow);
        assert_eq!(blocks[3].text, "Zoé\t34");
        assert_eq!(blocks[4].text, "Fin de l’entretien.");
        assert_eq!(blocks[4].label, Some(LabelHint::BoldPrefix { chars: 3 }));

        let text = text_of(extracted);
        assert_eq!(
            text,
            "Marie : Alors, l’été dernier, j’étais «\u{a0}fatiguée\u{a0}».\n\n\
             Le cœur de l’affaire\nc’est 😀 la famille.\n\n\
             Prénom\tÂge\n\nZoé\t34\n\nFin de l’entretien."
        );
        assert!(!text.contains("Riched20"));
        assert!(!text.contains("Calibri"));
        assert!(!text.contains("Ne pas lire"));
    }

    #[test]
    fn reads_word_2016_noise() {
        let rtf = r"{\rtf1\adeflang1025\ansi\ansicpg1252\uc1\adeff31507\deff0\stshfdbch31506
{\fonttbl{\f0\fbidi \froman\fcharset0\fprq2{\*\panose 02020603050405020304}Times New Roman;}
{\f3\fbidi \froman\fcharset2\fprq2{\*\panose 05050102010706020507}Symbol;}}
{\*\listtable{\list\listtemplateid1{\listlevel\levelnfc23{\leveltext\'01\u-3913 ?;}{\levelnumbers;}}\listid1}}
{\*\rsidtbl \rsid123\rsid456}{\mmathPr\mmathFont34}
\pard\plain \ltrpar\ql \rtlch\fcs1 \af31507\afs24\alang1025 \ltrch\fcs0 \f31506\fs24\lang1036
{\rtlch\fcs1 \ab\af31507 \ltrch\fcs0 \b\insrsid123 \hich\af31506\dbch\af31505\loch\f31506 INT :}{\rtlch\fcs1 \af31507 \ltrch\fcs0 \insrsid123 \hich\af31506\dbch\af31505\loch\f31506  Vous pouvez pr\loch\af31506\hich\af31506\dbch\f31505 \'e9\hich\af31506\dbch\af31505\loch\f31506 ciser{\*\bkmkstart _GoBack}{\*\bkmkend _GoBack} ?}{\rtlch\fcs1 \af31507 \ltrch\fcs0 \insrsid456 \par }
{\listtext\pard\plain\ltrpar \rtlch\fcs1 \af0 \ltrch\fcs0 \f3\insrsid123 \loch\af3\dbch\af31506\hich\f3 \'b7\tab}\ls1\ilvl0 Premier point\par
{\*\themedata 504b030414000600080000002100e9de0fbfff0000001c020000130000005b436f6e74656e745f54797065735d2e786d6cac91cb4ec3301045f748fc83e52d4a}
{\*\latentstyles\lsdstimax376\lsdlockeddef0{\lsdlockedexcept \lsdqformat1 Normal;}}
}";
        let extracted = extract(rtf.as_bytes()).unwrap();
        let texts: Vec<&str> = extracted.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, vec!["INT : Vous pouvez préciser ?", "Premier point"]);
        assert_eq!(
            extracted.blocks[0].label,
            Some(LabelHint::BoldPrefix { chars: 5 })
        );
    }

    #[test]
    fn surrogate_values_encode_the_emoji() {
        // U+1F600 is D83D DE00 in UTF-16: 0xD83D - 65536 = -10179 and
        // 0xDE00 - 65536 = -8704.
        assert_eq!(0xD83D - 65536, -10179);
        assert_eq!(0xDE00 - 65536, -8704);
    }

    #[test]
    fn fields_keep_their_result_and_footnotes_become_notes() {
        let rtf = r#"{\rtf1\ansi\ansicpg1252 Voir {\field{\*\fldinst{HYPERLINK "https://exemple.fr"}}{\fldrslt{\ul le site}}} ici{\super\chftn}{\footnote\pard\plain {\super\chftn} Note de l\'92enqu\'eatrice.\par Suite.}.\par
Fin.\par}"#;
        let extracted = extract(rtf.as_bytes()).unwrap();
        let texts: Vec<&str> = extracted.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["Voir le site ici.", "Fin.", "Note de l’enquêtrice.\nSuite."]
        );
        assert_eq!(extracted.blocks[2].style, BlockStyle::Note);
        let text = text_of(extracted);
        assert!(!text.contains("HYPERLINK"));
        assert!(text.ends_with("Fin.\n\nNote de l’enquêtrice.\nSuite."));
    }

    #[test]
    fn uc_counts_fallback_bytes() {
        let rtf = r"{\rtf1\ansi\uc2 caf\u233\'65\'20 ok\par}";
        let extracted = extract(rtf.as_bytes()).unwrap();
        assert_eq!(extracted.blocks[0].text, "café ok");
    }

    #[test]
    fn multibyte_code_page_bytes_decode_together() {
        // "日本" in Shift-JIS is 93 FA 96 7B.
        let rtf = r"{\rtf1\ansi\ansicpg932 \'93\'fa\'96\'7b\par}";
        let extracted = extract(rtf.as_bytes()).unwrap();
        assert_eq!(extracted.blocks[0].text, "日本");
    }

    #[test]
    fn font_charset_chooses_the_code_page() {
        let rtf = r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}{\f1\fcharset204 Arial CYR;}}\f1 \'cf\'f0\'e8\'e2\'e5\'f2\f0  \'e9\par}";
        let extracted = extract(rtf.as_bytes()).unwrap();
        assert_eq!(extracted.blocks[0].text, "Привет é");
    }

    #[test]
    fn mac_roman_is_honoured() {
        let rtf = r"{\rtf1\mac \'8e\'8f\par}";
        assert_eq!(extract(rtf.as_bytes()).unwrap().blocks[0].text, "éè");
    }

    #[test]
    fn control_symbols_are_read() {
        let rtf = r"{\rtf1 a\{b\}c\\d\-e\_f\~g\tab h\par}";
        let extracted = extract(rtf.as_bytes()).unwrap();
        assert_eq!(extracted.blocks[0].text, "a{b}c\\de-f\u{a0}g\th");
    }

    #[test]
    fn bin_data_is_skipped() {
        let rtf = b"{\\rtf1 avant{\\pict\\bin4 }{}\\} apr\\'e8s\\par}";
        let extracted = extract(rtf).unwrap();
        assert_eq!(extracted.blocks[0].text, "avant après");
    }

    #[test]
    fn bin_past_the_end_is_an_error_not_a_silent_cut() {
        // The backslash of `\bin500` is byte 18 (`{\rtf1 avant{\pict` is 18
        // bytes); the data would start at byte 26, after `\bin500 `, and the
        // 22 bytes `}} P03 : la suite\par}` remain: the text would vanish.
        let rtf = b"{\\rtf1 avant{\\pict\\bin500 }} P03 : la suite\\par}";
        let err = extract(rtf).unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(err, IngestError::Malformed { format: "rtf", .. }),
            "{message}"
        );
        assert!(message.contains("\\bin500 at byte 18"), "{message}");
        assert!(message.contains("only 22 remain"), "{message}");
    }

    #[test]
    fn unclosed_groups_are_tolerated() {
        let rtf = r"{\rtf1\ansi {\b Paul :} il n\u8217?a pas fini";
        let extracted = extract(rtf.as_bytes()).unwrap();
        assert_eq!(extracted.blocks[0].text, "Paul : il n’a pas fini");
        assert_eq!(
            extracted.blocks[0].label,
            Some(LabelHint::BoldPrefix { chars: 6 })
        );
    }

    #[test]
    fn not_rtf_is_malformed() {
        let err = extract(b"Bonjour, ceci n'est pas du RTF").unwrap_err();
        assert!(
            matches!(err, IngestError::Malformed { format: "rtf", .. }),
            "{err}"
        );
    }

    #[test]
    fn empty_document_is_empty() {
        let err = extract(br"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\par\par}").unwrap_err();
        assert!(matches!(err, IngestError::Empty), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let mut rtf = String::from(r"{\rtf1 ");
        rtf.push_str(&"{".repeat(100_000));
        rtf.push('x');
        let err = extract(rtf.as_bytes()).unwrap_err();
        assert!(
            matches!(err, IngestError::Malformed { format: "rtf", .. }),
            "{err}"
        );
    }

    #[test]
    fn moderate_nesting_is_read() {
        let mut rtf = String::from(r"{\rtf1 ");
        rtf.push_str(&"{".repeat(500));
        rtf.push_str("profond");
        rtf.push_str(&"}".repeat(500));
        rtf.push('}');
        assert_eq!(extract(rtf.as_bytes()).unwrap().blocks[0].text, "profond");
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = extract(&bytes);
            let mut prefixed = b"{\\rtf1 ".to_vec();
            prefixed.extend_from_slice(&bytes);
            let _ = extract(&prefixed);
        }

        #[test]
        fn rtf_like_tokens_never_panic(tokens in proptest::collection::vec(
            prop_oneof![
                Just("{".to_owned()), Just("}".to_owned()), Just("\\par ".to_owned()),
                Just("\\u-10179?".to_owned()), Just("\\u8217?".to_owned()),
                Just("\\'e9".to_owned()), Just("\\'".to_owned()), Just("\\uc3 ".to_owned()),
                Just("\\cell ".to_owned()), Just("\\row ".to_owned()), Just("\\b ".to_owned()),
                Just("\\*".to_owned()), Just("\\bin99999999999999999999 ".to_owned()),
                Just("\\".to_owned()), Just("été ".to_owned()), Just("\\intbl ".to_owned()),
            ],
            0..64,
        )) {
            let rtf = format!("{{\\rtf1 {}", tokens.concat());
            let _ = extract(rtf.as_bytes());
        }
    }
}
