//! Codebooks: each coder's private tree of codes, and the shared one.
//!
//! A codebook is a DAG: every code has at most one primary parent (which
//! orders the tree for display) and any number of further parents
//! (`code_links`), because in IPA one recurrent idea can feed two themes.
//! A child's level is always below its parents' levels, and no move or link
//! may close a cycle. Names are unique within a codebook, so a coder can
//! name a code on the command line.

use std::collections::{HashMap, HashSet};

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::boundary::rules;
use crate::coders::Scope;
use crate::history::{Recorder, Table, id_key};
use crate::{SqliteStore, StoreError, audit};

/// Which codebook an operation addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Book {
    /// The acting coder's private codebook.
    Own,
    /// The shared codebook.
    Shared,
    /// Another coder's codebook (needs a scope that sees every layer).
    Of(i64),
}

impl Book {
    /// Returns the `codes.owner` this book means for `scope`: the acting
    /// coder's id, `None` for the shared codebook (which is also the
    /// consensus layer's own), or the coder named.
    pub fn owner(self, scope: &Scope) -> Option<i64> {
        match self {
            Book::Own => scope.own_book(),
            Book::Shared => None,
            Book::Of(c) => Some(c),
        }
    }
}

/// The descriptive fields of a code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CodeFields {
    /// Display colour (`#rrggbb`).
    pub colour: Option<String>,
    /// What the code means.
    pub definition: Option<String>,
    /// When to apply it.
    pub inclusion: Option<String>,
    /// When not to apply it.
    pub exclusion: Option<String>,
    /// A typical passage.
    pub example: Option<String>,
}

/// A code to create.
#[derive(Debug, Clone, Default)]
pub struct NewCode {
    /// Its name, unique among its siblings in its codebook.
    pub name: String,
    /// Its level's name; by default one below its parent, or the lowest.
    pub level: Option<String>,
    /// Its primary parent.
    pub parent: Option<i64>,
    /// Which codebook it goes in (`Own` or `Shared`).
    pub book: Option<Book>,
    /// Its descriptive fields.
    pub fields: CodeFields,
}

/// A code as trees and listings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CodeNode {
    /// Its id.
    pub id: i64,
    /// Its exchange identifier.
    pub guid: String,
    /// Its name.
    pub name: String,
    /// Its level's rank (1 = lowest).
    pub level: i64,
    /// Its level's name.
    pub level_name: String,
    /// The coder owning the codebook, `None` for the shared one.
    pub owner: Option<i64>,
    /// Its primary parent.
    pub parent: Option<i64>,
    /// Its further parents.
    pub also_under: Vec<i64>,
    /// Its place among its siblings.
    pub position: i64,
    /// Analytic (a theme, an idea) or structural (an interview-guide
    /// question): structural codes stay out of results unless asked for.
    pub kind: CodeKind,
    /// Its descriptive fields.
    #[serde(flatten)]
    pub fields: CodeFields,
    /// Codings with exactly this code (in the layers the scope sees).
    pub codings: i64,
    /// Distinct sources with exactly this code.
    pub sources: i64,
    /// Codings with this code or any code below it.
    pub codings_total: i64,
    /// Distinct sources coded with this code or any code below it.
    pub sources_total: i64,
}

/// What a code stands for in the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    /// A theme, sub-theme or idea of the analysis.
    Analytic,
    /// Structure of the data, such as an interview-guide question: usable in
    /// queries and matrices, left out of results, saturation, triangulation,
    /// IPA tables and prevalence unless asked for.
    Structural,
}

impl CodeKind {
    /// Returns the kind stored as `codes.kind`.
    pub fn from_db(text: &str) -> CodeKind {
        if text == "structural" {
            CodeKind::Structural
        } else {
            CodeKind::Analytic
        }
    }

    /// Returns the `codes.kind` text.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeKind::Analytic => "analytic",
            CodeKind::Structural => "structural",
        }
    }
}

/// What to do with a deleted code's codings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cascade {
    /// Move them to an "Uncategorised" code of the same codebook.
    Uncategorised,
    /// Delete them.
    Delete,
}

/// Selects the further-parent link from a child (`$1`) to a parent (`$2`).
const LINK_BETWEEN: &str = "SELECT id FROM code_links WHERE child = $1 AND parent = $2";

/// The name of the code that collects codings of deleted codes.
pub const UNCATEGORISED: &str = "Uncategorised";

/// A code's book, name, level and primary parent, as the edits check it.
pub(crate) type CodeRow = rules::CodeAt;

impl SqliteStore {
    pub(crate) fn code_row(&self, id: i64) -> Result<Option<CodeRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT owner, name, level, parent FROM codes WHERE id = $1",
                [id],
                |r| {
                    Ok(CodeRow {
                        owner: r.get(0)?,
                        name: r.get(1)?,
                        level: r.get(2)?,
                        parent: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Returns the code if the scope may change it (own or shared codebook).
    pub(crate) fn writable(&self, scope: &Scope, id: i64) -> Result<CodeRow, StoreError> {
        let row = self
            .code_row(id)?
            .ok_or_else(|| StoreError::UnknownCode(id.to_string()))?;
        rules::writable(scope, id, &row.name, row.owner)?;
        Ok(row)
    }

    /// Adds a code and returns its id.
    pub fn add_code(&mut self, scope: &Scope, new: &NewCode) -> Result<i64, StoreError> {
        let name = rules::code_name(&new.name)?;
        let owner = match new.parent {
            Some(parent) => self.writable(scope, parent)?.owner,
            None => rules::new_code_owner(scope, new.book)?,
        };
        if let Some(parent) = new.parent
            && new.book.is_some()
            && rules::new_code_owner(scope, new.book)? != owner
        {
            let _ = parent;
            return Err(StoreError::Invalid(
                "a code must be in the same codebook as its parent".into(),
            ));
        }
        let parent_level = match new.parent {
            Some(p) => Some(self.code_row(p)?.map_or(1, |r| r.level)),
            None => None,
        };
        let level = rules::child_level(&self.levels()?, parent_level, new.level.as_deref())?;
        self.check_name_free(owner, new.parent, &name, None)?;
        let fields = rules::code_fields(&new.fields)?;
        let position = self.next_position(owner, new.parent)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let id = rec.insert(
            &tx,
            Table::Codes,
            &[
                ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
                ("owner", opt_int(owner)),
                ("name", Value::Text(name.clone())),
                ("level", Value::Integer(level)),
                ("parent", opt_int(new.parent)),
                ("position", Value::Integer(position)),
                ("colour", opt_text(&fields.colour)),
                ("definition", opt_text(&fields.definition)),
                ("inclusion", opt_text(&fields.inclusion)),
                ("exclusion", opt_text(&fields.exclusion)),
                ("example", opt_text(&fields.example)),
                ("created_at", Value::Text(audit::now())),
            ],
        )?;
        rec.finish(
            &tx,
            &scope.coder().name,
            "code.add",
            Some(&format!("code:{id}")),
            serde_json::json!({ "name": name, "parent": new.parent, "level": level }),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Renames a code.
    pub fn rename_code(&mut self, scope: &Scope, id: i64, name: &str) -> Result<(), StoreError> {
        let row = self.writable(scope, id)?;
        let name = rules::code_name(name)?;
        self.check_name_free(row.owner, row.parent, &name, Some(id))?;
        self.act(
            &scope.coder().name,
            "code.rename",
            &format!("code:{id}"),
            |tx, rec| {
                rec.update(
                    tx,
                    Table::Codes,
                    id_key(id),
                    &[("name", Value::Text(name.clone()))],
                )?;
                Ok(((), serde_json::json!({ "from": row.name, "to": name })))
            },
        )
    }

    /// Changes a code's descriptive fields (those given; `Some("")` clears).
    pub fn describe_code(
        &mut self,
        scope: &Scope,
        id: i64,
        fields: &CodeFields,
        level: Option<&str>,
    ) -> Result<(), StoreError> {
        let row = self.writable(scope, id)?;
        let fields = rules::code_fields(fields)?;
        let mut cols: Vec<(&str, Value)> = rules::described_columns(&fields)
            .into_iter()
            .map(|(col, v)| (col, v.map_or(Value::Null, Value::Text)))
            .collect();
        if let Some(level) = level {
            let rank = self.level_rank(level)?;
            self.check_level_fits(id, rank)?;
            cols.push(("level", Value::Integer(rank)));
        }
        if cols.is_empty() {
            return Ok(());
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        rec.update(&tx, Table::Codes, id_key(id), &cols)?;
        rec.finish(
            &tx,
            &scope.coder().name,
            "code.describe",
            Some(&format!("code:{id}")),
            serde_json::json!({ "name": row.name }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Moves a code under a new primary parent (or to the top), optionally
    /// at a position among its new siblings.
    pub fn move_code(
        &mut self,
        scope: &Scope,
        id: i64,
        parent: Option<i64>,
        position: Option<i64>,
    ) -> Result<(), StoreError> {
        let row = self.writable(scope, id)?;
        if let Some(p) = parent {
            let prow = self.writable(scope, p)?;
            let below: Vec<i64> = self.descendants(id)?.into_iter().collect();
            rules::may_move_under(&self.levels()?, (id, &row), (p, &prow), &below)?;
        }
        if parent != row.parent {
            self.check_name_free(row.owner, parent, &row.name, Some(id))?;
        }
        let siblings = self.children_of(row.owner, parent, Some(id))?;
        let at = rules::move_position(siblings.len(), position);
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let mut order = siblings;
        order.insert(at, id);
        for (i, sibling) in order.iter().enumerate() {
            let mut cols = vec![("position", Value::Integer(i as i64))];
            if *sibling == id {
                cols.push(("parent", opt_int(parent)));
            }
            rec.update(&tx, Table::Codes, id_key(*sibling), &cols)?;
        }
        // A further link to the new primary parent is now redundant.
        if let Some(p) = parent {
            rec.delete_ids(&tx, Table::CodeLinks, LINK_BETWEEN, [id, p])?;
        }
        rec.finish(
            &tx,
            &scope.coder().name,
            "code.move",
            Some(&format!("code:{id}")),
            serde_json::json!({ "name": row.name, "from": row.parent, "to": parent, "position": at }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a further parent to a code (the DAG edge: an idea feeding a
    /// second theme).
    pub fn link_code(&mut self, scope: &Scope, id: i64, parent: i64) -> Result<(), StoreError> {
        let row = self.writable(scope, id)?;
        let prow = self.writable(scope, parent)?;
        let below: Vec<i64> = self.descendants(id)?.into_iter().collect();
        rules::may_link((id, &row), (parent, &prow), &below)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        rec.insert(
            &tx,
            Table::CodeLinks,
            &[
                ("child", Value::Integer(id)),
                ("parent", Value::Integer(parent)),
            ],
        )
        .map_err(|e| match e {
            StoreError::Sqlite(_) => rules::already_linked(&row.name, &prow.name),
            other => other,
        })?;
        rec.finish(
            &tx,
            &scope.coder().name,
            "code.link",
            Some(&format!("code:{id}")),
            serde_json::json!({ "name": row.name, "parent": prow.name }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Merges `from` into `into`: codings move (the same passage coded with
    /// both stays one coding), children and further parents move, and
    /// `from` disappears.
    pub fn merge_codes(
        &mut self,
        scope: &Scope,
        from: i64,
        into: i64,
    ) -> Result<usize, StoreError> {
        let src = self.writable(scope, from)?;
        let dst = self.writable(scope, into)?;
        let into_below = from != into && self.descendants(from)?.contains(&into);
        rules::may_merge(from, into, &src, &dst, into_below)?;
        self.check_children_fit(from, src.owner, Some(into))?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let moved = move_codings(&tx, &mut rec, from, into)?;
        move_children(&tx, &mut rec, from, into)?;
        move_links(&tx, &mut rec, from, into)?;
        self::delete_journal_links(&tx, &mut rec, from)?;
        crate::code_names::delete_code_names(&tx, &mut rec, from)?;
        move_memos(&tx, &mut rec, from, into)?;
        rec.delete(&tx, Table::Codes, id_key(from))?;
        rec.finish(
            &tx,
            &scope.coder().name,
            "code.merge",
            Some(&format!("code:{into}")),
            serde_json::json!({ "from": src.name, "into": dst.name, "codings_moved": moved }),
        )?;
        tx.commit()?;
        Ok(moved)
    }

    /// Splits a code: a new sibling `name` takes the given codings.
    pub fn split_code(
        &mut self,
        scope: &Scope,
        id: i64,
        name: &str,
        codings: &[i64],
    ) -> Result<i64, StoreError> {
        let row = self.writable(scope, id)?;
        let name = rules::code_name(name)?;
        self.check_name_free(row.owner, row.parent, &name, None)?;
        for coding in codings {
            let code: Option<i64> = self
                .conn
                .query_row("SELECT code_id FROM codings WHERE id = $1", [coding], |r| {
                    r.get(0)
                })
                .optional()?;
            rules::splittable(*coding, code, id, &row.name)?;
        }
        let position = self.next_position(row.owner, row.parent)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let new_id = rec.insert(
            &tx,
            Table::Codes,
            &[
                ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
                ("owner", opt_int(row.owner)),
                ("name", Value::Text(name.clone())),
                ("level", Value::Integer(row.level)),
                ("parent", opt_int(row.parent)),
                ("position", Value::Integer(position)),
                ("created_at", Value::Text(audit::now())),
            ],
        )?;
        for coding in codings {
            rec.update(
                &tx,
                Table::Codings,
                id_key(*coding),
                &[("code_id", Value::Integer(new_id))],
            )?;
        }
        rec.finish(
            &tx,
            &scope.coder().name,
            "code.split",
            Some(&format!("code:{id}")),
            serde_json::json!({ "from": row.name, "new": name, "codings": codings }),
        )?;
        tx.commit()?;
        Ok(new_id)
    }

    /// Deletes a code. Refused while codings use it, unless `cascade` says
    /// what to do with them; its children move up to its parent.
    pub fn delete_code(
        &mut self,
        scope: &Scope,
        id: i64,
        cascade: Option<Cascade>,
    ) -> Result<usize, StoreError> {
        let row = self.writable(scope, id)?;
        self.check_children_fit(id, row.owner, row.parent)?;
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM codings WHERE code_id = $1",
            [id],
            |r| r.get(0),
        )?;
        rules::deletable(&row.name, count, cascade)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        if count > 0 {
            match cascade {
                Some(Cascade::Uncategorised) => {
                    move_codings_to_bin(&tx, &mut rec, id, row.owner)?;
                }
                _ => {
                    let codings: Vec<i64> = tx
                        .prepare("SELECT id FROM codings WHERE code_id = $1")?
                        .query_map([id], |r| r.get(0))?
                        .collect::<Result<_, _>>()?;
                    for cid in codings {
                        delete_coding_rows(&tx, &mut rec, cid)?;
                    }
                }
            }
        }
        let children: Vec<i64> = tx
            .prepare("SELECT id FROM codes WHERE parent = $1")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for child in children {
            rec.update(
                &tx,
                Table::Codes,
                id_key(child),
                &[("parent", opt_int(row.parent))],
            )?;
        }
        let links: Vec<i64> = tx
            .prepare("SELECT id FROM code_links WHERE child = $1 OR parent = $1")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for link in links {
            rec.delete(&tx, Table::CodeLinks, id_key(link))?;
        }
        delete_journal_links(&tx, &mut rec, id)?;
        crate::code_names::delete_code_names(&tx, &mut rec, id)?;
        delete_memos_on(&tx, &mut rec, "code", id)?;
        rec.delete(&tx, Table::Codes, id_key(id))?;
        rec.finish(
            &tx,
            &scope.coder().name,
            "code.delete",
            Some(&format!("code:{id}")),
            serde_json::json!({ "name": row.name, "codings": count }),
        )?;
        tx.commit()?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Copies a codebook's codes (not its codings) into another codebook,
    /// keeping the tree, levels and descriptions. Refused when a name exists
    /// in the target already.
    pub fn copy_codebook(
        &mut self,
        scope: &Scope,
        from: Book,
        to: Book,
    ) -> Result<usize, StoreError> {
        let (from_owner, to_owner) = rules::copy_books(scope, from, to)?;
        type Row = (i64, String, i64, Option<i64>, i64, [Option<String>; 5]);
        let rows: Vec<Row> = self
            .conn
            .prepare(
                "SELECT id, name, level, parent, position, colour, definition, inclusion, exclusion, example \
                 FROM codes WHERE IFNULL(owner, 0) = $1 ORDER BY level DESC, id",
            )?
            .query_map([from_owner.unwrap_or(0)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, [r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?]))
            })?
            .collect::<Result<_, _>>()?;
        let clashes: Vec<String> = rows
            .iter()
            .filter(|r| r.3.is_none() && self.check_name_free(to_owner, None, &r.1, None).is_err())
            .map(|r| r.1.clone())
            .collect();
        rules::copy_clashes(&clashes)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let mut new_ids: HashMap<i64, i64> = HashMap::new();
        // Parents are always of a higher level, so they are copied first.
        for (id, name, level, parent, position, fields) in &rows {
            let [colour, definition, inclusion, exclusion, example] = fields;
            let new_id = rec.insert(
                &tx,
                Table::Codes,
                &[
                    ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
                    ("owner", opt_int(to_owner)),
                    ("name", Value::Text(name.clone())),
                    ("level", Value::Integer(*level)),
                    (
                        "parent",
                        opt_int(parent.and_then(|p| new_ids.get(&p).copied())),
                    ),
                    ("position", Value::Integer(*position)),
                    ("colour", opt_text(colour)),
                    ("definition", opt_text(definition)),
                    ("inclusion", opt_text(inclusion)),
                    ("exclusion", opt_text(exclusion)),
                    ("example", opt_text(example)),
                    ("created_at", Value::Text(audit::now())),
                ],
            )?;
            new_ids.insert(*id, new_id);
        }
        let links: Vec<(i64, i64)> = tx
            .prepare(
                "SELECT l.child, l.parent FROM code_links l JOIN codes c ON c.id = l.child \
                 WHERE IFNULL(c.owner, 0) = $1",
            )?
            .query_map([from_owner.unwrap_or(0)], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (child, parent) in links {
            if let (Some(c), Some(p)) = (new_ids.get(&child), new_ids.get(&parent)) {
                rec.insert(
                    &tx,
                    Table::CodeLinks,
                    &[
                        ("child", Value::Integer(*c)),
                        ("parent", Value::Integer(*p)),
                    ],
                )?;
            }
        }
        rec.finish(
            &tx,
            &scope.coder().name,
            "codebook.copy",
            None,
            serde_json::json!({ "from": from_owner, "to": to_owner, "codes": rows.len() }),
        )?;
        tx.commit()?;
        Ok(rows.len())
    }

    /// Returns the codes of one codebook with coding counts, in tree order
    /// (depth first along primary parents, by position).
    pub fn code_tree(&self, scope: &Scope, book: Book) -> Result<Vec<CodeNode>, StoreError> {
        let owner = book.owner(scope);
        if !scope.may_see(owner) {
            return Err(StoreError::Blind);
        }
        let level_names: HashMap<i64, String> = self
            .levels()?
            .into_iter()
            .map(|l| (l.rank, l.name))
            .collect();
        let nodes: Vec<CodeNode> = self
            .conn
            .prepare(
                "SELECT id, guid, name, level, owner, parent, position, colour, definition, inclusion, exclusion, example, kind \
                 FROM codes WHERE IFNULL(owner, 0) = $1 ORDER BY position, id",
            )?
            .query_map([owner.unwrap_or(0)], |r| {
                let level: i64 = r.get(3)?;
                Ok(CodeNode {
                    id: r.get(0)?,
                    guid: r.get(1)?,
                    name: r.get(2)?,
                    level,
                    level_name: level_names.get(&level).cloned().unwrap_or_else(|| format!("level {level}")),
                    owner: r.get(4)?,
                    parent: r.get(5)?,
                    also_under: Vec::new(),
                    position: r.get(6)?,
                    kind: CodeKind::from_db(&r.get::<_, String>(12)?),
                    fields: CodeFields {
                        colour: r.get(7)?,
                        definition: r.get(8)?,
                        inclusion: r.get(9)?,
                        exclusion: r.get(10)?,
                        example: r.get(11)?,
                    },
                    codings: 0,
                    sources: 0,
                    codings_total: 0,
                    sources_total: 0,
                })
            })?
            .collect::<Result<_, _>>()?;
        let links: Vec<(i64, i64)> = self
            .conn
            .prepare(
                "SELECT l.child, l.parent FROM code_links l JOIN codes c ON c.id = l.child \
                 WHERE IFNULL(c.owner, 0) = $1 ORDER BY l.id",
            )?
            .query_map([owner.unwrap_or(0)], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        // Counts per (code, source), in the layers the scope sees. The
        // consensus layer is the team's, never blind: a coder's tree of the
        // shared codebook counts its passages too.
        let coder_filter = if scope.sees_all() {
            0
        } else {
            scope.coder().id
        };
        let consensus = self.consensus_coder()?.id;
        let counts: Vec<(i64, i64, i64)> = self
            .conn
            .prepare(
                "SELECT k.code_id, k.source_id, sum(k.n) FROM coding_counts k JOIN codes c ON c.id = k.code_id \
                 WHERE IFNULL(c.owner, 0) = $1 AND ($2 = 0 OR k.coder_id IN ($2, $3)) \
                 GROUP BY k.code_id, k.source_id",
            )?
            .query_map([owner.unwrap_or(0), coder_filter, consensus], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        Ok(rules::arrange_tree(nodes, &links, &counts))
    }

    /// Returns every code below `id` (through primary parents and links).
    pub(crate) fn descendants(&self, id: i64) -> Result<HashSet<i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "WITH RECURSIVE edge(child, parent) AS ( \
                 SELECT id, parent FROM codes WHERE parent IS NOT NULL \
                 UNION ALL SELECT child, parent FROM code_links), \
             below(id) AS (SELECT $1 UNION SELECT edge.child FROM edge JOIN below ON edge.parent = below.id) \
             SELECT id FROM below WHERE id != $1",
        )?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn check_level_fits(&self, id: i64, rank: i64) -> Result<(), StoreError> {
        let parents: Vec<i64> = self
            .conn
            .prepare("SELECT c.level FROM codes c WHERE c.id = (SELECT parent FROM codes WHERE id = $1) \
                      UNION ALL SELECT c.level FROM code_links l JOIN codes c ON c.id = l.parent WHERE l.child = $1")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let children: Vec<i64> = self
            .conn
            .prepare("SELECT level FROM codes WHERE parent = $1 \
                      UNION ALL SELECT c.level FROM code_links l JOIN codes c ON c.id = l.child WHERE l.parent = $1")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        rules::level_fits(rank, &parents, &children)
    }

    /// Refuses `name` when a sibling (same codebook and parent) holds it.
    fn check_name_free(
        &self,
        owner: Option<i64>,
        parent: Option<i64>,
        name: &str,
        except: Option<i64>,
    ) -> Result<(), StoreError> {
        match self.sibling_named(owner, parent, name)? {
            Some(id) if Some(id) != except => {
                let path = parent.map(|p| self.code_path(p)).transpose()?;
                Err(rules::sibling_name_taken(name, path.as_deref()))
            }
            _ => Ok(()),
        }
    }

    /// Refuses to move the children of `from` under `parent` (a merge, or a
    /// deletion moving them up) when one would meet a sibling of its name.
    fn check_children_fit(
        &self,
        from: i64,
        owner: Option<i64>,
        parent: Option<i64>,
    ) -> Result<(), StoreError> {
        let children: Vec<(i64, String)> = self
            .conn
            .prepare("SELECT id, name FROM codes WHERE parent = $1")?
            .query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (child, name) in children {
            if let Some(other) = self.sibling_named(owner, parent, &name)?
                && other != from
                && other != child
            {
                return Err(rules::children_clash(
                    &self.code_path(child)?,
                    &self.code_path(other)?,
                ));
            }
        }
        Ok(())
    }

    fn children_of(
        &self,
        owner: Option<i64>,
        parent: Option<i64>,
        except: Option<i64>,
    ) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<i64> = self
            .conn
            .prepare(
                "SELECT id FROM codes WHERE IFNULL(owner, 0) = $1 AND IFNULL(parent, 0) = $2 AND id != $3 \
                 ORDER BY position, id",
            )?
            .query_map(params![owner.unwrap_or(0), parent.unwrap_or(0), except.unwrap_or(0)], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn next_position(&self, owner: Option<i64>, parent: Option<i64>) -> Result<i64, StoreError> {
        Ok(self.children_of(owner, parent, None)?.len() as i64)
    }
}

/// Moves a deleted code's codings to its codebook's "Uncategorised" code
/// (made when missing); a coding already there on the same passage is
/// deleted instead of doubled.
fn move_codings_to_bin(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    id: i64,
    owner: Option<i64>,
) -> Result<(), StoreError> {
    let bin: Option<i64> = tx
        .query_row(
            "SELECT id FROM codes WHERE IFNULL(owner, 0) = $1 AND parent IS NULL AND name = $2",
            params![owner.unwrap_or(0), UNCATEGORISED],
            |r| r.get(0),
        )
        .optional()?;
    let bin = match bin {
        Some(bin) => bin,
        None => rec.insert(
            tx,
            Table::Codes,
            &[
                ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
                ("owner", opt_int(owner)),
                ("name", Value::Text(UNCATEGORISED.into())),
                ("level", Value::Integer(1)),
                ("position", Value::Integer(rules::UNCATEGORISED_POSITION)),
                ("created_at", Value::Text(audit::now())),
            ],
        )?,
    };
    move_codings(tx, rec, id, bin)?;
    Ok(())
}

/// Deletes the memos written on a code or a coding, recording each, so no
/// memo is left pointing at nothing.
pub(crate) fn delete_memos_on(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    kind: &str,
    id: i64,
) -> Result<(), StoreError> {
    let select = "SELECT id FROM memos WHERE target_kind = $1 AND target_id = $2";
    rec.delete_ids(tx, Table::Memos, select, params![kind, id])?;
    Ok(())
}

/// Deletes a coding and the rows that hang on it, recording each.
pub(crate) fn delete_coding_rows(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    coding: i64,
) -> Result<(), StoreError> {
    let select = "SELECT id FROM translations WHERE coding_id = $1";
    rec.delete_ids(tx, Table::Translations, select, [coding])?;
    let select = "SELECT id FROM consensus_origins WHERE coding_id = $1";
    rec.delete_ids(tx, Table::ConsensusOrigins, select, [coding])?;
    delete_memos_on(tx, rec, "coding", coding)?;
    rec.delete(tx, Table::Codings, id_key(coding))
}

/// Moves `from`'s codings to `into`; a coding whose passage `into`
/// already codes for the same coder is deleted instead. Returns how many
/// moved.
fn move_codings(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    from: i64,
    into: i64,
) -> Result<usize, StoreError> {
    let codings: Vec<(i64, i64, i64, i64, i64)> = {
        let mut stmt = tx.prepare(
            "SELECT id, source_id, coder_id, start_char, end_char FROM codings WHERE code_id = $1",
        )?;
        stmt.query_map([from], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?
    };
    let mut moved = 0;
    for (cid, source, coder, start, end) in codings {
        let twin: Option<i64> = tx
            .query_row(
                "SELECT id FROM codings WHERE code_id = $1 AND source_id = $2 AND coder_id = $3 \
                 AND start_char = $4 AND end_char = $5",
                [into, source, coder, start, end],
                |r| r.get(0),
            )
            .optional()?;
        if twin.is_some() {
            delete_coding_rows(tx, rec, cid)?;
        } else {
            rec.update(
                tx,
                Table::Codings,
                id_key(cid),
                &[("code_id", Value::Integer(into))],
            )?;
            moved += 1;
        }
    }
    Ok(moved)
}

/// Moves `from`'s children under `into`, dropping their further links
/// to `into`, now their primary parent.
fn move_children(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    from: i64,
    into: i64,
) -> Result<(), StoreError> {
    let children: Vec<i64> = tx
        .prepare("SELECT id FROM codes WHERE parent = $1")?
        .query_map([from], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for child in children {
        rec.update(
            tx,
            Table::Codes,
            id_key(child),
            &[("parent", Value::Integer(into))],
        )?;
        // A further link to `into` is redundant once it is the primary parent.
        rec.delete_ids(tx, Table::CodeLinks, LINK_BETWEEN, [child, into])?;
    }
    Ok(())
}

/// Moves `from`'s further links (as child or as parent) to `into`, unless
/// the link already exists, would tie `into` to itself, or repeats a
/// primary parent.
fn move_links(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    from: i64,
    into: i64,
) -> Result<(), StoreError> {
    let links: Vec<(i64, i64, i64)> = tx
        .prepare("SELECT id, child, parent FROM code_links WHERE child = $1 OR parent = $1")?
        .query_map([from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (link, child, parent) in links {
        rec.delete(tx, Table::CodeLinks, id_key(link))?;
        let (child, parent) = if child == from {
            (into, parent)
        } else {
            (child, into)
        };
        let exists: bool = tx
            .prepare("SELECT 1 FROM code_links WHERE child = $1 AND parent = $2")?
            .exists([child, parent])?;
        let primary: Option<i64> =
            tx.query_row("SELECT parent FROM codes WHERE id = $1", [child], |r| {
                r.get(0)
            })?;
        if !exists && child != parent && primary != Some(parent) {
            rec.insert(
                tx,
                Table::CodeLinks,
                &[
                    ("child", Value::Integer(child)),
                    ("parent", Value::Integer(parent)),
                ],
            )?;
        }
    }
    Ok(())
}

/// Moves the memos on a merged code to the code that absorbs it.
fn move_memos(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    from: i64,
    into: i64,
) -> Result<(), StoreError> {
    let memos: Vec<i64> = tx
        .prepare_cached("SELECT id FROM memos WHERE target_kind = 'code' AND target_id = $1")?
        .query_map([from], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for memo in memos {
        rec.update(
            tx,
            Table::Memos,
            id_key(memo),
            &[("target_id", Value::Integer(into))],
        )?;
    }
    Ok(())
}

fn delete_journal_links(
    tx: &rusqlite::Connection,
    rec: &mut Recorder,
    code: i64,
) -> Result<(), StoreError> {
    let select = "SELECT id FROM journal_links WHERE code_id = $1";
    rec.delete_ids(tx, Table::JournalLinks, select, [code])?;
    Ok(())
}

pub(crate) fn opt_int(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Integer)
}

pub(crate) fn opt_text(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| Value::Text(s.clone()))
}
