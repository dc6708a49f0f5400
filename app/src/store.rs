//! What every store function shares: the pool, ids, times, and database errors turned into
//! [`AppError`]s with what was being done (logged on the server, never shown).

use crate::error::AppError;

/// The database pool: SQLite or PostgreSQL, chosen at start-up by the database URL.
pub type Db = sqlx::AnyPool;

/// Which database a pool talks to, for the few statements that differ between them (the
/// full-text search of the marketplace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend(db: &Db) -> Backend {
    if db.connect_options().database_url.scheme().starts_with("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// A count per key and window of time, in a table of its own (names fixed in the code):
/// budgets that must hold across servers, such as an API token's requests a minute (R64) or
/// an account's deployments an hour.
pub struct WindowCounter {
    pub table: &'static str,
    pub key: &'static str,
    pub window: &'static str,
    pub count: &'static str,
}

impl WindowCounter {
    /// Adds one for `key` in `window` and answers the count so far, in one statement, so that
    /// requests sent at once cannot all pass a budget. The first of a window forgets the
    /// key's earlier windows.
    pub async fn add_one(&self, db: &Db, key: &str, window: i64) -> Result<i64, AppError> {
        let WindowCounter { table, key: key_column, window: window_column, count } = self;
        let counted: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO {table} ({key_column}, {window_column}, {count}) VALUES ($1, $2, 1) \
             ON CONFLICT ({key_column}, {window_column}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}"
        ))
        .bind(key)
        .bind(window)
        .fetch_one(db)
        .await
        .context("counting against a budget")?;
        if counted == 1 {
            sqlx::query(&format!("DELETE FROM {table} WHERE {key_column} = $1 AND {window_column} < $2"))
                .bind(key)
                .bind(window)
                .execute(db)
                .await
                .context("forgetting a budget's earlier windows")?;
        }
        Ok(counted)
    }
}

/// Gives the transaction `account_id`'s turn, until it ends: for quotas, which count what an
/// account holds and then add to it, and counted side by side two adds could each see room
/// for one more (PostgreSQL's transactions do not see each other's uncommitted rows). On
/// PostgreSQL a lock on the account's row; on SQLite a write that changes nothing, which
/// takes the database's one write lock first, so no read has to be upgraded to it later.
pub async fn account_turn(conn: &mut sqlx::AnyConnection, account_id: &str) -> Result<(), AppError> {
    let turn = if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        sqlx::query("UPDATE accounts SET id = id WHERE id = ''")
    } else {
        sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE").bind(account_id)
    };
    turn.execute(conn).await.context("taking an account's turn")?;
    Ok(())
}

/// Milliseconds since the Unix epoch: how every timestamp is stored.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// A new random identifier (128 bits, hex).
pub fn new_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// `?` on a database call, saying what was being done: the error is logged with it and
/// answered as [`AppError::Internal`].
pub trait Context<T> {
    fn context(self, doing: &str) -> Result<T, AppError>;
}

impl<T> Context<T> for Result<T, sqlx::Error> {
    fn context(self, doing: &str) -> Result<T, AppError> {
        self.map_err(|error| failure(error, doing))
    }
}

/// What a database failure while `doing` is answered with, after logging it.
pub fn failure(error: sqlx::Error, doing: &str) -> AppError {
    tracing::error!(%error, "database error while {doing}");
    AppError::Internal
}

/// A stored JSON document read back: one that does not parse is an error, logged with
/// what it is, never an empty value.
pub fn from_json<T: serde::de::DeserializeOwned>(json: &str, what: &str, id: &str) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|error| {
        tracing::error!(%error, %id, "stored {what} does not parse");
        AppError::Internal
    })
}

/// A value written as JSON for storage; a failure is logged with what it is.
pub fn to_json(value: &impl serde::Serialize, what: &str) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|error| {
        tracing::error!(%error, "could not write {what} as JSON");
        AppError::Internal
    })
}

/// Whether `error` is the unique index `index` refusing a row: where such an index decides
/// (two requests racing to create the same thing), its refusal is the answer, not a fault.
/// PostgreSQL names the index; SQLite names only the columns, so there a unique violation
/// is taken to be the one the statement could break.
pub fn violates_unique(error: &sqlx::Error, index: &str) -> bool {
    match error {
        sqlx::Error::Database(e) => e.is_unique_violation() && e.constraint().is_none_or(|name| name == index),
        _ => false,
    }
}
