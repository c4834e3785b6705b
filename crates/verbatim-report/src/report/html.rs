//! The HTML writer: one self-contained file.
//!
//! Everything is inline — the style sheet, the SVG figures — and nothing
//! refers outside the file: no script, no web font, no link but in-page
//! anchors (`#cmd-3`), so the report opens the same offline, in an archive
//! or attached to an e-mail. Each number carries its command twice: as a
//! `title` (shown on hover) and as a footnote reference to the numbered
//! commands list of the methods appendix.

use super::layout::{Block, Document, Inline};
use super::model::{Cell, Quote, Table};

const STYLE: &str = "\
body{font-family:Georgia,'Times New Roman',serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1d1d1f}\
h1,h2,h3,h4{font-family:Helvetica,Arial,sans-serif;line-height:1.25}\
h1.title{font-size:1.9rem;margin-bottom:.2rem}p.subtitle{color:#555;margin-top:0}\
h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.2rem}\
blockquote{margin:1rem 0 1rem 1.5rem;padding:.2rem 1rem;border-left:3px solid #8a9bb0;font-style:italic}\
blockquote .by{display:block;font-style:normal;font-size:.9rem;color:#444}\
blockquote .tr{display:block;font-style:normal;color:#333;margin-top:.4rem}\
table{border-collapse:collapse;margin:1rem 0;font-size:.88rem;width:100%}\
caption{text-align:left;font-weight:bold;padding-bottom:.4rem}\
th,td{border:1px solid #bbb;padding:.25rem .45rem;vertical-align:top;text-align:left}\
th{background:#eef1f5}td.hash{word-break:break-all;font-family:monospace;font-size:.8rem}\
.n{border-bottom:1px dotted #777;cursor:help}sup a{text-decoration:none;font-size:.7rem}\
ol.commands code{font-size:.8rem;word-break:break-all}p.note{font-size:.85rem;color:#444}\
mark.untranslated{background:#fde8c8;font-weight:bold}figure{margin:1.5rem 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.9rem;color:#333}";

/// Returns the document as one HTML file.
pub fn write(doc: &Document) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"");
    out.push_str(doc.lang.tag());
    out.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    out.push_str(&escape(&doc.title));
    out.push_str("</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<h1 class=\"title\">");
    out.push_str(&escape(&doc.title));
    out.push_str("</h1>\n<p class=\"subtitle\">");
    out.push_str(&escape(&doc.subtitle));
    out.push_str("</p>\n");
    let mut figures = 0;
    for block in &doc.blocks {
        match block {
            // Section headings are h2 (the title is the page's h1).
            Block::Heading { level, text } => {
                let h = (level + 1).min(6);
                out.push_str(&format!("<h{h}>{}</h{h}>\n", escape(text)));
            }
            Block::Paragraph(inlines) => {
                out.push_str("<p>");
                inline(&mut out, doc, inlines);
                out.push_str("</p>\n");
            }
            Block::Quote(q) => quote(&mut out, doc, q),
            Block::Table(t) => table(&mut out, doc, t),
            Block::Figure(f) => {
                figures += 1;
                out.push_str("<figure>\n");
                out.push_str(&unique_ids(f.svg.trim(), figures));
                out.push_str(&format!(
                    "\n<figcaption>{}</figcaption>\n</figure>\n",
                    escape(&f.caption)
                ));
            }
            Block::Commands => {
                out.push_str("<ol class=\"commands\">\n");
                for (i, c) in doc.commands.iter().enumerate() {
                    out.push_str(&format!(
                        "<li id=\"cmd-{}\"><code>{}</code></li>\n",
                        i + 1,
                        escape(c.as_str())
                    ));
                }
                out.push_str("</ol>\n");
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn inline(out: &mut String, doc: &Document, inlines: &[Inline]) {
    for i in inlines {
        match i {
            Inline::Text(t) => out.push_str(&escape(t)),
            Inline::Strong(t) => out.push_str(&format!("<strong>{}</strong>", escape(t))),
            Inline::Code(t) => out.push_str(&format!("<code>{}</code>", escape(t))),
            Inline::Number { text, command } => number(out, doc, text, command),
        }
    }
}

fn number(out: &mut String, doc: &Document, text: &str, command: &super::model::Command) {
    let n = doc.reference(command);
    out.push_str(&format!(
        "<span class=\"n\" title=\"{}\">{}</span><sup><a href=\"#cmd-{n}\">{n}</a></sup>",
        escape(command.as_str()),
        escape(text)
    ));
}

fn quote(out: &mut String, doc: &Document, q: &Quote) {
    let lang = q
        .language
        .as_deref()
        .map(|l| format!(" lang=\"{}\"", escape(l)))
        .unwrap_or_default();
    out.push_str(&format!("<blockquote{lang}>"));
    out.push_str(&lines(&q.text));
    out.push_str(&format!("<span class=\"by\">{}", escape(&q.cite)));
    if q.untranslated {
        out.push_str(&format!(
            " <mark class=\"untranslated\">[{}]</mark>",
            escape(doc.words().untranslated)
        ));
    }
    out.push_str("</span>");
    if let Some(t) = &q.translation {
        out.push_str(&format!(
            "<span class=\"tr\" lang=\"{}\">{}: {}</span>",
            doc.lang.tag(),
            escape(doc.words().translation),
            lines(t)
        ));
    }
    out.push_str("</blockquote>\n");
}

fn table(out: &mut String, doc: &Document, t: &Table) {
    out.push_str(&format!(
        "<table id=\"{}\">\n<caption>{}</caption>\n<thead><tr>",
        escape(&t.id),
        escape(&t.caption)
    ));
    for h in &t.header {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let class = if t.header.get(i).is_some_and(|h| h == "SHA-256") {
                " class=\"hash\""
            } else {
                ""
            };
            out.push_str(&format!("<td{class}>"));
            cell(out, doc, c);
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if let Some(note) = &t.note {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", escape(note)));
    }
}

fn cell(out: &mut String, doc: &Document, c: &Cell) {
    match &c.command {
        Some(command) if !c.text.is_empty() => {
            let n = doc.reference(command);
            out.push_str(&format!(
                "<span class=\"n\" title=\"{}\">{}</span><sup><a href=\"#cmd-{n}\">{n}</a></sup>",
                escape(command.as_str()),
                lines(&c.text)
            ));
        }
        _ => out.push_str(&lines(&c.text)),
    }
}

/// Returns an SVG figure with its element ids made unique in the page:
/// every figure names its title `figure-title`, and HTML ids (which
/// `aria-labelledby` follows) must not repeat.
fn unique_ids(svg: &str, n: usize) -> String {
    svg.replace("figure-title", &format!("figure-{n}-title"))
        .replace("figure-desc", &format!("figure-{n}-desc"))
}

/// Escapes text and keeps its line breaks.
fn lines(text: &str) -> String {
    escape(text).replace('\n', "<br>")
}

/// Escapes text for element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
