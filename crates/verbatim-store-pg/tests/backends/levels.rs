//! The study's code levels (`CodebookEdits::set_levels`, what `code levels
//! --set` does), run on SQLite and PostgreSQL by `conformance!`: new
//! names, cleaned, with their audit entry, and the refusals in the same
//! sentences with nothing changed. A study starts with the defaults: idea
//! 1, sub-theme 2, theme 3, meta-theme 4.

use verbatim_store::{Book, CodeFields, CodebookEdits, NewCode, StoreError};

use super::history::Full;

/// A backend with history and the codebook edits.
pub trait Leveled: Full + CodebookEdits {}
impl<T: Full + CodebookEdits> Leveled for T {}

conformance!(levels_are_renamed_but_never_below_a_code_in_use);

fn names(store: &impl Leveled) -> Vec<(i64, String)> {
    store
        .levels()
        .unwrap()
        .into_iter()
        .map(|l| (l.rank, l.name))
        .collect()
}

fn refusal(result: Result<(), StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn levels_are_renamed_but_never_below_a_code_in_use(store: &mut impl Leveled) {
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let new = NewCode {
        name: "Relation".into(),
        level: Some("theme".into()),
        parent: None,
        book: Some(Book::Own),
        fields: CodeFields::default(),
    };
    store.add_code(&me, &new).unwrap();
    let entries = store.audit_log(100).unwrap().len();
    let two = ["idée".to_owned(), "thème".to_owned()];
    // Relation is a theme, rank 3: three names at least.
    assert_eq!(
        refusal(store.set_levels("amira", &two)),
        "codes exist at level 3; give at least 3 level names"
    );
    assert_eq!(
        refusal(store.set_levels("amira", &[" ".to_owned()])),
        "give at least one level name"
    );
    assert_eq!(store.audit_log(100).unwrap().len(), entries);
    assert_eq!(names(store)[3], (4, "meta-theme".to_owned()));
    let three = [" idée ", "", "sous-thème", "thème"].map(str::to_owned);
    store.set_levels("amira", &three).unwrap();
    // Trimmed, the empty name dropped, ranked from 1.
    let expected = [(1, "idée"), (2, "sous-thème"), (3, "thème")]
        .map(|(rank, name)| (rank, name.to_owned()))
        .to_vec();
    assert_eq!(names(store), expected);
    let entry = &store.audit_log(1).unwrap()[0];
    assert_eq!(entry.action, "levels.set");
    assert_eq!(entry.actor, "amira");
    assert_eq!(
        entry.data["levels"],
        serde_json::json!(["idée", "sous-thème", "thème"])
    );
    assert_eq!(
        store.code_tree(&me, Book::Own).unwrap()[0].level_name,
        "thème"
    );
}
