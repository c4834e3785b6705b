#!/usr/bin/env bash
# SQLite and PostgreSQL side by side, in one run (issue 17): the same
# operations on a study file and on a PostgreSQL study, with release
# binaries, printed as one table (operation | SQLite | PostgreSQL | ratio)
# with the load average beside each figure.
#
#   bash bench/backends.sh
#
# Needs PostgreSQL's server (Debian: postgresql, run as root or postgres)
# and python3. The script builds what it runs, makes the corpus if missing
# (bench/make_corpus.py), starts a private server with .ci/pg-server (its
# own data folder and port VERBATIM_PG_PORT, default 55447) and stops it at
# the end. Studies and logs go to bench/out/backends/; the table also to
# bench/out/backends/table.md. It measures:
#
#  1. import of 100 and 1,000 transcripts (.txt), each run into a new study;
#  2. one coding through the library (example coding_latency: p50 / p95 of
#     RUNS_CODING codings) and through HTTP (`verbatim serve`, p50 / p95 of
#     RUNS_HTTP posts on the 100-transcript study);
#  3. on the 1,000-transcript study seeded with 100,000 codings by 3 coders
#     (example seed_codings, through the Codings trait on each backend):
#     a coding query and a matrix, whole commands, and
#  4. `verbatim agreement` on those 3 coders × 1,000 sources;
#  5. a load run: CLIENTS clients for LOAD_SECONDS s coding over loopback
#     against one server on a study file, then against one server on a
#     PostgreSQL study, then against two servers on another sharing the
#     connections one server opens (pool=TWO_SERVER_POOL each, default 4:
#     8 in all, as one server's default pool), then against two servers
#     with the default pool each (16 in all); each run on a fresh copy of
#     the 100-transcript study, checking that every acknowledged coding is
#     stored once; the median of LOAD_ROUNDS rounds goes to the table
#     (codings/s: there the ratio is PostgreSQL's rate ÷ SQLite's). Each run
#     also prints the CPU time per acknowledged coding of the servers, of
#     PostgreSQL's processes and of the clients, and how idle the machine
#     was (/proc).
#
# RUNS (default 3) whole-process runs per figure, median shown; RUNS_IMPORT_1000
# (default RUNS) for the largest import. LOAD_SECONDS (60), CLIENTS (20),
# LOAD_ROUNDS (1) rounds of the three load runs taking turns; ONLY_LOAD=1
# runs the load alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS="${RUNS:-3}"
RUNS_IMPORT_1000="${RUNS_IMPORT_1000:-$RUNS}"
RUNS_CODING="${RUNS_CODING:-300}"
RUNS_HTTP="${RUNS_HTTP:-300}"
LOAD_SECONDS="${LOAD_SECONDS:-60}"
LOAD_ROUNDS="${LOAD_ROUNDS:-1}"
TWO_SERVER_POOL="${TWO_SERVER_POOL:-4}"
CLIENTS="${CLIENTS:-20}"
export VERBATIM_PG_PORT="${VERBATIM_PG_PORT:-55447}"

cargo build --release -p verbatim-cli
cargo build --release -p verbatim-store-pg --example coding_latency --example seed_codings
target="${CARGO_TARGET_DIR:-target}/release"
bin="$target/verbatim"
out=bench/out/backends
rm -rf "$out" && mkdir -p "$out"
[[ -d bench/out/tiers/1000/txt ]] || python3 bench/make_corpus.py

# A private PostgreSQL server, stopped (with any web server) on exit.
VERBATIM_PG_DIR="$(mktemp -d /tmp/verbatim-bench-pg.XXXX)"
export VERBATIM_PG_DIR
server="$(.ci/pg-server start)"
servers=()
finish() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  .ci/pg-server stop
  rm -rf "$VERBATIM_PG_DIR"
}
trap finish EXIT
pg() { echo "$server?study=$1"; }
drop() { psql -q "$server" -c "DROP SCHEMA IF EXISTS $1 CASCADE" >/dev/null 2>&1; }

# Figures: fig[OPERATION|BACKEND] is the shown figure, load[…] the load
# average (1 min) when it was taken; ops keeps the table's order.
declare -A fig load
ops=()
note() {
  [[ " ${ops[*]} " == *" $1 "* ]] || ops+=("$1")
  fig["$1|$2"]="$3"
  load["$1|$2"]="$(cut -d' ' -f1 /proc/loadavg)"
  echo "  $1 on $2: $3 (load ${load["$1|$2"]})"
}
# Milliseconds one run of the command takes, its output to $out/last.log.
wall_ms() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >"$out/last.log" 2>&1 || { cat "$out/last.log" >&2; return 1; }
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}
# The median of whole numbers, formatted in seconds with 2 decimals, and the runs.
median_s() {
  local sorted
  sorted=$(printf '%s\n' "$@" | sort -n)
  local mid
  mid=$(echo "$sorted" | sed -n "$((($# + 1) / 2))p")
  printf '%s s (runs %s ms)' "$(awk -v m="$mid" 'BEGIN { printf "%.2f", m / 1000 }')" "$(echo "$*" | tr ' ' /)"
}
# Runs `PREPARE` (untimed) then the command, RUNS times; notes the median.
timed() {
  local op=$1 backend=$2 runs=$3 prepare=$4
  shift 4
  local ms=()
  for _ in $(seq "$runs"); do
    eval "$prepare"
    ms+=("$(wall_ms "$@")")
  done
  note "$op" "$backend" "$(median_s "${ms[@]}")"
}

# ONLY_LOAD=1 runs the load (5.) alone.
if [[ -z "${ONLY_LOAD:-}" ]]; then
echo "== 1. import (.txt), $RUNS runs each"
for n in 100 1000; do
  runs=$RUNS
  [[ $n == 1000 ]] && runs=$RUNS_IMPORT_1000
  file="$out/s$n.vbt"
  timed "import $n transcripts" SQLite "$runs" \
    "rm -f $file $file-wal $file-shm; $bin init --project $file --language fr >/dev/null" \
    "$bin" import --project "$file" --kind interview --language fr "bench/out/tiers/$n/txt"
  timed "import $n transcripts" PostgreSQL "$runs" \
    "drop s$n; $bin init --project '$(pg "s$n")' --language fr >/dev/null" \
    "$bin" import --project "$(pg "s$n")" --kind interview --language fr "bench/out/tiers/$n/txt"
done

echo "== 2. one coding through the library ($RUNS_CODING codings, each its own action)"
RUNS=$RUNS_CODING VERBATIM_TEST_PG="$server" VERBATIM_REQUIRE_PG=1 \
  "$target/examples/coding_latency" | tee "$out/coding_latency.log"
for backend in SQLite PostgreSQL; do
  line=$(grep "^$backend:" "$out/coding_latency.log")
  note "one coding, library (p50 / p95)" "$backend" \
    "$(sed -E 's/.*median ([0-9.]+) ms.*p95 ([0-9.]+) ms/\1 \/ \2 ms/' <<<"$line")"
done

fi

# Starts `verbatim serve` on a study for coder bench and sets `url` to its
# address; fails (the server's log in $out/serve-NAME.log) when it does not
# start. Not run in a subshell, so that `servers` keeps its process id.
serve() {
  local study=$1 name=$2
  url=""
  "$bin" serve --project "$study" --coder bench --addr 127.0.0.1:0 >"$out/serve-$name.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 100); do
    url=$(grep -soE 'http://127\.0\.0\.1:[0-9]+' "$out/serve-$name.log" | head -1 || true)
    [[ -n "$url" ]] && return 0
    kill -0 "${servers[-1]}" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
stop_servers() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  servers=()
}

if [[ -z "${ONLY_LOAD:-}" ]]; then
echo "== 2b. one coding through HTTP ($RUNS_HTTP posts, one client)"
for backend in SQLite PostgreSQL; do
  study="$out/s100.vbt"
  [[ $backend == PostgreSQL ]] && study="$(pg s100)"
  "$bin" coder add --project "$study" bench >/dev/null
  if serve "$study" "latency-$backend"; then
    line=$(python3 bench/backends_http.py latency "$url" "$RUNS_HTTP")
    echo "  $line"
    note "one coding, HTTP (p50 / p95)" "$backend" \
      "$(sed -E 's/.*p50 ([0-9.]+) ms, p95 ([0-9.]+) ms/\1 \/ \2 ms/' <<<"$line")"
  else
    echo "  TODO: HTTP on $backend: \`verbatim serve\` did not start: $(tail -1 "$out/serve-latency-$backend.log")"
    note "one coding, HTTP (p50 / p95)" "$backend" "TODO"
  fi
done
stop_servers

echo "== 3. 100,000 codings by 3 coders on the 1,000-transcript study"
for backend in SQLite PostgreSQL; do
  study="$out/s1000.vbt"
  [[ $backend == PostgreSQL ]] && study="$(pg s1000)"
  "$target/examples/seed_codings" "$study" | sed "s/^/  $backend: /"
  "$bin" reveal --project "$study" --coder ana >/dev/null
done
query='Confiance1 AND Soin2 OR Travail3 NOT Famille4'
q_op="coding query, 100,000 codings"
m_op="matrix 50 ideas × 3 coders, 100,000 codings"
a_op="agreement, 3 coders × 1,000 sources"
same() {
  if [[ "${fig["$3|PostgreSQL"]:-}" == TODO || "${fig["$3|SQLite"]:-}" == TODO ]]; then
    echo "not compared (TODO above)"
  elif cmp -s "$1" "$2"; then echo same; else echo DIFFERENT; fi
}
for backend in SQLite PostgreSQL; do
  study="$out/s1000.vbt"
  [[ $backend == PostgreSQL ]] && study="$(pg s1000)"
  timed "$q_op" "$backend" "$RUNS" : \
    "$bin" query --project "$study" --coder ana --all "$query" --json
  cp "$out/last.log" "$out/query-$backend.json"
  if "$bin" matrix --project "$study" --coder ana --all --level idea --by coder --json \
    >"$out/matrix-$backend.json" 2>&1; then
    timed "$m_op" "$backend" "$RUNS" : \
      "$bin" matrix --project "$study" --coder ana --all --level idea --by coder --json
  else
    echo "  TODO: matrix on $backend: $(tail -1 "$out/matrix-$backend.json")"
    note "$m_op" "$backend" "TODO"
  fi
  timed "$a_op" "$backend" "$RUNS" : \
    "$bin" agreement --project "$study" --coder ana --json
  cp "$out/last.log" "$out/agreement-$backend.json"
done
echo "  query answers on both backends: $(same "$out"/query-{SQLite,PostgreSQL}.json "$q_op")"
echo "  matrix answers on both backends: $(same "$out"/matrix-{SQLite,PostgreSQL}.json "$m_op")"
echo "  agreement answers on both backends: $(same "$out"/agreement-{SQLite,PostgreSQL}.json "$a_op")"
fi

echo "== 5. load: $CLIENTS clients for $LOAD_SECONDS s, $LOAD_ROUNDS round(s)"
# Every run starts from its own copy of the 100-transcript study as
# imported (runs on a study that earlier runs filled would not compare).
"$bin" init --project "$out/pristine.vbt" --language fr >/dev/null
"$bin" import --project "$out/pristine.vbt" --kind interview --language fr bench/out/tiers/100/txt >/dev/null
# Sets `study` to a new copy NAME of the pristine study on BACKEND, with coder bench.
fresh() {
  if [[ $2 == SQLite ]]; then
    study="$out/$1.vbt"
    rm -f "$study" "$study-wal" "$study-shm"
  else
    study="$(pg "$1")"
    drop "$1"
  fi
  "$bin" copy "$out/pristine.vbt" "$study" >/dev/null
  "$bin" coder add --project "$study" bench >/dev/null
}
# CPU time (clock ticks, user + system) of the processes PIDS.
ticks_of() {
  local sum=0 pid
  for pid in "$@"; do
    sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
# PostgreSQL's processes: the postmaster and its children (the backends).
pg_pids() {
  local postmaster
  postmaster=$(head -1 "$VERBATIM_PG_DIR/data/postmaster.pid")
  echo "$postmaster" $(pgrep -P "$postmaster" || true)
}
# The machine's idle ticks, all cores.
idle_ticks() { awk '/^cpu / { print $5 + $6 }' /proc/stat; }
# Runs the clients against SERVERS servers on a fresh study on BACKEND
# (its address followed by SUFFIX, e.g. &pool=4); appends the acknowledged
# codings/s to rate[CONFIG].
declare -A rate
load_run() {
  local config=$1 backend=$2 servers_wanted=$3 name=$4 suffix=${5:-} urls=""
  fresh "$name" "$backend"
  for k in $(seq "$servers_wanted"); do
    if ! serve "$study$suffix" "$name-$k"; then
      echo "  TODO: $config: \`verbatim serve\` did not start: $(tail -1 "$out/serve-$name-$k.log")"
      stop_servers
      return 0
    fi
    urls="${urls:+$urls,}$url"
  done
  echo "  $config, load $(cut -d' ' -f1 /proc/loadavg) at the start:"
  # The clients' CPU is their own (`time`); the servers' and PostgreSQL's
  # is read before and after, and so is the machine's idle time. The load
  # log's last line is the check; it is kept before the CPU line.
  local hz s0 p0 i0 t0 clients_s
  hz=$(getconf CLK_TCK)
  s0=$(ticks_of "${servers[@]}") p0=0 i0=$(idle_ticks) t0=$(date +%s%N)
  [[ $backend == PostgreSQL ]] && p0=$(ticks_of $(pg_pids))
  clients_s=$( { TIMEFORMAT='%U %S'; time python3 bench/backends_http.py load "$urls" "$CLIENTS" \
    "$LOAD_SECONDS" "$bin" "$study" bench >"$out/$name.log"; } 2>&1 | awk '{ print $1 + $2 }')
  local s1 p1=0 i1 t1
  s1=$(ticks_of "${servers[@]}") i1=$(idle_ticks) t1=$(date +%s%N)
  [[ $backend == PostgreSQL ]] && p1=$(ticks_of $(pg_pids))
  sed 's/^/    /' "$out/$name.log"
  local n
  n=$(grep -oE '\(([0-9]+) in all\)' "$out/$name.log" | tr -dc 0-9)
  awk -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v c="$clients_s" -v i=$((i1 - i0)) \
    -v hz="$hz" -v n="${n:-0}" -v wall=$(((t1 - t0) / 1000000)) -v cores="$(nproc)" 'BEGIN {
      if (n == 0) exit
      printf "    CPU per acknowledged coding: servers %.2f ms, PostgreSQL %.2f ms, clients %.2f ms; machine idle %.0f%%\n",
        1000 * s / hz / n, 1000 * p / hz / n, 1000 * c / n, 100 * (i / hz) / (wall / 1000 * cores) }'
  echo "    (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
  rate["$config"]+="$(grep -oE '[0-9]+ acknowledged codings/s' "$out/$name.log" | cut -d' ' -f1) "
  stop_servers
}
# The configurations take turns, so that what else runs on the machine
# weighs on each alike.
for round in $(seq "$LOAD_ROUNDS"); do
  load_run "SQLite, one server" SQLite 1 "load_sqlite_$round"
  load_run "PostgreSQL, one server" PostgreSQL 1 "load_pg_one_$round"
  load_run "PostgreSQL, two servers" PostgreSQL 2 "load_pg_two_$round" "&pool=$TWO_SERVER_POOL"
  load_run "PostgreSQL, two servers, default pools" PostgreSQL 2 "load_pg_two_full_$round"
done
# The median of the rounds' rates, and the rounds.
median_rate() {
  local sorted
  sorted=$(printf '%s\n' $1 | sort -n)
  printf '%s/s (rounds %s)' "$(echo "$sorted" | sed -n "$((($(wc -w <<<"$1") + 1) / 2))p")" "$(echo $1 | tr ' ' /)"
}
load_op="codings/s, $CLIENTS clients over HTTP, ${LOAD_SECONDS} s"
note "$load_op, one server" SQLite "$(median_rate "${rate["SQLite, one server"]:-0}")"
note "$load_op, one server" PostgreSQL "$(median_rate "${rate["PostgreSQL, one server"]:-0}")"
note "$load_op, two PostgreSQL servers" SQLite "$(median_rate "${rate["SQLite, one server"]:-0}") (one server)"
note "$load_op, two PostgreSQL servers" PostgreSQL "$(median_rate "${rate["PostgreSQL, two servers"]:-0}") (pool=$TWO_SERVER_POOL each)"
note "$load_op, two PostgreSQL servers, default pools" SQLite "$(median_rate "${rate["SQLite, one server"]:-0}") (one server)"
note "$load_op, two PostgreSQL servers, default pools" PostgreSQL "$(median_rate "${rate["PostgreSQL, two servers, default pools"]:-0}")"

{
  echo
  echo "| operation | SQLite | PostgreSQL | ratio |"
  echo "|---|---|---|---:|"
  for op in "${ops[@]}"; do
    a="${fig["$op|SQLite"]:-}" b="${fig["$op|PostgreSQL"]:-}"
    x=$(grep -oE '^[0-9.]+' <<<"$a" || true) y=$(grep -oE '^[0-9.]+' <<<"$b" || true)
    ratio=""
    [[ -n "$x" && -n "$y" ]] && ratio=$(awk -v x="$x" -v y="$y" 'BEGIN { if (x > 0) printf "%.1f×", y / x }')
    echo "| $op | $a, load ${load["$op|SQLite"]:-} | $b, load ${load["$op|PostgreSQL"]:-} | $ratio |"
  done
} | tee "$out/table.md"
