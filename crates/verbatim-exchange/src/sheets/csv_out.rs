//! Tables as CSV: RFC 4180 (CRLF line ends, quotes only where needed), UTF-8.
//!
//! Excel reads a CSV as UTF-8 only when the file starts with a byte-order
//! mark; without one it takes the system code page and turns `é` into `Ã©`.
//! So the mark is written unless the caller asks otherwise (scripts and
//! `pandas` read it either way). Excel in French and other locales whose
//! decimal mark is a comma expects semicolons between cells: the caller
//! chooses the separator.

use std::io::Write;

use super::{Cell, SheetError, Table, WriteReport};

/// The byte-order mark that tells Excel a CSV is UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a CSV file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    /// Write the UTF-8 byte-order mark first.
    pub bom: bool,
    /// The cell separator (`,`, `;` or tab).
    pub separator: u8,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            bom: true,
            separator: b',',
        }
    }
}

/// Writes the table as CSV.
pub fn write_csv(
    table: &Table,
    options: CsvOptions,
    mut out: impl Write,
) -> Result<WriteReport, SheetError> {
    if options.bom {
        out.write_all(BOM)?;
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(options.separator)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let csv_err = |e: csv::Error| SheetError::Csv(e.to_string());
    writer.write_record(table.header()).map_err(csv_err)?;
    let mut record: Vec<String> = Vec::with_capacity(table.columns.len());
    for row in &table.rows {
        record.clear();
        record.extend(row.iter().map(|cell| match cell {
            Cell::Text(text) => neutralised(text),
            Cell::Int(n) => n.to_string(),
            Cell::Empty => String::new(),
        }));
        writer.write_record(&record).map_err(csv_err)?;
    }
    writer.flush().map_err(|e| SheetError::Csv(e.to_string()))?;
    Ok(WriteReport {
        rows: table.rows.len(),
        truncated: 0,
    })
}

/// Returns the text a spreadsheet will show as typed: text that would start
/// a formula gets a leading apostrophe (OWASP's advice on CSV injection).
pub fn neutralised(text: &str) -> String {
    if starts_formula(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Returns true when a spreadsheet would read the cell as a formula (or,
/// for tab and carriage return, strip what lets it see one).
pub fn starts_formula(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// Returns a cell read back from a CSV with the apostrophe that
/// [`neutralised`] added removed.
pub fn unneutralised(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if starts_formula(rest) => rest,
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Width;
    use super::*;

    fn table(cells: Vec<Cell>) -> Table {
        Table {
            name: "t".into(),
            columns: cells
                .iter()
                .enumerate()
                .map(|(i, _)| (format!("c{i}"), Width::Narrow))
                .collect(),
            rows: vec![cells],
        }
    }

    #[test]
    fn quotes_line_breaks_and_accents_follow_rfc_4180() {
        let t = table(vec![
            Cell::text("« la confiance », qu’on construit"),
            Cell::text("il dit \"non\"\npuis part"),
            Cell::Int(42),
            Cell::Empty,
        ]);
        let mut out = Vec::new();
        write_csv(&t, CsvOptions::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "\u{feff}c0,c1,c2,c3\r\n\"« la confiance », qu’on construit\",\"il dit \"\"non\"\"\npuis part\",42,\r\n"
        );
    }

    #[test]
    fn formulas_are_written_as_text_and_read_back_unchanged() {
        for text in ["=HYPERLINK(\"x\")", "+33 6", "- euh, oui", "@SUM(A1)"] {
            let t = table(vec![Cell::text(text)]);
            let mut out = Vec::new();
            let options = CsvOptions {
                bom: false,
                separator: b';',
            };
            write_csv(&t, options, &mut out).unwrap();
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(b';')
                .from_reader(out.as_slice());
            let record = reader.records().next().unwrap().unwrap();
            let cell = &record[0];
            assert!(cell.starts_with('\''), "{cell}");
            assert_eq!(unneutralised(cell), text);
        }
        assert_eq!(neutralised("confiance"), "confiance");
        assert_eq!(unneutralised("'apostrophe"), "'apostrophe");
    }
}
