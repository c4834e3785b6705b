//! Reconciliation: building the team's consensus from the coders' work.
//!
//! Once blind coding is over and the study revealed, the team compares the
//! coders' trees (alignment, in `verbatim-analysis`) and decides, node by
//! node and passage by passage, what the consensus holds: the shared
//! codebook (owned by no coder) and its passages, which are codings of the
//! study's consensus coder (`coders.kind = 'consensus'`), each remembering
//! which coders' passages it came from (`consensus_origins`, see
//! [`union`]). Each decision ([`decide`]) is one undoable action (through
//! [`SqliteStore::act`] and the history recorder) that also writes a row
//! of `reconciliation_decisions` saying who decided, when and why, and rows
//! of `reconciliation_origins` saying which coders' codes the decision came
//! from. So the consensus keeps its provenance, the decisions can be listed
//! for the methods section, and a decision taken too fast can be undone.
//!
//! Every read here compares layers, so it needs a [`Scope`] that sees every
//! layer (revealed or solo); the blind check lives here, not in the CLI.

mod decide;
mod union;

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::Serialize;
use verbatim_core::{OffsetTable, Span};

use crate::coders::Scope;
use crate::codes::{Book, opt_int, opt_text};
use crate::history::{Recorder, Table};
use crate::{SqliteStore, StoreError, audit};

/// A coded passage, as comparisons read it (no text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodedSpan {
    /// The code.
    pub code: i64,
    /// The source.
    pub source: i64,
    /// First char.
    pub start: usize,
    /// Char past the end.
    pub end: usize,
}

/// What a reconciliation decision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// A coder's node (and maybe its subtree) was copied to the shared codebook.
    Accept,
    /// Coders' matched nodes became one consensus code, or joined one.
    Merge,
    /// A divergent node stays its coder's, with a note saying why.
    Keep,
    /// A disagreement passage was coded in the consensus layer.
    PassageAccept,
    /// A disagreement passage was left out of the consensus layer.
    PassageReject,
}

impl DecisionKind {
    /// Returns the kind as stored (`accept`, `passage_reject`…).
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Accept => "accept",
            DecisionKind::Merge => "merge",
            DecisionKind::Keep => "keep",
            DecisionKind::PassageAccept => "passage_accept",
            DecisionKind::PassageReject => "passage_reject",
        }
    }

    /// Returns the kind stored as `s`; an unknown word is a corrupt study.
    pub fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "accept" => DecisionKind::Accept,
            "merge" => DecisionKind::Merge,
            "keep" => DecisionKind::Keep,
            "passage_accept" => DecisionKind::PassageAccept,
            "passage_reject" => DecisionKind::PassageReject,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown reconciliation decision {other:?}"
                )));
            }
        })
    }
}

/// Whether a disagreement passage goes into the consensus layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Code it in the consensus layer, with a shared code.
    Accept,
    /// Leave it out.
    Reject,
}

/// A coder's code a decision came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Origin {
    /// The coder's code id (it may since have been deleted).
    pub code_id: i64,
    /// Its name when the decision was taken.
    pub code_name: String,
    /// The coder owning it.
    pub coder: Option<String>,
    /// The shared code made from it, if any.
    pub shared_code: Option<i64>,
}

/// One reconciliation decision, as `reconcile list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Decision {
    /// Its id.
    pub id: i64,
    /// What it did.
    pub kind: DecisionKind,
    /// Who decided.
    pub coder: String,
    /// When (ISO 8601).
    pub decided_at: String,
    /// Why, in the coder's words.
    pub note: Option<String>,
    /// The shared code made or used.
    pub shared_code: Option<i64>,
    /// That shared code's current name (`None` once deleted).
    pub shared_name: Option<String>,
    /// The passage's source, for passage decisions.
    pub source_id: Option<i64>,
    /// The passage's first char.
    pub start: Option<i64>,
    /// The passage's end.
    pub end: Option<i64>,
    /// The shared coding made, for an accepted passage.
    pub coding_id: Option<i64>,
    /// The coders' codes the decision came from.
    pub origins: Vec<Origin>,
}

/// A passage with the text around it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Excerpt {
    /// The source's name.
    pub source: String,
    /// Up to `context` chars before the passage.
    pub before: String,
    /// The passage.
    pub text: String,
    /// Up to `context` chars after it.
    pub after: String,
}

/// A coder's code the team kept apart from the consensus (`reconcile
/// keep`), as a report's "divergences" section prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Divergence {
    /// The keep decision's id.
    pub decision: i64,
    /// The code's name when it was kept apart.
    pub code: String,
    /// The coder whose code it is (`None` once that coder is gone).
    pub held_by: Option<String>,
    /// Who decided.
    pub decided_by: String,
    /// When (ISO 8601).
    pub decided_at: String,
    /// Why, in the team's words (a keep always has one).
    pub note: String,
}

/// A code to copy: `(id, name, level, parents in the copied set, position)`.
type CopyRow = (i64, String, i64, Vec<i64>, i64);

impl SqliteStore {
    fn comparing(scope: &Scope) -> Result<(), StoreError> {
        if scope.sees_all() {
            Ok(())
        } else {
            Err(StoreError::Blind)
        }
    }

    /// Returns the passages `coder` coded with codes of `book` (their own
    /// codebook with `Book::Of`, or the shared one). Needs a scope that sees
    /// every layer.
    pub fn coded_spans(
        &self,
        scope: &Scope,
        coder: i64,
        book: Book,
    ) -> Result<Vec<CodedSpan>, StoreError> {
        Self::comparing(scope)?;
        let owner = match book {
            Book::Own => scope.coder().id,
            Book::Shared => 0,
            Book::Of(c) => c,
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT k.code_id, k.source_id, k.start_char, k.end_char FROM codings k \
             JOIN codes c ON c.id = k.code_id WHERE k.coder_id = $1 AND IFNULL(c.owner, 0) = $2",
        )?;
        let rows = stmt.query_map([coder, owner], span_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the passages `coder` coded with `code` or any code below it.
    /// Needs a scope that sees every layer.
    pub fn passages_of(
        &self,
        scope: &Scope,
        coder: i64,
        code: i64,
    ) -> Result<Vec<CodedSpan>, StoreError> {
        Self::comparing(scope)?;
        let mut codes: Vec<i64> = self.descendants(code)?.into_iter().collect();
        codes.push(code);
        let mut stmt = self.conn.prepare_cached(
            "SELECT code_id, source_id, start_char, end_char FROM codings \
             WHERE coder_id = $1 AND code_id = $2",
        )?;
        let mut out = Vec::new();
        for c in codes {
            let rows = stmt.query_map([coder, c], span_row)?;
            for row in rows {
                out.push(row?);
            }
        }
        out.sort_by_key(|s| (s.source, s.start, s.end, s.code));
        Ok(out)
    }

    /// Returns passages of one source with up to `context` chars either
    /// side, in the order given (the source's text is read once).
    pub fn excerpts(
        &self,
        source: i64,
        spans: &[(usize, usize)],
        context: usize,
    ) -> Result<Vec<Excerpt>, StoreError> {
        let name: String = self
            .conn
            .query_row("SELECT name FROM sources WHERE id = $1", [source], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
        let (text, table) = self.text_of(source)?;
        cut_excerpts(&name, &text, &table, spans, context)
    }

    /// Returns every reconciliation decision, oldest first. Needs a scope
    /// that sees every layer.
    pub fn decisions(&self, scope: &Scope) -> Result<Vec<Decision>, StoreError> {
        Self::comparing(scope)?;
        let mut stmt = self.conn.prepare(
            "SELECT r.id, r.kind, d.name, r.decided_at, r.note, r.shared_code, c.name, \
                    r.source_id, r.start_char, r.end_char, r.coding_id \
             FROM reconciliation_decisions r JOIN coders d ON d.id = r.coder_id \
             LEFT JOIN codes c ON c.id = r.shared_code ORDER BY r.id",
        )?;
        let rows: Vec<(Decision, String)> = stmt
            .query_map([], |r| {
                Ok((
                    Decision {
                        id: r.get(0)?,
                        kind: DecisionKind::Accept,
                        coder: r.get(2)?,
                        decided_at: r.get(3)?,
                        note: r.get(4)?,
                        shared_code: r.get(5)?,
                        shared_name: r.get(6)?,
                        source_id: r.get(7)?,
                        start: r.get(8)?,
                        end: r.get(9)?,
                        coding_id: r.get(10)?,
                        origins: Vec::new(),
                    },
                    r.get(1)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut origins = self.conn.prepare(
            "SELECT o.code_id, o.code_name, d.name, o.shared_code FROM reconciliation_origins o \
             LEFT JOIN coders d ON d.id = o.owner WHERE o.decision_id = $1 ORDER BY o.id",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for (mut decision, kind) in rows {
            decision.kind = DecisionKind::parse(&kind)?;
            decision.origins = origins
                .query_map([decision.id], |r| {
                    Ok(Origin {
                        code_id: r.get(0)?,
                        code_name: r.get(1)?,
                        coder: r.get(2)?,
                        shared_code: r.get(3)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            out.push(decision);
        }
        Ok(out)
    }

    /// Returns the codes kept apart from the consensus, oldest decision
    /// first, with the note saying why. Needs no scope: a keep decision
    /// exists only once the layers were compared, and it names the code,
    /// not its passages.
    pub fn divergences(&self) -> Result<Vec<Divergence>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, o.code_name, h.name, d.name, r.decided_at, IFNULL(r.note, '') \
             FROM reconciliation_decisions r JOIN coders d ON d.id = r.coder_id \
             JOIN reconciliation_origins o ON o.decision_id = r.id \
             LEFT JOIN coders h ON h.id = o.owner \
             WHERE r.kind = 'keep' ORDER BY r.id, o.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Divergence {
                decision: r.get(0)?,
                code: r.get(1)?,
                held_by: r.get(2)?,
                decided_by: r.get(3)?,
                decided_at: r.get(4)?,
                note: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns a code of a coder's own codebook, refusing shared codes.
    fn coder_code(&self, id: i64) -> Result<crate::codes::CodeRow, StoreError> {
        let row = self
            .code_row(id)?
            .ok_or_else(|| StoreError::UnknownCode(id.to_string()))?;
        if row.owner.is_none() {
            return Err(crate::rules::already_shared(&row.name));
        }
        Ok(row)
    }

    /// Returns the level of the shared parent `under`, checking it is shared.
    fn shared_parent(&self, under: Option<i64>) -> Result<Option<i64>, StoreError> {
        let Some(p) = under else { return Ok(None) };
        let row = self
            .code_row(p)?
            .ok_or_else(|| StoreError::UnknownCode(p.to_string()))?;
        if row.owner.is_some() {
            return Err(crate::rules::not_shared(
                &row.name,
                "--under names a shared code",
            ));
        }
        Ok(Some(row.level))
    }

    /// Returns true when a shared code under `under` (the top when `None`)
    /// is called `name`: names are unique among siblings.
    fn shared_name_taken(&self, name: &str, under: Option<i64>) -> Result<bool, StoreError> {
        Ok(self.sibling_named(None, under, name)?.is_some())
    }

    fn shared_children(&self, under: Option<i64>) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM codes WHERE owner IS NULL AND IFNULL(parent, 0) = $1",
            [under.unwrap_or(0)],
            |r| r.get(0),
        )?)
    }

    fn coder_name(&self, id: Option<i64>) -> Result<Option<String>, StoreError> {
        let Some(id) = id else { return Ok(None) };
        Ok(self
            .conn
            .query_row("SELECT name FROM coders WHERE id = $1", [id], |r| r.get(0))
            .optional()?)
    }
}

fn span_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CodedSpan> {
    let (start, end): (i64, i64) = (r.get(2)?, r.get(3)?);
    Ok(CodedSpan {
        code: r.get(0)?,
        source: r.get(1)?,
        start: usize::try_from(start).unwrap_or(0),
        end: usize::try_from(end).unwrap_or(0),
    })
}

fn clean(name: &str) -> Result<String, StoreError> {
    crate::rules::consensus_name(name)
}

/// Inserts a shared copy of code `from` (its descriptive fields) and
/// returns the copy's id.
fn copy_code(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    from: i64,
    name: &str,
    level: i64,
    parent: Option<i64>,
    position: i64,
) -> Result<i64, StoreError> {
    let fields: [Option<String>; 5] = tx.query_row(
        "SELECT colour, definition, inclusion, exclusion, example FROM codes WHERE id = $1",
        [from],
        |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?]),
    )?;
    let [colour, definition, inclusion, exclusion, example] = &fields;
    rec.insert(
        tx,
        Table::Codes,
        &[
            ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
            ("owner", Value::Null),
            ("name", Value::Text(name.to_owned())),
            ("level", Value::Integer(level)),
            ("parent", opt_int(parent)),
            ("position", Value::Integer(position)),
            ("colour", opt_text(colour)),
            ("definition", opt_text(definition)),
            ("inclusion", opt_text(inclusion)),
            ("exclusion", opt_text(exclusion)),
            ("example", opt_text(example)),
            ("created_at", Value::Text(audit::now())),
        ],
    )
}

#[allow(clippy::too_many_arguments)]
fn insert_decision(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    kind: DecisionKind,
    coder: i64,
    note: Option<&str>,
    shared: Option<i64>,
    passage: Option<(i64, i64, i64)>,
    coding: Option<i64>,
) -> Result<i64, StoreError> {
    let note = crate::rules::decision_note(note)?;
    rec.insert(
        tx,
        Table::ReconciliationDecisions,
        &[
            ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
            ("kind", Value::Text(kind.as_str().to_owned())),
            ("coder_id", Value::Integer(coder)),
            ("decided_at", Value::Text(audit::now())),
            ("note", opt_text(&note)),
            ("shared_code", opt_int(shared)),
            ("source_id", opt_int(passage.map(|p| p.0))),
            ("start_char", opt_int(passage.map(|p| p.1))),
            ("end_char", opt_int(passage.map(|p| p.2))),
            ("coding_id", opt_int(coding)),
        ],
    )
}

fn insert_origin(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    decision: i64,
    code: i64,
    name: &str,
    owner: Option<i64>,
    shared: Option<i64>,
) -> Result<(), StoreError> {
    rec.insert(
        tx,
        Table::ReconciliationOrigins,
        &[
            ("decision_id", Value::Integer(decision)),
            ("code_id", Value::Integer(code)),
            ("code_name", Value::Text(name.to_owned())),
            ("owner", opt_int(owner)),
            ("shared_code", opt_int(shared)),
        ],
    )?;
    Ok(())
}

/// Cuts passages of one source's text with up to `context` chars either
/// side, in the order given: the one home of an excerpt on every backend.
pub(crate) fn cut_excerpts(
    name: &str,
    text: &str,
    table: &OffsetTable,
    spans: &[(usize, usize)],
    context: usize,
) -> Result<Vec<Excerpt>, StoreError> {
    let len = table.chars();
    let cut = |a: usize, b: usize| -> Result<String, StoreError> {
        let span =
            Span::new(a.min(len), b.min(len)).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(table.slice(text, span).unwrap_or_default().to_owned())
    };
    spans
        .iter()
        .map(|&(start, end)| {
            Ok(Excerpt {
                source: name.to_owned(),
                before: cut(start.saturating_sub(context), start)?,
                text: cut(start, end)?,
                after: cut(end, end.saturating_add(context))?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
