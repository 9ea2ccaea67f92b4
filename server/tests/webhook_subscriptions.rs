//! `/webhook_subscriptions` over loopback: created with its secret (201), one per project
//! (409), read with the secret masked, patched, its secret rotated, deleted; bad URLs,
//! unknown events and V1 refused naming the field; the event types listed.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::{json, Value};
use toolsmith_server::testing::MemoryProjects;
use toolsmith_store::prelude::*;

mod common;
use common::Server;

fn message(answer: &Value) -> &str {
    answer["error"]["message"].as_str().unwrap()
}

#[tokio::test]
async fn subscriptions_are_created_once_read_masked_patched_rotated_and_deleted() {
    let projects = Arc::new(MemoryProjects::default());
    let (acme, key) = projects.add("acme");
    let (_, other_key) = projects.add("other");
    let store = projects.store(&acme).unwrap();
    let server = Server::start(projects).await;
    let key = &key;

    let body = json!({"webhook_url": "https://example.com/hooks", "enabled_events": ["composio.trigger.message"]});
    let (status, created) = server.api("POST", "/webhook_subscriptions", key, Some(body.clone())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("whs_"), "{created}");
    assert_eq!(created["webhook_url"], "https://example.com/hooks");
    assert_eq!(created["version"], "V3");
    assert_eq!(created["enabled_events"], json!(["composio.trigger.message"]));
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_") && secret.len() > 40, "{secret}");
    assert!(created["created_at"].as_str().unwrap().ends_with('Z'));
    let stored = store.webhook_subscription(&id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&stored.secret), secret);

    // One per project: the second is refused, saying how to change the first.
    let (status, again) = server.api("POST", "/webhook_subscriptions", key, Some(body.clone())).await;
    assert_eq!(status, 409, "{again}");
    assert!(message(&again).contains(&id), "{again}");
    assert!(again["error"]["suggested_fix"].as_str().unwrap().contains("PATCH"), "{again}");
    // Another project has its own.
    let (status, _) = server.api("POST", "/webhook_subscriptions", &other_key, Some(body)).await;
    assert_eq!(status, 201);

    // Reads show the secret masked.
    let (status, got) = server.api("GET", &format!("/webhook_subscriptions/{id}"), key, None).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["id"], id.as_str());
    assert!(!got.to_string().contains(&secret), "{got}");
    assert_eq!(got["secret"].as_str().unwrap(), format!("whsec_…{}", &secret[secret.len() - 4..]));
    let (status, list) = server.api("GET", "/webhook_subscriptions", key, None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!((list["total_items"].as_u64(), list["current_page"].as_u64()), (Some(1), Some(1)), "{list}");
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert!(list["next_cursor"].is_null());
    assert!(!list.to_string().contains(&secret));

    // Patch: any field; the rest kept.
    let patch = json!({"enabled_events": ["composio.trigger.disabled", "composio.connected_account.expired"]});
    let (status, patched) = server.api("PATCH", &format!("/webhook_subscriptions/{id}"), key, Some(patch)).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["enabled_events"], json!(["composio.trigger.disabled", "composio.connected_account.expired"]));
    assert_eq!(patched["webhook_url"], "https://example.com/hooks");
    assert!(!patched.to_string().contains(&secret));
    let patch = json!({"webhook_url": "http://127.0.0.1:9000/in"});
    let (status, patched) = server.api("PATCH", &format!("/webhook_subscriptions/{id}"), key, Some(patch)).await;
    assert_eq!((status, patched["webhook_url"].as_str()), (200, Some("http://127.0.0.1:9000/in")), "{patched}");
    let (status, empty) = server.api("PATCH", &format!("/webhook_subscriptions/{id}"), key, Some(json!({}))).await;
    assert_eq!(status, 400, "{empty}");

    // Rotate: a new secret, shown once, stored.
    let (status, rotated) = server.api("POST", &format!("/webhook_subscriptions/{id}/rotate_secret"), key, None).await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_eq!(rotated["id"], id.as_str());
    assert!(new_secret.starts_with("whsec_") && new_secret != secret, "{rotated}");
    let stored = store.webhook_subscription(&id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&stored.secret), new_secret);

    // Delete, then it is gone.
    let (status, deleted) = server.api("DELETE", &format!("/webhook_subscriptions/{id}"), key, None).await;
    assert_eq!((status, deleted), (200, json!({"success": true})));
    let (status, gone) = server.api("GET", &format!("/webhook_subscriptions/{id}"), key, None).await;
    assert_eq!(status, 404, "{gone}");
    assert!(message(&gone).contains(&id));
    let (status, _) = server.api("DELETE", &format!("/webhook_subscriptions/{id}"), key, None).await;
    assert_eq!(status, 404);
    let (status, _) = server.api("POST", "/webhook_subscriptions/whs_nope/rotate_secret", key, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn bad_bodies_are_refused_naming_the_field() {
    let projects = Arc::new(MemoryProjects::default());
    let (_, key) = projects.add("acme");
    let server = Server::start(projects).await;
    let events = json!(["composio.trigger.message"]);
    for (body, field) in [
        (json!({"webhook_url": "ftp://example.com/x", "enabled_events": events}), "`webhook_url`"),
        (json!({"webhook_url": "not a url", "enabled_events": events}), "`webhook_url`"),
        (json!({"webhook_url": "https://e.com", "enabled_events": ["composio.nope"]}), "`enabled_events[0]`"),
        (json!({"webhook_url": "https://e.com", "enabled_events": []}), "`enabled_events`"),
        (json!({"webhook_url": "https://e.com", "enabled_events": events, "version": "V1"}), "`version`"),
        (json!({"webhook_url": "https://e.com", "enabled_events": events, "version": "V2"}), "`version`"),
        (json!({"enabled_events": events}), "webhook_url"),
    ] {
        let (status, answer) = server.api("POST", "/webhook_subscriptions", &key, Some(body.clone())).await;
        assert_eq!(status, 400, "{body} → {answer}");
        assert!(message(&answer).contains(field), "{body} → {answer}");
    }
    let body = json!({"webhook_url": "https://e.com", "enabled_events": events, "version": "V1"});
    let (_, answer) = server.api("POST", "/webhook_subscriptions", &key, Some(body)).await;
    assert!(message(&answer).contains("only V3"), "{answer}");
    let (status, list) = server.api("GET", "/webhook_subscriptions", &key, None).await;
    assert_eq!((status, list["total_items"].as_u64()), (200, Some(0)), "nothing was created: {list}");
}

#[tokio::test]
async fn the_three_event_types_are_listed() {
    let projects = Arc::new(MemoryProjects::default());
    let (_, key) = projects.add("acme");
    let server = Server::start(projects).await;
    let (status, types) = server.api("GET", "/webhook_subscriptions/event_types", &key, None).await;
    assert_eq!(status, 200, "{types}");
    let names: Vec<&str> =
        types["items"].as_array().unwrap().iter().map(|t| t["event_type"].as_str().unwrap()).collect();
    assert_eq!(names, ["composio.trigger.message", "composio.connected_account.expired", "composio.trigger.disabled"]);
    for item in types["items"].as_array().unwrap() {
        assert_eq!(item["supported_versions"], json!(["V3"]));
        assert!(!item["description"].as_str().unwrap().is_empty());
    }
    let (status, _, _) = server.call("GET", "/api/v3/webhook_subscriptions/event_types", None, None).await;
    assert_eq!(status, 401, "a key is needed");
}
