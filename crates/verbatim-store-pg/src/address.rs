//! Where a PostgreSQL study lives: `postgres://USER[:PASS]@HOST[:PORT]/DB?study=NAME`,
//! and the database that holds many ([`PgDatabase`], the same address
//! without `?study=`).
//!
//! One server database holds many studies, one PostgreSQL schema each, named
//! by `study=`. The name becomes an SQL identifier, so it is restricted to
//! lower-case letters, digits and `_` (starting with a letter) and never one
//! of PostgreSQL's own schemas. The address shown in messages leaves the
//! password out.

use std::str::FromStr;

use postgres::config::{Config, Host};
use verbatim_store::StoreError;

/// The longest schema name PostgreSQL keeps without truncating it.
const MAX_NAME: usize = 63;

/// How long connecting may take unless the address says
/// (`connect_timeout=`).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A parsed study address: how to reach the server, and which study.
#[derive(Clone)]
pub struct PgAddress {
    pub(crate) config: Config,
    study: String,
    shown: String,
}

impl std::fmt::Debug for PgAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl std::fmt::Display for PgAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl PgAddress {
    /// Returns true when `word` names a PostgreSQL study rather than a file.
    pub fn is_postgres(word: &str) -> bool {
        word.starts_with("postgres://") || word.starts_with("postgresql://")
    }

    /// Returns the study's name (its schema on the server).
    pub fn study(&self) -> &str {
        &self.study
    }
}

impl FromStr for PgAddress {
    type Err = StoreError;

    fn from_str(address: &str) -> Result<Self, StoreError> {
        let (config, study) = parse(address)?;
        let study = study.ok_or_else(|| {
            bad(
                address,
                "it names no study; end it with ?study=NAME (one study per name on a database; \
                 `verbatim serve --dir` takes the database alone and serves all its studies)",
            )
        })?;
        check_name(&study)?;
        if study == crate::studies::SERVER_SCHEMA {
            return Err(StoreError::BadAddress(format!(
                "study name {study:?} cannot be used: verbatim keeps what the servers of a database share under that name; choose another ?study= name"
            )));
        }
        let shown = shown(&config, Some(&study));
        Ok(Self {
            config,
            study,
            shown,
        })
    }
}

/// A database that holds studies, one schema each, addressed without a
/// study: `postgres://USER[:PASS]@HOST[:PORT]/DB` (what `serve --dir`
/// serves). [`PgDatabase::study`] names one of its studies.
#[derive(Clone)]
pub struct PgDatabase {
    pub(crate) config: Config,
    shown: String,
}

impl std::fmt::Debug for PgDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl std::fmt::Display for PgDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl PgDatabase {
    /// Returns the address of the study `name` of this database, or the
    /// sentence saying why `name` cannot name a study.
    pub fn study(&self, name: &str) -> Result<PgAddress, StoreError> {
        check_name(name)?;
        Ok(PgAddress {
            config: self.config.clone(),
            study: name.to_owned(),
            shown: shown(&self.config, Some(name)),
        })
    }

    /// Returns `Ok` when `name` can name a study (a schema) of a database,
    /// else the sentence saying what to write instead.
    pub fn check_study_name(name: &str) -> Result<(), StoreError> {
        check_name(name)
    }
}

impl FromStr for PgDatabase {
    type Err = StoreError;

    fn from_str(address: &str) -> Result<Self, StoreError> {
        let (config, study) = parse(address)?;
        if study.is_some() {
            return Err(StoreError::BadAddress(format!(
                "{} names one study (?study=): to serve every study of the database, leave ?study= out and write postgres://USER@HOST:PORT/DB",
                without_password(address)
            )));
        }
        let shown = shown(&config, None);
        Ok(Self { config, shown })
    }
}

/// Parses an address into the server's configuration and the study it
/// names, if any.
fn parse(address: &str) -> Result<(Config, Option<String>), StoreError> {
    if !PgAddress::is_postgres(address) {
        return Err(bad(
            address,
            "it must start with postgres:// (write postgres://USER@HOST:PORT/DB?study=NAME)",
        ));
    }
    check_escapes(address)?;
    let (base, query) = address.split_once('?').unwrap_or((address, ""));
    let mut study = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let key = pair.split_once('=').map_or(pair, |(key, _)| key);
        if !KNOWN.contains(&key) {
            return Err(bad(
                address,
                &format!(
                    "it has a parameter {key:?} verbatim does not know; remove it (verbatim reads study= and pool=, and PostgreSQL's connection settings such as connect_timeout= or application_name=)"
                ),
            ));
        }
        match pair.split_once('=') {
            Some(("study", _)) if study.is_some() => {
                return Err(bad(address, "it names two studies; keep one ?study=NAME"));
            }
            Some(("study", name)) => study = Some(name.to_owned()),
            // The connection pool's size, read where the pool is made.
            _ if key == "pool" => {}
            _ => rest.push(pair),
        }
    }
    let connect = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    let mut config = Config::from_str(&connect).map_err(|e| {
        bad(
            address,
            &format!("{e}; write postgres://USER@HOST:PORT/DB?study=NAME"),
        )
    })?;
    if config.get_user().is_none() {
        return Err(bad(
            address,
            "it names no user; write postgres://USER@HOST:PORT/DB?study=NAME",
        ));
    }
    if config.get_connect_timeout().is_none() {
        // A server that does not answer (a host that drops packets) is
        // reported after this long rather than after the system's minutes.
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    Ok((config, study))
}

/// The query parameters an address may carry: verbatim's own (`study`,
/// `pool`), then the PostgreSQL client's.
const KNOWN: &[&str] = &[
    "study",
    "pool",
    "user",
    "password",
    "dbname",
    "options",
    "application_name",
    "sslmode",
    "host",
    "hostaddr",
    "port",
    "connect_timeout",
    "tcp_user_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
];

/// Refuses a `%` not followed by two hexadecimal digits, and escapes that
/// decode to bytes that are not UTF-8 text.
fn check_escapes(address: &str) -> Result<(), StoreError> {
    let bytes = address.as_bytes();
    for (at, _) in address.match_indices('%') {
        let hex = bytes
            .get(at + 1..at + 3)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if !hex {
            return Err(bad(
                address,
                &format!(
                    "the % at character {} does not start an escape (% and two hexadecimal digits); write %25 for a % itself",
                    address[..at].chars().count() + 1
                ),
            ));
        }
    }
    let decoded: Vec<u8> = percent_decode(bytes);
    if std::str::from_utf8(&decoded).is_err() {
        return Err(bad(
            address,
            "its %-escapes decode to bytes that are not UTF-8 text; escape each byte of the UTF-8 form (é is %C3%A9)",
        ));
    }
    Ok(())
}

/// Returns `bytes` with every `%XX` escape decoded (escapes already checked).
fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// Refuses study names that are not plain lower-case SQL identifiers,
/// saying what is wrong with the name given.
fn check_name(name: &str) -> Result<(), StoreError> {
    let length = name.chars().count();
    let why = if name.is_empty() {
        String::from("it is empty")
    } else if length > MAX_NAME {
        format!("it is {length} characters long and PostgreSQL keeps {MAX_NAME}")
    } else if name.starts_with("pg_") || name == "public" || name == "information_schema" {
        String::from("PostgreSQL keeps that name for itself")
    } else if name.chars().any(|c| c.is_ascii_uppercase()) {
        String::from("it has upper-case letters")
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        String::from("it does not start with a letter")
    } else if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        format!("it holds {c:?}")
    } else {
        return Ok(());
    };
    Err(StoreError::BadAddress(format!(
        "study name {name:?} cannot be used ({why}): write up to {MAX_NAME} lower-case letters, digits and _, starting with a letter (not public or pg_…)"
    )))
}

fn bad(address: &str, why: &str) -> StoreError {
    StoreError::BadAddress(format!(
        "{} is not a PostgreSQL study address: {why}",
        without_password(address)
    ))
}

/// Returns the address as written, minus any password, for messages about
/// an address that could not be parsed.
fn without_password(address: &str) -> String {
    let Some((scheme, rest)) = address.split_once("://") else {
        return address.to_owned();
    };
    match rest.split_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(u, _)| u);
            format!("{scheme}://{user}@{host}")
        }
        None => address.to_owned(),
    }
}

/// Returns the address messages show: user, host, port, database and
/// study (when there is one).
fn shown(config: &Config, study: Option<&str>) -> String {
    let user = config.get_user().unwrap_or_default();
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        Some(Host::Unix(dir)) => dir.display().to_string(),
        None => String::from("localhost"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(user);
    match study {
        Some(study) => format!("postgres://{user}@{host}:{port}/{db}?study={study}"),
        None => format!("postgres://{user}@{host}:{port}/{db}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_names_server_database_and_study() {
        let a: PgAddress = "postgres://amira:secret@db.lab:6543/verbatim?study=addicto_2026"
            .parse()
            .unwrap();
        assert_eq!(a.study(), "addicto_2026");
        assert_eq!(
            a.to_string(),
            "postgres://amira@db.lab:6543/verbatim?study=addicto_2026"
        );
        assert!(!format!("{a:?}").contains("secret"));
    }

    #[test]
    fn a_database_is_the_address_without_a_study_and_names_its_studies() {
        let db: PgDatabase = "postgres://amira:secret@db.lab:6543/verbatim"
            .parse()
            .unwrap();
        assert_eq!(db.to_string(), "postgres://amira@db.lab:6543/verbatim");
        let study = db.study("addicto_2026").unwrap();
        assert_eq!(
            study.to_string(),
            "postgres://amira@db.lab:6543/verbatim?study=addicto_2026"
        );
        assert!(db.study("Addicto-2026").is_err());
        assert!(db.study("pg_toast").is_err());
        let with_study = "postgres://amira:secret@db/verbatim?study=x"
            .parse::<PgDatabase>()
            .unwrap_err()
            .to_string();
        assert!(with_study.contains("leave ?study= out"), "{with_study}");
        assert!(!with_study.contains("secret"), "{with_study}");
    }

    #[test]
    fn bad_addresses_get_one_sentence_without_the_password() {
        for (address, needle) in [
            ("postgres://amira:secret@db/verbatim", "?study=NAME"),
            (
                "postgres://amira:secret@db/verbatim?study=Bad-Name",
                "lower-case",
            ),
            ("postgres://amira@db/verbatim?study=public", "not public"),
            (
                "postgres://amira@db/verbatim?study=pg_catalog",
                "not public",
            ),
            ("mysql://amira@db/verbatim?study=x", "postgres://"),
            (
                "postgres://amira:secret@db:port/verbatim?study=x",
                "not a PostgreSQL",
            ),
        ] {
            let err = address.parse::<PgAddress>().unwrap_err().to_string();
            assert!(err.contains(needle), "{address}: {err}");
            assert!(!err.contains("secret"), "{address}: {err}");
        }
    }
}
