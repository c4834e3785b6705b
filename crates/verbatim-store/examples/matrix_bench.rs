//! Benchmark of matrix coding, co-occurrence and a coding query as a study
//! grows: 1,000 sources (about 30,000 chars each, 4 speaker turns: an
//! interviewer and 3 participants), 10 sites, a 10-valued participant
//! attribute, 50 codes, and 10,000, 100,000 and 1,000,000 codings.
//!
//! Run with `cargo run --release -p verbatim-store --example matrix_bench
//! -- [OUT_DIR]` (see BENCHMARKS.md). Setup writes participants and bulk
//! codings with plain SQL in one transaction; every measured step goes
//! through the public API: `coding_spans` and `turn_owners` (loading) and
//! `verbatim_analysis` (computing), as `verbatim matrix` does.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use verbatim_analysis::matrix::{self, CellValue, CodedSpan, Columns, OwnedTurn, RowSpec, Turns};
use verbatim_analysis::query::{self, Context, Coverage};
use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_store::{ImportItem, Scope, SpanFilter, SqliteStore, Store, StudySettings};

const SOURCES: usize = 1_000;
const CHARS: usize = 30_000;
const SITES: usize = 10;
const CODES: usize = 50;
const RUNS: usize = 10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("bench/out/studies"), PathBuf::from);
    std::fs::create_dir_all(&out)?;
    println!(
        "| codings | load: spans / turns / all | matrix 50 × 10 sites (participants) | matrix 50 × 10 attribute values | total by site: wall p50 (CPU mean) | co-occurrence 50 × 50 | query `A AND B OR C NOT D` |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for total in [10_000usize, 100_000, 1_000_000] {
        let path = out.join(format!("matrix-{total}.vbt"));
        // REUSE=1 measures studies an earlier run left (building the
        // million-coding study takes minutes).
        let (store, codes) = if std::env::var_os("REUSE").is_some() && path.exists() {
            let store = SqliteStore::open(&path)?;
            let scope = store.scope("bench", false, false)?;
            let ideas: Vec<i64> = store
                .visible_codes(&scope)?
                .into_iter()
                .filter(|c| c.level == 1)
                .map(|c| c.id)
                .collect();
            (store, ideas)
        } else {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            build(&path, total)?
        };
        let scope = store.scope("bench", false, false)?;
        let (mut load_spans_t, mut load_turns_t) = (vec![], vec![]);
        let mut cpu = Duration::ZERO;
        let (mut load, mut by_site, mut by_attr, mut totals, mut co, mut q) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for _ in 0..RUNS {
            let t0 = Instant::now();
            let c0 = cpu_time();
            let rows: Vec<RowSpec> = codes
                .iter()
                .enumerate()
                .map(|(i, &id)| {
                    Ok(RowSpec {
                        label: format!("Idea {i}"),
                        codes: store.code_descendants(id)?,
                    })
                })
                .collect::<Result<_, verbatim_store::StoreError>>()?;
            let ts = Instant::now();
            let spans = load_spans(&store, &scope)?;
            load_spans_t.push(ts.elapsed());
            let ts = Instant::now();
            let turns = Turns::new(store.turn_owners(false)?.into_iter().map(|t| OwnedTurn {
                source: t.source_id,
                start: t.start,
                end: t.end,
                participant: t.participant_id,
            }));
            load_turns_t.push(ts.elapsed());
            let facts = store.source_facts()?;
            let attr = store.participant_values_of("profession")?;
            load.push(t0.elapsed());
            assert_eq!(spans.len(), total);

            let t1 = Instant::now();
            let labels: Vec<String> = (0..SITES).map(|s| format!("S{s}")).collect();
            let of: HashMap<i64, usize> = facts
                .iter()
                .filter_map(|f| {
                    let site = f.site.as_ref()?;
                    labels.iter().position(|l| l == site).map(|i| (f.id, i))
                })
                .collect();
            let m = matrix::matrix(
                &spans,
                &rows,
                &Columns::Source { labels, of },
                CellValue::Participants,
                &turns,
            );
            by_site.push(t1.elapsed());
            totals.push(t0.elapsed());
            cpu += cpu_time().saturating_sub(c0);
            assert_eq!(m.cells.len(), CODES);

            let t2 = Instant::now();
            let labels: Vec<String> = (0..10).map(|v| format!("v{v}")).collect();
            let of: HashMap<i64, usize> = attr
                .iter()
                .filter_map(|(&p, v)| labels.iter().position(|l| l == v).map(|i| (p, i)))
                .collect();
            let m = matrix::matrix(
                &spans,
                &rows,
                &Columns::Participant { labels, of },
                CellValue::Participants,
                &turns,
            );
            by_attr.push(t2.elapsed());
            assert!(m.cells.iter().flatten().any(|c| c.value > 0));

            let t3 = Instant::now();
            let c = matrix::cooccurrence(&spans, &rows, None);
            co.push(t3.elapsed());
            assert_eq!(c.cells.len(), CODES);

            let t4 = Instant::now();
            let parsed = query::parse("A AND B OR C NOT D")?;
            let mut ctx = Context::default();
            for (name, code) in ["A", "B", "C", "D"].iter().zip(&codes) {
                ctx.codes.insert(
                    (*name).to_owned(),
                    Coverage::from_spans(
                        spans
                            .iter()
                            .filter(|s| s.code == *code)
                            .map(|s| (s.source, s.start, s.end)),
                    ),
                );
            }
            let _ = parsed.evaluate(&ctx)?;
            q.push(t4.elapsed());
        }
        println!(
            "| {total} | {} / {} / {} | {} | {} | {} ({}) | {} | {} |",
            ms(p50(&mut load_spans_t)),
            ms(p50(&mut load_turns_t)),
            ms(p50(&mut load)),
            ms(p50(&mut by_site)),
            ms(p50(&mut by_attr)),
            ms(p50(&mut totals)),
            ms(cpu / RUNS as u32),
            ms(p50(&mut co)),
            ms(p50(&mut q)),
        );
    }
    Ok(())
}

fn load_spans(
    store: &SqliteStore,
    scope: &Scope,
) -> Result<Vec<CodedSpan>, Box<dyn std::error::Error>> {
    Ok(store
        .coding_spans(scope, &SpanFilter::default())?
        .into_iter()
        .map(|s| CodedSpan {
            source: s.source_id,
            code: s.code_id,
            coder: s.coder_id,
            start: s.start,
            end: s.end,
        })
        .collect())
}

/// Returns a study of SOURCES sources over SITES sites, each with an
/// interviewer turn and 3 participant turns, 5 themes × 10 ideas, and
/// `total` codings spread over sources and ideas; returns the ideas.
fn build(
    path: &std::path::Path,
    total: usize,
) -> Result<(SqliteStore, Vec<i64>), Box<dyn std::error::Error>> {
    let mut store = SqliteStore::create(path, &StudySettings::titled("bench"), "bench")?;
    let words = [
        "confiance ",
        "méfiance ",
        "équipe ",
        "usager ",
        "contrôle ",
        "soin ",
    ];
    let mut text = String::with_capacity(CHARS + 16);
    let mut w = 0usize;
    while text.chars().count() < CHARS {
        text.push_str(words[w % words.len()]);
        w = w.wrapping_mul(31).wrapping_add(7);
    }
    let text: String = text.chars().take(CHARS).collect();
    let quarter = CHARS / 4;
    let mut batch = Vec::new();
    for i in 0..SOURCES {
        // Each source's text must differ (duplicates are skipped).
        let own = format!("{i:06}{}", &text.chars().skip(6).collect::<String>());
        let turns = (0..4)
            .map(|k| {
                Ok(Turn {
                    speaker: Some(if k == 0 {
                        "INT".into()
                    } else {
                        format!("P{i}-{k}")
                    }),
                    span: Span::new(k * quarter, (k + 1) * quarter)?,
                    begin_ms: None,
                    end_ms: None,
                })
            })
            .collect::<Result<Vec<_>, verbatim_core::CoreError>>()?;
        let source =
            NormalisedSource::new(Format::Txt, own, turns, vec![], SourceMetadata::default())?;
        batch.push(ImportItem {
            name: format!("doc_{i:04}"),
            original_path: None,
            kind: SourceKind::FocusGroup,
            site: Some(format!("S{}", i % SITES)),
            language: None,
            source,
        });
        if batch.len() == 100 {
            store.import_batch("bench", std::mem::take(&mut batch))?;
        }
    }
    store.add_coder("bench", "bench", None, None)?;
    store.define_attribute(
        "bench",
        "profession",
        verbatim_store::AppliesTo::Participant,
        verbatim_store::AttrType::Text,
        &[],
    )?;
    let scope = store.scope("bench", false, false)?;
    let ideas: Vec<i64> = common::theme_tree(&mut store, &scope, "", 5, CODES / 5)?.concat();
    drop(store);
    let mut conn = rusqlite::Connection::open(path)?;
    let tx = conn.transaction()?;
    {
        let attr: i64 = tx.query_row(
            "SELECT id FROM attributes WHERE name = 'profession'",
            [],
            |r| r.get(0),
        )?;
        let mut person = tx.prepare(
            "INSERT INTO participants (guid, code, created_at) VALUES ($1, $1, '2026-01-01T00:00:00Z')",
        )?;
        let mut value = tx.prepare(
            "INSERT INTO participant_values (participant_id, attribute_id, value) VALUES ($1, $2, $3)",
        )?;
        for i in 0..SOURCES {
            for k in 1..4 {
                person.execute([format!("P{i}-{k}")])?;
                let id = tx.last_insert_rowid();
                value.execute(rusqlite::params![
                    id,
                    attr,
                    format!("v{}", (i * 3 + k) % 10)
                ])?;
            }
        }
        let mut stmt = tx.prepare(
            "INSERT INTO codings (guid, source_id, code_id, coder_id, start_char, end_char, created_at) \
             VALUES ($1, $2, $3, (SELECT id FROM coders WHERE name = 'bench'), $4, $5, '2026-01-01T00:00:00Z')",
        )?;
        for k in 0..total {
            let source = (k % SOURCES) as i64 + 1;
            let code = ideas[(k / SOURCES + k) % ideas.len()];
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

/// Returns the CPU time (user + system) this process has used so far, from
/// `/proc/self/stat` (10 ms ticks on Linux); zero elsewhere.
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which may hold spaces) start at 3.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15, i.e. 11 and 12 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn p50(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1_000.0)
}
