//! The server's shared state: the open study and the per-process secrets.
//!
//! SQLite connections are not shareable between threads, and a study is
//! one user's (or one small team's) file, so one connection behind a
//! mutex is enough; store calls are blocking, so they run on tokio's
//! blocking pool and never stall the async workers. A study on a
//! PostgreSQL server is a lab's, with many coders at once: there the calls
//! that need only the store ([`AppState::read`], [`AppState::write`]) each
//! run on a handle of their own ([`crate::backend::Handles`]), outside the
//! mutex, and the database keeps concurrent writes apart; the mutex then
//! guards only the caches below.
//!
//! Beside the connection, the study keeps what is costly to rebuild on
//! every request: the search index, opened once; the de-identification
//! candidates (a scan of every source's text); the word counts of the
//! sources pages have shown (a text read once); and the study-wide lists
//! the home, sources and participants pages count from, the source
//! summaries, the participants and the speaker labels (one row per
//! source and label, which triggers on `turns` keep: migration 0022). Each is checked against the study's
//! change counter (the audit log's newest row), so a write by this server
//! or by the CLI shows in the next request; the lists are kept across
//! writes that touched none of the tables they read (a coding, a memo).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use verbatim_search::Index;
use verbatim_store::{Candidate, Participant, SourceSummary, SpeakerRow, SqliteStore};

use crate::{Backend, WebError};

/// What the server was started with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The coder acting when the browser has not picked one (`--coder`).
    pub default_coder: Option<String>,
    /// The address the server listens on: requests must name it (or a
    /// loopback name with its port) in `Host`, which defeats DNS
    /// rebinding.
    pub addr: SocketAddr,
    /// Team mode (`serve --team`): every request needs a logged-in
    /// account, which decides the role and the coder ([`crate::auth`]).
    pub team: bool,
    /// The study's name in the folder when the server serves a folder of
    /// studies (`serve --dir`, [`crate::folder`]); `None` for one study.
    pub folder: Option<String>,
}

/// What every study of one server shares: the CSRF token its pages carry
/// and the count of failed logins (a folder server must not give each
/// study its own five tries).
#[derive(Clone)]
pub struct Secrets {
    csrf: Arc<str>,
    logins: Arc<crate::auth_limit::Limiter>,
}

impl Secrets {
    /// Returns a fresh CSRF token and an empty failed-login count.
    pub fn new() -> Self {
        // Two v4 UUIDs: 244 random bits from the OS generator.
        let csrf = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        Self {
            csrf: csrf.into(),
            logins: Arc::default(),
        }
    }

    /// Returns secrets whose CSRF token is `csrf`: the study's shared one
    /// when several server processes serve one PostgreSQL study, so a page
    /// from one process may post to another (behind a load balancer).
    pub fn with_csrf(csrf: String) -> Self {
        Self {
            csrf: csrf.into(),
            logins: Arc::default(),
        }
    }

    /// Returns the CSRF token.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// Returns the failed-login counter.
    pub fn logins(&self) -> &crate::auth_limit::Limiter {
        &self.logins
    }
}

impl Default for Secrets {
    fn default() -> Self {
        Self::new()
    }
}

/// The open study and its search index.
pub struct Study {
    /// The study: a file, or a study on a PostgreSQL server.
    pub store: Box<dyn Backend>,
    /// Where its full-text index is kept: beside a study file, in the
    /// user's cache for a server's study.
    index_dir: PathBuf,
    /// The full-text index, opened on first search.
    index: Option<Index>,
    /// The de-identification candidates and the change counter they were
    /// computed at.
    deid: Option<(i64, Vec<Candidate>)>,
    /// The word counts of the sources a page has shown so far.
    words: Option<Kept<HashMap<i64, usize>>>,
    /// The account the connection's audit entries name (team mode).
    acting: Option<String>,
    /// Every source's summary (`Store::sources`).
    summaries: Option<Kept<Vec<SourceSummary>>>,
    /// Every participant with their turns and sources.
    participants: Option<Kept<Vec<Participant>>>,
    /// Every speaker label of every source, with who it is.
    speakers: Option<Kept<Vec<SpeakerRow>>>,
}

/// A study-wide result and the change counter it holds for.
struct Kept<T> {
    at: i64,
    value: Arc<T>,
}

/// The table a source's word count is read from.
const TEXT_TABLES: &[&str] = &["source_texts"];

/// The tables `Store::sources` reads.
const SUMMARY_TABLES: &[&str] = &["sources", "source_texts", "turns"];

/// The tables `SqliteStore::participants` and `SqliteStore::speakers`
/// read (the speaker mapping included, which counts each participant's
/// turns).
const PARTICIPANT_TABLES: &[&str] = &[
    "participants",
    "participant_values",
    "attributes",
    "consents",
    "sites",
    "modes",
    "pseudonym_scheme",
    "speaker_map",
    "sources",
    "turns",
];

/// Returns the value kept in `slot` when no write since touched `tables`,
/// else computes it again with `compute` and keeps it.
fn kept<T>(
    slot: &mut Option<Kept<T>>,
    store: &dyn Backend,
    tables: &[&str],
    compute: impl FnOnce(&dyn Backend) -> Result<T, WebError>,
) -> Result<Arc<T>, WebError> {
    let counter = store.change_counter()?;
    if let Some(k) = slot
        && (k.at == counter || !store.tables_may_have_changed(k.at, tables)?)
    {
        k.at = counter;
        return Ok(Arc::clone(&k.value));
    }
    let value = Arc::new(compute(store)?);
    *slot = Some(Kept {
        at: counter,
        value: Arc::clone(&value),
    });
    Ok(value)
}

impl Study {
    /// Returns the search index, opened and brought up to date with the
    /// study (only changed sources are re-indexed).
    pub fn synced_index(&mut self) -> Result<&Index, WebError> {
        let index = match self.index.take() {
            Some(index) => index,
            None => Index::open_dir(self.index_dir.clone())?,
        };
        let index = self.index.insert(index);
        index.sync(&*self.store)?;
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

    /// Returns the word count of each of `sources` (whitespace-separated
    /// words, which the researcher compares with the transcription's own
    /// count). A text is read the first time a page shows its source and
    /// its count kept until a write touches the texts: a page of the
    /// sources table reads at most its own 100 texts, and none once seen.
    pub fn word_counts(
        &mut self,
        sources: impl IntoIterator<Item = i64>,
    ) -> Result<HashMap<i64, usize>, WebError> {
        let counter = self.store.change_counter()?;
        let stale = match &self.words {
            Some(k) => k.at != counter && self.store.tables_may_have_changed(k.at, TEXT_TABLES)?,
            None => true,
        };
        let kept = match &mut self.words {
            Some(k) if !stale => k,
            slot => slot.insert(Kept {
                at: counter,
                value: Arc::new(HashMap::new()),
            }),
        };
        kept.at = counter;
        let known = Arc::make_mut(&mut kept.value);
        let mut out = HashMap::new();
        for id in sources {
            let words = match known.get(&id) {
                Some(n) => *n,
                None => {
                    let n = self.store.source_text(id)?.split_whitespace().count();
                    known.insert(id, n);
                    n
                }
            };
            out.insert(id, words);
        }
        Ok(out)
    }

    /// Returns every source's summary, kept until a write touches the
    /// sources or their turns.
    pub fn summaries(&mut self) -> Result<Arc<Vec<SourceSummary>>, WebError> {
        kept(&mut self.summaries, &*self.store, SUMMARY_TABLES, |s| {
            Ok(s.sources()?)
        })
    }

    /// Returns every participant (`SqliteStore::participants`), kept until
    /// a write touches what they are counted from.
    pub fn participants(&mut self) -> Result<Arc<Vec<Participant>>, WebError> {
        kept(
            &mut self.participants,
            &*self.store,
            PARTICIPANT_TABLES,
            |s| Ok(s.participants()?),
        )
    }

    /// Returns every speaker label (`SqliteStore::speakers`), by source,
    /// kept like [`Study::participants`].
    pub fn speakers(&mut self) -> Result<Arc<Vec<SpeakerRow>>, WebError> {
        kept(&mut self.speakers, &*self.store, PARTICIPANT_TABLES, |s| {
            Ok(s.speakers(None)?)
        })
    }

    /// Returns the store and the synced index together, for searches that
    /// read both.
    pub fn store_and_index(&mut self) -> Result<(&dyn Backend, &Index), WebError> {
        self.synced_index()?;
        match &self.index {
            Some(index) => Ok((&*self.store, index)),
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
    /// The handle new request handles are made from, when the study's
    /// backend serves requests at once (PostgreSQL); `None` for a file.
    handles: Option<Mutex<Box<dyn Backend>>>,
    config: Config,
    secrets: Secrets,
}

impl AppState {
    /// Returns the state serving the study file `store`, with a fresh
    /// CSRF token.
    pub fn new(store: SqliteStore, config: Config) -> Self {
        Self::sharing(store, config, Secrets::new())
    }

    /// Returns the state serving the study file `store` with the server's
    /// `secrets` (one study of a folder server).
    pub fn sharing(store: SqliteStore, config: Config, secrets: Secrets) -> Self {
        let index_dir = verbatim_search::index_dir(store.path());
        Self::serving(Box::new(store), index_dir, config, secrets)
    }

    /// Returns the state serving `store` on any backend, its search index
    /// kept in `index_dir` (for a study on a PostgreSQL server, a folder
    /// of the user's cache: [`verbatim_search::cache_dir`]).
    pub fn serving(
        store: Box<dyn Backend>,
        index_dir: PathBuf,
        config: Config,
        secrets: Secrets,
    ) -> Self {
        let handles = store.handle().map(Mutex::new);
        Self {
            shared: Arc::new(Shared {
                handles,
                study: Mutex::new(Study {
                    store,
                    index_dir,
                    index: None,
                    deid: None,
                    words: None,
                    acting: None,
                    summaries: None,
                    participants: None,
                    speakers: None,
                }),
                config,
                secrets,
            }),
        }
    }

    /// Returns what the server was started with.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// Returns this process's CSRF token.
    pub fn csrf(&self) -> &str {
        self.shared.secrets.csrf()
    }

    /// Returns what the security layers check requests against.
    pub fn guard(&self) -> crate::security::Guard {
        crate::security::Guard {
            addr: self.config().addr,
            csrf: Arc::clone(&self.shared.secrets.csrf),
        }
    }

    /// Returns the failed-login counter of team mode.
    pub fn logins(&self) -> &crate::auth_limit::Limiter {
        self.shared.secrets.logins()
    }

    /// Runs `f` on the study on the blocking pool, without writing.
    pub async fn read<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Backend) -> Result<T, WebError> + Send + 'static,
    {
        self.write(move |store| f(&*store)).await
    }

    /// Runs `f` on the study on the blocking pool, allowed to write: on a
    /// handle of its own when the backend has them, else in turn.
    pub async fn write<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Backend) -> Result<T, WebError> + Send + 'static,
    {
        let Some(made) = &self.shared.handles else {
            return self.with_study(move |study| f(&mut *study.store)).await;
        };
        let handle = made.lock().unwrap_or_else(|e| e.into_inner()).handle();
        let Some(mut store) = handle else {
            return self.with_study(move |study| f(&mut *study.store)).await;
        };
        // As in `with_study`: the request's account names its audit
        // entries, and its language follows onto the blocking pool.
        let acting = crate::auth::acting_account().filter(|_| self.config().team);
        let lang = crate::i18n::Lang::current();
        tokio::task::spawn_blocking(move || {
            if let Some(account) = acting {
                store.act_as_account(account.as_deref())?;
            }
            crate::i18n::in_lang(lang, || f(&mut *store))
        })
        .await
        .map_err(|e| WebError::Internal(format!("a study operation stopped: {e}")))?
    }

    /// Runs `f` on the study and its search index on the blocking pool.
    pub async fn with_study<T, F>(&self, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Study) -> Result<T, WebError> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        // In team mode, the account of the request (none on the login
        // pages) is named in every audit entry the call writes.
        let acting = crate::auth::acting_account().filter(|_| self.config().team);
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
            if let Some(account) = acting
                && study.acting != account
            {
                study.store.act_as_account(account.as_deref())?;
                study.acting = account;
            }
            crate::i18n::in_lang(lang, || f(&mut study))
        })
        .await
        .map_err(|e| WebError::Internal(format!("a study operation stopped: {e}")))?
    }
}
