//! `PgStore`: one study in one schema of a PostgreSQL database.
//!
//! The store takes a connection of its pool ([`crate::pool`]) for each call;
//! every connection's `search_path` is the study's schema, so every
//! statement names tables unqualified. Writes are server transactions; an
//! import batch locks the `sources` table against other importers for its
//! duration, so that duplicate detection and unique names hold when several
//! processes (or several handles of one process) import into one study at
//! once.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use postgres::error::SqlState;
use postgres::{Client, NoTls};
use verbatim_store::{
    AuditEntry, ImportItem, ImportOutcome, SourceRecord, SourceRef, SourceSummary, Store,
    StoreError, StudyInfo, StudySettings,
};

use crate::failure::{OrServer, server_error};
use crate::pool::{Conn, Pool};
use crate::reads::{self, ReadError};
use crate::{PgAddress, audit, import, migrate};

/// A study kept in one schema of a PostgreSQL database.
pub struct PgStore {
    /// The study's connections, shared with this store's handles.
    pool: Arc<Pool>,
    address: PgAddress,
    /// The newest audit id at each change counter handed out (`reader.rs`),
    /// shared with this store's handles.
    marks: Arc<crate::reader::Marks>,
    /// The source texts read, shared with this store's handles.
    texts: Arc<crate::text_cache::TextCache>,
    /// The coding facts read, shared with this store's handles.
    facts: Arc<crate::one_coding::Facts>,
    /// The team account this handle's changes name (`act_as_account`).
    acting: Mutex<Option<String>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Returns a new study at `address`, whose study name must be free.
    ///
    /// The schema, its tables and the study's first audit entry are created
    /// in one transaction: a failure leaves nothing behind.
    pub fn create(
        address: &PgAddress,
        settings: &StudySettings,
        actor: &str,
    ) -> Result<Self, StoreError> {
        verbatim_store::rules::study_settings(settings)?;
        let mut client = connect(address)?;
        let created = (|| -> Result<(), postgres::Error> {
            let mut tx = client.transaction()?;
            tx.batch_execute(&format!("CREATE SCHEMA \"{}\"", address.study()))?;
            migrate::start(&mut tx)?;
            migrate::apply(&mut tx)?;
            let mut put = |key: &str, value: &str| {
                tx.execute(
                    "INSERT INTO study (key, value) VALUES ($1, $2)",
                    &[&key, &value],
                )
            };
            put("title", &settings.title)?;
            put("created_at", &crate::now())?;
            put("guid", &uuid::Uuid::new_v4().to_string())?;
            if let Some(language) = &settings.language {
                put("language", language.as_str())?;
            }
            audit::append(
                &mut tx,
                actor,
                "study.create",
                None,
                &serde_json::json!({
                    "title": settings.title,
                    "language": settings.language.as_ref().map(|l| l.as_str()),
                }),
            )?;
            tx.commit()
        })();
        match created {
            Err(e) if e.code() == Some(&SqlState::DUPLICATE_SCHEMA) => {
                return Err(StoreError::StudyExists(address.to_string()));
            }
            other => other.or_server(address)?,
        }
        Ok(Self::holding(address, client))
    }

    /// Returns the study at `address`, upgraded to the current schema if it
    /// was older (in one transaction, so a failed upgrade changes nothing).
    pub fn open(address: &PgAddress) -> Result<Self, StoreError> {
        let mut client = connect(address)?;
        let kind = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1), \
                 to_regclass(quote_ident($1) || '.verbatim_migrations') IS NOT NULL",
                &[&address.study()],
            )
            .or_server(address)?;
        let (schema, marked): (bool, bool) = (
            kind.try_get(0).or_server(address)?,
            kind.try_get(1).or_server(address)?,
        );
        if !schema {
            return Err(StoreError::NoStudy(address.to_string()));
        }
        if !marked {
            return Err(StoreError::BadAddress(format!(
                "the schema {} on that server is not a verbatim study: check the ?study= name",
                address.study()
            )));
        }
        upgrade(&mut client, address)?;
        Ok(Self::holding(address, client))
    }

    fn holding(address: &PgAddress, client: Client) -> Self {
        Self {
            pool: Arc::new(Pool::new(address.clone(), client)),
            address: address.clone(),
            marks: Arc::default(),
            texts: Arc::default(),
            facts: Arc::default(),
            acting: Mutex::new(None),
        }
    }

    /// Returns another handle on the same study: it shares this store's
    /// connections and acts for the same account until told otherwise, so
    /// that threads (a web server's requests) each write through their own
    /// handle at once, on connections of their own, the database keeping
    /// them apart as it keeps server processes apart.
    pub fn handle(&self) -> PgStore {
        PgStore {
            pool: Arc::clone(&self.pool),
            address: self.address.clone(),
            marks: Arc::clone(&self.marks),
            texts: Arc::clone(&self.texts),
            facts: Arc::clone(&self.facts),
            acting: Mutex::new(self.acting().clone()),
        }
    }

    /// Returns where the study lives.
    pub fn address(&self) -> &PgAddress {
        &self.address
    }

    /// Returns a connection of the pool for the caller's statements, given
    /// back when dropped. A panic while holding it leaves it usable: every
    /// action is a server transaction, rolled back if unfinished.
    pub(crate) fn client(&self) -> Conn<'_> {
        let acting = self.acting().clone();
        self.pool.take(acting.as_deref())
    }

    fn acting(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.acting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Names the account behind this handle's changes from now on (`None`:
    /// no account); each connection it takes is switched to it.
    pub(crate) fn act_as(&self, account: Option<&str>) {
        *self.acting() = account.map(str::to_owned);
    }

    pub(crate) fn marks(&self) -> &crate::reader::Marks {
        &self.marks
    }

    pub(crate) fn texts(&self) -> &crate::text_cache::TextCache {
        &self.texts
    }

    pub(crate) fn facts(&self) -> &crate::one_coding::Facts {
        &self.facts
    }

    pub(crate) fn read_error(&self, e: ReadError) -> StoreError {
        match e {
            ReadError::Server(e) => server_error(&self.address, &e),
            ReadError::Store(e) => e,
        }
    }
}

/// Connects to the server and points `search_path` at the study's schema.
pub(crate) fn connect(address: &PgAddress) -> Result<Client, StoreError> {
    let mut client = address.config.connect(NoTls).or_server(address)?;
    client
        .batch_execute(&format!("SET search_path TO \"{}\"", address.study()))
        .or_server(address)?;
    Ok(client)
}

/// Applies pending migrations, one process at a time; refuses a study
/// written by a newer verbatim without touching it.
fn upgrade(client: &mut Client, address: &PgAddress) -> Result<(), StoreError> {
    let found = migrate::version(client).or_server(address)?;
    if found > migrate::LATEST {
        return Err(StoreError::NewerSchema {
            path: PathBuf::from(address.to_string()),
            found,
            supported: migrate::LATEST,
        });
    }
    if !migrate::pending(client).or_server(address)? {
        return Ok(());
    }
    (|| -> Result<(), postgres::Error> {
        let mut tx = client.transaction()?;
        tx.batch_execute("LOCK TABLE verbatim_migrations IN EXCLUSIVE MODE")?;
        migrate::apply(&mut tx)?;
        tx.commit()
    })()
    .or_server(address)
}

impl Store for PgStore {
    fn study(&self) -> Result<StudyInfo, StoreError> {
        let mut client = self.client();
        let rows = client
            .query("SELECT key, value FROM study", &[])
            .or_server(&self.address)?;
        let get = |key: &str| -> Result<Option<String>, StoreError> {
            for row in &rows {
                if row.try_get::<_, &str>(0).or_server(&self.address)? == key {
                    return row.try_get(1).or_server(&self.address);
                }
            }
            Ok(None)
        };
        Ok(StudyInfo {
            title: get("title")?.unwrap_or_default(),
            language: get("language")?,
            created_at: get("created_at")?.unwrap_or_default(),
            schema_version: migrate::version(&mut *client).or_server(&self.address)?,
        })
    }

    fn import_batch(
        &mut self,
        actor: &str,
        items: Vec<ImportItem>,
    ) -> Result<Vec<ImportOutcome>, StoreError> {
        verbatim_store::rules::import_items(&items)?;
        let address = self.address.clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        tx.batch_execute("LOCK TABLE sources IN SHARE ROW EXCLUSIVE MODE")
            .or_server(&address)?;
        let default_language = import::default_language(&mut tx).or_server(&address)?;
        let sql = import::Statements::prepare(&mut tx).or_server(&address)?;
        let mut outcomes = Vec::with_capacity(items.len());
        for item in &items {
            let mut savepoint = tx.transaction().or_server(&address)?;
            let outcome = import::insert_source(
                &mut savepoint,
                &sql,
                &address,
                actor,
                item,
                default_language.as_deref(),
            )?;
            savepoint.commit().or_server(&address)?;
            outcomes.push(outcome);
        }
        tx.commit().or_server(&address)?;
        Ok(outcomes)
    }

    fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        reads::summaries(&mut self.client(), None).or_server(&self.address)
    }

    fn source(&self, which: &SourceRef) -> Result<SourceRecord, StoreError> {
        let mut client = self.client();
        let id = reads::resolve(&mut *client, which).map_err(|e| self.read_error(e))?;
        reads::record(&mut client, id).map_err(|e| self.read_error(e))
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        audit::recent(&mut *self.client(), limit).or_server(&self.address)
    }
}
