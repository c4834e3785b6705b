//! `--project postgres://…` for the edits of people, attributes, speakers,
//! journal entries and memos: one session run on a study file and on a
//! PostgreSQL study prints the same `--json`, word for word, and the same
//! history. The PostgreSQL half needs `VERBATIM_TEST_PG` (see
//! `verbatim_store_pg::test_server`).

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Workspace, interview_lines};

/// Runs the session on `project` and returns what each read printed as
/// JSON (clock readings blanked), the refusals' messages, and the log's
/// actions, targets and summaries, newest first.
fn people_session(ws: &Workspace, project: &str) -> (Vec<Value>, Vec<String>, Vec<Value>) {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run(&full)
    };
    let ok = |args: &[&str]| run(args).ok();
    let as_amira = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--coder", "amira"]);
        ok(&full)
    };
    ok(&["init", "--title", "Étude", "--language", "fr"]);
    ok(&["import", "entretien.txt", "--site", "CS"]);
    ok(&["coder", "add", "amira"]);
    ok(&["sites", "add", "Centre de santé", "--code", "CS"]);
    ok(&["participants", "add", "--label", "Claire", "--site", "CS"]);
    ok(&["participants", "add", "--code", "CSI-2"]);
    ok(&["attribute", "add", "âge", "--type", "number"]);
    ok(&[
        "attribute",
        "add",
        "profession",
        "--type",
        "category",
        "--values",
        "infirmière,médecin",
    ]);
    ok(&[
        "attribute",
        "add",
        "durée",
        "--type",
        "number",
        "--for",
        "source",
    ]);
    let set = ok(&[
        "participants",
        "set",
        "claire",
        "âge=41",
        "profession=Infirmière",
        "--label",
        "Claire D.",
    ]);
    assert_eq!(set.stdout.trim(), "Updated claire.");
    ok(&["participants", "set", "CSI-2", "âge=29"]);
    ok(&["attribute", "set", "--source", "entretien", "durée=45"]);
    // The interviewer's label mapped explicitly; CSI-2 renamed, its label
    // pinned to the new code.
    let mapped = ok(&[
        "speakers",
        "map",
        "--source",
        "entretien",
        "--label",
        "int",
        "--interviewer",
    ]);
    assert_eq!(
        mapped.stdout.trim(),
        "Mapped \"int\" in entretien to an interviewer."
    );
    ok(&["participants", "rename", "CSI-2", "CSI-02"]);
    ok(&[
        "participants",
        "consent",
        "CSI-02",
        "--date",
        "12/03/2024",
        "--scope",
        "enregistrement audio",
        "--version",
        "v2",
    ]);
    // Codes without the mode: Claire, of site CS, becomes CS-1.
    let scheme = ok(&[
        "participants",
        "scheme",
        "--template",
        "{site}-{rank}",
        "--json",
    ])
    .json();
    let assigned = ok(&["participants", "assign", "--json"]).json();
    as_amira(&["journal", "add", "--title", "Jour", "--text", "À Valmont."]);
    as_amira(&["journal", "add", "--title", "Doute", "--text", "Relire."]);
    as_amira(&["journal", "edit", "1", "--title", "Premier jour"]);
    as_amira(&["journal", "delete", "2"]);
    as_amira(&["memo", "add", "--on", "study", "--text", "Deux sites."]);
    as_amira(&[
        "memo",
        "add",
        "--on",
        "source:1",
        "--text",
        "Entretien riche.",
    ]);
    as_amira(&[
        "memo", "edit", "1", "--title", "Méthode", "--text", "Un site.",
    ]);
    as_amira(&["memo", "delete", "2"]);
    // Undo the memo's deletion: it comes back.
    as_amira(&["undo"]);

    let refusals: Vec<String> = [
        vec!["participants", "set", "Zoé", "âge=3"],
        vec!["participants", "set", "CSI-02", "âge=trente"],
        vec!["attribute", "add", "ÂGE", "--type", "text"],
        vec![
            "speakers",
            "map",
            "--source",
            "entretien",
            "--label",
            "XYZ",
            "--interviewer",
        ],
        vec!["participants", "rename", "CS-1", "csi-02"],
        vec!["journal", "edit", "9", "--text", "x", "--coder", "amira"],
        vec!["memo", "delete", "7", "--coder", "amira"],
    ]
    .iter()
    .map(|args| {
        let refused = run(args);
        assert_ne!(refused.code, 0, "{args:?}");
        refused.stderr.trim().to_owned()
    })
    .collect();

    let blank = |mut value: Value, keys: &[&str]| {
        for item in value.as_array_mut().unwrap() {
            for key in keys {
                if !item[*key].is_null() {
                    item[*key] = Value::from("…");
                }
            }
        }
        value
    };
    let reads = vec![
        ok(&["participants", "list", "--json"]).json(),
        ok(&["attribute", "list", "--json"]).json(),
        ok(&["speakers", "list", "--json"]).json(),
        ok(&["participants", "consent", "--json"]).json(),
        blank(
            as_amira(&["journal", "list", "--json"]).json(),
            &["guid", "written_at"],
        ),
        blank(
            as_amira(&["memo", "list", "--json"]).json(),
            &["written_at"],
        ),
        ok(&["journal", "verify", "--json"]).json(),
        scheme,
        assigned,
    ];
    let log = ok(&["log", "--json", "--limit", "100"]).json();
    let history = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            // An undo names the audit entry it undid, whose id is a UUID.
            let target = match e["target"].as_str() {
                Some(t) if t.starts_with("audit:") => Value::from("audit:…"),
                _ => e["target"].clone(),
            };
            serde_json::json!([e["action"], target, e["data"]["summary"]])
        })
        .collect();
    (reads, refusals, history)
}

#[test]
fn people_journal_and_memo_edits_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_people") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    let on_file = people_session(&ws, "study.vbt");
    let on_pg = people_session(&ws, &study.address.to_string());
    assert_eq!(on_pg.0, on_file.0);
    assert_eq!(on_pg.1, on_file.1);
    assert_eq!(on_pg.2, on_file.2);

    let (reads, refusals, history) = on_pg;
    // By code: "CS-1" before "CSI-02" ('-' sorts before 'I'). CSI-02
    // speaks 2 of the 4 turns (INT, CSI-2, INT, CSI-2) in 1 source.
    let people = reads[0].as_array().unwrap();
    let listed: Vec<(&Value, &Value, &Value, &Value)> = people
        .iter()
        .map(|p| (&p["code"], &p["label"], &p["turns"], &p["consent"]))
        .collect();
    assert_eq!(
        listed,
        [
            (
                &Value::from("CS-1"),
                &Value::from("Claire D."),
                &Value::from(0),
                &Value::Null
            ),
            (
                &Value::from("CSI-02"),
                &Value::Null,
                &Value::from(2),
                &Value::from("given")
            ),
        ]
    );
    assert_eq!(
        people[0]["values"],
        serde_json::json!([["âge", "41"], ["profession", "infirmière"]])
    );
    // Three attributes: two of participants, then the source's.
    let attributes: Vec<&Value> = reads[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["name"])
        .collect();
    assert_eq!(attributes, ["âge", "profession", "durée"]);
    let speakers: Vec<(&Value, &Value, &Value)> = reads[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (&s["label"], &s["participant"], &s["how"]))
        .collect();
    assert_eq!(
        speakers,
        [
            (&Value::from("INT"), &Value::Null, &Value::from("explicit")),
            (
                &Value::from("CSI-2"),
                &Value::from("CSI-02"),
                &Value::from("explicit")
            ),
        ]
    );
    assert_eq!(reads[3][0]["date"], "2024-03-12");
    assert_eq!(reads[3][0]["sheet_version"], "v2");
    let journal = reads[4].as_array().unwrap();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0]["title"], "Premier jour");
    let memos = reads[5].as_array().unwrap();
    let kept: Vec<(&Value, &Value, &Value)> = memos
        .iter()
        .map(|m| (&m["id"], &m["title"], &m["body"]))
        .collect();
    assert_eq!(
        kept,
        [
            (
                &Value::from(1),
                &Value::from("Méthode"),
                &Value::from("Un site.")
            ),
            (
                &Value::from(2),
                &Value::Null,
                &Value::from("Entretien riche.")
            ),
        ]
    );
    assert_eq!(reads[6], serde_json::json!([]));
    assert_eq!(reads[7]["template"], "{site}-{rank}");
    assert_eq!(
        reads[8],
        serde_json::json!({
            "assigned": [{ "id": 1, "label": "Claire D.", "code": "CS-1" }],
            "skipped": []
        })
    );
    assert!(
        refusals[0].contains("no participant \"Zoé\""),
        "{}",
        refusals[0]
    );
    assert!(
        refusals[1].contains("âge \"trente\" is not a number"),
        "{}",
        refusals[1]
    );
    assert!(
        refusals[2].contains("there is already a participant attribute \"ÂGE\""),
        "{}",
        refusals[2]
    );
    assert!(
        refusals[3].contains("no speaker \"XYZ\" in source \"entretien\""),
        "{}",
        refusals[3]
    );
    assert!(
        refusals[4].contains("there is already a participant \"csi-02\""),
        "{}",
        refusals[4]
    );
    assert!(
        refusals[5].contains("no journal entry 9 among yours"),
        "{}",
        refusals[5]
    );
    assert!(
        refusals[6].contains("no memo 7 among yours"),
        "{}",
        refusals[6]
    );
    // Newest first: the undo, then the edits in reverse.
    let actions: Vec<&str> = history
        .iter()
        .map(|h: &Value| h[0].as_str().unwrap())
        .collect();
    assert_eq!(
        actions[..16],
        [
            "history.undo",
            "memo.delete",
            "memo.edit",
            "memo.add",
            "memo.add",
            "journal.delete",
            "journal.edit",
            "journal.add",
            "journal.add",
            "participants.assign",
            "scheme.set",
            "consent.record",
            "participant.rename",
            "speakers.map",
            "source.set",
            "participant.set",
        ]
    );
    assert_eq!(
        history[12][2],
        serde_json::json!({ "from": "CSI-2", "to": "CSI-02", "labels_pinned": 1 })
    );
}
