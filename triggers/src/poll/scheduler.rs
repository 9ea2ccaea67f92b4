//! [`Poller`]: polls every enabled poll instance of one store at its interval, a
//! bounded number at once, until cancelled.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::delivery::DeliveryWake;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use toolsmith_core::TriggerInstanceId;
use toolsmith_spec::Poll;
use toolsmith_store::{TriggerEvents, TriggerFilter, TriggerInstance, TriggerInstances};

use super::executor::{PollExecutor, PollFailure};
use super::once::{poll_once, PollReport};
use super::schedule::{backoff, first_due};
use super::state::PollState;
use crate::types::TriggerTypes;

/// How a [`Poller`] runs.
#[derive(Clone, Debug)]
pub struct PollOptions {
    /// How often the store's instances are listed again: an instance created, enabled,
    /// disabled or deleted while the poller runs is seen within this time.
    pub refresh: Duration,
    /// Polls running at once, at most.
    pub concurrency: usize,
    /// Poked after a poll recorded events: the delivery worker's wake-up (so events go
    /// out at once instead of at its next round). `None`: nobody to wake.
    pub recorded: Option<DeliveryWake>,
    /// Who claims the polls ([`TriggerInstances::claim_poll`]): one id per server, so
    /// that servers sharing a store make each poll once (default: this process's
    /// [`node_id`]).
    pub holder: Arc<str>,
}

/// This process's id as a poll holder: `poll-` and random hex, made once.
pub fn node_id() -> Arc<str> {
    static ID: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        // Without randomness the process id and the time still tell servers apart.
        let random = getrandom::u64().unwrap_or_else(|_| {
            let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_nanos();
            u64::from(std::process::id()) << 32 ^ nanos as u64
        });
        Arc::from(format!("poll-{random:016x}"))
    })
    .clone()
}

impl Default for PollOptions {
    /// Lists instances every 2 s, runs 8 polls at once, wakes nobody, claims as [`node_id`].
    fn default() -> Self {
        PollOptions { refresh: Duration::from_secs(2), concurrency: 8, recorded: None, holder: node_id() }
    }
}

/// Polls the enabled poll instances of one store: each at its trigger's interval (its
/// first poll at a stable jittered point of its first interval, after a restart one
/// interval after its persisted last poll), through a [`PollExecutor`], recording
/// events and cursor together ([`poll_once`]). Retryable failures back off
/// exponentially (honouring `Retry-After`) and reset on success; a permanent one (an
/// expired account) waits long and is logged once, until the instance changes.
pub struct Poller<S: ?Sized> {
    store: Arc<S>,
    types: Arc<TriggerTypes>,
    executor: Arc<dyn PollExecutor>,
    options: PollOptions,
}

/// One watched instance.
#[derive(Debug)]
struct Slot {
    /// When its next poll is due.
    due: SystemTime,
    /// Its trigger's interval.
    interval: Duration,
    /// Failures in a row.
    failures: u32,
    /// Whether a poll of it is running.
    running: bool,
    /// The instance's `updated_at` when last listed: a change (an upsert, a re-enable)
    /// ends a backoff.
    updated_at: SystemTime,
}

type Finished = (TriggerInstanceId, Result<Option<PollReport>, PollFailure>);

impl<S> Poller<S>
where
    S: TriggerInstances + TriggerEvents + ?Sized + 'static,
{
    /// A poller of `store`'s poll instances, whose triggers are `types`' (instances of
    /// other triggers are not polled).
    pub fn new(store: Arc<S>, types: Arc<TriggerTypes>, executor: Arc<dyn PollExecutor>, options: PollOptions) -> Self {
        Poller { store, types, executor, options }
    }

    /// Polls until `cancel` is cancelled; polls in flight are then dropped (a poll
    /// records all or nothing, so the next run repeats it from the same cursor).
    pub async fn run(self, cancel: CancellationToken) {
        let mut slots: HashMap<TriggerInstanceId, Slot> = HashMap::new();
        let mut running: JoinSet<Finished> = JoinSet::new();
        let mut next_refresh = Instant::now();
        loop {
            if Instant::now() >= next_refresh {
                self.refresh(&mut slots).await;
                next_refresh = Instant::now() + self.options.refresh;
            }
            self.start_due(&mut slots, &mut running);
            let now = SystemTime::now();
            let next_due = slots.values().filter(|s| !s.running).map(|s| s.due).min();
            let wake = match next_due {
                Some(due) => next_refresh.min(Instant::now() + due.duration_since(now).unwrap_or_default()),
                None => next_refresh,
            };
            tokio::select! {
                () = cancel.cancelled() => break,
                Some(finished) = running.join_next(), if !running.is_empty() => {
                    match finished {
                        Ok((id, result)) => self.finish(&mut slots, id, result),
                        Err(e) => tracing::error!(error = %e, "a poll task failed"),
                    }
                }
                () = tokio::time::sleep_until(wake) => {}
            }
        }
        running.shutdown().await;
    }

    /// The poll of an instance's trigger, when it is a poll trigger of the catalog.
    fn poll_of(&self, instance: &TriggerInstance) -> Option<&Poll> {
        self.types.entry(instance.trigger.as_str())?.spec.poll.as_ref()
    }

    /// Lists the enabled instances again: new ones get their first due time, changed
    /// ones end their backoff, gone ones (disabled, deleted) are dropped.
    async fn refresh(&self, slots: &mut HashMap<TriggerInstanceId, Slot>) {
        let instances = match self.store.trigger_instances(&TriggerFilter::default()).await {
            Ok(instances) => instances,
            Err(e) => {
                tracing::warn!(error = %e, "cannot list the trigger instances to poll; trying again");
                return;
            }
        };
        let now = SystemTime::now();
        let mut present = HashMap::new();
        for instance in &instances {
            let Some(poll) = self.poll_of(instance) else { continue };
            let interval = interval_of(poll);
            present.insert(instance.id.clone(), ());
            match slots.entry(instance.id.clone()) {
                Entry::Occupied(mut slot) => {
                    let slot = slot.get_mut();
                    slot.interval = interval;
                    if slot.updated_at != instance.updated_at {
                        slot.updated_at = instance.updated_at;
                        if slot.failures > 0 {
                            slot.failures = 0;
                            slot.due = slot.due.min(now);
                        }
                    }
                }
                Entry::Vacant(vacant) => {
                    let last_poll = PollState::read(&instance.state).last_poll;
                    vacant.insert(Slot {
                        due: first_due(&instance.id, last_poll, interval, now),
                        interval,
                        failures: 0,
                        running: false,
                        updated_at: instance.updated_at,
                    });
                }
            }
        }
        // A running poll keeps its slot until it ends (it finds the instance gone and
        // records nothing), so an instance enabled again meanwhile is never polled twice
        // at once.
        slots.retain(|id, slot| slot.running || present.contains_key(id));
    }

    /// Starts the polls that are due, earliest first, while fewer than the limit run.
    fn start_due(&self, slots: &mut HashMap<TriggerInstanceId, Slot>, running: &mut JoinSet<Finished>) {
        let now = SystemTime::now();
        let mut due: Vec<(SystemTime, TriggerInstanceId)> =
            slots.iter().filter(|(_, s)| !s.running && s.due <= now).map(|(id, s)| (s.due, id.clone())).collect();
        due.sort();
        for (_, id) in due {
            if running.len() >= self.options.concurrency.max(1) {
                break;
            }
            let Some(slot) = slots.get_mut(&id) else { continue };
            slot.running = true;
            let (store, types, executor) = (self.store.clone(), self.types.clone(), self.executor.clone());
            let holder = self.options.holder.clone();
            running.spawn(async move {
                let result = poll_by_id(&*store, &types, &*executor, &id, &holder).await;
                (id, result)
            });
        }
    }

    /// Schedules an instance's next poll after one finished.
    fn finish(
        &self,
        slots: &mut HashMap<TriggerInstanceId, Slot>,
        id: TriggerInstanceId,
        result: Result<Option<PollReport>, PollFailure>,
    ) {
        let Some(slot) = slots.get_mut(&id) else { return };
        slot.running = false;
        let now = SystemTime::now();
        match result {
            Ok(report) => {
                if slot.failures > 0 {
                    tracing::info!(instance = %id, "polling works again");
                }
                slot.failures = 0;
                slot.due = now + slot.interval;
                if let Some(report) = report {
                    tracing::debug!(instance = %id, items = report.items, events = report.events, baseline = report.baseline, "polled");
                    if report.events > 0 {
                        if let Some(recorded) = &self.options.recorded {
                            recorded.poke();
                        }
                    }
                }
            }
            Err(failure) => {
                slot.failures = slot.failures.saturating_add(1);
                let wait = backoff(&failure, slot.failures, slot.interval);
                slot.due = now + wait;
                // Logged when it starts failing (once for a permanent failure, which
                // then waits long); the retries after it only at debug level.
                if slot.failures == 1 {
                    tracing::warn!(instance = %id, error = %failure, wait_seconds = wait.as_secs(), "poll failed");
                } else {
                    tracing::debug!(instance = %id, error = %failure, failures = slot.failures, wait_seconds = wait.as_secs(), "poll failed again");
                }
            }
        }
    }
}

/// A poll's interval (at least a second).
fn interval_of(poll: &Poll) -> Duration {
    Duration::from_secs(u64::from(poll.interval_seconds.max(1)))
}

/// Polls the instance `id` as it is in the store now (its latest state and cursor), once
/// `holder` has claimed the poll until the next one is due; `None` when it is gone or
/// disabled since it was listed, or another server holds the poll (it makes it).
async fn poll_by_id<S>(
    store: &S,
    types: &TriggerTypes,
    executor: &dyn PollExecutor,
    id: &TriggerInstanceId,
    holder: &str,
) -> Result<Option<PollReport>, PollFailure>
where
    S: TriggerInstances + TriggerEvents + ?Sized,
{
    let instance = store.trigger_instance(id).await.map_err(|e| PollFailure::Retryable {
        message: format!("reading trigger instance {id} failed: {e}"),
        retry_after: None,
    })?;
    let Some(instance) = instance.filter(|i| i.enabled) else { return Ok(None) };
    let Some(poll) = types.entry(instance.trigger.as_str()).and_then(|e| e.spec.poll.as_ref()) else {
        return Ok(None);
    };
    let now = SystemTime::now();
    let claimed =
        store.claim_poll(id, holder, now, now + interval_of(poll)).await.map_err(|e| PollFailure::Retryable {
            message: format!("claiming the poll of trigger instance {id} failed: {e}"),
            retry_after: None,
        })?;
    if !claimed {
        tracing::debug!(instance = %id, "another server makes this poll");
        return Ok(None);
    }
    poll_once(store, executor, &instance, poll, now).await.map(Some)
}
