//! Connecting to the database (SQLite or PostgreSQL) and migrating it.

use app::store::Db;
use sqlx::any::AnyPoolOptions;
use sqlx::Executor;
use std::time::Duration;

/// The schema, embedded at build time from `migrations/` (portable SQL for both backends),
/// and, in its folders `sqlite/` and `postgres/`, the few statements that differ (the
/// full-text search index). The two sets share one history table and distinct versions,
/// so each migrator is told to leave the other's versions alone.
fn migrators(sqlite: bool) -> [sqlx::migrate::Migrator; 2] {
    let mut shared = sqlx::migrate!("../migrations");
    let mut own = if sqlite { sqlx::migrate!("../migrations/sqlite") } else { sqlx::migrate!("../migrations/postgres") };
    shared.set_ignore_missing(true);
    own.set_ignore_missing(true);
    [shared, own]
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("could not open the database at {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("could not apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("could not index the listed products for search (see the log above)")]
    Index,
}

/// A connection idle this long is checked before it is used again.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Opens a pool of at most `max_connections` on `url`. SQLite connections use WAL, enforce
/// foreign keys and wait for locks rather than failing at once.
pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DatabaseError> {
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    let options = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        // sqlx checks a connection with a round trip (`ping`) when it is handed back (that
        // check cannot be turned off) and, unless told otherwise, again each time it is
        // taken: a statement waited for three round trips. A connection that has waited
        // long enough to have been dropped (the database restarted, a proxy timed it out)
        // is still checked when taken, and replaced if it fails; one handed back, and so
        // checked, less than a second ago is used as it is. The price: if the database
        // restarts, a statement on a connection handed back within that second fails once
        // (as one running at that moment does).
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= CHECK_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if sqlite {
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;")
                        .await?;
                } else {
                    // Statements are prepared once per connection, and each run is planned
                    // for its own values: a generic plan, made without them, cannot know
                    // that a search's word is rare (read it through the GIN index) or
                    // common (walk the newest products), and read tens of thousands of rows.
                    conn.execute("SET plan_cache_mode = force_custom_plan").await?;
                }
                Ok(())
            })
        });
    options.connect(url).await.map_err(|source| DatabaseError::Connect {
        url: redact(url),
        source,
    })
}

/// Applies pending migrations; the server does not start if one fails.
pub async fn migrate(db: &Db) -> Result<(), DatabaseError> {
    let sqlite = app::store::backend(db) == app::store::Backend::Sqlite;
    for migrator in migrators(sqlite) {
        migrator.run(db).await?;
    }
    app::listing::ssr::index_unindexed(db).await.map_err(|_| DatabaseError::Index)?;
    Ok(())
}

/// A new, empty database named `name` on the PostgreSQL server `admin_url` (any database
/// URL of that server) and its URL, or, without one, a new SQLite file in `folder`: for
/// tests and benchmarks, which each want a database of their own.
pub async fn fresh(admin_url: Option<&str>, name: &str, folder: &std::path::Path) -> Result<String, DatabaseError> {
    match admin_url {
        Some(admin_url) => {
            let admin = connect(admin_url, 1).await?;
            let created = admin.execute(format!("CREATE DATABASE {name}").as_str()).await;
            admin.close().await;
            created.map_err(|source| DatabaseError::Connect { url: redact(admin_url), source })?;
            let base = admin_url.rsplit_once('/').map_or(admin_url, |(base, _)| base);
            Ok(format!("{base}/{name}"))
        }
        None => Ok(format!("sqlite://{}?mode=rwc", folder.join(format!("{name}.db")).display())),
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown_in_database_messages() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("sqlite://data/m.db"), "sqlite://data/m.db");
    }
}
