//! Writes the study the report benchmark runs on: N sources of 20,000
//! chars at three sites (a third of them focus groups with four speakers),
//! two coders with the same 84-code tree (3 meta-themes × 3 themes × 2
//! sub-themes × 3 ideas), 50 codings per source and coder (100,000 codings
//! at 1,000 sources), one in 400 marked as a quote, and the study revealed
//! so the report computes agreement.
//!
//! `cargo run --release -p verbatim-report --example report_study -- OUT.vbt N`
//! (used by `bench/report.sh`). Codings are bulk-inserted with SQL: how
//! they got there does not matter to the report timed.

#[path = "../../verbatim-store/examples/common/mod.rs"]
mod common;

use verbatim_store::{NewCode, SqliteStore, StudySettings};

const CHARS: usize = 20_000;
const PER_SOURCE: usize = 50;
const CODERS: [&str; 2] = ["c1", "c2"];

fn main() -> Result<(), common::Error> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "bench/out/studies/report-1000.vbt".into());
    let sources: usize = args.next().map_or(Ok(1000), |n| n.parse())?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let path = std::path::PathBuf::from(path);
    let mut store = SqliteStore::create(&path, &StudySettings::titled("report bench"), "bench")?;
    common::import_all(
        &mut store,
        (0..sources).map(|i| common::site_source(i, CHARS)),
    )?;
    let mut ideas_of = Vec::new();
    for c in CODERS {
        store.add_coder("bench", c, None, None)?;
        let scope = store.scope(c, false, false)?;
        let code = |store: &mut SqliteStore, name: String, level: &str, parent: Option<i64>| {
            store.add_code(
                &scope,
                &NewCode {
                    name,
                    level: Some(level.into()),
                    parent,
                    fields: verbatim_store::CodeFields {
                        definition: Some(format!("What this {level} means.")),
                        ..Default::default()
                    },
                    ..NewCode::default()
                },
            )
        };
        let mut ideas = Vec::new();
        for m in 0..3 {
            let meta = code(&mut store, format!("Meta {m}"), "meta-theme", None)?;
            for t in 0..3 {
                let theme = code(&mut store, format!("Theme {m}.{t}"), "theme", Some(meta))?;
                for s in 0..2 {
                    let sub = code(
                        &mut store,
                        format!("Sub {m}.{t}.{s}"),
                        "sub-theme",
                        Some(theme),
                    )?;
                    for k in 0..3 {
                        ideas.push(code(
                            &mut store,
                            format!("Idea {m}.{t}.{s}.{k}"),
                            "idea",
                            Some(sub),
                        )?);
                    }
                }
            }
        }
        ideas_of.push(ideas);
    }
    store.reveal("bench")?;
    drop(store);
    let mut conn = rusqlite::Connection::open(&path)?;
    let tx = conn.transaction()?;
    let mut total = 0;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO codings (guid, source_id, code_id, coder_id, start_char, end_char, is_quote, created_at) \
             VALUES ($1, $2, $3, (SELECT id FROM coders WHERE kind = 'coder' ORDER BY id LIMIT 1 OFFSET $4 - 1), $5, $6, $7, '2026-01-01T00:00:00Z')",
        )?;
        for (c, ideas) in ideas_of.iter().enumerate() {
            for k in 0..PER_SOURCE * sources {
                let source = (k % sources) as i64 + 1;
                // Coders agree on the idea most of the time, with offsets.
                let idea = ideas[(k / sources + usize::from(k % 7 == 0) * c) % ideas.len()];
                let start = ((k * 7919 + c * 37) % (CHARS - 700)) as i64;
                stmt.execute(rusqlite::params![
                    format!("bench-{c}-{k}"),
                    source,
                    idea,
                    c as i64 + 1,
                    start,
                    start + 150 + (k % 500) as i64,
                    i64::from(k % 400 == 0)
                ])?;
                total += 1;
            }
        }
    }
    tx.commit()?;
    println!(
        "wrote {} with {sources} sources and {total} codings",
        path.display()
    );
    Ok(())
}
