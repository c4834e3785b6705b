//! Search benchmark: index build time and query latency on one study.
//!
//! ```text
//! cargo run --release -p verbatim-search --example search_bench -- STUDY.vbt QUERIES.json [RUNS]
//! ```
//!
//! Deletes the study's index (kept with `KEEP_INDEX=1`, then the build
//! time is that of a sync), times a full build (`Index::open` + `sync`)
//! and a no-op sync, then runs every query of `QUERIES.json` (the
//! gen_corpus workload: `id`, `query`, optional `speaker`/`scope`) RUNS
//! times (default 50), three ways: the index alone (candidate turns counted
//! by tantivy), the first page of 50 hits with the count of all
//! (`search_page`: hits counted from the index's positions, KWIC for the 50
//! only) after a sync, as a server answers, and the full search (exact
//! matching, filters and KWIC lines cut from the study for every hit; at
//! most 3 runs, it is the reference the page's count is checked against).
//! Prints one JSON object on stdout.

use std::time::Instant;

use verbatim_search::{
    Analyzers, Filters, Index, IndexFilter, Query, Role, index_dir, search, search_page,
};
use verbatim_store::SqliteStore;

/// Runs of the full search per query (every hit cut from the text).
const FULL_RUNS: usize = 3;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: search_bench STUDY.vbt QUERIES.json [RUNS]".into());
    }
    let study = std::path::Path::new(&args[1]);
    let runs: usize = args.get(3).map_or(Ok(50), |r| r.parse())?;
    let queries: serde_json::Value = serde_json::from_slice(&std::fs::read(&args[2])?)?;
    let store = SqliteStore::open(study)?;
    let dir = index_dir(study);
    // KEEP_INDEX=1 measures the index the study has (its build was timed
    // already, by the CLI's first search): no rebuild.
    let keep = std::env::var_os("KEEP_INDEX").is_some_and(|v| v == "1");
    if dir.exists() && !keep {
        std::fs::remove_dir_all(&dir)?;
    }
    let t = Instant::now();
    let mut index = Index::open(study)?;
    let report = index.sync(&store)?;
    let build_ms = ms(t);
    let t = Instant::now();
    let noop = index.sync(&store)?;
    let noop_ms = ms(t);
    assert!(!noop.changed_anything());
    let index_bytes: u64 = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let mut rows = Vec::new();
    let mut all = Samples::default();
    let mut analyzers = Analyzers::default();
    for q in queries.as_array().ok_or("queries.json is not a list")? {
        rows.push(query_row(
            &store,
            &mut index,
            q,
            runs,
            &mut analyzers,
            &mut all,
        )?);
    }
    all.sort();
    let out = serde_json::json!({
        "sources": report.added,
        "segments": index.segments(),
        "build_ms": build_ms,
        "noop_sync_ms": noop_ms,
        "index_bytes": index_bytes,
        "runs": runs,
        "index_p50_ms": percentile(&all.index, 50.0),
        "index_p95_ms": percentile(&all.index, 95.0),
        "full_p50_ms": percentile(&all.full, 50.0),
        "full_p95_ms": percentile(&all.full, 95.0),
        "page_p50_ms": percentile(&all.page, 50.0),
        "page_p95_ms": percentile(&all.page, 95.0),
        "queries": rows,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// Times in milliseconds, three ways: the index alone, the first page,
/// the full search.
#[derive(Default)]
struct Samples {
    index: Vec<f64>,
    full: Vec<f64>,
    page: Vec<f64>,
}

impl Samples {
    /// Sorts each list, for the percentiles.
    fn sort(&mut self) {
        self.index.sort_by(f64::total_cmp);
        self.full.sort_by(f64::total_cmp);
        self.page.sort_by(f64::total_cmp);
    }
}

/// Runs one query of the workload `runs` times and returns its JSON row,
/// adding its times to `all`; a query that needs codings is skipped.
fn query_row(
    store: &SqliteStore,
    index: &mut Index,
    q: &serde_json::Value,
    runs: usize,
    analyzers: &mut Analyzers,
    all: &mut Samples,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let id = q["id"].as_str().unwrap_or("?");
    let text = q["query"].as_str().unwrap_or("");
    if q.get("scope").is_some() {
        return Ok(
            serde_json::json!({ "id": id, "skipped": "needs the generated codings, which the benchmark study does not import" }),
        );
    }
    let ours = if text.chars().any(|c| !c.is_alphanumeric()) {
        format!("\"{text}\"")
    } else {
        text.to_owned()
    };
    let query = Query::parse(&ours, analyzers)?;
    let filters = Filters {
        role: if q.get("speaker").is_some() {
            Role::Participants
        } else {
            Role::All
        },
        include_context: true,
        ..Filters::default()
    };
    let exact = Query::parse(&format!("={ours}"), analyzers)?;
    let exact_hits = search(store, index, &exact, &filters, 40)?.len();
    let (mut times, counts) = time_query(store, index, &query, &filters, runs)?;
    times.sort();
    assert_eq!(
        counts.page_total, counts.hits,
        "{id}: the page's count differs from the full search's"
    );
    all.page.extend_from_slice(&times.page);
    all.index.extend_from_slice(&times.index);
    all.full.extend_from_slice(&times.full);
    Ok(serde_json::json!({
        "id": id,
        "query": ours,
        "expected_total": q["expected_total"],
        "hits": counts.hits,
        "hits_exact_form": exact_hits,
        "candidate_turns": counts.turns,
        "index_p50_ms": percentile(&times.index, 50.0),
        "index_p95_ms": percentile(&times.index, 95.0),
        "full_p50_ms": percentile(&times.full, 50.0),
        "full_p95_ms": percentile(&times.full, 95.0),
        "page_p50_ms": percentile(&times.page, 50.0),
        "page_p95_ms": percentile(&times.page, 95.0),
    }))
}

/// What one query found: hits of the full search, candidate turns of the
/// index, and the first page's count of all hits.
struct Counts {
    hits: usize,
    turns: usize,
    page_total: usize,
}

/// Times a query `runs` times: the index alone, the first page after a
/// sync, and the full search (the first `FULL_RUNS` runs only).
fn time_query(
    store: &SqliteStore,
    index: &mut Index,
    query: &Query,
    filters: &Filters,
    runs: usize,
) -> Result<(Samples, Counts), Box<dyn std::error::Error>> {
    let mut times = Samples::default();
    let mut counts = Counts {
        hits: 0,
        turns: 0,
        page_total: 0,
    };
    for run in 0..runs {
        let t = Instant::now();
        counts.turns = index.count(query, &IndexFilter::default())?;
        times.index.push(ms(t));
        let t = Instant::now();
        index.sync(store)?;
        let page = search_page(store, index, query, filters, 40, (0, 50))?;
        times.page.push(ms(t));
        counts.page_total = page.total;
        // The full search (seconds at 10,000 transcripts) three times
        // at most: it is the reference count, not the figure sought.
        if run < FULL_RUNS {
            let t = Instant::now();
            counts.hits = search(store, index, query, filters, 40)?.len();
            times.full.push(ms(t));
        }
    }
    Ok((times, counts))
}
