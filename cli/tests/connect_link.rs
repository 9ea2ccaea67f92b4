//! `toolsmith accounts connect` for an OAuth 2.0 toolkit, and `accounts reconnect`: the
//! command prints a Connect Link and waits while a user goes through a real authorization
//! server (oidc-provider) — served by the command itself, or by a `toolsmith serve` of the
//! same home already running.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "../../auth/tests/oidc/mod.rs"]
mod oidc;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::toolsmith;
use oidc::{AuthServer, User};
use reqwest::Url;

/// A home and a catalog holding `demo`, whose only scheme is the provider's OAuth 2.0.
struct Setup {
    /// Kept running for the test's length.
    _provider: AuthServer,
    home: PathBuf,
    catalog: PathBuf,
}

impl Setup {
    async fn new(name: &str) -> Setup {
        let provider = AuthServer::start().await;
        let dir = std::env::temp_dir().join(format!("toolsmith-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (home, catalog) = (dir.join("home"), dir.join("catalog"));
        std::fs::create_dir_all(catalog.join("demo")).unwrap();
        std::fs::write(
            catalog.join("demo/toolkit.yaml"),
            format!(
                "slug: demo\nname: Demo\ndescription: A demo toolkit for tests.\nversion: 20261122_00\n\
                 base_url: https://api.example.com\n\
                 auth: [{{ scheme: oauth2, authorization_url: '{base}/auth', token_url: '{base}/token', \
                 scopes: {{ default: [openid, offline_access, 'api:read'] }}, authorize_params: {{ prompt: consent }} }}]\n\
                 tools:\n  - {{ slug: DEMO_ME, name: Me, description: The signed-in user., \
                 http: {{ method: GET, path: /me }}, input: {{ type: object }} }}\n",
                base = provider.base
            ),
        )
        .unwrap();
        Setup { _provider: provider, home, catalog }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        toolsmith(&self.home, &self.catalog, args, "")
    }

    /// The oauth2 auth config with the provider's `link-client`.
    fn register_app(&self) {
        let out = self.run(&[
            "auth-configs",
            "create",
            "--toolkit",
            "demo",
            "--client-id",
            "link-client",
            "--client-secret",
            "link-client-secret-3d7a",
            "--no-builtin",
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    /// `toolsmith args`, running, its standard output line by line.
    fn spawn(&self, args: &[&str]) -> (Child, mpsc::Receiver<String>) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
            .args(args)
            .env("TOOLSMITH_HOME", &self.home)
            .env("TOOLSMITH_CATALOG", &self.catalog)
            .env_remove("TOOLSMITH_SECRET_KEY")
            .env_remove("TOOLSMITH_ADDR")
            .env_remove("TOOLSMITH_PUBLIC_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        (child, rx)
    }

    /// The account store of the home, as the command leaves it.
    fn store(&self) -> toolsmith::store::SqliteStore {
        let keys = toolsmith::store::KeyRing::load(&self.home).unwrap();
        toolsmith::store::SqliteStore::open(self.home.join("toolsmith.db"), keys).unwrap()
    }
}

/// Lines until the Connect Link's: `(lines so far, link)`.
fn read_link(lines: &mpsc::Receiver<String>) -> (Vec<String>, String) {
    let mut seen = Vec::new();
    loop {
        let line = lines.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("no link in {seen:?}"));
        seen.push(line.clone());
        if let Some(link) = line.trim().strip_prefix("http://") {
            return (seen, format!("http://{link}"));
        }
    }
}

/// The user opens `link`, goes through the provider, and lands on the callback; the
/// callback page's status and body.
async fn user_goes_through(link: &str, user: User) -> (u16, String) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = http.get(link).send().await.unwrap();
    assert_eq!(page.status(), 303, "{link}");
    let provider = Url::parse(page.headers()["location"].to_str().unwrap()).unwrap();
    let origin = Url::parse(link).unwrap();
    let prefix = format!("{}link/callback", origin.join("/").unwrap());
    let callback = oidc::authorize_to(provider, user, &prefix).await;
    let landed = http.get(callback).send().await.unwrap();
    (landed.status().as_u16(), landed.text().await.unwrap())
}

/// A command that printed a Connect Link, after the user went through it.
struct Run {
    /// The link printed.
    link: String,
    /// The status of the callback page the user landed on.
    page: u16,
    /// The command's exit code.
    code: i32,
    /// All of its standard output.
    stdout: String,
    /// Its standard error.
    stderr: String,
}

impl Run {
    /// The account JSON the command printed last.
    fn account(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout[self.stdout.find('{').unwrap()..]).unwrap()
    }
}

/// Runs `toolsmith args`, reads the link it prints, lets the user go through it as
/// `user`, and waits for the command.
async fn through_link(s: &Setup, args: &[&str], user: User) -> Run {
    let (mut child, lines) = s.spawn(args);
    let (before, link) = read_link(&lines);
    let (page, body) = user_goes_through(&link, user).await;
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let mut out = before;
    out.extend(lines.iter());
    let run = Run { link, page, code: status.code().unwrap(), stdout: out.join("\n"), stderr };
    assert!(body.contains(if user == User::Consents { "onnected" } else { "denied" }), "{body}");
    run
}

/// Standard output with what changes from run to run replaced.
fn redacted(stdout: &str, link: &str) -> String {
    let mut text = stdout.replace(link, "http://127.0.0.1:[PORT]/link/[TOKEN]");
    if let (Some(from), Some(to)) = (text.find("until "), text.find("; Ctrl-C")) {
        text.replace_range(from + "until ".len()..to, "[TIME]");
    }
    let is_time = |t: &str| t.len() == 20 && t.as_bytes()[4] == b'-' && t.ends_with('Z');
    let pieces: Vec<String> = text
        .split('"')
        .map(|piece| match piece {
            p if p.starts_with("ca_") => "[ACCOUNT]".to_owned(),
            p if p.starts_with("ac_") => "[AUTH_CONFIG]".to_owned(),
            p if is_time(p) => "[TIME]".to_owned(),
            p => p.to_owned(),
        })
        .collect();
    pieces.join("\"")
}

fn connect_args(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["accounts", "connect", "--toolkit", "demo", "--user", "ada", "--no-builtin"];
    args.extend(extra);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_prints_a_link_serves_its_page_and_waits_until_the_user_authorizes() {
    let s = Setup::new("connect-link").await;
    s.register_app();
    let run = through_link(&s, &connect_args(&["--addr", "127.0.0.1:0"]), User::Consents).await;
    assert_eq!((run.page, run.code), (200, 0), "{}\n{}", run.stdout, run.stderr);
    insta::assert_snapshot!("connect_link_active", redacted(&run.stdout, &run.link));
    let json = run.account();
    assert_eq!((json["status"].as_str(), json["secrets"][0].as_str()), (Some("ACTIVE"), Some("oauth2_tokens")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_authorization_exits_1_with_the_reason() {
    let s = Setup::new("connect-link-denied").await;
    s.register_app();
    let run = through_link(&s, &connect_args(&["--addr", "127.0.0.1:0"]), User::Denies).await;
    assert_eq!((run.page, run.code), (403, 1), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("failed (FAILED): the user denied access"), "{}", run.stderr);
    assert!(run.stderr.contains("run the command again"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_app_or_in_time_the_command_says_what_to_do() {
    let s = Setup::new("connect-link-errors").await;
    let out = s.run(&connect_args(&["--public-url", "http://127.0.0.1:9999"]));
    // miette wraps lines: compare words.
    let words: Vec<String> = String::from_utf8_lossy(&out.stderr).split_whitespace().map(str::to_owned).collect();
    let stderr = words.iter().filter(|w| *w != "│").cloned().collect::<Vec<_>>().join(" ");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("connects through OAuth 2.0 only"), "{stderr}");
    assert!(stderr.contains("toolsmith auth-configs create --toolkit demo --client-id"), "{stderr}");
    assert!(stderr.contains("http://127.0.0.1:9999/link/callback"), "{stderr}");

    s.register_app();
    let out = s.run(&connect_args(&["--addr", "127.0.0.1:0", "--timeout", "1s"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("expired after 1s without the user finishing it"), "{stderr}");
    assert!(stderr.contains("--timeout"), "{stderr}");
    let listed = String::from_utf8_lossy(&s.run(&["accounts", "list"]).stdout).into_owned();
    assert!(listed.contains("FAILED"), "{listed}");
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until `url` answers.
async fn until_up(url: &str) {
    for _ in 0..200 {
        if reqwest::get(url).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not answer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_through_a_running_server_keeps_the_account_id() {
    use toolsmith::store::{AccountStatus, ConnectedAccounts as _};
    let s = Setup::new("connect-link-reconnect").await;
    s.register_app();
    let run = through_link(&s, &connect_args(&["--addr", "127.0.0.1:0", "--alias", "work"]), User::Consents).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let id = run.account()["id"].as_str().unwrap().to_owned();

    // The token can no longer be refreshed: EXPIRED.
    let store = s.store();
    let parsed = toolsmith::ConnectedAccountId::parse(&id).unwrap();
    let mut account = store.account(&parsed).await.unwrap().unwrap();
    let old = account.credentials.oauth2.clone().unwrap();
    account.status = AccountStatus::Expired;
    store.put_account(&account).await.unwrap();

    // `toolsmith serve` of the same home shows the page; the command only waits.
    let port = free_port().to_string();
    let addr = format!("127.0.0.1:{port}");
    let (mut server, _) = s.spawn(&["serve", "--addr", &addr, "--no-builtin"]);
    until_up(&format!("http://{addr}/healthz")).await;
    let run =
        through_link(&s, &["accounts", "reconnect", "work", "--addr", &addr, "--no-builtin"], User::Consents).await;
    let _ = server.kill();
    let _ = server.wait();
    assert!(run.link.starts_with(&format!("http://{addr}/link/")), "{}", run.link);
    assert_eq!((run.page, run.code), (200, 0), "{}\n{}", run.stdout, run.stderr);
    let again = run.account();
    assert_eq!((again["id"].as_str(), again["status"].as_str()), (Some(id.as_str()), Some("ACTIVE")));
    assert_eq!(again["alias"], "work");
    let account = store.account(&parsed).await.unwrap().unwrap();
    use secrecy::ExposeSecret as _;
    let new = account.credentials.oauth2.unwrap();
    assert_ne!(new.access_token.expose_secret(), old.access_token.expose_secret());

    // An ACTIVE account is not reconnected.
    let out = s.run(&["accounts", "reconnect", &id, "--addr", "127.0.0.1:0", "--no-builtin"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is ACTIVE: it is connected"), "{stderr}");
}
