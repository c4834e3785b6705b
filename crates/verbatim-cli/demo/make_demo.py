#!/usr/bin/env python3
"""Build the bundled demo study of `verbatim demo`.

Reads the transcript texts in ``text/`` (UTF-8, one file per source, paragraphs
separated by blank lines) and writes the sources in their delivery formats
into ``sources/`` plus ``manifest.json``. Python 3 standard library only.

The output is deterministic: running the script twice gives the same bytes
(fixed zip timestamps and permissions, sorted iteration, no clock reads).

Conventions in ``text/*.txt``:
  * a paragraph ``LABEL : speech`` or ``LABEL: speech`` is a speaker turn
    (LABEL is a participant code or an interviewer label);
  * in .docx sources, ``⟦`` and ``⟧`` delimit the passage that carries the
    Word comment declared in SOURCES below;
  * French texts are written with plain spaces and straight apostrophes; the
    script applies French typography (’ apostrophes, non-breaking spaces
    inside « guillemets » and before ? and !).

Usage: python3 make_demo.py   (from any directory)
"""

import json
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
TEXT = HERE / "text"
OUT = HERE / "sources"

NBSP = "\u00a0"
ZIP_DATE = (2024, 1, 1, 0, 0, 0)

# Collection order (by date). "label_re" is not needed: labels live in the texts.
SOURCES = [
    dict(file="CA-observation-1.txt", kind="observation", site="CA", language="en",
         date="2024-01-15", title="Field observation notes, Harbour Lane drop-in (three half-days, 15-18 January 2024)"),
    dict(file="CH-contexte-CHC-1.odt", kind="context", site="CH", language="fr",
         date="2024-01-24", title="Entretien de contexte avec la cadre de santé du service d’addictologie",
         author="Claire Morvan", time="10:30:00"),
    dict(file="CH-entretien-CHI-1.txt", kind="interview", site="CH", language="fr",
         date="2024-02-05", title="Entretien individuel CHI-1, infirmier, service d’addictologie"),
    dict(file="CH-focus-group-1.docx", kind="focus_group", site="CH", language="fr",
         date="2024-02-13", title="Focus group n° 1 — équipe soignante du service d’addictologie",
         author="Claire Morvan", time="14:00:00",
         table=[("Date", "13 février 2024"), ("Lieu", "Centre hospitalier de Valmont, salle de réunion du 3e étage"),
                ("Durée", "1 h 12 min"), ("Participants", "CHFG-A, CHFG-B, CHFG-C, CHFG-D, CHFG-E"),
                ("Animation", "INT (Claire Morvan), observatrice : Inès Haddad")],
         comment=dict(author="Inès Haddad", initials="IH", date="2024-02-20T09:15:00Z",
                      text="Passage clé : le contrôle vécu comme une protection de l'équipe plus que du patient. "
                           "À rapprocher de CHI-1 (fouilles des sacs) et du focus group CS.")),
    dict(file="CS-entretien-CSI-1.rtf", kind="interview", site="CS", language="fr",
         date="2024-02-27", title="Entretien individuel CSI-1, médecin addictologue, CSAPA Les Tilleuls",
         author="Claire Morvan"),
    dict(file="CS-entretien-CSI-2.txt", kind="interview", site="CS", language="fr",
         date="2024-03-06", title="Entretien individuel CSI-2, éducatrice spécialisée, CSAPA Les Tilleuls"),
    dict(file="CS-focus-group-1.docx", kind="focus_group", site="CS", language="fr",
         date="2024-03-12", title="Focus group n° 2 — équipe pluridisciplinaire du CSAPA Les Tilleuls",
         author="Inès Haddad", time="13:30:00",
         table=[("Date", "12 mars 2024"), ("Lieu", "CSAPA Les Tilleuls, salle de groupe"),
                ("Durée", "1 h 05 min"), ("Participants", "CSFG-A, CSFG-B, CSFG-C, CSFG-D, CSFG-E, CSFG-F"),
                ("Animation", "INT (Inès Haddad)")]),
    dict(file="CS-entretien-CSI-3.txt", kind="interview", site="CS", language="fr",
         date="2024-03-20", title="Entretien individuel CSI-3, infirmière, CSAPA Les Tilleuls",
         encoding="cp1252"),
    dict(file="CA-interview-CAI-1.vtt", kind="interview", site="CA", language="en",
         date="2024-04-03", title="Interview CAI-1, outreach worker, Harbour Lane drop-in"),
    dict(file="CA-focus-group-1.srt", kind="focus_group", site="CA", language="en",
         date="2024-04-10", title="Focus group 3 — Harbour Lane drop-in team"),
    dict(file="CA-interview-CAI-2.docx", kind="interview", site="CA", language="en",
         date="2024-04-17", title="Interview CAI-2, peer support worker, Harbour Lane drop-in",
         author="Sam Okafor", time="11:00:00",
         table=[("Date", "17 April 2024"), ("Place", "Harbour Lane drop-in, back office"),
                ("Duration", "48 min"), ("Interviewer", "Researcher (Sam Okafor)")]),
    dict(file="CA-interview-CAI-3.vtt", kind="interview", site="CA", language="en",
         date="2024-04-24", title="Interview CAI-3, nurse, Harbour Lane drop-in"),
    dict(file="CH-entretien-CHI-2.txt", kind="interview", site="CH", language="fr",
         date="2024-05-07", title="Entretien individuel CHI-2, psychologue, service d’addictologie"),
]

TURN = re.compile(r"^(INT|Chercheuse|Researcher|[A-Z]{2,4}(?:FG)?-[A-Z0-9]+)( ?:)\s?(.*)$", re.S)


# ---------------------------------------------------------------- text helpers

def french_typography(text):
    text = text.replace("'", "\u2019")
    text = re.sub(r"« +", "«" + NBSP, text)
    text = re.sub(r" +»", NBSP + "»", text)
    text = re.sub(r" +([?!])", NBSP + r"\1", text)
    return text


def english_typography(text):
    return text.replace("'", "\u2019")


def load(src):
    raw = (TEXT / (Path(src["file"]).stem + ".txt")).read_text(encoding="utf-8")
    raw = raw.replace("\r\n", "\n").strip("\n") + "\n"
    return raw


def paragraphs(text):
    return [" ".join(p.split("\n")).strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def split_turn(par):
    m = TURN.match(par)
    if not m:
        return None, par
    return m.group(1) + m.group(2), m.group(3)


# ---------------------------------------------------------------- zip helper

def write_zip(path, members):
    """members: list of (name, bytes, compress). Written in the given order."""
    with zipfile.ZipFile(path, "w") as z:
        for name, data, compress in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            z.writestr(info, data)


# ---------------------------------------------------------------- docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w_run(text, bold=False):
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def docx_paragraph(par, has_comment):
    label, speech = split_turn(par)
    runs = []
    if label:
        runs.append(w_run(label, bold=True))
        speech = " " + speech
    if has_comment and "⟦" in speech:
        before, rest = speech.split("⟦", 1)
        inside, after = rest.split("⟧", 1)
        runs.append(w_run(before))
        runs.append('<w:commentRangeStart w:id="0"/>')
        runs.append(w_run(inside))
        runs.append('<w:commentRangeEnd w:id="0"/>')
        runs.append('<w:r><w:commentReference w:id="0"/></w:r>')
        runs.append(w_run(after))
    else:
        runs.append(w_run(speech))
    return "<w:p>" + "".join(r for r in runs if r != w_run("")) + "</w:p>"


def build_docx(src, text, path):
    typo = french_typography if src["language"] == "fr" else english_typography
    pars = paragraphs(text)
    comment = src.get("comment")
    body = []
    title, pars = pars[0], pars[1:]
    body.append('<w:p><w:pPr><w:jc w:val="center"/></w:pPr>' + w_run(title, bold=True) + "</w:p>")
    rows = []
    for k, v in src["table"]:
        rows.append("<w:tr>"
                    f'<w:tc><w:tcPr><w:tcW w:w="2400" w:type="dxa"/></w:tcPr><w:p>{w_run(k, bold=True)}</w:p></w:tc>'
                    f'<w:tc><w:tcPr><w:tcW w:w="6600" w:type="dxa"/></w:tcPr><w:p>{w_run(v)}</w:p></w:tc>'
                    "</w:tr>")
    borders = "".join(f'<w:{b} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                      for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
    body.append('<w:tbl><w:tblPr><w:tblW w:w="9000" w:type="dxa"/>'
                f"<w:tblBorders>{borders}</w:tblBorders></w:tblPr>"
                '<w:tblGrid><w:gridCol w:w="2400"/><w:gridCol w:w="6600"/></w:tblGrid>'
                + "".join(rows) + "</w:tbl>")
    body.append("<w:p/>")
    for p in pars:
        body.append(docx_paragraph(p, comment is not None))
    body.append('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
                '<w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417" '
                'w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>')
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<w:document xmlns:w="{W_NS}"><w:body>' + "".join(body) + "</w:body></w:document>")

    ct_comment = ('<Override PartName="/word/comments.xml" ContentType="application/'
                  'vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/>') if comment else ""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        + ct_comment +
        '<Override PartName="/docProps/core.xml" ContentType="application/'
        'vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>")
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        "</Relationships>")
    doc_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + ('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           'relationships/comments" Target="comments.xml"/>' if comment else "")
        + "</Relationships>")
    created = f"{src['date']}T{src['time']}Z"
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(src['title'])}</dc:title>"
        f"<dc:creator>{escape(src['author'])}</dc:creator>"
        f"<cp:lastModifiedBy>{escape(src['author'])}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified>'
        f"<dc:language>{src['language']}</dc:language>"
        "</cp:coreProperties>")
    members = [("[Content_Types].xml", content_types), ("_rels/.rels", rels),
               ("word/document.xml", document), ("word/_rels/document.xml.rels", doc_rels)]
    if comment:
        comments = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:comments xmlns:w="{W_NS}">'
            f'<w:comment w:id="0" w:author="{escape(comment["author"])}" w:date="{comment["date"]}" '
            f'w:initials="{comment["initials"]}"><w:p>{w_run(typo(comment["text"]))}</w:p></w:comment>'
            "</w:comments>")
        members.append(("word/comments.xml", comments))
    members.append(("docProps/core.xml", core))
    write_zip(path, [(n, d.encode("utf-8"), True) for n, d in members])


# ---------------------------------------------------------------- odt

def build_odt(src, text, path):
    pars = paragraphs(text)
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')
    out = []
    for i, p in enumerate(pars):
        label, speech = split_turn(p)
        if i == 0:
            out.append(f'<text:h text:outline-level="1">{escape(p)}</text:h>')
        elif label:
            out.append(f'<text:p text:style-name="Standard"><text:span text:style-name="T1">{escape(label)}'
                       f"</text:span> {escape(speech)}</text:p>")
        else:
            out.append(f'<text:p text:style-name="Standard">{escape(p)}</text:p>')
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<office:document-content {ns} office:version="1.3">'
               '<office:automatic-styles>'
               '<style:style style:name="T1" style:family="text">'
               '<style:text-properties fo:font-weight="bold"/></style:style>'
               '</office:automatic-styles>'
               '<office:body><office:text>' + "".join(out) + '</office:text></office:body>'
               '</office:document-content>')
    styles = ('<?xml version="1.0" encoding="UTF-8"?>\n'
              f'<office:document-styles {ns} office:version="1.3"><office:styles>'
              '<style:style style:name="Standard" style:family="paragraph">'
              '<style:paragraph-properties fo:margin-bottom="0.2cm"/></style:style>'
              '</office:styles></office:document-styles>')
    created = f"{src['date']}T{src['time']}"
    meta = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<office:document-meta {ns} office:version="1.3"><office:meta>'
            f"<dc:title>{escape(src['title'])}</dc:title>"
            f"<meta:initial-creator>{escape(src['author'])}</meta:initial-creator>"
            f"<dc:creator>{escape(src['author'])}</dc:creator>"
            f"<meta:creation-date>{created}</meta:creation-date>"
            f"<dc:date>{created}</dc:date>"
            f"<dc:language>{src['language']}</dc:language>"
            "</office:meta></office:document-meta>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" manifest:version="1.3" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    write_zip(path, [("mimetype", b"application/vnd.oasis.opendocument.text", False),
                     ("META-INF/manifest.xml", manifest.encode("utf-8"), True),
                     ("content.xml", content.encode("utf-8"), True),
                     ("styles.xml", styles.encode("utf-8"), True),
                     ("meta.xml", meta.encode("utf-8"), True)])


# ---------------------------------------------------------------- rtf

def rtf_escape(s):
    out = []
    for ch in s:
        o = ord(ch)
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ch == NBSP:
            out.append("\\~")
        elif ch == "\u2019":
            out.append("\\u8217?")
        elif o < 128:
            out.append(ch)
        else:
            try:
                b = ch.encode("cp1252")
                out.append("\\'%02x" % b[0])
            except UnicodeEncodeError:
                out.append("\\u%d?" % (o if o < 32768 else o - 65536))
    return "".join(out)


def build_rtf(src, text, path):
    y, m, d = (int(x) for x in src["date"].split("-"))
    pars = paragraphs(text)
    lines = ["{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1",
             "{\\fonttbl{\\f0\\froman\\fcharset0 Times New Roman;}}",
             "{\\info{\\title " + rtf_escape(src["title"]) + "}{\\author " + rtf_escape(src["author"])
             + "}{\\creatim\\yr%d\\mo%d\\dy%d\\hr9\\min0}}" % (y, m, d),
             "\\paperw11906\\paperh16838\\margl1417\\margr1417\\margt1417\\margb1417",
             "\\pard\\plain\\f0\\fs24"]
    for i, p in enumerate(pars):
        label, speech = split_turn(p)
        if i == 0:
            lines.append("{\\b\\fs28 " + rtf_escape(p) + "}\\par")
        elif label:
            lines.append("{\\b " + rtf_escape(label) + "} " + rtf_escape(speech) + "\\par")
        else:
            lines.append(rtf_escape(p) + "\\par")
    lines.append("}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii"))


# ---------------------------------------------------------------- vtt / srt

WORDS_PER_SEC = 2.6
MAX_WORDS = 16


def chunk_speech(speech):
    """Split a turn into cue-sized pieces: long sentences are cut (after a
    comma when possible), then pieces are packed greedily up to MAX_WORDS."""
    pieces = []
    for s in re.split(r"(?<=[.?!])\s+", speech):
        words = s.split()
        while len(words) > MAX_WORDS:
            cut = next((i for i in range(MAX_WORDS, 4, -1) if words[i - 1].endswith(",")), MAX_WORDS)
            pieces.append(words[:cut])
            words = words[cut:]
        if words:
            pieces.append(words)
    packed = []
    for p in pieces:
        if packed and len(packed[-1]) + len(p) <= MAX_WORDS:
            packed[-1] = packed[-1] + p
        else:
            packed.append(p)
    return [" ".join(p) for p in packed]


def cues(text, start):
    """Yield (start_ms, end_ms, speaker, text) from turns; non-turn paragraphs are NOTEs."""
    t = start
    for p in paragraphs(text):
        label, speech = split_turn(p)
        if not label and p.startswith("["):
            # a sound event ("[laughter]", "[pause]"): an unlabelled cue
            yield (t, t + 1500, None, p)
            t += 2100
            continue
        if not label:
            yield (None, None, None, p)
            continue
        name = label.rstrip(" :")
        for piece in chunk_speech(speech):
            n = len(piece.split())
            dur = max(900, int(n / WORDS_PER_SEC * 1000))
            yield (t, t + dur, name, piece)
            t += dur + 120
        t += 480


def ts(ms, sep):
    h, ms = divmod(ms, 3600000)
    m, ms = divmod(ms, 60000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def build_vtt(src, text, path):
    out = ["WEBVTT", ""]
    n = 0
    for a, b, who, piece in cues(text, 2400):
        if a is None:
            out += ["NOTE " + piece, ""]
            continue
        n += 1
        line = f"<v {who}>{piece}" if who else piece
        out += [f"{n}", f"{ts(a, '.')} --> {ts(b, '.')}", line, ""]
    path.write_bytes("\n".join(out).encode("utf-8"))


def wrap2(s, width=42):
    """Subtitle-style wrapping: one line if it fits, else two balanced lines."""
    if len(s) <= width:
        return [s]
    label_end = s.find(": ") + 1  # never leave a speaker label alone on its line
    spaces = [i for i, c in enumerate(s) if c == " " and i > label_end] or [s.index(" ")]
    cut = min(spaces, key=lambda i: abs(i - len(s) / 2))
    return [s[:cut], s[cut + 1:]]


def build_srt(src, text, path):
    out = []
    n = 0
    for a, b, who, piece in cues(text, 1800):
        if a is None:
            continue  # SRT has no comment syntax
        n += 1
        out += [str(n), f"{ts(a, ',')} --> {ts(b, ',')}"] + wrap2(f"{who}: {piece}" if who else piece) + [""]
    path.write_bytes("\r\n".join(out).encode("utf-8"))


# ---------------------------------------------------------------- main

def build_txt(src, text, path):
    enc = src.get("encoding", "utf-8")
    data = text.replace("\n", "\r\n") if enc == "cp1252" else text
    path.write_bytes(data.encode(enc))


BUILDERS = {".txt": build_txt, ".docx": build_docx, ".odt": build_odt,
            ".rtf": build_rtf, ".vtt": build_vtt, ".srt": build_srt}


def main():
    OUT.mkdir(exist_ok=True)
    for old in sorted(OUT.iterdir()):
        old.unlink()
    manifest = []
    for src in SOURCES:
        text = load(src)
        ext = Path(src["file"]).suffix
        if src["language"] == "fr":
            text = french_typography(text)
        elif ext in (".docx",):
            text = english_typography(text)
        BUILDERS[ext](src, text, OUT / src["file"])
        manifest.append({k: src[k] for k in ("file", "kind", "site", "language", "date", "title")})
    (HERE / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")


def check():
    """Validate the generated files (structure only); exit non-zero on failure."""
    import xml.dom.minidom
    problems = []
    for src in SOURCES:
        path = OUT / src["file"]
        data = path.read_bytes()
        ext = path.suffix
        if ext in (".docx", ".odt"):
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
                if ext == ".odt":
                    first = z.infolist()[0]
                    if first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED:
                        problems.append(f"{path.name}: mimetype is not the first stored member")
                for n in names:
                    if n.endswith(".xml") or n.endswith(".rels"):
                        try:
                            xml.dom.minidom.parseString(z.read(n))
                        except Exception as e:  # noqa: BLE001
                            problems.append(f"{path.name}:{n}: {e}")
        elif ext == ".rtf":
            depth = 0
            i = 0
            text = data.decode("ascii")
            while i < len(text):
                c = text[i]
                if c == "\\":
                    i += 2
                    continue
                depth += {"{": 1, "}": -1}.get(c, 0)
                if depth < 0:
                    problems.append(f"{path.name}: unbalanced braces at {i}")
                    break
                i += 1
            if depth != 0:
                problems.append(f"{path.name}: {depth} unclosed braces")
        elif ext == ".vtt":
            if not data.startswith(b"WEBVTT"):
                problems.append(f"{path.name}: does not start with WEBVTT")
        elif ext == ".txt" and src.get("encoding") == "cp1252":
            try:
                data.decode("utf-8")
                problems.append(f"{path.name}: windows-1252 file also decodes as UTF-8")
            except UnicodeDecodeError:
                pass
        else:
            data.decode("utf-8")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    import sys
    if "--check" in sys.argv:
        sys.exit(check())
    main()
