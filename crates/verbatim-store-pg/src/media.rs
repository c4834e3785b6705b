//! `Media` on PostgreSQL: recordings whose bytes live in the database
//! (migration `0014_media`), so a database backup is a study backup and
//! every server process sees them.
//!
//! Attaching reads the file twice: once to hash it (a recording already
//! kept is not stored again), once to store it in `media_chunks` in pieces
//! of 1 MiB, hashing again so a file that changed in between is refused.
//! The `media` row is one undoable action, as on SQLite; the chunks stay
//! when it is detached so that undo can attach it again. To serve a
//! recording with range requests, [`Media::media_path`] writes it once
//! into a private cache folder of this user (`$XDG_CACHE_HOME/verbatim/
//! media/…`, else `~/.cache/…`; 0700, files 0600), named by its SHA-256
//! and checked against it, and answers that file afterwards.
//!
//! Those copies are cleaned as they are served: each time a recording is
//! asked for, the copies in the study's folder whose SHA-256 is no longer
//! any recording of the study (one replaced or detached, a study dropped
//! and made again at the same address) are removed, and so are partial
//! copies a crashed process left over an hour ago ([`sweep`]). The folder
//! is listed before the study's recordings are read, so a copy another
//! process writes meanwhile is of a recording the read already sees; a
//! copy removed while another process streams it stays readable to that
//! process (Unix keeps an open file), and is written again if asked for
//! after an undo. Cleaning is best effort: a copy that cannot be removed
//! never stops a recording from playing.
//!
//! Live transcription (`append_turn`) appends the line through
//! [`crate::splice`] and the new turn, with the checks and placement of
//! `rules::check_turn` and `rules::place_turn`, so both backends grow a
//! transcript alike.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use postgres::{GenericClient, Transaction};
use sha2::{Digest, Sha256};
use verbatim_store::rules::{
    self, LastTurn, already_recorded, check_turn, make_private_dir, media_detach_summary,
    nothing_to_detach, place_turn, probe_recording,
};
use verbatim_store::{AppendedTurn, Media, MediaKind, Recording, SourceRef, StoreError, TypedTurn};

use crate::failure::OrServer;
use crate::reads::{self, ReadError};
use crate::splice::splice_source;
use crate::{PgStore, now};

/// The size of one stored piece of a recording.
const CHUNK: usize = 1 << 20;

/// The columns a [`Recording`] is read from.
const COLUMNS: &str = "m.source_id, s.name, m.sha256, m.kind, m.container, m.mime, m.bytes, \
                       m.duration_ms, m.original_name, m.attached_at";

fn recording_of(row: &postgres::Row) -> Result<Recording, postgres::Error> {
    let kind: String = row.try_get(3)?;
    Ok(Recording {
        source_id: row.try_get(0)?,
        source: row.try_get(1)?,
        sha256: row.try_get(2)?,
        kind: MediaKind::parse(&kind),
        container: row.try_get(4)?,
        mime: row.try_get(5)?,
        bytes: row.try_get::<_, i64>(6)?.try_into().unwrap_or(0),
        duration_ms: row
            .try_get::<_, Option<i64>>(7)?
            .and_then(|d| u64::try_from(d).ok()),
        original_name: row.try_get(8)?,
        attached_at: row.try_get(9)?,
    })
}

/// Returns the recording of `source`, if it has one.
fn recording_in(
    client: &mut impl GenericClient,
    source: i64,
) -> Result<Option<Recording>, postgres::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM media m JOIN sources s ON s.id = m.source_id WHERE m.source_id = $1"
    );
    client
        .query_opt(&sql, &[&source])?
        .map(|r| recording_of(&r))
        .transpose()
}

/// Returns the SHA-256 (hex) and size of a file, read in pieces.
fn hash_file(file: &Path) -> std::io::Result<(String, u64)> {
    let mut input = std::fs::File::open(file)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = input.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        total += n as u64;
    }
    Ok((format!("{:x}", hasher.finalize()), total))
}

/// Reads up to one piece from `input`, filling the buffer unless the file
/// ends first; returns how many bytes were read.
fn read_piece(input: &mut std::fs::File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        let n = input.read(&mut buffer[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// Stores the file's bytes under `sha256` unless they are kept already,
/// refusing a file whose bytes no longer hash to `sha256`.
pub(crate) fn store_chunks(
    tx: &mut Transaction<'_>,
    file: &Path,
    sha256: &str,
) -> Result<(), ReadError> {
    let kept: i64 = tx
        .query_one(
            "SELECT count(*) FROM media_chunks WHERE sha256 = $1",
            &[&sha256],
        )?
        .try_get(0)?;
    if kept > 0 {
        return Ok(());
    }
    let unreadable = |e: std::io::Error| {
        ReadError::Store(StoreError::Invalid(format!(
            "could not read {}: {e}",
            file.display()
        )))
    };
    let mut input = std::fs::File::open(file).map_err(unreadable)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    let insert = tx.prepare(
        "INSERT INTO media_chunks (sha256, n, bytes) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )?;
    let mut n: i64 = 0;
    loop {
        let len = read_piece(&mut input, &mut buffer).map_err(unreadable)?;
        if len == 0 {
            break;
        }
        hasher.update(&buffer[..len]);
        tx.execute(&insert, &[&sha256, &n, &&buffer[..len]])?;
        n += 1;
    }
    if format!("{:x}", hasher.finalize()) != sha256 {
        return Err(StoreError::Invalid(format!(
            "{} changed while it was being attached: attach it again once it is complete",
            file.display()
        ))
        .into());
    }
    Ok(())
}

/// Returns this user's cache folder for the recordings of the study at
/// `address` (one folder per study, named by a hash of its address).
fn cache_dir(address: &str) -> Result<PathBuf, StoreError> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "playing the recordings of {address} needs a folder for their copies: set XDG_CACHE_HOME or HOME"
            ))
        })?;
    let study = rules::splice::text_hash(address);
    Ok(cache.join("verbatim").join("media").join(&study[..16]))
}

/// How old a partial copy must be before it is taken for the leftover of
/// a process that stopped while writing it.
const STALE_PARTIAL: Duration = Duration::from_secs(60 * 60);

/// Returns the SHA-256 a copy is named by, when `name` is a copy's name
/// (`HEX.CONTAINER`, [`Recording::file_name`]).
fn copy_sha(name: &str) -> Option<&str> {
    let (sha, container) = name.split_once('.')?;
    let hex = sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && !container.is_empty()).then_some(sha)
}

/// Returns the files of `dir` to remove: copies named by a SHA-256 not in
/// `current` (except `keep`, the copy being served) and partial copies
/// older than [`STALE_PARTIAL`]; `listed` is the folder's listing, taken
/// before `current` was read.
fn stale_copies(listed: &[PathBuf], current: &HashSet<String>, keep: &Path) -> Vec<PathBuf> {
    listed
        .iter()
        .filter(|path| path.as_path() != keep)
        .filter(|path| {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                return false;
            };
            if name.starts_with(".partial-") {
                let age = std::fs::metadata(path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok());
                return age.is_some_and(|a| a > STALE_PARTIAL);
            }
            copy_sha(name).is_some_and(|sha| !current.contains(sha))
        })
        .cloned()
        .collect()
}

impl PgStore {
    /// Removes the copies in `target`'s folder that are of no recording
    /// of the study any more, keeping `target`; best effort (see the
    /// module's notes).
    fn sweep(&self, target: &Path) {
        let Some(dir) = target.parent() else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let listed: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        let current = self
            .client()
            .query("SELECT DISTINCT sha256 FROM media", &[])
            .and_then(|rows| rows.iter().map(|r| r.try_get(0)).collect());
        let Ok(current) = current else {
            return;
        };
        for stale in stale_copies(&listed, &current, target) {
            let _ = std::fs::remove_file(stale);
        }
    }

    /// Writes the recording's bytes from the database into `target`
    /// (through a partial file renamed at the end), checking its SHA-256.
    fn materialise(&self, rec: &Recording, target: &Path) -> Result<(), StoreError> {
        let dir = target.parent().unwrap_or(Path::new("."));
        make_private_dir(dir)?;
        let partial = dir.join(format!(".partial-{}", uuid::Uuid::new_v4()));
        let written = self.write_chunks(rec, &partial);
        let done = written.and_then(|sha| {
            if sha != rec.sha256 {
                return Err(StoreError::Corrupt(format!(
                    "the stored bytes of the recording of {:?} do not match its SHA-256",
                    rec.source
                )));
            }
            std::fs::rename(&partial, target).map_err(|e| {
                StoreError::Invalid(format!("could not write {}: {e}", target.display()))
            })
        });
        if done.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        done
    }

    /// Writes every piece of `rec` into a new owner-only file; returns the
    /// SHA-256 of what was written.
    fn write_chunks(&self, rec: &Recording, to: &Path) -> Result<String, StoreError> {
        let fail = |e: std::io::Error| {
            StoreError::Invalid(format!("could not write {}: {e}", to.display()))
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut out = options.open(to).map_err(fail)?;
        let mut hasher = Sha256::new();
        let mut client = self.client();
        let count: i64 = client
            .query_one(
                "SELECT count(*) FROM media_chunks WHERE sha256 = $1",
                &[&rec.sha256],
            )
            .or_server(self.address())?
            .try_get(0)
            .or_server(self.address())?;
        // One piece per query: a long recording never sits whole in memory.
        for n in 0..count {
            let row = client
                .query_one(
                    "SELECT bytes FROM media_chunks WHERE sha256 = $1 AND n = $2",
                    &[&rec.sha256, &n],
                )
                .or_server(self.address())?;
            let bytes: &[u8] = row.try_get(0).or_server(self.address())?;
            hasher.update(bytes);
            out.write_all(bytes).map_err(fail)?;
        }
        out.sync_all().map_err(fail)?;
        Ok(format!("{:x}", hasher.finalize()))
    }
}

impl Media for PgStore {
    fn recording(&self, source_id: i64) -> Result<Option<Recording>, StoreError> {
        recording_in(&mut *self.client(), source_id).or_server(self.address())
    }

    fn recordings(&self) -> Result<Vec<Recording>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM media m JOIN sources s ON s.id = m.source_id ORDER BY m.source_id"
        );
        let rows = self.client().query(&sql, &[]).or_server(self.address())?;
        rows.iter()
            .map(recording_of)
            .collect::<Result<_, _>>()
            .or_server(self.address())
    }

    fn media_path(&self, recording: &Recording) -> Result<PathBuf, StoreError> {
        let target = cache_dir(&self.address().identity())?.join(recording.file_name());
        let complete = std::fs::metadata(&target).is_ok_and(|m| m.len() == recording.bytes);
        if !complete {
            self.materialise(recording, &target)?;
        }
        self.sweep(&target);
        Ok(target)
    }

    fn attach_media(
        &mut self,
        actor: &str,
        which: &SourceRef,
        file: &Path,
    ) -> Result<Recording, StoreError> {
        let source_id = {
            let mut client = self.client();
            let id = reads::resolve(&mut *client, which).map_err(|e| self.read_error(e))?;
            if let Some(current) = recording_in(&mut *client, id).or_server(self.address())? {
                return Err(already_recorded(&current));
            }
            id
        };
        let probed = probe_recording(file)?;
        let (sha256, bytes) = hash_file(file)
            .map_err(|e| StoreError::Invalid(format!("could not read {}: {e}", file.display())))?;
        let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
        let duration = probed.duration_ms.and_then(|d| i64::try_from(d).ok());
        let summary = probed.summary(&sha256);
        self.act(actor, "media.attach", |tx, rec| {
            if let Some(current) = recording_in(tx, source_id)? {
                return Err(already_recorded(&current).into());
            }
            store_chunks(tx, file, &sha256)?;
            let container = probed.container;
            rec.insert(
                tx,
                "media",
                &[
                    ("source_id", &source_id),
                    ("sha256", &sha256),
                    ("kind", &container.kind.as_str()),
                    ("container", &container.name),
                    ("mime", &container.mime),
                    ("bytes", &bytes),
                    ("duration_ms", &duration),
                    ("original_name", &probed.original_name),
                    ("attached_at", &now()),
                ],
            )?;
            Ok(((), Some(format!("source:{source_id}")), summary))
        })?;
        self.recording(source_id)?
            .ok_or_else(|| StoreError::Corrupt("the attached recording vanished".into()))
    }

    fn detach_media(&mut self, actor: &str, which: &SourceRef) -> Result<Recording, StoreError> {
        self.act(actor, "media.detach", |tx, rec| {
            let source_id = reads::resolve(tx, which)?;
            let Some(current) = recording_in(tx, source_id)? else {
                let name: String = tx
                    .query_one("SELECT name FROM sources WHERE id = $1", &[&source_id])?
                    .try_get(0)?;
                return Err(nothing_to_detach(&name).into());
            };
            let id: i64 = tx
                .query_one("SELECT id FROM media WHERE source_id = $1", &[&source_id])?
                .try_get(0)?;
            rec.delete(tx, "media", id)?;
            let summary = media_detach_summary(&current);
            Ok((current, Some(format!("source:{source_id}")), summary))
        })
    }

    fn append_turn(
        &mut self,
        actor: &str,
        source: i64,
        turn: &TypedTurn,
    ) -> Result<AppendedTurn, StoreError> {
        let checked = check_turn(turn)?;
        self.act(actor, "source.append_turn", |tx, rec| {
            let row = tx
                .query_opt(
                    "SELECT s.chars, m.duration_ms, t.text FROM sources s \
                     JOIN source_texts t ON t.source_id = s.id \
                     LEFT JOIN media m ON m.source_id = s.id WHERE s.id = $1 FOR UPDATE OF s",
                    &[&source],
                )?
                .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
            let (chars, duration, text): (i64, Option<i64>, String) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            let last: Option<LastTurn> = tx
                .query_opt(
                    "SELECT ordinal, begin_ms, end_ms FROM turns WHERE source_id = $1 \
                     ORDER BY ordinal DESC LIMIT 1",
                    &[&source],
                )?
                .map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                .transpose()?;
            let placed = place_turn(checked, chars, text.ends_with('\n'), duration, last)?;
            splice_source(tx, rec, source, &[placed.splice], false)?;
            let turn = placed.turn;
            if let Some(previous) = placed.closes {
                rec.update_keyed(
                    tx,
                    "turns",
                    &[("source_id", source), ("ordinal", previous)],
                    &[("end_ms", &turn.begin_ms)],
                )?;
            }
            rec.insert_keyed(
                tx,
                "turns",
                &["source_id", "ordinal"],
                &[
                    ("source_id", &source),
                    ("ordinal", &turn.ordinal),
                    ("speaker", &turn.speaker),
                    ("start_char", &turn.start),
                    ("end_char", &turn.end),
                    ("begin_ms", &turn.begin_ms),
                ],
            )?;
            Ok((turn, Some(format!("source:{source}")), placed.summary))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_copies_are_those_of_no_current_recording_and_old_partials() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));
        let touch = |name: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, b"x").unwrap();
            path
        };
        let current_copy = touch(&format!("{a}.wav"));
        let replaced = touch(&format!("{b}.mp4"));
        let served = touch(&format!("{c}.ogg"));
        let fresh_partial = touch(".partial-1");
        let old_partial = touch(".partial-2");
        let hour_and_a_bit = std::time::SystemTime::now() - Duration::from_secs(3700);
        std::fs::File::options()
            .write(true)
            .open(&old_partial)
            .unwrap()
            .set_modified(hour_and_a_bit)
            .unwrap();
        let other = touch("notes.txt");
        let listed: Vec<PathBuf> = [
            &current_copy,
            &replaced,
            &served,
            &fresh_partial,
            &old_partial,
            &other,
        ]
        .into_iter()
        .cloned()
        .collect();
        let current: HashSet<String> = [a.clone()].into_iter().collect();
        // c is no recording either, but it is the copy being served (its
        // recording detached after it was read): it is kept.
        let mut stale = stale_copies(&listed, &current, &served);
        stale.sort();
        let mut expected = vec![old_partial, replaced];
        expected.sort();
        assert_eq!(stale, expected);
        assert_eq!(copy_sha(&format!("{a}.wav")), Some(a.as_str()));
        assert_eq!(copy_sha("abc.wav"), None);
        assert_eq!(copy_sha(&a), None);
    }
}
