//! Tables as Excel workbooks, through `rust_xlsxwriter`.
//!
//! One worksheet per table: the header row bold and frozen so it stays in
//! view, an autofilter on it so every column can be filtered, column widths
//! by what the column holds. Text cells are string cells, so a passage that
//! starts with `=` is shown, never evaluated. Excel holds at most 32,767
//! characters in a cell and 1,048,576 rows in a sheet: longer cells are cut
//! with a closing `…` (and counted in the report), more rows are refused
//! before anything is written.
//!
//! Worksheets are written in `rust_xlsxwriter`'s constant-memory mode: each
//! row goes to a temporary file as it is written, with its strings inline,
//! instead of a shared-string table held for the whole sheet. A 100,000-row
//! export then stays flat in memory and took two thirds of the time
//! (BENCHMARKS.md, "Spreadsheet export"). Rows are written top to bottom,
//! which is all this mode asks.

use std::io::Write;

use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use super::{Cell, SheetError, Table, WriteReport};

/// Excel's limit on the characters of one cell.
const CELL_LIMIT: usize = 32_767;

/// Excel's limit on rows in a worksheet, header included.
const ROW_LIMIT: usize = 1_048_576;

/// Writes the tables as one workbook, one worksheet each.
pub fn write_xlsx(tables: &[&Table], out: impl Write + Send) -> Result<WriteReport, SheetError> {
    let xlsx_err = |e: XlsxError| SheetError::Xlsx(e.to_string());
    let mut report = WriteReport::default();
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let top = Format::new().set_align(FormatAlign::Top);
    for table in tables {
        if table.rows.len() >= ROW_LIMIT {
            return Err(SheetError::TooManyRows {
                rows: table.rows.len(),
            });
        }
        let sheet = book
            .add_worksheet_with_constant_memory()
            .map_err(xlsx_err)?;
        sheet.set_name(sheet_name(&table.name)).map_err(xlsx_err)?;
        for (col, (name, width)) in table.columns.iter().enumerate() {
            let col = column(col)?;
            sheet
                .write_string_with_format(0, col, name, &bold)
                .map_err(xlsx_err)?;
            sheet
                .set_column_width(col, width.chars())
                .map_err(xlsx_err)?;
        }
        for (i, row) in table.rows.iter().enumerate() {
            // Below ROW_LIMIT, checked above, so it fits a u32.
            let r = u32::try_from(i + 1).map_err(|_| SheetError::TooManyRows {
                rows: table.rows.len(),
            })?;
            for (col, cell) in row.iter().enumerate() {
                let col = column(col)?;
                match cell {
                    Cell::Text(text) => {
                        let text = match fitted(text) {
                            Some(cut) => {
                                report.truncated += 1;
                                cut
                            }
                            None => text.clone(),
                        };
                        sheet
                            .write_string_with_format(r, col, text, &top)
                            .map_err(xlsx_err)?;
                    }
                    // Offsets and counts stay far below 2^53, exact in an f64.
                    Cell::Int(n) => {
                        sheet
                            .write_number_with_format(r, col, *n as f64, &top)
                            .map_err(xlsx_err)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        if let Some(last) = table.columns.len().checked_sub(1) {
            let last_row = u32::try_from(table.rows.len()).unwrap_or(u32::MAX);
            sheet
                .autofilter(0, 0, last_row, column(last)?)
                .map_err(xlsx_err)?;
        }
        report.rows += table.rows.len();
    }
    book.save_to_writer(out).map_err(xlsx_err)?;
    Ok(report)
}

fn column(index: usize) -> Result<u16, SheetError> {
    u16::try_from(index)
        .ok()
        .filter(|&c| c < 16_384)
        .ok_or_else(|| SheetError::Xlsx(format!("{index} columns do not fit in a worksheet")))
}

/// Returns the text cut to Excel's cell limit, or `None` when it fits.
fn fitted(text: &str) -> Option<String> {
    // Cheap test first: a string of fewer bytes than the limit fits.
    if text.len() <= CELL_LIMIT || text.chars().count() <= CELL_LIMIT {
        return None;
    }
    let mut cut: String = text.chars().take(CELL_LIMIT - 1).collect();
    cut.push('…');
    Some(cut)
}

/// Returns a worksheet name Excel accepts: at most 31 characters, none of
/// `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            c => c,
        })
        .take(31)
        .collect();
    let clean = clean.trim_matches('\'').trim().to_owned();
    if clean.is_empty() {
        "Sheet1".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_cut_to_the_limit() {
        let long = "é".repeat(CELL_LIMIT + 5);
        let cut = fitted(&long).unwrap();
        assert_eq!(cut.chars().count(), CELL_LIMIT);
        assert!(cut.ends_with('…'));
        assert_eq!(fitted("court"), None);
    }

    #[test]
    fn a_workbook_reads_back_cell_for_cell() {
        use calamine::{Data, Reader, Xlsx};

        use super::super::Width;

        let table = Table {
            name: "Coded segments".into(),
            columns: vec![
                ("text".into(), Width::Wide),
                ("start".into(), Width::Narrow),
            ],
            rows: vec![
                vec![Cell::text("=1+1"), Cell::Int(7)],
                vec![Cell::text("« méfiance »\u{1}\ttab"), Cell::Empty],
            ],
        };
        let mut bytes = Vec::new();
        let report = write_xlsx(&[&table], &mut bytes).unwrap();
        assert_eq!(report.rows, 2);
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["Coded segments"]);
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        assert_eq!(
            rows,
            [
                vec![Data::String("text".into()), Data::String("start".into())],
                vec![Data::String("=1+1".into()), Data::Float(7.0)],
                vec![Data::String("« méfiance »\u{1}\ttab".into()), Data::Empty],
            ]
        );
    }

    #[test]
    fn sheet_names_are_made_acceptable() {
        assert_eq!(sheet_name("codes: amira/bruno"), "codes- amira-bruno");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(sheet_name("''"), "Sheet1");
    }
}
