//! A PDF's pages across the child process (`crate::child`).
//!
//! pdf-extract can overflow any stack on a form XObject that draws itself
//! and can inflate a 2 MB stream to gigabytes, so when the binary starts
//! untrusted parsers in a child, each PDF is read there: [`answer`] is the
//! child's side (the pages as before, or why they could not be read),
//! [`run`] the parent's. The fields are `total` (page count), `page` (a
//! page's text), `failure`, `title`, `author`, `created`, or one of
//! `encrypted`, `broken`.

use std::time::Duration;

use super::pdf::{Failure, Pages};
use crate::child::{self, ChildReader, Parser, Stopped, field};
use crate::{IngestError, Limits};

/// The child's side: returns the answer for the PDF in `bytes`. Extraction
/// runs on a thread with a large stack; a stack overflow there ends the
/// child, which the parent reports.
pub(crate) fn answer(bytes: Vec<u8>) -> Vec<u8> {
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
    out
}

/// The parent's side: returns the pages the child read from `bytes`.
pub(super) fn run(
    child: &ChildReader,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Pages, IngestError> {
    match child::run(child, Parser::Pdf, bytes, limits.pdf_timeout) {
        Ok(out) => decode(&out),
        Err(Stopped::Timeout | Stopped::CpuLimit) => Err(IngestError::PdfTimeout {
            seconds: limits.pdf_timeout.as_secs(),
        }),
        Err(stopped) => Err(refusal(&stopped, child)),
    }
}

/// Returns the refusal for a child that did not finish cleanly.
fn refusal(stopped: &Stopped, child: &ChildReader) -> IngestError {
    let mib = child.memory_mib();
    let cause = match stopped {
        Stopped::Start(reason) => return malformed(format!("the PDF reader: {reason}")),
        Stopped::StackOverflow => {
            "its drawing instructions nest without end (the reader's stack overflowed)".to_owned()
        }
        Stopped::OutOfMemory => {
            format!("it needs more than the {mib} MiB of memory the PDF reader may use")
        }
        Stopped::Timeout | Stopped::CpuLimit => "the PDF reader ran out of time on it".to_owned(),
        Stopped::Other(how) => format!(
            "the PDF reader stopped on it ({how}; at most {mib} MiB of memory and the time limit)"
        ),
    };
    malformed(format!("{cause}: convert it to text or docx first"))
}

fn malformed(reason: String) -> IngestError {
    IngestError::Malformed {
        format: "pdf",
        reason,
    }
}

/// Reads the child's answer back into pages (or its refusal).
fn decode(out: &[u8]) -> Result<Pages, IngestError> {
    let garbled = || malformed("the PDF reader's answer was garbled".into());
    let mut pages = Pages {
        texts: Vec::new(),
        total: 0,
        failures: Vec::new(),
        info: [None, None, None],
    };
    for (tag, body) in child::fields(out).ok_or_else(garbled)? {
        let text = String::from_utf8_lossy(body).into_owned();
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
