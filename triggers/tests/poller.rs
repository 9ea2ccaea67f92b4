//! The poller over a real (in-memory SQLite) store: instances created, disabled and
//! changed while it runs are picked up; an instance whose account expired is not
//! hammered until it changes; new items become events once; it stops when cancelled.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Map, Value};
use tokio_util::sync::CancellationToken;
use toolsmith_core::{TriggerInstanceId, UserId};
use toolsmith_spec::{ToolSlug, Toolkit};
use toolsmith_store::{KeyRing, SqliteStore, TriggerEvents, TriggerInstance, TriggerInstances};
use toolsmith_triggers::poll::{PollExecutor, PollFailure, PollOptions, Poller};
use toolsmith_triggers::TriggerTypes;

const TOOLKIT: &str = r#"
slug: demo
name: Demo
description: A demonstration toolkit.
version: 20261122_00
base_url: https://api.example.com
auth: [{ scheme: none }]
tools:
  - slug: DEMO_LIST_THINGS
    name: List things
    description: Lists things.
    http: { method: GET, path: /things }
    input: { type: object, properties: { feed: { type: string, in: query } } }
triggers:
  - slug: DEMO_NEW_THING
    name: New thing
    description: A thing appeared.
    poll: { tool: DEMO_LIST_THINGS, interval_seconds: 1, dedupe_key: "$.id", items_path: "$.things" }
    config: { type: object, properties: { feed: { type: string } } }
"#;

/// Answers each feed (the instance's `feed` config) with its things; `expired` fails
/// for good. Counts the calls per feed.
#[derive(Default)]
struct Feeds {
    things: Mutex<HashMap<String, Vec<&'static str>>>,
    calls: Mutex<HashMap<String, usize>>,
}

impl Feeds {
    fn calls(&self, feed: &str) -> usize {
        self.calls.lock().unwrap().get(feed).copied().unwrap_or(0)
    }
}

#[async_trait::async_trait]
impl PollExecutor for Feeds {
    async fn run(
        &self,
        _: &TriggerInstance,
        tool: &ToolSlug,
        arguments: Map<String, Value>,
    ) -> Result<Value, PollFailure> {
        assert_eq!(tool.as_str(), "DEMO_LIST_THINGS");
        let feed = arguments["feed"].as_str().unwrap().to_owned();
        *self.calls.lock().unwrap().entry(feed.clone()).or_default() += 1;
        if feed == "expired" {
            return Err(PollFailure::Permanent { message: "the account expired; reconnect it".into() });
        }
        let things = self.things.lock().unwrap().get(&feed).cloned().unwrap_or_default();
        Ok(json!({"things": things.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()}))
    }
}

async fn instance(store: &SqliteStore, feed: &str) -> TriggerInstance {
    let now = SystemTime::now();
    let instance = TriggerInstance {
        id: TriggerInstanceId::generate(),
        trigger: "DEMO_NEW_THING".into(),
        toolkit: "demo".into(),
        user_id: UserId::new("ada"),
        account: None,
        auth_config: None,
        config: serde_json::from_value(json!({"feed": feed})).unwrap(),
        secrets: Default::default(),
        enabled: true,
        state: json!({}),
        created_at: now,
        updated_at: now,
    };
    store.upsert_trigger_instance(&instance).await.unwrap()
}

/// Waits until `done` holds; fails after a generous bound.
async fn until(what: &str, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(60), "gave up waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_are_picked_up_polled_backed_off_and_dropped_while_running() {
    let toolkit: Toolkit = serde_yaml::from_str(TOOLKIT).unwrap();
    let types = Arc::new(TriggerTypes::new([&toolkit]));
    let store = Arc::new(SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap());
    let feeds = Arc::new(Feeds::default());
    feeds.things.lock().unwrap().insert("a".into(), vec!["a1"]);
    let options = PollOptions { refresh: Duration::from_millis(100), ..PollOptions::default() };
    let poller = Poller::new(store.clone(), types, feeds.clone(), options);
    let cancel = CancellationToken::new();
    let running = tokio::spawn(poller.run(cancel.clone()));

    // Created while running: picked up; the baseline (a1) is not new, a2 is.
    let a = instance(&store, "a").await;
    let expired = instance(&store, "expired").await;
    let b = instance(&store, "b").await;
    until("feed a is polled twice", || feeds.calls("a") >= 2).await;
    feeds.things.lock().unwrap().get_mut("a").unwrap().push("a2");
    let recorded = || async { store.trigger_events_after(None, 100).await.unwrap() };
    let start = Instant::now();
    while recorded().await.is_empty() {
        assert!(start.elapsed() < Duration::from_secs(60), "gave up waiting for a2's event");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let events = recorded().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].envelope["data"]["id"], "a2");
    assert_eq!(events[0].instance.as_ref(), Some(&a.id));

    // An expired account is tried once, then left alone while b is polled on.
    until("the expired feed is tried", || feeds.calls("expired") >= 1).await;
    let tried = feeds.calls("expired");
    let polls_of_b = feeds.calls("b");
    until("b is polled three more times", || feeds.calls("b") >= polls_of_b + 3).await;
    assert_eq!(feeds.calls("expired"), tried, "a permanent failure waits long");
    // …until the instance changes (upserted again, e.g. after reconnecting).
    tokio::time::sleep(Duration::from_millis(5)).await;
    store.upsert_trigger_instance(&TriggerInstance { updated_at: SystemTime::now(), ..expired.clone() }).await.unwrap();
    until("the changed instance is tried again", || feeds.calls("expired") > tried).await;

    // Disabled: no longer polled (one poll may have been in flight).
    assert!(store.set_trigger_enabled(&a.id, false, SystemTime::now()).await.unwrap());
    let polls_of_a = feeds.calls("a");
    let polls_of_b = feeds.calls("b");
    until("b is polled three more times", || feeds.calls("b") >= polls_of_b + 3).await;
    assert!(feeds.calls("a") <= polls_of_a + 1, "a disabled instance is not polled");
    // Deleted: the same.
    assert!(store.delete_trigger_instance(&b.id).await.unwrap());
    let polls_of_b = feeds.calls("b");
    assert!(store.set_trigger_enabled(&a.id, true, SystemTime::now()).await.unwrap());
    let polls_of_a = feeds.calls("a");
    until("a, enabled again, is polled three more times", || feeds.calls("a") >= polls_of_a + 3).await;
    assert!(feeds.calls("b") <= polls_of_b + 1, "a deleted instance is not polled");
    assert_eq!(recorded().await.len(), 1, "a2 once: enabling again is no new baseline and repeats nothing");

    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(30), running).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pollers_on_one_store_make_each_due_poll_once() {
    // Two servers sharing a store: each claims a poll before making it.
    let toolkit: Toolkit = serde_yaml::from_str(TOOLKIT).unwrap();
    let types = Arc::new(TriggerTypes::new([&toolkit]));
    let store = Arc::new(SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap());
    let feeds = Arc::new(Feeds::default());
    feeds.things.lock().unwrap().insert("shared".into(), vec!["s1"]);
    let cancel = CancellationToken::new();
    for holder in ["node-a", "node-b"] {
        let options =
            PollOptions { refresh: Duration::from_millis(100), holder: Arc::from(holder), ..PollOptions::default() };
        let poller = Poller::new(store.clone(), types.clone(), feeds.clone(), options);
        tokio::spawn(poller.run(cancel.clone()));
    }
    let started = Instant::now();
    instance(&store, "shared").await;
    until("the shared feed is polled", || feeds.calls("shared") >= 1).await;
    tokio::time::sleep(Duration::from_millis(4500)).await;
    cancel.cancel();
    // One poll a second (the interval) for the pair, not one per poller.
    let calls = feeds.calls("shared");
    let seconds = started.elapsed().as_secs_f64();
    assert!(calls >= 4, "{calls} polls in {seconds:.1} s");
    assert!(calls as f64 <= seconds + 1.0, "{calls} polls in {seconds:.1} s: both pollers polled");
}
