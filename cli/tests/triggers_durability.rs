//! Durable delivery across a crash: 1,000 events recorded in a fresh home for a
//! subscription to a receiver on 127.0.0.1; `toolsmith serve` delivers them, is killed
//! with SIGKILL part-way, and a second `toolsmith serve` on the same home delivers the
//! rest: every event arrives (at least once; repeats are counted and printed).
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::http::HeaderMap;
use secrecy::SecretString;
use toolsmith::store::{
    AccountStatus, ConnectedAccount, KeyRing, SqliteStore, TriggerEventType, TriggerEvents, WebhookSubscription,
    WebhookSubscriptions,
};
use toolsmith::{AuthConfigId, ConnectedAccountId, UserId, WebhookSubscriptionId};

const EVENTS: usize = 1000;

/// What the receiver counted: requests, and the distinct `webhook-id`s.
#[derive(Default)]
struct Received {
    requests: usize,
    ids: HashSet<String>,
}

async fn receiver() -> (String, Arc<Mutex<Received>>) {
    let received: Arc<Mutex<Received>> = Arc::default();
    let log = received.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap| {
            let log = log.clone();
            async move {
                let mut log = log.lock().unwrap();
                log.requests += 1;
                log.ids.insert(headers["webhook-id"].to_str().unwrap().to_owned());
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hooks"), received)
}

/// The subscription and the events, recorded in the home's store before any server runs.
async fn prepare(home: &Path, url: &str) -> Vec<String> {
    std::fs::create_dir_all(home).unwrap();
    let store = SqliteStore::open(SqliteStore::default_path(home), KeyRing::from_key_file(home).unwrap()).unwrap();
    let now = SystemTime::now();
    let subscription = WebhookSubscription {
        id: WebhookSubscriptionId::generate(),
        url: url.parse().unwrap(),
        secret: SecretString::from("whsec_durability"),
        version: "V3".into(),
        enabled_events: TriggerEventType::ALL.to_vec(),
        created_at: now,
        updated_at: now,
    };
    store.create_webhook_subscription(&subscription).await.unwrap();
    // Events of the project (no instance): one lane, delivered strictly one after another.
    let account = ConnectedAccount {
        id: ConnectedAccountId::generate(),
        user_id: UserId::new("ada"),
        toolkit: "github".into(),
        auth_config: AuthConfigId::generate(),
        status: AccountStatus::Expired,
        status_reason: Some("invalid_grant".into()),
        alias: None,
        fields: Default::default(),
        credentials: Default::default(),
        created_at: now,
        updated_at: now,
    };
    let events: Vec<_> =
        (0..EVENTS).map(|_| toolsmith_triggers::envelope::account_expired(&account, "invalid_grant", now)).collect();
    let recorded = store.record_trigger_events(&events, None).await.unwrap();
    assert_eq!(recorded.len(), EVENTS);
    recorded.into_iter().map(|e| e.id.as_str().to_owned()).collect()
}

/// `toolsmith serve` on the home, on a free port, claims reserved for 16 s.
fn serve(home: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["serve", "--addr", "127.0.0.1:0", "--no-workbench", "--delivery-lease", "16"])
        .env("TOOLSMITH_HOME", home)
        .env_remove("TOOLSMITH_SECRET_KEY")
        .env_remove("TOOLSMITH_CATALOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until `done` holds of what the receiver counted; `false` past `deadline`.
async fn wait_until(received: &Mutex<Received>, deadline: Instant, done: impl Fn(&Received) -> bool) -> bool {
    while !done(&received.lock().unwrap()) {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_delivered_across_a_sigkill() {
    let home = std::env::temp_dir().join(format!("toolsmith-durability-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let (url, received) = receiver().await;
    let expected = prepare(&home, &url).await;
    // A failure bound for the whole test, not a timing assertion.
    let deadline = Instant::now() + Duration::from_secs(120);

    let mut first = serve(&home);
    let started = wait_until(&received, deadline, |r| r.requests >= 100).await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    assert!(started, "the first server delivered fewer than 100 events within 120 s");
    let at_kill = received.lock().unwrap().ids.len();
    println!("killed the first server with SIGKILL after {at_kill} distinct deliveries");
    assert!(at_kill < EVENTS, "the first server delivered everything before the kill; nothing was tested");

    let mut second = serve(&home);
    let done = wait_until(&received, deadline, |r| r.ids.len() >= EVENTS).await;
    second.kill().unwrap();
    second.wait().unwrap();
    let received = received.lock().unwrap();
    let missing: Vec<&String> = expected.iter().filter(|id| !received.ids.contains(*id)).collect();
    assert!(done && missing.is_empty(), "{} of {EVENTS} events never arrived: {missing:?}", missing.len());
    assert_eq!(received.ids.len(), EVENTS, "ids that were never recorded arrived");
    println!("all {EVENTS} events delivered; {} delivered twice or more", received.requests - EVENTS);
    let _ = std::fs::remove_dir_all(&home);
}
