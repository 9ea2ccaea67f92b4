//! Helpers of the tests that run an official SDK as a child process, or a server over a
//! local GitHub-like API.
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Cargo's target directory (the test binary is `<target>/<profile>/deps/<name>`), where
/// the tests keep the SDKs and runtimes they install.
pub(crate) fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    match exe.ancestors().nth(3) {
        Some(dir) if exe.parent().is_some_and(|p| p.ends_with("deps")) => dir.to_owned(),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
    }
}

/// Runs `command` to completion; panics with its output unless it succeeds.
pub(crate) fn run(what: &str, command: &mut Command) {
    let out = command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `command`, killed after `limit`: its stdout, its stderr and its exit code (`None`
/// when killed or ended by a signal).
pub(crate) fn run_with_limit(command: &mut Command, limit: Duration) -> (String, String, Option<i32>) {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("piped stderr")));
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("the child's status") {
            break status.code();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (stdout.join().unwrap_or_default(), stderr.join().unwrap_or_default(), code)
}

/// Starts a server over the built-in catalog with `github` served by `api`, in a new
/// project whose user `ada` has a GitHub bearer account with `token`; it stops when
/// `shutdown` completes. Returns the server's URL, the project's key and the account.
pub(crate) async fn github_server(
    project: &str,
    api: String,
    token: &str,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> (
    String,
    toolsmith_store::ApiKeySecret,
    toolsmith_store::ConnectedAccount,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    use std::sync::Arc;
    let projects = Arc::new(toolsmith_server::testing::MemoryProjects::default());
    let (project, key) = projects.add(project);
    let registry =
        toolsmith_runtime::Registry::from_toolkits(toolsmith_builtin::toolkits().expect("the built-in catalog"));
    let account = toolsmith_auth::connect(
        &*projects.store(&project).expect("the project's store"),
        registry.toolkit("github").expect("the github toolkit"),
        toolsmith_auth::StaticCredential {
            scheme: Some("bearer".into()),
            values: std::collections::BTreeMap::from([("token".to_owned(), secrecy::SecretString::from(token))]),
            ..toolsmith_auth::StaticCredential::new("ada")
        },
    )
    .await
    .expect("ada's GitHub account");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    let state = toolsmith_server::AppState::with_base_urls(
        Arc::new(toolsmith_runtime::ToolSearch::new(&registry)),
        projects,
        toolsmith_server::ServerOptions::new(url.parse().expect("a URL")),
        vec![("github".into(), api)],
    );
    let server = tokio::spawn(toolsmith_server::serve(listener, state, shutdown));
    (url, key, account, server)
}

/// The SDK's dependencies, then the SDK itself (installed with `--no-deps --pre`): the
/// recipe of `shared/reference/composio-sdk-wire.md`, pinned.
const DEPENDENCIES: &[&str] = &[
    "pysher==1.0.8",
    "websocket-client<2",
    "pydantic>=2.11.9,<3",
    "typing-extensions>=4.16",
    "openai>=2.48,<4",
    "json-schema-to-pydantic>=0.4.11,<1",
    "jsonschema>=4.23,<5",
    "requests>=2.32.4,<3",
    "urllib3>=2.7,<3",
    "certifi",
    "httpx",
    "anyio",
    "distro",
    "sniffio",
    "anthropic>=0.120.0,<3",
];
const SDK: &[&str] =
    &["composio-client==2.0.0rc19", "composio==0.30.0", "composio-openai==0.30.0", "composio-anthropic==0.30.0"];

/// The venv's python, after installing the recipe unless the venv already has it (a
/// marker file holds the recipe it was built with).
pub(crate) fn composio_venv() -> PathBuf {
    let venv = target_dir().join("venvs/composio");
    let python = venv.join("bin/python");
    let marker = venv.join("toolsmith-recipe.txt");
    let recipe = format!("{}\n--no-deps --pre {}\n", DEPENDENCIES.join(" "), SDK.join(" "));
    if python.exists() && std::fs::read_to_string(&marker).ok().as_deref() == Some(recipe.as_str()) {
        return python;
    }
    let _ = std::fs::remove_dir_all(&venv);
    std::fs::create_dir_all(venv.parent().unwrap()).unwrap();
    run(
        "`python3 -m venv` (on Debian/Ubuntu: apt-get install python3-venv)",
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
    );
    let pip = venv.join("bin/pip");
    run("pip install of the SDK's dependencies", Command::new(&pip).args(["install", "-q"]).args(DEPENDENCIES));
    run("pip install of the SDK", Command::new(&pip).args(["install", "-q", "--no-deps", "--pre"]).args(SDK));
    run("pip check", Command::new(&pip).arg("check"));
    std::fs::write(&marker, recipe).unwrap();
    python
}

/// Runs `tests/composio_sdk/verify_webhook.py` with the official SDK on a delivery
/// (`WEBHOOK_*` variables, see the script) and asserts that `verify_webhook` accepted the
/// signed body and refused the tampered one; returns the script's output.
pub(crate) fn assert_sdk_verifies(delivery: &[(&str, String)]) -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/composio_sdk/verify_webhook.py");
    let mut command = Command::new(composio_venv());
    command.arg(&script);
    for variable in ["COMPOSIO_API_KEY", "COMPOSIO_BASE_URL", "COMPOSIO_CUSTOM_HEADERS"] {
        command.env_remove(variable);
    }
    command.envs(delivery.iter().map(|(k, v)| (*k, v.as_str())));
    let (stdout, stderr, code) = run_with_limit(&mut command, Duration::from_secs(120));
    let lines: Vec<serde_json::Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let calls: Vec<(&str, bool)> =
        lines.iter().map(|l| (l["call"].as_str().unwrap(), l["ok"] == serde_json::json!(true))).collect();
    assert_eq!(
        calls,
        [("verify_webhook(signed body)", true), ("verify_webhook(tampered body)", true)],
        "exit code {code:?}\n--- stdout\n{stdout}--- stderr\n{stderr}"
    );
    assert_eq!(code, Some(0), "{stderr}");
    stdout
}
