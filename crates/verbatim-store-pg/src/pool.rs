//! The connections of one study in one process, so that concurrent work
//! runs side by side on the server and the database keeps it apart.
//!
//! A `PgStore` used to own one connection behind a mutex: a web server
//! process then served one request at a time, however many coders waited,
//! and only more processes added concurrency. The store's actions are
//! already written for concurrent writers (each is one server transaction;
//! unique keys, row locks and advisory locks decide between them, as they
//! must between processes), so the lock only serialised what the server
//! could run at once. Now each call takes a connection of the study's
//! [`Pool`] for its duration and gives it back: calls on several threads
//! (the web's requests, each with its own handle, [`crate::PgStore::handle`])
//! run on several connections.
//!
//! A hand-made pool, not `r2d2` or `deadpool`: a vector behind a mutex and
//! a condition variable is all it takes for a blocking client, and taking
//! a connection cannot fail (the store's 100 call sites stay as they were):
//! the first connection, opened with the store, is never closed, and when a
//! new one cannot be opened the caller waits for one in use.
//!
//! How many connections at most is a setting of the address (`pool=N`,
//! [`PgAddress::pool`], 8 unless said): with `pool=1` the calls of a
//! process wait their turn for its one connection.
//! A server that went away (stopped, restarted) breaks every connection:
//! one found closed as it is taken is replaced then, and the idle ones are
//! checked before their next use, so the first request after a restart
//! works. When none can be opened the last one is handed out broken and
//! its first statement says the server does not answer (`failure`). A
//! caller that waited [`WAIT`] for a connection in use opens one more.
//!
//! The team account behind a change is a setting of the connection
//! (`audit::act_as`); each handle says which account it acts for, and a
//! connection taken with another account set is switched first.
//!
//! The statements of a coding, which a server repeats thousands of times
//! an hour, are prepared once on each connection and kept with it
//! ([`Conn::query_kept`]): PostgreSQL then parses and plans them once, not
//! at every call, as it must for a statement sent with its parameters.
//! Under 20 coders that parsing and planning was a fifth of the
//! database's work per coding (BENCHMARKS.md).

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use postgres::types::{ToSql, Type};
use postgres::{Client, Row, Statement};

use crate::{PgAddress, audit, store};

/// The connections of one study: idle ones, and how many are open.
pub(crate) struct Pool {
    address: PgAddress,
    idle: Mutex<Idle>,
    freed: Condvar,
}

struct Idle {
    connections: Vec<Pooled>,
    open: usize,
}

/// One connection and the account its changes name: `Some(None)` no
/// account, `None` not known (a switch failed).
struct Pooled {
    client: Client,
    account: Option<Option<String>>,
    /// Set when another connection was found closed while this one was
    /// idle: the server may have restarted, so it is checked before use.
    suspect: bool,
    /// The statements prepared on this connection, by their text.
    kept: HashMap<&'static str, Statement>,
}

impl Pooled {
    fn new(client: Client) -> Self {
        Pooled {
            client,
            account: Some(None),
            suspect: false,
            kept: HashMap::new(),
        }
    }

    /// Returns true when the connection cannot serve a statement: closed,
    /// or suspect and not answering a trivial query.
    fn broken(&mut self) -> bool {
        if !self.client.is_closed() && self.suspect {
            self.suspect = false;
            return self.client.is_valid(CHECK).is_err();
        }
        self.client.is_closed()
    }
}

/// How long a suspect idle connection has to answer before it is replaced.
const CHECK: Duration = Duration::from_secs(5);

/// How long a caller waits for a connection in use before the pool opens
/// one more beyond the address's pool size (a caller holding one and asking for another
/// while the server has no slot free would otherwise wait forever).
const WAIT: Duration = Duration::from_secs(20);

impl Pool {
    /// Returns a pool holding `first`, opened to `address` with no account.
    pub(crate) fn new(address: PgAddress, first: Client) -> Self {
        Pool {
            address,
            idle: Mutex::new(Idle {
                connections: vec![Pooled::new(first)],
                open: 1,
            }),
            freed: Condvar::new(),
        }
    }

    fn idle(&self) -> MutexGuard<'_, Idle> {
        // The list is consistent whatever panicked while it was held.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Returns a connection naming `account` in its audit entries: an idle
    /// one, else a new one while fewer than the address's `pool=` are
    /// open, else the next one given back.
    pub(crate) fn take(&self, account: Option<&str>) -> Conn<'_> {
        let mut pooled = self.idle_or_new();
        let wanted = Some(account.map(str::to_owned));
        if pooled.account != wanted {
            // On failure the connection is broken and the caller's next
            // statement says so; it is switched again next time.
            pooled.account = audit::act_as(&mut pooled.client, account).ok().and(wanted);
        }
        Conn {
            pool: self,
            held: Some(pooled),
        }
    }

    fn idle_or_new(&self) -> Pooled {
        let mut idle = self.idle();
        let mut waited = Duration::ZERO;
        loop {
            if let Some(pooled) = idle.connections.pop() {
                drop(idle);
                match self.sound(pooled) {
                    Ok(pooled) => return pooled,
                    Err(()) => {
                        idle = self.idle();
                        continue;
                    }
                }
            }
            if idle.open < self.address.pool() || waited >= WAIT {
                idle.open += 1;
                drop(idle);
                if let Ok(client) = store::connect(&self.address) {
                    return Pooled::new(client);
                }
                idle = self.idle();
                idle.open -= 1;
                if !idle.connections.is_empty() {
                    continue;
                }
            }
            let start = Instant::now();
            idle = match self.freed.wait_timeout(idle, WAIT) {
                Ok((idle, _)) => idle,
                Err(e) => e.into_inner().0,
            };
            waited += start.elapsed();
        }
    }

    /// Returns `pooled` when it can serve, else a new connection in its
    /// place; when none can be opened, the broken one is handed out if it
    /// is the last (its first statement then says the server does not
    /// answer) and dropped (`Err`) otherwise.
    fn sound(&self, mut pooled: Pooled) -> Result<Pooled, ()> {
        if !pooled.broken() {
            return Ok(pooled);
        }
        self.suspect_idle();
        if let Ok(client) = store::connect(&self.address) {
            return Ok(Pooled::new(client));
        }
        let mut idle = self.idle();
        if idle.open > 1 {
            idle.open -= 1;
            Err(())
        } else {
            Ok(pooled)
        }
    }

    /// Marks every idle connection to be checked before its next use.
    fn suspect_idle(&self) {
        for pooled in &mut self.idle().connections {
            pooled.suspect = true;
        }
    }

    fn give_back(&self, mut pooled: Pooled) {
        // A closed connection (the server restarted) is replaced when the
        // server answers again, else dropped unless it is the last: the
        // store then keeps answering that the connection closed.
        if pooled.client.is_closed() {
            self.suspect_idle();
            if let Ok(client) = store::connect(&self.address) {
                pooled = Pooled::new(client);
            }
        }
        let mut idle = self.idle();
        if pooled.client.is_closed() && idle.open > 1 {
            idle.open -= 1;
        } else {
            idle.connections.push(pooled);
        }
        drop(idle);
        self.freed.notify_one();
    }
}

/// A connection taken from the pool, given back when dropped.
pub(crate) struct Conn<'a> {
    pool: &'a Pool,
    held: Option<Pooled>,
}

impl Conn<'_> {
    /// Runs `sql` (parameters of `types`) with `params`, prepared on this
    /// connection the first time and kept with it. A statement that fails
    /// is prepared again next time, so one whose plan a schema change
    /// made stale ("cached plan must not change result type") fails once.
    /// A table dropped and made again needs nothing: PostgreSQL plans the
    /// statement again and finds the new table by name.
    pub(crate) fn query_kept(
        &mut self,
        sql: &'static str,
        types: &[Type],
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let Some(pooled) = self.held.as_mut() else {
            unreachable!("a connection is held until dropped")
        };
        let statement = match pooled.kept.get(sql) {
            Some(statement) => statement.clone(),
            None => {
                let statement = pooled.client.prepare_typed(sql, types)?;
                pooled.kept.insert(sql, statement.clone());
                statement
            }
        };
        let rows = pooled.client.query(&statement, params);
        if rows.is_err() {
            pooled.kept.remove(sql);
        }
        rows
    }
}

impl Deref for Conn<'_> {
    type Target = Client;

    fn deref(&self) -> &Client {
        match &self.held {
            Some(pooled) => &pooled.client,
            None => unreachable!("a connection is held until dropped"),
        }
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        match &mut self.held {
            Some(pooled) => &mut pooled.client,
            None => unreachable!("a connection is held until dropped"),
        }
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(pooled) = self.held.take() {
            self.pool.give_back(pooled);
        }
    }
}
