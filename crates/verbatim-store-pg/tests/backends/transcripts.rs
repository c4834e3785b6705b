//! The `Transcripts` reads a search index is built from, run on SQLite and
//! PostgreSQL by `conformance!`: texts and turns, who speaks each label,
//! and the change mark that lets an index skip its comparison after a
//! coding but not after an import.

use verbatim_core::Span;
use verbatim_store::{
    Book, CodeFields, Codebook, Coders, Codings, NewCode, SourceRef, Transcripts,
};

use super::{fixture, pg};

/// A study backend with the traits these tests use.
pub trait Backend: Transcripts + Coders + Codebook + Codings {}
impl<T: Transcripts + Coders + Codebook + Codings> Backend for T {}

conformance!(
    texts_turns_and_labels_read_alike,
    a_coding_leaves_the_sources_unchanged_and_an_import_does_not,
);

fn texts_turns_and_labels_read_alike(store: &mut impl Backend) {
    store
        .import_batch("tester", vec![fixture::interview("cs-02")])
        .unwrap();
    let (text, table, turns) = store.text_and_turns(1).unwrap();
    assert_eq!(text, fixture::TEXT);
    // 40 chars (worked out in `fixture::TEXT`'s comment), 44 bytes.
    assert_eq!((table.chars(), text.len()), (40, 44));
    let spans: Vec<(Option<&str>, i64, i64)> = turns
        .iter()
        .map(|t| (t.speaker.as_deref(), t.start, t.end))
        .collect();
    assert_eq!(
        spans,
        [
            (Some("INT"), 6, 13),
            (Some("CSI-2"), 22, 28),
            (Some("INT"), 35, 40)
        ]
    );
    assert_eq!(store.source_text(1).unwrap(), fixture::TEXT);
    assert_eq!(store.source_summary(1).unwrap().name, "cs-02");
    assert_eq!(store.content_hashes().unwrap().len(), 1);
    // No roster: INT is an interviewer word, CSI-2 a label no rule maps.
    let who: Vec<(String, i64, i64, String)> = store
        .speakers(Some(1))
        .unwrap()
        .into_iter()
        .map(|r| (r.label, r.turns, r.first_turn, r.role))
        .collect();
    assert_eq!(
        who,
        [
            ("INT".into(), 2, 0, "interviewer".into()),
            ("CSI-2".into(), 1, 1, "unmapped".into())
        ]
    );
    let roles = store
        .label_roles(vec![(1, "CSI-2".into()), (9, "INT".into())])
        .unwrap();
    // Source 9 does not exist, so its label is left out.
    assert_eq!(roles.len(), 1);
    assert_eq!(
        (roles[0].source.as_str(), roles[0].role.as_str()),
        ("cs-02", "unmapped")
    );
    assert!(store.participants().unwrap().is_empty());
    assert_eq!(store.find_site("CS").unwrap(), None);
}

fn a_coding_leaves_the_sources_unchanged_and_an_import_does_not(store: &mut impl Backend) {
    store
        .import_batch("tester", vec![fixture::interview("cs-02")])
        .unwrap();
    let before = store.change_mark().unwrap();
    assert_eq!(store.change_mark().unwrap(), before, "nothing written");
    assert!(!store.sources_changed_since(&before).unwrap());
    store.add_coder("tester", "amira", None, None).unwrap();
    let scope = store.scope("amira", false, false).unwrap();
    let code = NewCode {
        name: "Accueil".into(),
        level: None,
        parent: None,
        book: Some(Book::Own),
        fields: CodeFields::default(),
    };
    let code = store.add_code(&scope, &code).unwrap();
    let source = store.source_id(&SourceRef::Id(1)).unwrap();
    store
        .add_coding(&scope, source, Span::new(22, 28).unwrap(), code, None)
        .unwrap();
    let coded = store.change_mark().unwrap();
    // Three entries since: the coder, the code, the coding.
    assert_ne!(coded, before);
    assert!(coded.counter >= before.counter + 3, "{coded:?} {before:?}");
    assert!(!store.sources_changed_since(&before).unwrap());
    let outcomes = store
        .import_batch(
            "tester",
            vec![fixture::note("cs-03", "Le car, puis la marche.")],
        )
        .unwrap();
    assert_eq!(outcomes.len(), 1);
    assert!(store.sources_changed_since(&coded).unwrap());
    assert!(store.sources_changed_since(&before).unwrap());
}

#[test]
fn an_entry_committed_below_the_mark_is_not_missed() {
    let Some(study) = pg::study("mark_out_of_order") else {
        return;
    };
    let store = pg::create(&study);
    let mark = store.change_mark().unwrap();
    assert!(!store.sources_changed_since(&mark).unwrap());
    // A transaction that took its UUIDv7 before the mark was read and
    // committed after: its id sorts below the mark's newest. On its own
    // the entry names no transcript table, yet the count has grown by one
    // with no entry above the mark, so the answer must be "may have".
    study
        .admin()
        .execute(
            &format!(
                "INSERT INTO \"{}\".audit (id, at, actor, action, target, data, undoable) \
                 VALUES ('00000000-0000-7000-8000-000000000000', 'x', 'late', 'coding.add', \
                 NULL, '{{\"changes\": [{{\"table\": \"codings\"}}]}}', FALSE)",
                study.address.study()
            ),
            &[],
        )
        .unwrap();
    let now = store.change_mark().unwrap();
    assert_eq!(now.counter, mark.counter + 1);
    assert_eq!(now.newest, mark.newest);
    assert!(store.sources_changed_since(&mark).unwrap());
    assert!(!store.sources_changed_since(&now).unwrap());
}
