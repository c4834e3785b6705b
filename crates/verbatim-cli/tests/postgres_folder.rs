//! `verbatim serve --dir postgres://…/DB`: every study of a PostgreSQL
//! database served by one server, as `--dir FOLDER` serves a folder of
//! study files (issue 17, "more than one server"). Two studies made with
//! the binary are listed on the start page (a schema that is no study is
//! not); a coding posted to one lands in it and not in the other; a third
//! study made from the start page's form is a study the CLI opens; a bad
//! or taken name is refused in one sentence and makes nothing; in team
//! mode each study keeps its own accounts; in Chromium, an owner goes
//! from the start page to coding in the reader of one study; two
//! processes serving one database take each other's pages (one CSRF
//! token, kept in the database). Each test has a database of its
//! own (`test_server::database`), so no other test's study shows. Needs
//! `VERBATIM_TEST_PG`: without it the tests skip with a notice, and fail
//! when `VERBATIM_REQUIRE_PG=1`. The refusals of the addresses need no
//! server.

use serde_json::{Value, json};

use verbatim_store_pg::test_server::{self, TestDatabase};

use crate::accounts::add_account;
use crate::browser::{
    Server, browser, browser_programs, browser_runtime, code_new, http, log_in, reader_ready,
    serve_with, until,
};
use crate::common::Workspace;
use crate::team_folder::{create, keep_cookies, local_agent, login, with_study};
use crate::team_server::{Agent, parse, set_cookie};

/// Our two interviews, one per study.
const ATELIER: &str = "INT : Parlez-moi de l’atelier.\n\
                       P04 : On s’y sent écoutée, et la confiance revient.\n";
const MARCHE: &str = "INT : Parlez-moi du marché du samedi.\n\
                      P1 : Le marché, c’est là qu’on se retrouve.\n";

const OLGA: (&str, &str) = ("olga", "olga-mot-de-passe");
const BRUNO: (&str, &str) = ("bruno", "bruno-mot-de-passe");

/// The address of the study `name` of the test database.
fn study(db: &TestDatabase, name: &str) -> String {
    format!("{}?study={name}", db.address)
}

/// Makes `alpha` ("Atelier", the workshop interview) and `beta`
/// ("Marché", the market one) in the test database, each with a coder
/// amira, with the binary.
fn two_studies(ws: &Workspace, db: &TestDatabase) {
    ws.write("atelier.txt", ATELIER);
    ws.write("marche.txt", MARCHE);
    for (name, title, file) in [
        ("alpha", "Atelier", "atelier.txt"),
        ("beta", "Marché", "marche.txt"),
    ] {
        let project = study(db, name);
        ws.run(&["init", "--project", &project, "--title", title])
            .ok();
        ws.run(&["import", "--project", &project, file]).ok();
        ws.run(&["coder", "add", "amira", "--project", &project])
            .ok();
    }
}

/// Returns a coder's codings of the study, as the CLI lists them.
fn codings(ws: &Workspace, project: &str, coder: &str) -> Value {
    ws.run_env(
        &["coding", "list", "--project", project, "--json"],
        &[("VERBATIM_CODER", coder)],
    )
    .ok()
    .json()
}

/// Returns the names of the database's studies, read by the store itself.
fn names(db: &TestDatabase) -> Vec<String> {
    verbatim_store_pg::studies(&db.address)
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect()
}

/// Returns how many connections other than the caller's the test
/// database has, once those closing have gone (a closed client's server
/// process may take a moment to leave `pg_stat_activity`).
fn held_connections(db: &TestDatabase) -> i64 {
    let mut admin = db.admin();
    let mut count = -1;
    for _ in 0..50 {
        count = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            )
            .unwrap()
            .get(0);
        if count == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    count
}

fn serve_database(ws: &Workspace, db: &TestDatabase, team: bool) -> Server {
    let address = db.address.to_string();
    if team {
        serve_with(ws, &["--dir", &address, "--team"])
    } else {
        serve_with(ws, &["--dir", &address])
    }
}

#[test]
fn a_database_serves_each_study_apart_and_makes_new_ones() {
    let Some(db) = test_server::database("pg_folder") else {
        return;
    };
    let ws = Workspace::empty();
    two_studies(&ws, &db);
    // A schema of the database that is no verbatim study.
    db.admin()
        .batch_execute("CREATE SCHEMA notes; CREATE TABLE notes.idees (texte TEXT)")
        .unwrap();
    let server = serve_database(&ws, &db, false);
    let base = server.base.as_str();

    // The start page lists both studies by title, and nothing else.
    let start = http(base, "GET", "/studies", &[], "");
    assert_eq!(start.status, 200);
    for link in [
        r#"<a href="/studies/open?study=alpha">Atelier</a> <span class="muted">alpha</span>"#,
        r#"<a href="/studies/open?study=beta">Marché</a> <span class="muted">beta</span>"#,
    ] {
        assert!(start.body.contains(link), "{}", start.body);
    }
    assert!(!start.body.contains("notes"), "{}", start.body);
    assert!(!start.body.contains(".vbt"), "{}", start.body);

    // Open alpha, as amira, and code « la confiance »: the second turn,
    // after "P04 : " is cut off, starts "On s’y sent écoutée, et " —
    // 'On' 2 + ' ' 1 + 's’y' 3 + ' ' 1 + 'sent' 4 + ' ' 1 + 'écoutée,' 8
    // + ' ' 1 + 'et' 2 + ' ' 1 = 24 chars in; "la confiance" is 12 chars.
    let mut agent = local_agent(base);
    let open = agent.get("/studies/open?study=alpha");
    assert_eq!(open.status, 303);
    keep_cookies(&mut agent, &open);
    agent.cookies.push_str("; vb_coder=amira");
    let listed = parse(&agent.get("/api/sources"));
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["name"], "atelier");
    let id = listed[0]["id"].as_i64().unwrap();
    let shown = ws
        .run(&[
            "show",
            "--project",
            &study(&db, "alpha"),
            &id.to_string(),
            "--json",
        ])
        .ok()
        .json();
    let start_at = shown["turns"][1]["start"].as_i64().unwrap() + 24;
    let coded = agent.json(
        "POST",
        "/api/codings",
        &json!({"source_id": id, "start": start_at, "end": start_at + 12,
                "new_code": {"name": "Confiance"}}),
    );
    assert_eq!(coded.status, 200, "{}", coded.body);

    // It landed in alpha, by amira, on that passage; beta has none.
    let in_alpha = codings(&ws, &study(&db, "alpha"), "amira");
    assert_eq!(in_alpha.as_array().unwrap().len(), 1, "{in_alpha}");
    assert_eq!(in_alpha[0]["text"], "la confiance");
    assert_eq!(in_alpha[0]["coder"], "amira");
    assert_eq!(codings(&ws, &study(&db, "beta"), "amira"), json!([]));
    // The same browser, with beta named, sees beta's source only.
    let cookies = with_study(&agent, "beta");
    let beta = http(base, "GET", "/api/sources", &[("Cookie", &cookies)], "");
    assert_eq!(parse(&beta)[0]["name"], "marche");
    assert_eq!(parse(&beta).as_array().unwrap().len(), 1);

    // A third study from the start page's form: a study the CLI opens.
    let made = create(&mut agent, &[("name", "gamma"), ("title", "Carnet")]);
    assert_eq!(made.status, 303, "{}", made.body);
    assert!(
        set_cookie(&made, "vb_study")
            .unwrap()
            .starts_with("vb_study=gamma;")
    );
    agent.cookies = with_study(&agent, "gamma");
    assert_eq!(parse(&agent.get("/api/sources")), json!([]));
    assert!(agent.get("/").body.contains("Carnet"));
    let sources = ws
        .run(&["sources", "--project", &study(&db, "gamma"), "--json"])
        .ok();
    assert_eq!(sources.json(), json!([]));
    let log = ws
        .run(&["log", "--project", &study(&db, "gamma"), "--json"])
        .ok()
        .json();
    assert_eq!(log[0]["action"], "study.create", "{log}");
    let start = http(base, "GET", "/studies", &[], "");
    assert!(
        start
            .body
            .contains(r#"<a href="/studies/open?study=gamma">Carnet</a>"#),
        "{}",
        start.body
    );
    assert_eq!(names(&db), ["alpha", "beta", "gamma"]);

    // A name no schema may have, and a taken one: one sentence, nothing made.
    let beta_before = ws
        .run(&["log", "--project", &study(&db, "beta"), "--json"])
        .ok()
        .stdout;
    for bad in ["Gamma", "deux-mots", "pg_x", "public", "1er", "../alpha"] {
        let reply = create(&mut agent, &[("name", bad)]);
        assert_eq!(reply.status, 400, "{bad:?}: {}", reply.body);
        assert!(
            reply
                .body
                .contains("cannot name a study of this database: use 1 to 63 lower-case"),
            "{bad:?}: {}",
            reply.body
        );
    }
    let taken = create(&mut agent, &[("name", "beta"), ("title", "Autre")]);
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert!(
        taken
            .body
            .contains("there is already a study named “beta” in this database")
    );
    // The schema that is no study is not listed, and its name is taken.
    let notes = create(&mut agent, &[("name", "notes")]);
    assert_eq!(notes.status, 409, "{}", notes.body);
    let kept: i64 = db
        .admin()
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'notes'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        kept, 1,
        "the schema notes keeps its one table and gains none"
    );
    assert_eq!(names(&db), ["alpha", "beta", "gamma"]);
    let beta_after = ws
        .run(&["log", "--project", &study(&db, "beta"), "--json"])
        .ok()
        .stdout;
    assert_eq!(beta_before, beta_after);
    let unknown = agent.get("/studies/open?study=delta");
    assert_eq!(unknown.status, 404);
    assert!(
        unknown
            .body
            .contains("no study named “delta” in this database")
    );
}

#[test]
fn in_team_mode_each_study_of_the_database_keeps_its_accounts() {
    let Some(db) = test_server::database("pg_folder_team") else {
        return;
    };
    let ws = Workspace::empty();
    two_studies(&ws, &db);
    // No owner anywhere yet: the team server does not start, and says how.
    let address = db.address.to_string();
    let refused = ws.run(&[
        "serve",
        "--dir",
        &address,
        "--team",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_ne!(refused.code, 0);
    assert!(
        refused
            .stderr
            .contains(&format!("verbatim init --project '{address}?study=first'"))
            && refused
                .stderr
                .contains("verbatim account add NAME --role owner"),
        "{}",
        refused.stderr
    );
    add_account(&ws, &study(&db, "alpha"), OLGA.0, "owner", OLGA.1);
    add_account(&ws, &study(&db, "beta"), BRUNO.0, "owner", BRUNO.1);
    let server = serve_database(&ws, &db, true);
    let base = server.base.as_str();
    assert_eq!(http(base, "GET", "/api/sources", &[], "").status, 401);

    // Bruno's password is not olga's: refused, nothing made. Asking each
    // study whether she owns it opened them for the question only: the
    // server holds no connection to the database once it has answered.
    let mut bruno = Agent::new(base);
    let refused = create(
        &mut bruno,
        &[
            ("name", "delta"),
            ("account", OLGA.0),
            ("password", BRUNO.1),
        ],
    );
    assert_eq!(refused.status, 401);
    assert!(
        refused
            .body
            .contains("only an owner of one of this database"),
        "{}",
        refused.body
    );
    assert_eq!(names(&db), ["alpha", "beta"]);
    assert_eq!(held_connections(&db), 0);

    let mut olga = Agent::new(base);
    // Her password opens alpha, not beta, where she has no account.
    assert_eq!(login(&mut olga, "beta", OLGA).status, 401);
    assert_eq!(login(&mut olga, "alpha", OLGA).status, 303);
    assert_eq!(parse(&olga.get("/api/sources"))[0]["name"], "atelier");
    // Her session, sent with beta named, opens nothing there.
    let cookies = with_study(&olga, "beta");
    let api = http(base, "GET", "/api/sources", &[("Cookie", &cookies)], "");
    assert_eq!(api.status, 401, "{}", api.body);

    // An owner of alpha makes a study and owns it with the same password.
    let made = create(
        &mut olga,
        &[
            ("name", "gamma"),
            ("title", "Carnet"),
            ("account", OLGA.0),
            ("password", OLGA.1),
        ],
    );
    assert_eq!(made.status, 303, "{}", made.body);
    let accounts = ws
        .run(&[
            "account",
            "list",
            "--project",
            &study(&db, "gamma"),
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(accounts.as_array().unwrap().len(), 1, "{accounts}");
    assert_eq!(accounts[0]["name"], "olga");
    assert_eq!(accounts[0]["role"], "owner");
    let mut again = Agent::new(base);
    assert_eq!(login(&mut again, "gamma", OLGA).status, 303);
    assert_eq!(names(&db), ["alpha", "beta", "gamma"]);
}

#[test]
fn dir_takes_a_database_and_project_a_study() {
    let ws = Workspace::empty();
    let dir = ws.run(&[
        "serve",
        "--dir",
        "postgres://amira:secret@127.0.0.1:1/verbatim?study=alpha",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_ne!(dir.code, 0);
    assert!(dir.stderr.contains("leave ?study= out"), "{}", dir.stderr);
    assert!(!dir.stderr.contains("secret"), "{}", dir.stderr);
    let project = ws.run(&[
        "serve",
        "--project",
        "postgres://amira@127.0.0.1:1/verbatim",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_ne!(project.code, 0);
    assert!(
        project.stderr.contains("it names no study") && project.stderr.contains("serve --dir"),
        "{}",
        project.stderr
    );
    assert_eq!(
        project.stderr.trim().lines().count(),
        1,
        "{}",
        project.stderr
    );
    // A database no server answers for: one sentence before listening.
    let unreachable = ws.run(&[
        "serve",
        "--dir",
        "postgres://amira:secret@127.0.0.1:1/verbatim",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_ne!(unreachable.code, 0);
    assert!(
        unreachable.stderr.contains("127.0.0.1:1 does not answer")
            && unreachable
                .stderr
                .contains("postgres://amira@127.0.0.1:1/verbatim"),
        "{}",
        unreachable.stderr
    );
    assert!(
        !unreachable.stderr.contains("secret"),
        "{}",
        unreachable.stderr
    );
    assert!(unreachable.stdout.is_empty(), "{}", unreachable.stdout);
}

/// In Chromium: the start page of a team server of a database, the login
/// to alpha (the first study of the list), the reader, a passage coded
/// the way a person codes it; the coding is alpha's, in her name.
#[test]
fn an_owner_goes_from_the_start_page_to_the_reader_of_a_database_study_in_chromium() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let Some(db) = test_server::database("pg_folder_browser") else {
        return;
    };
    let ws = Workspace::empty();
    two_studies(&ws, &db);
    add_account(&ws, &study(&db, "alpha"), OLGA.0, "owner", OLGA.1);
    let listed = ws
        .run(&["sources", "--project", &study(&db, "alpha"), "--json"])
        .ok()
        .json();
    let id = listed[0]["id"].as_i64().unwrap();
    let server = serve_database(&ws, &db, true);
    let base = server.base.clone();
    let runtime = browser_runtime();
    runtime.block_on(async {
        let br = browser(&chromium, &chromedriver, 1280, 900).await;
        let c = &br.client;
        c.goto(&format!("{base}/")).await.unwrap();
        until(
            c,
            "the start page's login, alpha chosen first",
            "return document.getElementById('login-study')?.value === 'alpha'",
        )
        .await;
        log_in(c, OLGA.0, OLGA.1).await;
        until(
            c,
            "alpha's home",
            "return document.querySelector('header .study')?.textContent === 'Atelier'",
        )
        .await;
        c.goto(&format!("{base}/sources/{id}")).await.unwrap();
        reader_ready(c).await;
        code_new(c, "la confiance revient", "Confiance").await;
    });
    drop(runtime);
    let codings = codings(&ws, &study(&db, "alpha"), "olga");
    assert_eq!(codings.as_array().unwrap().len(), 1, "{codings}");
    assert_eq!(codings[0]["text"], "la confiance revient");
    assert_eq!(codings[0]["code"], "Confiance");
    assert_eq!(codings[0]["coder"], "olga");
}

#[test]
fn two_servers_of_one_database_take_each_others_pages() {
    let Some(db) = test_server::database("pg_folder_two") else {
        return;
    };
    let ws = Workspace::empty();
    two_studies(&ws, &db);
    let (a, b) = (
        serve_database(&ws, &db, false),
        serve_database(&ws, &db, false),
    );

    // Both processes hand out the database's one CSRF token.
    let on_a = local_agent(&a.base);
    assert_eq!(on_a.csrf, local_agent(&b.base).csrf);

    // A page from the first, posted to the second (a load balancer may send
    // any request anywhere): "la confiance", 24 chars into the second turn
    // (worked out in the first test), lands in alpha once.
    let mut on_a = on_a;
    let open = on_a.get("/studies/open?study=alpha");
    assert_eq!(open.status, 303);
    keep_cookies(&mut on_a, &open);
    on_a.cookies.push_str("; vb_coder=amira");
    let id = parse(&on_a.get("/api/sources"))[0]["id"].as_i64().unwrap();
    let shown = ws
        .run(&[
            "show",
            "--project",
            &study(&db, "alpha"),
            &id.to_string(),
            "--json",
        ])
        .ok()
        .json();
    let start_at = shown["turns"][1]["start"].as_i64().unwrap() + 24;
    let on_b = Agent {
        base: b.base.clone(),
        csrf: on_a.csrf.clone(),
        cookies: on_a.cookies.clone(),
    };
    let coded = on_b.json(
        "POST",
        "/api/codings",
        &json!({"source_id": id, "start": start_at, "end": start_at + 12,
                "new_code": {"name": "Confiance"}}),
    );
    assert_eq!(coded.status, 200, "{}", coded.body);
    let in_alpha = codings(&ws, &study(&db, "alpha"), "amira");
    assert_eq!(in_alpha.as_array().unwrap().len(), 1, "{in_alpha}");
    assert_eq!(in_alpha[0]["text"], "la confiance");

    // Where the token is kept is no study: not listed, and its name is
    // taken for a new one.
    assert_eq!(names(&db), ["alpha", "beta"]);
    let mut maker = local_agent(&a.base);
    let refused = create(&mut maker, &[("name", "verbatim_server")]);
    assert_eq!(refused.status, 409, "{}", refused.body);
}
