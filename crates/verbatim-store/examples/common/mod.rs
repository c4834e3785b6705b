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
        speaker: Some("P01".into()),
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

/// Returns source `i` of a site study: `chars` chars of French words, 20
/// turns alternating `INT` and the participant (four participants taking
/// turns in every third source, a focus group), at site CH, CS or CA.
pub fn site_source(i: usize, chars: usize) -> Result<ImportItem, Error> {
    const WORDS: [&str; 10] = [
        "confiance",
        "méfiance",
        "équipe",
        "usager",
        "relation",
        "contrôle",
        "soin",
        "et",
        "la",
        "on",
    ];
    let mut text = String::with_capacity(chars * 2);
    let (mut w, mut written) = (i, 0);
    while written < chars {
        let word = WORDS[w % WORDS.len()];
        text.push_str(word);
        text.push(' ');
        written += word.chars().count() + 1;
        w = w.wrapping_mul(31).wrapping_add(7);
    }
    let text: String = text.chars().take(chars).collect();
    let focus = i.is_multiple_of(3);
    let speakers: Vec<String> = if focus {
        (0..4).map(|k| format!("P{i:04}-{k}")).collect()
    } else {
        vec![format!("P{i:04}")]
    };
    let turn_len = chars / 20;
    let turns = (0..20)
        .map(|t| -> Result<Turn, verbatim_core::CoreError> {
            Ok(Turn {
                speaker: Some(if t % 2 == 0 {
                    "INT".into()
                } else {
                    speakers[(t / 2) % speakers.len()].clone()
                }),
                span: Span::new(t * turn_len, (t + 1) * turn_len - 1)?,
                begin_ms: None,
                end_ms: None,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ImportItem {
        name: format!("doc_{i:04}"),
        original_path: None,
        kind: if focus {
            SourceKind::FocusGroup
        } else {
            SourceKind::Interview
        },
        site: Some(["CH", "CS", "CA"][i % 3].to_owned()),
        language: None,
        source: NormalisedSource::new(Format::Txt, text, turns, vec![], SourceMetadata::default())?,
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
