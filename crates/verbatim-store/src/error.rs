//! Why a study could not be opened, read or written.

use std::path::PathBuf;

use thiserror::Error;

/// Why a study could not be opened, read or written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// `init` was asked to create a study where a file already exists.
    #[error("{path} already exists: choose another file name, or open it instead of creating it")]
    AlreadyExists {
        /// The path given.
        path: PathBuf,
    },
    /// No study file at the path given.
    #[error("no study at {path}: create one with `verbatim init --project {path}`")]
    NotFound {
        /// The path given.
        path: PathBuf,
    },
    /// The file is not a verbatim study (another SQLite database, or not a
    /// database at all).
    #[error("{path} is not a verbatim study file: check the --project path")]
    NotAStudy {
        /// The path given.
        path: PathBuf,
    },
    /// The file was written by a newer verbatim.
    #[error(
        "{path} uses study format version {found}, newer than this verbatim understands (up to {supported}): upgrade verbatim to open it"
    )]
    NewerSchema {
        /// The path given.
        path: PathBuf,
        /// The version found in the file.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// Writing the backup copy before an upgrade failed; nothing was changed.
    #[error("could not write the backup {backup} before upgrading the study: {reason}")]
    Backup {
        /// Where the backup was to go.
        backup: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// No source matches the id or name given.
    #[error("no source {0:?} in this study: list them with `verbatim sources`")]
    SourceNotFound(String),
    /// No coder of that name.
    #[error(
        "no coder {0:?} in this study: add one with `verbatim coder add {0}`, or check --coder / VERBATIM_CODER"
    )]
    UnknownCoder(String),
    /// Another coder's layer was asked for before the study was revealed.
    #[error(
        "coding is blind: other coders' work stays hidden until the study is revealed (`verbatim reveal`, recorded under your name); if one researcher codes under several names, mark the study so first with `verbatim study solo`"
    )]
    Blind,
    /// A request that breaks a rule of the study (the message says which).
    #[error("{0}")]
    Invalid(String),
    /// No code of that name or id in the codebooks the coder sees.
    #[error(
        "no code {0:?} in your codebook or the shared one: list them with `verbatim code tree`"
    )]
    UnknownCode(String),
    /// Nothing to undo or redo, or the change cannot be replayed.
    #[error("{0}")]
    History(String),
    /// No participant matches the code, name or id given.
    #[error("no participant {0:?} in this study: list them with `verbatim participants list`")]
    UnknownParticipant(String),
    /// A participant code or name is already taken.
    #[error("there is already a participant {0:?}: participant codes are unique")]
    DuplicateParticipant(String),
    /// No site matches the name or code given.
    #[error("no site {0:?} in this study: add it with `verbatim sites add NAME --code CODE`")]
    UnknownSite(String),
    /// No attribute of that name is defined for participants or sources.
    #[error(
        "no {applies_to} attribute {name:?}: define it with `verbatim attribute add {name} --type TYPE --for {applies_to}`"
    )]
    UnknownAttribute {
        /// The attribute's name.
        name: String,
        /// `participant` or `source`.
        applies_to: String,
    },
    /// A value is not of its attribute's type.
    #[error("{attribute} {reason}")]
    BadValue {
        /// The attribute's name.
        attribute: String,
        /// Why the value was refused (`"quarante" is not a number`).
        reason: String,
    },
    /// A roster or mapping file failed validation; nothing was written.
    #[error("nothing was imported; fix these and try again:\n{}", .0.join("\n"))]
    Rejected(Vec<String>),
    /// A names file for de-identification has bad rows; nothing was changed.
    #[error("the names file needs one real,replacement pair per row; nothing was changed. Fix these:\n{}", .0.join("\n"))]
    BadNamesFile(Vec<String>),
    /// A speaker label does not occur in the source named.
    #[error(
        "no speaker {label:?} in source {source_name:?}: list its speakers with `verbatim speakers list --source {source_name}`"
    )]
    UnknownSpeaker {
        /// The source's name.
        source_name: String,
        /// The label given.
        label: String,
    },
    /// No interview guide (or version of it) of that name.
    #[error("no interview guide {0}: list them with `verbatim guide list`")]
    UnknownGuide(String),
    /// Stored data failed a check when read back.
    #[error("the study file holds inconsistent data ({0}): restore it from a backup")]
    Corrupt(String),
    /// Another program kept the study's write lock past the busy timeout.
    #[error(
        "the study is busy: another program (`verbatim serve` or another command) kept writing to it for over {} seconds, so nothing was changed; wait until it finishes and run the command again",
        crate::sqlite::BUSY_TIMEOUT.as_secs()
    )]
    Busy,
    /// The database itself reported an error.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// A study address is not one verbatim can use (the message says why).
    #[error("{0}")]
    BadAddress(String),
    /// `init` was asked to create a study on a server that already holds one
    /// of that name.
    #[error(
        "there is already a study {0} on that server: choose another ?study= name, or open it instead of creating it"
    )]
    StudyExists(String),
    /// No study of that name on the server.
    #[error("no study {0} on that server: create one with `verbatim init --project ADDRESS`")]
    NoStudy(String),
    /// A database server (PostgreSQL) could not be reached or reported an
    /// error; the message names the server, never its password.
    #[error("{0}")]
    Server(String),
    /// The database server (PostgreSQL) does not answer: stopped,
    /// restarting, out of reach or with no connection free. Trying again
    /// later may work; the message names the server, never its password.
    #[error("{0}")]
    Unreachable(String),
    /// The operation is not yet built on a PostgreSQL study (the boundary
    /// trait's default body: each backend overrides what it supports).
    #[error(
        "{0} does not work on a PostgreSQL study yet: copy the study to a file with `verbatim copy ADDRESS study.vbt` and use it there"
    )]
    NotOnPostgres(&'static str),
}

impl From<rusqlite::Error> for StoreError {
    /// Keeps SQLite's error, except "database is locked" (`SQLITE_BUSY`,
    /// and `SQLITE_LOCKED`), which becomes [`StoreError::Busy`] and says
    /// what to do.
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy
            }
            _ => StoreError::Sqlite(e),
        }
    }
}
