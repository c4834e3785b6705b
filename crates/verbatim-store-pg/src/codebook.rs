//! `Codebook` on PostgreSQL: adding a code, finding one by name, and a
//! codebook's tree with counts. The checks and the tree's order and totals
//! are `verbatim_store::rules`, so both backends answer alike; the parent
//! row is locked while a child is added, and the unique index on names
//! settles two processes adding one name at once.

use postgres::{GenericClient, Transaction};
use verbatim_store::{
    Book, CodeFields, CodeKind, CodeNode, Codebook, Coders, NewCode, Scope, StoreError, rules,
};

use crate::failure::OrServer;
use crate::record::{Recorder, is_unique_violation};
use crate::{PgStore, now};

impl Codebook for PgStore {
    fn add_code(&mut self, scope: &Scope, new: &NewCode) -> Result<i64, StoreError> {
        let name = rules::code_name(&new.name)?;
        let levels = self.levels()?;
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let (owner, parent_level) = match new.parent {
            Some(parent) => {
                let row = tx
                    .query_opt(
                        "SELECT owner, name, level FROM codes WHERE id = $1 FOR UPDATE",
                        &[&parent],
                    )
                    .or_server(&address)?
                    .ok_or_else(|| StoreError::UnknownCode(parent.to_string()))?;
                let (owner, parent_name, level): (Option<i64>, String, i64) = (
                    row.try_get(0).or_server(&address)?,
                    row.try_get(1).or_server(&address)?,
                    row.try_get(2).or_server(&address)?,
                );
                rules::writable(scope, parent, &parent_name, owner)?;
                if new.book.is_some() && rules::new_code_owner(scope, new.book)? != owner {
                    return Err(StoreError::Invalid(
                        "a code must be in the same codebook as its parent".into(),
                    ));
                }
                (owner, Some(level))
            }
            None => (rules::new_code_owner(scope, new.book)?, None),
        };
        let level = rules::child_level(&levels, parent_level, new.level.as_deref())?;
        // Names are unique among siblings only, as on SQLite (its 0019),
        // refused in SQLite's sentence (with the parent's path).
        crate::code_rows::check_name_free(&mut tx, owner, new.parent, &name, None)
            .map_err(|e| self.read_error(e))?;
        let fields = rules::code_fields(&new.fields)?;
        let position: i64 = tx
            .query_one(
                "SELECT count(*) FROM codes WHERE coalesce(owner, 0) = $1 \
                 AND coalesce(parent, 0) = $2",
                &[&owner.unwrap_or(0), &new.parent.unwrap_or(0)],
            )
            .and_then(|r| r.try_get(0))
            .or_server(&address)?;
        let id = insert_code(&mut tx, scope, new, &name, owner, level, position, &fields);
        let id = match id {
            Err(e) if is_unique_violation(&e) => return Err(rules::code_name_taken(&name)),
            other => other.or_server(&address)?,
        };
        tx.commit().or_server(&address)?;
        Ok(id)
    }

    fn code_tree(&self, scope: &Scope, book: Book) -> Result<Vec<CodeNode>, StoreError> {
        let owner = book.owner(scope);
        if !scope.may_see(owner) {
            return Err(StoreError::Blind);
        }
        let levels = self.levels()?;
        // The consensus layer is the team's, never blind: a coder's tree of
        // the shared codebook counts its passages too.
        let coder = if scope.sees_all() {
            0
        } else {
            scope.coder().id
        };
        let consensus = self.consensus_coder()?.id;
        let mut client = self.client();
        let mut read = || -> Result<_, postgres::Error> {
            let book = owner.unwrap_or(0);
            let nodes = client
                .query(
                    "SELECT id, guid, name, level, owner, parent, position, colour, definition, \
                     inclusion, exclusion, example, kind FROM codes \
                     WHERE coalesce(owner, 0) = $1 ORDER BY position, id",
                    &[&book],
                )?
                .iter()
                .map(|r| node(r, &levels))
                .collect::<Result<Vec<_>, _>>()?;
            let links = client
                .query(
                    "SELECT l.child, l.parent FROM code_links l JOIN codes c ON c.id = l.child \
                     WHERE coalesce(c.owner, 0) = $1 ORDER BY l.id",
                    &[&book],
                )?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<Vec<_>, postgres::Error>>()?;
            let counts = client
                .query(
                    "SELECT k.code_id, k.source_id, count(*) FROM codings k \
                     JOIN codes c ON c.id = k.code_id WHERE coalesce(c.owner, 0) = $1 \
                     AND ($2::BIGINT = 0 OR k.coder_id IN ($2, $3::BIGINT)) GROUP BY k.code_id, k.source_id",
                    &[&book, &coder, &consensus],
                )?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                .collect::<Result<Vec<_>, postgres::Error>>()?;
            Ok((nodes, links, counts))
        };
        let (nodes, links, counts) = read().or_server(self.address())?;
        Ok(rules::arrange_tree(nodes, &links, &counts))
    }

    fn find_code(&self, scope: &Scope, word: &str, book: Option<Book>) -> Result<i64, StoreError> {
        let word = word.trim();
        let mut client = self.client();
        if let Ok(id) = word.parse::<i64>() {
            let owner: Option<Option<i64>> = client
                .query_opt("SELECT owner FROM codes WHERE id = $1", &[&id])
                .and_then(|r| r.map(|r| r.try_get(0)).transpose())
                .or_server(self.address())?;
            if owner.is_some_and(|o| scope.may_see(o)) {
                return Ok(id);
            }
        }
        let mut found = Vec::new();
        for owner in rules::lookup_books(scope, book) {
            found.extend(codes_named(&mut *client, owner, word).or_server(self.address())?);
        }
        rules::one_code(word, &found)
    }
}

/// Returns the ids of the codes named `name` anywhere in codebook `owner`
/// (names repeat under different parents), by id.
fn codes_named(
    client: &mut impl GenericClient,
    owner: Option<i64>,
    name: &str,
) -> Result<Vec<i64>, postgres::Error> {
    crate::lookup::by_name(name, || {
        let rows = client.query(
            "SELECT id FROM codes WHERE coalesce(owner, 0) = $1 AND name = $2 ORDER BY id",
            &[&owner.unwrap_or(0), &name],
        )?;
        rows.iter().map(|r| r.try_get(0)).collect()
    })
}

/// Inserts the code and its audit entry (`code.add`, as on SQLite).
#[allow(clippy::too_many_arguments)]
fn insert_code(
    tx: &mut Transaction<'_>,
    scope: &Scope,
    new: &NewCode,
    name: &str,
    owner: Option<i64>,
    level: i64,
    position: i64,
    fields: &CodeFields,
) -> Result<i64, postgres::Error> {
    let mut rec = Recorder::default();
    let (guid, created) = (uuid::Uuid::new_v4().to_string(), now());
    let id = rec.insert(
        tx,
        "codes",
        &[
            ("guid", &guid),
            ("owner", &owner),
            ("name", &name),
            ("level", &level),
            ("parent", &new.parent),
            ("position", &position),
            ("colour", &fields.colour),
            ("definition", &fields.definition),
            ("inclusion", &fields.inclusion),
            ("exclusion", &fields.exclusion),
            ("example", &fields.example),
            ("created_at", &created),
        ],
    )?;
    rec.finish(
        tx,
        &scope.coder().name,
        "code.add",
        Some(&format!("code:{id}")),
        serde_json::json!({ "name": name, "parent": new.parent, "level": level }),
    )?;
    Ok(id)
}

/// Returns a code row as the tree shows it, counts still zero.
fn node(r: &postgres::Row, levels: &[verbatim_store::Level]) -> Result<CodeNode, postgres::Error> {
    let level: i64 = r.try_get(3)?;
    Ok(CodeNode {
        id: r.try_get(0)?,
        guid: r.try_get(1)?,
        name: r.try_get(2)?,
        level,
        level_name: rules::level_name(levels, level),
        owner: r.try_get(4)?,
        parent: r.try_get(5)?,
        also_under: Vec::new(),
        position: r.try_get(6)?,
        kind: CodeKind::from_db(r.try_get(12)?),
        fields: CodeFields {
            colour: r.try_get(7)?,
            definition: r.try_get(8)?,
            inclusion: r.try_get(9)?,
            exclusion: r.try_get(10)?,
            example: r.try_get(11)?,
        },
        codings: 0,
        sources: 0,
        codings_total: 0,
        sources_total: 0,
    })
}
