//! One coding through the library, SQLite against PostgreSQL: a new study
//! on each, one imported transcript, then `RUNS` (default 200) codings
//! added one by one through the `Codings` trait, each its own transaction
//! with its audit entry; prints the median, 90th and 95th percentiles per
//! coding.
//!
//! Usage: `VERBATIM_TEST_PG=postgres://USER@HOST:PORT/DB cargo run
//! --release -p verbatim-store-pg --example coding_latency`

use std::time::Instant;

use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_store::{
    Book, Codebook, Coders, Codings, ImportItem, NewCode, SqliteStore, Store, StudySettings,
};
use verbatim_store_pg::PgStore;

/// A synthetic interview we wrote: 400 lines of alternating speakers.
fn transcript() -> ImportItem {
    let mut text = String::new();
    let mut turns = Vec::new();
    for i in 0..400 {
        let who = if i % 2 == 0 { "INT" } else { "P07" };
        let line = format!("{who} : réponse numéro {i}, sur la confiance et le soin.\n");
        let start = text.chars().count();
        text.push_str(&line);
        turns.push(Turn {
            speaker: Some(who.into()),
            span: Span::new(start, start + line.chars().count() - 1).expect("a span"),
            begin_ms: None,
            end_ms: None,
        });
    }
    let source = NormalisedSource::new(Format::Txt, text, turns, vec![], SourceMetadata::default())
        .expect("a valid source");
    ImportItem {
        name: "entretien".into(),
        original_path: None,
        kind: SourceKind::Interview,
        site: None,
        language: None,
        source,
    }
}

/// Adds `runs` codings one by one; returns each one's milliseconds.
fn time_codings<S: Store + Coders + Codebook + Codings>(store: &mut S, runs: usize) -> Vec<f64> {
    store
        .import_batch("bench", vec![transcript()])
        .expect("import");
    store
        .add_coder("bench", "amira", None, None)
        .expect("coder");
    let scope = store.scope("amira", false, false).expect("scope");
    let code = NewCode {
        name: "Confiance".into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let code = store.add_code(&scope, &code).expect("code");
    (0..runs)
        .map(|i| {
            let span = Span::new(i * 10, i * 10 + 8).expect("a span");
            let started = Instant::now();
            store
                .add_coding(&scope, 1, span, code, None)
                .expect("coding");
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect()
}

fn summary(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name}: {} codings, median {:.2} ms, p90 {:.2} ms, p95 {:.2} ms",
        ms.len(),
        at(0.5),
        at(0.9),
        at(0.95)
    );
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200);
    let settings = StudySettings::titled("Banc");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut lite =
        SqliteStore::create(&dir.path().join("b.vbt"), &settings, "bench").expect("a SQLite study");
    summary("SQLite", time_codings(&mut lite, runs));
    let Some(study) = verbatim_store_pg::test_server::study("coding_latency") else {
        return;
    };
    let mut pg = PgStore::create(&study.address, &settings, "bench").expect("a PostgreSQL study");
    summary("PostgreSQL", time_codings(&mut pg, runs));
}
