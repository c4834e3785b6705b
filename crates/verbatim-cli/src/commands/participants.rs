//! `verbatim participants`: the people a study hears, their pseudonym
//! codes, attributes, consent and the sociodemographic table.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use verbatim_store::{AttrType, DemoTable, NewParticipant, RankStyle};

use super::{ProjectArg, print_json};
use crate::ui::{self, Table};

/// The long help of `participants withdraw`: what goes, and why nothing
/// of it can be undone.
const WITHDRAW_ABOUT: &str = "\
Withdraw a participant: remove their speech everywhere, for good.

Every turn of theirs becomes \"[passage removed: participant withdrew]\";
codings inside their speech are deleted (with their translations and
memos), codings across its edge shrink to the other speakers' words, memos
on them and their attribute values are deleted, their label is cleared and
their consent marked withdrawn (their code stays, so reports can say they
withdrew). Earlier audit entries are rewritten too: every wording of their
speech the log recorded (the text before a correction, the words a
correction removed or inserted), the translations of their passages, the
memos on their deleted codings and their label become the same notice, and
a history.redact entry says how many entries were rewritten. This
machine's search index is brought up to date and compacted, so no
index file keeps their words.

It cannot be undone, for the reason de-identification cannot: an undo
would need the words back. The entries it rewrote cannot be undone or
redone either; undo says so when it reaches one.";

/// Add, import, code and describe participants
#[derive(Args, Debug)]
pub struct ParticipantsArgs {
    #[command(subcommand)]
    action: ParticipantsAction,
}

#[derive(Subcommand, Debug)]
enum ParticipantsAction {
    /// Add a participant
    Add {
        #[command(flatten)]
        project: ProjectArg,
        /// Its pseudonym code (e.g. CHFG-C); leave it out to assign one later
        #[arg(long)]
        code: Option<String>,
        /// Its display label (the roster name)
        #[arg(long)]
        label: Option<String>,
        /// Its site (name or code)
        #[arg(long)]
        site: Option<String>,
    },
    /// List participants with their site, attributes and turns
    List {
        #[command(flatten)]
        project: ProjectArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Set a participant's label, site or attribute values (NAME=VALUE; empty clears)
    Set {
        #[command(flatten)]
        project: ProjectArg,
        /// The participant (code, label or id)
        participant: String,
        /// Attribute values, as NAME=VALUE
        values: Vec<String>,
        /// A new display label
        #[arg(long)]
        label: Option<String>,
        /// A new site (name or code)
        #[arg(long)]
        site: Option<String>,
    },
    /// Import a roster (.csv or .xlsx): one row per participant, columns = attributes
    Import {
        #[command(flatten)]
        project: ProjectArg,
        /// The roster file
        file: PathBuf,
        /// Read a column as this type instead of the inferred one (COLUMN=text|number|date|boolean|category)
        #[arg(long = "type", value_name = "COLUMN=TYPE")]
        types: Vec<String>,
    },
    /// Give a pseudonym code to every participant without one
    Assign {
        #[command(flatten)]
        project: ProjectArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show or change the pseudonym scheme
    Scheme {
        #[command(flatten)]
        project: ProjectArg,
        /// The template, with {site}, {mode} and {rank}
        #[arg(long)]
        template: Option<String>,
        /// A mode: KIND=CODE or KIND=CODE:letters|digits (e.g. focus_group=FG:letters)
        #[arg(long = "mode", value_name = "KIND=CODE[:STYLE]")]
        modes: Vec<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// The sociodemographic table: counts, percentages, means and ranges
    Table {
        #[command(flatten)]
        project: ProjectArg,
        /// Add one column per site
        #[arg(long, value_enum)]
        by: Option<By>,
        /// Count participants heard only in context sources too
        #[arg(long)]
        include_context: bool,
        /// Print JSON
        #[arg(long, conflicts_with_all = ["markdown", "csv"])]
        json: bool,
        /// Print a Markdown table
        #[arg(long, conflicts_with = "csv")]
        markdown: bool,
        /// Print CSV
        #[arg(long)]
        csv: bool,
    },
    /// Change a participant's code (every turn stays attributed)
    Rename {
        #[command(flatten)]
        project: ProjectArg,
        /// The participant (code, label or id)
        participant: String,
        /// Its new code
        code: String,
    },
    /// Withdraw a participant: remove their speech everywhere (not undoable)
    #[command(long_about = WITHDRAW_ABOUT)]
    Withdraw {
        #[command(flatten)]
        project: ProjectArg,
        /// The participant (code, label or id)
        participant: String,
        /// Confirm without being asked
        #[arg(long)]
        yes: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Record a participant's consent, or list consent records
    Consent {
        #[command(flatten)]
        project: ProjectArg,
        /// The participant (code, label or id); without it, list every record
        participant: Option<String>,
        /// When consent was given (2024-03-12 or 12/03/2024)
        #[arg(long, requires = "scope")]
        date: Option<String>,
        /// What was consented to
        #[arg(long, requires = "date")]
        scope: Option<String>,
        /// The information sheet's version
        #[arg(long)]
        version: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// What to split the table by.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum By {
    /// One column per site
    Site,
}

/// Splits `NAME=VALUE`.
pub(crate) fn pair(text: &str) -> anyhow::Result<(String, String)> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
        _ => bail!("{text:?} is not NAME=VALUE"),
    }
}

/// Runs a `participants` subcommand.
pub fn cmd_participants(args: &ParticipantsArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        ParticipantsAction::Add {
            project,
            code,
            label,
            site,
        } => add(project, code, label, site)?,
        ParticipantsAction::List { project, json } => list(project, *json)?,
        ParticipantsAction::Set {
            project,
            participant,
            values,
            label,
            site,
        } => set(project, participant, values, label, site)?,
        ParticipantsAction::Import {
            project,
            file,
            types,
        } => import(project, file, types)?,
        ParticipantsAction::Assign { project, json } => assign(project, *json)?,
        ParticipantsAction::Scheme {
            project,
            template,
            modes,
            json,
        } => scheme(project, template, modes, *json)?,
        ParticipantsAction::Table {
            project,
            by,
            include_context,
            json,
            markdown,
            csv,
        } => {
            let store = project.open_study()?;
            let table = verbatim_store::demographics_of(&*store, by.is_some(), *include_context)?;
            if *json {
                print_json(&table)?;
            } else {
                print!("{}", render_table(&table, *markdown, *csv));
            }
        }
        ParticipantsAction::Withdraw {
            project,
            participant,
            yes,
            json,
        } => super::withdraw::cmd_withdraw(project, participant, *yes, *json)?,
        ParticipantsAction::Rename {
            project,
            participant,
            code,
        } => {
            let mut store = project.open_study()?;
            store.rename_participant(&ui::actor(), participant, code)?;
            println!("Renamed {participant} to {code}.");
        }
        ParticipantsAction::Consent {
            project,
            participant,
            date,
            scope,
            version,
            json,
        } => consent(project, participant, date, scope, version, *json)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `participants add`.
fn add(
    project: &ProjectArg,
    code: &Option<String>,
    label: &Option<String>,
    site: &Option<String>,
) -> anyhow::Result<()> {
    let mut store = project.open_study()?;
    store.add_participant(
        &ui::actor(),
        &NewParticipant {
            code: code.clone(),
            label: label.clone(),
            site: site.clone(),
        },
    )?;
    println!(
        "Added participant {}.",
        code.as_deref().or(label.as_deref()).unwrap_or_default()
    );
    Ok(())
}

/// `participants list`.
fn list(project: &ProjectArg, json: bool) -> anyhow::Result<()> {
    let store = project.open_study()?;
    let people = store.participants()?;
    if json {
        return print_json(&people);
    }
    let mut table = Table::new(&[
        "code",
        "label",
        "site",
        "turns",
        "sources",
        "consent",
        "attributes",
    ]);
    for p in &people {
        table.row(vec![
            p.code.clone().unwrap_or_default(),
            p.label.clone().unwrap_or_default(),
            p.site_code.clone().unwrap_or_default(),
            p.turns.to_string(),
            p.sources.to_string(),
            p.consent.clone().unwrap_or_default(),
            p.values
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
        ]);
    }
    print!("{}", table.render());
    println!("{} participants.", people.len());
    Ok(())
}

/// `participants set`.
fn set(
    project: &ProjectArg,
    participant: &str,
    values: &[String],
    label: &Option<String>,
    site: &Option<String>,
) -> anyhow::Result<()> {
    let values = values
        .iter()
        .map(|v| pair(v))
        .collect::<Result<Vec<_>, _>>()?;
    if values.is_empty() && label.is_none() && site.is_none() {
        bail!("nothing to set: give NAME=VALUE pairs, --label or --site");
    }
    let mut store = project.open_study()?;
    store.set_participant(
        &ui::actor(),
        participant,
        label.as_deref(),
        site.as_deref(),
        &values,
    )?;
    println!("Updated {participant}.");
    Ok(())
}

/// `participants import`: a roster, each column's type inferred unless given.
fn import(project: &ProjectArg, file: &std::path::Path, types: &[String]) -> anyhow::Result<()> {
    let types = types
        .iter()
        .map(|t| {
            let (column, kind) = pair(t)?;
            let kind: AttrType = kind.parse().map_err(anyhow::Error::msg)?;
            Ok((column, kind))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sheet = verbatim_ingest::read_sheet(file)
        .with_context(|| format!("{} was not imported", file.display()))?;
    let mut store = project.open_study()?;
    let outcome = store
        .import_roster(&ui::actor(), &sheet.header, &sheet.rows, &types)
        .with_context(|| format!("{}", file.display()))?;
    println!(
        "Imported {} participants from {}.",
        outcome.participants,
        file.display()
    );
    for (name, kind) in &outcome.new_attributes {
        println!("  new attribute {name} ({kind})");
    }
    Ok(())
}

/// `participants assign`: a pseudonym code for everyone without one.
fn assign(project: &ProjectArg, json: bool) -> anyhow::Result<()> {
    let mut store = project.open_study()?;
    let done = store.assign_codes(&ui::actor())?;
    if json {
        return print_json(&done);
    }
    for a in &done.assigned {
        println!(
            "{} → {}",
            a.label.clone().unwrap_or_else(|| format!("#{}", a.id)),
            a.code
        );
    }
    for s in &done.skipped {
        eprintln!(
            "{}: not assigned: {}",
            s.label.clone().unwrap_or_else(|| format!("#{}", s.id)),
            s.reason
        );
    }
    println!(
        "Assigned {} codes; {} participants left without one.",
        done.assigned.len(),
        done.skipped.len()
    );
    Ok(())
}

/// `participants scheme`: shows the pseudonym scheme, or changes it.
fn scheme(
    project: &ProjectArg,
    template: &Option<String>,
    modes: &[String],
    json: bool,
) -> anyhow::Result<()> {
    let mut store = project.open_study()?;
    let modes = modes
        .iter()
        .map(|m| {
            let (kind, rest) = pair(m)?;
            let (code, style) = match rest.split_once(':') {
                Some((c, s)) => (c.to_owned(), Some(RankStyle::parse(s)?)),
                None => (rest, None),
            };
            Ok((kind, code, style))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let scheme = if template.is_some() || !modes.is_empty() {
        store.set_scheme(&ui::actor(), template.as_deref(), &modes)?
    } else {
        store.scheme()?
    };
    if json {
        return print_json(&scheme);
    }
    println!("template: {}", scheme.template);
    let mut table = Table::new(&["kind", "mode", "ranks"]);
    for m in &scheme.modes {
        table.row(vec![
            m.kind.clone(),
            m.code.clone(),
            m.rank_style.as_str().into(),
        ]);
    }
    print!("{}", table.render());
    Ok(())
}

/// `participants consent`: records one participant's consent, or lists them.
fn consent(
    project: &ProjectArg,
    participant: &Option<String>,
    date: &Option<String>,
    scope: &Option<String>,
    version: &Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let mut store = project.open_study()?;
    if let (Some(who), Some(date), Some(scope)) = (participant, date, scope) {
        let c = store.record_consent(&ui::actor(), who, date, scope, version.as_deref())?;
        println!(
            "Recorded consent of {} on {} ({}).",
            c.participant, c.date, c.scope
        );
        return Ok(());
    }
    if date.is_some() {
        bail!("say whose consent this is: verbatim participants consent CODE --date D --scope S");
    }
    let records = store.consents(participant.as_deref())?;
    if json {
        return print_json(&records);
    }
    let mut table = Table::new(&["participant", "date", "scope", "sheet", "status"]);
    for c in &records {
        table.row(vec![
            c.participant.clone(),
            c.date.clone(),
            c.scope.clone(),
            c.sheet_version.clone().unwrap_or_default(),
            c.status.clone(),
        ]);
    }
    print!("{}", table.render());
    Ok(())
}

/// Returns the sociodemographic table as plain text, Markdown or CSV.
fn render_table(table: &DemoTable, markdown: bool, csv: bool) -> String {
    let mut header = vec![String::new()];
    header.extend(
        table
            .columns
            .iter()
            .map(|c| format!("{} (n={})", c.name, c.n)),
    );
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut last = String::new();
    for r in &table.rows {
        if r.attribute != last && (r.value.is_some() || csv) {
            if !csv {
                rows.push(vec![r.attribute.clone()]);
            }
            last = r.attribute.clone();
        }
        let label = match (&r.value, csv) {
            (Some(v), true) => format!("{}: {v}", r.attribute),
            (Some(v), false) => format!("  {v}"),
            (None, true) => r.attribute.clone(),
            (None, false) => {
                last = r.attribute.clone();
                format!("{} ({})", r.attribute, stat_name(r.kind))
            }
        };
        let mut row = vec![label];
        row.extend(r.cells.iter().map(|c| c.display()));
        rows.push(row);
    }
    if csv {
        let quote = |s: &str| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_owned()
            }
        };
        let mut out = String::new();
        for row in std::iter::once(&header).chain(rows.iter()) {
            out.push_str(&row.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
        return out;
    }
    if markdown {
        let width = header.len();
        let line = |cells: &[String]| {
            let mut cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            cells.resize(width, String::new());
            format!("| {} |\n", cells.join(" | "))
        };
        let mut out = line(&header);
        out.push_str(&format!("|{}\n", "---|".repeat(width)));
        for row in &rows {
            out.push_str(&line(row));
        }
        return out;
    }
    let titles: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(&titles);
    for row in rows {
        t.row(row);
    }
    t.render()
}

fn stat_name(kind: AttrType) -> &'static str {
    match kind {
        AttrType::Number => "mean (min–max)",
        AttrType::Date => "range",
        _ => "n (%)",
    }
}
