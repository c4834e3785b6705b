//! Who logged in to a team server, and who tried, on PostgreSQL: one row
//! of `logins` per login, failed login, logout and invitation use, as
//! SQLite keeps them (the name cleaned by `rules::login_name`). Written
//! straight, outside the audit log and the undo history.

use postgres::GenericClient;
use verbatim_store::{LoginEvent, LoginRecord, rules};

/// Records one event for the name typed, from `address`.
pub(crate) fn record(
    client: &mut impl GenericClient,
    name: &str,
    event: LoginEvent,
    address: Option<&str>,
) -> Result<(), postgres::Error> {
    client.execute(
        "INSERT INTO logins (at, name, event, address) VALUES ($1, $2, $3, $4)",
        &[
            &crate::now(),
            &rules::login_name(name),
            &event.as_str(),
            &address,
        ],
    )?;
    Ok(())
}

/// Returns the newest `limit` events, newest first.
pub(crate) fn newest(
    client: &mut impl GenericClient,
    limit: usize,
) -> Result<Vec<LoginRecord>, postgres::Error> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    client
        .query(
            "SELECT at, name, event, address FROM logins ORDER BY id DESC LIMIT $1",
            &[&limit],
        )?
        .iter()
        .map(|r| {
            Ok(LoginRecord {
                at: r.try_get(0)?,
                name: r.try_get(1)?,
                event: r.try_get(2)?,
                address: r.try_get(3)?,
            })
        })
        .collect()
}
