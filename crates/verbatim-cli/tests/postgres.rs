//! `--project postgres://…`: init, import, sources and show on a PostgreSQL
//! study answer as they do on a file; commands not on PostgreSQL yet refuse
//! such a study in one sentence (`postgres_coding` has the coding ones). The PostgreSQL half needs `VERBATIM_TEST_PG` (see
//! `verbatim_store_pg::test_server`); the refusals need no server.

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Run, Workspace, interview_docx, interview_lines};

/// A WebVTT focus-group extract we wrote: three voices, cue times.
const VTT: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Animatrice>What brought you to the group?\n\n00:00:04.500 --> 00:00:09.000\n<v P03>A friend told me it helped her.\n\n00:00:09.500 --> 00:00:12.000\n<v P07>Same for me, more or less.\n";

/// Writes the transcripts both studies import: .txt, .docx and .vtt, plus a
/// second copy of the text file (a duplicate).
fn write_transcripts(ws: &Workspace) {
    ws.write("in/CSI-2 entretien.txt", interview_lines());
    ws.write("in/focus.docx", interview_docx());
    ws.write("in/groupe.vtt", VTT);
    ws.write("in/z/copie.txt", interview_lines());
}

/// Runs the session on `project` and returns import report, sources and
/// each source shown, with what is unique by design (guids) or a clock
/// reading (import times) blanked.
fn session(ws: &Workspace, project: &str) -> (Value, Value, Vec<Value>) {
    ws.run(&[
        "init",
        "--project",
        project,
        "--title",
        "Étude",
        "--language",
        "fr",
    ])
    .ok();
    let report = ws
        .run(&[
            "import",
            "--project",
            project,
            "in",
            "--site",
            "CS",
            "--json",
        ])
        .ok()
        .json();
    let mut sources = ws
        .run(&["sources", "--project", project, "--json"])
        .ok()
        .json();
    let mut shown = Vec::new();
    for s in sources.as_array_mut().unwrap() {
        let id = s["id"].to_string();
        let mut one = ws
            .run(&["show", "--project", project, &id, "--json"])
            .ok()
            .json();
        for v in [&mut *s, &mut one] {
            v["guid"] = Value::Null;
            v["imported_at"] = Value::Null;
        }
        shown.push(one);
    }
    (report, sources, shown)
}

#[test]
fn the_same_session_gives_the_same_json_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_same_session") else {
        return;
    };
    let ws = Workspace::empty();
    write_transcripts(&ws);
    let on_file = session(&ws, "study.vbt");
    let on_pg = session(&ws, &study.address.to_string());
    // Three sources: the copy of the text file is a duplicate.
    let names: Vec<&str> = on_pg
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"groupe"), "{names:?}");
    let statuses: Vec<&str> = on_pg
        .0
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "duplicate").count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(on_file, on_pg);
}

#[test]
fn init_refuses_a_postgres_study_that_exists() {
    let Some(study) = test_server::study("cli_init_twice") else {
        return;
    };
    let ws = Workspace::empty();
    let address = study.address.to_string();
    ws.run(&["init", "--project", &address]).ok();
    let again = ws.run(&["init", "--project", &address]);
    assert_ne!(again.code, 0);
    assert!(
        again.stderr.contains("there is already a study") && again.stderr.contains(&address),
        "{}",
        again.stderr
    );
    // The refused init left the study as it was: still empty and readable.
    let run = ws.run(&["sources", "--project", &address, "--json"]).ok();
    assert_eq!(run.json(), serde_json::json!([]));
}

fn one_sentence(run: &Run) -> &str {
    assert_ne!(run.code, 0, "{}", run.stdout);
    let lines: Vec<&str> = run.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    lines[0]
}

#[test]
fn other_commands_refuse_a_postgres_study_in_one_sentence() {
    let ws = Workspace::empty();
    // No server is needed: the refusal comes before any connection.
    let address = "postgres://amira:secret@127.0.0.1:1/verbatim?study=addicto";
    // Making a new source from a recording is still file-only: refused in
    // one sentence that says what to do instead, with no password shown.
    let run = ws.run(&[
        "media",
        "attach",
        "visite",
        "visite.wav",
        "--new",
        "--project",
        address,
    ]);
    let line = one_sentence(&run);
    assert_eq!(
        line,
        "error: `media attach --new` works on study files only for now, so nothing was changed in \
         postgres://amira@127.0.0.1:1/verbatim?study=addicto: import the transcript, then attach \
         the recording to it",
    );
    assert!(!run.stderr.contains("secret"), "{}", run.stderr);
    // The demo is built in a file, and says how to put it on the server.
    let run = ws.run(&["demo", "--project", address]);
    assert_eq!(
        one_sentence(&run),
        "error: the demo is built in a study file, not at \
         postgres://amira@127.0.0.1:1/verbatim?study=addicto: run `verbatim demo --project \
         demo.vbt`, then `verbatim copy demo.vbt` to that address",
    );
    assert!(!ws.path("postgres:").exists());
    let run = ws.run(&["sources", "--project", "postgres://amira@db/verbatim"]);
    assert!(one_sentence(&run).contains("?study=NAME"), "{}", run.stderr);
}
