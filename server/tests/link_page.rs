//! The hosted Connect Link page for static credentials: shown without a key, checked
//! with a CSRF token, verified against the toolkit before the account turns ACTIVE.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Acme, Server};
use serde_json::json;
use toolsmith_store::AccountStatus;

/// The good key the local Stripe-like API accepts; any other is refused with 401.
const GOOD: &str = "sk_test_good_4f9a";

struct Setup {
    server: Server,
    acme: Acme,
    config: String,
    http: reqwest::Client,
}

async fn setup() -> Setup {
    let acme = Acme::new();
    let server = Server::start_with(acme.projects.clone(), vec![("stripe".into(), common::checking_api().await)]).await;
    let config =
        json!({"toolkit": {"slug": "stripe"}, "auth_config": {"type": "use_custom_auth", "authScheme": "API_KEY"}});
    let (_, created) = server.api("POST", "/auth_configs", &acme.key, Some(config)).await;
    let config = created["auth_config"]["id"].as_str().unwrap().to_owned();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Setup { server, acme, config, http }
}

impl Setup {
    /// A link through the REST API: `(account id, page URL)`.
    async fn link(&self, callback: Option<&str>) -> (String, String) {
        self.server.link(&self.acme.key, &self.config, callback).await
    }

    async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).send().await.unwrap()
    }

    async fn post(&self, url: &str, form: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let response = self.http.post(url).form(form).send().await.unwrap();
        let status = response.status().as_u16();
        let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
        (status, response.text().await.unwrap(), location)
    }

    async fn account(&self, id: &str) -> toolsmith_store::ConnectedAccount {
        self.acme.account(id).await
    }
}

/// The CSRF token in a rendered form.
fn csrf_of(page: &str) -> String {
    let at = page.find(r#"name="csrf_token" value=""#).unwrap() + r#"name="csrf_token" value=""#.len();
    page[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_page_shows_the_fields_and_connects_with_a_good_key() {
    let s = setup().await;
    let (id, url) = s.link(Some("https://app.example/done?x=1")).await;
    let response = s.get(&url).await;
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    // No script; the template's own style by its hash; the form may post here and be
    // redirected to the app (the callback's origin), nowhere else.
    let csp = headers["content-security-policy"].to_str().unwrap();
    let style = csp.split("style-src 'sha256-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
    assert_eq!(
        csp,
        format!(
            "default-src 'none'; style-src 'sha256-{style}'; img-src https: data:; \
             form-action 'self' https://app.example; frame-ancestors 'none'"
        )
    );
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(page.contains("Connect Stripe"), "{page}");
    assert!(page.contains("<strong>acme</strong>"), "{page}");
    assert!(page.contains(r#"<label for="f_api_key">Secret or restricted key"#), "{page}");
    assert!(page.contains(r#"name="api_key" type="password""#), "{page}");
    assert!(page.contains("Format: <code>^(sk|rk)_(test|live)_</code>"), "{page}");
    // The spec's patterns match a prefix; HTML's `pattern` would demand the whole value.
    assert!(!page.contains("pattern="), "{page}");
    assert!(!page.contains("<script"), "{page}");
    let csrf = csrf_of(&page);
    let token = url.rsplit('/').next().unwrap();
    let redacted = page.replace(&csrf, "[csrf]").replace(token, "[token]");
    insta::assert_snapshot!("link_page_form", redacted);

    // A bad value: the form again with the message next to the field, nothing spent.
    let (status, page, _) = s.post(&url, &[("csrf_token", &csrf), ("api_key", "pk_test_wrong_7c1")]).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.starts_with("<!doctype html>"), "an error page must stay HTML: {page}");
    assert!(page.contains("does not match"), "{page}");
    assert!(!page.contains("pk_test_wrong_7c1"), "a secret was echoed: {page}");
    assert_eq!(s.account(&id).await.status, AccountStatus::Initiated);

    // An empty value: the field is required, said next to it.
    let (status, page, _) = s.post(&url, &[("csrf_token", &csrf), ("api_key", "")]).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains(r#"<p class="error">Secret or restricted key is required; fill it in.</p>"#), "{page}");

    // An unknown field: said on the form.
    let (status, page, _) = s.post(&url, &[("csrf_token", &csrf), ("api_key", GOOD), ("nope", "1")]).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("`nope` is not a connection field"), "{page}");
    assert!(!page.contains(GOOD), "a secret was echoed: {page}");
    assert_eq!(s.account(&id).await.status, AccountStatus::Initiated);

    // Without, or with a wrong, CSRF token: 403 before anything else.
    let (status, page, _) = s.post(&url, &[("api_key", GOOD)]).await;
    assert_eq!(status, 403, "{page}");
    assert!(page.starts_with("<!doctype html>") && page.contains("open the link again"), "{page}");
    let (status, _, _) = s.post(&url, &[("csrf_token", "forged"), ("api_key", GOOD)]).await;
    assert_eq!(status, 403);
    assert_eq!(s.account(&id).await.status, AccountStatus::Initiated);

    // A good key: 303 to the callback with the account, ACTIVE with the key stored.
    let (status, page, location) = s.post(&url, &[("csrf_token", &csrf), ("api_key", GOOD)]).await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(location.unwrap(), format!("https://app.example/done?x=1&status=success&connected_account_id={id}"));
    assert!(!page.contains(GOOD));
    let account = s.account(&id).await;
    assert_eq!(account.status, AccountStatus::Active);
    assert_eq!(account.credentials.secret("api_key"), Some(GOOD));

    // The link is spent.
    let response = s.get(&url).await;
    assert_eq!(response.status().as_u16(), 410);
    let page = response.text().await.unwrap();
    assert!(page.contains("used already") && page.contains("ask for a new link"), "{page}");
    let (status, page, _) = s.post(&url, &[("csrf_token", &csrf), ("api_key", GOOD)]).await;
    assert_eq!(status, 410, "{page}");
    // The metrics name the route, never the token.
    let (_, metrics, _) = s.server.call("GET", "/metrics", None, None).await;
    assert!(!metrics.to_string().contains(token), "{metrics}");
}

#[tokio::test]
async fn without_a_callback_a_success_page_is_shown() {
    let s = setup().await;
    let (_, url) = s.link(None).await;
    let csrf = csrf_of(&s.get(&url).await.text().await.unwrap());
    let (status, page, _) = s.post(&url, &[("csrf_token", &csrf), ("api_key", GOOD)]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("is connected"), "{page}");
    assert!(!page.contains(GOOD), "{page}");
}

#[tokio::test]
async fn a_key_the_toolkit_refuses_leaves_the_account_failed() {
    let s = setup().await;
    let (id, url) = s.link(Some("https://app.example/done")).await;
    let csrf = csrf_of(&s.get(&url).await.text().await.unwrap());
    let (status, page, location) = s.post(&url, &[("csrf_token", &csrf), ("api_key", "sk_test_revoked_99")]).await;
    assert_eq!(status, 422, "{page}");
    assert!(location.is_none());
    assert!(page.contains("Connection failed") && page.contains("401"), "{page}");
    assert!(!page.contains("sk_test_revoked_99"), "{page}");
    let account = s.account(&id).await;
    assert_eq!(account.status, AccountStatus::Failed);
    assert!(account.status_reason.unwrap().contains("401"));
    assert_eq!(account.credentials.secret("api_key"), None);
}

#[tokio::test]
async fn unknown_and_expired_links_say_so() {
    let s = setup().await;
    let response = s.get(&format!("{}/link/lt_nosuchtoken", s.server.url)).await;
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let page = response.text().await.unwrap();
    assert!(page.starts_with("<!doctype html>"), "{page}");
    assert!(page.contains("does not exist; ask for a new link"), "{page}");

    let store = s.acme.store();
    let registry = toolsmith_runtime::Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
    let request = toolsmith_auth::LinkRequest {
        ttl: std::time::Duration::ZERO,
        auth_config: Some(toolsmith_core::AuthConfigId::parse(&s.config).unwrap()),
        ..toolsmith_auth::LinkRequest::new(toolsmith_core::UserId::new("ada"))
    };
    let started = toolsmith_auth::initiate(&*store, registry.toolkit("stripe").unwrap(), request).await.unwrap();
    let response = s.get(&format!("{}/link/{}", s.server.url, started.token.expose())).await;
    assert_eq!(response.status().as_u16(), 410);
    assert!(response.text().await.unwrap().contains("expired; ask for a new link"));
}
