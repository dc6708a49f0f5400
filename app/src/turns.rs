//! Costly work bounded per server: at most so many at once, a few more waiting briefly for
//! a turn, and past that a clear 503 with `Retry-After`, rather than a queue that grows while
//! every other page waits behind it. Per process, as what it guards is: this server's cores
//! and its database connections.

use crate::error::AppError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

pub struct Turns {
    running: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    wait: Duration,
}

impl Turns {
    /// `at_once` running (at least one), `max_waiting` more waiting up to `wait` each.
    pub fn new(at_once: usize, max_waiting: usize, wait: Duration) -> Self {
        Turns { running: Semaphore::new(at_once.max(1)), waiting: AtomicUsize::new(0), max_waiting, wait }
    }

    /// A turn, held until the permit is dropped; or `busy()` when too many are running and
    /// waiting, or the wait was too long.
    pub async fn take(&self, busy: impl Fn() -> AppError) -> Result<SemaphorePermit<'_>, AppError> {
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
}
