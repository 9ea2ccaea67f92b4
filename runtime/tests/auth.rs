//! Execution with connected accounts, end to end: a real SQLite store in a temporary
//! folder, a local HTTP server the test starts, and the one execution path. Covers every
//! injection scheme, templated base URLs and headers, account selection, retries,
//! SSRF refusals, binary results as files, dry runs, the execution log, and that no
//! secret reaches a log, an error or the database file in clear.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use secrecy::SecretString;
use serde_json::{json, Value};
use toolsmith::store::prelude::*;
use toolsmith::store::{
    AccountStatus, AuthConfig, ConnectedAccount, Credentials, KeyRing, LogFilter, OAuth2Tokens, SqliteStore,
};
use toolsmith::{
    AuthConfigId, CallOptions, Client, ConnectedAccountId, ExecutionResult, ProxyRequest, Registry, Toolkit, UserId,
};

/// Every secret the tests use: none may appear in logs, errors, dry runs or the DB file.
const SECRETS: &[&str] = &[
    "key-SECRET-1111",
    "key-SECRET-2222",
    "tok-SECRET-3333",
    "pw-SECRET-4444",
    "oauth-SECRET-5555",
    "org-SECRET-6666",
];

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    query: String,
    headers: HeaderMap,
}

/// A scripted answer: status, headers, body.
type Answer = (u16, Vec<(&'static str, String)>, Vec<u8>);

#[derive(Clone, Default)]
struct Shared {
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Scripted answers by path: status, headers, body; the last one repeats.
    script: Arc<Mutex<BTreeMap<String, Vec<Answer>>>>,
}

async fn answer(State(shared): State<Shared>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    shared.seen.lock().unwrap().push(Seen {
        method: request.method().to_string(),
        path: path.clone(),
        query: request.uri().query().unwrap_or_default().to_owned(),
        headers: request.headers().clone(),
    });
    let next = {
        let mut script = shared.script.lock().unwrap();
        script.get_mut(&path).map(|answers| if answers.len() > 1 { answers.remove(0) } else { answers[0].clone() })
    };
    match next {
        Some((status, headers, body)) => {
            let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
            for (name, value) in headers {
                response.headers_mut().insert(name, value.parse().unwrap());
            }
            response
        }
        None => axum::Json(json!({ "ok": true, "path": path })).into_response(),
    }
}

struct Server {
    origin: String,
    port: u16,
    shared: Shared,
}

impl Server {
    async fn start() -> Server {
        let shared = Shared::default();
        let app = Router::new().fallback(answer).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { origin: format!("http://127.0.0.1:{port}"), port, shared }
    }

    fn script(&self, path: &str, answers: Vec<Answer>) {
        self.shared.script.lock().unwrap().insert(path.to_owned(), answers);
    }

    fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.shared.seen.lock().unwrap())
    }
}

/// A toolkit on the test server with one auth scheme and two tools.
fn toolkit(slug: &str, base_url: &str, auth: &str, headers: &str) -> Toolkit {
    let prefix = slug.to_ascii_uppercase();
    serde_yaml::from_str(&format!(
        r#"
slug: {slug}
name: Test {slug}
description: A toolkit served by the test, to check how credentials are sent.
version: 20261122_00
base_url: "{base_url}"
headers: {{ {headers} }}
retry: {{ max_attempts: 3, backoff_ms: 1 }}
auth: [{auth}]
tools:
  - slug: {prefix}_GET_THING
    name: Get a thing
    description: Reads one thing by its id, to check what reaches the server.
    http: {{ method: GET, path: "/things/{{thing_id}}" }}
    input:
      type: object
      required: [thing_id]
      properties:
        thing_id: {{ type: string, in: path, description: The thing }}
  - slug: {prefix}_CREATE_THING
    name: Create a thing
    description: Creates a thing, to check that POST is not retried.
    http: {{ method: POST, path: /things }}
    input:
      type: object
      properties:
        title: {{ type: string, in: body, description: Title }}
"#
    ))
    .unwrap()
}

struct Setup {
    store: Arc<SqliteStore>,
    client: Client,
    dir: PathBuf,
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("toolsmith-auth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn setup(name: &str) -> Setup {
    logs(); // capture from the start
    let dir = temp_dir(name);
    let keys = KeyRing::generate().unwrap();
    let store = Arc::new(SqliteStore::open(dir.join("toolsmith.db"), keys).unwrap());
    let client = Client::builder()
        .store(store.clone())
        .files_dir(dir.join("files"))
        .max_retry_wait(Duration::from_secs(2))
        .build();
    Setup { store, client, dir }
}

async fn connect(
    store: &SqliteStore,
    toolkit: &Toolkit,
    user: &str,
    fields: &[(&str, &str)],
    secrets: &[(&str, &str)],
    oauth2: Option<OAuth2Tokens>,
) -> ConnectedAccount {
    let scheme = toolkit.auth[0].name().to_owned();
    let configs = store.auth_configs(Some(&toolkit.slug)).await.unwrap();
    let config = match configs.into_iter().next() {
        Some(config) => config,
        None => {
            let config = AuthConfig {
                id: AuthConfigId::generate(),
                toolkit: toolkit.slug.clone(),
                name: "test".into(),
                scheme,
                client_id: None,
                client_secret: None,
                scopes: vec![],
                disabled: false,
                created_at: SystemTime::now(),
            };
            store.put_auth_config(&config).await.unwrap();
            config
        }
    };
    let account = ConnectedAccount {
        id: ConnectedAccountId::generate(),
        user_id: UserId::new(user),
        toolkit: toolkit.slug.clone(),
        auth_config: config.id,
        status: AccountStatus::Active,
        status_reason: None,
        alias: None,
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        credentials: Credentials {
            secrets: secrets.iter().map(|(k, v)| (k.to_string(), SecretString::from(*v))).collect(),
            oauth2,
        },
        created_at: SystemTime::now(),
        updated_at: SystemTime::now(),
    };
    store.put_account(&account).await.unwrap();
    account
}

async fn run(client: &Client, toolkit: &Toolkit, tool: usize, user: &str, args: Value) -> ExecutionResult {
    client.execute_tool(toolkit, &toolkit.tools[tool], &UserId::new(user), &args, &CallOptions::default()).await
}

fn header(seen: &Seen, name: &str) -> String {
    seen.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// Everything the runtime logged in this test binary (tracing, all levels): a global
/// subscriber, so events of every thread and every test are captured.
fn logs() -> String {
    static BUFFER: std::sync::OnceLock<Buffer> = std::sync::OnceLock::new();
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = BUFFER.get_or_init(|| {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        buffer
    });
    String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned()
}

#[tokio::test]
async fn every_injection_scheme() {
    let server = Server::start().await;
    let s = setup("schemes");
    let base = format!("{}/v1", server.origin);
    let cases = [
        ("keyhdr", "{ scheme: api_key, in: header, name: X-Api-Key }", "", vec![], vec![("api_key", SECRETS[0])]),
        ("keyqry", "{ scheme: api_key, in: query, name: api_key }", "", vec![], vec![("api_key", SECRETS[1])]),
        ("bearer", "{ scheme: bearer }", "", vec![], vec![("token", SECRETS[2])]),
        ("basic", "{ scheme: basic }", "", vec![("username", "ada")], vec![("password", SECRETS[3])]),
        (
            "custom",
            "{ scheme: api_key, in: header, name: Authorization, value: 'Token {api_key}', fields: [{ name: api_key, title: Key, secret: true }, { name: org, title: Org, secret: true }] }",
            "X-Org: '{org}'",
            vec![],
            vec![("api_key", SECRETS[0]), ("org", SECRETS[5])],
        ),
    ];
    logs();
    {
        for (slug, auth, headers, fields, secrets) in &cases {
            let toolkit = toolkit(slug, &base, auth, headers);
            connect(&s.store, &toolkit, "ada", fields, secrets, None).await;
            let result = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "t1" })).await;
            assert!(result.successful, "{slug}: {result:?}");
            let seen = server.take().pop().unwrap();
            assert_eq!(seen.path, "/v1/things/t1");
            match *slug {
                "keyhdr" => assert_eq!(header(&seen, "x-api-key"), SECRETS[0]),
                "keyqry" => assert_eq!(seen.query, format!("api_key={}", SECRETS[1])),
                "bearer" => assert_eq!(header(&seen, "authorization"), format!("Bearer {}", SECRETS[2])),
                "basic" => {
                    use base64::Engine as _;
                    let expected = base64::engine::general_purpose::STANDARD.encode(format!("ada:{}", SECRETS[3]));
                    assert_eq!(header(&seen, "authorization"), format!("Basic {expected}"));
                }
                _ => {
                    assert_eq!(header(&seen, "authorization"), format!("Token {}", SECRETS[0]));
                    assert_eq!(header(&seen, "x-org"), SECRETS[5]);
                }
            }
        }

        // OAuth 2.0: the access token as a bearer token (refresh: tests/oauth_refresh.rs).
        let oauth = toolkit("oauth", &base, "{ scheme: oauth2, token_url: 'http://127.0.0.1:9/token' }", "");
        let tokens = OAuth2Tokens {
            access_token: SecretString::from(SECRETS[4]),
            refresh_token: None,
            token_type: "bearer".into(),
            expires_at: None,
            scopes: vec![],
        };
        connect(&s.store, &oauth, "ada", &[], &[], Some(tokens)).await;
        let result = run(&s.client, &oauth, 0, "ada", json!({ "thing_id": "t2" })).await;
        assert!(result.successful, "{result:?}");
        assert_eq!(header(&server.take()[0], "authorization"), format!("Bearer {}", SECRETS[4]));
    }
    let logs = logs();
    assert!(logs.contains("executed") && logs.contains("tool=\"KEYHDR_GET_THING\""), "executions are logged: {logs}");
    assert_no_secret("tracing output", &logs);
    assert_no_secret_in_files(&s.dir);
}

#[tokio::test]
async fn templated_base_url_and_internal_hosts() {
    let server = Server::start().await;
    let s = setup("templated");
    let none_with_fields = "{ scheme: none, fields: [{ name: tenant, title: Tenant }, { name: port, title: Port }] }";
    let toolkit = toolkit("tenant", "http://127.0.0.1:{port}/{tenant}/v1", none_with_fields, "");
    let port = server.port.to_string();
    connect(&s.store, &toolkit, "ada", &[("tenant", "acme"), ("port", &port)], &[], None).await;
    let result = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "x" })).await;
    assert!(result.successful, "{result:?}");
    assert_eq!(server.take()[0].path, "/acme/v1/things/x");

    // A field that would change the URL's structure is refused before anything is sent.
    connect(&s.store, &toolkit, "eve", &[("tenant", "acme/../../admin"), ("port", &port)], &[], None).await;
    let result = run(&s.client, &toolkit, 0, "eve", json!({ "thing_id": "x" })).await;
    assert!(!result.successful);
    assert!(result.error.as_deref().unwrap().contains("is not a plain name"), "{result:?}");

    // A whole templated host may not point inside the network (SSRF).
    let hosted =
        toolkit_with("selfhosted", "http://{host}/api", "{ scheme: none, fields: [{ name: host, title: Host }] }");
    for host in ["127.0.0.1", "localhost", "10.0.0.7", "169.254.169.254", "192.168.1.1"] {
        connect(&s.store, &hosted, host, &[("host", host)], &[], None).await;
        let result = run(&s.client, &hosted, 0, host, json!({ "thing_id": "x" })).await;
        assert!(result.error.as_deref().unwrap().contains("an internal address"), "{host}: {result:?}");
    }
    assert!(server.take().is_empty());
}

fn toolkit_with(slug: &str, base_url: &str, auth: &str) -> Toolkit {
    toolkit(slug, base_url, auth, "")
}

#[tokio::test]
async fn account_selection() {
    let server = Server::start().await;
    let mut s = setup("selection");
    // Accounts change behind the client's back here: read the store on every call.
    s.client = Client::builder().store(s.store.clone()).account_cache(Duration::ZERO).build();
    let toolkit = toolkit("pick", &format!("{}/v1", server.origin), "{ scheme: bearer }", "");

    let result = run(&s.client, &toolkit, 0, "bob", json!({ "thing_id": "x" })).await;
    assert_eq!(
        result.error.as_deref(),
        Some("PICK_GET_THING: user `bob` has no connected account for `pick`; connect one with `toolsmith accounts connect --user bob --toolkit pick ...`")
    );

    let first = connect(&s.store, &toolkit, "bob", &[], &[("token", "t-first")], None).await;
    assert!(
        run(&s.client, &toolkit, 0, "bob", json!({ "thing_id": "x" })).await.successful,
        "one account: the default"
    );
    let second = connect(&s.store, &toolkit, "bob", &[], &[("token", "t-second")], None).await;
    let result = run(&s.client, &toolkit, 0, "bob", json!({ "thing_id": "x" })).await;
    let error = result.error.unwrap();
    assert!(error.contains("has 2 active accounts") && error.contains(first.id.as_str()), "{error}");

    let options = CallOptions { account: Some(second.id.clone()), ..Default::default() };
    let user = UserId::new("bob");
    let result = s.client.execute_tool(&toolkit, &toolkit.tools[0], &user, &json!({"thing_id": "x"}), &options).await;
    assert!(result.successful);
    assert_eq!(header(server.take().last().unwrap(), "authorization"), "Bearer t-second");

    // Someone else's account cannot be used.
    let options = CallOptions { account: Some(second.id.clone()), ..Default::default() };
    let eve = UserId::new("eve");
    let result = s.client.execute_tool(&toolkit, &toolkit.tools[0], &eve, &json!({"thing_id": "x"}), &options).await;
    assert!(result.error.unwrap().contains("belongs to user `bob`"));

    // An expired account says to reconnect.
    let mut expired = first.clone();
    expired.status = AccountStatus::Expired;
    expired.status_reason = Some("invalid_grant".into());
    s.store.put_account(&expired).await.unwrap();
    s.store.delete_account(&second.id).await.unwrap();
    let result = run(&s.client, &toolkit, 0, "bob", json!({ "thing_id": "x" })).await;
    let error = result.error.unwrap();
    assert!(error.contains("is EXPIRED (invalid_grant); reconnect it"), "{error}");
}

#[tokio::test]
async fn retries_only_idempotent_calls_on_retry_statuses() {
    let server = Server::start().await;
    let s = setup("retries");
    let toolkit = toolkit("retry", &format!("{}/v1", server.origin), "{ scheme: bearer }", "");
    connect(&s.store, &toolkit, "ada", &[], &[("token", "t")], None).await;
    let busy = |status: u16, after: &str| (status, vec![("retry-after", after.to_owned())], b"busy".to_vec());
    let ok = (200, vec![("content-type", "application/json".to_owned())], b"{\"n\":1}".to_vec());

    server.script("/v1/things/a", vec![busy(503, "0"), busy(429, "1"), ok.clone()]);
    let started = std::time::Instant::now();
    let result = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "a" })).await;
    assert_eq!(result.data, json!({"n": 1}), "{result:?}");
    assert_eq!(server.take().len(), 3);
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After: 1 was honoured");
    s.client.flush_logs().await;
    let log = s.store.log(result.log_id.as_ref().unwrap()).await.unwrap().unwrap();
    assert_eq!((log.attempts, log.status, log.successful), (3, Some(200), true));

    // POST is not idempotent: one attempt.
    server.script("/v1/things", vec![busy(503, "0")]);
    let result = run(&s.client, &toolkit, 1, "ada", json!({ "title": "x" })).await;
    assert!(!result.successful);
    assert_eq!(result.data, json!({"status": 503, "body": "busy"}));
    assert_eq!(server.take().len(), 1);

    // A Retry-After beyond the client's limit ends the retries at once.
    server.script("/v1/things/b", vec![busy(429, "3600")]);
    let result = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "b" })).await;
    assert!(result.error.unwrap().contains("429"));
    assert_eq!(server.take().len(), 1);

    // 404 is not retried.
    server.script("/v1/things/c", vec![(404, vec![], b"{\"message\":\"Not Found\"}".to_vec())]);
    let result = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "c" })).await;
    assert_eq!(result.data, json!({"status": 404, "body": {"message": "Not Found"}}));
    assert_eq!(server.take().len(), 1);
}

#[tokio::test]
async fn proxy_requests_and_ssrf_refusals() {
    let server = Server::start().await;
    let s = setup("proxy");
    let base = format!("{}/v1", server.origin);
    let toolkit = toolkit("prox", &base, "{ scheme: api_key, in: header, name: X-Api-Key }", "");
    connect(&s.store, &toolkit, "ada", &[], &[("api_key", SECRETS[0])], None).await;
    let user = UserId::new("ada");
    let options = CallOptions::default();

    let request = ProxyRequest {
        method: toolsmith::catalog::Method::Post,
        endpoint: "/things/search".into(),
        query: vec![("q".into(), "a b".into())],
        headers: vec![("X-Trace".into(), "1".into())],
        body: Some(json!({ "x": 1 })),
    };
    let result = s.client.proxy(&toolkit, &user, &request, &options).await;
    assert!(result.successful, "{result:?}");
    let seen = server.take().pop().unwrap();
    assert_eq!((seen.method.as_str(), seen.path.as_str(), seen.query.as_str()), ("POST", "/v1/things/search", "q=a+b"));
    assert_eq!(header(&seen, "x-api-key"), SECRETS[0]);
    assert_eq!(header(&seen, "x-trace"), "1");

    for endpoint in [
        "http://169.254.169.254/latest/meta-data".to_owned(),
        format!("{}/other", server.origin),
        "/things/../../admin".to_owned(),
    ] {
        let request = ProxyRequest { endpoint: endpoint.clone(), ..Default::default() };
        let result = s.client.proxy(&toolkit, &user, &request, &options).await;
        assert!(!result.successful, "{endpoint}");
        assert!(result.error.as_deref().unwrap().contains("refused"), "{endpoint}: {result:?}");
    }
    let absolute = ProxyRequest { endpoint: format!("{base}/things/1"), ..Default::default() };
    assert!(s.client.proxy(&toolkit, &user, &absolute, &options).await.successful);
    // A protocol-relative endpoint is a path on the toolkit's host, not another host.
    let relative = ProxyRequest { endpoint: "//evil.example/x".into(), ..Default::default() };
    assert!(s.client.proxy(&toolkit, &user, &relative, &options).await.successful);
    let paths: Vec<String> = server.take().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/v1/things/1", "/v1//evil.example/x"], "only the allowed requests were sent");
    assert_no_secret("tracing output", &logs());
}

#[tokio::test]
async fn redirects_to_another_host_do_not_carry_credentials() {
    let server = Server::start().await;
    let elsewhere = Server::start().await;
    let s = setup("redirect");
    let toolkit =
        toolkit("redir", &format!("{}/v1", server.origin), "{ scheme: api_key, in: header, name: X-Api-Key }", "");
    connect(&s.store, &toolkit, "ada", &[], &[("api_key", SECRETS[0])], None).await;
    let to = format!("{}/steal", elsewhere.origin);
    server.script("/v1/things/r", vec![(302, vec![("location", to)], vec![])]);
    let result = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "r" })).await;
    assert!(!result.successful, "a redirect to another origin is not followed: {result:?}");
    assert!(elsewhere.take().is_empty());
}

#[tokio::test]
async fn binary_responses_become_files_and_dry_runs_redact() {
    let server = Server::start().await;
    let s = setup("files");
    let toolkit = toolkit("bin", &format!("{}/v1", server.origin), "{ scheme: api_key, in: query, name: key }", "");
    connect(&s.store, &toolkit, "ada", &[], &[("api_key", SECRETS[1])], None).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0".to_vec();
    server.script("/v1/things/img", vec![(200, vec![("content-type", "image/png".to_owned())], png.clone())]);
    let result = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "img" })).await;
    let file = &result.data["file"];
    assert_eq!(file["content_type"], "image/png");
    assert_eq!(file["size"], png.len());
    assert_eq!(std::fs::read(file["path"].as_str().unwrap()).unwrap(), png);
    assert!(file["path"].as_str().unwrap().ends_with(&format!("{}.png", result.log_id.as_ref().unwrap())));

    server.take();
    let user = UserId::new("ada");
    let dry = s
        .client
        .dry_run(&toolkit, &toolkit.tools[0], &user, &json!({ "thing_id": "x y" }), &CallOptions::default())
        .await
        .unwrap();
    assert_eq!(dry.method, "GET");
    assert_eq!(dry.url, format!("{}/v1/things/x%20y?key=%5BREDACTED%5D", server.origin));
    assert!(server.take().is_empty(), "a dry run sends nothing");
    assert_no_secret("dry run", &serde_json::to_string(&dry).unwrap());

    let bearer = toolkit_with("drybearer", &format!("{}/v1", server.origin), "{ scheme: bearer }");
    connect(&s.store, &bearer, "ada", &[], &[("token", SECRETS[2])], None).await;
    let dry = s
        .client
        .dry_run(&bearer, &bearer.tools[1], &user, &json!({ "title": "t" }), &CallOptions::default())
        .await
        .unwrap();
    // The scheme stays visible, the token does not.
    assert!(dry.headers.contains(&("authorization".into(), "Bearer [REDACTED]".into())), "{dry:?}");
    assert_eq!(dry.body.as_deref(), Some("{\"title\":\"t\"}"));
    assert_no_secret("dry run", &format!("{dry:?}"));
}

#[tokio::test]
async fn execution_log_and_registry_versions() {
    let server = Server::start().await;
    let s = setup("logs");
    let base = format!("{}/v1", server.origin);
    let mut old = toolkit("ver", &base, "{ scheme: bearer }", "");
    old.version = toolsmith::catalog::Version::new("20250101_00");
    old.tools[0].http.path = "/old/{thing_id}".into();
    let new = toolkit("ver", &base, "{ scheme: bearer }", "");
    let registry = Registry::from_toolkits(vec![old, new.clone()]);
    connect(&s.store, &new, "ada", &[], &[("token", SECRETS[2])], None).await;
    let user = UserId::new("ada");

    let latest = registry
        .execute_tool(&s.client, "ver_get_thing", &user, json!({"thing_id": "1"}), &CallOptions::default())
        .await;
    assert!(latest.successful);
    let pinned = CallOptions { version: Some("20250101_00".into()), ..Default::default() };
    let old_call = registry.execute_tool(&s.client, "VER_GET_THING", &user, json!({"thing_id": "1"}), &pinned).await;
    assert!(old_call.successful);
    let paths: Vec<String> = server.take().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/v1/things/1", "/v1/old/1"]);
    let missing = CallOptions { version: Some("20240101_00".into()), ..Default::default() };
    let result = registry.execute_tool(&s.client, "VER_GET_THING", &user, json!({"thing_id": "1"}), &missing).await;
    assert_eq!(
        result.error.as_deref(),
        Some("unknown tool `VER_GET_THING` at version 20240101_00; loaded versions of toolkit `ver`: 20261122_00, 20250101_00")
    );

    let bad =
        registry.execute_tool(&s.client, "VER_GET_THING", &user, json!({"thing": 1}), &CallOptions::default()).await;
    assert!(bad.error.as_deref().unwrap().contains("/thing_id: is required"), "{bad:?}");

    s.client.flush_logs().await;
    let entries = s.store.logs(&LogFilter { user_id: Some(user.clone()), ..Default::default() }).await.unwrap();
    assert_eq!(entries.len(), 3, "every execution with an account or arguments is logged");
    assert_eq!(entries[0].id, *bad.log_id.as_ref().unwrap(), "newest first");
    assert!(!entries[0].successful && entries[0].status.is_none() && entries[0].attempts == 0);
    assert_eq!(entries[2].id, *latest.log_id.as_ref().unwrap());
    assert_eq!((entries[2].status, entries[2].attempts), (Some(200), 1));
    assert!(entries.iter().all(|e| e.tool.as_str() == "VER_GET_THING"));
}

/// Issue 12, item 1: an API that echoes the credential (in an error body, in data, URL-
/// encoded or base64) never gets it into the result, the error, the execution log or
/// the database.
#[tokio::test]
async fn secrets_an_api_echoes_back_are_redacted_from_results_errors_and_logs() {
    use base64::Engine as _;
    let server = Server::start().await;
    let s = setup("echo");
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let key = SECRETS[1];
    let toolkit = toolkit("echo", &format!("{}/v1", server.origin), "{ scheme: api_key, in: query, name: key }", "");
    connect(&s.store, &toolkit, "ada", &[], &[("api_key", key)], None).await;
    let echo =
        format!(r#"{{"error":"invalid key {key}","request":"GET /v1/things/1?key={key}","b64":"{}"}}"#, b64(key));
    server.script("/v1/things/denied", vec![(401, vec![("content-type", "application/json".into())], echo.into())]);
    let denied = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "denied" })).await;
    let error = denied.error.clone().unwrap();
    assert!(error.contains("the API answered 401") && error.contains("invalid key [REDACTED]"), "{error}");
    assert_no_secret("error", &error);
    assert!(!error.contains(&b64(key)), "{error}");

    let data = format!(r#"{{"you_sent":"{key}","{key}":"as a key"}}"#);
    server.script("/v1/things/echo", vec![(200, vec![("content-type", "application/json".into())], data.into())]);
    let echoed = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "echo" })).await;
    assert!(echoed.successful, "{echoed:?}");
    assert_eq!(echoed.data, json!({ "you_sent": "[REDACTED]", "[REDACTED]": "as a key" }));

    // Basic auth: the header the API repeats is the base64 of `user:password`.
    let basic = toolkit_with("echobasic", &format!("{}/v1", server.origin), "{ scheme: basic }");
    connect(&s.store, &basic, "ada", &[("username", "ada")], &[("password", SECRETS[3])], None).await;
    let header = format!("Basic {}", b64(&format!("ada:{}", SECRETS[3])));
    server.script("/v1/things/basic", vec![(403, vec![], format!("refused: {header}").into())]);
    let refused = run(&s.client, &basic, 0, "ada", json!({ "thing_id": "basic" })).await;
    assert_eq!(refused.error.as_deref(), Some("ECHOBASIC_GET_THING: the API answered 403: refused: Basic [REDACTED]"));

    s.client.flush_logs().await;
    let entries = s.store.logs(&LogFilter::default()).await.unwrap();
    let logged: Vec<&str> = entries.iter().filter_map(|e| e.error.as_deref()).collect();
    assert_eq!(logged.len(), 2, "{logged:?}");
    for entry in logged {
        assert_no_secret("execution log", entry);
        assert!(entry.contains("[REDACTED]"), "{entry}");
    }
    assert_no_secret("tracing output", &logs());
    assert_no_secret_in_files(&s.dir);
}

/// Issue 12, item 2: a dry run hides a secret field wherever it lands (here in the base
/// URL, Telegram style), and shows a plain connection field in a header as it is.
#[tokio::test]
async fn dry_runs_hide_secret_fields_in_the_base_url_and_show_plain_ones() {
    let server = Server::start().await;
    let s = setup("drybase");
    let auth = "{ scheme: none, fields: [{ name: token, title: Token, secret: true }, { name: team, title: Team }] }";
    let toolkit = toolkit("botapi", &format!("{}/bot{{token}}", server.origin), auth, "X-Team: '{team}'");
    connect(&s.store, &toolkit, "ada", &[("team", "blue-team")], &[("token", SECRETS[2])], None).await;
    let user = UserId::new("ada");
    let dry = s
        .client
        .dry_run(&toolkit, &toolkit.tools[0], &user, &json!({ "thing_id": "1" }), &CallOptions::default())
        .await
        .unwrap();
    assert_eq!(dry.url, format!("{}/bot[REDACTED]/things/1", server.origin));
    assert!(dry.headers.contains(&("x-team".into(), "blue-team".into())), "{dry:?}");
    assert_no_secret("dry run", &format!("{dry:?}"));
    let sent = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "1" })).await;
    assert!(sent.successful, "{sent:?}");
    assert_eq!(server.take()[0].path, format!("/bot{}/things/1", SECRETS[2]));
}

/// Issue 12, items 14 and 15: a body labelled JSON that is not JSON is an error, and a
/// refused cross-origin redirect says so and where it pointed.
#[tokio::test]
async fn truncated_json_and_refused_redirects_are_errors_that_say_so() {
    let server = Server::start().await;
    let s = setup("shapes");
    let toolkit = toolkit_with("shapes", &format!("{}/v1", server.origin), "{ scheme: none }");
    let truncated = b"{\"items\": [1, 2".to_vec();
    server.script("/v1/things/cut", vec![(200, vec![("content-type", "application/json".into())], truncated)]);
    let cut = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "cut" })).await;
    assert!(!cut.successful && cut.data == json!({}), "{cut:?}");
    let error = cut.error.unwrap();
    assert!(error.contains("labelled `application/json` but its body is not JSON"), "{error}");

    let to = "https://elsewhere.example/login?session=abc".to_owned();
    server.script("/v1/things/moved", vec![(302, vec![("location", to)], vec![])]);
    let moved = run(&s.client, &toolkit, 0, "ada", json!({ "thing_id": "moved" })).await;
    let error = moved.error.unwrap();
    assert!(
        error.contains("a redirect to `https://elsewhere.example/login`; it was not followed")
            && !error.contains("session=abc")
            && !error.contains("{}"),
        "{error}"
    );
}

/// Issue 12, item 5: the scheme's `verify` request runs with the account's credential;
/// the expected status passes, anything else is an error that redacts an echoed key.
#[tokio::test]
async fn verify_runs_the_schemes_check_request() {
    let server = Server::start().await;
    let s = setup("verify");
    let auth = "{ scheme: api_key, in: header, name: X-Api-Key, verify: { method: GET, path: /me } }";
    let toolkit = toolkit("verified", &format!("{}/v1", server.origin), auth, "");
    let good = connect(&s.store, &toolkit, "ada", &[], &[("api_key", SECRETS[0])], None).await;
    assert_eq!(s.client.verify(&toolkit, &good).await.unwrap(), Some(200));
    let seen = server.take();
    assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), ("GET", "/v1/me"));
    assert_eq!(header(&seen[0], "x-api-key"), SECRETS[0]);

    let bad = connect(&s.store, &toolkit, "bob", &[], &[("api_key", SECRETS[1])], None).await;
    server.script("/v1/me", vec![(401, vec![], format!("unknown key {}", SECRETS[1]).into())]);
    let error = s.client.verify(&toolkit, &bad).await.unwrap_err().to_string();
    assert_eq!(
        error,
        "VERIFIED_VERIFY: the credential did not pass toolkit `verified`'s check: GET /me answered 401 (expected 200): \
         unknown key [REDACTED]"
    );
    let unchecked = toolkit_with("unchecked", &format!("{}/v1", server.origin), "{ scheme: bearer }");
    let account = connect(&s.store, &unchecked, "ada", &[], &[("token", SECRETS[2])], None).await;
    assert_eq!(s.client.verify(&unchecked, &account).await.unwrap(), None, "no verify: nothing is sent");
    assert!(server.take().len() == 1);
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} contains the secret {secret}:\n{text}");
    }
}

/// The store's files (database, WAL) hold no secret in clear.
fn assert_no_secret_in_files(dir: &std::path::Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert_no_secret(&entry.path().display().to_string(), &text);
        }
    }
}

/// Issue 12, item 4: a Trello-like import (two query keys required together, declared
/// as parameters too) sends each key exactly once, from the account, and hides both
/// in dry runs.
#[tokio::test]
async fn imported_keys_required_together_are_each_sent_once() {
    let server = Server::start().await;
    let s = setup("trello");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog/tests/fixtures/openapi/trello-like.yaml");
    let options = toolsmith::catalog::openapi::ImportOptions::new("trello");
    let mut toolkit = toolsmith::catalog::openapi::import_file(fixture.as_ref(), &options).unwrap().toolkit;
    toolkit.base_url = format!("{}/1", server.origin);
    connect(&s.store, &toolkit, "ada", &[], &[("api_key", SECRETS[0]), ("token", SECRETS[2])], None).await;

    let result = run(&s.client, &toolkit, 0, "ada", json!({ "id": "b1", "fields": "name" })).await;
    assert!(result.successful, "{result:?}");
    let seen = server.take().pop().unwrap();
    assert_eq!(seen.path, "/1/boards/b1");
    assert_eq!(seen.query, format!("fields=name&key={}&token={}", SECRETS[0], SECRETS[2]));

    let user = UserId::new("ada");
    let args = json!({ "idList": "l1" });
    let dry = s.client.dry_run(&toolkit, &toolkit.tools[1], &user, &args, &CallOptions::default()).await.unwrap();
    assert_eq!(dry.url, format!("{}/1/cards?idList=l1&key=%5BREDACTED%5D&token=%5BREDACTED%5D", server.origin));
    assert_no_secret("dry run", &serde_json::to_string(&dry).unwrap());
}
