//! The oidc-provider authorization server of `runtime/tests/oauth-server/`, started the
//! way `runtime/tests/oauth-server/harness.rs` does (that harness cannot be shared: it
//! finds the server from the runtime crate's manifest directory and brings the runtime
//! test's token endpoints and log capture along), and a user driving its dev login and
//! consent forms. Shared with `server/tests/link_oauth.rs` and `connect_browser.rs` (included
//! there by path).
// Each test binary uses a different part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{redirect, StatusCode, Url};

/// The redirect URI registered for the server's clients.
pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1/callback";

fn server_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../runtime/tests/oauth-server")
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
        AuthServer::start_with_access_ttl(60).await
    }

    /// The same, its access tokens living `seconds`.
    pub(crate) async fn start_with_access_ttl(seconds: u64) -> AuthServer {
        let server = tokio::task::spawn_blocking(move || AuthServer::start_blocking(seconds)).await.unwrap();
        let url = format!("{}/.well-known/openid-configuration", server.base);
        for _ in 0..200 {
            if reqwest::get(&url).await.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("discovery at {url} did not answer: {}", server.stderr.lock().unwrap());
    }

    fn start_blocking(access_ttl: u64) -> AuthServer {
        let dir = server_dir();
        // Tests start servers in parallel: one `npm ci` at a time, and only when needed.
        static INSTALL: Mutex<()> = Mutex::new(());
        let _installing = INSTALL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !dir.join("node_modules/oidc-provider/package.json").exists() {
            let out = Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir).output().unwrap();
            assert!(
                out.status.success(),
                "`npm ci` in {} failed: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut child = Command::new("node")
            .args(["server.mjs".to_owned(), "0".to_owned(), access_ttl.to_string()])
            .current_dir(&dir)
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
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(base) => AuthServer { child, base, stderr },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the authorization server did not start: {}", stderr.lock().unwrap());
            }
        }
    }
}

impl AuthServer {
    /// How many `POST /token` requests the server has received (its `GET /__stats`).
    pub(crate) async fn token_requests(&self) -> u64 {
        let stats: serde_json::Value =
            reqwest::get(format!("{}/__stats", self.base)).await.unwrap().json().await.unwrap();
        stats["token_requests"].as_u64().unwrap()
    }
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the user does on the provider's pages.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum User {
    Consents,
    Denies,
}

/// Opens `url` as a browser would, signs in as `alice`, consents or denies, and returns
/// the query of the last redirect (to the redirect URI), which is not followed.
pub(crate) async fn authorize(url: Url, user: User) -> BTreeMap<String, String> {
    authorize_to(url, user, REDIRECT_URI).await.query_pairs().into_owned().collect()
}

/// The same for any redirect URI: the URL the provider redirects to (starting with
/// `redirect_prefix`, any port on the loopback for a native client), not followed.
pub(crate) async fn authorize_to(url: Url, user: User, redirect_prefix: &str) -> Url {
    let http = reqwest::Client::builder().redirect(redirect::Policy::none()).build().unwrap();
    let mut url = url;
    let mut jar = BTreeMap::<String, String>::new();
    let mut form: Option<Vec<(&str, &str)>> = None;
    for _ in 0..20 {
        let request = match form.take() {
            Some(fields) => http.post(url.clone()).form(&fields),
            None => http.get(url.clone()),
        };
        let cookie = jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let response = request.header(COOKIE, cookie).send().await.unwrap();
        for set in response.headers().get_all(SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
            if value.is_empty() || set.contains("expires=Thu, 01 Jan 1970") {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        if status.is_redirection() {
            let next = url.join(response.headers()[LOCATION].to_str().unwrap()).unwrap();
            if next.as_str().starts_with(redirect_prefix) {
                return next;
            }
            url = next;
            continue;
        }
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        assert!(url.path().starts_with("/interaction/"), "unexpected page {url}: {body}");
        if body.contains(r#"name="prompt" value="login""#) {
            form = Some(vec![("prompt", "login"), ("login", "alice"), ("password", "any")]);
        } else {
            assert!(body.contains(r#"name="prompt" value="consent""#), "unexpected form: {body}");
            if user == User::Denies {
                url = Url::parse(&format!("{}/abort", url.as_str().trim_end_matches('/'))).unwrap();
            } else {
                form = Some(vec![("prompt", "consent")]);
            }
        }
    }
    panic!("the authorization flow did not end at the redirect URI");
}
