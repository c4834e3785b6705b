//! The boundary concerns PostgreSQL does not build yet: each impl keeps the
//! trait's default bodies, which answer that the operation works on study
//! files only for now. A concern leaves this file for its own module when
//! `PgStore` implements it.

use verbatim_store::{Media, Recording, StoreError};

use crate::PgStore;

impl Media for PgStore {
    /// A server's study keeps no recordings yet (`verbatim copy` refuses a
    /// study that has them), so no source has one: the reader shows its
    /// text without a player.
    fn recording(&self, _source_id: i64) -> Result<Option<Recording>, StoreError> {
        Ok(None)
    }
}
