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
