//! The boundary concerns PostgreSQL does not build yet: each impl keeps the
//! trait's default bodies, which answer that the operation works on study
//! files only for now. A concern leaves this file for its own module when
//! `PgStore` implements it.

use verbatim_store::{DeidRecord, Deidentifying, Media, Recording, StoreError};

use crate::PgStore;

impl Media for PgStore {
    /// A server's study keeps no recordings yet (`verbatim copy` refuses a
    /// study that has them), so no source has one: the reader shows its
    /// text without a player.
    fn recording(&self, _source_id: i64) -> Result<Option<Recording>, StoreError> {
        Ok(None)
    }
}

impl Deidentifying for PgStore {
    /// No replacement has been made on a server's study (its schema keeps
    /// none yet, and `verbatim copy` refuses a study that has them), so the
    /// participants page lists none.
    fn deidentifications(&self) -> Result<Vec<DeidRecord>, StoreError> {
        Ok(Vec::new())
    }
}
