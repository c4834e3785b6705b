//! Reconciliation decisions on a hand-built fixture: the consensus layer's
//! passages are checked against spans worked out by hand.

use verbatim_core::Span;

use super::*;
use crate::testkit::{fixture, span_of};
use crate::{Book, CodingFilter, NewCode, StoreError};

fn code(store: &mut SqliteStore, scope: &Scope, name: &str, parent: Option<i64>) -> i64 {
    let level = if parent.is_some() { "idea" } else { "theme" };
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

fn code_at(store: &mut SqliteStore, scope: &Scope, source: i64, code: i64, a: usize, b: usize) {
    store
        .add_coding(scope, source, Span::new(a, b).unwrap(), code, None)
        .unwrap();
}

/// The consensus passages of a shared code: `(start, end, contributors)`.
fn consensus_of(store: &SqliteStore, all: &Scope, shared: i64) -> Vec<(i64, i64, Vec<String>)> {
    let consensus = store.consensus_coder().unwrap();
    let filter = CodingFilter {
        code: Some(shared),
        coder: Some(consensus.id),
        ..CodingFilter::default()
    };
    store
        .codings(all, &filter)
        .unwrap()
        .into_iter()
        .map(|c| {
            assert_eq!(c.coder, consensus.name);
            (c.start, c.end, c.contributors)
        })
        .collect()
}

fn count(store: &SqliteStore, table: &str) -> i64 {
    store
        .conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_three_coder_merge_carries_the_union_of_passages_with_their_coders() {
    let mut f = fixture();
    f.store.add_coder("tester", "carol", None, None).unwrap();
    let amira = f.store.scope("amira", false, false).unwrap();
    let bruno = f.store.scope("bruno", false, false).unwrap();
    let carol = f.store.scope("carol", false, false).unwrap();
    let trust = code(&mut f.store, &amira, "Confiance", None);
    let slow = code(&mut f.store, &bruno, "Slow trust", None);
    let doubt = code(&mut f.store, &carol, "Doute", None);
    let idea = code(&mut f.store, &carol, "Méfiance qui revient", Some(doubt));
    code_at(&mut f.store, &amira, f.source, trust, 10, 20);
    code_at(&mut f.store, &bruno, f.source, slow, 15, 30);
    // carol's passage is on an idea below her theme: the merge rolls it up.
    code_at(&mut f.store, &carol, f.source, idea, 40, 45);
    f.store.reveal("amira").unwrap();
    let all = f.store.scope("amira", true, false).unwrap();
    f.store
        .reconcile_merge_codes(&all, &[trust, slow, doubt], Some("Trust"), None, None)
        .unwrap();
    let shared = f
        .store
        .find_code(&all, "Trust", Some(Book::Shared))
        .unwrap();
    // By hand: [10,20) ∪ [15,30) = [10,30) from amira and bruno; [40,45)
    // from carol alone.
    assert_eq!(
        consensus_of(&f.store, &all, shared),
        [
            (10, 30, vec!["amira".to_owned(), "bruno".to_owned()]),
            (40, 45, vec!["carol".to_owned()]),
        ]
    );
    // The shared tree counts them: 2 passages in 1 source.
    let tree = f.store.code_tree(&amira, Book::Shared).unwrap();
    assert_eq!((tree[0].codings, tree[0].sources), (2, 1));
    // The coders' own layers are untouched: one coding each.
    for who in [&amira, &bruno, &carol] {
        let mine = f.store.codings(who, &CodingFilter::default()).unwrap();
        assert_eq!(mine.len(), 1);
    }
    // One undo removes the shared code, its passages and their origins.
    f.store.undo("amira", 1).unwrap();
    assert!(f.store.code_tree(&all, Book::Shared).unwrap().is_empty());
    assert_eq!(count(&f.store, "consensus_origins"), 0);
    assert_eq!(count(&f.store, "codings"), 3);
}

#[test]
fn a_third_coder_joins_a_consensus_code_and_undo_restores_it() {
    let mut f = fixture();
    f.store.add_coder("tester", "carol", None, None).unwrap();
    let amira = f.store.scope("amira", false, false).unwrap();
    let bruno = f.store.scope("bruno", false, false).unwrap();
    let carol = f.store.scope("carol", false, false).unwrap();
    let a = code(&mut f.store, &amira, "Confiance", None);
    let b = code(&mut f.store, &bruno, "Confiance", None);
    let c = code(&mut f.store, &carol, "Trust", None);
    code_at(&mut f.store, &amira, f.source, a, 10, 20);
    code_at(&mut f.store, &bruno, f.source, b, 15, 30);
    // Touches bruno's passage ([30,35) starts where [15,30) ends) and adds
    // a second passage [60,70).
    code_at(&mut f.store, &carol, f.source, c, 30, 35);
    code_at(&mut f.store, &carol, f.source, c, 60, 70);
    f.store.reveal("bruno").unwrap();
    let all = f.store.scope("bruno", true, false).unwrap();
    f.store
        .reconcile_merge(&all, a, b, None, None, Some("same idea"))
        .unwrap();
    let shared = f
        .store
        .find_code(&all, "Confiance", Some(Book::Shared))
        .unwrap();
    let before = consensus_of(&f.store, &all, shared);
    assert_eq!(
        before,
        [(10, 30, vec!["amira".to_owned(), "bruno".to_owned()])]
    );
    f.store
        .reconcile_merge_into(&all, shared, &[c], Some("carol's theme is the same"))
        .unwrap();
    // By hand: [10,30) ∪ [30,35) = [10,35) from all three; [60,70) carol.
    assert_eq!(
        consensus_of(&f.store, &all, shared),
        [
            (10, 35, vec!["amira".into(), "bruno".into(), "carol".into()]),
            (60, 70, vec!["carol".to_owned()]),
        ]
    );
    let merges = f.store.decisions(&all).unwrap();
    assert_eq!(merges.len(), 2);
    assert_eq!(merges[1].shared_code, Some(shared));
    assert_eq!(merges[1].origins[0].coder.as_deref(), Some("carol"));
    f.store.undo("bruno", 1).unwrap();
    assert_eq!(consensus_of(&f.store, &all, shared), before);
    // Two codes of one coder cannot be one merge.
    let a2 = code(&mut f.store, &amira, "Autre", None);
    let err = f
        .store
        .reconcile_merge_codes(&all, &[a, a2, c], Some("X"), None, None)
        .unwrap_err();
    assert!(err.to_string().contains("both amira's"), "{err}");
}

#[test]
fn accept_with_its_subtree_copies_each_codes_passages() {
    let mut f = fixture();
    let amira = f.store.scope("amira", false, false).unwrap();
    let bruno = f.store.scope("bruno", false, false).unwrap();
    let theme = code(&mut f.store, &amira, "Policing users", None);
    let idea = code(&mut f.store, &amira, "Searching bags", Some(theme));
    code_at(&mut f.store, &amira, f.source, theme, 0, 5);
    code_at(&mut f.store, &amira, f.source, idea, 10, 20);
    code_at(&mut f.store, &amira, f.source, idea, 15, 25);
    let other = code(&mut f.store, &bruno, "Control", None);
    let below = code(&mut f.store, &bruno, "Rules", Some(other));
    code_at(&mut f.store, &bruno, f.source, below, 50, 60);
    f.store.reveal("amira").unwrap();
    let all = f.store.scope("amira", true, false).unwrap();
    f.store
        .reconcile_accept(&all, theme, true, None, None)
        .unwrap();
    let shared_theme = f
        .store
        .find_code(&all, "Policing users", Some(Book::Shared))
        .unwrap();
    let shared_idea = f
        .store
        .find_code(&all, "Searching bags", Some(Book::Shared))
        .unwrap();
    let amira_only = vec!["amira".to_owned()];
    // Each copy holds its own code's passages: the theme [0,5); the idea
    // [10,20) ∪ [15,25) = [10,25).
    assert_eq!(
        consensus_of(&f.store, &all, shared_theme)[0],
        (0, 5, amira_only.clone())
    );
    let filter = CodingFilter {
        code: Some(shared_idea),
        ..CodingFilter::default()
    };
    let idea_rows = f.store.codings(&all, &filter).unwrap();
    assert_eq!(idea_rows.len(), 1);
    assert_eq!((idea_rows[0].start, idea_rows[0].end), (10, 25));
    // Without --subtree, the one code copied takes the passages below it.
    f.store
        .reconcile_accept(&all, other, false, None, None)
        .unwrap();
    let control = f
        .store
        .find_code(&all, "Control", Some(Book::Shared))
        .unwrap();
    assert_eq!(
        consensus_of(&f.store, &all, control),
        [(50, 60, vec!["bruno".to_owned()])]
    );
}

#[test]
fn an_accepted_passage_lands_in_the_consensus_layer_not_the_deciders() {
    let mut f = fixture();
    let amira = f.store.scope("amira", false, false).unwrap();
    let bruno = f.store.scope("bruno", false, false).unwrap();
    let a = code(&mut f.store, &amira, "Confiance", None);
    let b = code(&mut f.store, &bruno, "Trust", None);
    code_at(&mut f.store, &amira, f.source, a, 10, 20);
    // bruno alone coded "la méfiance".
    let mefiance = span_of("la méfiance");
    f.store
        .add_coding(&bruno, f.source, mefiance, b, None)
        .unwrap();
    f.store.reveal("amira").unwrap();
    let all = f.store.scope("amira", true, false).unwrap();
    f.store
        .reconcile_merge(&all, a, b, Some("Confiance"), None, None)
        .unwrap();
    let shared = f
        .store
        .find_code(&all, "Confiance", Some(Book::Shared))
        .unwrap();
    let before = count(&f.store, "codings");
    let d = f
        .store
        .reconcile_passage(
            &all,
            Verdict::Accept,
            f.source,
            span_of("La confiance"),
            Some(shared),
            &[a, b],
            Some("both agree on re-reading"),
        )
        .unwrap();
    // amira's own layer still holds her one coding.
    assert_eq!(
        f.store
            .codings(&amira, &CodingFilter::default())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(count(&f.store, "codings"), before + 1);
    let decision = f.store.decisions(&all).unwrap().pop().unwrap();
    assert_eq!(decision.id, d);
    let listed = consensus_of(&f.store, &all, shared);
    let la = span_of("La confiance");
    let row = listed
        .iter()
        .find(|(s, ..)| *s == la.start() as i64)
        .unwrap();
    // "La confiance" starts at 35 and ends at 47: amira's [10,20) does not
    // reach it, bruno coded elsewhere, so no coder is its contributor.
    assert_eq!((row.0, row.1), (35, 47));
    assert!(row.2.is_empty());
    f.store.undo("amira", 1).unwrap();
    assert_eq!(count(&f.store, "codings"), before);
}

#[test]
fn kept_codes_are_listed_as_divergences_and_every_decision_undoes() {
    let mut f = fixture();
    let amira = f.store.scope("amira", false, false).unwrap();
    let bruno = f.store.scope("bruno", false, false).unwrap();
    let policing = code(&mut f.store, &amira, "Policing users", None);
    let bags = code(&mut f.store, &amira, "Searching bags", Some(policing));
    let control = code(&mut f.store, &bruno, "Excessive control", None);
    f.store
        .add_coding(&amira, f.source, span_of("La confiance"), bags, None)
        .unwrap();
    // Blind: no comparison read or decision before reveal, and asking for
    // every layer (solo or not) is refused in a two-coder study.
    assert!(matches!(
        f.store.coded_spans(&amira, 2, Book::Of(2)),
        Err(StoreError::Blind)
    ));
    assert!(matches!(
        f.store.scope("amira", true, true),
        Err(StoreError::Blind)
    ));
    assert!(matches!(
        f.store.reconcile_accept(&amira, policing, true, None, None),
        Err(StoreError::Blind)
    ));
    f.store.reveal("amira").unwrap();
    let all = f.store.scope("amira", true, true).unwrap();
    f.store
        .reconcile_accept(&all, policing, true, None, Some("clear theme"))
        .unwrap();
    f.store
        .reconcile_merge(&all, policing, control, Some("Control"), None, None)
        .unwrap();
    f.store
        .reconcile_keep(&all, control, "B's own angle")
        .unwrap();
    let kept = f.store.divergences().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].code, "Excessive control");
    assert_eq!(kept[0].held_by.as_deref(), Some("bruno"));
    assert_eq!(kept[0].decided_by, "amira");
    assert_eq!(kept[0].note, "B's own angle");
    assert_eq!(f.store.decisions(&all).unwrap().len(), 3);
    f.store.undo("amira", 3).unwrap();
    assert!(f.store.decisions(&all).unwrap().is_empty());
    assert!(f.store.divergences().unwrap().is_empty());
    assert!(f.store.code_tree(&all, Book::Shared).unwrap().is_empty());
    assert_eq!(count(&f.store, "consensus_origins"), 0);
}
