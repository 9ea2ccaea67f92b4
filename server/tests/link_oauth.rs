//! The OAuth 2.0 leg of the hosted Connect Link page, against a real authorization server
//! (oidc-provider, started by the auth crate's test helper): the page redirects to the
//! provider, the user logs in and consents, the callback connects the account and returns
//! to the app; denials and reused callbacks say so.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "../../auth/tests/oidc/mod.rs"]
mod oidc;

use std::sync::{Arc, Mutex};

use common::{Acme, Server};
use oidc::{AuthServer, User};
use reqwest::Url;
use secrecy::ExposeSecret;
use serde_json::json;
use toolsmith_runtime::Registry;
use toolsmith_store::{AccountStatus, ConnectedAccounts as _};

struct Setup {
    provider: AuthServer,
    server: Server,
    acme: Acme,
    config: String,
    http: reqwest::Client,
    seen: Arc<Mutex<Option<String>>>,
    toolkit: toolsmith_spec::Toolkit,
}

/// A `demo` toolkit whose oauth2 scheme is the provider's, and an auth config with its
/// `client_id` (`None`: an app not registered).
async fn setup(client_id: Option<&str>) -> Setup {
    let provider = AuthServer::start().await;
    let toolkit = common::oauth_toolkit(&provider.base);
    let (api, seen) = common::recording_api().await;
    let acme = Acme::new();
    let registry = Registry::from_toolkits(vec![toolkit.clone()]);
    let server = Server::start_on(registry, acme.projects.clone(), vec![("demo".into(), api)]).await;
    let mut auth_config = json!({"type": "use_custom_auth", "authScheme": "OAUTH2"});
    if let Some(id) = client_id {
        auth_config["credentials"] = json!({"client_id": id, "client_secret": "link-client-secret-3d7a"});
    }
    let (status, created) = server
        .api("POST", "/auth_configs", &acme.key, Some(json!({"toolkit": {"slug": "demo"}, "auth_config": auth_config})))
        .await;
    assert_eq!(status, 200, "{created}");
    let config = created["auth_config"]["id"].as_str().unwrap().to_owned();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Setup { provider, server, acme, config, http, seen, toolkit }
}

impl Setup {
    /// A link through the REST API: `(account id, page URL)`.
    async fn link(&self, callback: Option<&str>) -> (String, String) {
        self.server.link(&self.acme.key, &self.config, callback).await
    }

    /// `(status, location, body)` of a GET, redirects not followed.
    async fn get(&self, url: &str) -> (u16, Option<String>, String) {
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        assert_eq!(response.headers()["cache-control"], "no-store", "{url}");
        assert_eq!(response.headers()["referrer-policy"], "no-referrer", "{url}");
        let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
        (status, location, response.text().await.unwrap())
    }

    /// The page redirects to the provider; the user goes through it; the callback URL.
    async fn through_provider(&self, page: &str, user: User) -> Url {
        let (status, location, body) = self.get(page).await;
        assert_eq!(status, 303, "{body}");
        let location = location.unwrap();
        assert!(location.starts_with(&format!("{}/auth?", self.provider.base)), "{location}");
        let url = Url::parse(&location).unwrap();
        let query: std::collections::BTreeMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query["redirect_uri"], format!("{}/link/callback", self.server.url));
        assert_eq!(query["client_id"], "link-client");
        assert_eq!(query["code_challenge_method"], "S256");
        oidc::authorize_to(url, user, &format!("{}/link/callback", self.server.url)).await
    }

    /// The callback returns to the app with `status=failed` and an error mentioning `about`.
    async fn fails_back_to_app(&self, callback: &Url, about: &str) {
        let (status, location, body) = self.get(callback.as_str()).await;
        assert_eq!(status, 303, "{body}");
        let back = Url::parse(&location.unwrap()).unwrap();
        let query: std::collections::BTreeMap<_, _> = back.query_pairs().into_owned().collect();
        assert_eq!(query["status"], "failed");
        assert!(query["error"].contains(about), "{back}");
    }

    async fn account(&self, id: &str) -> toolsmith_store::ConnectedAccount {
        self.acme.account(id).await
    }
}

/// `url` with the query parameter `name` set to `value` (a callback tampered with).
fn with_param(url: &Url, name: &str, value: &str) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.to_string(), if k == name { value.to_owned() } else { v.to_string() }))
        .collect();
    let mut changed = url.clone();
    changed.query_pairs_mut().clear().extend_pairs(pairs);
    changed
}

#[tokio::test]
async fn a_user_authorizes_in_the_browser_and_the_account_calls_the_api_with_its_token() {
    let s = setup(Some("link-client")).await;
    let (id, page) = s.link(Some("https://app.example/done?x=1")).await;
    let callback = s.through_provider(&page, User::Consents).await;
    assert!(callback.query_pairs().any(|(k, _)| k == "code"), "{callback}");

    let (status, location, body) = s.get(callback.as_str()).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.unwrap(), format!("https://app.example/done?x=1&status=success&connected_account_id={id}"));
    let account = s.account(&id).await;
    assert_eq!(account.status, AccountStatus::Active);
    let tokens = account.credentials.oauth2.unwrap();
    assert!(tokens.refresh_token.is_some());
    let access = tokens.access_token.expose_secret().to_owned();
    assert!(!access.is_empty());

    // A tool call carries the access token to the API.
    let (status, result) = s
        .server
        .api("POST", "/tools/execute/DEMO_ME", &s.acme.key, Some(json!({"user_id": "ada", "arguments": {}})))
        .await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["successful"], true, "{result}");
    assert_eq!(s.seen.lock().unwrap().clone(), Some(format!("Bearer {access}")));

    // The same callback again: refused, the account stays ACTIVE, the app is not told.
    let (status, location, body) = s.get(callback.as_str()).await;
    assert_eq!(status, 410, "{body}");
    assert!(location.is_none());
    assert!(body.contains("used already"), "{body}");
    assert_eq!(s.account(&id).await.status, AccountStatus::Active);
    // The link page of a spent link says so too.
    assert_eq!(s.get(&page).await.0, 410);
}

#[tokio::test]
async fn a_denial_returns_to_the_app_as_failed_and_the_account_fails() {
    let s = setup(Some("link-client")).await;
    let (id, page) = s.link(Some("https://app.example/done")).await;
    let callback = s.through_provider(&page, User::Denies).await;
    s.fails_back_to_app(&callback, "denied").await;
    let account = s.account(&id).await;
    assert_eq!(account.status, AccountStatus::Failed);
    assert!(account.status_reason.unwrap().contains("denied"));

    // Without a callback URL: a page saying access was denied.
    let (id, page) = s.link(None).await;
    let callback = s.through_provider(&page, User::Denies).await;
    let (status, _, body) = s.get(callback.as_str()).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("Access denied") && body.contains("ask for a new Connect Link"), "{body}");
    assert_eq!(s.account(&id).await.status, AccountStatus::Failed);
}

#[tokio::test]
async fn a_forged_state_is_refused_and_changes_nothing() {
    let s = setup(Some("link-client")).await;
    let (id, page) = s.link(Some("https://app.example/done")).await;
    let callback = s.through_provider(&page, User::Consents).await;
    let state: String = callback.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let (hash, mac) = state.split_once('.').unwrap();
    let forged = format!("{hash}.{}", "0".repeat(mac.len()));
    for bad in [forged.as_str(), hash, ""] {
        let (status, location, body) = s.get(with_param(&callback, "state", bad).as_str()).await;
        assert_eq!(status, 403, "{body}");
        assert!(location.is_none());
        assert!(body.contains("not one this server issued"), "{body}");
    }
    assert_eq!(s.account(&id).await.status, AccountStatus::Initiated);
}

#[tokio::test]
async fn an_app_without_a_client_id_is_told_to_register() {
    let s = setup(None).await;
    let (_, page) = s.link(None).await;
    let (status, location, body) = s.get(&page).await;
    assert_eq!(status, 409, "{body}");
    assert!(location.is_none());
    assert!(body.contains("must be registered") && body.contains("toolsmith auth-configs update"), "{body}");
}

#[tokio::test]
async fn a_link_expired_during_the_authorization_fails_and_says_so() {
    let s = setup(Some("link-client")).await;
    let store = s.acme.store();
    let request = toolsmith_auth::LinkRequest {
        ttl: std::time::Duration::from_secs(1),
        auth_config: Some(toolsmith_core::AuthConfigId::parse(&s.config).unwrap()),
        callback_url: Some("https://app.example/done".into()),
        ..toolsmith_auth::LinkRequest::new(toolsmith_core::UserId::new("ada"))
    };
    let started = toolsmith_auth::initiate(&*store, &s.toolkit, request).await.unwrap();
    let page = format!("{}/link/{}", s.server.url, started.token.expose());
    let callback = s.through_provider(&page, User::Consents).await;
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    s.fails_back_to_app(&callback, "expired").await;
    assert_eq!(s.account(started.account.id.as_str()).await.status, AccountStatus::Failed);
}

#[tokio::test]
async fn a_code_the_token_endpoint_refuses_shows_a_failure_page() {
    let s = setup(Some("link-client")).await;
    let (id, page) = s.link(None).await;
    let callback = s.through_provider(&page, User::Consents).await;
    let bogus = "not-a-real-code-0123456789";
    let (status, _, body) = s.get(with_param(&callback, "code", bogus).as_str()).await;
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("Connection failed") && body.contains("invalid_grant"), "{body}");
    assert!(!body.contains(bogus), "{body}");
    assert_eq!(s.account(&id).await.status, AccountStatus::Failed);
}

/// `DEMO_ME` for `ada`, and the `Authorization` header the API saw.
async fn call_me(s: &Setup) -> Option<String> {
    let body = json!({"user_id": "ada", "arguments": {}});
    let (status, result) = s.server.api("POST", "/tools/execute/DEMO_ME", &s.acme.key, Some(body)).await;
    assert_eq!((status, &result["successful"]), (200, &json!(true)), "{result}");
    s.seen.lock().unwrap().clone()
}

#[tokio::test]
async fn refreshing_an_expired_account_reconnects_it_under_the_same_id_with_a_new_token() {
    let s = setup(Some("link-client")).await;
    let (id, page) = s.link(None).await;
    let callback = s.through_provider(&page, User::Consents).await;
    assert_eq!(s.get(callback.as_str()).await.0, 200);
    let old = s.account(&id).await;
    let old_access = old.credentials.oauth2.clone().unwrap().access_token.expose_secret().to_owned();
    assert_eq!(call_me(&s).await, Some(format!("Bearer {old_access}")));

    // An ACTIVE account is not reconnected; an unknown one is not found (both paths).
    for prefix in ["/api/v3", "/api/v3.1"] {
        let path = format!("{prefix}/connected_accounts/{id}/refresh");
        let (status, body, _) = s.server.call("POST", &path, Some(&s.acme.key), None).await;
        assert_eq!(
            (status, body["error"]["slug"].as_str()),
            (409, Some("ConnectedAccount_NotReconnectable")),
            "{body}"
        );
        assert!(body["error"]["message"].as_str().unwrap().contains("is ACTIVE"), "{body}");
        assert!(body["error"]["suggested_fix"].as_str().is_some(), "{body}");
        let path = format!("{prefix}/connected_accounts/ca_nobody000000/refresh");
        let (status, body, _) = s.server.call("POST", &path, Some(&s.acme.key), None).await;
        assert_eq!((status, body["error"]["slug"].as_str()), (404, Some("ConnectedAccount_NotFound")), "{body}");
    }
    assert_eq!(s.account(&id).await.status, AccountStatus::Active);

    // The token can no longer be refreshed: EXPIRED. A refresh gives a new link for it.
    let expired = toolsmith_store::ConnectedAccount { status: AccountStatus::Expired, ..old };
    s.acme.store().put_account(&expired).await.unwrap();
    let body = json!({"redirect_url": "https://app.example/again"});
    let (status, refreshed, _) =
        s.server.call("POST", &format!("/api/v3/connected_accounts/{id}/refresh"), Some(&s.acme.key), Some(body)).await;
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!((refreshed["id"].as_str(), refreshed["status"].as_str()), (Some(id.as_str()), Some("INITIATED")));
    let page = refreshed["redirect_url"].as_str().unwrap();
    assert!(page.starts_with(&format!("{}/link/", s.server.url)), "{page}");
    let callback = s.through_provider(page, User::Consents).await;
    let (status, location, body) = s.get(callback.as_str()).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.unwrap(), format!("https://app.example/again?status=success&connected_account_id={id}"));
    let account = s.account(&id).await;
    assert_eq!(account.status, AccountStatus::Active);
    let access = account.credentials.oauth2.unwrap().access_token.expose_secret().to_owned();
    assert_ne!(access, old_access);
    // The executor cached the account for the call above; the reconnection ends that.
    assert_eq!(call_me(&s).await, Some(format!("Bearer {access}")));
    let (_, listed) = s.server.api("GET", "/connected_accounts", &s.acme.key, None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
}
