//! `verbatim report`: the study written up as a results section, tables, a
//! methods appendix and a COREQ checklist (HTML, Markdown, DOCX), or a
//! member-checking document for one participant.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use verbatim_report::report::{
    self, MemberOptions, Options, docx, html, layout, markdown, model::Lang,
};

use verbatim_report::ReportReads;
use verbatim_store_pg::PgStore;

use super::coder_arg::CoderArg;
use super::{Location, ProjectArg};

/// Write the study's report (results, tables, methods, COREQ) or a participant's member-checking document
#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// Report the team's consensus codebook (the shared codebook and its consensus passages) instead of your own (after `verbatim reveal`)
    #[arg(long)]
    shared: bool,
    /// The coders the agreement table compares, comma-separated [default: every coder]
    #[arg(long, value_delimiter = ',', value_name = "CODERS")]
    coders: Vec<String>,
    /// The participant attributes Table II shows, comma-separated, in order [default: every attribute]
    #[arg(long, value_delimiter = ',', value_name = "ATTRIBUTES")]
    table_columns: Vec<String>,
    /// How quotes are attributed: placeholders {code}, {site} and any participant attribute, e.g. '{code}, {occupation}, {site}' gives (CSI-1, nurse, CSAPA)
    #[arg(long, value_name = "TEMPLATE")]
    attribution: Option<String>,
    /// The format to write
    #[arg(long, value_enum)]
    format: ReportFormat,
    /// The file to write
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The report's language (labels, and the translations shown beside quotes): en (default) or fr;
    /// a member-checking document is in the participant's language unless given
    #[arg(long, value_name = "LANG")]
    language: Option<String>,
    /// Write a member-checking document for this participant: their themes and only their own words
    #[arg(long, value_name = "CODE")]
    participant: Option<String>,
    /// Quotes per theme when no passage is marked as an exemplar
    #[arg(long, default_value_t = 3, value_name = "N")]
    quotes: usize,
}

/// What `verbatim report` writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    /// One self-contained HTML file (inline style and figures, no network)
    Html,
    /// Markdown for pandoc; figures as SVG files beside it
    Md,
    /// A Word document with real styles
    Docx,
}

/// Gathers, lays out and writes the report.
pub fn cmd_report(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let lang = match args.language.as_deref() {
        None => None,
        Some(tag) => Some(Lang::from_tag(tag).with_context(|| {
            format!("--language {tag:?}: reports are written in English (en) or French (fr)")
        })?),
    };
    let (store, project) = open_for_report(&args.project)?;
    let store = &*store;
    let coder = match (args.coder.coder.as_deref(), args.shared) {
        (Some(_), _) => args.coder.name()?.to_owned(),
        // The shared codebook belongs to no coder: read it as the first
        // coder, whose scope sees every layer once the study is revealed.
        // The consensus layer is read through its own scope; the first
        // coder's is used for what reads the coders' layers (agreement,
        // divergences), which it sees once the study is revealed.
        (None, true) => match store.coders()?.into_iter().next() {
            Some(c) => c.name,
            None => bail!("the study has no coder yet: add one with `verbatim coder add NAME`"),
        },
        (None, false) => args.coder.name()?.to_owned(),
    };
    let doc = match &args.participant {
        Some(participant) => layout::member(&report::gather_member(
            store,
            &MemberOptions {
                coder,
                shared: args.shared,
                participant: participant.clone(),
                lang,
            },
        )?),
        None => {
            // Papers are mostly written in English: English unless asked.
            let lang = lang.unwrap_or(Lang::En);
            layout::report(&report::gather(
                store,
                &Options {
                    coder,
                    shared: args.shared,
                    lang,
                    quotes: args.quotes,
                    project,
                    coders: args.coders.iter().map(|c| c.trim().to_owned()).collect(),
                    table_columns: args.table_columns.clone(),
                    attribution: args.attribution.clone(),
                },
            )?)
        }
    };
    let mut extra = Vec::new();
    match args.format {
        ReportFormat::Html => write(&args.out, html::write(&doc).as_bytes())?,
        ReportFormat::Md => {
            let written = markdown::write(&doc);
            write(&args.out, written.text.as_bytes())?;
            let dir = args.out.parent().unwrap_or(Path::new("."));
            for (name, svg) in &written.files {
                let path = dir.join(name);
                write(&path, svg.as_bytes())?;
                extra.push(path);
            }
        }
        ReportFormat::Docx => write(&args.out, &docx::write(&doc)?)?,
    }
    println!(
        "Wrote {} ({} numbers traced to {} commands).",
        args.out.display(),
        count_numbers(&doc),
        doc.commands.len()
    );
    for path in extra {
        println!("Wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens the study, a file or a PostgreSQL one, for what a report (and a
/// translator's round trip) reads; returns it with how the report's
/// command lines name it: the path as given, or the PostgreSQL address as
/// messages show it, without its password.
pub(super) fn open_for_report(
    project: &ProjectArg,
) -> anyhow::Result<(Box<dyn ReportReads>, String)> {
    Ok(match project.location()? {
        Location::File(path) => (Box::new(project.open()?), path.display().to_string()),
        Location::Postgres(address) => {
            let shown = address.to_string();
            (Box::new(PgStore::open(&address)?), shown)
        }
    })
}

/// Writes `coder`'s report on the study as one HTML file, in English, and
/// returns how many numbers it traces to commands (`verbatim demo --report`).
pub fn html_report(
    store: &verbatim_store::SqliteStore,
    project: &Path,
    coder: &str,
    shared: bool,
    out: &Path,
) -> anyhow::Result<usize> {
    let doc = layout::report(&report::gather(
        store,
        &Options {
            coder: coder.to_owned(),
            shared,
            lang: Lang::En,
            project: project.display().to_string(),
            ..Options::default()
        },
    )?);
    write(out, html::write(&doc).as_bytes())?;
    Ok(count_numbers(&doc))
}

/// Writes `bytes` to `path` through a temporary file beside it, so a failed
/// write never leaves half a report where a good one was.
fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let tmp = path.with_extension("vbt-report.tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .with_context(|| {
            let _ = std::fs::remove_file(&tmp);
            format!(
                "could not write {}: check that {} exists and is writable",
                path.display(),
                dir.map_or_else(|| "the current folder".into(), |d| d.display().to_string())
            )
        })
}

fn count_numbers(doc: &layout::Document) -> usize {
    doc.blocks
        .iter()
        .map(|b| match b {
            layout::Block::Paragraph(inlines) => inlines
                .iter()
                .filter(|i| matches!(i, layout::Inline::Number { .. }))
                .count(),
            layout::Block::Table(t) => t
                .rows
                .iter()
                .flatten()
                .filter(|c| c.command.is_some())
                .count(),
            _ => 0,
        })
        .sum()
}
