//! The outbox and the poll claim across servers on one PostgreSQL database: each server a
//! `PgStore::connect` of its own (its own pool), as two `toolsmith serve` nodes would be.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use secrecy::SecretString;
use serde_json::json;
use tokio::sync::Barrier;
use toolsmith_core::{TriggerInstanceId, UserId};
use toolsmith_store::conformance::drain::{assert_drained, attempt_batch, pending_left, record_events, ClaimLog, Rng};
use toolsmith_store::conformance::fixtures::{at, PgCluster};
use toolsmith_store::conformance::{subscription, trigger_event};
use toolsmith_store::prelude::*;
use toolsmith_store::{
    DeliveryAttempt, DeliveryFilter, DeliveryNext, DeliveryStatus, KeyRing, PgStore, TriggerEventType, TriggerInstance,
};

/// Two servers on a new database, sealing with one key ring.
async fn two_servers() -> (Arc<PgStore>, Arc<PgStore>) {
    let url = PgCluster::shared().database().await;
    let keys = KeyRing::generate().unwrap();
    let a = PgStore::connect(&url, keys.clone()).await.unwrap();
    let b = PgStore::connect(&url, keys).await.unwrap();
    (Arc::new(a), Arc::new(b))
}

/// A Gmail trigger instance of `user` (no account), with a secret.
fn user_instance(user: &str) -> TriggerInstance {
    TriggerInstance {
        id: TriggerInstanceId::generate(),
        trigger: "GMAIL_NEW_GMAIL_MESSAGE".into(),
        toolkit: "gmail".into(),
        user_id: UserId::new(user),
        account: None,
        auth_config: None,
        config: serde_json::from_value(json!({"label": "INBOX"})).unwrap(),
        secrets: BTreeMap::from([("token".to_owned(), SecretString::from("SECRET-poll-token"))]),
        enabled: true,
        state: json!({}),
        created_at: at(1),
        updated_at: at(1),
    }
}

/// Four workers on each of two servers claim, attempt and finish concurrently, on the
/// real clock, over 1,000 events of 20 instances (and of the project), one attempt in
/// three failing and retried at once (a due time in the past): every event is delivered
/// exactly once, each instance's in recording order, and no delivery is ever held by two
/// claims at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_drain_the_outbox_exactly_once() {
    let (a, b) = two_servers().await;
    let mut rng = Rng(0x005e_ed0f_0b0c);
    let recorded = record_events(&*a, &mut rng, 1_000, 20).await;
    let log = Arc::new(ClaimLog::default());
    let delivered = Arc::new(Mutex::new(Vec::new()));
    let deadline = Instant::now() + Duration::from_secs(120);
    let workers: Vec<_> = (0..8u64)
        .map(|n| {
            let store = if n % 2 == 0 { Arc::clone(&a) } else { Arc::clone(&b) };
            let (log, delivered) = (Arc::clone(&log), Arc::clone(&delivered));
            tokio::spawn(async move {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (n + 1));
                loop {
                    assert!(Instant::now() < deadline, "worker {n}: the outbox does not drain");
                    let limit = 1 + rng.below(40) as usize;
                    let batch =
                        store.claim_deliveries(SystemTime::now(), Duration::from_secs(60), limit).await.unwrap();
                    if batch.is_empty() {
                        if !pending_left(&*store).await {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(2)).await;
                        continue;
                    }
                    let claimed = log.tick();
                    let now = SystemTime::now();
                    let retry_at = now - Duration::from_secs(1);
                    attempt_batch(&*store, batch, &mut rng, now, retry_at, &log, claimed, &delivered).await;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    log.assert_no_overlap();
    let delivered = std::mem::take(&mut *delivered.lock().unwrap());
    assert_drained(&*b, &recorded, &delivered, "two servers").await;
    let attempts = a.deliveries(&DeliveryFilter::default()).await.unwrap().iter().map(|d| d.attempts).sum::<u32>();
    assert!(attempts > 1_000, "some attempts failed and were retried ({attempts} attempts)");
}

/// A server that claimed deliveries for a short lease and stopped (nothing finished, as
/// if killed) loses them: the other server gets nothing while the lease lasts, then takes
/// them over, in order, and delivers them; the stopped server's late report of a failure
/// does not undo that.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_servers_claims_are_taken_over_after_the_lease() {
    let (a, b) = two_servers().await;
    let hooks = subscription(&[TriggerEventType::Message], 1);
    a.create_webhook_subscription(&hooks).await.unwrap();
    let instance = TriggerInstanceId::generate();
    let events: Vec<_> =
        (0..5).map(|n| trigger_event(Some(&instance), TriggerEventType::Message, None, 10 + n)).collect();
    a.record_trigger_events(&events, None).await.unwrap();

    let lease = Duration::from_millis(500);
    let t = 1_000_000;
    let held = a.claim_deliveries(at(t), lease, 3).await.unwrap();
    assert_eq!(held.len(), 3);
    assert!(b.claim_deliveries(at(t + 499), lease, 10).await.unwrap().is_empty(), "the lease still holds");
    let taken = b.claim_deliveries(at(t + 500), Duration::from_secs(30), 10).await.unwrap();
    let ids = |ds: &[toolsmith_store::PendingDelivery]| ds.iter().map(|d| d.event.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&taken), events.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), "all five, in order");
    for d in &taken {
        let done = DeliveryAttempt { at: at(t + 501), status: Some(200), error: None, duration: Duration::ZERO };
        b.finish_delivery(&d.event.id, &hooks.id, &done, DeliveryNext::Delivered).await.unwrap();
    }
    // The stopped server wakes up and reports its attempt at the first as failed.
    let late = DeliveryAttempt { at: at(t + 502), status: Some(503), error: None, duration: Duration::ZERO };
    a.finish_delivery(&held[0].event.id, &hooks.id, &late, DeliveryNext::RetryAt(at(t))).await.unwrap();
    let all = b.deliveries(&DeliveryFilter::default()).await.unwrap();
    assert!(all.iter().all(|d| d.status == DeliveryStatus::Delivered), "{all:?}");
    assert!(b.claim_deliveries(at(t + 10_000), lease, 10).await.unwrap().is_empty());
}

/// Sixteen pollers, half on each server, race for each of twenty polls of one instance
/// (each round at a time past the last claim): exactly one wins every round.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_of_sixteen_pollers_on_two_servers_claims_each_poll() {
    let (a, b) = two_servers().await;
    let instance = user_instance("ada");
    let id = a.upsert_trigger_instance(&instance).await.unwrap().id;
    for round in 0..20u64 {
        let now = 1_000_000 + round * 60_000;
        let start = Arc::new(Barrier::new(16));
        let racers: Vec<_> = (0..16u64)
            .map(|n| {
                let store = if n % 2 == 0 { Arc::clone(&a) } else { Arc::clone(&b) };
                let (id, start) = (id.clone(), Arc::clone(&start));
                tokio::spawn(async move {
                    start.wait().await;
                    store.claim_poll(&id, &format!("node-{}-poller-{n}", n % 2), at(now), at(now + 60_000)).await
                })
            })
            .collect();
        let mut won = 0;
        for racer in racers {
            won += usize::from(racer.await.unwrap().unwrap());
        }
        assert_eq!(won, 1, "round {round}: exactly one poller claims the poll");
    }
}

/// Eight writers, half on each server, record events of one instance one at a time while a
/// reader pages through them by position: positions follow commit order, so the reader,
/// never looking back, sees every event exactly once, in the order of their positions.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reader_paging_by_position_misses_no_event_recorded_concurrently() {
    let (a, b) = two_servers().await;
    let instance = TriggerInstanceId::generate();
    let writers: Vec<_> = (0..8u64)
        .map(|n| {
            let store = if n % 2 == 0 { Arc::clone(&a) } else { Arc::clone(&b) };
            let instance = instance.clone();
            tokio::spawn(async move {
                for i in 0..50 {
                    let event = trigger_event(Some(&instance), TriggerEventType::Message, None, n * 1_000 + i);
                    store.record_trigger_events(&[event], None).await.unwrap();
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        assert!(Instant::now() < deadline, "the reader saw {} of 400 events", seen.len());
        let done = writers.iter().all(|w| w.is_finished());
        let after = seen.last().map(|e: &toolsmith_store::TriggerEvent| e.seq);
        let page = b.trigger_events_after(after, 7).await.unwrap();
        if page.is_empty() && done {
            break;
        }
        seen.extend(page);
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let all = a.trigger_events_after(None, 1_000).await.unwrap();
    assert_eq!(all.len(), 400);
    assert_eq!(seen, all, "the reader saw every event once, in order");
}

/// Two projects on one database keep their records apart: each has its own subscription,
/// events, deliveries, claims, trigger instances (the same identity in both is two
/// instances), sessions and memory; another project's ids are unknown to a handle, and
/// the main handle (the default project) sees neither. MCP sessions are global.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_keep_their_sessions_triggers_and_outbox_apart() {
    let (main, other_server) = two_servers().await;
    let acme = main.for_project(&main.ensure_project("acme").await.unwrap());
    let globex = other_server.for_project(&other_server.ensure_project("globex").await.unwrap());

    let (acme_hooks, globex_hooks) =
        (subscription(&[TriggerEventType::Message], 1), subscription(&[TriggerEventType::Message], 2));
    acme.create_webhook_subscription(&acme_hooks).await.unwrap();
    globex.create_webhook_subscription(&globex_hooks).await.unwrap();
    assert!(acme.webhook_subscription(&globex_hooks.id).await.unwrap().is_none());
    assert!(!acme.update_webhook_subscription(&globex_hooks).await.unwrap());
    assert!(!acme.delete_webhook_subscription(&globex_hooks.id).await.unwrap());
    assert_eq!(globex.webhook_subscriptions().await.unwrap().len(), 1);

    let (acme_instance, globex_instance) = (user_instance("ada"), user_instance("ada"));
    let acme_id = acme.upsert_trigger_instance(&acme_instance).await.unwrap().id;
    let globex_id = globex.upsert_trigger_instance(&globex_instance).await.unwrap().id;
    assert_ne!(acme_id, globex_id, "one identity in two projects is two instances");
    assert!(acme.trigger_instance(&globex_id).await.unwrap().is_none());
    assert_eq!(acme.trigger_instances(&Default::default()).await.unwrap().len(), 1);
    assert!(!acme.claim_poll(&globex_id, "node-a", at(1_000), at(2_000)).await.unwrap());
    assert!(!acme.set_trigger_enabled(&globex_id, false, at(3)).await.unwrap());
    assert!(!acme.delete_trigger_instance(&globex_id).await.unwrap());
    let moved = acme.record_trigger_events(&[], Some((&globex_id, &json!({"cursor": 1})))).await.unwrap_err();
    assert!(matches!(moved, toolsmith_store::StoreError::Missing(_)), "{moved:?}");

    let acme_events = [trigger_event(Some(&acme_id), TriggerEventType::Message, Some("k"), 10)];
    // The same dedupe key in another project is another event.
    let globex_events = [
        trigger_event(Some(&globex_id), TriggerEventType::Message, Some("k"), 11),
        trigger_event(Some(&globex_id), TriggerEventType::Message, None, 12),
    ];
    assert_eq!(acme.record_trigger_events(&acme_events, None).await.unwrap().len(), 1);
    assert_eq!(globex.record_trigger_events(&globex_events, None).await.unwrap().len(), 2);
    assert_eq!(acme.trigger_events_after(None, 10).await.unwrap().len(), 1);
    assert_eq!(acme.deliveries(&DeliveryFilter::default()).await.unwrap().len(), 1);
    assert!(main.trigger_events_after(None, 10).await.unwrap().is_empty(), "the default project has none");
    let claimed = acme.claim_deliveries(at(100), Duration::from_secs(30), 10).await.unwrap();
    assert_eq!(claimed.iter().map(|d| &d.subscription.id).collect::<Vec<_>>(), [&acme_hooks.id]);
    let done = DeliveryAttempt { at: at(101), status: Some(200), error: None, duration: Duration::ZERO };
    let err =
        acme.finish_delivery(&globex_events[0].id, &globex_hooks.id, &done, DeliveryNext::Delivered).await.unwrap_err();
    assert!(matches!(err, toolsmith_store::StoreError::Missing(_)), "{err:?}");
    assert!(acme.delivery_attempts(&globex_events[0].id).await.unwrap().is_empty());
    assert_eq!(globex.claim_deliveries(at(100), Duration::from_secs(30), 10).await.unwrap().len(), 2);

    let ada = toolsmith_store::conformance::fixtures::session("ada", 5);
    acme.put_session(&ada).await.unwrap();
    let fact = toolsmith_store::Fact {
        key: "repo".into(),
        value: "acme/app".into(),
        source: "user".into(),
        updated_at: at(6),
    };
    acme.remember(&ada.id, std::slice::from_ref(&fact)).await.unwrap();
    assert!(globex.session(&ada.id).await.unwrap().is_none());
    assert!(globex.memory(&ada.id).await.unwrap().is_empty());
    assert!(matches!(globex.remember(&ada.id, &[fact]).await, Err(toolsmith_store::StoreError::Missing(_))));
    assert!(!globex.delete_session(&ada.id).await.unwrap());
    assert_eq!(acme.memory(&ada.id).await.unwrap().len(), 1);

    acme.put_mcp_session("mcp-1", "{}", at(7)).await.unwrap();
    assert_eq!(globex.mcp_session("mcp-1").await.unwrap().as_deref(), Some("{}"), "MCP sessions are global");
}
