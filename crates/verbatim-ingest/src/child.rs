//! Untrusted parsers in a child process, under memory, CPU and time limits.
//!
//! Two third-party parsers can take the whole program down on a hostile
//! file: pdf-extract overflows any stack on a form XObject that draws
//! itself (an abort, which `catch_unwind` cannot catch) and inflates a
//! 2 MB stream to gigabytes; calamine spends minutes and gigabytes on a
//! 1 KB `.ods` that repeats a filled cell 16,384 columns wide on thousands
//! of rows. A thread cannot be stopped, so a time limit on one only
//! abandons it, still busy. So when the binary says how to start itself
//! as a reader ([`read_untrusted_in_child`]), each such file is read by a
//! child process of the same binary: the parent writes the bytes to its
//! stdin, the child ([`serve_child`]) runs the parser named on its command
//! line and writes the answer to its stdout. The child starts under
//! `ulimit -v` (address space) and `ulimit -t` (CPU seconds) through
//! `/bin/sh`, and the parent kills it past the wall-clock limit. A crash,
//! an abort or a limit ends the child only; the caller makes it one
//! refusal for that file, and nothing of the reading outlives it.
//!
//! The answer is a list of fields, each `TAG LENGTH\n` then LENGTH bytes
//! ([`field`], [`fields`]); each parser names its own tags
//! (`formats::pdf_child`, `workbook`).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How to start this program as a reader of untrusted files, and the
/// child's memory limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildReader {
    /// The program (the running binary).
    pub program: PathBuf,
    /// The arguments that make it a reader (a hidden subcommand); the
    /// parser's name ([`serve_child`]) is added after them.
    pub args: Vec<String>,
    /// The child's address-space limit, in bytes.
    pub memory_bytes: u64,
}

impl ChildReader {
    /// The memory limit in MiB, for messages.
    pub(crate) fn memory_mib(&self) -> u64 {
        self.memory_bytes / (1024 * 1024)
    }
}

static CHILD: OnceLock<ChildReader> = OnceLock::new();

/// Makes every later PDF extraction and workbook reading of this process
/// run in a child started as `child` says (Unix only; elsewhere they run
/// on a guarded thread). Call once, at start-up; later calls are ignored.
pub fn read_untrusted_in_child(child: ChildReader) {
    if cfg!(unix) {
        let _ = CHILD.set(child);
    }
}

/// Returns the child configuration, if untrusted parsers run in a child.
pub(crate) fn configured() -> Option<&'static ChildReader> {
    CHILD.get()
}

/// A parser that runs in the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parser {
    /// pdf-extract: a PDF's pages (`formats::pdf_child`).
    Pdf,
    /// calamine: a workbook's first sheet (`workbook`).
    Workbook,
}

impl Parser {
    /// The name the child is given on its command line.
    fn name(self) -> &'static str {
        match self {
            Parser::Pdf => "pdf",
            Parser::Workbook => "workbook",
        }
    }
}

/// The child's side: reads a file from `input`, runs the parser named
/// `parser` (`pdf` or `workbook`) on it and writes its answer to `output`.
pub fn serve_child(
    parser: &str,
    mut input: impl Read,
    mut output: impl Write,
) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let answer = match parser {
        "pdf" => crate::formats::pdf_child::answer(bytes),
        "workbook" => crate::workbook::answer(&bytes),
        other => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("no reader is named {other:?}: give pdf or workbook"),
            ));
        }
    };
    output.write_all(&answer)?;
    output.flush()
}

/// Why the child gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stopped {
    /// The child could not be started or talked to.
    Start(String),
    /// It ran past the wall-clock limit and was killed.
    Timeout,
    /// It used up its CPU seconds (`SIGXCPU`).
    CpuLimit,
    /// Its stack overflowed (the parser recursed without end).
    StackOverflow,
    /// An allocation failed at the address-space limit.
    OutOfMemory,
    /// Any other end: a signal or an exit status, in words.
    Other(String),
}

/// Returns the child's answer for `bytes` read by `parser`, the child
/// killed past `wall` (its CPU seconds are limited to the same).
pub(crate) fn run(
    child: &ChildReader,
    parser: Parser,
    bytes: &[u8],
    wall: Duration,
) -> Result<Vec<u8>, Stopped> {
    let seconds = wall.as_secs().max(1);
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
        .arg(parser.name())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Stopped::Start(format!("could not start the reader: {e}")))?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) = (
        process.stdin.take(),
        process.stdout.take(),
        process.stderr.take(),
    ) else {
        let _ = process.kill();
        let _ = process.wait();
        return Err(Stopped::Start("could not talk to the reader".into()));
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
    let status = wait_within(&mut process, wall);
    // The child is gone (ended or killed): its pipes are closed, so the
    // three threads end now too.
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = errors.join().unwrap_or_default();
    let status = status?;
    if !status.success() {
        return Err(stopped(status, &String::from_utf8_lossy(&err)));
    }
    Ok(out)
}

/// Waits for the child, killing it past `wall`.
fn wait_within(process: &mut std::process::Child, wall: Duration) -> Result<ExitStatus, Stopped> {
    let deadline = Instant::now() + wall;
    loop {
        match process.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = process.kill();
                let _ = process.wait();
                return Err(Stopped::Timeout);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                let _ = process.kill();
                let _ = process.wait();
                return Err(Stopped::Start(format!("lost the reader: {e}")));
            }
        }
    }
}

/// Returns why a child that did not finish cleanly stopped.
fn stopped(status: ExitStatus, stderr: &str) -> Stopped {
    if stderr.contains("overflowed its stack") {
        return Stopped::StackOverflow;
    }
    if stderr.contains("memory allocation") || stderr.contains("capacity overflow") {
        return Stopped::OutOfMemory;
    }
    match signal_of(status) {
        // Sent at the `ulimit -t` limit.
        #[cfg(unix)]
        Some(libc::SIGXCPU) => Stopped::CpuLimit,
        Some(signal) => Stopped::Other(format!("signal {signal}")),
        None => Stopped::Other(format!("exit status {}", status.code().unwrap_or(-1))),
    }
}

#[cfg(unix)]
fn signal_of(status: ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn signal_of(_status: ExitStatus) -> Option<i32> {
    None
}

/// Appends one field of an answer.
pub(crate) fn field(out: &mut Vec<u8>, tag: &str, bytes: &[u8]) {
    out.extend_from_slice(format!("{tag} {}\n", bytes.len()).as_bytes());
    out.extend_from_slice(bytes);
}

/// Returns an answer's fields, `(tag, bytes)` in order, or `None` when it
/// is garbled.
pub(crate) fn fields(mut out: &[u8]) -> Option<Vec<(&str, &[u8])>> {
    let mut found = Vec::new();
    while !out.is_empty() {
        let line_end = out.iter().position(|&b| b == b'\n')?;
        let head = std::str::from_utf8(&out[..line_end]).ok()?;
        let (tag, len) = head.split_once(' ')?;
        let len: usize = len.parse().ok()?;
        let end = line_end.checked_add(1)?.checked_add(len)?;
        found.push((tag, out.get(line_end + 1..end)?));
        out = &out[end..];
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_back_what_was_written() {
        let mut out = Vec::new();
        field(&mut out, "cell", b"0 1 un\ndeux");
        field(&mut out, "total", b"");
        assert_eq!(
            fields(&out),
            Some(vec![("cell", &b"0 1 un\ndeux"[..]), ("total", &b""[..])])
        );
        // Cut short, or a length past the end: garbled, not a panic.
        assert_eq!(fields(&out[..out.len() - 9]), None);
        assert_eq!(fields(b"cell 99999999999999999999\n"), None);
        assert_eq!(fields(b"cell 18446744073709551615\nx"), None);
    }
}
