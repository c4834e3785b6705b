//! `verbatim demo`: a ready-made study from the bundled sample transcripts.
//!
//! The transcripts (written for verbatim; see `demo/README.md`) are embedded
//! in the binary, read with the same importers as `verbatim import`, and
//! stored with the kind, site, language and date the manifest gives. The
//! sites, participant roster and speaker mappings follow (`demo_people`);
//! then three coders write and seal their preconceptions, code
//! independently (`demo_coding`), and link their preconceptions to their
//! themes, write journal notes and memos (`demo_people` again). Unless
//! `--blind` is given, the team then reveals its layers and builds its
//! consensus codebook (`demo_consensus`). Any failure removes the
//! half-built study.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;
use verbatim_core::{Format, Language, SourceKind};
use verbatim_ingest::{FileReport, Options, read_bytes};
use verbatim_store::{ImportItem, ImportOutcome, SqliteStore, Store, StudySettings};

use super::import::print_report;
use super::{demo_coding, demo_consensus, demo_people};
use crate::ui;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));
}

/// The title that marks a study as the demo, which `demo` may rebuild.
const DEMO_TITLE: &str = "Demo: Relation soignant–usager en addictologie";

/// Build the demo study from the bundled sample transcripts
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where to write the demo study
    #[arg(
        long,
        short = 'p',
        env = "VERBATIM_PROJECT",
        default_value = "verbatim-demo.vbt"
    )]
    project: PathBuf,
    /// Also write the report on the demo (HTML, one self-contained file)
    /// to this path: the team's consensus, or with --blind the first
    /// coder's own layer
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    /// Stop before the reveal: the three coders' layers stay blind and the
    /// study has no consensus yet
    #[arg(long)]
    blind: bool,
}

#[derive(Deserialize)]
struct ManifestEntry {
    file: String,
    kind: SourceKind,
    site: String,
    language: Language,
    #[serde(default)]
    title: Option<String>,
}

/// Builds (or rebuilds) the demo study and lists its sources.
pub fn cmd_demo(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    if let Some(word) = args
        .project
        .to_str()
        .filter(|w| verbatim_store_pg::PgAddress::is_postgres(w))
    {
        let shown = word
            .parse::<verbatim_store_pg::PgAddress>()
            .map_or_else(|_| "a PostgreSQL study".to_owned(), |a| a.to_string());
        bail!(
            "the demo is built in a study file, not at {shown}: run `verbatim demo --project demo.vbt`, then `verbatim copy demo.vbt` to that address"
        );
    }
    let manifest: Vec<ManifestEntry> = serde_json::from_str(embedded::DEMO_MANIFEST)
        .context("the bundled demo manifest is malformed")?;
    if manifest.is_empty() {
        bail!("this build of verbatim carries no demo transcripts");
    }
    // Read every transcript before touching the disk, so a failure leaves
    // no half-built demo behind.
    let items = read_transcripts(&manifest)?;
    let files: Vec<String> = manifest.iter().map(|e| e.file.clone()).collect();
    replace_previous_demo(&args.project)?;
    let settings = StudySettings {
        title: DEMO_TITLE.to_owned(),
        language: "fr".parse().ok(),
    };
    let mut store = SqliteStore::create(&args.project, &settings, &ui::actor())?;
    let outcomes = store.import_batch(&ui::actor(), items)?;
    let ids: HashMap<String, i64> = files
        .iter()
        .zip(&outcomes)
        .filter_map(|(file, outcome)| match outcome {
            ImportOutcome::Imported { id, .. } => Some((file.clone(), *id)),
            ImportOutcome::Duplicate { .. } => None,
        })
        .collect();
    let built = match build_layers(&mut store, &ids, args.blind) {
        Ok(done) => done,
        Err(err) => {
            drop(store);
            replace_previous_demo(&args.project)?;
            return Err(err.context("the demo study was not written"));
        }
    };
    print_report(&file_reports(files, outcomes), false)?;
    println!();
    print_summary(&built);
    print_next_steps(args, &built.0);
    if let (Some(c), Some(out)) = (built.0.first(), &args.report) {
        // The team's consensus once it exists; a blind demo has only
        // each coder's own layer, so the first coder's is reported.
        let shared = !args.blind;
        let numbers = super::report::html_report(&store, &args.project, &c.name, shared, out)?;
        let whose = if shared {
            "the team's consensus".to_owned()
        } else {
            format!("{}'s", c.name)
        };
        println!();
        println!(
            "Wrote {}: {whose} results, tables, methods and COREQ checklist ({numbers} numbers traced to commands); open it in a browser.",
            out.display(),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads every bundled transcript the manifest lists, with the importers
/// `verbatim import` uses.
fn read_transcripts(manifest: &[ManifestEntry]) -> anyhow::Result<Vec<ImportItem>> {
    let mut items = Vec::new();
    for entry in manifest {
        let Some((_, bytes)) = embedded::DEMO_FILES
            .iter()
            .find(|(name, _)| *name == entry.file)
        else {
            bail!(
                "the demo manifest names {} but the file is not bundled",
                entry.file
            );
        };
        let format =
            verbatim_ingest::format_of(std::path::Path::new(&entry.file)).unwrap_or(Format::Txt);
        let source = read_bytes(&entry.file, format, bytes, &Options::default())
            .with_context(|| format!("demo transcript {}", entry.file))?;
        let name = entry.title.clone().unwrap_or_else(|| stem(&entry.file));
        items.push(ImportItem {
            name,
            original_path: Some(PathBuf::from(&entry.file)),
            kind: entry.kind,
            site: Some(entry.site.clone()),
            language: Some(entry.language.clone()),
            source,
        });
    }
    Ok(items)
}

/// The import report's line for each bundled file.
fn file_reports(files: Vec<String>, outcomes: Vec<ImportOutcome>) -> Vec<FileReport> {
    files
        .into_iter()
        .zip(outcomes)
        .map(|(file, outcome)| match outcome {
            ImportOutcome::Imported { id, name } => {
                FileReport::imported(file, id, name, None, Vec::new())
            }
            ImportOutcome::Duplicate { existing } => FileReport::duplicate(file, existing),
        })
        .collect()
}

/// Prints each coder's layer, the consensus and the study's counts.
fn print_summary((coders, consensus, summary): &Built) {
    for c in coders {
        println!(
            "coder {}: {} codes, {} codings, {} quotes ({} translated)",
            c.name, c.codes, c.codings, c.quotes, c.translations
        );
    }
    if let Some(c) = consensus {
        println!(
            "consensus: {} codes from {} team decisions (revealed, merged across coders)",
            c.codes, c.decisions
        );
    }
    let sites: Vec<String> = summary
        .by_site
        .iter()
        .map(|(site, n)| format!("{site} {n}"))
        .collect();
    println!();
    println!(
        "{} participants ({}), {} coders, {} codes, {} codings, {} sealed preconceptions, {} journal notes, {} memos.",
        summary.participants,
        sites.join(", "),
        summary.coders,
        summary.codes,
        summary.codings,
        summary.sealed,
        summary.notes,
        summary.memos
    );
}

/// Prints the commands to try next on the demo study.
fn print_next_steps(args: &DemoArgs, coders: &[demo_coding::CoderSummary]) {
    let p = args.project.display();
    println!();
    println!("Demo study written to {p}. Try:");
    println!("  verbatim sources --project {p}");
    println!("  verbatim show --project {p} 1");
    if let Some(c) = coders.first() {
        println!("  verbatim code tree --project {p} --coder {}", c.name);
        println!("  verbatim coding list --project {p} --coder {}", c.name);
        println!("  verbatim journal list --project {p} --coder {}", c.name);
    }
    println!("  verbatim participants table --project {p} --by site");
    if let Some(c) = coders.first() {
        println!("  verbatim serve --project {p} --coder {} --open", c.name);
    }
}

/// What the demo built: each coder's layer, the consensus (unless blind),
/// and the study's counts.
type Built = (
    Vec<demo_coding::CoderSummary>,
    Option<demo_consensus::ConsensusSummary>,
    demo_people::Summary,
);

/// Adds everything after the import, in the order a team works: people,
/// sealed preconceptions, coding, links, notes and memos, then (unless
/// `blind`) the reveal and the consensus.
fn build_layers(
    store: &mut SqliteStore,
    ids: &HashMap<String, i64>,
    blind: bool,
) -> anyhow::Result<Built> {
    let actor = ui::actor();
    demo_people::add_people(store, &actor, embedded::DEMO_SITES, embedded::DEMO_ROSTER)?;
    demo_coding::add_coders(store, &actor, embedded::DEMO_CODING)?;
    let written = demo_people::write_preconceptions(store, embedded::DEMO_JOURNAL)?;
    let coders = demo_coding::apply(store, &actor, embedded::DEMO_CODING, ids)?;
    demo_people::reflect(
        store,
        &written,
        embedded::DEMO_JOURNAL,
        embedded::DEMO_MEMOS,
        ids,
    )?;
    let consensus = if blind {
        None
    } else {
        Some(demo_consensus::apply(store, embedded::DEMO_CONSENSUS, ids)?)
    };
    let summary = demo_people::summary(store)?;
    Ok((coders, consensus, summary))
}

/// Removes an earlier demo study at `path`; refuses to touch anything else.
fn replace_previous_demo(path: &std::path::Path) -> anyhow::Result<()> {
    if !path.try_exists().unwrap_or(false) {
        return Ok(());
    }
    let is_demo = SqliteStore::open(path)
        .and_then(|store| store.study())
        .is_ok_and(|study| study.title == DEMO_TITLE);
    if !is_demo {
        bail!(
            "{} already exists and is not a demo study: pass --project with another path",
            path.display()
        );
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = PathBuf::from(file);
        if file.try_exists().unwrap_or(false) {
            std::fs::remove_file(&file)
                .with_context(|| format!("cannot replace the earlier demo {}", file.display()))?;
        }
    }
    Ok(())
}

fn stem(file: &str) -> String {
    std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_owned())
}
