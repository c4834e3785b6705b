#!/usr/bin/env python3
"""Build the import-benchmark corpus under bench/out/ (git-ignored).

Standard library only. Steps:

1. Runs ../shared/bench/gen_corpus.py (relative to the repository root) with
   --out bench/out/corpus --docs 1000: txt/, html/, codebook.json,
   highlights.jsonl, queries.json, manifest.json.
2. Writes a .docx copy of every transcript to bench/out/corpus/docx/: a
   minimal valid OOXML package ([Content_Types].xml, _rels/.rels,
   word/document.xml, docProps/core.xml), one w:p per paragraph of the .txt,
   text XML-escaped in xml:space="preserve" runs; a leading speaker label
   ("LABEL:" or "LABEL :") becomes its own bold run. Bytes are deterministic
   (fixed zip timestamps and member order, fixed core.xml dates).
3. Lays out size tiers bench/out/tiers/{10,100,1000}/{txt,docx}/ as folders
   of symlinks to the first N documents (document i does not depend on N,
   so the first N of the 1000 are exactly the N-document corpus).
4. Prints words and MB per tier, and checks that queries.json and
   highlights.jsonl are present (counts written to bench/out/workloads.json).

Usage (from anywhere):  python3 bench/make_corpus.py [--docs 1000] [--force]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from xml.sax.saxutils import escape

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
OUT = os.path.join(BENCH, "out")
CORPUS = os.path.join(OUT, "corpus")
TIERS_DIR = os.path.join(OUT, "tiers")
GEN = os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py"))
TIERS = (10, 100, 1000)

# A speaker label at the start of a paragraph: "INT:", "P07 :", "Mme B. :".
LABEL = re.compile(r"^([A-Za-zÀ-ÿ0-9][\w .\-'’]{0,30}?)(\s?:)(\s)")

ZIP_DATE = (2024, 1, 1, 0, 0, 0)

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)

RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)

DOC_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
DOC_TAIL = (
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
    '<w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417" w:header="708" w:footer="708" w:gutter="0"/>'
    "</w:sectPr></w:body></w:document>"
)


def core_xml(title):
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:language>fr-FR</dc:language>"
        "<dc:creator>verbatim bench</dc:creator>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>"
    )


def run(text, bold=False):
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def paragraph(line):
    m = LABEL.match(line)
    if m:
        label = m.group(1) + m.group(2)
        return "<w:p>" + run(label, bold=True) + run(line[len(label):]) + "</w:p>"
    return "<w:p>" + run(line) + "</w:p>"


def document_xml(txt):
    paras = txt.rstrip("\n").split("\n\n")
    return DOC_HEAD + "".join(paragraph(p) for p in paras) + DOC_TAIL


def write_docx(path, title, txt):
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("word/document.xml", document_xml(txt)),
        ("docProps/core.xml", core_xml(title)),
    ]
    tmp = path + ".part"
    with zipfile.ZipFile(tmp, "w") as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            z.writestr(info, data.encode("utf-8"), compresslevel=6)
    os.replace(tmp, path)


def generate(docs, force):
    manifest = os.path.join(CORPUS, "manifest.json")
    if os.path.exists(manifest) and not force:
        with open(manifest, encoding="utf-8") as f:
            if json.load(f).get("docs") == docs:
                print(f"corpus already present: {CORPUS}", file=sys.stderr)
                return
    if not os.path.exists(GEN):
        sys.exit(f"error: generator not found at {GEN}")
    print(f"generating {docs} documents with {GEN} ...", file=sys.stderr)
    subprocess.run([sys.executable, GEN, "--out", CORPUS, "--docs", str(docs)], check=True,
                   stdout=sys.stderr)


def make_docx(names, force):
    os.makedirs(os.path.join(CORPUS, "docx"), exist_ok=True)
    made = 0
    for name in names:
        dst = os.path.join(CORPUS, "docx", name + ".docx")
        if os.path.exists(dst) and not force:
            continue
        with open(os.path.join(CORPUS, "txt", name + ".txt"), encoding="utf-8") as f:
            txt = f.read()
        write_docx(dst, name, txt)
        made += 1
    print(f"docx: {made} written, {len(names) - made} already present", file=sys.stderr)


def make_tiers(names, docs_meta):
    rows = []
    for n in TIERS:
        if n > len(names):
            continue
        for fmt in ("txt", "docx"):
            d = os.path.join(TIERS_DIR, str(n), fmt)
            if os.path.isdir(d):
                shutil.rmtree(d)
            os.makedirs(d)
            for name in names[:n]:
                os.symlink(os.path.join(CORPUS, fmt, f"{name}.{fmt}"), os.path.join(d, f"{name}.{fmt}"))
        words = sum(m["words"] for m in docs_meta[:n])
        txt_bytes = sum(m["bytes"] for m in docs_meta[:n])
        docx_bytes = sum(os.path.getsize(os.path.join(CORPUS, "docx", nm + ".docx")) for nm in names[:n])
        rows.append({"docs": n, "words": words, "txt_bytes": txt_bytes, "docx_bytes": docx_bytes})
    return rows


def check_workloads():
    with open(os.path.join(CORPUS, "queries.json"), encoding="utf-8") as f:
        queries = json.load(f)
    with open(os.path.join(CORPUS, "highlights.jsonl"), encoding="utf-8") as f:
        highlights = [json.loads(l) for l in f if l.strip()]
    with open(os.path.join(CORPUS, "codebook.json"), encoding="utf-8") as f:
        codebook = json.load(f)
    # every planned highlight's text must sit at its code-point offsets
    bad = 0
    cache = {}
    for h in highlights:
        if h["doc"] not in cache:
            with open(os.path.join(CORPUS, "txt", h["doc"] + ".txt"), encoding="utf-8") as f:
                cache = {h["doc"]: f.read()}
        if cache[h["doc"]][h["cp_start"]:h["cp_end"]] != h["text"]:
            bad += 1
    summary = {
        "queries": len(queries),
        "queries_detail": {q["id"]: q["expected_total"] for q in queries},
        "highlights": len(highlights),
        "highlights_docs": len({h["doc"] for h in highlights}),
        "highlights_bad_offsets": bad,
        "codes": len(codebook),
    }
    with open(os.path.join(OUT, "workloads.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=1)
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--force", action="store_true", help="regenerate even if present")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    generate(args.docs, args.force)
    with open(os.path.join(CORPUS, "manifest.json"), encoding="utf-8") as f:
        docs_meta = json.load(f)["documents"]
    names = [m["name"] for m in docs_meta]
    make_docx(names, args.force)
    rows = make_tiers(names, docs_meta)
    print("| tier (docs) | words | .txt MB | .docx MB |")
    print("|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['docs']} | {r['words']:,} | {r['txt_bytes'] / 1e6:.1f} | {r['docx_bytes'] / 1e6:.1f} |")
    with open(os.path.join(OUT, "tiers.json"), "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=1)
    w = check_workloads()
    print(f"\nworkloads: {w['queries']} queries in queries.json "
          f"({', '.join(f'{k}={v}' for k, v in w['queries_detail'].items())}); "
          f"{w['highlights']} planned highlights over {w['highlights_docs']} documents "
          f"({w['highlights_bad_offsets']} with bad offsets); {w['codes']} codes")


if __name__ == "__main__":
    main()
