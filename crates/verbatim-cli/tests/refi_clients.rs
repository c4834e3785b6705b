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

/// An element of a `.qde`: its name, attributes, direct text and parent.
struct Node {
    name: String,
    attrs: std::collections::HashMap<String, String>,
    text: String,
    parent: Option<usize>,
}

/// Parses a `.qde` into its elements in document order.
fn nodes(xml: &str) -> Vec<Node> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            event @ (Event::Start(_) | Event::Empty(_)) => {
                let (Event::Start(e) | Event::Empty(e)) = &event else {
                    unreachable!()
                };
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let value = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned();
                        (a.key.as_ref().to_owned(), value)
                    })
                    .collect();
                out.push(Node {
                    name: e.name().as_ref().to_owned(),
                    attrs,
                    text: String::new(),
                    parent: stack.last().copied(),
                });
                if matches!(event, Event::Start(_)) {
                    stack.push(out.len() - 1);
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                if let Some(&i) = stack.last() {
                    out[i].text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let name: String = r.as_ref().to_owned();
                let c = match name.as_str() {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    n => {
                        let code = match n.strip_prefix("#x") {
                            Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
                            None => n.trim_start_matches('#').parse().unwrap(),
                        };
                        char::from_u32(code).unwrap()
                    }
                };
                if let Some(&i) = stack.last() {
                    out[i].text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Returns the bytes of a zip entry, `None` when there is none.
fn zip_entry(zip: &[u8], name: &str) -> Option<String> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut file = archive.by_name(name).ok()?;
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    Some(text)
}

/// Exports the revealed demo study for QualCoder, then reads the file the
/// way QualCoder's importer does (`refi.py`): a note's text only from its
/// `plainTextPath` file, a coding's memo from its selection's
/// `Description`, a case's sources from its `SourceRef`s, a code's memo
/// from its `Description`; every journal entry, memo, coding memo and
/// case of the study is found there.
#[test]
fn qualcoder_finds_every_note_memo_and_case_of_the_export() {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "study.vbt"]).ok();
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    ws.run(&[
        "export",
        "--project",
        "study.vbt",
        "--coder",
        "amira",
        "--all",
        "--format",
        "qdpx",
        "--target",
        "qualcoder",
        "--out",
        "qc.qdpx",
    ])
    .ok();
    let zip = std::fs::read(ws.path("qc.qdpx")).unwrap();
    let qde = zip_entry(&zip, "project.qde").unwrap();
    let all = nodes(&qde);
    let parent_is = |n: &Node, name: &str| n.parent.is_some_and(|p| all[p].name == name);

    // Notes: only the plainTextPath file is read.
    let mut note_texts: Vec<String> = Vec::new();
    for n in all.iter().filter(|n| n.name == "Note") {
        let path = n.attrs.get("plainTextPath").expect("a note without a file");
        let file = path.strip_prefix("internal://").unwrap();
        let text = zip_entry(&zip, &format!("sources/{file}"))
            .unwrap_or_else(|| panic!("{path} is not in the archive"));
        note_texts.push(text);
    }
    let journal = column(&ws, "SELECT body FROM journal");
    let memos = column(&ws, "SELECT body FROM memos");
    assert!(!journal.is_empty() && !memos.is_empty());
    for body in journal.iter().chain(&memos) {
        assert!(
            note_texts.contains(body),
            "not found by QualCoder: {body:?}"
        );
    }
    assert_eq!(note_texts.len(), journal.len() + memos.len());

    // Coding memos: the selection's Description.
    let selection_memos: Vec<&str> = all
        .iter()
        .filter(|n| n.name == "Description" && parent_is(n, "PlainTextSelection"))
        .map(|n| n.text.as_str())
        .collect();
    let coding_memos = column(
        &ws,
        "SELECT memo FROM codings WHERE memo IS NOT NULL AND memo <> '' \
         UNION ALL SELECT body FROM memos WHERE target_kind = 'coding'",
    );
    assert!(!coding_memos.is_empty(), "the demo has coding memos");
    for memo in &coding_memos {
        assert!(selection_memos.contains(&memo.as_str()), "{memo:?}");
    }

    // Cases: each participant mapped to a source points at it.
    let mut refs: std::collections::HashMap<String, usize> = Default::default();
    for n in all.iter().filter(|n| n.name == "SourceRef") {
        let case = &all[n.parent.unwrap()];
        assert_eq!(case.name, "Case");
        *refs.entry(case.attrs["name"].clone()).or_default() += 1;
    }
    // In the demo every participant's turns are labelled with their code
    // (CHC-1 speaks in one interview, the CHFG-* in one focus group…).
    let expected = column(
        &ws,
        "SELECT p.code || ' ' || COUNT(DISTINCT t.source_id) FROM turns t \
         JOIN participants p ON p.code = t.speaker GROUP BY p.id ORDER BY p.code",
    );
    assert!(!expected.is_empty(), "the demo has participants' turns");
    let mut found: Vec<String> = refs.iter().map(|(c, n)| format!("{c} {n}")).collect();
    found.sort();
    assert_eq!(found, expected);

    // And each case's selections are its turns, on its words: CHC-1 has
    // as many SelectionRefs as turns labelled CHC-1, each a selection of
    // that turn's span.
    let turns = column(
        &ws,
        "SELECT t.start_char || ' ' || t.end_char FROM turns t WHERE t.speaker = 'CHC-1' \
         AND t.start_char < t.end_char ORDER BY t.start_char",
    );
    let case = all
        .iter()
        .position(|n| n.name == "Case" && n.attrs.get("name").map(String::as_str) == Some("CHC-1"))
        .unwrap();
    let mut spans: Vec<String> = all
        .iter()
        .filter(|n| n.name == "SelectionRef" && n.parent == Some(case))
        .map(|r| {
            let sel = all
                .iter()
                .find(|n| {
                    n.name == "PlainTextSelection" && n.attrs["guid"] == r.attrs["targetGUID"]
                })
                .expect("a SelectionRef to no selection");
            format!(
                "{} {}",
                sel.attrs["startPosition"], sel.attrs["endPosition"]
            )
        })
        .collect();
    spans.sort_by_key(|s| s.split(' ').next().unwrap().parse::<i64>().unwrap());
    assert!(!turns.is_empty());
    assert_eq!(spans, turns);

    // A code's memo is what the user wrote: no level label in it.
    let code_memos: Vec<&str> = all
        .iter()
        .filter(|n| n.name == "Description" && parent_is(n, "Code"))
        .map(|n| n.text.as_str())
        .collect();
    assert!(!code_memos.is_empty());
    for memo in &code_memos {
        assert!(!memo.contains("Level:"), "{memo:?}");
    }
    let definitions = column(
        &ws,
        "SELECT definition FROM codes WHERE definition <> '' AND inclusion IS NULL \
         AND exclusion IS NULL AND example IS NULL",
    );
    for d in &definitions {
        assert!(code_memos.contains(&d.as_str()), "{d:?}");
    }
}

#[test]
fn a_category_comes_back_a_category() {
    let ws = Workspace::empty();
    let text = "Q: Et vos voisins ?\nR: On se fait confiance, depuis toujours.\n";
    let start = text.chars().take_while(|&c| c != 'c').count(); // "confiance"
    let end = start + "confiance".chars().count();
    let qde = format!(
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"catégories\" origin=\"QualCoder 3.6\">\
         <Users><User guid=\"aaaaaaaa-0000-4000-8000-000000000001\" name=\"Léa\"/></Users>\
         <CodeBook><Codes>\
         <Code guid=\"cccccccc-0000-4000-8000-000000000001\" name=\"Relations\" isCodable=\"false\">\
         <Code guid=\"cccccccc-0000-4000-8000-000000000002\" name=\"Confiance\" isCodable=\"true\"/>\
         </Code></Codes></CodeBook>\
         <Sources><TextSource guid=\"dddddddd-0000-4000-8000-000000000001\" name=\"E1\">\
         <PlainTextContent>{text}</PlainTextContent>\
         <PlainTextSelection guid=\"11111111-0000-4000-8000-000000000001\" name=\"confiance\" startPosition=\"{start}\" endPosition=\"{end}\">\
         <Coding guid=\"22222222-0000-4000-8000-000000000001\" creatingUser=\"aaaaaaaa-0000-4000-8000-000000000001\"><CodeRef targetGUID=\"cccccccc-0000-4000-8000-000000000002\"/></Coding>\
         </PlainTextSelection></TextSource></Sources></Project>"
    );
    ws.write("qc.qdpx", qdpx(&qde));
    ws.run(&["import-project", "qc.qdpx", "--project", "study.vbt"])
        .ok();
    assert_eq!(
        column(
            &ws,
            "SELECT name || ' ' || codable FROM codes ORDER BY name"
        ),
        vec!["Confiance 1".to_owned(), "Relations 0".to_owned()]
    );
    ws.run(&[
        "export",
        "--project",
        "study.vbt",
        "--coder",
        "Léa",
        "--format",
        "qdpx",
        "--out",
        "back.qdpx",
    ])
    .ok();
    let zip = std::fs::read(ws.path("back.qdpx")).unwrap();
    let xml = zip_entry(&zip, "project.qde").unwrap();
    assert!(
        xml.contains("name=\"Relations\" isCodable=\"false\""),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"Confiance\" isCodable=\"true\""),
        "{xml}"
    );
}

#[test]
fn sets_of_a_maxqda_project_are_listed_as_not_carried() {
    let ws = Workspace::empty();
    let file =
        format!("{SHARED}/samples/maxqda-24.7.0__2025-06-16_ICLS_Conf_Themes_ALL_just10.qdpx");
    let run = ws
        .run(&[
            "import-project",
            &file,
            "--project",
            "study.vbt",
            "--coder",
            "Léa",
        ])
        .ok();
    // The sample holds 2 sets of sources (README of the samples).
    let sets = run
        .stdout
        .lines()
        .filter(|l| l.contains("not carried: the set "))
        .count();
    assert_eq!(sets, 2, "{}", run.stdout);
}
