//! Hostile input and a hostile network on PostgreSQL (issue 17): text
//! PostgreSQL cannot hold (NUL) reads alike on a file and on the server,
//! bad addresses and refusing servers get one sentence each, a server that
//! goes away and comes back is answered 503 then served again without
//! restarting `serve`, and a server with every connection slot taken gets
//! a sentence rather than a hang. Every refusal leaves the study as it was.
//!
//! The tests that stop a server or limit its connections start one of
//! their own with `.ci/pg-server` (their own folder and port); they run
//! when `VERBATIM_TEST_PG` is set, as every PostgreSQL test here, and fail
//! when `VERBATIM_REQUIRE_PG=1` and no server can be had.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};
use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::browser::{Reply, http, serve_with};
use crate::common::{Run, Workspace};
use crate::qualcoder::qualcoder_project;

/// Returns the one line a refused command printed, after checking that it
/// failed, printed one line only, and shows no password, driver dump or
/// panic.
fn one_sentence(run: &Run) -> String {
    assert_ne!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    for dump in [
        "secret",
        "DbError",
        "Error {",
        "kind:",
        "panicked",
        "RUST_BACKTRACE",
    ] {
        assert!(!run.stderr.contains(dump), "{dump}: {}", run.stderr);
    }
    lines[0].to_owned()
}

/// Asserts that `line` holds every one of `words`.
fn says(line: &str, words: &[&str]) {
    for word in words {
        assert!(line.contains(word), "{word:?} not in: {line}");
    }
}

#[test]
fn each_bad_address_gets_one_sentence_saying_what_to_fix() {
    let ws = Workspace::empty();
    // No server is needed: each is refused before connecting, or by the
    // system (port 1 refuses; `.invalid` names no host, RFC 2606).
    let at = "postgres://amira:secret@127.0.0.1:1/verbatim";
    let long = "a".repeat(64);
    for (address, words) in [
        (
            format!("{at}?study=addicto&colour=blue"),
            vec!["\"colour\"", "remove it"],
        ),
        (
            format!("{at}?study=addicto%zz"),
            vec!["does not start an escape", "%25"],
        ),
        (
            format!("{at}?study=addicto%C3"),
            vec!["not UTF-8", "%C3%A9"],
        ),
        (format!("{at}?study=a&study=b"), vec!["two studies"]),
        (
            format!("{at}?study=Addicto"),
            vec!["upper-case", "lower-case letters"],
        ),
        (
            format!("{at}?study={long}"),
            vec!["64 characters long", "63"],
        ),
        (
            format!("{at}?study=pg_addicto"),
            vec!["PostgreSQL keeps that name"],
        ),
        (format!("{at}?study=ad\"dicto"), vec!["holds '\"'"]),
        (
            format!("{at}?study=verbatim_server"),
            vec!["verbatim keeps", "choose another"],
        ),
        (
            format!("{at}?study=addicto"),
            vec!["127.0.0.1:1 does not answer", "running"],
        ),
        (
            String::from("postgres://amira:secret@nohost.invalid/verbatim?study=addicto"),
            vec!["nohost.invalid", "cannot be found", "host name"],
        ),
    ] {
        let run = ws.run(&["sources", "--project", &address]);
        says(&one_sentence(&run), &words);
    }
}

#[test]
fn a_server_that_refuses_who_we_are_says_which_part_to_fix() {
    let Some(study) = test_server::study("cli_refusing_server") else {
        return;
    };
    let ws = Workspace::empty();
    let address = study.address.to_string();
    let name = study.address.study();
    // `study` gave a study, so the server's address is set.
    let server = std::env::var("VERBATIM_TEST_PG").unwrap();
    let after = server.trim_start_matches("postgres://");
    let (user_host, db) = after.split_once('/').unwrap();
    let db = db.split_once('?').map_or(db, |(db, _)| db);
    let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
    // A database the server does not have.
    let run = ws.run(&[
        "sources",
        "--project",
        &format!("postgres://{user_host}/no_such_db?study={name}"),
    ]);
    says(
        &one_sentence(&run),
        &["has no database no_such_db", "createdb"],
    );
    // A user the server does not know.
    let run = ws.run(&[
        "sources",
        "--project",
        &format!("postgres://nobody_here@{host}/{db}?study={name}"),
    ]);
    says(&one_sentence(&run), &["does not let user nobody_here in"]);
    // A study not made yet: every command but init says how to make it.
    let run = ws.run(&["code", "tree", "--project", &address]);
    says(&one_sentence(&run), &["no study", "verbatim init"]);
    let mut admin = study.admin();
    let made: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_namespace WHERE nspname = $1",
            &[&study.address.study()],
        )
        .unwrap()
        .get(0);
    assert_eq!(made, 0, "a refused command made no schema");
}

/// Imports `folder` (a QualCoder project) into a new study at `project`
/// and returns what a researcher reads of it.
fn imported(ws: &Workspace, folder: &str, project: &str) -> Vec<Value> {
    ws.run(&["import-project", folder, "--project", project])
        .ok();
    let mut read = Vec::new();
    for args in [
        vec!["sources", "--json"],
        vec!["show", "1", "--json"],
        vec!["code", "tree", "--shared", "--json", "--coder", "léa"],
        vec!["coding", "list", "--json", "--coder", "léa"],
        vec!["memo", "list", "--json", "--coder", "léa"],
    ] {
        let mut value = ws
            .run(&[&args[..], &["--project", project]].concat())
            .ok()
            .json();
        blank(&mut value);
        read.push(value);
    }
    read
}

/// Blanks what each study draws itself: guids and the times of import.
fn blank(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if matches!(key.as_str(), "guid" | "imported_at" | "created_at") {
                    *inner = Value::Null;
                } else {
                    blank(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(blank),
        _ => {}
    }
}

#[test]
fn nul_in_a_project_or_a_transcript_reads_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_nul_project") else {
        return;
    };
    let ws = Workspace::empty();
    let folder = qualcoder_project(&ws, "projet");
    // An old export tool left NULs in Éloïse's transcript: one before the
    // text (QualCoder counts it, so her codings sit one further on) and
    // one inside a word of her memo; another in a code's name and in the
    // journal.
    let conn = rusqlite::Connection::open(folder.join("data.qda")).unwrap();
    conn.execute_batch(
        "UPDATE source SET fulltext = char(0) || fulltext, memo = 'Premier' || char(0) || ' entretien' WHERE id = 1;
         UPDATE code_text SET pos0 = pos0 + 1, pos1 = pos1 + 1 WHERE fid = 1;
         UPDATE code_name SET name = 'Tem' || char(0) || 'ps' WHERE cid = 2;
         UPDATE journal SET jentry = 'Elle parlait vite' || char(0) || ' ; à relire.';",
    )
    .unwrap();
    drop(conn);
    let pg = study.address.to_string();
    let on_file = imported(&ws, "projet", "a.vbt");
    let on_pg = imported(&ws, "projet", &pg);
    assert_eq!(on_file, on_pg);
    // The NUL is gone and every coding is still on its word: the text is
    // QualCoder's with the NUL dropped and CRLF made LF.
    let text = on_pg[1]["text"].as_str().unwrap();
    assert_eq!(
        text,
        "Q: Comment ça va ?\nR: Très bien 👍, merci. La confiance 🙂 se gagne lentement.\n"
    );
    let coded: Vec<&str> = on_pg[3]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert!(coded.contains(&"confiance"), "{coded:?}");
    assert!(coded.contains(&"lentement"), "{coded:?}");
    let tree = on_pg[2].to_string();
    assert!(tree.contains("\"Temps\""), "{tree}");
    assert!(!tree.contains("\\u0000"), "{tree}");
    // The journal entry and the source's memo are memos, NUL dropped.
    let memos = on_pg[4].to_string();
    assert!(memos.contains("Elle parlait vite ; à relire."), "{memos}");
    assert!(memos.contains("Premier entretien"), "{memos}");

    // A text file with a NUL is not a transcript: both refuse it alike,
    // naming the file, and import nothing.
    ws.write("in/notes.txt", b"P01 : Bonjour\0 tout le monde.\n");
    let file_run = ws.run(&["import", "in/notes.txt", "--project", "a.vbt", "--json"]);
    let pg_run = ws.run(&["import", "in/notes.txt", "--project", &pg, "--json"]);
    assert_eq!(file_run.stdout, pg_run.stdout);
    assert_eq!(file_run.stderr, pg_run.stderr);
    assert!(
        file_run.stdout.contains("notes.txt") || file_run.stderr.contains("notes.txt"),
        "{}{}",
        file_run.stdout,
        file_run.stderr
    );
    let sources = ws.run(&["sources", "--json", "--project", &pg]).ok().json();
    assert_eq!(sources.as_array().unwrap().len(), 2, "{sources}");
}

#[test]
fn a_guide_typed_with_a_nul_is_refused_alike_and_changes_nothing() {
    let Some(study) = test_server::study("cli_nul_guide") else {
        return;
    };
    let ws = Workspace::with_study();
    let pg = study.address.to_string();
    ws.run(&["init", "--project", &pg]).ok();
    ws.write("guide.txt", "1. Comment allez-vous ?\n2. Et\0 le soir ?\n");
    let mut lines = Vec::new();
    for project in ["study.vbt", pg.as_str()] {
        let run = ws.run(&[
            "guide",
            "add",
            "entretien",
            "--file",
            "guide.txt",
            "--project",
            project,
        ]);
        let line = one_sentence(&run);
        says(&line, &["guide.txt", "U+0000 (NUL)", "nothing was changed"]);
        lines.push(line);
        let listed = ws
            .run(&["guide", "list", "--json", "--project", project])
            .ok()
            .json();
        assert_eq!(listed, serde_json::json!([]), "{project}");
    }
    assert_eq!(lines[0], lines[1]);
}

/// The script that starts and stops the tests' PostgreSQL servers.
fn pg_server_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/pg-server")
}

/// A PostgreSQL server of the test's own, on a free port, which the test
/// stops and starts; stopped (and its folder removed) on drop.
struct Private {
    dir: tempfile::TempDir,
    port: u16,
}

impl Private {
    /// Returns a started server, or `None` when the PostgreSQL tests skip
    /// (no `VERBATIM_TEST_PG`; a failure when `VERBATIM_REQUIRE_PG=1`).
    fn start(test: &str) -> Option<Self> {
        test_server::study(test)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = Private {
            dir: tempfile::tempdir().unwrap(),
            port,
        };
        server.up();
        Some(server)
    }

    fn ctl(&self, action: &str) -> std::process::Output {
        Command::new(pg_server_script())
            .arg(action)
            .env("VERBATIM_PG_DIR", self.dir.path())
            .env("VERBATIM_PG_PORT", self.port.to_string())
            .output()
            .unwrap()
    }

    fn up(&self) {
        let out = self.ctl("start");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn down(&self) {
        self.ctl("stop");
    }

    /// `HOST:PORT`, as the sentences name the server.
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn server(&self) -> String {
        format!("postgres://postgres@{}/postgres", self.host())
    }

    fn study(&self, name: &str) -> String {
        format!("{}?study={name}", self.server())
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        self.down();
    }
}

/// A coder's session on a served study: the CSRF token and cookies.
struct Session {
    base: String,
    cookies: String,
    csrf: String,
}

impl Session {
    fn new(base: &str, coder: &str) -> Self {
        let reply = http(base, "GET", "/api/codes", &[], "");
        let csrf = reply
            .headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .find_map(|(_, v)| v.strip_prefix("vb_csrf="))
            .and_then(|v| v.split(';').next())
            .unwrap()
            .to_owned();
        Session {
            base: base.to_owned(),
            cookies: format!("vb_csrf={csrf}; vb_coder={coder}"),
            csrf,
        }
    }

    fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, "application/json", &body.to_string())
    }

    /// Sends `body` (of type `content_type`) with the session's cookies.
    fn send(&self, method: &str, path: &str, content_type: &str, body: &str) -> Reply {
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

    /// Codes `[start, end)` of source 1 with code `code`.
    fn code(&self, code: i64, start: i64, end: i64) -> Reply {
        self.post(
            "/api/codings",
            &serde_json::json!({"source_id": 1, "start": start, "end": end, "code_id": code}),
        )
    }
}

/// Returns the `error` sentence of an API reply.
fn error_of(reply: &Reply) -> String {
    let body: Value = serde_json::from_str(&reply.body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", reply.body));
    body["error"].as_str().unwrap_or_default().to_owned()
}

/// Makes a study at `project` with one transcript and the coder amira.
fn small_study(ws: &Workspace, project: &str) {
    ws.write(
        "mardi.txt",
        "INT : Qu'est-ce qui vous fait venir ?\nP01 : Je viens chaque mardi, même quand il pleut.\n",
    );
    ws.run(&["init", "--project", project]).ok();
    ws.run(&["import", "mardi.txt", "--project", project]).ok();
    ws.run(&["coder", "add", "amira", "--project", project])
        .ok();
}

/// Returns amira's codings of the study at `project`, as `(start, end)`.
fn codings(ws: &Workspace, project: &str) -> Vec<(i64, i64)> {
    let listed = ws
        .run(&[
            "coding",
            "list",
            "--json",
            "--coder",
            "amira",
            "--project",
            project,
        ])
        .ok()
        .json();
    let mut spans: Vec<(i64, i64)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["start"].as_i64().unwrap(), c["end"].as_i64().unwrap()))
        .collect();
    spans.sort_unstable();
    spans
}

#[test]
fn serve_answers_503_while_postgres_is_down_and_serves_again_when_it_is_back() {
    let Some(pg) = Private::start("cli_pg_down") else {
        return;
    };
    let ws = Workspace::empty();
    let study = pg.study("terrain");
    small_study(&ws, &study);
    let server = serve_with(&ws, &["--project", &study, "--coder", "amira"]);
    let amira = Session::new(&server.base, "amira");
    let made = amira.post("/api/codes", &serde_json::json!({"name": "Régularité"}));
    assert_eq!(made.status, 200, "{}", made.body);
    let code = serde_json::from_str::<Value>(&made.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    // "INT : Qu'est-ce qui vous fait venir ?\n" is 38 chars and "P01 : "
    // 6 more, so [44, 52) is "Je viens" and [53, 65) "chaque mardi".
    assert_eq!(amira.code(code, 44, 52).status, 200);

    pg.down();
    let down = amira.code(code, 53, 65);
    assert_eq!(down.status, 503, "{}", down.body);
    says(
        &error_of(&down),
        &[&format!("{} does not answer", pg.host()), "running"],
    );
    // A command while the server is down: one sentence, a failure.
    let run = ws.run(&["coding", "list", "--coder", "amira", "--project", &study]);
    says(
        &one_sentence(&run),
        &[&format!("{} does not answer", pg.host())],
    );
    // The server process is still there, and says so again.
    let again = http(&server.base, "GET", "/api/codes", &[], "");
    assert_eq!(again.status, 503, "{}", again.body);

    pg.up();
    // The next request works without restarting serve: the pool dropped
    // the connections the stop broke and opened new ones.
    let back = amira.code(code, 53, 65);
    assert_eq!(back.status, 200, "{}", back.body);
    // Stored once each: the coding before the stop and the one after;
    // the refused one was not stored.
    assert_eq!(codings(&ws, &study), [(44, 52), (53, 65)]);
}

#[test]
fn a_server_with_no_connection_free_gets_a_sentence_not_a_hang() {
    let Some(pg) = Private::start("cli_pg_full") else {
        return;
    };
    Client::connect(&pg.server(), NoTls)
        .unwrap()
        .batch_execute("ALTER SYSTEM SET max_connections = 5")
        .unwrap();
    pg.down();
    pg.up();
    let ws = Workspace::empty();
    let study = pg.study("complet");
    small_study(&ws, &study);
    let server = serve_with(&ws, &["--project", &study, "--coder", "amira"]);
    let amira = Session::new(&server.base, "amira");
    let made = amira.post("/api/codes", &serde_json::json!({"name": "Régularité"}));
    assert_eq!(made.status, 200, "{}", made.body);
    let code = serde_json::from_str::<Value>(&made.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    // Every slot the server process left is taken by someone else.
    let mut others = Vec::new();
    while let Ok(client) = Client::connect(&pg.server(), NoTls) {
        others.push(client);
        assert!(others.len() <= 5, "max_connections = 5 was not applied");
    }

    // A command: one sentence, soon.
    let started = Instant::now();
    let run = ws.run(&["sources", "--project", &study]);
    says(
        &one_sentence(&run),
        &[&pg.host(), "no connection free", "max_connections"],
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );

    // Requests served at once share the connections serve holds: each is
    // answered, none waits forever. ("Je viens chaque mardi" at 44-65.)
    let started = Instant::now();
    let replies: Vec<Reply> = std::thread::scope(|scope| {
        let posts: Vec<_> = [(44, 46), (47, 52), (53, 59), (60, 65)]
            .into_iter()
            .map(|(start, end)| {
                let amira = &amira;
                scope.spawn(move || amira.code(code, start, end))
            })
            .collect();
        posts.into_iter().map(|p| p.join().unwrap()).collect()
    });
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    // Each waited for the connection serve holds, and was stored.
    for reply in &replies {
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    drop(others);
    // Every acknowledged coding stored once, nothing else.
    assert_eq!(
        codings(&ws, &study),
        [(44, 46), (47, 52), (53, 59), (60, 65)]
    );
}

#[test]
fn copy_names_the_table_and_row_postgres_cannot_hold_and_copies_nothing() {
    let Some(study) = test_server::study("cli_copy_nul") else {
        return;
    };
    let ws = Workspace::with_study();
    ws.write("mardi.txt", "P01 : Je viens chaque mardi.\n");
    ws.run(&["import", "mardi.txt", "--project", "study.vbt"])
        .ok();
    ws.run(&["coder", "add", "tester", "--project", "study.vbt"])
        .ok();
    ws.run(&[
        "memo",
        "add",
        "--on",
        "study",
        "--text",
        "Premier entretien",
        "--project",
        "study.vbt",
    ])
    .ok();
    // An older verbatim kept a NUL in the memo: written here directly.
    let conn = rusqlite::Connection::open(ws.study()).unwrap();
    let id: i64 = conn
        .query_row("SELECT max(id) FROM memos", [], |r| r.get(0))
        .unwrap();
    conn.execute(
        "UPDATE memos SET body = 'Premier' || char(0) || ' entretien' WHERE id = ?1",
        [id],
    )
    .unwrap();
    drop(conn);
    let pg = study.address.to_string();
    let run = ws.run(&["copy", "study.vbt", &pg]);
    says(
        &one_sentence(&run),
        &[
            &format!("row id {id} of table memos"),
            "U+0000",
            "nothing was copied",
        ],
    );
    // Nothing half-copied: no study at that address.
    let run = ws.run(&["sources", "--project", &pg]);
    says(&one_sentence(&run), &["no study"]);
}

#[test]
fn names_and_notes_posted_with_a_nul_are_refused_alike_over_http() {
    let Some(study) = test_server::study("cli_nul_http") else {
        return;
    };
    let ws = Workspace::empty();
    let pg = study.address.to_string();
    let mut answers = Vec::new();
    for project in ["study.vbt", pg.as_str()] {
        small_study(&ws, project);
        let listings = |ws: &Workspace| -> Vec<Value> {
            [["code", "tree"], ["memo", "list"], ["journal", "list"]]
                .iter()
                .map(|listing| {
                    ws.run(
                        &[
                            &listing[..],
                            &["--json", "--coder", "amira", "--project", project],
                        ]
                        .concat(),
                    )
                    .ok()
                    .json()
                })
                .collect()
        };
        let before = listings(&ws);
        let server = serve_with(&ws, &["--project", project, "--coder", "amira"]);
        let amira = Session::new(&server.base, "amira");
        let mut said = Vec::new();
        for (path, body) in [
            ("/api/codes", serde_json::json!({"name": "Con\u{0}fiance"})),
            (
                "/api/memos",
                serde_json::json!({"target_kind": "study", "body": "Pre\u{0}mier"}),
            ),
            (
                "/api/journal",
                serde_json::json!({"kind": "note", "title": "Mardi", "body": "Il\u{0} pleut"}),
            ),
        ] {
            let reply = amira.post(path, &body);
            assert_eq!(reply.status, 409, "{project} {path}: {}", reply.body);
            let sentence = error_of(&reply);
            says(&sentence, &["U+0000 (NUL)", "nothing was changed"]);
            said.push(sentence);
        }
        // Nothing was written: no code, memo or journal entry.
        assert_eq!(listings(&ws), before, "{project}");
        answers.push(said);
    }
    assert_eq!(answers[0], answers[1]);
}

#[test]
fn people_and_coding_texts_posted_with_a_nul_are_refused_alike_over_http() {
    let Some(study) = test_server::study("cli_nul_people") else {
        return;
    };
    let ws = Workspace::empty();
    let pg = study.address.to_string();
    let mut answers = Vec::new();
    for project in ["study.vbt", pg.as_str()] {
        small_study(&ws, project);
        ws.run(&[
            "code",
            "add",
            "Confiance",
            "--coder",
            "amira",
            "--project",
            project,
        ])
        .ok();
        let log = |ws: &Workspace| -> Value {
            ws.run(&["log", "--json", "--limit", "100", "--project", project])
                .ok()
                .json()
        };
        let before = log(&ws);
        let server = serve_with(&ws, &["--project", project, "--coder", "amira"]);
        let amira = Session::new(&server.base, "amira");
        let mut said = Vec::new();
        for (path, body, field) in [
            (
                "/api/sites",
                serde_json::json!({"name": "Clinique", "code": "C\u{0}L"}),
                "the site code",
            ),
            (
                "/api/participants",
                serde_json::json!({"label": "Éloï\u{0}se"}),
                "the participant's label",
            ),
            (
                "/api/codings",
                serde_json::json!({"source_id": 1, "start": 0, "end": 3, "code_id": 1,
                                   "memo": "à re\u{0}lire"}),
                "the coding's memo",
            ),
            (
                "/api/codings",
                serde_json::json!({"source_id": 1, "start": 0, "end": 3,
                                   "new_code": {"name": "Pluie"}, "memo": "mou\u{0}illé"}),
                "the coding's memo",
            ),
        ] {
            let reply = amira.post(path, &body);
            assert_eq!(reply.status, 409, "{project} {path}: {}", reply.body);
            let sentence = error_of(&reply);
            says(&sentence, &[field, "U+0000 (NUL)", "nothing was changed"]);
            said.push(sentence);
        }
        // Nothing was written: the audit log is as it was.
        assert_eq!(log(&ws), before, "{project}");
        answers.push(said);
    }
    assert_eq!(answers[0], answers[1]);
}

#[test]
fn a_wrong_or_missing_password_is_named_without_being_shown() {
    let Some(pg) = Private::start("cli_pg_password") else {
        return;
    };
    let ws = Workspace::empty();
    let study = pg.study("gardee");
    ws.run(&["init", "--project", &study]).ok();
    Client::connect(&pg.server(), NoTls)
        .unwrap()
        .batch_execute("ALTER USER postgres PASSWORD 'juste'")
        .unwrap();
    // Connections over TCP now need the password (pg_hba.conf).
    let hba = pg.dir.path().join("data/pg_hba.conf");
    let rules = std::fs::read_to_string(&hba).unwrap();
    let rules: String = rules
        .lines()
        .map(|l| match l.strip_suffix("trust") {
            Some(head) if l.starts_with("host") => format!("{head}scram-sha-256\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&hba, rules).unwrap();
    pg.down();
    pg.up();
    let host = pg.host();
    let wrong = format!("postgres://postgres:secret@{host}/postgres?study=gardee");
    let run = ws.run(&["sources", "--project", &wrong]);
    says(
        &one_sentence(&run),
        &["refused the password of user postgres", "PASSWORD"],
    );
    let run = ws.run(&["sources", "--project", &study]);
    says(
        &one_sentence(&run),
        &["asks for the password of user postgres"],
    );
    let right = format!("postgres://postgres:juste@{host}/postgres?study=gardee");
    let listed = ws
        .run(&["sources", "--json", "--project", &right])
        .ok()
        .json();
    assert_eq!(listed, serde_json::json!([]));
}

/// Makes `small_study` at `project` with site Hôpital (CH), participant
/// P01 of it and the participant attribute Métier; returns its audit log.
fn people_study(ws: &Workspace, project: &str) -> Value {
    small_study(ws, project);
    for args in [
        &["sites", "add", "Hôpital", "--code", "CH"][..],
        &["participants", "add", "--code", "P01", "--site", "CH"],
        &[
            "attribute",
            "add",
            "Métier",
            "--type",
            "text",
            "--for",
            "participant",
        ],
    ] {
        ws.run(&[args, &["--project", project]].concat()).ok();
    }
    study_log(ws, project)
}

/// The study's audit log at `project`, as `log --json` prints it.
fn study_log(ws: &Workspace, project: &str) -> Value {
    ws.run(&["log", "--json", "--limit", "100", "--project", project])
        .ok()
        .json()
}

#[test]
fn files_naming_a_site_code_or_source_with_a_nul_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_nul_lookups") else {
        return;
    };
    let ws = Workspace::empty();
    // A command line cannot carry a NUL, so the names come in files: a
    // codebook whose parent column names a code with a NUL, one whose code
    // name holds one, rosters naming a site or giving a value with one, and
    // a speaker mapping naming a source with one.
    ws.write("parent.csv", "code,parent\nPluie,Con\0fiance\n");
    ws.write("name.csv", "code\nPl\0uie\n");
    ws.write("site.csv", "code,site\nP02,C\0H\n");
    ws.write("value.csv", "code,site,Métier\nP02,CH,aide-\0soignante\n");
    ws.write(
        "speakers.csv",
        "source,label,participant\nmar\0di,P01,P01\n",
    );
    let pg = study.address.to_string();
    let mut answers = Vec::new();
    for project in ["study.vbt", pg.as_str()] {
        let before = people_study(&ws, project);
        let codebook = |file: &str| {
            let args = ["import", "codebook", file, "--coder", "amira"];
            one_sentence(&ws.run(&[&args[..], &["--project", project]].concat()))
        };
        let import = |what: &str, file: &str| {
            let run = ws.run(&[what, "import", file, "--project", project]);
            assert_ne!(run.code, 0, "{project} {file}: {}", run.stdout);
            run.stderr
        };
        let said = [
            codebook("parent.csv"),
            codebook("name.csv"),
            import("participants", "site.csv"),
            import("participants", "value.csv"),
            import("speakers", "speakers.csv"),
        ];
        let nul = "holds the character U+0000 (NUL), which a study cannot store, so nothing \
                   was changed: remove it and try again";
        assert_eq!(
            said,
            [
                "error: parent.csv: row 2, column \"parent\": no row defines the parent code \
                 \"Con\\0fiance\": add a row for it, or correct the name; nothing was imported"
                    .to_owned(),
                format!("error: name.csv: the code name {nul}; nothing was imported"),
                "error: site.csv: nothing was imported; fix these and try again:\nrow 2: site \
                 \"C\\0H\" is not known: add it with `verbatim sites add \"C\\0H\" --code CODE`\n"
                    .to_owned(),
                format!(
                    "error: value.csv: nothing was imported; fix these and try again:\nrow 2: \
                     the value of Métier {nul}\n"
                ),
                "error: speakers.csv: nothing was imported; fix these and try again:\nno source \
                 \"mar\\0di\" in this study: list them with `verbatim sources`\n"
                    .to_owned(),
            ],
            "{project}"
        );
        // Nothing was written: the audit log is as it was.
        assert_eq!(study_log(&ws, project), before, "{project}");
        answers.push(said);
    }
    assert_eq!(answers[0], answers[1]);
}

#[test]
fn a_site_or_attribute_value_with_a_nul_gets_the_same_answer_over_http() {
    let Some(study) = test_server::study("cli_nul_values_http") else {
        return;
    };
    let ws = Workspace::empty();
    let pg = study.address.to_string();
    let mut answers = Vec::new();
    for project in ["study.vbt", pg.as_str()] {
        let before = people_study(&ws, project);
        let server = serve_with(&ws, &["--project", project, "--coder", "amira"]);
        let amira = Session::new(&server.base, "amira");
        let json = "application/json";
        let csv = "application/octet-stream";
        let said: Vec<(u16, String)> = [
            (
                "PATCH",
                "/api/participants/1",
                json,
                r#"{"site": "C\u0000H"}"#,
            ),
            (
                "POST",
                "/api/participants",
                json,
                r#"{"pseudonym": "P02", "site": "Hô\u0000pital"}"#,
            ),
            (
                "PATCH",
                "/api/participants/1",
                json,
                r#"{"values": {"Métier": "infir\u0000mière"}}"#,
            ),
            (
                "POST",
                "/api/participants/roster?name=equipe.csv",
                csv,
                "code,site,Métier\nP03,CH,aide-\0soignante\n",
            ),
        ]
        .iter()
        .map(|(method, path, kind, body)| {
            let reply = amira.send(method, path, kind, body);
            (reply.status, error_of(&reply))
        })
        .collect();
        let nul = "holds the character U+0000 (NUL), which a study cannot store, so nothing \
                   was changed: remove it and try again";
        let no_site = |s: &str| {
            format!(
                "no site {s:?} in this study: add it with `verbatim sites add NAME --code CODE`"
            )
        };
        assert_eq!(
            said,
            [
                (404, no_site("C\0H")),
                (404, no_site("Hô\0pital")),
                (409, format!("the value of Métier {nul}")),
                (
                    400,
                    format!(
                        "equipe.csv was not imported: nothing was imported; fix these and try \
                         again:\nrow 2: the value of Métier {nul}"
                    )
                ),
            ],
            "{project}"
        );
        // Nothing was written: the audit log is as it was.
        assert_eq!(study_log(&ws, project), before, "{project}");
        answers.push(said);
    }
    assert_eq!(answers[0], answers[1]);
}
