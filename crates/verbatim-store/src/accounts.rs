//! The people of a team server: accounts, their sessions and invitations
//! (migration 0020).
//!
//! Why in the study: the team's roles belong to the study as much as its
//! coders do, and a copy of the study moved to another server keeps them.
//! What is kept is never a secret that opens anything: passwords as
//! Argon2id PHC strings (RustCrypto `argon2`, default parameters), session
//! and invitation tokens as their SHA-256.
//!
//! Account changes (add, role, password, remove, invitations) are audited
//! through a forgetful [`Recorder`]: the entry names the account and the
//! role, never a hash or a token, and cannot be undone (an undo would
//! bring back a password). Sessions are not audited: logging in changes
//! nothing in the study's work, and a login per entry would bury the
//! history. A coder account codes as the coder of the same name, created
//! with the account when missing.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::history::{Recorder, Table, id_key};
use crate::sqlite::{begin_write, hex};
use crate::{CONSENSUS_NAME, SqliteStore, StoreError, audit, coders};

/// A session ends after this many seconds without a request (12 hours: a
/// working day, and a browser left open overnight must log in again).
pub const SESSION_IDLE_SECS: i64 = 12 * 3600;
/// A session ends this long after login, however active (7 days).
pub const SESSION_LIFE_SECS: i64 = 7 * 24 * 3600;
/// An invitation link works for this long (7 days).
pub const INVITATION_LIFE_SECS: i64 = 7 * 24 * 3600;
/// The session's last use is written at most this often, so reading pages
/// does not write to the study on every request.
const TOUCH_EVERY_SECS: i64 = 300;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password accepted (hashing cost stays bounded).
const MAX_PASSWORD_BYTES: usize = 1024;

/// What an account may do on a team server, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads what the owner has revealed; writes nothing.
    Viewer,
    /// Codes in their own layer; reads others' after reveal.
    Coder,
    /// Everything: reveal, de-identify, withdraw, imports, accounts.
    Owner,
}

impl Role {
    /// Returns the role's name as stored and typed.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Coder => "coder",
            Role::Owner => "owner",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AccountError;

    fn from_str(s: &str) -> Result<Self, AccountError> {
        match s.trim().to_lowercase().as_str() {
            "owner" => Ok(Role::Owner),
            "coder" => Ok(Role::Coder),
            "viewer" => Ok(Role::Viewer),
            _ => Err(AccountError::BadRole(s.to_owned())),
        }
    }
}

/// Why an account operation was refused.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The role is not one of the three.
    #[error("{0:?} is not a role: use owner, coder or viewer")]
    BadRole(String),
    /// The name cannot name an account.
    #[error("{0}")]
    BadName(String),
    /// An enabled account already has the name.
    #[error("there is already an account named {0:?}: change its role or password instead")]
    Duplicate(String),
    /// No enabled account has the name.
    #[error("no account named {0:?}: list them with `verbatim account list`")]
    Unknown(String),
    /// The change would leave the study without an owner.
    #[error(
        "{0} is the study's last owner: make another account owner first (`verbatim account role NAME owner`)"
    )]
    LastOwner(String),
    /// The password is too short, too long or empty.
    #[error("{0}")]
    BadPassword(String),
    /// The invitation link is unknown, used or expired.
    #[error(
        "this invitation link is unknown, already used or expired: ask the study's owner for a new one"
    )]
    BadInvitation,
    /// Hashing failed (the system's random generator, or a stored hash
    /// that is not a PHC string).
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// The study refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for AccountError {
    fn from(e: rusqlite::Error) -> Self {
        AccountError::Store(e.into())
    }
}

/// An account as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Account {
    /// Its name (the coder's name for a coder account).
    pub name: String,
    /// Its role.
    pub role: Role,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was removed, if it was (a removed account cannot log in).
    pub disabled_at: Option<String>,
}

/// Who a session belongs to, as the server acts for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionAccount {
    /// The account's name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The coder it codes as: its own name for a coder, and for an owner
    /// once it has coded (`add_account_coder`); none for a viewer.
    pub coder: Option<String>,
}

/// A pending invitation, as its link's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invitation {
    /// The account it creates.
    pub name: String,
    /// With this role.
    pub role: Role,
}

/// Returns the SHA-256 of a token, in hex: what the study keeps.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Returns a fresh token: 32 bytes from the operating system, in hex.
pub fn new_token() -> Result<String, AccountError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AccountError::Hash(e.to_string()))?;
    Ok(hex(&bytes))
}

/// Returns the current time in Unix seconds (sessions and invitations
/// count in them).
pub fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Returns when a session opened at `now` ends, however active.
pub fn session_expiry(now: i64) -> i64 {
    now + SESSION_LIFE_SECS
}

/// Returns the last use at or before which a session is idle too long at
/// `now` (a live session was last seen after it).
pub fn idle_before(now: i64) -> i64 {
    now - SESSION_IDLE_SECS
}

/// Returns true when a session last seen at `last_seen` should have its
/// use written at `now` (at most every few minutes).
pub fn session_needs_touch(now: i64, last_seen: i64) -> bool {
    now - last_seen >= TOUCH_EVERY_SECS
}

/// Returns when an invitation made at `now` stops working.
pub fn invitation_expiry(now: i64) -> i64 {
    now + INVITATION_LIFE_SECS
}

/// Refuses a hash that is not an Argon2 PHC string, before it is stored.
pub fn check_password_hash(hash: &str) -> Result<(), AccountError> {
    PasswordHash::new(hash)
        .map(drop)
        .map_err(|_| AccountError::Hash("the stored password is not a PHC string".into()))
}

/// Orders accounts as they are listed: by name, ASCII letters without
/// case (as SQLite's `NOCASE`), ties in the order given (oldest first).
pub fn sort_accounts(accounts: &mut [Account]) {
    accounts.sort_by_cached_key(|a| a.name.to_ascii_lowercase());
}

/// Returns the Argon2id PHC string of `password`, after checking its length.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::BadPassword(format!(
            "the password is shorter than {MIN_PASSWORD_CHARS} characters: choose a longer one"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AccountError::BadPassword(format!(
            "the password is longer than {MAX_PASSWORD_BYTES} bytes: choose a shorter one"
        )));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Returns true when `password` matches the PHC string `stored`.
fn verify(password: &str, stored: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Returns true when `password` matches the stored hash; with none (an
/// unknown name), verifies against a dummy hash and returns false, taking
/// about the time of a real check.
pub fn password_matches(password: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(hash) => verify(password, hash),
        None => {
            let _ = verify(password, dummy_hash());
            false
        }
    }
}

/// A hash of no one's password, verified for an unknown name so that a
/// login takes about as long whether or not the name exists.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no account has this password").unwrap_or_default())
}

/// Computes the dummy hash now, so the first login with an unknown name
/// is not slower than the others (a server calls it when it starts).
pub fn warm_up_logins() {
    let _ = dummy_hash();
}

/// Returns the name trimmed, or why it cannot name an account.
pub fn account_name(name: &str) -> Result<&str, AccountError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AccountError::BadName("an account needs a name".into()));
    }
    if name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(AccountError::BadName(format!(
            "{name:?} cannot name an account: use at most 64 characters, without control characters"
        )));
    }
    if name.eq_ignore_ascii_case(CONSENSUS_NAME) {
        return Err(AccountError::BadName(format!(
            "{name:?} names the team's consensus layer; choose another account name"
        )));
    }
    Ok(name)
}

/// The row of an account: id, role, disabled.
fn account_row(conn: &Connection, name: &str) -> Result<Option<(i64, Role, bool)>, AccountError> {
    let row: Option<(i64, String, bool)> = conn
        .prepare_cached("SELECT id, role, disabled_at IS NOT NULL FROM accounts WHERE name = $1")?
        .query_row([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    row.map(|(id, role, disabled)| Ok((id, role.parse()?, disabled)))
        .transpose()
}

/// Returns the id and role of the enabled account `name`, or `Unknown`.
fn enabled(conn: &Connection, name: &str) -> Result<(i64, Role), AccountError> {
    match account_row(conn, name)? {
        Some((id, role, false)) => Ok((id, role)),
        _ => Err(AccountError::Unknown(name.to_owned())),
    }
}

/// Refuses a change that takes the owner role from `name` (whose role is
/// `role`) when the study has `owners` enabled owners and it is the last.
pub fn keep_an_owner(name: &str, role: Role, owners: i64) -> Result<(), AccountError> {
    if role == Role::Owner && owners <= 1 {
        return Err(AccountError::LastOwner(name.to_owned()));
    }
    Ok(())
}

/// Returns the number of enabled owners.
fn owners(conn: &Connection) -> Result<i64, AccountError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM accounts WHERE role = 'owner' AND disabled_at IS NULL",
        [],
        |r| r.get(0),
    )?)
}

/// Creates the coder `name` through `rec` when a coder account needs it.
fn ensure_coder(conn: &Connection, rec: &mut Recorder, name: &str) -> Result<(), AccountError> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM coders WHERE name = $1 AND kind = 'coder'")?
        .exists([name])?;
    if !exists {
        coders::insert_coder(conn, rec, name, None, None)?;
    }
    Ok(())
}

/// Creates the account, or enables a removed one of that name, inside the
/// caller's transaction; returns its id.
fn put_account(
    conn: &Connection,
    rec: &mut Recorder,
    name: &str,
    role: Role,
    hash: String,
) -> Result<i64, AccountError> {
    if role == Role::Coder {
        ensure_coder(conn, rec, name)?;
    }
    let columns = [
        ("role", Value::Text(role.as_str().into())),
        ("password_hash", Value::Text(hash)),
    ];
    match account_row(conn, name)? {
        Some((_, _, false)) => Err(AccountError::Duplicate(name.to_owned())),
        Some((id, _, true)) => {
            let mut all = columns.to_vec();
            all.push(("disabled_at", Value::Null));
            rec.update(conn, Table::Accounts, id_key(id), &all)?;
            Ok(id)
        }
        None => {
            let mut all = columns.to_vec();
            all.push(("name", Value::Text(name.to_owned())));
            all.push(("created_at", Value::Text(audit::now())));
            Ok(rec.insert(conn, Table::Accounts, &all)?)
        }
    }
}

impl SqliteStore {
    /// Returns every account, removed ones included, by name.
    pub fn accounts(&self) -> Result<Vec<Account>, AccountError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, role, created_at, disabled_at FROM accounts ORDER BY id")?;
        let rows: Vec<(String, String, String, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let mut accounts = rows
            .into_iter()
            .map(|(name, role, created_at, disabled_at)| {
                Ok(Account {
                    name,
                    role: role.parse()?,
                    created_at,
                    disabled_at,
                })
            })
            .collect::<Result<Vec<_>, AccountError>>()?;
        sort_accounts(&mut accounts);
        Ok(accounts)
    }

    /// Returns true when an enabled owner account exists (`serve --team`
    /// needs one).
    pub fn has_owner(&self) -> Result<bool, AccountError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM accounts WHERE role = 'owner' AND disabled_at IS NULL")?
            .exists([])?)
    }

    /// Adds an account (or enables a removed one of that name) with a
    /// password; a coder account gets the coder of its name if missing.
    pub fn add_account(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<Account, AccountError> {
        let checked = account_name(name)?;
        if matches!(account_row(&self.conn, checked)?, Some((_, _, false))) {
            return Err(AccountError::Duplicate(checked.to_owned()));
        }
        let hash = hash_password(password)?;
        self.add_account_with_hash(actor, name, role, hash)
    }

    /// Adds an account whose password is already an Argon2id PHC string:
    /// the owner of a study created on a folder server (`serve --dir
    /// --team`) keeps the password they logged in with.
    pub fn add_account_with_hash(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
        hash: String,
    ) -> Result<Account, AccountError> {
        let name = account_name(name)?;
        check_password_hash(&hash)?;
        let tx = begin_write(&mut self.conn)?;
        let mut rec = Recorder::forgetful();
        let id = put_account(&tx, &mut rec, name, role, hash)?;
        rec.finish(
            &tx,
            actor,
            "account.add",
            Some(&format!("account:{id}")),
            serde_json::json!({ "name": name, "role": role }),
        )?;
        tx.commit().map_err(StoreError::from)?;
        self.accounts()?
            .into_iter()
            .find(|a| a.name == name)
            .ok_or_else(|| AccountError::Unknown(name.to_owned()))
    }

    /// Changes an account's role; refused when it would leave no owner.
    /// Its sessions stay: the next request acts with the new role.
    pub fn set_account_role(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
    ) -> Result<(), AccountError> {
        let tx = begin_write(&mut self.conn)?;
        let (id, old) = enabled(&tx, name.trim())?;
        if role != Role::Owner {
            keep_an_owner(name.trim(), old, owners(&tx)?)?;
        }
        let mut rec = Recorder::forgetful();
        if role == Role::Coder {
            ensure_coder(&tx, &mut rec, name.trim())?;
        }
        rec.update(
            &tx,
            Table::Accounts,
            id_key(id),
            &[("role", Value::Text(role.as_str().into()))],
        )?;
        rec.finish(
            &tx,
            actor,
            "account.role",
            Some(&format!("account:{id}")),
            serde_json::json!({ "name": name.trim(), "from": old, "to": role }),
        )?;
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    /// Sets an account's password and ends its sessions.
    pub fn set_account_password(
        &mut self,
        actor: &str,
        name: &str,
        password: &str,
    ) -> Result<(), AccountError> {
        let hash = hash_password(password)?;
        let tx = begin_write(&mut self.conn)?;
        let (id, _) = enabled(&tx, name.trim())?;
        let mut rec = Recorder::forgetful();
        rec.update(
            &tx,
            Table::Accounts,
            id_key(id),
            &[("password_hash", Value::Text(hash))],
        )?;
        tx.execute("DELETE FROM sessions WHERE account_id = $1", [id])?;
        rec.finish(
            &tx,
            actor,
            "account.password",
            Some(&format!("account:{id}")),
            serde_json::json!({ "name": name.trim() }),
        )?;
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    /// Removes an account: it can no longer log in, its sessions end, its
    /// password is forgotten; the row stays (disabled) so the audit log's
    /// account names keep their meaning. Refused for the last owner. The
    /// coder of the same name and their work stay.
    pub fn remove_account(&mut self, actor: &str, name: &str) -> Result<(), AccountError> {
        let tx = begin_write(&mut self.conn)?;
        let (id, role) = enabled(&tx, name.trim())?;
        keep_an_owner(name.trim(), role, owners(&tx)?)?;
        let mut rec = Recorder::forgetful();
        rec.update(
            &tx,
            Table::Accounts,
            id_key(id),
            &[
                ("disabled_at", Value::Text(audit::now())),
                ("password_hash", Value::Null),
            ],
        )?;
        tx.execute("DELETE FROM sessions WHERE account_id = $1", [id])?;
        rec.finish(
            &tx,
            actor,
            "account.remove",
            Some(&format!("account:{id}")),
            serde_json::json!({ "name": name.trim(), "role": role }),
        )?;
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    /// Returns who logs in with `name` and `password`, or `None`. An
    /// unknown or removed name is checked against a dummy hash, so the
    /// answer takes about as long either way. (A server reads the hash
    /// with [`Self::login_hash`] and verifies it with
    /// [`password_matches`] outside its lock on the study.)
    pub fn check_login(
        &self,
        name: &str,
        password: &str,
    ) -> Result<Option<SessionAccount>, AccountError> {
        let stored = self.login_hash(name)?;
        if password_matches(password, stored.as_deref()) {
            self.session_account_named(name.trim())
        } else {
            Ok(None)
        }
    }

    /// Returns the password hash of the enabled account `name`, if any.
    pub fn login_hash(&self, name: &str) -> Result<Option<String>, AccountError> {
        let stored: Option<Option<String>> = self
            .conn
            .prepare_cached(
                "SELECT password_hash FROM accounts WHERE name = $1 AND disabled_at IS NULL",
            )?
            .query_row([name.trim()], |r| r.get(0))
            .optional()?;
        Ok(stored.flatten())
    }

    /// Returns the password hash of `name` when it is an enabled owner
    /// account (who may create a study on a folder server).
    pub fn owner_hash(&self, name: &str) -> Result<Option<String>, AccountError> {
        let stored: Option<Option<String>> = self
            .conn
            .prepare_cached(
                "SELECT password_hash FROM accounts \
                 WHERE name = $1 AND role = 'owner' AND disabled_at IS NULL",
            )?
            .query_row([name.trim()], |r| r.get(0))
            .optional()?;
        Ok(stored.flatten())
    }

    /// Gives the enabled owner or coder account `name` the coder of its
    /// name when it has none yet (an owner codes under its own name from
    /// the first time it codes), one undoable `coder.add` by the account;
    /// returns the coder's name, or `None` for a viewer.
    pub fn add_account_coder(&mut self, name: &str) -> Result<Option<String>, AccountError> {
        let tx = begin_write(&mut self.conn)?;
        let (_, role) = enabled(&tx, name.trim())?;
        if role == Role::Viewer {
            return Ok(None);
        }
        let name = name.trim();
        let exists = tx
            .prepare_cached("SELECT 1 FROM coders WHERE name = $1 AND kind = 'coder'")?
            .exists([name])?;
        if !exists {
            let mut rec = Recorder::default();
            let coder = coders::insert_coder(&tx, &mut rec, name, None, None)?;
            rec.finish(
                &tx,
                name,
                "coder.add",
                Some(&format!("coder:{}", coder.id)),
                serde_json::json!({ "name": name }),
            )?;
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(Some(name.to_owned()))
    }

    /// Returns the session view of the enabled account `name`.
    fn session_account_named(&self, name: &str) -> Result<Option<SessionAccount>, AccountError> {
        let row: Option<(String, String, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT a.name, a.role, c.name FROM accounts a \
                 LEFT JOIN coders c ON c.name = a.name AND c.kind = 'coder' \
                 WHERE a.name = $1 AND a.disabled_at IS NULL",
            )?
            .query_row([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        row.map(|(name, role, coder)| session_account(name, &role, coder))
            .transpose()
    }

    /// Opens a session for the enabled account `name` and returns its
    /// token (64 hex digits), which only the browser keeps.
    pub fn open_session(&mut self, name: &str) -> Result<String, AccountError> {
        let token = new_token()?;
        let now = now_secs();
        let tx = begin_write(&mut self.conn)?;
        let (id, _) = enabled(&tx, name.trim())?;
        // Sessions past their time go as new ones come.
        tx.prepare_cached("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen <= $2")?
            .execute(rusqlite::params![now, idle_before(now)])?;
        tx.prepare_cached(
            "INSERT INTO sessions (token_hash, account_id, created_at, last_seen, expires_at) \
             VALUES ($1, $2, $3, $3, $4)",
        )?
        .execute(rusqlite::params![
            token_hash(&token),
            id,
            now,
            session_expiry(now)
        ])?;
        tx.commit().map_err(StoreError::from)?;
        Ok(token)
    }

    /// Returns who holds the session `token`, or `None` when it is
    /// unknown, expired, idle too long or its account removed. Records
    /// the use at most every few minutes.
    pub fn session(&self, token: &str) -> Result<Option<SessionAccount>, AccountError> {
        let hash = token_hash(token);
        let now = now_secs();
        let row: Option<(String, String, Option<String>, i64)> = self
            .conn
            .prepare_cached(
                "SELECT a.name, a.role, c.name, s.last_seen FROM sessions s \
                 JOIN accounts a ON a.id = s.account_id \
                 LEFT JOIN coders c ON c.name = a.name AND c.kind = 'coder' \
                 WHERE s.token_hash = $1 AND a.disabled_at IS NULL \
                 AND s.expires_at > $2 AND s.last_seen > $3",
            )?
            .query_row(rusqlite::params![hash, now, idle_before(now)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((name, role, coder, last_seen)) = row else {
            return Ok(None);
        };
        if session_needs_touch(now, last_seen) {
            // Best effort: a study busy with another writer must not turn
            // a page read into an error; the next request tries again.
            let _ = self
                .conn
                .prepare_cached("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                .and_then(|mut s| s.execute(rusqlite::params![now, hash]));
        }
        session_account(name, &role, coder).map(Some)
    }

    /// Ends the session `token` (logging out), and every session past its
    /// time.
    pub fn close_session(&self, token: &str) -> Result<(), AccountError> {
        let now = now_secs();
        self.conn
            .prepare_cached(
                "DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2 \
                 OR last_seen <= $3",
            )?
            .execute(rusqlite::params![token_hash(token), now, idle_before(now)])?;
        Ok(())
    }
}

/// Returns the session view of an account row: its name, stored role and
/// the coder of its name if any (a viewer codes as no one).
pub fn session_account(
    name: String,
    role: &str,
    coder: Option<String>,
) -> Result<SessionAccount, AccountError> {
    let role: Role = role.parse()?;
    let coder = match role {
        Role::Viewer => None,
        Role::Coder | Role::Owner => coder,
    };
    Ok(SessionAccount { name, role, coder })
}

impl SqliteStore {
    /// Creates a one-time invitation for a new account `name` with `role`
    /// and returns its token (the link is `/invite/TOKEN`), valid
    /// [`INVITATION_LIFE_SECS`]. Refused when an enabled account has the
    /// name.
    pub fn invite(&mut self, actor: &str, name: &str, role: Role) -> Result<String, AccountError> {
        let name = account_name(name)?;
        let token = new_token()?;
        let tx = begin_write(&mut self.conn)?;
        if matches!(account_row(&tx, name)?, Some((_, _, false))) {
            return Err(AccountError::Duplicate(name.to_owned()));
        }
        let mut rec = Recorder::forgetful();
        let id = rec.insert(
            &tx,
            Table::Invitations,
            &[
                ("token_hash", Value::Text(token_hash(&token))),
                ("name", Value::Text(name.to_owned())),
                ("role", Value::Text(role.as_str().into())),
                ("created_at", Value::Text(audit::now())),
                ("expires_at", Value::Integer(invitation_expiry(now_secs()))),
            ],
        )?;
        rec.finish(
            &tx,
            actor,
            "account.invite",
            Some(&format!("invitation:{id}")),
            serde_json::json!({ "name": name, "role": role }),
        )?;
        tx.commit().map_err(StoreError::from)?;
        Ok(token)
    }

    /// Returns the pending invitation of `token`, or `BadInvitation`.
    pub fn invitation(&self, token: &str) -> Result<Invitation, AccountError> {
        pending_invitation(&self.conn, token).map(|(_, invitation)| invitation)
    }

    /// Accepts the invitation `token`: creates its account with
    /// `password`, marks the link used, and returns a session token for
    /// the new account.
    pub fn accept_invitation(
        &mut self,
        token: &str,
        password: &str,
    ) -> Result<String, AccountError> {
        let hash = hash_password(password)?;
        let tx = begin_write(&mut self.conn)?;
        let (id, invitation) = pending_invitation(&tx, token)?;
        let mut rec = Recorder::forgetful();
        let account = put_account(&tx, &mut rec, &invitation.name, invitation.role, hash)?;
        rec.update(
            &tx,
            Table::Invitations,
            id_key(id),
            &[("used_at", Value::Text(audit::now()))],
        )?;
        rec.finish(
            &tx,
            &invitation.name,
            "account.join",
            Some(&format!("account:{account}")),
            serde_json::json!({ "name": invitation.name, "role": invitation.role }),
        )?;
        tx.commit().map_err(StoreError::from)?;
        self.open_session(&invitation.name)
    }
}

/// Returns the id and content of the unused, unexpired invitation `token`.
fn pending_invitation(conn: &Connection, token: &str) -> Result<(i64, Invitation), AccountError> {
    let row: Option<(i64, String, String)> = conn
        .prepare_cached(
            "SELECT id, name, role FROM invitations \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )?
        .query_row(rusqlite::params![token_hash(token), now_secs()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let (id, name, role) = row.ok_or(AccountError::BadInvitation)?;
    Ok((
        id,
        Invitation {
            name,
            role: role.parse()?,
        },
    ))
}

#[cfg(test)]
#[path = "accounts_tests.rs"]
mod tests;
