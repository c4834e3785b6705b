//! The Markdown writer, clean for pandoc: ATX headings, pipe tables,
//! blockquotes for quotes, figures as separate SVG files beside the `.md`.
//!
//! Numbers carry a reference to the commands list as a pandoc superscript
//! (`7/24^3^`); the list itself closes the methods appendix. Text from the
//! study is escaped where Markdown would read it as markup.

use super::layout::{Block, Document, Inline};
use super::model::{Cell, Table};

/// A written Markdown document and the figure files it links to.
pub struct Written {
    /// The Markdown text.
    pub text: String,
    /// `(file name, SVG)` for each figure, to write beside the document.
    pub files: Vec<(String, String)>,
}

/// Returns the document as Markdown, with its figures as separate files.
pub fn write(doc: &Document) -> Written {
    let mut out = String::with_capacity(64 * 1024);
    let mut files = Vec::new();
    out.push_str(&format!("# {}\n\n", one_line(&doc.title)));
    out.push_str(&format!("*{}*\n\n", escape(&doc.subtitle)));
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                let hashes = "#".repeat(usize::from(*level + 1).min(6));
                out.push_str(&format!("{hashes} {}\n\n", one_line(text)));
            }
            Block::Paragraph(inlines) => {
                inline(&mut out, doc, inlines);
                out.push_str("\n\n");
            }
            Block::Quote(q) => {
                for line in q.text.lines() {
                    out.push_str(&format!("> {}\n", escape(line.trim_end())));
                }
                out.push_str(&format!(">\n> {}", escape(&q.cite)));
                if q.untranslated {
                    out.push_str(&format!(" **\\[{}\\]**", doc.words().untranslated));
                }
                out.push('\n');
                if let Some(t) = &q.translation {
                    out.push_str(&format!(
                        ">\n> *{}: {}*\n",
                        doc.words().translation,
                        escape(&one_line(t))
                    ));
                }
                out.push('\n');
            }
            Block::Table(t) => table(&mut out, doc, t),
            Block::Figure(f) => {
                let name = format!("{}.svg", f.stem);
                out.push_str(&format!("![{}]({name})\n\n", escape(&one_line(&f.caption))));
                files.push((name, f.svg.clone()));
            }
            Block::Commands => {
                for (i, c) in doc.commands.iter().enumerate() {
                    out.push_str(&format!("{}. `{}`\n", i + 1, c.as_str()));
                }
                out.push('\n');
            }
        }
    }
    if !files.is_empty() {
        out.push_str(&format!("*{}*\n", doc.words().figure_note));
    }
    Written { text: out, files }
}

fn inline(out: &mut String, doc: &Document, inlines: &[Inline]) {
    for i in inlines {
        match i {
            Inline::Text(t) => out.push_str(&escape(t)),
            Inline::Strong(t) => {
                let t = t.trim_end();
                out.push_str(&format!("**{}** ", escape(t)));
            }
            Inline::Code(t) => out.push_str(&format!("`{t}`")),
            Inline::Number { text, command } => {
                out.push_str(&format!("{}^{}^", escape(text), doc.reference(command)));
            }
        }
    }
}

fn table(out: &mut String, doc: &Document, t: &Table) {
    out.push_str(&format!("Table: {}\n\n", escape(&one_line(&t.caption))));
    let row = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    out.push_str(&row(t
        .header
        .iter()
        .map(|h| {
            if h.is_empty() {
                " ".into()
            } else {
                cell_text(h)
            }
        })
        .collect()));
    out.push_str(&row(t.header.iter().map(|_| "---".to_owned()).collect()));
    for r in &t.rows {
        out.push_str(&row(r.iter().map(|c| cell(doc, c)).collect()));
    }
    out.push('\n');
    if let Some(note) = &t.note {
        out.push_str(&format!("{}\n\n", escape(note)));
    }
}

fn cell(doc: &Document, c: &Cell) -> String {
    let text = cell_text(&c.text);
    match &c.command {
        Some(command) if !c.text.is_empty() => format!("{text}^{}^", doc.reference(command)),
        _ => text,
    }
}

/// Returns text fit for one pipe-table cell: pipes escaped, line breaks
/// as `<br>` (which pandoc keeps in HTML and drops elsewhere), leading
/// spaces kept as non-breaking ones so indented rows stay indented.
fn cell_text(text: &str) -> String {
    let trimmed = text.trim_start_matches(' ');
    let indent = "\u{a0}".repeat(text.len() - trimmed.len());
    format!(
        "{indent}{}",
        escape(trimmed).replace('|', "\\|").replace('\n', "<br>")
    )
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes the characters Markdown would read as markup inside text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '^' | '~' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
