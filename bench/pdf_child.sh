#!/usr/bin/env bash
# PDF import with the child-process extractor against reading on a thread:
# the cost per PDF of starting `verbatim internal-extract pdf` for each file.
#
#   bash bench/pdf_child.sh                      # 1,000 PDFs, release build
#   N=200 BIN=target/debug/verbatim bash bench/pdf_child.sh
#
# Writes N one-page PDFs (a synthetic French interview turn each, all
# different) to bench/out/pdf/, then imports the folder into a fresh study
# RUNS times each way under GNU time: default (child process per PDF) and
# VERBATIM_READ_IN_PROCESS=1 (extraction on a thread, as before).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH")"
N="${N:-1000}"
RUNS="${RUNS:-3}"
OUT="$BENCH/out/pdf"
cd "$REPO"
if [[ -z "${BIN:-}" ]]; then
  cargo build --release -p verbatim-cli >&2
  BIN="${CARGO_TARGET_DIR:-target}/release/verbatim"
fi
rm -rf "$OUT" && mkdir -p "$OUT/files"
python3 - "$OUT/files" "$N" <<'PY'
import sys
out, n = sys.argv[1], int(sys.argv[2])
for k in range(n):
    lines = [f"INT : Entretien {k}, comment se passe le suivi ?",
             f"P{k % 90 + 10} : Je fais confiance a l'equipe depuis {k % 12 + 1} mois.",
             "INT : Et la relation avec les soignants ?",
             f"P{k % 90 + 10} : Elle a change, surtout apres la visite {k}."]
    ops = ["BT /F1 11 Tf 72 760 Td"] + [f"({l}) Tj 0 -14 Td" for l in lines] + ["ET"]
    content = "\n".join(ops)
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            f"<< /Length {len(content) + 1} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    data = b"%PDF-1.4\n"; offsets = []
    for i, body in enumerate(objs):
        offsets.append(len(data)); data += f"{i + 1} 0 obj\n{body}\nendobj\n".encode()
    xref = len(data)
    data += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for o in offsets: data += f"{o:010} 00000 n \n".encode()
    data += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    open(f"{out}/entretien-{k:04}.pdf", "wb").write(data)
PY
echo "| extractor | run | wall s | CPU s (user+sys) | ms / PDF (wall) | peak RSS MB |"
echo "|---|---:|---:|---:|---:|---:|"
for mode in child thread; do
  for run in $(seq 1 "$RUNS"); do
    study="$OUT/s-$mode-$run.vbt"; rm -f "$study"*
    "$BIN" init --project "$study" --language fr >/dev/null
    env=(); [[ $mode == thread ]] && env=(VERBATIM_READ_IN_PROCESS=1)
    t=$( { env "${env[@]}" /usr/bin/time -f '%e %U %S %M' "$BIN" import --project "$study" \
          --kind interview --language fr "$OUT/files" >/dev/null; } 2>&1 | tail -1)
    read -r wall user sys rss <<<"$t"
    n=$("$BIN" sources --project "$study" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    [[ $n == "$N" ]] || { echo "expected $N sources, found $n" >&2; exit 1; }
    awk -v m="$mode" -v r="$run" -v w="$wall" -v u="$user" -v s="$sys" -v k="$rss" -v n="$N" \
      'BEGIN { printf "| %s | %d | %.2f | %.2f | %.1f | %d |\n", m, r, w, u + s, 1000 * w / n, k / 1024 }'
  done
done
