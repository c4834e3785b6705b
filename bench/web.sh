#!/usr/bin/env bash
# Web interface benchmark: the reader on a generated 20,000-word transcript
# with 1,000 codings in headless Chromium (DOM ready, highlights and stripes
# painted, from the performance marks reader.js sets), and the round trip of
# coding a passage from the page (performance.now around the fetch).
#
#   bash bench/web.sh              # release build
#   PROFILE=dev bash bench/web.sh  # debug build (slower server)
#
# Needs chromium and chromedriver (Debian: chromium chromium-driver).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PROFILE="${PROFILE:-release}"
flag=()
if [ "$PROFILE" = release ]; then flag=(--release); fi
VERBATIM_REQUIRE_BROWSER=1 cargo test "${flag[@]}" -p verbatim-cli --test integration \
  browser::web_performance -- --ignored --nocapture 2>&1 | grep -A6 '^web_performance:'
# Team mode (serve --team): login, and the coding round trip with a session.
cargo test "${flag[@]}" -p verbatim-cli --test integration \
  team_server::team_web_performance -- --ignored --nocapture 2>&1 | grep -A3 '^team_web_performance:'
# Team mode in Chromium: the reader painted and a coding from the page,
# logged in through the form.
VERBATIM_REQUIRE_BROWSER=1 cargo test "${flag[@]}" -p verbatim-cli --test integration \
  team_server::team_reader_performance -- --ignored --nocapture 2>&1 | grep -A2 '^team_reader_performance:'
