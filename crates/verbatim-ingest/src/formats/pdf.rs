//! Reader for .pdf files (placeholder until the reader lands).

use crate::{Extracted, IngestError, Limits};

/// Returns the blocks of a PDF's text layer.
pub(crate) fn extract(_bytes: &[u8], _limits: &Limits) -> Result<Extracted, IngestError> {
    Err(IngestError::Malformed {
        format: "pdf",
        reason: "reader not built yet".into(),
    })
}
