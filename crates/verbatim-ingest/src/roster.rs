//! Spreadsheets in: rosters and mapping files as rows of text cells.
//!
//! Participant rosters and speaker-mapping files are kept in whatever the
//! team uses: a CSV exported by Excel in French (semicolons, Windows-1252),
//! a CSV written by a script (commas, UTF-8), or the `.xlsx` itself. This
//! module turns each into a header and rows of trimmed text, the same for
//! every format, and leaves typing and validation to the store, which knows
//! the study's attributes. Excel date cells become `YYYY-MM-DD`.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};
use thiserror::Error;

/// A spreadsheet read as text: the first row, then the others.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sheet {
    /// The first row: column names.
    pub header: Vec<String>,
    /// The other rows, each as long as it was written.
    pub rows: Vec<Vec<String>>,
}

/// Why a spreadsheet could not be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SheetError {
    /// The file could not be read from disk.
    #[error("could not read the file: {0}")]
    Io(#[source] std::io::Error),
    /// The extension names no spreadsheet format verbatim reads.
    #[error("unsupported file type {0:?}: give a .csv, .tsv, .xlsx or .ods file")]
    Unsupported(String),
    /// A CSV file is malformed (a quote left open, a row with a cell too
    /// many or too few, too many columns).
    #[error(transparent)]
    Csv(#[from] crate::csv_text::CsvError),
    /// A workbook is damaged or not a workbook.
    #[error("the workbook could not be read ({0}): open it in its spreadsheet and save it again")]
    Workbook(String),
    /// The file holds no rows.
    #[error("the file holds no rows: check that it is the file you meant")]
    Empty,
}

/// The largest spreadsheet read: a roster of thousands of participants
/// is a few megabytes.
const MAX_SHEET_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a spreadsheet from a file, choosing the format by extension.
pub fn read_sheet(path: &Path) -> Result<Sheet, SheetError> {
    let bytes = crate::read_regular(path, MAX_SHEET_BYTES).map_err(|e| match e {
        crate::IngestError::Io(io) => SheetError::Io(io),
        other => SheetError::Io(std::io::Error::other(other.to_string())),
    })?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    read_sheet_bytes(&ext, &bytes)
}

/// Reads a spreadsheet from bytes; `extension` (`csv`, `tsv`, `txt`,
/// `xlsx`, `xlsm`, `xls`, `ods`) says which format.
pub fn read_sheet_bytes(extension: &str, bytes: &[u8]) -> Result<Sheet, SheetError> {
    let rows = match extension {
        "csv" | "tsv" | "txt" => read_csv(bytes)?,
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(bytes)?,
        other => return Err(SheetError::Unsupported(other.to_owned())),
    };
    let mut rows = rows
        .into_iter()
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()));
    let header = rows.next().ok_or(SheetError::Empty)?;
    Ok(Sheet {
        header,
        rows: rows.collect(),
    })
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    Ok(crate::csv_text::read_csv(bytes)?
        .into_iter()
        .map(|r| r.cells.iter().map(|c| c.trim().to_owned()).collect())
        .collect())
}

fn read_workbook(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let owned = bytes.to_vec();
    // A third-party parser must not take the program down on a hostile file.
    let read = std::panic::catch_unwind(move || -> Result<Vec<Vec<String>>, String> {
        let mut book =
            calamine::open_workbook_auto_from_rs(Cursor::new(owned)).map_err(|e| e.to_string())?;
        let range = book
            .worksheet_range_at(0)
            .ok_or_else(|| "it has no sheet".to_owned())?
            .map_err(|e| e.to_string())?;
        Ok(range
            .rows()
            .map(|row| row.iter().map(cell_text).collect())
            .collect())
    });
    match read {
        Ok(Ok(rows)) => Ok(rows),
        Ok(Err(reason)) => Err(SheetError::Workbook(reason)),
        Err(_) => Err(SheetError::Workbook(
            "the reader failed on its content".into(),
        )),
    }
}

/// Returns a cell as text: numbers without a needless `.0`, booleans as
/// `true`/`false`, dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::String(s) => s.trim().to_owned(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => excel_date(d.as_f64()),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// Returns the date of an Excel serial day number (1900 system).
fn excel_date(serial: f64) -> String {
    // Day 25569 is 1970-01-01.
    let days = serial.floor() as i64 - 25_569;
    // Civil-from-days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_excel_csv_is_read() {
        let bytes = b"code;nom;\xe2ge\r\nCHFG-C;Ma\xefa;34\r\n;;\r\n";
        let sheet = read_sheet_bytes("csv", bytes).expect("csv");
        assert_eq!(sheet.header, vec!["code", "nom", "âge"]);
        assert_eq!(sheet.rows, vec![vec!["CHFG-C", "Maïa", "34"]]);
    }

    #[test]
    fn quoted_commas_stay_in_their_cell() {
        let sheet =
            read_sheet_bytes("csv", "\u{feff}code,note\nA,\"un, deux\"\n".as_bytes()).expect("csv");
        assert_eq!(sheet.rows[0], vec!["A", "un, deux"]);
    }

    #[test]
    fn excel_serial_days_become_dates() {
        assert_eq!(excel_date(45363.0), "2024-03-12");
        assert_eq!(excel_date(25569.5), "1970-01-01");
    }

    #[test]
    fn bad_workbooks_and_types_are_refused() {
        assert!(matches!(
            read_sheet_bytes("xlsx", b"not a zip"),
            Err(SheetError::Workbook(_))
        ));
        assert!(matches!(
            read_sheet_bytes("docx", b""),
            Err(SheetError::Unsupported(_))
        ));
        assert!(matches!(
            read_sheet_bytes("csv", b"\n\n"),
            Err(SheetError::Empty)
        ));
    }
}
