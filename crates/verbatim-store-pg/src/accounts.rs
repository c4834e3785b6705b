//! `Accounts` on PostgreSQL: the people of a team server, their sessions
//! and invitations, kept and audited as SQLite keeps them (migration 0008).
//!
//! The rules are `verbatim_store`'s, called from here as SQLite calls
//! them: names (`rules::account_name`), the last owner
//! (`rules::keep_an_owner`), password hashing, tokens and their SHA-256,
//! session lifetime and idleness, invitation lifetime. Account changes go
//! through a forgetful `Recorder`, so each is one audit entry with the
//! same action and summary as on SQLite and, as there, cannot be undone
//! (an undo would bring a password back).
//!
//! What the server adds: account changes of one study run one at a time
//! across processes (a transaction-scoped advisory lock), so two owners
//! demoting each other at once cannot leave the study without an owner;
//! an invitation is locked as it is accepted, so a link works once even
//! when two servers take it together. Sessions are rows, so a session
//! opened through one server process is honoured by every other.

use postgres::Transaction;
use verbatim_store::{
    Account, AccountError, Accounts, Invitation, LoginEvent, LoginRecord, Role, SessionAccount,
    StoreError, hash_password, rules,
};

use crate::failure::OrServer;
use crate::record::{Recorder, is_unique_violation};
use crate::{PgAddress, PgStore, coders, logins, now};

/// Serialises the account changes of one study, until the transaction ends.
const LOCK: &str = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/accounts'))";

/// Returns the id, role and whether it is disabled of the account `name`,
/// locking its row against changes until the transaction ends.
fn account_row(
    tx: &mut Transaction<'_>,
    address: &PgAddress,
    name: &str,
) -> Result<Option<(i64, Role, bool)>, AccountError> {
    let row = crate::lookup::by_name(name, || {
        tx.query_opt(
            "SELECT id, role, disabled_at IS NOT NULL FROM accounts WHERE name = $1 FOR SHARE",
            &[&name],
        )
    })
    .or_server(address)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let (id, role, disabled): (i64, String, bool) = (
        row.try_get(0).or_server(address)?,
        row.try_get(1).or_server(address)?,
        row.try_get(2).or_server(address)?,
    );
    Ok(Some((id, role.parse()?, disabled)))
}

/// Returns the id and role of the enabled account `name`, or `Unknown`.
fn enabled(
    tx: &mut Transaction<'_>,
    address: &PgAddress,
    name: &str,
) -> Result<(i64, Role), AccountError> {
    match account_row(tx, address, name)? {
        Some((id, role, false)) => Ok((id, role)),
        _ => Err(AccountError::Unknown(name.to_owned())),
    }
}

/// Returns the number of enabled owners.
fn owners(tx: &mut Transaction<'_>, address: &PgAddress) -> Result<i64, AccountError> {
    Ok(tx
        .query_one(
            "SELECT count(*) FROM accounts WHERE role = 'owner' AND disabled_at IS NULL",
            &[],
        )
        .and_then(|r| r.try_get(0))
        .or_server(address)?)
}

/// Creates the coder `name` through `rec` when the account needs it.
fn ensure_coder(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    address: &PgAddress,
    name: &str,
) -> Result<(), AccountError> {
    let exists = tx
        .query_opt(
            "SELECT 1 FROM coders WHERE name = $1 AND kind = 'coder'",
            &[&name],
        )
        .or_server(address)?
        .is_some();
    if !exists {
        coders::insert_coder(tx, rec, address, name, None, None)?;
    }
    Ok(())
}

/// Creates the account, or enables a removed one of that name, inside the
/// caller's transaction; returns its id.
fn put_account(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    address: &PgAddress,
    name: &str,
    role: Role,
    hash: &str,
) -> Result<i64, AccountError> {
    if role == Role::Coder {
        ensure_coder(tx, rec, address, name)?;
    }
    let role = role.as_str();
    match account_row(tx, address, name)? {
        Some((_, _, false)) => Err(AccountError::Duplicate(name.to_owned())),
        Some((id, _, true)) => {
            let none: Option<String> = None;
            rec.update(
                tx,
                "accounts",
                id,
                &[
                    ("role", &role),
                    ("password_hash", &hash),
                    ("disabled_at", &none),
                ],
            )
            .or_server(address)?;
            Ok(id)
        }
        None => {
            let created = now();
            let columns: &[crate::record::Column<'_>] = &[
                ("role", &role),
                ("password_hash", &hash),
                ("name", &name),
                ("created_at", &created),
            ];
            match rec.insert(tx, "accounts", columns) {
                Err(e) if is_unique_violation(&e) => Err(AccountError::Duplicate(name.to_owned())),
                other => Ok(other.or_server(address)?),
            }
        }
    }
}

/// Returns the id and content of the unused, unexpired invitation `token`,
/// locked until the transaction ends (a second taker waits, then finds it
/// used).
fn pending_invitation(
    tx: &mut Transaction<'_>,
    address: &PgAddress,
    token: &str,
) -> Result<(i64, Invitation), AccountError> {
    let row = tx
        .query_opt(
            "SELECT id, name, role FROM invitations \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 FOR UPDATE",
            &[&rules::token_hash(token), &rules::now_secs()],
        )
        .or_server(address)?
        .ok_or(AccountError::BadInvitation)?;
    let (id, name, role): (i64, String, String) = (
        row.try_get(0).or_server(address)?,
        row.try_get(1).or_server(address)?,
        row.try_get(2).or_server(address)?,
    );
    Ok((
        id,
        Invitation {
            name,
            role: role.parse()?,
        },
    ))
}

impl PgStore {
    /// Runs one account change in a transaction holding the study's
    /// account lock.
    fn account_write<T>(
        &self,
        change: impl FnOnce(&mut Transaction<'_>, &PgAddress) -> Result<T, AccountError>,
    ) -> Result<T, AccountError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        tx.batch_execute(LOCK).or_server(&address)?;
        let out = change(&mut tx, &address)?;
        tx.commit().or_server(&address)?;
        Ok(out)
    }

    /// Returns the password hash of the enabled account `name`, an owner's
    /// only when `owner`.
    fn hash_of(&self, name: &str, owner: bool) -> Result<Option<String>, AccountError> {
        let stored: Option<Option<String>> = crate::lookup::by_name(name, || {
            self.client()
                .query_opt(
                    "SELECT password_hash FROM accounts \
                     WHERE name = $1 AND disabled_at IS NULL AND (NOT $2 OR role = 'owner')",
                    &[&name.trim(), &owner],
                )
                .and_then(|r| r.map(|r| r.try_get(0)).transpose())
        })
        .or_server(self.address())?;
        Ok(stored.flatten())
    }
}

impl Accounts for PgStore {
    fn accounts(&self) -> Result<Vec<Account>, AccountError> {
        let rows = self
            .client()
            .query(
                "SELECT name, role, created_at, disabled_at FROM accounts ORDER BY id",
                &[],
            )
            .or_server(self.address())?;
        let mut accounts = Vec::with_capacity(rows.len());
        for r in &rows {
            let role: String = r.try_get(1).or_server(self.address())?;
            accounts.push(Account {
                name: r.try_get(0).or_server(self.address())?,
                role: role.parse()?,
                created_at: r.try_get(2).or_server(self.address())?,
                disabled_at: r.try_get(3).or_server(self.address())?,
            });
        }
        rules::sort_accounts(&mut accounts);
        Ok(accounts)
    }

    fn has_owner(&self) -> Result<bool, AccountError> {
        Ok(self
            .client()
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM accounts WHERE role = 'owner' AND disabled_at IS NULL)",
                &[],
            )
            .and_then(|r| r.try_get(0))
            .or_server(self.address())?)
    }

    fn add_account(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<Account, AccountError> {
        let checked = rules::account_name(name)?;
        // Refused before the slow hashing; checked again under the lock.
        let taken = self
            .client()
            .query_opt(
                "SELECT 1 FROM accounts WHERE name = $1 AND disabled_at IS NULL",
                &[&checked],
            )
            .or_server(self.address())?
            .is_some();
        if taken {
            return Err(AccountError::Duplicate(checked.to_owned()));
        }
        let hash = hash_password(password)?;
        self.add_account_with_hash(actor, name, role, hash)
    }

    fn add_account_with_hash(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
        hash: String,
    ) -> Result<Account, AccountError> {
        let name = rules::account_name(name)?;
        rules::check_password_hash(&hash)?;
        self.account_write(|tx, address| {
            let mut rec = Recorder::forgetful();
            let id = put_account(tx, &mut rec, address, name, role, &hash)?;
            rec.finish(
                tx,
                actor,
                "account.add",
                Some(&format!("account:{id}")),
                serde_json::json!({ "name": name, "role": role }),
            )
            .or_server(address)?;
            Ok(())
        })?;
        self.accounts()?
            .into_iter()
            .find(|a| a.name == name)
            .ok_or_else(|| AccountError::Unknown(name.to_owned()))
    }

    fn set_account_role(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
    ) -> Result<(), AccountError> {
        let name = name.trim();
        self.account_write(|tx, address| {
            let (id, old) = enabled(tx, address, name)?;
            if role != Role::Owner {
                rules::keep_an_owner(name, old, owners(tx, address)?)?;
            }
            let mut rec = Recorder::forgetful();
            if role == Role::Coder {
                ensure_coder(tx, &mut rec, address, name)?;
            }
            rec.update_text(tx, "accounts", id, "role", role.as_str())
                .or_server(address)?;
            rec.finish(
                tx,
                actor,
                "account.role",
                Some(&format!("account:{id}")),
                serde_json::json!({ "name": name, "from": old, "to": role }),
            )
            .or_server(address)?;
            Ok(())
        })
    }

    fn set_account_password(
        &mut self,
        actor: &str,
        name: &str,
        password: &str,
    ) -> Result<(), AccountError> {
        let hash = hash_password(password)?;
        let name = name.trim();
        self.account_write(|tx, address| {
            let (id, _) = enabled(tx, address, name)?;
            let mut rec = Recorder::forgetful();
            rec.update_text(tx, "accounts", id, "password_hash", &hash)
                .or_server(address)?;
            tx.execute("DELETE FROM sessions WHERE account_id = $1", &[&id])
                .or_server(address)?;
            rec.finish(
                tx,
                actor,
                "account.password",
                Some(&format!("account:{id}")),
                serde_json::json!({ "name": name }),
            )
            .or_server(address)?;
            Ok(())
        })
    }

    fn remove_account(&mut self, actor: &str, name: &str) -> Result<(), AccountError> {
        let name = name.trim();
        self.account_write(|tx, address| {
            let (id, role) = enabled(tx, address, name)?;
            rules::keep_an_owner(name, role, owners(tx, address)?)?;
            let mut rec = Recorder::forgetful();
            let (disabled, none) = (now(), None::<String>);
            rec.update(
                tx,
                "accounts",
                id,
                &[("disabled_at", &disabled), ("password_hash", &none)],
            )
            .or_server(address)?;
            tx.execute("DELETE FROM sessions WHERE account_id = $1", &[&id])
                .or_server(address)?;
            rec.finish(
                tx,
                actor,
                "account.remove",
                Some(&format!("account:{id}")),
                serde_json::json!({ "name": name, "role": role }),
            )
            .or_server(address)?;
            Ok(())
        })
    }

    fn login_hash(&self, name: &str) -> Result<Option<String>, AccountError> {
        self.hash_of(name, false)
    }

    fn owner_hash(&self, name: &str) -> Result<Option<String>, AccountError> {
        self.hash_of(name, true)
    }

    fn add_account_coder(&mut self, name: &str) -> Result<Option<String>, AccountError> {
        let name = name.trim();
        self.account_write(|tx, address| {
            let (_, role) = enabled(tx, address, name)?;
            if role == Role::Viewer {
                return Ok(None);
            }
            let exists = tx
                .query_opt(
                    "SELECT 1 FROM coders WHERE name = $1 AND kind = 'coder'",
                    &[&name],
                )
                .or_server(address)?
                .is_some();
            if !exists {
                // Undoable, as on SQLite: the account's first coding act.
                let mut rec = Recorder::default();
                let coder = coders::insert_coder(tx, &mut rec, address, name, None, None)?;
                rec.finish(
                    tx,
                    name,
                    "coder.add",
                    Some(&format!("coder:{}", coder.id)),
                    serde_json::json!({ "name": name }),
                )
                .or_server(address)?;
            }
            Ok(Some(name.to_owned()))
        })
    }

    fn open_session(&mut self, name: &str) -> Result<String, AccountError> {
        let token = rules::new_token()?;
        let now = rules::now_secs();
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let (id, _) = enabled(&mut tx, &address, name.trim())?;
        // Sessions past their time go as new ones come.
        tx.execute(
            "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen <= $2",
            &[&now, &rules::idle_before(now)],
        )
        .or_server(&address)?;
        tx.execute(
            "INSERT INTO sessions (token_hash, account_id, created_at, last_seen, expires_at) \
             VALUES ($1, $2, $3, $3, $4)",
            &[
                &rules::token_hash(&token),
                &id,
                &now,
                &rules::session_expiry(now),
            ],
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(token)
    }

    fn session(&self, token: &str) -> Result<Option<SessionAccount>, AccountError> {
        let hash = rules::token_hash(token);
        let now = rules::now_secs();
        let mut client = self.client();
        let row = client
            .query_opt(
                "SELECT a.name, a.role, c.name, s.last_seen FROM sessions s \
                 JOIN accounts a ON a.id = s.account_id \
                 LEFT JOIN coders c ON c.name = a.name AND c.kind = 'coder' \
                 WHERE s.token_hash = $1 AND a.disabled_at IS NULL \
                 AND s.expires_at > $2 AND s.last_seen > $3",
                &[&hash, &now, &rules::idle_before(now)],
            )
            .or_server(self.address())?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (name, role, coder, last_seen): (String, String, Option<String>, i64) = (
            row.try_get(0).or_server(self.address())?,
            row.try_get(1).or_server(self.address())?,
            row.try_get(2).or_server(self.address())?,
            row.try_get(3).or_server(self.address())?,
        );
        if rules::session_needs_touch(now, last_seen) {
            // Best effort, as on SQLite: a failed touch must not turn a
            // page read into an error; the next request tries again.
            let _ = client.execute(
                "UPDATE sessions SET last_seen = $1 WHERE token_hash = $2",
                &[&now, &hash],
            );
        }
        rules::session_account(name, &role, coder).map(Some)
    }

    fn close_session(&self, token: &str) -> Result<(), AccountError> {
        let now = rules::now_secs();
        self.client()
            .execute(
                "DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2 \
                 OR last_seen <= $3",
                &[&rules::token_hash(token), &now, &rules::idle_before(now)],
            )
            .or_server(self.address())?;
        Ok(())
    }

    fn invite(&mut self, actor: &str, name: &str, role: Role) -> Result<String, AccountError> {
        let name = rules::account_name(name)?;
        let token = rules::new_token()?;
        self.account_write(|tx, address| {
            if matches!(account_row(tx, address, name)?, Some((_, _, false))) {
                return Err(AccountError::Duplicate(name.to_owned()));
            }
            let mut rec = Recorder::forgetful();
            let (hash, created) = (rules::token_hash(&token), now());
            let expires = rules::invitation_expiry(rules::now_secs());
            let id = rec
                .insert(
                    tx,
                    "invitations",
                    &[
                        ("token_hash", &hash),
                        ("name", &name),
                        ("role", &role.as_str()),
                        ("created_at", &created),
                        ("expires_at", &expires),
                    ],
                )
                .or_server(address)?;
            rec.finish(
                tx,
                actor,
                "account.invite",
                Some(&format!("invitation:{id}")),
                serde_json::json!({ "name": name, "role": role }),
            )
            .or_server(address)?;
            Ok(())
        })?;
        Ok(token)
    }

    fn invitation(&self, token: &str) -> Result<Invitation, AccountError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        // Read only: the lock ends with the transaction, dropped unwritten.
        pending_invitation(&mut tx, &address, token).map(|(_, invitation)| invitation)
    }

    fn accept_invitation(&mut self, token: &str, password: &str) -> Result<String, AccountError> {
        let hash = hash_password(password)?;
        let name = self.account_write(|tx, address| {
            let (id, invitation) = pending_invitation(tx, address, token)?;
            let mut rec = Recorder::forgetful();
            let account = put_account(
                tx,
                &mut rec,
                address,
                &invitation.name,
                invitation.role,
                &hash,
            )?;
            rec.update_text(tx, "invitations", id, "used_at", &now())
                .or_server(address)?;
            rec.finish(
                tx,
                &invitation.name,
                "account.join",
                Some(&format!("account:{account}")),
                serde_json::json!({ "name": invitation.name, "role": invitation.role }),
            )
            .or_server(address)?;
            Ok(invitation.name)
        })?;
        self.open_session(&name)
    }

    fn record_login(
        &mut self,
        name: &str,
        event: LoginEvent,
        address: Option<&str>,
    ) -> Result<(), StoreError> {
        logins::record(&mut *self.client(), name, event, address).or_server(self.address())
    }

    fn login_log(&self, limit: usize) -> Result<Vec<LoginRecord>, StoreError> {
        logins::newest(&mut *self.client(), limit).or_server(self.address())
    }

    fn act_as_account(&self, account: Option<&str>) -> Result<(), StoreError> {
        self.act_as(account);
        Ok(())
    }

    fn shared_secret(&mut self, key: &str) -> Result<String, AccountError> {
        let drawn = rules::new_token()?;
        let address = self.address().clone();
        let mut client = self.client();
        // Two processes starting at once: one insert wins, both read it.
        client
            .execute(
                "INSERT INTO study (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                &[&key, &drawn],
            )
            .or_server(&address)?;
        let row = client
            .query_one("SELECT value FROM study WHERE key = $1", &[&key])
            .or_server(&address)?;
        Ok(row.get(0))
    }
}
