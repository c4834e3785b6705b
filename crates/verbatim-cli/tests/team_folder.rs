//! `verbatim serve --dir STUDIES/ [--team]` over plain HTTP against the
//! real binary: two studies in one folder keep their accounts and sources
//! apart; an owner of one creates a third from the start page's form (as
//! the browser sends it), uploads a transcript and codes it as the coder
//! of their own name; a bad or taken study name is refused in one
//! sentence and creates nothing; without `--team` anyone local creates and
//! opens studies; the login log keeps who came in and who failed, never a
//! password. The Chromium half goes start page → login → create → upload →
//! code, and takes the README's screenshots.

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::accounts::add_account;
use crate::browser::{
    Reply, Server, browser, browser_programs, code_new, http, log_in, reader_ready, serve_with,
    shot, until,
};
use crate::browser_workflow::multipart;
use crate::common::{Workspace, interview_lines};
use crate::team_server::{Agent, enc, parse, set_cookie};

const OLGA: (&str, &str) = ("olga", "olga-mot-de-passe");
const AMIRA: (&str, &str) = ("amira", "amira-mot-de-passe");
const BRUNO: (&str, &str) = ("bruno", "bruno-mot-de-passe");

/// A second interview, ours, for the second study.
const MARCHE: &str = "INT : Parlez-moi du marché du samedi.\n\
                      P1 : Le marché, c’est là qu’on se retrouve ; sans lui le village se tait.\n";

/// A folder `studies/` with `one.vbt` (owner olga, coder amira, the
/// bilingual interview) and `two.vbt` (owner bruno, the market interview).
fn folder() -> Workspace {
    let ws = Workspace::empty();
    std::fs::create_dir(ws.path("studies")).unwrap();
    ws.write("entretien.txt", interview_lines());
    ws.write("marche.txt", MARCHE);
    for (file, title, transcript) in [
        ("studies/one.vbt", "Étude un", "entretien.txt"),
        ("studies/two.vbt", "Étude deux", "marche.txt"),
    ] {
        ws.run(&[
            "init",
            "--project",
            file,
            "--title",
            title,
            "--language",
            "fr",
        ])
        .ok();
        ws.run(&["import", "--project", file, transcript]).ok();
    }
    add_account(&ws, "studies/one.vbt", OLGA.0, "owner", OLGA.1);
    add_account(&ws, "studies/one.vbt", AMIRA.0, "coder", AMIRA.1);
    add_account(&ws, "studies/two.vbt", BRUNO.0, "owner", BRUNO.1);
    ws
}

fn serve_folder(ws: &Workspace, team: bool) -> Server {
    if team {
        serve_with(ws, &["--dir", "studies", "--team"])
    } else {
        serve_with(ws, &["--dir", "studies"])
    }
}

/// Posts the start page's login form for `study`; keeps the cookies set.
pub(crate) fn login(agent: &mut Agent, study: &str, (name, password): (&str, &str)) -> Reply {
    let body = format!(
        "study={}&name={}&password={}&csrf={}",
        enc(study),
        enc(name),
        enc(password),
        agent.csrf
    );
    let reply = agent.send("POST", "/login", "application/x-www-form-urlencoded", &body);
    keep_cookies(agent, &reply);
    reply
}

/// Adds the session and study cookies a reply sets to the agent's.
pub(crate) fn keep_cookies(agent: &mut Agent, reply: &Reply) {
    for name in ["vb_session", "vb_study"] {
        if let Some(set) = set_cookie(reply, name) {
            agent.cookies.push_str("; ");
            agent.cookies.push_str(set.split(';').next().unwrap());
        }
    }
}

/// Returns the agent's cookies with `vb_study` naming `study` instead.
pub(crate) fn with_study(agent: &Agent, study: &str) -> String {
    let kept: Vec<&str> = agent
        .cookies
        .split("; ")
        .filter(|c| !c.starts_with("vb_study="))
        .collect();
    format!("{}; vb_study={study}", kept.join("; "))
}

/// Returns the names of the study's sources, as the CLI lists them.
fn source_names(ws: &Workspace, study: &str) -> Vec<String> {
    let run = ws.run(&["sources", "--project", study, "--json"]).ok();
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Returns the study files in the workspace's `studies/` folder, sorted
/// (SQLite's `-wal` and `-shm` beside open studies left out).
fn files(ws: &Workspace) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(ws.path("studies"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".vbt"))
        .collect();
    names.sort();
    names
}

#[test]
fn two_studies_in_a_folder_keep_their_accounts_and_sources_apart() {
    let ws = folder();
    let server = serve_folder(&ws, true);
    let base = server.base.as_str();

    // The start page lists both studies by title, in the login's choice.
    let start = http(base, "GET", "/studies", &[], "");
    assert_eq!(start.status, 200);
    for option in [
        r#"<option value="one">Étude un (one)</option>"#,
        r#"<option value="two">Étude deux (two)</option>"#,
    ] {
        assert!(start.body.contains(option), "{}", start.body);
    }
    // Any page without a session leads to the login, the API says 401.
    assert_eq!(http(base, "GET", "/api/sources", &[], "").status, 401);
    let page = http(base, "GET", "/codes", &[], "");
    assert_eq!(page.status, 303);

    let mut amira = Agent::new(base);
    let reply = login(&mut amira, "one", AMIRA);
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(reply.header("location"), Some("/"));
    assert!(
        set_cookie(&reply, "vb_study")
            .unwrap()
            .starts_with("vb_study=one;")
    );
    let listed = parse(&amira.get("/api/sources"));
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, source_names(&ws, "studies/one.vbt"));
    assert_eq!(names, ["entretien"]);
    let home = amira.get("/");
    assert!(home.body.contains("Étude un"), "{}", home.body);
    assert!(home.body.contains(r#"id="switch-study" href="/studies""#));

    // Her session, sent with study two named, opens nothing there.
    let cookies = with_study(&amira, "two");
    let api = http(base, "GET", "/api/sources", &[("Cookie", &cookies)], "");
    assert_eq!(api.status, 401, "{}", api.body);
    assert!(!api.body.contains("marche"));
    let page = http(base, "GET", "/sources", &[("Cookie", &cookies)], "");
    assert_eq!(page.status, 303);
    assert!(page.header("location").unwrap().starts_with("/login?next="));
    // Her password does not open study two, where she has no account;
    // bruno's does not open study one.
    let mut other = Agent::new(base);
    assert_eq!(login(&mut other, "two", AMIRA).status, 401);
    assert_eq!(login(&mut other, "one", BRUNO).status, 401);
    let wrong = login(&mut other, "../one", AMIRA);
    assert_eq!(wrong.status, 404);
    assert!(wrong.body.contains("no study named"), "{}", wrong.body);
    // Bruno in his own study sees its source only.
    let mut bruno = Agent::new(base);
    assert_eq!(login(&mut bruno, "two", BRUNO).status, 303);
    let names = parse(&bruno.get("/api/sources"));
    assert_eq!(names[0]["name"], "marche");
    assert_eq!(names.as_array().unwrap().len(), 1);

    // Study one's login log: amira's login, then the failed bruno, newest
    // first, from the loopback address; no password anywhere.
    let log = ws
        .run(&["account", "log", "--project", "studies/one.vbt", "--json"])
        .ok();
    assert!(!log.stdout.contains(BRUNO.1) && !log.stdout.contains(AMIRA.1));
    let events: Vec<(String, String)> = log
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["address"], "127.0.0.1", "{e}");
            (
                e["name"].as_str().unwrap().to_owned(),
                e["event"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("bruno".to_owned(), "failed".to_owned()),
            ("amira".to_owned(), "login".to_owned())
        ]
    );
    // Logging out is recorded too.
    let out = amira.send(
        "POST",
        "/logout",
        "application/x-www-form-urlencoded",
        &format!("csrf={}", amira.csrf),
    );
    assert_eq!(out.status, 303);
    let newest = ws
        .run(&[
            "account",
            "log",
            "--project",
            "studies/one.vbt",
            "--json",
            "--limit",
            "1",
        ])
        .ok()
        .json();
    assert_eq!(newest[0]["event"], "logout");
    assert_eq!(newest[0]["name"], "amira");
}

/// Returns an agent holding the CSRF cookie the start page sets (a local
/// folder server has no login page).
pub(crate) fn local_agent(base: &str) -> Agent {
    let page = http(base, "GET", "/studies", &[], "");
    assert_eq!(page.status, 200, "{}", page.body);
    let pair = set_cookie(&page, "vb_csrf")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
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

/// Posts the start page's creation form.
pub(crate) fn create(agent: &mut Agent, fields: &[(&str, &str)]) -> Reply {
    let mut body = format!("csrf={}", agent.csrf);
    for (k, v) in fields {
        body.push_str(&format!("&{k}={}", enc(v)));
    }
    let reply = agent.send(
        "POST",
        "/studies",
        "application/x-www-form-urlencoded",
        &body,
    );
    keep_cookies(agent, &reply);
    reply
}

#[test]
fn an_owner_creates_a_study_from_the_start_page_then_uploads_and_codes_in_it() {
    let ws = folder();
    let server = serve_folder(&ws, true);
    let base = server.base.as_str();

    // A coder of study one is no owner: refused, nothing created.
    let mut amira = Agent::new(base);
    let refused = create(
        &mut amira,
        &[
            ("name", "entretiens-2026"),
            ("account", AMIRA.0),
            ("password", AMIRA.1),
        ],
    );
    assert_eq!(refused.status, 401);
    assert!(refused.body.contains("only an owner of one of this folder"));
    assert_eq!(files(&ws), ["one.vbt", "two.vbt"]);

    let mut olga = Agent::new(base);
    let made = create(
        &mut olga,
        &[
            ("name", "entretiens-2026"),
            ("title", "Entretiens 2026"),
            ("account", OLGA.0),
            ("password", OLGA.1),
        ],
    );
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.header("location"), Some("/"));
    assert!(files(&ws).contains(&"entretiens-2026.vbt".to_owned()));
    let study = "studies/entretiens-2026.vbt";
    let accounts = ws
        .run(&["account", "list", "--project", study, "--json"])
        .ok()
        .json();
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    assert_eq!(accounts[0]["name"], "olga");
    assert_eq!(accounts[0]["role"], "owner");
    // Logged in to the new study straight away, with the same password.
    let home = olga.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Entretiens 2026"));
    assert!(
        home.body
            .contains(r#"<strong id="account-name">olga</strong> (owner)"#)
    );
    let mut again = Agent::new(base);
    assert_eq!(login(&mut again, "entretiens-2026", OLGA).status, 303);

    // Upload a transcript, as the upload page sends it.
    let upload = http(
        base,
        "POST",
        "/api/sources",
        &[
            ("Content-Type", "multipart/form-data; boundary=XyZzY"),
            ("Cookie", &olga.cookies),
            ("X-CSRF-Token", &olga.csrf),
        ],
        &multipart(&[("file", Some("entretien.txt"), &interview_lines())]),
    );
    assert_eq!(upload.status, 200, "{}", upload.body);
    assert_eq!(parse(&upload)[0]["status"], "imported");
    // A form without a file, from a French browser: refused in French.
    let empty = http(
        base,
        "POST",
        "/api/sources",
        &[
            ("Content-Type", "multipart/form-data; boundary=XyZzY"),
            ("Cookie", &olga.cookies),
            ("X-CSRF-Token", &olga.csrf),
            ("Accept-Language", "fr"),
        ],
        &multipart(&[("language", None, "fr")]),
    );
    assert_eq!(empty.status, 400);
    assert!(
        parse(&empty)["error"]
            .as_str()
            .unwrap()
            .starts_with("aucun fichier n’a été envoyé"),
        "{}",
        empty.body
    );
    let sources = ws
        .run(&["sources", "--project", study, "--json"])
        .ok()
        .json();
    let id = sources[0]["id"].as_i64().unwrap();

    // Code « la confiance »: in the second turn, after "CSI-2 : " is cut
    // off, the turn starts "Euh… c’est compliqué. Il y a « " — 'Euh…' 4
    // chars, ' c’est compliqué.' 17, ' Il y a « ' 10: 31 chars in.
    let shown = ws
        .run(&["show", "--project", study, &id.to_string(), "--json"])
        .ok()
        .json();
    let turn = shown["turns"][1]["start"].as_u64().unwrap();
    let start = turn + 31;
    let end = start + 12; // "la confiance": 12 chars
    let coded = olga.json(
        "POST",
        "/api/codings",
        &json!({"source_id": id, "start": start, "end": end, "new_code": {"name": "Confiance"}}),
    );
    assert_eq!(coded.status, 200, "{}", coded.body);
    // The owner codes as the coder of her name, created for it.
    let codings = ws
        .run_env(
            &["coding", "list", "--project", study, "--json"],
            &[("VERBATIM_CODER", "olga")],
        )
        .ok()
        .json();
    assert_eq!(codings.as_array().unwrap().len(), 1, "{codings}");
    assert_eq!(codings[0]["coder"], "olga");
    assert_eq!(codings[0]["text"], "la confiance");
    let log = ws
        .run(&["log", "--project", study, "--json", "--limit", "5"])
        .ok()
        .json();
    let adds: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "coder.add")
        .collect();
    assert_eq!(adds.len(), 1, "{log}");
    assert_eq!(adds[0]["account"], "olga");
}

#[test]
fn a_bad_or_taken_study_name_is_refused_in_one_sentence_and_creates_nothing() {
    let ws = folder();
    let before_one = ws
        .run(&["log", "--project", "studies/one.vbt", "--json"])
        .ok();
    let server = serve_folder(&ws, true);
    let mut olga = Agent::new(&server.base);
    let parent_before = std::fs::read_dir(ws.dir.path()).unwrap().count();
    for bad in ["../evil", "a/b", "..", ".cache", "a\\b", "é t é", ""] {
        let reply = create(
            &mut olga,
            &[("name", bad), ("account", OLGA.0), ("password", OLGA.1)],
        );
        assert_eq!(reply.status, 400, "{bad:?}: {}", reply.body);
        assert!(
            reply.body.contains("cannot name a study file"),
            "{bad:?}: {}",
            reply.body
        );
        assert!(set_cookie(&reply, "vb_session").is_none());
    }
    // The same refusal in French, for a browser that asks for it.
    let body = format!(
        "csrf={}&name=..%2Fx&account={}&password={}",
        olga.csrf,
        OLGA.0,
        enc(OLGA.1)
    );
    let fr = http(
        &server.base,
        "POST",
        "/studies",
        &[
            ("Cookie", &olga.cookies),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5"),
        ],
        &body,
    );
    assert_eq!(fr.status, 400);
    assert!(
        fr.body
            .contains("« ../x » ne peut pas nommer un fichier d’étude"),
        "{}",
        fr.body
    );
    let taken = create(
        &mut olga,
        &[("name", "two"), ("account", OLGA.0), ("password", OLGA.1)],
    );
    assert_eq!(taken.status, 409);
    assert!(taken.body.contains("there is already a study named"));
    assert_eq!(files(&ws), ["one.vbt", "two.vbt"]);
    assert_eq!(
        std::fs::read_dir(ws.dir.path()).unwrap().count(),
        parent_before
    );
    // Study two, whose name was asked for, is as it was.
    let accounts = ws
        .run(&["account", "list", "--project", "studies/two.vbt", "--json"])
        .ok()
        .json();
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    let after_one = ws
        .run(&["log", "--project", "studies/one.vbt", "--json"])
        .ok();
    assert_eq!(before_one.stdout, after_one.stdout);
}

#[test]
fn without_team_anyone_local_creates_and_opens_studies() {
    let ws = folder();
    let server = serve_folder(&ws, false);
    let base = server.base.as_str();
    // No study chosen yet: the start page.
    let home = http(base, "GET", "/", &[], "");
    assert_eq!(home.status, 303);
    assert_eq!(home.header("location"), Some("/studies"));
    let start = http(base, "GET", "/studies", &[], "");
    assert!(
        start
            .body
            .contains(r#"<a href="/studies/open?study=two">Étude deux</a>"#)
    );
    assert!(!start.body.contains("login-password"));
    let mut agent = local_agent(base);
    let made = create(&mut agent, &[("name", "notes"), ("title", "Carnet")]);
    assert_eq!(made.status, 303, "{}", made.body);
    assert!(set_cookie(&made, "vb_session").is_none());
    assert_eq!(parse(&agent.get("/api/sources")), json!([]));
    assert!(agent.get("/").body.contains("Carnet"));
    // Opening study two from the list makes it the browser's.
    let open = agent.get("/studies/open?study=two");
    assert_eq!(open.status, 303);
    keep_cookies(&mut agent, &open);
    let cookies = with_study(&agent, "two");
    let listed = http(base, "GET", "/api/sources", &[("Cookie", &cookies)], "");
    assert_eq!(parse(&listed)[0]["name"], "marche");
    let unknown = agent.get("/studies/open?study=three");
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("no study named"));
}

#[test]
fn a_team_folder_needs_one_owner_to_start() {
    let ws = Workspace::empty();
    std::fs::create_dir(ws.path("studies")).unwrap();
    ws.run(&["init", "--project", "studies/first.vbt"]).ok();
    let refused = ws.run(&[
        "serve",
        "--dir",
        "studies",
        "--team",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_ne!(refused.code, 0);
    assert!(
        refused
            .stderr
            .contains("verbatim account add NAME --role owner"),
        "{}",
        refused.stderr
    );
}

/// The whole path in Chromium: start page → login → a new study → upload
/// → code, as the owner; screenshots of the login and upload pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_goes_from_the_start_page_to_coding_a_new_study_in_chromium() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = folder();
    ws.write(
        "nuit.txt",
        "INT : Parlez-moi de la nuit.\nP2 : La confiance se gagne la nuit.\n",
    );
    let server = serve_folder(&ws, true);
    let base = server.base.clone();
    let b = browser(&chromium, &chromedriver, 1280, 900).await;
    let c = &b.client;

    c.goto(&format!("{base}/")).await.unwrap();
    until(
        c,
        "the start page",
        "return document.getElementById('login-study') !== null",
    )
    .await;
    shot(c, "team-login").await;
    // Log in to study one first, then come back to create a study.
    log_in(c, OLGA.0, OLGA.1).await;
    until(
        c,
        "study one",
        "return document.getElementById('switch-study') !== null",
    )
    .await;
    c.find(Locator::Id("switch-study"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        c,
        "the start page",
        "return document.getElementById('new-study') !== null",
    )
    .await;
    for (id, value) in [
        ("new-study-name", "nuits"),
        ("new-study-title", "Équipes de nuit"),
        ("new-study-account", OLGA.0),
        ("new-study-password", OLGA.1),
    ] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    c.find(Locator::Id("new-study-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        c,
        "the new study's home",
        "return document.querySelector('header .study')?.textContent === 'Équipes de nuit'",
    )
    .await;

    // Upload from the sources page's form.
    c.goto(&format!("{base}/sources")).await.unwrap();
    until(
        c,
        "the upload form",
        "return document.getElementById('upload-files') !== null",
    )
    .await;
    let file = ws.path("nuit.txt");
    c.find(Locator::Css("#upload-files"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("#upload-go"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        c,
        "the upload report",
        "return document.querySelectorAll('#upload-lines li').length === 1",
    )
    .await;
    shot(c, "team-upload").await;
    let sources = ws
        .run(&["sources", "--project", "studies/nuits.vbt", "--json"])
        .ok()
        .json();
    assert_eq!(sources.as_array().unwrap().len(), 1, "{sources}");
    let id = sources[0]["id"].as_i64().unwrap();

    // Code a passage in the reader.
    c.goto(&format!("{base}/sources/{id}")).await.unwrap();
    reader_ready(c).await;
    let phrase = "La confiance se gagne";
    code_new(c, phrase, "Confiance").await;
    let codings = ws
        .run_env(
            &["coding", "list", "--project", "studies/nuits.vbt", "--json"],
            &[("VERBATIM_CODER", "olga")],
        )
        .ok()
        .json();
    assert_eq!(codings[0]["text"], phrase, "{codings}");
    assert_eq!(codings[0]["coder"], "olga");
}

#[test]
fn an_invitation_link_names_its_study_and_its_use_is_logged() {
    let ws = folder();
    let server = serve_folder(&ws, true);
    let mut olga = Agent::new(&server.base);
    assert_eq!(login(&mut olga, "one", OLGA).status, 303);
    let invited = olga.json(
        "POST",
        "/api/invitations",
        &json!({"name": "dora", "role": "viewer"}),
    );
    assert_eq!(invited.status, 200, "{}", invited.body);
    let path = parse(&invited)["path"].as_str().unwrap().to_owned();
    assert!(path.ends_with("?study=one"), "{path}");

    // A browser with no cookie of this server follows the link.
    let mut dora = Agent::new(&server.base);
    let page = dora.get(&path);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains(r#"<strong id="invited-name">dora</strong>"#)
    );
    keep_cookies(&mut dora, &page);
    let action = path.split('?').next().unwrap();
    let accepted = dora.send(
        "POST",
        action,
        "application/x-www-form-urlencoded",
        &format!("password=dora-mot-de-passe&csrf={}", dora.csrf),
    );
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    keep_cookies(&mut dora, &accepted);
    let home = dora.get("/");
    assert!(home.body.contains("Étude un"), "{}", home.body);
    assert!(
        home.body
            .contains(r#"<strong id="account-name">dora</strong> (viewer)"#)
    );
    let newest = ws
        .run(&[
            "account",
            "log",
            "--project",
            "studies/one.vbt",
            "--json",
            "--limit",
            "1",
        ])
        .ok()
        .json();
    assert_eq!(newest[0]["event"], "invitation");
    assert_eq!(newest[0]["name"], "dora");
}
