//! `verbatim serve --team` over plain HTTP against the real binary, on the
//! blind demo study with four accounts: anonymous requests are refused, a
//! wrong password does not log in, failed logins are rate-limited, coder
//! A never reads coder B's blind layer whatever cookie or parameter A
//! sends, a viewer writes nothing, a coder neither reveals nor
//! de-identifies, each refusal leaves the study as it was, and the audit
//! log names the account behind each change. The browser half logs in
//! through the form, codes, logs out, and checks a viewer's pages.

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::accounts::add_account;
use crate::browser::{
    MARKED, Reply, SELECT, Server, browser, browser_programs, code_new, eval, http, log_in,
    reader_ready, run_with, serve_with, shot, until,
};
use crate::common::Workspace;

const OWNER: (&str, &str) = ("olga", "olga-mot-de-passe");
const AMIRA: (&str, &str) = ("amira", "amira-mot-de-passe");
const BRUNO: (&str, &str) = ("bruno", "bruno-mot-de-passe");
const VIEWER: (&str, &str) = ("vera", "vera-mot-de-passe");

/// The blind demo (coders amira, bruno, chloe) with an owner, two coder
/// accounts and a viewer.
fn team_study() -> Workspace {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "demo.vbt", "--blind"]).ok();
    add_account(&ws, "demo.vbt", OWNER.0, "owner", OWNER.1);
    add_account(&ws, "demo.vbt", AMIRA.0, "coder", AMIRA.1);
    add_account(&ws, "demo.vbt", BRUNO.0, "coder", BRUNO.1);
    add_account(&ws, "demo.vbt", VIEWER.0, "viewer", VIEWER.1);
    ws
}

fn serve_team(ws: &Workspace) -> Server {
    // --coder is given to show that team mode ignores it.
    serve_with(ws, &["--project", "demo.vbt", "--team", "--coder", "bruno"])
}

/// Returns the values of every `Set-Cookie` of a reply, by cookie name.
pub(crate) fn set_cookie<'r>(reply: &'r Reply, name: &str) -> Option<&'r str> {
    reply
        .headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.as_str())
        .find(|v| v.starts_with(&format!("{name}=")))
}

/// Percent-encodes a form value.
pub(crate) fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A browser's cookies and the page's CSRF token.
pub(crate) struct Agent {
    pub(crate) base: String,
    pub(crate) csrf: String,
    pub(crate) cookies: String,
}

impl Agent {
    /// Returns an anonymous agent holding the CSRF cookie the login page sets.
    pub(crate) fn new(base: &str) -> Self {
        let page = http(base, "GET", "/login", &[], "");
        assert_eq!(page.status, 200, "{}", page.body);
        let cookie = set_cookie(&page, "vb_csrf").unwrap();
        let pair = cookie.split(';').next().unwrap().to_owned();
        let csrf = pair.split_once('=').unwrap().1.to_owned();
        assert!(
            page.body
                .contains(&format!(r#"name="csrf" value="{csrf}""#))
        );
        Agent {
            base: base.to_owned(),
            csrf,
            cookies: pair,
        }
    }

    /// Posts the login form; keeps the session cookie when one is set.
    fn login_form(&mut self, name: &str, password: &str, next: &str) -> Reply {
        let body = format!(
            "name={}&password={}&next={}&csrf={}",
            enc(name),
            enc(password),
            enc(next),
            self.csrf
        );
        let reply = self.send("POST", "/login", "application/x-www-form-urlencoded", &body);
        if let Some(session) = set_cookie(&reply, "vb_session") {
            self.cookies.push_str("; ");
            self.cookies.push_str(session.split(';').next().unwrap());
        }
        reply
    }

    /// Returns an agent logged in as `who`.
    fn logged_in(base: &str, (name, password): (&str, &str)) -> Self {
        let mut agent = Agent::new(base);
        let reply = agent.login_form(name, password, "/");
        assert_eq!(reply.status, 303, "{}", reply.body);
        agent
    }

    pub(crate) fn send(&self, method: &str, path: &str, content_type: &str, body: &str) -> Reply {
        http(
            &self.base,
            method,
            path,
            &[
                ("Cookie", &self.cookies),
                ("X-CSRF-Token", &self.csrf),
                ("Content-Type", content_type),
            ],
            body,
        )
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        http(&self.base, "GET", path, &[("Cookie", &self.cookies)], "")
    }

    pub(crate) fn json(&self, method: &str, path: &str, body: &Value) -> Reply {
        self.send(method, path, "application/json", &body.to_string())
    }
}

pub(crate) fn parse(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", reply.status, reply.body))
}

/// The study's tables, sessions and the login log left out (logging in
/// writes to both): what "nothing changed" means here.
fn study_state(ws: &Workspace) -> Vec<String> {
    ws.dump()
        .into_iter()
        .filter(|row| !row.starts_with("sessions:") && !row.starts_with("logins:"))
        .collect()
}

#[test]
fn a_team_server_needs_an_owner_account_first() {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "demo.vbt", "--blind"]).ok();
    let refused = ws.run(&[
        "serve",
        "--project",
        "demo.vbt",
        "--team",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_ne!(refused.code, 0);
    assert!(
        refused
            .stderr
            .contains("verbatim account add NAME --role owner --password-stdin"),
        "{}",
        refused.stderr
    );
}

#[test]
fn anonymous_requests_are_refused_and_only_the_right_password_logs_in() {
    let ws = team_study();
    let server = serve_team(&ws);
    let base = server.base.as_str();

    // Pages send to the login page, coming back after; the API says 401.
    let page = http(base, "GET", "/sources/3?x=1", &[], "");
    assert_eq!(page.status, 303);
    assert_eq!(
        page.header("location"),
        Some("/login?next=%2Fsources%2F3%3Fx%3D1")
    );
    let api = http(base, "GET", "/api/codes", &[], "");
    assert_eq!(api.status, 401);
    assert!(
        parse(&api)["error"]
            .as_str()
            .unwrap()
            .starts_with("log in first")
    );
    // A made-up session is no session.
    let forged = format!("vb_session={}", "ab".repeat(32));
    let api = http(base, "GET", "/api/codes", &[("Cookie", &forged)], "");
    assert_eq!(api.status, 401);
    // The vb_coder cookie alone opens nothing.
    let api = http(
        base,
        "GET",
        "/api/codes",
        &[("Cookie", "vb_coder=amira")],
        "",
    );
    assert_eq!(api.status, 401);

    // A wrong password: the form again, no session.
    let mut agent = Agent::new(base);
    let wrong = agent.login_form("amira", "pas le bon mot", "/codes");
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("wrong name or password"));
    assert!(set_cookie(&wrong, "vb_session").is_none());
    assert_eq!(agent.get("/api/codes").status, 401);
    let unknown = agent.login_form("personne", AMIRA.1, "/");
    assert_eq!(unknown.status, 401);

    // The right one: a session cookie, back to the page asked for.
    let right = agent.login_form("amira", AMIRA.1, "/codes");
    assert_eq!(right.status, 303);
    assert_eq!(right.header("location"), Some("/codes"));
    let cookie = set_cookie(&right, "vb_session").unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=604800"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert_eq!(agent.get("/api/codes").status, 200);
    let home = agent.get("/");
    assert_eq!(home.status, 200);
    assert!(
        home.body
            .contains(r#"<strong id="account-name">amira</strong> (coder)"#)
    );

    // Only local paths come back after login.
    let mut other = Agent::new(base);
    let away = other.login_form("bruno", BRUNO.1, "//evil.example/");
    assert_eq!(away.header("location"), Some("/"));

    // Logging out ends the session on the server, not only in the browser.
    let out = agent.send(
        "POST",
        "/logout",
        "application/x-www-form-urlencoded",
        &format!("csrf={}", agent.csrf),
    );
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), Some("/login"));
    assert_eq!(agent.get("/api/codes").status, 401);
}

#[test]
fn failed_logins_are_limited_per_name_then_per_address() {
    let ws = team_study();
    let server = serve_team(&ws);
    let base = server.base.as_str();
    let mut agent = Agent::new(base);
    // Five failures for amira within five minutes …
    for _ in 0..5 {
        assert_eq!(agent.login_form("amira", "devine", "/").status, 401);
    }
    // … and the sixth attempt waits, even with the right password.
    let limited = agent.login_form("amira", AMIRA.1, "/");
    assert_eq!(limited.status, 429);
    assert!(
        limited.body.contains("too many failed logins"),
        "{}",
        limited.body
    );
    assert!(set_cookie(&limited, "vb_session").is_none());
    // Another name from the same address still logs in (5 of its 20).
    let bruno = agent.login_form("bruno", BRUNO.1, "/");
    assert_eq!(bruno.status, 303);
    // Fifteen more failures under other names fill the address's twenty.
    for i in 0..15 {
        assert_eq!(
            agent.login_form(&format!("x{i}"), "devine", "/").status,
            401
        );
    }
    assert_eq!(agent.login_form("vera", VIEWER.1, "/").status, 429);
}

/// Returns `verbatim sources --json` of the study.
fn demo_sources(ws: &Workspace) -> Vec<Value> {
    let run = ws.run(&["sources", "--project", "demo.vbt", "--json"]).ok();
    run.json().as_array().unwrap().clone()
}

/// Returns the ids of the coders, by name.
fn coder_id(ws: &Workspace, name: &str) -> i64 {
    let coders = ws
        .run(&["coder", "list", "--project", "demo.vbt", "--json"])
        .ok()
        .json();
    coders
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_coder_never_reads_a_colleagues_blind_layer_whatever_cookie_or_parameter() {
    let ws = team_study();
    let (amira, bruno) = (coder_id(&ws, "amira"), coder_id(&ws, "bruno"));
    let bruno_codings = ws
        .run_env(
            &["coding", "list", "--project", "demo.vbt", "--json"],
            &[("VERBATIM_CODER", "bruno")],
        )
        .ok()
        .json();
    assert!(
        !bruno_codings.as_array().unwrap().is_empty(),
        "bruno has a layer to hide"
    );
    let server = serve_team(&ws);
    let mut agent = Agent::logged_in(&server.base, AMIRA);
    // What a coder might try: the local picker's cookie naming bruno.
    agent.cookies.push_str("; vb_coder=bruno");
    let mut seen = 0;
    for source in demo_sources(&ws) {
        let id = source["id"].as_i64().unwrap();
        let reply = agent.get(&format!("/api/sources/{id}/codings?coder=bruno"));
        assert_eq!(reply.status, 200, "{}", reply.body);
        for coding in parse(&reply).as_array().unwrap() {
            assert_eq!(coding["coder_id"], amira, "source {id}: {coding}");
            seen += 1;
        }
    }
    assert!(seen > 0, "amira sees her own layer");
    // One of bruno's codings asked for by id: not found in amira's layer.
    let theirs = bruno_codings[0]["id"].as_i64().unwrap();
    let reply = agent.get(&format!("/api/codings/{theirs}"));
    assert!(matches!(reply.status, 403 | 404), "{}", reply.body);
    assert!(
        !reply.body.contains("\"coder\":\"bruno\""),
        "{}",
        reply.body
    );
    // Comparing needs every layer: refused before reveal, whoever is named.
    for path in [
        "/api/agreement?a=amira&b=bruno",
        "/api/alignment?a=bruno&b=chloe",
        "/api/disagreements?a=amira&b=bruno&code_a=1&code_b=2",
    ] {
        let reply = agent.get(path);
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
    }
    assert_eq!(agent.get("/api/codes").status, 200);
    // The reader page acts as amira and lists her alone among the coders.
    let reader = agent.get("/sources/3");
    assert!(reader.body.contains(&format!(r#"data-me="{amira}""#)));
    let coders = reader
        .body
        .split(r#"data-coders=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert!(
        coders.contains("amira") && !coders.contains("bruno"),
        "{coders}"
    );
    let _ = bruno;
}

#[test]
fn refusals_by_role_are_403_and_change_nothing() {
    let ws = team_study();
    let server = serve_team(&ws);
    let viewer = Agent::logged_in(&server.base, VIEWER);
    let coder = Agent::logged_in(&server.base, AMIRA);
    let before = study_state(&ws);

    let coding = json!({"source_id": 3, "start": 300, "end": 340, "new_code": {"name": "Forged"}});
    let viewer_writes = [
        ("POST", "/api/codings", coding.clone()),
        ("POST", "/api/codes", json!({"name": "Forged"})),
        (
            "POST",
            "/api/memos",
            json!({"target": "study", "body": "x"}),
        ),
        (
            "POST",
            "/api/journal",
            json!({"kind": "note", "title": "t", "body": "b"}),
        ),
        ("POST", "/api/undo", json!({})),
        ("POST", "/api/reveal", json!({})),
    ];
    for (method, path, body) in &viewer_writes {
        let reply = viewer.json(method, path, body);
        assert_eq!(reply.status, 403, "viewer {method} {path}: {}", reply.body);
        let error = parse(&reply)["error"].as_str().unwrap().to_owned();
        assert!(error.contains("vera is a viewer account"), "{error}");
    }
    let owner_only = [
        ("POST", "/api/reveal", json!({})),
        ("GET", "/api/deidentify", json!(null)),
        ("POST", "/api/deidentify/apply", json!({"names": "Amira"})),
        ("POST", "/api/participants/roster", json!({})),
        ("PATCH", "/api/participants/1", json!({"label": "x"})),
        ("PATCH", "/api/sources/3", json!({"site": "x"})),
        ("PUT", "/api/speakers", json!({})),
        ("GET", "/api/accounts", json!(null)),
        (
            "POST",
            "/api/accounts",
            json!({"name": "mallory", "role": "owner", "password": "12345678"}),
        ),
        ("PATCH", "/api/accounts/amira", json!({"role": "owner"})),
        (
            "POST",
            "/api/invitations",
            json!({"name": "mallory", "role": "owner"}),
        ),
    ];
    for (method, path, body) in &owner_only {
        let reply = coder.json(method, path, body);
        assert_eq!(reply.status, 403, "coder {method} {path}: {}", reply.body);
        let error = parse(&reply)["error"].as_str().unwrap().to_owned();
        assert!(error.contains("needs the owner role"), "{error}");
    }
    // The owner's page too, as a page.
    let page = coder.get("/accounts");
    assert_eq!(page.status, 403);
    assert!(page.body.contains("needs the owner role"));
    assert_eq!(study_state(&ws), before, "no refusal changed the study");

    // Reading is every role's.
    assert_eq!(viewer.get("/api/codes").status, 200);
    assert_eq!(viewer.get("/sources/3").status, 200);
    assert_eq!(coder.get("/api/participants").status, 200);
}

#[test]
fn the_audit_log_names_the_account_behind_each_change_and_invitations_work_once() {
    let ws = team_study();
    let server = serve_team(&ws);
    let viewer = Agent::logged_in(&server.base, VIEWER);
    let amira = coder_id(&ws, "amira");
    let before = parse(&viewer.get("/api/sources/3/codings"));
    assert!(
        !before
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["coder_id"] == amira),
        "{before}"
    );
    let coder = Agent::logged_in(&server.base, AMIRA);
    let coded = coder.json(
        "POST",
        "/api/codings",
        &json!({"source_id": 3, "start": 300, "end": 340, "new_code": {"name": "Confiance d’équipe"}}),
    );
    assert_eq!(coded.status, 200, "{}", coded.body);
    let owner = Agent::logged_in(&server.base, OWNER);
    let revealed = owner.json("POST", "/api/reveal", &json!({}));
    assert_eq!(revealed.status, 200, "{}", revealed.body);
    // Once revealed, a viewer reads every coder's layer; before, the
    // shared codebook and the consensus only.
    let seen = parse(&viewer.get("/api/sources/3/codings"));
    assert!(
        seen.as_array()
            .unwrap()
            .iter()
            .any(|c| c["coder_id"] == amira),
        "{seen}"
    );
    let invited = owner.json(
        "POST",
        "/api/invitations",
        &json!({"name": "dora", "role": "viewer"}),
    );
    assert_eq!(invited.status, 200, "{}", invited.body);
    let path = parse(&invited)["path"].as_str().unwrap().to_owned();

    let log = ws
        .run(&["log", "--project", "demo.vbt", "--json", "--limit", "4"])
        .ok()
        .json();
    let entries: Vec<(&str, &str, Option<&str>)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor"].as_str().unwrap(),
                e["account"].as_str(),
            )
        })
        .collect();
    // Newest first: the invitation, the reveal, then the coding and the
    // code it created (one action each).
    assert_eq!(entries[0], ("account.invite", "olga", Some("olga")));
    assert_eq!(entries[1], ("study.reveal", "olga", Some("olga")));
    assert_eq!(entries[2].2, Some("amira"), "{entries:?}");
    assert_eq!(entries[2].1, "amira");
    // The CLI's own changes name no account.
    ws.run(&["coder", "add", "--project", "demo.vbt", "emma"])
        .ok();
    let newest = ws
        .run(&["log", "--project", "demo.vbt", "--json", "--limit", "1"])
        .ok()
        .json();
    assert!(newest[0].get("account").is_none(), "{newest}");

    // The invitation: a page without a session, a password, then logged in.
    let anonymous = Agent::new(&server.base);
    let page = anonymous.get(&path);
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(r#"<strong id="invited-name">dora</strong> (viewer)"#)
    );
    let accepted = anonymous.send(
        "POST",
        &path,
        "application/x-www-form-urlencoded",
        &format!("password=dora-mot-de-passe&csrf={}", anonymous.csrf),
    );
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let session = set_cookie(&accepted, "vb_session")
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    let home = http(&server.base, "GET", "/", &[("Cookie", session)], "");
    assert!(
        home.body
            .contains(r#"<strong id="account-name">dora</strong> (viewer)"#)
    );
    let again = anonymous.get(&path);
    assert_eq!(again.status, 404);
    assert!(again.body.contains("already used or expired"));
}

#[test]
fn the_owner_manages_accounts_through_the_api_and_the_last_owner_stays() {
    let ws = team_study();
    let server = serve_team(&ws);
    let owner = Agent::logged_in(&server.base, OWNER);
    let added = owner.json(
        "POST",
        "/api/accounts",
        &json!({"name": "dora", "role": "coder", "password": "dora-mot-de-passe"}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(parse(&added)["role"], "coder");
    // Dora logs in and is a coder of the study.
    let dora = Agent::logged_in(&server.base, ("dora", "dora-mot-de-passe"));
    assert!(
        dora.get("/")
            .body
            .contains(r#"<strong id="account-name">dora</strong> (coder)"#)
    );
    let duplicate = owner.json(
        "POST",
        "/api/accounts",
        &json!({"name": "dora", "role": "viewer", "password": "autre-mot-de-passe"}),
    );
    assert_eq!(duplicate.status, 409);
    let bad_role = owner.json("PATCH", "/api/accounts/dora", &json!({"role": "chef"}));
    assert_eq!(bad_role.status, 400);
    assert!(
        parse(&bad_role)["error"]
            .as_str()
            .unwrap()
            .contains("use owner, coder or viewer")
    );
    // A role change acts on dora's next request.
    assert_eq!(
        owner
            .json("PATCH", "/api/accounts/dora", &json!({"role": "viewer"}))
            .status,
        200
    );
    let refused = dora.json(
        "POST",
        "/api/memos",
        &json!({"target": "study", "body": "x"}),
    );
    assert_eq!(refused.status, 403);
    // The last owner can neither go nor step down; nothing changes.
    let before = study_state(&ws);
    let last = owner.json("DELETE", "/api/accounts/olga", &json!(null));
    assert_eq!(last.status, 409);
    assert!(
        parse(&last)["error"]
            .as_str()
            .unwrap()
            .contains("last owner")
    );
    assert_eq!(
        owner
            .json("PATCH", "/api/accounts/olga", &json!({"role": "coder"}))
            .status,
        409
    );
    assert_eq!(study_state(&ws), before);
    // Removing dora ends her session at once.
    assert_eq!(
        owner
            .json("DELETE", "/api/accounts/dora", &json!(null))
            .status,
        200
    );
    assert_eq!(dora.get("/api/codes").status, 401);
    let list = parse(&owner.get("/api/accounts"));
    let dora_row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "dora")
        .unwrap();
    assert!(dora_row["disabled_at"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coder_logs_in_codes_and_logs_out_and_a_viewer_finds_no_way_to_write() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = team_study();
    let server = serve_team(&ws);
    let base = server.base.clone();
    let b = browser(&chromium, &chromedriver, 1280, 900).await;
    let c = &b.client;

    // Any page leads to the login form, then back.
    c.goto(&format!("{base}/sources/3")).await.unwrap();
    shot(c, "login").await;
    log_in(c, "amira", AMIRA.1).await;
    reader_ready(c).await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/sources/3")
    );
    let who = c
        .find(Locator::Id("account-name"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(who, "amira");

    // Code a passage with a new code, as in the local server.
    let phrase = "Qu’est-ce qui vous a fait rester";
    let reply = http(&base, "GET", "/api/sources/3/codings", &[], "");
    assert_eq!(reply.status, 401, "the browser's session is not the test's");
    code_new(c, phrase, "Rester par choix").await;

    // Log out: the next page asks for the login again.
    c.find(Locator::Id("logout"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        c,
        "the login page",
        "return document.getElementById('login-name') !== null",
    )
    .await;
    c.goto(&format!("{base}/codes")).await.unwrap();
    assert!(c.find(Locator::Id("login-name")).await.is_ok());

    // The coding was stored under amira's account.
    let log = ws
        .run(&["log", "--project", "demo.vbt", "--json", "--limit", "1"])
        .ok()
        .json();
    assert_eq!(log[0]["account"], "amira", "{log}");

    // A viewer: logs in, reads, and the reader offers no coding.
    log_in(c, "vera", VIEWER.1).await;
    until(c, "the codes page", "return location.pathname === '/codes'").await;
    c.goto(&format!("{base}/sources/3")).await.unwrap();
    reader_ready(c).await;
    let enabled = c
        .execute(
            "return document.getElementById('reader').hasAttribute('data-enabled')",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(enabled, json!(false), "the viewer's reader has coding off");
    assert_eq!(run_with(c, SELECT, phrase).await, json!(true));
    let picker = c
        .execute(
            "return document.getElementById('picker')?.hidden ?? true",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(picker, json!(true), "selecting text opens no code picker");
    // Amira's blind coding is not shown to the viewer before reveal.
    assert_eq!(run_with(c, MARKED, phrase).await, json!(false));
    // No accounts link (owner only), and the page itself refuses.
    assert!(c.find(Locator::LinkText("Accounts")).await.is_err());
    c.goto(&format!("{base}/accounts")).await.unwrap();
    let body = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("needs the owner role"), "{body}");

    // The owner: the accounts page, an invitation link to copy.
    c.goto(&format!("{base}/")).await.unwrap();
    c.find(Locator::Id("logout"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        c,
        "the login page",
        "return document.getElementById('login-name') !== null",
    )
    .await;
    log_in(c, OWNER.0, OWNER.1).await;
    until(
        c,
        "the home page",
        "return document.getElementById('account-name') !== null",
    )
    .await;
    c.find(Locator::LinkText("Accounts"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        c,
        "the accounts page",
        "return document.getElementById('invite-account') !== null",
    )
    .await;
    let form = c.find(Locator::Id("invite-account")).await.unwrap();
    form.find(Locator::Css("input[name=name]"))
        .await
        .unwrap()
        .send_keys("dora")
        .await
        .unwrap();
    form.find(Locator::Css("button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        c,
        "the link",
        "return document.getElementById('invitation-link') !== null",
    )
    .await;
    let link = eval(c, "return document.getElementById('invitation-link').value").await;
    let link = link.as_str().unwrap();
    assert!(
        link.starts_with("/invite/") && link.len() == "/invite/".len() + 64,
        "{link}"
    );
    shot(c, "accounts").await;
}

/// Team mode's costs, printed for `bench/web.sh`: a login (Argon2id
/// verify plus a session row), and the coding round trip with the session
/// and role checks in place, which must stay under 50 ms.
#[test]
#[ignore = "benchmark: run with bench/web.sh"]
fn team_web_performance() {
    use std::time::Instant;

    use crate::browser::{median, synthetic_interview};

    let ws = Workspace::empty();
    ws.run(&["init", "--project", "demo.vbt", "--title", "Bench"])
        .ok();
    ws.write("long.txt", synthetic_interview(20_000));
    ws.run(&["import", "--project", "demo.vbt", "long.txt"])
        .ok();
    add_account(&ws, "demo.vbt", OWNER.0, "owner", OWNER.1);
    add_account(&ws, "demo.vbt", "bench", "coder", "bench-mot-de-passe");
    let server = serve_team(&ws);
    let base = server.base.as_str();
    let mut login_ms = Vec::new();
    for _ in 0..4 {
        let mut agent = Agent::new(base);
        let t = Instant::now();
        let reply = agent.login_form("bench", "bench-mot-de-passe", "/");
        login_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(reply.status, 303);
    }
    let agent = Agent::logged_in(base, ("bench", "bench-mot-de-passe"));
    let chars = demo_sources(&ws)[0]["chars"].as_u64().unwrap() as usize;
    let code = parse(&agent.json("POST", "/api/codes", &json!({"name": "code"})))["id"].clone();
    let mut coding_ms = Vec::new();
    for i in 0..300usize {
        let start = (i * 7919) % (chars - 400);
        let end = start + 20 + (i * 37) % 300;
        let body = json!({"source_id": 1, "start": start, "end": end, "code_id": code});
        let t = Instant::now();
        let reply = agent.json("POST", "/api/codings", &body);
        coding_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let mut read_ms = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        assert_eq!(agent.get("/api/sources/1/codings").status, 200);
        read_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let coding = median(coding_ms);
    println!("team_web_performance: serve --team, a session on every request");
    println!(
        "  POST /login, right password (median of 4)         {:6.1} ms",
        median(login_ms)
    );
    println!("  POST /api/codings with a session (median of 300)  {coding:6.1} ms");
    println!(
        "  GET a source's 300 codings with a session (median) {:6.1} ms",
        median(read_ms)
    );
    assert!(coding < 50.0, "the coding round trip took {coding:.1} ms");
}

/// The reader under `serve --team`, in Chromium, logged in through the
/// form: painted with 1,000 codings, and the coding round trip from the
/// page, with the session and role checks on every request. Printed for
/// `bench/web.sh`; fails above the issue's targets (300 ms, 50 ms).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with bench/web.sh"]
async fn team_reader_performance() {
    use crate::browser::{median, synthetic_interview, until_with};

    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = Workspace::empty();
    ws.run(&["init", "--project", "demo.vbt", "--title", "Bench"])
        .ok();
    ws.write("long.txt", synthetic_interview(20_000));
    ws.run(&["import", "--project", "demo.vbt", "long.txt"])
        .ok();
    add_account(&ws, "demo.vbt", OWNER.0, "owner", OWNER.1);
    add_account(&ws, "demo.vbt", "bench", "coder", "bench-mot-de-passe");
    let server = serve_team(&ws);
    let base = server.base.clone();
    let agent = Agent::logged_in(&base, ("bench", "bench-mot-de-passe"));
    let chars = demo_sources(&ws)[0]["chars"].as_u64().unwrap() as usize;
    let codes: Vec<Value> = (0..25)
        .map(|i| {
            parse(&agent.json("POST", "/api/codes", &json!({"name": format!("code {i}")})))["id"]
                .clone()
        })
        .collect();
    for i in 0..1000usize {
        let start = (i * 7919) % (chars - 400);
        let end = start + 20 + (i * 37) % 300;
        let body = json!({"source_id": 1, "start": start, "end": end, "code_id": codes[i % 25]});
        assert_eq!(agent.json("POST", "/api/codings", &body).status, 200);
    }
    let b = browser(&chromium, &chromedriver, 1400, 900).await;
    let c = &b.client;
    c.goto(&format!("{base}/login")).await.unwrap();
    log_in(c, "bench", "bench-mot-de-passe").await;
    until(
        c,
        "the home page",
        "return document.getElementById('account-name') !== null",
    )
    .await;
    let mut painted = Vec::new();
    for _ in 0..7 {
        c.goto(&format!("{base}/sources/1")).await.unwrap();
        until(
            c,
            "the reader",
            "return document.getElementById('reader')?.dataset.ready === 'true'",
        )
        .await;
        let t = eval(
            c,
            "return [performance.getEntriesByName('highlights-painted')[0].startTime, \
                     document.querySelectorAll('#stripes .stripe').length];",
        )
        .await;
        painted.push(t[0].as_f64().unwrap());
        assert_eq!(t[1], json!(1000), "every coding has a stripe");
    }
    for i in 0..15 {
        let phrase = eval(
            c,
            &format!("const t = document.querySelectorAll('#doc .txt')[{}]; return t.textContent.slice(10, 60);", 20 + i * 5),
        )
        .await;
        c.execute(SELECT, vec![phrase]).await.unwrap();
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
    let (painted, coding) = (median(painted), median(round_trips));
    println!("team_reader_performance: serve --team, logged in through the form, Chromium");
    println!("  highlights + 1,000 stripes painted (median of 7) {painted:6.1} ms");
    println!("  coding round trip from the page (median of 15)  {coding:6.1} ms");
    assert!(painted < 300.0, "the reader painted in {painted:.1} ms");
    assert!(coding < 50.0, "the coding round trip took {coding:.1} ms");
}
