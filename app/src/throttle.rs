//! Sign-in's defences against exhaustion and guessing.
//!
//! - **Hashing is bounded.** Argon2 takes 19 MiB and tens of milliseconds per check; run
//!   without a bound, 256 concurrent sign-ins took a server to 5 GB. At most
//!   [`SignInLimits::concurrent_hashes`] checks run at once (one per core by default); a few
//!   more may wait briefly for a turn, and past that the answer is 503 with `Retry-After`.
//! - **Guessing one account is slowed,** in the database so that every server agrees, per
//!   client address: one check at a time per email address and client, and after
//!   [`SignInLimits::free_failures`] failures in a row each further attempt from that client
//!   waits twice as long as the one before, up to 15 minutes. It is a delay, never a lock:
//!   it ends by itself, and a right password after it signs in. Per client, so that someone
//!   failing on purpose delays only themselves, not the account's owner elsewhere; and
//!   across every client too, but only past [`SignInLimits::account_failures`] failures in a
//!   row (guessing from many addresses at once), and then by at most [`ACCOUNT_MAX_DELAY`]:
//!   whoever has addresses enough can bring that wait on the owner too, so it stays short.
//!   Unknown addresses are slowed the same way,
//!   so the answer does not tell which exist.
//! - **A check runs to its end** once started, in a task of its own: a client that hangs up
//!   does not leave its email address held, its turn counted, or its failure unrecorded.
//! - **Guessing from one client address is limited** in memory (per server): more than
//!   [`SignInLimits::address_failures`] failures within [`SignInLimits::address_window`]
//!   are answered 429 until the oldest leaves the window.

use crate::error::AppError;
use crate::store::{now_ms, Context, Db};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

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

/// Runs `work` (an Argon2 hash or check) on one of this process's hashing threads, one per
/// core, and waits for it without holding an async worker.
///
/// Not on tokio's blocking pool: that pool grows to hundreds of threads, and each thread
/// that once ran Argon2 keeps its 19 MiB in its own allocator arena. A storm of 256
/// sign-ins left a server at 355 MiB that way even with two checks at a time; with a
/// fixed set of threads the memory Argon2 can hold is fixed too.
pub async fn on_hashing_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    type Job = Box<dyn FnOnce() + Send>;
    static QUEUE: std::sync::OnceLock<std::sync::mpsc::Sender<Job>> = std::sync::OnceLock::new();
    let queue = QUEUE.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<Job>();
        let receiver = std::sync::Arc::new(Mutex::new(receiver));
        for n in 0..std::thread::available_parallelism().map_or(2, |n| n.get()) {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || loop {
                let job = receiver.lock().unwrap_or_else(|e| e.into_inner()).recv();
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            });
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a password hashing thread");
            }
        }
        sender
    });
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = done.send(work());
    });
    if queue.send(job).is_err() {
        tracing::error!("the password hashing threads are gone");
        return Err(AppError::Internal);
    }
    result.await.map_err(|_| {
        tracing::error!("a password hashing job ended without an answer");
        AppError::Internal
    })
}

/// The limits, from the operator's configuration (defaults in [`SignInLimits::default`]).
#[derive(Debug, Clone)]
pub struct SignInLimits {
    pub concurrent_hashes: usize,
    /// Checks that may wait for a turn beyond those running; more are answered 503.
    pub waiting_hashes: usize,
    /// Failures in a row for one email address from one client before that client's
    /// attempts are delayed.
    pub free_failures: i64,
    /// Failures in a row for one email address from every client together before every
    /// attempt on it is delayed.
    pub account_failures: i64,
    pub address_failures: usize,
    pub address_window: Duration,
}

impl Default for SignInLimits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        SignInLimits {
            concurrent_hashes: cores,
            waiting_hashes: cores * 8,
            free_failures: 5,
            account_failures: 100,
            address_failures: 50,
            address_window: Duration::from_secs(10 * 60),
        }
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
/// How long a waiting check waits for its turn before the server says it is busy.
const TURN_WAIT: Duration = Duration::from_secs(5);

/// How long attempt number `failures + 1` must wait after `failures` failures in a row.
pub fn delay_after(failures: i64, free_failures: i64) -> Duration {
    if failures < free_failures {
        return Duration::ZERO;
    }
    let doublings = (failures - free_failures).min(20) as u32;
    Duration::from_secs(1u64 << doublings).min(MAX_DELAY)
}

/// This server's sign-in guard: the hashing bound and the per-address counts.
pub struct SignInGuard {
    pub limits: SignInLimits,
    hashing: Semaphore,
    waiting: AtomicUsize,
    failures_by_address: Mutex<HashMap<IpAddr, VecDeque<i64>>>,
}

impl SignInGuard {
    pub fn new(limits: SignInLimits) -> Self {
        SignInGuard {
            hashing: Semaphore::new(limits.concurrent_hashes.max(1)),
            waiting: AtomicUsize::new(0),
            failures_by_address: Mutex::new(HashMap::new()),
            limits,
        }
    }

    /// A turn to run one password check, or 503 when too many are running and waiting.
    pub async fn turn(&self) -> Result<SemaphorePermit<'_>, AppError> {
        if let Ok(permit) = self.hashing.try_acquire() {
            return Ok(permit);
        }
        let busy = || AppError::Busy {
            message: "Too many sign-ins are being checked just now. Please try again in a few seconds.".into(),
            retry_after: 2,
        };
        /// Counts one check waiting for as long as it waits, however its wait ends.
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let waiting = Waiting(&self.waiting);
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.limits.waiting_hashes {
            return Err(busy());
        }
        let permit = tokio::time::timeout(TURN_WAIT, self.hashing.acquire()).await;
        drop(waiting);
        match permit {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(busy()),
        }
    }

    /// Refuses a client address that failed too often lately (429).
    pub fn check_address(&self, address: Option<IpAddr>) -> Result<(), AppError> {
        let Some(address) = address.map(network) else { return Ok(()) };
        let now = now_ms();
        let window = self.limits.address_window.as_millis() as i64;
        let mut failures = self.failures_by_address.lock().unwrap_or_else(|e| e.into_inner());
        let Some(times) = failures.get_mut(&address) else { return Ok(()) };
        while times.front().is_some_and(|t| *t <= now - window) {
            times.pop_front();
        }
        if times.len() < self.limits.address_failures {
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        let retry_after = ((oldest + window - now).max(0) as u64).div_ceil(1000).max(1);
        Err(AppError::TooManyRequests {
            message: format!(
                "Too many failed sign-ins from your network. Try again in {}.",
                describe_wait(retry_after)
            ),
            retry_after,
        })
    }

    pub fn record_address_failure(&self, address: Option<IpAddr>) {
        let Some(address) = address.map(network) else { return };
        let now = now_ms();
        let window = self.limits.address_window.as_millis() as i64;
        let mut failures = self.failures_by_address.lock().unwrap_or_else(|e| e.into_inner());
        // Addresses whose failures have all aged out are forgotten, so the map stays small.
        if failures.len() > 10_000 {
            failures.retain(|_, times| times.back().is_some_and(|t| *t > now - window));
        }
        let times = failures.entry(address).or_default();
        times.push_back(now);
        while times.len() > self.limits.address_failures {
            times.pop_front();
        }
    }
}

/// "3 seconds", "2 minutes".
pub fn describe_wait(seconds: u64) -> String {
    match seconds {
        0 | 1 => "a second".to_owned(),
        s if s < 90 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
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

    #[test]
    fn a_client_address_is_refused_past_its_failures_and_let_in_once_they_age_out() {
        let guard = SignInGuard::new(SignInLimits { address_failures: 3, address_window: Duration::from_millis(200), ..Default::default() });
        let address = Some("192.0.2.7".parse().unwrap());
        for _ in 0..3 {
            assert!(guard.check_address(address).is_ok());
            guard.record_address_failure(address);
        }
        let refused = guard.check_address(address).unwrap_err();
        assert_eq!(refused.status(), 429);
        assert!(refused.retry_after().is_some());
        assert!(guard.check_address(Some("192.0.2.8".parse().unwrap())).is_ok(), "other addresses are not affected");
        std::thread::sleep(Duration::from_millis(250));
        assert!(guard.check_address(address).is_ok());
    }

    #[tokio::test]
    async fn password_checks_past_the_running_and_waiting_bound_are_told_the_server_is_busy() {
        let guard = SignInGuard::new(SignInLimits { concurrent_hashes: 1, waiting_hashes: 0, ..Default::default() });
        let running = guard.turn().await.unwrap();
        let busy = guard.turn().await.unwrap_err();
        assert_eq!((busy.status(), busy.retry_after()), (503, Some(2)));
        drop(running);
        assert!(guard.turn().await.is_ok());
    }
}
