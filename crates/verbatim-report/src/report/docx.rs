//! The DOCX writer (docx-rs), with real Word styles so authors restyle the
//! report from their journal's template instead of by hand: Title,
//! Subtitle, Heading1–4, Caption above each table, Quote for quotes, a
//! table style with a repeated header row, and a superscript character
//! style for references to the commands list.
//!
//! Figures: docx-rs embeds only bitmap pictures and Word's SVG support
//! needs a PNG fallback we do not draw, so a figure is written as its
//! caption and its text description (alt text); the SVG files come with
//! the HTML and Markdown reports.
//!
//! docx-rs has no switch for a table's header row (`w:tblHeader`), which
//! makes Word repeat the row on every page and tells screen readers what
//! the columns are; header rows are built with `cantSplit` only, and
//! [`mark_header_rows`] adds `w:tblHeader` beside it in the built XML.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BreakType, Docx, LineSpacing, Paragraph, Run, RunFonts, Shading, Style,
    StyleType, Table as DocxTable, TableCell, TableRow, VertAlignType, WidthType,
};

use super::ReportError;
use super::layout::{Block, Document, Inline};
use super::model::{Cell, Quote, Table};

/// Returns the document as DOCX bytes.
pub fn write(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let mut docx = styles(Docx::new())
        .add_paragraph(para("Title").add_run(Run::new().add_text(&doc.title)))
        .add_paragraph(para("Subtitle").add_run(Run::new().add_text(&doc.subtitle)));
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                let style = format!("Heading{}", level.clamp(&1, &4));
                docx = docx.add_paragraph(para(&style).add_run(Run::new().add_text(text)));
            }
            Block::Paragraph(inlines) => {
                docx = docx.add_paragraph(inline(para("Normal"), doc, inlines));
            }
            Block::Quote(q) => {
                for p in quote(doc, q) {
                    docx = docx.add_paragraph(p);
                }
            }
            Block::Table(t) => {
                docx = docx.add_paragraph(
                    para("Caption")
                        .keep_next(true)
                        .add_run(Run::new().add_text(&t.caption)),
                );
                docx = docx.add_table(table(doc, t));
                if let Some(note) = &t.note {
                    docx = docx.add_paragraph(para("TableNote").add_run(Run::new().add_text(note)));
                }
            }
            Block::Figure(f) => {
                docx = docx
                    .add_paragraph(para("Caption").add_run(Run::new().add_text(&f.caption)))
                    .add_paragraph(para("Normal").add_run(Run::new().add_text(&f.alt)));
            }
            Block::Commands => {
                for (i, c) in doc.commands.iter().enumerate() {
                    docx = docx.add_paragraph(
                        para("Command")
                            .add_run(Run::new().add_text(format!("[{}] ", i + 1)))
                            .add_run(Run::new().add_text(c.as_str())),
                    );
                }
            }
        }
    }
    let mut built = docx.build();
    built.document = mark_header_rows(&built.document);
    let mut bytes = Cursor::new(Vec::new());
    built
        .pack(&mut bytes)
        .map_err(|e| ReportError::Docx(e.to_string()))?;
    Ok(bytes.into_inner())
}

fn para(style: &str) -> Paragraph {
    Paragraph::new().style(style)
}

/// Adds the report's Word styles to `docx`, on Cambria 11 pt, in the
/// order Word lists them.
fn styles(docx: Docx) -> Docx {
    let docx = docx
        .default_fonts(
            RunFonts::new()
                .ascii("Cambria")
                .hi_ansi("Cambria")
                .cs("Cambria"),
        )
        .default_size(22);
    body_styles(title_and_heading_styles(docx))
        .add_style(reference_style())
        .add_style(table_style())
}

/// Normal, the normal table, Title, Subtitle and Heading1–4.
fn title_and_heading_styles(docx: Docx) -> Docx {
    docx.add_style(
        Style::new("Normal", StyleType::Paragraph)
            .name("Normal")
            .q_format(true)
            .line_spacing(LineSpacing::new().after(120)),
    )
    .add_style(
        Style::new("TableNormal", StyleType::Table)
            .name("Normal Table")
            .semi_hidden(),
    )
    .add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .next("Subtitle")
            .q_format(true)
            .size(40)
            .bold(),
    )
    .add_style(
        Style::new("Subtitle", StyleType::Paragraph)
            .name("Subtitle")
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .italic()
            .color("555555"),
    )
    .add_style(heading_style(1, 32))
    .add_style(heading_style(2, 28))
    .add_style(heading_style(3, 25))
    .add_style(heading_style(4, 23))
}

/// Word's `Heading{level}` style, `size` in half-points, at outline level
/// `level - 1` so the navigation pane lists it.
fn heading_style(level: usize, size: usize) -> Style {
    Style::new(format!("Heading{level}"), StyleType::Paragraph)
        .name(format!("heading {level}"))
        .based_on("Normal")
        .next("Normal")
        .q_format(true)
        .bold()
        .size(size)
        .color("1F3A5F")
        .outline_lvl(level - 1)
        .line_spacing(LineSpacing::new().before(240).after(80))
}

/// The styles of the body around the text: Caption, Quote, Quote
/// Attribution, Table Note and Command.
fn body_styles(docx: Docx) -> Docx {
    docx.add_style(
        Style::new("Caption", StyleType::Paragraph)
            .name("caption")
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .bold()
            .size(20)
            .line_spacing(LineSpacing::new().before(200).after(80)),
    )
    .add_style(
        Style::new("Quote", StyleType::Paragraph)
            .name("Quote")
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .italic()
            .indent(Some(720), None, Some(720), None),
    )
    .add_style(
        Style::new("QuoteAttribution", StyleType::Paragraph)
            .name("Quote Attribution")
            .based_on("Normal")
            .next("Normal")
            .size(20)
            .align(AlignmentType::Right)
            .indent(Some(720), None, Some(720), None),
    )
    .add_style(
        Style::new("TableNote", StyleType::Paragraph)
            .name("Table Note")
            .based_on("Normal")
            .size(18)
            .color("444444"),
    )
    .add_style(
        Style::new("Command", StyleType::Paragraph)
            .name("Command")
            .based_on("Normal")
            .size(18)
            .fonts(RunFonts::new().ascii("Consolas").hi_ansi("Consolas")),
    )
}

/// The superscript character style of a reference to the commands list.
fn reference_style() -> Style {
    let mut reference = Style::new("Reference", StyleType::Character).name("Number reference");
    reference.run_property = reference
        .run_property
        .vert_align(VertAlignType::SuperScript);
    reference
}

/// The report's table style: the normal table in 9 pt.
fn table_style() -> Style {
    let mut table_style = Style::new("ReportTable", StyleType::Table)
        .name("Report Table")
        .based_on("TableNormal");
    table_style.run_property = table_style.run_property.size(18);
    table_style
}

fn text_run(text: &str) -> Run {
    // Line breaks inside a cell or quote become Word line breaks.
    let mut run = Run::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

fn reference(n: usize) -> Run {
    Run::new().style("Reference").add_text(format!("[{n}]"))
}

fn inline(mut p: Paragraph, doc: &Document, inlines: &[Inline]) -> Paragraph {
    for i in inlines {
        p = match i {
            Inline::Text(t) => p.add_run(text_run(t)),
            Inline::Strong(t) => p.add_run(text_run(t).bold()),
            Inline::Code(t) => p.add_run(
                Run::new()
                    .add_text(t)
                    .fonts(RunFonts::new().ascii("Consolas").hi_ansi("Consolas")),
            ),
            Inline::Number { text, command } => p
                .add_run(Run::new().add_text(text))
                .add_run(reference(doc.reference(command))),
        };
    }
    p
}

fn quote(doc: &Document, q: &Quote) -> Vec<Paragraph> {
    let mut out = vec![para("Quote").add_run(text_run(&q.text))];
    if let Some(t) = &q.translation {
        out.push(
            para("Quote")
                .add_run(Run::new().add_text(format!("{}: ", doc.words().translation)))
                .add_run(text_run(t)),
        );
    }
    let mut by = para("QuoteAttribution").add_run(Run::new().add_text(&q.cite));
    if q.untranslated {
        by = by.add_run(
            Run::new()
                .bold()
                .add_text(format!(" [{}]", doc.words().untranslated)),
        );
    }
    out.push(by);
    out
}

fn cell(doc: &Document, c: &Cell, header: bool) -> TableCell {
    let mut p = para("Normal").add_run(if header {
        text_run(&c.text).bold()
    } else {
        text_run(&c.text)
    });
    if let Some(command) = &c.command
        && !c.text.is_empty()
    {
        p = p.add_run(reference(doc.reference(command)));
    }
    let cell = TableCell::new().add_paragraph(p);
    if header {
        cell.shading(Shading::new().fill("E8ECF2"))
    } else {
        cell
    }
}

fn table(doc: &Document, t: &Table) -> DocxTable {
    let header = TableRow::new(
        t.header
            .iter()
            .map(|h| cell(doc, &Cell::text(h.clone()), true))
            .collect(),
    )
    .cant_split();
    let mut rows = vec![header];
    for r in &t.rows {
        rows.push(TableRow::new(
            r.iter().map(|c| cell(doc, c, false)).collect(),
        ));
    }
    DocxTable::new(rows)
        .style("ReportTable")
        .width(5000, WidthType::Pct)
}

/// Adds `<w:tblHeader/>` to every table row that has `<w:cantSplit/>`:
/// only header rows are built with it (see the module docs).
fn mark_header_rows(document: &[u8]) -> Vec<u8> {
    let xml = String::from_utf8_lossy(document);
    let mut out = String::with_capacity(xml.len() + 1024);
    let mut rest: &str = &xml;
    while let Some(at) = rest.find("<w:cantSplit") {
        let Some(close) = rest[at..].find("/>") else {
            break;
        };
        let end = at + close + 2;
        out.push_str(&rest[..end]);
        out.push_str("<w:tblHeader />");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.into_bytes()
}
