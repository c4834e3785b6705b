//! Tests of the media folder and the `media` table, on WAV files written
//! here sample by sample.

use std::path::Path;

use crate::testkit::fixture;
use crate::{MediaKind, SourceRef, Store};

/// Writes a mono 16-bit PCM WAV of `samples` samples of a 440 Hz tone.
pub(crate) fn write_wav(path: &Path, rate: u32, samples: u32) {
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

#[test]
fn attach_reads_the_duration_and_keeps_the_file_by_its_hash() {
    let mut f = fixture();
    let wav = f.dir.path().join("entretien.wav");
    // 20,004 samples at 8,000 Hz = 2.5005 s, so 2,500 ms rounded down.
    write_wav(&wav, 8000, 20_004);
    let rec = f
        .store
        .attach_media("amira", &SourceRef::Id(f.source), &wav)
        .unwrap();
    assert_eq!(rec.duration_ms, Some(2500));
    assert_eq!(rec.kind, MediaKind::Audio);
    assert_eq!(rec.container, "wav");
    // 44-byte header + 2 bytes per sample.
    assert_eq!(rec.bytes, 44 + 2 * 20_004);
    let kept = f.store.media_path(&rec);
    assert_eq!(std::fs::read(&kept).unwrap(), std::fs::read(&wav).unwrap());
    assert_eq!(kept.parent().unwrap(), f.dir.path().join("s.vbt.media"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&kept), 0o600);
        assert_eq!(mode(kept.parent().unwrap()), 0o700);
    }
    assert_eq!(f.store.recordings().unwrap(), vec![rec]);
}

#[test]
fn detach_and_undo_bring_the_recording_back_and_a_second_attach_is_refused() {
    let mut f = fixture();
    let wav = f.dir.path().join("a.wav");
    write_wav(&wav, 8000, 8000);
    let rec = f
        .store
        .attach_media("amira", &SourceRef::Id(f.source), &wav)
        .unwrap();
    let err = f
        .store
        .attach_media("amira", &SourceRef::Id(f.source), &wav)
        .unwrap_err();
    assert!(err.to_string().contains("detach it first"), "{err}");
    f.store
        .detach_media("amira", &SourceRef::Id(f.source))
        .unwrap();
    assert!(f.store.recordings().unwrap().is_empty());
    // The file stays, so undo can attach it again.
    assert!(f.store.media_path(&rec).exists());
    f.store.undo("amira", 1).unwrap();
    assert_eq!(f.store.recording(f.source).unwrap(), Some(rec));
    f.store.undo("amira", 1).unwrap();
    assert!(f.store.recordings().unwrap().is_empty());
    let log = f.store.audit_log(10).unwrap();
    assert!(log.iter().any(|e| e.action == "media.detach"));
}

#[test]
fn a_file_that_is_not_a_recording_is_refused_and_nothing_changes() {
    let mut f = fixture();
    let fake = f.dir.path().join("entretien.mp3");
    std::fs::write(&fake, "INT : Bonjour, ceci est du texte.").unwrap();
    let before = f.store.audit_log(100).unwrap().len();
    let err = f
        .store
        .attach_media("amira", &SourceRef::Id(f.source), &fake)
        .unwrap_err();
    assert!(
        err.to_string().contains("entretien.mp3 is not a recording"),
        "{err}"
    );
    assert_eq!(f.store.audit_log(100).unwrap().len(), before);
    assert!(!f.dir.path().join("s.vbt.media").exists());
}
