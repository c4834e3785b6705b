//! The coding commands on a PostgreSQL study: `coder add|list`, `code
//! add|tree|rename|describe|move|merge|split|delete` and `coding
//! add|list|remove|quote|translate|memo|span`, written against the store's
//! traits (`Coders`, `Codebook`, `Codings`, `CodebookEdits`,
//! `CodingEdits`) and printing what the file path prints (the edits run
//! through the same functions, `code::edit` and `coding::edit`). Each command module calls in here first; for a study file
//! it answers `None` and the command runs its own (fuller) path. Any other
//! action on PostgreSQL is refused before anything is written, naming
//! what works there.

use std::process::ExitCode;

use anyhow::bail;
use verbatim_core::Span;
use verbatim_store::{Book, Codebook, Coders, Codings, NewCode, SourceRef};
use verbatim_store_pg::{PgAddress, PgStore};

use super::code::{CodeAction, CodeArgs, book_named, render_tree};
use super::coder::{CoderAction, CoderArgs, print_coders};
use super::coding::{CodingAction, CodingArgs, list_filter, print_codings, say_coded};
use super::{Location, ON_POSTGRES, ProjectArg, print_json};

/// Returns the PostgreSQL study `project` names, or `None` for a file.
fn postgres(project: &ProjectArg) -> anyhow::Result<Option<PgAddress>> {
    Ok(match project.location()? {
        Location::Postgres(address) => Some(*address),
        Location::File(_) => None,
    })
}

pub(super) fn not_yet(address: &PgAddress, command: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "`{command}` works on study files only for now, so nothing was changed in {address}: on PostgreSQL, verbatim can {ON_POSTGRES}"
    )
}

/// Runs `coder add|list` on a PostgreSQL study; `None` for a file.
pub(super) fn coder(args: &CoderArgs) -> anyhow::Result<Option<ExitCode>> {
    let project = match &args.action {
        CoderAction::Add { project, .. } | CoderAction::List { project, .. } => project,
    };
    let Some(address) = postgres(project)? else {
        return Ok(None);
    };
    let mut store = PgStore::open(&address)?;
    match &args.action {
        CoderAction::Add {
            name,
            initials,
            colour,
            ..
        } => {
            let coder = store.add_coder(
                &crate::ui::actor(),
                name,
                initials.as_deref(),
                colour.as_deref(),
            )?;
            println!(
                "Added coder {} ({}, {}).",
                coder.name, coder.initials, coder.colour
            );
        }
        CoderAction::List { json, .. } => print_coders(&store.coders()?, *json)?,
    }
    Ok(Some(ExitCode::SUCCESS))
}

/// Runs `code add|tree` and the codebook edits on a PostgreSQL study;
/// `None` for a file.
pub(super) fn code(args: &CodeArgs) -> anyhow::Result<Option<ExitCode>> {
    let Some(address) = postgres(&args.project)? else {
        return Ok(None);
    };
    let editing = matches!(
        args.action,
        CodeAction::Rename { .. }
            | CodeAction::Describe { .. }
            | CodeAction::Move { .. }
            | CodeAction::Merge { .. }
            | CodeAction::Split { .. }
            | CodeAction::Delete { .. }
    );
    if !editing
        && !matches!(
            args.action,
            CodeAction::Add { .. } | CodeAction::Tree { .. }
        )
    {
        return Err(not_yet(&address, "code"));
    }
    let mut store = PgStore::open(&address)?;
    if editing {
        let scope = store.scope(args.coder.name()?, false, false)?;
        super::code::edit(&mut store, &scope, &args.action)?;
        return Ok(Some(ExitCode::SUCCESS));
    }
    match &args.action {
        CodeAction::Add {
            name,
            parent,
            level,
            shared,
            fields,
        } => {
            let scope = store.scope(args.coder.name()?, false, false)?;
            let parent = parent
                .as_deref()
                .map(|p| store.find_code(&scope, p, None))
                .transpose()?;
            let new = NewCode {
                name: name.clone(),
                level: level.clone(),
                parent,
                book: Some(if *shared { Book::Shared } else { Book::Own }),
                fields: fields.fields(),
            };
            let id = store.add_code(&scope, &new)?;
            println!("Added code {id} {name:?}.");
        }
        CodeAction::Tree {
            shared,
            of,
            all,
            json,
        } => {
            let scope = store.scope(args.coder.name()?, all.all || of.is_some(), all.solo)?;
            let book = match (shared, of) {
                (true, _) => Book::Shared,
                (false, Some(name)) => book_named(&store, &scope, name)?,
                (false, None) => Book::Own,
            };
            let nodes = store.code_tree(&scope, book)?;
            if *json {
                print_json(&nodes)?;
            } else {
                print!("{}", render_tree(&nodes));
            }
        }
        _ => {}
    }
    Ok(Some(ExitCode::SUCCESS))
}

/// Runs every `coding` action on a PostgreSQL study; `None` for a file.
pub(super) fn coding(args: &CodingArgs) -> anyhow::Result<Option<ExitCode>> {
    let Some(address) = postgres(&args.project)? else {
        return Ok(None);
    };
    let mut store = PgStore::open(&address)?;
    let (all, solo) = match &args.action {
        CodingAction::List { all, by, .. } => (all.all || by.is_some(), all.solo),
        _ => (false, false),
    };
    let scope = store.scope(args.coder.name()?, all, solo)?;
    match &args.action {
        CodingAction::Add {
            source,
            code,
            start,
            end,
            text,
            occurrence,
            memo,
        } => {
            let source_id = store.source_id(&SourceRef::parse(source))?;
            let code_id = store.find_code(&scope, code, None)?;
            let span = match (start, end, text) {
                (Some(s), Some(e), None) => Span::new(*s, *e)?,
                (None, None, Some(quote)) => store.locate(source_id, quote, *occurrence)?.span,
                _ => bail!("give the passage with --start and --end, or quote it with --text"),
            };
            let coded = store.add_coding(&scope, source_id, span, code_id, memo.as_deref())?;
            say_coded(source_id, code_id, span, coded);
        }
        CodingAction::Remove { id } => {
            store.remove_coding(&scope, *id)?;
            println!("Removed coding {id}.");
        }
        CodingAction::List { json, .. } => {
            let filter = list_filter(&store, &scope, &args.action)?;
            print_codings(&store.codings(&scope, &filter)?, *json)?;
        }
        _ => {
            super::coding::edit(&mut store, &scope, &args.action)?;
        }
    }
    Ok(Some(ExitCode::SUCCESS))
}
