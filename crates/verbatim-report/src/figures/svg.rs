//! A small SVG writer: elements, escaping, and numbers written the same way
//! every time.
//!
//! Written by hand (rust-stack.md §1.16) because the figures need three
//! things and no more: well-formed XML with every attribute and text
//! escaped, numbers with a fixed number of decimals (so the same study
//! gives the same bytes on every machine), and an accessible `<title>`.
//! A plotting crate would bring fonts, bitmaps and its own layout for
//! figures that are mostly boxes, lines and labels.

use std::fmt::Write as _;

/// The SVG namespace.
pub const NAMESPACE: &str = "http://www.w3.org/2000/svg";

/// The font stack every figure uses; widths are estimated for it.
pub const FONT: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

/// Returns `value` with two decimals at most, trailing zeros dropped, and
/// never `-0` or a non-number (non-finite values become `0`).
pub fn num(value: f64) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let mut s = format!("{value:.2}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" { "0".to_owned() } else { s }
}

/// Appends `text` escaped for XML character data or a quoted attribute.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even escaped; a
            // label never needs them.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
}

/// Returns `text` escaped for XML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// A value an attribute can take.
pub trait AttrValue {
    /// Appends the value, escaped.
    fn write_to(&self, out: &mut String);
}

impl AttrValue for f64 {
    fn write_to(&self, out: &mut String) {
        out.push_str(&num(*self));
    }
}

impl AttrValue for usize {
    fn write_to(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl AttrValue for i64 {
    fn write_to(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl AttrValue for &str {
    fn write_to(&self, out: &mut String) {
        escape_into(out, self);
    }
}

impl AttrValue for String {
    fn write_to(&self, out: &mut String) {
        escape_into(out, self);
    }
}

/// An SVG document being written.
#[derive(Debug)]
pub struct Svg {
    out: String,
    open: Vec<&'static str>,
}

impl Svg {
    /// Starts a document of `width` × `height` user units with an
    /// accessible title and description.
    pub fn new(width: f64, height: f64, title: &str, description: &str) -> Self {
        let mut svg = Self {
            out: String::with_capacity(16 * 1024),
            open: Vec::new(),
        };
        svg.el("svg")
            .attr("xmlns", NAMESPACE)
            .attr("width", width)
            .attr("height", height)
            .attr("viewBox", format!("0 0 {} {}", num(width), num(height)))
            .attr("role", "img")
            .attr("aria-labelledby", "figure-title figure-desc")
            .attr("font-family", FONT)
            .open();
        svg.el("title").attr("id", "figure-title").text(title);
        svg.el("desc").attr("id", "figure-desc").text(description);
        svg.el("rect")
            .attr("width", width)
            .attr("height", height)
            .attr("fill", "#ffffff")
            .empty();
        svg
    }

    /// Starts an element; finish it with [`Element::empty`],
    /// [`Element::text`] or [`Element::open`].
    pub fn el(&mut self, name: &'static str) -> Element<'_> {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        Element { svg: self, name }
    }

    /// Closes the innermost open element.
    pub fn close(&mut self) {
        if let Some(name) = self.open.pop() {
            self.indent();
            let _ = write!(self.out, "</{name}>");
        }
    }

    fn indent(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }

    /// Closes every open element and returns the document.
    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out.push('\n');
        self.out
    }
}

/// An element whose start tag is being written.
#[derive(Debug)]
pub struct Element<'s> {
    svg: &'s mut Svg,
    name: &'static str,
}

impl Element<'_> {
    /// Adds an attribute.
    pub fn attr(self, name: &str, value: impl AttrValue) -> Self {
        self.svg.out.push(' ');
        self.svg.out.push_str(name);
        self.svg.out.push_str("=\"");
        value.write_to(&mut self.svg.out);
        self.svg.out.push('"');
        self
    }

    /// Adds an attribute when `value` is some.
    pub fn attr_opt(self, name: &str, value: Option<impl AttrValue>) -> Self {
        match value {
            Some(v) => self.attr(name, v),
            None => self,
        }
    }

    /// Ends the element with no content.
    pub fn empty(self) {
        self.svg.out.push_str("/>");
    }

    /// Ends the element with `text` as its content.
    pub fn text(self, text: &str) {
        self.svg.out.push('>');
        escape_into(&mut self.svg.out, text);
        let _ = write!(self.svg.out, "</{}>", self.name);
    }

    /// Leaves the element open for children; [`Svg::close`] ends it.
    pub fn open(self) {
        self.svg.out.push('>');
        self.svg.open.push(self.name);
    }
}

/// Returns an estimate of the width of `text` at `size` px in [`FONT`].
///
/// There are no font metrics without a font file; 0.6 em per char is the
/// width of DejaVu Sans's wider letters, so labels may fall short of their
/// box but do not overflow it.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// Returns `text` broken into lines of at most `max` chars at spaces
/// (a word longer than `max` is cut), at most `max_lines` lines, the last
/// ending with `…` when text was left out.
pub fn wrap(text: &str, max: usize, max_lines: usize) -> Vec<String> {
    let max = max.max(4);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > max {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word[..max].iter().collect());
            word.drain(..max);
        }
        let word: String = word.into_iter().collect();
        if word.is_empty() {
            continue;
        }
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if needed > max && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines.max(1) {
        lines.truncate(max_lines.max(1));
        if let Some(last) = lines.last_mut() {
            let mut kept: String = last.chars().take(max - 1).collect();
            kept = kept.trim_end().to_owned();
            kept.push('…');
            *last = kept;
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_at_most_two_decimals_and_no_negative_zero() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(2.0 / 3.0), "0.67");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(-12.345), "-12.35");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(100.0), "100");
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut svg = Svg::new(10.0, 10.0, "<script>&\"", "d");
        svg.el("text")
            .attr("data-name", "a\"b<c>&'")
            .text("<script>&\"");
        let out = svg.finish();
        assert!(out.contains("<title id=\"figure-title\">&lt;script&gt;&amp;&quot;</title>"));
        assert!(out.contains("data-name=\"a&quot;b&lt;c&gt;&amp;&apos;\""));
        assert!(!out.contains("<script>"));
        assert!(out.ends_with("</svg>\n"));
    }

    #[test]
    fn wrapping_breaks_at_spaces_cuts_long_words_and_marks_dropped_text() {
        assert_eq!(
            wrap("Construire la confiance", 12, 3),
            ["Construire", "la confiance"]
        );
        assert_eq!(
            wrap("anticonstitutionnellement", 10, 5),
            ["anticonsti", "tutionnell", "ement"]
        );
        assert_eq!(
            wrap("un deux trois quatre cinq", 9, 2),
            ["un deux", "trois…"]
        );
        assert!(wrap("   ", 10, 2).is_empty());
    }
}
