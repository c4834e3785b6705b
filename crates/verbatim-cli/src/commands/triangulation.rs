//! `verbatim triangulation`: is each theme supported across sites,
//! occupations and modes of collection, or only in one team?

use std::collections::HashMap;
use std::process::ExitCode;

use clap::Args;
use verbatim_analysis::evidence::{below, triangulate};

use super::evidence::{Evidence, TreeArgs, load};
use super::{ProjectArg, print_json};
use crate::ui::Table;

/// Show each theme's support across sites, an attribute (occupation) and data modes, counted by distinct participants
#[derive(Args, Debug)]
pub struct TriangulationArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    tree: TreeArgs,
    /// The participant attribute to break support down by
    #[arg(long = "by", default_value = "occupation")]
    attribute: String,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Prints the triangulation table with narrow themes flagged.
pub fn cmd_triangulation(args: &TriangulationArgs) -> anyhow::Result<ExitCode> {
    let opened = args.project.open_analysis()?;
    let evidence = load(&*opened, &args.tree)?;
    let attribute_of: HashMap<String, String> = evidence
        .values
        .iter()
        .filter_map(|(who, values)| {
            values
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(&args.attribute))
                .map(|(_, v)| (who.clone(), v.clone()))
        })
        .collect();
    let rows = triangulate(
        &evidence.themes(),
        &below(&evidence.nodes),
        &evidence.passages,
        &attribute_of,
    );
    if args.json {
        print_json(&serde_json::json!({
            "sources": evidence.sources,
            "participants": evidence.people,
            "themes": rows,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let of = evidence.participants.len();
    let join = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut table = Table::new(&[
        "theme",
        "participants",
        "sites",
        &args.attribute,
        "modes",
        "flags",
    ]);
    for r in &rows {
        table.row(vec![
            r.theme.clone(),
            format!("{}/{of}", r.participants),
            join(&r.by_site),
            join(&r.by_attribute),
            join(&r.by_mode),
            r.flags.join("; "),
        ]);
    }
    print!("{}", table.render());
    let narrow = rows.iter().filter(|r| !r.flags.is_empty()).count();
    println!(
        "{} themes, {narrow} with narrow support (flagged).",
        rows.len()
    );
    println!("{}", denominator(&evidence));
    Ok(ExitCode::SUCCESS)
}

/// Returns the sentence saying over which participants "n/N" counts.
pub(super) fn denominator(evidence: &Evidence) -> String {
    let unmapped = evidence.people.iter().filter(|p| p.unmapped).count();
    let mut line = format!(
        "N = {} participants heard in the {} sources coded: {}.",
        evidence.participants.len(),
        evidence.sources.len(),
        if evidence.sources.is_empty() {
            "none yet (code a passage, or mark a source read with `verbatim source done`)"
                .to_owned()
        } else {
            evidence.sources.join(", ")
        }
    );
    if unmapped > 0 {
        line.push_str(&format!(
            " {unmapped} of them stand for speaker labels mapped to no participant, counted once per source and flagged \"unmapped\": map them with `verbatim speakers map`."
        ));
    }
    line
}
