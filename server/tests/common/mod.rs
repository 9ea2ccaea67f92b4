//! A server on loopback over the built-in catalog, and a client that calls it.
#![allow(clippy::unwrap_used, dead_code)]

use std::sync::Arc;
use std::time::SystemTime;

use serde_json::Value;
use toolsmith_core::{AuthConfigId, ConnectedAccountId, UserId};
use toolsmith_runtime::{Registry, ToolSearch};
use toolsmith_server::testing::MemoryProjects;
use toolsmith_server::{AppState, ProjectStores, ServerOptions};
use toolsmith_store::{
    AccountStatus, ApiKeySecret, AuthConfig, AuthConfigs, ConnectedAccount, ConnectedAccounts, Project, SqliteStore,
};

/// A running server.
pub(crate) struct Server {
    pub(crate) url: String,
    http: reqwest::Client,
}

impl Server {
    /// A server over `projects` and the built-in catalog.
    pub(crate) async fn start(projects: Arc<MemoryProjects>) -> Server {
        Server::start_with(projects, Vec::new()).await
    }

    /// The same, with toolkits' base URLs replaced (`toolkit → URL`, a local API).
    pub(crate) async fn start_with(projects: Arc<MemoryProjects>, base_urls: Vec<(String, String)>) -> Server {
        let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
        Server::start_on(registry, projects, base_urls).await
    }

    /// The same over another catalog (test toolkits).
    pub(crate) async fn start_on(
        registry: Registry,
        projects: Arc<MemoryProjects>,
        base_urls: Vec<(String, String)>,
    ) -> Server {
        Server::start_with_workbench(registry, projects, base_urls, None).await
    }

    /// The same, with a workbench (sessions' sandboxes and files).
    pub(crate) async fn start_with_workbench(
        registry: Registry,
        projects: Arc<MemoryProjects>,
        base_urls: Vec<(String, String)>,
        workbench: Option<Arc<toolsmith_workbench::Workbench>>,
    ) -> Server {
        Server::start_tuned(registry, projects, base_urls, |options| options.workbench = workbench).await
    }

    /// The same, with the server's options changed by `tune`.
    pub(crate) async fn start_tuned(
        registry: Registry,
        projects: Arc<MemoryProjects>,
        base_urls: Vec<(String, String)>,
        tune: impl FnOnce(&mut ServerOptions),
    ) -> Server {
        Server::start_over(registry, projects, base_urls, tune).await
    }

    /// The same over any projects (a PostgreSQL database's, in the cluster tests).
    pub(crate) async fn start_over(
        registry: Registry,
        projects: Arc<dyn ProjectStores>,
        base_urls: Vec<(String, String)>,
        tune: impl FnOnce(&mut ServerOptions),
    ) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut options = ServerOptions::new(url.parse().unwrap());
        tune(&mut options);
        let state = AppState::with_base_urls(Arc::new(ToolSearch::new(&registry)), projects, options, base_urls);
        tokio::spawn(toolsmith_server::serve(listener, state, std::future::pending()));
        Server { url, http: reqwest::Client::new() }
    }

    /// `(status, body, x-request-id)` of a request.
    pub(crate) async fn call(
        &self,
        method: &str,
        path: &str,
        key: Option<&ApiKeySecret>,
        body: Option<Value>,
    ) -> (u16, Value, Option<String>) {
        let mut request = self.http.request(method.parse().unwrap(), format!("{}{path}", self.url));
        if let Some(key) = key {
            request = request.header("x-api-key", key.expose());
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let id = response.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_owned());
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)), id)
    }

    /// `(status, body)` of a request with a key, under `/api/v3.1`.
    pub(crate) async fn api(&self, method: &str, path: &str, key: &ApiKeySecret, body: Option<Value>) -> (u16, Value) {
        let (status, body, _) = self.call(method, &format!("/api/v3.1{path}"), Some(key), body).await;
        (status, body)
    }
}

impl Server {
    /// An MCP request to `url` ([`mcp_post`]).
    pub(crate) async fn mcp(
        &self,
        url: &str,
        key: Option<&ApiKeySecret>,
        headers: &[(&str, &str)],
        body: Value,
    ) -> McpAnswer {
        mcp_post(&self.http, url, key, headers, body).await
    }

    /// A Connect Link of `config` for user `ada` through the REST API, returning to
    /// `callback`: `(account id, page URL)`.
    pub(crate) async fn link(&self, key: &ApiKeySecret, config: &str, callback: Option<&str>) -> (String, String) {
        let body = serde_json::json!({"auth_config_id": config, "user_id": "ada", "callback_url": callback});
        let (status, link) = self.api("POST", "/connected_accounts/link", key, Some(body)).await;
        assert_eq!(status, 200, "{link}");
        (link["connected_account_id"].as_str().unwrap().to_owned(), link["redirect_url"].as_str().unwrap().to_owned())
    }
}

/// An MCP answer: status, `Mcp-Session-Id`, the body (the JSON-RPC message of an SSE stream).
pub(crate) struct McpAnswer {
    pub(crate) status: u16,
    pub(crate) mcp_session: Option<String>,
    pub(crate) body: Value,
}

/// An MCP request (JSON-RPC `body`) to `url` with the key and `headers`.
pub(crate) async fn mcp_post(
    http: &reqwest::Client,
    url: &str,
    key: Option<&ApiKeySecret>,
    headers: &[(&str, &str)],
    body: Value,
) -> McpAnswer {
    let mut request = http
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(key) = key {
        request = request.header("x-api-key", key.expose());
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let mcp_session = response.headers().get("mcp-session-id").map(|v| v.to_str().unwrap().to_owned());
    McpAnswer { status, mcp_session, body: sse_message(&response.text().await.unwrap()) }
}

/// The JSON body, or the last JSON-RPC message of an SSE stream (`data: {…}` lines).
fn sse_message(text: &str) -> Value {
    if let Ok(value) = serde_json::from_str(text) {
        return value;
    }
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .next_back()
        .unwrap_or(Value::String(text.to_owned()))
}

/// Two projects, `other` then `acme` (a Connect Link must be found in whichever project
/// holds it), and `acme`'s key.
pub(crate) struct Acme {
    pub(crate) projects: Arc<MemoryProjects>,
    pub(crate) project: Project,
    pub(crate) key: ApiKeySecret,
}

impl Acme {
    pub(crate) fn new() -> Acme {
        let projects = Arc::new(MemoryProjects::default());
        projects.add("other");
        let (project, key) = projects.add("acme");
        Acme { projects, project, key }
    }

    /// `acme`'s store.
    pub(crate) fn store(&self) -> Arc<SqliteStore> {
        self.projects.store(&self.project).unwrap()
    }

    /// An account of `acme`.
    pub(crate) async fn account(&self, id: &str) -> toolsmith_store::ConnectedAccount {
        let id = toolsmith_core::ConnectedAccountId::parse(id).unwrap();
        self.store().account(&id).await.unwrap().unwrap()
    }
}

/// A local Stripe-like API: `GET /v1/balance` answers with the last six characters of the
/// key it was called with (the whole key would be redacted from the result); `GET /v1/slow`
/// answers after 3 s.
pub(crate) async fn stripe_api() -> String {
    use axum::http::HeaderMap;
    use axum::routing::get;
    async fn balance(headers: HeaderMap) -> axum::Json<Value> {
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let tail = auth.get(auth.len().saturating_sub(6)..).unwrap_or_default().to_owned();
        axum::Json(
            serde_json::json!({"object": "balance", "available": [{"amount": 42, "currency": "usd"}], "key_tail": tail}),
        )
    }
    async fn slow() -> axum::Json<Value> {
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        axum::Json(serde_json::json!({"slow": true}))
    }
    let app = axum::Router::new().route("/v1/balance", get(balance)).route("/v1/slow", get(slow));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// A local API whose `GET /me` records the `Authorization` header it got last.
pub(crate) async fn recording_api() -> (String, Arc<std::sync::Mutex<Option<String>>>) {
    use axum::http::HeaderMap;
    let seen = Arc::new(std::sync::Mutex::new(None));
    let sink = seen.clone();
    let me = move |headers: HeaderMap| {
        let sink = sink.clone();
        async move {
            *sink.lock().unwrap() = headers.get("authorization").map(|v| v.to_str().unwrap().to_owned());
            axum::Json(serde_json::json!({"name": "alice"}))
        }
    };
    let app = axum::Router::new().route("/me", axum::routing::get(me));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

/// A `demo` toolkit whose oauth2 scheme is the authorization server's at `issuer` (its
/// `/auth` and `/token`), with one tool, `DEMO_ME` (`GET /me`).
pub(crate) fn oauth_toolkit(issuer: &str) -> toolsmith_spec::Toolkit {
    serde_yaml::from_str(&format!(
        "{{ slug: demo, name: Demo, description: A demo toolkit for tests., version: 20261122_00, \
         base_url: 'https://api.example.com', auth: [{{ scheme: oauth2, authorization_url: '{issuer}/auth', \
         token_url: '{issuer}/token', scopes: {{ default: [openid, offline_access, 'api:read'] }}, \
         authorize_params: {{ prompt: consent }} }}], \
         tools: [{{ slug: DEMO_ME, name: Me, description: The signed-in user., http: {{ method: GET, path: /me }}, \
         input: {{ type: object, properties: {{}} }} }}] }}"
    ))
    .unwrap()
}

/// A local Stripe-like API whose `GET /v1/balance` accepts only the key `sk_test_good_4f9a`
/// (any other gets 401), and an app page at `/done` for a Connect Link to return to.
pub(crate) async fn checking_api() -> String {
    use axum::http::{HeaderMap, StatusCode};
    async fn balance(headers: HeaderMap) -> (StatusCode, &'static str) {
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if auth == "Bearer sk_test_good_4f9a" {
            (StatusCode::OK, r#"{"object":"balance"}"#)
        } else {
            (StatusCode::UNAUTHORIZED, r#"{"error":"Invalid API Key provided"}"#)
        }
    }
    let app = axum::Router::new()
        .route("/v1/balance", axum::routing::get(balance))
        .route("/done", axum::routing::get(|| async { "back in the app" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// An ACTIVE account of `user` for `toolkit` in `store`, with its own auth config.
pub(crate) async fn account(store: &SqliteStore, user: &str, toolkit: &str) -> ConnectedAccount {
    let now = SystemTime::now();
    let config = AuthConfig {
        id: AuthConfigId::generate(),
        toolkit: toolkit.into(),
        name: format!("{toolkit} config"),
        scheme: "bearer".into(),
        client_id: None,
        client_secret: None,
        scopes: vec![],
        disabled: false,
        created_at: now,
    };
    store.put_auth_config(&config).await.unwrap();
    let account = ConnectedAccount {
        id: ConnectedAccountId::generate(),
        user_id: UserId::new(user),
        toolkit: toolkit.into(),
        auth_config: config.id,
        status: AccountStatus::Active,
        status_reason: None,
        alias: None,
        fields: Default::default(),
        credentials: Default::default(),
        created_at: now,
        updated_at: now,
    };
    store.put_account(&account).await.unwrap();
    account
}

/// Hex HMAC-SHA256 of `message` under `key`: how GitHub, Slack and Stripe sign webhooks.
pub(crate) fn hmac_sha256_hex(key: &str, message: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}
