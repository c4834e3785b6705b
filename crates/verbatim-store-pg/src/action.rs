//! One user action in one server transaction: the body reads and writes
//! through the transaction and answers with either a server error or the
//! store's own refusal ([`ReadError`]); a refusal or a failure rolls
//! everything back, so a refused action leaves the study unchanged.

use postgres::Transaction;
use verbatim_store::StoreError;

use crate::PgStore;
use crate::failure::OrServer;
use crate::reads::ReadError;

impl PgStore {
    /// Runs `body` in a new transaction and commits what it did when it
    /// succeeds.
    pub(crate) fn in_transaction<T>(
        &self,
        body: impl FnOnce(&mut Transaction<'_>) -> Result<T, ReadError>,
    ) -> Result<T, StoreError> {
        let address = self.address().clone();
        let mut client = self.client();
        let mut tx = client.transaction().or_server(&address)?;
        let done = body(&mut tx).map_err(|e| self.read_error(e))?;
        tx.commit().or_server(&address)?;
        Ok(done)
    }
}
