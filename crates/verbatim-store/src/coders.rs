//! Coders, code levels, and the [`Scope`] through which coding data is seen.
//!
//! Blind coding is enforced here, in the library, not in the CLI: every read
//! of codes or codings takes a `Scope`, and a scope that sees other coders'
//! layers can only be obtained from [`SqliteStore::scope`] once the layers
//! are open: the study was revealed (`reveal`, which records who), or it is
//! marked solo (`mark_solo`: one researcher coding under several names, set
//! once and audited), or it has fewer than two coders (no other layer to
//! see). A caller's own "solo" wish is never enough on its own, so no coder
//! can read a colleague's blind work by passing a flag.

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::Serialize;

use crate::boundary::rules;
use crate::history::Recorder;
use crate::history::Table;
use crate::{SqliteStore, StoreError, audit};

/// A member of the team who codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coder {
    /// The coder's id.
    pub id: i64,
    /// Their name, as given to `--coder`.
    pub name: String,
    /// Their initials, for compact displays.
    pub initials: String,
    /// Their colour (`#rrggbb`).
    pub colour: String,
}

/// A code level (idea, sub-theme, theme, meta-theme by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Level {
    /// 1 for the lowest level.
    pub rank: i64,
    /// Its name.
    pub name: String,
}

/// Whose coding data a caller may see and change.
///
/// Only [`SqliteStore::scope`] and the provided methods of [`crate::Coders`]
/// build one, so holding a `Scope` that sees
/// every layer proves the study was revealed or solo mode was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    coder: Coder,
    sees_all: bool,
    consensus: bool,
}

impl Scope {
    /// Returns a scope; only the store's scope builders call this, after
    /// checking that the layers asked for are open.
    pub(crate) fn issue(coder: Coder, sees_all: bool, consensus: bool) -> Scope {
        Scope {
            coder,
            sees_all,
            consensus,
        }
    }

    /// Returns true when this scope acts for the team's consensus layer
    /// (built by [`SqliteStore::consensus_scope`]) rather than a coder.
    pub fn is_consensus(&self) -> bool {
        self.consensus
    }

    /// Returns the owner of the codebook this scope calls its own: the
    /// coder's id, or `None` (the shared codebook) for the consensus layer.
    pub fn own_book(&self) -> Option<i64> {
        (!self.consensus).then_some(self.coder.id)
    }

    /// Returns the coder acting.
    pub fn coder(&self) -> &Coder {
        &self.coder
    }

    /// Returns true when the scope sees every coder's layer.
    pub fn sees_all(&self) -> bool {
        self.sees_all
    }

    /// Returns true when the scope may see data owned by `owner` (a coder
    /// id, or `None` for the shared codebook).
    pub fn may_see(&self, owner: Option<i64>) -> bool {
        self.sees_all || owner.is_none() || owner == self.own_book()
    }
}

/// The name the consensus layer's row takes (migration 0009), refused as a
/// coder's name.
pub const CONSENSUS_NAME: &str = "consensus";

impl SqliteStore {
    /// Adds a coder to the study.
    pub fn add_coder(
        &mut self,
        actor: &str,
        name: &str,
        initials: Option<&str>,
        colour: Option<&str>,
    ) -> Result<Coder, StoreError> {
        let name = rules::coder_name(name, &self.consensus_coder()?)?;
        let name = name.as_str();
        if self.coder_by_name(name)?.is_some() {
            return Err(rules::coder_name_taken(name));
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let coder = insert_coder(&tx, &mut rec, name, initials, colour)?;
        let id = coder.id;
        rec.finish(
            &tx,
            actor,
            "coder.add",
            Some(&format!("coder:{id}")),
            serde_json::json!({ "name": name }),
        )?;
        tx.commit()?;
        Ok(coder)
    }

    /// Returns every coder, by id (never the consensus layer).
    pub fn coders(&self) -> Result<Vec<Coder>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, initials, colour FROM coders WHERE kind = 'coder' ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Coder {
                id: r.get(0)?,
                name: r.get(1)?,
                initials: r.get(2)?,
                colour: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the consensus layer's row: the coder id its passages carry.
    /// Every study has exactly one (migration 0009).
    pub fn consensus_coder(&self) -> Result<Coder, StoreError> {
        Ok(self.conn.query_row(
            "SELECT id, name, initials, colour FROM coders WHERE kind = 'consensus'",
            [],
            |r| {
                Ok(Coder {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    initials: r.get(2)?,
                    colour: r.get(3)?,
                })
            },
        )?)
    }

    /// Returns the scope of the team's consensus layer: the shared codebook
    /// as its own book and the consensus passages as its codings. It sees no
    /// coder's private layer.
    pub fn consensus_scope(&self) -> Result<Scope, StoreError> {
        Ok(Scope::issue(self.consensus_coder()?, false, true))
    }

    /// Returns the scope of someone who reads without a layer of their own
    /// (a team server's viewer, or an owner who does not code): the shared
    /// codebook and the consensus layer, and every coder's layer once the
    /// layers are open (see [`SqliteStore::layers_open`]). Nothing may be
    /// written through it: the server gives such accounts no write.
    /// The rule lives once, in [`crate::ReaderReads::reader_scope`].
    pub fn reader_scope(&self) -> Result<Scope, StoreError> {
        crate::ReaderReads::reader_scope(self)
    }

    /// Returns the coder with this name, if any (never the consensus layer).
    pub fn coder_by_name(&self, name: &str) -> Result<Option<Coder>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, initials, colour FROM coders WHERE name = $1 AND kind = 'coder'",
                [name.trim()],
                |r| {
                    Ok(Coder {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        initials: r.get(2)?,
                        colour: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Returns the scope of `coder`: their own layer and the shared
    /// codebook, or every layer when `all` is asked and allowed.
    ///
    /// `all` is allowed once the layers are open (see
    /// [`SqliteStore::layers_open`]). `solo` is the caller saying "I code
    /// alone": it is accepted (and changes nothing) when the layers are
    /// open, and refused otherwise, since only the study can say so.
    pub fn scope(&self, coder: &str, all: bool, solo: bool) -> Result<Scope, StoreError> {
        let coder = self
            .coder_by_name(coder)?
            .ok_or_else(|| StoreError::UnknownCoder(coder.to_owned()))?;
        if (all || solo) && !self.layers_open()? {
            return Err(StoreError::Blind);
        }
        Ok(Scope::issue(coder, all, false))
    }

    /// Returns true when a scope may see every coder's layer: the study was
    /// revealed, is marked solo, or has fewer than two coders.
    pub fn layers_open(&self) -> Result<bool, StoreError> {
        if self.is_revealed()? || self.is_solo()? {
            return Ok(true);
        }
        let coders: i64 = self.conn.query_row(
            "SELECT count(*) FROM coders WHERE kind = 'coder'",
            [],
            |r| r.get(0),
        )?;
        Ok(coders < 2)
    }

    /// Returns true once the study is marked solo (one researcher coding
    /// under several names).
    pub fn is_solo(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM study WHERE key = 'solo_at'")?
            .exists([])?)
    }

    /// Returns who declared the study solo and when (ISO 8601), once it is.
    pub fn solo(&self) -> Result<Option<(String, String)>, StoreError> {
        let value = |key: &str| -> Result<Option<String>, StoreError> {
            Ok(self
                .conn
                .query_row("SELECT value FROM study WHERE key = $1", [key], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        Ok(match (value("solo_by")?, value("solo_at")?) {
            (Some(by), Some(at)) => Some((by, at)),
            _ => None,
        })
    }

    /// Marks the study as coded by one researcher under several names, so
    /// every name sees every layer. Recorded in the audit log with who and
    /// when; not undoable. Returns false when it already was.
    ///
    /// Refused while two or more coders hold codings and the study is not
    /// revealed: solo is declared before blind work begins, and opening
    /// layers that were coded blind is what `reveal` is for (it records who
    /// opened them, under that name).
    pub fn mark_solo(&mut self, actor: &str) -> Result<bool, StoreError> {
        if self.is_solo()? {
            return Ok(false);
        }
        if !self.is_revealed()? {
            let coded: Vec<String> = self
                .conn
                .prepare(
                    "SELECT d.name FROM coders d WHERE d.kind = 'coder' \
                     AND EXISTS (SELECT 1 FROM codings k WHERE k.coder_id = d.id) ORDER BY d.id",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            if let Some(refused) = crate::rules::solo_refused(&coded) {
                return Err(refused);
            }
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let at = audit::now();
        tx.execute(
            "INSERT INTO study (key, value) VALUES ('solo_at', $1), ('solo_by', $2)",
            [&at, actor],
        )?;
        audit::append(
            &tx,
            actor,
            "study.solo",
            None,
            &serde_json::json!({ "solo_at": at }),
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Returns true once `reveal` has opened every layer to every coder.
    pub fn is_revealed(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM study WHERE key = 'revealed_at'", [], |_| {
                Ok(())
            })
            .optional()?
            .is_some())
    }

    /// Returns who revealed the study and when (ISO 8601), once revealed.
    /// Who is read from the audit log's `study.reveal` entry, so studies
    /// revealed before it was kept beside the date still say who.
    pub fn revealed(&self) -> Result<Option<(String, String)>, StoreError> {
        let at: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM study WHERE key = 'revealed_at'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(at) = at else { return Ok(None) };
        let by: Option<String> = self
            .conn
            .query_row(
                "SELECT actor FROM audit WHERE action = 'study.reveal' ORDER BY at LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(Some((by.unwrap_or_else(|| "unknown".into()), at)))
    }

    /// Opens every coder's layer to every coder, for comparison. Recorded in
    /// the audit log with who revealed; not undoable. Returns false when
    /// the study was already revealed ([`SqliteStore::revealed`] says by
    /// whom).
    pub fn reveal(&mut self, actor: &str) -> Result<bool, StoreError> {
        if self.is_revealed()? {
            return Ok(false);
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let at = audit::now();
        tx.execute(
            "INSERT INTO study (key, value) VALUES ('revealed_at', $1)",
            [&at],
        )?;
        audit::append(
            &tx,
            actor,
            "study.reveal",
            None,
            &serde_json::json!({ "revealed_at": at, "revealed_by": actor }),
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Returns the code levels, lowest first.
    pub fn levels(&self) -> Result<Vec<Level>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT rank, name FROM levels ORDER BY rank")?;
        let rows = stmt.query_map([], |r| {
            Ok(Level {
                rank: r.get(0)?,
                name: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Replaces the level names (lowest first). Refused when codes exist at a
    /// level that would disappear.
    pub fn set_levels(&mut self, actor: &str, names: &[String]) -> Result<(), StoreError> {
        let max_used: Option<i64> =
            self.conn
                .query_row("SELECT max(level) FROM codes", [], |r| r.get(0))?;
        let names = crate::boundary::rules::level_names(names, max_used)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        tx.execute("DELETE FROM levels", [])?;
        for (i, name) in names.iter().enumerate() {
            tx.execute(
                "INSERT INTO levels (rank, name) VALUES ($1, $2)",
                rusqlite::params![i as i64 + 1, name],
            )?;
        }
        audit::append(
            &tx,
            actor,
            "levels.set",
            None,
            &serde_json::json!({ "levels": names }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Returns the rank of the level a user named.
    pub fn level_rank_of(&self, name: &str) -> Result<i64, StoreError> {
        self.level_rank(name)
    }

    /// Returns the rank of the level named `name`.
    pub(crate) fn level_rank(&self, name: &str) -> Result<i64, StoreError> {
        rules::level_rank(&self.levels()?, name)
    }
}

/// Inserts a coder row through `rec` inside the caller's transaction,
/// with initials from the name and a palette colour unless given; the
/// caller has checked the name (see [`SqliteStore::add_coder`]).
pub(crate) fn insert_coder(
    conn: &rusqlite::Connection,
    rec: &mut Recorder,
    name: &str,
    initials: Option<&str>,
    colour: Option<&str>,
) -> Result<Coder, StoreError> {
    let initials = rules::initials(initials, name)?;
    let count: i64 = conn.query_row(
        "SELECT count(*) FROM coders WHERE kind = 'coder'",
        [],
        |r| r.get(0),
    )?;
    let colour = rules::coder_colour(colour, count)?;
    let id = rec.insert(
        conn,
        Table::Coders,
        &[
            ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
            ("name", Value::Text(name.to_owned())),
            ("initials", Value::Text(initials.clone())),
            ("colour", Value::Text(colour.clone())),
            ("created_at", Value::Text(audit::now())),
        ],
    )?;
    Ok(Coder {
        id,
        name: name.to_owned(),
        initials,
        colour,
    })
}
