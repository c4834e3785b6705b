//! `Reveal` on PostgreSQL: the owner's irreversible step that opens every
//! coder's layer, kept as SQLite keeps it (a `revealed_at` row of the
//! `study` table, read by `Coders::layers_open`, and a `study.reveal`
//! audit entry saying who, not undoable). The study table's primary key
//! settles two processes revealing at once: one row, one entry.

use verbatim_store::{Reveal, StoreError};

use crate::failure::OrServer;
use crate::{PgStore, audit};

impl Reveal for PgStore {
    fn reveal(&mut self, actor: &str) -> Result<bool, StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let at = crate::now();
        let inserted = tx
            .execute(
                "INSERT INTO study (key, value) VALUES ('revealed_at', $1) \
                 ON CONFLICT (key) DO NOTHING",
                &[&at],
            )
            .or_server(&address)?;
        if inserted == 0 {
            return Ok(false);
        }
        audit::append(
            &mut tx,
            actor,
            "study.reveal",
            None,
            &serde_json::json!({ "revealed_at": at, "revealed_by": actor }),
        )
        .or_server(&address)?;
        tx.commit().or_server(&address)?;
        Ok(true)
    }

    fn revealed(&self) -> Result<Option<(String, String)>, StoreError> {
        let row = self
            .client()
            .query_typed_opt(
                "SELECT s.value, (SELECT actor FROM audit WHERE action = 'study.reveal' \
                 ORDER BY at LIMIT 1) FROM study s WHERE s.key = 'revealed_at'",
                &[],
            )
            .or_server(self.address())?;
        let Some(row) = row else { return Ok(None) };
        let at: String = row.try_get(0).or_server(self.address())?;
        let by: Option<String> = row.try_get(1).or_server(self.address())?;
        Ok(Some((by.unwrap_or_else(|| "unknown".into()), at)))
    }
}
