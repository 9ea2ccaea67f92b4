//! `/metrics` counts OAuth 2.0 token requests: an expired access token is refreshed at a
//! local token endpoint during a call, and `toolsmith_token_refreshes_total` says so.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::routing::{get, post};
use secrecy::SecretString;
use serde_json::json;
use toolsmith_core::{AuthConfigId, ConnectedAccountId, UserId};
use toolsmith_runtime::{Registry, ToolSearch};
use toolsmith_server::testing::MemoryProjects;
use toolsmith_server::{AppState, ServerOptions};
use toolsmith_store::{AccountStatus, AuthConfig, ConnectedAccount, Credentials, OAuth2Tokens};

#[tokio::test]
async fn token_refreshes_are_counted() {
    // The API accepts only the refreshed token; the token endpoint hands it out.
    let app = axum::Router::new()
        .route(
            "/ping",
            get(|headers: axum::http::HeaderMap| async move {
                let ok = headers.get("authorization").is_some_and(|v| v == "Bearer fresh-token");
                (
                    if ok { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNAUTHORIZED },
                    axum::Json(json!({"pong": ok})),
                )
            }),
        )
        .route(
            "/token",
            post(|| async {
                axum::Json(json!({"access_token": "fresh-token", "token_type": "bearer", "expires_in": 3600}))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let toolkit: toolsmith_spec::Toolkit = serde_yaml::from_str(&format!(
        r#"
slug: refreshy
name: Refreshy
description: A toolkit whose OAuth 2.0 tokens are refreshed by the test's token endpoint.
version: 20261122_00
base_url: "{api}"
auth: [{{ scheme: oauth2, authorization_url: "{api}/authorize", token_url: "{api}/token" }}]
tools:
  - {{ slug: REFRESHY_PING, name: Ping, description: Answers pong with a valid token., http: {{ method: GET, path: /ping }}, input: {{ type: object }} }}
"#
    ))
    .unwrap();
    let registry = Registry::from_toolkits(vec![toolkit.clone()]);

    let projects = Arc::new(MemoryProjects::default());
    let (project, key) = projects.add("acme");
    let store = projects.store(&project).unwrap();
    let config = AuthConfig {
        id: AuthConfigId::generate(),
        toolkit: toolkit.slug.clone(),
        name: "Refreshy app".into(),
        scheme: "oauth2".into(),
        client_id: Some("client".into()),
        client_secret: Some(SecretString::from("client-secret")),
        scopes: vec![],
        disabled: false,
        created_at: SystemTime::now(),
    };
    use toolsmith_store::prelude::*;
    store.put_auth_config(&config).await.unwrap();
    let now = SystemTime::now();
    store
        .put_account(&ConnectedAccount {
            id: ConnectedAccountId::generate(),
            user_id: UserId::new("ada"),
            toolkit: toolkit.slug.clone(),
            auth_config: config.id.clone(),
            status: AccountStatus::Active,
            status_reason: None,
            alias: None,
            fields: Default::default(),
            credentials: Credentials {
                secrets: Default::default(),
                oauth2: Some(OAuth2Tokens {
                    access_token: SecretString::from("stale-token"),
                    refresh_token: Some(SecretString::from("refresh-me")),
                    token_type: "bearer".into(),
                    expires_at: Some(now - Duration::from_secs(60)),
                    scopes: vec![],
                }),
            },
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(Arc::new(ToolSearch::new(&registry)), projects, ServerOptions::new(url.parse().unwrap()));
    tokio::spawn(toolsmith_server::serve(listener, state, std::future::pending()));
    let http = reqwest::Client::new();
    let result: serde_json::Value = http
        .post(format!("{url}/api/v3.1/tools/execute/REFRESHY_PING"))
        .header("x-api-key", key.expose())
        .json(&json!({"user_id": "ada", "arguments": {}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(result["successful"], true, "{result}");
    let metrics = http.get(format!("{url}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"toolsmith_token_refreshes_total{outcome="renewed"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"toolsmith_token_refreshes_total{outcome="failed"} 0"#), "{metrics}");
}
