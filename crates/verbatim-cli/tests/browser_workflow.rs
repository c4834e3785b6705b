//! The study's whole workflow in headless Chromium, used as a person uses
//! it, against `verbatim serve` started without `--coder`: the empty
//! study's next steps, the header's coder picker (a plain HTML form, sent
//! by the browser itself), a site and a participant added one by one,
//! transcripts uploaded with their kind, site and language, one coded in
//! the reader, a translation that does not make a quote, autocoding a
//! search, the codes page's move, split and delete, co-occurrence, and
//! every page at 800 and 1280 px without sideways scrolling. After each
//! step the study is read back with the CLI's `--json`.
//!
//! Skipped with a notice without chromium and chromedriver (see
//! [`crate::browser::browser_programs`]).

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::browser::{
    browser, browser_programs, click, code_new, eval, http, reader_ready, serve_with, shot,
    token_of, type_in, until,
};
use crate::common::{INTERVIEW_FR, Workspace, docx_with, interview_lines};

/// A second French interview, ours, with "confiance" twice in one turn.
const NIGHT_SHIFT: &[(&str, &str)] = &[
    ("INT", "Parlez-moi de votre équipe de nuit."),
    (
        "P2",
        "La confiance se gagne la nuit ; sans confiance, rien ne tient.",
    ),
    ("INT", "Et les familles ?"),
    ("P2", "Elles appellent souvent, et on répond comme on peut."),
];

/// Returns `lines` as a .docx with bold speaker labels.
fn docx_of(lines: &[(&str, &str)]) -> Vec<u8> {
    let mut body = String::new();
    for (who, what) in lines {
        body.push_str(&format!(
            r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{who} : </w:t></w:r><w:r><w:t xml:space="preserve">{what}</w:t></w:r></w:p>"#
        ));
    }
    docx_with(&format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    ))
}

/// Runs the CLI as coder amira on `study.vbt` and returns its JSON.
fn amira(ws: &Workspace, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--project", "study.vbt"]);
    ws.run_env(&all, &[("VERBATIM_CODER", "amira")]).ok().json()
}

/// Waits until `check` holds of the study as the CLI reads it.
fn eventually(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Clicks the option of a select, as a person picks it.
async fn pick(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no option {css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Opens the panel of the coding whose highlight holds `phrase`.
async fn open_panel(c: &Client, phrase: &str) {
    let script = format!(
        "const m = [...document.querySelectorAll('#doc mark.hl')].find((m) => m.textContent.includes({phrase:?})); if (!m) return false; m.click(); return true;"
    );
    assert_eq!(eval(c, &script).await, json!(true));
    until(
        c,
        "the coding panel",
        "return !document.getElementById('detail').hidden && document.getElementById('tr-text') !== null",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_researcher_starts_an_empty_study_and_codes_it_in_the_browser() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = Workspace::with_study();
    ws.run(&["coder", "add", "amira", "--project", "study.vbt"])
        .ok();
    let server = serve_with(&ws, &["--project", "study.vbt"]);
    let base = server.base.clone();
    let b = browser(&chromium, &chromedriver, 1280, 900).await;
    let c = &b.client;

    // An empty study says what to do next.
    c.goto(&format!("{base}/")).await.unwrap();
    let steps = eval(
        c,
        "return [...document.querySelectorAll('#next-steps li > a:first-child')].map((a) => a.getAttribute('href'))",
    )
    .await;
    assert_eq!(steps, json!(["/sources#upload", "/codes", "/sources"]));

    // Nobody is coding yet: pick amira in the header, as a person does.
    pick(c, "#coder-select option[value='amira']").await;
    until(
        c,
        "the page to come back with amira picked",
        "const s = document.getElementById('coder-select'); return !!s && s.value === 'amira' && !s.querySelector('option[value=\"\"]');",
    )
    .await;
    assert_eq!(c.current_url().await.unwrap().path(), "/");

    add_site_and_participant(c, &ws, &base).await;
    upload_two_transcripts_and_a_broken_file(c, &ws, &base).await;
    code_translate_and_quote(c, &ws).await;
    autocode_and_cooccurrence(c, &ws, &base).await;

    b.client.clone().close().await.unwrap();
}

/// Adds a site and a participant from the participants page's forms.
async fn add_site_and_participant(c: &Client, ws: &Workspace, base: &str) {
    // A site and a participant, one by one.
    c.goto(&format!("{base}/participants")).await.unwrap();
    type_in(c, "#site-name", "Centre hospitalier de Valmont").await;
    type_in(c, "#site-code", "CH").await;
    click(c, "#site-add").await;
    until(
        c,
        "the new site in the participant form",
        "return !!document.querySelector('#participant-site option[value=\"CH\"]')",
    )
    .await;
    type_in(c, "#participant-pseudonym", "CHI-4").await;
    pick(c, "#participant-site option[value='CH']").await;
    click(c, "#participant-add").await;
    until(
        c,
        "the new participant in the table",
        "return [...document.querySelectorAll('#participants tbody th')].some((th) => th.textContent.trim() === 'CHI-4')",
    )
    .await;
    let sites = amira(ws, &["sites", "list", "--json"]);
    assert_eq!(sites[0]["name"], "Centre hospitalier de Valmont");
    assert_eq!(sites[0]["code"], "CH");
    let people = amira(ws, &["participants", "list", "--json"]);
    assert_eq!(people.as_array().unwrap().len(), 1);
    assert_eq!(people[0]["code"], "CHI-4");
    assert_eq!(people[0]["site_code"], "CH");
}

/// Uploads a .txt, a .docx and a broken .docx from the sources page.
async fn upload_two_transcripts_and_a_broken_file(c: &Client, ws: &Workspace, base: &str) {
    // Upload a .txt, a .docx and a file that is no docx at all.
    let txt = ws.write("entretien-valmont.txt", interview_lines());
    let docx = ws.write("entretien-nuit.docx", docx_of(NIGHT_SHIFT));
    let broken = ws.write("abime.docx", "ceci n'est pas un fichier Word");
    c.goto(&format!("{base}/sources")).await.unwrap();
    let files = format!(
        "{}\n{}\n{}",
        txt.display(),
        docx.display(),
        broken.display()
    );
    type_in(c, "#upload-files", &files).await;
    pick(c, "#upload-kind option[value='interview']").await;
    pick(c, "#upload-site option[value='CH']").await;
    pick(c, "#upload-language option[value='fr']").await;
    // Record what the progress bar showed at the upload's last progress
    // event (the page's listener runs first); the page reloads after.
    eval(
        c,
        "const send = XMLHttpRequest.prototype.send; \
         XMLHttpRequest.prototype.send = function (body) { \
           this.upload.addEventListener('progress', (e) => sessionStorage.setItem('seen-progress', \
             `${e.loaded}/${e.total} ${document.getElementById('upload-progress').value}`)); \
           return send.call(this, body); }; return true;",
    )
    .await;
    click(c, "#upload-go").await;
    until(
        c,
        "the upload report",
        "return document.querySelectorAll('#upload-lines li').length === 3",
    )
    .await;
    let report = eval(
        c,
        "return [...document.querySelectorAll('#upload-lines > li')].map((li) => [li.className, li.firstChild.textContent + (li.children[0]?.textContent ?? '')])",
    )
    .await;
    assert_eq!(report[0], json!(["ok", "imported entretien-valmont"]));
    assert_eq!(report[1], json!(["ok", "imported entretien-nuit"]));
    let refusal = report[2][1].as_str().unwrap();
    assert_eq!(report[2][0], "failed");
    assert!(
        refusal.starts_with("abime.docx was not imported: "),
        "{refusal}"
    );
    let seen = eval(c, "return sessionStorage.getItem('seen-progress')").await;
    let seen = seen.as_str().unwrap_or_default();
    let (sent, bar) = seen.split_once(' ').unwrap_or_default();
    let (loaded, total) = sent.split_once('/').unwrap_or_default();
    assert!(
        loaded == total && total.parse::<u64>().is_ok_and(|t| t > 0) && bar == "100",
        "the bar followed the upload to its end: {seen:?}"
    );
    let listed = eval(
        c,
        "return [...document.querySelectorAll('#sources tbody th a')].map((a) => a.textContent)",
    )
    .await;
    assert_eq!(listed, json!(["entretien-valmont", "entretien-nuit"]));
    shot(c, "upload").await;
    let sources = amira(ws, &["sources", "--json"]);
    let sources = sources.as_array().unwrap();
    assert_eq!(sources.len(), 2, "the broken file left nothing behind");
    for s in sources {
        assert_eq!(
            (&s["kind"], &s["site"], &s["language"]),
            (&json!("interview"), &json!("CH"), &json!("fr"))
        );
    }
    // Speaker turns were found as on the command line: four each.
    assert_eq!(sources[0]["turns"], 4);
    assert_eq!(sources[1]["turns"], 4);
}

/// Codes a passage of the first source, translates it, quotes and unquotes it.
async fn code_translate_and_quote(c: &Client, ws: &Workspace) {
    // Open the first and code a passage with a new code.
    click(c, "#sources tbody th a").await;
    reader_ready(c).await;
    let enabled = eval(
        c,
        "return document.getElementById('reader').hasAttribute('data-enabled')",
    )
    .await;
    assert_eq!(enabled, json!(true), "coding works after picking a coder");
    code_new(c, "la confiance", "Confiance").await;
    let codings = amira(ws, &["coding", "list", "--json"]);
    assert_eq!(codings.as_array().unwrap().len(), 1);
    assert_eq!(codings[0]["text"], "la confiance");
    assert_eq!(codings[0]["code"], "Confiance");

    // The panel shows what is stored, and no "null".
    open_panel(c, "la confiance").await;
    let panel = eval(c, "return document.getElementById('detail').innerText").await;
    let panel = panel.as_str().unwrap();
    assert!(!panel.contains("null"), "{panel}");
    assert!(panel.contains("amira"), "{panel}");
    assert_eq!(
        eval(c, "return document.getElementById('quote').checked").await,
        json!(false)
    );

    // A translation is not a quote.
    click(c, "#detail details.translate summary").await;
    type_in(c, "#tr-text", "trust").await;
    click(c, "#save-translation").await;
    until(
        c,
        "the translation in the panel",
        "return [...document.querySelectorAll('#detail .translation')].some((p) => p.textContent === 'en trust')",
    )
    .await;
    assert_eq!(
        eval(c, "return document.getElementById('quote').checked").await,
        json!(false)
    );
    let stored = amira(ws, &["coding", "list", "--json"]);
    assert_eq!(stored[0]["is_quote"], false);
    assert_eq!(stored[0]["translations"], json!([["en", "trust"]]));

    // Marking and unmarking the quote keeps the translation.
    click(c, "#quote").await;
    eventually("the quote mark", || {
        amira(ws, &["coding", "list", "--json"])[0]["is_quote"] == json!(true)
    });
    click(c, "#quote").await;
    eventually("the quote unmarked", || {
        amira(ws, &["coding", "list", "--json"])[0]["is_quote"] == json!(false)
    });
    let stored = amira(ws, &["coding", "list", "--json"]);
    assert_eq!(stored[0]["translations"], json!([["en", "trust"]]));
    c.refresh().await.unwrap();
    reader_ready(c).await;
    open_panel(c, "la confiance").await;
    let shown = eval(
        c,
        "return [document.getElementById('quote').checked, [...document.querySelectorAll('#detail .translation')].map((p) => p.textContent)]",
    )
    .await;
    assert_eq!(shown, json!([false, ["en trust"]]));
}

/// Autocodes a search by turn, then reads the co-occurrence table.
async fn autocode_and_cooccurrence(c: &Client, ws: &Workspace, base: &str) {
    // Autocode a search: "confiance" is once in the first interview's
    // second turn and twice in the second's; coded by turn, that is two
    // turns, so two new codings.
    amira_ok(ws, &["code", "add", "Relation"]);
    c.goto(&format!("{base}/search?q=confiance")).await.unwrap();
    until(
        c,
        "the autocode form",
        "return !!document.getElementById('autocode-form')",
    )
    .await;
    let label = eval(
        c,
        "return document.getElementById('autocode-go').textContent",
    )
    .await;
    assert_eq!(label, json!("Code all 3 hits"));
    let relation_option = eval(
        c,
        "return [...document.querySelectorAll('#autocode-code option')].find((o) => o.textContent === 'Relation').value",
    )
    .await;
    pick(
        c,
        &format!(
            "#autocode-code option[value='{}']",
            relation_option.as_str().unwrap()
        ),
    )
    .await;
    pick(c, "#autocode-scope option[value='turn']").await;
    click(c, "#autocode-go").await;
    until(
        c,
        "the autocode result",
        "return document.getElementById('autocode-result').textContent.startsWith('Coded')",
    )
    .await;
    let said = eval(
        c,
        "return document.getElementById('autocode-result').textContent",
    )
    .await;
    assert!(
        said.as_str().unwrap().starts_with(
            "Coded 2 new passages with “Relation” (3 hits in 2 sources; 1 already coded or merged)"
        ),
        "{said}"
    );
    let relation: Vec<Value> = amira(ws, &["coding", "list", "--code", "Relation", "--json"])
        .as_array()
        .unwrap()
        .clone();
    let texts: Vec<&str> = relation
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, [INTERVIEW_FR[1].1, NIGHT_SHIFT[1].1]);

    // Co-occurrence: Confiance ("la confiance") lies inside one Relation
    // turn. Confiance covers 12 chars, Relation two whole turns; they
    // share the 12, so J = 12 / (union = the two turns' chars).
    let union = INTERVIEW_FR[1].1.chars().count() + NIGHT_SHIFT[1].1.chars().count();
    let level = amira(ws, &["code", "tree", "--json"])[0]["level_name"]
        .as_str()
        .unwrap()
        .to_owned();
    c.goto(&format!("{base}/search/cooccurrence?level={level}"))
        .await
        .unwrap();
    let table = eval(
        c,
        "return [...document.querySelectorAll('#cooccurrence tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent))",
    )
    .await;
    let j = 12.0 / union as f64;
    assert_eq!(
        table,
        json!([
            ["Confiance", "1", format!("1 · J={j:.2}")],
            ["Relation", format!("1 · J={j:.2}"), "2"]
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_move_split_and_delete_without_dragging() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = Workspace::with_study();
    ws.write("a.txt", interview_lines());
    ws.import(&["a.txt"]).ok();
    ws.run(&["coder", "add", "amira", "--project", "study.vbt"])
        .ok();
    amira_ok(&ws, &["code", "add", "Relation"]);
    amira_ok(&ws, &["code", "add", "Institution", "--level", "theme"]);
    amira_ok(&ws, &["code", "add", "Confiance"]);
    // Three passages of Relation.
    for text in ["la confiance", "la méfiance", "Pas vraiment, non."] {
        amira_ok(
            &ws,
            &[
                "coding", "add", "--source", "a", "--code", "Relation", "--text", text,
            ],
        );
    }
    let server = serve_with(&ws, &["--project", "study.vbt", "--coder", "amira"]);
    let base = server.base.clone();
    let b = browser(&chromium, &chromedriver, 1280, 900).await;
    let c = &b.client;
    let id_of = |name: &str| -> i64 {
        amira(&ws, &["code", "tree", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == name)
            .and_then(|n| n["id"].as_i64())
            .unwrap_or(-1)
    };
    let parent_of = |name: &str| -> Value {
        amira(&ws, &["code", "tree", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == name)
            .map(|n| n["parent"].clone())
            .unwrap_or(Value::Null)
    };

    // Move Confiance under Institution with the select and a button.
    c.goto(&format!("{base}/codes")).await.unwrap();
    select_code(c, "Confiance").await;
    let institution = id_of("Institution");
    pick(c, &format!("#move-under option[value='{institution}']")).await;
    click(c, "#move-code").await;
    eventually("the move", || parent_of("Confiance") == json!(institution));

    // Split: tick the first of Relation's three passages, name the new code.
    c.goto(&format!("{base}/codes")).await.unwrap();
    select_code(c, "Relation").await;
    until(
        c,
        "three tickable passages",
        "return document.querySelectorAll('#passages .split-pick').length === 3",
    )
    .await;
    click(c, "#passages .split-pick").await;
    type_in(c, "#split-name", "Confiance fragile").await;
    click(c, "#split-code").await;
    eventually("the split", || id_of("Confiance fragile") > 0);
    let of = |code: &str| {
        amira(&ws, &["coding", "list", "--code", code, "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["text"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(of("Confiance fragile"), ["la confiance"]);
    assert_eq!(of("Relation"), ["la méfiance", "Pas vraiment, non."]);
    // The new code is Relation's sibling (both at the top).
    assert_eq!(parent_of("Confiance fragile"), Value::Null);

    // Delete Relation: the confirmation counts its two passages.
    c.goto(&format!("{base}/codes")).await.unwrap();
    select_code(c, "Relation").await;
    click(c, "#delete-code").await;
    let asked = c.get_alert_text().await.unwrap();
    assert!(
        asked.starts_with("Delete “Relation”? It holds 2 passages: they move to “Uncategorised”."),
        "{asked}"
    );
    c.accept_alert().await.unwrap();
    eventually("the deletion", || id_of("Relation") < 0);
    assert_eq!(of("Uncategorised"), ["la méfiance", "Pas vraiment, non."]);

    // One undo brings it back with its passages.
    until(c, "the page after the deletion", "return !!document.getElementById('tree-undo') && ![...document.querySelectorAll('#tree .name')].some((n) => n.textContent === 'Relation')").await;
    click(c, "#tree-undo").await;
    eventually("the undo", || id_of("Relation") > 0);
    assert_eq!(of("Relation"), ["la méfiance", "Pas vraiment, non."]);

    b.client.clone().close().await.unwrap();
}

fn amira_ok(ws: &Workspace, args: &[&str]) {
    let mut all = args.to_vec();
    all.extend(["--project", "study.vbt"]);
    ws.run_env(&all, &[("VERBATIM_CODER", "amira")]).ok();
}

/// Clicks a code's row in the tree and waits for its panel.
async fn select_code(c: &Client, name: &str) {
    let script = format!(
        "const row = [...document.querySelectorAll('#tree .node-row')].find((r) => r.querySelector('.name').textContent === {name:?}); if (!row) return false; row.click(); return true;"
    );
    assert_eq!(eval(c, &script).await, json!(true), "{name} is in the tree");
    until(
        c,
        "the code panel",
        &format!(
            "const h = document.querySelector('#code-panel h2'); return !!h && h.textContent.includes({name:?}) && !!document.getElementById('move-under');"
        ),
    )
    .await;
}

/// The pages a researcher visits, each at 800 and 1280 px: no sideways
/// scrolling, and the coder picker on screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_800_and_1280_pixels() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "demo.vbt", "--blind"]).ok();
    let server = serve_with(&ws, &["--project", "demo.vbt", "--coder", "amira"]);
    let base = server.base.clone();
    let pages = [
        "/",
        "/sources",
        "/sources/3",
        "/participants",
        "/codes",
        "/search?q=confiance",
        "/search/query",
        "/search/matrix",
        "/search/cooccurrence",
        "/search/words",
        "/compare",
        "/journal",
        "/reports",
    ];
    for width in [800, 1280] {
        let b = browser(&chromium, &chromedriver, width, 900).await;
        let c = &b.client;
        for page in pages {
            c.goto(&format!("{base}{page}")).await.unwrap();
            let fit = eval(
                c,
                "const p = document.getElementById('coder-select').getBoundingClientRect(); \
                 return [document.documentElement.scrollWidth <= window.innerWidth, \
                         p.left >= 0 && p.right <= window.innerWidth, document.documentElement.scrollWidth, window.innerWidth];",
            )
            .await;
            assert_eq!(
                (&fit[0], &fit[1]),
                (&json!(true), &json!(true)),
                "{page} at {width} px: page {} px wide in a {} px window, picker on screen: {}",
                fit[2],
                fit[3],
                fit[1]
            );
        }
        b.client.clone().close().await.unwrap();
    }
}

/// The API side of quotes and translations, over plain HTTP.
#[test]
fn a_translation_is_not_a_quote_and_unquoting_keeps_it() {
    let ws = Workspace::with_study();
    ws.write("a.txt", interview_lines());
    ws.import(&["a.txt"]).ok();
    ws.run(&["coder", "add", "amira", "--project", "study.vbt"])
        .ok();
    amira_ok(&ws, &["code", "add", "Relation"]);
    amira_ok(
        &ws,
        &[
            "coding",
            "add",
            "--source",
            "a",
            "--code",
            "Relation",
            "--text",
            "la confiance",
        ],
    );
    let server = serve_with(&ws, &["--project", "study.vbt", "--coder", "amira"]);
    let base = server.base.as_str();
    let (token, cookie) = token_of(base);
    let headers = [
        ("Content-Type", "application/json"),
        ("Cookie", cookie.as_str()),
        ("X-CSRF-Token", token.as_str()),
    ];
    let put = http(
        base,
        "PUT",
        "/api/codings/1/translations/en",
        &headers,
        &json!({"text": "trust"}).to_string(),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    let after: Value = serde_json::from_str(&put.body).unwrap();
    assert_eq!(after["is_quote"], false);
    assert_eq!(after["translations"], json!(["en"]));
    for flag in [true, false] {
        let patch = http(
            base,
            "PATCH",
            "/api/codings/1",
            &headers,
            &json!({"is_quote": flag}).to_string(),
        );
        assert_eq!(patch.status, 200, "{}", patch.body);
    }
    let detail = http(base, "GET", "/api/codings/1", &[("Cookie", &cookie)], "");
    let detail: Value = serde_json::from_str(&detail.body).unwrap();
    assert_eq!(detail["is_quote"], false);
    assert_eq!(detail["translations_text"], json!([["en", "trust"]]));
}

/// Returns a multipart body of `(field, file name, content)` parts.
pub(crate) fn multipart(parts: &[(&str, Option<&str>, &str)]) -> String {
    let mut body = String::new();
    for (field, file, content) in parts {
        body.push_str("--XyZzY\r\nContent-Disposition: form-data; name=\"");
        body.push_str(field);
        body.push('"');
        if let Some(f) = file {
            body.push_str(&format!("; filename=\"{f}\"\r\nContent-Type: text/plain"));
        }
        body.push_str(&format!("\r\n\r\n{content}\r\n"));
    }
    body.push_str("--XyZzY--\r\n");
    body
}

/// Uploads and additions refused over HTTP: one sentence each, and the
/// study as it was.
#[test]
fn refused_uploads_sites_and_participants_change_nothing() {
    let ws = Workspace::with_study();
    ws.run(&["coder", "add", "amira", "--project", "study.vbt"])
        .ok();
    let server = serve_with(&ws, &["--project", "study.vbt", "--coder", "amira"]);
    let base = server.base.as_str();
    let (token, cookie) = token_of(base);
    let form = [
        ("Content-Type", "multipart/form-data; boundary=XyZzY"),
        ("Cookie", cookie.as_str()),
        ("X-CSRF-Token", token.as_str()),
    ];
    let json_headers = [
        ("Content-Type", "application/json"),
        ("Cookie", cookie.as_str()),
        ("X-CSRF-Token", token.as_str()),
    ];
    let before = ws.dump();
    let lines = interview_lines();
    let error = |reply: &crate::browser::Reply| -> String {
        serde_json::from_str::<Value>(&reply.body).unwrap()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    let bad_kind = http(
        base,
        "POST",
        "/api/sources",
        &form,
        &multipart(&[("kind", None, "podcast"), ("file", Some("a.txt"), &lines)]),
    );
    assert_eq!(bad_kind.status, 400, "{}", bad_kind.body);
    assert!(error(&bad_kind).contains("podcast"), "{}", bad_kind.body);

    let no_file = http(
        base,
        "POST",
        "/api/sources",
        &form,
        &multipart(&[("language", None, "fr")]),
    );
    assert_eq!(no_file.status, 400);
    assert!(error(&no_file).starts_with("no file was sent"));

    let unsupported = http(
        base,
        "POST",
        "/api/sources",
        &form,
        &multipart(&[("file", Some("notes.xyz"), "INT : bonjour")]),
    );
    assert_eq!(unsupported.status, 200, "{}", unsupported.body);
    let report: Value = serde_json::from_str(&unsupported.body).unwrap();
    assert_eq!(report[0]["status"], "unsupported");
    assert!(
        report[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("notes.xyz is not a transcript format verbatim reads"),
        "{report}"
    );

    let no_code = http(
        base,
        "POST",
        "/api/sites",
        &json_headers,
        &json!({"name": "Valmont"}).to_string(),
    );
    assert_eq!(no_code.status, 400);
    assert!(error(&no_code).contains("short code"));
    let unknown_site = http(
        base,
        "POST",
        "/api/participants",
        &json_headers,
        &json!({"pseudonym": "CHI-9", "site": "ZZ"}).to_string(),
    );
    assert!(unknown_site.status >= 400, "{}", unknown_site.body);
    assert!(error(&unknown_site).contains("ZZ"), "{}", unknown_site.body);

    assert_eq!(ws.dump(), before, "the study is as it was");

    // The same upload with a kind verbatim knows is imported.
    let good = http(
        base,
        "POST",
        "/api/sources",
        &form,
        &multipart(&[
            ("kind", None, "focus_group"),
            ("file", Some("C:\\Users\\zoe\\a.txt"), &lines),
        ]),
    );
    assert_eq!(good.status, 200, "{}", good.body);
    let report: Value = serde_json::from_str(&good.body).unwrap();
    assert_eq!(report[0]["status"], "imported");
    assert_eq!(report[0]["file"], "a.txt");
    assert_eq!(report[0]["name"], "a");
    let sources = ws.sources();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0]["kind"], "focus_group");
}
