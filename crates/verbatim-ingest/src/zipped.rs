//! Safe reading of zip containers (docx, odt) under a decompression limit
//! (placeholder until the office readers land).
