//! The server's shared state: the open study and the per-process secrets.
//!
//! SQLite connections are not shareable between threads, and a study is
//! one user's (or one small team's) file, so one connection behind a
//! mutex is enough; store calls are blocking, so they run on tokio's
//! blocking pool and never stall the async workers.
//!
//! Beside the connection, the study keeps what is costly to rebuild on
//! every request: the search index, opened once, and two scans of every
//! source's text, the de-identification candidates and the word counts. Both are
//! checked against the study's change counter (the audit log's newest
//! row), so a write by this server or by the CLI shows in the next
//! request.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use verbatim_search::Index;
use verbatim_store::{Candidate, SqliteStore, Store};

use crate::WebError;

/// What the server was started with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The coder acting when the browser has not picked one (`--coder`).
    pub default_coder: Option<String>,
    /// The address the server listens on: requests must name it (or a
    /// loopback name with its port) in `Host`, which defeats DNS
    /// rebinding.
    pub addr: SocketAddr,
}

/// The open study and its search index.
pub struct Study {
    /// The study file.
    pub store: SqliteStore,
    /// The full-text index beside it, opened on first search.
    index: Option<Index>,
    /// The de-identification candidates and the change counter they were
    /// computed at.
    deid: Option<(i64, Vec<Candidate>)>,
    /// Each source's word count and the change counter it was counted at.
    words: Option<(i64, Arc<HashMap<i64, usize>>)>,
}

impl Study {
    /// Returns the search index, opened and brought up to date with the
    /// study (only changed sources are re-indexed).
    pub fn synced_index(&mut self) -> Result<&Index, WebError> {
        let index = match self.index.take() {
            Some(index) => index,
            None => Index::open(self.store.path())?,
        };
        let index = self.index.insert(index);
        index.sync(&self.store)?;
        Ok(index)
    }

    /// Returns the words that may identify someone (see
    /// `SqliteStore::deid_candidates`), computed again only when the study
    /// changed since the last call.
    pub fn deid_candidates(&mut self) -> Result<Vec<Candidate>, WebError> {
        let counter = self.store.change_counter()?;
        if let Some((at, list)) = &self.deid
            && *at == counter
        {
            return Ok(list.clone());
        }
        let list = self.store.deid_candidates(None)?;
        self.deid = Some((counter, list.clone()));
        Ok(list)
    }

    /// Returns each source's word count (whitespace-separated words, which
    /// the researcher compares with the transcription's own count), read
    /// from every text again only when the study changed.
    pub fn word_counts(&mut self) -> Result<Arc<HashMap<i64, usize>>, WebError> {
        let counter = self.store.change_counter()?;
        if let Some((at, words)) = &self.words
            && *at == counter
        {
            return Ok(Arc::clone(words));
        }
        let mut words = HashMap::new();
        for s in self.store.sources()? {
            let text = self.store.source_text(s.id)?;
            words.insert(s.id, text.split_whitespace().count());
        }
        let words = Arc::new(words);
        self.words = Some((counter, Arc::clone(&words)));
        Ok(words)
    }

    /// Returns the store and the synced index together, for searches that
    /// read both.
    pub fn store_and_index(&mut self) -> Result<(&SqliteStore, &Index), WebError> {
        self.synced_index()?;
        match &self.index {
            Some(index) => Ok((&self.store, index)),
            None => Err(WebError::Internal("the search index did not open".into())),
        }
    }
}

/// The state every handler receives; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    study: Mutex<Study>,
    config: Config,
    csrf: String,
}

impl AppState {
    /// Returns the state serving `store`, with a fresh CSRF token.
    pub fn new(store: SqliteStore, config: Config) -> Self {
        // Two v4 UUIDs: 244 random bits from the OS generator.
        let csrf = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        Self {
            shared: Arc::new(Shared {
                study: Mutex::new(Study {
                    store,
                    index: None,
                    deid: None,
                    words: None,
                }),
                config,
                csrf,
            }),
        }
    }

    /// Returns what the server was started with.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// Returns this process's CSRF token.
    pub fn csrf(&self) -> &str {
        &self.shared.csrf
    }

    /// Runs `f` on the study on the blocking pool, without writing.
    pub async fn read<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&SqliteStore) -> Result<T, WebError> + Send + 'static,
    {
        self.with_study(move |study| f(&study.store)).await
    }

    /// Runs `f` on the study on the blocking pool, allowed to write.
    pub async fn write<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteStore) -> Result<T, WebError> + Send + 'static,
    {
        self.with_study(move |study| f(&mut study.store)).await
    }

    /// Runs `f` on the study and its search index on the blocking pool.
    pub async fn with_study<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Study) -> Result<T, WebError> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        // The request's language follows onto the blocking pool (page titles).
        let lang = crate::i18n::Lang::current();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock rolled its transaction back
            // (rusqlite rolls back on drop), so the study is consistent and
            // the poisoned lock can be used.
            let mut study = shared
                .study
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            crate::i18n::in_lang(lang, || f(&mut study))
        })
        .await
        .map_err(|e| WebError::Internal(format!("a study operation stopped: {e}")))?
    }
}
