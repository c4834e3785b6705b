//! Workbooks (`.xlsx`, `.ods`, `.xls`) read as cells, out of harm's way.
//!
//! calamine is the one workbook parser of the workspace (rosters, speaker
//! mapping files, codebook sheets, web uploads all come here through
//! [`workbook_rows`]), and it trusts the file: a cell at XFD1048576 made its
//! grid ask for half a terabyte, and a 1 KB `.ods` repeating a filled cell
//! 16,384 columns wide on a few thousand rows keeps it allocating for
//! minutes. So a workbook is first inflated into nothing, counting, and
//! refused past [`MAX_WORKBOOK_INFLATED`]; then calamine reads it in a
//! child process (`crate::child`, the same as PDFs: at most the reader's
//! memory, [`WORKBOOK_TIMEOUT`] of CPU and of wall time, and nothing left
//! running after a refusal) when the binary starts one, else on a thread
//! under `catch_unwind` and the same time limit (a library caller's
//! choice: the thread is abandoned, still running, when the limit passes).
//! The child answers with the filled cells only (fields `cell` = `ROW COL
//! TEXT`, or `too-large` = `ROWS COLUMNS`, or `refused` = the reason), and
//! the parent checks the extent against [`MAX_SHEET_CELLS`] before it
//! builds any row.

use std::io::Cursor;

use calamine::{Data, Reader};

use crate::SheetError;
use crate::child::{self, ChildReader, Parser, Stopped, field};

/// The most bytes a workbook (.xlsx, .ods) may inflate to, all parts
/// together: four million cells of XML fit in it. Checked, counting
/// without keeping, before calamine reads the file, since calamine holds a
/// cell's text whole: a 6 MB workbook whose one cell inflates to a
/// gigabyte took a gigabyte.
pub(crate) const MAX_WORKBOOK_INFLATED: u64 = 128 * 1024 * 1024;

/// How long reading a workbook may take, in CPU and in wall time: a
/// 16,000-column roster reads in a few seconds in a debug build.
pub(crate) const WORKBOOK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// The most cells a workbook's filled rows may span (rows holding a value
/// times columns up to the last holding one): a roster of 10,000
/// participants by 400 columns. Beyond it a workbook is refused before
/// any grid is built.
pub const MAX_SHEET_CELLS: usize = 4_000_000;

/// Returns the filled rows of a workbook's first sheet, each with its row
/// number (from 1) and its cells from column A, all as wide as the widest.
///
/// An `.xlsx` is read cell by cell (calamine's cell reader) and only the
/// cells holding a value are kept, so its extent is checked against
/// [`MAX_SHEET_CELLS`] before any grid is built. Other workbooks (`.ods`,
/// `.xls`) go through calamine's grid, which caps repeated rows at
/// 1,048,576 and cells at 100 million itself; a grid over
/// [`MAX_SHEET_CELLS`] is refused before it is walked (in the child, its
/// memory limit ends a grid that would not fit first). Used for rosters
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
    let sparse = match child::configured() {
        Some(reader) => in_child(reader, bytes)?,
        None => on_thread(bytes)?,
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

/// The refusal for a workbook the reader spent its time on.
fn too_slow() -> SheetError {
    SheetError::Workbook(format!(
        "reading it took more than {} s, far more than any roster needs; it may repeat rows or columns without end",
        WORKBOOK_TIMEOUT.as_secs()
    ))
}

/// Returns the filled cells, read by calamine in a child process.
fn in_child(reader: &ChildReader, bytes: &[u8]) -> Result<Sparse, SheetError> {
    let mib = reader.memory_mib();
    let reason = match child::run(reader, Parser::Workbook, bytes, WORKBOOK_TIMEOUT) {
        Ok(out) => return decode(&out),
        Err(Stopped::Timeout | Stopped::CpuLimit) => return Err(too_slow()),
        Err(Stopped::Start(reason)) => reason,
        Err(Stopped::OutOfMemory) => format!(
            "it needs more than the {mib} MiB of memory the workbook reader may use; it may repeat rows or columns without end"
        ),
        Err(Stopped::StackOverflow) => "the reader's stack overflowed on its content".to_owned(),
        Err(Stopped::Other(how)) => format!(
            "the reader stopped on it ({how}; at most {mib} MiB of memory and {} s)",
            WORKBOOK_TIMEOUT.as_secs()
        ),
    };
    Err(SheetError::Workbook(reason))
}

/// Returns the filled cells, read by calamine on a thread of this process
/// under `catch_unwind` and [`WORKBOOK_TIMEOUT`] (when no child is
/// configured: the thread is abandoned, still running, past the limit).
fn on_thread(bytes: &[u8]) -> Result<Sparse, SheetError> {
    let owned = bytes.to_vec();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("workbook".into())
        .spawn(move || {
            let read = std::panic::catch_unwind(move || read_cells(&owned));
            // The receiver is gone after a timeout; nothing is left to tell.
            let _ = sender.send(read);
        })
        .map_err(|e| SheetError::Workbook(format!("could not start the reader: {e}")))?;
    match receiver.recv_timeout(WORKBOOK_TIMEOUT) {
        Ok(Ok(result)) => result,
        Ok(Err(_)) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(
            SheetError::Workbook("the reader failed on its content".into()),
        ),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(too_slow()),
    }
}

/// The child's side: returns the answer for the workbook in `bytes`.
pub(crate) fn answer(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match std::panic::catch_unwind(|| read_cells(bytes)) {
        Ok(Ok(sparse)) => {
            for (row, cells) in sparse {
                for (column, text) in cells {
                    field(
                        &mut out,
                        "cell",
                        format!("{row} {column} {text}").as_bytes(),
                    );
                }
            }
        }
        Ok(Err(SheetError::TooLarge { rows, columns, .. })) => {
            field(
                &mut out,
                "too-large",
                format!("{rows} {columns}").as_bytes(),
            );
        }
        Ok(Err(SheetError::Workbook(reason))) => field(&mut out, "refused", reason.as_bytes()),
        Ok(Err(other)) => field(&mut out, "refused", other.to_string().as_bytes()),
        Err(_) => field(&mut out, "refused", b"the reader failed on its content"),
    }
    out
}

/// Reads the child's answer back into cells (or its refusal).
fn decode(out: &[u8]) -> Result<Sparse, SheetError> {
    let garbled = || SheetError::Workbook("the reader's answer was garbled".into());
    let number = |s: Option<&str>| s.and_then(|s| s.parse::<usize>().ok()).ok_or_else(garbled);
    let mut sparse = Sparse::new();
    for (tag, body) in child::fields(out).ok_or_else(garbled)? {
        let text = std::str::from_utf8(body).map_err(|_| garbled())?;
        let mut parts = text.splitn(3, ' ');
        match tag {
            "cell" => {
                let (row, column) = (number(parts.next())?, number(parts.next())?);
                let value = parts.next().ok_or_else(garbled)?;
                sparse
                    .entry(row)
                    .or_default()
                    .push((column, value.to_owned()));
            }
            "too-large" => {
                return Err(SheetError::TooLarge {
                    rows: number(parts.next())?,
                    columns: number(parts.next())?,
                    limit: MAX_SHEET_CELLS,
                });
            }
            "refused" => return Err(SheetError::Workbook(text.to_owned())),
            _ => return Err(garbled()),
        }
    }
    Ok(sparse)
}

/// Returns the filled cells of a workbook's first sheet (calamine's work).
fn read_cells(bytes: &[u8]) -> Result<Sparse, SheetError> {
    match calamine::Xlsx::new(Cursor::new(bytes)) {
        Ok(book) => xlsx_cells(book),
        Err(_) => grid_cells(bytes),
    }
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
fn grid_cells(bytes: &[u8]) -> Result<Sparse, SheetError> {
    let bad = |e: String| SheetError::Workbook(e);
    let mut book =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
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
    fn excel_serial_days_become_dates() {
        assert_eq!(excel_date(45363.0), "2024-03-12");
        assert_eq!(excel_date(25569.5), "1970-01-01");
    }

    #[test]
    fn the_childs_answer_reads_back_as_its_cells_or_its_refusal() {
        let mut out = Vec::new();
        field(&mut out, "cell", "0 0 code".as_bytes());
        field(&mut out, "cell", "0 2 note libre, avec espaces".as_bytes());
        field(&mut out, "cell", "4 1 34".as_bytes());
        let sparse = decode(&out).expect("cells");
        assert_eq!(
            sparse.into_iter().collect::<Vec<_>>(),
            vec![
                (
                    0,
                    vec![
                        (0, "code".to_owned()),
                        (2, "note libre, avec espaces".to_owned())
                    ]
                ),
                (4, vec![(1, "34".to_owned())]),
            ]
        );
        let mut out = Vec::new();
        field(&mut out, "too-large", b"300 16384");
        assert!(matches!(
            decode(&out),
            Err(SheetError::TooLarge {
                rows: 300,
                columns: 16_384,
                ..
            })
        ));
        for bad in [&b"cell 3\n0 x"[..], b"cell 1\n0", b"nope 0\n", b"cell 9\n0"] {
            assert!(
                matches!(decode(bad), Err(SheetError::Workbook(_))),
                "{bad:?}"
            );
        }
    }
}
