//! Where a PostgreSQL study lives: `postgres://USER[:PASS]@HOST[:PORT]/DB?study=NAME`,
//! and the database that holds many ([`PgDatabase`], the same address
//! without `?study=`).
//!
//! `&pool=N` (1 to 64, default [`DEFAULT_POOL`]) says how many
//! connections a process opens at most to each study ([`crate::pool`]):
//! `serve --dir` serving many busy studies of one server stays below
//! PostgreSQL's `max_connections` with a smaller pool. It is a setting of
//! the process, not part of the study's identity: [`PgAddress::identity`]
//! (which names the study's cached index and recordings) leaves it out,
//! while the address shown to users keeps it when it is not the default,
//! so that what is printed can be pasted back.
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

/// The connections a process opens at most to one study unless the
/// address says `pool=N`: enough to keep the server's processes busy, and
/// far below PostgreSQL's default limit (100) with several server
/// processes per study and several studies.
pub const DEFAULT_POOL: usize = 8;

/// The largest `pool=` an address may ask for.
pub const MAX_POOL: usize = 64;
/// How long connecting may take unless the address says
/// (`connect_timeout=`).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A parsed study address: how to reach the server, and which study.
#[derive(Clone)]
pub struct PgAddress {
    pub(crate) config: Config,
    study: String,
    pool: usize,
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

    /// Returns the most connections a process opens to the study
    /// (`pool=`, else [`DEFAULT_POOL`]).
    pub fn pool(&self) -> usize {
        self.pool
    }

    /// Returns the address that names the study whatever the process's
    /// settings: user, host, port, database and study, without the
    /// password or `pool=` (the key of the study's cached index and
    /// recording copies).
    pub fn identity(&self) -> String {
        shown(&self.config, Some(&self.study), DEFAULT_POOL)
    }
}

impl FromStr for PgAddress {
    type Err = StoreError;

    fn from_str(address: &str) -> Result<Self, StoreError> {
        let Parsed {
            config,
            study,
            pool,
        } = parse(address)?;
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
        let shown = shown(&config, Some(&study), pool);
        Ok(Self {
            config,
            study,
            pool,
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
    pool: usize,
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
    /// Returns the address of the study `name` of this database (with the
    /// database's `pool=`), or the sentence saying why `name` cannot name
    /// a study.
    pub fn study(&self, name: &str) -> Result<PgAddress, StoreError> {
        check_name(name)?;
        Ok(PgAddress {
            config: self.config.clone(),
            study: name.to_owned(),
            pool: self.pool,
            shown: shown(&self.config, Some(name), self.pool),
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
        let Parsed {
            config,
            study,
            pool,
        } = parse(address)?;
        if study.is_some() {
            return Err(StoreError::BadAddress(format!(
                "{} names one study (?study=): to serve every study of the database, leave ?study= out and write postgres://USER@HOST:PORT/DB",
                without_password(address)
            )));
        }
        let shown = shown(&config, None, pool);
        Ok(Self {
            config,
            pool,
            shown,
        })
    }
}

/// What an address says: how to reach the server, the study it names if
/// any, and the pool size.
struct Parsed {
    config: Config,
    study: Option<String>,
    pool: usize,
}

/// Parses an address into the server's configuration, the study it names
/// (if any) and the pool size it asks for.
fn parse(address: &str) -> Result<Parsed, StoreError> {
    if !PgAddress::is_postgres(address) {
        return Err(bad(
            address,
            "it must start with postgres:// (write postgres://USER@HOST:PORT/DB?study=NAME)",
        ));
    }
    check_escapes(address)?;
    let (base, query) = address.split_once('?').unwrap_or((address, ""));
    let mut study = None;
    let mut pool = DEFAULT_POOL;
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
            Some(("pool", size)) => pool = pool_size(address, size)?,
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
    Ok(Parsed {
        config,
        study,
        pool,
    })
}

/// Reads `pool=`'s value: a whole number from 1 to [`MAX_POOL`].
fn pool_size(address: &str, size: &str) -> Result<usize, StoreError> {
    match size.parse::<usize>() {
        Ok(n) if (1..=MAX_POOL).contains(&n) => Ok(n),
        _ => Err(StoreError::BadAddress(format!(
            "pool={size} in {} must be a whole number from 1 to {MAX_POOL} \
             (the most connections a process opens to each study; {DEFAULT_POOL} when left out)",
            without_password(address)
        ))),
    }
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

/// Returns the address messages show: user, host, port, database, study
/// (when there is one) and `pool=` (when it is not the default).
fn shown(config: &Config, study: Option<&str>, pool: usize) -> String {
    let user = config.get_user().unwrap_or_default();
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        Some(Host::Unix(dir)) => dir.display().to_string(),
        None => String::from("localhost"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(user);
    let mut query = Vec::new();
    if let Some(study) = study {
        query.push(format!("study={study}"));
    }
    if pool != DEFAULT_POOL {
        query.push(format!("pool={pool}"));
    }
    if query.is_empty() {
        format!("postgres://{user}@{host}:{port}/{db}")
    } else {
        format!("postgres://{user}@{host}:{port}/{db}?{}", query.join("&"))
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

    #[test]
    fn pool_sets_the_connections_and_the_shown_address_round_trips() {
        let plain: PgAddress = "postgres://amira@db.lab/verbatim?study=s".parse().unwrap();
        assert_eq!(plain.pool(), DEFAULT_POOL);
        assert!(!plain.to_string().contains("pool"), "{plain}");
        for written in [
            "postgres://amira:secret@db.lab:6543/verbatim?study=s&pool=2",
            "postgres://amira:secret@db.lab:6543/verbatim?pool=2&study=s",
        ] {
            let a: PgAddress = written.parse().unwrap();
            assert_eq!((a.study(), a.pool()), ("s", 2));
            let shown = a.to_string();
            assert_eq!(
                shown,
                "postgres://amira@db.lab:6543/verbatim?study=s&pool=2"
            );
            // What is printed parses back to the same study and pool.
            let again: PgAddress = shown.parse().unwrap();
            assert_eq!((again.study(), again.pool()), ("s", 2));
            assert_eq!(again.to_string(), shown);
            // The study's identity (its cache key) is the same whatever
            // the pool: the default address's.
            assert_eq!(
                a.identity(),
                "postgres://amira@db.lab:6543/verbatim?study=s"
            );
        }
        // The bounds are allowed; pool=8 is the default and not shown.
        for (n, shown) in [(1, "&pool=1"), (64, "&pool=64"), (8, "")] {
            let a: PgAddress = format!("postgres://amira@db/verbatim?study=s&pool={n}")
                .parse()
                .unwrap();
            assert_eq!(a.pool(), n);
            assert_eq!(
                a.to_string(),
                format!("postgres://amira@db:5432/verbatim?study=s{shown}")
            );
        }
    }

    #[test]
    fn a_database_gives_its_pool_to_each_study() {
        let db: PgDatabase = "postgres://amira:secret@db/verbatim?pool=3"
            .parse()
            .unwrap();
        assert_eq!(db.to_string(), "postgres://amira@db:5432/verbatim?pool=3");
        let again: PgDatabase = db.to_string().parse().unwrap();
        assert_eq!(again.to_string(), db.to_string());
        let study = db.study("addicto").unwrap();
        assert_eq!(study.pool(), 3);
        assert_eq!(
            study.to_string(),
            "postgres://amira@db:5432/verbatim?study=addicto&pool=3"
        );
    }

    #[test]
    fn a_bad_pool_is_refused_in_one_sentence_naming_it_and_the_range() {
        for size in ["0", "65", "-1", "eight", "", "1.5"] {
            for address in [
                format!("postgres://amira:secret@db/verbatim?study=s&pool={size}"),
                format!("postgres://amira:secret@db/verbatim?pool={size}"),
            ] {
                let err = if address.contains("study=") {
                    address.parse::<PgAddress>().unwrap_err().to_string()
                } else {
                    address.parse::<PgDatabase>().unwrap_err().to_string()
                };
                assert!(
                    err.starts_with(&format!("pool={size} in postgres://amira@db/verbatim"))
                        && err.contains(" must be a whole number from 1 to 64 "),
                    "{address}: {err}"
                );
                assert!(!err.contains("secret"), "{err}");
                assert_eq!(err.matches(". ").count(), 0, "one sentence: {err}");
            }
        }
    }
}
