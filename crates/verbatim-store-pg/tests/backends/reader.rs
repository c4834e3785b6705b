//! The reader's reads (`ReaderReads`) and the export snapshot (`Exchange`),
//! written once and run on SQLite and PostgreSQL by `conformance!`, with
//! every number worked out by hand from the study below.
//!
//! The study: sources 1 "entretien" (`fixture::interview`, 40 chars, one
//! imported comment: memo 1) and 2 "note" (16 chars, one turn P01); coders
//! amira (2) and bruno (3; the consensus row is 1); codes 1 amira's "Rire",
//! 2 the shared "Confiance", 3 bruno's "Ironie"; codings amira 1 (source 1,
//! 6..13, code 1), 2 (1, 22..26, code 2), 3 (2, 0..4, code 2); bruno 4 (1,
//! 10..20, code 3), 5 (1, 22..28, code 2). Audit entries: the creation 1,
//! two imports 2-3, two coders 4-5, three codes 6-8, five codings 9-13.

use std::collections::HashMap;

use verbatim_core::Span;
use verbatim_store::{
    Book, CodedSpan, CoderTotals, EntryKind, Exchange, Journal, MemoTarget, Memos, NewCode,
    NewParticipant, Participants, ReaderReads, Reveal, Scope, StoreError,
};

use super::coding::Backend;
use super::fixture;

/// A backend with the coding traits, reveal, people, memos, the journal,
/// the reader's reads and export.
pub trait Reads:
    Backend + Reveal + ReaderReads + Exchange + Participants + Memos + Journal
{
}
impl<T: Backend + Reveal + ReaderReads + Exchange + Participants + Memos + Journal> Reads for T {}

conformance!(
    the_change_counter_tells_what_a_write_touched,
    counts_and_totals_follow_the_blind_rule,
    passages_of_a_code_take_its_descendants,
    a_snapshot_holds_what_the_scope_sees,
);

fn span(start: usize, end: usize) -> Span {
    Span::new(start, end).unwrap()
}

/// Builds the study of the module doc; returns amira's and bruno's scopes.
fn study(store: &mut impl Reads) -> (Scope, Scope) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    // "Merci pour tout." is 16 chars.
    store
        .import_batch("tester", vec![fixture::note("note", "Merci pour tout.")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    let code = |name: &str, book: Book| NewCode {
        name: name.into(),
        book: Some(book),
        ..NewCode::default()
    };
    assert_eq!(store.add_code(&amira, &code("Rire", Book::Own)).unwrap(), 1);
    let shared = code("Confiance", Book::Shared);
    assert_eq!(store.add_code(&amira, &shared).unwrap(), 2);
    assert_eq!(
        store.add_code(&bruno, &code("Ironie", Book::Own)).unwrap(),
        3
    );
    for (scope, source, start, end, code) in [
        (&amira, 1, 6, 13, 1),
        (&amira, 1, 22, 26, 2),
        (&amira, 2, 0, 4, 2),
        (&bruno, 1, 10, 20, 3),
        (&bruno, 1, 22, 28, 2),
    ] {
        store
            .add_coding(scope, source, span(start, end), code, None)
            .unwrap();
    }
    (amira, bruno)
}

fn the_change_counter_tells_what_a_write_touched(store: &mut impl Reads) {
    assert_eq!(store.change_counter().unwrap(), 1); // the creation
    let (amira, _) = study(store);
    // 1 + 2 imports + 2 coders + 3 codes + 5 codings = 13.
    assert_eq!(store.change_counter().unwrap(), 13);
    assert!(!store.tables_may_have_changed(13, &["sources"]).unwrap());
    // Coding 6 (entry 14) records a row of `codings` only.
    store.add_coding(&amira, 2, span(0, 2), 1, None).unwrap();
    assert_eq!(store.change_counter().unwrap(), 14);
    assert!(
        !store
            .tables_may_have_changed(13, &["sources", "turns"])
            .unwrap()
    );
    assert!(store.tables_may_have_changed(13, &["codings"]).unwrap());
    // An import (entry 15) records no list of changes: it may have
    // touched anything.
    store
        .import_batch("tester", vec![fixture::note("autre", "Au revoir.")])
        .unwrap();
    assert_eq!(store.change_counter().unwrap(), 15);
    assert!(store.tables_may_have_changed(14, &["memos"]).unwrap());
    assert!(!store.tables_may_have_changed(15, &["codings"]).unwrap());
}

fn totals(coder_id: i64, codes: i64, codings: i64) -> CoderTotals {
    CoderTotals {
        coder_id,
        codes,
        codings,
    }
}

fn counts(pairs: &[(i64, i64)]) -> HashMap<i64, i64> {
    pairs.iter().copied().collect()
}

fn of(
    store: &impl Reads,
    scope: &Scope,
    range: std::ops::RangeInclusive<i64>,
) -> HashMap<i64, i64> {
    store.source_coding_counts(scope, range).unwrap()
}

fn counts_and_totals_follow_the_blind_rule(store: &mut impl Reads) {
    let (amira, bruno) = study(store);
    store.add_coding(&amira, 2, span(0, 2), 1, None).unwrap(); // coding 6
    // Amira sees her own codings only: 1 and 2 in source 1, 3 and 6 in 2.
    assert_eq!(of(store, &amira, 1..=3), counts(&[(1, 2), (2, 2)]));
    assert_eq!(of(store, &amira, 2..=2), counts(&[(2, 2)]));
    // Bruno: 4 and 5, both in source 1 (5 on the shared code).
    assert_eq!(of(store, &bruno, 1..=3), counts(&[(1, 2)]));
    // A reader sees the consensus layer only while blind: nothing yet.
    let reader = store.reader_scope().unwrap();
    assert!(reader.is_consensus() && !reader.sees_all());
    assert_eq!(reader.coder().name, "consensus");
    assert_eq!(of(store, &reader, 1..=3), counts(&[]));
    // Amira has one code of her own (the shared one is nobody's) and four
    // codings; the reader sees no coder's totals.
    assert_eq!(store.coder_totals(&amira).unwrap(), [totals(2, 1, 4)]);
    assert_eq!(store.coder_totals(&reader).unwrap(), []);

    store.reveal("tester").unwrap();
    let reader = store.reader_scope().unwrap();
    assert!(reader.sees_all());
    // Source 1: codings 1, 2, 4, 5; source 2: 3 and 6.
    assert_eq!(of(store, &reader, 1..=3), counts(&[(1, 4), (2, 2)]));
    assert_eq!(
        store.coder_totals(&reader).unwrap(),
        [totals(2, 1, 4), totals(3, 1, 2)]
    );
}

fn passages_of_a_code_take_its_descendants(store: &mut impl Reads) {
    let (amira, _) = study(store);
    store.add_coding(&amira, 2, span(0, 2), 1, None).unwrap(); // coding 6
    // Amira's "Humour" (4, a sub-theme) with "Sourire" (5) below it.
    let humour = NewCode {
        name: "Humour".into(),
        level: Some("sub-theme".into()),
        ..NewCode::default()
    };
    assert_eq!(store.add_code(&amira, &humour).unwrap(), 4);
    let sourire = NewCode {
        name: "Sourire".into(),
        parent: Some(4),
        ..NewCode::default()
    };
    assert_eq!(store.add_code(&amira, &sourire).unwrap(), 5);
    store.add_coding(&amira, 2, span(4, 8), 4, None).unwrap(); // coding 7
    store.add_coding(&amira, 1, span(35, 40), 5, None).unwrap(); // coding 8
    // Comparing passages needs every layer.
    assert!(matches!(
        store.passages_of(&amira, 2, 4),
        Err(StoreError::Blind)
    ));
    store.reveal("tester").unwrap();
    let reader = store.reader_scope().unwrap();
    let passage = |code, source, start, end| CodedSpan {
        code,
        source,
        start,
        end,
    };
    // Humour and Sourire below it: coding 8 in source 1, then 7 in 2.
    assert_eq!(
        store.passages_of(&reader, 2, 4).unwrap(),
        [passage(5, 1, 35, 40), passage(4, 2, 4, 8)]
    );
    // Rire has nothing below: codings 1 (source 1) and 6 (source 2).
    assert_eq!(
        store.passages_of(&reader, 2, 1).unwrap(),
        [passage(1, 1, 6, 13), passage(1, 2, 0, 2)]
    );
    assert_eq!(store.passages_of(&reader, 3, 4).unwrap(), []);
    // Bruno's passage with the shared Confiance: coding 5.
    assert_eq!(
        store.passages_of(&reader, 3, 2).unwrap(),
        [passage(2, 1, 22, 28)]
    );
}

fn a_snapshot_holds_what_the_scope_sees(store: &mut impl Reads) {
    let (amira, bruno) = study(store);
    store.add_coding(&amira, 2, span(0, 2), 1, None).unwrap(); // coding 6
    let csi = NewParticipant {
        code: Some("CSI-2".into()),
        ..NewParticipant::default()
    };
    assert_eq!(store.add_participant("tester", &csi).unwrap(), 1);
    // Memo 1 is the imported comment (nobody's layer); 2 amira's, 3 bruno's.
    for (scope, source, id) in [(&amira, 1, 2), (&bruno, 2, 3)] {
        let target = MemoTarget::Source(source);
        let added = store.add_memo(scope, &target, None, "Lu deux fois.");
        assert_eq!(added.unwrap(), id);
    }
    for (scope, title) in [(&amira, "Première lecture"), (&bruno, "Relecture")] {
        store
            .add_entry(scope, EntryKind::Note, title, "La confiance revient.")
            .unwrap();
    }

    let snap = store.snapshot(&amira).unwrap();
    assert_eq!(snap.title, "Étude");
    assert!(!snap.study_guid.is_empty());
    assert_eq!(snap.levels, ["idea", "sub-theme", "theme", "meta-theme"]);
    let coders: Vec<&str> = snap.coders.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(coders, ["amira"]);
    // The shared codebook first, then amira's; bruno's Ironie hidden.
    let codes: Vec<(i64, &str, &str)> = snap
        .codes
        .iter()
        .map(|c| (c.id, c.name.as_str(), c.level.as_str()))
        .collect();
    assert_eq!(codes, [(2, "Confiance", "idea"), (1, "Rire", "idea")]);
    // By source, start and end: 1 (6..13), 2 (22..26), then 6 (0..2)
    // before 3 (0..4).
    let codings: Vec<i64> = snap.codings.iter().map(|c| c.id).collect();
    assert_eq!(codings, [1, 2, 6, 3]);
    let memos: Vec<i64> = snap.memos.iter().map(|m| m.id).collect();
    assert_eq!(memos, [1, 2]);
    let journal: Vec<&str> = snap.journal.iter().map(|j| j.title.as_str()).collect();
    assert_eq!(journal, ["Première lecture"]);
    // CSI-2 speaks 22..28 of source 1 (fixture::interview's turns).
    assert_eq!(snap.participant_turns, [(1, 1, 22, 28)]);
    assert_eq!(snap.participant_sources, [(1, 1)]);
    let sources: Vec<(&str, usize)> = snap
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s.turns.len()))
        .collect();
    assert_eq!(sources, [("entretien", 3), ("note", 1)]);
    assert_eq!(snap.sources[1].text, "Merci pour tout.");
    assert_eq!((snap.quotes, snap.translations), (0, 0));
    assert!(snap.uncarried.is_empty(), "{:?}", snap.uncarried);

    store.reveal("tester").unwrap();
    let snap = store.snapshot(&store.reader_scope().unwrap()).unwrap();
    let coders: Vec<&str> = snap.coders.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(coders, ["consensus", "amira", "bruno"]);
    let codes: Vec<i64> = snap.codes.iter().map(|c| c.id).collect();
    assert_eq!(codes, [2, 1, 3]);
    // Source 1: 1 (6..13), 4 (10..20), 2 (22..26), 5 (22..28); source 2:
    // 6 (0..2), 3 (0..4).
    let codings: Vec<i64> = snap.codings.iter().map(|c| c.id).collect();
    assert_eq!(codings, [1, 4, 2, 5, 6, 3]);
    let memos: Vec<i64> = snap.memos.iter().map(|m| m.id).collect();
    assert_eq!(memos, [1, 2, 3]);
    assert_eq!(snap.journal.len(), 2);
}
