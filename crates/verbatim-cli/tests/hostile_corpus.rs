//! A hostile corpus, generated here, through the real binary.
//!
//! Every file a researcher may be sent, or an attacker may craft, that once
//! took a reader down or could: truncated and corrupted documents, zip
//! bombs, XML entity tricks, deep nesting, a huge single line, broken
//! encodings, NUL bytes, a 16,000-column roster, unbalanced quotes, a
//! project whose paths leave it, emoji and right-to-left text, an empty
//! file. No third-party file: each is built by the functions below.
//!
//! Each goes through the command a user would run (`import`,
//! `import-project`, `participants import`, `import codebook`) on a real
//! study, and the test checks what the user relies on:
//! - exit 0 and the file's content stored, or a non-zero exit whose
//!   message is one line naming the file;
//! - on refusal, the study unchanged (every table, audit log included);
//! - no secret file's content pulled in;
//! - the command's peak memory (its own or its PDF reader's, the larger)
//!   under [`PEAK_BOUND_KIB`], read from `/usr/bin/time -f %M`, which
//!   reports the largest resident set of the command and the children it
//!   waited for.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::common::{Workspace, docx_with, interview_lines, pdf_with_content, zip_with};

/// The peak resident memory any file of the corpus may make a command
/// use, in KiB: 512 MiB. The largest legitimate reads here are a zip
/// entry inflated up to its cap (256 MiB, for a document's XML and for a
/// REFI-QDA entry alike) and a 16 MiB line normalised; nothing may grow
/// with what a bomb would inflate to (about 1 GB for each bomb below).
const PEAK_BOUND_KIB: u64 = 512 * 1024;

/// What a case's command did.
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
    peak_kib: u64,
}

/// Runs `verbatim args` in the workspace under `/usr/bin/time`.
fn run_measured(ws: &Workspace, args: &[&str]) -> Outcome {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "/usr/bin/time is missing: install GNU time (the package `time`) to run the hostile corpus"
    );
    let report = ws.path("peak.txt");
    let out = Command::new(time)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(env!("CARGO_BIN_EXE_verbatim"))
        .args(args)
        .current_dir(ws.dir.path())
        .env_remove("VERBATIM_PROJECT")
        .env("VERBATIM_CODER", "tester")
        .output()
        .unwrap();
    let peak = std::fs::read_to_string(&report).unwrap();
    // A command that exits non-zero makes time write "Command exited
    // with non-zero status N" first; the figure is the last line.
    let peak_kib = peak
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("/usr/bin/time wrote no figure: {peak:?}"));
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        peak_kib,
    }
}

/// Which command reads a case's file.
#[derive(Clone, Copy, Debug)]
enum Via {
    Import,
    ImportProject,
    Roster,
    Codebook,
}

/// What the case must end in.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Imported,
    Refused,
}

struct Case {
    file: String,
    bytes: Vec<u8>,
    via: Via,
    expect: Expect,
}

fn case(file: &str, bytes: impl Into<Vec<u8>>, via: Via, expect: Expect) -> Case {
    Case {
        file: file.to_owned(),
        bytes: bytes.into(),
        via,
        expect,
    }
}

/// Content a case must never pull into the study (the XXE target).
const SECRET: &str = "SECRET-7f3a-do-not-import";

/// Runs every case, each on a fresh study, and returns the failures, one
/// line each, and a table of what each did.
fn run_cases(cases: &[Case]) -> (Vec<String>, String) {
    let mut failures = Vec::new();
    let mut table = String::new();
    for c in cases {
        let ws = Workspace::with_study();
        // `import codebook` writes into the acting coder's codebook.
        ws.run(&["coder", "add", "tester", "--project", "study.vbt"])
            .ok();
        ws.write(&c.file, &c.bytes);
        let before = ws.dump();
        let args: Vec<&str> = match c.via {
            Via::Import => vec!["import", "--project", "study.vbt", &c.file],
            Via::ImportProject => vec![
                "import-project",
                "--project",
                "study.vbt",
                "--as-coder",
                "guest",
                &c.file,
            ],
            Via::Roster => vec!["participants", "import", "--project", "study.vbt", &c.file],
            Via::Codebook => vec!["import", "codebook", "--project", "study.vbt", &c.file],
        };
        let out = run_measured(&ws, &args);
        let after = ws.dump();
        let mut fail = |why: String| failures.push(format!("{} ({:?}): {why}", c.file, c.via));
        // The refusal's sentence is the first line; a store refusal lists
        // the problems it found (each cell, each column) on the lines after.
        let message = out.stderr.trim().lines().next().unwrap_or("");
        let _ = writeln!(
            table,
            "{:<22} exit {} peak {:>7} KiB  {}",
            c.file,
            out.code,
            out.peak_kib,
            message.chars().take(150).collect::<String>()
        );
        if out.peak_kib > PEAK_BOUND_KIB {
            fail(format!(
                "peak memory {} KiB over the {PEAK_BOUND_KIB} KiB bound",
                out.peak_kib
            ));
        }
        if after.iter().any(|row| row.contains(SECRET)) {
            fail("the secret file's content is in the study".into());
        }
        match (c.expect, out.code) {
            (Expect::Imported, 0) => {
                if after.len() <= before.len() {
                    fail("exit 0 but nothing was stored".into());
                }
            }
            (Expect::Refused, code) if code != 0 && code != -1 => {
                if !message.contains(&c.file) || !message.starts_with("error: ") {
                    fail(format!(
                        "the refusal's first line does not name the file: {message:?}"
                    ));
                }
                if before != after {
                    fail("refused, but the study changed".into());
                }
            }
            (expect, code) => fail(format!(
                "expected {expect:?}, got exit {code}:\n{}\n{}",
                out.stdout, out.stderr
            )),
        }
    }
    (failures, table)
}

/// Runs `cases` and fails listing every case that misbehaved.
fn check(cases: Vec<Case>) {
    let (failures, table) = run_cases(&cases);
    println!("{table}");
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}\n\n{table}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---- building blocks ----

/// Returns a raw deflate stream (RFC 1951) inflating to `prefix` followed
/// by `258 * copies` copies of its last byte, built by hand: one
/// fixed-Huffman block of literals, then back-references of length 258 at
/// distance 1 (13 bits each). 4,200,000 copies: 1.08 GB from 6.8 MB.
fn deflate_bomb(prefix: &[u8], copies: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut n) = (0u64, 0u32);
    let mut bits = |value: u64, count: u32, out: &mut Vec<u8>| {
        acc |= value << n;
        n += count;
        while n >= 8 {
            out.push((acc & 0xff) as u8);
            acc >>= 8;
            n -= 8;
        }
    };
    // Huffman codes go most significant bit first.
    let code = |c: u64, len: u32| (0..len).fold(0, |r, i| r | (((c >> (len - 1 - i)) & 1) << i));
    bits(1, 1, &mut out); // BFINAL
    bits(1, 2, &mut out); // BTYPE = 01, fixed Huffman
    for &b in prefix {
        match b {
            0..=143 => bits(code(0x30 + u64::from(b), 8), 8, &mut out),
            _ => bits(code(0x190 + u64::from(b) - 144, 9), 9, &mut out),
        }
    }
    for _ in 0..copies {
        bits(code(0xC5, 8), 8, &mut out); // length 258 (symbol 285)
        bits(0, 5, &mut out); // distance 1 (code 0)
    }
    bits(0, 7, &mut out); // end of block (symbol 256)
    bits(0, 7, &mut out); // flush the last byte
    out
}

/// Bitwise CRC-32 (zip's), for the small stored entries of [`zip_raw`].
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One entry of a hand-built zip: stored bytes, or a deflate stream with
/// the size it declares (its CRC is left 0: a reader that inflates it all
/// before checking finds it wrong, which is after any cap should stop it).
enum Entry {
    Stored(Vec<u8>),
    Deflated { data: Vec<u8>, size: u32 },
}

/// Returns a zip archive of `entries`, written by hand so that an entry
/// can be a deflate bomb.
fn zip_raw(entries: Vec<(&str, Entry)>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    let count = entries.len() as u16;
    for (name, entry) in entries {
        let (method, crc, data, size) = match entry {
            Entry::Stored(d) => (0u16, crc32(&d), d.clone(), d.len() as u32),
            Entry::Deflated { data, size } => (8u16, 0, data, size),
        };
        let offset = out.len() as u32;
        le32(&mut out, 0x0403_4b50);
        for v in [20u16, 0, method, 0, 0x21] {
            le16(&mut out, v);
        }
        for v in [crc, data.len() as u32, size] {
            le32(&mut out, v);
        }
        le16(&mut out, name.len() as u16);
        le16(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data);
        le32(&mut central, 0x0201_4b50);
        for v in [20u16, 20, 0, method, 0, 0x21] {
            le16(&mut central, v);
        }
        for v in [crc, data.len() as u32, size] {
            le32(&mut central, v);
        }
        for v in [name.len() as u16, 0, 0, 0, 0] {
            le16(&mut central, v);
        }
        le32(&mut central, 0);
        le32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_at = out.len() as u32;
    let central_len = central.len() as u32;
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    for v in [0u16, 0, count, count] {
        le16(&mut out, v);
    }
    le32(&mut out, central_len);
    le32(&mut out, central_at);
    le16(&mut out, 0);
    out
}

/// Inflates to about 1 GB: 4,200,000 copies of 258 bytes.
const BOMB_COPIES: usize = 4_200_000;

fn bomb(prefix: &str) -> Entry {
    Entry::Deflated {
        data: deflate_bomb(prefix.as_bytes(), BOMB_COPIES),
        size: (prefix.len() + 258 * BOMB_COPIES) as u32,
    }
}

const W_NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
const DOCX_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#;
const DOCX_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// A .docx whose body is `body` (paragraph XML).
fn docx_body(prolog: &str, body: &str) -> Vec<u8> {
    docx_with(&format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document {W_NS}><w:body>{body}</w:body></w:document>"#
    ))
}

fn para(text: &str) -> String {
    format!(r#"<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
}

fn odt(body: &str) -> Vec<u8> {
    zip_with(&[
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        (
            "content.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
            ),
        ),
    ])
}

fn interview_odt() -> Vec<u8> {
    let body: String = interview_lines()
        .lines()
        .map(|l| format!("<text:p>{l}</text:p>"))
        .collect();
    odt(&body)
}

fn interview_rtf() -> Vec<u8> {
    let mut out = String::from("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}\n");
    for line in interview_lines().lines() {
        let escaped: String = line
            .chars()
            .map(|c| match c {
                c if c.is_ascii() => c.to_string(),
                c => format!("\\u{}?", c as u32 as i16),
            })
            .collect();
        out.push_str(&format!("{escaped}\\par\n"));
    }
    out.push('}');
    out.into_bytes()
}

fn interview_pdf() -> Vec<u8> {
    pdf_with_content(
        "BT /F1 12 Tf 72 720 Td (INT : Bonjour, comment allez-vous ?) Tj 0 -20 Td (P1 : Je fais confiance a l'equipe.) Tj ET",
    )
}

/// Returns `bytes` cut to `percent` of their length.
fn truncated(bytes: Vec<u8>, percent: usize) -> Vec<u8> {
    let keep = bytes.len() * percent / 100;
    bytes[..keep].to_vec()
}

/// Returns `bytes` with 64 bytes from the middle on overwritten.
fn corrupted(mut bytes: Vec<u8>) -> Vec<u8> {
    let mid = bytes.len() / 2;
    let end = (mid + 64).min(bytes.len());
    for (i, b) in bytes[mid..end].iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37) ^ 0xA5;
    }
    bytes
}

/// The classic billion laughs: ten entities each ten times the one below.
fn billion_laughs_doctype(root: &str) -> String {
    let mut d = format!("<!DOCTYPE {root} [<!ENTITY lol0 \"lol\">");
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        d.push_str(&format!("<!ENTITY lol{i} \"{refs}\">"));
    }
    d.push_str("]>");
    d
}

/// A DOCTYPE declaring `&xxe;` as the file `path`.
fn xxe_doctype(root: &str, path: &Path) -> String {
    format!(
        "<!DOCTYPE {root} [<!ENTITY xxe SYSTEM \"file://{}\">]>",
        path.display()
    )
}

// ---- transcripts: `verbatim import` ----

fn transcript_cases(secret: &Path) -> Vec<Case> {
    use Expect::{Imported, Refused};
    use Via::Import;
    let utf16 = |text: &str, bom: bool| {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        out
    };
    let deep_tables = format!(
        "{}{}{}",
        "<w:tbl><w:tr><w:tc>".repeat(20_000),
        para("au fond"),
        "</w:tc></w:tr></w:tbl>".repeat(20_000)
    );
    let emoji_rtl = "INT : Bonjour 👋🏽 !\nP1 : שלום, مرحبا \u{202e}txet esrever\u{202c} — c'est « la confiance » 😀.\n";
    let mut invalid_utf8 =
        b"INT : Bonjour.\nP1 : caf\xc3 cr\xe8me \xff\xfe br\xfbl\xe9e\n".to_vec();
    invalid_utf8.extend_from_slice(b"\xed\xa0\x80 surrogate\n");
    let mut bom_invalid = b"\xef\xbb\xbf".to_vec();
    bom_invalid.extend_from_slice(&invalid_utf8);
    let mut odd_utf16 = utf16("INT : Bonjour.\nP1 : \u{d7ff}x\n", true);
    odd_utf16.extend_from_slice(&[0x00, 0xD8, 0x41]); // a lone high surrogate, then half a unit
    let huge_line = "mot ".repeat(4 * 1024 * 1024); // 16 MiB, no line break
    vec![
        case("empty.txt", Vec::new(), Import, Refused),
        case(
            "nul.txt",
            b"INT : Bon\0jour.\nP1 : \0\0\0\n".to_vec(),
            Import,
            Refused,
        ),
        case("invalid-utf8.txt", invalid_utf8, Import, Imported),
        case("invalid-utf8-bom.txt", bom_invalid, Import, Imported),
        case(
            "utf16-bom.txt",
            utf16(&interview_lines(), true),
            Import,
            Imported,
        ),
        case(
            "utf16-no-bom.txt",
            utf16(&interview_lines(), false),
            Import,
            Imported,
        ),
        // The lone surrogate and the half unit become U+FFFD, as any
        // UTF-16 reader does; the rest of the text is kept.
        case("utf16-broken.txt", odd_utf16, Import, Imported),
        case("huge-line.txt", huge_line, Import, Imported),
        case("emoji-rtl.txt", emoji_rtl, Import, Imported),
        case(
            "emoji-rtl.docx",
            docx_body("", &para(emoji_rtl)),
            Import,
            Imported,
        ),
        case(
            "truncated.docx",
            truncated(crate::common::interview_docx(), 60),
            Import,
            Refused,
        ),
        case(
            "corrupted.docx",
            corrupted(crate::common::interview_docx()),
            Import,
            Refused,
        ),
        case(
            "not-a-zip.docx",
            interview_lines().into_bytes(),
            Import,
            Refused,
        ),
        case(
            "truncated.odt",
            truncated(interview_odt(), 60),
            Import,
            Refused,
        ),
        case("corrupted.odt", corrupted(interview_odt()), Import, Refused),
        case(
            "truncated.pdf",
            truncated(interview_pdf(), 50),
            Import,
            Refused,
        ),
        case("corrupted.pdf", corrupted(interview_pdf()), Import, Refused),
        case(
            "truncated.rtf",
            truncated(interview_rtf(), 50),
            Import,
            Imported,
        ),
        case(
            "corrupted.rtf",
            b"{\\rtf1 \\bin999999999 \x00\x01\x02}".to_vec(),
            Import,
            Refused,
        ),
        case(
            "bomb.docx",
            zip_raw(vec![
                ("[Content_Types].xml", Entry::Stored(DOCX_TYPES.into())),
                ("_rels/.rels", Entry::Stored(DOCX_RELS.into())),
                (
                    "word/document.xml",
                    bomb(&format!("<w:document {W_NS}><w:body><w:p><w:r><w:t>a")),
                ),
            ]),
            Import,
            Refused,
        ),
        case(
            "bomb.odt",
            zip_raw(vec![
                (
                    "mimetype",
                    Entry::Stored(b"application/vnd.oasis.opendocument.text".to_vec()),
                ),
                (
                    "content.xml",
                    bomb(
                        r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:p>a"#,
                    ),
                ),
            ]),
            Import,
            Refused,
        ),
        case(
            "billion-laughs.docx",
            docx_body(&billion_laughs_doctype("w:document"), &para("INT : &lol9;")),
            Import,
            Refused,
        ),
        case(
            "xxe.docx",
            docx_body(&xxe_doctype("w:document", secret), &para("INT : &xxe;")),
            Import,
            Refused,
        ),
        case(
            "deep-tables.docx",
            docx_body("", &deep_tables),
            Import,
            Imported,
        ),
        case(
            "deep-groups.rtf",
            format!(
                "{{\\rtf1 {}INT : au fond{}}}",
                "{".repeat(100_000),
                "}".repeat(100_000)
            ),
            Import,
            Refused,
        ),
        case(
            "deep-divs.html",
            format!(
                "<html><body>{}<p>INT : au fond</p>{}</body></html>",
                "<div>".repeat(100_000),
                "</div>".repeat(100_000)
            ),
            // Refused for nesting over 1,000 levels, before html5ever
            // spends minutes on it.
            Import,
            Refused,
        ),
        case(
            "billion-laughs.html",
            format!(
                "<?xml version=\"1.0\"?>{}<html><body><p>INT : &lol9;</p></body></html>",
                billion_laughs_doctype("html")
            ),
            Import,
            Imported,
        ),
    ]
}

#[test]
fn hostile_transcripts_are_imported_or_refused_cleanly() {
    let secret = std::env::temp_dir().join("verbatim-hostile-secret.txt");
    std::fs::write(&secret, SECRET).unwrap();
    check(transcript_cases(&secret));
}

// ---- projects: `verbatim import-project --as-coder guest` ----

/// A REFI-QDA project of one source with one coded passage; `source` is
/// the `TextSource`'s path attribute and `prolog` goes before the root.
fn qde(prolog: &str, source: &str, extra: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>{prolog}<Project xmlns="urn:QDA-XML:project:1.0" name="corpus" origin="verbatim test">
<Users><User guid="aaaaaaaa-0000-4000-8000-000000000001" name="guest"/></Users>
<CodeBook><Codes><Code guid="cccccccc-0000-4000-8000-000000000001" name="Confiance" isCodable="true">{extra}</Code></Codes></CodeBook>
<Sources><TextSource guid="dddddddd-0000-4000-8000-000000000001" name="entretien projet" {source}><PlainTextSelection guid="eeeeeeee-0000-4000-8000-000000000001" startPosition="0" endPosition="3"><Coding guid="99999999-0000-4000-8000-000000000001"><CodeRef targetGUID="cccccccc-0000-4000-8000-000000000001"/></Coding></PlainTextSelection></TextSource></Sources>
</Project>"#
    )
}

fn qdpx(qde: &str, text: &str) -> Vec<u8> {
    zip_with(&[
        ("project.qde", qde),
        ("sources/dddddddd-0000-4000-8000-000000000001.txt", text),
    ])
}

const INTERNAL: &str = r#"plainTextPath="internal://dddddddd-0000-4000-8000-000000000001.txt""#;

fn project_cases(secret: &Path) -> Vec<Case> {
    use Expect::{Imported, Refused};
    use Via::ImportProject;
    let text = interview_lines();
    let sound = qdpx(&qde("", INTERNAL, ""), &text);
    let deep_codes = format!(
        "{}{}",
        (0..100_000)
            .map(|i| format!(
                r#"<Code guid="cccccccc-0000-4000-8000-{i:012}" name="c{i}" isCodable="true">"#
            ))
            .collect::<String>(),
        "</Code>".repeat(100_000)
    );
    vec![
        case("sound.qdpx", sound.clone(), ImportProject, Imported),
        case("empty.qdpx", Vec::new(), ImportProject, Refused),
        case(
            "truncated.qdpx",
            truncated(sound.clone(), 70),
            ImportProject,
            Refused,
        ),
        case("corrupted.qdpx", corrupted(sound), ImportProject, Refused),
        case(
            "escape-relative.qdpx",
            qdpx(
                &qde(
                    "",
                    r#"plainTextPath="relative://../../../etc/hostname""#,
                    "",
                ),
                &text,
            ),
            ImportProject,
            Refused,
        ),
        case(
            "escape-absolute.qdpx",
            qdpx(
                &qde(
                    "",
                    &format!(r#"plainTextPath="absolute://{}""#, secret.display()),
                    "",
                ),
                &text,
            ),
            ImportProject,
            Refused,
        ),
        case(
            "escape-entry.qdpx",
            zip_with(&[
                ("project.qde", &qde("", INTERNAL, "")),
                ("../../evil.txt", "INT : dehors.\n"),
            ]),
            ImportProject,
            Refused,
        ),
        case(
            "bomb.qdpx",
            zip_raw(vec![(
                "project.qde",
                bomb(r#"<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Description>a"#),
            )]),
            ImportProject,
            Refused,
        ),
        case(
            "bomb-source.qdpx",
            zip_raw(vec![
                (
                    "project.qde",
                    Entry::Stored(qde("", INTERNAL, "").into_bytes()),
                ),
                (
                    "sources/dddddddd-0000-4000-8000-000000000001.txt",
                    bomb("INT : a"),
                ),
            ]),
            ImportProject,
            Refused,
        ),
        case(
            "billion-laughs.qde",
            qde(
                &billion_laughs_doctype("Project"),
                r#"><PlainTextContent>INT : &lol9;</PlainTextContent"#,
                "",
            ),
            ImportProject,
            Refused,
        ),
        case(
            "xxe.qde",
            qde(
                &xxe_doctype("Project", secret),
                r#"><PlainTextContent>INT : &xxe;</PlainTextContent"#,
                "",
            ),
            ImportProject,
            Refused,
        ),
        case(
            "deep-codes.qdpx",
            qdpx(&qde("", INTERNAL, &deep_codes), &text),
            ImportProject,
            Refused,
        ),
        case(
            "emoji-rtl.qdpx",
            qdpx(
                &qde("", INTERNAL, ""),
                "INT : 👋🏽 שלום\r\nP1 : مرحبا \u{202e}txet\u{202c} 😀\r\n",
            ),
            ImportProject,
            Imported,
        ),
    ]
}

#[test]
fn hostile_projects_are_imported_or_refused_cleanly() {
    let secret = std::env::temp_dir().join("verbatim-hostile-secret.txt");
    std::fs::write(&secret, SECRET).unwrap();
    check(project_cases(&secret));
}

// ---- rosters: `verbatim participants import` ----

fn xlsx(sheet: Entry) -> Vec<u8> {
    let types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let workbook_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    zip_raw(vec![
        ("[Content_Types].xml", Entry::Stored(types.into())),
        ("_rels/.rels", Entry::Stored(rels.into())),
        ("xl/workbook.xml", Entry::Stored(workbook.into())),
        (
            "xl/_rels/workbook.xml.rels",
            Entry::Stored(workbook_rels.into()),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

const SHEET_OPEN: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;

fn xlsx_rows(rows: &[&[&str]]) -> Vec<u8> {
    let mut xml = SHEET_OPEN.to_owned();
    for (r, row) in rows.iter().enumerate() {
        xml.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for cell in *row {
            xml.push_str(&format!(r#"<c t="inlineStr"><is><t>{cell}</t></is></c>"#));
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    xlsx(Entry::Stored(xml.into_bytes()))
}

/// A 600-byte workbook with one cell at A1 and one at XFD1048576: a grid
/// spanning both is 17 billion cells, which aborted the process (a
/// half-terabyte allocation) before workbooks were read cell by cell.
fn far_corner_xlsx() -> Vec<u8> {
    let xml = format!(
        r#"{SHEET_OPEN}<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#
    );
    xlsx(Entry::Stored(xml.into_bytes()))
}

fn roster_cases() -> Vec<Case> {
    use Expect::{Imported, Refused};
    use Via::Roster;
    let wide = |columns: usize| {
        let header: Vec<String> = std::iter::once("code".to_owned())
            .chain((1..columns).map(|i| format!("q{i}")))
            .collect();
        let row: Vec<String> = std::iter::once("P90".to_owned())
            .chain((1..columns).map(|i| format!("r{i}")))
            .collect();
        format!("{}\n{}\n", header.join(";"), row.join(";"))
    };
    let sound = xlsx_rows(&[&["code", "âge"], &["P01", "34"], &["P02", "41"]]);
    vec![
        case("wide-16000.csv", wide(16_000), Roster, Imported),
        case("wide-17000.csv", wide(17_000), Roster, Refused),
        case(
            "unbalanced.csv",
            "code;age\nP10;34\nP11;\"41\nP12;29\n",
            Roster,
            Refused,
        ),
        case("empty.csv", Vec::new(), Roster, Refused),
        // A value holding NUL is refused, as on PostgreSQL, which cannot
        // store it (`rules::storable`).
        case(
            "nul.csv",
            b"code;age\nP20;3\x004\n".to_vec(),
            Roster,
            Refused,
        ),
        case(
            "emoji-rtl.csv",
            "code;remarque\nP30;שלום 😀 \u{202e}txet\u{202c}\n",
            Roster,
            Imported,
        ),
        case(
            "utf16-bom.csv",
            {
                let mut out = vec![0xFF, 0xFE];
                out.extend("code;age\nP40;52\n".encode_utf16().flat_map(u16::to_le_bytes));
                out
            },
            Roster,
            Imported,
        ),
        case("sound.xlsx", sound.clone(), Roster, Imported),
        case("far-corner.xlsx", far_corner_xlsx(), Roster, Refused),
        case("truncated.xlsx", truncated(sound.clone(), 60), Roster, Refused),
        case("corrupted.xlsx", corrupted(sound), Roster, Refused),
        case(
            "bomb.xlsx",
            xlsx(bomb(&format!(
                r#"{SHEET_OPEN}<row r="1"><c t="inlineStr"><is><t>a"#
            ))),
            Roster,
            Refused,
        ),
        case(
            "billion-laughs.xlsx",
            xlsx(Entry::Stored(
                format!(
                    r#"<?xml version="1.0"?>{}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c t="inlineStr"><is><t>code</t></is></c></row><row r="2"><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"#,
                    billion_laughs_doctype("worksheet")
                )
                .into_bytes(),
            )),
            Roster,
            Refused,
        ),
    ]
}

#[test]
fn hostile_rosters_are_imported_or_refused_cleanly() {
    check(roster_cases());
}

// ---- codebooks: `verbatim import codebook` ----

fn codebook_cases() -> Vec<Case> {
    use Expect::{Imported, Refused};
    use Via::Codebook;
    let qdc = |prolog: &str, codes: &str| {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>{prolog}<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>"#
        )
    };
    let code = |i: usize| {
        format!(r#"<Code guid="cccccccc-0000-4000-8000-{i:012}" name="code {i}" isCodable="true">"#)
    };
    let deep = format!(
        "{}{}",
        (0..100_000).map(code).collect::<String>(),
        "</Code>".repeat(100_000)
    );
    vec![
        case(
            "sound.qdc",
            qdc(
                "",
                &format!(
                    "{}<Description>Croire en l'autre 😀</Description></Code>",
                    code(1)
                ),
            ),
            Codebook,
            Imported,
        ),
        case("deep.qdc", qdc("", &deep), Codebook, Refused),
        case("far-corner.xlsx", far_corner_xlsx(), Codebook, Refused),
        case(
            "billion-laughs.qdc",
            qdc(
                &billion_laughs_doctype("CodeBook"),
                &format!("{}<Description>&lol9;</Description></Code>", code(2)),
            ),
            Codebook,
            Refused,
        ),
        case(
            "truncated.qdc",
            truncated(qdc("", &format!("{}</Code>", code(3))).into_bytes(), 60),
            Codebook,
            Refused,
        ),
        case(
            "unbalanced.csv",
            "code;définition\nMéfiance;\"ne pas croire\nContrôle;trop\n",
            Codebook,
            Refused,
        ),
        case(
            "deep-paths.csv",
            format!(
                "chemin;définition\n{};trop profond\n",
                vec!["a"; 5_000].join(" > ")
            ),
            Codebook,
            Refused,
        ),
    ]
}

#[test]
fn hostile_codebooks_are_imported_or_refused_cleanly() {
    check(codebook_cases());
}
