//! Projects cannot see each other's records: with objects of every kind in project A
//! (auth config, connected accounts, a Connect Link, an execution log), project B's key
//! gets 404 — or an empty list — on every route of those records, for A's ids.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::{json, Value};
use toolsmith_server::testing::MemoryProjects;

mod common;
use common::{stripe_api, Server};

#[tokio::test]
async fn a_key_of_one_project_never_sees_another_projects_records() {
    let projects = Arc::new(MemoryProjects::default());
    let (_, a) = projects.add("a");
    let (_, b) = projects.add("b");
    let api = stripe_api().await;
    let server = Server::start_with(projects, vec![("stripe".into(), api)]).await;

    let config =
        json!({"toolkit": {"slug": "stripe"}, "auth_config": {"type": "use_custom_auth", "authScheme": "API_KEY"}});
    let (_, created) = server.api("POST", "/auth_configs", &a, Some(config)).await;
    let ac = created["auth_config"]["id"].as_str().unwrap().to_owned();
    let initiate = json!({"auth_config": {"id": ac}, "connection": {"user_id": "ada", "state": {"authScheme": "API_KEY", "val": {"api_key": "sk_test_a"}}}});
    let (_, account) = server.api("POST", "/connected_accounts", &a, Some(initiate.clone())).await;
    let ca = account["id"].as_str().unwrap().to_owned();
    let (_, link) =
        server.api("POST", "/connected_accounts/link", &a, Some(json!({"auth_config_id": ac, "user_id": "ada"}))).await;
    let linked = link["connected_account_id"].as_str().unwrap().to_owned();
    let (_, run) = server
        .api("POST", "/tools/execute/STRIPE_RETRIEVE_BALANCE", &a, Some(json!({"user_id": "ada", "arguments": {}})))
        .await;
    assert_eq!(run["successful"], true, "{run}");
    let log = run["log_id"].as_str().unwrap().to_owned();

    let not_found: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("/auth_configs/{ac}"), None),
        ("PATCH", format!("/auth_configs/{ac}"), Some(json!({"name": "mine now"}))),
        ("PATCH", format!("/auth_configs/{ac}/DISABLED"), None),
        ("DELETE", format!("/auth_configs/{ac}"), None),
        ("POST", "/connected_accounts/link".into(), Some(json!({"auth_config_id": ac, "user_id": "eve"}))),
        ("POST", "/connected_accounts".into(), Some(initiate)),
        (
            "POST",
            "/connected_accounts".into(),
            Some(json!({"auth_config": {"id": ac}, "connection": {"user_id": "eve"}})),
        ),
        ("GET", format!("/connected_accounts/{ca}"), None),
        ("GET", format!("/connected_accounts/{linked}"), None),
        (
            "PATCH",
            format!("/connected_accounts/{ca}"),
            Some(json!({"connection": {"state": {"val": {"api_key": "sk_test_b"}}}})),
        ),
        ("PATCH", format!("/connected_accounts/{ca}"), Some(json!({"alias": "mine"}))),
        ("PATCH", format!("/connected_accounts/{ca}/status"), Some(json!({"enabled": false}))),
        ("DELETE", format!("/connected_accounts/{ca}"), None),
        ("DELETE", format!("/connected_accounts/{linked}"), None),
        ("GET", format!("/logs/tools/{log}"), None),
        (
            "POST",
            "/tools/execute/STRIPE_RETRIEVE_BALANCE".into(),
            Some(json!({"connected_account_id": ca, "arguments": {}})),
        ),
    ];
    for (method, path, body) in not_found {
        for prefix in ["/api/v3", "/api/v3.1"] {
            let (status, answer, _) = server.call(method, &format!("{prefix}{path}"), Some(&b), body.clone()).await;
            assert_eq!(status, 404, "{method} {prefix}{path}: {answer}");
            assert!(answer["error"]["slug"].as_str().unwrap().ends_with("NotFound"), "{answer}");
        }
    }
    let empty = [
        "/auth_configs".to_owned(),
        "/auth_configs?show_disabled=true&toolkit_slug=stripe".to_owned(),
        "/connected_accounts".to_owned(),
        format!("/connected_accounts?user_ids=ada&auth_config_ids={ac}&connected_account_ids={ca},{linked}"),
        "/logs/tools".to_owned(),
        "/logs/tools?user_id=ada".to_owned(),
    ];
    for path in empty {
        let (status, answer) = server.api("GET", &path, &b, None).await;
        assert_eq!((status, answer["items"].clone()), (200, json!([])), "{path}");
    }

    // A's records are untouched and still A's.
    let (status, got) = server.api("GET", &format!("/auth_configs/{ac}"), &a, None).await;
    assert_eq!(
        (status, got["status"].as_str(), got["name"].as_str()),
        (200, Some("ENABLED"), Some("Stripe (api_key)"))
    );
    let (_, got) = server.api("GET", &format!("/connected_accounts/{ca}"), &a, None).await;
    assert_eq!((got["status"].as_str(), got["alias"].clone()), (Some("ACTIVE"), Value::Null));
    let (_, accounts) = server.api("GET", "/connected_accounts", &a, None).await;
    assert_eq!(accounts["items"].as_array().unwrap().len(), 2);
    let (status, _) = server.api("GET", &format!("/logs/tools/{log}"), &a, None).await;
    assert_eq!(status, 200);
}
