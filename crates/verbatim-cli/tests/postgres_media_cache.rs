//! The copies a server keeps of a PostgreSQL study's recordings, to play
//! them with range requests, are cleaned as they are served (issue 17): a
//! recording replaced, a recording detached, a study dropped and made
//! again at the same address leave no copy behind, and the current one is
//! what plays. Needs `VERBATIM_TEST_PG` (see
//! `verbatim_store_pg::test_server`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use verbatim_store_pg::test_server;

use crate::browser::{Server, serve_with_env};
use crate::common::{Run, Workspace, interview_lines};
use crate::media::{get, wav};

/// Runs `args` on `project` as amira, checked to succeed.
fn run(ws: &Workspace, project: &str, args: &[&str]) -> Run {
    let mut full: Vec<&str> = args.to_vec();
    full.extend(["--project", project]);
    ws.run_env(&full, &[("VERBATIM_CODER", "amira")]).ok()
}

/// Writes a recording of `samples` samples (8,000 Hz) as `name`; returns
/// its bytes.
fn recording(ws: &Workspace, name: &str, samples: u32) -> Vec<u8> {
    let bytes = wav(8000, samples);
    ws.write(name, &bytes);
    bytes
}

/// Returns the name a copy of `bytes` has: its SHA-256, `.wav`.
fn copy_name(bytes: &[u8]) -> String {
    format!("{:x}.wav", Sha256::digest(bytes))
}

/// Returns the names of the files in the one study folder of the server's
/// recording cache.
fn copies(cache: &Path) -> BTreeSet<String> {
    let root = cache.join("verbatim").join("media");
    let folders: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 1, "one folder per study: {folders:?}");
    std::fs::read_dir(&folders[0])
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Plays source `id` from the server and checks it is `bytes`.
fn plays(server: &Server, id: i64, bytes: &[u8]) {
    let (status, _, body) = get(&server.base, &format!("/media/{id}"), &[]);
    assert_eq!(status, 200, "/media/{id}");
    assert!(body == bytes, "/media/{id} is not the current recording");
}

fn names(list: &[&[u8]]) -> BTreeSet<String> {
    list.iter().map(|b| copy_name(b)).collect()
}

#[test]
fn copies_of_recordings_no_longer_in_the_study_are_removed_as_recordings_play() {
    let Some(study) = test_server::study("cli_media_cache") else {
        return;
    };
    let pg = study.address.to_string();
    let ws = Workspace::empty();
    let cache = ws.path("cache");
    let env = [("XDG_CACHE_HOME", cache.to_str().unwrap())];
    ws.write("entretien.txt", interview_lines());
    ws.write("suivi.txt", interview_lines().replace("INT", "ENQ"));
    run(&ws, &pg, &["init", "--title", "Enregistrements"]);
    run(&ws, &pg, &["import", "entretien.txt", "suivi.txt"]);
    // Four recordings that differ in length, so in bytes and SHA-256.
    let first = recording(&ws, "a.wav", 16_000);
    let other = recording(&ws, "c.wav", 8_000);
    let replacement = recording(&ws, "b.wav", 24_000);
    run(&ws, &pg, &["media", "attach", "entretien", "a.wav"]);
    run(&ws, &pg, &["media", "attach", "suivi", "c.wav"]);
    let (entretien, suivi) = (1, 2);

    let server = serve_with_env(&ws, &["--project", &pg], &env);
    plays(&server, entretien, &first);
    plays(&server, suivi, &other);
    assert_eq!(copies(&cache), names(&[&first, &other]));

    // Replaced: the next play serves the new recording, and the old copy
    // is gone.
    run(&ws, &pg, &["media", "detach", "entretien"]);
    run(&ws, &pg, &["media", "attach", "entretien", "b.wav"]);
    plays(&server, entretien, &replacement);
    assert_eq!(copies(&cache), names(&[&replacement, &other]));

    // Detached: the next play of any recording removes its copy.
    run(&ws, &pg, &["media", "detach", "suivi"]);
    plays(&server, entretien, &replacement);
    assert_eq!(copies(&cache), names(&[&replacement]));
    let (status, _, _) = get(&server.base, &format!("/media/{suivi}"), &[]);
    assert_eq!(status, 404);
    // Undone: its bytes are still in the database and play again.
    run(&ws, &pg, &["undo"]);
    plays(&server, suivi, &other);
    assert_eq!(copies(&cache), names(&[&replacement, &other]));
    drop(server);

    // The study dropped and made again at the same address, with one
    // recording of its own: a new server plays it, and the copies of the
    // old study's recordings go.
    study
        .admin()
        .batch_execute(&format!(
            "DROP SCHEMA \"{}\" CASCADE",
            study.address.study()
        ))
        .unwrap();
    let remade = recording(&ws, "d.wav", 12_000);
    run(&ws, &pg, &["init", "--title", "Enregistrements, bis"]);
    run(&ws, &pg, &["import", "entretien.txt"]);
    run(&ws, &pg, &["media", "attach", "entretien", "d.wav"]);
    let server = serve_with_env(&ws, &["--project", &pg], &env);
    plays(&server, entretien, &remade);
    assert_eq!(copies(&cache), names(&[&remade]));
}
