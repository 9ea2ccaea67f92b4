//! Draining the outbox under workers that fail at random, for backends' tests: events of
//! several instances recorded ([`record_events`]), batches attempted as the delivery
//! worker does ([`attempt_batch`]), and the outcome checked ([`assert_drained`]): every
//! event delivered exactly once, each instance's in recording order. A test drives the
//! workers its own way (in turn with a simulated clock, or concurrently on several
//! servers) and can log each claim to check that none overlaps another ([`ClaimLog`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use toolsmith_core::{TriggerEventId, TriggerInstanceId, WebhookSubscriptionId};

use super::outbox::{subscription, trigger_event};
use crate::{
    DeliveryAttempt, DeliveryFilter, DeliveryNext, DeliveryStatus, PendingDelivery, Store, TriggerEvent,
    TriggerEventType,
};

/// A small deterministic generator (xorshift64), so that a failing seed can be replayed.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Creates a subscription taking messages and expired accounts, then records `events`
/// events spread at random over `instances` instances and the project itself (recorded
/// in a few calls); returns them as recorded.
pub async fn record_events(store: &impl Store, rng: &mut Rng, events: usize, instances: usize) -> Vec<TriggerEvent> {
    let hooks = subscription(&[TriggerEventType::Message, TriggerEventType::AccountExpired], 1);
    store.create_webhook_subscription(&hooks).await.unwrap();
    let ids: Vec<_> = (0..instances).map(|_| TriggerInstanceId::generate()).collect();
    let new: Vec<_> = (0..events)
        .map(|n| {
            let pick = rng.below(instances as u64 + 1) as usize;
            match ids.get(pick) {
                Some(instance) => trigger_event(Some(instance), TriggerEventType::Message, None, n as u64),
                None => trigger_event(None, TriggerEventType::AccountExpired, None, n as u64),
            }
        })
        .collect();
    let mut recorded = Vec::new();
    for chunk in new.chunks(37) {
        recorded.extend(store.record_trigger_events(chunk, None).await.unwrap());
    }
    recorded
}

/// When claims were held, on one clock of ticks: each claim from just after it was made
/// to just before it was finished or released, so that two claims logged as overlapping
/// did overlap.
#[derive(Debug, Default)]
pub struct ClaimLog {
    clock: AtomicU64,
    spans: Mutex<Vec<(TriggerEventId, WebhookSubscriptionId, u64, u64)>>,
}

impl ClaimLog {
    /// The next tick.
    pub fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::SeqCst)
    }

    fn hold(&self, delivery: &PendingDelivery, from: u64) {
        let span = (delivery.event.id.clone(), delivery.subscription.id.clone(), from, self.tick());
        self.spans.lock().unwrap().push(span);
    }

    /// Panics when one delivery was held by two claims at once.
    pub fn assert_no_overlap(&self) {
        let mut by_delivery: HashMap<(TriggerEventId, WebhookSubscriptionId), Vec<(u64, u64)>> = HashMap::new();
        for (event, subscription, from, to) in self.spans.lock().unwrap().iter() {
            by_delivery.entry((event.clone(), subscription.clone())).or_default().push((*from, *to));
        }
        for (delivery, mut spans) in by_delivery {
            spans.sort();
            for pair in spans.windows(2) {
                assert!(pair[0].1 < pair[1].0, "{delivery:?} was claimed twice at once: {spans:?}");
            }
        }
    }
}

/// What a worker does with the batch it claimed (at tick `claimed`, on `log`'s clock):
/// attempts the deliveries in the order given — one in three fails and is retried at
/// `retry_at`, and then the rest of its instance's are released — and returns those it
/// delivered, in order; `delivered` gets each as it succeeds, before it is finished.
#[allow(clippy::too_many_arguments)]
pub async fn attempt_batch(
    store: &impl Store,
    batch: Vec<PendingDelivery>,
    rng: &mut Rng,
    now: SystemTime,
    retry_at: SystemTime,
    log: &ClaimLog,
    claimed: u64,
    delivered: &Mutex<Vec<PendingDelivery>>,
) {
    let mut failed: Vec<Option<TriggerInstanceId>> = Vec::new();
    for d in batch {
        let key = (d.event.id.clone(), d.subscription.id.clone());
        if failed.contains(&d.event.instance) {
            log.hold(&d, claimed);
            store.release_deliveries(&[key]).await.unwrap();
            continue;
        }
        let ok = rng.below(3) != 0;
        let attempt = DeliveryAttempt {
            at: now,
            status: Some(if ok { 200 } else { 503 }),
            error: None,
            duration: Duration::from_millis(1),
        };
        let next = if ok { DeliveryNext::Delivered } else { DeliveryNext::RetryAt(retry_at) };
        log.hold(&d, claimed);
        if ok {
            delivered.lock().unwrap().push(d.clone());
        } else {
            failed.push(d.event.instance.clone());
        }
        store.finish_delivery(&key.0, &key.1, &attempt, next).await.unwrap();
    }
}

/// Whether the store has pending deliveries left.
pub async fn pending_left(store: &impl Store) -> bool {
    let left = DeliveryFilter { statuses: vec![DeliveryStatus::Pending], ..Default::default() };
    !store.deliveries(&left).await.unwrap().is_empty()
}

/// Panics unless `delivered` (in the order the deliveries succeeded) holds each of
/// `recorded` exactly once, each instance's in recording order, and the store has every
/// delivery delivered; `label` names the run.
pub async fn assert_drained(store: &impl Store, recorded: &[TriggerEvent], delivered: &[PendingDelivery], label: &str) {
    let seq: HashMap<TriggerEventId, u64> = recorded.iter().map(|e| (e.id.clone(), e.seq)).collect();
    let mut order = delivered.iter().map(|d| d.event.id.clone()).collect::<Vec<_>>();
    order.sort_by_key(|id| seq[id]);
    assert_eq!(order, recorded.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), "{label}: each event once");
    let mut per_instance: BTreeMap<Option<String>, Vec<u64>> = BTreeMap::new();
    for d in delivered {
        per_instance.entry(d.event.instance.as_ref().map(|i| i.to_string())).or_default().push(d.event.seq);
    }
    for (instance, seqs) in per_instance {
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{label}: {instance:?} delivered out of order: {seqs:?}");
    }
    let all = store.deliveries(&DeliveryFilter::default()).await.unwrap();
    assert_eq!(all.len(), recorded.len(), "{label}");
    assert!(all.iter().all(|d| d.status == DeliveryStatus::Delivered), "{label}");
}
