#!/usr/bin/env bash
# Times the figures and the quote selection of reports on the analysis
# study: 1,000 sources of 30,000 chars, 3 coders × 50 codes, 171,000 coded
# passages (57,000 per coder), no quote marked (so every code's quotes are
# chosen by rank, the slower path). Writes a Markdown table to stdout and to
# bench/out/figures.md. Run from the repository root: bash bench/figures.sh
# REUSE=1 keeps a study a previous run left.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out/studies
target=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p verbatim-cli
study=bench/out/studies/analysis.vbt
if [[ "${REUSE:-0}" != 1 || ! -f "$study" ]]; then
  cargo build --release -q -p verbatim-store --example analysis_study
  "$target/release/examples/analysis_study" "$study"
fi
verbatim="$target/release/verbatim"
out=bench/out/figures
mkdir -p "$out"
export VERBATIM_PROJECT="$study" VERBATIM_CODER=c1
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_it() { # label, command...
  local label=$1; shift
  local runs=()
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
    runs+=("$(python3 -c "print(round($t1 - $t0, 3))")")
  done
  printf '| %s | %s | %s |\n' "$label" "$(printf '%s\n' "${runs[@]}" | median)" "${runs[*]}"
}
{
  echo "| command (1,000 sources, 171,000 codings; coder c1: 50 codes, 57,000 codings) | median s | runs (s) |"
  echo "|---|---:|---|"
  time_it "figure tree (50 codes, participants per node)" "$verbatim" figure tree --out "$out/tree.svg"
  time_it "figure saturation (1,000 sources)" "$verbatim" figure saturation --out "$out/saturation.svg"
  time_it "figure triangulation (themes × sites, occupation, modes)" "$verbatim" figure triangulation --out "$out/triangulation.svg"
  time_it "figure alignment c1 × c2 (all 50 × 50 codes)" "$verbatim" figure alignment --with c2 --solo --out "$out/alignment.svg"
  time_it "translations export: quote selection, 3 per code (XLIFF)" "$verbatim" translations export --language en --out "$out/quotes.xlf"
  echo
  echo "- figure sizes: $(for f in tree saturation triangulation alignment; do printf '%s %s KB; ' $f $(( $(stat -c %s "$out/$f.svg") / 1024 )); done)"
  echo "- machine: $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- commit: $(git rev-parse --short HEAD); command: bash bench/figures.sh"
} | tee bench/out/figures.md
