//! Code names unique among siblings only: the qc 1.3.2 demo project (a
//! real file, where 9 names are each given to 2 or 3 codes under different
//! parents) imports with every name kept, a command naming one of those
//! codes by its bare name is refused with every matching path, its path
//! names it, and an export read back keeps all of them.

use std::path::Path;

use crate::common::Workspace;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/refi-qda/samples/qc-1.3.2__demo.qdpx"
);

/// Returns one column of a query over a study, as text.
fn column(study: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(study).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The full paths of the codes called `name`, sorted.
fn paths_of(study: &Path, name: &str) -> Vec<String> {
    let sql = format!(
        "WITH RECURSIVE up(start, id, path) AS ( \
           SELECT id, parent, name FROM codes WHERE name = '{name}' \
           UNION ALL SELECT up.start, c.parent, c.name || '/' || up.path \
           FROM up JOIN codes c ON c.id = up.id) \
         SELECT path FROM up WHERE id IS NULL ORDER BY path"
    );
    column(study, &sql)
}

#[test]
fn codes_sharing_a_name_under_different_parents_keep_it_and_are_named_by_path() {
    let ws = Workspace::empty();
    ws.run(&["import-project", SAMPLE, "--project", "study.vbt"])
        .ok();
    let study = ws.study();
    // The file's 262 codes arrive, none renamed "X (2)".
    assert_eq!(
        column(&study, "SELECT count(*) || '' FROM codes"),
        vec!["262"]
    );
    assert_eq!(
        column(
            &study,
            "SELECT count(*) || '' FROM codes WHERE name LIKE '% (_)'"
        ),
        vec!["0"]
    );
    // "citizenship" is three codes, as in the file.
    let citizenship = [
        "rq1_definition/defining_education/citizenship",
        "rq1_definition/practices/digital_citizenship/citizenship",
        "rq1_definition/rationales/cs_literacy/digital_citizenship/citizenship",
    ];
    assert_eq!(paths_of(&study, "citizenship"), citizenship);

    // The bare name is refused, with every path it could mean.
    let add = |code: &str| {
        ws.run(&[
            "coding",
            "add",
            "--project",
            "study.vbt",
            "--coder",
            "cp",
            "--source",
            "1",
            "--code",
            code,
            "--start",
            "0",
            "--end",
            "4",
        ])
    };
    let before = column(&study, "SELECT count(*) || '' FROM codings");
    let run = add("citizenship");
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("\"citizenship\" names 3 codes"),
        "{}",
        run.stderr
    );
    for path in citizenship {
        assert!(run.stderr.contains(path), "{path}: {}", run.stderr);
    }
    // The shortest tail that tells the two digital_citizenship codes apart
    // is still ambiguous one step up, and fine two steps up.
    let run = add("digital_citizenship/citizenship");
    assert!(run.stderr.contains("names 2 codes"), "{}", run.stderr);
    assert_eq!(column(&study, "SELECT count(*) || '' FROM codings"), before);
    add("practices/digital_citizenship/citizenship").ok();
    add("/rq1_definition/defining_education/citizenship").ok();
    // Each coding is on the code its path named.
    assert_eq!(
        column(
            &study,
            "SELECT p.name || '/' || k.name FROM codings c JOIN codes k ON k.id = c.code_id \
             JOIN codes p ON p.id = k.parent WHERE k.name = 'citizenship' ORDER BY 1"
        ),
        vec![
            "defining_education/citizenship",
            "digital_citizenship/citizenship"
        ]
    );

    // A query names codes the same way: the bare name is refused, the
    // path in quotes answers.
    let query = |q: &str| ws.run(&["query", "--project", "study.vbt", "--coder", "cp", q]);
    let run = query("citizenship");
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("names codes at 3 places"),
        "{}",
        run.stderr
    );
    query("\"defining_education/citizenship\"").ok();

    // A code under a parent of its own name: the bare name fits both,
    // the path the inner one.
    let run = ws.run(&[
        "code",
        "rename",
        "--project",
        "study.vbt",
        "--coder",
        "cp",
        "pedagogy",
        "pédagogie",
    ]);
    assert!(run.stderr.contains("names 2 codes"), "{}", run.stderr);
    ws.run(&[
        "code",
        "rename",
        "--project",
        "study.vbt",
        "--coder",
        "cp",
        "pedagogy/pedagogy",
        "pédagogie",
    ])
    .ok();
    assert_eq!(
        paths_of(&study, "pédagogie"),
        vec!["rq2_curriculum_and_instruction/pedagogy/pédagogie"]
    );
    // Renaming onto a sibling's name is refused, naming the parent.
    let run = ws.run(&[
        "code",
        "rename",
        "--project",
        "study.vbt",
        "--coder",
        "cp",
        "pedagogy/pédagogie",
        "fun",
    ]);
    assert!(
        run.stderr
            .contains("already has a code named \"fun\" under"),
        "{}",
        run.stderr
    );

    // Export and import again: every name and path is kept.
    ws.run(&[
        "export",
        "--project",
        "study.vbt",
        "--coder",
        "cp",
        "--all",
        "--format",
        "qdpx",
        "--out",
        "out.qdpx",
    ])
    .ok();
    ws.run(&["import-project", "out.qdpx", "--project", "again.vbt"])
        .ok();
    let again = ws.path("again.vbt");
    assert_eq!(paths_of(&again, "citizenship"), citizenship);
    assert_eq!(
        column(&again, "SELECT count(*) || '' FROM codes"),
        vec!["262"]
    );
}
