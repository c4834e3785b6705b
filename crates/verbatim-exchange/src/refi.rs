//! REFI-QDA 1.5: `.qdpx` projects and `.qdc` codebooks, read and written.
