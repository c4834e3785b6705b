//! `verbatim memo`: memos on every kind of target, blind until revealed,
//! searchable without caring about case or accents.

use verbatim_store::{Book, NewCode, SqliteStore};

use crate::common::{Run, Workspace, interview_lines};

/// Returns a study holding the fixture interview as `entretien`, coders
/// `tester` and `bruno`, and a code `Confiance` in tester's codebook.
pub fn study_with_coders() -> Workspace {
    let ws = Workspace::with_study();
    ws.write("entretien.txt", interview_lines());
    ws.import(&["entretien.txt"]).ok();
    let mut store = SqliteStore::open(&ws.study()).unwrap();
    store.add_coder("tester", "tester", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let scope = store.scope("tester", false, false).unwrap();
    store
        .add_code(
            &scope,
            &NewCode {
                name: "Confiance".into(),
                book: Some(Book::Own),
                ..NewCode::default()
            },
        )
        .unwrap();
    ws
}

/// Runs `verbatim ARGS --project study.vbt` as `coder`.
pub fn run_as(ws: &Workspace, coder: &str, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt"]);
    ws.run_env(&all, &[("VERBATIM_CODER", coder)])
}

/// Checks that a run failed with one sentence containing `expected`.
pub fn refused(run: &Run, expected: &str) {
    assert_eq!(run.code, 1, "should fail:\n{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(expected),
        "expected {expected:?} in {}",
        run.stderr
    );
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "one sentence: {}",
        run.stderr
    );
}

fn listed(ws: &Workspace, coder: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["memo", "list", "--json"];
    args.extend_from_slice(extra);
    run_as(ws, coder, &args)
        .ok()
        .json()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn memos_on_every_target_are_listed_and_searched() {
    let ws = study_with_coders();
    for on in [
        "study",
        "source:entretien",
        "participant:CSI-2",
        "code:Confiance",
    ] {
        let run = run_as(
            &ws,
            "tester",
            &[
                "memo",
                "add",
                "--on",
                on,
                "--title",
                "Note",
                "--text",
                &format!("À propos de {on} : Méfiance"),
            ],
        )
        .ok();
        assert!(run.stdout.contains("Wrote memo"), "{}", run.stdout);
    }
    let memos = listed(&ws, "tester", &[]);
    assert_eq!(memos.len(), 4);
    assert_eq!(memos[1]["target_kind"], "source");
    assert_eq!(memos[1]["target_label"], "entretien");
    assert_eq!(memos[2]["target_label"], "CSI-2");
    assert_eq!(memos[3]["target_label"], "Confiance");
    assert_eq!(memos[3]["coder"], "tester");

    let on_participant = listed(&ws, "tester", &["--on", "participant:CSI-2"]);
    assert_eq!(on_participant.len(), 1);
    let on_codes = listed(&ws, "tester", &["--on", "code"]);
    assert_eq!(on_codes.len(), 1);
    assert_eq!(on_codes[0]["target_kind"], "code");
    assert_eq!(listed(&ws, "tester", &["--search", "MEFIANCE"]).len(), 4);
    assert_eq!(
        listed(&ws, "tester", &["--search", "a propos de code"]).len(),
        1
    );

    let table = run_as(&ws, "tester", &["memo", "list"]).ok();
    assert!(table.stdout.contains("4 memos."), "{}", table.stdout);

    let id = memos[0]["id"].as_i64().unwrap().to_string();
    run_as(
        &ws,
        "tester",
        &["memo", "edit", &id, "--text", "Nouveau texte"],
    )
    .ok();
    assert_eq!(listed(&ws, "tester", &[])[0]["body"], "Nouveau texte");
    run_as(&ws, "tester", &["memo", "delete", &id]).ok();
    assert_eq!(listed(&ws, "tester", &[]).len(), 3);
}

#[test]
fn memos_stay_blind_until_the_study_is_revealed() {
    let ws = study_with_coders();
    run_as(
        &ws,
        "tester",
        &["memo", "add", "--on", "study", "--text", "Mon idée"],
    )
    .ok();
    assert!(listed(&ws, "bruno", &[]).is_empty());
    refused(&run_as(&ws, "bruno", &["memo", "list", "--all"]), "blind");
    let id = listed(&ws, "tester", &[])[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let before = ws.dump();
    refused(&run_as(&ws, "bruno", &["memo", "delete", &id]), "no memo");
    assert_eq!(ws.dump(), before);

    SqliteStore::open(&ws.study())
        .unwrap()
        .reveal("tester")
        .unwrap();
    let all = listed(&ws, "bruno", &["--all"]);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["coder"], "tester");
    assert_eq!(
        listed(&ws, "bruno", &[]).len(),
        0,
        "without --all, only one's own"
    );
}

#[test]
fn bad_memo_targets_change_nothing() {
    let ws = study_with_coders();
    let before = ws.dump();
    refused(
        &run_as(
            &ws,
            "tester",
            &["memo", "add", "--on", "code:Inconnu", "--text", "x"],
        ),
        "no code \"Inconnu\"",
    );
    refused(
        &run_as(
            &ws,
            "tester",
            &["memo", "add", "--on", "source:absente", "--text", "x"],
        ),
        "no source \"absente\"",
    );
    refused(
        &run_as(
            &ws,
            "tester",
            &["memo", "add", "--on", "planète:Mars", "--text", "x"],
        ),
        "memos go on",
    );
    refused(
        &run_as(
            &ws,
            "inconnue",
            &["memo", "add", "--on", "study", "--text", "x"],
        ),
        "no coder \"inconnue\"",
    );
    assert_eq!(ws.dump(), before);
}
