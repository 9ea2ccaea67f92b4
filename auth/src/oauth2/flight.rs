//! Single flight within a process: at most one token request per account at a time;
//! callers that arrive while it runs wait for it and get its result.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

use super::TokenError;
use toolsmith_core::ConnectedAccountId;
use toolsmith_store::ConnectedAccount;

/// What a flight ends with; every caller that waited for it gets a clone.
pub(super) type Outcome = Result<ConnectedAccount, TokenError>;

type Slot = watch::Receiver<Option<Outcome>>;

/// The running flights of one `TokenManager`, by account.
#[derive(Debug, Default)]
pub(super) struct Flights {
    running: Mutex<HashMap<ConnectedAccountId, Slot>>,
}

impl Flights {
    /// Waits for the running flight of `id`, or starts `job()` as the new one.
    ///
    /// The job runs on its own tokio task (inline when there is no runtime), so it runs to
    /// the end and stores the tokens it got even when every caller stops waiting: a
    /// rotated refresh token is spent the moment the server answers, so dropping the
    /// answer would lose the account. `interrupted` makes the error callers get when the
    /// job ends without an outcome (it panicked, or the runtime shut down).
    pub(super) async fn run<J, F>(self: &Arc<Self>, id: &ConnectedAccountId, job: J, interrupted: F) -> Outcome
    where
        J: FnOnce() -> std::pin::Pin<Box<dyn Future<Output = Outcome> + Send>>,
        F: FnOnce() -> TokenError,
    {
        let (mut slot, start) = {
            let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
            match running.get(id) {
                Some(slot) => (slot.clone(), None),
                None => {
                    let (tx, rx) = watch::channel(None);
                    running.insert(id.clone(), rx.clone());
                    let landing = Landing { flights: Arc::clone(self), id: id.clone(), slot: rx.clone() };
                    let job = job();
                    let task = async move {
                        let outcome = job.await;
                        // Later callers start a new flight (which re-reads the store) rather
                        // than take this outcome: drop the entry, then publish.
                        drop(landing);
                        tx.send_replace(Some(outcome));
                    };
                    (rx, Some(task))
                }
            }
        };
        if let Some(task) = start {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => drop(runtime.spawn(task)),
                Err(_) => task.await,
            }
        }
        let outcome = match slot.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone(),
            Err(_) => None,
        };
        outcome.unwrap_or_else(|| Err(interrupted()))
    }

    /// How many flights are running.
    #[cfg(test)]
    fn running(&self) -> usize {
        self.running.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

/// Removes a flight's entry when its job ends, also by panic.
struct Landing {
    flights: Arc<Flights>,
    id: ConnectedAccountId,
    slot: Slot,
}

impl Drop for Landing {
    fn drop(&mut self) {
        let mut running = self.flights.running.lock().unwrap_or_else(PoisonError::into_inner);
        if running.get(&self.id).is_some_and(|slot| slot.same_channel(&self.slot)) {
            running.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    fn interrupted(id: &ConnectedAccountId) -> TokenError {
        TokenError::AccountMissing(id.clone())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_job() {
        let flights = Arc::new(Flights::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let id = ConnectedAccountId::generate();
        let callers = (0..20).map(|_| {
            let (flights, runs, id) = (Arc::clone(&flights), Arc::clone(&runs), id.clone());
            tokio::spawn(async move {
                let job = || -> std::pin::Pin<Box<dyn Future<Output = Outcome> + Send>> {
                    Box::pin(async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Err(TokenError::AccountMissing("ca_shared".parse().unwrap()))
                    })
                };
                flights.run(&id, job, || interrupted(&id)).await
            })
        });
        let outcomes: Vec<_> = futures_join(callers.collect()).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        for outcome in outcomes {
            assert_eq!(outcome.unwrap_err().account().as_str(), "ca_shared");
        }
        assert_eq!(flights.running(), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_job_runs_to_the_end_when_its_caller_gives_up() {
        let flights = Arc::new(Flights::default());
        let finished = Arc::new(AtomicUsize::new(0));
        let id = ConnectedAccountId::generate();
        let done = Arc::clone(&finished);
        let job = move || -> std::pin::Pin<Box<dyn Future<Output = Outcome> + Send>> {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                done.fetch_add(1, Ordering::SeqCst);
                Err(TokenError::AccountMissing("ca_x".parse().unwrap()))
            })
        };
        let gave_up = tokio::time::timeout(Duration::from_millis(10), flights.run(&id, job, || interrupted(&id))).await;
        assert!(gave_up.is_err(), "the caller stopped waiting");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(finished.load(Ordering::SeqCst), 1);
        assert_eq!(flights.running(), 0);
    }

    #[tokio::test]
    async fn a_panicking_job_releases_its_waiters() {
        let flights = Arc::new(Flights::default());
        let id = ConnectedAccountId::generate();
        let job = || -> std::pin::Pin<Box<dyn Future<Output = Outcome> + Send>> {
            Box::pin(async {
                tokio::task::yield_now().await;
                panic!("job failed");
            })
        };
        let outcome = flights.run(&id, job, || interrupted(&id)).await;
        assert_eq!(outcome.unwrap_err().account(), &id);
        assert_eq!(flights.running(), 0);
    }

    async fn futures_join<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
        let mut out = Vec::new();
        for handle in handles {
            out.push(handle.await.unwrap());
        }
        out
    }
}
