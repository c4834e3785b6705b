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
    (13, include_str!("../migrations/0013_deidentification.sql")),
    (14, include_str!("../migrations/0014_media.sql")),
];

/// The newest schema version this build knows.
pub const LATEST: i64 = 14;

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

/// Returns true when the study has had every migration this build knows.
pub(crate) fn all_applied(
    client: &mut impl postgres::GenericClient,
) -> Result<bool, postgres::Error> {
    let row = client.query_one("SELECT count(*) FROM verbatim_migrations", &[])?;
    Ok(row.try_get::<_, i64>(0)? >= MIGRATIONS.len() as i64)
}

/// Applies every migration the study has not had yet. Numbers are
/// branches' own and may leave gaps that a later merge fills (0013 came
/// before 0010-0012), so each is looked up in the list of those applied,
/// not compared with the newest one.
pub(crate) fn apply(tx: &mut Transaction<'_>) -> Result<(), postgres::Error> {
    let mut applied = Vec::new();
    for row in tx.query("SELECT version FROM verbatim_migrations", &[])? {
        applied.push(row.try_get::<_, i64>(0)?);
    }
    for (number, sql) in MIGRATIONS.iter().filter(|(n, _)| !applied.contains(n)) {
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
