//! The MCP endpoint of a session over loopback: raw JSON-RPC for both protocol eras, and
//! the official Python `mcp` client (`tests/mcp/client.py`).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde_json::{json, Value};
use toolsmith_runtime::{Registry, ToolSearch};
use toolsmith_server::testing::MemoryProjects;
use toolsmith_server::{AppState, ProjectStores, ServerOptions};
use toolsmith_store::ApiKeySecret;

mod common;
use common::McpAnswer;

const LEGACY: &str = "2025-11-25";
const MODERN: &str = "2026-07-28";

struct Server {
    url: String,
    http: reqwest::Client,
}

impl Server {
    /// A server on loopback that also accepts the Host names `more_hosts`.
    async fn start(projects: Arc<MemoryProjects>, more_hosts: &[&str]) -> Server {
        let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut options = ServerOptions::new(url.parse().unwrap());
        options.allowed_hosts.extend(more_hosts.iter().map(|h| h.to_string()));
        let state = AppState::new(Arc::new(ToolSearch::new(&registry)), projects, options);
        tokio::spawn(toolsmith_server::serve(listener, state, std::future::pending()));
        Server { url, http: reqwest::Client::new() }
    }

    /// A new session of the key's project; its MCP URL.
    async fn session(&self, key: &ApiKeySecret, config: Value) -> String {
        let response = self
            .http
            .post(format!("{}/api/v3.1/tool_router/session", self.url))
            .header("x-api-key", key.expose())
            .json(&config)
            .send()
            .await
            .unwrap();
        let created: Value = response.json().await.unwrap();
        created["mcp"]["url"].as_str().unwrap().to_owned()
    }

    async fn post(&self, url: &str, key: Option<&ApiKeySecret>, headers: &[(&str, &str)], body: Value) -> McpAnswer {
        common::mcp_post(&self.http, url, key, headers, body).await
    }
}

/// `_meta` of a 2026-07-28 request.
fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "toolsmith-tests", "version": "0"},
    })
}

fn search_call() -> Value {
    json!({"name": "COMPOSIO_SEARCH_TOOLS", "arguments": {"queries": [{"use_case": "create a github issue"}]}})
}

/// The checks both eras share: tools/list, a successful call, an unsuccessful one, an unknown tool.
fn check_tools(list: &Value) {
    let tools = list["result"]["tools"].as_array().unwrap_or_else(|| panic!("{list}"));
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "COMPOSIO_SEARCH_TOOLS",
            "COMPOSIO_GET_TOOL_SCHEMAS",
            "COMPOSIO_MULTI_EXECUTE_TOOL",
            "COMPOSIO_MANAGE_CONNECTIONS",
            "GITHUB_GET_REPO"
        ]
    );
    let search = &tools[0];
    assert_eq!(search["annotations"], json!({"readOnlyHint": true, "openWorldHint": true}));
    assert_eq!(search["inputSchema"]["type"], "object");
    assert_eq!(search["outputSchema"]["required"], json!(["data", "successful"]));
    assert_eq!(tools[2]["annotations"], json!({"destructiveHint": true, "openWorldHint": true}));
    let repo = &tools[4];
    assert_eq!(repo["annotations"], json!({"readOnlyHint": true}));
    assert!(repo["inputSchema"]["properties"]["owner"].is_object(), "{repo}");
    assert!(repo["outputSchema"]["properties"]["data"]["properties"].is_object(), "{repo}");
}

fn check_search(call: &Value) {
    let result = &call["result"];
    assert_eq!(result["isError"], false, "{call}");
    assert_eq!(result["structuredContent"]["successful"], true, "{call}");
    let primary = &result["structuredContent"]["data"]["results"][0]["primary_tool_slugs"][0];
    assert_eq!(primary, "GITHUB_CREATE_ISSUE", "{call}");
    assert_eq!(result["content"][0]["type"], "text");
}

fn check_unsuccessful(call: &Value) {
    let result = &call["result"];
    assert_eq!(result["isError"], true, "{call}");
    assert_eq!(result["structuredContent"]["successful"], false, "{call}");
    assert!(result["structuredContent"]["error"].as_str().unwrap().contains("github"), "{call}");
}

fn check_unknown(call: &Value) {
    assert_eq!(call["error"]["code"], -32602, "{call}");
    assert!(call["error"]["message"].as_str().unwrap().contains("no tool `GITHUB_NOPE`"), "{call}");
}

#[tokio::test]
async fn json_rpc_in_both_protocol_eras_behind_the_api_key() {
    let projects = Arc::new(MemoryProjects::default());
    let (_, a) = projects.add("a");
    let (_, b) = projects.add("b");
    let server = Server::start(projects, &[]).await;
    let url = server
        .session(&a, json!({"user_id": "ada", "toolkits": ["github"], "preload": {"tools": ["GITHUB_GET_REPO"]}}))
        .await;
    assert!(url.starts_with(&format!("{}/tool_router/trs_", server.url)), "{url}");
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}});

    // The door: no key, a wrong key, another project's key, a session that does not exist.
    let answer = server.post(&url, None, &[], initialize.clone()).await;
    assert_eq!((answer.status, &answer.body["error"]["slug"]), (401, &json!("Auth_InvalidApiKey")));
    assert!(answer.body["error"]["request_id"].as_str().unwrap().starts_with("req_"), "{}", answer.body);
    let wrong = ApiKeySecret::from("tsk_wrong".to_owned());
    assert_eq!(server.post(&url, Some(&wrong), &[], initialize.clone()).await.status, 401);
    let answer = server.post(&url, Some(&b), &[], initialize.clone()).await;
    assert_eq!((answer.status, &answer.body["error"]["slug"]), (404, &json!("ToolRouter_SessionNotFound")));
    let missing = format!("{}/tool_router/trs_nope/mcp", server.url);
    assert_eq!(server.post(&missing, Some(&a), &[], initialize.clone()).await.status, 404);
    let not_an_id = format!("{}/tool_router/nope/mcp", server.url);
    let answer = server.post(&not_an_id, Some(&a), &[], initialize.clone()).await;
    assert!(answer.body["error"]["message"].as_str().unwrap().contains("not a session id"), "{}", answer.body);

    // 2025-11-25: initialize, then requests on the MCP session.
    let answer = server.post(&url, Some(&a), &[], initialize).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["result"]["protocolVersion"], LEGACY);
    assert_eq!(answer.body["result"]["serverInfo"]["name"], "toolsmith");
    assert!(answer.body["result"]["capabilities"]["tools"].is_object());
    let mcp_session = answer.mcp_session.unwrap();
    let on = [("mcp-session-id", mcp_session.as_str()), ("mcp-protocol-version", LEGACY)];
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(server.post(&url, Some(&a), &on, initialized).await.status, 202);
    let rpc =
        |id: u64, method: &str, params: Value| json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    check_tools(&server.post(&url, Some(&a), &on, rpc(2, "tools/list", json!({}))).await.body);
    check_search(&server.post(&url, Some(&a), &on, rpc(3, "tools/call", search_call())).await.body);
    let repo = json!({"name": "GITHUB_GET_REPO", "arguments": {"owner": "o", "repo": "r"}});
    check_unsuccessful(&server.post(&url, Some(&a), &on, rpc(4, "tools/call", repo.clone())).await.body);
    let nope = json!({"name": "GITHUB_NOPE", "arguments": {}});
    check_unknown(&server.post(&url, Some(&a), &on, rpc(5, "tools/call", nope.clone())).await.body);
    // The key is checked on every request, not only on initialize.
    assert_eq!(server.post(&url, Some(&b), &on, rpc(6, "tools/list", json!({}))).await.status, 404);

    // 2026-07-28: stateless, the version in `_meta` and the headers of every request.
    let modern = |id: u64, method: &str, mut params: Value| {
        params["_meta"] = modern_meta();
        rpc(id, method, params)
    };
    let list_headers = [("mcp-protocol-version", MODERN), ("mcp-method", "tools/list")];
    let list = server.post(&url, Some(&a), &list_headers, modern(7, "tools/list", json!({}))).await;
    assert_eq!(list.mcp_session, None);
    assert_eq!(list.body["result"]["resultType"], "complete", "{}", list.body);
    check_tools(&list.body);
    let call =
        |name: &'static str| [("mcp-protocol-version", MODERN), ("mcp-method", "tools/call"), ("mcp-name", name)];
    check_search(
        &server.post(&url, Some(&a), &call("COMPOSIO_SEARCH_TOOLS"), modern(8, "tools/call", search_call())).await.body,
    );
    check_unsuccessful(
        &server.post(&url, Some(&a), &call("GITHUB_GET_REPO"), modern(9, "tools/call", repo)).await.body,
    );
    check_unknown(&server.post(&url, Some(&a), &call("GITHUB_NOPE"), modern(10, "tools/call", nope)).await.body);
    let answer = server.post(&url, Some(&b), &list_headers, modern(11, "tools/list", json!({}))).await;
    assert_eq!(answer.status, 404);
}

/// The 2025-11-25 handshake on `server`: the `Mcp-Session-Id` it gives.
async fn initialize_on(server: &Server, url: &str, key: &ApiKeySecret) -> String {
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}});
    let answer = server.post(url, Some(key), &[], initialize).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let mcp_session = answer.mcp_session.unwrap();
    let on = [("mcp-session-id", mcp_session.as_str()), ("mcp-protocol-version", LEGACY)];
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(server.post(url, Some(key), &on, initialized).await.status, 202);
    mcp_session
}

#[tokio::test]
async fn a_2025_session_begun_on_one_server_goes_on_on_another() {
    // Two servers over the same stores: two nodes of a cluster.
    let projects = Arc::new(MemoryProjects::default());
    let (_, a) = projects.add("a");
    let node_a = Server::start(projects.clone(), &[]).await;
    let node_b = Server::start(projects.clone(), &[]).await;
    let url_a = node_a
        .session(&a, json!({"user_id": "ada", "toolkits": ["github"], "preload": {"tools": ["GITHUB_GET_REPO"]}}))
        .await;
    let mcp_session = initialize_on(&node_a, &url_a, &a).await;

    // The same session id on node B, which never saw its `initialize`.
    let url_b = url_a.replace(&node_a.url, &node_b.url);
    let on = [("mcp-session-id", mcp_session.as_str()), ("mcp-protocol-version", LEGACY)];
    let rpc =
        |id: u64, method: &str, params: Value| json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    let list = node_b.post(&url_b, Some(&a), &on, rpc(2, "tools/list", json!({}))).await;
    assert_eq!(list.status, 200, "{}", list.body);
    check_tools(&list.body);
    check_search(&node_b.post(&url_b, Some(&a), &on, rpc(3, "tools/call", search_call())).await.body);

    // Kept in the main store until the client ends it (DELETE), on any node.
    let kept = projects.shared().unwrap();
    assert!(kept.mcp_session(&mcp_session).await.unwrap().unwrap().contains("initialize_params"));
    let ended = node_b
        .http
        .delete(&url_b)
        .header("x-api-key", a.expose())
        .header("mcp-session-id", &mcp_session)
        .send()
        .await
        .unwrap();
    assert!(ended.status().is_success(), "{}", ended.status());
    assert_eq!(kept.mcp_session(&mcp_session).await.unwrap(), None);
}

#[tokio::test]
async fn only_the_allowed_hosts_may_call() {
    let projects = Arc::new(MemoryProjects::default());
    let (_, a) = projects.add("a");
    let server = Server::start(projects, &["mcp.example.test"]).await;
    let url = server.session(&a, json!({"user_id": "ada"})).await;
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": modern_meta()}});
    for (host, status) in [("evil.example", 403), ("mcp.example.test", 200), ("127.0.0.1", 200)] {
        let headers = [("host", host), ("mcp-protocol-version", MODERN), ("mcp-method", "tools/list")];
        let answer = server.post(&url, Some(&a), &headers, list.clone()).await;
        assert_eq!(answer.status, status, "Host: {host}: {}", answer.body);
    }
}

/// A virtualenv with `mcp==2.3.0` under the target directory (made on first use).
fn python_with_mcp() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("venvs/mcp");
    let python = venv.join("bin/python");
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", "import importlib.metadata as m; assert m.version('mcp') == '2.3.0'"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if ready(&python) {
        return python;
    }
    let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).output();
    match made {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("`python3 -m venv {}` failed: {}", venv.display(), String::from_utf8_lossy(&out.stderr)),
        Err(e) => panic!("this test needs python3 (3.10 or newer) on PATH to run the official MCP client: {e}"),
    }
    let pip = Command::new(venv.join("bin/pip")).args(["install", "--quiet", "mcp==2.3.0"]).output().unwrap();
    assert!(
        pip.status.success() && ready(&python),
        "pip could not install mcp==2.3.0 into {} (is PyPI reachable? CI has it): {}",
        venv.display(),
        String::from_utf8_lossy(&pip.stderr)
    );
    python
}

/// Runs `tests/mcp/client.py URL KEY MODE`; its JSON and whether it succeeded.
async fn python_client(python: &Path, url: &str, key: &ApiKeySecret, mode: &str) -> (bool, Value) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/client.py");
    let mut command = Command::new(python);
    command.arg(script).args([url, key.expose(), mode]);
    let out = tokio::task::spawn_blocking(move || command.output()).await.unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("client.py printed no JSON ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr))
    });
    (out.status.success(), value)
}

#[tokio::test]
async fn the_official_python_client_lists_and_calls_the_meta_tools_in_both_eras() {
    let python = tokio::task::spawn_blocking(python_with_mcp).await.unwrap();
    let projects = Arc::new(MemoryProjects::default());
    let (_, a) = projects.add("a");
    let (_, b) = projects.add("b");
    let server = Server::start(projects, &[]).await;
    let url = server.session(&a, json!({"user_id": "ada", "toolkits": ["github"]})).await;

    for mode in ["legacy", MODERN] {
        let (ok, out) = python_client(&python, &url, &a, mode).await;
        assert!(ok, "{mode}: {out}");
        assert_eq!(out["protocol_version"], if mode == "legacy" { LEGACY } else { MODERN });
        let names: Vec<&str> = out["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "COMPOSIO_SEARCH_TOOLS",
                "COMPOSIO_GET_TOOL_SCHEMAS",
                "COMPOSIO_MULTI_EXECUTE_TOOL",
                "COMPOSIO_MANAGE_CONNECTIONS"
            ]
        );
        assert_eq!(out["tools"][0]["annotations"], json!({"readOnlyHint": true, "openWorldHint": true}), "{mode}");
        assert_eq!(out["tools"][3]["annotations"], json!({"destructiveHint": true, "openWorldHint": true}), "{mode}");
        assert_eq!(out["tools"][0]["has_output_schema"], true);
        let search = &out["search"];
        assert_eq!(search["is_error"], false, "{mode}: {search}");
        let primary = &search["structured"]["data"]["results"][0]["primary_tool_slugs"][0];
        assert_eq!(primary, "GITHUB_CREATE_ISSUE", "{mode}: {search}");
        let unknown = out["unknown_tool_error"].as_str().unwrap();
        assert!(unknown.contains("has no tool `NO_SUCH_TOOL`"), "{mode}: {unknown}");

        let wrong = ApiKeySecret::from("tsk_wrong".to_owned());
        let (ok, out) = python_client(&python, &url, &wrong, mode).await;
        assert!(!ok && out["error"].as_str().unwrap().contains("Server returned an error response"), "{mode}: {out}");
        let (ok, out) = python_client(&python, &url, &b, mode).await;
        assert!(!ok && out["error"].as_str().unwrap().contains("Not Found"), "{mode}: {out}");
    }
}
