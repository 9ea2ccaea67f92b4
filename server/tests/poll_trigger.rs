//! A poll trigger end to end over loopback: a local API that lists items and records
//! each call's arguments, a toolkit whose poll trigger calls it every second with a
//! high-water cursor, an API-key account and a poll instance made over REST. The first
//! poll is the baseline; later polls emit exactly the new items, across a restart of the
//! server on the same store and a 429 answer, each once.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use toolsmith_runtime::{Registry, ToolSearch};
use toolsmith_server::testing::MemoryProjects;
use toolsmith_server::{AppState, ServerOptions};
use toolsmith_store::prelude::*;
use toolsmith_store::{ApiKeySecret, SqliteStore, TriggerEvent};

/// The `feed` toolkit: `FEED_LIST_ITEMS` (`GET /items?since=…`) and its poll trigger.
/// The runtime's own retries are off, so a 429 reaches the poller.
const FEED: &str = r#"
slug: feed
name: Feed
description: A local feed of items, for the tests of poll triggers.
version: 20261122_00
base_url: https://feed.example.com
retry: { max_attempts: 1 }
auth:
  - scheme: api_key
    in: header
    name: Authorization
    value: "Bearer {api_key}"
    fields: [{ name: api_key, title: API key, description: The feed's API key }]
tools:
  - slug: FEED_LIST_ITEMS
    name: List items
    description: Lists the feed's items changed at or after a point (all without one).
    tags: [readOnlyHint]
    http: { method: GET, path: /items }
    input:
      type: object
      properties:
        since: { type: integer, in: query, description: Only items updated at or after this point }
        limit: { type: integer, in: query, description: At most this many items }
triggers:
  - slug: FEED_NEW_ITEM
    name: New item
    description: Fires for each new item of the feed, found by polling FEED_LIST_ITEMS every second.
    poll:
      tool: FEED_LIST_ITEMS
      interval_seconds: 1
      items_path: "$.items"
      dedupe_key: "$.id"
      arguments: { limit: 50 }
      cursor: { argument: since, from_items: "$.updated" }
"#;

/// The local API's data and what it saw.
#[derive(Default)]
struct Feed {
    /// `(id, updated)`.
    items: Vec<(String, u64)>,
    /// Each call's `since` (`None`: without one) and whether it was answered 429.
    calls: Vec<(Option<u64>, bool)>,
    /// Answer the next call 429 with `Retry-After: 1`.
    throttle_next: bool,
    /// The `Authorization` headers seen.
    authorizations: Vec<String>,
}

type Shared = Arc<Mutex<Feed>>;

async fn list(
    State(feed): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut feed = feed.lock().unwrap();
    let since = query.get("since").map(|s| s.parse::<u64>().unwrap());
    let auth = headers.get("authorization").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    feed.authorizations.push(auth);
    if std::mem::take(&mut feed.throttle_next) {
        feed.calls.push((since, true));
        return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "slow down").into_response();
    }
    feed.calls.push((since, false));
    // Inclusive, as `updatedMin` is: the item at the mark comes again.
    let items: Vec<Value> = feed
        .items
        .iter()
        .filter(|(_, updated)| since.is_none_or(|s| *updated >= s))
        .map(|(id, updated)| json!({"id": id, "updated": updated}))
        .collect();
    axum::Json(json!({"items": items})).into_response()
}

async fn feed_api(feed: Shared) -> String {
    let app = axum::Router::new().route("/items", axum::routing::get(list)).with_state(feed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// A running server that can be stopped.
struct Running {
    url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(projects: &Arc<MemoryProjects>, api: &str) -> Running {
    let registry = Registry::from_toolkits([serde_yaml::from_str(FEED).unwrap()]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::with_base_urls(
        Arc::new(ToolSearch::new(&registry)),
        projects.clone(),
        ServerOptions::new(url.parse().unwrap()),
        vec![("feed".into(), api.to_owned())],
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(toolsmith_server::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    Running { url, stop, task }
}

impl Running {
    /// Stops the server and waits until it (and its poller) has stopped.
    async fn stop(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }

    async fn api(&self, method: &str, path: &str, key: &ApiKeySecret, body: Value) -> Value {
        let response = reqwest::Client::new()
            .request(method.parse().unwrap(), format!("{}/api/v3.1{path}", self.url))
            .header("x-api-key", key.expose())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{method} {path}: {}", response.status());
        response.json().await.unwrap()
    }
}

/// Waits until `done` holds; fails after a generous bound.
async fn until<F: std::future::Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < Duration::from_secs(90), "gave up waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn events(store: &SqliteStore) -> Vec<TriggerEvent> {
    store.trigger_events_after(None, 1000).await.unwrap()
}

fn ids(events: &[TriggerEvent]) -> Vec<String> {
    events.iter().map(|e| e.envelope["data"]["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_trigger_emits_exactly_the_new_items_across_a_restart_and_a_429() {
    let feed: Shared = Arc::default();
    feed.lock().unwrap().items = vec![("a".into(), 1), ("b".into(), 2)];
    let api = feed_api(feed.clone()).await;
    let projects = Arc::new(MemoryProjects::default());
    let (project, key) = projects.add("acme");
    let store = projects.store(&project).unwrap();

    let server = start(&projects, &api).await;
    let config =
        json!({"toolkit": {"slug": "feed"}, "auth_config": {"type": "use_custom_auth", "authScheme": "API_KEY"}});
    let created = server.api("POST", "/auth_configs", &key, config).await;
    let ac = created["auth_config"]["id"].as_str().unwrap().to_owned();
    let connect = json!({"auth_config": {"id": ac}, "connection": {"user_id": "ada", "state": {"authScheme": "API_KEY", "val": {"api_key": "feed-key-1"}}}});
    let account = server.api("POST", "/connected_accounts", &key, connect).await;
    let ca = account["id"].as_str().unwrap().to_owned();
    let body = json!({"connected_account_id": ca, "trigger_config": {}});
    let created = server.api("POST", "/trigger_instances/FEED_NEW_ITEM/upsert", &key, body).await;
    let ti: toolsmith_core::TriggerInstanceId = created["trigger_id"].as_str().unwrap().parse().unwrap();

    // Poll 1 is the baseline: a and b were there before, so no event; the cursor is set.
    until("the baseline poll is recorded", || async {
        !store.trigger_instance(&ti).await.unwrap().unwrap().state["last_poll"].is_null()
    })
    .await;
    assert!(events(&store).await.is_empty(), "the baseline emits nothing");
    let state = store.trigger_instance(&ti).await.unwrap().unwrap().state;
    assert_eq!(state["cursor"], 2, "{state}");
    assert_eq!(feed.lock().unwrap().calls[0], (None, false), "the first poll has no cursor yet");
    assert_eq!(feed.lock().unwrap().authorizations[0], "Bearer feed-key-1", "the account's credentials");

    // Poll 2 sees c: exactly one event, for the instance.
    feed.lock().unwrap().items.push(("c".into(), 3));
    until("c is an event", || async { !events(&store).await.is_empty() }).await;
    let first = events(&store).await;
    assert_eq!(ids(&first), ["c"]);
    assert_eq!(first[0].instance.as_ref(), Some(&ti));
    assert_eq!(first[0].envelope["type"], "composio.trigger.message");
    assert_eq!(first[0].envelope["metadata"]["trigger_slug"], "FEED_NEW_ITEM");
    assert_eq!(first[0].envelope["metadata"]["connected_account_id"], ca.as_str());

    // A restart: the server stops (and its poller with it); d and e arrive meanwhile; a
    // new server on the same store goes on from the persisted cursor.
    server.stop().await;
    feed.lock().unwrap().items.extend([("d".into(), 4), ("e".into(), 5)]);
    let server = start(&projects, &api).await;
    until("d and e are events", || async { events(&store).await.len() >= 3 }).await;
    let calls = feed.lock().unwrap().calls.len();
    until("two more polls", || async { feed.lock().unwrap().calls.len() >= calls + 2 }).await;
    assert_eq!(ids(&events(&store).await), ["c", "d", "e"], "each new item once, none of the baseline");

    // A 429 (Retry-After: 1) once, while f arrives: the poller backs off and goes on from
    // the same cursor, losing and repeating nothing.
    {
        let mut feed = feed.lock().unwrap();
        feed.throttle_next = true;
        feed.items.push(("f".into(), 6));
    }
    until("f is an event", || async { events(&store).await.len() >= 4 }).await;
    let calls = feed.lock().unwrap().calls.len();
    until("two more polls", || async { feed.lock().unwrap().calls.len() >= calls + 2 }).await;
    server.stop().await;
    assert_eq!(ids(&events(&store).await), ["c", "d", "e", "f"], "each new item exactly once");

    // The cursor moved with the events: the polls' `since`, repeats folded.
    let calls = feed.lock().unwrap().calls.clone();
    let mut sinces: Vec<Option<u64>> = calls.iter().map(|(since, _)| *since).collect();
    sinces.dedup();
    assert_eq!(sinces, [None, Some(2), Some(3), Some(5), Some(6)], "{calls:?}");
    let throttled = calls.iter().position(|(_, throttled)| *throttled).unwrap();
    assert_eq!(calls[throttled].0, Some(5), "the throttled poll asked from the cursor");
    assert_eq!(calls[throttled + 1], (Some(5), false), "and so did the poll after it: nothing lost");
}
