//! Test harness for `runtime/tests/oauth_refresh.rs`: the oidc-provider authorization
//! server of this folder (installed with `npm ci` when `node_modules` is missing, started
//! on a free loopback port, killed on drop), an authorization-code + PKCE flow through its
//! dev login and consent forms, small axum token endpoints, and a capture of every tracing
//! event and `log` record of the test process.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{redirect, StatusCode, Url};

/// Where the dev flow sends the browser back; registered for the server's clients.
pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1/callback";

fn server_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oauth-server")
}

/// `npm ci` once per test process, when the dependencies are missing.
fn install_node_modules() {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = server_dir();
    if dir.join("node_modules/oidc-provider/package.json").exists() {
        return;
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .output()
        .expect("run `npm ci` (Node 20 and npm must be installed)");
    assert!(out.status.success(), "`npm ci` in {} failed: {}", dir.display(), String::from_utf8_lossy(&out.stderr));
}

/// A running `node server.mjs`, killed on drop.
pub(crate) struct AuthServer {
    child: Child,
    /// Its issuer, `http://127.0.0.1:<port>`.
    pub base: String,
    stderr: Arc<Mutex<String>>,
}

impl AuthServer {
    pub(crate) async fn start() -> AuthServer {
        tokio::task::spawn_blocking(AuthServer::start_blocking).await.unwrap().ready().await
    }

    fn start_blocking() -> AuthServer {
        install_node_modules();
        let mut child = Command::new("node")
            .arg("server.mjs")
            .arg("0")
            .current_dir(server_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start `node server.mjs`");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = err_pipe.read_to_string(&mut text);
            sink.lock().unwrap().push_str(&text);
        });
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening ") {
                    let _ = tx.send(url.to_owned());
                }
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(200));
                panic!("the authorization server did not start: {}", stderr.lock().unwrap());
            }
        };
        AuthServer { child, base, stderr }
    }

    /// Waits until discovery answers.
    async fn ready(self) -> AuthServer {
        let url = format!("{}/.well-known/openid-configuration", self.base);
        for _ in 0..200 {
            if let Ok(response) = reqwest::get(&url).await {
                if response.status().is_success() {
                    return self;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("discovery at {url} did not answer: {}", self.stderr.lock().unwrap());
    }

    pub(crate) fn token_url(&self) -> String {
        format!("{}/token", self.base)
    }

    /// POST /token requests received so far.
    pub(crate) async fn token_requests(&self) -> u64 {
        let stats: serde_json::Value =
            reqwest::get(format!("{}/__stats", self.base)).await.unwrap().json().await.unwrap();
        stats["token_requests"].as_u64().unwrap()
    }

    /// Tokens from the authorization-code flow with PKCE, driven through the dev login
    /// and consent forms without following redirects. `basic` picks
    /// `client_secret_basic`, else the secret goes in the body.
    pub(crate) async fn authorize(&self, client_id: &str, client_secret: &str, basic: bool) -> Tokens {
        let http = reqwest::Client::builder().redirect(redirect::Policy::none()).build().unwrap();
        let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
        let mut url = Url::parse_with_params(
            &format!("{}/auth", self.base),
            [
                ("client_id", client_id),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT_URI),
                ("scope", "openid offline_access api:read"),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
                ("state", "state-1"),
                ("prompt", "consent"),
            ],
        )
        .unwrap();
        let mut jar = BTreeMap::<String, String>::new();
        let mut form: Option<Vec<(&str, &str)>> = None;
        let code = 'flow: {
            for _ in 0..20 {
                let request = match form.take() {
                    Some(fields) => http.post(url.clone()).form(&fields),
                    None => http.get(url.clone()),
                };
                let cookie = jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
                let response = request.header(COOKIE, cookie).send().await.unwrap();
                for set in response.headers().get_all(SET_COOKIE) {
                    let pair = set.to_str().unwrap().split(';').next().unwrap();
                    let (name, value) = pair.split_once('=').unwrap();
                    let gone = set.to_str().unwrap().contains("expires=Thu, 01 Jan 1970");
                    if gone || value.is_empty() {
                        jar.remove(name);
                    } else {
                        jar.insert(name.to_owned(), value.to_owned());
                    }
                }
                let status = response.status();
                if status.is_redirection() {
                    let location = response.headers()[LOCATION].to_str().unwrap();
                    let next = url.join(location).unwrap();
                    if next.as_str().starts_with(REDIRECT_URI) {
                        let params: BTreeMap<_, _> = next.query_pairs().into_owned().collect();
                        assert_eq!(params.get("state").map(String::as_str), Some("state-1"));
                        break 'flow params["code"].clone();
                    }
                    url = next;
                    continue;
                }
                let body = response.text().await.unwrap();
                assert_eq!(status, StatusCode::OK, "{url}: {body}");
                assert!(url.path().starts_with("/interaction/"), "unexpected page {url}: {body}");
                form = Some(if body.contains(r#"name="prompt" value="login""#) {
                    vec![("prompt", "login"), ("login", "alice"), ("password", "any")]
                } else {
                    assert!(body.contains(r#"name="prompt" value="consent""#), "unexpected form: {body}");
                    vec![("prompt", "consent")]
                });
            }
            panic!("the authorization flow did not end at the redirect URI");
        };
        let mut fields = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code),
            ("redirect_uri", REDIRECT_URI.to_owned()),
            ("code_verifier", verifier.secret().clone()),
        ];
        let mut request = http.post(self.token_url());
        if basic {
            request = request.basic_auth(client_id, Some(client_secret));
        } else {
            fields.push(("client_id", client_id.to_owned()));
            fields.push(("client_secret", client_secret.to_owned()));
        }
        let response = request.form(&fields).send().await.unwrap();
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "code exchange: {body}");
        Tokens::from_json(&body)
    }

    /// A refresh sent by someone else (another client copy): rotates the refresh token.
    pub(crate) async fn refresh_directly(&self, client_id: &str, client_secret: &str, refresh_token: &str) -> Tokens {
        let response = reqwest::Client::new()
            .post(self.token_url())
            .basic_auth(client_id, Some(client_secret))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        Tokens::from_json(&response.json().await.unwrap())
    }
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Tokens as a token endpoint returned them.
#[derive(Clone, Debug)]
pub(crate) struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: Option<u64>,
}

impl Tokens {
    fn from_json(body: &serde_json::Value) -> Tokens {
        Tokens {
            access_token: body["access_token"].as_str().expect("access_token").to_owned(),
            refresh_token: body["refresh_token"].as_str().map(str::to_owned),
            expires_in: body["expires_in"].as_u64(),
        }
    }
}

/// One request an axum token endpoint received.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
}

/// What an axum token endpoint answers: status, content type and body (for a 3xx status,
/// the body is also the `Location`).
pub(crate) type Answer = Arc<dyn Fn(&Received) -> (u16, &'static str, String) + Send + Sync>;

/// A token endpoint on a loopback port that records every request and answers with
/// `answer`, after `delay`.
pub(crate) struct FakeEndpoint {
    pub base: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl FakeEndpoint {
    pub(crate) async fn start(delay: Duration, answer: Answer) -> FakeEndpoint {
        use axum::body::Bytes;
        use axum::http::{HeaderMap, Uri};

        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        let handler = move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let (log, answer) = (Arc::clone(&log), Arc::clone(&answer));
            async move {
                let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                let request = Received {
                    path: uri.path().to_owned(),
                    authorization: header("authorization"),
                    content_type: header("content-type"),
                    body: String::from_utf8_lossy(&body).into_owned(),
                };
                log.lock().unwrap().push(request.clone());
                tokio::time::sleep(delay).await;
                let (status, content_type, body) = answer(&request);
                let mut response =
                    axum::response::Response::builder().status(status).header("content-type", content_type);
                if (300..400).contains(&status) {
                    response = response.header("location", body.as_str());
                }
                response.body(axum::body::Body::from(body)).unwrap()
            }
        };
        let app = axum::Router::new().fallback(axum::routing::post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeEndpoint { base, received }
    }

    pub(crate) fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Everything traced or logged in this test process (all tests), as text.
pub(crate) fn captured() -> String {
    CAPTURED.lock().unwrap().clone()
}

static CAPTURED: Mutex<String> = Mutex::new(String::new());

/// Installs the capture of every tracing event and span field and every `log` record,
/// at all levels, once per process.
pub(crate) fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        tracing::subscriber::set_global_default(Capture::default()).expect("no other tracing subscriber");
        log::set_logger(&LogCapture).expect("no other logger");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

#[derive(Default)]
struct Capture {
    next_span: AtomicU64,
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

fn push(line: String) {
    let mut all = CAPTURED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    all.push_str(&line);
    all.push('\n');
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = format!("span {} {}:", span.metadata().target(), span.metadata().name());
        span.record(&mut Fields(&mut line));
        push(line);
        tracing::span::Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = "span record:".to_owned();
        values.record(&mut Fields(&mut line));
        push(line);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = format!("{} {}:", event.metadata().level(), event.metadata().target());
        event.record(&mut Fields(&mut line));
        push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

struct LogCapture;

impl log::Log for LogCapture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        push(format!("{} {}: {}", record.level(), record.target(), record.args()));
    }
    fn flush(&self) {}
}
