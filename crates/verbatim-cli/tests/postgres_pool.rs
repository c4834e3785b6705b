//! `pool=N` in a PostgreSQL address: the most connections one process
//! opens to a study (issue 17, a department serving many studies under
//! PostgreSQL's `max_connections`). A server with `pool=1` keeps one
//! connection and still answers coders posting at once, each request in
//! turn, nothing lost; a bad value is refused in one sentence naming the
//! parameter and its range. The server's connections are counted in
//! `pg_stat_activity` by an `application_name` the address gives them.
//! Needs `VERBATIM_TEST_PG` (see `verbatim_store_pg::test_server`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use verbatim_store_pg::test_server::{self, TestStudy};

use crate::browser::{Reply, Server, http, serve_with};
use crate::common::Workspace;
use crate::postgres_serve::{CODERS, Tally, check_stored, load, prepare, sources};

/// The most and the fewest connections named `name` seen while `work`
/// ran, polled every 50 ms.
fn connections_during<T>(study: &TestStudy, name: &str, work: impl FnOnce() -> T) -> (i64, i64, T) {
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let mut admin = study.admin();
            let (mut most, mut fewest) = (0, i64::MAX);
            while !done.load(Ordering::Relaxed) {
                let n: i64 = admin
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                        &[&name],
                    )
                    .unwrap()
                    .get(0);
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
    let (most, _, tallies) =
        connections_during(&study, &name, || load(&[&server], codes[0], &texts, 3));
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
    let (most, fewest, second) = connections_during(&study, &name, || {
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
