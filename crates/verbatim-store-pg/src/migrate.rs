//! The PostgreSQL schema of a study: embedded, numbered migrations applied
//! inside the study's own schema.
//!
//! The numbers are PostgreSQL's own (they need not follow SQLite's); the
//! applied ones are listed in `verbatim_migrations`, whose presence is also
//! what marks a schema as a verbatim study. Each upgrade runs in one
//! transaction, so a failed upgrade leaves the study as it was (PostgreSQL
//! DDL is transactional: no backup copy is needed, unlike SQLite files).

use postgres::Transaction;

/// The migrations, in order: (version, SQL).
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_sources.sql")),
    (2, include_str!("../migrations/0002_append_only_audit.sql")),
    (3, include_str!("../migrations/0003_coding.sql")),
    (4, include_str!("../migrations/0004_audit_account.sql")),
    (5, include_str!("../migrations/0005_sibling_names.sql")),
    (6, include_str!("../migrations/0006_consensus.sql")),
    (
        7,
        include_str!("../migrations/0007_participants_journal.sql"),
    ),
    (8, include_str!("../migrations/0008_accounts.sql")),
    (9, include_str!("../migrations/0009_audit_count.sql")),
    (10, include_str!("../migrations/0010_one_coding.sql")),
    (11, include_str!("../migrations/0011_code_translations.sql")),
    (12, include_str!("../migrations/0012_guides_done.sql")),
    (13, include_str!("../migrations/0013_deidentification.sql")),
    (14, include_str!("../migrations/0014_media.sql")),
    (17, include_str!("../migrations/0017_audit_count_slots.sql")),
    (18, include_str!("../migrations/0018_look_first.sql")),
    (19, include_str!("../migrations/0019_coding_cheaper.sql")),
    (20, include_str!("../migrations/0020_passage_key_first.sql")),
];

/// The newest schema version this build knows.
pub const LATEST: i64 = 20;

/// Creates the bookkeeping table in a new, empty study schema.
pub(crate) fn start(tx: &mut Transaction<'_>) -> Result<(), postgres::Error> {
    tx.batch_execute(
        "CREATE TABLE verbatim_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
}

/// Returns the newest version applied to the study.
pub(crate) fn version(tx: &mut impl postgres::GenericClient) -> Result<i64, postgres::Error> {
    let row = tx.query_one(
        "SELECT coalesce(max(version), 0) FROM verbatim_migrations",
        &[],
    )?;
    row.try_get(0)
}

/// Returns the numbers of the migrations this build knows that the study
/// has not applied. Not only those above its version: numbers are taken
/// by parallel branches, so a study may have 11 and 12 before 10 arrives.
fn missing(tx: &mut impl postgres::GenericClient) -> Result<Vec<i64>, postgres::Error> {
    let applied: Vec<i64> = tx
        .query("SELECT version FROM verbatim_migrations", &[])?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    Ok(MIGRATIONS
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !applied.contains(n))
        .collect())
}

/// Returns true when the study lacks a migration this build knows.
pub(crate) fn pending(tx: &mut impl postgres::GenericClient) -> Result<bool, postgres::Error> {
    Ok(!missing(tx)?.is_empty())
}

/// Applies, in order, every migration the study has not applied.
pub(crate) fn apply(tx: &mut Transaction<'_>) -> Result<(), postgres::Error> {
    let missing = missing(tx)?;
    for (number, sql) in MIGRATIONS.iter().filter(|(n, _)| missing.contains(n)) {
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO verbatim_migrations (version, applied_at) VALUES ($1, $2)",
            &[number, &crate::now()],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_is_the_last_migration() {
        let numbers: Vec<i64> = MIGRATIONS.iter().map(|(n, _)| *n).collect();
        // Strictly ascending, the last one LATEST (0006 arrives from
        // another branch; with it the list is 1, 2, … with no gap).
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
        assert_eq!(numbers.last(), Some(&LATEST));
    }
}
