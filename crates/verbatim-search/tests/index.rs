//! The index against a real study: incremental sync, rebuild after
//! deletion, focus-group attribution, KWIC offsets after emoji.

use verbatim_core::{Format, Language, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_search::{Analyzers, Filters, Index, Query, Role, index_dir, search};
use verbatim_store::{ImportItem, SqliteStore, Store, StudySettings};

/// Builds a source from `(speaker, speech)` lines written `SPEAKER : speech`.
fn source(lines: &[(&str, &str)]) -> NormalisedSource {
    let mut text = String::new();
    let mut turns = Vec::new();
    for (who, speech) in lines {
        text.push_str(who);
        text.push_str(" : ");
        let start = text.chars().count();
        text.push_str(speech);
        turns.push(Turn {
            speaker: Some((*who).into()),
            span: Span::new(start, text.chars().count()).unwrap(),
            begin_ms: None,
            end_ms: None,
        });
        text.push('\n');
    }
    NormalisedSource::new(Format::Txt, text, turns, vec![], SourceMetadata::default()).unwrap()
}

fn import(store: &mut SqliteStore, name: &str, lang: &str, lines: &[(&str, &str)]) {
    store
        .import_batch(
            "t",
            vec![ImportItem {
                name: name.into(),
                original_path: None,
                kind: SourceKind::FocusGroup,
                site: Some("CH".into()),
                language: Some(lang.parse::<Language>().unwrap()),
                source: source(lines),
            }],
        )
        .unwrap();
}

fn hits(store: &SqliteStore, index: &Index, q: &str) -> Vec<(String, String)> {
    let query = Query::parse(q, &mut Analyzers::default()).unwrap();
    search(store, index, &query, &Filters::default(), 20)
        .unwrap()
        .into_iter()
        .map(|h| (h.speaker.unwrap_or_default(), h.text))
        .collect()
}

#[test]
fn sync_is_incremental_and_the_index_is_rebuilt_when_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.vbt");
    let mut store = SqliteStore::create(&path, &StudySettings::titled("T"), "t").unwrap();
    import(
        &mut store,
        "fg1",
        "fr",
        &[
            ("INT", "Et la confiance ?"),
            ("Marie", "😀 Je suis méfiante."),
            ("Paul", "La méfiance, toujours."),
        ],
    );
    let mut index = Index::open(&path).unwrap();
    let first = index.sync(&store).unwrap();
    assert_eq!((first.added, first.rebuilt), (1, true));
    assert!(!index.sync(&store).unwrap().changed_anything());
    // Focus-group attribution: each hit carries its turn's speaker.
    assert_eq!(
        hits(&store, &index, "méfiance"),
        [
            ("Marie".to_owned(), "méfiante".to_owned()),
            ("Paul".to_owned(), "méfiance".to_owned())
        ]
    );
    import(&mut store, "en1", "en", &[("P1", "Trusting them is hard.")]);
    let second = index.sync(&store).unwrap();
    assert_eq!((second.added, second.unchanged, second.changed), (1, 1, 0));
    assert_eq!(
        hits(&store, &index, "trust"),
        [("P1".into(), "Trusting".into())]
    );
    drop(index);
    std::fs::remove_dir_all(index_dir(&path)).unwrap();
    let mut index = Index::open(&path).unwrap();
    assert_eq!(index.sync(&store).unwrap().added, 2);
    assert_eq!(hits(&store, &index, "confiance").len(), 1);
}

#[test]
fn kwic_offsets_are_chars_after_emoji() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.vbt");
    let mut store = SqliteStore::create(&path, &StudySettings::titled("T"), "t").unwrap();
    import(
        &mut store,
        "fg",
        "fr",
        &[("Marie", "😀😀 une confiance 🙂 fragile")],
    );
    let mut index = Index::open(&path).unwrap();
    index.sync(&store).unwrap();
    let query = Query::parse("fragile", &mut Analyzers::default()).unwrap();
    let filters = Filters {
        role: Role::Participants,
        ..Filters::default()
    };
    let found = search(&store, &index, &query, &filters, 5).unwrap();
    let text = store
        .source(&verbatim_store::SourceRef::Id(1))
        .unwrap()
        .text;
    let h = &found[0];
    let sliced: String = text.chars().skip(h.start).take(h.end - h.start).collect();
    assert_eq!(sliced, "fragile");
    assert_eq!(h.left, "ce 🙂 ");
    assert_eq!(h.utf16_start, h.start + 3);
}
