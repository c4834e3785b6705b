//! Facts a report's methods section states that no other read gives:
//! the period over which codings were made, and
//! withdrawals.
//!
//! They are cheap aggregate reads (one query each, no text), so a report on
//! a large study does not pay for listings it never prints. Coding dates
//! are read per coder, so a coder's report never learns anything of a
//! hidden layer beyond what the scope allows.

use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::coders::Scope;
use crate::{SqliteStore, StoreError};

/// One de-identification run, as the methods section reports it: the
/// record the web interface's review lists too (read by
/// [`SqliteStore::deidentifications`] in `web_panels`).
pub use crate::web_panels::DeidRecord as Deidentification;

/// The first and last time a set of codings was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The earliest coding's time (RFC 3339).
    pub first: String,
    /// The latest coding's time (RFC 3339).
    pub last: String,
}

/// Returns whose codings a coding period covers: `coder` if the scope
/// may see that layer, else [`StoreError::Blind`]; with no coder named,
/// the scope's own, or everyone's (`None`) for a scope that sees all.
pub fn period_coder(scope: &Scope, coder: Option<i64>) -> Result<Option<i64>, StoreError> {
    match coder {
        Some(c) if c != scope.coder().id && !scope.sees_all() => Err(StoreError::Blind),
        Some(c) => Ok(Some(c)),
        None if scope.sees_all() => Ok(None),
        None => Ok(Some(scope.coder().id)),
    }
}

impl SqliteStore {
    /// Returns when the coder's codings (all the scope sees, with `None`)
    /// were first and last made; `None` when there are none.
    pub fn coding_period(
        &self,
        scope: &Scope,
        coder: Option<i64>,
    ) -> Result<Option<Period>, StoreError> {
        let only = period_coder(scope, coder)?.unwrap_or(0);
        let row: Option<(Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT min(created_at), max(created_at) FROM codings \
                 WHERE $1 = 0 OR coder_id = $1",
                [only],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match row {
            Some((Some(first), Some(last))) => Some(Period { first, last }),
            _ => None,
        })
    }

    /// Returns how many participants withdrew (their speech removed).
    pub fn withdrawn_participants(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(DISTINCT participant_id) FROM consents WHERE status = 'withdrawn'",
            [],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::{fixture, span_of};
    use crate::{NewCode, StoreError};

    /// A study nobody de-identified reports no run; the coding period is
    /// the coder's own, and another coder's stays hidden until revealed.
    #[test]
    fn coding_period_is_blind() {
        let mut f = fixture();
        assert!(f.store.deidentifications().unwrap().is_empty());
        assert_eq!(f.store.withdrawn_participants().unwrap(), 0);
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        assert_eq!(f.store.coding_period(&amira, None).unwrap(), None);
        let code = f
            .store
            .add_code(
                &amira,
                &NewCode {
                    name: "Confiance".into(),
                    ..NewCode::default()
                },
            )
            .unwrap();
        f.store
            .add_coding(&amira, f.source, span_of("La confiance"), code, None)
            .unwrap();
        let period = f.store.coding_period(&amira, None).unwrap().unwrap();
        assert!(period.first <= period.last && period.first.starts_with("20"));
        assert_eq!(f.store.coding_period(&bruno, None).unwrap(), None);
        let amira_id = amira.coder().id;
        assert!(matches!(
            f.store.coding_period(&bruno, Some(amira_id)),
            Err(StoreError::Blind)
        ));
    }
}
