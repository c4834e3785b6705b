//! A code's kind and its further parents (`CodebookEdits::set_code_kind`
//! and `link_code`, what `code kind` and `code link` do), run on SQLite and
//! PostgreSQL by `conformance!`: the change, its audit entry, its undo,
//! and the refusals in the same sentences with nothing written. The
//! consensus row is coder 1, so amira is coder 2 and bruno coder 3; the
//! levels are the defaults: idea 1, sub-theme 2, theme 3, meta-theme 4.

use verbatim_store::{Book, CodeFields, CodeKind, CodebookEdits, NewCode, Scope, StoreError};

use super::history::Full;

/// A backend with history and the codebook edits.
pub trait Linking: Full + CodebookEdits {}
impl<T: Full + CodebookEdits> Linking for T {}

conformance!(
    a_code_links_under_a_second_parent_by_the_codebook_rules,
    a_code_turns_structural_once_and_back_with_undo,
);

fn add(
    store: &mut impl Linking,
    scope: &Scope,
    name: &str,
    parent: Option<i64>,
    level: &str,
    book: Book,
) -> i64 {
    let new = NewCode {
        name: name.into(),
        level: Some(level.into()),
        parent,
        book: Some(book),
        fields: CodeFields::default(),
    };
    store.add_code(scope, &new).unwrap()
}

fn refusal(result: Result<(), StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn also_under(store: &impl Linking, scope: &Scope, id: i64) -> Vec<i64> {
    let tree = store.code_tree(scope, Book::Own).unwrap();
    tree.into_iter().find(|n| n.id == id).unwrap().also_under
}

fn a_code_links_under_a_second_parent_by_the_codebook_rules(store: &mut impl Linking) {
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let relation = add(store, &me, "Relation", None, "theme", Book::Own);
    let autonomie = add(store, &me, "Autonomie", None, "theme", Book::Own);
    let confiance = add(
        store,
        &me,
        "Confiance",
        Some(relation),
        "sub-theme",
        Book::Own,
    );
    let doute = add(store, &me, "Doute", Some(confiance), "idea", Book::Own);
    let parole = add(store, &me, "Parole", None, "sub-theme", Book::Own);
    let commun = add(store, &me, "Commun", None, "theme", Book::Shared);
    assert_eq!(
        [relation, autonomie, confiance, doute, parole, commun],
        [1, 2, 3, 4, 5, 6]
    );
    store.link_code(&me, confiance, autonomie).unwrap();
    assert_eq!(also_under(store, &me, confiance), [autonomie]);
    let entry = &store.audit_log(1).unwrap()[0];
    assert_eq!(entry.action, "code.link");
    assert_eq!(entry.target.as_deref(), Some("code:3"));
    assert_eq!(entry.data["summary"]["name"], "Confiance");
    assert_eq!(entry.data["summary"]["parent"], "Autonomie");
    assert_eq!(entry.data["changes"][0]["table"], "code_links");
    let before = store.audit_log(100).unwrap().len();
    // Its primary parent, then the link just made (the unique key).
    assert_eq!(
        refusal(store.link_code(&me, confiance, relation)),
        "\"Confiance\" is already under \"Relation\""
    );
    assert_eq!(
        refusal(store.link_code(&me, confiance, autonomie)),
        "\"Confiance\" is already under \"Autonomie\""
    );
    // Doute is below Relation (through Confiance): a cycle.
    assert_eq!(
        refusal(store.link_code(&me, relation, doute)),
        "that move would put a code under itself (a cycle); choose another parent"
    );
    // Two sub-themes: a parent must be higher.
    assert_eq!(
        refusal(store.link_code(&me, confiance, parole)),
        "\"Confiance\" cannot sit under \"Parole\": a parent must be of a higher level"
    );
    assert_eq!(
        refusal(store.link_code(&me, doute, commun)),
        "both codes must be in the same codebook"
    );
    assert_eq!(store.audit_log(100).unwrap().len(), before);
    let undone: Vec<String> = store
        .undo("amira", 1)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(undone, ["code.link"]);
    assert!(also_under(store, &me, confiance).is_empty());
}

fn a_code_turns_structural_once_and_back_with_undo(store: &mut impl Linking) {
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let question = add(store, &me, "Q1 Parcours", None, "idea", Book::Own);
    assert!(
        store
            .set_code_kind(&me, question, CodeKind::Structural)
            .unwrap()
    );
    let tree = store.code_tree(&me, Book::Own).unwrap();
    assert_eq!(tree[0].kind, CodeKind::Structural);
    let entry = &store.audit_log(1).unwrap()[0];
    assert_eq!(entry.action, "code.kind");
    assert_eq!(entry.target.as_deref(), Some("code:1"));
    assert_eq!(entry.data["summary"]["name"], "Q1 Parcours");
    assert_eq!(entry.data["summary"]["from"], "analytic");
    assert_eq!(entry.data["summary"]["to"], "structural");
    let entries = store.audit_log(100).unwrap().len();
    // Already structural: nothing written.
    assert!(
        !store
            .set_code_kind(&me, question, CodeKind::Structural)
            .unwrap()
    );
    // Bruno cannot change amira's code.
    let bruno = store.scope("bruno", false, false).unwrap();
    assert!(
        store
            .set_code_kind(&bruno, question, CodeKind::Analytic)
            .is_err()
    );
    assert_eq!(store.audit_log(100).unwrap().len(), entries);
    store.undo("amira", 1).unwrap();
    let tree = store.code_tree(&me, Book::Own).unwrap();
    assert_eq!(tree[0].kind, CodeKind::Analytic);
}
