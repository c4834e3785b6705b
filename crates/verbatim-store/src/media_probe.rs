//! What a recording is: its container, recognised by its header bytes, and
//! its duration, read from the container.
//!
//! A file named `.mp3` that holds a Word document must be refused, so the
//! container is told by the first bytes of the file, never by its name.
//! The duration is read by `symphonia`'s container readers (no decoding, no
//! external program); a container that does not say how long it is (an MP3
//! without a Xing/Info header, a video-only MP4) is kept with its duration
//! unknown rather than refused.

use std::io::Read;
use std::path::Path;

use serde::Serialize;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::StoreError;

/// Whether a recording is heard or watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// Sound only.
    Audio,
    /// Picture (and usually sound).
    Video,
}

impl MediaKind {
    /// The word stored in the study.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
        }
    }

    /// Reads the word stored in the study (anything but `video` is audio).
    pub fn parse(word: &str) -> Self {
        if word == "video" {
            MediaKind::Video
        } else {
            MediaKind::Audio
        }
    }
}

/// A container recognised from a file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Container {
    /// Short name, also the stored file's extension (`wav`, `mp3`, `m4a`…).
    pub name: &'static str,
    /// The MIME type the web server sends.
    pub mime: &'static str,
    /// Audio or video.
    pub kind: MediaKind,
}

const fn container(name: &'static str, mime: &'static str, kind: MediaKind) -> Container {
    Container { name, mime, kind }
}

/// Recognises the container from the first bytes of a file (at least 12
/// are needed). Returns `None` for anything that is not a supported
/// recording.
pub fn sniff(head: &[u8]) -> Option<Container> {
    use MediaKind::{Audio, Video};
    let at = |i: usize, magic: &[u8]| head.get(i..i + magic.len()) == Some(magic);
    if at(0, b"RIFF") && at(8, b"WAVE") {
        return Some(container("wav", "audio/wav", Audio));
    }
    if at(0, b"fLaC") {
        return Some(container("flac", "audio/flac", Audio));
    }
    if at(0, b"OggS") {
        // Opus and Vorbis alike; the codec header follows on the first page.
        let opus = head.windows(8).any(|w| w == b"OpusHead");
        return Some(if opus {
            container("opus", "audio/ogg", Audio)
        } else {
            container("ogg", "audio/ogg", Audio)
        });
    }
    if at(0, b"ID3") {
        return Some(container("mp3", "audio/mpeg", Audio));
    }
    if at(4, b"ftyp") {
        let brand = head.get(8..12)?;
        return Some(match brand {
            b"M4A " | b"M4B " | b"M4P " => container("m4a", "audio/mp4", Audio),
            _ => container("mp4", "video/mp4", Video),
        });
    }
    if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        // EBML: WebM (or Matroska, which browsers play as WebM).
        return Some(container("webm", "video/webm", Video));
    }
    match head {
        // ADTS AAC: sync word 0xFFF, layer bits 00.
        [0xFF, b, ..] if b & 0xF6 == 0xF0 => Some(container("aac", "audio/aac", Audio)),
        // MPEG audio frame sync (11 bits set), layer III or II.
        [0xFF, b, ..] if b & 0xE0 == 0xE0 && b & 0x06 != 0 => {
            Some(container("mp3", "audio/mpeg", Audio))
        }
        _ => None,
    }
}

/// Reads a file's first bytes and recognises its container, or says
/// clearly why the file is refused.
pub fn recognise(path: &Path) -> Result<Container, StoreError> {
    let mut head = [0u8; 64];
    let mut file = std::fs::File::open(path).map_err(|e| io_error(path, &e))?;
    let mut filled = 0;
    while filled < head.len() {
        let n = file
            .read(&mut head[filled..])
            .map_err(|e| io_error(path, &e))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    sniff(&head[..filled]).ok_or_else(|| {
        StoreError::Invalid(format!(
            "{} is not a recording verbatim can keep: its first bytes are not those of an MP3, M4A/AAC, WAV, OGG/Opus, FLAC, MP4 or WebM file (the file name's extension is not trusted); convert it to one of these",
            path.display()
        ))
    })
}

/// Returns the recording's duration in milliseconds, when its container
/// says it; `None` otherwise.
pub fn duration_ms(path: &Path, container: Container) -> Option<u64> {
    let file = std::fs::File::open(path).ok()?;
    let stream = MediaSourceStream::new(Box::new(file), MediaSourceStreamOptions::default());
    let mut hint = Hint::new();
    hint.with_extension(container.name);
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            stream,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .ok()?;
    probed
        .format
        .tracks()
        .iter()
        .filter_map(|track| {
            let params = &track.codec_params;
            let frames = params.n_frames?;
            let base = params.time_base?;
            let time = base.calc_time(frames);
            // Whole milliseconds, rounded down.
            Some(time.seconds * 1000 + (time.frac * 1000.0) as u64)
        })
        .max()
}

fn io_error(path: &Path, error: &std::io::Error) -> StoreError {
    StoreError::Invalid(format!("could not read {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_told_by_their_first_bytes() {
        let wav = b"RIFF\x24\x00\x00\x00WAVEfmt ";
        assert_eq!(sniff(wav).map(|c| c.name), Some("wav"));
        assert_eq!(sniff(b"fLaC\0\0\0\x22").map(|c| c.name), Some("flac"));
        let mut opus = b"OggS\0\x02".to_vec();
        opus.extend_from_slice(&[0; 22]);
        opus.extend_from_slice(b"OpusHead");
        assert_eq!(sniff(&opus).map(|c| c.name), Some("opus"));
        assert_eq!(sniff(b"ID3\x04\0\0\0\0\0\0").map(|c| c.name), Some("mp3"));
        assert_eq!(
            sniff(&[0xFF, 0xFB, 0x90, 0x64]).map(|c| c.name),
            Some("mp3")
        );
        assert_eq!(
            sniff(&[0xFF, 0xF1, 0x50, 0x80]).map(|c| c.name),
            Some("aac")
        );
        let m4a = b"\0\0\0\x20ftypM4A \0\0\0\0";
        assert_eq!(sniff(m4a).map(|c| c.kind), Some(MediaKind::Audio));
        let mp4 = b"\0\0\0\x20ftypisom\0\0\x02\0";
        assert_eq!(sniff(mp4).map(|c| c.kind), Some(MediaKind::Video));
        assert_eq!(
            sniff(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F]).map(|c| c.name),
            Some("webm")
        );
        // A Word document (ZIP) and plain text are refused.
        assert_eq!(sniff(b"PK\x03\x04\x14\0\x06\0"), None);
        assert_eq!(sniff(b"INT : Bonjour"), None);
        assert_eq!(sniff(b""), None);
    }
}
