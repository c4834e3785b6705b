//! Team accounts as a trait: who may log in to a study served with
//! `--team`, their sessions, invitations and the record of logins.
//!
//! The rules (names, the last owner, password length and hashing, tokens,
//! session and invitation lifetimes) live once in [`crate::accounts`],
//! re-exported in `rules`; a backend keeps the rows. Both backends
//! implement every method (`verbatim_store_pg` on PostgreSQL).

use crate::{
    Account, AccountError, Invitation, LoginEvent, LoginRecord, Role, SessionAccount, SqliteStore,
    StoreError,
};

/// The accounts of a study served to a team.
pub trait Accounts {
    /// Returns every account, removed ones included, by name (ASCII case
    /// ignored; `rules::sort_accounts`).
    fn accounts(&self) -> Result<Vec<Account>, AccountError>;

    /// Returns whether an enabled owner account exists.
    fn has_owner(&self) -> Result<bool, AccountError>;

    /// Adds an account with a password (hashed here), one audited action.
    fn add_account(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<Account, AccountError>;

    /// Adds an account whose password was hashed already (a copy, or a
    /// hash computed outside the store's lock).
    fn add_account_with_hash(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
        hash: String,
    ) -> Result<Account, AccountError>;

    /// Changes an account's role.
    fn set_account_role(&mut self, actor: &str, name: &str, role: Role)
    -> Result<(), AccountError>;

    /// Sets an account's password and ends its sessions.
    fn set_account_password(
        &mut self,
        actor: &str,
        name: &str,
        password: &str,
    ) -> Result<(), AccountError>;

    /// Disables an account and ends its sessions (never the last owner).
    fn remove_account(&mut self, actor: &str, name: &str) -> Result<(), AccountError>;

    /// Returns the password hash of an enabled account.
    fn login_hash(&self, name: &str) -> Result<Option<String>, AccountError>;

    /// Returns the password hash of an enabled owner account.
    fn owner_hash(&self, name: &str) -> Result<Option<String>, AccountError>;

    /// Gives an owner or coder account the coder of its own name, once.
    fn add_account_coder(&mut self, name: &str) -> Result<Option<String>, AccountError>;

    /// Opens a session for an account and returns its token.
    fn open_session(&mut self, name: &str) -> Result<String, AccountError>;

    /// Returns the account a live session token names, and renews it.
    fn session(&self, token: &str) -> Result<Option<SessionAccount>, AccountError>;

    /// Ends a session.
    fn close_session(&self, token: &str) -> Result<(), AccountError>;

    /// Invites a new account and returns the invitation's token.
    fn invite(&mut self, actor: &str, name: &str, role: Role) -> Result<String, AccountError>;

    /// Returns the live invitation a token names.
    fn invitation(&self, token: &str) -> Result<Invitation, AccountError>;

    /// Turns an invitation into an account with this password and returns
    /// its name.
    fn accept_invitation(&mut self, token: &str, password: &str) -> Result<String, AccountError>;

    /// Records a login, a failed login, a logout or an invitation's use
    /// (outside the undo history).
    fn record_login(
        &mut self,
        name: &str,
        event: LoginEvent,
        address: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Returns the newest `limit` login records, newest first.
    fn login_log(&self, limit: usize) -> Result<Vec<LoginRecord>, StoreError>;

    /// Names the account behind the changes this connection makes from now
    /// on, so every audit entry records it.
    fn act_as_account(&self, account: Option<&str>) -> Result<(), StoreError>;
}

impl Accounts for SqliteStore {
    fn accounts(&self) -> Result<Vec<Account>, AccountError> {
        SqliteStore::accounts(self)
    }
    fn has_owner(&self) -> Result<bool, AccountError> {
        SqliteStore::has_owner(self)
    }
    fn add_account(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<Account, AccountError> {
        SqliteStore::add_account(self, actor, name, role, password)
    }
    fn add_account_with_hash(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
        hash: String,
    ) -> Result<Account, AccountError> {
        SqliteStore::add_account_with_hash(self, actor, name, role, hash)
    }
    fn set_account_role(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
    ) -> Result<(), AccountError> {
        SqliteStore::set_account_role(self, actor, name, role)
    }
    fn set_account_password(
        &mut self,
        actor: &str,
        name: &str,
        password: &str,
    ) -> Result<(), AccountError> {
        SqliteStore::set_account_password(self, actor, name, password)
    }
    fn remove_account(&mut self, actor: &str, name: &str) -> Result<(), AccountError> {
        SqliteStore::remove_account(self, actor, name)
    }
    fn login_hash(&self, name: &str) -> Result<Option<String>, AccountError> {
        SqliteStore::login_hash(self, name)
    }
    fn owner_hash(&self, name: &str) -> Result<Option<String>, AccountError> {
        SqliteStore::owner_hash(self, name)
    }
    fn add_account_coder(&mut self, name: &str) -> Result<Option<String>, AccountError> {
        SqliteStore::add_account_coder(self, name)
    }
    fn open_session(&mut self, name: &str) -> Result<String, AccountError> {
        SqliteStore::open_session(self, name)
    }
    fn session(&self, token: &str) -> Result<Option<SessionAccount>, AccountError> {
        SqliteStore::session(self, token)
    }
    fn close_session(&self, token: &str) -> Result<(), AccountError> {
        SqliteStore::close_session(self, token)
    }
    fn invite(&mut self, actor: &str, name: &str, role: Role) -> Result<String, AccountError> {
        SqliteStore::invite(self, actor, name, role)
    }
    fn invitation(&self, token: &str) -> Result<Invitation, AccountError> {
        SqliteStore::invitation(self, token)
    }
    fn accept_invitation(&mut self, token: &str, password: &str) -> Result<String, AccountError> {
        SqliteStore::accept_invitation(self, token, password)
    }
    fn record_login(
        &mut self,
        name: &str,
        event: LoginEvent,
        address: Option<&str>,
    ) -> Result<(), StoreError> {
        SqliteStore::record_login(self, name, event, address)
    }
    fn login_log(&self, limit: usize) -> Result<Vec<LoginRecord>, StoreError> {
        SqliteStore::login_log(self, limit)
    }
    fn act_as_account(&self, account: Option<&str>) -> Result<(), StoreError> {
        SqliteStore::act_as_account(self, account)
    }
}
