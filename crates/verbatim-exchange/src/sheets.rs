//! Spreadsheets: coded segments and codebooks as CSV or XLSX, and codebooks
//! read back.
//!
//! Teams hand coded data to statisticians, supervisors and archives as
//! spreadsheets, and many start a project from a codebook typed in Excel.
//! This module builds the tables from a study ([`segments`], [`codebook_out`]),
//! writes them ([`csv_out`], [`xlsx_out`]), and reads a codebook from a
//! spreadsheet ([`codebook_in`]) into the [`CodebookEntry`] forest that
//! [`crate::codebook::write_codebook`] stores.
//!
//! Two rules hold for every file written here:
//!
//! - **Text stays text.** A passage that starts with `=`, `+`, `-` or `@`
//!   would be run as a formula by Excel or LibreOffice when a CSV is opened
//!   ("CSV injection"). The XLSX writer stores every text cell as a string
//!   cell, which no spreadsheet evaluates; the CSV writer prefixes such
//!   cells with an apostrophe, the mark spreadsheets themselves use for
//!   "this is text", and the codebook reader removes it again.
//! - **Blind layers hold.** Rows come through a [`verbatim_store::Scope`], so
//!   a coder exports only their own codings until the study is revealed.
//!
//! [`CodebookEntry`]: crate::codebook::CodebookEntry

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod codebook_in;
pub mod codebook_out;
pub mod csv_out;
pub(crate) mod headers;
pub mod segments;
pub mod xlsx_out;

use thiserror::Error;
use verbatim_store::StoreError;

/// One cell of a table to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text, written as text whatever it starts with.
    Text(String),
    /// A whole number (offsets, counts), written as a number.
    Int(i64),
    /// Nothing.
    Empty,
}

impl Cell {
    /// Returns a text cell, or an empty one for an empty string.
    pub fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        if text.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(text)
        }
    }

    /// Returns a text cell for `Some`, an empty one for `None`.
    pub fn opt(text: Option<&str>) -> Self {
        text.map_or(Cell::Empty, Cell::text)
    }
}

/// How wide a column should be shown, by what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// Codes, numbers, flags.
    Narrow,
    /// Names, paths, attributes.
    Medium,
    /// Passages, definitions, memos.
    Wide,
}

impl Width {
    /// Returns the width in Excel's character units.
    pub fn chars(self) -> f64 {
        match self {
            Width::Narrow => 10.0,
            Width::Medium => 24.0,
            Width::Wide => 60.0,
        }
    }
}

/// A table: named columns, then rows of as many cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The sheet's name in a workbook.
    pub name: String,
    /// Column names with their display widths.
    pub columns: Vec<(String, Width)>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Returns the column names.
    pub fn header(&self) -> Vec<&str> {
        self.columns.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// What writing a table did that the user should hear about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Rows written, header not counted.
    pub rows: usize,
    /// Text cells cut to the XLSX limit of 32,767 characters (a passage of
    /// a whole transcript can be longer); the CSV keeps them whole.
    pub truncated: usize,
}

/// Why a spreadsheet could not be built, written or read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SheetError {
    /// The study could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the file failed.
    #[error("could not write the file: {0}")]
    Io(#[from] std::io::Error),
    /// The CSV writer failed.
    #[error("could not write the CSV: {0}")]
    Csv(String),
    /// The XLSX writer failed.
    #[error("could not write the workbook: {0}")]
    Xlsx(String),
    /// More rows than a worksheet holds.
    #[error(
        "{rows} rows do not fit in one worksheet (at most 1,048,575 below the header): export as CSV, or as one file per coder with --coder"
    )]
    TooManyRows {
        /// Rows to write.
        rows: usize,
    },
    /// The spreadsheet itself cannot be read (not a CSV or workbook, damaged).
    #[error("{0}")]
    Unreadable(String),
    /// The file has no column the codebook reader recognises as the codes.
    #[error(
        "no column holds the codes: name one `code`, `name`, `path` (or in French `nom`, `chemin`); the columns found are {found}"
    )]
    NoCodeColumn {
        /// The header as read, quoted and comma-separated.
        found: String,
    },
    /// A row of a codebook is wrong; nothing was imported.
    #[error("row {row}, column {column:?}: {reason}")]
    BadRow {
        /// The spreadsheet's row number (1 is the header).
        row: usize,
        /// The column's name as the file writes it.
        column: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The codebook read cannot be stored as a whole.
    #[error(transparent)]
    Codebook(#[from] crate::codebook::CodebookError),
}
