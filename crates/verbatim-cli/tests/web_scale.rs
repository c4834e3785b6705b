//! Long lists on the web pages come in pages (issue 16): the sources and
//! participants pages show 100 rows at a time with links either side, the
//! home page lists 20 sources of each kind, and every count stays
//! study-wide. Against the real `verbatim serve` on a study of 105
//! interviews written here.

use crate::browser::{http, serve};
use crate::common::Workspace;

fn get(base: &str, path: &str) -> (u16, String) {
    let reply = http(base, "GET", path, &[], "");
    (reply.status, reply.body)
}

/// Writes `n` short interviews `s001.txt`… with labels `INT` and `P001`….
fn interviews(ws: &Workspace, from: usize, to: usize) {
    for i in from..=to {
        ws.write(
            &format!("many/s{i:03}.txt"),
            format!("INT : Comment va le service {i} ?\n\nP{i:03} : Le service {i} tient bon.\n"),
        );
    }
}

/// The source names a page links to the reader, in order.
fn linked_sources(body: &str) -> Vec<String> {
    body.split("<a href=\"/sources/")
        .skip(1)
        .filter_map(|rest| {
            let name = rest.split_once('>')?.1.split_once('<')?.0;
            Some(name.to_owned())
        })
        .collect()
}

/// The words, turns and codings cells of source `name`'s row.
fn row_numbers(body: &str, name: &str) -> Vec<String> {
    let row = body
        .split(&format!(">{name}</a></th>"))
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("no row {name}"));
    row.split("<td class=\"num\">")
        .skip(1)
        .filter_map(|cell| cell.split_once('<').map(|(n, _)| n.to_owned()))
        .collect()
}

/// The attribute cells of source `name`'s row.
fn row_values(body: &str, name: &str) -> Vec<String> {
    let row = body
        .split(&format!(">{name}</a></th>"))
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("no row {name}"));
    row.split("class=\"editable\"")
        .skip(1)
        .filter_map(|cell| Some(cell.split_once('>')?.1.split_once('<')?.0.to_owned()))
        .collect()
}

#[test]
fn long_lists_come_in_pages_and_counts_stay_study_wide() {
    let ws = Workspace::with_study();
    ws.run(&["coder", "add", "amira", "--project", "study.vbt"])
        .ok();
    interviews(&ws, 1, 105);
    ws.import(&["--kind", "interview", "many"]).ok();
    // Page 2's rows read their codings and attributes by their own ids:
    // one coding by amira in s102, a value on s103.
    let amira = |args: &[&str]| {
        let mut all = vec![args[0], "--project", "study.vbt", "--coder", "amira"];
        all.extend_from_slice(&args[1..]);
        ws.run(&all).ok();
    };
    amira(&["code", "add", "Tenue"]);
    amira(&[
        "coding", "add", "--source", "s102", "--code", "Tenue", "--start", "0", "--end", "3",
    ]);
    ws.run(&[
        "attribute",
        "add",
        "--project",
        "study.vbt",
        "mode",
        "--type",
        "text",
        "--for",
        "source",
    ])
    .ok();
    ws.run(&[
        "attribute",
        "set",
        "--project",
        "study.vbt",
        "--source",
        "s103",
        "mode=visio",
    ])
    .ok();
    let server = serve(&ws, "study.vbt", "amira");
    let base = server.base.as_str();

    // 105 sources by 100: page 1 holds s001–s100, page 2 s101–s105.
    let (status, first) = get(base, "/sources");
    assert_eq!(status, 200);
    assert!(
        first.contains("<span class=\"count\">105</span>"),
        "{first}"
    );
    assert!(first.contains("1–100 of 105"));
    assert!(first.contains("href=\"/sources?page=2\""));
    assert!(!first.contains("rel=\"prev\""));
    let names = linked_sources(&first);
    // Each source is linked from its row and from its speaker labels'
    // first row; nothing of page 2.
    assert!(names.contains(&"s001".to_owned()) && names.contains(&"s100".to_owned()));
    assert!(!names.iter().any(|n| n.as_str() > "s100"), "{names:?}");
    assert!(first.contains("data-label=\"P100\"") && !first.contains("data-label=\"P101\""));

    let (_, second) = get(base, "/sources?page=2");
    assert!(second.contains("101–105 of 105"));
    assert!(second.contains("href=\"/sources?page=1\"") && !second.contains("rel=\"next\""));
    // The sources table, then the speaker labels grouped by source.
    let five = ["s101", "s102", "s103", "s104", "s105"];
    assert_eq!(linked_sources(&second), [five, five].concat());
    assert!(second.contains("data-label=\"P105\"") && !second.contains("data-label=\"P001\""));
    // Words, turns, codings. s101 is "INT : Comment va le service 101 ?"
    // (8 words: INT, :, Comment, va, le, service, 101, ?) and "P101 : Le
    // service 101 tient bon." (7): 15 words in 2 turns; amira's one
    // coding is in s102; only s103 has a mode.
    assert_eq!(row_numbers(&second, "s101"), ["15", "2", "0"]);
    assert_eq!(row_numbers(&second, "s102"), ["15", "2", "1"]);
    assert_eq!(row_values(&second, "s103"), ["visio"]);
    assert_eq!(row_values(&second, "s104"), [""]);
    // Past the end: the last page; not a number: one sentence, 400.
    assert_eq!(get(base, "/sources?page=9").1, second);
    let (status, body) = get(base, "/sources?page=deux");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("page"), "{body}");

    // Home: 105 interviews counted, the first 20 listed, a link to all.
    let (_, home) = get(base, "/");
    assert!(
        home.contains("Interviews <span class=\"count\">105</span>"),
        "{home}"
    );
    let listed = linked_sources(&home);
    let expected: Vec<String> = (1..=20).map(|i| format!("s{i:03}")).collect();
    assert_eq!(listed, expected);
    assert!(home.contains("All 105 interviews on the sources page"));

    // A text corrected by the CLI meanwhile is counted again: "tient bon."
    // (2 words) became "tient très bien." (3), so 16.
    ws.run_env(
        &[
            "source",
            "edit",
            "--project",
            "study.vbt",
            "s101",
            "--find",
            "tient bon",
            "--text",
            "tient très bien",
        ],
        &[("VERBATIM_CODER", "amira")],
    )
    .ok();
    let (_, second) = get(base, "/sources?page=2");
    assert_eq!(row_numbers(&second, "s101"), ["16", "2", "0"]);

    // An import made meanwhile by the CLI shows in the counts at once.
    interviews(&ws, 106, 106);
    ws.import(&["--kind", "interview", "many/s106.txt"]).ok();
    let (_, second) = get(base, "/sources?page=2");
    assert!(second.contains("101–106 of 106"), "{second}");
    let (_, home) = get(base, "/");
    assert!(home.contains("Interviews <span class=\"count\">106</span>"));

    // Participants: none yet, one page, no pager.
    let (status, people) = get(base, "/participants");
    assert_eq!(status, 200);
    assert!(people.contains("<span class=\"count\">0</span>") && !people.contains("list-pager"));
}
