//! Pages of hits counted from the index: the count and lines of every page
//! are the full search's, offsets cover each hit once, and a write between
//! two searches shows in the second.

use verbatim_core::{Format, Language, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_search::{Analyzers, Filters, Hit, HitPage, Index, Query, Role, search, search_page};
use verbatim_store::{Book, ImportItem, NewCode, SqliteStore, Store, StudySettings};

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
                kind: SourceKind::Interview,
                site: None,
                language: Some(lang.parse::<Language>().unwrap()),
                source: source(lines),
            }],
        )
        .unwrap();
}

/// Three interviews, two French and one English, written for these tests.
fn study(dir: &std::path::Path) -> SqliteStore {
    let mut store =
        SqliteStore::create(&dir.join("s.vbt"), &StudySettings::titled("T"), "t").unwrap();
    import(
        &mut store,
        "ch1",
        "fr",
        &[
            ("INT", "Et la confiance envers l'hôpital ?"),
            (
                "P01",
                "La confiance se construit ; la méfiance revient, méfiante toujours.",
            ),
            ("INT", "La confiance, encore la confiance ?"),
            (
                "P01",
                "Le manque de personnel à l'hôpital : manque de tout, de personnel aussi.",
            ),
        ],
    );
    import(
        &mut store,
        "ch2",
        "fr",
        &[
            ("P02", "Méfiance. Méfiance. Confiance perdue à l'hopital."),
            ("INT", "Et la fatigue ?"),
            (
                "P02",
                "La fatigue, la fatigue des nuits ; la confiance reste.",
            ),
        ],
    );
    import(
        &mut store,
        "en1",
        "en",
        &[
            ("INT", "Do you trust the hospital?"),
            (
                "P03",
                "Trusting them is hard; trust is earned, the trust of patients.",
            ),
        ],
    );
    store
}

fn parse(q: &str) -> Query {
    Query::parse(q, &mut Analyzers::default()).unwrap()
}

fn page(store: &SqliteStore, index: &Index, q: &str, f: &Filters, at: (usize, usize)) -> HitPage {
    search_page(store, index, &parse(q), f, 30, at).unwrap()
}

const QUERIES: &[&str] = &[
    "confiance",
    "=confiance",
    "méfiance",
    "hôpital",
    "\"manque de personnel\"",
    "\"manque personnel\"~2",
    "méfi*",
    "conf* OR fatigue",
    "confiance AND hôpital",
    "confiance NOT méfiance",
    "(fatigue OR méfiance) confiance",
    "trust",
    "\"trust patients\"~3",
    "absent",
    // One phrase or prefix: counted from positions without the matcher.
    "\"l'hôpital\"",
    "=\"la confiance\"",
    "\"méfiance méfiance\"",
    "\"la fatigue\"",
    "trust*",
    "=trust",
];

#[test]
fn every_page_counts_and_cuts_what_the_full_search_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = study(dir.path());
    let mut index = Index::open(store.path()).unwrap();
    index.sync(&store).unwrap();
    for role in [Role::All, Role::Participants, Role::Interviewers] {
        let filters = Filters {
            role,
            ..Filters::default()
        };
        for q in QUERIES {
            let full: Vec<Hit> = search(&store, &index, &parse(q), &filters, 30).unwrap();
            let mut sources: Vec<i64> = full.iter().map(|h| h.source_id).collect();
            sources.dedup();
            for size in [1, 2, 3, 50] {
                let mut walked = Vec::new();
                let mut offset = 0;
                loop {
                    let p = page(&store, &index, q, &filters, (offset, size));
                    assert_eq!(p.total, full.len(), "{q:?} {role:?} at {offset}");
                    assert_eq!(p.sources, sources.len(), "{q:?} {role:?}");
                    assert_eq!(p.offset, offset);
                    assert!(p.hits.len() <= size);
                    assert_eq!(
                        p.hits,
                        full[offset.min(full.len())..(offset + size).min(full.len())]
                    );
                    walked.extend(p.hits);
                    offset += size;
                    if offset >= full.len() {
                        break;
                    }
                }
                assert_eq!(walked, full, "{q:?} {role:?} by {size}");
            }
        }
    }
}

#[test]
fn page_counts_match_counts_made_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let store = study(dir.path());
    let mut index = Index::open(store.path()).unwrap();
    index.sync(&store).unwrap();
    let all = Filters::default();
    // confiance (its family): ch1 1 + 1 + 2, ch2 1 + 1 ("Confiance", "confiance") = 6.
    let p = page(&store, &index, "confiance", &all, (0, 2));
    assert_eq!((p.total, p.sources, p.hits.len()), (6, 2, 2));
    // Participants only: ch1 P01 1, ch2 P02 2 = 3.
    let participants = Filters {
        role: Role::Participants,
        ..Filters::default()
    };
    assert_eq!(
        page(&store, &index, "confiance", &participants, (0, 50)).total,
        3
    );
    // méfi*: méfiance, méfiante (ch1), Méfiance ×2 (ch2) = 4, in order.
    let p = page(&store, &index, "méfi*", &all, (1, 2));
    assert_eq!(p.total, 4);
    let words: Vec<&str> = p.hits.iter().map(|h| h.text.as_str()).collect();
    assert_eq!(words, ["méfiante", "Méfiance"]);
    // The phrase once, in ch1's last turn ("manque de tout, de personnel"
    // is not it).
    assert_eq!(
        page(&store, &index, "\"manque de personnel\"", &all, (0, 9)).total,
        1
    );
    // trust in English: trust (INT), Trusting, trust, trust = 4.
    assert_eq!(page(&store, &index, "trust", &all, (0, 9)).total, 4);
    // Past the end: the count, no lines.
    let p = page(&store, &index, "trust", &all, (10, 5));
    assert_eq!((p.total, p.hits.len()), (4, 0));
}

#[test]
fn a_write_between_two_searches_shows_in_the_second() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = study(dir.path());
    let mut index = Index::open(store.path()).unwrap();
    index.sync(&store).unwrap();
    let all = Filters::default();
    assert_eq!(page(&store, &index, "fatigue", &all, (0, 9)).total, 3);
    // A coding touches no source: the sync sees it and indexes nothing.
    store.add_coder("t", "amira", None, None).unwrap();
    let scope = store.scope("amira", false, false).unwrap();
    let code = store
        .add_code(
            &scope,
            &NewCode {
                name: "Fatigue".into(),
                book: Some(Book::Own),
                ..NewCode::default()
            },
        )
        .unwrap();
    store
        .add_coding(&scope, 2, Span::new(0, 3).unwrap(), code, None)
        .unwrap();
    let after_coding = index.sync(&store).unwrap();
    assert!(!after_coding.changed_anything());
    assert_eq!(after_coding.unchanged, 3);
    // "Et la fatigue ?" is ch2's second turn; replace its "fatigue" with
    // "peur": 3 - 1 = 2 hits of fatigue, 1 of peur.
    let text = store
        .source(&verbatim_store::SourceRef::Id(2))
        .unwrap()
        .text;
    let byte = text.find("Et la fatigue").unwrap() + "Et la ".len();
    let start = text[..byte].chars().count();
    store
        .edit_source(
            &scope,
            2,
            Span::new(start, start + "fatigue".len()).unwrap(),
            "peur",
        )
        .unwrap();
    let after_edit = index.sync(&store).unwrap();
    assert_eq!((after_edit.changed, after_edit.unchanged), (1, 2));
    assert_eq!(page(&store, &index, "fatigue", &all, (0, 9)).total, 2);
    let peur = page(&store, &index, "peur", &all, (0, 9));
    assert_eq!((peur.total, peur.hits[0].start), (1, start));
}
