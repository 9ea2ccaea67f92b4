//! The trigger routes over loopback: trigger types (list, filters, pages, one by slug)
//! and trigger instances (upsert, list active with filters, enable, disable, delete),
//! with the errors that name what is wrong.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::{json, Value};
use toolsmith_server::testing::MemoryProjects;
use toolsmith_store::prelude::*;
use toolsmith_store::{ApiKeySecret, SqliteStore};

mod common;
use common::{active_account as account, Server};

/// A server over two projects, `acme` (whose key it returns) and `other`, and their stores.
async fn setup() -> (Server, ApiKeySecret, Arc<SqliteStore>, Arc<SqliteStore>) {
    let projects = Arc::new(MemoryProjects::default());
    let (other, _) = projects.add("other");
    let (acme, key) = projects.add("acme");
    let stores = (projects.store(&acme).unwrap(), projects.store(&other).unwrap());
    (Server::start(projects).await, key, stores.0, stores.1)
}

fn slugs(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["slug"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn trigger_types_are_listed_by_toolkit_paged_and_found_by_slug() {
    let (server, key, _, _) = setup().await;
    let key = &key;

    let (status, github) =
        server.api("GET", "/triggers_types?toolkit_slugs=github&toolkit_versions=latest", key, None).await;
    assert_eq!(status, 200, "{github}");
    assert_eq!(slugs(&github), ["GITHUB_ISSUES_EVENT", "GITHUB_PULL_REQUEST_EVENT", "GITHUB_PUSH"]);
    assert_eq!((github["total_items"].as_u64(), github["current_page"].as_u64()), (Some(3), Some(1)));
    let issues = &github["items"][0];
    assert_eq!(issues["type"], "webhook");
    assert_eq!(issues["toolkit"]["slug"], "github");
    assert_eq!(issues["toolkit"]["name"], "GitHub");
    assert_eq!(issues["config"]["required"], json!(["webhook_secret"]));
    assert_eq!(issues["payload"]["type"], "object");
    assert!(issues["instructions"].as_str().unwrap().contains("`webhook_secret`"), "{issues}");
    assert!(issues["version"].as_str().unwrap().len() >= 8);

    // Every toolkit's triggers_count is the number of its types.
    let (_, toolkit) = server.api("GET", "/toolkits/github", key, None).await;
    assert_eq!(toolkit["meta"]["triggers_count"], 3);

    // Several toolkits, pages.
    let (_, both) = server.api("GET", "/triggers_types?toolkit_slugs=github,SLACK&limit=4", key, None).await;
    assert_eq!(both["items"].as_array().unwrap().len(), 4);
    assert_eq!(both["total_items"], 8);
    let next = both["next_cursor"].as_str().unwrap().to_owned();
    let (_, rest) = server
        .api("GET", &format!("/triggers_types?toolkit_slugs=github,slack&limit=4&cursor={next}"), key, None)
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 4);
    assert!(rest["next_cursor"].is_null());
    let (_, all) = server.api("GET", "/triggers_types?limit=1000", key, None).await;
    assert!(all["total_items"].as_u64().unwrap() >= 30, "{}", all["total_items"]);

    let (status, every) = server.api("GET", "/triggers_types/list/enum", key, None).await;
    assert_eq!(status, 200, "{every}");
    let every: Vec<&str> = every.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert_eq!(every.len() as u64, all["total_items"].as_u64().unwrap());
    assert!(every.contains(&"GITHUB_PUSH") && every.contains(&"GMAIL_NEW_MESSAGE"), "{every:?}");
    let (status, one) = server.api("GET", "/triggers_types/github_push?toolkit_versions=latest", key, None).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["slug"], "GITHUB_PUSH");
    let (status, err) = server.api("GET", "/triggers_types/GITHUB_NOPE", key, None).await;
    assert_eq!((status, err["error"]["slug"].as_str()), (404, Some("TriggerType_NotFound")), "{err}");
    let (status, _, _) = server.call("GET", "/api/v3.1/triggers_types", None, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn trigger_instances_are_upserted_listed_enabled_disabled_and_deleted() {
    let (server, key, store, _) = setup().await;
    let key = &key;
    let ada = account(&store, "ada", "github").await;
    let bob = account(&store, "bob", "github").await;

    let upsert = |slug: &str, body: Value| {
        let path = format!("/trigger_instances/{slug}/upsert");
        let server = &server;
        async move { server.api("POST", &path, key, Some(body)).await }
    };
    let body = json!({"connected_account_id": ada.id.as_str(), "trigger_config": {"webhook_secret": "whsec-ada-1"}, "toolkit_versions": "latest"});
    let (status, created) = upsert("GITHUB_ISSUES_EVENT", body).await;
    assert_eq!(status, 200, "{created}");
    let ti = created["trigger_id"].as_str().unwrap().to_owned();
    assert!(ti.starts_with("ti_"));
    // The same trigger, account and (non-secret) config: the same instance, secret rotated.
    let (_, again) =
        upsert("github_issues_event", json!({"user_id": "ada", "trigger_config": {"webhook_secret": "whsec-ada-2"}}))
            .await;
    assert_eq!(again["trigger_id"], ti.as_str());
    let stored = store.trigger_instance(&ti.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&stored.secrets["webhook_secret"]), "whsec-ada-2");
    let (_, push) = upsert(
        "GITHUB_PUSH",
        json!({"connected_account_id": bob.id.as_str(), "trigger_config": {"webhook_secret": "whsec-bob"}}),
    )
    .await;
    let push = push["trigger_id"].as_str().unwrap().to_owned();
    // A user with two accounts: the first (oldest) active one, as Composio resolves it.
    let later = account(&store, "bob", "github").await;
    let (_, by_user) =
        upsert("GITHUB_PUSH", json!({"user_id": "bob", "trigger_config": {"webhook_secret": "x"}})).await;
    assert_eq!(by_user["trigger_id"], push.as_str(), "bob's first account, the same instance");
    assert!(store.delete_account(&later.id).await.unwrap());

    let (status, active) = server.api("GET", "/trigger_instances/active", key, None).await;
    assert_eq!(status, 200, "{active}");
    assert_eq!(active["total_items"], 2);
    let item = &active["items"][0];
    assert_eq!(item["id"], ti.as_str());
    assert_eq!(item["triggerName"], "GITHUB_ISSUES_EVENT");
    assert_eq!(item["triggerConfig"], json!({"webhook_secret": "[REDACTED]"}));
    assert_eq!(item["connectedAccountId"], ada.id.as_str());
    assert_eq!(item["user_id"], "ada");
    assert!(item["updatedAt"].as_str().unwrap().ends_with('Z'));
    assert!(item["disabledAt"].is_null() && item["state"].is_object() && item["version"].is_string(), "{item}");
    assert!(!active.to_string().contains("whsec-"), "secrets never listed: {active}");

    let ids = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
    };
    for (query, want) in [
        (format!("trigger_ids={push}"), vec![push.clone()]),
        (format!("connected_account_ids={},{}", ada.id, bob.id), vec![ti.clone(), push.clone()]),
        (format!("auth_config_ids={}", bob.auth_config), vec![push.clone()]),
        ("trigger_names=github_push".to_owned(), vec![push.clone()]),
        ("user_ids=ada".to_owned(), vec![ti.clone()]),
        ("limit=1&cursor=1".to_owned(), vec![push.clone()]),
    ] {
        let (_, page) = server.api("GET", &format!("/trigger_instances/active?{query}"), key, None).await;
        assert_eq!(ids(&page), want, "{query}");
    }
    let (status, err) = server.api("GET", "/trigger_instances/active?trigger_ids=ca_1", key, None).await;
    assert_eq!(status, 400, "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains("`trigger_ids`"), "{err}");

    // Disable, list without and with the disabled, enable.
    let manage = format!("/trigger_instances/manage/{ti}");
    let (status, done) = server.api("PATCH", &manage, key, Some(json!({"status": "disable"}))).await;
    assert_eq!((status, done), (200, json!({"status": "success"})));
    let (_, active) = server.api("GET", "/trigger_instances/active", key, None).await;
    assert_eq!(ids(&active), std::slice::from_ref(&push));
    let (_, everything) = server.api("GET", "/trigger_instances/active?show_disabled=true", key, None).await;
    assert_eq!(ids(&everything), [ti.clone(), push.clone()]);
    assert!(everything["items"][0]["disabledAt"].is_string());
    let (status, err) = server.api("PATCH", &manage, key, Some(json!({"status": "pause"}))).await;
    assert_eq!(status, 400, "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains("status"), "{err}");
    server.api("PATCH", &manage, key, Some(json!({"status": "enable"}))).await;
    let (_, active) = server.api("GET", "/trigger_instances/active", key, None).await;
    assert_eq!(ids(&active).len(), 2);

    let (status, deleted) = server.api("DELETE", &manage, key, None).await;
    assert_eq!((status, deleted), (200, json!({"trigger_id": ti})));
    for (method, body) in [("DELETE", None), ("PATCH", Some(json!({"status": "enable"})))] {
        let (status, err) = server.api(method, &manage, key, body).await;
        assert_eq!((status, err["error"]["slug"].as_str()), (404, Some("Trigger_NotFound")), "{method}");
    }
    let (status, _) = server.api("DELETE", "/trigger_instances/manage/nonsense", key, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn bad_upserts_say_what_is_wrong_and_where() {
    let (server, key, store, other_store) = setup().await;
    let key = &key;
    let ada = account(&store, "ada", "github").await;
    let slack = account(&store, "ada", "slack").await;
    let foreign = account(&other_store, "ada", "github").await;

    let upsert = |slug: &'static str, body: Value| {
        let server = &server;
        async move { server.api("POST", &format!("/trigger_instances/{slug}/upsert"), key, Some(body)).await }
    };
    // A config that breaks the schema: 400, every problem at its JSON path.
    let (status, err) = upsert(
        "GITHUB_ISSUES_EVENT",
        json!({"connected_account_id": ada.id.as_str(), "trigger_config": {"webhook_secret": 42}}),
    )
    .await;
    assert_eq!((status, err["error"]["slug"].as_str()), (400, Some("Trigger_InvalidConfig")), "{err}");
    let errors = err["error"]["errors"].as_array().unwrap();
    assert!(errors[0].as_str().unwrap().starts_with("trigger_config/webhook_secret: "), "{err}");
    assert!(!err["error"]["suggested_fix"].as_str().unwrap().is_empty());
    let (_, err) = upsert("GITHUB_PUSH", json!({"connected_account_id": ada.id.as_str()})).await;
    assert_eq!(err["error"]["errors"][0], "trigger_config/webhook_secret: is required: add it to trigger_config");

    for (slug, body, want_status, want_slug, says) in [
        (
            "GITHUB_PUSH",
            json!({"connected_account_id": slack.id.as_str(), "trigger_config": {"webhook_secret": "s"}}),
            400,
            "Trigger_InvalidRequest",
            "slack account",
        ),
        (
            "GITHUB_PUSH",
            json!({"connected_account_id": foreign.id.as_str(), "trigger_config": {"webhook_secret": "s"}}),
            404,
            "ConnectedAccount_NotFound",
            "not in this project",
        ),
        (
            "GITHUB_PUSH",
            json!({"connected_account_id": "acct-1"}),
            400,
            "Trigger_InvalidRequest",
            "`connected_account_id`",
        ),
        ("GITHUB_PUSH", json!({"trigger_config": {}}), 400, "Trigger_InvalidRequest", "`user_id`"),
        (
            "GITHUB_PUSH",
            json!({"user_id": "nobody", "trigger_config": {"webhook_secret": "s"}}),
            400,
            "Trigger_NoConnectedAccount",
            "no active github account",
        ),
        ("GITHUB_PUSHED", json!({"user_id": "ada"}), 404, "TriggerType_NotFound", "GITHUB_PUSHED"),
    ] {
        let (status, err) = upsert(slug, body.clone()).await;
        assert_eq!((status, err["error"]["slug"].as_str()), (want_status, Some(want_slug)), "{body}: {err}");
        assert!(err["error"]["message"].as_str().unwrap().contains(says), "{body}: {err}");
    }
    let (_, listed) = server.api("GET", "/trigger_instances/active?show_disabled=true", key, None).await;
    assert_eq!(listed["total_items"], 0, "nothing was stored: {listed}");
}
