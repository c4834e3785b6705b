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
    /// A workbook's filled rows, as wide as its widest, would hold more
    /// cells than [`MAX_SHEET_CELLS`] (a cell far out at row 1,048,576,
    /// column XFD, makes a 600-byte file 17 billion cells wide).
    #[error(
        "its filled rows span {rows} rows by {columns} columns, more than the {limit} cells a sheet may hold: delete the stray cells far from the table, or split it"
    )]
    TooLarge {
        /// Rows holding at least one value.
        rows: usize,
        /// Columns from A to the last holding a value.
        columns: usize,
        /// The limit in force.
        limit: usize,
    },
}

/// The most bytes a workbook (.xlsx, .ods) may inflate to, all parts
/// together: four million cells of XML fit in it. Checked, counting
/// without keeping, before calamine reads the file, since calamine holds a
/// cell's text whole: a 6 MB workbook whose one cell inflates to a
/// gigabyte took a gigabyte.
pub const MAX_WORKBOOK_INFLATED: u64 = 128 * 1024 * 1024;

/// How long reading a workbook may take: a 16,000-column roster reads in
/// a few seconds in a debug build.
const WORKBOOK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// The most cells a workbook's filled rows may span (rows holding a value
/// times columns up to the last holding one): a roster of 10,000
/// participants by 400 columns. Beyond it a workbook is refused before
/// any grid is built.
pub const MAX_SHEET_CELLS: usize = 4_000_000;

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

/// Returns a roster workbook's filled rows, from its first filled column
/// (a table that starts in column B reads as one that starts in A).
fn read_workbook(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let rows = workbook_rows(bytes)?;
    let skip = rows
        .iter()
        .filter_map(|(_, row)| row.iter().position(|c| !c.is_empty()))
        .min()
        .unwrap_or(0);
    Ok(rows
        .into_iter()
        .map(|(_, mut row)| row.split_off(skip))
        .collect())
}

/// Returns the filled rows of a workbook's first sheet, each with its row
/// number (from 1) and its cells from column A, all as wide as the widest.
///
/// An `.xlsx` is read cell by cell (calamine's cell reader) and only the
/// cells holding a value are kept, so its extent is checked against
/// [`MAX_SHEET_CELLS`] before any grid is built: calamine's own grid would
/// span from the first cell to the last, and a lone cell at XFD1048576
/// asked for half a terabyte and aborted the process. Other workbooks
/// (`.ods`, `.xls`) go through calamine's grid, which caps repeated rows
/// at 1,048,576 and cells at 100 million itself; a grid over
/// [`MAX_SHEET_CELLS`] is refused before it is walked. Used for rosters
/// and for codebook sheets.
pub fn workbook_rows(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, SheetError> {
    if bytes.starts_with(b"PK") {
        let limits = crate::Limits {
            max_unzipped_bytes: MAX_WORKBOOK_INFLATED,
            ..crate::Limits::default()
        };
        let refused = |e: crate::IngestError| SheetError::Workbook(e.to_string());
        crate::zipped::Container::open(bytes, "workbook", &limits)
            .and_then(|mut c| c.check_inflated_size())
            .map_err(refused)?;
    }
    let owned = bytes.to_vec();
    // A third-party parser must not take the program down on a hostile
    // file, nor hold it: it runs on its own thread, under catch_unwind and
    // a time limit (a 2 KB .ods repeating rows and columns kept calamine
    // busy for minutes).
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("workbook".into())
        .spawn(move || {
            let read = std::panic::catch_unwind(move || -> Result<Sparse, SheetError> {
                match calamine::Xlsx::new(Cursor::new(owned.as_slice())) {
                    Ok(book) => xlsx_cells(book),
                    Err(_) => grid_cells(owned),
                }
            });
            // The receiver is gone after a timeout; nothing is left to tell.
            let _ = sender.send(read);
        })
        .map_err(|e| SheetError::Workbook(format!("could not start the reader: {e}")))?;
    let sparse = match receiver.recv_timeout(WORKBOOK_TIMEOUT) {
        Ok(Ok(result)) => result?,
        Ok(Err(_)) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            return Err(SheetError::Workbook(
                "the reader failed on its content".into(),
            ));
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            return Err(SheetError::Workbook(format!(
                "reading it took more than {} s, far more than any roster needs; it may repeat rows or columns without end",
                WORKBOOK_TIMEOUT.as_secs()
            )));
        }
    };
    let columns = sparse
        .values()
        .flat_map(|cells| cells.iter().map(|(c, _)| c + 1))
        .max()
        .unwrap_or(0);
    if sparse.len().saturating_mul(columns) > MAX_SHEET_CELLS {
        return Err(SheetError::TooLarge {
            rows: sparse.len(),
            columns,
            limit: MAX_SHEET_CELLS,
        });
    }
    Ok(sparse
        .into_iter()
        .map(|(row, cells)| {
            let mut dense = vec![String::new(); columns];
            for (c, text) in cells {
                dense[c] = text;
            }
            (row + 1, dense)
        })
        .collect())
}

/// The cells holding a value, by row (from 0): `(column, text)`.
type Sparse = std::collections::BTreeMap<usize, Vec<(usize, String)>>;

/// Reads an `.xlsx`'s first sheet cell by cell, keeping the filled ones.
fn xlsx_cells<R: std::io::Read + std::io::Seek>(
    mut book: calamine::Xlsx<R>,
) -> Result<Sparse, SheetError> {
    let bad = |e: calamine::XlsxError| SheetError::Workbook(e.to_string());
    let name = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| SheetError::Workbook("it has no sheet".into()))?;
    let mut reader = book.worksheet_cells_reader(&name).map_err(bad)?;
    let mut sparse = Sparse::new();
    let mut filled = 0usize;
    while let Some(cell) = reader.next_cell().map_err(bad)? {
        let (row, column) = cell.get_position();
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        filled += 1;
        if filled > MAX_SHEET_CELLS {
            return Err(SheetError::TooLarge {
                rows: sparse.len(),
                columns: column as usize + 1,
                limit: MAX_SHEET_CELLS,
            });
        }
        sparse
            .entry(row as usize)
            .or_default()
            .push((column as usize, text));
    }
    Ok(sparse)
}

/// Reads any other workbook's first sheet through calamine's grid.
fn grid_cells(owned: Vec<u8>) -> Result<Sparse, SheetError> {
    let bad = |e: String| SheetError::Workbook(e);
    let mut book =
        calamine::open_workbook_auto_from_rs(Cursor::new(owned)).map_err(|e| bad(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| bad("it has no sheet".into()))?
        .map_err(|e| bad(e.to_string()))?;
    // calamine has built the grid (capped at 100 million cells); refuse a
    // large one before walking it.
    let (rows, columns) = range.get_size();
    if rows.saturating_mul(columns) > MAX_SHEET_CELLS {
        return Err(SheetError::TooLarge {
            rows,
            columns,
            limit: MAX_SHEET_CELLS,
        });
    }
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let mut sparse = Sparse::new();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<(usize, String)> = row
            .iter()
            .enumerate()
            .map(|(j, cell)| (first_column as usize + j, cell_text(cell)))
            .filter(|(_, text)| !text.is_empty())
            .collect();
        if !cells.is_empty() {
            sparse.insert(first_row as usize + i, cells);
        }
    }
    Ok(sparse)
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

    /// Returns an .xlsx whose first sheet is `sheet_data` (rows).
    fn xlsx(sheet_data: &str) -> Vec<u8> {
        use std::io::Write;
        let parts = [
            ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.to_owned()),
            ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
            ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="R" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned()),
            ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned()),
            ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#)),
        ];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            zip.write_all(text.as_bytes()).expect("write");
        }
        zip.finish().expect("zip").into_inner()
    }

    /// Found by `tests/fuzz_importers.rs` and the hostile corpus: a cell at
    /// XFD1048576 beside one at A1 made calamine's grid ask for half a
    /// terabyte, and the allocation failure aborted the process.
    #[test]
    fn a_cell_at_the_far_corner_is_refused_not_allocated() {
        let bytes = xlsx(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#,
        );
        match read_sheet_bytes("xlsx", &bytes) {
            // 2 filled rows by 16,384 columns: 32,768 cells, under the
            // limit; the grid would have been 1,048,576 x 16,384.
            Ok(sheet) => {
                assert_eq!(sheet.header.len(), 16_384);
                assert_eq!(sheet.rows.len(), 1);
                assert_eq!(sheet.rows[0][16_383], "x");
            }
            Err(e) => panic!("{e}"),
        }
        // 300 filled rows, each with a cell in column XFD: 300 x 16,384 =
        // 4,915,200 cells, over the 4,000,000 limit.
        let rows: String = (1..=300)
            .map(|r| {
                format!(r#"<row r="{r}"><c r="XFD{r}" t="inlineStr"><is><t>x</t></is></c></row>"#)
            })
            .collect();
        match read_sheet_bytes("xlsx", &xlsx(&rows)) {
            Err(e @ SheetError::TooLarge { .. }) => {
                assert!(e.to_string().contains("300 rows by 16384 columns"), "{e}");
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
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
