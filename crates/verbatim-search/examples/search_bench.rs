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
    let mut all_index = Vec::new();
    let mut all_full = Vec::new();
    let mut all_page = Vec::new();
    let mut analyzers = Analyzers::default();
    for q in queries.as_array().ok_or("queries.json is not a list")? {
        let id = q["id"].as_str().unwrap_or("?");
        let text = q["query"].as_str().unwrap_or("");
        if q.get("scope").is_some() {
            rows.push(serde_json::json!({ "id": id, "skipped": "needs the generated codings, which the benchmark study does not import" }));
            continue;
        }
        let ours = if text.chars().any(|c| !c.is_alphanumeric()) {
            format!("\"{text}\"")
        } else {
            text.to_owned()
        };
        let query = Query::parse(&ours, &mut analyzers)?;
        let filters = Filters {
            role: if q.get("speaker").is_some() {
                Role::Participants
            } else {
                Role::All
            },
            include_context: true,
            ..Filters::default()
        };
        let exact = Query::parse(&format!("={ours}"), &mut analyzers)?;
        let exact_hits = search(&store, &index, &exact, &filters, 40)?.len();
        let mut index_ms = Vec::new();
        let mut full_ms = Vec::new();
        let mut page_ms = Vec::new();
        let mut hits = 0;
        let mut turns = 0;
        let mut page_total = 0;
        for run in 0..runs {
            let t = Instant::now();
            turns = index.count(&query, &IndexFilter::default())?;
            index_ms.push(ms(t));
            let t = Instant::now();
            index.sync(&store)?;
            let page = search_page(&store, &index, &query, &filters, 40, (0, 50))?;
            page_ms.push(ms(t));
            page_total = page.total;
            // The full search (seconds at 10,000 transcripts) three times
            // at most: it is the reference count, not the figure sought.
            if run < FULL_RUNS {
                let t = Instant::now();
                hits = search(&store, &index, &query, &filters, 40)?.len();
                full_ms.push(ms(t));
            }
        }
        index_ms.sort_by(f64::total_cmp);
        full_ms.sort_by(f64::total_cmp);
        page_ms.sort_by(f64::total_cmp);
        assert_eq!(
            page_total, hits,
            "{id}: the page's count differs from the full search's"
        );
        all_page.extend_from_slice(&page_ms);
        all_index.extend_from_slice(&index_ms);
        all_full.extend_from_slice(&full_ms);
        rows.push(serde_json::json!({
            "id": id,
            "query": ours,
            "expected_total": q["expected_total"],
            "hits": hits,
            "hits_exact_form": exact_hits,
            "candidate_turns": turns,
            "index_p50_ms": percentile(&index_ms, 50.0),
            "index_p95_ms": percentile(&index_ms, 95.0),
            "full_p50_ms": percentile(&full_ms, 50.0),
            "full_p95_ms": percentile(&full_ms, 95.0),
            "page_p50_ms": percentile(&page_ms, 50.0),
            "page_p95_ms": percentile(&page_ms, 95.0),
        }));
    }
    all_index.sort_by(f64::total_cmp);
    all_full.sort_by(f64::total_cmp);
    all_page.sort_by(f64::total_cmp);
    let out = serde_json::json!({
        "sources": report.added,
        "segments": index.segments(),
        "build_ms": build_ms,
        "noop_sync_ms": noop_ms,
        "index_bytes": index_bytes,
        "runs": runs,
        "index_p50_ms": percentile(&all_index, 50.0),
        "index_p95_ms": percentile(&all_index, 95.0),
        "full_p50_ms": percentile(&all_full, 50.0),
        "full_p95_ms": percentile(&all_full, 95.0),
        "page_p50_ms": percentile(&all_page, 50.0),
        "page_p95_ms": percentile(&all_page, 95.0),
        "queries": rows,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
