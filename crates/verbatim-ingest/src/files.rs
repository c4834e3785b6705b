//! Finding the files to import under the paths a user gives, and reading
//! one file without trusting what the path names.
//!
//! A folder handed to `import` may hold anything: a symlink back to itself
//! (`self -> .`), a FIFO named `x.txt` that blocks whoever opens it, a link
//! to `/dev/zero` that never ends. Only regular files are read; a symlink
//! is followed to a regular file or to a folder not already searched
//! (folders are recognised by device and inode, so no loop is walked
//! twice); everything else is listed as skipped with the reason. Reading
//! ([`read_regular`]) checks the opened handle again, so a path swapped
//! after the walk cannot slip a device in, and never reads past the limit.

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

use verbatim_core::Format;

use crate::IngestError;

/// Returns the format a path's extension names, if verbatim reads it.
pub fn format_of(path: &Path) -> Option<Format> {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
}

/// The files found under the paths given, and what was passed over.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collected {
    /// Files of a supported format, in a stable (sorted) order per folder.
    pub files: Vec<PathBuf>,
    /// Files inside folders whose format is not supported (listed, not read).
    pub unsupported: Vec<PathBuf>,
    /// Paths given that do not exist or could not be listed, with the reason.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Entries that are not regular files or folders (FIFOs, sockets,
    /// devices) and links back into a folder already searched, with why
    /// each was not read.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Returns the importable files under `paths`: a file path is taken as it is
/// (its format is checked at read time), a folder is walked recursively.
/// Hidden files and folders (starting with `.`) and editor lock files
/// (`~$x.docx`) are skipped silently; FIFOs, sockets, devices and links
/// into a folder already searched are skipped and listed.
pub fn collect_files(paths: &[PathBuf]) -> Collected {
    let mut walk = Walk::default();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk.dir(path, &meta),
            Ok(meta) if meta.is_file() => walk.out.files.push(path.clone()),
            Ok(meta) => walk.out.skipped.push((path.clone(), not_regular(&meta))),
            Err(err) => walk.out.unreadable.push((path.clone(), err.to_string())),
        }
    }
    walk.out
}

/// Returns a regular file's bytes, refusing anything else (a FIFO, a
/// device, a socket) and any file over `limit` bytes before reading it.
///
/// The file is opened without blocking (a FIFO would otherwise wait for a
/// writer forever) and its type and size are read from the open handle;
/// reading stops at `limit + 1` bytes in case the file grows meanwhile.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, IngestError> {
    let file = open_nonblocking(path).map_err(IngestError::Io)?;
    let meta = file.metadata().map_err(IngestError::Io)?;
    if !meta.is_file() {
        return Err(IngestError::NotRegular {
            kind: kind_of(&meta),
        });
    }
    if meta.len() > limit {
        return Err(IngestError::TooLarge {
            bytes: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(IngestError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(IngestError::TooLarge {
            bytes: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Returns what kind of file system entry `meta` describes, in words.
fn kind_of(meta: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

fn not_regular(meta: &Metadata) -> String {
    format!("{}, not a regular file: not read", kind_of(meta))
}

/// Returns a folder's identity: device and inode where the platform has
/// them, so a link back into a folder already searched is recognised.
#[cfg(unix)]
fn identity(_path: &Path, meta: &Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(path: &Path, _meta: &Metadata) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Returns true for a study file and its SQLite companions, which live
/// beside transcripts often enough that reporting them would be noise.
fn is_study_file(name: &str) -> bool {
    [".vbt", ".vbt-wal", ".vbt-shm", ".vbt-journal"]
        .iter()
        .any(|ext| name.ends_with(ext))
        || name.contains(".vbt.v")
}

/// One walk over the folders given: what was found, and which folders
/// were already searched.
#[derive(Default)]
struct Walk {
    out: Collected,
    #[cfg(unix)]
    seen: HashSet<(u64, u64)>,
    #[cfg(not(unix))]
    seen: HashSet<PathBuf>,
}

impl Walk {
    fn dir(&mut self, dir: &Path, meta: &Metadata) {
        if !self.seen.insert(identity(dir, meta)) {
            self.out.skipped.push((
                dir.to_path_buf(),
                "a link to a folder already searched (a loop): not followed".into(),
            ));
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) => {
                self.out
                    .unreadable
                    .push((dir.to_path_buf(), err.to_string()));
                return;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with('.') || name.starts_with("~$") || is_study_file(&name) {
                continue;
            }
            // Follows a symlink; the identity check above stops loops.
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => self.dir(&path, &meta),
                Ok(meta) if !meta.is_file() => {
                    self.out.skipped.push((path, not_regular(&meta)));
                }
                Ok(_) if format_of(&path).is_some() => self.out.files.push(path),
                Ok(_) => self.out.unsupported.push(path),
                Err(err) => self.out.unreadable.push((path, err.to_string())),
            }
        }
    }
}
