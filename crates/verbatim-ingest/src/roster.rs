//! Spreadsheets in: rosters and mapping files as rows of text cells.
//!
//! Participant rosters and speaker-mapping files are kept in whatever the
//! team uses: a CSV exported by Excel in French (semicolons, Windows-1252),
//! a CSV written by a script (commas, UTF-8), or the `.xlsx` itself. This
//! module turns each into a header and rows of trimmed text, the same for
//! every format, and leaves typing and validation to the store, which knows
//! the study's attributes. Excel date cells become `YYYY-MM-DD`. Workbooks
//! are read by `workbook`, out of harm's way.

use std::path::Path;

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
    /// cells than [`crate::MAX_SHEET_CELLS`] (a cell far out at row 1,048,576,
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
    let rows = crate::workbook::workbook_rows(bytes)?;
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
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
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
