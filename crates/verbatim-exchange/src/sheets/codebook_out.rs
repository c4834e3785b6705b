//! The codebook as a table: one row per code, in tree order.
//!
//! Columns: code path (`Meta / Theme / Sub-theme / Idea`, along primary
//! parents), code, level, definition, inclusion and exclusion criteria,
//! example, colour, and the codings with the code itself and with it or any
//! code below it (counted in the layers the scope sees). A code that also
//! sits under a second parent gets a second row with that path, so each
//! theme's rows show everything that feeds it; [`super::codebook_in`] reads
//! the two rows back as one code under two parents. The headers are names
//! [`super::codebook_in`] recognises, so an export imports unchanged.

use std::collections::HashMap;

use verbatim_store::{Book, CodeNode, Codebook, Scope};

use super::headers::{Field, name_of};
use super::{Cell, SheetError, Table, Width};

/// Which codebook to export, and how to name it in a `codebook` column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookChoice {
    /// The codebook.
    pub book: Book,
    /// Its name in the `codebook` column (a coder's name, or `shared`).
    pub label: String,
}

/// Returns the codebooks as one table; with more than one, a first
/// `codebook` column says whose each row is.
pub fn codebook_table(
    store: &(impl Codebook + ?Sized),
    scope: &Scope,
    books: &[BookChoice],
) -> Result<Table, SheetError> {
    let several = books.len() > 1;
    let mut columns: Vec<(String, Width)> = Vec::new();
    if several {
        columns.push((name_of(Field::Codebook).into(), Width::Medium));
    }
    for (field, width) in [
        (Field::Path, Width::Wide),
        (Field::Name, Width::Medium),
        (Field::Level, Width::Narrow),
        (Field::Definition, Width::Wide),
        (Field::Inclusion, Width::Wide),
        (Field::Exclusion, Width::Wide),
        (Field::Example, Width::Wide),
        (Field::Colour, Width::Narrow),
    ] {
        columns.push((name_of(field).into(), width));
    }
    columns.push(("codings".into(), Width::Narrow));
    columns.push(("codings with codes below".into(), Width::Narrow));
    let mut rows = Vec::new();
    for choice in books {
        let tree = store.code_tree(scope, choice.book)?;
        let paths = paths(&tree);
        for node in &tree {
            let mut places = vec![paths.get(&node.id).cloned().unwrap_or_default()];
            for parent in &node.also_under {
                if let Some(p) = paths.get(parent) {
                    places.push(format!("{p} / {}", node.name));
                }
            }
            for path in places {
                let mut row = Vec::with_capacity(columns.len());
                if several {
                    row.push(Cell::text(choice.label.clone()));
                }
                row.extend([
                    Cell::text(path),
                    Cell::text(node.name.clone()),
                    Cell::text(node.level_name.clone()),
                    Cell::opt(node.fields.definition.as_deref()),
                    Cell::opt(node.fields.inclusion.as_deref()),
                    Cell::opt(node.fields.exclusion.as_deref()),
                    Cell::opt(node.fields.example.as_deref()),
                    Cell::opt(node.fields.colour.as_deref()),
                    Cell::Int(node.codings),
                    Cell::Int(node.codings_total),
                ]);
                rows.push(row);
            }
        }
    }
    Ok(Table {
        name: "Codebook".into(),
        columns,
        rows,
    })
}

/// Returns each code's path along primary parents, `Top / … / Code`.
pub fn paths(tree: &[CodeNode]) -> HashMap<i64, String> {
    let by_id: HashMap<i64, &CodeNode> = tree.iter().map(|n| (n.id, n)).collect();
    let mut out: HashMap<i64, String> = HashMap::with_capacity(tree.len());
    for node in tree {
        let mut chain = vec![node.name.as_str()];
        let mut at = node.parent;
        // Bounded by the tree's size: the store refuses cycles, and a
        // damaged file must not loop here.
        while let Some(p) = at.and_then(|p| by_id.get(&p)) {
            if chain.len() > tree.len() {
                break;
            }
            chain.push(p.name.as_str());
            at = p.parent;
        }
        chain.reverse();
        out.insert(node.id, chain.join(" / "));
    }
    out
}
