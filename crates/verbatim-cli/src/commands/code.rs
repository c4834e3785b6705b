//! `verbatim code`: a coder's theme tree (or the shared one).

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand, ValueEnum};
use verbatim_store::{
    Book, Cascade, CodeFields, CodeKind, CodeNode, Codebook, CodebookEdits, Coders, NewCode,
    NewCodeName, Scope, SqliteStore, Translations,
};

use super::coder_arg::{AllArg, CoderArg};
use super::{ProjectArg, print_json};

/// Build and reshape theme trees: add, rename, move, merge, split, delete codes
#[derive(Args, Debug)]
pub struct CodeArgs {
    #[command(flatten)]
    pub(super) project: ProjectArg,
    #[command(flatten)]
    pub(super) coder: CoderArg,
    #[command(subcommand)]
    pub(super) action: CodeAction,
}

/// The descriptive fields a code can carry.
#[derive(Args, Debug, Clone, Default)]
pub(super) struct FieldArgs {
    /// Display colour, #rrggbb
    #[arg(long)]
    colour: Option<String>,
    /// What the code means
    #[arg(long)]
    definition: Option<String>,
    /// When to apply it
    #[arg(long = "include")]
    inclusion: Option<String>,
    /// When not to apply it
    #[arg(long = "exclude")]
    exclusion: Option<String>,
    /// A typical passage
    #[arg(long)]
    example: Option<String>,
}

#[derive(Subcommand, Debug)]
pub(super) enum CodeAction {
    /// Add a code
    Add {
        /// Its name
        name: String,
        /// Its primary parent
        #[arg(long)]
        parent: Option<String>,
        /// Its level (idea, sub-theme, theme, meta-theme) [default: one below its parent, else the lowest]
        #[arg(long)]
        level: Option<String>,
        /// Put it in the shared codebook instead of yours
        #[arg(long)]
        shared: bool,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Rename a code
    Rename {
        /// The code
        code: String,
        /// Its new name
        name: String,
    },
    /// Change a code's definition, criteria, example, colour or level
    Describe {
        /// The code
        code: String,
        /// Its new level
        #[arg(long)]
        level: Option<String>,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Move a code under another (or to the top) and choose its place
    Move {
        /// The code
        code: String,
        /// Its new primary parent
        #[arg(long, conflicts_with = "top")]
        under: Option<String>,
        /// Make it a top-level code
        #[arg(long)]
        top: bool,
        /// Its place among its new siblings, from 0
        #[arg(long)]
        position: Option<i64>,
    },
    /// Put a code under a further parent as well (an idea feeding two themes)
    Link {
        /// The code
        code: String,
        /// The further parent
        #[arg(long)]
        under: String,
    },
    /// Merge a code into another: its codings, children and links move
    Merge {
        /// The code that disappears
        code: String,
        /// The code that receives its codings
        #[arg(long)]
        into: String,
    },
    /// Split a code: a new sibling takes the codings listed
    Split {
        /// The code
        code: String,
        /// The new code's name
        #[arg(long)]
        name: String,
        /// Coding ids that move to the new code, comma-separated
        #[arg(long, value_delimiter = ',', required = true)]
        codings: Vec<i64>,
    },
    /// Delete a code (refused while codings use it, unless --cascade)
    Delete {
        /// The code
        code: String,
        /// What to do with its codings
        #[arg(long, value_enum)]
        cascade: Option<CascadeArg>,
    },
    /// Copy a whole codebook (codes, not codings) into yours or the shared one
    Copy {
        /// Copy from: `shared`, or a coder's name
        #[arg(long)]
        from: String,
        /// Copy to: `me` or `shared`
        #[arg(long, default_value = "me")]
        to: String,
        #[command(flatten)]
        all: AllArg,
    },
    /// Show the theme tree with counts of codings and sources per code
    Tree {
        /// Show the shared codebook
        #[arg(long)]
        shared: bool,
        /// Show another coder's codebook (after `verbatim reveal`, or --solo)
        #[arg(long, value_name = "CODER")]
        of: Option<String>,
        #[command(flatten)]
        all: AllArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Make a code structural (an interview-guide question: kept for queries and matrices, left out of results) or analytic again
    Kind {
        /// The code
        code: String,
        /// Its kind
        #[arg(value_enum)]
        kind: KindArg,
    },
    /// Give a code's name in another language, for reports in it (empty --text clears it)
    Translate {
        /// The code
        code: String,
        /// The language (en, fr…)
        #[arg(long, value_name = "LANG")]
        language: String,
        /// The code's name in that language
        #[arg(long)]
        text: String,
        /// Look the code up in the shared codebook only
        #[arg(long)]
        shared: bool,
    },
    /// Show or set the study's code levels, lowest first
    Levels {
        /// New level names, comma-separated, lowest first
        #[arg(long, value_delimiter = ',')]
        set: Option<Vec<String>>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(super) enum KindArg {
    /// A theme, sub-theme or idea: part of the results
    Analytic,
    /// Structure of the data (a guide question): left out of results unless --include-structural
    Structural,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(super) enum CascadeArg {
    /// Move the codings to an "Uncategorised" code
    Uncategorised,
    /// Delete the codings
    Delete,
}

impl FieldArgs {
    pub(super) fn fields(&self) -> CodeFields {
        CodeFields {
            colour: self.colour.clone(),
            definition: self.definition.clone(),
            inclusion: self.inclusion.clone(),
            exclusion: self.exclusion.clone(),
            example: self.example.clone(),
        }
    }
}

/// Runs one `code` action.
pub fn cmd_code(args: &CodeArgs) -> anyhow::Result<ExitCode> {
    if let CodeAction::Translate {
        code,
        language,
        text,
        shared,
    } = &args.action
    {
        // On a study file or a PostgreSQL study alike.
        let (mut store, _) = super::report::open_for_report(&args.project)?;
        let scope = args.coder.scope_on(&*store, false, false)?;
        translate(&mut *store, &scope, code, language, text, *shared)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(ran) = super::pg_coding::code(args)? {
        return Ok(ran);
    }
    let mut store = args.project.open()?;
    if let CodeAction::Levels { set } = &args.action {
        levels(&mut store, set.as_deref())?;
        return Ok(ExitCode::SUCCESS);
    }
    let (wants_all, solo) = match &args.action {
        CodeAction::Copy { all, .. } | CodeAction::Tree { all, .. } => (all.all, all.solo),
        _ => (false, false),
    };
    let needs_all = wants_all
        || matches!(&args.action, CodeAction::Tree { of: Some(_), .. })
        || matches!(&args.action, CodeAction::Copy { from, .. } if from != "shared" && from != "me");
    let scope = args.coder.scope_as(&store, needs_all, solo)?;
    let find = |store: &SqliteStore, word: &str| store.find_code(&scope, word, None);
    match &args.action {
        CodeAction::Add {
            name,
            parent,
            level,
            shared,
            fields,
        } => {
            let parent = parent.as_deref().map(|p| find(&store, p)).transpose()?;
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
        CodeAction::Rename { .. }
        | CodeAction::Describe { .. }
        | CodeAction::Move { .. }
        | CodeAction::Merge { .. }
        | CodeAction::Split { .. }
        | CodeAction::Delete { .. }
        | CodeAction::Link { .. }
        | CodeAction::Kind { .. } => {
            edit(&mut store, &scope, &args.action)?;
        }
        CodeAction::Copy { from, to, .. } => copy(&mut store, &scope, from, to)?,
        CodeAction::Tree {
            shared, of, json, ..
        } => tree(&store, &scope, *shared, of.as_deref(), *json)?,
        CodeAction::Translate { .. } | CodeAction::Levels { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a codebook edit (`rename`, `describe`, `move`, `merge`, `split`,
/// `delete`, `link`, `kind`) on a study file or a PostgreSQL study alike, through the
/// store's traits; answers `false`, doing nothing, for any other action.
pub(super) fn edit<S>(store: &mut S, scope: &Scope, action: &CodeAction) -> anyhow::Result<bool>
where
    S: Codebook + CodebookEdits + ?Sized,
{
    let find = |store: &S, word: &str| store.find_code(scope, word, None);
    match action {
        CodeAction::Rename { code, name } => {
            let id = find(store, code)?;
            store.rename_code(scope, id, name)?;
            println!("Renamed code {id} to {name:?}.");
        }
        CodeAction::Describe {
            code,
            level,
            fields,
        } => {
            let id = find(store, code)?;
            store.describe_code(scope, id, &fields.fields(), level.as_deref())?;
            println!("Updated code {id}.");
        }
        CodeAction::Move {
            code,
            under,
            top,
            position,
        } => move_code(store, scope, code, under.as_deref(), *top, *position)?,
        CodeAction::Merge { code, into } => {
            let from = find(store, code)?;
            let to = find(store, into)?;
            let moved = store.merge_codes(scope, from, to)?;
            println!("Merged code {from} into {to}: {moved} codings moved.");
        }
        CodeAction::Split {
            code,
            name,
            codings,
        } => {
            let id = find(store, code)?;
            let new = store.split_code(scope, id, name, codings)?;
            println!(
                "Split code {id}: new code {new} {name:?} took {} codings.",
                codings.len()
            );
        }
        CodeAction::Delete { code, cascade } => delete(store, scope, code, *cascade)?,
        CodeAction::Link { code, under } => {
            let id = find(store, code)?;
            let parent = find(store, under)?;
            store.link_code(scope, id, parent)?;
            println!("Code {id} now also sits under code {parent}.");
        }
        CodeAction::Kind { code, kind } => set_kind(store, scope, code, *kind)?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// `code move CODE --under PARENT | --top | --position N`.
fn move_code<S: Codebook + CodebookEdits + ?Sized>(
    store: &mut S,
    scope: &Scope,
    code: &str,
    under: Option<&str>,
    top: bool,
    position: Option<i64>,
) -> anyhow::Result<()> {
    if under.is_none() && !top && position.is_none() {
        bail!("say where to move it: --under PARENT, --top, or --position N");
    }
    let id = store.find_code(scope, code, None)?;
    let parent = match (under, top) {
        (Some(p), _) => Some(store.find_code(scope, p, None)?),
        (None, true) => None,
        // Only a new position: the code stays under its parent.
        (None, false) => store
            .code_tree(scope, Book::Own)?
            .into_iter()
            .chain(store.code_tree(scope, Book::Shared)?)
            .find(|n| n.id == id)
            .and_then(|n| n.parent),
    };
    store.move_code(scope, id, parent, position)?;
    println!("Moved code {id}.");
    Ok(())
}

/// `code delete CODE [--cascade uncategorised|delete]`.
fn delete<S: Codebook + CodebookEdits + ?Sized>(
    store: &mut S,
    scope: &Scope,
    code: &str,
    cascade: Option<CascadeArg>,
) -> anyhow::Result<()> {
    let id = store.find_code(scope, code, None)?;
    let cascade = cascade.map(|c| match c {
        CascadeArg::Uncategorised => Cascade::Uncategorised,
        CascadeArg::Delete => Cascade::Delete,
    });
    let n = store.delete_code(scope, id, cascade)?;
    println!(
        "Deleted code {id} ({n} codings {}).",
        match cascade {
            Some(Cascade::Delete) => "deleted",
            _ => "moved to Uncategorised",
        }
    );
    Ok(())
}

/// `code tree [--shared | --of CODER] [--json]`.
fn tree(
    store: &SqliteStore,
    scope: &Scope,
    shared: bool,
    of: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let book = match (shared, of) {
        (true, _) => Book::Shared,
        (false, Some(name)) => book_named(store, scope, name)?,
        (false, None) => Book::Own,
    };
    let nodes = store.code_tree(scope, book)?;
    if json {
        print_json(&nodes)?;
    } else {
        print!("{}", render_tree(&nodes));
    }
    Ok(())
}

/// `code copy --from BOOK --to me|shared`, on a study file or a
/// PostgreSQL study alike.
pub(super) fn copy<S: Coders + CodebookEdits + ?Sized>(
    store: &mut S,
    scope: &Scope,
    from: &str,
    to: &str,
) -> anyhow::Result<()> {
    let from_book = book_named(&*store, scope, from)?;
    let to_book = match to {
        "me" => Book::Own,
        "shared" => Book::Shared,
        other => bail!("--to takes `me` or `shared`, not {other:?}"),
    };
    let n = store.copy_codebook(scope, from_book, to_book)?;
    println!("Copied {n} codes.");
    Ok(())
}

/// `code levels [--set A,B,C]`: sets the level names when asked, then
/// lists them, on a study file or a PostgreSQL study alike.
pub(super) fn levels<S: Coders + CodebookEdits + ?Sized>(
    store: &mut S,
    set: Option<&[String]>,
) -> anyhow::Result<()> {
    if let Some(names) = set {
        store.set_levels(&crate::ui::actor(), names)?;
    }
    for level in store.levels()? {
        println!("{}  {}", level.rank, level.name);
    }
    Ok(())
}

/// `code kind CODE analytic|structural`.
fn set_kind<S: Codebook + CodebookEdits + ?Sized>(
    store: &mut S,
    scope: &Scope,
    code: &str,
    kind: KindArg,
) -> anyhow::Result<()> {
    let id = store.find_code(scope, code, None)?;
    let (kind, word) = match kind {
        KindArg::Analytic => (CodeKind::Analytic, "analytic"),
        KindArg::Structural => (CodeKind::Structural, "structural"),
    };
    if store.set_code_kind(scope, id, kind)? {
        println!("Code {id} is now {word}.");
    } else {
        println!("Code {id} was already {word}: nothing changed.");
    }
    Ok(())
}

/// `code translate CODE --language LANG --text NAME`.
fn translate<S: Codebook + Translations + ?Sized>(
    store: &mut S,
    scope: &Scope,
    code: &str,
    language: &str,
    text: &str,
    shared: bool,
) -> anyhow::Result<()> {
    let book = shared.then_some(Book::Shared);
    let id = store.find_code(scope, code, book)?;
    let language: verbatim_core::Language = language
        .parse()
        .map_err(|e| anyhow::anyhow!("--language {language:?}: {e}"))?;
    store.set_code_names(
        scope,
        &[NewCodeName {
            code: id,
            language: language.clone(),
            name: text.to_owned(),
        }],
    )?;
    if text.trim().is_empty() {
        println!("Cleared the {language} name of code {id}.");
    } else {
        println!("Code {id} is {:?} in {language}.", text.trim());
    }
    Ok(())
}

pub(super) fn book_named<S: Coders + ?Sized>(
    store: &S,
    scope: &Scope,
    name: &str,
) -> anyhow::Result<Book> {
    Ok(match name {
        "shared" => Book::Shared,
        "me" => Book::Own,
        coder => {
            let found = store
                .coder_by_name(coder)?
                .ok_or_else(|| verbatim_store::StoreError::UnknownCoder(coder.to_owned()))?;
            if found.id == scope.coder().id {
                Book::Own
            } else {
                Book::Of(found.id)
            }
        }
    })
}

/// Returns the tree as indented lines with counts.
pub(super) fn render_tree(nodes: &[CodeNode]) -> String {
    use std::collections::HashMap;
    let depth_of: HashMap<i64, usize> = {
        let mut depth = HashMap::new();
        for n in nodes {
            let d = n
                .parent
                .and_then(|p| depth.get(&p).map(|d| d + 1))
                .unwrap_or(0);
            depth.insert(n.id, d);
        }
        depth
    };
    let names: HashMap<i64, &str> = nodes.iter().map(|n| (n.id, n.name.as_str())).collect();
    let mut out = String::new();
    if nodes.is_empty() {
        out.push_str("(no codes yet: add one with `verbatim code add NAME`)\n");
    }
    for n in nodes {
        let indent = "  ".repeat(depth_of.get(&n.id).copied().unwrap_or(0));
        let counts = if n.codings_total == n.codings {
            format!("{} codings, {} sources", n.codings, n.sources)
        } else {
            format!(
                "{} codings, {} sources; {} with children in {} sources",
                n.codings, n.sources, n.codings_total, n.sources_total
            )
        };
        let also = if n.also_under.is_empty() {
            String::new()
        } else {
            let parents: Vec<&str> = n
                .also_under
                .iter()
                .filter_map(|p| names.get(p).copied())
                .collect();
            format!("  (also under {})", parents.join(", "))
        };
        out.push_str(&format!(
            "{indent}{} [{}] #{}  ({counts}){also}\n",
            n.name, n.level_name, n.id
        ));
    }
    out
}
