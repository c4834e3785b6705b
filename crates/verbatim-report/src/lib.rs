//! From a study to a results section: figures as deterministic SVG, reports
//! in HTML, Markdown and DOCX, and the quotes' translation round trip.

pub mod figures;
pub mod quotes;
pub mod reads;
pub mod report;
pub mod translation;

pub use reads::ReportReads;
