#!/usr/bin/env bash
# Times the team's analysis with a consensus layer on 3 coders × 1,000
# sources of 30,000 chars × 50 codes each (about 171,000 coded passages,
# the study of bench/analysis.sh): building the consensus by three-coder
# merges of the five themes, agreement paired through those merges at theme
# level, saturation per coder and on the consensus, and the report written
# from the consensus. Writes a Markdown table to stdout and to
# bench/out/team.md. Run from the repository root: bash bench/team.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out/studies
cargo build --release -q -p verbatim-cli
cargo build --release -q -p verbatim-store --example analysis_study
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
verbatim="$TARGET_DIR/release/verbatim"
study=bench/out/studies/team.vbt
"$TARGET_DIR/release/examples/analysis_study" "$study" > /dev/null
export VERBATIM_PROJECT="$study" VERBATIM_CODER=c1
"$verbatim" reveal > /dev/null
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() { python3 -c "print(round($2 - $1, 3))"; }
time_it() { # label, command...
  local label=$1; shift
  local runs=()
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
    runs+=("$(secs "$t0" "$t1")")
  done
  printf '| %s | %s | %s |\n' "$label" "$(printf '%s\n' "${runs[@]}" | median)" "${runs[*]}"
}
{
  echo "| team analysis (3 coders × 1,000 sources × 50 codes, 171,000 codings) | median s | runs (s) |"
  echo "|---|---:|---|"
  merges=()
  for t in 0 1 2 3 4; do
    t0=$(date +%s.%N)
    "$verbatim" reconcile merge --code "c1:c1 theme $t" --code "c2:c2 theme $t" \
      --code "c3:c3 theme $t" --name "Theme $t" --note "same theme" > /dev/null
    t1=$(date +%s.%N)
    merges+=("$(secs "$t0" "$t1")")
  done
  printf '| %s | %s | %s |\n' "reconcile merge of one theme across 3 coders (its 9 ideas rolled up, ~34,000 passages → union)" \
    "$(printf '%s\n' "${merges[@]}" | median)" "${merges[*]}"
  time_it "agreement, 3 coders, paired through the merges, theme level" \
    "$verbatim" agreement --coders c1,c2,c3 --level theme --json
  time_it "saturation, 3 coders over their own sources, overall and per site" \
    "$verbatim" saturation --coders c1,c2,c3 --all --by-site --json
  time_it "saturation on the consensus (team curve), per site" \
    "$verbatim" saturation --shared --by-site --json
  time_it "report from the consensus, HTML" \
    "$verbatim" report --shared --format html --out bench/out/team-report.html
  echo
  echo "- machine: $(nproc) CPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- commit: $(git rev-parse --short HEAD); command: bash bench/team.sh"
} | tee bench/out/team.md
