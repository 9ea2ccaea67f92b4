#![allow(clippy::unwrap_used)]
//! The delivery worker against an in-memory outbox (the claim rules of
//! `TriggerEvents::claim_deliveries`) and a receiver on 127.0.0.1.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, StatusCode};
use secrecy::SecretString;
use serde_json::{json, Value};
use toolsmith_core::{TriggerEventId, TriggerInstanceId, WebhookSubscriptionId};
use toolsmith_store::{
    DeliveryAttempt, DeliveryFilter, DeliveryNext, DeliveryRecord, NewTriggerEvent, PendingDelivery, StoreError,
    TriggerEvent, TriggerEventType, TriggerEvents, WebhookSubscription,
};
use toolsmith_triggers::delivery::{Deliverer, DeliveryOptions, DeliveryWake, RetryPolicy};
use toolsmith_triggers::signature::{verify_delivery, DEFAULT_TOLERANCE};

#[derive(Debug)]
struct Row {
    delivery: PendingDelivery,
    done: Option<DeliveryNext>,
    due: SystemTime,
    claimed_until: Option<SystemTime>,
    attempts: Vec<DeliveryAttempt>,
}

/// The rows, and how many attempts were recorded after their claim had ended.
#[derive(Debug, Default)]
struct Outbox(Mutex<Vec<Row>>, std::sync::atomic::AtomicUsize);

impl Outbox {
    fn add(&self, instance: &TriggerInstanceId, subscription: &WebhookSubscription, n: usize) {
        let mut rows = self.0.lock().unwrap();
        let now = SystemTime::now();
        let seq = rows.len() as u64;
        let id = TriggerEventId::generate();
        let event = TriggerEvent {
            id: id.clone(),
            seq,
            kind: TriggerEventType::Message,
            instance: Some(instance.clone()),
            dedupe_key: None,
            envelope: json!({"id": id.as_str(), "type": "composio.trigger.message", "data": {"n": n}}),
            created_at: now,
        };
        let delivery = PendingDelivery { event, subscription: subscription.clone(), attempts: 0, first_due: now };
        rows.push(Row { delivery, done: None, due: now, claimed_until: None, attempts: Vec::new() });
    }

    fn states(&self) -> Vec<(Option<DeliveryNext>, usize)> {
        self.0.lock().unwrap().iter().map(|r| (r.done, r.attempts.len())).collect()
    }
}

#[async_trait::async_trait]
impl TriggerEvents for Outbox {
    async fn record_trigger_events(
        &self,
        _: &[NewTriggerEvent],
        _: Option<(&TriggerInstanceId, &Value)>,
    ) -> Result<Vec<TriggerEvent>, StoreError> {
        Ok(Vec::new()) // not used by the worker
    }
    async fn trigger_events_after(&self, _: Option<u64>, _: usize) -> Result<Vec<TriggerEvent>, StoreError> {
        Ok(Vec::new()) // not used by the worker
    }
    async fn claim_deliveries(
        &self,
        now: SystemTime,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<PendingDelivery>, StoreError> {
        let mut rows = self.0.lock().unwrap();
        let mut blocked: Vec<Option<TriggerInstanceId>> = Vec::new();
        let mut out = Vec::new();
        for row in rows.iter_mut().filter(|r| r.done.is_none()) {
            let lane = row.delivery.event.instance.clone();
            if blocked.contains(&lane) {
                continue;
            }
            let free = row.claimed_until.is_none_or(|until| until <= now);
            if out.len() >= limit || !free || row.due > now {
                blocked.push(lane);
                continue;
            }
            row.claimed_until = Some(now + lease);
            let mut delivery = row.delivery.clone();
            delivery.attempts = row.attempts.len() as u32;
            out.push(delivery);
        }
        Ok(out)
    }
    async fn finish_delivery(
        &self,
        event: &TriggerEventId,
        _: &WebhookSubscriptionId,
        attempt: &DeliveryAttempt,
        next: DeliveryNext,
    ) -> Result<(), StoreError> {
        let mut rows = self.0.lock().unwrap();
        let row = rows.iter_mut().find(|r| &r.delivery.event.id == event).unwrap();
        if row.claimed_until.is_none_or(|until| until < SystemTime::now()) {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        row.attempts.push(attempt.clone());
        row.claimed_until = None;
        match next {
            DeliveryNext::RetryAt(at) => row.due = at,
            done => row.done = Some(done),
        }
        Ok(())
    }
    async fn release_deliveries(
        &self,
        deliveries: &[(TriggerEventId, WebhookSubscriptionId)],
    ) -> Result<(), StoreError> {
        let mut rows = self.0.lock().unwrap();
        for row in rows.iter_mut().filter(|r| deliveries.iter().any(|(e, _)| e == &r.delivery.event.id)) {
            row.claimed_until = None;
        }
        Ok(())
    }
    async fn deliveries(&self, _: &DeliveryFilter) -> Result<Vec<DeliveryRecord>, StoreError> {
        Ok(Vec::new()) // not used by the worker
    }
    async fn delivery_attempts(&self, _: &TriggerEventId) -> Result<Vec<DeliveryAttempt>, StoreError> {
        Ok(Vec::new()) // not used by the worker
    }
}

/// What the receiver saw: each request's headers and body.
type Seen = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A receiver on 127.0.0.1 that answers `answer(n)` to its n-th request (from 0).
async fn receiver(answer: fn(usize) -> (StatusCode, HeaderMap)) -> (url::Url, Seen) {
    slow_receiver(answer, Duration::ZERO).await
}

/// The same, taking `delay` to answer.
async fn slow_receiver(answer: fn(usize) -> (StatusCode, HeaderMap), delay: Duration) -> (url::Url, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let log = log.clone();
            async move {
                tokio::time::sleep(delay).await;
                let mut log = log.lock().unwrap();
                let n = log.len();
                log.push((headers, body.to_vec()));
                let (status, headers) = answer(n);
                (status, headers, "nope: the app is down")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook").parse().unwrap(), seen)
}

fn subscription(url: url::Url) -> WebhookSubscription {
    WebhookSubscription {
        id: WebhookSubscriptionId::generate(),
        url,
        secret: SecretString::from("whsec_test"),
        version: "V3".into(),
        enabled_events: TriggerEventType::ALL.to_vec(),
        created_at: SystemTime::now(),
        updated_at: SystemTime::now(),
    }
}

fn fast() -> DeliveryOptions {
    DeliveryOptions {
        lease: Duration::from_secs(30),
        request_timeout: Duration::from_secs(5),
        tick: Duration::from_millis(20),
        retry: RetryPolicy {
            first: Duration::from_millis(10),
            cap: Duration::from_millis(40),
            ..RetryPolicy::default()
        },
        ..DeliveryOptions::default()
    }
}

async fn run_until(outbox: &Arc<Outbox>, options: DeliveryOptions, done: impl Fn(&Outbox) -> bool) {
    let deliverer = Deliverer::new(outbox.clone(), options).unwrap();
    let wake = DeliveryWake::default();
    let stop = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(deliverer.run(wake.subscribe(), stop.clone()));
    wake.poke();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !done(outbox) {
        assert!(tokio::time::Instant::now() < deadline, "not done within 60 s: {:?}", outbox.states());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.cancel();
    task.await.unwrap();
}

fn all_done(outbox: &Outbox) -> bool {
    outbox.states().iter().all(|(done, _)| done.is_some())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_a_failure_then_delivers_signed_with_the_same_id() {
    let (url, seen) = receiver(|n| {
        if n == 0 {
            (StatusCode::INTERNAL_SERVER_ERROR, HeaderMap::new())
        } else {
            (StatusCode::OK, HeaderMap::new())
        }
    })
    .await;
    let outbox = Arc::new(Outbox::default());
    outbox.add(&TriggerInstanceId::generate(), &subscription(url), 0);
    run_until(&outbox, fast(), all_done).await;
    assert_eq!(outbox.states(), vec![(Some(DeliveryNext::Delivered), 2)]);
    let rows = outbox.0.lock().unwrap();
    let first = &rows[0].attempts[0];
    assert_eq!(first.status, Some(500));
    assert_eq!(first.error.as_deref(), Some("HTTP 500 Internal Server Error: nope: the app is down"));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0["webhook-id"], seen[1].0["webhook-id"]);
    assert_eq!(seen[1].0["content-type"], "application/json");
    let (headers, body) = &seen[1];
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.to_str().unwrap())).collect();
    let secret = SecretString::from("whsec_test");
    verify_delivery(&secret, &pairs, body, SystemTime::now(), DEFAULT_TOLERANCE).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(body).unwrap(), rows[0].delivery.event.envelope);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeps_each_instances_order_across_failures() {
    let (url, seen) = receiver(|n| {
        if n % 3 == 2 {
            (StatusCode::SERVICE_UNAVAILABLE, HeaderMap::new())
        } else {
            (StatusCode::NO_CONTENT, HeaderMap::new())
        }
    })
    .await;
    let outbox = Arc::new(Outbox::default());
    let subscription = subscription(url);
    let (a, b) = (TriggerInstanceId::generate(), TriggerInstanceId::generate());
    for n in 0..20 {
        outbox.add(if n % 2 == 0 { &a } else { &b }, &subscription, n);
    }
    run_until(&outbox, fast(), all_done).await;
    let seen = seen.lock().unwrap();
    let mut delivered: Vec<(String, u64)> = Vec::new();
    for (i, (headers, body)) in seen.iter().enumerate() {
        let id = headers["webhook-id"].to_str().unwrap().to_owned();
        let n = serde_json::from_slice::<Value>(body).unwrap()["data"]["n"].as_u64().unwrap();
        if i % 3 != 2 && !delivered.iter().any(|(seen, _)| *seen == id) {
            delivered.push((id, n));
        }
    }
    for parity in [0, 1] {
        let order: Vec<u64> = delivered.iter().map(|(_, n)| *n).filter(|n| n % 2 == parity).collect();
        let expected: Vec<u64> = (0..20).filter(|n| n % 2 == parity).collect();
        assert_eq!(order, expected, "instance {parity}'s events arrived out of order");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gives_up_after_the_period_and_records_refusals_without_an_answer() {
    // A port nobody listens on: bind, learn it, close.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let outbox = Arc::new(Outbox::default());
    outbox.add(&TriggerInstanceId::generate(), &subscription(format!("http://{closed}/hook").parse().unwrap()), 0);
    let mut options = fast();
    options.retry.give_up_after = Duration::from_millis(100);
    run_until(&outbox, options, all_done).await;
    let rows = outbox.0.lock().unwrap();
    assert_eq!(rows[0].done, Some(DeliveryNext::GiveUp));
    let last = rows[0].attempts.last().unwrap();
    assert_eq!(last.status, None);
    assert!(last.error.as_deref().unwrap().starts_with("could not connect"), "{last:?}");
}

#[tokio::test]
async fn refuses_a_lease_shorter_than_the_timeout() {
    let options = DeliveryOptions { lease: Duration::from_secs(5), ..DeliveryOptions::default() };
    let error = Deliverer::new(Arc::new(Outbox::default()), options).unwrap_err();
    assert!(error.to_string().contains("must be longer than the request timeout"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_app_never_gets_a_delivery_whose_claim_ended() {
    let (url, seen) = slow_receiver(|_| (StatusCode::OK, HeaderMap::new()), Duration::from_millis(300)).await;
    let outbox = Arc::new(Outbox::default());
    let (instance, subscription) = (TriggerInstanceId::generate(), subscription(url));
    for n in 0..6 {
        outbox.add(&instance, &subscription, n);
    }
    let options =
        DeliveryOptions { lease: Duration::from_secs(1), request_timeout: Duration::from_millis(500), ..fast() };
    run_until(&outbox, options, all_done).await;
    assert_eq!(outbox.1.load(std::sync::atomic::Ordering::SeqCst), 0, "attempts finished after their claim ended");
    assert_eq!(seen.lock().unwrap().len(), 6, "each delivered once");
}
