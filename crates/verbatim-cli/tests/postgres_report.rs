//! `verbatim report`, the member-checking document, `code translate` and
//! `translations export|import` on a PostgreSQL study (issue 17): a study
//! copied to PostgreSQL with `verbatim copy` gives the same files and the
//! same answers as the file it came from. Needs `VERBATIM_TEST_PG` (see
//! `verbatim_store_pg::test_server`).

use verbatim_store_pg::test_server;

use crate::browser::{http, serve};
use crate::common::{Run, Workspace};

/// One interview we wrote: two answers of participant MAT-1.
const INTERVIEW: &str = "INT : Comment se passe l’accueil ?\n\
MAT-1 : On accueille les familles dès sept heures, c’est le rituel.\n\
INT : Et les parents ?\n\
MAT-1 : Les parents restent un moment quand ils le souhaitent.\n";

/// Runs `args` as amira on `project`, checked to succeed.
fn amira(ws: &Workspace, project: &str, args: &[&str]) -> Run {
    ws.run(&[args, &["--project", project, "--coder", "amira"]].concat())
        .ok()
}

/// The interview, coder amira, the theme Accueil over two ideas, a coding
/// of each idea marked as a quote (codings 1 and 2).
fn small_study(ws: &Workspace) {
    ws.write("mat1.txt", INTERVIEW);
    ws.run(&[
        "init",
        "--title",
        "Accueil",
        "--language",
        "fr",
        "--project",
        "study.vbt",
    ])
    .ok();
    ws.run(&[
        "import",
        "mat1.txt",
        "--language",
        "fr",
        "--project",
        "study.vbt",
    ])
    .ok();
    ws.run(&["coder", "add", "amira", "--project", "study.vbt"])
        .ok();
    for args in [
        &["code", "add", "Accueil", "--level", "theme"][..],
        &[
            "code", "add", "Rituel", "--parent", "Accueil", "--level", "idea",
        ],
        &[
            "code", "add", "Parents", "--parent", "Accueil", "--level", "idea",
        ],
        &[
            "coding",
            "add",
            "--source",
            "mat1",
            "--code",
            "Rituel",
            "--text",
            "On accueille les familles dès sept heures, c’est le rituel.",
        ],
        &[
            "coding",
            "add",
            "--source",
            "mat1",
            "--code",
            "Parents",
            "--text",
            "Les parents restent un moment quand ils le souhaitent.",
        ],
        &["coding", "quote", "1"],
        &["coding", "quote", "2"],
    ] {
        amira(ws, "study.vbt", args);
    }
}

/// Returns `csv` with every unit's translation filled: `EN: ` and the
/// unit's text (a code's name for a code unit).
fn translated(csv_bytes: &[u8]) -> Vec<u8> {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        row[at("translation")] = format!("EN: {}", row[at("text")]);
        out.write_record(&row).unwrap();
    }
    out.into_inner().unwrap()
}

#[test]
fn code_names_and_a_translators_file_answer_alike_on_postgres() {
    let Some(study) = test_server::study("cli_translations") else {
        return;
    };
    let ws = Workspace::empty();
    small_study(&ws);
    let pg = study.address.to_string();
    // A name given before the copy travels with it.
    amira(
        &ws,
        "study.vbt",
        &[
            "code",
            "translate",
            "Rituel",
            "--language",
            "en",
            "--text",
            "Ritual",
        ],
    );
    let copied = ws.run(&["copy", "study.vbt", &pg]).ok();
    assert!(
        copied.stdout.contains("code_translations 1"),
        "{}",
        copied.stdout
    );
    for (project, out) in [("study.vbt", "file"), (pg.as_str(), "pg")] {
        let named = amira(
            &ws,
            project,
            &[
                "code",
                "translate",
                "Accueil",
                "--language",
                "en",
                "--text",
                " Welcome ",
            ],
        );
        // Accueil is code 1; the name is trimmed.
        assert_eq!(named.stdout, "Code 1 is \"Welcome\" in en.\n", "{out}");
        let exported = amira(
            &ws,
            project,
            &[
                "translations",
                "export",
                "--format",
                "csv",
                "--language",
                "en",
                "--out",
                &format!("{out}.csv"),
            ],
        );
        // Two quotes and the one code above ideas (the theme Accueil).
        assert_eq!(
            exported.stdout,
            format!("Wrote 2 quotes and 1 code names (fr → en) to {out}.csv.\n")
        );
    }
    let on_file = std::fs::read(ws.path("file.csv")).unwrap();
    assert!(on_file == std::fs::read(ws.path("pg.csv")).unwrap());
    // The theme's unit offers the name given: Welcome, for review.
    assert!(String::from_utf8_lossy(&on_file).contains(",Welcome,"));
    ws.write("en.csv", translated(&on_file));
    let mut answers = Vec::new();
    for project in ["study.vbt", pg.as_str()] {
        let run = amira(
            &ws,
            project,
            &["translations", "import", "en.csv", "--json"],
        );
        answers.push(run.json());
        let again = amira(
            &ws,
            project,
            &[
                "translations",
                "export",
                "--language",
                "en",
                "--out",
                "again.xlf",
            ],
        );
        assert!(again.stdout.starts_with("Wrote 2 quotes"));
        answers.push(serde_json::Value::String(
            std::fs::read_to_string(ws.path("again.xlf")).unwrap(),
        ));
    }
    assert_eq!(answers[0], answers[2]);
    assert_eq!(answers[1], answers[3], "the second XLIFF differs");
    // Both quotes new, and the theme renamed EN: Welcome.
    assert_eq!(answers[0]["attached"], 2);
    assert_eq!(answers[0]["new"], 2);
    assert_eq!(answers[0]["code_names"], 1);
    let xml = answers[1].as_str().unwrap();
    assert_eq!(xml.matches("<target>EN: ").count(), 3, "{xml}");
    // One undo takes the whole file back, on PostgreSQL too.
    ws.run(&["undo", "--project", &pg, "--coder", "amira"]).ok();
    let back = amira(
        &ws,
        &pg,
        &[
            "translations",
            "export",
            "--language",
            "en",
            "--out",
            "back.xlf",
        ],
    );
    assert!(back.stdout.starts_with("Wrote 2 quotes"));
    let xml = std::fs::read_to_string(ws.path("back.xlf")).unwrap();
    assert_eq!(xml.matches("<target>EN: ").count(), 0, "{xml}");
}

/// Returns the report `args` write from `project` into `out`, read back as
/// text (a DOCX's document part), with the study's address in the printed
/// commands replaced by `study.vbt`: the one thing that must differ, since
/// each report names the study it was written from.
fn report_text(ws: &Workspace, project: &str, out: &str, args: &[&str]) -> String {
    let run = ws.run(&[&["report", "--project", project, "--out", out][..], args].concat());
    let run = run.ok();
    assert!(run.stdout.starts_with("Wrote "), "{}", run.stdout);
    let text = if out.ends_with(".docx") {
        let file = std::fs::File::open(ws.path(out)).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut part = zip.by_name("word/document.xml").unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut part, &mut xml).unwrap();
        xml
    } else {
        std::fs::read_to_string(ws.path(out)).unwrap()
    };
    unaddressed(&text, project)
}

/// Returns `text` with the PostgreSQL study's address, as the printed
/// commands quote it (it holds a `?`; HTML and XML escape the quotes),
/// replaced by `study.vbt`.
fn unaddressed(text: &str, address: &str) -> String {
    ["'", "&#39;", "&apos;", "&#x27;"]
        .iter()
        .fold(text.to_owned(), |t, q| {
            t.replace(&format!("{q}{address}{q}"), "study.vbt")
        })
}

#[test]
fn the_demo_reports_the_same_from_postgres() {
    let Some(study) = test_server::study("cli_report_demo") else {
        return;
    };
    let ws = Workspace::empty();
    // Revealed, with its consensus: the shared report can be written.
    ws.run(&["demo", "--project", "study.vbt"]).ok();
    let pg = study.address.to_string();
    ws.run(&["copy", "study.vbt", &pg]).ok();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("r.html", vec!["--format", "html", "--coder", "amira"]),
        (
            "r.md",
            vec!["--format", "md", "--coder", "bruno", "--language", "fr"],
        ),
        (
            "r.docx",
            vec!["--format", "docx", "--shared", "--coder", "chloe"],
        ),
        (
            "m.html",
            vec![
                "--format",
                "html",
                "--coder",
                "amira",
                "--participant",
                "CAI-1",
            ],
        ),
    ];
    for (out, args) in cases {
        let on_file = report_text(&ws, "study.vbt", out, &args);
        let on_pg = report_text(&ws, &pg, out, &args);
        assert!(on_pg == on_file, "{out} {args:?} differs");
        assert!(!on_pg.contains("postgres://"), "{out}");
    }
}

#[test]
fn the_served_report_and_member_document_are_the_same_from_postgres() {
    let Some(study) = test_server::study("cli_serve_report") else {
        return;
    };
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "study.vbt"]).ok();
    let pg = study.address.to_string();
    ws.run(&["copy", "study.vbt", &pg]).ok();
    let on_file = serve(&ws, "study.vbt", "amira");
    let on_pg = serve(&ws, &pg, "amira");
    for path in [
        "/reports/download/report.html",
        "/reports/preview.html?layer=shared&lang=fr",
        "/reports/member?participant=CAI-1&format=html",
    ] {
        let file = http(&on_file.base, "GET", path, &[], "");
        let there = http(&on_pg.base, "GET", path, &[], "");
        assert_eq!(
            (file.status, there.status),
            (200, 200),
            "{path}: {}",
            there.body
        );
        // The printed commands name the study: its file name, or its
        // address (quoted, for its `?`).
        let there = unaddressed(&there.body, &pg);
        assert!(there == file.body, "{path} differs");
        assert!(file.body.contains("CAI-1"), "{path}");
    }
}
