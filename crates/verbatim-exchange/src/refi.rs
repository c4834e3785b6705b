//! REFI-QDA 1.5: `.qdpx` projects and `.qdc` codebooks, read and written.

use thiserror::Error;

use crate::codebook::CodebookEntry;

/// Why a REFI-QDA file could not be read or written.
#[derive(Debug, Error)]
pub enum RefiError {
    /// Placeholder until the reader lands.
    #[error("reading REFI-QDA codebooks is being built")]
    NotBuilt,
}

/// Reads a `.qdc` codebook.
pub fn read_codebook(_bytes: &[u8]) -> Result<Vec<CodebookEntry>, RefiError> {
    Err(RefiError::NotBuilt)
}
