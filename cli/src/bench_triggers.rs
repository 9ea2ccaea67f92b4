//! `toolsmith bench triggers`: events from webhook ingress to delivery on loopback, beside
//! bare loopback HTTP measured in the same run.
//!
//! In one process: the server over a temporary home (`bench execute`'s fixture, whose
//! toolkit gets a webhook trigger signed GitHub-style: HMAC-SHA256 hex in
//! `X-Hub-Signature-256` after `sha256=`, with event and delivery-id headers), as many
//! trigger instances as the largest `--instances` (each with its own secret), a webhook
//! subscription made over REST to a receiver on 127.0.0.1 that notes when each
//! `webhook-id` first arrives and verifies every request's signature. The delivery worker
//! runs with its default options.
//!
//! For each instance count K: N events, signed beforehand with distinct delivery ids and
//! spread round-robin over K instances, are POSTed by C concurrent clients to
//! `/webhooks/{toolkit}/{ti_…}`; an event's latency is its first arrival at the receiver
//! minus the start of its ingress request. Then the same N bodies are POSTed by the same C
//! clients straight to a bare handler of the receiver (no ingress, no store, no worker).

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use miette::{miette, IntoDiagnostic};
use secrecy::SecretString;
use serde_json::{json, Value};
use toolsmith_triggers::delivery::DeliveryOptions;
use toolsmith_triggers::signature::{verify_delivery, DEFAULT_TOLERANCE, WEBHOOK_ID};

use crate::bench_execute::{fixture, quantile};
use crate::bench_serve::start_server;
use crate::out::outln;

/// Options of `toolsmith bench triggers`.
pub(crate) struct Options {
    /// Events posted per run.
    pub events: usize,
    /// Concurrent clients posting them.
    pub concurrency: usize,
    /// Trigger instances the events are spread over, one run each.
    pub instances: Vec<usize>,
    /// One JSON object instead of text.
    pub json: bool,
}

pub(crate) fn run(options: &Options) -> miette::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().into_diagnostic()?;
    rt.block_on(bench(options))
}

/// The webhook trigger added to the fixture's toolkit.
const TRIGGER: &str = r#"
slug: BENCHAPI_THING_EVENT
name: Thing activity
description: Fires for every thing event the benchmark posts to the instance's webhook URL.
webhook:
  events: [thing]
  event_header: X-Bench-Event
  delivery_id_header: X-Bench-Delivery
  signature: { header: X-Hub-Signature-256, algorithm: hmac_sha256, secret_field: webhook_secret, prefix: "sha256=" }
config:
  type: object
  required: [webhook_secret, board]
  properties:
    webhook_secret: { type: string, description: Secret set on the webhook }
    board: { type: string, description: The board whose things are sent }
payload:
  type: object
  properties:
    n: { type: integer }
"#;

/// How long the bench waits for the next delivery before counting the rest as lost.
const PATIENCE: Duration = Duration::from_secs(30);

/// What the receiver saw.
#[derive(Default)]
struct Received {
    /// When each `webhook-id` first arrived.
    first: HashMap<String, Instant>,
    /// Requests received in all (a redelivery counts again).
    requests: usize,
    /// Requests whose signature did not verify against the subscription's secret.
    bad_signatures: usize,
}

/// One event ready to post: its ingress URL, headers and body.
struct Prepared {
    url: String,
    delivery: String,
    signature: String,
    body: Bytes,
}

/// One finished request: when it started, how long it took, the `event_id` answered.
struct Sent {
    started: Instant,
    took: Duration,
    event_id: Option<String>,
}

async fn bench(options: &Options) -> miette::Result<ExitCode> {
    let mut fixture = fixture("triggers").await?;
    fixture.toolkit.triggers.push(serde_yaml::from_str(TRIGGER).into_diagnostic()?);
    let (server, key) = start_server(&fixture, vec![fixture.toolkit.clone()]).await?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build().into_diagnostic()?;
    let api = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let request = http.request(method, format!("{server}/api/v3{path}")).header("x-api-key", key.expose());
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let path = path.to_owned();
        async move {
            let response = request.send().await.into_diagnostic()?;
            let status = response.status();
            let body: Value = response.json().await.into_diagnostic()?;
            if !status.is_success() {
                return Err(miette!("{path} answered {status}: {body}"));
            }
            Ok::<Value, miette::Report>(body)
        }
    };

    let received: Arc<Mutex<Received>> = Arc::default();
    let secret: Arc<OnceLock<SecretString>> = Arc::default();
    let (hooks, bare) = receiver(received.clone(), secret.clone()).await?;
    let events = ["composio.trigger.message"];
    let subscription = api(
        reqwest::Method::POST,
        "/webhook_subscriptions",
        Some(json!({"webhook_url": hooks, "enabled_events": events})),
    )
    .await?;
    let sub_secret = subscription["secret"].as_str().ok_or_else(|| miette!("no secret in {subscription}"))?;
    let _ = secret.set(SecretString::from(sub_secret.to_owned()));

    let accounts = api(reqwest::Method::GET, "/connected_accounts", None).await?;
    let account = accounts["items"][0]["id"].as_str().ok_or_else(|| miette!("no connected account in {accounts}"))?;
    let mut instances = Vec::new();
    for j in 0..options.instances.iter().copied().max().unwrap_or(1).max(1) {
        let webhook_secret = format!("bench-secret-{j}");
        let config = json!({"webhook_secret": webhook_secret, "board": format!("board-{j}")});
        let body = json!({"connected_account_id": account, "trigger_config": config});
        let created = api(reqwest::Method::POST, "/trigger_instances/BENCHAPI_THING_EVENT/upsert", Some(body)).await?;
        let ti = created["trigger_id"].as_str().ok_or_else(|| miette!("no trigger_id in {created}"))?;
        instances.push((format!("{server}/webhooks/benchapi/{ti}"), webhook_secret));
    }

    let mut runs = Vec::new();
    for &k in &options.instances {
        let k = k.max(1);
        let prepared: Vec<Prepared> = (0..options.events)
            .map(|i| {
                let (url, webhook_secret) = &instances[i % k];
                let body = json!({"n": i, "instances": k}).to_string();
                let signature = format!("sha256={}", hmac_hex(webhook_secret, body.as_bytes()));
                Prepared { url: url.clone(), delivery: format!("k{k}-{i}"), signature, body: Bytes::from(body) }
            })
            .collect();
        let prepared = Arc::new(prepared);
        let before = received.lock().map(|r| (r.requests, r.bad_signatures)).unwrap_or_default();
        let sent = post_all(&http, &prepared, None, options.concurrency).await?;
        let ids: Vec<&str> = sent.iter().filter_map(|s| s.event_id.as_deref()).collect();
        wait_for_arrivals(&received, &ids).await;
        let bare_sent = post_all(&http, &prepared, Some(&bare), options.concurrency).await?;
        runs.push(figures(k, &sent, &bare_sent, &received, before));
    }

    let defaults = DeliveryOptions::default();
    let stats = json!({
        "events": options.events,
        "concurrency": options.concurrency,
        "delivery": {
            "concurrency": defaults.concurrency,
            "batch": defaults.batch,
            "lease_s": defaults.lease.as_secs(),
            "tick_ms": u64::try_from(defaults.tick.as_millis()).unwrap_or(u64::MAX),
        },
        "runs": runs,
    });
    if options.json {
        outln!("{stats}");
    } else {
        print_text(&stats);
    }
    Ok(ExitCode::SUCCESS)
}

/// The receiver on 127.0.0.1: `/hooks` notes and verifies deliveries, `/bare` only
/// answers. Their URLs.
async fn receiver(
    received: Arc<Mutex<Received>>,
    secret: Arc<OnceLock<SecretString>>,
) -> miette::Result<(String, String)> {
    let hooks = move |headers: HeaderMap, body: Bytes| {
        let (received, secret) = (received.clone(), secret.clone());
        async move {
            let at = Instant::now();
            let pairs: Vec<(&str, &str)> =
                headers.iter().filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?))).collect();
            let verified = secret
                .get()
                .is_some_and(|s| verify_delivery(s, &pairs, &body, SystemTime::now(), DEFAULT_TOLERANCE).is_ok());
            let id = headers.get(WEBHOOK_ID).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            if let Ok(mut received) = received.lock() {
                received.requests += 1;
                received.bad_signatures += usize::from(!verified);
                received.first.entry(id).or_insert(at);
            }
            StatusCode::OK
        }
    };
    let app = axum::Router::new()
        .route("/hooks", axum::routing::post(hooks))
        .route("/bare", axum::routing::post(|_body: Bytes| async { StatusCode::OK }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.into_diagnostic()?;
    let origin = format!("http://{}", listener.local_addr().into_diagnostic()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((format!("{origin}/hooks"), format!("{origin}/bare")))
}

/// Hex HMAC-SHA256 of `message` under `key`, as GitHub signs.
fn hmac_hex(key: &str, message: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()) else { return String::new() };
    mac.update(message);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// `clients` tasks POSTing the prepared events, each once, to their ingress URL (or all to
/// `bare`): the finished requests. Fails on a refused or unaccepted event.
async fn post_all(
    http: &reqwest::Client,
    prepared: &Arc<Vec<Prepared>>,
    bare: Option<&str>,
    clients: usize,
) -> miette::Result<Vec<Sent>> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients.max(1) {
        let (http, prepared, next, bare) = (http.clone(), prepared.clone(), next.clone(), bare.map(str::to_owned));
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            while let Some(event) = prepared.get(next.fetch_add(1, Ordering::Relaxed)) {
                let started = Instant::now();
                let response = http
                    .post(bare.as_deref().unwrap_or(&event.url))
                    .header("content-type", "application/json")
                    .header("x-bench-event", "thing")
                    .header("x-bench-delivery", &event.delivery)
                    .header("x-hub-signature-256", &event.signature)
                    .body(event.body.clone())
                    .send()
                    .await
                    .map_err(|e| format!("posting event {}: {e}", event.delivery))?;
                let status = response.status();
                let body = response.bytes().await.map_err(|e| format!("reading an answer: {e}"))?;
                let took = started.elapsed();
                let event_id = if bare.is_some() {
                    None
                } else {
                    let answer: Value = serde_json::from_slice(&body).unwrap_or_default();
                    if !status.is_success() || answer["status"] != "accepted" {
                        return Err(format!("event {} was not accepted ({status}): {answer}", event.delivery));
                    }
                    answer["event_id"].as_str().map(str::to_owned)
                };
                done.push(Sent { started, took, event_id });
            }
            Ok(done)
        }));
    }
    let mut sent = Vec::with_capacity(prepared.len());
    for task in tasks {
        sent.extend(task.await.into_diagnostic()?.map_err(|e| miette!("{e}"))?);
    }
    Ok(sent)
}

/// Waits until every id has arrived, or until nothing new arrived for [`PATIENCE`].
async fn wait_for_arrivals(received: &Mutex<Received>, ids: &[&str]) {
    let arrived = || received.lock().map(|r| ids.iter().filter(|id| r.first.contains_key(**id)).count()).unwrap_or(0);
    let (mut last, mut since) = (arrived(), Instant::now());
    while last < ids.len() && since.elapsed() < PATIENCE {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let now = arrived();
        if now > last {
            (last, since) = (now, Instant::now());
        }
    }
}

/// Milliseconds.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Requests per second of `sent`: how many over the time from the first start to the last
/// end.
fn rate(sent: &[Sent]) -> f64 {
    let (Some(first), Some(last)) =
        (sent.iter().map(|s| s.started).min(), sent.iter().map(|s| s.started + s.took).max())
    else {
        return 0.0;
    };
    sent.len() as f64 / last.duration_since(first).as_secs_f64().max(1e-9)
}

/// One run's figures; `before` is the receiver's (requests, bad signatures) before it.
fn figures(k: usize, sent: &[Sent], bare: &[Sent], received: &Mutex<Received>, before: (usize, usize)) -> Value {
    let (mut latencies, mut last_arrival, mut requests, mut bad) = (Vec::new(), None::<Instant>, 0, 0);
    if let Ok(r) = received.lock() {
        for s in sent {
            if let Some(at) = s.event_id.as_deref().and_then(|id| r.first.get(id)) {
                latencies.push(at.saturating_duration_since(s.started));
                last_arrival = Some(last_arrival.map_or(*at, |l| l.max(*at)));
            }
        }
        (requests, bad) = (r.requests.saturating_sub(before.0), r.bad_signatures.saturating_sub(before.1));
    }
    latencies.sort();
    let delivered = latencies.len();
    let first_start = sent.iter().map(|s| s.started).min();
    let span = match (first_start, last_arrival) {
        (Some(first), Some(last)) => last.saturating_duration_since(first).as_secs_f64(),
        _ => 0.0,
    };
    let mut ingress: Vec<Duration> = sent.iter().map(|s| s.took).collect();
    ingress.sort();
    let mut bare_took: Vec<Duration> = bare.iter().map(|s| s.took).collect();
    bare_took.sort();
    json!({
        "instances": k,
        "events": sent.len(),
        "delivered": delivered,
        "lost": sent.len() - delivered,
        "duplicates": requests.saturating_sub(delivered),
        "signature_failures": bad,
        "ingress_rps": rate(sent),
        "ingress_p50_ms": ms(quantile(&ingress, 0.5)),
        "ingress_p99_ms": ms(quantile(&ingress, 0.99)),
        "end_to_end_events_per_s": delivered as f64 / span.max(1e-9),
        "latency_p50_ms": ms(quantile(&latencies, 0.5)),
        "latency_p95_ms": ms(quantile(&latencies, 0.95)),
        "latency_p99_ms": ms(quantile(&latencies, 0.99)),
        "latency_max_ms": ms(latencies.last().copied().unwrap_or_default()),
        "bare_rps": rate(bare),
        "bare_p50_ms": ms(quantile(&bare_took, 0.5)),
        "bare_p99_ms": ms(quantile(&bare_took, 0.99)),
    })
}

/// The figures as a table.
fn print_text(stats: &Value) {
    let d = &stats["delivery"];
    outln!(
        "{} events by {} clients; deliveries: {} instances at once, batch {}, lease {} s, tick {} ms",
        stats["events"],
        stats["concurrency"],
        d["concurrency"],
        d["batch"],
        d["lease_s"],
        d["tick_ms"]
    );
    outln!("instances  kind             req/s  p50 ms  p99 ms   events/s   latency p50    p95    p99    max ms");
    let f = |r: &Value, k: &str| r[k].as_f64().unwrap_or_default();
    for r in stats["runs"].as_array().into_iter().flatten() {
        let k = r["instances"].as_u64().unwrap_or_default();
        outln!(
            "{k:>9}  ingress→app  {:>9.0} {:>7.2} {:>7.2} {:>10.0} {:>13.2} {:>6.2} {:>6.2} {:>9.2}",
            f(r, "ingress_rps"),
            f(r, "ingress_p50_ms"),
            f(r, "ingress_p99_ms"),
            f(r, "end_to_end_events_per_s"),
            f(r, "latency_p50_ms"),
            f(r, "latency_p95_ms"),
            f(r, "latency_p99_ms"),
            f(r, "latency_max_ms"),
        );
        outln!(
            "{k:>9}  bare HTTP    {:>9.0} {:>7.2} {:>7.2}",
            f(r, "bare_rps"),
            f(r, "bare_p50_ms"),
            f(r, "bare_p99_ms")
        );
        outln!(
            "           delivered {}/{}, lost {}, duplicates {}, signature failures {}",
            r["delivered"],
            r["events"],
            r["lost"],
            r["duplicates"],
            r["signature_failures"]
        );
    }
}
