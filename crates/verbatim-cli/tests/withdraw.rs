//! `verbatim participants withdraw`: the participant's speech goes from
//! every table, everyone else's words and codings stay exactly as they were.

use verbatim_store::{MemoTarget, NewParticipant, SqliteStore};

use crate::common::{Workspace, turns};
use crate::deidentify::{code, coded, group_study, readable_dump};

fn run(ws: &Workspace, args: &[&str]) -> crate::common::Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt"]);
    ws.run(&all)
}

/// The group study with Marie and Paul as participants.
fn with_participants() -> Workspace {
    let ws = group_study();
    let mut store = SqliteStore::open(&ws.study()).unwrap();
    for (code, label) in [("CHFG-C", "Marie"), ("CHFG-D", "Paul")] {
        store
            .add_participant(
                "tester",
                &NewParticipant {
                    code: Some(code.into()),
                    label: Some(label.into()),
                    site: None,
                },
            )
            .unwrap();
    }
    ws
}

#[test]
fn withdrawal_removes_the_speech_everywhere_and_moves_nothing_else() {
    let ws = with_participants();
    // Inside Marie's turn, in Paul's turn, and straddling Marie's end.
    code(&ws, "infirmière à l'Hôpital");
    code(&ws, "Je travaille avec");
    code(&ws, "depuis dix ans.\nINT : Et votre");
    {
        let mut store = SqliteStore::open(&ws.study()).unwrap();
        let scope = store.scope("tester", false, false).unwrap();
        store
            .add_memo(
                &scope,
                &MemoTarget::Participant("CHFG-C".into()),
                None,
                "Très émue en parlant de Bichat",
            )
            .unwrap();
        // An earlier correction keeps the whole text in the audit log.
        let span = store.locate(1, "Bonjour", None).unwrap().span;
        store
            .edit_source(&scope, 1, span, "Bonjour à tous")
            .unwrap();
    }
    let before = turns(&ws.show("groupe"));
    let others_coded = "Je travaille avec".to_owned();
    assert!(coded(&ws).contains(&others_coded));

    let out = run(
        &ws,
        &["participants", "withdraw", "CHFG-C", "--yes", "--json"],
    )
    .ok()
    .json();
    let s = &out["sources"][0];
    assert_eq!(s["turns_removed"], 2);
    assert_eq!(s["codings_deleted"]["tester"], 1);
    assert_eq!(s["codings_shrunk"]["tester"], 1);
    assert_eq!(out["memos_removed"], 1);

    let after = turns(&ws.show("groupe"));
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        if b.0 == "Marie" {
            assert_eq!(a.1, "[passage removed: participant withdrew]");
        } else {
            assert_eq!(a, b, "another speaker's turn changed");
        }
    }
    let now = coded(&ws);
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(now.contains(&others_coded));
    assert!(now.contains(&"\nINT : Et votre".to_owned()), "{now:?}");
    let all = readable_dump(&ws);
    assert!(all.iter().any(|l| l.contains("Je travaille avec")));
    for line in all {
        assert!(
            !line.contains("infirmière")
                && !line.contains("Bichat")
                && !line.contains("émue")
                && !line.contains("important pour moi"),
            "withdrawn words left: {line}"
        );
    }
    let people = run(&ws, &["participants", "list", "--json"]).ok().json();
    let marie = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "CHFG-C")
        .unwrap();
    assert!(marie["label"].is_null(), "{marie}");
    let consent = run(&ws, &["participants", "consent", "CHFG-C", "--json"])
        .ok()
        .json();
    assert_eq!(consent[0]["status"], "withdrawn");
    // The removed turns stay attributed, though the label "Marie" is gone.
    let speakers = run(&ws, &["speakers", "list", "--json"]).ok().json();
    let marie = speakers
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["label"] == "Marie")
        .unwrap();
    assert_eq!(marie["participant"], "CHFG-C", "{marie}");
}

#[test]
fn withdrawal_needs_confirmation_and_a_known_participant() {
    let ws = with_participants();
    let dump = ws.dump();
    let unknown = run(&ws, &["participants", "withdraw", "ZZ-9", "--yes"]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("no participant"),
        "{}",
        unknown.stderr
    );
    assert_eq!(unknown.stderr.lines().count(), 1, "{}", unknown.stderr);
    let unconfirmed = run(&ws, &["participants", "withdraw", "CHFG-C"]);
    assert_eq!(unconfirmed.code, 1);
    assert!(
        unconfirmed.stderr.contains("--yes"),
        "{}",
        unconfirmed.stderr
    );
    assert_eq!(ws.dump(), dump);
}
