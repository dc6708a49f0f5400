//! Costly work bounded per server: at most so many at once, a few more waiting briefly for
//! a turn, and past that a clear 503 with `Retry-After`, rather than a queue that grows while
//! every other page waits behind it. Per process, as what it guards is: this server's cores
//! and its database connections. Optionally at most so many turns (running or waiting) per
//! client network, so one client cannot take every turn from the others.

use crate::error::AppError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

pub struct Turns {
    running: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    wait: Duration,
    /// Turns held or waited for, by client network; at most `per_client` each (0: no cap).
    by_client: Mutex<HashMap<IpAddr, usize>>,
    per_client: usize,
}

/// A turn: the work runs while it is held.
#[derive(Debug)]
pub struct Turn<'a> {
    _running: SemaphorePermit<'a>,
    _client: Option<ClientHold<'a>>,
}

/// One of a client network's turns, given back however the turn ends.
struct ClientHold<'a> {
    turns: &'a Turns,
    client: IpAddr,
}

impl std::fmt::Debug for ClientHold<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClientHold({})", self.client)
    }
}

impl Drop for ClientHold<'_> {
    fn drop(&mut self) {
        let mut by_client = self.turns.by_client.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(held) = by_client.get_mut(&self.client) {
            *held -= 1;
            if *held == 0 {
                by_client.remove(&self.client);
            }
        }
    }
}

impl Turns {
    /// `at_once` running (at least one), `max_waiting` more waiting up to `wait` each.
    pub fn new(at_once: usize, max_waiting: usize, wait: Duration) -> Self {
        Turns {
            running: Semaphore::new(at_once.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
            wait,
            by_client: Mutex::new(HashMap::new()),
            per_client: 0,
        }
    }

    /// The same, with at most `per_client` turns running or waiting for each client network.
    pub fn per_client(self, per_client: usize) -> Self {
        Turns { per_client, ..self }
    }

    /// A turn, held until it is dropped; or `busy()` when too many are running and waiting,
    /// the wait was too long, or `client`'s network holds its share already.
    pub async fn take(&self, busy: impl Fn() -> AppError) -> Result<Turn<'_>, AppError> {
        self.take_for(None, busy).await
    }

    /// [`Turns::take`] for a client (its network: an IPv4 address or an IPv6 /64).
    pub async fn take_for(&self, client: Option<IpAddr>, busy: impl Fn() -> AppError) -> Result<Turn<'_>, AppError> {
        let client = match client.filter(|_| self.per_client > 0).map(crate::throttle::network) {
            Some(client) => {
                let mut by_client = self.by_client.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let held = by_client.entry(client).or_insert(0);
                if *held >= self.per_client {
                    return Err(busy());
                }
                *held += 1;
                Some(ClientHold { turns: self, client })
            }
            None => None,
        };
        let running = self.running_turn(&busy).await?;
        Ok(Turn { _running: running, _client: client })
    }

    async fn running_turn(&self, busy: &impl Fn() -> AppError) -> Result<SemaphorePermit<'_>, AppError> {
        if let Ok(permit) = self.running.try_acquire() {
            return Ok(permit);
        }
        /// Counts one wait for as long as it lasts, however it ends (a client that hangs up
        /// drops it too).
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let waiting = Waiting(&self.waiting);
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            return Err(busy());
        }
        let permit = tokio::time::timeout(self.wait, self.running.acquire()).await;
        drop(waiting);
        match permit {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(busy()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy() -> AppError {
        AppError::Busy { message: "busy".into(), retry_after: 2 }
    }

    #[tokio::test]
    async fn past_the_running_and_waiting_bound_the_answer_is_busy_and_a_wait_ends_in_time() {
        let turns = Turns::new(1, 1, Duration::from_millis(50));
        let running = turns.take(busy).await.unwrap();
        // One may wait; it gives up after its wait.
        let waited = turns.take(busy).await.unwrap_err();
        assert_eq!((waited.status(), waited.retry_after()), (503, Some(2)));
        assert_eq!(turns.waiting.load(Ordering::SeqCst), 0, "a wait that ended is not counted");
        // With no room to wait, the answer is at once.
        let none = Turns::new(1, 0, Duration::from_secs(60));
        let _held = none.take(busy).await.unwrap();
        assert!(tokio::time::timeout(Duration::from_secs(1), none.take(busy)).await.unwrap().is_err());
        // A waiting one gets the turn when it is given back.
        let next = tokio::spawn(async move {
            let turns = std::sync::Arc::new(Turns::new(1, 1, Duration::from_secs(5)));
            let first = turns.take(busy).await.unwrap();
            let waiter = {
                let turns = turns.clone();
                tokio::spawn(async move { turns.take(busy).await.is_ok() })
            };
            tokio::time::sleep(Duration::from_millis(20)).await;
            drop(first);
            waiter.await.unwrap()
        });
        assert!(next.await.unwrap());
        drop(running);
    }

    #[tokio::test]
    async fn one_client_network_holds_at_most_its_share_and_gives_it_back() {
        let turns = Turns::new(4, 10, Duration::from_millis(50)).per_client(2);
        let (a, a_too, b): (IpAddr, IpAddr, IpAddr) = ("2001:db8::1".parse().unwrap(), "2001:db8::2".parse().unwrap(), "192.0.2.1".parse().unwrap());
        let first = turns.take_for(Some(a), busy).await.unwrap();
        let second = turns.take_for(Some(a_too), busy).await.unwrap();
        let third = turns.take_for(Some(a), busy).await;
        assert!(third.is_err(), "an IPv6 /64 is one client: its third turn is refused, though turns are free");
        let other = turns.take_for(Some(b), busy).await;
        assert!(other.is_ok(), "another client is not affected");
        assert!(turns.take(busy).await.is_ok(), "nor is work that names no client");
        drop(first);
        let again = turns.take_for(Some(a_too), busy).await;
        assert!(again.is_ok(), "a turn given back is the network's again");
        drop((second, other, again));
        assert!(turns.by_client.lock().unwrap().is_empty(), "every share given back");
    }
}
