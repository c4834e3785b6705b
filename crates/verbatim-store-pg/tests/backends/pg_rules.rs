//! What only a server backend has to get right: addressing studies by name,
//! refusing to overwrite or to open what is not a study, an audit log the
//! server itself keeps append-only, and importers in several processes.

use verbatim_store::{ImportOutcome, Store, StoreError};
use verbatim_store_pg::{PgAddress, PgStore, migrate};

use super::{fixture, pg};

#[test]
fn the_audit_log_refuses_changes_on_the_server() {
    let Some(study) = pg::study("audit_append_only") else {
        return;
    };
    let store = pg::create(&study);
    let mut admin = study.admin();
    let schema = study.address.study();
    for statement in [
        format!("UPDATE \"{schema}\".audit SET actor = 'mallory'"),
        format!("DELETE FROM \"{schema}\".audit"),
        format!("TRUNCATE \"{schema}\".audit"),
    ] {
        let err = admin.batch_execute(&statement).unwrap_err();
        let message = err.as_db_error().map(|d| d.message().to_owned());
        assert_eq!(
            message.as_deref(),
            Some("the audit log is append-only"),
            "{statement}"
        );
    }
    let log = store.audit_log(10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor, "tester");
}

#[test]
fn create_refuses_a_study_that_exists_and_open_finds_it() {
    let Some(study) = pg::study("create_twice") else {
        return;
    };
    pg::create(&study);
    let err = PgStore::create(&study.address, &fixture::settings(), "tester").unwrap_err();
    assert!(matches!(err, StoreError::StudyExists(_)), "{err:?}");
    assert!(err.to_string().contains(study.address.study()), "{err}");
    let reopened = PgStore::open(&study.address).unwrap();
    let info = reopened.study().unwrap();
    assert_eq!(info.title, "Étude");
    assert_eq!(info.schema_version, migrate::LATEST);
    // The failed create left the study as it was: one entry.
    assert_eq!(reopened.audit_log(10).unwrap().len(), 1);
}

#[test]
fn open_names_missing_studies_and_foreign_schemas() {
    let Some(study) = pg::study("open_missing") else {
        return;
    };
    let err = PgStore::open(&study.address).unwrap_err();
    assert!(matches!(err, StoreError::NoStudy(_)), "{err:?}");
    assert!(err.to_string().contains("verbatim init"), "{err}");
    // A schema another program made is not a study, and is left alone.
    study
        .admin()
        .batch_execute(&format!(
            "CREATE SCHEMA \"{0}\"; CREATE TABLE \"{0}\".t (x int)",
            study.address.study()
        ))
        .unwrap();
    let err = PgStore::open(&study.address).unwrap_err();
    assert!(err.to_string().contains("is not a verbatim study"), "{err}");
}

#[test]
fn a_study_from_a_newer_verbatim_is_refused_untouched() {
    let Some(study) = pg::study("newer_schema") else {
        return;
    };
    pg::create(&study);
    let newer = migrate::LATEST + 1;
    study
        .admin()
        .execute(
            &format!(
                "INSERT INTO \"{}\".verbatim_migrations VALUES ($1, 'later')",
                study.address.study()
            ),
            &[&newer],
        )
        .unwrap();
    let err = PgStore::open(&study.address).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found, .. } if found == newer),
        "{err:?}"
    );
    assert!(err.to_string().contains("upgrade verbatim"), "{err}");
}

#[test]
fn an_unreachable_server_is_one_sentence_without_the_password() {
    // Port 1 on loopback: nothing listens there.
    let address: PgAddress = "postgres://amira:secret@127.0.0.1:1/verbatim?study=absent"
        .parse()
        .unwrap();
    let err = PgStore::open(&address).unwrap_err();
    // Unreachable: the web answers it 503, as a server that may come back.
    assert!(matches!(err, StoreError::Unreachable(_)), "{err:?}");
    let err = err.to_string();
    assert!(
        err.contains("postgres://amira@127.0.0.1:1/verbatim?study=absent"),
        "{err}"
    );
    assert!(err.contains("127.0.0.1:1 does not answer"), "{err}");
    assert!(
        err.contains("check that PostgreSQL is running there"),
        "{err}"
    );
    assert!(!err.contains("secret"), "{err}");
}

#[test]
fn two_processes_importing_one_text_store_it_once() {
    let Some(study) = pg::study("concurrent_import") else {
        return;
    };
    pg::create(&study);
    // Each thread has its own connection, as two server processes would.
    let outcomes: Vec<Vec<ImportOutcome>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ["amira", "bruno"]
            .into_iter()
            .map(|actor| {
                let address = study.address.clone();
                scope.spawn(move || {
                    let mut store = PgStore::open(&address).unwrap();
                    store
                        .import_batch(actor, vec![fixture::interview("entretien")])
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let imported = outcomes
        .iter()
        .flatten()
        .filter(|o| matches!(o, ImportOutcome::Imported { .. }))
        .count();
    assert_eq!(imported, 1, "{outcomes:?}");
    let store = PgStore::open(&study.address).unwrap();
    assert_eq!(store.sources().unwrap().len(), 1);
    // Creation plus one import.
    assert_eq!(store.audit_log(10).unwrap().len(), 2);
}

#[test]
fn two_processes_coding_one_passage_store_it_once() {
    use verbatim_store::{Book, Codebook, Coders, CodingFilter, Codings, NewCode};
    let Some(study) = pg::study("concurrent_coding") else {
        return;
    };
    let mut store = pg::create(&study);
    store
        .import_batch("amira", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let scope = store.scope("amira", false, false).unwrap();
    let new = NewCode {
        name: "Rire".into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let code = store.add_code(&scope, &new).unwrap();
    // Eight connections code the same passage at once, as eight server
    // processes would for one coder clicking twice on each.
    let outcomes: Vec<(i64, bool)> = std::thread::scope(|threads| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let address = study.address.clone();
                threads.spawn(move || {
                    let mut store = PgStore::open(&address).unwrap();
                    let scope = store.scope("amira", false, false).unwrap();
                    let span = verbatim_core::Span::new(22, 28).unwrap();
                    store.add_coding(&scope, 1, span, code, None).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        outcomes.iter().filter(|(_, new)| *new).count(),
        1,
        "{outcomes:?}"
    );
    assert!(outcomes.iter().all(|(id, _)| *id == outcomes[0].0));
    assert_eq!(
        store
            .codings(&scope, &CodingFilter::default())
            .unwrap()
            .len(),
        1
    );
    let added = store
        .audit_log(20)
        .unwrap()
        .iter()
        .filter(|e| e.action == "coding.add")
        .count();
    assert_eq!(added, 1);
}

#[test]
fn two_processes_undoing_for_one_coder_undo_two_actions_once_each() {
    use verbatim_store::{Book, Codebook, Coders, CodingFilter, Codings, History, NewCode};
    let Some(study) = pg::study("concurrent_undo") else {
        return;
    };
    let mut store = pg::create(&study);
    store
        .import_batch("amira", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let scope = store.scope("amira", false, false).unwrap();
    let new = NewCode {
        name: "Rire".into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let code = store.add_code(&scope, &new).unwrap();
    for (start, end) in [(6, 13), (22, 28)] {
        let span = verbatim_core::Span::new(start, end).unwrap();
        store.add_coding(&scope, 1, span, code, None).unwrap();
    }
    // Two connections each undo amira's last action at once: the first
    // takes coding 2, the second (waiting on the first) coding 1.
    let undone: Vec<String> = std::thread::scope(|threads| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let address = study.address.clone();
                threads.spawn(move || {
                    let mut store = PgStore::open(&address).unwrap();
                    let done = store.undo("amira", 1).unwrap();
                    done[0].summary["start"].to_string()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut starts = undone.clone();
    starts.sort();
    assert_eq!(starts, ["22", "6"], "{undone:?}");
    assert!(
        store
            .codings(&scope, &CodingFilter::default())
            .unwrap()
            .is_empty()
    );
    let log = store.audit_log(20).unwrap();
    assert_eq!(log[0].action, "history.undo");
    assert_eq!(log[1].action, "history.undo");
    assert_ne!(log[0].target, log[1].target);
}

#[test]
fn an_entry_naming_a_table_the_study_lacks_or_its_log_is_not_replayed() {
    use verbatim_store::History;
    let Some(study) = pg::study("replay_foreign_table") else {
        return;
    };
    let mut store = pg::create(&study);
    let schema = study.address.study();
    let mut admin = study.admin();
    // Entries as a study copied from a newer file could hold: amira's on a
    // table this schema lacks, bruno's on the log itself.
    for (actor, table) in [("amira", "no_such_table"), ("bruno", "audit")] {
        let data = serde_json::json!({
            "summary": {},
            "changes": [{ "table": table, "key": { "id": 1 }, "before": null,
                          "after": { "id": 1 } }],
        });
        admin
            .execute(
                &format!(
                    "INSERT INTO \"{schema}\".audit (id, at, actor, action, target, data, undoable) \
                     VALUES ($1, '2026-01-01T00:00:00Z', $2, 'forged.add', NULL, $3, true)"
                ),
                &[&format!("ffffffff-{actor}"), &actor, &data.to_string()],
            )
            .unwrap();
    }
    for (actor, table) in [("amira", "no_such_table"), ("bruno", "audit")] {
        match store.undo(actor, 1) {
            Err(verbatim_store::StoreError::History(message)) => assert_eq!(
                message,
                format!(
                    "cannot undo forged.add: it changed {table} rows, which a PostgreSQL study \
                     does not hold yet"
                )
            ),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    // Creation and the two forged entries: nothing was appended.
    assert_eq!(store.audit_log(10).unwrap().len(), 3);
}

#[test]
fn a_sealed_journal_entry_is_refused_changes_on_the_server() {
    use verbatim_store::{Coders, EntryKind, Journal};
    let Some(study) = pg::study("journal_sealed") else {
        return;
    };
    let mut store = pg::create(&study);
    store.add_coder("tester", "amira", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let open = store
        .add_entry(
            &amira,
            EntryKind::Preconception,
            "Ouverte",
            "Pas encore scellée.",
        )
        .unwrap();
    let sealed = store
        .add_entry(&amira, EntryKind::Preconception, "Attente", "La confiance.")
        .unwrap();
    store.seal(&amira, sealed).unwrap();
    let mut admin = study.admin();
    let schema = study.address.study();
    for (statement, said) in [
        (
            format!("UPDATE \"{schema}\".journal SET body = 'réécrit' WHERE id = {sealed}"),
            "a sealed journal entry cannot change",
        ),
        (
            format!("DELETE FROM \"{schema}\".journal WHERE id = {sealed}"),
            "a sealed journal entry cannot be deleted",
        ),
    ] {
        let err = admin.batch_execute(&statement).unwrap_err();
        let message = err.as_db_error().map(|d| d.message().to_owned());
        assert_eq!(message.as_deref(), Some(said), "{statement}");
    }
    // An entry not sealed yet still changes.
    admin
        .batch_execute(&format!(
            "UPDATE \"{schema}\".journal SET body = 'Réécrite.' WHERE id = {open}"
        ))
        .unwrap();
    let entries = store.entries(&amira).unwrap();
    assert_eq!(entries[0].body, "Réécrite.");
    assert_eq!(entries[1].body, "La confiance.");
}

#[test]
fn verify_names_a_sealed_entry_rewritten_behind_the_trigger() {
    use sha2::{Digest, Sha256};
    use verbatim_store::{Coders, EntryKind, Journal};
    let Some(study) = pg::study("journal_verify") else {
        return;
    };
    let mut store = pg::create(&study);
    store.add_coder("tester", "amira", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let id = store
        .add_entry(&amira, EntryKind::Preconception, "Attente", "La confiance.")
        .unwrap();
    let hash = store.seal(&amira, id).unwrap();
    assert_eq!(store.verify_journal().unwrap(), []);
    // Someone with the server's keys turns the trigger off and rewrites it.
    let mut admin = study.admin();
    let schema = study.address.study();
    admin
        .batch_execute(&format!(
            "ALTER TABLE \"{schema}\".journal DISABLE TRIGGER journal_sealed_no_change; \
             UPDATE \"{schema}\".journal SET body = 'Aucune attente.' WHERE id = {id}; \
             ALTER TABLE \"{schema}\".journal ENABLE TRIGGER journal_sealed_no_change"
        ))
        .unwrap();
    let entry = &store.entries(&amira).unwrap()[0];
    // The sealed form of the rewritten entry, by hand.
    let form = format!(
        r#"["verbatim-journal-seal/1","{}","preconception","Attente","Aucune attente.","{}","{}"]"#,
        entry.guid,
        entry.written_at,
        entry.sealed_at.as_deref().unwrap()
    );
    let rewritten: String = Sha256::digest(form.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let found = store.verify_journal().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].entry, found[0].coder.as_str()), (id, "amira"));
    assert_eq!(
        found[0].reason,
        "the entry no longer matches its seal: it was changed after sealing"
    );
    assert_eq!(found[0].stored.as_deref(), Some(hash.as_str()));
    assert_eq!(found[0].computed, rewritten);
}

#[test]
fn a_change_counter_from_another_process_is_answered_safely() {
    use verbatim_store::{Book, Codebook, Coders, Codings, NewCode, ReaderReads};
    let Some(study) = pg::study("counter_two_processes") else {
        return;
    };
    let mut web = pg::create(&study);
    web.import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    web.add_coder("tester", "amira", None, None).unwrap();
    // Creation, import, coder: the counter is 3 on both connections.
    let mark = web.change_counter().unwrap();
    assert_eq!(mark, 3);
    let mut cli = PgStore::open(&study.address).unwrap();
    let scope = cli.scope("amira", false, false).unwrap();
    let new = NewCode {
        name: "Rire".into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let code = cli.add_code(&scope, &new).unwrap();
    let span = verbatim_core::Span::new(22, 28).unwrap();
    cli.add_coding(&scope, 1, span, code, None).unwrap();
    // The connection that handed out 3 knows the newest entry then, so it
    // tells that the two writes since touched codes and codings only.
    assert!(!web.tables_may_have_changed(mark, &["sources"]).unwrap());
    assert!(web.tables_may_have_changed(mark, &["codings"]).unwrap());
    // The other never handed out 3: it cannot tell which entries came
    // after, so it answers "may have changed" rather than guess.
    assert!(cli.tables_may_have_changed(mark, &["sources"]).unwrap());
    // Once it has handed out the current counter itself, it knows.
    let now = cli.change_counter().unwrap();
    assert_eq!(now, 5);
    assert!(!cli.tables_may_have_changed(now, &["codings"]).unwrap());
}

/// `INSERT … SELECT` of `n` audit entries, as one statement (ids above
/// every UUIDv7 the store makes, so they sort last).
fn insert_entries(schema: &str, first: i64, n: i64) -> String {
    format!(
        "INSERT INTO \"{schema}\".audit (id, at, actor, action, data) \
         SELECT 'ffffffff-' || lpad(g::text, 12, '0'), '2026-01-01T00:00:00Z', \
                'admin', 'test.entry', '{{}}' \
         FROM generate_series({first}, {}) g",
        first + n - 1
    )
}

#[test]
fn the_change_counter_is_the_count_the_trigger_keeps() {
    use verbatim_store::ReaderReads;
    let Some(study) = pg::study("counter_trigger") else {
        return;
    };
    let web = pg::create(&study);
    let mut admin = study.admin();
    let schema = study.address.study();
    // 700 entries in one statement: the statement trigger adds them all.
    admin
        .batch_execute(&insert_entries(schema, 1, 700))
        .unwrap();
    // The creation's entry + 700 = 701.
    assert_eq!(web.change_counter().unwrap(), 701);
    // A rolled-back insert of 5 leaves the count as it was.
    let mut tx = admin.transaction().unwrap();
    tx.batch_execute(&insert_entries(schema, 701, 5)).unwrap();
    tx.rollback().unwrap();
    assert_eq!(web.change_counter().unwrap(), 701);
    // Two statements of 2 and 3 in one transaction: 701 + 2 + 3 = 706.
    let mut tx = admin.transaction().unwrap();
    tx.batch_execute(&insert_entries(schema, 701, 2)).unwrap();
    tx.batch_execute(&insert_entries(schema, 703, 3)).unwrap();
    tx.commit().unwrap();
    assert_eq!(web.change_counter().unwrap(), 706);
    let counted: i64 = admin
        .query_one(&format!("SELECT count(*) FROM \"{schema}\".audit"), &[])
        .unwrap()
        .get(0);
    assert_eq!(counted, 706);
    // Six connections writing at once, 10 statements of 5 entries each:
    // 706 + 6 × 50 = 1,006. Each connection counts in the row of its
    // backend (0017), so the writers do not queue on one row, and the
    // rows still sum to the log's length.
    std::thread::scope(|s| {
        for k in 0..6 {
            let study = &study;
            s.spawn(move || {
                let mut own = study.admin();
                for j in 0..10 {
                    let first = 10_000 + k * 1_000 + j * 5;
                    own.batch_execute(&insert_entries(schema, first, 5))
                        .unwrap();
                }
            });
        }
    });
    assert_eq!(web.change_counter().unwrap(), 1_006);
    let rows: i64 = admin
        .query_one(
            &format!("SELECT count(*) FROM \"{schema}\".audit_count WHERE n > 0"),
            &[],
        )
        .unwrap()
        .get(0);
    assert!(rows > 1, "six connections counted in {rows} row(s)");
}

#[test]
fn an_upgraded_study_counts_the_entries_it_had() {
    use verbatim_store::ReaderReads;
    let Some(study) = pg::study("counter_upgrade") else {
        return;
    };
    pg::create(&study);
    let schema = study.address.study();
    // Back to the schema before 0009, with 1 + 40 entries in the log.
    study
        .admin()
        .batch_execute(&format!(
            "SET search_path TO \"{schema}\"; \
             DROP TRIGGER audit_counts ON audit; DROP FUNCTION audit_counted(); \
             DROP TABLE audit_count; DELETE FROM verbatim_migrations WHERE version = 9; \
             {}",
            insert_entries(schema, 1, 40)
        ))
        .unwrap();
    let store = PgStore::open(&study.address).unwrap();
    assert_eq!(store.study().unwrap().schema_version, migrate::LATEST);
    // The creation's entry + 40 = 41, then one import = 42.
    assert_eq!(store.change_counter().unwrap(), 41);
    let mut store = store;
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    assert_eq!(store.change_counter().unwrap(), 42);
}

#[test]
fn a_text_read_again_is_the_database_s_after_another_process_changes_it() {
    use verbatim_store::Transcripts;
    let Some(study) = pg::study("text_cache") else {
        return;
    };
    let mut store = pg::create(&study);
    store
        .import_batch(
            "amira",
            vec![fixture::note("carnet", "Le café était froid.")],
        )
        .unwrap();
    let schema = study.address.study();
    let mut admin = study.admin();
    let mut rewrite = |text: &str| {
        admin
            .execute(
                &format!("UPDATE \"{schema}\".source_texts SET text = $1 WHERE source_id = 1"),
                &[&text],
            )
            .unwrap();
    };
    // Read twice (the second from the kept copy), then changed by another
    // process: a longer text, then one of the same length in bytes
    // ("chaud" and "froid" are 5 bytes each), which only the row's
    // version tells apart.
    assert_eq!(store.source_text(1).unwrap(), "Le café était froid.");
    assert_eq!(store.source_text(1).unwrap(), "Le café était froid.");
    rewrite("Le thé au citron était froid.");
    assert_eq!(
        store.source_text(1).unwrap(),
        "Le thé au citron était froid."
    );
    rewrite("Le thé au citron était chaud.");
    let handle = store.handle();
    assert_eq!(
        handle.source_text(1).unwrap(),
        "Le thé au citron était chaud."
    );
    assert_eq!(
        store.source_text(1).unwrap(),
        "Le thé au citron était chaud."
    );
    assert!(matches!(
        store.source_text(2),
        Err(StoreError::SourceNotFound(id)) if id == "2"
    ));
}

#[test]
fn facts_kept_for_coding_are_checked_again_when_another_process_changed_them() {
    use verbatim_core::Span;
    use verbatim_store::{Book, Codebook, Coders, Codings, NewCode};
    let Some(study) = pg::study("kept_facts") else {
        return;
    };
    let mut store = pg::create(&study);
    store
        .import_batch(
            "amira",
            vec![fixture::note("carnet", "Le café était froid.")],
        )
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let scope = store.scope("amira", false, false).unwrap();
    let own = |name: &str| NewCode {
        name: name.into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let (lieu, rire) = (
        store.add_code(&scope, &own("Lieu")).unwrap(),
        store.add_code(&scope, &own("Rire")).unwrap(),
    );
    let span = |a, b| Span::new(a, b).unwrap();
    // Two codings: the store now keeps the source's length (20) and both
    // codes' codebooks.
    let (first, new) = store.add_coding(&scope, 1, span(0, 2), lieu, None).unwrap();
    assert!(new);
    assert!(
        store
            .add_coding(&scope, 1, span(3, 7), rire, None)
            .unwrap()
            .1
    );
    // Another process lengthens the text to 34 chars and deletes Rire.
    let schema = study.address.study();
    study
        .admin()
        .batch_execute(&format!(
            "SET search_path TO \"{schema}\"; \
             UPDATE source_texts SET text = text || ' Le thé aussi.' WHERE source_id = 1; \
             UPDATE sources SET chars = 34 WHERE id = 1; \
             DELETE FROM codings WHERE code_id = {rire}; DELETE FROM codes WHERE id = {rire};"
        ))
        .unwrap();
    // 21..34 is past the length kept (20) but inside the new one: coded.
    assert!(
        store
            .add_coding(&scope, 1, span(21, 34), lieu, None)
            .unwrap()
            .1
    );
    // Rire is gone: the same refusal as a store that never kept a fact.
    let kept = store
        .add_coding(&scope, 1, span(8, 12), rire, None)
        .unwrap_err();
    let fresh = PgStore::open(&study.address)
        .unwrap()
        .add_coding(&scope, 1, span(8, 12), rire, None)
        .unwrap_err();
    assert_eq!(kept.to_string(), fresh.to_string());
    // The first passage again: the coding it has, not a second one.
    assert_eq!(
        store.add_coding(&scope, 1, span(0, 2), lieu, None).unwrap(),
        (first, false)
    );
    let added = store
        .audit_log(50)
        .unwrap()
        .iter()
        .filter(|e| e.action == "coding.add")
        .count();
    assert_eq!(added, 3, "Lieu 0..2, Rire 3..7, Lieu 21..34");
}
