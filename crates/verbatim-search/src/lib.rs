//! Full-text search over a study (being written).

#![warn(missing_docs)]
#![forbid(unsafe_code)]
