//! The per-email delays of sign-in, in the database so every server agrees: keyed by the
//! account and by the account from one client (see the module above), claimed before a
//! password check and recorded after it.

use super::{describe_wait, SignInLimits};
use crate::error::AppError;
use crate::store::{now_ms, Context, Db};
use std::net::IpAddr;
use std::time::Duration;

/// The part of a client address one client controls: an IPv6 client is given a whole /64
/// network, so its addresses count as one.
pub fn network(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        // An IPv4 client of a server listening on IPv6 (`::ffff:a.b.c.d`) is its IPv4 address.
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

/// The throttle's keys for one attempt: the account (its email address, from every client
/// together) and the account from this client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub account: String,
    pub client: String,
}

impl Keys {
    pub fn new(email: &str, address: Option<IpAddr>) -> Self {
        let email = key(email);
        let client = address.map(network).map(|a| a.to_string()).unwrap_or_default();
        // The client's address comes first and the prefixes differ, so no email address
        // typed can make one key look like another.
        Keys { account: format!("a:{email}"), client: format!("c:{client}:{email}") }
    }
}

/// The longest delay between attempts on one email address from one client.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// The longest delay between attempts on one email address from every client together:
/// short, since anyone with enough addresses can bring it on, the owner included; long
/// enough that guessing from everywhere at once gets two tries a minute.
pub const ACCOUNT_MAX_DELAY: Duration = Duration::from_secs(30);
/// How long one attempt holds its email address while its password is checked; a server
/// that dies mid-check releases it after this.
const CHECK_HOLD_MS: i64 = 15_000;
/// How long attempt number `failures + 1` must wait after `failures` failures in a row.
pub fn delay_after(failures: i64, free_failures: i64) -> Duration {
    if failures < free_failures {
        return Duration::ZERO;
    }
    let doublings = (failures - free_failures).min(20) as u32;
    Duration::from_secs(1u64 << doublings).min(MAX_DELAY)
}

/// An email address as the throttle keys it.
/// The one form of an email address that sign-in throttles and signs in: an account is
/// found only under the same form (`auth::passwords::verify_credentials`), so no variant
/// that the database's `lower()` folds differently (`İ` to `i` on PostgreSQL) reaches an
/// account past its own throttle.
pub fn key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Takes the email address's turn for one check from this client, with the client's
/// failures in a row so far; or says how long to wait (429).
pub async fn claim(db: &Db, keys: &Keys, limits: &SignInLimits) -> Result<i64, AppError> {
    let now = now_ms();
    for key in [&keys.account, &keys.client] {
        sqlx::query(
            "INSERT INTO sign_in_throttle (email_key, failures, blocked_until, updated_at) VALUES ($1, 0, 0, $2) \
             ON CONFLICT (email_key) DO NOTHING",
        )
        .bind(key)
        .bind(now)
        .execute(db)
        .await
        .context("preparing a sign-in")?;
    }
    // A row another attempt's success deleted meanwhile holds nothing back.
    let account_until: i64 = sqlx::query_scalar("SELECT blocked_until FROM sign_in_throttle WHERE email_key = $1")
        .bind(&keys.account)
        .fetch_optional(db)
        .await
        .context("reading an account's sign-in delay")?
        .unwrap_or(0);
    if account_until > now {
        return Err(too_many(account_until - now, true));
    }
    let claimed: Option<i64> = sqlx::query_scalar(
        "UPDATE sign_in_throttle SET blocked_until = $1, updated_at = $2 \
         WHERE email_key = $3 AND blocked_until <= $2 RETURNING failures",
    )
    .bind(now + CHECK_HOLD_MS)
    .bind(now)
    .bind(&keys.client)
    .fetch_optional(db)
    .await
    .context("claiming a sign-in")?;
    if let Some(failures) = claimed {
        return Ok(failures);
    }
    let (failures, blocked_until): (i64, i64) =
        sqlx::query_as("SELECT failures, blocked_until FROM sign_in_throttle WHERE email_key = $1")
            .bind(&keys.client)
            .fetch_optional(db)
            .await
            .context("reading a sign-in delay")?
            .unwrap_or((0, now + 1_000));
    if failures >= limits.free_failures {
        return Err(too_many(blocked_until - now, false));
    }
    Err(AppError::TooManyRequests {
        message: "A sign-in to this account is being checked just now. Try again in a moment.".to_owned(),
        retry_after: ((blocked_until - now).max(0) as u64).div_ceil(1000).max(1),
    })
}

fn too_many(wait_ms: i64, everywhere: bool) -> AppError {
    let retry_after = (wait_ms.max(0) as u64).div_ceil(1000).max(1);
    let from = if everywhere { " from many places" } else { "" };
    AppError::TooManyRequests {
        message: format!(
            "Too many failed sign-ins to this account{from}. Try again in {}. Each failed attempt makes the wait longer; \
             it ends by itself, and the account is not locked.",
            describe_wait(retry_after)
        ),
        retry_after,
    }
}

/// Gives back a claimed turn without an outcome (the check could not run).
pub async fn release(db: &Db, keys: &Keys) -> Result<(), AppError> {
    sqlx::query("UPDATE sign_in_throttle SET blocked_until = 0 WHERE email_key = $1")
        .bind(&keys.client)
        .execute(db)
        .await
        .context("releasing a sign-in")?;
    Ok(())
}

/// Records the outcome of a claimed check: a success clears the counts, a failure adds one
/// to each and sets the waits before the next attempt.
pub async fn record(db: &Db, keys: &Keys, succeeded: bool, failures_before: i64, limits: &SignInLimits) -> Result<(), AppError> {
    let now = now_ms();
    if succeeded {
        sqlx::query("DELETE FROM sign_in_throttle WHERE email_key = $1 OR email_key = $2")
            .bind(&keys.account)
            .bind(&keys.client)
            .execute(db)
            .await
            .context("clearing sign-in failures")?;
        // Entries of addresses nobody tried for a day are swept here, as sessions are.
        sqlx::query("DELETE FROM sign_in_throttle WHERE updated_at < $1 AND blocked_until < $2")
            .bind(now - 24 * 60 * 60 * 1000)
            .bind(now)
            .execute(db)
            .await
            .context("sweeping sign-in failures")?;
        return Ok(());
    }
    let client = failures_before + 1;
    let wait = delay_after(client, limits.free_failures).as_millis() as i64;
    sqlx::query("UPDATE sign_in_throttle SET failures = $1, blocked_until = $2, updated_at = $3 WHERE email_key = $4")
        .bind(client)
        .bind(now + wait)
        .bind(now)
        .bind(&keys.client)
        .execute(db)
        .await
        .context("recording a failed sign-in")?;
    // Failures from other clients may have been counted meanwhile (or a success deleted the
    // row): counted in the statement.
    let account: i64 = sqlx::query_scalar(
        "INSERT INTO sign_in_throttle (email_key, failures, blocked_until, updated_at) VALUES ($1, 1, 0, $2) \
         ON CONFLICT (email_key) DO UPDATE SET failures = sign_in_throttle.failures + 1, updated_at = $2 RETURNING failures",
    )
    .bind(&keys.account)
    .bind(now)
    .fetch_one(db)
    .await
    .context("recording a failed sign-in to an account")?;
    let wait = delay_after(account, limits.account_failures).min(ACCOUNT_MAX_DELAY).as_millis() as i64;
    if wait > 0 {
        sqlx::query("UPDATE sign_in_throttle SET blocked_until = $1 WHERE email_key = $2")
            .bind(now + wait)
            .bind(&keys.account)
            .execute(db)
            .await
            .context("delaying sign-ins to an account")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_the_free_failures_and_never_passes_fifteen_minutes() {
        assert_eq!(delay_after(4, 5), Duration::ZERO);
        assert_eq!(delay_after(5, 5), Duration::from_secs(1));
        assert_eq!(delay_after(6, 5), Duration::from_secs(2));
        assert_eq!(delay_after(10, 5), Duration::from_secs(32));
        assert_eq!(delay_after(250, 5), MAX_DELAY);
        assert_eq!(delay_after(i64::MAX, 5), MAX_DELAY);
    }

    #[test]
    fn a_client_is_its_ipv4_address_or_its_ipv6_network_and_keys_cannot_be_forged_by_an_email() {
        let at = |a: &str| network(a.parse().unwrap()).to_string();
        assert_eq!(at("192.0.2.7"), "192.0.2.7");
        assert_eq!(at("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::");
        assert_eq!(at("::ffff:192.0.2.7"), "192.0.2.7", "an IPv4 client of an IPv6 socket");
        assert_ne!(at("::ffff:192.0.2.7"), at("::ffff:198.51.100.1"));
        let keys = Keys::new(" Ann@Example.com ", Some("2001:db8:1:2::9".parse().unwrap()));
        assert_eq!(keys, Keys { account: "a:ann@example.com".into(), client: "c:2001:db8:1:2:::ann@example.com".into() });
        // An email shaped like a client key is still keyed as an account's.
        assert!(Keys::new("c:192.0.2.7:ann@example.com", None).account.starts_with("a:"));
        assert_eq!(Keys::new("ann@example.com", None).client, "c::ann@example.com");
    }
}
