//! `verbatim search` on a PostgreSQL study (issue 17, step three): a study
//! imported on a file and copied to PostgreSQL gives the same `--json`
//! output for words, phrases, prefixes, booleans, accent-folded French and
//! every filter; the index in the user's cache catches up after an import
//! on PostgreSQL and is left alone after a coding. Needs `VERBATIM_TEST_PG`
//! (see `verbatim_store_pg::test_server`).

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Run, Workspace};

/// A French interview we wrote: the interviewer's label is a role word.
const ENTRETIEN: &str = "\
Enquêtrice : Comment s'est passé votre premier rendez-vous à l'hôpital ?
Marie : J'étais méfiante au début. La méfiance, chez moi, ça vient de loin.
Enquêtrice : Et la confiance est venue comment ?
Marie : Par l'infirmière. La confiance s'est construite avec elle, pas avec l'institution.
";

/// A French focus group we wrote.
const GROUPE: &str = "\
Animatrice : Qu'est-ce qui vous a aidés ?
P03 : Les ateliers à l'hôpital de jour. J'avais perdu confiance en moi.
P07 : Moi, c'est la confiance de ma sœur.
";

/// An English interview we wrote.
const INTERVIEW: &str = "\
Interviewer : How did the first weeks go?
Sam : Trusting them was hard. I trusted the nurse, not the hospital.
Interviewer : And now?
Sam : Now I trust the group.
";

/// Runs `verbatim` with the index cache inside the workspace.
fn run(ws: &Workspace, args: &[&str]) -> Run {
    let cache = ws.path("cache");
    let cache = cache.to_str().unwrap();
    ws.run_env(args, &[("XDG_CACHE_HOME", cache)])
}

/// Runs `verbatim search QUERY --json EXTRA…` on `project`.
fn search(ws: &Workspace, project: &str, query: &str, extra: &[&str]) -> Value {
    let mut args = vec!["search", query, "--project", project, "--json"];
    args.extend_from_slice(extra);
    run(ws, &args).ok().json()
}

/// Returns the hits' words.
fn texts(hits: &Value) -> Vec<&str> {
    hits.as_array()
        .unwrap()
        .iter()
        .map(|h| h["text"].as_str().unwrap())
        .collect()
}

/// The searches compared, with the hits' words worked out by reading the
/// transcripts above.
fn cases() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    vec![
        // The word and its family: méfiante and méfiance share a stem.
        ("méfiance", vec![], vec!["méfiante", "méfiance"]),
        // A phrase: "la confiance" in the interviewer's question, Marie's
        // answer and P07's turn; "perdu confiance" has no "la".
        (
            "\"la confiance\"",
            vec![],
            vec!["la confiance", "La confiance", "la confiance"],
        ),
        // A prefix: two "confiance" in the interview, two in the group.
        ("confi*", vec![], vec!["confiance"; 4]),
        // Boolean: Marie's second turn names the institution, so it goes.
        ("confiance NOT institution", vec![], vec!["confiance"; 3]),
        // Accents folded: hopital finds l'hôpital in both French sources.
        ("hopital", vec![], vec!["hôpital", "hôpital"]),
        // English stemming: trusting, trusted, trust.
        ("trust", vec![], vec!["Trusting", "trusted", "trust"]),
        ("confiance", vec!["--speaker", "Marie"], vec!["confiance"]),
        (
            "confiance",
            vec!["--role", "interviewers"],
            vec!["confiance"],
        ),
        (
            "confiance",
            vec!["--role", "participants"],
            vec!["confiance"; 3],
        ),
        (
            "confiance",
            vec!["--kind", "focus-group"],
            vec!["confiance"; 2],
        ),
        ("confiance", vec!["--site", "CS"], vec!["confiance"; 2]),
        ("confiance", vec!["--sort", "left"], vec!["confiance"; 4]),
    ]
}

fn import_study(ws: &Workspace) {
    ws.write("fr/entretien.txt", ENTRETIEN);
    ws.write("groupe/groupe.txt", GROUPE);
    ws.write("en/interview.txt", INTERVIEW);
    let p = ["--project", "study.vbt"];
    run(
        ws,
        &[&["init", "--title", "Étude", "--language", "fr"][..], &p].concat(),
    )
    .ok();
    for args in [
        vec!["import", "fr", "--site", "CS", "--kind", "interview"],
        vec!["import", "groupe", "--site", "VA", "--kind", "focus-group"],
        vec![
            "import",
            "en",
            "--site",
            "CS",
            "--kind",
            "interview",
            "--language",
            "en",
        ],
    ] {
        run(ws, &[&args[..], &p].concat()).ok();
    }
}

#[test]
fn a_study_copied_to_postgres_gives_the_same_hits() {
    let Some(study) = test_server::study("cli_search_same_hits") else {
        return;
    };
    let ws = Workspace::empty();
    import_study(&ws);
    let pg = study.address.to_string();
    run(&ws, &["copy", "study.vbt", &pg]).ok();
    for (query, extra, words) in cases() {
        let on_file = search(&ws, "study.vbt", query, &extra);
        let on_pg = search(&ws, &pg, query, &extra);
        assert_eq!(on_pg, on_file, "{query} {extra:?}");
        let mut found = texts(&on_pg);
        let mut expected = words.clone();
        if extra.contains(&"left") {
            // Sorted by the words before each hit: compare as sets.
            found.sort_unstable();
            expected.sort_unstable();
        }
        assert_eq!(found, expected, "{query} {extra:?}");
    }
    // Who speaks, with no roster: a role word maps the interviewer.
    let roles = search(&ws, &pg, "confiance", &[]);
    let who: Vec<(&str, &str)> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["speaker"].as_str().unwrap(), h["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        who,
        [
            ("Enquêtrice", "interviewer"),
            ("Marie", "unmapped"),
            ("P03", "unmapped"),
            ("P07", "unmapped")
        ]
    );
    // A page: hits 2 and 3 of the four, in two sources.
    let page = ["--limit", "2", "--offset", "1"];
    let on_pg = search(&ws, &pg, "confiance", &page);
    assert_eq!(on_pg, search(&ws, "study.vbt", "confiance", &page));
    assert_eq!(
        (on_pg["total"].as_u64(), on_pg["sources"].as_u64()),
        (Some(4), Some(2))
    );
    assert_eq!(texts(&on_pg["hits"]), ["confiance", "confiance"]);
}

/// Returns the one index folder in the workspace's cache and its
/// tantivy `meta.json`, which every commit of the index rewrites.
fn index_meta(ws: &Workspace) -> (std::path::PathBuf, Vec<u8>) {
    let root = ws.path("cache/verbatim/index");
    let dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let meta = std::fs::read(dirs[0].join("meta.json")).unwrap();
    (dirs[0].clone(), meta)
}

#[test]
fn the_index_of_a_postgres_study_catches_up_after_an_import_not_after_a_coding() {
    let Some(study) = test_server::study("cli_search_catches_up") else {
        return;
    };
    let ws = Workspace::empty();
    import_study(&ws);
    let pg = study.address.to_string();
    run(&ws, &["copy", "study.vbt", &pg]).ok();
    assert_eq!(search(&ws, &pg, "paperasse", &[]), Value::Array(vec![]));
    let (dir, built) = index_meta(&ws);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{}", dir.display());
    }
    // A coding on PostgreSQL: the next search reads the coding through the
    // coding traits, and the index is not rewritten.
    let p = ["--project", pg.as_str(), "--coder", "amira"];
    run(&ws, &[&["coder", "add", "amira"][..], &p[..2]].concat()).ok();
    run(&ws, &[&["code", "add", "Confiance"][..], &p].concat()).ok();
    let quote = "La confiance s'est construite avec elle";
    let coding = [
        "coding",
        "add",
        "--source",
        "entretien",
        "--code",
        "Confiance",
        "--text",
        quote,
    ];
    run(&ws, &[&coding[..], &p].concat()).ok();
    let coded = search(
        &ws,
        &pg,
        "confiance",
        &["--coded", "Confiance", "--coder", "amira"],
    );
    assert_eq!(texts(&coded), ["confiance"]);
    // The one hit inside the quoted passage: Marie's, the first word after
    // "La ".
    assert_eq!(coded[0]["speaker"], "Marie");
    assert!(
        coded[0]["left"]
            .as_str()
            .unwrap()
            .ends_with("l'infirmière. La ")
    );
    assert_eq!(index_meta(&ws).1, built, "a coding re-indexed the study");
    // An import on PostgreSQL: the next search finds the new source.
    ws.write(
        "plus/suivi.txt",
        "Marie : Trop de paperasse, toujours de la paperasse.\n",
    );
    run(
        &ws,
        &["import", "plus", "--project", &pg, "--kind", "interview"],
    )
    .ok();
    let found = search(&ws, &pg, "paperasse", &[]);
    assert_eq!(texts(&found), ["paperasse", "paperasse"]);
    assert_eq!(found[0]["source"], "suivi");
    assert_ne!(index_meta(&ws).1, built, "the import was not indexed");
}

/// Runs `verbatim search QUERY --autocode CODE --unit UNIT --json` as amira.
fn autocode(ws: &Workspace, project: &str, query: &str, code: &str, unit: &str) -> Value {
    let args = [
        "search",
        query,
        "--autocode",
        code,
        "--unit",
        unit,
        "--coder",
        "amira",
        "--project",
        project,
        "--json",
    ];
    run(ws, &args).ok().json()
}

/// Returns amira's codings as `(source, code, text)`, in listing order.
fn coded(ws: &Workspace, project: &str) -> Vec<(String, String, String)> {
    let args = [
        "coding",
        "list",
        "--coder",
        "amira",
        "--project",
        project,
        "--json",
    ];
    let listed = run(ws, &args).ok().json();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let field = |name: &str| c[name].as_str().unwrap().to_owned();
            (field("source"), field("code"), field("text"))
        })
        .collect()
}

#[test]
fn autocode_on_postgres_codes_what_the_file_codes_and_one_undo_removes_it() {
    let Some(study) = test_server::study("cli_search_autocode") else {
        return;
    };
    let ws = Workspace::empty();
    import_study(&ws);
    let file = "study.vbt";
    run(&ws, &["coder", "add", "amira", "--project", file]).ok();
    for code in ["Confiance", "Méfiance"] {
        let args = ["code", "add", code, "--coder", "amira", "--project", file];
        run(&ws, &args).ok();
    }
    let pg = study.address.to_string();
    run(&ws, &["copy", file, &pg]).ok();
    for project in [file, pg.as_str()] {
        // Marie's first turn holds both méfiante and méfiance: two hits,
        // one turn, one passage.
        let turn = autocode(&ws, project, "méfiance", "Méfiance", "turn");
        assert_eq!(
            turn,
            serde_json::json!({ "hits": 2, "sources": 1, "added": 1, "code": "Méfiance" }),
            "{project}"
        );
        // Four confiance, each in a sentence of its own: the interviewer's
        // question and Marie's answer (entretien), P03 and P07 (groupe).
        let sentences = autocode(&ws, project, "confiance", "Confiance", "sentence");
        assert_eq!(
            sentences,
            serde_json::json!({ "hits": 4, "sources": 2, "added": 4, "code": "Confiance" }),
            "{project}"
        );
        // The same again: every passage is coded already.
        let again = autocode(&ws, project, "confiance", "Confiance", "sentence");
        assert_eq!(again["added"], 0, "{project}");
        // A code that does not exist: refused, nothing coded.
        let args = [
            "search",
            "confiance",
            "--autocode",
            "Inconnu",
            "--coder",
            "amira",
            "--project",
            project,
        ];
        let refused = run(&ws, &args);
        assert_ne!(refused.code, 0, "{project}");
        assert!(refused.stderr.contains("Inconnu"), "{}", refused.stderr);
        assert_eq!(coded(&ws, project).len(), 5, "{project}");
    }
    let on_file = coded(&ws, file);
    assert_eq!(coded(&ws, &pg), on_file);
    let texts: Vec<&str> = on_file.iter().map(|c| c.2.as_str()).collect();
    assert_eq!(
        texts,
        [
            "J'étais méfiante au début. La méfiance, chez moi, ça vient de loin.",
            "Et la confiance est venue comment ?",
            "La confiance s'est construite avec elle, pas avec l'institution.",
            "J'avais perdu confiance en moi.",
            "Moi, c'est la confiance de ma sœur.",
        ]
    );
    // One undo removes the four sentences at once, on both backends; the
    // turn coded before stays.
    for project in [file, pg.as_str()] {
        run(&ws, &["undo", "--coder", "amira", "--project", project]).ok();
        let left = coded(&ws, project);
        assert_eq!(left.len(), 1, "{project}");
        assert_eq!(left[0].1, "Méfiance");
    }
}
