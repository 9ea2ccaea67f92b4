//! The outbox under a worker that fails at random: every event is delivered exactly once,
//! and each instance's events in recording order (issue 18).

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use toolsmith_core::{TriggerEventId, TriggerInstanceId};
use toolsmith_store::conformance::fixtures::{at, TempDir};
use toolsmith_store::conformance::{subscription, trigger_event};
use toolsmith_store::prelude::*;
use toolsmith_store::{
    DeliveryAttempt, DeliveryFilter, DeliveryNext, DeliveryStatus, KeyRing, PendingDelivery, SqliteStore,
    TriggerEventType,
};

/// A small deterministic generator (xorshift64), so that a failing seed can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const LEASE: Duration = Duration::from_secs(30);

/// Two workers claim in turn (the second while the first still holds its claims), then
/// attempt their deliveries in the order given: a success finishes one as delivered, a
/// failure retries it at once and releases the rest of its instance's; now and then a
/// worker dies without finishing anything, and its claims end with their lease.
async fn drain(seed: u64, events: usize, instances: usize) {
    let dir = TempDir::new("drain");
    let store = SqliteStore::open(dir.path().join("toolsmith.db"), KeyRing::generate().unwrap()).unwrap();
    let hooks = subscription(&[TriggerEventType::Message, TriggerEventType::AccountExpired], 1);
    store.create_webhook_subscription(&hooks).await.unwrap();
    let mut rng = Rng(seed);
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
    // Recorded in a few calls.
    let mut recorded = Vec::new();
    for chunk in new.chunks(37) {
        recorded.extend(store.record_trigger_events(chunk, None).await.unwrap());
    }
    let seq: HashMap<TriggerEventId, u64> = recorded.iter().map(|e| (e.id.clone(), e.seq)).collect();

    let mut now = 1_000_000u64;
    let mut delivered: Vec<PendingDelivery> = Vec::new();
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 10_000, "seed {seed}: the outbox does not drain");
        let first = store.claim_deliveries(at(now), LEASE, 1 + rng.below(40) as usize).await.unwrap();
        let second = store.claim_deliveries(at(now), LEASE, 1 + rng.below(40) as usize).await.unwrap();
        if first.is_empty() && second.is_empty() {
            let left = DeliveryFilter { statuses: vec![DeliveryStatus::Pending], ..Default::default() };
            if store.deliveries(&left).await.unwrap().is_empty() {
                break;
            }
            now += LEASE.as_millis() as u64; // a dead worker's claims end
            continue;
        }
        for batch in [first, second] {
            if rng.below(10) == 0 {
                continue; // this worker died
            }
            let mut failed: Vec<Option<TriggerInstanceId>> = Vec::new();
            for d in batch {
                let key = (d.event.id.clone(), d.subscription.id.clone());
                if failed.contains(&d.event.instance) {
                    store.release_deliveries(&[key]).await.unwrap();
                    continue;
                }
                let ok = rng.below(3) != 0;
                let attempt = DeliveryAttempt {
                    at: at(now),
                    status: Some(if ok { 200 } else { 503 }),
                    error: None,
                    duration: Duration::from_millis(1),
                };
                let next = if ok { DeliveryNext::Delivered } else { DeliveryNext::RetryAt(at(now)) };
                store.finish_delivery(&key.0, &key.1, &attempt, next).await.unwrap();
                if ok {
                    delivered.push(d);
                } else {
                    failed.push(d.event.instance.clone());
                }
            }
        }
        now += 1;
    }

    let mut order = delivered.iter().map(|d| d.event.id.clone()).collect::<Vec<_>>();
    order.sort_by_key(|id| seq[id]);
    assert_eq!(order, recorded.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), "seed {seed}: each event once");
    let mut per_instance: BTreeMap<Option<String>, Vec<u64>> = BTreeMap::new();
    for d in &delivered {
        per_instance.entry(d.event.instance.as_ref().map(|i| i.to_string())).or_default().push(d.event.seq);
    }
    for (instance, seqs) in per_instance {
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seed {seed}: {instance:?} delivered out of order: {seqs:?}");
    }
    let all = store.deliveries(&DeliveryFilter::default()).await.unwrap();
    assert!(all.iter().all(|d| d.status == DeliveryStatus::Delivered), "seed {seed}");
}

#[tokio::test]
async fn random_failures_still_deliver_every_event_once_in_order() {
    for seed in [0x9e37_79b9_7f4a_7c15, 42, 7, 1_234_567] {
        drain(seed, 150, 6).await;
    }
}
