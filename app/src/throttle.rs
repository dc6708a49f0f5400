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

mod attempts;
pub use attempts::{claim, delay_after, key, network, record, release, Keys, ACCOUNT_MAX_DELAY, MAX_DELAY};

use crate::error::AppError;
use crate::store::now_ms;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

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

/// How long a waiting check waits for its turn before the server says it is busy.
const TURN_WAIT: Duration = Duration::from_secs(5);

/// This server's sign-in guard: the hashing bound and the per-address counts.
pub struct SignInGuard {
    pub limits: SignInLimits,
    hashing: crate::turns::Turns,
    failures_by_address: Mutex<HashMap<IpAddr, VecDeque<i64>>>,
}

impl SignInGuard {
    pub fn new(limits: SignInLimits) -> Self {
        SignInGuard {
            hashing: crate::turns::Turns::new(limits.concurrent_hashes, limits.waiting_hashes, TURN_WAIT),
            failures_by_address: Mutex::new(HashMap::new()),
            limits,
        }
    }

    /// A turn to run one password check, or 503 when too many are running and waiting.
    pub async fn turn(&self) -> Result<crate::turns::Turn<'_>, AppError> {
        self.hashing
            .take(|| AppError::Busy {
                message: "Too many sign-ins are being checked just now. Please try again in a few seconds.".into(),
                retry_after: 2,
            })
            .await
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

#[cfg(test)]
mod tests {
    use super::*;

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
