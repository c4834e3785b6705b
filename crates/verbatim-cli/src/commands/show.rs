//! `verbatim show`: one source's text and turns.

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use verbatim_store::{MemoRecord, SourceRef, SourceSummary, TurnRecord};

use super::{ProjectArg, print_json};

/// Show one source's text and speaker turns
#[derive(Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    project: ProjectArg,
    /// The source's id or name
    source: String,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

/// The JSON `show` prints: the listing facts, with `turns` as the list of
/// turns rather than their count.
#[derive(Serialize)]
struct ShowJson<'a> {
    id: i64,
    guid: &'a str,
    name: &'a str,
    format: &'a str,
    kind: &'a str,
    language: Option<&'a str>,
    site: Option<&'a str>,
    chars: i64,
    speakers: &'a [String],
    imported_at: &'a str,
    original_path: Option<&'a str>,
    metadata: &'a verbatim_core::SourceMetadata,
    text: &'a str,
    turns: &'a [TurnRecord],
    memos: &'a [MemoRecord],
}

/// Prints the source's facts, then its text.
pub fn cmd_show(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let store = args.project.open_any()?;
    let record = store.source(&SourceRef::parse(&args.source))?;
    if args.json {
        let s: &SourceSummary = &record.summary;
        print_json(&ShowJson {
            id: s.id,
            guid: &s.guid,
            name: &s.name,
            format: &s.format,
            kind: &s.kind,
            language: s.language.as_deref(),
            site: s.site.as_deref(),
            chars: s.chars,
            speakers: &s.speakers,
            imported_at: &s.imported_at,
            original_path: record.original_path.as_deref(),
            metadata: &record.metadata,
            text: &record.text,
            turns: &record.turn_list,
            memos: &record.memos,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &record.summary;
    println!("# {} (source {})", s.name, s.id);
    println!(
        "{} · {} · {} · site {} · {} chars · {} turns",
        s.kind,
        s.format,
        s.language.as_deref().unwrap_or("language unknown"),
        s.site.as_deref().unwrap_or("-"),
        s.chars,
        record.turn_list.len()
    );
    if !s.speakers.is_empty() {
        println!("speakers: {}", s.speakers.join(", "));
    }
    for note in &record.metadata.notes {
        println!("note: {note}");
    }
    println!();
    println!("{}", record.text);
    if !record.memos.is_empty() {
        println!();
        println!("## Comments");
        for memo in &record.memos {
            println!(
                "- [{}..{}] {}: {}",
                memo.start.unwrap_or(0),
                memo.end.unwrap_or(0),
                memo.author.as_deref().unwrap_or("?"),
                memo.body
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
