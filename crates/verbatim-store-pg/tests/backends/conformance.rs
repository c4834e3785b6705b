//! The `Store` trait's behaviour, written once over `impl Store` and run on
//! SQLite and PostgreSQL by the `conformance!` macro below. Every study
//! starts as `fixture::settings()` says, created by `tester`.

use verbatim_store::{ImportOutcome, SourceRef, Store, StoreError, TurnRecord};

use super::fixture::{self, TEXT};

/// Runs each behaviour on a new SQLite study and a new PostgreSQL study.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let mut store = verbatim_store::SqliteStore::create(
                        &dir.path().join("s.vbt"),
                        &super::super::fixture::settings(),
                        "tester",
                    )
                    .unwrap();
                    super::$name(&mut store);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    let Some(study) = super::super::pg::study(stringify!($name)) else {
                        return;
                    };
                    let mut store = super::super::pg::create(&study);
                    super::$name(&mut store);
                }
            )*
        }
    };
}

conformance!(
    a_new_study_says_what_init_was_told,
    import_keeps_text_turns_and_comments,
    the_same_text_is_stored_once_and_names_stay_unique,
    sources_are_found_by_id_then_by_name,
    the_audit_log_lists_newest_first_within_the_limit,
);

fn a_new_study_says_what_init_was_told(store: &mut impl Store) {
    let info = store.study().unwrap();
    assert_eq!(info.title, "Étude");
    assert_eq!(info.language.as_deref(), Some("fr"));
    assert!(info.created_at.contains('T'), "{}", info.created_at);
    assert!(store.sources().unwrap().is_empty());
    let log = store.audit_log(10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "study.create");
    assert_eq!(log[0].actor, "tester");
    assert_eq!(log[0].data["title"], "Étude");
    assert_eq!(log[0].data["language"], "fr");
}

fn import_keeps_text_turns_and_comments(store: &mut impl Store) {
    let outcomes = store
        .import_batch("amira", vec![fixture::interview("entretien")])
        .unwrap();
    assert_eq!(
        outcomes,
        vec![ImportOutcome::Imported {
            id: 1,
            name: "entretien".into()
        }]
    );
    let listed = store.sources().unwrap();
    assert_eq!(listed.len(), 1);
    let summary = &listed[0];
    assert_eq!(summary.chars, 40); // counted in fixture::TEXT's doc
    assert_eq!(summary.turns, 3);
    // In order of first appearance, each label once.
    assert_eq!(summary.speakers, ["INT", "CSI-2"]);
    assert_eq!(summary.format, "txt");
    assert_eq!(summary.kind, "interview");
    // The item gave no language, so the study's default applies.
    assert_eq!(summary.language.as_deref(), Some("fr"));
    assert_eq!(summary.site.as_deref(), Some("CS"));
    assert_eq!(summary.collected_on, None);

    let record = store.source(&SourceRef::Name("entretien".into())).unwrap();
    assert_eq!(record.text, TEXT);
    assert_eq!(record.summary, *summary);
    assert_eq!(
        record.original_path.as_deref(),
        Some("entretiens/cs-02.txt")
    );
    let spans: Vec<(Option<&str>, i64, i64, Option<i64>)> = record
        .turn_list
        .iter()
        .map(|t: &TurnRecord| (t.speaker.as_deref(), t.start, t.end, t.begin_ms))
        .collect();
    assert_eq!(
        spans,
        [
            (Some("INT"), 6, 13, Some(0)),
            (Some("CSI-2"), 22, 28, Some(2_500)),
            (Some("INT"), 35, 40, None)
        ]
    );
    let chars: Vec<char> = record.text.chars().collect();
    assert_eq!(chars[26], '😀');
    assert_eq!(record.memos.len(), 1);
    let memo = &record.memos[0];
    assert_eq!((memo.start, memo.end), (Some(26), Some(27)));
    assert_eq!(memo.origin, "document-comment");
    assert_eq!(memo.author.as_deref(), Some("Relectrice"));
    assert_eq!(memo.written_at.as_deref(), Some("2026-03-02T10:00:00Z"));
    assert_eq!(memo.body, "Rire à l'enregistrement");

    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "source.import");
    assert_eq!(log[0].actor, "amira");
    assert_eq!(log[0].target.as_deref(), Some("source:1"));
    assert_eq!(log[0].data["turns"], 3);
    assert_eq!(log[0].data["chars"], 40);
}

fn the_same_text_is_stored_once_and_names_stay_unique(store: &mut impl Store) {
    let outcomes = store
        .import_batch(
            "amira",
            vec![
                fixture::interview("entretien"),
                fixture::note("entretien", "We met at the clinic."),
                fixture::interview("copie"),
            ],
        )
        .unwrap();
    assert_eq!(
        outcomes,
        vec![
            ImportOutcome::Imported {
                id: 1,
                name: "entretien".into()
            },
            ImportOutcome::Imported {
                id: 2,
                name: "entretien (2)".into()
            },
            ImportOutcome::Duplicate {
                existing: "entretien".into()
            },
        ]
    );
    let again = store
        .import_batch("bruno", vec![fixture::note("x", "We met at the clinic.")])
        .unwrap();
    assert_eq!(
        again,
        vec![ImportOutcome::Duplicate {
            existing: "entretien (2)".into()
        }]
    );
    let names: Vec<String> = store
        .sources()
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["entretien", "entretien (2)"]);
    // A duplicate leaves no trace: one creation and two imports.
    assert_eq!(store.audit_log(10).unwrap().len(), 3);
    // "We met at the clinic." is 21 chars; its own language wins.
    let note = &store.sources().unwrap()[1];
    assert_eq!((note.chars, note.turns), (21, 1));
    assert_eq!(note.language.as_deref(), Some("en"));
    assert_eq!(note.kind, "focus_group");
}

fn sources_are_found_by_id_then_by_name(store: &mut impl Store) {
    store
        .import_batch("amira", vec![fixture::interview("7")])
        .unwrap();
    assert_eq!(store.source(&SourceRef::Id(1)).unwrap().summary.name, "7");
    // No source has id 7, so the digits are read as a name.
    assert_eq!(store.source(&SourceRef::Id(7)).unwrap().summary.id, 1);
    for (which, shown) in [
        (SourceRef::Id(99), "99"),
        (SourceRef::Name("absent".into()), "absent"),
    ] {
        match store.source(&which) {
            Err(StoreError::SourceNotFound(name)) => assert_eq!(name, shown),
            other => panic!("{which:?}: {other:?}"),
        }
    }
}

fn the_audit_log_lists_newest_first_within_the_limit(store: &mut impl Store) {
    store
        .import_batch("amira", vec![fixture::interview("un")])
        .unwrap();
    store
        .import_batch("bruno", vec![fixture::note("deux", "Second note.")])
        .unwrap();
    let all = store.audit_log(10).unwrap();
    let seen: Vec<(&str, &str, Option<&str>)> = all
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str(), e.target.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("bruno", "source.import", Some("source:2")),
            ("amira", "source.import", Some("source:1")),
            ("tester", "study.create", None),
        ]
    );
    assert!(all.windows(2).all(|w| w[0].id > w[1].id));
    let two = store.audit_log(2).unwrap();
    assert_eq!(two, all[..2]);
    assert!(store.audit_log(0).unwrap().is_empty());
}
