//! `verbatim media attach|list|detach` on `--project postgres://…` answer
//! as on a file: the same session gives the same `--json` and log on both;
//! the recording's bytes live in the database, and `verbatim copy` carries
//! them to a file's media folder and back. Needs `VERBATIM_TEST_PG` (see
//! `verbatim_store_pg::test_server`).

use serde_json::Value;
use verbatim_store_pg::test_server;

use crate::common::{Run, Workspace, interview_lines};
use crate::media::wav;
use crate::refi::entry;

/// Blanks what differs by design between two studies: audit entry ids
/// (an undo's target included) and times.
fn blank(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if matches!(key.as_str(), "id" | "entry" | "at" | "attached_at")
                    && inner.is_string()
                {
                    *inner = Value::Null;
                } else if key == "target" && inner.as_str().is_some_and(|t| t.starts_with("audit:"))
                {
                    *inner = Value::from("audit:…");
                } else {
                    blank(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(blank),
        _ => {}
    }
}

fn run(ws: &Workspace, project: &str, args: &[&str]) -> Run {
    let mut full: Vec<&str> = args.to_vec();
    full.extend(["--project", project]);
    ws.run_env(&full, &[("VERBATIM_CODER", "amira")])
}

/// Attaches, lists, detaches and undoes on `project`; returns every
/// answer (blanked), in order.
fn media_session(ws: &Workspace, project: &str) -> Vec<Value> {
    let run = |args: &[&str]| run(ws, project, args);
    run(&["init", "--title", "Étude"]).ok();
    run(&["import", "entretien.txt"]).ok();
    let mut seen = Vec::new();
    let mut keep = |mut value: Value| {
        blank(&mut value);
        seen.push(value);
    };
    let attached = run(&["media", "attach", "entretien", "enregistrement.wav"]).ok();
    keep(Value::from(attached.stdout));
    let again = run(&["media", "attach", "entretien", "enregistrement.wav"]);
    assert_eq!(again.code, 1);
    keep(Value::from(again.stderr));
    keep(run(&["media", "list", "--json"]).ok().json());
    run(&["media", "detach", "entretien"]).ok();
    keep(run(&["media", "list", "--json"]).ok().json());
    keep(run(&["undo", "--coder", "amira", "--json"]).ok().json());
    keep(run(&["media", "list", "--json"]).ok().json());
    let mut log = run(&["log", "--json", "--limit", "10"]).ok().json();
    for entry in log.as_array_mut().into_iter().flatten() {
        entry.as_object_mut().map(|e| e.remove("data"));
    }
    keep(log);
    seen
}

#[test]
fn media_answers_alike_on_a_file_and_on_postgres() {
    let Some(study) = test_server::study("cli_media_session") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    // 20,004 samples at 8,000 Hz: 2,500 ms; 44 + 2 × 20,004 = 40,052 bytes.
    ws.write("enregistrement.wav", wav(8000, 20_004));
    let address = study.address.to_string();
    let on_file = media_session(&ws, "study.vbt");
    let on_pg = media_session(&ws, &address);
    assert_eq!(on_file, on_pg);
    assert_eq!(
        on_pg[0].as_str().unwrap().trim_end(),
        "Attached enregistrement.wav to source entretien (wav audio, 0:02.500)."
    );
    assert!(
        on_pg[1]
            .as_str()
            .unwrap()
            .contains("already has a recording (enregistrement.wav)"),
        "{}",
        on_pg[1]
    );
    let listed = &on_pg[2][0];
    assert_eq!(listed["bytes"], 40_052);
    assert_eq!(listed["duration_ms"], 2500);
    assert_eq!(listed["mime"], "audio/wav");
    assert_eq!(on_pg[3], serde_json::json!([]));
    assert_eq!(on_pg[5], on_pg[2]);
    let actions: Vec<&str> = on_pg[6]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    let at = |a: &str| actions.iter().position(|x| *x == a).unwrap();
    assert!(at("media.detach") < at("media.attach"), "{actions:?}");
    assert!(at("media.attach") < at("source.import"), "{actions:?}");
    // The bytes are the study's: a copy to a file puts them in its media
    // folder, and back to a new PostgreSQL schema into its database.
    let cache = ws.path("cache");
    ws.run_env(
        &["copy", &address, "copie.vbt"],
        &[("XDG_CACHE_HOME", cache.to_str().unwrap())],
    )
    .ok();
    let mut copied = run(&ws, "copie.vbt", &["media", "list", "--json"])
        .ok()
        .json();
    blank(&mut copied);
    assert_eq!(copied, on_pg[5]);
    let sha = listed["sha256"].as_str().unwrap();
    let kept = ws.path(&format!("copie.vbt.media/{sha}.wav"));
    let original = std::fs::read(ws.path("enregistrement.wav")).unwrap();
    assert_eq!(std::fs::read(&kept).unwrap(), original);
    let Some(again) = test_server::study("cli_media_session_back") else {
        return;
    };
    let back = again.address.to_string();
    ws.run(&["copy", "copie.vbt", &back]).ok();
    let mut there = run(&ws, &back, &["media", "list", "--json"]).ok().json();
    blank(&mut there);
    assert_eq!(there, on_pg[5]);
}

#[test]
fn import_attaches_the_recording_beside_a_transcript_on_postgres_too() {
    let Some(study) = test_server::study("cli_media_beside") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    // 8,000 samples at 8,000 Hz: 1,000 ms; 44 + 16,000 = 16,044 bytes.
    ws.write("entretien.wav", wav(8000, 8000));
    let address = study.address.to_string();
    let listed = |project: &str| {
        run(&ws, project, &["init", "--title", "Étude"]).ok();
        run(&ws, project, &["import", "entretien.txt"]).ok();
        let mut v = run(&ws, project, &["media", "list", "--json"]).ok().json();
        blank(&mut v);
        v
    };
    let on_pg = listed(&address);
    assert_eq!(on_pg, listed("study.vbt"));
    assert_eq!(on_pg[0]["bytes"], 16_044);
    assert_eq!(on_pg[0]["duration_ms"], 1000);
    assert_eq!(on_pg[0]["original_name"], "entretien.wav");
    // A REFI-QDA project exported from the server study holds the
    // recording, byte for byte, as the file's does.
    run(&ws, &address, &["coder", "add", "amira"]).ok();
    let cache = ws.path("cache");
    let out = ws
        .run_env(
            &[
                "export",
                "--format",
                "qdpx",
                "--out",
                "pg.qdpx",
                "--project",
                &address,
            ],
            &[
                ("VERBATIM_CODER", "amira"),
                ("XDG_CACHE_HOME", cache.to_str().unwrap()),
            ],
        )
        .ok();
    assert!(
        out.stdout.contains("1 sources, 1 recordings"),
        "{}",
        out.stdout
    );
    let qde = String::from_utf8(entry(&ws.path("pg.qdpx"), "project.qde")).unwrap();
    let at = qde.find("<AudioSource ").unwrap();
    let path = &qde[at..];
    let path = &path[path.find("path=\"internal://").unwrap() + 17..];
    let name = &path[..path.find('"').unwrap()];
    let original = std::fs::read(ws.path("entretien.wav")).unwrap();
    assert_eq!(
        entry(&ws.path("pg.qdpx"), &format!("sources/{name}")),
        original
    );
}

#[test]
fn two_servers_on_one_postgres_study_serve_its_recording_in_byte_ranges() {
    use crate::browser::serve_with_env;
    use crate::media::{get, header};
    let Some(study) = test_server::study("cli_media_serve") else {
        return;
    };
    let ws = Workspace::empty();
    ws.write("entretien.txt", interview_lines());
    // 20,004 samples: 44 + 40,008 = 40,052 bytes.
    let recording = wav(8000, 20_004);
    ws.write("enregistrement.wav", &recording);
    let address = study.address.to_string();
    for args in [
        vec!["init", "--title", "Étude"],
        vec!["import", "entretien.txt"],
        vec!["coder", "add", "amira"],
        vec!["media", "attach", "entretien", "enregistrement.wav"],
    ] {
        run(&ws, &address, &args).ok();
    }
    // Each server process has its own cache: each writes its own copy
    // from the database and serves the same bytes.
    let servers: Vec<_> = ["one", "two"]
        .iter()
        .map(|name| {
            let cache = ws.path(&format!("cache-{name}"));
            serve_with_env(
                &ws,
                &["--project", &address, "--coder", "amira"],
                &[("XDG_CACHE_HOME", cache.to_str().unwrap())],
            )
        })
        .collect();
    for server in &servers {
        let base = server.base.as_str();
        // Bytes 20,000 to 20,999: 1,000 bytes.
        let (status, headers, body) = get(base, "/media/1", &[("Range", "bytes=20000-20999")]);
        assert_eq!(status, 206);
        assert_eq!(&body[..], &recording[20_000..21_000]);
        assert_eq!(
            header(&headers, "content-range"),
            Some("bytes 20000-20999/40052")
        );
        let (status, _, body) = get(base, "/media/entretien", &[]);
        assert_eq!(status, 200);
        assert_eq!(body, recording);
        let (_, _, page) = get(base, "/sources/1", &[("Cookie", "vb_coder=amira")]);
        let page = String::from_utf8(page).unwrap();
        assert!(
            page.contains(r#"<audio id="media" controls preload="metadata" src="/media/1">"#),
            "{page}"
        );
    }
    for name in ["one", "two"] {
        let kept = ws.path(&format!("cache-{name}/verbatim/media"));
        assert_eq!(std::fs::read_dir(kept).unwrap().count(), 1);
    }
}
