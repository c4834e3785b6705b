//! Who logged in to a team server, and who tried (migration 0021).
//!
//! Why beside the audit log and not in it: a login changes nothing in the
//! study's work and cannot be undone, and a line per login would bury the
//! history of the work. The owner still needs to see failed attempts and
//! who came in when, so each successful or failed login, logout and use
//! of an invitation is one row here: the name typed, the time, the
//! client's address. Never a password, a hash or a token. Written
//! straight, not through a `Recorder` (nothing to undo), and read with
//! `verbatim account log`.

use std::fmt;

use serde::Serialize;

use crate::sqlite::begin_write;
use crate::{SqliteStore, StoreError, audit};

/// What happened at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LoginEvent {
    /// A right password: a session opened.
    Login,
    /// A wrong name or password, or an attempt past the limit.
    Failed,
    /// A session closed by its holder.
    Logout,
    /// An invitation link used to set a password.
    Invitation,
}

impl LoginEvent {
    /// Returns the event's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            LoginEvent::Login => "login",
            LoginEvent::Failed => "failed",
            LoginEvent::Logout => "logout",
            LoginEvent::Invitation => "invitation",
        }
    }
}

impl fmt::Display for LoginEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the login log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginRecord {
    /// When (RFC 3339).
    pub at: String,
    /// The name typed, or the account's.
    pub name: String,
    /// What happened.
    pub event: String,
    /// The client's address, when known.
    pub address: Option<String>,
}

/// The longest name kept: a login form may carry anything.
const NAME_CHARS: usize = 64;

/// Returns the name a login row keeps of what was typed: trimmed, without
/// control characters, at most 64 characters.
pub fn login_name(typed: &str) -> String {
    typed
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(NAME_CHARS)
        .collect()
}

impl SqliteStore {
    /// Records a login event for `name` from `address`.
    pub fn record_login(
        &mut self,
        name: &str,
        event: LoginEvent,
        address: Option<&str>,
    ) -> Result<(), StoreError> {
        let name = login_name(name);
        let tx = begin_write(&mut self.conn)?;
        tx.prepare_cached("INSERT INTO logins (at, name, event, address) VALUES ($1, $2, $3, $4)")?
            .execute(rusqlite::params![
                audit::now(),
                name,
                event.as_str(),
                address
            ])?;
        tx.commit()?;
        Ok(())
    }

    /// Returns the newest `limit` login events, newest first.
    pub fn login_log(&self, limit: usize) -> Result<Vec<LoginRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, name, event, address FROM logins ORDER BY id DESC LIMIT $1",
        )?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(LoginRecord {
                    at: r.get(0)?,
                    name: r.get(1)?,
                    event: r.get(2)?,
                    address: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StudySettings;

    #[test]
    fn events_are_kept_newest_first_without_control_characters() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.vbt");
        let settings = StudySettings {
            title: "t".into(),
            language: None,
        };
        let mut store = SqliteStore::create(&path, &settings, "test").unwrap();
        store
            .record_login("amira", LoginEvent::Failed, Some("127.0.0.1"))
            .unwrap();
        store
            .record_login(" amira\n", LoginEvent::Login, None)
            .unwrap();
        let log = store.login_log(10).unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(
            (log[0].name.as_str(), log[0].event.as_str()),
            ("amira", "login")
        );
        assert_eq!(log[0].address, None);
        assert_eq!(log[1].event, "failed");
        assert_eq!(log[1].address.as_deref(), Some("127.0.0.1"));
        assert_eq!(store.login_log(1).unwrap().len(), 1);
    }
}
