//! Undo and redo, per coder, from the audit log.
//!
//! Each coder's undo stack is derived from the log itself: their undoable
//! actions in order, minus those undone (an `history.undo` entry names the
//! entry it undid), plus those redone; a new action clears what could be
//! redone. Undo and redo are themselves entries carrying the row changes
//! they applied, so the log stays a complete, replayable history.

use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::history::{self, Direction, changes_of};
use crate::{SqliteStore, StoreError, audit};

/// An action undone or redone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replayed {
    /// The audit entry of the original action.
    pub entry: String,
    /// What the action was (`coding.add`, `code.merge`…).
    pub action: String,
    /// Its summary.
    pub summary: serde_json::Value,
}

impl SqliteStore {
    /// Returns the actor's undo and redo stacks (audit entry ids, oldest first).
    fn stacks(&self, actor: &str) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, action, target FROM audit \
             WHERE actor = $1 AND (undoable = 1 OR action = 'journal.seal') ORDER BY id",
        )?;
        let mut rows = stmt.query([actor])?;
        let (mut done, mut undone): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let action: String = r.get(1)?;
            let target: Option<String> = r.get(2)?;
            let target = target.and_then(|t| t.strip_prefix("audit:").map(str::to_owned));
            match action.as_str() {
                "history.undo" => {
                    if let Some(t) = target {
                        done.retain(|d| d != &t);
                        undone.push(t);
                    }
                }
                // A sealed entry can never change again: the actions that
                // wrote it leave the undo stack (the rest of it stays).
                "journal.seal" => {
                    let target: Option<String> = r.get(2)?;
                    if let Some(sealed) = target {
                        let touching: Vec<String> = self
                            .conn
                            .prepare_cached(
                                "SELECT id FROM audit WHERE actor = $1 AND undoable = 1 AND target = $2",
                            )?
                            .query_map([actor, sealed.as_str()], |r| r.get(0))?
                            .collect::<Result<_, _>>()?;
                        done.retain(|d| !touching.contains(d));
                        undone.retain(|u| !touching.contains(u));
                    }
                }
                "history.redo" => {
                    if let Some(t) = target {
                        undone.retain(|u| u != &t);
                        done.push(t);
                    }
                }
                _ => {
                    done.push(id);
                    undone.clear();
                }
            }
        }
        Ok((done, undone))
    }

    /// Undoes the actor's last `steps` actions, newest first. Stops with an
    /// error (and changes nothing for that step) when a row the action
    /// touched has changed since.
    pub fn undo(&mut self, actor: &str, steps: usize) -> Result<Vec<Replayed>, StoreError> {
        self.replay_steps(actor, steps, Direction::Backward)
    }

    /// Redoes the actor's last `steps` undone actions.
    pub fn redo(&mut self, actor: &str, steps: usize) -> Result<Vec<Replayed>, StoreError> {
        self.replay_steps(actor, steps, Direction::Forward)
    }

    fn replay_steps(
        &mut self,
        actor: &str,
        steps: usize,
        direction: Direction,
    ) -> Result<Vec<Replayed>, StoreError> {
        let mut out = Vec::new();
        for _ in 0..steps {
            let (done, undone) = self.stacks(actor)?;
            let next = match direction {
                Direction::Backward => done.last(),
                Direction::Forward => undone.last(),
            };
            let Some(entry) = next.cloned() else {
                if out.is_empty() {
                    return Err(StoreError::History(match direction {
                        Direction::Backward => format!("nothing to undo for {actor}"),
                        Direction::Forward => format!("nothing to redo for {actor}"),
                    }));
                }
                break;
            };
            let (action, data): (String, String) = self
                .conn
                .query_row(
                    "SELECT action, data FROM audit WHERE id = $1",
                    [&entry],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or_else(|| StoreError::Corrupt(format!("audit entry {entry} vanished")))?;
            let data: serde_json::Value = serde_json::from_str(&data)
                .map_err(|e| StoreError::Corrupt(format!("audit entry {entry}: {e}")))?;
            let changes = changes_of(&data).ok_or_else(|| {
                StoreError::Corrupt(format!("audit entry {entry} has no changes"))
            })?;
            let tx = crate::sqlite::begin_write(&mut self.conn)?;
            let applied = history::replay(&tx, &changes, direction).map_err(|why| {
                StoreError::History(format!(
                    "cannot {} {action}: {why}; undo the later changes first",
                    match direction {
                        Direction::Backward => "undo",
                        Direction::Forward => "redo",
                    }
                ))
            })?;
            let summary = data
                .get("summary")
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            audit::append_entry(
                &tx,
                actor,
                match direction {
                    Direction::Backward => "history.undo",
                    Direction::Forward => "history.redo",
                },
                Some(&format!("audit:{entry}")),
                &serde_json::json!({ "action": action, "summary": summary, "changes": applied }),
                true,
            )?;
            tx.commit()?;
            out.push(Replayed {
                entry,
                action,
                summary,
            });
        }
        Ok(out)
    }
}
