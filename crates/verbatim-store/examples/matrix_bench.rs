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

use verbatim_analysis::matrix::{
    self, CellValue, CodedSpan, Columns, Matrix, OwnedTurn, RowSpec, Turns,
};
use verbatim_analysis::query::{self, Context, Coverage};
use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_store::{
    ImportItem, Scope, SourceFacts, SpanFilter, SqliteStore, Store, StudySettings,
};

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
        let (store, codes) = open_or_build(&path, total)?;
        let scope = store.scope("bench", false, false)?;
        let mut times = Times::default();
        for _ in 0..RUNS {
            one_run(&store, &scope, &codes, total, &mut times)?;
        }
        times.print_row(total);
    }
    Ok(())
}

/// Opens the study an earlier run left when `REUSE` is set (building the
/// million-coding study takes minutes), else builds it afresh; returns it
/// with its ideas.
fn open_or_build(
    path: &std::path::Path,
    total: usize,
) -> Result<(SqliteStore, Vec<i64>), Box<dyn std::error::Error>> {
    if std::env::var_os("REUSE").is_some() && path.exists() {
        let store = SqliteStore::open(path)?;
        let scope = store.scope("bench", false, false)?;
        let ideas: Vec<i64> = store
            .visible_codes(&scope)?
            .into_iter()
            .filter(|c| c.level == 1)
            .map(|c| c.id)
            .collect();
        return Ok((store, ideas));
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    build(path, total)
}

/// The times of every run at one study size, step by step.
#[derive(Default)]
struct Times {
    load_spans: Vec<Duration>,
    load_turns: Vec<Duration>,
    load: Vec<Duration>,
    by_site: Vec<Duration>,
    by_attr: Vec<Duration>,
    totals: Vec<Duration>,
    /// CPU time of load + matrix by site, summed over the runs.
    cpu: Duration,
    co: Vec<Duration>,
    q: Vec<Duration>,
}

impl Times {
    /// Prints the table's row for a study of `total` codings: medians, and
    /// the mean CPU time of load + matrix by site.
    fn print_row(mut self, total: usize) {
        println!(
            "| {total} | {} / {} / {} | {} | {} | {} ({}) | {} | {} |",
            ms(p50(&mut self.load_spans)),
            ms(p50(&mut self.load_turns)),
            ms(p50(&mut self.load)),
            ms(p50(&mut self.by_site)),
            ms(p50(&mut self.by_attr)),
            ms(p50(&mut self.totals)),
            ms(self.cpu / RUNS as u32),
            ms(p50(&mut self.co)),
            ms(p50(&mut self.q)),
        );
    }
}

/// What `verbatim matrix` loads from the store before computing.
struct Loaded {
    rows: Vec<RowSpec>,
    spans: Vec<CodedSpan>,
    turns: Turns,
    facts: Vec<SourceFacts>,
    attr: HashMap<i64, String>,
}

/// Measures one run: load, the matrix by site (and their total, wall and
/// CPU), the matrix by attribute value, co-occurrence and a query.
fn one_run(
    store: &SqliteStore,
    scope: &Scope,
    codes: &[i64],
    total: usize,
    times: &mut Times,
) -> Result<(), Box<dyn std::error::Error>> {
    let t0 = Instant::now();
    let c0 = cpu_time();
    let data = load(store, scope, codes, times)?;
    times.load.push(t0.elapsed());
    assert_eq!(data.spans.len(), total);

    let t1 = Instant::now();
    let m = site_matrix(&data);
    times.by_site.push(t1.elapsed());
    times.totals.push(t0.elapsed());
    times.cpu += cpu_time().saturating_sub(c0);
    assert_eq!(m.cells.len(), CODES);

    let t2 = Instant::now();
    let m = attribute_matrix(&data);
    times.by_attr.push(t2.elapsed());
    assert!(m.cells.iter().flatten().any(|c| c.value > 0));

    let t3 = Instant::now();
    let c = matrix::cooccurrence(&data.spans, &data.rows, None);
    times.co.push(t3.elapsed());
    assert_eq!(c.cells.len(), CODES);

    let t4 = Instant::now();
    run_query(&data.spans, codes)?;
    times.q.push(t4.elapsed());
    Ok(())
}

/// Loads the rows (each idea with its descendants), the spans, the turns'
/// owners, the sources' facts and the participants' professions, timing
/// the spans and the turns.
fn load(
    store: &SqliteStore,
    scope: &Scope,
    codes: &[i64],
    times: &mut Times,
) -> Result<Loaded, Box<dyn std::error::Error>> {
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
    let spans = load_spans(store, scope)?;
    times.load_spans.push(ts.elapsed());
    let ts = Instant::now();
    let turns = Turns::new(store.turn_owners(false)?.into_iter().map(|t| OwnedTurn {
        source: t.source_id,
        start: t.start,
        end: t.end,
        participant: t.participant_id,
    }));
    times.load_turns.push(ts.elapsed());
    let facts = store.source_facts()?;
    let attr = store.participant_values_of("profession")?;
    Ok(Loaded {
        rows,
        spans,
        turns,
        facts,
        attr,
    })
}

/// The matrix of ideas × sites, counting participants.
fn site_matrix(data: &Loaded) -> Matrix {
    let labels: Vec<String> = (0..SITES).map(|s| format!("S{s}")).collect();
    let of: HashMap<i64, usize> = data
        .facts
        .iter()
        .filter_map(|f| {
            let site = f.site.as_ref()?;
            labels.iter().position(|l| l == site).map(|i| (f.id, i))
        })
        .collect();
    matrix::matrix(
        &data.spans,
        &data.rows,
        &Columns::Source { labels, of },
        CellValue::Participants,
        &data.turns,
    )
}

/// The matrix of ideas × the 10 values of the participants' profession,
/// counting participants.
fn attribute_matrix(data: &Loaded) -> Matrix {
    let labels: Vec<String> = (0..10).map(|v| format!("v{v}")).collect();
    let of: HashMap<i64, usize> = data
        .attr
        .iter()
        .filter_map(|(&p, v)| labels.iter().position(|l| l == v).map(|i| (p, i)))
        .collect();
    matrix::matrix(
        &data.spans,
        &data.rows,
        &Columns::Participant { labels, of },
        CellValue::Participants,
        &data.turns,
    )
}

/// Parses and evaluates `A AND B OR C NOT D` over the first four ideas.
fn run_query(spans: &[CodedSpan], codes: &[i64]) -> Result<(), Box<dyn std::error::Error>> {
    let parsed = query::parse("A AND B OR C NOT D")?;
    let mut ctx = Context::default();
    for (name, code) in ["A", "B", "C", "D"].iter().zip(codes) {
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
    import_sources(&mut store)?;
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
    write_participants(&tx)?;
    write_codings(&tx, &ideas, total)?;
    tx.commit()?;
    drop(conn);
    Ok((SqliteStore::open(path)?, ideas))
}

/// Imports SOURCES sources of CHARS chars over SITES sites, each with an
/// interviewer turn and 3 participant turns, by batches of 100.
fn import_sources(store: &mut SqliteStore) -> Result<(), Box<dyn std::error::Error>> {
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
    Ok(())
}

/// Writes the 3 participants of each source with plain SQL, each with a
/// profession among 10 values.
fn write_participants(tx: &rusqlite::Transaction<'_>) -> Result<(), Box<dyn std::error::Error>> {
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
    Ok(())
}

/// Writes `total` codings with plain SQL, spread over the sources and the
/// ideas, 100 to 499 chars long.
fn write_codings(
    tx: &rusqlite::Transaction<'_>,
    ideas: &[i64],
    total: usize,
) -> Result<(), Box<dyn std::error::Error>> {
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
    Ok(())
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
