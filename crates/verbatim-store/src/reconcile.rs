//! Reconciliation: building the shared codebook from two coders' work.
//!
//! Once blind coding is over and the study revealed, the team compares the
//! coders' trees (alignment, in `verbatim-analysis`) and decides, node by
//! node and passage by passage, what the shared codebook holds. Each
//! decision is one undoable action (through [`SqliteStore::act`] and the
//! history recorder) that also writes a row of `reconciliation_decisions`
//! saying who decided, when and why, and rows of `reconciliation_origins`
//! saying which coders' codes the decision came from. So the shared
//! codebook keeps its provenance, the decisions can be listed for the
//! methods section, and a decision taken too fast can be undone.
//!
//! Every read here compares layers, so it needs a [`Scope`] that sees every
//! layer (revealed or solo); the blind check lives here, not in the CLI.

use std::collections::{HashMap, HashSet};

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::Serialize;
use verbatim_core::Span;

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
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// A coder's node (and maybe its subtree) was copied to the shared codebook.
    Accept,
    /// Two coders' matched nodes became one shared node.
    Merge,
    /// A divergent node stays its coder's, with a note saying why.
    Keep,
    /// A disagreement passage was coded in the shared layer.
    PassageAccept,
    /// A disagreement passage was left out of the shared layer.
    PassageReject,
}

impl DecisionKind {
    fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Accept => "accept",
            DecisionKind::Merge => "merge",
            DecisionKind::Keep => "keep",
            DecisionKind::PassageAccept => "passage_accept",
            DecisionKind::PassageReject => "passage_reject",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
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

/// Whether a disagreement passage goes into the shared layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Code it in the shared codebook.
    Accept,
    /// Leave it out.
    Reject,
}

/// A coder's code a decision came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
        let len = table.chars();
        let cut = |a: usize, b: usize| -> Result<String, StoreError> {
            let span = Span::new(a.min(len), b.min(len))
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            Ok(table.slice(&text, span).unwrap_or_default().to_owned())
        };
        spans
            .iter()
            .map(|&(start, end)| {
                Ok(Excerpt {
                    source: name.clone(),
                    before: cut(start.saturating_sub(context), start)?,
                    text: cut(start, end)?,
                    after: cut(end, end.saturating_add(context))?,
                })
            })
            .collect()
    }

    /// Copies a coder's code (with everything below it when `subtree`) into
    /// the shared codebook, under the shared code `under` or at the top,
    /// remembering where each copy came from. Returns the decision's id.
    pub fn reconcile_accept(
        &mut self,
        scope: &Scope,
        code: i64,
        subtree: bool,
        under: Option<i64>,
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        Self::comparing(scope)?;
        let root = self.coder_code(code)?;
        let mut ids: HashSet<i64> = HashSet::from([code]);
        if subtree {
            ids.extend(self.descendants(code)?);
        }
        // Parents inside the copied set, primary first.
        let mut rows: Vec<CopyRow> = Vec::new();
        for &id in &ids {
            let (name, level, parent, position): (String, i64, Option<i64>, i64) =
                self.conn.query_row(
                    "SELECT name, level, parent, position FROM codes WHERE id = $1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
            let mut parents: Vec<i64> = Vec::new();
            if id != code {
                parent
                    .filter(|p| ids.contains(p))
                    .into_iter()
                    .for_each(|p| parents.push(p));
                let links: Vec<i64> = self
                    .conn
                    .prepare_cached("SELECT parent FROM code_links WHERE child = $1 ORDER BY id")?
                    .query_map([id], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                parents.extend(links.into_iter().filter(|p| ids.contains(p)));
            }
            rows.push((id, name, level, parents, position));
        }
        // Parents are of a higher level, so copying by level, highest
        // first, creates every parent before its children.
        rows.sort_by_key(|r| (-r.2, r.4, r.0));
        let under_level = self.shared_parent(under)?;
        if let Some(ul) = under_level
            && ul <= root.level
        {
            return Err(StoreError::Invalid(format!(
                "{:?} cannot sit under a shared code of the same or a lower level",
                root.name
            )));
        }
        let clashes: Vec<String> = rows
            .iter()
            .filter(|r| self.shared_name_taken(&r.1).unwrap_or(true))
            .map(|r| r.1.clone())
            .collect();
        if !clashes.is_empty() {
            return Err(StoreError::Invalid(format!(
                "the shared codebook already has codes named {}: rename them, or merge instead",
                clashes.join(", ")
            )));
        }
        let root_position = self.shared_children(under)?;
        let coder = scope.coder().clone();
        let owner_name = self.coder_name(root.owner)?;
        self.act(
            &coder.name,
            "reconcile.accept",
            &format!("code:{code}"),
            |tx, rec| {
                let mut new_ids: HashMap<i64, i64> = HashMap::new();
                for (id, name, level, parents, position) in &rows {
                    let (primary, position) = if *id == code {
                        (under, root_position)
                    } else {
                        (
                            parents.first().and_then(|p| new_ids.get(p).copied()),
                            *position,
                        )
                    };
                    let new_id = copy_code(tx, rec, *id, name, *level, primary, position)?;
                    for further in parents.iter().skip(1) {
                        if let Some(&p) = new_ids.get(further) {
                            rec.insert(
                                tx,
                                Table::CodeLinks,
                                &[
                                    ("child", Value::Integer(new_id)),
                                    ("parent", Value::Integer(p)),
                                ],
                            )?;
                        }
                    }
                    new_ids.insert(*id, new_id);
                }
                let shared = new_ids.get(&code).copied();
                let decision = insert_decision(
                    tx,
                    rec,
                    DecisionKind::Accept,
                    coder.id,
                    note,
                    shared,
                    None,
                    None,
                )?;
                for (id, name, ..) in &rows {
                    insert_origin(
                        tx,
                        rec,
                        decision,
                        *id,
                        name,
                        root.owner,
                        new_ids.get(id).copied(),
                    )?;
                }
                Ok((
                    decision,
                    serde_json::json!({
                        "decision": decision, "code": root.name, "from": owner_name,
                        "copied": rows.len(), "shared_code": shared, "note": note,
                    }),
                ))
            },
        )
    }

    /// Makes one shared code of two coders' matched codes, recording both
    /// origins. The shared code takes `name` (or `a`'s name), the higher of
    /// the two levels, and the first definition found. Returns the
    /// decision's id.
    pub fn reconcile_merge(
        &mut self,
        scope: &Scope,
        a: i64,
        b: i64,
        name: Option<&str>,
        under: Option<i64>,
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        Self::comparing(scope)?;
        let ra = self.coder_code(a)?;
        let rb = self.coder_code(b)?;
        if a == b {
            return Err(StoreError::Invalid(
                "merge needs two codes, one from each coder".into(),
            ));
        }
        let name = match name {
            Some(n) => clean(n)?,
            None => ra.name.clone(),
        };
        if self.shared_name_taken(&name)? {
            return Err(StoreError::Invalid(format!(
                "the shared codebook already has a code named {name:?}: pass --name"
            )));
        }
        let level = ra.level.max(rb.level);
        if let Some(ul) = self.shared_parent(under)?
            && ul <= level
        {
            return Err(StoreError::Invalid(
                "the merged code cannot sit under a shared code of the same or a lower level"
                    .into(),
            ));
        }
        let position = self.shared_children(under)?;
        let coder = scope.coder().clone();
        let (owner_a, owner_b) = (self.coder_name(ra.owner)?, self.coder_name(rb.owner)?);
        self.act(
            &coder.name,
            "reconcile.merge",
            &format!("code:{a}"),
            |tx, rec| {
                let shared = copy_code(tx, rec, a, &name, level, under, position)?;
                // Fill the fields A left empty from B.
                let fields: [&str; 5] = ["colour", "definition", "inclusion", "exclusion", "example"];
                for field in fields {
                    let sql = format!(
                        "SELECT (SELECT {field} FROM codes WHERE id = $1), (SELECT {field} FROM codes WHERE id = $2)"
                    );
                    let (mine, theirs): (Option<String>, Option<String>) =
                        tx.query_row(&sql, [a, b], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    if mine.is_none() && theirs.is_some() {
                        rec.update(
                            tx,
                            Table::Codes,
                            crate::history::id_key(shared),
                            &[(field, opt_text(&theirs))],
                        )?;
                    }
                }
                let decision = insert_decision(
                    tx,
                    rec,
                    DecisionKind::Merge,
                    coder.id,
                    note,
                    Some(shared),
                    None,
                    None,
                )?;
                insert_origin(tx, rec, decision, a, &ra.name, ra.owner, Some(shared))?;
                insert_origin(tx, rec, decision, b, &rb.name, rb.owner, Some(shared))?;
                Ok((
                    decision,
                    serde_json::json!({
                        "decision": decision, "name": name, "shared_code": shared,
                        "a": { "code": ra.name, "coder": owner_a },
                        "b": { "code": rb.name, "coder": owner_b },
                        "note": note,
                    }),
                ))
            },
        )
    }

    /// Records that a coder's divergent code stays theirs, not shared, and
    /// why. Returns the decision's id.
    pub fn reconcile_keep(
        &mut self,
        scope: &Scope,
        code: i64,
        note: &str,
    ) -> Result<i64, StoreError> {
        Self::comparing(scope)?;
        let row = self.coder_code(code)?;
        if note.trim().is_empty() {
            return Err(StoreError::Invalid(
                "say why the code is kept apart: pass --note".into(),
            ));
        }
        let coder = scope.coder().clone();
        self.act(
            &coder.name,
            "reconcile.keep",
            &format!("code:{code}"),
            |tx, rec| {
                let decision = insert_decision(
                    tx,
                    rec,
                    DecisionKind::Keep,
                    coder.id,
                    Some(note),
                    None,
                    None,
                    None,
                )?;
                insert_origin(tx, rec, decision, code, &row.name, row.owner, None)?;
                Ok((
                    decision,
                    serde_json::json!({ "decision": decision, "code": row.name, "note": note }),
                ))
            },
        )
    }

    /// Accepts a disagreement passage into the shared layer (a coding with
    /// the shared code `shared`, by the reconciling coder) or rejects it.
    /// `origins` are the coders' codes the passage was compared under.
    /// Returns the decision's id.
    #[allow(clippy::too_many_arguments)]
    pub fn reconcile_passage(
        &mut self,
        scope: &Scope,
        verdict: Verdict,
        source: i64,
        span: Span,
        shared: Option<i64>,
        origins: &[i64],
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        Self::comparing(scope)?;
        let chars: i64 = self
            .conn
            .query_row("SELECT chars FROM sources WHERE id = $1", [source], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
        span.within(usize::try_from(chars).unwrap_or(0))
            .map_err(|e| StoreError::Invalid(format!("{e}: the source has {chars} characters")))?;
        if span.is_empty() {
            return Err(StoreError::Invalid("the passage is empty".into()));
        }
        if let Some(code) = shared {
            let row = self
                .code_row(code)?
                .ok_or_else(|| StoreError::UnknownCode(code.to_string()))?;
            if row.owner.is_some() {
                return Err(StoreError::Invalid(format!(
                    "{:?} is not in the shared codebook: accept or merge it first",
                    row.name
                )));
            }
        } else if verdict == Verdict::Accept {
            return Err(StoreError::Invalid(
                "an accepted passage needs the shared code to code it with: pass --shared CODE"
                    .into(),
            ));
        }
        let mut origin_rows = Vec::new();
        for &o in origins {
            let row = self
                .code_row(o)?
                .ok_or_else(|| StoreError::UnknownCode(o.to_string()))?;
            origin_rows.push((o, row.name, row.owner));
        }
        let coder = scope.coder().clone();
        let (start, end) = (span.start() as i64, span.end() as i64);
        let existing: Option<i64> = match shared {
            Some(code) => self
                .conn
                .query_row(
                    "SELECT id FROM codings WHERE source_id = $1 AND code_id = $2 AND coder_id = $3 \
                     AND start_char = $4 AND end_char = $5",
                    [source, code, coder.id, start, end],
                    |r| r.get(0),
                )
                .optional()?,
            None => None,
        };
        let (kind, action) = match verdict {
            Verdict::Accept => (DecisionKind::PassageAccept, "reconcile.passage.accept"),
            Verdict::Reject => (DecisionKind::PassageReject, "reconcile.passage.reject"),
        };
        self.act(
            &coder.name,
            action,
            &format!("source:{source}"),
            |tx, rec| {
                let coding = match (verdict, shared, existing) {
                    (Verdict::Accept, _, Some(id)) => Some(id),
                    (Verdict::Accept, Some(code), None) => Some(rec.insert(
                        tx,
                        Table::Codings,
                        &[
                            ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
                            ("source_id", Value::Integer(source)),
                            ("code_id", Value::Integer(code)),
                            ("coder_id", Value::Integer(coder.id)),
                            ("start_char", Value::Integer(start)),
                            ("end_char", Value::Integer(end)),
                            ("memo", opt_text(&note.map(str::to_owned))),
                            ("created_at", Value::Text(audit::now())),
                        ],
                    )?),
                    _ => None,
                };
                let decision = insert_decision(
                    tx,
                    rec,
                    kind,
                    coder.id,
                    note,
                    shared,
                    Some((source, start, end)),
                    coding,
                )?;
                for (id, name, owner) in &origin_rows {
                    insert_origin(tx, rec, decision, *id, name, *owner, shared)?;
                }
                Ok((
                    decision,
                    serde_json::json!({
                        "decision": decision, "source": source, "start": start, "end": end,
                        "shared_code": shared, "coding": coding, "note": note,
                    }),
                ))
            },
        )
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

    /// Returns a code of a coder's own codebook, refusing shared codes.
    fn coder_code(&self, id: i64) -> Result<crate::codes::CodeRow, StoreError> {
        let row = self
            .code_row(id)?
            .ok_or_else(|| StoreError::UnknownCode(id.to_string()))?;
        if row.owner.is_none() {
            return Err(StoreError::Invalid(format!(
                "{:?} is already in the shared codebook",
                row.name
            )));
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
            return Err(StoreError::Invalid(format!(
                "{:?} is not in the shared codebook: --under names a shared code",
                row.name
            )));
        }
        Ok(Some(row.level))
    }

    fn shared_name_taken(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM codes WHERE owner IS NULL AND name = $1")?
            .exists([name])?)
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
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(StoreError::Invalid("a code needs a name".into()));
    }
    Ok(name)
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
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    rec.insert(
        tx,
        Table::ReconciliationDecisions,
        &[
            ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
            ("kind", Value::Text(kind.as_str().to_owned())),
            ("coder_id", Value::Integer(coder)),
            ("decided_at", Value::Text(audit::now())),
            ("note", opt_text(&note.map(str::to_owned))),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{fixture, span_of};
    use crate::{Book, NewCode, StoreError};

    fn code(store: &mut SqliteStore, scope: &Scope, name: &str, parent: Option<i64>) -> i64 {
        let level = if parent.is_some() { "idea" } else { "theme" };
        store
            .add_code(
                scope,
                &NewCode {
                    name: name.into(),
                    level: Some(level.into()),
                    parent,
                    ..NewCode::default()
                },
            )
            .unwrap()
    }

    #[test]
    fn decisions_are_recorded_blind_checked_and_undoable() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let policing = code(&mut f.store, &amira, "Policing users", None);
        let bags = code(&mut f.store, &amira, "Searching bags", Some(policing));
        let control = code(&mut f.store, &bruno, "Excessive control", None);
        f.store
            .add_coding(&amira, f.source, span_of("La confiance"), bags, None)
            .unwrap();
        // Blind: no comparison read or decision before reveal.
        assert!(matches!(
            f.store.coded_spans(&amira, 2, Book::Of(2)),
            Err(StoreError::Blind)
        ));
        assert!(matches!(
            f.store.reconcile_accept(&amira, policing, true, None, None),
            Err(StoreError::Blind)
        ));
        let all = f.store.scope("amira", true, true).unwrap();
        let spans = f
            .store
            .passages_of(&all, amira.coder().id, policing)
            .unwrap();
        assert_eq!(spans.len(), 1);
        let d = f
            .store
            .reconcile_accept(&all, policing, true, None, Some("clear theme"))
            .unwrap();
        let shared = f.store.code_tree(&all, Book::Shared).unwrap();
        let names: Vec<&str> = shared.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["Policing users", "Searching bags"]);
        assert_eq!(shared[1].parent, Some(shared[0].id));
        let listed = f.store.decisions(&all).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, d);
        assert_eq!(listed[0].kind, DecisionKind::Accept);
        assert_eq!(listed[0].note.as_deref(), Some("clear theme"));
        assert_eq!(listed[0].origins.len(), 2);
        // A second accept of the same names clashes; merge needs a new name.
        assert!(
            f.store
                .reconcile_accept(&all, policing, false, None, None)
                .is_err()
        );
        f.store
            .reconcile_merge(&all, policing, control, Some("Control"), None, None)
            .unwrap();
        f.store
            .reconcile_keep(&all, control, "B's own angle")
            .unwrap();
        let shared_code = f
            .store
            .find_code(&all, "Control", Some(Book::Shared))
            .unwrap();
        f.store
            .reconcile_passage(
                &all,
                Verdict::Accept,
                f.source,
                span_of("la méfiance"),
                Some(shared_code),
                &[control],
                Some("both agree on re-reading"),
            )
            .unwrap();
        let codings = f
            .store
            .coded_spans(&all, amira.coder().id, Book::Shared)
            .unwrap();
        assert_eq!(codings.len(), 1);
        assert_eq!(f.store.decisions(&all).unwrap().len(), 4);
        // Undo the four decisions, newest first: the shared book empties.
        f.store.undo("amira", 4).unwrap();
        assert!(f.store.decisions(&all).unwrap().is_empty());
        assert!(f.store.code_tree(&all, Book::Shared).unwrap().is_empty());
    }
}
