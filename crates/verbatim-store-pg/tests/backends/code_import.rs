//! A whole codebook imported at once (`CodebookEdits::import_codes`, what
//! `verbatim import codebook` writes) or copied (`copy_codebook`, `code
//! copy`), run on SQLite and PostgreSQL by
//! `conformance!`: the tree it makes, its one audit entry, its undo and
//! redo, and its refusals in the same sentences with nothing written. The
//! consensus row is coder 1, so amira is coder 2 and bruno coder 3; the
//! levels are the defaults: idea 1, sub-theme 2, theme 3, meta-theme 4.

use verbatim_store::{Book, CodeFields, CodebookEdits, ImportedCode, NewCode, StoreError};

use super::history::Full;

/// A backend with history and the codebook edits.
pub trait Importing: Full + CodebookEdits {}
impl<T: Full + CodebookEdits> Importing for T {}

conformance!(
    a_codebook_arrives_whole_after_the_roots_and_undoes_in_one_step,
    a_bad_codebook_is_refused_whole,
    a_codebook_copies_with_its_tree_and_undoes_in_one_step,
);

fn code(name: &str, level: i64, parents: &[usize]) -> ImportedCode {
    ImportedCode {
        name: name.into(),
        level,
        parents: parents.to_vec(),
        ..ImportedCode::default()
    }
}

fn refusal(result: Result<Vec<i64>, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// `(name, parent, also_under, position)` of a codebook, in tree order.
type Shape = Vec<(String, Option<i64>, Vec<i64>, i64)>;

fn shape(store: &impl Importing, scope: &verbatim_store::Scope, book: Book) -> Shape {
    store
        .code_tree(scope, book)
        .unwrap()
        .into_iter()
        .map(|n| (n.name, n.parent, n.also_under, n.position))
        .collect()
}

fn a_codebook_arrives_whole_after_the_roots_and_undoes_in_one_step(store: &mut impl Importing) {
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let new = NewCode {
        name: "Accès".into(),
        level: Some("theme".into()),
        parent: None,
        book: Some(Book::Own),
        fields: CodeFields::default(),
    };
    let acces = store.add_code(&amira, &new).unwrap();
    let mut confiance = code("  Confiance   mutuelle ", 1, &[0, 1]);
    confiance.guid = Some("{6F1C3A52-0D0B-4B8E-9C55-3E2A1B7D9F10}".into());
    confiance.fields.definition = Some("Se fier à l'autre.".into());
    let codes = vec![
        code("Relation", 3, &[]),
        code("Autonomie", 3, &[]),
        confiance,
    ];
    let ids = store.import_codes(&amira, Book::Own, &codes).unwrap();
    // Accès was the only code, id 1; the three follow it in list order.
    assert_eq!(acces, 1);
    assert_eq!(ids, [2, 3, 4]);
    // The roots go after Accès (positions 1, 2); Confiance is Relation's
    // first child (position 0) and also under Autonomie; its name has its
    // spaces made single.
    let expected: Shape = vec![
        ("Accès".into(), None, vec![], 0),
        ("Relation".into(), None, vec![], 1),
        ("Confiance mutuelle".into(), Some(2), vec![3], 0),
        ("Autonomie".into(), None, vec![], 2),
    ];
    assert_eq!(shape(store, &amira, Book::Own), expected);
    let tree = store.code_tree(&amira, Book::Own).unwrap();
    assert_eq!(tree[2].guid, "6f1c3a52-0d0b-4b8e-9c55-3e2a1b7d9f10");
    assert_eq!(tree[2].level, 1);
    assert_eq!(
        tree[2].fields.definition.as_deref(),
        Some("Se fier à l'autre.")
    );
    let entry = &store.audit_log(1).unwrap()[0];
    assert_eq!(entry.action, "codebook.import");
    assert_eq!(entry.actor, "amira");
    assert_eq!(entry.target.as_deref(), Some("coder:2"));
    assert_eq!(entry.data["summary"]["codes"], 3);
    assert_eq!(entry.data["summary"]["shared"], false);
    let tables: Vec<&str> = entry.data["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["table"].as_str().unwrap())
        .collect();
    assert_eq!(tables, ["codes", "codes", "codes", "code_links"]);
    // Bruno's codebook is another one, and amira's is blind to him.
    let bruno = store.scope("bruno", false, false).unwrap();
    assert!(store.code_tree(&bruno, Book::Own).unwrap().is_empty());
    // One undo takes all three codes and the link; redo brings them back.
    let undone: Vec<String> = store
        .undo("amira", 1)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(undone, ["codebook.import"]);
    assert_eq!(shape(store, &amira, Book::Own), expected[..1].to_vec());
    store.redo("amira", 1).unwrap();
    assert_eq!(shape(store, &amira, Book::Own), expected);
    // The same GUID again is kept by no second code: a new one is made.
    let mut again = code("Partage", 2, &[]);
    again.guid = Some("6f1c3a52-0d0b-4b8e-9c55-3e2a1b7d9f10".into());
    store.import_codes(&amira, Book::Shared, &[again]).unwrap();
    let shared = store.code_tree(&amira, Book::Shared).unwrap();
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0].owner, None);
    assert_ne!(shared[0].guid, tree[2].guid);
}

fn a_bad_codebook_is_refused_whole(store: &mut impl Importing) {
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    store
        .import_codes(&amira, Book::Own, &[code("Relation", 3, &[])])
        .unwrap();
    let before = store.audit_log(100).unwrap().len();
    let flat = vec![code("Lien", 3, &[]), code("Confiance", 3, &[0])];
    assert_eq!(
        refusal(store.import_codes(&amira, Book::Own, &flat)),
        "code \"Confiance\" cannot sit under \"Lien\": a parent must be of a higher level"
    );
    let twice = vec![code("Lien", 3, &[]), code("lien", 1, &[])];
    assert_eq!(
        refusal(store.import_codes(&amira, Book::Own, &twice)),
        "the codebook to import names \"lien\" twice under one parent"
    );
    // The defaults have 4 levels.
    assert_eq!(
        refusal(store.import_codes(&amira, Book::Own, &[code("Lien", 5, &[])])),
        "code \"Lien\" has level 5, but the study's levels run from 1 to 4"
    );
    let taken = vec![code("Lien", 3, &[]), code("relation", 3, &[])];
    assert_eq!(
        refusal(store.import_codes(&amira, Book::Own, &taken)),
        "the codebook already has codes named Relation: import into an empty codebook, or rename them first"
    );
    // Bruno is coder 3: his codebook is not amira's to fill.
    assert_eq!(
        refusal(store.import_codes(&amira, Book::Of(3), &[code("Lien", 3, &[])])),
        "codes can only be imported into your own codebook or the shared one"
    );
    assert_eq!(store.audit_log(100).unwrap().len(), before);
    let names: Vec<String> = store
        .code_tree(&amira, Book::Own)
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect();
    assert_eq!(names, ["Relation"]);
}

fn a_codebook_copies_with_its_tree_and_undoes_in_one_step(store: &mut impl Importing) {
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let mut confiance = code("Confiance", 2, &[0, 1]);
    confiance.fields.definition = Some("Se fier à l'autre.".into());
    let codes = vec![
        code("Relation", 3, &[]),
        code("Autonomie", 3, &[]),
        confiance,
    ];
    assert_eq!(
        store.import_codes(&amira, Book::Own, &codes).unwrap(),
        [1, 2, 3]
    );
    assert_eq!(
        store
            .copy_codebook(&amira, Book::Own, Book::Shared)
            .unwrap(),
        3
    );
    // Read by level, highest first, then id: Relation 1 → 4, Autonomie
    // 2 → 5, Confiance 3 → 6; positions and the link kept.
    let expected: Shape = vec![
        ("Relation".into(), None, vec![], 0),
        ("Confiance".into(), Some(4), vec![5], 0),
        ("Autonomie".into(), None, vec![], 1),
    ];
    assert_eq!(shape(store, &amira, Book::Shared), expected);
    let shared = store.code_tree(&amira, Book::Shared).unwrap();
    assert_eq!(shared[1].id, 6);
    assert_eq!(shared[1].owner, None);
    assert_eq!(
        shared[1].fields.definition.as_deref(),
        Some("Se fier à l'autre.")
    );
    let entry = &store.audit_log(1).unwrap()[0];
    assert_eq!(entry.action, "codebook.copy");
    assert_eq!(entry.target, None);
    assert_eq!(
        entry.data["summary"],
        serde_json::json!({ "from": 2, "to": null, "codes": 3 })
    );
    let before = store.audit_log(100).unwrap().len();
    let again = store.copy_codebook(&amira, Book::Own, Book::Shared);
    assert_eq!(
        refusal(again.map(|n| vec![n as i64])),
        "the target codebook already has codes named Relation, Autonomie: rename them first"
    );
    let same = store.copy_codebook(&amira, Book::Own, Book::Own);
    assert_eq!(
        refusal(same.map(|n| vec![n as i64])),
        "the source and target codebooks are the same"
    );
    // Bruno may not read amira's codebook while the layers are closed.
    let bruno = store.scope("bruno", false, false).unwrap();
    let blind = store.copy_codebook(&bruno, Book::Of(2), Book::Own);
    assert!(matches!(blind, Err(StoreError::Blind)), "{blind:?}");
    assert_eq!(store.audit_log(100).unwrap().len(), before);
    store.undo("amira", 1).unwrap();
    assert!(store.code_tree(&amira, Book::Shared).unwrap().is_empty());
    assert_eq!(shape(store, &amira, Book::Own).len(), 3);
}
