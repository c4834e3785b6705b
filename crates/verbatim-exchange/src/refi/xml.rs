//! A small element tree read with quick-xml, and the escaping the writer
//! needs.
//!
//! REFI-QDA files are read whole into a tree of elements named by their
//! local name, so every namespace variant in the wild (`urn:QDA-XML:project:1.0`,
//! `…:1:0`, `…:0:10`, prefixed or not) reads the same way. A tree keeps the
//! mapping code short; the largest project files (100,000 selections) are
//! tens of megabytes, which a tree holds comfortably.
//!
//! Writing is by hand: quick-xml's attribute escaping leaves line breaks
//! and tabs as they are, and every XML reader then turns them into spaces
//! (attribute-value normalisation, XML 1.0 §3.3.3), which would corrupt a
//! `PlainTextSelection@name` that quotes several lines. [`attr`] writes
//! them as character references instead.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::RefiError;

/// The deepest nesting read; deeper files are refused (a code tree of this
/// depth is not a codebook, and recursion over the tree stays bounded).
pub(crate) const MAX_DEPTH: usize = 256;

/// One element: its local name, attributes (local names), children and
/// the text directly inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    /// The local name (`TextSource`).
    pub name: String,
    /// Attributes by local name, values unescaped and normalised.
    pub attrs: Vec<(String, String)>,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// The text directly inside (entities resolved).
    pub text: String,
}

impl Element {
    /// Returns the attribute's value, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Returns the non-empty trimmed attribute value, if present.
    pub fn attr_nonempty(&self, name: &str) -> Option<&str> {
        self.attr(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Returns the children called `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Returns the first child called `name`.
    pub fn first(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Returns the text of the first child called `name`, if non-empty.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.first(name)
            .map(|e| e.text.clone())
            .filter(|t| !t.trim().is_empty())
    }
}

/// Returns the local part of a qualified name (`q:Code` → `Code`).
fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_owned(),
        None => name.to_owned(),
    }
}

fn attributes(start: &BytesStart<'_>) -> Vec<(String, String)> {
    start
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .filter(|a| a.key.0 != "xmlns" && !a.key.0.starts_with("xmlns:"))
        .map(|a| {
            let value = match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                Ok(v) => v.into_owned(),
                Err(_) => a.value.clone().into_owned(),
            };
            (local(a.key.0), value)
        })
        .collect()
}

/// Returns 1-based line and column of byte `offset` in `xml`.
fn position(xml: &str, offset: u64) -> String {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(xml.len());
    let before = xml.get(..offset).unwrap_or(xml);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}")
}

/// Parses `xml` (a UTF-8 document, BOM allowed) into its root element.
///
/// `file` names the document in errors.
pub(crate) fn parse(bytes: &[u8], file: &str) -> Result<Element, RefiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let xml = std::str::from_utf8(bytes).map_err(|e| RefiError::BadXml {
        file: file.to_owned(),
        reason: format!("it is not UTF-8 (byte {})", e.valid_up_to()),
    })?;
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    // The parser's reason quotes the file's bytes: kept on one line.
    let bad = |reason: String| RefiError::BadXml {
        file: file.to_owned(),
        reason: verbatim_ingest::one_line(&reason),
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| bad(format!("{e} at {}", position(xml, reader.error_position()))))?;
        let text: Option<Cow<'_, str>> = match &event {
            Event::Text(t) => Some(t.xml10_content()),
            Event::CData(t) => Some(t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(ch)) => Some(Cow::Owned(ch.to_string())),
                Ok(None) => match r.as_ref() {
                    "lt" => Some(Cow::Borrowed("<")),
                    "gt" => Some(Cow::Borrowed(">")),
                    "amp" => Some(Cow::Borrowed("&")),
                    "apos" => Some(Cow::Borrowed("'")),
                    "quot" => Some(Cow::Borrowed("\"")),
                    other => {
                        return Err(bad(format!(
                            "unknown entity &{}; at {}",
                            other,
                            position(xml, reader.buffer_position())
                        )));
                    }
                },
                Err(e) => return Err(bad(format!("{e}"))),
            },
            _ => None,
        };
        if let Some(text) = text {
            if let Some(top) = stack.last_mut() {
                top.text.push_str(&text);
            }
            continue;
        }
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(bad("there is more than one root element".into()));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(bad(format!(
                        "elements are nested more than {MAX_DEPTH} deep at {}",
                        position(xml, reader.buffer_position())
                    )));
                }
                stack.push(Element {
                    name: local(start.name().0),
                    attrs: attributes(&start),
                    ..Element::default()
                });
            }
            Event::Empty(start) => {
                let element = Element {
                    name: local(start.name().0),
                    attrs: attributes(&start),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(top) => top.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(bad("an end tag closes nothing".into()));
                };
                match stack.last_mut() {
                    Some(top) => top.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(bad(format!(
            "the document ends with {} element(s) still open",
            stack.len()
        )));
    }
    root.ok_or_else(|| bad("the document holds no element".into()))
}

/// Pushes `value` escaped for an attribute between double quotes.
pub(crate) fn attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out.push('"');
}

/// Pushes `value` escaped as element content.
pub(crate) fn text(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A literal CR would be read back as LF (end-of-line handling).
            '\r' => out.push_str("&#13;"),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Returns true for the characters XML 1.0 allows in a document.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_local_and_entities_resolved() {
        let xml = "\u{FEFF}<?xml version=\"1.0\"?>\r\n<q:Project xmlns:q=\"urn:QDA-XML:project:0:10\" \
                   name=\"a&amp;b&#10;c\"><q:Description>x &lt; y &#x1F600;</q:Description><Users/></q:Project>";
        let root = parse(xml.as_bytes(), "p.qde").unwrap();
        assert_eq!(root.name, "Project");
        assert_eq!(root.attr("name"), Some("a&b\nc"));
        assert_eq!(root.child_text("Description").unwrap(), "x < y 😀");
        assert_eq!(root.children[1].name, "Users");
    }

    #[test]
    fn broken_xml_says_where() {
        let err = parse(b"<Project>\n<Users></Project>", "project.qde").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("project.qde"), "{message}");
        assert!(message.contains("line 2"), "{message}");
    }

    /// Found by `tests/fuzz_readers.rs`: a closing tag cut by a line
    /// break was quoted as is, and the refusal ran over two lines.
    #[test]
    fn broken_xml_quoting_a_line_break_stays_one_line() {
        let err = parse(b"<Project><Users></Us\ners></Project>", "project.qde").unwrap_err();
        let message = err.to_string();
        assert!(!message.contains('\n'), "{message}");
        assert!(message.contains("Us\\ners"), "{message}");
    }

    #[test]
    fn escaped_attributes_read_back_exactly() {
        let value = "l1\nl2\r\n\t\"q\" <&> 😀";
        let mut out = String::from("<a");
        attr(&mut out, "name", value);
        out.push_str("/>");
        let root = parse(out.as_bytes(), "t").unwrap();
        assert_eq!(root.attr("name"), Some(value));
    }
}
