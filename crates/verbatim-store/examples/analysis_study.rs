//! Writes the study the analysis benchmarks run on: 1,000 sources of 30,000
//! chars at three sites (a third of them focus groups with four speakers),
//! three coders with their own 50-code trees (5 themes × 9 ideas), and about
//! 170,000 coded passages in all.
//!
//! `cargo run --release -p verbatim-store --example analysis_study -- OUT.vbt`
//! (used by `bench/analysis.sh`). Codings are bulk-inserted with SQL: how
//! they got there does not matter to the analyses timed.

mod common;

use verbatim_store::{NewCode, SqliteStore, StudySettings};

const SOURCES: usize = 1_000;
const CHARS: usize = 30_000;
const PER_CODER: usize = 57_000;

fn main() -> Result<(), common::Error> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bench/out/studies/analysis.vbt".into());
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let path = std::path::PathBuf::from(path);
    let mut store = SqliteStore::create(&path, &StudySettings::titled("analysis bench"), "bench")?;
    common::import_all(
        &mut store,
        (0..SOURCES).map(|i| common::site_source(i, CHARS)),
    )?;
    let mut ideas_of = Vec::new();
    let mut coder_ids = Vec::new();
    for c in ["c1", "c2", "c3"] {
        store.add_coder("bench", c, None, None)?;
        let scope = store.scope(c, false, false)?;
        // By id, not position: the consensus layer's row took id 1.
        coder_ids.push(scope.coder().id);
        let mut ideas = Vec::new();
        for t in 0..5 {
            let theme = store.add_code(
                &scope,
                &NewCode {
                    name: format!("{c} theme {t}"),
                    level: Some("theme".into()),
                    ..NewCode::default()
                },
            )?;
            for k in 0..9 {
                ideas.push(store.add_code(
                    &scope,
                    &NewCode {
                        name: format!("{c} idea {t}.{k}"),
                        level: Some("idea".into()),
                        parent: Some(theme),
                        ..NewCode::default()
                    },
                )?);
            }
        }
        ideas_of.push(ideas);
    }
    drop(store);
    let mut conn = rusqlite::Connection::open(&path)?;
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO codings (guid, source_id, code_id, coder_id, start_char, end_char, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, '2026-01-01T00:00:00Z')",
        )?;
        for (c, ideas) in ideas_of.iter().enumerate() {
            for k in 0..PER_CODER {
                let source = (k % SOURCES) as i64 + 1;
                // Coders agree on the idea most of the time, with offsets.
                let idea = ideas[(k / SOURCES + (k % 7 == 0) as usize * c) % ideas.len()];
                let start = ((k * 7919 + c * 37) % (CHARS - 700)) as i64;
                stmt.execute(rusqlite::params![
                    format!("bench-{c}-{k}"),
                    source,
                    idea,
                    coder_ids[c],
                    start,
                    start + 150 + (k % 500) as i64
                ])?;
            }
        }
    }
    tx.commit()?;
    println!("wrote {} with {} codings", path.display(), 3 * PER_CODER);
    Ok(())
}
