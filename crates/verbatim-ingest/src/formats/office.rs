//! Machinery shared by the docx and odt readers.
//!
//! Both formats are zipped XML where text sits in paragraphs, paragraphs sit
//! in table cells or in text boxes nested inside other paragraphs, and
//! comments mark ranges that may cross paragraph ends. The two readers differ
//! only in element names, so the XML plumbing (decoding a part, walking its
//! events, reading attributes by local name) and the building of blocks
//! (paragraph text with its bold prefix and comment ranges, table rows, text
//! boxes placed after the paragraph that holds them) live here.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::{Block, BlockAnchor, BlockStyle, IngestError, LabelHint};

/// Returns the text of an XML part: UTF-8 (a byte-order mark is dropped) or
/// UTF-16 with a byte-order mark; anything else is [`IngestError::BadXml`].
pub(crate) fn decode_part(bytes: Vec<u8>, part: &str) -> Result<String, IngestError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(&bytes)
        && encoding != encoding_rs::UTF_8
    {
        let (text, had_errors) =
            encoding.decode_without_bom_handling(bytes.get(bom..).unwrap_or_default());
        if had_errors {
            return Err(bad_xml(part, "the UTF-16 text is damaged".to_owned()));
        }
        return Ok(text.into_owned());
    }
    let mut bytes = bytes;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        bad_xml(
            part,
            format!("the text is not UTF-8 (invalid byte at offset {at})"),
        )
    })
}

/// Returns the [`IngestError::BadXml`] for `part`. The parser's reason
/// quotes the file's own bytes (a tag name, say), which may hold line
/// breaks or other control characters: they are shown escaped, so the
/// refusal stays one line.
fn bad_xml(part: &str, reason: String) -> IngestError {
    IngestError::BadXml {
        part: part.to_owned(),
        reason: crate::error::one_line(&reason),
    }
}

/// Returns "line L, column C" for a byte offset in `xml`.
fn position(xml: &str, offset: u64) -> String {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(xml.len());
    let before = xml.as_bytes().get(..offset).unwrap_or_default();
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    format!("line {line}, column {column}")
}

/// Calls `handle` with every event of the XML part `xml` in document order,
/// and fails with [`IngestError::BadXml`] (saying where) when the XML is not
/// well formed, including elements left open at the end.
pub(crate) fn walk(
    xml: &str,
    part: &str,
    mut handle: impl FnMut(&Event<'_>) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let mut reader = Reader::from_str(xml);
    let mut depth = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| {
            bad_xml(
                part,
                format!("{e} at {}", position(xml, reader.error_position())),
            )
        })?;
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof if depth > 0 => {
                return Err(bad_xml(
                    part,
                    format!(
                        "the document ends with {depth} element(s) still open at {}",
                        position(xml, reader.buffer_position())
                    ),
                ));
            }
            Event::Eof => return Ok(()),
            // Word and LibreOffice write only the five predefined entities
            // and character references; anything else (a billion-laughs
            // or XXE declaration's entity) is refused, not dropped.
            Event::GeneralRef(reference) if chars_of(&event).is_none() => {
                let name: &str = &reference[..];
                return Err(bad_xml(
                    part,
                    format!(
                        "unknown entity or invalid character reference &{name}; at {}",
                        position(xml, reader.buffer_position())
                    ),
                ));
            }
            _ => {}
        }
        handle(&event)?;
    }
}

/// Returns the local part of a qualified name (`w:p` → `p`).
pub(crate) fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

/// Returns the local name of an element's tag.
pub(crate) fn tag<'e>(element: &'e BytesStart<'_>) -> &'e str {
    local(element.name().0)
}

/// Returns the value of the attribute whose local name is `name`, entities
/// resolved; `None` when absent or unreadable.
pub(crate) fn attr(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .find(|a| local(a.key.0) == name)
        .map(|a| match a.normalized_value(XmlVersion::Implicit1_0) {
            Ok(value) => value.into_owned(),
            Err(_) => a.value.into_owned(),
        })
}

/// Returns the character data an event carries: text, CDATA, or a resolved
/// entity or character reference. Other events carry none.
pub(crate) fn chars_of<'e>(event: &'e Event<'_>) -> Option<Cow<'e, str>> {
    match event {
        Event::Text(text) => Some(text.xml10_content()),
        Event::CData(data) => Some(data.xml10_content()),
        Event::GeneralRef(reference) => match reference.resolve_char_ref() {
            Ok(Some(ch)) => Some(Cow::Owned(ch.to_string())),
            Ok(None) => resolve_predefined_entity(reference).map(Cow::Borrowed),
            Err(_) => None,
        },
        _ => None,
    }
}

/// What a note anchored to a range says: a Word comment or an ODF annotation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Remark {
    /// Who wrote it.
    pub author: Option<String>,
    /// When, as the file wrote it.
    pub date: Option<String>,
    /// What it says.
    pub text: String,
}

/// Remarks by the id the document's range markers use.
pub(crate) type Remarks = HashMap<String, Remark>;

/// A remark's range while its block is being built: `end` stays `None`
/// until the range's end marker is seen in the same block.
#[derive(Debug, Clone)]
struct Range {
    key: String,
    start: usize,
    end: Option<usize>,
}

/// Returns the block for `text`, or `None` when it holds only white space.
/// Trailing line breaks are dropped; ranges still open end with the block.
fn block(
    mut text: String,
    style: BlockStyle,
    bold: usize,
    ranges: Vec<Range>,
    remarks: &Remarks,
) -> Option<Block> {
    if text.trim().is_empty() {
        return None;
    }
    while text.ends_with('\n') {
        text.pop();
    }
    let chars = text.chars().count();
    let anchors = ranges
        .into_iter()
        .filter_map(|range| {
            let remark = remarks.get(&range.key)?;
            let end = range.end.unwrap_or(chars).min(chars);
            Some(BlockAnchor {
                start: range.start.min(end),
                end,
                author: remark.author.clone(),
                date: remark.date.clone(),
                text: remark.text.clone(),
            })
        })
        .collect();
    let bold = bold.min(chars);
    let label =
        (bold > 0 && style != BlockStyle::Heading).then_some(LabelHint::BoldPrefix { chars: bold });
    Some(Block {
        text,
        style,
        label,
        timing: None,
        anchors,
    })
}

/// A paragraph being read.
#[derive(Debug, Default)]
pub(crate) struct Para {
    text: String,
    chars: usize,
    bold_chars: usize,
    bold_done: bool,
    ranges: Vec<Range>,
    /// The paragraph's style makes it a heading.
    pub heading: bool,
}

impl Para {
    /// Returns the paragraph's length so far, in chars.
    pub(crate) fn chars(&self) -> usize {
        self.chars
    }

    /// Returns whether nothing has been written yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.chars == 0
    }

    /// Appends `text`, written in bold or not. Leading bold text counts
    /// towards the bold prefix until the first text that is not bold.
    pub(crate) fn push(&mut self, text: &str, bold: bool) {
        if text.is_empty() {
            return;
        }
        let n = text.chars().count();
        if !self.bold_done {
            if bold {
                self.bold_chars += n;
            } else {
                self.bold_done = true;
            }
        }
        self.text.push_str(text);
        self.chars += n;
    }

    /// Starts the range of remark `key` at the current end of the text.
    pub(crate) fn open_range(&mut self, key: String) {
        self.open_range_at(key, self.chars);
    }

    /// Starts the range of remark `key` at char `start` of the paragraph.
    pub(crate) fn open_range_at(&mut self, key: String, start: usize) {
        self.ranges.push(Range {
            key,
            start,
            end: None,
        });
    }

    /// Ends the open range of remark `key` at the current end of the text;
    /// returns whether this paragraph held it.
    fn close_range(&mut self, key: &str) -> bool {
        close_in(&mut self.ranges, key, self.chars)
    }
}

/// Ends the last open range of remark `key` in `ranges` at `at`; returns
/// whether there was one.
fn close_in(ranges: &mut [Range], key: &str, at: usize) -> bool {
    match ranges
        .iter_mut()
        .rev()
        .find(|r| r.key == key && r.end.is_none())
    {
        Some(range) => {
            range.end = Some(at.max(range.start));
            true
        }
        None => false,
    }
}

/// A table row being read: its cells' paragraphs joined by a space, cells
/// by a tab.
#[derive(Debug, Default)]
struct Row {
    text: String,
    chars: usize,
    cells: usize,
    cell_paras: usize,
    bold: usize,
    ranges: Vec<Range>,
}

impl Row {
    /// Starts a cell: a tab separates it from the previous one.
    fn start_cell(&mut self) {
        if self.cells > 0 {
            self.text.push('\t');
            self.chars += 1;
        }
        self.cells += 1;
        self.cell_paras = 0;
    }

    /// Returns where a paragraph of the current cell will start.
    fn next_para_start(&self) -> usize {
        self.chars + usize::from(self.cell_paras > 0)
    }

    /// Appends a paragraph of the current cell, its ranges moved into the
    /// row; blank paragraphs are left out.
    fn push_para(&mut self, para: Para) {
        if para.text.trim().is_empty() {
            return;
        }
        if self.cell_paras > 0 {
            self.text.push(' ');
            self.chars += 1;
        }
        let offset = self.chars;
        if offset == 0 && para.bold_chars > 0 {
            self.bold = para.bold_chars;
        }
        self.ranges.extend(para.ranges.into_iter().map(|r| Range {
            key: r.key,
            start: r.start + offset,
            end: r.end.map(|e| e + offset),
        }));
        self.text.push_str(&para.text);
        self.chars += para.chars;
        self.cell_paras += 1;
    }

    /// Returns the row flattened into a paragraph (for a table nested in a
    /// cell), tabs turned into spaces.
    fn into_para(self) -> Para {
        Para {
            text: self.text.replace('\t', " "),
            chars: self.chars,
            bold_chars: self.bold,
            bold_done: true,
            ranges: self.ranges,
            heading: false,
        }
    }
}

/// The rows of one table being read.
#[derive(Debug, Default)]
struct Table {
    row: Option<Row>,
}

/// One flow of text being read: the document body, a text box, a note or a
/// comment. Text boxes are read as their own story, whose blocks are placed
/// after the block (paragraph or table row) that holds them.
#[derive(Debug, Default)]
pub(crate) struct Story {
    /// The paragraph being read, if any.
    pub para: Option<Para>,
    tables: Vec<Table>,
    blocks: Vec<Block>,
    after: Vec<Block>,
}

impl Story {
    /// Starts a paragraph, ending any paragraph left open.
    pub(crate) fn open_para(&mut self, remarks: &Remarks) {
        self.close_para(remarks);
        self.para = Some(Para::default());
    }

    /// Ends the paragraph being read: into the current table cell, or as a
    /// block of its own (a heading if `heading` is set on it).
    pub(crate) fn close_para(&mut self, remarks: &Remarks) {
        let Some(para) = self.para.take() else {
            return;
        };
        if let Some(row) = self.tables.last_mut().and_then(|t| t.row.as_mut()) {
            row.push_para(para);
            return;
        }
        let style = if para.heading {
            BlockStyle::Heading
        } else {
            BlockStyle::Paragraph
        };
        let bold = para.bold_chars;
        match block(para.text, style, bold, para.ranges, remarks) {
            Some(block) => self.emit(block),
            None => self.flush_after(),
        }
    }

    /// Places the blocks of text boxes held by a block that turned out empty.
    fn flush_after(&mut self) {
        if self.tables.iter().all(|t| t.row.is_none()) {
            self.blocks.append(&mut self.after);
        }
    }

    /// Adds a finished block, followed by the text boxes it held.
    fn emit(&mut self, block: Block) {
        if self.tables.iter().any(|t| t.row.is_some()) {
            // A block produced inside a table (a text box in a cell) waits
            // for the row.
            self.after.push(block);
            return;
        }
        self.blocks.push(block);
        self.blocks.append(&mut self.after);
    }

    /// Starts a table.
    pub(crate) fn open_table(&mut self, remarks: &Remarks) {
        if self.tables.iter().all(|t| t.row.is_none()) {
            self.close_para(remarks);
        }
        self.tables.push(Table::default());
    }

    /// Starts a row of the current table.
    pub(crate) fn open_row(&mut self, remarks: &Remarks) {
        self.close_row(remarks);
        if let Some(table) = self.tables.last_mut() {
            table.row = Some(Row::default());
        }
    }

    /// Starts a cell of the current row.
    pub(crate) fn open_cell(&mut self, remarks: &Remarks) {
        self.close_para(remarks);
        if let Some(row) = self.tables.last_mut().and_then(|t| t.row.as_mut()) {
            row.start_cell();
        }
    }

    /// Ends the current row: a [`BlockStyle::TableRow`] block, or, in a table
    /// nested in a cell, a paragraph of that cell.
    pub(crate) fn close_row(&mut self, remarks: &Remarks) {
        self.close_para(remarks);
        let Some(row) = self.tables.last_mut().and_then(|t| t.row.take()) else {
            return;
        };
        let depth = self.tables.len();
        if depth > 1
            && let Some(outer) = self.tables.get_mut(depth - 2).and_then(|t| t.row.as_mut())
        {
            outer.push_para(row.into_para());
            return;
        }
        // Empty cells at the end of a row add nothing but tabs.
        let mut text = row.text;
        while text.ends_with('\t') {
            text.pop();
        }
        match block(text, BlockStyle::TableRow, row.bold, row.ranges, remarks) {
            Some(block) => self.emit(block),
            None => self.flush_after(),
        }
    }

    /// Ends the current table.
    pub(crate) fn close_table(&mut self, remarks: &Remarks) {
        self.close_row(remarks);
        self.tables.pop();
    }

    /// Ends the open range of remark `key` at the current position, looking
    /// in the paragraph then in the row being read. A range that started in
    /// a block already finished was clamped to that block's end.
    pub(crate) fn close_range(&mut self, key: &str) {
        let para_chars = self.para.as_ref().map_or(0, Para::chars);
        if self.para.as_mut().is_some_and(|p| p.close_range(key)) {
            return;
        }
        if let Some(row) = self.tables.last_mut().and_then(|t| t.row.as_mut()) {
            let at = if para_chars > 0 {
                row.next_para_start() + para_chars
            } else {
                row.chars
            };
            close_in(&mut row.ranges, key, at);
        }
    }

    /// Places the blocks of this finished story (a text box) in `outer`,
    /// the story holding it: after the block `outer` is reading, or at
    /// once when it is reading none.
    pub(crate) fn nest_into(self, outer: &mut Story, remarks: &Remarks) {
        let blocks = self.finish(remarks);
        if outer.para.is_none() && outer.tables.iter().all(|t| t.row.is_none()) {
            outer.blocks.extend(blocks);
        } else {
            outer.after.extend(blocks);
        }
    }

    /// Returns all blocks of the story, ending whatever is still open.
    pub(crate) fn finish(mut self, remarks: &Remarks) -> Vec<Block> {
        self.close_para(remarks);
        while !self.tables.is_empty() {
            self.close_table(remarks);
        }
        self.blocks.append(&mut self.after);
        self.blocks
    }
}

/// Returns a note's text from its blocks, paragraphs joined by a line
/// break; `None` when the note is empty.
pub(crate) fn note_body(blocks: Vec<Block>) -> Option<String> {
    let body: Vec<String> = blocks
        .into_iter()
        .map(|b| b.text.trim().to_owned())
        .collect();
    let body = body.join("\n");
    let body = body.trim();
    (!body.is_empty()).then(|| body.to_owned())
}

/// Returns the text of a remark from its blocks: paragraphs joined by a line
/// break.
pub(crate) fn remark_text(blocks: Vec<Block>) -> String {
    blocks
        .into_iter()
        .map(|b| b.text)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// Appends the notes section to `blocks`: a "Notes" heading, then each note.
pub(crate) fn append_notes(blocks: &mut Vec<Block>, notes: Vec<String>) {
    if notes.is_empty() {
        return;
    }
    blocks.push(Block {
        text: "Notes".to_owned(),
        style: BlockStyle::Heading,
        ..Block::default()
    });
    blocks.extend(notes.into_iter().map(|text| Block {
        text,
        style: BlockStyle::Note,
        ..Block::default()
    }));
}

/// Returns the metadata note for skipped media, e.g. "2 images skipped",
/// or `None` when the count is zero.
pub(crate) fn skipped(count: usize, one: &str, many: &str) -> Option<String> {
    match count {
        0 => None,
        1 => Some(format!("1 {one} skipped")),
        n => Some(format!("{n} {many} skipped")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Returns how many cases the no-panic property tests of the docx and
    /// odt readers run: 300, or `VERBATIM_FUZZ_CASES` for a longer hunt.
    pub(crate) fn fuzz_cases() -> u32 {
        std::env::var("VERBATIM_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300)
    }

    /// Returns `text` with each edit applied: insert a snippet, or delete a
    /// few bytes, at a char boundary.
    pub(crate) fn mangle(
        text: &str,
        edits: &[(proptest::sample::Index, usize, bool)],
        snippets: &[&str],
    ) -> String {
        let mut text = text.to_owned();
        for (at, snippet, delete) in edits {
            let mut pos = at.index(text.len() + 1);
            while !text.is_char_boundary(pos) {
                pos -= 1;
            }
            if *delete {
                let mut end = (pos + 1 + snippet % 24).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.replace_range(pos..end, "");
            } else {
                text.insert_str(pos, snippets[snippet % snippets.len()]);
            }
        }
        text
    }

    /// Found by the hostile corpus: an entity a DOCTYPE declares (billion
    /// laughs, XXE) was dropped silently and the paragraph imported
    /// without it.
    #[test]
    fn unknown_entities_are_refused_not_dropped() {
        for xml in ["<w:t>INT : &lol9;</w:t>", "<w:t>&#xD800;</w:t>"] {
            match walk(xml, "word/document.xml", |_| Ok(())) {
                Err(e @ IngestError::BadXml { .. }) => {
                    assert!(e.to_string().contains("unknown entity"), "{e}");
                }
                other => panic!("{xml}: expected BadXml, got {other:?}"),
            }
        }
        assert!(walk("<w:t>&amp;&#233;</w:t>", "x", |_| Ok(())).is_ok());
    }

    /// Found by `fuzz_importers`: a closing tag holding a line break was
    /// quoted as is, and the refusal ran over two lines.
    #[test]
    fn bad_xml_reason_quoting_a_line_break_stays_one_line() {
        let xml = "<w:t>x</stream\nw:t>";
        match walk(xml, "word/document.xml", |_| Ok(())) {
            Err(e @ IngestError::BadXml { .. }) => {
                let message = e.to_string();
                assert!(!message.contains('\n'), "{message}");
                assert!(message.contains("stream\\nw:t"), "{message}");
            }
            other => panic!("expected BadXml, got {other:?}"),
        }
    }

    #[test]
    fn bad_xml_says_where() {
        let xml = "<a>\n  <b></c>\n</a>";
        match walk(xml, "word/document.xml", |_| Ok(())) {
            Err(IngestError::BadXml { part, reason }) => {
                assert_eq!(part, "word/document.xml");
                assert!(reason.contains("line 2"), "{reason}");
            }
            other => panic!("expected BadXml, got {other:?}"),
        }
        assert!(matches!(
            walk("<a><b>", "x", |_| Ok(())),
            Err(IngestError::BadXml { .. })
        ));
    }

    #[test]
    fn decodes_utf8_with_bom_and_utf16() {
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice("<a>é</a>".as_bytes());
        assert_eq!(decode_part(with_bom, "p").expect("utf-8"), "<a>é</a>");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("<a>é</a>".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_part(utf16, "p").expect("utf-16"), "<a>é</a>");
        assert!(matches!(
            decode_part(vec![b'<', 0xFF], "p"),
            Err(IngestError::BadXml { .. })
        ));
    }

    #[test]
    fn bold_prefix_stops_at_the_first_plain_text() {
        let mut para = Para::default();
        para.push("Anne", true);
        para.push(" :", true);
        para.push(" bonjour", false);
        para.push("gras", true);
        let block = block(
            para.text,
            BlockStyle::Paragraph,
            para.bold_chars,
            vec![],
            &Remarks::new(),
        )
        .expect("block");
        assert_eq!(block.label, Some(LabelHint::BoldPrefix { chars: 6 }));
    }
}
