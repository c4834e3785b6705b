//! Benchmark of the coding engine as a study grows: adding one coding,
//! listing the codings of one source, and the theme tree with counts, on
//! studies of 1,000 sources (about 30,000 chars each) holding 10,000,
//! 100,000 and 1,000,000 codings.
//!
//! Run with `cargo run --release -p verbatim-store --example coding_bench
//! -- [OUT_DIR]` (see BENCHMARKS.md). Setup writes the bulk codings with
//! plain SQL in one transaction (how they got there does not matter to the
//! operations measured); every measured operation goes through the public
//! API, with its audit entry.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use verbatim_core::Span;
use verbatim_store::{Book, CodingFilter, SqliteStore, StudySettings};

const SOURCES: usize = 1_000;
const CHARS: usize = 30_000;
const WORDS: &[&str] = &[
    "confiance",
    "méfiance",
    "équipe",
    "usager",
    "relation",
    "contrôle",
    "soin",
    "écoute",
    "rechute",
    "cadre",
    "règle",
    "accompagnement",
    "épuisement",
    "limite",
    "parole",
    "temps",
    "et",
    "la",
    "le",
    "de",
    "on",
    "c'est",
    "pas",
    "euh",
    "vraiment",
    "toujours",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("bench/out/studies"), PathBuf::from);
    std::fs::create_dir_all(&out)?;
    println!(
        "| codings | add one coding p50 / p95 | list one source's codings p50 / p95 (codings listed) | tree with counts p50 |"
    );
    println!("|---:|---:|---:|---:|");
    for total in [10_000usize, 100_000, 1_000_000] {
        let path = out.join(format!("coding-{total}.vbt"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let (mut store, codes) = build(&path, total)?;
        let scope = store.scope("bench", false, false)?;
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut adds = Vec::new();
        for _ in 0..200 {
            let source = (next() % SOURCES as u64) as i64 + 1;
            let start = (next() % (CHARS as u64 - 500)) as usize;
            let span = Span::new(start, start + 40 + (next() % 400) as usize)?;
            let code = codes[(next() % codes.len() as u64) as usize];
            let t = Instant::now();
            store.add_coding(&scope, source, span, code, None)?;
            adds.push(t.elapsed());
        }
        let mut lists = Vec::new();
        let mut listed = 0;
        for _ in 0..50 {
            let source = (next() % SOURCES as u64) as i64 + 1;
            let t = Instant::now();
            let got = store.codings(
                &scope,
                &CodingFilter {
                    source: Some(source),
                    ..CodingFilter::default()
                },
            )?;
            lists.push(t.elapsed());
            listed = got.len();
        }
        let mut trees = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            let tree = store.code_tree(&scope, Book::Own)?;
            trees.push(t.elapsed());
            assert_eq!(tree.len(), codes.len() + 5);
        }
        println!(
            "| {total} | {} / {} | {} / {} ({listed}) | {} |",
            ms(pct(&mut adds, 50)),
            ms(pct(&mut adds, 95)),
            ms(pct(&mut lists, 50)),
            ms(pct(&mut lists, 95)),
            ms(pct(&mut trees, 50)),
        );
    }
    Ok(())
}

/// Returns a study of SOURCES sources, one coder, 5 themes × 9 ideas, and
/// `total` codings spread evenly over sources and ideas.
fn build(
    path: &std::path::Path,
    total: usize,
) -> Result<(SqliteStore, Vec<i64>), Box<dyn std::error::Error>> {
    let mut store = SqliteStore::create(path, &StudySettings::titled("bench"), "bench")?;
    common::import_all(
        &mut store,
        (0..SOURCES).map(|i| {
            let mut text = String::with_capacity(CHARS + 64);
            let mut w = i;
            while text.chars().count() < CHARS {
                text.push_str(WORDS[w % WORDS.len()]);
                text.push(' ');
                w = w.wrapping_mul(31).wrapping_add(7);
            }
            common::one_turn_source(format!("doc_{i:04}"), text.chars().take(CHARS).collect())
        }),
    )?;
    store.add_coder("bench", "bench", None, None)?;
    let scope = store.scope("bench", false, false)?;
    let ideas: Vec<i64> = common::theme_tree(&mut store, &scope, "", 5, 9)?.concat();
    drop(store);
    let mut conn = rusqlite::Connection::open(path)?;
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO codings (guid, source_id, code_id, coder_id, start_char, end_char, created_at) \
             VALUES ($1, $2, $3, (SELECT id FROM coders WHERE name = 'bench'), $4, $5, '2026-01-01T00:00:00Z')",
        )?;
        for k in 0..total {
            let source = (k % SOURCES) as i64 + 1;
            let code = ideas[(k / SOURCES) % ideas.len()];
            let start = ((k * 7919) % (CHARS - 600)) as i64;
            stmt.execute(rusqlite::params![
                format!("bench-{k}"),
                source,
                code,
                start,
                start + 100 + (k % 400) as i64
            ])?;
        }
    }
    tx.commit()?;
    drop(conn);
    Ok((SqliteStore::open(path)?, ideas))
}

fn pct(samples: &mut [Duration], p: usize) -> Duration {
    samples.sort_unstable();
    samples[(samples.len() * p / 100).min(samples.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1_000.0)
}
