//! Reader for plain-text and Markdown transcripts: one block per line.

use crate::decode::decode_text;
use crate::{Block, Extracted, IngestError, Join};

/// Returns the lines of a plain-text file as blocks.
pub(crate) fn extract(bytes: &[u8]) -> Result<Extracted, IngestError> {
    let decoded = decode_text(bytes)?;
    let blocks = decoded.text.lines().map(Block::paragraph).collect();
    let mut extracted = Extracted {
        blocks,
        join: Join::Lines,
        ..Extracted::default()
    };
    extracted.metadata.encoding = Some(decoded.encoding.to_owned());
    Ok(extracted)
}
