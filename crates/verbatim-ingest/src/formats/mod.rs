//! One reader per file format, each turning bytes into [`Extracted`] blocks.

mod captions;
mod docx;
mod html;
mod odt;
mod office;
mod pdf;
pub(crate) mod pdf_child;
mod rtf;
mod txt;

use verbatim_core::Format;

use crate::{Extracted, IngestError, Limits};

/// Returns the blocks of `bytes` read as `format`.
pub(crate) fn extract(
    format: Format,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Extracted, IngestError> {
    match format {
        Format::Txt | Format::Md => txt::extract(bytes),
        Format::Docx => docx::extract(bytes, limits),
        Format::Odt => odt::extract(bytes, limits),
        Format::Rtf => rtf::extract(bytes),
        Format::Html => html::extract(bytes),
        Format::Pdf => pdf::extract(bytes, limits),
        Format::Vtt => captions::extract_vtt(bytes),
        Format::Srt => captions::extract_srt(bytes),
    }
}
