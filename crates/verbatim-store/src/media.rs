//! Recordings beside transcripts: the media folder and the `media` table.
//!
//! Teams go back to the interview's recording while coding, so a source may
//! have one recording (audio or video). The file is copied into a folder
//! beside the study, `STUDY.vbt.media/`, named by the SHA-256 of its bytes
//! (the same recording is kept once), with owner-only permissions (0700 for
//! the folder, 0600 for files): recordings identify people even more than
//! transcripts do. The `media` row ties a file to its source; attaching and
//! detaching are undoable actions in the audit log. Detaching removes the
//! row only: the file stays in the folder, so undo can attach it again
//! (delete it by hand once the history no longer needs it).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::history::{Table, id_key};
use crate::media_probe::{self, Container, MediaKind};
use verbatim_core::{Format, OffsetTable, SourceKind, SourceMetadata};

use crate::{SourceRef, SqliteStore, StoreError};

/// A source's recording, as kept in the study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recording {
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// SHA-256 of the file's bytes, lower-case hex (also its stored name).
    pub sha256: String,
    /// Audio or video.
    pub kind: MediaKind,
    /// The container (`wav`, `mp3`, `m4a`, `aac`, `ogg`, `opus`, `flac`,
    /// `mp4`, `webm`), also the stored file's extension.
    pub container: String,
    /// The MIME type the web server sends.
    pub mime: String,
    /// The file's size in bytes.
    pub bytes: u64,
    /// How long it lasts, when the container says so.
    pub duration_ms: Option<u64>,
    /// The file's name when it was attached.
    pub original_name: String,
    /// When it was attached (UTC, ISO 8601).
    pub attached_at: String,
}

/// A recording file recognised, before either backend keeps its bytes:
/// its container (by its first bytes), duration and name.
#[derive(Debug, Clone)]
pub struct Probed {
    /// The container recognised.
    pub container: Container,
    /// How long it lasts, when the container says so.
    pub duration_ms: Option<u64>,
    /// The file's name.
    pub original_name: String,
}

/// Recognises a recording file, or refuses it in one sentence.
pub fn probe(file: &Path) -> Result<Probed, StoreError> {
    let container = media_probe::recognise(file)?;
    let duration_ms = media_probe::duration_ms(file, container);
    let original_name = file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    Ok(Probed {
        container,
        duration_ms,
        original_name,
    })
}

impl Probed {
    /// The summary of the `media.attach` audit entry.
    pub fn summary(&self, sha256: &str) -> serde_json::Value {
        serde_json::json!({
            "file": self.original_name,
            "sha256": sha256,
            "container": self.container.name,
            "duration_ms": self.duration_ms,
        })
    }
}

/// The refusal of a second recording for one source.
pub fn already_recorded(current: &Recording) -> StoreError {
    StoreError::Invalid(format!(
        "source {:?} already has a recording ({}): detach it first with `verbatim media detach {}`",
        current.source, current.original_name, current.source
    ))
}

/// The refusal to detach from a source without a recording.
pub fn nothing_to_detach(source: &str) -> StoreError {
    StoreError::Invalid(format!(
        "source {source:?} has no recording to detach: `verbatim media list` shows those that do"
    ))
}

/// The summary of the `media.detach` audit entry.
pub fn detach_summary(current: &Recording) -> serde_json::Value {
    serde_json::json!({ "file": current.original_name, "sha256": current.sha256 })
}

impl Recording {
    /// The stored file's name inside the media folder.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.sha256, self.container)
    }
}

const COLUMNS: &str = "m.source_id, s.name, m.sha256, m.kind, m.container, m.mime, m.bytes, \
                       m.duration_ms, m.original_name, m.attached_at";

fn recording_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Recording> {
    let kind: String = row.get(3)?;
    Ok(Recording {
        source_id: row.get(0)?,
        source: row.get(1)?,
        sha256: row.get(2)?,
        kind: MediaKind::parse(&kind),
        container: row.get(4)?,
        mime: row.get(5)?,
        bytes: row.get::<_, i64>(6)?.try_into().unwrap_or(0),
        duration_ms: row
            .get::<_, Option<i64>>(7)?
            .and_then(|d| u64::try_from(d).ok()),
        original_name: row.get(8)?,
        attached_at: row.get(9)?,
    })
}

impl SqliteStore {
    /// The folder the study's recordings are kept in: `STUDY.vbt.media`
    /// beside the study file.
    pub fn media_dir(&self) -> PathBuf {
        let mut name = self.path().as_os_str().to_owned();
        name.push(".media");
        PathBuf::from(name)
    }

    /// Where a recording's file is kept.
    pub fn media_path(&self, recording: &Recording) -> PathBuf {
        self.media_dir().join(recording.file_name())
    }

    /// Returns the id of the source with the stable identifier `guid`
    /// (compared lower case), if there is one: how a recording read from a
    /// REFI-QDA project finds the source its transcript became.
    pub fn source_with_guid(&self, guid: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM sources WHERE lower(guid) = lower($1)",
                [guid.trim()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Returns every source's recording, by source id.
    pub fn recordings(&self) -> Result<Vec<Recording>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM media m JOIN sources s ON s.id = m.source_id ORDER BY m.source_id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], recording_of)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the recording of source `source_id`, if it has one.
    pub fn recording(&self, source_id: i64) -> Result<Option<Recording>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM media m JOIN sources s ON s.id = m.source_id WHERE m.source_id = $1"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([source_id], recording_of)
            .optional()?)
    }

    /// Attaches the recording `file` to a source: checks its container by
    /// its header bytes, copies it into the media folder and records it.
    /// One undoable action. A source keeps one recording: detach the
    /// current one first.
    pub fn attach_media(
        &mut self,
        actor: &str,
        which: &SourceRef,
        file: &Path,
    ) -> Result<Recording, StoreError> {
        let source_id = self.resolve(which)?;
        if let Some(current) = self.recording(source_id)? {
            return Err(already_recorded(&current));
        }
        let kept = self.keep(file)?;
        let columns = kept.columns(source_id);
        self.act(
            actor,
            "media.attach",
            &format!("source:{source_id}"),
            |tx, rec| {
                rec.insert(tx, Table::Media, &columns)?;
                Ok(((), kept.summary))
            },
        )?;
        self.recording(source_id)?
            .ok_or_else(|| StoreError::Corrupt("the attached recording vanished".into()))
    }

    /// Creates an empty source named `name` for the recording `file`, to be
    /// transcribed in the browser, and attaches the recording: one undoable
    /// action. Until its first turn is typed the source's text is empty and
    /// its content hash is the recording's (`recording:SHA256`), so two
    /// recordings awaiting transcription are two sources and the same
    /// recording is refused the second time.
    pub fn source_from_recording(
        &mut self,
        actor: &str,
        name: &str,
        kind: SourceKind,
        file: &Path,
    ) -> Result<Recording, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "the new source needs a name: give one with --new NAME".into(),
            ));
        }
        let taken: Option<i64> = self
            .conn
            .query_row("SELECT id FROM sources WHERE name = $1", [name], |r| {
                r.get(0)
            })
            .optional()?;
        if taken.is_some() {
            return Err(StoreError::Invalid(format!(
                "a source named {name:?} already exists: attach the recording to it without --new, or choose another name"
            )));
        }
        let kept = self.keep(file)?;
        let hash = format!("recording:{}", kept.sha256);
        let twin: Option<String> = self
            .conn
            .query_row(
                "SELECT s.name FROM media m JOIN sources s ON s.id = m.source_id \
                 WHERE m.sha256 = $1 OR s.content_hash = $2",
                [&kept.sha256, &hash],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(twin) = twin {
            return Err(StoreError::Invalid(format!(
                "{} is already the recording of source {twin:?}: transcribe that source, or attach the recording to another with `verbatim media attach`",
                file.display()
            )));
        }
        let metadata = serde_json::to_string(&SourceMetadata::default())
            .map_err(|e| StoreError::Corrupt(format!("metadata not serialisable: {e}")))?;
        let source = [
            ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
            ("name", Value::Text(name.to_owned())),
            ("format", Value::Text(Format::Txt.as_str().into())),
            ("kind", Value::Text(kind.as_str().into())),
            ("imported_at", Value::Text(crate::audit::now())),
            ("content_hash", Value::Text(hash)),
            ("chars", Value::Integer(0)),
            ("metadata", Value::Text(metadata)),
        ];
        let source_id = self.act(actor, "source.from_recording", name, |tx, rec| {
            let id = rec.insert(tx, Table::Sources, &source)?;
            rec.insert(
                tx,
                Table::SourceTexts,
                &[
                    ("source_id", Value::Integer(id)),
                    ("text", Value::Text(String::new())),
                    ("offsets", Value::Blob(OffsetTable::new("").to_bytes())),
                ],
            )?;
            rec.insert(tx, Table::Media, &kept.columns(id))?;
            Ok((id, kept.summary))
        })?;
        self.recording(source_id)?
            .ok_or_else(|| StoreError::Corrupt("the attached recording vanished".into()))
    }

    /// Detaches a source's recording and returns it. One undoable action;
    /// the file stays in the media folder so that undo can restore it.
    pub fn detach_media(
        &mut self,
        actor: &str,
        which: &SourceRef,
    ) -> Result<Recording, StoreError> {
        let source_id = self.resolve(which)?;
        let Some(current) = self.recording(source_id)? else {
            let name: String = self.conn.query_row(
                "SELECT name FROM sources WHERE id = $1",
                [source_id],
                |r| r.get(0),
            )?;
            return Err(nothing_to_detach(&name));
        };
        let id: i64 = self.conn.query_row(
            "SELECT id FROM media WHERE source_id = $1",
            [source_id],
            |r| r.get(0),
        )?;
        let summary = detach_summary(&current);
        self.act(
            actor,
            "media.detach",
            &format!("source:{source_id}"),
            |tx, rec| {
                rec.delete(tx, Table::Media, id_key(id))?;
                Ok(((), summary))
            },
        )?;
        Ok(current)
    }

    /// Recognises `file`, reads its duration and copies it into the media
    /// folder: what attaching needs before the row is written.
    fn keep(&self, file: &Path) -> Result<Kept, StoreError> {
        let probed = probe(file)?;
        let (sha256, bytes) = self.keep_file(file, probed.container)?;
        let summary = probed.summary(&sha256);
        Ok(Kept {
            sha256,
            container: probed.container,
            bytes,
            duration_ms: probed.duration_ms,
            original_name: probed.original_name,
            summary,
        })
    }

    /// Copies `file` into the media folder under its SHA-256 name, hashing
    /// while it copies (a recording may be large). It is written to a
    /// temporary name, then renamed, so a half-copied file never bears the
    /// final name. Returns the hash and the size.
    fn keep_file(&self, file: &Path, container: Container) -> Result<(String, u64), StoreError> {
        let dir = self.media_dir();
        make_private_dir(&dir)?;
        let partial = dir.join(format!(".partial-{}", uuid::Uuid::new_v4()));
        let copied = copy_hashing(file, &partial).and_then(|(sha256, bytes)| {
            let target = dir.join(format!("{sha256}.{}", container.name));
            std::fs::rename(&partial, &target)?;
            Ok((sha256, bytes))
        });
        copied.map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            StoreError::Invalid(format!(
                "could not copy {} into {}: {e}",
                file.display(),
                dir.display()
            ))
        })
    }
}

/// A recording copied into the media folder, not yet recorded.
struct Kept {
    sha256: String,
    container: Container,
    bytes: u64,
    duration_ms: Option<u64>,
    original_name: String,
    summary: serde_json::Value,
}

impl Kept {
    /// The `media` row tying the recording to source `source_id`.
    fn columns(&self, source_id: i64) -> [(&'static str, Value); 9] {
        [
            ("source_id", Value::Integer(source_id)),
            ("sha256", Value::Text(self.sha256.clone())),
            ("kind", Value::Text(self.container.kind.as_str().into())),
            ("container", Value::Text(self.container.name.into())),
            ("mime", Value::Text(self.container.mime.into())),
            (
                "bytes",
                Value::Integer(i64::try_from(self.bytes).unwrap_or(i64::MAX)),
            ),
            (
                "duration_ms",
                self.duration_ms
                    .and_then(|d| i64::try_from(d).ok())
                    .map_or(Value::Null, Value::Integer),
            ),
            ("original_name", Value::Text(self.original_name.clone())),
            ("attached_at", Value::Text(crate::audit::now())),
        ]
    }
}

/// Copies `from` to a new owner-only file `to`, returning the SHA-256 of
/// the bytes copied and their count.
pub fn copy_hashing(from: &Path, to: &Path) -> std::io::Result<(String, u64)> {
    let mut input = std::fs::File::open(from)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(to)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = input.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        out.write_all(&buffer[..n])?;
        total += n as u64;
    }
    out.sync_all()?;
    Ok((format!("{:x}", hasher.finalize()), total))
}

/// Creates `dir` (and its parents) readable by its owner only (0700).
pub fn make_private_dir(dir: &Path) -> Result<(), StoreError> {
    let fail = |e: std::io::Error| {
        StoreError::Invalid(format!(
            "could not create the media folder {}: {e}",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "media_tests.rs"]
pub(crate) mod tests;
