//! Reader for .rtf files (placeholder until the reader lands).

use crate::{Extracted, IngestError};

/// Returns the blocks of a .rtf document.
pub(crate) fn extract(_bytes: &[u8]) -> Result<Extracted, IngestError> {
    Err(IngestError::Malformed {
        format: "rtf",
        reason: "reader not built yet".into(),
    })
}
