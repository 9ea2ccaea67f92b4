//! Trigger events delivered by the server to a receiver on 127.0.0.1: a subscription made
//! over REST, a trigger instance disabled over REST (`composio.trigger.disabled`), the
//! first attempt refused and the second accepted with the same `webhook-id`, and the
//! delivered request accepted by the official Composio Python SDK's `verify_webhook`
//! (a tampered body refused); and one instance's events arriving in order while the
//! receiver fails now and then.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use toolsmith_core::TriggerEventId;
use toolsmith_runtime::Registry;
use toolsmith_server::testing::MemoryProjects;
use toolsmith_store::prelude::*;
use toolsmith_store::{ApiKeySecret, DeliveryFilter, DeliveryStatus, SqliteStore};
use toolsmith_triggers::delivery::{DeliveryOptions, RetryPolicy};

mod common;
mod support;
use common::{account, hmac_sha256_hex, Server};
use support::assert_sdk_verifies;

/// What the receiver saw: each request's headers and body, in arrival order.
type Seen = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A receiver on 127.0.0.1 answering `answer(n)` to its n-th request (from 0).
async fn receiver(answer: fn(usize) -> StatusCode) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let log = log.clone();
            async move {
                let mut log = log.lock().unwrap();
                let n = log.len();
                log.push((headers, body.to_vec()));
                answer(n)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hooks"), seen)
}

/// A server over project `acme` whose deliveries retry after ~100 ms and look every 100 ms.
async fn setup() -> (Server, ApiKeySecret, Arc<SqliteStore>) {
    let projects = Arc::new(MemoryProjects::default());
    let (acme, key) = projects.add("acme");
    let store = projects.store(&acme).unwrap();
    (start(projects).await, key, store)
}

/// The server of `setup` over `projects`.
async fn start(projects: Arc<MemoryProjects>) -> Server {
    let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
    Server::start_tuned(registry, projects, Vec::new(), |options| {
        options.deliveries = Some(DeliveryOptions {
            tick: Duration::from_millis(100),
            retry: RetryPolicy {
                first: Duration::from_millis(100),
                cap: Duration::from_millis(200),
                ..RetryPolicy::default()
            },
            ..DeliveryOptions::default()
        });
    })
    .await
}

/// A subscription to every event type at `url`, made over REST: its secret.
async fn subscribe(server: &Server, key: &ApiKeySecret, url: &str) -> String {
    let events = ["composio.trigger.message", "composio.trigger.disabled", "composio.connected_account.expired"];
    let body = json!({"webhook_url": url, "enabled_events": events});
    let (status, created) = server.api("POST", "/webhook_subscriptions", key, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created["secret"].as_str().unwrap().to_owned()
}

/// Waits (at most 60 s: a failure bound) until `done` holds of what the receiver saw.
async fn wait_for(seen: &Seen, done: impl Fn(&[(HeaderMap, Vec<u8>)]) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if done(&seen.lock().unwrap()) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "the receiver did not get what was expected within 60 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers[name].to_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_trigger_is_delivered_retried_and_verified_by_the_official_sdk() {
    let (server, key, store) = setup().await;
    let (url, seen) = receiver(|n| if n == 0 { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK }).await;
    let secret = subscribe(&server, &key, &url).await;
    let ada = account(&store, "ada", "github").await;
    let body = json!({"connected_account_id": ada.id.as_str(), "trigger_config": {"webhook_secret": "whsec-gh"}});
    let (status, created) = server.api("POST", "/trigger_instances/GITHUB_ISSUES_EVENT/upsert", &key, Some(body)).await;
    assert_eq!(status, 200, "{created}");
    let ti = created["trigger_id"].as_str().unwrap();
    let path = format!("/trigger_instances/manage/{ti}");
    let (status, answer) = server.api("PATCH", &path, &key, Some(json!({"status": "disable"}))).await;
    assert_eq!(status, 200, "{answer}");
    // Disabling it again is no new transition: no second event.
    let (status, _) = server.api("PATCH", &path, &key, Some(json!({"status": "disable"}))).await;
    assert_eq!(status, 200);

    wait_for(&seen, |seen| seen.len() >= 2).await;
    let (first, second) = {
        let seen = seen.lock().unwrap();
        (seen[0].clone(), seen[1].clone())
    };
    let id = header(&first.0, "webhook-id");
    assert_eq!(header(&second.0, "webhook-id"), id, "a retry keeps the webhook-id");
    assert_eq!(header(&second.0, "content-type"), "application/json");
    let envelope: Value = serde_json::from_slice(&second.1).unwrap();
    assert_eq!(envelope["type"], "composio.trigger.disabled");
    assert_eq!(envelope["id"], id.as_str());
    assert_eq!(envelope["metadata"]["trigger_id"], ti);
    assert_eq!(envelope["data"]["trigger_slug"], "GITHUB_ISSUES_EVENT");

    let event: TriggerEventId = id.parse().unwrap();
    let records =
        store.deliveries(&DeliveryFilter { events: vec![event.clone()], ..Default::default() }).await.unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    // The worker records the attempt after the app answered: wait for it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let record = loop {
        let records = store.deliveries(&DeliveryFilter { events: vec![event.clone()], ..Default::default() }).await;
        let record = records.unwrap().remove(0);
        if record.status == DeliveryStatus::Delivered || tokio::time::Instant::now() > deadline {
            break record;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!((record.status, record.attempts), (DeliveryStatus::Delivered, 2), "{record:?}");
    let attempts = store.delivery_attempts(&event).await.unwrap();
    assert_eq!(attempts.iter().map(|a| a.status).collect::<Vec<_>>(), [Some(500), Some(200)]);
    let all = store.trigger_events_after(None, 100).await.unwrap();
    assert_eq!(all.len(), 1, "one event for two disables: {all:?}");
    assert_eq!(seen.lock().unwrap().len(), 2, "nothing more was delivered");

    // The official SDK accepts the second request as received, and refuses it altered.
    let body = String::from_utf8(second.1.clone()).unwrap();
    let tampered = body.replace("disabled through", "enabled through");
    assert_ne!(tampered, body);
    assert_sdk_verifies(&[
        ("WEBHOOK_ID", id),
        ("WEBHOOK_TIMESTAMP", header(&second.0, "webhook-timestamp")),
        ("WEBHOOK_SIGNATURE", header(&second.0, "webhook-signature")),
        ("WEBHOOK_SECRET", secret),
        ("WEBHOOK_BODY", body),
        ("WEBHOOK_TAMPERED", tampered),
        ("WEBHOOK_TRIGGER_SLUG", "composio.trigger.disabled".to_owned()),
    ]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_instances_events_arrive_in_order_while_the_app_fails_now_and_then() {
    let (server, key, store) = setup().await;
    // Every third request fails (once for that request: its retry is another request).
    let (url, seen) =
        receiver(|n| if n % 3 == 2 { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::NO_CONTENT }).await;
    subscribe(&server, &key, &url).await;
    let ada = account(&store, "ada", "github").await;
    let body = json!({"connected_account_id": ada.id.as_str(), "trigger_config": {"webhook_secret": "whsec-gh"}});
    let (_, created) = server.api("POST", "/trigger_instances/GITHUB_ISSUES_EVENT/upsert", &key, Some(body)).await;
    let instance = store.trigger_instance(&created["trigger_id"].as_str().unwrap().parse().unwrap()).await;
    let instance = instance.unwrap().unwrap();
    let events: Vec<_> = (0..20)
        .map(|n| toolsmith_triggers::envelope::message(&instance, json!({"n": n}), None, SystemTime::now()))
        .collect();
    let expected: Vec<String> = events.iter().map(|e| e.id.as_str().to_owned()).collect();
    store.record_trigger_events(&events, None).await.unwrap();

    let accepted = |seen: &[(HeaderMap, Vec<u8>)]| -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for (n, (headers, _)) in seen.iter().enumerate() {
            let id = header(headers, "webhook-id");
            if n % 3 != 2 && !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    };
    wait_for(&seen, |seen| accepted(seen).len() >= 20).await;
    let seen = seen.lock().unwrap();
    assert_eq!(accepted(&seen), expected, "first successful receipts out of order");
    for (n, (headers, body)) in seen.iter().enumerate() {
        let envelope: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(envelope["id"].as_str().unwrap(), header(headers, "webhook-id"), "request {n}");
    }
}

/// Disables a new GITHUB_ISSUES_EVENT instance of `ada` in the project of `key`: one
/// `composio.trigger.disabled` event.
async fn disable_one(server: &Server, key: &ApiKeySecret, store: &SqliteStore) {
    let ada = account(store, "ada", "github").await;
    let body = json!({"connected_account_id": ada.id.as_str(), "trigger_config": {"webhook_secret": "whsec-gh"}});
    let (_, created) = server.api("POST", "/trigger_instances/GITHUB_ISSUES_EVENT/upsert", key, Some(body)).await;
    let path = format!("/trigger_instances/manage/{}", created["trigger_id"].as_str().unwrap());
    let (status, _) = server.api("PATCH", &path, key, Some(json!({"status": "disable"}))).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_created_while_the_server_runs_gets_its_events_delivered() {
    let projects = Arc::new(MemoryProjects::default());
    let (first, first_key) = projects.add("first");
    let server = start(projects.clone()).await;
    let (url, seen) = receiver(|_| StatusCode::OK).await;
    // The first project's event arrives: the server has looked at its projects.
    subscribe(&server, &first_key, &url).await;
    disable_one(&server, &first_key, &projects.store(&first).unwrap()).await;
    wait_for(&seen, |seen| seen.len() == 1).await;
    // Created after that: its worker starts at the next look (within 2 s).
    let (late, key) = projects.add("late");
    subscribe(&server, &key, &url).await;
    disable_one(&server, &key, &projects.store(&late).unwrap()).await;
    wait_for(&seen, |seen| seen.len() == 2).await;
    let envelope: Value = serde_json::from_slice(&seen.lock().unwrap()[1].1).unwrap();
    assert_eq!(envelope["type"], "composio.trigger.disabled");
}

/// `(status, body)` of a provider's POST to the webhook route.
async fn provider_post(server: &Server, path: &str, headers: &[(&str, String)], body: &str) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(format!("{}{path}", server.url)).body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The whole path of issue 18: a provider's signed webhook in (GitHub's HMAC of the body,
/// Stripe's `t=…,v1=…` over the timestamp and the body), recorded, delivered to the app
/// signed as Composio signs, and the delivered request verified by the official SDK;
/// a tampered and a stale webhook are refused and never reach the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_providers_signed_webhook_reaches_the_app_and_forgeries_do_not() {
    let (server, key, store) = setup().await;
    let (url, seen) = receiver(|_| StatusCode::OK).await;
    let secret = subscribe(&server, &key, &url).await;
    let upsert = |slug: &'static str, toolkit: &'static str, config: Value| {
        let (server, key, store) = (&server, &key, &store);
        async move {
            let owner = account(store, "ada", toolkit).await;
            let body = json!({"connected_account_id": owner.id.as_str(), "trigger_config": config});
            let path = format!("/trigger_instances/{slug}/upsert");
            let (status, created) = server.api("POST", &path, key, Some(body)).await;
            assert_eq!(status, 200, "{created}");
            format!("/webhooks/{toolkit}/{}", created["trigger_id"].as_str().unwrap())
        }
    };
    let github = upsert("GITHUB_ISSUES_EVENT", "github", json!({"webhook_secret": "gh-s3cret"})).await;
    let stripe = upsert("STRIPE_PAYMENT_INTENT_SUCCEEDED", "stripe", json!({"webhook_secret": "whsec_stripe"})).await;

    let issue = r#"{"action":"opened","issue":{"number":7,"title":"Crash"}}"#;
    let github_headers = |body: &str| {
        vec![
            ("X-GitHub-Event", "issues".to_owned()),
            ("X-GitHub-Delivery", "gh-1".to_owned()),
            ("X-Hub-Signature-256", format!("sha256={}", hmac_sha256_hex("gh-s3cret", body))),
        ]
    };
    let tampered = issue.replace("Crash", "Fine");
    let (status, refused) = provider_post(&server, &github, &github_headers(issue), &tampered).await;
    assert_eq!(status, 401, "a tampered body: {refused}");
    let (status, accepted) = provider_post(&server, &github, &github_headers(issue), issue).await;
    assert_eq!((status, &accepted["status"]), (200, &json!("accepted")), "{accepted}");
    let github_event = accepted["event_id"].as_str().unwrap().to_owned();

    let payment = r#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":2000}}}"#;
    let stripe_headers = |at: u64| {
        let signature = hmac_sha256_hex("whsec_stripe", &format!("{at}.{payment}"));
        vec![("Stripe-Signature", format!("t={at},v1={signature}"))]
    };
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let (status, refused) = provider_post(&server, &stripe, &stripe_headers(now - 600), payment).await;
    assert_eq!(status, 401, "signed 10 minutes ago, past Stripe's 300 s window: {refused}");
    let (status, accepted) = provider_post(&server, &stripe, &stripe_headers(now), payment).await;
    assert_eq!((status, &accepted["status"]), (200, &json!("accepted")), "{accepted}");
    let stripe_event = accepted["event_id"].as_str().unwrap().to_owned();

    wait_for(&seen, |seen| seen.len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = seen.lock().unwrap().clone();
    let ids: Vec<String> = seen.iter().map(|(headers, _)| header(headers, "webhook-id")).collect();
    assert_eq!(ids.len(), 2, "only the two genuine webhooks reach the app: {ids:?}");
    assert!(ids.contains(&github_event) && ids.contains(&stripe_event), "{ids:?}");
    for (headers, body) in &seen {
        let envelope: Value = serde_json::from_slice(body).unwrap();
        let (slug, data) = if header(headers, "webhook-id") == github_event {
            ("GITHUB_ISSUES_EVENT", issue)
        } else {
            ("STRIPE_PAYMENT_INTENT_SUCCEEDED", payment)
        };
        assert_eq!(envelope["type"], "composio.trigger.message");
        assert_eq!(envelope["metadata"]["trigger_slug"], slug);
        assert_eq!(envelope["data"], serde_json::from_str::<Value>(data).unwrap());
        let body = String::from_utf8(body.clone()).unwrap();
        let altered = body.replacen("composio.trigger.message", "composio.trigger.massage", 1);
        assert_sdk_verifies(&[
            ("WEBHOOK_ID", header(headers, "webhook-id")),
            ("WEBHOOK_TIMESTAMP", header(headers, "webhook-timestamp")),
            ("WEBHOOK_SIGNATURE", header(headers, "webhook-signature")),
            ("WEBHOOK_SECRET", secret.clone()),
            ("WEBHOOK_BODY", body),
            ("WEBHOOK_TAMPERED", altered),
            ("WEBHOOK_TRIGGER_SLUG", slug.to_owned()),
        ]);
    }
}
