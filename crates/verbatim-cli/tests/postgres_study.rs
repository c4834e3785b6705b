//! `--project postgres://…` for the study's people and journal: the
//! journal commands answer on PostgreSQL as on a file, and `verbatim copy`
//! carries the whole demo there and back (codings, codebooks, the
//! consensus, people, journals, memos, history), which PostgreSQL reads
//! as the file does. The PostgreSQL half needs
//! `VERBATIM_TEST_PG` (see `verbatim_store_pg::test_server`).

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Workspace, interview_lines};

/// Runs a journal session on `project` and returns what `journal list
/// --json` printed, with what differs by design blanked (guids, clock
/// readings and the seal made of them), and the log's actions and targets.
fn journal_session(ws: &Workspace, project: &str) -> (Value, Vec<(String, String)>) {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run(&full).ok()
    };
    let as_amira = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project, "--coder", "amira"]);
        ws.run(&full).ok()
    };
    run(&["init", "--title", "Étude", "--language", "fr"]);
    run(&["import", "entretien.txt"]);
    run(&["coder", "add", "amira"]);
    as_amira(&["code", "add", "Confiance", "--level", "theme"]);
    let wrote = as_amira(&[
        "journal",
        "add",
        "--title",
        "Premier jour",
        "--text",
        "À Valmont.",
    ]);
    assert_eq!(wrote.stdout.trim(), "Wrote note 1.");
    as_amira(&[
        "journal",
        "add",
        "--kind",
        "preconception",
        "--title",
        "Attente",
        "--text",
        "La confiance compte.",
    ]);
    let sealed = as_amira(&["journal", "seal", "2"]);
    assert!(
        sealed
            .stdout
            .starts_with("Sealed journal entry 2: SHA-256 "),
        "{}",
        sealed.stdout
    );
    as_amira(&[
        "journal",
        "link",
        "2",
        "--code",
        "Confiance",
        "--relation",
        "expected",
    ]);
    let refused = ws.run(&[
        "journal",
        "seal",
        "2",
        "--project",
        project,
        "--coder",
        "amira",
    ]);
    assert_ne!(refused.code, 0);
    assert!(
        refused
            .stderr
            .contains("journal entry 2 was already sealed on"),
        "{}",
        refused.stderr
    );
    let mut listed = as_amira(&["journal", "list", "--json"]).json();
    for entry in listed.as_array_mut().unwrap() {
        for key in ["guid", "written_at", "sealed_at", "content_hash"] {
            if !entry[key].is_null() {
                entry[key] = Value::from("…");
            }
        }
    }
    as_amira(&[
        "memo",
        "add",
        "--on",
        "study",
        "--title",
        "Méthode",
        "--text",
        "Deux sites.",
    ]);
    as_amira(&[
        "memo",
        "add",
        "--on",
        "code:Confiance",
        "--text",
        "Revient souvent.",
    ]);
    as_amira(&[
        "memo",
        "add",
        "--on",
        "source:1",
        "--text",
        "Entretien riche.",
    ]);
    let mut memos = as_amira(&["memo", "list", "--json"]).json();
    for memo in memos.as_array_mut().unwrap() {
        memo["written_at"] = Value::from("…");
    }
    listed = Value::Array(vec![listed, memos]);
    let log = run(&["log", "--json", "--limit", "100"]).json();
    let actions = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    (listed, actions)
}

#[test]
fn journal_commands_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_journal") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    let on_file = journal_session(&ws, "study.vbt");
    let on_pg = journal_session(&ws, &study.address.to_string());
    assert_eq!(on_pg, on_file);
    // Two entries, oldest first; the preconception sealed and linked.
    let entries = on_pg.0[0].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["kind"], "note");
    assert_eq!(entries[0]["sealed_at"], Value::Null);
    assert_eq!(entries[1]["sealed_at"], "…");
    assert_eq!(entries[1]["links"][0]["code"], "Confiance");
    assert_eq!(entries[1]["links"][0]["relation"], "expected");
    // Three memos, named by their targets' words.
    let labels: Vec<&Value> = on_pg.0[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["target_label"])
        .collect();
    assert_eq!(
        labels,
        [
            &Value::Null,
            &Value::from("Confiance"),
            &Value::from("entretien")
        ]
    );
    // Newest first: 3 memos, link, seal, 2 entries, code, coder, import,
    // creation.
    let actions: Vec<&str> = on_pg.1.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "memo.add",
            "memo.add",
            "memo.add",
            "journal.link",
            "journal.seal",
            "journal.add",
            "journal.add",
            "code.add",
            "coder.add",
            "source.import",
            "study.create"
        ]
    );
}

/// The three coders of the demo.
const DEMO_CODERS: [&str; 3] = ["amira", "bruno", "chloe"];

/// What a user reads of the demo: each coder's codings and codebook after
/// the reveal, the consensus layer and shared codebook, the reconciliation
/// decisions, people, journals, memos and the full history, each as
/// `(command and coder acting, what it printed)`. Amira revealed the study
/// and reads the others' work.
fn readings(ws: &Workspace, project: &str) -> Vec<(String, String)> {
    let mut commands: Vec<(Vec<&str>, Option<&str>)> = Vec::new();
    for coder in DEMO_CODERS.into_iter().chain(["consensus"]) {
        let args = vec!["coding", "list", "--json", "--all", "--by", coder];
        commands.push((args, Some("amira")));
    }
    for coder in DEMO_CODERS {
        let args = vec!["code", "tree", "--json", "--of", coder];
        commands.push((args, Some("amira")));
        commands.push((vec!["journal", "list", "--json"], Some(coder)));
        commands.push((vec!["memo", "list", "--json"], Some(coder)));
    }
    commands.push((vec!["code", "tree", "--json", "--shared"], Some("amira")));
    commands.push((vec!["reconcile", "list", "--json"], Some("amira")));
    for args in [
        vec!["participants", "list", "--json"],
        vec!["sites", "list", "--json"],
        vec!["speakers", "list", "--json"],
        vec!["attribute", "list", "--json"],
        vec!["log", "--json", "--limit", "100000"],
    ] {
        commands.push((args, None));
    }
    commands
        .into_iter()
        .map(|(args, coder)| {
            let mut full = args.clone();
            let mut named = args.join(" ");
            if let Some(coder) = coder {
                full.extend(["--coder", coder]);
                named = format!("{named} --coder {coder}");
            }
            full.extend(["--project", project]);
            (named, ws.run(&full).ok().stdout)
        })
        .collect()
}

/// Returns the reading made by `command`, as JSON.
fn reading(readings: &[(String, String)], command: &str) -> Value {
    let (_, printed) = readings
        .iter()
        .find(|(c, _)| c == command)
        .unwrap_or_else(|| panic!("no reading {command}"));
    serde_json::from_str(printed).unwrap()
}

#[test]
fn the_demo_copied_to_postgres_and_back_reads_the_same() {
    let Some(study) = test_server::study("cli_demo_round_trip") else {
        return;
    };
    let ws = Workspace::empty();
    // The full demo: three coders' layers revealed, the consensus built.
    ws.run(&["demo", "--project", "demo.vbt"]).ok();
    let address = study.address.to_string();
    let there = ws.run(&["copy", "demo.vbt", &address]).ok();
    // The demo's roster: 25 participants at 3 sites (CA, CH, CS); the
    // default pseudonym scheme (1 row) and its 4 modes; three coders and
    // the consensus row (4); demo/consensus.json's 6 merges, 1 join
    // (`--into`, a merge too), 1 kept code and 1 accepted passage make
    // 9 decisions; demo/coding.json translates 14 passages, each into
    // English only.
    for said in [
        "coders 4,",
        "participants 25,",
        "sites 3,",
        "pseudonym_scheme 1,",
        "modes 4,",
        "reconciliation_decisions 9,",
        "translations 14,",
    ] {
        assert!(there.stdout.contains(said), "{said}: {}", there.stdout);
    }
    let original = readings(&ws, "demo.vbt");
    // Each coder wrote and sealed preconceptions: the copy has something
    // to carry.
    for coder in DEMO_CODERS {
        let journal = reading(&original, &format!("journal list --json --coder {coder}"));
        assert!(
            journal
                .as_array()
                .unwrap()
                .iter()
                .any(|e| !e["sealed_at"].is_null() && !e["links"][0].is_null()),
            "{coder}: {journal}"
        );
    }
    let kinds: Vec<Value> = reading(&original, "reconcile list --json --coder amira")
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].clone())
        .collect();
    let mut expected = vec![Value::from("merge"); 7];
    expected.extend([Value::from("keep"), Value::from("passage_accept")]);
    assert_eq!(kinds, expected);
    // The 14 English translations, on the coders' passages.
    let translated: usize = DEMO_CODERS
        .iter()
        .map(|coder| {
            reading(
                &original,
                &format!("coding list --json --all --by {coder} --coder amira"),
            )
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["translations"].as_array().unwrap().len())
            .sum::<usize>()
        })
        .sum();
    assert_eq!(translated, 14);
    // PostgreSQL itself reads the study as the file does, then the copy
    // back does too.
    let on_pg = readings(&ws, &address);
    for ((command, on_file), (_, pg)) in original.iter().zip(&on_pg) {
        assert_eq!(pg, on_file, "{command} on PostgreSQL");
    }
    ws.run(&["copy", &address, "back.vbt"]).ok();
    // The seals check alike (verify is a file command for now).
    let verify = ["journal", "verify", "--json", "--project"];
    assert_eq!(
        ws.run(&[&verify[..], &["back.vbt"]].concat()).ok().stdout,
        ws.run(&[&verify[..], &["demo.vbt"]].concat()).ok().stdout
    );
    let back = readings(&ws, "back.vbt");
    for ((command, on_file), (_, copied)) in original.iter().zip(&back) {
        assert_eq!(copied, on_file, "{command} after the round trip");
    }
}

/// Runs a people session on `project` and returns what `sites list`,
/// `participants list` and `speakers list` printed as JSON.
fn people_session(ws: &Workspace, project: &str) -> Vec<Value> {
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--project", project]);
        ws.run(&full).ok()
    };
    run(&["init", "--title", "Étude", "--language", "fr"]);
    run(&["import", "entretien.txt", "--site", "CS"]);
    run(&["sites", "add", "Centre de santé", "--code", "CS"]);
    run(&["sites", "add", "Hôpital", "--code", "CH"]);
    let added = run(&["participants", "add", "--code", "CSI-2", "--site", "cs"]);
    assert_eq!(added.stdout.trim(), "Added participant CSI-2.");
    run(&["participants", "add", "--label", "Marie"]);
    let refused = ws.run(&[
        "participants",
        "add",
        "--code",
        "csi-2",
        "--project",
        project,
    ]);
    assert_ne!(refused.code, 0);
    assert!(!refused.stderr.contains("panicked"), "{}", refused.stderr);
    let imported = run(&["participants", "import", "roster.csv"]);
    assert!(
        imported
            .stdout
            .starts_with("Imported 2 participants from roster.csv."),
        "{}",
        imported.stdout
    );
    ["sites", "participants", "speakers", "attribute"]
        .iter()
        .map(|what| run(&[what, "list", "--json"]).json())
        .collect()
}

#[test]
fn people_commands_answer_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_people") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    // A French roster: semicolons, one participant per row.
    ws.write(
        "roster.csv",
        "code;nom;site;âge\nCHI-1;Paul;CH;41\nCHI-2;Lise;ch;37\n",
    );
    let on_file = people_session(&ws, "study.vbt");
    let on_pg = people_session(&ws, &study.address.to_string());
    assert_eq!(on_pg, on_file);
    // Sites by name ignoring case: Centre before Hôpital.
    let codes: Vec<&str> = on_pg[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CS", "CH"]);
    // By code: CHI-1, CHI-2 (the roster), CSI-2; Marie last (no code yet).
    let people = on_pg[1].as_array().unwrap();
    let codes: Vec<&Value> = people.iter().map(|p| &p["code"]).collect();
    assert_eq!(
        codes,
        [
            &Value::from("CHI-1"),
            &Value::from("CHI-2"),
            &Value::from("CSI-2"),
            &Value::Null
        ]
    );
    assert_eq!(people[1]["values"], serde_json::json!([["âge", "37"]]));
    let people = &people[2..];
    assert_eq!(people[0]["site_code"], "CS");
    // common::INTERVIEW_FR: INT, CSI-2, INT, CSI-2, so CSI-2 has 2 turns.
    assert_eq!(people[0]["turns"], 2);
    assert_eq!(people[0]["sources"], 1);
    assert_eq!(people[1]["label"], "Marie");
    assert_eq!(people[1]["turns"], 0);
    // The roster's one attribute column, inferred a number.
    assert_eq!(on_pg[3][0]["name"], "âge");
    assert_eq!(on_pg[3][0]["type"], "number");
}
