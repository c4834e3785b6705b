//! Readers for caption files from automatic transcription (placeholder).

use crate::{Extracted, IngestError};

/// Returns the cues of a WebVTT file as blocks.
pub(crate) fn extract_vtt(_bytes: &[u8]) -> Result<Extracted, IngestError> {
    Err(IngestError::Malformed {
        format: "vtt",
        reason: "reader not built yet".into(),
    })
}

/// Returns the cues of a SubRip file as blocks.
pub(crate) fn extract_srt(_bytes: &[u8]) -> Result<Extracted, IngestError> {
    Err(IngestError::Malformed {
        format: "srt",
        reason: "reader not built yet".into(),
    })
}
