//! Recordings and live transcription as a trait: the media a source was
//! made from and the turns typed against it.
//!
//! Media files sit beside a study file; a study on a server has no folder
//! beside it, so a backend without one keeps the default bodies, which say
//! so.

use std::path::PathBuf;

use crate::{AppendedTurn, Recording, SqliteStore, StoreError, TypedTurn};

/// The name of this concern in the "not yet on PostgreSQL" sentence.
const CONCERN: &str = "recordings and transcription";

/// The recordings of a study's sources.
pub trait Media {
    /// Returns the recording a source was made from, if any.
    fn recording(&self, _source_id: i64) -> Result<Option<Recording>, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Returns where a recording's file is kept.
    fn media_path(&self, _recording: &Recording) -> Result<PathBuf, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }

    /// Appends a typed turn to a source being transcribed.
    fn append_turn(
        &mut self,
        _actor: &str,
        _source: i64,
        _turn: &TypedTurn,
    ) -> Result<AppendedTurn, StoreError> {
        Err(StoreError::NotOnPostgres(CONCERN))
    }
}

impl Media for SqliteStore {
    fn recording(&self, source_id: i64) -> Result<Option<Recording>, StoreError> {
        SqliteStore::recording(self, source_id)
    }
    fn media_path(&self, recording: &Recording) -> Result<PathBuf, StoreError> {
        Ok(SqliteStore::media_path(self, recording))
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
