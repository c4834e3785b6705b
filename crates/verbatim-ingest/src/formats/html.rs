//! Reader for .html files (placeholder until the reader lands).

use crate::{Extracted, IngestError};

/// Returns the blocks of a .html document.
pub(crate) fn extract(_bytes: &[u8]) -> Result<Extracted, IngestError> {
    Err(IngestError::Malformed {
        format: "html",
        reason: "reader not built yet".into(),
    })
}
