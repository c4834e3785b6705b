//! The text of a Taguette document, and Taguette's positions in it.
//!
//! Taguette stores each document as HTML and counts a highlight's
//! `start_offset`/`end_offset` in UTF-8 bytes of the document's text nodes
//! only, as html5lib parses them (`taguette/extract.py`): tags count
//! nothing, entities count as the characters they stand for, and a CRLF
//! or lone CR is one line feed. Paragraphs therefore run together in
//! Taguette's count ("a" `</p><p>` "b" is "ab"), so the text verbatim
//! stores puts a line break where a block ends, and [`HtmlText::place`]
//! maps Taguette's positions onto it.

/// Elements that end a line when they open or close.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Named character references decoded; others stay as written.
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("hellip", '…'),
    ("rsquo", '’'),
    ("lsquo", '‘'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("ndash", '–'),
    ("mdash", '—'),
    ("eacute", 'é'),
    ("egrave", 'è'),
    ("agrave", 'à'),
    ("ccedil", 'ç'),
    ("euro", '€'),
];

/// A document's text as verbatim stores it, with the map from Taguette's
/// positions.
#[derive(Debug, Clone)]
pub struct HtmlText {
    /// The text nodes, with a line break where a block ends.
    pub text: String,
    /// The text nodes alone, as Taguette counts them.
    nodes: String,
    /// Byte offset in `nodes` of each of its chars, then its length.
    starts: Vec<usize>,
    /// Char positions in `nodes` before which `text` has a line break
    /// Taguette does not count, ascending.
    breaks: Vec<usize>,
    /// Byte offset in `text` of each of its chars, then its length.
    text_starts: Vec<usize>,
}

impl HtmlText {
    /// Reads the text out of a document's HTML.
    pub fn parse(html: &str) -> Self {
        let mut out = Self {
            text: String::new(),
            nodes: String::new(),
            starts: Vec::new(),
            breaks: Vec::new(),
            text_starts: Vec::new(),
        };
        let mut pending = false;
        walk(html, &mut |piece| match piece {
            Piece::Char(c) => {
                if std::mem::take(&mut pending)
                    && c != '\n'
                    && !out.text.is_empty()
                    && !out.text.ends_with('\n')
                {
                    out.text_starts.push(out.text.len());
                    out.text.push('\n');
                    out.breaks.push(out.starts.len());
                }
                out.starts.push(out.nodes.len());
                out.nodes.push(c);
                out.text_starts.push(out.text.len());
                out.text.push(c);
            }
            Piece::Block => pending = true,
        });
        out.starts.push(out.nodes.len());
        out.text_starts.push(out.text.len());
        out
    }

    /// Returns the chars `start..end` of [`HtmlText::text`] (as
    /// [`HtmlText::place`] gives them).
    pub fn slice(&self, start: usize, end: usize) -> Option<&str> {
        let (s, e) = (*self.text_starts.get(start)?, *self.text_starts.get(end)?);
        self.text.get(s..e)
    }

    /// Returns the char index in the text nodes of a Taguette byte offset,
    /// `None` when it is past the end or inside a char.
    fn node_char(&self, byte: i64) -> Option<usize> {
        let b = usize::try_from(byte).ok()?;
        self.starts.binary_search(&b).ok()
    }

    /// Returns the text nodes between two Taguette offsets: the text
    /// Taguette's snippet of that highlight holds.
    pub fn node_slice(&self, start: i64, end: i64) -> Option<&str> {
        let (s, e) = (self.node_char(start)?, self.node_char(end)?);
        (s < e).then(|| &self.nodes[self.starts[s]..self.starts[e]])
    }

    /// Returns the char range in [`HtmlText::text`] of a highlight: a
    /// start on a block's end goes after the line break, an end before it.
    pub fn place(&self, start: i64, end: i64) -> Option<(usize, usize)> {
        let (s, e) = (self.node_char(start)?, self.node_char(end)?);
        if s >= e {
            return None;
        }
        let s = s + self.breaks.partition_point(|&b| b <= s);
        let e = e + self.breaks.partition_point(|&b| b < e);
        Some((s, e))
    }
}

/// Returns the text nodes of an HTML fragment (a Taguette snippet).
pub fn nodes_text(html: &str) -> String {
    let mut out = String::new();
    walk(html, &mut |piece| {
        if let Piece::Char(c) = piece {
            out.push(c);
        }
    });
    out
}

/// What the walk over the HTML meets.
enum Piece {
    /// A char of a text node.
    Char(char),
    /// A block element's start or end.
    Block,
}

/// Walks `html`, giving each text char (entities decoded, line ends made
/// `\n`) and each block boundary; tags, comments and declarations give
/// nothing else.
fn walk(html: &str, emit: &mut dyn FnMut(Piece)) {
    let chars: Vec<char> = html.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '<' => match tag_at(&chars, i) {
                Some((next, block)) => {
                    if block {
                        emit(Piece::Block);
                    }
                    i = next;
                }
                None => {
                    emit(Piece::Char('<'));
                    i += 1;
                }
            },
            '&' => {
                let (c, next) = entity_at(&chars, i);
                emit(Piece::Char(c));
                i = next;
            }
            '\r' => {
                emit(Piece::Char('\n'));
                i += if chars.get(i + 1) == Some(&'\n') {
                    2
                } else {
                    1
                };
            }
            c => {
                emit(Piece::Char(c));
                i += 1;
            }
        }
    }
}

/// Returns where the markup starting at `chars[at] == '<'` ends, and
/// whether it opens or closes a block; `None` when the `<` is text.
fn tag_at(chars: &[char], at: usize) -> Option<(usize, bool)> {
    let rest = &chars[at + 1..];
    if rest.starts_with(&['!', '-', '-']) {
        let mut j = at + 4;
        while j < chars.len() && !chars[j..].starts_with(&['-', '-', '>']) {
            j += 1;
        }
        return Some(((j + 3).min(chars.len()), false));
    }
    let name_from = match rest.first() {
        Some('/') => at + 2,
        Some('!') | Some('?') => {
            let end = chars[at..].iter().position(|&c| c == '>');
            return Some((end.map_or(chars.len(), |p| at + p + 1), false));
        }
        _ => at + 1,
    };
    if !chars
        .get(name_from)
        .is_some_and(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let mut j = name_from;
    while j < chars.len() && chars[j].is_ascii_alphanumeric() {
        j += 1;
    }
    let name: String = chars[name_from..j]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    // The rest of the tag, quoted attribute values included.
    let mut quote: Option<char> = None;
    while j < chars.len() {
        match (quote, chars[j]) {
            (None, '>') => break,
            (None, q @ ('"' | '\'')) => quote = Some(q),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        j += 1;
    }
    Some(((j + 1).min(chars.len()), BLOCKS.contains(&name.as_str())))
}

/// Decodes the character reference at `chars[at] == '&'`; an unknown or
/// unterminated one is the `&` itself.
fn entity_at(chars: &[char], at: usize) -> (char, usize) {
    let end = chars[at + 1..]
        .iter()
        .take(32)
        .position(|&c| c == ';')
        .map(|p| at + 1 + p);
    let Some(end) = end else {
        return ('&', at + 1);
    };
    let body: String = chars[at + 1..end].iter().collect();
    let decoded = if let Some(num) = body.strip_prefix('#') {
        let value = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        value.and_then(char::from_u32)
    } else {
        ENTITIES.iter().find(|(n, _)| *n == body).map(|(_, c)| *c)
    };
    match decoded {
        Some(c) => (c, end + 1),
        None => ('&', at + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_become_lines_and_positions_skip_the_breaks() {
        let t = HtmlText::parse("<p>Ça va</p><p>tr&egrave;s <b>bien</b> 👍</p>");
        assert_eq!(t.text, "Ça va\ntrès bien 👍");
        // Taguette's text nodes: "Ça va" (6 bytes: Ç is 2) then "très"…
        // "très" starts at byte 6; "bien" at 6 + "très " (6 bytes) = 12.
        assert_eq!(t.node_slice(6, 11), Some("très"));
        // In verbatim's text "très" starts after the line break: char 6.
        assert_eq!(t.place(6, 11), Some((6, 10)));
        assert_eq!(t.slice(6, 10), Some("très"));
        assert_eq!(t.place(12, 16), Some((11, 15)));
        // A highlight ending at the paragraph's end stops before the break;
        // "Ça va" is bytes 0..6, chars 0..5.
        assert_eq!(t.place(0, 6), Some((0, 5)));
        // The emoji (4 bytes) after "bien " (bytes 16..17): 17..21.
        assert_eq!(t.place(17, 21), Some((16, 17)));
        // Inside the emoji's bytes: no position.
        assert_eq!(t.place(18, 21), None);
    }

    #[test]
    fn crlf_counts_once_and_entities_as_their_characters() {
        let t = HtmlText::parse("<p>a &amp; b\r\nc &lt;d&gt;</p>\n<p>e</p>");
        // The "\n" between the paragraphs is a text node: no extra break.
        assert_eq!(t.text, "a & b\nc <d>\ne");
        assert_eq!(t.node_slice(2, 3), Some("&"));
        assert_eq!(nodes_text("<p>c &lt;d</p>"), "c <d");
        assert_eq!(
            nodes_text("a < b &unknown; <!-- x --> c"),
            "a < b &unknown;  c"
        );
    }
}
