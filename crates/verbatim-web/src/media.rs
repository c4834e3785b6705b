//! `GET /media/{source}`: a source's recording, served with HTTP range
//! requests.
//!
//! A browser's `<audio>`/`<video>` asks for byte ranges so that seeking in a
//! one-hour recording fetches only the bytes around the new position, never
//! the whole file. One range per request is served (`206 Partial Content`
//! with `Content-Range`); several ranges at once are answered with the whole
//! file, as RFC 9110 allows; a range outside the file, or one that is not a
//! byte range, is `416` with `Content-Range: bytes */SIZE`. The file is read
//! in chunks on the blocking pool and streamed, so memory stays flat.
//! The route passes the same host check as every other; it only reads, so
//! it needs no CSRF token.

use std::io::{Read, Seek, SeekFrom};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use verbatim_store::SourceRef;

use crate::{AppState, WebError};

/// How much of the file is read per chunk of the response.
const CHUNK: usize = 256 * 1024;

/// Returns the route serving `/media/{source}`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/media/{source}", get(media))
}

/// What a `Range` header asks of a file of a given size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// No range (or several): the whole file, `200`.
    Whole,
    /// Bytes `first..=last`, `206`.
    Part {
        /// First byte.
        first: u64,
        /// Last byte (inclusive).
        last: u64,
    },
    /// A range outside the file or not a byte range: `416`.
    Unsatisfiable,
}

/// Reads a `Range` header value against a file of `size` bytes.
pub fn wanted(range: Option<&str>, size: u64) -> Wanted {
    let Some(range) = range else {
        return Wanted::Whole;
    };
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return Wanted::Unsatisfiable;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((from, to)) = spec.trim().split_once('-') else {
        return Wanted::Unsatisfiable;
    };
    let number = |s: &str| s.trim().parse::<u64>().ok();
    let part = match (from.trim().is_empty(), to.trim().is_empty()) {
        // `bytes=-N`: the last N bytes.
        (true, false) => number(to)
            .filter(|&n| n > 0 && size > 0)
            .map(|n| (size.saturating_sub(n), size - 1)),
        // `bytes=A-`: from A to the end.
        (false, true) => number(from).filter(|&a| a < size).map(|a| (a, size - 1)),
        // `bytes=A-B`.
        (false, false) => match (number(from), number(to)) {
            (Some(a), Some(b)) if a <= b && a < size => Some((a, b.min(size - 1))),
            _ => None,
        },
        (true, true) => None,
    };
    part.map_or(Wanted::Unsatisfiable, |(first, last)| Wanted::Part {
        first,
        last,
    })
}

async fn media(
    State(state): State<AppState>,
    Path(source): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (path, mime, etag) = state
        .read(move |store| {
            let id = store.source_id(&SourceRef::parse(&source))?;
            let rec = store
                .recording(id)?
                .ok_or_else(|| WebError::NotFound(format!("source {source} has no recording")))?;
            Ok((
                store.media_path(&rec)?,
                rec.mime,
                format!("\"{}\"", rec.sha256),
            ))
        })
        .await?;
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (file, size, want) = tokio::task::spawn_blocking(move || open(&path, range.as_deref()))
        .await
        .map_err(|e| WebError::Internal(format!("reading the recording stopped: {e}")))??;
    let (status, first, len) = match want {
        Wanted::Whole => (StatusCode::OK, 0, size),
        Wanted::Part { first, last } => (StatusCode::PARTIAL_CONTENT, first, last - first + 1),
        Wanted::Unsatisfiable => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            set(
                &mut response,
                header::CONTENT_RANGE,
                &format!("bytes */{size}"),
            );
            set(&mut response, header::ACCEPT_RANGES, "bytes");
            return Ok(response);
        }
    };
    let mut response = (status, file_body(file, len)).into_response();
    set(&mut response, header::CONTENT_TYPE, &mime);
    set(&mut response, header::ACCEPT_RANGES, "bytes");
    set(&mut response, header::CONTENT_LENGTH, &len.to_string());
    set(&mut response, header::ETAG, &etag);
    set(&mut response, header::CACHE_CONTROL, "private, no-cache");
    if status == StatusCode::PARTIAL_CONTENT {
        let last = first + len - 1;
        set(
            &mut response,
            header::CONTENT_RANGE,
            &format!("bytes {first}-{last}/{size}"),
        );
    }
    Ok(response)
}

/// Opens the recording, reads the range asked for and places the file at
/// its first byte.
fn open(
    path: &std::path::Path,
    range: Option<&str>,
) -> Result<(std::fs::File, u64, Wanted), WebError> {
    let missing = |e: std::io::Error| {
        WebError::NotFound(format!(
            "the recording's file is missing from the media folder ({e}): attach it again"
        ))
    };
    let mut file = std::fs::File::open(path).map_err(missing)?;
    let size = file.metadata().map_err(missing)?.len();
    let want = wanted(range, size);
    if let Wanted::Part { first, .. } = want {
        file.seek(SeekFrom::Start(first)).map_err(missing)?;
    }
    Ok((file, size, want))
}

/// Streams `len` bytes of `file` from where it stands, a chunk at a time.
fn file_body(file: std::fs::File, len: u64) -> Body {
    let chunks = futures_util::stream::unfold((Some(file), len), |(file, left)| async move {
        let file = file?;
        if left == 0 {
            return None;
        }
        let want = usize::try_from(left).map_or(CHUNK, |l| l.min(CHUNK));
        let read = tokio::task::spawn_blocking(move || {
            let mut file = file;
            let mut buffer = vec![0u8; want];
            let result = file.read(&mut buffer).map(|n| {
                buffer.truncate(n);
                buffer
            });
            (file, result)
        })
        .await;
        match read {
            Ok((file, Ok(buffer))) if !buffer.is_empty() => {
                let n = buffer.len() as u64;
                Some((Ok(Bytes::from(buffer)), (Some(file), left - n)))
            }
            Ok((_, Ok(_))) => Some((Err(short_file()), (None, 0))),
            Ok((_, Err(e))) => Some((Err(e), (None, 0))),
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), (None, 0))),
        }
    });
    Body::from_stream(chunks)
}

fn short_file() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        "the recording became shorter while it was sent",
    )
}

fn set(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
}

#[cfg(test)]
mod tests {
    use super::{Wanted, wanted};

    #[test]
    fn ranges_are_read_against_the_file_size() {
        let size = 1000;
        assert_eq!(wanted(None, size), Wanted::Whole);
        // First 100 bytes: 0..=99.
        assert_eq!(
            wanted(Some("bytes=0-99"), size),
            Wanted::Part { first: 0, last: 99 }
        );
        // From 500 to the end: 500..=999.
        assert_eq!(
            wanted(Some("bytes=500-"), size),
            Wanted::Part {
                first: 500,
                last: 999
            }
        );
        // The last 200 bytes: 1000 - 200 = 800, so 800..=999.
        assert_eq!(
            wanted(Some("bytes=-200"), size),
            Wanted::Part {
                first: 800,
                last: 999
            }
        );
        // A suffix longer than the file is the whole file as a range.
        assert_eq!(
            wanted(Some("bytes=-5000"), size),
            Wanted::Part {
                first: 0,
                last: 999
            }
        );
        // An end past the file is cut to the last byte.
        assert_eq!(
            wanted(Some("bytes=990-2000"), size),
            Wanted::Part {
                first: 990,
                last: 999
            }
        );
        assert_eq!(wanted(Some("bytes=0-1,5-9"), size), Wanted::Whole);
        for bad in [
            "bytes=1000-",
            "bytes=5-2",
            "bytes=-0",
            "bytes=x-y",
            "items=0-5",
            "bytes=-",
        ] {
            assert_eq!(wanted(Some(bad), size), Wanted::Unsatisfiable, "{bad}");
        }
        assert_eq!(wanted(Some("bytes=0-"), 0), Wanted::Unsatisfiable);
    }
}
