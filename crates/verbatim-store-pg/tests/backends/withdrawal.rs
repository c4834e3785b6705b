//! Consent withdrawal (`Withdrawing`: what `participants withdraw` does),
//! run on SQLite and PostgreSQL by `conformance!`: the participant's
//! speech replaced by the notice, codings inside it deleted and those
//! across its edge shrunk, everyone else's words in place, the label and
//! consent cleared, the log redacted, nothing undoable. The fixture text
//! is `INT : Ça va ?\nCSI-2 : Oui 😀.\nINT : Bien.` (40 chars; CSI-2's
//! speech "Oui 😀." is 22..28, its comment anchored on the emoji 26..27).

use verbatim_core::Span;
use verbatim_store::{
    Book, CodingFilter, History, NewCode, NewParticipant, Participants, SourceRef, Store,
    StoreError, WITHDRAWN_NOTICE, Withdrawing,
};

use super::coding::Backend;
use super::fixture;

conformance!(
    withdrawal_removes_the_speech_and_keeps_everyone_else_in_place,
    an_unknown_participant_changes_nothing,
);

/// A backend that withdraws participants, with history.
pub trait Withdraws: Backend + Participants + Withdrawing + History {}
impl<T: Backend + Participants + Withdrawing + History> Withdraws for T {}

fn withdrawal_removes_the_speech_and_keeps_everyone_else_in_place(store: &mut impl Withdraws) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    let marie = NewParticipant {
        code: Some("CSI-2".into()),
        label: Some("Marie Dupont".into()),
        site: None,
    };
    store.add_participant("tester", &marie).unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let new = NewCode {
        name: "Accueil".into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let code = store.add_code(&me, &new).unwrap();
    // Inside CSI-2's turn ("Oui"), inside INT's ("Ça va ?"), and across
    // (" ?\nCSI-2 : Oui", 11..25: "INT : Ça va" is 11 chars).
    for (a, b) in [(22, 25), (6, 13), (11, 25)] {
        let span = Span::new(a, b).unwrap();
        store.add_coding(&me, 1, span, code, None).unwrap();
    }
    let report = store.withdraw_participant("tester", "csi-2").unwrap();
    assert_eq!(report.participant, "CSI-2");
    assert_eq!(report.sources.len(), 1);
    let s = &report.sources[0];
    // "Oui 😀." is 6 chars: O, u, i, space, 😀, full stop.
    assert_eq!((s.turns_removed, s.chars_removed), (1, 6));
    assert_eq!(s.codings_deleted.get("amira"), Some(&1));
    assert_eq!(s.codings_shrunk.get("amira"), Some(&1));
    assert_eq!(s.memos_removed, 1);
    assert!(report.label_cleared);
    assert_eq!(report.consents_withdrawn, 1);
    // The participant's row recorded the label: at least that entry.
    assert!(report.audit_redacted >= 1);
    let record = store.source(&SourceRef::Id(1)).unwrap();
    assert_eq!(
        record.text,
        format!("INT : Ça va ?\nCSI-2 : {WITHDRAWN_NOTICE}\nINT : Bien.")
    );
    assert!(record.memos.is_empty());
    let mut texts: Vec<String> = store
        .codings(&me, &CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| c.text)
        .collect();
    texts.sort();
    // The one across keeps INT's words and CSI-2's label, up to 22.
    assert_eq!(texts, [" ?\nCSI-2 : ", "Ça va ?"]);
    for e in store.audit_log(1000).unwrap() {
        let d = e.data.to_string();
        assert!(!d.contains("Marie Dupont"), "{} keeps the label", e.action);
        assert!(!d.contains("Oui 😀"), "{} keeps the speech: {d}", e.action);
    }
    let actions: Vec<String> = store
        .audit_log(2)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["participant.withdraw", "history.redact"]);
    let people = store.participants().unwrap();
    assert_eq!(people[0].code.as_deref(), Some("CSI-2"));
    assert_eq!(people[0].label, None);
    let consents = store.consents(Some("CSI-2")).unwrap();
    assert_eq!(consents[0].status, "withdrawn");
    // The withdrawn turn stays the participant's, explicitly now.
    let speakers = store.speakers(Some(1)).unwrap();
    let csi = speakers.iter().find(|r| r.label == "CSI-2").unwrap();
    assert_eq!(csi.participant.as_deref(), Some("CSI-2"));
    assert!(store.undo("tester", 1).is_err());
}

fn an_unknown_participant_changes_nothing(store: &mut impl Withdraws) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    let log = store.audit_log(100).unwrap().len();
    let err = store.withdraw_participant("tester", "ZZ-9").unwrap_err();
    assert!(matches!(err, StoreError::UnknownParticipant(_)), "{err:?}");
    assert!(Withdrawing::find_participant(&*store, "ZZ-9").is_err());
    assert_eq!(store.audit_log(100).unwrap().len(), log);
}

#[test]
fn the_log_is_append_only_again_after_a_withdrawal_redacted_it() {
    let Some(study) = super::pg::study("withdraw_append_only") else {
        return;
    };
    let mut store = super::pg::create(&study);
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    let marie = NewParticipant {
        code: Some("CSI-2".into()),
        label: Some("Marie Dupont".into()),
        site: None,
    };
    store.add_participant("tester", &marie).unwrap();
    let report = store.withdraw_participant("tester", "CSI-2").unwrap();
    assert!(report.audit_redacted >= 1);
    let schema = study.address.study();
    let err = study
        .admin()
        .batch_execute(&format!("UPDATE \"{schema}\".audit SET actor = 'mallory'"))
        .unwrap_err();
    let message = err.as_db_error().map(|d| d.message().to_owned());
    assert_eq!(message.as_deref(), Some("the audit log is append-only"));
}
