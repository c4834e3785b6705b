#!/usr/bin/env bash
# Import benchmark: how long `verbatim import` takes on 10, 100 and 1000
# generated French interview transcripts, from .txt and from .docx.
#
#   bash bench/import.sh            # all tiers, both formats, 3 runs each
#   RUNS=5 TIERS="10 100" FORMATS=txt bash bench/import.sh
#
# Builds the release binary once, generates the corpus with
# bench/make_corpus.py if it is missing, then for every tier and format
# imports the tier's folder into a fresh study (on the real disk, under
# bench/out/studies/) RUNS times under GNU time. Reports the median wall
# time, the peak RSS over the runs, ms per document and MB/s, as a Markdown
# table on stdout and in bench/out/import.md. Fails loudly when an import
# does not report N imported and 0 failed -- except a .docx tier while the
# .docx reader is not built yet, which is recorded as "not available".
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH")"
OUT="$BENCH/out"
STUDIES="$OUT/studies"
RUNS="${RUNS:-3}"
TIERS="${TIERS:-10 100 1000}"
FORMATS="${FORMATS:-txt docx}"
INVOCATION="bash bench/import.sh"
[[ "$RUNS$TIERS$FORMATS" != "310 100 1000txt docx" ]] &&
  INVOCATION="RUNS=$RUNS TIERS=\"$TIERS\" FORMATS=\"$FORMATS\" bash bench/import.sh"

log() { echo "import.sh: $*" >&2; }
die() { echo "import.sh: error: $*" >&2; exit 1; }

cd "$REPO"

# --- tools ------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  log "GNU time missing, installing it"
  apt-get install -y time >&2 || die "cannot install GNU time (apt-get install -y time)"
fi

log "building the release binary"
cargo build --release -p verbatim-cli >&2
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$TARGET_DIR/release/verbatim"
[[ -x "$BIN" ]] || die "no binary at $BIN"

if [[ ! -f "$OUT/corpus/manifest.json" || ! -d "$OUT/tiers/1000/docx" ]]; then
  log "corpus missing, generating it"
  python3 "$BENCH/make_corpus.py" >&2
fi

mkdir -p "$STUDIES"

# --- machine ------------------------------------------------------------------
NPROC="$(nproc)"
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)"
[[ -n "$CPU" ]] || CPU="$(uname -m)"
MEM="$(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo)"
DISK="$(df -T "$STUDIES" | awk 'NR==2 {print $1" ("$2")"}')"
DEV="$(df "$STUDIES" | awk 'NR==2 {print $1}')"
ROT=""
if [[ -b "$DEV" ]]; then
  base="$(basename "$(readlink -f "$DEV")")"
  for cand in "/sys/class/block/$base/queue/rotational" "/sys/class/block/$base/../queue/rotational"; do
    [[ -r "$cand" ]] && { [[ "$(cat "$cand")" == 1 ]] && ROT=", reported rotational" || ROT=", reported non-rotational"; break; }
  done
fi
FSTYPE="$(df -T "$STUDIES" | awk 'NR==2 {print $2}')"
case "$FSTYPE" in tmpfs|ramfs) die "studies folder $STUDIES is on $FSTYPE, not a real disk";; esac
COMMIT="$(git rev-parse --short=12 HEAD)$(git diff --quiet HEAD -- . ':!bench/out' 2>/dev/null || echo ' (+ uncommitted changes)')"
RUSTC="$(rustc --version 2>/dev/null || echo unknown)"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

# bytes of transcript text per tier (the .txt files) and of the .docx files
tier_bytes() { # tier format
  python3 - "$OUT/tiers/$1/$2" <<'EOF'
import os, sys
d = sys.argv[1]
print(sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)))
EOF
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

ROWS=()
NOTES=()

for n in $TIERS; do
  for fmt in $FORMATS; do
    dir="$OUT/tiers/$n/$fmt"
    [[ -d "$dir" ]] || die "missing tier folder $dir (run python3 bench/make_corpus.py)"
    files=$(find "$dir" -name "*.$fmt" | wc -l)
    [[ "$files" -eq "$n" ]] || die "$dir holds $files files, expected $n"
    text_bytes=$(tier_bytes "$n" txt)
    in_bytes=$(tier_bytes "$n" "$fmt")
    words=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(sum(d['words'] for d in m['documents'][:int(sys.argv[2])]))" "$OUT/corpus/manifest.json" "$n")
    times=()
    cpus=()
    rss=()
    unavailable=""
    study_bytes=0
    for r in $(seq 1 "$RUNS"); do
      run="$STUDIES/t${n}_${fmt}_r${r}"
      rm -rf "$run"
      mkdir -p "$run"
      study="$run/study.vbt"
      "$BIN" init --project "$study" --title "bench $n $fmt" --language fr >"$run/init.out" 2>&1 ||
        die "init failed: $(cat "$run/init.out")"
      sync
      log "tier $n $fmt run $r"
      set +e
      /usr/bin/time -f '%e %M %U %S' -o "$run/time" \
        "$BIN" import --project "$study" --kind interview --language fr "$dir" \
        >"$run/stdout" 2>"$run/stderr"
      rc=$?
      set -e
      summary="$(tail -n1 "$run/stdout")"
      if [[ ! "$summary" =~ ^([0-9]+)\ imported,\ ([0-9]+)\ skipped\ as\ duplicates,\ ([0-9]+)\ not\ supported,\ ([0-9]+)\ failed\.$ ]]; then
        die "tier $n $fmt run $r: unexpected import output (exit $rc): $(tail -n3 "$run/stdout") $(tail -n3 "$run/stderr")"
      fi
      imported=${BASH_REMATCH[1]}
      failed=${BASH_REMATCH[4]}
      if [[ "$fmt" == docx && "$imported" -eq 0 && "$failed" -eq "$n" ]] &&
        grep -q "reader not built yet" "$run/stderr"; then
        unavailable="reader not built yet at this commit"
        log "tier $n docx: not available ($unavailable)"
        break
      fi
      [[ "$rc" -eq 0 && "$imported" -eq "$n" && "$failed" -eq 0 ]] ||
        die "tier $n $fmt run $r: expected $n imported and 0 failed, got '$summary' (exit $rc); see $run/stderr"
      # the study must hold the n sources (checked outside the timing)
      stored=$("$BIN" sources --project "$study" --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
      [[ "$stored" -eq "$n" ]] || die "tier $n $fmt run $r: study holds $stored sources, expected $n"
      read -r secs kb usr sys_s <"$run/time" || die "no timing in $run/time"
      times+=("$secs")
      cpus+=("$(awk -v u="$usr" -v s="$sys_s" 'BEGIN {print u+s}')")
      rss+=("$kb")
      study_bytes=$(( $(stat -c %s "$study") + $( [[ -f "$study-wal" ]] && stat -c %s "$study-wal" || echo 0) ))
    done
    mb_text=$(awk -v b="$text_bytes" 'BEGIN {printf "%.1f", b/1e6}')
    mb_in=$(awk -v b="$in_bytes" 'BEGIN {printf "%.1f", b/1e6}')
    if [[ -n "$unavailable" ]]; then
      ROWS+=("$(echo "| $n | $fmt | $words | $mb_in | not available | | | | | | |" |
        sed -E ':a; s/\| ([0-9]+)([0-9]{3})\b/| \1,\2/; ta')")
      NOTES+=("$fmt tier $n: $unavailable")
      continue
    fi
    med=$(printf '%s\n' "${times[@]}" | median)
    cpu=$(printf '%s\n' "${cpus[@]}" | median)
    peak_kb=$(printf '%s\n' "${rss[@]}" | sort -g | tail -n1)
    all=$(IFS=/; echo "${times[*]}")
    ROWS+=("$(awk -v n="$n" -v f="$fmt" -v w="$words" -v mi="$mb_in" -v s="$med" -v all="$all" \
      -v kb="$peak_kb" -v cpu="$cpu" -v tb="$text_bytes" -v sb="$study_bytes" 'BEGIN {
        printf "| %d | %s | %s | %s | %.2f | %s | %.2f | %.1f | %.1f | %.0f | %.0f |",
          n, f, w, mi, s, all, cpu, s*1000/n, (s > 0 ? tb/1e6/s : 0), kb/1024, sb/1e6 }' |
      sed -E ':a; s/\| ([0-9]+)([0-9]{3})\b/| \1,\2/; ta')")
  done
done

LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

report() {
  echo "### Import ($(date -u +%Y-%m-%d))"
  echo
  echo "| docs | format | words | input MB | median wall s | runs wall (s) | median CPU s | ms / doc | text MB/s | peak RSS MB | study MB |"
  echo "|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "- command: \`$INVOCATION\` (each run: \`verbatim import --project STUDY.vbt --kind interview --language fr bench/out/tiers/N/FORMAT\`, fresh study, under \`/usr/bin/time -f '%e %M %U %S'\`; $RUNS runs; median wall time; CPU = user + sys, median; ms / doc and MB/s from the median wall time; peak RSS over the runs; study MB = .vbt + WAL after the last run)"
  echo "- text MB/s: UTF-8 transcript text (the .txt bytes) per second, for both formats; input MB: size of the files imported"
  echo "- machine: $NPROC CPU ($CPU), $MEM RAM; study folder on $DISK$ROT; load average $LOAD_START at start, $LOAD_END at end (other builds may share the machine)"
  echo "- verbatim commit: $COMMIT; $RUSTC; release build"
  for note in "${NOTES[@]+"${NOTES[@]}"}"; do echo "- $note"; done
}

report | tee "$OUT/import.md"
