//! Tests of the coding engine's rules, through the library API the CLI and
//! the server share.

use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};

use crate::{
    Book, Cascade, CodeFields, CodingFilter, ImportItem, NewCode, Scope, SqliteStore, Store,
    StoreError, StudySettings,
};

const TEXT: &str = "INT : Et la relation ?\nCSI-2 : La confiance se construit lentement. On fouille les sacs, on surveille 😀 tout.";

struct Study {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    source: i64,
}

fn study() -> Study {
    let dir = tempfile::tempdir().unwrap();
    let mut store =
        SqliteStore::create(&dir.path().join("s.vbt"), &StudySettings::titled("t"), "t").unwrap();
    let chars = TEXT.chars().count();
    let turns = vec![
        Turn {
            speaker: Some("INT".into()),
            span: Span::new(6, 22).unwrap(),
            begin_ms: None,
            end_ms: None,
        },
        Turn {
            speaker: Some("CSI-2".into()),
            span: Span::new(31, chars).unwrap(),
            begin_ms: None,
            end_ms: None,
        },
    ];
    let source = NormalisedSource::new(
        Format::Txt,
        TEXT.into(),
        turns,
        vec![],
        SourceMetadata::default(),
    )
    .unwrap();
    store
        .import_batch(
            "t",
            vec![ImportItem {
                name: "a".into(),
                original_path: None,
                kind: SourceKind::Interview,
                site: None,
                language: None,
                source,
            }],
        )
        .unwrap();
    store.add_coder("t", "amira", None, None).unwrap();
    store.add_coder("t", "bruno", None, None).unwrap();
    Study {
        _dir: dir,
        store,
        source: 1,
    }
}

fn code(
    store: &mut SqliteStore,
    scope: &Scope,
    name: &str,
    level: &str,
    parent: Option<i64>,
) -> i64 {
    store
        .add_code(
            scope,
            &NewCode {
                name: name.into(),
                level: Some(level.into()),
                parent,
                ..NewCode::default()
            },
        )
        .unwrap()
}

fn span_of(quote: &str) -> Span {
    let byte = TEXT.find(quote).unwrap();
    let start = TEXT[..byte].chars().count();
    Span::new(start, start + quote.chars().count()).unwrap()
}

/// A dump of the coding tables, to compare states before and after.
fn state(store: &SqliteStore) -> Vec<String> {
    let mut out = Vec::new();
    for table in ["codes", "code_links", "codings", "translations", "coders"] {
        let mut stmt = store
            .conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
            .unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect();
            out.push(format!("{table}: {}", cells.join("|")));
        }
    }
    out
}

#[test]
fn merging_moves_codings_without_duplicates() {
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let a = code(&mut s.store, &amira, "Policing users", "idea", None);
    let b = code(&mut s.store, &amira, "Excessive control", "idea", None);
    let same = span_of("On fouille les sacs");
    s.store.add_coding(&amira, s.source, same, a, None).unwrap();
    s.store.add_coding(&amira, s.source, same, b, None).unwrap();
    s.store
        .add_coding(&amira, s.source, span_of("on surveille"), a, None)
        .unwrap();
    let moved = s.store.merge_codes(&amira, a, b).unwrap();
    assert_eq!(moved, 1, "only the passage b did not already have moves");
    let codings = s.store.codings(&amira, &CodingFilter::default()).unwrap();
    let texts: Vec<(&str, &str)> = codings
        .iter()
        .map(|c| (c.code.as_str(), c.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        vec![
            ("Excessive control", "On fouille les sacs"),
            ("Excessive control", "on surveille")
        ]
    );
    assert!(matches!(
        s.store.find_code(&amira, "Policing users", None),
        Err(StoreError::UnknownCode(_))
    ));
}

#[test]
fn an_idea_can_feed_two_themes_and_counts_roll_up() {
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let t1 = code(&mut s.store, &amira, "Distrust", "theme", None);
    let t2 = code(&mut s.store, &amira, "Control", "theme", None);
    let idea = code(&mut s.store, &amira, "Bag searches", "idea", Some(t1));
    s.store.link_code(&amira, idea, t2).unwrap();
    s.store
        .add_coding(&amira, s.source, span_of("On fouille les sacs"), idea, None)
        .unwrap();
    let tree = s.store.code_tree(&amira, Book::Own).unwrap();
    let node = |name: &str| tree.iter().find(|n| n.name == name).unwrap().clone();
    assert_eq!(node("Bag searches").also_under, vec![t2]);
    assert_eq!(node("Distrust").codings_total, 1);
    assert_eq!(node("Control").codings_total, 1);
    assert_eq!(node("Control").sources_total, 1);
    // Listing by a theme finds codings of the ideas under it, through either parent.
    let under = |store: &SqliteStore, code| {
        store
            .codings(
                &amira,
                &CodingFilter {
                    code: Some(code),
                    ..CodingFilter::default()
                },
            )
            .unwrap()
            .len()
    };
    assert_eq!(under(&s.store, t1), 1);
    assert_eq!(under(&s.store, t2), 1);
}

#[test]
fn levels_and_cycles_are_enforced_and_leave_nothing_changed() {
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let theme = code(&mut s.store, &amira, "Distrust", "theme", None);
    let sub = code(&mut s.store, &amira, "Searches", "sub-theme", Some(theme));
    let before = state(&s.store);
    let cycle = s
        .store
        .move_code(&amira, theme, Some(sub), None)
        .unwrap_err();
    assert!(
        cycle.to_string().contains("cycle") || cycle.to_string().contains("higher level"),
        "{cycle}"
    );
    let too_high = s.store.add_code(
        &amira,
        &NewCode {
            name: "Meta".into(),
            level: Some("meta-theme".into()),
            parent: Some(sub),
            ..NewCode::default()
        },
    );
    assert!(
        too_high
            .unwrap_err()
            .to_string()
            .contains("same or a lower level")
    );
    assert!(s.store.link_code(&amira, theme, theme).is_err());
    let dup = s.store.add_code(
        &amira,
        &NewCode {
            name: "Distrust".into(),
            ..NewCode::default()
        },
    );
    assert!(
        dup.unwrap_err()
            .to_string()
            .contains("already has a code named")
    );
    assert_eq!(state(&s.store), before);
}

#[test]
fn a_cycle_through_a_further_parent_is_refused() {
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    s.store
        .set_levels(
            "t",
            &["a".into(), "b".into(), "c".into(), "d".into(), "e".into()],
        )
        .unwrap();
    let top = code(&mut s.store, &amira, "Top", "e", None);
    let mid = code(&mut s.store, &amira, "Mid", "c", Some(top));
    let low = code(&mut s.store, &amira, "Low", "a", Some(mid));
    let other = code(&mut s.store, &amira, "Other", "d", None);
    s.store.link_code(&amira, mid, other).unwrap();
    let err = s
        .store
        .move_code(&amira, other, Some(low), None)
        .unwrap_err();
    assert!(err.to_string().contains("cycle") || err.to_string().contains("higher level"));
}

#[test]
fn blind_layers_are_enforced_by_the_library() {
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let bruno = s.store.scope("bruno", false, false).unwrap();
    let a = code(&mut s.store, &amira, "Trust", "idea", None);
    let b = code(&mut s.store, &bruno, "Confidence", "idea", None);
    s.store
        .add_coding(&amira, s.source, span_of("La confiance"), a, None)
        .unwrap();
    s.store
        .add_coding(
            &bruno,
            s.source,
            span_of("La confiance se construit"),
            b,
            None,
        )
        .unwrap();

    // Each sees only their own codings and codebook.
    let mine = s.store.codings(&bruno, &CodingFilter::default()).unwrap();
    assert_eq!(
        mine.iter().map(|c| c.coder.as_str()).collect::<Vec<_>>(),
        vec!["bruno"]
    );
    assert!(s.store.find_code(&bruno, "Trust", None).is_err());
    assert!(
        s.store.find_code(&bruno, &a.to_string(), None).is_err(),
        "ids do not leak either"
    );
    assert!(matches!(
        s.store.code_tree(&bruno, Book::Of(amira.coder().id)),
        Err(StoreError::Blind)
    ));
    let other = CodingFilter {
        coder: Some(amira.coder().id),
        ..CodingFilter::default()
    };
    assert!(matches!(
        s.store.codings(&bruno, &other),
        Err(StoreError::Blind)
    ));
    assert!(
        s.store
            .add_coding(&bruno, s.source, span_of("On fouille"), a, None)
            .is_err()
    );
    assert!(matches!(
        s.store.scope("bruno", true, false),
        Err(StoreError::Blind)
    ));

    // A coder's "I code alone" opens nothing in a study of two coders, and
    // the study cannot be declared solo once both coded blind.
    assert!(matches!(
        s.store.scope("bruno", true, true),
        Err(StoreError::Blind)
    ));
    let refused = s.store.mark_solo("bruno").unwrap_err().to_string();
    assert!(refused.contains("verbatim reveal"), "{refused}");
    assert!(!s.store.is_solo().unwrap());
    // Reveal opens every layer and says who opened them.
    s.store.reveal("amira").unwrap();
    assert_eq!(s.store.revealed().unwrap().unwrap().0, "amira");
    let solo = s.store.scope("bruno", true, true).unwrap();
    assert_eq!(
        s.store
            .codings(&solo, &CodingFilter::default())
            .unwrap()
            .len(),
        2
    );
    let all = s.store.scope("bruno", true, false).unwrap();
    assert_eq!(s.store.codings(&all, &other).unwrap().len(), 1);
    // Seeing is not changing: bruno still cannot edit amira's codebook.
    assert!(s.store.rename_code(&all, a, "Mine now").is_err());
}

#[test]
fn spans_are_checked_against_the_source() {
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let a = code(&mut s.store, &amira, "Trust", "idea", None);
    let before = state(&s.store);
    let len = TEXT.chars().count();
    let err = s
        .store
        .add_coding(
            &amira,
            s.source,
            Span::new(len - 2, len + 1).unwrap(),
            a,
            None,
        )
        .unwrap_err();
    assert!(err.to_string().contains("outside a text of"), "{err}");
    assert!(
        s.store
            .add_coding(&amira, s.source, Span::new(3, 3).unwrap(), a, None)
            .is_err()
    );
    assert!(
        s.store
            .add_coding(&amira, 99, Span::new(0, 3).unwrap(), a, None)
            .is_err()
    );
    assert!(
        s.store
            .add_coding(&amira, s.source, Span::new(0, 3).unwrap(), 999, None)
            .is_err()
    );
    assert_eq!(state(&s.store), before);
    // The emoji counts as one char: the span covers exactly it.
    let located = s.store.locate(s.source, "😀", None).unwrap();
    let (id, _) = s
        .store
        .add_coding(&amira, s.source, located.span, a, None)
        .unwrap();
    let listed = s.store.codings(&amira, &CodingFilter::default()).unwrap();
    assert_eq!(listed.iter().find(|c| c.id == id).unwrap().text, "😀");
    let twice = s.store.locate(s.source, "on", None).unwrap_err();
    assert!(twice.to_string().contains("occurs"), "{twice}");
}

#[test]
fn every_kind_of_change_can_be_undone_and_redone() {
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let theme = code(&mut s.store, &amira, "Distrust", "theme", None);
    let other = code(&mut s.store, &amira, "Control", "theme", None);
    let idea = code(&mut s.store, &amira, "Searches", "idea", Some(theme));
    let (coding, _) = s
        .store
        .add_coding(&amira, s.source, span_of("On fouille les sacs"), idea, None)
        .unwrap();
    let (coding2, _) = s
        .store
        .add_coding(&amira, s.source, span_of("on surveille"), idea, None)
        .unwrap();

    type Action = Box<dyn Fn(&mut SqliteStore, &Scope)>;
    let lang: verbatim_core::Language = "en".parse().unwrap();
    let actions: Vec<(&str, Action)> = vec![
        (
            "rename",
            Box::new(move |st, sc| st.rename_code(sc, idea, "Bag searches").unwrap()),
        ),
        (
            "describe",
            Box::new(move |st, sc| {
                st.describe_code(
                    sc,
                    idea,
                    &CodeFields {
                        definition: Some("Staff search belongings".into()),
                        ..CodeFields::default()
                    },
                    None,
                )
                .unwrap();
            }),
        ),
        (
            "move",
            Box::new(move |st, sc| st.move_code(sc, idea, Some(other), Some(0)).unwrap()),
        ),
        (
            "link",
            Box::new(move |st, sc| st.link_code(sc, idea, theme).unwrap()),
        ),
        (
            "quote",
            Box::new(move |st, sc| st.set_quote(sc, coding, true).unwrap()),
        ),
        (
            "translate",
            Box::new(move |st, sc| {
                st.translate(sc, coding, &lang, "We search the bags")
                    .unwrap();
            }),
        ),
        (
            "split",
            Box::new(move |st, sc| {
                st.split_code(sc, idea, "Surveillance", &[coding2]).unwrap();
            }),
        ),
        (
            "merge",
            Box::new(move |st, sc| {
                st.merge_codes(sc, other, theme).unwrap();
            }),
        ),
        (
            "remove coding",
            Box::new(move |st, sc| st.remove_coding(sc, coding).unwrap()),
        ),
        (
            "delete cascade",
            Box::new(move |st, sc| {
                st.delete_code(sc, idea, Some(Cascade::Uncategorised))
                    .unwrap();
            }),
        ),
        (
            "copy codebook",
            Box::new(move |st, sc| {
                st.copy_codebook(sc, Book::Own, Book::Shared).unwrap();
            }),
        ),
    ];
    for (what, action) in &actions {
        let before = state(&s.store);
        action(&mut s.store, &amira);
        let after = state(&s.store);
        assert_ne!(before, after, "{what} changed nothing");
        s.store.undo("amira", 1).unwrap();
        assert_eq!(state(&s.store), before, "undo of {what}");
        s.store.redo("amira", 1).unwrap();
        assert_eq!(state(&s.store), after, "redo of {what}");
    }
    // Several steps back at once, then nothing more to redo after a new action.
    let before_all = state(&s.store);
    s.store.undo("amira", 3).unwrap();
    assert_ne!(state(&s.store), before_all);
    s.store.redo("amira", 3).unwrap();
    assert_eq!(state(&s.store), before_all);
    let err = s.store.redo("amira", 1).unwrap_err();
    assert!(err.to_string().contains("nothing to redo"));
}

#[test]
fn undo_never_overwrites_someone_elses_later_change() {
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let bruno = s.store.scope("bruno", false, false).unwrap();
    let shared = s
        .store
        .add_code(
            &amira,
            &NewCode {
                name: "Trust".into(),
                book: Some(Book::Shared),
                ..NewCode::default()
            },
        )
        .unwrap();
    s.store.rename_code(&amira, shared, "Confiance").unwrap();
    s.store
        .rename_code(&bruno, shared, "Confiance mutuelle")
        .unwrap();
    let before = state(&s.store);
    let err = s.store.undo("amira", 1).unwrap_err();
    assert!(err.to_string().contains("has changed since"), "{err}");
    assert_eq!(state(&s.store), before);
    // Each coder's stack is their own: bruno undoes his rename.
    s.store.undo("bruno", 1).unwrap();
    assert_eq!(
        s.store.code_tree(&amira, Book::Shared).unwrap()[0].name,
        "Confiance"
    );
}

#[test]
fn deleting_a_code_with_codings_needs_a_cascade() {
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let theme = code(&mut s.store, &amira, "Distrust", "theme", None);
    let idea = code(&mut s.store, &amira, "Searches", "idea", Some(theme));
    s.store
        .add_coding(&amira, s.source, span_of("On fouille"), theme, None)
        .unwrap();
    let before = state(&s.store);
    let err = s.store.delete_code(&amira, theme, None).unwrap_err();
    assert!(err.to_string().contains("--cascade"), "{err}");
    assert_eq!(state(&s.store), before);
    s.store
        .delete_code(&amira, theme, Some(Cascade::Uncategorised))
        .unwrap();
    let tree = s.store.code_tree(&amira, Book::Own).unwrap();
    let names: Vec<&str> = tree.iter().map(|n| n.name.as_str()).collect();
    assert!(names.contains(&"Uncategorised") && names.contains(&"Searches"));
    assert_eq!(
        tree.iter().find(|n| n.id == idea).unwrap().parent,
        None,
        "children move up"
    );
    let listed = s.store.codings(&amira, &CodingFilter::default()).unwrap();
    assert_eq!(listed[0].code, "Uncategorised");
}

#[test]
fn memos_follow_their_code_or_coding() {
    use crate::{MemoFilter, MemoTarget};
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let a = code(&mut s.store, &amira, "Policing", "idea", None);
    let b = code(&mut s.store, &amira, "Control", "idea", None);
    let (coding, _) = s
        .store
        .add_coding(&amira, s.source, span_of("On fouille"), a, None)
        .unwrap();
    s.store
        .add_memo(
            &amira,
            &MemoTarget::Coding(coding),
            None,
            "Fouille = contrôle ?",
        )
        .unwrap();
    s.store
        .add_memo(&amira, &MemoTarget::Code(a), None, "Proche de Control")
        .unwrap();
    let on = |store: &SqliteStore, target: MemoTarget| {
        let filter = MemoFilter {
            target: Some(target),
            ..MemoFilter::default()
        };
        store.memos(&amira, &filter).unwrap().len()
    };
    s.store.merge_codes(&amira, a, b).unwrap();
    assert_eq!(
        on(&s.store, MemoTarget::Code(b)),
        1,
        "the merged code's memo moves"
    );
    let before = state(&s.store);
    s.store.remove_coding(&amira, coding).unwrap();
    assert_eq!(
        on(&s.store, MemoTarget::Coding(coding)),
        0,
        "no memo left on nothing"
    );
    s.store.undo("amira", 1).unwrap();
    assert_eq!(
        on(&s.store, MemoTarget::Coding(coding)),
        1,
        "undo brings the memo back"
    );
    assert_eq!(state(&s.store), before);
}

#[test]
fn sealing_takes_the_entry_off_the_undo_stack_only() {
    use crate::journal::EntryKind;
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let theme = code(&mut s.store, &amira, "Distrust", "theme", None);
    let entry = s
        .store
        .add_entry(
            &amira,
            EntryKind::Preconception,
            "Attentes",
            "Je m’attends à de la méfiance.",
        )
        .unwrap();
    s.store.seal(&amira, entry).unwrap();
    s.store
        .add_coding(&amira, s.source, span_of("On fouille"), theme, None)
        .unwrap();
    let undone = s.store.undo("amira", 2).unwrap();
    let actions: Vec<&str> = undone.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["coding.add", "code.add"],
        "the sealed entry's creation is skipped"
    );
    assert!(s.store.verify_journal().unwrap().is_empty());
}

#[test]
fn a_study_declared_solo_before_a_second_coder_codes_opens_every_layer() {
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let a = code(&mut s.store, &amira, "Confiance", "theme", None);
    s.store
        .add_coding(&amira, s.source, Span::new(31, 43).unwrap(), a, None)
        .unwrap();
    // Only amira has coded: declaring the study solo is allowed, audited.
    assert!(s.store.mark_solo("amira").unwrap());
    assert!(!s.store.mark_solo("amira").unwrap(), "already solo");
    let log = s.store.audit_log(10).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "study.solo" && e.actor == "amira")
    );
    let bruno = s.store.scope("bruno", false, false).unwrap();
    let b = code(&mut s.store, &bruno, "Trust", "theme", None);
    s.store
        .add_coding(&bruno, s.source, Span::new(44, 60).unwrap(), b, None)
        .unwrap();
    let all = s.store.scope("bruno", true, true).unwrap();
    let seen = s.store.codings(&all, &CodingFilter::default()).unwrap();
    assert_eq!(seen.len(), 2);
}

#[test]
fn a_name_in_both_the_coders_and_the_shared_codebook_is_ambiguous() {
    let mut s = study();
    let amira = s.store.scope("amira", false, false).unwrap();
    let mine = code(&mut s.store, &amira, "Confiance", "theme", None);
    let shared = s
        .store
        .add_code(
            &amira,
            &NewCode {
                name: "Confiance".into(),
                book: Some(Book::Shared),
                ..NewCode::default()
            },
        )
        .unwrap();
    let err = s
        .store
        .find_code(&amira, "Confiance", None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("(id {mine}, your codebook)")),
        "{err}"
    );
    assert!(
        err.contains(&format!("(id {shared}, shared codebook)")),
        "{err}"
    );
    // Naming the book, or the id, picks one.
    let found = s.store.find_code(&amira, "Confiance", Some(Book::Shared));
    assert_eq!(found.unwrap(), shared);
    let by_id = s.store.find_code(&amira, &mine.to_string(), None);
    assert_eq!(by_id.unwrap(), mine);
}
