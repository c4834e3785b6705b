//! Reader for .odt files (OpenDocument text, as LibreOffice writes it).
//!
//! Transcribers who work in LibreOffice send .odt files. The text lives in
//! `content.xml`, described by ODF's `text:` elements; unlike Word, notes
//! and comments sit inline where they are cited, and tracked deletions are
//! stored apart in `text:tracked-changes`. This reader streams `content.xml`
//! with quick-xml and produces the same blocks as the docx reader:
//! paragraphs and headings, table rows, text boxes, notes appended at the
//! end (their citation marks taken out of the text), annotations as anchors
//! and a leading bold span as a speaker hint. ODF collapses runs of white
//! space in text as HTML does; extra spaces are written as `text:s`.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use verbatim_core::SourceMetadata;

use super::office::{self, Remark, Remarks, Story, attr, chars_of, local, tag, walk};
use crate::zipped::Container;
use crate::{Block, Extracted, IngestError, Join, Limits};

/// Elements whose content is not text a reader sees where it stands:
/// tracked deletions, declarations, form controls, index templates.
const SKIPPED: &[&str] = &[
    "tracked-changes",
    "sequence-decls",
    "variable-decls",
    "user-field-decls",
    "forms",
    "table-of-content-source",
    "illustration-index-source",
    "alphabetical-index-source",
    "object-index-source",
    "user-index-source",
    "table-index-source",
    "bibliography-source",
];

/// Qualified names of skipped elements whose local name is too common to
/// skip alone (`text:title` is a field whose text shows; `svg:title` is a
/// frame's alternative text).
const SKIPPED_QUALIFIED: &[&str] = &["svg:title", "svg:desc"];

/// The most spaces one `text:s` element may stand for.
const MAX_SPACES: usize = 10_000;

/// How many spaces `text:s` elements may add in all, per byte of
/// `content.xml`: a file of `<text:s text:c="10000"/>` must not grow into
/// gigabytes of text.
const SPACES_PER_BYTE: usize = 1;

/// Returns the blocks of a .odt document.
pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, IngestError> {
    let mut container = Container::open(bytes, "odt", limits)?;
    let mut metadata = SourceMetadata::default();
    let mut styles = Styles::default();
    if let Some(bytes) = container.read("styles.xml")?
        && styles.read(bytes, "styles.xml").is_err()
    {
        metadata
            .notes
            .push("styles.xml is damaged: bold styles ignored".to_owned());
    }
    if !container.contains("content.xml") && container.contains("word/document.xml") {
        return Err(IngestError::BadContainer {
            format: "odt",
            reason: "the part content.xml is missing, and the file looks like a Word document: \
                     rename it to .docx"
                .to_owned(),
        });
    }
    let content = container.read_required("content.xml")?;
    let xml = office::decode_part(content, "content.xml")?;
    styles.read_xml(&xml, "content.xml")?;

    let mut walker = Walker::new(&styles, xml.len().saturating_mul(SPACES_PER_BYTE));
    walk(&xml, "content.xml", |event| walker.event(event))?;
    let counts = (walker.images, walker.objects);
    let mut notes = std::mem::take(&mut walker.footnotes);
    notes.append(&mut walker.endnotes);
    let mut blocks = walker.finish();
    office::append_notes(&mut blocks, notes);

    if let Some(bytes) = container.read("meta.xml")? {
        read_meta(bytes, &mut metadata);
    }
    metadata
        .notes
        .extend(office::skipped(counts.0, "image", "images"));
    metadata.notes.extend(office::skipped(
        counts.1,
        "embedded object",
        "embedded objects",
    ));
    Ok(Extracted {
        blocks,
        join: Join::Paragraphs,
        metadata,
    })
}

/// Reads `meta.xml` into `metadata`; a damaged part is left out.
fn read_meta(bytes: Vec<u8>, metadata: &mut SourceMetadata) {
    let part = "meta.xml";
    let Ok(xml) = office::decode_part(bytes, part) else {
        return;
    };
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut field: Option<String> = None;
    let parsed = walk(&xml, part, |event| {
        match event {
            Event::Start(e) => field = Some(tag(e).to_owned()),
            Event::End(_) => field = None,
            other => {
                if let (Some(name), Some(text)) = (field.as_ref(), chars_of(other)) {
                    fields.entry(name.clone()).or_default().push_str(&text);
                }
            }
        }
        Ok(())
    });
    if parsed.is_err() {
        return;
    }
    let mut take = |name: &str| {
        fields
            .remove(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    metadata.title = take("title");
    metadata.author = take("initial-creator").or_else(|| take("creator"));
    metadata.created = take("creation-date");
}

/// Text styles by name: whether each sets the font weight, and its parent.
#[derive(Debug, Default)]
struct Styles {
    styles: HashMap<String, (Option<bool>, Option<String>)>,
}

impl Styles {
    /// Records the styles of the part `part` from its bytes.
    fn read(&mut self, bytes: Vec<u8>, part: &str) -> Result<(), IngestError> {
        let xml = office::decode_part(bytes, part)?;
        self.read_xml(&xml, part)
    }

    /// Records the styles defined in `xml` (common and automatic alike).
    fn read_xml(&mut self, xml: &str, part: &str) -> Result<(), IngestError> {
        let mut current: Option<String> = None;
        walk(xml, part, |event| {
            match event {
                Event::Start(e) | Event::Empty(e) => match tag(e) {
                    "style" => {
                        if let Some(name) = attr(e, "name") {
                            let parent = attr(e, "parent-style-name");
                            self.styles.insert(name.clone(), (None, parent));
                            current = matches!(event, Event::Start(_)).then_some(name);
                        }
                    }
                    "text-properties" => {
                        let weight = attr(e, "font-weight").map(|w| is_bold(&w));
                        if let (Some(name), Some(weight)) = (current.as_ref(), weight)
                            && let Some(style) = self.styles.get_mut(name)
                        {
                            style.0 = Some(weight);
                        }
                    }
                    _ => {}
                },
                Event::End(e) if local(e.name().0) == "style" => current = None,
                _ => {}
            }
            Ok(())
        })
    }

    /// Returns whether the style `name` (or the nearest parent that says)
    /// makes text bold; `None` when no style in the chain sets the weight.
    fn bold(&self, name: &str) -> Option<bool> {
        let mut at = Some(name);
        for _ in 0..16 {
            let (weight, parent) = self.styles.get(at?)?;
            if weight.is_some() {
                return *weight;
            }
            at = parent.as_deref();
        }
        None
    }
}

/// Returns whether an `fo:font-weight` value is bold (`bold`, 600 to 900).
fn is_bold(weight: &str) -> bool {
    let weight = weight.trim();
    weight.eq_ignore_ascii_case("bold") || weight.parse::<u32>().is_ok_and(|w| w >= 600)
}

/// Why a story is on the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Root,
    TextBox,
    /// A paragraph met inside another (the text of a drawing shape): read
    /// as a text box, so the outer paragraph goes on afterwards.
    Nested,
    /// A note: its class (`footnote`, `endnote`) and citation.
    Note {
        endnote: bool,
        citation: String,
    },
    /// An annotation: its name, author, date, and where its range starts in
    /// the paragraph that holds it.
    Annotation {
        name: Option<String>,
        author: String,
        date: String,
        start: usize,
    },
}

/// A story with the inline state of the text being read in it.
#[derive(Debug)]
struct Flow {
    kind: Kind,
    story: Story,
    para_bold: bool,
    spans: Vec<bool>,
    /// Collapsible white space seen but not yet written.
    soft_space: bool,
}

impl Flow {
    /// Returns an empty flow of the given kind.
    fn new(kind: Kind) -> Self {
        Self {
            kind,
            story: Story::default(),
            para_bold: false,
            spans: Vec::new(),
            soft_space: false,
        }
    }

    /// Returns whether text written now is bold: the innermost span's
    /// weight, else the paragraph's.
    fn bold(&self) -> bool {
        self.spans.last().copied().unwrap_or(self.para_bold)
    }

    /// Writes the pending collapsible space, unless the paragraph is empty.
    fn flush_space(&mut self) {
        let bold = self.bold();
        if std::mem::take(&mut self.soft_space)
            && let Some(para) = self.story.para.as_mut()
            && !para.is_empty()
        {
            para.push(" ", bold);
        }
    }

    /// Returns where the next char written will be.
    fn position(&self) -> Option<usize> {
        let para = self.story.para.as_ref()?;
        Some(para.chars() + usize::from(self.soft_space && !para.is_empty()))
    }
}

/// Which metadata field of an annotation or note is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Author,
    Date,
    Citation,
}

/// The state of a walk through `content.xml`.
struct Walker<'a> {
    styles: &'a Styles,
    flows: Vec<Flow>,
    remarks: Remarks,
    skip: usize,
    field: Option<Field>,
    in_body: bool,
    annotations: usize,
    footnotes: Vec<String>,
    endnotes: Vec<String>,
    images: usize,
    objects: usize,
    /// How many more spaces `text:s` elements may add.
    space_budget: usize,
}

impl<'a> Walker<'a> {
    /// Returns a walker at the start of `content.xml`; `text:s` elements may
    /// add `space_budget` spaces in all.
    fn new(styles: &'a Styles, space_budget: usize) -> Self {
        Self {
            space_budget,
            styles,
            flows: vec![Flow::new(Kind::Root)],
            remarks: Remarks::new(),
            skip: 0,
            field: None,
            in_body: false,
            annotations: 0,
            footnotes: Vec::new(),
            endnotes: Vec::new(),
            images: 0,
            objects: 0,
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
            Event::End(e) => self.end(e.name().0),
            other => {
                if let Some(text) = chars_of(other) {
                    self.text(&text);
                }
            }
        }
        Ok(())
    }

    /// Writes character data: into the annotation or note field being
    /// read, else into the paragraph with white space collapsed.
    fn text(&mut self, raw: &str) {
        if !self.in_body {
            return;
        }
        if let Some(field) = self.field {
            if let Kind::Annotation { author, date, .. } = &mut self.flow().kind {
                match field {
                    Field::Author => author.push_str(raw),
                    Field::Date => date.push_str(raw),
                    Field::Citation => {}
                }
            } else if let Kind::Note { citation, .. } = &mut self.flow().kind
                && field == Field::Citation
            {
                citation.push_str(raw);
            }
            return;
        }
        let flow = self.flow();
        let bold = flow.bold();
        let Some(para) = flow.story.para.as_mut() else {
            return;
        };
        let mut out = String::with_capacity(raw.len());
        let mut pending = flow.soft_space;
        let mut empty = para.is_empty();
        for ch in raw.chars() {
            if matches!(ch, ' ' | '\t' | '\n' | '\r') {
                pending = true;
                continue;
            }
            if pending && !empty {
                out.push(' ');
            }
            pending = false;
            empty = false;
            out.push(ch);
        }
        flow.soft_space = pending;
        para.push(&out, bold);
    }

    /// Writes text that white-space collapsing leaves alone (`text:s`,
    /// `text:tab`, `text:line-break`).
    fn push_hard(&mut self, text: &str) {
        let flow = self.flow();
        flow.flush_space();
        let bold = flow.bold();
        if let Some(para) = flow.story.para.as_mut() {
            para.push(text, bold);
        }
    }

    /// Handles an element start; `empty` for a self-closing element, which
    /// gets no end event.
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = tag(e);
        if SKIPPED.contains(&name) || SKIPPED_QUALIFIED.contains(&e.name().0) {
            if !empty {
                self.skip = 1;
            }
            return;
        }
        if name == "body" {
            self.in_body = !empty;
        }
        if !self.in_body {
            return;
        }
        match name {
            "p" | "h" => self.open_para(e, name, empty),
            "span" if !empty => self.open_span(e),
            "s" => self.spaces(e),
            "tab" => self.push_hard("\t"),
            "line-break" => self.push_hard("\n"),
            "table" | "table-row" | "table-cell" | "covered-table-cell" => {
                self.open_table_part(name);
            }
            "note" | "note-citation" | "annotation" | "creator" | "date" | "annotation-end" => {
                self.note_or_annotation(e, name, empty);
            }
            "text-box" if !empty => self.flows.push(Flow::new(Kind::TextBox)),
            "image" => self.images += 1,
            "object" | "object-ole" => self.objects += 1,
            _ => {}
        }
    }

    /// Opens a paragraph or heading (one inside a paragraph, as in a frame,
    /// gets a flow of its own), bold when its style is.
    fn open_para(&mut self, e: &BytesStart<'_>, name: &str, empty: bool) {
        if self.flow().story.para.is_some() {
            self.flows.push(Flow::new(Kind::Nested));
        }
        let styles = self.styles;
        let Self { flows, remarks, .. } = self;
        let Some(flow) = flows.last_mut() else {
            return;
        };
        flow.story.open_para(remarks);
        flow.spans.clear();
        flow.soft_space = false;
        flow.para_bold = attr(e, "style-name")
            .and_then(|s| styles.bold(&s))
            .unwrap_or(false);
        if let Some(para) = flow.story.para.as_mut() {
            para.heading = name == "h";
        }
        if empty {
            self.end(name);
        }
    }

    /// Opens a span, bold by its style or else as the text around it.
    fn open_span(&mut self, e: &BytesStart<'_>) {
        let styles = self.styles;
        let flow = self.flow();
        let inherited = flow.bold();
        let bold = attr(e, "style-name")
            .and_then(|s| styles.bold(&s))
            .unwrap_or(inherited);
        flow.spans.push(bold);
    }

    /// Writes the spaces of a `text:s`, within the document's space budget.
    fn spaces(&mut self, e: &BytesStart<'_>) {
        let count = attr(e, "c")
            .and_then(|c| c.trim().parse::<usize>().ok())
            .unwrap_or(1);
        let count = count.clamp(1, MAX_SPACES).min(self.space_budget).max(1);
        self.space_budget = self.space_budget.saturating_sub(count);
        self.push_hard(&" ".repeat(count));
    }

    /// Opens a table, a row or a cell.
    fn open_table_part(&mut self, name: &str) {
        let Self { flows, remarks, .. } = self;
        let Some(flow) = flows.last_mut() else {
            return;
        };
        match name {
            "table" => flow.story.open_table(remarks),
            "table-row" => flow.story.open_row(remarks),
            _ => flow.story.open_cell(remarks),
        }
    }

    /// Handles a note and its citation, an annotation, its author and date
    /// fields, and the end of its range.
    fn note_or_annotation(&mut self, e: &BytesStart<'_>, name: &str, empty: bool) {
        match name {
            "note" if !empty => {
                let endnote = attr(e, "note-class").as_deref() == Some("endnote");
                self.flows.push(Flow::new(Kind::Note {
                    endnote,
                    citation: String::new(),
                }));
            }
            "note-citation" if !empty && matches!(self.flow().kind, Kind::Note { .. }) => {
                self.field = Some(Field::Citation);
            }
            "annotation" if !empty => {
                let start = self.flow().position().unwrap_or(0);
                self.flows.push(Flow::new(Kind::Annotation {
                    name: attr(e, "name"),
                    author: String::new(),
                    date: String::new(),
                    start,
                }));
            }
            "creator" | "date" if !empty && self.in_annotation_head() => {
                self.field = Some(if name == "date" {
                    Field::Date
                } else {
                    Field::Author
                });
            }
            "annotation-end" => {
                if let Some(key) = attr(e, "name") {
                    self.flow().story.close_range(&key);
                }
            }
            _ => {}
        }
    }

    /// Returns whether the walk is in an annotation, outside its paragraphs
    /// (where `dc:creator` and `dc:date` name its author and date).
    fn in_annotation_head(&mut self) -> bool {
        let flow = self.flow();
        matches!(flow.kind, Kind::Annotation { .. }) && flow.story.para.is_none()
    }

    /// Handles the end of the element named `qualified`.
    fn end(&mut self, qualified: &str) {
        let name = local(qualified);
        if name == "body" {
            self.in_body = false;
        }
        let Self { flows, remarks, .. } = self;
        let Some(flow) = flows.last_mut() else {
            return;
        };
        match name {
            "p" | "h" => {
                flow.story.close_para(remarks);
                flow.spans.clear();
                if flow.kind == Kind::Nested {
                    self.pop_flow();
                }
            }
            "span" => {
                flow.spans.pop();
            }
            "table-row" => flow.story.close_row(remarks),
            "table" => flow.story.close_table(remarks),
            "note-citation" | "creator" | "date" => self.field = None,
            "note" if matches!(flow.kind, Kind::Note { .. }) => self.pop_flow(),
            "annotation" if matches!(flow.kind, Kind::Annotation { .. }) => self.pop_flow(),
            "text-box" if flow.kind == Kind::TextBox => self.pop_flow(),
            _ => {}
        }
    }

    /// Ends the innermost story: a text box goes after the block holding
    /// it, a note joins the notes, an annotation becomes a remark anchored
    /// in the paragraph that holds it.
    fn pop_flow(&mut self) {
        if self.flows.len() < 2 {
            return;
        }
        let Some(flow) = self.flows.pop() else {
            return;
        };
        let Self { flows, remarks, .. } = self;
        let Some(outer) = flows.last_mut() else {
            return;
        };
        match flow.kind {
            Kind::Root => {}
            Kind::TextBox | Kind::Nested => flow.story.nest_into(&mut outer.story, remarks),
            Kind::Note { endnote, citation } => {
                let Some(body) = office::note_body(flow.story.finish(remarks)) else {
                    return;
                };
                let list = if endnote {
                    &mut self.endnotes
                } else {
                    &mut self.footnotes
                };
                let citation = match citation.trim() {
                    "" => (list.len() + 1).to_string(),
                    cited => cited.to_owned(),
                };
                list.push(format!("[{citation}] {body}"));
            }
            Kind::Annotation {
                name,
                author,
                date,
                start,
            } => {
                let text = office::remark_text(flow.story.finish(remarks));
                self.annotations += 1;
                let key = name
                    .clone()
                    .unwrap_or_else(|| format!("#{}", self.annotations));
                let author = author.trim().to_owned();
                let date = date.trim().to_owned();
                remarks.insert(
                    key.clone(),
                    Remark {
                        author: (!author.is_empty()).then_some(author),
                        date: (!date.is_empty()).then_some(date),
                        text,
                    },
                );
                if let Some(para) = outer.story.para.as_mut() {
                    para.open_range_at(key, start);
                }
            }
        }
    }

    /// Returns the blocks of the document body.
    fn finish(mut self) -> Vec<Block> {
        while self.flows.len() > 1 {
            self.pop_flow();
        }
        let remarks = &self.remarks;
        self.flows
            .pop()
            .map(|f| f.story.finish(remarks))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use verbatim_core::{Format, NormalisedSource, OffsetTable};

    use super::*;
    use crate::zipped::tests::zip_of;
    use crate::{BlockStyle, LabelHint, SpeakerMode};

    const NS: &str = concat!(
        r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
        r#"xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" "#,
        r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
        r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
        r#"xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" "#,
        r#"xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" "#,
        r#"xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" "#,
        r#"xmlns:xlink="http://www.w3.org/1999/xlink" "#,
        r#"xmlns:dc="http://purl.org/dc/elements/1.1/" "#,
        r#"xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3""#
    );

    const AUTOMATIC_STYLES: &str = r#"<office:automatic-styles>
      <style:style style:name="P1" style:family="paragraph" style:parent-style-name="Standard"/>
      <style:style style:name="P2" style:family="paragraph"><style:text-properties fo:font-weight="bold"/></style:style>
      <style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold" style:font-weight-asian="bold"/></style:style>
      <style:style style:name="T2" style:family="text"><style:text-properties fo:font-style="italic"/></style:style>
      <style:style style:name="T3" style:family="text"><style:text-properties fo:font-weight="normal"/></style:style>
      <style:style style:name="T4" style:family="text" style:parent-style-name="Strong_20_Emphasis"/>
    </office:automatic-styles>"#;

    const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0">
  <office:styles><style:style style:name="Strong_20_Emphasis" style:display-name="Strong Emphasis" style:family="text"><style:text-properties fo:font-weight="700"/></style:style></office:styles>
</office:document-styles>"#;

    /// Returns a content part whose `office:text` holds `body`.
    fn content(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {NS}>{AUTOMATIC_STYLES}<office:body><office:text>
<text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Illustration"/></text:sequence-decls>
{body}
</office:text></office:body></office:document-content>"#
        )
    }

    /// Returns an .odt package with `content.xml` holding `body` and the
    /// extra parts given.
    fn odt(body: &str, extra: &[(&str, &str)]) -> Vec<u8> {
        let content = content(body);
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", content.as_bytes()),
            ("styles.xml", STYLES.as_bytes()),
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
        crate::assemble(Format::Odt, extracted, &SpeakerMode::None).expect("assembles")
    }

    #[test]
    fn paragraphs_headings_spaces_tabs_and_breaks() {
        let body = r#"
          <text:h text:style-name="Heading_20_1" text:outline-level="1">Entretien avec Mme Roux</text:h>
          <text:p text:style-name="P1">INT : Vous êtes arrivée
             en quelle année ?</text:p>
          <text:p text:style-name="P1"/>
          <text:p text:style-name="P1">MR :<text:tab/>En 1962,<text:s text:c="3"/>l’année de « l’indépendance ».<text:line-break/>Voilà 😊 <text:span text:style-name="T2">c’est tout</text:span>.</text:p>
          <text:p> a <text:s/>b </text:p>"#;
        let extracted = read(&odt(body, &[]));
        assert_eq!(extracted.join, Join::Paragraphs);
        assert_eq!(
            texts(&extracted),
            vec![
                "Entretien avec Mme Roux",
                "INT : Vous êtes arrivée en quelle année ?",
                "MR :\tEn 1962,   l’année de « l’indépendance ».\nVoilà 😊 c’est tout.",
                "a  b",
            ]
        );
        assert_eq!(extracted.blocks[0].style, BlockStyle::Heading);
        assert_eq!(extracted.blocks[1].style, BlockStyle::Paragraph);
    }

    #[test]
    fn lists_and_tables() {
        let body = r#"
          <text:list text:style-name="L1">
            <text:list-item><text:p>Premier souvenir</text:p></text:list-item>
            <text:list-item><text:p>Deuxième souvenir</text:p>
              <text:list><text:list-item><text:p>détail imbriqué</text:p></text:list-item></text:list>
            </text:list-item>
          </text:list>
          <table:table table:name="Tableau1">
            <table:table-column table:number-columns-repeated="2"/>
            <table:table-header-rows><table:table-row>
              <table:table-cell office:value-type="string"><text:p>Locuteur</text:p></table:table-cell>
              <table:table-cell office:value-type="string"><text:p>Propos</text:p></table:table-cell>
            </table:table-row></table:table-header-rows>
            <table:table-row>
              <table:table-cell><text:p>Samir</text:p></table:table-cell>
              <table:table-cell><text:p>On jouait dehors,</text:p><text:p>tout le temps.</text:p></table:table-cell>
            </table:table-row>
            <table:table-row><table:table-cell/><table:covered-table-cell/></table:table-row>
          </table:table>
          <text:p>Après.</text:p>"#;
        let extracted = read(&odt(body, &[]));
        assert_eq!(
            texts(&extracted),
            vec![
                "Premier souvenir",
                "Deuxième souvenir",
                "détail imbriqué",
                "Locuteur\tPropos",
                "Samir\tOn jouait dehors, tout le temps.",
                "Après.",
            ]
        );
        assert_eq!(extracted.blocks[3].style, BlockStyle::TableRow);
        assert_eq!(extracted.blocks[4].style, BlockStyle::TableRow);
    }

    #[test]
    fn notes_are_appended_and_their_citations_removed() {
        let body = r#"
          <text:p>On habitait la cité<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p text:style-name="Footnote">Cité des Flamants, 14e arrondissement.</text:p></text:note-body></text:note> près du canal.</text:p>
          <text:p>Ensuite<text:note text:id="edn1" text:note-class="endnote"><text:note-citation>i</text:note-citation><text:note-body><text:p>Transcription revue.</text:p></text:note-body></text:note>, plus rien.</text:p>"#;
        let extracted = read(&odt(body, &[]));
        assert_eq!(
            texts(&extracted),
            vec![
                "On habitait la cité près du canal.",
                "Ensuite, plus rien.",
                "Notes",
                "[1] Cité des Flamants, 14e arrondissement.",
                "[i] Transcription revue.",
            ]
        );
        let styles: Vec<BlockStyle> = extracted.blocks.iter().map(|b| b.style).collect();
        assert_eq!(
            styles,
            vec![
                BlockStyle::Paragraph,
                BlockStyle::Paragraph,
                BlockStyle::Heading,
                BlockStyle::Note,
                BlockStyle::Note
            ]
        );
    }

    #[test]
    fn annotations_anchor_their_range() {
        let body = r#"
          <text:p>Ma grand-mère disait <office:annotation office:name="__Annotation__1"><dc:creator>Inès Laurent</dc:creator><dc:date>2024-06-03T14:05:00</dc:date><text:p>Code : transmission</text:p><text:p>à revoir</text:p></office:annotation>« il faut tenir »<office:annotation-end office:name="__Annotation__1"/> et elle tenait.</text:p>
          <text:p>Sans fin : <office:annotation><dc:creator>Inès Laurent</dc:creator><text:p>Note libre</text:p></office:annotation>jusqu’au bout.</text:p>
          <text:p>Le jour où <text:span text:style-name="T1">date <text:date>3 juin</text:date></text:span> est passé.</text:p>"#;
        let extracted = read(&odt(body, &[]));
        assert_eq!(texts(&extracted)[2], "Le jour où date 3 juin est passé.");
        let source = assembled(extracted);
        let table = OffsetTable::new(source.text());
        let anchored: Vec<(&str, &str)> = source
            .anchors()
            .iter()
            .map(|a| {
                (
                    table.slice(source.text(), a.span).expect("fits"),
                    a.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            anchored,
            vec![
                ("« il faut tenir »", "Code : transmission\nà revoir"),
                ("jusqu’au bout.", "Note libre"),
            ]
        );
        assert_eq!(source.anchors()[0].author.as_deref(), Some("Inès Laurent"));
        assert_eq!(
            source.anchors()[0].date.as_deref(),
            Some("2024-06-03T14:05:00")
        );
        assert_eq!(source.anchors()[1].date, None);
    }

    #[test]
    fn bold_leading_spans_are_label_hints() {
        let body = r#"
          <text:p><text:span text:style-name="T1">Mme Roux :</text:span> Oui, bien sûr.</text:p>
          <text:p><text:span text:style-name="T4">ENQ</text:span><text:span text:style-name="T2"> — et après ?</text:span></text:p>
          <text:p text:style-name="P2">Tout en gras<text:span text:style-name="T3"> sauf ceci</text:span></text:p>
          <text:p>Pas de gras <text:span text:style-name="T1">ici</text:span></text:p>
          <text:h text:style-name="P2">Titre gras</text:h>"#;
        let extracted = read(&odt(body, &[]));
        let labels: Vec<Option<LabelHint>> =
            extracted.blocks.iter().map(|b| b.label.clone()).collect();
        assert_eq!(
            labels,
            vec![
                Some(LabelHint::BoldPrefix { chars: 10 }),
                Some(LabelHint::BoldPrefix { chars: 3 }),
                Some(LabelHint::BoldPrefix { chars: 12 }),
                None,
                None,
            ]
        );
    }

    #[test]
    fn text_boxes_tracked_changes_images_and_metadata() {
        let body = r#"
          <text:tracked-changes><text:changed-region text:id="ct1"><text:deletion><office:change-info><dc:creator>R</dc:creator></office:change-info><text:p>texte supprimé</text:p></text:deletion></text:changed-region></text:tracked-changes>
          <text:p>Avant <text:change text:change-id="ct1"/>l’encadré.<draw:frame draw:name="Cadre1"><draw:text-box><text:p>Dans l’encadré</text:p></draw:text-box></draw:frame></text:p>
          <text:p><draw:frame draw:name="Image1"><draw:image xlink:href="Pictures/photo.jpg"/><svg:title>Photo de famille</svg:title></draw:frame>Légende</text:p>"#;
        let meta = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0">
  <office:meta><dc:title>Entretien n° 4</dc:title><meta:initial-creator>Équipe terrain</meta:initial-creator><dc:creator>Relecteur</dc:creator><meta:creation-date>2024-01-15T10:00:00</meta:creation-date></office:meta>
</office:document-meta>"#;
        let extracted = read(&odt(body, &[("meta.xml", meta)]));
        assert_eq!(
            texts(&extracted),
            vec!["Avant l’encadré.", "Dans l’encadré", "Légende"]
        );
        assert_eq!(extracted.metadata.title.as_deref(), Some("Entretien n° 4"));
        assert_eq!(extracted.metadata.author.as_deref(), Some("Équipe terrain"));
        assert_eq!(
            extracted.metadata.created.as_deref(),
            Some("2024-01-15T10:00:00")
        );
        assert_eq!(extracted.metadata.notes, vec!["1 image skipped".to_owned()]);
    }

    #[test]
    fn broken_files_are_refused_with_the_right_error() {
        let bad = odt("<text:p>Bonjour <text:span>pas fermé</text:p>", &[]);
        match extract(&bad, &Limits::default()) {
            Err(IngestError::BadXml { part, reason }) => {
                assert_eq!(part, "content.xml");
                assert!(reason.contains("line"), "{reason}");
            }
            other => panic!("expected BadXml, got {other:?}"),
        }
        let missing = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.text")]);
        match extract(&missing, &Limits::default()) {
            Err(IngestError::BadContainer {
                format: "odt",
                reason,
            }) => {
                assert!(reason.contains("content.xml"), "{reason}");
            }
            other => panic!("expected BadContainer, got {other:?}"),
        }
        assert!(matches!(
            extract("pas une archive, désolé 🙁".as_bytes(), &Limits::default()),
            Err(IngestError::BadContainer { .. })
        ));
        let good = odt("<text:p>Bonjour</text:p>", &[]);
        assert!(matches!(
            extract(&good[..good.len() / 2], &Limits::default()),
            Err(IngestError::BadContainer { .. })
        ));
        let zeros = vec![0u8; 1024 * 1024];
        let bomb = zip_of(&[("content.xml", &zeros)]);
        let limits = Limits {
            max_unzipped_bytes: 10_000,
            ..Limits::default()
        };
        assert!(matches!(
            extract(&bomb, &limits),
            Err(IngestError::ZipBomb { .. })
        ));
    }

    /// A body using most of what the reader handles, for the no-panic tests.
    const RICH: &str = r#"<text:h>Entretien</text:h>
<text:p text:style-name="P1"><text:span text:style-name="T1">Léa :</text:span> « oui »<text:s text:c="2"/>j’ai <office:annotation office:name="a1"><dc:creator>A</dc:creator><dc:date>2024</dc:date><text:p>un</text:p></office:annotation>😊<office:annotation-end office:name="a1"/><text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>note</text:p></text:note-body></text:note></text:p>
<table:table><table:table-row><table:table-cell><text:p>a</text:p></table:table-cell><table:table-cell><text:p>b<draw:frame><draw:text-box><text:p>boîte</text:p></draw:text-box></draw:frame></text:p><table:table><table:table-row><table:table-cell><text:p>c</text:p></table:table-cell></table:table-row></table:table></table:table-cell></table:table-row></table:table>
<text:list><text:list-item><text:p>si<text:tab/><text:line-break/>fin</text:p></text:list-item></text:list>"#;

    #[test]
    fn the_rich_fixture_reads() {
        let source = assembled(read(&odt(RICH, &[])));
        assert_eq!(
            source.text(),
            "Entretien\n\nLéa : « oui »  j’ai 😊\n\na\tb c\n\nboîte\n\nsi\t\nfin\n\nNotes\n\n[1] note"
        );
        let table = OffsetTable::new(source.text());
        let span = source.anchors()[0].span;
        assert_eq!(table.slice(source.text(), span), Some("😊"));
    }

    const SNIPPETS: &[&str] = &[
        "<text:p>",
        "</text:p>",
        "<text:span>",
        "</text:span>",
        "<text:h>",
        "</text:h>",
        "<table:table>",
        "</table:table>",
        "<table:table-row>",
        "</table:table-row>",
        "<table:table-cell>",
        "</table:table-cell>",
        "<text:note>",
        "</text:note>",
        "<office:annotation>",
        "</office:annotation>",
        r#"<office:annotation-end office:name="a1"/>"#,
        "<draw:text-box>",
        "</draw:text-box>",
        r#"<text:s text:c="99999999999999999999"/>"#,
        r#"<text:s text:c="-3"/>"#,
        "<dc:creator>",
        "<text:note-citation>",
        "&amp;",
        "&#0;",
        "&bogus;",
        "é",
        "😊",
        "<",
        "&",
        ">",
        "<text:p/>",
        "<table:table-cell/>",
        "<office:body>",
        "</office:body>",
        "<text:tracked-changes>",
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
            if let Ok(extracted) = extract(&odt(&body, &[]), &Limits::default()) {
                let assembled = crate::assemble(Format::Odt, extracted, &SpeakerMode::None);
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
            let mut bytes = odt(RICH, &[]);
            for (at, value) in flips {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            let _ = extract(&bytes, &Limits::default());
        }
    }

    #[test]
    fn space_runs_cannot_blow_up_the_text() {
        let body = r#"<text:p>a<text:s text:c="10000"/><text:s text:c="10000"/><text:s text:c="10000"/>b</text:p>"#;
        let extracted = read(&odt(body, &[]));
        let len = extracted.blocks[0].text.len();
        assert!(len <= 2 * content(body).len(), "{len}");
    }

    #[test]
    fn shape_text_inside_a_paragraph_does_not_cut_it() {
        let body = r#"<text:p>Avant la forme <draw:custom-shape draw:name="Forme1"><text:p>Texte de la forme</text:p><draw:enhanced-geometry/></draw:custom-shape>et après.</text:p>"#;
        assert_eq!(
            texts(&read(&odt(body, &[]))),
            vec!["Avant la forme et après.", "Texte de la forme"]
        );
    }

    #[test]
    fn a_word_document_named_odt_is_explained() {
        let bytes = zip_of(&[("word/document.xml", b"<w:document/>")]);
        match extract(&bytes, &Limits::default()) {
            Err(IngestError::BadContainer { reason, .. }) => {
                assert!(reason.contains(".docx"), "{reason}");
            }
            other => panic!("expected BadContainer, got {other:?}"),
        }
    }
}
