//! Transcribing with the recording: `media attach --new` makes an empty
//! source from a recording, `/sources/{id}/transcribe` types its turns with
//! the keys, `POST /api/sources/{id}/turns` saves each one. The recording is
//! a WAV tone written in the media tests; every time is worked out by hand.

use crate::browser::{http, serve, token_of};
use crate::common::Workspace;
use crate::media::wav;

/// 8,000 Hz mono: 48,000 samples last 6 s (6,000 ms).
fn six_seconds() -> Vec<u8> {
    wav(8000, 48_000)
}

/// A study with coder `tester` and an empty source `visite` made from a
/// six-second recording.
fn study_awaiting_transcript() -> Workspace {
    let ws = Workspace::with_study();
    ws.run(&["coder", "add", "--project", "study.vbt", "tester"])
        .ok();
    ws.write("visite.wav", six_seconds());
    let out = ws
        .run(&[
            "media",
            "attach",
            "--project",
            "study.vbt",
            "--new",
            "visite",
            "visite.wav",
        ])
        .ok();
    assert!(
        out.stdout
            .contains("Created source visite (id 1), empty, to transcribe"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("0:06.000"), "{}", out.stdout);
    ws
}

fn post_turn(base: &str, token: &str, cookie: &str, body: &str) -> crate::browser::Reply {
    http(
        base,
        "POST",
        "/api/sources/1/turns",
        &[
            ("X-CSRF-Token", token),
            ("Cookie", cookie),
            ("Content-Type", "application/json"),
        ],
        body,
    )
}

#[test]
fn turns_are_saved_one_by_one_and_bad_ones_change_nothing() {
    let ws = study_awaiting_transcript();
    let shown = ws.show("visite");
    assert_eq!(shown["text"], "");
    assert_eq!(shown["turns"], serde_json::json!([]));
    // The same recording cannot make a second source; a taken name neither.
    let again = ws.run(&[
        "media",
        "attach",
        "--project",
        "study.vbt",
        "--new",
        "visite 2",
        "visite.wav",
    ]);
    assert_eq!(again.code, 1);
    assert!(
        again
            .stderr
            .contains("visite.wav is already the recording of source \"visite\""),
        "{}",
        again.stderr
    );

    let server = serve(&ws, "study.vbt", "tester");
    let base = server.base.as_str();
    let (token, cookie) = token_of(base);
    let saved = post_turn(
        base,
        &token,
        &cookie,
        r#"{"speaker":"INT","begin_ms":1500,"text":"Bonjour, on commence ?"}"#,
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let saved: serde_json::Value = serde_json::from_str(&saved.body).unwrap();
    assert_eq!(saved["time"], "0:01");
    assert_eq!(saved["ordinal"], 0);

    let before = ws.dump();
    // Before the previous turn (1,500 ms): refused, in one sentence.
    let early = post_turn(
        base,
        &token,
        &cookie,
        r#"{"speaker":"P1","begin_ms":1000,"text":"Trop tôt."}"#,
    );
    assert_eq!(early.status, 409);
    assert!(
        early.body.contains(
            "before the previous turn (1500 ms): turns are typed in the recording's order"
        ),
        "{}",
        early.body
    );
    // Past the recording's end (6,000 ms).
    let late = post_turn(
        base,
        &token,
        &cookie,
        r#"{"speaker":"P1","begin_ms":6001,"text":"Trop tard."}"#,
    );
    assert_eq!(late.status, 409);
    assert!(late.body.contains("after the recording's end (6000 ms)"));
    // Without the CSRF token.
    let forged = http(
        base,
        "POST",
        "/api/sources/1/turns",
        &[("Content-Type", "application/json")],
        r#"{"speaker":"P1","begin_ms":2000,"text":"Sans jeton."}"#,
    );
    assert_eq!(forged.status, 403);
    assert_eq!(ws.dump(), before);

    // The page lists the saved turn and says the keys.
    let page = http(base, "GET", "/sources/1/transcribe", &[], "");
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<li data-t="1500">"#), "{}", page.body);
    assert!(page.body.contains("Bonjour, on commence ?"));
    assert!(page.body.contains("<kbd>Ctrl</kbd>+<kbd>M</kbd>"));
    assert!(page.body.contains("/assets/js/transcribe.js"));
    // The reader links to it.
    let reader = http(base, "GET", "/sources/1", &[], "");
    assert!(reader.body.contains(r#"href="/sources/1/transcribe""#));
}

#[test]
fn a_source_without_a_recording_has_no_transcription_view() {
    let ws = Workspace::with_study();
    ws.run(&["coder", "add", "--project", "study.vbt", "tester"])
        .ok();
    ws.write("entretien.txt", "INT : Bonjour.\nP1 : Bonjour.\n");
    ws.import(&["entretien.txt"]).ok();
    let server = serve(&ws, "study.vbt", "tester");
    let page = http(&server.base, "GET", "/sources/1/transcribe", &[], "");
    assert_eq!(page.status, 404);
    assert!(
        page.body.contains("has no recording to transcribe"),
        "{}",
        page.body
    );
}

/// WebDriver key codes: Control, Shift, Enter, the arrows, and the null key
/// that releases the modifiers.
const CTRL: &str = "\u{E009}";
const SHIFT: &str = "\u{E008}";
const ENTER: &str = "\u{E007}";
const LEFT: &str = "\u{E012}";
const RIGHT: &str = "\u{E014}";
const RELEASE: &str = "\u{E000}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_turns_are_typed_with_the_keys_while_the_recording_plays() {
    use crate::browser::{browser, browser_programs, eval, shot, until};
    use fantoccini::Locator;

    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = study_awaiting_transcript();
    let server = serve(&ws, "study.vbt", "tester");
    let b = browser(&chromium, &chromedriver, 1200, 800).await;
    let c = &b.client;
    c.goto(&format!("{}/sources/1/transcribe", server.base))
        .await
        .unwrap();
    until(
        c,
        "the recording's metadata",
        "return document.getElementById('media').readyState >= 1;",
    )
    .await;
    let text = c.find(Locator::Id("text")).await.unwrap();
    text.click().await.unwrap();
    let keys = |k: String| {
        let text = text.clone();
        async move { text.send_keys(&k).await.unwrap() }
    };
    let value = |id: &str| format!("return document.getElementById('{id}').value;");

    // Ctrl+Space plays: the time moves; Ctrl+Space again pauses.
    keys(format!("{CTRL} {RELEASE}")).await;
    until(
        c,
        "the recording playing",
        "const m = document.getElementById('media'); return !m.paused && m.currentTime > 0.2;",
    )
    .await;
    keys(format!("{CTRL} {RELEASE}")).await;
    until(
        c,
        "the recording paused",
        "return document.getElementById('media').paused;",
    )
    .await;

    // At 1.25 s, Ctrl+M marks the start: 0:01.2, i.e. 1,200 ms.
    eval(
        c,
        "document.getElementById('media').currentTime = 1.25; return true;",
    )
    .await;
    keys(format!("{CTRL}m{RELEASE}")).await;
    assert_eq!(eval(c, &value("at")).await, "0:01.2");
    // The study has no labels yet: INT first, then P1.
    assert_eq!(eval(c, &value("speaker")).await, "INT");
    keys(format!("Bonjour, on commence ?{ENTER}")).await;
    until(
        c,
        "the first turn listed",
        "return document.querySelectorAll('#turns li').length === 1;",
    )
    .await;
    // Saved, the line is empty and the next speaker is P1.
    assert_eq!(eval(c, &value("text")).await, "");
    assert_eq!(eval(c, &value("speaker")).await, "P1");

    // Ctrl+Right: 1.25 + 3 = 4.25 s. Ctrl+Shift+1 then 2 pick INT, then P1.
    keys(format!("{CTRL}{RIGHT}{RELEASE}")).await;
    keys(format!("{CTRL}{SHIFT}1{RELEASE}")).await;
    assert_eq!(eval(c, &value("speaker")).await, "INT");
    keys(format!("{CTRL}{SHIFT}2{RELEASE}")).await;
    assert_eq!(eval(c, &value("speaker")).await, "P1");
    // Typing into the empty line marks the time by itself: 0:04.2.
    keys(format!("Oui, allons-y.{ENTER}")).await;
    until(
        c,
        "the second turn listed",
        "return document.querySelectorAll('#turns li').length === 2;",
    )
    .await;
    // Ctrl+Left: back 3 s to 1.25 s, in the first turn, which is marked.
    keys(format!("{CTRL}{LEFT}{RELEASE}")).await;
    until(
        c,
        "the first turn marked as heard",
        "const li = document.querySelector('#turns li.playing'); return !!li && li.dataset.t === '1200';",
    )
    .await;
    shot(c, "transcribe").await;

    // The study holds both turns with their times: the first ends where
    // the second begins. "INT : " is 6 chars and the first speech 22:
    // [6, 28); then "\n" and "P1 : " (5 chars): 28 + 1 + 5 = 34, and
    // "Oui, allons-y." is 14 chars: [34, 48).
    let shown = ws.show("visite");
    assert_eq!(
        shown["text"],
        "INT : Bonjour, on commence ?\nP1 : Oui, allons-y."
    );
    assert_eq!(
        shown["turns"],
        serde_json::json!([
            {"speaker": "INT", "start": 6, "end": 28, "begin_ms": 1200, "end_ms": 4200},
            {"speaker": "P1", "start": 34, "end": 48, "begin_ms": 4200, "end_ms": null},
        ])
    );
    // Each turn is one undoable action.
    ws.run(&["undo", "--project", "study.vbt"]).ok();
    assert_eq!(ws.show("visite")["text"], "INT : Bonjour, on commence ?");
}

/// Returns the study's CSV export of coded segments as rows of cells.
fn segments_csv(ws: &Workspace) -> Vec<Vec<String>> {
    ws.run(&[
        "export",
        "--project",
        "study.vbt",
        "--format",
        "csv",
        "--out",
        "segments.csv",
    ])
    .ok();
    let bytes = std::fs::read(ws.path("segments.csv")).unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn passages_in_a_timed_transcript_know_when_they_are_heard() {
    let ws = study_awaiting_transcript();
    {
        let server = serve(&ws, "study.vbt", "tester");
        let (token, cookie) = token_of(&server.base);
        for body in [
            r#"{"speaker":"INT","begin_ms":1500,"text":"Bonjour, on commence ?"}"#,
            r#"{"speaker":"P1","begin_ms":3000,"text":"Oui, la confiance revient."}"#,
            r#"{"speaker":"INT","begin_ms":4500,"text":"Merci."}"#,
        ] {
            let saved = post_turn(&server.base, &token, &cookie, body);
            assert_eq!(saved.status, 200, "{}", saved.body);
        }
    }
    // "INT : Bonjour, on commence ?" speaks in [6, 28), 1.5 s to 3 s;
    // "\nP1 : " brings it to 28 + 1 + 5 = 34, and the 26 chars of
    // "Oui, la confiance revient." run to 60, 3 s to 4.5 s; "\nINT : "
    // gives 60 + 1 + 6 = 67, "Merci." [67, 73), from 4.5 s, no end.
    let turns = ws.show("visite")["turns"].clone();
    assert_eq!(turns[1]["start"], 34);
    assert_eq!(turns[1]["end"], 60);
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--project", "study.vbt"]);
        ws.run(&all).ok()
    };
    run(&["participants", "add", "--code", "P1"]);
    run(&["code", "add", "Confiance", "--level", "theme"]);
    let add = |start: &str, end: &str| {
        run(&[
            "coding",
            "add",
            "--source",
            "visite",
            "--code",
            "Confiance",
            "--start",
            start,
            "--end",
            end,
        ]);
    };
    add("42", "59"); // "confiance revient", inside P1's turn
    add("17", "37"); // " commence ?\nP1 : Oui", across the first two turns
    add("67", "73"); // "Merci.", the last turn
    let listed = run(&["coding", "list", "--json"]).json();
    let times: Vec<(u64, serde_json::Value, serde_json::Value)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["start"].as_u64().unwrap(),
                c["begin_ms"].clone(),
                c["end_ms"].clone(),
            )
        })
        .collect();
    assert_eq!(
        times,
        vec![
            // From the first turn's start to the second's end.
            (17, 1500.into(), 4500.into()),
            (42, 3000.into(), 4500.into()),
            // The last turn has no end yet.
            (67, 4500.into(), serde_json::Value::Null),
        ]
    );
    let text = run(&["coding", "list"]).stdout;
    assert!(
        text.contains("0:01–0:04") && text.contains("0:03–0:04"),
        "{text}"
    );

    let rows = segments_csv(&ws);
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let (start, begin, end) = (col("start"), col("begin_ms"), col("end_ms"));
    let cells: Vec<(&str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[start].as_str(), r[begin].as_str(), r[end].as_str()))
        .collect();
    assert_eq!(
        cells,
        [
            ("17", "1500", "4500"),
            ("42", "3000", "4500"),
            ("67", "4500", "")
        ]
    );

    // P1's member-checking document cites when their words are heard.
    run(&[
        "report",
        "--format",
        "md",
        "--out",
        "member.md",
        "--participant",
        "P1",
    ]);
    let md = std::fs::read_to_string(ws.path("member.md")).unwrap();
    assert!(md.contains("confiance revient"), "{md}");
    assert!(md.contains("— P1, visite, 0:03–0:04"), "{md}");
}
