//! A guard on the reads of a one-source page: every statement the reader
//! and its coding panel run is traced, and none may scan a whole table
//! that grows with the study.
//!
//! Why: a lookup written `WHERE ($1 IS NULL OR t.source_id = $1)` made
//! the reader scan all 191,610 turns of a 1,000-source study for one
//! source's speakers (17 ms where 0.1 ms would do). Such a plan is
//! invisible on a test study of three sources; `EXPLAIN QUERY PLAN` shows
//! it at any size.

use std::sync::{Arc, Mutex};

use rusqlite::trace::{TraceEvent, TraceEventCodes};

use crate::testkit::{fixture, full_scans, span_of};
use crate::{Book, NewCode, SourceRef, Store};

/// Tables whose rows grow with the study's sources, turns and codings.
const GROWING: &[&str] = &[
    "turns",
    "codings",
    "sources",
    "source_texts",
    "memos",
    "translations",
    "audit",
    "speaker_turns",
    "coding_counts",
    "source_values",
];

/// Returns the growing tables a plan line scans, naming the table or its
/// alias (`SCAN t`, `SCAN turns`, `SCAN turns AS t`).
fn scanned_growing(line: &str, sql: &str) -> bool {
    let Some(what) = line.strip_prefix("SCAN ") else {
        return false;
    };
    let name = what.split_whitespace().next().unwrap_or_default();
    GROWING.iter().any(|table| {
        name == *table
            || sql.contains(&format!("{table} {name} "))
            || sql.contains(&format!("{table} AS {name} "))
    })
}

#[test]
fn the_reader_and_its_coding_panel_never_scan_a_growing_table() {
    let mut f = fixture();
    let amira = f.store.scope("amira", false, false).unwrap();
    let code = f
        .store
        .add_code(
            &amira,
            &NewCode {
                name: "Confiance".into(),
                book: Some(Book::Own),
                ..NewCode::default()
            },
        )
        .unwrap();
    let id = f.source;
    let statements = traced(&mut f.store, |store| {
        // The reader page (`pages/reader.rs`).
        store.source(&SourceRef::Id(id)).unwrap();
        store.recording(id).unwrap();
        store.speakers(Some(id)).unwrap();
        store.source_codings(&amira, id).unwrap();
        store.visible_codes(&amira).unwrap();
        // The coding panel (`api/codings.rs`): code a passage, read it
        // back, resize it, find its source, remove it.
        store.source_text(id).unwrap();
        let (coding, _) = store
            .add_coding(&amira, id, span_of("La confiance"), code, None)
            .unwrap();
        store.source_codings(&amira, id).unwrap();
        store
            .set_coding_span(&amira, coding, span_of("confiance"))
            .unwrap();
        store.span_coding(&amira, coding).unwrap().map(|(s, _)| s);
        store.remove_coding(&amira, coding).unwrap();
    });
    // The guard sees the pattern that made the reader scan every turn.
    let optional = "SELECT t.speaker, count(*) FROM turns t \
                    WHERE ($1 IS NULL OR t.source_id = $1) GROUP BY t.speaker";
    assert!(
        full_scans(&f.store, optional)
            .iter()
            .any(|line| scanned_growing(line, optional)),
        "{:?}",
        full_scans(&f.store, optional)
    );
    assert!(statements.len() > 10, "{statements:?}");
    let bad = growing_scans(&f.store, &statements);
    assert!(bad.is_empty(), "whole-table scans:\n{}", bad.join("\n"));
}

#[test]
fn a_page_of_the_sources_table_reads_only_its_own_sources() {
    let mut f = fixture();
    let amira = f.store.scope("amira", false, false).unwrap();
    let id = f.source;
    let statements = traced(&mut f.store, |store| {
        // What `api/people.rs::source_rows` reads for the page's ids, and
        // the one-source summary and labels.
        store.source_coding_counts(&amira, id..=id + 99).unwrap();
        store.source_values_in(id..=id + 99).unwrap();
        store.source_text(id).unwrap();
        store.source_summary(id).unwrap();
        store.speakers(Some(id)).unwrap();
    });
    assert!(statements.len() >= 5, "{statements:?}");
    // The guard sees the count every page made before: all codings grouped.
    let before = "SELECT k.source_id, count(*) FROM codings k \
                  JOIN codes c ON c.id = k.code_id GROUP BY k.source_id";
    assert!(!growing_scans(&f.store, &[before.to_owned()]).is_empty());
    let bad = growing_scans(&f.store, &statements);
    assert!(bad.is_empty(), "whole-table scans:\n{}", bad.join("\n"));
}

/// Returns the statements `f` runs on `store`, as traced by SQLite.
fn traced(store: &mut crate::SqliteStore, f: impl FnOnce(&mut crate::SqliteStore)) -> Vec<String> {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&seen);
    store
        .conn
        .trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |event: TraceEvent<'_>| {
                if let TraceEvent::Stmt(_, sql) = event
                    && let Ok(mut list) = sink.lock()
                {
                    list.push(sql.to_owned());
                }
            }),
        )
        .unwrap();
    f(store);
    store
        .conn
        .trace_v2(TraceEventCodes::empty(), None::<fn(TraceEvent<'_>)>)
        .unwrap();
    seen.lock().unwrap().clone()
}

/// Returns the plan lines (with their statement) that scan a growing
/// table, among `statements`.
fn growing_scans(store: &crate::SqliteStore, statements: &[String]) -> Vec<String> {
    let mut bad = Vec::new();
    for sql in statements {
        let sql = sql.trim();
        // Trigger bodies are traced as comments; transaction statements
        // have no plan.
        if sql.starts_with("--")
            || !sql.split_whitespace().next().is_some_and(|w| {
                ["SELECT", "WITH", "INSERT", "UPDATE", "DELETE"]
                    .contains(&w.to_uppercase().as_str())
            })
        {
            continue;
        }
        for line in full_scans(store, sql) {
            if scanned_growing(&line, sql) {
                bad.push(format!("{line}: {sql}"));
            }
        }
    }
    bad
}
