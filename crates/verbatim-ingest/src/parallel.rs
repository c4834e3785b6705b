//! Reading many files at once on all cores.
//!
//! Parsing dominates import time (decoding, unzipping, NFC, label
//! detection) while the store writes sequentially, so files are read on a
//! small pool of scoped threads and handed back in the order given.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use verbatim_core::NormalisedSource;

use crate::{IngestError, Options, read_file};

/// Returns each file read, in the order given, using up to `threads` threads.
pub fn read_parallel(
    files: &[PathBuf],
    options: &Options,
    threads: usize,
) -> Vec<Result<NormalisedSource, IngestError>> {
    let slots: Vec<Mutex<Option<Result<NormalisedSource, IngestError>>>> =
        files.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = threads.clamp(1, files.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(index) else { break };
                    let result = read_file(path, options);
                    if let Ok(mut slot) = slots[index].lock() {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner().ok().flatten().unwrap_or_else(|| {
                Err(IngestError::Malformed {
                    format: "file",
                    reason: "the reader stopped unexpectedly".into(),
                })
            })
        })
        .collect()
}
