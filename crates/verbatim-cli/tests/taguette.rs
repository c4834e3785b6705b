//! `verbatim import-project` on a Taguette project: a `.sqlite3` this test
//! writes with Taguette's schema (as its migrations leave it, head
//! db5e31a0233d), with accents, emoji, a CRLF, a nested tag and two users;
//! every coding's text compared with the snippet Taguette stored for it.

use std::path::{Path, PathBuf};

use crate::common::Workspace;

/// Taguette's tables as SQLAlchemy creates them on SQLite.
const SCHEMA: &str = "
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
CREATE TABLE users (login VARCHAR(30) NOT NULL, created DATETIME NOT NULL, hashed_password VARCHAR(192), disabled BOOLEAN NOT NULL, password_set_date DATETIME, language VARCHAR(10), email VARCHAR(256), email_sent DATETIME, CONSTRAINT pk_users PRIMARY KEY (login), CONSTRAINT uq_users_email UNIQUE (email));
CREATE TABLE projects (id INTEGER NOT NULL, name VARCHAR(200) NOT NULL, description TEXT NOT NULL, created DATETIME NOT NULL, CONSTRAINT pk_projects PRIMARY KEY (id));
CREATE TABLE project_members (project_id INTEGER NOT NULL, user_login VARCHAR(30) NOT NULL, privileges VARCHAR(11) NOT NULL, CONSTRAINT pk_project_members PRIMARY KEY (project_id, user_login));
CREATE TABLE documents (id INTEGER NOT NULL, name VARCHAR(200) NOT NULL, description TEXT NOT NULL, filename VARCHAR(200) NOT NULL, created DATETIME NOT NULL, project_id INTEGER NOT NULL, text_direction VARCHAR(13) NOT NULL, contents TEXT NOT NULL, CONSTRAINT pk_documents PRIMARY KEY (id));
CREATE TABLE commands (id INTEGER NOT NULL, date DATETIME NOT NULL, user_login VARCHAR(30) NOT NULL, project_id INTEGER NOT NULL, document_id INTEGER, payload TEXT NOT NULL, CONSTRAINT pk_commands PRIMARY KEY (id));
CREATE TABLE highlights (id INTEGER NOT NULL, document_id INTEGER NOT NULL, start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, snippet TEXT NOT NULL, CONSTRAINT pk_highlights PRIMARY KEY (id));
CREATE TABLE tags (id INTEGER NOT NULL, project_id INTEGER NOT NULL, path VARCHAR(200) NOT NULL, description TEXT NOT NULL, CONSTRAINT pk_tags PRIMARY KEY (id), CONSTRAINT uq_tags_project_id UNIQUE (project_id, path));
CREATE TABLE highlight_tags (highlight_id INTEGER NOT NULL, tag_id INTEGER NOT NULL, CONSTRAINT pk_highlight_tags PRIMARY KEY (highlight_id, tag_id));
INSERT INTO alembic_version VALUES ('db5e31a0233d');
";

/// Document 1 as Taguette stores it (HTML, a CRLF inside a paragraph,
/// a whitespace text node between the paragraphs).
const ELOISE_HTML: &str = "<p>Q : Comment ça va ?</p>\n<p>R : Très bien 👍, merci.\r\nLa confiance 🙂 se gagne <em>lentement</em> &amp; sûrement.</p>";
/// Its text nodes as html5lib gives them (CRLF read as LF, `&amp;` as
/// `&`): what Taguette counts its offsets in.
const ELOISE_NODES: &str =
    "Q : Comment ça va ?\nR : Très bien 👍, merci.\nLa confiance 🙂 se gagne lentement & sûrement.";
/// Document 2: blocks with no text between them.
const MARC_HTML: &str = "<h1>Interview</h1><p>Q: And school?</p><p>A: It was hard, very hard.</p>";
const MARC_NODES: &str = "InterviewQ: And school?A: It was hard, very hard.";

/// Returns Taguette's offsets of `needle` in a document's text nodes:
/// UTF-8 bytes (`str::find` gives a byte index; the emoji counts 4).
fn offsets(nodes: &str, needle: &str) -> (i64, i64) {
    let b = nodes.find(needle).unwrap();
    (b as i64, (b + needle.len()) as i64)
}

/// A highlight to write: id, document, the document's text nodes, the
/// passage, the snippet as Taguette cut it, its tags, who made it.
type Highlight = (
    i64,
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static [i64],
    &'static str,
);

/// Writes a Taguette database holding the projects named.
pub(crate) fn taguette_db(ws: &Workspace, name: &str, projects: &[&str]) -> PathBuf {
    let path = ws.path(name);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let when = "2024-03-05 10:11:12.123456";
    conn.execute_batch(&format!(
        "INSERT INTO users VALUES ('lea', '{when}', NULL, 0, NULL, 'fr', NULL, NULL);
         INSERT INTO users VALUES ('marc', '{when}', NULL, 0, NULL, 'en', NULL, NULL);"
    ))
    .unwrap();
    for (i, p) in projects.iter().enumerate() {
        conn.execute(
            "INSERT INTO projects VALUES (?1, ?2, 'Entretiens sur la confiance à l''école.', ?3)",
            rusqlite::params![i as i64 + 1, p, when],
        )
        .unwrap();
    }
    conn.execute_batch(
        "INSERT INTO project_members VALUES (1, 'lea', 'ADMIN'), (1, 'marc', 'TAG');
         INSERT INTO tags VALUES (1, 1, 'confiance', 'Croire en l''autre');
         INSERT INTO tags VALUES (2, 1, 'émotion.joie', 'Moments heureux');
         INSERT INTO tags VALUES (3, 1, 'émotion.peur', '');
         INSERT INTO tags VALUES (4, 1, 'école', '');",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO documents VALUES (1, 'Entretien Éloïse', 'Premier entretien', 'eloise.docx', ?1, 1, 'LEFT_TO_RIGHT', ?2), \
         (2, 'Interview Marc', '', 'marc.txt', ?1, 1, 'LEFT_TO_RIGHT', ?3)",
        rusqlite::params![when, ELOISE_HTML, MARC_HTML],
    )
    .unwrap();
    let highlights: [Highlight; 6] = [
        (
            1,
            1,
            ELOISE_NODES,
            "Très bien 👍, merci.",
            "<p>Très bien 👍, merci.</p>",
            &[2],
            "lea",
        ),
        (
            2,
            1,
            ELOISE_NODES,
            "merci.\nLa confiance 🙂",
            "<p>merci.\nLa confiance 🙂</p>",
            &[1, 2],
            "lea",
        ),
        (
            3,
            1,
            ELOISE_NODES,
            "lentement",
            "<p><em>lentement</em></p>",
            &[1],
            "marc",
        ),
        (
            4,
            2,
            MARC_NODES,
            "And school?A: It was hard",
            "<p>And school?</p><p>A: It was hard</p>",
            &[4],
            "marc",
        ),
        (
            5,
            2,
            MARC_NODES,
            "very hard",
            "<p>very hard</p>",
            &[3],
            "marc",
        ),
        // No tag: listed as not imported.
        (
            6,
            2,
            MARC_NODES,
            "Interview",
            "<h1>Interview</h1>",
            &[],
            "marc",
        ),
    ];
    for (id, doc, nodes, passage, snippet, tags, who) in highlights {
        let (s, e) = offsets(nodes, passage);
        conn.execute(
            "INSERT INTO highlights VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![id, doc, s, e, snippet],
        )
        .unwrap();
        for t in tags {
            conn.execute(
                "INSERT INTO highlight_tags VALUES (?1, ?2)",
                rusqlite::params![id, t],
            )
            .unwrap();
        }
        let payload = format!(
            r#"{{"end_offset": {e}, "highlight_id": {id}, "start_offset": {s}, "tags": {tags:?}, "type": "highlight_add"}}"#
        );
        conn.execute(
            "INSERT INTO commands (date, user_login, project_id, document_id, payload) VALUES (?1, ?2, 1, ?3, ?4)",
            rusqlite::params![when, who, doc, payload],
        )
        .unwrap();
    }
    // A highlight whose offsets do not cover its snippet ("merci" is
    // stored, the offsets point at "Q : C"): listed, never moved.
    conn.execute(
        "INSERT INTO highlights VALUES (7, 1, 0, 5, '<p>merci</p>')",
        [],
    )
    .unwrap();
    conn.execute("INSERT INTO highlight_tags VALUES (7, 1)", [])
        .unwrap();
    path
}

/// Returns one column of a query over a study, as text.
fn column(study: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(study).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Returns the text nodes of a snippet: tags dropped, the one entity the
/// fixture uses decoded (the snippets are ours, so this is enough).
fn snippet_text(snippet: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in snippet.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
}

#[test]
fn a_taguette_project_opens_with_every_highlight_on_its_words() {
    let ws = Workspace::empty();
    let db = taguette_db(&ws, "2024-03-05_confiance.sqlite3", &["Confiance"]);
    let run = ws
        .run(&[
            "import-project",
            db.to_str().unwrap(),
            "--project",
            "study.vbt",
        ])
        .ok();
    let study = ws.study();
    assert_eq!(
        column(&study, "SELECT value FROM study WHERE key = 'title'"),
        vec!["Confiance"]
    );
    assert!(run.stdout.contains("2 sources"), "{}", run.stdout);
    // Nothing dropped silently: the untagged highlight and the one off its
    // snippet are listed.
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("1 highlight(s) carry no tag"), "{said}");
    assert!(
        said.contains("highlight 7 in \"Entretien Éloïse\""),
        "{said}"
    );

    // Every coding's text, cut from the stored text by verbatim's char
    // positions, is its snippet's text. Blocks with no text between them
    // (highlight 4 spans two paragraphs) gain a line break in verbatim's
    // text that Taguette's snippet does not have, so line breaks are set
    // aside in that comparison; the CRLF of highlight 2 is compared whole
    // below.
    let conn = rusqlite::Connection::open(&study).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT IFNULL(p.name || '/', '') || k.name, t.text, c.start_char, c.end_char, w.name \
             FROM codings c JOIN codes k ON k.id = c.code_id LEFT JOIN codes p ON p.id = k.parent \
             JOIN source_texts t ON t.source_id = c.source_id JOIN coders w ON w.id = c.coder_id \
             ORDER BY 1, c.start_char",
        )
        .unwrap();
    let got: Vec<(String, String, String)> = stmt
        .query_map([], |r| {
            let text: String = r.get(1)?;
            let (s, e): (i64, i64) = (r.get(2)?, r.get(3)?);
            let cut: String = text
                .chars()
                .skip(s as usize)
                .take((e - s) as usize)
                .collect();
            Ok((r.get(0)?, cut, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let snippet = |passage_snippet: &str| snippet_text(passage_snippet).replace('\n', "");
    let expected = [
        ("confiance", "<p>merci.\nLa confiance 🙂</p>", "lea"),
        ("confiance", "<p><em>lentement</em></p>", "marc"),
        ("école", "<p>And school?</p><p>A: It was hard</p>", "marc"),
        ("émotion/joie", "<p>Très bien 👍, merci.</p>", "lea"),
        ("émotion/joie", "<p>merci.\nLa confiance 🙂</p>", "lea"),
        ("émotion/peur", "<p>very hard</p>", "marc"),
    ];
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for ((code, cut, who), (want_code, want_snippet, want_who)) in got.iter().zip(expected) {
        assert_eq!(code, want_code);
        assert_eq!(cut.replace('\n', ""), snippet(want_snippet), "{code}");
        assert_eq!(who, want_who, "{code}");
    }
    assert_eq!(got[0].1, "merci.\nLa confiance 🙂");
    assert_eq!(got[2].1, "And school?\nA: It was hard");

    // Verbatim's text of document 2: one line per block.
    assert_eq!(
        column(
            &study,
            "SELECT t.text FROM source_texts t JOIN sources s ON s.id = t.source_id \
             WHERE s.name = 'Interview Marc'"
        ),
        vec!["Interview\nQ: And school?\nA: It was hard, very hard."]
    );
    // The tag tree: "émotion" is no tag, so a category; descriptions are
    // the codes' definitions.
    assert_eq!(
        column(
            &study,
            "SELECT k.name || ' ' || k.codable || ' ' || IFNULL(p.name, '-') || ' ' || IFNULL(k.definition, '-') \
             FROM codes k LEFT JOIN codes p ON p.id = k.parent ORDER BY k.name"
        ),
        vec![
            "confiance 1 - Croire en l'autre",
            "joie 1 émotion Moments heureux",
            "peur 1 émotion -",
            "école 1 - -",
            "émotion 0 - -",
        ]
    );
    assert_eq!(
        column(
            &study,
            "SELECT name FROM coders WHERE kind = 'coder' ORDER BY name"
        ),
        vec!["lea", "marc"]
    );
    // The document's and the project's descriptions are memos.
    let bodies = column(&study, "SELECT body FROM memos ORDER BY body");
    for memo in [
        "Premier entretien",
        "Entretiens sur la confiance à l'école.",
    ] {
        assert!(bodies.contains(&memo.to_owned()), "{bodies:?}");
    }
}

#[test]
fn a_taguette_database_of_two_projects_is_refused_and_no_study_is_left() {
    let ws = Workspace::empty();
    let db = taguette_db(&ws, "taguette.sqlite3", &["Confiance", "Autre"]);
    let run = ws.run(&["import-project", db.to_str().unwrap(), "--project", "s.vbt"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains(
            "taguette.sqlite3 cannot be imported: it holds 2 Taguette projects (Confiance, Autre)"
        ),
        "{}",
        run.stderr
    );
    assert!(!ws.path("s.vbt").exists());
}
