//! The pages a researcher reads on a PostgreSQL study, in headless
//! Chromium (issue 17): the demo study built in a file, a recording
//! attached to one of its timed interviews, copied to PostgreSQL with
//! `verbatim copy`, and served from there. On the reports page she picks a
//! codebook and a language, shows the report and reads a heading, a quote
//! and a participant count worked out by hand; she downloads a
//! participant's member-checking document and opens it; in the reader the
//! recording loads from the server and a click on a turn's time seeks it.
//! Needs `VERBATIM_TEST_PG` and `chromium`/`chromedriver`: without them the
//! tests skip with a notice, and fail when `VERBATIM_REQUIRE_PG=1` or
//! `VERBATIM_REQUIRE_BROWSER=1`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use verbatim_store_pg::test_server;

use crate::browser::{
    Server, browser_programs, browser_runtime, browser_saving, click, eval, serve_with_env, until,
};
use crate::common::Workspace;
use crate::media::{get, header, wav};

/// The demo's source 9: "Interview CAI-1, outreach worker, Harbour Lane
/// drop-in", imported from WebVTT, its turns timed by the cues.
const CAI_1: &str = "9";

/// The recording attached to it: 8,000 Hz mono 16-bit, 240,000 samples,
/// so 240,000 / 8,000 = 30 s; a 44-byte header and 2 bytes per sample,
/// 44 + 480,000 = 480,044 bytes.
const RATE: u32 = 8000;
const SAMPLES: u32 = 240_000;

/// Builds the demo study (revealed, with its consensus) in a file,
/// attaches the recording to CAI-1's interview, and copies the study to
/// `pg`; returns the recording's bytes.
fn demo_on_postgres(ws: &Workspace, pg: &str) -> Vec<u8> {
    ws.run(&["demo", "--project", "demo.vbt"]).ok();
    let recording = wav(RATE, SAMPLES);
    assert_eq!(recording.len(), 480_044);
    ws.write("cai-1.wav", &recording);
    ws.run(&[
        "media",
        "attach",
        "--project",
        "demo.vbt",
        CAI_1,
        "cai-1.wav",
    ])
    .ok();
    ws.run(&["copy", "demo.vbt", pg]).ok();
    recording
}

/// Serves `pg` as amira, with the search index and the recordings'
/// copies in the workspace's own cache folder.
fn serve_pg(ws: &Workspace, pg: &str) -> Server {
    let cache = ws.path("cache");
    serve_with_env(
        ws,
        &["--project", pg, "--coder", "amira"],
        &[("XDG_CACHE_HOME", cache.to_str().unwrap())],
    )
}

/// Returns the text of every element `css` selects on the current page
/// (or frame).
async fn texts(c: &Client, css: &str) -> Vec<String> {
    let found = c
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent.trim());",
            vec![json!(css)],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// Waits until `dir` holds one finished download and nothing being
/// written, and returns its path.
async fn downloaded(dir: &Path) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        // Chromium writes a hidden temporary file, then a `.crdownload`,
        // then renames it.
        let partial = files.iter().any(|f| {
            f.extension().is_some_and(|e| e == "crdownload")
                || f.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
        });
        if let [file] = files.as_slice()
            && !partial
        {
            return file.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no finished download in {}: {files:?}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The reports page: bruno's codebook in French, shown in the preview;
/// then CAI-1's member-checking document, downloaded and opened.
#[test]
fn the_report_page_on_postgres_shows_the_chosen_report_and_a_member_document() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let Some(study) = test_server::study("cli_browser_report") else {
        return;
    };
    let pg = study.address.to_string();
    let ws = Workspace::empty();
    demo_on_postgres(&ws, &pg);
    let server = serve_pg(&ws, &pg);
    let downloads = ws.path("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let runtime = browser_runtime();
    runtime.block_on(async {
        let b = browser_saving(&chromium, &chromedriver, 1400, 900, Some(&downloads)).await;
        let c = &b.client;
        c.goto(&format!("{}/reports", server.base)).await.unwrap();
        // She picks bruno's codebook and French, and asks to see it.
        let layer = c.find(Locator::Id("report-layer")).await.unwrap();
        layer.select_by_value("coder:bruno").await.unwrap();
        let lang = c.find(Locator::Id("report-lang")).await.unwrap();
        lang.select_by_label("French").await.unwrap();
        click(c, "#report-choice button[type=submit]").await;
        until(
            c,
            "the page for bruno's codebook in French",
            "const f = document.getElementById('report-preview'); \
             return !!f && f.getAttribute('src').includes('layer=coder%3Abruno') \
               && f.getAttribute('src').includes('lang=fr');",
        )
        .await;
        let frame = c.find(Locator::Id("report-preview")).await.unwrap();
        frame.enter_frame().await.unwrap();
        until(
            c,
            "the report in the preview",
            "return document.querySelector('p.subtitle') !== null;",
        )
        .await;
        assert_eq!(
            texts(c, "h1.title").await,
            ["Demo: Relation soignant–usager en addictologie"]
        );
        assert_eq!(texts(c, "p.subtitle").await, ["Grille de codage de bruno"]);
        // bruno's theme "Stigmate de courtoisie" (its idea "Soignants
        // stigmatisés") holds five codings in demo/coding.json, said by
        // CSFG-D (CS focus group), CSI-3, CSI-1, and twice by CHFG-A (CH
        // focus group): 4 participants. Heard: the roster's 25 but CHC-1,
        // met only in a context interview: 24 (CH 7: CHI-1, CHI-2,
        // CHFG-A…E; CS 9; CA 8). 4/24 = 16.7 % → 17 %; by site CH 1/7,
        // CS 3/9, CA 0/8.
        let figures = c
            .execute(
                "const h = [...document.querySelectorAll('h4')].find((e) => e.textContent === 'Stigmate de courtoisie'); \
                 return h ? [...h.nextElementSibling.querySelectorAll('span.n')].map((s) => s.textContent) : null;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(figures, json!(["4/24", "17 %", "1/7", "3/9", "0/8"]));
        // Its quote, CHFG-A's words in the CH focus group transcript.
        let quotes = texts(c, "blockquote").await;
        assert!(
            quotes.iter().any(|q| q.starts_with(
                "Le service d’addicto, c’est le service où on n’a pas envie d’aller."
            ) && q.contains("— CHFG-A, Focus group n° 1")),
            "{quotes:?}"
        );
        c.enter_parent_frame().await.unwrap();

        // CAI-1's member-checking document, as HTML: chosen, downloaded.
        let who = c.find(Locator::Id("member-participant")).await.unwrap();
        who.select_by_label("CAI-1").await.unwrap();
        let format = c.find(Locator::Id("member-format")).await.unwrap();
        format.select_by_value("html").await.unwrap();
        click(c, "#member-form button[type=submit]").await;
        let file = downloaded(&downloads).await;
        assert_eq!(
            file.file_name().and_then(|n| n.to_str()),
            Some("demo-relation-soignant-usager-en-addictologie-member-check-cai-1.html")
        );
        // She opens it: her words under bruno's themes, in French, and
        // nobody else's.
        c.goto(&format!("file://{}", file.display())).await.unwrap();
        let title = texts(c, "h1").await;
        assert_eq!(title, ["Résultats préliminaires : vos propos — CAI-1"]);
        let said = texts(c, "blockquote").await;
        // bruno made 7 codings in CAI-1's interview (demo/coding.json)
        // under 5 themes: one each under Contrôle excessif, Gouverner par
        // les moyens et les chiffres, Réduction des risques contre
        // abstinence and Frontières professionnelles; three under
        // Disqualification des usagers, two of which overlap ("…the police
        // hanging around outside. It all tells people they're rubbish."
        // and "It all tells people they're rubbish. And then…") and read
        // as one passage: 4 + 2 = 6 passages.
        assert_eq!(said.len(), 6, "{said:?}");
        assert!(said.iter().all(|q| q.contains("— CAI-1, Interview CAI-1")));
        assert!(said.iter().any(|q| q.starts_with("I got tired of kicking people out.")));
        assert!(said.iter().any(|q| q.contains("You won't find it in any report.")));
        let page = eval(c, "return document.body.innerText;").await;
        let page = page.as_str().unwrap();
        for other in ["CHFG-A", "CAI-2", "CAFG-D", "CSI-1", "Le service d’addicto"] {
            assert!(!page.contains(other), "{other} in CAI-1's document");
        }
        b.client.clone().close().await.unwrap();
    });
}

/// The reader of CAI-1's interview on PostgreSQL: the recording, kept in
/// the database, loads in the player through range requests, and a click
/// on a turn's time seeks it there.
#[test]
fn a_recording_in_postgres_plays_in_the_reader_and_a_turn_seeks_it() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let Some(study) = test_server::study("cli_browser_media") else {
        return;
    };
    let pg = study.address.to_string();
    let ws = Workspace::empty();
    let recording = demo_on_postgres(&ws, &pg);
    let server = serve_pg(&ws, &pg);
    // A range request is answered in part, with the file's own bytes.
    let (status, headers, body) = get(
        &server.base,
        &format!("/media/{CAI_1}"),
        &[("Range", "bytes=100-199")],
    );
    assert_eq!(status, 206);
    assert_eq!(
        header(&headers, "content-range"),
        Some("bytes 100-199/480044")
    );
    assert_eq!(body, &recording[100..200]);
    let runtime = browser_runtime();
    runtime.block_on(async {
        let b = browser_saving(&chromium, &chromedriver, 1200, 800, None).await;
        let c = &b.client;
        c.goto(&format!("{}/sources/{CAI_1}", server.base))
            .await
            .unwrap();
        until(
            c,
            "the recording's metadata",
            "const m = document.getElementById('media'); return !!m && m.readyState >= 1;",
        )
        .await;
        let player = eval(
            c,
            "const m = document.getElementById('media'); \
             return [m.tagName, new URL(m.currentSrc).pathname, m.duration];",
        )
        .await;
        // 240,000 samples at 8,000 Hz: 30 s, read by the browser from the
        // server's answers.
        assert_eq!(player[0], "AUDIO");
        assert_eq!(player[1], format!("/media/{CAI_1}"));
        let duration = player[2].as_f64().unwrap();
        assert!((duration - 30.0).abs() < 0.01, "{duration}");

        // The first cue of CAI-1's own turn starts at 00:00:11.581 in the
        // WebVTT file: a click on that turn's time plays from 11.581 s.
        c.find(Locator::Css("section.turn[data-t='11581'] .time"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        until(
            c,
            "the turn at 11.581 s heard",
            "const s = document.querySelector('section.turn.playing'); \
             return !!s && s.dataset.t === '11581';",
        )
        .await;
        let at = eval(
            c,
            "const m = document.getElementById('media'); m.pause(); return m.currentTime;",
        )
        .await;
        let at = at.as_f64().unwrap();
        // From 11.581 s, before the next turn (41.994 s) and the end (30 s).
        assert!((11.58..30.0).contains(&at), "{at}");
        let heard: Value = eval(
            c,
            "return document.querySelectorAll('section.turn.playing').length;",
        )
        .await;
        assert_eq!(heard, json!(1));
        b.client.clone().close().await.unwrap();
    });
}
