//! One coding on PostgreSQL in two statements (`one_coding.rs`, migrations
//! 0010, 0018-0020): the entry it writes is the one the recorder writes,
//! its write refuses facts that moved since they were checked, coders
//! racing on one passage store it once, the plan kept for the passage
//! lookup needs no statistics, and the statements a store keeps prepared
//! follow its study when another process makes it again.
use std::sync::{Arc, Barrier};

use serde_json::{Value, json};
use verbatim_core::Span;
use verbatim_store::{Accounts, Book, Codebook, Coders, Codings, History, NewCode, Store};
use verbatim_store_pg::PgStore;

use super::{fixture, pg};

/// A study with the fixture interview (40 chars), coder amira (id 2, the
/// consensus row being 1) and her code "Confiance" (id 1, her codebook).
fn study_with_a_code(name: &str) -> Option<(verbatim_store_pg::test_server::TestStudy, PgStore)> {
    let study = pg::study(name)?;
    let mut store = pg::create(&study);
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let scope = store.scope("amira", false, false).unwrap();
    let code = NewCode {
        name: "Confiance".into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    assert_eq!(store.add_code(&scope, &code).unwrap(), 1);
    Some((study, store))
}

#[test]
fn a_coding_is_one_entry_written_as_the_recorder_writes_it() {
    let Some((study, mut store)) = study_with_a_code("one_coding_entry") else {
        return;
    };
    let scope = store.scope("amira", false, false).unwrap();
    store.act_as_account(Some("lea")).unwrap();
    let memo = "dit \"confiance\"\n\tdeux fois";
    let (id, new) = store
        .add_coding(&scope, 1, Span::new(4, 9).unwrap(), 1, Some(memo))
        .unwrap();
    assert_eq!((id, new), (1, true));
    let row = study
        .admin()
        .query_one(
            &format!(
                "SELECT data, account, target, undoable, guid, created_at FROM \"{0}\".audit, \
                 \"{0}\".codings WHERE action = 'coding.add'",
                study.address.study()
            ),
            &[],
        )
        .unwrap();
    let text: String = row.get(0);
    // The text is serde_json's own (compact, keys in byte order), as every
    // entry the Rust recorder writes.
    let parsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&parsed).unwrap(), text);
    let (guid, created): (String, String) = (row.get(4), row.get(5));
    assert_eq!(
        parsed,
        json!({
            "changes": [{
                "table": "codings",
                "key": { "id": 1 },
                "before": null,
                "after": {
                    "id": 1, "guid": guid, "source_id": 1, "code_id": 1, "coder_id": 2,
                    "start_char": 4, "end_char": 9, "is_quote": 0, "memo": memo,
                    "created_at": created,
                },
            }],
            "summary": { "source": 1, "code": 1, "start": 4, "end": 9 },
        })
    );
    assert_eq!(row.get::<_, Option<String>>(1).as_deref(), Some("lea"));
    assert_eq!(row.get::<_, Option<String>>(2).as_deref(), Some("coding:1"));
    assert!(row.get::<_, bool>(3));
    // The same passage again is the same coding, and no new entry.
    let again = store
        .add_coding(&scope, 1, Span::new(4, 9).unwrap(), 1, None)
        .unwrap();
    assert_eq!(again, (1, false));
    // Creation, import, coder, code, coding: 5 entries.
    assert_eq!(store.audit_log(100).unwrap().len(), 5);
    // Undo replays it like any recorded action.
    let undone = store.undo("amira", 1).unwrap();
    assert_eq!(undone[0].action, "coding.add");
    assert!(
        store
            .codings(&scope, &Default::default())
            .unwrap()
            .is_empty()
    );
    store.redo("amira", 1).unwrap();
    assert_eq!(store.codings(&scope, &Default::default()).unwrap().len(), 1);
}

#[test]
fn the_write_refuses_facts_that_moved_since_they_were_read() {
    let Some((study, mut store)) = study_with_a_code("one_coding_moved") else {
        return;
    };
    let scope = store.scope("amira", false, false).unwrap();
    store
        .add_coding(&scope, 1, Span::new(0, 3).unwrap(), 1, None)
        .unwrap();
    let mut admin = study.admin();
    admin
        .batch_execute(&format!("SET search_path TO \"{}\"", study.address.study()))
        .unwrap();
    // (source, chars, code, owner, start, end): the code is amira's (owner
    // 2), the source has 40 chars, 0..3 is coded already.
    let write = |admin: &mut postgres::Client, chars: i64, owner: Option<i64>, start: i64| {
        admin
            .query_one(
                "SELECT verbatim_add_coding(1, $1, 1, $2, 2, $3::BIGINT, $3::BIGINT + 3, NULL, \
                 gen_random_uuid()::text, 'now', gen_random_uuid()::text, 'now', 'amira', '{', '', '}')",
                &[&chars, &owner, &start],
            )
            .unwrap()
            .get::<_, Option<i64>>(0)
    };
    assert_eq!(write(&mut admin, 40, None, 10), None, "the code moved");
    assert_eq!(write(&mut admin, 41, Some(2), 10), None, "the text changed");
    assert_eq!(write(&mut admin, 40, Some(2), 0), None, "coded meanwhile");
    let counts = |admin: &mut postgres::Client| -> (i64, i64) {
        let row = admin
            .query_one(
                "SELECT (SELECT count(*) FROM codings), (SELECT count(*) FROM audit)",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1))
    };
    // One coding, and 5 entries (creation, import, coder, code, coding).
    assert_eq!(counts(&mut admin), (1, 5));
    // With the facts as they are it writes: coding 2, since the refusal on
    // 0..3 looked before inserting and took no id from the sequence
    // (migration 0018), as SQLite takes none.
    assert_eq!(write(&mut admin, 40, Some(2), 10), Some(2));
    assert_eq!(counts(&mut admin), (2, 6));
}

#[test]
fn coders_racing_on_one_passage_store_it_once() {
    let Some((study, _store)) = study_with_a_code("one_coding_race") else {
        return;
    };
    const RACERS: usize = 6;
    let start = Arc::new(Barrier::new(RACERS));
    let racers: Vec<_> = (0..RACERS)
        .map(|_| {
            let (address, start) = (study.address.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let mut store = PgStore::open(&address).unwrap();
                let scope = store.scope("amira", false, false).unwrap();
                start.wait();
                store
                    .add_coding(&scope, 1, Span::new(20, 30).unwrap(), 1, None)
                    .unwrap()
            })
        })
        .collect();
    let answers: Vec<(i64, bool)> = racers.into_iter().map(|r| r.join().unwrap()).collect();
    // One racer wrote it; every other one answers its id as not new.
    assert_eq!(
        answers.iter().filter(|(_, new)| *new).count(),
        1,
        "{answers:?}"
    );
    let id = answers.iter().find(|(_, new)| *new).unwrap().0;
    assert!(answers.iter().all(|(i, _)| *i == id), "{answers:?}");
    let row = study
        .admin()
        .query_one(
            &format!(
                "SELECT (SELECT count(*) FROM \"{0}\".codings), \
                 (SELECT count(*) FROM \"{0}\".audit WHERE action = 'coding.add')",
                study.address.study()
            ),
            &[],
        )
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (1, 1));
}

#[test]
fn a_passage_is_looked_up_by_its_start_before_the_study_has_statistics() {
    let Some((study, mut store)) = study_with_a_code("one_coding_plan") else {
        return;
    };
    let scope = store.scope("amira", false, false).unwrap();
    for start in 0..30 {
        store
            .add_coding(&scope, 1, Span::new(start, start + 5).unwrap(), 1, None)
            .unwrap();
    }
    let mut admin = study.admin();
    // The plan a connection keeps for the passage lookup, made as it is
    // made for a new study: no statistics yet (nothing has analysed the
    // table). Every coding here has the same coder and code, so an index
    // that leaves the start to a filter reads all of the source's codings
    // (migration 0020).
    let plan: Vec<String> = admin
        .batch_execute(&format!(
            "SET search_path TO \"{}\"; SET plan_cache_mode = force_generic_plan; \
             PREPARE passage(BIGINT, BIGINT, BIGINT, BIGINT, BIGINT) AS \
             SELECT 1 FROM codings WHERE source_id = $1 AND code_id = $2 \
             AND coder_id = $3 AND start_char = $4 AND end_char = $5",
            study.address.study()
        ))
        .and_then(|()| admin.query("EXPLAIN EXECUTE passage(1, 1, 2, 10, 15)", &[]))
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let analysed: Option<i64> = admin
        .query_one(
            "SELECT count(*) FROM pg_stats WHERE tablename = 'codings' AND schemaname = $1",
            &[&study.address.study()],
        )
        .unwrap()
        .get(0);
    assert_eq!(analysed, Some(0), "the table has statistics already");
    let condition = plan
        .iter()
        .find(|line| line.contains("Index Cond"))
        .unwrap_or_else(|| panic!("no index used: {plan:?}"));
    assert!(condition.contains("start_char = $4"), "{plan:?}");
}

#[test]
fn a_store_codes_on_after_its_study_is_made_again_by_another_process() {
    let Some((study, mut store)) = study_with_a_code("one_coding_again") else {
        return;
    };
    let scope = store.scope("amira", false, false).unwrap();
    // The coding's statements are now prepared on the store's connection
    // and its facts kept (source 1: 40 chars; code 1: amira's).
    store
        .add_coding(&scope, 1, Span::new(0, 5).unwrap(), 1, None)
        .unwrap();
    // Another process drops the study and makes it again under the same
    // name, with a shorter interview and the code in the shared codebook.
    study
        .admin()
        .batch_execute(&format!(
            "DROP SCHEMA \"{}\" CASCADE",
            study.address.study()
        ))
        .unwrap();
    let mut other = pg::create(&study);
    // 20 chars.
    let short = fixture::note("court", "On se revoit mardi ?");
    other.import_batch("tester", vec![short]).unwrap();
    other.add_coder("tester", "amira", None, None).unwrap();
    let shared = NewCode {
        name: "Confiance".into(),
        book: Some(Book::Shared),
        ..NewCode::default()
    };
    let other_scope = other.scope("amira", false, false).unwrap();
    assert_eq!(other.add_code(&other_scope, &shared).unwrap(), 1);
    // The first store's kept statements and facts name tables that are
    // gone: its next coding is decided on the new study, as a new store
    // would decide it (0..5 fits the 20 chars; the shared code may be
    // used), with no error on the way.
    let scope = store.scope("amira", false, false).unwrap();
    // PostgreSQL plans a kept statement again when a table it names is
    // dropped, and finds the new tables by name.
    let again = store.add_coding(&scope, 1, Span::new(0, 5).unwrap(), 1, None);
    assert_eq!(again.unwrap(), (1, true));
    // Past the new text's end, refused as on a fresh store.
    let past = store.add_coding(&scope, 1, Span::new(15, 30).unwrap(), 1, None);
    let fresh = other.add_coding(&other_scope, 1, Span::new(15, 30).unwrap(), 1, None);
    assert_eq!(
        past.unwrap_err().to_string(),
        fresh.unwrap_err().to_string()
    );
    assert_eq!(
        other
            .codings(&other_scope, &Default::default())
            .unwrap()
            .len(),
        1
    );
}
