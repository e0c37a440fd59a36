//! Opening the database (SQLite or PostgreSQL) and running the shipped migrations.

use std::{
    fmt,
    str::FromStr,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use sqlx::{
    Connection,
    postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions},
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};

use crate::{Inbox, Journal, JournalError};

/// The schema version this crate creates and reads. A database with a newer one is refused
/// ([`JournalError::NewerSchema`]).
///
/// ```
/// assert_eq!(epoint_az_journal::SCHEMA_VERSION, 1);
/// ```
pub const SCHEMA_VERSION: i64 = 1;

/// The migrations, version 1 first: each runs once, in a transaction, on open.
const SQLITE_MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/0001_init.sql")];
const POSTGRES_MIGRATIONS: &[&str] = &[include_str!("../migrations/postgres/0001_init.sql")];

/// How long a connection to PostgreSQL may take before the database counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long SQLite waits for another writer (another task or process) before failing.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// The key of the advisory lock that serialises migrations across PostgreSQL replicas.
const MIGRATION_LOCK: i64 = 0x6570_6f69_6e74; // "epoint"

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code on either pool (`$p` is the backend's pool): the SQL is written once,
/// with `$1`-style parameters, which both backends read.
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::store::Pool::Sqlite($p) => $body,
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// An open journal database: a connection pool to SQLite or PostgreSQL with the schema in
/// place. Cheap to clone (the pool is shared). [`Store::journal`] and [`Store::inbox`] are
/// its two views.
///
/// ```no_run
/// # async fn run() -> Result<(), epoint_az_journal::JournalError> {
/// let store = epoint_az_journal::Store::open("sqlite:shop.db").await?;
/// let (journal, inbox) = (store.journal(), store.inbox());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    url: String,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// What a journal URL names.
enum Target {
    SqliteMemory,
    SqliteFile(String),
    Postgres(String),
}

fn parse_url(url: &str) -> Result<Target, JournalError> {
    let bad = |reason: &str| JournalError::BadUrl {
        url: redact(url),
        reason: reason.to_owned(),
    };
    let trimmed = url.trim();
    if trimmed.is_empty() {
        return Err(bad("it is empty"));
    }
    if matches!(
        trimmed,
        "sqlite::memory:" | "sqlite::memory" | "sqlite:memory" | "sqlite://:memory:"
    ) {
        return Ok(Target::SqliteMemory);
    }
    if let Some(rest) = trimmed
        .strip_prefix("sqlite://")
        .or_else(|| trimmed.strip_prefix("sqlite:"))
    {
        if rest.is_empty() {
            return Err(bad("it names no file after `sqlite:`"));
        }
        return Ok(Target::SqliteFile(rest.to_owned()));
    }
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        return Ok(Target::Postgres(trimmed.to_owned()));
    }
    match trimmed.split_once(':') {
        Some((scheme, _))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            Err(bad(&format!("the scheme `{scheme}:` is not supported")))
        }
        _ => Err(bad("it has no scheme (for a file, write sqlite:FILE)")),
    }
}

/// The URL with the password (if any) replaced by `***`: what errors and `Debug` show.
///
/// ```
/// assert_eq!(epoint_az_journal::redact("postgres://shop:s3cret@db/shop"), "postgres://shop:***@db/shop");
/// assert_eq!(epoint_az_journal::redact("sqlite:shop.db"), "sqlite:shop.db");
/// ```
pub fn redact(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let authority_end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    let authority = &url[start..authority_end];
    match authority.rfind('@') {
        Some(at) => match authority[..at].find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &url[..start],
                &authority[..colon],
                &url[start + at..]
            ),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

pub(crate) fn now_ms() -> i64 {
    to_ms(SystemTime::now())
}

pub(crate) fn to_ms(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(crate) fn from_ms(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its schema up to
    /// [`SCHEMA_VERSION`]:
    /// - `sqlite:FILE` (or `sqlite://FILE`): an embedded file, created if missing (WAL, full
    ///   sync: a committed intent survives a crash of the process or the machine);
    /// - `sqlite::memory:`: in memory, for tests (gone when the store is dropped);
    /// - `postgres://USER:PASSWORD@HOST:PORT/DATABASE`: a PostgreSQL server, for several
    ///   replicas.
    ///
    /// Fails with a sentence on an unknown scheme, an unreachable database or a schema from a
    /// newer version of this crate, before anything is sent to EPoint.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let err = epoint_az_journal::Store::open("mysql://shop@db/shop").await.unwrap_err();
    /// assert!(err.to_string().contains("the scheme `mysql:` is not supported"));
    /// let store = epoint_az_journal::Store::open("sqlite::memory:").await.unwrap();
    /// # }
    /// ```
    pub async fn open(url: &str) -> Result<Self, JournalError> {
        let shown = redact(url);
        let unreachable = |reason: String| JournalError::Unreachable {
            url: shown.clone(),
            reason,
        };
        let pool = match parse_url(url)? {
            Target::SqliteMemory => {
                // One connection that never closes: each SQLite connection to `:memory:` is
                // its own database.
                let options = SqliteConnectOptions::from_str("sqlite::memory:")
                    .map_err(|e| unreachable(e.to_string()))?;
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(options)
                    .await
                    .map_err(|e| unreachable(e.to_string()))?;
                Pool::Sqlite(pool)
            }
            Target::SqliteFile(path) => {
                let options = SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT);
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(SQLITE_BUSY_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(|e| unreachable(e.to_string()))?;
                Pool::Sqlite(pool)
            }
            Target::Postgres(url) => {
                let options = PgConnectOptions::from_str(&url)
                    .map_err(|e| JournalError::BadUrl {
                        url: shown.clone(),
                        reason: e.to_string(),
                    })?
                    .application_name("epoint-az-journal");
                // One direct attempt first: the pool would retry until its timeout and then
                // report only "timed out".
                match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
                    .await
                {
                    Ok(Ok(connection)) => {
                        let _ = connection.close().await;
                    }
                    Ok(Err(e)) => return Err(unreachable(e.to_string())),
                    Err(_) => {
                        return Err(unreachable(format!(
                            "no connection within {} s",
                            CONNECT_TIMEOUT.as_secs()
                        )));
                    }
                }
                let pool = PgPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await
                    .map_err(|e| unreachable(e.to_string()))?;
                Pool::Postgres(pool)
            }
        };
        let store = Store { pool, url: shown };
        store.migrate().await?;
        Ok(store)
    }

    /// The URL it was opened with, password hidden.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let store = epoint_az_journal::Store::open("sqlite::memory:").await.unwrap();
    /// assert_eq!(store.url(), "sqlite::memory:");
    /// # }
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `"sqlite"` or `"postgres"`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let store = epoint_az_journal::Store::open("sqlite::memory:").await.unwrap();
    /// assert_eq!(store.backend(), "sqlite");
    /// # }
    /// ```
    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// The payment journal on this database.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let journal = epoint_az_journal::Store::open("sqlite::memory:").await.unwrap().journal();
    /// # }
    /// ```
    pub fn journal(&self) -> Journal {
        Journal {
            store: self.clone(),
        }
    }

    /// The callback inbox on this database.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = epoint_az_journal::Store::open("sqlite::memory:").await.unwrap().inbox();
    /// # }
    /// ```
    pub fn inbox(&self) -> Inbox {
        Inbox {
            store: self.clone(),
        }
    }

    /// The statement that starts a write transaction: on SQLite it takes the write lock at
    /// once (waiting for other writers), so a transaction never fails half-way on an upgrade.
    pub(crate) fn begin_sql(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "BEGIN IMMEDIATE",
            Pool::Postgres(_) => "BEGIN",
        }
    }

    /// Creates the bookkeeping table, refuses a newer schema, and applies the migrations the
    /// database lacks, all in one transaction (serialised across processes and replicas).
    async fn migrate(&self) -> Result<(), JournalError> {
        let action = "set up its schema (nothing was sent)";
        let migrations = match self.pool {
            Pool::Sqlite(_) => SQLITE_MIGRATIONS,
            Pool::Postgres(_) => POSTGRES_MIGRATIONS,
        };
        let begin = self.begin_sql();
        let found = on_pool!(&self.pool, p => {
            let mut tx = p.begin_with(begin).await.map_err(JournalError::db(action))?;
            if matches!(self.pool, Pool::Postgres(_)) {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(MIGRATION_LOCK)
                    .execute(&mut *tx)
                    .await
                    .map_err(JournalError::db(action))?;
            }
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS epoint_journal_meta (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
            )
            .execute(&mut *tx)
            .await
            .map_err(JournalError::db(action))?;
            let found: Option<i64> =
                sqlx::query_scalar("SELECT value FROM epoint_journal_meta WHERE name = 'schema_version'")
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(JournalError::db(action))?;
            let found = found.unwrap_or(0);
            if found <= SCHEMA_VERSION {
                for (index, sql) in migrations.iter().enumerate() {
                    let version = index as i64 + 1;
                    if version > found {
                        sqlx::raw_sql(sql)
                            .execute(&mut *tx)
                            .await
                            .map_err(JournalError::db(action))?;
                    }
                }
                sqlx::query(
                    "INSERT INTO epoint_journal_meta (name, value) VALUES ('schema_version', $1) \
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .bind(SCHEMA_VERSION)
                .execute(&mut *tx)
                .await
                .map_err(JournalError::db(action))?;
                tx.commit().await.map_err(JournalError::db(action))?;
            }
            found
        });
        if found > SCHEMA_VERSION {
            return Err(JournalError::NewerSchema {
                url: self.url.clone(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found < SCHEMA_VERSION {
            tracing::info!(target: "epoint_az_journal", url = %self.url, from = found, to = SCHEMA_VERSION, "journal schema migrated");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_or_refused_with_a_reason() {
        assert!(matches!(
            parse_url("sqlite:shop.db"),
            Ok(Target::SqliteFile(p)) if p == "shop.db"
        ));
        assert!(matches!(
            parse_url("sqlite:///var/lib/shop.db"),
            Ok(Target::SqliteFile(p)) if p == "/var/lib/shop.db"
        ));
        assert!(matches!(
            parse_url("sqlite::memory:"),
            Ok(Target::SqliteMemory)
        ));
        assert!(matches!(
            parse_url("postgresql://u@h/d"),
            Ok(Target::Postgres(_))
        ));
        let err = parse_url("shop.db").err().expect("refused");
        assert_eq!(
            err.to_string(),
            "the journal URL \"shop.db\" is not understood: it has no scheme (for a file, write sqlite:FILE); \
             use sqlite:FILE, sqlite::memory: or postgres://USER@HOST/DATABASE (nothing was sent)"
        );
        let err = parse_url("mysql://u:pw@h/d").err().expect("refused");
        assert!(
            err.to_string().contains("`mysql:` is not supported"),
            "{err}"
        );
        assert!(!err.to_string().contains("pw"), "{err}");
        assert!(parse_url("sqlite:").is_err());
        assert!(parse_url("  ").is_err());
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://u:p@ss@h:5432/d?sslmode=disable"),
            "postgres://u:***@h:5432/d?sslmode=disable"
        );
        assert_eq!(redact("postgres://u@h/d"), "postgres://u@h/d");
        assert_eq!(redact("postgres://h/d"), "postgres://h/d");
    }
}
