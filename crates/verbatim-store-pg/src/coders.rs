//! `Coders` on PostgreSQL: the team's coders, the consensus row, the code
//! levels and whether the layers are open, read as SQLite reads them; the
//! rules (names, initials, colours, scopes) are `verbatim_store::rules` and
//! the trait's provided methods.

use postgres::types::Type;
use postgres::{Row, Transaction};
use verbatim_store::{Coder, Coders, Level, StoreError, rules};

use crate::failure::OrServer;
use crate::record::{Recorder, is_unique_violation};
use crate::{PgAddress, PgStore, now};

const CODER: &str = "SELECT id, name, initials, colour FROM coders";

/// A coder by name: every web request's scope starts here, so the
/// statement is kept prepared on each connection (`pool.rs`).
const CODER_BY_NAME: &str =
    "SELECT id, name, initials, colour FROM coders WHERE name = $1 AND kind = 'coder'";

fn coder(row: &Row) -> Result<Coder, postgres::Error> {
    Ok(Coder {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        initials: row.try_get(2)?,
        colour: row.try_get(3)?,
    })
}

/// Inserts the coder `name` (checked already) through `rec` inside the
/// caller's transaction, with its initials and the next colour, as
/// SQLite's `coders::insert_coder` does.
pub(crate) fn insert_coder(
    tx: &mut Transaction<'_>,
    rec: &mut Recorder,
    address: &PgAddress,
    name: &str,
    initials: Option<&str>,
    colour: Option<&str>,
) -> Result<Coder, StoreError> {
    let initials = rules::initials(initials, name)?;
    let count: i64 = tx
        .query_one("SELECT count(*) FROM coders WHERE kind = 'coder'", &[])
        .and_then(|r| r.try_get(0))
        .or_server(address)?;
    let colour = rules::coder_colour(colour, count)?;
    let guid = uuid::Uuid::new_v4().to_string();
    let created = now();
    // The unique key on names, not a check before, is what keeps two
    // processes adding the same name from both succeeding.
    let id = match rec.insert(
        tx,
        "coders",
        &[
            ("guid", &guid),
            ("name", &name),
            ("initials", &initials),
            ("colour", &colour),
            ("created_at", &created),
        ],
    ) {
        Err(e) if is_unique_violation(&e) => return Err(rules::coder_name_taken(name)),
        other => other.or_server(address)?,
    };
    Ok(Coder {
        id,
        name: name.to_owned(),
        initials,
        colour,
    })
}

impl Coders for PgStore {
    fn add_coder(
        &mut self,
        actor: &str,
        name: &str,
        initials: Option<&str>,
        colour: Option<&str>,
    ) -> Result<Coder, StoreError> {
        let name = rules::coder_name(name, &self.consensus_coder()?)?;
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let mut rec = Recorder::default();
        let coder = insert_coder(&mut tx, &mut rec, &address, &name, initials, colour)?;
        rec.finish(
            &mut tx,
            actor,
            "coder.add",
            Some(&format!("coder:{}", coder.id)),
            serde_json::json!({ "name": name }),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(coder)
    }

    fn coders(&self) -> Result<Vec<Coder>, StoreError> {
        let rows = self
            .client()
            .query(&format!("{CODER} WHERE kind = 'coder' ORDER BY id"), &[])
            .or_server(self.address())?;
        rows.iter()
            .map(coder)
            .collect::<Result<_, _>>()
            .or_server(self.address())
    }

    fn coder_by_name(&self, name: &str) -> Result<Option<Coder>, StoreError> {
        crate::lookup::by_name(name, || {
            self.client()
                .query_kept(CODER_BY_NAME, &[Type::TEXT], &[&name.trim()])
                .and_then(|rows| rows.first().map(coder).transpose())
        })
        .or_server(self.address())
    }

    fn consensus_coder(&self) -> Result<Coder, StoreError> {
        self.client()
            .query_one(&format!("{CODER} WHERE kind = 'consensus'"), &[])
            .and_then(|r| coder(&r))
            .or_server(self.address())
    }

    fn layers_open(&self) -> Result<bool, StoreError> {
        // Revealed or solo are keys of the study table, as on SQLite (a
        // copied study keeps them); else fewer than two coders.
        self.client()
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM study WHERE key IN ('revealed_at', 'solo_at')) \
                 OR (SELECT count(*) FROM coders WHERE kind = 'coder') < 2",
                &[],
            )
            .and_then(|r| r.try_get(0))
            .or_server(self.address())
    }

    fn levels(&self) -> Result<Vec<Level>, StoreError> {
        let rows = self
            .client()
            .query("SELECT rank, name FROM levels ORDER BY rank", &[])
            .or_server(self.address())?;
        rows.iter()
            .map(|r| {
                Ok(Level {
                    rank: r.try_get(0)?,
                    name: r.try_get(1)?,
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }
}
