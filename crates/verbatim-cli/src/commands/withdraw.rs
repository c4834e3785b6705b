//! `verbatim participants withdraw`: consent withdrawn, speech removed.
//!
//! Kept apart from `participants.rs` because it is the one participant
//! action that destroys data and cannot be undone: it asks for
//! confirmation and reports exactly what went. It runs on a study file or
//! a PostgreSQL study alike (through the store's `Withdrawing` trait).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::bail;
use verbatim_search::{Index, index_dir};
use verbatim_store::{Transcripts, Withdrawing};
use verbatim_store_pg::PgStore;

use super::{Location, ProjectArg, print_json};
use crate::ui::{self, Table};

/// Withdraws a participant after confirmation and prints what changed.
pub fn cmd_withdraw(
    project: &ProjectArg,
    participant: &str,
    yes: bool,
    json: bool,
) -> anyhow::Result<()> {
    let mut store: Box<dyn Withdrawing> = match project.location()? {
        Location::File(_) => Box::new(project.open()?),
        Location::Postgres(address) => Box::new(PgStore::open(&address)?),
    };
    // Resolve first, so an unknown participant fails before any question.
    store.find_participant(participant)?;
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "withdrawing {participant} removes their speech from every source and cannot be undone: pass --yes to confirm"
            );
        }
        eprint!(
            "Withdraw {participant}: remove their speech from every source, for good? Type yes: "
        );
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            bail!("nothing was changed");
        }
    }
    let report = store.withdraw_participant(&ui::actor(), participant)?;
    drop(store);
    purge_index(project);
    if json {
        return print_json(&report);
    }
    let mut table = Table::new(&[
        "source",
        "turns removed",
        "chars removed",
        "codings deleted",
        "codings shrunk",
        "translations",
        "memos removed",
    ]);
    let by_coder = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(c, n)| format!("{c}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for s in &report.sources {
        table.row(vec![
            s.source.clone(),
            s.turns_removed.to_string(),
            s.chars_removed.to_string(),
            by_coder(&s.codings_deleted),
            by_coder(&s.codings_shrunk),
            s.translations_removed.to_string(),
            s.memos_removed.to_string(),
        ]);
    }
    if report.sources.is_empty() {
        println!("No turn of {} was found in any source.", report.participant);
    } else {
        print!("{}", table.render());
    }
    println!(
        "{} withdrew: {} memos on them deleted, {} attribute values cleared{}, consent marked withdrawn, {} earlier audit entries redacted.",
        report.participant,
        report.memos_removed,
        report.attributes_cleared,
        if report.label_cleared {
            ", label cleared"
        } else {
            ""
        },
        report.audit_redacted
    );
    println!("This cannot be undone; the audit log records the counts only.");
    Ok(())
}

/// Brings this machine's search index of the study (beside a study file,
/// or in the cache for a PostgreSQL study) in step with the withdrawal and
/// compacts it, so that no index file keeps the removed speech; a failure
/// is a warning saying which folder to delete (the next search rebuilds
/// it).
fn purge_index(project: &ProjectArg) {
    let mut dir = None;
    let mut purge = || -> anyhow::Result<()> {
        let store: Box<dyn Transcripts> = match project.location()? {
            Location::File(path) => {
                dir = Some(index_dir(path));
                Box::new(project.open()?)
            }
            Location::Postgres(address) => {
                dir = Some(super::search::server_index_dir(&address)?);
                Box::new(PgStore::open(&address)?)
            }
        };
        let Some(folder) = dir.clone().filter(|d| d.exists()) else {
            return Ok(());
        };
        let mut index = Index::open_dir(folder)?;
        index.sync(&*store)?;
        index.compact()?;
        Ok(())
    };
    if let Err(e) = purge() {
        let folder = dir.map_or_else(
            || "the search index".to_owned(),
            |d| d.display().to_string(),
        );
        eprintln!(
            "Warning: {folder} may still hold the withdrawn speech ({e}); delete that folder (the next search rebuilds it)."
        );
    }
}
