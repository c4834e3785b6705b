//! The consensus (`Consensus`): merge, passage verdicts, keep and the list
//! of decisions, written once and run on SQLite and PostgreSQL by
//! `conformance!`, each decision one undoable action, refused alike.
//!
//! The study: the interview of `fixture::interview` (40 chars); coders
//! amira (2) and bruno (3; the consensus row is 1). Codes: 1 amira's
//! "Rire", 2 bruno's "Rire", 3 bruno's "Ironie". Codings: amira 1 on
//! 6..13 and 2 on 22..26; bruno 3 on 10..20 and 4 on 30..35.

use verbatim_core::Span;
use verbatim_store::{
    Book, CodeFields, CodingFilter, Consensus, DecisionKind, History, NewCode, Reveal, Scope,
    StoreError, Verdict,
};

use super::coding::Backend;
use super::fixture;

/// A backend with the coding traits, history, reveal and the consensus.
pub trait Full: Backend + History + Reveal + Consensus {}
impl<T: Backend + History + Reveal + Consensus> Full for T {}

conformance!(
    a_merge_and_passage_verdicts_build_the_consensus_and_undo,
    decisions_are_refused_alike_and_blind_until_revealed,
    accept_copies_a_subtree_and_merge_into_joins_more_codes,
);

fn span(start: usize, end: usize) -> Span {
    Span::new(start, end).unwrap()
}

fn invalid(result: Result<i64, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Builds the study of the module doc, revealed by `owner` when asked,
/// and returns amira's and bruno's scopes seeing every layer (or their
/// own when not revealed).
fn study(store: &mut impl Full, revealed: bool) -> (Scope, Scope) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    let code = |name: &str, definition: Option<&str>| NewCode {
        name: name.into(),
        book: Some(Book::Own),
        fields: CodeFields {
            definition: definition.map(str::to_owned),
            ..CodeFields::default()
        },
        ..NewCode::default()
    };
    assert_eq!(store.add_code(&amira, &code("Rire", None)).unwrap(), 1);
    let defined = code("Rire", Some("On rit"));
    assert_eq!(store.add_code(&bruno, &defined).unwrap(), 2);
    assert_eq!(store.add_code(&bruno, &code("Ironie", None)).unwrap(), 3);
    for (scope, start, end, code) in [
        (&amira, 6, 13, 1),
        (&amira, 22, 26, 1),
        (&bruno, 10, 20, 2),
        (&bruno, 30, 35, 2),
    ] {
        store
            .add_coding(scope, 1, span(start, end), code, None)
            .unwrap();
    }
    if !revealed {
        return (amira, bruno);
    }
    store.reveal("owner").unwrap();
    (
        store.scope("amira", true, false).unwrap(),
        store.scope("bruno", true, false).unwrap(),
    )
}

/// `(id, start, end, memo)` of the consensus layer's passages.
fn consensus(store: &impl Full, scope: &Scope) -> Vec<(i64, i64, i64, Option<String>)> {
    let filter = CodingFilter {
        coder: Some(store.consensus_coder().unwrap().id),
        ..CodingFilter::default()
    };
    store
        .codings(scope, &filter)
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.start, c.end, c.memo))
        .collect()
}

fn a_merge_and_passage_verdicts_build_the_consensus_and_undo(store: &mut impl Full) {
    let (amira, _) = study(store, true);
    let merged = store
        .reconcile_merge_codes(&amira, &[1, 2], None, None, Some("  même idée "))
        .unwrap();
    assert_eq!(merged, 1);
    // The union: 6..13 and 10..20 overlap (6..20, amira and bruno), 22..26
    // stays (22 > 20), 30..35 too (30 > 26): consensus codings 5, 6, 7.
    assert_eq!(
        consensus(store, &amira),
        [(5, 6, 20, None), (6, 22, 26, None), (7, 30, 35, None)]
    );
    // Each consensus passage names the coders whose passages fed it.
    let filter = CodingFilter {
        coder: Some(1),
        ..CodingFilter::default()
    };
    let fed: Vec<Vec<String>> = store
        .codings(&amira, &filter)
        .unwrap()
        .into_iter()
        .map(|c| c.contributors)
        .collect();
    assert_eq!(fed, [vec!["amira", "bruno"], vec!["amira"], vec!["bruno"]]);
    // The shared code 4 takes amira's name and bruno's definition.
    let shared = store.code_tree(&amira, Book::Shared).unwrap();
    assert_eq!(shared.len(), 1);
    assert_eq!((shared[0].id, shared[0].name.as_str()), (4, "Rire"));
    assert_eq!(shared[0].fields.definition.as_deref(), Some("On rit"));

    // 20..23 touches 6..20 and overlaps 22..26: the three join as 6..26,
    // kept as coding 5 (the first; none covers 6..26 exactly), 6 goes.
    let accepted = store
        .reconcile_passage(
            &amira,
            Verdict::Accept,
            1,
            span(20, 23),
            Some(4),
            &[1],
            Some("relu"),
        )
        .unwrap();
    assert_eq!(accepted, 2);
    assert_eq!(
        consensus(store, &amira),
        [(5, 6, 26, Some("relu".into())), (7, 30, 35, None)]
    );
    let rejected = store
        .reconcile_passage(&amira, Verdict::Reject, 1, span(36, 40), None, &[2], None)
        .unwrap();
    assert_eq!(rejected, 3);
    assert_eq!(
        store.reconcile_keep(&amira, 3, "propre à bruno").unwrap(),
        4
    );

    let decisions = store.decisions(&amira).unwrap();
    let kinds: Vec<DecisionKind> = decisions.iter().map(|d| d.kind).collect();
    use DecisionKind::{Keep, Merge, PassageAccept, PassageReject};
    assert_eq!(kinds, [Merge, PassageAccept, PassageReject, Keep]);
    let merge = &decisions[0];
    assert_eq!(merge.note.as_deref(), Some("même idée"));
    assert_eq!(
        (merge.shared_code, merge.shared_name.as_deref()),
        (Some(4), Some("Rire"))
    );
    let origins: Vec<(i64, Option<&str>, Option<i64>)> = merge
        .origins
        .iter()
        .map(|o| (o.code_id, o.coder.as_deref(), o.shared_code))
        .collect();
    assert_eq!(
        origins,
        [(1, Some("amira"), Some(4)), (2, Some("bruno"), Some(4))]
    );
    let passage = &decisions[1];
    assert_eq!(
        (passage.start, passage.end, passage.coding_id),
        (Some(20), Some(23), Some(5))
    );
    assert_eq!(decisions[2].coding_id, None);
    assert_eq!(decisions[3].origins[0].code_name, "Ironie");

    // Undo keep, reject and accept: coding 6 comes back with 22..26, and
    // coding 5 with 6..20 and no memo.
    let undone = store.undo("amira", 3).unwrap();
    let actions: Vec<&str> = undone.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "reconcile.keep",
            "reconcile.passage.reject",
            "reconcile.passage.accept"
        ]
    );
    assert_eq!(
        consensus(store, &amira),
        [(5, 6, 20, None), (6, 22, 26, None), (7, 30, 35, None)]
    );
    assert_eq!(store.decisions(&amira).unwrap().len(), 1);
    store.redo("amira", 1).unwrap();
    assert_eq!(
        consensus(store, &amira),
        [(5, 6, 26, Some("relu".into())), (7, 30, 35, None)]
    );
}

fn decisions_are_refused_alike_and_blind_until_revealed(store: &mut impl Full) {
    let (amira, _) = study(store, false);
    assert!(matches!(
        store.reconcile_merge_codes(&amira, &[1, 2], None, None, None),
        Err(StoreError::Blind)
    ));
    assert!(matches!(store.decisions(&amira), Err(StoreError::Blind)));
    store.reveal("owner").unwrap();
    let amira = store.scope("amira", true, false).unwrap();
    let bruno = store.scope("bruno", true, false).unwrap();
    let before = store.audit_log(50).unwrap();
    assert!(
        invalid(store.reconcile_merge_codes(&amira, &[1], None, None, None))
            .starts_with("a merge needs codes of at least two coders")
    );
    assert_eq!(
        invalid(store.reconcile_merge_codes(&amira, &[2, 3], None, None, None)),
        "\"Rire\" and \"Ironie\" are both bruno's: a merge takes one code per coder \
         (merge them in bruno's codebook first, or add one with --into)"
    );
    assert_eq!(
        invalid(store.reconcile_keep(&amira, 3, "  ")),
        "say why the code is kept apart: pass --note"
    );
    assert_eq!(
        invalid(store.reconcile_passage(&amira, Verdict::Accept, 1, span(0, 5), None, &[], None)),
        "an accepted passage needs the shared code to code it with: pass --shared CODE"
    );
    assert_eq!(
        invalid(store.reconcile_passage(
            &amira,
            Verdict::Accept,
            1,
            span(0, 5),
            Some(1),
            &[],
            None
        )),
        "\"Rire\" is not in the shared codebook: accept or merge it first"
    );
    // 41 is past the 40 chars of the interview.
    assert!(
        invalid(store.reconcile_passage(&amira, Verdict::Reject, 1, span(30, 41), None, &[], None))
            .ends_with("the source has 40 characters")
    );
    // Six refusals, nothing written.
    assert_eq!(store.audit_log(50).unwrap(), before);

    store
        .reconcile_merge_codes(&amira, &[1, 2], Some(" Rire  partagé "), None, None)
        .unwrap();
    assert_eq!(
        invalid(store.reconcile_merge_codes(&amira, &[1, 3], Some("Rire partagé"), None, None)),
        "the shared codebook already has a code named \"Rire partagé\": pass --name, or add \
         these codes to it with --into"
    );
    assert_eq!(
        invalid(store.reconcile_merge_codes(&amira, &[4, 1], None, None, None)),
        "\"Rire partagé\" is already in the shared codebook"
    );
    // Bruno widens the consensus passage 30..35 (coding 7) to 30..36:
    // amira's merge wrote that row, so undoing it is refused.
    store
        .reconcile_passage(&bruno, Verdict::Accept, 1, span(34, 36), Some(4), &[], None)
        .unwrap();
    match store.undo("amira", 1) {
        Err(StoreError::History(message)) => assert_eq!(
            message,
            "cannot undo reconcile.merge: codings row 7 has changed since; \
             undo the later changes first"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    store.undo("bruno", 1).unwrap();
    store.undo("amira", 1).unwrap();
    assert!(store.code_tree(&amira, Book::Shared).unwrap().is_empty());
    assert_eq!(consensus(store, &amira), []);
}

/// `(id, start, end, contributors)` of the consensus layer's passages.
fn fed(store: &impl Full, scope: &Scope) -> Vec<(i64, i64, i64, Vec<String>)> {
    let filter = CodingFilter {
        coder: Some(1),
        ..CodingFilter::default()
    };
    store
        .codings(scope, &filter)
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.start, c.end, c.contributors))
        .collect()
}

fn accept_copies_a_subtree_and_merge_into_joins_more_codes(store: &mut impl Full) {
    let (amira, _) = study(store, true);
    let own = |name: &str, parent: Option<i64>, level: Option<&str>| NewCode {
        name: name.into(),
        parent,
        level: level.map(str::to_owned),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    // Humeur (4, a theme) holds Sourire (5, one level below: sub-theme),
    // which amira codes on 35..40 (coding 5).
    let humeur = store
        .add_code(&amira, &own("Humeur", None, Some("theme")))
        .unwrap();
    let sourire = store
        .add_code(&amira, &own("Sourire", Some(humeur), None))
        .unwrap();
    assert_eq!((humeur, sourire), (4, 5));
    store
        .add_coding(&amira, 1, span(35, 40), sourire, None)
        .unwrap();

    let accepted = store
        .reconcile_accept(&amira, humeur, true, None, Some("thème"))
        .unwrap();
    assert_eq!(accepted, 1);
    // Parents first: Humeur's copy is 6, Sourire's 7 under it; the one
    // passage becomes consensus coding 6.
    let shared = store.code_tree(&amira, Book::Shared).unwrap();
    let copied: Vec<(i64, &str, Option<i64>)> = shared
        .iter()
        .map(|n| (n.id, n.name.as_str(), n.parent))
        .collect();
    assert_eq!(copied, [(6, "Humeur", None), (7, "Sourire", Some(6))]);
    assert_eq!(fed(store, &amira), [(6, 35, 40, vec!["amira".to_owned()])]);
    let decision = &store.decisions(&amira).unwrap()[0];
    assert_eq!(decision.kind, DecisionKind::Accept);
    let origins: Vec<(i64, Option<i64>)> = decision
        .origins
        .iter()
        .map(|o| (o.code_id, o.shared_code))
        .collect();
    assert_eq!(origins, [(4, Some(6)), (5, Some(7))]);

    let before = store.audit_log(50).unwrap();
    assert_eq!(
        invalid(store.reconcile_accept(&amira, humeur, true, None, None)),
        "the shared codebook already has codes named Humeur: rename them, or merge instead"
    );
    assert_eq!(
        invalid(store.reconcile_accept(&amira, humeur, false, Some(7), None)),
        "\"Humeur\" cannot sit under a shared code of the same or a lower level"
    );
    assert_eq!(
        invalid(store.reconcile_merge_into(&amira, 7, &[], None)),
        "name at least one coder's code to add to the consensus code"
    );
    assert_eq!(
        invalid(store.reconcile_merge_into(&amira, 1, &[2], None)),
        "\"Rire\" is not in the shared codebook: --into names a consensus code"
    );
    assert_eq!(store.audit_log(50).unwrap(), before);

    // Both of bruno's codes join Sourire's copy (one coder, two codes is
    // allowed with --into): 10..20 is new (coding 7); 30..35 touches
    // 35..40, so coding 6 becomes 30..40, fed by amira and bruno.
    store
        .reconcile_merge_into(&amira, 7, &[2, 3], None)
        .unwrap();
    let both = vec!["amira".to_owned(), "bruno".to_owned()];
    assert_eq!(
        fed(store, &amira),
        [(7, 10, 20, vec!["bruno".to_owned()]), (6, 30, 40, both)]
    );
    // Sourire's copy had no definition: it takes bruno's "Rire"'s.
    let sourire_copy = store.code_tree(&amira, Book::Shared).unwrap()[1].clone();
    assert_eq!(sourire_copy.fields.definition.as_deref(), Some("On rit"));
    store.undo("amira", 1).unwrap();
    assert_eq!(fed(store, &amira), [(6, 35, 40, vec!["amira".to_owned()])]);
}
