#!/usr/bin/env bash
# Media benchmark: a one-hour recording beside a 1,000-turn transcript.
#
#   bash bench/media.sh               # release binary
#   BIN=target/debug/verbatim bash bench/media.sh
#
# Part 1 (curl): writes a one-hour WAV (8,000 Hz mono 16-bit: 3,600 × 16,000 = 57,600,000
# bytes of samples + a 44-byte header) and a transcript whose 1,000 turns
# start every 36 s, imports the transcript (which attaches the WAV beside
# it), then serves the study and times with curl: a 64 KiB range in the
# middle (what a seek asks for), the last 600,044 bytes, the whole file,
# and the reader page. Prints one line per request.
# Part 2 (headless Chromium, the ignored test `media::media_performance`,
# served by the same binary): the reader painted with its 1,000 turns and
# the player, a seek of the player to the 59th minute until `seeked`, and a
# 64 KiB range request there. Needs chromium and chromedriver; SKIP_BROWSER=1
# skips it.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH")"
OUT="$BENCH/out/media"
rm -rf "$OUT" && mkdir -p "$OUT"
cd "$REPO"
if [[ -z "${BIN:-}" ]]; then
  cargo build --release -p verbatim-cli >&2
  BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/verbatim"
fi
BIN="$(realpath "$BIN")"
cd "$OUT"
python3 - <<'PY'
import struct
rate, seconds = 8000, 3600
data_len = rate * seconds * 2
with open("hour.wav", "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 36 + data_len) + b"WAVEfmt ")
    f.write(struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16))
    f.write(b"data" + struct.pack("<I", data_len))
    second = bytes(rate * 2)
    for _ in range(seconds):
        f.write(second)
with open("hour.txt", "w") as f:
    for i in range(1000):
        s = i * 36
        who = "INT" if i % 2 == 0 else "CSI-2"
        f.write(f"[{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}] {who} : "
                f"Tour {i}, on parle de la confiance et du quotidien.\n")
PY
export VERBATIM_CODER=bench
"$BIN" init --project s.vbt --title "Media bench" --language fr >/dev/null
"$BIN" coder add bench --project s.vbt >/dev/null
/usr/bin/time -f "import + attach: %e s" "$BIN" import --project s.vbt hour.txt >/dev/null
"$BIN" media list --project s.vbt
"$BIN" serve --project s.vbt --addr 127.0.0.1:0 >serve.out 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
for _ in $(seq 50); do grep -q http serve.out && break; sleep 0.1; done
URL="$(grep -o 'http://[0-9.:]*' serve.out | head -1)"
time_get() { curl -s -o /dev/null -w "$1: %{http_code} %{size_download} B %{time_total} s\n" "${@:2}"; }
time_get "seek (64 KiB mid-file)" -H "Range: bytes=28800044-28865579" "$URL/media/1"
# The 59th minute: 44 + 3,540 s x 16,000 B/s = 56,640,044.
time_get "seek (64 KiB at the 59th minute)" -H "Range: bytes=56640044-56705579" "$URL/media/1"
time_get "tail (bytes=57000000-)" -H "Range: bytes=57000000-" "$URL/media/1"
time_get "whole file" "$URL/media/1"
time_get "reader page (1,000 turns)" "$URL/sources/1"
kill $SERVER
trap - EXIT
if [[ -z "${SKIP_BROWSER:-}" ]]; then
  cd "$REPO"
  VERBATIM_REQUIRE_BROWSER=1 VERBATIM_BENCH_BIN="$BIN" cargo test -p verbatim-cli --test integration \
    media::media_performance -- --ignored --nocapture 2>&1 | grep '^media_performance:'
fi
