//! The `Journal` trait's behaviour, written once and run on SQLite and
//! PostgreSQL by `conformance!`: entries by their author, seals in the
//! documented form, links to codes, refusals in the same sentences, and
//! each write one audit entry in SQLite's shape. The consensus row is
//! coder 1, so the first coder added is coder 2.

use sha2::{Digest, Sha256};
use verbatim_store::{
    Book, CodeFields, Codebook, Coders, EntryKind, History, Journal, NewCode, Relation, Store,
    StoreError,
};

conformance!(
    journal_entries_are_sealed_and_linked_alike,
    a_colleagues_entries_stay_out_of_reach,
    unsealed_entries_are_edited_deleted_and_undone_alike,
);

/// A study backend with what the journal commands use.
pub trait Backend: Store + Coders + Codebook + Journal + History {}
impl<T: Store + Coders + Codebook + Journal + History> Backend for T {}

fn invalid(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn journal_entries_are_sealed_and_linked_alike(store: &mut impl Backend) {
    store.add_coder("tester", "amira", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let note = store
        .add_entry(
            &amira,
            EntryKind::Note,
            "  Premier jour ",
            "Entretien à Valmont.",
        )
        .unwrap();
    let pre = store
        .add_entry(
            &amira,
            EntryKind::Preconception,
            "Attente",
            "La confiance compte.",
        )
        .unwrap();
    assert_eq!((note, pre), (1, 2));
    assert!(invalid(store.add_entry(&amira, EntryKind::Note, " ", "x")).contains("title is empty"));
    assert!(
        invalid(store.seal(&amira, note))
            .contains("journal entry 1 is a note: only preconceptions")
    );
    let hash = store.seal(&amira, pre).unwrap();
    assert!(invalid(store.seal(&amira, pre)).contains("journal entry 2 was already sealed on"));
    let entries = store.entries(&amira).unwrap();
    let sealed = &entries[1];
    // The documented form, by hand: a JSON array of the tag and six fields
    // (no character here needs escaping), hashed with SHA-256.
    let form = format!(
        r#"["verbatim-journal-seal/1","{}","preconception","Attente","La confiance compte.","{}","{}"]"#,
        sealed.guid,
        sealed.written_at,
        sealed.sealed_at.as_deref().unwrap()
    );
    let by_hand: String = Sha256::digest(form.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hash, by_hand);
    assert_eq!(sealed.content_hash.as_deref(), Some(by_hand.as_str()));

    let code = store
        .add_code(
            &amira,
            &NewCode {
                name: "Confiance".into(),
                level: None,
                parent: None,
                book: Some(Book::Own),
                fields: CodeFields::default(),
            },
        )
        .unwrap();
    // A sealed entry can still be linked; linking again changes the relation.
    assert_eq!(
        store
            .link_entry(&amira, pre, code, Relation::Expected)
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .link_entry(&amira, pre, code, Relation::Emerged)
            .unwrap(),
        1
    );
    assert!(matches!(
        store.link_entry(&amira, pre, 99, Relation::Absent),
        Err(StoreError::UnknownCode(c)) if c == "99"
    ));
    let entries = store.entries(&amira).unwrap();
    let titles: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.kind.as_str(), e.title.as_str()))
        .collect();
    // Oldest first; the title trimmed.
    assert_eq!(
        titles,
        [("note", "Premier jour"), ("preconception", "Attente")]
    );
    assert_eq!(entries[0].links, []);
    assert_eq!(entries[1].links.len(), 1);
    let link = &entries[1].links[0];
    assert_eq!(
        (
            link.id,
            link.code_id,
            link.code.as_str(),
            link.relation.as_str()
        ),
        (1, code, "Confiance", "emerged")
    );

    // Newest first: the relation changed, the link added, the code, the
    // seal (not undoable), two entries, the coder, the study: 8 entries.
    let log = store.audit_log(20).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "journal.link",
            "journal.link",
            "code.add",
            "journal.seal",
            "journal.add",
            "journal.add",
            "coder.add",
            "study.create"
        ]
    );
    let changed = &log[0].data["changes"][0];
    assert_eq!(changed["table"], "journal_links");
    assert_eq!(changed["key"]["id"], 1);
    assert_eq!(changed["before"]["relation"], "expected");
    assert_eq!(changed["after"]["relation"], "emerged");
    assert_eq!(changed["after"]["entry_id"], 2);
    assert_eq!(log[0].target.as_deref(), Some("journal:2"));
    assert_eq!(log[0].data["summary"]["relation"], "emerged");
    assert_eq!(log[3].data["content_hash"], by_hand.as_str());
    assert_eq!(log[3].data["guid"], sealed.guid.as_str());
    let added = &log[4].data["changes"][0];
    assert_eq!(added["table"], "journal");
    assert_eq!(added["key"]["id"], 2);
    assert_eq!(added["before"], serde_json::Value::Null);
    assert_eq!(added["after"]["coder_id"], 2);
    assert_eq!(added["after"]["kind"], "preconception");
    assert_eq!(added["after"]["sealed_at"], serde_json::Value::Null);
    assert_eq!(log[4].data["summary"]["title"], "Attente");
}

fn a_colleagues_entries_stay_out_of_reach(store: &mut impl Backend) {
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    let pre = store
        .add_entry(&amira, EntryKind::Preconception, "Attente", "Le lien.")
        .unwrap();
    // Two coders, layers closed: bruno neither sees nor seals amira's entry.
    assert_eq!(store.entries(&bruno).unwrap(), []);
    assert!(
        invalid(store.seal(&bruno, pre))
            .contains("no journal entry 1 among yours: list them with `verbatim journal list`")
    );
    assert!(store.scope("bruno", true, false).is_err());
    assert_eq!(store.entries(&amira).unwrap().len(), 1);
    // The refusal wrote nothing: the study, two coders, one entry.
    assert_eq!(store.audit_log(20).unwrap().len(), 4);
}

fn unsealed_entries_are_edited_deleted_and_undone_alike(store: &mut impl Backend) {
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    let note = store
        .add_entry(&amira, EntryKind::Note, "Jour", "Entretien à Valmont.")
        .unwrap();
    let pre = store
        .add_entry(&amira, EntryKind::Preconception, "Attente", "La confiance.")
        .unwrap();
    // A new title, trimmed; the text kept.
    store
        .edit_entry(&amira, note, Some("  Premier jour "), None)
        .unwrap();
    let entries = store.entries(&amira).unwrap();
    assert_eq!(
        (entries[0].title.as_str(), entries[0].body.as_str()),
        ("Premier jour", "Entretien à Valmont.")
    );
    assert_eq!(
        invalid(store.edit_entry(&amira, note, None, None)),
        "nothing to change: give a new title or a new text"
    );
    assert!(invalid(store.edit_entry(&amira, note, None, Some(" "))).contains("text is empty"));
    assert_eq!(
        invalid(store.edit_entry(&bruno, note, Some("x"), None)),
        "no journal entry 1 among yours: list them with `verbatim journal list`"
    );
    assert!(invalid(store.delete_entry(&bruno, note)).contains("no journal entry 1 among yours"));

    // Sealed, the preconception can change no more, nor go.
    store.seal(&amira, pre).unwrap();
    let at = store.entries(&amira).unwrap()[1].sealed_at.clone().unwrap();
    assert_eq!(
        invalid(store.edit_entry(&amira, pre, Some("Autre"), None)),
        format!(
            "journal entry 2 was sealed on {at} and can never be changed: write a new entry instead"
        )
    );
    assert!(invalid(store.delete_entry(&amira, pre)).contains("can never be deleted"));

    // A linked note is deleted with its link, and undo brings both back.
    let code = store
        .add_code(
            &amira,
            &NewCode {
                name: "Confiance".into(),
                level: None,
                parent: None,
                book: Some(Book::Own),
                fields: CodeFields::default(),
            },
        )
        .unwrap();
    let third = store
        .add_entry(&amira, EntryKind::Note, "Doute", "Relire.")
        .unwrap();
    let link = store
        .link_entry(&amira, third, code, Relation::Absent)
        .unwrap();
    assert_eq!((third, link), (3, 1));
    store.delete_entry(&amira, third).unwrap();
    let ids: Vec<i64> = store
        .entries(&amira)
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, [1, 2]);
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "journal.delete");
    assert_eq!(log[0].target.as_deref(), Some("journal:3"));
    let changes = log[0].data["changes"].as_array().unwrap();
    let gone: Vec<(&str, i64)> = changes
        .iter()
        .map(|c| {
            (
                c["table"].as_str().unwrap(),
                c["key"]["id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(gone, [("journal_links", 1), ("journal", 3)]);
    assert_eq!(changes[1]["before"]["title"], "Doute");
    assert_eq!(changes[1]["after"], serde_json::Value::Null);

    let undone = store.undo("amira", 1).unwrap();
    assert_eq!(undone[0].action, "journal.delete");
    let entries = store.entries(&amira).unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(
        (entries[2].title.as_str(), entries[2].links.len()),
        ("Doute", 1)
    );
    assert_eq!(entries[2].links[0].relation, "absent");
    store.redo("amira", 1).unwrap();
    assert_eq!(store.entries(&amira).unwrap().len(), 2);

    // The edit is undone to the title it replaced.
    let log = store.audit_log(30).unwrap();
    let edit = log.iter().find(|e| e.action == "journal.edit").unwrap();
    assert_eq!(edit.target.as_deref(), Some("journal:1"));
    assert_eq!(edit.data["changes"][0]["before"]["title"], "Jour");
    assert_eq!(edit.data["changes"][0]["after"]["title"], "Premier jour");
    assert_eq!(edit.data["summary"], serde_json::json!({}));
    // Every seal still holds.
    assert_eq!(store.verify_journal().unwrap(), []);
}
