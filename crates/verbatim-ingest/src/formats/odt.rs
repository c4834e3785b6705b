//! Reader for .odt files (placeholder until the reader lands).

use crate::{Extracted, IngestError, Limits};

/// Returns the blocks of a .odt document.
pub(crate) fn extract(_bytes: &[u8], _limits: &Limits) -> Result<Extracted, IngestError> {
    Err(IngestError::Malformed {
        format: "odt",
        reason: "reader not built yet".into(),
    })
}
