//! Sessions in the database: created at sign-in, looked up on every request, ended at
//! sign-out. Only a hash of each token is stored.

use super::cache::{self, Forget};
use super::{Account, SessionFigures};
use crate::store::{now_ms, Db};
use sha2::{Digest, Sha256};

/// How long a session lasts from sign-in, however busy (besides its idle timeout).
pub const SESSION_LIFETIME_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Sessions are stored by the SHA-256 of their token, so a leaked table grants nothing.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session and sweeps away expired ones, so the table does not grow forever.
/// Sessions one account keeps at most; signing in past it ends the one used longest ago.
pub const SESSIONS_PER_ACCOUNT: i64 = 50;

/// `device` names the browser for the account page (`devices::device_label`).
pub async fn create_session(db: &Db, account_id: &str, device: &str) -> Result<String, sqlx::Error> {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let now = now_ms();
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(db).await?;
    // An account keeps its most recently used sessions, this new one among them: signing
    // in again and again does not grow the table without end.
    sqlx::query(
        "DELETE FROM sessions WHERE account_id = $1 AND token_hash NOT IN \
         (SELECT token_hash FROM sessions WHERE account_id = $1 ORDER BY last_seen_at DESC, token_hash LIMIT $2)",
    )
    .bind(account_id)
    .bind(SESSIONS_PER_ACCOUNT - 1)
    .execute(db)
    .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at, last_seen_at, device) VALUES ($1, $2, $3, $4, $3, $5)",
    )
    .bind(token_hash(&token))
    .bind(account_id)
    .bind(now)
    .bind(now + SESSION_LIFETIME_MS)
    .bind(device)
    .execute(db)
    .await?;
    Ok(token)
}

/// Ends a session, and tells every server to forget it.
pub async fn delete_session(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    let hash = token_hash(token);
    end_sessions(db, "token_hash", &hash, Forget::Session(&hash)).await
}

/// A live session of an account, as the account page lists it.
#[derive(sqlx::FromRow)]
pub struct LiveSession {
    pub token_hash: String,
    pub device: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// The live sessions of an account (within their lifetime, used within `idle_ms`), the one
/// used last first. At most [`SESSIONS_PER_ACCOUNT`], which sign-in keeps to.
pub async fn live_sessions(db: &Db, account_id: &str, idle_ms: i64) -> Result<Vec<LiveSession>, sqlx::Error> {
    let now = now_ms();
    sqlx::query_as(
        "SELECT token_hash, device, created_at, last_seen_at FROM sessions \
         WHERE account_id = $1 AND expires_at > $2 AND last_seen_at > $3 \
         ORDER BY last_seen_at DESC, token_hash LIMIT $4",
    )
    .bind(account_id)
    .bind(now)
    .bind(now - idle_ms)
    .bind(SESSIONS_PER_ACCOUNT)
    .fetch_all(db)
    .await
}

/// The name a page gives a session: derived from its stored hash, so neither the token nor
/// the hash it is stored by ever reaches a page, and a page's name cannot be turned back
/// into either.
pub fn public_id(token_hash: &str) -> String {
    let mut id = hex::encode(Sha256::digest(format!("session {token_hash}").as_bytes()));
    id.truncate(PUBLIC_ID_LEN);
    id
}

/// The length of [`public_id`], in hexadecimal digits.
pub const PUBLIC_ID_LEN: usize = 16;

/// Ends one session, named by its stored hash, and tells every server to forget it.
pub async fn delete_session_by_hash(db: &Db, hash: &str) -> Result<(), sqlx::Error> {
    end_sessions(db, "token_hash", hash, Forget::Session(hash)).await
}

/// Ends every session of an account but the one stored as `keep` (the one asking), and
/// tells every server to forget them, in one transaction.
pub async fn delete_other_sessions(db: &Db, account_id: &str, keep: &str) -> Result<(), sqlx::Error> {
    let what = Forget::Account(account_id);
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2").bind(account_id).bind(keep).execute(&mut *tx).await?;
    cache::changed(&mut tx, what).await?;
    tx.commit().await?;
    cache::forget(what);
    Ok(())
}

/// Ends every session of an account, and tells every server to forget them.
pub async fn delete_sessions_of(db: &Db, account_id: &str) -> Result<(), sqlx::Error> {
    end_sessions(db, "account_id", account_id, Forget::Account(account_id)).await
}

/// Deletes the sessions whose `column` (a fixed name) is `value` and announces it in one
/// transaction: they end together or not at all. Forgotten here again after the commit.
async fn end_sessions(db: &Db, column: &str, value: &str, what: Forget<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(&format!("DELETE FROM sessions WHERE {column} = $1")).bind(value).execute(&mut *tx).await?;
    cache::changed(&mut tx, what).await?;
    tx.commit().await?;
    cache::forget(what);
    Ok(())
}

/// A session's last use is written at most this often, so a busy session costs one
/// write a minute, not one per request.
const TOUCH_EVERY_MS: i64 = 60_000;

/// How often a session's last use is written under an idle limit of `idle_ms`: a minute, or
/// a quarter of the limit when that is shorter, so a session in use is always written well
/// before it would count as idle (with a one-minute limit and a write a minute, a busy
/// session ended a minute after sign-in).
pub fn touch_every(idle_ms: i64) -> i64 {
    TOUCH_EVERY_MS.min(idle_ms / 4).max(1)
}

/// The account of a live session: within its lifetime, and used within `idle_ms`.
pub async fn account_for_token(db: &Db, token: &str, idle_ms: i64) -> Result<Option<Account>, sqlx::Error> {
    Ok(session_with_figures(db, token, idle_ms).await?.map(|(account, _)| account))
}

/// The account of a live session and its unread internal messages, in one query: what
/// every page needs to know before it renders. Answered from the cache of live sessions
/// when it holds the session (see `cache`).
pub async fn session_with_figures(db: &Db, token: &str, idle_ms: i64) -> Result<Option<(Account, SessionFigures)>, sqlx::Error> {
    let now = now_ms();
    let hash = token_hash(token);
    if let Some(found) = cache::recall(db, &hash, now, idle_ms, touch_every(idle_ms)) {
        return Ok(Some((found.account, found.figures)));
    }
    let generation = cache::generation();
    #[derive(sqlx::FromRow)]
    struct SessionRow {
        #[sqlx(flatten)]
        account: Account,
        last_seen_at: i64,
        expires_at: i64,
        unread: i64,
        credit_cents: i64,
    }
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT a.id, a.email, a.display_name, a.role, a.credit_cents, s.last_seen_at, s.expires_at, \
         (SELECT COUNT(*) FROM messages m WHERE m.account_id = a.id AND m.read_at IS NULL) AS unread \
         FROM sessions s JOIN accounts a ON a.id = s.account_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
    )
    .bind(&hash)
    .bind(now)
    .bind(now - idle_ms)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut last_seen_at = row.last_seen_at;
    if last_seen_at < now - touch_every(idle_ms) {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&hash)
            .execute(db)
            .await?;
        last_seen_at = now;
    }
    let figures = SessionFigures { unread: Some(row.unread), credit_cents: Some(row.credit_cents) };
    cache::remember(db, hash, row.account.clone(), figures, last_seen_at, row.expires_at, generation);
    Ok(Some((row.account, figures)))
}
