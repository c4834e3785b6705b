//! Study-building pieces the benchmark examples share: synthetic sources
//! imported in batches, and a coder's theme tree of themes × ideas.
//!
//! Each example uses only some of these, hence the allowance below.
#![allow(dead_code)]

use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_store::{ImportItem, NewCode, Scope, SqliteStore, Store};

/// Any error an example may stop on.
pub type Error = Box<dyn std::error::Error>;

/// Returns an interview source whose whole text is one turn of `P01`.
pub fn one_turn_source(name: String, text: String) -> Result<ImportItem, Error> {
    let chars = text.chars().count();
    let turn = Turn {
        speaker: "P01".into(),
        span: Span::new(0, chars)?,
        begin_ms: None,
        end_ms: None,
    };
    Ok(ImportItem {
        name,
        original_path: None,
        kind: SourceKind::Interview,
        site: None,
        language: None,
        source: NormalisedSource::new(
            Format::Txt,
            text,
            vec![turn],
            vec![],
            SourceMetadata::default(),
        )?,
    })
}

/// Imports the items in transactions of 100.
pub fn import_all(
    store: &mut SqliteStore,
    items: impl IntoIterator<Item = Result<ImportItem, Error>>,
) -> Result<(), Error> {
    let mut batch = Vec::new();
    for item in items {
        batch.push(item?);
        if batch.len() == 100 {
            store.import_batch("bench", std::mem::take(&mut batch))?;
        }
    }
    if !batch.is_empty() {
        store.import_batch("bench", batch)?;
    }
    Ok(())
}

/// Adds `themes` themes of `ideas` ideas each to the scope's codebook,
/// named `{prefix}Theme t` and `{prefix}Idea t.i`; returns the idea ids by
/// theme.
pub fn theme_tree(
    store: &mut SqliteStore,
    scope: &Scope,
    prefix: &str,
    themes: usize,
    ideas: usize,
) -> Result<Vec<Vec<i64>>, Error> {
    let mut tree = Vec::with_capacity(themes);
    for t in 0..themes {
        let theme = store.add_code(
            scope,
            &NewCode {
                name: format!("{prefix}Theme {t}"),
                level: Some("theme".into()),
                ..NewCode::default()
            },
        )?;
        let mut row = Vec::with_capacity(ideas);
        for i in 0..ideas {
            row.push(store.add_code(
                scope,
                &NewCode {
                    name: format!("{prefix}Idea {t}.{i}"),
                    level: Some("idea".into()),
                    parent: Some(theme),
                    ..NewCode::default()
                },
            )?);
        }
        tree.push(row);
    }
    Ok(tree)
}
