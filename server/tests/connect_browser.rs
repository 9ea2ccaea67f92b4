//! Connect Links in a real browser: headless Chromium (Debian's, driven by playwright-core
//! through `browser/drive.mjs`) against the server on loopback and a real authorization
//! server (oidc-provider). A session's `COMPOSIO_MANAGE_CONNECTIONS` gives a link, the
//! user signs in and consents, `COMPOSIO_WAIT_FOR_CONNECTIONS` wakes up, a tool call
//! carries the new access token, which is refreshed once when it expires; the API-key
//! form (without JavaScript); every failure page; and the official Composio Python SDK's
//! `session.authorize` + `wait_for_connection` while the browser clicks through.
//!
//! Screenshots of every page state go to `<target>/artifacts/connect-link/`.
#![allow(clippy::unwrap_used)]

mod browser;
mod common;
#[path = "../../auth/tests/oidc/mod.rs"]
mod oidc;
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use browser::{click, drive, fill, goto, see, shot, sign_in};
use common::{Acme, Server};
use oidc::AuthServer;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use toolsmith_runtime::Registry;
use toolsmith_store::AccountStatus;

/// Everything logged in this test binary, at every level: what the server and its
/// libraries wrote while a user connected (checked for secrets).
fn logs() -> String {
    static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());
    static INSTALL: std::sync::Once = std::sync::Once::new();
    struct Sink;
    impl std::io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            LOGS.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(|| Sink)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

/// A logo for the test toolkits (the catalog's are on the internet, which tests do not reach).
fn logo(letter: char, color: &str) -> Option<String> {
    Some(format!(
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 40 40'%3E%3Crect width='40' \
         height='40' rx='9' fill='%23{color}'/%3E%3Ctext x='20' y='28' font-size='22' text-anchor='middle' \
         fill='white' font-family='sans-serif' font-weight='bold'%3E{letter}%3C/text%3E%3C/svg%3E"
    ))
}

/// The client secret `link-client` has at the authorization server.
const SECRET: &str = "link-client-secret-3d7a";

/// The authorization server, a `demo` toolkit on it whose `DEMO_ME` calls a recording
/// API, and the server with an auth config for `link-client` (with `secret`).
struct Demo {
    provider: AuthServer,
    server: Server,
    acme: Acme,
    config: String,
    seen: Arc<Mutex<Option<String>>>,
    toolkit: toolsmith_spec::Toolkit,
}

impl Demo {
    async fn start(secret: &str) -> Demo {
        Demo::start_with(secret, AuthServer::start().await).await
    }

    async fn start_with(secret: &str, provider: AuthServer) -> Demo {
        let mut toolkit = common::oauth_toolkit(&provider.base);
        toolkit.logo_url = logo('D', "0a7d5a");
        let (api, seen) = common::recording_api().await;
        let acme = Acme::new();
        let registry = Registry::from_toolkits(vec![toolkit.clone()]);
        let server = Server::start_on(registry, acme.projects.clone(), vec![("demo".into(), api)]).await;
        let config = json!({"toolkit": {"slug": "demo"}, "auth_config": {"type": "use_custom_auth", "authScheme": "OAUTH2",
            "credentials": {"client_id": "link-client", "client_secret": secret}}});
        let (status, created) = server.api("POST", "/auth_configs", &acme.key, Some(config)).await;
        assert_eq!(status, 200, "{created}");
        let config = created["auth_config"]["id"].as_str().unwrap().to_owned();
        Demo { provider, server, acme, config, seen, toolkit }
    }

    /// `POST /api/v3.1/tool_router/session{path}` with the project's key.
    async fn session_call(&self, path: &str, body: Value) -> Value {
        let (status, body) =
            self.server.api("POST", &format!("/tool_router/session{path}"), &self.acme.key, Some(body)).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    fn callback(&self) -> String {
        format!("{}/link/callback", self.server.url)
    }
}

/// Everything the user does from a Connect Link of `demo` to the callback, with a
/// screenshot of each page named `<prefix>-…`.
fn authorize_in_browser(link: &str, prefix: &str, callback: &str) -> Vec<Value> {
    let mut steps = vec![goto(link)];
    let sign_in = sign_in();
    steps.push(sign_in[0].clone());
    steps.push(shot(&format!("{prefix}-1-sign-in")));
    steps.extend(sign_in.into_iter().skip(1));
    steps.push(shot(&format!("{prefix}-2-consent")));
    steps.push(click("button:has-text(\"Continue\")", &regex_prefix(callback)));
    steps
}

/// A regular expression matching URLs that start with `prefix`.
fn regex_prefix(prefix: &str) -> String {
    let mut re = String::from("^");
    for c in prefix.chars() {
        if c.is_ascii_alphanumeric() || c == '/' || c == ':' {
            re.push(c);
        } else {
            re.push('\\');
            re.push(c);
        }
    }
    re
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_connects_in_the_browser_while_the_agent_waits_and_the_token_is_refreshed_once() {
    logs();
    // Access tokens live 8 s here, so that one expires during the test.
    let demo = Demo::start_with(SECRET, AuthServer::start_with_access_ttl(8).await).await;
    let session = demo
        .session_call(
            "",
            json!({"user_id": "ada", "toolkits": ["demo"],
                   "manage_connections": {"enable": true, "enable_wait_for_connections": true}}),
        )
        .await;
    let sid = session["session_id"].as_str().unwrap().to_owned();
    let execute_meta = format!("/{sid}/execute_meta");
    let manage = demo
        .session_call(
            &execute_meta,
            json!({"slug": "COMPOSIO_MANAGE_CONNECTIONS", "arguments": {"toolkits": ["demo"]}}),
        )
        .await;
    let result = &manage["data"]["results"]["demo"];
    assert_eq!(result["status"], "initiated", "{manage}");
    let link = result["redirect_url"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("{}/link/", demo.server.url)), "{link}");
    let id = result["connected_account_id"].as_str().unwrap().to_owned();

    // The agent waits while the user is in the browser.
    let waiting = {
        let server_url = demo.server.url.clone();
        let key = demo.acme.key.expose().to_owned();
        let path = format!("/api/v3.1/tool_router/session{execute_meta}");
        tokio::spawn(async move {
            let body = json!({"slug": "COMPOSIO_WAIT_FOR_CONNECTIONS", "arguments": {"toolkits": ["demo"]}});
            let response = reqwest::Client::new()
                .post(format!("{server_url}{path}"))
                .header("x-api-key", key)
                .json(&body)
                .send()
                .await;
            response.unwrap().json::<Value>().await.unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "WAIT_FOR_CONNECTIONS returned before the user connected");

    let mut steps = authorize_in_browser(&link, "oauth", &demo.callback());
    steps.extend([see("Connected"), shot("oauth-3-connected")]);
    let run = drive(steps, true).await;
    assert!(run.ok, "{run:#?}");
    assert_eq!(run.status_of(&demo.callback()), Some(200), "{run:#?}");
    assert!(run.text.contains("Demo") && run.text.contains("You can close this page"), "{}", run.text);

    let waited = tokio::time::timeout(Duration::from_secs(20), waiting).await.unwrap().unwrap();
    assert_eq!(waited["result_type"], "completed", "{waited}");
    assert_eq!(waited["data"]["results"]["demo"]["status"], "ACTIVE", "{waited}");
    assert_eq!(waited["data"]["results"]["demo"]["connected_account_id"], id.as_str(), "{waited}");
    let account = demo.acme.account(&id).await;
    assert_eq!(account.status, AccountStatus::Active);
    let tokens = account.credentials.oauth2.clone().unwrap();
    let first = tokens.access_token.expose_secret().to_owned();
    assert!(tokens.refresh_token.is_some() && tokens.scopes.contains(&"api:read".to_owned()), "{:?}", tokens.scopes);

    // A tool call carries the new access token to the API.
    let execute = format!("/{sid}/execute");
    let call = json!({"tool_slug": "DEMO_ME", "arguments": {}});
    let ran = demo.session_call(&execute, call.clone()).await;
    assert_eq!(ran["data"]["name"], "alice", "{ran}");
    assert_eq!(demo.seen.lock().unwrap().clone(), Some(format!("Bearer {first}")));

    // The token expires: the next call refreshes it once, and the one after reuses it.
    let before = demo.provider.token_requests().await;
    let expires_at = tokens.expires_at.unwrap();
    let left = expires_at.duration_since(SystemTime::now()).unwrap_or_default();
    assert!(left <= Duration::from_secs(8), "{left:?}");
    tokio::time::sleep(left + Duration::from_millis(200)).await;
    for _ in 0..2 {
        let ran = demo.session_call(&execute, call.clone()).await;
        assert_eq!(ran["data"]["name"], "alice", "{ran}");
    }
    assert_eq!(demo.provider.token_requests().await, before + 1, "one refresh for two calls");
    let refreshed = demo.acme.account(&id).await.credentials.oauth2.unwrap();
    let second = refreshed.access_token.expose_secret().to_owned();
    assert_ne!(second, first);
    assert_eq!(demo.seen.lock().unwrap().clone(), Some(format!("Bearer {second}")));

    // No token, code, link token or client secret in anything logged on the way.
    let logs = logs();
    assert!(logs.contains("request"), "the capture works: {logs}");
    let callback = run.url_of(&demo.callback()).unwrap();
    let code = reqwest::Url::parse(&callback).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let link_token = link.rsplit('/').next().unwrap().to_owned();
    let refresh = refreshed.refresh_token.as_ref().unwrap().expose_secret().to_owned();
    for (what, secret) in [
        ("access token", &first),
        ("refreshed token", &second),
        ("refresh token", &refresh),
        ("code", &code),
        ("link token", &link_token),
        ("client secret", &SECRET.to_owned()),
    ] {
        assert!(!logs.contains(secret.as_str()), "the {what} was logged");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_form_works_without_javascript_and_a_refused_key_fails_the_account() {
    let acme = Acme::new();
    let mut toolkits = toolsmith_builtin::toolkits().unwrap();
    for toolkit in toolkits.iter_mut().filter(|t| t.slug.as_str() == "stripe") {
        toolkit.logo_url = logo('S', "635bff");
    }
    let registry = Registry::from_toolkits(toolkits);
    let api = common::checking_api().await;
    let server = Server::start_on(registry, acme.projects.clone(), vec![("stripe".into(), api.clone())]).await;
    let config =
        json!({"toolkit": {"slug": "stripe"}, "auth_config": {"type": "use_custom_auth", "authScheme": "API_KEY"}});
    let (_, created) = server.api("POST", "/auth_configs", &acme.key, Some(config)).await;
    let config = created["auth_config"]["id"].as_str().unwrap().to_owned();

    let (id, link) = server.link(&acme.key, &config, None).await;
    let steps = vec![
        goto(&link),
        see("Connect Stripe"),
        shot("key-1-form"),
        fill("#f_api_key", "sk_test_good_4f9a"),
        click("button[type=submit]", &regex_prefix(&link)),
        see("Connected"),
        shot("key-2-connected"),
    ];
    let run = drive(steps, false).await;
    assert!(run.ok, "{run:#?}");
    assert!(run.text.contains("Stripe"), "{}", run.text);
    assert_eq!(acme.account(&id).await.status, AccountStatus::Active);

    // With a callback URL, the form's answer sends the browser back to the app (another
    // origin: the page's CSP must let the form's redirect go there).
    let app = format!("{api}/done");
    let (id, link) = server.link(&acme.key, &config, Some(&app)).await;
    let steps =
        vec![goto(&link), fill("#f_api_key", "sk_test_good_4f9a"), click("button[type=submit]", &regex_prefix(&app))];
    let run = drive(steps, false).await;
    assert!(run.ok, "{run:#?}");
    assert_eq!(run.url, format!("{app}?status=success&connected_account_id={id}"), "{run:#?}");
    assert!(run.text.contains("back in the app"), "{run:#?}");

    let (id, link) = server.link(&acme.key, &config, None).await;
    let steps = vec![
        goto(&link),
        fill("#f_api_key", "sk_test_wrong_0000"),
        click("button[type=submit]", &regex_prefix(&link)),
        see("Connection failed"),
        shot("fail-verification"),
    ];
    let run = drive(steps, false).await;
    assert!(run.ok, "{run:#?}");
    assert!(!run.text.contains("sk_test_wrong_0000"), "the page must not echo the key: {}", run.text);
    let account = acme.account(&id).await;
    assert_eq!(account.status, AccountStatus::Failed);
    assert!(account.credentials.secrets.is_empty(), "nothing half-stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_page_in_the_browser() {
    let demo = Demo::start(SECRET).await;
    let callback = demo.callback();

    // The user denies on the consent page.
    let (id, link) = demo.server.link(&demo.acme.key, &demo.config, None).await;
    let mut steps = vec![goto(&link)];
    steps.extend(sign_in());
    steps.extend([click("text=[ Cancel ]", &regex_prefix(&callback)), see("Access denied"), shot("fail-denied")]);
    let run = drive(steps, true).await;
    assert!(run.ok, "{run:#?}");
    assert_eq!(run.status_of(&callback), Some(403), "{run:#?}");
    assert_eq!(demo.acme.account(&id).await.status, AccountStatus::Failed);

    // A good authorization, then the same callback again (reused) and a forged state.
    let (id, link) = demo.server.link(&demo.acme.key, &demo.config, None).await;
    let mut steps = authorize_in_browser(&link, "again", &callback);
    steps.push(see("Connected"));
    let run = drive(steps, true).await;
    assert!(run.ok, "{run:#?}");
    assert_eq!(demo.acme.account(&id).await.status, AccountStatus::Active);
    let used = run.url_of(&callback).unwrap();
    let forged = {
        let mut url = reqwest::Url::parse(&used).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "state" {
                    format!("{}.{}", v.split('.').next().unwrap(), "0".repeat(43))
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        url.to_string()
    };
    let steps = vec![
        goto(&used),
        see("used already"),
        shot("fail-reused"),
        goto(&forged),
        see("not one this server issued"),
        shot("fail-bad-state"),
    ];
    let run = drive(steps, true).await;
    assert!(run.ok, "{run:#?}");
    assert_eq!(run.navigations.iter().map(|(_, s)| *s).collect::<Vec<_>>(), vec![410, 403], "{run:#?}");
    assert_eq!(demo.acme.account(&id).await.status, AccountStatus::Active, "a reused callback changes nothing");

    // An expired link.
    let request = toolsmith_auth::LinkRequest {
        ttl: Duration::ZERO,
        auth_config: Some(toolsmith_core::AuthConfigId::parse(&demo.config).unwrap()),
        ..toolsmith_auth::LinkRequest::new(toolsmith_core::UserId::new("ada"))
    };
    let started = toolsmith_auth::initiate(&*demo.acme.store(), &demo.toolkit, request).await.unwrap();
    let expired = format!("{}/link/{}", demo.server.url, started.token.expose());
    let run = drive(vec![goto(&expired), see("expired"), shot("fail-expired")], true).await;
    assert!(run.ok, "{run:#?}");
    assert_eq!(run.status_of(&expired), Some(410), "{run:#?}");

    // The token endpoint refuses the app's credentials: the account fails, no token kept.
    let wrong = Demo::start("not-the-client-secret").await;
    let (id, link) = wrong.server.link(&wrong.acme.key, &wrong.config, None).await;
    let mut steps = authorize_in_browser(&link, "token-error", &wrong.callback());
    steps.extend([see("Connection failed"), shot("fail-token-endpoint")]);
    let run = drive(steps, true).await;
    assert!(run.ok, "{run:#?}");
    assert_eq!(run.status_of(&wrong.callback()), Some(502), "{run:#?}");
    assert!(run.text.contains("invalid_client"), "{}", run.text);
    let account = wrong.acme.account(&id).await;
    assert_eq!(account.status, AccountStatus::Failed);
    assert!(account.credentials.oauth2.is_none(), "nothing half-stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_authorizes_and_waits_while_the_browser_clicks_through() {
    let python = tokio::task::spawn_blocking(support::composio_venv).await.unwrap();
    let demo = Demo::start(SECRET).await;
    let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/composio_sdk/authorize.py");
    let mut child = Command::new(python)
        .arg(script)
        .env_remove("COMPOSIO_API_KEY")
        .env_remove("COMPOSIO_BASE_URL")
        .env("TOOLSMITH_URL", &demo.server.url)
        .env("TOOLSMITH_API_KEY", demo.acme.key.expose())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (first, lines) = tokio::task::spawn_blocking(move || (lines.next(), lines)).await.unwrap();
    let requested: Value = match first {
        Some(Ok(line)) => serde_json::from_str(&line).unwrap(),
        other => {
            let out = child.wait_with_output().unwrap();
            panic!("the SDK printed no connection request ({other:?}): {}", String::from_utf8_lossy(&out.stderr));
        }
    };
    let link = requested["redirect_url"].as_str().unwrap().to_owned();
    assert_eq!(requested["status"], "INITIATED", "{requested}");

    let mut steps = authorize_in_browser(&link, "sdk", &demo.callback());
    steps.push(see("Connected"));
    let run = drive(steps, true).await;
    assert!(run.ok, "{run:#?}");

    let (rest, status) = tokio::task::spawn_blocking(move || {
        let rest: Vec<String> = lines.map_while(Result::ok).collect();
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        (rest, (status, stderr))
    })
    .await
    .unwrap();
    assert!(status.0.success(), "the SDK script failed: {rest:?}\n{}", status.1);
    let connected: Value = serde_json::from_str(rest.last().unwrap()).unwrap();
    assert_eq!(connected["status"], "ACTIVE", "{connected}");
    assert_eq!(connected["id"], requested["id"], "{connected}");
    let account = demo.acme.account(requested["id"].as_str().unwrap()).await;
    assert_eq!(account.status, AccountStatus::Active);
}
