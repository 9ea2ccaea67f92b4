//! `toolsmith triggers deliveries` shows where each event's delivery stands and every
//! attempt at it; `toolsmith triggers listen --forward-to` forwards the events recorded
//! after it starts, signed as deliveries are, and nothing recorded before.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::toolsmith;
use secrecy::SecretString;
use toolsmith::store::prelude::*;
use toolsmith::store::{
    DeliveryAttempt, DeliveryNext, KeyRing, SqliteStore, TriggerEventType, TriggerInstance, WebhookSubscription,
};
use toolsmith::{TriggerInstanceId, UserId, WebhookSubscriptionId};
use toolsmith_triggers::envelope;
use toolsmith_triggers::signature::verify_delivery;

const SECRET: &str = "whsec_cli_listen_test";

fn scratch(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("toolsmith-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("catalog")).unwrap();
    (dir.join("home"), dir.join("catalog"))
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// The home's store, as the CLI opens it.
fn store(home: &Path) -> SqliteStore {
    std::fs::create_dir_all(home).unwrap();
    SqliteStore::open(SqliteStore::default_path(home), KeyRing::load(home).unwrap()).unwrap()
}

/// An instance watching `folder` (its identity, so two folders are two instances).
fn instance(id: &str, folder: &str) -> TriggerInstance {
    TriggerInstance {
        id: TriggerInstanceId::parse(id).unwrap(),
        trigger: "HOOKS_ITEM_CREATED".into(),
        toolkit: "hooks".into(),
        user_id: UserId::new("ada"),
        account: None,
        auth_config: None,
        config: serde_json::json!({ "folder": folder }).as_object().unwrap().clone(),
        secrets: Default::default(),
        enabled: true,
        state: serde_json::Value::Null,
        created_at: at(1_700_000_000),
        updated_at: at(1_700_000_000),
    }
}

fn subscription(url: &str) -> WebhookSubscription {
    WebhookSubscription {
        id: WebhookSubscriptionId::parse("whs_cli").unwrap(),
        url: url.parse().unwrap(),
        secret: SecretString::from(SECRET),
        version: "V3".into(),
        enabled_events: TriggerEventType::ALL.to_vec(),
        created_at: at(1_700_000_000),
        updated_at: at(1_700_000_000),
    }
}

fn run(home: &Path, catalog: &Path, args: &[&str], code: i32) -> String {
    let output = toolsmith(home, catalog, args, "");
    let (stdout, stderr) =
        (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned());
    assert_eq!(output.status.code(), Some(code), "{args:?}\nstdout: {stdout}\nstderr: {stderr}");
    if code == 0 {
        stdout
    } else {
        stderr
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_show_each_state_and_every_attempt() {
    let (home, catalog) = scratch("deliveries");
    let store = store(&home);
    let first = store.upsert_trigger_instance(&instance("ti_first", "inbox")).await.unwrap();
    let second = store.upsert_trigger_instance(&instance("ti_second", "sent")).await.unwrap();
    store.create_webhook_subscription(&subscription("http://127.0.0.1:9/hook")).await.unwrap();
    let mut events = Vec::new();
    for (n, owner) in [&first, &first, &second].into_iter().enumerate() {
        let mut event = envelope::message(owner, serde_json::json!({"n": n}), None, at(1_700_000_100 + n as u64));
        event.id = format!("msg_cli{n}").parse().unwrap();
        events.push(event);
    }
    let recorded = store.record_trigger_events(&events, None).await.unwrap();
    assert_eq!(recorded.len(), 3);
    assert_eq!(second.id.as_str(), "ti_second");
    let attempt = |seconds: u64, status: Option<u16>, error: Option<&str>| DeliveryAttempt {
        at: at(seconds),
        status,
        error: error.map(String::from),
        duration: Duration::from_millis(7),
    };
    // msg_cli0: refused once, then delivered; msg_cli2: given up; msg_cli1: waiting.
    let claimed = store.claim_deliveries(at(1_700_000_200), Duration::from_secs(60), 10).await.unwrap();
    assert_eq!(claimed.len(), 3, "two of ti_first in order, one of ti_second");
    let sub = WebhookSubscriptionId::parse("whs_cli").unwrap();
    let id = |n: usize| events[n].id.clone();
    let retry = DeliveryNext::RetryAt(at(1_700_000_205));
    store
        .finish_delivery(&id(0), &sub, &attempt(1_700_000_200, Some(500), Some("HTTP 500: boom")), retry)
        .await
        .unwrap();
    store.release_deliveries(&[(id(1), sub.clone())]).await.unwrap();
    let refused = attempt(1_700_000_200, None, Some("connection refused"));
    store.finish_delivery(&id(2), &sub, &refused, DeliveryNext::GiveUp).await.unwrap();
    let claimed = store.claim_deliveries(at(1_700_000_210), Duration::from_secs(60), 1).await.unwrap();
    assert_eq!(claimed[0].event.id, id(0));
    store
        .finish_delivery(&id(0), &sub, &attempt(1_700_000_210, Some(200), None), DeliveryNext::Delivered)
        .await
        .unwrap();

    let json = run(&home, &catalog, &["triggers", "deliveries", "--json"], 0);
    insta::assert_snapshot!("deliveries_json", json);
    let table = run(&home, &catalog, &["triggers", "deliveries", "--event", "msg_cli0"], 0);
    let table = without_ages(&table);
    insta::assert_snapshot!("deliveries_event_table", table);
    let failed = run(&home, &catalog, &["triggers", "deliveries", "--status", "failed", "--json"], 0);
    let failed: serde_json::Value = serde_json::from_str(&failed).unwrap();
    assert_eq!(failed.as_array().unwrap().len(), 1);
    assert_eq!(failed[0]["event_id"], "msg_cli2");
    let missing = run(&home, &catalog, &["triggers", "deliveries", "--event", "msg_nothing"], 1);
    assert!(missing.contains("no delivery of event msg_nothing"), "{missing}");
    let bad = run(&home, &catalog, &["triggers", "deliveries", "--event", "ti_first"], 2);
    assert!(bad.contains("--event"), "{bad}");
}

/// The table with its relative times (`…ago`, `in …`) replaced, as they move with the clock.
fn without_ages(table: &str) -> String {
    table
        .lines()
        .map(|line| {
            let mut out = String::new();
            for part in line.split(", ") {
                let part = match part.find(" ago") {
                    Some(_) => "<age> ago".to_owned(),
                    None => part.to_owned(),
                };
                if !out.is_empty() {
                    out.push_str(", ");
                }
                out.push_str(&part);
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The requests a receiver got: each one's headers and body.
type Received = Arc<Mutex<Vec<(Vec<(String, String)>, Vec<u8>)>>>;

/// An HTTP receiver on 127.0.0.1 keeping each request's headers and body.
async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let kept = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let headers =
                    headers.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())).collect();
                kept.lock().unwrap().push((headers, body.to_vec()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_forwards_new_events_signed_and_nothing_older() {
    let (home, catalog) = scratch("listen");
    let store = store(&home);
    let owner = store.upsert_trigger_instance(&instance("ti_listen", "inbox")).await.unwrap();
    let old = envelope::message(&owner, serde_json::json!({"old": true}), None, SystemTime::now());
    store.record_trigger_events(&[old], None).await.unwrap();
    let (url, got) = receiver().await;

    // Without a secret to sign with: a clear refusal.
    let refused = run(&home, &catalog, &["triggers", "listen", "--forward-to", &url], 1);
    assert!(refused.contains("no secret to sign forwarded events with"), "{refused}");
    assert!(refused.contains("TOOLSMITH_WEBHOOK_SECRET"), "{refused}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["triggers", "listen", "--forward-to", &url, "--count", "2", "--events", "composio.trigger.message"])
        .env("TOOLSMITH_HOME", &home)
        .env("TOOLSMITH_CATALOG", &catalog)
        .env("TOOLSMITH_WEBHOOK_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().unwrap().unwrap();
    assert!(ready.starts_with("Ready: forwarding project default's trigger events to"), "{ready}");

    let new: Vec<_> =
        (0..3).map(|n| envelope::message(&owner, serde_json::json!({"n": n}), None, SystemTime::now())).collect();
    let disabled = envelope::trigger_disabled(&owner, "test", SystemTime::now());
    // The disabled event is filtered out by --events; the first two messages are forwarded.
    store.record_trigger_events(&[new[0].clone(), disabled, new[1].clone(), new[2].clone()], None).await.unwrap();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
    assert!(status.success());
    let printed: Vec<String> = lines.map(Result::unwrap).collect();
    assert_eq!(printed.len(), 2, "{printed:?}");
    assert!(printed[0].contains(new[0].id.as_str()) && printed[0].contains("-> 200"), "{printed:?}");

    let got = got.lock().unwrap();
    assert_eq!(got.len(), 2);
    for ((headers, body), sent) in got.iter().zip(&new) {
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let secret = SecretString::from(SECRET);
        verify_delivery(&secret, &pairs, body, SystemTime::now(), Duration::from_secs(300)).unwrap();
        let body: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(body, sent.envelope);
        assert_eq!(headers.iter().find(|(k, _)| k == "webhook-id").unwrap().1, sent.id.as_str());
    }
}
