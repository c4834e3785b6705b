//! `verbatim media` and `GET /media/{source}`: a recording beside a
//! transcript. The recordings are WAV tones written here sample by sample,
//! so every size and duration is worked out by hand.

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::browser::serve;
use crate::common::Workspace;

/// 8,000 Hz mono 16-bit: 20,004 samples last 20,004 / 8,000 = 2.5005 s,
/// 2,500 ms rounded down.
const RATE: u32 = 8000;
const SAMPLES: u32 = 20_004;
/// The file: a 44-byte header, then 2 bytes per sample: 44 + 40,008.
const FILE_BYTES: u64 = 40_052;

/// Returns a mono 16-bit PCM WAV of a 440 Hz tone.
fn tone_wav() -> Vec<u8> {
    wav(RATE, SAMPLES)
}

/// Returns a mono 16-bit PCM WAV of `samples` samples of a 440 Hz tone at
/// `rate` Hz: a 44-byte header, then 2 bytes per sample.
pub(crate) fn wav(rate: u32, samples: u32) -> Vec<u8> {
    let data_len = samples * 2;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        let t = f64::from(i) / f64::from(rate);
        let v = (t * 440.0 * std::f64::consts::TAU).sin() * 8000.0;
        out.extend_from_slice(&(v as i16).to_le_bytes());
    }
    out
}

/// A timed interview: turns at 0 s, 1 s and 2 s of the recording.
const TIMED: &str = "[00:00:00] INT : Bonjour, comment allez-vous ?\n\
[00:00:01] CSI-2 : Bien, merci. La confiance revient lentement.\n\
[00:00:02] INT : Merci pour cet entretien.\n";

fn study_with_interview() -> Workspace {
    let ws = Workspace::with_study();
    ws.write("entretien.txt", TIMED);
    ws.import(&["entretien.txt"]).ok();
    ws.run(&["coder", "add", "--project", "study.vbt", "tester"])
        .ok();
    ws
}

fn list(ws: &Workspace) -> Vec<serde_json::Value> {
    ws.run(&["media", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn attach_reads_the_duration_and_detach_is_undone() {
    let ws = study_with_interview();
    let wav = tone_wav();
    assert_eq!(wav.len() as u64, FILE_BYTES);
    ws.write("enregistrement.wav", &wav);
    let out = ws
        .run(&[
            "media",
            "attach",
            "--project",
            "study.vbt",
            "entretien",
            "enregistrement.wav",
        ])
        .ok();
    assert!(out.stdout.contains("0:02.500"), "{}", out.stdout);
    let listed = list(&ws);
    assert_eq!(listed.len(), 1);
    let rec = &listed[0];
    assert_eq!(rec["source"], "entretien");
    assert_eq!(rec["duration_ms"], 2500);
    assert_eq!(rec["bytes"], FILE_BYTES);
    assert_eq!(rec["kind"], "audio");
    assert_eq!(rec["container"], "wav");
    let kept = ws
        .path("study.vbt.media")
        .join(format!("{}.wav", rec["sha256"].as_str().unwrap()));
    assert_eq!(std::fs::read(&kept).unwrap(), wav);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    let out = ws
        .run(&["media", "detach", "--project", "study.vbt", "entretien"])
        .ok();
    assert!(out.stdout.contains("the file stays"), "{}", out.stdout);
    assert!(list(&ws).is_empty());
    assert!(kept.exists());
    ws.run(&["undo", "--project", "study.vbt"]).ok();
    assert_eq!(list(&ws), listed);
}

#[test]
fn a_file_that_is_not_a_recording_is_refused_whatever_its_name() {
    let ws = study_with_interview();
    ws.write(
        "faux.mp3",
        "INT : ceci est un texte, pas un enregistrement.\n",
    );
    let before = ws.dump();
    let out = ws.run(&[
        "media",
        "attach",
        "--project",
        "study.vbt",
        "entretien",
        "faux.mp3",
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("faux.mp3 is not a recording verbatim can keep"),
        "{}",
        out.stderr
    );
    assert_eq!(ws.dump(), before);
    let out = ws.run(&["media", "detach", "--project", "study.vbt", "entretien"]);
    assert!(
        out.stderr.contains("has no recording to detach"),
        "{}",
        out.stderr
    );
}

#[test]
fn import_attaches_the_recording_beside_the_transcript() {
    let ws = Workspace::with_study();
    ws.write("lot/entretien.txt", TIMED);
    ws.write("lot/entretien.wav", tone_wav());
    let out = ws.import(&["lot"]).ok();
    assert!(out.stdout.contains("with its recording"), "{}", out.stdout);
    assert!(out.stdout.contains("0 not supported"), "{}", out.stdout);
    let listed = list(&ws);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["source"], "entretien");
    assert_eq!(listed[0]["original_name"], "entretien.wav");
}

/// A raw GET returning the status, the headers (lower-case names) and the
/// body's bytes.
pub(crate) fn get(
    base: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {host}\r\n"));
    }
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, raw[split + 4..].to_vec())
}

pub(crate) fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn the_recording_is_served_in_byte_ranges_and_the_reader_plays_it() {
    let ws = study_with_interview();
    let wav = tone_wav();
    ws.write("enregistrement.wav", &wav);
    ws.run(&[
        "media",
        "attach",
        "--project",
        "study.vbt",
        "entretien",
        "enregistrement.wav",
    ])
    .ok();
    let server = serve(&ws, "study.vbt", "tester");
    let base = server.base.as_str();

    // The first 12 bytes: "RIFF", the size, "WAVE".
    let (status, headers, body) = get(base, "/media/1", &[("Range", "bytes=0-11")]);
    assert_eq!(status, 206);
    assert_eq!(&body[..], &wav[..12]);
    assert_eq!(header(&headers, "content-range"), Some("bytes 0-11/40052"));
    assert_eq!(header(&headers, "accept-ranges"), Some("bytes"));
    assert_eq!(header(&headers, "content-type"), Some("audio/wav"));
    // A middle range: bytes 20,000 to 20,999 are 1,000 bytes.
    let (status, headers, body) = get(base, "/media/1", &[("Range", "bytes=20000-20999")]);
    assert_eq!(status, 206);
    assert_eq!(body.len(), 1000);
    assert_eq!(&body[..], &wav[20_000..21_000]);
    assert_eq!(header(&headers, "content-length"), Some("1000"));
    // A suffix: the last 100 bytes start at 40,052 - 100 = 39,952.
    let (status, headers, body) = get(base, "/media/1", &[("Range", "bytes=-100")]);
    assert_eq!(status, 206);
    assert_eq!(&body[..], &wav[39_952..]);
    assert_eq!(
        header(&headers, "content-range"),
        Some("bytes 39952-40051/40052")
    );
    // Past the end: 416, and the size.
    let (status, headers, _) = get(base, "/media/1", &[("Range", "bytes=40052-")]);
    assert_eq!(status, 416);
    assert_eq!(header(&headers, "content-range"), Some("bytes */40052"));
    // No range: the whole file. By name as well as by id.
    let (status, _, body) = get(base, "/media/entretien", &[]);
    assert_eq!(status, 200);
    assert_eq!(body, wav);
    // Another host name is refused, as for every page.
    let (status, _, _) = get(base, "/media/1", &[("Host", "evil.example:80")]);
    assert_eq!(status, 403);

    // The reader shows the player, the turn times and loads player.js; the
    // policy lets media come from the server only.
    let (status, headers, page) = get(base, "/sources/1", &[]);
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains(r#"<audio id="media" controls preload="metadata" src="/media/1">"#));
    assert!(
        page.contains(r#"data-t="1000""#),
        "the second turn starts at 1 s"
    );
    assert!(page.contains("/assets/js/player.js"));
    assert!(
        header(&headers, "content-security-policy")
            .unwrap()
            .contains("media-src 'self'")
    );
}

#[test]
fn a_source_without_a_recording_has_no_player_and_no_media() {
    let ws = study_with_interview();
    let server = serve(&ws, "study.vbt", "tester");
    let (status, _, body) = get(&server.base, "/media/1", &[]);
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("has no recording"));
    let (_, _, page) = get(&server.base, "/sources/1", &[]);
    let page = String::from_utf8(page).unwrap();
    assert!(!page.contains("player.js"));
    assert!(!page.contains("<audio"));
}

/// A script true when the turn marked as being heard starts at `ms`.
fn marked(ms: u32) -> String {
    format!(
        "const s = document.querySelector('section.turn.playing'); \
         return (s ? s.dataset.t : null) === '{ms}';"
    )
}

/// A script pressing `key` on the page.
fn press(key: &str) -> String {
    format!("document.dispatchEvent(new KeyboardEvent('keydown', {{key: '{key}'}})); return true;")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_plays_from_a_turn_and_marks_the_turn_heard() {
    use crate::browser::{browser, browser_programs, eval, shot, until};
    use fantoccini::Locator;

    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = study_with_interview();
    ws.write("enregistrement.wav", tone_wav());
    ws.run(&[
        "media",
        "attach",
        "--project",
        "study.vbt",
        "entretien",
        "enregistrement.wav",
    ])
    .ok();
    let server = serve(&ws, "study.vbt", "tester");
    let b = browser(&chromium, &chromedriver, 1200, 800).await;
    let c = &b.client;
    c.goto(&format!("{}/sources/1", server.base)).await.unwrap();
    until(
        c,
        "the recording's metadata",
        "return document.getElementById('media').readyState >= 1;",
    )
    .await;
    // The browser read the duration through range requests: 2.5005 s.
    let duration = eval(c, "return document.getElementById('media').duration;").await;
    assert!(
        (duration.as_f64().unwrap() - 2.5005).abs() < 0.01,
        "{duration}"
    );

    // A click on the second turn's time (1 s) plays from there.
    c.find(Locator::Css("section.turn[data-t='1000'] .time"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(c, "the second turn marked", &marked(1000)).await;
    shot(c, "reader-player").await;
    // `l`: forward 5 s from about 1 s, cut to the end (2.5 s): the third
    // turn (2 s) is heard.
    eval(c, "document.getElementById('media').pause(); return true;").await;
    eval(c, &press("l")).await;
    until(c, "the third turn marked", &marked(2000)).await;
    // `j`: back 5 s, cut to 0: the first turn.
    eval(c, &press("j")).await;
    until(c, "the first turn marked", &marked(0)).await;
    assert_eq!(
        eval(
            c,
            "return document.querySelectorAll('section.turn.playing').length;"
        )
        .await,
        serde_json::json!(1)
    );
}

/// The median of a list of timings.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The media benchmark (`bench/media.sh`): a one-hour WAV (8,000 Hz mono
/// 16-bit: 3,600 × 16,000 = 57,600,000 bytes of samples after a 44-byte
/// header) beside a transcript of 1,000 turns, one every 3.6 s. Times, in
/// headless Chromium, the reader painted (7 loads), a seek of the player
/// to the 59th minute until `seeked` (7 seeks), and a plain 64 KiB range
/// request at the 59th minute. `VERBATIM_BENCH_BIN` names the `verbatim`
/// that serves (the release build); prints one line per figure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with bench/media.sh"]
async fn media_performance() {
    use crate::browser::{browser, browser_programs, eval, serve_bin, until};

    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = Workspace::with_study();
    let mut transcript = String::new();
    for i in 0..1000u32 {
        let s = i * 36 / 10;
        let who = if i % 2 == 0 { "INT" } else { "CSI-2" };
        transcript.push_str(&format!(
            "[{:02}:{:02}:{:02}] {who} : Tour {i}, on parle de la confiance et du quotidien.\n",
            s / 3600,
            s / 60 % 60,
            s % 60
        ));
    }
    ws.write("heure.txt", transcript);
    ws.write("heure.wav", wav(8000, 8000 * 3600));
    ws.import(&["heure.txt"]).ok();
    ws.run(&["coder", "add", "--project", "study.vbt", "tester"])
        .ok();
    let bin = std::env::var("VERBATIM_BENCH_BIN").map_or_else(
        |_| env!("CARGO_BIN_EXE_verbatim").into(),
        std::path::PathBuf::from,
    );
    let server = serve_bin(&bin, &ws, &["--project", "study.vbt", "--coder", "tester"]);
    let base = server.base.as_str();

    // A range at the 59th minute: byte 44 + 3,540 s × 16,000 B/s.
    let at = 44 + 3540 * 16_000;
    let range = format!("bytes={at}-{}", at + 65_535);
    let mut http_ms = Vec::new();
    for _ in 0..7 {
        let t = std::time::Instant::now();
        let (status, _, body) = get(base, "/media/1", &[("Range", &range)]);
        http_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!((status, body.len()), (206, 65_536));
    }

    let b = browser(&chromium, &chromedriver, 1400, 900).await;
    let c = &b.client;
    let (mut painted, mut seeks) = (Vec::new(), Vec::new());
    for k in 0..7 {
        c.goto(&format!("{base}/sources/1")).await.unwrap();
        until(
            c,
            "the reader",
            "return document.getElementById('reader')?.dataset.ready === 'true' \
             && document.getElementById('media').readyState >= 1;",
        )
        .await;
        let t = eval(
            c,
            "return [performance.getEntriesByName('highlights-painted')[0].startTime, \
                     document.querySelectorAll('section.turn[data-t]').length];",
        )
        .await;
        assert_eq!(t[1], serde_json::json!(1000));
        painted.push(t[0].as_f64().unwrap());
        let seek = c
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 const m = document.getElementById('media'); \
                 const t0 = performance.now(); \
                 m.addEventListener('seeked', () => done(performance.now() - t0), { once: true }); \
                 m.currentTime = arguments[0];",
                vec![serde_json::json!(3540 + k)],
            )
            .await
            .unwrap();
        seeks.push(seek.as_f64().unwrap());
    }
    println!(
        "media_performance: reader painted (1,000 turns, one-hour recording) {:.0} ms median of 7 {painted:.0?}",
        median(painted.clone())
    );
    println!(
        "media_performance: player seek to the 59th minute, until seeked {:.1} ms median of 7 {seeks:.1?}",
        median(seeks.clone())
    );
    println!(
        "media_performance: 64 KiB range request at the 59th minute {:.2} ms median of 7 {http_ms:.2?}",
        median(http_ms.clone())
    );
}
