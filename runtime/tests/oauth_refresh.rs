//! OAuth 2.0 token refresh (`toolsmith::auth::oauth2::TokenManager`) against a real
//! authorization server (oidc-provider 9.13.3 under Node, `tests/oauth-server/`) and small
//! axum token endpoints, with accounts in the SQLite store.
//!
//! Needs Node 20+ and npm; `npm ci` runs in `tests/oauth-server` when its dependencies
//! are missing. Every server listens on 127.0.0.1.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

#[path = "oauth-server/accounts.rs"]
mod accounts;
#[path = "oauth-server/harness.rs"]
mod harness;
mod losing_store;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use accounts::{access, acme_toolkit, connect, execute_concurrently, expired, Api, BASIC, MACHINE, POST};
use harness::{AuthServer, FakeEndpoint, Received, Tokens};
use losing_store::LosingStore;
use secrecy::{ExposeSecret, SecretString};
use toolsmith::auth::oauth2::{RefreshOptions, TokenError, TokenManager};
use toolsmith::catalog::OAuth2;
use toolsmith::store::prelude::*;
use toolsmith::store::{AccountStatus, ConnectedAccount, KeyRing, SqliteStore};
use toolsmith::{ConnectedAccountId, UserId};

/// A fresh folder under the system temp dir.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("toolsmith-oauth-{name}-{}", ConnectedAccountId::generate()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A SQLite store in `dir`; handles opened with the same `key` share the file.
fn store(dir: &std::path::Path, key: &SecretString) -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(dir.join("toolsmith.db"), KeyRing::from_base64(key.expose_secret()).unwrap()).unwrap())
}

fn new_key() -> SecretString {
    KeyRing::generate_key().unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The `acme` toolkit's oauth2 scheme with these extra keys.
fn scheme(token_url: &str, extra: serde_json::Value) -> OAuth2 {
    let mut spec = serde_json::json!({ "token_url": token_url, "authorization_url": "http://127.0.0.1/authorize" });
    spec.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    serde_json::from_value(spec).unwrap()
}

fn refresh(account: &ConnectedAccount) -> Option<String> {
    account.credentials.oauth2.as_ref().unwrap().refresh_token.as_ref().map(|t| t.expose_secret().to_owned())
}

async fn stored(store: &Arc<dyn Store>, id: &ConnectedAccountId) -> ConnectedAccount {
    store.account(id).await.unwrap().unwrap()
}

/// The accounts named by the `composio.connected_account.expired` events recorded for the
/// app's webhook, one entry per event.
async fn expiries(store: &Arc<dyn Store>) -> Vec<String> {
    let events = store.trigger_events_after(None, 100).await.unwrap();
    let expired = events.into_iter().filter(|e| e.kind == toolsmith::store::TriggerEventType::AccountExpired);
    expired.map(|e| e.envelope["data"]["id"].as_str().unwrap().to_owned()).collect()
}

/// Runs `n` concurrent `ensure_fresh` calls on `account` and returns the access tokens.
async fn concurrently(tokens: &TokenManager, scheme: &OAuth2, account: &ConnectedAccount, n: usize) -> Vec<String> {
    let calls = (0..n).map(|_| {
        let (tokens, scheme, account) = (tokens.clone(), scheme.clone(), account.clone());
        tokio::spawn(async move { tokens.ensure_fresh(&scheme, account).await })
    });
    let mut out = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        out.push(access(&call.await.unwrap().unwrap()));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_token_request_for_100_concurrent_callers() {
    harness::capture_logs();
    let server = AuthServer::start().await;
    let initial = server.authorize(BASIC.0, BASIC.1, true).await;
    assert_eq!(initial.expires_in, Some(60), "the server's access tokens live 60 s");
    let dir = temp_dir("single-flight");
    let store = store(&dir, &new_key());
    let account = connect(&store, BASIC, &initial, expired()).await;
    let scheme = scheme(&server.token_url(), serde_json::json!({ "client_auth": "basic" }));
    let tokens = TokenManager::new(store.clone(), http());
    let before = server.token_requests().await;

    let results = concurrently(&tokens, &scheme, &account, 100).await;

    assert_eq!(server.token_requests().await - before, 1, "exactly one refresh at the server");
    assert_eq!(results.len(), 100);
    assert!(results.iter().all(|t| *t == results[0]), "all callers got the same token");
    assert_ne!(results[0], initial.access_token);
    let saved = stored(&store, &account.id).await;
    assert_eq!(access(&saved), results[0], "the store holds the new token");
    let rotated = refresh(&saved).unwrap();
    assert_ne!(Some(&rotated), initial.refresh_token.as_ref(), "the rotated refresh token is stored");
    let expires_at = saved.credentials.oauth2.as_ref().unwrap().expires_at.unwrap();
    let left = expires_at.duration_since(SystemTime::now()).unwrap();
    assert!(left > Duration::from_secs(50) && left <= Duration::from_secs(60), "expires_at from expires_in: {left:?}");
    assert_eq!(saved.status, AccountStatus::Active);

    // Fresh now: used as is. A 401 with the old token: another caller replaced it already.
    let before = server.token_requests().await;
    let same = tokens.ensure_fresh(&scheme, saved.clone()).await.unwrap();
    assert_eq!(access(&same), results[0]);
    let replaced = tokens.refresh_rejected(&scheme, &account).await.unwrap();
    assert_eq!(access(&replaced), results[0]);
    assert_eq!(server.token_requests().await, before, "no request for a fresh or already replaced token");

    // A 401 with the current token: one refresh shared by concurrent callers.
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let (tokens, scheme, saved) = (tokens.clone(), scheme.clone(), saved.clone());
            tokio::spawn(async move { tokens.refresh_rejected(&scheme, &saved).await })
        })
        .collect();
    let mut after_401 = Vec::new();
    for call in calls {
        after_401.push(access(&call.await.unwrap().unwrap()));
    }
    assert_eq!(server.token_requests().await - before, 1);
    assert!(after_401.iter().all(|t| *t == after_401[0] && *t != results[0]));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_database_share_one_refresh() {
    harness::capture_logs();
    let server = AuthServer::start().await;
    let initial = server.authorize(POST.0, POST.1, false).await;
    let (dir, key) = (temp_dir("two-processes"), new_key());
    // Two handles on the same file, two managers (two lease holders): two "processes".
    let (store_a, store_b) = (store(&dir, &key), store(&dir, &key));
    let account = connect(&store_a, POST, &initial, expired()).await;
    let scheme = scheme(&server.token_url(), serde_json::json!({ "client_auth": "body" }));
    let a = TokenManager::new(store_a.clone(), http());
    let b = TokenManager::new(store_b.clone(), http());
    assert_ne!(a.holder(), b.holder());
    let before = server.token_requests().await;

    let (from_a, from_b) =
        tokio::join!(concurrently(&a, &scheme, &account, 50), concurrently(&b, &scheme, &account, 50));

    assert_eq!(server.token_requests().await - before, 1, "one refresh across both processes");
    let all: Vec<_> = from_a.iter().chain(&from_b).collect();
    assert!(all.iter().all(|t| *t == all[0]) && *all[0] != initial.access_token);
    assert_eq!(access(&stored(&store_b, &account.id).await), *all[0]);
    // The lease was released: anyone can take it now.
    assert!(store_b.try_lock_refresh(&account.id, "someone-else", Duration::from_secs(1)).await.unwrap());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reused_refresh_token_expires_the_account() {
    harness::capture_logs();
    let server = AuthServer::start().await;
    let initial = server.authorize(BASIC.0, BASIC.1, true).await;
    // Someone else refreshes first: the stored refresh token is now spent, and reusing it
    // revokes the whole grant.
    server.refresh_directly(BASIC.0, BASIC.1, initial.refresh_token.as_deref().unwrap()).await;
    let dir = temp_dir("invalid-grant");
    let store = store(&dir, &new_key());
    let account = connect(&store, BASIC, &initial, expired()).await;
    let scheme = scheme(&server.token_url(), serde_json::json!({}));
    let tokens = TokenManager::new(store.clone(), http());

    let err = tokens.ensure_fresh(&scheme, account.clone()).await.unwrap_err();

    assert!(matches!(err, TokenError::ReconnectRequired { .. }), "{err:?}");
    assert!(!err.is_retryable());
    let message = err.to_string();
    for part in [
        account.id.as_str(),
        "acme",
        "alice",
        "invalid_grant",
        "toolsmith accounts connect --user alice --toolkit acme",
    ] {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }
    let saved = stored(&store, &account.id).await;
    assert_eq!(saved.status, AccountStatus::Expired);
    let reason = saved.status_reason.unwrap();
    assert!(reason.starts_with("invalid_grant"), "{reason}");
    assert_eq!(expiries(&store).await, [account.id.as_str()], "the app is told once");

    // Now the account is EXPIRED: refused without asking the server.
    let before = server.token_requests().await;
    let again = tokens.ensure_fresh(&scheme, stored(&store, &account.id).await).await.unwrap_err();
    assert!(matches!(again, TokenError::NotActive { status: AccountStatus::Expired, .. }), "{again:?}");
    assert!(again.to_string().contains("toolsmith accounts connect --user alice --toolkit acme"));
    // A stale copy that still says ACTIVE: the store's status wins.
    let stale = tokens.ensure_fresh(&scheme, account.clone()).await.unwrap_err();
    assert!(matches!(stale, TokenError::NotActive { .. }), "{stale:?}");
    assert_eq!(server.token_requests().await, before);
    assert_eq!(expiries(&store).await, [account.id.as_str()], "refusals of an expired account are no new expiry");

    // No refresh token at all: also a reconnect.
    let no_refresh = Tokens { access_token: "at-without-rt".into(), refresh_token: None, expires_in: None };
    let lonely = connect(&store, BASIC, &no_refresh, expired()).await;
    let err = tokens.ensure_fresh(&scheme, lonely.clone()).await.unwrap_err();
    assert!(matches!(err, TokenError::ReconnectRequired { .. }), "{err:?}");
    assert!(err.to_string().contains("no refresh token"), "{err}");
    assert_eq!(stored(&store, &lonely.id).await.status, AccountStatus::Expired);
    assert_eq!(server.token_requests().await, before);
    assert_eq!(expiries(&store).await, [account.id.as_str(), lonely.id.as_str()]);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_endpoint_failures_leave_the_account_active() {
    harness::capture_logs();
    let unavailable = FakeEndpoint::start(
        Duration::ZERO,
        Arc::new(|_: &Received| (503, "text/html", "<h1>Service Unavailable</h1>".to_owned())),
    )
    .await;
    let busy = FakeEndpoint::start(
        Duration::ZERO,
        Arc::new(|_: &Received| (503, "application/json", r#"{"error":"temporarily_unavailable"}"#.to_owned())),
    )
    .await;
    let garbage =
        FakeEndpoint::start(Duration::ZERO, Arc::new(|_: &Received| (200, "text/html", "<html/>".to_owned()))).await;
    let no_token = FakeEndpoint::start(
        Duration::ZERO,
        Arc::new(|_: &Received| (200, "application/json", r#"{"token_type":"Bearer"}"#.to_owned())),
    )
    .await;
    let slow = FakeEndpoint::start(
        Duration::from_secs(5),
        Arc::new(|_: &Received| (200, "application/json", r#"{"access_token":"late"}"#.to_owned())),
    )
    .await;
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let dir = temp_dir("transient");
    let store = store(&dir, &new_key());
    let options = RefreshOptions { request_timeout: Duration::from_millis(500), ..RefreshOptions::default() };
    let tokens = TokenManager::with_options(store.clone(), http(), options);
    let initial =
        Tokens { access_token: "old-access".into(), refresh_token: Some("old-refresh".into()), expires_in: None };

    let cases = [
        (format!("{}/token", unavailable.base), "HTTP 503"),
        (format!("{}/token", busy.base), "temporarily_unavailable"),
        (format!("{}/token", garbage.base), "not a token response"),
        (format!("{}/token", no_token.base), "no access_token"),
        (format!("{}/token", slow.base), "did not answer within"),
        (format!("{refused}/token"), "could not connect"),
    ];
    for (url, expected) in cases {
        let account = connect(&store, BASIC, &initial, expired()).await;
        let scheme = scheme(&url, serde_json::json!({}));
        let err = tokens.ensure_fresh(&scheme, account.clone()).await.unwrap_err();
        assert!(matches!(err, TokenError::Unavailable { .. }), "{url}: {err:?}");
        assert!(err.is_retryable());
        assert!(err.to_string().contains(expected), "{url}: `{expected}` missing from: {err}");
        assert!(err.to_string().contains(account.id.as_str()), "{err}");
        let saved = stored(&store, &account.id).await;
        assert_eq!(saved.status, AccountStatus::Active, "{url}");
        assert_eq!((access(&saved), refresh(&saved)), ("old-access".to_owned(), Some("old-refresh".to_owned())));
        assert!(store.try_lock_refresh(&account.id, "other", Duration::from_secs(1)).await.unwrap(), "lease released");
    }
    // Refusals that reconnecting does not fix: the account is unchanged, not retryable.
    let redirecting = FakeEndpoint::start(
        Duration::ZERO,
        Arc::new(|_: &Received| (307, "text/plain", "https://elsewhere.example/token?x=1".to_owned())),
    )
    .await;
    let bad_scope = FakeEndpoint::start(
        Duration::ZERO,
        Arc::new(|_: &Received| (400, "application/json", r#"{"error":"invalid_scope"}"#.to_owned())),
    )
    .await;
    for (base, expected) in [
        (&redirecting.base, "redirected (307) to `https://elsewhere.example/token`"),
        (&bad_scope.base, "invalid_scope"),
    ] {
        let account = connect(&store, BASIC, &initial, expired()).await;
        let scheme = scheme(&format!("{base}/token"), serde_json::json!({}));
        let err = tokens.ensure_fresh(&scheme, account.clone()).await.unwrap_err();
        assert!(matches!(err, TokenError::Refused { .. }) && !err.is_retryable(), "{err:?}");
        assert!(err.to_string().contains(expected), "`{expected}` missing from: {err}");
        let saved = stored(&store, &account.id).await;
        assert_eq!((saved.status, access(&saved)), (AccountStatus::Active, "old-access".to_owned()));
    }
    assert_eq!(redirecting.requests().len(), 1, "the redirect was not followed");

    // A failure is not remembered: the next call asks again.
    let account = connect(&store, BASIC, &initial, expired()).await;
    let scheme = scheme(&format!("{}/token", unavailable.base), serde_json::json!({}));
    let before = unavailable.requests().len();
    for _ in 0..2 {
        tokens.ensure_fresh(&scheme, account.clone()).await.unwrap_err();
    }
    assert_eq!(unavailable.requests().len() - before, 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_without_refresh_token_keep_the_old_one_and_requests_follow_the_scheme() {
    harness::capture_logs();
    let endpoint = FakeEndpoint::start(
        Duration::ZERO,
        Arc::new(|r: &Received| {
            let n = r.body.len();
            (
                200,
                "application/json; charset=utf-8",
                format!(r#"{{"access_token":"new-access-{n}","token_type":"bearer","expires_in":"3600"}}"#),
            )
        }),
    )
    .await;
    let dir = temp_dir("keep-refresh");
    let store = store(&dir, &new_key());
    let tokens = TokenManager::new(store.clone(), http());
    let initial =
        Tokens { access_token: "old-access".into(), refresh_token: Some("old-refresh".into()), expires_in: None };

    // Form body, client secret in HTTP basic, refresh URL templated from the account's
    // fields, extra token parameters (the grant's own cannot be overridden).
    let basic = scheme(
        &format!("{}/token", endpoint.base),
        serde_json::json!({
            "refresh_url": format!("{}/{{subdomain}}/refresh", endpoint.base),
            "client_auth": "basic",
            "token_params": { "audience": "api", "grant_type": "password" }
        }),
    );
    let account = connect(&store, BASIC, &initial, expired()).await;
    let renewed = tokens.ensure_fresh(&basic, account.clone()).await.unwrap();
    let saved = stored(&store, &account.id).await;
    assert!(access(&saved).starts_with("new-access-"));
    assert_eq!(access(&saved), access(&renewed));
    assert_eq!(refresh(&saved).as_deref(), Some("old-refresh"), "the old refresh token is kept");
    let saved_tokens = saved.credentials.oauth2.as_ref().unwrap();
    assert_eq!(saved_tokens.token_type, "Bearer");
    assert_eq!(saved_tokens.scopes, ["api:read"], "scopes kept when the answer has none");
    let left = saved_tokens.expires_at.unwrap().duration_since(SystemTime::now()).unwrap();
    assert!(left > Duration::from_secs(3590) && left <= Duration::from_secs(3600), "{left:?}");
    let request = endpoint.requests().pop().unwrap();
    assert_eq!(request.path, "/acme/refresh");
    assert_eq!(request.content_type.as_deref(), Some("application/x-www-form-urlencoded"));
    use base64::Engine as _;
    let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", BASIC.0, BASIC.1));
    assert_eq!(request.authorization, Some(format!("Basic {credentials}")));
    let form: BTreeMap<String, String> =
        oauth2::url::form_urlencoded::parse(request.body.as_bytes()).into_owned().collect();
    assert_eq!(
        form,
        BTreeMap::from([
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            ("refresh_token".to_owned(), "old-refresh".to_owned()),
            ("audience".to_owned(), "api".to_owned()),
        ])
    );

    // JSON body with the client's credentials in it.
    let json =
        scheme(&format!("{}/token", endpoint.base), serde_json::json!({ "client_auth": "body", "token_body": "json" }));
    let account = connect(&store, POST, &initial, expired()).await;
    tokens.ensure_fresh(&json, account.clone()).await.unwrap();
    let request = endpoint.requests().pop().unwrap();
    assert_eq!(request.path, "/token");
    assert_eq!(request.content_type.as_deref(), Some("application/json"));
    assert_eq!(request.authorization, None);
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "grant_type": "refresh_token", "refresh_token": "old-refresh",
            "client_id": POST.0, "client_secret": POST.1
        })
    );

    // A token without expiry is used as is until the API rejects it.
    let forever = connect(&store, BASIC, &initial, None).await;
    let before = endpoint.requests().len();
    let same = tokens.ensure_fresh(&basic, forever.clone()).await.unwrap();
    assert_eq!(access(&same), "old-access");
    assert_eq!(endpoint.requests().len(), before);
    let after_401 = tokens.refresh_rejected(&basic, &forever).await.unwrap();
    assert!(access(&after_401).starts_with("new-access-"));
    assert_eq!(endpoint.requests().len(), before + 1);

    // A missing field of a templated URL is a configuration error, without a request.
    let mut unfielded = connect(&store, BASIC, &initial, expired()).await;
    unfielded.fields.clear();
    store.put_account(&unfielded).await.unwrap();
    let err = tokens.ensure_fresh(&basic, unfielded).await.unwrap_err();
    assert!(matches!(err, TokenError::Config { .. }) && err.to_string().contains("`subdomain`"), "{err}");
    assert_eq!(endpoint.requests().len(), before + 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn client_credentials_grant() {
    harness::capture_logs();
    let server = AuthServer::start().await;
    let dir = temp_dir("client-credentials");
    let store = store(&dir, &new_key());
    let scheme = scheme(
        &server.token_url(),
        serde_json::json!({ "grant": "client_credentials", "scopes": { "default": ["api:read", "api:write"] } }),
    );
    let tokens = TokenManager::new(store.clone(), http());
    // A machine account being connected: INITIATED, no tokens yet.
    let placeholder = Tokens { access_token: "unused".into(), refresh_token: None, expires_in: None };
    let mut account = connect(&store, MACHINE, &placeholder, None).await;
    account.status = AccountStatus::Initiated;
    account.credentials.oauth2 = None;
    store.put_account(&account).await.unwrap();
    let err = tokens.ensure_fresh(&scheme, account.clone()).await.unwrap_err();
    assert!(matches!(err, TokenError::NotActive { status: AccountStatus::Initiated, .. }), "{err:?}");
    let before = server.token_requests().await;

    let connected = tokens.client_credentials(&scheme, account.clone()).await.unwrap();

    assert_eq!(server.token_requests().await - before, 1);
    assert_eq!(connected.status, AccountStatus::Active);
    let granted = connected.credentials.oauth2.as_ref().unwrap();
    assert_eq!(granted.scopes, ["api:read", "api:write"]);
    assert!(granted.refresh_token.is_none() && granted.expires_at.is_some());
    assert_eq!(access(&stored(&store, &account.id).await), access(&connected));

    // Fresh: no request. Expired: one request for 20 concurrent callers.
    assert_eq!(access(&tokens.ensure_fresh(&scheme, connected.clone()).await.unwrap()), access(&connected));
    assert_eq!(server.token_requests().await - before, 1);
    let mut stale = stored(&store, &account.id).await;
    stale.credentials.oauth2.as_mut().unwrap().expires_at = expired();
    store.put_account(&stale).await.unwrap();
    let results = concurrently(&tokens, &scheme, &stale, 20).await;
    assert_eq!(server.token_requests().await - before, 2);
    assert!(results.iter().all(|t| *t == results[0] && *t != access(&connected)));
    // After a 401: a new token.
    let current = stored(&store, &account.id).await;
    let replaced = tokens.refresh_rejected(&scheme, &current).await.unwrap();
    assert_ne!(access(&replaced), access(&current));
    assert_eq!(server.token_requests().await - before, 3);

    // A wrong client secret: invalid_client, the account is EXPIRED.
    let mut config = store.auth_config(&account.auth_config).await.unwrap().unwrap();
    config.client_secret = Some(SecretString::from("wrong-secret-77"));
    store.put_auth_config(&config).await.unwrap();
    let err = tokens.refresh_rejected(&scheme, &replaced).await.unwrap_err();
    assert!(matches!(err, TokenError::ReconnectRequired { .. }) && err.to_string().contains("invalid_client"), "{err}");
    assert_eq!(stored(&store, &account.id).await.status, AccountStatus::Expired);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_token_or_secret_in_logs_or_errors() {
    harness::capture_logs();
    let server = AuthServer::start().await;
    let dir = temp_dir("no-secrets");
    let store = store(&dir, &new_key());
    let tokens = TokenManager::new(store.clone(), http());
    let scheme_oidc = scheme(&server.token_url(), serde_json::json!({}));
    let mut secrets: Vec<String> = vec![BASIC.1.into(), POST.1.into(), MACHINE.1.into()];
    let mut errors: Vec<String> = Vec::new();
    let mut record = |err: TokenError| errors.push(format!("{err} | {err:?} | {:?}", std::error::Error::source(&err)));

    // A successful refresh, then invalid_grant when the spent refresh token is reused.
    let initial = server.authorize(BASIC.0, BASIC.1, true).await;
    secrets.extend([initial.access_token.clone(), initial.refresh_token.clone().unwrap()]);
    let account = connect(&store, BASIC, &initial, expired()).await;
    let renewed = tokens.ensure_fresh(&scheme_oidc, account.clone()).await.unwrap();
    secrets.extend([access(&renewed), refresh(&renewed).unwrap()]);
    let reused = connect(&store, BASIC, &initial, expired()).await;
    record(tokens.ensure_fresh(&scheme_oidc, reused).await.unwrap_err());
    record(tokens.refresh_rejected(&scheme_oidc, &renewed).await.unwrap_err());

    // A token endpoint that echoes the request (credentials included) in its errors.
    let echo = FakeEndpoint::start(
        Duration::ZERO,
        Arc::new(|r: &Received| {
            let echoed = format!("{} {}", r.body, r.authorization.clone().unwrap_or_default());
            (
                400,
                "application/json",
                serde_json::json!({ "error": "invalid_request", "error_description": echoed }).to_string(),
            )
        }),
    )
    .await;
    let echo_basic = FakeEndpoint::start(
        Duration::ZERO,
        Arc::new(|r: &Received| {
            let text = format!("refresh failed for {}", r.body);
            (
                401,
                "application/json",
                serde_json::json!({ "error": "invalid_grant", "error_description": text }).to_string(),
            )
        }),
    )
    .await;
    let server_error = FakeEndpoint::start(
        Duration::ZERO,
        Arc::new(|r: &Received| (500, "text/plain", format!("crash while handling {}", r.body))),
    )
    .await;
    let shared = Tokens {
        access_token: "echo-access-token-3f9a".into(),
        refresh_token: Some("echo-refresh-token-c1d2".into()),
        expires_in: None,
    };
    secrets.extend([shared.access_token.clone(), shared.refresh_token.clone().unwrap()]);
    for (base, auth) in
        [(&echo.base, "body"), (&echo.base, "basic"), (&echo_basic.base, "body"), (&server_error.base, "body")]
    {
        let scheme = scheme(&format!("{base}/token"), serde_json::json!({ "client_auth": auth }));
        let account = connect(&store, POST, &shared, expired()).await;
        record(tokens.ensure_fresh(&scheme, account).await.unwrap_err());
    }
    assert!(errors.iter().any(|e| e.contains("invalid_request") && e.contains("[redacted]")), "{errors:#?}");

    let logs = harness::captured();
    assert!(logs.contains("OAuth 2.0 tokens renewed"), "the capture works:\n{logs}");
    assert!(logs.contains("the account is now EXPIRED"), "{logs}");
    let debug = format!("{tokens:?} {:?}", stored(&store, &account.id).await);
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "a secret is in the logs:\n{logs}");
        assert!(!debug.contains(secret.as_str()), "a secret is in Debug output: {debug}");
        for error in &errors {
            assert!(!error.contains(secret.as_str()), "a secret is in an error: {error}");
        }
    }
    use base64::Engine as _;
    let basic_header = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", POST.0, POST.1));
    assert!(!logs.contains(&basic_header) && errors.iter().all(|e| !e.contains(&basic_header)));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leases_held_elsewhere_and_leases_lost() {
    harness::capture_logs();
    let endpoint = FakeEndpoint::start(
        Duration::ZERO,
        Arc::new(|_: &Received| {
            (
                200,
                "application/json",
                r#"{"access_token":"ours","refresh_token":"ours-rt","expires_in":3600}"#.to_owned(),
            )
        }),
    )
    .await;
    let dir = temp_dir("leases");
    let store = store(&dir, &new_key());
    let scheme = scheme(&format!("{}/token", endpoint.base), serde_json::json!({}));
    let initial =
        Tokens { access_token: "old-access".into(), refresh_token: Some("old-refresh".into()), expires_in: None };
    let short = RefreshOptions { lease_ttl: Duration::from_millis(300), ..RefreshOptions::default() };
    let tokens = TokenManager::with_options(store.clone(), http(), short.clone());

    // Another process holds the lease and does not finish within 1.2 × the lease time.
    let account = connect(&store, BASIC, &initial, expired()).await;
    assert!(store.try_lock_refresh(&account.id, "stuck-process", Duration::from_secs(60)).await.unwrap());
    let started = std::time::Instant::now();
    let err = tokens.ensure_fresh(&scheme, account.clone()).await.unwrap_err();
    assert!(matches!(err, TokenError::Unavailable { .. }) && err.to_string().contains("refresh lease"), "{err}");
    assert!(started.elapsed() >= Duration::from_millis(360), "waited {:?}", started.elapsed());
    // …but a token that expires soon without having expired is still good to use.
    let soon = connect(&store, BASIC, &initial, Some(SystemTime::now() + Duration::from_secs(20))).await;
    assert!(store.try_lock_refresh(&soon.id, "stuck-process", Duration::from_secs(60)).await.unwrap());
    assert_eq!(access(&tokens.ensure_fresh(&scheme, soon).await.unwrap()), "old-access");
    assert!(endpoint.requests().is_empty(), "no token request without the lease");

    // The lease was lost and nobody stored anything: our new tokens are stored anyway (the
    // old refresh token may be spent).
    let account = connect(&store, BASIC, &initial, expired()).await;
    let losing = Arc::new(LosingStore { inner: store.clone(), meanwhile: None });
    let tokens = TokenManager::with_options(losing, http(), short.clone());
    assert_eq!(access(&tokens.ensure_fresh(&scheme, account.clone()).await.unwrap()), "ours");
    let saved = stored(&store, &account.id).await;
    assert_eq!((access(&saved), refresh(&saved).unwrap()), ("ours".to_owned(), "ours-rt".to_owned()));

    // The lease was lost and the other process stored its tokens: theirs stay.
    let account = connect(&store, BASIC, &initial, expired()).await;
    let mut theirs = account.clone();
    let their_tokens = theirs.credentials.oauth2.as_mut().unwrap();
    their_tokens.access_token = SecretString::from("theirs");
    their_tokens.expires_at = Some(SystemTime::now() + Duration::from_secs(3600));
    let losing = Arc::new(LosingStore { inner: store.clone(), meanwhile: Some(theirs) });
    let tokens = TokenManager::with_options(losing, http(), short);
    assert_eq!(access(&tokens.ensure_fresh(&scheme, account.clone()).await.unwrap()), "theirs");
    assert_eq!(access(&stored(&store, &account.id).await), "theirs");
    assert_eq!(endpoint.requests().len(), 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn executions_refresh_once_for_100_concurrent_calls_and_after_a_401() {
    harness::capture_logs();
    let server = AuthServer::start().await;
    let initial = server.authorize(BASIC.0, BASIC.1, true).await;
    let api = Api::start(vec![initial.access_token.clone()]).await;
    let dir = temp_dir("executions");
    let store = store(&dir, &new_key());
    let account = connect(&store, BASIC, &initial, expired()).await;
    let toolkit = acme_toolkit(&api.origin, &server.token_url());
    let client = toolsmith::Client::builder().store(store.clone()).build();
    let user = UserId::new("alice");
    let before = server.token_requests().await;

    execute_concurrently(std::slice::from_ref(&client), &toolkit, &user, 100).await;
    assert_eq!(server.token_requests().await - before, 1, "100 executions, one token request");
    let seen = std::mem::take(&mut *api.seen.lock().unwrap());
    assert_eq!(seen.len(), 100, "the expired token was never sent");
    assert!(seen.iter().all(|t| *t == seen[0] && *t != initial.access_token));

    // The API rejects the current token: one refresh, the call is sent again and succeeds.
    api.rejected.lock().unwrap().push(seen[0].clone());
    let options = toolsmith::CallOptions::default();
    let result = client.execute_tool(&toolkit, &toolkit.tools[0], &user, &serde_json::json!({}), &options).await;
    assert!(result.successful, "{result:?}");
    assert_eq!(server.token_requests().await - before, 2);
    let seen = std::mem::take(&mut *api.seen.lock().unwrap());
    assert_eq!(seen.len(), 2);
    assert_ne!(seen[1], seen[0], "sent again with the new token");
    client.flush_logs().await;
    let log = store.log(result.log_id.as_ref().unwrap()).await.unwrap().unwrap();
    assert_eq!((log.attempts, log.status, log.account.as_ref()), (2, Some(200), Some(&account.id)));
    let _ = std::fs::remove_dir_all(dir);
}
