//! The files the reports page offers, each made in memory by the library
//! function the matching CLI command calls: `verbatim report` (gather, lay
//! out, write HTML, Markdown or DOCX), `verbatim figure` (tree, saturation,
//! triangulation) and `verbatim export` (REFI-QDA, spreadsheets), with the
//! command's default options.
//!
//! Reports are made in two steps: gathered and laid out from the study
//! ([`make`], [`member`], [`report_doc`]), which needs the store, then
//! written to HTML, DOCX or Markdown ([`Gathered::write`]), which does
//! not: the handlers run the second step after releasing the store, so
//! rendering a long report holds up no other request.

use crate::Backend;
use std::io::{Cursor, Write};

use verbatim_exchange::refi::{self, Target};
use verbatim_exchange::sheets::SheetError;
use verbatim_exchange::sheets::codebook_out::{BookChoice, codebook_table};
use verbatim_exchange::sheets::csv_out::{CsvOptions, write_csv};
use verbatim_exchange::sheets::segments::{SegmentFilter, segments_table};
use verbatim_exchange::sheets::xlsx_out::write_xlsx;
use verbatim_report::figures::{FigureError, heatmap, saturation, tree};
use verbatim_report::report::layout::{self, Document};
use verbatim_report::report::model::Lang;
use verbatim_report::report::{self, MemberOptions, Options, ReportError, docx, html, markdown};
use verbatim_store::{Book, Scope};
use zip::write::SimpleFileOptions;

use super::{Acting, slug};
use crate::WebError;

/// Quotes per theme when none is marked as an exemplar (the CLI's default).
const QUOTES: usize = 3;

/// The triangulation heat map's columns when none is chosen (the CLI's
/// default), else the study's first participant attribute.
const ATTRIBUTE: &str = "occupation";

const HTML: &str = "text/html; charset=utf-8";
const MARKDOWN: &str = "text/markdown; charset=utf-8";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const ZIP: &str = "application/zip";
const SVG: &str = "image/svg+xml";
const XML: &str = "application/xml";
const CSV: &str = "text/csv; charset=utf-8";

/// The sections of the page's download list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The report in its three formats.
    Report,
    /// The figures as standalone SVG.
    Figure,
    /// The exports for other software.
    Export,
}

/// A file of the download list (the member-checking document, which names
/// a participant, has its own route).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    /// The self-contained HTML report.
    ReportHtml,
    /// The Markdown report and its figures, zipped.
    ReportMarkdown,
    /// The Word report.
    ReportDocx,
    /// The theme tree.
    Tree,
    /// The saturation curve.
    Saturation,
    /// The triangulation heat map.
    Triangulation,
    /// The REFI-QDA project.
    Qdpx,
    /// The REFI-QDA codebook.
    Qdc,
    /// The coded segments as CSV.
    SegmentsCsv,
    /// The coded segments as a workbook.
    SegmentsXlsx,
    /// The codebook as CSV.
    CodebookCsv,
    /// The codebook as a workbook.
    CodebookXlsx,
}

impl Download {
    /// Every download, in the page's order.
    pub const ALL: [Download; 12] = [
        Download::ReportHtml,
        Download::ReportMarkdown,
        Download::ReportDocx,
        Download::Tree,
        Download::Saturation,
        Download::Triangulation,
        Download::Qdpx,
        Download::Qdc,
        Download::SegmentsCsv,
        Download::SegmentsXlsx,
        Download::CodebookCsv,
        Download::CodebookXlsx,
    ];

    /// Returns its name in `/reports/download/{name}` and in the file name.
    pub fn name(self) -> &'static str {
        match self {
            Download::ReportHtml => "report.html",
            Download::ReportMarkdown => "report-markdown.zip",
            Download::ReportDocx => "report.docx",
            Download::Tree => "theme-tree.svg",
            Download::Saturation => "saturation.svg",
            Download::Triangulation => "triangulation.svg",
            Download::Qdpx => "project.qdpx",
            Download::Qdc => "codebook.qdc",
            Download::SegmentsCsv => "segments.csv",
            Download::SegmentsXlsx => "segments.xlsx",
            Download::CodebookCsv => "codebook.csv",
            Download::CodebookXlsx => "codebook.xlsx",
        }
    }

    /// Returns the download named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Returns what the link says.
    pub fn label(self) -> &'static str {
        match self {
            Download::ReportHtml => "Report (one self-contained page)",
            Download::ReportMarkdown => "Report for pandoc, with its figures",
            Download::ReportDocx => "Report for Word and LibreOffice",
            Download::Tree => "Theme tree",
            Download::Saturation => "Saturation curve",
            Download::Triangulation => "Triangulation heat map",
            Download::Qdpx => "Project for NVivo, ATLAS.ti, MAXQDA, QualCoder",
            Download::Qdc => "Codebook for NVivo, ATLAS.ti, MAXQDA",
            Download::SegmentsCsv | Download::SegmentsXlsx => "Coded segments",
            Download::CodebookCsv | Download::CodebookXlsx => "Codebook",
        }
    }

    /// Returns the format's short name shown beside the link.
    pub fn kind(self) -> &'static str {
        match self {
            Download::ReportHtml => "HTML",
            Download::ReportMarkdown => "Markdown (.zip)",
            Download::ReportDocx => "DOCX",
            Download::Tree | Download::Saturation | Download::Triangulation => "SVG",
            Download::Qdpx => "QDPX",
            Download::Qdc => "QDC",
            Download::SegmentsCsv | Download::CodebookCsv => "CSV",
            Download::SegmentsXlsx | Download::CodebookXlsx => "XLSX",
        }
    }

    /// Returns the link's element id.
    pub fn id(self) -> &'static str {
        match self {
            Download::ReportHtml => "dl-report-html",
            Download::ReportMarkdown => "dl-report-md",
            Download::ReportDocx => "dl-report-docx",
            Download::Tree => "dl-tree",
            Download::Saturation => "dl-saturation",
            Download::Triangulation => "dl-triangulation",
            Download::Qdpx => "dl-qdpx",
            Download::Qdc => "dl-qdc",
            Download::SegmentsCsv => "dl-segments-csv",
            Download::SegmentsXlsx => "dl-segments-xlsx",
            Download::CodebookCsv => "dl-codebook-csv",
            Download::CodebookXlsx => "dl-codebook-xlsx",
        }
    }

    /// Returns the section it is listed in.
    pub fn group(self) -> Group {
        match self {
            Download::ReportHtml | Download::ReportMarkdown | Download::ReportDocx => Group::Report,
            Download::Tree | Download::Saturation | Download::Triangulation => Group::Figure,
            _ => Group::Export,
        }
    }
}

/// A document format (report or member-checking document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    /// One self-contained HTML file.
    Html,
    /// Markdown (zipped with its figures when it has any).
    Markdown,
    /// Word.
    Docx,
}

impl DocFormat {
    /// Returns the format a form asked for (`html` by default).
    pub fn parse(value: Option<&str>) -> Result<Self, WebError> {
        match value.map(str::trim) {
            None | Some("" | "html") => Ok(DocFormat::Html),
            Some("md") => Ok(DocFormat::Markdown),
            Some("docx") => Ok(DocFormat::Docx),
            Some(other) => Err(WebError::BadRequest(format!(
                "format {other:?}: documents are written as html, md or docx"
            ))),
        }
    }
}

/// A file made for a download.
pub struct Made {
    /// Its file name, after the study's name.
    pub name: String,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A download gathered from the study, written or still to be written.
pub enum Gathered {
    /// A file already made (figures and exports: drawn while reading).
    Made(Made),
    /// A document laid out, to be written as `stem` in `format`.
    Doc {
        /// The laid-out document.
        doc: Document,
        /// How to write it.
        format: DocFormat,
        /// Its file name without extension.
        stem: String,
    },
    /// The report laid out, to be written as Markdown and zipped (always
    /// the zip the link promises, even without figures).
    MarkdownZip(Document),
}

impl Gathered {
    /// Writes the file; needs no store.
    pub fn write(self) -> Result<Made, WebError> {
        match self {
            Gathered::Made(made) => Ok(made),
            Gathered::Doc { doc, format, stem } => write_doc(&doc, format, &stem),
            Gathered::MarkdownZip(doc) => Ok(Made {
                name: Download::ReportMarkdown.name().to_owned(),
                content_type: ZIP,
                bytes: markdown_zip("report", &markdown::write(&doc))?,
            }),
        }
    }
}

/// Returns the attribute the heat map spreads its columns over by default.
pub fn default_attribute(attributes: &[String]) -> Option<String> {
    attributes
        .iter()
        .find(|a| *a == ATTRIBUTE)
        .or_else(|| attributes.first())
        .cloned()
}

/// Returns the report laid out, as `verbatim report` does it: English
/// unless asked, three quotes per theme when none is marked.
pub fn report_doc(
    store: &dyn Backend,
    acting: &Acting,
    lang: Option<Lang>,
) -> Result<Document, WebError> {
    let project = store.project_name();
    let report = report::gather(
        store,
        &Options {
            coder: acting.coder.clone(),
            shared: acting.shared,
            lang: lang.unwrap_or(Lang::En),
            quotes: QUOTES,
            project,
            ..Options::default()
        },
    )
    .map_err(report_error)?;
    Ok(layout::report(&report))
}

/// Returns one file of the download list, made or gathered.
pub fn make(
    store: &dyn Backend,
    acting: &Acting,
    what: Download,
    lang: Option<Lang>,
    by: Option<&str>,
) -> Result<Gathered, WebError> {
    let scope = store.scope(&acting.coder, acting.shared, false)?;
    let book = if acting.shared {
        Book::Shared
    } else {
        Book::Own
    };
    let doc = |format| -> Result<Gathered, WebError> {
        Ok(Gathered::Doc {
            doc: report_doc(store, acting, lang)?,
            format,
            stem: "report".into(),
        })
    };
    let (content_type, bytes) = match what {
        Download::ReportHtml => return doc(DocFormat::Html),
        Download::ReportMarkdown => {
            return Ok(Gathered::MarkdownZip(report_doc(store, acting, lang)?));
        }
        Download::ReportDocx => return doc(DocFormat::Docx),
        Download::Tree => (SVG, tree_svg(store, &scope, book)?),
        Download::Saturation => (SVG, saturation_svg(store, &scope)?),
        Download::Triangulation => (SVG, heatmap_svg(store, &scope, book, by)?),
        Download::Qdpx => (ZIP, qdpx_bytes(store, &scope)?),
        Download::Qdc => (XML, qdc_bytes(store, &scope, acting.shared)?),
        Download::SegmentsCsv | Download::SegmentsXlsx => {
            let table = segments_table(
                store,
                &scope,
                SegmentFilter {
                    shared_only: acting.shared,
                },
            )
            .map_err(sheet_error)?;
            sheet(&table, what)?
        }
        Download::CodebookCsv | Download::CodebookXlsx => {
            let choice = BookChoice {
                book,
                label: if acting.shared {
                    "shared".into()
                } else {
                    scope.coder().name.clone()
                },
            };
            let table = codebook_table(store, &scope, &[choice]).map_err(sheet_error)?;
            sheet(&table, what)?
        }
    };
    Ok(Gathered::Made(Made {
        name: what.name().to_owned(),
        content_type,
        bytes,
    }))
}

/// Draws the codebook's tree as SVG, refusing a codebook with no code.
fn tree_svg(store: &dyn Backend, scope: &Scope, book: Book) -> Result<Vec<u8>, WebError> {
    let figure =
        tree::gather(store, scope, book, &tree::TreeOptions::default()).map_err(figure_error)?;
    if figure.nodes.is_empty() {
        return Err(WebError::BadRequest(
            "this codebook has no code to draw: add codes on the Codes page".into(),
        ));
    }
    Ok(tree::draw(&figure).into_bytes())
}

/// Draws the acting coder's saturation curve as SVG.
fn saturation_svg(store: &dyn Backend, scope: &Scope) -> Result<Vec<u8>, WebError> {
    let whose = scope.coder().clone();
    let figure = saturation::gather(
        store,
        scope,
        &whose,
        &saturation::SaturationOptions::default(),
    )
    .map_err(figure_error)?;
    Ok(saturation::draw(&figure).into_bytes())
}

/// Draws the triangulation heat map as SVG, its columns the participant
/// attribute `by` (else the default one), refusing a study with none.
fn heatmap_svg(
    store: &dyn Backend,
    scope: &Scope,
    book: Book,
    by: Option<&str>,
) -> Result<Vec<u8>, WebError> {
    let attributes: Vec<String> = store
        .attributes(verbatim_store::AppliesTo::Participant)?
        .into_iter()
        .map(|a| a.name)
        .collect();
    let attribute = match by {
        Some(by) => by.to_owned(),
        None => default_attribute(&attributes).ok_or_else(|| {
            WebError::BadRequest(
                "the heat map spreads themes over a participant attribute, and this \
                 study has none: add one on the Participants page"
                    .into(),
            )
        })?,
    };
    let level = store.level_rank_of("theme")?;
    let figure =
        heatmap::gather(store, scope, book, level, &attribute, false).map_err(figure_error)?;
    Ok(heatmap::draw(&figure).into_bytes())
}

/// Exports the study the scope sees as a REFI-QDA project (`.qdpx`).
fn qdpx_bytes(store: &dyn Backend, scope: &Scope) -> Result<Vec<u8>, WebError> {
    let snapshot = store.snapshot(scope)?;
    let exported = refi::export_project(&snapshot, Target::Refi, &origin());
    Ok(refi::write_qdpx(Cursor::new(Vec::new()), &exported)
        .map_err(|e| WebError::Internal(e.to_string()))?
        .into_inner())
}

/// Exports the codebook shown (the shared one, else the acting coder's)
/// as a REFI-QDA codebook (`.qdc`).
fn qdc_bytes(store: &dyn Backend, scope: &Scope, shared: bool) -> Result<Vec<u8>, WebError> {
    let snapshot = store.snapshot(scope)?;
    let owner = (!shared).then(|| scope.coder().id);
    let (xml, _report) = refi::export_codebook(&snapshot, owner, &origin());
    Ok(xml.into_bytes())
}

/// Returns a member-checking document laid out, as `verbatim report
/// --participant` lays it out: in the participant's language unless asked.
pub fn member(
    store: &dyn Backend,
    acting: &Acting,
    participant: &str,
    lang: Option<Lang>,
    format: DocFormat,
) -> Result<Gathered, WebError> {
    let gathered = report::gather_member(
        store,
        &MemberOptions {
            coder: acting.coder.clone(),
            shared: acting.shared,
            participant: participant.to_owned(),
            lang,
        },
    )
    .map_err(report_error)?;
    Ok(Gathered::Doc {
        doc: layout::member(&gathered),
        format,
        stem: format!("member-check-{}", slug(participant)),
    })
}

/// Writes a document as `stem.html`, `stem.docx`, or `stem.md` (zipped
/// with its figures, when it has any, as `stem-markdown.zip`).
fn write_doc(doc: &Document, format: DocFormat, stem: &str) -> Result<Made, WebError> {
    Ok(match format {
        DocFormat::Html => Made {
            name: format!("{stem}.html"),
            content_type: HTML,
            bytes: html::write(doc).into_bytes(),
        },
        DocFormat::Docx => Made {
            name: format!("{stem}.docx"),
            content_type: DOCX,
            bytes: docx::write(doc).map_err(report_error)?,
        },
        DocFormat::Markdown => {
            let written = markdown::write(doc);
            if written.files.is_empty() {
                Made {
                    name: format!("{stem}.md"),
                    content_type: MARKDOWN,
                    bytes: written.text.into_bytes(),
                }
            } else {
                Made {
                    name: format!("{stem}-markdown.zip"),
                    content_type: ZIP,
                    bytes: markdown_zip(stem, &written)?,
                }
            }
        }
    })
}

/// Returns `stem.md` and the figure files it links to (by bare file name,
/// so they sit beside it) as one zip, the folder `verbatim report --format
/// md` would have written.
fn markdown_zip(stem: &str, written: &markdown::Written) -> Result<Vec<u8>, WebError> {
    let failed = |e: &dyn std::fmt::Display| {
        WebError::Internal(format!("could not pack the Markdown report: {e}"))
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    zip.start_file(format!("{stem}.md"), options)
        .map_err(|e| failed(&e))?;
    zip.write_all(written.text.as_bytes())
        .map_err(|e| failed(&e))?;
    for (name, svg) in &written.files {
        zip.start_file(name.as_str(), options)
            .map_err(|e| failed(&e))?;
        zip.write_all(svg.as_bytes()).map_err(|e| failed(&e))?;
    }
    Ok(zip.finish().map_err(|e| failed(&e))?.into_inner())
}

/// Writes a table as CSV (UTF-8 with BOM, commas: what the CLI writes by
/// default) or XLSX.
fn sheet(
    table: &verbatim_exchange::sheets::Table,
    what: Download,
) -> Result<(&'static str, Vec<u8>), WebError> {
    let mut bytes = Vec::new();
    if matches!(what, Download::SegmentsXlsx | Download::CodebookXlsx) {
        write_xlsx(&[table], &mut bytes).map_err(sheet_error)?;
        Ok((XLSX, bytes))
    } else {
        let options = CsvOptions {
            bom: true,
            separator: b',',
        };
        write_csv(table, options, &mut bytes).map_err(sheet_error)?;
        Ok((CSV, bytes))
    }
}

/// The `origin` attribute of REFI-QDA files, as the CLI writes it.
fn origin() -> String {
    format!("verbatim {}", env!("CARGO_PKG_VERSION"))
}

fn report_error(e: ReportError) -> WebError {
    match e {
        ReportError::Store(e) => WebError::Store(e),
        e @ ReportError::SharedNeedsReveal => WebError::Forbidden(e.to_string()),
        e @ ReportError::UnknownParticipant(_) => WebError::NotFound(e.to_string()),
        e @ ReportError::NotHeard(_) => WebError::BadRequest(e.to_string()),
        ReportError::Figure(e) => figure_error(e),
        e => WebError::Internal(e.to_string()),
    }
}

fn figure_error(e: FigureError) -> WebError {
    match e {
        FigureError::Store(e) => WebError::Store(e),
        e @ (FigureError::Invalid(_) | FigureError::UnknownCode { .. }) => {
            WebError::BadRequest(e.to_string())
        }
        e => WebError::Internal(e.to_string()),
    }
}

fn sheet_error(e: SheetError) -> WebError {
    match e {
        SheetError::Store(e) => WebError::Store(e),
        e => WebError::Internal(e.to_string()),
    }
}
