//! A source's edits, repairs and marks (`SourceEdits`: what `source edit`,
//! `source redetect`,
//! `source remove` and `source done` do) and the solo mark (`Solo`: `study
//! solo`), run on SQLite and PostgreSQL by `conformance!`: the change, its
//! audit entry, its undo, and the refusals with nothing written. The
//! fixture interview is 40 chars with turns INT 6..13, CSI-2 22..28 and
//! INT 35..40 and one anchored comment (see `fixture::TEXT`); the
//! consensus row is coder 1, so amira is coder 2 and bruno coder 3.

use verbatim_core::{Span, Turn};
use verbatim_store::{
    AgreementReads, Book, CodingFilter, Guides, History, NewCode, NewParticipant, Reveal, Scope,
    Solo, SourceEdits, SourceRef, SpeakerTarget, StoreError,
};

use super::fixture::{self, TEXT};

conformance!(
    an_edit_moves_every_span_with_the_text_and_undo_restores_them,
    redetected_turns_replace_the_old_and_undo_brings_them_back,
    a_removed_source_takes_what_hangs_on_it_and_undo_brings_it_back,
    a_done_mark_counts_the_source_as_analysed_until_taken_back,
    solo_is_refused_once_two_coders_coded_blind_and_recorded_once,
);

/// A backend with source repairs, guides, agreement reads and history.
pub trait Repairing: SourceEdits + Solo + Guides + AgreementReads + History + Reveal {}
impl<T: SourceEdits + Solo + Guides + AgreementReads + History + Reveal> Repairing for T {}

/// `(label, start, end)` of each turn of source 1.
fn turns(store: &impl Repairing) -> Vec<(Option<String>, i64, i64)> {
    let record = store.source(&SourceRef::Id(1)).unwrap();
    record
        .turn_list
        .into_iter()
        .map(|t| (t.speaker, t.start, t.end))
        .collect()
}

fn who(store: &impl Repairing, label: &str) -> Option<String> {
    let rows = store.speakers(Some(1)).unwrap();
    rows.into_iter()
        .find(|r| r.label == label)
        .and_then(|r| r.participant)
}

fn turn(speaker: &str, start: usize, end: usize) -> Turn {
    Turn {
        speaker: Some(speaker.into()),
        span: Span::new(start, end).unwrap(),
        begin_ms: None,
        end_ms: None,
    }
}

/// Adds a code for the scope's coder and codes `[start, end)` of source 1.
fn code(store: &mut impl Repairing, scope: &Scope, start: usize, end: usize) {
    let new = NewCode {
        name: "Humeur".into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let id = store.add_code(scope, &new).unwrap();
    let span = Span::new(start, end).unwrap();
    store.add_coding(scope, 1, span, id, None).unwrap();
}

fn redetected_turns_replace_the_old_and_undo_brings_them_back(store: &mut impl Repairing) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    let p01 = NewParticipant {
        code: Some("P01".into()),
        ..NewParticipant::default()
    };
    store.add_participant("tester", &p01).unwrap();
    let to_p01 = SpeakerTarget::Participant("P01".into());
    store
        .map_speaker("tester", &SourceRef::Id(1), "CSI-2", &to_p01)
        .unwrap();
    let before = turns(store);
    let entries = store.audit_log(100).unwrap().len();
    // The same turns again, times included: no change, no entry.
    let timed = |t: Turn, ms: u64| Turn {
        begin_ms: Some(ms),
        ..t
    };
    let same = [
        timed(turn("INT", 6, 13), 0),
        timed(turn("CSI-2", 22, 28), 2_500),
        turn("INT", 35, 40),
    ];
    let report = store.replace_turns("tester", 1, &same).unwrap();
    assert!(!report.changed);
    // Turns past the 40 chars, or overlapping, are refused.
    let refused = store.replace_turns("tester", 1, &[turn("INT", 0, 41)]);
    match refused {
        Err(StoreError::Invalid(why)) => assert_eq!(
            why,
            "the turns found do not fit the 40 characters of entretien: nothing was changed"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(store.audit_log(100).unwrap().len(), entries);
    // One INT turn over the whole text: CSI-2's mapping goes with its label.
    let report = store
        .replace_turns("tester", 1, &[turn("INT", 0, 40)])
        .unwrap();
    assert!(report.changed);
    assert_eq!((report.turns_before, report.turns_after), (3, 1));
    assert_eq!(report.speakers_before, ["INT", "CSI-2"]);
    assert_eq!(report.speakers_after, ["INT"]);
    assert_eq!(report.mappings_dropped, ["CSI-2"]);
    assert_eq!(turns(store), [(Some("INT".into()), 0, 40)]);
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "source.redetect");
    assert_eq!(log[0].target.as_deref(), Some("source:1"));
    // The text never changes.
    assert_eq!(store.source(&SourceRef::Id(1)).unwrap().text, TEXT);
    store.undo("tester", 1).unwrap();
    assert_eq!(turns(store), before);
    assert_eq!(who(store, "CSI-2").as_deref(), Some("P01"));
}

fn a_removed_source_takes_what_hangs_on_it_and_undo_brings_it_back(store: &mut impl Repairing) {
    let note = fixture::note("note", "Une note de terrain.");
    store
        .import_batch("tester", vec![fixture::interview("entretien"), note])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    code(store, &me, 22, 28);
    store
        .add_guide("tester", "Guide", "1. Ça va ?\n", None, None)
        .unwrap();
    store
        .use_guide("tester", &SourceRef::Id(1), "Guide", None)
        .unwrap();
    store.set_source_done("amira", &me, 1, true).unwrap();
    let entries = store.audit_log(100).unwrap().len();
    assert!(matches!(
        store.remove_source("tester", 9),
        Err(StoreError::SourceNotFound(_))
    ));
    assert_eq!(store.audit_log(100).unwrap().len(), entries);
    // 3 turns, amira's coding, the anchored comment, no mapping.
    let report = store.remove_source("tester", 1).unwrap();
    let counts = (report.id, report.source.as_str(), report.turns);
    assert_eq!(counts, (1, "entretien", 3));
    assert_eq!((report.codings, report.memos, report.mappings), (1, 1, 0));
    let names: Vec<String> = store
        .sources()
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["note"]);
    assert!(
        store
            .codings(&me, &CodingFilter::default())
            .unwrap()
            .is_empty()
    );
    assert!(store.guides().unwrap()[0].versions[0].sources.is_empty());
    assert!(store.analysed_sources(2).unwrap().is_empty());
    store.undo("tester", 1).unwrap();
    let record = store.source(&SourceRef::Id(1)).unwrap();
    assert_eq!((record.text.as_str(), record.turn_list.len()), (TEXT, 3));
    assert_eq!(record.memos.len(), 1);
    let codings = store.codings(&me, &CodingFilter::default()).unwrap();
    assert_eq!(codings.len(), 1);
    assert_eq!(codings[0].text, "Oui 😀.");
    assert_eq!(
        store.guides().unwrap()[0].versions[0].sources,
        ["entretien"]
    );
    assert_eq!(store.analysed_sources(2).unwrap(), [1]);
}

fn a_done_mark_counts_the_source_as_analysed_until_taken_back(store: &mut impl Repairing) {
    let note = fixture::note("note", "Une note de terrain.");
    store
        .import_batch("tester", vec![fixture::interview("entretien"), note])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    assert!(matches!(
        store.set_source_done("amira", &me, 9, true),
        Err(StoreError::SourceNotFound(_))
    ));
    assert!(store.analysed_sources(2).unwrap().is_empty());
    assert!(store.set_source_done("amira", &me, 2, true).unwrap());
    // Marked twice is one mark, and no second entry.
    let entries = store.audit_log(100).unwrap().len();
    assert!(!store.set_source_done("amira", &me, 2, true).unwrap());
    assert_eq!(store.audit_log(100).unwrap().len(), entries);
    assert_eq!(store.analysed_sources(2).unwrap(), [2]);
    let log = store.audit_log(1).unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].target.as_deref()),
        ("source.done", Some("source:2"))
    );
    assert_eq!(log[0].data["summary"]["coder"], "amira");
    assert!(store.set_source_done("amira", &me, 2, false).unwrap());
    assert_eq!(store.audit_log(1).unwrap()[0].action, "source.undone");
    assert!(store.analysed_sources(2).unwrap().is_empty());
    store.undo("amira", 1).unwrap();
    assert_eq!(store.analysed_sources(2).unwrap(), [2]);
}

fn solo_is_refused_once_two_coders_coded_blind_and_recorded_once(store: &mut impl Repairing) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    code(store, &amira, 6, 13);
    code(store, &bruno, 22, 28);
    assert!(!store.layers_open().unwrap());
    let entries = store.audit_log(100).unwrap().len();
    match store.mark_solo("amira") {
        Err(StoreError::Invalid(why)) => assert_eq!(
            why,
            "amira and bruno have already coded blind, so the study cannot be declared solo now: \
             if these names are all yours, open the layers with `verbatim reveal` \
             (recorded under your name)"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(store.audit_log(100).unwrap().len(), entries);
    assert_eq!(store.solo().unwrap(), None);
    // Once revealed, solo may be declared: once, by whom, not undoable.
    store.reveal("tester").unwrap();
    assert!(store.mark_solo("amira").unwrap());
    assert!(!store.mark_solo("bruno").unwrap());
    let (by, at) = store.solo().unwrap().unwrap();
    assert_eq!(by, "amira");
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "study.solo");
    assert_eq!(log[0].data["solo_at"], at.as_str());
    assert!(store.layers_open().unwrap());
}

/// `(start, end, text)` of every coding amira sees, by position.
fn coded(store: &impl Repairing, scope: &Scope) -> Vec<(i64, i64, String)> {
    let mut out: Vec<(i64, i64, String)> = store
        .codings(scope, &CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| (c.start, c.end, c.text))
        .collect();
    out.sort();
    out
}

fn an_edit_moves_every_span_with_the_text_and_undo_restores_them(store: &mut impl Repairing) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let new = NewCode {
        name: "Humeur".into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let code = store.add_code(&me, &new).unwrap();
    for (a, b) in [(22, 28), (35, 40)] {
        let span = Span::new(a, b).unwrap();
        store.add_coding(&me, 1, span, code, None).unwrap();
    }
    let before = (turns(store), coded(store, &me));
    // "Ça va" (6..11) becomes "Comment allez-vous": no char in common at
    // either end, so [6, 11) is replaced by 18 chars, 13 more: 53 chars.
    let span = Span::new(6, 11).unwrap();
    let report = store
        .edit_source(&me, 1, span, "Comment allez-vous")
        .unwrap();
    assert_eq!(
        (report.start, report.end, report.delta, report.chars),
        (6, 11, 13, 53)
    );
    assert_eq!(report.removed, "Ça va");
    // Both codings move 13 chars with their words; the first INT turn
    // grows to 6..26 and the others move; the comment moves from 26..27.
    assert_eq!(report.codings_shifted, 2);
    assert!(report.affected.is_empty());
    assert_eq!((report.turns_changed, report.memos_changed), (3, 1));
    let record = store.source(&SourceRef::Id(1)).unwrap();
    assert_eq!(
        record.text,
        "INT : Comment allez-vous ?\nCSI-2 : Oui 😀.\nINT : Bien."
    );
    assert_eq!(
        (record.memos[0].start, record.memos[0].end),
        (Some(39), Some(40))
    );
    assert_eq!(
        turns(store),
        [
            (Some("INT".into()), 6, 26),
            (Some("CSI-2".into()), 35, 41),
            (Some("INT".into()), 48, 53)
        ]
    );
    assert_eq!(
        coded(store, &me),
        [(35, 41, "Oui 😀.".into()), (48, 53, "Bien.".into())]
    );
    // "Oui" (35..38) becomes "Si": the "i" they share stays, so only
    // "Ou" (35..37) is replaced by "S": the first coding ends one sooner.
    let span = Span::new(35, 38).unwrap();
    let report = store.edit_source(&me, 1, span, "Si").unwrap();
    assert_eq!(
        (report.start, report.end, report.removed.as_str()),
        (35, 37, "Ou")
    );
    assert_eq!(report.affected.len(), 1);
    let a = &report.affected[0];
    assert_eq!(
        (a.old_start, a.old_end, a.new_start, a.new_end),
        (35, 41, Some(35), Some(40))
    );
    assert_eq!(a.new_text.as_deref(), Some("Si 😀."));
    let log = store.audit_log(1).unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].actor.as_str()),
        ("source.edit", "amira")
    );
    assert_eq!(log[0].data["summary"]["removed"], "Ou");
    // Refusals write nothing.
    let entries = store.audit_log(100).unwrap().len();
    let outside = store.edit_source(&me, 1, Span::new(0, 200).unwrap(), "x");
    match outside {
        Err(StoreError::Invalid(why)) => assert_eq!(
            why,
            "the span [0, 200) is outside source \"entretien\", which has 52 characters: give --start and --end between 0 and 52"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(
        store
            .edit_source(&me, 1, Span::new(35, 37).unwrap(), "Si")
            .is_err()
    );
    assert_eq!(store.audit_log(100).unwrap().len(), entries);
    store.undo("amira", 2).unwrap();
    assert_eq!(store.source(&SourceRef::Id(1)).unwrap().text, TEXT);
    assert_eq!((turns(store), coded(store, &me)), before);
    let record = store.source(&SourceRef::Id(1)).unwrap();
    assert_eq!(
        (record.memos[0].start, record.memos[0].end),
        (Some(26), Some(27))
    );
}
