//! Finding the files to import under the paths a user gives.

use std::path::{Path, PathBuf};

use verbatim_core::Format;

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
}

/// Returns the importable files under `paths`: a file path is taken as it is
/// (its format is checked at read time), a folder is walked recursively.
/// Hidden files and folders (starting with `.`) and editor lock files
/// (`~$x.docx`) are skipped.
pub fn collect_files(paths: &[PathBuf]) -> Collected {
    let mut collected = Collected::default();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut collected),
            Ok(_) => collected.files.push(path.clone()),
            Err(err) => collected.unreadable.push((path.clone(), err.to_string())),
        }
    }
    collected
}

/// Returns true for a study file and its SQLite companions, which live
/// beside transcripts often enough that reporting them would be noise.
fn is_study_file(name: &str) -> bool {
    [".vbt", ".vbt-wal", ".vbt-shm", ".vbt-journal"]
        .iter()
        .any(|ext| name.ends_with(ext))
        || name.contains(".vbt.v")
}

fn walk(dir: &Path, collected: &mut Collected) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            collected
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
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk(&path, collected),
            Ok(_) if format_of(&path).is_some() => collected.files.push(path),
            Ok(_) => collected.unsupported.push(path),
            Err(err) => collected.unreadable.push((path, err.to_string())),
        }
    }
}
