//! The official Composio Python SDK (0.30.0, unchanged) against the server: every call of
//! issue 14's first "done when" point, run by `composio_sdk/driver.py` against a server on
//! loopback whose GitHub toolkit points at a local GitHub-like API.
//!
//! The SDK is installed once into `<target>/venvs/composio` with the pinned recipe of
//! `composio-sdk-wire.md` (needs `python3` with `venv` and the package index).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod support;

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use support::{composio_venv, run_with_limit};

/// The personal access token of the user's GitHub account; the local API accepts only it.
const TOKEN: &str = "ghp_composio_sdk";

/// What the local API saw: method and path, authorization header, issue title.
type Seen = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;

/// A GitHub-like API on loopback: the repository, issue creation, the user.
async fn github_api(seen: Seen) -> String {
    fn authorized(headers: &HeaderMap) -> Option<String> {
        headers.get("authorization").map(|v| v.to_str().unwrap().to_owned())
    }
    fn refuse() -> (StatusCode, Json<Value>) {
        (StatusCode::UNAUTHORIZED, Json(json!({"message": "Bad credentials"})))
    }
    async fn repo(
        State(seen): State<Seen>,
        UrlPath((owner, repo)): UrlPath<(String, String)>,
        headers: HeaderMap,
    ) -> (StatusCode, Json<Value>) {
        let auth = authorized(&headers);
        seen.lock().unwrap().push((format!("GET /repos/{owner}/{repo}"), auth.clone(), None));
        if auth != Some(format!("Bearer {TOKEN}")) {
            return refuse();
        }
        let repository = json!({"id": 1296269, "name": repo, "full_name": format!("{owner}/{repo}"), "default_branch": "main", "private": false});
        (StatusCode::OK, Json(repository))
    }
    async fn issue(
        State(seen): State<Seen>,
        UrlPath((owner, repo)): UrlPath<(String, String)>,
        headers: HeaderMap,
        Json(body): Json<Value>,
    ) -> (StatusCode, Json<Value>) {
        let auth = authorized(&headers);
        let title = body["title"].as_str().map(String::from);
        seen.lock().unwrap().push((format!("POST /repos/{owner}/{repo}/issues"), auth.clone(), title));
        if auth != Some(format!("Bearer {TOKEN}")) {
            return refuse();
        }
        let issue = json!({"number": 42, "title": body["title"], "html_url": format!("https://github.com/{owner}/{repo}/issues/42"), "state": "open"});
        (StatusCode::CREATED, Json(issue))
    }
    async fn user(State(seen): State<Seen>, headers: HeaderMap) -> (StatusCode, Json<Value>) {
        let auth = authorized(&headers);
        seen.lock().unwrap().push(("GET /user".into(), auth.clone(), None));
        if auth != Some(format!("Bearer {TOKEN}")) {
            return refuse();
        }
        (StatusCode::OK, Json(json!({"login": "ada-gh", "id": 7})))
    }
    let app = Router::new()
        .route("/repos/{owner}/{repo}", get(repo))
        .route("/repos/{owner}/{repo}/issues", post(issue))
        .route("/user", get(user))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Runs a script of `composio_sdk/` (killed after `limit`); its stdout, stderr and exit code.
fn run_driver(python: &Path, script: &str, env: &[(&str, String)], limit: Duration) -> (String, String, Option<i32>) {
    let driver = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/composio_sdk").join(script);
    let mut command = Command::new(python);
    command.arg(&driver);
    for variable in ["COMPOSIO_API_KEY", "COMPOSIO_BASE_URL", "COMPOSIO_CUSTOM_HEADERS"] {
        command.env_remove(variable);
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
    run_with_limit(&mut command, limit)
}

/// The SDK's venv, installed once even when both tests start at the same time.
fn venv() -> PathBuf {
    static VENV: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    VENV.get_or_init(composio_venv).clone()
}

/// Runs `script` (whose text is `source`) against the server at `url` as `ada` with her
/// GitHub account, and checks that every call it registers printed one line, all ok.
async fn run_all_ok(
    python: PathBuf,
    script: &'static str,
    source: &str,
    url: String,
    key: &toolsmith_store::ApiKeySecret,
    github: &toolsmith_store::ConnectedAccount,
    limit_secs: u64,
) {
    let env = [
        ("TOOLSMITH_URL", url),
        ("TOOLSMITH_API_KEY", key.expose().to_owned()),
        ("TOOLSMITH_USER", "ada".to_owned()),
        ("TOOLSMITH_GITHUB_ACCOUNT", github.id.as_str().to_owned()),
    ];
    let limit = Duration::from_secs(limit_secs);
    let (stdout, stderr, code) =
        tokio::task::spawn_blocking(move || run_driver(&python, script, &env, limit)).await.unwrap();
    let lines: Vec<Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let failed: Vec<String> =
        lines.iter().filter(|l| l["ok"] != json!(true)).map(|l| format!("- {}: {}", l["call"], l["detail"])).collect();
    eprintln!("{script}: {} SDK calls ok, {} failed", lines.len() - failed.len(), failed.len());
    assert!(
        failed.is_empty() && code == Some(0),
        "the SDK failed {} call(s) of {script} (exit code {code:?}):\n{}\n--- stdout\n{stdout}--- stderr\n{stderr}",
        failed.len(),
        failed.join("\n")
    );
    let calls = source.matches("\n@call(").count();
    assert_eq!(lines.len(), calls, "one line per call:\n{stdout}\n{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_runs_unchanged() {
    let python = tokio::task::spawn_blocking(venv).await.unwrap();

    let seen = Seen::default();
    let api = github_api(seen.clone()).await;
    let (url, key, github, _) = support::github_server("sdk", api, TOKEN, std::future::pending()).await;

    run_all_ok(python, "driver.py", include_str!("composio_sdk/driver.py"), url, &key, &github, 300).await;

    // What the agent turns and direct calls did upstream, with the user's token.
    let seen = seen.lock().unwrap().clone();
    let bearer = Some(format!("Bearer {TOKEN}"));
    for title in ["From OpenAI", "From Anthropic"] {
        let created = ("POST /repos/octo/hello/issues".to_owned(), bearer.clone(), Some(title.to_owned()));
        assert!(seen.contains(&created), "{title}: {seen:?}");
    }
    assert!(seen.contains(&("GET /repos/octo/hello".to_owned(), bearer.clone(), None)), "{seen:?}");
    assert!(seen.contains(&("GET /user".to_owned(), bearer, None)), "{seen:?}");
}

/// The SDK's trigger calls (`composio_sdk/triggers.py`): trigger types listed and found,
/// an instance created for the account (and again for the user: the same one), a config
/// that breaks the schema refused with the JSON path in the SDK's error, an unknown type
/// as `TriggerTypeNotFound`, then listed, disabled, enabled and deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_manages_triggers() {
    let python = tokio::task::spawn_blocking(venv).await.unwrap();
    let api = github_api(Seen::default()).await;
    let (url, key, github, _) = support::github_server("sdk-triggers", api, TOKEN, std::future::pending()).await;
    run_all_ok(python, "triggers.py", include_str!("composio_sdk/triggers.py"), url, &key, &github, 120).await;
}
