//! Exchange with other tools: the REFI-QDA standard (`.qdpx` projects and
//! `.qdc` codebooks) and spreadsheets (CSV and XLSX).
//!
//! Nothing here touches SQL directly: export reads a study through
//! `verbatim-store`, import writes through it inside one transaction, so a
//! failed import leaves the study unchanged.

pub mod codebook;
pub mod refi;
pub mod sheets;
