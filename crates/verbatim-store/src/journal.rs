//! The reflexive journal: dated notes by each coder, and the preconceptions
//! written before the first interview, sealed so that they can be confronted
//! with the results at the end without any doubt that they were rewritten.
//!
//! Sealing stores a SHA-256 content hash and the time. A sealed entry can
//! never change: this module refuses it with a clear error, SQL triggers
//! refuse it whatever code asks, and sealing is not on the undo stack.
//! [`SqliteStore::verify_journal`] recomputes every seal, and also compares
//! it with the hash recorded in the append-only audit log when the entry was
//! sealed, so rewriting both the text and its stored hash is detected too.
//!
//! # The sealed form
//!
//! The hash is the lower-case hex SHA-256 of the UTF-8 JSON array
//! `["verbatim-journal-seal/1", guid, kind, title, body, written_at, sealed_at]`
//! as `serde_json` writes it (no spaces; strings escaped the JSON way). A
//! JSON array, rather than fields joined by newlines, keeps the form
//! unambiguous whatever the title or body hold; anyone can recompute it with
//! any JSON library and `sha256sum`.
//!
//! Links between an entry and codes (expected, emerged, absent) live in
//! another table, so a sealed preconception can still be linked to the codes
//! that confirm or contradict it.

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::coders::Scope;
use crate::history::{Recorder, Table, id_key};
use crate::{SqliteStore, StoreError, audit};

/// What a journal entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A dated reflexive note.
    Note,
    /// An expectation written before the analysis; can be sealed.
    Preconception,
}

impl EntryKind {
    /// Returns the word stored in the study.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Note => "note",
            EntryKind::Preconception => "preconception",
        }
    }

    /// Returns the kind a user's word names.
    pub fn parse(word: &str) -> Result<Self, StoreError> {
        match word.trim().to_lowercase().as_str() {
            "note" => Ok(EntryKind::Note),
            "preconception" => Ok(EntryKind::Preconception),
            other => Err(StoreError::Invalid(format!(
                "no journal entry kind {other:?}: use note or preconception"
            ))),
        }
    }
}

/// How a code relates to a journal entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The entry expected this code, and it was found.
    Expected,
    /// The code emerged from the data, beyond what the entry expected.
    Emerged,
    /// The entry expected it, and the data did not bear it out.
    Absent,
    /// The theme emerged, but saying the opposite of what was expected.
    Reversed,
}

impl Relation {
    /// Returns the word stored in the study.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Expected => "expected",
            Relation::Emerged => "emerged",
            Relation::Absent => "absent",
            Relation::Reversed => "reversed",
        }
    }

    /// Returns the relation a user's word names.
    pub fn parse(word: &str) -> Result<Self, StoreError> {
        match word.trim().to_lowercase().as_str() {
            "expected" => Ok(Relation::Expected),
            "emerged" => Ok(Relation::Emerged),
            "absent" => Ok(Relation::Absent),
            "reversed" => Ok(Relation::Reversed),
            other => Err(StoreError::Invalid(format!(
                "no relation {other:?}: use expected, emerged, absent or reversed"
            ))),
        }
    }
}

/// A journal entry with its links to codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct JournalEntry {
    /// Its id.
    pub id: i64,
    /// Its GUID (part of the sealed form).
    pub guid: String,
    /// The coder who wrote it.
    pub coder: String,
    /// `note` or `preconception`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// When it was written (RFC 3339, UTC).
    pub written_at: String,
    /// When it was sealed, if it was.
    pub sealed_at: Option<String>,
    /// The seal's SHA-256 hex, if sealed.
    pub content_hash: Option<String>,
    /// The codes linked to it.
    pub links: Vec<JournalLink>,
}

/// A link between a journal entry and a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct JournalLink {
    /// The link's id.
    pub id: i64,
    /// The code's id.
    pub code_id: i64,
    /// The code's name.
    pub code: String,
    /// `expected`, `emerged`, `absent` or `reversed`.
    pub relation: String,
}

/// A sealed entry whose seal does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// The entry's id.
    pub entry: i64,
    /// Its coder.
    pub coder: String,
    /// What does not hold.
    pub reason: String,
    /// The hash stored with the entry.
    pub stored: Option<String>,
    /// The hash of the entry as it is now.
    pub computed: String,
}

/// Returns the seal hash of an entry (see the module docs for the form).
pub fn seal_hash(
    guid: &str,
    kind: &str,
    title: &str,
    body: &str,
    written_at: &str,
    sealed_at: &str,
) -> String {
    let form = serde_json::json!([
        "verbatim-journal-seal/1",
        guid,
        kind,
        title,
        body,
        written_at,
        sealed_at
    ])
    .to_string();
    Sha256::digest(form.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

struct EntryRow {
    coder_id: i64,
    guid: String,
    kind: String,
    title: String,
    body: String,
    written_at: String,
    sealed_at: Option<String>,
}

impl SqliteStore {
    /// Writes a journal entry, dated now, and returns its id.
    pub fn add_entry(
        &mut self,
        scope: &Scope,
        kind: EntryKind,
        title: &str,
        body: &str,
    ) -> Result<i64, StoreError> {
        let title = clean(title, "title")?;
        let body = clean(body, "text")?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let id = rec.insert(
            &tx,
            Table::Journal,
            &[
                ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
                ("coder_id", Value::Integer(scope.coder().id)),
                ("kind", Value::Text(kind.as_str().to_owned())),
                ("title", Value::Text(title.clone())),
                ("body", Value::Text(body)),
                ("written_at", Value::Text(audit::now())),
            ],
        )?;
        rec.finish(
            &tx,
            &scope.coder().name,
            "journal.add",
            Some(&format!("journal:{id}")),
            serde_json::json!({ "kind": kind.as_str(), "title": title }),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Changes the title and/or text of one of the scope's unsealed entries
    /// (`None` keeps a field).
    pub fn edit_entry(
        &mut self,
        scope: &Scope,
        id: i64,
        title: Option<&str>,
        body: Option<&str>,
    ) -> Result<(), StoreError> {
        let row = self.own_entry(scope, id)?;
        unsealed(id, row.sealed_at.as_deref(), "changed")?;
        let (title, body) = entry_edit(title, body)?;
        let mut columns: Vec<(&str, Value)> = Vec::new();
        if let Some(t) = title {
            columns.push(("title", Value::Text(t)));
        }
        if let Some(b) = body {
            columns.push(("body", Value::Text(b)));
        }
        self.act(
            &scope.coder().name,
            "journal.edit",
            &format!("journal:{id}"),
            |tx, rec| {
                rec.update(tx, Table::Journal, id_key(id), &columns)?;
                Ok(((), serde_json::json!({})))
            },
        )
    }

    /// Deletes one of the scope's unsealed entries and its links.
    pub fn delete_entry(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError> {
        let row = self.own_entry(scope, id)?;
        unsealed(id, row.sealed_at.as_deref(), "deleted")?;
        self.act(
            &scope.coder().name,
            "journal.delete",
            &format!("journal:{id}"),
            |tx, rec| {
                let links = "SELECT id FROM journal_links WHERE entry_id = $1";
                rec.delete_ids(tx, Table::JournalLinks, links, [id])?;
                rec.delete(tx, Table::Journal, id_key(id))?;
                Ok(((), serde_json::json!({})))
            },
        )
    }

    /// Seals one of the scope's preconception entries: stores its content
    /// hash and the time, after which it can never change. Recorded in the
    /// audit log; not undoable. Returns the hash.
    pub fn seal(&mut self, scope: &Scope, id: i64) -> Result<String, StoreError> {
        let row = self.own_entry(scope, id)?;
        crate::rules::sealable(id, &row.kind, row.sealed_at.as_deref())?;
        let sealed_at = audit::now();
        let hash = seal_hash(
            &row.guid,
            &row.kind,
            &row.title,
            &row.body,
            &row.written_at,
            &sealed_at,
        );
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        tx.execute(
            "UPDATE journal SET sealed_at = $1, content_hash = $2 WHERE id = $3",
            params![sealed_at, hash, id],
        )?;
        audit::append(
            &tx,
            &scope.coder().name,
            "journal.seal",
            Some(&format!("journal:{id}")),
            &serde_json::json!({ "content_hash": hash, "sealed_at": sealed_at, "guid": row.guid }),
        )?;
        tx.commit()?;
        Ok(hash)
    }

    /// Recomputes every sealed entry's hash (all coders': the check reveals
    /// no content) and returns those that do not match their seal.
    pub fn verify_journal(&self) -> Result<Vec<Mismatch>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT j.id, j.guid, j.kind, j.title, j.body, j.written_at, j.sealed_at, \
                    j.content_hash, c.name \
             FROM journal j JOIN coders c ON c.id = j.coder_id \
             WHERE j.sealed_at IS NOT NULL OR j.content_hash IS NOT NULL ORDER BY j.id",
        )?;
        let rows: Vec<SealedRow> = stmt
            .query_map([], |r| {
                Ok(SealedRow {
                    id: r.get(0)?,
                    guid: r.get(1)?,
                    kind: r.get(2)?,
                    title: r.get(3)?,
                    body: r.get(4)?,
                    written_at: r.get(5)?,
                    sealed_at: r.get(6)?,
                    content_hash: r.get(7)?,
                    coder: r.get(8)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut seals = self.conn.prepare_cached(
            "SELECT data FROM audit WHERE action = 'journal.seal' AND target = $1 ORDER BY id",
        )?;
        let mut out = Vec::new();
        for row in rows {
            let recorded = seals
                .query_map([format!("journal:{}", row.id)], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            out.extend(seal_mismatch(row, &recorded));
        }
        Ok(out)
    }

    /// Links one of the scope's entries to a code it sees (sealed entries
    /// too: links live apart from the entry). Replaces the relation when the
    /// code is already linked. Returns the link's id.
    pub fn link_entry(
        &mut self,
        scope: &Scope,
        entry: i64,
        code: i64,
        relation: Relation,
    ) -> Result<i64, StoreError> {
        self.own_entry(scope, entry)?;
        match self.code_row(code)? {
            Some(row) if scope.may_see(row.owner) => {}
            _ => return Err(StoreError::UnknownCode(code.to_string())),
        }
        let existing: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM journal_links WHERE entry_id = $1 AND code_id = $2",
                [entry, code],
                |r| r.get(0),
            )
            .optional()?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let id = match existing {
            Some(link) => {
                rec.update(
                    &tx,
                    Table::JournalLinks,
                    id_key(link),
                    &[("relation", Value::Text(relation.as_str().to_owned()))],
                )?;
                link
            }
            None => rec.insert(
                &tx,
                Table::JournalLinks,
                &[
                    ("entry_id", Value::Integer(entry)),
                    ("code_id", Value::Integer(code)),
                    ("relation", Value::Text(relation.as_str().to_owned())),
                ],
            )?,
        };
        rec.finish(
            &tx,
            &scope.coder().name,
            "journal.link",
            Some(&format!("journal:{entry}")),
            serde_json::json!({ "code": code, "relation": relation.as_str() }),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Returns the journal entries the scope sees (its own; every coder's
    /// when it sees all layers), oldest first, with their links.
    pub fn entries(&self, scope: &Scope) -> Result<Vec<JournalEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT j.id, j.guid, c.name, j.kind, j.title, j.body, j.written_at, j.sealed_at, \
                    j.content_hash, j.coder_id \
             FROM journal j JOIN coders c ON c.id = j.coder_id ORDER BY j.written_at, j.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let coder_id: i64 = r.get(9)?;
            if !scope.may_see(Some(coder_id)) {
                continue;
            }
            out.push(JournalEntry {
                id: r.get(0)?,
                guid: r.get(1)?,
                coder: r.get(2)?,
                kind: r.get(3)?,
                title: r.get(4)?,
                body: r.get(5)?,
                written_at: r.get(6)?,
                sealed_at: r.get(7)?,
                content_hash: r.get(8)?,
                links: Vec::new(),
            });
        }
        let mut links = self.conn.prepare_cached(
            "SELECT l.id, l.code_id, k.name, l.relation FROM journal_links l \
             JOIN codes k ON k.id = l.code_id WHERE l.entry_id = $1 ORDER BY l.id",
        )?;
        for entry in &mut out {
            entry.links = links
                .query_map([entry.id], |r| {
                    Ok(JournalLink {
                        id: r.get(0)?,
                        code_id: r.get(1)?,
                        code: r.get(2)?,
                        relation: r.get(3)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
        }
        Ok(out)
    }

    /// Returns entry `id` if it belongs to the scope's coder.
    fn own_entry(&self, scope: &Scope, id: i64) -> Result<EntryRow, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT coder_id, guid, kind, title, body, written_at, sealed_at \
                 FROM journal WHERE id = $1",
                [id],
                |r| {
                    Ok(EntryRow {
                        coder_id: r.get(0)?,
                        guid: r.get(1)?,
                        kind: r.get(2)?,
                        title: r.get(3)?,
                        body: r.get(4)?,
                        written_at: r.get(5)?,
                        sealed_at: r.get(6)?,
                    })
                },
            )
            .optional()?;
        crate::rules::own_entry(scope, id, row.as_ref().map(|r| r.coder_id))?;
        row.ok_or_else(|| StoreError::Invalid(format!("no journal entry {id}")))
    }
}

/// Refuses to change (`what`: "changed", "deleted") journal entry `id`
/// once it was sealed (`sealed_at`).
pub fn unsealed(id: i64, sealed_at: Option<&str>, what: &str) -> Result<(), StoreError> {
    match sealed_at {
        Some(at) => Err(StoreError::Invalid(format!(
            "journal entry {id} was sealed on {at} and can never be {what}: write a new entry instead"
        ))),
        None => Ok(()),
    }
}

/// Returns an edit's new title and text, cleaned (`None` keeps a field);
/// refuses an edit that changes nothing.
pub fn entry_edit(
    title: Option<&str>,
    body: Option<&str>,
) -> Result<(Option<String>, Option<String>), StoreError> {
    let title = title.map(|t| clean(t, "title")).transpose()?;
    let body = body.map(|b| clean(b, "text")).transpose()?;
    if title.is_none() && body.is_none() {
        return Err(StoreError::Invalid(
            "nothing to change: give a new title or a new text".into(),
        ));
    }
    Ok((title, body))
}

/// A sealed (or half-sealed) journal entry as verification reads it.
#[derive(Debug, Clone)]
pub struct SealedRow {
    /// The entry's id.
    pub id: i64,
    /// Its coder's name.
    pub coder: String,
    /// Its GUID.
    pub guid: String,
    /// `note` or `preconception`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// When it was written.
    pub written_at: String,
    /// When it was sealed.
    pub sealed_at: Option<String>,
    /// The hash stored with it.
    pub content_hash: Option<String>,
}

/// Returns why a sealed entry's seal does not hold, if it does not: the
/// entry recomputed against its stored hash and against the hashes the
/// audit log's `journal.seal` entries recorded (`recorded`: their data,
/// as JSON text), which must be exactly one.
pub fn seal_mismatch(row: SealedRow, recorded: &[String]) -> Option<Mismatch> {
    let computed = seal_hash(
        &row.guid,
        &row.kind,
        &row.title,
        &row.body,
        &row.written_at,
        row.sealed_at.as_deref().unwrap_or(""),
    );
    let recorded: Vec<String> = recorded
        .iter()
        .filter_map(|data| {
            serde_json::from_str::<serde_json::Value>(data)
                .ok()?
                .get("content_hash")?
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    let reason = if row.sealed_at.is_none() || row.content_hash.is_none() {
        "the seal is incomplete (hash or seal time missing)"
    } else if row.content_hash.as_deref() != Some(computed.as_str()) {
        "the entry no longer matches its seal: it was changed after sealing"
    } else if recorded.len() != 1 || recorded[0] != computed {
        "the seal differs from the one recorded in the audit log when the entry was sealed"
    } else {
        return None;
    };
    Some(Mismatch {
        entry: row.id,
        coder: row.coder,
        reason: reason.to_owned(),
        stored: row.content_hash,
        computed,
    })
}

fn clean(text: &str, what: &str) -> Result<String, StoreError> {
    crate::rules::journal_text(text, what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::fixture;
    use crate::{Book, NewCode};

    #[test]
    fn a_sealed_preconception_cannot_change() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let id = f
            .store
            .add_entry(
                &amira,
                EntryKind::Preconception,
                "Attentes",
                "Je m'attends à de la méfiance.",
            )
            .unwrap();
        f.store
            .edit_entry(
                &amira,
                id,
                None,
                Some("Je m'attends à de la méfiance mutuelle."),
            )
            .unwrap();
        let hash = f.store.seal(&amira, id).unwrap();
        assert_eq!(hash.len(), 64);
        let entry = &f.store.entries(&amira).unwrap()[0];
        assert_eq!(entry.content_hash.as_deref(), Some(hash.as_str()));
        assert_eq!(
            hash,
            seal_hash(
                &entry.guid,
                "preconception",
                "Attentes",
                "Je m'attends à de la méfiance mutuelle.",
                &entry.written_at,
                entry.sealed_at.as_deref().unwrap()
            )
        );

        let err = f
            .store
            .edit_entry(&amira, id, Some("Autre"), None)
            .unwrap_err();
        assert!(err.to_string().contains("sealed"), "{err}");
        let err = f.store.delete_entry(&amira, id).unwrap_err();
        assert!(err.to_string().contains("sealed"), "{err}");
        assert!(f.store.seal(&amira, id).is_err());
        // The triggers refuse too, whatever code asks.
        assert!(
            f.store
                .conn
                .execute("UPDATE journal SET body = 'x' WHERE id = $1", [id])
                .is_err()
        );
        assert!(
            f.store
                .conn
                .execute("DELETE FROM journal WHERE id = $1", [id])
                .is_err()
        );
        // Undo cannot reach past the seal: the edit is refused, nothing changes.
        assert!(f.store.undo("amira", 1).is_err());
        assert_eq!(
            f.store.entries(&amira).unwrap()[0].body,
            "Je m'attends à de la méfiance mutuelle."
        );
        assert!(f.store.verify_journal().unwrap().is_empty());
    }

    #[test]
    fn notes_are_not_sealed_and_entries_are_private() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let note = f
            .store
            .add_entry(&amira, EntryKind::Note, "Jour 1", "Premier entretien.")
            .unwrap();
        let err = f.store.seal(&amira, note).unwrap_err();
        assert!(err.to_string().contains("only preconceptions"), "{err}");
        assert!(f.store.entries(&bruno).unwrap().is_empty());
        assert!(f.store.seal(&bruno, note).is_err());
        f.store.delete_entry(&amira, note).unwrap();
        assert!(f.store.entries(&amira).unwrap().is_empty());
        f.store.undo("amira", 1).unwrap();
        assert_eq!(f.store.entries(&amira).unwrap().len(), 1);
        f.store.reveal("amira").unwrap();
        let bruno_all = f.store.scope("bruno", true, false).unwrap();
        assert_eq!(f.store.entries(&bruno_all).unwrap()[0].coder, "amira");
    }

    #[test]
    fn verify_detects_tampering() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let id = f
            .store
            .add_entry(
                &amira,
                EntryKind::Preconception,
                "Attentes",
                "La confiance sera rare.",
            )
            .unwrap();
        let other = f
            .store
            .add_entry(
                &amira,
                EntryKind::Preconception,
                "Autres",
                "Le contrôle domine.",
            )
            .unwrap();
        f.store.seal(&amira, id).unwrap();
        f.store.seal(&amira, other).unwrap();
        assert!(f.store.verify_journal().unwrap().is_empty());

        let path = f.dir.path().join("s.vbt");
        let evil = rusqlite::Connection::open(&path).unwrap();
        evil.execute_batch(
            "DROP TRIGGER journal_sealed_no_update; \
             UPDATE journal SET body = 'La confiance sera fréquente.' WHERE id = 1;",
        )
        .unwrap();
        let found = f.store.verify_journal().unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].entry, id);
        assert!(found[0].reason.contains("changed after sealing"));

        // Rewriting the stored hash too is caught by the audit log's record.
        let (guid, written, sealed): (String, String, String) = evil
            .query_row(
                "SELECT guid, written_at, sealed_at FROM journal WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        let forged = seal_hash(
            &guid,
            "preconception",
            "Attentes",
            "La confiance sera fréquente.",
            &written,
            &sealed,
        );
        evil.execute(
            "UPDATE journal SET content_hash = $1 WHERE id = 1",
            [&forged],
        )
        .unwrap();
        let found = f.store.verify_journal().unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].reason.contains("audit log"), "{}", found[0].reason);
    }

    #[test]
    fn sealed_entries_can_still_be_linked_to_codes() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let code = f
            .store
            .add_code(
                &amira,
                &NewCode {
                    name: "Méfiance".into(),
                    book: Some(Book::Own),
                    ..NewCode::default()
                },
            )
            .unwrap();
        let id = f
            .store
            .add_entry(
                &amira,
                EntryKind::Preconception,
                "Attentes",
                "De la méfiance.",
            )
            .unwrap();
        f.store.seal(&amira, id).unwrap();
        f.store
            .link_entry(&amira, id, code, Relation::Expected)
            .unwrap();
        f.store
            .link_entry(&amira, id, code, Relation::Absent)
            .unwrap();
        let links = &f.store.entries(&amira).unwrap()[0].links;
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].relation, "absent");
        assert_eq!(links[0].code, "Méfiance");
        f.store.undo("amira", 1).unwrap();
        assert_eq!(
            f.store.entries(&amira).unwrap()[0].links[0].relation,
            "expected"
        );
        f.store.undo("amira", 1).unwrap();
        assert!(f.store.entries(&amira).unwrap()[0].links.is_empty());
        f.store.redo("amira", 1).unwrap();
        assert_eq!(f.store.entries(&amira).unwrap()[0].links.len(), 1);
        // Bruno cannot link Amira's entry, nor link to her private code.
        assert!(
            f.store
                .link_entry(&bruno, id, code, Relation::Emerged)
                .is_err()
        );
        let own = f
            .store
            .add_entry(&bruno, EntryKind::Note, "n", "b")
            .unwrap();
        assert!(matches!(
            f.store.link_entry(&bruno, own, code, Relation::Emerged),
            Err(StoreError::UnknownCode(_))
        ));
        assert!(f.store.verify_journal().unwrap().is_empty());
    }
}
