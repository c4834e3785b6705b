//! Recordings and live transcription as a trait: the recording a source
//! was made from, attaching and detaching one, where its bytes can be
//! read as a file, and the turns typed against it.
//!
//! A study file keeps its recordings in a folder beside it; a PostgreSQL
//! study keeps their bytes in the database (so a database backup is a
//! study backup) and gives each server process a private cached copy to
//! serve. The checks and sentences both share live in `media` and
//! `transcribe` (re-exported by `rules`).

use std::path::{Path, PathBuf};

use crate::{AppendedTurn, Recording, SourceRef, SqliteStore, StoreError, TypedTurn};

/// The recordings of a study's sources.
pub trait Media {
    /// Returns the recording a source was made from, if any.
    fn recording(&self, source_id: i64) -> Result<Option<Recording>, StoreError>;

    /// Returns every source's recording, by source id.
    fn recordings(&self) -> Result<Vec<Recording>, StoreError>;

    /// Returns a file holding a recording's bytes (for a server study, a
    /// private cached copy, written once).
    fn media_path(&self, recording: &Recording) -> Result<PathBuf, StoreError>;

    /// Attaches the recording `file` to a source (one undoable action).
    fn attach_media(
        &mut self,
        actor: &str,
        which: &SourceRef,
        file: &Path,
    ) -> Result<Recording, StoreError>;

    /// Detaches a source's recording and returns it (one undoable action;
    /// the bytes are kept so that undo can attach them again).
    fn detach_media(&mut self, actor: &str, which: &SourceRef) -> Result<Recording, StoreError>;

    /// Appends a typed turn to a source being transcribed.
    fn append_turn(
        &mut self,
        actor: &str,
        source: i64,
        turn: &TypedTurn,
    ) -> Result<AppendedTurn, StoreError>;
}

impl Media for SqliteStore {
    fn recording(&self, source_id: i64) -> Result<Option<Recording>, StoreError> {
        SqliteStore::recording(self, source_id)
    }
    fn recordings(&self) -> Result<Vec<Recording>, StoreError> {
        SqliteStore::recordings(self)
    }
    fn media_path(&self, recording: &Recording) -> Result<PathBuf, StoreError> {
        Ok(SqliteStore::media_path(self, recording))
    }
    fn attach_media(
        &mut self,
        actor: &str,
        which: &SourceRef,
        file: &Path,
    ) -> Result<Recording, StoreError> {
        SqliteStore::attach_media(self, actor, which, file)
    }
    fn detach_media(&mut self, actor: &str, which: &SourceRef) -> Result<Recording, StoreError> {
        SqliteStore::detach_media(self, actor, which)
    }
    fn append_turn(
        &mut self,
        actor: &str,
        source: i64,
        turn: &TypedTurn,
    ) -> Result<AppendedTurn, StoreError> {
        SqliteStore::append_turn(self, actor, source, turn)
    }
}
