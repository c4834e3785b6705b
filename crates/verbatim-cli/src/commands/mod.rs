//! The command-line interface: one module per subcommand.
//!
//! Every command that reads or writes a study takes `--project PATH` (or the
//! `VERBATIM_PROJECT` variable); every read command takes `--json`.

mod account;
mod agreement;
mod agreement_domains;
mod agreement_text;
mod align;
mod attribute;
mod code;
mod coder;
mod coder_arg;
mod coding;
mod confront;
mod cooccurrence;
mod copy;
mod deidentify;
mod demo;
mod demo_coding;
mod demo_consensus;
mod demo_people;
mod disagreements;
mod evidence;
mod export;
mod export_refi;
mod export_sheet;
mod figure;
mod guide;
mod history;
mod import;
mod import_codebook;
mod import_project;
mod init;
mod ipa_table;
mod journal;
mod matrix;
mod media;
mod memo;
mod participants;
mod pg_coding;
mod query;
mod reconcile;
mod reconcile_merge;
mod reliability;
mod report;
mod reveal;
mod saturation;
mod search;
mod serve;
mod show;
mod sites;
mod source;
mod sources;
mod speakers;
mod study;
mod translations;
mod triangulation;
mod withdraw;
mod words;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use verbatim_store::{
    Codebook, CodebookEdits, Coders, CodingEdits, Codings, Journal, Memos, Participants,
    SqliteStore, Store,
};
use verbatim_store_pg::{PgAddress, PgStore};

/// Qualitative data analysis for research teams: transcripts in, themes out
#[derive(Parser, Debug)]
#[command(name = "verbatim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a new, empty study file
    Init(init::InitArgs),
    /// Import transcripts (files or folders) into a study
    Import(import::ImportArgs),
    /// List the sources of a study
    Sources(sources::SourcesArgs),
    /// Show one source's text and speaker turns
    Show(show::ShowArgs),
    /// Build the demo study from the bundled sample transcripts
    Demo(demo::DemoArgs),
    /// Add or list the coders of a study
    Coder(coder::CoderArgs),
    /// Build and reshape theme trees: add, rename, move, merge, split, delete codes
    Code(code::CodeArgs),
    /// Code passages, list codings, mark quotes and attach translations
    Coding(coding::CodingArgs),
    /// Open every coder's work to every coder, for comparison
    Reveal(reveal::RevealArgs),
    /// Declare the study solo (one researcher, several coder names), or show its layers' state
    Study(study::StudyArgs),
    /// Undo your last changes
    Undo(history::UndoArgs),
    /// Redo your last undone changes
    Redo(history::UndoArgs),
    /// Show the study's history, newest first
    Log(history::LogArgs),
    /// Write and read memos on the study, sources, participants, codes, codings
    Memo(memo::MemoArgs),
    /// Keep the reflexive journal: notes, sealed preconceptions, links to codes
    Journal(journal::JournalArgs),
    /// Correct a source's text, mark it done, set its collection date
    Source(source::SourceArgs),
    /// Recordings beside sources: attach, list, detach
    Media(media::MediaArgs),
    /// Participants: add, import a roster, assign codes, attributes, consent, table
    Participants(participants::ParticipantsArgs),
    /// Sites and the short codes pseudonyms carry
    Sites(sites::SitesArgs),
    /// Speaker labels of transcripts mapped to participants or interviewers
    Speakers(speakers::SpeakersArgs),
    /// Interview guides: versions, the version each source used, autocoding answers
    Guide(guide::GuideArgs),
    /// Typed attributes of participants and sources
    Attribute(attribute::AttributeArgs),
    /// Judge thematic saturation (Guest, Namey & Chen 2020), per coder and per site
    Saturation(saturation::SaturationArgs),
    /// Show each theme's support across sites, occupations and data modes
    Triangulation(triangulation::TriangulationArgs),
    /// Print IPA tables: themes per participant with quotes, then themes × participants
    #[command(name = "ipa-table")]
    IpaTable(ipa_table::IpaTableArgs),
    /// Confront sealed preconceptions with the themes that emerged
    Confront(confront::ConfrontArgs),
    /// De-identify: replace real names from a names file, check, list candidates
    Deidentify(deidentify::DeidentifyArgs),
    /// List the passages only one of two coders coded with a code
    Disagreements(disagreements::DisagreementsArgs),
    /// Match two coders' theme trees by the passages they cover
    Align(align::AlignArgs),
    /// Build the shared codebook step by step: accept, merge, keep, passages
    Reconcile(reconcile::ReconcileArgs),
    /// Intercoder agreement (alpha, kappas, AC1, percent) from a CSV of ratings; no study needed
    Reliability(reliability::ReliabilityArgs),
    /// Compare coders on their shared codes: character and segment agreement, kappas
    Agreement(agreement::AgreementArgs),
    /// Passages answering a coding query: AND, OR, NOT, NEAR/N, PRECEDES
    #[command(long_about = query::QUERY_HELP)]
    Query(query::QueryArgs),
    /// Codes × sites, kinds, coders or attribute values, with drill-down
    Matrix(matrix::MatrixArgs),
    /// Codes × codes: passages where codes meet, and Jaccard index
    Cooccurrence(cooccurrence::CooccurrenceArgs),
    /// Export the study to REFI-QDA (.qdpx, .qdc) or a spreadsheet (.csv, .xlsx)
    Export(export::ExportArgs),
    /// Import a REFI-QDA project (.qdpx, .qde) as a new study or as one coder's layer
    #[command(name = "import-project")]
    ImportProject(import_project::ImportProjectArgs),
    /// Search the text (stemmed, French and English) with KWIC lines; auto-code hits
    #[command(long_about = search::LONG_ABOUT)]
    Search(search::SearchArgs),
    /// The most frequent words of participants' speech
    Words(words::WordsArgs),
    /// Write the study's report (HTML, Markdown, DOCX) or a participant's member-checking document
    Report(report::ReportArgs),
    /// Write a figure as standalone SVG: theme tree, saturation, triangulation, alignment
    Figure(figure::FigureArgs),
    /// Send the report's quotes to a translator (XLIFF 2.0, CSV); attach the translations back
    Translations(translations::TranslationsArgs),
    /// Open the study in the browser: read, code, edit themes, search
    Serve(serve::ServeArgs),
    /// Copy a whole study, history included, to a new file or PostgreSQL study
    Copy(copy::CopyArgs),
    /// Manage team accounts: add, list, roles, passwords, invitations
    Account(account::AccountArgs),
    /// Internal: read one PDF or workbook from stdin, write what it holds
    /// to stdout (the child process every PDF and workbook is read in)
    #[command(name = "internal-extract", hide = true)]
    InternalExtract {
        /// The parser: pdf or workbook
        parser: String,
    },
}

/// The study a command works on.
#[derive(Args, Debug, Clone)]
pub struct ProjectArg {
    /// The study file (.vbt), or postgres://USER@HOST:PORT/DB?study=NAME
    #[arg(
        long,
        short = 'p',
        env = "VERBATIM_PROJECT",
        value_name = "PATH",
        global = true
    )]
    pub project: Option<PathBuf>,
}

/// What verbatim can do on a PostgreSQL study so far, as error messages say it.
pub const ON_POSTGRES: &str = "init, import, import codebook, sources, show, coder add|list, code add|tree|rename|describe|move|merge|split|delete|link|kind|levels|copy|translate, coding add|list|remove|quote|translate|memo|span, undo, redo, reveal, reconcile, journal add|seal|link|list|edit|delete|verify, memo add|list|edit|delete, sites add|list, participants add|list|import|set|rename|consent|assign|scheme|table|withdraw, attribute add|list|set|rename-value|merge-values|delete, speakers list|map|rename|import, guide add|list|use|autocode, source edit|done|redetect|remove|set, study solo|status, search (with --autocode), agreement, disagreements, query, matrix, cooccurrence, saturation, words, triangulation, ipa-table, confront, align, figure, report (with --participant), translations export|import, export, import-project, log, account add|list|role|remove|password|invite|log, deidentify apply|check|candidates, media attach|list|detach, copy and serve";

/// What the commands that run on both backends need of a study.
pub trait Study:
    Store + Coders + Codebook + Codings + Journal + Memos + Participants + CodebookEdits + CodingEdits
{
}

impl<T> Study for T where
    T: Store
        + Coders
        + Codebook
        + Codings
        + Journal
        + Memos
        + Participants
        + CodebookEdits
        + CodingEdits
{
}

/// What the analysis commands (matrix, co-occurrence, saturation, words,
/// triangulation, IPA tables, confront, align, figure) read, on both backends.
pub trait Analysis: Study + verbatim_store::AnalysisReads + verbatim_store::AgreementReads {}

impl<T: Study + verbatim_store::AnalysisReads + verbatim_store::AgreementReads> Analysis for T {}

/// Where a study lives: a file, or a PostgreSQL server.
pub enum Location<'a> {
    /// A SQLite study file.
    File(&'a std::path::Path),
    /// A study on a PostgreSQL server.
    Postgres(Box<PgAddress>),
}

impl ProjectArg {
    /// Returns where the study lives, or a clear error when none was given
    /// or the PostgreSQL address is malformed.
    pub fn location(&self) -> anyhow::Result<Location<'_>> {
        let path = self.project.as_deref().ok_or_else(|| {
            anyhow::anyhow!("say which study: pass --project PATH or set VERBATIM_PROJECT")
        })?;
        match path.to_str() {
            Some(word) if PgAddress::is_postgres(word) => {
                Ok(Location::Postgres(Box::new(word.parse()?)))
            }
            _ => Ok(Location::File(path)),
        }
    }

    /// Returns the study's file, or a clear error when none was given or the
    /// study is on a PostgreSQL server (which this command cannot use yet).
    pub fn path(&self) -> anyhow::Result<&std::path::Path> {
        match self.location()? {
            Location::File(path) => Ok(path),
            Location::Postgres(address) => anyhow::bail!(
                "{address} is a PostgreSQL study, and this command works on study files only for now: on PostgreSQL, verbatim can {ON_POSTGRES}"
            ),
        }
    }

    /// Returns the study, file or PostgreSQL, for the commands that need only
    /// the `Store` trait.
    pub fn open_any(&self) -> anyhow::Result<Box<dyn Store>> {
        Ok(match self.location()? {
            Location::File(_) => Box::new(self.open()?),
            Location::Postgres(address) => Box::new(PgStore::open(&address)?),
        })
    }

    /// Returns the study, file or PostgreSQL, for the commands that run on
    /// both through the store's traits.
    pub fn open_study(&self) -> anyhow::Result<Box<dyn Study>> {
        Ok(match self.location()? {
            Location::File(_) => Box::new(self.open()?),
            Location::Postgres(address) => Box::new(PgStore::open(&address)?),
        })
    }

    /// Returns the study, file or PostgreSQL, for the analysis commands.
    pub fn open_analysis(&self) -> anyhow::Result<Box<dyn Analysis>> {
        Ok(match self.location()? {
            Location::File(_) => Box::new(self.open()?),
            Location::Postgres(address) => Box::new(PgStore::open(&address)?),
        })
    }

    /// Returns the study opened for reading and writing.
    pub fn open(&self) -> anyhow::Result<SqliteStore> {
        let path = self.path()?;
        let store = SqliteStore::open(path)?;
        if let Some(backup) = store.upgrade_backup() {
            eprintln!(
                "Upgraded {} to the current study format; the previous version is kept as {}.",
                path.display(),
                backup.display()
            );
        }
        Ok(store)
    }
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Init(args) => init::cmd_init(&args),
        Command::Import(args) => import::cmd_import(&args),
        Command::Sources(args) => sources::cmd_sources(&args),
        Command::Show(args) => show::cmd_show(&args),
        Command::Demo(args) => demo::cmd_demo(&args),
        Command::Coder(args) => coder::cmd_coder(&args),
        Command::Account(args) => account::cmd_account(&args),
        Command::Code(args) => code::cmd_code(&args),
        Command::Coding(args) => coding::cmd_coding(&args),
        Command::Reveal(args) => reveal::cmd_reveal(&args),
        Command::Study(args) => study::cmd_study(&args),
        Command::Undo(args) => history::cmd_undo(&args),
        Command::Redo(args) => history::cmd_redo(&args),
        Command::Log(args) => history::cmd_log(&args),
        Command::Memo(args) => memo::cmd_memo(&args),
        Command::Journal(args) => journal::cmd_journal(&args),
        Command::Source(args) => source::cmd_source(&args),
        Command::Media(args) => media::cmd_media(&args),
        Command::Participants(args) => participants::cmd_participants(&args),
        Command::Sites(args) => sites::cmd_sites(&args),
        Command::Speakers(args) => speakers::cmd_speakers(&args),
        Command::Guide(args) => guide::cmd_guide(&args),
        Command::Attribute(args) => attribute::cmd_attribute(&args),
        Command::Saturation(args) => saturation::cmd_saturation(&args),
        Command::Triangulation(args) => triangulation::cmd_triangulation(&args),
        Command::IpaTable(args) => ipa_table::cmd_ipa_table(&args),
        Command::Confront(args) => confront::cmd_confront(&args),
        Command::Deidentify(args) => deidentify::cmd_deidentify(&args),
        Command::Disagreements(args) => disagreements::cmd_disagreements(&args),
        Command::Align(args) => align::cmd_align(&args),
        Command::Reconcile(args) => reconcile::cmd_reconcile(&args),
        Command::Reliability(args) => reliability::cmd_reliability(&args),
        Command::Agreement(args) => agreement::cmd_agreement(&args),
        Command::Query(args) => query::cmd_query(&args),
        Command::Matrix(args) => matrix::cmd_matrix(&args),
        Command::Cooccurrence(args) => cooccurrence::cmd_cooccurrence(&args),
        Command::Search(args) => search::cmd_search(&args),
        Command::Words(args) => words::cmd_words(&args),
        Command::Export(args) => export::cmd_export(&args),
        Command::Report(args) => report::cmd_report(&args),
        Command::Figure(args) => figure::cmd_figure(&args),
        Command::Translations(args) => translations::cmd_translations(&args),
        Command::ImportProject(args) => import_project::cmd_import_project(&args),
        Command::Serve(args) => serve::cmd_serve(&args),
        Command::Copy(args) => copy::cmd_copy(&args),
        Command::InternalExtract { parser } => {
            verbatim_ingest::serve_child(
                &parser,
                std::io::stdin().lock(),
                std::io::stdout().lock(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    // As an io::Error, so that main sees a broken pipe for what it is.
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .context("could not write JSON")?;
    writeln!(out)?;
    Ok(())
}
