//! REFI-QDA with recordings: the export writes an `AudioSource` with the
//! recording in the archive, its `Transcript` and `SyncPoint`s from the turn
//! times, valid against the schema; the import attaches the recording again
//! and, from another tool's project, times the transcript by its sync points.

use std::io::{Cursor, Write};

use crate::common::Workspace;
use crate::media::wav;
use crate::refi::{entry, validate};

/// A timed interview: turns at 0 s, 1 s and 2 s of the recording.
const TIMED: &str = "[00:00:00] INT : Bonjour, comment allez-vous ?\n\
[00:00:01] CSI-2 : Bien, merci. La confiance revient lentement.\n\
[00:00:02] INT : Merci pour cet entretien.\n";

fn media_list(ws: &Workspace, study: &str) -> Vec<serde_json::Value> {
    ws.run(&["media", "list", "--project", study, "--json"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .clone()
}

/// The value of attribute `name` in the first `<element` of `xml` after
/// byte `from`.
fn attribute(xml: &str, element: &str, name: &str) -> String {
    let at = xml
        .find(&format!("<{element} "))
        .unwrap_or_else(|| panic!("no <{element}> in {xml}"));
    let rest = &xml[at..];
    let rest = &rest[..rest.find('>').unwrap()];
    let start = rest.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    rest[start..start + rest[start..].find('"').unwrap()].to_owned()
}

#[test]
fn a_qdpx_round_trip_keeps_the_recording_and_its_sync_points() {
    let ws = Workspace::with_study();
    ws.run(&["coder", "add", "--project", "study.vbt", "tester"])
        .ok();
    ws.write("lot/entretien.txt", TIMED);
    // 8,000 Hz, 20,004 samples: 2,500 ms.
    let recording = wav(8000, 20_004);
    ws.write("lot/entretien.wav", &recording);
    ws.import(&["lot"]).ok();
    let before = media_list(&ws, "study.vbt");
    assert_eq!(before.len(), 1);
    let turns = ws.show("entretien")["turns"].clone();
    let out = ws
        .run(&[
            "export",
            "--project",
            "study.vbt",
            "--format",
            "qdpx",
            "--out",
            "media.qdpx",
        ])
        .ok();
    assert!(
        out.stdout.contains("1 sources, 1 recordings"),
        "{}",
        out.stdout
    );

    let qdpx = ws.path("media.qdpx");
    let qde = String::from_utf8(entry(&qdpx, "project.qde")).unwrap();
    validate(&ws, qde.as_bytes(), "Project-mrt2019.xsd");
    // The recording is in the archive, byte for byte, under its GUID name.
    let path = attribute(&qde, "AudioSource", "path");
    let name = path.strip_prefix("internal://").unwrap();
    assert_eq!(entry(&qdpx, &format!("sources/{name}")), recording);
    assert_eq!(attribute(&qde, "AudioSource", "name"), "entretien.wav");
    // The transcript is the TextSource's text file.
    assert_eq!(
        attribute(&qde, "Transcript", "plainTextPath"),
        attribute(&qde, "TextSource", "plainTextPath")
    );
    // One sync point per timed turn: its start and its time (0, 1 and 2 s).
    let points: Vec<(u64, u64)> = qde
        .match_indices("<SyncPoint ")
        .map(|(at, _)| {
            let p = &qde[at..];
            (
                attribute(p, "SyncPoint", "position").parse().unwrap(),
                attribute(p, "SyncPoint", "timeStamp").parse().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(u64, u64)> = turns
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["start"].as_u64().unwrap(),
                t["begin_ms"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        expected.iter().map(|p| p.1).collect::<Vec<_>>(),
        [0, 1000, 2000]
    );
    assert_eq!(points, expected);

    let back = ws
        .run(&["import-project", "media.qdpx", "--project", "back.vbt"])
        .ok();
    assert!(
        back.stdout.contains("1 recording(s) attached"),
        "{}",
        back.stdout
    );
    assert!(!back.stdout.contains("not carried"), "{}", back.stdout);
    let after = media_list(&ws, "back.vbt");
    assert_eq!(after.len(), 1);
    for field in [
        "source",
        "sha256",
        "bytes",
        "duration_ms",
        "original_name",
        "container",
    ] {
        assert_eq!(after[0][field], before[0][field], "{field}");
    }
    let shown = ws
        .run(&["show", "--project", "back.vbt", "entretien", "--json"])
        .ok()
        .json();
    assert_eq!(shown["turns"], turns);
}

/// A zip holding `entries`.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn another_tools_transcript_is_timed_by_its_sync_points() {
    // An ATLAS.ti-style project: a video's transcript inline, without
    // speaker labels, with three sync points; the recording in sources/.
    let qde = r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="visite" origin="ATLAS.ti 23.2.3">
<Sources>
<AudioSource guid="9D260347-8F7D-4161-89F7-DCC93CC34170" name="Visite" path="internal://5293A7DD-8139-4811-88E4-3357E3AA64E1.wav">
<Transcript guid="0EBF03C4-768D-4937-B37E-58341FDA4CDB" name="Visite - transcription">
<PlainTextContent>Bonjour à tous. On commence. Merci.</PlainTextContent>
<SyncPoint guid="BC57B3AA-64E1-4974-AC92-646A4F822070" position="0" timeStamp="0"/>
<SyncPoint guid="5BDDBA5C-54F3-4AEE-B9ED-3B80486517AD" position="16" timeStamp="1500"/>
<SyncPoint guid="7133B896-1D41-4610-85AF-8482011953D3" position="29" timeStamp="2400"/>
</Transcript>
<AudioSelection guid="238965CB-E557-405D-B4F0-6F824B2F4570" begin="100" end="900"/>
</AudioSource>
</Sources>
</Project>
"#;
    let ws = Workspace::empty();
    validate(&ws, qde.as_bytes(), "Project-mrt2019.xsd");
    // 8,000 Hz, 24,000 samples: 3 s.
    let recording = wav(8000, 24_000);
    ws.write(
        "visite.qdpx",
        zip_of(&[
            ("project.qde", qde.as_bytes()),
            (
                "sources/5293A7DD-8139-4811-88E4-3357E3AA64E1.wav",
                &recording,
            ),
        ]),
    );
    let out = ws
        .run(&["import-project", "visite.qdpx", "--project", "study.vbt"])
        .ok();
    assert!(out.stdout.contains("1 sources"), "{}", out.stdout);
    assert!(
        out.stdout.contains("1 recording(s) attached"),
        "{}",
        out.stdout
    );
    // The time-line selection is the one thing not carried.
    assert!(
        out.stdout.contains(
            "1 selection(s) and 0 coding(s) in picture, PDF, audio or video sources are not carried"
        ),
        "{}",
        out.stdout
    );
    let listed = media_list(&ws, "study.vbt");
    assert_eq!(listed[0]["source"], "Visite - transcription");
    assert_eq!(listed[0]["duration_ms"], 3000);
    assert_eq!(listed[0]["original_name"], "Visite");
    // "Bonjour à tous. " is 16 chars, "On commence. " 13 (16 + 13 = 29),
    // "Merci." 6 (29 + 6 = 35): three timed segments, each ending where
    // the next sync point begins.
    let shown = ws
        .run(&["show", "--project", "study.vbt", "1", "--json"])
        .ok()
        .json();
    assert_eq!(
        shown["turns"],
        serde_json::json!([
            {"speaker": null, "start": 0, "end": 16, "begin_ms": 0, "end_ms": 1500},
            {"speaker": null, "start": 16, "end": 29, "begin_ms": 1500, "end_ms": 2400},
            {"speaker": null, "start": 29, "end": 35, "begin_ms": 2400, "end_ms": null},
        ])
    );
}
