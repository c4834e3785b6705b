//! `verbatim source edit`: the text changes, every span follows, undo
//! restores it all.

use verbatim_store::{CodingFilter, SqliteStore};

use crate::common::{Workspace, interview_lines};
use crate::memos::{refused, run_as, study_with_coders};

/// Codes `quote` with `Confiance` as tester; returns the coding's id.
fn code(ws: &Workspace, quote: &str) -> i64 {
    let mut store = SqliteStore::open(&ws.study()).unwrap();
    let scope = store.scope("tester", false, false).unwrap();
    let code = store.find_code(&scope, "Confiance", None).unwrap();
    let span = store.locate(1, quote, None).unwrap().span;
    store.add_coding(&scope, 1, span, code, None).unwrap().0
}

fn coded(ws: &Workspace) -> Vec<(i64, String)> {
    let store = SqliteStore::open(&ws.study()).unwrap();
    let scope = store.scope("tester", false, false).unwrap();
    store
        .codings(&scope, &CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.text))
        .collect()
}

/// The dump without the audit log, which undo extends.
fn data(ws: &Workspace) -> Vec<String> {
    ws.dump()
        .into_iter()
        .filter(|l| !l.starts_with("audit:"))
        .collect()
}

#[test]
fn an_edit_moves_codings_and_turns_and_undo_restores_them() {
    let ws = study_with_coders();
    let trust = code(&ws, "« la confiance »");
    let slow = code(&ws, "très lentement");
    let inside = code(&ws, "lentement");
    let later = code(&ws, "le contrôle et l’accompagnement");
    let original = data(&ws);

    let run = run_as(
        &ws,
        "tester",
        &[
            "source",
            "edit",
            "entretien",
            "--find",
            "très lentement",
            "--text",
            "peu à peu",
        ],
    )
    .ok();
    assert!(
        run.stdout.contains("Codings whose passage changed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("deleted: its whole passage was replaced"),
        "{}",
        run.stdout
    );

    let shown = ws.show("entretien");
    let expected = interview_lines().replace("très lentement", "peu à peu");
    assert_eq!(shown["text"], expected.trim_end());
    let turns = crate::common::turns(&shown);
    assert!(turns[1].1.contains("qu’on construit peu à peu, et puis"));
    assert_eq!(turns[3].1, crate::common::INTERVIEW_FR[3].1);
    assert_eq!(
        coded(&ws),
        vec![
            (trust, "« la confiance »".to_owned()),
            (slow, "peu à peu".to_owned()),
            (later, "le contrôle et l’accompagnement".to_owned()),
        ]
    );
    let _ = inside;

    let mut store = SqliteStore::open(&ws.study()).unwrap();
    store.undo("tester", 1).unwrap();
    drop(store);
    assert_eq!(data(&ws), original);
    let mut store = SqliteStore::open(&ws.study()).unwrap();
    store.redo("tester", 1).unwrap();
    drop(store);
    assert_eq!(ws.show("entretien")["text"], expected.trim_end());
}

#[test]
fn an_edit_by_span_reports_json() {
    let ws = study_with_coders();
    code(&ws, "la méfiance");
    let shown = ws.show("entretien");
    let text = shown["text"].as_str().unwrap();
    let at = text[..text.find("méfiance").unwrap()].chars().count();
    let run = run_as(
        &ws,
        "tester",
        &[
            "source",
            "edit",
            "entretien",
            "--start",
            &at.to_string(),
            "--end",
            &(at + 8).to_string(),
            "--text",
            "défiance",
            "--json",
        ],
    )
    .ok();
    let report = run.json();
    // Narrowed to the one letter that changes.
    assert_eq!(report["removed"], "m");
    assert_eq!(report["inserted"], "d");
    assert_eq!(report["start"], at);
    assert_eq!(report["affected"][0]["new_text"], "la défiance");
}

#[test]
fn bad_edits_change_nothing() {
    let ws = study_with_coders();
    code(&ws, "la méfiance");
    let before = ws.dump();
    refused(
        &run_as(
            &ws,
            "tester",
            &[
                "source",
                "edit",
                "entretien",
                "--start",
                "10",
                "--end",
                "99999",
                "--text",
                "x",
            ],
        ),
        "outside source \"entretien\"",
    );
    refused(
        &run_as(
            &ws,
            "tester",
            &[
                "source",
                "edit",
                "entretien",
                "--find",
                "absent du texte",
                "--text",
                "x",
            ],
        ),
        "does not occur",
    );
    refused(
        &run_as(
            &ws,
            "tester",
            &[
                "source", "edit", "inconnue", "--start", "0", "--end", "1", "--text", "x",
            ],
        ),
        "no source \"inconnue\"",
    );
    refused(
        &run_as(
            &ws,
            "tester",
            &[
                "source",
                "edit",
                "entretien",
                "--start",
                "5",
                "--end",
                "2",
                "--text",
                "x",
            ],
        ),
        "is after --end",
    );
    assert_eq!(ws.dump(), before);
}
