//! `verbatim import-project` on `--project postgres://…` (issue 17): a
//! project imported into a new PostgreSQL study and into a new study file
//! reads the same in every listing, a colleague's file joins an existing
//! PostgreSQL study as one more coder's layer as it joins a file, and a
//! project that cannot be imported leaves the PostgreSQL study as it was.
//! Needs `VERBATIM_TEST_PG` (see `verbatim_store_pg::test_server`).

use std::io::{Cursor, Write};

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::Workspace;

/// QualCoder's own demo project, exported by QualCoder 1.3.2.
const QC_DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/refi-qda/samples/qc-1.3.2__demo.qdpx"
);

/// Two interviews we wrote (no character outside the BMP, so REFI-QDA's
/// positions are plain char offsets).
const E1: &str = "INT : Comment allez-vous ?\nP01 : Je fais confiance à l'équipe.\n";
const E2: &str = "INT : Et le soir ?\nP02 : Je suis fatiguée, très fatiguée.\n";

/// The `[start, end)` chars of `needle` in `text`.
fn at(text: &str, needle: &str) -> (usize, usize) {
    let byte = text.find(needle).expect("the needle is in the text");
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}

/// One `<PlainTextSelection>` coding `needle` of `text` with `code` by
/// `user` (guids end in `n`).
fn selection(n: u32, text: &str, needle: &str, user: &str, code: &str) -> String {
    let (s, e) = at(text, needle);
    format!(
        "<PlainTextSelection guid=\"11111111-0000-4000-8000-{n:012}\" name=\"\" startPosition=\"{s}\" endPosition=\"{e}\">\
         <Coding guid=\"22222222-0000-4000-8000-{n:012}\" creatingUser=\"{user}\"><CodeRef targetGUID=\"{code}\"/></Coding>\
         </PlainTextSelection>"
    )
}

const NADIA: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const REMI: &str = "aaaaaaaa-0000-4000-8000-000000000002";
const RELATION: &str = "cccccccc-0000-4000-8000-000000000001";
const CONFIANCE: &str = "cccccccc-0000-4000-8000-000000000002";
const FATIGUE: &str = "cccccccc-0000-4000-8000-000000000003";

/// Returns a `.qdpx` of `qde` with the texts as internal sources.
fn qdpx(qde: &str, texts: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(qde.as_bytes()).unwrap();
    for (guid, text) in texts {
        zip.start_file(format!("Sources/{guid}.txt"), options)
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Nadia's and Rémi's project: codes Relation > Confiance and Fatigue,
/// interviews E1 and E2, five codings.
fn team_project() -> Vec<u8> {
    let (d1, d2) = (
        "dddddddd-0000-4000-8000-000000000001",
        "dddddddd-0000-4000-8000-000000000002",
    );
    let qde = format!(
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"Soins à domicile\">\
         <Users><User guid=\"{NADIA}\" name=\"Nadia\"/><User guid=\"{REMI}\" name=\"Rémi\"/></Users>\
         <CodeBook><Codes><Code guid=\"{RELATION}\" name=\"Relation\" isCodable=\"true\">\
         <Code guid=\"{CONFIANCE}\" name=\"Confiance\" isCodable=\"true\"/></Code>\
         <Code guid=\"{FATIGUE}\" name=\"Fatigue\" isCodable=\"true\"/></Codes></CodeBook>\
         <Sources>\
         <TextSource guid=\"{d1}\" name=\"E1\" plainTextPath=\"internal://{d1}.txt\">{}{}{}</TextSource>\
         <TextSource guid=\"{d2}\" name=\"E2\" plainTextPath=\"internal://{d2}.txt\">{}{}</TextSource>\
         </Sources></Project>",
        selection(1, E1, "confiance", NADIA, CONFIANCE),
        selection(2, E1, "confiance à l'équipe", REMI, CONFIANCE),
        selection(3, E1, "Je fais confiance à l'équipe", REMI, RELATION),
        selection(4, E2, "fatiguée, très fatiguée", NADIA, FATIGUE),
        selection(5, E2, "fatiguée, très fatiguée", REMI, FATIGUE),
    );
    qdpx(&qde, &[(d1, E1), (d2, E2)])
}

/// Zoé's own project on the same E1 (her own guids): her Confiance on
/// two passages.
fn colleague_project() -> Vec<u8> {
    let (zoe, code, d) = (
        "aaaaaaaa-0000-4000-8000-000000000009",
        "cccccccc-0000-4000-8000-000000000009",
        "dddddddd-0000-4000-8000-000000000009",
    );
    let qde = format!(
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"Zoé\">\
         <Users><User guid=\"{zoe}\" name=\"Zoé\"/></Users>\
         <CodeBook><Codes><Code guid=\"{code}\" name=\"Confiance\" isCodable=\"true\"/></Codes></CodeBook>\
         <Sources><TextSource guid=\"{d}\" name=\"entretien 1\" plainTextPath=\"internal://{d}.txt\">{}{}</TextSource></Sources>\
         </Project>",
        selection(11, E1, "confiance", zoe, code),
        selection(12, E1, "Comment allez-vous", zoe, code),
    );
    qdpx(&qde, &[(d, E1)])
}

/// Blanks what differs between two imports by design: the times of the
/// rows each import stamps with its own clock, and the guids a study
/// draws itself (a new study's, and the log's entry ids).
fn blank(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if matches!(
                    key.as_str(),
                    "at" | "id_audit" | "entry" | "created_at" | "imported_at"
                ) && inner.is_string()
                {
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

/// Reveals the layers of the study at `project` as `coder`, so every
/// coder's work can be read and compared.
fn reveal(ws: &Workspace, project: &str, coder: &str) {
    ws.run(&["reveal", "--project", project, "--coder", coder])
        .ok();
}

/// What a researcher reads of the revealed study at `project`, as
/// `--json`: its sources, coders, shared codebook, each coder's codebook
/// and codings, and the coders' agreement.
fn readings(ws: &Workspace, project: &str, coders: &[&str]) -> Vec<Value> {
    let mut runs: Vec<Vec<&str>> = vec![
        vec!["sources", "--json"],
        vec!["coder", "list", "--json"],
        vec!["code", "tree", "--shared", "--json", "--coder", coders[0]],
    ];
    for coder in coders {
        runs.push(vec!["code", "tree", "--json", "--coder", coder]);
        runs.push(vec!["coding", "list", "--json", "--coder", coder]);
    }
    if coders.len() > 1 {
        runs.push(vec!["agreement", "--json", "--coder", coders[0]]);
    }
    runs.iter()
        .map(|args| {
            let mut value = ws
                .run(&[&args[..], &["--project", project]].concat())
                .ok()
                .json();
            blank(&mut value);
            value
        })
        .collect()
}

/// The study's log as `(actor, action, target)`, newest first: entry ids
/// and times are drawn by each study.
fn log(ws: &Workspace, project: &str) -> Vec<(Value, Value, Value)> {
    ws.run(&["log", "--json", "--limit", "100", "--project", project])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["actor"].clone(), e["action"].clone(), e["target"].clone()))
        .collect()
}

#[test]
fn a_project_imports_into_a_new_postgres_study_as_into_a_file() {
    let Some(study) = test_server::study("cli_import_project") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("soins.qdpx", team_project());
    let pg = study.address.to_string();
    let on_file = ws
        .run(&["import-project", "soins.qdpx", "--project", "a.vbt"])
        .ok();
    let on_pg = ws
        .run(&["import-project", "soins.qdpx", "--project", &pg])
        .ok();
    // Counted from team_project(): E1 and E2; Relation, Confiance,
    // Fatigue; codings 1-5; Nadia and Rémi.
    let said =
        "2 sources, 3 codes, 5 codings, 0 participants, 0 memos, 0 journal entries, 2 coders.";
    assert!(on_file.stdout.contains(said), "{}", on_file.stdout);
    assert!(on_pg.stdout.contains(said), "{}", on_pg.stdout);
    assert!(
        on_pg.stdout.contains(&format!("into {pg}")),
        "{}",
        on_pg.stdout
    );
    reveal(&ws, "a.vbt", "Nadia");
    reveal(&ws, &pg, "Nadia");
    let file_read = readings(&ws, "a.vbt", &["Nadia", "Rémi"]);
    let pg_read = readings(&ws, &pg, &["Nadia", "Rémi"]);
    assert_eq!(file_read, pg_read);
    assert_eq!(log(&ws, "a.vbt"), log(&ws, &pg));
    // The sources keep the project's guids and names, E1 first.
    let sources = &pg_read[0];
    assert_eq!(sources[0]["name"], "E1");
    assert_eq!(sources[0]["guid"], "dddddddd-0000-4000-8000-000000000001");
    // E1 is 63 chars: 27 for "INT : Comment allez-vous ?\n" (6 + 8 + 11
    // + 1 + 1), 36 for "P01 : Je fais confiance à l'équipe.\n" (6 + 3
    // + 5 + 10 + 2 + 9 + 1; é and à one char each).
    assert_eq!(sources[0]["chars"], 63);
    // Rémi coded three passages (codings 2, 3 and 5), Nadia two (1, 4).
    let codings = |i: usize| pg_read[i].as_array().unwrap().len();
    // Readings: sources, coders, shared tree, then Nadia's tree (3) and
    // codings (4), Rémi's (5, 6), and the agreement.
    assert_eq!((codings(4), codings(6)), (2, 3));
    // Nadia's Confiance is "confiance": chars 41..50 of E1 (27 + 14 for
    // "P01 : Je fais ", and 9 letters).
    let nadia = pg_read[4].as_array().unwrap();
    let trust = nadia.iter().find(|c| c["text"] == "confiance").unwrap();
    assert_eq!((&trust["start"], &trust["end"]), (&41.into(), &50.into()));
    // The study is copied from the file built for it: the log holds its
    // creation, the two sources' imports and the project's import.
    let actions: Vec<Value> = log(&ws, &pg).into_iter().map(|e| e.1).collect();
    assert_eq!(
        actions,
        [
            "study.reveal",
            "exchange.import",
            "source.import",
            "source.import",
            "study.create"
        ]
    );
    // A study that exists is not overwritten without --as-coder.
    let again = ws.run(&["import-project", "soins.qdpx", "--project", &pg]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("--as-coder"), "{}", again.stderr);
    assert_eq!(readings(&ws, &pg, &["Nadia", "Rémi"]), pg_read);
}

#[test]
fn a_colleagues_layer_joins_a_postgres_study_as_it_joins_a_file() {
    let Some(study) = test_server::study("cli_import_as_coder") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("soins.qdpx", team_project());
    ws.write("zoe.qdpx", colleague_project());
    let pg = study.address.to_string();
    let mut said = Vec::new();
    for project in ["a.vbt", pg.as_str()] {
        ws.run(&["import-project", "soins.qdpx", "--project", project])
            .ok();
        let run = ws
            .run(&[
                "import-project",
                "zoe.qdpx",
                "--project",
                project,
                "--as-coder",
                "Zoé",
            ])
            .ok();
        said.push(run.stdout.replace(project, "STUDY"));
        reveal(&ws, project, "Nadia");
    }
    assert_eq!(said[0], said[1]);
    // Zoé's text is E1's: matched, no new source; her one code and two
    // codings join as her layer; she is the one new coder.
    assert!(
        said[1].contains("as Zoé's layer: 0 sources, 1 codes, 2 codings, 0 participants, 0 memos, 0 journal entries, 1 coders."),
        "{}",
        said[1]
    );
    assert!(
        said[1].contains("\"entretien 1\" has the same text as \"E1\""),
        "{}",
        said[1]
    );
    let coders = ["Nadia", "Rémi", "Zoé"];
    let pg_read = readings(&ws, &pg, &coders);
    assert_eq!(readings(&ws, "a.vbt", &coders), pg_read);
    assert_eq!(log(&ws, "a.vbt"), log(&ws, &pg));
    // Zoé's codings: readings 7 (her code tree) and 8 (her codings),
    // after Nadia's (3, 4) and Rémi's (5, 6).
    let zoe: Vec<&Value> = pg_read[8]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["text"])
        .collect();
    assert_eq!(zoe, ["Comment allez-vous", "confiance"]);
    assert_eq!(pg_read[0].as_array().unwrap().len(), 2);
}

#[test]
fn a_project_that_cannot_be_imported_leaves_the_postgres_study_as_it_was() {
    let Some(study) = test_server::study("cli_import_refused") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("soins.qdpx", team_project());
    ws.write("broken.qdpx", b"PK\x03\x04 not really a zip");
    let pg = study.address.to_string();
    ws.run(&["import-project", "soins.qdpx", "--project", &pg])
        .ok();
    reveal(&ws, &pg, "Nadia");
    let before = (readings(&ws, &pg, &["Nadia"]), log(&ws, &pg));
    let run = ws.run(&[
        "import-project",
        "broken.qdpx",
        "--project",
        &pg,
        "--as-coder",
        "Zoé",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("broken.qdpx"), "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert_eq!((readings(&ws, &pg, &["Nadia"]), log(&ws, &pg)), before);
    // A broken file into a study that does not exist creates none.
    let Some(fresh) = test_server::study("cli_import_none") else {
        return;
    };
    let none = fresh.address.to_string();
    let run = ws.run(&["import-project", "broken.qdpx", "--project", &none]);
    assert_eq!(run.code, 1);
    let shown = ws.run(&["sources", "--project", &none]);
    assert_eq!(shown.code, 1);
}

#[test]
fn qualcoders_demo_reads_the_same_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_import_qc_demo") else {
        return;
    };
    let ws = Workspace::empty();
    std::fs::copy(QC_DEMO, ws.path("demo.qdpx")).unwrap();
    let pg = study.address.to_string();
    let on_file = ws
        .run(&["import-project", "demo.qdpx", "--project", "a.vbt"])
        .ok();
    let on_pg = ws
        .run(&["import-project", "demo.qdpx", "--project", &pg])
        .ok();
    assert_eq!(
        on_file.stdout.replace("a.vbt", "STUDY"),
        on_pg.stdout.replace(&pg, "STUDY")
    );
    let coders: Vec<String> = ws
        .run(&["coder", "list", "--json", "--project", "a.vbt"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    let coders: Vec<&str> = coders.iter().map(String::as_str).collect();
    assert!(!coders.is_empty());
    reveal(&ws, "a.vbt", coders[0]);
    reveal(&ws, &pg, coders[0]);
    assert_eq!(readings(&ws, "a.vbt", &coders), readings(&ws, &pg, &coders));
    assert_eq!(log(&ws, "a.vbt"), log(&ws, &pg));
}

/// What the study at `project` holds of people and notes, as `--json`:
/// participants, attributes, memos and `coder`'s journal.
fn notes(ws: &Workspace, project: &str, coder: &str) -> Vec<Value> {
    [
        vec!["participants", "list", "--json"],
        vec!["attribute", "list", "--json"],
        vec!["memo", "list", "--json", "--coder", coder],
        vec!["journal", "list", "--json", "--coder", coder],
    ]
    .iter()
    .map(|args| {
        let mut value = ws
            .run(&[&args[..], &["--project", project]].concat())
            .ok()
            .json();
        blank(&mut value);
        value
    })
    .collect()
}

#[test]
fn qualcoder_and_taguette_projects_read_the_same_on_a_file_and_on_postgres() {
    let Some(qc_study) = test_server::study("cli_import_qualcoder") else {
        return;
    };
    let Some(tg_study) = test_server::study("cli_import_taguette") else {
        return;
    };
    let ws = Workspace::empty();
    let qc = crate::qualcoder::qualcoder_project(&ws, "entretiens.qda");
    let tg = crate::taguette::taguette_db(&ws, "confiance.sqlite3", &["Confiance"]);
    for (project, file, pg, coders) in [
        (qc, "qc.vbt", qc_study.address.to_string(), ["léa", "marc"]),
        (tg, "tg.vbt", tg_study.address.to_string(), ["lea", "marc"]),
    ] {
        let project = project.to_str().unwrap();
        let on_file = ws.run(&["import-project", project, "--project", file]).ok();
        let on_pg = ws.run(&["import-project", project, "--project", &pg]).ok();
        assert_eq!(
            on_file.stdout.replace(file, "STUDY"),
            on_pg.stdout.replace(&pg, "STUDY")
        );
        for study in [file, pg.as_str()] {
            reveal(&ws, study, coders[0]);
        }
        assert_eq!(readings(&ws, file, &coders), readings(&ws, &pg, &coders));
        assert_eq!(notes(&ws, file, coders[0]), notes(&ws, &pg, coders[0]));
        assert_eq!(log(&ws, file), log(&ws, &pg));
    }
    // Counted from qualcoder_project(): one case, Éloïse, aged 34; two
    // memos by léa, her QualCoder journal entry (a study memo) and the
    // first source's memo; no reflexive journal entry; two text sources
    // (the recording is not one).
    let qc_read = notes(&ws, &qc_study.address.to_string(), "léa");
    assert_eq!(qc_read[0][0]["code"], "Éloïse");
    assert_eq!(qc_read[0][0]["values"], serde_json::json!([["âge", "34"]]));
    let memos: Vec<&Value> = qc_read[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["body"])
        .collect();
    assert_eq!(
        memos,
        ["Elle parlait vite ; à relire.", "Premier entretien"]
    );
    assert_eq!(qc_read[3], serde_json::json!([]));
    let sources = ws
        .run(&[
            "sources",
            "--json",
            "--project",
            &qc_study.address.to_string(),
        ])
        .ok()
        .json();
    assert_eq!(sources.as_array().unwrap().len(), 2);
}

#[test]
fn a_projects_recording_goes_into_a_new_postgres_study_as_into_a_file() {
    let Some(study) = test_server::study("cli_import_recording") else {
        return;
    };
    // A transcript we wrote, inline, with two sync points, and its
    // recording (8,000 Hz, 16,000 samples: 2 s) in the archive.
    let wav_guid = "5293a7dd-8139-4811-88e4-3357e3aa64e1";
    let qde = format!(
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"visite\">\
         <Sources><AudioSource guid=\"9d260347-8f7d-4161-89f7-dcc93cc34170\" name=\"Visite\" path=\"internal://{wav_guid}.wav\">\
         <Transcript guid=\"0ebf03c4-768d-4937-b37e-58341fda4cdb\" name=\"Visite - transcription\">\
         <PlainTextContent>Bonjour à tous. Merci.</PlainTextContent>\
         <SyncPoint guid=\"bc57b3aa-64e1-4974-ac92-646a4f822070\" position=\"0\" timeStamp=\"0\"/>\
         <SyncPoint guid=\"5bddba5c-54f3-4aee-b9ed-3b80486517ad\" position=\"16\" timeStamp=\"1500\"/>\
         </Transcript></AudioSource></Sources></Project>"
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(qde.as_bytes()).unwrap();
    zip.start_file(format!("sources/{wav_guid}.wav"), options)
        .unwrap();
    zip.write_all(&crate::media::wav(8000, 16_000)).unwrap();
    let ws = Workspace::empty();
    ws.write("visite.qdpx", zip.finish().unwrap().into_inner());
    let pg = study.address.to_string();
    let on_file = ws
        .run(&["import-project", "visite.qdpx", "--project", "a.vbt"])
        .ok();
    let on_pg = ws
        .run(&["import-project", "visite.qdpx", "--project", &pg])
        .ok();
    assert!(
        on_file.stdout.contains("1 recording(s) attached"),
        "{}",
        on_file.stdout
    );
    assert!(
        on_pg.stdout.contains("1 recording(s) attached"),
        "{}",
        on_pg.stdout
    );
    // The same recording on both: 44 header bytes + 16,000 samples × 2
    // bytes = 32,044 bytes, 2,000 ms, the same SHA-256.
    let listed = |project: &str| {
        let mut all = ws
            .run(&["media", "list", "--project", project, "--json"])
            .ok()
            .json();
        all.as_array_mut().unwrap().iter_mut().for_each(|r| {
            r.as_object_mut().unwrap().remove("attached_at");
        });
        all
    };
    let on_pg_media = listed(&pg);
    assert_eq!(on_pg_media, listed("a.vbt"));
    assert_eq!(on_pg_media.as_array().unwrap().len(), 1, "{on_pg_media}");
    assert_eq!(on_pg_media[0]["bytes"], 32_044, "{on_pg_media}");
    // The transcript is timed alike: "Bonjour à tous. " is 16 chars, then
    // "Merci." 6 more (22).
    let show = |project: &str| {
        ws.run(&["show", "--project", project, "1", "--json"])
            .ok()
            .json()["turns"]
            .clone()
    };
    assert_eq!(show(&pg), show("a.vbt"));
    assert_eq!(
        show(&pg),
        serde_json::json!([
            {"speaker": null, "start": 0, "end": 16, "begin_ms": 0, "end_ms": 1500},
            {"speaker": null, "start": 16, "end": 22, "begin_ms": 1500, "end_ms": null},
        ])
    );
}
