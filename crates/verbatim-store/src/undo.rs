//! Undo and redo, per coder, from the audit log.
//!
//! Each coder's undo stack is derived from the log itself: their undoable
//! actions in order, minus those undone (an `history.undo` entry names the
//! entry it undid), plus those redone; a new action clears what could be
//! redone. Undo and redo are themselves entries carrying the row changes
//! they applied, so the log stays a complete, replayable history. The
//! stacks and the refusals are `boundary::rules`', shared with PostgreSQL.

use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::history::{self, Direction, changes_of};
use crate::rules::{self, Logged};
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
            "SELECT id, action, target, undoable FROM audit \
             WHERE actor = $1 AND (undoable = 1 OR action = 'journal.seal') ORDER BY id",
        )?;
        let entries: Vec<Logged> = stmt
            .query_map([actor], |r| {
                Ok(Logged {
                    id: r.get(0)?,
                    action: r.get(1)?,
                    target: r.get(2)?,
                    undoable: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rules::undo_stacks(&entries))
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
                    return Err(rules::nothing_to(direction == Direction::Backward, actor));
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
            rules::withdraw::refuse_withdrawn(direction == Direction::Backward, &action, &data)?;
            let changes = changes_of(&data).ok_or_else(|| {
                StoreError::Corrupt(format!("audit entry {entry} has no changes"))
            })?;
            let tx = crate::sqlite::begin_write(&mut self.conn)?;
            let applied = history::replay(&tx, &changes, direction).map_err(|why| {
                rules::replay_refused(direction == Direction::Backward, &action, &why)
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
