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
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&seen);
    f.store
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
    let id = f.source;
    // The reader page (`pages/reader.rs`).
    f.store.source(&SourceRef::Id(id)).unwrap();
    f.store.recording(id).unwrap();
    f.store.speakers(Some(id)).unwrap();
    f.store.source_codings(&amira, id).unwrap();
    f.store.visible_codes(&amira).unwrap();
    // The coding panel (`api/codings.rs`): code a passage, read it back,
    // resize it, find its source, remove it.
    f.store.source_text(id).unwrap();
    let (coding, _) = f
        .store
        .add_coding(&amira, id, span_of("La confiance"), code, None)
        .unwrap();
    f.store.source_codings(&amira, id).unwrap();
    f.store
        .set_coding_span(&amira, coding, span_of("confiance"))
        .unwrap();
    f.store.coding_source(&amira, coding).unwrap();
    f.store.remove_coding(&amira, coding).unwrap();
    f.store
        .conn
        .trace_v2(TraceEventCodes::empty(), None::<fn(TraceEvent<'_>)>)
        .unwrap();
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
    let statements = seen.lock().unwrap().clone();
    assert!(statements.len() > 10, "{statements:?}");
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
        for line in full_scans(&f.store, sql) {
            if scanned_growing(&line, sql) {
                bad.push(format!("{line}: {sql}"));
            }
        }
    }
    assert!(bad.is_empty(), "whole-table scans:\n{}", bad.join("\n"));
}
