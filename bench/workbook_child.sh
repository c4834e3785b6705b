#!/usr/bin/env bash
# A small roster read in the child-process workbook reader against reading
# it on a thread: the cost per workbook of starting `verbatim
# internal-extract workbook`.
#
#   bash bench/workbook_child.sh                 # release build
#   RUNS=5 BIN=target/debug/verbatim bash bench/workbook_child.sh
#
# Writes a 12-participant roster (code, service, age, profession, years in
# the job, consent date) as .ods and .xlsx to bench/out/workbook/, then,
# RUNS times each way under GNU time, copies a fresh study and runs
# `participants import` on it: default (calamine in a child process) and
# VERBATIM_READ_IN_PROCESS=1 (calamine on a thread, as before).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH")"
RUNS="${RUNS:-5}"
OUT="$BENCH/out/workbook"
cd "$REPO"
if [[ -z "${BIN:-}" ]]; then
  cargo build --release -p verbatim-cli >&2
  BIN="${CARGO_TARGET_DIR:-target}/release/verbatim"
fi
rm -rf "$OUT" && mkdir -p "$OUT"
python3 - "$OUT" <<'PY'
import sys, zipfile
out = sys.argv[1]
header = ["code", "service", "age", "profession", "annees", "consentement"]
jobs = ["infirmière", "médecin", "aide-soignant", "psychologue"]
rows = [[f"P{k:02}", "CH" if k % 2 else "CSAPA", 25 + 3 * k, jobs[k % 4], k % 9 + 1,
         f"2024-03-{k + 1:02}"] for k in range(12)]
def ods_cell(v):
    if isinstance(v, int):
        return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
body = "".join("<table:table-row>" + "".join(map(ods_cell, r)) + "</table:table-row>"
               for r in [header] + rows)
content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
           'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
           '<office:body><office:spreadsheet><table:table table:name="Participants">'
           + body + '</table:table></office:spreadsheet></office:body></office:document-content>')
with zipfile.ZipFile(f"{out}/roster.ods", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    z.writestr("content.xml", content)
def col(i): return "ABCDEFGHIJ"[i]
def xl_cell(r, i, v):
    ref = f"{col(i)}{r}"
    if isinstance(v, int):
        return f'<c r="{ref}"><v>{v}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         + "".join(f'<row r="{r}">' + "".join(xl_cell(r, i, v) for i, v in enumerate(row)) + "</row>"
                   for r, row in enumerate([header] + rows, start=1))
         + "</sheetData></worksheet>")
parts = {
 "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
 "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
 "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Participants" sheetId="1" r:id="rId1"/></sheets></workbook>',
 "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
 "xl/worksheets/sheet1.xml": sheet,
}
with zipfile.ZipFile(f"{out}/roster.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    for name, text in parts.items():
        z.writestr(name, text)
PY
"$BIN" init --project "$OUT/base.vbt" --language fr >/dev/null
echo "| workbook | reader | run | wall ms | CPU ms (user+sys) | peak RSS MB |"
echo "|---|---|---:|---:|---:|---:|"
for ext in ods xlsx; do
  for mode in child thread; do
    for run in $(seq 1 "$RUNS"); do
      study="$OUT/run.vbt"; rm -f "$study"*; cp "$OUT/base.vbt" "$study"
      env=(); [[ $mode == thread ]] && env=(VERBATIM_READ_IN_PROCESS=1)
      t=$( { env "${env[@]}" /usr/bin/time -f '%e %U %S %M' "$BIN" participants import \
            --project "$study" "$OUT/roster.$ext" >/dev/null; } 2>&1 | tail -1)
      read -r wall user sys rss <<<"$t"
      awk -v e="$ext" -v m="$mode" -v r="$run" -v w="$wall" -v u="$user" -v s="$sys" -v k="$rss" \
        'BEGIN { printf "| %s | %s | %d | %.0f | %.0f | %d |\n", e, m, r, 1000 * w, 1000 * (u + s), k / 1024 }'
    done
  done
done
