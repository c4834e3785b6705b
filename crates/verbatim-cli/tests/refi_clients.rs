//! What verbatim's REFI-QDA files give other tools, read the way those
//! tools read them, and what verbatim says about files it cannot carry
//! whole.

use std::io::{Cursor, Write};

use crate::common::Workspace;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/refi-qda");

/// Returns a `.qdpx` holding only `project.qde`.
fn qdpx(qde: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("project.qde", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(qde.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// Returns one column of a query over the study, as text.
fn column(ws: &Workspace, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(ws.study()).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_file_without_users_gets_the_coder_named() {
    let ws = Workspace::empty();
    let qde = "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"sans utilisateurs\">\
        <CodeBook><Codes><Code guid=\"cccccccc-0000-4000-8000-000000000001\" name=\"Confiance\" isCodable=\"true\"/></Codes></CodeBook>\
        </Project>";
    ws.write("codes.qdpx", qdpx(qde));
    ws.run(&[
        "import-project",
        "codes.qdpx",
        "--project",
        "study.vbt",
        "--coder",
        "Léa",
    ])
    .ok();
    // The consensus row is not a coder; Léa is the only one.
    assert_eq!(
        column(&ws, "SELECT name FROM coders WHERE kind = 'coder'"),
        vec!["Léa".to_owned()]
    );
    // And she can work in the study at once.
    ws.run(&["code", "tree", "--project", "study.vbt", "--coder", "Léa"])
        .ok();
}

#[test]
fn sets_of_a_codebook_are_listed_as_not_carried() {
    let ws = Workspace::with_study();
    ws.run(&["coder", "add", "Léa", "--project", "study.vbt"])
        .ok();
    let qdc = format!("{SHARED}/samples/atlasti-23.4.0-win__requal-test-codebook.qdc");
    let run = ws
        .run(&[
            "import",
            "codebook",
            &qdc,
            "--project",
            "study.vbt",
            "--coder",
            "Léa",
        ])
        .ok();
    // The sample holds one set, "code group 1", with one member code.
    assert!(
        run.stdout
            .contains("not carried: the set \"code group 1\" (1 codes)"),
        "{}",
        run.stdout
    );
}
