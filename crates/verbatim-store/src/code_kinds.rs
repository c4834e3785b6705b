//! Whether a code is analysis or structure.
//!
//! A theme, a sub-theme or an idea is *analytic*: it says what the
//! participants meant. An interview-guide question applied by `guide
//! autocode` is *structural*: it says where in the interview a passage
//! sits. Both stay usable in queries and matrices, but only analytic codes
//! are results: triangulation, IPA tables, prevalence and confrontation
//! leave structural codes out unless asked for, and a source counts as
//! coded only through analytic codings (`coded_by`). This module changes a
//! code's kind, one undoable action at a time.

use rusqlite::types::Value;

use crate::history::{Table, id_key};
use crate::{CodeKind, Scope, SqliteStore, StoreError};

impl SqliteStore {
    /// Returns the kind of code `id`.
    pub fn code_kind(&self, id: i64) -> Result<CodeKind, StoreError> {
        use rusqlite::OptionalExtension;
        let kind: Option<String> = self
            .conn
            .query_row("SELECT kind FROM codes WHERE id = $1", [id], |r| r.get(0))
            .optional()?;
        kind.map(|k| CodeKind::from_db(&k))
            .ok_or_else(|| StoreError::UnknownCode(id.to_string()))
    }

    /// Makes code `id` (in the scope's codebook or the shared one)
    /// analytic or structural. One undoable action; returns false, writing
    /// nothing, when the code already has that kind.
    pub fn set_code_kind(
        &mut self,
        scope: &Scope,
        id: i64,
        kind: CodeKind,
    ) -> Result<bool, StoreError> {
        let row = self.writable(scope, id)?;
        let before = self.code_kind(id)?;
        if before == kind {
            return Ok(false);
        }
        self.act(
            &scope.coder().name,
            "code.kind",
            &format!("code:{id}"),
            |tx, rec| {
                rec.update(
                    tx,
                    Table::Codes,
                    id_key(id),
                    &[("kind", Value::Text(kind.as_str().to_owned()))],
                )?;
                Ok((
                    (),
                    serde_json::json!({
                        "name": row.name,
                        "from": before.as_str(),
                        "to": kind.as_str(),
                    }),
                ))
            },
        )?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::fixture;
    use crate::{Book, CodeKind, NewCode, StoreError};

    #[test]
    fn a_code_changes_kind_in_one_undoable_action() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let code = f
            .store
            .add_code(
                &amira,
                &NewCode {
                    name: "Q1. Parcours".into(),
                    book: Some(Book::Own),
                    ..NewCode::default()
                },
            )
            .unwrap();
        assert_eq!(f.store.code_kind(code).unwrap(), CodeKind::Analytic);
        assert!(
            f.store
                .set_code_kind(&amira, code, CodeKind::Structural)
                .unwrap()
        );
        assert!(
            !f.store
                .set_code_kind(&amira, code, CodeKind::Structural)
                .unwrap()
        );
        assert_eq!(f.store.code_kind(code).unwrap(), CodeKind::Structural);
        let tree = f.store.code_tree(&amira, Book::Own).unwrap();
        assert_eq!(tree[0].kind, CodeKind::Structural);
        // A colleague's blind code is unknown to bruno, not changed.
        assert!(matches!(
            f.store.set_code_kind(&bruno, code, CodeKind::Analytic),
            Err(StoreError::UnknownCode(_))
        ));
        f.store.undo("amira", 1).unwrap();
        assert_eq!(f.store.code_kind(code).unwrap(), CodeKind::Analytic);
    }
}
