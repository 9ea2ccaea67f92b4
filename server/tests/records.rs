//! The REST routes of the project's records (auth configs, connected accounts, execution
//! logs), over loopback:
//! each route's happy path and a bad request that names the field.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::{json, Value};
use toolsmith_server::testing::MemoryProjects;
use toolsmith_store::ApiKeySecret;

mod common;
use common::{stripe_api, Server};

async fn server() -> (Server, ApiKeySecret) {
    let projects = Arc::new(MemoryProjects::default());
    let (_, key) = projects.add("acme");
    let api = stripe_api().await;
    (Server::start_with(projects, vec![("stripe".into(), api)]).await, key)
}

/// The message of an error answer, after checking its status.
fn message(status: u16, body: &Value, want: u16) -> String {
    assert_eq!(status, want, "{body}");
    body["error"]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn auth_configs_are_created_listed_updated_disabled_and_deleted() {
    let (server, key) = server().await;
    let (status, managed) = server
        .api(
            "POST",
            "/auth_configs",
            &key,
            Some(json!({"toolkit": {"slug": "github"}, "auth_config": {"type": "use_composio_managed_auth"}})),
        )
        .await;
    assert_eq!(status, 200, "{managed}");
    assert_eq!(managed["toolkit"]["slug"], "github");
    assert_eq!(managed["auth_config"]["auth_scheme"], "OAUTH2", "the toolkit's first scheme");
    assert!(managed["auth_config"]["id"].as_str().unwrap().starts_with("ac_"));
    let body = json!({"toolkit": {"slug": "github"}, "auth_config": {"type": "use_custom_auth", "authScheme": "OAUTH2",
        "name": "Org app", "credentials": {"client_id": "cid", "client_secret": "very-secret-value", "scopes": "repo,user"}}});
    let (_, custom) = server.api("POST", "/auth_configs", &key, Some(body)).await;
    let id = custom["auth_config"]["id"].as_str().unwrap().to_owned();

    // Bad bodies name the field.
    for (body, field) in [
        (json!({"toolkit": {"slug": "github"}, "auth_config": {"type": "nope"}}), "auth_config.type"),
        (json!({"toolkit": {"slug": "github"}, "auth_config": {"type": "use_custom_auth"}}), "auth_config.authScheme"),
        (
            json!({"toolkit": {"slug": "github"}, "auth_config": {"type": "use_custom_auth", "authScheme": "BASIC"}}),
            "auth_config.authScheme",
        ),
        (json!({"toolkit": {"slug": "githib"}}), "toolkit.slug"),
        (json!({"toolkit": {}}), "toolkit"),
        (
            json!({"toolkit": {"slug": "github"}, "auth_config": {"type": "use_composio_managed_auth", "restrict_to_following_tools": ["GITHUB_GET_REPO"]}}),
            "auth_config.restrict_to_following_tools",
        ),
    ] {
        let (status, err) = server.api("POST", "/auth_configs", &key, Some(body.clone())).await;
        assert!(message(status, &err, 400).contains(&format!("`{field}`")), "{body}: {err}");
    }

    let (status, got) = server.api("GET", &format!("/auth_configs/{id}"), &key, None).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!((got["name"].as_str(), got["status"].as_str()), (Some("Org app"), Some("ENABLED")));
    assert_eq!(
        got["credentials"],
        json!({"client_id": "cid", "client_secret": "[REDACTED]", "scopes": ["repo", "user"]})
    );
    assert!(!got.to_string().contains("very-secret-value"));

    let (_, listed) = server.api("GET", "/auth_configs?toolkit_slug=github", &key, None).await;
    let created: Vec<&str> =
        listed["items"].as_array().unwrap().iter().map(|i| i["created_at"].as_str().unwrap()).collect();
    assert_eq!(created.len(), 2, "{listed}");
    assert!(created[0] <= created[1] && created[0].ends_with('Z') && created[0].len() == 24, "{created:?}");
    let (_, none) = server.api("GET", "/auth_configs?toolkit_slug=stripe", &key, None).await;
    assert_eq!(none["items"], json!([]));

    let (status, patched) = server
        .api(
            "PATCH",
            &format!("/auth_configs/{id}"),
            &key,
            Some(json!({"name": "Renamed", "credentials": {"scopes": ["repo"]}})),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        (patched["name"].as_str(), patched["credentials"]["scopes"].clone()),
        (Some("Renamed"), json!(["repo"]))
    );
    let (status, err) = server.api("PATCH", &format!("/auth_configs/{id}"), &key, Some(json!({"name": 3}))).await;
    assert!(message(status, &err, 400).contains("`name`"), "{err}");

    let (status, off) = server.api("PATCH", &format!("/auth_configs/{id}/DISABLED"), &key, None).await;
    assert_eq!((status, off), (200, json!({"success": true, "status": "DISABLED"})));
    let (_, listed) = server.api("GET", "/auth_configs", &key, None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "a disabled config is hidden by default");
    let (_, listed) = server.api("GET", "/auth_configs?show_disabled=true", &key, None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    let (status, err) = server.api("PATCH", &format!("/auth_configs/{id}/PAUSED"), &key, None).await;
    assert!(message(status, &err, 400).contains("`PAUSED` is not ENABLED or DISABLED"), "{err}");
    let (_, on) = server.api("PATCH", &format!("/auth_configs/{id}/enabled"), &key, None).await;
    assert_eq!(on["status"], "ENABLED");

    // A config with accounts is not deleted; without, it is.
    let (_, link) = server
        .api("POST", "/connected_accounts/link", &key, Some(json!({"auth_config_id": id, "user_id": "ada"})))
        .await;
    let (status, err) = server.api("DELETE", &format!("/auth_configs/{id}"), &key, None).await;
    assert_eq!(status, 409, "{err}");
    assert!(err["error"]["suggested_fix"].as_str().unwrap().contains("auth_config_ids="), "{err}");
    let (_, got) = server.api("GET", &format!("/auth_configs/{id}"), &key, None).await;
    assert_eq!(got["no_of_connections"], 1);
    server
        .api("DELETE", &format!("/connected_accounts/{}", link["connected_account_id"].as_str().unwrap()), &key, None)
        .await;
    let (status, deleted) = server.api("DELETE", &format!("/auth_configs/{id}"), &key, None).await;
    assert_eq!((status, deleted["success"].as_bool()), (200, Some(true)), "{deleted}");
    let (status, gone) = server.api("GET", &format!("/auth_configs/{id}"), &key, None).await;
    assert_eq!((status, gone["error"]["slug"].as_str()), (404, Some("AuthConfig_NotFound")));
}

/// A stripe API-key config's id.
async fn stripe_config(server: &Server, key: &ApiKeySecret) -> String {
    let body = json!({"toolkit": {"slug": "stripe"}, "auth_config": {"type": "use_custom_auth", "authScheme": "API_KEY", "credentials": {}}});
    let (status, created) = server.api("POST", "/auth_configs", key, Some(body)).await;
    assert_eq!(status, 200, "{created}");
    created["auth_config"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn connected_accounts_link_initiate_list_update_and_delete() {
    let (server, key) = server().await;
    let ac = stripe_config(&server, &key).await;

    let (status, link) = server
        .api(
            "POST",
            "/connected_accounts/link",
            &key,
            Some(json!({"auth_config_id": ac, "user_id": "ada", "callback_url": "https://app.example/cb"})),
        )
        .await;
    assert_eq!(status, 200, "{link}");
    let token = link["link_token"].as_str().unwrap();
    assert_eq!(link["redirect_url"], format!("{}/link/{token}", server.url));
    assert!(link["expires_at"].as_str().unwrap().ends_with('Z'));
    let linked = link["connected_account_id"].as_str().unwrap().to_owned();
    let (_, got) = server.api("GET", &format!("/connected_accounts/{linked}"), &key, None).await;
    assert_eq!(
        (got["status"].as_str(), got["state"]["authScheme"].as_str()),
        (Some("INITIATED"), Some("API_KEY")),
        "{got}"
    );
    let (status, err) = server.api("POST", "/connected_accounts/link", &key, Some(json!({"auth_config_id": ac}))).await;
    assert!(message(status, &err, 400).contains("user_id"), "{err}");
    let (status, err) = server
        .api("POST", "/connected_accounts/link", &key, Some(json!({"auth_config_id": "ac_nope", "user_id": "ada"})))
        .await;
    assert_eq!((status, err["error"]["slug"].as_str()), (404, Some("AuthConfig_NotFound")));

    // The legacy initiate: a static credential connects at once; none starts a link.
    let initiate = |val: Value| json!({"auth_config": {"id": ac}, "connection": {"user_id": "ada", "state": {"authScheme": "API_KEY", "val": val}}});
    let (status, active) = server
        .api(
            "POST",
            "/connected_accounts",
            &key,
            Some(initiate(json!({"status": "ACTIVE", "api_key": "sk_test_first"}))),
        )
        .await;
    assert_eq!(status, 200, "{active}");
    assert_eq!(active["status"], "ACTIVE");
    assert_eq!(
        active["connectionData"],
        json!({"authScheme": "API_KEY", "val": {"status": "ACTIVE", "api_key": "[REDACTED]"}})
    );
    assert!(!active.to_string().contains("sk_test_first"));
    let ca = active["id"].as_str().unwrap().to_owned();
    let (_, pending) =
        server.api("POST", "/connected_accounts", &key, Some(initiate(json!({"status": "INITIATED"})))).await;
    assert_eq!(pending["connectionData"]["val"]["status"], "INITIATED", "{pending}");
    assert!(pending["connectionData"]["val"]["redirectUrl"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/link/", server.url)));
    for (val, field) in [
        (json!({"api_key": "not-a-stripe-key"}), "connection.state.val"),
        (json!({"api_key": {"nested": 1}}), "connection.state.val.api_key"),
        (json!({"api_key": "sk_test_x", "extra": "1"}), "connection.state.val"),
    ] {
        let (status, err) = server.api("POST", "/connected_accounts", &key, Some(initiate(val.clone()))).await;
        assert!(message(status, &err, 400).contains(&format!("`{field}")), "{val}: {err}");
    }
    let (status, err) = server
        .api("POST", "/connected_accounts", &key, Some(json!({"auth_config": {"id": ac}, "connection": {}})))
        .await;
    assert!(message(status, &err, 400).contains("user_id"), "{err}");

    // Listing with the SDK's comma-joined filters.
    let (_, all) = server.api("GET", "/connected_accounts", &key, None).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    let (_, mine) = server
        .api(
            "GET",
            &format!("/connected_accounts?statuses=ACTIVE&user_ids=ada,bob&auth_config_ids={ac}&toolkit_slugs=stripe"),
            &key,
            None,
        )
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine["items"][0]["id"], ca);
    let (_, nobody) = server.api("GET", "/connected_accounts?user_ids=bob", &key, None).await;
    assert_eq!(nobody["items"], json!([]));
    let (status, err) = server.api("GET", "/connected_accounts?statuses=ACTIVE,SLEEPY", &key, None).await;
    assert!(message(status, &err, 400).contains("`statuses`"), "{err}");

    // New credentials, used by the next call.
    let (status, updated) = server
        .api("PATCH", &format!("/connected_accounts/{ca}"), &key, Some(json!({"connection": {"state": {"authScheme": "API_KEY", "val": {"generic_api_key": "sk_test_second"}}}})))
        .await;
    assert_eq!(
        (status, updated["id"].as_str(), updated["status"].as_str()),
        (200, Some(ca.as_str()), Some("ACTIVE")),
        "{updated}"
    );
    let (_, run) = server
        .api(
            "POST",
            "/tools/execute/STRIPE_RETRIEVE_BALANCE",
            &key,
            Some(json!({"connected_account_id": ca, "arguments": {}})),
        )
        .await;
    assert_eq!(run["successful"], true, "{run}");
    assert_eq!(run["data"]["key_tail"], "second", "the new key is used");
    let (status, err) = server
        .api(
            "PATCH",
            &format!("/connected_accounts/{ca}"),
            &key,
            Some(json!({"connection": {"state": {"val": {"api_key": "nope"}}}})),
        )
        .await;
    assert!(message(status, &err, 400).contains("`connection.state.val`"), "{err}");
    let (status, err) =
        server.api("PATCH", &format!("/connected_accounts/{ca}"), &key, Some(json!({"alias": 5}))).await;
    assert!(message(status, &err, 400).contains("`alias`"), "{err}");
    let (_, renamed) =
        server.api("PATCH", &format!("/connected_accounts/{ca}"), &key, Some(json!({"alias": "work"}))).await;
    assert_eq!(renamed["alias"], "work");

    // Disable and enable.
    let (status, off) =
        server.api("PATCH", &format!("/connected_accounts/{ca}/status"), &key, Some(json!({"enabled": false}))).await;
    assert_eq!((status, off), (200, json!({"success": true, "status": "INACTIVE"})));
    let (_, got) = server.api("GET", &format!("/connected_accounts/{ca}"), &key, None).await;
    assert_eq!((got["status"].as_str(), got["is_disabled"].as_bool()), (Some("INACTIVE"), Some(true)));
    let (_, on) =
        server.api("PATCH", &format!("/connected_accounts/{ca}/status"), &key, Some(json!({"enabled": true}))).await;
    assert_eq!(on["status"], "ACTIVE");
    let (status, err) =
        server.api("PATCH", &format!("/connected_accounts/{ca}/status"), &key, Some(json!({"enabled": "yes"}))).await;
    assert!(message(status, &err, 400).contains("`enabled`"), "{err}");
    let (status, err) = server
        .api("PATCH", &format!("/connected_accounts/{linked}/status"), &key, Some(json!({"enabled": true})))
        .await;
    assert!(message(status, &err, 409).contains("INITIATED"), "{err}");

    let (status, deleted) = server.api("DELETE", &format!("/connected_accounts/{ca}"), &key, None).await;
    assert_eq!((status, deleted), (200, json!({"success": true, "revoke_job_id": null})));
    let (status, gone) = server.api("GET", &format!("/connected_accounts/{ca}"), &key, None).await;
    assert_eq!((status, gone["error"]["slug"].as_str()), (404, Some("ConnectedAccount_NotFound")));
}

#[tokio::test]
async fn execution_logs_are_listed_and_read() {
    let (server, key) = server().await;
    let ac = stripe_config(&server, &key).await;
    let body = json!({"auth_config": {"id": ac}, "connection": {"user_id": "ada", "state": {"authScheme": "API_KEY", "val": {"api_key": "sk_test_logs"}}}});
    server.api("POST", "/connected_accounts", &key, Some(body)).await;
    let (_, run) = server
        .api("POST", "/tools/execute/STRIPE_RETRIEVE_BALANCE", &key, Some(json!({"user_id": "ada", "arguments": {}})))
        .await;
    let log_id = run["log_id"].as_str().unwrap().to_owned();

    let (status, logs) = server.api("GET", "/logs/tools", &key, None).await;
    assert_eq!(status, 200, "{logs}");
    assert_eq!(logs["items"][0]["id"], log_id);
    let (_, filtered) = server.api("GET", "/logs/tools?user_id=bob", &key, None).await;
    assert_eq!(filtered["items"], json!([]));
    let (status, log) = server.api("GET", &format!("/logs/tools/{log_id}"), &key, None).await;
    assert_eq!(status, 200, "{log}");
    assert_eq!(
        (log["tool_slug"].as_str(), log["toolkit_slug"].as_str()),
        (Some("STRIPE_RETRIEVE_BALANCE"), Some("stripe"))
    );
    assert_eq!((log["successful"].as_bool(), log["status_code"].as_u64()), (Some(true), Some(200)));
    let (status, err) = server.api("GET", "/logs/tools?cursor=x", &key, None).await;
    assert!(message(status, &err, 400).contains("`cursor`"), "{err}");
    let (status, err) = server.api("GET", "/logs/tools/log_nope", &key, None).await;
    assert_eq!((status, err["error"]["slug"].as_str()), (404, Some("Log_NotFound")));
}
