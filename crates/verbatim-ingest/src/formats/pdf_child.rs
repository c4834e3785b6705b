//! PDF extraction in a child process with memory, CPU and time limits.
//!
//! pdf-extract can overflow any stack on a form XObject that draws itself
//! (an abort, which `catch_unwind` cannot catch: the whole batch died) and
//! can inflate a 2 MB stream to gigabytes. So when the binary says how to
//! start itself as an extractor ([`read_pdfs_in_child`]), each PDF is
//! read by a child process: the parent writes the bytes to its stdin, the
//! child ([`serve_child`]) extracts the pages as before and writes them to
//! its stdout. The child starts under `ulimit -v` (address space) and
//! `ulimit -t` (CPU seconds) through `/bin/sh`, and the parent kills it
//! past the wall-clock limit ([`Limits::pdf_timeout`]). A crash, an abort
//! or a limit is one refusal for that file; the batch goes on.
//!
//! The wire format is a list of fields, each `TAG LENGTH\n` then LENGTH
//! bytes: `total` (page count), `page` (a page's text), `failure`,
//! `title`, `author`, `created`, or one of `encrypted`, `broken`.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::pdf::{Failure, Pages};
use crate::{IngestError, Limits};

/// How to start this program as a PDF extractor, and its limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfChild {
    /// The program (the running binary).
    pub program: PathBuf,
    /// The arguments that make it an extractor (a hidden subcommand).
    pub args: Vec<String>,
    /// The child's address-space limit, in bytes.
    pub memory_bytes: u64,
}

static CHILD: OnceLock<PdfChild> = OnceLock::new();

/// Makes every later PDF extraction of this process run in a child started
/// as `child` says (Unix only; elsewhere PDFs are read on a thread). Call
/// once, at start-up; later calls are ignored.
pub fn read_pdfs_in_child(child: PdfChild) {
    if cfg!(unix) {
        let _ = CHILD.set(child);
    }
}

/// Returns the child configuration, if PDFs are read in a child.
pub(super) fn configured() -> Option<&'static PdfChild> {
    CHILD.get()
}

/// The child's side: reads a PDF from `input`, writes its pages (or why
/// they could not be read) to `output`. Extraction runs on a thread with a
/// large stack; a stack overflow there ends this process, which the parent
/// reports.
pub fn serve_child(mut input: impl Read, mut output: impl Write) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let limits = Limits {
        pdf_timeout: Duration::from_secs(u64::MAX / 4),
        ..Limits::default()
    };
    let mut out = Vec::new();
    match super::pdf::run_guarded(&limits, move || super::pdf::read_pages(&bytes)) {
        Ok(pages) => {
            field(&mut out, "total", pages.total.to_string().as_bytes());
            for text in &pages.texts {
                field(&mut out, "page", text.as_bytes());
            }
            for failure in &pages.failures {
                field(&mut out, "failure", failure.as_bytes());
            }
            for (tag, value) in ["title", "author", "created"].iter().zip(&pages.info) {
                if let Some(value) = value {
                    field(&mut out, tag, value.as_bytes());
                }
            }
        }
        Err(IngestError::PdfEncrypted) => field(&mut out, "encrypted", b""),
        Err(other) => {
            let reason = match other {
                IngestError::Malformed { reason, .. } => reason,
                other => other.to_string(),
            };
            field(&mut out, "broken", reason.as_bytes());
        }
    }
    output.write_all(&out)?;
    output.flush()
}

fn field(out: &mut Vec<u8>, tag: &str, bytes: &[u8]) {
    out.extend_from_slice(format!("{tag} {}\n", bytes.len()).as_bytes());
    out.extend_from_slice(bytes);
}

/// The parent's side: returns the pages the child read from `bytes`.
pub(super) fn run(child: &PdfChild, bytes: &[u8], limits: &Limits) -> Result<Pages, IngestError> {
    let seconds = limits.pdf_timeout.as_secs().max(1);
    // `ulimit -v` counts KiB; `exec` keeps the limits for the program.
    let script = format!(
        "ulimit -v {} && ulimit -t {seconds} && exec \"$0\" \"$@\"",
        child.memory_bytes / 1024
    );
    let mut process = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .arg(&child.program)
        .args(&child.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| malformed(format!("could not start the PDF reader: {e}")))?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) = (
        process.stdin.take(),
        process.stdout.take(),
        process.stderr.take(),
    ) else {
        return Err(malformed("could not talk to the PDF reader".into()));
    };
    let data = bytes.to_vec();
    // The child may die before reading everything: a failed write is
    // reported through its exit status below.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let errors = std::thread::spawn(move || {
        let mut err = Vec::new();
        let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut err);
        err
    });
    let deadline = Instant::now() + limits.pdf_timeout;
    let status = loop {
        match process.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = process.kill();
                let _ = process.wait();
                return Err(IngestError::PdfTimeout {
                    seconds: limits.pdf_timeout.as_secs(),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(malformed(format!("lost the PDF reader: {e}"))),
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = errors.join().unwrap_or_default();
    if !status.success() {
        return Err(crashed(status, &String::from_utf8_lossy(&err), child));
    }
    decode(&out)
}

/// Returns the refusal for a child that did not finish cleanly.
fn crashed(status: std::process::ExitStatus, stderr: &str, child: &PdfChild) -> IngestError {
    let mib = child.memory_bytes / (1024 * 1024);
    let cause = if stderr.contains("overflowed its stack") {
        "its drawing instructions nest without end (the reader's stack overflowed)".to_owned()
    } else if stderr.contains("memory allocation") || stderr.contains("capacity overflow") {
        format!("it needs more than the {mib} MiB of memory the PDF reader may use")
    } else {
        let how = signal_of(status).map_or_else(
            || format!("exit status {}", status.code().unwrap_or(-1)),
            |s| format!("signal {s}"),
        );
        format!(
            "the PDF reader stopped on it ({how}; at most {mib} MiB of memory and the time limit)"
        )
    };
    malformed(format!("{cause}: convert it to text or docx first"))
}

#[cfg(unix)]
fn signal_of(status: std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn signal_of(_status: std::process::ExitStatus) -> Option<i32> {
    None
}

fn malformed(reason: String) -> IngestError {
    IngestError::Malformed {
        format: "pdf",
        reason,
    }
}

/// Reads the child's answer back into pages (or its refusal).
fn decode(mut out: &[u8]) -> Result<Pages, IngestError> {
    let garbled = || malformed("the PDF reader's answer was garbled".into());
    let mut pages = Pages {
        texts: Vec::new(),
        total: 0,
        failures: Vec::new(),
        info: [None, None, None],
    };
    while !out.is_empty() {
        let line_end = out.iter().position(|&b| b == b'\n').ok_or_else(garbled)?;
        let head = std::str::from_utf8(&out[..line_end]).map_err(|_| garbled())?;
        let (tag, len) = head.split_once(' ').ok_or_else(garbled)?;
        let len: usize = len.parse().map_err(|_| garbled())?;
        let body = out
            .get(line_end + 1..line_end + 1 + len)
            .ok_or_else(garbled)?;
        let text = String::from_utf8_lossy(body).into_owned();
        out = &out[line_end + 1 + len..];
        match tag {
            "total" => pages.total = text.parse().map_err(|_| garbled())?,
            "page" => pages.texts.push(text),
            "failure" => pages.failures.push(text),
            "title" => pages.info[0] = Some(text),
            "author" => pages.info[1] = Some(text),
            "created" => pages.info[2] = Some(text),
            "encrypted" => return Err(IngestError::PdfEncrypted),
            "broken" => return Err(Failure::Broken(text).into_error()),
            _ => return Err(garbled()),
        }
    }
    Ok(pages)
}
