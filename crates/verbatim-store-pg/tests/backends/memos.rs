//! The `Memos` trait's behaviour, written once and run on SQLite and
//! PostgreSQL by `conformance!`: memos on every kind of target, refused
//! alike, blind until the layers open, filtered by kind, target and
//! folded words, each write one audit entry in SQLite's shape.

use verbatim_store::{Coders, History, MemoFilter, MemoTarget, Memos, Store, StoreError};

use super::fixture;

conformance!(
    memos_are_written_filtered_and_blind_alike,
    memos_are_edited_and_deleted_by_their_author_alike,
);

/// A study backend with what the memo commands use.
pub trait Backend: Store + Coders + Memos + History {}
impl<T: Store + Coders + Memos + History> Backend for T {}

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

fn invalid(result: Result<(), StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn memos_are_edited_and_deleted_by_their_author_alike(store: &mut impl Backend) {
    // Memo 1 is the interview's imported comment.
    store
        .import_batch("tester", vec![fixture::interview("cs-02")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    let mine = store
        .add_memo(&amira, &MemoTarget::Study, Some("Première"), "Texte A")
        .unwrap();
    let theirs = store
        .add_memo(&bruno, &MemoTarget::Source(1), None, "Entretien riche.")
        .unwrap();
    assert_eq!((mine, theirs), (2, 3));
    let before = store.memos(&amira, &MemoFilter::default()).unwrap()[1].clone();

    // An empty title clears it; the text is trimmed.
    store
        .edit_memo(&amira, mine, Some(" "), Some(" Texte B "))
        .unwrap();
    let after = store.memos(&amira, &MemoFilter::default()).unwrap()[1].clone();
    assert_eq!(
        (after.id, after.title, after.body.as_str()),
        (2, None, "Texte B")
    );
    // Dated anew (RFC 3339 text orders as time does).
    assert!(after.written_at >= before.written_at);

    assert_eq!(
        invalid(store.edit_memo(&amira, mine, None, None)),
        "nothing to change: give a new title or a new text"
    );
    assert_eq!(
        invalid(store.edit_memo(&amira, mine, None, Some(" "))),
        "the memo's text is empty"
    );
    assert_eq!(
        invalid(store.edit_memo(&amira, 1, Some("x"), None)),
        "memo 1 was imported with its document (document-comment): it cannot be changed, write your own memo instead"
    );
    // Layers closed: amira does not see bruno's memo at all.
    assert_eq!(
        invalid(store.delete_memo(&amira, theirs)),
        "no memo 3 among yours: list them with `verbatim memo list`"
    );
    assert_eq!(
        invalid(store.delete_memo(&amira, 99)),
        "no memo 99 among yours: list them with `verbatim memo list`"
    );

    store.delete_memo(&amira, mine).unwrap();
    let left: Vec<i64> = store
        .memos(&amira, &MemoFilter::default())
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(left, [1]);
    let log = store.audit_log(2).unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].target.as_deref()),
        ("memo.delete", Some("memo:2"))
    );
    assert_eq!(log[0].data["changes"][0]["before"]["body"], "Texte B");
    assert_eq!(log[1].action, "memo.edit");
    let edit = &log[1].data["changes"][0];
    assert_eq!(edit["table"], "memos");
    assert_eq!(edit["before"]["title"], "Première");
    assert_eq!(edit["after"]["title"], serde_json::Value::Null);
    assert_eq!(edit["after"]["body"], "Texte B");

    // Undo brings the memo back as edited, then the edit back as written.
    store.undo("amira", 2).unwrap();
    let back = store.memos(&amira, &MemoFilter::default()).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(
        (back[1].title.as_deref(), back[1].body.as_str()),
        (Some("Première"), "Texte A")
    );
    // Bruno's memo was never touched.
    assert_eq!(
        store.memos(&bruno, &MemoFilter::default()).unwrap()[1].body,
        "Entretien riche."
    );
}
