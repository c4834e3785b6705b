//! Reader for .docx files (Office Open XML word-processing documents).
//!
//! Most transcripts arrive as Word files. The text lives in the main
//! document part (found through `_rels/.rels`, usually `word/document.xml`),
//! with footnotes, endnotes and comments in parts of their own. This reader
//! streams those parts with quick-xml and keeps what a reader of the
//! transcript sees: paragraphs, table rows, text boxes (once, although Word
//! stores them twice), tracked insertions (not deletions), notes appended at
//! the end, comments as anchors, and a bold leading run as a speaker hint.
//!
//! Elements are matched by local name, so transitional and Strict OOXML
//! (whose namespaces differ) read the same.

use std::collections::{HashMap, HashSet};

use quick_xml::events::{BytesStart, Event};
use verbatim_core::SourceMetadata;

use super::office::{self, Remark, Remarks, Story, attr, chars_of, local, tag, walk};
use crate::zipped::Container;
use crate::{Block, Extracted, IngestError, Join, Limits};

/// The part read when `_rels/.rels` names no main document.
const DEFAULT_MAIN: &str = "word/document.xml";

/// Elements whose content is never text a reader sees: tracked deletions,
/// moved-away text, field instructions, and former formatting.
const SKIPPED: &[&str] = &[
    "del",
    "moveFrom",
    "delText",
    "instrText",
    "delInstrText",
    "rPrChange",
    "pPrChange",
    "sectPrChange",
    "tblPrChange",
    "trPrChange",
    "tcPrChange",
    "tblGridChange",
    "numberingChange",
];

/// Note types that hold the separator line above notes, not a note.
const SEPARATORS: &[&str] = &["separator", "continuationSeparator", "continuationNotice"];

/// Returns the blocks of a .docx document.
pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, IngestError> {
    let mut container = Container::open(bytes, "docx", limits)?;
    let main = main_part(&mut container)?;
    let parts = Parts {
        related: related_parts(&mut container, &main)?,
        main,
    };
    let mut metadata = SourceMetadata::default();
    let styles = read_styles(&mut container, &parts, &mut metadata)?;
    let remarks = read_comments(&mut container, &parts, &styles)?;
    let main = &parts.main;
    if !container.contains(main) && container.contains("content.xml") {
        return Err(IngestError::BadContainer {
            format: "docx",
            reason: format!(
                "the part {main} is missing, and the file looks like an OpenDocument text: \
                 rename it to .odt"
            ),
        });
    }
    let xml = office::decode_part(container.read_required(main)?, main)?;
    let mut walker = Walker::new(&styles, &remarks, None);
    walk(&xml, main, |event| walker.event(event))?;
    let counts = walker.counts;
    let mut blocks = walker.finish();
    let notes = read_notes(&mut container, &parts, &styles, &remarks)?;
    office::append_notes(&mut blocks, notes);

    if let Some(bytes) = container.read("docProps/core.xml")? {
        read_core(bytes, &mut metadata);
    }
    metadata
        .notes
        .extend(office::skipped(counts.images, "image", "images"));
    metadata
        .notes
        .extend(office::skipped(counts.charts, "chart", "charts"));
    metadata
        .notes
        .extend(office::skipped(counts.symbols, "symbol", "symbols"));
    Ok(Extracted {
        blocks,
        join: Join::Paragraphs,
        metadata,
    })
}

/// The main document part and the parts it relates to.
struct Parts {
    main: String,
    related: HashMap<String, String>,
}

impl Parts {
    /// Returns the part related as `suffix` (`styles`, `footnotes`…), or
    /// `default` beside the main part.
    fn part_for(&self, suffix: &str, default: &str) -> String {
        self.related
            .get(suffix)
            .cloned()
            .unwrap_or_else(|| sibling(&self.main, default))
    }
}

/// Reads the styles part; a damaged one is noted and read as no styles.
fn read_styles(
    container: &mut Container<'_>,
    parts: &Parts,
    metadata: &mut SourceMetadata,
) -> Result<Styles, IngestError> {
    let part = parts.part_for("styles", "styles.xml");
    Ok(match container.read(&part)? {
        Some(bytes) => Styles::read(bytes, &part).unwrap_or_else(|_| {
            metadata
                .notes
                .push("the styles part is damaged: headings and bold styles ignored".into());
            Styles::default()
        }),
        None => Styles::default(),
    })
}

/// Reads the comments part into the remarks the document's ranges anchor.
fn read_comments(
    container: &mut Container<'_>,
    parts: &Parts,
    styles: &Styles,
) -> Result<Remarks, IngestError> {
    let comments_part = parts.part_for("comments", "comments.xml");
    let mut remarks = Remarks::new();
    let Some(bytes) = container.read(&comments_part)? else {
        return Ok(remarks);
    };
    let xml = office::decode_part(bytes, &comments_part)?;
    let mut walker = Walker::new(styles, &remarks, Some("comment"));
    walk(&xml, &comments_part, |event| walker.event(event))?;
    let items = walker.finish_items();
    for item in items {
        let text = office::remark_text(item.blocks);
        remarks.insert(
            item.id,
            Remark {
                author: item.author,
                date: item.date,
                text,
            },
        );
    }
    Ok(remarks)
}

/// Reads the footnotes (numbered 1, 2…) then the endnotes (i, ii…), each
/// as one line `[n] body`, in file order, the order Word shows them in.
fn read_notes(
    container: &mut Container<'_>,
    parts: &Parts,
    styles: &Styles,
    remarks: &Remarks,
) -> Result<Vec<String>, IngestError> {
    let mut notes = Vec::new();
    for (suffix, default, item, number) in [
        (
            "footnotes",
            "footnotes.xml",
            "footnote",
            arabic as fn(usize) -> String,
        ),
        ("endnotes", "endnotes.xml", "endnote", roman),
    ] {
        let part = parts.part_for(suffix, default);
        let Some(bytes) = container.read(&part)? else {
            continue;
        };
        let xml = office::decode_part(bytes, &part)?;
        let mut walker = Walker::new(styles, remarks, Some(item));
        walk(&xml, &part, |event| walker.event(event))?;
        let bodies = walker
            .finish_items()
            .into_iter()
            .filter_map(|n| office::note_body(n.blocks));
        notes.extend(
            bodies
                .enumerate()
                .map(|(i, body)| format!("[{}] {body}", number(i + 1))),
        );
    }
    Ok(notes)
}

/// Returns `n` as written in the text: `1`, `2`, …
fn arabic(n: usize) -> String {
    n.to_string()
}

/// Returns `n` in lower-case roman numerals (Word's default for endnotes);
/// `0` and numbers past 3999 are written in arabic digits.
fn roman(n: usize) -> String {
    if n == 0 || n > 3999 {
        return n.to_string();
    }
    /// Roman numerals by value, largest first.
    const NUMERALS: [(usize, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut rest = n;
    let mut out = String::new();
    for (value, numeral) in NUMERALS {
        while rest >= value {
            out.push_str(numeral);
            rest -= value;
        }
    }
    out
}

/// Returns the path of the part `name` in the folder of the part `part`.
fn sibling(part: &str, name: &str) -> String {
    match part.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/{name}"),
        None => name.to_owned(),
    }
}

/// Returns the part a relationship target names, resolved against the
/// folder `base` (`""` for the package root): `..` and `.` segments are
/// applied, a leading `/` makes the target absolute.
fn resolve(base: &str, target: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let joined = if let Some(absolute) = target.strip_prefix('/') {
        absolute.to_owned()
    } else if base.is_empty() {
        target.to_owned()
    } else {
        format!("{base}/{target}")
    };
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    segments.join("/")
}

/// Returns the relationships of a `.rels` part as (type, target) pairs,
/// external targets left out. A damaged or missing `.rels` part yields none:
/// the reader then falls back to the usual part names.
fn relationships(
    container: &mut Container<'_>,
    rels: &str,
) -> Result<Vec<(String, String)>, IngestError> {
    let Some(bytes) = container.read(rels)? else {
        return Ok(Vec::new());
    };
    let Ok(xml) = office::decode_part(bytes, rels) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    let parsed = walk(&xml, rels, |event| {
        if let Event::Start(e) | Event::Empty(e) = event
            && tag(e) == "Relationship"
            && !attr(e, "TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("External"))
            && let (Some(kind), Some(target)) = (attr(e, "Type"), attr(e, "Target"))
        {
            found.push((kind, target));
        }
        Ok(())
    });
    Ok(if parsed.is_ok() { found } else { Vec::new() })
}

/// Returns the main document part named by the package's `officeDocument`
/// relationship (transitional or Strict), or `word/document.xml`.
fn main_part(container: &mut Container<'_>) -> Result<String, IngestError> {
    let rels = relationships(container, "_rels/.rels")?;
    let named = rels
        .into_iter()
        .find(|(kind, _)| kind.ends_with("/officeDocument"))
        .map(|(_, target)| resolve("", &target));
    Ok(match named {
        Some(part) if container.contains(&part) => part,
        _ => DEFAULT_MAIN.to_owned(),
    })
}

/// Returns the parts the main document relates to, by the last segment of
/// the relationship type (`footnotes`, `endnotes`, `comments`, `styles`).
fn related_parts(
    container: &mut Container<'_>,
    main: &str,
) -> Result<HashMap<String, String>, IngestError> {
    let (folder, file) = main.rsplit_once('/').unwrap_or(("", main));
    let rels_part = if folder.is_empty() {
        format!("_rels/{file}.rels")
    } else {
        format!("{folder}/_rels/{file}.rels")
    };
    let mut parts = HashMap::new();
    for (kind, target) in relationships(container, &rels_part)? {
        if let Some((_, last)) = kind.rsplit_once('/') {
            parts
                .entry(last.to_owned())
                .or_insert_with(|| resolve(folder, &target));
        }
    }
    Ok(parts)
}

/// What the styles part says about paragraph and character styles.
#[derive(Debug, Default)]
struct Styles {
    /// Style ids whose text is bold.
    bold: HashSet<String>,
    /// Paragraph style ids that are headings.
    heading: HashSet<String>,
}

impl Styles {
    /// Returns the bold and heading styles of `styles.xml`, following
    /// `w:basedOn` a few levels.
    fn read(bytes: Vec<u8>, part: &str) -> Result<Self, IngestError> {
        #[derive(Default)]
        /// What one style sets, before following `w:basedOn`.
        struct Style {
            bold: Option<bool>,
            heading: bool,
            based_on: Option<String>,
        }
        let xml = office::decode_part(bytes, part)?;
        let mut styles: HashMap<String, Style> = HashMap::new();
        let mut current: Option<(String, Style)> = None;
        let mut in_rpr = false;
        walk(&xml, part, |event| {
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    let name = tag(e);
                    if name == "style" {
                        current = attr(e, "styleId").map(|id| (id, Style::default()));
                    }
                    if let Some((_, style)) = current.as_mut() {
                        match name {
                            "rPr" => in_rpr = matches!(event, Event::Start(_)),
                            "b" if in_rpr => style.bold = Some(is_on(e)),
                            "outlineLvl" => style.heading = true,
                            "name" => {
                                let value = attr(e, "val").unwrap_or_default().to_lowercase();
                                style.heading |= value.starts_with("heading") || value == "title";
                            }
                            "basedOn" => style.based_on = attr(e, "val"),
                            _ => {}
                        }
                    }
                }
                Event::End(e) => match local(e.name().0) {
                    "rPr" => in_rpr = false,
                    "style" => {
                        if let Some((id, style)) = current.take() {
                            styles.insert(id, style);
                        }
                    }
                    _ => {}
                },
                _ => {}
            }
            Ok(())
        })?;
        let mut out = Styles::default();
        for id in styles.keys() {
            let mut at = Some(id);
            let mut bold = None;
            let mut heading = false;
            for _ in 0..10 {
                let Some(style) = at.and_then(|i| styles.get(i)) else {
                    break;
                };
                bold = bold.or(style.bold);
                heading |= style.heading;
                at = style.based_on.as_ref();
            }
            if bold == Some(true) {
                out.bold.insert(id.clone());
            }
            if heading {
                out.heading.insert(id.clone());
            }
        }
        Ok(out)
    }

    /// Returns whether the paragraph style `id` is a heading, by the styles
    /// part or, without one, by the usual English and French style ids.
    fn is_heading(&self, id: &str) -> bool {
        let lower = id.to_lowercase();
        self.heading.contains(id)
            || lower.starts_with("heading")
            || lower.starts_with("titre")
            || lower == "title"
    }
}

/// Returns whether an on/off property (`w:b`) is on: present without a
/// value, or with a value other than `0`, `false`, `off`.
fn is_on(element: &BytesStart<'_>) -> bool {
    !matches!(
        attr(element, "val").as_deref(),
        Some("0" | "false" | "off" | "none")
    )
}

/// Reads `docProps/core.xml` into `metadata`; a damaged part is left out.
fn read_core(bytes: Vec<u8>, metadata: &mut SourceMetadata) {
    let part = "docProps/core.xml";
    let Ok(xml) = office::decode_part(bytes, part) else {
        return;
    };
    let mut found = SourceMetadata::default();
    let mut field: Option<String> = None;
    let mut value = String::new();
    let parsed = walk(&xml, part, |event| {
        match event {
            Event::Start(e) => {
                field = Some(tag(e).to_owned());
                value.clear();
            }
            Event::End(_) => {
                let text = value.trim().to_owned();
                if !text.is_empty() {
                    match field.as_deref() {
                        Some("title") => found.title = Some(text),
                        Some("creator") => found.author = Some(text),
                        Some("created") => found.created = Some(text),
                        _ => {}
                    }
                }
                field = None;
                value.clear();
            }
            other => {
                if let Some(text) = chars_of(other) {
                    value.push_str(&text);
                }
            }
        }
        Ok(())
    });
    if parsed.is_ok() {
        metadata.title = found.title;
        metadata.author = found.author;
        metadata.created = found.created;
    }
}

/// Media and symbols met in the text, reported in the metadata notes.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    images: usize,
    charts: usize,
    symbols: usize,
}

/// Why a story is on the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    Item,
    TextBox,
}

/// A story with the state of the run being read in it.
#[derive(Debug)]
struct Flow {
    kind: Kind,
    story: Story,
    in_run: bool,
    in_rpr: bool,
    in_text: bool,
    bold: bool,
    para_bold: bool,
    /// Comment ranges that start before the next paragraph opens.
    pending: Vec<String>,
}

impl Flow {
    /// Returns an empty flow of the given kind.
    fn new(kind: Kind) -> Self {
        Self {
            kind,
            story: Story::default(),
            in_run: false,
            in_rpr: false,
            in_text: false,
            bold: false,
            para_bold: false,
            pending: Vec::new(),
        }
    }
}

/// A footnote, endnote or comment of a notes or comments part.
#[derive(Debug)]
struct Item {
    id: String,
    author: Option<String>,
    date: Option<String>,
    blocks: Vec<Block>,
}

/// The state of a walk through one WordprocessingML part.
struct Walker<'a> {
    styles: &'a Styles,
    remarks: &'a Remarks,
    /// The element that delimits items (`footnote`, `comment`), when the part
    /// is a list of items rather than a document body.
    item_tag: Option<&'static str>,
    flows: Vec<Flow>,
    /// Depth inside an element whose content is skipped.
    skip: usize,
    /// For each open `mc:AlternateContent`, whether a branch was taken.
    alternates: Vec<bool>,
    item: Option<(String, Option<String>, Option<String>)>,
    items: Vec<Item>,
    counts: Counts,
}

impl<'a> Walker<'a> {
    /// Returns a walker at the start of a part; `item_tag` names the
    /// element that delimits items in a notes or comments part.
    fn new(styles: &'a Styles, remarks: &'a Remarks, item_tag: Option<&'static str>) -> Self {
        Self {
            styles,
            remarks,
            item_tag,
            flows: vec![Flow::new(Kind::Root)],
            skip: 0,
            alternates: Vec::new(),
            item: None,
            items: Vec::new(),
            counts: Counts::default(),
        }
    }

    /// Returns the innermost flow (the stack is never empty).
    fn flow(&mut self) -> &mut Flow {
        if self.flows.is_empty() {
            self.flows.push(Flow::new(Kind::Root));
        }
        let last = self.flows.len() - 1;
        &mut self.flows[last]
    }

    /// Handles one XML event.
    fn event(&mut self, event: &Event<'_>) -> Result<(), IngestError> {
        if self.skip > 0 {
            match event {
                Event::Start(_) => self.skip += 1,
                Event::End(_) => self.skip -= 1,
                _ => {}
            }
            return Ok(());
        }
        match event {
            Event::Start(e) => self.start(e, false),
            Event::Empty(e) => self.start(e, true),
            Event::End(e) => self.end(local(e.name().0)),
            other => {
                if let Some(text) = chars_of(other)
                    && self.flow().in_text
                {
                    self.push(&text);
                }
            }
        }
        Ok(())
    }

    /// Appends text to the paragraph being read, in the current run's weight.
    fn push(&mut self, text: &str) {
        let flow = self.flow();
        let bold = flow.in_run && flow.bold;
        if let Some(para) = flow.story.para.as_mut() {
            para.push(text, bold);
        }
    }

    /// Handles an element start; `empty` for a self-closing element, which
    /// gets no end event.
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = tag(e);
        if SKIPPED.contains(&name) {
            if !empty {
                self.skip = 1;
            }
            return;
        }
        match name {
            "AlternateContent" | "Choice" | "Fallback" => self.alternate(e, name, empty),
            _ if Some(name) == self.item_tag && self.flows.len() == 1 => {
                self.open_item(e, name, empty);
            }
            "txbxContent" if !empty => self.flows.push(Flow::new(Kind::TextBox)),
            "p" => self.open_para(empty),
            "pStyle" | "r" | "rPr" | "b" | "rStyle" | "t" => self.run_setting(e, name, empty),
            "tab" | "ptab" | "br" | "cr" | "noBreakHyphen" | "sym" if self.in_run_text() => {
                self.run_char(e, name);
            }
            "tbl" | "tr" | "tc" => self.open_table_part(name, empty),
            "commentRangeStart" | "commentRangeEnd" => self.comment_range(e, name),
            "blip" | "imagedata" => self.counts.images += 1,
            "chart" => self.counts.charts += 1,
            _ => {}
        }
    }

    /// Handles `mc:AlternateContent` and its branches: the first readable
    /// branch is read, the others skipped.
    fn alternate(&mut self, e: &BytesStart<'_>, name: &str, empty: bool) {
        match name {
            "AlternateContent" if !empty => self.alternates.push(false),
            "AlternateContent" => {}
            "Choice" if !empty && !choice_readable(e) => self.skip = 1,
            "Choice" if !choice_readable(e) => {}
            _ => match self.alternates.last_mut() {
                Some(taken) if !*taken => *taken = true,
                Some(_) if !empty => self.skip = 1,
                _ => {}
            },
        }
    }

    /// Opens a footnote, endnote or comment of a notes or comments part
    /// (separator notes are skipped).
    fn open_item(&mut self, e: &BytesStart<'_>, name: &str, empty: bool) {
        let kind = attr(e, "type").unwrap_or_default();
        if SEPARATORS.contains(&kind.as_str()) {
            if !empty {
                self.skip = 1;
            }
            return;
        }
        let id = attr(e, "id").unwrap_or_default();
        self.item = Some((id, attr(e, "author"), attr(e, "date")));
        self.flows.push(Flow::new(Kind::Item));
        if empty {
            self.end(name);
        }
    }

    /// Opens a paragraph, starting in it the comment ranges opened before it.
    fn open_para(&mut self, empty: bool) {
        let remarks = self.remarks;
        let flow = self.flow();
        flow.story.open_para(remarks);
        flow.para_bold = false;
        let pending = std::mem::take(&mut flow.pending);
        if let Some(para) = flow.story.para.as_mut() {
            for key in pending {
                para.open_range_at(key, 0);
            }
        }
        if empty {
            self.end("p");
        }
    }

    /// Handles the elements that set how a run is read: its paragraph's
    /// style, the run and its properties (bold, character style), its text.
    fn run_setting(&mut self, e: &BytesStart<'_>, name: &str, empty: bool) {
        let styles = self.styles;
        let flow = self.flow();
        match name {
            "pStyle" if !flow.in_run => {
                let id = attr(e, "val").unwrap_or_default();
                flow.para_bold = styles.bold.contains(&id);
                if let Some(para) = flow.story.para.as_mut() {
                    para.heading = styles.is_heading(&id);
                }
            }
            "r" => {
                flow.in_run = !empty;
                flow.in_rpr = false;
                flow.bold = flow.para_bold;
            }
            "rPr" => flow.in_rpr = flow.in_run && !empty,
            "b" if flow.in_rpr => flow.bold = is_on(e),
            "rStyle"
                if flow.in_rpr && attr(e, "val").is_some_and(|id| styles.bold.contains(&id)) =>
            {
                flow.bold = true;
            }
            "t" => flow.in_text = flow.in_run && !empty,
            _ => {}
        }
    }

    /// Handles an element that stands for a char inside a run's text: tab,
    /// line break (a page break on a blank paragraph is none), hyphen,
    /// symbol.
    fn run_char(&mut self, e: &BytesStart<'_>, name: &str) {
        match name {
            "tab" | "ptab" => self.push("\t"),
            "br" => {
                let page = matches!(attr(e, "type").as_deref(), Some("page" | "column"));
                let blank = self.flow().story.para.as_ref().is_none_or(|p| p.is_empty());
                if !(page && blank) {
                    self.push("\n");
                }
            }
            "cr" => self.push("\n"),
            "noBreakHyphen" => self.push("-"),
            "sym" => match attr(e, "char").and_then(|c| symbol(&c)) {
                Some(ch) => self.push(ch.encode_utf8(&mut [0; 4])),
                None => self.counts.symbols += 1,
            },
            _ => {}
        }
    }

    /// Opens a table, a row or a cell.
    fn open_table_part(&mut self, name: &str, empty: bool) {
        let remarks = self.remarks;
        let story = &mut self.flow().story;
        match name {
            "tbl" => story.open_table(remarks),
            "tr" => story.open_row(remarks),
            _ => story.open_cell(remarks),
        }
        if empty && name != "tc" {
            self.end(name);
        }
    }

    /// Starts or ends a comment's range (a start before any paragraph waits
    /// for the next one).
    fn comment_range(&mut self, e: &BytesStart<'_>, name: &str) {
        let Some(id) = attr(e, "id") else {
            return;
        };
        let flow = self.flow();
        if name == "commentRangeStart" {
            match flow.story.para.as_mut() {
                Some(para) => para.open_range(id),
                None => flow.pending.push(id),
            }
        } else {
            flow.pending.retain(|p| *p != id);
            flow.story.close_range(&id);
        }
    }

    /// Returns whether the walk is in a run's content (not its properties),
    /// where `w:tab` and `w:br` are text rather than settings.
    fn in_run_text(&mut self) -> bool {
        let flow = self.flow();
        flow.in_run && !flow.in_rpr
    }

    /// Handles the end of the element whose local name is `name`.
    fn end(&mut self, name: &str) {
        let remarks = self.remarks;
        match name {
            "AlternateContent" => {
                self.alternates.pop();
            }
            "txbxContent" if self.flow().kind == Kind::TextBox => self.pop_flow(),
            _ if Some(name) == self.item_tag && self.flow().kind == Kind::Item => self.pop_flow(),
            "p" => self.flow().story.close_para(remarks),
            "r" => {
                let flow = self.flow();
                flow.in_run = false;
                flow.in_rpr = false;
                flow.in_text = false;
            }
            "rPr" => self.flow().in_rpr = false,
            "t" => self.flow().in_text = false,
            "tr" => self.flow().story.close_row(remarks),
            "tbl" => self.flow().story.close_table(remarks),
            _ => {}
        }
    }

    /// Ends the innermost story: a text box goes after the block holding it,
    /// an item joins the part's items.
    fn pop_flow(&mut self) {
        if self.flows.len() < 2 {
            return;
        }
        let Some(flow) = self.flows.pop() else {
            return;
        };
        let remarks = self.remarks;
        match flow.kind {
            Kind::TextBox => flow.story.nest_into(&mut self.flow().story, remarks),
            Kind::Item | Kind::Root => {
                let (id, author, date) = self.item.take().unwrap_or_default();
                self.items.push(Item {
                    id,
                    author,
                    date,
                    blocks: flow.story.finish(remarks),
                });
            }
        }
    }

    /// Returns the blocks of a document body.
    fn finish(mut self) -> Vec<Block> {
        while self.flows.len() > 1 {
            self.pop_flow();
        }
        let remarks = self.remarks;
        self.flows
            .pop()
            .map(|f| f.story.finish(remarks))
            .unwrap_or_default()
    }

    /// Returns the items of a notes or comments part.
    fn finish_items(mut self) -> Vec<Item> {
        while self.flows.len() > 1 {
            self.pop_flow();
        }
        self.items
    }
}

/// Namespaces whose content verbatim reads in an `mc:Choice`: drawings and
/// text boxes (`wps`, `wpg`…) and Word 2010–2013 additions. A choice that
/// requires anything else (`w16se:symEx`, Word for Mac's emoji) is skipped,
/// so the `mc:Fallback` holding the same text as `w:t` is read instead.
const READABLE_CHOICES: &[&str] = &[
    "wps", "wpg", "wpc", "wpi", "wp", "wp14", "w14", "w15", "a", "a14", "v", "o", "w10", "m",
    "pic", "c", "dgm",
];

/// Returns whether every namespace an `mc:Choice` requires is readable.
fn choice_readable(e: &BytesStart<'_>) -> bool {
    attr(e, "Requires").is_none_or(|needs| {
        needs
            .split_whitespace()
            .all(|prefix| READABLE_CHOICES.contains(&prefix))
    })
}

/// Returns the char a `w:sym` element stands for, when it is a Unicode char
/// outside the private-use area (symbol fonts such as Wingdings map their
/// glyphs there, and those have no text equivalent).
fn symbol(code: &str) -> Option<char> {
    let value = u32::from_str_radix(code.trim(), 16).ok()?;
    let ch = char::from_u32(value)?;
    let private = (0xE000..=0xF8FF).contains(&value);
    (!private && !ch.is_control()).then_some(ch)
}

#[cfg(test)]
mod tests {
    use verbatim_core::{Format, NormalisedSource, OffsetTable};

    use super::*;
    use crate::zipped::tests::zip_of;
    use crate::{BlockStyle, LabelHint, SpeakerMode};

    const NS: &str = concat!(
        r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
        r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#,
        r#"xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" "#,
        r#"xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" "#,
        r#"xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" "#,
        r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" "#,
        r#"xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" "#,
        r#"xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="w14""#
    );

    const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"#;

    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="xml" ContentType="application/xml"/>
</Types>"#;

    /// Returns a document part whose body is `body`.
    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {NS}><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
        )
    }

    /// Returns a paragraph of one plain run.
    fn p(text: &str) -> String {
        format!(r#"<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    /// Returns a .docx package with `document.xml` holding `body` and the
    /// extra parts given.
    fn docx(body: &str, extra: &[(&str, &str)]) -> Vec<u8> {
        let document = document(body);
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", ROOT_RELS.as_bytes()),
            ("word/document.xml", document.as_bytes()),
        ];
        entries.extend(extra.iter().map(|(name, text)| (*name, text.as_bytes())));
        zip_of(&entries)
    }

    fn read(bytes: &[u8]) -> Extracted {
        extract(bytes, &Limits::default()).expect("the fixture reads")
    }

    fn texts(extracted: &Extracted) -> Vec<&str> {
        extracted.blocks.iter().map(|b| b.text.as_str()).collect()
    }

    fn assembled(extracted: Extracted) -> NormalisedSource {
        crate::assemble(Format::Docx, extracted, &SpeakerMode::None).expect("assembles")
    }

    /// Returns the passages the source's anchors cover, with their notes.
    fn anchored(source: &NormalisedSource) -> Vec<(String, String)> {
        let table = OffsetTable::new(source.text());
        source
            .anchors()
            .iter()
            .map(|a| {
                let passage = table.slice(source.text(), a.span).expect("anchor fits");
                (passage.to_owned(), a.text.clone())
            })
            .collect()
    }

    #[test]
    fn paragraphs_in_order_with_tabs_breaks_and_entities() {
        let body = [
            p("INT : Bonjour, pouvez-vous vous présenter ?"),
            "<w:p/>".to_owned(),
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>
               <w:r><w:t>Léa :</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">J’ai « grandi » à Aix</w:t></w:r>
               <w:r><w:br/><w:t>et c’était &amp; reste 😊 peut</w:t><w:noBreakHyphen/><w:t>être&#33;</w:t></w:r></w:p>"#
                .to_owned(),
            r#"<w:p><w:r><w:t xml:space="preserve">   </w:t></w:r></w:p>"#.to_owned(),
            p("Fin de l’entretien."),
        ]
        .concat();
        let extracted = read(&docx(&body, &[]));
        assert_eq!(extracted.join, Join::Paragraphs);
        assert_eq!(
            texts(&extracted),
            vec![
                "INT : Bonjour, pouvez-vous vous présenter ?",
                "Léa :\tJ’ai « grandi » à Aix\net c’était & reste 😊 peut-être!",
                "Fin de l’entretien.",
            ]
        );
        assert!(
            extracted
                .blocks
                .iter()
                .all(|b| b.style == BlockStyle::Paragraph && b.label.is_none())
        );
    }

    #[test]
    fn tables_give_one_block_per_row() {
        let body = format!(
            r#"{}<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/></w:tblGrid>
              <w:tr><w:tc><w:tcPr/>{}</w:tc><w:tc>{}{}</w:tc></w:tr>
              <w:tr><w:tc><w:p/></w:tc><w:tc>{}</w:tc><w:tc><w:p/></w:tc></w:tr>
              <w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr>
            </w:tbl>{}"#,
            p("Avant le tableau"),
            p("Locuteur"),
            p("Première ligne,"),
            p("suite de la cellule"),
            p("réponse seule"),
            p("Après le tableau"),
        );
        let extracted = read(&docx(&body, &[]));
        assert_eq!(
            texts(&extracted),
            vec![
                "Avant le tableau",
                "Locuteur\tPremière ligne, suite de la cellule",
                "\tréponse seule",
                "Après le tableau",
            ]
        );
        let styles: Vec<BlockStyle> = extracted.blocks.iter().map(|b| b.style).collect();
        assert_eq!(
            styles,
            vec![
                BlockStyle::Paragraph,
                BlockStyle::TableRow,
                BlockStyle::TableRow,
                BlockStyle::Paragraph
            ]
        );
    }

    #[test]
    fn text_boxes_are_read_once_after_their_paragraph() {
        let body = format!(
            r#"<w:p><w:r><w:t xml:space="preserve">Paragraphe avec encadré. </w:t></w:r><w:r>
              <mc:AlternateContent>
                <mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>
                  <wps:wsp><wps:txbx><w:txbxContent>{}</w:txbxContent></wps:txbx></wps:wsp>
                </a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>
                <mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>
              </mc:AlternateContent></w:r><w:r><w:t>Suite du paragraphe.</w:t></w:r></w:p>{}"#,
            p("Encadré : « je ne savais pas »"),
            p("Encadré : « je ne savais pas »"),
            p("Paragraphe suivant."),
        );
        let extracted = read(&docx(&body, &[]));
        assert_eq!(
            texts(&extracted),
            vec![
                "Paragraphe avec encadré. Suite du paragraphe.",
                "Encadré : « je ne savais pas »",
                "Paragraphe suivant.",
            ]
        );
    }

    #[test]
    fn fallback_is_read_when_there_is_no_choice() {
        let body = format!(
            r#"<w:p><w:r><mc:AlternateContent><mc:Fallback><w:pict><v:textbox><w:txbxContent>{}</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#,
            p("Seulement en VML")
        );
        assert_eq!(texts(&read(&docx(&body, &[]))), vec!["Seulement en VML"]);
    }

    #[test]
    fn tracked_insertions_are_kept_and_deletions_dropped() {
        let body = r#"<w:p>
            <w:r><w:t xml:space="preserve">On habitait </w:t></w:r>
            <w:del w:id="1" w:author="Relecteur" w:date="2024-03-01T10:00:00Z"><w:r><w:delText xml:space="preserve">à Lyon </w:delText></w:r></w:del>
            <w:ins w:id="2" w:author="Relecteur" w:date="2024-03-01T10:00:00Z"><w:r><w:t xml:space="preserve">à Marseille </w:t></w:r></w:ins>
            <w:moveFrom w:id="3"><w:r><w:t>déplacé-avant</w:t></w:r></w:moveFrom>
            <w:moveTo w:id="4"><w:r><w:t xml:space="preserve">depuis toujours</w:t></w:r></w:moveTo>
            <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>
          </w:p>"#;
        assert_eq!(
            texts(&read(&docx(body, &[]))),
            vec!["On habitait à Marseille depuis toujours"]
        );
    }

    const NOTES_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>
  <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes" Target="endnotes.xml"/>
  <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://exemple.fr" TargetMode="External"/>
</Relationships>"#;

    #[test]
    fn footnotes_and_endnotes_are_appended_after_a_heading() {
        let footnotes = format!(
            r#"<w:footnotes {NS}>
              <w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
              <w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
              <w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Quartier nord de la ville.</w:t></w:r></w:p></w:footnote>
              <w:footnote w:id="2"><w:p><w:r><w:t>Rires.</w:t></w:r></w:p></w:footnote>
            </w:footnotes>"#
        );
        let endnotes = format!(
            r#"<w:endnotes {NS}>
              <w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>
              <w:endnote w:id="1"><w:p><w:r><w:t>Entretien transcrit par É. Martin.</w:t></w:r></w:p></w:endnote>
            </w:endnotes>"#
        );
        let body = r#"<w:p><w:r><w:t>On vivait aux Aygalades</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:t xml:space="preserve"> (rires)</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r></w:p>"#;
        let extracted = read(&docx(
            body,
            &[
                ("word/_rels/document.xml.rels", NOTES_RELS),
                ("word/footnotes.xml", &footnotes),
                ("word/endnotes.xml", &endnotes),
            ],
        ));
        assert_eq!(
            texts(&extracted),
            vec![
                "On vivait aux Aygalades (rires)",
                "Notes",
                "[1] Quartier nord de la ville.",
                "[2] Rires.",
                "[i] Entretien transcrit par É. Martin.",
            ]
        );
        let styles: Vec<BlockStyle> = extracted.blocks.iter().map(|b| b.style).collect();
        assert_eq!(
            styles,
            vec![
                BlockStyle::Paragraph,
                BlockStyle::Heading,
                BlockStyle::Note,
                BlockStyle::Note,
                BlockStyle::Note
            ]
        );
    }

    #[test]
    fn comments_anchor_the_words_they_cover() {
        let comments = format!(
            r#"<w:comments {NS}>
              <w:comment w:id="0" w:author="Camille Dupont" w:date="2024-05-02T09:30:00Z" w:initials="CD">
                <w:p><w:r><w:annotationRef/></w:r><w:r><w:t>Code : enfance</w:t></w:r></w:p>
              </w:comment>
              <w:comment w:id="1" w:author="Camille Dupont" w:date="2024-05-02T09:31:00Z">
                <w:p><w:r><w:t>Déborde sur le paragraphe suivant</w:t></w:r></w:p>
                <w:p><w:r><w:t>(deuxième ligne)</w:t></w:r></w:p>
              </w:comment>
            </w:comments>"#
        );
        let body = r#"
          <w:p><w:r><w:t xml:space="preserve">Quand j’étais </w:t></w:r><w:commentRangeStart w:id="0"/><w:r><w:t>petite à Alger</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r><w:r><w:t>, on partait l’été.</w:t></w:r></w:p>
          <w:p><w:r><w:t xml:space="preserve">Mon père disait : </w:t></w:r><w:commentRangeStart w:id="1"/><w:r><w:t>« on verra bien »</w:t></w:r></w:p>
          <w:p><w:r><w:t>et on ne voyait rien.</w:t></w:r><w:commentRangeEnd w:id="1"/></w:p>"#;
        let extracted = read(&docx(body, &[("word/comments.xml", &comments)]));
        let source = assembled(extracted);
        assert_eq!(
            anchored(&source),
            vec![
                ("petite à Alger".to_owned(), "Code : enfance".to_owned()),
                (
                    "« on verra bien »".to_owned(),
                    "Déborde sur le paragraphe suivant\n(deuxième ligne)".to_owned()
                ),
            ]
        );
        let first = &source.anchors()[0];
        assert_eq!(first.author.as_deref(), Some("Camille Dupont"));
        assert_eq!(first.date.as_deref(), Some("2024-05-02T09:30:00Z"));
    }

    #[test]
    fn comments_in_table_rows_are_anchored_in_the_row() {
        let comments = format!(
            r#"<w:comments {NS}><w:comment w:id="7" w:author="A"><w:p><w:r><w:t>ici</w:t></w:r></w:p></w:comment></w:comments>"#
        );
        let body = r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Léa</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t xml:space="preserve">Je dirais </w:t></w:r><w:commentRangeStart w:id="7"/><w:r><w:t>non</w:t></w:r><w:commentRangeEnd w:id="7"/></w:p></w:tc></w:tr></w:tbl>"#;
        let source = assembled(read(&docx(body, &[("word/comments.xml", &comments)])));
        assert_eq!(
            anchored(&source),
            vec![("non".to_owned(), "ici".to_owned())]
        );
    }

    #[test]
    fn word_for_mac_emoji_takes_the_fallback() {
        // Word for Mac writes an emoji as a `w16se:symEx` choice, which
        // verbatim does not read, with the char itself as the fallback.
        let body = r#"<w:p><w:r><w:t xml:space="preserve">P03 : J’étais contente </w:t></w:r><w:r><mc:AlternateContent xmlns:w16se="http://schemas.microsoft.com/office/word/2015/wordml/symex"><mc:Choice Requires="w16se"><w16se:symEx w16se:font="Apple Color Emoji" w16se:char="1F60A"/></mc:Choice><mc:Fallback><w:t>😊</w:t></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t xml:space="preserve"> vraiment.</w:t></w:r></w:p>"#;
        let extracted = read(&docx(body, &[]));
        assert_eq!(
            texts(&extracted),
            vec!["P03 : J’étais contente 😊 vraiment."]
        );
    }

    #[test]
    fn word_turns_opening_with_a_time_range_take_it_as_their_time() {
        let bold =
            |name: &str| format!(r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{name}</w:t></w:r></w:p>"#);
        let body = [
            bold("Interviewer"),
            p("(0:11 - 0:15) Can you tell me how the project started?"),
            bold("Dana Reyes"),
            p("(0:16 - 0:42) It started with a small grant, really."),
            bold("Interviewer"),
            p("(1:02:03 - 1:02:09) And who joined first?"),
            bold("Dana Reyes"),
            p("[1:02:10] Two nurses from the ward."),
        ]
        .concat();
        let source = crate::assemble(Format::Docx, read(&docx(&body, &[])), &SpeakerMode::Auto)
            .expect("assembles");
        let table = OffsetTable::new(source.text());
        let got: Vec<_> = source
            .turns()
            .iter()
            .map(|t| {
                let speech = table.slice(source.text(), t.span).expect("fits");
                (t.speaker.as_deref(), speech, t.begin_ms, t.end_ms)
            })
            .collect();
        // 0:11 = 11 s; 1:02:03 = 3600 + 120 + 3 = 3723 s; 1:02:10 = 3730 s.
        assert_eq!(
            got,
            vec![
                (
                    Some("Interviewer"),
                    "Can you tell me how the project started?",
                    Some(11_000),
                    Some(15_000)
                ),
                (
                    Some("Dana Reyes"),
                    "It started with a small grant, really.",
                    Some(16_000),
                    Some(42_000)
                ),
                (
                    Some("Interviewer"),
                    "And who joined first?",
                    Some(3_723_000),
                    Some(3_729_000)
                ),
                (
                    Some("Dana Reyes"),
                    "Two nurses from the ward.",
                    Some(3_730_000),
                    None
                ),
            ]
        );
        assert!(!source.text().contains("0:11"), "{}", source.text());
    }

    #[test]
    fn a_bold_leading_run_is_a_label_hint() {
        let body = r#"
          <w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Mme Benali</w:t></w:r><w:r><w:rPr><w:b w:val="1"/><w:bCs/></w:rPr><w:t xml:space="preserve"> :</w:t></w:r><w:r><w:t xml:space="preserve"> Oui, c’est ça.</w:t></w:r></w:p>
          <w:p><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>Pas gras</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>gras ensuite</w:t></w:r></w:p>
          <w:p><w:pPr><w:rPr><w:b/></w:rPr></w:pPr><w:r><w:t>Marque de paragraphe grasse seulement</w:t></w:r></w:p>
          <w:p><w:r><w:rPr><w:rStyle w:val="Strong"/></w:rPr><w:t>ENQ</w:t></w:r></w:p>
          <w:p><w:pPr><w:pStyle w:val="Locuteur"/></w:pPr><w:r><w:t>Mme Benali</w:t></w:r></w:p>
          <w:p><w:pPr><w:pStyle w:val="Locuteur"/></w:pPr><w:r><w:rPr><w:b w:val="false"/></w:rPr><w:t>maigre</w:t></w:r></w:p>"#;
        let styles = format!(
            r#"<w:styles {NS}><w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/><w:rPr><w:b/><w:bCs/></w:rPr></w:style>
               <w:style w:type="paragraph" w:styleId="LocuteurBase"><w:rPr><w:b/></w:rPr></w:style>
               <w:style w:type="paragraph" w:styleId="Locuteur"><w:basedOn w:val="LocuteurBase"/></w:style>
               <w:style w:type="paragraph" w:styleId="Titre1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style></w:styles>"#
        );
        let extracted = read(&docx(body, &[("word/styles.xml", &styles)]));
        let labels: Vec<Option<LabelHint>> =
            extracted.blocks.iter().map(|b| b.label.clone()).collect();
        assert_eq!(
            labels,
            vec![
                Some(LabelHint::BoldPrefix { chars: 12 }),
                None,
                None,
                Some(LabelHint::BoldPrefix { chars: 3 }),
                Some(LabelHint::BoldPrefix { chars: 10 }),
                None,
            ]
        );
    }

    #[test]
    fn heading_styles_make_heading_blocks() {
        let body = r#"<w:p><w:pPr><w:pStyle w:val="Titre1"/></w:pPr><w:r><w:t>Entretien n° 3</w:t></w:r></w:p><w:p><w:r><w:t>Texte</w:t></w:r></w:p>"#;
        let extracted = read(&docx(body, &[]));
        assert_eq!(extracted.blocks[0].style, BlockStyle::Heading);
        assert_eq!(extracted.blocks[1].style, BlockStyle::Paragraph);
    }

    #[test]
    fn strict_ooxml_is_read_through_its_relationships() {
        let rels = r#"<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" Target="/word/main.xml"/>
</Relationships>"#;
        let document = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main" w:conformance="strict"><w:body>
  <w:p><w:r><w:rPr><w:b w:val="true"/></w:rPr><w:t>Karim :</w:t></w:r><w:r><w:t xml:space="preserve"> Au début c’était dur.</w:t></w:r></w:p>
</w:body></w:document>"#;
        let bytes = zip_of(&[
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", rels.as_bytes()),
            ("word/main.xml", document.as_bytes()),
        ]);
        let extracted = read(&bytes);
        assert_eq!(texts(&extracted), vec!["Karim : Au début c’était dur."]);
        assert_eq!(
            extracted.blocks[0].label,
            Some(LabelHint::BoldPrefix { chars: 7 })
        );
    }

    #[test]
    fn metadata_and_skipped_images() {
        let core = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <dc:title>Entretien « Marseille » n°2</dc:title><dc:creator>Équipe Mémoires</dc:creator>
  <dcterms:created xsi:type="dcterms:W3CDTF">2024-02-11T08:00:00Z</dcterms:created>
</cp:coreProperties>"#;
        let picture = r#"<w:r><w:drawing><wp:inline><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed="rId9"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#;
        let body = format!("<w:p>{picture}<w:r><w:t>Légende</w:t></w:r></w:p><w:p>{picture}</w:p>");
        let extracted = read(&docx(&body, &[("docProps/core.xml", core)]));
        assert_eq!(texts(&extracted), vec!["Légende"]);
        assert_eq!(
            extracted.metadata.title.as_deref(),
            Some("Entretien « Marseille » n°2")
        );
        assert_eq!(
            extracted.metadata.author.as_deref(),
            Some("Équipe Mémoires")
        );
        assert_eq!(
            extracted.metadata.created.as_deref(),
            Some("2024-02-11T08:00:00Z")
        );
        assert_eq!(
            extracted.metadata.notes,
            vec!["2 images skipped".to_owned()]
        );
    }

    #[test]
    fn broken_files_are_refused_with_the_right_error() {
        let good = docx(&p("Bonjour"), &[]);
        assert!(matches!(
            extract(&good[..good.len() - 30], &Limits::default()),
            Err(IngestError::BadContainer { format: "docx", .. })
        ));
        assert!(matches!(
            extract("« pas un zip » 🙃".as_bytes(), &Limits::default()),
            Err(IngestError::BadContainer { .. })
        ));
        let no_document = zip_of(&[("_rels/.rels", ROOT_RELS.as_bytes())]);
        match extract(&no_document, &Limits::default()) {
            Err(IngestError::BadContainer { reason, .. }) => {
                assert!(reason.contains("word/document.xml"), "{reason}");
            }
            other => panic!("expected BadContainer, got {other:?}"),
        }
        let bad = zip_of(&[(
            "word/document.xml",
            "<w:document><w:body><w:p><w:r><w:t>é</w:r></w:p></w:body></w:document>".as_bytes(),
        )]);
        match extract(&bad, &Limits::default()) {
            Err(IngestError::BadXml { part, reason }) => {
                assert_eq!(part, "word/document.xml");
                assert!(reason.contains("line 1"), "{reason}");
            }
            other => panic!("expected BadXml, got {other:?}"),
        }
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let mut body = document(&p("Bonjour")).into_bytes();
        body.extend(std::iter::repeat_n(b' ', 1024 * 1024));
        let bytes = zip_of(&[("word/document.xml", &body)]);
        let limits = Limits {
            max_unzipped_bytes: 10_000,
            ..Limits::default()
        };
        assert!(matches!(
            extract(&bytes, &limits),
            Err(IngestError::ZipBomb { limit: 10_000 })
        ));
        let zeros = vec![0u8; 1024 * 1024];
        let bytes = zip_of(&[("word/document.xml", &zeros)]);
        assert!(matches!(
            extract(&bytes, &limits),
            Err(IngestError::ZipBomb { .. })
        ));
    }

    #[test]
    fn resolves_relationship_targets() {
        assert_eq!(resolve("", "word/document.xml"), "word/document.xml");
        assert_eq!(
            resolve("word", "../customXml/item.xml"),
            "customXml/item.xml"
        );
        assert_eq!(resolve("word", "/word/footnotes.xml"), "word/footnotes.xml");
        assert_eq!(resolve("word", "./comments.xml"), "word/comments.xml");
        assert_eq!(roman(4), "iv");
        assert_eq!(roman(14), "xiv");
        assert_eq!(symbol("F04A"), None);
        assert_eq!(symbol("2192"), Some('→'));
    }

    /// A body using most of what the reader handles, for the no-panic tests.
    const RICH: &str = r#"<w:p><w:pPr><w:pStyle w:val="Titre1"/></w:pPr><w:r><w:t>Entretien</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Léa :</w:t></w:r><w:commentRangeStart w:id="0"/><w:r><w:t xml:space="preserve"> « oui » j’ai 😊</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:footnoteReference w:id="1"/></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc><w:tc><w:p><w:commentRangeStart w:id="1"/><w:r><w:t>b</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>
<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>boîte</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>boîte</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:commentRangeEnd w:id="1"/></w:p>
<w:p><w:del><w:r><w:delText>non</w:delText></w:r></w:del><w:ins><w:r><w:t>si</w:t><w:tab/><w:br/><w:sym w:char="2192"/></w:r></w:ins></w:p>"#;

    fn rich_package(body: &str) -> Vec<u8> {
        let comments = format!(
            r#"<w:comments {NS}><w:comment w:id="0" w:author="A"><w:p><w:r><w:t>un</w:t></w:r></w:p></w:comment><w:comment w:id="1"><w:p><w:r><w:t>deux</w:t></w:r></w:p></w:comment></w:comments>"#
        );
        let footnotes = format!(
            r#"<w:footnotes {NS}><w:footnote w:id="1"><w:p><w:r><w:t>note</w:t></w:r></w:p></w:footnote></w:footnotes>"#
        );
        docx(
            body,
            &[
                ("word/comments.xml", &comments),
                ("word/footnotes.xml", &footnotes),
            ],
        )
    }

    #[test]
    fn the_rich_fixture_reads() {
        let source = assembled(read(&rich_package(RICH)));
        assert_eq!(
            source.text(),
            "Entretien\n\nLéa : « oui » j’ai 😊\n\na\tb c\n\nboîte\n\nsi\t\n→\n\nNotes\n\n[1] note"
        );
        assert_eq!(
            anchored(&source),
            vec![
                (" « oui » j’ai 😊".to_owned(), "un".to_owned()),
                ("b c".to_owned(), "deux".to_owned()),
            ]
        );
    }

    const SNIPPETS: &[&str] = &[
        "<w:p>",
        "</w:p>",
        "<w:r>",
        "</w:r>",
        "<w:t>",
        "</w:t>",
        "<w:tbl>",
        "</w:tbl>",
        "<w:tr>",
        "</w:tr>",
        "<w:tc>",
        "</w:tc>",
        "<mc:AlternateContent>",
        "<mc:Choice>",
        "</mc:Choice>",
        "<mc:Fallback>",
        "<w:txbxContent>",
        "</w:txbxContent>",
        r#"<w:commentRangeStart w:id="0"/>"#,
        r#"<w:commentRangeEnd w:id="1"/>"#,
        "<w:del>",
        "</w:del>",
        "&amp;",
        "&#0;",
        "&#xD800;",
        "&bogus;",
        "é",
        "😊",
        "<",
        "&",
        ">",
        r#"<w:sym w:char="zz"/>"#,
        r#"<w:br w:type="page"/>"#,
        "<w:p/>",
        "<w:tc/>",
        "<w:tr/>",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(
            crate::formats::office::tests::fuzz_cases()
        ))]

        #[test]
        fn mangled_documents_never_panic(
            edits in proptest::collection::vec(
                (proptest::prelude::any::<proptest::sample::Index>(), 0usize..64, proptest::prelude::any::<bool>()),
                0..10,
            )
        ) {
            let body = crate::formats::office::tests::mangle(RICH, &edits, SNIPPETS);
            if let Ok(extracted) = extract(&rich_package(&body), &Limits::default()) {
                let assembled = crate::assemble(Format::Docx, extracted, &SpeakerMode::None);
                proptest::prop_assert!(
                    matches!(assembled, Ok(_) | Err(IngestError::Empty)),
                    "{assembled:?}"
                );
            }
        }

        #[test]
        fn damaged_packages_never_panic(
            cut in proptest::prelude::any::<proptest::sample::Index>(),
            flips in proptest::collection::vec(
                (proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()),
                0..6,
            )
        ) {
            let mut bytes = rich_package(RICH);
            for (at, value) in flips {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            let _ = extract(&bytes, &Limits::default());
        }
    }

    #[test]
    fn an_odt_named_docx_is_explained() {
        let bytes = zip_of(&[("content.xml", b"<office:document-content/>")]);
        match extract(&bytes, &Limits::default()) {
            Err(IngestError::BadContainer { reason, .. }) => {
                assert!(reason.contains(".odt"), "{reason}");
            }
            other => panic!("expected BadContainer, got {other:?}"),
        }
    }
}
