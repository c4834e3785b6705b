//! The web interface in a real headless Chromium, driven through
//! chromedriver by fantoccini, against the real `verbatim serve` process on
//! the demo study: open the study, open a source, code a passage (see the
//! highlight and the stripe), reload (still there), undo, drag a code under
//! another in the tree editor, search and jump to a hit; a transcript with
//! `<script>` shows as text. The security checks that need no browser
//! (CSRF, CSP, Host) talk plain HTTP to the same server.
//!
//! Without `chromium` and `chromedriver` on PATH the browser test prints a
//! notice and passes, unless `VERBATIM_REQUIRE_BROWSER=1` (CI), where it
//! fails. `VERBATIM_SCREENSHOTS=DIR` writes the main pages' screenshots
//! there (relative paths from the workspace root). The performance harness
//! (`web_performance`, ignored) is run by `bench/web.sh`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::common::Workspace;

/// A child process killed when the test ends, however it ends.
pub(crate) struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// chromedriver and the chromium it starts, in a process group of their
/// own, killed together when the test ends: killing chromedriver alone
/// (a test that never closed its session, or failed before) left its
/// chromium running, a few hundred MB each on a CI run.
pub(crate) struct Driver(Child);

impl Driver {
    fn spawn(command: &mut Command) -> Self {
        use std::os::unix::process::CommandExt;
        Driver(command.process_group(0).spawn().unwrap())
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group's id is chromedriver's process id.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.wait();
    }
}

/// A running `verbatim serve`.
pub(crate) struct Server {
    _child: Killed,
    /// `http://127.0.0.1:PORT`
    pub(crate) base: String,
}

impl Server {
    /// Kills the server with SIGKILL (no shutdown, no checkpoint).
    pub(crate) fn kill(&mut self) {
        let _ = self._child.0.kill();
        let _ = self._child.0.wait();
    }

    /// The server process's id.
    pub(crate) fn pid(&self) -> u32 {
        self._child.0.id()
    }
}

/// Starts `verbatim serve` on a free port and returns once it listens.
pub(crate) fn serve(ws: &Workspace, study: &str, coder: &str) -> Server {
    serve_with(ws, &["--project", study, "--coder", coder])
}

/// Starts `verbatim serve ARGS` on a free port and returns once it listens.
pub(crate) fn serve_with(ws: &Workspace, args: &[&str]) -> Server {
    serve_bin(Path::new(env!("CARGO_BIN_EXE_verbatim")), ws, args)
}

/// Starts `bin serve ARGS` (a benchmark may serve with a release binary).
pub(crate) fn serve_bin(bin: &Path, ws: &Workspace, args: &[&str]) -> Server {
    serve_bin_env(bin, ws, args, &[])
}

/// Starts `verbatim serve ARGS` with extra environment variables.
pub(crate) fn serve_with_env(ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> Server {
    serve_bin_env(Path::new(env!("CARGO_BIN_EXE_verbatim")), ws, args, env)
}

/// Starts `bin serve ARGS` with extra environment variables.
fn serve_bin_env(bin: &Path, ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(bin)
        .arg("serve")
        .args(args)
        .envs(env.iter().copied())
        .env_remove("VERBATIM_CODER")
        .args(["--addr", "127.0.0.1:0"])
        .current_dir(ws.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("serve did not print its address: {line:?}"));
    Server {
        _child: Killed(child),
        base: url.trim_end_matches('/').to_owned(),
    }
}

/// One HTTP/1.1 exchange over a plain socket: status, headers, body.
pub(crate) fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    let has_host = headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host"));
    if has_host {
        request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    }
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Reply {
        status,
        headers: lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
            .collect(),
        body: body.to_owned(),
    }
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Returns the CSRF token a page carries, and the cookie that goes with it.
pub(crate) fn token_of(base: &str) -> (String, String) {
    let page = http(base, "GET", "/", &[], "");
    let cookie = page
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let token = cookie.split_once('=').unwrap().1.to_owned();
    assert!(
        page.body
            .contains(&format!(r#"<meta name="csrf-token" content="{token}">"#)),
        "the page carries the same token as the cookie"
    );
    (token, cookie)
}

#[test]
fn changes_without_the_csrf_token_or_from_another_site_are_refused() {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "demo.vbt", "--blind"]).ok();
    let server = serve(&ws, "demo.vbt", "amira");
    let base = server.base.as_str();

    let home = http(base, "GET", "/", &[], "");
    assert_eq!(home.status, 200);
    let csp = home.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(home.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(home.header("referrer-policy"), Some("same-origin"));

    let before = http(base, "GET", "/api/sources/3/codings", &[], "");
    let before_n = serde_json::from_str::<Value>(&before.body)
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    let body = json!({"source_id": 3, "start": 300, "end": 340, "new_code": {"name": "Forged"}})
        .to_string();
    let json_type = ("Content-Type", "application/json");

    // No token at all.
    let refused = http(base, "POST", "/api/codings", &[json_type], &body);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("security token"), "{}", refused.body);

    // The cookie alone (what a cross-site form would carry) is not enough.
    let (token, cookie) = token_of(base);
    let cookie_only = http(
        base,
        "POST",
        "/api/codings",
        &[json_type, ("Cookie", &cookie)],
        &body,
    );
    assert_eq!(cookie_only.status, 403);

    // Token and cookie, but sent from another site.
    let foreign = http(
        base,
        "POST",
        "/api/codings",
        &[
            json_type,
            ("Cookie", &cookie),
            ("X-CSRF-Token", &token),
            ("Origin", "http://evil.example"),
        ],
        &body,
    );
    assert_eq!(foreign.status, 403);
    assert!(foreign.body.contains("evil.example"));

    // A page of another host name (DNS rebinding) is not served at all.
    let rebound = http(base, "GET", "/", &[("Host", "evil.example")], "");
    assert_eq!(rebound.status, 403);

    let after = http(base, "GET", "/api/sources/3/codings", &[], "");
    let after_n = serde_json::from_str::<Value>(&after.body)
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        after_n, before_n,
        "nothing was coded by the refused requests"
    );

    // The same request from the page's own script is accepted.
    let accepted = http(
        base,
        "POST",
        "/api/codings",
        &[json_type, ("Cookie", &cookie), ("X-CSRF-Token", &token)],
        &body,
    );
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let created: Value = serde_json::from_str(&accepted.body).unwrap();
    assert_eq!(created["code"]["name"], "Forged");

    // Bad input gets one sentence, as JSON.
    let past_end = json!({"source_id": 3, "start": 0, "end": 99_999_999, "code_id": 1}).to_string();
    let bad = http(
        base,
        "POST",
        "/api/codings",
        &[json_type, ("Cookie", &cookie), ("X-CSRF-Token", &token)],
        &past_end,
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
    let error: Value = serde_json::from_str(&bad.body).unwrap();
    assert!(
        error["error"].as_str().unwrap().contains("past the end"),
        "{error}"
    );
}

// ------------------------------------------------------------------ browser

/// Returns the path of a program on PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Returns chromium and chromedriver, or None (after saying why) when the
/// browser test cannot run here.
pub(crate) fn browser_programs() -> Option<(PathBuf, PathBuf)> {
    let chromium = on_path("chromium").or_else(|| on_path("chromium-browser"));
    let driver = on_path("chromedriver");
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            let message = "the browser tests need `chromium` and `chromedriver` on PATH \
                           (Debian: apt-get install chromium chromium-driver)";
            if std::env::var("VERBATIM_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!("VERBATIM_REQUIRE_BROWSER=1 but {message}");
            }
            eprintln!("notice: skipping the browser test: {message}");
            None
        }
    }
}

/// A runtime of its own for a browser session, in a test whose PostgreSQL
/// clients block: the studies are set up and checked outside it.
pub(crate) fn browser_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the browser")
}

/// A chromedriver process and a browser session on it.
pub(crate) struct Browser {
    pub(crate) client: Client,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

pub(crate) async fn browser(
    chromium: &Path,
    chromedriver: &Path,
    width: u32,
    height: u32,
) -> Browser {
    browser_saving(chromium, chromedriver, width, height, None).await
}

/// A browser session that saves the files it downloads into `downloads`
/// (when given) without asking.
pub(crate) async fn browser_saving(
    chromium: &Path,
    chromedriver: &Path,
    width: u32,
    height: u32,
    downloads: Option<&Path>,
) -> Browser {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver::spawn(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                format!("--user-data-dir={}", profile.path().display()),
                format!("--window-size={width},{height}"),
            ],
            "prefs": downloads.map_or(json!({}), |dir| json!({
                "download.default_directory": dir,
                "download.prompt_for_download": false,
            })),
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a chromium session through chromedriver");
    // Elements a page's script adds may appear a moment after the page has
    // loaded, later still on a busy CI machine: let `find` wait for them.
    client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            None,
            None,
            Some(Duration::from_secs(5)),
        ))
        .await
        .expect("chromedriver accepts an implicit wait");
    Browser {
        client,
        _driver: driver,
        _profile: profile,
    }
}

/// Runs `script` until it returns true, or fails after a few seconds.
pub(crate) async fn until(c: &Client, what: &str, script: &str) {
    until_with(c, what, script, vec![]).await;
}

/// Runs `script` with `args` until it returns true, or fails after a few
/// seconds.
pub(crate) async fn until_with(c: &Client, what: &str, script: &str, args: Vec<Value>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = c.execute(script, args.clone()).await.unwrap();
        if v == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn eval(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Writes a screenshot when `VERBATIM_SCREENSHOTS` names a folder.
pub(crate) async fn shot(c: &Client, name: &str) {
    let Ok(dir) = std::env::var("VERBATIM_SCREENSHOTS") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// Selects the first occurrence of `phrase` in the reader's text (as a
/// mouse would) and releases the mouse over it.
pub(crate) const SELECT: &str = r#"
const phrase = arguments[0];
for (const txt of document.querySelectorAll('#doc .txt')) {
  const walker = document.createTreeWalker(txt, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(phrase);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + phrase.length);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    node.parentElement.scrollIntoView({block: 'center'});
    txt.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    return true;
  }
}
return false;
"#;

/// True when a highlight holds `phrase` (arguments[0]).
pub(crate) const MARKED: &str = r#"
return [...document.querySelectorAll('#doc mark.hl')].some((m) => m.textContent.includes(arguments[0]));
"#;

pub(crate) async fn run_with(c: &Client, script: &str, arg: &str) -> Value {
    c.execute(script, vec![json!(arg)]).await.unwrap()
}

/// Clicks what `css` selects (waiting for it as `find` does).
pub(crate) async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("nothing to click at {css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Types `text` into the field `css` selects.
pub(crate) async fn type_in(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no field {css}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Fills the login form (the study's, or the folder's start page with its
/// study already chosen) with `name` and `password` and sends it, as a
/// person does: types in both fields, clicks the button.
pub(crate) async fn log_in(c: &Client, name: &str, password: &str) {
    type_in(c, "#login-name", name).await;
    type_in(c, "#login-password", password).await;
    click(c, "#login-submit").await;
}

/// Waits until the reader has painted its source.
pub(crate) async fn reader_ready(c: &Client) {
    until(
        c,
        "the reader",
        "return document.getElementById('reader')?.dataset.ready === 'true'",
    )
    .await;
}

/// Selects `phrase` in the reader and codes it with a new code `name`.
pub(crate) async fn code_new(c: &Client, phrase: &str, name: &str) {
    let selected = c.execute(SELECT, vec![json!(phrase)]).await.unwrap();
    assert_eq!(selected, json!(true), "{phrase:?} is in the reader");
    until(
        c,
        "the code picker",
        "return !document.getElementById('picker').hidden",
    )
    .await;
    type_in(c, "#picker-input", name).await;
    until(
        c,
        "the new-code choice",
        "return document.querySelector('#picker-list li.create') !== null",
    )
    .await;
    type_in(c, "#picker-input", "\u{E007}").await;
    until_with(c, "the new highlight", MARKED, vec![json!(phrase)]).await;
}

/// Drags the tree row of `from` onto the middle of the row of `onto`, with
/// the DragEvents a mouse drag fires (WebDriver's pointer actions do not
/// start HTML5 drags in Chromium).
const DRAG: &str = r#"
const row = (name) => [...document.querySelectorAll('#tree .node-row')].find((r) => r.querySelector('.name').textContent === name);
const from = row(arguments[0]);
const onto = row(arguments[1]);
if (!from || !onto) return false;
const data = new DataTransfer();
const box = onto.getBoundingClientRect();
const at = {bubbles: true, cancelable: true, dataTransfer: data, clientX: box.left + 20, clientY: box.top + box.height / 2};
from.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: data}));
onto.dispatchEvent(new DragEvent('dragover', at));
onto.dispatchEvent(new DragEvent('drop', at));
from.dispatchEvent(new DragEvent('dragend', {bubbles: true, dataTransfer: data}));
return true;
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_researcher_codes_reorganises_and_searches_in_the_browser() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "demo.vbt", "--blind"]).ok();
    ws.write(
        "hostile.txt",
        "INT : Bonjour <script>window.__xss = 1</script>\n\
         P1 : <img src=x onerror=\"window.__xss = 2\"> & <b>gras</b>\n",
    );
    ws.run(&["import", "--project", "demo.vbt", "hostile.txt"])
        .ok();
    let server = serve(&ws, "demo.vbt", "amira");
    let base = server.base.clone();
    let b = browser(&chromium, &chromedriver, 1400, 900).await;
    let c = &b.client;

    // The study home page.
    c.goto(&format!("{base}/")).await.unwrap();
    let title = c.find(Locator::Css("main h1")).await.unwrap();
    assert!(title.text().await.unwrap().starts_with("Demo:"));
    shot(c, "home").await;

    // Open a source from the home page.
    c.find(Locator::LinkText(
        "Entretien individuel CHI-1, infirmier, service d’addictologie",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    reader_ready(c).await;
    let speakers = eval(c, "return [...document.querySelectorAll('.turn .speaker')].slice(0, 2).map((e) => e.textContent)").await;
    assert_eq!(speakers, json!(["INT", "CHI-1"]));
    let interviewer = eval(
        c,
        "return document.querySelector('.turn.interviewer .role')?.textContent",
    )
    .await;
    assert_eq!(interviewer, json!("interviewer"));

    // Select a passage and code it with a new code, typed in the picker.
    let phrase = "Qu’est-ce qui vous a fait rester";
    assert_eq!(run_with(c, MARKED, phrase).await, json!(false));
    code_new(c, phrase, "Rester par choix").await;
    let stripe = eval(c, "return [...document.querySelectorAll('#stripes .stripe')].some((s) => s.title.startsWith('Rester par choix'))").await;
    assert_eq!(
        stripe,
        json!(true),
        "the coding has its stripe in the margin"
    );
    // The screenshot shows a passage dense with the coder's codings.
    let top = "const m = document.querySelectorAll('#doc mark.hl')[6]; \
               window.scrollTo(0, m.getBoundingClientRect().top + window.scrollY - 160); return true;";
    eval(c, top).await;
    shot(c, "reader").await;

    // Reload: the coding was stored.
    c.refresh().await.unwrap();
    reader_ready(c).await;
    assert_eq!(run_with(c, MARKED, phrase).await, json!(true));

    // Click the highlight: the panel shows the passage and the code.
    let clicked = run_with(
        c,
        r#"const m = [...document.querySelectorAll('#doc mark.hl')].find((m) => m.textContent.includes(arguments[0])); m.click(); return true;"#,
        phrase,
    )
    .await;
    assert_eq!(clicked, json!(true));
    until(c, "the coding panel", "return !document.getElementById('detail').hidden && document.querySelector('#detail h2').textContent.includes('Rester par choix')").await;

    // Undo removes the coding; a reload confirms it.
    click(c, "#undo").await;
    until(c, "the highlight to go", &format!("return ![...document.querySelectorAll('#doc mark.hl')].some((m) => m.textContent.includes({phrase:?}))")).await;
    c.refresh().await.unwrap();
    reader_ready(c).await;
    assert_eq!(run_with(c, MARKED, phrase).await, json!(false));

    // The tree editor: drag an idea under another sub-theme.
    c.goto(&format!("{base}/codes")).await.unwrap();
    let parent_of = r#"const li = [...document.querySelectorAll('#tree li[data-id]')].find((l) => l.querySelector(':scope > .node-row .name').textContent === arguments[0]); const up = li.parentElement.closest('li[data-id]'); return up ? up.querySelector(':scope > .node-row .name').textContent : null;"#;
    assert_eq!(
        run_with(c, parent_of, "Ne pas juger").await,
        json!("Présence fiable")
    );
    let dragged = c
        .execute(
            DRAG,
            vec![json!("Ne pas juger"), json!("Épreuves de la confiance")],
        )
        .await
        .unwrap();
    assert_eq!(dragged, json!(true));
    let moved = format!(
        "try {{ return (() => {{ {parent_of} }})() === arguments[1]; }} catch (e) {{ return false; }}"
    );
    until_with(
        c,
        "the tree to show the move",
        &moved,
        vec![json!("Ne pas juger"), json!("Épreuves de la confiance")],
    )
    .await;
    // Select a code: its passages across sources.
    let row = c
        .find(Locator::XPath(
            "//ul[@id='tree']//span[@class='name'][text()='Épreuves de la confiance']",
        ))
        .await
        .unwrap();
    row.click().await.unwrap();
    until(
        c,
        "the code's passages",
        "return document.querySelectorAll('#passages li').length > 0",
    )
    .await;
    shot(c, "codes").await;

    // Search, then jump to a hit in the reader.
    c.goto(&format!("{base}/search")).await.unwrap();
    let q = c.find(Locator::Id("q")).await.unwrap();
    q.send_keys("confiance\u{E007}").await.unwrap();
    until(
        c,
        "the hits",
        "return document.querySelectorAll('#kwic tr').length > 3",
    )
    .await;
    shot(c, "search").await;
    let hits = c.find_all(Locator::Css("#kwic .hit-link")).await.unwrap();
    let hit = &hits[3];
    let word = hit.text().await.unwrap();
    hit.click().await.unwrap();
    reader_ready(c).await;
    until(c, "the outlined hit", "const f = document.querySelector('#doc .flash'); if (!f) return false; const r = f.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight;").await;
    // The outline sits on the hit's own word.
    let under = eval(c, "const f = document.querySelector('#doc .flash').getBoundingClientRect(); const range = document.caretRangeFromPoint(f.left + f.width / 2, f.top + f.height / 2); range.expand('word'); return range.toString();").await;
    assert_eq!(under.as_str().map(str::trim), Some(word.as_str()));

    // A transcript holding HTML shows it as text and runs none of it.
    let hostile = ws
        .run(&["sources", "--project", "demo.vbt", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().is_some_and(|n| n.starts_with("hostile")))
        .map(|s| s["id"].as_i64().unwrap())
        .unwrap();
    c.goto(&format!("{base}/sources/{hostile}")).await.unwrap();
    reader_ready(c).await;
    let shown = eval(c, "return document.getElementById('doc').innerText").await;
    let shown = shown.as_str().unwrap();
    assert!(
        shown.contains("<script>window.__xss = 1</script>"),
        "{shown}"
    );
    assert!(shown.contains("<b>gras</b>"), "{shown}");
    let ran = eval(c, "return [window.__xss === undefined, document.querySelectorAll('#doc script, #doc img, #doc b').length]").await;
    assert_eq!(ran, json!([true, 0]));

    b.client.clone().close().await.unwrap();
}

// ------------------------------------------------------------ performance

/// Returns the median of `xs`.
pub(crate) fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Returns a generated interview of about `words` words in alternating
/// turns, made of plain ASCII words (so UTF-16 and char offsets agree).
pub(crate) fn synthetic_interview(words: usize) -> String {
    const VOCAB: [&str; 16] = [
        "patient", "trust", "team", "rules", "test", "talk", "night", "shift", "care", "doubt",
        "relapse", "listen", "coffee", "door", "week", "project",
    ];
    let mut text = String::new();
    let mut n = 0;
    let mut turn = 0;
    while n < words {
        let speaker = if turn % 2 == 0 { "INT" } else { "P1" };
        text.push_str(speaker);
        text.push_str(" : ");
        for i in 0..100 {
            text.push_str(VOCAB[(n * 7 + i * 3 + turn) % VOCAB.len()]);
            text.push(if i % 12 == 11 { '.' } else { ' ' });
            n += 1;
        }
        text.push_str("\n\n");
        turn += 1;
    }
    text
}

/// The reader on a 20k-word transcript with 1,000 codings: DOM ready and
/// highlights painted (the `highlights-painted` mark of reader.js), and the
/// round trip of coding a passage from the page. Prints the figures; run by
/// `bench/web.sh`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with bench/web.sh"]
async fn web_performance() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = Workspace::empty();
    ws.run(&["init", "--project", "bench.vbt", "--title", "Bench"])
        .ok();
    ws.run(&["coder", "add", "bench", "--project", "bench.vbt"])
        .ok();
    ws.write("long.txt", synthetic_interview(20_000));
    ws.run(&["import", "--project", "bench.vbt", "long.txt"])
        .ok();
    let server = serve(&ws, "bench.vbt", "bench");
    let base = server.base.as_str();
    let (token, cookie) = token_of(base);
    let headers = [
        ("Content-Type", "application/json"),
        ("Cookie", cookie.as_str()),
        ("X-CSRF-Token", token.as_str()),
    ];
    let source = 1;
    let chars = ws
        .run(&["sources", "--project", "bench.vbt", "--json"])
        .json()[0]["chars"]
        .as_u64()
        .unwrap() as usize;
    let mut codes = Vec::new();
    for i in 0..25 {
        let body = json!({ "name": format!("code {i}") }).to_string();
        let r = http(base, "POST", "/api/codes", &headers, &body);
        assert_eq!(r.status, 200, "{}", r.body);
        codes.push(serde_json::from_str::<Value>(&r.body).unwrap()["id"].clone());
    }
    let mut api_ms = Vec::new();
    for i in 0..1000usize {
        let start = (i * 7919) % (chars - 400);
        let end = start + 20 + (i * 37) % 300;
        let body = json!({"source_id": source, "start": start, "end": end, "code_id": codes[i % codes.len()]})
            .to_string();
        let t = Instant::now();
        let r = http(base, "POST", "/api/codings", &headers, &body);
        api_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let b = browser(&chromium, &chromedriver, 1400, 900).await;
    let c = &b.client;
    let (mut ready, mut painted, mut paint_only) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..7 {
        c.goto(&format!("{base}/sources/{source}")).await.unwrap();
        reader_ready(c).await;
        let t = eval(
            c,
            "const nav = performance.getEntriesByType('navigation')[0]; \
             return [nav.domContentLoadedEventEnd, \
                     performance.getEntriesByName('highlights-painted')[0].startTime, \
                     performance.getEntriesByName('reader-paint')[0].duration, \
                     document.querySelectorAll('#doc mark.hl').length, \
                     document.querySelectorAll('#stripes .stripe').length];",
        )
        .await;
        ready.push(t[0].as_f64().unwrap());
        painted.push(t[1].as_f64().unwrap());
        paint_only.push(t[2].as_f64().unwrap());
        assert_eq!(t[4], json!(1000), "every coding has a stripe");
    }
    // Code passages from the page: select, pick the first code, Enter.
    for i in 0..15 {
        let phrase = eval(
            c,
            &format!("const t = document.querySelectorAll('#doc .txt')[{}]; return t.textContent.slice(10, 60);", 20 + i * 5),
        )
        .await;
        let phrase = phrase.as_str().unwrap().to_owned();
        c.execute(SELECT, vec![json!(phrase)]).await.unwrap();
        until(
            c,
            "the code picker",
            "return !document.getElementById('picker').hidden",
        )
        .await;
        let input = c.find(Locator::Id("picker-input")).await.unwrap();
        input.send_keys("code 1\u{E007}").await.unwrap();
        until_with(
            c,
            "the timing",
            "return (window.verbatimTimings || []).length === arguments[0]",
            vec![json!(i + 1)],
        )
        .await;
    }
    let round_trips: Vec<f64> = eval(c, "return window.verbatimTimings")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    println!("web_performance: 20,000-word transcript, 1,000 codings, headless Chromium");
    println!(
        "  DOM content loaded (median of 7)      {:8.1} ms",
        median(ready)
    );
    println!(
        "  highlights + stripes painted (median) {:8.1} ms after navigation start",
        median(painted)
    );
    println!(
        "  reader.js paint pass alone (median)   {:8.1} ms",
        median(paint_only)
    );
    println!(
        "  coding round trip from the page (median of {}) {:6.1} ms",
        round_trips.len(),
        median(round_trips)
    );
    println!(
        "  POST /api/codings from Rust (median of 1000)  {:6.1} ms",
        median(api_ms)
    );
    b.client.clone().close().await.unwrap();
}
