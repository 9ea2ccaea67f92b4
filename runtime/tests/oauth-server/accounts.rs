//! Accounts and an API for the OAuth refresh tests (`oauth_refresh.rs` on SQLite,
//! `oauth_refresh_postgres.rs` on PostgreSQL): the clients registered in `server.mjs`, an
//! auth config and an account holding given tokens, the `acme` toolkit whose one tool
//! calls a recording API with the account's bearer token.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use toolsmith::store::prelude::*;
use toolsmith::store::{AccountStatus, AuthConfig, ConnectedAccount, Credentials, OAuth2Tokens};
use toolsmith::{AuthConfigId, ConnectedAccountId, ToolkitSlug, UserId};

use crate::harness::Tokens;

/// The client of `server.mjs` that authenticates with HTTP Basic.
pub(crate) const BASIC: (&str, &str) = ("basic-client", "basic-client-secret-5b0e");
/// The client of `server.mjs` that authenticates in the body.
pub(crate) const POST: (&str, &str) = ("post-client", "post-client-secret-91c3");
/// The client of `server.mjs` for the client-credentials grant.
pub(crate) const MACHINE: (&str, &str) = ("machine-client", "machine-client-secret-e27a");

/// An auth config for `client` and an `ACTIVE` account holding `tokens`, expired
/// (`expires_at` one minute ago) unless `expires_at` says otherwise.
pub(crate) async fn connect(
    store: &Arc<dyn Store>,
    client: (&str, &str),
    tokens: &Tokens,
    expires_at: Option<SystemTime>,
) -> ConnectedAccount {
    let now = SystemTime::now();
    let config = AuthConfig {
        id: AuthConfigId::generate(),
        toolkit: ToolkitSlug::new("acme"),
        name: "Acme (test)".into(),
        scheme: "oauth2".into(),
        client_id: Some(client.0.into()),
        client_secret: Some(SecretString::from(client.1)),
        scopes: vec![],
        disabled: false,
        created_at: now,
    };
    store.put_auth_config(&config).await.unwrap();
    let account = ConnectedAccount {
        id: ConnectedAccountId::generate(),
        user_id: UserId::new("alice"),
        toolkit: ToolkitSlug::new("acme"),
        auth_config: config.id,
        status: AccountStatus::Active,
        status_reason: None,
        alias: None,
        fields: BTreeMap::from([("subdomain".to_owned(), "acme".to_owned())]),
        credentials: Credentials {
            secrets: BTreeMap::new(),
            oauth2: Some(OAuth2Tokens {
                access_token: SecretString::from(tokens.access_token.clone()),
                refresh_token: tokens.refresh_token.clone().map(SecretString::from),
                token_type: "Bearer".into(),
                expires_at,
                scopes: vec!["api:read".into()],
            }),
        },
        created_at: now - Duration::from_secs(7200),
        updated_at: now - Duration::from_secs(7200),
    };
    store.put_account(&account).await.unwrap();
    account
}

pub(crate) fn expired() -> Option<SystemTime> {
    Some(SystemTime::now() - Duration::from_secs(60))
}

pub(crate) fn access(account: &ConnectedAccount) -> String {
    account.credentials.oauth2.as_ref().unwrap().access_token.expose_secret().to_owned()
}

/// An API that accepts any bearer token except the rejected ones, and records the
/// tokens it was called with.
pub(crate) struct Api {
    pub(crate) origin: String,
    pub(crate) seen: Arc<std::sync::Mutex<Vec<String>>>,
    pub(crate) rejected: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Api {
    pub(crate) async fn start(rejected: Vec<String>) -> Api {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let rejected = Arc::new(std::sync::Mutex::new(rejected));
        let (s, r) = (seen.clone(), rejected.clone());
        let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
            let (seen, rejected) = (s.clone(), r.clone());
            async move {
                let token = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .unwrap_or_default()
                    .to_owned();
                seen.lock().unwrap().push(token.clone());
                if token.is_empty() || rejected.lock().unwrap().contains(&token) {
                    (axum::http::StatusCode::UNAUTHORIZED, "{\"message\": \"Bad credentials\"}")
                } else {
                    (axum::http::StatusCode::OK, "{\"login\": \"alice\"}")
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Api { origin, seen, rejected }
    }
}

/// The `acme` toolkit: oauth2 against `token_url` (HTTP Basic client auth), one tool
/// `ACME_GET_ME` that GETs `/me` of `api`.
pub(crate) fn acme_toolkit(api: &str, token_url: &str) -> Arc<toolsmith::Toolkit> {
    let toolkit: toolsmith::Toolkit = serde_json::from_value(serde_json::json!({
        "slug": "acme", "name": "Acme", "description": "An API protected by the test's authorization server.",
        "version": "20261122_00", "base_url": api,
        "auth": [{ "scheme": "oauth2", "token_url": token_url, "authorization_url": "http://127.0.0.1/authorize",
                   "client_auth": "basic" }],
        "tools": [{ "slug": "ACME_GET_ME", "name": "Get me", "description": "Reads the authenticated user's profile.",
                    "http": { "method": "GET", "path": "/me" }, "input": { "type": "object" } }],
    }))
    .unwrap();
    Arc::new(toolkit)
}

/// Runs `n` executions of `toolkit`'s first tool for `user` at once, execution `i` on
/// `clients[i % clients.len()]`; each must succeed with the API's answer.
pub(crate) async fn execute_concurrently(
    clients: &[toolsmith::Client],
    toolkit: &Arc<toolsmith::Toolkit>,
    user: &UserId,
    n: usize,
) {
    let calls: Vec<_> = (0..n)
        .map(|i| {
            let (client, toolkit, user) = (clients[i % clients.len()].clone(), toolkit.clone(), user.clone());
            tokio::spawn(async move {
                let options = toolsmith::CallOptions::default();
                client.execute_tool(&toolkit, &toolkit.tools[0], &user, &serde_json::json!({}), &options).await
            })
        })
        .collect();
    for call in calls {
        let result = call.await.unwrap();
        assert!(result.successful, "{result:?}");
        assert_eq!(result.data, serde_json::json!({"login": "alice"}));
    }
}
