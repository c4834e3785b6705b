//! Memos: the analyst's free-text notes on the study, a source, a
//! participant, a code or a coding.
//!
//! Memos are part of a coder's layer, so they follow the same blind rule as
//! codings: a coder sees their own memos and the comments imported with the
//! documents (which belong to no coder), and other coders' memos only through
//! a [`Scope`] that sees every layer (study revealed, or solo mode). Every
//! change goes through the history [`Recorder`], so it can be undone.
//!
//! A memo on a source is stored with `target_id` (not `source_id`): the
//! `source_id` and char columns are the anchor of a passage memo, such as an
//! imported Word comment, which source edits shift and `verbatim show`
//! displays.

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::coders::Scope;
use crate::history::{Recorder, Table, id_key};
use crate::{SqliteStore, StoreError, audit};

/// What a memo is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoTarget {
    /// The study as a whole.
    Study,
    /// A source, by id.
    Source(i64),
    /// A participant, by their pseudonymous code (`CSI-2`).
    Participant(String),
    /// A code, by id.
    Code(i64),
    /// A coding, by id.
    Coding(i64),
}

impl MemoTarget {
    /// Returns the word stored in `memos.target_kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            MemoTarget::Study => "study",
            MemoTarget::Source(_) => "source",
            MemoTarget::Participant(_) => "participant",
            MemoTarget::Code(_) => "code",
            MemoTarget::Coding(_) => "coding",
        }
    }

    /// Returns the id stored in `memos.target_id`, if any.
    pub fn id(&self) -> Option<i64> {
        match self {
            MemoTarget::Source(id) | MemoTarget::Code(id) | MemoTarget::Coding(id) => Some(*id),
            MemoTarget::Study | MemoTarget::Participant(_) => None,
        }
    }

    /// Returns the words stored in `memos.target_label`, if any.
    pub fn label(&self) -> Option<&str> {
        match self {
            MemoTarget::Participant(code) => Some(code),
            _ => None,
        }
    }
}

/// A memo as listings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Memo {
    /// Its id.
    pub id: i64,
    /// What it is about: `study`, `source`, `participant`, `code`, `coding`,
    /// or `passage` for an anchored comment imported with a document.
    pub target_kind: String,
    /// The id of the source, code or coding it is about.
    pub target_id: Option<i64>,
    /// The target in words: a source or code name, a participant code.
    pub target_label: Option<String>,
    /// The source of an anchored passage memo.
    pub source_id: Option<i64>,
    /// First char of the anchored passage.
    pub start: Option<i64>,
    /// Char just past the anchored passage.
    pub end: Option<i64>,
    /// Its title.
    pub title: Option<String>,
    /// Who wrote it (the coder, or the author an imported comment names).
    pub author: Option<String>,
    /// The coder whose layer holds it; `None` for imported comments.
    pub coder: Option<String>,
    /// When it was written.
    pub written_at: Option<String>,
    /// Its text.
    pub body: String,
    /// Where it came from: `user`, or `document-comment`.
    pub origin: String,
}

/// Which memos to list.
#[derive(Debug, Clone, Default)]
pub struct MemoFilter {
    /// Only memos whose target is of this kind (`source`, `code`…).
    pub target_kind: Option<String>,
    /// Only memos about this target (for a source, passage memos in it too).
    pub target: Option<MemoTarget>,
    /// Only memos whose title or text contains this, ignoring case and
    /// accents.
    pub text: Option<String>,
}

impl SqliteStore {
    /// Writes a memo in the scope's layer and returns its id.
    pub fn add_memo(
        &mut self,
        scope: &Scope,
        target: &MemoTarget,
        title: Option<&str>,
        body: &str,
    ) -> Result<i64, StoreError> {
        let body = clean_body(body)?;
        let title = clean_title(title);
        self.check_memo_target(scope, target)?;
        let now = audit::now();
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let id = rec.insert(
            &tx,
            Table::Memos,
            &[
                ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
                ("target_kind", Value::Text(target.kind().to_owned())),
                ("target_id", target.id().map_or(Value::Null, Value::Integer)),
                (
                    "target_label",
                    target
                        .label()
                        .map_or(Value::Null, |l| Value::Text(l.to_owned())),
                ),
                ("title", title.clone().map_or(Value::Null, Value::Text)),
                ("author", Value::Text(scope.coder().name.clone())),
                ("coder_id", Value::Integer(scope.coder().id)),
                ("written_at", Value::Text(now.clone())),
                ("body", Value::Text(body)),
                ("origin", Value::Text("user".into())),
                ("created_at", Value::Text(now)),
            ],
        )?;
        rec.finish(
            &tx,
            &scope.coder().name,
            "memo.add",
            Some(&format!("memo:{id}")),
            serde_json::json!({ "on": target.kind(), "target": target.id(), "label": target.label(), "title": title }),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Changes the title and/or text of one of the scope's own memos
    /// (`None` keeps a field; an empty title clears it).
    pub fn edit_memo(
        &mut self,
        scope: &Scope,
        id: i64,
        title: Option<&str>,
        body: Option<&str>,
    ) -> Result<(), StoreError> {
        let edit = memo_edit(title, body)?;
        self.own_memo(scope, id)?;
        let mut columns: Vec<(&str, Value)> = Vec::new();
        if let Some(t) = edit.title {
            columns.push(("title", t.map_or(Value::Null, Value::Text)));
        }
        if let Some(b) = edit.body {
            columns.push(("body", Value::Text(b)));
        }
        columns.push(("written_at", Value::Text(audit::now())));
        self.act(
            &scope.coder().name,
            "memo.edit",
            &format!("memo:{id}"),
            |tx, rec| {
                rec.update(tx, Table::Memos, id_key(id), &columns)?;
                Ok(((), serde_json::json!({})))
            },
        )
    }

    /// Deletes one of the scope's own memos.
    pub fn delete_memo(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError> {
        self.own_memo(scope, id)?;
        self.act(
            &scope.coder().name,
            "memo.delete",
            &format!("memo:{id}"),
            |tx, rec| {
                rec.delete(tx, Table::Memos, id_key(id))?;
                Ok(((), serde_json::json!({})))
            },
        )
    }

    /// Returns the memos the scope sees that match the filter, oldest first.
    pub fn memos(&self, scope: &Scope, filter: &MemoFilter) -> Result<Vec<Memo>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, m.target_kind, m.target_id, m.target_label, m.source_id, m.start_char, \
                    m.end_char, m.title, m.author, m.coder_id, d.name, m.written_at, m.body, \
                    m.origin, s.name, k.name \
             FROM memos m LEFT JOIN coders d ON d.id = m.coder_id \
             LEFT JOIN sources s ON s.id = COALESCE(m.source_id, \
                 CASE WHEN m.target_kind = 'source' THEN m.target_id END) \
             LEFT JOIN codes k ON m.target_kind = 'code' AND k.id = m.target_id \
             ORDER BY m.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let coder_id: Option<i64> = r.get(9)?;
            if !scope.may_see(coder_id) {
                continue;
            }
            let kind: String = r.get(1)?;
            let target_id: Option<i64> = r.get(2)?;
            let label: Option<String> = r.get(3)?;
            let source_id: Option<i64> = r.get(4)?;
            let source_name: Option<String> = r.get(14)?;
            let code_name: Option<String> = r.get(15)?;
            let memo = Memo {
                id: r.get(0)?,
                target_label: target_label(&kind, target_id, label, code_name, source_name),
                target_kind: kind,
                target_id,
                source_id,
                start: r.get(5)?,
                end: r.get(6)?,
                title: r.get(7)?,
                author: r.get(8)?,
                coder: r.get(10)?,
                written_at: r.get(11)?,
                body: r.get(12)?,
                origin: r.get(13)?,
            };
            if filter.keeps(&memo) {
                out.push(memo);
            }
        }
        Ok(out)
    }

    /// Checks that the target exists and that the scope may write about it.
    fn check_memo_target(&self, scope: &Scope, target: &MemoTarget) -> Result<(), StoreError> {
        let sql = match target {
            MemoTarget::Study | MemoTarget::Participant(_) => None,
            MemoTarget::Source(_) => Some("SELECT NULL FROM sources WHERE id = $1"),
            MemoTarget::Code(_) => Some("SELECT owner FROM codes WHERE id = $1"),
            MemoTarget::Coding(_) => Some("SELECT coder_id FROM codings WHERE id = $1"),
        };
        let found: Option<Option<i64>> = match (sql, target.id()) {
            (Some(sql), Some(id)) => self.conn.query_row(sql, [id], |r| r.get(0)).optional()?,
            _ => None,
        };
        check_target(scope, target, found)
    }

    /// Checks that memo `id` exists and belongs to the scope's coder.
    fn own_memo(&self, scope: &Scope, id: i64) -> Result<(), StoreError> {
        let row: Option<(Option<i64>, String)> = self
            .conn
            .query_row(
                "SELECT coder_id, origin FROM memos WHERE id = $1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        own_memo(scope, id, row)
    }
}

/// A memo edit's new fields, cleaned: `None` keeps a field; a title of
/// `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoEdit {
    /// The new title, if it changes.
    pub title: Option<Option<String>>,
    /// The new text, if it changes.
    pub body: Option<String>,
}

/// Returns a memo edit's fields cleaned (an empty title clears it);
/// refuses an edit that changes nothing and an empty text.
pub fn memo_edit(title: Option<&str>, body: Option<&str>) -> Result<MemoEdit, StoreError> {
    if title.is_none() && body.is_none() {
        return Err(StoreError::Invalid(
            "nothing to change: give a new title or a new text".into(),
        ));
    }
    Ok(MemoEdit {
        title: title.map(|t| clean_title(Some(t))),
        body: body.map(clean_body).transpose()?,
    })
}

/// Checks that memo `id` (`row`: its coder and origin, `None` when there
/// is none) is the scope's coder's own, so they may change or delete it.
pub fn own_memo(
    scope: &Scope,
    id: i64,
    row: Option<(Option<i64>, String)>,
) -> Result<(), StoreError> {
    match row {
        Some((Some(c), _)) if c == scope.coder().id => Ok(()),
        Some((None, origin)) => Err(StoreError::Invalid(format!(
            "memo {id} was imported with its document ({origin}): it cannot be changed, write your own memo instead"
        ))),
        Some((coder, _)) if scope.may_see(coder) => Err(StoreError::Invalid(format!(
            "memo {id} belongs to another coder: only its author can change it"
        ))),
        _ => Err(StoreError::Invalid(format!(
            "no memo {id} among yours: list them with `verbatim memo list`"
        ))),
    }
}

/// Returns true when `memo` is about `target`.
fn is_about(memo: &Memo, target: &MemoTarget) -> bool {
    match target {
        MemoTarget::Study => memo.target_kind == "study",
        MemoTarget::Participant(code) => {
            memo.target_kind == "participant" && memo.target_label.as_deref() == Some(code.trim())
        }
        MemoTarget::Source(id) => {
            (memo.target_kind == "source" && memo.target_id == Some(*id))
                || (memo.target_kind == "passage" && memo.source_id == Some(*id))
        }
        MemoTarget::Code(_) | MemoTarget::Coding(_) => {
            memo.target_kind == target.kind() && memo.target_id == target.id()
        }
    }
}

impl MemoFilter {
    /// Returns true when the filter keeps `memo`: its kind, its target (a
    /// source's passage memos included), its title or text containing the
    /// words asked ignoring case and accents.
    pub fn keeps(&self, memo: &Memo) -> bool {
        if self
            .target_kind
            .as_ref()
            .is_some_and(|k| &memo.target_kind != k)
        {
            return false;
        }
        if self.target.as_ref().is_some_and(|t| !is_about(memo, t)) {
            return false;
        }
        match self.text.as_deref().map(fold).filter(|t| !t.is_empty()) {
            Some(wanted) => {
                let haystack = format!("{}\n{}", memo.title.as_deref().unwrap_or(""), memo.body);
                fold(&haystack).contains(wanted.as_str())
            }
            None => true,
        }
    }
}

/// Checks a memo's target against what the study holds: `found` is the
/// target's row when it exists (`None` when it does not), holding the
/// owner of a code or the coder of a coding; the scope must see it.
pub fn check_target(
    scope: &Scope,
    target: &MemoTarget,
    found: Option<Option<i64>>,
) -> Result<(), StoreError> {
    match target {
        MemoTarget::Study => Ok(()),
        MemoTarget::Source(id) => found
            .map(|_| ())
            .ok_or_else(|| StoreError::SourceNotFound(id.to_string())),
        MemoTarget::Participant(code) => {
            if code.trim().is_empty() {
                Err(StoreError::Invalid(
                    "name the participant by their code, e.g. participant:CSI-2".into(),
                ))
            } else {
                Ok(())
            }
        }
        MemoTarget::Code(id) => match found {
            Some(owner) if scope.may_see(owner) => Ok(()),
            _ => Err(StoreError::UnknownCode(id.to_string())),
        },
        MemoTarget::Coding(id) => match found {
            Some(coder) if scope.may_see(coder) => Ok(()),
            _ => Err(StoreError::Invalid(format!(
                "no coding {id} among those you can see: list them with `verbatim coding list`"
            ))),
        },
    }
}

/// Returns a memo's target in words: the participant code it keeps, else
/// the code's or the source's name, else `coding N`.
pub fn target_label(
    kind: &str,
    target_id: Option<i64>,
    label: Option<String>,
    code_name: Option<String>,
    source_name: Option<String>,
) -> Option<String> {
    label
        .or(code_name)
        .or(source_name)
        .or_else(|| (kind == "coding").then(|| format!("coding {}", target_id.unwrap_or(0))))
}

/// Returns a memo's text trimmed and in NFC; refuses it empty.
pub fn clean_body(body: &str) -> Result<String, StoreError> {
    let body: String = body.trim().nfc().collect();
    if body.is_empty() {
        return Err(StoreError::Invalid("the memo's text is empty".into()));
    }
    crate::boundary::rules::storable(&body, "the memo's text")?;
    Ok(body)
}

/// Returns a memo's title trimmed, in NFC and without NUL (`verbatim_core::storable`); `None` when empty.
pub fn clean_title(title: Option<&str>) -> Option<String> {
    title
        .map(|t| {
            verbatim_core::storable::without_nul(t.trim())
                .nfc()
                .collect::<String>()
        })
        .filter(|t| !t.is_empty())
}

/// Returns `text` folded for searching: lower case, accents removed
/// (`Méfiance` and `mefiance` fold alike).
pub(crate) fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::fixture;
    use crate::{Book, NewCode};

    #[test]
    fn memos_are_blind_until_the_study_is_revealed() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let a = f
            .store
            .add_memo(
                &amira,
                &MemoTarget::Study,
                Some("Première"),
                "Les soignants parlent de Méfiance.",
            )
            .unwrap();
        f.store
            .add_memo(
                &bruno,
                &MemoTarget::Source(f.source),
                None,
                "Entretien riche.",
            )
            .unwrap();
        f.store
            .add_memo(
                &bruno,
                &MemoTarget::Participant("CSI-2".into()),
                None,
                "Parle vite.",
            )
            .unwrap();

        let mine = f.store.memos(&amira, &MemoFilter::default()).unwrap();
        let kinds: Vec<&str> = mine.iter().map(|m| m.target_kind.as_str()).collect();
        // Amira sees her memo and the imported comment, not Bruno's memos.
        assert_eq!(kinds, vec!["passage", "study"]);
        assert_eq!(mine[1].id, a);
        assert_eq!(mine[1].coder.as_deref(), Some("amira"));
        assert_eq!(mine[0].origin, "document-comment");
        assert_eq!(mine[0].target_label.as_deref(), Some("entretien"));

        assert!(matches!(
            f.store.scope("amira", true, false),
            Err(StoreError::Blind)
        ));
        // Bruno can neither see nor change Amira's memo.
        let err = f.store.edit_memo(&bruno, a, None, Some("x")).unwrap_err();
        assert!(err.to_string().contains("no memo"), "{err}");
        assert!(f.store.delete_memo(&bruno, a).is_err());

        f.store.reveal("amira").unwrap();
        let all = f.store.scope("amira", true, false).unwrap();
        let every = f.store.memos(&all, &MemoFilter::default()).unwrap();
        assert_eq!(every.len(), 4);
        let participant = f
            .store
            .memos(
                &all,
                &MemoFilter {
                    target: Some(MemoTarget::Participant("CSI-2".into())),
                    ..MemoFilter::default()
                },
            )
            .unwrap();
        assert_eq!(participant.len(), 1);
        assert_eq!(participant[0].coder.as_deref(), Some("bruno"));
        let on_source = f
            .store
            .memos(
                &all,
                &MemoFilter {
                    target: Some(MemoTarget::Source(f.source)),
                    ..MemoFilter::default()
                },
            )
            .unwrap();
        assert_eq!(
            on_source.len(),
            2,
            "the source memo and the anchored comment"
        );
        // Even revealed, only the author may change a memo.
        let bruno_all = f.store.scope("bruno", true, false).unwrap();
        let err = f.store.delete_memo(&bruno_all, a).unwrap_err();
        assert!(err.to_string().contains("another coder"), "{err}");
    }

    #[test]
    fn search_ignores_case_and_accents() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        f.store
            .add_memo(
                &amira,
                &MemoTarget::Study,
                Some("Été"),
                "La MÉFIANCE domine.",
            )
            .unwrap();
        f.store
            .add_memo(&amira, &MemoTarget::Study, None, "Rien à voir.")
            .unwrap();
        let found = |text: &str| {
            f.store
                .memos(
                    &amira,
                    &MemoFilter {
                        text: Some(text.into()),
                        target_kind: Some("study".into()),
                        ..MemoFilter::default()
                    },
                )
                .unwrap()
                .len()
        };
        assert_eq!(found("mefiance"), 1);
        assert_eq!(found("Méfiance"), 1);
        assert_eq!(found("ete"), 1);
        assert_eq!(found("absent"), 0);
    }

    #[test]
    fn memos_on_codes_and_codings_edit_delete_and_undo() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let code = f
            .store
            .add_code(
                &amira,
                &NewCode {
                    name: "Confiance".into(),
                    book: Some(Book::Own),
                    ..NewCode::default()
                },
            )
            .unwrap();
        let (coding, _) = f
            .store
            .add_coding(
                &amira,
                f.source,
                crate::testkit::span_of("La confiance"),
                code,
                None,
            )
            .unwrap();
        // Bruno cannot write about Amira's private code or coding.
        assert!(matches!(
            f.store.add_memo(&bruno, &MemoTarget::Code(code), None, "x"),
            Err(StoreError::UnknownCode(_))
        ));
        assert!(
            f.store
                .add_memo(&bruno, &MemoTarget::Coding(coding), None, "x")
                .is_err()
        );
        let on_code = f
            .store
            .add_memo(
                &amira,
                &MemoTarget::Code(code),
                Some("Déf"),
                "Relation de confiance.",
            )
            .unwrap();
        f.store
            .add_memo(&amira, &MemoTarget::Coding(coding), None, "Très net.")
            .unwrap();
        let listed = f
            .store
            .memos(
                &amira,
                &MemoFilter {
                    target: Some(MemoTarget::Code(code)),
                    ..MemoFilter::default()
                },
            )
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].target_label.as_deref(), Some("Confiance"));

        f.store
            .edit_memo(
                &amira,
                on_code,
                Some(""),
                Some("Relation de confiance durable."),
            )
            .unwrap();
        let memo = |store: &SqliteStore| {
            store
                .memos(&amira, &MemoFilter::default())
                .unwrap()
                .into_iter()
                .find(|m| m.id == on_code)
        };
        let edited = memo(&f.store).unwrap();
        assert_eq!(edited.title, None);
        assert_eq!(edited.body, "Relation de confiance durable.");
        f.store.undo("amira", 1).unwrap();
        assert_eq!(memo(&f.store).unwrap().body, "Relation de confiance.");
        f.store.delete_memo(&amira, on_code).unwrap();
        assert!(memo(&f.store).is_none());
        f.store.undo("amira", 1).unwrap();
        assert_eq!(memo(&f.store).unwrap().title.as_deref(), Some("Déf"));
        // Imported comments are nobody's to change.
        let comment = f
            .store
            .memos(&amira, &MemoFilter::default())
            .unwrap()
            .into_iter()
            .find(|m| m.origin == "document-comment")
            .unwrap();
        let err = f.store.delete_memo(&amira, comment.id).unwrap_err();
        assert!(err.to_string().contains("imported"), "{err}");
        assert!(
            f.store
                .add_memo(&amira, &MemoTarget::Study, None, "  ")
                .is_err()
        );
    }
}
