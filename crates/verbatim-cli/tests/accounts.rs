//! `verbatim account`: the people of a team server, added, listed,
//! re-roled, removed and invited from the command line; every refusal
//! says what to do and leaves the study as it was.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{Run, Workspace};

/// Runs `verbatim ARGS` with `stdin` on standard input.
pub(crate) fn run_stdin(ws: &Workspace, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_verbatim"))
        .args(args)
        .current_dir(ws.dir.path())
        .env_remove("VERBATIM_PROJECT")
        .env("VERBATIM_CODER", "tester")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Adds an account with `password` on standard input.
pub(crate) fn add_account(ws: &Workspace, study: &str, name: &str, role: &str, password: &str) {
    run_stdin(
        ws,
        &[
            "account",
            "add",
            "--project",
            study,
            name,
            "--role",
            role,
            "--password-stdin",
        ],
        &format!("{password}\n"),
    )
    .ok();
}

fn stored_hash(ws: &Workspace, name: &str) -> Option<String> {
    let conn = rusqlite::Connection::open(ws.study()).unwrap();
    conn.query_row(
        "SELECT password_hash FROM accounts WHERE name = $1",
        [name],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn an_account_takes_its_password_from_stdin_and_keeps_only_an_argon2id_hash() {
    let ws = Workspace::with_study();
    add_account(&ws, "study.vbt", "olga", "owner", "le mot de passe d’Olga");
    let hash = stored_hash(&ws, "olga").unwrap();
    // Argon2id with the crate's defaults: 19 MiB, 2 passes, 1 lane.
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains("Olga"));
    // A new password, also from stdin, replaces the hash.
    run_stdin(
        &ws,
        &[
            "account",
            "password",
            "--project",
            "study.vbt",
            "olga",
            "--password-stdin",
        ],
        "un autre mot de passe\r\n",
    )
    .ok();
    let changed = stored_hash(&ws, "olga").unwrap();
    assert_ne!(changed, hash);
    // Never on the command line, never empty, never short.
    let before = ws.dump();
    let no_flag = ws.run(&[
        "account",
        "add",
        "--project",
        "study.vbt",
        "paul",
        "--role",
        "coder",
    ]);
    assert_ne!(no_flag.code, 0);
    assert!(
        no_flag.stderr.contains("--password-stdin"),
        "{}",
        no_flag.stderr
    );
    let args = [
        "account",
        "add",
        "--project",
        "study.vbt",
        "paul",
        "--role",
        "coder",
        "--password-stdin",
    ];
    let empty = run_stdin(&ws, &args, "");
    assert_ne!(empty.code, 0);
    assert!(empty.stderr.contains("no password"), "{}", empty.stderr);
    let short = run_stdin(&ws, &args, "court\n");
    assert_ne!(short.code, 0);
    assert!(short.stderr.contains("shorter than 8"), "{}", short.stderr);
    assert_eq!(ws.dump(), before, "refusals change nothing");
}

#[test]
fn a_coder_account_is_a_coder_and_the_list_shows_roles() {
    let ws = Workspace::with_study();
    add_account(&ws, "study.vbt", "olga", "owner", "mot de passe 1");
    add_account(&ws, "study.vbt", "amira", "coder", "mot de passe 2");
    add_account(&ws, "study.vbt", "vera", "viewer", "mot de passe 3");
    let coders = ws
        .run(&["coder", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    let names: Vec<&str> = coders
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    // Only the coder account became a coder.
    assert_eq!(names, ["amira"]);
    let list = ws
        .run(&["account", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    let roles: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        roles,
        [("amira", "coder"), ("olga", "owner"), ("vera", "viewer")]
    );
    assert!(
        !ws.run(&["account", "list", "--project", "study.vbt"])
            .ok()
            .stdout
            .contains("argon")
    );
    // A role change to coder makes the coder too.
    ws.run(&["account", "role", "--project", "study.vbt", "vera", "coder"])
        .ok();
    let coders = ws
        .run(&["coder", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    assert_eq!(coders.as_array().unwrap().len(), 2);
}

#[test]
fn a_bad_role_a_duplicate_and_the_last_owner_are_refused_and_change_nothing() {
    let ws = Workspace::with_study();
    add_account(&ws, "study.vbt", "olga", "owner", "mot de passe 1");
    add_account(&ws, "study.vbt", "amira", "coder", "mot de passe 2");
    let before = ws.dump();
    let bad_role = run_stdin(
        &ws,
        &[
            "account",
            "add",
            "--project",
            "study.vbt",
            "paul",
            "--role",
            "chef",
            "--password-stdin",
        ],
        "mot de passe 3\n",
    );
    assert_ne!(bad_role.code, 0);
    assert!(
        bad_role
            .stderr
            .contains("\"chef\" is not a role: use owner, coder or viewer"),
        "{}",
        bad_role.stderr
    );
    let duplicate = run_stdin(
        &ws,
        &[
            "account",
            "add",
            "--project",
            "study.vbt",
            "amira",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "mot de passe 3\n",
    );
    assert_ne!(duplicate.code, 0);
    assert!(
        duplicate
            .stderr
            .contains("already an account named \"amira\""),
        "{}",
        duplicate.stderr
    );
    for args in [
        &["account", "remove", "--project", "study.vbt", "olga"][..],
        &["account", "role", "--project", "study.vbt", "olga", "coder"][..],
    ] {
        let refused = ws.run(args);
        assert_ne!(refused.code, 0);
        assert!(
            refused.stderr.contains("olga is the study's last owner")
                && refused.stderr.contains("verbatim account role NAME owner"),
            "{}",
            refused.stderr
        );
    }
    let unknown = ws.run(&["account", "remove", "--project", "study.vbt", "nobody"]);
    assert!(
        unknown.stderr.contains("no account named \"nobody\""),
        "{}",
        unknown.stderr
    );
    assert_eq!(ws.dump(), before, "refusals change nothing");
    // Another owner first, then the first may step down.
    ws.run(&[
        "account",
        "role",
        "--project",
        "study.vbt",
        "amira",
        "owner",
    ])
    .ok();
    ws.run(&[
        "account",
        "role",
        "--project",
        "study.vbt",
        "olga",
        "viewer",
    ])
    .ok();
    ws.run(&["account", "remove", "--project", "study.vbt", "olga"])
        .ok();
    let list = ws
        .run(&["account", "list", "--project", "study.vbt"])
        .ok()
        .stdout;
    assert!(list.contains("removed"), "{list}");
}

#[test]
fn an_invitation_prints_a_one_time_path_and_the_log_names_no_secret() {
    let ws = Workspace::with_study();
    add_account(&ws, "study.vbt", "olga", "owner", "mot de passe 1");
    let run = ws
        .run(&[
            "account",
            "invite",
            "--project",
            "study.vbt",
            "chloe",
            "--role",
            "coder",
        ])
        .ok();
    let path = run.stdout.trim();
    let token = path.strip_prefix("/invite/").unwrap();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(run.stderr.contains("within 7 days"), "{}", run.stderr);
    let log = ws
        .run(&["log", "--project", "study.vbt", "--json"])
        .ok()
        .stdout;
    assert!(log.contains("account.invite") && log.contains("account.add"));
    assert!(!log.contains(token) && !log.contains("argon2") && !log.contains("mot de passe"));
}
