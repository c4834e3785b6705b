//! `verbatim ipa-table`: the tables IPA papers present — each participant's
//! themes with their quotes, then themes × participants.

use std::process::ExitCode;

use clap::Args;
use verbatim_analysis::evidence::{below, ipa_tables};

use super::evidence::{TreeArgs, load};
use super::{ProjectArg, print_json};

/// Print IPA tables: per participant, the themes and supporting quotes; then the cross-case table
#[derive(Args, Debug)]
pub struct IpaTableArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    tree: TreeArgs,
    /// Only this participant's table
    #[arg(long)]
    participant: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Prints the per-participant tables and the cross-case table in Markdown.
pub fn cmd_ipa_table(args: &IpaTableArgs) -> anyhow::Result<ExitCode> {
    let opened = args.project.open_analysis()?;
    let evidence = load(&*opened, &args.tree)?;
    let mut people = evidence.participants.clone();
    if let Some(only) = &args.participant {
        if !people.contains(only) {
            anyhow::bail!(
                "no participant {only:?} speaks in a coded source: list them with `verbatim speakers list`"
            );
        }
        people = vec![only.clone()];
    }
    let (per, cross) = ipa_tables(
        &evidence.themes(),
        &below(&evidence.nodes),
        &evidence.passages,
        &people,
    );
    if args.json {
        // Each participant's table carries the person's flags: a speaker
        // label mapped to no participant is "unmapped", one per source.
        let mut tables = Vec::with_capacity(per.len());
        for (table, person) in per.iter().zip(&evidence.people_named(&people)) {
            let mut value = serde_json::to_value(table)?;
            if let (Some(fields), serde_json::Value::Object(flags)) =
                (value.as_object_mut(), serde_json::to_value(person)?)
            {
                fields.extend(flags.into_iter().filter(|(k, _)| k != "name"));
            }
            tables.push(value);
        }
        print_json(&serde_json::json!({
            "sources": evidence.sources,
            "participants": tables,
            "cross_case": cross,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    for p in &per {
        println!("## {}", p.participant);
        if p.themes.is_empty() {
            println!("(no coded passage)");
        }
        for (theme, quotes) in &p.themes {
            println!("- **{theme}** ({} passages)", quotes.len());
            for q in quotes.iter().take(3) {
                println!(
                    "  - « {} » ({} {}–{})",
                    one_line(&q.text),
                    q.source,
                    q.start,
                    q.end
                );
            }
        }
        println!();
    }
    println!("## Cross-case table");
    println!();
    println!("{}", super::triangulation::denominator(&evidence));
    println!();
    println!(
        "| theme | {} | n | representative quote |",
        cross.participants.join(" | ")
    );
    println!("|---|{}---:|---|", "---|".repeat(cross.participants.len()));
    for row in &cross.rows {
        let marks: Vec<&str> = row
            .present
            .iter()
            .map(|p| if *p { "✓" } else { "" })
            .collect();
        let quote = row
            .quote
            .as_ref()
            .map(|(who, q)| format!("« {} » ({who})", one_line(&q.text)))
            .unwrap_or_default();
        println!(
            "| {} | {} | {}/{} | {quote} |",
            row.theme,
            marks.join(" | "),
            row.prevalence,
            cross.participants.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 140 {
        format!("{}…", flat.chars().take(139).collect::<String>())
    } else {
        flat
    }
}
