//! Where a folder server's studies live: a folder of study files
//! (`NAME.vbt`) or a PostgreSQL database (one schema per study), so that
//! [`super::Folder`] lists, opens and creates studies the same way on
//! both and its pages, logins and routing are written once.
//!
//! Every method here blocks (file system, or a connection to the
//! server): the folder calls them on tokio's blocking pool.

use std::path::{Path, PathBuf};

use verbatim_store::{Role, SqliteStore, StoreError, StudySettings};
use verbatim_store_pg::{PgDatabase, PgStore};

use super::{EXTENSION, checked_name};
use crate::{Backend, WebError, i18n};

/// Where the studies of one folder server live.
#[derive(Clone, Debug)]
pub enum Shelf {
    /// A folder of study files, `NAME.vbt` each.
    Files(PathBuf),
    /// The studies of a PostgreSQL database, one schema each; their search
    /// indexes are kept under `index_root` (in the user's cache, as for
    /// `serve --project postgres://…`).
    Database {
        /// The database, addressed without a study.
        database: Box<PgDatabase>,
        /// The folder under which each study's index gets its own.
        index_root: PathBuf,
    },
}

/// A study opened or created on the shelf.
pub struct Opened {
    /// The study.
    pub store: Box<dyn Backend>,
    /// The folder its search index is kept in.
    pub index_dir: PathBuf,
}

impl std::fmt::Display for Shelf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shelf::Files(dir) => write!(f, "{}", dir.display()),
            Shelf::Database { database, .. } => write!(f, "{database}"),
        }
    }
}

impl Shelf {
    /// Returns true for a database's studies.
    pub fn is_database(&self) -> bool {
        matches!(self, Shelf::Database { .. })
    }

    /// Returns `name` when it can name a study here, else the sentence
    /// saying what to write: a file name in a folder, a schema name (the
    /// rule of `?study=`) in a database.
    pub fn checked_name<'a>(&self, name: &'a str) -> Result<&'a str, WebError> {
        match self {
            Shelf::Files(_) => checked_name(name),
            Shelf::Database { .. } => match PgDatabase::check_study_name(name) {
                Ok(()) => Ok(name),
                Err(_) => Err(WebError::BadRequest(i18n::tf(
                    "studies.bad_schema_name",
                    &[("name", name)],
                ))),
            },
        }
    }

    /// Returns the names of the studies, sorted.
    pub fn names(&self) -> Result<Vec<String>, WebError> {
        match self {
            Shelf::Files(dir) => file_names(dir),
            Shelf::Database { database, .. } => Ok(verbatim_store_pg::studies(database)?
                .into_iter()
                .map(|s| s.name)
                .collect()),
        }
    }

    /// Returns true when a study (or anything in its place: a file, a
    /// schema that is no study) is named `name`.
    pub fn exists(&self, name: &str) -> Result<bool, WebError> {
        match self {
            Shelf::Files(dir) => Ok(study_path(dir, name).exists()),
            Shelf::Database { database, .. } => Ok(verbatim_store_pg::name_taken(database, name)?),
        }
    }

    /// Opens the study `name`.
    pub fn open(&self, name: &str) -> Result<Opened, WebError> {
        let name = self.checked_name(name)?;
        Ok(match self {
            Shelf::Files(dir) => file_opened(SqliteStore::open(&study_path(dir, name))?),
            Shelf::Database {
                database,
                index_root,
            } => {
                let address = database.study(name)?;
                let index_dir = verbatim_search::cache_dir(index_root, &address.identity());
                Opened {
                    store: Box::new(PgStore::open(&address)?),
                    index_dir,
                }
            }
        })
    }

    /// Creates the study `name` titled `title` and, in team mode, its
    /// `owner` (account and password hash); a study half made is removed,
    /// one that was there already is left alone.
    pub fn create(
        &self,
        name: &str,
        title: String,
        actor: &str,
        owner: Option<(String, String)>,
    ) -> Result<Opened, WebError> {
        let name = self.checked_name(name)?;
        let settings = StudySettings {
            title,
            language: None,
        };
        match self {
            Shelf::Files(dir) => {
                let path = study_path(dir, name);
                let made = SqliteStore::create(&path, &settings, actor)
                    .map_err(WebError::from)
                    .and_then(|store| {
                        let mut opened = file_opened(store);
                        add_owner(&mut opened, actor, owner)?;
                        Ok(opened)
                    });
                if let Err(e) = &made
                    && !was_there(e)
                {
                    remove_study_files(&path);
                }
                made
            }
            Shelf::Database {
                database,
                index_root,
            } => {
                let address = database.study(name)?;
                let store = PgStore::create(&address, &settings, actor)?;
                let mut opened = Opened {
                    store: Box::new(store),
                    index_dir: verbatim_search::cache_dir(index_root, &address.identity()),
                };
                if let Err(e) = add_owner(&mut opened, actor, owner) {
                    drop(opened);
                    // The schema is ours: made a moment ago by this call.
                    let _ = verbatim_store_pg::discard_new_study(&address);
                    return Err(e);
                }
                Ok(opened)
            }
        }
    }

    /// Returns true when one of the studies has an enabled owner account
    /// (what a team server needs to start: someone who may create studies).
    pub fn has_owner(&self) -> Result<bool, WebError> {
        for name in self.names()? {
            if let Ok(opened) = self.open(&name)
                && opened.store.has_owner()?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Returns `store` with the folder its search index is kept in, beside it.
fn file_opened(store: SqliteStore) -> Opened {
    let index_dir = verbatim_search::index_dir(store.path());
    Opened {
        store: Box::new(store),
        index_dir,
    }
}

/// Adds the new study's owner account, in team mode.
fn add_owner(
    opened: &mut Opened,
    actor: &str,
    owner: Option<(String, String)>,
) -> Result<(), WebError> {
    if let Some((account, hash)) = owner {
        opened
            .store
            .add_account_with_hash(actor, &account, Role::Owner, hash)?;
    }
    Ok(())
}

/// Returns the names of the study files of `dir`, sorted.
fn file_names(dir: &Path) -> Result<Vec<String>, WebError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        WebError::Internal(format!("the folder {} cannot be read: {e}", dir.display()))
    })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == EXTENSION) && p.is_file())
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .filter(|name| checked_name(name).is_ok())
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    Ok(names)
}

/// Returns the file of the study `name` in `dir`.
fn study_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.{EXTENSION}"))
}

/// Removes a study file and the journal files SQLite may have left beside it.
fn remove_study_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(file));
    }
}

/// Returns true when `e` says the study was there before the creation.
fn was_there(e: &WebError) -> bool {
    matches!(
        e,
        WebError::Store(StoreError::AlreadyExists { .. } | StoreError::StudyExists(_))
    )
}
