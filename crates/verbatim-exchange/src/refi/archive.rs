//! The `.qdpx` container: a zip with one `.qde` and a `sources/` folder.
//!
//! Reading never extracts anything to disk, yet refuses archives that try
//! what extraction attacks try (`../` or absolute entry names, symbolic
//! links): a file that does that was not written by a QDA tool. Every
//! entry is read through `Read::take` one byte past the room left, so a
//! zip bomb stops at the cap whatever sizes its directory declares.
//! Source paths are resolved as the notes §1.1 list them: `internal://`,
//! `relative://`, `absolute://` (any number of slashes) and bare names,
//! matched case-insensitively against `sources/` or `Sources/`. A source
//! outside the archive is read only from the folder the user names
//! ([`Outside`]), never from wherever the project file says.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use zip::ZipArchive;
use zip::write::SimpleFileOptions;

use super::RefiError;

/// Size caps for reading a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// The largest decompressed entry (the `.qde` or one source).
    pub entry: u64,
    /// The largest total decompressed.
    pub total: u64,
}

impl Default for Caps {
    /// 256 MiB an entry (the cap on a Word or LibreOffice document's XML
    /// too: a .qde or a source text that size is already 40 million
    /// words), 2 GiB in all. An entry is read into memory whole, so the
    /// entry cap bounds what one zip bomb costs before it is refused.
    fn default() -> Self {
        Self {
            entry: 256 * 1024 * 1024,
            total: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// An opened `.qdpx`: its project XML and access to its source files.
pub(crate) struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    /// Lower-cased entry name → index.
    names: HashMap<String, usize>,
    /// The `.qde` entry's name.
    pub qde: String,
    caps: Caps,
    used: u64,
    file: String,
}

impl<'a> Archive<'a> {
    /// Opens a `.qdpx`, checking every entry name. `file` names it in errors.
    pub fn open(bytes: &'a [u8], file: &str, caps: Caps) -> Result<Self, RefiError> {
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| RefiError::BadArchive {
            file: file.to_owned(),
            reason: format!("it is not a readable zip archive ({e})"),
        })?;
        let unsafe_entry = |name: &str, why: &str| RefiError::UnsafeArchive {
            file: file.to_owned(),
            entry: name.to_owned(),
            why: why.to_owned(),
        };
        let mut names = HashMap::new();
        let mut qdes = Vec::new();
        for index in 0..zip.len() {
            let Some(Ok(name)) = zip.name_for_index(index) else {
                continue;
            };
            let name = name.into_owned();
            let normal = name.replace('\\', "/");
            if normal.starts_with('/') || normal.get(1..2) == Some(":") {
                return Err(unsafe_entry(&name, "an absolute path"));
            }
            if normal.split('/').any(|part| part == "..") {
                return Err(unsafe_entry(
                    &name,
                    "a path that climbs out of the archive (..)",
                ));
            }
            names.insert(normal.to_lowercase(), index);
            if !normal.contains('/') && normal.to_lowercase().ends_with(".qde") {
                qdes.push(normal);
            }
        }
        // Symbolic links are marked in the Unix mode bits of the entry.
        let mut zip = zip;
        for index in 0..zip.len() {
            let entry = zip.by_index_raw(index).map_err(|e| RefiError::BadArchive {
                file: file.to_owned(),
                reason: format!("entry {index} cannot be read ({e})"),
            })?;
            if entry.is_symlink() {
                let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
                return Err(unsafe_entry(&name, "a symbolic link"));
            }
        }
        let qde = match qdes.len() {
            1 => qdes.remove(0),
            0 => {
                return Err(RefiError::BadArchive {
                    file: file.to_owned(),
                    reason: "it holds no .qde project file at its top level".into(),
                });
            }
            _ => match qdes
                .iter()
                .position(|q| q.eq_ignore_ascii_case("project.qde"))
            {
                Some(i) => qdes.remove(i),
                None => {
                    return Err(RefiError::BadArchive {
                        file: file.to_owned(),
                        reason: format!(
                            "it holds several .qde files ({}) and none is project.qde",
                            qdes.join(", ")
                        ),
                    });
                }
            },
        };
        Ok(Self {
            zip,
            names,
            qde,
            caps,
            used: 0,
            file: file.to_owned(),
        })
    }

    /// Returns the `.qde` bytes.
    pub fn project_xml(&mut self) -> Result<Vec<u8>, RefiError> {
        let qde = self.qde.clone();
        self.read(&qde)?.ok_or_else(|| RefiError::BadArchive {
            file: self.file.clone(),
            reason: format!("{qde} cannot be found"),
        })
    }

    /// Returns the bytes of the entry called `name` (case-insensitive), or
    /// `None` when there is none.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, RefiError> {
        let Some(&index) = self.names.get(&name.to_lowercase()) else {
            return Ok(None);
        };
        let room = self
            .caps
            .entry
            .min(self.caps.total.saturating_sub(self.used));
        let entry = self
            .zip
            .by_index(index)
            .map_err(|e| RefiError::BadArchive {
                file: self.file.clone(),
                reason: format!("the entry {name} cannot be read ({e})"),
            })?;
        let mut out = Vec::new();
        entry
            .take(room.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| RefiError::BadArchive {
                file: self.file.clone(),
                reason: format!("the entry {name} cannot be read ({e})"),
            })?;
        if out.len() as u64 > room {
            return Err(RefiError::TooLarge {
                file: self.file.clone(),
                entry: name.to_owned(),
                limit: room,
            });
        }
        self.used += out.len() as u64;
        Ok(Some(out))
    }

    /// Returns the bytes of the source file a path attribute names, looked
    /// up inside the archive (`sources/`, any case); a `relative://` file
    /// not in the archive, and an `absolute://` one, are read through
    /// `outside` (refused unless the user named a folder for them).
    pub fn source(
        &mut self,
        path: &str,
        outside: &Outside<'_>,
    ) -> Result<Option<Vec<u8>>, RefiError> {
        match resolve(path) {
            Location::Internal(name) => self.internal(&name),
            Location::External(p) => {
                if !p.is_absolute() && !is_windows_absolute(&p) {
                    // A relative path may name a file the archive holds.
                    let name = file_name(&p.to_string_lossy());
                    if let Some(bytes) = self.internal(&name)? {
                        return Ok(Some(bytes));
                    }
                }
                outside.read(path, &p)
            }
        }
    }

    fn internal(&mut self, name: &str) -> Result<Option<Vec<u8>>, RefiError> {
        for candidate in [format!("sources/{name}"), name.to_owned()] {
            if let Some(bytes) = self.read(&candidate)? {
                return Ok(Some(bytes));
            }
        }
        Ok(None)
    }
}

/// How sources outside the archive are read: only from the folder the
/// user named (`--sources-from`), only as regular files under it, within
/// the per-entry cap.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outside<'p> {
    /// The project file, for messages.
    pub file: &'p str,
    /// The folder the user trusts for outside sources, if any.
    pub sources_from: Option<&'p Path>,
    /// The largest source read, in bytes.
    pub cap: u64,
}

impl Outside<'_> {
    /// Returns the bytes of the outside source `p` (written `attr` in the
    /// project): `None` when it is not in the folder named, an error when
    /// no folder was named or the path leaves it.
    pub fn read(&self, attr: &str, p: &Path) -> Result<Option<Vec<u8>>, RefiError> {
        let refused = || RefiError::OutsideProject {
            file: self.file.to_owned(),
            path: attr.trim().to_owned(),
        };
        let Some(dir) = self.sources_from else {
            return Err(refused());
        };
        let Ok(root) = std::fs::canonicalize(dir) else {
            return Ok(None);
        };
        let absolute = p.is_absolute() || is_windows_absolute(p);
        // An absolute path is read where it points if that is inside the
        // folder, else by its name in the folder (the sources were copied).
        let mut candidates = Vec::new();
        if absolute {
            candidates.push(p.to_path_buf());
            candidates.push(root.join(file_name(&p.to_string_lossy())));
        } else {
            candidates.push(root.join(p));
        }
        for candidate in candidates {
            let Ok(real) = std::fs::canonicalize(&candidate) else {
                continue;
            };
            if !real.starts_with(&root) {
                if absolute {
                    continue;
                }
                return Err(refused());
            }
            return self.regular(&real).map(Some);
        }
        Ok(None)
    }

    /// Returns the bytes of `name` beside a bare `.qde` in `dir` (in
    /// `sources/`, `Sources/` or `dir` itself), read as a regular file.
    pub fn beside(&self, dir: &Path, name: &str) -> Result<Option<Vec<u8>>, RefiError> {
        for candidate in [
            dir.join("sources").join(name),
            dir.join("Sources").join(name),
            dir.join(name),
        ] {
            if std::fs::symlink_metadata(&candidate).is_ok() {
                return self.regular(&candidate).map(Some);
            }
        }
        Ok(None)
    }

    fn regular(&self, path: &Path) -> Result<Vec<u8>, RefiError> {
        verbatim_ingest::read_regular(path, self.cap).map_err(|e| match e {
            verbatim_ingest::IngestError::TooLarge { limit, .. } => RefiError::TooLarge {
                file: self.file.to_owned(),
                entry: path.display().to_string(),
                limit,
            },
            other => RefiError::BadSourceFile {
                file: self.file.to_owned(),
                path: path.display().to_string(),
                reason: other.to_string(),
            },
        })
    }
}

/// Returns true for `C:/…`: absolute on Windows, relative to Unix's eyes.
fn is_windows_absolute(p: &Path) -> bool {
    p.to_string_lossy().get(1..2) == Some(":")
}

/// Where a path attribute points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A file name inside the archive's `sources/`.
    Internal(String),
    /// A file outside the archive.
    External(PathBuf),
}

/// Resolves a path attribute (notes §1.1).
pub(crate) fn resolve(path: &str) -> Location {
    let path = path.trim().replace('\\', "/");
    let lower = path.to_ascii_lowercase();
    for scheme in ["internal:", "relative:", "absolute:"] {
        if let Some(rest) = lower.strip_prefix(scheme) {
            let rest = &path[path.len() - rest.len()..];
            let bare = rest.trim_start_matches('/');
            return match scheme {
                "internal:" => Location::Internal(file_name(bare)),
                "relative:" => Location::External(PathBuf::from(bare)),
                _ => {
                    // Keep the root of a POSIX path; a drive letter needs none.
                    let windows = bare.get(1..2) == Some(":");
                    if windows {
                        Location::External(PathBuf::from(bare))
                    } else {
                        Location::External(PathBuf::from(format!("/{bare}")))
                    }
                }
            };
        }
    }
    // A bare name (qc 1.3.2): look for it in the archive.
    Location::Internal(file_name(&path))
}

/// Returns the last component: internal files are a flat folder (§8.1),
/// and keeping only the name also keeps `internal://../x` inside.
fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_owned()
}

/// Writes a `.qdpx`: `project.qde` then each `(guid name, text)` as
/// `sources/<name>` (UTF-8, no BOM), then each `(path, text)` of `parts`
/// (entries only verbatim reads), deflated; then each recording
/// `(name, file)` as `sources/<name>`, stored (recordings are compressed
/// already), copied from its file a buffer at a time.
pub(crate) fn write_qdpx<W: Write + std::io::Seek>(
    out: W,
    qde: &str,
    sources: &[(String, &str)],
    parts: &[(String, String)],
    recordings: &[(String, std::path::PathBuf)],
) -> Result<W, RefiError> {
    let mut zip = zip::ZipWriter::new(out);
    // Level 1: the export of a large study spent most of its time
    // compressing at the default level; level 1 takes a third of that
    // time for a file about 1.6 times larger (26 MB instead of 16 MB for
    // 1,000 transcripts and 100,000 codings, see BENCHMARKS.md).
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(false);
    let io = |e: &dyn std::fmt::Display| RefiError::Write(e.to_string());
    zip.start_file("project.qde", options).map_err(|e| io(&e))?;
    zip.write_all(qde.as_bytes()).map_err(|e| io(&e))?;
    for (name, text) in sources {
        zip.start_file(format!("sources/{name}"), options)
            .map_err(|e| io(&e))?;
        zip.write_all(text.as_bytes()).map_err(|e| io(&e))?;
    }
    for (path, text) in parts {
        zip.start_file(path.as_str(), options).map_err(|e| io(&e))?;
        zip.write_all(text.as_bytes()).map_err(|e| io(&e))?;
    }
    let stored = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for (name, file) in recordings {
        let mut input = std::fs::File::open(file).map_err(|e| {
            RefiError::Write(format!(
                "the recording {} cannot be read ({e}): attach it again",
                file.display()
            ))
        })?;
        zip.start_file(format!("sources/{name}"), stored)
            .map_err(|e| io(&e))?;
        std::io::copy(&mut input, &mut zip).map_err(|e| io(&e))?;
    }
    zip.finish().map_err(|e| io(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_whatever_the_scheme() {
        assert_eq!(
            resolve("internal://8E7F.txt"),
            Location::Internal("8E7F.txt".into())
        );
        assert_eq!(
            resolve("board_2017.txt"),
            Location::Internal("board_2017.txt".into())
        );
        assert_eq!(
            resolve("internal://../../etc/passwd"),
            Location::Internal("passwd".into())
        );
        assert_eq!(
            resolve("relative:///AR/John Interview.mp4"),
            Location::External("AR/John Interview.mp4".into())
        );
        assert_eq!(
            resolve("absolute:///C:/PROJECT/a.txt"),
            Location::External("C:/PROJECT/a.txt".into())
        );
        assert_eq!(
            resolve("absolute://E:/Data/a.txt"),
            Location::External("E:/Data/a.txt".into())
        );
        assert_eq!(
            resolve("absolute:///home/me/a.txt"),
            Location::External("/home/me/a.txt".into())
        );
    }
}
