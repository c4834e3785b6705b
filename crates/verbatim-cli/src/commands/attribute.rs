//! `verbatim attribute`: typed variables on participants and sources
//! (sex, age band, occupation; a source's date, interviewer, duration).

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand, ValueEnum};
use verbatim_store::{AppliesTo, AttrType, SourceRef};

use super::participants::pair;
use super::{ProjectArg, print_json};
use crate::ui::{self, Table};

/// Define, list and set attributes of participants and sources
#[derive(Args, Debug)]
pub struct AttributeArgs {
    #[command(subcommand)]
    action: AttributeAction,
}

/// What an attribute describes.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum For {
    /// Participants
    Participant,
    /// Sources
    Source,
}

impl For {
    fn applies_to(self) -> AppliesTo {
        match self {
            For::Participant => AppliesTo::Participant,
            For::Source => AppliesTo::Source,
        }
    }
}

#[derive(Subcommand, Debug)]
enum AttributeAction {
    /// Define an attribute
    Add {
        #[command(flatten)]
        project: ProjectArg,
        /// Its name
        name: String,
        /// Its type: text, number, date, boolean or category
        #[arg(long = "type")]
        kind: String,
        /// What it describes
        #[arg(long = "for", value_enum, default_value = "participant")]
        applies_to: For,
        /// The values a category takes, comma-separated
        #[arg(long, value_delimiter = ',')]
        values: Vec<String>,
    },
    /// List the attributes
    List {
        #[command(flatten)]
        project: ProjectArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Rename one value of an attribute everywhere it is set (one undoable action)
    RenameValue {
        #[command(flatten)]
        project: ProjectArg,
        /// The attribute
        attribute: String,
        /// The value as it is now
        #[arg(long)]
        from: String,
        /// Its new spelling
        #[arg(long)]
        to: String,
        /// What the attribute describes
        #[arg(long = "for", value_enum, default_value = "participant")]
        applies_to: For,
    },
    /// Merge several values of an attribute into one (one undoable action)
    MergeValues {
        #[command(flatten)]
        project: ProjectArg,
        /// The attribute
        attribute: String,
        /// The values to merge, comma-separated
        #[arg(long, value_delimiter = ',', required = true)]
        values: Vec<String>,
        /// The value they become
        #[arg(long)]
        into: String,
        /// What the attribute describes
        #[arg(long = "for", value_enum, default_value = "participant")]
        applies_to: For,
    },
    /// Delete an attribute and every value set for it (one undoable action)
    Delete {
        #[command(flatten)]
        project: ProjectArg,
        /// The attribute
        attribute: String,
        /// What the attribute describes
        #[arg(long = "for", value_enum, default_value = "participant")]
        applies_to: For,
        /// Confirm: the values go with the attribute (`verbatim undo` brings them back)
        #[arg(long)]
        yes: bool,
    },
    /// Set attribute values of a source (NAME=VALUE; empty clears)
    Set {
        #[command(flatten)]
        project: ProjectArg,
        /// The source (id or name)
        #[arg(long)]
        source: String,
        /// Values, as NAME=VALUE
        values: Vec<String>,
    },
}

/// Runs an `attribute` subcommand.
pub fn cmd_attribute(args: &AttributeArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        AttributeAction::Add {
            project,
            name,
            kind,
            applies_to,
            values,
        } => {
            let kind: AttrType = kind.parse().map_err(anyhow::Error::msg)?;
            let mut store = project.open_study()?;
            let a = store.define_attribute(
                &ui::actor(),
                name,
                applies_to.applies_to(),
                kind,
                values,
            )?;
            println!(
                "Defined {} attribute {} ({}).",
                a.applies_to.as_str(),
                a.name,
                a.kind
            );
        }
        AttributeAction::List { project, json } => list(project, *json)?,
        AttributeAction::Set {
            project,
            source,
            values,
        } => set(project, source, values)?,
        AttributeAction::RenameValue {
            project,
            attribute,
            from,
            to,
            applies_to,
        } => {
            let mut store = project.open_study()?;
            let edit = store.rename_attribute_value(
                &ui::actor(),
                attribute,
                applies_to.applies_to(),
                from,
                to,
            )?;
            println!(
                "Renamed {} value {from:?} to {:?} ({} {}s changed).",
                edit.attribute,
                edit.into,
                edit.changed,
                applies_to.applies_to().as_str()
            );
        }
        AttributeAction::MergeValues {
            project,
            attribute,
            values,
            into,
            applies_to,
        } => {
            let mut store = project.open_study()?;
            let edit = store.merge_attribute_values(
                &ui::actor(),
                attribute,
                applies_to.applies_to(),
                values,
                into,
            )?;
            println!(
                "Merged {} values {} into {:?} ({} {}s changed).",
                edit.attribute,
                values.join(", "),
                edit.into,
                edit.changed,
                applies_to.applies_to().as_str()
            );
        }
        AttributeAction::Delete {
            project,
            attribute,
            applies_to,
            yes,
        } => delete(project, attribute, *applies_to, *yes)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `attribute list`: every attribute, participants' first.
fn list(project: &ProjectArg, json: bool) -> anyhow::Result<()> {
    let store = project.open_study()?;
    let mut all = store.attributes(AppliesTo::Participant)?;
    all.extend(store.attributes(AppliesTo::Source)?);
    if json {
        return print_json(&all);
    }
    let mut table = Table::new(&["for", "name", "type", "values"]);
    for a in &all {
        table.row(vec![
            a.applies_to.as_str().into(),
            a.name.clone(),
            a.kind.to_string(),
            a.allowed.join(", "),
        ]);
    }
    print!("{}", table.render());
    Ok(())
}

/// `attribute set`: a source's values, given as NAME=VALUE pairs.
fn set(project: &ProjectArg, source: &str, values: &[String]) -> anyhow::Result<()> {
    let values = values
        .iter()
        .map(|v| pair(v))
        .collect::<Result<Vec<_>, _>>()?;
    if values.is_empty() {
        bail!("nothing to set: give NAME=VALUE pairs");
    }
    let mut store = project.open_study()?;
    store.set_source_values(&ui::actor(), &SourceRef::parse(source), &values)?;
    println!("Updated {source}.");
    Ok(())
}

/// `attribute delete`: the attribute and every value set for it, once
/// confirmed.
fn delete(project: &ProjectArg, attribute: &str, applies_to: For, yes: bool) -> anyhow::Result<()> {
    if !yes {
        bail!(
            "deleting attribute {attribute:?} removes every value set for it: add --yes to confirm (`verbatim undo` brings it back)"
        );
    }
    let mut store = project.open_study()?;
    let n = store.delete_attribute(&ui::actor(), attribute, applies_to.applies_to())?;
    println!("Deleted attribute {attribute} and its {n} values.");
    Ok(())
}
