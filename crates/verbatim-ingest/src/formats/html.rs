//! Reader for .html files: scraper (html5ever) and a block-level walker.
//!
//! html5ever parses any real-world HTML as a browser would and decodes
//! entities. The walker then reads the DOM in document order and cuts it
//! into blocks the way a browser lays it out: block-level elements (`p`,
//! `div`, `li`, `blockquote`, `h1`–`h6`, `dt`/`dd`, `section`, …) start and
//! end blocks, inline text is joined with its white space collapsed (kept as
//! written inside `pre`), `<br>` is a `\n`, and a table row is one block
//! whose cells are joined by tabs. `script`, `style`, `noscript`,
//! `template`, `head` and embedded objects are skipped; `<title>` and
//! `<meta name="author">` go to the metadata.
//!
//! A block that starts with `<b>`/`<strong>` text carries
//! [`LabelHint::BoldPrefix`], as in `<p><b>Marie :</b> texte</p>`, so speaker
//! names marked in bold are found without guessing.
//!
//! The walk uses the tree's parent and sibling links instead of recursion,
//! so a deeply nested file cannot overflow the stack. The encoding comes
//! from a byte-order mark, else a `<meta charset>` (or `http-equiv`)
//! declaration in the first bytes, else UTF-8 when the bytes are valid
//! UTF-8, else Windows-1252.

use encoding_rs::Encoding;
use scraper::{Html, Node};

use crate::{Block, BlockStyle, Extracted, IngestError, Join, LabelHint};

/// How many leading bytes are searched for a `<meta charset>` declaration.
const PRESCAN_BYTES: usize = 4096;

/// Returns the blocks of a .html document.
pub(crate) fn extract(bytes: &[u8]) -> Result<Extracted, IngestError> {
    let (source, encoding) = decode(bytes);
    let depth = nesting_depth(&source);
    if depth > MAX_DEPTH {
        return Err(IngestError::Malformed {
            format: "html",
            reason: format!(
                "its elements nest {depth} levels deep (more than {MAX_DEPTH}), which no transcript needs and which would take minutes to parse: save it as .docx or .txt and import that"
            ),
        });
    }
    let document = Html::parse_document(&source);
    let mut walker = Walker::default();
    walker.walk(&document);
    if walker.blocks.is_empty() {
        return Err(IngestError::Empty);
    }
    let mut extracted = Extracted {
        blocks: walker.blocks,
        join: Join::Paragraphs,
        ..Extracted::default()
    };
    extracted.metadata.encoding = Some(encoding.to_owned());
    extracted.metadata.title = title(&document);
    extracted.metadata.author = author(&document);
    Ok(extracted)
}

/// The deepest element nesting accepted. Real pages (Word's "save as web
/// page" included) stay under a few dozen levels; html5ever's tree building
/// grows quadratically with depth, so a hostile file nested thousands of
/// levels deep would stall an import.
const MAX_DEPTH: usize = 1_000;

/// Returns an upper estimate of how deeply elements nest, from a scan of the
/// tags (comments, void elements, self-closing tags and elements whose end
/// tag is optional do not open a level).
fn nesting_depth(source: &str) -> usize {
    const FLAT: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "td", "th", "tr", "option", "dt", "dd",
    ];
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = source;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let close = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..close];
        rest = &rest[close..];
        if tag.starts_with('!') || tag.starts_with('?') || tag.ends_with('/') {
            continue;
        }
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(name) => (true, name),
            None => (false, tag),
        };
        let name: String = tag
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() || FLAT.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

/// Returns the text of `bytes` and the name of the encoding it was decoded
/// from.
fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), encoding.name());
    }
    if let Some(declared) = declared_encoding(bytes) {
        let (text, _) = declared.decode_without_bom_handling(bytes);
        return (text.into_owned(), declared.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), encoding_rs::UTF_8.name()),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), encoding_rs::WINDOWS_1252.name())
        }
    }
}

/// Returns the encoding a `<meta>` tag near the start of the file declares,
/// as the HTML prescan does: a UTF-16 declaration in a file without a BOM
/// means UTF-8, `x-user-defined` means Windows-1252.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes
        .get(..PRESCAN_BYTES)
        .unwrap_or(bytes)
        .to_ascii_lowercase();
    let mut rest = head.as_slice();
    while let Some(at) = find(rest, b"<meta") {
        let tag = &rest[at..];
        let end = tag.iter().position(|&b| b == b'>').unwrap_or(tag.len());
        let tag = &tag[..end];
        if let Some(encoding) = charset_label(tag).and_then(Encoding::for_label) {
            if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
                return Some(encoding_rs::UTF_8);
            }
            if encoding == encoding_rs::X_USER_DEFINED {
                return Some(encoding_rs::WINDOWS_1252);
            }
            return Some(encoding);
        }
        rest = &rest[at + end..];
    }
    None
}

/// Returns the label after `charset` in a lowercased `<meta ...` tag.
fn charset_label(tag: &[u8]) -> Option<&[u8]> {
    let at = find(tag, b"charset")?;
    let rest = &tag[at + b"charset".len()..];
    let rest = rest
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'"' | b'\'' | b';' | b'/' | b'>') || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// Returns the first index of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Returns the document's `<title>`, white space collapsed.
fn title(document: &Html) -> Option<String> {
    let node = document
        .tree
        .nodes()
        .find(|n| n.value().as_element().is_some_and(|e| e.name() == "title"))?;
    let mut text = String::new();
    for child in node.descendants() {
        if let Node::Text(t) = child.value() {
            text.push_str(t);
        }
    }
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then_some(collapsed)
}

/// Returns the content of `<meta name="author">`.
fn author(document: &Html) -> Option<String> {
    document.tree.nodes().find_map(|n| {
        let element = n.value().as_element()?;
        let is_author = element.name() == "meta"
            && element
                .attr("name")
                .is_some_and(|v| v.eq_ignore_ascii_case("author"));
        let content = element.attr("content")?.trim();
        (is_author && !content.is_empty()).then(|| content.to_owned())
    })
}

/// Returns whether an element's content is never shown as text: scripts,
/// styles, the head, embedded objects, `display:none` and the list bullets
/// Word's "Save as Web Page" writes in `mso-list:Ignore` spans.
fn is_skipped(element: &scraper::node::Element) -> bool {
    if let Some(style) = element.attr("style") {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        if style.contains("display:none") || style.contains("mso-list:ignore") {
            return true;
        }
    }
    matches!(
        element.name(),
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "select"
    )
}

/// Returns the style of a block-level element, or `None` for inline ones.
fn block_style(name: &str) -> Option<BlockStyle> {
    match name {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Some(BlockStyle::Heading),
        "address" | "article" | "aside" | "blockquote" | "body" | "caption" | "center" | "dd"
        | "details" | "dialog" | "dir" | "div" | "dl" | "dt" | "fieldset" | "figcaption"
        | "figure" | "footer" | "form" | "header" | "hgroup" | "hr" | "html" | "legend" | "li"
        | "listing" | "main" | "menu" | "nav" | "ol" | "p" | "plaintext" | "pre" | "section"
        | "summary" | "table" | "tbody" | "tfoot" | "thead" | "ul" | "xmp" => {
            Some(BlockStyle::Paragraph)
        }
        _ => None,
    }
}

/// Returns whether an element makes its text bold (`Some(true)`), resets it
/// to normal weight (`Some(false)`, as the `<b style="font-weight:normal">`
/// Google Docs wraps around a whole copied document), or leaves the weight
/// as it is (`None`).
fn weight(element: &scraper::node::Element) -> Option<bool> {
    let style = element.attr("style").map(str::to_ascii_lowercase);
    let declared = style.as_deref().and_then(|style| {
        let value = style.split(';').find_map(|declaration| {
            let (property, value) = declaration.split_once(':')?;
            (property.trim() == "font-weight").then(|| value.trim().to_owned())
        })?;
        let value = value.trim_end_matches("!important").trim();
        match value {
            "bold" | "bolder" => Some(true),
            "normal" | "lighter" => Some(false),
            number => number.parse::<u32>().ok().map(|n| n >= 600),
        }
    });
    declared.or_else(|| matches!(element.name(), "b" | "strong").then_some(true))
}

/// Returns whether `c` is HTML white space, which a browser collapses.
fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// A block's text being built, with its bold leading run.
#[derive(Debug, Default)]
struct Line {
    text: String,
    /// A collapsed run of white space waits to become one space.
    pending_space: bool,
    bold_run: usize,
    bold_open: bool,
    /// Whether a visible char has been seen.
    started: bool,
}

impl Line {
    /// Appends text, collapsing white space unless `pre`.
    fn push_str(&mut self, text: &str, bold: bool, pre: bool) {
        for c in text.chars() {
            if pre {
                // Indentation on a `pre` block's first line is kept; only
                // leading line breaks are dropped.
                if !self.started && matches!(c, ' ' | '\t') {
                    self.started = true;
                    self.bold_open = bold;
                }
                self.pending_space = false;
                self.put(c, bold);
            } else if is_html_space(c) {
                self.pending_space = self.started;
            } else {
                if std::mem::take(&mut self.pending_space) && !self.text.ends_with('\n') {
                    self.put(' ', bold);
                }
                self.put(c, bold);
            }
        }
    }

    /// Appends a line break.
    fn line_break(&mut self) {
        self.pending_space = false;
        self.put('\n', false);
    }

    /// Appends one char, dropping blank chars before the first visible one.
    fn put(&mut self, c: char, bold: bool) {
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

    /// Returns the text without trailing blanks and its bold leading run,
    /// leaving the line empty.
    fn take(&mut self) -> (String, usize) {
        let taken = std::mem::take(self);
        let text = taken.text.trim_end().to_owned();
        let bold = taken.bold_run.min(text.chars().count());
        (text, bold)
    }
}

/// The walk's state.
#[derive(Debug, Default)]
struct Walker {
    blocks: Vec<Block>,
    line: Line,
    /// Styles of the open block-level elements.
    styles: Vec<BlockStyle>,
    /// Whether each open element that sets the font weight (`<b>`,
    /// `<strong>`, a `font-weight` style) makes its text bold.
    bold: Vec<bool>,
    /// Open `<pre>`-like elements.
    pre: usize,
    /// Whether a table row (outermost) is open.
    in_row: bool,
    /// Whether a table cell (outermost) is open; blocks inside it are
    /// flattened into the cell.
    in_cell: bool,
    /// Open `tr`/`td`/`th` of tables nested inside the open cell.
    nested: usize,
    cells: Vec<String>,
}

impl Walker {
    /// Walks the whole tree in document order without recursion.
    fn walk(&mut self, document: &Html) {
        let root = document.tree.root();
        let mut node = root;
        'walk: loop {
            let descend = self.open(node.value());
            if descend && let Some(child) = node.first_child() {
                node = child;
                continue;
            }
            loop {
                self.close(node.value());
                if node.id() == root.id() {
                    break 'walk;
                }
                if let Some(sibling) = node.next_sibling() {
                    node = sibling;
                    break;
                }
                match node.parent() {
                    Some(parent) => node = parent,
                    None => break 'walk,
                }
            }
        }
        self.flush();
        self.end_row();
    }

    /// Handles entering a node; returns whether to walk its children.
    fn open(&mut self, node: &Node) -> bool {
        match node {
            Node::Text(text) => {
                let bold = self.bold.last().copied().unwrap_or(false);
                self.line.push_str(text, bold, self.pre > 0);
                false
            }
            Node::Element(element) => {
                let name = element.name();
                if is_skipped(element) {
                    return false;
                }
                if let Some(bold) = weight(element) {
                    self.bold.push(bold);
                }
                match name {
                    "br" => self.line.line_break(),
                    "tr" if !self.in_cell => {
                        self.flush();
                        self.end_row();
                        self.in_row = true;
                    }
                    "td" | "th" if self.in_row && !self.in_cell => {
                        self.line = Line::default();
                        self.in_cell = true;
                    }
                    "tr" | "td" | "th" => {
                        if self.in_cell {
                            self.nested += 1;
                        }
                        self.line.pending_space = self.line.started;
                    }
                    _ => {
                        if let Some(style) = block_style(name) {
                            if matches!(name, "pre" | "listing" | "plaintext" | "xmp") {
                                self.pre += 1;
                            }
                            if self.in_cell {
                                self.line.pending_space = self.line.started;
                            } else {
                                self.flush();
                                self.styles.push(style);
                            }
                        }
                    }
                }
                true
            }
            Node::Document | Node::Fragment => true,
            _ => false,
        }
    }

    /// Handles leaving a node.
    fn close(&mut self, node: &Node) {
        let Node::Element(element) = node else {
            return;
        };
        let name = element.name();
        if is_skipped(element) {
            return;
        }
        if weight(element).is_some() {
            self.bold.pop();
        }
        match name {
            "td" | "th" if self.in_cell && self.nested == 0 => {
                let (text, _) = self.line.take();
                self.cells.push(text.trim().to_owned());
                self.in_cell = false;
            }
            "tr" if self.in_row && !self.in_cell => self.end_row(),
            "tr" | "td" | "th" => {
                self.nested = self.nested.saturating_sub(1);
                self.line.pending_space = self.line.started;
            }
            _ => {
                if block_style(name).is_some() {
                    if matches!(name, "pre" | "listing" | "plaintext" | "xmp") {
                        self.pre = self.pre.saturating_sub(1);
                    }
                    if self.in_cell {
                        self.line.pending_space = self.line.started;
                    } else {
                        self.flush();
                        self.styles.pop();
                    }
                }
            }
        }
    }

    /// Ends the current block, if it holds text.
    fn flush(&mut self) {
        if self.in_cell {
            return;
        }
        let (text, bold) = self.line.take();
        if text.is_empty() {
            return;
        }
        let style = self.styles.last().copied().unwrap_or_default();
        let label = (bold > 0).then_some(LabelHint::BoldPrefix { chars: bold });
        self.blocks.push(Block {
            text,
            style,
            label,
            ..Block::default()
        });
    }

    /// Ends the table row being built, if any.
    fn end_row(&mut self) {
        self.in_row = false;
        self.in_cell = false;
        self.nested = 0;
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
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn pathological_nesting_is_refused_quickly() {
        let deep = format!("{}texte{}", "<div>".repeat(20_000), "</div>".repeat(20_000));
        let started = std::time::Instant::now();
        let err = extract(deep.as_bytes());
        assert!(
            matches!(err, Err(IngestError::Malformed { format: "html", .. })),
            "{err:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        let page =
            "<html><body><div><div><p>Un <b>paragraphe</b><br>suivi</p></div></div></body></html>";
        assert!(nesting_depth(page) < 10);
    }

    use proptest::prelude::*;
    use verbatim_core::Format;

    use super::*;
    use crate::SpeakerMode;

    const INTERVIEW: &str = r#"<!DOCTYPE html>
<html lang="fr"><head>
  <meta charset="utf-8">
  <title>Entretien   n°3 — Zoé</title>
  <meta name="author" content="Camille Dupré">
  <style>p { color: red; }</style>
  <script>alert(1)</script>
</head>
<body>
  <h1>Entretien  avec <em>Zoé</em></h1>
  <p><b>Marie :</b> Alors, l’été dernier,
     vous étiez   &laquo;&nbsp;fatiguée&nbsp;&raquo; ?</p>
  <p><strong>Zoé :</strong> Oui, le cœur n’y était plus 😅.<br>
     Vraiment plus.</p>
  <script>alert(1)</script>
  <noscript>Activez JavaScript</noscript>
  <ul>
    <li>Première idée</li>
    <li>Deuxième <i>idée</i></li>
  </ul>
  <table>
    <tr><th>Prénom</th><th>Âge</th></tr>
    <tr><td>Zoé</td><td> 34 </td></tr>
  </table>
  <pre>
  ligne 1
  ligne   2</pre>
  <div>Texte libre <span>en ligne</span><div>bloc imbriqué</div>suite</div>
  <blockquote>« Une citation »</blockquote>
  <dl><dt>Terme</dt><dd>Définition</dd></dl>
</body></html>"#;

    fn text_of(extracted: Extracted) -> String {
        crate::assemble(Format::Html, extracted, &SpeakerMode::None)
            .map(|s| s.text().to_owned())
            .unwrap_or_else(|e| panic!("assemble failed: {e}"))
    }

    #[test]
    fn reads_an_interview_page() {
        let extracted = extract(INTERVIEW.as_bytes()).unwrap();
        assert_eq!(extracted.join, Join::Paragraphs);
        assert_eq!(
            extracted.metadata.title.as_deref(),
            Some("Entretien n°3 — Zoé")
        );
        assert_eq!(extracted.metadata.author.as_deref(), Some("Camille Dupré"));
        assert_eq!(extracted.metadata.encoding.as_deref(), Some("UTF-8"));
        let texts: Vec<&str> = extracted.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Entretien avec Zoé",
                "Marie : Alors, l’été dernier, vous étiez «\u{a0}fatiguée\u{a0}» ?",
                "Zoé : Oui, le cœur n’y était plus 😅.\nVraiment plus.",
                "Première idée",
                "Deuxième idée",
                "Prénom\tÂge",
                "Zoé\t34",
                "  ligne 1\n  ligne   2",
                "Texte libre en ligne",
                "bloc imbriqué",
                "suite",
                "« Une citation »",
                "Terme",
                "Définition",
            ]
        );
        let blocks = &extracted.blocks;
        assert_eq!(blocks[0].style, BlockStyle::Heading);
        assert_eq!(blocks[0].label, None);
        assert_eq!(blocks[1].label, Some(LabelHint::BoldPrefix { chars: 7 }));
        assert_eq!(blocks[2].label, Some(LabelHint::BoldPrefix { chars: 5 }));
        assert_eq!(blocks[3].style, BlockStyle::Paragraph);
        assert_eq!(blocks[5].style, BlockStyle::TableRow);
        assert_eq!(blocks[6].style, BlockStyle::TableRow);

        let text = text_of(extracted);
        assert!(text.starts_with("Entretien avec Zoé\n\nMarie : Alors, l’été dernier"));
        assert!(text.contains("Zoé\t34\n\n  ligne 1\n  ligne   2\n\n"));
        assert!(!text.contains("alert"));
        assert!(!text.contains("color"));
        assert!(!text.contains("JavaScript"));
    }

    #[test]
    fn windows_1252_meta_charset_is_honoured() {
        let mut bytes = b"<html><head><meta http-equiv=\"Content-Type\" \
            content=\"text/html; charset=windows-1252\"></head><body><p>"
            .to_vec();
        // « l’été » in Windows-1252: AB A0 6C 92 E9 74 E9 A0 BB.
        bytes.extend_from_slice(b"\xab\xa0l\x92\xe9t\xe9\xa0\xbb \x9cuvre</p></body></html>");
        let extracted = extract(&bytes).unwrap();
        assert_eq!(extracted.metadata.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(extracted.blocks[0].text, "«\u{a0}l’été\u{a0}» œuvre");
    }

    #[test]
    fn meta_charset_attribute_is_honoured() {
        let bytes = b"<meta charset='ISO-8859-15'><p>\xa4 5</p>";
        let extracted = extract(bytes).unwrap();
        assert_eq!(extracted.blocks[0].text, "€ 5");
    }

    #[test]
    fn invalid_utf8_without_declaration_falls_back_to_windows_1252() {
        let extracted = extract(b"<p>Caf\xe9 cr\xe8me</p>").unwrap();
        assert_eq!(extracted.metadata.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(extracted.blocks[0].text, "Café crème");
    }

    #[test]
    fn utf16_bom_is_honoured() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "<p>Été</p>".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(extract(&bytes).unwrap().blocks[0].text, "Été");
    }

    #[test]
    fn script_text_is_never_included() {
        let html = "<p>Avant</p><script>alert(1)</script><p>Après</p>";
        let text = text_of(extract(html.as_bytes()).unwrap());
        assert_eq!(text, "Avant\n\nAprès");
    }

    #[test]
    fn text_outside_paragraphs_is_kept() {
        let html = "Bonjour <b>tout</b> le monde<br>deuxième ligne";
        let extracted = extract(html.as_bytes()).unwrap();
        assert_eq!(extracted.blocks.len(), 1);
        assert_eq!(
            extracted.blocks[0].text,
            "Bonjour tout le monde\ndeuxième ligne"
        );
        assert_eq!(extracted.blocks[0].label, None);
    }

    #[test]
    fn nested_tables_are_flattened_into_the_cell() {
        let html = "<table><tr><td>a<table><tr><td>b</td><td>c</td></tr></table></td>\
                    <td>d</td></tr></table>";
        let extracted = extract(html.as_bytes()).unwrap();
        assert_eq!(extracted.blocks.len(), 1);
        assert_eq!(extracted.blocks[0].text, "a b c\td");
    }

    #[test]
    fn google_docs_font_weight_styles_are_read() {
        let html = r#"<b style="font-weight:normal;" id="docs-internal-guid-1">
            <p><span style="font-weight:700">Marie :</span><span style="font-weight:400">
            Bonjour.</span></p><p><span style="font-weight:400">Zoé : Salut.</span></p></b>"#;
        let extracted = extract(html.as_bytes()).unwrap();
        assert_eq!(extracted.blocks[0].text, "Marie : Bonjour.");
        assert_eq!(
            extracted.blocks[0].label,
            Some(LabelHint::BoldPrefix { chars: 7 })
        );
        assert_eq!(extracted.blocks[1].label, None);
    }

    #[test]
    fn word_web_page_export_is_read() {
        let html = "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head>\
            <meta http-equiv=Content-Type content=\"text/html; charset=windows-1252\">\
            <style><!-- p.MsoNormal {margin:0cm;} --></style></head><body lang=FR>\
            <div class=WordSection1>\
            <p class=MsoNormal><b><span style='font-size:12.0pt'>INT\u{a0}:</span></b>\
            <span style='font-size:12.0pt'> Et apr\u{e8}s\u{85}<o:p></o:p></span></p>\
            <p class=MsoListParagraphCxSpFirst style='mso-list:l0 level1 lfo1'>\
            <![if !supportLists]><span style='font-family:Symbol;mso-list:Ignore'>\u{b7}\
            <span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp; </span></span><![endif]>\
            Premier point<o:p></o:p></p>\
            <p class=MsoNormal><span style='display:none'>cach\u{e9}</span><o:p>&nbsp;</o:p></p>\
            </div></body></html>";
        let bytes: Vec<u8> = html.chars().map(|c| c as u8).collect();
        let extracted = extract(&bytes).unwrap();
        let texts: Vec<&str> = extracted.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, vec!["INT\u{a0}: Et après…", "Premier point"]);
        assert_eq!(
            extracted.blocks[0].label,
            Some(LabelHint::BoldPrefix { chars: 5 })
        );
    }

    #[test]
    fn empty_document_is_empty() {
        for html in [
            "",
            "<html><head><title>Vide</title></head><body> </body></html>",
        ] {
            let err = extract(html.as_bytes()).unwrap_err();
            assert!(matches!(err, IngestError::Empty), "{err}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!("{}profond{}", "<div>".repeat(900), "</div>".repeat(900));
        let extracted = extract(html.as_bytes()).unwrap();
        assert_eq!(extracted.blocks[0].text, "profond");
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = extract(&bytes);
        }
    }
}
