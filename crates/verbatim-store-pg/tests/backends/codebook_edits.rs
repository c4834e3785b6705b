//! Changing codes and codings (`CodebookEdits`, `CodingEdits`), written
//! once and run on SQLite and PostgreSQL by `conformance!`: each edit, its
//! refusals in the same sentences, its audit entry, its undo and redo, and
//! the blind layers. Every study starts as `fixture::settings()` says; its
//! consensus row is coder 1, so amira is coder 2 and bruno coder 3. The
//! levels are the defaults: idea 1, sub-theme 2, theme 3, meta-theme 4.
//!
//! In `fixture::TEXT` (40 chars) "INT :" is 0..5, "Ça va ?" 6..13,
//! "Oui 😀." 22..28 and "Bien." 35..40.

use verbatim_core::{Language, Span};
use verbatim_store::{
    Book, Cascade, CodeFields, CodebookEdits, CodingEdits, CodingFilter, MemoFilter, MemoTarget,
    Memos, NewCode, Scope, StoreError, UNCATEGORISED,
};

use super::fixture;
use super::history::Full;

/// A backend with the coding traits, history, memos and the edits.
pub trait Edits: Full + Memos + CodebookEdits + CodingEdits {}
impl<T: Full + Memos + CodebookEdits + CodingEdits> Edits for T {}

conformance!(
    renaming_and_describing_follow_the_codebook_rules,
    moving_reorders_siblings_and_refuses_cycles_and_levels,
    merging_moves_codings_children_and_memos,
    splitting_moves_the_codings_listed,
    deleting_a_code_takes_a_cascade,
    coding_edits_change_memo_span_quote_and_translation,
);

/// Adds a code to the scope's own codebook and returns its id.
fn add(
    store: &mut impl Edits,
    scope: &Scope,
    name: &str,
    parent: Option<i64>,
    level: Option<&str>,
) -> i64 {
    let new = NewCode {
        name: name.into(),
        level: level.map(str::to_owned),
        parent,
        book: Some(Book::Own),
        fields: CodeFields::default(),
    };
    store.add_code(scope, &new).unwrap()
}

fn shared(store: &mut impl Edits, scope: &Scope, name: &str) -> i64 {
    let new = NewCode {
        name: name.into(),
        level: Some("sub-theme".into()),
        parent: None,
        book: Some(Book::Shared),
        fields: CodeFields::default(),
    };
    store.add_code(scope, &new).unwrap()
}

fn span(start: usize, end: usize) -> Span {
    Span::new(start, end).unwrap()
}

fn invalid(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn unknown(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::UnknownCode(word)) => word,
        other => panic!("expected an unknown code, got {other:?}"),
    }
}

/// `(name, level, parent, position)` of the own codebook, in tree order.
fn shape(store: &impl Edits, scope: &Scope) -> Vec<(String, i64, Option<i64>, i64)> {
    store
        .code_tree(scope, Book::Own)
        .unwrap()
        .into_iter()
        .map(|n| (n.name, n.level, n.parent, n.position))
        .collect()
}

/// `(coding, code, start)` of every coding the scope sees.
fn codings(store: &impl Edits, scope: &Scope) -> Vec<(i64, i64, i64)> {
    store
        .codings(scope, &CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.code_id, c.start))
        .collect()
}

fn entries(store: &impl Edits) -> usize {
    store.audit_log(100).unwrap().len()
}

/// The tables the newest entry's changes touched, in order.
fn tables(store: &impl Edits) -> Vec<String> {
    let log = store.audit_log(1).unwrap();
    log[0].data["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["table"].as_str().unwrap().to_owned())
        .collect()
}

fn undone(store: &mut impl Edits, actor: &str, steps: usize) -> Vec<String> {
    store
        .undo(actor, steps)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

fn renaming_and_describing_follow_the_codebook_rules(store: &mut impl Edits) {
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let acces = add(store, &me, "Accès", None, Some("theme"));
    let delais = add(store, &me, "Délais", Some(acces), None);
    let attente = add(store, &me, "Attente", Some(delais), None);
    let rapide = add(store, &me, "Rapide", Some(delais), None);
    let cout = add(store, &me, "Coût", None, None);
    assert_eq!((acces, delais, attente, rapide, cout), (1, 2, 3, 4, 5));
    // White space runs become one space, as when a code is added.
    store.rename_code(&me, attente, "  Patience \n ").unwrap();
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "code.rename");
    assert_eq!(log[0].target.as_deref(), Some("code:3"));
    assert_eq!(
        log[0].data["summary"],
        serde_json::json!({ "from": "Attente", "to": "Patience" })
    );
    assert_eq!(log[0].data["changes"][0]["before"]["name"], "Attente");
    assert_eq!(log[0].data["changes"][0]["after"]["name"], "Patience");
    let before = entries(store);
    assert_eq!(
        invalid(store.rename_code(&me, rapide, "Patience")),
        "the codebook already has a code named \"Patience\" under \"Accès/Délais\": \
         choose another name, or another parent"
    );
    assert_eq!(
        invalid(store.rename_code(&me, cout, "Accès")),
        "the codebook already has a code named \"Accès\" at the top of the codebook: \
         choose another name, or another parent"
    );
    assert_eq!(
        invalid(store.rename_code(&me, cout, " ")),
        "a code needs a name"
    );
    assert_eq!(unknown(store.rename_code(&me, 99, "x")), "99");

    let colour = CodeFields {
        colour: Some("#ABCDEF".into()),
        definition: Some("Le temps d'attente".into()),
        ..CodeFields::default()
    };
    store.describe_code(&me, attente, &colour, None).unwrap();
    let cleared = CodeFields {
        definition: Some(String::new()),
        ..CodeFields::default()
    };
    store.describe_code(&me, attente, &cleared, None).unwrap();
    let node = store.code_tree(&me, Book::Own).unwrap()[2].clone();
    assert_eq!(node.name, "Patience");
    assert_eq!(node.fields.colour.as_deref(), Some("#abcdef"));
    assert_eq!(node.fields.definition, None);
    // Patience (idea, 1) sits under Délais (sub-theme, 2): at 2 it would
    // not be below its parent's 2, and Délais at 1 would not be above its
    // children's 1.
    let none = CodeFields::default();
    let fits = "that level would put the code at or above a parent, or at or below a child";
    assert_eq!(
        invalid(store.describe_code(&me, attente, &none, Some("sub-theme"))),
        fits
    );
    assert_eq!(
        invalid(store.describe_code(&me, delais, &none, Some("idea"))),
        fits
    );
    assert_eq!(
        invalid(store.describe_code(&me, acces, &none, Some("galaxie"))),
        "no level \"galaxie\": the study's levels are idea, sub-theme, theme, meta-theme"
    );
    let red = CodeFields {
        colour: Some("red".into()),
        ..CodeFields::default()
    };
    assert_eq!(
        invalid(store.describe_code(&me, acces, &red, None)),
        "colour \"red\" is not of the form #rrggbb"
    );
    // Nothing to change is no action at all.
    store.describe_code(&me, acces, &none, None).unwrap();
    assert_eq!(entries(store), before + 2, "two descriptions, no refusal");
    store
        .describe_code(&me, acces, &none, Some("Meta-Theme"))
        .unwrap();
    assert_eq!(shape(store, &me)[0], ("Accès".into(), 4, None, 0));
    assert_eq!(
        store.audit_log(1).unwrap()[0].data["summary"]["name"],
        "Accès"
    );

    assert_eq!(
        undone(store, "amira", 4),
        [
            "code.describe",
            "code.describe",
            "code.describe",
            "code.rename"
        ]
    );
    let node = store.code_tree(&me, Book::Own).unwrap()[2].clone();
    assert_eq!((node.name.as_str(), node.fields.colour), ("Attente", None));
    assert_eq!(shape(store, &me)[0].1, 3);
    store.redo("amira", 1).unwrap();
    assert_eq!(shape(store, &me)[2].0, "Patience");

    // Blind: bruno does not see amira's codes until the layers open, and
    // then may not change them; the shared codebook is everyone's.
    let bruno = store.scope("bruno", false, false).unwrap();
    assert_eq!(unknown(store.rename_code(&bruno, attente, "x")), "3");
    assert_eq!(
        unknown(store.describe_code(&bruno, attente, &red, None)),
        "3"
    );
    let commun = shared(store, &bruno, "Commun");
    store.reveal("tester").unwrap();
    let bruno = store.scope("bruno", true, false).unwrap();
    assert_eq!(
        invalid(store.rename_code(&bruno, attente, "x")),
        "code \"Patience\" belongs to another coder's codebook: copy it to yours first"
    );
    store.rename_code(&me, commun, "Commun à tous").unwrap();
    let tree = store.code_tree(&me, Book::Shared).unwrap();
    assert_eq!(tree[0].name, "Commun à tous");
}

fn moving_reorders_siblings_and_refuses_cycles_and_levels(store: &mut impl Edits) {
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let acces = add(store, &me, "Accès", None, Some("theme"));
    let delais = add(store, &me, "Délais", Some(acces), None);
    let attente = add(store, &me, "Attente", Some(delais), None);
    let cout = add(store, &me, "Coût", Some(delais), None);
    let prix = add(store, &me, "Prix", Some(delais), None);
    let partage = shared(store, &me, "Partagé");
    assert_eq!((attente, cout, prix, partage), (3, 4, 5, 6));
    // Prix first among Délais's children: [Prix, Attente, Coût] are
    // renumbered 0, 1, 2, each update recorded.
    store.move_code(&me, prix, Some(delais), Some(0)).unwrap();
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "code.move");
    assert_eq!(
        log[0].data["summary"],
        serde_json::json!({ "name": "Prix", "from": 2, "to": 2, "position": 0 })
    );
    assert_eq!(tables(store), ["codes", "codes", "codes"]);
    // Coût to the top, after Accès (position 1); the tree shows roots by
    // level, highest first: Accès (theme) before Coût (idea).
    store.move_code(&me, cout, None, None).unwrap();
    let row = |name: &str, level: i64, parent: Option<i64>, position: i64| {
        (name.to_owned(), level, parent, position)
    };
    assert_eq!(
        shape(store, &me),
        [
            row("Accès", 3, None, 0),
            row("Délais", 2, Some(1), 0),
            row("Prix", 1, Some(2), 0),
            row("Attente", 1, Some(2), 1),
            row("Coût", 1, None, 1),
        ]
    );
    let before = entries(store);
    let cycle = "that move would put a code under itself (a cycle); choose another parent";
    assert_eq!(
        invalid(store.move_code(&me, delais, Some(attente), None)),
        cycle
    );
    assert_eq!(
        invalid(store.move_code(&me, delais, Some(delais), None)),
        cycle
    );
    assert_eq!(
        invalid(store.move_code(&me, cout, Some(attente), None)),
        "\"Coût\" (idea) cannot sit under \"Attente\" (idea): a parent must be of a higher level"
    );
    assert_eq!(
        invalid(store.move_code(&me, attente, Some(partage), None)),
        "a code can only move within its own codebook"
    );
    let second = add(store, &me, "Coût", Some(delais), None);
    assert_eq!(
        invalid(store.move_code(&me, second, None, None)),
        "the codebook already has a code named \"Coût\" at the top of the codebook: \
         choose another name, or another parent"
    );
    assert_eq!(entries(store), before + 1, "one code added, no move");
    // Past the end is the end: Délais's other children are [Prix 0,
    // Coût 2] (the second Coût came in at 2), so Attente goes third.
    store
        .move_code(&me, attente, Some(delais), Some(99))
        .unwrap();
    let under: Vec<(String, i64)> = shape(store, &me)
        .into_iter()
        .filter(|n| n.2 == Some(delais))
        .map(|n| (n.0, n.3))
        .collect();
    assert_eq!(
        under,
        [
            ("Prix".into(), 0),
            ("Coût".into(), 1),
            ("Attente".into(), 2)
        ]
    );
    assert_eq!(undone(store, "amira", 1), ["code.move"]);
    let under: Vec<(String, i64)> = shape(store, &me)
        .into_iter()
        .filter(|n| n.2 == Some(delais))
        .map(|n| (n.0, n.3))
        .collect();
    assert_eq!(
        under,
        [
            ("Prix".into(), 0),
            ("Attente".into(), 1),
            ("Coût".into(), 2)
        ]
    );
    let bruno = store.scope("bruno", false, false).unwrap();
    assert_eq!(unknown(store.move_code(&bruno, attente, None, None)), "3");
}

fn merging_moves_codings_children_and_memos(store: &mut impl Edits) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let relation = add(store, &me, "Relation", None, Some("theme"));
    let confiance = add(store, &me, "Confiance", Some(relation), None);
    let mefiance = add(store, &me, "Méfiance", Some(relation), None);
    let doute = add(store, &me, "Doute", Some(mefiance), None);
    let partage = shared(store, &me, "Partagé");
    let twin_child = add(store, &me, "Doute", Some(confiance), None);
    assert_eq!((confiance, mefiance, doute, twin_child), (2, 3, 4, 6));
    let (c1, _) = store
        .add_coding(&me, 1, span(6, 13), confiance, None)
        .unwrap();
    let (c2, _) = store
        .add_coding(&me, 1, span(6, 13), mefiance, None)
        .unwrap();
    let (c3, _) = store
        .add_coding(&me, 1, span(22, 28), mefiance, None)
        .unwrap();
    store
        .add_memo(&me, &MemoTarget::Code(mefiance), None, "Proche de la peur")
        .unwrap();
    store
        .add_memo(&me, &MemoTarget::Coding(c2), None, "Hésite")
        .unwrap();
    assert_eq!(
        invalid(store.merge_codes(&me, mefiance, confiance)),
        "\"Relation/Méfiance/Doute\" would then sit beside \"Relation/Confiance/Doute\", \
         another code of the same name: rename one of them first"
    );
    assert_eq!(store.delete_code(&me, twin_child, None).unwrap(), 0);
    assert_eq!(
        invalid(store.merge_codes(&me, mefiance, mefiance)),
        "a code cannot be merged into itself"
    );
    assert_eq!(
        invalid(store.merge_codes(&me, relation, doute)),
        "\"Doute\" sits below \"Relation\": move it out before merging"
    );
    assert_eq!(
        invalid(store.merge_codes(&me, mefiance, partage)),
        "both codes must be in the same codebook"
    );
    // c2 repeats c1's passage (6..13) and goes; c3 moves: 1 moved.
    assert_eq!(store.merge_codes(&me, mefiance, confiance).unwrap(), 1);
    assert_eq!(codings(store, &me), [(c1, 2, 6), (c3, 2, 22)]);
    assert_eq!(
        shape(store, &me),
        [
            ("Relation".into(), 3, None, 0),
            ("Confiance".into(), 2, Some(1), 0),
            ("Doute".into(), 1, Some(2), 0),
        ]
    );
    assert_eq!(
        memo_targets(store, &me),
        [("code".to_owned(), Some(confiance))]
    );
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "code.merge");
    assert_eq!(log[0].target.as_deref(), Some("code:2"));
    assert_eq!(
        log[0].data["summary"],
        serde_json::json!({ "from": "Méfiance", "into": "Confiance", "codings_moved": 1 })
    );
    // c2's memo and c2, c3 moved, Doute moved, the code's memo moved,
    // Méfiance deleted.
    assert_eq!(
        tables(store),
        ["memos", "codings", "codings", "codes", "memos", "codes"]
    );
    assert_eq!(undone(store, "amira", 1), ["code.merge"]);
    assert_eq!(codings(store, &me), [(c1, 2, 6), (c2, 3, 6), (c3, 3, 22)]);
    assert_eq!(
        memo_targets(store, &me),
        [
            ("code".to_owned(), Some(mefiance)),
            ("coding".to_owned(), Some(c2))
        ]
    );
    assert_eq!(shape(store, &me)[2].0, "Méfiance");
    store.redo("amira", 1).unwrap();
    assert_eq!(codings(store, &me), [(c1, 2, 6), (c3, 2, 22)]);
}

fn splitting_moves_the_codings_listed(store: &mut impl Edits) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let confiance = add(store, &me, "Confiance", None, None);
    let autre = add(store, &me, "Autre", None, None);
    let mut coded = Vec::new();
    for (start, end, code) in [(0, 5, confiance), (6, 13, confiance), (22, 28, confiance)] {
        coded.push(
            store
                .add_coding(&me, 1, span(start, end), code, None)
                .unwrap()
                .0,
        );
    }
    let (c4, _) = store.add_coding(&me, 1, span(35, 40), autre, None).unwrap();
    assert_eq!((coded.as_slice(), c4), ([1, 2, 3].as_slice(), 4));
    let before = entries(store);
    assert_eq!(
        invalid(store.split_code(&me, confiance, "Autre", &[2])),
        "the codebook already has a code named \"Autre\" at the top of the codebook: \
         choose another name, or another parent"
    );
    assert_eq!(
        invalid(store.split_code(&me, confiance, "Nouveau", &[2, c4])),
        "coding 4 is not coded with \"Confiance\""
    );
    assert_eq!(
        invalid(store.split_code(&me, confiance, "Nouveau", &[99])),
        "coding 99 is not coded with \"Confiance\""
    );
    assert_eq!(
        invalid(store.split_code(&me, confiance, "\t", &[2])),
        "a code needs a name"
    );
    assert_eq!(entries(store), before, "refusals leave no trace");
    // The new code is Confiance's sibling: a top idea after the two
    // others (position 2).
    let mutuelle = store
        .split_code(&me, confiance, "Confiance mutuelle", &[2, 3])
        .unwrap();
    assert_eq!(mutuelle, 3);
    assert_eq!(
        shape(store, &me).last().unwrap(),
        &("Confiance mutuelle".to_owned(), 1, None, 2)
    );
    assert_eq!(
        codings(store, &me),
        [(1, 1, 0), (2, 3, 6), (3, 3, 22), (4, 2, 35)]
    );
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "code.split");
    assert_eq!(log[0].target.as_deref(), Some("code:1"));
    assert_eq!(
        log[0].data["summary"],
        serde_json::json!({ "from": "Confiance", "new": "Confiance mutuelle", "codings": [2, 3] })
    );
    assert_eq!(tables(store), ["codes", "codings", "codings"]);
    assert_eq!(undone(store, "amira", 1), ["code.split"]);
    assert_eq!(shape(store, &me).len(), 2);
    assert_eq!(
        codings(store, &me),
        [(1, 1, 0), (2, 1, 6), (3, 1, 22), (4, 2, 35)]
    );
}

fn deleting_a_code_takes_a_cascade(store: &mut impl Edits) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let relation = add(store, &me, "Relation", None, Some("theme"));
    let confiance = add(store, &me, "Confiance", Some(relation), None);
    let doute = add(store, &me, "Doute", Some(confiance), None);
    let vide = add(store, &me, "Vide", None, None);
    let (c1, _) = store
        .add_coding(&me, 1, span(0, 5), confiance, None)
        .unwrap();
    let (c2, _) = store
        .add_coding(&me, 1, span(6, 13), confiance, None)
        .unwrap();
    let en: Language = "en".parse().unwrap();
    store.translate(&me, c1, &en, "INT:").unwrap();
    assert_eq!(
        invalid(store.delete_code(&me, confiance, None)),
        "\"Confiance\" still has 2 codings: pass --cascade uncategorised to move them, \
         or --cascade delete to delete them"
    );
    let bruno = store.scope("bruno", false, false).unwrap();
    assert_eq!(
        unknown(store.delete_code(&bruno, confiance, Some(Cascade::Delete))),
        "2"
    );
    // Confiance's two codings go to a new "Uncategorised" (code 5, a top
    // idea after every other code); Doute moves up under Relation.
    assert_eq!(
        store
            .delete_code(&me, confiance, Some(Cascade::Uncategorised))
            .unwrap(),
        2
    );
    assert_eq!(
        store.audit_log(1).unwrap()[0].data["summary"],
        serde_json::json!({ "name": "Confiance", "codings": 2 })
    );
    let tree = store.code_tree(&me, Book::Own).unwrap();
    let bin = tree.iter().find(|n| n.name == UNCATEGORISED).unwrap();
    assert_eq!((bin.id, bin.level, bin.parent), (5, 1, None));
    assert_eq!(bin.position, i64::MAX / 2);
    assert_eq!(bin.owner, Some(2));
    assert_eq!(tree.iter().find(|n| n.id == doute).unwrap().parent, Some(1));
    // Deleted after the bin is made, so that SQLite (which reuses the
    // highest id freed) and PostgreSQL (which never does) number alike.
    assert_eq!(store.delete_code(&me, vide, None).unwrap(), 0);
    assert_eq!(codings(store, &me), [(c1, 5, 0), (c2, 5, 6)]);
    // Autre's coding repeats c1's passage in the bin: it is deleted, not
    // moved, and the bin is found, not made again.
    let autre = add(store, &me, "Autre", None, None);
    store.add_coding(&me, 1, span(0, 5), autre, None).unwrap();
    assert_eq!(
        store
            .delete_code(&me, autre, Some(Cascade::Uncategorised))
            .unwrap(),
        1
    );
    assert_eq!(codings(store, &me), [(c1, 5, 0), (c2, 5, 6)]);
    assert_eq!(
        invalid(store.delete_code(&me, 5, Some(Cascade::Uncategorised))),
        "\"Uncategorised\" cannot take its own codings: use --cascade delete"
    );
    assert_eq!(store.delete_code(&me, 5, Some(Cascade::Delete)).unwrap(), 2);
    assert!(codings(store, &me).is_empty());
    // c1's translation, c1, c2, then the bin.
    assert_eq!(
        tables(store),
        ["translations", "codings", "codings", "codes"]
    );
    assert_eq!(undone(store, "amira", 1), ["code.delete"]);
    let back = store.codings(&me, &CodingFilter::default()).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(back[0].translations, [("en".to_owned(), "INT:".to_owned())]);
}

fn coding_edits_change_memo_span_quote_and_translation(store: &mut impl Edits) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let rire = add(store, &me, "Rire", None, None);
    let (c1, _) = store.add_coding(&me, 1, span(6, 13), rire, None).unwrap();
    let (c2, _) = store.add_coding(&me, 1, span(35, 40), rire, None).unwrap();

    store.set_coding_memo(&me, c1, Some("rit")).unwrap();
    assert_eq!(memo_of(store, &me, c1).as_deref(), Some("rit"));
    store.set_coding_memo(&me, c1, None).unwrap();
    assert_eq!(memo_of(store, &me, c1), None);
    store.set_quote(&me, c1, true).unwrap();
    assert_eq!(store.audit_log(1).unwrap()[0].action, "coding.quote");
    assert!(quoted(store, &me, c1));
    store.set_quote(&me, c1, false).unwrap();
    assert_eq!(store.audit_log(1).unwrap()[0].action, "coding.unquote");
    assert!(!quoted(store, &me, c1));

    let (en, de): (Language, Language) = ("en".parse().unwrap(), "de".parse().unwrap());
    store.translate(&me, c1, &en, "How are you?").unwrap();
    store.translate(&me, c1, &de, "Wie geht's?").unwrap();
    // A second English translation replaces the first.
    store.translate(&me, c1, &en, "All right?").unwrap();
    assert_eq!(tables(store), ["translations"]);
    assert_eq!(
        store.audit_log(1).unwrap()[0].data["summary"],
        serde_json::json!({ "language": "en" })
    );
    let record = store.codings(&me, &CodingFilter::default()).unwrap()[0].clone();
    assert_eq!(
        record.translations,
        [
            ("de".to_owned(), "Wie geht's?".to_owned()),
            ("en".to_owned(), "All right?".to_owned())
        ]
    );
    assert_eq!(
        invalid(store.translate(&me, c1, &en, "  ")),
        "the translation is empty"
    );
    // The reader's reads: languages by name (bytewise).
    let painted = store.source_codings(&me, 1).unwrap();
    assert_eq!(painted.len(), 2);
    assert_eq!(
        (painted[0].id, painted[0].start, painted[0].end),
        (c1, 6, 13)
    );
    assert_eq!(painted[0].translations, ["de", "en"]);
    // One coding read alone is the same as in its source's list.
    assert_eq!(
        store.span_coding(&me, c1).unwrap(),
        Some((1, painted[0].clone()))
    );
    assert_eq!(store.span_coding(&me, 99).unwrap(), None);

    // "Oui 😀." is 22..28; the source has 40 chars.
    store.set_coding_span(&me, c1, span(22, 28)).unwrap();
    assert_eq!(
        store.audit_log(1).unwrap()[0].data["summary"],
        serde_json::json!({ "start": 22, "end": 28 })
    );
    let record = store.codings(&me, &CodingFilter::default()).unwrap()[0].clone();
    assert_eq!((record.id, record.text.as_str()), (c1, "Oui 😀."));
    assert_eq!(record.translations.len(), 2, "the translations stay");
    assert!(
        invalid(store.set_coding_span(&me, c1, span(0, 41)))
            .ends_with(": the source has 40 characters")
    );
    assert_eq!(
        invalid(store.set_coding_span(&me, c1, span(5, 5))),
        "an empty passage cannot be coded"
    );
    assert_eq!(
        invalid(store.set_coding_span(&me, c2, span(22, 28))),
        "this passage is already coded with this code: remove one of the two codings instead"
    );

    // Blind: bruno neither sees nor changes amira's codings; once the
    // layers open he sees them and still may not change them.
    let bruno = store.scope("bruno", false, false).unwrap();
    let before = entries(store);
    assert_eq!(
        invalid(store.set_coding_memo(&bruno, c1, Some("x"))),
        "no coding 1 among yours"
    );
    assert_eq!(
        invalid(store.set_coding_span(&bruno, c1, span(0, 5))),
        "no coding 1 among yours"
    );
    assert_eq!(
        invalid(store.translate(&bruno, c1, &en, "x")),
        "no coding 1 among yours"
    );
    assert_eq!(store.span_coding(&bruno, c1).unwrap().map(|(s, _)| s), None);
    assert!(store.source_codings(&bruno, 1).unwrap().is_empty());
    assert_eq!(entries(store), before);
    store.reveal("tester").unwrap();
    let bruno = store.scope("bruno", true, false).unwrap();
    assert_eq!(
        invalid(store.set_quote(&bruno, c1, true)),
        "coding 1 belongs to another coder: only its coder can change it"
    );
    assert_eq!(store.source_codings(&bruno, 1).unwrap().len(), 2);
    assert_eq!(
        store.span_coding(&bruno, c1).unwrap().map(|(s, _)| s),
        Some(1)
    );

    // Undo walks back: the span, the English replacement, the German.
    assert_eq!(
        undone(store, "amira", 3),
        ["coding.span", "coding.translate", "coding.translate"]
    );
    let record = store.codings(&me, &CodingFilter::default()).unwrap()[0].clone();
    assert_eq!((record.start, record.end), (6, 13));
    assert_eq!(
        record.translations,
        [("en".to_owned(), "How are you?".to_owned())]
    );
}

/// `(target kind, target id)` of the memos on codes and codings.
fn memo_targets(store: &impl Edits, scope: &Scope) -> Vec<(String, Option<i64>)> {
    store
        .memos(scope, &MemoFilter::default())
        .unwrap()
        .into_iter()
        .filter(|m| m.target_kind == "code" || m.target_kind == "coding")
        .map(|m| (m.target_kind, m.target_id))
        .collect()
}

fn memo_of(store: &impl Edits, scope: &Scope, id: i64) -> Option<String> {
    store
        .codings(scope, &CodingFilter::default())
        .unwrap()
        .into_iter()
        .find(|c| c.id == id)
        .and_then(|c| c.memo)
}

fn quoted(store: &impl Edits, scope: &Scope, id: i64) -> bool {
    store
        .codings(scope, &CodingFilter::default())
        .unwrap()
        .into_iter()
        .any(|c| c.id == id && c.is_quote)
}

/// PostgreSQL only: six connections each move a different child of one
/// parent to the front at once. The codebook's edits take turns, so the
/// siblings end at positions 0 to 5, each once, and six moves are logged.
#[test]
fn six_processes_reordering_one_parent_leave_each_position_once() {
    use verbatim_store::{Coders, Store};
    use verbatim_store_pg::PgStore;
    let Some(study) = super::pg::study("concurrent_moves") else {
        return;
    };
    let mut store = super::pg::create(&study);
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let parent = add(&mut store, &me, "Thème", None, Some("theme"));
    let children: Vec<i64> = (0..6)
        .map(|i| add(&mut store, &me, &format!("Idée {i}"), Some(parent), None))
        .collect();
    std::thread::scope(|threads| {
        let handles: Vec<_> = children
            .iter()
            .map(|&child| {
                let address = study.address.clone();
                threads.spawn(move || {
                    let mut store = PgStore::open(&address).unwrap();
                    let me = store.scope("amira", false, false).unwrap();
                    store.move_code(&me, child, Some(parent), Some(0)).unwrap();
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
    });
    let mut positions: Vec<i64> = shape(&store, &me)
        .into_iter()
        .filter(|n| n.2 == Some(parent))
        .map(|n| n.3)
        .collect();
    positions.sort_unstable();
    assert_eq!(positions, [0, 1, 2, 3, 4, 5]);
    let moves = store
        .audit_log(50)
        .unwrap()
        .iter()
        .filter(|e| e.action == "code.move")
        .count();
    assert_eq!(moves, 6);
}
