//! `verbatim deidentify` and `import --deidentify`: names replaced
//! everywhere, codings still on the same words, nothing of the names left.

use verbatim_store::{Book, CodingFilter, MemoTarget, NewCode, SqliteStore};

use crate::common::Workspace;

/// A focus group naming people and places.
pub const GROUP: &str = "INT : Bonjour, pouvez-vous vous présenter ?\n\
Marie : Je suis Marie Dupont, infirmière à l'Hôpital Bichat depuis dix ans.\n\
INT : Et votre équipe ?\n\
Paul : Je travaille avec marie DUPONT et Mariette, et Sophie nous aide.\n\
INT : Merci à vous deux.\n\
Marie : Merci, c'était important pour moi.\n\
Paul : Pour moi aussi.\n";

pub const NAMES: &str = "real,replacement\nMarie Dupont,[CHFG-C]\nhopital bichat,[hospital]\n";

/// Returns a study holding [`GROUP`] and a coder `tester` with code `Soin`.
pub fn group_study() -> Workspace {
    let ws = Workspace::with_study();
    ws.write("groupe.txt", GROUP);
    ws.import(&["groupe.txt"]).ok();
    let mut store = SqliteStore::open(&ws.study()).unwrap();
    store.add_coder("tester", "tester", None, None).unwrap();
    let scope = store.scope("tester", false, false).unwrap();
    store
        .add_code(
            &scope,
            &NewCode {
                name: "Soin".into(),
                book: Some(Book::Own),
                ..NewCode::default()
            },
        )
        .unwrap();
    ws
}

/// Codes `quote` in source 1 as tester.
pub fn code(ws: &Workspace, quote: &str) {
    let mut store = SqliteStore::open(&ws.study()).unwrap();
    let scope = store.scope("tester", false, false).unwrap();
    let code = store.find_code(&scope, "Soin", None).unwrap();
    let span = store.locate(1, quote, None).unwrap().span;
    store.add_coding(&scope, 1, span, code, None).unwrap();
}

/// Returns tester's codings' passages, by id.
pub fn coded(ws: &Workspace) -> Vec<String> {
    let store = SqliteStore::open(&ws.study()).unwrap();
    let scope = store.scope("tester", false, false).unwrap();
    store
        .codings(&scope, &CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| c.text)
        .collect()
}

/// Returns every row of every table with text cells as text, so a test
/// can search the whole study for a word.
pub fn readable_dump(ws: &Workspace) -> Vec<String> {
    use rusqlite::types::ValueRef;
    let conn = rusqlite::Connection::open(ws.study()).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let cols = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let cells: Vec<String> = (0..cols)
                .map(|i| match row.get_ref(i).unwrap() {
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    other => format!("{other:?}"),
                })
                .collect();
            out.push(format!("{table}: {}", cells.join(" | ")));
        }
    }
    out
}

fn run(ws: &Workspace, args: &[&str]) -> crate::common::Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt"]);
    ws.run(&all)
}

#[test]
fn apply_replaces_every_name_and_codings_keep_their_words() {
    let ws = group_study();
    ws.write("names.csv", NAMES);
    code(&ws, "Je suis Marie Dupont, infirmière");
    code(&ws, "et Sophie nous aide");
    {
        let mut store = SqliteStore::open(&ws.study()).unwrap();
        let scope = store.scope("tester", false, false).unwrap();
        store
            .add_memo(
                &scope,
                &MemoTarget::Study,
                Some("Marie Dupont"),
                "Entretien riche avec MARIE dupont.",
            )
            .unwrap();
    }
    let before = coded(&ws);

    // Before: check fails and names the memo and the audit log.
    let check = run(&ws, &["deidentify", "check", "--names", "names.csv"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(check.stdout.contains("memo"), "{}", check.stdout);
    assert!(check.stdout.contains("audit"), "{}", check.stdout);

    // A dry run changes nothing.
    let dump = ws.dump();
    let dry = run(
        &ws,
        &["deidentify", "apply", "--names", "names.csv", "--dry-run"],
    )
    .ok();
    assert!(dry.stdout.contains("Dry run"), "{}", dry.stdout);
    assert_eq!(ws.dump(), dump);

    let applied = run(
        &ws,
        &[
            "deidentify",
            "apply",
            "--names",
            "names.csv",
            "--json",
            "--report",
            "review.csv",
        ],
    )
    .ok()
    .json();
    let found: Vec<(String, String)> = applied["replacements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["found"].as_str().unwrap().to_owned(),
                r["replacement"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("Marie Dupont", "[CHFG-C]"),
        ("Hôpital Bichat", "[hospital]"),
        ("marie DUPONT", "[CHFG-C]"),
        ("MARIE dupont", "[CHFG-C]"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} not in {found:?}"
        );
    }
    assert_eq!(found.len(), 5, "{found:?}");
    let review = std::fs::read_to_string(ws.path("review.csv")).unwrap();
    assert!(review.starts_with("place,char,before,found,replacement,after\n"));
    assert_eq!(
        review.matches(",[CHFG-C],").count() + review.matches(",[hospital],").count(),
        5,
        "{review}"
    );
    assert!(review.contains("Marie Dupont,[CHFG-C]"), "{review}");

    // Codings cover the same words; only the name inside changed.
    let after = coded(&ws);
    assert_eq!(before[1], after[1]);
    assert_eq!(after[0], before[0].replace("Marie Dupont", "[CHFG-C]"));
    assert_eq!(after[0], "Je suis [CHFG-C], infirmière");
    let text = ws.show("groupe")["text"].as_str().unwrap().to_owned();
    assert!(text.contains("avec [CHFG-C] et Mariette"), "{text}");
    assert!(text.contains("l'[hospital] depuis"), "{text}");

    // Nothing of the names is left anywhere; the file's hash is recorded.
    let all = readable_dump(&ws);
    assert!(all.iter().any(|l| l.contains("[CHFG-C]")));
    for line in all {
        let l = line.to_lowercase();
        assert!(!l.contains("dupont") && !l.contains("bichat"), "{line}");
    }
    let sha = applied["names_sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert!(
        readable_dump(&ws)
            .iter()
            .any(|l| l.starts_with("deidentifications:") && l.contains(sha))
    );
    let check = run(&ws, &["deidentify", "check", "--names", "names.csv"]).ok();
    assert!(
        check.stdout.contains("No listed name remains"),
        "{}",
        check.stdout
    );
}

#[test]
fn import_can_deidentify_the_new_sources() {
    let ws = Workspace::with_study();
    ws.write("groupe.txt", GROUP);
    ws.write("names.csv", "Marie Dupont,[CHFG-C]\n");
    let run = ws.import(&["groupe.txt", "--deidentify", "names.csv"]).ok();
    assert!(run.stdout.contains("cannot be undone"), "{}", run.stdout);
    let text = ws.show("groupe")["text"].as_str().unwrap().to_owned();
    assert!(!text.to_lowercase().contains("dupont"), "{text}");
}

#[test]
fn candidates_list_unlisted_first_names() {
    let ws = group_study();
    ws.write("names.csv", NAMES);
    let found = run(
        &ws,
        &["deidentify", "candidates", "--names", "names.csv", "--json"],
    )
    .ok()
    .json();
    let words: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["word"].as_str().unwrap())
        .collect();
    assert!(words.contains(&"Sophie"), "{words:?}");
    assert!(words.contains(&"Mariette"), "{words:?}");
    // Speaker labels are not candidates.
    assert!(!words.contains(&"Paul"), "{words:?}");
}

#[test]
fn a_bad_names_file_changes_nothing() {
    let ws = group_study();
    ws.write("names.csv", "real,replacement\nMarie Dupont\n");
    let dump = ws.dump();
    let run = run(&ws, &["deidentify", "apply", "--names", "names.csv"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("row 2"), "{}", run.stderr);
    assert!(run.stderr.contains("real,replacement"), "{}", run.stderr);
    assert_eq!(ws.dump(), dump);
}

#[test]
fn apply_to_one_source_leaves_the_others() {
    let ws = group_study();
    ws.write(
        "autre.txt",
        "INT : Qui ?\nA : Marie Dupont, encore.\nINT : Bien.\nA : Oui.\n",
    );
    ws.import(&["autre.txt"]).ok();
    ws.write("names.csv", NAMES);
    let out = run(
        &ws,
        &[
            "deidentify",
            "apply",
            "--names",
            "names.csv",
            "--source",
            "autre",
        ],
    )
    .ok();
    assert!(
        out.stdout.contains("Marie Dupont → [CHFG-C]"),
        "{}",
        out.stdout
    );
    let autre = ws.show("autre")["text"].as_str().unwrap().to_owned();
    assert!(autre.contains("[CHFG-C], encore"), "{autre}");
    let groupe = ws.show("groupe")["text"].as_str().unwrap().to_owned();
    assert!(groupe.contains("Marie Dupont"), "{groupe}");
    let check = run(&ws, &["deidentify", "check", "--names", "names.csv"]);
    assert_eq!(check.code, 1);
    assert!(check.stdout.contains("source groupe"), "{}", check.stdout);
}
