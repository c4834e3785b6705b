//! `AgreementReads` on PostgreSQL: the codes, sources and codings an
//! intercoder agreement reads; which coders, codes and spans are compared
//! is decided by the trait's provided methods, as on SQLite.
//!
//! Codes are paired by the reconciliation decisions (migration 0006) as on
//! SQLite. A coder analysed a source when they coded it with an analytic
//! code or marked it done (migration 0012), as on SQLite.

use verbatim_store::{
    AgreementReads, CodingSpanRow, SourceSize, StoreError,
    agreement_data::{PairingCode, ReconciledOrigin},
};

use crate::PgStore;
use crate::failure::OrServer;

impl AgreementReads for PgStore {
    fn pairing_codes(&self) -> Result<Vec<PairingCode>, StoreError> {
        let rows = self
            .client()
            .query("SELECT id, owner, name, parent, level FROM codes", &[])
            .or_server(self.address())?;
        rows.iter()
            .map(|r| {
                Ok(PairingCode {
                    id: r.try_get(0)?,
                    owner: r.try_get(1)?,
                    name: r.try_get(2)?,
                    parent: r.try_get(3)?,
                    level: r.try_get(4)?,
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }

    fn reconciled_origins(&self) -> Result<Vec<ReconciledOrigin>, StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT o.code_id, o.owner, o.shared_code FROM reconciliation_origins o \
                 JOIN reconciliation_decisions d ON d.id = o.decision_id \
                 JOIN codes s ON s.id = o.shared_code AND s.owner IS NULL \
                 WHERE d.kind IN ('accept', 'merge') AND o.owner IS NOT NULL ORDER BY o.id",
                &[],
            )
            .or_server(self.address())?;
        rows.iter()
            .map(|r| {
                Ok(ReconciledOrigin {
                    code: r.try_get(0)?,
                    owner: r.try_get(1)?,
                    shared: r.try_get(2)?,
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }

    fn analysed_sources(&self, coder: i64) -> Result<Vec<i64>, StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT g.source_id FROM codings g JOIN codes c ON c.id = g.code_id \
                 WHERE g.coder_id = $1 AND c.kind = 'analytic' \
                 UNION SELECT source_id FROM source_done WHERE coder_id = $1 ORDER BY 1",
                &[&coder],
            )
            .or_server(self.address())?;
        rows.iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()
            .or_server(self.address())
    }

    fn compared_source_sizes(&self) -> Result<Vec<SourceSize>, StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT id, name, chars FROM sources WHERE kind <> 'context' ORDER BY id",
                &[],
            )
            .or_server(self.address())?;
        rows.iter()
            .map(|r| {
                Ok(SourceSize {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    chars: r.try_get(2)?,
                })
            })
            .collect::<Result<_, postgres::Error>>()
            .or_server(self.address())
    }

    fn each_coding(&self, visit: &mut dyn FnMut(CodingSpanRow)) -> Result<(), StoreError> {
        let rows = self
            .client()
            .query(
                "SELECT source_id, code_id, coder_id, start_char, end_char FROM codings",
                &[],
            )
            .or_server(self.address())?;
        for r in &rows {
            let row = (|| {
                Ok::<_, postgres::Error>(CodingSpanRow {
                    source: r.try_get(0)?,
                    code: r.try_get(1)?,
                    coder: r.try_get(2)?,
                    start: r.try_get(3)?,
                    end: r.try_get(4)?,
                })
            })()
            .or_server(self.address())?;
            visit(row);
        }
        Ok(())
    }
}
