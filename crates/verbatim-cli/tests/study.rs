//! `init`, `--project` and `VERBATIM_PROJECT`, study-format versions.

use crate::common::{Workspace, exists};

#[test]
fn init_creates_a_study_and_refuses_to_overwrite_it() {
    let ws = Workspace::empty();
    let run = ws
        .run(&["init", "--project", "study.vbt", "--title", "Addictologie"])
        .ok();
    assert!(run.stdout.contains("Created study \"Addictologie\""));
    assert!(exists(&ws.study()));

    let again = ws.run(&["init", "--project", "study.vbt"]);
    assert_ne!(again.code, 0);
    assert!(
        again.stderr.contains("study.vbt already exists"),
        "{}",
        again.stderr
    );
}

#[test]
fn the_project_can_come_from_the_environment() {
    let ws = Workspace::with_study();
    ws.write("a.txt", crate::common::interview_lines());
    let study = ws.study();
    let study = study.to_str().unwrap();
    ws.run_env(&["import", "a.txt"], &[("VERBATIM_PROJECT", study)])
        .ok();
    let run = ws
        .run_env(&["sources", "--json"], &[("VERBATIM_PROJECT", study)])
        .ok();
    assert_eq!(run.json().as_array().unwrap().len(), 1);
}

#[test]
fn a_missing_study_says_how_to_create_one() {
    let ws = Workspace::empty();
    let run = ws.run(&["sources", "--project", "nowhere.vbt"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no study at nowhere.vbt"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("verbatim init --project nowhere.vbt"));
    assert!(
        !exists(&ws.path("nowhere.vbt")),
        "opening must not create a study"
    );
}

#[test]
fn a_study_from_a_newer_verbatim_is_refused_untouched() {
    let ws = Workspace::with_study();
    let conn = rusqlite::Connection::open(ws.study()).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let before = std::fs::read(ws.study()).unwrap();
    let run = ws.run(&["sources", "--project", "study.vbt"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("version 999"), "{}", run.stderr);
    assert!(run.stderr.contains("upgrade verbatim"));
    assert_eq!(std::fs::read(ws.study()).unwrap(), before);
}

#[test]
fn a_file_that_is_not_a_study_is_refused() {
    let ws = Workspace::empty();
    ws.write("notes.vbt", "pas une étude");
    let run = ws.run(&["sources", "--project", "notes.vbt"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("notes.vbt is not a verbatim study file"),
        "{}",
        run.stderr
    );
}
