//! The source texts a store has read, kept while the database says they
//! are unchanged.
//!
//! Coding through the web converts the browser's UTF-16 positions with the
//! source's text, so every coding read a whole transcript (35-45 KB for a
//! one-hour interview) from PostgreSQL: decompressed from TOAST, sent over
//! the socket, parsed. A transcript changes rarely (an edit, a withdrawal,
//! de-identification), and PostgreSQL already marks each row version with
//! the transaction that wrote it (`xmin`): a read that names the version it
//! holds gets the text back only when the row has another version since.
//! The version is checked in the same statement as the read, so the cache
//! never answers a text the database no longer has; `octet_length` (read
//! from the TOAST header, without decompressing) guards against the
//! 32-bit `xmin` coming round again.
//!
//! SQLite needs none of this: its reads are in-process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use postgres::types::Type;

use crate::pool::Conn;

/// How many bytes of text a store keeps at most; past it, it starts again
/// empty (the next reads fill it with the texts in use).
const MOST_BYTES: usize = 64 << 20;

/// Which version of a source's text is kept: its row's `xmin` and length.
type Version = (i64, i64);

/// The texts kept, by source id, with the version each was read at.
#[derive(Debug, Default)]
pub(crate) struct TextCache(Mutex<Kept>);

#[derive(Debug, Default)]
struct Kept {
    texts: HashMap<i64, (Version, Arc<str>)>,
    bytes: usize,
}

impl TextCache {
    /// Returns source `source`'s text, `None` when there is no such source:
    /// the kept copy when the database's row is the version kept, else the
    /// database's text (then kept).
    pub(crate) fn text(
        &self,
        client: &mut Conn<'_>,
        source: i64,
    ) -> Result<Option<Arc<str>>, postgres::Error> {
        let held = self.kept(source);
        let (xmin, length) = held.as_ref().map_or((-1, -1), |(v, _)| *v);
        let rows = client.query_kept(
            "SELECT xmin::text::bigint, octet_length(text)::bigint, \
                    CASE WHEN xmin::text::bigint = $2 AND octet_length(text) = $3 \
                         THEN NULL ELSE text END \
             FROM source_texts WHERE source_id = $1",
            &[Type::INT8; 3],
            &[&source, &xmin, &length],
        )?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let version: Version = (row.try_get(0)?, row.try_get(1)?);
        match (row.try_get::<_, Option<String>>(2)?, held) {
            (None, Some((_, text))) => Ok(Some(text)),
            (Some(text), _) => Ok(Some(self.keep(source, version, text))),
            // Not an answer the statement gives (the text is NOT NULL and
            // no row is version -1); read plainly rather than assume.
            (None, None) => {
                let text: String = client
                    .query_typed_one(
                        "SELECT text FROM source_texts WHERE source_id = $1",
                        &[(&source, Type::INT8)],
                    )?
                    .try_get(0)?;
                Ok(Some(self.keep(source, version, text)))
            }
        }
    }

    fn kept(&self, source: i64) -> Option<(Version, Arc<str>)> {
        self.lock().texts.get(&source).cloned()
    }

    fn keep(&self, source: i64, version: Version, text: String) -> Arc<str> {
        let text: Arc<str> = text.into();
        let mut kept = self.lock();
        if kept.bytes + text.len() > MOST_BYTES {
            *kept = Kept::default();
        }
        kept.bytes += text.len();
        if let Some((_, old)) = kept.texts.insert(source, (version, Arc::clone(&text))) {
            kept.bytes -= old.len();
        }
        text
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
