//! Hostile input, as an attacker or an unlucky user would send it: deep
//! queries over HTTP and the CLI, folders with loops, FIFOs and devices,
//! REFI-QDA projects pointing outside themselves, malformed rosters,
//! concurrent writers, file permissions and broken pipes. Each refusal is
//! one sentence and leaves the study unchanged; the server keeps answering.

use serde_json::Value;

use crate::browser::{http, serve};
use crate::common::Workspace;

fn demo() -> Workspace {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "demo.vbt"]).ok();
    ws
}

/// The two shapes that used to overflow the parsers' stacks.
fn deep_queries() -> [(String, String); 2] {
    [
        // 2,000 "(": the 65th is at column 65.
        (format!("{}a", "(".repeat(2_000)), "at column 65".to_owned()),
        // "confiance " is 10 chars, "NOT " 4: the 65th NOT is at 10 + 64 * 4 + 1.
        (
            format!("confiance {}peur", "NOT ".repeat(5_000)),
            "at column 267".to_owned(),
        ),
    ]
}

#[test]
fn deep_search_queries_get_400_and_the_server_keeps_answering() {
    let ws = demo();
    let server = serve(&ws, "demo.vbt", "amira");
    let base = server.base.as_str();
    for (q, column) in deep_queries() {
        let encoded = q.replace('(', "%28").replace(' ', "%20");
        // The API answers 400; the page shows the sentence under its form.
        for (path, status) in [("/api/search", 400), ("/search", 200)] {
            let reply = http(base, "GET", &format!("{path}?q={encoded}"), &[], "");
            assert_eq!(reply.status, status, "{path}: {}", reply.body);
            assert!(
                reply.body.contains("query nested deeper than 64 levels")
                    && reply.body.contains(&column),
                "{path}: {}",
                reply.body
            );
        }
        // The coding-query parser: 2,000 "(" around a code.
        let reply = http(
            base,
            "GET",
            &format!("/api/query?q={}", "%28".repeat(2_000)),
            &[],
            "",
        );
        assert_eq!(reply.status, 400, "{}", reply.body);
        assert!(
            reply
                .body
                .contains("nested deeper than 64 levels at column 65")
        );
        // And the server still answers.
        let next = http(base, "GET", "/api/search?q=confiance", &[], "");
        assert_eq!(next.status, 200, "{}", next.body);
        let hits: Value = serde_json::from_str(&next.body).unwrap();
        assert!(!hits["hits"].as_array().unwrap().is_empty());
    }
}

#[test]
fn deep_queries_are_refused_by_the_cli_with_the_column() {
    let ws = demo();
    for (q, column) in deep_queries() {
        let run = ws.run(&["search", "--project", "demo.vbt", &q]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr.contains("query nested deeper than 64 levels")
                && run.stderr.contains(&column),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    let q = "(".repeat(2_000);
    let run = ws.run(&["query", "--project", "demo.vbt", &q]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("query nested deeper than 64 levels at column 65"),
        "{}",
        run.stderr
    );
}
