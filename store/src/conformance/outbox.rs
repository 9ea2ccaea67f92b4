//! The checks of [`TriggerEvents`] and [`WebhookSubscriptions`]: events deduped by key
//! and by id and recorded with their instance's state in one transaction, deliveries
//! queued for the subscription that takes their type, claimed in order per instance,
//! leased, released, retried, given up, and listed with their attempts; one sealed
//! subscription per project.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use toolsmith_core::{TriggerEventId, TriggerInstanceId, WebhookSubscriptionId};

use super::backend::Backend;
use super::fixtures::{at, github_and_ada, TempDir};
use super::triggers::trigger_instance;
use crate::{
    DeliveryAttempt, DeliveryFilter, DeliveryNext, DeliveryStatus, KeyRing, KeyRotation, NewTriggerEvent,
    PendingDelivery, StoreError, TriggerEventType, TriggerEvents, TriggerInstances, WebhookSubscription,
    WebhookSubscriptions,
};

/// The signing secret of every [`subscription`].
pub const SUBSCRIPTION_SECRET: &str = "SECRET-subscription-secret-Wq3Zn8";

/// How long the checks' claims last.
const LEASE: Duration = Duration::from_secs(30);

/// A V3 subscription taking `events`, created at `ms`, signing with [`SUBSCRIPTION_SECRET`].
pub fn subscription(events: &[TriggerEventType], ms: u64) -> WebhookSubscription {
    WebhookSubscription {
        id: WebhookSubscriptionId::generate(),
        url: "https://app.example/hooks/composio?team=1".parse().unwrap(),
        secret: SecretString::from(SUBSCRIPTION_SECRET),
        version: "V3".to_owned(),
        enabled_events: events.to_vec(),
        created_at: at(ms),
        updated_at: at(ms),
    }
}

/// A new event of `kind` for `instance` at `ms`, deduped by `key`, with a V3 envelope.
pub fn trigger_event(
    instance: Option<&TriggerInstanceId>,
    kind: TriggerEventType,
    key: Option<&str>,
    ms: u64,
) -> NewTriggerEvent {
    let id = TriggerEventId::generate();
    NewTriggerEvent {
        envelope: json!({
            "id": id.as_str(),
            "type": kind.as_str(),
            "timestamp": ms,
            "metadata": {"trigger_id": instance.map(TriggerInstanceId::as_str)},
            "data": {"key": key, "title": "ünïcode \"quoted\""},
        }),
        id,
        kind,
        instance: instance.cloned(),
        dedupe_key: key.map(str::to_owned),
        at: at(ms),
    }
}

fn message(instance: &TriggerInstanceId, ms: u64) -> NewTriggerEvent {
    trigger_event(Some(instance), TriggerEventType::Message, None, ms)
}

fn ids(claimed: &[PendingDelivery]) -> Vec<TriggerEventId> {
    claimed.iter().map(|d| d.event.id.clone()).collect()
}

fn event_ids(events: &[NewTriggerEvent]) -> Vec<TriggerEventId> {
    events.iter().map(|e| e.id.clone()).collect()
}

fn attempt(ms: u64, status: Option<u16>) -> DeliveryAttempt {
    DeliveryAttempt {
        at: at(ms),
        status,
        error: status.filter(|s| *s >= 300).map(|s| format!("the app answered {s}")),
        duration: Duration::from_millis(42),
    }
}

/// Records the events in one call and checks that each was recorded.
async fn record_all(store: &impl TriggerEvents, events: &[NewTriggerEvent]) {
    let recorded = store.record_trigger_events(events, None).await.unwrap();
    assert_eq!(recorded.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), event_ids(events));
}

/// An event is skipped when its instance already has its dedupe key (the project's own
/// events too), or its id is recorded, also within one call; recorded events come back
/// with increasing positions and are paged by [`TriggerEvents::trigger_events_after`].
pub async fn trigger_events_are_deduped_and_paged(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let (a, b) = (TriggerInstanceId::generate(), TriggerInstanceId::generate());
    let first = trigger_event(Some(&a), TriggerEventType::Message, Some("item-1"), 1_000);
    let second = trigger_event(Some(&a), TriggerEventType::Message, Some("item-2"), 1_001);
    let same_key = trigger_event(Some(&a), TriggerEventType::Message, Some("item-1"), 1_002);
    let mut same_id = trigger_event(Some(&b), TriggerEventType::Message, Some("other"), 1_003);
    same_id.id = first.id.clone();
    let other_instance = trigger_event(Some(&b), TriggerEventType::Message, Some("item-1"), 1_004);
    let project = trigger_event(None, TriggerEventType::AccountExpired, Some("ca_1"), 1_005);
    let project_again = trigger_event(None, TriggerEventType::AccountExpired, Some("ca_1"), 1_006);
    let no_key = [message(&a, 1_007), message(&a, 1_008)];
    let batch =
        [&first, &second, &same_key, &same_id, &other_instance, &project, &project_again, &no_key[0], &no_key[1]]
            .map(Clone::clone);
    let recorded = store.record_trigger_events(&batch, None).await.unwrap();
    let kept = [&first, &second, &other_instance, &project, &no_key[0], &no_key[1]].map(|e| e.id.clone());
    assert_eq!(recorded.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), kept);
    assert!(recorded.windows(2).all(|w| w[0].seq < w[1].seq), "positions increase");
    assert_eq!(recorded[0].envelope, first.envelope);
    assert_eq!((recorded[0].created_at, recorded[0].kind), (at(1_000), TriggerEventType::Message));
    assert_eq!((recorded[0].instance.as_ref(), recorded[0].dedupe_key.as_deref()), (Some(&a), Some("item-1")));
    assert_eq!((recorded[3].instance.as_ref(), recorded[3].kind), (None, TriggerEventType::AccountExpired));

    // A second call with the same events records none of them.
    assert!(store.record_trigger_events(&batch, None).await.unwrap().is_empty());
    let later = message(&b, 2_000);
    let more = store.record_trigger_events(std::slice::from_ref(&later), None).await.unwrap();
    assert!(more[0].seq > recorded[5].seq);

    // Paging: everything in order, as recorded.
    let page1 = store.trigger_events_after(None, 4).await.unwrap();
    assert_eq!(page1, recorded[..4]);
    let page2 = store.trigger_events_after(Some(page1[3].seq), 4).await.unwrap();
    assert_eq!(
        page2.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        [&kept[4], &kept[5], &later.id].map(Clone::clone)
    );
    assert!(store.trigger_events_after(Some(page2[2].seq), 4).await.unwrap().is_empty());
}

/// The instance's state moves with the events, in the same transaction: when it names a
/// missing instance nothing is recorded ([`StoreError::Missing`]); the instance's
/// `updated_at` stays (the state is not a change by the user).
pub async fn trigger_state_moves_only_with_the_events(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let (_, ada) = github_and_ada(&store).await;
    let instance = trigger_instance(&ada, "GMAIL_NEW_GMAIL_MESSAGE", json!({"label": "INBOX"}), 10);
    store.upsert_trigger_instance(&instance).await.unwrap();
    store.create_webhook_subscription(&subscription(&TriggerEventType::ALL, 5)).await.unwrap();

    let found = [message(&instance.id, 100), message(&instance.id, 101)];
    let cursor = json!({"historyId": "4711", "seen": ["a", "b"]});
    let recorded = store.record_trigger_events(&found, Some((&instance.id, &cursor))).await.unwrap();
    assert_eq!(recorded.len(), 2);
    let stored = store.trigger_instance(&instance.id).await.unwrap().unwrap();
    assert_eq!((stored.state, stored.updated_at), (cursor, at(10)));

    let missing = TriggerInstanceId::generate();
    let lost = [message(&missing, 200)];
    let err = store.record_trigger_events(&lost, Some((&missing, &json!({"historyId": "1"})))).await.unwrap_err();
    assert!(matches!(&err, StoreError::Missing(what) if what.contains(missing.as_str())), "{err:?}");
    assert_eq!(store.trigger_events_after(None, 10).await.unwrap().len(), 2, "nothing was recorded");
    assert_eq!(store.deliveries(&DeliveryFilter::default()).await.unwrap().len(), 2, "nor queued");

    // No new event (all seen): the cursor still moves.
    let empty = json!({"historyId": "4800"});
    assert!(store.record_trigger_events(&found, Some((&instance.id, &empty))).await.unwrap().is_empty());
    assert_eq!(store.trigger_instance(&instance.id).await.unwrap().unwrap().state, empty);
}

/// Each recorded event gets a pending delivery only when the subscription takes its type;
/// events recorded without a subscription get none.
pub async fn deliveries_go_to_the_subscription_taking_the_type(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let a = TriggerInstanceId::generate();
    let before = message(&a, 1);
    record_all(&store, std::slice::from_ref(&before)).await;
    let mut hooks = subscription(&[TriggerEventType::Message], 2);
    store.create_webhook_subscription(&hooks).await.unwrap();
    let taken = message(&a, 3);
    let expired = trigger_event(None, TriggerEventType::AccountExpired, None, 4);
    record_all(&store, &[taken.clone(), expired.clone()]).await;

    let all = store.deliveries(&DeliveryFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    let queued = &all[0];
    assert_eq!(
        (&queued.event, queued.kind, queued.instance.as_ref()),
        (&taken.id, TriggerEventType::Message, Some(&a))
    );
    assert_eq!((&queued.subscription, queued.status, queued.attempts), (&hooks.id, DeliveryStatus::Pending, 0));
    assert_eq!((queued.next_attempt_at, queued.created_at, &queued.last_attempt), (Some(at(3)), at(3), &None));

    hooks.enabled_events = vec![TriggerEventType::AccountExpired, TriggerEventType::TriggerDisabled];
    hooks.updated_at = at(5);
    assert!(store.update_webhook_subscription(&hooks).await.unwrap());
    let disabled = trigger_event(Some(&a), TriggerEventType::TriggerDisabled, None, 6);
    record_all(&store, &[message(&a, 6), disabled.clone()]).await;
    let newest: Vec<_> =
        store.deliveries(&DeliveryFilter::default()).await.unwrap().into_iter().map(|d| d.event).collect();
    assert_eq!(newest, [disabled.id, taken.id], "newest first");
}

/// Claims keep order per instance: two instances interleaved (and events without one)
/// are claimed together in recording order; a first delivery retried later blocks the
/// rest of its instance only; an instance whose first pending delivery is claimed gives
/// nothing to another claim; `limit` cuts the result in recording order.
pub async fn claims_keep_order_per_instance(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let hooks = subscription(&TriggerEventType::ALL, 1);
    store.create_webhook_subscription(&hooks).await.unwrap();
    let (a, b) = (TriggerInstanceId::generate(), TriggerInstanceId::generate());
    let events = [
        message(&a, 10),
        message(&b, 11),
        message(&a, 12),
        trigger_event(None, TriggerEventType::AccountExpired, None, 13),
        message(&b, 14),
        message(&a, 15),
    ];
    record_all(&store, &events).await;
    let [a1, b1, a2, p1, b2, a3] = event_ids(&events).try_into().unwrap();
    let now = at(1_000_000);

    // A claim of one takes the oldest; the next claim skips that instance entirely.
    let first = store.claim_deliveries(now, LEASE, 1).await.unwrap();
    assert_eq!(ids(&first), std::slice::from_ref(&a1));
    let rest = store.claim_deliveries(now, LEASE, 100).await.unwrap();
    assert_eq!(ids(&rest), [b1.clone(), p1.clone(), b2.clone()], "a2 and a3 wait behind the claimed a1");
    let delivered = |ms| (attempt(ms, Some(200)), DeliveryNext::Delivered);
    for id in [&b1, &p1, &b2] {
        let (tried, next) = delivered(1_000_001);
        store.finish_delivery(id, &hooks.id, &tried, next).await.unwrap();
    }
    // a1 fails and is retried in a minute: a2 and a3 stay blocked, b goes on.
    let retry = at(1_060_000);
    store.finish_delivery(&a1, &hooks.id, &attempt(1_000_002, Some(503)), DeliveryNext::RetryAt(retry)).await.unwrap();
    assert!(store.claim_deliveries(now, LEASE, 100).await.unwrap().is_empty(), "a is blocked by a1");
    let b3 = message(&b, 16);
    record_all(&store, std::slice::from_ref(&b3)).await;
    assert_eq!(ids(&store.claim_deliveries(now, LEASE, 100).await.unwrap()), std::slice::from_ref(&b3.id));
    let (tried, next) = delivered(1_000_003);
    store.finish_delivery(&b3.id, &hooks.id, &tried, next).await.unwrap();

    // When a1 is due, a's deliveries come in order, and `limit` keeps a prefix.
    let again = store.claim_deliveries(retry, LEASE, 2).await.unwrap();
    assert_eq!(ids(&again), [a1.clone(), a2.clone()]);
    assert_eq!(again[0].attempts, 1);
    assert_eq!((again[1].attempts, again[1].first_due), (0, at(12)));
    assert_eq!(again[0].subscription.secret.expose_secret(), SUBSCRIPTION_SECRET);
    assert_eq!((&again[0].subscription.id, &again[0].subscription.url), (&hooks.id, &hooks.url));
    assert_eq!(again[0].event.envelope, events[0].envelope);
    // After a2 is released, a2 and a3 are claimable only once a1 is finished.
    store.release_deliveries(&[(a2.clone(), hooks.id.clone())]).await.unwrap();
    assert!(store.claim_deliveries(retry, LEASE, 100).await.unwrap().is_empty(), "a1 is still claimed");
    store.finish_delivery(&a1, &hooks.id, &attempt(1_060_001, Some(204)), DeliveryNext::Delivered).await.unwrap();
    assert_eq!(ids(&store.claim_deliveries(retry, LEASE, 100).await.unwrap()), [a2, a3]);
}

/// A claim lasts `lease`: before it ends nobody else gets the delivery, after it the
/// delivery is claimable again (a worker that died loses nothing); a release ends it at
/// once, keeping the due time and the attempts.
pub async fn claims_expire_after_their_lease_and_are_released(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let hooks = subscription(&[TriggerEventType::Message], 1);
    store.create_webhook_subscription(&hooks).await.unwrap();
    let a = TriggerInstanceId::generate();
    let events = [message(&a, 100), message(&a, 101)];
    record_all(&store, &events).await;
    let t = 5_000_000;
    assert!(store.claim_deliveries(at(99), LEASE, 10).await.unwrap().is_empty(), "not due before its time");
    assert_eq!(store.claim_deliveries(at(t), LEASE, 10).await.unwrap().len(), 2);
    assert!(store.claim_deliveries(at(t + 29_999), LEASE, 10).await.unwrap().is_empty(), "still claimed");
    let taken_over = store.claim_deliveries(at(t + 30_000), LEASE, 10).await.unwrap();
    assert_eq!(ids(&taken_over), event_ids(&events), "claimable again when the lease ended");
    assert!(taken_over.iter().zip([100, 101]).all(|(d, ms)| d.attempts == 0 && d.first_due == at(ms)));

    let keys: Vec<_> = taken_over.iter().map(|d| (d.event.id.clone(), hooks.id.clone())).collect();
    store.release_deliveries(&keys).await.unwrap();
    assert_eq!(store.claim_deliveries(at(t + 30_001), LEASE, 10).await.unwrap().len(), 2, "released");

    // The first is due again at once while the second is still claimed: a claim takes
    // the first alone, never the second past a claim.
    let retry = DeliveryNext::RetryAt(at(t + 30_002));
    store.finish_delivery(&keys[0].0, &hooks.id, &attempt(t + 30_001, None), retry).await.unwrap();
    assert_eq!(ids(&store.claim_deliveries(at(t + 30_002), LEASE, 10).await.unwrap()), [keys[0].0.clone()]);
    store.release_deliveries(&keys).await.unwrap();
    let pending = store.deliveries(&DeliveryFilter::default()).await.unwrap();
    let attempts: Vec<_> = pending.iter().map(|d| (d.status, d.attempts)).collect();
    assert_eq!(attempts, [(DeliveryStatus::Pending, 0), (DeliveryStatus::Pending, 1)], "newest first");
    assert_eq!(pending[1].next_attempt_at, Some(at(t + 30_002)));
}

/// Giving up marks a delivery failed and lets the next one of its instance go; every
/// attempt is listed oldest first, the last one with the delivery; filters select by
/// event, instance and status.
pub async fn giving_up_fails_a_delivery_and_unblocks_the_next(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let hooks = subscription(&[TriggerEventType::Message], 1);
    store.create_webhook_subscription(&hooks).await.unwrap();
    let (a, b) = (TriggerInstanceId::generate(), TriggerInstanceId::generate());
    let events = [message(&a, 10), message(&a, 11), message(&b, 12)];
    record_all(&store, &events).await;
    let [a1, a2, b1] = event_ids(&events).try_into().unwrap();

    let mut now = 1_000;
    for status in [Some(500), None] {
        assert_eq!(ids(&store.claim_deliveries(at(now), LEASE, 1).await.unwrap()), std::slice::from_ref(&a1));
        let mut tried = attempt(now, status);
        if status.is_none() {
            tried.error = Some("connection refused".to_owned());
        }
        store.finish_delivery(&a1, &hooks.id, &tried, DeliveryNext::RetryAt(at(now + 1))).await.unwrap();
        now += 1;
    }
    let claimed = store.claim_deliveries(at(now), LEASE, 10).await.unwrap();
    assert_eq!(ids(&claimed), [a1.clone(), a2.clone(), b1.clone()]);
    store.finish_delivery(&a1, &hooks.id, &attempt(now, Some(410)), DeliveryNext::GiveUp).await.unwrap();
    store.release_deliveries(&[(a2.clone(), hooks.id.clone())]).await.unwrap();
    assert_eq!(
        ids(&store.claim_deliveries(at(now), LEASE, 10).await.unwrap()),
        std::slice::from_ref(&a2),
        "a2 goes after a1 failed"
    );

    let attempts = store.delivery_attempts(&a1).await.unwrap();
    assert_eq!(
        attempts.iter().map(|t| (t.at, t.status)).collect::<Vec<_>>(),
        [(at(1_000), Some(500)), (at(1_001), None), (at(1_002), Some(410))]
    );
    assert_eq!(attempts[1].error.as_deref(), Some("connection refused"));
    assert_eq!(attempts[2], attempt(1_002, Some(410)));
    assert!(store.delivery_attempts(&a2).await.unwrap().is_empty());

    let failed = DeliveryFilter { statuses: vec![DeliveryStatus::Failed], ..Default::default() };
    let failed = store.deliveries(&failed).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!((&failed[0].event, failed[0].attempts, failed[0].next_attempt_at), (&a1, 3, None));
    assert_eq!(failed[0].last_attempt, Some(attempt(1_002, Some(410))));
    let of_b = DeliveryFilter { instances: vec![b.clone()], ..Default::default() };
    assert_eq!(store.deliveries(&of_b).await.unwrap().iter().map(|d| &d.event).collect::<Vec<_>>(), [&b1]);
    let pending_of_a = DeliveryFilter {
        instances: vec![a.clone()],
        statuses: vec![DeliveryStatus::Pending],
        limit: Some(5),
        ..Default::default()
    };
    assert_eq!(store.deliveries(&pending_of_a).await.unwrap().iter().map(|d| &d.event).collect::<Vec<_>>(), [&a2]);
    let two = DeliveryFilter { events: vec![a1.clone(), b1.clone(), a2.clone()], limit: Some(2), ..Default::default() };
    assert_eq!(store.deliveries(&two).await.unwrap().iter().map(|d| &d.event).collect::<Vec<_>>(), [&b1, &a2]);
}

/// A project has one subscription ([`StoreError::Conflict`] names it and the fix); its
/// secret round-trips, is replaced by an update, re-encrypted by a key rotation, and
/// stays out of messages and `Debug` output.
pub async fn one_sealed_subscription_per_project(backend: &impl Backend) {
    let dir = TempDir::new("subscription-rotation");
    let home = dir.path().join("home");
    let store1 = backend.open(KeyRing::from_key_file(&home).unwrap()).await.unwrap();
    let hooks = subscription(&[TriggerEventType::Message, TriggerEventType::TriggerDisabled], 10);
    store1.create_webhook_subscription(&hooks).await.unwrap();
    let stored = store1.webhook_subscription(&hooks.id).await.unwrap().unwrap();
    assert_eq!((&stored.id, &stored.url, &stored.version), (&hooks.id, &hooks.url, &hooks.version));
    assert_eq!((&stored.enabled_events, stored.created_at, stored.updated_at), (&hooks.enabled_events, at(10), at(10)));
    assert_eq!(stored.secret.expose_secret(), SUBSCRIPTION_SECRET);
    assert!(!format!("{stored:?}").contains(SUBSCRIPTION_SECRET), "Debug shows no secret");
    assert!(store1.webhook_subscription(&WebhookSubscriptionId::generate()).await.unwrap().is_none());

    let second = subscription(&TriggerEventType::ALL, 20);
    let err = store1.create_webhook_subscription(&second).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&format!("already has webhook subscription {}", hooks.id)), "{text}");
    assert!(text.contains(&format!("PATCH /api/v3/webhook_subscriptions/{}", hooks.id)), "{text}");
    assert!(!text.contains(SUBSCRIPTION_SECRET) && !format!("{err:?}").contains(SUBSCRIPTION_SECRET));
    assert_eq!(store1.webhook_subscriptions().await.unwrap().len(), 1);

    let mut updated = hooks.clone();
    updated.url = "http://127.0.0.1:9/elsewhere".parse().unwrap();
    updated.secret = SecretString::from("SECRET-rotated-subscription-secret");
    updated.version = "V2".to_owned();
    updated.enabled_events = vec![TriggerEventType::AccountExpired];
    updated.created_at = at(999);
    updated.updated_at = at(30);
    assert!(store1.update_webhook_subscription(&updated).await.unwrap());
    assert!(!store1.update_webhook_subscription(&second).await.unwrap(), "no such subscription");
    let reread = store1.webhook_subscriptions().await.unwrap().remove(0);
    assert_eq!(
        (&reread.url, reread.version.as_str(), reread.created_at, reread.updated_at),
        (&updated.url, "V2", at(10), at(30))
    );
    assert_eq!(
        (reread.enabled_events.as_slice(), reread.secret.expose_secret()),
        (updated.enabled_events.as_slice(), "SECRET-rotated-subscription-secret")
    );

    let store2 = backend.open(KeyRing::rotate_file(&home).unwrap()).await.unwrap();
    assert_eq!(store2.reencrypt().await.unwrap(), 1, "the subscription's secret is re-sealed");
    assert_eq!(store2.sealed_keys().await.unwrap().values().sum::<usize>(), 1);
    let reread = store2.webhook_subscription(&hooks.id).await.unwrap().unwrap();
    assert_eq!(reread.secret.expose_secret(), "SECRET-rotated-subscription-secret");
}

/// Deleting a subscription deletes its pending deliveries (nothing is claimed any more,
/// finishing one in flight is [`StoreError::Missing`]) and keeps the finished ones as
/// history; a new subscription can be created then.
pub async fn deleting_a_subscription_deletes_its_pending_deliveries(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let hooks = subscription(&[TriggerEventType::Message], 1);
    store.create_webhook_subscription(&hooks).await.unwrap();
    let a = TriggerInstanceId::generate();
    let events = [message(&a, 10), message(&a, 11), message(&a, 12)];
    record_all(&store, &events).await;
    let [e1, e2, _] = event_ids(&events).try_into().unwrap();
    assert_eq!(store.claim_deliveries(at(100), LEASE, 10).await.unwrap().len(), 3);
    store.finish_delivery(&e1, &hooks.id, &attempt(101, Some(200)), DeliveryNext::Delivered).await.unwrap();
    store.finish_delivery(&e2, &hooks.id, &attempt(102, Some(500)), DeliveryNext::RetryAt(at(103))).await.unwrap();

    assert!(store.delete_webhook_subscription(&hooks.id).await.unwrap());
    assert!(!store.delete_webhook_subscription(&hooks.id).await.unwrap());
    assert!(store.webhook_subscription(&hooks.id).await.unwrap().is_none());
    let left = store.deliveries(&DeliveryFilter::default()).await.unwrap();
    assert_eq!(left.iter().map(|d| (&d.event, d.status)).collect::<Vec<_>>(), [(&e1, DeliveryStatus::Delivered)]);
    assert!(store.delivery_attempts(&e2).await.unwrap().is_empty(), "the pending delivery's attempts went with it");
    assert!(store.claim_deliveries(at(200_000), LEASE, 10).await.unwrap().is_empty());
    let err =
        store.finish_delivery(&e2, &hooks.id, &attempt(104, Some(200)), DeliveryNext::Delivered).await.unwrap_err();
    assert!(matches!(&err, StoreError::Missing(what) if what.contains(e2.as_str())), "{err:?}");

    let next = subscription(&[TriggerEventType::Message], 2);
    store.create_webhook_subscription(&next).await.unwrap();
    record_all(&store, &[message(&a, 20)]).await;
    assert_eq!(store.claim_deliveries(at(200_000), LEASE, 10).await.unwrap()[0].subscription.id, next.id);
}

/// A thousand events of ten instances drain in ten claims of 100: a claim fills its
/// limit across and within instances.
pub async fn a_thousand_events_drain_in_ten_claims(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let hooks = subscription(&[TriggerEventType::Message], 1);
    store.create_webhook_subscription(&hooks).await.unwrap();
    let instances: Vec<_> = (0..10).map(|_| TriggerInstanceId::generate()).collect();
    let events: Vec<_> = (0..1_000).map(|i| message(&instances[i % 10], 10 + i as u64)).collect();
    store.record_trigger_events(&events, None).await.unwrap();
    let mut delivered = Vec::new();
    let mut claims = 0;
    loop {
        let claimed = store.claim_deliveries(at(1_000_000), LEASE, 100).await.unwrap();
        if claimed.is_empty() {
            break;
        }
        claims += 1;
        assert_eq!(claimed.len(), 100);
        for d in claimed {
            store
                .finish_delivery(&d.event.id, &hooks.id, &attempt(1_000_000, Some(200)), DeliveryNext::Delivered)
                .await
                .unwrap();
            delivered.push(d.event.id);
        }
    }
    assert_eq!((claims, delivered), (10, event_ids(&events)));
}
