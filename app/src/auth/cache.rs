//! Live sessions remembered between requests, so a signed-in page does not wait for the
//! database to learn who is asking (issue 9: a signed-in page cost 0.6× a signed-out one).
//!
//! The database stays the truth; this is a read cache of it, and it forgets:
//! - an entry at once when the app itself changes what it holds: a sign-out, a sign-out
//!   everywhere, a purchase (the credit), a message sent or read (the unread count). On
//!   PostgreSQL the same change is announced with `NOTIFY`, delivered at commit to every
//!   server on the database, and each server's listener forgets it too; a server whose
//!   listener is not connected does not use the cache at all;
//! - any entry after [`FRESH`], which bounds what the app cannot see: a change made in the
//!   database behind the servers' backs, or on SQLite a message written in a transaction
//!   that a request reads from just before it commits;
//! - an entry that a session's own times end (its lifetime, its idle timeout), and one
//!   whose last use should be written again (once a minute), which goes to the database.
//!
//! Entries are kept by the hash of their token, which is random, so servers of one process
//! on different databases (the tests) share the cache without meeting.

use super::{Account, SessionFigures};
use crate::store::{backend, Backend, Db};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The longest an entry is trusted without being read again from the database.
pub const FRESH: Duration = Duration::from_secs(2);
/// Entries kept at most; past this, entries past [`FRESH`] are dropped, then all.
const CAPACITY: usize = 10_000;
/// The PostgreSQL channel changes are announced on.
pub const CHANNEL: &str = "session_cache";

/// What a change makes the servers forget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forget<'a> {
    /// One session, by the hash of its token.
    Session(&'a str),
    /// Every session of an account.
    Account(&'a str),
    /// Every session (a change to many accounts at once).
    All,
}

impl Forget<'_> {
    /// As a notification's payload.
    fn payload(self) -> String {
        match self {
            Forget::Session(hash) => format!("session:{hash}"),
            Forget::Account(id) => format!("account:{id}"),
            Forget::All => "all".to_owned(),
        }
    }
}

/// A live session as the database last said.
#[derive(Debug, Clone)]
pub struct Remembered {
    pub account: Account,
    pub figures: SessionFigures,
    pub last_seen_at: i64,
    pub expires_at: i64,
    loaded: Instant,
    /// The database it was read from (its URL), for forgetting a database's sessions.
    database: String,
}

#[derive(Default)]
struct Cache {
    entries: HashMap<String, Remembered>,
    /// The PostgreSQL databases (by URL) whose changes this process is listening to, with
    /// how many listeners each (servers of one process on one database).
    listening: HashMap<String, usize>,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Default::default);
/// Counts every forgetting: an answer read from the database while something was forgotten
/// may be older than the change, and is not remembered.
static GENERATION: AtomicU64 = AtomicU64::new(0);

fn cache() -> MutexGuard<'static, Cache> {
    CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether sessions on `db` may be answered from the cache: always on SQLite (its servers
/// share this process), on PostgreSQL while this process listens for other servers' changes.
fn usable(cache: &Cache, db: &Db) -> bool {
    backend(db) == Backend::Sqlite
        || cache
            .listening
            .contains_key(db.connect_options().database_url.as_str())
}

/// Whether this process answers sessions on `db` from the cache (on PostgreSQL, once its
/// listener is connected).
pub fn in_use(db: &Db) -> bool {
    usable(&cache(), db)
}

/// The session with this token hash, if it is remembered, still fresh, and its times allow
/// it at `now` without writing its last use (`touch_every_ms`).
pub fn recall(
    db: &Db,
    hash: &str,
    now: i64,
    idle_ms: i64,
    touch_every_ms: i64,
) -> Option<Remembered> {
    let cache = cache();
    if !usable(&cache, db) {
        return None;
    }
    let found = cache.entries.get(hash).cloned()?;
    let live = found.loaded.elapsed() < FRESH
        && found.expires_at > now
        && found.last_seen_at > now - idle_ms
        && found.last_seen_at >= now - touch_every_ms;
    live.then_some(found)
}

/// The generation to give [`remember`] for an answer about to be read from the database.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// Remembers a session read from the database, unless something was forgotten since
/// `generation` (the answer may predate it).
pub fn remember(
    db: &Db,
    hash: String,
    account: Account,
    figures: SessionFigures,
    last_seen_at: i64,
    expires_at: i64,
    generation: u64,
) {
    let mut cache = cache();
    if !usable(&cache, db) || GENERATION.load(Ordering::SeqCst) != generation {
        return;
    }
    if cache.entries.len() >= CAPACITY {
        cache.entries.retain(|_, e| e.loaded.elapsed() < FRESH);
        if cache.entries.len() >= CAPACITY {
            cache.entries.clear();
        }
    }
    let database = db.connect_options().database_url.to_string();
    cache.entries.insert(
        hash,
        Remembered {
            account,
            figures,
            last_seen_at,
            expires_at,
            loaded: Instant::now(),
            database,
        },
    );
}

/// Forgets in this process.
pub fn forget(what: Forget) {
    let mut cache = cache();
    GENERATION.fetch_add(1, Ordering::SeqCst);
    match what {
        Forget::Session(hash) => {
            cache.entries.remove(hash);
        }
        Forget::Account(id) => cache.entries.retain(|_, e| e.account.id != id),
        Forget::All => cache.entries.clear(),
    }
}

/// Forgets every session read from the database at `url`, in this process.
fn forget_database(url: &str) {
    let mut cache = cache();
    GENERATION.fetch_add(1, Ordering::SeqCst);
    cache.entries.retain(|_, e| e.database != url);
}

/// Forgets here and, on PostgreSQL, tells every server on the database when `conn`'s
/// transaction commits (at once outside one). Called with the change, before it commits:
/// PostgreSQL's notification then forgets again after it.
pub async fn changed(conn: &mut sqlx::AnyConnection, what: Forget<'_>) -> Result<(), sqlx::Error> {
    forget(what);
    if !conn.backend_name().eq_ignore_ascii_case("sqlite") {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(what.payload())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// [`changed`] on a connection of `db`'s pool.
pub async fn changed_in(db: &Db, what: Forget<'_>) -> Result<(), sqlx::Error> {
    changed(&mut *db.acquire().await?, what).await
}

/// Listens for other servers' changes on the PostgreSQL database at `url` for as long as
/// the runtime runs. While it is not connected (at first, and after a lost connection,
/// whose notifications are lost with it), sessions on that database are read from the
/// database every time.
pub async fn listen(url: String) {
    use sqlx::postgres::PgListener;
    /// Marks the database listened to while alive.
    struct Listening(String);
    impl Drop for Listening {
        fn drop(&mut self) {
            let mut cache = cache();
            if let Some(count) = cache.listening.get_mut(&self.0) {
                *count -= 1;
                if *count == 0 {
                    cache.listening.remove(&self.0);
                }
            }
            drop(cache);
            forget_database(&self.0);
        }
    }
    loop {
        let mut listener = match PgListener::connect(&url).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for session changes; sessions are read from the database meanwhile");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        // A lost connection ends the loop below at once, not after a reconnection meanwhile
        // (during which the cache would be used while changes go unheard).
        listener.eager_reconnect(false);
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(%error, "cannot listen for session changes; sessions are read from the database meanwhile");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // A session read before this listener heard anything may have ended unheard: none
        // is kept, and none being read now is remembered.
        forget_database(&url);
        *cache().listening.entry(url.clone()).or_default() += 1;
        let _listening = Listening(url.clone());
        // `try_recv` answers `None` when the connection was lost: what was said meanwhile is lost.
        while let Ok(Some(notification)) = listener.try_recv().await {
            let payload = notification.payload();
            match payload.split_once(':') {
                Some(("session", hash)) => forget(Forget::Session(hash)),
                Some(("account", id)) => forget(Forget::Account(id)),
                // Every session, of this database.
                _ => forget_database(&url),
            }
        }
        tracing::warn!("lost the connection listening for session changes; reconnecting");
        drop(_listening);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
