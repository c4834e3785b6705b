//! `pool=N` in a PostgreSQL address: the most connections one process
//! opens to a study (issue 17, a department serving many studies under
//! PostgreSQL's `max_connections`). A server with `pool=1` keeps one
//! connection and still answers coders posting at once, each request in
//! turn, nothing lost; `serve --dir DB?pool=1` keeps one per study; a
//! bad value is refused in one sentence naming the parameter and its
//! range. The server's connections are counted in
//! `pg_stat_activity` by an `application_name` the address gives them.
//! Needs `VERBATIM_TEST_PG` (see `verbatim_store_pg::test_server`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use verbatim_store_pg::test_server;

use crate::browser::{Reply, Server, http, serve_with};
use crate::common::Workspace;
use crate::postgres_serve::{CODERS, Tally, check_stored, load, prepare, sources};
use crate::team_folder::{keep_cookies, local_agent};
use crate::team_server::Agent;

/// How many connections are named `name` on the server, counted by
/// `$admin` (a plain connection of the test's: `TestStudy::admin`).
macro_rules! counter {
    ($admin:expr, $name:expr) => {{
        let mut admin = $admin;
        let name = $name.to_owned();
        move || -> i64 {
            admin
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                    &[&name],
                )
                .unwrap()
                .get(0)
        }
    }};
}

/// The most and the fewest connections `count` saw while `work` ran,
/// polled every 50 ms.
fn watched<T>(mut count: impl FnMut() -> i64 + Send, work: impl FnOnce() -> T) -> (i64, i64, T) {
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let (mut most, mut fewest) = (0, i64::MAX);
            while !done.load(Ordering::Relaxed) {
                let n = count();
                most = most.max(n);
                fewest = fewest.min(n);
                std::thread::sleep(Duration::from_millis(50));
            }
            (most, fewest)
        });
        let out = work();
        done.store(true, Ordering::Relaxed);
        let (most, fewest) = watcher.join().unwrap();
        (most, fewest, out)
    })
}

/// Serves the study with `extra` appended to its address, its connections
/// named `name`.
fn serve_named(ws: &Workspace, address: &str, extra: &str, name: &str) -> Server {
    let project = format!("{address}{extra}&application_name={name}");
    serve_with(ws, &["--project", &project])
}

/// GETs `path` as c00, failing after 30 s (a request waiting forever for
/// a connection would hang the test otherwise).
fn get_within(base: &str, path: &str) -> Reply {
    let (sent, answer) = mpsc::channel();
    let (base, asked) = (base.to_owned(), path.to_owned());
    std::thread::spawn(move || {
        let reply = http(&base, "GET", &asked, &[("Cookie", "vb_coder=c00")], "");
        let _ = sent.send(reply);
    });
    answer
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("GET {path} was not answered within 30 s"))
}

/// Checks that no request failed and every coder stored some codings.
fn all_acknowledged(tallies: &[Tally]) -> usize {
    let failed: Vec<&String> = tallies.iter().flat_map(|t| &t.failed).collect();
    assert!(
        failed.is_empty(),
        "not acknowledged: {:?}",
        &failed[..failed.len().min(3)]
    );
    for (k, t) in tallies.iter().enumerate() {
        assert!(!t.acked.is_empty(), "c{k:02} stored nothing");
    }
    tallies.iter().map(|t| t.acked.len()).sum()
}

#[test]
fn a_server_with_pool_1_answers_coders_at_once_on_one_connection() {
    let Some(study) = test_server::study("cli_pool_one") else {
        return;
    };
    let address = study.address.to_string();
    let ws = Workspace::empty();
    // Two codes: each run codes the same passages (a coder's passages
    // follow one sequence), each with its own code.
    let codes = prepare(&ws, &address, &["Lien", "Attente"]);
    let texts = sources(&ws, &address);
    let tag = &study.address.study()[2..12];

    // The default pool: under 20 coders the server opens more than one
    // connection (so the count below can see more than one).
    let name = format!("vb_pool_default_{tag}");
    let server = serve_named(&ws, &address, "", &name);
    let (most, _, tallies) = watched(counter!(study.admin(), name), || {
        load(&[&server], codes[0], &texts, 3)
    });
    let by_default = all_acknowledged(&tallies);
    check_stored(&ws, &address, &tallies);
    assert!(most > 1, "the default pool opened {most} connection(s)");
    eprintln!(
        "default pool: {CODERS} coders, 3 s, {by_default} codings, at most {most} connections"
    );
    drop(server);

    // pool=1: one connection the whole time; 20 coders posting at once
    // wait their turn, each acknowledged coding stored once (the codings
    // of the first run are still there: `check_stored` compares each
    // coder's whole list, so it is given both runs' acknowledgements).
    let name = format!("vb_pool_one_{tag}");
    let server = serve_named(&ws, &address, "&pool=1", &name);
    let (most, fewest, second) = watched(counter!(study.admin(), name), || {
        let second = load(&[&server], codes[1], &texts, 5);
        // Pages that read much, asked while the server holds its one
        // connection for the coders' last requests.
        for path in [
            "/",
            "/codes",
            "/api/search?q=voisine",
            "/reports/preview.html",
        ] {
            let page = get_within(&server.base, path);
            assert_eq!(page.status, 200, "{path}: {}", page.body);
        }
        second
    });
    let acknowledged = all_acknowledged(&second);
    assert_eq!((most, fewest), (1, 1), "connections of the pool=1 server");
    let both: Vec<Tally> = tallies
        .into_iter()
        .zip(second)
        .map(|(mut first, second)| {
            first.acked.extend(second.acked);
            first
        })
        .collect();
    check_stored(&ws, &address, &both);
    eprintln!("pool=1: {CODERS} coders, 5 s, {acknowledged} codings acknowledged and stored once");
}

#[test]
fn a_bad_pool_is_refused_in_one_sentence() {
    let Some(study) = test_server::study("cli_pool_bad") else {
        return;
    };
    let address = study.address.to_string();
    let ws = Workspace::empty();
    ws.run(&["init", "--project", &address, "--title", "Bassin"])
        .ok();
    let database = address
        .split_once('?')
        .map_or(address.as_str(), |(db, _)| db);
    let asked = [
        vec![
            "serve".to_owned(),
            "--project".into(),
            format!("{address}&pool=0"),
        ],
        vec![
            "serve".to_owned(),
            "--dir".into(),
            format!("{database}?pool=65"),
        ],
        vec![
            "sources".to_owned(),
            "--project".into(),
            format!("{address}&pool=many"),
        ],
    ];
    for args in asked {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = ws.run(&args);
        assert_ne!(run.code, 0, "{args:?} was accepted");
        let value = args[2].rsplit_once("pool=").unwrap().1;
        let said = run.stderr.trim();
        assert!(
            said.contains(&format!("pool={value} in postgres://"))
                && said.contains(" must be a whole number from 1 to 64 "),
            "{args:?}: {said}"
        );
        assert_eq!(said.lines().count(), 1, "{said}");
    }
    // Nothing was made or changed: the study has its title, no source.
    let sources = ws.run(&["sources", "--project", &address, "--json"]).ok();
    assert_eq!(sources.json(), serde_json::json!([]));
}

/// The interview each study of the database holds: 120 chars and more,
/// so a coder's passages (below) stay inside it.
const MARCHE: &str = "INT : Parlez-moi du marché du samedi.\n\
                      P1 : Le marché, c’est là qu’on se retrouve, on prend des nouvelles, \
                      on se donne des adresses.\n";

/// A browser of the folder server at `base` that chose `study` on the start page as `coder`, before any
/// page of the study.
fn chosen_in(base: &str, study: &str, coder: &str) -> Agent {
    let mut agent = local_agent(base);
    let open = agent.send(
        "GET",
        &format!("/studies/open?study={study}"),
        "text/plain",
        "",
    );
    assert_eq!(open.status, 303, "{}", open.body);
    keep_cookies(&mut agent, &open);
    agent.cookies.push_str(&format!("; vb_coder={coder}"));
    agent
}

/// Asks the study's first page (the study is opened by it, not by the
/// choice).
fn first_page(agent: &Agent) {
    let sources = agent.send("GET", "/api/sources", "text/plain", "");
    assert_eq!(sources.status, 200, "{}", sources.body);
}

/// Posts codings with `code` on `source` through `agent` for `seconds`:
/// the `n`th from char `n % 60`, `1 + n / 60` chars long (all
/// different). Returns how many were acknowledged as new, and the
/// answers that were not.
fn code_in(agent: &Agent, (source, code): (i64, i64), seconds: u64) -> (usize, Vec<String>) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let (mut acked, mut failed) = (0, Vec::new());
    let mut n = 0;
    while Instant::now() < until {
        let start = n % 60;
        let body = json!({"source_id": source, "start": start, "end": start + 1 + n / 60,
                          "code_id": code});
        let reply = agent.send(
            "POST",
            "/api/codings",
            "application/json",
            &body.to_string(),
        );
        let answer: Option<Value> = serde_json::from_str(&reply.body).ok();
        match answer {
            Some(v) if reply.status == 200 && v["new"] == json!(true) => acked += 1,
            _ => failed.push(format!("{} {}", reply.status, reply.body)),
        }
        n += 1;
    }
    (acked, failed)
}

#[test]
fn serve_dir_with_pool_1_keeps_one_connection_per_study() {
    let Some(db) = test_server::database("cli_pool_dir") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("marche.txt", MARCHE);
    let coders = ["c0", "c1", "c2", "c3"];
    let mut ids = Vec::new();
    for study in ["alpha", "beta"] {
        let project = format!("{}?study={study}", db.address);
        let run = |args: &[&str]| {
            let mut full = args.to_vec();
            full.extend(["--project", &project]);
            ws.run_env(&full, &[("VERBATIM_CODER", "c0")]).ok()
        };
        run(&["init", "--title", study]);
        run(&["import", "marche.txt"]);
        for coder in coders {
            run(&["coder", "add", coder]);
        }
        run(&["code", "add", "Lieu", "--shared"]);
        let tree = run(&["code", "tree", "--shared", "--json"]).json();
        ids.push((1, tree[0]["id"].as_i64().unwrap()));
    }
    let name = format!("vb_pool_dir_{}", std::process::id());
    let server = serve_with(
        &ws,
        &[
            "--dir",
            &format!("{}?pool=1&application_name={name}", db.address),
        ],
    );
    // Every coder's browser chooses its study (the start page checks the
    // name on a connection of its own, closed after)…
    let agents: Vec<(&str, &str, (i64, i64), Agent)> = ["alpha", "beta"]
        .into_iter()
        .zip(ids)
        .flat_map(|(study, target)| {
            coders.map(|coder| (study, coder, target, chosen_in(&server.base, study, coder)))
        })
        .collect();
    let mut count = counter!(db.admin(), name);
    let settled = Instant::now() + Duration::from_secs(10);
    while count() != 0 {
        assert!(
            Instant::now() < settled,
            "the listing connections stay open"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // …then the eight first pages at once: each study is opened once, on
    // one connection, however many pages race for it.
    let (opening, _, ()) = watched(&mut count, || {
        std::thread::scope(|scope| {
            for (_, _, _, agent) in &agents {
                scope.spawn(move || first_page(agent));
            }
        });
    });
    assert!(
        opening <= 2,
        "{opening} connections while two studies opened"
    );
    assert_eq!(count(), 2, "one connection per study once opened");
    // Four coders in each study at once, for 4 s.
    let (most, _, answers) = watched(count, || {
        std::thread::scope(|scope| {
            let running: Vec<_> = agents
                .iter()
                .map(|(study, coder, target, agent)| {
                    scope.spawn(move || (*study, *coder, code_in(agent, *target, 4)))
                })
                .collect();
            running
                .into_iter()
                .map(|t| t.join().unwrap())
                .collect::<Vec<_>>()
        })
    });
    // Two studies, one connection each, however many coders wait.
    assert_eq!(most, 2, "connections of the pool=1 folder server");
    for (study, coder, (acked, failed)) in answers {
        assert!(
            failed.is_empty(),
            "{study} {coder}: {:?}",
            &failed[..failed.len().min(3)]
        );
        assert!(acked > 0, "{study} {coder} stored nothing");
        let listed = ws
            .run_env(
                &[
                    "coding",
                    "list",
                    "--json",
                    "--project",
                    &format!("{}?study={study}", db.address),
                ],
                &[("VERBATIM_CODER", coder)],
            )
            .ok()
            .json();
        assert_eq!(listed.as_array().unwrap().len(), acked, "{study} {coder}");
    }
}
