//! Providers' webhooks into a server over loopback: `POST /webhooks/{toolkit}/{ti_…}`
//! without a key, verified against the instance's secret, recorded once in the store (a
//! GitHub delivery sent twice, by its `X-GitHub-Delivery`), or refused (tampered, stale,
//! unknown, disabled), ignored (an event the trigger does not take), or answered (Slack's
//! url_verification).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use toolsmith_server::testing::MemoryProjects;
use toolsmith_store::prelude::*;
use toolsmith_store::{ApiKeySecret, SqliteStore};

mod common;
use common::{account, hmac_sha256_hex as sign, Server};

/// `(status, body)` of a raw POST with `headers`.
async fn post(server: &Server, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(format!("{}{path}", server.url)).body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A server over `other` then `acme` (the instance is found in whichever holds it),
/// `acme`'s key and store, and a trigger instance of `slug` with `config` made by REST.
async fn setup(toolkit: &str, slug: &str, config: Value) -> (Server, ApiKeySecret, Arc<SqliteStore>, String) {
    let projects = Arc::new(MemoryProjects::default());
    projects.add("other");
    let (acme, key) = projects.add("acme");
    let store = projects.store(&acme).unwrap();
    let server = Server::start(projects).await;
    let ada = account(&store, "ada", toolkit).await;
    let body = json!({"connected_account_id": ada.id.as_str(), "trigger_config": config});
    let (status, created) = server.api("POST", &format!("/trigger_instances/{slug}/upsert"), &key, Some(body)).await;
    assert_eq!(status, 200, "{created}");
    let ti = created["trigger_id"].as_str().unwrap().to_owned();
    (server, key, store, ti)
}

async fn events(store: &SqliteStore) -> Vec<toolsmith_store::TriggerEvent> {
    store.trigger_events_after(None, 100).await.unwrap()
}

const ISSUE: &str = r#"{"action":"opened","issue":{"number":7,"title":"Crash"},"repository":{"full_name":"ada/app"}}"#;

#[tokio::test]
async fn a_signed_github_delivery_is_recorded_once_and_forgeries_are_refused() {
    let (server, key, store, ti) = setup("github", "GITHUB_ISSUES_EVENT", json!({"webhook_secret": "s3cr3t"})).await;
    let path = format!("/webhooks/github/{ti}");
    let (_, active) = server.api("GET", "/trigger_instances/active", &key, None).await;
    assert_eq!(active["items"][0]["webhook_url"], format!("{}{path}", server.url), "{active}");

    let signature = format!("sha256={}", sign("s3cr3t", ISSUE));
    let headers = |event: &str, delivery: &str, signature: &str| {
        vec![
            ("X-GitHub-Event", event.to_owned()),
            ("X-GitHub-Delivery", delivery.to_owned()),
            ("X-Hub-Signature-256", signature.to_owned()),
            ("Content-Type", "application/json".to_owned()),
        ]
    };
    let send = |headers: Vec<(&'static str, String)>, body: &'static str| {
        let (server, path) = (&server, path.clone());
        async move {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(server, &path, &headers, body).await
        }
    };

    let (status, accepted) = send(headers("issues", "d-1", &signature), ISSUE).await;
    assert_eq!((status, &accepted["status"]), (200, &json!("accepted")), "{accepted}");
    let event_id = accepted["event_id"].as_str().unwrap();
    assert!(event_id.starts_with("msg_"), "{accepted}");
    let recorded = events(&store).await;
    assert_eq!(recorded.len(), 1);
    let envelope = &recorded[0].envelope;
    assert_eq!(envelope["id"], event_id);
    assert_eq!(envelope["type"], "composio.trigger.message");
    assert_eq!(envelope["metadata"]["trigger_id"], ti.as_str());
    assert_eq!(envelope["metadata"]["trigger_slug"], "GITHUB_ISSUES_EVENT");
    assert_eq!(envelope["metadata"]["user_id"], "ada");
    assert!(envelope["metadata"]["connected_account_id"].as_str().unwrap().starts_with("ca_"));
    assert_eq!(envelope["data"], serde_json::from_str::<Value>(ISSUE).unwrap());
    assert_eq!(recorded[0].dedupe_key.as_deref(), Some("d-1"));

    // GitHub redelivers (same X-GitHub-Delivery): answered 200, recorded once.
    let (status, again) = send(headers("issues", "d-1", &signature), ISSUE).await;
    assert_eq!(again, json!({"status": "duplicate", "reason": "delivery `d-1` was already recorded"}));
    assert_eq!(status, 200);
    assert_eq!(events(&store).await.len(), 1);

    // A tampered body: 401 in the error envelope, without the secret or the signature.
    let tampered = r#"{"action":"opened","issue":{"number":8,"title":"Crash"},"repository":{"full_name":"ada/app"}}"#;
    let (status, refused) = send(headers("issues", "d-2", &signature), tampered).await;
    assert_eq!(status, 401, "{refused}");
    assert_eq!(refused["error"]["slug"], "TriggerWebhook_SignatureInvalid");
    let text = refused.to_string();
    assert!(!text.contains("s3cr3t") && !text.contains(&signature[7..]), "{text}");
    // Unsigned: 401 too.
    let (status, _) = send(vec![("X-GitHub-Event", "issues".into()), ("X-GitHub-Delivery", "d-3".into())], ISSUE).await;
    assert_eq!(status, 401);
    assert_eq!(events(&store).await.len(), 1);

    // An event the trigger does not take: 200 ignored, nothing recorded.
    let ping = r#"{"zen":"Keep it logically awesome."}"#;
    let (status, ignored) = send(headers("ping", "d-4", &format!("sha256={}", sign("s3cr3t", ping))), ping).await;
    assert_eq!((status, &ignored["status"]), (200, &json!("ignored")), "{ignored}");
    assert_eq!(ignored["reason"], "event `ping` is not one this trigger takes (issues)");
    assert_eq!(events(&store).await.len(), 1);

    // Unknown instances, a malformed id, another toolkit's URL: 404.
    for other in [
        "/webhooks/github/ti_00000000000000000000000000000000",
        "/webhooks/github/nope",
        &format!("/webhooks/slack/{ti}"),
    ] {
        let (status, body) = post(&server, other, &[], ISSUE).await;
        assert_eq!((status, &body["error"]["slug"]), (404, &json!("TriggerWebhook_NotFound")), "{other}: {body}");
    }

    // A disabled instance (disabling records composio.trigger.disabled): 409, nothing recorded.
    let (status, _) =
        server.api("PATCH", &format!("/trigger_instances/manage/{ti}"), &key, Some(json!({"status": "disable"}))).await;
    assert_eq!(status, 200);
    let (status, refused) = send(headers("issues", "d-5", &signature), ISSUE).await;
    assert_eq!((status, &refused["error"]["slug"]), (409, &json!("TriggerWebhook_Disabled")), "{refused}");
    let kinds: Vec<_> = events(&store).await.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["composio.trigger.message", "composio.trigger.disabled"]);
}

#[tokio::test]
async fn slack_url_verification_is_answered_and_a_stale_delivery_refused() {
    let (server, _, store, ti) =
        setup("slack", "SLACK_MESSAGE_RECEIVED", json!({"signing_secret": "8f742231b10e8888abcd99yyyzzz85a5"})).await;
    let path = format!("/webhooks/slack/{ti}");
    let slack = |timestamp: u64, body: &'static str| {
        let (server, path) = (&server, path.clone());
        async move {
            let ts = timestamp.to_string();
            let signature = format!("v0={}", sign("8f742231b10e8888abcd99yyyzzz85a5", &format!("v0:{ts}:{body}")));
            let headers = [
                ("X-Slack-Request-Timestamp", ts.as_str()),
                ("X-Slack-Signature", signature.as_str()),
                ("Content-Type", "application/json"),
            ];
            post(server, &path, &headers, body).await
        }
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let verification = r#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    let (status, answer) = slack(now, verification).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, json!({"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}));

    let message = r#"{"type":"event_callback","event":{"type":"message","text":"hi","channel":"C1"}}"#;
    let (status, refused) = slack(now - 600, message).await;
    assert_eq!(status, 401, "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("stale"), "{refused}");
    let (status, stale_challenge) = slack(now - 600, verification).await;
    assert_eq!(status, 401, "a challenge is answered only once verified: {stale_challenge}");
    assert!(events(&store).await.is_empty());

    let (status, accepted) = slack(now, message).await;
    assert_eq!((status, &accepted["status"]), (200, &json!("accepted")), "{accepted}");
    assert_eq!(events(&store).await.len(), 1);
}
