//! Hostile workbooks (issue 15): calamine reads every workbook in a child
//! process of the binary under memory, CPU and time limits, so a 1 KB
//! `.ods` that kept it allocating for minutes is one refusal within the
//! limits, the study is unchanged, and nothing of the reading is left
//! running afterwards, from the CLI and from the server. A sound workbook
//! still imports through the same child.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::browser::{http, serve, token_of};
use crate::common::{Workspace, zip_with};

/// An `.ods` whose first sheet is the rows in `rows_xml`.
fn ods(rows_xml: &str) -> Vec<u8> {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Participants">{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip_with(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", &content),
    ])
}

/// An `.ods` of 3,000 rows, each one filled cell repeated 16,384 columns
/// wide: about 2 KB zipped and 0.4 MB inflated (under every size limit),
/// but 3,000 x 16,384 = 49,152,000 cells that calamine builds one by one
/// (over 1.5 GB at 32 bytes a cell) before any check of ours can run.
fn endless_ods() -> Vec<u8> {
    let row = r#"<table:table-row><table:table-cell office:value-type="string" table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row>"#;
    ods(&row.repeat(3_000))
}

/// A sound roster: two participants, a text and a number column.
fn roster_ods() -> Vec<u8> {
    let cell = |v: &str| {
        format!(
            r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#
        )
    };
    let number = |v: u32| {
        format!(
            r#"<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>"#
        )
    };
    let row = |cells: String| format!("<table:table-row>{cells}</table:table-row>");
    ods(&[
        row(cell("code") + &cell("profession") + &cell("age")),
        row(cell("P01") + &cell("infirmière") + &number(34)),
        row(cell("P02") + &cell("médecin") + &number(51)),
    ]
    .concat())
}

/// Returns the processes (pid, command line) whose environment holds
/// `marker`: the command run with it and every process it started.
fn processes_marked(marker: &str) -> Vec<(String, String)> {
    let needle = format!("VERBATIM_TEST_MARK={marker}");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        // A process may end between the listing and the read.
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if environ.split(|&b| b == 0).any(|v| v == needle.as_bytes()) {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            found.push((pid, String::from_utf8_lossy(&cmdline).replace('\0', " ")));
        }
    }
    found
}

#[cfg(target_os = "linux")]
#[test]
fn a_workbook_that_keeps_calamine_busy_is_refused_within_the_limit_and_leaves_nothing_running() {
    let ws = Workspace::with_study();
    ws.write("roster.ods", endless_ods());
    let before = ws.dump();
    let marker = ws.dir.path().to_string_lossy().into_owned();
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_verbatim"))
        .args([
            "participants",
            "import",
            "--project",
            "study.vbt",
            "roster.ods",
        ])
        .current_dir(ws.dir.path())
        .env_remove("VERBATIM_PROJECT")
        .env("VERBATIM_CODER", "tester")
        .env("VERBATIM_TEST_MARK", &marker)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The limit is 20 s of wall and CPU time for the reader; the command
    // must be done well within twice that even on a loaded machine (the
    // reading on a thread, as before, ran for minutes).
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(45) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the refusal took over 45 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = start.elapsed();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // One sentence: which file, why, what to do (here the child ran into
    // its 1,024 MiB address space long before its 20 s).
    assert!(
        stderr.contains("roster.ods was not imported: the workbook could not be read (it needs more than the 1024 MiB of memory the workbook reader may use; it may repeat rows or columns without end): open it in its spreadsheet and save it again"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(ws.dump(), before, "the study is unchanged");
    // Neither the command nor any reader it started is still running.
    assert_eq!(processes_marked(&marker), Vec::new());
    eprintln!("refused in {took:?}");

    // A sound roster goes through the same child and imports.
    ws.write("ok.ods", roster_ods());
    let run = ws
        .run(&["participants", "import", "--project", "study.vbt", "ok.ods"])
        .ok();
    assert!(
        run.stdout
            .starts_with("Imported 2 participants from ok.ods."),
        "{}",
        run.stdout
    );
    let people = ws
        .run(&["participants", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    let text = people.to_string();
    assert!(
        text.contains("P01") && text.contains("infirmière") && text.contains("51"),
        "{text}"
    );
}

/// Posts `body` as the raw file `name` to the roster endpoint; returns the
/// status and the body of the reply.
fn upload_roster(base: &str, name: &str, body: &[u8]) -> (u16, String) {
    let (token, cookie) = token_of(base);
    let host = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let head = format!(
        "POST /api/participants/roster?name={name} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nCookie: {cookie}\r\nX-CSRF-Token: {token}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    (status, body)
}

/// Returns the CPU seconds (user + system) process `pid` has used.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces) in parentheses;
    // utime and stime are the 14th and 15th fields, in clock ticks.
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    let per_second: f64 = String::from_utf8(
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .parse()
    .unwrap();
    ticks / per_second
}

/// Returns the pids of the processes whose parent is `pid`.
fn children_of(pid: u32) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        // After ") ": the state, then the parent's pid.
        let parent = stat[close + 2..].split_whitespace().nth(1);
        if parent == Some(pid.to_string().as_str()) {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    found
}

#[cfg(target_os = "linux")]
#[test]
fn the_server_refuses_the_workbook_and_keeps_no_reader_busy() {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "demo.vbt"]).ok();
    let people_before = ws
        .run(&["participants", "list", "--project", "demo.vbt", "--json"])
        .ok()
        .stdout;
    let server = serve(&ws, "demo.vbt", "amira");
    let pid = server.pid();
    let (status, body) = upload_roster(&server.base, "roster.ods", &endless_ods());
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("roster.ods was not imported: the workbook could not be read (it needs more than the 1024 MiB of memory the workbook reader may use"),
        "{body}"
    );
    // Nothing reads on: no child process, and the server idles. A reader
    // abandoned on a thread kept a core busy (about 1 s of CPU a second).
    assert_eq!(children_of(pid), Vec::<String>::new());
    let cpu = cpu_seconds(pid);
    std::thread::sleep(Duration::from_secs(2));
    let spent = cpu_seconds(pid) - cpu;
    assert!(spent < 0.5, "the server spent {spent} s of CPU in 2 s idle");
    // It still answers, and the roster changed nothing.
    let reply = http(&server.base, "GET", "/api/participants", &[], "");
    assert_eq!(reply.status, 200);
    drop(server);
    let people_after = ws
        .run(&["participants", "list", "--project", "demo.vbt", "--json"])
        .ok()
        .stdout;
    assert_eq!(people_after, people_before);
}
