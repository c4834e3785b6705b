#!/usr/bin/env bash
# `verbatim copy` of a 100-transcript study, file -> PostgreSQL -> file, and
# file -> file, each timed 5 times with /usr/bin/time into a fresh target;
# then one coding through the library on SQLite and PostgreSQL
# (crates/verbatim-store-pg/examples/coding_latency.rs).
#
# Needs VERBATIM_TEST_PG (a server: `.ci/pg-server start` prints one) and the
# corpus (`python3 bench/make_corpus.py`). PROFILE=debug uses a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${VERBATIM_TEST_PG:?set VERBATIM_TEST_PG=postgres://USER@HOST:PORT/DB}"
profile="${PROFILE:-release}"
flag=$([[ "$profile" == release ]] && echo --release || true)
cargo build $flag -p verbatim-cli
bin="${CARGO_TARGET_DIR:-target}/$profile/verbatim"
out=bench/out/copy
rm -rf "$out" && mkdir -p "$out"
[[ -d bench/out/tiers/100/txt ]] || python3 bench/make_corpus.py
"$bin" init --project "$out/s100.vbt" --language fr >/dev/null
"$bin" import --project "$out/s100.vbt" --kind interview --language fr bench/out/tiers/100/txt | tail -1
pg="$VERBATIM_TEST_PG?study=bench_copy"
for run in 1 2 3 4 5; do
  psql -q "$VERBATIM_TEST_PG" -c 'DROP SCHEMA IF EXISTS bench_copy CASCADE' >/dev/null 2>&1
  rm -f "$out/back.vbt" "$out/copie.vbt"
  /usr/bin/time -f "file -> PostgreSQL %e s %M KB" "$bin" copy "$out/s100.vbt" "$pg" >/dev/null
  /usr/bin/time -f "PostgreSQL -> file %e s %M KB" "$bin" copy "$pg" "$out/back.vbt" >/dev/null
  /usr/bin/time -f "file -> file %e s %M KB" "$bin" copy "$out/s100.vbt" "$out/copie.vbt" >/dev/null
done
psql -q "$VERBATIM_TEST_PG" -c 'DROP SCHEMA IF EXISTS bench_copy CASCADE' >/dev/null 2>&1
cargo run $flag -p verbatim-store-pg --example coding_latency
