//! Undo, redo and reveal (`History`, `Reveal`), written once and run on
//! SQLite and PostgreSQL by `conformance!`: the same stacks, the same rows
//! back, the same refusals in the same sentences. Every study starts as
//! `fixture::settings()` says; its consensus row is coder 1.

use verbatim_core::Span;
use verbatim_store::{
    Book, CodeFields, CodingFilter, History, NewCode, Replayed, Reveal, Scope, StoreError,
};

use super::coding::Backend;
use super::fixture;

/// A backend with the coding traits, history and reveal.
pub trait Full: Backend + History + Reveal {}
impl<T: Backend + History + Reveal> Full for T {}

conformance!(
    undo_and_redo_walk_a_coders_own_actions,
    a_replay_is_refused_when_later_work_took_the_row,
    reveal_opens_the_layers_once_and_is_not_undone,
    many_codings_are_one_action_that_one_undo_removes,
);

fn code(name: &str, book: Book) -> NewCode {
    NewCode {
        name: name.into(),
        level: None,
        parent: None,
        book: Some(book),
        fields: CodeFields::default(),
    }
}

fn span(start: usize, end: usize) -> Span {
    Span::new(start, end).unwrap()
}

fn history_error(result: Result<Vec<Replayed>, StoreError>) -> String {
    match result {
        Err(StoreError::History(message)) => message,
        other => panic!("expected a history refusal, got {other:?}"),
    }
}

/// `(id, start)` of every coding the scope sees.
fn listed(store: &impl Full, scope: &Scope) -> Vec<(i64, i64)> {
    store
        .codings(scope, &CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.start))
        .collect()
}

fn actions(done: &[Replayed]) -> Vec<&str> {
    done.iter().map(|r| r.action.as_str()).collect()
}

fn undo_and_redo_walk_a_coders_own_actions(store: &mut impl Full) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let rire = store.add_code(&amira, &code("Rire", Book::Own)).unwrap();
    // "Ça va ?" is 6..13 and "Oui 😀." 22..28 (fixture::interview).
    store
        .add_coding(&amira, 1, span(6, 13), rire, None)
        .unwrap();
    store
        .add_coding(&amira, 1, span(22, 28), rire, Some("rit"))
        .unwrap();
    assert_eq!(listed(store, &amira), [(1, 6), (2, 22)]);

    let undone = store.undo("amira", 1).unwrap();
    assert_eq!(actions(&undone), ["coding.add"]);
    assert_eq!(listed(store, &amira), [(1, 6)]);
    store.undo("amira", 1).unwrap();
    assert_eq!(listed(store, &amira), []);
    // Redo takes the last undone first: coding 1, then coding 2, each
    // with its id, memo and all.
    let redone = store.redo("amira", 2).unwrap();
    assert_eq!(actions(&redone), ["coding.add", "coding.add"]);
    assert_eq!(listed(store, &amira), [(1, 6), (2, 22)]);
    let memo = store.codings(&amira, &CodingFilter::default()).unwrap()[1]
        .memo
        .clone();
    assert_eq!(memo.as_deref(), Some("rit"));
    assert_eq!(
        history_error(store.redo("amira", 1)),
        "nothing to redo for amira"
    );
    // Five asked, three of amira's own: two codings and the code (the
    // coder was added by tester, whose stack it is on).
    let undone = store.undo("amira", 5).unwrap();
    assert_eq!(actions(&undone), ["coding.add", "coding.add", "code.add"]);
    assert_eq!(listed(store, &amira), []);
    assert!(store.code_tree(&amira, Book::Own).unwrap().is_empty());
    assert_eq!(
        history_error(store.undo("amira", 1)),
        "nothing to undo for amira"
    );
    // Each replay is an entry of its own naming the entry it replayed.
    let log = store.audit_log(30).unwrap();
    let code_add = log.iter().find(|e| e.action == "code.add").unwrap();
    assert_eq!(log[0].action, "history.undo");
    assert_eq!(log[0].actor, "amira");
    assert_eq!(
        log[0].target.as_deref(),
        Some(format!("audit:{}", code_add.id).as_str())
    );
    assert_eq!(log[0].data["action"], "code.add");
    assert_eq!(log[0].data["changes"][0]["table"], "codes");
    assert_eq!(log[0].data["changes"][0]["after"], serde_json::Value::Null);
    // creation, import, coder, code, 2 codings, 2 undos, 2 redos, 3 undos.
    assert_eq!(log.len(), 13);
}

fn a_replay_is_refused_when_later_work_took_the_row(store: &mut impl Full) {
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    let calme = store
        .add_code(&amira, &code("Calme", Book::Shared))
        .unwrap();
    assert_eq!(calme, 1);
    store.undo("amira", 1).unwrap();
    // Bruno names a shared code "Calme" meanwhile: amira's redo would
    // bring back a second "Calme" at the top of the shared codebook.
    store
        .add_code(&bruno, &code("Calme", Book::Shared))
        .unwrap();
    let before = store.audit_log(30).unwrap();
    assert_eq!(
        history_error(store.redo("amira", 1)),
        "cannot redo code.add: codes row 1 has changed since; undo the later changes first"
    );
    // Nothing changed: bruno's code alone, no entry for the refusal.
    let shared = store.code_tree(&bruno, Book::Shared).unwrap();
    let names: Vec<&str> = shared.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["Calme"]);
    assert_eq!(store.audit_log(30).unwrap(), before);
}

fn reveal_opens_the_layers_once_and_is_not_undone(store: &mut impl Full) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let rire = store.add_code(&amira, &code("Rire", Book::Own)).unwrap();
    store
        .add_coding(&amira, 1, span(6, 13), rire, None)
        .unwrap();
    // Two coders, not revealed: blind.
    assert!(!store.layers_open().unwrap());
    assert_eq!(store.revealed().unwrap(), None);
    assert!(matches!(
        store.scope("bruno", true, false),
        Err(StoreError::Blind)
    ));

    assert!(store.reveal("owner").unwrap());
    assert!(store.layers_open().unwrap());
    let (by, at) = store.revealed().unwrap().unwrap();
    assert_eq!(by, "owner");
    assert!(at.contains('T'), "{at}");
    // A second reveal changes nothing and keeps who did it first.
    assert!(!store.reveal("amira").unwrap());
    assert_eq!(store.revealed().unwrap().unwrap(), (by, at));
    // Bruno now sees amira's layer: her one coding at 6.
    let all = store.scope("bruno", true, false).unwrap();
    let seen: Vec<(String, i64)> = store
        .codings(&all, &CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| (c.coder, c.start))
        .collect();
    assert_eq!(seen, [("amira".to_owned(), 6)]);
    // Recorded once, and not on anyone's undo stack.
    let log = store.audit_log(30).unwrap();
    assert_eq!(log[0].action, "study.reveal");
    assert_eq!(log[0].data["revealed_by"], "owner");
    assert_eq!(log.iter().filter(|e| e.action == "study.reveal").count(), 1);
    assert_eq!(
        history_error(store.undo("owner", 1)),
        "nothing to undo for owner"
    );
}

fn many_codings_are_one_action_that_one_undo_removes(store: &mut impl Full) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    let rire = store.add_code(&amira, &code("Rire", Book::Own)).unwrap();
    let ironie = store.add_code(&bruno, &code("Ironie", Book::Own)).unwrap();
    // "Ça va ?" is 6..13, "Oui 😀." 22..28, "Bien." 35..40
    // (fixture::interview); "Bien." is coded first, alone.
    store
        .add_coding(&amira, 1, span(35, 40), rire, None)
        .unwrap();
    let items = [
        (1, span(6, 13), rire),
        (1, span(22, 28), rire),
        (1, span(6, 13), rire),
        (1, span(35, 40), rire),
    ];
    // Three passages (one repeated), one already coded: two new.
    assert_eq!(store.add_codings(&amira, &items).unwrap(), 2);
    assert_eq!(listed(store, &amira), [(2, 6), (3, 22), (1, 35)]);
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "coding.add_many");
    assert_eq!(log[0].actor, "amira");
    assert_eq!(
        log[0].data["summary"],
        serde_json::json!({ "codings": 2, "sources": 1, "codes": [rire] })
    );
    assert_eq!(log[0].data["changes"].as_array().unwrap().len(), 2);
    assert_eq!(log[0].data["changes"][1]["after"]["start_char"], 22);
    // creation, import, two coders, two codes, one coding, the batch.
    assert_eq!(store.audit_log(50).unwrap().len(), 8);
    // Nothing new: nothing written.
    assert_eq!(store.add_codings(&amira, &items).unwrap(), 0);
    // One bad item refuses the batch: past the 40 chars, an empty
    // passage, bruno's code (unseen while blind), no source 9.
    let good = (1, span(0, 3), rire);
    let refusal = |result: Result<usize, StoreError>| match result {
        Err(StoreError::Invalid(message)) => message,
        Err(StoreError::UnknownCode(code)) => format!("unknown code {code}"),
        Err(StoreError::SourceNotFound(source)) => format!("no source {source}"),
        other => panic!("expected a refusal, got {other:?}"),
    };
    let past = refusal(store.add_codings(&amira, &[good, (1, span(30, 41), rire)]));
    assert!(past.contains("the source has 40 characters"), "{past}");
    let empty = refusal(store.add_codings(&amira, &[good, (1, span(6, 6), rire)]));
    assert_eq!(empty, "an empty passage cannot be coded");
    let unseen = refusal(store.add_codings(&amira, &[good, (1, span(0, 3), ironie)]));
    assert_eq!(unseen, format!("unknown code {ironie}"));
    let missing = refusal(store.add_codings(&amira, &[good, (9, span(0, 3), rire)]));
    assert_eq!(missing, "no source 9");
    assert_eq!(store.audit_log(50).unwrap().len(), 8);
    assert_eq!(listed(store, &amira), [(2, 6), (3, 22), (1, 35)]);
    // One undo removes the batch, one redo brings it back, ids and all.
    let undone = store.undo("amira", 1).unwrap();
    assert_eq!(actions(&undone), ["coding.add_many"]);
    assert_eq!(listed(store, &amira), [(1, 35)]);
    store.redo("amira", 1).unwrap();
    assert_eq!(listed(store, &amira), [(2, 6), (3, 22), (1, 35)]);
}
