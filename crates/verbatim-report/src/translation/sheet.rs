//! Quotes for translators as CSV: one row per quote, for a spreadsheet.
//!
//! Columns: `id`, `source_language`, `target_language`, `attribution`,
//! `code`, `context_before`, `text`, `context_after`, `translation`,
//! `verbatim_hash`. The translator fills `translation`; on reading, columns
//! are found by name (a spreadsheet may reorder or add columns), a UTF-8
//! byte-order mark is ignored, and a semicolon-separated file (French
//! Excel's "CSV") is read as well as a comma-separated one.

use std::collections::HashSet;

use super::{Returned, ReturnedUnit, TranslationError, Unit, language};

const HEADER: [&str; 10] = [
    "id",
    "source_language",
    "target_language",
    "attribution",
    "code",
    "context_before",
    "text",
    "context_after",
    "translation",
    "verbatim_hash",
];

/// Returns the units as CSV (UTF-8, comma-separated, every field quoted
/// where needed) with `target` as the target language.
pub fn write(units: &[Unit], target: &str) -> Result<Vec<u8>, TranslationError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| TranslationError::Malformed {
        file: "CSV".into(),
        message: e.to_string(),
    };
    out.write_record(HEADER).map_err(failed)?;
    for u in units {
        out.write_record([
            u.id.as_str(),
            u.language.as_deref().unwrap_or(""),
            target,
            &u.attribution,
            &u.code,
            &u.before,
            &u.text,
            &u.after,
            u.existing.as_deref().unwrap_or(""),
            &u.hash,
        ])
        .map_err(failed)?;
    }
    out.into_inner().map_err(|e| TranslationError::Malformed {
        file: "CSV".into(),
        message: e.to_string(),
    })
}

/// Reads a translated CSV file; `file` names it in errors.
pub fn read(bytes: &[u8], file: &str) -> Result<Returned, TranslationError> {
    let malformed = |message: String| TranslationError::Malformed {
        file: file.to_owned(),
        message,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(malformed(format!(
            "not UTF-8 (byte {}): save it as \"CSV UTF-8\" from the spreadsheet",
            e.valid_up_to()
        )));
    }
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| first_line.iter().filter(|b| **b == c).count();
    let delimiter = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| malformed(format!("the header row cannot be read: {e}")))?
        .clone();
    let column = |name: &str| header.iter().position(|h| h.trim() == name);
    let need = |name: &str| {
        column(name).ok_or_else(|| {
            malformed(format!(
                "no {name} column: keep the columns of `verbatim translations export --format csv`"
            ))
        })
    };
    let (id_at, target_at, lang_at, hash_at) = (
        need("id")?,
        need("translation")?,
        need("target_language")?,
        need("verbatim_hash")?,
    );
    let mut tag: Option<String> = None;
    let mut units = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.map_err(|e| malformed(format!("row {row} cannot be read: {e}")))?;
        let field = |at: usize| record.get(at).unwrap_or("").trim().to_owned();
        let id = field(id_at);
        if id.is_empty() {
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            return Err(malformed(format!(
                "row {row} has no id: keep the id column as exported"
            )));
        }
        if !ids.insert(id.clone()) {
            return Err(malformed(format!(
                "row {row}: id {id} appears twice: keep one row per quote"
            )));
        }
        let lang = field(lang_at);
        match &tag {
            None => tag = Some(lang),
            Some(t) if *t != lang => {
                return Err(malformed(format!(
                    "row {row} is for language {lang:?} while earlier rows are for {t:?}: one file, one target language"
                )));
            }
            _ => {}
        }
        let hash = field(hash_at);
        units.push(ReturnedUnit {
            id,
            hash: (!hash.is_empty()).then_some(hash),
            target: record.get(target_at).unwrap_or("").to_owned(),
        });
    }
    let tag = tag.ok_or_else(|| malformed("the file has no quote row".into()))?;
    Ok(Returned {
        language: language(&tag, file)?,
        units,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translation::hash_text;

    #[test]
    fn a_filled_sheet_reads_back_whatever_the_delimiter() {
        let units = vec![Unit {
            id: "a-1".into(),
            language: Some("fr".into()),
            text: "Il a dit « oui », puis\nnon.".into(),
            before: String::new(),
            after: String::new(),
            attribution: "CSI-1 — Entretien".into(),
            code: "A › B".into(),
            existing: None,
            hash: hash_text("Il a dit « oui », puis\nnon."),
        }];
        // The translator's spreadsheet: the translation column filled.
        let mut filled = units.clone();
        filled[0].existing = Some("He said \"yes\", then\nno.".into());
        let back = read(&write(&filled, "en").unwrap(), "t.csv").unwrap();
        assert_eq!(back.language.as_str(), "en");
        assert_eq!(back.units[0].target, "He said \"yes\", then\nno.");
        assert_eq!(back.units[0].hash.as_deref(), Some(units[0].hash.as_str()));
        let semi = "\u{feff}id;target_language;translation;verbatim_hash\na-1;en;Yes;abc\n";
        let back = read(semi.as_bytes(), "s.csv").unwrap();
        assert_eq!(back.units[0].target, "Yes");
    }

    #[test]
    fn sheets_missing_what_the_import_needs_are_refused() {
        let err = read(b"id,translation\na,b\n", "x.csv")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x.csv") && err.contains("target_language"),
            "{err}"
        );
        let err = read(
            b"id,target_language,translation,verbatim_hash\na,en,x,h\na,en,y,h\n",
            "d.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("row 3") && err.contains("twice"), "{err}");
        let err = read(
            b"id,target_language,translation,verbatim_hash\na,en,x,h\nb,de,y,h\n",
            "l.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("one target language"), "{err}");
    }
}
