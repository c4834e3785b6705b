//! CSV files as people send them: one reader for rosters, names files,
//! speaker mappings, codebooks and ratings.
//!
//! A CSV arrives from Excel in French (semicolons, Windows-1252), from a
//! script (commas, UTF-8) or as TSV. Before this module three readers
//! guessed the separator and the encoding each their own way and accepted
//! whatever the `csv` crate made of a broken file: an unbalanced quote
//! silently swallowed every following row into one cell, and a row with a
//! cell too many or too few was taken as it came. Here the encoding and the
//! separator are sniffed once ([`sniff`]) and every row is checked
//! ([`read_csv`]): a quote left open, a row whose cell count differs from
//! the header's, or more columns than a spreadsheet holds refuses the whole
//! file with the row to fix. Reading is linear in the file's size.

use thiserror::Error;

/// The most columns a row may have: what Excel and LibreOffice hold
/// (column XFD). A file with more was not saved from a spreadsheet; its
/// separator was probably guessed wrong.
pub const MAX_COLUMNS: usize = 16_384;

/// Why a CSV file was refused; rows are numbered as a spreadsheet shows
/// them (the header is row 1, blank lines count).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CsvError {
    /// A quoted cell is never closed: the rest of the file would be one cell.
    #[error(
        "row {row}: a quote opens a cell that is never closed, so every row after it would be read as part of that cell: close the quote (or double a quote inside a cell, \"\"), or save the file again from its spreadsheet"
    )]
    OpenQuote {
        /// The row where the quoted cell starts.
        row: usize,
    },
    /// A row has more or fewer cells than the header.
    #[error(
        "row {row} has {found} cells where the header row has {expected}: check for a separator inside a cell that is not quoted, or a missing one"
    )]
    Cells {
        /// The row.
        row: usize,
        /// Cells on the row.
        found: usize,
        /// Cells on the header row.
        expected: usize,
    },
    /// A row has more columns than any spreadsheet holds.
    #[error(
        "row {row} has {found} columns, more than the {MAX_COLUMNS} a spreadsheet holds: check the separator, or split the file"
    )]
    TooManyColumns {
        /// The row.
        row: usize,
        /// Cells on the row.
        found: usize,
    },
    /// The `csv` reader stopped (an I/O or UTF-8 problem it reports).
    #[error("row {row}: {reason}: check the quoting, or save it again from the spreadsheet")]
    Malformed {
        /// The row where reading stopped.
        row: usize,
        /// What the reader said.
        reason: String,
    },
}

/// A CSV file's text and the separator it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    /// The text, decoded: UTF-8 (with or without BOM), else Windows-1252.
    pub text: String,
    /// The encoding found: `UTF-8` or `windows-1252`.
    pub encoding: &'static str,
    /// The separator: `;`, tab or `,`.
    pub delimiter: u8,
}

/// One row of a CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// The row number a spreadsheet shows (1-based, blank lines counted).
    pub row: usize,
    /// The cells, as written (not trimmed).
    pub cells: Vec<String>,
}

/// Returns the text of a CSV file and its separator.
///
/// The encoding is UTF-8 when the bytes are valid UTF-8 (a BOM is
/// dropped), else Windows-1252, as Excel saves "CSV" in Western Europe.
/// The separator is the one of `;`, tab and `,` found most often on the
/// first line outside quotes; on a tie `;` wins, then tab (a French
/// header like `nom;note, libre` is split on `;`), and a line with none
/// is one column (`,`).
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, encoding) = match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), "UTF-8"),
        Err(_) => (
            encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
            "windows-1252",
        ),
    };
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'\n' if !quoted => break,
            b'"' => quoted = !quoted,
            b';' if !quoted => counts[0] += 1,
            b'\t' if !quoted => counts[1] += 1,
            b',' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b'\t', b','];
    let best = (0..3).fold(2, |best, i| {
        if counts[i] > counts[best] || (counts[i] == counts[best] && i < best) {
            i
        } else {
            best
        }
    });
    let delimiter = if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    };
    Sniffed {
        text,
        encoding,
        delimiter,
    }
}

/// Returns the rows of a CSV file (blank lines left out), each with its
/// spreadsheet row number, refusing the file at the first malformed row.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<CsvRow>, CsvError> {
    let sniffed = sniff(bytes);
    let text = sniffed.text.as_str();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniffed.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // The reader skips blank lines, which a spreadsheet shows as rows, and
    // a record's position is where reading began, before those lines: the
    // blank lines leading each stretch up to the next record count as rows.
    let mut records = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| CsvError::Malformed {
            row: i + 1,
            reason: e.to_string(),
        })?;
        let at = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(0);
        records.push((at, record));
    }
    let mut rows: Vec<CsvRow> = Vec::with_capacity(records.len());
    let mut row = 0usize;
    let mut expected: Option<usize> = None;
    for (i, (at, record)) in records.iter().enumerate() {
        let until = records.get(i + 1).map_or(text.len(), |(next, _)| *next);
        let stretch = text.as_bytes().get(*at..until).unwrap_or_default();
        let blank = stretch
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .filter(|b| **b == b'\n')
            .count();
        row += 1 + blank;
        let found = record.len();
        if found > MAX_COLUMNS {
            return Err(CsvError::TooManyColumns { row, found });
        }
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match expected {
            None => expected = Some(found),
            Some(expected) if expected != found => {
                // A quote left open makes the last row swallow the rest.
                if i + 1 == records.len() && ends_in_open_quote(text, sniffed.delimiter) {
                    return Err(CsvError::OpenQuote { row });
                }
                return Err(CsvError::Cells {
                    row,
                    found,
                    expected,
                });
            }
            Some(_) => {}
        }
        rows.push(CsvRow { row, cells });
    }
    if ends_in_open_quote(text, sniffed.delimiter) {
        let row = rows.last().map_or(1, |r| r.row);
        return Err(CsvError::OpenQuote { row });
    }
    Ok(rows)
}

/// Returns true when the text ends inside a quoted cell, read as the `csv`
/// crate reads it: a quote opens a cell only at its start, and `""`
/// inside a quoted cell is one quote.
fn ends_in_open_quote(text: &str, delimiter: u8) -> bool {
    let bytes = text.as_bytes();
    let mut quoted = false;
    let mut at_cell_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if quoted {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == b'"' && at_cell_start {
            quoted = true;
            at_cell_start = false;
        } else {
            at_cell_start = b == delimiter || b == b'\n' || b == b'\r';
        }
        i += 1;
    }
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(bytes: &[u8]) -> Vec<(usize, Vec<String>)> {
        read_csv(bytes)
            .expect("read")
            .into_iter()
            .map(|r| (r.row, r.cells))
            .collect()
    }

    #[test]
    fn encoding_and_separator_are_sniffed() {
        let s = sniff(b"code;nom;\xe2ge\r\n");
        assert_eq!((s.encoding, s.delimiter), ("windows-1252", b';'));
        assert_eq!(s.text, "code;nom;âge\r\n");
        let s = sniff("\u{feff}unit,coder,value\n".as_bytes());
        assert_eq!((s.encoding, s.delimiter), ("UTF-8", b','));
        assert_eq!(sniff(b"a\tb\n").delimiter, b'\t');
        // One of each: `;` wins the tie.
        assert_eq!(sniff(b"nom;note, libre\n").delimiter, b';');
        // Separators inside quotes do not count.
        assert_eq!(sniff(b"\"a;b;c\",d\n").delimiter, b',');
        assert_eq!(sniff(b"code\n").delimiter, b',');
    }

    #[test]
    fn rows_keep_spreadsheet_numbers_and_quoted_newlines() {
        let got = cells(b"code,note\n\nA,\"un\ndeux\"\nB,x\n");
        assert_eq!(
            got,
            vec![
                (1, vec!["code".into(), "note".into()]),
                (3, vec!["A".into(), "un\ndeux".into()]),
                (4, vec!["B".into(), "x".into()]),
            ]
        );
    }

    proptest::proptest! {
        // Any bytes: the reader answers rows or a refusal, never panics, and
        // a refusal names a row of the file.
        #[test]
        fn any_bytes_give_rows_or_a_refusal_naming_a_row(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b'"'),
                    proptest::strategy::Just(b','),
                    proptest::strategy::Just(b';'),
                    proptest::strategy::Just(b'\n'),
                    proptest::strategy::Just(b'\r'),
                    proptest::num::u8::ANY,
                ],
                0..300,
            )
        ) {
            // A lone `\r` ends a record too (old Mac files).
            let lines = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count() + 1;
            match read_csv(&bytes) {
                Ok(rows) => {
                    let widths: std::collections::HashSet<usize> = rows
                        .iter()
                        .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
                        .map(|r| r.cells.len())
                        .collect();
                    proptest::prop_assert!(widths.len() <= 1, "{widths:?}");
                }
                Err(
                    CsvError::OpenQuote { row }
                    | CsvError::Cells { row, .. }
                    | CsvError::TooManyColumns { row, .. }
                    | CsvError::Malformed { row, .. },
                ) => proptest::prop_assert!(row >= 1 && row <= lines, "{row} > {lines}"),
            }
        }
    }

    #[test]
    fn sixteen_thousand_columns_read_in_well_under_a_second() {
        let header: Vec<String> = (0..16_000).map(|i| format!("q{i}")).collect();
        let text = format!("{}\n{}\n", header.join(";"), header.join(";"));
        let start = std::time::Instant::now();
        let rows = read_csv(text.as_bytes()).expect("read");
        assert_eq!(rows[1].cells.len(), 16_000);
        assert!(start.elapsed().as_secs_f64() < 1.0, "{:?}", start.elapsed());
    }

    #[test]
    fn malformed_rows_are_refused_with_their_row() {
        let err = read_csv(b"code,age\nA,1\nB,2,3\nC,4\n").expect_err("refused");
        assert_eq!(
            err,
            CsvError::Cells {
                row: 3,
                found: 3,
                expected: 2
            }
        );
        let err = read_csv(b"code,age\nA\n").expect_err("refused");
        assert_eq!(
            err,
            CsvError::Cells {
                row: 2,
                found: 1,
                expected: 2
            }
        );
        // The quote opened on row 3 swallows rows 4 and 5.
        let err = read_csv(b"code,note\nA,ok\nB,\"oops\nC,x\nD,y\n").expect_err("refused");
        assert_eq!(err, CsvError::OpenQuote { row: 3 });
        let err = read_csv(b"code,note\nA,\"oops, x\nC,x\n").expect_err("refused");
        assert_eq!(err, CsvError::OpenQuote { row: 2 });
        // A quote inside an unquoted cell is text, and "" is one quote.
        let ok = cells(b"size,note\n5\",\"dit \"\"oui\"\"\"\n");
        assert_eq!(ok[1].1, vec!["5\"".to_owned(), "dit \"oui\"".to_owned()]);
        let wide = format!("{}\n", vec!["c"; MAX_COLUMNS + 1].join(","));
        assert_eq!(
            read_csv(wide.as_bytes()).expect_err("refused"),
            CsvError::TooManyColumns {
                row: 1,
                found: MAX_COLUMNS + 1
            }
        );
    }
}
