//! The `Media` trait's behaviour, written once and run on SQLite and
//! PostgreSQL by `conformance!`: a recording attached, listed, read back
//! byte for byte from a private file, refused twice, detached and brought
//! back by undo; and a transcript grown turn by turn against it, refused
//! out of order, undone a turn at a time. The WAV files are written here.

use std::path::Path;

use verbatim_store::{History, Media, MediaKind, SourceRef, Store, TypedTurn};

use super::fixture;

conformance!(
    a_recording_is_kept_read_back_detached_and_undone_alike,
    a_transcript_grows_turn_by_turn_alike,
);

/// A study backend with what the media commands use.
pub trait Backend: Store + Media + History {}
impl<T: Store + Media + History> Backend for T {}

/// Writes a mono 16-bit PCM WAV of `samples` samples of a 440 Hz tone at
/// 8,000 Hz: a 44-byte header and 2 bytes per sample.
fn write_wav(path: &Path, samples: u32) {
    let rate: u32 = 8000;
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
    std::fs::write(path, out).unwrap();
}

fn refused<T: std::fmt::Debug>(r: Result<T, verbatim_store::StoreError>, says: &str) {
    let message = r.unwrap_err().to_string();
    assert!(message.contains(says), "{message}");
}

fn a_recording_is_kept_read_back_detached_and_undone_alike(store: &mut impl Backend) {
    store
        .import_batch("tester", vec![fixture::interview("cs-02")])
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("entretien.wav");
    // 20,004 samples at 8,000 Hz = 2.5005 s: 2,500 ms rounded down.
    write_wav(&wav, 20_004);
    let source = SourceRef::Name("cs-02".into());
    let rec = store.attach_media("amira", &source, &wav).unwrap();
    assert_eq!(rec.source_id, 1);
    assert_eq!(rec.duration_ms, Some(2500));
    assert_eq!(rec.kind, MediaKind::Audio);
    assert_eq!(
        (rec.container.as_str(), rec.mime.as_str()),
        ("wav", "audio/wav")
    );
    // 44-byte header + 2 bytes per sample.
    assert_eq!(rec.bytes, 44 + 2 * 20_004);
    assert_eq!(rec.original_name, "entretien.wav");
    assert_eq!(store.recordings().unwrap(), vec![rec.clone()]);
    assert_eq!(store.recording(1).unwrap(), Some(rec.clone()));
    let kept = store.media_path(&rec).unwrap();
    assert_eq!(std::fs::read(&kept).unwrap(), std::fs::read(&wav).unwrap());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&kept), 0o600);
        assert_eq!(mode(kept.parent().unwrap()), 0o700);
    }
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "media.attach");
    assert_eq!(log[0].target.as_deref(), Some("source:1"));
    assert_eq!(log[0].data["summary"]["sha256"], rec.sha256.as_str());

    refused(
        store.attach_media("amira", &source, &wav),
        "source \"cs-02\" already has a recording (entretien.wav): detach it first",
    );
    let text = dir.path().join("notes.wav");
    std::fs::write(&text, "pas un enregistrement").unwrap();
    store
        .import_batch("tester", vec![fixture::note("autre", "Oui.")])
        .unwrap();
    assert!(
        store
            .attach_media("amira", &SourceRef::Id(2), &text)
            .is_err()
    );
    assert!(store.recording(2).unwrap().is_none());

    let gone = store.detach_media("amira", &source).unwrap();
    assert_eq!(gone, rec);
    assert!(store.recordings().unwrap().is_empty());
    refused(
        store.detach_media("amira", &source),
        "source \"cs-02\" has no recording to detach",
    );
    // Undo attaches it again, with the bytes kept.
    let undone = store.undo("amira", 1).unwrap();
    assert_eq!(undone.len(), 1);
    let back = store.recording(1).unwrap().unwrap();
    assert_eq!(back, rec);
    let again = store.media_path(&back).unwrap();
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&wav).unwrap());
    // A server study's copy sits in the user's cache: leave none behind.
    std::fs::remove_dir_all(again.parent().unwrap()).ok();
}

#[test]
fn a_server_recording_is_written_again_when_its_copy_is_gone_or_cut() {
    let Some(study) = super::pg::study("media_cache") else {
        return;
    };
    let mut store = super::pg::create(&study);
    store
        .import_batch("tester", vec![fixture::note("note", "Oui.")])
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("long.wav");
    // 1,000,000 samples: 2,000,044 bytes, so two pieces of 1 MiB
    // (1,048,576) and a third.
    write_wav(&wav, 1_000_000);
    let rec = store
        .attach_media("amira", &SourceRef::Id(1), &wav)
        .unwrap();
    assert_eq!(rec.bytes, 2_000_044);
    let original = std::fs::read(&wav).unwrap();
    let kept = store.media_path(&rec).unwrap();
    assert_eq!(std::fs::read(&kept).unwrap(), original);
    // The cached copy lives outside the study: gone or cut, it is written
    // again from the database.
    std::fs::remove_file(&kept).unwrap();
    assert_eq!(
        std::fs::read(store.media_path(&rec).unwrap()).unwrap(),
        original
    );
    std::fs::write(&kept, &original[..1000]).unwrap();
    assert_eq!(
        std::fs::read(store.media_path(&rec).unwrap()).unwrap(),
        original
    );
    // A second process on the study (no copy of its own yet) reads the
    // same bytes.
    let other = verbatim_store_pg::PgStore::open(&study.address).unwrap();
    let seen = other.recording(1).unwrap().unwrap();
    std::fs::remove_file(&kept).unwrap();
    assert_eq!(
        std::fs::read(other.media_path(&seen).unwrap()).unwrap(),
        original
    );
    std::fs::remove_dir_all(kept.parent().unwrap()).ok();
}

fn typed(speaker: &str, begin_ms: u64, text: &str) -> TypedTurn {
    TypedTurn {
        speaker: speaker.into(),
        begin_ms,
        text: text.into(),
    }
}

fn a_transcript_grows_turn_by_turn_alike(store: &mut impl Backend) {
    // "Oui." is 4 chars, one turn P01 0..4 with no time.
    store
        .import_batch("tester", vec![fixture::note("note", "Oui.")])
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("note.wav");
    write_wav(&wav, 20_004); // 2,500 ms
    store
        .attach_media("amira", &SourceRef::Id(1), &wav)
        .unwrap();
    // "\nINT : Bonjour": the speech starts after 4 + 1 + "INT" 3 + " : " 3
    // = 11 and ends at 11 + 7 = 18.
    let first = store
        .append_turn("amira", 1, &typed(" INT ", 1000, " Bonjour "))
        .unwrap();
    assert_eq!(
        (first.ordinal, first.start, first.end, first.text.as_str()),
        (1, 11, 18, "Bonjour")
    );
    // "\nP01 : Oui": 18 + 1 + 3 + 3 = 25 to 28; it closes turn 1 at 2,000.
    let second = store
        .append_turn("amira", 1, &typed("P01", 2000, "Oui"))
        .unwrap();
    assert_eq!((second.ordinal, second.start, second.end), (2, 25, 28));
    refused(
        store.append_turn("amira", 1, &typed("INT", 3000, "Trop tard")),
        "after the recording's end (2500 ms)",
    );
    refused(
        store.append_turn("amira", 1, &typed("INT", 1500, "Trop tôt")),
        "before the previous turn (2000 ms)",
    );
    refused(
        store.append_turn("amira", 1, &typed("IN:T", 2100, "x")),
        "without a colon",
    );
    let shown = store.source(&SourceRef::Id(1)).unwrap();
    assert_eq!(shown.text, "Oui.\nINT : Bonjour\nP01 : Oui");
    assert_eq!(shown.summary.chars, 28);
    let times: Vec<(i64, i64, Option<i64>, Option<i64>)> = shown
        .turn_list
        .iter()
        .map(|t| (t.start, t.end, t.begin_ms, t.end_ms))
        .collect();
    assert_eq!(
        times,
        vec![
            (0, 4, None, None),
            (11, 18, Some(1000), Some(2000)),
            (25, 28, Some(2000), None)
        ]
    );
    // One undo takes the last turn back, and turn 1's end with it.
    store.undo("amira", 1).unwrap();
    let shown = store.source(&SourceRef::Id(1)).unwrap();
    assert_eq!(shown.text, "Oui.\nINT : Bonjour");
    assert_eq!(shown.turn_list.len(), 2);
    assert_eq!(shown.turn_list[1].end_ms, None);
}

#[test]
fn a_study_with_a_recording_copies_to_postgres_and_back_and_to_a_file() {
    use verbatim_store::SqliteStore;
    use verbatim_store::transfer::{CARRIED, Transfer};
    let Some(study) = super::pg::study("media_copy") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lite =
        SqliteStore::create(&dir.path().join("s.vbt"), &fixture::settings(), "tester").unwrap();
    lite.import_batch("tester", vec![fixture::note("note", "Oui.")])
        .unwrap();
    let wav = dir.path().join("note.wav");
    write_wav(&wav, 8000); // 44 + 16,000 = 16,044 bytes
    let rec = lite.attach_media("amira", &SourceRef::Id(1), &wav).unwrap();
    assert!(lite.uncarried().unwrap().is_empty());
    let tables =
        |s: &dyn Transfer| -> Vec<_> { CARRIED.iter().map(|t| s.read_table(t).unwrap()).collect() };
    let files = lite.recording_files().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name, rec.file_name());
    let there =
        verbatim_store_pg::PgStore::create_copy_with(&study.address, &tables(&lite), &files)
            .unwrap();
    assert_eq!(there.recordings().unwrap(), vec![rec.clone()]);
    let original = std::fs::read(&wav).unwrap();
    let served = there.media_path(&rec).unwrap();
    assert_eq!(std::fs::read(&served).unwrap(), original);
    let back_path = dir.path().join("back.vbt");
    let back = SqliteStore::create_copy_with(
        &back_path,
        &tables(&there),
        &there.recording_files().unwrap(),
    )
    .unwrap();
    assert_eq!(back.recordings().unwrap(), vec![rec.clone()]);
    assert_eq!(std::fs::read(back.media_path(&rec)).unwrap(), original);
    // File to file: the media folder goes along too.
    let twin = back.copy_file(&dir.path().join("twin.vbt")).unwrap();
    assert_eq!(std::fs::read(twin.media_path(&rec)).unwrap(), original);
    std::fs::remove_dir_all(served.parent().unwrap()).ok();
}
