//! Spreadsheets: coded segments and codebooks as CSV or XLSX, and codebooks read back.
