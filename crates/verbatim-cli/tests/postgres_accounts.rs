//! `verbatim account` on `--project postgres://…`: the same session of
//! account commands gives the same `--json` (lists, login log, audit log)
//! and the same refusals on a file and on PostgreSQL, passwords read from
//! standard input and kept as Argon2id hashes on both. The PostgreSQL half
//! needs `VERBATIM_TEST_PG` (see `verbatim_store_pg::test_server`).

use serde_json::Value;
use verbatim_store::{Accounts, LoginEvent, SqliteStore, password_matches};
use verbatim_store_pg::test_server;
use verbatim_store_pg::{PgAddress, PgStore};

use crate::accounts::run_stdin;
use crate::common::Workspace;

/// Opens the study at `project` (a file in `ws`, or a PostgreSQL address)
/// through the trait, as the server would.
fn open(ws: &Workspace, project: &str) -> Box<dyn Accounts> {
    if PgAddress::is_postgres(project) {
        Box::new(PgStore::open(&project.parse().unwrap()).unwrap())
    } else {
        Box::new(SqliteStore::open(&ws.path(project)).unwrap())
    }
}

/// Blanks what differs by design: clock readings and entry ids.
fn blank(mut value: Value, keys: &[&str]) -> Value {
    for item in value.as_array_mut().into_iter().flatten() {
        for key in keys {
            if let Some(v) = item.get_mut(*key)
                && !v.is_null()
            {
                *v = Value::from("…");
            }
        }
    }
    value
}

/// Runs the account session on `project`; returns `account list --json`,
/// `account log --json`, `log --json` and the refusals' messages.
fn account_session(ws: &Workspace, project: &str) -> Vec<Value> {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run(&full)
    };
    let with_password = |args: &[&str], password: &str| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--password-stdin", "--project", project]);
        run_stdin(ws, &full, &format!("{password}\n")).ok()
    };
    run(&["init", "--title", "Étude", "--language", "fr"]).ok();
    let added = with_password(
        &["account", "add", "Amira", "--role", "owner"],
        "secret-amira-1",
    );
    assert_eq!(added.stdout.trim(), "Added account Amira (owner).");
    let added = with_password(
        &["account", "add", "bruno", "--role", "coder"],
        "secret-bruno-1",
    );
    assert_eq!(
        added.stdout.trim(),
        "Added account bruno (coder); it codes as coder \"bruno\"."
    );
    with_password(
        &["account", "add", "chloé", "--role", "viewer"],
        "secret-chloe-1",
    );
    run(&["account", "role", "chloé", "coder"]).ok();
    with_password(&["account", "password", "bruno"], "nouveau-secret-1");
    run(&["account", "remove", "chloé"]).ok();
    let invited = run(&["account", "invite", "dora", "--role", "viewer"]).ok();
    let path = invited.stdout.trim();
    assert!(
        path.len() == "/invite/".len() + 64 && path.starts_with("/invite/"),
        "{path}"
    );
    let mut seen = Vec::new();
    for refused in [
        run(&["account", "remove", "Amira"]),
        run(&["account", "role", "Amira", "viewer"]),
        run(&["account", "role", "dora", "coder"]),
        run(&["account", "role", "bruno", "chef"]),
    ] {
        assert_ne!(refused.code, 0, "{}", refused.stdout);
        seen.push(Value::from(refused.stderr));
    }
    // The team server records logins; here the store does, as it would.
    let mut store = open(ws, project);
    store
        .record_login("bruno", LoginEvent::Failed, Some("10.0.0.7"))
        .unwrap();
    store
        .record_login("bruno", LoginEvent::Login, Some("10.0.0.7"))
        .unwrap();
    let hash = store.login_hash("bruno").unwrap().unwrap();
    assert!(password_matches("nouveau-secret-1", Some(&hash)));
    drop(store);
    let list = run(&["account", "list", "--json"]).ok().json();
    seen.push(blank(list, &["created_at", "disabled_at"]));
    let logins = run(&["account", "log", "--json"]).ok().json();
    seen.push(blank(logins, &["at"]));
    let log = run(&["log", "--json", "--limit", "100"]).ok().json();
    seen.push(blank(log, &["id", "at"]));
    seen
}

#[test]
fn account_commands_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_accounts") else {
        return;
    };
    let ws = Workspace::empty();
    let on_file = account_session(&ws, "study.vbt");
    let on_pg = account_session(&ws, &study.address.to_string());
    assert_eq!(on_file, on_pg);
    // The values, worked out from the session: chloé was made a coder,
    // then removed; by name, case aside, Amira < bruno < chloé.
    let list = &on_pg[4];
    let accounts: Vec<(&str, &str, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap(),
                a["role"].as_str().unwrap(),
                a["disabled_at"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        accounts,
        [
            ("Amira", "owner", true),
            ("bruno", "coder", true),
            ("chloé", "coder", false)
        ]
    );
    assert!(
        on_pg[0]
            .as_str()
            .unwrap()
            .contains("Amira is the study's last owner"),
        "{}",
        on_pg[0]
    );
    assert!(
        on_pg[2]
            .as_str()
            .unwrap()
            .contains("no account named \"dora\"")
    );
    assert!(
        on_pg[3]
            .as_str()
            .unwrap()
            .contains("\"chef\" is not a role")
    );
    // Newest first: the login, then the failed attempt.
    let events: Vec<&str> = on_pg[5]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["login", "failed"]);
    // The log: creation, 3 adds, role, password, removal, invitation = 8
    // entries, none of them holding a hash or a token.
    let log = &on_pg[6];
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "account.invite",
            "account.remove",
            "account.password",
            "account.role",
            "account.add",
            "account.add",
            "account.add",
            "study.create"
        ]
    );
    let text = log.to_string();
    assert!(!text.contains("$argon2"), "{text}");
}

#[test]
fn copy_carries_accounts_and_logins_to_postgres_and_back() {
    let Some(study) = test_server::study("cli_accounts_copy") else {
        return;
    };
    let ws = Workspace::empty();
    let on_file = account_session(&ws, "study.vbt");
    let address = study.address.to_string();
    ws.run(&["copy", "study.vbt", &address]).ok();
    ws.run(&["copy", &address, "back.vbt"]).ok();
    for copy in [address.as_str(), "back.vbt"] {
        let run = |args: &[&str]| {
            let mut full: Vec<&str> = args.to_vec();
            full.extend(["--project", copy]);
            ws.run(&full).ok().json()
        };
        let list = run(&["account", "list", "--json"]);
        assert_eq!(
            blank(list, &["created_at", "disabled_at"]),
            on_file[4],
            "{copy}"
        );
        assert_eq!(
            blank(run(&["account", "log", "--json"]), &["at"]),
            on_file[5]
        );
        // The password set on the file still opens the copy.
        let store = open(&ws, copy);
        let hash = store.login_hash("bruno").unwrap().unwrap();
        assert!(password_matches("nouveau-secret-1", Some(&hash)), "{copy}");
    }
    // Every field as it was, times included: the rows are copied.
    let original = ws
        .run(&["account", "list", "--json", "--project", "study.vbt"])
        .ok()
        .json();
    let back = ws
        .run(&["account", "list", "--json", "--project", "back.vbt"])
        .ok()
        .json();
    assert_eq!(back, original);
}
