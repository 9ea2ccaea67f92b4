//! The outbox under a worker that fails at random: every event is delivered exactly once,
//! and each instance's events in recording order (issue 18).

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use std::sync::Mutex;
use std::time::Duration;

use toolsmith_store::conformance::drain::{assert_drained, attempt_batch, pending_left, record_events, ClaimLog, Rng};
use toolsmith_store::conformance::fixtures::{at, TempDir};
use toolsmith_store::prelude::*;
use toolsmith_store::{KeyRing, SqliteStore};

const LEASE: Duration = Duration::from_secs(30);

/// Two workers claim in turn (the second while the first still holds its claims), then
/// attempt their deliveries in the order given: a success finishes one as delivered, a
/// failure retries it at once and releases the rest of its instance's; now and then a
/// worker dies without finishing anything, and its claims end with their lease.
async fn drain(seed: u64, events: usize, instances: usize) {
    let dir = TempDir::new("drain");
    let store = SqliteStore::open(dir.path().join("toolsmith.db"), KeyRing::generate().unwrap()).unwrap();
    let mut rng = Rng(seed);
    let recorded = record_events(&store, &mut rng, events, instances).await;

    let (log, delivered) = (ClaimLog::default(), Mutex::new(Vec::new()));
    let mut now = 1_000_000u64;
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 10_000, "seed {seed}: the outbox does not drain");
        let first = store.claim_deliveries(at(now), LEASE, 1 + rng.below(40) as usize).await.unwrap();
        let second = store.claim_deliveries(at(now), LEASE, 1 + rng.below(40) as usize).await.unwrap();
        if first.is_empty() && second.is_empty() {
            if !pending_left(&store).await {
                break;
            }
            now += LEASE.as_millis() as u64; // a dead worker's claims end
            continue;
        }
        for batch in [first, second] {
            if rng.below(10) == 0 {
                continue; // this worker died
            }
            let claimed = log.tick();
            attempt_batch(&store, batch, &mut rng, at(now), at(now), &log, claimed, &delivered).await;
        }
        now += 1;
    }
    log.assert_no_overlap();
    assert_drained(&store, &recorded, &delivered.into_inner().unwrap(), &format!("seed {seed}")).await;
}

#[tokio::test]
async fn random_failures_still_deliver_every_event_once_in_order() {
    for seed in [0x9e37_79b9_7f4a_7c15, 42, 7, 1_234_567] {
        drain(seed, 150, 6).await;
    }
}
