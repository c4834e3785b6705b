#!/usr/bin/env bash
# Times the study-level analyses on 3 coders × 1,000 sources of 30,000 chars
# × 50 codes each (about 170,000 coded passages): saturation (per coder and
# per site) and triangulation. Writes a Markdown table to stdout and to
# bench/out/analysis.md. Run from the repository root: bash bench/analysis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out/studies
cargo build --release -q -p verbatim-cli
cargo build --release -q -p verbatim-store --example analysis_study
study=bench/out/studies/analysis.vbt
./target/release/examples/analysis_study "$study"
verbatim=./target/release/verbatim
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
  echo "| analysis (3 coders × 1,000 sources × 50 codes, 171,000 codings) | median s | runs (s) |"
  echo "|---|---:|---|"
  time_it "saturation, 3 coders, overall and per site" "$verbatim" saturation --coders c1,c2,c3 --all --solo --by-site --json
  time_it "saturation, one coder, ideas rolled up to themes" "$verbatim" saturation --level theme --json
  time_it "triangulation, one coder (themes × sites × modes)" "$verbatim" triangulation --json
  time_it "IPA cross-case table, one coder" "$verbatim" ipa-table --json
  echo
  echo "- machine: $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- commit: $(git rev-parse --short HEAD); command: bash bench/analysis.sh"
} | tee bench/out/analysis.md
