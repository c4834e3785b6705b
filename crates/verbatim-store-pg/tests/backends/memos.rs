//! The `Memos` trait's behaviour, written once and run on SQLite and
//! PostgreSQL by `conformance!`: memos on every kind of target, refused
//! alike, blind until the layers open, filtered by kind, target and
//! folded words, each write one audit entry in SQLite's shape.

use verbatim_store::{Coders, MemoFilter, MemoTarget, Memos, Store, StoreError};

use super::fixture;

conformance!(memos_are_written_filtered_and_blind_alike);

/// A study backend with what the memo commands use.
pub trait Backend: Store + Coders + Memos {}
impl<T: Store + Coders + Memos> Backend for T {}

fn memos_are_written_filtered_and_blind_alike(store: &mut impl Backend) {
    // The interview's comment on the emoji becomes memo 1 (a passage memo
    // of no coder's layer).
    store
        .import_batch("tester", vec![fixture::interview("cs-02")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    let study = store
        .add_memo(
            &amira,
            &MemoTarget::Study,
            Some(" Première "),
            "Les soignants parlent de Méfiance.",
        )
        .unwrap();
    let source = store
        .add_memo(&bruno, &MemoTarget::Source(1), None, "Entretien riche.")
        .unwrap();
    let person = store
        .add_memo(
            &amira,
            &MemoTarget::Participant("CSI-2".into()),
            None,
            "Parle vite.",
        )
        .unwrap();
    assert_eq!((study, source, person), (2, 3, 4));
    let mut refusal = |target: MemoTarget, body: &str| -> String {
        match Memos::add_memo(store, &amira, &target, None, body) {
            Err(e) => e.to_string(),
            Ok(id) => panic!("memo {id} was written"),
        }
    };
    assert!(refusal(MemoTarget::Study, " ").contains("the memo's text is empty"));
    assert!(refusal(MemoTarget::Participant(" ".into()), "x").contains("by their code"));
    assert!(refusal(MemoTarget::Coding(7), "x").contains("no coding 7 among those you can see"));
    assert!(matches!(
        store.add_memo(&amira, &MemoTarget::Source(99), None, "x"),
        Err(StoreError::SourceNotFound(s)) if s == "99"
    ));
    assert!(matches!(
        store.add_memo(&amira, &MemoTarget::Code(99), None, "x"),
        Err(StoreError::UnknownCode(c)) if c == "99"
    ));

    // Two coders, layers closed: amira sees the imported comment and her
    // own two memos, not bruno's.
    let all = MemoFilter::default();
    let mine: Vec<(i64, String, Option<String>)> = store
        .memos(&amira, &all)
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m.target_kind, m.title))
        .collect();
    assert_eq!(
        mine,
        [
            (1, "passage".into(), None),
            (2, "study".into(), Some("Première".into())),
            (4, "participant".into(), None)
        ]
    );
    // "mefiance" finds "Méfiance" (case and accents ignored).
    let words = MemoFilter {
        text: Some("mefiance".into()),
        ..MemoFilter::default()
    };
    let found: Vec<i64> = store
        .memos(&amira, &words)
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(found, [2]);
    // On source 1: its passage memo and bruno's memo, named by the source.
    let on_source = MemoFilter {
        target: Some(MemoTarget::Source(1)),
        ..MemoFilter::default()
    };
    let theirs: Vec<(i64, Option<String>)> = store
        .memos(&bruno, &on_source)
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m.target_label))
        .collect();
    assert_eq!(
        theirs,
        [(1, Some("cs-02".into())), (3, Some("cs-02".into()))]
    );
    let people = MemoFilter {
        target_kind: Some("participant".into()),
        ..MemoFilter::default()
    };
    let listed = store.memos(&amira, &people).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].target_label.as_deref(), Some("CSI-2"));
    assert_eq!(listed[0].coder.as_deref(), Some("amira"));
    assert_eq!(listed[0].origin, "user");

    // Five refusals wrote nothing: creation, import, 2 coders, 3 memos.
    let log = store.audit_log(20).unwrap();
    assert_eq!(log.len(), 7);
    assert_eq!(log[0].action, "memo.add");
    assert_eq!(log[0].target.as_deref(), Some("memo:4"));
    assert_eq!(log[0].data["summary"]["on"], "participant");
    assert_eq!(log[0].data["summary"]["label"], "CSI-2");
    let change = &log[0].data["changes"][0];
    assert_eq!(change["table"], "memos");
    assert_eq!(change["key"]["id"], 4);
    assert_eq!(change["after"]["coder_id"], 2);
    assert_eq!(change["after"]["target_label"], "CSI-2");
    assert_eq!(change["after"]["author"], "amira");
}
