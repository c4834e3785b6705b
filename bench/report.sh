#!/usr/bin/env bash
# Times `verbatim report` (HTML, Markdown, DOCX) on studies of 10, 100 and
# 1,000 sources with 100 codings per source (two coders, 84-code trees,
# study revealed so agreement is computed): 100,000 codings at 1,000
# sources. Writes a Markdown table to stdout and bench/out/report.md.
# Run from the repository root: bash bench/report.sh (TIERS="10 100" to
# shorten).
set -euo pipefail
cd "$(dirname "$0")/.."
TIERS="${TIERS:-10 100 1000}"
mkdir -p bench/out/studies
cargo build --release -q -p verbatim-cli
cargo build --release -q -p verbatim-report --example report_study
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
verbatim="$TARGET_DIR/release/verbatim"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
{
  echo "| sources | codings | format | median s | runs (s) | output |"
  echo "|---:|---:|---|---:|---|---:|"
  for n in $TIERS; do
    study="bench/out/studies/report-$n.vbt"
    "$TARGET_DIR/release/examples/report_study" "$study" "$n" > /dev/null
    for format in html md docx; do
      out="bench/out/report-$n.$format"
      runs=()
      for _ in 1 2 3; do
        t0=$(date +%s.%N)
        "$verbatim" report --project "$study" --coder c1 --format "$format" --out "$out" > /dev/null
        t1=$(date +%s.%N)
        runs+=("$(python3 -c "print(round($t1 - $t0, 3))")")
      done
      size=$(du -k "$out" | cut -f1)
      printf '| %s | %s | %s | %s | %s | %s KB |\n' "$n" "$((n * 100))" "$format" \
        "$(printf '%s\n' "${runs[@]}" | median)" "${runs[*]}" "$size"
    done
  done
  echo
  echo "- machine: $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- commit: $(git rev-parse --short HEAD); command: bash bench/report.sh"
} | tee bench/out/report.md
