#!/usr/bin/env bash
# Search benchmark: index build time and query latency at 10, 100 and 1000
# generated French interview transcripts.
#
#   bash bench/search.sh              # all tiers, 50 runs per query
#   RUNS=20 TIERS="10 100" bash bench/search.sh
#
# Builds the release binary and the search_bench example once, generates the
# corpus with bench/make_corpus.py if missing, imports each tier's .txt
# folder into a fresh study under bench/out/studies/, then runs
# crates/verbatim-search/examples/search_bench.rs on it: a full index build
# from scratch, a no-op sync, and the queries of bench/out/corpus/queries.json
# RUNS times each (index alone, first page of 50 with the count of all, and
# full search with KWIC). Then bench/search_process.py times, CLI_RUNS times
# each (default 10), the whole `verbatim search --limit 50` process, ripgrep
# (`rg -c -i -F`) over the same .txt files, and `GET /api/search?limit=50`
# on a running `verbatim serve`, with the server's memory after. Writes the
# raw JSON to bench/out/search-N.json and bench/out/search-process-N.json
# and a Markdown summary on stdout and in bench/out/search.md. Needs rg.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH")"
OUT="$BENCH/out"
STUDIES="$OUT/studies"
RUNS="${RUNS:-50}"
CLI_RUNS="${CLI_RUNS:-10}"
TIERS="${TIERS:-10 100 1000}"

cd "$REPO"
echo "search.sh: building release binaries" >&2
cargo build --release -p verbatim-cli >&2
cargo build --release -p verbatim-search --example search_bench >&2
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$TARGET_DIR/release/verbatim"
EX="$TARGET_DIR/release/examples/search_bench"

if [[ ! -f "$OUT/corpus/queries.json" || ! -d "$OUT/tiers/1000/txt" ]]; then
  echo "search.sh: corpus missing, generating it" >&2
  python3 "$BENCH/make_corpus.py" >&2
fi
mkdir -p "$STUDIES"

for n in $TIERS; do
  study="$STUDIES/search-$n.vbt"
  rm -rf "$study" "$study-wal" "$study-shm" "$study.index"
  "$BIN" init --project "$study" --title "search bench $n" --language fr >/dev/null
  "$BIN" import --project "$study" --kind interview --language fr "$OUT/tiers/$n/txt" >/dev/null
  echo "search.sh: tier $n imported, benchmarking" >&2
  "$EX" "$study" "$OUT/corpus/queries.json" "$RUNS" >"$OUT/search-$n.json"
  python3 "$BENCH/search_process.py" "$BIN" "$study" "$OUT/tiers/$n/txt" \
    "$OUT/corpus/queries.json" "$CLI_RUNS" >"$OUT/search-process-$n.json"
done

python3 - "$OUT" $TIERS <<'PY' | tee "$OUT/search.md"
import json, sys
out, tiers = sys.argv[1], sys.argv[2:]
print("| transcripts | segments | index MB | build s | no-op sync ms | index p50 / p95 ms | first 50 p50 / p95 ms | full search p50 / p95 ms | CLI first 50 ms wall / CPU | rg -c ms wall / CPU | HTTP first 50 ms | server RSS / peak MB |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
data = {}
proc = {}
for n in tiers:
    d = json.load(open(f"{out}/search-{n}.json"))
    p = json.load(open(f"{out}/search-process-{n}.json"))
    data[n], proc[n] = d, p
    med = lambda key: sorted(r[key] for r in p["queries"])[len(p["queries"]) // 2]
    print(f"| {n} | {d['segments']:,} | {d['index_bytes']/1e6:.1f} | {d['build_ms']/1000:.2f} | {d['noop_sync_ms']:.2f} | "
          f"{d['index_p50_ms']:.2f} / {d['index_p95_ms']:.2f} | {d['page_p50_ms']:.1f} / {d['page_p95_ms']:.1f} | "
          f"{d['full_p50_ms']:.1f} / {d['full_p95_ms']:.1f} | {med('cli_ms'):.0f} / {med('cli_cpu_ms'):.0f} | {med('rg_ms'):.0f} / {med('rg_cpu_ms'):.0f} | {med('http_ms'):.1f} | "
          f"{p['server_rss_mb']:.0f} / {p['server_peak_mb']:.0f} |")
last = tiers[-1]
print()
print(f"Per query at {last} transcripts (expected = substring count from gen_corpus):")
print()
print("| id | our query | expected | hits | exact-form hits | turns | index p50 ms | first 50 p50 / p95 ms | full p50 / p95 ms | CLI first 50 ms wall (max) / CPU | rg -c ms wall (max) / CPU | HTTP first 50 ms (max) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
by_id = {r["id"]: r for r in proc[last]["queries"]}
for q in data[last]["queries"]:
    if "skipped" in q:
        print(f"| {q['id']} | — | — | skipped: {q['skipped']} | | | | | | | | |")
        continue
    r = by_id[q["id"]]
    print(f"| {q['id']} | `{q['query']}` | {q['expected_total']} | {q['hits']} | {q['hits_exact_form']} | {q['candidate_turns']} | "
          f"{q['index_p50_ms']:.2f} | {q['page_p50_ms']:.1f} / {q['page_p95_ms']:.1f} | {q['full_p50_ms']:.1f} / {q['full_p95_ms']:.1f} | "
          f"{r['cli_ms']:.0f} ({r['cli_max_ms']:.0f}) / {r['cli_cpu_ms']:.0f} | {r['rg_ms']:.0f} ({r['rg_max_ms']:.0f}) / {r['rg_cpu_ms']:.0f} | "
          f"{r['http_ms']:.1f} ({r['http_max_ms']:.1f}) |")
print()
print("Pages on `verbatim serve` (request to last byte on loopback, median ms / page KB):")
print()
print("| page | " + " | ".join(tiers) + " |")
print("|---|" + "---|" * len(tiers))
for path in proc[tiers[0]]["pages"]:
    cells = []
    for n in tiers:
        g = proc[n]["pages"].get(path)
        cells.append(f"{g['ms']:.1f} / {g['kb']:.0f}" if g else "—")
    print(f"| `{path}` | " + " | ".join(cells) + " |")
PY
