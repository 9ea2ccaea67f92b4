//! Helpers of the delivery tests (`triggers_durability.rs` on one SQLite home,
//! `cluster_deliveries.rs` on two servers over PostgreSQL): a receiver that counts what
//! it is sent, and a webhook subscription with events recorded before any server runs.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::http::HeaderMap;
use secrecy::SecretString;
use toolsmith::store::{
    AccountStatus, ConnectedAccount, TriggerEventType, TriggerEvents, WebhookSubscription, WebhookSubscriptions,
};
use toolsmith::{AuthConfigId, ConnectedAccountId, UserId, WebhookSubscriptionId};

/// What the receiver counted: requests, and the distinct `webhook-id`s.
#[derive(Default)]
pub(crate) struct Received {
    pub(crate) requests: usize,
    pub(crate) ids: HashSet<String>,
}

/// A receiver on 127.0.0.1 answering 200 to every `POST /hooks`: its URL and its counts.
pub(crate) async fn receiver() -> (String, Arc<Mutex<Received>>) {
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

/// Records in `store` a webhook subscription to `url` (every event type) and `count`
/// events of the project (no instance: one lane); the events' ids.
pub(crate) async fn record<S>(store: &S, url: &str, count: usize) -> Vec<String>
where
    S: WebhookSubscriptions + TriggerEvents + ?Sized,
{
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
        (0..count).map(|_| toolsmith_triggers::envelope::account_expired(&account, "invalid_grant", now)).collect();
    let recorded = store.record_trigger_events(&events, None).await.unwrap();
    assert_eq!(recorded.len(), count);
    recorded.into_iter().map(|e| e.id.as_str().to_owned()).collect()
}

/// Waits until `done` holds of what the receiver counted; `false` past `deadline`.
pub(crate) async fn wait_until(
    received: &Mutex<Received>,
    deadline: Instant,
    done: impl Fn(&Received) -> bool,
) -> bool {
    while !done(&received.lock().unwrap()) {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

/// A `toolsmith serve` process, killed with SIGKILL when dropped.
pub(crate) struct Server(Child);

impl Server {
    /// Kills the server with SIGKILL and reaps it.
    pub(crate) fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `toolsmith serve` with home `home` (and `env`, `args`) on a free port of 127.0.0.1,
/// without the workbench, its delivery claims reserved for 16 s (the least allowed), so
/// a killed server's claims are taken over soon.
pub(crate) fn serve(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["serve", "--addr", "127.0.0.1:0", "--no-workbench", "--delivery-lease", "16"])
        .args(args)
        .env("TOOLSMITH_HOME", home)
        .env_remove("TOOLSMITH_SECRET_KEY")
        .env_remove("TOOLSMITH_DATABASE_URL")
        .env_remove("TOOLSMITH_CATALOG")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Server(child)
}

/// Kills `server` with SIGKILL once the receiver counted `after` requests (or at
/// `deadline`, failing); the distinct events delivered by then, fewer than `of`.
pub(crate) async fn kill_after(
    mut server: Server,
    received: &Mutex<Received>,
    deadline: Instant,
    after: usize,
    of: usize,
) -> usize {
    let started = wait_until(received, deadline, |r| r.requests >= after).await;
    server.kill();
    assert!(started, "fewer than {after} events were delivered before the deadline");
    let at_kill = received.lock().unwrap().ids.len();
    println!("killed a server with SIGKILL after {at_kill} distinct deliveries");
    assert!(at_kill < of, "everything was delivered before the kill; nothing was tested");
    at_kill
}

/// Waits (until `deadline`) for every one of `expected` to arrive, then checks that
/// nothing else did; the requests beyond one an event (deliveries sent twice or more).
pub(crate) async fn all_delivered(received: &Mutex<Received>, deadline: Instant, expected: &[String]) -> usize {
    let done = wait_until(received, deadline, |r| r.ids.len() >= expected.len()).await;
    let received = received.lock().unwrap();
    let missing: Vec<&String> = expected.iter().filter(|id| !received.ids.contains(*id)).collect();
    let n = expected.len();
    assert!(done && missing.is_empty(), "{} of {n} events never arrived: {missing:?}", missing.len());
    assert_eq!(received.ids.len(), n, "ids that were never recorded arrived");
    received.requests - n
}
