//! The delivery worker of one project's store.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use toolsmith_core::{TriggerEventId, TriggerInstanceId, WebhookSubscriptionId};
use toolsmith_store::{DeliveryNext, PendingDelivery, StoreError, TriggerEvents};

use super::attempt::attempt;
use super::retry::RetryPolicy;

/// How a [`Deliverer`] works.
#[derive(Clone, Copy, Debug)]
pub struct DeliveryOptions {
    /// How long a claim lasts (60 s): longer than `request_timeout`, so that a hung app
    /// never holds a delivery past its claim.
    pub lease: Duration,
    /// The longest an app may take to answer (15 s).
    pub request_timeout: Duration,
    /// The most deliveries claimed at a time (64).
    pub batch: usize,
    /// The most trigger instances delivered to at once (16).
    pub concurrency: usize,
    /// How often the worker looks for due deliveries without being woken (1 s): retries
    /// that came due, events other processes recorded.
    pub tick: Duration,
    /// When failed deliveries are tried again.
    pub retry: RetryPolicy,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        DeliveryOptions {
            lease: Duration::from_secs(60),
            request_timeout: Duration::from_secs(15),
            batch: 64,
            concurrency: 16,
            tick: Duration::from_secs(1),
            retry: RetryPolicy::default(),
        }
    }
}

/// Why a [`Deliverer`] cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The options do not hold together.
    #[error("delivery options: {0}")]
    Options(String),
    /// The HTTP client could not be built (no TLS roots).
    #[error("cannot build the HTTP client of deliveries: {0}")]
    Client(String),
}

/// Delivers one project store's trigger events to its webhook subscription (see
/// [the module](super)). Cheap to clone.
#[derive(Debug)]
pub struct Deliverer<S: ?Sized> {
    store: Arc<S>,
    http: reqwest::Client,
    options: DeliveryOptions,
}

impl<S: ?Sized> Clone for Deliverer<S> {
    fn clone(&self) -> Self {
        Deliverer { store: self.store.clone(), http: self.http.clone(), options: self.options }
    }
}

/// One instance's claimed deliveries, in order (`None`: events of the project).
type Lane = (Option<TriggerInstanceId>, Vec<PendingDelivery>);

impl<S: TriggerEvents + ?Sized + 'static> Deliverer<S> {
    /// A worker over `store`.
    ///
    /// # Errors
    /// [`DeliveryError::Options`] when the lease is not longer than the request timeout
    /// or the batch or concurrency is zero; [`DeliveryError::Client`] when no HTTP client
    /// can be built.
    pub fn new(store: Arc<S>, options: DeliveryOptions) -> Result<Self, DeliveryError> {
        if options.lease <= options.request_timeout {
            return Err(DeliveryError::Options(format!(
                "the lease ({:?}) must be longer than the request timeout ({:?}), or a slow app would hold a \
                 delivery past its claim",
                options.lease, options.request_timeout
            )));
        }
        if options.batch == 0 || options.concurrency == 0 {
            return Err(DeliveryError::Options("`batch` and `concurrency` must be at least 1".into()));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("toolsmith-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DeliveryError::Client(e.to_string()))?;
        Ok(Deliverer { store, http, options })
    }

    /// Delivers until `stop` is cancelled: a round whenever `wake` changes or every
    /// [`tick`](DeliveryOptions::tick), and at once again after a full batch. Deliveries
    /// in flight when `stop` fires are dropped unfinished; their claims lapse.
    pub async fn run(self, mut wake: watch::Receiver<u64>, stop: CancellationToken) {
        loop {
            wake.mark_unchanged();
            let round = tokio::select! {
                () = stop.cancelled() => return,
                round = self.deliver_due() => round,
            };
            let full = match round {
                Ok(claimed) => claimed >= self.options.batch,
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim trigger deliveries; trying again at the next tick");
                    false
                }
            };
            if full {
                continue;
            }
            tokio::select! {
                () = stop.cancelled() => return,
                changed = wake.changed() => {
                    if changed.is_err() {
                        // Nobody can poke any more: ticks only.
                        tokio::select! {
                            () = stop.cancelled() => return,
                            () = tokio::time::sleep(self.options.tick) => {}
                        }
                    }
                }
                () = tokio::time::sleep(self.options.tick) => {}
            }
        }
    }

    /// One round: claims the due deliveries and attempts them, each instance's in order,
    /// instances in parallel. Returns how many were claimed.
    ///
    /// # Errors
    /// The store's, when claiming fails (failures later in the round are logged).
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let claimed_at = Instant::now();
        let claimed = self.store.claim_deliveries(SystemTime::now(), self.options.lease, self.options.batch).await?;
        let count = claimed.len();
        let permits = Arc::new(Semaphore::new(self.options.concurrency));
        let mut lanes = JoinSet::new();
        for (_, lane) in lanes_of(claimed) {
            let worker = self.clone();
            let permits = permits.clone();
            lanes.spawn(async move {
                let Ok(_permit) = permits.acquire_owned().await else { return };
                worker.deliver_lane(lane, claimed_at).await;
            });
        }
        while lanes.join_next().await.is_some() {}
        Ok(count)
    }

    /// Attempts a lane's deliveries in order; after one that is not delivered, releases
    /// the rest, which must wait for it. Also releases the rest when the claim could end
    /// before the next attempt does (a slow app): another worker could claim them then.
    async fn deliver_lane(&self, lane: Vec<PendingDelivery>, claimed_at: Instant) {
        for (i, delivery) in lane.iter().enumerate() {
            let in_time = claimed_at.elapsed() + self.options.request_timeout < self.options.lease;
            if !in_time || !self.deliver(delivery).await {
                let i = if in_time { i + 1 } else { i };
                let rest: Vec<(TriggerEventId, WebhookSubscriptionId)> =
                    lane[i..].iter().map(|d| (d.event.id.clone(), d.subscription.id.clone())).collect();
                if !rest.is_empty() {
                    if let Err(e) = self.store.release_deliveries(&rest).await {
                        tracing::warn!(error = %e, count = rest.len(), "could not release trigger deliveries; their claims lapse");
                    }
                }
                return;
            }
        }
    }

    /// One attempt, recorded; `true` when the app took it.
    async fn deliver(&self, delivery: &PendingDelivery) -> bool {
        let attempted = attempt(&self.http, delivery, self.options.request_timeout).await;
        let number = delivery.attempts.saturating_add(1);
        let next = if attempted.delivered {
            DeliveryNext::Delivered
        } else {
            self.options.retry.after_failure(number, delivery.first_due, attempted.attempt.at, attempted.retry_after)
        };
        let event = &delivery.event.id;
        let subscription = &delivery.subscription.id;
        match next {
            DeliveryNext::Delivered => {
                tracing::debug!(%event, %subscription, attempt = number, "trigger event delivered")
            }
            DeliveryNext::RetryAt(at) => tracing::info!(
                %event, %subscription, attempt = number,
                error = attempted.attempt.error.as_deref().unwrap_or_default(),
                retry_in_s = at.duration_since(SystemTime::now()).unwrap_or_default().as_secs(),
                "trigger event not delivered; retrying later"
            ),
            DeliveryNext::GiveUp => tracing::warn!(
                %event, %subscription, attempt = number,
                error = attempted.attempt.error.as_deref().unwrap_or_default(),
                "trigger event not delivered within the retry period; giving up"
            ),
        }
        if let Err(e) = self.store.finish_delivery(event, subscription, &attempted.attempt, next).await {
            tracing::warn!(%event, error = %e, "could not record a delivery attempt; the delivery is claimed again later");
            return false;
        }
        attempted.delivered
    }
}

/// Claimed deliveries grouped by instance, each group in the order claimed.
fn lanes_of(claimed: Vec<PendingDelivery>) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = Vec::new();
    for delivery in claimed {
        match lanes.iter_mut().find(|(instance, _)| *instance == delivery.event.instance) {
            Some((_, lane)) => lane.push(delivery),
            None => lanes.push((delivery.event.instance.clone(), vec![delivery])),
        }
    }
    lanes
}
