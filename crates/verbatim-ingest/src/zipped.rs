//! Safe reading of zip containers (docx, odt) under a decompression limit.
//!
//! A .docx or .odt file is a zip archive, and a zip archive can lie: its
//! directory may declare a small size for an entry that inflates to
//! gigabytes (a zip bomb), or it may be cut short by a failed download.
//! This module never trusts a declared size: each entry is read through
//! `Read::take` one byte past what the container may still decompress, and
//! the bytes read from all entries of one container count against
//! [`Limits::max_unzipped_bytes`].

use std::io::{Cursor, Read};

use zip::ZipArchive;

use crate::{IngestError, Limits};

/// An open zip container that counts the bytes decompressed out of it.
pub(crate) struct Container<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    format: &'static str,
    limit: u64,
    used: u64,
}

impl<'a> Container<'a> {
    /// Returns the container read from `bytes`, or
    /// [`IngestError::BadContainer`] when they are not a readable zip
    /// archive; `format` (`docx`, `odt`) names the document type in errors.
    pub(crate) fn open(
        bytes: &'a [u8],
        format: &'static str,
        limits: &Limits,
    ) -> Result<Self, IngestError> {
        let archive =
            ZipArchive::new(Cursor::new(bytes)).map_err(|e| IngestError::BadContainer {
                format,
                reason: format!("not a readable zip archive: {e}"),
            })?;
        Ok(Self {
            archive,
            format,
            limit: limits.max_unzipped_bytes,
            used: 0,
        })
    }

    /// Returns whether the container has an entry called `name` (compared
    /// as [`Container::read`] does), without decompressing it.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.index_of(name).is_some()
    }

    /// Returns the index of the entry called `name`, compared exactly first
    /// and then ignoring ASCII case and a leading `/`.
    fn index_of(&self, name: &str) -> Option<usize> {
        let name = name.trim_start_matches('/');
        if let Some(index) = self.archive.index_for_name(name) {
            return Some(index);
        }
        (0..self.archive.len()).find(|&index| {
            self.archive
                .name_for_index(index)
                .and_then(Result::ok)
                .is_some_and(|candidate| {
                    candidate.trim_start_matches('/').eq_ignore_ascii_case(name)
                })
        })
    }

    /// Returns the decompressed bytes of the entry called `name`, or `None`
    /// when the container has no such entry.
    ///
    /// Fails with [`IngestError::ZipBomb`] as soon as the bytes read out of
    /// this container pass the limit, whatever the entry declared.
    pub(crate) fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, IngestError> {
        let Some(index) = self.index_of(name) else {
            return Ok(None);
        };
        let format = self.format;
        let damaged = |e: &dyn std::fmt::Display| IngestError::BadContainer {
            format,
            reason: format!("the entry {name} cannot be read: {e}"),
        };
        let remaining = self.limit.saturating_sub(self.used);
        let entry = self.archive.by_index(index).map_err(|e| damaged(&e))?;
        let mut out = Vec::new();
        entry
            .take(remaining.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| damaged(&e))?;
        let read = out.len() as u64;
        if read > remaining {
            return Err(IngestError::ZipBomb { limit: self.limit });
        }
        self.used += read;
        Ok(Some(out))
    }

    /// Inflates every entry into nothing, counting, and fails with
    /// [`IngestError::ZipBomb`] once the total passes the limit: a check
    /// before handing the container to a third-party reader that would
    /// hold what it inflates (calamine keeps a cell's text whole). An
    /// entry that cannot be read is left for that reader to report.
    pub(crate) fn check_inflated_size(&mut self) -> Result<(), IngestError> {
        for index in 0..self.archive.len() {
            let remaining = self.limit.saturating_sub(self.used);
            let Ok(entry) = self.archive.by_index(index) else {
                continue;
            };
            let read = std::io::copy(
                &mut entry.take(remaining.saturating_add(1)),
                &mut std::io::sink(),
            )
            .unwrap_or(0);
            if read > remaining {
                return Err(IngestError::ZipBomb { limit: self.limit });
            }
            self.used += read;
        }
        Ok(())
    }

    /// Returns the decompressed bytes of the entry called `name`, or
    /// [`IngestError::BadContainer`] naming the missing part.
    pub(crate) fn read_required(&mut self, name: &str) -> Result<Vec<u8>, IngestError> {
        self.read(name)?.ok_or_else(|| IngestError::BadContainer {
            format: self.format,
            reason: format!("the part {name} is missing"),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use zip::ZipWriter;
    use zip::write::SimpleFileOptions;

    use super::*;

    /// Returns a zip archive holding `entries` (name, content), deflated.
    pub(crate) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .expect("start entry");
            writer.write_all(content).expect("write entry");
        }
        writer.finish().expect("finish zip").into_inner()
    }

    fn small_limits(max: u64) -> Limits {
        Limits {
            max_unzipped_bytes: max,
            ..Limits::default()
        }
    }

    #[test]
    fn reads_entries_exactly_and_ignoring_case() {
        let bytes = zip_of(&[("word/Document.xml", b"<a/>"), ("mimetype", b"x")]);
        let mut container = Container::open(&bytes, "docx", &Limits::default()).expect("open");
        assert_eq!(
            container.read("word/Document.xml").expect("read"),
            Some(b"<a/>".to_vec())
        );
        assert_eq!(
            container.read("word/document.xml").expect("read"),
            Some(b"<a/>".to_vec())
        );
        assert_eq!(
            container.read("/mimetype").expect("read"),
            Some(b"x".to_vec())
        );
        assert_eq!(container.read("absent.xml").expect("read"), None);
        assert!(container.contains("WORD/document.xml"));
        assert!(!container.contains("content.xml"));
    }

    #[test]
    fn missing_required_part_names_it() {
        let bytes = zip_of(&[("mimetype", b"x")]);
        let mut container = Container::open(&bytes, "odt", &Limits::default()).expect("open");
        match container.read_required("content.xml") {
            Err(IngestError::BadContainer {
                format: "odt",
                reason,
            }) => {
                assert!(reason.contains("content.xml"), "{reason}");
            }
            other => panic!("expected BadContainer, got {other:?}"),
        }
    }

    #[test]
    fn non_zip_and_truncated_bytes_are_bad_containers() {
        let not_zip = "Ceci n’est pas une archive « zip » 📄".as_bytes();
        assert!(matches!(
            Container::open(not_zip, "docx", &Limits::default()),
            Err(IngestError::BadContainer { .. })
        ));
        let bytes = zip_of(&[("word/document.xml", b"<w:document/>")]);
        let cut = &bytes[..bytes.len() / 2];
        assert!(matches!(
            Container::open(cut, "docx", &Limits::default()),
            Err(IngestError::BadContainer { .. })
        ));
        assert!(matches!(
            Container::open(&[], "docx", &Limits::default()),
            Err(IngestError::BadContainer { .. })
        ));
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let zeros = vec![0u8; 1024 * 1024];
        let bytes = zip_of(&[("word/document.xml", &zeros)]);
        assert!(bytes.len() < 10_000, "the fixture should compress well");
        let mut container = Container::open(&bytes, "docx", &small_limits(10_000)).expect("open");
        assert!(matches!(
            container.read("word/document.xml"),
            Err(IngestError::ZipBomb { limit: 10_000 })
        ));
    }

    #[test]
    fn the_limit_counts_all_entries_of_a_container() {
        let part = vec![b'a'; 600];
        let bytes = zip_of(&[("a.xml", &part), ("b.xml", &part)]);
        let mut container = Container::open(&bytes, "odt", &small_limits(1_000)).expect("open");
        assert_eq!(
            container
                .read("a.xml")
                .expect("first fits")
                .map(|v| v.len()),
            Some(600)
        );
        assert!(matches!(
            container.read("b.xml"),
            Err(IngestError::ZipBomb { .. })
        ));
    }

    #[test]
    fn an_entry_exactly_at_the_limit_is_read() {
        let part = vec![b'a'; 1_000];
        let bytes = zip_of(&[("a.xml", &part)]);
        let mut container = Container::open(&bytes, "odt", &small_limits(1_000)).expect("open");
        assert_eq!(
            container.read("a.xml").expect("fits").map(|v| v.len()),
            Some(1_000)
        );
    }
}
