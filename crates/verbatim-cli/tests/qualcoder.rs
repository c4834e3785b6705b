//! `verbatim import-project` on a QualCoder project: a `data.qda` this
//! test writes with QualCoder's tables (accents, emoji, CRLF, a category),
//! every coding's text compared with the text QualCoder stored for it.

use std::path::Path;

use crate::common::Workspace;

/// The tables and columns QualCoder has had in every version read.
const SCHEMA: &str = "
CREATE TABLE project (databaseversion text, date text, memo text, about text);
CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, memo text, owner text, date text, unique(name));
CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, memo text, supercatid integer, unique(name));
CREATE TABLE code_name (cid integer primary key, name text, memo text, owner text, date text, catid integer, color text, unique(name));
CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer, seltext text, pos0 integer, pos1 integer, owner text, date text, memo text, avid integer, important integer);
CREATE TABLE cases (caseid integer primary key, name text, memo text, owner text, date text, unique(name));
CREATE TABLE case_text (id integer primary key, caseid integer, fid integer, pos0 integer, pos1 integer, owner text, date text, memo text);
CREATE TABLE journal (jid integer primary key, name text, jentry text, date text, owner text);
CREATE TABLE attribute_type (name text primary key, date text, owner text, memo text, caseOrFile text, valuetype text);
CREATE TABLE attribute (attrid integer primary key, name text, attr_type text, value text, id integer, date text, owner text);
";

const ELOISE: &str =
    "Q: Comment ça va ?\r\nR: Très bien 👍, merci. La confiance 🙂 se gagne lentement.\r\n";
const MARC: &str = "Q: Et l'école ?\nR: C'était dur, très dur.\n";

/// Returns QualCoder's position of `needle` in `text`: UTF-16 units of
/// the text as stored (a CRLF is two), as Qt counts.
fn qt(text: &str, needle: &str) -> (i64, i64) {
    let b = text.find(needle).unwrap();
    let s = text[..b].encode_utf16().count();
    (s as i64, (s + needle.encode_utf16().count()) as i64)
}

/// Writes a QualCoder project folder `name` holding `data.qda`.
pub(crate) fn qualcoder_project(ws: &Workspace, name: &str) -> std::path::PathBuf {
    let folder = ws.path(name);
    std::fs::create_dir(&folder).unwrap();
    let conn = rusqlite::Connection::open(folder.join("data.qda")).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let when = "2024-03-05 10:11:12";
    conn.execute(
        "INSERT INTO source VALUES (1, 'Entretien Éloïse', ?1, NULL, 'Premier entretien', 'léa', ?2), \
         (2, 'Entretien Marc', ?3, NULL, NULL, 'marc', ?2), \
         (3, 'enregistrement.mp3', NULL, '/audio/e.mp3', NULL, 'léa', ?2)",
        rusqlite::params![ELOISE, when, MARC],
    )
    .unwrap();
    conn.execute_batch(
        "INSERT INTO code_cat VALUES (1, 'Relations', 'léa', '2024-03-05 10:00:00', 'Ce qui lie les gens', NULL);
         INSERT INTO code_name VALUES (1, 'Confiance', 'Croire en l''autre', 'léa', '2024-03-05 10:00:00', 1, '#aabbcc');
         INSERT INTO code_name VALUES (2, 'Temps', NULL, 'léa', '2024-03-05 10:00:00', NULL, NULL);
         INSERT INTO code_name VALUES (3, 'Difficulté', NULL, 'marc', '2024-03-05 10:00:00', NULL, NULL);",
    )
    .unwrap();
    let codings = [
        (1, 1, ELOISE, "confiance", "léa", Some("dit en souriant")),
        (2, 1, ELOISE, "lentement", "léa", None),
        (3, 2, MARC, "dur", "marc", None),
    ];
    for (cid, fid, text, word, owner, memo) in codings {
        let (p0, p1) = qt(text, word);
        conn.execute(
            "INSERT INTO code_text (cid, fid, seltext, pos0, pos1, owner, date, memo, important) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL)",
            rusqlite::params![cid, fid, word, p0, p1, owner, when, memo],
        )
        .unwrap();
    }
    conn.execute_batch(
        "INSERT INTO cases VALUES (1, 'Éloïse', 'Enseignante', 'léa', '2024-03-05 10:00:00');
         INSERT INTO case_text VALUES (1, 1, 1, 0, 80, 'léa', '2024-03-05 10:00:00', NULL);
         INSERT INTO journal VALUES (1, 'Après Éloïse', 'Elle parlait vite ; à relire.', '2024-03-05 12:00:00', 'léa');
         INSERT INTO attribute_type VALUES ('âge', '2024-03-05', 'léa', NULL, 'case', 'numeric');
         INSERT INTO attribute VALUES (1, 'âge', 'case', '34', 1, '2024-03-05', 'léa');",
    )
    .unwrap();
    folder
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

#[test]
fn a_qualcoder_project_opens_with_every_coding_on_its_words() {
    let ws = Workspace::empty();
    let folder = qualcoder_project(&ws, "entretiens.qda");
    let run = ws
        .run(&[
            "import-project",
            folder.to_str().unwrap(),
            "--project",
            "study.vbt",
        ])
        .ok();
    // The study is titled by the project's folder.
    assert_eq!(
        column(&ws.study(), "SELECT value FROM study WHERE key = 'title'"),
        vec!["entretiens"]
    );
    // Two text sources; the audio file is listed, not dropped silently.
    assert!(run.stdout.contains("2 sources"), "{}", run.stdout);
    assert!(run.stdout.contains("enregistrement.mp3"), "{}", run.stdout);

    // Every coding's text, cut from the stored text by verbatim's
    // character positions, is the text QualCoder stored for it.
    let study = ws.study();
    let conn = rusqlite::Connection::open(&study).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT k.name, t.text, c.start_char, c.end_char, IFNULL(c.memo, '') FROM codings c \
             JOIN codes k ON k.id = c.code_id JOIN source_texts t ON t.source_id = c.source_id \
             ORDER BY k.name",
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
    assert_eq!(
        got,
        vec![
            (
                "Confiance".into(),
                "confiance".into(),
                "dit en souriant".into()
            ),
            ("Difficulté".into(), "dur".into(), String::new()),
            ("Temps".into(), "lentement".into(), String::new()),
        ]
    );

    // The category is a non-codable code holding Confiance; the code memo
    // is its definition.
    assert_eq!(
        column(
            &study,
            "SELECT k.name || ' ' || k.codable || ' ' || IFNULL(p.name, '-') || ' ' || IFNULL(k.definition, '-') \
             FROM codes k LEFT JOIN codes p ON p.id = k.parent ORDER BY k.name"
        ),
        vec![
            "Confiance 1 Relations Croire en l'autre",
            "Difficulté 1 - -",
            "Relations 0 - Ce qui lie les gens",
            "Temps 1 - -",
        ]
    );
    // Coders by name; the case with its attribute; the journal entry.
    assert_eq!(
        column(
            &study,
            "SELECT name FROM coders WHERE kind = 'coder' ORDER BY name"
        ),
        vec!["léa", "marc"]
    );
    assert_eq!(
        column(
            &study,
            "SELECT IFNULL(p.code, p.label) || ' ' || a.name || '=' || v.value FROM participants p \
             JOIN participant_values v ON v.participant_id = p.id JOIN attributes a ON a.id = v.attribute_id"
        ),
        vec!["Éloïse âge=34"]
    );
    let bodies = column(&study, "SELECT body FROM memos ORDER BY body");
    assert!(
        bodies.contains(&"Elle parlait vite ; à relire.".to_owned()),
        "{bodies:?}"
    );
    // The source's memo is a memo on that source.
    assert_eq!(
        column(
            &study,
            "SELECT s.name || ': ' || m.body FROM memos m JOIN sources s ON s.id = m.target_id \
             WHERE m.target_kind = 'source'"
        ),
        vec!["Entretien Éloïse: Premier entretien"]
    );
}

#[test]
fn data_qda_itself_opens_and_another_sqlite_file_is_refused() {
    let ws = Workspace::empty();
    let folder = qualcoder_project(&ws, "p.qda");
    let data = folder.join("data.qda");
    ws.run(&[
        "import-project",
        data.to_str().unwrap(),
        "--project",
        "a.vbt",
    ])
    .ok();
    assert_eq!(
        column(&ws.path("a.vbt"), "SELECT count(*) || '' FROM codings"),
        vec!["3"]
    );

    let other = ws.path("autre.sqlite3");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE notes (id integer, body text);")
        .unwrap();
    drop(conn);
    let run = ws.run(&[
        "import-project",
        other.to_str().unwrap(),
        "--project",
        "b.vbt",
    ]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("autre.sqlite3 is not a QualCoder or Taguette project"),
        "{}",
        run.stderr
    );
    assert!(!ws.path("b.vbt").exists());
}
