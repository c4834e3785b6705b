//! The reports page over plain HTTP against the real `verbatim serve` on
//! the demo study: every download answers with its type and file name and
//! opens as what it claims (the DOCX, QDPX and XLSX unzip to their main
//! part; the QDPX imports back with every source); the HTML report and its
//! preview refer to nothing outside themselves and the preview is
//! sandboxed; another coder's codebook and the shared one are refused
//! until the study is revealed; a member-checking document holds that
//! participant's words and no other participant's.

use std::io::{Cursor, Read, Write};
use std::net::TcpStream;

use crate::browser::{Server, http, serve, token_of};
use crate::common::{Workspace, turns};

/// A reply with a binary body.
struct Got {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a text body")
    }
}

/// GETs `path`, keeping the body's bytes (zips are not text).
fn fetch(base: &str, path: &str, cookie: Option<&str>) -> Got {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(cookie) = cookie {
        request.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete answer");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    let body = raw[split + 4..].to_vec();
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    assert_eq!(length, Some(body.len()), "the whole body came: {path}");
    Got {
        status,
        headers,
        body,
    }
}

/// Returns the names of a zip's entries and the text of `main`.
fn unzip(bytes: &[u8], main: &str) -> (Vec<String>, String) {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let names = zip
        .file_names()
        .map(|n| n.expect("an entry name").into_owned())
        .collect();
    let mut text = String::new();
    zip.by_name(main)
        .unwrap_or_else(|_| panic!("no {main} in the zip"))
        .read_to_string(&mut text)
        .unwrap();
    (names, text)
}

fn demo() -> (Workspace, Server) {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "study.vbt", "--blind"]).ok();
    let server = serve(&ws, "study.vbt", "amira");
    (ws, server)
}

/// Returns `href` values of the page's links with this id.
fn href_of(page: &str, id: &str) -> String {
    let at = page
        .find(&format!("id=\"{id}\" href=\""))
        .unwrap_or_else(|| panic!("no link {id} on the page"));
    let rest = &page[at + id.len() + 12..];
    rest[..rest.find('"').unwrap()].replace("&amp;", "&")
}

/// Asserts an HTML document loads nothing from outside itself.
fn self_contained(html: &str) {
    let lower = html.to_lowercase();
    for needle in ["<script", "<link", "@import", "url(", "<iframe", "<img"] {
        assert!(!lower.contains(needle), "the report holds {needle}");
    }
    for attr in ["src=", "href="] {
        for (i, _) in lower.match_indices(attr) {
            let value = lower[i + attr.len()..].trim_start_matches(['"', '\'']);
            assert!(
                value.starts_with('#'),
                "external reference: {attr}{value:.40}"
            );
        }
    }
}

#[test]
fn every_download_answers_with_its_type_and_opens_as_what_it_claims() {
    let (ws, server) = demo();
    let base = server.base.as_str();
    let page = http(base, "GET", "/reports", &[], "");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"report-preview\""));
    assert!(
        page.body.contains(" sandbox "),
        "the preview frame is sandboxed"
    );
    // (link id, content type, file name ending)
    let expected = [
        ("dl-report-html", "text/html; charset=utf-8", "report.html"),
        ("dl-report-md", "application/zip", "report-markdown.zip"),
        (
            "dl-report-docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "report.docx",
        ),
        ("dl-tree", "image/svg+xml", "theme-tree.svg"),
        ("dl-saturation", "image/svg+xml", "saturation.svg"),
        ("dl-triangulation", "image/svg+xml", "triangulation.svg"),
        ("dl-qdpx", "application/zip", "project.qdpx"),
        ("dl-qdc", "application/xml", "codebook.qdc"),
        ("dl-segments-csv", "text/csv; charset=utf-8", "segments.csv"),
        (
            "dl-segments-xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "segments.xlsx",
        ),
        ("dl-codebook-csv", "text/csv; charset=utf-8", "codebook.csv"),
        (
            "dl-codebook-xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "codebook.xlsx",
        ),
    ];
    let mut files = std::collections::HashMap::new();
    for (id, kind, name) in expected {
        let href = href_of(&page.body, id);
        let got = fetch(base, &href, None);
        assert_eq!(
            got.status,
            200,
            "{href}: {}",
            String::from_utf8_lossy(&got.body)
        );
        assert_eq!(got.header("content-type"), kind, "{href}");
        let disposition = got.header("content-disposition");
        assert!(
            disposition.starts_with("attachment; filename=\"")
                && disposition.ends_with(&format!("-{name}\"")),
            "{href}: {disposition}"
        );
        assert!(!got.body.is_empty(), "{href} is empty");
        files.insert(id, got.body);
    }

    // The HTML report: self-contained, the coder's themes and quotes.
    let html = String::from_utf8(files["dl-report-html"].clone()).unwrap();
    self_contained(&html);
    assert!(html.contains("<svg"), "figures are inline");
    // The DOCX, XLSX and Markdown zips hold their main parts.
    let (_, document) = unzip(&files["dl-report-docx"], "word/document.xml");
    assert!(document.contains("<w:body>"));
    let (names, md) = unzip(&files["dl-report-md"], "report.md");
    assert!(md.starts_with("# "), "{md:.80}");
    let figures: Vec<&String> = names.iter().filter(|n| n.ends_with(".svg")).collect();
    assert!(!figures.is_empty(), "the figures travel with the Markdown");
    for figure in figures {
        assert!(
            md.contains(figure.as_str()),
            "{figure} is linked from report.md"
        );
    }
    for id in ["dl-segments-xlsx", "dl-codebook-xlsx"] {
        let (_, sheet) = unzip(&files[id], "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<sheetData>"), "{id}");
    }
    // The SVGs are well-formed XML documents.
    for id in ["dl-tree", "dl-saturation", "dl-triangulation", "dl-qdc"] {
        let text = String::from_utf8(files[id].clone()).unwrap();
        let mut reader = quick_xml::Reader::from_str(&text);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{id} is not well-formed: {e}"),
            }
        }
    }
    // The spreadsheets and the figure are byte for byte what the CLI
    // writes for the same coder.
    let cli = |args: &[&str], out: &str| -> Vec<u8> {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--project", "study.vbt", "--coder", "amira", "--out", out]);
        ws.run(&all).ok();
        std::fs::read(ws.path(out)).unwrap()
    };
    let segments = ["export", "--format", "csv", "--what", "segments"];
    assert_eq!(files["dl-segments-csv"], cli(&segments, "segments.csv"));
    let codebook = ["export", "--format", "csv", "--what", "codebook"];
    assert_eq!(files["dl-codebook-csv"], cli(&codebook, "codebook.csv"));
    assert_eq!(
        files["dl-qdc"],
        cli(&["export", "--format", "qdc"], "book.qdc")
    );
    assert_eq!(files["dl-tree"], cli(&["figure", "tree"], "tree.svg"));
    let csv = String::from_utf8(files["dl-segments-csv"].clone()).unwrap();
    assert!(csv.starts_with('\u{feff}'), "Excel reads the BOM as UTF-8");
    assert!(csv.contains(",amira,"), "{csv:.300}");

    // The QDPX imports back with every source of the study.
    let (entries, qde) = unzip(&files["dl-qdpx"], "project.qde");
    assert!(qde.contains("<Project"));
    assert!(entries.iter().any(|e| e.starts_with("sources/")));
    std::fs::write(ws.path("web.qdpx"), &files["dl-qdpx"]).unwrap();
    ws.run(&[
        "import-project",
        "web.qdpx",
        "--project",
        "back.vbt",
        "--coder",
        "amira",
    ])
    .ok();
    let count = |study: &str| -> i64 {
        rusqlite::Connection::open(ws.path(study))
            .unwrap()
            .query_row("SELECT count(*) FROM sources", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count("back.vbt"), count("study.vbt"));
    assert_eq!(count("study.vbt"), 13);
}

#[test]
fn the_preview_is_the_report_under_its_own_sandboxed_policy() {
    let (_ws, server) = demo();
    let base = server.base.as_str();
    let preview = fetch(base, "/reports/preview.html?layer=mine&lang=fr", None);
    assert_eq!(preview.status, 200);
    let html = preview.text();
    self_contained(&html);
    assert!(html.contains("<html lang=\"fr\">"));
    let csp = preview.header("content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("sandbox"), "{csp}");
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    assert_eq!(preview.header("x-frame-options"), "SAMEORIGIN");
    assert!(preview.header("content-disposition").starts_with("inline"));
    // The style sheet the policy allows is the one in the report.
    let start = html.find("<style>").unwrap() + "<style>".len();
    let css = &html[start..start + html[start..].find("</style>").unwrap()];
    assert!(css.contains("blockquote"), "the report's own style");
    assert_eq!(html.matches("<style>").count(), 1);
    // The application's pages keep their own strict policy.
    let page = http(base, "GET", "/reports", &[], "");
    let app_csp = page.header("content-security-policy").unwrap();
    assert!(app_csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    // A bad language is one sentence.
    let bad = fetch(base, "/reports/download/report.html?lang=de", None);
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("English (en) or French (fr)"));
    let unknown = fetch(base, "/reports/download/secrets.txt", None);
    assert_eq!(unknown.status, 404);
}

#[test]
fn other_layers_are_refused_until_the_study_is_revealed() {
    let (ws, server) = demo();
    let base = server.base.as_str();
    let before = ws.dump();
    for path in [
        "/reports/download/report.html?layer=coder:bruno",
        "/reports/download/project.qdpx?layer=coder:bruno",
        "/reports/download/segments.csv?layer=shared",
        "/reports/download/theme-tree.svg?layer=shared",
        "/reports/preview.html?layer=coder:bruno",
        "/reports/member?participant=CHFG-C&layer=coder:bruno",
    ] {
        let got = fetch(base, path, None);
        assert_eq!(got.status, 403, "{path}");
        let text = got.text();
        assert!(text.contains("revealed"), "{path}: {text}");
        assert!(!text.contains("bruno's codebook\"") && !text.contains("<svg"));
    }
    let page = http(base, "GET", "/reports?layer=coder:bruno", &[], "");
    assert!(page.body.contains("id=\"reports-blocked\""));
    assert!(!page.body.contains("id=\"report-preview\""));
    assert!(!page.body.contains("value=\"coder:bruno\""), "not offered");
    assert!(page.body.contains("value=\"shared\" disabled"));
    // Amira's own segments hold no codings of bruno's.
    let mine = fetch(base, "/reports/download/segments.csv", None).text();
    assert!(mine.contains(",amira,") && !mine.contains(",bruno,"));
    assert_eq!(ws.dump(), before, "downloads change nothing");

    // After reveal, bruno's codebook and the shared one are offered.
    let (token, cookie) = token_of(base);
    let revealed = http(
        base,
        "POST",
        "/api/reveal",
        &[
            ("Content-Type", "application/json"),
            ("Cookie", &cookie),
            ("X-CSRF-Token", &token),
        ],
        "{}",
    );
    assert_eq!(revealed.status, 200, "{}", revealed.body);
    let page = http(base, "GET", "/reports", &[], "");
    assert!(page.body.contains("value=\"coder:bruno\""));
    let theirs = fetch(
        base,
        "/reports/download/report.html?layer=coder:bruno",
        None,
    );
    assert_eq!(theirs.status, 200);
    assert!(theirs.text().contains("bruno"));
    let shared = fetch(base, "/reports/download/codebook.csv?layer=shared", None);
    assert_eq!(shared.status, 200, "{}", shared.text());
}

#[test]
fn a_member_check_holds_the_participants_words_and_no_one_elses() {
    let (ws, server) = demo();
    let base = server.base.as_str();
    let page = http(base, "GET", "/reports", &[], "");
    assert!(
        page.body
            .contains("<option value=\"CHFG-C\">CHFG-C</option>")
    );
    let got = fetch(base, "/reports/member?participant=CHFG-C&format=html", None);
    assert_eq!(got.status, 200, "{}", String::from_utf8_lossy(&got.body));
    assert_eq!(got.header("content-type"), "text/html; charset=utf-8");
    assert!(
        got.header("content-disposition")
            .ends_with("-member-check-chfg-c.html\""),
        "{}",
        got.header("content-disposition")
    );
    let html = got.text();
    self_contained(&html);
    assert!(html.contains("CHFG-C"));
    // The focus group's turns: CHFG-C's appear, no one else's.
    let mut own = 0;
    for (speaker, speech) in turns(&ws.show("4")) {
        let speech = speech.split_once(':').map_or(speech.as_str(), |(_, s)| s);
        for sentence in speech.split(['.', '?', '!', '…', '\n']) {
            let sentence = sentence.trim();
            if sentence.chars().count() < 25 {
                continue;
            }
            let escaped = html_escape(sentence);
            if speaker == "CHFG-C" {
                own += usize::from(html.contains(&escaped));
            } else {
                assert!(
                    !html.contains(&escaped),
                    "{speaker}'s words in CHFG-C's document: {sentence}"
                );
            }
        }
    }
    assert!(own > 0, "none of CHFG-C's own words is quoted");
    for other in ["CHFG-A", "CHFG-B", "CHFG-D", "CHFG-E", "CHI-1"] {
        assert!(!html.contains(other), "{other} named in CHFG-C's document");
    }
    // The Word version opens as a document; an unknown participant is one
    // sentence.
    let docx = fetch(base, "/reports/member?participant=CHFG-C&format=docx", None);
    assert_eq!(docx.status, 200);
    let (_, document) = unzip(&docx.body, "word/document.xml");
    assert!(document.contains("CHFG-C"));
    let nobody = fetch(base, "/reports/member?participant=NOBODY", None);
    assert_eq!(nobody.status, 404);
    let sentence = nobody.text();
    assert!(sentence.contains("no participant") && sentence.contains("NOBODY"));
}

/// Escapes text as the report's HTML writer does.
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// In headless Chromium: the reports page shows the report in its frame,
/// styled (the policy's hash matched the report's style sheet) and with its
/// figures, beside the download links. `VERBATIM_SCREENSHOTS` writes
/// `reports.png`, as in `browser`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reports_page_in_the_browser_shows_the_preview_and_the_downloads() {
    use crate::browser::{browser, browser_programs, eval, shot, until};
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let (_ws, server) = demo();
    let b = browser(&chromium, &chromedriver, 1400, 900).await;
    let c = &b.client;
    c.goto(&format!("{}/reports", server.base)).await.unwrap();
    for id in ["dl-report-docx", "dl-qdpx", "dl-segments-xlsx", "dl-tree"] {
        let shown = eval(
            c,
            &format!(
                "const a = document.getElementById('{id}'); \
                 return a !== null && a.offsetParent !== null;"
            ),
        )
        .await;
        assert_eq!(shown, serde_json::json!(true), "{id} is visible");
    }
    c.enter_frame(0).await.unwrap();
    until(
        c,
        "the report in the frame",
        "return document.querySelector('h1.title') !== null && document.querySelector('svg') !== null;",
    )
    .await;
    // The report's own style sheet applied: its quotes have their rule.
    let border = eval(
        c,
        "const q = document.querySelector('blockquote'); \
         return q ? getComputedStyle(q).borderLeftStyle : 'no quote';",
    )
    .await;
    assert_eq!(border, serde_json::json!("solid"));
    c.enter_parent_frame().await.unwrap();
    shot(c, "reports").await;
    b.client.clone().close().await.unwrap();
}

/// The full-text search page carries the analysis tabs, so the four
/// analysis pages link to each other.
#[test]
fn the_search_page_links_to_the_other_analysis_pages() {
    let (_ws, server) = demo();
    let base = server.base.as_str();
    for (page, current) in [
        ("/search?q=confiance", "/search"),
        ("/search/query", "/search/query"),
        ("/search/matrix", "/search/matrix"),
        ("/search/words", "/search/words"),
    ] {
        let body = http(base, "GET", page, &[], "").body;
        let tabs = &body[body.find("class=\"subtabs\"").expect(page)..];
        let tabs = &tabs[..tabs.find("</nav>").unwrap()];
        for href in [
            "/search",
            "/search/query",
            "/search/matrix",
            "/search/words",
        ] {
            assert!(
                tabs.contains(&format!("href=\"{href}\"")),
                "{page} → {href}"
            );
        }
        assert!(
            tabs.contains(&format!("href=\"{current}\" class=\"active\"")),
            "{page}: {tabs}"
        );
    }
}
