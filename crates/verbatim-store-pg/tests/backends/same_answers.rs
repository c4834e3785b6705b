//! The same transcripts imported into SQLite and PostgreSQL give the same
//! answers, field for field, apart from what is unique by design (guids,
//! audit ids) or a clock reading (import and audit times).

use verbatim_store::{AuditEntry, SourceRecord, SourceRef, SqliteStore, Store};

use super::{fixture, pg};

fn batches() -> Vec<Vec<verbatim_store::ImportItem>> {
    vec![
        vec![
            fixture::interview("entretien"),
            fixture::note("notes", "Elle a hésité longtemps avant de répondre."),
        ],
        vec![
            fixture::note("notes", "A second page of notes."),
            fixture::interview("copie"),
        ],
    ]
}

fn records(store: &impl Store) -> Vec<SourceRecord> {
    store
        .sources()
        .unwrap()
        .iter()
        .map(|s| {
            let mut record = store.source(&SourceRef::Id(s.id)).unwrap();
            assert_eq!(record.summary, *s);
            record.summary.guid.clear();
            record.summary.imported_at.clear();
            record
        })
        .collect()
}

fn history(store: &impl Store) -> Vec<(String, String, Option<String>, String)> {
    let mut log: Vec<AuditEntry> = store.audit_log(100).unwrap();
    log.iter_mut()
        .map(|e| {
            (
                e.actor.clone(),
                e.action.clone(),
                e.target.clone(),
                e.data.to_string(),
            )
        })
        .collect()
}

#[test]
fn both_backends_answer_alike() {
    let Some(study) = pg::study("both_backends_answer_alike") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lite =
        SqliteStore::create(&dir.path().join("s.vbt"), &fixture::settings(), "tester").unwrap();
    let mut pg = pg::create(&study);
    for batch in batches() {
        let a = lite.import_batch("amira", batch.clone()).unwrap();
        let b = pg.import_batch("amira", batch).unwrap();
        assert_eq!(a, b);
    }
    let (lite_records, pg_records) = (records(&lite), records(&pg));
    // Three sources: "copie" repeats the interview's text and is skipped;
    // the second "notes" becomes "notes (2)".
    let names: Vec<&str> = pg_records.iter().map(|r| r.summary.name.as_str()).collect();
    assert_eq!(names, ["entretien", "notes", "notes (2)"]);
    assert_eq!(lite_records, pg_records);
    assert_eq!(history(&lite), history(&pg));
    let (a, b) = (lite.study().unwrap(), pg.study().unwrap());
    assert_eq!((a.title, a.language), (b.title, b.language));
}

/// Drops what is unique by design or a clock reading from an audit entry's
/// data: row guids and creation times.
fn timeless(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("guid");
            map.remove("created_at");
            map.values_mut().for_each(timeless);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(timeless),
        _ => {}
    }
}

/// Runs one coding session through the traits and returns what a user
/// sees: the trees, the codings, and the log without guids and times.
fn coding_session(store: &mut impl super::coding::Backend) -> String {
    use verbatim_core::Span;
    use verbatim_store::{Book, CodingFilter, NewCode};
    store
        .import_batch("amira", vec![fixture::interview("entretien")])
        .unwrap();
    for name in ["amira", "bruno"] {
        store.add_coder("tester", name, None, None).unwrap();
    }
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    let mut new = |scope, name: &str, parent: Option<i64>, book| {
        let code = NewCode {
            name: name.into(),
            level: parent.is_none().then(|| String::from("theme")),
            parent,
            book: Some(book),
            ..NewCode::default()
        };
        store.add_code(scope, &code).unwrap()
    };
    let theme = new(&amira, "Humeur", None, Book::Own);
    let idea = new(&amira, "Rire", Some(theme), Book::Own);
    let shared = new(&bruno, "Calme", None, Book::Shared);
    let span = |a, b| Span::new(a, b).unwrap();
    store
        .add_coding(&amira, 1, span(22, 28), idea, Some("rit"))
        .unwrap();
    store
        .add_coding(&amira, 1, span(6, 13), shared, None)
        .unwrap();
    let (gone, _) = store
        .add_coding(&bruno, 1, span(35, 40), shared, None)
        .unwrap();
    store
        .add_coding(&bruno, 1, span(0, 40), shared, None)
        .unwrap();
    store.remove_coding(&bruno, gone).unwrap();
    let mut seen = Vec::new();
    for scope in [&amira, &bruno] {
        for book in [Book::Own, Book::Shared] {
            let mut tree = serde_json::to_value(store.code_tree(scope, book).unwrap()).unwrap();
            timeless(&mut tree);
            seen.push(tree.to_string());
        }
        let codings = store.codings(scope, &CodingFilter::default()).unwrap();
        seen.push(serde_json::to_string(&codings).unwrap());
    }
    for mut entry in store.audit_log(100).unwrap() {
        timeless(&mut entry.data);
        seen.push(format!(
            "{} {} {:?} {}",
            entry.actor, entry.action, entry.target, entry.data
        ));
    }
    seen.join("\n")
}

#[test]
fn one_coding_session_answers_alike() {
    let Some(study) = pg::study("one_coding_session_answers_alike") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lite =
        SqliteStore::create(&dir.path().join("s.vbt"), &fixture::settings(), "tester").unwrap();
    let mut pg = pg::create(&study);
    let (a, b) = (coding_session(&mut lite), coding_session(&mut pg));
    assert!(a.contains("bruno coding.remove Some(\"coding:3\")"), "{a}");
    assert_eq!(a, b);
}
