//! The reads the codebook edits make on PostgreSQL, inside the edit's
//! transaction: a code's row (locked), the codes below it, its path, its
//! siblings, and the checks that read the tree before a name or a child
//! moves. The sentences are `verbatim_store::rules`', so the refusals are
//! SQLite's word for word.
//!
//! One codebook's edits run one at a time: the first code an edit opens
//! takes a transaction-scoped advisory lock on its codebook, so two
//! processes moving codes of one tree cannot close a cycle between them
//! or hand out one position twice. Its row and every row the edit changes
//! are locked too (`FOR UPDATE`), so a coding added meanwhile with a code
//! being merged or deleted waits, then finds the code gone.

use postgres::Transaction;
use verbatim_store::code_paths::join_path;
use verbatim_store::rules::{self, CodeAt};
use verbatim_store::{Scope, StoreError};

use crate::reads::ReadError;

/// How deep a path is followed up (bounds a cycle in `parent`), as SQLite.
const MAX_DEPTH: i64 = 64;

/// Returns the code the scope edits, its codebook locked for the edit:
/// unknown when it does not exist or the scope may not see it, refused
/// when it is another coder's.
pub(crate) fn open_code(
    tx: &mut Transaction<'_>,
    scope: &Scope,
    id: i64,
) -> Result<CodeAt, ReadError> {
    let owner: Option<i64> = tx
        .query_opt("SELECT owner FROM codes WHERE id = $1", &[&id])?
        .map(|r| r.try_get(0))
        .transpose()?
        .ok_or_else(|| StoreError::UnknownCode(id.to_string()))?;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/codebook/' || $1::BIGINT::TEXT))",
        &[&owner.unwrap_or(0)],
    )?;
    other_code(tx, scope, id)
}

/// Returns a second code of the edit (a new parent, the code merged
/// into), its row locked, with the same refusals as [`open_code`].
pub(crate) fn other_code(
    tx: &mut Transaction<'_>,
    scope: &Scope,
    id: i64,
) -> Result<CodeAt, ReadError> {
    let row = tx
        .query_opt(
            "SELECT owner, name, level, parent FROM codes WHERE id = $1 FOR UPDATE",
            &[&id],
        )?
        .ok_or_else(|| StoreError::UnknownCode(id.to_string()))?;
    let code = CodeAt {
        owner: row.try_get(0)?,
        name: row.try_get(1)?,
        level: row.try_get(2)?,
        parent: row.try_get(3)?,
    };
    rules::writable(scope, id, &code.name, code.owner)?;
    Ok(code)
}

/// Returns every code below `id`, through primary parents and links.
pub(crate) fn below(tx: &mut Transaction<'_>, id: i64) -> Result<Vec<i64>, postgres::Error> {
    tx.query(
        "WITH RECURSIVE edge(child, parent) AS ( \
             SELECT id, parent FROM codes WHERE parent IS NOT NULL \
             UNION ALL SELECT child, parent FROM code_links), \
         below(id) AS (SELECT $1::BIGINT UNION SELECT edge.child FROM edge JOIN below ON edge.parent = below.id) \
         SELECT id FROM below WHERE id <> $1 ORDER BY id",
        &[&id],
    )?
    .iter()
    .map(|r| r.try_get(0))
    .collect()
}

/// Returns a code's path from the top (`Top/Middle/Code`), escaped.
pub(crate) fn path(tx: &mut Transaction<'_>, id: i64) -> Result<String, ReadError> {
    let names: Vec<String> = tx
        .query(
            "WITH RECURSIVE up(id, parent, name, depth) AS ( \
               SELECT id, parent, name, 0::BIGINT FROM codes WHERE id = $1 \
               UNION ALL SELECT c.id, c.parent, c.name, up.depth + 1 \
               FROM codes c JOIN up ON c.id = up.parent WHERE up.depth < $2) \
             SELECT name FROM up ORDER BY depth DESC",
            &[&id, &MAX_DEPTH],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    if names.is_empty() {
        return Err(StoreError::UnknownCode(id.to_string()).into());
    }
    Ok(join_path(&names))
}

/// Returns the code named `name` among the children of `parent` (`None`:
/// the top) in codebook `owner`.
fn sibling_named(
    tx: &mut Transaction<'_>,
    owner: Option<i64>,
    parent: Option<i64>,
    name: &str,
) -> Result<Option<i64>, postgres::Error> {
    tx.query_opt(
        "SELECT id FROM codes WHERE coalesce(owner, 0) = $1 AND coalesce(parent, 0) = $2 \
         AND name = $3",
        &[&owner.unwrap_or(0), &parent.unwrap_or(0), &name],
    )?
    .map(|r| r.try_get(0))
    .transpose()
}

/// Refuses `name` when a sibling other than `except` holds it.
pub(crate) fn check_name_free(
    tx: &mut Transaction<'_>,
    owner: Option<i64>,
    parent: Option<i64>,
    name: &str,
    except: Option<i64>,
) -> Result<(), ReadError> {
    match sibling_named(tx, owner, parent, name)? {
        Some(id) if Some(id) != except => {
            let place = match parent {
                Some(p) => Some(path(tx, p)?),
                None => None,
            };
            Err(rules::sibling_name_taken(name, place.as_deref()).into())
        }
        _ => Ok(()),
    }
}

/// Refuses to move the children of `from` under `parent` (a merge, or a
/// deletion moving them up) when one would meet a sibling of its name.
pub(crate) fn check_children_fit(
    tx: &mut Transaction<'_>,
    from: i64,
    owner: Option<i64>,
    parent: Option<i64>,
) -> Result<(), ReadError> {
    let children: Vec<(i64, String)> = tx
        .query(
            "SELECT id, name FROM codes WHERE parent = $1 ORDER BY id",
            &[&from],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;
    for (child, name) in children {
        if let Some(other) = sibling_named(tx, owner, parent, &name)?
            && other != from
            && other != child
        {
            return Err(rules::children_clash(&path(tx, child)?, &path(tx, other)?).into());
        }
    }
    Ok(())
}

/// Returns the children of `parent` (`None`: the top codes) in codebook
/// `owner` but `except`, by position then id.
pub(crate) fn children_of(
    tx: &mut Transaction<'_>,
    owner: Option<i64>,
    parent: Option<i64>,
    except: Option<i64>,
) -> Result<Vec<i64>, postgres::Error> {
    tx.query(
        "SELECT id FROM codes WHERE coalesce(owner, 0) = $1 AND coalesce(parent, 0) = $2 \
         AND id <> $3 ORDER BY position, id",
        &[
            &owner.unwrap_or(0),
            &parent.unwrap_or(0),
            &except.unwrap_or(0),
        ],
    )?
    .iter()
    .map(|r| r.try_get(0))
    .collect()
}

/// Returns the levels of a code's parents (primary and further) and of
/// its children (likewise).
pub(crate) fn neighbour_levels(
    tx: &mut Transaction<'_>,
    id: i64,
) -> Result<(Vec<i64>, Vec<i64>), postgres::Error> {
    let mut levels = |sql: &str| -> Result<Vec<i64>, postgres::Error> {
        tx.query(sql, &[&id])?
            .iter()
            .map(|r| r.try_get(0))
            .collect()
    };
    let parents = levels(
        "SELECT c.level FROM codes c WHERE c.id = (SELECT parent FROM codes WHERE id = $1) \
         UNION ALL SELECT c.level FROM code_links l JOIN codes c ON c.id = l.parent WHERE l.child = $1",
    )?;
    let children = levels(
        "SELECT level FROM codes WHERE parent = $1 \
         UNION ALL SELECT c.level FROM code_links l JOIN codes c ON c.id = l.child WHERE l.parent = $1",
    )?;
    Ok((parents, children))
}

/// Returns the ids `sql` selects with one id parameter, ascending.
pub(crate) fn ids(
    tx: &mut Transaction<'_>,
    sql: &str,
    id: i64,
) -> Result<Vec<i64>, postgres::Error> {
    tx.query(sql, &[&id])?
        .iter()
        .map(|r| r.try_get(0))
        .collect()
}
